//! `JAILGEN_TEST_USER=NAME`, when the runtime tests run as root: every wrapper and git command
//! runs as that unprivileged user (`setpriv`, no supplementary groups), and the fixture's
//! directory is handed to it before each run, so the jail behaves as it does for a user. Only
//! a fixture made by [`crate::fixture_for_test_user`] is handed over (the launcher's tests run
//! as whoever runs them: scripts/test-launcher-as-user.sh runs them as a user). Unset,
//! everything runs as whoever runs the tests.

use crate::text;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The temp directories of the fixtures made for the test user.
static HANDED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

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

/// The fixture's directory (the one below the temp dir) holding `path`.
fn fixture_root(path: &Path) -> Option<&Path> {
    let tmp = std::env::temp_dir();
    path.ancestors().find(|a| a.parent() == Some(tmp.as_path()))
}

/// Marks the fixture at `root` as one the test user gets.
pub(crate) fn register(root: &Path) {
    if test_user().is_some() {
        HANDED.lock().unwrap().push(root.to_path_buf());
    }
}

/// Whether `path` lies in a fixture the test user gets.
pub(crate) fn is_handed(path: &Path) -> bool {
    fixture_root(path).is_some_and(|r| HANDED.lock().unwrap().iter().any(|h| h == r))
}

/// Gives the fixture holding `path` (a fixture made by [`crate::fixture_for_test_user`]) to
/// the test user.
pub fn hand_over_fixture(path: &Path) {
    let Some((uid, gid)) = test_user() else {
        return;
    };
    if !is_handed(path) {
        return;
    }
    let Some(root) = fixture_root(path) else {
        return;
    };
    let out = Command::new("chown")
        .args(["-R", &format!("{uid}:{gid}")])
        .arg(root)
        .output()
        .expect("run chown");
    assert!(out.status.success(), "chown {root:?}: {}", text(&out));
}
