#!/usr/bin/env bash
# The default jail's network (issue 10): `/usr/bin/true` through claude-code's default jail
# (`network = true`: its own network namespace on slirp4netns), built by the library in host
# mode with the launcher built here (release), against its floor, paired with farm-bench: the
# same jail with `network = false` (the same wrapper, launcher, mounts and checks, an empty
# network namespace instead of the stack); plus `netStack = "pasta"` and `network = "host"`
# against the same floor. (The raw-bwrap floor of the `network = false` jail is
# scripts/bench-launch.sh's, BENCHMARKS.md "Jail launch".) As root: the
# wrappers are evaluated as root (the policy files go into the store), the jails run as USER
# (default rt) in a private mount namespace where /dev/net/tun has mode 0666 (most
# distributions' default; this machine's is 0600).
#
# usage: scripts/bench-default-network.sh [RUNS]   (default 100, farm-bench's maximum)
set -o errexit -o nounset -o pipefail
repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-100}
user=${USER_FOR_BENCH:-rt}
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
chmod 0755 "$tmp"
cargo build --quiet --release -p jailgen-launch --manifest-path "$repo/Cargo.toml"
mkdir -p "$tmp/launcher/bin" "$tmp/home/src/proj"
cp "$repo/target/release/jailgen-launch" "$tmp/launcher/bin/"
(cd "$tmp/home/src/proj" && git init -q && echo x >.env)
wrapper() { # NAME NIX-ARGS
  nix-instantiate --eval --read-write-mode --strict --json -E "
    let
      h = import $repo/nix/tests/harness.nix { host = true; launcher = \"$tmp/launcher\"; jailNix = null; };
      t = { type = \"derivation\"; name = \"true\"; outPath = \"/usr\"; meta.mainProgram = \"true\"; };
    in (h.jailgen.makeJailedClaudeCode ({ pkg = t; } // $2)).text" |
    python3 -c 'import json,sys; sys.stdout.write(json.load(sys.stdin))' >"$tmp/$1"
  chmod +x "$tmp/$1"
}
wrapper on '{ }'
wrapper off '{ network = false; }'
wrapper pasta '{ netStack = "pasta"; }'
wrapper host '{ network = "host"; }'
chown -R "$user" "$tmp"
echo "bwrap $(bwrap --version | cut -d' ' -f2), slirp4netns $(slirp4netns --version | head -1 | cut -d' ' -f3), $(dpkg-query -W -f='passt ${Version}' passt), kernel $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
bench=$(command -v farm-bench)
unshare -m sh -c "mount -t tmpfs -o mode=755 none /dev/net && mknod -m 666 /dev/net/tun c 10 200 && cd $tmp/home/src/proj && \
  for j in on off pasta host; do runuser -u $user -- env -i HOME=$tmp/home PATH=/usr/bin:/bin LANG=C.UTF-8 $tmp/\$j || exit 1; done && \
  echo '== default (slirp4netns) vs network = false' && \
  runuser -u $user -- env -i HOME=$tmp/home PATH=/usr/bin:/bin LANG=C.UTF-8 $bench -n $runs --warmup 10 --vs $tmp/off -- $tmp/on && \
  echo '== netStack = pasta vs network = false' && \
  runuser -u $user -- env -i HOME=$tmp/home PATH=/usr/bin:/bin LANG=C.UTF-8 $bench -n $runs --warmup 10 --vs $tmp/off -- $tmp/pasta && \
  echo '== network = host vs network = false' && \
  runuser -u $user -- env -i HOME=$tmp/home PATH=/usr/bin:/bin LANG=C.UTF-8 $bench -n $runs --warmup 10 --vs $tmp/off -- $tmp/host"
