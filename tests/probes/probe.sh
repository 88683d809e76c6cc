#!/usr/bin/env bash
# jailgen security probe: run INSIDE a jail, as the agent would be. It tries
# what a malicious agent would try and prints one line per probe:
#   PASS <probe>: <what happened>    the jail held
#   FAIL <probe>: <what happened>    the jail leaked
#
# usage: probe.sh MARKER HOST_PID LOOPBACK_PORT|- OUTSIDE_DIR ABSTRACT|-
#   MARKER         a random string the runner planted in every secret
#   HOST_PID       a host process (its argv[0] contains MARKER)
#   LOOPBACK_PORT  a TCP port listening on the host's 127.0.0.1, or - when
#                  the jail shares the host's network (`network = "host"`: then
#                  the probe is not applicable)
#   OUTSIDE_DIR    a host directory outside the project holding marker.txt
#   ABSTRACT       the name of an abstract unix socket listening on the host
#                  (without the leading NUL), or - as for LOOPBACK_PORT
#
# Run from the project directory (it holds .git and .env). Side effects are
# harmless: an empty .git/hooks/jailgen-probe file, a comment appended to
# .git/config, a line appended to ~/.bashrc and to OUTSIDE_DIR/marker.txt,
# and one `#` typed into the terminal, each only where the jail failed to stop
# it. tests/probes/run.sh sets all of this up in a throw-away home.
set -u

if (($# != 5)); then
  echo "usage: probe.sh MARKER HOST_PID LOOPBACK_PORT|- OUTSIDE_DIR ABSTRACT|-" >&2
  exit 2
fi
marker=$1 host_pid=$2 port=$3 outside=$4 abstract=$5

pass() { printf 'PASS %s: %s\n' "$1" "$2"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; }
has_marker() { [[ -f $1 && -r $1 ]] && grep -qF -- "$marker" "$1" 2>/dev/null; }

# 1. home secrets
leaked=""
for f in ~/.ssh/id_* ~/.aws/credentials; do
  if has_marker "$f"; then leaked+=" $f"; fi
done
if [[ -n $leaked ]]; then fail "home secrets" "read$leaked"; else pass "home secrets" "\$HOME/.ssh/id_* and \$HOME/.aws/credentials not readable"; fi

# 2. environment secrets
if env | grep -qF -- "$marker"; then
  fail "env secret" "$(env | grep -F -- "$marker" | cut -d= -f1 | tr '\n' ' ')visible"
else
  pass "env secret" "no variable holds the host's secret"
fi

# 3. write outside the project
if has_marker "$outside/marker.txt"; then
  if echo "jailgen-probe" >>"$outside/marker.txt" 2>/dev/null; then
    fail "write outside project" "appended to $outside/marker.txt"
  else
    pass "write outside project" "$outside visible but read-only"
  fi
else
  pass "write outside project" "$outside not visible"
fi

# 4. ~/.bashrc (runs on the host at the next shell start)
if has_marker ~/.bashrc; then
  if echo "# jailgen-probe" >>~/.bashrc 2>/dev/null; then
    fail "append ~/.bashrc" "appended to the host's ~/.bashrc"
  else
    pass "append ~/.bashrc" "host ~/.bashrc visible but read-only"
  fi
else
  echo "# jailgen-probe" >>~/.bashrc 2>/dev/null
  pass "append ~/.bashrc" "the host's ~/.bashrc is not the one in the jail"
fi

# 5./6. host processes
seen=""
for p in /proc/[0-9]*; do
  cmd=""
  IFS= read -r -d '' cmd <"$p/cmdline" 2>/dev/null
  if [[ $cmd == *"$marker"* ]]; then seen=${p#/proc/}; fi
done
if [[ -n $seen ]]; then fail "see host processes" "pid $seen (the host's marked process) visible"; else pass "see host processes" "the host's marked process is not visible"; fi
pid_cmd=""
IFS= read -r -d '' pid_cmd <"/proc/$host_pid/cmdline" 2>/dev/null
if [[ $pid_cmd == *"$marker"* ]] && kill -0 "$host_pid" 2>/dev/null; then
  fail "signal host processes" "kill -0 $host_pid reached the host process"
elif [[ -e /proc/$host_pid ]]; then
  pass "signal host processes" "pid $host_pid is a different (jailed) process here"
elif kill -0 "$host_pid" 2>/dev/null; then
  fail "signal host processes" "kill -0 $host_pid succeeded"
else
  pass "signal host processes" "pid $host_pid does not exist here"
fi

# 7. TIOCSTI: type into the controlling terminal
if ! command -v python3 >/dev/null; then
  fail "TIOCSTI" "cannot test: python3 not found in the jail"
else
  r=$(python3 - <<'EOF' 2>&1
import errno, fcntl, os, sys, termios
try:
    fd = 0 if os.isatty(0) else os.open("/dev/tty", os.O_RDWR)
except OSError:
    print("no-tty"); sys.exit()
try:
    fcntl.ioctl(fd, termios.TIOCSTI, b"#")
    print("injected")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
EOF
  )
  case $r in
  injected) fail "TIOCSTI" "typed into the terminal" ;;
  EPERM) pass "TIOCSTI" "blocked (EPERM, seccomp)" ;;
  EIO) pass "TIOCSTI" "refused by the kernel (EIO, legacy_tiocsti=0)" ;;
  no-tty) pass "TIOCSTI" "no controlling terminal" ;;
  *) fail "TIOCSTI" "unexpected: $r" ;;
  esac
fi

# 8. git hooks and config (the host's git runs them)
if [[ -d .git ]]; then
  if : >.git/hooks/jailgen-probe 2>/dev/null; then
    rm -f .git/hooks/jailgen-probe
    fail "write .git/hooks" "created .git/hooks/jailgen-probe"
  else
    pass "write .git/hooks" "read-only"
  fi
  if echo "# jailgen-probe" >>.git/config 2>/dev/null; then
    fail "write .git/config" "appended to .git/config"
  else
    pass "write .git/config" "read-only"
  fi
  if mv .git .git-jailgen-probe 2>/dev/null; then
    mv .git-jailgen-probe .git
    fail "replace .git" "renamed .git (a fresh one could carry hooks)"
  else
    pass "replace .git" "cannot rename .git"
  fi
else
  fail "write .git/hooks" "cannot test: no .git in $PWD"
fi

# 9. .env in the project
if has_marker .env; then fail "read .env" "read the project's .env"; else pass "read .env" "hidden"; fi

# 10. a server on the host's loopback (network off, and the default network on)
if [[ $port == - ]]; then
  printf 'INFO loopback: the jail shares the host network; probe not applicable\n'
elif ! command -v python3 >/dev/null; then
  fail "loopback" "cannot test: python3 not found in the jail"
else
  r=$(python3 - "$port" <<'EOF' 2>&1
import socket, sys
s = socket.socket()
s.settimeout(2)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
    print("connected")
except OSError as e:
    print(type(e).__name__)
EOF
  )
  if [[ $r == connected ]]; then fail "loopback" "connected to the host's 127.0.0.1:$port"; else pass "loopback" "127.0.0.1:$port unreachable ($r)"; fi
fi

# 11. an abstract unix socket of the host (on a desktop: @/tmp/.X11-unix/X0, the X server)
if [[ $abstract == - ]]; then
  printf 'INFO abstract socket: the jail shares the host network; probe not applicable\n'
elif ! command -v python3 >/dev/null; then
  fail "abstract socket" "cannot test: python3 not found in the jail"
else
  r=$(python3 - "$abstract" <<'EOF' 2>&1
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
try:
    s.connect("\0" + sys.argv[1])
    print("connected")
except OSError as e:
    print(type(e).__name__)
EOF
  )
  if [[ $r == connected ]]; then fail "abstract socket" "connected to the host's @$abstract"; else pass "abstract socket" "@$abstract unreachable ($r)"; fi
fi
