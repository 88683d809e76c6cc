//! The YAML-level diagnostics of a spec: one constructor per problem the decoder finds, with its
//! message and fix, and the translation of a fatal parse error (syntax, budget) into one.
//!
//! A fatal error's message is serde-saphyr's, as before: the text is read again by serde-saphyr
//! (into nothing), which stops at the same place with its own wording. That costs a second parse,
//! on the error path only.

use miette::SourceSpan;

use super::Spanned;
use super::yaml::{Fatal, RefusedTag, Span};
use crate::error::SpecError;

/// Help for a flag that is not a plain `true`/`false`: quoted, `!!str`, a YAML 1.1 spelling,
/// null, or anything else.
const FLAG_HELP: &str = "write `true` or `false`, unquoted: a quoted value is a string, and YAML 1.1 spellings (`yes`, `no`, `on`, `off`, `y`, `n`) are not booleans here; an empty value or `~` is YAML's null, which jailgen does not read as \"unset\" (remove the key for the default)";

const LIST_HELP: &str = "write a list as `[a, b]` or as lines starting with `- ` (an empty value or `~` is not read as \"unset\": remove the key for the default)";

const MAPPING_HELP: &str = "write a mapping as `{ KEY: value }` or as indented `key: value` lines (an empty value or `~` is not read as \"unset\": remove the key for the default)";

const TYPE_HELP: &str = "see the spec reference for the type of each key";

fn wrong_type(message: &str, span: Span, help: &str) -> SpecError {
    SpecError::WrongType {
        message: message.to_owned(),
        span: Some(span.into()),
        help: help.to_owned(),
    }
}

pub fn expected_mapping(span: Span) -> SpecError {
    wrong_type("expected a mapping", span, MAPPING_HELP)
}

pub fn expected_list(span: Span) -> SpecError {
    wrong_type("expected a list", span, LIST_HELP)
}

pub fn expected_string(span: Span) -> SpecError {
    wrong_type("expected a string", span, TYPE_HELP)
}

pub fn tagged_string(tag: &str, span: Span) -> SpecError {
    wrong_type(
        &format!("expected a string, found a value tagged `!!{tag}`"),
        span,
        "remove the tag, or write `!!str` (or quote the value) for the text itself",
    )
}

pub fn null_string(span: Span) -> SpecError {
    wrong_type(
        "expected a string, found an empty value",
        span,
        "an empty value or a bare `~` is YAML's null, which jailgen does not read as \"unset\": write the value (quote a path starting with `~`, e.g. `\"~/notes\"`), or remove the key for the default",
    )
}

pub fn not_a_flag(span: Span) -> SpecError {
    wrong_type("expected `true` or `false`", span, FLAG_HELP)
}

pub fn quoted_flag(span: Span) -> SpecError {
    wrong_type(
        "expected `true` or `false`, found a quoted string",
        span,
        FLAG_HELP,
    )
}

/// `network:` that is not `true`, `false`, `host` or a mapping (`meant`: the spelling it is
/// closest to, if any).
pub fn not_a_network(span: Span, meant: Option<&str>) -> SpecError {
    let mut help = String::new();
    if let Some(m) = meant {
        help.push_str(&format!("did you mean `{m}`? "));
    }
    help.push_str(NETWORK_HELP);
    wrong_type("expected `true`, `false`, `host` or a mapping", span, &help)
}

const NETWORK_HELP: &str = "write `network: true` (the default: the internet, not the host's services), `network: false` (only loopback), `network: host` (the host's network; warned), or a mapping:\n  network:\n    allow: [agent, registries, docs.rs]\n    host_ports: [11434]\n(flags are plain `true`/`false`: not quoted, not YAML 1.1's `yes`/`no`/`on`/`off`)";

pub fn null_network(span: Span) -> SpecError {
    wrong_type(
        "expected `true`, `false`, `host` or a mapping, found an empty value",
        span,
        &format!(
            "an empty value or a bare `~` is YAML's null, which jailgen does not read as \"unset\": remove the key for the default (`true`), or {}",
            NETWORK_HELP
        ),
    )
}

pub fn not_a_port(span: Span) -> SpecError {
    wrong_type(
        "expected a port number",
        span,
        "write TCP port numbers from 1 to 65535, unquoted, e.g. `host_ports: [11434]`",
    )
}

pub fn not_a_whole_number(span: Span) -> SpecError {
    wrong_type("expected a whole number", span, "write `version: 1`")
}

pub fn duplicate_key(key: &str, span: Span) -> SpecError {
    SpecError::DuplicateKey {
        key: crate::suggest::shown(key),
        span: Some(span.into()),
    }
}

pub fn merge_key(span: Span) -> SpecError {
    SpecError::MergeKey { span: span.into() }
}

pub fn missing_key(key: &str, span: Span) -> SpecError {
    SpecError::MissingKey {
        key: key.to_owned(),
        span: Some(span.into()),
        help: match key {
            "version" => "start the file with `version: 1`".to_owned(),
            _ => "add a `jails:` mapping, e.g.\n  jails:\n    jailed-claude-code:\n      agent: claude-code".to_owned(),
        },
    }
}

/// `place` is `top-level` or `jail`; `known` the keys that mapping takes.
pub fn unknown_key(key: &Spanned<String>, place: &'static str, known: &[&str]) -> SpecError {
    SpecError::UnknownKey {
        key: crate::suggest::shown(&key.value),
        span: Some(key.span.into()),
        place,
        help: crate::suggest::help(&key.value, known.iter().copied(), "known keys", None),
    }
}

pub fn tag(t: &RefusedTag) -> SpecError {
    let (why, help) = if t.binary {
        (
            "decoded from base64",
            "write the value itself: a reviewer of jails.yaml reads the base64, the jail would get the decoded text",
        )
    } else if t.misplaced {
        (
            "not this kind of value",
            "remove the tag: a core tag must fit the value (`!!str` a scalar, `!!seq` a list, `!!map` a mapping)",
        )
    } else {
        (
            "unknown tag",
            "remove the tag: jailgen reads plain YAML values, and would otherwise drop an application tag without a word (core tags such as `!!str` are accepted where they fit the type)",
        )
    };
    SpecError::Tag {
        tag: crate::suggest::shown(&t.text),
        span: Some(t.span.into()),
        why,
        help,
    }
}

/// A file that holds no document: only comments and blank lines.
pub fn empty(src: &str, file: &str) -> SpecError {
    if src
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        SpecError::Empty {
            file: file.to_owned(),
        }
    } else {
        SpecError::Yaml {
            message: "the file holds no YAML document".to_owned(),
            span: None,
        }
    }
}

/// The diagnostic of a parse that could not go on.
pub fn fatal(fatal: &Fatal, src: &str, file: &str) -> SpecError {
    let second_document = |at: Span| SpecError::Yaml {
        message: "a second YAML document starts here; a spec is one document".to_owned(),
        span: Some(at.into()),
    };
    if let Fatal::SecondDocument(at) = fatal {
        return second_document(*at);
    }
    // serde-saphyr reads the same text with the same parser and budgets, and words the error.
    let again: Result<serde::de::IgnoredAny, _> =
        serde_saphyr::from_str_with_options(src, options());
    match again {
        Err(e) => from_yaml_error(&e, src, file),
        Ok(_) => match fatal {
            Fatal::Scan(e) => SpecError::Yaml {
                message: e.info().to_string(),
                span: e.marker().byte_offset().map(|o| (o, 0).into()),
            },
            Fatal::Budget(what) => SpecError::Yaml {
                message: format!("budget breached: {what}"),
                span: None,
            },
            Fatal::SecondDocument(at) => second_document(*at),
        },
    }
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
        reject_unsupported_tags: true,
        budget: serde_saphyr::budget! {
            max_nodes: super::MAX_NODES,
            max_events: super::MAX_EVENTS,
        },
    }
}

/// Turns a serde-saphyr error (syntax, budget, more than one document) into a diagnostic.
fn from_yaml_error(err: &serde_saphyr::Error, src: &str, file: &str) -> SpecError {
    use serde_saphyr::Error as Y;
    let loc_span = |loc: &serde_saphyr::Location| -> Option<SourceSpan> {
        let sp = loc.span();
        let offset = sp.byte_offset()? as usize;
        let len = sp.byte_len().unwrap_or(0) as usize;
        Some((offset, len).into())
    };
    match err.without_snippet() {
        Y::MultipleDocuments { location, .. } => SpecError::Yaml {
            message: "a second YAML document starts here; a spec is one document".to_owned(),
            span: loc_span(location),
        },
        _ if src
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) =>
        {
            SpecError::Empty {
                file: file.to_owned(),
            }
        }
        other => {
            let (message, span) = bridge(other, src, file);
            SpecError::Yaml { message, span }
        }
    }
}

/// Message and first label of serde-saphyr's own miette rendering of an error.
fn bridge(err: &serde_saphyr::Error, src: &str, file: &str) -> (String, Option<SourceSpan>) {
    let report = serde_saphyr::miette::to_miette_report(err, src, file);
    let message = lowercase_first(&report.to_string());
    let span = report
        .labels()
        .and_then(|mut l| l.next())
        .map(|l| *l.inner());
    (message, span)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
