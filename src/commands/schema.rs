//! `jailgen schema`: the JSON Schema of `jails.yaml`.

use super::emit_stdout;
use crate::{Error, Outcome};

pub fn run() -> Result<Outcome, Error> {
    emit_stdout(text()?.as_bytes())?;
    Ok(Outcome::Ok)
}

/// `jailgen schema`'s output: the committed `jails.schema.json`, byte for byte.
pub fn text() -> Result<String, Error> {
    serde_json::to_string_pretty(&crate::spec::json_schema())
        .map(|s| s + "\n")
        .map_err(|e| Error::bug(format!("schema: {e}")))
}
