//! `jailgen explain` and `jailgen agents`: golden text and JSON for every `fixtures/ok` case
//! (`fixtures/explain/<case>.txt` and `.json`; UPDATE_EXPECT=1 rewrites them), the JSON shape,
//! and the command-line behaviour (jail selection, unknown jails).

use std::fs;
use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;

mod common;
use common::{expect_file, root};

fn cases() -> Vec<(String, PathBuf)> {
    let mut v: Vec<(String, PathBuf)> = fs::read_dir(root().join("fixtures/ok"))
        .expect("fixtures/ok")
        .map(|e| {
            let p = e.expect("entry").path();
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                p.join("jails.yaml"),
            )
        })
        .collect();
    v.sort();
    v
}

fn jailgen() -> Command {
    let mut c = Command::cargo_bin("jailgen").expect("binary");
    c.env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

#[test]
fn every_ok_fixture_has_golden_explain_text_and_json() {
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 10);
    for (case, spec) in &cases {
        for (format, ext) in [("text", "txt"), ("json", "json")] {
            let out = jailgen()
                .args(["explain", &spec.display().to_string(), "--format", format])
                .output()
                .expect("run");
            if out.status.code() != Some(0) {
                failures.push(format!(
                    "{case}: exit {:?}\n{}",
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr)
                ));
                continue;
            }
            let text = String::from_utf8(out.stdout).expect("utf-8");
            let golden = root()
                .join("fixtures/explain")
                .join(format!("{case}.{ext}"));
            if let Err(f) = expect_file(&golden, &text) {
                failures.push(f);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_json_shape_is_versioned_and_complete() {
    for (case, spec) in cases() {
        let out = jailgen()
            .args(["explain", &spec.display().to_string(), "--format", "json"])
            .output()
            .expect("run");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(v["version"], 1, "{case}");
        let jails = v["jails"].as_array().expect("jails");
        assert!(!jails.is_empty(), "{case}");
        for j in jails {
            for key in [
                "name",
                "agent",
                "mounts",
                "working_directory",
                "home",
                "network",
                "network_mode",
                "network_stack",
                "network_allow",
                "host_ports",
                "network_log",
                "network_effect",
                "nix_daemon",
                "nix_daemon_effect",
                "env",
                "path",
                "combinators",
                "new_session",
                "terminal",
                "seccomp",
                "accepted_risks",
                "caveats",
            ] {
                assert!(j.get(key).is_some(), "{case}: `{key}` missing");
            }
            // The working directory is always mounted, read-write, and exactly once.
            let wd: Vec<&serde_json::Value> = j["mounts"]
                .as_array()
                .expect("mounts")
                .iter()
                .filter(|m| m["source"] == "working-directory")
                .collect();
            assert_eq!(wd.len(), 1, "{case}");
            assert_eq!(wd[0]["access"], "read-write", "{case}");
        }
    }
}

#[test]
fn preset_facts_come_from_agents_json() {
    // The preset table is the library's file: every state path and caveat of the claude-code
    // preset appears in the explanation of the minimal fixture.
    let agents: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(root().join("nix/lib/agents.json")).expect("read"),
    )
    .expect("json");
    let preset = &agents["claude-code"];
    let out = jailgen()
        .args([
            "explain",
            &root()
                .join("fixtures/ok/minimal/jails.yaml")
                .display()
                .to_string(),
            "--format",
            "json",
        ])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let j = &v["jails"][0];
    assert_eq!(j["agent"]["binary"], preset["binary"]);
    for p in preset["configPaths"].as_array().expect("configPaths") {
        assert!(
            j["mounts"]
                .as_array()
                .expect("mounts")
                .iter()
                .any(|m| m["path"] == *p && m["source"] == "state" && m["access"] == "read-write"),
            "{p} not mounted read-write"
        );
    }
    assert_eq!(j["caveats"], preset["caveats"]);
}

#[test]
fn named_jails_are_explained_alone_in_the_order_given_by_the_spec() {
    let dir = root().join("fixtures/ok/every-preset");
    let out = jailgen()
        .current_dir(&dir)
        .args(["explain", "jailed-pi", "jailed-amp", "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let names: Vec<&str> = v["jails"]
        .as_array()
        .expect("jails")
        .iter()
        .filter_map(|j| j["name"].as_str())
        .collect();
    assert_eq!(names, ["jailed-amp", "jailed-pi"]);
}

#[test]
fn an_unknown_jail_is_a_diagnostic_with_a_suggestion_and_exit_2() {
    jailgen()
        .current_dir(root().join("fixtures/ok/every-preset"))
        .args(["explain", "jailed-cladue-code"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("unknown jail `jailed-cladue-code`").and(
                predicate::str::contains("did you mean `jailed-claude-code`?"),
            ),
        );
}

#[test]
fn agents_lists_every_preset_in_text_and_json() {
    let mut failures = Vec::new();
    for (format, ext) in [("text", "txt"), ("json", "json")] {
        let out = jailgen()
            .args(["agents", "--format", format])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).expect("utf-8");
        for name in jailgen::presets::presets().keys() {
            assert!(text.contains(name.as_str()), "{format}: {name} missing");
        }
        if format == "json" {
            // Each preset's hosts are agents.json's, in its order.
            let lib: serde_json::Value = serde_json::from_str(
                &fs::read_to_string(root().join("nix/lib/agents.json")).expect("read"),
            )
            .expect("json");
            let v: serde_json::Value = serde_json::from_str(&text).expect("json");
            for a in v["agents"].as_array().expect("agents") {
                let name = a["name"].as_str().expect("name");
                assert_eq!(a["hosts"], lib[name]["hosts"], "{name}");
                assert!(!a["hosts"].as_array().expect("hosts").is_empty(), "{name}");
            }
        }
        if let Err(f) = expect_file(
            &root().join(format!("fixtures/explain/agents.{ext}")),
            &text,
        ) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// fixtures/ok/network: each mode as the spec says it, the allowlist expanded from the data files
/// (agents.json's hosts for `agent`, network-sets.json for `registries`), the proxy variables only
/// where the proxy is.
#[test]
fn explain_says_what_each_network_mode_reaches() {
    let out = jailgen()
        .args([
            "explain",
            "fixtures/ok/network/jails.yaml",
            "--format",
            "json",
        ])
        .current_dir(root())
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_str(&fs::read_to_string(root().join(f)).expect("read")).expect("json")
    };
    let (agents, sets) = (
        read("nix/lib/agents.json"),
        read("nix/lib/network-sets.json"),
    );
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .expect("list")
            .iter()
            .map(|s| s.as_str().expect("string").to_owned())
            .collect()
    };
    let jail = |name: &str| {
        v["jails"]
            .as_array()
            .expect("jails")
            .iter()
            .find(|j| j["name"] == name)
            .unwrap_or_else(|| panic!("no jail `{name}`"))
            .clone()
    };
    for (name, mode, stack) in [
        ("jailed-claude-code", "allowlist", None),
        ("jailed-codex", "allowlist", None),
        ("jailed-pi", "internet", Some("slirp4netns")),
        ("jailed-gemini", "internet", Some("pasta")),
        ("jailed-crush", "internet", Some("slirp4netns")),
        ("jailed-opencode", "off", None),
        ("jailed-amp", "host", None),
        ("aider", "allowlist", None),
        ("jailed-qwen", "allowlist", None),
    ] {
        let j = jail(name);
        assert_eq!(j["network_mode"], mode, "{name}");
        assert_eq!(j["network_stack"].as_str(), stack, "{name}");
        assert_eq!(j["network"], mode != "off", "{name}");
        let proxied = j["env"]["set"].get("HTTPS_PROXY").is_some();
        assert_eq!(proxied, mode == "allowlist", "{name}: HTTPS_PROXY");
        assert_eq!(j["network_log"].is_string(), mode == "allowlist", "{name}");
        assert!(
            j["network_effect"]
                .as_str()
                .expect("text")
                .starts_with(mode),
            "{name}: {}",
            j["network_effect"]
        );
    }
    // `agent` is the preset's hosts, `registries` the set's, then the rules as written.
    let claude = strings(&jail("jailed-claude-code")["network_allow"]);
    let mut want = strings(&agents["claude-code"]["hosts"]);
    want.extend(strings(&sets["registries"]["hosts"]));
    for rule in ["docs.rs", "*.githubusercontent.com", "git.example.org:8443"] {
        if !want.iter().any(|w| w == rule) {
            want.push(rule.to_owned());
        }
    }
    assert_eq!(claude, want);
    let codex = jail("jailed-codex");
    let mut want = strings(&agents["codex"]["hosts"]);
    want.push("docs.rs".to_owned());
    assert_eq!(strings(&codex["network_allow"]), want);
    assert_eq!(codex["host_ports"], serde_json::json!([8080, 11434]));
    assert_eq!(jail("jailed-pi")["host_ports"], serde_json::json!([11434]));
    assert!(
        jail("jailed-amp")["network_effect"]
            .as_str()
            .expect("text")
            .contains("abstract unix sockets")
    );
}
