//! The session lock: one jailed session at a time per directory tree.
//!
//! Every check of the launcher is followed, milliseconds later, by bwrap's mounts; an agent
//! of a session still running in the same project (or around it, or inside it) could swap a
//! checked path in between. So a launch records its pid under
//! `$XDG_RUNTIME_DIR/jailgen-locks` (else `~/.cache/jailgen-locks`), one file per working
//! directory (the name is the path with `%` and `/` escaped), and refuses to start while a
//! recorded session whose directory contains, equals or lies inside this one still runs
//! there (alive, its cwd is that directory, its name `bwrap` or the recorded one: the pid is
//! the launcher's, which becomes bwrap). Launches take turns: each holds an exclusive `flock`
//! on the lock directory from its scan until it execs bwrap (the descriptor is close-on-exec),
//! so two launches at the same instant cannot both pass; a lock held longer than 2 s (a
//! process other than a launch holding it) is waited for no longer, with a warning.
//! `JAILGEN_ALLOW_CONCURRENT=1` skips the lock for one run. The record format is the one the
//! bash runtime wrote, so both can share the directory.

use crate::refuse::{Stop, q, refuse};
use crate::sys;
use std::os::fd::AsRawFd;

fn key(dir: &str) -> String {
    dir.replace('%', "%25").replace('/', "%2F")
}

fn unkey(k: &str) -> String {
    k.replace("%2F", "/").replace("%25", "%")
}

/// Returns the lock directory's descriptor, holding the turn: keep it until exec.
pub fn take(
    cwd: &str,
    home: Option<&str>,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<std::os::fd::OwnedFd>, Stop> {
    if var("JAILGEN_ALLOW_CONCURRENT").as_deref() == Some("1") {
        return Ok(None);
    }
    let base = match var("XDG_RUNTIME_DIR").filter(|x| !x.is_empty()) {
        Some(x) if sys::stat(&x).is_ok_and(|s| sys::is_dir(&s)) => x,
        _ => match home {
            Some(h) if sys::stat(&format!("{h}/.cache")).is_ok_and(|s| sys::is_dir(&s)) => {
                format!("{h}/.cache")
            }
            _ => return Ok(None),
        },
    };
    let Ok(base_fd) = sys::openat(libc::AT_FDCWD, &base, libc::O_PATH | libc::O_DIRECTORY, 0)
    else {
        return Ok(None);
    };
    let dir = format!("{}/jailgen-locks", base.trim_end_matches('/'));
    match sys::lstatat(base_fd.as_raw_fd(), "jailgen-locks") {
        Ok(st) if sys::is_link(&st) => {
            return Err(refuse(
                q(&dir),
                "the session lock directory is a symlink",
                "delete it and start again",
            ));
        }
        Ok(_) => {}
        Err(_) => {
            if sys::mkdirat(base_fd.as_raw_fd(), "jailgen-locks", 0o700).is_err() {
                return Ok(None);
            }
        }
    }
    let Ok(dfd) = sys::openat(
        base_fd.as_raw_fd(),
        "jailgen-locks",
        libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW,
        0,
    ) else {
        return Ok(None);
    };
    // Take turns with other launches (see above).
    let start = std::time::Instant::now();
    // SAFETY: flock on a descriptor we own.
    while unsafe { libc::flock(dfd.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        if start.elapsed() >= std::time::Duration::from_secs(2) {
            crate::refuse::warn(&format!(
                "the session lock `{dir}` has been held for 2 s by another process; going on without waiting"
            ));
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let me = key(cwd);
    let pid = std::process::id();
    let list_fd = sys::dup(dfd.as_raw_fd()).ok();
    for (name, _) in list_fd
        .map(|f| sys::read_dir(f).unwrap_or_default())
        .unwrap_or_default()
    {
        let Ok(n) = String::from_utf8(name) else {
            continue;
        };
        let related =
            n == me || n.starts_with(&format!("{me}%2F")) || me.starts_with(&format!("{n}%2F"));
        if !related {
            continue;
        }
        let Ok(content) = sys::read_at(dfd.as_raw_fd(), &n, 64) else {
            continue;
        };
        let text = String::from_utf8_lossy(&content);
        let mut words = text.split_whitespace();
        let (Some(other_pid), name) = (words.next(), words.next().unwrap_or("")) else {
            continue;
        };
        if !other_pid.bytes().all(|b| b.is_ascii_digit()) || other_pid == pid.to_string() {
            continue;
        }
        let other = unkey(&n);
        let (Ok(a), Ok(b)) = (
            sys::stat(&format!("/proc/{other_pid}/cwd")),
            sys::stat(&other),
        ) else {
            continue;
        };
        if !sys::same_file(&a, &b) {
            continue;
        }
        let comm = std::fs::read_to_string(format!("/proc/{other_pid}/comm")).unwrap_or_default();
        let comm = comm.trim_end();
        if comm == "bwrap" || (!name.is_empty() && comm == name) {
            return Err(refuse(
                format!(
                    "another jailed session (pid {other_pid}) is running in {}",
                    q(&other)
                ),
                "two sessions of one project at once would let the first change what this launch checks before the jail mounts it",
                "finish or close that session and start again, or set JAILGEN_ALLOW_CONCURRENT=1 for this run to run both anyway (trusting the running agent)",
            ));
        }
    }
    match sys::lstatat(dfd.as_raw_fd(), &me) {
        Ok(st) if sys::is_link(&st) => {
            return Err(refuse(
                q(&format!("{dir}/{me}")),
                "the session lock file is a symlink",
                "delete it and start again",
            ));
        }
        _ => {}
    }
    // A fixed-width record written in place (no truncation): cheaper than rewriting.
    if let Ok(f) = sys::openat(
        dfd.as_raw_fd(),
        &me,
        libc::O_WRONLY | libc::O_CREAT | libc::O_NOFOLLOW,
        0o600,
    ) {
        let rec = format!("{pid:>10} {:<15.15}\n", "jailgen-launch");
        // SAFETY: the buffer is valid for its length.
        unsafe { libc::pwrite(f.as_raw_fd(), rec.as_ptr().cast(), rec.len(), 0) };
    }
    Ok(Some(dfd))
}
