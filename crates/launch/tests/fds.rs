//! Red-team F8: descriptors the launcher inherits never reach the agent; only the ones
//! bwrap's options name survive exec.

mod common;
use common::*;

#[test]
fn a_descriptor_the_launcher_inherits_does_not_reach_the_agent() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    plant_ssh_key(&f.home);
    let mut run = Run::new(policy(""), &f.proj, &f.home);
    run.fd7 = Some(f.home.clone());
    let out = run.jail("cat /proc/self/fd/7/.ssh/id_rsa 2>/dev/null; ls /proc/self/fd; echo end");
    assert!(out.status.success(), "{}", text(&out));
    assert!(!stdout(&out).contains("PRIVKEY"), "{}", text(&out));
    // The jail's own shell: 0, 1, 2 and the descriptor `ls` reads /proc/self/fd with.
    assert_eq!(stdout(&out), "0\n1\n2\n3\nend\n", "{}", text(&out));
}
