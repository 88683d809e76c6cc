//! One file per subcommand; each takes its parsed arguments and returns how it ended. The
//! helpers they share (loading with warnings, writing to stdout, naming files) live here.

pub mod agents;
pub mod check;
pub mod completions;
pub mod explain;
pub mod init;
pub mod man;
pub mod render;
pub mod schema;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::{Error, Loaded, error};

/// Loads a spec; prints its warnings to stderr, or fails with them under `--deny-warnings`.
pub(crate) fn load_linted(path: &Path, deny_warnings: bool) -> Result<Loaded, Error> {
    let mut loaded = crate::load(path)?;
    if let Some(w) = loaded.warnings.take() {
        if deny_warnings {
            return Err(w.into());
        }
        let mut err = anstream::stderr();
        let color = anstream::AutoStream::choice(&io::stderr()) != anstream::ColorChoice::Never;
        let _ = write!(err, "{}", error::render_report(&w, color));
    }
    Ok(loaded)
}

/// Spec → checked `jails.nix` text, for a command that exits right after: the model is not
/// freed (at 10 000 jails the destructors took longer than the operating system needs to take
/// the memory back).
pub(crate) fn render_for_exit(loaded: Loaded, header_name: &str) -> Result<String, Error> {
    // The spec's text is not needed past validation (the model owns its strings).
    let Loaded { spec, source, .. } = loaded;
    drop(source);
    let model = crate::model::from_resolved(spec)?;
    let text = crate::render::render_jails(&model, header_name)?;
    std::mem::forget(model);
    Ok(text)
}

/// The spec name written in the header: relative to the output file's directory when both live
/// in the same directory (so `render` and `check` agree whatever the working directory), else as
/// given on the command line.
pub(crate) fn header_name(spec: &Path, output: Option<&Path>) -> String {
    let parent = |p: &Path| {
        p.parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    if let Some(out) = output
        && parent(spec) == parent(out)
        && let Some(name) = spec.file_name()
    {
        return name.to_string_lossy().into_owned();
    }
    shown_path(spec)
}

pub(crate) fn shown_path(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

pub(crate) fn render_hint_args(spec: &Path, output: &Path) -> String {
    let mut args = Vec::new();
    if spec != Path::new("jails.yaml") {
        args.push(shell_word(&spec.display().to_string()));
    }
    args.push("-o".to_owned());
    args.push(shell_word(&output.display().to_string()));
    args.join(" ")
}

/// A word the shell reads back as `s`: bare when it is plainly safe, otherwise single-quoted.
pub(crate) fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./+=:@%,".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Writes to stdout; a closed pipe (`jailgen render | head`) is not an error.
pub(crate) fn emit_stdout(bytes: &[u8]) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Write {
            path: "<stdout>".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_the_spec_relative_to_the_output() {
        assert_eq!(
            header_name(Path::new("x/jails.yaml"), Some(Path::new("x/jails.nix"))),
            "jails.yaml"
        );
        assert_eq!(
            header_name(Path::new("./jails.yaml"), Some(Path::new("jails.nix"))),
            "jails.yaml"
        );
        assert_eq!(
            header_name(Path::new("a/j.yaml"), Some(Path::new("b/j.nix"))),
            "a/j.yaml"
        );
        assert_eq!(header_name(Path::new("a/j.yaml"), None), "a/j.yaml");
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("jails.nix"), "jails.nix");
        assert_eq!(shell_word("my jails.nix"), "'my jails.nix'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
