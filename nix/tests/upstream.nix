# The suites of nix/tests/default.nix on real jail.nix and nixpkgs' real lib instead of the
# doubles (tests/upstream.rs): either may be null to keep its double.
#   nix-instantiate --eval --strict --json nix/tests/upstream.nix \
#     --arg jailNix "$JAILGEN_JAIL_NIX" --arg nixpkgsLib "$JAILGEN_NIXPKGS_LIB"
{
  jailNix ? null,
  nixpkgsLib ? null,
}:
import ./suites.nix {
  h = import ./helpers.nix {
    harness = import ./harness.nix { inherit jailNix nixpkgsLib; };
  };
}
