//! The working-directory guard (was jailgen_guard_cwd + _jailgen_refuse_cwd).

mod common;
use common::scenario::{secret_and_socket_directories, symlinked_working_directory};
use common::*;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::PathBuf;

/// Insisting on a directory like `/` or `/proc`: the hide walk there would be cut short (and
/// refuse, red-team F4), which is not what these tests are about.
const NO_HIDE: &str = r#""hide":[]"#;

#[test]
fn refuses_home_root_and_ancestors_of_home_unless_allowed() {
    let f = bare();
    let parent = f.home.parent().unwrap().to_path_buf();
    for (cwd, what) in [
        (f.home.clone(), "your home directory"),
        (PathBuf::from("/"), "the root directory /"),
        (parent, "which contains your home directory"),
    ] {
        let (out, argv) = Run::new(policy(""), &cwd, &f.home).record();
        assert_refused(&out, &[what, "JAILGEN_ALLOW_CWD=1"]);
        assert!(argv.is_empty(), "bwrap never ran");
        let (out, argv) = Run::new(policy(NO_HIDE), &cwd, &f.home)
            .env("JAILGEN_ALLOW_CWD", "1")
            .record();
        assert!(out.status.success(), "override in {cwd:?}: {}", text(&out));
        assert!(!argv.is_empty());
    }
    let (out, _) = Run::new(policy(""), &f.proj, &f.home).record();
    assert!(out.status.success(), "{}", text(&out));

    // $HOME given through a symlink: its real directory is refused too.
    let link = f.proj.parent().unwrap().join("home-link");
    symlink(&f.home, &link).unwrap();
    let (out, _) = Run::new(policy(""), &f.home, &link).record();
    assert_refused(&out, &["your home directory"]);
}

#[test]
fn refuses_directories_of_secrets_and_sockets() {
    let f = bare();
    let (mut refused, runtime_dir) = secret_and_socket_directories(&f);
    // (Only where this user may enter it: run as an unprivileged user, /root is closed.)
    if fs::read_dir("/root").is_ok() && !f.home.starts_with("/root") {
        refused.push(PathBuf::from("/root"));
    }
    let xdg = runtime_dir.to_str().unwrap().to_string();
    for dir in &refused {
        fs::create_dir_all(dir).unwrap();
        let (out, _) = Run::new(policy(""), dir, &f.home)
            .env("XDG_RUNTIME_DIR", &xdg)
            .env("JAILGEN_ALLOW_CONCURRENT", "1")
            .record();
        assert_refused(&out, &["JAILGEN_ALLOW_CWD=1"]);
        let (out, _) = Run::new(policy(NO_HIDE), dir, &f.home)
            .env("XDG_RUNTIME_DIR", &xdg)
            .env("JAILGEN_ALLOW_CWD", "1")
            .env("JAILGEN_ALLOW_CONCURRENT", "1")
            .record();
        assert!(out.status.success(), "override in {dir:?}: {}", text(&out));
    }
    for dir in [f.proj.clone(), f.home.parent().unwrap().join("scratch")] {
        fs::create_dir_all(&dir).unwrap();
        let (out, _) = Run::new(policy(""), &dir, &f.home).record();
        assert!(out.status.success(), "{dir:?}: {}", text(&out));
    }
}

/// F12: started from a symlink, the jail binds and masks the physical directory (where
/// bwrap starts the agent), so a read-only grant showing it cannot show it unmasked.
#[test]
fn a_symlinked_working_directory_is_bound_and_masked_where_the_agent_works() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    let (app, logical) = symlinked_working_directory(&f);
    let out = Run::new(policy(r#""readonly":["~/src"]"#), &logical, &f.home)
        .jail("pwd; cat .env; cat ~/src/app/.env; echo end");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        stdout(&out),
        format!("{}\nend\n", app.display()),
        "{}",
        text(&out)
    );
}
