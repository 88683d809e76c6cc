#!/usr/bin/env bash
# The default jail's network (issue 10): `/usr/bin/true` through claude-code's default jail
# (`network = true`: its own network namespace on slirp4netns), built by the library in host
# mode with the launcher built here (release), against its two floors, in paired runs:
#   (a) the issue's floor: raw bwrap with exactly the arguments the launcher hands bwrap for
#       that jail (captured as scripts/bench-launch.sh captures them: a descriptor bind
#       replaced by a bind of the path it names, a data bind by a bind of the file itself, no
#       seccomp fd, no --info-fd / --block-fd), so the same mounts and `--unshare-net`, no
#       bash, no launcher, no stack;
#   (b) the same jail with `network = false` (the same wrapper, launcher, mounts and checks,
#       an empty network namespace instead of the stack);
# plus `netStack = "pasta"` and `network = "host"` against (b).
# As root: the wrappers are evaluated as root (the policy files go into the store), the jails
# run as USER (default rt) in a private mount namespace where /dev/net/tun has mode 0666 (most
# distributions' default; this machine's is 0600).
#
# usage: scripts/bench-default-network.sh [RUNS]            (default 100 pairs per comparison)
#        scripts/bench-default-network.sh --prepare DIR     (build the launchers into DIR and
#          print the commands; run them as USER under `DIR/run CMD...`, which enters the mount
#          namespace with the 0666 /dev/net/tun, for another paired timer)
# JAILGEN_JAIL_NIX: a real jail.nix checkout (default: the test double).
# The paired runner: A and B alternate, the median of the per-pair wall-time ratios is
# reported with its quartiles (a shared machine's speed drifts; pairs cancel most of it).
set -o errexit -o nounset -o pipefail
repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
user=${USER_FOR_BENCH:-rt}
prepare=""
runs=100
if [[ ${1-} == --prepare ]]; then
  prepare=$2
  mkdir -p "$prepare"
  tmp=$(cd -- "$prepare" && pwd)
else
  runs=${1:-100}
  tmp=$(mktemp -d)
  trap 'rm -rf -- "$tmp"' EXIT
fi
chmod 0755 "$tmp"
jail_nix=null
if [[ -n ${JAILGEN_JAIL_NIX-} ]]; then jail_nix=$(cd -- "$JAILGEN_JAIL_NIX" && pwd); fi
cargo build --quiet --release -p jailgen-launch --manifest-path "$repo/Cargo.toml"
mkdir -p "$tmp/launcher/bin" "$tmp/home/src/proj" "$tmp/home/.cache"
cp "$repo/target/release/jailgen-launch" "$tmp/launcher/bin/"
(cd "$tmp/home/src/proj" && { [[ -d .git ]] || git init -q; } && echo x >.env)
wrapper() { # NAME NIX-ARGS
  nix-instantiate --eval --read-write-mode --strict --json -E "
    let
      h = import $repo/nix/tests/harness.nix { host = true; launcher = \"$tmp/launcher\"; jailNix = $jail_nix; };
      t = { type = \"derivation\"; name = \"true\"; outPath = \"/usr\"; meta.mainProgram = \"true\"; };
    in (h.jailgen.makeJailedClaudeCode ({ pkg = t; } // $2)).text" |
    python3 -c 'import json,sys; sys.stdout.write(json.load(sys.stdin))' >"$tmp/$1"
  chmod +x "$tmp/$1"
}
wrapper on '{ }'
wrapper off '{ network = false; }'
wrapper pasta '{ netStack = "pasta"; }'
wrapper host '{ network = "host"; }'
grep -q '^exec [^ ]*/bin/jailgen-launch [^ ]*-policy.json /usr/bin/bwrap ' "$tmp/on" ||
  { echo "bench-default-network.sh: the default jail does not exec the launcher" >&2; exit 1; }
# Floor (a): a bwrap that records the argv the launcher hands it (NUL-separated) and exits.
cp "$repo/scripts/capture-bwrap" "$tmp/capture-bwrap"
sed "s| /usr/bin/bwrap | $tmp/capture-bwrap |" "$tmp/on" >"$tmp/on-capture"
chmod +x "$tmp/capture-bwrap" "$tmp/on-capture"
# Everything below runs as USER in a mount namespace with a 0666 /dev/net/tun.
cat >"$tmp/run" <<EOF
#!/bin/sh
# usage: $tmp/run CMD...: CMD as $user, from the project, with /dev/net/tun mode 0666
exec unshare -m sh -c 'mount -t tmpfs -o mode=755 none /dev/net && mknod -m 666 /dev/net/tun c 10 200 && cd $tmp/home/src/proj && exec runuser -u $user -- env -i HOME=$tmp/home PATH=/usr/bin:/bin LANG=C.UTF-8 "\$@"' sh "\$@"
EOF
chmod +x "$tmp/run"
chown -R "$user" "$tmp"
"$tmp/run" env CAPTURE="$tmp/floor.argv" "$tmp/on-capture"
# The floor as one command line, quoted as a shell would split it; it is run without a shell
# (a shell in front would add its own start-up to the floor).
python3 - "$tmp/floor.argv" >"$tmp/floor.cmdline" <<'EOF'
import shlex, sys
args = open(sys.argv[1], "rb").read().decode().split("\0")[:-1]
assert "--unshare-net" in args, "the captured argv has no --unshare-net"
print(" ".join(shlex.quote(a) for a in ["/usr/bin/bwrap"] + args))
EOF
floor=$(<"$tmp/floor.cmdline")
for j in on off pasta host; do
  "$tmp/run" "$tmp/$j" || { echo "bench-default-network.sh: $j failed to run" >&2; exit 1; }
done
"$tmp/run" python3 -c 'import shlex, subprocess, sys; subprocess.run(shlex.split(sys.argv[1]), check=True)' "$floor" ||
  { echo "bench-default-network.sh: the floor failed to run" >&2; exit 1; }
echo "bwrap $(bwrap --version | cut -d' ' -f2), slirp4netns $(slirp4netns --version | head -1 | cut -d' ' -f3), $(dpkg-query -W -f='passt ${Version}' passt), kernel $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(tr '\0' '\n' <"$tmp/floor.argv" | wc -l) bwrap arguments"
if [[ -n $prepare ]]; then
  echo "prepared in $tmp: $tmp/run CMD... runs CMD as $user; the jails: $tmp/{on,off,pasta,host}; floor (a): the command line in $tmp/floor.cmdline (run it without a shell)"
  exit 0
fi
cp "$repo/scripts/paired.py" "$tmp/paired.py"
chown "$user" "$tmp/paired.py"
pair() { # LABEL A B
  echo "== $1"
  "$tmp/run" python3 "$tmp/paired.py" "$runs" "$2" "$3"
}
pair "default (slirp4netns) vs floor (a), raw bwrap with its mounts and --unshare-net" "$tmp/on" "$floor"
pair "default (slirp4netns) vs floor (b), network = false" "$tmp/on" "$tmp/off"
pair "network = false vs floor (a)" "$tmp/off" "$floor"
pair "netStack = pasta vs network = false" "$tmp/pasta" "$tmp/off"
pair "network = host vs network = false" "$tmp/host" "$tmp/off"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
