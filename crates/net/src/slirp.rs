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
//! It lives no longer than the helper: `--exit-fd` is a pipe whose only writer the helper
//! holds, so slirp4netns exits when the helper does, however it ends. That, rather than a
//! parent-death signal, lets the helper start it without pre-exec code, so std spawns it
//! with posix_spawn (a vfork) instead of a fork of the helper; the start of the stack is on
//! the path to the agent's start (BENCHMARKS.md "Network").
//!
//! slirp4netns `--configure` also brings up `lo`, which bwrap's child does itself right after
//! the clone; the two race (bwrap then fails with "loopback: Failed RTM_NEWADDR"). So the
//! helper starts slirp4netns only once bwrap's child has written its uid map, which it does
//! right after setting up the loopback.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helper::{Stack, Steps};
use crate::sys;

pub const DNS: &str = "10.0.2.3";

pub fn resolv_conf() -> String {
    format!("# jailgen: DNS through slirp4netns to the host's resolver\nnameserver {DNS}\n")
}

/// slirp4netns's arguments for a jail whose namespaces are open as `userns` and `netns`,
/// with the ready signal on `ready` and the exit signal (a hang-up) on `exit`.
pub fn args(userns: RawFd, netns: RawFd, ready: RawFd, exit: RawFd) -> Vec<String> {
    vec![
        "--configure".to_string(),
        "--mtu=65520".into(),
        "--disable-host-loopback".into(),
        // A syscall filter: it parses every packet the agent sends. (`--enable-sandbox`
        // fails here: it needs to become root in a user namespace of its own.)
        "--enable-seccomp".into(),
        format!("--ready-fd={ready}"),
        format!("--exit-fd={exit}"),
        format!("--userns-path=/proc/self/fd/{userns}"),
        "--netns-type=path".into(),
        format!("/proc/self/fd/{netns}"),
        "tap0".into(),
    ]
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

/// Start slirp4netns against the namespaces once the jail's loopback is up, and wait for
/// its ready signal. The error says what it printed.
pub(crate) fn start(
    slirp: &Path,
    userns: &OwnedFd,
    netns: &OwnedFd,
    jail: libc::pid_t,
    t: &mut Steps,
) -> io::Result<Stack> {
    wait_for_loopback(jail)?;
    t.step("loopback");
    let (ready_r, ready_w) = sys::pipe()?;
    // slirp4netns exits when this pipe hangs up: when the helper exits or is killed.
    let (exit_r, exit_w) = sys::pipe()?;
    let (u, n, r, x) = (
        userns.as_raw_fd(),
        netns.as_raw_fd(),
        ready_w.as_raw_fd(),
        exit_r.as_raw_fd(),
    );
    let mut cmd = Command::new(slirp);
    // Nothing of the launcher's environment (forwarded credentials among it).
    cmd.env_clear()
        .args(args(u, n, r, x))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // No pre-exec code, so std spawns with posix_spawn (a vfork), not a fork of the
    // helper: the four descriptors are made inheritable here instead, while the
    // helper is still single-threaded (nothing else can exec meanwhile), and closed or
    // made close-on-exec again below.
    for fd in [u, n, r, x] {
        sys::set_inheritable(fd, true)?;
    }
    let spawned = cmd.spawn();
    for fd in [u, n] {
        sys::set_inheritable(fd, false)?;
    }
    drop(exit_r);
    let mut child = spawned
        .map_err(|e| io::Error::new(e.kind(), format!("cannot run `{}`: {e}", slirp.display())))?;
    drop(ready_w);
    t.step("spawned");
    let ready = sys::poll_readable(&[ready_r.as_raw_fd()], Some(crate::pasta::READY_TIMEOUT))?;
    let got = if ready.is_empty() {
        Vec::new()
    } else {
        // One read: a process slirp4netns left behind may hold the pipe open.
        sys::read_once(ready_r.as_raw_fd(), 16).unwrap_or_default()
    };
    if got.first() == Some(&b'1') {
        let stderr = child
            .stderr
            .take()
            .map(OwnedFd::from)
            .ok_or_else(|| io::Error::other("slirp4netns's stderr is missing"))?;
        return Ok(Stack {
            child,
            stderr,
            _exit: Some(exit_w),
        });
    }
    let _ = child.kill();
    let status = child.wait()?;
    let mut said = String::new();
    if let Some(e) = child.stderr.take() {
        let fd = OwnedFd::from(e);
        // What it said by now; a process it left behind may hold the pipe open.
        let waiting = sys::poll_readable(
            &[fd.as_raw_fd()],
            Some(std::time::Duration::from_millis(100)),
        )
        .unwrap_or_default();
        let text = if waiting.is_empty() {
            Vec::new()
        } else {
            sys::read_once(fd.as_raw_fd(), 4096).unwrap_or_default()
        };
        said = String::from_utf8_lossy(&text)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
    }
    let said = if said.is_empty() {
        String::new()
    } else {
        format!(": {said}")
    };
    Err(io::Error::other(if ready.is_empty() {
        format!(
            "slirp4netns did not configure the network within {:?}{said}",
            crate::pasta::READY_TIMEOUT
        )
    } else {
        format!("slirp4netns failed ({status}){said}")
    }))
}

#[cfg(test)]
mod tests {
    use super::args;

    #[test]
    fn slirp4netns_keeps_the_host_loopback_out_filters_syscalls_and_exits_with_the_helper() {
        let a = args(5, 6, 7, 8);
        for must in [
            "--configure",
            "--disable-host-loopback",
            "--enable-seccomp",
            "--ready-fd=7",
            "--exit-fd=8",
            "--userns-path=/proc/self/fd/5",
            "/proc/self/fd/6",
        ] {
            assert!(a.iter().any(|x| x == must), "{must} missing from {a:?}");
        }
        // No API socket: nothing can add a port forward later.
        assert!(
            !a.iter().any(|x| x.starts_with("--api-socket") || x == "-a"),
            "{a:?}"
        );
    }
}
