//! Rules over a parsed [`Spec`]: every problem at once, each labelled on its YAML span.
//! Validation never mutates or renders; the model trusts what passes here.

use std::collections::HashMap;

use crate::error::SpecError;
use crate::presets;
use crate::rules;
use crate::spec::{JailSpec, SPEC_VERSION, Spanned, Spec, span_of};

/// Runs every rule; an empty result means the spec is valid.
pub fn validate(spec: &Spec) -> Vec<SpecError> {
    let mut errors = Vec::new();
    if spec.version.value != SPEC_VERSION {
        errors.push(SpecError::UnsupportedVersion {
            found: spec.version.value,
            span: span_of(&spec.version),
        });
    }
    if let Some(defaults) = &spec.defaults {
        for (key, value) in [("agent", &defaults.agent), ("package", &defaults.package)] {
            if let Some(v) = value {
                errors.push(SpecError::NotADefault {
                    key,
                    span: span_of(v),
                });
            }
        }
        check_fields(defaults, &mut errors);
    }
    if spec.jails.value.is_empty() {
        errors.push(SpecError::NoJails {
            span: span_of(&spec.jails),
        });
    }
    for (name, jail) in spec.jails.value.iter() {
        if !rules::is_command_name(&name.value) {
            errors.push(SpecError::InvalidCommandName {
                name: shown(&name.value),
                span: span_of(name),
            });
        }
        check_agent(name, jail, spec.defaults.as_ref(), &mut errors);
        check_fields(jail, &mut errors);
        check_overlap(spec.defaults.as_ref(), jail, &mut errors);
    }
    // A conflict that lies wholly inside `defaults` is found once per jail; report it once.
    let mut seen = std::collections::HashSet::new();
    errors.retain(|e| {
        let labels: Vec<(usize, usize)> = miette::Diagnostic::labels(e)
            .into_iter()
            .flatten()
            .map(|l| (l.offset(), l.len()))
            .collect();
        seen.insert((labels, e.to_string()))
    });
    errors
}

fn check_agent(
    name: &Spanned<String>,
    jail: &JailSpec,
    defaults: Option<&JailSpec>,
    errors: &mut Vec<SpecError>,
) {
    if let Some(agent) = &jail.agent {
        if presets::preset(&agent.value).is_none() {
            let known = presets::presets().keys().map(String::as_str);
            let help = match rules::did_you_mean(&agent.value, known.clone()) {
                Some(s) => format!("did you mean `{s}`? known presets: {}", join(known)),
                None => format!(
                    "known presets: {}; for another agent omit `agent` and give `package` and `config_paths`",
                    join(known)
                ),
            };
            errors.push(SpecError::UnknownAgent {
                name: shown(&agent.value),
                span: span_of(agent),
                help,
            });
        }
        return;
    }
    let has_config =
        jail.config_paths.is_some() || defaults.is_some_and(|d| d.config_paths.is_some());
    for (missing, present) in [
        ("package", jail.package.is_some()),
        ("config_paths", has_config),
    ] {
        if !present {
            errors.push(SpecError::CustomAgentIncomplete {
                jail: shown(&name.value),
                missing,
                span: span_of(name),
                help: format!(
                    "give a preset (`agent: claude-code`; known presets: {}) or describe the agent:\n  {}:\n    package: aider-chat\n    config_paths: [~/.aider]",
                    join(presets::presets().keys().map(String::as_str)),
                    shown(&name.value)
                ),
            });
        }
    }
}

fn check_fields(jail: &JailSpec, errors: &mut Vec<SpecError>) {
    if let Some(p) = &jail.package {
        check_attr_path(p, errors);
    }
    for p in jail.packages.iter().flatten() {
        check_attr_path(p, errors);
    }
    let config = jail.config_paths.as_ref().map(|c| &c.value);
    for p in [jail.readwrite.as_ref(), jail.readonly.as_ref(), config]
        .into_iter()
        .flatten()
        .flatten()
    {
        if let Err(problem) = rules::normalise_path(&p.value) {
            errors.push(SpecError::InvalidPath {
                path: shown(&p.value),
                reason: problem.message(),
                span: span_of(p),
                help: problem.help(),
            });
        }
    }
    for (name, value) in jail.env.iter().flat_map(|m| m.iter()) {
        check_env_name(name, errors);
        if value.value.contains('\0') {
            errors.push(SpecError::NulInString {
                span: span_of(value),
            });
        }
    }
    for name in jail.forward_env.iter().flatten() {
        check_env_name(name, errors);
    }
    for c in jail.combinators.iter().flatten() {
        if !presets::combinators().contains_key(&c.value) {
            let known = presets::combinators().keys().map(String::as_str);
            let help = match rules::did_you_mean(&c.value, known.clone()) {
                Some(s) => format!("did you mean `{s}`? known combinators: {}", join(known)),
                None => format!("known combinators: {}", join(known)),
            };
            errors.push(SpecError::UnknownCombinator {
                name: shown(&c.value),
                span: span_of(c),
                help,
            });
        }
    }
    if let Some(git) = &jail.git
        && git.value != "protect"
        && git.value != "open"
    {
        errors.push(SpecError::InvalidGit {
            value: shown(&git.value),
            span: span_of(git),
        });
    }
    for h in jail.hide.iter().flat_map(|h| h.value.iter()) {
        if let Err(problem) = rules::check_hide(&h.value) {
            errors.push(SpecError::InvalidHide {
                pattern: shown(&h.value),
                reason: problem.message(),
                span: span_of(h),
            });
        }
    }
}

fn check_attr_path(p: &Spanned<String>, errors: &mut Vec<SpecError>) {
    if let Err(problem) = rules::parse_attr_path(&p.value) {
        errors.push(SpecError::InvalidAttrPath {
            path: shown(&p.value),
            reason: problem.to_string(),
            span: span_of(p),
        });
    }
}

fn check_env_name(name: &Spanned<String>, errors: &mut Vec<SpecError>) {
    if !rules::is_env_name(&name.value) {
        errors.push(SpecError::InvalidEnvName {
            name: shown(&name.value),
            span: span_of(name),
        });
    }
}

/// The same (normalised) path may not be both read-only and writable, counting `defaults`.
fn check_overlap(defaults: Option<&JailSpec>, jail: &JailSpec, errors: &mut Vec<SpecError>) {
    let sources = || defaults.into_iter().chain(std::iter::once(jail));
    let mut writable: HashMap<String, &Spanned<String>> = HashMap::new();
    for s in sources() {
        let config = s.config_paths.as_ref().map(|c| &c.value);
        for p in [s.readwrite.as_ref(), config]
            .into_iter()
            .flatten()
            .flatten()
        {
            if let Ok(norm) = rules::normalise_path(&p.value) {
                writable.entry(norm).or_insert(p);
            }
        }
    }
    let preset = jail
        .agent
        .as_ref()
        .and_then(|a| presets::preset(&a.value).map(|p| (&a.value, p)));
    let mut reported = std::collections::HashSet::new();
    for s in sources() {
        for p in s.readonly.iter().flatten() {
            if let (Ok(norm), Some((name, preset))) = (rules::normalise_path(&p.value), preset)
                && preset.config_paths.contains(&norm)
            {
                errors.push(SpecError::ReadonlyPresetState {
                    path: shown(&norm),
                    preset: name.clone(),
                    span: span_of(p),
                });
            }
        }
    }
    for s in sources() {
        for p in s.readonly.iter().flatten() {
            if let Ok(norm) = rules::normalise_path(&p.value)
                && let Some(rw) = writable.get(&norm)
                && reported.insert(norm.clone())
            {
                errors.push(SpecError::ReadonlyAndReadwrite {
                    path: shown(&norm),
                    ro_span: span_of(p),
                    rw_span: span_of(rw),
                });
            }
        }
    }
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// A user value as shown inside a message: control characters escaped, so a message stays one
/// line and cannot drive the terminal.
pub fn shown(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let esc: Vec<char> = if c.is_control() || crate::error::is_bidi_control(c) {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            esc
        })
        .collect()
}
