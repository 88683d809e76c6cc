# Evaluates a flake.nix written by `jailgen init` with doubles of its inputs: nixpkgs, and jailgen
# being this repository's own flake evaluated against doubles (tests/nix_eval.rs).
# `traceNixpkgs = true`: each `import nixpkgs { … }` of the flake says so on stderr.
{
  flakeDir,
  traceNixpkgs ? false,
}:
let
  doubles = import ./doubles/flakes.nix;
  flake = import (flakeDir + "/flake.nix");
  nixpkgs =
    if traceNixpkgs then
      doubles.nixpkgs // { outPath = ./doubles/nixpkgs-flake-traced; }
    else
      doubles.nixpkgs;
  outputs = flake.outputs {
    self = outputs;
    inherit nixpkgs;
    inherit (doubles) jailgen;
  };
  summary = system: {
    packages = builtins.mapAttrs (_: j: {
      inherit (j) type name;
      isJail = j ? calls && builtins.isString j.text;
    }) outputs.packages.${system};
    # The wrapper text is forced too: it reads `pkgs` (extraPkgs), like building the shell would.
    devShellPackages = map (p: builtins.seq p.text p.name) outputs.devShells.${system}.default.packages;
    checks = builtins.attrNames outputs.checks.${system};
    # What the check runs (the runCommand double records it): tests/nix_eval.rs runs it with bash.
    jailsCheck = {
      inherit (outputs.checks.${system}.jails) name buildCommand;
      inputs = map (p: p.pname) outputs.checks.${system}.jails.nativeBuildInputs;
    };
  };
in
{
  inputs = builtins.attrNames flake.inputs;
  x86_64-linux = summary "x86_64-linux";
  aarch64-linux = summary "aarch64-linux";
}
