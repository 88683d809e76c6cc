//! The plan: the one function that turns a policy and what the launcher found on the host
//! into the runtime part of the bwrap call, as typed operations.
//!
//! The plan has two parts (crates/POLICY.md): `grants`, which replaces the `--jailgen-grants`
//! token (read-only grants, the working directory, read-write grants, read-only grants under
//! a read-write one bound again, Nix), and `tail`, which goes just before bwrap's `--`
//! (read-only grants inside the working directory bound again, git protection, hidden files,
//! the time zone, the network, the seccomp filter, the environment, the working directory).

use crate::env::{CA_FILE, environment};
use crate::policy::{GrantPath, Network, Policy};

/// A descriptor the launcher opened (and will hand to bwrap). Symbolic plans use `-1`.
pub type Fd = i32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `--ro-bind SRC DEST`: only for paths no jail can write (the store, /etc, the runtime dir).
    RoBind { src: String, dest: String },
    /// `--ro-bind-try SRC DEST`.
    RoBindTry { src: String, dest: String },
    /// `--bind-try SRC DEST`.
    BindTry { src: String, dest: String },
    /// `--ro-bind-fd FD DEST`; `src` names what the descriptor was opened on.
    RoBindFd { fd: Fd, src: String, dest: String },
    /// `--bind-fd FD DEST`.
    BindFd { fd: Fd, src: String, dest: String },
    /// `--ro-bind-data FD DEST`: an empty read-only file (FD reads as empty).
    RoBindData { fd: Fd, dest: String },
    /// `--tmpfs DEST`.
    Tmpfs { dest: String },
    /// `--remount-ro DEST`.
    RemountRo { dest: String },
    /// `--symlink TARGET DEST`.
    Symlink { target: String, dest: String },
    /// `--setenv NAME VALUE`.
    Setenv { name: String, value: String },
    /// `--chdir DIR`.
    Chdir { dir: String },
    /// `--add-seccomp-fd FD`.
    AddSeccompFd { fd: Fd },
    /// `--share-net`: the host's network namespace (bwrap: the last of this and
    /// `--unshare-net` wins).
    ShareNet,
    /// `--unshare-net`.
    UnshareNet,
}

impl Op {
    pub fn push_args(&self, out: &mut Vec<String>) {
        let mut push = |xs: &[&str]| out.extend(xs.iter().map(|s| s.to_string()));
        match self {
            Op::RoBind { src, dest } => push(&["--ro-bind", src, dest]),
            Op::RoBindTry { src, dest } => push(&["--ro-bind-try", src, dest]),
            Op::BindTry { src, dest } => push(&["--bind-try", src, dest]),
            Op::RoBindFd { fd, dest, .. } => push(&["--ro-bind-fd", &fd.to_string(), dest]),
            Op::BindFd { fd, dest, .. } => push(&["--bind-fd", &fd.to_string(), dest]),
            Op::RoBindData { fd, dest } => push(&["--ro-bind-data", &fd.to_string(), dest]),
            Op::Tmpfs { dest } => push(&["--tmpfs", dest]),
            Op::RemountRo { dest } => push(&["--remount-ro", dest]),
            Op::Symlink { target, dest } => push(&["--symlink", target, dest]),
            Op::Setenv { name, value } => push(&["--setenv", name, value]),
            Op::Chdir { dir } => push(&["--chdir", dir]),
            Op::AddSeccompFd { fd } => push(&["--add-seccomp-fd", &fd.to_string()]),
            Op::ShareNet => push(&["--share-net"]),
            Op::UnshareNet => push(&["--unshare-net"]),
        }
    }

    /// What `jailgen explain` lists for a mount: `(how, source, destination)`, or `None` for
    /// an operation that mounts nothing.
    pub fn mount(&self) -> Option<(&'static str, &str, &str)> {
        match self {
            Op::RoBind { src, dest } | Op::RoBindFd { src, dest, .. } => Some(("ro", src, dest)),
            Op::RoBindTry { src, dest } => Some(("ro-if-present", src, dest)),
            Op::BindTry { src, dest } => Some(("rw-if-present", src, dest)),
            Op::BindFd { src, dest, .. } => Some(("rw", src, dest)),
            Op::RoBindData { dest, .. } => Some(("empty-file", "", dest)),
            Op::Tmpfs { dest } => Some(("tmpfs", "", dest)),
            Op::Symlink { target, dest } => Some(("symlink", target, dest)),
            _ => None,
        }
    }
}

pub fn to_args(ops: &[Op]) -> Vec<String> {
    let mut out = Vec::new();
    for op in ops {
        op.push_args(&mut out);
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub grants: Vec<Op>,
    pub tail: Vec<Op>,
}

/// The grants of a policy in bind order, decided once for the launcher and for explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantOrder {
    /// `readonly` then `readonlyIfExists`, parents first (stable); with `true` for the
    /// if-exists ones.
    pub readonly: Vec<(GrantPath, bool)>,
    /// `readwrite`, parents first (stable), duplicates dropped.
    pub readwrite: Vec<GrantPath>,
    /// Read-only grants lying under a read-write grant: bound again after the read-write
    /// ones, so the read-write grant does not shadow them.
    pub shadowed: Vec<(GrantPath, bool)>,
}

/// Grants in bind order: parents before children, otherwise in the order given (stable), each
/// once. The order the Nix library writes (`paths.parentsFirst`; the two agree by test:
/// tests/nix_eval.rs), and the order the plan binds in.
pub fn grants_parents_first(paths: &[GrantPath]) -> Vec<GrantPath> {
    parents_first(paths, |p| p)
}

fn parents_first<T: Clone>(items: &[T], path: impl Fn(&T) -> &GrantPath) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for it in items {
        if !out.iter().any(|o| path(o) == path(it)) {
            out.push(it.clone());
        }
    }
    out.sort_by_key(|it| path(it).depth());
    out
}

pub fn grant_order(policy: &Policy) -> GrantOrder {
    let ro: Vec<(GrantPath, bool)> = policy
        .readonly
        .iter()
        .map(|p| (p.clone(), false))
        .chain(policy.readonly_if_exists.iter().map(|p| (p.clone(), true)))
        .collect();
    let readonly = parents_first(&ro, |(p, _)| p);
    let readwrite = parents_first(&policy.readwrite, |p| p);
    let shadowed = readonly
        .iter()
        .filter(|(p, _)| readwrite.iter().any(|rw| p.is_under(rw)))
        .cloned()
        .collect();
    GrantOrder {
        readonly,
        readwrite,
        shadowed,
    }
}

/// The outermost read-write grant that `path` lies strictly under, if any: from there down
/// the agent can rearrange the way to `path` (the launcher refuses a symlink below it; a read-write
/// grant inside another one can itself be a planted symlink, red-team F10).
pub fn writable_root<'a>(policy_rw: &'a [GrantPath], path: &GrantPath) -> Option<&'a GrantPath> {
    policy_rw
        .iter()
        .filter(|rw| path.is_under(rw))
        .min_by_key(|rw| rw.depth())
}

/// What the launcher found on the host, for `plan`. A symbolic `Host` (explain) has `$HOME`
/// and `$PWD` as paths, `-1` as descriptors and nothing found.
pub struct Host<'a> {
    pub home: String,
    /// The working directory (physical), and a descriptor on it.
    pub cwd: String,
    pub cwd_fd: Fd,
    /// The host's environment (only the variables the policy asks for are looked up).
    pub var: &'a dyn Fn(&str) -> Option<String>,
    /// A fresh descriptor on a grant for one bind, with the path it names on the host, or
    /// `None` when it does not exist (asked for `readonlyIfExists` grants, and for read-only
    /// grants under a read-write one, a second time).
    pub grant: &'a mut dyn FnMut(&GrantPath) -> Option<(Fd, String)>,
    /// Read-only grants inside the working directory, opened again beneath it:
    /// `(fd, path inside the working directory)`.
    pub in_cwd_readonly: Vec<(Fd, String)>,
    /// Git protection, hidden files and the time zone, as the launcher computed them.
    pub git: Vec<Op>,
    pub hidden: Vec<Op>,
    pub time_zone: Vec<Op>,
    /// With `tls.hostSsl`: the store paths `/etc/ssl` links into, bound too.
    pub ssl_store_paths: Vec<String>,
    pub seccomp_fd: Option<Fd>,
}

/// The runtime part of the bwrap call for `policy` on `host`.
pub fn plan(policy: &Policy, host: &mut Host) -> Plan {
    let order = grant_order(policy);
    let mut grants = Vec::new();
    let home = host.home.clone();
    for (path, _if_exists) in &order.readonly {
        if let Some((fd, src)) = (host.grant)(path) {
            grants.push(Op::RoBindFd {
                fd,
                src,
                dest: path.resolve(&home),
            });
        }
    }
    grants.push(Op::BindFd {
        fd: host.cwd_fd,
        src: host.cwd.clone(),
        dest: host.cwd.clone(),
    });
    for path in &order.readwrite {
        if let Some((fd, src)) = (host.grant)(path) {
            grants.push(Op::BindFd {
                fd,
                src,
                dest: path.resolve(&home),
            });
        }
    }
    for (path, _) in &order.shadowed {
        if let Some((fd, src)) = (host.grant)(path) {
            grants.push(Op::RoBindFd {
                fd,
                src,
                dest: path.resolve(&home),
            });
        }
    }
    if policy.nix {
        grants.push(Op::RoBind {
            src: "/nix".into(),
            dest: "/nix".into(),
        });
        grants.push(Op::RoBindTry {
            src: "/etc/nix".into(),
            dest: "/etc/nix".into(),
        });
        grants.push(Op::BindTry {
            src: "/nix/var/nix/daemon-socket".into(),
            dest: "/nix/var/nix/daemon-socket".into(),
        });
    }

    let mut tail = Vec::new();
    for (fd, path) in &host.in_cwd_readonly {
        tail.push(Op::RoBindFd {
            fd: *fd,
            src: path.clone(),
            dest: path.clone(),
        });
    }
    tail.append(&mut host.git);
    tail.append(&mut host.hidden);
    tail.append(&mut host.time_zone);
    // The CA bundle, for every network with a way out (TLS is end to end through the
    // allowlist proxy too).
    let ca = |tail: &mut Vec<Op>| {
        if policy.tls.host_ssl {
            tail.push(Op::RoBind {
                src: "/etc/ssl".into(),
                dest: "/etc/ssl".into(),
            });
            for p in &host.ssl_store_paths {
                tail.push(Op::RoBind {
                    src: p.clone(),
                    dest: p.clone(),
                });
            }
        } else if let Some(bundle) = &policy.tls.ca_bundle {
            tail.push(Op::RoBind {
                src: bundle.clone(),
                dest: CA_FILE.into(),
            });
        } else {
            // No bundle named (a policy not written by the Nix library): the host's own,
            // where the CA variables point.
            tail.push(Op::RoBindTry {
                src: CA_FILE.into(),
                dest: CA_FILE.into(),
            });
        }
    };
    match &policy.network {
        Network::Shared => {
            tail.push(Op::ShareNet);
            for f in [
                "/etc/resolv.conf",
                "/etc/hosts",
                "/etc/nsswitch.conf",
                "/run/systemd/resolve",
            ] {
                tail.push(Op::RoBindTry {
                    src: f.into(),
                    dest: f.into(),
                });
            }
            ca(&mut tail);
        }
        // crates/net gives these their resolv.conf and nsswitch.conf, and its own bwrap
        // options (`--unshare-net`, the helper's descriptors), added by the launcher after
        // the tail.
        Network::Internet { .. } | Network::Allow { .. } => {
            tail.push(Op::UnshareNet);
            tail.push(Op::RoBindTry {
                src: "/etc/hosts".into(),
                dest: "/etc/hosts".into(),
            });
            ca(&mut tail);
        }
        Network::Isolated => tail.push(Op::UnshareNet),
    }
    if let Some(fd) = host.seccomp_fd {
        tail.push(Op::AddSeccompFd { fd });
    }
    for (name, value) in environment(policy, &home, host.var) {
        tail.push(Op::Setenv { name, value });
    }
    tail.push(Op::Chdir {
        dir: host.cwd.clone(),
    });
    Plan { grants, tail }
}

/// The plan with the working directory and the home directory as `$PWD` and `$HOME`, no
/// descriptors, and nothing found on the host (what `jailgen explain` prints). The parts
/// that depend on the project at launch (git protection, hidden files, grants inside the
/// working directory, the time zone) are empty here; `runtime_notes` says what they do.
pub fn symbolic(policy: &Policy) -> Plan {
    let home = "$HOME".to_string();
    let mut grant = |p: &GrantPath| Some((-1, p.resolve("$HOME")));
    let var = |name: &str| Some(format!("${name}"));
    let mut host = Host {
        home,
        cwd: "$PWD".into(),
        cwd_fd: -1,
        var: &var,
        grant: &mut grant,
        in_cwd_readonly: Vec::new(),
        git: Vec::new(),
        hidden: Vec::new(),
        time_zone: Vec::new(),
        ssl_store_paths: Vec::new(),
        seccomp_fd: policy.seccomp.then_some(-1),
    };
    plan(policy, &mut host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Git;

    fn gp(s: &str) -> GrantPath {
        GrantPath::parse(s).unwrap()
    }

    fn dests(ops: &[Op]) -> Vec<String> {
        ops.iter()
            .filter_map(|o| o.mount().map(|(how, _, d)| format!("{how} {d}")))
            .collect()
    }

    #[test]
    fn grants_bind_readonly_parents_first_then_cwd_then_readwrite_then_shadowed_readonly() {
        let mut p = Policy::new("j");
        p.readonly = vec![gp("~/work/a/ref"), gp("/srv/data/x"), gp("/srv")];
        p.readonly_if_exists = vec![gp("~/.gitconfig")];
        p.readwrite = vec![gp("~/work/a/cache"), gp("~/work"), gp("~/work")];
        let plan = symbolic(&p);
        assert_eq!(
            dests(&plan.grants),
            vec![
                "ro /srv",
                "ro $HOME/.gitconfig",
                "ro $HOME/work/a/ref",
                "ro /srv/data/x",
                "rw $PWD",
                "rw $HOME/work",
                "rw $HOME/work/a/cache",
                "ro $HOME/work/a/ref",
            ]
        );
    }

    #[test]
    fn a_missing_if_exists_grant_is_skipped() {
        let mut p = Policy::new("j");
        p.readonly_if_exists = vec![gp("~/.gitconfig")];
        let var = |_: &str| None;
        let mut grant = |_: &GrantPath| None;
        let mut host = Host {
            home: "/h".into(),
            cwd: "/h/p".into(),
            cwd_fd: 3,
            var: &var,
            grant: &mut grant,
            in_cwd_readonly: vec![],
            git: vec![],
            hidden: vec![],
            time_zone: vec![],
            ssl_store_paths: vec![],
            seccomp_fd: Some(4),
        };
        let plan = plan(&p, &mut host);
        assert_eq!(dests(&plan.grants), vec!["rw /h/p"]);
        let args = to_args(&plan.grants);
        assert_eq!(args, vec!["--bind-fd", "3", "/h/p"]);
    }

    #[test]
    fn the_tail_binds_in_cwd_then_git_hide_tz_network_seccomp_env_chdir() {
        let mut p = Policy::new("j");
        p.git = Git::Protect;
        p.tls.ca_bundle = Some("/nix/store/x-cacert/ca-bundle.crt".into());
        let var = |_: &str| None;
        let mut grant = |_: &GrantPath| None;
        let mut host = Host {
            home: "/h".into(),
            cwd: "/h/p".into(),
            cwd_fd: 3,
            var: &var,
            grant: &mut grant,
            in_cwd_readonly: vec![(5, "/h/p/vendor".into())],
            git: vec![Op::RoBindFd {
                fd: 6,
                src: "/h/p/.git/hooks".into(),
                dest: "/h/p/.git/hooks".into(),
            }],
            hidden: vec![Op::Tmpfs {
                dest: "/h/p/secrets".into(),
            }],
            time_zone: vec![Op::Symlink {
                target: "/z".into(),
                dest: "/etc/localtime".into(),
            }],
            ssl_store_paths: vec![],
            seccomp_fd: Some(7),
        };
        let plan = plan(&p, &mut host);
        let args = to_args(&plan.tail);
        let s = args.join(" ");
        let pos = |needle: &str| s.find(needle).unwrap_or_else(|| panic!("{needle} in {s}"));
        assert!(pos("--ro-bind-fd 5 /h/p/vendor") < pos("--ro-bind-fd 6 /h/p/.git/hooks"));
        assert!(pos(".git/hooks") < pos("--tmpfs /h/p/secrets"));
        assert!(pos("--tmpfs") < pos("--symlink /z /etc/localtime"));
        assert!(pos("/etc/localtime") < pos("--share-net"));
        assert!(pos("--share-net") < pos("--ro-bind-try /etc/resolv.conf /etc/resolv.conf"));
        assert!(
            pos("--ro-bind /nix/store/x-cacert/ca-bundle.crt /etc/ssl/certs/ca-certificates.crt")
                < pos("--add-seccomp-fd 7")
        );
        assert!(pos("--add-seccomp-fd 7") < pos("--setenv LANG C.UTF-8"));
        assert!(s.ends_with("--chdir /h/p"), "{s}");
    }

    #[test]
    fn no_network_unshares_it_and_binds_no_name_resolution_or_ca() {
        let mut p = Policy::new("j");
        p.network = Network::Isolated;
        p.tls.ca_bundle = Some("/nix/store/x/ca.crt".into());
        let args = to_args(&symbolic(&p).tail).join(" ");
        assert!(args.contains("--unshare-net") && !args.contains("--share-net"));
        assert!(!args.contains("resolv.conf") && !args.contains("ca.crt"));
        assert!(!args.contains("SSL_CERT_FILE"));
    }

    #[test]
    fn internet_and_allowlist_unshare_the_network_and_keep_hosts_and_the_ca_but_not_the_hosts_resolver()
     {
        for network in [
            Network::Internet {
                host_ports: vec![11434],
            },
            Network::Allow {
                allow: vec!["docs.rs".into()],
                host_ports: vec![],
            },
        ] {
            let mut p = Policy::new("j");
            p.network = network;
            p.tls.ca_bundle = Some("/nix/store/x/ca.crt".into());
            let args = to_args(&symbolic(&p).tail).join(" ");
            assert!(
                args.contains("--unshare-net") && !args.contains("--share-net"),
                "{args}"
            );
            assert!(
                args.contains("--ro-bind-try /etc/hosts /etc/hosts"),
                "{args}"
            );
            assert!(
                args.contains("--ro-bind /nix/store/x/ca.crt /etc/ssl/certs/ca-certificates.crt"),
                "{args}"
            );
            assert!(args.contains("SSL_CERT_FILE"), "{args}");
            assert!(
                !args.contains("resolv.conf") && !args.contains("systemd/resolve"),
                "{args}"
            );
        }
    }

    #[test]
    fn without_a_named_bundle_the_hosts_ca_file_is_bound_where_the_variables_point() {
        let p = Policy::new("j");
        let s = to_args(&symbolic(&p).tail).join(" ");
        assert!(
            s.contains("--ro-bind-try /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt"),
            "{s}"
        );
    }

    #[test]
    fn nix_binds_the_store_config_and_daemon_socket() {
        let mut p = Policy::new("j");
        p.nix = true;
        let plan = symbolic(&p);
        assert_eq!(
            dests(&plan.grants),
            vec![
                "rw $PWD",
                "ro /nix",
                "ro-if-present /etc/nix",
                "rw-if-present /nix/var/nix/daemon-socket"
            ]
        );
        assert!(
            to_args(&plan.tail)
                .join(" ")
                .contains("--setenv NIX_REMOTE daemon")
        );
    }

    #[test]
    fn host_ssl_binds_etc_ssl_and_the_store_paths_it_links_to() {
        let mut p = Policy::new("j");
        p.tls.host_ssl = true;
        p.tls.ca_bundle = Some("/nix/store/unused".into());
        let var = |_: &str| None;
        let mut grant = |_: &GrantPath| None;
        let mut host = Host {
            home: "/h".into(),
            cwd: "/h/p".into(),
            cwd_fd: 3,
            var: &var,
            grant: &mut grant,
            in_cwd_readonly: vec![],
            git: vec![],
            hidden: vec![],
            time_zone: vec![],
            ssl_store_paths: vec!["/nix/store/abc-nss-cacert".into()],
            seccomp_fd: None,
        };
        let s = to_args(&plan(&p, &mut host).tail).join(" ");
        assert!(s.contains("--ro-bind /etc/ssl /etc/ssl --ro-bind /nix/store/abc-nss-cacert"));
        assert!(!s.contains("unused") && !s.contains("seccomp"));
    }

    #[test]
    fn writable_root_is_the_outermost_readwrite_grant() {
        let rw = vec![gp("~/work"), gp("~/work/a"), gp("/srv")];
        assert_eq!(writable_root(&rw, &gp("~/work/a/b")), Some(&rw[0]));
        assert_eq!(writable_root(&rw, &gp("~/work/b")), Some(&rw[0]));
        assert_eq!(writable_root(&rw, &gp("~/work")), None);
        assert_eq!(writable_root(&rw, &gp("~/other")), None);
    }
}
