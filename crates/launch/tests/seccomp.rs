//! The TIOCSTI/TIOCLINUX filter, generated in Rust and passed as `--add-seccomp-fd`, tried
//! on a real pseudo-terminal with real bwrap: EPERM with nothing injected, the injection
//! lands without the filter (control), and what TUIs need still works — for the native ABI and
//! for i386 (a 32-bit static prober built with gcc-multilib). x32 cannot be executed here
//! (this kernel is built without CONFIG_X86_X32_ABI); its rule is proven by the unit tests of
//! jailgen_policy::seccomp and the comparison with libseccomp below.

mod common;
use common::*;
use std::fs;
use std::process::Command;

fn tty_case(probe_in_jail: &std::path::Path, what: &str) {
    let f = bare();
    let t = f.home.parent().unwrap().to_path_buf();
    let probe = t.join("ttyprobe");
    cc(&root().join("tests/runtime/ttyprobe.c"), &probe);
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
            .arg(probe_in_jail)
            .arg("/probe")
            .args(["--", "/probe", "inject"])
            .current_dir(&f.proj)
            .env("HOME", &f.home)
            .output()
            .unwrap();
        assert!(o.status.success(), "{what}: {}", text(&o));
        let so = stdout(&o);
        assert!(so.contains("\nexit=0\n"), "{what}: the prober ran: {so}");
        so
    };
    let open = run(false);
    scenario::assert_tty_control_injects(&open, what);
    let blocked = run(true);
    scenario::assert_tty_blocked(&blocked, what);
}

#[test]
fn the_filter_blocks_tiocsti_and_tioclinux_but_not_what_tuis_need() {
    if !have_bwrap() || !have("gcc", &["--version"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let native = dir.path().join("ttyprobe");
    cc(&root().join("tests/runtime/ttyprobe.c"), &native);
    tty_case(&native, "native");
}

/// The same on the i386 ABI: a static 32-bit prober makes its ioctls through the 32-bit entry
/// (AUDIT_ARCH_I386, ioctl = 54).
#[test]
fn the_filter_blocks_tiocsti_on_the_i386_abi() {
    if !cfg!(target_arch = "x86_64") || !have_bwrap() || !have("gcc", &["--version"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p32 = dir.path().join("ttyprobe32");
    let o = Command::new("gcc")
        // -Wno-overflow: the prober's "junk in the upper half" request is 64-bit; on i386 the
        // request is 32 bits, so that case is the plain one there.
        .args(["-m32", "-static", "-O2", "-Wall", "-Wno-overflow", "-o"])
        .arg(&p32)
        .arg(root().join("tests/runtime/ttyprobe.c"))
        .output()
        .expect("spawn gcc");
    if !o.status.success() {
        assert!(
            !strict(),
            "a 32-bit toolchain (gcc-multilib) is required here: {}",
            text(&o)
        );
        loud!("SKIPPED: no 32-bit toolchain (gcc-multilib); the i386 ABI was not executed");
        return;
    }
    tty_case(&p32, "i386");
}

/// The Rust program decides like libseccomp's program for the same rules (the generator the
/// bash runtime used, kept as a test reference), on every ABI of this machine, for the ioctl
/// requests that matter, with junk in the upper half, and for other system calls. Two
/// documented differences, both supersets: ours also refuses the x32 bit on the x86_64
/// ioctl number (16), which no kernel maps, and plain 514 on x86_64 (x32's ioctl without
/// the x32 bit, which kernels before 5.4 with CONFIG_X86_X32 ran; red-team F12);
/// libseccomp allows both.
#[test]
fn the_rust_program_decides_like_libseccomps_for_the_same_rules() {
    use jailgen_policy::seccomp::*;
    if !have("gcc", &["--version"]) {
        return;
    }
    let f = bare();
    let t = f.home.parent().unwrap().to_path_buf();
    let gen_bin = t.join("reference");
    let o = Command::new("gcc")
        .args(["-O2", "-Wall", "-o"])
        .arg(&gen_bin)
        .arg(root().join("crates/launch/tests/seccomp/libseccomp-reference.c"))
        .arg("-lseccomp")
        .output()
        .expect("spawn gcc");
    if !o.status.success() {
        assert!(!strict(), "libseccomp-dev is required here: {}", text(&o));
        loud!("SKIPPED: libseccomp-dev is not installed; this test did not run");
        return;
    }
    let bpf = t.join("ref.bpf");
    let o = Command::new(&gen_bin).arg(&bpf).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let reference = from_bytes(&fs::read(&bpf).unwrap()).expect("whole instructions");
    let Some(arches) = native_arches() else {
        return;
    };
    let ours = program(arches);
    let kill = |v: u32| v == 0 || v == RET_KILL_PROCESS || v == 0x8000_0000;
    let mut compared = 0;
    let audits = [
        AUDIT_ARCH_X86_64,
        AUDIT_ARCH_I386,
        AUDIT_ARCH_AARCH64,
        AUDIT_ARCH_ARM,
        0xc000_00f3,
    ];
    let numbers = [
        0u32,
        1,
        16,
        29,
        54,
        514,
        X32_SYSCALL_BIT | 514,
        X32_SYSCALL_BIT | 16,
        X32_SYSCALL_BIT,
        0x3f,
        59,
    ];
    let requests = [TIOCSTI, TIOCLINUX, 0x5413, 0x5401, 0x5402, 0, 0xffff_ffff];
    for &arch in &audits {
        for &nr in &numbers {
            for &req in &requests {
                for high in [0u64, 0xdead_beef] {
                    let data =
                        seccomp_data(nr, arch, [0, (high << 32) | u64::from(req), 0, 0, 0, 0]);
                    let r = run(&reference, &data)
                        .expect("libseccomp's program runs in the interpreter");
                    let m = run(&ours, &data).expect("ours runs");
                    compared += 1;
                    if arch == AUDIT_ARCH_X86_64
                        && (nr == X32_SYSCALL_BIT | 16 || nr == 514)
                        && (req == TIOCSTI || req == TIOCLINUX)
                    {
                        assert_eq!(
                            (r, m),
                            (RET_ALLOW, RET_ERRNO | EPERM),
                            "the documented difference"
                        );
                        continue;
                    }
                    assert!(
                        r == m || (kill(r) && kill(m)),
                        "arch {arch:#x} nr {nr:#x} req {req:#x} high {high:#x}: libseccomp {r:#x}, ours {m:#x}"
                    );
                }
            }
        }
    }
    loud!("seccomp: {compared} cases agree with libseccomp");
}
