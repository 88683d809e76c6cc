//! The named sets are data the Nix library expands (`nix/lib/agents.json`: each preset's
//! `hosts`; `nix/lib/network-sets.json`: `registries`); the proxy reads the expanded rules.
//! Every entry must be a rule the proxy accepts, or a jail using the set would fail to start.

use jailgen_net::Rules;

fn json(rel: &str) -> serde_json::Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_preset_names_its_hosts_and_each_is_a_valid_rule() {
    let agents = json("nix/lib/agents.json");
    for (name, preset) in agents.as_object().unwrap() {
        let hosts = strings(&preset["hosts"]);
        assert!(!hosts.is_empty(), "preset `{name}` has no hosts");
        Rules::parse(&hosts).unwrap_or_else(|e| panic!("preset `{name}`: {e}"));
    }
}

#[test]
fn the_registries_set_is_valid_and_covers_the_registries() {
    let sets = json("nix/lib/network-sets.json");
    let hosts = strings(&sets["registries"]["hosts"]);
    let rules = Rules::parse(&hosts).unwrap();
    for (host, port) in [
        ("registry.npmjs.org", 443),
        ("pypi.org", 443),
        ("files.pythonhosted.org", 443),
        ("crates.io", 443),
        ("static.crates.io", 443),
        ("index.crates.io", 443),
        ("proxy.golang.org", 443),
        ("sum.golang.org", 443),
        ("github.com", 443),
        ("codeload.github.com", 443),
        ("raw.githubusercontent.com", 443),
        ("objects.githubusercontent.com", 443),
    ] {
        assert!(
            rules.allows(host, port),
            "registries does not allow {host}:{port}"
        );
    }
    assert!(!rules.allows("evil.example", 443));
    for (name, set) in sets.as_object().unwrap() {
        assert!(
            set["description"].is_string(),
            "set `{name}` has no description"
        );
    }
}
