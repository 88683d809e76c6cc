//! `jails.yaml` as the user wrote it: structs that mirror the YAML one to one, with a byte span on
//! every value a rule may complain about. No defaults, no Nix.
//!
//! [`parse`] reads the text once ([`yaml`]: granit-parser events with spans) and decodes it with
//! accumulation ([`decode`]): every YAML-level problem (unknown key, wrong type, null, quoted flag,
//! tag, duplicate key) becomes a diagnostic ([`diagnostics`]) and decoding goes on, so one run
//! reports them all. The structs also generate the JSON Schema (`jailgen schema`).

pub mod decode;
pub mod diagnostics;
pub mod yaml;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

pub use decode::{Decoded, ParseError, decode, parse};
pub use yaml::{MAX_EVENTS, MAX_NODES};

/// A value with the byte range (offset, length) it was read from. A value reached through a YAML
/// alias carries the alias's range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: yaml::Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: yaml::Span) -> Self {
        Self { value, span }
    }
}

/// The only spec version this jailgen understands.
pub const SPEC_VERSION: u64 = 1;

/// A jailgen spec (`jails.yaml`): LLM coding agents to run in bubblewrap jails. `jailgen render`
/// turns it into `jails.nix`; `jailgen explain` says in words what each jail allows.
#[derive(Debug, Clone, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "jailgen spec (jails.yaml)")]
pub struct Spec {
    /// The spec format version; this jailgen reads `1`.
    #[schemars(with = "u64", range(min = 1, max = 1))]
    pub version: Spanned<u64>,
    /// Settings applied to every jail: lists are prepended to the jail's, maps merge with the
    /// jail's entries winning, scalars are overridden by the jail. May not hold `agent` or
    /// `package`.
    #[serde(default)]
    #[schemars(with = "JailSpec")]
    pub defaults: Option<JailSpec>,
    /// The jails. Each key is the command name (and the attribute of `jails.nix`).
    #[schemars(with = "OrderedMap<CommandName, JailSpec>")]
    pub jails: Spanned<OrderedMap<Spanned<String>, JailSpec>>,
    /// Top-level keys that were given but could not be decoded (already reported): rules that
    /// depend on them stay quiet rather than report a consequence.
    #[serde(skip)]
    pub broken: Vec<&'static str>,
}

/// One jail, or the `defaults:` block (which may not hold `agent` or `package`).
#[derive(Debug, Clone, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JailSpec {
    /// A preset from `nix/lib/agents.json` (`jailgen agents` lists them). Without it, give
    /// `package` and `config_paths` for a custom agent.
    #[serde(default)]
    #[schemars(schema_with = "agent_schema")]
    pub agent: Option<Spanned<String>>,
    /// The agent package as a Nix attribute path: `llm-agents.<name>` or a nixpkgs path such as
    /// `aider-chat`. Default for a preset: `llm-agents.<its package>`.
    #[serde(default)]
    #[schemars(with = "AttrPath")]
    pub package: Option<Spanned<String>>,
    /// Extra packages on PATH inside the jail (Nix attribute paths, e.g. `nodejs`,
    /// `python3Packages.pytest`).
    #[serde(default)]
    #[schemars(with = "Vec<AttrPath>")]
    pub packages: Option<Vec<Spanned<String>>>,
    /// Extra read-write binds: absolute paths or `~/…`.
    #[serde(default)]
    #[schemars(with = "Vec<JailPath>")]
    pub readwrite: Option<Vec<Spanned<String>>>,
    /// Extra read-only binds: absolute paths or `~/…`.
    #[serde(default)]
    #[schemars(with = "Vec<JailPath>")]
    pub readonly: Option<Vec<Spanned<String>>>,
    /// Read-write agent state, created when missing (a file when the last segment ends in .json,
    /// .jsonc, .json5, .toml, .yaml, .yml, .ini, .conf, .cfg, .txt, .db, .sqlite, .env, .lock,
    /// .xml or .plist; a directory otherwise). On a preset: added to the preset's own state paths.
    #[serde(default)]
    #[schemars(with = "Vec<JailPath>")]
    pub config_paths: Option<Spanned<Vec<Spanned<String>>>>,
    /// Network access. `true` (the default): a network namespace of its own with the internet
    /// through a user-mode stack; the host's loopback services and abstract unix sockets are out
    /// of reach. `false`: a namespace of its own with only loopback. `host`: the host's network
    /// namespace, its loopback services and abstract sockets (X11) included (warned). A mapping:
    /// `allow` (only an allowlist proxy: host names, `*.domain` globs, `host:port`, the sets
    /// `agent` and `registries`), `host_ports` (ports of the host's loopback the jail reaches)
    /// and `stack` (`slirp4netns` or `pasta`, without `allow`). A jail's `network` replaces the
    /// one in `defaults` whole.
    #[serde(default)]
    #[schemars(schema_with = "network_schema")]
    pub network: Option<Spanned<NetworkSpec>>,
    /// Environment variables set inside the jail to these literal values (written into the
    /// wrapper; never put secrets here, use `forward_env`).
    #[serde(default)]
    #[schemars(with = "OrderedMap<EnvName, EnvValue>")]
    pub env: Option<OrderedMap<Spanned<String>, Spanned<String>>>,
    /// Environment variables copied from the caller at launch, when set.
    #[serde(default)]
    #[schemars(with = "Vec<EnvName>")]
    pub forward_env: Option<Vec<Spanned<String>>>,
    /// Let the agent use the host Nix daemon (default `false`): read-only `/nix`, the daemon
    /// socket, `nix` on PATH.
    #[serde(default)]
    #[schemars(with = "bool")]
    pub nix: Option<Spanned<bool>>,
    /// Keep bwrap's `--new-session` (default `false`). `true` detaches the terminal (no terminal
    /// injection even without the seccomp filter) but breaks some TUIs.
    #[serde(default)]
    #[schemars(with = "bool")]
    pub new_session: Option<Spanned<bool>>,
    /// Extra argument-less jail.nix combinators (`nix/lib/combinators.json`).
    #[serde(default)]
    #[schemars(with = "Vec<CombinatorName>")]
    pub combinators: Option<Vec<Spanned<String>>>,
    /// `protect` (default): `.git/hooks` and `.git/config` of the working directory are
    /// read-only. `open`: writable like the rest of it.
    #[serde(default)]
    #[schemars(with = "GitPolicyName")]
    pub git: Option<Spanned<String>>,
    /// Globs relative to the working directory masked inside the jail (default
    /// `[.env, .env.*]`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub hide: Option<Spanned<Vec<Spanned<String>>>>,
    /// Let the agent open http and https URLs in your browser on the host (default `false`;
    /// jailed-agents' `enableOpenUrls`). Nothing but one http(s) URL passes; it is a way to
    /// carry data out, even without network.
    #[serde(default)]
    #[schemars(with = "bool")]
    pub open_urls: Option<Spanned<bool>>,
    /// Bind `~/.gitconfig` read-only when it exists (default `false`; jailed-agents'
    /// `mountGitConfig`): your git identity and settings inside the jail.
    #[serde(default)]
    #[schemars(with = "bool")]
    pub git_config: Option<Spanned<bool>>,
    /// A directory the agent may create git worktrees in, read-write (jailed-agents'
    /// `enableGitWorktrees.dir`): absolute or `~/…`; it must exist. Worktrees keep git protection.
    #[serde(default)]
    #[schemars(with = "JailPath")]
    pub worktree_dir: Option<Spanned<String>>,
    /// Sensitive locations (e.g. `~/.config/gh`) that a grant of this jail may expose
    /// deliberately; without it such a grant is an error. Each entry must be needed.
    #[serde(default)]
    #[schemars(with = "Vec<AllowEntry>")]
    pub allow_exposure: Option<Vec<Spanned<String>>>,
    /// Keys that were given but could not be decoded (already reported).
    #[serde(skip)]
    pub broken: Vec<&'static str>,
}

/// A YAML mapping that keeps the order of its entries (jails render in spec order). Duplicate keys
/// never reach it: the decoder reports and drops them.
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

/// `network:` as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkSpec {
    /// `true` or `false`.
    Switch(bool),
    /// `host`.
    Host,
    /// A mapping (`allow`, `host_ports`, `stack`).
    Map(NetworkMap),
}

impl NetworkSpec {
    /// A mapping with `allow`: only the allowlist proxy.
    pub fn is_allowlist(&self) -> bool {
        matches!(self, NetworkSpec::Map(m) if m.allow.is_some())
    }
}

/// `network:` as a mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkMap {
    /// Allowlist entries as written (sets unexpanded).
    pub allow: Option<Spanned<Vec<Spanned<String>>>>,
    /// Host loopback ports as written (plain scalars; read by `rules::host_port` in validation).
    pub host_ports: Option<Spanned<Vec<Spanned<String>>>>,
    /// `slirp4netns` or `pasta`.
    pub stack: Option<Spanned<String>>,
}

/// Keys of the `network:` mapping.
pub const NETWORK_KEYS: &[&str] = &["allow", "host_ports", "stack"];

/// The user-mode stacks `network.stack` may name (the library's `netStack`).
pub const NET_STACKS: &[&str] = &["slirp4netns", "pasta"];

/// The named sets an allowlist may hold: `agent` (the preset's hosts) and those of
/// `nix/lib/network-sets.json`.
pub fn network_set_names() -> Vec<&'static str> {
    std::iter::once("agent")
        .chain(crate::presets::network_sets().keys().map(String::as_str))
        .collect()
}

fn network_schema(_: &mut SchemaGenerator) -> Schema {
    let sets = network_set_names();
    json_schema!({
        "description": "`true` (default: own network namespace, the internet through a user-mode stack, the host's loopback and abstract sockets out of reach), `false` (only loopback), `host` (the host's network namespace; warned) or a mapping",
        "oneOf": [
            { "type": "boolean" },
            { "const": "host" },
            {
                "type": "object",
                "additionalProperties": false,
                "not": { "required": ["allow", "stack"] },
                "if": { "required": ["allow"], "properties": { "allow": { "maxItems": 0 } } },
                "then": { "required": ["host_ports"], "properties": { "host_ports": { "minItems": 1 } } },
                "properties": {
                    "allow": {
                        "description": "Only a filtering proxy, which relays to these: host names (`docs.rs`: ports 443 and 80), `*.domain` globs (names below it), `host:port`, and the sets `agent` (the preset's API and login hosts) and `registries`. No IP addresses.",
                        "type": "array",
                        "items": {
                            "anyOf": [
                                { "enum": sets },
                                { "type": "string", "pattern": "^(\\*\\.)?([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\\.)+[A-Za-z]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(:[1-9][0-9]{0,4})?$", "maxLength": 260 }
                            ]
                        }
                    },
                    "host_ports": {
                        "description": "TCP ports of the host's loopback (127.0.0.1) the jail reaches at its own 127.0.0.1, e.g. a local model server; nothing else of the host's loopback",
                        "type": "array",
                        "items": { "type": "integer", "minimum": 1, "maximum": 65535 }
                    },
                    "stack": {
                        "description": "The user-mode network stack behind the internet (not with `allow`)",
                        "enum": NET_STACKS
                    }
                }
            }
        ]
    })
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

/// Byte range of a spanned value in the source, for miette.
pub fn span_of<T>(s: &Spanned<T>) -> miette::SourceSpan {
    s.span.into()
}
