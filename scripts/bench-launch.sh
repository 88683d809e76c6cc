#!/usr/bin/env bash
# Launch benchmark (not a test): how long `/usr/bin/true` takes to start through each
# preset's default jail, network on and off, against its raw-bwrap floor, written into
# BENCHMARKS.md (section "## Jail launch").
#
# usage: scripts/bench-launch.sh [--jail-nix DIR] [--user NAME] [--no-write]
#   --jail-nix  a checkout of real jail.nix (default: $JAILGEN_JAIL_NIX)
#   --user      run the measurements as this unprivileged user (default: `rt` when run as
#               root and that user exists); the wrappers are evaluated first, as the caller,
#               since nix-instantiate writes the policy files into the store
#   --no-write  print the section only
# BENCH_RUNS (default 200): hyperfine runs per launcher. BENCH_PAIRS (default 200):
# alternating runs of each preset's wrapper and its floor, for the paired ratios.
#
# Launchers, all running /usr/bin/true from a git project (with a .env) under a throw-away
# home:
#   1. no sandbox
#   2. every preset's default jail (jailgen library on real jail.nix, host mode: packages
#      point at host paths, the base binds the host's /usr, /bin, /lib… instead of a store
#      closure), network on and off, running the launcher built here by cargo (release, static
#      glibc, as nix/launcher.nix builds it)
#   3. the floors: for each of those jails, one raw bwrap command with exactly the arguments
#      the launcher hands bwrap (captured), a descriptor bind replaced by a bind of the path it
#      names, an empty-file mask by a read-only bind of the file itself, without the seccomp
#      fd: the same mounts, no bash, no launcher
#   4. real jail.nix with the jailed-agents policy, with and without `network`
#   5. breakdown: bash running writeShellApplication's prologue only; the whole wrapper with
#      the launcher exec'ing /usr/bin/true instead of bwrap (bash + launcher, no sandbox)
#
# Needs: hyperfine, nix-instantiate, bwrap, cargo, git, python3 (valgrind for the instruction
# counts).
set -o errexit -o nounset -o pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd -- "$here/.." && pwd)

# The measuring half, run as the unprivileged user on a prepared directory.
if [[ ${1-} == --measure ]]; then
  tmp=$2
  export HOME=$tmp/home TERM=xterm LANG=C.UTF-8 PATH=/usr/bin:/bin
  cd "$HOME/src/proj"
  mapfile -t jails <"$tmp/jails"
  # Each jail's floor: what the launcher hands bwrap (as this user: its mask file, its lock),
  # replayed as one plain bwrap command.
  for j in "${jails[@]}"; do
    sed "s| /usr/bin/bwrap | $tmp/capture-bwrap |" "$tmp/w/$j" >"$tmp/w/$j-capture"
    chmod +x "$tmp/w/$j-capture"
    CAPTURE=$tmp/floor/$j.argv "$tmp/w/$j-capture"
    python3 - "$tmp/floor/$j.argv" "$tmp/floor/$j" <<'EOF'
import shlex, sys
args = open(sys.argv[1], "rb").read().decode().split("\0")[:-1]
open(sys.argv[2], "w").write(" ".join(shlex.quote(a) for a in ["/usr/bin/bwrap"] + args))
print(len(args))
EOF
  done >"$tmp/nargs"
  # Every launcher runs before it is timed.
  for j in "${jails[@]}" ja-net ja-nonet; do
    "$tmp/w/$j" || { echo "bench-launch.sh: $j failed to run" >&2; exit 1; }
  done
  for j in "${jails[@]}"; do
    bash -c "$(<"$tmp/floor/$j")" || { echo "bench-launch.sh: the floor of $j failed" >&2; exit 1; }
  done
  hyperfine -N --warmup 2 --runs 10 --export-json "$tmp/slow.json" -n ja-net "$tmp/w/ja-net" >&2
  hyperfine -N --warmup 20 --runs "${BENCH_RUNS:-200}" --export-json "$tmp/result.json" \
    -n "no sandbox" /usr/bin/true \
    -n bash-only "$tmp/bash-only" \
    -n wrapper-only "$tmp/w/claude-code-net-nolaunch" \
    -n launcher-only "$tmp/w/claude-code-net-nobwrap" \
    -n floor-net "$(<"$tmp/floor/claude-code-net")" \
    -n floor-nonet "$(<"$tmp/floor/claude-code-nonet")" \
    -n ja-nonet "$tmp/w/ja-nonet" \
    -n ours-net "$tmp/w/claude-code-net" \
    -n ours-nonet "$tmp/w/claude-code-nonet" >&2
  python3 - "$tmp" "${BENCH_PAIRS:-200}" >"$tmp/paired" <<'EOF'
# Paired, interleaved runs: load on a shared machine drifts while hyperfine times one
# launcher after another, so time each jail and its floor back to back, alternating, and
# take the median of the per-pair ratios.
# Also the CPU time of each run (user + sys of the process and everything it waited for, from
# getrusage), which a busy machine disturbs much less than wall time.
import resource, shlex, statistics, subprocess, sys, time
tmp, n = sys.argv[1], int(sys.argv[2])
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
def run(argv):
    c, t = cpu(), time.perf_counter_ns()
    subprocess.run(argv, check=True)
    return time.perf_counter_ns() - t, cpu() - c
for jail in open(f"{tmp}/jails").read().split():
    ours = [f"{tmp}/w/{jail}"]
    floor = shlex.split(open(f"{tmp}/floor/{jail}").read())
    ratios, t_o, t_f, c_o, c_f = [], [], [], [], []
    for i in range(n):
        a, b = (ours, floor) if i % 2 == 0 else (floor, ours)
        ra, rb = run(a), run(b)
        (to, co), (tf, cf) = (ra, rb) if a is ours else (rb, ra)
        ratios.append(to / tf)
        t_o.append(to)
        t_f.append(tf)
        c_o.append(co)
        c_f.append(cf)
    q = statistics.quantiles(ratios, n=4)
    cpu_ratio = statistics.median(c_o) / statistics.median(c_f)
    print(f"{jail} {statistics.median(ratios):.3f} {q[0]:.3f} {q[2]:.3f} "
          f"{statistics.median(t_o) / 1e6:.2f} {statistics.median(t_f) / 1e6:.2f} "
          f"{statistics.median(c_o) * 1e3:.2f} {statistics.median(c_f) * 1e3:.2f} {cpu_ratio:.3f}")
EOF
  if command -v valgrind >/dev/null; then
    ir() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 | sed -n 's/.*I *refs: *//p' | tr -d ,; }
    # (Not the launcher: it ends in execve, and valgrind reports only a process's last image.)
    {
      ir "$tmp/bash-only"
      ir "$tmp/w/claude-code-net-nolaunch"
    } >"$tmp/icount"
  fi
  exit 0
fi

jail_nix=${JAILGEN_JAIL_NIX-}
user=""
if ((EUID == 0)) && id rt >/dev/null 2>&1; then user=rt; fi
write=1
while (($#)); do
  case $1 in
  --jail-nix) jail_nix=$2; shift 2 ;;
  --user) user=$2; shift 2 ;;
  --no-write) write=0; shift ;;
  *) echo "bench-launch.sh: unknown argument \`$1\`" >&2; exit 2 ;;
  esac
done
if [[ -z $jail_nix || ! -f $jail_nix/default.nix ]]; then
  echo "bench-launch.sh: needs a jail.nix checkout: pass --jail-nix DIR or set JAILGEN_JAIL_NIX" >&2
  exit 2
fi
jail_nix=$(cd -- "$jail_nix" && pwd)

tmp=$(mktemp -d)
chmod 0755 "$tmp"
trap '[[ -n ${KEEP-} ]] || rm -rf -- "$tmp"' EXIT

# The launcher, built as nix/launcher.nix builds it: release, only this package, for the host's
# target with static glibc.
target=${CARGO_TARGET_DIR:-$repo/target}/launcher-bench
host=$(rustc -vV | sed -n 's/^host: //p')
(cd "$repo" && RUSTFLAGS="-C target-feature=+crt-static" cargo build --quiet --release \
  -p jailgen-launch --target "$host" --target-dir "$target")
mkdir -p "$tmp/launcher/bin" "$tmp/w" "$tmp/floor"
cp "$target/$host/release/jailgen-launch" "$tmp/launcher/bin/"

# A project under a throw-away home: a git repo with a .env, as an agent sees it.
home=$tmp/home
proj=$home/src/proj
mkdir -p "$proj" "$home/.cache"
(
  cd "$proj"
  git init -q -b main
  echo "API_KEY=x" >.env
)

# A bwrap that records the argv it is given and exits (scripts/capture-bwrap).
cp "$repo/scripts/capture-bwrap" "$tmp/capture-bwrap"
chmod +x "$tmp/capture-bwrap"

# Every preset's default jail, network on and off, and jailed-agents' policy, from one
# evaluation: an attribute set of wrapper texts. "Network on" is `network = "host"` here: the
# floors replay the captured bwrap argv, and the default `network = true` (a helper process and
# the descriptors it hands bwrap) cannot be replayed; its cost is scripts/bench-default-network.sh's.
nix-instantiate --eval --read-write-mode --strict --json -E "
  let
    h = import $repo/nix/tests/harness.nix {
      host = true;
      launcher = \"$tmp/launcher\";
      jailNix = $jail_nix;
    };
    true' = { type = \"derivation\"; name = \"true\"; outPath = \"/usr\"; meta.mainProgram = \"true\"; };
    jail = preset: net: {
      name = preset + (if net then \"-net\" else \"-nonet\");
      value = (h.jailgen.\${h.jailgen.presets.\${preset}.builder} { pkg = true'; network = if net then \"host\" else false; }).text;
    };
    ours = builtins.listToAttrs (builtins.concatMap (p: [ (jail p true) (jail p false) ])
      (builtins.attrNames h.jailgen.presets));
    ja = net: (h.jail \"jailed-claude\" true' (c: (if net then [ c.network ] else [ ]) ++ [
      c.time-zone c.no-new-session c.mount-cwd (c.readwrite (c.noescape \"~/.claude\")) ])).text;
  in ours // { ja-net = ja true; ja-nonet = ja false; }
" >"$tmp/wrappers.json"
python3 - "$tmp" <<'EOF'
import json, os, sys
tmp = sys.argv[1]
texts = json.load(open(f"{tmp}/wrappers.json"))
jails = sorted(k for k in texts if not k.startswith("ja-"))
for name, text in texts.items():
    path = f"{tmp}/w/{name}"
    open(path, "w").write(text)
    os.chmod(path, 0o755)
open(f"{tmp}/jails", "w").write("\n".join(jails) + "\n")
EOF
mapfile -t jails <"$tmp/jails"
for j in "${jails[@]}"; do
  grep -q '^exec [^ ]*/bin/jailgen-launch [^ ]*-policy.json /usr/bin/bwrap ' "$tmp/w/$j" ||
    { echo "bench-launch.sh: $j does not exec the launcher" >&2; exit 1; }
done
# Breakdown: bash with the prologue only; the whole wrapper with the launcher exec'ing
# /usr/bin/true instead of bwrap; and the wrapper stopped before it execs the launcher.
{
  head -n 1 "$tmp/w/claude-code-net"
  printf 'set -o errexit -o nounset -o pipefail\nRUNTIME_ARGS=()\nexit 0\n'
} >"$tmp/bash-only"
sed "s| /usr/bin/bwrap | /usr/bin/true |" "$tmp/w/claude-code-net" >"$tmp/w/claude-code-net-nobwrap"
sed "s|^exec \\([^ ]*/bin/jailgen-launch\\) |exit 0; exec \\1 |" "$tmp/w/claude-code-net" >"$tmp/w/claude-code-net-nolaunch"
chmod +x "$tmp/bash-only" "$tmp/w/claude-code-net-nobwrap" "$tmp/w/claude-code-net-nolaunch"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
if [[ -n $user ]]; then
  chown -R "$user" "$tmp"
  runuser -u "$user" -- bash "$0" --measure "$tmp"
  who=$user
else
  bash "$0" --measure "$tmp"
  who=$(id -un)
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
section=$(python3 - "$tmp" "$who" "$(uname -r)" "$(bwrap --version)" "$(nproc)" \
  "$(git -C "$jail_nix" rev-parse --short HEAD 2>/dev/null || echo "checkout at $jail_nix")" \
  "${BENCH_RUNS:-200}" "${BENCH_PAIRS:-200}" "$load_before" "$load_after" <<'EOF'
import json, os, statistics, sys
tmp, who, kernel, bwrap, cores, jn, runs, pairs, load_before, load_after = sys.argv[1:]
res = {r["command"]: r for f in ("result.json", "slow.json") for r in json.load(open(f"{tmp}/{f}"))["results"]}
nargs = open(f"{tmp}/nargs").read().split()
jails = open(f"{tmp}/jails").read().split()
n_of = dict(zip(jails, nargs))
paired = {}
for line in open(f"{tmp}/paired"):
    j, *vals = line.split()
    paired[j] = tuple(float(v) for v in vals)
out = []
p = out.append
p("## Jail launch")
p("")
p(f"Command: `BENCH_RUNS={runs} BENCH_PAIRS={pairs} scripts/bench-launch.sh` (as root; it measures as the")
p(f"unprivileged user `{who}`). Machine: kernel {kernel}, {bwrap}, {cores} cores, load average {load_before}")
p(f"before and {load_after} after (other work was running). Wrappers evaluated by")
p(f"nix-instantiate from `nix/lib` against real jail.nix ({jn}) with a package set pointing at host paths,")
p("running the launcher built as nix/launcher.nix builds it (`cargo build --release -p jailgen-launch`, static")
p("glibc); `/usr/bin/true` from a git project")
p("with a `.env`. Each floor is the very bwrap command the launcher computes for that jail (captured), run")
p("directly: the same mounts, a descriptor bind replaced by a bind of the path it names, without the seccomp")
p("filter; no bash, no launcher. \"Network on\" here is `network = \"host\"`: a floor must be a bwrap")
p("command that can be replayed, and the default `network = true` hands bwrap the descriptors of a helper")
p("process; its cost against its floors is in \"Network\" below (scripts/bench-default-network.sh).")
p("")
p(f"Paired, alternating runs of each preset's default jail and its floor ({pairs} pairs each): the median of the")
p("per-pair wall-time ratios (quartiles), the median wall times, and the median CPU times (user + sys of the")
p("process tree, getrusage) with their ratio:")
p("")
p("| preset | network | bwrap arguments | jail | floor | wall: jail / floor | CPU: jail, floor | CPU: jail / floor |")
p("|---|---|---|---|---|---|---|---|")
for j in jails:
    preset, net = j.rsplit("-", 1)
    med, q1, q3, t_o, t_f, c_o, c_f, c_r = paired[j]
    p(f"| {preset} | {'on' if net == 'net' else 'off'} | {n_of[j]} | {t_o:.2f} ms | {t_f:.2f} ms | **{med:.2f}×** ({q1:.2f}–{q3:.2f}) | {c_o:.2f}, {c_f:.2f} ms | {c_r:.2f}× |")
allmed = [paired[j][0] for j in jails]
allcpu = [paired[j][7] for j in jails]
p("")
p(f"Over all {len(jails)} jails: paired wall-time medians {min(allmed):.2f}–{max(allmed):.2f}×, CPU {min(allcpu):.2f}–{max(allcpu):.2f}×.")
p("")
p(f"hyperfine (`-N`, {runs} runs; claude-code; medians, and CPU time per launch):")
p("")
p("| launcher | median | mean ± σ | user + sys | vs its floor |")
p("|---|---|---|---|---|")
rows = [
    ("no sandbox", "no sandbox", "floor-net"),
    ("floor-net", "raw bwrap, the mounts of the network-on jail: **floor**", "floor-net"),
    ("floor-nonet", "raw bwrap, the mounts of the network-off jail: **floor**", "floor-nonet"),
    ("ours-net", "jailgen claude-code jail, network on", "floor-net"),
    ("ours-nonet", "jailgen claude-code jail, network off", "floor-nonet"),
    ("ja-net", "real jail.nix, jailed-agents policy, **with** `network`", "floor-net"),
    ("ja-nonet", "real jail.nix, jailed-agents policy, without `network`", "floor-nonet"),
    ("bash-only", "breakdown: bash running writeShellApplication's prologue only", "floor-net"),
    ("wrapper-only", "breakdown: the network-on wrapper, stopped before it execs the launcher", "floor-net"),
    ("launcher-only", "breakdown: the network-on wrapper with the launcher exec'ing `true` instead of bwrap", "floor-net"),
]
for key, label, base in rows:
    r = res[key]
    cpu = (r["user"] + r["system"]) * 1e3
    p(f"| {label} | {r['median']*1e3:.2f} ms | {r['mean']*1e3:.2f} ± {r['stddev']*1e3:.2f} ms | {cpu:.2f} ms | {r['median'] / res[base]['median']:.2f}× |")
def cpu(key):
    return (res[key]["user"] + res[key]["system"]) * 1e3
launch_cpu = cpu("launcher-only") - cpu("wrapper-only") - cpu("no sandbox")
p("")
p(f"From the CPU column: bash with jail.nix's wrapper costs {cpu('wrapper-only'):.2f} ms per launch, the launcher")
p(f"about {launch_cpu:.2f} ms (wrapper + launcher + `true`, minus the wrapper alone and minus `true`), against")
p(f"{cpu('floor-net'):.2f} ms for the whole network-on floor.")
if os.path.exists(f"{tmp}/icount"):
    i_bash, i_wrap = (int(x) for x in open(f"{tmp}/icount").read().split())
    p("")
    p("Instruction counts (`valgrind --tool=cachegrind --cache-sim=no`, user space, load-independent): bash with")
    p(f"the prologue only {i_bash:,}; the whole network-on wrapper up to its `exec` of the launcher {i_wrap:,}")
    p(f"(jail.nix's own lines: {(i_wrap - i_bash) // 1000:,}k instructions).")
print("\n".join(out))
EOF
)
section+="

Target (issue 9): every preset's default jail within 1.25× of its raw-bwrap floor, network on and off.
What a jail adds to its floor is the two breakdown rows: bash starting and running jail.nix's
writeShellApplication wrapper (its prologue, the fake-passwd check, the exec), and the launcher
(starting a second program, then reading the policy, the guard, the lock, state paths, the grants
opened once, git protection, the hide walk, the time zone, the seccomp filter; its own work is
about 0.2 ms, see \"Launcher\" below). On a quiet machine the floor is about 4 ms of wall time,
so 1.25× leaves 1 ms for both, and bash's start alone takes about that: the target cannot be met
while jail.nix's bash wrapper runs in front of the launcher. Wall times on this shared 2-core
machine swing by several ms between runs (see σ, and the load average above: a slow floor makes
the wall ratio look better than it is); the CPU ratios are the steadier comparison.
"

printf '%s\n' "$section"
if ((write)); then
  bench=$repo/BENCHMARKS.md
  python3 - "$bench" "$section" <<'EOF'
import os, re, sys
path, section = sys.argv[1], sys.argv[2].rstrip("\n") + "\n"
text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
m = re.search(r"^## Jail launch\n.*?(?=^## |\Z)", text, flags=re.S | re.M)
if m:
    text = text[: m.start()] + section + ("\n" if text[m.end():] else "") + text[m.end():]
else:
    text = text.rstrip("\n") + "\n\n" + section
open(path, "w").write(text)
EOF
  echo "bench-launch.sh: wrote the section into $bench" >&2
fi
