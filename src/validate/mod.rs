//! Rules over the [`Resolved`] spec: every problem at once, each labelled on its YAML span.
//! Validation never mutates or renders; the model trusts what passes here.
//!
//! Field rules ([`fields`]) run once per block: on `defaults` once, and on each jail's own
//! entries; the rules that need the merged jail (exposure, overlap, the lints) read the merged
//! entries, and a finding that lies wholly inside `defaults` is reported once.

mod exposure;
mod fields;
mod lints;
mod network;

use std::collections::HashSet;

use crate::error::SpecError;
use crate::presets;
use crate::resolve::{Jail, Resolved};
use crate::rules;
use crate::spec::{SPEC_VERSION, Spanned, Spec, span_of};

pub use crate::suggest::shown;

/// Resolves a decoded spec and runs every rule (tests and tools that hold a [`Spec`]).
pub fn validate(spec: &Spec) -> Vec<SpecError> {
    check(&crate::resolve::resolve(spec.clone()))
}

/// Runs every rule; an empty result means the spec is valid.
pub fn check(r: &Resolved) -> Vec<SpecError> {
    let mut errors = Vec::new();
    if r.version.value != SPEC_VERSION {
        errors.push(SpecError::UnsupportedVersion {
            found: r.version.value,
            span: span_of(&r.version),
        });
    }
    if let Some(d) = &r.defaults {
        for (key, span) in [("agent", d.agent), ("package", d.package)] {
            if let Some(span) = span {
                errors.push(SpecError::NotADefault {
                    key,
                    span: span.into(),
                });
            }
        }
        fields::check(&d.fields, true, &mut errors);
        network::check(&d.fields, true, &mut errors);
    }
    if r.jails.is_empty() && !r.broken.contains(&"jails") {
        errors.push(SpecError::NoJails {
            span: r.jails_span.into(),
        });
    }
    let mut defaults_allow_used = HashSet::new();
    for jail in &r.jails {
        exposure::check(jail, &mut defaults_allow_used, &mut errors);
        lints::check(jail, &mut errors);
        check_name(&jail.name, &mut errors);
        check_agent(jail, r, &mut errors);
        fields::check(&jail.fields, false, &mut errors);
        network::check(&jail.fields, false, &mut errors);
        network::check_jail(jail, &mut errors);
        network::lints(jail, r.defaults.as_ref().map(|d| &d.fields), &mut errors);
        if let Some(p) = &jail.package {
            fields::attr_path(p, &mut errors);
        }
        fields::overlap(jail, &mut errors);
    }
    if let Some(d) = &r.defaults {
        for a in &d.fields.allow_exposure {
            if !defaults_allow_used.contains(&a.raw.span) {
                errors.push(SpecError::StaleAllowExposure {
                    entry: shown(&a.raw.value),
                    span: span_of(&a.raw),
                });
            }
        }
    }
    check_hidden_characters(r, &mut errors);
    // A conflict that lies wholly inside `defaults` is found once per jail; report it once.
    let mut seen = HashSet::new();
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

fn check_name(name: &Spanned<String>, errors: &mut Vec<SpecError>) {
    if !rules::is_command_name(&name.value) {
        errors.push(SpecError::InvalidCommandName {
            name: shown(&name.value),
            span: span_of(name),
        });
    } else if rules::COMMON_HOST_COMMANDS.contains(&name.value.as_str()) {
        errors.push(SpecError::ShadowsCommand {
            name: name.value.clone(),
            span: span_of(name),
            help: format!(
                "wherever the jails are on PATH (`nix develop`, a profile) `{0}` starts this jail instead of the host's `{0}`; choose another name, e.g. `jailed-{0}`",
                name.value
            ),
        });
    }
}

fn check_agent(jail: &Jail, r: &Resolved, errors: &mut Vec<SpecError>) {
    let known = || presets::presets().keys().map(String::as_str);
    if let Some(agent) = &jail.agent {
        if jail.preset.is_none() {
            errors.push(SpecError::UnknownAgent {
                name: shown(&agent.value),
                span: span_of(agent),
                help: crate::suggest::help(
                    &agent.value,
                    known(),
                    "known presets",
                    Some("for another agent omit `agent` and give `package` and `config_paths`"),
                ),
            });
        }
        return;
    }
    // A key given but unreadable is already reported; its absence is not a second problem.
    let broken =
        |key| jail.broken.contains(&key) || (key != "package" && r.broken.contains(&"defaults"));
    if broken("agent") {
        return;
    }
    for (missing, present) in [
        ("package", jail.package.is_some()),
        ("config_paths", jail.fields.config_paths_given),
    ] {
        if !present && !broken(missing) {
            errors.push(SpecError::CustomAgentIncomplete {
                jail: shown(&jail.name.value),
                missing,
                span: span_of(&jail.name),
                help: format!(
                    "give a preset (`agent: claude-code`; known presets: {}) or describe the agent:\n  {}:\n    package: aider-chat\n    config_paths: [~/.aider]",
                    known().collect::<Vec<_>>().join(", "),
                    shown(&jail.name.value)
                ),
            });
        }
    }
}

/// Control, bidi and zero-width characters make the reviewed text differ from what runs. Such a
/// value gets this one diagnostic; other findings on the same value are dropped.
fn check_hidden_characters(r: &Resolved, errors: &mut Vec<SpecError>) {
    let mut hidden = HashSet::new();
    let mut report = |what: &'static str, v: &Spanned<String>| {
        if let Some((c, kind)) = rules::hidden_char(&v.value)
            && hidden.insert(v.span)
        {
            errors.push(SpecError::HiddenCharacter {
                what,
                name: format!("U+{:04X}", c as u32),
                kind,
                span: span_of(v),
            });
        }
    };
    let blocks = r
        .defaults
        .iter()
        .map(|d| (None, None, &d.fields, true))
        .chain(
            r.jails
                .iter()
                .map(|j| (Some(&j.name), j.agent.as_ref(), &j.fields, false)),
        );
    for (name, agent, f, is_defaults) in blocks {
        let own = |from_defaults: bool| from_defaults == is_defaults;
        if let Some(n) = name {
            report("jail name", n);
        }
        if let Some(a) = agent {
            report("agent", a);
        }
        for p in f.packages.iter().filter(|e| own(e.from_defaults)) {
            report("package", &p.raw);
        }
        for p in f
            .readwrite_grants()
            .chain(&f.readonly)
            .chain(&f.config_paths)
            .filter(|e| own(e.from_defaults))
        {
            report("path", &p.raw);
        }
        for e in f.env.iter().filter(|e| own(e.from_defaults)) {
            report("environment variable name", &e.name);
            report("env value", &e.value);
        }
        for e in f.forward_env.iter().filter(|e| own(e.from_defaults)) {
            report("environment variable name", &e.raw);
        }
        for e in f.combinators.iter().filter(|e| own(e.from_defaults)) {
            report("combinator", &e.raw);
        }
        if let Some(g) = f.git.as_ref().filter(|g| own(g.from_defaults)) {
            report("git policy", &g.raw);
        }
        for h in f.hide.iter().flatten().filter(|e| own(e.from_defaults)) {
            report("hide pattern", &h.raw);
        }
        for a in f.allow_exposure.iter().filter(|e| own(e.from_defaults)) {
            report("path", &a.raw);
        }
        if let Some(n) = f.network.as_ref().filter(|n| own(n.from_defaults))
            && let crate::spec::NetworkSpec::Map(m) = &n.spec.value
        {
            for a in m.allow.iter().flat_map(|a| &a.value) {
                report("network rule", a);
            }
            if let Some(s) = &m.stack {
                report("network stack", s);
            }
        }
    }
    for j in &r.jails {
        if let Some(p) = &j.package {
            report("package", &p.raw);
        }
    }
    if hidden.is_empty() {
        return;
    }
    errors.retain(|e| {
        matches!(e, SpecError::HiddenCharacter { .. })
            || !miette::Diagnostic::labels(e)
                .into_iter()
                .flatten()
                .any(|l| hidden.contains(&(l.offset(), l.len())))
    });
}
