//! Writing outputs: atomically (temp file in the same directory, then rename), and never over a
//! file jailgen did not generate.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use crate::error::Error;
use crate::render::GENERATED_MARKER;

/// A temp file written and synced next to its target, waiting to be renamed over it.
struct Staged {
    tmp: std::path::PathBuf,
    target: std::path::PathBuf,
}

fn write_error(path: &Path, source: io::Error) -> Error {
    Error::Write {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `contents` to a new temp file in `path`'s directory, synced, with the permissions of
/// the file it will replace.
fn stage(path: &Path, contents: &str) -> Result<Staged, Error> {
    let err = |source: io::Error| write_error(path, source);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file_name = path.file_name().ok_or_else(|| {
        err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file path",
        ))
    })?;
    // Keep the existing file's permissions (a committed jails.nix is usually 0644).
    let perms = fs::metadata(path).ok().map(|m| m.permissions());
    let mut n = 0u32;
    let (tmp_path, mut tmp) = loop {
        let candidate = dir.join(format!(
            ".{}.jailgen-{}-{n}.tmp",
            file_name.to_string_lossy(),
            std::process::id()
        ));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(f) => break (candidate, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(err(e)),
        }
    };
    let result = (|| {
        tmp.write_all(contents.as_bytes())?;
        tmp.sync_all()?;
        if let Some(p) = perms {
            fs::set_permissions(&tmp_path, p)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp_path);
        return Err(err(e));
    }
    Ok(Staged {
        tmp: tmp_path,
        target: path.to_owned(),
    })
}

/// Writes `contents` to `path` atomically: a crash or error leaves the old file as it was.
pub fn write_atomic(path: &Path, contents: &str) -> Result<(), Error> {
    write_all_atomic(&[(path.to_owned(), contents.to_owned())])
}

/// Writes several files: every temp file is written and synced first, then all are renamed.
/// A failure while writing the temp files (disk full, permissions) leaves every old file intact
/// and removes the temp files. The remaining window is the renames themselves: when one of them
/// fails (or the process dies between two), the files renamed before it are already new.
pub fn write_all_atomic(files: &[(std::path::PathBuf, String)]) -> Result<(), Error> {
    let mut staged: Vec<Staged> = Vec::new();
    for (path, contents) in files {
        match stage(path, contents) {
            Ok(s) => staged.push(s),
            Err(e) => {
                for s in &staged {
                    let _ = fs::remove_file(&s.tmp);
                }
                return Err(e);
            }
        }
    }
    let mut pending = staged.iter();
    while let Some(s) = pending.next() {
        if let Err(e) = fs::rename(&s.tmp, &s.target) {
            let _ = fs::remove_file(&s.tmp);
            for rest in pending {
                let _ = fs::remove_file(&rest.tmp);
            }
            return Err(write_error(&s.target, e));
        }
    }
    Ok(())
}

/// `render -o` only replaces a file that is missing, empty, or starts with the generated marker.
pub fn ensure_generated_or_absent(path: &Path) -> Result<(), Error> {
    match fs::read(path) {
        Ok(bytes) if bytes.is_empty() || bytes.starts_with(GENERATED_MARKER.as_bytes()) => Ok(()),
        Ok(_) => Err(Error::NotGenerated {
            path: path.display().to_string(),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(Error::Read {
            path: path.display().to_string(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("jails.nix");
        fs::write(&p, "old").expect("seed");
        write_atomic(&p, "new").expect("write");
        assert_eq!(fs::read_to_string(&p).expect("read"), "new");
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 1);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        // The target is a directory: rename fails, and the directory must survive untouched.
        let p = dir.path().join("jails.nix");
        fs::create_dir(&p).expect("mkdir");
        fs::write(p.join("keep"), "x").expect("seed");
        assert!(write_atomic(&p, "new").is_err());
        assert_eq!(fs::read_to_string(p.join("keep")).expect("read"), "x");
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 1);
    }

    #[test]
    fn a_failure_before_the_renames_leaves_every_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.yaml");
        let b = dir.path().join("b.nix");
        fs::write(&a, "old a").expect("seed");
        fs::write(&b, "old b").expect("seed");
        // The second target's directory does not exist: staging it fails after the first
        // temp file was written.
        let missing = dir.path().join("no-such-dir").join("c.nix");
        let files = [
            (a.clone(), "new a".to_owned()),
            (b.clone(), "new b".to_owned()),
            (missing, "new c".to_owned()),
        ];
        assert!(write_all_atomic(&files).is_err());
        assert_eq!(fs::read_to_string(&a).expect("read"), "old a");
        assert_eq!(fs::read_to_string(&b).expect("read"), "old b");
        assert_eq!(
            fs::read_dir(dir.path()).expect("ls").count(),
            2,
            "temp files left"
        );
        write_all_atomic(&files[..2]).expect("write");
        assert_eq!(fs::read_to_string(&a).expect("read"), "new a");
        assert_eq!(fs::read_to_string(&b).expect("read"), "new b");
    }

    #[test]
    fn refuses_files_without_the_marker() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("flake.nix");
        fs::write(&p, "{ }\n").expect("seed");
        assert!(matches!(
            ensure_generated_or_absent(&p),
            Err(Error::NotGenerated { .. })
        ));
        fs::write(&p, format!("{GENERATED_MARKER} from x\n")).expect("seed");
        assert!(ensure_generated_or_absent(&p).is_ok());
    }
}
