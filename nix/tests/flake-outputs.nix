# flake.nix's outputs evaluated with flake-shaped doubles of its inputs (tests/nix_library.rs).
let
  inherit (import ./doubles/flakes.nix) jailgen;
  perSystem = system: {
    packages = builtins.attrNames jailgen.packages.${system};
    default = jailgen.packages.${system}.default.pname;
    lib = builtins.attrNames jailgen.lib.${system};
    jailedClaudeBin = jailgen.packages.${system}.jailed-claude-code.meta.mainProgram;
    checks = builtins.attrNames jailgen.checks.${system};
    version = jailgen.packages.${system}.jailgen.version;
    devShell = map (p: p.name) jailgen.devShells.${system}.default.packages;
    claudeText = builtins.isString jailgen.packages.${system}.jailed-claude-code.text;
    internalsJailHasCombinators = jailgen.lib.${system}.internals.jail.combinators ? mount-cwd;
    formatter = jailgen.formatter.${system}.pname;
    libHasOpenUrls = jailgen.lib.${system} ? openUrls;
  };
in
{
  inherit (import ../../flake.nix) nixConfig;
  template = {
    inherit (jailgen.templates.default) description;
    files = builtins.attrNames (builtins.readDir jailgen.templates.default.path);
  };
  x86_64-linux = perSystem "x86_64-linux";
  aarch64-linux = perSystem "aarch64-linux";
}
