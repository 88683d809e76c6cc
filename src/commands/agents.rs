//! `jailgen agents`: the presets.

use super::emit_stdout;
use crate::cli::Format;
use crate::{Error, Outcome, explain};

pub fn run(format: Format) -> Result<Outcome, Error> {
    let text = match format {
        Format::Text => explain::agents_text(),
        Format::Json => explain::agents_json()?,
    };
    emit_stdout(text.as_bytes())?;
    Ok(Outcome::Ok)
}
