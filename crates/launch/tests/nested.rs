//! Nested grants (was jailgen_check_nested and jailgen_grants_in_cwd), with the red-team
//! regressions F3 and F14.

mod common;
use common::scenario::*;
use common::*;
use std::fs;
use std::os::unix::fs::symlink;

/// F3: a grant nested under a read-write grant, redirected by a symlink an earlier session
/// planted on the way, refuses to start (read-only and read-write nested grants).
#[test]
fn a_nested_grant_redirected_by_a_planted_symlink_refuses_to_start() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    plant_ssh_key(&f.home);
    for (extra, root, nested) in [
        (
            r#""readwrite":["~/work"],"readonly":["~/work/a/ref"]"#,
            "work",
            "a/ref",
        ),
        (
            r#""readwrite":["~/work2","~/work2/a/cache"]"#,
            "work2",
            "a/cache",
        ),
    ] {
        fs::create_dir_all(f.home.join(root).join(nested)).unwrap();
        let out = Run::new(policy(extra), &f.proj, &f.home)
            .jail(&plant_link_under_a_nested_grant(root, nested));
        assert_eq!(stdout(&out), "PLANTED\n", "{}", text(&out));
        let out = Run::new(policy(extra), &f.proj, &f.home).jail("cat ~/.ssh/id_rsa");
        assert!(!stdout(&out).contains("PRIVKEY"), "{extra}: {}", text(&out));
        assert_refused(
            &out,
            &[
                &format!("`{}/{root}/{nested}`", f.home.display()),
                "is a symlink",
            ],
        );
    }
}

/// F14: a read-only grant inside the working directory stays read-only (the working
/// directory's bind would shadow it), and one reached through a planted symlink refuses.
#[test]
fn readonly_grants_inside_the_working_directory_stay_read_only() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    plant_ssh_key(&f.home);
    vendor_in_the_project(&f);
    let pol = policy(r#""readonly":["~/src/proj/vendor"]"#);
    let out = Run::new(pol.clone(), &f.proj, &f.home).jail(VENDOR_WRITE_PROBE);
    assert_eq!(stdout(&out), "OTHER_OK\n", "{}", text(&out));
    assert_eq!(
        fs::read_to_string(f.proj.join("vendor/lib.txt")).unwrap(),
        "upstream\n"
    );
    swap_vendor_for_a_link_to_home(&f);
    let out = Run::new(pol, &f.proj, &f.home).jail("cat ~/.ssh/id_rsa");
    assert!(!stdout(&out).contains("PRIVKEY"), "{}", text(&out));
    assert_refused(&out, &["is a symlink"]);
}

/// Red-team F9: an absolute spelling of a path under `$HOME` is compared with the `~/`
/// spelling of a read-write grant holding it: the read-only grant stays read-only, and a
/// symlink planted on its way refuses.
#[test]
fn an_absolute_grant_under_home_is_ordered_and_checked_like_its_tilde_spelling() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    plant_ssh_key(&f.home);
    fs::create_dir_all(f.home.join(".claude")).unwrap();
    fs::write(f.home.join(".claude/settings"), "trusted\n").unwrap();
    let abs = f.home.join(".claude/settings");
    let pol = policy(&format!(
        r#""readonly":["{}"],"readwrite":["~/.claude"]"#,
        abs.display()
    ));
    let out = Run::new(pol.clone(), &f.proj, &f.home)
        .jail("echo evil > ~/.claude/settings 2>/dev/null && echo WROTE; echo x > ~/.claude/other && echo RW_OK");
    assert_eq!(stdout(&out), "RW_OK\n", "{}", text(&out));
    assert_eq!(
        fs::read_to_string(&abs).unwrap(),
        "trusted\n",
        "{}",
        text(&out)
    );
    fs::remove_file(&abs).unwrap();
    symlink("../.ssh/id_rsa", &abs).unwrap();
    let out = Run::new(pol, &f.proj, &f.home).jail("cat ~/.claude/settings");
    assert!(!stdout(&out).contains("PRIVKEY"), "{}", text(&out));
    assert_refused(&out, &["is a symlink"]);
}

/// Red-team F10: a read-write grant inside the working directory, swapped for a symlink by
/// an earlier session, refuses before any state path is created through it (walked from
/// the outermost directory the agent can write).
#[test]
fn a_planted_link_refuses_before_any_state_is_created_through_it() {
    let f = bare();
    plant_ssh_key(&f.home);
    symlink("../../.ssh", f.proj.join("shared")).unwrap();
    let pol = policy(
        r#""readwrite":["~/src/proj/shared"],"state":[{"path":"~/src/proj/shared/agent-state.json","kind":"file"}]"#,
    );
    let (out, argv) = Run::new(pol, &f.proj, &f.home).record();
    assert_refused(&out, &["is a symlink"]);
    assert!(argv.is_empty());
    assert!(
        !f.home.join(".ssh/agent-state.json").exists(),
        "{}",
        text(&out)
    );
}
