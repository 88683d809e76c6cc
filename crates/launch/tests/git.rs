//! Git protection (was jailgen_protect_git and its helpers), with the red-team regressions.

mod common;
use common::*;
use std::fs;
use std::os::unix::fs::symlink;

const GIT_ATTACKS: &str = r#"
try() { if "$@" 2>/dev/null; then echo "WROTE: $*"; else echo "blocked: $*"; fi; }
try sh -c 'echo "touch /tmp/owned" > .git/hooks/post-checkout'
try sh -c 'echo evil >> .git/hooks/pre-commit'
try sh -c 'echo "[core] fsmonitor = evil" >> .git/config'
try git config core.hooksPath /tmp/evil
try mv .git .git-moved
try mv .git/hooks .git/hooks-moved
try rm -f .git/config
echo data > new-file
git add new-file
if git -c core.hooksPath=/nonexistent commit -q -m "from the jail"; then echo COMMIT_OK; else echo COMMIT_FAILED; fi
"#;

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
    git(&f.proj, &["config", "core.hooksPath", ".husky/_"]);
    fs::remove_dir_all(f.proj.join(".git/hooks")).unwrap();
    let inside = r#"
for p in .husky/_/pre-commit .git/hooks/pre-commit; do
  if sh -c "echo evil > $p" 2>/dev/null; then echo "WROTE $p"; else echo "blocked $p"; fi
done
if mv .husky .husky-old 2>/dev/null; then echo "MOVED .husky"; else echo "blocked mv .husky"; fi
"#;
    let out = Run::new(git_policy("protect"), &f.proj, &f.home).jail(inside);
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
    let wt = f.home.join("src/proj worktree 'quoted'");
    git(
        &f.proj,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "feature",
            wt.to_str().unwrap(),
        ],
    );
    let dotgit = fs::read_to_string(wt.join(".git")).unwrap();
    let inside = r#"
try() { if "$@" 2>/dev/null; then echo "WROTE: $*"; else echo "blocked: $*"; fi; }
common=$(git rev-parse --git-common-dir)
try sh -c "echo evil > '$common/hooks/post-checkout'"
try sh -c "echo evil >> '$common/config'"
try sh -c 'echo "gitdir: /tmp/evil" > .git'
echo data > wt-file
git add wt-file
if git commit -q -m "worktree commit"; then echo COMMIT_OK; else echo COMMIT_FAILED; fi
"#;
    let out = Run::new(git_policy("protect"), &wt, &f.home).jail(inside);
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
    let other = f.home.join("src/other");
    fs::create_dir_all(&other).unwrap();
    git(&other, &["init", "-q", "-b", "main"]);
    git(&other, &["commit", "-q", "--allow-empty", "-m", "other"]);
    let other_wt = f.home.join("src/other-wt");
    git(
        &other,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "w",
            other_wt.to_str().unwrap(),
        ],
    );
    let entry = other.join(".git/worktrees/other-wt");
    let planted = f.home.join("src/planted");
    fs::create_dir_all(&planted).unwrap();
    let inside = r#"
for d in "$HOME/.ssh" "$HOME/src/other/.git" "$HOME/src/other/.git/worktrees/other-wt"; do
  if ls -A "$d" >/dev/null 2>&1; then echo "VISIBLE $d"; fi
done
echo done
"#;
    for target in [f.home.join(".ssh"), other.join(".git"), entry.clone()] {
        fs::write(
            planted.join(".git"),
            format!("gitdir: {}\n", target.display()),
        )
        .unwrap();
        for mode in ["protect", "open"] {
            let out = Run::new(git_policy(mode), &planted, &f.home).jail(inside);
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
    git(&f.proj, &["config", "include.path", "../shared.gitconfig"]);
    git(
        &f.proj,
        &["config", "--add", "include.path", "../missing.gitconfig"],
    );
    fs::write(f.proj.join("shared.gitconfig"), "[user]\n\tname = t\n").unwrap();
    let outside = f.home.join("outside");
    fs::create_dir_all(&outside).unwrap();
    symlink(&outside, f.proj.join("linkout")).unwrap();
    git(&f.proj, &["config", "core.hooksPath", "linkout/hooks"]);
    let inside = r#"
for p in shared.gitconfig missing.gitconfig; do
  if sh -c "echo '[core] fsmonitor = evil' >> $p" 2>/dev/null; then echo "WROTE $p"; else echo "blocked $p"; fi
done
"#;
    let out = Run::new(git_policy("protect"), &f.proj, &f.home).jail(inside);
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
    let lib = f.home.join("src/lib");
    fs::create_dir_all(&lib).unwrap();
    git(&lib, &["init", "-q", "-b", "main"]);
    git(&lib, &["commit", "-q", "--allow-empty", "-m", "lib"]);
    git(
        &f.proj,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            lib.to_str().unwrap(),
            "vendor/lib",
        ],
    );
    let wt = f.home.join("src/proj-wt");
    git(
        &f.proj,
        &["worktree", "add", "-q", "-b", "wt", wt.to_str().unwrap()],
    );
    let inside = r#"
try() { if "$@" 2>/dev/null; then echo "DID: $*"; else echo "blocked: $*"; fi; }
try sh -c 'echo evil > .git/modules/vendor/lib/hooks/post-checkout'
try sh -c 'echo evil >> .git/modules/vendor/lib/config'
try mv .git/modules .git/modules-old
try mv .git/modules/vendor .git/modules/vendor-old
try mv .git/modules/vendor/lib .git/modules/vendor/lib-old
try mv .git/worktrees .git/worktrees-old
try mv .git/worktrees/proj-wt .git/worktrees/proj-wt-old
try sh -c 'echo /tmp/evil > .git/worktrees/proj-wt/commondir'
try sh -c 'echo "gitdir: ../../planted" > vendor/lib/.git'
try mv vendor vendor-old
"#;
    let out = Run::new(git_policy("protect"), &f.proj, &f.home).jail(inside);
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
    let planted: &[(&str, &str)] = &[
        ("commondir", "../../.."),
        ("gitdir", "../../.."),
        ("config.worktree", "../../.."),
        ("hooks", "../../.."),
        ("modules/m/hooks", "../../../../.."),
        ("modules/m/commondir", "../../../../.."),
        ("worktrees/w/gitdir", "../../../../.."),
        ("worktrees/w/config.worktree", "../../../../.."),
    ];
    for &(file, target) in planted {
        let f = fixture();
        plant_ssh_key(&f.home);
        let gd = f.proj.join(".git");
        let link = gd.join(file);
        let parent = link.parent().unwrap();
        if parent != gd {
            fs::create_dir_all(parent).unwrap();
            fs::write(parent.join("HEAD"), "ref: refs/heads/x\n").unwrap();
        }
        if link.is_dir() {
            fs::remove_dir_all(&link).unwrap();
        } else if link.exists() {
            fs::remove_file(&link).unwrap();
        }
        symlink(target, &link).unwrap();
        if file == "config.worktree" {
            git(&f.proj, &["config", "extensions.worktreeConfig", "true"]);
        }
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
    let victim = f.home.join("victim");
    fs::create_dir_all(&victim).unwrap();
    let m = f.proj.join(".git/modules/m");
    fs::create_dir_all(&m).unwrap();
    fs::write(m.join("HEAD"), "ref: refs/heads/x\n").unwrap();
    fs::write(m.join("config"), "[extensions]\n\tworktreeConfig = true\n").unwrap();
    symlink(victim.join("made-by-git"), m.join("config.worktree")).unwrap();
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
