//! What the launcher refuses before anything starts (exit 125, one line): a missing stack,
//! a bad allowlist port, an uncreatable log. These need no namespace, so they run anywhere.

use std::process::Command;

fn netjail(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_netjail"))
        .args(args)
        .args(["--", "/nonexistent/bwrap", "--", "true"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_missing_network_stack_is_refused_before_bwrap_runs() {
    let (code, stderr) = netjail(&["--internet", "--pasta", "/nonexistent/pasta"]);
    assert_eq!(code, 125, "{stderr}");
    assert_eq!(
        stderr,
        "jailgen: refusing to start: network: `/nonexistent/pasta`: No such file or directory (os error 2); the jail's network runs on pasta: install it and rebuild the jail, or set the jail's network to `host` (the host's network, loopback and abstract sockets included) or `false`\n"
    );
}

#[test]
fn the_proxy_port_cannot_be_a_host_port() {
    let (code, stderr) = netjail(&["--allow", "docs.rs", "--host-port", "3128"]);
    assert_eq!(code, 125, "{stderr}");
    assert!(
        stderr.contains("host port 3128 is the allowlist proxy's port"),
        "{stderr}"
    );
}

#[test]
fn an_uncreatable_log_is_refused() {
    let (code, stderr) = netjail(&["--allow", "docs.rs", "--log-dir", "/proc/jailgen-no"]);
    assert_eq!(code, 125, "{stderr}");
    assert!(
        stderr.starts_with("jailgen: refusing to start: cannot create the network log: "),
        "{stderr}"
    );
}
