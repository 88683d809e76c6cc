# Runs every suite (suites.nix) against the doubles: `nix-instantiate --eval --strict --json nix/tests`.
import ./suites.nix { h = import ./helpers.nix { }; }
