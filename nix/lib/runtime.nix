# The bash functions of nix/runtime/wrapper.sh, as jail.nix permissions. `functions` pastes the
# file into the wrapper once (include-once), before the first call; every call site composes it
# in front of itself, so the order of the permissions that use them does not matter.
{ jail }:
let
  c = jail.combinators;
  functions = c.include-once "jailgen-runtime" (
    c.add-runtime (builtins.readFile ../runtime/wrapper.sh)
  );
  # `call "jailgen_x arg…"`, with the arguments already shell-quoted by the caller.
  call =
    command:
    c.compose [
      functions
      (c.add-runtime command)
    ];
in
{
  inherit functions call;

  # jail.nix's `time-zone` without its three forks per launch (a validated cache instead).
  timeZone = c.include-once "jailgen-time-zone" (call "jailgen_time_zone");
}
