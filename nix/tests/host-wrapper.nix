# The wrapper script of one jail built in host mode, for running with real bash and bwrap (or a
# fake bwrap) outside Nix: tests/nix_library.rs and scripts/bench-launch.sh. Tools resolve to
# /usr, the base binds the host's /usr, /bin, /lib… (no store closure).
#
#   nix-instantiate --eval --read-write-mode --strict --json nix/tests/host-wrapper.nix \
#     --argstr launcher /dir/with/bin/jailgen-launch \
#     --argstr argsJson '{"pkg": "/usr/bin/env", "configPaths": ["~/.agent"]}' \
#     [--argstr preset claude-code] [--argstr bubblewrapPrefix /dir/with/bin/bwrap] \
#     [--argstr jailNix /path/to/jail.nix]
#
# argsJson holds makeJailedAgent arguments; a string `pkg` is the command to run (no package).
# The result is the text of the wrapper (a bash script with its #! line).
{
  launcher,
  argsJson ? "{}",
  preset ? "",
  bubblewrapPrefix ? "",
  jailNix ? "",
}:
let
  harness = import ./harness.nix {
    host = true;
    inherit launcher;
    bubblewrapPrefix = if bubblewrapPrefix == "" then null else bubblewrapPrefix;
    jailNix = if jailNix == "" then null else jailNix;
  };
  inherit (harness) jailgen;
  args = builtins.fromJSON argsJson;
  builder =
    if preset == "" then jailgen.makeJailedAgent else jailgen.${jailgen.presets.${preset}.builder};
in
(builder args).text
