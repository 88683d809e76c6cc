//! Rules over a parsed [`Spec`]: every problem at once, each labelled on its YAML span.
//! Validation never mutates or renders; the model trusts what passes here.

use std::collections::HashMap;

use crate::error::SpecError;
use crate::exposure;
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
    let mut defaults_allow_used = std::collections::HashSet::new();
    for (name, jail) in spec.jails.value.iter() {
        check_exposure(
            spec.defaults.as_ref(),
            jail,
            &mut defaults_allow_used,
            &mut errors,
        );
        check_lints(spec.defaults.as_ref(), jail, &mut errors);
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
        check_agent(name, jail, spec.defaults.as_ref(), &mut errors);
        check_fields(jail, &mut errors);
        check_overlap(spec.defaults.as_ref(), jail, &mut errors);
    }
    if let Some(d) = &spec.defaults {
        for a in d.allow_exposure.iter().flatten() {
            if !defaults_allow_used.contains(&span_key(a)) {
                errors.push(SpecError::StaleAllowExposure {
                    entry: shown(&a.value),
                    span: span_of(a),
                });
            }
        }
    }
    check_hidden_characters(spec, &mut errors);
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

fn span_key<T>(s: &Spanned<T>) -> (usize, usize) {
    let sp = span_of(s);
    (sp.offset(), sp.len())
}

/// Every string of the spec with what it is, for the hidden-character rule.
fn spec_strings(spec: &Spec) -> Vec<(&'static str, &Spanned<String>)> {
    let mut out = Vec::new();
    for (name, _) in spec.jails.value.iter() {
        out.push(("jail name", name));
    }
    for j in spec
        .defaults
        .iter()
        .chain(spec.jails.value.iter().map(|(_, j)| j))
    {
        out.extend(j.agent.iter().map(|v| ("agent", v)));
        out.extend(j.package.iter().map(|v| ("package", v)));
        out.extend(j.packages.iter().flatten().map(|v| ("package", v)));
        out.extend(j.readwrite_paths().map(|v| ("path", v)));
        out.extend(j.readonly.iter().flatten().map(|v| ("path", v)));
        out.extend(
            j.config_paths
                .iter()
                .flat_map(|c| c.value.iter())
                .map(|v| ("path", v)),
        );
        for (k, v) in j.env.iter().flat_map(|m| m.iter()) {
            out.push(("environment variable name", k));
            out.push(("env value", v));
        }
        out.extend(
            j.forward_env
                .iter()
                .flatten()
                .map(|v| ("environment variable name", v)),
        );
        out.extend(j.combinators.iter().flatten().map(|v| ("combinator", v)));
        out.extend(j.git.iter().map(|v| ("git policy", v)));
        out.extend(
            j.hide
                .iter()
                .flat_map(|h| h.value.iter())
                .map(|v| ("hide pattern", v)),
        );
        out.extend(j.allow_exposure.iter().flatten().map(|v| ("path", v)));
    }
    out
}

/// Control, bidi and zero-width characters make the reviewed text differ from what runs. Such a
/// value gets this one diagnostic; other findings on the same value are dropped.
fn check_hidden_characters(spec: &Spec, errors: &mut Vec<SpecError>) {
    let mut hidden = std::collections::HashSet::new();
    for (what, v) in spec_strings(spec) {
        if let Some((c, kind)) = rules::hidden_char(&v.value) {
            hidden.insert(span_key(v));
            errors.push(SpecError::HiddenCharacter {
                what,
                name: format!("U+{:04X}", c as u32),
                kind,
                span: span_of(v),
            });
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

/// Grants that expose a sensitive location must be accepted by name in `allow_exposure`; every
/// `allow_exposure` entry must be needed. `defaults_used` collects the `defaults` entries some
/// jail needed (a `defaults` entry is stale only when no jail needs it).
fn check_exposure(
    defaults: Option<&JailSpec>,
    jail: &JailSpec,
    defaults_used: &mut std::collections::HashSet<(usize, usize)>,
    errors: &mut Vec<SpecError>,
) {
    let mut allowed: Vec<(&Spanned<String>, Option<&'static str>, bool, bool)> = Vec::new();
    for (from_defaults, s) in defaults
        .map(|d| (true, d))
        .into_iter()
        .chain(std::iter::once((false, jail)))
    {
        for a in s.allow_exposure.iter().flatten() {
            if let Some(norm) = rules::allow_entry(&a.value) {
                let loc = exposure::allowed_location(&norm).map(|l| l.path);
                allowed.push((a, loc, from_defaults, false));
            } else {
                errors.push(SpecError::InvalidPath {
                    path: shown(&a.value),
                    reason: rules::normalise_path(&a.value)
                        .err()
                        .map_or("the path is invalid", |p| p.message()),
                    span: span_of(a),
                    help: "name a sensitive location, e.g. `~/.config/gh`",
                });
            }
        }
    }
    let preset = jail.agent.as_ref().map(|a| a.value.as_str());
    for s in defaults.into_iter().chain(std::iter::once(jail)) {
        let config = s.config_paths.as_ref().map(|c| &c.value);
        let grants = s
            .readonly
            .iter()
            .flatten()
            .map(|p| (exposure::Access::ReadOnly, p))
            .chain(
                s.readwrite_paths()
                    .chain(config.into_iter().flatten())
                    .map(|p| (exposure::Access::ReadWrite, p)),
            );
        for (access, p) in grants {
            let Ok(norm) = rules::normalise_path(&p.value) else {
                continue;
            };
            for f in exposure::findings(&norm, access, preset) {
                if let Some(entry) = allowed
                    .iter_mut()
                    .find(|(_, loc, _, _)| *loc == Some(f.location.path))
                {
                    entry.3 = true;
                    continue;
                }
                let narrower = match f.location.danger {
                    exposure::Danger::Read => "grant a narrower path",
                    exposure::Danger::Write => {
                        "grant it `readonly` (reading it is fine) or a narrower path"
                    }
                };
                errors.push(SpecError::Exposure {
                    path: shown(&norm),
                    verb: f.relation.verb(),
                    location: f.location.path,
                    reason: exposure::shown_reason(&f.location),
                    span: span_of(p),
                    help: format!(
                        "{narrower}, or accept this deliberately with `allow_exposure: [{}]` on the jail",
                        f.location.path
                    ),
                });
            }
        }
    }
    for (a, _, from_defaults, used) in allowed {
        if from_defaults {
            if used {
                defaults_used.insert(span_key(a));
            }
        } else if !used {
            errors.push(SpecError::StaleAllowExposure {
                entry: shown(&a.value),
                span: span_of(a),
            });
        }
    }
}

/// Warnings: forwarded credentials the agent does not read, network with the Nix daemon, a
/// read-write single file.
fn check_lints(defaults: Option<&JailSpec>, jail: &JailSpec, errors: &mut Vec<SpecError>) {
    let sources = || defaults.into_iter().chain(std::iter::once(jail));
    let preset = jail
        .agent
        .as_ref()
        .and_then(|a| presets::preset(&a.value).map(|p| (a.value.as_str(), p)));
    for s in sources() {
        for name in s.forward_env.iter().flatten() {
            if !exposure::looks_like_credential(&name.value) || !rules::is_env_name(&name.value) {
                continue;
            }
            let why = match preset {
                Some((_, p)) if p.credential_env.contains(&name.value) => continue,
                Some((preset, _)) => {
                    format!("the `{preset}` preset does not read it")
                }
                None if jail.agent.is_some() => continue,
                None => "the jail runs a custom agent, which jailgen cannot check".to_owned(),
            };
            errors.push(SpecError::CredentialForward {
                name: name.value.clone(),
                why,
                span: span_of(name),
            });
        }
        let config = s.config_paths.as_ref().map(|c| &c.value);
        for p in s.readwrite_paths().chain(config.into_iter().flatten()) {
            if let Ok(norm) = rules::normalise_path(&p.value)
                && rules::names_a_file(&norm)
            {
                errors.push(SpecError::ReadwriteFile {
                    path: shown(&norm),
                    span: span_of(p),
                });
            }
        }
    }
    let nix = jail.nix.as_ref().or(defaults.and_then(|d| d.nix.as_ref()));
    let network = jail
        .network
        .as_ref()
        .or(defaults.and_then(|d| d.network.as_ref()));
    check_env_lints(
        defaults,
        jail,
        preset,
        nix.is_some_and(|n| n.value),
        network.is_none_or(|n| n.value),
        errors,
    );
    if let Some(nix) = nix
        && nix.value
        && network.is_none_or(|n| n.value)
    {
        errors.push(SpecError::NetworkWithNix { span: span_of(nix) });
    }
}

/// The variables `nix/lib/fast-network.nix` sets to the jail's CA bundle when the network is on.
const NETWORK_CA_VARS: &[&str] = &[
    "SSL_CERT_FILE",
    "NIX_SSL_CERT_FILE",
    "CURL_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
];

/// Warnings on environment names: ones that redirect traffic or trust or load code, and ones whose
/// value the library replaces. The order is `nix/lib/make-jailed-agent.nix`'s: every literal
/// (`set-env`: the network's CA variables, LANG, `env` merged over the preset's `env`, then the
/// preset's `homeEnv`, then `NIX_REMOTE`) becomes a `--setenv` after all of jail.nix's other
/// arguments, so a later literal beats an earlier one and every literal beats a forwarded value
/// (`try-fwd-env`, an earlier `--setenv`).
fn check_env_lints(
    defaults: Option<&JailSpec>,
    jail: &JailSpec,
    preset: Option<(&str, &presets::Preset)>,
    nix: bool,
    network: bool,
    errors: &mut Vec<SpecError>,
) {
    let sources = || defaults.into_iter().chain(std::iter::once(jail));
    let env_names = || {
        sources()
            .flat_map(|s| s.env.iter().flat_map(|m| m.iter()))
            .map(|(k, _)| k)
    };
    let forwarded = || sources().flat_map(|s| s.forward_env.iter().flatten());
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
        preset.and_then(|(pname, p)| {
            p.home_env
                .get(n)
                .map(|rel| format!("the `{pname}` preset sets it to `$HOME/{rel}` after `env`"))
        })
    };
    for name in env_names() {
        let winner = home_env(&name.value).or_else(|| {
            (nix && name.value == "NIX_REMOTE")
                .then(|| "`nix: true` sets it to `daemon` after `env`".to_owned())
        });
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
        let winner = if nix && n == "NIX_REMOTE" {
            Some("`nix: true` sets it to `daemon`".to_owned())
        } else if let Some(w) = home_env(n) {
            Some(w.replace(" after `env`", ""))
        } else if env_names().any(|e| e.value == n) {
            Some("`env` sets it to a literal".to_owned())
        } else if let Some(v) = preset.and_then(|(_, p)| p.env.get(n)) {
            preset.map(|(pname, _)| format!("the `{pname}` preset sets it to `{v}`"))
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
    for p in jail
        .readwrite_paths()
        .chain(jail.readonly.iter().flatten())
        .chain(config.into_iter().flatten())
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
        for p in s.readwrite_paths().chain(config.into_iter().flatten()) {
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
            let esc: Vec<char> = if c.is_control()
                || crate::error::is_bidi_control(c)
                || rules::hidden_char(c.encode_utf8(&mut [0; 4])).is_some()
                || c == '\u{AD}'
            {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            esc
        })
        .collect()
}
