//! Refusals: one line on stderr, exit code 125, never a trace (crates/POLICY.md).

use std::fmt;

/// Why the launcher will not start the jail.
#[derive(Debug)]
pub enum Stop {
    /// ``jailgen: refusing to start: <what>: <why>; <how to proceed>``
    Refuse {
        what: String,
        why: String,
        fix: String,
    },
    /// ``jailgen: bug in jailgen: <what>``: a broken policy file or bwrap argv.
    Bug(String),
}

pub const EXIT: i32 = 125;

pub fn refuse(what: impl Into<String>, why: impl Into<String>, fix: impl Into<String>) -> Stop {
    Stop::Refuse {
        what: what.into(),
        why: why.into(),
        fix: fix.into(),
    }
}

pub fn bug(what: impl Into<String>) -> Stop {
    Stop::Bug(what.into())
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Refuse { what, why, fix } => {
                write!(f, "jailgen: refusing to start: {what}: {why}; {fix}")
            }
            Stop::Bug(what) => write!(f, "jailgen: bug in jailgen: {what}"),
        }
    }
}

/// A path in a message: in backticks, with a newline shown as `\n` so the refusal stays
/// one line.
pub fn q(path: &str) -> String {
    format!("`{}`", path.replace('\n', "\\n"))
}

/// A warning: one line on stderr; the launch goes on.
pub fn warn(msg: &str) {
    eprintln!("jailgen: warning: {}", msg.replace('\n', "\\n"));
}
