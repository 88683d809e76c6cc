//! `Spec` → `Model`: defaults merged, presets resolved, paths normalised. Every decision about
//! what a jail is lives here, including which library arguments differ from their defaults
//! ([`Jail::args`]). No spans, no templates, no I/O.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Error;
use crate::presets;
use crate::rules::{self, PkgRef};
use crate::spec::{JailSpec, Spanned, Spec};

/// The library's default `hide` list (`nix/lib/API.md`).
pub const DEFAULT_HIDE: &[&str] = &[".env", ".env.*"];

/// The combinator `open_urls: true` adds (nix/lib/compat.nix maps it to `lib.openUrls`).
pub const OPEN_URLS: &str = "open-urls-in-browser";

/// What `git_config: true` binds read-only when it exists (jailed-agents' `mountGitConfig`).
pub const GIT_CONFIG: &str = "~/.gitconfig";

/// What the library does with `.git/hooks` and `.git/config` in the working directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GitPolicy {
    /// read-only (the default)
    Protect,
    /// writable like the rest of the working directory
    Open,
}

/// Every jail of a spec, in spec order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Model {
    pub jails: Vec<Jail>,
}

/// One jail with every effective setting (defaults merged, preset applied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jail {
    /// The command name and the attribute name in `jails.nix`.
    pub name: String,
    /// The preset name, or `None` for a custom agent.
    pub preset: Option<String>,
    /// The library function that builds it (`makeJailedClaudeCode`, `makeJailedAgent`).
    pub builder: String,
    /// The agent package (the preset's unless overridden).
    pub package: PkgRef,
    /// Whether `package` differs from the preset's (always true for a custom agent).
    pub package_overridden: bool,
    /// All read-write state paths: the preset's, then the spec's.
    pub config_paths: Vec<String>,
    /// The state paths the spec added (for a custom agent: all of them).
    pub extra_config_paths: Vec<String>,
    pub packages: Vec<PkgRef>,
    pub readwrite: Vec<String>,
    pub readonly: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub forward_env: Vec<String>,
    pub network: bool,
    pub nix: bool,
    pub new_session: bool,
    pub combinators: Vec<String>,
    pub git: GitPolicy,
    pub hide: Vec<String>,
    /// Read-only grants skipped when missing: `~/.gitconfig` for `git_config: true`.
    pub readonly_if_exists: Vec<String>,
    /// The sensitive locations (as listed in [`crate::exposure::SENSITIVE`]) the spec accepts
    /// exposing: `allow_exposure` of `defaults` and the jail. Not a library argument.
    pub allow_exposure: Vec<String>,
}

/// The arguments a jail passes to its builder: only those that differ from the library's
/// defaults (`None` / empty = not written). Field order is the order they are rendered in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    pub name: Option<String>,
    pub pkg: Option<PkgRef>,
    pub config_paths: Option<Vec<String>>,
    pub extra_config_paths: Vec<String>,
    pub extra_pkgs: Vec<PkgRef>,
    pub extra_readwrite_dirs: Vec<String>,
    pub extra_readonly_dirs: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub forward_env: Vec<String>,
    /// `Some(false)` only: the default is `true`.
    pub network: Option<bool>,
    /// `Some(true)` only.
    pub new_session: Option<bool>,
    /// `Some(true)` only.
    pub enable_nix: Option<bool>,
    pub extra_combinators: Vec<String>,
    /// `Some(Open)` only.
    pub git: Option<GitPolicy>,
    /// `Some` when it differs from [`DEFAULT_HIDE`] (possibly empty).
    pub hide: Option<Vec<String>>,
    pub extra_readonly_if_exists: Vec<String>,
}

impl Args {
    pub fn is_empty(&self) -> bool {
        *self == Args::default()
    }
}

impl Jail {
    /// The builder call's arguments, defaults left out.
    pub fn args(&self) -> Args {
        let (name, pkg, config_paths, extra_config_paths) = match &self.preset {
            Some(preset) => (
                (self.name != presets::default_command_name(preset)).then(|| self.name.clone()),
                self.package_overridden.then(|| self.package.clone()),
                None,
                self.extra_config_paths.clone(),
            ),
            None => (
                Some(self.name.clone()),
                Some(self.package.clone()),
                Some(self.config_paths.clone()),
                Vec::new(),
            ),
        };
        Args {
            name,
            pkg,
            config_paths,
            extra_config_paths,
            extra_pkgs: self.packages.clone(),
            extra_readwrite_dirs: self.readwrite.clone(),
            extra_readonly_dirs: self.readonly.clone(),
            env: self.env.clone(),
            forward_env: self.forward_env.clone(),
            network: (!self.network).then_some(false),
            new_session: self.new_session.then_some(true),
            enable_nix: self.nix.then_some(true),
            extra_combinators: self.combinators.clone(),
            git: (self.git == GitPolicy::Open).then_some(GitPolicy::Open),
            hide: (self.hide != DEFAULT_HIDE).then(|| self.hide.clone()),
            extra_readonly_if_exists: self.readonly_if_exists.clone(),
        }
    }
}

/// Builds the model of a spec that passed [`crate::validate::validate`]. A value that should have
/// been rejected there is reported as a bug, never rendered.
pub fn build(spec: &Spec) -> Result<Model, Error> {
    let empty = JailSpec::default();
    let defaults = spec.defaults.as_ref().unwrap_or(&empty);
    let jails = spec
        .jails
        .value
        .iter()
        .map(|(name, jail)| build_jail(&name.value, defaults, jail))
        .collect::<Result<_, _>>()?;
    Ok(Model { jails })
}

fn build_jail(name: &str, d: &JailSpec, j: &JailSpec) -> Result<Jail, Error> {
    let preset_name = j.agent.as_ref().map(|a| a.value.clone());
    let preset = match &preset_name {
        Some(p) => Some(
            presets::preset(p).ok_or_else(|| Error::bug(format!("unvalidated preset `{p}`")))?,
        ),
        None => None,
    };
    let package = match (&j.package, preset) {
        (Some(p), _) => pkg(&p.value)?,
        (None, Some(preset)) => PkgRef::LlmAgents(preset.package.clone()),
        (None, None) => return Err(Error::bug(format!("custom jail `{name}` has no package"))),
    };
    let package_overridden = match preset {
        Some(p) => package != PkgRef::LlmAgents(p.package.clone()),
        None => true,
    };
    let spec_config = paths(list(
        d.config_paths.as_ref().map(|c| &c.value),
        j.config_paths.as_ref().map(|c| &c.value),
    ))?;
    let config_paths = match preset {
        Some(p) => dedup(
            p.config_paths
                .iter()
                .cloned()
                .chain(spec_config.iter().cloned()),
        ),
        None => spec_config.clone(),
    };
    let extra_config_paths = match preset {
        Some(p) => spec_config
            .into_iter()
            .filter(|c| !p.config_paths.contains(c))
            .collect(),
        None => spec_config,
    };
    let mut env = BTreeMap::new();
    for src in [d, j] {
        for (k, v) in src.env.iter().flat_map(|m| m.iter()) {
            env.insert(k.value.clone(), v.value.clone());
        }
    }
    let git = match last(&d.git, &j.git).map(|g| g.value.as_str()) {
        None | Some("protect") => GitPolicy::Protect,
        Some("open") => GitPolicy::Open,
        Some(other) => return Err(Error::bug(format!("unvalidated git policy `{other}`"))),
    };
    let hide = match (&d.hide, &j.hide) {
        (None, None) => DEFAULT_HIDE.iter().map(|s| (*s).to_owned()).collect(),
        _ => strings(list(
            d.hide.as_ref().map(|h| &h.value),
            j.hide.as_ref().map(|h| &h.value),
        )),
    };
    Ok(Jail {
        name: name.to_owned(),
        builder: preset.map_or_else(|| "makeJailedAgent".to_owned(), |p| p.builder.clone()),
        preset: preset_name,
        package,
        package_overridden,
        config_paths,
        extra_config_paths,
        packages: dedup(
            list(d.packages.as_ref(), j.packages.as_ref())
                .iter()
                .map(|p| pkg(&p.value))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        // `worktree_dir` is a read-write grant (jailed-agents' enableGitWorktrees.dir); the
        // library's git protection already covers linked worktrees.
        readwrite: paths(
            list(d.readwrite.as_ref(), j.readwrite.as_ref())
                .into_iter()
                .chain(last(&d.worktree_dir, &j.worktree_dir))
                .collect(),
        )?,
        readonly: paths(list(d.readonly.as_ref(), j.readonly.as_ref()))?,
        env,
        forward_env: strings(list(d.forward_env.as_ref(), j.forward_env.as_ref())),
        network: last(&d.network, &j.network).is_none_or(|b| b.value),
        nix: last(&d.nix, &j.nix).is_some_and(|b| b.value),
        new_session: last(&d.new_session, &j.new_session).is_some_and(|b| b.value),
        // `open_urls: true` is the combinator, which the library maps to its http(s)-only
        // lib.openUrls.
        combinators: dedup(
            list(d.combinators.as_ref(), j.combinators.as_ref())
                .into_iter()
                .map(|c| c.value.clone())
                .chain(
                    last(&d.open_urls, &j.open_urls)
                        .is_some_and(|b| b.value)
                        .then(|| OPEN_URLS.to_owned()),
                ),
        ),
        readonly_if_exists: if last(&d.git_config, &j.git_config).is_some_and(|b| b.value) {
            vec![GIT_CONFIG.to_owned()]
        } else {
            Vec::new()
        },
        git,
        hide,
        allow_exposure: dedup(
            list(d.allow_exposure.as_ref(), j.allow_exposure.as_ref())
                .into_iter()
                .filter_map(|a| {
                    let norm = rules::allow_entry(&a.value)?;
                    crate::exposure::allowed_location(&norm).map(|l| l.path.to_owned())
                }),
        ),
    })
}

/// Scalars: the jail's value wins over the default.
fn last<'a, T>(d: &'a Option<T>, j: &'a Option<T>) -> Option<&'a T> {
    j.as_ref().or(d.as_ref())
}

/// Lists: the default's entries, then the jail's.
fn list<'a, T>(d: Option<&'a Vec<T>>, j: Option<&'a Vec<T>>) -> Vec<&'a T> {
    d.into_iter().chain(j).flatten().collect()
}

fn strings(items: Vec<&Spanned<String>>) -> Vec<String> {
    dedup(items.into_iter().map(|s| s.value.clone()))
}

fn paths(items: Vec<&Spanned<String>>) -> Result<Vec<String>, Error> {
    let normalised = items
        .into_iter()
        .map(|p| {
            rules::normalise_path(&p.value)
                .map_err(|_| Error::bug(format!("unvalidated path `{}`", p.value)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(dedup(normalised))
}

fn pkg(s: &str) -> Result<PkgRef, Error> {
    rules::parse_attr_path(s).map_err(|_| Error::bug(format!("unvalidated attribute path `{s}`")))
}

/// Keeps the first of equal items, in order.
fn dedup<T: PartialEq>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(yaml: &str) -> Model {
        let spec = crate::parse_and_validate(yaml, "t.yaml")
            .unwrap_or_else(|e| panic!("{}", crate::error::render_report(&e, false)));
        build(&spec).expect("model")
    }

    #[test]
    fn defaults_lists_come_first_and_duplicates_keep_the_first() {
        let m = model(
            "version: 1\ndefaults:\n  packages: [git, jq]\n  readonly: [/a/]\njails:\n  x:\n    agent: pi\n    packages: [jq, nodejs, git]\n    readonly: [/b, /a]\n",
        );
        let pkgs: Vec<String> = m.jails[0]
            .packages
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(pkgs, ["git", "jq", "nodejs"]);
        assert_eq!(m.jails[0].readonly, ["/a", "/b"]);
    }

    #[test]
    fn env_maps_merge_and_the_jail_wins() {
        let m = model(
            "version: 1\ndefaults:\n  env: { A: d, B: d }\njails:\n  x:\n    agent: pi\n    env: { B: j, C: j }\n",
        );
        let env: Vec<(&str, &str)> = m.jails[0]
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(env, [("A", "d"), ("B", "j"), ("C", "j")]);
    }

    #[test]
    fn scalars_from_the_jail_override_defaults() {
        let m = model(
            "version: 1\ndefaults:\n  network: false\n  git: open\njails:\n  x:\n    agent: pi\n    network: true\n  y:\n    agent: pi\n",
        );
        assert!(m.jails[0].network);
        assert!(!m.jails[1].network);
        assert_eq!(m.jails[0].git, GitPolicy::Open);
    }

    #[test]
    fn default_valued_arguments_are_left_out() {
        let m = model(
            "version: 1\njails:\n  jailed-claude-code:\n    agent: claude-code\n    package: llm-agents.claude-code\n    config_paths: [~/.claude/]\n    hide: [.env, .env.*]\n    git: protect\n    network: true\n",
        );
        assert!(m.jails[0].args().is_empty(), "{:?}", m.jails[0].args());
        assert_eq!(m.jails[0].config_paths, ["~/.claude"]);
    }

    #[test]
    fn an_empty_hide_list_differs_from_the_default() {
        let m = model("version: 1\njails:\n  x:\n    agent: pi\n    hide: []\n");
        assert_eq!(m.jails[0].args().hide, Some(vec![]));
    }

    #[test]
    fn open_urls_git_config_and_worktree_dir_become_library_arguments() {
        let m = model(
            "version: 1\ndefaults:\n  git_config: true\njails:\n  x:\n    agent: pi\n    open_urls: true\n    worktree_dir: ~/wt/\n    readwrite: [~/a]\n  jailed-pi:\n    agent: pi\n    git_config: false\n",
        );
        let x = m.jails[0].args();
        assert_eq!(x.extra_combinators, [OPEN_URLS]);
        assert_eq!(x.extra_readwrite_dirs, ["~/a", "~/wt"]);
        assert_eq!(x.extra_readonly_if_exists, ["~/.gitconfig"]);
        assert!(m.jails[1].args().is_empty(), "{:?}", m.jails[1].args());
    }

    #[test]
    fn a_custom_agent_always_names_itself_its_package_and_its_state() {
        let m = model("version: 1\njails:\n  a:\n    package: aider-chat\n    config_paths: []\n");
        let args = m.jails[0].args();
        assert_eq!(args.name.as_deref(), Some("a"));
        assert_eq!(args.pkg, Some(PkgRef::Nixpkgs(vec!["aider-chat".into()])));
        assert_eq!(args.config_paths, Some(vec![]));
        assert_eq!(m.jails[0].builder, "makeJailedAgent");
    }
}
