//! Rules on single values (paths, packages, names, combinators, git, hide) and on read-only
//! against writable grants.

use std::collections::{HashMap, HashSet};

use super::shown;
use crate::error::SpecError;
use crate::resolve::{Fields, Jail, PkgEntry};
use crate::rules;
use crate::spec::span_of;

/// Checks the entries of one block: `defaults` (`is_defaults`), or a jail's own entries (those
/// merged from `defaults` were checked there).
pub fn check(f: &Fields, is_defaults: bool, errors: &mut Vec<SpecError>) {
    let own = |from_defaults: bool| from_defaults == is_defaults;
    for p in f.packages.iter().filter(|e| own(e.from_defaults)) {
        attr_path(p, errors);
    }
    for p in f
        .readwrite_grants()
        .chain(&f.readonly)
        .chain(&f.config_paths)
        .filter(|e| own(e.from_defaults))
    {
        if let Err(problem) = &p.value {
            errors.push(SpecError::InvalidPath {
                path: shown(&p.raw.value),
                reason: problem.message(),
                span: span_of(&p.raw),
                help: problem.help(),
            });
        }
    }
    for e in f.env.iter().filter(|e| own(e.from_defaults)) {
        env_name(&e.name, errors);
        if e.value.value.contains('\0') {
            errors.push(SpecError::NulInString {
                span: span_of(&e.value),
            });
        }
    }
    for e in f.forward_env.iter().filter(|e| own(e.from_defaults)) {
        env_name(&e.raw, errors);
    }
    for c in f
        .combinators
        .iter()
        .filter(|e| own(e.from_defaults) && !e.value)
    {
        errors.push(SpecError::UnknownCombinator {
            name: shown(&c.raw.value),
            span: span_of(&c.raw),
            help: crate::suggest::help(
                &c.raw.value,
                crate::presets::combinators().keys().map(String::as_str),
                "known combinators",
                None,
            ),
        });
    }
    if let Some(git) = f
        .git
        .as_ref()
        .filter(|g| own(g.from_defaults) && g.value.is_none())
    {
        errors.push(SpecError::InvalidGit {
            value: shown(&git.raw.value),
            span: span_of(&git.raw),
        });
    }
    for h in f.hide.iter().flatten().filter(|e| own(e.from_defaults)) {
        if let Err(problem) = h.value {
            errors.push(SpecError::InvalidHide {
                pattern: shown(&h.raw.value),
                reason: problem.message(),
                span: span_of(&h.raw),
            });
        }
    }
}

pub fn attr_path(p: &PkgEntry, errors: &mut Vec<SpecError>) {
    if let Err(problem) = &p.value {
        errors.push(SpecError::InvalidAttrPath {
            path: shown(&p.raw.value),
            reason: problem.to_string(),
            span: span_of(&p.raw),
        });
    }
}

fn env_name(name: &crate::spec::Spanned<String>, errors: &mut Vec<SpecError>) {
    if !rules::is_env_name(&name.value) {
        errors.push(SpecError::InvalidEnvName {
            name: shown(&name.value),
            span: span_of(name),
        });
    }
}

/// The same (normalised) path may not be both read-only and writable, counting `defaults`; nor
/// may a preset's own state path be read-only.
pub fn overlap(jail: &Jail, errors: &mut Vec<SpecError>) {
    let f = &jail.fields;
    let mut writable: HashMap<&str, &crate::spec::Spanned<String>> = HashMap::new();
    for p in f.readwrite_grants().chain(&f.config_paths) {
        if let Ok(norm) = &p.value {
            writable.entry(norm.as_str()).or_insert(&p.raw);
        }
    }
    if let (Some(preset), Some(name)) = (jail.preset, jail.preset_name()) {
        for p in &f.readonly {
            if let Ok(norm) = &p.value
                && preset.config_paths.contains(norm)
            {
                errors.push(SpecError::ReadonlyPresetState {
                    path: shown(norm),
                    preset: name.to_owned(),
                    span: span_of(&p.raw),
                });
            }
        }
    }
    let mut reported = HashSet::new();
    for p in &f.readonly {
        if let Ok(norm) = &p.value
            && let Some(rw) = writable.get(norm.as_str())
            && reported.insert(norm.as_str())
        {
            errors.push(SpecError::ReadonlyAndReadwrite {
                path: shown(norm),
                ro_span: span_of(&p.raw),
                rw_span: span_of(rw),
            });
        }
    }
}
