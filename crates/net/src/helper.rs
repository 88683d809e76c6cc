//! The network helper: one process, forked by the launcher just before it execs bwrap,
//! that gives the jail its network and lives exactly as long as the jail.
//!
//! ```text
//! launcher ──fork──► helper (host's namespaces; own session, stdin /dev/null)
//!    │ exec                 │ 1. reads bwrap's --info-fd: {"child-pid": N}
//!    ▼                      │ 2. opens /proc/N/ns/net and the user namespace owning it
//!  bwrap ─clone─► jail      │ 3a. network: true — starts the stack (slirp4netns once the
//!                           │     jail's loopback is up, or pasta) on them, waits for ready
//!  (own user+net ns,        │ 3b. allowlist — a short-lived child joins them and binds
//!   blocked on --block-fd)  │     the proxy's (and host ports') listeners, hands them back
//!                           │ 4. writes one byte to --block-fd: the agent starts
//!                           │ 5. serves (proxy) / watches (the stack) until bwrap exits
//!                           ▼    (pidfd) or its parent-death signal ends it with bwrap;
//!                                the stack ends with the helper (--exit-fd, pasta's own signal)
//! ```
//!
//! Why after bwrap's clone and not before exec: bwrap alone creates the namespaces (no
//! second user-namespace creator that Ubuntu's AppArmor policy would also have to allow),
//! and the stack's set-up overlaps bwrap's mounts (BENCHMARKS.md "Network": with
//! slirp4netns the agent does not wait for it on a two-core machine; the stack's CPU is
//! what it costs). Why the user namespace *owning* the network namespace and not
//! `/proc/N/ns/user`: bwrap may already have moved the child into a nested user namespace
//! (`--dev` needs one for devpts, `--disable-userns` another), which has no rights over the
//! network namespace.
//!
//! If set-up fails, the helper kills the jail before the agent ran, then prints one
//! `jailgen: refusing to start: network: …` line; bwrap then exits with the killed child's
//! status. bwrap takes end-of-file on `--block-fd` as "go", so until the unblock every way
//! out of the helper kills the jail first: a failure, a panic (the hook [`guard_jail`]
//! installs), a stderr that cannot be written (nothing before the unblock can panic on it).
//! After the unblock the helper ends with bwrap (its parent-death signal); the stack ends
//! with the helper (slirp4netns' `--exit-fd`, pasta's own parent-death signal).

use std::fs::File;
use std::io;
use std::net::TcpListener;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;
use std::time::Instant;

use crate::proxy::{Limits, Proxy};
use crate::rules::Rules;
use crate::{Backend, PROXY_PORT, log::SessionLog, sys};

pub(crate) enum Work {
    Internet {
        backend: Backend,
        host_ports: Vec<u16>,
    },
    Proxy {
        rules: Rules,
        log: Option<SessionLog>,
        host_ports: Vec<u16>,
        limits: Limits,
    },
}

/// The helper's side of the pipes shared with bwrap.
pub(crate) struct HelperEnds {
    pub info_r: OwnedFd,
    pub block_w: OwnedFd,
}

/// The helper's step timings (`Options::times`), printed right before the jail is
/// unblocked: each step's microseconds since the previous one, the first since the helper
/// was forked.
pub(crate) struct Steps {
    on: bool,
    last: Instant,
    steps: Vec<(&'static str, u128)>,
}

impl Steps {
    fn new(on: bool) -> Steps {
        Steps {
            on,
            last: Instant::now(),
            steps: Vec::new(),
        }
    }

    pub(crate) fn step(&mut self, name: &'static str) {
        if self.on {
            let now = Instant::now();
            self.steps
                .push((name, now.duration_since(self.last).as_micros()));
            self.last = now;
        }
    }

    fn print(&self) {
        if self.on {
            let line: Vec<String> = self
                .steps
                .iter()
                .map(|(n, us)| format!("{n}={us}"))
                .collect();
            say(&format!("jailgen: network times (µs): {}", line.join(" ")));
        }
    }
}

/// Runs in the forked helper; never returns.
pub(crate) fn run(parent: libc::pid_t, ends: HelperEnds, work: Work, times: bool) -> ! {
    let mut t = Steps::new(times);
    // Own session: the terminal's ^C and ^Z go to the agent, not to its network.
    sys::setsid();
    sys::stdin_null();
    sys::chdir_root();
    // A client that hangs up mid-write must not kill the proxy.
    sys::ignore_signal(libc::SIGPIPE);
    // Nothing of the launcher's (the descriptors it checked for bwrap, a session lock)
    // stays open here.
    let mut keep = vec![ends.info_r.as_raw_fd(), ends.block_w.as_raw_fd()];
    if let Work::Proxy { log: Some(log), .. } = &work {
        keep.push(log.raw_fd());
    }
    sys::close_all_but(&keep);
    let _ = sys::set_parent_death_signal(libc::SIGKILL);
    let bwrap = sys::pidfd_open(parent);
    if sys::getppid() != parent {
        // bwrap is already gone.
        sys::exit_now(0);
    }
    let info = sys::read_to_end(ends.info_r.as_raw_fd(), 64 * 1024).unwrap_or_default();
    drop(ends.info_r);
    t.step("info");
    let Some(child) = child_pid(&info) else {
        // bwrap failed before creating the jail and said why itself.
        sys::exit_now(0)
    };
    guard_jail(child);
    let bwrap = match bwrap {
        Ok(fd) => fd,
        Err(e) => fail(child, &format!("cannot watch bwrap (pidfd_open: {e})")),
    };
    let (userns, netns) = match open_namespaces(child) {
        Ok(ns) => ns,
        Err(e) => fail(child, &format!("cannot open the jail's namespaces: {e}")),
    };
    t.step("namespaces");
    match work {
        Work::Internet {
            backend,
            host_ports,
        } => {
            if !crate::pasta::host_has_default_route() {
                say(
                    "jailgen: network: this host has no default route (offline?); the jail starts without network",
                );
                unblock(ends.block_w);
                let _ = sys::poll_readable(&[bwrap.as_raw_fd()], None);
                sys::exit_now(0)
            }
            let advice = crate::NO_STACK_FIX;
            let stack = match &backend {
                Backend::Pasta(p) => crate::pasta::start(p, &host_ports, &userns, &netns),
                Backend::Slirp4netns(p) => crate::slirp::start(p, &userns, &netns, child, &mut t),
            };
            let stack = match stack {
                Ok(s) => s,
                Err(e) => fail(child, &format!("{e}; check the stack, {advice}")),
            };
            if let Backend::Slirp4netns(_) = backend {
                // slirp4netns forwards no host port: the helper relays granted ones.
                if !host_ports.is_empty() {
                    let listeners = match listen_in(&userns, &netns, &host_ports) {
                        Ok(l) => l,
                        Err(e) => fail(child, &format!("cannot listen inside the jail: {e}")),
                    };
                    for (l, port) in listeners.into_iter().zip(host_ports) {
                        spawn_or_fail(child, "jailgen-hostport", move || {
                            let _ = crate::forward::serve_host_port(l, port, Limits::default());
                        });
                    }
                }
            }
            drop((userns, netns));
            t.step("stack");
            // Before the unblock: once the jail is gone, the helper is too (parent-death
            // signal), and a line printed after it could be lost.
            t.print();
            unblock(ends.block_w);
            // Keep draining the stack's stderr until bwrap exits.
            let fds = [bwrap.as_raw_fd(), stack.stderr()];
            let mut stderr_open = true;
            loop {
                let watch = if stderr_open { &fds[..] } else { &fds[..1] };
                let ready = sys::poll_readable(watch, None).unwrap_or_default();
                if ready.contains(&0) {
                    break;
                }
                if ready.contains(&1) {
                    let mut buf = [0u8; 4096];
                    // SAFETY: reading into a valid buffer from the stack's stderr pipe.
                    let n = unsafe { libc::read(fds[1], buf.as_mut_ptr().cast(), buf.len()) };
                    if n <= 0 {
                        stderr_open = false;
                    }
                }
            }
            stack.stop();
            sys::exit_now(0)
        }
        Work::Proxy {
            rules,
            log,
            host_ports,
            limits,
        } => {
            let mut ports = vec![PROXY_PORT];
            ports.extend(&host_ports);
            let listeners = match listen_in(&userns, &netns, &ports) {
                Ok(l) => l,
                Err(e) => fail(child, &format!("cannot listen inside the jail: {e}")),
            };
            drop((userns, netns));
            let mut listeners = listeners.into_iter();
            let proxy_listener = listeners
                .next()
                .unwrap_or_else(|| fail(child, "no proxy socket"));
            let proxy = Arc::new(Proxy::new(rules, log).with_limits(limits));
            spawn_or_fail(child, "jailgen-proxy", move || {
                let _ = proxy.serve(proxy_listener);
            });
            for (l, port) in listeners.zip(host_ports) {
                spawn_or_fail(child, "jailgen-hostport", move || {
                    let _ = crate::forward::serve_host_port(l, port, limits);
                });
            }
            t.step("listeners");
            t.print();
            unblock(ends.block_w);
            let _ = sys::poll_readable(&[bwrap.as_raw_fd()], None);
            sys::exit_now(0)
        }
    }
}

/// A started, ready stack (slirp4netns or pasta): the helper drains its stderr and stops it
/// with the jail.
pub(crate) struct Stack {
    pub(crate) child: std::process::Child,
    pub(crate) stderr: OwnedFd,
    /// Held until the helper exits: slirp4netns's `--exit-fd` is its other end.
    pub(crate) _exit: Option<OwnedFd>,
}

impl Stack {
    fn stderr(&self) -> std::os::fd::RawFd {
        self.stderr.as_raw_fd()
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Refuse the launch: the jail killed before the agent ran, then one line on stderr.
fn fail(child: libc::pid_t, what: &str) -> ! {
    sys::kill(child, libc::SIGKILL);
    say(&format!("jailgen: refusing to start: network: {what}"));
    sys::exit_now(125)
}

/// One line on stderr; a stderr that is gone is no reason to stop (`eprintln!` would panic).
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(io::stderr(), "{line}");
}

/// Until the unblock, a panic anywhere in the helper kills the jail: the helper's death would
/// close `--block-fd`, which bwrap reads as "go". [`unblock`] puts the default hook back.
fn guard_jail(child: libc::pid_t) {
    std::panic::set_hook(Box::new(move |_| sys::kill(child, libc::SIGKILL)));
}

fn spawn_or_fail(child: libc::pid_t, name: &str, f: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().name(name.into()).spawn(f) {
        fail(child, &format!("cannot start a thread: {e}"));
    }
}

fn unblock(block_w: OwnedFd) {
    let _ = std::panic::take_hook();
    let _ = sys::write_all(block_w.as_raw_fd(), b"1");
}

/// `"child-pid": N` from bwrap's info JSON (the only field read; the JSON is bwrap's own).
pub(crate) fn child_pid(info: &[u8]) -> Option<libc::pid_t> {
    let text = std::str::from_utf8(info).ok()?;
    let after = &text[text.find("\"child-pid\"")? + "\"child-pid\"".len()..];
    let after = after.trim_start().strip_prefix(':')?.trim_start();
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|&p| p > 1)
}

/// The jail's network namespace and the user namespace that owns it.
fn open_namespaces(pid: libc::pid_t) -> io::Result<(OwnedFd, OwnedFd)> {
    let net = File::open(format!("/proc/{pid}/ns/net"))?;
    let netns = OwnedFd::from(net);
    let userns = sys::owning_userns(netns.as_raw_fd())?;
    Ok((userns, netns))
}

/// Bind `0.0.0.0:PORT` listeners inside the jail's network namespace. A forked child
/// joins the namespaces (joining a user namespace needs a single-threaded process, and
/// the helper keeps the host's namespaces for its own outbound connections) and passes the
/// sockets back. `0.0.0.0` because the jail's loopback may not be up yet: bwrap brings
/// it up a moment later, and in a namespace whose only interface is `lo` the wildcard
/// address is loopback.
fn listen_in(userns: &OwnedFd, netns: &OwnedFd, ports: &[u16]) -> io::Result<Vec<TcpListener>> {
    let (ours, theirs) = sys::socketpair()?;
    match sys::fork()? {
        sys::Fork::Child => {
            drop(ours);
            let code = match bind_in_child(userns, netns, ports) {
                Ok(fds) => {
                    let raw: Vec<_> = fds.iter().map(|l| l.as_raw_fd()).collect();
                    if sys::send_fds(theirs.as_raw_fd(), &raw).is_ok() {
                        0
                    } else {
                        1
                    }
                }
                Err(e) => {
                    let _ = sys::write_all(theirs.as_raw_fd(), format!("E{e}").as_bytes());
                    1
                }
            };
            sys::exit_now(code)
        }
        sys::Fork::Parent(pid) => {
            drop(theirs);
            let got = sys::recv_fds(ours.as_raw_fd(), ports.len());
            let _ = sys::waitpid(pid);
            let fds = got?;
            if fds.len() != ports.len() {
                let mut why = sys::read_to_end(ours.as_raw_fd(), 1024).unwrap_or_default();
                if why.first() == Some(&b'E') {
                    why.remove(0);
                }
                return Err(io::Error::other(if why.is_empty() {
                    "the namespace helper sent no sockets".to_string()
                } else {
                    String::from_utf8_lossy(&why).into_owned()
                }));
            }
            Ok(fds.into_iter().map(TcpListener::from).collect())
        }
    }
}

fn bind_in_child(userns: &OwnedFd, netns: &OwnedFd, ports: &[u16]) -> io::Result<Vec<TcpListener>> {
    let own = File::open("/proc/self/ns/user")?;
    if !sys::same_ns(own.as_raw_fd(), userns.as_raw_fd())? {
        sys::setns(userns.as_raw_fd(), libc::CLONE_NEWUSER).map_err(|e| {
            io::Error::new(e.kind(), format!("joining the jail's user namespace: {e}"))
        })?;
    }
    sys::setns(netns.as_raw_fd(), libc::CLONE_NEWNET).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("joining the jail's network namespace: {e}"),
        )
    })?;
    ports
        .iter()
        .map(|&p| {
            TcpListener::bind(("0.0.0.0", p))
                .map_err(|e| io::Error::new(e.kind(), format!("port {p}: {e}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::child_pid;

    #[test]
    fn child_pid_is_read_from_bwrap_info() {
        let info = b"{\n    \"child-pid\": 4785,\n    \"net-namespace\": 4026532187\n}\n";
        assert_eq!(child_pid(info), Some(4785));
        assert_eq!(child_pid(b""), None);
        assert_eq!(child_pid(b"{\"child-pid\": 1}"), None);
        assert_eq!(child_pid(b"{\"child-pid\": x}"), None);
    }
}
