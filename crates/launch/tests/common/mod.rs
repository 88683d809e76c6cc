//! Shared helpers for the launcher's integration tests: the launcher is run with a
//! hand-written policy file and REAL bwrap (or a recording fake where only the argv
//! matters), from a real git project in a temp home.
//!
//! What the end-to-end tests share with these (the gates, fixtures, git, the shape of a
//! refusal, the attack scenarios) is crates/testkit's, re-exported here; a missing tool skips
//! loudly, or fails under `CI=true` / `JAILGEN_REQUIRE_NIX=1`.
#![allow(dead_code, unused_imports)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use testkit::*;

pub fn launcher() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_jailgen-launch"))
}

/// A minimal root like jail.nix's base: read-only system dirs, fresh /proc, /dev and /tmp,
/// a tmpfs home, cleared environment, every namespace unshared.
pub fn min_root(home: &Path) -> Vec<String> {
    let mut a: Vec<String> = vec!["--ro-bind".into(), "/usr".into(), "/usr".into()];
    for d in ["/bin", "/sbin", "/lib", "/lib64", "/lib32"] {
        let p = Path::new(d);
        if p.is_symlink() {
            let t = fs::read_link(p).unwrap();
            a.extend([
                "--symlink".into(),
                t.to_string_lossy().into_owned(),
                d.into(),
            ]);
        } else if p.is_dir() {
            a.extend(["--ro-bind".into(), d.into(), d.into()]);
        }
    }
    for f in ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/alternatives"] {
        if Path::new(f).exists() {
            a.extend(["--ro-bind".into(), f.into(), f.into()]);
        }
    }
    let h = home.to_string_lossy().into_owned();
    for x in [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        "--tmpfs",
        &h,
        "--unshare-user",
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "HOME",
        &h,
        "--setenv",
        "GIT_CONFIG_NOSYSTEM",
        "1",
        "--setenv",
        "GIT_AUTHOR_NAME",
        "t",
        "--setenv",
        "GIT_AUTHOR_EMAIL",
        "t@example.org",
        "--setenv",
        "GIT_COMMITTER_NAME",
        "t",
        "--setenv",
        "GIT_COMMITTER_EMAIL",
        "t@example.org",
    ] {
        a.push(x.to_string());
    }
    a
}

/// `{"version":1,"name":"t","network":false, <extra>}`.
pub fn policy(extra: &str) -> String {
    if extra.is_empty() {
        r#"{"version":1,"name":"t","network":false}"#.to_string()
    } else {
        format!(r#"{{"version":1,"name":"t","network":false,{extra}}}"#)
    }
}

pub struct Run<'a> {
    pub policy: String,
    pub cwd: &'a Path,
    pub home: &'a Path,
    pub env: Vec<(String, String)>,
    pub bwrap: PathBuf,
    /// A directory the launcher inherits open on descriptor 7 (as `exec 7<DIR` in a shell).
    pub fd7: Option<PathBuf>,
}

impl<'a> Run<'a> {
    pub fn new(policy: String, cwd: &'a Path, home: &'a Path) -> Run<'a> {
        Run {
            policy,
            cwd,
            home,
            env: Vec::new(),
            bwrap: PathBuf::from("bwrap"),
            fd7: None,
        }
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    fn command(&self, bwrap: &Path) -> Command {
        let pol = self.home.parent().unwrap().join("policy.json");
        fs::write(&pol, &self.policy).unwrap();
        let mut c = Command::new(launcher());
        c.arg(&pol)
            .arg(bwrap)
            .args(min_root(self.home))
            .arg("--jailgen-grants")
            .current_dir(self.cwd)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", self.home)
            .env("PWD", self.cwd);
        // A runtime directory of the test's own (a real session has one), so the session
        // lock works; a test that sets XDG_RUNTIME_DIR itself overrides it, one that removes
        // it (`env("XDG_RUNTIME_DIR", "")`) runs without.
        let run = self.home.parent().unwrap().join("run-default");
        fs::create_dir_all(&run).unwrap();
        c.env("XDG_RUNTIME_DIR", &run);
        for (k, v) in &self.env {
            c.env(k, v);
        }
        if let Some(dir) = &self.fd7 {
            use std::os::unix::ffi::OsStrExt;
            use std::os::unix::process::CommandExt;
            let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).unwrap();
            // SAFETY: open and dup2 are async-signal-safe; the child only inherits fd 7.
            unsafe {
                c.pre_exec(move || {
                    let fd = libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY);
                    if fd < 0 || libc::dup2(fd, 7) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        c
    }

    /// Runs `inside` with bash in the jail (real bwrap).
    pub fn jail(&self, inside: &str) -> Output {
        let which = Command::new("sh")
            .args(["-c", "command -v bwrap"])
            .output()
            .unwrap();
        let bwrap = PathBuf::from(stdout(&which).trim());
        self.command(&bwrap)
            .args(["--", "bash", "-c", inside])
            .output()
            .expect("spawn the launcher")
    }

    /// Runs `inside` with bash in the jail, with `self.bwrap` as the bwrap the launcher execs.
    pub fn jail_with_bwrap(&self, inside: &str) -> Output {
        self.command(&self.bwrap)
            .args(["--", "bash", "-c", inside])
            .output()
            .expect("spawn the launcher")
    }

    /// Runs the launcher with a recording fake bwrap: returns its status and the argv it got.
    pub fn record(&self) -> (Output, Vec<String>) {
        let dir = self.home.parent().unwrap();
        let fake = dir.join("fake-bwrap");
        let log = dir.join("argv");
        let _ = fs::remove_file(&log);
        write_script(
            &fake,
            &format!(
                "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done > '{}'\n",
                log.display()
            ),
        );
        let out = self
            .command(&fake)
            .args(["--", "entry", "arg"])
            .output()
            .expect("spawn the launcher");
        let argv = fs::read(&log)
            .map(|b| {
                b.split(|&c| c == 0)
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        (out, argv)
    }
}

/// The part of a recorded argv after the static minimal root.
pub fn runtime_part(argv: &[String], home: &Path) -> Vec<String> {
    argv[min_root(home).len()..].to_vec()
}
