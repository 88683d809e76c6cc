//! `jailgen man`: the man page.

use clap::CommandFactory;

use super::emit_stdout;
use crate::cli::Cli;
use crate::{Error, Outcome};

pub fn run() -> Result<Outcome, Error> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .map_err(|e| Error::bug(format!("man page: {e}")))?;
    emit_stdout(&buf)?;
    Ok(Outcome::Ok)
}
