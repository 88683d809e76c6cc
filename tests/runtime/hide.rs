//! `hide`: files and directories matching the globs are masked in the working directory
//! (files: an empty read-only file; directories: an empty read-only tmpfs), nested ones too,
//! whatever their names; symlinks leading out are not followed; nothing is created on the host.

use crate::common::nix_lit;
use crate::support::scenario::{
    HOSTILE_HIDE_GLOBS, hostile_hide_probe, hostile_hide_project, many_env_files, plant_secrets,
};
use crate::support::*;
use std::fs;
use std::os::unix::fs::symlink;

/// Moved from tests/runtime.rs `hide_masks_matching_files_and_directories_with_hostile_names`.
#[test]
fn hide_masks_matching_files_and_directories_with_hostile_names() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let p = &f.proj;
    let planted = hostile_hide_project(&f);
    let globs: Vec<String> = HOSTILE_HIDE_GLOBS.iter().map(|g| nix_lit(g)).collect();
    let hide = format!("{{ hide = [ {} ]; }}", globs.join(" "));
    let inside =
        &hostile_hide_probe(".env .env.* -rf sub/deep/.env link-to-secret dotslash-secret");
    let out = Jail::new(&hide).run(p, &f.home, inside);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), "fine\ndone\n", "{}", text(&out));
    // Nothing ran, nothing changed on the host.
    assert!(!p.join("pwned").exists());
    for s in planted.secrets {
        assert_eq!(
            fs::read_to_string(p.join(s)).unwrap(),
            "SECRET=1\n",
            "{s:?}"
        );
    }
    assert_eq!(
        fs::read_to_string(planted.away.join(".env")).unwrap(),
        "SECRET=1\n"
    );
    assert!(!p.join("missing").exists() && !p.join("secret dir/new").exists());

    // The same jail without hide reads them (so the test above can fail).
    let out = Jail::new("{ hide = [ ]; }").run(p, &f.home, inside);
    let so = stdout(&out);
    assert!(
        so.contains("READ: .env\n") && so.contains("LISTED"),
        "{}",
        text(&out)
    );
}

/// Issue 9 (7): the default globs cover nested files, the monorepo's `apps/web/.env`, which
/// the old top-level default missed.
#[test]
fn the_default_hide_masks_nested_env_files() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    plant_secrets(
        &f.proj,
        [
            ".env",
            "apps/web/.env",
            "apps/api/.env.production",
            "a/b/c/d/.env.local",
        ],
    );
    fs::write(f.proj.join("apps/web/index.js"), "ok\n").unwrap();
    let inside = r#"
for f in .env apps/web/.env apps/api/.env.production a/b/c/d/.env.local; do
  if grep -q SECRET -- "$f" 2>/dev/null; then echo "READ: $f"; fi
done
cat apps/web/index.js
"#;
    let out = Jail::new("{ }").run(&f.proj, &f.home, inside);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), "ok\n", "{}", text(&out));
}

/// Moved from tests/runtime.rs `hide_masks_thousands_of_files_and_works_without_a_cache_dir`:
/// more matches than a process has file descriptors by default (1024), and no usable ~/.cache.
#[test]
fn hide_masks_thousands_of_files_and_works_without_a_cache_dir() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    many_env_files(&f, 1500);
    let jail = Jail::new(r#"{ hide = [ ".env.*" ]; }"#);
    let inside = "cat .env.* | grep -c SECRET || true";
    // The wrapper under `ulimit -n 1024`.
    let limited = |jail: &Jail| {
        hand_over_fixture(&f.home);
        let out = command("bash")
            .arg("-c")
            .arg("ulimit -n 1024 && exec \"$0\" -c \"$1\"")
            .arg(&jail.wrapper)
            .arg(inside)
            .current_dir(&f.proj)
            .env_clear()
            .env("HOME", &f.home)
            .env("PATH", "/usr/bin:/bin")
            .env("PWD", &f.proj)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        stdout(&out)
    };
    assert_eq!(limited(&jail), "0\n");

    // No usable ~/.cache: still masked.
    let _ = fs::remove_dir_all(f.home.join(".cache"));
    fs::write(f.home.join(".cache"), "not a directory").unwrap();
    assert_eq!(limited(&jail), "0\n");
    assert_eq!(
        fs::read_to_string(f.home.join(".cache")).unwrap(),
        "not a directory"
    );
    fs::remove_file(f.home.join(".cache")).unwrap();
}

/// Moved from tests/runtime.rs `the_host_side_never_creates_files_through_a_planted_symlink`
/// (its ~/.cache part, F9) and `hide_takes_its_mask_file_from_the_runtime_dir_when_there_is_one`:
/// whatever the agent planted in ~/.cache (a jail with ~/.cache read-write), a launch creates
/// nothing through it, and with $XDG_RUNTIME_DIR it writes nothing under ~/.cache at all.
#[test]
fn hiding_creates_nothing_through_links_planted_in_the_cache() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let victim = f.home.join("victim");
    fs::create_dir_all(&victim).unwrap();
    fs::write(f.proj.join(".env"), "SECRET=1\n").unwrap();
    let jail = Jail::new("{ }");

    // With $XDG_RUNTIME_DIR: masked, and nothing written under ~/.cache.
    let xdg = f.home.parent().unwrap().join("run-user");
    fs::create_dir_all(&xdg).unwrap();
    let out = jail.run_with(
        &f.proj,
        &f.home,
        "cat .env; echo end",
        &[("XDG_RUNTIME_DIR", xdg.to_str().unwrap())],
    );
    assert_eq!(stdout(&out), "end\n", "{}", text(&out));
    assert!(!f.home.join(".cache").exists(), "{}", text(&out));

    // ~/.cache/jailgen swapped for a link to a victim directory. (~/.cache itself may be the
    // user's own link, to another disk: it is followed, as the old runtime did.)
    fs::create_dir_all(f.home.join(".cache")).unwrap();
    symlink(&victim, f.home.join(".cache/jailgen")).unwrap();
    let out = jail.run(&f.proj, &f.home, "cat .env; echo end");
    assert_eq!(stdout(&out), "end\n", "{}", text(&out));
    assert!(
        fs::read_dir(&victim).unwrap().next().is_none(),
        "nothing created in the links' target: {}",
        text(&out)
    );
}
