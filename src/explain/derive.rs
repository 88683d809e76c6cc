//! What a jail may do, derived from the [`Model`] and jailgen-policy's plan (the same plan the
//! launcher runs): the [`Explanation`] of each jail and the [`Agents`] list. No printing here.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::types::*;
use crate::error::Error;
use crate::exposure;
use crate::model::{GitPolicy, Jail, Model, NetStack, Network};
use crate::presets;
use crate::rules::PkgRef;

const COMMON_NIX: &str = include_str!("../../nix/lib/common.nix");

/// The library's `commonPkgs`, read from `nix/lib/common.nix` (the attribute names after `pkgs.`
/// inside `commonPkgs = [ … ];`), so there is no second copy of the list.
/// Read once per process.
pub fn common_packages() -> &'static [String] {
    static CELL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    CELL.get_or_init(|| {
        let Some(start) = COMMON_NIX.find("commonPkgs = [") else {
            return Vec::new();
        };
        let body = &COMMON_NIX[start..];
        let body = &body[..body.find("];").unwrap_or(body.len())];
        body.split_whitespace()
            .filter_map(|w| w.strip_prefix("pkgs."))
            .map(str::to_owned)
            .collect()
    })
}

const HOME: &str = "an empty tmpfs: nothing of your home directory is visible except the paths mounted below; writes elsewhere in it vanish on exit";
const GUARD: &str = "refuses to start in your home directory, in / or in a directory that contains your home (JAILGEN_ALLOW_CWD=1 overrides)";
const GIT_PROTECT: &str = "read-only: .git/hooks, .git/config, config.worktree, the git dirs of submodules and linked worktrees, and the hooksPath and include targets inside the project that the config names; .git itself cannot be renamed away. NOT covered: the agent can add a nested repository or submodule with its own config, make the project root look like a bare repository (`git config --global safe.bareRepository explicit` stops that), and edit tracked files your tools run (husky's .husky/pre-commit, pre-commit's local hooks, Makefiles, .envrc, package.json scripts). Review its changes before you run git or other tools on them outside the jail";
const GIT_OPEN: &str = "the agent can write .git/hooks and .git/config, which your git runs or reads outside the jail; review its changes before you run git or other tools on them outside the jail";
const SECCOMP: &str = "a seccomp filter makes the TIOCSTI and TIOCLINUX ioctls fail, so the agent cannot type commands into your terminal";
const TERMINAL_SHARED: &str = "the agent shares your terminal session (no --new-session), which TUI agents need; typing into it is blocked by the seccomp filter";
const TERMINAL_NEW: &str = "the agent runs in a new terminal session (--new-session): it cannot reach your terminal even without the seccomp filter, but some TUIs break";

/// Explains the named jails (all when `names` is empty), in spec order.
pub fn explain(model: &Model, names: &[String]) -> Result<Explanation, Error> {
    for n in names {
        if !model.jails.iter().any(|j| &j.name == n) {
            let known = model.jails.iter().map(|j| j.name.as_str());
            return Err(Error::UnknownJail {
                name: crate::suggest::shown(n),
                help: crate::suggest::help(n, known, "jails in this spec", None),
            });
        }
    }
    let jails = model
        .jails
        .iter()
        .filter(|j| names.is_empty() || names.contains(&j.name))
        .map(jail)
        .collect::<Result<_, _>>()?;
    Ok(Explanation {
        version: JSON_VERSION,
        jails,
    })
}

fn segments(p: &str) -> (bool, Vec<&str>) {
    let home = p == "~" || p.starts_with("~/");
    let rest = p.trim_start_matches('~');
    (home, rest.split('/').filter(|s| !s.is_empty()).collect())
}

/// `a` is `b` or lies under it (both normalised, same root kind), as `paths.nix` `isUnder`.
fn under_or_equal(a: &str, b: &str) -> bool {
    let (ha, sa) = segments(a);
    let (hb, sb) = segments(b);
    ha == hb && sa.len() >= sb.len() && sa[..sb.len()] == sb[..]
}

/// The jail policy (jailgen-policy's types, what the Nix library writes for the launcher)
/// that the model implies: the one input of the plan both explain and the launcher read.
/// Paths in the model are already normalised; one the policy reader refuses is a bug.
pub fn policy(j: &Jail) -> Result<jailgen_policy::Policy, Error> {
    use jailgen_policy::{GrantPath, StateKind, StatePath};
    let path = |p: &String| {
        GrantPath::parse(p).map_err(|why| Error::bug(format!("the model path `{p}` {why}")))
    };
    let paths = |ps: &[String]| ps.iter().map(path).collect::<Result<Vec<_>, _>>();
    let preset = j.preset.as_deref().and_then(presets::preset);
    let mut p = jailgen_policy::Policy::new(&j.name);
    // In the order the library writes them (and the launcher binds them): parents first.
    p.readonly = jailgen_policy::grants_parents_first(&paths(&j.readonly)?);
    p.readonly_if_exists = jailgen_policy::grants_parents_first(&paths(&j.readonly_if_exists)?);
    let rw: Vec<String> = j.config_paths.iter().chain(&j.readwrite).cloned().collect();
    p.readwrite = jailgen_policy::grants_parents_first(&paths(&rw)?);
    p.state = j
        .config_paths
        .iter()
        .map(|c| {
            Ok(StatePath {
                path: path(c)?,
                kind: if crate::rules::names_a_file(c) {
                    StateKind::File
                } else {
                    StateKind::Dir
                },
            })
        })
        .collect::<Result<_, Error>>()?;
    // The preset's env, then the spec's (makeJailedAgent gets them merged, the spec winning).
    let mut set: BTreeMap<String, String> = BTreeMap::new();
    if let Some(pr) = preset {
        set.extend(pr.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    set.extend(j.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    p.env.set = set.into_iter().collect();
    p.env.home = preset
        .map(|pr| {
            pr.home_env
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    // As the library: forward_env, then the terminal's variables it lacks.
    p.env.forward = j
        .forward_env
        .iter()
        .chain(
            presets::terminal_env()
                .iter()
                .filter(|v| !j.forward_env.contains(v)),
        )
        .cloned()
        .collect();
    p.git = match j.git {
        GitPolicy::Protect => jailgen_policy::Git::Protect,
        GitPolicy::Open => jailgen_policy::Git::Open,
    };
    p.hide = j.hide.clone();
    // What the library writes for `network`, `hostPorts` and `netStack` (the stack as its
    // name: the library writes its store path; tests/nix_eval.rs compares the two policies).
    p.network = match &j.network {
        Network::Internet { host_ports, .. } => jailgen_policy::Network::Internet {
            host_ports: host_ports.clone(),
        },
        Network::Host => jailgen_policy::Network::Shared,
        Network::Off => jailgen_policy::Network::Isolated,
        Network::Allow { allow, host_ports } => jailgen_policy::Network::Allow {
            allow: presets::expand_allow(allow, preset),
            host_ports: host_ports.clone(),
        },
    };
    p.net_stack = match &j.network {
        Network::Internet { stack, .. } => Some(match stack {
            NetStack::Slirp4netns => jailgen_policy::NetStack::Slirp4netns("slirp4netns".into()),
            NetStack::Pasta => jailgen_policy::NetStack::Pasta("pasta".into()),
        }),
        _ => None,
    };
    p.nix = j.nix;
    p.new_session = j.new_session;
    Ok(p)
}

/// `$HOME/x` (the symbolic plan's spelling) as the model spells it: `~/x`.
fn spelled(dest: &str) -> String {
    match dest.strip_prefix("$HOME") {
        Some("") => "~".to_owned(),
        Some(rest) if rest.starts_with('/') => format!("~{rest}"),
        _ => dest.to_owned(),
    }
}

/// The mounts of the grant part of the plan (jailgen_policy::symbolic), in bind order.
fn mounts(j: &Jail, policy: &jailgen_policy::Policy) -> Vec<Mount> {
    let plan = jailgen_policy::symbolic(policy);
    let mut out: Vec<Mount> = Vec::new();
    let mut after_cwd = false;
    for op in &plan.grants {
        use jailgen_policy::Op;
        let (path, access, source, when) = match op {
            Op::BindFd { dest, .. } if dest == "$PWD" => {
                after_cwd = true;
                (
                    WORKING_DIRECTORY.to_owned(),
                    Access::ReadWrite,
                    Source::WorkingDirectory,
                    When::Always,
                )
            }
            Op::RoBindFd { dest, .. } => {
                let p = spelled(dest);
                // `git_config`'s ~/.gitconfig: bound only when the host has it.
                let if_exists = j.readonly_if_exists.contains(&p);
                (
                    p,
                    Access::ReadOnly,
                    if after_cwd {
                        Source::ReadonlyAgain
                    } else if if_exists {
                        Source::GitConfig
                    } else {
                        Source::Readonly
                    },
                    if if_exists {
                        When::IfPresent
                    } else {
                        When::Always
                    },
                )
            }
            Op::BindFd { dest, .. } => {
                let p = spelled(dest);
                let source = if j.config_paths.contains(&p) {
                    Source::State
                } else {
                    Source::Readwrite
                };
                (p, Access::ReadWrite, source, When::Always)
            }
            Op::RoBind { dest, .. } => (dest.clone(), Access::ReadOnly, Source::Nix, When::Always),
            Op::RoBindTry { dest, .. } => {
                (dest.clone(), Access::ReadOnly, Source::Nix, When::IfPresent)
            }
            Op::BindTry { dest, .. } => (
                dest.clone(),
                Access::ReadWrite,
                Source::Nix,
                When::IfPresent,
            ),
            _ => continue,
        };
        out.push(Mount {
            path,
            access,
            source,
            when,
            shadowed_by: None,
        });
    }
    for i in 0..out.len() {
        if out[i].path == WORKING_DIRECTORY {
            continue;
        }
        let later = out[i + 1..]
            .iter()
            .find(|l| l.path != WORKING_DIRECTORY && under_or_equal(&out[i].path, &l.path))
            .map(|l| l.path.clone());
        out[i].shadowed_by = later;
    }
    out
}

fn jail(j: &Jail) -> Result<JailExplanation, Error> {
    let preset = j.preset.as_deref().and_then(presets::preset);
    let policy = policy(j)?;
    // jail.nix's base sets HOME and TERM; the launcher sets the rest, with the precedence
    // of jailgen_policy::env::environment (the same function it runs).
    let mut set: BTreeMap<String, String> = BTreeMap::new();
    set.insert("HOME".into(), "$HOME (your home path)".into());
    set.insert("TERM".into(), "$TERM".into());
    let host = |name: &str| (name == "LANG").then(|| "$LANG, or C.UTF-8 when unset".to_owned());
    set.extend(jailgen_policy::env::environment(&policy, "$HOME", &host));
    // The allowlist's proxy variables: the launcher's last `--setenv`s.
    if matches!(j.network, Network::Allow { .. }) {
        set.extend(
            jailgen_net::proxy_env()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v)),
        );
    }
    let combinators = j
        .combinators
        .iter()
        .map(|c| {
            let info = presets::combinators().get(c);
            CombinatorUse {
                name: c.clone(),
                summary: info.map(|i| i.summary.clone()).unwrap_or_default(),
                risk: info.map(|i| i.risk.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let mut accepted_risks = Vec::new();
    let grants = j
        .readonly
        .iter()
        .map(|g| (g, exposure::Access::ReadOnly))
        .chain(
            j.readwrite
                .iter()
                .chain(&j.config_paths)
                .map(|g| (g, exposure::Access::ReadWrite)),
        );
    for (grant, access) in grants {
        for f in exposure::findings(grant, access, j.preset.as_deref()) {
            if j.allow_exposure.iter().any(|a| a == f.location.path)
                && !accepted_risks
                    .iter()
                    .any(|r: &AcceptedRisk| r.path == *grant && r.location == f.location.path)
            {
                accepted_risks.push(AcceptedRisk {
                    path: grant.clone(),
                    relation: f.relation,
                    location: f.location.path,
                    reason: exposure::shown_reason(&f.location),
                });
            }
        }
    }
    Ok(JailExplanation {
        name: j.name.clone(),
        agent: Agent {
            preset: j.preset.clone(),
            package: j.package.to_string(),
            binary: preset.map(|p| p.binary.clone()),
            builder: j.builder.clone(),
        },
        mounts: mounts(j, &policy),
        working_directory: WorkingDirectory {
            guard: GUARD,
            git: j.git,
            git_effect: match j.git {
                GitPolicy::Protect => GIT_PROTECT,
                GitPolicy::Open => GIT_OPEN,
            },
            hidden: j.hide.clone(),
            hidden_gaps: hidden_gaps(&j.hide),
        },
        home: HOME,
        network: j.network.is_on(),
        network_mode: match j.network {
            Network::Internet { .. } => "internet",
            Network::Host => "host",
            Network::Allow { .. } => "allowlist",
            Network::Off => "off",
        },
        network_stack: match j.network {
            Network::Internet { stack, .. } => Some(stack.name()),
            _ => None,
        },
        network_allow: match &policy.network {
            jailgen_policy::Network::Allow { allow, .. } => allow.clone(),
            _ => Vec::new(),
        },
        host_ports: j.network.host_ports().to_vec(),
        network_log: matches!(j.network, Network::Allow { .. }).then(|| {
            format!(
                "${{XDG_STATE_HOME:-~/.local/state}}/jailgen/network/{}-<unix time>-<pid>.log",
                jailgen_net::log::file_name_part(&j.name)
            )
        }),
        network_effect: network_effect(j),
        nix_daemon: j.nix,
        nix_daemon_effect: j.nix.then_some(NIX_DAEMON),
        env: Env {
            set,
            forwarded: policy.env.forward.clone(),
        },
        path: PathPackages {
            agent: j.package.to_string(),
            extra: j.packages.iter().map(PkgRef::to_string).collect(),
            common: common_packages().to_vec(),
            nix: j.nix,
        },
        combinators,
        new_session: j.new_session,
        terminal: if j.new_session {
            TERMINAL_NEW
        } else {
            TERMINAL_SHARED
        },
        seccomp: SECCOMP,
        accepted_risks,
        caveats: preset.map(|p| p.caveats.clone()).unwrap_or_default(),
        not_persisted: preset.map(|p| p.not_persisted.clone()).unwrap_or_default(),
    })
}

/// `network: true`, for the stack named.
fn network_internet(stack: NetStack) -> String {
    let s = stack.name();
    format!(
        "internet: a network namespace of its own with the internet through a user-mode stack ({s}): the host's loopback services (127.0.0.1, ::1) and its abstract unix sockets, such as X11's `@/tmp/.X11-unix/X0`, are out of reach; services listening on all the host's addresses (0.0.0.0, such as ports Docker publishes) ARE reachable at any of the host's own addresses, and the connection comes from the host itself, so LAN firewall rules and trust in local connections (PostgreSQL's `samehost`) do not protect them (bind them to 127.0.0.1, or use an allowlist); DNS goes through the stack to the host's resolver; /etc/hosts and a CA bundle are bound read-only; the launch refuses (exit 125) when {s} is missing or /dev/net/tun is not usable, never falling back to the host's network"
    )
}
const NETWORK_HOST: &str = "host: the host's network namespace (`network: host`, warned `host_network`): every service on the host's loopback (127.0.0.1, ::1: databases, dev servers, a browser's debugging port, Docker's TCP API) and its abstract unix sockets, such as X11's `@/tmp/.X11-unix/X0` (an X client can type into your windows), are reachable, and everything the host reaches; the host's resolver files (/etc/resolv.conf, hosts, nsswitch.conf, /run/systemd/resolve) and a CA bundle are bound read-only";
const NETWORK_ALLOW: &str = "allowlist: a network namespace of its own with only loopback; the one way out is a filtering proxy that runs outside the jail, at the jail's 127.0.0.1:3128 (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, their lower-case forms and NODE_USE_ENV_PROXY=1 are set). It relays CONNECT by host name and port and plain HTTP by its Host header to the names below (a rule without a port: 443 and 80), never to an IP address or to a name that resolves to a loopback, private, link-local or shared address or to one of this host's own; there is no DNS inside the jail (the proxy resolves names), so a program that ignores the proxy variables gets no connection at all; a refused request gets a 403 and a line (time, host, port) in the session log; the host's loopback services and abstract unix sockets are out of reach; /etc/hosts and a CA bundle are bound read-only. Every allowed name is also a way out for data: GitHub (in `registries`) takes pushes, gists and issues with any token the agent holds, a registry takes uploads";
const NETWORK_OFF: &str = "off: a network namespace of its own with only loopback";
const NIX_DAEMON: &str = "on: the host daemon builds and fetches for the agent, outside the jail, and read-only /nix is visible; the launch refuses (exit 125) when you are a trusted Nix user (`trusted-users`/`extra-trusted-users` in nix.conf or its includes; root always), because a trusted user can reconfigure the daemon, e.g. turn its build sandbox off (JAILGEN_ALLOW_TRUSTED_NIX=1 insists)";

/// Combinators that carry data out of the jail without its network, with how.
const DATA_CHANNELS: &[(&str, &str)] = &[
    (
        "open-urls-in-browser",
        "`open-urls-in-browser` still carries data out: the agent can make your browser open any http(s) URL, with data in it",
    ),
    (
        "unsafe-dbus",
        "`unsafe-dbus` still carries data out: programs on your session bus reach the network",
    ),
    (
        "unsafe-x11",
        "`unsafe-x11` still carries data out: through other X11 clients' windows",
    ),
];

fn network_effect(j: &Jail) -> String {
    let mut out = match &j.network {
        Network::Internet { stack, .. } => network_internet(*stack),
        Network::Host => NETWORK_HOST.to_owned(),
        Network::Allow { .. } => NETWORK_ALLOW.to_owned(),
        Network::Off => NETWORK_OFF.to_owned(),
    };
    if !j.network.host_ports().is_empty() {
        let ports: Vec<String> = j.network.host_ports().iter().map(u16::to_string).collect();
        let _ = write!(
            out,
            "; host ports {}: the jail reaches these ports of the host's 127.0.0.1 at its own 127.0.0.1 (TCP), and nothing else of the host's loopback",
            ports.join(", ")
        );
    }
    // Channels that matter when the network itself is closed or filtered.
    if matches!(j.network, Network::Internet { .. } | Network::Host) {
        return out;
    }
    let but = if j.network == Network::Off {
        "but"
    } else {
        "past the allowlist,"
    };
    for (name, how) in DATA_CHANNELS {
        if j.combinators.iter().any(|c| c == name) {
            let _ = write!(out, "; {but} {how}");
        }
    }
    if j.nix {
        let _ = write!(
            out,
            "; {but} the Nix daemon (`nix: true`) fetches for the agent outside the jail, fixed-output derivations included"
        );
    }
    out
}

/// What the hide patterns do not cover, from the launcher's rule (jailgen_policy::hide) and
/// the shared defaults (the pruned directories and the walk limit).
fn hidden_gaps(hide: &[String]) -> String {
    let d = jailgen_policy::defaults::defaults();
    let nested: Vec<String> = hide
        .iter()
        .filter(|p| !p.contains('/'))
        .map(|p| format!("`{}`", crate::suggest::shown(p)))
        .collect();
    let mut out = String::new();
    if !nested.is_empty() {
        let pruned: Vec<String> = d.hide_prune.iter().map(|p| format!("`{p}`")).collect();
        let _ = write!(
            out,
            "({} {} at any depth, inside {} too, which are searched last) files a launch did not read: it reads at most {} directory entries outside those trees and {} inside them, and refuses to start when the tree is larger or a directory in it cannot be read, unless `JAILGEN_ALLOW_PARTIAL_HIDE=1`, which hides only the top level and literal paths beyond that; ",
            nested.join(", "),
            if nested.len() == 1 {
                "matches"
            } else {
                "match"
            },
            pruned.join(", "),
            d.hide_walk_limit,
            jailgen_policy::hide::PRUNED_WALK_LIMIT,
        );
    }
    out.push_str("files behind a symlinked directory (never followed); a hidden file stays readable in git history if it was ever committed (`git show HEAD:<file>`)");
    out
}

/// Every preset, from `nix/lib/agents.json`, sorted by name.
pub fn agents() -> Agents {
    let agents = presets::presets()
        .iter()
        .map(|(name, p)| {
            let mut env = p.env.clone();
            for (k, rel) in &p.home_env {
                env.insert(k.clone(), format!("$HOME/{rel}"));
            }
            AgentInfo {
                name: name.clone(),
                command: presets::default_command_name(name),
                package: format!("{}.{}", crate::rules::LLM_AGENTS_PREFIX, p.package),
                binary: p.binary.clone(),
                builder: p.builder.clone(),
                state_paths: p.config_paths.clone(),
                env,
                credential_env: p.credential_env.clone(),
                hosts: p.hosts.clone(),
                caveats: p.caveats.clone(),
                confidence: p.confidence.clone(),
                unfree: p.unfree,
                not_persisted: p.not_persisted.clone(),
            }
        })
        .collect();
    Agents {
        version: JSON_VERSION,
        agents,
        network_sets: presets::network_sets()
            .iter()
            .map(|(name, s)| NetworkSetInfo {
                name: name.clone(),
                description: s.description.clone(),
                hosts: s.hosts.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::print::*;

    fn model(yaml: &str) -> Model {
        let spec = crate::parse_and_validate(yaml, "t.yaml")
            .unwrap_or_else(|e| panic!("{}", crate::error::render_report(&e, false)));
        crate::model::build(&spec).expect("model")
    }

    #[test]
    fn common_packages_come_from_the_library_file() {
        let pkgs = common_packages();
        assert!(pkgs.len() >= 10, "{pkgs:?}");
        assert!(pkgs.contains(&"bashInteractive".to_owned()));
        assert!(pkgs.contains(&"coreutils".to_owned()));
    }

    #[test]
    fn mounts_follow_the_library_order_and_rebind_readonly_under_readwrite() {
        let m = model(
            "version: 1\njails:\n  x:\n    agent: pi\n    readonly: [/srv/deep/er, ~/a/b, ~/c]\n    readwrite: [~/a, /srv]\n",
        );
        let got: Vec<(String, Source, Option<String>)> =
            mounts(&m.jails[0], &policy(&m.jails[0]).unwrap())
                .into_iter()
                .map(|m| (m.path, m.source, m.shadowed_by))
                .collect();
        let want = [
            ("~/c", Source::Readonly, None),
            ("~/a/b", Source::Readonly, Some("~/a")),
            ("/srv/deep/er", Source::Readonly, Some("/srv")),
            (WORKING_DIRECTORY, Source::WorkingDirectory, None),
            ("~/.pi", Source::State, None),
            ("~/a", Source::Readwrite, None),
            ("/srv", Source::Readwrite, None),
            ("~/a/b", Source::ReadonlyAgain, None),
            ("/srv/deep/er", Source::ReadonlyAgain, None),
        ];
        let want: Vec<(String, Source, Option<String>)> = want
            .into_iter()
            .map(|(p, s, sh)| (p.to_owned(), s, sh.map(str::to_owned)))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn grants_under_nix_are_shadowed_by_the_nix_mount() {
        let m = model(
            "version: 1\njails:\n  x:\n    agent: pi\n    network: false\n    nix: true\n    readwrite: [/nix/var/cache]\n",
        );
        let ms = mounts(&m.jails[0], &policy(&m.jails[0]).unwrap());
        let rw = ms
            .iter()
            .find(|m| m.path == "/nix/var/cache")
            .expect("grant");
        assert_eq!(rw.shadowed_by.as_deref(), Some("/nix"));
    }

    #[test]
    fn an_unknown_jail_name_suggests_the_closest() {
        let m = model("version: 1\njails:\n  jailed-codex:\n    agent: codex\n");
        let err = explain(&m, &["jailed-codx".to_owned()]).expect_err("unknown");
        let text = crate::error::render_report(&err, false);
        assert!(text.contains("did you mean `jailed-codex`?"), "{text}");
    }

    #[test]
    fn with_network_off_a_browser_channel_and_the_nix_daemon_still_carry_data_out() {
        let m = model(
            "version: 1\njails:\n  x:\n    agent: pi\n    network: false\n    nix: true\n    combinators: [open-urls-in-browser]\n",
        );
        let e = network_effect(&m.jails[0]);
        assert!(e.starts_with("off: "), "{e}");
        assert!(
            e.contains("but `open-urls-in-browser` still carries data out"),
            "{e}"
        );
        assert!(
            e.contains("but the Nix daemon (`nix: true`) fetches"),
            "{e}"
        );
        let on = model("version: 1\njails:\n  x:\n    agent: pi\n");
        let e = network_effect(&on.jails[0]);
        assert!(
            e.contains(
                "abstract unix sockets, such as X11's `@/tmp/.X11-unix/X0`, are out of reach"
            ),
            "{e}"
        );
        assert!(!e.contains("shares the host's network"), "{e}");
    }

    #[test]
    fn hidden_gaps_name_the_walk_budgets_and_the_refusal_for_nested_patterns_and_always_git_history()
     {
        let nested = hidden_gaps(&[".env".to_owned(), "**/.env".to_owned()]);
        // The launcher's fail-closed walk (main's dc96a90): the pruned trees are searched last,
        // and a tree beyond the walk's limits refuses the launch.
        assert!(
            nested.starts_with("(`.env` matches at any depth, inside `.git`, `node_modules`"),
            "{nested}"
        );
        assert!(
            nested.contains("at most 20000 directory entries"),
            "{nested}"
        );
        assert!(nested.contains("and 200000 inside them"), "{nested}");
        assert!(
            nested.contains("refuses to start when the tree is larger"),
            "{nested}"
        );
        assert!(
            nested.contains("`JAILGEN_ALLOW_PARTIAL_HIDE=1`"),
            "{nested}"
        );
        assert!(nested.contains("`git show HEAD:<file>`"), "{nested}");
        let anchored = hidden_gaps(&["**/.env".to_owned(), "secrets/*.key".to_owned()]);
        assert!(!anchored.contains("any depth"), "{anchored}");
        assert!(anchored.contains("git history"), "{anchored}");
    }

    #[test]
    fn git_protect_does_not_claim_to_stop_all_host_code_execution() {
        assert!(!GIT_PROTECT.contains("cannot make your own git run code"));
        for covered in [
            ".git/hooks",
            ".git/config",
            "submodules",
            "cannot be renamed",
        ] {
            assert!(GIT_PROTECT.contains(covered), "{covered}");
        }
        for gap in [
            "nested repository",
            "bare repository",
            "safe.bareRepository explicit",
            ".husky/pre-commit",
            "Makefiles",
            ".envrc",
        ] {
            assert!(GIT_PROTECT.contains(gap), "{gap}");
        }
    }

    #[test]
    fn state_paths_are_files_or_directories_by_the_extension_list() {
        let m = model(
            "version: 1\njails:\n  x:\n    package: aider-chat\n    config_paths: [~/.config/io.datasette.llm, ~/.aider.conf.yml]\n",
        );
        let t = text(&explain(&m, &[]).expect("explain"));
        assert!(
            t.contains(
                "~/.config/io.datasette.llm  agent state, created as a directory when missing"
            ),
            "{t}"
        );
        assert!(
            t.contains(
                "~/.aider.conf.yml           agent state, created as an empty file when missing"
            ),
            "{t}"
        );
    }
}
