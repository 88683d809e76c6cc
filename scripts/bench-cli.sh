#!/usr/bin/env bash
# CLI speed benchmark (not a test): prints the "## CLI speed" section of BENCHMARKS.md.
#
#   scripts/bench-cli.sh > /tmp/cli-speed.md     # then paste it over the section
#
# Measures, on synthetic specs from scripts/gen-specs.py (every key in every jail):
#   - `jailgen check` (whole process: read, parse, validate, render, self-check, compare) with
#     hyperfine, next to `nix-instantiate --parse` of the same rendered file;
#   - the bundled example (fixtures/ok/every-key) the same way;
#   - peak RSS of `jailgen render` (/usr/bin/time -v);
#   - the in-process phases with divan (benches/pipeline.rs).
# Needs: cargo, hyperfine, nix-instantiate, python3, /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=(1 10 100 1000 4000 10000)
work=target/bench-cli
rm -rf "$work"
mkdir -p "$work"
cargo build --release --quiet
bin=target/release/jailgen
python3 scripts/gen-specs.py "$work" "${SIZES[@]}"
cp fixtures/ok/every-key/jails.yaml "$work/example.yaml"

median() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["median"])' "$1"; }
ms() { python3 -c 'import sys; print(f"{float(sys.argv[1])*1000:.2f}")' "$1"; }

rows=()
for name in example "${SIZES[@]}"; do
  if [[ $name == example ]]; then spec=$work/example.yaml; out=$work/example.nix; label="bundled example (every-key, 1 jail)"
  else spec=$work/jails-$name.yaml; out=$work/jails-$name.nix; label="$name jails"; fi
  size=$(wc -c <"$spec")
  if ! "$bin" render "$spec" -o "$out" 2>"$work/err-$name.txt"; then
    why=$(grep -m1 -o 'budget breached: [A-Za-z]* { [a-z]*: [0-9]* }' "$work/err-$name.txt" || head -1 "$work/err-$name.txt")
    /usr/bin/time -o "$work/time-$name.txt" -f '%e %M' "$bin" render "$spec" >/dev/null 2>&1 || true
    t=$(tail -1 "$work/time-$name.txt")
    rows+=("| $label | $size | refused (exit 2): \`$why\`, after ${t%% *} s, ${t##* } KiB peak | | | |")
    continue
  fi
  runs=$([[ $name == 4000 ]] && echo 5 || echo 20)
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/check-$name.json" \
    "$bin check $spec -o $out" >/dev/null
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/parse-$name.json" \
    "nix-instantiate --parse $out" >/dev/null
  c=$(median "$work/check-$name.json"); p=$(median "$work/parse-$name.json")
  /usr/bin/time -v -o "$work/time-$name.txt" "$bin" render "$spec" >/dev/null
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time-$name.txt")
  ratio=$(python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$c" "$p")
  rows+=("| $label | $size | $(ms "$c") ms | $(ms "$p") ms | $ratio× | $(python3 -c "import sys; print(f'{int(sys.argv[1])/1024:.1f}')" "$rss") MiB |")
done

echo "## CLI speed"
echo
echo "Regenerate: \`scripts/bench-cli.sh\` (hyperfine medians of whole processes; phases from"
echo "\`cargo bench --bench pipeline\`). Specs from \`scripts/gen-specs.py\`: every jail uses every key."
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r),"
echo "$(rustc --version | cut -d' ' -f1-2), $(nix-instantiate --version), $(hyperfine --version). $(date -u +%Y-%m-%d)."
echo
echo "| spec | bytes | \`jailgen check\` | \`nix-instantiate --parse\` | ratio | peak RSS of \`render\` |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "In-process phases (divan medians, \`cargo bench --bench pipeline\`):"
echo
echo '```'
cargo bench --quiet --bench pipeline 2>/dev/null | sed -n '/^pipeline/,$p'
echo '```'
