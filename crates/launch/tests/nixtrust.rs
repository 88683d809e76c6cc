//! Issue 10, item 6: `nix: true` refuses a trusted Nix user unless JAILGEN_ALLOW_TRUSTED_NIX=1.
//! Root is always trusted (Nix's default `trusted-users = root`); on this machine's
//! /etc/nix/nix.conf nobody else is, so as an unprivileged user the launch goes on.

mod common;
use common::*;

#[test]
fn nix_refuses_a_trusted_user_unless_insisted() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    let policy = policy(r#""nix":true"#);
    let out = Run::new(policy.clone(), &f.proj, &f.home).jail("true");
    let err = stderr(&out);
    // SAFETY: getuid has no preconditions.
    let root = unsafe { libc::getuid() } == 0;
    if root {
        assert_eq!(out.status.code(), Some(125), "{err}");
        assert!(
            err.starts_with("jailgen: refusing to start: `nix: true`: you (`root`) are a trusted Nix user (`root` in the daemon's trusted-users"),
            "{err}"
        );
        assert!(err.ends_with("; remove yourself from trusted-users, or set JAILGEN_ALLOW_TRUSTED_NIX=1 to insist\n"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    } else {
        assert!(!err.contains("trusted Nix user"), "{err}");
    }
    let out = Run::new(policy, &f.proj, &f.home)
        .env("JAILGEN_ALLOW_TRUSTED_NIX", "1")
        .jail("true");
    assert!(
        !stderr(&out).contains("trusted Nix user"),
        "{}",
        stderr(&out)
    );
}
