//! Hidden files: the walk that finds what the policy's `hide` patterns match (the rule is
//! jailgen_policy::hide), and the masks. A matching directory becomes an empty read-only
//! tmpfs; a matching file is covered by an empty read-only file: the one at
//! `$XDG_RUNTIME_DIR/jailgen/empty` or `/tmp/jailgen-<uid>/empty` (directories of ours no
//! jail can reach, checked and never created through a symlink), else one `--ro-bind-data`
//! of an empty descriptor per file.

use crate::refuse::{Stop, q, refuse, warn};
use crate::sys;
use jailgen_policy::Op;
use jailgen_policy::defaults::defaults;
use jailgen_policy::hide::{PRUNED_WALK_LIMIT, Pattern};
use std::ffi::OsString;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStringExt;
use std::rc::Rc;

/// Set to `1` to start although the hide walk could not check everything.
pub const ALLOW_PARTIAL: &str = "JAILGEN_ALLOW_PARTIAL_HIDE";

pub struct Found {
    /// Paths below the working directory (bytes: a name need not be UTF-8), with whether
    /// each is a directory.
    pub matches: Vec<(Vec<u8>, bool)>,
    pub entries_read: usize,
    /// The first directory the walk did not read because a budget ran out, and whether it
    /// lies in a pruned tree.
    pub cut: Option<(Vec<u8>, bool)>,
    /// A directory below the working directory that could not be opened or read.
    pub unreadable: Option<(Vec<u8>, std::io::Error)>,
}

const DT_DIR: u8 = 4;
const DT_LNK: u8 = 10;
const DT_UNKNOWN: u8 = 0;

fn join(dir: &[Vec<u8>], name: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for d in dir {
        out.extend_from_slice(d);
        out.push(b'/');
    }
    out.extend_from_slice(name);
    out
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A matching symlink `name` in `dir` hides its target when that lies inside the working
/// directory; one pointing outside is left alone (the jail sees its target only if the spec
/// binds it).
fn link_target(base: &[u8], dir: RawFd, name: &[u8], rel: &[u8]) -> Option<(Vec<u8>, bool)> {
    let fd = sys::openat_b(dir, name, libc::O_PATH, 0).ok()?;
    let target = sys::fd_path_b(fd.as_raw_fd()).ok()?;
    let is_dir = sys::fstat(fd.as_raw_fd()).is_ok_and(|st| sys::is_dir(&st));
    let mut prefix = base.to_vec();
    prefix.push(b'/');
    if let Some(inside) = target.strip_prefix(prefix.as_slice()) {
        return Some((inside.to_vec(), is_dir));
    }
    warn(&format!(
        "not hiding `{}`: it is a symlink pointing outside the working directory",
        lossy(rel)
    ));
    None
}

/// Look an anchored literal pattern up directly from the working directory, one component
/// at a time without following symlinks.
fn resolve_literal(base: &[u8], cwd_fd: RawFd, pat: &Pattern, parts: &[String], found: &mut Found) {
    let Ok(mut dir) = sys::dup(cwd_fd) else {
        return;
    };
    let mut done: Vec<Vec<u8>> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let rel = join(&done, part.as_bytes());
        let st = match sys::lstatat_b(dir.as_raw_fd(), part.as_bytes()) {
            Ok(st) => st,
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::ENOTDIR)) => return,
            Err(e) => {
                found.unreadable.get_or_insert((rel, e));
                return;
            }
        };
        let last = i + 1 == parts.len();
        if last {
            if sys::is_link(&st) {
                if let Some(m) = link_target(base, dir.as_raw_fd(), part.as_bytes(), &rel) {
                    found.matches.push(m);
                }
            } else {
                found.matches.push((rel, sys::is_dir(&st)));
            }
            return;
        }
        if sys::is_link(&st) {
            warn(&format!(
                "not hiding `{}`: it is reached through a symlink, which the walk never follows",
                pat.text
            ));
            return;
        }
        if !sys::is_dir(&st) {
            return;
        }
        match sys::openat(
            dir.as_raw_fd(),
            part,
            libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
            0,
        ) {
            Ok(fd) => dir = fd,
            Err(e) => {
                found.unreadable.get_or_insert((rel, e));
                return;
            }
        }
        done.push(part.as_bytes().to_vec());
    }
}

/// Walk the working directory (descriptor `cwd_fd`) for `patterns`: its own entries always,
/// then at most `limit` more entries outside the `prune` trees, then at most `pruned_limit`
/// inside them; anchored literal patterns are looked up directly besides.
pub fn find(
    cwd: &str,
    cwd_fd: RawFd,
    patterns: &[String],
    limit: usize,
    pruned_limit: usize,
    prune: &[String],
) -> Found {
    let pats: Vec<Pattern> = patterns.iter().map(|p| Pattern::new(p)).collect();
    let mut found = Found {
        matches: Vec::new(),
        entries_read: 0,
        cut: None,
        unreadable: None,
    };
    if pats.is_empty() {
        return found;
    }
    let base = cwd.trim_end_matches('/').as_bytes();
    for p in &pats {
        if let Some(parts) = p.literal_path() {
            resolve_literal(base, cwd_fd, p, parts, &mut found);
        }
    }
    // A directory to read: its components below the working directory (bytes) and, while
    // its parent is still open, the parent. Directories only ever wait as names (never as
    // open descriptors, which a wide tree would run out of); the pruned trees found on the
    // way wait without their parent and are reached again from the working directory.
    type Dir = (Option<Rc<OwnedFd>>, Vec<Vec<u8>>);
    let mut stack: Vec<Dir> = vec![(None, Vec::new())];
    let mut later: Vec<Dir> = Vec::new();
    let mut in_pruned = false;
    let mut pruned_read = 0usize;
    loop {
        let next = if in_pruned {
            later.pop()
        } else {
            stack.pop().or_else(|| {
                in_pruned = true;
                later.pop()
            })
        };
        let Some((parent, dir)) = next else { break };
        // The working directory's own entries are always read; below it, the budgets.
        let over = if in_pruned {
            pruned_read >= pruned_limit
        } else {
            !dir.is_empty() && found.entries_read >= limit
        };
        if over {
            found.cut = Some((dir.join(&b'/'), in_pruned));
            break;
        }
        let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW;
        let opened = match (&parent, dir.last()) {
            (_, None) => sys::openat(cwd_fd, ".", libc::O_RDONLY | libc::O_DIRECTORY, 0),
            (Some(p), Some(name)) => sys::openat_b(p.as_raw_fd(), name, flags, 0),
            (None, Some(_)) => open_below(cwd_fd, &dir, flags),
        };
        let dfd = match opened {
            Ok(fd) => fd,
            // Gone since it was listed: nothing to hide there.
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => continue,
            Err(e) => {
                found.unreadable = Some((dir.join(&b'/'), e));
                break;
            }
        };
        drop(parent);
        let probe = match sys::dup(dfd.as_raw_fd()) {
            Ok(p) => Rc::new(p),
            Err(e) => {
                found.unreadable = Some((dir.join(&b'/'), e));
                break;
            }
        };
        let entries = match sys::read_dir(dfd) {
            Ok(e) => e,
            Err(e) => {
                found.unreadable = Some((dir.join(&b'/'), e));
                break;
            }
        };
        if in_pruned {
            pruned_read += entries.len();
        } else {
            found.entries_read += entries.len();
        }
        let dir_lossy: Vec<String> = dir.iter().map(|d| lossy(d)).collect();
        let dir_refs: Vec<&str> = dir_lossy.iter().map(String::as_str).collect();
        for (name, ty) in entries {
            // Patterns are UTF-8: a name that is not can only match a wildcard, which it
            // does through its lossy form; the mask uses its bytes.
            let name_s = lossy(&name);
            let mut ty = ty;
            if ty == DT_UNKNOWN {
                ty = match sys::lstatat_b(probe.as_raw_fd(), &name) {
                    Ok(st) if sys::is_dir(&st) => DT_DIR,
                    Ok(st) if sys::is_link(&st) => DT_LNK,
                    _ => 8,
                };
            }
            if pats.iter().any(|p| p.matches(&dir_refs, &name_s)) {
                let rel = join(&dir, &name);
                if ty == DT_LNK {
                    if let Some(m) = link_target(base, probe.as_raw_fd(), &name, &rel) {
                        found.matches.push(m);
                    }
                } else {
                    found.matches.push((rel, ty == DT_DIR));
                }
                continue;
            }
            if ty == DT_LNK {
                // Patterns naming a path through a symlinked directory: never followed.
                let rel = lossy(&join(&dir, &name));
                for p in pats.iter().filter(|p| p.literal_path().is_none()) {
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
            let mut sub = dir_refs.clone();
            sub.push(&name_s);
            if !pats.iter().any(|p| p.may_enter(&sub)) {
                continue;
            }
            let pruned = in_pruned || prune.iter().any(|p| p.as_bytes() == name.as_slice());
            let mut d = dir.clone();
            d.push(name);
            if in_pruned {
                later.push((Some(probe.clone()), d));
            } else if pruned {
                later.push((None, d));
            } else {
                stack.push((Some(probe.clone()), d));
            }
        }
    }
    found.matches.sort();
    found.matches.dedup();
    found
}

/// Open the directory at `comps` below the working directory, one component at a time
/// without following symlinks.
fn open_below(cwd_fd: RawFd, comps: &[Vec<u8>], flags: libc::c_int) -> std::io::Result<OwnedFd> {
    let mut fd = sys::dup(cwd_fd)?;
    for (i, c) in comps.iter().enumerate() {
        let f = if i + 1 == comps.len() {
            flags
        } else {
            libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW
        };
        fd = sys::openat_b(fd.as_raw_fd(), c, f, 0)?;
    }
    Ok(fd)
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

/// The masks for what `find` found: ops, descriptors to hand to bwrap, and the raw
/// arguments for paths that are not UTF-8 (the plan's ops are strings; bwrap takes bytes).
pub struct Masks {
    pub ops: Vec<Op>,
    pub fds: Vec<OwnedFd>,
    pub raw: Vec<OsString>,
}

pub fn masks(
    cwd: &str,
    cwd_fd: RawFd,
    patterns: &[String],
    var: &dyn Fn(&str) -> Option<String>,
    insisted_on_cwd: bool,
) -> Result<Masks, Stop> {
    let d = defaults();
    let found = find(
        cwd,
        cwd_fd,
        patterns,
        d.hide_walk_limit,
        PRUNED_WALK_LIMIT,
        &d.hide_prune,
    );
    // JAILGEN_ALLOW_CWD=1 in a directory the guard refuses (`$HOME`, `/tmp`): the agent sees
    // everything there anyway, so an incomplete walk only warns.
    let allow = var(ALLOW_PARTIAL).as_deref() == Some("1") || insisted_on_cwd;
    let base = cwd.trim_end_matches('/');
    let problem = if let Some((dir, e)) = &found.unreadable {
        Some((
            q(&format!("{base}/{}", lossy(dir))),
            format!(
                "the hide walk cannot read this directory ({e}), so files matching `hide` below it could not be masked"
            ),
            format!(
                "make it readable (chmod u+rx), or set {ALLOW_PARTIAL}=1 to start without checking it"
            ),
        ))
    } else {
        found.cut.as_ref().map(|(dir, pruned)| {
            let (n, kind) = if *pruned {
                (PRUNED_WALK_LIMIT, "in dependency and build trees (hidePrune)")
            } else {
                (d.hide_walk_limit, "outside dependency and build trees")
            };
            (
                q(&format!("{base}/{}", lossy(dir))),
                format!("the hide walk stopped after reading {n} directory entries {kind} and did not check this directory and others, so a file matching `hide` there would stay readable"),
                format!("remove what you do not need (or clean the build tree), or set {ALLOW_PARTIAL}=1 to start anyway, with only the working directory's own entries and `hide` patterns naming a path checked"),
            )
        })
    };
    if let Some((what, why, fix)) = problem {
        if !allow {
            return Err(refuse(what, why, fix));
        }
        warn(&format!(
            "{what}: {why} ({})",
            if insisted_on_cwd {
                "JAILGEN_ALLOW_CWD=1"
            } else {
                "JAILGEN_ALLOW_PARTIAL_HIDE=1"
            }
        ));
    }
    let mut ops = Vec::new();
    let mut fds = Vec::new();
    let mut raw: Vec<OsString> = Vec::new();
    let mut hidden_dirs: Vec<Vec<u8>> = Vec::new();
    let mut mask: Option<Option<String>> = None;
    for (rel, is_dir) in found.matches {
        if hidden_dirs
            .iter()
            .any(|h| rel.len() > h.len() && rel.starts_with(h) && rel[h.len()] == b'/')
        {
            continue;
        }
        let mut dest_b = base.as_bytes().to_vec();
        dest_b.push(b'/');
        dest_b.extend_from_slice(&rel);
        let dest = String::from_utf8(dest_b.clone());
        let os = || OsString::from_vec(dest_b.clone());
        if is_dir {
            match dest {
                Ok(dest) => {
                    ops.push(Op::Tmpfs { dest: dest.clone() });
                    ops.push(Op::RemountRo { dest });
                }
                Err(_) => raw.extend(["--tmpfs".into(), os(), "--remount-ro".into(), os()]),
            }
            hidden_dirs.push(rel);
            continue;
        }
        let m = mask.get_or_insert_with(|| mask_file(var));
        match m {
            Some(file) => match dest {
                Ok(dest) => ops.push(Op::RoBind {
                    src: file.clone(),
                    dest,
                }),
                Err(_) => raw.extend(["--ro-bind".into(), file.clone().into(), os()]),
            },
            None => {
                if let Ok(fd) = sys::openat(libc::AT_FDCWD, "/dev/null", libc::O_RDONLY, 0) {
                    match dest {
                        Ok(dest) => ops.push(Op::RoBindData {
                            fd: fd.as_raw_fd(),
                            dest,
                        }),
                        Err(_) => raw.extend([
                            "--ro-bind-data".into(),
                            fd.as_raw_fd().to_string().into(),
                            os(),
                        ]),
                    }
                    fds.push(fd);
                }
            }
        }
    }
    Ok(Masks { ops, fds, raw })
}
