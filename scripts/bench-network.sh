#!/usr/bin/env bash
# Launch time of the network modes against their floor, with hyperfine, as an unprivileged
# user. The floor is raw bwrap with the same mounts and its own network namespace
# (--unshare-all); "network: true" adds pasta (crates/net, through crates/net/src/bin/netjail.rs,
# which does what the launcher does); "allowlist" adds the proxy's listener. Run as root:
# it gives /dev/net/tun mode 0666 in a private mount namespace (most distributions ship it
# so; this machine does not) and runs hyperfine as USER (default rt).
#
# usage: scripts/bench-network.sh [RUNS]    (default 200)
set -o errexit -o nounset -o pipefail
repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-200}
user=${USER_FOR_BENCH:-rt}
cargo build --quiet --release -p jailgen-net --bins --manifest-path "$repo/Cargo.toml"
netjail=$repo/target/release/netjail
jail="/usr/bin/bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --unshare-all --die-with-parent -- /bin/true"
host="/usr/bin/bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --unshare-all --share-net --die-with-parent -- /bin/true"
echo "bwrap $(bwrap --version | cut -d' ' -f2), $(dpkg-query -W -f='passt ${Version}' passt 2>/dev/null || pasta --version | head -1), kernel $(uname -r), $(nproc) cores"
unshare -m sh -c "mount -t tmpfs -o mode=755 none /dev/net && mknod -m 666 /dev/net/tun c 10 200 && \
  exec runuser -u $user -- hyperfine -N --warmup 20 --runs $runs \
    -n 'floor (bwrap, own netns)' '$jail' \
    -n 'network: host (bwrap --share-net)' '$host' \
    -n 'network: true (pasta)' '$netjail --internet -- $jail' \
    -n 'network: true (slirp4netns)' '$netjail --slirp4netns /usr/bin/slirp4netns --internet -- $jail' \
    -n 'network: {allow} (proxy)' '$netjail --allow example.org -- $jail'"
