# The jailgen CLI, callPackage-able: `pkgs.callPackage ./nix/package.nix { }`.
{
  lib,
  stdenv,
  rustPlatform,
  installShellFiles,
}:
let
  cargoToml = builtins.fromTOML (builtins.readFile ../Cargo.toml);
in
rustPlatform.buildRustPackage {
  pname = "jailgen";
  inherit (cargoToml.package) version;

  # Whole directories, so that a file the crate starts to embed (`include_str!`) or declare
  # (a bench, a workspace member) is in the source without editing this list: the workspace
  # manifests and lock, every crate's directory, the templates, and nix/lib, whose JSON tables
  # and common.nix the CLI embeds. tests/nix_package.rs builds this set with `cargo --offline`.
  src = lib.fileset.toSource {
    root = ../.;
    fileset = lib.fileset.unions [
      ../Cargo.toml
      ../Cargo.lock
      ../src
      ../benches
      ../templates
      ./lib
      ../crates
    ];
  };

  cargoLock.lockFile = ../Cargo.lock;

  # The test suite needs nix-instantiate, bash and bwrap outside the build sandbox and the
  # fixtures; it runs in CI (`cargo test`) and the library tests run in checks.nix.
  doCheck = false;

  nativeBuildInputs = [ installShellFiles ];

  postInstall = lib.optionalString (stdenv.buildPlatform.canExecute stdenv.hostPlatform) ''
    installShellCompletion --cmd jailgen \
      --bash <("$out/bin/jailgen" completions bash) \
      --zsh <("$out/bin/jailgen" completions zsh) \
      --fish <("$out/bin/jailgen" completions fish)
    "$out/bin/jailgen" man > jailgen.1
    installManPage jailgen.1
  '';

  meta = {
    description = "Declare bubblewrap jails for LLM coding agents in YAML; render, check and explain the Nix";
    license = lib.licenses.mit;
    mainProgram = "jailgen";
    platforms = lib.platforms.linux;
  };
}
