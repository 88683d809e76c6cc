//! slirp4netns: the other user-mode network stack for `network: true`, selected with
//! [`crate::Backend::Slirp4netns`]. It starts in about 5 ms where pasta takes 25–45 ms here
//! (BENCHMARKS.md "Network"), because it does not pre-open pools of sockets.
//!
//! What keeps the host out:
//! - `--disable-host-loopback`: no connection to the host's 127.0.0.0/8, and the gateway
//!   (10.0.2.2) is not mapped to it;
//! - no port forwarding is ever added (slirp4netns forwards nothing without its API
//!   socket, which is not enabled); granted host ports are relayed by the helper instead
//!   ([`crate::forward`]), exactly as in allowlist mode;
//! - DNS: 10.0.2.3 is slirp's forwarder to the host's first resolver.
//!
//! The jail's namespace gets `tap0` with 10.0.2.100/24, gateway 10.0.2.2.
//!
//! slirp4netns `--configure` also brings up `lo`, which bwrap's child does itself right after
//! the clone; the two race (bwrap then fails with "loopback: Failed RTM_NEWADDR"). So the
//! helper starts slirp4netns only once bwrap's child has written its uid map, which it does
//! right after setting up the loopback.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::sys;

pub const DNS: &str = "10.0.2.3";

pub fn resolv_conf() -> String {
    format!("# jailgen: DNS through slirp4netns to the host's resolver\nnameserver {DNS}\n")
}

pub struct Slirp {
    child: Child,
    stderr: OwnedFd,
}

fn wait_for_loopback(jail: libc::pid_t) -> io::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(5);
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    loop {
        let map = std::fs::read_to_string(format!("/proc/{jail}/uid_map")).unwrap_or_default();
        let lo_up = std::fs::read_to_string(format!("/proc/{jail}/net/if_inet6"))
            .unwrap_or_default()
            .lines()
            .any(|l| l.trim_end().ends_with(" lo"));
        // Unprivileged bwrap writes the child's uid map right after the loopback; as root
        // there is no map to wait for, so wait for ::1 on lo (IPv6 enabled) instead.
        if (!root && !map.trim().is_empty()) || lo_up {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(io::Error::other(
                "the jail did not set up its loopback in time",
            ));
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

impl Slirp {
    pub fn start(
        slirp: &Path,
        userns: &OwnedFd,
        netns: &OwnedFd,
        jail: libc::pid_t,
    ) -> io::Result<Slirp> {
        wait_for_loopback(jail)?;
        let (ready_r, ready_w) = sys::pipe()?;
        let (u, n, r) = (userns.as_raw_fd(), netns.as_raw_fd(), ready_w.as_raw_fd());
        let mut cmd = Command::new(slirp);
        cmd.args([
            "--configure".to_string(),
            "--mtu=65520".into(),
            "--disable-host-loopback".into(),
            // A syscall filter: it parses every packet the agent sends. (`--enable-sandbox`
            // fails here: it needs to become root in a user namespace of its own.)
            "--enable-seccomp".into(),
            format!("--ready-fd={r}"),
            format!("--userns-path=/proc/self/fd/{u}"),
            "--netns-type=path".into(),
            format!("/proc/self/fd/{n}"),
            "tap0".into(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        // SAFETY: only async-signal-safe calls (fcntl, prctl) between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                for fd in [u, n, r] {
                    sys::set_inheritable(fd, true)?;
                }
                sys::set_parent_death_signal(libc::SIGKILL)
            });
        }
        let mut child = cmd.spawn().map_err(|e| {
            io::Error::new(e.kind(), format!("cannot run `{}`: {e}", slirp.display()))
        })?;
        drop(ready_w);
        let ready = sys::poll_readable(&[ready_r.as_raw_fd()], Some(crate::pasta::READY_TIMEOUT))?;
        let got = if ready.is_empty() {
            Vec::new()
        } else {
            sys::read_to_end(ready_r.as_raw_fd(), 16).unwrap_or_default()
        };
        if got.first() == Some(&b'1') {
            let stderr = child
                .stderr
                .take()
                .map(OwnedFd::from)
                .ok_or_else(|| io::Error::other("slirp4netns's stderr is missing"))?;
            return Ok(Slirp { child, stderr });
        }
        let _ = child.kill();
        let status = child.wait()?;
        let mut said = String::new();
        if let Some(e) = child.stderr.take() {
            let fd = OwnedFd::from(e);
            said = String::from_utf8_lossy(
                &sys::read_to_end(fd.as_raw_fd(), 4096).unwrap_or_default(),
            )
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        }
        Err(io::Error::other(if ready.is_empty() {
            format!("slirp4netns did not configure the network in time: {said}")
        } else {
            format!("slirp4netns failed ({status}): {said}")
        }))
    }

    /// slirp4netns's stderr, drained by the helper like pasta's.
    pub fn stderr(&self) -> std::os::fd::RawFd {
        self.stderr.as_raw_fd()
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
