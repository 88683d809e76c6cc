//! The defaults Nix and Rust share: `nix/lib/defaults.json`, compiled in.

use crate::json::{self, Value};
use crate::policy::{Git, Network};
use std::sync::OnceLock;

/// The file, as compiled into this crate (the Nix library reads the same file).
pub const DEFAULTS_JSON: &str = include_str!("../../../nix/lib/defaults.json");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    pub git: Git,
    /// Hide patterns when a jail names none.
    pub hide: Vec<String>,
    /// Directory names the nested hide walk does not enter (they cannot hold the user's
    /// secrets: a repository's objects, dependency trees, caches).
    pub hide_prune: Vec<String>,
    /// Directory entries the nested hide walk reads at most per launch.
    pub hide_walk_limit: usize,
    pub network: Network,
    pub host_ssl: bool,
    pub new_session: bool,
    pub nix: bool,
    pub seccomp: bool,
}

pub fn defaults() -> &'static Defaults {
    static D: OnceLock<Defaults> = OnceLock::new();
    D.get_or_init(|| {
        parse(DEFAULTS_JSON)
            .unwrap_or_else(|e| panic!("bug in jailgen: nix/lib/defaults.json: {e}"))
    })
}

fn parse(text: &str) -> Result<Defaults, String> {
    let Value::Object(mut fields) = json::parse(text).map_err(|e| e.to_string())? else {
        return Err("not an object".into());
    };
    let mut take = |k: &str| {
        fields
            .iter()
            .position(|(n, _)| n == k)
            .map(|i| fields.remove(i).1)
            .ok_or_else(|| format!("`{k}` is missing"))
    };
    let strings = |v: Value, k: &str| match v {
        Value::Array(items) => items
            .into_iter()
            .map(|i| match i {
                Value::Str(s) => Ok(s),
                _ => Err(format!("`{k}` holds a non-string")),
            })
            .collect::<Result<Vec<_>, _>>(),
        _ => Err(format!("`{k}` is not an array")),
    };
    let boolean = |v: Value, k: &str| match v {
        Value::Bool(b) => Ok(b),
        _ => Err(format!("`{k}` is not a boolean")),
    };
    let d = Defaults {
        git: match take("git")? {
            Value::Str(s) if s == "protect" => Git::Protect,
            Value::Str(s) if s == "open" => Git::Open,
            _ => return Err("`git` is not protect or open".into()),
        },
        hide: strings(take("hide")?, "hide")?,
        hide_prune: strings(take("hidePrune")?, "hidePrune")?,
        hide_walk_limit: match take("hideWalkLimit")? {
            Value::Int(n) => usize::try_from(n).map_err(|_| "`hideWalkLimit` too large")?,
            _ => return Err("`hideWalkLimit` is not a number".into()),
        },
        network: if boolean(take("network")?, "network")? {
            Network::Shared
        } else {
            Network::Isolated
        },
        host_ssl: boolean(take("hostSsl")?, "hostSsl")?,
        new_session: boolean(take("newSession")?, "newSession")?,
        nix: boolean(take("nix")?, "nix")?,
        seccomp: boolean(take("seccomp")?, "seccomp")?,
    };
    if let Some((k, _)) = fields.first() {
        return Err(format!("unknown key `{k}`"));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_defaults_file_reads_and_has_every_key() {
        let d = defaults();
        assert_eq!(d.git, Git::Protect);
        assert!(d.hide.contains(&".env".to_string()));
        assert!(d.hide_prune.contains(&".git".to_string()));
        assert!(d.hide_walk_limit >= 10_000);
    }

    #[test]
    fn a_defaults_file_with_an_unknown_key_is_refused() {
        let extra = DEFAULTS_JSON.replacen('{', "{\"surprise\": 1,", 1);
        assert!(parse(&extra).unwrap_err().contains("surprise"));
    }
}
