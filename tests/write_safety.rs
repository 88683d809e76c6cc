//! `render -o` and `init` never leave a half-written or clobbered file: they write a temp file in
//! the same directory and rename it. Each test breaks the write in a different way and shows the
//! old file intact:
//!
//! - the process is killed midway through writing (`ulimit -f`: SIGXFSZ), unprivileged;
//! - the write fails midway (`ulimit -f` with SIGXFSZ ignored: EFBIG), unprivileged;
//! - the directory is read-only (`chmod`; root ignores modes, so as root a read-only tmpfs);
//! - the disk is full (a tiny tmpfs, only when running as root: mounting needs it);
//! - a reader polling the file while it is rewritten only ever sees a whole old or new file.
//!
//! And `init` never overwrites without `--force`.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

macro_rules! loud {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_jailgen")
}

fn jailgen(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run jailgen")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A spec whose rendering is `jails` × ~150 bytes, so it can be made larger than a size limit.
fn spec(jails: usize, marker: &str) -> String {
    let mut s = String::from("version: 1\njails:\n");
    for i in 0..jails {
        s.push_str(&format!(
            "  j{i}:\n    agent: codex\n    readonly: [\"~/{marker}/{i}\"]\n    env: {{ A: \"{marker}\" }}\n"
        ));
    }
    s
}

/// A directory with `jails.yaml` (`jails` jails) and a jails.nix rendered from a different,
/// small spec: the "old file" that must survive.
fn project(dir: &Path, jails: usize) -> String {
    std::fs::write(dir.join("jails.yaml"), spec(1, "old")).expect("spec");
    let out = jailgen(dir, &["render", "-o", "jails.nix"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let old = std::fs::read_to_string(dir.join("jails.nix")).expect("old");
    std::fs::write(dir.join("jails.yaml"), spec(jails, "new")).expect("spec");
    old
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `jailgen render -o jails.nix` under `ulimit -f <blocks>` (1 KiB blocks), optionally with
/// SIGXFSZ ignored so the write fails with EFBIG instead of killing the process.
fn render_with_file_size_limit(dir: &Path, blocks: u32, ignore_signal: bool) -> Output {
    let trap = if ignore_signal { "trap '' XFSZ; " } else { "" };
    Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{trap}ulimit -f {blocks} && exec \"$0\" render -o jails.nix"
        ))
        .arg(bin())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run bash")
}

#[test]
fn a_render_killed_midway_leaves_the_old_file_intact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = project(dir.path(), 200);
    let out = render_with_file_size_limit(dir.path(), 4, false);
    assert!(
        !out.status.success(),
        "the write was not cut (is the rendering over 4 KiB?)"
    );
    assert_eq!(
        out.status.code(),
        None,
        "expected death by SIGXFSZ, got {:?}",
        out.status
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("jails.nix")).expect("read"),
        old,
        "the old jails.nix was changed by a killed render"
    );
}

#[test]
fn a_render_whose_write_fails_midway_leaves_the_old_file_and_no_temp_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = project(dir.path(), 200);
    let out = render_with_file_size_limit(dir.path(), 4, true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("jails.nix"),
        "the error names the file: {stderr}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("jails.nix")).expect("read"),
        old
    );
    assert_eq!(
        entries(dir.path()),
        ["jails.nix", "jails.yaml"],
        "temp file left"
    );
    // The same render without the limit succeeds: the limit was the only cause.
    let out = jailgen(dir.path(), &["render", "-o", "jails.nix"]);
    assert!(out.status.success());
    assert_ne!(
        std::fs::read_to_string(dir.path().join("jails.nix")).expect("read"),
        old
    );
}

/// Mounts a tmpfs of `size` at `dir` (root only); unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_owned()))
    }

    fn remount_ro(&self) {
        let ok = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "remount read-only failed");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_render_into_a_read_only_directory_fails_and_keeps_the_old_file() {
    let outer = tempfile::tempdir().expect("tempdir");
    let dir = outer.path().join("project");
    std::fs::create_dir(&dir).expect("mkdir");
    // Root ignores directory modes: there, the directory is a tmpfs remounted read-only.
    let _mount = if is_root() {
        let m = Tmpfs::mount(&dir, "1m");
        if m.is_none() {
            panic!("running as root but cannot mount a tmpfs for the read-only case");
        }
        m
    } else {
        None
    };
    let old = project(&dir, 5);
    match &_mount {
        Some(m) => m.remount_ro(),
        None => {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod")
        }
    }
    let out = jailgen(&dir, &["render", "-o", "jails.nix"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if _mount.is_none() {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("jails.nix"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("jails.nix")).expect("read"),
        old
    );
    assert_eq!(entries(&dir), ["jails.nix", "jails.yaml"]);
}

#[test]
fn a_render_onto_a_full_disk_fails_and_keeps_the_old_file() {
    if !is_root() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true")
                && std::env::var("JAILGEN_REQUIRE_NIX").as_deref() != Ok("1"),
            "the full-disk test needs root in CI (it mounts a tmpfs)"
        );
        loud!(
            "SKIPPED a_render_onto_a_full_disk_fails_and_keeps_the_old_file: mounting a tmpfs needs root (the ulimit tests cover a failed write unprivileged)"
        );
        return;
    }
    let outer = tempfile::tempdir().expect("tempdir");
    let dir = outer.path().join("project");
    std::fs::create_dir(&dir).expect("mkdir");
    let _mount = Tmpfs::mount(&dir, "256k").expect("running as root but cannot mount a tmpfs");
    let old = project(&dir, 1000);
    // Fill the disk, leaving less room than the new file needs (~150 KiB).
    let filler = dir.join("filler");
    let mut size = 0usize;
    {
        use std::io::Write as _;
        let mut f = std::fs::File::create(&filler).expect("filler");
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {
            size += block.len();
        }
    }
    std::fs::write(&filler, vec![0u8; size.saturating_sub(64 * 1024)]).expect("shrink filler");
    let out = jailgen(&dir, &["render", "-o", "jails.nix"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("jails.nix"), "{stderr}");
    assert!(
        stderr.to_lowercase().contains("space"),
        "the error says why: {stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("jails.nix")).expect("read"),
        old
    );
    assert_eq!(entries(&dir), ["filler", "jails.nix", "jails.yaml"]);
}

#[test]
fn render_replaces_the_file_by_rename_and_keeps_its_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path(), 3);
    let path = dir.path().join("jails.nix");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let before = std::fs::metadata(&path).expect("meta");
    let out = jailgen(dir.path(), &["render", "-o", "jails.nix"]);
    assert!(out.status.success());
    let after = std::fs::metadata(&path).expect("meta");
    assert_ne!(
        before.ino(),
        after.ino(),
        "written in place, not renamed over"
    );
    assert_eq!(after.mode() & 0o777, 0o640);
}

/// A reader racing the writer sees the old or the new file, never a prefix of one.
#[test]
fn a_concurrent_reader_never_sees_a_partial_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = spec(300, "aaa");
    let b = spec(300, "bbb");
    std::fs::write(dir.path().join("a.yaml"), &a).expect("a");
    std::fs::write(dir.path().join("b.yaml"), &b).expect("b");
    let render = |name: &str| {
        let out = jailgen(dir.path(), &["render", name]);
        assert!(out.status.success());
        String::from_utf8(out.stdout).expect("utf-8")
    };
    // The header names the spec; both are written as `-o jails.nix` from a.yaml/b.yaml.
    let out = jailgen(dir.path(), &["render", "a.yaml", "-o", "jails.nix"]);
    assert!(out.status.success());
    let whole_a = std::fs::read_to_string(dir.path().join("jails.nix")).expect("a");
    let out = jailgen(dir.path(), &["render", "b.yaml", "-o", "jails.nix"]);
    assert!(out.status.success());
    let whole_b = std::fs::read_to_string(dir.path().join("jails.nix")).expect("b");
    assert_ne!(whole_a, whole_b);
    assert!(render("a.yaml").len() == whole_a.len());

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        let path = dir.path().join("jails.nix");
        let (whole_a, whole_b) = (whole_a.clone(), whole_b.clone());
        std::thread::spawn(move || {
            let mut reads = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let seen = std::fs::read_to_string(&path).expect("the file always exists");
                assert!(
                    seen == whole_a || seen == whole_b,
                    "partial file seen ({} bytes)",
                    seen.len()
                );
                reads += 1;
            }
            reads
        })
    };
    for i in 0..40 {
        let name = if i % 2 == 0 { "a.yaml" } else { "b.yaml" };
        let out = jailgen(dir.path(), &["render", name, "-o", "jails.nix"]);
        assert!(out.status.success());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reads = reader.join().expect("reader saw only whole files");
    assert!(reads > 0);
}

#[test]
fn init_never_overwrites_without_force() {
    for existing in ["jails.yaml", "flake.nix", "jails.nix"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mine = format!("# my own {existing}, not generated\n");
        std::fs::write(dir.path().join(existing), &mine).expect("write");
        let out = jailgen(dir.path(), &["init"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{existing}: {stderr}");
        assert!(stderr.contains(existing), "{stderr}");
        assert!(
            stderr.contains("--force"),
            "the help names the way out: {stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(existing)).expect("read"),
            mine
        );
        assert_eq!(
            entries(dir.path()),
            [existing],
            "{existing}: init wrote other files"
        );
    }
    // A dangling symlink counts as existing: init must not write through it.
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("elsewhere");
    std::os::unix::fs::symlink(&target, dir.path().join("jails.yaml")).expect("symlink");
    let out = jailgen(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!target.exists(), "init wrote through a symlink");

    // With --force it does overwrite, by rename (the symlink itself is replaced).
    let out = jailgen(dir.path(), &["init", "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!target.exists(), "--force wrote through the symlink");
    let meta = std::fs::symlink_metadata(dir.path().join("jails.yaml")).expect("meta");
    assert!(meta.is_file());
}

#[test]
fn init_into_a_read_only_directory_writes_nothing() {
    let outer = tempfile::tempdir().expect("tempdir");
    let dir = outer.path().join("project");
    std::fs::create_dir(&dir).expect("mkdir");
    let _mount = if is_root() {
        let m = Tmpfs::mount(&dir, "1m").expect("running as root but cannot mount a tmpfs");
        m.remount_ro();
        Some(m)
    } else {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        None
    };
    let out = jailgen(&dir, &["init"]);
    if _mount.is_none() {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(entries(&dir), Vec::<String>::new());
}
