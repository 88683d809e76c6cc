//! The session lock (was jailgen_lock), F2/F10.

mod common;
use common::*;
use std::fs;
use std::path::Path;
use std::process::{Child, Stdio};

/// The first session: the launcher with real bwrap from `cwd`, the runtime directory `xdg`,
/// writing `started` there and sleeping 20 s; returned once it started.
fn first_session(f: &Fixture, cwd: &Path, xdg: &str) -> Child {
    let pol = f.home.parent().unwrap().join("first.json");
    fs::write(&pol, policy("")).unwrap();
    let first = std::process::Command::new(launcher())
        .arg(&pol)
        .arg("bwrap")
        .args(min_root(&f.home))
        .args(["--", "bash", "-c", "echo started > started; sleep 20"])
        .current_dir(cwd)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &f.home)
        .env("XDG_RUNTIME_DIR", xdg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the first session");
    wait_for_file(&cwd.join("started"), "the first session started");
    first
}

#[test]
fn a_second_session_in_the_same_project_tree_refuses_to_start_while_the_first_runs() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    let sub = f.proj.join("sub");
    fs::create_dir_all(&sub).unwrap();
    let xdg = f.home.parent().unwrap().join("run-user");
    fs::create_dir_all(&xdg).unwrap();
    let x = xdg.to_str().unwrap().to_string();
    let mut first = first_session(&f, &f.proj, &x);
    for cwd in [&f.proj, &sub] {
        let out = Run::new(policy(""), cwd, &f.home)
            .env("XDG_RUNTIME_DIR", &x)
            .jail("echo RAN");
        assert_refused(
            &out,
            &["another jailed session", "JAILGEN_ALLOW_CONCURRENT=1"],
        );
    }
    let out = Run::new(policy(""), &f.proj, &f.home)
        .env("XDG_RUNTIME_DIR", &x)
        .env("JAILGEN_ALLOW_CONCURRENT", "1")
        .jail("echo RAN");
    assert_eq!(stdout(&out), "RAN\n", "{}", text(&out));
    let other = f.home.join("src/other");
    fs::create_dir_all(&other).unwrap();
    let out = Run::new(policy(""), &other, &f.home)
        .env("XDG_RUNTIME_DIR", &x)
        .jail("echo RAN");
    assert_eq!(stdout(&out), "RAN\n", "{}", text(&out));
    first.kill().unwrap();
    first.wait().unwrap();
    let out = Run::new(policy(""), &f.proj, &f.home)
        .env("XDG_RUNTIME_DIR", &x)
        .jail("echo RAN");
    assert_eq!(stdout(&out), "RAN\n", "{}", text(&out));
}

#[test]
fn a_symlinked_lock_directory_refuses() {
    let f = bare();
    let xdg = f.home.parent().unwrap().join("run-user");
    fs::create_dir_all(&xdg).unwrap();
    std::os::unix::fs::symlink(&f.home, xdg.join("jailgen-locks")).unwrap();
    let (out, _) = Run::new(policy(""), &f.proj, &f.home)
        .env("XDG_RUNTIME_DIR", xdg.to_str().unwrap())
        .record();
    assert_refused(&out, &["jailgen-locks", "symlink"]);
    assert!(
        fs::read_dir(&f.home)
            .unwrap()
            .all(|e| e.unwrap().file_name() == "src")
    );
}

/// Launches take turns on the lock directory (an exclusive flock from the scan until exec), so
/// two launches at the same instant cannot both pass the scan before either has written its
/// record. Shown with the lock held by `flock(1)`: the launch waits for it, and a holder that
/// keeps it for more than 2 s is not waited for any longer.
#[test]
fn launches_take_turns_on_the_lock_directory() {
    if !have("flock", &["--version"]) {
        return;
    }
    let f = bare();
    let xdg = f.home.parent().unwrap().join("run-user");
    fs::create_dir_all(xdg.join("jailgen-locks")).unwrap();
    let x = xdg.to_str().unwrap().to_string();
    let locks = xdg.join("jailgen-locks");
    // (seconds held, the launch's least and most time, whether it gives up with a warning)
    for (hold, min_ms, max_ms, warned) in [(1.0, 300, 1900, false), (6.0, 1900, 5000, true)] {
        let mut holder = std::process::Command::new("flock")
            .arg(&locks)
            .args(["sleep", &hold.to_string()])
            .spawn()
            .unwrap();
        // Until the holder really holds it.
        let held = || {
            std::process::Command::new("flock")
                .args(["-n"])
                .arg(&locks)
                .arg("true")
                .status()
                .is_ok_and(|s| !s.success())
        };
        let mut tries = 0;
        while !held() && tries < 200 {
            std::thread::sleep(std::time::Duration::from_millis(10));
            tries += 1;
        }
        assert!(held(), "flock(1) took the lock");
        let start = std::time::Instant::now();
        let (out, argv) = Run::new(policy(""), &f.proj, &f.home)
            .env("XDG_RUNTIME_DIR", &x)
            .record();
        let ms = start.elapsed().as_millis();
        holder.kill().ok();
        holder.wait().ok();
        assert!(out.status.success() && !argv.is_empty(), "{}", text(&out));
        assert!(
            ms >= min_ms && ms <= max_ms,
            "held {hold} s: the launch took {ms} ms"
        );
        assert_eq!(
            stderr(&out).contains("held for 2 s"),
            warned,
            "{}",
            text(&out)
        );
    }
}

/// Red-team F13: a working directory whose record name would be longer than a file name may
/// be gets a hashed record holding its path, so its session is still kept apart; and a
/// launch that cannot write a record says so.
#[test]
fn a_long_project_path_is_locked_too_and_a_missing_lock_directory_warns() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    let deep = f.proj.join("a".repeat(120)).join("b".repeat(120));
    fs::create_dir_all(&deep).unwrap();
    let xdg = f.home.parent().unwrap().join("run-user");
    fs::create_dir_all(&xdg).unwrap();
    let x = xdg.to_str().unwrap().to_string();
    let mut first = first_session(&f, &deep, &x);
    for cwd in [&deep, &f.proj] {
        let out = Run::new(policy(""), cwd, &f.home)
            .env("XDG_RUNTIME_DIR", &x)
            .jail("echo RAN");
        assert_refused(&out, &["another jailed session"]);
    }
    first.kill().unwrap();
    first.wait().unwrap();
    // No runtime dir and no ~/.cache: the launch goes on, with one warning.
    let out = Run::new(policy(""), &f.proj, &f.home)
        .env("XDG_RUNTIME_DIR", "")
        .jail("echo RAN");
    assert_eq!(stdout(&out), "RAN\n", "{}", text(&out));
    let err = stderr(&out);
    let warnings = lines_with(&err, "jailgen: warning: no session lock");
    assert_eq!(warnings.len(), 1, "{}", text(&out));
    // A refusal stays one line: the warning is only for a launch that goes on.
    let out = Run::new(policy(r#""readonly":["~/nope"]"#), &f.proj, &f.home)
        .env("XDG_RUNTIME_DIR", "")
        .jail("echo RAN");
    assert_refused(&out, &["does not exist"]);
}
