//! The preset table (`nix/lib/agents.json`), the combinator list (`nix/lib/combinators.json`) and
//! the state-file extensions (`nix/lib/file-extensions.json`), shared with the Nix library. They are embedded at compile time; there is no second copy.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

const AGENTS_JSON: &str = include_str!("../nix/lib/agents.json");
const COMBINATORS_JSON: &str = include_str!("../nix/lib/combinators.json");
const FILE_EXTENSIONS_JSON: &str = include_str!("../nix/lib/file-extensions.json");
const TERMINAL_ENV_JSON: &str = include_str!("../nix/lib/terminal-env.json");
const NETWORK_SETS_JSON: &str = include_str!("../nix/lib/network-sets.json");

/// One preset, as in `nix/lib/agents.json` (see `nix/lib/API.md`).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preset {
    pub builder: String,
    pub package: String,
    pub binary: String,
    pub config_paths: Vec<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub home_env: BTreeMap<String, String>,
    #[serde(default)]
    pub credential_env: Vec<String>,
    /// The preset's API and login hosts: the network set `agent` (host names or `*.` globs).
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub unfree: bool,
    #[serde(default)]
    pub confidence: String,
    #[serde(default)]
    pub caveats: Vec<String>,
    /// Paths the agent writes that are deliberately not bound (lost at exit), with why.
    #[serde(default)]
    pub not_persisted: BTreeMap<String, String>,
}

/// One argument-less combinator a spec may name.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Combinator {
    pub summary: String,
    #[serde(default)]
    pub risk: String,
}

/// All presets, sorted by name.
pub fn presets() -> &'static BTreeMap<String, Preset> {
    static CELL: OnceLock<BTreeMap<String, Preset>> = OnceLock::new();
    CELL.get_or_init(|| {
        serde_json::from_str(AGENTS_JSON)
            .unwrap_or_else(|e| panic!("bug in jailgen: nix/lib/agents.json is malformed: {e}"))
    })
}

/// The endings that make a state path a single file rather than a directory (`isFile` in
/// `nix/lib/paths.nix` reads the same file).
pub fn file_extensions() -> &'static [String] {
    static CELL: OnceLock<Vec<String>> = OnceLock::new();
    CELL.get_or_init(|| {
        serde_json::from_str(FILE_EXTENSIONS_JSON).unwrap_or_else(|e| {
            panic!("bug in jailgen: nix/lib/file-extensions.json is malformed: {e}")
        })
    })
}

/// The terminal's variables every jail forwards after `forward_env` (absent when unset);
/// `nix/lib/make-jailed-agent.nix` reads the same file.
pub fn terminal_env() -> &'static [String] {
    static CELL: OnceLock<Vec<String>> = OnceLock::new();
    CELL.get_or_init(|| {
        serde_json::from_str(TERMINAL_ENV_JSON).unwrap_or_else(|e| {
            panic!("bug in jailgen: nix/lib/terminal-env.json is malformed: {e}")
        })
    })
}

/// All combinators a spec may name, sorted by name.
pub fn combinators() -> &'static BTreeMap<String, Combinator> {
    static CELL: OnceLock<BTreeMap<String, Combinator>> = OnceLock::new();
    CELL.get_or_init(|| {
        serde_json::from_str(COMBINATORS_JSON).unwrap_or_else(|e| {
            panic!("bug in jailgen: nix/lib/combinators.json is malformed: {e}")
        })
    })
}

/// One named set of allowlist rules (`nix/lib/network-sets.json`, read by
/// `nix/lib/network.nix` too); the set `agent` is each preset's `hosts`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct NetworkSet {
    pub description: String,
    pub hosts: Vec<String>,
}

/// The named allowlist sets other than `agent`, sorted by name.
pub fn network_sets() -> &'static BTreeMap<String, NetworkSet> {
    static CELL: OnceLock<BTreeMap<String, NetworkSet>> = OnceLock::new();
    CELL.get_or_init(|| {
        serde_json::from_str(NETWORK_SETS_JSON).unwrap_or_else(|e| {
            panic!("bug in jailgen: nix/lib/network-sets.json is malformed: {e}")
        })
    })
}

/// An allowlist as the policy holds it, as `nix/lib/network.nix`'s `expandAllow` (and, for
/// `agent`, the preset builders) expand it: `agent` becomes the preset's hosts, a set name its
/// hosts, any other entry stays; the first occurrence of each is kept (`lib.unique`).
/// tests/nix_eval.rs compares the result with the library's for every fixture.
pub fn expand_allow(allow: &[String], preset: Option<&Preset>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for entry in allow {
        let hosts: Vec<&String> = match (entry.as_str(), network_sets().get(entry)) {
            ("agent", _) => preset.map(|p| p.hosts.iter().collect()).unwrap_or_default(),
            (_, Some(set)) => set.hosts.iter().collect(),
            _ => vec![entry],
        };
        for h in hosts {
            if seen.insert(h.as_str()) {
                out.push(h.clone());
            }
        }
    }
    out
}

pub fn preset(name: &str) -> Option<&'static Preset> {
    presets().get(name)
}

/// The command name a preset jail gets when the spec does not choose another.
pub fn default_command_name(preset: &str) -> String {
    format!("jailed-{preset}")
}

/// The preset `init` uses when no `--agent` is given.
pub const POPULAR_PRESET: &str = "claude-code";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::is_nix_ident;

    #[test]
    fn embedded_tables_parse() {
        assert!(presets().len() >= 6);
        assert!(combinators().contains_key("gpu"));
        assert!(presets().contains_key(POPULAR_PRESET));
    }

    #[test]
    fn preset_builders_and_packages_are_nix_identifiers() {
        // The renderer prints them unquoted, so the table itself must hold identifiers.
        for (name, p) in presets() {
            assert!(is_nix_ident(&p.builder), "{name}: builder {}", p.builder);
            assert!(is_nix_ident(&p.package), "{name}: package {}", p.package);
            assert!(crate::rules::is_command_name(&default_command_name(name)));
        }
    }
}
