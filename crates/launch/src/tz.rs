//! The time zone: what jail.nix's `time-zone` does (when /etc/localtime is a symlink, bind
//! its real file at the path the link names and recreate the link), without a process: the
//! link is read and the file opened here, and bwrap binds the descriptor that was checked to
//! be the file /etc/localtime names now.

use crate::sys;
use jailgen_policy::Op;
use std::os::fd::{AsRawFd, OwnedFd};

pub fn time_zone() -> Option<(Vec<Op>, OwnedFd)> {
    let st = sys::lstat("/etc/localtime").ok()?;
    if !sys::is_link(&st) {
        return None;
    }
    let link = sys::readlinkat(libc::AT_FDCWD, "/etc/localtime").ok()?;
    let fd = sys::open_path("/etc/localtime").ok()?;
    let real = sys::fd_path(fd.as_raw_fd()).ok()?;
    let (a, b) = (
        sys::fstat(fd.as_raw_fd()).ok()?,
        sys::stat("/etc/localtime").ok()?,
    );
    if !sys::same_file(&a, &b) || !sys::is_reg(&a) {
        return None;
    }
    // The link's own path (relative links resolve from /etc), normalised lexically.
    let spelled = if link.starts_with('/') {
        link.clone()
    } else {
        format!("/etc/{link}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for c in spelled.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let dest = format!("/{}", parts.join("/"));
    Some((
        vec![
            Op::RoBindFd {
                fd: fd.as_raw_fd(),
                src: real,
                dest: dest.clone(),
            },
            Op::Symlink {
                target: link,
                dest: "/etc/localtime".into(),
            },
        ],
        fd,
    ))
}
