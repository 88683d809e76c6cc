//! The policy file (v1): its types and their strict reading. crates/POLICY.md is the contract.

use crate::defaults::{Defaults, defaults};
use crate::json::{self, Value};
use std::fmt;

/// A path as the policy names it: absolute, or under the home directory. Validated and
/// normalised: no empty, `.` or `..` component, no NUL or newline, no trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GrantPath {
    /// `/srv/data`, stored with its leading `/`.
    Abs(String),
    /// `~/rest`, stored as `rest` (empty for `~` itself).
    Home(String),
}

impl GrantPath {
    pub fn parse(text: &str) -> Result<GrantPath, String> {
        if text.contains('\n') || text.contains('\0') {
            return Err("contains a newline or NUL".into());
        }
        let (home, rest) = if text == "~" {
            (true, "")
        } else if let Some(rest) = text.strip_prefix("~/") {
            (true, rest)
        } else if let Some(rest) = text.strip_prefix('/') {
            (false, rest)
        } else {
            return Err("is relative (only absolute paths and `~/…` are allowed)".into());
        };
        if !rest.is_empty()
            && rest
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..")
        {
            return Err("is not normalised (an empty, `.` or `..` component)".into());
        }
        Ok(if home {
            GrantPath::Home(rest.to_string())
        } else {
            GrantPath::Abs(format!("/{rest}"))
        })
    }

    /// The path's components below its root (`~` or `/`).
    pub fn components(&self) -> impl Iterator<Item = &str> {
        let rest = match self {
            GrantPath::Abs(p) => &p[1..],
            GrantPath::Home(r) => r.as_str(),
        };
        rest.split('/').filter(|c| !c.is_empty())
    }

    pub fn depth(&self) -> usize {
        self.components().count()
    }

    /// `self` lies strictly under `other` (same kind of root).
    pub fn is_under(&self, other: &GrantPath) -> bool {
        if matches!(self, GrantPath::Abs(_)) != matches!(other, GrantPath::Abs(_)) {
            return false;
        }
        let mine: Vec<&str> = self.components().collect();
        let theirs: Vec<&str> = other.components().collect();
        mine.len() > theirs.len() && mine[..theirs.len()] == theirs[..]
    }

    /// One spelling per path (red-team F9): an absolute path at or under `home` becomes its
    /// `~/` form, so that ordering, shadowing and the writable-root walk compare like with
    /// like. `home` is absolute; `/` is nobody's home and changes nothing.
    pub fn home_relative(&self, home: &str) -> GrantPath {
        let home = home.trim_end_matches('/');
        match self {
            GrantPath::Abs(p) if !home.is_empty() => {
                if p == home {
                    GrantPath::Home(String::new())
                } else if let Some(rest) = p.strip_prefix(&format!("{home}/")) {
                    GrantPath::Home(rest.to_string())
                } else {
                    self.clone()
                }
            }
            _ => self.clone(),
        }
    }

    /// The path on this host, with `home` for `~`.
    pub fn resolve(&self, home: &str) -> String {
        match self {
            GrantPath::Abs(p) => p.clone(),
            GrantPath::Home(r) if r.is_empty() => home.to_string(),
            GrantPath::Home(r) => format!("{}/{r}", home.trim_end_matches('/')),
        }
    }

    /// As the policy spells it (`~/x` or `/x`).
    pub fn spelled(&self) -> String {
        match self {
            GrantPath::Abs(p) => p.clone(),
            GrantPath::Home(r) if r.is_empty() => "~".into(),
            GrantPath::Home(r) => format!("~/{r}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateKind {
    Dir,
    File,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatePath {
    pub path: GrantPath,
    pub kind: StateKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Git {
    Protect,
    Open,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Network {
    /// `"host"` (and v1's `true`, a policy without `netStack`): the host's network
    /// namespace, name resolution and a CA bundle.
    Shared,
    /// `false`: an own, empty network namespace (loopback only).
    Isolated,
    /// `true` with `netStack`, or `{ "hostPorts": [...] }`: an own network namespace with
    /// the internet through the stack (crates/net); `host_ports` of the host's loopback
    /// reachable, nothing else of it.
    Internet { host_ports: Vec<u16> },
    /// `{ "allow": [...], "hostPorts": [...] }`: an own namespace whose only way out is the
    /// allowlist proxy (crates/net); `allow` holds concrete rules (named sets expanded by
    /// the Nix library), checked again by the launcher.
    Allow {
        allow: Vec<String>,
        host_ports: Vec<u16>,
    },
}

impl Network {
    /// What the Nix library writes for a plain switch (`network = true | false`, and so the
    /// `jails.yaml` front end's `network: true | false`): `true` is the jail's own namespace
    /// with the internet through the stack (the library adds `netStack`, a store path only it
    /// knows), `false` an empty one. [`Network::Shared`] is only ever asked for by name
    /// (`"host"`). `jailgen explain` builds its policy with this, so that it describes the
    /// network the library gives.
    pub fn from_switch(on: bool) -> Network {
        if on {
            Network::Internet {
                host_ports: Vec::new(),
            }
        } else {
            Network::Isolated
        }
    }
}

/// The user-mode network stack behind [`Network::Internet`] (`netStack`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetStack {
    Pasta(String),
    Slirp4netns(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tls {
    /// The bundle bound at `/etc/ssl/certs/ca-certificates.crt` (a store path).
    pub ca_bundle: Option<String>,
    /// Bind the host's `/etc/ssl` instead (private CAs installed on the host).
    pub host_ssl: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Env {
    /// Literal values, in file order.
    pub set: Vec<(String, String)>,
    /// `$HOME/<value>`, in file order.
    pub home: Vec<(String, String)>,
    /// Copied from the host when set there.
    pub forward: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub readonly: Vec<GrantPath>,
    pub readonly_if_exists: Vec<GrantPath>,
    pub readwrite: Vec<GrantPath>,
    pub state: Vec<StatePath>,
    pub env: Env,
    pub git: Git,
    pub hide: Vec<String>,
    pub network: Network,
    pub net_stack: Option<NetStack>,
    pub tls: Tls,
    pub nix: bool,
    pub new_session: bool,
    pub seccomp: bool,
}

/// What is wrong with a policy file: `at` is the field (`readonly[2]`), `what` the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub at: String,
    pub what: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            write!(f, "{}", self.what)
        } else {
            write!(f, "`{}` {}", self.at, self.what)
        }
    }
}

fn err(at: impl Into<String>, what: impl Into<String>) -> PolicyError {
    PolicyError {
        at: at.into(),
        what: what.into(),
    }
}

/// A POSIX environment variable name (what jail.nix's `isValidPosixName` accepts).
pub fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// A hide pattern: a glob relative to the working directory, without `..`, `/` at the start,
/// NUL or newline.
pub fn hide_pattern_problem(p: &str) -> Option<&'static str> {
    if p.is_empty() {
        Some("is empty")
    } else if p.starts_with('/') {
        Some("is absolute (hide patterns are relative to the working directory)")
    } else if p.split('/').any(|c| c == "..") {
        Some("has a `..` component")
    } else if p.contains('\n') || p.contains('\0') {
        Some("contains a newline or NUL")
    } else {
        None
    }
}

/// The policy name doubles as a file name in messages: jail.nix's store-name characters.
fn name_ok(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+._?=-".contains(c))
}

struct Fields {
    fields: Vec<(String, Value)>,
    at: String,
}

impl Fields {
    fn new(v: Value, at: &str) -> Result<Fields, PolicyError> {
        match v {
            Value::Object(fields) => Ok(Fields {
                fields,
                at: at.to_string(),
            }),
            other => Err(err(at, format!("must be an object, not {}", other.kind()))),
        }
    }
    fn path(&self, key: &str) -> String {
        if self.at.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.at)
        }
    }
    fn take(&mut self, key: &str) -> Option<Value> {
        let i = self.fields.iter().position(|(k, _)| k == key)?;
        Some(self.fields.remove(i).1)
    }
    fn finish(self) -> Result<(), PolicyError> {
        match self.fields.first() {
            None => Ok(()),
            Some((k, _)) => Err(err(self.path(k), "is not a field of the policy (v1)")),
        }
    }
    fn bool(&mut self, key: &str, default: bool) -> Result<bool, PolicyError> {
        match self.take(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(b),
            Some(v) => Err(err(
                self.path(key),
                format!("must be true or false, not {}", v.kind()),
            )),
        }
    }
    fn strings(&mut self, key: &str) -> Result<Option<Vec<String>>, PolicyError> {
        let at = self.path(key);
        match self.take(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Str(s) => Ok(s),
                    v => Err(err(
                        format!("{at}[{i}]"),
                        format!("must be a string, not {}", v.kind()),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(v) => Err(err(
                at,
                format!("must be an array of strings, not {}", v.kind()),
            )),
        }
    }
    fn paths(&mut self, key: &str) -> Result<Vec<GrantPath>, PolicyError> {
        let at = self.path(key);
        self.strings(key)?
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                GrantPath::parse(s).map_err(|why| err(format!("{at}[{i}]"), format!("`{s}` {why}")))
            })
            .collect()
    }
    fn string_map(&mut self, key: &str) -> Result<Vec<(String, String)>, PolicyError> {
        let at = self.path(key);
        let Some(v) = self.take(key) else {
            return Ok(Vec::new());
        };
        let Value::Object(fields) = v else {
            return Err(err(
                at,
                format!("must be an object of strings, not {}", v.kind()),
            ));
        };
        fields
            .into_iter()
            .map(|(k, v)| {
                if !is_env_name(&k) {
                    return Err(err(
                        format!("{at}.{k}"),
                        "is not an environment variable name",
                    ));
                }
                match v {
                    Value::Str(s) if !s.contains('\0') => Ok((k, s)),
                    Value::Str(_) => Err(err(format!("{at}.{k}"), "contains a NUL")),
                    v => Err(err(
                        format!("{at}.{k}"),
                        format!("must be a string, not {}", v.kind()),
                    )),
                }
            })
            .collect()
    }
}

impl Policy {
    /// The policy with every absolute path under `home` spelled `~/…` (red-team F9; see
    /// [`GrantPath::home_relative`]). The launcher calls it once `HOME` is known.
    pub fn home_relative(mut self, home: &str) -> Policy {
        let fix = |v: &mut Vec<GrantPath>| {
            for p in v.iter_mut() {
                *p = p.home_relative(home);
            }
        };
        fix(&mut self.readonly);
        fix(&mut self.readonly_if_exists);
        fix(&mut self.readwrite);
        for s in &mut self.state {
            s.path = s.path.home_relative(home);
        }
        self
    }

    /// Reads a policy file's text. Unknown fields, a wrong version and any value out of its
    /// domain are errors; fields left out take their value from `nix/lib/defaults.json`.
    pub fn from_json(text: &str) -> Result<Policy, PolicyError> {
        let v = json::parse(text).map_err(|e| err("", e.to_string()))?;
        Policy::from_value(v, defaults())
    }

    fn from_value(v: Value, d: &Defaults) -> Result<Policy, PolicyError> {
        let mut f = Fields::new(v, "")?;
        match f.take("version") {
            Some(Value::Int(1)) => {}
            Some(v) => {
                return Err(err(
                    "version",
                    format!(
                        "is {}, but this launcher reads version 1",
                        match v {
                            Value::Int(n) => n.to_string(),
                            v => v.kind().to_string(),
                        }
                    ),
                ));
            }
            None => return Err(err("version", "is missing")),
        }
        let name = match f.take("name") {
            Some(Value::Str(s)) if name_ok(&s) => s,
            Some(Value::Str(s)) => return Err(err("name", format!("`{s}` is not a command name"))),
            Some(v) => return Err(err("name", format!("must be a string, not {}", v.kind()))),
            None => return Err(err("name", "is missing")),
        };
        let readonly = f.paths("readonly")?;
        let readonly_if_exists = f.paths("readonlyIfExists")?;
        let readwrite = f.paths("readwrite")?;
        let state = match f.take("state") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    let at = format!("state[{i}]");
                    let mut s = Fields::new(v, &at)?;
                    let path = match s.take("path") {
                        Some(Value::Str(p)) => GrantPath::parse(&p)
                            .map_err(|why| err(format!("{at}.path"), format!("`{p}` {why}")))?,
                        _ => return Err(err(format!("{at}.path"), "must be a path string")),
                    };
                    let kind = match s.take("kind") {
                        Some(Value::Str(k)) if k == "dir" => StateKind::Dir,
                        Some(Value::Str(k)) if k == "file" => StateKind::File,
                        _ => return Err(err(format!("{at}.kind"), "must be `dir` or `file`")),
                    };
                    s.finish()?;
                    Ok(StatePath { path, kind })
                })
                .collect::<Result<_, _>>()?,
            Some(v) => {
                return Err(err("state", format!("must be an array, not {}", v.kind())));
            }
        };
        let env = match f.take("env") {
            None => Env::default(),
            Some(v) => {
                let mut e = Fields::new(v, "env")?;
                let set = e.string_map("set")?;
                let home = e.string_map("home")?;
                for (k, rel) in &home {
                    if rel.is_empty() || GrantPath::parse(&format!("~/{rel}")).is_err() {
                        return Err(err(
                            format!("env.home.{k}"),
                            format!(
                                "`{rel}` is not a normalised path relative to the home directory"
                            ),
                        ));
                    }
                }
                let forward = e.strings("forward")?.unwrap_or_default();
                for (i, k) in forward.iter().enumerate() {
                    if !is_env_name(k) {
                        return Err(err(
                            format!("env.forward[{i}]"),
                            format!("`{k}` is not an environment variable name"),
                        ));
                    }
                }
                e.finish()?;
                Env { set, home, forward }
            }
        };
        let git = match f.take("git") {
            None => d.git,
            Some(Value::Str(s)) if s == "protect" => Git::Protect,
            Some(Value::Str(s)) if s == "open" => Git::Open,
            Some(_) => return Err(err("git", "must be `protect` or `open`")),
        };
        let hide = match f.strings("hide")? {
            None => d.hide.clone(),
            Some(h) => h,
        };
        for (i, p) in hide.iter().enumerate() {
            if let Some(why) = hide_pattern_problem(p) {
                return Err(err(format!("hide[{i}]"), format!("`{p}` {why}")));
            }
        }
        let net_stack = match f.take("netStack") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let mut t = Fields::new(v, "netStack")?;
                let path = |v: Option<Value>, at: &str| -> Result<Option<String>, PolicyError> {
                    match v {
                        None => Ok(None),
                        Some(Value::Str(s)) if s.starts_with('/') && !s.contains('\0') => {
                            Ok(Some(s))
                        }
                        Some(_) => Err(err(at, "must be an absolute path")),
                    }
                };
                let pasta = path(t.take("pasta"), "netStack.pasta")?;
                let slirp = path(t.take("slirp4netns"), "netStack.slirp4netns")?;
                t.finish()?;
                match (pasta, slirp) {
                    (Some(p), None) => Some(NetStack::Pasta(p)),
                    (None, Some(p)) => Some(NetStack::Slirp4netns(p)),
                    _ => {
                        return Err(err(
                            "netStack",
                            "must name exactly one of `pasta` and `slirp4netns`",
                        ));
                    }
                }
            }
        };
        let network = match f.take("network") {
            None => d.network.clone(),
            Some(Value::Bool(true)) if net_stack.is_some() => Network::Internet {
                host_ports: Vec::new(),
            },
            Some(Value::Bool(true)) => Network::Shared,
            Some(Value::Bool(false)) => Network::Isolated,
            Some(Value::Str(s)) if s == "host" => Network::Shared,
            Some(v @ Value::Object(_)) => {
                let mut n = Fields::new(v, "network")?;
                let allow = n.strings("allow")?;
                let host_ports = match n.take("hostPorts") {
                    None => Vec::new(),
                    Some(Value::Array(items)) => {
                        let mut ports = Vec::new();
                        for (i, v) in items.into_iter().enumerate() {
                            match v {
                                Value::Int(p)
                                    if (1..=65535).contains(&p) && !ports.contains(&(p as u16)) =>
                                {
                                    ports.push(p as u16)
                                }
                                _ => {
                                    return Err(err(
                                        format!("network.hostPorts[{i}]"),
                                        "must be a port from 1 to 65535, each once",
                                    ));
                                }
                            }
                        }
                        ports
                    }
                    Some(v) => {
                        return Err(err(
                            "network.hostPorts",
                            format!("must be an array of ports, not {}", v.kind()),
                        ));
                    }
                };
                n.finish()?;
                match allow {
                    Some(allow) => Network::Allow { allow, host_ports },
                    None if net_stack.is_some() => Network::Internet { host_ports },
                    None => {
                        return Err(err(
                            "network",
                            "`hostPorts` without `allow` needs `netStack` (the internet through a stack)",
                        ));
                    }
                }
            }
            Some(v) => {
                return Err(err(
                    "network",
                    format!(
                        "must be true, false, \"host\" or {{ \"allow\": [...], \"hostPorts\": [...] }}, not {}",
                        v.kind()
                    ),
                ));
            }
        };
        let tls = match f.take("tls") {
            None => Tls {
                ca_bundle: None,
                host_ssl: d.host_ssl,
            },
            Some(v) => {
                let mut t = Fields::new(v, "tls")?;
                let ca_bundle = match t.take("caBundle") {
                    None | Some(Value::Null) => None,
                    Some(Value::Str(s)) if s.starts_with('/') && !s.contains('\0') => Some(s),
                    Some(_) => return Err(err("tls.caBundle", "must be an absolute path or null")),
                };
                let host_ssl = t.bool("hostSsl", d.host_ssl)?;
                t.finish()?;
                Tls {
                    ca_bundle,
                    host_ssl,
                }
            }
        };
        let nix = f.bool("nix", d.nix)?;
        let new_session = f.bool("newSession", d.new_session)?;
        let seccomp = f.bool("seccomp", d.seccomp)?;
        f.finish()?;
        Ok(Policy {
            name,
            readonly,
            readonly_if_exists,
            readwrite,
            state,
            env,
            git,
            hide,
            network,
            net_stack,
            tls,
            nix,
            new_session,
            seccomp,
        })
    }

    /// The policy file's text (what the Nix library writes with `builtins.toJSON`); every field
    /// is written, so the file does not depend on the defaults of the reader.
    pub fn to_json(&self) -> String {
        use crate::json::quote;
        let paths = |ps: &[GrantPath]| {
            let items: Vec<String> = ps.iter().map(|p| quote(&p.spelled())).collect();
            format!("[{}]", items.join(","))
        };
        let map = |kv: &[(String, String)]| {
            let items: Vec<String> = kv
                .iter()
                .map(|(k, v)| format!("{}:{}", quote(k), quote(v)))
                .collect();
            format!("{{{}}}", items.join(","))
        };
        let strings = |xs: &[String]| {
            let items: Vec<String> = xs.iter().map(|x| quote(x)).collect();
            format!("[{}]", items.join(","))
        };
        let state: Vec<String> = self
            .state
            .iter()
            .map(|s| {
                format!(
                    "{{\"path\":{},\"kind\":\"{}\"}}",
                    quote(&s.path.spelled()),
                    if s.kind == StateKind::File {
                        "file"
                    } else {
                        "dir"
                    }
                )
            })
            .collect();
        format!(
            "{{\"version\":1,\"name\":{},\"readonly\":{},\"readonlyIfExists\":{},\"readwrite\":{},\"state\":[{}],\"env\":{{\"set\":{},\"home\":{},\"forward\":{}}},\"git\":\"{}\",\"hide\":{},\"network\":{},{}\"tls\":{{\"caBundle\":{},\"hostSsl\":{}}},\"nix\":{},\"newSession\":{},\"seccomp\":{}}}",
            quote(&self.name),
            paths(&self.readonly),
            paths(&self.readonly_if_exists),
            paths(&self.readwrite),
            state.join(","),
            map(&self.env.set),
            map(&self.env.home),
            strings(&self.env.forward),
            if self.git == Git::Protect {
                "protect"
            } else {
                "open"
            },
            strings(&self.hide),
            match &self.network {
                Network::Shared => "\"host\"".to_string(),
                Network::Isolated => "false".to_string(),
                Network::Internet { host_ports } if host_ports.is_empty() => "true".to_string(),
                Network::Internet { host_ports } => format!("{{\"hostPorts\":{host_ports:?}}}"),
                Network::Allow { allow, host_ports } => {
                    format!(
                        "{{\"allow\":{},\"hostPorts\":{host_ports:?}}}",
                        strings(allow)
                    )
                }
            },
            match &self.net_stack {
                None => String::new(),
                Some(NetStack::Pasta(p)) => format!("\"netStack\":{{\"pasta\":{}}},", quote(p)),
                Some(NetStack::Slirp4netns(p)) => {
                    format!("\"netStack\":{{\"slirp4netns\":{}}},", quote(p))
                }
            },
            self.tls
                .ca_bundle
                .as_deref()
                .map_or("null".to_string(), quote),
            self.tls.host_ssl,
            self.nix,
            self.new_session,
            self.seccomp,
        )
    }

    /// A policy with every default and no grants (a starting point for tests and the CLI).
    pub fn new(name: &str) -> Policy {
        let d = defaults();
        Policy {
            name: name.to_string(),
            readonly: Vec::new(),
            readonly_if_exists: Vec::new(),
            readwrite: Vec::new(),
            state: Vec::new(),
            env: Env::default(),
            git: d.git,
            hide: d.hide.clone(),
            network: d.network.clone(),
            net_stack: None,
            tls: Tls {
                ca_bundle: None,
                host_ssl: d.host_ssl,
            },
            nix: d.nix,
            new_session: d.new_session,
            seccomp: d.seccomp,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{
  "version": 1,
  "name": "jailed-claude-code",
  "readonly": ["/srv/data", "~/.config/git"],
  "readonlyIfExists": ["~/.gitconfig"],
  "readwrite": ["~/.claude", "~/work/shared"],
  "state": [{ "path": "~/.claude", "kind": "dir" }, { "path": "~/.claude.json", "kind": "file" }],
  "env": {
    "set": { "DISABLE_AUTOUPDATER": "1" },
    "home": { "CLAUDE_CONFIG_DIR": ".claude" },
    "forward": ["ANTHROPIC_API_KEY"]
  },
  "git": "protect",
  "hide": [".env", ".env.*"],
  "network": true,
  "tls": { "caBundle": "/nix/store/x-nss-cacert/etc/ssl/certs/ca-bundle.crt", "hostSsl": false },
  "nix": false,
  "newSession": false,
  "seccomp": true
}"#;

    /// `Network::from_switch` is what the library's `network = true | false` reads back as
    /// (nix/tests/network.nix checks the library writes `true` with `netStack`, `false` without).
    #[test]
    fn the_switch_is_what_the_librarys_true_and_false_read_back_as() {
        let slirp = r#","netStack":{"slirp4netns":"/nix/store/s/bin/slirp4netns"}"#;
        for (on, net, stack) in [(true, "true", slirp), (false, "false", "")] {
            let p = Policy::from_json(&format!(
                r#"{{"version":1,"name":"j","network":{net}{stack}}}"#
            ))
            .unwrap();
            assert_eq!(p.network, Network::from_switch(on), "{net}");
        }
        assert_ne!(Network::from_switch(true), Network::Shared);
    }

    #[test]
    fn network_v2_values_are_read_and_written_back() {
        let read = |net: &str, stack: &str| {
            Policy::from_json(&format!(
                r#"{{"version":1,"name":"j","network":{net}{stack}}}"#
            ))
            .unwrap()
        };
        let slirp = r#","netStack":{"slirp4netns":"/nix/store/s/bin/slirp4netns"}"#;
        assert_eq!(read("\"host\"", "").network, Network::Shared);
        assert_eq!(
            read("true", "").network,
            Network::Shared,
            "v1: true without a stack"
        );
        assert_eq!(
            read("true", slirp).network,
            Network::Internet { host_ports: vec![] }
        );
        assert_eq!(
            read(r#"{"hostPorts":[11434,3000]}"#, slirp).network,
            Network::Internet {
                host_ports: vec![11434, 3000]
            }
        );
        assert_eq!(
            read(r#"{"allow":["docs.rs","*.githubusercontent.com"]}"#, "").network,
            Network::Allow {
                allow: vec!["docs.rs".into(), "*.githubusercontent.com".into()],
                host_ports: vec![]
            }
        );
        assert_eq!(
            read("true", slirp).net_stack,
            Some(NetStack::Slirp4netns("/nix/store/s/bin/slirp4netns".into()))
        );
        for (net, stack) in [
            ("\"host\"", ""),
            ("false", ""),
            ("true", slirp),
            (r#"{"hostPorts":[11434]}"#, slirp),
            (r#"{"allow":["docs.rs"],"hostPorts":[8080]}"#, ""),
            (
                r#"{"allow":[]}"#,
                r#","netStack":{"pasta":"/usr/bin/pasta"}"#,
            ),
        ] {
            let p = read(net, stack);
            assert_eq!(Policy::from_json(&p.to_json()).unwrap(), p, "{net}{stack}");
        }
    }

    #[test]
    fn the_example_of_policy_md_reads() {
        let p = Policy::from_json(EXAMPLE).unwrap();
        assert_eq!(p.name, "jailed-claude-code");
        assert_eq!(
            p.readonly,
            vec![
                GrantPath::Abs("/srv/data".into()),
                GrantPath::Home(".config/git".into())
            ]
        );
        assert_eq!(p.state[1].kind, StateKind::File);
        assert_eq!(
            p.env.home,
            vec![("CLAUDE_CONFIG_DIR".into(), ".claude".into())]
        );
        assert_eq!(p.network, Network::Shared);
        assert!(
            p.tls
                .ca_bundle
                .as_deref()
                .unwrap()
                .ends_with("ca-bundle.crt")
        );
    }

    #[test]
    fn the_example_in_policy_md_is_the_one_tested_here() {
        let md = include_str!("../../POLICY.md");
        let start = md.find("```json\n").unwrap() + 8;
        let end = start + md[start..].find("```").unwrap();
        let from_md = Policy::from_json(&md[start..end]).unwrap();
        let mut here = Policy::from_json(EXAMPLE).unwrap();
        here.tls.ca_bundle = from_md.tls.ca_bundle.clone();
        assert_eq!(from_md, here);
    }

    #[test]
    fn to_json_reads_back_as_the_same_policy() {
        let mut p = Policy::from_json(EXAMPLE).unwrap();
        p.env.set.push(("Q".into(), "a\"b\\c\n$`".into()));
        p.hide.push("we\"ird\\*".into());
        p.git = Git::Open;
        p.network = Network::Isolated;
        assert_eq!(Policy::from_json(&p.to_json()).unwrap(), p);
        let d = Policy::new("j");
        assert_eq!(Policy::from_json(&d.to_json()).unwrap(), d);
    }

    #[test]
    fn left_out_fields_take_the_shared_defaults() {
        let p = Policy::from_json(r#"{"version":1,"name":"j"}"#).unwrap();
        assert_eq!(p, Policy::new("j"));
        assert_eq!(p.git, Git::Protect);
        assert_eq!(p.hide, vec![".env".to_string(), ".env.*".to_string()]);
        assert_eq!(p.network, Network::Shared);
        assert!(p.seccomp && !p.nix);
    }

    #[test]
    fn unknown_fields_and_bad_values_are_refused_naming_the_field() {
        for (text, at) in [
            (r#"{"version":1,"name":"j","extra":1}"#, "extra"),
            (r#"{"version":2,"name":"j"}"#, "version"),
            (r#"{"name":"j"}"#, "version"),
            (r#"{"version":1,"name":"a b"}"#, "name"),
            (
                r#"{"version":1,"name":"j","readonly":["rel/x"]}"#,
                "readonly[0]",
            ),
            (
                r#"{"version":1,"name":"j","readonly":["/a/../b"]}"#,
                "readonly[0]",
            ),
            (
                r#"{"version":1,"name":"j","readwrite":["~/a//b"]}"#,
                "readwrite[0]",
            ),
            (
                r#"{"version":1,"name":"j","readwrite":["/a/"]}"#,
                "readwrite[0]",
            ),
            (
                r#"{"version":1,"name":"j","readwrite":["/a\nb"]}"#,
                "readwrite[0]",
            ),
            (
                r#"{"version":1,"name":"j","state":[{"path":"~/x","kind":"link"}]}"#,
                "state[0].kind",
            ),
            (
                r#"{"version":1,"name":"j","state":[{"path":"~/x","kind":"dir","mode":1}]}"#,
                "state[0].mode",
            ),
            (
                r#"{"version":1,"name":"j","env":{"set":{"A-B":"1"}}}"#,
                "env.set.A-B",
            ),
            (
                r#"{"version":1,"name":"j","env":{"home":{"A":"../x"}}}"#,
                "env.home.A",
            ),
            (
                r#"{"version":1,"name":"j","env":{"forward":["1A"]}}"#,
                "env.forward[0]",
            ),
            (
                r#"{"version":1,"name":"j","env":{"unset":[]}}"#,
                "env.unset",
            ),
            (r#"{"version":1,"name":"j","git":"closed"}"#, "git"),
            (r#"{"version":1,"name":"j","hide":["../x"]}"#, "hide[0]"),
            (r#"{"version":1,"name":"j","hide":["/etc"]}"#, "hide[0]"),
            (
                r#"{"version":1,"name":"j","hide":["a/../../b"]}"#,
                "hide[0]",
            ),
            (r#"{"version":1,"name":"j","hide":[".env",""]}"#, "hide[1]"),
            (r#"{"version":1,"name":"j","hide":["a\nb"]}"#, "hide[0]"),
            (r#"{"version":1,"name":"j","network":"shared"}"#, "network"),
            (
                r#"{"version":1,"name":"j","network":{"hostPorts":[80]}}"#,
                "network",
            ),
            (
                r#"{"version":1,"name":"j","network":{"allow":[],"hostPorts":[0]}}"#,
                "network.hostPorts[0]",
            ),
            (
                r#"{"version":1,"name":"j","network":{"allow":[],"hostPorts":[80,80]}}"#,
                "network.hostPorts[1]",
            ),
            (
                r#"{"version":1,"name":"j","network":{"allow":[],"ports":[80]}}"#,
                "network.ports",
            ),
            (
                r#"{"version":1,"name":"j","netStack":{"pasta":"rel"}}"#,
                "netStack.pasta",
            ),
            (r#"{"version":1,"name":"j","netStack":{}}"#, "netStack"),
            (
                r#"{"version":1,"name":"j","tls":{"caBundle":"rel"}}"#,
                "tls.caBundle",
            ),
            (r#"{"version":1,"name":"j","seccomp":1}"#, "seccomp"),
        ] {
            let e = Policy::from_json(text).unwrap_err();
            assert_eq!(e.at, at, "{text}: {e}");
        }
    }

    #[test]
    fn paths_know_their_place() {
        let a = GrantPath::parse("~/work").unwrap();
        let b = GrantPath::parse("~/work/a/ref").unwrap();
        let c = GrantPath::parse("/work/a/ref").unwrap();
        assert!(b.is_under(&a) && !a.is_under(&b) && !c.is_under(&a) && !a.is_under(&a));
        assert_eq!(b.resolve("/home/u/"), "/home/u/work/a/ref");
        assert_eq!(GrantPath::parse("~").unwrap().resolve("/home/u"), "/home/u");
        assert_eq!(b.spelled(), "~/work/a/ref");
        assert_eq!(b.depth(), 3);
        assert_eq!(GrantPath::parse("/").unwrap(), GrantPath::Abs("/".into()));
    }

    #[test]
    fn absolute_paths_under_home_compare_with_their_tilde_spelling() {
        let ro = GrantPath::parse("/home/u/.claude/settings").unwrap();
        let rw = GrantPath::parse("~/.claude").unwrap();
        assert!(!ro.is_under(&rw), "two spellings: never compared as such");
        let ro = ro.home_relative("/home/u/");
        assert_eq!(ro, GrantPath::parse("~/.claude/settings").unwrap());
        assert!(ro.is_under(&rw));
        assert_eq!(
            GrantPath::parse("/home/u")
                .unwrap()
                .home_relative("/home/u"),
            GrantPath::parse("~").unwrap()
        );
        assert_eq!(
            GrantPath::parse("/home/uu/x")
                .unwrap()
                .home_relative("/home/u"),
            GrantPath::parse("/home/uu/x").unwrap()
        );
        assert_eq!(
            GrantPath::parse("/srv").unwrap().home_relative("/"),
            GrantPath::parse("/srv").unwrap()
        );
    }
}
