//! The TIOCSTI/TIOCLINUX filter, generated in Rust and passed as `--add-seccomp-fd`, tried
//! on a real pseudo-terminal with real bwrap: EPERM with nothing injected, the injection
//! lands without the filter (control), and what TUIs need still works. The i386 and x32
//! rules are proven by the unit tests of jailgen_policy::seccomp (decoded and run on
//! synthetic seccomp_data): this machine has no 32-bit toolchain to execute them.

mod common;
use common::*;
use std::fs;
use std::process::Command;

fn cc(src: &std::path::Path, out: &std::path::Path) {
    let o = Command::new("gcc")
        .args(["-O2", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(out)
        .arg(src)
        .output()
        .expect("spawn gcc");
    assert!(o.status.success(), "gcc {src:?}: {}", text(&o));
}

#[test]
fn the_filter_blocks_tiocsti_and_tioclinux_but_not_what_tuis_need() {
    if !have_bwrap() || !have("gcc", &["--version"]) {
        return;
    }
    let f = bare();
    let t = f.home.parent().unwrap().to_path_buf();
    let probe = t.join("ttyprobe");
    cc(&repo().join("tests/runtime/ttyprobe.c"), &probe);
    let run = |seccomp: bool| -> String {
        let pol = t.join("pol.json");
        fs::write(&pol, policy(&format!(r#""seccomp":{seccomp},"hide":[]"#))).unwrap();
        let o = Command::new(&probe)
            .arg("run")
            .arg(launcher())
            .arg(&pol)
            .arg("bwrap")
            .args(min_root(&f.home))
            .arg("--ro-bind")
            .arg(&probe)
            .arg("/probe")
            .args(["--", "/probe", "inject"])
            .current_dir(&f.proj)
            .env("HOME", &f.home)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        let so = stdout(&o);
        assert!(so.contains("\nexit=0\n"), "the prober ran: {so}");
        so
    };
    let open = run(false);
    let legacy = fs::read_to_string("/proc/sys/dev/tty/legacy_tiocsti").unwrap_or_default();
    if legacy.trim() == "0" {
        loud!("note: dev.tty.legacy_tiocsti=0 here, so the unfiltered control cannot inject");
        assert!(open.contains("tiocsti=EIO\n"), "{open}");
    } else {
        assert!(
            open.contains("tiocsti=ok\n"),
            "control: TIOCSTI works unfiltered: {open}"
        );
        assert!(
            open.contains("input-queue=69640a"),
            "control: `id\\n` reached the terminal: {open}"
        );
    }
    let blocked = run(true);
    for want in [
        "tiocsti=EPERM\n",
        "tiocsti_high_bits=EPERM\n",
        "tioclinux=EPERM\n",
        "tiocgwinsz=ok 33x101\n",
        "tcgetattr=ok\n",
        "tcsetattr=ok\n",
        "\ninput-queue=\n",
    ] {
        assert!(blocked.contains(want), "missing {want:?} in:\n{blocked}");
    }
}
