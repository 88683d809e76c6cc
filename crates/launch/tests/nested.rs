//! Nested grants (was jailgen_check_nested and jailgen_grants_in_cwd), with the red-team
//! regressions F3 and F14.

mod common;
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
            .jail(&format!("mv ~/{root}/a ~/{root}/a.orig && mkdir ~/{root}/a && ln -s ../.. ~/{root}/{nested} && echo PLANTED"));
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
    fs::create_dir_all(f.proj.join("vendor")).unwrap();
    fs::write(f.proj.join("vendor/lib.txt"), "upstream\n").unwrap();
    let pol = policy(r#""readonly":["~/src/proj/vendor"]"#);
    let out = Run::new(pol.clone(), &f.proj, &f.home)
        .jail("echo changed > vendor/lib.txt 2>/dev/null && echo WROTE; echo other > other.txt && echo OTHER_OK");
    assert_eq!(stdout(&out), "OTHER_OK\n", "{}", text(&out));
    assert_eq!(
        fs::read_to_string(f.proj.join("vendor/lib.txt")).unwrap(),
        "upstream\n"
    );
    fs::rename(f.proj.join("vendor"), f.proj.join("vendor.orig")).unwrap();
    symlink("../..", f.proj.join("vendor")).unwrap();
    let out = Run::new(pol, &f.proj, &f.home).jail("cat ~/.ssh/id_rsa");
    assert!(!stdout(&out).contains("PRIVKEY"), "{}", text(&out));
    assert_refused(&out, &["is a symlink"]);
}
