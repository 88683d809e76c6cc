//! `jailgen render [SPEC] [-o FILE]`: the Nix, to stdout or (atomically, over a generated file
//! only) to a file.

use std::path::Path;

use super::{emit_stdout, header_name, load_linted, render_for_exit};
use crate::{Error, Outcome, write};

pub fn run(spec: &Path, output: Option<&Path>, deny_warnings: bool) -> Result<Outcome, Error> {
    let loaded = load_linted(spec, deny_warnings)?;
    let text = render_for_exit(loaded, &header_name(spec, output))?;
    match output {
        Some(out) => {
            write::ensure_generated_or_absent(out)?;
            write::write_atomic(out, &text)?;
        }
        None => emit_stdout(text.as_bytes())?,
    }
    Ok(Outcome::Ok)
}
