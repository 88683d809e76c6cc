//! The printing of an [`Explanation`] and of the [`Agents`] list: text for people, JSON for
//! tools. Reads the derived types only; decides nothing about what a jail may do.

use std::fmt::Write as _;

use super::derive::agents;
use super::types::*;
use crate::error::Error;
use crate::model::GitPolicy;

/// `--format json`: pretty, with a trailing newline.
pub fn json(e: &Explanation) -> Result<String, Error> {
    serde_json::to_string_pretty(e)
        .map(|s| s + "\n")
        .map_err(|err| Error::bug(format!("explain json: {err}")))
}

fn shown(s: &str) -> String {
    crate::validate::shown(s)
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items
            .iter()
            .map(|s| shown(s))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The human-readable form.
pub fn text(e: &Explanation) -> String {
    let mut out = String::new();
    for (i, j) in e.jails.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        jail_text(&mut out, j);
    }
    out
}

fn jail_text(out: &mut String, j: &JailExplanation) {
    let agent = match (&j.agent.preset, &j.agent.binary) {
        (Some(p), Some(b)) => format!("preset `{p}` (runs `{b}`), package {}", j.agent.package),
        _ => format!("custom agent, package {}", j.agent.package),
    };
    let _ = writeln!(out, "{}: {agent}", shown(&j.name));
    let _ = writeln!(out, "  command: {} [ARGS...]", shown(&j.name));
    let _ = writeln!(out, "  home: {}", j.home);
    for (path, why) in &j.not_persisted {
        let _ = writeln!(out, "  not kept at exit: {}: {why}", shown(path));
    }
    let _ = writeln!(
        out,
        "  visible file system: only the mounts below, the Nix store paths of the packages on PATH, /bin/sh, an empty /tmp, /proc, /dev, /etc/passwd and /etc/group, the time zone{}",
        if j.network {
            ", and the DNS files and CA bundle of the network"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "  mounts, in the order they are made (a later mount on the same place or a parent wins):"
    );
    let width = j
        .mounts
        .iter()
        .map(|m| shown(&m.path).chars().count())
        .max()
        .unwrap_or(0);
    for (n, m) in j.mounts.iter().enumerate() {
        let access = match m.access {
            Access::ReadOnly => "read-only ",
            Access::ReadWrite => "read-write",
        };
        let mut why = match m.source {
            Source::Readonly => "readonly".to_owned(),
            Source::WorkingDirectory => {
                "where you start the command; read-only grants inside it are bound again over it at launch"
                    .to_owned()
            }
            Source::State if crate::rules::names_a_file(&m.path) => {
                "agent state, created as an empty file when missing".to_owned()
            }
            Source::State => "agent state, created as a directory when missing".to_owned(),
            Source::Readwrite => "readwrite".to_owned(),
            Source::ReadonlyAgain => {
                "readonly, bound again after the read-write parent so it stays read-only".to_owned()
            }
            Source::Nix => "Nix daemon access".to_owned(),
            Source::GitConfig => "git_config".to_owned(),
        };
        if m.when == When::IfPresent {
            why.push_str(", when present on the host");
        }
        if let Some(s) = &m.shadowed_by {
            let _ = write!(why, "; SHADOWED by the later mount of {}", shown(s));
        }
        let path = shown(&m.path);
        let pad = width - path.chars().count();
        let _ = writeln!(out, "    {:>2}. {access}  {path}{:pad$}  {why}", n + 1, "");
    }
    let wd = &j.working_directory;
    let _ = writeln!(out, "  working directory guard: {}", wd.guard);
    let git = match wd.git {
        GitPolicy::Protect => "protect",
        GitPolicy::Open => "open",
    };
    let _ = writeln!(out, "  git ({git}): {}", wd.git_effect);
    if wd.hidden.is_empty() {
        let _ = writeln!(out, "  hidden in the working directory: nothing");
    } else {
        let _ = writeln!(
            out,
            "  hidden in the working directory (at launch; files become empty read-only files, directories empty): {}",
            list(&wd.hidden)
        );
        let _ = writeln!(out, "  not hidden: {}", wd.hidden_gaps);
    }
    let _ = writeln!(out, "  network: {}", j.network_effect);
    if j.network_mode == "allowlist" {
        let _ = writeln!(
            out,
            "  allowed through the proxy ({}): {}",
            j.network_allow.len(),
            list(&j.network_allow)
        );
    }
    if let Some(log) = &j.network_log {
        let _ = writeln!(
            out,
            "  network log (each session, every connection allowed or refused): {} (XDG_STATE_HOME counts when it is an absolute path)",
            shown(log)
        );
    }
    let _ = writeln!(
        out,
        "  nix daemon: {}",
        j.nix_daemon_effect.unwrap_or("off")
    );
    let _ = writeln!(
        out,
        "  environment: cleared; only these are set (literal values, written into the wrapper):"
    );
    for (k, v) in &j.env.set {
        let _ = writeln!(out, "    {}={}", shown(k), shown(v));
    }
    let _ = writeln!(
        out,
        "  forwarded from your environment when set: {}",
        list(&j.env.forwarded)
    );
    let _ = writeln!(
        out,
        "  on PATH: the agent ({}); extra: {}; common: {}{}",
        j.path.agent,
        list(&j.path.extra),
        list(&j.path.common),
        if j.path.nix { "; nix" } else { "" }
    );
    if j.combinators.is_empty() {
        let _ = writeln!(out, "  extra combinators: none");
    } else {
        let _ = writeln!(out, "  extra combinators:");
        for c in &j.combinators {
            let risk = if c.risk.is_empty() {
                String::new()
            } else {
                format!(" (risk: {})", c.risk)
            };
            let _ = writeln!(out, "    {}: {}{risk}", c.name, c.summary);
        }
    }
    let _ = writeln!(out, "  terminal: {}", j.terminal);
    let _ = writeln!(out, "  seccomp: {}", j.seccomp);
    if j.accepted_risks.is_empty() {
        let _ = writeln!(out, "  accepted exposure risks: none");
    } else {
        let _ = writeln!(out, "  accepted exposure risks (allow_exposure):");
        for r in &j.accepted_risks {
            let _ = writeln!(
                out,
                "    {} {} {} ({})",
                shown(&r.path),
                r.relation.verb(),
                r.location,
                r.reason
            );
        }
    }
    for c in &j.caveats {
        let _ = writeln!(out, "  caveat: {c}");
    }
}

pub fn agents_json() -> Result<String, Error> {
    serde_json::to_string_pretty(&agents())
        .map(|s| s + "\n")
        .map_err(|err| Error::bug(format!("agents json: {err}")))
}

pub fn agents_text() -> String {
    let mut out = String::new();
    let all = agents();
    for (i, a) in all.agents.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}{}", a.name, if a.unfree { " (unfree)" } else { "" });
        let _ = writeln!(out, "  command: {}", a.command);
        let _ = writeln!(out, "  package: {} (binary `{}`)", a.package, a.binary);
        let _ = writeln!(out, "  state (read-write, kept): {}", list(&a.state_paths));
        for (path, why) in &a.not_persisted {
            let _ = writeln!(out, "  not kept: {path}: {why}");
        }
        let env: Vec<String> = a.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let _ = writeln!(out, "  env: {}", list(&env));
        let _ = writeln!(out, "  credentials from: {}", list(&a.credential_env));
        let _ = writeln!(out, "  hosts (network set `agent`): {}", list(&a.hosts));
        let _ = writeln!(out, "  confidence: {}", a.confidence);
        for c in &a.caveats {
            let _ = writeln!(out, "  caveat: {c}");
        }
    }
    for s in &all.network_sets {
        let _ = writeln!(out, "\nnetwork set `{}`: {}", s.name, s.description);
        let _ = writeln!(out, "  hosts: {}", list(&s.hosts));
    }
    out
}
