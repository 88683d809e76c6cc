//! State paths and grants (was jailgen_ensure_dir/file), with the red-team regression F9;
//! nested grants are in nested.rs.

mod common;
use common::*;
use std::fs;
use std::os::unix::fs::symlink;

#[test]
fn state_paths_are_created_with_hostile_names_and_existing_files_kept() {
    let f = bare();
    fs::write(f.home.join(".claude.json"), "{\"keep\": true}").unwrap();
    let pol = policy(
        r#""readwrite":["~/.claude","~/dir with space/and 'quote","~/-leading-dash","~/.claude.json","~/.config/new dir/state.json","~/$(touch pwned).json"],
           "state":[{"path":"~/.claude","kind":"dir"},{"path":"~/dir with space/and 'quote","kind":"dir"},{"path":"~/-leading-dash","kind":"dir"},
                    {"path":"~/.claude.json","kind":"file"},{"path":"~/.config/new dir/state.json","kind":"file"},{"path":"~/$(touch pwned).json","kind":"file"}]"#,
    );
    let (out, argv) = Run::new(pol, &f.proj, &f.home).record();
    assert!(out.status.success(), "{}", text(&out));
    assert!(f.home.join(".claude").is_dir());
    assert!(f.home.join("dir with space/and 'quote").is_dir());
    assert!(f.home.join("-leading-dash").is_dir());
    assert!(f.home.join(".config/new dir/state.json").is_file());
    assert!(f.home.join("$(touch pwned).json").is_file());
    assert!(!f.proj.join("pwned").exists() && !f.home.join("pwned").exists());
    assert_eq!(
        fs::read_to_string(f.home.join(".claude.json")).unwrap(),
        "{\"keep\": true}"
    );
    assert!(argv.contains(&f.home.join("-leading-dash").to_string_lossy().into_owned()));
}

/// F9: a dangling state-file link (planted inside a read-write grant) never makes the host
/// create what it names.
#[test]
fn a_dangling_state_link_refuses_and_creates_nothing() {
    let f = bare();
    let victim = f.home.join("victim");
    fs::create_dir_all(&victim).unwrap();
    fs::create_dir_all(f.home.join(".agent")).unwrap();
    symlink(
        victim.join("made-by-ensure"),
        f.home.join(".agent/state.json"),
    )
    .unwrap();
    for extra in [
        r#""readwrite":["~/.agent/state.json"],"state":[{"path":"~/.agent/state.json","kind":"file"}]"#,
        r#""readwrite":["~/.agent","~/.agent/state.json"],"state":[{"path":"~/.agent/state.json","kind":"file"}]"#,
    ] {
        let (out, argv) = Run::new(policy(extra), &f.proj, &f.home).record();
        assert!(!victim.join("made-by-ensure").exists(), "{}", text(&out));
        assert_refused(&out, &["is a symlink"]);
        assert!(argv.is_empty());
    }
}

#[test]
fn a_missing_grant_refuses_but_a_missing_if_exists_grant_is_skipped() {
    let f = bare();
    let (out, _) = Run::new(policy(r#""readonly":["~/nope"]"#), &f.proj, &f.home).record();
    assert_refused(&out, &["does not exist", "nope"]);
    let (out, argv) = Run::new(
        policy(r#""readonlyIfExists":["~/.gitconfig"]"#),
        &f.proj,
        &f.home,
    )
    .record();
    assert!(out.status.success(), "{}", text(&out));
    assert!(!argv.join(" ").contains(".gitconfig"));
    fs::write(f.home.join(".gitconfig"), "[user]\n").unwrap();
    let (_, argv) = Run::new(
        policy(r#""readonlyIfExists":["~/.gitconfig"]"#),
        &f.proj,
        &f.home,
    )
    .record();
    assert!(
        argv.join(" ")
            .contains(&format!("{}/.gitconfig", f.home.display()))
    );
}

/// Every grant is bound through a descriptor opened once (never a path checked earlier).
#[test]
fn grants_are_bound_through_descriptors() {
    let f = bare();
    fs::create_dir_all(f.home.join("ro")).unwrap();
    fs::create_dir_all(f.home.join("rw/sub")).unwrap();
    let (out, argv) = Run::new(
        policy(r#""readonly":["~/ro","~/rw/sub"],"readwrite":["~/rw"]"#),
        &f.proj,
        &f.home,
    )
    .record();
    assert!(out.status.success(), "{}", text(&out));
    let rt = runtime_part(&argv, &f.home).join(" ");
    let h = f.home.display();
    let pat = |opt: &str, p: &str| regex_like(&rt, opt, p);
    assert!(pat("--ro-bind-fd", &format!("{h}/ro")), "{rt}");
    assert!(pat("--bind-fd", &format!("{h}/rw")), "{rt}");
    // ~/rw/sub: bound read-only before ~/rw and again after it.
    assert_eq!(rt.matches(&format!(" {h}/rw/sub")).count(), 2, "{rt}");
    let rw_at = rt.find(&format!("{h}/rw ")).unwrap();
    assert!(rt.find(&format!("{h}/rw/sub")).unwrap() < rw_at, "{rt}");
    assert!(rt.rfind(&format!("{h}/rw/sub")).unwrap() > rw_at, "{rt}");
}

fn regex_like(s: &str, opt: &str, dest: &str) -> bool {
    let words: Vec<&str> = s.split(' ').collect();
    words
        .windows(3)
        .any(|w| w[0] == opt && w[1].parse::<i32>().is_ok() && w[2] == dest)
}

/// A state path inside the working directory (which the agent writes) is created like one
/// inside a read-write grant: never through a symlink planted on the way, and nothing is
/// created outside the project.
#[test]
fn a_state_path_inside_the_working_directory_is_never_created_through_a_symlink() {
    let f = bare();
    let victim = f.home.join("victim");
    fs::create_dir_all(&victim).unwrap();
    symlink(&victim, f.proj.join(".agent")).unwrap();
    let pol = policy(
        r#""readwrite":["~/src/proj/.agent/state.json"],"state":[{"path":"~/src/proj/.agent/state.json","kind":"file"}]"#,
    );
    let (out, argv) = Run::new(pol, &f.proj, &f.home).record();
    assert!(
        fs::read_dir(&victim).unwrap().next().is_none(),
        "{}",
        text(&out)
    );
    assert_refused(&out, &["is a symlink", ".agent"]);
    assert!(argv.is_empty());
    // Without the link it is created in the project.
    fs::remove_file(f.proj.join(".agent")).unwrap();
    let pol = policy(
        r#""readwrite":["~/src/proj/.agent/state.json"],"state":[{"path":"~/src/proj/.agent/state.json","kind":"file"}]"#,
    );
    let (out, _) = Run::new(pol, &f.proj, &f.home).record();
    assert!(out.status.success(), "{}", text(&out));
    assert!(f.proj.join(".agent/state.json").is_file());
}
