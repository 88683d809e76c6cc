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
                "nix_daemon",
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
