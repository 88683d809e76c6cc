//! Git protection (was jailgen_protect_git and its helpers), with the red-team regressions.

mod common;
use common::scenario::*;
use common::*;
use std::fs;
use std::os::unix::fs::symlink;
use std::process::Command;

fn git_policy(mode: &str) -> String {
    policy(&format!(r#""git":"{mode}""#))
}

#[test]
fn protect_makes_hooks_and_config_read_only_and_commits_still_work() {
    if !have_bwrap() || !have_git() {
        return;
    }
    let f = fixture();
    let config_before = fs::read(f.proj.join(".git/config")).unwrap();
    let out = Run::new(git_policy("protect"), &f.proj, &f.home).jail(GIT_ATTACKS);
    let so = stdout(&out);
    assert!(out.status.success(), "{}", text(&out));
    assert!(lines_with(&so, "WROTE").is_empty(), "{}", text(&out));
    assert_eq!(lines_with(&so, "blocked").len(), 7, "{}", text(&out));
    assert!(so.contains("COMMIT_OK"), "{}", text(&out));
    assert!(git(&f.proj, &["log", "--format=%s"]).starts_with("from the jail\n"));
    assert!(!f.proj.join(".git/hooks/post-checkout").exists());
    assert_eq!(fs::read(f.proj.join(".git/config")).unwrap(), config_before);
}

#[test]
fn open_leaves_hooks_writable_so_the_protect_test_can_fail() {
    if !have_bwrap() || !have_git() {
        return;
    }
    let f = fixture();
    let out = Run::new(git_policy("open"), &f.proj, &f.home).jail(GIT_ATTACKS);
    let so = stdout(&out);
    assert!(
        so.contains("WROTE: sh -c echo \"touch /tmp/owned\" > .git/hooks/post-checkout")
            && so.contains("WROTE: mv .git .git-moved"),
        "{}",
        text(&out)
    );
}

#[test]
fn protect_covers_a_hooks_path_inside_the_project_and_a_missing_hooks_dir() {
    if !have_bwrap() || !have_git() {
        return;
    }
    let f = fixture();
    husky_hooks_without_dot_git_hooks(&f);
    let out = Run::new(git_policy("protect"), &f.proj, &f.home).jail(HUSKY_ATTACKS);
    assert_eq!(
        stdout(&out),
        "blocked .husky/_/pre-commit\nblocked .git/hooks/pre-commit\nblocked mv .husky\n",
        "{}",
        text(&out)
    );
    assert!(f.proj.join(".husky/_").is_dir() && f.proj.join(".git/hooks").is_dir());
}

#[test]
fn a_linked_worktree_commits_and_its_common_dir_is_protected() {
    if !have_bwrap() || !have_git() {
        return;
    }
    let f = fixture();
    let (wt, dotgit) = linked_worktree(&f);
    let out = Run::new(git_policy("protect"), &wt, &f.home).jail(WORKTREE_ATTACKS);
    let so = stdout(&out);
    assert!(lines_with(&so, "WROTE").is_empty(), "{}", text(&out));
    assert_eq!(lines_with(&so, "blocked").len(), 3, "{}", text(&out));
    assert!(so.contains("COMMIT_OK"), "{}", text(&out));
    assert!(git(&f.proj, &["log", "--format=%s", "feature"]).starts_with("worktree commit\n"));
    assert_eq!(fs::read_to_string(wt.join(".git")).unwrap(), dotgit);
    let open = "echo more >> wt-file; git add wt-file; if git commit -q -m again; then echo COMMIT_OK; fi; \
        common=$(git rev-parse --git-common-dir); if echo evil > \"$common/hooks/post-checkout\"; then echo HOOK_WRITTEN; fi";
    let out = Run::new(git_policy("open"), &wt, &f.home).jail(open);
    assert_eq!(stdout(&out), "COMMIT_OK\nHOOK_WRITTEN\n", "{}", text(&out));
}

#[test]
fn a_planted_dot_git_file_cannot_make_the_next_launch_bind_other_host_directories() {
    if !have_bwrap() || !have_git() {
        return;
    }
    let f = fixture();
    plant_ssh_key(&f.home);
    let (other, entry) = other_repository_with_a_worktree(&f);
    let planted = f.home.join("src/planted");
    fs::create_dir_all(&planted).unwrap();
    for target in [f.home.join(".ssh"), other.join(".git"), entry.clone()] {
        fs::write(
            planted.join(".git"),
            format!("gitdir: {}\n", target.display()),
        )
        .unwrap();
        for mode in ["protect", "open"] {
            let out = Run::new(git_policy(mode), &planted, &f.home).jail(PLANTED_GITDIR_PROBE);
            assert_eq!(stdout(&out), "done\n", "{target:?} {mode}: {}", text(&out));
            assert!(stderr(&out).contains("not binding it"), "{}", text(&out));
        }
    }
}

#[test]
fn protect_covers_config_includes_in_the_project_and_never_creates_outside_it() {
    if !have_bwrap() || !have_git() {
        return;
    }
    let f = fixture();
    let outside = config_includes_and_a_hooks_path_leading_out(&f);
    let out = Run::new(git_policy("protect"), &f.proj, &f.home).jail(INCLUDE_ATTACKS);
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

#[test]
fn protect_pins_submodule_and_worktree_entries_so_they_cannot_be_swapped() {
    if !have_bwrap() || !have_git() {
        return;
    }
    let f = fixture();
    submodule_and_worktree(&f);
    let out = Run::new(git_policy("protect"), &f.proj, &f.home).jail(SUBMODULE_ATTACKS);
    let so = stdout(&out);
    assert!(lines_with(&so, "DID").is_empty(), "{}", text(&out));
    assert_eq!(lines_with(&so, "blocked").len(), 10, "{}", text(&out));
    let out = Run::new(git_policy("open"), &f.proj, &f.home)
        .jail("mv .git/modules .git/modules-old && echo MOVED");
    assert_eq!(stdout(&out), "MOVED\n", "{}", text(&out));
}

/// F1: a symlink planted in `.git` by an earlier session is never bound; the next launch
/// refuses, naming the file, and the host home stays unreadable.
#[test]
fn a_symlink_planted_in_dot_git_is_never_bound_and_the_next_launch_refuses() {
    if !have_bwrap() || !have_git() {
        return;
    }
    for &(file, target) in SYMLINKS_PLANTED_IN_DOT_GIT {
        let f = fixture();
        plant_ssh_key(&f.home);
        let link = plant_symlink_in_dot_git(&f, file, target);
        for mode in ["protect", "open"] {
            let out = Run::new(git_policy(mode), &f.proj, &f.home)
                .jail("cat ~/.ssh/id_rsa 2>/dev/null || echo unreadable");
            assert!(
                !stdout(&out).contains("PRIVKEY"),
                "{file} {mode}: {}",
                text(&out)
            );
            if mode == "protect" {
                assert_refused(&out, &[&format!("`{}`", link.display()), "is a symlink"]);
            }
        }
    }
}

/// F9 (git part): a dangling config.worktree planted in a submodule git dir is never
/// followed to create a file elsewhere.
#[test]
fn the_host_side_never_creates_files_through_a_planted_symlink_in_git() {
    if !have_git() {
        return;
    }
    let f = fixture();
    let victim = dangling_config_worktree_in_a_submodule(&f);
    let (out, argv) = Run::new(git_policy("protect"), &f.proj, &f.home).record();
    assert!(!victim.join("made-by-git").exists(), "{}", text(&out));
    assert_refused(&out, &["config.worktree", "is a symlink"]);
    assert!(argv.is_empty());
}

/// The launcher binds `.git` and hooks through descriptors it opened, never by path: a
/// `.git` swapped after the checks cannot change what gets mounted.
#[test]
fn git_binds_go_through_descriptors() {
    if !have_git() {
        return;
    }
    let f = fixture();
    let (out, argv) = Run::new(git_policy("protect"), &f.proj, &f.home).record();
    assert!(out.status.success(), "{}", text(&out));
    let rt = runtime_part(&argv, &f.home);
    let proj = f.proj.to_str().unwrap();
    for (opt, dest) in [
        ("--bind-fd", format!("{proj}/.git")),
        ("--ro-bind-fd", format!("{proj}/.git/hooks")),
        ("--ro-bind-fd", format!("{proj}/.git/config")),
    ] {
        let i = rt
            .iter()
            .position(|a| *a == dest)
            .unwrap_or_else(|| panic!("{dest} in {rt:?}"));
        assert_eq!(rt[i - 2], opt, "{rt:?}");
        assert!(rt[i - 1].parse::<i32>().is_ok(), "{rt:?}");
    }
    assert!(
        !rt.iter().any(|a| a == "--ro-bind" || a == "--bind"),
        "no path binds of project files: {rt:?}"
    );
}

/// Red-team F3: a `.git` file that is not a linked worktree this launcher accepts (here
/// `git init --separate-git-dir`; a submodule checkout is the same) is bound read-only all
/// the same: the agent cannot point the host's git at a repository it made.
#[test]
fn a_dot_git_file_that_is_not_a_validated_worktree_is_read_only_too() {
    if !have_bwrap() || !have_git() {
        return;
    }
    let f = bare();
    let gd = f.home.join("gitdirs/proj");
    fs::create_dir_all(gd.parent().unwrap()).unwrap();
    git(
        &f.proj,
        &[
            "init",
            "-q",
            "--separate-git-dir",
            gd.to_str().unwrap(),
            ".",
        ],
    );
    let before = fs::read(f.proj.join(".git")).unwrap();
    let inside = r#"
git init -q --bare evil 2>/dev/null
if echo "gitdir: evil" > .git 2>/dev/null; then echo "WROTE .git"; fi
if mv .git .git-x 2>/dev/null; then echo "MOVED .git"; fi
echo end
"#;
    let out = Run::new(git_policy("protect"), &f.proj, &f.home).jail(inside);
    assert_eq!(stdout(&out), "end\n", "{}", text(&out));
    assert_eq!(fs::read(f.proj.join(".git")).unwrap(), before);
    // `open` leaves it writable (so the test can fail).
    let out = Run::new(git_policy("open"), &f.proj, &f.home).jail(inside);
    assert!(stdout(&out).contains("WROTE .git"), "{}", text(&out));
}

/// Red-team F6: what git reads besides `.git/config` is followed: a tracked file included
/// from it (and what that one includes), `config.worktree`, and a relative core.hooksPath
/// in the user's global config; every hooks directory they name inside the project is
/// read-only in the jail.
#[test]
fn hooks_paths_named_by_includes_config_worktree_and_the_global_config_are_read_only() {
    if !have_bwrap() || !have_git() {
        return;
    }
    let f = fixture();
    git(&f.proj, &["config", "include.path", "../.gitconfig"]);
    fs::write(f.proj.join(".gitconfig"), "[include]\n\tpath = conf/more\n").unwrap();
    fs::create_dir_all(f.proj.join("conf")).unwrap();
    fs::write(
        f.proj.join("conf/more"),
        "[core]\n\thooksPath = .githooks\n",
    )
    .unwrap();
    git(&f.proj, &["config", "extensions.worktreeConfig", "true"]);
    fs::write(
        f.proj.join(".git/config.worktree"),
        "[core]\n\thooksPath = wt-hooks\n",
    )
    .unwrap();
    fs::write(
        f.home.join(".gitconfig"),
        "[core]\n\thooksPath = global-hooks\n",
    )
    .unwrap();
    for d in [".githooks", "wt-hooks", "global-hooks"] {
        fs::create_dir_all(f.proj.join(d)).unwrap();
        fs::write(f.proj.join(d).join("pre-commit"), "#!/bin/sh\n").unwrap();
    }
    let inside = r#"
for p in .githooks wt-hooks global-hooks; do
  if sh -c "echo evil >> $p/pre-commit" 2>/dev/null; then echo "WROTE $p"; fi
done
if sh -c "echo evil >> conf/more" 2>/dev/null; then echo "WROTE conf/more"; fi
echo end
"#;
    let out = Run::new(git_policy("protect"), &f.proj, &f.home).jail(inside);
    assert_eq!(stdout(&out), "end\n", "{}", text(&out));
    let out = Run::new(git_policy("open"), &f.proj, &f.home).jail(inside);
    assert!(stdout(&out).contains("WROTE .githooks"), "{}", text(&out));
}

/// Red-team F7: a hook that is a symlink into the working tree runs a file the agent could
/// edit; its target is read-only in the jail. Husky's `.husky/` (run by `.husky/_`) too.
#[test]
fn a_hook_symlinked_into_the_project_and_huskys_scripts_are_read_only() {
    if !have_bwrap() || !have_git() {
        return;
    }
    let f = fixture();
    fs::create_dir_all(f.proj.join("scripts")).unwrap();
    fs::write(f.proj.join("scripts/pre-commit"), "#!/bin/sh\n").unwrap();
    fs::remove_file(f.proj.join(".git/hooks/pre-commit")).unwrap();
    symlink(
        "../../scripts/pre-commit",
        f.proj.join(".git/hooks/pre-commit"),
    )
    .unwrap();
    fs::create_dir_all(f.proj.join(".husky/_")).unwrap();
    fs::write(f.proj.join(".husky/pre-push"), "#!/bin/sh\n").unwrap();
    git(&f.proj, &["config", "core.hooksPath", ".husky/_"]);
    let inside = r#"
for p in scripts/pre-commit .husky/pre-push; do
  if sh -c "echo evil >> $p" 2>/dev/null; then echo "WROTE $p"; fi
done
echo end
"#;
    let out = Run::new(git_policy("protect"), &f.proj, &f.home).jail(inside);
    assert_eq!(stdout(&out), "end\n", "{}", text(&out));
    let out = Run::new(git_policy("open"), &f.proj, &f.home).jail(inside);
    assert!(
        stdout(&out).contains("WROTE scripts/pre-commit"),
        "{}",
        text(&out)
    );
}

/// Red-team F1 (a design limit: binds cannot stop files that do not exist yet): a
/// `.git/commondir` or a `config.worktree` git would not read on its own, planted by one
/// session, makes the next launch refuse, naming the file and the way to insist.
#[test]
fn a_commondir_or_stray_config_worktree_planted_in_dot_git_refuses_the_next_launch() {
    if !have_bwrap() || !have_git() {
        return;
    }
    let f = fixture();
    let plant = r#"
mkdir -p evil/hooks evil/refs evil/objects && cp -r .git/objects/. evil/objects/ && cp -r .git/refs/. evil/refs/ && cp .git/HEAD evil/
printf '[core]\n\tfsmonitor = "touch /tmp/pwned; false"\n' > evil/config
echo ../evil > .git/commondir && echo planted
"#;
    let out = Run::new(git_policy("protect"), &f.proj, &f.home).jail(plant);
    assert_eq!(stdout(&out), "planted\n", "{}", text(&out));
    let out = Run::new(git_policy("protect"), &f.proj, &f.home).jail("echo started");
    assert_refused(
        &out,
        &[
            ".git/commondir`",
            "never holds one",
            "JAILGEN_ALLOW_GIT_LAYOUT=1",
        ],
    );
    let out = Run::new(git_policy("protect"), &f.proj, &f.home)
        .env("JAILGEN_ALLOW_GIT_LAYOUT", "1")
        .jail("echo started");
    assert_eq!(stdout(&out), "started\n", "{}", text(&out));
    fs::remove_file(f.proj.join(".git/commondir")).unwrap();

    fs::write(
        f.proj.join(".git/config.worktree"),
        "[core]\n\tfsmonitor = x\n",
    )
    .unwrap();
    let out = Run::new(git_policy("protect"), &f.proj, &f.home).jail("echo started");
    assert_refused(
        &out,
        &[".git/config.worktree`", "extensions.worktreeConfig"],
    );
    // With the extension on, it is git's own file (bound read-only), and the launch goes on.
    git(&f.proj, &["config", "extensions.worktreeConfig", "true"]);
    let out = Run::new(git_policy("protect"), &f.proj, &f.home)
        .jail("echo x >> .git/config.worktree 2>/dev/null || echo blocked");
    assert_eq!(stdout(&out), "blocked\n", "{}", text(&out));
}

/// Red-team F14: the directory a planted `.git` file names is agent-chosen; its files are
/// read without following symlinks and never block (a FIFO, `/dev/zero`).
#[test]
fn a_planted_git_dir_with_a_fifo_for_commondir_does_not_hang_the_launch() {
    if !have_git() {
        return;
    }
    let f = bare();
    let gd = f.proj.join("evil-gd");
    fs::create_dir_all(&gd).unwrap();
    let fifo = gd.join("fifo");
    let st = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(st.success());
    symlink("fifo", gd.join("commondir")).unwrap();
    fs::write(gd.join("gitdir"), "x\n").unwrap();
    fs::write(f.proj.join(".git"), "gitdir: evil-gd\n").unwrap();
    // Unblock an old launcher after 10 s, so that the test fails instead of hanging.
    let unblock = fifo.clone();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(10));
        let _ = fs::OpenOptions::new().write(true).open(&unblock);
    });
    let t = std::time::Instant::now();
    let (out, _) = Run::new(policy(r#""git":"protect""#), &f.proj, &f.home).record();
    assert!(
        t.elapsed().as_secs() < 8,
        "blocked on the FIFO: {}",
        text(&out)
    );
    assert!(stderr(&out).contains("not binding it"), "{}", text(&out));
}

/// Red-team F14: a hooks path spelled through a symlinked alias of the working directory
/// cannot be pinned by that spelling: the launch warns, as the old runtime did.
#[test]
fn a_hooks_path_through_an_alias_of_the_project_is_named_in_a_warning() {
    if !have_git() {
        return;
    }
    let f = fixture();
    let alias = f.home.join("alias");
    symlink(&f.proj, &alias).unwrap();
    fs::create_dir_all(f.proj.join(".githooks")).unwrap();
    let spelled = format!("{}/.githooks", alias.display());
    git(&f.proj, &["config", "core.hooksPath", &spelled]);
    let (out, _) = Run::new(policy(r#""git":"protect""#), &f.proj, &f.home).record();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        stderr(&out).contains(&format!("cannot protect `{spelled}`")),
        "{}",
        text(&out)
    );
}
