//! A temp home with a git project in it, and git run the way the tests need it: no system or
//! user config, a fixed identity, and in a fixture made for the test user, as that user
//! ([`crate::user`]).

use crate::{text, user};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A temp dir (mode 0755) with `home/` and the project directory `home/src/proj`.
pub struct Fixture {
    _tmp: tempfile::TempDir,
    pub home: PathBuf,
    pub proj: PathBuf,
}

/// The directories alone: `proj` is no git repository.
pub fn bare() -> Fixture {
    made(false)
}

fn made(for_test_user: bool) -> Fixture {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    if for_test_user {
        user::register(tmp.path());
    }
    let home = tmp.path().join("home");
    let proj = home.join("src/proj");
    fs::create_dir_all(&proj).unwrap();
    Fixture {
        _tmp: tmp,
        home,
        proj,
    }
}

/// [`bare`] with `proj` a git repository holding one commit (`README`) and an executable
/// pre-commit hook (`#!/bin/sh\nexit 0\n`).
pub fn fixture() -> Fixture {
    project(made(false))
}

/// [`fixture`], handed to `JAILGEN_TEST_USER` when there is one: git in it, and the jails the
/// runtime tests start from it, run as that user.
pub fn fixture_for_test_user() -> Fixture {
    project(made(true))
}

fn project(f: Fixture) -> Fixture {
    git(&f.proj, &["init", "-q", "-b", "main"]);
    fs::write(f.proj.join("README"), "hello\n").unwrap();
    git(&f.proj, &["add", "README"]);
    git(&f.proj, &["commit", "-q", "-m", "init"]);
    let hook = f.proj.join(".git/hooks/pre-commit");
    fs::write(&hook, "#!/bin/sh\nexit 0\n").unwrap();
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
    f
}

/// `git ARGS` in `dir` (HOME there, no system config, identity `t`), asserting success; its
/// stdout. In a fixture made for the test user, as that user.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let mut git = if user::is_handed(dir) {
        user::hand_over_fixture(dir);
        user::command("git")
    } else {
        std::process::Command::new("git")
    };
    let out = git
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .output()
        .expect("spawn git");
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `~/.ssh/id_rsa` holding `PRIVKEY`: what a jail must never show.
pub fn plant_ssh_key(home: &Path) {
    fs::create_dir_all(home.join(".ssh")).unwrap();
    fs::write(home.join(".ssh/id_rsa"), "PRIVKEY\n").unwrap();
}
