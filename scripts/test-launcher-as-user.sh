#!/usr/bin/env bash
# Runs the launcher's integration tests (crates/launch/tests) again as an unprivileged user,
# where the jail's behaviour depends on it (file permissions, user namespaces, /proc of other
# sessions). As root; the user `rt` is created when missing. CI runs this before the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
id rt >/dev/null 2>&1 || useradd -m rt
# A list of our own (a fixed /tmp name could be planted or shared by another run).
list=$(mktemp)
trap 'rm -f -- "$list"' EXIT
cargo test --locked -q -p jailgen-launch --no-run --message-format=json 2>/dev/null |
  python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("profile", {}).get("test") and m.get("executable") and m["target"]["kind"] == ["test"] and m["target"]["name"] != "net":
        print(m["executable"])
' >"$list"
# (tests/net.rs is left out: it needs root to build its network namespaces, and runs its jails
# as rt itself.)
[[ -s $list ]] || { echo "no launcher test binaries found" >&2; exit 1; }
status=0
while IFS= read -r bin; do
  echo "== as rt: ${bin##*/}"
  runuser -u rt -- env -C /tmp HOME=/home/rt CI=true "$bin" -q || status=1
done <"$list"
exit "$status"
