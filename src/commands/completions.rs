//! `jailgen completions SHELL`.

use clap::CommandFactory;

use super::emit_stdout;
use crate::cli::Cli;
use crate::{Error, Outcome};

pub fn run(shell: clap_complete::Shell) -> Result<Outcome, Error> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "jailgen", &mut buf);
    emit_stdout(&buf)?;
    Ok(Outcome::Ok)
}
