//! `jailgen check [SPEC] [-o FILE]`: exit 1 with a diff when the file is not what `render`
//! would write. Never writes.

use std::io::{self, Write};
use std::path::Path;

use super::{header_name, load_linted, render_for_exit, render_hint_args, shown_path};
use crate::check::{self, Drift};
use crate::{Error, Outcome};

pub fn run(spec: &Path, output: &Path, deny_warnings: bool) -> Result<Outcome, Error> {
    let loaded = load_linted(spec, deny_warnings)?;
    let text = render_for_exit(loaded, &header_name(spec, Some(output)))?;
    let shown = shown_path(output);
    let (diff, state) = match check::compare(output, &shown, &text)? {
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
        render_hint_args(spec, output)
    );
    Ok(Outcome::Drift)
}
