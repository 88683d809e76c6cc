# The seccomp program every jail gets: ioctl TIOCSTI and TIOCLINUX fail with EPERM, so a jailed
# process cannot type into the user's terminal (`no-new-session` keeps it as the controlling
# tty). Built at Nix build time from nix/runtime/seccomp; jail.nix reads the file at launch.
{ pkgs }:
pkgs.runCommandCC "jailgen-tiocsti-filter" { buildInputs = [ pkgs.libseccomp ]; } ''
  $CC -O2 -Wall -o tiocsti-filter ${../runtime/seccomp/tiocsti-filter.c} -lseccomp
  ./tiocsti-filter "$out"
''
