//! `jails.yaml` as the user wrote it: serde-saphyr structs that mirror the YAML one to one, with a
//! byte span on every value a rule may complain about. No defaults, no Nix.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
pub use serde_saphyr::Spanned;

/// The only spec version this jailgen understands.
pub const SPEC_VERSION: u64 = 1;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub version: Spanned<u64>,
    #[serde(default)]
    pub defaults: Option<JailSpec>,
    pub jails: Spanned<OrderedMap<Spanned<String>, JailSpec>>,
}

/// One jail, or the `defaults:` block (which may not hold `agent` or `package`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JailSpec {
    #[serde(default)]
    pub agent: Option<Spanned<String>>,
    #[serde(default)]
    pub package: Option<Spanned<String>>,
    #[serde(default)]
    pub packages: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub readwrite: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub readonly: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub config_paths: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub network: Option<Spanned<bool>>,
    #[serde(default)]
    pub env: Option<OrderedMap<Spanned<String>, Spanned<String>>>,
    #[serde(default)]
    pub forward_env: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub nix: Option<Spanned<bool>>,
    #[serde(default)]
    pub new_session: Option<Spanned<bool>>,
    #[serde(default)]
    pub combinators: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub git: Option<Spanned<String>>,
    #[serde(default)]
    pub hide: Option<Spanned<Vec<Spanned<String>>>>,
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
];

/// Parses YAML text. Errors are serde-saphyr's (syntax, unknown or duplicate key, wrong type);
/// `crate::error` turns them into diagnostics.
pub fn parse(src: &str) -> Result<Spec, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(src, serde_saphyr::options! { with_snippet: false })
}

/// Byte range of a spanned value in the source, for miette.
pub fn span_of<T>(s: &Spanned<T>) -> miette::SourceSpan {
    let sp = s.referenced.span();
    let offset = sp.byte_offset().unwrap_or_else(|| sp.offset()) as usize;
    let len = sp.byte_len().unwrap_or_else(|| sp.len()) as usize;
    (offset, len).into()
}
