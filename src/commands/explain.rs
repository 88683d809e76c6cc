//! `jailgen explain [SPEC] [JAIL]...`: what each jail can read, write and reach.

use std::path::{Path, PathBuf};

use super::{emit_stdout, load_linted};
use crate::cli::Format;
use crate::{Error, Outcome, explain, model};

pub fn run(args: Vec<String>, format: Format, deny_warnings: bool) -> Result<Outcome, Error> {
    let (spec, jails) = spec_and_jails(args);
    let loaded = load_linted(&spec, deny_warnings)?;
    let model = model::from_resolved(loaded.spec)?;
    let explanation = explain::explain(&model, &jails)?;
    let text = match format {
        Format::Text => explain::text(&explanation),
        Format::Json => explain::json(&explanation)?,
    };
    emit_stdout(text.as_bytes())?;
    Ok(Outcome::Ok)
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
