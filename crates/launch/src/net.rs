//! The network modes that need a helper process (issue 10): `network: true` with a
//! `netStack`, and allowlists. All of it is crates/net (jailgen-net); this module maps the
//! policy onto it and places its bwrap options. POLICY.md "Network v2".

use jailgen_net::{Backend, Mode, Network as Net, Options, Rules};
use jailgen_policy::{NetStack, Network, Policy};
use std::path::PathBuf;

use crate::refuse::Stop;

/// Where an allowlist's session logs go: `$XDG_STATE_HOME` (when absolute), else
/// `$HOME/.local/state`, then `jailgen/network`. Its refusals are always logged: an allowlist
/// jail without a place for the log is refused. The launcher asks before it writes anything
/// (state paths), and again when it prepares the network.
pub fn log_dir(
    policy: &Policy,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<PathBuf>, Stop> {
    let state = var("XDG_STATE_HOME")
        .filter(|d| d.starts_with('/'))
        .map(PathBuf::from)
        .or_else(|| {
            var("HOME")
                .filter(|h| h.starts_with('/'))
                .map(|h| PathBuf::from(h).join(".local/state"))
        });
    if matches!(policy.network, Network::Allow { .. }) && state.is_none() {
        return Err(Stop::Network(
            "the allowlist's session log has no place: HOME and XDG_STATE_HOME are unset or not absolute paths; set HOME to your home directory".into(),
        ));
    }
    Ok(state.map(|s| s.join("jailgen/network")))
}

/// `None` for the modes bwrap handles alone (`false`, `"host"`).
pub fn prepare(policy: &Policy, var: &dyn Fn(&str) -> Option<String>) -> Result<Option<Net>, Stop> {
    let mode = match &policy.network {
        Network::Shared | Network::Isolated => return Ok(None),
        Network::Internet { host_ports } => Mode::Internet {
            host_ports: host_ports.clone(),
        },
        Network::Allow { allow, host_ports } => Mode::Allow {
            rules: Rules::parse(allow).map_err(|e| {
                Stop::Network(format!(
                    "{e}; fix the jail's `network.allow` and rebuild it"
                ))
            })?,
            host_ports: host_ports.clone(),
        },
    };
    let backend = match &policy.net_stack {
        Some(NetStack::Pasta(p)) => Backend::Pasta(p.into()),
        Some(NetStack::Slirp4netns(p)) => Backend::Slirp4netns(p.into()),
        // Allowlist mode runs no stack; the value is not used.
        None => Backend::Slirp4netns(PathBuf::from("/nonexistent")),
    };
    let opts = Options {
        backend,
        log_dir: log_dir(policy, var)?,
        name: policy.name.clone(),
        times: var(jailgen_net::LAUNCH_TIMES_VAR).as_deref() == Some("1"),
    };
    Net::prepare(mode, opts)
        .map(Some)
        .map_err(|e| Stop::Network(e.to_string()))
}
