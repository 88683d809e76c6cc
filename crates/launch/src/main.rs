//! jailgen-launch: the jail's runtime. `jailgen-launch POLICY.json BWRAP <bwrap options> --
//! COMMAND...` checks the host (working-directory guard, session lock), creates the state
//! paths, opens every path it binds inside an agent-writable directory once, computes the
//! plan (jailgen_policy::plan) and execs bwrap with the descriptors it checked. The contract
//! is crates/POLICY.md. A refusal is one line on stderr and exit code 125.

mod args;
mod git;
mod grants;
mod guard;
mod hide;
mod lock;
mod net;
mod nixtrust;
mod refuse;
mod sys;
mod tz;

use jailgen_policy::{GrantPath, Host, Policy, seccomp, to_args};
use refuse::{Stop, bug, q, refuse};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::time::Instant;

fn main() {
    let e = match run() {
        Ok(e) => e,
        Err(stop) => {
            eprintln!("{stop}");
            std::process::exit(refuse::EXIT);
        }
    };
    eprintln!("jailgen: cannot run bwrap: {e}");
    std::process::exit(refuse::EXIT);
}

/// Step timings, printed when JAILGEN_LAUNCH_TIMES=1 (for BENCHMARKS.md).
struct Times {
    on: bool,
    last: Instant,
    steps: Vec<(&'static str, u128)>,
}

impl Times {
    fn step(&mut self, name: &'static str) {
        if self.on {
            let now = Instant::now();
            self.steps
                .push((name, now.duration_since(self.last).as_micros()));
            self.last = now;
        }
    }
}

fn inherit(fd: OwnedFd) -> Result<RawFd, Stop> {
    sys::inherit(fd).map_err(|e| bug(format!("cannot pass a descriptor to bwrap: {e}")))
}

fn run() -> Result<std::io::Error, Stop> {
    let var = |k: &str| std::env::var(k).ok();
    let mut t = Times {
        on: var(jailgen_net::LAUNCH_TIMES_VAR).as_deref() == Some("1"),
        last: Instant::now(),
        steps: Vec::new(),
    };
    let argv = args::parse(std::env::args_os())?;
    let policy_path = argv.policy.to_string_lossy().into_owned();
    let text = std::fs::read_to_string(&argv.policy)
        .map_err(|e| bug(format!("cannot read the policy file `{policy_path}`: {e}")))?;
    let policy = Policy::from_json(&text)
        .map_err(|e| bug(format!("the policy file `{policy_path}`: {e}")))?;
    t.step("policy");

    let home = var("HOME").filter(|h| h.starts_with('/'));
    let needs_home = policy
        .readonly
        .iter()
        .chain(&policy.readonly_if_exists)
        .chain(&policy.readwrite)
        .chain(policy.state.iter().map(|s| &s.path))
        .any(|p| matches!(p, GrantPath::Home(_)))
        || !policy.env.home.is_empty();
    if needs_home && home.is_none() {
        return Err(refuse(
            "HOME",
            "it is unset or not an absolute path, and the jail's grants are named under it",
            "set HOME to your home directory and start again",
        ));
    }
    let home_s = home.clone().unwrap_or_default();
    // One spelling per path before anything compares them (red-team F9).
    let policy = match &home {
        Some(h) => policy.home_relative(h),
        None => policy,
    };
    let cwd = sys::getcwd().map_err(|e| {
        refuse(
            "the working directory",
            format!("cannot read it ({e}; a deleted directory or a name that is not UTF-8)"),
            "start from a project directory",
        )
    })?;
    // The directory itself (the process's, not a path), checked to be the one its name
    // names: everything below is reached from this descriptor.
    let cwd_fd =
        sys::openat(libc::AT_FDCWD, ".", libc::O_PATH | libc::O_DIRECTORY, 0).map_err(|e| {
            refuse(
                q(&cwd),
                format!("cannot open the working directory: {e}"),
                "start again",
            )
        })?;
    match (sys::fstat(cwd_fd.as_raw_fd()), sys::stat(&cwd)) {
        (Ok(a), Ok(b)) if sys::same_file(&a, &b) => {}
        _ => {
            return Err(refuse(
                q(&cwd),
                "the working directory changed while the jail was starting (it is no longer at this path)",
                "is another session running? cd into the project again and start again",
            ));
        }
    }
    let insisted = guard::check(&cwd, home.as_deref(), &var)?;
    nixtrust::check(policy.nix, &var)?;
    // Refusals that need nothing written come before anything is (state paths below).
    net::log_dir(&policy, &var)?;
    t.step("guard");
    // Held (close-on-exec) until bwrap replaces this process.
    let (_turn, lock_warning) = lock::take(&cwd, home.as_deref(), &var)?;
    t.step("lock");
    grants::ensure_state(&policy, &home_s, &cwd)?;
    t.step("state");
    let opened = grants::open_grants(&policy, &home_s, &cwd, cwd_fd.as_raw_fd())?;
    t.step("grants");

    let mut git = git::Protect {
        cwd: &cwd,
        cwd_fd: cwd_fd.as_raw_fd(),
        home: home.as_deref(),
        var_allow: var(git::ALLOW_GIT_LAYOUT).as_deref() == Some("1"),
        ops: Vec::new(),
        fds: Vec::new(),
    };
    git.run(policy.git)?;
    if policy.git == jailgen_policy::Git::Protect {
        git.global_config(&var);
    }
    let (git_ops, git_fds) = (git.ops, git.fds);
    t.step("git");
    let hide::Masks {
        ops: hide_ops,
        fds: hide_fds,
        raw: hide_raw,
    } = hide::masks(&cwd, cwd_fd.as_raw_fd(), &policy.hide, &var, insisted)?;
    t.step("hide");
    // jail.nix's own time-zone combinator (in a caller's baseJailOptions) made it already.
    let (tz_ops, tz_fd) = match tz::time_zone().filter(|_| !argv.makes("/etc/localtime")) {
        Some((ops, fd)) => (ops, Some(fd)),
        None => (Vec::new(), None),
    };
    t.step("tz");
    let seccomp_fd = if policy.seccomp {
        let arches = seccomp::native_arches().ok_or_else(|| {
            refuse(
                "the TIOCSTI filter",
                "this launcher has no seccomp program for this machine's architecture",
                "use an x86_64 or aarch64 machine, or a policy with `seccomp: false`",
            )
        })?;
        let bytes = seccomp::to_bytes(&seccomp::program(arches));
        let fd = sys::memfd_with("jailgen-tiocsti-filter", &bytes)
            .map_err(|e| bug(format!("cannot create the seccomp filter: {e}")))?;
        Some(inherit(fd)?)
    } else {
        None
    };
    let ssl_store_paths =
        if policy.tls.host_ssl && policy.network != jailgen_policy::Network::Isolated {
            ssl_store_paths()
        } else {
            Vec::new()
        };
    t.step("seccomp");

    // Every descriptor that an op names must survive exec.
    for fd in git_fds.into_iter().chain(hide_fds).chain(tz_fd) {
        inherit(fd)?;
    }
    let mut in_cwd = Vec::new();
    for (fd, path) in opened.in_cwd_readonly {
        in_cwd.push((inherit(fd)?, path));
    }
    let cwd_bind = inherit(sys::dup(cwd_fd.as_raw_fd()).map_err(|e| bug(e.to_string()))?)?;
    let mut failed: Option<Stop> = None;
    let fds = &opened.fds;
    let mut grant = |p: &GrantPath| -> Option<(RawFd, String)> {
        let (fd, src) = fds.get(p)?.as_ref()?;
        match sys::dup(fd.as_raw_fd())
            .map_err(|e| bug(e.to_string()))
            .and_then(inherit)
        {
            Ok(n) => Some((n, src.clone())),
            Err(e) => {
                failed = Some(e);
                None
            }
        }
    };
    let mut host = Host {
        home: home_s.clone(),
        cwd: cwd.clone(),
        cwd_fd: cwd_bind,
        var: &var,
        grant: &mut grant,
        in_cwd_readonly: in_cwd,
        git: git_ops,
        hidden: hide_ops,
        time_zone: tz_ops,
        ssl_store_paths,
        seccomp_fd,
    };
    let plan = jailgen_policy::plan(&policy, &mut host);
    if let Some(e) = failed {
        return Err(e);
    }
    let mut out: Vec<std::ffi::OsString> = argv.before;
    out.extend(to_args(&plan.grants).into_iter().map(Into::into));
    if argv.had_token {
        out.extend(argv.after);
    }
    out.extend(to_args(&plan.tail).into_iter().map(Into::into));
    // Masks for hidden paths whose names are not UTF-8: after everything, like the others.
    out.extend(hide_raw);
    // The network's options last: its resolv.conf and nsswitch.conf land over the plan's
    // binds, and its `--unshare-net` over any static `--share-net`.
    let network = net::prepare(&policy, &var)?;
    if let Some(n) = &network {
        out.extend(n.bwrap_args().into_iter().map(Into::into));
    }
    out.extend(argv.command);
    // Only the descriptors bwrap's options name survive exec (red-team F8).
    sys::cloexec_all_but(&args::consumed_fds(&out))
        .map_err(|e| bug(format!("cannot close the inherited descriptors: {e}")))?;
    t.step("plan");
    // Only a launch that goes on warns about the lock (a refusal stays one line).
    if let Some(w) = lock_warning {
        refuse::warn(&w);
    }
    if t.on {
        let line: Vec<String> = t.steps.iter().map(|(n, us)| format!("{n}={us}")).collect();
        eprintln!("jailgen: times (µs): {}", line.join(" "));
    }
    // Forks the network helper (the launcher is single-threaded); the guard keeps the
    // descriptors bwrap reads open until exec.
    let _for_bwrap = match network {
        Some(n) => Some(n.start().map_err(|e| Stop::Network(e.to_string()))?),
        None => None,
    };
    Ok(std::process::Command::new(&argv.bwrap).args(out).exec())
}

/// With `tls.hostSsl`: the store paths the host's /etc/ssl links into (NixOS), so the links
/// resolve inside the jail (what jail.nix's `runtime-deep-ro-bind` does, without nix-store).
fn ssl_store_paths() -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec!["/etc/ssl".to_string()];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            seen += 1;
            if seen > 10_000 {
                return out;
            }
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(p.to_string_lossy().into_owned());
            } else if ft.is_symlink()
                && let Ok(real) = std::fs::canonicalize(&p)
            {
                let r = real.to_string_lossy();
                if let Some(rest) = r.strip_prefix("/nix/store/") {
                    let top = format!("/nix/store/{}", rest.split('/').next().unwrap_or(""));
                    if !out.contains(&top) {
                        out.push(top);
                    }
                }
            }
        }
    }
    out.sort();
    out
}
