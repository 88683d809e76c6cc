//! `JAILGEN_TEST_USER=NAME`, when the tests run as root: every wrapper and git command runs as
//! that unprivileged user (`setpriv`, no supplementary groups), and the fixture's directory is
//! handed to it before each run, so the jail behaves as it does for a user. Unset, everything
//! runs as whoever runs the tests.

use crate::text;
use std::path::Path;
use std::process::Command;

fn test_user() -> Option<&'static (String, String)> {
    static USER: std::sync::OnceLock<Option<(String, String)>> = std::sync::OnceLock::new();
    USER.get_or_init(|| {
        let name = std::env::var("JAILGEN_TEST_USER")
            .ok()
            .filter(|n| !n.is_empty())?;
        let id = |flag: &str| {
            let out = Command::new("id")
                .args([flag, &name])
                .output()
                .expect("run id");
            assert!(
                out.status.success(),
                "JAILGEN_TEST_USER={name}: no such user"
            );
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        Some((id("-u"), id("-g")))
    })
    .as_ref()
}

/// Whether the jails run as `JAILGEN_TEST_USER`.
pub fn as_test_user() -> bool {
    test_user().is_some()
}

/// A command for `program`, run as the test user when there is one.
pub fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    match test_user() {
        Some((uid, gid)) => {
            let mut c = Command::new("/usr/bin/setpriv");
            c.args(["--reuid", uid, "--regid", gid, "--clear-groups", "--"])
                .arg(program);
            c
        }
        None => Command::new(program),
    }
}

/// Gives the fixture holding `path` (a directory under the temp dir) to the test user.
pub fn hand_over_fixture(path: &Path) {
    let Some((uid, gid)) = test_user() else {
        return;
    };
    let tmp = std::env::temp_dir();
    let Some(root) = path.ancestors().find(|a| a.parent() == Some(tmp.as_path())) else {
        return;
    };
    let out = Command::new("chown")
        .args(["-R", &format!("{uid}:{gid}")])
        .arg(root)
        .output()
        .expect("run chown");
    assert!(out.status.success(), "chown {root:?}: {}", text(&out));
}
