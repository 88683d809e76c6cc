//! Grants that expose a sensitive location must be accepted by name in `allow_exposure`; every
//! `allow_exposure` entry must be needed. The locations and how a path relates to them are
//! [`crate::exposure`]'s.

use std::collections::HashSet;

use super::shown;
use crate::error::SpecError;
use crate::exposure::{self, Access, Danger};
use crate::resolve::{Allow, Entry, Jail};
use crate::spec::{span_of, yaml::Span};

/// `defaults_used` collects the `defaults` entries some jail needed (a `defaults` entry is stale
/// only when no jail needs it).
pub fn check(jail: &Jail, defaults_used: &mut HashSet<Span>, errors: &mut Vec<SpecError>) {
    let f = &jail.fields;
    let mut allowed: Vec<(&Entry<Allow>, bool)> = Vec::new();
    for a in &f.allow_exposure {
        match a.value {
            Allow::Invalid(reason) => errors.push(SpecError::InvalidPath {
                path: shown(&a.raw.value),
                reason,
                span: span_of(&a.raw),
                help: "name a sensitive location, e.g. `~/.config/gh`",
            }),
            _ => allowed.push((a, false)),
        }
    }
    let preset = jail.agent.as_ref().map(|a| a.value.as_str());
    let grants = f
        .readonly
        .iter()
        .map(|p| (Access::ReadOnly, p))
        .chain(f.readwrite_grants().map(|p| (Access::ReadWrite, p)))
        .chain(f.config_paths.iter().map(|p| (Access::ReadWrite, p)));
    for (access, p) in grants {
        let Ok(norm) = &p.value else { continue };
        for finding in exposure::findings(norm, access, preset) {
            if let Some(entry) = allowed
                .iter_mut()
                .find(|(a, _)| a.value == Allow::Location(finding.location.path))
            {
                entry.1 = true;
                continue;
            }
            let narrower = match finding.location.danger {
                Danger::Read => "grant a narrower path",
                Danger::Write => "grant it `readonly` (reading it is fine) or a narrower path",
            };
            errors.push(SpecError::Exposure {
                path: shown(norm),
                verb: finding.relation.verb(),
                location: finding.location.path,
                reason: exposure::shown_reason(&finding.location),
                span: span_of(&p.raw),
                help: format!(
                    "{narrower}, or accept this deliberately with `allow_exposure: [{}]` on the jail",
                    finding.location.path
                ),
            });
        }
    }
    for (a, used) in allowed {
        if a.from_defaults {
            if used {
                defaults_used.insert(a.raw.span);
            }
        } else if !used {
            errors.push(SpecError::StaleAllowExposure {
                entry: shown(&a.raw.value),
                span: span_of(&a.raw),
            });
        }
    }
}
