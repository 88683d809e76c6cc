//! jailgen-net: the jail's network, for `jailgen-launch`.
//!
//! Two modes besides "none" and "the host's" (which need nothing from this crate):
//! - [`Mode::Internet`] (`network: true`): the jail has its own network namespace, and a
//!   user-mode stack ([`Backend`]: slirp4netns or pasta) relays its TCP, UDP and DNS through
//!   the host's sockets. The host's loopback and abstract unix sockets stay out of reach;
//!   listed host ports are reachable at `127.0.0.1:PORT` and nothing else of the host's
//!   loopback is.
//! - [`Mode::Allow`] (`network: { allow: [...] }`): the jail's namespace holds only `lo`,
//!   on which `127.0.0.1:3128` is a socket of the filtering proxy ([`proxy`]), which runs
//!   outside the jail. `HTTPS_PROXY` and friends point there. Host ports as above, through
//!   the same kind of socket.
//!
//! Use from the launcher, which is single-threaded up to its `execve`:
//!
//! ```no_run
//! # fn main() -> Result<(), jailgen_net::Error> {
//! use jailgen_net::{Backend, Mode, Network, Options};
//! let net = Network::prepare(
//!     Mode::Internet { host_ports: vec![11434] },
//!     Options {
//!         backend: Backend::Pasta("/usr/bin/pasta".into()),
//!         log_dir: None,
//!         name: "jailed-claude".into(),
//!         times: false,
//!     },
//! )?;
//! let mut argv: Vec<String> = vec!["--unshare-all".into()]; // … jail.nix's options …
//! argv.extend(net.bwrap_args()); // before the `--` that ends bwrap's options
//! let _keep = net.start()?; // forks the helper; keep the guard alive until execve
//! // execve("bwrap", argv)
//! # Ok(()) }
//! ```

pub mod log;
pub mod pasta;
pub mod proxy;
pub mod rules;
pub mod slirp;

mod forward;
mod helper;
mod relay;
mod sys;

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

pub use rules::{RuleError, Rules};

/// Where the proxy listens inside the jail (`http://127.0.0.1:3128`).
pub const PROXY_PORT: u16 = 3128;

/// `JAILGEN_LAUNCH_TIMES=1`: the launcher prints its steps' times, and the helper its own.
pub const LAUNCH_TIMES_VAR: &str = "JAILGEN_LAUNCH_TIMES";

/// The network a jail gets from this crate.
#[derive(Clone, Debug)]
pub enum Mode {
    /// The internet through the [`Backend`]; `host_ports` of the host's loopback reachable.
    Internet { host_ports: Vec<u16> },
    /// Only the allowlist proxy; `host_ports` of the host's loopback reachable.
    Allow { rules: Rules, host_ports: Vec<u16> },
}

/// The user-mode network stack behind [`Mode::Internet`].
#[derive(Clone, Debug)]
pub enum Backend {
    /// pasta from passt (a store path under Nix): host ports through its `-T`.
    Pasta(PathBuf),
    /// slirp4netns: starts faster; host ports through the helper's relay.
    Slirp4netns(PathBuf),
}

#[derive(Clone, Debug)]
pub struct Options {
    /// The stack for [`Mode::Internet`] (unused by [`Mode::Allow`]).
    pub backend: Backend,
    /// The directory of the allowlist session log (`None`: no log).
    pub log_dir: Option<PathBuf>,
    /// The jail's name, for the log file's name.
    pub name: String,
    /// Print the helper's step timings on stderr right before the jail is unblocked (the
    /// launcher's `JAILGEN_LAUNCH_TIMES=1`).
    pub times: bool,
}

/// Why the network cannot be set up; `Display` is the refusal's text after
/// `jailgen: refusing to start: `.
#[derive(Debug)]
pub struct Error {
    what: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl std::error::Error for Error {}

fn error(what: impl Into<String>) -> Error {
    Error { what: what.into() }
}

/// The environment a jail in allowlist mode gets (both cases: curl reads `http_proxy` only
/// in lower case, most others either). `NODE_USE_ENV_PROXY` makes Node's own `fetch` and
/// `https` honour them (Node 24, 22.21).
pub fn proxy_env() -> Vec<(&'static str, String)> {
    let url = format!("http://127.0.0.1:{PROXY_PORT}");
    let mut v = Vec::new();
    for k in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] {
        v.push((k, url.clone()));
    }
    for k in ["NO_PROXY", "no_proxy"] {
        v.push((k, "localhost,127.0.0.1,::1".to_string()));
    }
    v.push(("NODE_USE_ENV_PROXY", "1".to_string()));
    v
}

/// The jail's /etc/nsswitch.conf in both modes: names from /etc/hosts, then DNS (no host
/// daemons such as systemd-resolved or nscd, whose sockets the jail does not have).
pub const NSSWITCH_CONF: &str = "passwd: files\ngroup: files\nhosts: files dns\n";

/// The jail's /etc/resolv.conf in allowlist mode: no server, so a program that resolves
/// names itself fails at once instead of waiting; proxied clients send the name to the
/// proxy, which resolves it on the host.
pub const RESOLV_CONF_ALLOW: &str =
    "# jailgen: no DNS inside this jail; names are resolved by the proxy (HTTPS_PROXY)\n";

/// A network prepared for one launch: pipes for bwrap, the files it binds, the session
/// log. Nothing runs until [`Network::start`].
pub struct Network {
    info_r: OwnedFd,
    info_w: OwnedFd,
    block_r: OwnedFd,
    block_w: OwnedFd,
    resolv: OwnedFd,
    nsswitch: OwnedFd,
    env: Vec<(&'static str, String)>,
    log_path: Option<PathBuf>,
    work: helper::Work,
    times: bool,
}

/// Descriptors bwrap reads; keep this alive until `execve`.
pub struct ForBwrap {
    _fds: Vec<OwnedFd>,
}

impl Network {
    /// Check what can be checked before anything starts (pasta runs, /dev/net/tun opens,
    /// the log can be created) and make the descriptors bwrap will read.
    pub fn prepare(mode: Mode, opts: Options) -> Result<Network, Error> {
        let ports = |mut p: Vec<u16>| -> Result<Vec<u16>, Error> {
            if p.contains(&0) {
                return Err(error("host port 0 is not a port; use 1 to 65535"));
            }
            p.sort_unstable();
            p.dedup();
            Ok(p)
        };
        let (work, resolv_text, env, log_path) = match mode {
            Mode::Internet { host_ports } => {
                let host_ports = ports(host_ports)?;
                let (bin, resolv) = match &opts.backend {
                    Backend::Pasta(p) => (p, pasta::resolv_conf()),
                    Backend::Slirp4netns(p) => (p, slirp::resolv_conf()),
                };
                let stack = match &opts.backend {
                    Backend::Pasta(_) => "pasta",
                    Backend::Slirp4netns(_) => "slirp4netns",
                };
                check_executable(bin, stack)?;
                check_tun(stack)?;
                (
                    helper::Work::Internet {
                        backend: opts.backend,
                        host_ports,
                    },
                    resolv,
                    Vec::new(),
                    None,
                )
            }
            Mode::Allow { rules, host_ports } => {
                let host_ports = ports(host_ports)?;
                if host_ports.contains(&PROXY_PORT) {
                    return Err(error(format!(
                        "host port {PROXY_PORT} is the allowlist proxy's port inside the jail; forward another port"
                    )));
                }
                let log = match &opts.log_dir {
                    Some(dir) => Some(log::SessionLog::create(dir, &opts.name).map_err(|e| {
                        error(format!("cannot create the network log: {e}; check the directory, or set XDG_STATE_HOME"))
                    })?),
                    None => None,
                };
                let log_path = log.as_ref().map(|l| l.path().to_path_buf());
                (
                    helper::Work::Proxy {
                        rules,
                        log,
                        host_ports,
                        limits: proxy::Limits::default(),
                    },
                    RESOLV_CONF_ALLOW.to_string(),
                    proxy_env(),
                    log_path,
                )
            }
        };
        let io_err = |e: io::Error| error(format!("cannot prepare the network: {e}"));
        let (info_r, info_w) = sys::pipe().map_err(io_err)?;
        let (block_r, block_w) = sys::pipe().map_err(io_err)?;
        let resolv = sys::memfd("jailgen-resolv.conf", resolv_text.as_bytes()).map_err(io_err)?;
        let nsswitch =
            sys::memfd("jailgen-nsswitch.conf", NSSWITCH_CONF.as_bytes()).map_err(io_err)?;
        for fd in [&info_w, &block_r, &resolv, &nsswitch] {
            sys::set_inheritable(fd.as_raw_fd(), true).map_err(io_err)?;
        }
        Ok(Network {
            info_r,
            info_w,
            block_r,
            block_w,
            resolv,
            nsswitch,
            env,
            log_path,
            work,
            times: opts.times,
        })
    }

    /// bwrap options for this network; they go before the `--` that ends bwrap's options
    /// and after anything they must override (`--unshare-net` undoes a `--share-net`).
    pub fn bwrap_args(&self) -> Vec<String> {
        let mut a = vec![
            "--unshare-net".to_string(),
            "--info-fd".into(),
            self.info_w.as_raw_fd().to_string(),
            "--block-fd".into(),
            self.block_r.as_raw_fd().to_string(),
            "--ro-bind-data".into(),
            self.resolv.as_raw_fd().to_string(),
            "/etc/resolv.conf".into(),
            "--ro-bind-data".into(),
            self.nsswitch.as_raw_fd().to_string(),
            "/etc/nsswitch.conf".into(),
        ];
        for (k, v) in &self.env {
            a.push("--setenv".into());
            a.push((*k).to_string());
            a.push(v.clone());
        }
        a
    }

    /// The session log of an allowlist jail.
    pub fn log_path(&self) -> Option<&Path> {
        self.log_path.as_deref()
    }

    /// Fork the helper. Call while the process is single-threaded, right before
    /// `execve(bwrap)`; keep the returned guard alive until then.
    pub fn start(self) -> Result<ForBwrap, Error> {
        let parent = sys::getpid();
        match sys::fork().map_err(|e| error(format!("cannot start the network helper: {e}")))? {
            sys::Fork::Child => {
                drop((self.info_w, self.block_r, self.resolv, self.nsswitch));
                helper::run(
                    parent,
                    helper::HelperEnds {
                        info_r: self.info_r,
                        block_w: self.block_w,
                    },
                    self.work,
                    self.times,
                )
            }
            sys::Fork::Parent(_) => {
                drop((self.info_r, self.block_w));
                Ok(ForBwrap {
                    _fds: vec![self.info_w, self.block_r, self.resolv, self.nsswitch],
                })
            }
        }
    }
}

/// What the user can do when the stack cannot run: one clause, shared by the refusals below.
/// Never a fallback to the host's network: that is the user's explicit choice.
pub(crate) const NO_STACK_FIX: &str = "or set the jail's network to `host` (the host's network, loopback and abstract sockets included) or `false`";

fn check_executable(bin: &Path, stack: &str) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(bin) {
        Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => Ok(()),
        Ok(_) => Err(error(format!(
            "network: `{}` is not an executable file; the jail's network runs on {stack}: install it and rebuild the jail, {NO_STACK_FIX}",
            bin.display()
        ))),
        Err(e) => Err(error(format!(
            "network: `{}`: {e}; the jail's network runs on {stack}: install it and rebuild the jail, {NO_STACK_FIX}",
            bin.display()
        ))),
    }
}

fn check_tun(stack: &str) -> Result<(), Error> {
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/net/tun")
    {
        Ok(_) => Ok(()),
        Err(e) => Err(error(format!(
            "network: `/dev/net/tun`: {e}; {stack} needs it readable and writable by you: make it mode 0666 as root (`chmod 0666 /dev/net/tun`, most distributions' default), {NO_STACK_FIX}"
        ))),
    }
}
