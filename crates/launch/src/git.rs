//! Git protection: what in the project's git directory makes the host run code (hooks/,
//! config, config.worktree, the pointer files of linked worktrees and submodules, hooksPath
//! and include targets inside the project) is bound read-only over the read-write working
//! directory, and `.git` itself is bound over itself (a mount point cannot be renamed, so
//! `mv .git x` and a fresh `.git` cannot defeat the binds inside it).
//!
//! Everything is reached from the working directory's descriptor without following symlinks
//! and bound through the descriptor that was checked. A symlink where git never makes one
//! refuses to start (binding it would mount whatever it points to). Missing hooks/ and
//! config are created empty first (the agent could otherwise create them for the host's
//! git); nothing is ever created outside the project.

use crate::grants::{Create, Walk, walk};
use crate::refuse::{Stop, q, refuse, warn};
use crate::sys;
use jailgen_policy::{Git, Op, StateKind};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

pub struct Protect<'a> {
    pub cwd: &'a str,
    pub cwd_fd: RawFd,
    pub home: Option<&'a str>,
    pub ops: Vec<Op>,
    /// Descriptors to hand to bwrap (made inheritable by the caller).
    pub fds: Vec<OwnedFd>,
}

fn link_refusal(path: &str, fix: &str) -> Stop {
    refuse(
        q(path),
        "it is a symlink where git never makes one, and binding it would mount whatever it points to (an earlier session of the agent may have planted it to reach your home directory)",
        format!("inspect it (ls -l), then {fix}, and start again"),
    )
}

fn changed(path: &str, e: &std::io::Error) -> Stop {
    refuse(
        q(path),
        format!("it changed while the jail was starting ({e})"),
        "is another session running? inspect it and start again",
    )
}

impl Protect<'_> {
    fn bind(&mut self, fd: OwnedFd, path: String, writable: bool) {
        let n = fd.as_raw_fd();
        self.fds.push(fd);
        self.ops.push(if writable {
            Op::BindFd {
                fd: n,
                src: path.clone(),
                dest: path,
            }
        } else {
            Op::RoBindFd {
                fd: n,
                src: path.clone(),
                dest: path,
            }
        });
    }

    /// Bind `dir/name` read-only over itself when present; a symlink refuses.
    fn ro_self(&mut self, dir: RawFd, dir_path: &str, name: &str) -> Result<(), Stop> {
        let path = format!("{dir_path}/{name}");
        match sys::lstatat(dir, name) {
            Ok(st) if sys::is_link(&st) => Err(link_refusal(
                &path,
                "delete it (git recreates what it needs)",
            )),
            Ok(_) => {
                let fd = sys::open_nofollow(dir, name).map_err(|e| changed(&path, &e))?;
                self.bind(fd, path, false);
                Ok(())
            }
            Err(_) => Ok(()),
        }
    }

    /// Pin the directory `dir/name` (bind it over itself read-write through its descriptor),
    /// returning a directory descriptor on it for reading.
    fn pin(&mut self, dir: RawFd, dir_path: &str, name: &str) -> Result<OwnedFd, Stop> {
        let path = format!("{dir_path}/{name}");
        let fd = sys::openat(
            dir,
            name,
            libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
            0,
        )
        .map_err(|e| changed(&path, &e))?;
        let again = sys::dup(fd.as_raw_fd()).map_err(|e| changed(&path, &e))?;
        self.bind(fd, path, true);
        Ok(again)
    }

    pub fn run(&mut self, mode: Git) -> Result<(), Stop> {
        let cwd = self.cwd.to_string();
        let cfd = self.cwd_fd;
        let dotgit = format!("{}/.git", cwd.trim_end_matches('/'));
        let Ok(st) = sys::lstatat(cfd, ".git") else {
            return Ok(());
        };
        if sys::is_link(&st) {
            if mode == Git::Protect {
                warn(".git is a symlink; git hooks and config are not protected in this jail");
            }
        } else if sys::is_dir(&st) {
            if mode == Git::Protect {
                let gd = self.pin(cfd, &cwd, ".git")?;
                self.gitdir(gd.as_raw_fd(), &dotgit, 0)?;
            }
        } else if sys::is_reg(&st) {
            self.linked_worktree(mode, &dotgit)?;
        }
        Ok(())
    }

    /// Protect one git directory (a repository's .git, a common dir, a submodule's).
    fn gitdir(&mut self, gd: RawFd, gd_path: &str, depth: usize) -> Result<(), Stop> {
        if depth > 8 {
            return Ok(());
        }
        for name in ["hooks", "config"] {
            if let Ok(st) = sys::lstatat(gd, name)
                && sys::is_link(&st)
            {
                return Err(link_refusal(
                    &format!("{gd_path}/{name}"),
                    "replace it with a copy of what it points to (or use git: open for this jail)",
                ));
            }
        }
        if sys::lstatat(gd, "hooks").is_err() {
            let _ = sys::mkdirat(gd, "hooks", 0o755);
        }
        if sys::lstatat(gd, "config").is_err() {
            let _ = sys::openat(
                gd,
                "config",
                libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW,
                0o644,
            );
        }
        let hooks = format!("{gd_path}/hooks");
        let hfd = sys::openat(
            gd,
            "hooks",
            libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
            0,
        )
        .map_err(|e| changed(&hooks, &e))?;
        self.bind(hfd, hooks, false);
        let cfg_path = format!("{gd_path}/config");
        let content = sys::read_at(gd, "config", 1 << 20).unwrap_or_default();
        let cfd = sys::open_nofollow(gd, "config").map_err(|e| changed(&cfg_path, &e))?;
        self.bind(cfd, cfg_path.clone(), false);
        let text = String::from_utf8_lossy(&content).into_owned();
        let lower = text.to_lowercase();
        match sys::lstatat(gd, "config.worktree") {
            Ok(st) if sys::is_link(&st) => {
                return Err(link_refusal(
                    &format!("{gd_path}/config.worktree"),
                    "delete it (git recreates what it needs)",
                ));
            }
            Ok(_) => {}
            Err(_) if lower.contains("worktreeconfig") => {
                let _ = sys::openat(
                    gd,
                    "config.worktree",
                    libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW,
                    0o644,
                );
            }
            Err(_) => {}
        }
        self.ro_self(gd, gd_path, "config.worktree")?;
        self.ro_self(gd, gd_path, "commondir")?;
        self.ro_self(gd, gd_path, "gitdir")?;
        if lower.contains("hookspath")
            || lower.contains("include")
            || (depth > 0 && lower.contains("worktree"))
        {
            self.config_paths(gd_path, &text, depth > 0);
        }
        for name in ["worktrees", "modules"] {
            if let Ok(st) = sys::lstatat(gd, name) {
                if sys::is_link(&st) {
                    return Err(link_refusal(&format!("{gd_path}/{name}"), "delete it"));
                }
                if !sys::is_dir(&st) {
                    continue;
                }
                let d = self.pin(gd, gd_path, name)?;
                let d_path = format!("{gd_path}/{name}");
                if name == "worktrees" {
                    self.worktree_entries(d.as_raw_fd(), &d_path)?;
                } else {
                    self.modules(d.as_raw_fd(), &d_path, depth + 1)?;
                }
            }
        }
        Ok(())
    }

    fn entries(dir: RawFd) -> Vec<String> {
        let Ok(fd) = sys::openat(dir, ".", libc::O_RDONLY | libc::O_DIRECTORY, 0) else {
            return Vec::new();
        };
        let mut names: Vec<String> = sys::read_dir(fd)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(n, _)| String::from_utf8(n).ok())
            .collect();
        names.sort();
        names
    }

    fn worktree_entries(&mut self, dir: RawFd, dir_path: &str) -> Result<(), Stop> {
        for name in Self::entries(dir) {
            let Ok(st) = sys::lstatat(dir, &name) else {
                continue;
            };
            if sys::is_link(&st) {
                return Err(link_refusal(
                    &format!("{dir_path}/{name}"),
                    "delete it (git worktree prune)",
                ));
            }
            if !sys::is_dir(&st) {
                continue;
            }
            let e = self.pin(dir, dir_path, &name)?;
            let e_path = format!("{dir_path}/{name}");
            self.ro_self(e.as_raw_fd(), &e_path, "config.worktree")?;
            self.ro_self(e.as_raw_fd(), &e_path, "commondir")?;
            self.ro_self(e.as_raw_fd(), &e_path, "gitdir")?;
        }
        Ok(())
    }

    /// Submodule git dirs; names may contain `/`, so a directory without HEAD is searched one
    /// level further down.
    fn modules(&mut self, dir: RawFd, dir_path: &str, depth: usize) -> Result<(), Stop> {
        if depth > 8 {
            return Ok(());
        }
        for name in Self::entries(dir) {
            let Ok(st) = sys::lstatat(dir, &name) else {
                continue;
            };
            if sys::is_link(&st) {
                return Err(link_refusal(
                    &format!("{dir_path}/{name}"),
                    "delete it (git submodule update recreates it)",
                ));
            }
            if !sys::is_dir(&st) {
                continue;
            }
            let sub = self.pin(dir, dir_path, &name)?;
            let sub_path = format!("{dir_path}/{name}");
            if sys::lstatat(sub.as_raw_fd(), "HEAD").is_ok() {
                self.gitdir(sub.as_raw_fd(), &sub_path, depth + 1)?;
            } else {
                self.modules(sub.as_raw_fd(), &sub_path, depth + 1)?;
            }
        }
        Ok(())
    }

    /// core.hooksPath and include paths named in a (now read-only) config may point into the
    /// working directory (husky's `.husky/_`): bind those read-only too, creating them first.
    /// In a submodule's config, core.worktree names the checkout whose `.git` file points the
    /// host's git at the submodule's git dir: that file is bound read-only as well. A minimal
    /// reader of git's config syntax: section headers, `key = value`, optional quotes.
    fn config_paths(&mut self, gd_path: &str, content: &str, module: bool) {
        let mut section = String::new();
        for raw in content.lines() {
            let mut line = raw.trim_start();
            if let Some(rest) = line.strip_prefix('[') {
                let (head, after) = rest.split_once(']').unwrap_or((rest, ""));
                section = head
                    .trim()
                    .split(|c: char| c.is_whitespace() || c == '.')
                    .next()
                    .unwrap_or("")
                    .to_lowercase();
                line = after.trim_start();
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim().to_lowercase();
            let mut value = value.trim();
            if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
                value = &value[1..value.len() - 1];
            }
            if value.is_empty() {
                continue;
            }
            let home = self.home.unwrap_or("");
            let under = |base: &str, v: &str| -> String {
                if v.starts_with('/') {
                    v.to_string()
                } else if let Some(r) = v.strip_prefix("~/") {
                    format!("{home}/{r}")
                } else {
                    format!("{base}/{v}")
                }
            };
            if section == "core" && key == "hookspath" {
                let t = under(self.cwd, value);
                self.inside_cwd(&t, Some(StateKind::Dir));
            } else if module && section == "core" && key == "worktree" {
                let t = if value.starts_with('/') {
                    format!("{value}/.git")
                } else {
                    format!("{gd_path}/{value}/.git")
                };
                self.inside_cwd(&t, None);
            } else if (section == "include" || section == "includeif") && key == "path" {
                let t = under(gd_path, value);
                self.inside_cwd(&t, Some(StateKind::File));
            }
        }
    }

    /// Bind `target` read-only when it lies inside the working directory, creating it first
    /// (as `create`) beneath the working directory's descriptor; the directories between are
    /// pinned. A symlink on the way cannot be pinned (a mount lands on its target): warn.
    fn inside_cwd(&mut self, target: &str, create: Option<StateKind>) {
        // Lexically normalised (`..` taken back), then spelled under the working directory.
        let mut parts: Vec<&str> = Vec::new();
        for c in target.split('/') {
            match c {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                c => parts.push(c),
            }
        }
        let norm = format!("/{}", parts.join("/"));
        let base = self.cwd.trim_end_matches('/');
        let Some(rel) = norm.strip_prefix(&format!("{base}/")) else {
            return;
        };
        let rel: Vec<&str> = rel.split('/').collect();
        let (dirs, last) = rel.split_at(rel.len() - 1);
        let mode = match create {
            Some(_) => Create::Yes(StateKind::Dir),
            None => Create::No,
        };
        let mut cur = match sys::dup(self.cwd_fd) {
            Ok(fd) => fd,
            Err(_) => return,
        };
        let mut cur_path = base.to_string();
        for d in dirs {
            match walk(cur.as_raw_fd(), &cur_path, &[d], mode) {
                Ok(_) => {}
                Err(Walk::Symlink(p)) => {
                    warn(&format!(
                        "cannot protect `{target}` (named by git config): `{p}` is a symlink"
                    ));
                    return;
                }
                Err(_) => return,
            }
            match self.pin(cur.as_raw_fd(), &cur_path, d) {
                Ok(next) => cur = next,
                Err(_) => return,
            }
            cur_path = format!("{cur_path}/{d}");
        }
        let last_mode = match create {
            Some(k) => Create::Yes(k),
            None => Create::No,
        };
        match walk(cur.as_raw_fd(), &cur_path, last, last_mode) {
            Ok(fd) => self.bind(fd, norm, false),
            Err(Walk::Symlink(p)) => {
                warn(&format!(
                    "cannot protect `{target}` (named by git config): `{p}` is a symlink"
                ));
            }
            Err(_) => {}
        }
    }

    /// A linked worktree: `.git` is a file `gitdir: <path>` naming `<common>/worktrees/<id>`.
    /// The file is project content the agent may have written, so it must not choose what
    /// gets bound: the entry has to be a real worktree entry of a real repository that
    /// points back here. Both directories are bound read-write so commits work.
    fn linked_worktree(&mut self, mode: Git, dotgit: &str) -> Result<(), Stop> {
        let content = sys::read_at(self.cwd_fd, ".git", 4096).unwrap_or_default();
        let text = String::from_utf8_lossy(&content);
        let Some(gitdir) = text.lines().next().and_then(|l| l.strip_prefix("gitdir: ")) else {
            return Ok(());
        };
        let abs = |base: &str, p: &str| {
            if p.starts_with('/') {
                p.to_string()
            } else {
                format!("{base}/{p}")
            }
        };
        let gitdir = abs(self.cwd, gitdir.trim_end());
        let first_line = |p: &str| {
            std::fs::read_to_string(p)
                .ok()
                .and_then(|s| s.lines().next().map(str::to_string))
        };
        let common = first_line(&format!("{gitdir}/commondir")).map(|c| abs(&gitdir, &c));
        let back = first_line(&format!("{gitdir}/gitdir")).map(|b| abs(&gitdir, &b));
        let is_file = |p: &str| sys::stat(p).is_ok_and(|s| sys::is_reg(&s));
        let ok = (|| {
            let common = common.as_deref()?;
            let back = back.as_deref()?;
            let parent = gitdir.rsplit_once('/').map(|(p, _)| p)?;
            let same = |a: &str, b: &str| match (sys::stat(a), sys::stat(b)) {
                (Ok(x), Ok(y)) => sys::same_file(&x, &y),
                _ => false,
            };
            (is_file(&format!("{gitdir}/HEAD"))
                && is_file(&format!("{common}/HEAD"))
                && sys::stat(&format!("{common}/objects")).is_ok_and(|s| sys::is_dir(&s))
                && same(parent, &format!("{common}/worktrees"))
                && same(back, dotgit))
            .then_some(())
        })();
        let Some(common) = common.filter(|_| ok.is_some()) else {
            warn(&format!(
                ".git names `{gitdir}`, which is not a worktree entry of a repository pointing back to {dotgit}; not binding it (git will not work in the jail)"
            ));
            return Ok(());
        };
        let (Ok(real_common), Ok(real_gitdir)) = (
            std::fs::canonicalize(&common),
            std::fs::canonicalize(&gitdir),
        ) else {
            warn(&format!(
                "cannot resolve `{gitdir}` or `{common}`; not binding them"
            ));
            return Ok(());
        };
        let (real_common, real_gitdir) = (
            real_common.to_string_lossy().into_owned(),
            real_gitdir.to_string_lossy().into_owned(),
        );
        let inside = real_gitdir
            .strip_prefix(&format!("{real_common}/worktrees/"))
            .filter(|id| !id.contains('/'));
        let Some(id) = inside else {
            return Err(refuse(
                format!("the worktree entry {}", q(&gitdir)),
                format!(
                    "it is reached through a symlink inside {}, which git never makes; an earlier session may have planted it",
                    q(&common)
                ),
                "inspect it (ls -l), run `git worktree repair`, and start again",
            ));
        };
        let open_dir = |p: &str| {
            let fd = sys::openat(
                libc::AT_FDCWD,
                p,
                libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
                0,
            )
            .map_err(|e| changed(p, &e))?;
            if sys::fd_path(fd.as_raw_fd()).ok().as_deref() != Some(p) {
                return Err(changed(p, &std::io::Error::from_raw_os_error(libc::ELOOP)));
            }
            Ok(fd)
        };
        let cfd = open_dir(&real_common)?;
        let common_read = sys::dup(cfd.as_raw_fd()).map_err(|e| changed(&real_common, &e))?;
        self.bind(cfd, real_common.clone(), true);
        let wt_dir = format!("{real_common}/worktrees");
        let wt_fd = sys::openat(
            common_read.as_raw_fd(),
            "worktrees",
            libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
            0,
        )
        .map_err(|e| changed(&wt_dir, &e))?;
        let gfd = sys::openat(
            wt_fd.as_raw_fd(),
            id,
            libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
            0,
        )
        .map_err(|e| changed(&real_gitdir, &e))?;
        let git_read = sys::dup(gfd.as_raw_fd()).map_err(|e| changed(&real_gitdir, &e))?;
        self.bind(gfd, real_gitdir.clone(), true);
        if mode == Git::Protect {
            let f = sys::open_nofollow(self.cwd_fd, ".git").map_err(|e| changed(dotgit, &e))?;
            self.bind(f, dotgit.to_string(), false);
            self.gitdir(common_read.as_raw_fd(), &real_common, 0)?;
            self.ro_self(git_read.as_raw_fd(), &real_gitdir, "config.worktree")?;
            self.ro_self(git_read.as_raw_fd(), &real_gitdir, "commondir")?;
            self.ro_self(git_read.as_raw_fd(), &real_gitdir, "gitdir")?;
        }
        Ok(())
    }
}
