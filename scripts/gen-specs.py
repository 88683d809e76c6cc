#!/usr/bin/env python3
"""Synthetic jails.yaml files for benchmarks: `gen-specs.py OUTDIR [N ...]` writes
OUTDIR/jails-N.yaml for each N (default 1 10 100 1000 10000).

Every jail uses every key a jail may hold (agent or package, packages, readwrite, readonly,
config_paths, network, env, forward_env, nix, new_session, combinators, git, hide), with values
distinct per jail (so no deduplication shortcut applies) and characters the escaper must handle
(`$`, `${`, quotes, backslashes, spaces). The spec draws no lint warning, like a spec in use. A `defaults:` block uses every key it may hold.
Presets rotate over all ten; every fifth jail is a custom agent. Deterministic: same N, same bytes.
"""
import os
import sys

PRESETS = ["amp", "claude-code", "codex", "crush", "cursor-agent", "gemini-cli", "goose",
           "opencode", "pi", "qwen-code"]


def jail(i: int) -> str:
    lines = [f"  j{i}:"]
    if i % 5 == 4:
        lines.append(f"    package: python3Packages.agent{i}")
    else:
        lines.append(f"    agent: {PRESETS[i % len(PRESETS)]}")
        lines.append(f"    package: llm-agents.agent{i}")
    lines += [
        f"    packages: [nodejs, python3Packages.pkg{i}, llm-agents.tool{i}]",
        f"    readwrite: [\"~/cache/{i}\", \"/var/tmp/build {i}\"]",
        f"    readonly: [\"~/reference/{i}\", \"/srv/data/$x/{i}\", \"~/docs/it's {i}\"]",
        f"    config_paths: [\"~/.state/{i}\"]",
        f"    network: {'true' if i % 2 else 'false'}",  # nix: true only where network is off
        f"    env: {{ EDITOR: nvim, VALUE_{i}: \"${{HOME}} \\\"q\\\" \\\\ {i}\", PAGER: less }}",
        f"    forward_env: [TOKEN_NAME_{i}, COLORTERM]",
        f"    nix: {'true' if i % 6 == 0 else 'false'}",
        f"    new_session: {'true' if i % 4 == 0 else 'false'}",
        "    combinators: [gpu, wayland]",
        f"    git: {'open' if i % 2 else 'protect'}",
        f"    hide: [.env, \"secrets/{i}/*\", \"*.pem\"]",
    ]
    return "\n".join(lines) + "\n"


def spec(n: int) -> str:
    head = (
        f"# Synthetic benchmark spec: {n} jails, every key (scripts/gen-specs.py).\n"
        "version: 1\n"
        "defaults:\n"
        "  packages: [git, ripgrep]\n"
        "  readwrite: [\"~/.cache/shared\"]\n"
        "  readonly: [\"/opt/shared docs\"]\n"
        "  config_paths: [\"~/.config/shared-state\"]\n"
        "  network: true\n"
        "  env: { LANG: C.UTF-8, SHARED: \"a'b\" }\n"
        "  forward_env: [TERM]\n"
        "  nix: false\n"
        "  new_session: false\n"
        "  combinators: [notifications]\n"
        "  git: protect\n"
        "  hide: [.envrc]\n"
        "jails:\n"
    )
    return head + "".join(jail(i) for i in range(n))


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: gen-specs.py OUTDIR [N ...]")
    out = sys.argv[1]
    sizes = [int(a) for a in sys.argv[2:]] or [1, 10, 100, 1000, 10000]
    os.makedirs(out, exist_ok=True)
    for n in sizes:
        path = os.path.join(out, f"jails-{n}.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(spec(n))


if __name__ == "__main__":
    main()
