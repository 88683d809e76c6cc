//! Hidden files (was jailgen_hide), nested by default (issue 9 item 7).

mod common;
use common::scenario::{
    HOSTILE_HIDE_GLOBS, hostile_hide_probe, hostile_hide_project, many_env_files, plant_secrets,
};
use common::*;
use std::fs;
use std::os::unix::fs::symlink;

#[test]
fn hide_masks_matching_files_and_directories_with_hostile_names() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    let p = &f.proj;
    let planted = hostile_hide_project(&f);
    let globs: Vec<String> = HOSTILE_HIDE_GLOBS
        .iter()
        .map(|g| format!("{g:?}"))
        .collect();
    let hide = format!(r#""hide":[{}]"#, globs.join(","));
    let inside = &hostile_hide_probe(
        ".env .env.* -rf sub/deep/.env real-secret link-to-secret dotslash-secret",
    );
    let out = Run::new(policy(&hide), p, &f.home).jail(inside);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), "fine\ndone\n", "{}", text(&out));
    let se = stderr(&out);
    assert!(se.contains("not hiding `link-outside`"), "{}", text(&out));
    assert!(se.contains("not hiding `linkdir/.env`"), "{}", text(&out));
    assert!(!p.join("pwned").exists());
    for s in planted.secrets {
        assert_eq!(
            fs::read_to_string(p.join(s)).unwrap(),
            "SECRET=1\n",
            "{s:?}"
        );
    }
    assert!(!p.join("missing").exists() && !p.join("secret dir/new").exists());
    // The same jail without hide reads them (so the test above can fail).
    let out = Run::new(policy(r#""hide":[]"#), p, &f.home).jail(inside);
    assert!(
        stdout(&out).contains("READ: .env\n") && stdout(&out).contains("LISTED"),
        "{}",
        text(&out)
    );
}

/// Issue 9 item 7: the default patterns hide a monorepo's nested `.env` files; since red-team
/// F5 the dependency and build trees are walked too (last), since an agent can move a
/// secret's directory into one.
#[test]
fn the_default_patterns_hide_nested_env_files_in_dependency_trees_too() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    plant_secrets(
        &f.proj,
        [
            "apps/web/.env",
            "apps/api/.env.production",
            ".env",
            "node_modules/pkg/.env",
            "target/.env",
        ],
    );
    // No `hide` in the policy: the defaults of nix/lib/defaults.json.
    let out = Run::new(policy(""), &f.proj, &f.home).jail("grep -rl SECRET . | sort");
    assert_eq!(stdout(&out), "", "{}", text(&out));
    let out = Run::new(policy(r#""hide":[]"#), &f.proj, &f.home).jail("grep -rl SECRET . | wc -l");
    assert_eq!(stdout(&out), "5\n", "{}", text(&out));
}

#[test]
fn hide_masks_thousands_of_files_from_one_mask_file() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    many_env_files(&f, 1500);
    let xdg = f.home.parent().unwrap().join("run-user");
    fs::create_dir_all(&xdg).unwrap();
    let out = Run::new(policy(r#""hide":[".env.*"]"#), &f.proj, &f.home)
        .env("XDG_RUNTIME_DIR", xdg.to_str().unwrap())
        .jail("cat .env.* | grep -c SECRET || true");
    assert_eq!(stdout(&out), "0\n", "{}", text(&out));
    let mask = xdg.join("jailgen/empty");
    assert_eq!(
        fs::read(&mask).unwrap(),
        b"",
        "the mask comes from the runtime dir"
    );
    assert!(!f.home.join(".cache").exists());
    // A mask someone wrote into is replaced before use; one swapped for a symlink is
    // removed, its target untouched.
    fs::set_permissions(&mask, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    fs::write(&mask, "SECRET=planted\n").unwrap();
    let out = Run::new(policy(r#""hide":[".env.*"]"#), &f.proj, &f.home)
        .env("XDG_RUNTIME_DIR", xdg.to_str().unwrap())
        .jail("cat .env.* | grep -c SECRET || true");
    assert_eq!(stdout(&out), "0\n", "{}", text(&out));
    let precious = f.home.join("precious");
    fs::write(&precious, "keep me\n").unwrap();
    fs::remove_file(&mask).unwrap();
    symlink(&precious, &mask).unwrap();
    let out = Run::new(policy(r#""hide":[".env.*"]"#), &f.proj, &f.home)
        .env("XDG_RUNTIME_DIR", xdg.to_str().unwrap())
        .jail("cat .env.* | grep -c SECRET || true");
    assert_eq!(stdout(&out), "0\n", "{}", text(&out));
    assert_eq!(fs::read_to_string(&precious).unwrap(), "keep me\n");
    assert!(!mask.is_symlink());
}

/// F9 (hide part): a runtime dir whose jailgen/ was swapped for a symlink is never
/// written through.
#[test]
fn a_symlinked_mask_directory_is_never_written_through() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    let victim = f.home.join("victim");
    fs::create_dir_all(&victim).unwrap();
    let xdg = f.home.parent().unwrap().join("run-user");
    fs::create_dir_all(&xdg).unwrap();
    symlink(&victim, xdg.join("jailgen")).unwrap();
    fs::write(f.proj.join(".env"), "SECRET=1\n").unwrap();
    let out = Run::new(policy(""), &f.proj, &f.home)
        .env("XDG_RUNTIME_DIR", xdg.to_str().unwrap())
        .jail("cat .env; echo end");
    assert_eq!(stdout(&out), "end\n", "{}", text(&out));
    assert!(
        fs::read_dir(&victim).unwrap().next().is_none(),
        "{}",
        text(&out)
    );
}

/// Red-team F4: the walk limit failed open (20 001 files in the project root and `.env` stayed
/// readable). The working directory's own entries are always matched, anchored literal
/// patterns are looked up directly, and a walk cut short refuses unless insisted on.
#[test]
fn a_walk_cut_short_still_hides_the_top_level_and_literal_paths_and_refuses_otherwise() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    let p = &f.proj;
    for i in 0..20_001 {
        fs::write(p.join(format!("f{i}")), "").unwrap();
    }
    fs::write(p.join(".env"), "SECRET=1\n").unwrap();
    let pol = policy(r#""hide":[".env","apps/web/.env"]"#);
    // The root alone over the limit, nothing below it unread: the launch goes on, masked.
    let out = Run::new(pol.clone(), p, &f.home).jail("cat .env; echo end");
    assert_eq!(stdout(&out), "end\n", "{}", text(&out));
    // A directory the walk no longer reaches: refused, naming the way to insist.
    plant_secrets(p, ["apps/web/.env", "sub/.env"]);
    let out = Run::new(pol.clone(), p, &f.home).jail("echo started");
    assert_refused(
        &out,
        &[
            "the hide walk stopped after reading 20000",
            "JAILGEN_ALLOW_PARTIAL_HIDE=1",
        ],
    );
    assert_eq!(stdout(&out), "");
    // Insisting: a warning, and the top level and the literal path are still hidden.
    let out = Run::new(pol, p, &f.home)
        .env("JAILGEN_ALLOW_PARTIAL_HIDE", "1")
        .jail("cat .env apps/web/.env; echo end");
    assert_eq!(stdout(&out), "end\n", "{}", text(&out));
    assert!(
        stderr(&out).contains("jailgen: warning: "),
        "{}",
        text(&out)
    );
}

/// Red-team F5: a secret's directory moved into a pruned tree (`target/`, `node_modules/`)
/// in one session is still hidden in the next; so are names that are not UTF-8 and what
/// lies below them.
#[test]
fn secrets_moved_into_pruned_trees_or_under_non_utf8_names_stay_hidden() {
    use std::os::unix::ffi::OsStrExt;
    if !have_bwrap() {
        return;
    }
    let f = bare();
    let p = &f.proj;
    let odd = std::ffi::OsStr::from_bytes(b"svc\xff");
    plant_secrets(p, ["target/apps/web/.env", "node_modules/x/y/.env.local"]);
    fs::create_dir_all(p.join(odd)).unwrap();
    fs::write(p.join(odd).join(".env"), "SECRET=1\n").unwrap();
    fs::write(
        p.join(std::ffi::OsStr::from_bytes(b".env.\xff")),
        "SECRET=1\n",
    )
    .unwrap();
    let out = Run::new(policy(""), p, &f.home).jail("grep -rl SECRET . ; echo end");
    assert_eq!(stdout(&out), "end\n", "{}", text(&out));
    // Without hide they are read (so the test can fail).
    let out = Run::new(policy(r#""hide":[]"#), p, &f.home).jail("grep -rl SECRET . | wc -l");
    assert_eq!(stdout(&out), "4\n", "{}", text(&out));
}

/// Red-team F5: a directory the walk cannot read (`chmod 111`, or one owned by someone else)
/// refuses instead of being skipped silently; an anchored literal pattern through it is
/// still looked up. Needs an unprivileged user (root reads everything):
/// scripts/test-launcher-as-user.sh.
#[test]
fn a_directory_the_walk_cannot_read_refuses() {
    use std::os::unix::fs::PermissionsExt;
    if !have_bwrap() {
        return;
    }
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        loud!("SKIPPED as root (reads every directory): run scripts/test-launcher-as-user.sh");
        return;
    }
    let f = bare();
    let p = &f.proj;
    fs::create_dir_all(p.join("apps/web")).unwrap();
    fs::write(p.join("apps/web/.env"), "SECRET=1\n").unwrap();
    fs::set_permissions(p.join("apps"), fs::Permissions::from_mode(0o111)).unwrap();
    let out =
        Run::new(policy(r#""hide":[".env","apps/web/.env"]"#), p, &f.home).jail("echo started");
    assert_refused(
        &out,
        &["apps`", "cannot read", "JAILGEN_ALLOW_PARTIAL_HIDE=1"],
    );
    let out = Run::new(policy(r#""hide":[".env","apps/web/.env"]"#), p, &f.home)
        .env("JAILGEN_ALLOW_PARTIAL_HIDE", "1")
        .jail("cat apps/web/.env; echo end");
    assert_eq!(stdout(&out), "end\n", "{}", text(&out));
    fs::set_permissions(p.join("apps"), fs::Permissions::from_mode(0o755)).unwrap();
}
