//! Rules on `network:`: allowlist entries (a set name, or a rule exactly as the launcher's proxy
//! parses it: `jailgen_net::rules`), host ports, the stack.

use super::shown;
use crate::error::SpecError;
use crate::resolve::{Fields, Jail};
use crate::spec::{NET_STACKS, NetworkSpec, network_set_names, span_of};

const RULE_HELP: &str = "allowlist entries are host names (`docs.rs`: ports 443 and 80), `*.domain` globs (every name below it), `host:port`, or the sets";

/// Checks `network:` where it is written: in `defaults` (`is_defaults`) or in the jail.
pub fn check(f: &Fields, is_defaults: bool, errors: &mut Vec<SpecError>) {
    let Some(n) = f
        .network
        .as_ref()
        .filter(|n| n.from_defaults == is_defaults)
    else {
        return;
    };
    let NetworkSpec::Map(m) = &n.spec.value else {
        return;
    };
    let sets = network_set_names();
    if let Some(allow) = &m.allow {
        // `allow: []` with host ports: those ports and nothing else.
        let ports = m.host_ports.as_ref().is_some_and(|p| !p.value.is_empty());
        if allow.value.is_empty() && !ports {
            errors.push(SpecError::EmptyAllowlist {
                span: span_of(allow),
            });
        }
        for entry in &allow.value {
            let e = entry.value.as_str();
            if sets.contains(&e) {
                continue;
            }
            // What the launcher's proxy accepts, by the proxy's own parser.
            if let Err(why) = jailgen_net::rules::Rules::parse(&[e]) {
                let meant =
                    crate::rules::did_you_mean(&e.to_ascii_lowercase(), sets.iter().copied())
                        .filter(|_| !e.contains('.'));
                errors.push(SpecError::InvalidNetworkRule {
                    rule: shown(e),
                    why: why.why.to_owned(),
                    span: span_of(entry),
                    help: match meant {
                        Some(set) => format!("did you mean the set `{set}`?"),
                        None => format!("{RULE_HELP} {}", list(&sets)),
                    },
                });
            }
        }
    }
    if let Some(ports) = &m.host_ports {
        for p in &ports.value {
            match crate::rules::host_port(&p.value) {
                Err(reason) => errors.push(SpecError::InvalidHostPort {
                    port: shown(&p.value),
                    reason,
                    span: span_of(p),
                }),
                Ok(port) if n.spec.value.is_allowlist() && port == jailgen_net::PROXY_PORT => {
                    errors.push(SpecError::ProxyPortForwarded {
                        port,
                        span: span_of(p),
                    });
                }
                Ok(_) => {}
            }
        }
    }
    if let Some(stack) = &m.stack {
        if !NET_STACKS.contains(&stack.value.as_str()) {
            errors.push(SpecError::UnknownNetStack {
                value: shown(&stack.value),
                span: span_of(stack),
                help: crate::suggest::help(
                    &stack.value,
                    NET_STACKS.iter().copied(),
                    "known stacks",
                    None,
                ),
            });
        } else if n.spec.value.is_allowlist() {
            errors.push(SpecError::StackWithAllow {
                span: span_of(stack),
            });
        }
    }
}

/// Warnings where the jail's own `network` is written: host ports that are a way into the host,
/// and a `network` mapping without `allow` that replaces a narrower one in `defaults` (a PR that
/// "adds a port" under the defaults' allowlist would otherwise open the internet silently).
pub fn lints(jail: &Jail, defaults: Option<&Fields>, errors: &mut Vec<SpecError>) {
    let Some(n) = jail.fields.network.as_ref() else {
        return;
    };
    if let NetworkSpec::Map(m) = &n.spec.value {
        for r in m.allow.iter().flat_map(|a| &a.value) {
            if let Some(suffix) = crate::exposure::broad_allow_rule(&r.value) {
                errors.push(SpecError::BroadAllowRule {
                    rule: shown(&r.value),
                    suffix,
                    span: span_of(r),
                });
            }
        }
        for p in m.host_ports.iter().flat_map(|p| &p.value) {
            if let Ok(port) = crate::rules::host_port(&p.value)
                && let Some(what) = crate::exposure::host_port_risk(port)
            {
                errors.push(SpecError::HostPortRisk {
                    port,
                    what,
                    span: span_of(p),
                });
            }
        }
    }
    if n.from_defaults {
        return;
    }
    let Some(d) = defaults.and_then(|d| d.network.as_ref()) else {
        return;
    };
    // Only a mapping without `allow` (the internet) reads like an addition ("and port 11434")
    // while it is a whole new network; `network: true` or `host` says plainly what it is
    // (`host` is warned).
    let partial = matches!(&n.spec.value, NetworkSpec::Map(_)) && !n.spec.value.is_allowlist();
    let was = match &d.spec.value {
        NetworkSpec::Switch(false) => "`network: false`",
        v if v.is_allowlist() => "allowlist",
        _ => return,
    };
    if partial {
        errors.push(SpecError::NetworkWidened {
            was,
            span: span_of(&n.spec),
        });
    }
}

/// The set `agent` needs the jail's preset (checked on the merged jail: `defaults` may hold
/// it for preset and custom jails alike).
pub fn check_jail(jail: &Jail, errors: &mut Vec<SpecError>) {
    if jail.agent.is_some() {
        return;
    }
    let Some(NetworkSpec::Map(m)) = jail.fields.network.as_ref().map(|n| &n.spec.value) else {
        return;
    };
    for entry in m.allow.iter().flat_map(|a| &a.value) {
        if entry.value == "agent" {
            errors.push(SpecError::AgentSetWithoutPreset {
                jail: shown(&jail.name.value),
                span: span_of(entry),
            });
        }
    }
}

fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
    quoted.join(", ")
}
