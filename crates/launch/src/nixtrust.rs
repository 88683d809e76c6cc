//! `nix: true` refuses to start for a trusted Nix user (issue 10, item 6): a trusted user can
//! reconfigure the daemon for its builds (turn the build sandbox off, add substituters and
//! keys, run as any build user's `pre-build-hook`...), so an agent with the daemon socket could
//! leave the jail through it. `JAILGEN_ALLOW_TRUSTED_NIX=1` insists.
//!
//! Trust is the daemon's decision, read from its configuration as the daemon does:
//! `/etc/nix/nix.conf` (and what it `include`s), `trusted-users` (default `root`) plus
//! `extra-trusted-users`, entries being user names, `@group` or `*`. Not seen: settings the
//! daemon was given another way (its own `NIX_CONFIG`, command-line `--option`); newer
//! daemons report trust in their handshake (protocol 1.35, Nix 2.15), the Nix 2.8 here does not,
//! so the file is what is read.

use std::path::Path;

use crate::refuse::{Stop, refuse};

pub fn check(nix: bool, var: &dyn Fn(&str) -> Option<String>) -> Result<(), Stop> {
    if !nix || var("JAILGEN_ALLOW_TRUSTED_NIX").as_deref() == Some("1") {
        return Ok(());
    }
    let mut lines = Vec::new();
    read_conf(Path::new("/etc/nix/nix.conf"), 0, &mut lines);
    let (user, groups) = whoami();
    // SAFETY: getuid has no preconditions.
    let root = unsafe { libc::getuid() } == 0;
    if let Some(entry) = trusted_by(&lines, &user, &groups).or(root.then(|| "root".to_string())) {
        return Err(refuse(
            "`nix: true`",
            format!(
                "you (`{user}`) are a trusted Nix user (`{entry}` in the daemon's trusted-users, /etc/nix/nix.conf): a trusted user can reconfigure the daemon, for example turn its build sandbox off, and the agent would have the daemon's socket"
            ),
            "remove yourself from trusted-users, or set JAILGEN_ALLOW_TRUSTED_NIX=1 to insist",
        ));
    }
    Ok(())
}

/// `key = value` lines of a nix.conf and its includes, in order (comments dropped).
fn read_conf(path: &Path, depth: u32, out: &mut Vec<(String, String)>) {
    if depth > 8 {
        return;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(rest) = line
            .strip_prefix("!include ")
            .or_else(|| line.strip_prefix("include "))
        {
            let inc = Path::new(rest.trim());
            let inc = if inc.is_absolute() {
                inc.to_path_buf()
            } else {
                path.parent().unwrap_or(Path::new("/")).join(inc)
            };
            read_conf(&inc, depth + 1, out);
        } else if let Some((k, v)) = line.split_once('=') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
}

/// The entry of the effective trusted-users that names this user, if any.
pub fn trusted_by(lines: &[(String, String)], user: &str, groups: &[String]) -> Option<String> {
    let mut trusted: Vec<String> = vec!["root".into()];
    for (k, v) in lines {
        let words = v.split_whitespace().map(str::to_string);
        match k.as_str() {
            "trusted-users" => trusted = words.collect(),
            "extra-trusted-users" => trusted.extend(words),
            _ => {}
        }
    }
    trusted.into_iter().find(|e| {
        e == "*"
            || e == user
            || e.strip_prefix('@')
                .is_some_and(|g| groups.iter().any(|x| x == g))
    })
}

/// The user's name and the names of its groups (primary and supplementary).
fn whoami() -> (String, Vec<String>) {
    // SAFETY: getuid/getgid have no preconditions.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let user = name_of(|buf, len, res| {
        // SAFETY: an all-zero passwd is a valid out-parameter; buf/len describe our buffer.
        let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::getpwuid_r(uid, &mut pw, buf, len, res.cast()) };
        (r, pw.pw_name)
    })
    .unwrap_or_else(|| uid.to_string());
    let mut gids = vec![gid];
    // SAFETY: getgroups with a buffer of the size it reported.
    unsafe {
        let n = libc::getgroups(0, std::ptr::null_mut());
        if n > 0 {
            let mut v = vec![0 as libc::gid_t; n as usize];
            let m = libc::getgroups(n, v.as_mut_ptr());
            if m > 0 {
                v.truncate(m as usize);
                gids.extend(v);
            }
        }
    }
    let groups = gids
        .into_iter()
        .filter_map(|g| {
            name_of(|buf, len, res| {
                // SAFETY: as above, for group.
                let mut gr: libc::group = unsafe { std::mem::zeroed() };
                let r = unsafe { libc::getgrgid_r(g, &mut gr, buf, len, res.cast()) };
                (r, gr.gr_name)
            })
        })
        .collect();
    (user, groups)
}

/// Run a `get*_r` lookup with a growing buffer; the name it found.
fn name_of(
    mut f: impl FnMut(
        *mut libc::c_char,
        usize,
        *mut *mut libc::c_void,
    ) -> (libc::c_int, *mut libc::c_char),
) -> Option<String> {
    let mut len = 1024;
    loop {
        let mut buf = vec![0 as libc::c_char; len];
        let mut res: *mut libc::c_void = std::ptr::null_mut();
        let (r, name) = f(buf.as_mut_ptr(), len, &mut res);
        if r == libc::ERANGE && len < 1 << 20 {
            len *= 4;
            continue;
        }
        if r != 0 || res.is_null() || name.is_null() {
            return None;
        }
        // SAFETY: on success the name points into `buf`, NUL-terminated.
        return Some(
            unsafe { std::ffi::CStr::from_ptr(name) }
                .to_string_lossy()
                .into_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::trusted_by;

    fn conf(text: &[(&str, &str)]) -> Vec<(String, String)> {
        text.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn root_is_trusted_by_default_and_nobody_else() {
        let g = vec!["users".to_string()];
        assert_eq!(trusted_by(&[], "root", &g), Some("root".into()));
        assert_eq!(trusted_by(&[], "alice", &g), None);
        assert_eq!(
            trusted_by(&conf(&[("sandbox", "false")]), "alice", &g),
            None
        );
    }

    #[test]
    fn names_groups_stars_and_extra_entries_make_a_user_trusted() {
        let g = vec!["alice".to_string(), "wheel".to_string()];
        let t = |c: &[(&str, &str)]| trusted_by(&conf(c), "alice", &g);
        assert_eq!(t(&[("trusted-users", "root alice")]), Some("alice".into()));
        assert_eq!(
            t(&[("trusted-users", "root @wheel")]),
            Some("@wheel".into())
        );
        assert_eq!(t(&[("trusted-users", "*")]), Some("*".into()));
        assert_eq!(t(&[("extra-trusted-users", "alice")]), Some("alice".into()));
        // The last trusted-users wins; extra- lines add to it.
        assert_eq!(
            t(&[("trusted-users", "alice"), ("trusted-users", "root")]),
            None
        );
        assert_eq!(t(&[("trusted-users", "root @admins")]), None);
    }
}
