//! The per-session network log: one line per relayed or refused destination, kept outside
//! the jail (the agent can neither read nor rewrite it).
//!
//! ```text
//! 2026-12-01T16:39:29Z deny evil.example:443 not in the allowlist
//! 2026-12-01T16:39:30Z allow docs.rs:443
//! ```
//!
//! Hosts are written only after validation, and anything else a client sent is reduced to
//! a safe character set, so a client cannot forge lines. The file stops growing at
//! [`LOG_LIMIT`] bytes (one last line says so).

use std::ffi::{CString, OsStr};
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

pub const LOG_LIMIT: u64 = 8 << 20;

pub struct SessionLog {
    file: Mutex<(File, u64)>,
    path: PathBuf,
}

/// A jail's name as it appears in its log's file name: ASCII letters, digits, `-`, `_` and `.`
/// kept, anything else `_` (`jailgen explain` prints the path with it).
pub fn file_name_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl SessionLog {
    /// Create `dir/<name>-<unix seconds>-<pid>.log`, making `dir` (mode 0700) as needed.
    /// Every component of `dir` below `/` is opened with `O_NOFOLLOW` and the file with
    /// `O_CREAT|O_EXCL|O_NOFOLLOW`, so a symlink planted anywhere on the way (a jail with
    /// `~/.local/state` writable could plant one) makes this fail instead of writing
    /// elsewhere.
    /// Creates `<dir>/<name>-<unix time>-<pid>.log` (the name through [`file_name_part`]).
    pub fn create(dir: &Path, name: &str) -> io::Result<SessionLog> {
        let safe_name = file_name_part(name);
        let secs = now_secs();
        let file_name = format!("{safe_name}-{secs}-{}.log", std::process::id());
        let dirfd = open_dir_nofollow(dir)?;
        let cname = CString::new(file_name.as_bytes()).map_err(io::Error::other)?;
        // SAFETY: openat with a valid directory descriptor and C string.
        let fd = unsafe {
            libc::openat(
                dirfd.as_raw_fd(),
                cname.as_ptr(),
                libc::O_WRONLY
                    | libc::O_CREAT
                    | libc::O_EXCL
                    | libc::O_NOFOLLOW
                    | libc::O_APPEND
                    | libc::O_CLOEXEC,
                0o600,
            )
        };
        if fd < 0 {
            let e = io::Error::last_os_error();
            return Err(io::Error::new(
                e.kind(),
                format!("{}: {e}", dir.join(&file_name).display()),
            ));
        }
        // SAFETY: a fresh descriptor.
        let file = File::from(unsafe { OwnedFd::from_raw_fd(fd) });
        Ok(SessionLog {
            file: Mutex::new((file, 0)),
            path: dir.join(file_name),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The log file's descriptor (kept open when the helper closes what it inherited).
    pub(crate) fn raw_fd(&self) -> std::os::fd::RawFd {
        self.file.lock().map_or(-1, |g| g.0.as_raw_fd())
    }

    /// Append one line: `<time> <verdict> <destination>[ <reason>]`.
    pub fn line(&self, verdict: &str, destination: &str, reason: &str) {
        let mut text = format!("{} {verdict} {}", utc_now(), sanitize(destination));
        if !reason.is_empty() {
            text.push(' ');
            text.push_str(&sanitize(reason));
        }
        text.push('\n');
        let Ok(mut guard) = self.file.lock() else {
            return;
        };
        let (file, written) = &mut *guard;
        if *written >= LOG_LIMIT {
            return;
        }
        *written += text.len() as u64;
        let res = if *written >= LOG_LIMIT {
            file.write_all(
                format!("{} log limit reached; later lines dropped\n", utc_now()).as_bytes(),
            )
        } else {
            file.write_all(text.as_bytes())
        };
        // A full disk must not stop the proxy; the line is lost.
        let _ = res;
    }
}

/// Keep printable ASCII that cannot break the line format; replace the rest.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .take(300)
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

fn open_dir_nofollow(dir: &Path) -> io::Result<OwnedFd> {
    if !dir.is_absolute() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: the log directory must be absolute", dir.display()),
        ));
    }
    let open = |at: libc::c_int, name: &OsStr| -> io::Result<OwnedFd> {
        let c = CString::new(name.as_bytes()).map_err(io::Error::other)?;
        // SAFETY: openat with a valid descriptor (or AT_FDCWD) and C string.
        let fd = unsafe {
            libc::openat(
                at,
                c.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            Err(io::Error::last_os_error())
        } else {
            // SAFETY: a fresh descriptor.
            Ok(unsafe { OwnedFd::from_raw_fd(fd) })
        }
    };
    // Every component is checked before any directory is created.
    if dir
        .components()
        .any(|c| !matches!(c, Component::RootDir | Component::Normal(_)))
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: `.` or `..` in the log directory", dir.display()),
        ));
    }
    let mut cur = open(libc::AT_FDCWD, OsStr::new("/"))?;
    let mut walked = PathBuf::from("/");
    for comp in dir.components() {
        let name = match comp {
            Component::RootDir => continue,
            Component::Normal(n) => n,
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{}: `.` or `..` in the log directory", dir.display()),
                ));
            }
        };
        walked.push(name);
        let next = match open(cur.as_raw_fd(), name) {
            Ok(fd) => fd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let c = CString::new(name.as_bytes()).map_err(io::Error::other)?;
                // SAFETY: mkdirat with a valid descriptor and C string.
                let r = unsafe { libc::mkdirat(cur.as_raw_fd(), c.as_ptr(), 0o700) };
                if r < 0 {
                    let e = io::Error::last_os_error();
                    if e.kind() != io::ErrorKind::AlreadyExists {
                        return Err(io::Error::new(
                            e.kind(),
                            format!("{}: {e}", walked.display()),
                        ));
                    }
                }
                open(cur.as_raw_fd(), name)
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", walked.display())))?
            }
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("{}: {e} (a symlink here is refused)", walked.display()),
                ));
            }
        };
        cur = next;
    }
    Ok(cur)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `YYYY-MM-DDTHH:MM:SSZ` for now.
pub fn utc_now() -> String {
    utc(now_secs())
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time (proleptic Gregorian, days-from-civil inverse).
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_798_731_969), "2026-12-31T15:46:09Z");
        assert_eq!(utc(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn sanitize_keeps_one_line() {
        assert_eq!(sanitize("a\nb\r\x1b[31mc"), "a?b??[31mc");
    }

    #[test]
    fn the_log_refuses_a_symlinked_directory() {
        let base = std::env::temp_dir().join(format!("jailgen-net-log-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("real")).unwrap();
        std::os::unix::fs::symlink(base.join("real"), base.join("link")).unwrap();
        assert!(SessionLog::create(&base.join("link/sub"), "j").is_err());
        assert!(
            std::fs::read_dir(base.join("real"))
                .unwrap()
                .next()
                .is_none()
        );
        // `..` is refused before anything on the way is created (red-team).
        assert!(SessionLog::create(&base.join("real/sub/../x"), "j").is_err());
        assert!(!base.join("real/sub").exists());
        let log = SessionLog::create(&base.join("made/here"), "my jail").unwrap();
        log.line("deny", "evil.test:443", "not in the allowlist");
        let text = std::fs::read_to_string(log.path()).unwrap();
        assert!(
            text.ends_with(" deny evil.test:443 not in the allowlist\n"),
            "{text}"
        );
        assert!(
            log.path()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("my_jail-")
        );
        std::fs::remove_dir_all(&base).unwrap();
    }
}
