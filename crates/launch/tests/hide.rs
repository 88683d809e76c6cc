//! Hidden files (was jailgen_hide), nested by default (issue 9 item 7).

mod common;
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
    let secrets = [
        ".env",
        ".env.local",
        ".env.with space",
        ".env.new\nline",
        ".env.'quote\"",
        ".env.$(touch pwned)",
        "-rf",
        "sub/deep/.env",
        "dotslash-secret",
    ];
    for s in secrets {
        fs::create_dir_all(p.join(s).parent().unwrap()).unwrap();
        fs::write(p.join(s), "SECRET=1\n").unwrap();
    }
    fs::create_dir_all(p.join("secret dir/inner")).unwrap();
    fs::write(p.join("secret dir/inner/key"), "SECRET=1\n").unwrap();
    fs::write(p.join("real-secret"), "SECRET=1\n").unwrap();
    symlink("real-secret", p.join("link-to-secret")).unwrap();
    symlink("/etc/hostname", p.join("link-outside")).unwrap();
    let away = f.home.join("away");
    fs::create_dir_all(&away).unwrap();
    fs::write(away.join(".env"), "SECRET=1\n").unwrap();
    symlink(&away, p.join("linkdir")).unwrap();
    fs::write(p.join("visible.txt"), "fine\n").unwrap();
    let hide = r#""hide":[".env",".env.*","-*","**/.env","secret dir","link-to-secret","link-outside","no-match-*","missing","./dotslash-secret","linkdir/.env"]"#;
    let inside = r#"
for f in .env .env.* -rf sub/deep/.env real-secret link-to-secret dotslash-secret; do
  if grep -q SECRET -- "$f" 2>/dev/null; then echo "READ: $f"; fi
  if sh -c 'echo x >> "$1"' _ "$f" 2>/dev/null; then echo "WROTE: $f"; fi
done
if [ -n "$(ls -A 'secret dir')" ]; then echo "LISTED: secret dir"; fi
if touch 'secret dir/new' 2>/dev/null; then echo "WROTE: secret dir/new"; fi
cat visible.txt
echo done
"#;
    let out = Run::new(policy(hide), p, &f.home).jail(inside);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), "fine\ndone\n", "{}", text(&out));
    let se = stderr(&out);
    assert!(se.contains("not hiding `link-outside`"), "{}", text(&out));
    assert!(se.contains("not hiding `linkdir/.env`"), "{}", text(&out));
    assert!(!p.join("pwned").exists());
    for s in secrets {
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

/// Issue 9 item 7: the default patterns hide a monorepo's nested `.env` files, and the walk
/// does not enter `.git` or dependency trees.
#[test]
fn the_default_patterns_hide_nested_env_files_and_skip_dependency_trees() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    for s in [
        "apps/web/.env",
        "apps/api/.env.production",
        ".env",
        "node_modules/pkg/.env",
        "target/.env",
    ] {
        fs::create_dir_all(f.proj.join(s).parent().unwrap()).unwrap();
        fs::write(f.proj.join(s), "SECRET=1\n").unwrap();
    }
    // No `hide` in the policy: the defaults of nix/lib/defaults.json.
    let out = Run::new(policy(""), &f.proj, &f.home).jail("grep -rl SECRET . | sort");
    assert_eq!(
        stdout(&out),
        "./node_modules/pkg/.env\n./target/.env\n",
        "{}",
        text(&out)
    );
}

#[test]
fn hide_masks_thousands_of_files_from_one_mask_file() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    for i in 0..1500 {
        fs::write(f.proj.join(format!(".env.{i}")), "SECRET=1\n").unwrap();
    }
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

/// A matching name that is not UTF-8 cannot be masked (bwrap's arguments are strings here):
/// the launch says so instead of leaving it visible silently.
#[test]
fn a_matching_name_that_is_not_utf8_is_named_in_a_warning() {
    use std::os::unix::ffi::OsStrExt;
    let f = bare();
    let name = std::ffi::OsStr::from_bytes(b".env.\xff");
    fs::write(f.proj.join(name), "SECRET=1\n").unwrap();
    let (out, _) = Run::new(policy(""), &f.proj, &f.home).record();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        stderr(&out).contains("not hiding `.env.\u{fffd}`: its name is not UTF-8"),
        "{}",
        text(&out)
    );
}
