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

  # Only what the build reads: the crate, its templates and the preset tables it embeds.
  src = lib.fileset.toSource {
    root = ../.;
    fileset = lib.fileset.unions [
      ../Cargo.toml
      ../Cargo.lock
      ../src
      ../templates
      ./lib/agents.json
      ./lib/combinators.json
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
