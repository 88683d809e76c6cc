//! Command-line syntax (clap derive types only: no file access, no spec types).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The flake `init` points `inputs.jailgen.url` at, unless `--jailgen-url` says otherwise.
pub const DEFAULT_JAILGEN_URL: &str = "github:jailgen/jailgen";

/// Where editors fetch the JSON Schema of `jails.yaml` (`jailgen schema` prints the same text,
/// committed as `jails.schema.json`). `init` writes it as the first line of `jails.yaml`:
/// `# yaml-language-server: $schema=<SCHEMA_URL>`.
pub const SCHEMA_URL: &str =
    "https://raw.githubusercontent.com/jailgen/jailgen/main/jails.schema.json";

/// Output format of the inspection commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// for people
    Text,
    /// for programs: a stable shape with a `version` field
    Json,
}

#[derive(Debug, Parser)]
#[command(
    name = "jailgen",
    version,
    about = "Declare bubblewrap jails for LLM coding agents in YAML; render, check and explain the Nix",
    propagate_version = true,
    after_help = "Examples:\n  jailgen init --agent claude-code     start a project\n  jailgen render -o jails.nix          regenerate jails.nix from jails.yaml\n  jailgen check                        in CI: fail when jails.nix is stale\n  jailgen explain                      what each jail can read, write and reach\n\nExit codes: 0 ok, 1 check found drift, 2 invalid spec or other error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render jails.nix from a spec, to stdout or to a file
    #[command(
        after_help = "Examples:\n  jailgen render                        print the Nix for ./jails.yaml\n  jailgen render -o jails.nix           write it (atomically)\n  jailgen render ci/jails.yaml -o ci/jails.nix"
    )]
    Render {
        /// The spec file
        #[arg(default_value = "jails.yaml")]
        spec: PathBuf,
        /// Write here instead of stdout (only over a missing or jailgen-generated file)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Treat lint warnings as errors (exit 2, nothing written)
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Exit 1 with a diff when a rendered file is stale or missing
    #[command(
        after_help = "Examples:\n  jailgen check                         compare ./jails.nix with ./jails.yaml\n  jailgen check ci/jails.yaml -o ci/jails.nix\n\nExit codes: 0 up to date, 1 stale or missing (diff on stdout), 2 invalid spec."
    )]
    Check {
        /// The spec file
        #[arg(default_value = "jails.yaml")]
        spec: PathBuf,
        /// The rendered file to compare
        #[arg(short, long, value_name = "FILE", default_value = "jails.nix")]
        output: PathBuf,
        /// Treat lint warnings as errors (exit 2)
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Say in words what each jail allows: reads, writes, network, env, PATH, risks
    #[command(
        after_help = "Examples:\n  jailgen explain                       every jail in ./jails.yaml\n  jailgen explain jails.yaml jailed-claude-code\n  jailgen explain --format json         the same as JSON (shape: `\"version\": 1`)\n\nLint: a grant (readonly, readwrite, config_paths) that is, contains or lies inside a\nsensitive location (~/.ssh, ~/.config/gh, /etc, ...) is an error unless the jail names\nthat location in `allow_exposure`. Warnings: forwarding a credential-looking variable\nthe preset does not read; network with `nix: true`; `network: host`; a read-write single file (decided\nstatically: the last path segment has a file extension)."
    )]
    Explain {
        /// `[SPEC] [JAIL]...`: the first word is the spec file when it ends in `.yaml`/`.yml`,
        /// contains `/` or names an existing file (default: jails.yaml); the rest are jails
        /// (default: all, in spec order)
        #[arg(value_name = "SPEC_OR_JAIL")]
        args: Vec<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Treat lint warnings as errors (exit 2)
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print the JSON Schema (draft 2020-12) of jails.yaml
    #[command(
        after_help = "Example:\n  jailgen schema > jails.schema.json\n\nEditors with yaml-language-server use it through the first line `init` writes:\n  # yaml-language-server: $schema=https://raw.githubusercontent.com/jailgen/jailgen/main/jails.schema.json"
    )]
    Schema,
    /// List the agent presets: command, package, binary, state paths, env, caveats
    #[command(after_help = "Examples:\n  jailgen agents\n  jailgen agents --format json")]
    Agents {
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write a starter jails.yaml, flake.nix and jails.nix
    #[command(
        after_help = "Examples:\n  jailgen init                          one jail for claude-code in .\n  jailgen init my-agents --agent codex --agent opencode\n  jailgen init --force                  overwrite existing files"
    )]
    Init {
        /// The directory to write into (created when missing)
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// A preset to add a jail for (repeatable); default: claude-code
        #[arg(long = "agent", value_name = "PRESET")]
        agents: Vec<String>,
        /// Overwrite existing files (all three are written to temp files first, then renamed, so
        /// a failure while writing leaves every old file intact)
        #[arg(long)]
        force: bool,
        /// The jailgen flake URL for flake.nix
        #[arg(long, value_name = "URL", default_value = DEFAULT_JAILGEN_URL)]
        jailgen_url: String,
    },
    /// Print a shell completion script
    #[command(
        after_help = "Example:\n  jailgen completions bash > ~/.local/share/bash-completion/completions/jailgen"
    )]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    #[command(hide = true)]
    Man,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
