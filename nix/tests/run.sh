#!/usr/bin/env bash
# Runs the Nix library's evaluation suites (nix/tests/*.nix) against the test doubles and prints
# one line per test. The cargo tests (tests/nix_library.rs, tests/nix_eval.rs) run the same
# suites plus the parts that need bash and a fake or real bwrap.
#   nix/tests/run.sh                      the suites
#   JAILGEN_JAIL_NIX=/path nix/tests/run.sh   also the conformance checks against real jail.nix
set -o errexit -o nounset -o pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.."
nix-instantiate --eval --strict --json nix/tests | python3 -c '
import json, sys
result = json.load(sys.stdin)
for name in result["passed"]:
    print("ok  ", name)
for f in result["failed"]:
    print("FAIL", f["name"])
    print("  got:     ", json.dumps(f["expr"]))
    print("  expected:", json.dumps(f["expected"]))
print(len(result["passed"]), "passed,", len(result["failed"]), "failed")
sys.exit(1 if result["failed"] else 0)
'
if [[ -n ${JAILGEN_JAIL_NIX-} ]]; then
  nix-instantiate --eval --strict --json nix/tests/conformance.nix --arg jailNix "$JAILGEN_JAIL_NIX" |
    python3 -c '
import json, sys
def leaves(v, path=""):
    if isinstance(v, dict):
        for k, x in v.items():
            yield from leaves(x, path + "." + k)
    else:
        yield path, v is True
bad = 0
for path, ok in leaves(json.load(sys.stdin)):
    print("ok  " if ok else "FAIL", "conformance" + path)
    bad += not ok
sys.exit(1 if bad else 0)
'
fi
