//! Grants and state paths: created and opened once, never through a symlink the agent could
//! have planted.
//!
//! A grant that lies under a read-write grant (or inside the working directory) is reached
//! from that directory's descriptor one component at a time with `O_NOFOLLOW`: the agent can
//! rename the directories between them (only mount points cannot be renamed) and plant a
//! symlink, which bwrap would resolve on the host as the source. A symlink there refuses to
//! start. Directories above any agent-writable directory are the user's own (a dotfiles
//! manager's `~/.config`) and are followed. The descriptor that was checked is the one bwrap
//! binds (`--bind-fd` / `--ro-bind-fd`).

use crate::refuse::{Stop, q, refuse};
use crate::sys;
use jailgen_policy::plan::writable_root;
use jailgen_policy::{GrantPath, Policy, StateKind};
use std::collections::HashMap;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

pub enum Walk {
    /// A symlink at this path (the prefix walked so far).
    Symlink(String),
    /// Nothing at this path.
    Missing(String),
    Io(String, std::io::Error),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Create {
    No,
    /// Create missing directories on the way, and the last one as `StateKind`.
    Yes(StateKind),
}

/// From `root` (a directory descriptor for `root_path`), walk `rel` without following
/// symlinks, creating what is missing when asked; returns an `O_PATH` descriptor.
pub fn walk(root: RawFd, root_path: &str, rel: &[&str], create: Create) -> Result<OwnedFd, Walk> {
    let mut cur = sys::dup(root).map_err(|e| Walk::Io(root_path.to_string(), e))?;
    let mut path = root_path.trim_end_matches('/').to_string();
    for (i, comp) in rel.iter().enumerate() {
        path.push('/');
        path.push_str(comp);
        let last = i + 1 == rel.len();
        match sys::lstatat(cur.as_raw_fd(), comp) {
            Ok(st) if sys::is_link(&st) => return Err(Walk::Symlink(path)),
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => match create {
                Create::No => return Err(Walk::Missing(path)),
                Create::Yes(kind) => {
                    let r = if last && kind == StateKind::File {
                        sys::openat(
                            cur.as_raw_fd(),
                            comp,
                            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW,
                            0o600,
                        )
                        .map(drop)
                    } else {
                        sys::mkdirat(cur.as_raw_fd(), comp, 0o755)
                    };
                    if let Err(e) = r
                        && e.raw_os_error() != Some(libc::EEXIST)
                    {
                        return Err(Walk::Io(path, e));
                    }
                }
            },
            Err(e) => return Err(Walk::Io(path, e)),
        }
        let next =
            sys::open_nofollow(cur.as_raw_fd(), comp).map_err(|e| Walk::Io(path.clone(), e))?;
        let st = sys::fstat(next.as_raw_fd()).map_err(|e| Walk::Io(path.clone(), e))?;
        if sys::is_link(&st) {
            return Err(Walk::Symlink(path));
        }
        cur = next;
    }
    Ok(cur)
}

fn nested_refusal(grant: &str, root: &str, link: &str) -> Stop {
    refuse(
        format!("the grant {}", q(grant)),
        format!(
            "it lies inside {}, which the agent can write, and {} on the way is a symlink an earlier session may have planted to point the grant elsewhere (your home directory, for instance)",
            q(root),
            q(link)
        ),
        "inspect it (ls -l), restore the real directory, and start again",
    )
}

fn open_root(path: &str) -> Result<OwnedFd, Stop> {
    sys::openat(libc::AT_FDCWD, path, libc::O_PATH | libc::O_DIRECTORY, 0).map_err(|e| {
        refuse(
            q(path),
            format!("cannot open this directory of the jail: {e}"),
            "create it or remove it from the jail, and start again",
        )
    })
}

/// Create the state paths that are missing (before anything binds them). `cwd` is the
/// working directory, which the agent writes too: a state path inside it is treated like one
/// inside a read-write grant.
pub fn ensure_state(policy: &Policy, home: &str, cwd: &str) -> Result<(), Stop> {
    let mut state: Vec<_> = policy.state.iter().collect();
    // Directories first, then files (a file may live in a state directory).
    state.sort_by_key(|s| s.kind == StateKind::File);
    let cwd_st = sys::stat(cwd).ok();
    for s in state {
        let full = s.path.resolve(home);
        let parts: Vec<&str> = full.split('/').filter(|p| !p.is_empty()).collect();
        let base_depth = match &s.path {
            GrantPath::Abs(_) => 0,
            GrantPath::Home(_) => home.split('/').filter(|p| !p.is_empty()).count(),
        };
        // The part the agent may control: below the innermost read-write grant holding it,
        // or below the working directory, and the state path itself. Above it, the user's own
        // links are followed.
        let grant_root = writable_root(&policy.readwrite, &s.path).map(|r| base_depth + r.depth());
        let mut cwd_root = None;
        if let Some(c) = &cwd_st {
            let mut prefix = String::new();
            for (i, part) in parts.iter().enumerate().take(parts.len().saturating_sub(1)) {
                prefix.push('/');
                prefix.push_str(part);
                if sys::stat(&prefix).is_ok_and(|st| sys::same_file(&st, c)) {
                    cwd_root = Some(i + 1);
                    break;
                }
            }
        }
        let nested = grant_root.is_some() || cwd_root.is_some();
        let root = grant_root
            .into_iter()
            .chain(cwd_root)
            .max()
            .unwrap_or(parts.len().saturating_sub(1));
        let above = format!("/{}", parts[..root].join("/"));
        // Create the user's part with ordinary directories when missing.
        if std::fs::metadata(&above).is_err() {
            if let Ok(st) = sys::lstat(&above)
                && sys::is_link(&st)
            {
                return Err(state_link(&above));
            }
            std::fs::create_dir_all(&above).map_err(|e| {
                refuse(
                    q(&above),
                    format!("cannot create this state directory: {e}"),
                    "create it yourself and start again",
                )
            })?;
        }
        let root_fd = open_root(&above)?;
        match walk(
            root_fd.as_raw_fd(),
            &above,
            &parts[root..],
            Create::Yes(s.kind),
        ) {
            Ok(_) => {}
            Err(Walk::Symlink(link)) if link == full => {
                // The state path itself is a link: a dangling one would make the jail create
                // whatever it names; one the agent could have planted is refused too.
                if nested || std::fs::metadata(&full).is_err() {
                    return Err(state_link(&full));
                }
            }
            Err(Walk::Symlink(link)) => return Err(nested_refusal(&full, &above, &link)),
            Err(Walk::Missing(p)) => return Err(refuse(q(&p), "is missing", "start again")),
            Err(Walk::Io(p, e)) => {
                return Err(refuse(
                    q(&p),
                    format!("cannot create this state path: {e}"),
                    "check its permissions and start again",
                ));
            }
        }
    }
    Ok(())
}

fn state_link(path: &str) -> Stop {
    refuse(
        format!("the state path {}", q(path)),
        "it is a symlink, and the jail would create or bind whatever it names on your machine",
        "inspect it (ls -l), delete it, and start again",
    )
}

/// The descriptors of every grant, opened once; `None` for a missing `readonlyIfExists`.
pub struct Opened {
    pub fds: HashMap<GrantPath, Option<(OwnedFd, String)>>,
    /// Read-only grants inside the working directory: `(descriptor, path in it)`.
    pub in_cwd_readonly: Vec<(OwnedFd, String)>,
}

pub fn open_grants(policy: &Policy, home: &str, cwd: &str, cwd_fd: RawFd) -> Result<Opened, Stop> {
    let order = jailgen_policy::grant_order(policy);
    let cwd_st = sys::fstat(cwd_fd).map_err(|e| refuse(q(cwd), e.to_string(), "start again"))?;
    let mut fds = HashMap::new();
    let mut in_cwd_readonly = Vec::new();
    let all: Vec<(GrantPath, bool, bool)> = order
        .readonly
        .iter()
        .map(|(p, ie)| (p.clone(), *ie, true))
        .chain(order.readwrite.iter().map(|p| (p.clone(), false, false)))
        .collect();
    for (path, if_exists, readonly) in all {
        if fds.contains_key(&path) {
            continue;
        }
        let full = path.resolve(home);
        // Inside the working directory? (Only a grant deeper than `~/x` or `/x` can be: the
        // guard refuses `~`, `/` and their ancestors.)
        let mut in_cwd: Option<(String, usize)> = None;
        if path.depth() > 1 {
            let mut prefix = String::new();
            let parts: Vec<&str> = full.split('/').filter(|p| !p.is_empty()).collect();
            for (i, part) in parts.iter().enumerate() {
                prefix.push('/');
                prefix.push_str(part);
                if i + 1 == parts.len() {
                    break;
                }
                if let Ok(st) = sys::stat(&prefix)
                    && sys::same_file(&st, &cwd_st)
                {
                    in_cwd = Some((prefix.clone(), i + 1));
                    break;
                }
            }
        }
        let opened = if let Some(root) = writable_root(&policy.readwrite, &path) {
            let root_path = root.resolve(home);
            let rfd = open_root(&root_path)?;
            let rel: Vec<&str> = path.components().skip(root.depth()).collect();
            match walk(rfd.as_raw_fd(), &root_path, &rel, Create::No) {
                Ok(fd) => Some(fd),
                Err(Walk::Symlink(link)) => return Err(nested_refusal(&full, &root_path, &link)),
                Err(Walk::Missing(_)) => None,
                Err(Walk::Io(p, e)) => return Err(refuse(q(&p), e.to_string(), "start again")),
            }
        } else if let Some((ref root_path, n)) = in_cwd {
            let parts: Vec<&str> = full.split('/').filter(|p| !p.is_empty()).collect();
            match walk(cwd_fd, root_path, &parts[n..], Create::No) {
                Ok(fd) => Some(fd),
                Err(Walk::Symlink(link)) => {
                    let link = format!("{cwd}{}", &link[root_path.len()..]);
                    return Err(nested_refusal(&full, cwd, &link));
                }
                Err(Walk::Missing(_)) => None,
                Err(Walk::Io(p, e)) => return Err(refuse(q(&p), e.to_string(), "start again")),
            }
        } else {
            match sys::open_path(&full) {
                Ok(fd) => Some(fd),
                Err(e) if e.raw_os_error() == Some(libc::ENOENT) => None,
                Err(e) => {
                    return Err(refuse(
                        q(&full),
                        format!("cannot open this grant: {e}"),
                        "check it and start again",
                    ));
                }
            }
        };
        let Some(fd) = opened else {
            if if_exists {
                fds.insert(path, None);
                continue;
            }
            return Err(refuse(
                format!(
                    "the {} grant {}",
                    if readonly { "read-only" } else { "read-write" },
                    q(&full)
                ),
                "it does not exist",
                "create it, or remove it from the jail, and start again",
            ));
        };
        if readonly && let Some((root_path, n)) = &in_cwd {
            let parts: Vec<&str> = full.split('/').filter(|p| !p.is_empty()).collect();
            let _ = root_path;
            let inside = format!("{}/{}", cwd.trim_end_matches('/'), parts[*n..].join("/"));
            let again = sys::dup(fd.as_raw_fd())
                .map_err(|e| refuse(q(&full), e.to_string(), "start again"))?;
            in_cwd_readonly.push((again, inside));
        }
        fds.insert(path, Some((fd, full)));
    }
    Ok(Opened {
        fds,
        in_cwd_readonly,
    })
}
