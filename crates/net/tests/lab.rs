//! The jail's network modes, for real: bwrap, pasta and the proxy, jails run as an
//! unprivileged user on a host that is a network namespace of the test's own (see
//! tests/common/mod.rs). Every probe result is asserted, both ways: what must be reached
//! and what must not.

mod common;

use common::{GRANTED, Lab, lab_gate};
use std::process::Command;
use std::time::{Duration, Instant};

fn get<'a>(m: &'a std::collections::BTreeMap<String, String>, k: &str) -> &'a str {
    m.get(k).map_or("<missing>", String::as_str)
}

#[test]
fn network_true_reaches_the_world_but_not_the_host() {
    internet_reaches_the_world_but_not_the_host(&[]);
}

#[test]
fn network_true_with_slirp4netns_reaches_the_world_but_not_the_host() {
    internet_reaches_the_world_but_not_the_host(&["--slirp4netns", "/usr/bin/slirp4netns"]);
}

fn internet_reaches_the_world_but_not_the_host(backend: &[&str]) {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    let port = GRANTED.to_string();
    let mut args = vec!["--internet", "--host-port", &port];
    args.extend(backend);
    let (r, stderr) = lab.probe(&args);
    let all = format!("{r:#?}\n{stderr}");
    // The host's loopback: not reachable, neither directly nor through the gateway address
    // (pasta maps the gateway to the host's loopback unless told not to; slirp4netns maps
    // 10.0.2.2 unless told not to).
    assert!(get(&r, "loopback").starts_with("refused:"), "{all}");
    assert!(!get(&r, "gateway").starts_with("reached:host"), "{all}");
    assert!(
        !get(&r, "slirp_gateway").starts_with("reached:host"),
        "{all}"
    );
    // The host's abstract unix sockets belong to its network namespace.
    assert!(get(&r, "abstract").starts_with("refused:"), "{all}");
    // A granted host port is reachable at 127.0.0.1:PORT, and it is the host's.
    assert_eq!(
        get(&r, "granted"),
        format!("reached:host-loopback-{GRANTED}"),
        "{all}"
    );
    // DNS through pasta's forwarder to the world's resolver; TCP and UDP out.
    assert_eq!(get(&r, "dns"), "198.51.100.1", "{all}");
    assert_eq!(get(&r, "raw_tcp"), "reached:ping", "{all}");
    assert_eq!(get(&r, "udp"), "reached:pong", "{all}");
    // Real clients, over HTTPS with the lab's CA.
    assert_eq!(get(&r, "curl_http"), "hello from the test host", "{all}");
    assert_eq!(get(&r, "curl_https"), "hello from the test host", "{all}");
    assert_eq!(get(&r, "python"), "hello from the test host", "{all}");
    assert_eq!(get(&r, "node"), "hello from the test host", "{all}");
    assert_eq!(get(&r, "git"), "lab repository", "{all}");
    // No allowlist in this mode: every name is reachable.
    assert_eq!(get(&r, "curl_denied"), "hello from the test host", "{all}");
}

#[test]
fn network_true_without_host_ports_reaches_no_host_port() {
    no_host_port(&[]);
}

#[test]
fn network_true_with_slirp4netns_without_host_ports_reaches_no_host_port() {
    no_host_port(&["--slirp4netns", "/usr/bin/slirp4netns"]);
}

fn no_host_port(backend: &[&str]) {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    let mut args = vec!["--internet"];
    args.extend(backend);
    let (r, stderr) = lab.probe(&args);
    let all = format!("{r:#?}\n{stderr}");
    assert!(get(&r, "loopback").starts_with("refused:"), "{all}");
    assert!(!get(&r, "gateway").starts_with("reached:host"), "{all}");
    assert!(
        !get(&r, "slirp_gateway").starts_with("reached:host"),
        "{all}"
    );
    assert!(get(&r, "granted").starts_with("refused:"), "{all}");
    assert!(get(&r, "abstract").starts_with("refused:"), "{all}");
    assert_eq!(get(&r, "curl_http"), "hello from the test host", "{all}");
    // The helper and the stack end with the jail.
    let t = std::time::Instant::now();
    loop {
        let left = lab.host_processes();
        if !left
            .iter()
            .any(|c| c == "pasta" || c == "passt.avx2" || c == "slirp4netns" || c == "netjail")
        {
            break;
        }
        assert!(
            t.elapsed().as_secs() < 5,
            "still running after the jail: {left:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn allowlist_relays_allowed_names_and_refuses_and_logs_the_rest() {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    let log_dir = lab.path("logs/session");
    let (r, stderr) = lab.probe(&[
        "--allow",
        "allowed.test",
        "--allow",
        "loop.test",
        "--allow",
        "private.test",
        "--allow",
        "self.test",
        "--host-port",
        &GRANTED.to_string(),
        "--log-dir",
        &log_dir,
    ]);
    let all = format!("{r:#?}\n{stderr}");
    // Allowed: curl (HTTPS via CONNECT and plain HTTP), Python, Node, git.
    assert_eq!(get(&r, "curl_https"), "hello from the test host", "{all}");
    assert_eq!(get(&r, "curl_http"), "hello from the test host", "{all}");
    assert_eq!(get(&r, "python"), "hello from the test host", "{all}");
    assert_eq!(get(&r, "node"), "hello from the test host", "{all}");
    assert_eq!(get(&r, "git"), "lab repository", "{all}");
    // Refused, with the proxy's answer rather than a hang.
    assert!(get(&r, "curl_denied").contains("403"), "{all}");
    assert!(
        get(&r, "curl_denied_http").contains("not in this jail's network allowlist"),
        "{all}"
    );
    assert!(get(&r, "curl_loop").contains("403"), "{all}");
    assert!(get(&r, "curl_private").contains("403"), "{all}");
    // A name for the host's own (public) address: the proxy never connects to the host.
    assert!(get(&r, "curl_self").contains("403"), "{all}");
    assert!(get(&r, "curl_ip").contains("403"), "{all}");
    // No route but the proxy: raw TCP, UDP and DNS fail; the host stays out of reach.
    assert!(get(&r, "raw_tcp").starts_with("refused:"), "{all}");
    assert!(get(&r, "udp").starts_with("refused:"), "{all}");
    assert_eq!(get(&r, "dns"), "", "{all}");
    assert!(get(&r, "loopback").starts_with("refused:"), "{all}");
    assert!(get(&r, "abstract").starts_with("refused:"), "{all}");
    assert_eq!(
        get(&r, "granted"),
        format!("reached:host-loopback-{GRANTED}"),
        "{all}"
    );

    let log_file = std::fs::read_dir(&log_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let log = std::fs::read_to_string(&log_file).unwrap();
    let time = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ";
    for (verdict, dest) in [
        ("allow", "allowed.test:443"),
        ("allow", "allowed.test:80"),
        ("deny", "denied.test:443"),
        ("deny", "denied.test:80"),
        ("deny", "loop.test:443"),
        ("deny", "private.test:443"),
        ("deny", "self.test:443"),
        ("deny", "198.51.100.1:443"),
    ] {
        let found = log.lines().any(|l| {
            let mut f = l.splitn(3, ' ');
            let (t, v, rest) = (
                f.next().unwrap_or(""),
                f.next().unwrap_or(""),
                f.next().unwrap_or(""),
            );
            t.len() == 20 && t.ends_with('Z') && v == verdict && rest.starts_with(dest)
        });
        assert!(
            found,
            "no `{verdict} {dest}` line ({time}) in {}:\n{log}",
            log_file.display()
        );
    }
}

#[test]
fn the_proxy_is_reachable_only_from_inside_the_jail() {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    let before = lab.host_listeners();
    let argv = lab.jail_argv(
        &["--allow", "allowed.test"],
        &[
            "sh",
            "-c",
            "echo up; curl -sS -m 5 -o /dev/null -w '%{http_code}\\n' http://allowed.test/; sleep 3",
        ],
    );
    let mut child = lab
        .on_host(&argv)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    use std::io::BufRead;
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "up");
    line.clear();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "200", "the proxy works from inside");
    // While the jail runs: no new listener in the host's namespace, and the proxy's port
    // is closed there.
    let during = lab.host_listeners();
    assert_eq!(before, during, "the helper listens on the host");
    assert!(!during.iter().any(|l| l.ends_with(":3128")), "{during:?}");
    let probe = std::process::Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.host,
            "curl",
            "-sS",
            "-m",
            "2",
            "-x",
            "http://127.0.0.1:3128",
        ])
        .arg("http://allowed.test/")
        .output()
        .unwrap();
    assert!(
        !probe.status.success(),
        "the proxy answered on the host's loopback"
    );
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn network_true_on_an_offline_host_starts_the_jail_without_network() {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    // The lab's host without its default route: no external interface for pasta.
    let del = std::process::Command::new("ip")
        .args(["-n", &lab.host, "route", "del", "default"])
        .status()
        .unwrap();
    assert!(del.success());
    let argv = lab.jail_argv(
        &["--internet"],
        &["sh", "-c", "echo jail-ran; ip -br link | wc -l"],
    );
    let out = lab.on_host(&argv).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(stdout, "jail-ran\n1\n", "only lo in the jail: {stderr}");
    assert!(stderr.contains("no default route"), "{stderr}");
}

/// A stack that passes the pre-exec check (an executable) and then fails: the jail is killed
/// before the agent runs, with one refusal line naming the stack.
fn a_failing_stack_kills_the_jail(stack_flag: &str, stack: &str) {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    let argv = lab.jail_argv(
        &["--internet", stack_flag, "/bin/false"],
        &["sh", "-c", "echo the-agent-ran"],
    );
    let out = lab.on_host(&argv).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains("the-agent-ran"), "{stdout}{stderr}");
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!(
            "jailgen: refusing to start: network: {stack} failed"
        )),
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("jailgen:")).count(),
        1,
        "{stderr}"
    );
}

/// The same with the launcher's stderr a pipe nobody reads (red-team): the refusal cannot be
/// printed, and the jail must still be killed before the agent runs (bwrap takes the helper's
/// end of `--block-fd` closing as "go").
#[test]
fn a_failing_stack_kills_the_jail_even_when_stderr_is_gone() {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    for stack in ["--slirp4netns", "--pasta"] {
        let argv = lab.jail_argv(
            &["--internet", stack, "/bin/false"],
            &["sh", "-c", "echo the-agent-ran"],
        );
        let (r, w) = std::io::pipe().unwrap();
        drop(r);
        let out = lab.on_host(&argv).stderr(w).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stdout.contains("the-agent-ran"), "{stack}: {stdout}");
        assert!(!out.status.success(), "{stack}: {:?}", out.status);
    }
}

/// The stack runs with nothing of the launcher's environment (forwarded credentials) and not
/// in the project directory (where a core dump of it would land): a stack that writes down
/// its environment and working directory, then fails (red-team).
#[test]
fn the_stack_gets_no_environment_and_does_not_run_in_the_project() {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    for stack in ["--slirp4netns", "--pasta"] {
        let seen = lab.path("logs/stack-seen");
        let script = lab.path("logs/stack.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh
{{ env; echo \"cwd=$(pwd)\"; }} >{seen}
exit 1
"
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let argv = lab.jail_argv(&["--internet", stack, &script], &["true"]);
        let out = lab
            .on_host(&argv)
            .env("SECRET_TOKEN", "leaked")
            .current_dir(&lab.dir)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{stack}");
        let seen = std::fs::read_to_string(&seen).unwrap_or_else(|e| panic!("{stack}: {e}"));
        assert!(!seen.contains("SECRET_TOKEN"), "{stack}: {seen}");
        assert!(seen.contains("cwd=/\n"), "{stack}: {seen}");
    }
}

#[test]
fn a_network_that_fails_to_start_kills_the_jail_before_the_agent_runs() {
    a_failing_stack_kills_the_jail("--pasta", "pasta");
}

#[test]
fn a_slirp4netns_that_fails_kills_the_jail_before_the_agent_runs() {
    a_failing_stack_kills_the_jail("--slirp4netns", "slirp4netns");
}

#[test]
fn launch_times_show_each_step_of_the_network_start() {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    let mut argv = vec!["env".to_string(), "JAILGEN_LAUNCH_TIMES=1".into()];
    argv.extend(lab.jail_argv(
        &["--internet", "--slirp4netns", "/usr/bin/slirp4netns"],
        &["true"],
    ));
    let out = lab.on_host(&argv).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("jailgen: network times (µs): "))
        .unwrap_or_else(|| panic!("no network times in {stderr}"));
    let steps: Vec<&str> = line
        .split(' ')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            assert!(v.parse::<u64>().is_ok(), "{line}");
            k
        })
        .collect();
    assert_eq!(
        steps,
        ["info", "namespaces", "loopback", "spawned", "stack"],
        "{line}"
    );
}

/// The helper starts slirp4netns without a fork of its own (posix_spawn) and so without a
/// parent-death signal: slirp4netns's `--exit-fd` is what ends it with the helper.
#[test]
fn slirp4netns_ends_when_the_helper_is_killed() {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    let argv = lab.jail_argv(
        &["--internet", "--slirp4netns", "/usr/bin/slirp4netns"],
        &["sleep", "30"],
    );
    let mut jail = lab.on_host(&argv).spawn().unwrap();
    let live_slirp = || {
        let out = Command::new("ip")
            .args(["netns", "pids", &lab.host])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|pid| {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                // pid (comm) state ppid …
                let (comm, rest) = stat.split_once(") ")?;
                let mut f = rest.split_whitespace();
                let (state, ppid) = (f.next()?, f.next()?);
                (comm.ends_with("(slirp4netns") && state != "Z")
                    .then(|| (pid.to_string(), ppid.to_string()))
            })
            .collect::<Vec<_>>()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let (slirp, helper) = loop {
        if let Some(found) = live_slirp().into_iter().next() {
            break found;
        }
        assert!(Instant::now() < deadline, "slirp4netns never started");
        std::thread::sleep(Duration::from_millis(20));
    };
    let comm = std::fs::read_to_string(format!("/proc/{helper}/comm")).unwrap();
    assert_eq!(
        comm.trim(),
        "netjail",
        "slirp4netns {slirp}'s parent is the helper"
    );
    assert!(
        Command::new("kill")
            .args(["-KILL", &helper])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(2);
    while live_slirp().iter().any(|(p, _)| *p == slirp) {
        assert!(
            Instant::now() < deadline,
            "slirp4netns {slirp} outlived the helper {helper}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = jail.kill();
    let _ = jail.wait();
}

#[test]
fn a_bwrap_that_fails_before_the_jail_exists_leaves_no_helper_behind() {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    let mut argv = lab.jail_argv(&["--internet"], &["true"]);
    // An option bwrap refuses, before it clones.
    let at = argv.iter().position(|a| a == "--unshare-all").unwrap();
    argv.insert(at, "--no-such-bwrap-option".into());
    let out = lab.on_host(&argv).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("jailgen:"), "{stderr}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let left = lab.host_processes();
    assert!(
        !left.iter().any(|c| c == "netjail" || c == "pasta"),
        "{left:?}"
    );
}

/// Not an assertion: prints the transfer rate of 64 MiB from the world through each mode
/// (`cargo test -p jailgen-net --test lab throughput -- --ignored --nocapture`; BENCHMARKS.md).
#[test]
#[ignore]
fn throughput() {
    if lab_gate().is_none() {
        return;
    }
    let lab = Lab::new();
    let curl = "for i in 1 2 3; do curl -sS -o /dev/null -w '%{speed_download}\\n' http://allowed.test/mib/64; done";
    for net in [
        vec!["--internet"],
        vec!["--internet", "--slirp4netns", "/usr/bin/slirp4netns"],
        vec!["--allow", "allowed.test"],
    ] {
        let argv = lab.jail_argv(&net, &["sh", "-c", curl]);
        let out = lab.on_host(&argv).output().unwrap();
        let rates: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                format!(
                    "{:.0} MiB/s",
                    l.trim().parse::<f64>().unwrap_or(0.0) / 1048576.0
                )
            })
            .collect();
        println!(
            "{net:?}: {rates:?} {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = lab
        .on_host(&["sh".into(), "-c".into(), curl.into()])
        .output()
        .unwrap();
    println!(
        "host, no jail: {}",
        String::from_utf8_lossy(&out.stdout).replace('\n', " ")
    );
}
