#!/usr/bin/env bash
# try-agents.sh: start the real, npm-published agent CLIs in their presets' default jails, as a
# user would, so that what each agent needs can be re-checked as the agents change. For
# maintainers; not run in CI (it downloads the agents from the npm registry).
#
#   scripts/try-agents.sh [--dir DIR] [--seconds N] [--jail-nix DIR] [--user USER] [PRESET...]
#
#   --dir       work directory (default: a new one under /var/tmp); the npm prefix is reused between
#               runs. Not under /tmp: codex refuses to set up its helpers in a home below /tmp
#   --seconds   how long each agent runs before it gets SIGINT (default: 15)
#   --jail-nix  a real jail.nix checkout (default: $JAILGEN_JAIL_NIX, else the test double)
#   --user      run npm and the agents as USER (runuser; the script itself then runs as root, which
#               the evaluation needs without a Nix daemon)
#   PRESET      presets to try (default: every preset with an npm package below)
#
# For each preset: the library's default jail for that preset (nix/tests/harness.nix in host mode:
# real bash and bwrap, the host's /usr instead of the Nix store, the agent's npm install bound
# read-only), started twice under tmux from a fresh project with a fresh home. It prints the screen
# after N seconds, the files the agent wrote in its home outside the preset's state paths (they
# vanish at exit; decide per preset whether they should be kept: nix/lib/agents.json `configPaths`
# or `notPersisted`), and the failed writes strace saw (EROFS, EACCES, EBUSY, EPERM).
#
# Needs: nix-instantiate, bwrap, tmux, strace, node and npm, cargo, git. Agents
# behave differently as root: as root, pass --user.
set -o errexit -o nounset -o pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir='' seconds=15 jail_nix=${JAILGEN_JAIL_NIX-} user=''
as_user=()
presets=()
while (($#)); do
  case $1 in
  --dir) dir=$2; shift 2 ;;
  --seconds) seconds=$2; shift 2 ;;
  --jail-nix) jail_nix=$2; shift 2 ;;
  --user) user=$2; as_user=(runuser -u "$2" --); shift 2 ;;
  -h | --help) sed -n '2,26p' "$0"; exit 0 ;;
  -*) echo "try-agents.sh: unknown option \`$1\`" >&2; exit 2 ;;
  *) presets+=("$1"); shift ;;
  esac
done

# Preset -> npm package. The binary is the preset's (agents.json `binary`).
declare -A npm_package=(
  [amp]=@sourcegraph/amp
  [claude-code]=@anthropic-ai/claude-code
  [codex]=@openai/codex
  [crush]=@charmland/crush
  [gemini-cli]=@google/gemini-cli
  [opencode]=opencode-ai
  [pi]=@mariozechner/pi-coding-agent
  [qwen-code]=@qwen-code/qwen-code
)
if ((${#presets[@]} == 0)); then
  mapfile -t presets < <(printf '%s\n' "${!npm_package[@]}" | sort)
fi
for tool in nix-instantiate bwrap tmux strace node npm cargo git jq; do
  command -v "$tool" >/dev/null || { echo "try-agents.sh: needs \`$tool\`" >&2; exit 2; }
done

[[ -n $dir ]] || dir=$(mktemp -d /var/tmp/try-agents.XXXXXX)
mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
[[ -z $user ]] || chown "$user" "$dir"
echo "work directory: $dir"

# The launcher every wrapper runs, built by cargo and laid out like its Nix package.
cargo build --quiet --manifest-path "$repo/Cargo.toml" -p jailgen-launch --target-dir "$dir/target"
mkdir -p "$dir/launcher/bin"
cp "$dir/target/debug/jailgen-launch" "$dir/launcher/bin/jailgen-launch"

packages=()
for p in "${presets[@]}"; do
  [[ -n ${npm_package[$p]-} ]] || { echo "try-agents.sh: no npm package known for \`$p\`" >&2; exit 2; }
  packages+=("${npm_package[$p]}@latest")
done
echo "== npm install ${packages[*]}"
"${as_user[@]}" npm install --prefix "$dir/npm" --no-fund --no-audit --loglevel=error "${packages[@]}" >/dev/null
for pkg in "${packages[@]}"; do
  name=${pkg%@latest}
  printf '  %s %s\n' "$name" "$(jq -r .version "$dir/npm/node_modules/$name/package.json")"
done

nix_str() { jq -Rn --arg s "$1" '$s'; }

# The wrapper of `<builder> { pkg = <shim>; extraReadonlyDirs = [ <npm prefix> ]; }`.
wrapper_for() {
  local preset=$1 builder=$2 binary=$3 shim=$4
  local jn=null
  [[ -z $jail_nix ]] || jn=$(nix_str "$jail_nix")
  nix-instantiate --eval --read-write-mode --strict --json -E "
    let
      h = import $(nix_str "$repo/nix/tests/harness.nix") {
        host = true;
        launcher = $(nix_str "$dir/launcher");
        jailNix = $jn;
      };
      shim = { type = \"derivation\"; name = $(nix_str "$preset"); outPath = $(nix_str "$shim");
               meta.mainProgram = $(nix_str "$binary"); };
    in (h.jailgen.$builder { pkg = shim; extraReadonlyDirs = [ $(nix_str "$dir/npm") $(nix_str "$shim") ]; }).text" |
    jq -r .
}

for preset in "${presets[@]}"; do
  spec=$(jq -c --arg p "$preset" '.[$p]' "$repo/nix/lib/agents.json")
  builder=$(jq -r .builder <<<"$spec")
  binary=$(jq -r .binary <<<"$spec")
  mapfile -t state < <(jq -r '.configPaths[]' <<<"$spec")
  work=$dir/$preset
  rm -rf "$work" && mkdir -p "$work/home" "$work/project" "$work/shim/bin"
  git -C "$work/project" init -q && echo "# try-agents" >"$work/project/README.md"

  # The jail's entry: the agent under `timeout -s INT`, then a list of what it wrote in the
  # (tmpfs) home, left in the project directory, which is the one place that outlives the jail.
  cat >"$work/shim/bin/$binary" <<EOF
#!/bin/bash
touch /tmp/.try-agents-start
timeout -s INT -k 3 $seconds $(printf '%q' "$dir/npm/node_modules/.bin/$binary") "\$@"
find "\$HOME" -newer /tmp/.try-agents-start -type f 2>/dev/null | sort >"\$PWD/.written-in-home"
EOF
  chmod +x "$work/shim/bin/$binary"
  wrapper_for "$preset" "$builder" "$binary" "$work/shim" >"$work/wrapper"
  chmod +x "$work/wrapper"
  [[ -z $user ]] || chown -R "$user" "$work"

  for run in 1 2; do
    echo
    echo "== $preset ($builder, \`$binary\`), run $run"
    session=try-agents-$$-$preset-$run
    rm -f "$work/project/.written-in-home" "$work/strace.$run" "$work/pid"
    # The tmux pane runs strace (its pid in $work/pid), which runs the wrapper.
    # shellcheck disable=SC2016 # expanded by that sh
    record_pid='echo $$ >"$1"; shift; exec "$@"'
    "${as_user[@]}" tmux new-session -d -s "$session" -x 120 -y 40 -c "$work/project" \
      sh -c "$record_pid" sh "$work/pid" \
      env -i HOME="$work/home" PATH=/usr/bin:/bin TERM=xterm-256color COLORTERM=truecolor \
      LANG="${LANG:-C.UTF-8}" strace -f -qq -o "$work/strace.$run" -e trace=%file,write \
      -e status=failed "$work/wrapper"
    sleep "$((seconds - 2))"
    echo "-- screen"
    "${as_user[@]}" tmux capture-pane -p -t "$session" | sed -e '/^[[:space:]]*$/d' | head -n 30 || true
    # The agent gets SIGINT after N seconds and SIGKILL 3 seconds later; then the list is written.
    pid=$(cat "$work/pid" 2>/dev/null || true)
    for _ in $(seq 20); do
      if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; then break; fi
      sleep 1
    done
    "${as_user[@]}" tmux kill-session -t "$session" 2>/dev/null || true
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill "$pid" || true; fi
    echo "-- written in home outside the state paths (lost at exit)"
    lost=0
    while IFS= read -r f; do
      kept=0
      for s in "${state[@]}"; do
        s=${s/#\~/$work/home}
        [[ $f == "$s" || $f == "$s"/* ]] && kept=1
      done
      ((kept)) || { echo "  ${f#"$work"/home/}"; lost=$((lost + 1)); }
    done <"$work/project/.written-in-home" 2>/dev/null || echo "  (no list: the agent did not exit within the time)"
    ((lost)) || echo "  none"
    echo "-- failed writes (strace)"
    grep -E 'E(ROFS|ACCES|BUSY|PERM)' "$work/strace.$run" 2>/dev/null |
      grep -vE '^[0-9]+ +(access|faccessat2?|statx?|newfstatat|readlink(at)?)\(' |
      sed -E 's/^[0-9]+ +//' | sort | uniq -c | sort -rn | head -n 15 || true
  done
done
