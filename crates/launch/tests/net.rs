//! The launcher with issue 10's network modes, for real: jailgen-launch reads a policy with
//! `network: { allow }` or `network: true` + `netStack`, starts crates/net's helper and execs
//! real bwrap, as the unprivileged user `rt`, on the network lab's host (crates/net/tests:
//! a host and a world namespace of the test's own, nothing leaves the machine).

mod common;
#[path = "../../net/tests/common/mod.rs"]
mod lab;

use lab::{GRANTED, Lab, lab_gate};

/// The launcher's command line for `policy`, run from a project under rt's home.
fn launch(lab: &Lab, policy: &str, proj: &str) -> Vec<String> {
    let pol = lab.path("logs/policy.json");
    std::fs::write(&pol, policy).unwrap();
    let mut v: Vec<String> = ["env", "-C", proj, "HOME=/home/rt", "PATH=/usr/bin:/bin"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.push(format!("XDG_STATE_HOME={}", lab.path("logs/state")));
    v.push(env!("CARGO_BIN_EXE_jailgen-launch").to_string());
    v.push(pol);
    v.push("/usr/bin/bwrap".into());
    // The launcher tests' minimal root (it binds its own /etc files on top), the lab's
    // files, and git from /usr/local.
    v.extend(common::min_root(std::path::Path::new("/home/rt")));
    v.extend([
        "--ro-bind".into(),
        lab.dir.to_string_lossy().into_owned(),
        lab.dir.to_string_lossy().into_owned(),
    ]);
    v.extend([
        "--setenv".into(),
        "PATH".into(),
        "/usr/local/bin:/usr/bin:/bin".into(),
    ]);
    v.extend(["--jailgen-grants".to_string(), "--".into()]);
    v.extend(lab.probe_command());
    v
}

fn project(lab: &Lab) -> String {
    let proj = format!("/home/rt/{}", lab.host);
    std::fs::create_dir_all(&proj).unwrap();
    assert!(
        std::process::Command::new("chown")
            .args(["rt:rt", &proj])
            .status()
            .unwrap()
            .success()
    );
    proj
}

fn get<'a>(m: &'a std::collections::BTreeMap<String, String>, k: &str) -> &'a str {
    m.get(k).map_or("<missing>", String::as_str)
}

#[test]
fn the_launcher_runs_an_allowlist_jail() {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    let proj = project(&lab);
    let policy = format!(
        r#"{{"version":1,"name":"labjail","network":{{"allow":["allowed.test"],"hostPorts":[{GRANTED}]}},"seccomp":false}}"#
    );
    let (r, stderr) = lab.run_probe(&launch(&lab, &policy, &proj));
    let all = format!("{r:#?}\n{stderr}");
    assert_eq!(get(&r, "curl_https"), "hello from the test host", "{all}");
    assert_eq!(get(&r, "python"), "hello from the test host", "{all}");
    assert!(get(&r, "curl_denied").contains("403"), "{all}");
    assert!(get(&r, "raw_tcp").starts_with("refused:"), "{all}");
    assert!(get(&r, "loopback").starts_with("refused:"), "{all}");
    assert!(get(&r, "abstract").starts_with("refused:"), "{all}");
    assert_eq!(
        get(&r, "granted"),
        format!("reached:host-loopback-{GRANTED}"),
        "{all}"
    );
    let dir = std::path::PathBuf::from(lab.path("logs/state/jailgen/network"));
    let log = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let name = log.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("labjail-"), "{name}");
    assert!(
        std::fs::read_to_string(&log)
            .unwrap()
            .contains(" deny denied.test:443 not in the allowlist")
    );
    let _ = std::fs::remove_dir_all(&proj);
}

#[test]
fn the_launcher_runs_network_true_through_slirp4netns() {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    let proj = project(&lab);
    let policy = format!(
        r#"{{"version":1,"name":"labjail","network":{{"hostPorts":[{GRANTED}]}},"netStack":{{"slirp4netns":"/usr/bin/slirp4netns"}},"seccomp":false}}"#
    );
    let (r, stderr) = lab.run_probe(&launch(&lab, &policy, &proj));
    let all = format!("{r:#?}\n{stderr}");
    assert!(get(&r, "loopback").starts_with("refused:"), "{all}");
    assert!(
        !get(&r, "slirp_gateway").starts_with("reached:host"),
        "{all}"
    );
    assert!(get(&r, "abstract").starts_with("refused:"), "{all}");
    assert_eq!(
        get(&r, "granted"),
        format!("reached:host-loopback-{GRANTED}"),
        "{all}"
    );
    assert_eq!(get(&r, "dns"), "198.51.100.1", "{all}");
    assert_eq!(get(&r, "curl_https"), "hello from the test host", "{all}");
    assert_eq!(get(&r, "git"), "lab repository", "{all}");
    let _ = std::fs::remove_dir_all(&proj);
}
