//! Races the descriptor binds close: what the launcher checked is what bwrap mounts, even when
//! the path is swapped between the check and the mount (a concurrent agent, or an attacker
//! who wins the race). A wrapper around real bwrap performs the swap after the launcher has
//! opened everything and before bwrap runs; the host's secrets must stay out of the jail.

mod common;
use common::*;
use std::fs;
use std::process::Command;

/// A "bwrap" that first runs `swap` (in the working directory), then execs the real one.
fn swapping_bwrap(dir: &std::path::Path, swap: &str) -> std::path::PathBuf {
    let real = Command::new("sh")
        .args(["-c", "command -v bwrap"])
        .output()
        .unwrap();
    let real = stdout(&real).trim().to_string();
    let p = dir.join("swapping-bwrap");
    write_script(
        &p,
        &format!("#!/bin/sh\nset -e\n{swap}\nexec {real} \"$@\"\n"),
    );
    p
}

#[test]
fn hooks_swapped_for_a_symlink_after_the_checks_still_mount_the_real_hooks() {
    if !have_bwrap() || !have_git() {
        return;
    }
    let f = fixture();
    plant_ssh_key(&f.home);
    let swap = format!(
        "mv .git/hooks .git/hooks-real && ln -s '{}' .git/hooks",
        f.home.join(".ssh").display()
    );
    let mut run = Run::new(policy(r#""git":"protect","hide":[]"#), &f.proj, &f.home);
    run.bwrap = swapping_bwrap(f.home.parent().unwrap(), &swap);
    let out = run.jail_with_bwrap("cat .git/hooks/id_rsa ~/.ssh/id_rsa 2>/dev/null; ls .git/hooks-real/pre-commit >/dev/null && echo REAL_HOOKS_VISIBLE; echo done");
    assert!(!stdout(&out).contains("PRIVKEY"), "{}", text(&out));
    // bwrap mounts the directory the launcher opened (now named hooks-real), never the
    // symlink's target; here the destination, a link into the jail's empty home, does not
    // exist, so bwrap refuses to start: no jail rather than a leak.
    assert!(
        stdout(&out).contains("done") || stderr(&out).contains(".git/hooks-real on "),
        "{}",
        text(&out)
    );
}

#[test]
fn a_grant_swapped_for_a_symlink_after_the_checks_still_mounts_what_was_checked() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    plant_ssh_key(&f.home);
    fs::create_dir_all(f.home.join("shared")).unwrap();
    fs::write(f.home.join("shared/notes"), "notes\n").unwrap();
    let swap = format!(
        "mv '{h}/shared' '{h}/shared-real' && ln -s '{h}/.ssh' '{h}/shared'",
        h = f.home.display()
    );
    let mut run = Run::new(
        policy(r#""readonly":["~/shared"],"hide":[]"#),
        &f.proj,
        &f.home,
    );
    run.bwrap = swapping_bwrap(f.home.parent().unwrap(), &swap);
    let out = run.jail_with_bwrap("cat ~/shared/* 2>/dev/null; echo done");
    assert_eq!(
        stdout(&out),
        "notes\ndone\n",
        "the checked directory is mounted: {}",
        text(&out)
    );
}
