//! Thin, safe wrappers over the few system calls the launcher needs. Every descriptor is
//! opened close-on-exec; only the ones handed to bwrap are made inheritable (`inherit`).

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

pub fn cstr(s: &str) -> io::Result<CString> {
    CString::new(s).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

fn check(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// `openat(dir, name, flags | O_CLOEXEC)`.
pub fn openat(
    dir: RawFd,
    name: &str,
    flags: libc::c_int,
    mode: libc::mode_t,
) -> io::Result<OwnedFd> {
    let c = cstr(name)?;
    // SAFETY: `c` is a valid C string; the result is a fresh descriptor we own.
    let fd = check(unsafe { libc::openat(dir, c.as_ptr(), flags | libc::O_CLOEXEC, mode) })?;
    // SAFETY: `fd` was just returned by openat.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// An `O_PATH` descriptor on `path`, following symlinks (the user's own links).
pub fn open_path(path: &str) -> io::Result<OwnedFd> {
    openat(libc::AT_FDCWD, path, libc::O_PATH, 0)
}

/// An `O_PATH | O_NOFOLLOW` descriptor on the entry `name` of `dir`.
pub fn open_nofollow(dir: RawFd, name: &str) -> io::Result<OwnedFd> {
    openat(dir, name, libc::O_PATH | libc::O_NOFOLLOW, 0)
}

pub fn fstat(fd: RawFd) -> io::Result<libc::stat> {
    // SAFETY: zeroed stat is a valid out-parameter.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `st` is a valid pointer.
    check(unsafe { libc::fstat(fd, &mut st) })?;
    Ok(st)
}

/// `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)`.
pub fn lstatat(dir: RawFd, name: &str) -> io::Result<libc::stat> {
    let c = cstr(name)?;
    // SAFETY: as above.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers.
    check(unsafe { libc::fstatat(dir, c.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) })?;
    Ok(st)
}

pub fn stat(path: &str) -> io::Result<libc::stat> {
    let c = cstr(path)?;
    // SAFETY: as above.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers.
    check(unsafe { libc::stat(c.as_ptr(), &mut st) })?;
    Ok(st)
}

pub fn lstat(path: &str) -> io::Result<libc::stat> {
    lstatat(libc::AT_FDCWD, path)
}

pub fn is_dir(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFDIR
}
pub fn is_link(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFLNK
}
pub fn is_reg(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFREG
}
pub fn same_file(a: &libc::stat, b: &libc::stat) -> bool {
    a.st_dev == b.st_dev && a.st_ino == b.st_ino
}

pub fn mkdirat(dir: RawFd, name: &str, mode: libc::mode_t) -> io::Result<()> {
    let c = cstr(name)?;
    // SAFETY: valid C string.
    check(unsafe { libc::mkdirat(dir, c.as_ptr(), mode) }).map(|_| ())
}

pub fn unlinkat(dir: RawFd, name: &str) -> io::Result<()> {
    let c = cstr(name)?;
    // SAFETY: valid C string.
    check(unsafe { libc::unlinkat(dir, c.as_ptr(), 0) }).map(|_| ())
}

/// The text of the symlink `name` in `dir` (`""` = the descriptor itself).
pub fn readlinkat(dir: RawFd, name: &str) -> io::Result<String> {
    let c = cstr(name)?;
    let mut buf = vec![0u8; 4096];
    // SAFETY: `buf` is valid for its length.
    let n = unsafe { libc::readlinkat(dir, c.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(n as usize);
    String::from_utf8(buf).map_err(|_| io::Error::from_raw_os_error(libc::EILSEQ))
}

/// The path the kernel knows a descriptor by (`/proc/self/fd/N`).
pub fn fd_path(fd: RawFd) -> io::Result<String> {
    readlinkat(libc::AT_FDCWD, &format!("/proc/self/fd/{fd}"))
}

/// Make `fd` survive `execve` (bwrap reads it). Returns its number; the caller must not
/// close it (the descriptor is leaked into bwrap on purpose).
pub fn inherit(fd: OwnedFd) -> io::Result<RawFd> {
    let raw = fd.as_raw_fd();
    // SAFETY: F_SETFD on a descriptor we own.
    check(unsafe { libc::fcntl(raw, libc::F_SETFD, 0) })?;
    std::mem::forget(fd);
    Ok(raw)
}

pub fn dup(fd: RawFd) -> io::Result<OwnedFd> {
    // SAFETY: F_DUPFD_CLOEXEC returns a fresh descriptor we own.
    let n = check(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) })?;
    // SAFETY: just returned.
    Ok(unsafe { OwnedFd::from_raw_fd(n) })
}

/// An anonymous file holding `data`, positioned at its start (bwrap reads it to the end).
pub fn memfd_with(name: &str, data: &[u8]) -> io::Result<OwnedFd> {
    let c = cstr(name)?;
    // SAFETY: valid C string.
    let fd = check(unsafe { libc::memfd_create(c.as_ptr(), libc::MFD_CLOEXEC) })?;
    // SAFETY: just returned.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut off = 0;
    while off < data.len() {
        // SAFETY: the slice is valid.
        let n = unsafe {
            libc::write(
                fd.as_raw_fd(),
                data[off..].as_ptr().cast(),
                data.len() - off,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        off += n as usize;
    }
    // SAFETY: plain lseek.
    if unsafe { libc::lseek(fd.as_raw_fd(), 0, libc::SEEK_SET) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(fd)
}

/// Reads a whole (small) file through a descriptor, at most `limit` bytes.
pub fn read_fd(fd: RawFd, limit: usize) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        // SAFETY: the buffer is valid.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 || out.len() >= limit {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n as usize]);
    }
}

/// Opens `name` in `dir` for reading without following a symlink, and reads it.
pub fn read_at(dir: RawFd, name: &str, limit: usize) -> io::Result<Vec<u8>> {
    let fd = openat(
        dir,
        name,
        libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK,
        0,
    )?;
    let st = fstat(fd.as_raw_fd())?;
    if !is_reg(&st) {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    read_fd(fd.as_raw_fd(), limit)
}

/// The working directory, physical (`getcwd`).
pub fn getcwd() -> io::Result<String> {
    let p = std::env::current_dir()?;
    p.into_os_string()
        .into_string()
        .map_err(|_| io::Error::from_raw_os_error(libc::EILSEQ))
}

/// Directory entries of `fd` (an `O_RDONLY | O_DIRECTORY` descriptor), without `.` and `..`:
/// `(name, d_type)`. The descriptor is consumed.
pub fn read_dir(fd: OwnedFd) -> io::Result<Vec<(Vec<u8>, u8)>> {
    let raw = fd.as_raw_fd();
    // SAFETY: fdopendir takes ownership of the descriptor on success.
    let dir = unsafe { libc::fdopendir(raw) };
    if dir.is_null() {
        return Err(io::Error::last_os_error());
    }
    std::mem::forget(fd);
    let mut out = Vec::new();
    loop {
        // SAFETY: `dir` is a valid DIR*.
        let ent = unsafe { libc::readdir64(dir) };
        if ent.is_null() {
            break;
        }
        // SAFETY: readdir returned a valid dirent with a NUL-terminated name.
        let (name, ty) = unsafe {
            let e = &*ent;
            (
                std::ffi::CStr::from_ptr(e.d_name.as_ptr())
                    .to_bytes()
                    .to_vec(),
                e.d_type,
            )
        };
        if name == b"." || name == b".." {
            continue;
        }
        out.push((name, ty));
    }
    // SAFETY: closes the DIR* (and its descriptor).
    unsafe { libc::closedir(dir) };
    Ok(out)
}
