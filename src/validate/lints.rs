//! Warnings: forwarded credentials the agent does not read, network with the Nix daemon, a
//! read-write single file, environment names that redirect or are overridden.

use super::shown;
use crate::error::SpecError;
use crate::exposure;
use crate::presets::Preset;
use crate::resolve::Jail;
use crate::rules;
use crate::spec::{NetworkSpec, span_of};

/// The variables the launcher sets to the jail's CA bundle when the network is on (the one
/// list, in the policy crate).
use jailgen_policy::env::CA_VARIABLES as NETWORK_CA_VARS;

pub fn check(jail: &Jail, errors: &mut Vec<SpecError>) {
    let f = &jail.fields;
    let preset = jail.preset.zip(jail.preset_name());
    for name in &f.forward_env {
        let n = &name.raw.value;
        if !exposure::looks_like_credential(n) || !rules::is_env_name(n) {
            continue;
        }
        let why = match preset {
            Some((p, _)) if p.credential_env.contains(n) => continue,
            Some((_, pname)) => format!("the `{pname}` preset does not read it"),
            None if jail.agent.is_some() => continue,
            None => "the jail runs a custom agent, which jailgen cannot check".to_owned(),
        };
        errors.push(SpecError::CredentialForward {
            name: n.clone(),
            why,
            span: span_of(&name.raw),
        });
    }
    for p in f.readwrite_grants().chain(&f.config_paths) {
        if let Ok(norm) = &p.value
            && rules::names_a_file(norm)
        {
            errors.push(SpecError::ReadwriteFile {
                path: shown(norm),
                span: span_of(&p.raw),
            });
        }
    }
    let nix = f.nix.as_ref().is_some_and(|n| n.value);
    let network = f.network_on();
    let allowlist = f
        .network
        .as_ref()
        .is_some_and(|n| n.spec.value.is_allowlist());
    env(jail, preset, nix, network, allowlist, errors);
    // Reported where it is written (in `defaults`: once, the duplicates are dropped).
    if let Some(n) = &f.network
        && n.spec.value == NetworkSpec::Host
    {
        errors.push(SpecError::HostNetwork {
            span: span_of(&n.spec),
        });
    }
    if let Some(n) = &f.nix
        && nix
        && network
    {
        errors.push(SpecError::NetworkWithNix { span: span_of(n) });
    }
}

/// Warnings on environment names: ones that redirect traffic or trust or load code, and ones whose
/// value the library replaces. The order is `nix/lib/make-jailed-agent.nix`'s: every literal
/// (`set-env`: the network's CA variables, LANG, `env` merged over the preset's `env`, then the
/// preset's `homeEnv`, then `NIX_REMOTE`) becomes a `--setenv` after all of jail.nix's other
/// arguments, so a later literal beats an earlier one and every literal beats a forwarded value
/// (`try-fwd-env`, an earlier `--setenv`).
fn env(
    jail: &Jail,
    preset: Option<(&Preset, &str)>,
    nix: bool,
    network: bool,
    allowlist: bool,
    errors: &mut Vec<SpecError>,
) {
    // The allowlist's proxy variables are `--setenv`s after every other literal.
    let proxy_var = |n: &str| allowlist && jailgen_net::proxy_env().iter().any(|(k, _)| *k == n);
    let f = &jail.fields;
    let env_names = || f.env.iter().map(|e| &e.name);
    let forwarded = || f.forward_env.iter().map(|e| &e.raw);
    for (how, name) in env_names()
        .map(|n| ("set", n))
        .chain(forwarded().map(|n| ("forwarded", n)))
    {
        if let Some(reason) = exposure::redirecting_env(&name.value) {
            errors.push(SpecError::RedirectingEnv {
                name: shown(&name.value),
                reason,
                span: span_of(name),
                how,
            });
        }
    }
    let home_env = |n: &str| {
        preset.and_then(|(p, pname)| {
            p.home_env
                .get(n)
                .map(|rel| format!("the `{pname}` preset sets it to `$HOME/{rel}` after `env`"))
        })
    };
    for name in env_names() {
        let winner = if proxy_var(&name.value) {
            Some("the allowlist (`network.allow`) sets it for its proxy after `env`".to_owned())
        } else {
            home_env(&name.value).or_else(|| {
                (nix && name.value == "NIX_REMOTE")
                    .then(|| "`nix: true` sets it to `daemon` after `env`".to_owned())
            })
        };
        if let Some(winner) = winner {
            errors.push(SpecError::OverriddenEnv {
                name: shown(&name.value),
                how: "set",
                winner,
                span: span_of(name),
                help: "remove it from `env`: inside the jail it has the value named above (the order is nix/lib/make-jailed-agent.nix's)".to_owned(),
            });
        }
    }
    for name in forwarded() {
        let n = name.value.as_str();
        // The last literal wins, so look for it from the end of the order.
        let winner = if proxy_var(n) {
            Some("the allowlist (`network.allow`) sets it for its proxy".to_owned())
        } else if nix && n == "NIX_REMOTE" {
            Some("`nix: true` sets it to `daemon`".to_owned())
        } else if let Some(w) = home_env(n) {
            Some(w.replace(" after `env`", ""))
        } else if env_names().any(|e| e.value == n) {
            Some("`env` sets it to a literal".to_owned())
        } else if let Some((p, pname)) = preset
            && let Some(v) = p.env.get(n)
        {
            Some(format!("the `{pname}` preset sets it to `{v}`"))
        } else if network && NETWORK_CA_VARS.contains(&n) {
            Some("the network setting sets it to the jail's CA bundle".to_owned())
        } else {
            None
        };
        if let Some(winner) = winner {
            errors.push(SpecError::OverriddenEnv {
                name: shown(n),
                how: "forwarded",
                winner,
                span: span_of(name),
                help: "remove it from `forward_env`: literal values become bwrap `--setenv` arguments after the forwarded ones, so the forwarded value never arrives".to_owned(),
            });
        }
    }
}
