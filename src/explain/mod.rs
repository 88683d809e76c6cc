//! `jailgen explain` and `jailgen agents`: the effective policy of each jail, in words and as
//! JSON. Everything here is derived from the [`Model`] and from the library's own data
//! (`nix/lib/agents.json`, `nix/lib/combinators.json`, `nix/lib/common.nix`), and follows the
//! permission order of `nix/lib/make-jailed-agent.nix`:
//!
//! 1. read-only grants, parents before children (`extraReadonlyDirs`)
//! 2. the working directory, read-write (`mount-cwd`, behind the working-directory guard)
//! 3. read-write grants: state paths (the preset's, then `config_paths`), then `readwrite`,
//!    parents before children
//! 4. read-only grants that lie under a read-write grant, bound again so they stay read-only
//! 5. with `nix: true`: `/nix` read-only, `/etc/nix` read-only and the daemon socket read-write
//!    when present
//! 6. at launch (after every static bind): git protection and hidden files in the working dir
//!
//! A later bind on the same place or on a parent wins over an earlier one ("shadows" it).
//!
//! JSON shape (`--format json`), version 1. Fields are only ever added within a version:
//!
//! ```text
//! { "version": 1,
//!   "jails": [ {
//!     "name": "jailed-claude-code",            // the command
//!     "agent": { "preset": "claude-code" | null, "package": "llm-agents.claude-code",
//!                "binary": "claude" | null, "builder": "makeJailedClaudeCode" },
//!     "mounts": [ { "path": "~/.claude" | "<working directory>", "access": "read-only" | "read-write",
//!                   "source": "readonly" | "working-directory" | "state" | "readwrite"
//!                             | "readonly-again" | "nix" | "git-config",
//!                   "when": "always" | "if-present", "shadowed_by": null | "~/x" } ],
//!     "working_directory": { "guard": "...", "git": "protect" | "open", "git_effect": "...",
//!                            "hidden": [".env", ".env.*"], "hidden_gaps": "..." },
//!     "home": "...",
//!     "network": true,                         // false only for `network: false`
//!     "network_mode": "internet" | "host" | "allowlist" | "off",
//!     "network_stack": "slirp4netns" | "pasta" | null,   // internet only
//!     "network_allow": ["api.anthropic.com", "docs.rs", …],  // allowlist: sets expanded
//!     "host_ports": [11434],
//!     "network_log": "${XDG_STATE_HOME:-~/.local/state}/jailgen/network/<jail>-<unix time>-<pid>.log" | null,
//!     "network_effect": "internet: ...", "nix_daemon": false, "nix_daemon_effect": "on: ..." | null,
//!     "env": { "set": { "NAME": "value" }, "forwarded": ["NAME"] },
//!     "path": { "agent": "llm-agents.claude-code", "extra": ["nodejs"], "common": ["curl", …],
//!               "nix": false },
//!     "combinators": [ { "name": "gpu", "summary": "…", "risk": "" } ],
//!     "new_session": false, "terminal": "…", "seccomp": "…",
//!     "accepted_risks": [ { "path": "~/.config", "relation": "contains",
//!                           "location": "~/.config/gh", "reason": "GitHub CLI tokens" } ],
//!     "caveats": ["…"] } ] }
//! ```

mod derive;
mod print;
mod types;

pub use derive::{agents, common_packages, explain, policy};
pub use print::{agents_json, agents_text, json, text};
pub use types::*;
