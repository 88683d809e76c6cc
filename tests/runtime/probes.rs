//! tests/probes/: the security probes inside every preset's default jail, network on and off,
//! on the jail.nix double and on real jail.nix, plus the controls that show the probes catch
//! leaks (jail.nix with jailed-agents' policy, and no sandbox). With the network on (the
//! default, its own namespace on slirp4netns) and off, the host's loopback and abstract unix
//! sockets are out of reach; `network = "host"` shares them by design (those two probes INFO).

use crate::common::{launcher, real_jail_nix, root};
use crate::support::*;
use std::path::Path;
use std::process::Command;

fn have_probe_tools() -> bool {
    have_jail_tools() && have("gcc", &["--version"]) && have("python3", &["--version"])
}

fn preset_names() -> Vec<String> {
    let json = std::fs::read_to_string(root().join("nix/lib/agents.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<String> = v
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, p)| p.get("builder").is_some())
        .map(|(k, _)| k.clone())
        .collect();
    assert!(names.len() >= 10, "presets: {names:?}");
    names
}

fn probe_run(args: &[&str]) -> (bool, String) {
    let out = Command::new("bash")
        .arg(root().join("tests/probes/run.sh"))
        .args(args)
        .arg("--launcher")
        .arg(launcher())
        .args(match std::env::var("JAILGEN_TEST_USER") {
            Ok(user) if !user.is_empty() => vec!["--user".to_string(), user],
            _ => vec![],
        })
        .env_remove("JAILGEN_JAIL_NIX")
        .output()
        .expect("spawn run.sh");
    let so = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "run.sh {args:?} setup failed: {}",
        text(&out)
    );
    (out.status.success(), so)
}

/// Every probe PASS, and every probe present (a probe that silently did not run must not
/// count): 13 in the jail and 3 on the host, two fewer with the host's network.
fn assert_all_pass(args: &[&str], host_network: bool) {
    let (ok, so) = probe_run(args);
    let passes = lines_with(&so, "PASS ").len();
    assert!(
        ok && lines_with(&so, "FAIL").is_empty(),
        "run.sh {args:?}:\n{so}"
    );
    let want = if host_network { 11 + 3 } else { 13 + 3 };
    assert_eq!(
        passes, want,
        "run.sh {args:?}: expected {want} PASS lines:\n{so}"
    );
    crate::common::loud!("{so}");
}

fn every_preset_both_networks(jail_nix: Option<&Path>) {
    let jn = jail_nix.map(|p| p.to_str().unwrap().to_string());
    for preset in preset_names() {
        for network in ["false", "true"] {
            let mut args = vec!["--preset", &preset, "--network", network];
            if let Some(jn) = &jn {
                args.extend(["--jail-nix", jn]);
            }
            assert_all_pass(&args, false);
        }
    }
    // The explicit host network, once.
    let mut args = vec!["--preset", "claude-code", "--network", "host"];
    if let Some(jn) = &jn {
        args.extend(["--jail-nix", jn]);
    }
    assert_all_pass(&args, true);
}

/// Moved from tests/runtime.rs
/// `probes_all_pass_in_every_presets_default_jail_with_the_jail_nix_double` (which ran the
/// network-on case for claude-code only).
#[test]
fn probes_all_pass_in_every_presets_default_jail_with_the_jail_nix_double() {
    if !have_probe_tools() {
        return;
    }
    every_preset_both_networks(None);
}

/// Moved from tests/runtime.rs
/// `probes_all_pass_in_every_presets_default_jail_with_real_jail_nix`, no longer `#[ignore]`d.
#[test]
fn probes_all_pass_in_every_presets_default_jail_with_real_jail_nix() {
    let Some(jail_nix) = real_jail_nix("probes_all_pass_…_with_real_jail_nix") else {
        return;
    };
    if !have_probe_tools() {
        return;
    }
    every_preset_both_networks(Some(&jail_nix));
}

/// Moved from tests/runtime.rs `probes_detect_the_leaks_of_a_weaker_jail_and_of_no_jail`.
#[test]
fn probes_detect_the_leaks_of_a_weaker_jail_and_of_no_jail() {
    if !have_probe_tools() {
        return;
    }
    // jail.nix with jailed-agents' policy: the holes issue 6 describes.
    let (ok, so) = probe_run(&["--policy", "jailed-agents"]);
    assert!(!ok, "{so}");
    for probe in [
        "TIOCSTI",
        "write .git/hooks",
        "write .git/config",
        "replace .git",
        "read .env",
    ] {
        assert!(so.contains(&format!("FAIL {probe}:")), "{probe}:\n{so}");
    }
    assert!(
        so.contains("PASS home secrets:")
            && so.contains("PASS loopback:")
            && so.contains("PASS abstract socket:"),
        "{so}"
    );
    // jailed-agents' network (the host's): both the loopback and the abstract socket answer.
    let (ok, so) = probe_run(&["--policy", "jailed-agents", "--network", "true"]);
    assert!(!ok, "{so}");
    assert!(
        so.contains("FAIL loopback:") && so.contains("FAIL abstract socket:"),
        "{so}"
    );
    // No sandbox: every probe fails.
    let (ok, so) = probe_run(&["--policy", "none"]);
    assert!(
        !ok && lines_with(&so, "PASS ").len() == 1,
        "only the host process survives:\n{so}"
    );
    assert_eq!(lines_with(&so, "FAIL ").len(), 13 + 2, "{so}");
}

/// Moved from tests/runtime.rs `wrapper_sh_passes_shellcheck` (wrapper.sh itself is gone): the
/// probe, its runner and the launch benchmark pass shellcheck.
#[test]
fn probe_and_bench_scripts_pass_shellcheck() {
    if !have("shellcheck", &["--version"]) {
        return;
    }
    let out = Command::new("shellcheck")
        .arg(root().join("tests/probes/probe.sh"))
        .arg(root().join("tests/probes/run.sh"))
        .arg(root().join("scripts/bench-launch.sh"))
        .output()
        .expect("spawn shellcheck");
    assert!(out.status.success(), "{}", text(&out));
}
