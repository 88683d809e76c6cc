//! The launcher's argv (crates/POLICY.md, "How the wrapper runs the launcher"):
//! `jailgen-launch POLICY BWRAP <bwrap options> -- <entry> <argv>`, where the bwrap options
//! may hold the static token `--jailgen-grants`.

use crate::refuse::{Stop, bug};
use std::ffi::OsString;

/// The token the library places where the grants go.
pub const GRANTS_TOKEN: &str = "--jailgen-grants";

/// How many values each bwrap 0.8 option takes.
pub fn arity(opt: &str) -> Option<usize> {
    Some(match opt {
        "--help"
        | "--version"
        | "--unshare-all"
        | "--share-net"
        | "--unshare-user"
        | "--unshare-user-try"
        | "--unshare-ipc"
        | "--unshare-pid"
        | "--unshare-net"
        | "--unshare-uts"
        | "--unshare-cgroup"
        | "--unshare-cgroup-try"
        | "--disable-userns"
        | "--assert-userns-disabled"
        | "--clearenv"
        | "--new-session"
        | "--die-with-parent"
        | "--as-pid-1"
        | "--level-prefix" => 0,
        "--args" | "--argv0" | "--userns" | "--userns2" | "--pidns" | "--uid" | "--gid"
        | "--hostname" | "--chdir" | "--unsetenv" | "--lock-file" | "--sync-fd"
        | "--remount-ro" | "--exec-label" | "--file-label" | "--proc" | "--dev" | "--tmpfs"
        | "--mqueue" | "--dir" | "--seccomp" | "--add-seccomp-fd" | "--block-fd"
        | "--userns-block-fd" | "--info-fd" | "--json-status-fd" | "--cap-add" | "--cap-drop"
        | "--perms" | "--size" | "--tmp-overlay" | "--ro-overlay" | "--overlay-src" => 1,
        "--setenv" | "--bind" | "--bind-try" | "--dev-bind" | "--dev-bind-try" | "--ro-bind"
        | "--ro-bind-try" | "--bind-fd" | "--ro-bind-fd" | "--file" | "--bind-data"
        | "--ro-bind-data" | "--symlink" | "--chmod" => 2,
        "--overlay" => 3,
        _ => return None,
    })
}

/// Does the option's first value name a descriptor bwrap reads or keeps?
pub fn takes_fd(opt: &str) -> bool {
    matches!(
        opt,
        "--args"
            | "--userns"
            | "--userns2"
            | "--pidns"
            | "--sync-fd"
            | "--seccomp"
            | "--add-seccomp-fd"
            | "--block-fd"
            | "--userns-block-fd"
            | "--info-fd"
            | "--json-status-fd"
            | "--bind-fd"
            | "--ro-bind-fd"
            | "--file"
            | "--bind-data"
            | "--ro-bind-data"
    )
}

/// The descriptors bwrap's options (up to the `--` that ends them) name: the only ones
/// that may survive exec (red-team F8). A descriptor named inside an `--args` file is not
/// seen here, so it would be closed: jail.nix does not use `--args`.
pub fn consumed_fds(opts: &[OsString]) -> Vec<i32> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < opts.len() {
        let o = opts[i].to_string_lossy();
        if o == "--" {
            break;
        }
        let n = arity(&o).unwrap_or(0);
        if takes_fd(&o)
            && let Some(fd) = opts
                .get(i + 1)
                .and_then(|v| v.to_str()?.parse::<i32>().ok())
        {
            out.push(fd);
        }
        i += 1 + n;
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The launcher's argv, split.
#[derive(Debug, PartialEq, Eq)]
pub struct Argv {
    pub policy: OsString,
    pub bwrap: OsString,
    /// bwrap options before the token (all of them without a token).
    pub before: Vec<OsString>,
    /// bwrap options after the token (empty without one).
    pub after: Vec<OsString>,
    pub had_token: bool,
    /// `--`, the entry point and its arguments, as they came.
    pub command: Vec<OsString>,
}

/// The options whose last value is a place they make in the sandbox.
const MAKES: &[&str] = &[
    "--bind",
    "--bind-try",
    "--dev-bind",
    "--dev-bind-try",
    "--ro-bind",
    "--ro-bind-try",
    "--bind-fd",
    "--ro-bind-fd",
    "--file",
    "--bind-data",
    "--ro-bind-data",
    "--symlink",
    "--tmpfs",
    "--dir",
];

impl Argv {
    /// Whether a static option (a bind or symlink of jail.nix's) already makes `dest`: its last
    /// value. jail.nix's own `time-zone` in a `baseJailOptions` of the caller (jailed-agents'
    /// README passes it) makes /etc/localtime, and a second one would stop bwrap.
    pub fn makes(&self, dest: &str) -> bool {
        [&self.before, &self.after].into_iter().any(|opts| {
            let mut i = 0;
            while i < opts.len() {
                let opt = opts[i].to_str().unwrap_or("");
                let n = arity(opt).unwrap_or(0);
                if MAKES.contains(&opt) && opts.get(i + n).is_some_and(|d| d == dest) {
                    return true;
                }
                i += n + 1;
            }
            false
        })
    }
}

pub fn parse(mut args: impl Iterator<Item = OsString>) -> Result<Argv, Stop> {
    let _self = args.next();
    let (Some(policy), Some(bwrap)) = (args.next(), args.next()) else {
        return Err(bug(
            "usage: jailgen-launch POLICY.json BWRAP [BWRAP OPTION...] -- COMMAND [ARG...]",
        ));
    };
    let rest: Vec<OsString> = args.collect();
    let mut before = Vec::new();
    let mut after = Vec::new();
    let mut had_token = false;
    let mut i = 0;
    while i < rest.len() {
        let a = rest[i].to_str().ok_or_else(|| {
            bug(format!(
                "bwrap option {} is not UTF-8 where an option was expected",
                i + 1
            ))
        })?;
        if a == "--" {
            break;
        }
        if a == GRANTS_TOKEN {
            if had_token {
                return Err(bug(format!(
                    "`{GRANTS_TOKEN}` appears twice in the bwrap options"
                )));
            }
            had_token = true;
            i += 1;
            continue;
        }
        let n = arity(a).ok_or_else(|| bug(format!("unknown bwrap option `{a}`")))?;
        if i + n >= rest.len() {
            return Err(bug(format!("bwrap option `{a}` lacks its {n} value(s)")));
        }
        let dst = if had_token { &mut after } else { &mut before };
        dst.extend(rest[i..=i + n].iter().cloned());
        i += n + 1;
    }
    if i >= rest.len() {
        return Err(bug("the bwrap options do not end with `--` and a command"));
    }
    Ok(Argv {
        policy,
        bwrap,
        before,
        after,
        had_token,
        command: rest[i..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(xs: &[&str]) -> Result<Argv, Stop> {
        parse(
            ["jailgen-launch"]
                .iter()
                .chain(xs)
                .map(|s| OsString::from(*s)),
        )
    }

    fn v(xs: &[&str]) -> Vec<OsString> {
        xs.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_descriptors_bwrap_consumes_are_found_by_the_arity_table() {
        let a = v(&[
            "--setenv",
            "--bind-fd",
            "9",
            "--ro-bind-fd",
            "5",
            "/x",
            "--level-prefix",
            "--add-seccomp-fd",
            "6",
            "--file",
            "11",
            "/f",
            "--sync-fd",
            "12",
            "--",
            "--args",
            "13",
        ]);
        assert_eq!(consumed_fds(&a), vec![5, 6, 11, 12]);
        assert_eq!(arity("--level-prefix"), Some(0));
    }

    #[test]
    fn splits_at_the_token_and_at_the_double_dash_that_ends_the_options() {
        let a = p(&[
            "pol.json",
            "/bwrap",
            "--setenv",
            "X",
            "--",
            "--jailgen-grants",
            "--ro-bind",
            "a",
            "b",
            "--",
            "entry",
            "--",
            "x",
        ])
        .unwrap();
        assert_eq!(a.before, v(&["--setenv", "X", "--"]));
        assert_eq!(a.after, v(&["--ro-bind", "a", "b"]));
        assert!(a.had_token);
        assert_eq!(a.command, v(&["--", "entry", "--", "x"]));
    }

    #[test]
    fn a_static_bind_or_symlink_makes_its_destination() {
        let a = p(&[
            "p.json",
            "bwrap",
            "--setenv",
            "X",
            "/etc/localtime",
            "--jailgen-grants",
            "--symlink",
            "/usr/share/zoneinfo/UTC",
            "/etc/localtime",
            "--",
            "e",
        ])
        .unwrap();
        assert!(a.makes("/etc/localtime"));
        let b = p(&[
            "p.json",
            "bwrap",
            "--setenv",
            "X",
            "/etc/localtime",
            "--",
            "e",
        ])
        .unwrap();
        assert!(
            !b.makes("/etc/localtime"),
            "a --setenv value is not a destination"
        );
    }

    #[test]
    fn without_the_token_everything_is_before() {
        let a = p(&["pol.json", "/bwrap", "--unshare-net", "--", "e"]).unwrap();
        assert_eq!(a.before, v(&["--unshare-net"]));
        assert!(!a.had_token && a.after.is_empty());
    }

    #[test]
    fn unknown_options_and_missing_values_are_bugs() {
        for bad in [
            &["pol", "/b", "--frobnicate", "--", "e"][..],
            &["pol", "/b", "--bind", "a"][..],
            &["pol", "/b", "--unshare-net"][..],
            &["pol"][..],
            &[
                "pol",
                "/b",
                "--jailgen-grants",
                "--jailgen-grants",
                "--",
                "e",
            ][..],
        ] {
            assert!(matches!(p(bad), Err(Stop::Bug(_))), "{bad:?}");
        }
    }
}
