//! Issue 9 item 5: for every `fixtures/ok` case, the mounts `jailgen explain` lists and the
//! grant part of the argv the launcher really hands bwrap (a recording fake) agree, with the
//! placeholders (`~`, `<working directory>`) substituted.
//!
//! The policy is built from the CLI's model directly (`jailgen::explain::policy`), not from
//! the Nix library's JSON: the library that writes the policy is not on main yet. The
//! launcher runs in a sandbox (real bwrap) whose root is a tmpfs holding the system
//! directories and every path the fixture grants, so that its absolute grants (`/srv/docs`,
//! `/tmp/a;rm …`) exist without touching the host.

mod common;
use common::*;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

const SENTINEL: &str = "JAILGEN_CONFORMANCE_END_OF_GRANTS";

fn grant_part(argv: &[String]) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let a = argv[i].as_str();
        if a == "--setenv" && argv.get(i + 1).map(String::as_str) == Some(SENTINEL) {
            return out;
        }
        let access = match a {
            "--ro-bind-fd" | "--ro-bind" | "--ro-bind-try" => "ro",
            "--bind-fd" | "--bind-try" => "rw",
            other => panic!("unexpected `{other}` in the grant part: {argv:?}"),
        };
        out.push((argv[i + 2].clone(), access));
        i += 3;
    }
    panic!("no sentinel in {argv:?}");
}

#[test]
fn explain_and_the_launched_argv_agree_for_every_ok_fixture() {
    if !have_bwrap() {
        return;
    }
    // Bound at /t inside the sandbox (whose /tmp is a fresh tmpfs).
    let tmp = tempfile::Builder::new()
        .prefix("conformance")
        .tempdir()
        .unwrap();
    let t = tmp.path();
    let fake = t.join("fake-bwrap");
    let log = t.join("argv");
    write_script(
        &fake,
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done > /t/argv\n",
    );
    let home = "/tmp/h";
    let cwd = "/tmp/h/proj";
    let mut cases: Vec<_> = fs::read_dir(root().join("fixtures/ok"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    let mut checked = 0;
    for case in &cases {
        let loaded = jailgen::load(&case.join("jails.yaml")).unwrap();
        let model = jailgen::model::build(&loaded.spec).unwrap();
        let explained = jailgen::explain::explain(&model, &[]).unwrap();
        for (j, je) in model.jails.iter().zip(&explained.jails) {
            let mut policy = jailgen::explain::policy(j).unwrap();
            // The mounts are compared, not the network (crates/net's tests and tests/lab.rs
            // prove that): explain names the stack, where the library writes its store path,
            // and the recording bwrap starts no jail for a network helper to set up.
            if policy.network != jailgen_policy::Network::Isolated {
                policy.network = jailgen_policy::Network::Shared;
                policy.net_stack = None;
            }
            let pol = t.join("policy.json");
            fs::write(&pol, policy.to_json()).unwrap();
            // The sandbox: a tmpfs root with the system, the launcher, and every grant.
            let mut outer: Vec<String> = vec!["--tmpfs".into(), "/".into()];
            for d in [
                "/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/etc", "/nix",
            ] {
                let p = Path::new(d);
                if p.is_symlink() {
                    outer.extend([
                        "--symlink".into(),
                        fs::read_link(p).unwrap().to_string_lossy().into_owned(),
                        d.into(),
                    ]);
                } else if p.is_dir() {
                    outer.extend(["--ro-bind".into(), d.into(), d.into()]);
                }
            }
            let launcher = launcher();
            outer.extend([
                "--ro-bind".into(),
                launcher.to_string_lossy().into_owned(),
                "/jailgen-launch".into(),
            ]);
            outer.extend([
                "--bind".into(),
                t.to_string_lossy().into_owned(),
                "/t".into(),
            ]);
            outer.extend([
                "--proc".into(),
                "/proc".into(),
                "--dev".into(),
                "/dev".into(),
                "--tmpfs".into(),
                "/tmp".into(),
            ]);
            let mut dirs: BTreeSet<String> = BTreeSet::new();
            dirs.insert(cwd.into());
            // readonlyIfExists grants exist here, so that they are bound (explain lists them
            // as bound when present).
            for g in policy
                .readonly
                .iter()
                .chain(&policy.readonly_if_exists)
                .chain(&policy.readwrite)
            {
                let p = g.resolve(home);
                if !Path::new(&p).exists() || p.starts_with("/tmp/") || p.starts_with(home) {
                    dirs.insert(p);
                }
            }
            for d in &dirs {
                if !d.starts_with("/etc/") && !d.starts_with("/usr/") && !d.starts_with("/nix/") {
                    outer.extend(["--dir".into(), d.clone()]);
                }
            }
            let out = Command::new("bwrap")
                .args(&outer)
                .args([
                    "--unshare-user",
                    "--chdir",
                    cwd,
                    "--clearenv",
                    "--setenv",
                    "HOME",
                    home,
                    "--setenv",
                    "PATH",
                    "/usr/bin:/bin",
                    // The mounts are compared, not the trusted-user refusal (tests/nixtrust.rs).
                    "--setenv",
                    "JAILGEN_ALLOW_TRUSTED_NIX",
                    "1",
                    "--",
                ])
                .args([
                    "/jailgen-launch",
                    "/t/policy.json",
                    "/t/fake-bwrap",
                    "--jailgen-grants",
                    "--setenv",
                    SENTINEL,
                    "1",
                    "--",
                    "entry",
                ])
                .output()
                .unwrap();
            let name = format!("{}/{}", case.file_name().unwrap().to_string_lossy(), j.name);
            assert!(out.status.success(), "{name}: {}", text(&out));
            let bytes = fs::read(&log).unwrap();
            let argv: Vec<String> = bytes
                .split(|&c| c == 0)
                .filter(|s| !s.is_empty())
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect();
            let launched = grant_part(&argv);
            let listed: Vec<(String, &'static str)> = je
                .mounts
                .iter()
                .map(|m| {
                    let path = if m.path == jailgen::explain::WORKING_DIRECTORY {
                        cwd.to_string()
                    } else if m.path == "~" {
                        home.to_string()
                    } else if let Some(rest) = m.path.strip_prefix("~/") {
                        format!("{home}/{rest}")
                    } else {
                        m.path.clone()
                    };
                    let access = match m.access {
                        jailgen::explain::Access::ReadOnly => "ro",
                        jailgen::explain::Access::ReadWrite => "rw",
                    };
                    (path, access)
                })
                .collect();
            assert_eq!(
                launched, listed,
                "{name}: the launcher's grants and explain's mounts differ"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} jails checked");
    loud!(
        "conformance: {checked} jails of {} fixtures agree",
        cases.len()
    );
}
