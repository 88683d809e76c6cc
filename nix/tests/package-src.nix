# nix/package.nix's `src`, evaluated with the real nixpkgs `lib` (its `lib.fileset`) and put in
# the store, for tests/nix_package.rs. Only `src` is forced, so the other callPackage arguments
# are placeholders that are never read.
{
  nixpkgsLib,
  package ? ../package.nix,
}:
let
  drvArgs = import package {
    lib = import nixpkgsLib;
    stdenv = { };
    rustPlatform.buildRustPackage = args: args;
    installShellFiles = null;
  };
in
"${drvArgs.src}"
