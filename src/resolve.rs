//! `Spec` → [`Resolved`]: `defaults` merged into each jail, every path normalised, every preset,
//! package, git policy and `allow_exposure` entry looked up, once, with the spans kept. A value
//! that does not resolve keeps its reason (`Err`) for validation to report; validation and the
//! lints read only this, and the model is built from it without merging or normalising again.
//!
//! Merge rules: lists are the `defaults` entries then the jail's; maps (`env`) the same, the
//! jail's entry winning (the model inserts in that order); scalars are the jail's, else the
//! default. Entries from `defaults` are shared by every jail and marked [`Entry::from_defaults`],
//! so a problem in one is reported once.

use crate::model::GitPolicy;
use crate::presets::{self, Preset};
use crate::rules::{self, AttrPathProblem, HideProblem, PathProblem, PkgRef};
use crate::spec::{JailSpec, NetworkSpec, Spanned, Spec, yaml::Span};

/// One value as written, what it resolved to, and where it came from.
#[derive(Debug, Clone)]
pub struct Entry<T> {
    pub raw: Spanned<String>,
    pub value: T,
    pub from_defaults: bool,
}

pub type PathEntry = Entry<Result<String, PathProblem>>;
pub type PkgEntry = Entry<Result<PkgRef, AttrPathProblem>>;

/// An `env` entry.
#[derive(Debug, Clone)]
pub struct EnvEntry {
    pub name: Spanned<String>,
    pub value: Spanned<String>,
    pub from_defaults: bool,
}

/// `network:` as written, and whether it came from `defaults`.
#[derive(Debug, Clone)]
pub struct NetworkEntry {
    pub spec: Spanned<NetworkSpec>,
    pub from_defaults: bool,
}

impl NetworkEntry {
    /// `false` only for `network: false`.
    pub fn is_on(&self) -> bool {
        self.spec.value != NetworkSpec::Switch(false)
    }
}

impl Fields {
    /// Whether the jail has any network beyond loopback (the default: yes).
    pub fn network_on(&self) -> bool {
        self.network.as_ref().is_none_or(NetworkEntry::is_on)
    }
}

/// What an `allow_exposure` entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allow {
    /// A sensitive location ([`crate::exposure::Sensitive::path`]).
    Location(&'static str),
    /// A valid path that is no sensitive location (never needed, so stale).
    NotSensitive,
    /// Not a valid entry, with the reason.
    Invalid(&'static str),
}

/// The settings of one block (`defaults`, or a jail with `defaults` merged in).
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub packages: Vec<PkgEntry>,
    pub readwrite: Vec<PathEntry>,
    pub readonly: Vec<PathEntry>,
    pub config_paths: Vec<PathEntry>,
    /// Whether `config_paths` was given at all (an empty list counts).
    pub config_paths_given: bool,
    pub env: Vec<EnvEntry>,
    pub forward_env: Vec<Entry<()>>,
    pub combinators: Vec<Entry<bool>>,
    /// `None`: not given anywhere (the library's default list applies).
    pub hide: Option<Vec<Entry<Result<(), HideProblem>>>>,
    pub allow_exposure: Vec<Entry<Allow>>,
    /// `None` inside: not `protect` or `open`.
    pub git: Option<Entry<Option<GitPolicy>>>,
    /// Taken whole: a jail's `network` replaces the one in `defaults`.
    pub network: Option<NetworkEntry>,
    pub nix: Option<Spanned<bool>>,
    pub new_session: Option<Spanned<bool>>,
    pub open_urls: Option<Spanned<bool>>,
    pub git_config: Option<Spanned<bool>>,
    /// A read-write grant like `readwrite`'s (jailed-agents' `enableGitWorktrees.dir`).
    pub worktree_dir: Option<PathEntry>,
}

impl Fields {
    /// Every read-write grant as written: `readwrite`, then `worktree_dir`.
    pub fn readwrite_grants(&self) -> impl Iterator<Item = &PathEntry> {
        self.readwrite.iter().chain(&self.worktree_dir)
    }
}

/// One jail, resolved.
#[derive(Debug, Clone)]
pub struct Jail {
    pub name: Spanned<String>,
    pub agent: Option<Spanned<String>>,
    /// The preset `agent` names, when it names one.
    pub preset: Option<&'static Preset>,
    pub package: Option<PkgEntry>,
    /// `defaults` merged in.
    pub fields: Fields,
    /// Keys of the jail or of `defaults` that were given but could not be read (reported already).
    pub broken: Vec<&'static str>,
}

impl Jail {
    /// The preset's name, when `agent` names one.
    pub fn preset_name(&self) -> Option<&str> {
        self.preset
            .and(self.agent.as_ref().map(|a| a.value.as_str()))
    }
}

/// The `defaults:` block.
#[derive(Debug, Clone)]
pub struct Defaults {
    /// `agent` or `package` given there (not allowed).
    pub agent: Option<Span>,
    pub package: Option<Span>,
    pub fields: Fields,
}

/// A spec, resolved.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub version: Spanned<u64>,
    pub defaults: Option<Defaults>,
    pub jails: Vec<Jail>,
    /// Where the `jails:` mapping is.
    pub jails_span: Span,
    /// Top-level keys given but unreadable (reported already).
    pub broken: Vec<&'static str>,
}

/// Resolves a decoded spec. Never fails: what does not resolve is kept with its reason.
pub fn resolve(spec: Spec) -> Resolved {
    let defaults = spec.defaults.map(|d| Defaults {
        agent: d.agent.as_ref().map(|a| a.span),
        package: d.package.as_ref().map(|p| p.span),
        fields: fields(d, true),
    });
    let (dbroken, dfields) = (
        spec.broken.contains(&"defaults"),
        defaults.as_ref().map(|d| &d.fields),
    );
    let jails = spec
        .jails
        .value
        .0
        .into_iter()
        .map(|(name, mut j)| {
            let mut broken = std::mem::take(&mut j.broken);
            if dbroken {
                broken.extend(
                    crate::spec::JAIL_KEYS
                        .iter()
                        .filter(|k| !["agent", "package"].contains(k)),
                );
            }
            let agent = j.agent.take();
            let package = j.package.take().map(|p| Entry {
                value: rules::parse_attr_path(&p.value),
                raw: p,
                from_defaults: false,
            });
            let preset = agent.as_ref().and_then(|a| presets::preset(&a.value));
            let own = fields(j, false);
            Jail {
                package,
                agent,
                preset,
                name,
                fields: merge(dfields, own),
                broken,
            }
        })
        .collect();
    Resolved {
        version: spec.version,
        defaults,
        jails,
        jails_span: spec.jails.span,
        broken: spec.broken,
    }
}

fn entries<T>(
    items: Option<&Vec<Spanned<String>>>,
    from_defaults: bool,
    f: impl Fn(&str) -> T,
) -> Vec<Entry<T>> {
    items
        .into_iter()
        .flatten()
        .map(|raw| Entry {
            value: f(&raw.value),
            raw: raw.clone(),
            from_defaults,
        })
        .collect()
}

fn fields(j: JailSpec, from_defaults: bool) -> Fields {
    let d = from_defaults;
    Fields {
        packages: entries(j.packages.as_ref(), d, rules::parse_attr_path),
        readwrite: entries(j.readwrite.as_ref(), d, rules::normalise_path),
        readonly: entries(j.readonly.as_ref(), d, rules::normalise_path),
        config_paths: entries(
            j.config_paths.as_ref().map(|c| &c.value),
            d,
            rules::normalise_path,
        ),
        config_paths_given: j.config_paths.is_some(),
        env: j
            .env
            .iter()
            .flat_map(|m| m.iter())
            .map(|(name, value)| EnvEntry {
                name: name.clone(),
                value: value.clone(),
                from_defaults,
            })
            .collect(),
        forward_env: entries(j.forward_env.as_ref(), d, |_| ()),
        combinators: entries(j.combinators.as_ref(), d, |c| {
            presets::combinators().contains_key(c)
        }),
        hide: j
            .hide
            .as_ref()
            .map(|h| entries(Some(&h.value), d, rules::check_hide)),
        allow_exposure: entries(j.allow_exposure.as_ref(), d, |a| {
            match rules::allow_entry(a) {
                Some(n) => crate::exposure::allowed_location(&n)
                    .map_or(Allow::NotSensitive, |l| Allow::Location(l.path)),
                None => Allow::Invalid(
                    rules::normalise_path(a)
                        .err()
                        .map_or("the path is invalid", |p| p.message()),
                ),
            }
        }),
        git: j.git.map(|g| Entry {
            value: match g.value.as_str() {
                "protect" => Some(GitPolicy::Protect),
                "open" => Some(GitPolicy::Open),
                _ => None,
            },
            raw: g,
            from_defaults,
        }),
        network: j.network.map(|spec| NetworkEntry {
            spec,
            from_defaults,
        }),
        nix: j.nix,
        new_session: j.new_session,
        open_urls: j.open_urls,
        git_config: j.git_config,
        worktree_dir: j.worktree_dir.map(|raw| Entry {
            value: rules::normalise_path(&raw.value),
            raw,
            from_defaults,
        }),
    }
}

/// `defaults` then the jail: lists concatenated, scalars from the jail when it has them.
fn merge(d: Option<&Fields>, mut j: Fields) -> Fields {
    let Some(d) = d else { return j };
    fn cat<T: Clone>(d: &[T], j: Vec<T>) -> Vec<T> {
        if d.is_empty() {
            return j;
        }
        let mut out = Vec::with_capacity(d.len() + j.len());
        out.extend_from_slice(d);
        out.extend(j);
        out
    }
    Fields {
        packages: cat(&d.packages, std::mem::take(&mut j.packages)),
        readwrite: cat(&d.readwrite, std::mem::take(&mut j.readwrite)),
        readonly: cat(&d.readonly, std::mem::take(&mut j.readonly)),
        config_paths: cat(&d.config_paths, std::mem::take(&mut j.config_paths)),
        config_paths_given: d.config_paths_given || j.config_paths_given,
        env: cat(&d.env, std::mem::take(&mut j.env)),
        forward_env: cat(&d.forward_env, std::mem::take(&mut j.forward_env)),
        combinators: cat(&d.combinators, std::mem::take(&mut j.combinators)),
        hide: match (&d.hide, j.hide.take()) {
            (None, None) => None,
            (dh, jh) => Some(cat(
                dh.as_deref().unwrap_or_default(),
                jh.unwrap_or_default(),
            )),
        },
        allow_exposure: cat(&d.allow_exposure, std::mem::take(&mut j.allow_exposure)),
        git: j.git.or_else(|| d.git.clone()),
        network: j.network.or_else(|| d.network.clone()),
        nix: j.nix.or_else(|| d.nix.clone()),
        new_session: j.new_session.or_else(|| d.new_session.clone()),
        open_urls: j.open_urls.or_else(|| d.open_urls.clone()),
        git_config: j.git_config.or_else(|| d.git_config.clone()),
        worktree_dir: j.worktree_dir.or_else(|| d.worktree_dir.clone()),
    }
}
