//! The per-project session lock: while a session runs in a project, a second launch in the
//! same tree (or around it) is refused, since its checks could be raced by the first agent.

use crate::support::*;
use std::fs;
use std::process::Stdio;

/// Moved from tests/runtime.rs
/// `a_second_session_in_the_same_project_tree_refuses_to_start_while_the_first_runs` (F2/F10).
#[test]
fn a_second_session_in_the_same_project_tree_refuses_to_start_while_the_first_runs() {
    if !have_jail_tools() {
        return;
    }
    for runtime_dir in [false, true] {
        second_session_case(runtime_dir);
    }
}

/// The records live in $XDG_RUNTIME_DIR when there is one, else in ~/.cache (which nearly every
/// home has; the launcher does not create it, see the report of the Nix side).
fn second_session_case(runtime_dir: bool) {
    let f = fixture();
    let sub = f.proj.join("sub");
    fs::create_dir_all(&sub).unwrap();
    let xdg = f.home.parent().unwrap().join("run-user");
    let env: Vec<(&str, &str)> = if runtime_dir {
        fs::create_dir_all(&xdg).unwrap();
        vec![("XDG_RUNTIME_DIR", xdg.to_str().unwrap())]
    } else {
        fs::create_dir_all(f.home.join(".cache")).unwrap();
        vec![]
    };
    let jail = Jail::new("{ }");
    let mut first = jail
        .command(&f.proj, &f.home, "echo started > started; sleep 20", &env)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the first session");
    wait_for_file(&f.proj.join("started"), "the first session started");
    for cwd in [&f.proj, &sub, &f.home.join("src")] {
        if cwd == &f.home.join("src") {
            // a directory around the running project
            fs::create_dir_all(cwd).unwrap();
        }
        let out = jail.run_with(cwd, &f.home, "echo RAN", &env);
        assert_refused(&out, &["JAILGEN_ALLOW_CONCURRENT=1"]);
    }
    // The user can insist, for one run.
    let mut insist = env.clone();
    insist.push(("JAILGEN_ALLOW_CONCURRENT", "1"));
    let out = jail.run_with(&f.proj, &f.home, "echo RAN", &insist);
    assert_eq!(stdout(&out), "RAN\n", "{}", text(&out));
    // Another project runs meanwhile.
    let other = f.home.join("other");
    fs::create_dir_all(&other).unwrap();
    let out = jail.run_with(&other, &f.home, "echo RAN", &env);
    assert_eq!(stdout(&out), "RAN\n", "{}", text(&out));
    first.kill().unwrap();
    first.wait().unwrap();
    let out = jail.run_with(&f.proj, &f.home, "echo RAN", &env);
    assert_eq!(stdout(&out), "RAN\n", "{}", text(&out));
}
