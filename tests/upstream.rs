//! The library against the real upstream code users run it on, under both Nix versions: Debian's
//! Nix 2.8 (`nix-instantiate` on PATH) and a current Nix (`JAILGEN_MODERN_NIX`, from
//! ../shared/tools/modern-nix.sh). Real jail.nix (`JAILGEN_JAIL_NIX`), nixpkgs' real lib
//! (`JAILGEN_NIXPKGS_LIB`) and the llm-agents snapshot (`JAILGEN_LLM_AGENTS`) come from
//! ../shared/upstream/unpack.sh; `.ci/run` sets all four. nixpkgs' packages stay doubles: nixpkgs
//! itself is not to be had offline. flake.nix and the flake `jailgen init` writes evaluate alike
//! under both versions.
//!
//! Without those variables every test here skips with a line saying so; under
//! `JAILGEN_REQUIRE_NIX=1` it fails instead.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{have_nix, llm_agents, modern_nix, nixpkgs_lib, real_jail_nix, references, root};

/// Both nix-instantiate binaries, labelled, or None (the test skipped or failed already).
fn both_nixes(test: &str) -> Option<Vec<(&'static str, PathBuf)>> {
    let modern = modern_nix(test)?;
    if !have_nix(test) {
        return None;
    }
    Some(vec![
        ("nix 2.8 (Debian)", PathBuf::from("nix-instantiate")),
        ("modern nix", modern.join("nix-instantiate")),
    ])
}

fn version(nix: &Path) -> String {
    let out = Command::new(nix)
        .arg("--version")
        .output()
        .expect("nix --version");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn eval(nix: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(nix)
        .args(["--eval", "--read-write-mode", "--strict", "--json"])
        .args(args)
        .current_dir(root())
        .output()
        .expect("run nix-instantiate");
    assert!(
        out.status.success(),
        "{} {args:?} failed:\n{}",
        nix.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn passed(v: &serde_json::Value) -> BTreeSet<String> {
    let failed = v["failed"].as_array().expect("failed list");
    for f in failed {
        eprintln!(
            "FAIL {}\n  got:      {}\n  expected: {}",
            f["name"], f["expr"], f["expected"]
        );
    }
    assert!(failed.is_empty(), "{} Nix test(s) failed", failed.len());
    v["passed"]
        .as_array()
        .expect("passed list")
        .iter()
        .map(|n| n.as_str().expect("name").to_owned())
        .collect()
}

#[test]
fn the_library_suites_pass_on_the_real_nixpkgs_lib_under_both_nix_versions() {
    let test = "the_library_suites_pass_on_the_real_nixpkgs_lib_under_both_nix_versions";
    let (Some(nixes), Some(lib)) = (both_nixes(test), nixpkgs_lib(test)) else {
        return;
    };
    let lib = lib.to_str().expect("utf-8").to_owned();
    let mut all = Vec::new();
    for (label, nix) in &nixes {
        let doubles = passed(&eval(nix, &["nix/tests"]));
        let real = passed(&eval(
            nix,
            &["nix/tests/upstream.nix", "--arg", "nixpkgsLib", &lib],
        ));
        assert!(
            doubles.len() >= 100,
            "{label}: only {} tests",
            doubles.len()
        );
        assert_eq!(
            real, doubles,
            "{label}: the same tests pass on the real lib"
        );
        eprintln!(
            "ok   {label} ({}): {} tests on the lib double and on the real lib",
            version(nix),
            real.len()
        );
        all.push(real);
    }
    assert_eq!(all[0], all[1], "both Nix versions run the same tests");
}

/// The part of jails.yaml needed here: the jail names.
#[derive(serde::Deserialize)]
struct Spec {
    jails: BTreeMap<String, serde::de::IgnoredAny>,
}

#[test]
fn every_preset_and_ok_fixture_evaluates_on_real_jail_nix_and_the_real_lib_under_both_nix_versions()
{
    let test = "every_preset_and_ok_fixture_evaluates_on_real_jail_nix_and_the_real_lib_under_both_nix_versions";
    let (Some(nixes), Some(lib), Some(jail_nix)) =
        (both_nixes(test), nixpkgs_lib(test), real_jail_nix(test))
    else {
        return;
    };
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/ok"))
        .expect("fixtures/ok")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("jails.nix").is_file())
        .collect();
    cases.sort();
    assert!(
        cases.iter().any(|c| c.ends_with("every-preset")),
        "the every-preset case"
    );
    let mut jails = 0;
    for (label, nix) in &nixes {
        for case in &cases {
            let jails_nix = case.join("jails.nix");
            let text = std::fs::read_to_string(&jails_nix).expect("read");
            let pkgs: Vec<String> = references(&text, "pkgs.").into_iter().collect();
            let agents: Vec<String> = references(&text, "jailgen.agentPackages.")
                .into_iter()
                .collect();
            let pkgs = serde_json::to_string(&pkgs).expect("json");
            let agents = serde_json::to_string(&agents).expect("json");
            let base = [
                "nix/tests/eval-jails.nix",
                "--argstr",
                "jailsNix",
                jails_nix.to_str().expect("utf-8"),
                "--argstr",
                "pkgsJson",
                &pkgs,
                "--argstr",
                "agentsJson",
                &agents,
            ];
            let mut real_args = base.to_vec();
            real_args.extend([
                "--arg",
                "jailNix",
                jail_nix.to_str().expect("utf-8"),
                "--arg",
                "nixpkgsLib",
                lib.to_str().expect("utf-8"),
            ]);
            let real = eval(nix, &real_args);
            let double = eval(nix, &base);
            let spec: Spec = serde_saphyr::from_str(
                &std::fs::read_to_string(case.join("jails.yaml")).expect("read jails.yaml"),
            )
            .expect("jails.yaml parses");
            let names: BTreeSet<&String> = spec.jails.keys().collect();
            let evaluated: BTreeSet<&String> = real.as_object().expect("jails").keys().collect();
            assert_eq!(evaluated, names, "{label}: {}", case.display());
            for (attr, j) in real.as_object().expect("jails") {
                assert_eq!(
                    j["type"],
                    "derivation",
                    "{label}: {}: {attr}",
                    case.display()
                );
                assert!(
                    j["textBytes"].as_u64().is_some_and(|n| n > 1000),
                    "{label}: {}: {attr} has no wrapper: {j}",
                    case.display()
                );
                // The command and what it runs are what the double gives.
                assert_eq!(j["name"], double[attr]["name"], "{label}: {attr}");
                assert_eq!(j["entry"], double[attr]["entry"], "{label}: {attr}");
                jails += 1;
            }
        }
        eprintln!(
            "ok   {label} ({}): {} fixture cases on real jail.nix and the real lib",
            version(nix),
            cases.len()
        );
    }
    assert!(jails >= 2 * 20, "only {jails} jails evaluated");
}

/// One `name = "value";` in a package.nix's text.
fn string_field(text: &str, field: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let rest = l
                .trim()
                .strip_prefix(field)?
                .trim_start()
                .strip_prefix('=')?;
            let rest = rest.trim().strip_prefix('"')?;
            Some(rest[..rest.find('"')?].to_owned())
        })
        .collect()
}

#[test]
fn agents_json_names_packages_of_the_llm_agents_snapshot_with_their_binary_and_licence() {
    let test =
        "agents_json_names_packages_of_the_llm_agents_snapshot_with_their_binary_and_licence";
    let Some(checkout) = llm_agents(test) else {
        return;
    };
    // llm-agents added hermes-agent after this snapshot (2026-03-01): its builder asks for `pkg`
    // (tests/compat.rs) and flake.nix offers no jailed-hermes-agent package.
    let newer_than_snapshot = ["hermes-agent"];
    let mut checked = 0;
    for (preset, p) in jailgen::presets::presets() {
        let file = checkout
            .join("packages")
            .join(&p.package)
            .join("package.nix");
        if newer_than_snapshot.contains(&p.package.as_str()) {
            assert!(
                !file.exists(),
                "{preset}: `{}` is in the snapshot now; check it and drop it from the list",
                p.package
            );
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!(
                "{preset}: llm-agents has no package `{}` ({}: {e})",
                p.package,
                file.display()
            )
        });
        assert_eq!(
            string_field(&text, "mainProgram"),
            std::slice::from_ref(&p.binary),
            "{preset}: meta.mainProgram of {}",
            file.display()
        );
        let licences: Vec<&str> = text
            .lines()
            .filter(|l| l.trim().starts_with("license ="))
            .collect();
        assert_eq!(
            licences.len(),
            1,
            "{preset}: one licence line in {}",
            file.display()
        );
        assert_eq!(
            licences[0].contains("unfree"),
            p.unfree,
            "{preset}: unfree in agents.json vs `{}`",
            licences[0].trim()
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} presets checked");
    eprintln!("ok   {checked} presets match {}", checkout.display());
}

#[test]
fn the_flake_and_the_init_flake_evaluate_alike_under_both_nix_versions() {
    let test = "the_flake_and_the_init_flake_evaluate_alike_under_both_nix_versions";
    let Some(nixes) = both_nixes(test) else {
        return;
    };
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
    let project = dir.path().to_str().expect("utf-8");
    let results: Vec<(serde_json::Value, serde_json::Value)> = nixes
        .iter()
        .map(|(_, nix)| {
            (
                eval(nix, &["nix/tests/flake-outputs.nix"]),
                eval(
                    nix,
                    &[
                        "nix/tests/eval-init-flake.nix",
                        "--argstr",
                        "flakeDir",
                        project,
                    ],
                ),
            )
        })
        .collect();
    assert_eq!(
        results[0].0, results[1].0,
        "flake.nix's outputs differ between the Nix versions"
    );
    assert_eq!(
        results[0].1, results[1].1,
        "init's flake differs between the Nix versions"
    );
    assert_eq!(results[1].0["x86_64-linux"]["formatter"], "nixfmt");
    assert_eq!(
        results[1].1["x86_64-linux"]["checks"],
        serde_json::json!(["jails"])
    );
}
