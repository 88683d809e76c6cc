//! The JSON Schema of `jails.yaml`: the committed `jails.schema.json` is exactly what
//! `jailgen schema` prints (UPDATE_EXPECT=1 rewrites it), every valid fixture validates against
//! it, and specs with type errors, unknown keys or values outside an enum do not.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema_value() -> serde_json::Value {
    let text = fs::read_to_string(root().join("jails.schema.json")).expect("jails.schema.json");
    serde_json::from_str(&text).expect("the committed schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema_value()).expect("a valid draft 2020-12 schema")
}

/// YAML → JSON the way an editor's YAML language server sees it.
fn yaml_to_json(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path).expect("read");
    serde_saphyr::from_str::<serde_json::Value>(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_committed_schema_is_what_jailgen_schema_prints() {
    let out = Command::new(env!("CARGO_BIN_EXE_jailgen"))
        .arg("schema")
        .output()
        .expect("run jailgen schema");
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(
        printed,
        jailgen::schema_text().expect("schema"),
        "the binary and the library disagree"
    );
    let path = root().join("jails.schema.json");
    if std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1") {
        fs::write(&path, &printed).expect("write jails.schema.json");
        return;
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == printed,
        "jails.schema.json is stale; UPDATE_EXPECT=1 cargo test --test schema rewrites it"
    );
}

#[test]
fn the_schema_is_draft_2020_12_with_enums_from_the_data_files() {
    let schema = schema_value();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["$id"], jailgen::cli::SCHEMA_URL);
    let defs = &schema["$defs"];
    let agents: Vec<&str> = defs["JailSpec"]["properties"]["agent"]["enum"]
        .as_array()
        .expect("agent enum")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let presets: Vec<&str> = jailgen::presets::presets()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(agents, presets);
    let combinators: Vec<&str> = defs["CombinatorName"]["enum"]
        .as_array()
        .expect("combinator enum")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let known: Vec<&str> = jailgen::presets::combinators()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(combinators, known);
    // Every key a jail may hold is described.
    for key in jailgen::spec::JAIL_KEYS {
        let d = &defs["JailSpec"]["properties"][key]["description"];
        assert!(
            d.as_str().is_some_and(|s| s.len() > 10),
            "`{key}` has no description"
        );
    }
}

#[test]
fn every_valid_fixture_validates_against_the_schema() {
    let v = validator();
    let mut cases: Vec<PathBuf> = fs::read_dir(root().join("fixtures/ok"))
        .expect("fixtures/ok")
        .map(|e| e.expect("entry").path().join("jails.yaml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 10);
    let mut failures = Vec::new();
    for case in &cases {
        let doc = yaml_to_json(case);
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        if !errors.is_empty() {
            failures.push(format!("{}: {}", case.display(), errors.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_specs_do_not_validate() {
    let v = validator();
    for (case, why) in [
        ("unknown-top-key", "unknown top-level key"),
        ("unknown-jail-key", "unknown jail key"),
        ("unknown-agent", "agent outside the preset enum"),
        ("unknown-combinator", "combinator outside the enum"),
        ("bad-git", "git outside protect/open"),
        ("wrong-type-bool", "a string where a boolean belongs"),
        ("null-flag", "null where a boolean belongs"),
        ("null-list", "null where a list belongs"),
        ("wrong-type-list", "a string where a list belongs"),
        ("wrong-type-jail", "a jail that is not a mapping"),
        ("version-wrong", "version other than 1"),
        ("jails-missing", "no jails"),
        (
            "bad-command-name",
            "a jail name outside the command-name pattern",
        ),
        ("bad-env-name", "an env name that is not a POSIX name"),
    ] {
        let path = root().join("fixtures/err").join(format!("{case}.yaml"));
        let doc = yaml_to_json(&path);
        assert!(
            !v.is_valid(&doc),
            "{case} ({why}) validates against the schema"
        );
    }
}

#[test]
fn init_writes_the_schema_line_first() {
    let starter = jailgen::render::render_starter(&["codex".to_owned()]).expect("starter");
    assert_eq!(
        starter.lines().next(),
        Some(
            format!(
                "# yaml-language-server: $schema={}",
                jailgen::cli::SCHEMA_URL
            )
            .as_str()
        )
    );
    let doc: serde_json::Value = serde_saphyr::from_str(&starter).expect("yaml");
    assert!(validator().is_valid(&doc), "the starter spec is invalid");
}

#[test]
fn jailgen_init_writes_the_schema_line_as_the_first_line_of_jails_yaml() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_jailgen"))
        .arg("init")
        .arg(dir.path())
        .output()
        .expect("run jailgen init");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yaml = fs::read_to_string(dir.path().join("jails.yaml")).expect("jails.yaml");
    assert_eq!(
        yaml.lines().next(),
        Some(
            "# yaml-language-server: $schema=https://raw.githubusercontent.com/jailgen/jailgen/main/jails.schema.json"
        )
    );
}

/// `network:` in the schema: what the CLI accepts validates, each wrong shape on its own does
/// not (the CLI checks rules further, with the proxy's own parser).
#[test]
fn the_schema_knows_every_network_mode() {
    let v = validator();
    let spec = |network: serde_json::Value| serde_json::json!({ "version": 1, "jails": { "a": { "agent": "pi", "network": network } } });
    for ok in [
        serde_json::json!(true),
        serde_json::json!(false),
        serde_json::json!("host"),
        serde_json::json!({ "allow": ["agent"] }),
        serde_json::json!({ "host_ports": [11434] }),
        serde_json::json!({ "stack": "pasta" }),
        serde_json::json!({ "allow": [], "host_ports": [11434] }),
        serde_json::json!({ "allow": ["registries", "docs.rs", "*.example.org", "git.example.org:8443"], "host_ports": [1, 65535] }),
    ] {
        assert!(v.is_valid(&spec(ok.clone())), "{ok} should validate");
    }
    for bad in [
        serde_json::json!("hosts"),
        serde_json::json!("yes"),
        serde_json::json!(["docs.rs"]),
        serde_json::json!({ "allowed": ["docs.rs"] }),
        serde_json::json!({ "allow": [] }),
        serde_json::json!({ "allow": [], "host_ports": [] }),
        serde_json::json!({ "allow": ["1.2.3.4"] }),
        serde_json::json!({ "allow": ["example.123"] }),
        serde_json::json!({ "allow": ["-a.com"] }),
        serde_json::json!({ "allow": ["a.b:0"] }),
        serde_json::json!({ "allow": [format!("{}.com", "a".repeat(64))] }),
        serde_json::json!({ "allow": ["docs.rs"], "stack": "pasta" }),
        serde_json::json!({ "allow": ["registry"] }),
        serde_json::json!({ "allow": ["a b.com"] }),
        serde_json::json!({ "host_ports": [0] }),
        serde_json::json!({ "host_ports": [70000] }),
        serde_json::json!({ "host_ports": ["80"] }),
        serde_json::json!({ "stack": "slirp" }),
        serde_json::Value::Null,
    ] {
        assert!(!v.is_valid(&spec(bad.clone())), "{bad} should not validate");
    }
}
