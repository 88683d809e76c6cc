# `nix flake check`: build the CLI, run the library's evaluation tests against the doubles, and
# keep the hand-written Nix nixfmt (RFC 166) and deadnix clean.
{
  pkgs,
  jailgen,
}:
let
  nixDir = ./.;
  # Store copies of the hand-written Nix (files and directories).
  nixSources = pkgs.lib.escapeShellArgs (
    map (p: "${p}") [
      ../flake.nix
      ./package.nix
      ./launcher.nix
      ./checks.nix
      ./lib
      ./tests
    ]
  );
in
{
  inherit jailgen;

  # The same suites as tests/nix_library.rs, evaluated with the nix from nixpkgs. The library
  # copies the launcher's sources into the store while evaluating, so it gets a store of its own.
  nix-library =
    pkgs.runCommand "jailgen-nix-library-tests"
      {
        nativeBuildInputs = [
          pkgs.nix
          pkgs.jq
        ];
      }
      ''
        export HOME="$TMPDIR" NIX_STATE_DIR="$TMPDIR/state"
        nix-instantiate --eval --strict --json --store "$TMPDIR/store" ${nixDir}/tests > result.json
        jq -r '.passed[]' result.json
        jq -e '.failed == [ ]' result.json
        touch "$out"
      '';

  nix-style =
    pkgs.runCommand "jailgen-nix-style"
      {
        nativeBuildInputs = [
          pkgs.nixfmt
          pkgs.deadnix
        ];
      }
      ''
        find ${nixSources} -name '*.nix' -exec nixfmt --check {} +
        find ${nixSources} -name '*.nix' -exec deadnix --fail {} +
        touch "$out"
      '';
}
