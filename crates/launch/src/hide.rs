//! Hidden files: the walk that finds what the policy's `hide` patterns match (the rule is
//! jailgen_policy::hide), and the masks. A matching directory becomes an empty read-only
//! tmpfs; a matching file is covered by an empty read-only file: the one at
//! `$XDG_RUNTIME_DIR/jailgen/empty` or `/tmp/jailgen-<uid>/empty` (directories of ours no
//! jail can reach, checked and never created through a symlink), else one `--ro-bind-data`
//! of an empty descriptor per file.

use crate::refuse::warn;
use crate::sys;
use jailgen_policy::Op;
use jailgen_policy::defaults::defaults;
use jailgen_policy::hide::Pattern;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

pub struct Found {
    /// Paths below the working directory, with whether each is a directory.
    pub matches: Vec<(String, bool)>,
    pub entries_read: usize,
    pub stopped: bool,
}

const DT_DIR: u8 = 4;
const DT_LNK: u8 = 10;
const DT_UNKNOWN: u8 = 0;

/// Walk the working directory (descriptor `cwd_fd`) for `patterns`.
pub fn find(
    cwd: &str,
    cwd_fd: RawFd,
    patterns: &[String],
    limit: usize,
    prune: &[String],
) -> Found {
    let pats: Vec<Pattern> = patterns.iter().map(|p| Pattern::new(p)).collect();
    let mut found = Found {
        matches: Vec::new(),
        entries_read: 0,
        stopped: false,
    };
    if pats.is_empty() {
        return found;
    }
    let mut stack: Vec<(OwnedFd, Vec<String>)> = Vec::new();
    if let Ok(fd) = sys::openat(cwd_fd, ".", libc::O_RDONLY | libc::O_DIRECTORY, 0) {
        stack.push((fd, Vec::new()));
    }
    let base = cwd.trim_end_matches('/');
    while let Some((dfd, dir)) = stack.pop() {
        let probe = sys::dup(dfd.as_raw_fd());
        let Ok(entries) = sys::read_dir(dfd) else {
            continue;
        };
        let Ok(probe) = probe else { continue };
        found.entries_read += entries.len();
        if found.entries_read > limit {
            found.stopped = true;
            break;
        }
        let dir_refs: Vec<&str> = dir.iter().map(String::as_str).collect();
        for (raw, ty) in entries {
            let name = match String::from_utf8(raw) {
                Ok(n) => n,
                Err(e) => {
                    // bwrap's arguments here are UTF-8 strings: such a name cannot be masked.
                    let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    if pats.iter().any(|p| p.matches(&dir_refs, &lossy)) {
                        warn(&format!(
                            "not hiding `{}`: its name is not UTF-8; rename it",
                            if dir.is_empty() {
                                lossy
                            } else {
                                format!("{}/{lossy}", dir.join("/"))
                            }
                        ));
                    }
                    continue;
                }
            };
            let mut ty = ty;
            if ty == DT_UNKNOWN {
                ty = match sys::lstatat(probe.as_raw_fd(), &name) {
                    Ok(st) if sys::is_dir(&st) => DT_DIR,
                    Ok(st) if sys::is_link(&st) => DT_LNK,
                    _ => 8,
                };
            }
            let rel = || {
                if dir.is_empty() {
                    name.clone()
                } else {
                    format!("{}/{name}", dir.join("/"))
                }
            };
            if pats.iter().any(|p| p.matches(&dir_refs, &name)) {
                let rel = rel();
                if ty == DT_LNK {
                    // A matching symlink hides its target when that lies inside the working
                    // directory; one pointing outside is left alone (the jail sees its target
                    // only if the spec binds it).
                    match sys::open_path(&format!("{base}/{rel}")).and_then(|fd| {
                        let p = sys::fd_path(fd.as_raw_fd())?;
                        let st = sys::fstat(fd.as_raw_fd())?;
                        Ok((p, sys::is_dir(&st)))
                    }) {
                        Ok((target, is_dir)) if target.starts_with(&format!("{base}/")) => {
                            found
                                .matches
                                .push((target[base.len() + 1..].to_string(), is_dir));
                        }
                        Ok(_) => warn(&format!(
                            "not hiding `{rel}`: it is a symlink pointing outside the working directory"
                        )),
                        Err(_) => {}
                    }
                } else {
                    found.matches.push((rel.clone(), ty == DT_DIR));
                }
                continue;
            }
            if ty == DT_LNK {
                // Patterns naming a path through a symlinked directory: never followed.
                let rel = rel();
                for p in &pats {
                    if p.text
                        .trim_start_matches("./")
                        .starts_with(&format!("{rel}/"))
                    {
                        warn(&format!(
                            "not hiding `{}`: it is reached through a symlink, which the walk never follows",
                            p.text
                        ));
                    }
                }
                continue;
            }
            if ty != DT_DIR {
                continue;
            }
            let pruned = prune.contains(&name);
            let mut sub = dir_refs.clone();
            sub.push(&name);
            if !pats.iter().any(|p| p.may_enter(&sub, pruned)) {
                continue;
            }
            if let Ok(fd) = sys::openat(
                probe.as_raw_fd(),
                &name,
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW,
                0,
            ) {
                let mut d = dir.clone();
                d.push(name);
                stack.push((fd, d));
            }
        }
    }
    found.matches.sort();
    found.matches.dedup();
    found
}

/// The shared empty mask file: a checked path in a directory of ours no jail can reach.
fn mask_file(var: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    let mut dirs = Vec::new();
    if let Some(x) = var("XDG_RUNTIME_DIR").filter(|x| x.starts_with('/')) {
        dirs.push((x.trim_end_matches('/').to_string(), "jailgen".to_string()));
    }
    dirs.push(("/tmp".to_string(), format!("jailgen-{uid}")));
    for (parent, name) in dirs {
        let Ok(pfd) = sys::openat(libc::AT_FDCWD, &parent, libc::O_PATH | libc::O_DIRECTORY, 0)
        else {
            continue;
        };
        let _ = sys::mkdirat(pfd.as_raw_fd(), &name, 0o700);
        let Ok(dfd) = sys::openat(
            pfd.as_raw_fd(),
            &name,
            libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
            0,
        ) else {
            continue;
        };
        let Ok(st) = sys::fstat(dfd.as_raw_fd()) else {
            continue;
        };
        if st.st_uid != uid || st.st_mode & 0o022 != 0 {
            continue;
        }
        let ok = |st: &libc::stat| {
            sys::is_reg(st) && st.st_size == 0 && st.st_uid == uid && st.st_mode & 0o222 == 0
        };
        match sys::lstatat(dfd.as_raw_fd(), "empty") {
            Ok(st) if ok(&st) => return Some(format!("{parent}/{name}/empty")),
            Ok(_) => {
                if sys::unlinkat(dfd.as_raw_fd(), "empty").is_err() {
                    continue;
                }
            }
            Err(_) => {}
        }
        if sys::openat(
            dfd.as_raw_fd(),
            "empty",
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW,
            0o444,
        )
        .is_ok()
            && sys::lstatat(dfd.as_raw_fd(), "empty").is_ok_and(|st| ok(&st))
        {
            return Some(format!("{parent}/{name}/empty"));
        }
    }
    None
}

/// The masks for what `find` found: ops, and descriptors to hand to bwrap.
pub fn masks(
    cwd: &str,
    cwd_fd: RawFd,
    patterns: &[String],
    var: &dyn Fn(&str) -> Option<String>,
) -> (Vec<Op>, Vec<OwnedFd>) {
    let d = defaults();
    let found = find(cwd, cwd_fd, patterns, d.hide_walk_limit, &d.hide_prune);
    if found.stopped {
        warn(&format!(
            "hide: stopped after reading {} directory entries; files further down were not checked (name them with a path from the project, e.g. `apps/web/.env`)",
            d.hide_walk_limit
        ));
    }
    let base = cwd.trim_end_matches('/');
    let mut ops = Vec::new();
    let mut fds = Vec::new();
    let mut hidden_dirs: Vec<String> = Vec::new();
    let mut mask: Option<Option<String>> = None;
    for (rel, is_dir) in found.matches {
        if hidden_dirs
            .iter()
            .any(|h| rel.starts_with(&format!("{h}/")))
        {
            continue;
        }
        let dest = format!("{base}/{rel}");
        if is_dir {
            ops.push(Op::Tmpfs { dest: dest.clone() });
            ops.push(Op::RemountRo { dest });
            hidden_dirs.push(rel);
            continue;
        }
        let m = mask.get_or_insert_with(|| mask_file(var));
        match m {
            Some(file) => ops.push(Op::RoBind {
                src: file.clone(),
                dest,
            }),
            None => {
                if let Ok(fd) = sys::openat(libc::AT_FDCWD, "/dev/null", libc::O_RDONLY, 0) {
                    ops.push(Op::RoBindData {
                        fd: fd.as_raw_fd(),
                        dest,
                    });
                    fds.push(fd);
                }
            }
        }
    }
    (ops, fds)
}
