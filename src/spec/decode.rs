//! Events → [`Spec`], with accumulation: a problem in one value becomes a diagnostic, the value is
//! skipped, and decoding goes on with the next key. Only a syntax error, a breached budget or a
//! second document ends it early.
//!
//! The strictness is serde-saphyr's as jailgen configured it: unknown keys refused, duplicate keys
//! refused, a flag is a plain `true`/`false` (YAML 1.2 spellings), `null` never means "unset",
//! a string key takes any non-null scalar as its text, tags other than the core ones refused.

use std::collections::HashSet;

use serde_saphyr::granit_parser::ScalarStyle;

use super::diagnostics as diag;
use super::yaml::{Ev, Events, Fatal, Span, Tag};
use super::{
    JAIL_KEYS, JailSpec, NETWORK_KEYS, NetworkMap, NetworkSpec, OrderedMap, Spanned, Spec,
};
use crate::error::SpecError;

const TOP_KEYS: &[&str] = &["version", "defaults", "jails"];

/// What decoding found: the spec as far as it could be read, and the YAML-level problems.
/// `spec` is `None` when the text could not be read at all (syntax, budget, not one document).
#[derive(Debug)]
pub struct Decoded {
    pub spec: Option<Spec>,
    pub errors: Vec<SpecError>,
}

/// Why [`parse`] refused a document: every YAML-level problem, in source order.
#[derive(Debug)]
pub struct ParseError {
    pub errors: Vec<SpecError>,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.errors.first() {
            Some(e) => e.fmt(f),
            None => f.write_str("the spec could not be read"),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses YAML text into a [`Spec`]; any YAML-level problem refuses it.
pub fn parse(src: &str) -> Result<Spec, ParseError> {
    let Decoded { spec, errors } = decode(src, "jails.yaml");
    match spec {
        Some(spec) if errors.is_empty() => Ok(spec),
        _ => Err(ParseError { errors }),
    }
}

/// Decodes YAML text, collecting every YAML-level problem. `file` names the spec in the one
/// message that needs it (an empty file).
pub fn decode(src: &str, file: &str) -> Decoded {
    let mut d = Decoder {
        ev: Events::new(src),
        errors: Vec::new(),
    };
    let result = d.document();
    let mut errors = d.errors;
    errors.extend(d.ev.refused_tags.drain(..).map(|t| diag::tag(&t)));
    match result {
        Ok(Some(spec)) => Decoded {
            spec: Some(spec),
            errors,
        },
        Ok(None) => Decoded {
            spec: None,
            errors: vec![diag::empty(src, file)],
        },
        // What was found before the parse stopped is reported with what stopped it.
        Err(fatal) => {
            errors.push(diag::fatal(&fatal, src, file));
            Decoded { spec: None, errors }
        }
    }
}

struct Decoder<'a> {
    ev: Events<'a>,
    errors: Vec<SpecError>,
}

/// `Ok(None)`: the value was wrong and is already reported.
type Value<T> = Result<Option<T>, Fatal>;

fn is_null(text: &str, style: ScalarStyle, tag: Tag) -> bool {
    tag == Tag::Core("null")
        || (style == ScalarStyle::Plain
            && tag == Tag::None
            && matches!(text, "" | "~" | "null" | "Null" | "NULL"))
}

impl<'a> Decoder<'a> {
    fn document(&mut self) -> Result<Option<Spec>, Fatal> {
        if !self.ev.start()? {
            return Ok(None);
        }
        let spec = self.spec()?;
        self.ev.finish()?;
        Ok(spec)
    }

    /// Walks a mapping, calling `entry` for every key given once. `place` names the mapping in
    /// diagnostics. Returns the mapping's span, or `None` when the value is not a mapping.
    fn mapping(
        &mut self,
        mut entry: impl FnMut(&mut Self, Spanned<String>) -> Result<(), Fatal>,
    ) -> Value<(Span, Option<Span>)> {
        let (first, span) = self.ev.take()?;
        if !matches!(first, Ev::MapStart) {
            self.errors.push(diag::expected_mapping(span));
            self.ev.skip_rest(&first)?;
            return Ok(None);
        }
        let mut seen = Seen::default();
        let mut last_key = None;
        loop {
            if matches!(self.ev.peek()?, Ev::MapEnd | Ev::End) {
                self.ev.take()?;
                break;
            }
            let Some(key) = self.string()? else {
                self.skip()?;
                continue;
            };
            last_key = Some(key.span);
            // serde-saphyr honoured YAML 1.1 merge keys; a YAML 1.2 reader refuses them rather
            // than take `<<` for a name.
            if key.value == "<<" {
                self.errors.push(diag::merge_key(key.span));
                self.skip()?;
                continue;
            }
            if !seen.insert(&key.value) {
                self.errors.push(diag::duplicate_key(&key.value, key.span));
                self.skip()?;
                continue;
            }
            entry(self, key)?;
        }
        Ok(Some((span, last_key)))
    }

    fn skip(&mut self) -> Result<(), Fatal> {
        let (first, _) = self.ev.take()?;
        self.ev.skip_rest(&first)
    }

    fn spec(&mut self) -> Result<Option<Spec>, Fatal> {
        let mut version = None;
        let mut defaults = None;
        let mut jails = None;
        let mut broken = Vec::new();
        let mut given = Vec::new();
        let mut misspelt = Vec::new();
        let found = self.mapping(|d, key| {
            given.push(key.value.clone());
            match key.value.as_str() {
                "version" => match d.version()? {
                    Some(v) => version = Some(v),
                    None => broken.push("version"),
                },
                "defaults" => match d.jail()? {
                    Some(j) => defaults = Some(j),
                    None => broken.push("defaults"),
                },
                "jails" => match d.jails()? {
                    Some(j) => jails = Some(j),
                    None => broken.push("jails"),
                },
                _ => {
                    d.errors
                        .push(diag::unknown_key(&key, "top-level", TOP_KEYS));
                    // A misspelt `jails:` is one problem, not also a missing `jails`.
                    if let Some(meant) =
                        crate::rules::did_you_mean(&key.value, TOP_KEYS.iter().copied())
                    {
                        misspelt.push(meant);
                    }
                    d.skip()?;
                }
            }
            Ok(())
        })?;
        let Some((map_span, last_key)) = found else {
            return Ok(Some(Spec {
                version: Spanned::new(super::SPEC_VERSION, (0, 0)),
                defaults: None,
                jails: Spanned::new(OrderedMap::default(), (0, 0)),
                broken: vec!["version", "defaults", "jails"],
            }));
        };
        let at = last_key.unwrap_or(map_span);
        for key in ["version", "jails"] {
            if !given.iter().any(|g| g == key) {
                if !misspelt.contains(&key) {
                    self.errors.push(diag::missing_key(key, at));
                }
                broken.push(key);
            }
        }
        Ok(Some(Spec {
            version: version.unwrap_or_else(|| Spanned::new(super::SPEC_VERSION, (0, 0))),
            defaults,
            jails: jails.unwrap_or_else(|| Spanned::new(OrderedMap::default(), (0, 0))),
            broken,
        }))
    }

    fn version(&mut self) -> Value<Spanned<u64>> {
        let (ev, span) = self.ev.take()?;
        if let Ev::Scalar { text, style, tag } = &ev
            && !is_null(text, *style, *tag)
            && matches!(tag, Tag::None | Tag::Core("int"))
            && let Some(n) = whole_number(text)
        {
            return Ok(Some(Spanned::new(n, span)));
        }
        self.errors.push(diag::not_a_whole_number(span));
        self.ev.skip_rest(&ev)?;
        Ok(None)
    }

    fn jails(&mut self) -> Value<Spanned<OrderedMap<Spanned<String>, JailSpec>>> {
        let mut entries = Vec::new();
        let found = self.mapping(|d, name| {
            if let Some(jail) = d.jail()? {
                entries.push((name, jail));
            } else {
                // Reported; keep the name so name rules still run, with nothing else to check.
                entries.push((
                    name,
                    JailSpec {
                        broken: JAIL_KEYS.to_vec(),
                        ..JailSpec::default()
                    },
                ));
            }
            Ok(())
        })?;
        Ok(found.map(|(span, _)| Spanned::new(OrderedMap(entries), span)))
    }

    fn jail(&mut self) -> Value<JailSpec> {
        let mut j = JailSpec::default();
        let found = self.mapping(|d, key| {
            // One arm per key of `JAIL_KEYS` (a test checks that every one is decoded).
            let (name, ok) = match key.value.as_str() {
                "agent" => ("agent", set(&mut j.agent, d.string()?)),
                "package" => ("package", set(&mut j.package, d.string()?)),
                "packages" => ("packages", set(&mut j.packages, d.list()?.map(|l| l.value))),
                "readwrite" => (
                    "readwrite",
                    set(&mut j.readwrite, d.list()?.map(|l| l.value)),
                ),
                "readonly" => ("readonly", set(&mut j.readonly, d.list()?.map(|l| l.value))),
                "config_paths" => ("config_paths", set(&mut j.config_paths, d.list()?)),
                "network" => ("network", set(&mut j.network, d.network()?)),
                "env" => ("env", set(&mut j.env, d.env()?)),
                "forward_env" => (
                    "forward_env",
                    set(&mut j.forward_env, d.list()?.map(|l| l.value)),
                ),
                "nix" => ("nix", set(&mut j.nix, d.flag()?)),
                "new_session" => ("new_session", set(&mut j.new_session, d.flag()?)),
                "combinators" => (
                    "combinators",
                    set(&mut j.combinators, d.list()?.map(|l| l.value)),
                ),
                "git" => ("git", set(&mut j.git, d.string()?)),
                "hide" => ("hide", set(&mut j.hide, d.list()?)),
                "open_urls" => ("open_urls", set(&mut j.open_urls, d.flag()?)),
                "git_config" => ("git_config", set(&mut j.git_config, d.flag()?)),
                "worktree_dir" => ("worktree_dir", set(&mut j.worktree_dir, d.string()?)),
                "allow_exposure" => (
                    "allow_exposure",
                    set(&mut j.allow_exposure, d.list()?.map(|l| l.value)),
                ),
                _ => {
                    d.errors.push(diag::unknown_key(&key, "jail", JAIL_KEYS));
                    return d.skip();
                }
            };
            if !ok {
                j.broken.push(name);
            }
            Ok(())
        })?;
        Ok(found.map(|_| j))
    }

    /// A string: any scalar but null, as written.
    fn string(&mut self) -> Value<Spanned<String>> {
        let (ev, span) = self.ev.take()?;
        match ev {
            // A core tag other than `!!str` says the value is not text (serde-saphyr refused it).
            Ev::Scalar {
                tag: Tag::Core(t @ ("int" | "float" | "bool" | "seq" | "map")),
                ..
            } => {
                self.errors.push(diag::tagged_string(t, span));
                Ok(None)
            }
            Ev::Scalar { text, style, tag } if !is_null(&text, style, tag) => {
                Ok(Some(Spanned::new(text.into_owned(), span)))
            }
            Ev::Scalar { .. } => {
                self.errors.push(diag::null_string(span));
                Ok(None)
            }
            other => {
                self.errors.push(diag::expected_string(span));
                self.ev.skip_rest(&other)?;
                Ok(None)
            }
        }
    }

    /// `true` or `false`, plain (or `!!bool`); YAML 1.2 spellings only.
    fn flag(&mut self) -> Value<Spanned<bool>> {
        let (ev, span) = self.ev.take()?;
        if let Ev::Scalar { text, style, tag } = &ev {
            let quoted = matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
                || *tag == Tag::Core("str");
            if quoted {
                self.errors.push(diag::quoted_flag(span));
                return Ok(None);
            }
            if *style == ScalarStyle::Plain && matches!(tag, Tag::None | Tag::Core("bool")) {
                match text.as_ref() {
                    "true" | "True" | "TRUE" => return Ok(Some(Spanned::new(true, span))),
                    "false" | "False" | "FALSE" => return Ok(Some(Spanned::new(false, span))),
                    _ => {}
                }
            }
        }
        self.errors.push(diag::not_a_flag(span));
        self.ev.skip_rest(&ev)?;
        Ok(None)
    }

    /// `true`, `false`, `host` (plain or quoted) or a mapping of [`NETWORK_KEYS`]. Any problem
    /// inside the mapping is reported and leaves the whole value unread, so that rules on the
    /// network stay quiet about a value the user has yet to fix.
    fn network(&mut self) -> Value<Spanned<NetworkSpec>> {
        if matches!(self.ev.peek()?, Ev::MapStart) {
            let mut m = NetworkMap::default();
            let mut ok = true;
            let found = self.mapping(|d, key| {
                let read = match key.value.as_str() {
                    // A wrong item leaves the whole list unread (no "empty allowlist" after it).
                    "allow" => set(
                        &mut m.allow,
                        d.sequence(Self::string)?
                            .and_then(|(items, all)| all.then_some(items)),
                    ),
                    "host_ports" => set(&mut m.host_ports, d.ports()?),
                    "stack" => set(&mut m.stack, d.string()?),
                    _ => {
                        d.errors
                            .push(diag::unknown_key(&key, "network", NETWORK_KEYS));
                        d.skip()?;
                        false
                    }
                };
                ok &= read;
                Ok(())
            })?;
            return Ok(found
                .filter(|_| ok)
                .map(|(span, _)| Spanned::new(NetworkSpec::Map(m), span)));
        }
        let (ev, span) = self.ev.take()?;
        if let Ev::Scalar { text, style, tag } = &ev {
            let quoted = matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
                || *tag == Tag::Core("str");
            let plain =
                *style == ScalarStyle::Plain && matches!(tag, Tag::None | Tag::Core("bool"));
            let text_like = matches!(tag, Tag::None | Tag::Core("str"));
            match text.as_ref() {
                // Plain, quoted or a block scalar: the text `host` (`!!bool host` is not text).
                "host" if text_like => {
                    return Ok(Some(Spanned::new(NetworkSpec::Host, span)));
                }
                "true" | "True" | "TRUE" | "false" | "False" | "FALSE" if quoted => {
                    self.errors.push(diag::quoted_flag(span));
                    return Ok(None);
                }
                "true" | "True" | "TRUE" if plain => {
                    return Ok(Some(Spanned::new(NetworkSpec::Switch(true), span)));
                }
                "false" | "False" | "FALSE" if plain => {
                    return Ok(Some(Spanned::new(NetworkSpec::Switch(false), span)));
                }
                _ => {}
            }
            if is_null(text, *style, *tag) {
                self.errors.push(diag::null_network(span));
                return Ok(None);
            }
            let meant = match text.to_ascii_lowercase().as_str() {
                "yes" | "on" | "y" => Some("true"),
                "no" | "off" | "n" | "none" => Some("false"),
                t => crate::rules::did_you_mean(t, ["true", "false", "host"]),
            };
            self.errors.push(diag::not_a_network(span, meant));
            return Ok(None);
        }
        // `network: [docs.rs]` means an allowlist.
        let meant = matches!(ev, Ev::SeqStart).then_some("network: { allow: [...] }");
        self.errors.push(diag::not_a_network(span, meant));
        self.ev.skip_rest(&ev)?;
        Ok(None)
    }

    /// A list of TCP port numbers: plain scalars as written (`rules::host_port` reads them in
    /// validation, so that `0x50` or `99999` is named as written). A quoted item or one that is
    /// not a scalar is reported and the list is unread.
    fn ports(&mut self) -> Value<Spanned<Vec<Spanned<String>>>> {
        Ok(self
            .sequence(Self::port)?
            .and_then(|(items, all)| all.then_some(items)))
    }

    fn port(&mut self) -> Value<Spanned<String>> {
        let (ev, span) = self.ev.take()?;
        if let Ev::Scalar { text, style, tag } = &ev
            && *style == ScalarStyle::Plain
            && matches!(tag, Tag::None | Tag::Core("int"))
            && !is_null(text, *style, *tag)
        {
            return Ok(Some(Spanned::new(text.clone().into_owned(), span)));
        }
        self.errors.push(diag::not_a_port(span));
        self.ev.skip_rest(&ev)?;
        Ok(None)
    }

    /// A list of strings. A wrong item is reported and left out.
    fn list(&mut self) -> Value<Spanned<Vec<Spanned<String>>>> {
        Ok(self.sequence(Self::string)?.map(|(items, _)| items))
    }

    /// A sequence read item by item; a wrong item is reported (by `item`) and left out. Returns
    /// the items and whether every one was read.
    fn sequence<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Value<T>,
    ) -> Value<(Spanned<Vec<T>>, bool)> {
        let (ev, span) = self.ev.take()?;
        if !matches!(ev, Ev::SeqStart) {
            self.errors.push(diag::expected_list(span));
            self.ev.skip_rest(&ev)?;
            return Ok(None);
        }
        let mut items = Vec::new();
        let mut all = true;
        loop {
            if matches!(self.ev.peek()?, Ev::SeqEnd | Ev::End) {
                self.ev.take()?;
                break;
            }
            match item(self)? {
                Some(v) => items.push(v),
                None => all = false,
            }
        }
        Ok(Some((Spanned::new(items, span), all)))
    }

    /// `NAME: value` pairs; a value is any non-null scalar, as written.
    fn env(&mut self) -> Value<OrderedMap<Spanned<String>, Spanned<String>>> {
        let mut entries = Vec::new();
        let found = self.mapping(|d, name| {
            if let Some(v) = d.string()? {
                entries.push((name, v));
            }
            Ok(())
        })?;
        Ok(found.map(|_| OrderedMap(entries)))
    }
}

/// The keys of one mapping so far: a list while it is short (a jail's keys), a set beyond.
#[derive(Default)]
struct Seen {
    few: Vec<String>,
    many: HashSet<String>,
}

impl Seen {
    /// `false` when `key` was seen before.
    fn insert(&mut self, key: &str) -> bool {
        if self.many.is_empty() {
            if self.few.iter().any(|k| k == key) {
                return false;
            }
            if self.few.len() < 16 {
                self.few.push(key.to_owned());
                return true;
            }
            self.many.extend(self.few.drain(..));
        }
        self.many.insert(key.to_owned())
    }
}

/// A whole number as serde-saphyr read one into `version` before (quoted or not): decimal
/// without a leading zero, `0x` hexadecimal, `0o` octal, an optional `+`, `_` between digits.
fn whole_number(text: &str) -> Option<u64> {
    let t = text.strip_prefix('+').unwrap_or(text);
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x") {
        (h, 16)
    } else if let Some(o) = t.strip_prefix("0o") {
        (o, 8)
    } else if t.len() > 1 && t.starts_with('0') {
        return None;
    } else {
        (t, 10)
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    u64::from_str_radix(&clean, radix).ok()
}

/// Stores a decoded value; `false` when it was wrong (and reported).
fn set<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
    match value {
        Some(v) => {
            *slot = Some(v);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(src: &str) -> Vec<String> {
        decode(src, "t.yaml")
            .errors
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn versions_read_as_serde_saphyr_read_them() {
        for (text, n) in [
            ("1", 1),
            ("+1", 1),
            ("0x1", 1),
            ("0o1", 1),
            ("1_0", 10),
            ("0", 0),
        ] {
            assert_eq!(whole_number(text), Some(n), "{text}");
        }
        for text in ["01", "1.0", "-1", "1e0", "0x", "+", "_1", "one", ""] {
            assert_eq!(whole_number(text), None, "{text}");
        }
    }

    #[test]
    fn a_wrong_value_is_reported_and_decoding_goes_on() {
        let found = messages(
            "version: 1\njails:\n  a:\n    agent: [x]\n    nix: yes\n    zzz: 1\n    env: { A: !!int 5, B: ~ }\n  b:\n    readonly: {}\n",
        );
        assert_eq!(
            found,
            [
                "expected a string",
                "expected `true` or `false`",
                "unknown key `zzz`",
                "expected a string, found a value tagged `!!int`",
                "expected a string, found an empty value",
                "expected a list",
            ]
        );
    }

    #[test]
    fn an_alias_is_read_where_it_is_used() {
        let spec = parse("version: 1\njails:\n  a:\n    agent: codex\n    readonly: &r [/x, /y]\n  b:\n    agent: codex\n    readonly: *r\n")
            .expect("parses");
        let (_, b) = &spec.jails.value.0[1];
        let ro: Vec<&str> = b
            .readonly
            .iter()
            .flatten()
            .map(|s| s.value.as_str())
            .collect();
        assert_eq!(ro, ["/x", "/y"]);
        // Labels point at the alias, where the value is used.
        let at = b.readonly.as_ref().unwrap()[0].span.0;
        assert_eq!(
            &"version: 1\njails:\n  a:\n    agent: codex\n    readonly: &r [/x, /y]\n  b:\n    agent: codex\n    readonly: *r\n"
                [at..at + 2],
            "*r"
        );
    }

    #[test]
    fn every_jail_key_is_decoded() {
        for key in JAIL_KEYS {
            let found = messages(&format!("version: 1\njails:\n  a:\n    {key}: ~\n"));
            assert!(
                !found.iter().any(|m| m.starts_with("unknown key")),
                "`{key}` is in JAIL_KEYS but not decoded: {found:?}"
            );
        }
    }

    #[test]
    fn a_syntax_error_keeps_what_was_found_before_it() {
        let found = messages("version: 1\njails:\n  a:\n    zzz: 1\n    agent: \"open\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0], "unknown key `zzz`");
    }
}
