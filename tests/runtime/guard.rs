//! The working-directory guard: a launch from the home directory, the root, an ancestor of home,
//! or a directory of secrets and sockets is refused before anything is created or bound, unless
//! the user insists with JAILGEN_ALLOW_CWD=1.

use crate::support::scenario::secret_and_socket_directories;
use crate::support::*;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// Moved from tests/runtime.rs `guard_refuses_home_root_and_ancestors_of_home_unless_allowed`
/// (which ran the bash guard alone); now the whole wrapper, through the launcher.
#[test]
fn guard_refuses_home_root_and_ancestors_of_home_unless_allowed() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let jail = Jail::new(r#"{ configPaths = [ "~/.agent" ]; }"#);
    let parent = f.home.parent().unwrap().to_path_buf();
    for (cwd, what) in [
        (f.home.clone(), "home directory"),
        (PathBuf::from("/"), "/"),
        (parent.clone(), "home directory"),
    ] {
        let out = jail.run(&cwd, &f.home, "echo RAN");
        assert_refused(
            &out,
            &[&cwd.display().to_string(), "JAILGEN_ALLOW_CWD=1", what],
        );
        assert!(
            !f.home.join(".agent").exists(),
            "{cwd:?}: state is not created when the guard refuses"
        );
    }
    // Insisting works (the agent runs there).
    for cwd in [&f.home, &parent] {
        let out = jail.run_with(cwd, &f.home, "echo RAN", &[("JAILGEN_ALLOW_CWD", "1")]);
        assert_eq!(stdout(&out), "RAN\n", "override in {cwd:?}: {}", text(&out));
    }
    // A project inside $HOME is fine.
    let out = jail.run(&f.proj, &f.home, "echo RAN");
    assert_eq!(stdout(&out), "RAN\n", "{}", text(&out));

    // $HOME given through a symlink: its real directory is refused too.
    let link = f.proj.parent().unwrap().join("home-link");
    symlink(&f.home, &link).unwrap();
    let out = jail.run(&f.home, &link, "echo RAN");
    assert_refused(&out, &["JAILGEN_ALLOW_CWD=1"]);
}

/// Moved from tests/runtime.rs `guard_refuses_directories_of_secrets_and_sockets` (F13).
#[test]
fn guard_refuses_directories_of_secrets_and_sockets() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let jail = Jail::new("{ }");
    let (mut refused, runtime_dir) = secret_and_socket_directories(&f);
    // (a user who cannot enter /root cannot start anything there either)
    if Path::new("/root").is_dir() && !as_test_user() {
        refused.push(PathBuf::from("/root"));
    }
    let xdg = runtime_dir.to_str().unwrap().to_string();
    for dir in &refused {
        fs::create_dir_all(dir).unwrap();
        let out = jail.run_with(dir, &f.home, "echo RAN", &[("XDG_RUNTIME_DIR", &xdg)]);
        assert_refused(&out, &["JAILGEN_ALLOW_CWD=1"]);
        let out = jail.run_with(
            dir,
            &f.home,
            "echo RAN",
            &[("XDG_RUNTIME_DIR", &xdg), ("JAILGEN_ALLOW_CWD", "1")],
        );
        assert_not_refused(&out);
    }
    // A project, and a directory inside /tmp that is not /tmp, are fine.
    for dir in [
        f.proj.clone(),
        f.home.parent().unwrap().to_path_buf().join("scratch"),
    ] {
        fs::create_dir_all(&dir).unwrap();
        let out = jail.run(&dir, &f.home, "echo RAN");
        assert_eq!(stdout(&out), "RAN\n", "{dir:?}: {}", text(&out));
    }
}
