#!/usr/bin/env bash
# The launcher's own cost (BENCHMARKS.md, "Launcher"): paired launches of jailgen-launch
# against raw bwrap with the same mounts (the floor), network on and off; instructions
# (cachegrind); microseconds per step (JAILGEN_LAUNCH_TIMES=1); and the nested hide walk on a
# 100 000-file tree. Run as root: the jails run as the unprivileged user `rt` (created if
# missing). Usage: [BENCH_PRESETS=1] [LAUNCHER=…] scripts/bench-launcher.sh [RUNS]   (default 60 pairs)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-60}
id rt >/dev/null 2>&1 || useradd -m rt
# LAUNCHER=/path/to/jailgen-launch measures another build (a statically linked one, say).
if [[ -n ${LAUNCHER-} ]]; then
  launcher=$LAUNCHER
else
  cargo build --release -q -p jailgen-launch
  launcher=$PWD/target/release/jailgen-launch
fi
bwrap=$(command -v bwrap)
work=$(mktemp -d /tmp/bench-launcher.XXXXXX)
home=$work/home
proj=$home/src/proj
mkdir -p "$proj" "$home/.claude"
git -C "$proj" init -q -b main
printf 'SECRET=1\n' >"$proj/.env"
mkdir -p "$proj/src" && printf 'x\n' >"$proj/src/main.rs"
cp "$launcher" "$work/jailgen-launch"
cp "$(dirname -- "${BASH_SOURCE[0]}")/paired.py" "$work/paired.py"
launcher=$work/jailgen-launch

# The static part of a jail like jail.nix's base (read-only system, fresh /proc /dev /tmp,
# tmpfs home, namespaces, cleared environment).
static=(--ro-bind /usr /usr)
for d in /bin /sbin /lib /lib64; do
  if [[ -L $d ]]; then static+=(--symlink "$(readlink "$d")" "$d"); elif [[ -d $d ]]; then static+=(--ro-bind "$d" "$d"); fi
done
static+=(--proc /proc --dev /dev --tmpfs /tmp --tmpfs "$home" --unshare-user --unshare-ipc --unshare-pid
  --unshare-net --unshare-uts --unshare-cgroup-try --die-with-parent --clearenv
  --setenv PATH /usr/bin:/bin --setenv HOME "$home" --setenv TERM dumb)

# claude-code's default jail, as the library writes it (a host CA file stands in for the store's).
policy() {
  cat <<EOF
{"version":1,"name":"jailed-claude-code","readwrite":["~/.claude"],
 "state":[{"path":"~/.claude","kind":"dir"}],
 "env":{"home":{"CLAUDE_CONFIG_DIR":".claude"},"forward":["ANTHROPIC_API_KEY","CLAUDE_CODE_OAUTH_TOKEN"]},
 "network":$1,"tls":{"caBundle":"/etc/ssl/certs/ca-certificates.crt"}}
EOF
}
policy true >"$work/net.json"
policy false >"$work/nonet.json"

# The floor: the very bwrap argv the launcher computes, with every descriptor bind written
# as a path bind of the same file and without the seccomp descriptor.
cat >"$work/record" <<'EOF'
#!/usr/bin/env bash
out=()
while (($#)); do
  case $1 in
  --bind-fd) out+=(--bind "$3" "$3"); shift 3 ;;
  --ro-bind-fd) out+=(--ro-bind "$(readlink "/proc/self/fd/$2")" "$3"); shift 3 ;;
  --add-seccomp-fd) shift 2 ;;
  *) out+=("$1"); shift ;;
  esac
done
printf '%s\0' "${out[@]}" >"$RECORD_TO"
EOF
chmod 755 "$work/record"
chown -R rt:rt "$work"

as_rt() { runuser -u rt -- env -C "$proj" HOME="$home" LANG=C.UTF-8 "$@"; }

for net in net nonet; do
  as_rt env RECORD_TO="$work/$net.argv" "$launcher" "$work/$net.json" "$work/record" \
    "${static[@]}" --jailgen-grants -- /usr/bin/true
done

summary=$work/summary.txt
: >"$summary"

# BENCH_PRESETS=1: every preset's default jail (from nix/lib/agents.json), network on and off,
# paired against its own floor; one line each.
if [[ ${BENCH_PRESETS-} == 1 ]]; then
  python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
agents = json.load(open("nix/lib/agents.json"))
for name, a in agents.items():
    if "builder" not in a:
        continue
    exts = json.load(open("nix/lib/file-extensions.json"))
    state = [{"path": p, "kind": "file" if any(p.endswith(e) for e in exts) else "dir"} for p in a["configPaths"]]
    for net in (True, False):
        pol = {"version": 1, "name": f"jailed-{name}", "readwrite": a["configPaths"], "state": state,
               "env": {"set": a.get("env", {}), "home": a.get("homeEnv", {}), "forward": a.get("credentialEnv", [])},
               "network": net, "tls": {"caBundle": "/etc/ssl/certs/ca-certificates.crt", "hostSsl": False}}
        open(f"{work}/preset-{name}-{'net' if net else 'nonet'}.json", "w").write(json.dumps(pol))
PY
  chown -R rt:rt "$work"
  for pol in "$work"/preset-*.json; do
    tag=${pol##*/preset-}
    tag=${tag%.json}
    as_rt env RECORD_TO="$work/$tag.argv" "$launcher" "$pol" "$work/record" "${static[@]}" --jailgen-grants -- /usr/bin/true
    floor="$bwrap $(tr '\0' ' ' <"$work/$tag.argv")"
    ratio=$(runuser -u rt -- env -C "$proj" HOME="$home" LANG=C.UTF-8 JAILGEN_ALLOW_CONCURRENT=1 \
      python3 "$work/paired.py" "$runs" "$launcher $pol $bwrap ${static[*]} --jailgen-grants -- /usr/bin/true" "$floor" 2>&1 | tr -s ' ' | tr '\n' ' ')
    echo "preset $tag: $ratio" | tee -a "$summary"
  done
  echo "summary: $summary"
  exit 0
fi

for net in net nonet; do
  # Both as words (no path here holds a space); the paired runner itself runs as rt, so
  # neither side pays for runuser.
  floor="$bwrap $(tr '\0' ' ' <"$work/$net.argv")"
  echo "== $net: launcher vs its floor ($runs pairs; the floor has $(tr -cd '\0' <"$work/$net.argv" | wc -c) arguments)" | tee -a "$summary"
  runuser -u rt -- env -C "$proj" HOME="$home" LANG=C.UTF-8 JAILGEN_ALLOW_CONCURRENT=1 \
    python3 "$work/paired.py" "$runs" "$launcher $work/$net.json $bwrap ${static[*]} --jailgen-grants -- /usr/bin/true" "$floor" 2>&1 | tee -a "$summary"
done

# valgrind loses its count at exec, so bwrap is a path that does not exist: the launcher does
# all its work, fails to exec, and exits.
echo "== instructions (cachegrind, user space, the launcher up to exec; /bin/true for scale)" | tee -a "$summary"
for net in net nonet; do
  as_rt env JAILGEN_ALLOW_CONCURRENT=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    "$launcher" "$work/$net.json" /nonexistent "${static[@]}" --jailgen-grants -- /usr/bin/true 2>&1 |
    grep -E 'I +refs' | sed "s/^/$net: /" | tee -a "$summary" || true
done
as_rt valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null /bin/true 2>&1 |
  grep -E 'I +refs' | sed 's/^/true: /' | tee -a "$summary" || true

if command -v perf >/dev/null 2>&1; then
  echo "== CPU time (perf stat -r 300 -e task-clock): /bin/true, the launcher exiting at once, working with a failing exec, working then exec of /bin/true" | tee -a "$summary"
  for cmd in "/bin/true" "$launcher" "$launcher $work/net.json /nonexistent --jailgen-grants -- x" "$launcher $work/net.json /bin/true --jailgen-grants -- x"; do
    # shellcheck disable=SC2086 # the command is split into words on purpose
    as_rt env JAILGEN_ALLOW_CONCURRENT=1 perf stat -r 300 -e task-clock $cmd 2>&1 | grep task-clock | sed "s|^|$cmd: |" | tee -a "$summary" || true
  done
fi

echo "== microseconds per step (median of 50, network on)" | tee -a "$summary"
for _ in $(seq 50); do
  as_rt env JAILGEN_ALLOW_CONCURRENT=1 JAILGEN_LAUNCH_TIMES=1 "$launcher" "$work/net.json" /bin/true \
    "${static[@]}" --jailgen-grants -- /usr/bin/true 2>&1 | sed -n 's/^jailgen: times (µs): //p'
done | python3 -c '
import sys, statistics
rows = [dict(kv.split("=") for kv in line.split()) for line in sys.stdin if line.strip()]
print(" ".join(f"{k}={statistics.median(int(r[k]) for r in rows):.0f}" for k in rows[0]))
' | tee -a "$summary"

echo "== nested hide walk on a 100 000-file tree (1 000 directories x 100 files; +20 000 in node_modules)" | tee -a "$summary"
big=$home/src/big
python3 - "$big" <<'EOF'
import os, sys
root = sys.argv[1]
for d in range(1000):
    p = os.path.join(root, f"pkg{d // 50}", f"mod{d}")
    os.makedirs(p, exist_ok=True)
    for f in range(100):
        open(os.path.join(p, f"f{f}.txt"), "w").close()
nm = os.path.join(root, "node_modules")
for d in range(200):
    p = os.path.join(nm, f"dep{d}")
    os.makedirs(p, exist_ok=True)
    for f in range(100):
        open(os.path.join(p, f"f{f}.js"), "w").close()
open(os.path.join(root, "pkg3", "mod170", ".env"), "w").write("SECRET=1\n")
EOF
chown -R rt:rt "$big"
printf '%s\n' '{"version":1,"name":"t","network":false,"hide":[]}' >"$work/nohide.json"
printf '%s\n' '{"version":1,"name":"t","network":false}' >"$work/hide.json"
for p in hide nohide; do
  echo "-- policy $p.json, fake bwrap (/bin/true)" | tee -a "$summary"
  runuser -u rt -- env -C "$big" HOME="$home" JAILGEN_ALLOW_CONCURRENT=1 hyperfine -N --runs 20 --warmup 2 \
    "$launcher $work/$p.json /bin/true -- x" 2>&1 | tee -a "$summary"
done
as_rt env -C "$big" JAILGEN_ALLOW_CONCURRENT=1 JAILGEN_LAUNCH_TIMES=1 "$launcher" "$work/hide.json" /bin/echo -- x 2>&1 |
  tr ' ' '\n' | grep -E '^(hide=|.*mod170/\.env)' | tee -a "$summary"
echo "summary: $summary"
