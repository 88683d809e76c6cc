//! `Resolved` → `Model`: the effective value of every setting, duplicates dropped. Every decision
//! about what a jail is lives here, including which library arguments differ from their defaults
//! ([`Jail::args`]). No spans, no templates, no I/O.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Error;
use crate::presets;
use crate::resolve::{self, Resolved};
use crate::rules::PkgRef;

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

/// A jail's network (`network:` in `jails.yaml`, the library's `network`, `hostPorts`,
/// `netStack`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "mode")]
pub enum Network {
    /// The default: an own network namespace with the internet through the stack; `host_ports`
    /// of the host's loopback reachable.
    Internet {
        host_ports: Vec<u16>,
        stack: NetStack,
    },
    /// `host`: the host's network namespace.
    Host,
    /// `false`: only loopback.
    Off,
    /// Only the allowlist proxy. `allow` as written (sets unexpanded, first occurrence kept).
    Allow {
        allow: Vec<String>,
        host_ports: Vec<u16>,
    },
}

impl Network {
    /// Anything but `false`.
    pub fn is_on(&self) -> bool {
        *self != Network::Off
    }

    pub fn host_ports(&self) -> &[u16] {
        match self {
            Network::Internet { host_ports, .. } | Network::Allow { host_ports, .. } => host_ports,
            Network::Host | Network::Off => &[],
        }
    }
}

/// The user-mode stack behind [`Network::Internet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NetStack {
    /// The library's default.
    Slirp4netns,
    Pasta,
}

impl NetStack {
    pub fn name(self) -> &'static str {
        match self {
            NetStack::Slirp4netns => "slirp4netns",
            NetStack::Pasta => "pasta",
        }
    }
}

/// The library's `network` argument when it differs from the default `true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkArg<'a> {
    Off,
    Host,
    Allow(&'a [String]),
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
    pub network: Network,
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
/// Borrowed from the [`Jail`]: rendering 10 000 jails copies nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args<'a> {
    pub name: Option<&'a str>,
    pub pkg: Option<&'a PkgRef>,
    pub config_paths: Option<&'a [String]>,
    pub extra_config_paths: &'a [String],
    pub extra_pkgs: &'a [PkgRef],
    pub extra_readwrite_dirs: &'a [String],
    pub extra_readonly_dirs: &'a [String],
    /// Read-only grants the launcher skips when the host lacks them (`git_config`).
    pub extra_readonly_if_exists: &'a [String],
    pub env: &'a BTreeMap<String, String>,
    pub forward_env: &'a [String],
    /// `None`: the default `true`.
    pub network: Option<NetworkArg<'a>>,
    /// `hostPorts`, with `true` or an allowlist.
    pub host_ports: &'a [u16],
    /// `netStack`, `Some` only for `pasta` (the default is slirp4netns).
    pub net_stack: Option<&'static str>,
    /// `Some(true)` only.
    pub new_session: Option<bool>,
    /// `Some(true)` only.
    pub enable_nix: Option<bool>,
    pub extra_combinators: &'a [String],
    /// `Some(Open)` only.
    pub git: Option<GitPolicy>,
    /// `Some` when it differs from [`DEFAULT_HIDE`] (possibly empty).
    pub hide: Option<&'a [String]>,
}

impl Args<'_> {
    /// Every argument has its default: the call is `builder { }`.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.pkg.is_none()
            && self.config_paths.is_none()
            && self.extra_config_paths.is_empty()
            && self.extra_pkgs.is_empty()
            && self.extra_readwrite_dirs.is_empty()
            && self.extra_readonly_dirs.is_empty()
            && self.extra_readonly_if_exists.is_empty()
            && self.env.is_empty()
            && self.forward_env.is_empty()
            && self.network.is_none()
            && self.host_ports.is_empty()
            && self.net_stack.is_none()
            && self.new_session.is_none()
            && self.enable_nix.is_none()
            && self.extra_combinators.is_empty()
            && self.git.is_none()
            && self.hide.is_none()
    }
}

impl Jail {
    /// The builder call's arguments, defaults left out.
    pub fn args(&self) -> Args<'_> {
        let (name, pkg, config_paths, extra_config_paths): (_, _, _, &[String]) = match &self.preset
        {
            Some(preset) => (
                (self.name != presets::default_command_name(preset)).then_some(self.name.as_str()),
                self.package_overridden.then_some(&self.package),
                None,
                &self.extra_config_paths,
            ),
            None => (
                Some(self.name.as_str()),
                Some(&self.package),
                Some(self.config_paths.as_slice()),
                &[],
            ),
        };
        Args {
            name,
            pkg,
            config_paths,
            extra_config_paths,
            extra_pkgs: &self.packages,
            extra_readwrite_dirs: &self.readwrite,
            extra_readonly_dirs: &self.readonly,
            extra_readonly_if_exists: &self.readonly_if_exists,
            env: &self.env,
            forward_env: &self.forward_env,
            network: match &self.network {
                Network::Internet { .. } => None,
                Network::Off => Some(NetworkArg::Off),
                Network::Host => Some(NetworkArg::Host),
                Network::Allow { allow, .. } => Some(NetworkArg::Allow(allow)),
            },
            host_ports: self.network.host_ports(),
            net_stack: match &self.network {
                Network::Internet {
                    stack: NetStack::Pasta,
                    ..
                } => Some(NetStack::Pasta.name()),
                _ => None,
            },
            new_session: self.new_session.then_some(true),
            enable_nix: self.nix.then_some(true),
            extra_combinators: &self.combinators,
            git: (self.git == GitPolicy::Open).then_some(GitPolicy::Open),
            hide: (self.hide != DEFAULT_HIDE).then_some(self.hide.as_slice()),
        }
    }
}

/// Builds the model of a resolved spec that passed [`crate::validate::check`]. Nothing is merged
/// or normalised here: that happened once, in [`crate::resolve`]. A value that should have been
/// rejected by validation is reported as a bug, never rendered.
pub fn build(spec: &Resolved) -> Result<Model, Error> {
    from_resolved(spec.clone())
}

/// [`build`], taking the resolved spec: its strings move into the model instead of being copied.
pub fn from_resolved(spec: Resolved) -> Result<Model, Error> {
    let jails = spec
        .jails
        .into_iter()
        .map(build_jail)
        .collect::<Result<_, _>>()?;
    Ok(Model { jails })
}

/// The effective network: the default when not given; ports sorted and deduplicated (as the
/// launcher uses them), allowlist entries deduplicated in order.
fn network(n: Option<resolve::NetworkEntry>) -> Result<Network, Error> {
    use crate::spec::NetworkSpec;
    let Some(n) = n else {
        return Ok(Network::Internet {
            host_ports: Vec::new(),
            stack: NetStack::Slirp4netns,
        });
    };
    Ok(match n.spec.value {
        NetworkSpec::Switch(true) => Network::Internet {
            host_ports: Vec::new(),
            stack: NetStack::Slirp4netns,
        },
        NetworkSpec::Switch(false) => Network::Off,
        NetworkSpec::Host => Network::Host,
        NetworkSpec::Map(m) => {
            let mut host_ports = m
                .host_ports
                .map(|p| p.value)
                .unwrap_or_default()
                .into_iter()
                .map(|p| {
                    crate::rules::host_port(&p.value)
                        .map_err(|_| Error::bug(format!("unvalidated host port `{}`", p.value)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            host_ports.sort_unstable();
            host_ports.dedup();
            match m.allow {
                Some(allow) => Network::Allow {
                    // Host names are case-insensitive (the proxy compares them lowercase).
                    allow: dedup(
                        allow
                            .value
                            .into_iter()
                            .map(|a| a.value.to_ascii_lowercase()),
                    ),
                    host_ports,
                },
                None => Network::Internet {
                    host_ports,
                    stack: match m.stack.as_ref().map(|s| s.value.as_str()) {
                        None | Some("slirp4netns") => NetStack::Slirp4netns,
                        Some("pasta") => NetStack::Pasta,
                        Some(other) => {
                            return Err(Error::bug(format!("unvalidated network stack `{other}`")));
                        }
                    },
                },
            }
        }
    })
}

fn build_jail(j: resolve::Jail) -> Result<Jail, Error> {
    let name = j.name.value;
    let f = j.fields;
    let preset = match &j.agent {
        Some(a) => Some(
            j.preset
                .ok_or_else(|| Error::bug(format!("unvalidated preset `{}`", a.value)))?,
        ),
        None => None,
    };
    let package = match (j.package, preset) {
        (Some(p), _) => ok(p.value, &p.raw.value)?,
        (None, Some(preset)) => PkgRef::LlmAgents(preset.package.clone()),
        (None, None) => return Err(Error::bug(format!("custom jail `{name}` has no package"))),
    };
    let package_overridden = match preset {
        Some(p) => !matches!(&package, PkgRef::LlmAgents(n) if *n == p.package),
        None => true,
    };
    let spec_config = paths(f.config_paths)?;
    let (config_paths, extra_config_paths) = match preset {
        Some(p) => (
            dedup(
                p.config_paths
                    .iter()
                    .cloned()
                    .chain(spec_config.iter().cloned()),
            ),
            spec_config
                .into_iter()
                .filter(|c| !p.config_paths.contains(c))
                .collect(),
        ),
        None => (spec_config.clone(), spec_config),
    };
    let env = f
        .env
        .into_iter()
        .map(|e| (e.name.value, e.value.value))
        .collect();
    let git = match f.git {
        None => GitPolicy::Protect,
        Some(g) => g
            .value
            .ok_or_else(|| Error::bug(format!("unvalidated git policy `{}`", g.raw.value)))?,
    };
    let hide = match f.hide {
        None => DEFAULT_HIDE.iter().map(|s| (*s).to_owned()).collect(),
        Some(h) => dedup(h.into_iter().map(|e| e.raw.value)),
    };
    Ok(Jail {
        builder: preset.map_or_else(|| "makeJailedAgent".to_owned(), |p| p.builder.clone()),
        preset: preset.and(j.agent.map(|a| a.value)),
        name,
        package,
        package_overridden,
        config_paths,
        extra_config_paths,
        packages: dedup(
            f.packages
                .into_iter()
                .map(|p| ok(p.value, &p.raw.value))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        // `worktree_dir` is a read-write grant (jailed-agents' enableGitWorktrees.dir); the
        // library's git protection already covers linked worktrees.
        readwrite: paths(f.readwrite.into_iter().chain(f.worktree_dir).collect())?,
        readonly: paths(f.readonly)?,
        env,
        forward_env: dedup(f.forward_env.into_iter().map(|e| e.raw.value)),
        network: network(f.network)?,
        nix: f.nix.is_some_and(|b| b.value),
        new_session: f.new_session.is_some_and(|b| b.value),
        // `open_urls: true` is the combinator, which the library maps to its http(s)-only
        // lib.openUrls.
        combinators: dedup(
            f.combinators.into_iter().map(|e| e.raw.value).chain(
                f.open_urls
                    .is_some_and(|b| b.value)
                    .then(|| OPEN_URLS.to_owned()),
            ),
        ),
        readonly_if_exists: if f.git_config.is_some_and(|b| b.value) {
            vec![GIT_CONFIG.to_owned()]
        } else {
            Vec::new()
        },
        git,
        hide,
        allow_exposure: dedup(f.allow_exposure.iter().filter_map(|a| match a.value {
            resolve::Allow::Location(l) => Some(l.to_owned()),
            _ => None,
        })),
    })
}

/// A resolved value that validation accepted.
fn ok<T, E>(v: Result<T, E>, raw: &str) -> Result<T, Error> {
    v.map_err(|_| Error::bug(format!("unvalidated value `{raw}`")))
}

fn paths(items: Vec<resolve::PathEntry>) -> Result<Vec<String>, Error> {
    let normalised = items
        .into_iter()
        .map(|p| ok(p.value, &p.raw.value))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(dedup(normalised))
}

/// The first occurrence of each item, in order (linear: a list of thousands stays instant).
fn dedup<T: Eq + std::hash::Hash + Clone>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<T> = Vec::new();
    for item in items {
        if seen.insert(item.clone()) {
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
        assert!(m.jails[0].network.is_on());
        assert_eq!(m.jails[1].network, Network::Off);
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
        assert_eq!(m.jails[0].args().hide, Some(&[][..]));
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
        assert_eq!(args.name, Some("a"));
        assert_eq!(args.pkg, Some(&PkgRef::Nixpkgs(vec!["aider-chat".into()])));
        assert_eq!(args.config_paths, Some(&[][..]));
        assert_eq!(m.jails[0].builder, "makeJailedAgent");
    }
}
