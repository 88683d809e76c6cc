//! `jails.yaml` as the user wrote it: serde-saphyr structs that mirror the YAML one to one, with a
//! byte span on every value a rule may complain about. No defaults, no Nix.

use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
pub use serde_saphyr::Spanned;

/// The only spec version this jailgen understands.
pub const SPEC_VERSION: u64 = 1;

/// A jailgen spec (`jails.yaml`): LLM coding agents to run in bubblewrap jails. `jailgen render`
/// turns it into `jails.nix`; `jailgen explain` says in words what each jail allows.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "jailgen spec (jails.yaml)")]
pub struct Spec {
    /// The spec format version; this jailgen reads `1`.
    #[schemars(with = "u64", range(min = 1, max = 1))]
    pub version: Spanned<u64>,
    /// Settings applied to every jail: lists are prepended to the jail's, maps merge with the
    /// jail's entries winning, scalars are overridden by the jail. May not hold `agent` or
    /// `package`.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "JailSpec")]
    pub defaults: Option<JailSpec>,
    /// The jails. Each key is the command name (and the attribute of `jails.nix`).
    #[schemars(with = "OrderedMap<CommandName, JailSpec>")]
    pub jails: Spanned<OrderedMap<Spanned<String>, JailSpec>>,
}

/// One jail, or the `defaults:` block (which may not hold `agent` or `package`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JailSpec {
    /// A preset from `nix/lib/agents.json` (`jailgen agents` lists them). Without it, give
    /// `package` and `config_paths` for a custom agent.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(schema_with = "agent_schema")]
    pub agent: Option<Spanned<String>>,
    /// The agent package as a Nix attribute path: `llm-agents.<name>` or a nixpkgs path such as
    /// `aider-chat`. Default for a preset: `llm-agents.<its package>`.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "AttrPath")]
    pub package: Option<Spanned<String>>,
    /// Extra packages on PATH inside the jail (Nix attribute paths, e.g. `nodejs`,
    /// `python3Packages.pytest`).
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "Vec<AttrPath>")]
    pub packages: Option<Vec<Spanned<String>>>,
    /// Extra read-write binds: absolute paths or `~/…`.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "Vec<JailPath>")]
    pub readwrite: Option<Vec<Spanned<String>>>,
    /// Extra read-only binds: absolute paths or `~/…`.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "Vec<JailPath>")]
    pub readonly: Option<Vec<Spanned<String>>>,
    /// Read-write agent state, created when missing (a file when the last segment ends in .json,
    /// .jsonc, .json5, .toml, .yaml, .yml, .ini, .conf, .cfg, .txt, .db, .sqlite, .env, .lock,
    /// .xml or .plist; a directory otherwise). On a preset: added to the preset's own state paths.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "Vec<JailPath>")]
    pub config_paths: Option<Spanned<Vec<Spanned<String>>>>,
    /// Network access (default `true`: the host's network namespace, its loopback services and
    /// abstract unix sockets included). `false`: a namespace of its own with only loopback.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "bool")]
    pub network: Option<Spanned<bool>>,
    /// Environment variables set inside the jail to these literal values (written into the
    /// wrapper; never put secrets here, use `forward_env`).
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "OrderedMap<EnvName, EnvValue>")]
    pub env: Option<OrderedMap<Spanned<String>, Spanned<String>>>,
    /// Environment variables copied from the caller at launch, when set.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "Vec<EnvName>")]
    pub forward_env: Option<Vec<Spanned<String>>>,
    /// Let the agent use the host Nix daemon (default `false`): read-only `/nix`, the daemon
    /// socket, `nix` on PATH.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "bool")]
    pub nix: Option<Spanned<bool>>,
    /// Keep bwrap's `--new-session` (default `false`). `true` detaches the terminal (no terminal
    /// injection even without the seccomp filter) but breaks some TUIs.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "bool")]
    pub new_session: Option<Spanned<bool>>,
    /// Extra argument-less jail.nix combinators (`nix/lib/combinators.json`).
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "Vec<CombinatorName>")]
    pub combinators: Option<Vec<Spanned<String>>>,
    /// `protect` (default): `.git/hooks` and `.git/config` of the working directory are
    /// read-only. `open`: writable like the rest of it.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "GitPolicyName")]
    pub git: Option<Spanned<String>>,
    /// Globs relative to the working directory masked inside the jail (default
    /// `[.env, .env.*]`).
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "Vec<String>")]
    pub hide: Option<Spanned<Vec<Spanned<String>>>>,
    /// Let the agent open http and https URLs in your browser on the host (default `false`;
    /// jailed-agents' `enableOpenUrls`). Nothing but one http(s) URL passes; it is a way to
    /// carry data out, even without network.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "bool")]
    pub open_urls: Option<Spanned<bool>>,
    /// Bind `~/.gitconfig` read-only when it exists (default `false`; jailed-agents'
    /// `mountGitConfig`): your git identity and settings inside the jail.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "bool")]
    pub git_config: Option<Spanned<bool>>,
    /// A directory the agent may create git worktrees in, read-write (jailed-agents'
    /// `enableGitWorktrees.dir`): absolute or `~/…`; it must exist. Worktrees keep git protection.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "JailPath")]
    pub worktree_dir: Option<Spanned<String>>,
    /// Sensitive locations (e.g. `~/.config/gh`) that a grant of this jail may expose
    /// deliberately; without it such a grant is an error. Each entry must be needed.
    #[serde(default, deserialize_with = "not_null")]
    #[schemars(with = "Vec<AllowEntry>")]
    pub allow_exposure: Option<Vec<Spanned<String>>>,
}

impl JailSpec {
    /// The read-write grants as written: `readwrite`, then `worktree_dir` (which is one).
    pub fn readwrite_paths(&self) -> impl Iterator<Item = &Spanned<String>> {
        self.readwrite
            .iter()
            .flatten()
            .chain(self.worktree_dir.iter())
    }
}

/// A YAML mapping that keeps the order of its entries (jails render in spec order). Duplicate keys
/// never reach it: the YAML layer rejects them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderedMap<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for OrderedMap<K, V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<K, V> OrderedMap<K, V> {
    pub fn iter(&self) -> impl Iterator<Item = &(K, V)> {
        self.0.iter()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for MapVisitor<K, V> {
            type Value = OrderedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(OrderedMap(entries))
            }
        }
        d.deserialize_map(MapVisitor(PhantomData))
    }
}

/// An optional key, present: `null`/`~`/an empty value is refused with the type error of the key
/// (`expected \`true\` or \`false\``, `expected a list`, …) instead of meaning "unset". A
/// reviewer reading `network: ~` should not have to know that YAML makes it `null` and jailgen
/// makes that the default.
fn not_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Keys a jail may hold; `defaults:` may hold all but `agent` and `package`.
pub const JAIL_KEYS: &[&str] = &[
    "agent",
    "package",
    "packages",
    "readwrite",
    "readonly",
    "config_paths",
    "network",
    "env",
    "forward_env",
    "nix",
    "new_session",
    "combinators",
    "git",
    "hide",
    "open_urls",
    "git_config",
    "worktree_dir",
    "allow_exposure",
];

/// A Nix attribute path of identifiers.
#[derive(JsonSchema)]
#[schemars(
    transform = attr_path_pattern,
    description = "A Nix attribute path: `llm-agents.<name>` or a nixpkgs path such as `python3Packages.pytest`"
)]
#[allow(dead_code)]
struct AttrPath(String);

fn attr_path_pattern(s: &mut Schema) {
    s.insert(
        "pattern".into(),
        r"^[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*$".into(),
    );
}

/// An absolute path or one below home (`~/…`).
#[derive(JsonSchema)]
#[schemars(
    transform = jail_path_pattern,
    description = "An absolute path (`/opt/data`) or one below your home (`~/projects`)"
)]
#[allow(dead_code)]
struct JailPath(String);

fn jail_path_pattern(s: &mut Schema) {
    s.insert("pattern".into(), "^(/|~/)".into());
}

/// A sensitive location named in `allow_exposure`.
#[derive(JsonSchema)]
#[schemars(
    transform = allow_entry_pattern,
    description = "A sensitive location to accept, e.g. `~/.config/gh`, `/etc` or `~` (`jailgen explain --help` lists them)"
)]
#[allow(dead_code)]
struct AllowEntry(String);

fn allow_entry_pattern(s: &mut Schema) {
    s.insert("pattern".into(), "^(/|~/|~$)".into());
}

/// A jail's command name.
#[derive(JsonSchema)]
#[schemars(
    transform = command_name_pattern,
    description = "A command name: a letter or digit, then letters, digits, `.`, `_`, `+`, `-`"
)]
#[allow(dead_code)]
struct CommandName(String);

fn command_name_pattern(s: &mut Schema) {
    s.insert("pattern".into(), "^[A-Za-z0-9][A-Za-z0-9._+-]*$".into());
}

/// A POSIX environment variable name.
#[derive(JsonSchema)]
#[schemars(
    transform = env_name_pattern,
    description = "An environment variable name, e.g. `ANTHROPIC_API_KEY`"
)]
#[allow(dead_code)]
struct EnvName(String);

fn env_name_pattern(s: &mut Schema) {
    s.insert("pattern".into(), "^[A-Za-z_][A-Za-z0-9_]*$".into());
}

/// An `env` value: YAML scalars that are not strings are taken as the text written.
struct EnvValue;

impl JsonSchema for EnvValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EnvValue".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A literal value; a number or boolean is taken as the text written",
            "type": ["string", "number", "boolean"]
        })
    }
}

/// A combinator name from `nix/lib/combinators.json`.
struct CombinatorName;

impl JsonSchema for CombinatorName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CombinatorName".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = crate::presets::combinators()
            .keys()
            .map(String::as_str)
            .collect();
        json_schema!({
            "description": "An argument-less jail.nix combinator (nix/lib/combinators.json)",
            "enum": names
        })
    }
}

/// `protect` or `open`.
struct GitPolicyName;

impl JsonSchema for GitPolicyName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "GitPolicy".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`protect`: .git/hooks and .git/config read-only; `open`: writable",
            "enum": ["protect", "open"]
        })
    }
}

fn agent_schema(_: &mut SchemaGenerator) -> Schema {
    let names: Vec<&str> = crate::presets::presets()
        .keys()
        .map(String::as_str)
        .collect();
    json_schema!({
        "description": "A preset from nix/lib/agents.json (`jailgen agents` lists them)",
        "enum": names
    })
}

impl<K: JsonSchema, V: JsonSchema> JsonSchema for OrderedMap<K, V> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let key = generator.subschema_for::<K>();
        let value = generator.subschema_for::<V>();
        json_schema!({
            "type": "object",
            "propertyNames": key,
            "additionalProperties": value
        })
    }
}

/// The JSON Schema (draft 2020-12) of `jails.yaml`, generated from [`Spec`].
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Spec>();
    schema.insert("$id".into(), crate::cli::SCHEMA_URL.into());
    let mut value = schema.to_value();
    unwrap_descriptions(&mut value);
    drop_null_defaults(&mut value);
    value
}

/// `#[serde(default)]` makes schemars write `"default": null`, but a key given as null is refused
/// (see `not_null`); an absent key gets the default its description names.
fn drop_null_defaults(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            if map.get("default").is_some_and(serde_json::Value::is_null) {
                map.remove("default");
            }
            map.values_mut().for_each(drop_null_defaults);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_null_defaults),
        _ => {}
    }
}

/// Doc comments arrive with their source line breaks; a description is one paragraph.
fn unwrap_descriptions(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                match child {
                    serde_json::Value::String(text) if k == "description" => {
                        *text = text.replace('\n', " ");
                    }
                    other => unwrap_descriptions(other),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

/// Parses YAML text. Errors are serde-saphyr's (syntax, unknown or duplicate key, wrong type);
/// `crate::error` turns them into diagnostics.
///
/// The node and event budgets are raised so 10 000 jails using every key fit (about 52 nodes
/// and 61 events a jail: about 19 000 such jails fit); every alias and anchor limit keeps
/// serde-saphyr's default, which is what refuses billion-laughs documents.
///
/// Tags are refused before serde-saphyr reads the document, except the core-schema ones
/// (`!!str`, `!!bool`, `!!int`, `!!float`, `!!null`, `!!seq`, `!!map`, which still have to fit
/// the key's type): an application tag (`!custom`, `!!python/name:os.system`) would otherwise be
/// dropped silently, and `!!binary` shows the reviewer base64 while the jail gets the decoded
/// text. Flags are YAML 1.2's plain `true`/`false` only: serde-saphyr's `strict_booleans` refuses
/// `yes`/`no`/`on`/`off`/`y`/`n`, and a quoted `"false"` (which it would read as the boolean) is
/// refused here by looking at the source under the value.
pub fn parse(src: &str) -> Result<Spec, ParseError> {
    if let Some(tag) = refused_tag(src) {
        return Err(ParseError::Tag(tag));
    }
    let spec: Spec =
        serde_saphyr::from_str_with_options(src, options()).map_err(ParseError::Yaml)?;
    let blocks = spec
        .defaults
        .iter()
        .chain(spec.jails.value.iter().map(|(_, j)| j));
    for jail in blocks {
        for flag in [&jail.network, &jail.nix, &jail.new_session]
            .into_iter()
            .flatten()
        {
            // Where the value is written: `defined` is the anchored node behind an alias.
            for sp in [flag.referenced.span(), flag.defined.span()] {
                let offset = sp.byte_offset().unwrap_or_else(|| sp.offset()) as usize;
                let len = sp.byte_len().unwrap_or_else(|| sp.len()) as usize;
                if matches!(src.as_bytes().get(offset), Some(b'"' | b'\'')) {
                    return Err(ParseError::QuotedFlag(offset, len));
                }
            }
        }
    }
    Ok(spec)
}

/// Why [`parse`] refused a document.
#[derive(Debug)]
pub enum ParseError {
    /// serde-saphyr's error: syntax, budget, unknown or duplicate key, wrong type.
    Yaml(serde_saphyr::Error),
    /// A YAML tag jailgen does not accept.
    Tag(RefusedTag),
    /// A flag written as a quoted string (byte offset and length of the value).
    QuotedFlag(usize, usize),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Self::Yaml(e) => e.fmt(f),
            Self::Tag(t) => write!(f, "the YAML tag `{}` is not accepted", t.text),
            Self::QuotedFlag(..) => f.write_str("a flag is a quoted string"),
        }
    }
}

impl std::error::Error for ParseError {}

/// A tag in the source that jailgen refuses, as written, with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedTag {
    /// The tag as written (`!!binary`, `!secret`, `!<tag:yaml.org,2002:binary>`).
    pub text: String,
    /// Byte offset and length of the tag (of its node when the parser gives no tag range).
    pub span: (usize, usize),
    /// `!!binary` (decodes base64) rather than an unknown tag (dropped silently).
    pub binary: bool,
}

/// Core-schema tags that keep their plain meaning; the type check still applies to them.
const CORE_TAGS: &[&str] = &["str", "bool", "int", "float", "null", "seq", "map"];

/// The first tag of `src` other than a core-schema one. A document without `!` holds no tag
/// and is not scanned. A syntax error ends the scan: serde-saphyr then reports it.
fn refused_tag(src: &str) -> Option<RefusedTag> {
    use serde_saphyr::granit_parser::{Event, Parser};
    if !src.contains('!') {
        return None;
    }
    for item in Parser::new_from_str(src) {
        let (event, span) = item.ok()?;
        let tag = match &event {
            Event::Scalar(_, _, _, tag)
            | Event::SequenceStart(_, _, tag)
            | Event::MappingStart(_, _, tag) => tag,
            _ => continue,
        };
        let Some(tag) = tag else { continue };
        // Shorthand (`!!str`, `!e!str` after a %TAG) and verbatim (`!<tag:…>`) spellings alike.
        let full = format!("{}{}", tag.handle(), tag.suffix());
        let core = full.strip_prefix("tag:yaml.org,2002:");
        if core.is_some_and(|name| CORE_TAGS.contains(&name)) {
            continue;
        }
        let whole = span.tag_span().unwrap_or(span);
        let text = whole.slice(src).map_or_else(|| full.clone(), str::to_owned);
        let offset = whole.start.byte_offset().unwrap_or(0);
        let len = whole
            .byte_range()
            .map_or(0, |r| r.end.saturating_sub(r.start));
        return Some(RefusedTag {
            text,
            span: (offset, len),
            binary: core == Some("binary"),
        });
    }
    None
}

/// Most YAML nodes (sequences, mappings, scalars) a spec may hold.
pub const MAX_NODES: usize = 1_000_000;
/// Most parser events a spec may produce.
pub const MAX_EVENTS: usize = 2_000_000;

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
        reject_unsupported_tags: true,
        budget: serde_saphyr::budget! {
            max_nodes: MAX_NODES,
            max_events: MAX_EVENTS,
        },
    }
}

/// Byte range of a spanned value in the source, for miette.
pub fn span_of<T>(s: &Spanned<T>) -> miette::SourceSpan {
    let sp = s.referenced.span();
    let offset = sp.byte_offset().unwrap_or_else(|| sp.offset()) as usize;
    let len = sp.byte_len().unwrap_or_else(|| sp.len()) as usize;
    (offset, len).into()
}
