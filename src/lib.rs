//! jailgen: `jails.yaml` → resolved, validated jails → `jails.nix`.
//!
//! The pipeline, each phase consuming the previous phase's type and reaching back to none:
//!
//! ```text
//! spec::decode    text → Spec + YAML problems      (spec/: events, decoder, their diagnostics)
//! resolve         Spec → Resolved                  (defaults merged, paths normalised, presets found: once)
//! validate::check &Resolved → problems             (validate/: fields, exposure, lints)
//! model           Resolved → Model                 (effective settings, library arguments)
//! render          &Model → jails.nix text          (render/: direct writer, escaper, self-check)
//! ```
//!
//! [`parse_and_check`] and [`generate`] chain them; `commands/<name>.rs` holds each subcommand,
//! and [`run`] only picks one. Errors are data ([`error`]); `main` prints them.
//!
//! Stable library API (used by tests, benches, fuzzers):
//! - [`parse_and_validate`]`(src, display) -> Result<resolve::Resolved, Error>`: YAML + every
//!   rule; lint warnings do not fail it. [`parse_and_check`] keeps the warnings; [`load`] reads a
//!   file first.
//! - [`spec::parse`]`(src) -> Result<spec::Spec, spec::ParseError>`: the YAML alone.
//! - [`model::build`]`(&Resolved) -> Result<model::Model, Error>`; [`model::Jail::args`].
//! - [`render::render_jails`]`(&Model, spec_display_name) -> Result<String, Error>` (self-checked).
//! - [`selfcheck::check`]`(file_name, text)`: a full rnix parse of rendered text.
//! - [`generate`]`(src, display) -> Result<String, Error>`: all of the above, in memory.

pub mod check;
pub mod cli;
pub mod commands;
pub mod error;
pub mod explain;
pub mod exposure;
pub mod model;
pub mod presets;
pub mod render;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod selfcheck;
pub mod spec;
pub mod suggest;
pub mod validate;
pub mod write;

use std::path::{Path, PathBuf};

use crate::cli::{Cli, Command};
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

/// Spec text → checked `jails.nix` text. `display` names the spec in diagnostics and in the
/// rendered header.
pub fn generate(src: &str, display: &str) -> Result<String, Error> {
    let spec = parse_and_validate(src, display)?;
    render_checked(spec, display)
}

fn render_checked(spec: resolve::Resolved, header_name: &str) -> Result<String, Error> {
    let model = model::from_resolved(spec)?;
    render::render_jails(&model, header_name)
}

/// Runs one command. Printing of errors is left to the caller (`main`).
pub fn run(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        Command::Render {
            spec,
            output,
            deny_warnings,
        } => commands::render::run(&spec, output.as_deref(), deny_warnings),
        Command::Check {
            spec,
            output,
            deny_warnings,
        } => commands::check::run(&spec, &output, deny_warnings),
        Command::Init {
            dir,
            agents,
            force,
            jailgen_url,
        } => commands::init::run(&dir, agents, force, &jailgen_url),
        Command::Explain {
            args,
            format,
            deny_warnings,
        } => commands::explain::run(args, format, deny_warnings),
        Command::Schema => commands::schema::run(),
        Command::Agents { format } => commands::agents::run(format),
        Command::Completions { shell } => commands::completions::run(shell),
        Command::Man => commands::man::run(),
    }
}

/// `jailgen schema`'s output: the committed `jails.schema.json`, byte for byte.
pub fn schema_text() -> Result<String, Error> {
    commands::schema::text()
}
