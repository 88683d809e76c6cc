//! Git protection (`git = "protect"`, the default): hooks, config, the hooks path and config
//! includes, worktree and submodule entries read-only, `.git` not renamable, commits still
//! work; symlinks planted in `.git` by an earlier session are never bound. `git = "open"` is the
//! control that shows each of these tests can fail.

use crate::support::scenario::*;
use crate::support::*;
use std::fs;

fn protect() -> Jail {
    Jail::new("{ }")
}

fn open() -> Jail {
    Jail::new(r#"{ git = "open"; }"#)
}

/// Moved from tests/runtime.rs `git_protect_makes_hooks_and_config_read_only_and_commits_still_work`.
#[test]
fn git_protect_makes_hooks_and_config_read_only_and_commits_still_work() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let config_before = fs::read(f.proj.join(".git/config")).unwrap();
    let out = protect().run(&f.proj, &f.home, GIT_ATTACKS);
    let so = stdout(&out);
    assert!(out.status.success(), "{}", text(&out));
    assert!(lines_with(&so, "WROTE").is_empty(), "{}", text(&out));
    assert_eq!(lines_with(&so, "blocked").len(), 7, "{}", text(&out));
    assert!(so.contains("COMMIT_OK"), "{}", text(&out));
    // The host sees the commit, and nothing planted.
    assert!(git(&f.proj, &["log", "--format=%s"]).starts_with("from the jail\n"));
    assert!(!f.proj.join(".git/hooks/post-checkout").exists());
    assert_eq!(
        fs::read_to_string(f.proj.join(".git/hooks/pre-commit")).unwrap(),
        "#!/bin/sh\nexit 0\n"
    );
    assert_eq!(fs::read(f.proj.join(".git/config")).unwrap(), config_before);
    assert!(f.proj.join(".git/HEAD").exists() && !f.proj.join(".git-moved").exists());
}

/// Moved from tests/runtime.rs `git_open_leaves_hooks_writable_so_the_protect_test_can_fail`.
#[test]
fn git_open_leaves_hooks_writable_so_the_protect_test_can_fail() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let out = open().run(&f.proj, &f.home, GIT_ATTACKS);
    let so = stdout(&out);
    assert!(
        so.contains("WROTE: sh -c echo \"touch /tmp/owned\" > .git/hooks/post-checkout")
            && so.contains("WROTE: mv .git .git-moved"),
        "{}",
        text(&out)
    );
    assert!(f.proj.join(".git-moved/hooks/post-checkout").exists());
}

/// Moved from tests/runtime.rs
/// `git_protect_covers_a_hooks_path_inside_the_project_and_a_missing_hooks_dir`.
#[test]
fn git_protect_covers_a_hooks_path_inside_the_project_and_a_missing_hooks_dir() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    husky_hooks_without_dot_git_hooks(&f);
    let out = protect().run(&f.proj, &f.home, HUSKY_ATTACKS);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        stdout(&out),
        "blocked .husky/_/pre-commit\nblocked .git/hooks/pre-commit\nblocked mv .husky\n",
        "{}",
        text(&out)
    );
    assert!(f.proj.join(".husky/_").is_dir() && f.proj.join(".git/hooks").is_dir());
}

/// Moved from tests/runtime.rs `linked_worktree_commits_work_and_the_common_dir_is_protected`.
#[test]
fn linked_worktree_commits_work_and_the_common_dir_is_protected() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let (wt, dotgit) = linked_worktree(&f);
    assert!(
        dotgit.starts_with("gitdir: "),
        "a linked worktree: {dotgit}"
    );

    let out = protect().run(&wt, &f.home, WORKTREE_ATTACKS);
    let so = stdout(&out);
    assert!(out.status.success(), "{}", text(&out));
    assert!(lines_with(&so, "WROTE").is_empty(), "{}", text(&out));
    assert_eq!(lines_with(&so, "blocked").len(), 3, "{}", text(&out));
    assert!(so.contains("COMMIT_OK"), "{}", text(&out));
    assert!(git(&f.proj, &["log", "--format=%s", "feature"]).starts_with("worktree commit\n"));
    assert!(!f.proj.join(".git/hooks/post-checkout").exists());
    assert_eq!(fs::read_to_string(wt.join(".git")).unwrap(), dotgit);

    // Without jailgen (jail.nix's mount-cwd alone) a linked worktree cannot commit at all: its
    // git dir lives outside the working directory.
    let commit_only = "echo more >> wt-file; git add wt-file; \
        if git commit -q -m again; then echo COMMIT_OK; else echo COMMIT_FAILED; fi";
    let plain = Jail::plain_jail_nix(
        r#"[ c.mount-cwd (c.set-env "GIT_AUTHOR_NAME" "t") (c.set-env "GIT_AUTHOR_EMAIL" "t@example.org")
             (c.set-env "GIT_COMMITTER_NAME" "t") (c.set-env "GIT_COMMITTER_EMAIL" "t@example.org") ]"#,
    );
    // (jail.nix's base forwards LANG with `fwd-env`, fatal when unset: jailgen drops it)
    let out = plain.run_with(&wt, &f.home, commit_only, &[("LANG", "C.UTF-8")]);
    assert!(stdout(&out).contains("COMMIT_FAILED"), "{}", text(&out));

    // open: the worktree still commits, and the hooks are writable.
    let open_script = format!(
        "{commit_only}; common=$(git rev-parse --git-common-dir); \
         if echo evil > \"$common/hooks/post-checkout\"; then echo HOOK_WRITTEN; fi"
    );
    let out = open().run(&wt, &f.home, &open_script);
    assert_eq!(stdout(&out), "COMMIT_OK\nHOOK_WRITTEN\n", "{}", text(&out));
}

/// Moved from tests/runtime.rs
/// `a_planted_dot_git_file_cannot_make_the_next_launch_bind_other_host_directories`.
#[test]
fn a_planted_dot_git_file_cannot_make_the_next_launch_bind_other_host_directories() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    fs::create_dir_all(f.home.join(".ssh")).unwrap();
    fs::write(f.home.join(".ssh/id_ed25519"), "PRIVATE").unwrap();
    let (other, entry) = other_repository_with_a_worktree(&f);
    assert!(
        entry.join("HEAD").is_file(),
        "a real worktree entry of another repository"
    );

    // An earlier session wrote a .git file into a project directory.
    let planted = f.home.join("src/planted");
    fs::create_dir_all(&planted).unwrap();
    let (protect, open) = (protect(), open());
    for target in [
        f.home.join(".ssh"), // no git dir at all
        other.join(".git"),  // a repository, not a worktree entry
        entry.clone(),       // a real entry, but it points back to other-wt
    ] {
        fs::write(
            planted.join(".git"),
            format!("gitdir: {}\n", target.display()),
        )
        .unwrap();
        for jail in [&protect, &open] {
            let out = jail.run(&planted, &f.home, PLANTED_GITDIR_PROBE);
            assert!(out.status.success(), "{}", text(&out));
            assert_eq!(stdout(&out), "done\n", "{target:?}: {}", text(&out));
        }
    }
}

/// Moved from tests/runtime.rs
/// `git_protect_covers_config_includes_in_the_project_and_never_creates_outside_it`.
#[test]
fn git_protect_covers_config_includes_in_the_project_and_never_creates_outside_it() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let outside = config_includes_and_a_hooks_path_leading_out(&f);
    let out = protect().run(&f.proj, &f.home, INCLUDE_ATTACKS);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        stdout(&out),
        "blocked shared.gitconfig\nblocked missing.gitconfig\n",
        "{}",
        text(&out)
    );
    assert_eq!(
        fs::read_to_string(f.proj.join("shared.gitconfig")).unwrap(),
        "[user]\n\tname = t\n"
    );
    assert!(
        !outside.join("hooks").exists(),
        "nothing created through the symlink"
    );
}

/// Moved from tests/runtime.rs
/// `git_protect_pins_submodule_and_worktree_entries_so_they_cannot_be_swapped`.
#[test]
fn git_protect_pins_submodule_and_worktree_entries_so_they_cannot_be_swapped() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    submodule_and_worktree(&f);
    assert!(
        f.proj.join(".git/modules/vendor/lib/HEAD").is_file(),
        "submodule git dir"
    );
    let out = protect().run(&f.proj, &f.home, SUBMODULE_ATTACKS);
    let so = stdout(&out);
    assert!(out.status.success(), "{}", text(&out));
    assert!(lines_with(&so, "DID").is_empty(), "{}", text(&out));
    assert_eq!(lines_with(&so, "blocked").len(), 10, "{}", text(&out));
    // And the same moves succeed with git open, so this test can fail.
    let out = open().run(
        &f.proj,
        &f.home,
        "mv .git/modules .git/modules-old && echo MOVED",
    );
    assert_eq!(stdout(&out), "MOVED\n", "{}", text(&out));
}

/// Moved from tests/runtime.rs
/// `a_symlink_planted_in_dot_git_is_never_bound_and_the_next_launch_refuses` (red team F1): a
/// relative symlink planted in `.git` resolves to the host's home as a bind source and to the
/// jail's home as a destination; it must never be bound, and with protect the launch refuses
/// naming the file.
#[test]
fn a_symlink_planted_in_dot_git_is_never_bound_and_the_next_launch_refuses() {
    if !have_jail_tools() {
        return;
    }
    let (protect, open) = (protect(), open());
    for &(file, target) in SYMLINKS_PLANTED_IN_DOT_GIT {
        let f = fixture();
        plant_ssh_key(&f.home);
        let link = plant_symlink_in_dot_git(&f, file, target);
        let script = "cat ~/.ssh/id_rsa 2>/dev/null || echo unreadable";
        let out = open.run(&f.proj, &f.home, script);
        assert!(
            !stdout(&out).contains("PRIVKEY"),
            "{file} open: {}",
            text(&out)
        );
        let out = protect.run(&f.proj, &f.home, script);
        assert_refused(&out, &[&link.display().to_string(), "symlink"]);
    }
}

/// Moved from tests/runtime.rs `the_host_side_never_creates_files_through_a_planted_symlink`
/// (its git part, F9): a dangling config.worktree in a submodule git dir the agent wrote.
#[test]
fn git_protection_never_creates_a_file_through_a_planted_symlink() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let victim = dangling_config_worktree_in_a_submodule(&f);
    let out = protect().run(&f.proj, &f.home, "echo RAN");
    assert!(
        !victim.join("made-by-git").exists(),
        "created through the link: {}",
        text(&out)
    );
}
