//! The `jailgen` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = jailgen::cli::Cli::parse();
    match jailgen::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(err) => {
            let color =
                anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
            eprint!("{}", jailgen::error::render_report(&err, color));
            ExitCode::from(err.exit_code())
        }
    }
}
