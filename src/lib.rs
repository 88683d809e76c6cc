//! jailgen: `jails.yaml` → validated model → `jails.nix`.
//!
//! The pipeline is **spec → validate → model → render → selfcheck**, then `check` or `write`.
//! Each phase consumes the previous phase's type; [`run`] is the only place that chains them.
//!
//! Stable library API (used by tests, benches, fuzzers and later commands):
//! - [`parse_and_validate`]`(src, display) -> Result<resolve::Resolved, Error>`: YAML + every rule;
//!   lint warnings do not fail it.
//! - [`parse_and_check`]`(src, display) -> Result<Checked, Error>`: the same, keeping the warnings.
//! - [`load`]`(path) -> Result<Loaded, Error>`: the same, reading a file.
//! - [`explain::explain`]`(&Model, &[names]) -> Result<explain::Explanation, Error>`.
//! - [`model::build`]`(&Spec) -> Result<model::Model, Error>`: jails in spec order, effective fields.
//! - [`model::Jail::args`]: the library arguments that differ from their defaults.
//! - [`render::render_jails`]`(&Model, spec_display_name) -> Result<String, Error>`.
//! - [`selfcheck::check`]`(file_name, text)`: rnix parse of rendered text.
//! - [`generate`]`(src, display) -> Result<String, Error>`: all of the above, in memory.

pub mod check;
pub mod cli;
pub mod error;
pub mod explain;
pub mod exposure;
pub mod model;
pub mod presets;
pub mod render;
pub mod resolve;
pub mod rules;
pub mod selfcheck;
pub mod spec;
pub mod suggest;
pub mod validate;
pub mod write;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::check::Drift;
use crate::cli::{Cli, Command, Format};
pub use crate::error::Error;
use crate::error::SpecErrors;

/// How a successful command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// exit 0
    Ok,
    /// exit 1: `check` found the output stale or missing
    Drift,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Ok => error::EXIT_OK,
            Outcome::Drift => error::EXIT_DRIFT,
        }
    }
}

/// A spec read from disk and validated.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub source: String,
    pub spec: resolve::Resolved,
    /// Lint warnings (printed by `run`; errors under `--deny-warnings`).
    pub warnings: Option<SpecErrors>,
}

/// A valid spec and the lint warnings it raised.
#[derive(Debug)]
pub struct Checked {
    pub spec: resolve::Resolved,
    pub warnings: Option<SpecErrors>,
}

/// Parses YAML text and runs every validation rule. `display` names the file in diagnostics.
/// Warnings alone do not fail it; when there are errors, the report holds the warnings too.
pub fn parse_and_check(src: &str, display: &str) -> Result<Checked, Error> {
    let spec::Decoded { spec, mut errors } = spec::decode(src, display);
    let Some(spec) = spec else {
        return Err(SpecErrors::new(display, src, errors).map_or_else(
            || Error::bug("a YAML error produced no diagnostic"),
            Error::from,
        ));
    };
    let yaml_problems = !errors.is_empty();
    let spec = resolve::resolve(spec);
    errors.extend(validate::check(&spec));
    match SpecErrors::new(display, src, errors) {
        Some(found) if yaml_problems || !found.only_warnings() => Err(found.into()),
        warnings => Ok(Checked { spec, warnings }),
    }
}

/// [`parse_and_check`] without the warnings.
pub fn parse_and_validate(src: &str, display: &str) -> Result<resolve::Resolved, Error> {
    parse_and_check(src, display).map(|c| c.spec)
}

/// Reads and validates a spec file.
pub fn load(path: &Path) -> Result<Loaded, Error> {
    let source = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    let Checked { spec, warnings } = parse_and_check(&source, &path.display().to_string())?;
    Ok(Loaded {
        path: path.to_owned(),
        source,
        spec,
        warnings,
    })
}

/// Loads a spec; prints its warnings to stderr, or fails with them under `--deny-warnings`.
fn load_linted(path: &Path, deny_warnings: bool) -> Result<Loaded, Error> {
    let mut loaded = load(path)?;
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

/// Spec text → checked `jails.nix` text. `display` names the spec in diagnostics and in the
/// rendered header.
pub fn generate(src: &str, display: &str) -> Result<String, Error> {
    let spec = parse_and_validate(src, display)?;
    render_checked(&spec, display)
}

fn render_checked(spec: &resolve::Resolved, header_name: &str) -> Result<String, Error> {
    let model = model::build(spec)?;
    render::render_jails(&model, header_name)
}

/// Runs one command. Printing of errors is left to the caller (`main`).
pub fn run(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        Command::Render {
            spec,
            output,
            deny_warnings,
        } => {
            let loaded = load_linted(&spec, deny_warnings)?;
            let text = render_checked(&loaded.spec, &header_name(&spec, output.as_deref()))?;
            match output {
                Some(out) => {
                    write::ensure_generated_or_absent(&out)?;
                    write::write_atomic(&out, &text)?;
                }
                None => emit_stdout(text.as_bytes())?,
            }
            Ok(Outcome::Ok)
        }
        Command::Check {
            spec,
            output,
            deny_warnings,
        } => {
            let loaded = load_linted(&spec, deny_warnings)?;
            let text = render_checked(&loaded.spec, &header_name(&spec, Some(&output)))?;
            let shown = shown_path(&output);
            let (diff, state) = match check::compare(&output, &shown, &text)? {
                Drift::UpToDate => return Ok(Outcome::Ok),
                Drift::Stale { diff } => (diff, "is out of date"),
                Drift::Missing { diff } => (diff, "is missing"),
            };
            let mut out = anstream::stdout();
            match out.write_all(check::colourise(&diff).as_bytes()) {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    return Err(Error::Write {
                        path: "<stdout>".into(),
                        source: e,
                    });
                }
                _ => {}
            }
            let _ = out.flush();
            let mut err = anstream::stderr();
            let _ = writeln!(
                err,
                "`{shown}` {state}\nrun: jailgen render {}",
                render_hint_args(&spec, &output)
            );
            Ok(Outcome::Drift)
        }
        Command::Init {
            dir,
            agents,
            force,
            jailgen_url,
        } => init(&dir, agents, force, &jailgen_url),
        Command::Explain {
            args,
            format,
            deny_warnings,
        } => {
            let (spec, jails) = spec_and_jails(args);
            let loaded = load_linted(&spec, deny_warnings)?;
            let model = model::build(&loaded.spec)?;
            let explanation = explain::explain(&model, &jails)?;
            let text = match format {
                Format::Text => explain::text(&explanation),
                Format::Json => explain::json(&explanation)?,
            };
            emit_stdout(text.as_bytes())?;
            Ok(Outcome::Ok)
        }
        Command::Schema => {
            let text = schema_text()?;
            emit_stdout(text.as_bytes())?;
            Ok(Outcome::Ok)
        }
        Command::Agents { format } => {
            let text = match format {
                Format::Text => explain::agents_text(),
                Format::Json => explain::agents_json()?,
            };
            emit_stdout(text.as_bytes())?;
            Ok(Outcome::Ok)
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "jailgen", &mut buf);
            emit_stdout(&buf)?;
            Ok(Outcome::Ok)
        }
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut buf)
                .map_err(|e| Error::bug(format!("man page: {e}")))?;
            emit_stdout(&buf)?;
            Ok(Outcome::Ok)
        }
    }
}

/// `explain [SPEC] [JAIL]...`: the first word is the spec when it looks like a file (ends in
/// `.yaml` or `.yml`, holds a `/`, or exists); jail names never hold `/`.
fn spec_and_jails(mut args: Vec<String>) -> (PathBuf, Vec<String>) {
    let is_spec = args.first().is_some_and(|a| {
        a.ends_with(".yaml") || a.ends_with(".yml") || a.contains('/') || Path::new(a).is_file()
    });
    if is_spec {
        let spec = args.remove(0);
        (PathBuf::from(spec), args)
    } else {
        (PathBuf::from("jails.yaml"), args)
    }
}

/// `jailgen schema`'s output: the committed `jails.schema.json`, byte for byte.
pub fn schema_text() -> Result<String, Error> {
    serde_json::to_string_pretty(&spec::json_schema())
        .map(|s| s + "\n")
        .map_err(|e| Error::bug(format!("schema: {e}")))
}

fn init(dir: &Path, agents: Vec<String>, force: bool, jailgen_url: &str) -> Result<Outcome, Error> {
    let mut chosen: Vec<String> = Vec::new();
    for a in agents {
        if presets::preset(&a).is_none() {
            let known = presets::presets().keys().map(String::as_str);
            let list = known.clone().collect::<Vec<_>>().join(", ");
            return Err(Error::UnknownInitAgent {
                help: match rules::did_you_mean(&a, known) {
                    Some(s) => format!("did you mean `{s}`? known presets: {list}"),
                    None => format!("known presets: {list}"),
                },
                name: validate::shown(&a),
            });
        }
        if !chosen.contains(&a) {
            chosen.push(a);
        }
    }
    if chosen.is_empty() {
        chosen.push(presets::POPULAR_PRESET.to_owned());
    }
    let starter = render::render_starter(&chosen)?;
    // The starter must pass our own pipeline; if it does not, that is our bug.
    let jails = generate(&starter, "jails.yaml").map_err(|e| {
        Error::bug(format!(
            "the starter jails.yaml is invalid: {}",
            error::render_report(&e, false)
        ))
    })?;
    let flake = render::render_flake(jailgen_url)?;
    selfcheck::check("flake.nix", &flake)?;
    let files = [
        ("jails.yaml", starter),
        ("flake.nix", flake),
        ("jails.nix", jails),
    ];
    if !force {
        let existing: Vec<String> = files
            .iter()
            .map(|(name, _)| dir.join(name))
            .filter(|p| p.symlink_metadata().is_ok())
            .map(|p| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(Error::WouldOverwrite { files: existing });
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.display().to_string(),
        source,
    })?;
    let files: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|(name, text)| (dir.join(name), text))
        .collect();
    write::write_all_atomic(&files)?;
    let mut steps = format!(
        "wrote jails.yaml, flake.nix and jails.nix in `{}`\n\nnext steps:\n",
        dir.display()
    );
    if dir != Path::new(".") {
        steps.push_str(&format!(
            "  cd {}\n",
            shell_word(&dir.display().to_string())
        ));
    }
    steps.push_str("  git add jails.yaml flake.nix jails.nix   # flakes only see tracked files\n");
    steps.push_str("  nix develop\n");
    for a in &chosen {
        steps.push_str(&format!("  {}\n", presets::default_command_name(a)));
    }
    steps.push_str("edit jails.yaml, then run `jailgen render -o jails.nix`\n");
    emit_stdout(steps.as_bytes())?;
    Ok(Outcome::Ok)
}

/// The spec name written in the header: relative to the output file's directory when both live
/// in the same directory (so `render` and `check` agree whatever the working directory), else as
/// given on the command line.
fn header_name(spec: &Path, output: Option<&Path>) -> String {
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

fn shown_path(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

fn render_hint_args(spec: &Path, output: &Path) -> String {
    let mut args = Vec::new();
    if spec != Path::new("jails.yaml") {
        args.push(shell_word(&spec.display().to_string()));
    }
    args.push("-o".to_owned());
    args.push(shell_word(&output.display().to_string()));
    args.join(" ")
}

/// A word the shell reads back as `s`: bare when it is plainly safe, otherwise single-quoted.
fn shell_word(s: &str) -> String {
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
fn emit_stdout(bytes: &[u8]) -> Result<(), Error> {
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
