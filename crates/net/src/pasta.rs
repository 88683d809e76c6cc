//! pasta (from passt): the user-mode network stack behind `network: true`.
//!
//! pasta joins the jail's user and network namespaces, puts a tap interface there with the
//! host's addresses and routes, and relays the jail's TCP, UDP and ICMP through ordinary
//! sockets of the host. What it must not do, and the options that stop it (each verified
//! on passt 2023-03-09 and present in later releases):
//! - `--no-map-gw`: by default a connection to the gateway address reaches the *host's*
//!   loopback; this turns that off, so the gateway is just the gateway;
//! - `-T none` / `-U none` (or `-T PORT,…` for granted host ports): by default every port
//!   bound on the host's loopback is forwarded into the namespace (`auto`);
//! - `-t none` / `-u none`: no port of the host forwarded *into* the jail either;
//! - `--dns-forward 169.254.0.53`: queries to that address go to the host's resolver (the
//!   jail's resolv.conf names it), so DNS works without exposing anything else;
//! - `--foreground` and `--pid` on a pipe: pasta stays our child (it dies with the helper:
//!   parent-death signal) and writes its pid once the namespace is configured, which is
//!   the moment the jail may start.
//!
//! The jail's own namespace keeps the host's abstract unix sockets (`@/tmp/.X11-unix/X0`)
//! and its loopback out of reach: both belong to the host's network namespace.

use std::io;
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helper::Stack;
use crate::sys;

/// Where the jail sends DNS queries; pasta forwards them to the host's first resolver.
/// Link-local, so no real destination is shadowed (pasta answers before routing).
pub const DNS_FORWARD: Ipv4Addr = Ipv4Addr::new(169, 254, 0, 53);

/// How long pasta may take to configure the namespace before the launch is refused.
pub const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// pasta's arguments for a jail whose namespaces are open as `userns` and `netns`, with
/// the ready signal (pid file) on `pid_fd`. Host ports are TCP ports of the host's
/// loopback the jail may reach at 127.0.0.1:PORT.
pub fn args(host_ports: &[u16], userns: RawFd, netns: RawFd, pid_fd: RawFd) -> Vec<String> {
    let to_host = if host_ports.is_empty() {
        "none".to_string()
    } else {
        host_ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut a: Vec<String> = [
        "--config-net",
        "--quiet",
        "--foreground",
        "--no-map-gw",
        "--tcp-ports",
        "none",
        "--udp-ports",
        "none",
        "--tcp-ns",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.push(to_host);
    for s in ["--udp-ns", "none", "--dns-forward"] {
        a.push(s.to_string());
    }
    a.push(DNS_FORWARD.to_string());
    a.push("--pid".into());
    a.push(format!("/proc/self/fd/{pid_fd}"));
    a.push("--userns".into());
    a.push(format!("/proc/self/fd/{userns}"));
    a.push("--netns".into());
    a.push(format!("/proc/self/fd/{netns}"));
    a
}

/// The jail's /etc/resolv.conf with `network: true`.
pub fn resolv_conf() -> String {
    format!(
        "# jailgen: DNS through pasta to the host's resolver\nnameserver {DNS_FORWARD}\noptions edns0 trust-ad\n"
    )
}

fn routes_have_default(v4: &str, v6: &str) -> bool {
    // /proc/net/route: Iface Destination Gateway Flags …, destination 00000000, mask field 8.
    let v4 = v4.lines().skip(1).any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() > 7 && f[1] == "00000000" && f[7] == "00000000" && f[0] != "lo"
    });
    // /proc/net/ipv6_route: dest, dest prefix length, …, device last.
    let v6 = v6.lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() == 10 && f[0] == "0".repeat(32) && f[1] == "00" && f[9] != "lo"
    });
    v4 || v6
}

/// Whether this host has a default route at all: without one pasta refuses to start (no
/// external interface), and the jail starts offline instead.
pub fn host_has_default_route() -> bool {
    let v4 = std::fs::read_to_string("/proc/net/route").unwrap_or_default();
    let v6 = std::fs::read_to_string("/proc/net/ipv6_route").unwrap_or_default();
    routes_have_default(&v4, &v6)
}

/// Start pasta against the namespaces and wait until it has set everything up (it
/// writes its pid then). The error says what pasta printed.
///
/// Starting the agent earlier, once the jail's default route exists (pasta adds it
/// before its pools of sockets and pipes), was tried and lost the first DNS queries;
/// the pid file is the only ready signal pasta gives.
pub(crate) fn start(
    pasta: &Path,
    host_ports: &[u16],
    userns: &OwnedFd,
    netns: &OwnedFd,
) -> io::Result<Stack> {
    let (pid_r, pid_w) = sys::pipe()?;
    let (u, n, p) = (userns.as_raw_fd(), netns.as_raw_fd(), pid_w.as_raw_fd());
    let mut cmd = Command::new(pasta);
    // Nothing of the launcher's environment (forwarded credentials among it).
    cmd.env_clear()
        .args(args(host_ports, u, n, p))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: the closure runs between fork and exec and only calls fcntl and prctl,
    // which are async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            for fd in [u, n, p] {
                sys::set_inheritable(fd, true)?;
            }
            sys::set_parent_death_signal(libc::SIGKILL)
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("cannot run `{}`: {e}", pasta.display())))?;
    drop(pid_w);
    let stderr: OwnedFd = child
        .stderr
        .take()
        .map(OwnedFd::from)
        .ok_or_else(|| io::Error::other("pasta's stderr is missing"))?;
    let deadline = Instant::now() + READY_TIMEOUT;
    let mut pid_text = Vec::new();
    let mut err_text = Vec::new();
    let (mut pid_open, mut err_open) = (true, true);
    loop {
        if pid_text.contains(&b'\n') {
            return Ok(Stack {
                child,
                stderr,
                _exit: None,
            });
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let mut fds = Vec::new();
        if pid_open {
            fds.push(pid_r.as_raw_fd());
        }
        if err_open {
            fds.push(stderr.as_raw_fd());
        }
        if fds.is_empty() || left.is_zero() {
            let _ = child.kill();
            let status = child.wait()?;
            let said = String::from_utf8_lossy(&err_text);
            let said: Vec<&str> = said
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("Failed to send"))
                .collect();
            let said = if said.is_empty() {
                String::new()
            } else {
                format!(": {}", said.join("; "))
            };
            return Err(io::Error::other(if left.is_zero() {
                format!("pasta did not configure the network within {READY_TIMEOUT:?}{said}")
            } else {
                format!("pasta failed ({status}){said}")
            }));
        }
        for i in sys::poll_readable(&fds, Some(left))? {
            let mut buf = [0u8; 1024];
            // SAFETY: reading into a valid buffer from our descriptor.
            let r = unsafe { libc::read(fds[i], buf.as_mut_ptr().cast(), buf.len()) };
            let is_pid = fds[i] == pid_r.as_raw_fd();
            if r <= 0 {
                if is_pid {
                    pid_open = false;
                } else {
                    err_open = false;
                }
            } else if is_pid {
                pid_text.extend_from_slice(&buf[..r as usize]);
            } else if err_text.len() < 8192 {
                err_text.extend_from_slice(&buf[..r as usize]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression guard: pasta's defaults expose the host (gateway mapped to its loopback,
    /// every host loopback port forwarded in). Without these options the lab tests fail
    /// (checked: the gateway probe reaches the host's 127.0.0.1 listener); this pins them
    /// where the lab cannot run.
    #[test]
    fn pasta_is_told_not_to_map_or_forward_anything_of_the_host() {
        let a = args(&[], 3, 4, 5);
        let pair = |k: &str| a.windows(2).find(|w| w[0] == k).map(|w| w[1].as_str());
        assert!(a.contains(&"--no-map-gw".to_string()));
        assert_eq!(pair("--tcp-ns"), Some("none"));
        assert_eq!(pair("--udp-ns"), Some("none"));
        assert_eq!(pair("--tcp-ports"), Some("none"));
        assert_eq!(pair("--udp-ports"), Some("none"));
        assert_eq!(pair("--dns-forward"), Some("169.254.0.53"));
        assert_eq!(pair("--netns"), Some("/proc/self/fd/4"));
        assert_eq!(pair("--userns"), Some("/proc/self/fd/3"));
        let a = args(&[11434, 3000], 3, 4, 5);
        assert_eq!(
            a.windows(2)
                .find(|w| w[0] == "--tcp-ns")
                .map(|w| w[1].as_str()),
            Some("11434,3000")
        );
        assert!(resolv_conf().contains("nameserver 169.254.0.53\n"));
    }

    #[test]
    fn default_routes_are_found_in_procfs_tables() {
        let v4 = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                  eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
        let only_net = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                        eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
        let v6 = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000000 00000000 00000003     eth0\n";
        let v6_lo = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n";
        assert!(routes_have_default(v4, ""));
        assert!(!routes_have_default(only_net, ""));
        assert!(routes_have_default("", v6));
        assert!(!routes_have_default("", v6_lo));
        assert!(!routes_have_default("", ""));
    }
}
