//! `network: true` on a stack that cannot run is refused before bwrap starts (exit 125, one
//! line naming the fix), never started on the host's network instead (issue 10).

mod common;
use common::*;

fn internet(stack: &str) -> String {
    format!(r#"{{"version":1,"name":"t","network":true,"netStack":{{"slirp4netns":"{stack}"}}}}"#)
}

#[test]
fn a_missing_stack_is_refused_and_bwrap_never_runs() {
    let f = fixture();
    let (out, argv) = Run::new(internet("/nonexistent/slirp4netns"), &f.proj, &f.home).record();
    assert_refused(
        &out,
        &[
            "`/nonexistent/slirp4netns`",
            "runs on slirp4netns: install it",
            "`host`",
            "`false`",
        ],
    );
    assert!(argv.is_empty(), "bwrap ran: {argv:?}");
}

#[test]
fn an_unusable_tun_device_is_refused_and_bwrap_never_runs() {
    let usable = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/net/tun")
        .is_ok();
    if usable {
        // Root, or a host with the usual mode 0666: nothing to refuse here. The probes
        // (tests/probes/run.sh --user on a 0600 device) show this refusal too.
        return;
    }
    let f = fixture();
    let (out, argv) = Run::new(internet("/bin/true"), &f.proj, &f.home).record();
    assert_refused(
        &out,
        &["`/dev/net/tun`", "chmod 0666 /dev/net/tun", "`host`"],
    );
    assert!(argv.is_empty(), "bwrap ran: {argv:?}");
}

/// An allowlist's refusals are always logged: with no absolute HOME or XDG_STATE_HOME there is
/// no place for the log, and the launch is refused rather than run unlogged.
#[test]
fn an_allowlist_without_a_place_for_its_log_is_refused_and_bwrap_never_runs() {
    let f = fixture();
    // A state path of its own: refused before it is created.
    let state = f.home.parent().unwrap().join("agent-state");
    let allow = format!(
        r#"{{"version":1,"name":"t","readwrite":["{0}"],"state":[{{"path":"{0}","kind":"dir"}}],"network":{{"allow":["docs.rs"],"hostPorts":[]}}}}"#,
        state.display()
    );
    for xdg in ["", "state"] {
        let (out, argv) = Run::new(allow.clone(), &f.proj, &f.home)
            .env("HOME", "home")
            .env("XDG_STATE_HOME", xdg)
            .record();
        assert_refused(&out, &["session log", "set HOME"]);
        assert!(argv.is_empty(), "bwrap ran: {argv:?}");
        assert!(
            !state.exists(),
            "the state path was created before the refusal"
        );
    }
}
