//! Writing outputs: atomically (temp file in the same directory, then rename), and never over a
//! file jailgen did not generate.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use crate::error::Error;
use crate::render::GENERATED_MARKER;

/// Writes `contents` to `path` atomically: a crash or error leaves the old file as it was.
pub fn write_atomic(path: &Path, contents: &str) -> Result<(), Error> {
    let err = |source: io::Error| Error::Write {
        path: path.display().to_string(),
        source,
    };
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
        fs::rename(&tmp_path, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp_path);
        return Err(err(e));
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
