# The bash functions of nix/runtime/wrapper.sh, as jail.nix permissions. `functions` pastes the
# file into the wrapper once (include-once), before the first call; every call site composes it
# in front of itself, so the order of the permissions that use them does not matter.
#
# Bash parses every pasted line at each launch, so comment-only and blank lines are dropped
# (wrapper.sh has no heredocs or multi-line strings whose lines could look like comments);
# `# shellcheck` directives stay, since writeShellApplication runs shellcheck on the wrapper.
{ jail }:
let
  c = jail.combinators;
  lines = builtins.filter builtins.isString (
    builtins.split "\n" (builtins.readFile ../runtime/wrapper.sh)
  );
  keep =
    line:
    builtins.match "[[:space:]]*" line == null
    && (
      builtins.match "[[:space:]]*#.*" line == null
      || builtins.match "[[:space:]]*# shellcheck .*" line != null
    );
  stripped = builtins.concatStringsSep "\n" (builtins.filter keep lines) + "\n";
  functions = c.include-once "jailgen-runtime" (c.add-runtime stripped);
  # `call "jailgen_x arg…"`, with the arguments already shell-quoted by the caller.
  call =
    command:
    c.compose [
      functions
      (c.add-runtime command)
    ];
in
{
  inherit functions call stripped;

  # jail.nix's `time-zone` without its three forks per launch (a validated cache instead).
  timeZone = c.include-once "jailgen-time-zone" (call "jailgen_time_zone");
}
