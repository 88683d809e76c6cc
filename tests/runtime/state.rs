//! State paths (configPaths): created on the host when missing, before anything binds them,
//! never through a symlink; hostile names are data.

use crate::support::*;
use std::fs;
use std::os::unix::fs::symlink;

/// Moved from tests/runtime.rs `ensure_dir_and_file_create_missing_paths_with_hostile_names`
/// (the newline case is refused by the library now, nix/tests/errors.nix).
#[test]
fn state_paths_are_created_when_missing_with_hostile_names() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let existing = f.home.join(".claude.json");
    fs::write(&existing, "{\"keep\": true}").unwrap();
    let jail = Jail::new(
        r#"{ configPaths = [ "~/.claude" "~/dir with space/and 'quote'" "~/-leading-dash" "~/.claude"
             "~/.claude.json" "~/.config/new dir/state.json" "~/$(touch pwned).json" ]; }"#,
    );
    let inside = r#"
echo a > ~/.claude/x && echo DIR_OK
echo b > ~/"dir with space/and 'quote'"/x && echo SPACE_OK
[ -f ~/'.config/new dir/state.json' ] && echo FILE_OK
cat ~/.claude.json; echo
"#;
    let out = jail.run(&f.proj, &f.home, inside);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        stdout(&out),
        "DIR_OK\nSPACE_OK\nFILE_OK\n{\"keep\": true}\n",
        "{}",
        text(&out)
    );
    assert!(f.home.join(".claude/x").is_file());
    assert!(f.home.join("dir with space/and 'quote'").is_dir());
    assert!(f.home.join("-leading-dash").is_dir());
    assert!(f.home.join(".config/new dir/state.json").is_file());
    assert!(f.home.join("$(touch pwned).json").is_file());
    assert!(!f.proj.join("pwned").exists() && !f.home.join("pwned").exists());
    assert_eq!(
        fs::read_to_string(&existing).unwrap(),
        "{\"keep\": true}",
        "an existing file is not truncated"
    );
}

/// Moved from tests/runtime.rs `the_host_side_never_creates_files_through_a_planted_symlink`
/// (its state-file part, F9): a dangling link where a state file belongs (one an agent could
/// plant inside a read-write grant) refuses to start and creates nothing at its target.
#[test]
fn a_state_path_replaced_by_a_symlink_refuses_to_start_and_creates_nothing() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let victim = f.home.join("victim");
    fs::create_dir_all(&victim).unwrap();
    fs::create_dir_all(f.home.join(".agent")).unwrap();
    let link = f.home.join(".agent/state.json");
    symlink(victim.join("made-by-ensure"), &link).unwrap();
    let dir_link = f.home.join(".agent-dir");
    symlink(victim.join("made-dir"), &dir_link).unwrap();
    for (args, planted) in [
        (
            r#"{ configPaths = [ "~/.agent" "~/.agent/state.json" ]; }"#,
            &link,
        ),
        (r#"{ configPaths = [ "~/.agent-dir" ]; }"#, &dir_link),
    ] {
        let jail = Jail::new(args);
        let out = jail.run(&f.proj, &f.home, "echo RAN");
        assert_refused(&out, &[&planted.display().to_string(), "symlink"]);
        assert!(
            fs::read_dir(&victim).unwrap().next().is_none(),
            "{args}: created through the link: {}",
            text(&out)
        );
    }
}
