# The bash functions of nix/runtime/wrapper.sh, as jail.nix permissions. `functions` pastes the
# file into the wrapper once (include-once), before the first call; every call site composes it
# in front of itself, so the order of the permissions that use them does not matter.
#
# Bash parses every pasted line at each launch, so comment-only and blank lines are dropped
# (the runtime files have no heredocs or multi-line strings whose lines could look like
# comments); `# shellcheck` directives stay, since writeShellApplication runs shellcheck on the
# wrapper. The rarely needed functions go to a separate file (nix/runtime/wrapper-rare.sh),
# which the wrapper sources only when one of them is called.
{ pkgs, jail }:
let
  c = jail.combinators;
  # Leading indentation is dropped too: bash reads it character by character, and it never
  # matters in these files (no heredocs; continuation lines only separate words).
  dedent = line: builtins.head (builtins.match "[[:space:]]*(.*)" line);
  strip =
    file:
    let
      lines = builtins.filter builtins.isString (builtins.split "\n" (builtins.readFile file));
      keep =
        line:
        builtins.match "[[:space:]]*" line == null
        && (
          builtins.match "[[:space:]]*#.*" line == null
          || builtins.match "[[:space:]]*# shellcheck .*" line != null
        );
    in
    builtins.concatStringsSep "\n" (map dedent (builtins.filter keep lines)) + "\n";
  # The rarely needed functions (wrapper-rare.sh), sourced by the wrapper only when called.
  rareFile = pkgs.writeText "jailgen-runtime-rare.sh" (strip ../runtime/wrapper-rare.sh);
  # What the wrapper holds: the rare file's store path, then wrapper.sh.
  pasted = "_jailgen_rare_file=${rareFile}\n" + strip ../runtime/wrapper.sh;
  functions = c.include-once "jailgen-runtime" (c.add-runtime pasted);
  # `call "jailgen_x arg…"`, with the arguments already shell-quoted by the caller.
  call =
    command:
    c.compose [
      functions
      (c.add-runtime command)
    ];
in
{
  inherit
    functions
    call
    pasted
    rareFile
    ;

  # jail.nix's `time-zone` without its three forks per launch (a validated cache instead).
  timeZone = c.include-once "jailgen-time-zone" (call "jailgen_time_zone");
}
