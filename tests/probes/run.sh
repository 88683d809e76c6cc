#!/usr/bin/env bash
# Run tests/probes/probe.sh inside a preset's default jail, built by the jailgen
# library, with real bash and real bwrap, and print the probe table.
#
# usage: tests/probes/run.sh [--preset NAME] [--network true|false|host] [--jail-nix DIR]
#                            [--policy jailgen|jailed-agents|none] [--launcher PREFIX]
#                            [--user NAME]
#   --preset    a key of nix/lib/agents.json (default claude-code)
#   --network   the jail's `network` argument (default false); the loopback and
#               abstract-socket probes apply to true and false, not to host (the
#               host's network namespace, where both are reachable by design)
#   --jail-nix  a jail.nix checkout to build with (default: $JAILGEN_JAIL_NIX,
#               else the test double in nix/tests/doubles/jail-nix)
#   --policy    jailgen (default): the preset's jail from the jailgen library;
#               jailed-agents: the same jail.nix with jailed-agents' policy
#               (base, [network,] time-zone, no-new-session, mount-cwd), for
#               comparison; none: no sandbox at all. The last two exist to show
#               that the probes do detect leaks.
#   --user      run the jail (and the host process it must not see) as this unprivileged
#               user, when run.sh runs as root (the wrapper is evaluated as root: it writes
#               the policy file into the store)
#   --launcher  a directory holding bin/jailgen-launch (default: $JAILGEN_LAUNCHER, else
#               built here with `cargo build -p jailgen-launch` into target/launcher-tests,
#               as the cargo tests do)
#
# The wrapper text is evaluated with nix-instantiate through nix/tests/harness.nix
# in host mode (tools from /usr instead of the store, research §4.3), running the
# launcher built by cargo, and the preset's agent replaced by the probe (bound
# read-only with extraReadonlyDirs). It runs
# from a throw-away home holding planted secrets, in a git project with a
# .env, on a fresh pseudo-terminal (tests/runtime/ttyprobe.c).
#
# Needs: bash, bwrap, nix-instantiate, gcc, git, python3 (and cargo without --launcher).
# Exit status: 0 when every line is PASS, 1 when any is FAIL, 2 on a setup error.
set -o errexit -o nounset -o pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd -- "$here/../.." && pwd)
preset=claude-code network=false jail_nix=${JAILGEN_JAIL_NIX-} policy=jailgen
launcher=${JAILGEN_LAUNCHER-} user=""
while (($#)); do
  case $1 in
  --preset) preset=$2; shift 2 ;;
  --network) network=$2; shift 2 ;;
  --jail-nix) jail_nix=$2; shift 2 ;;
  --policy) policy=$2; shift 2 ;;
  --launcher) launcher=$2; shift 2 ;;
  --user) user=$2; shift 2 ;;
  *) echo "run.sh: unknown argument \`$1\`" >&2; exit 2 ;;
  esac
done
case $network in
true | false) nix_network=$network ja_network=$network ;;
host) nix_network='"host"' ja_network=true ;;
*) echo "run.sh: --network takes true, false or host" >&2; exit 2 ;;
esac
[[ $policy =~ ^(jailgen|jailed-agents|none)$ ]] || { echo "run.sh: --policy takes jailgen, jailed-agents or none" >&2; exit 2; }
[[ $preset =~ ^[a-z0-9-]+$ ]] || { echo "run.sh: bad preset name \`$preset\`" >&2; exit 2; }

tmp=$(mktemp -d)
chmod 0755 "$tmp"
pids=()
# as_user CMD...: CMD as --user (no supplementary groups), else as the caller.
as_user() {
  if [[ -n $user ]]; then
    setpriv --reuid "$(id -u "$user")" --regid "$(id -g "$user")" --clear-groups -- "$@"
  else
    "$@"
  fi
}
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf -- "$tmp"
}
trap cleanup EXIT

# --- tools ---
mkdir -p "$tmp/bin"
gcc -O2 -o "$tmp/bin/ttyprobe" "$repo/tests/runtime/ttyprobe.c"
if [[ -z $launcher ]]; then
  target=${CARGO_TARGET_DIR:-$repo/target}/launcher-tests
  (cd "$repo" && cargo build --quiet -p jailgen-launch --target-dir "$target")
  launcher=$tmp/launcher
  mkdir -p "$launcher/bin"
  cp "$target/debug/jailgen-launch" "$launcher/bin/"
fi
[[ -x $launcher/bin/jailgen-launch ]] || { echo "run.sh: no bin/jailgen-launch in \`$launcher\`" >&2; exit 2; }
launcher=$(cd -- "$launcher" && pwd)

# --- a throw-away home with secrets, and a project ---
marker=jailgen-secret-$RANDOM$RANDOM$RANDOM
home=$tmp/home
proj=$home/src/proj
outside=$home/outside
mkdir -p "$home/.ssh" "$home/.aws" "$outside" "$proj"
echo "-----BEGIN OPENSSH PRIVATE KEY----- $marker" >"$home/.ssh/id_ed25519"
printf '[default]\naws_secret_access_key = %s\n' "$marker" >"$home/.aws/credentials"
echo "# host bashrc $marker" >"$home/.bashrc"
echo "$marker" >"$outside/marker.txt"
(
  cd "$proj"
  export GIT_CONFIG_NOSYSTEM=1 HOME=$home
  git init -q -b main
  git config user.email probe@example.org
  git config user.name probe
  echo hello >README
  git add README
  git commit -q -m init
)
echo "API_KEY=$marker" >"$proj/.env"
snapshot() {
  # Everything the jail must not change on the host (not the project's
  # ordinary files: writing those is the point of the jail).
  cat "$home/.bashrc" "$outside/marker.txt" "$proj/.env" "$proj/.git/config"
  ls -a "$outside" "$proj/.git/hooks" "$proj"
}
before=$(snapshot)

# --- the probe as the preset's agent ---
mkdir -p "$tmp/probe-pkg/bin"
cp "$here/probe.sh" "$tmp/probe-pkg/bin/jailgen-probe"
chmod 0555 "$tmp/probe-pkg/bin/jailgen-probe"

# --- the wrapper, from the library ---
jail_arg=null
if [[ -n $jail_nix ]]; then
  jail_arg="$(cd -- "$jail_nix" && pwd)"
fi
expr="
let
  h = import $repo/nix/tests/harness.nix {
    host = true;
    launcher = \"$launcher\";
    jailNix = $jail_arg;
  };
  preset = h.jailgen.presets.\"$preset\";
  probe = {
    type = \"derivation\";
    name = \"jailgen-probe\";
    outPath = \"$tmp/probe-pkg\";
    meta.mainProgram = \"jailgen-probe\";
  };
  jailgen = h.jailgen.\${preset.builder} {
    pkg = probe;
    network = $nix_network;
    extraReadonlyDirs = [ \"$tmp/probe-pkg\" ];
  };
  jailed-agents = h.jail \"jailgen-probe\" probe (
    c:
    (if $ja_network then [ c.network ] else [ ])
    ++ [
      c.time-zone
      c.no-new-session
      c.mount-cwd
      (c.readonly \"$tmp/probe-pkg\")
    ]
  );
in
$policy.text
"
if [[ $policy == none ]]; then
  printf '#!/usr/bin/env bash\nexec %q "$@"\n' "$tmp/probe-pkg/bin/jailgen-probe" >"$tmp/wrapper.json.sh"
fi
[[ $policy == none ]] || nix-instantiate --eval --read-write-mode --strict --json -E "$expr" >"$tmp/wrapper.json"
if [[ $policy == none ]]; then
  mv "$tmp/wrapper.json.sh" "$tmp/wrapper"
else
  python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1])))' "$tmp/wrapper.json" >"$tmp/wrapper"
fi
chmod +x "$tmp/wrapper"

# --- host-side bait ---
[[ -z $user ]] || chown -R "$user" "$tmp"
# The marked host process belongs to the jail's user (signalling it is then stopped by the jail
# alone, not by permissions), and $! is its own pid.
if [[ -n $user ]]; then
  # shellcheck disable=SC2016 # $0 is for the inner bash
  (exec setpriv --reuid "$(id -u "$user")" --regid "$(id -g "$user")" --clear-groups -- \
    bash -c 'exec -a "$0" sleep 600' "$marker-host-process") &
else
  (exec -a "$marker-host-process" sleep 600) &
fi
host_pid=$!
pids+=("$host_pid")
# Listeners the jail must not reach: TCP on the host's 127.0.0.1 and an abstract unix socket
# (both in the host's network namespace), unless the jail shares it (`host`).
port=- abstract=-
if [[ $network != host ]]; then
  abstract=jailgen-probe-abstract-$RANDOM$RANDOM
  python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
u = socket.socket(socket.AF_UNIX); u.bind("\0" + sys.argv[1]); u.listen(8)
print(s.getsockname()[1], flush=True)
import select
while True:
    for r in select.select([s, u], [], [])[0]:
        c, _ = r.accept(); c.close()
' "$abstract" >"$tmp/port" &
  pids+=("$!")
  for _ in $(seq 50); do [[ -s $tmp/port ]] && break; sleep 0.1; done
  port=$(<"$tmp/port")
fi

# --- run: the wrapper on a fresh terminal, from the project, with secrets in env ---
out=$(cd "$proj" && as_user env -i HOME="$home" PATH=/usr/bin:/bin TERM=xterm LANG=C.UTF-8 \
  AWS_SECRET_ACCESS_KEY="$marker" GITHUB_TOKEN="$marker" \
  "$tmp/bin/ttyprobe" run "$tmp/wrapper" "$marker" "$host_pid" "$port" "$outside" "$abstract")

# --- results ---
label=$(if [[ -n $jail_nix ]]; then echo "real jail.nix ($jail_nix)"; else echo "jail.nix test double"; fi)
case $policy in
jailgen) echo "# probes: preset $preset, network $network, jailgen library on $label" ;;
jailed-agents) echo "# probes: jailed-agents policy, network $network, $label" ;;
none) echo "# probes: no sandbox" ;;
esac
grep -E '^(PASS|FAIL|INFO) ' <<<"$out" || true
status=0
if ! grep -qE '^(PASS|FAIL) ' <<<"$out"; then
  echo "FAIL probe: did not run; its output was:"
  printf '%s\n' "$out"
  status=1
fi
grep -q '^FAIL ' <<<"$out" && status=1
queue=$(sed -n 's/^input-queue=//p' <<<"$out")
if [[ -z $queue ]]; then
  echo "PASS host: terminal input queue empty after the jail exited"
else
  echo "FAIL host: the terminal's input queue holds $queue (typed by the jail)"
  status=1
fi
after=$(snapshot)
if [[ $before == "$after" ]]; then
  echo "PASS host: ~/.bashrc, $outside, .env, .git/config and .git/hooks unchanged"
else
  echo "FAIL host: files changed on the host:"
  diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") || true
  status=1
fi
if kill -0 "$host_pid" 2>/dev/null; then
  echo "PASS host: the marked host process is still alive"
else
  echo "FAIL host: the marked host process was killed"
  status=1
fi
exit "$status"
