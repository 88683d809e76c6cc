//! Drift detection: compare what `render` would write with the file on disk. Never writes.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use crate::error::Error;

/// The state of an output file relative to the rendered text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    UpToDate,
    /// The file differs; `diff` is a unified diff from the file to the rendered text.
    Stale {
        diff: String,
    },
    /// The file does not exist; `diff` adds every rendered line.
    Missing {
        diff: String,
    },
}

/// Compares `path` with `rendered`. `shown_name` is used in the diff headers (`a/…`, `b/…`).
/// An up-to-date file is compared in chunks as it is read (a 10 MB `jails.nix` is not held in
/// memory twice); only a stale one is read whole, for its diff.
pub fn compare(path: &Path, shown_name: &str, rendered: &str) -> Result<Drift, Error> {
    let read_error = |source| Error::Read {
        path: path.display().to_string(),
        source,
    };
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Drift::Missing {
                diff: unified_diff("", rendered, shown_name),
            });
        }
        Err(e) => return Err(read_error(e)),
    };
    if same_bytes(file, rendered.as_bytes()).map_err(read_error)? {
        return Ok(Drift::UpToDate);
    }
    let bytes = fs::read(path).map_err(read_error)?;
    Ok(Drift::Stale {
        diff: unified_diff(&String::from_utf8_lossy(&bytes), rendered, shown_name),
    })
}

/// Whether the reader yields exactly `expected`, read in chunks.
fn same_bytes(mut file: impl Read, expected: &[u8]) -> io::Result<bool> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut at = 0;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => return Ok(at == expected.len()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if expected.get(at..at + n) != Some(&buf[..n]) {
            return Ok(false);
        }
        at += n;
    }
}

/// A unified diff with `--- a/NAME` / `+++ b/NAME` headers and 3 lines of context.
pub fn unified_diff(old: &str, new: &str, name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// Colours a unified diff line by line (git's colours). The caller writes it through an
/// `anstream` stream, which strips the colour when it is not a terminal or NO_COLOR is set.
pub fn colourise(diff: &str) -> String {
    use anstyle::{AnsiColor, Style};
    let bold = Style::new().bold();
    let red = Style::new().fg_color(Some(AnsiColor::Red.into()));
    let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let cyan = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
    let mut out = String::with_capacity(diff.len() * 2);
    for line in diff.split_inclusive('\n') {
        let style = if line.starts_with("---") || line.starts_with("+++") {
            Some(bold)
        } else if line.starts_with('-') {
            Some(red)
        } else if line.starts_with('+') {
            Some(green)
        } else if line.starts_with("@@") {
            Some(cyan)
        } else {
            None
        };
        match style {
            Some(s) => {
                let body = line.strip_suffix('\n').unwrap_or(line);
                out.push_str(&format!("{s}{body}{s:#}"));
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_has_git_style_headers() {
        let d = unified_diff("a\nb\n", "a\nc\n", "jails.nix");
        assert!(d.starts_with("--- a/jails.nix\n+++ b/jails.nix\n@@"), "{d}");
        assert!(d.contains("-b\n+c\n"), "{d}");
    }

    #[test]
    fn colour_wraps_lines_but_keeps_text() {
        let d = unified_diff("a\nb\n", "a\nc\n", "jails.nix");
        let c = colourise(&d);
        assert_ne!(c, d);
        assert!(c.contains("\u{1b}["));
        let stripped: String = anstream::adapter::strip_str(&c).to_string();
        assert_eq!(stripped, d);
    }

    #[test]
    fn chunked_comparison_sees_every_difference() {
        let text: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
        let b = text.as_bytes();
        assert!(same_bytes(b, b).expect("read"));
        assert!(!same_bytes(&b[..b.len() - 1], b).expect("read"), "shorter");
        let mut longer = b.to_vec();
        longer.push(b'x');
        assert!(!same_bytes(longer.as_slice(), b).expect("read"), "longer");
        let mut changed = b.to_vec();
        changed[b.len() - 2] ^= 1;
        assert!(
            !same_bytes(changed.as_slice(), b).expect("read"),
            "last chunk"
        );
        changed = b.to_vec();
        changed[70_000] ^= 1;
        assert!(
            !same_bytes(changed.as_slice(), b).expect("read"),
            "second chunk"
        );
    }
}
