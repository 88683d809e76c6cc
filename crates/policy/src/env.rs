//! The jail's environment: the one function that decides which value wins.

use crate::policy::{Network, Policy};
use std::collections::BTreeMap;

/// Where the CA bundle appears inside the jail.
pub const CA_FILE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The variables that name the CA bundle (not NODE_EXTRA_CA_CERTS: Node ships the same
/// roots). The one list: the CLI's lint and explain read it from here.
pub const CA_VARIABLES: [&str; 4] = [
    "SSL_CERT_FILE",
    "NIX_SSL_CERT_FILE",
    "CURL_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
];

/// `LANG` inside the jail when neither the policy nor the host sets it.
pub const LANG_FALLBACK: &str = "C.UTF-8";

/// The variables the launcher sets, as `(name, value)` sorted by name. Later layers win:
///
/// 1. `env.forward`: the host's value, when the host sets the variable (else absent);
/// 2. the CA variables, with the shared network;
/// 3. `LANG`: the host's, else `C.UTF-8`;
/// 4. `env.set`: literal values;
/// 5. `env.home`: `<home>/<value>`;
/// 6. `NIX_REMOTE=daemon`, with `nix`.
///
/// This is the precedence of the Nix library before the launcher (jail.nix emits
/// `try-fwd-env` before its `set-env` block, and `set-env` calls ran in this order), kept.
/// `home` is the home directory (or `$HOME` for a symbolic rendering), `host` the host's
/// environment.
pub fn environment(
    policy: &Policy,
    home: &str,
    host: &dyn Fn(&str) -> Option<String>,
) -> Vec<(String, String)> {
    let mut env = BTreeMap::new();
    for name in &policy.env.forward {
        if let Some(v) = host(name) {
            env.insert(name.clone(), v);
        }
    }
    if policy.network == Network::Shared {
        for name in CA_VARIABLES {
            env.insert(name.to_string(), CA_FILE.to_string());
        }
    }
    env.insert(
        "LANG".to_string(),
        host("LANG").unwrap_or_else(|| LANG_FALLBACK.to_string()),
    );
    for (name, value) in &policy.env.set {
        env.insert(name.clone(), value.clone());
    }
    for (name, rel) in &policy.env.home {
        env.insert(
            name.clone(),
            format!("{}/{rel}", home.trim_end_matches('/')),
        );
    }
    if policy.nix {
        env.insert("NIX_REMOTE".to_string(), "daemon".to_string());
    }
    env.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    fn get<'a>(env: &'a [(String, String)], k: &str) -> Option<&'a str> {
        env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn later_layers_win_forward_ca_lang_set_home_nix() {
        let mut p = Policy::new("j");
        p.env.forward = vec![
            "TOKEN".into(),
            "SSL_CERT_FILE".into(),
            "MODE".into(),
            "CFG".into(),
            "NIX_REMOTE".into(),
            "ABSENT".into(),
        ];
        p.env.set = vec![
            ("MODE".into(), "literal".into()),
            ("CFG".into(), "literal".into()),
        ];
        p.env.home = vec![("CFG".into(), ".cfg".into())];
        p.nix = true;
        let host = lookup(&[
            ("TOKEN", "t"),
            ("SSL_CERT_FILE", "/host/ca"),
            ("MODE", "host"),
            ("CFG", "host"),
            ("NIX_REMOTE", "local"),
        ]);
        let env = environment(&p, "/home/u/", &host);
        assert_eq!(get(&env, "TOKEN"), Some("t"), "forwarded");
        assert_eq!(get(&env, "ABSENT"), None, "unset on the host: absent");
        assert_eq!(
            get(&env, "SSL_CERT_FILE"),
            Some(CA_FILE),
            "CA beats forward"
        );
        assert_eq!(get(&env, "MODE"), Some("literal"), "set beats forward");
        assert_eq!(get(&env, "CFG"), Some("/home/u/.cfg"), "home beats set");
        assert_eq!(get(&env, "NIX_REMOTE"), Some("daemon"), "nix beats all");
        let names: Vec<&str> = env.iter().map(|(n, _)| n.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "sorted, so the argv is deterministic");
    }

    #[test]
    fn lang_falls_back_to_c_utf8_and_env_set_overrides_it() {
        let mut p = Policy::new("j");
        assert_eq!(
            get(&environment(&p, "/h", &|_| None), "LANG"),
            Some("C.UTF-8")
        );
        let host = lookup(&[("LANG", "de_DE.UTF-8")]);
        assert_eq!(
            get(&environment(&p, "/h", &host), "LANG"),
            Some("de_DE.UTF-8")
        );
        p.env.set = vec![("LANG".into(), "fr_FR.UTF-8".into())];
        assert_eq!(
            get(&environment(&p, "/h", &host), "LANG"),
            Some("fr_FR.UTF-8")
        );
    }

    #[test]
    fn ca_variables_only_with_the_shared_network() {
        let mut p = Policy::new("j");
        let on = environment(&p, "/h", &|_| None);
        for v in CA_VARIABLES {
            assert_eq!(get(&on, v), Some(CA_FILE));
        }
        p.network = Network::Isolated;
        let off = environment(&p, "/h", &|_| None);
        assert!(CA_VARIABLES.iter().all(|v| get(&off, v).is_none()));
    }
}
