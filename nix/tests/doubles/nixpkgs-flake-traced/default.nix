# The nixpkgs flake double, announcing each `import nixpkgs { … }` on stderr, so that a test can
# count how often a flake instantiates nixpkgs (tests/nix_eval.rs).
{
  system ? "x86_64-linux",
  ...
}@args:
builtins.trace "jailgen-test: nixpkgs instantiated for ${system}" (import ../nixpkgs-flake args)
