//! The exposure lint's data and logic: host locations that hold secrets or control the host, and
//! how a granted path relates to them. Pure functions over normalised paths (see
//! [`crate::rules::normalise_path`]); `validate` turns findings into diagnostics, `explain` shows
//! the ones a spec accepted with `allow_exposure`.
//!
//! Two kinds of location ([`Danger`]):
//! - [`Danger::Read`]: secrets, or sockets that control the host. Any grant counts, read-only too
//!   (a read-only bind does not stop `connect()` on a socket).
//! - [`Danger::Write`]: files the host *executes* or loads code from (git config, `~/.local/bin`,
//!   systemd user units, editor start-up files, …). Only read-write grants count: reading them
//!   is fine.
//!
//! Every preset's state paths (`nix/lib/agents.json`) are listed too, for jails of a *different*
//! agent: they hold that agent's login, and settings and hooks the host's unjailed agent runs.
//!
//! Paths are compared after resolving the host's well-known symlinked aliases (`/var/run` →
//! `/run`, `/var/lock` → `/run/lock`), since bwrap follows them on the host side.

use std::sync::OnceLock;

/// Which grants a location is dangerous for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Danger {
    /// Any grant, read-only or read-write.
    Read,
    /// Read-write grants only: the host runs code from there.
    Write,
}

/// A sensitive host location and why it matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Sensitive {
    /// Normalised: `~/…` or absolute, with aliases resolved.
    pub path: &'static str,
    pub reason: &'static str,
    pub danger: Danger,
    /// Whether a grant lying inside the location counts (not for `/`, `~` and `/tmp`, which hold
    /// ordinary paths too).
    pub inside_counts: bool,
    /// The preset whose state path this is: not a finding for a jail of that preset.
    pub preset: Option<&'static str>,
}

const RUNS: &str = "the host runs code from there";

/// The curated list. Home paths are compared in `~/…` form; an absolute path under
/// `/home/<user>/` or `/root/` is compared in that form too. [`all`] adds the presets' state paths.
pub const SENSITIVE: &[Sensitive] = &[
    top("/", "the whole file system"),
    top("~", "your whole home directory"),
    s(
        "~/.ssh",
        "SSH private keys, and ~/.ssh/config, whose commands the host's ssh runs",
    ),
    s("~/.gnupg", "GnuPG private keys"),
    s("~/.aws", "AWS credentials"),
    s("~/.azure", "Azure credentials"),
    s("~/.config/gcloud", "Google Cloud credentials"),
    s("~/.kube", "Kubernetes credentials"),
    s("~/.docker", "Docker registry credentials"),
    s("~/.netrc", "passwords for HTTP and FTP hosts"),
    s("~/.git-credentials", "git HTTPS credentials"),
    s("~/.config/gh", "GitHub CLI tokens"),
    s("~/.password-store", "the pass password store"),
    s("~/.local/share/keyrings", "the GNOME keyring"),
    s(
        "~/.mozilla",
        "Firefox profiles: cookies and saved passwords",
    ),
    s(
        "~/.config/google-chrome",
        "Chrome profiles: cookies and saved passwords",
    ),
    s(
        "~/.config/chromium",
        "Chromium profiles: cookies and saved passwords",
    ),
    s("~/.npmrc", "npm registry tokens"),
    s("~/.pypirc", "PyPI upload tokens"),
    s("~/.cargo/credentials.toml", "crates.io tokens"),
    s("~/.bashrc", "a shell start-up file the host runs"),
    s("~/.bash_profile", "a shell start-up file the host runs"),
    s("~/.bash_login", "a shell start-up file the host runs"),
    s("~/.profile", "a shell start-up file the host runs"),
    s("~/.zshrc", "a shell start-up file the host runs"),
    s("~/.zshenv", "a shell start-up file the host runs"),
    s("~/.zprofile", "a shell start-up file the host runs"),
    s("~/.config/fish", "fish start-up files the host runs"),
    s(
        "/etc",
        "host configuration, including secrets such as /etc/shadow",
    ),
    s("/root", "the root user's home"),
    s("/run/docker.sock", "the Docker socket (root on the host)"),
    s(
        "/run/user",
        "your session's sockets: D-Bus, keyring, Wayland, SSH agent",
    ),
    s(
        "/run/dbus",
        "the system D-Bus socket, which drives system services",
    ),
    top(
        "/tmp",
        "host sockets: X11 in /tmp/.X11-unix, ssh-agent in /tmp/ssh-*",
    ),
    s(
        "/tmp/.X11-unix",
        "the X11 sockets: keystroke injection into your other windows, an escape",
    ),
    s(
        "/proc",
        "host processes: /proc/<pid>/root and /proc/<pid>/environ reach every file and environment",
    ),
    s(
        "/nix/var/nix/daemon-socket",
        "the Nix daemon, which builds and fetches outside the jail (use `nix: true`)",
    ),
    w(
        "~/.gitconfig",
        "git configuration (core.fsmonitor, core.pager, aliases, hooksPath)",
    ),
    w(
        "~/.config/git",
        "git configuration (core.fsmonitor, core.pager, aliases, hooksPath)",
    ),
    w("~/.local/bin", "programs on your PATH"),
    w("~/bin", "programs on your PATH"),
    w("~/.config/systemd", "systemd user units"),
    w(
        "~/.config/autostart",
        "programs your desktop starts at login",
    ),
    w(
        "~/.config/environment.d",
        "your session's environment (PATH, LD_PRELOAD)",
    ),
    w(
        "~/.local/share/applications",
        "desktop launchers and URL handlers",
    ),
    w(
        "~/.config/direnv",
        "direnv's start-up file, sourced by your shell",
    ),
    w("~/.vimrc", "Vim's start-up file"),
    w("~/.vim", "Vim plugins"),
    w("~/.config/nvim", "Neovim's start-up files and plugins"),
    w("~/.emacs", "Emacs's start-up file"),
    w("~/.emacs.d", "Emacs's start-up files and packages"),
    w("~/.config/emacs", "Emacs's start-up files and packages"),
    w("~/.config/Code/User", "VS Code settings and tasks"),
];

const fn s(path: &'static str, reason: &'static str) -> Sensitive {
    Sensitive {
        path,
        reason,
        danger: Danger::Read,
        inside_counts: true,
        preset: None,
    }
}

/// A location that contains ordinary paths too: only granting it or a parent counts.
const fn top(path: &'static str, reason: &'static str) -> Sensitive {
    Sensitive {
        inside_counts: false,
        ..s(path, reason)
    }
}

/// A location the host executes: only read-write grants count.
const fn w(path: &'static str, reason: &'static str) -> Sensitive {
    Sensitive {
        danger: Danger::Write,
        ..s(path, reason)
    }
}

/// The curated list plus every preset's state paths (leaked once: the table is fixed at build
/// time).
pub fn all() -> &'static [Sensitive] {
    static CELL: OnceLock<Vec<Sensitive>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut out = SENSITIVE.to_vec();
        for (name, p) in crate::presets::presets() {
            let name: &'static str = Box::leak(name.clone().into_boxed_str());
            for path in &p.config_paths {
                let reason = format!(
                    "state of the `{name}` agent: its login, and settings the host's unjailed `{}` runs code from",
                    p.binary
                );
                out.push(Sensitive {
                    path: Box::leak(path.clone().into_boxed_str()),
                    reason: Box::leak(reason.into_boxed_str()),
                    danger: Danger::Read,
                    inside_counts: true,
                    preset: Some(name),
                });
            }
        }
        out
    })
}

/// The reason as the diagnostic shows it: host-executed locations say that the host runs code
/// from there.
pub fn shown_reason(loc: &Sensitive) -> String {
    match loc.danger {
        Danger::Read => loc.reason.to_owned(),
        Danger::Write => format!("{}; {RUNS}", loc.reason),
    }
}

/// The host's symlinked aliases, resolved: `/var/run/…` → `/run/…`, `/var/lock/…` → `/run/lock/…`.
pub fn canonical(path: &str) -> String {
    for (alias, target) in [("/var/run", "/run"), ("/var/lock", "/run/lock")] {
        if path == alias {
            return target.to_owned();
        }
        if let Some(rest) = path.strip_prefix(alias)
            && rest.starts_with('/')
        {
            return format!("{target}{rest}");
        }
    }
    path.to_owned()
}

/// How a granted path relates to a sensitive location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// The grant is the location.
    Equals,
    /// The grant is an ancestor of the location.
    Contains,
    /// The grant lies below the location.
    Inside,
}

impl Relation {
    pub fn verb(self) -> &'static str {
        match self {
            Relation::Equals => "is",
            Relation::Contains => "contains",
            Relation::Inside => "is inside",
        }
    }
}

/// How a grant is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

/// One sensitive location a grant exposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub relation: Relation,
    pub location: Sensitive,
}

/// The forms a normalised path is compared in: itself, plus `~/…` when it is an absolute path in
/// a home directory (`/home/<user>/…`, `/root/…`), plus `~` itself for `/home/<user>` (`/root`
/// itself is listed on its own).
fn forms(path: &str) -> Vec<String> {
    let mut out = vec![path.to_owned()];
    let home_rest = if let Some(rest) = path.strip_prefix("/home/") {
        let mut parts = rest.splitn(2, '/');
        parts.next().map(|_| parts.next().unwrap_or(""))
    } else {
        path.strip_prefix("/root/")
    };
    if let Some(rest) = home_rest {
        out.push(if rest.is_empty() {
            "~".to_owned()
        } else {
            format!("~/{rest}")
        });
    }
    out
}

/// Segments below the root kind: `~/a/b` → (`~`, [a, b]); `/a/b` → (`/`, [a, b]).
fn split(path: &str) -> (&'static str, Vec<&str>) {
    let (root, rest) = if path == "~" {
        ("~", "")
    } else if let Some(rest) = path.strip_prefix("~/") {
        ("~", rest)
    } else {
        ("/", path.trim_start_matches('/'))
    };
    (root, rest.split('/').filter(|s| !s.is_empty()).collect())
}

/// `Some(Equals | Contains | Inside)` when the two paths are on one line of descent.
fn relate(grant: &str, location: &str) -> Option<Relation> {
    let (gr, gs) = split(grant);
    let (lr, ls) = split(location);
    relate_split(gr, &gs, lr, &ls)
}

/// [`split`] of every location of [`all`], in its order: computed once, since every grant of
/// every jail is compared with every location.
fn all_split() -> &'static [(&'static str, Vec<&'static str>)] {
    static CELL: OnceLock<Vec<(&'static str, Vec<&'static str>)>> = OnceLock::new();
    CELL.get_or_init(|| all().iter().map(|l| split(l.path)).collect())
}

/// [`relate`] on paths already [`split`].
fn relate_split(gr: &str, gs: &[&str], lr: &str, ls: &[&str]) -> Option<Relation> {
    if gr == lr {
        if gs == ls {
            return Some(Relation::Equals);
        }
        if gs.len() < ls.len() && ls[..gs.len()] == gs[..] {
            return Some(Relation::Contains);
        }
        if gs.len() > ls.len() && gs[..ls.len()] == ls[..] {
            return Some(Relation::Inside);
        }
        return None;
    }
    // `/` contains every home path; `/home` contains `~` (every user's home).
    if lr == "~" && gr == "/" && (gs.is_empty() || gs == ["home"]) {
        return Some(Relation::Contains);
    }
    if gr == "~" && lr == "/" && ls.is_empty() {
        return Some(Relation::Inside);
    }
    None
}

/// The sensitive locations `grant` (normalised) equals, contains or sits inside, for a grant of
/// this access in a jail of this preset (`None`: a custom agent). For `~`, `/` and `/tmp` only
/// "equals" and "contains" count, since ordinary paths sit inside them. A location inside
/// another reported one is left out (granting `/` reports `/`, not also `/etc`), and of the
/// locations a grant sits inside only the innermost is reported.
pub fn findings(grant: &str, access: Access, preset: Option<&str>) -> Vec<Finding> {
    let mut all: Vec<Finding> = Vec::new();
    for form in forms(&canonical(grant)) {
        let (gr, gs) = split(&form);
        for (loc, (lr, ls)) in self::all().iter().zip(all_split()) {
            if (loc.danger == Danger::Write && access == Access::ReadOnly)
                || (loc.preset.is_some() && loc.preset == preset)
            {
                continue;
            }
            let Some(rel) = relate_split(gr, &gs, lr, ls) else {
                continue;
            };
            if rel == Relation::Inside && !loc.inside_counts {
                continue;
            }
            if !all.iter().any(|f| f.location == *loc) {
                all.push(Finding {
                    relation: rel,
                    location: *loc,
                });
            }
        }
    }
    let inside = |a: &str, b: &str| relate(a, b) == Some(Relation::Inside);
    let covering: Vec<Finding> = all
        .iter()
        .filter(|f| f.relation != Relation::Inside)
        .copied()
        .collect();
    let innermost_inside = all
        .iter()
        .filter(|f| f.relation == Relation::Inside)
        .max_by_key(|f| split(f.location.path).1.len())
        .copied();
    let mut out: Vec<Finding> = covering
        .iter()
        .filter(|f| {
            !covering
                .iter()
                .any(|g| g.location != f.location && inside(f.location.path, g.location.path))
        })
        .copied()
        .collect();
    if !out.iter().any(|f| f.relation == Relation::Equals)
        && let Some(f) = innermost_inside
    {
        out.push(f);
    }
    out
}

/// The sensitive location an `allow_exposure` entry (normalised) names, in its listed form.
pub fn allowed_location(entry: &str) -> Option<&'static Sensitive> {
    forms(&canonical(entry))
        .iter()
        .find_map(|f| all().iter().find(|s| s.path == f))
}

/// `NAME` looks like it holds a credential: `*_TOKEN`, `*_KEY`, `*SECRET*`, `*PASSWORD*`
/// (case-insensitive).
/// Host ports whose service is a way into the host (`jailgen::lint::host_port_risk`), by the
/// first port of a range: (first, last, what it is).
pub const HOST_PORT_RISKS: &[(u16, u16, &str)] = &[
    (2375, 2376, "Docker's API: root on the host"),
    (
        6000,
        6063,
        "X11 over TCP: keystrokes into your windows and screenshots of them",
    ),
    (
        9222,
        9222,
        "a browser's remote debugging port: your sessions and cookies, script in every page",
    ),
    (
        9229,
        9229,
        "Node's inspector: code execution in that process",
    ),
    (10250, 10250, "the kubelet's API: containers on the node"),
];

/// Domains under which anyone can host a site of their own (public suffixes and shared hosting):
/// an allowlist rule `*.<one of these>` lets the agent reach, and send data to, any site an
/// attacker puts there (`jailgen::lint::broad_allow_rule`).
pub const SHARED_SUFFIXES: &[&str] = &[
    "appspot.com",
    "azurewebsites.net",
    "blob.core.windows.net",
    "cloudfront.net",
    "co.uk",
    "com.au",
    "com.br",
    "co.jp",
    "firebaseapp.com",
    "fly.dev",
    "github.io",
    "gitlab.io",
    "glitch.me",
    "herokuapp.com",
    "netlify.app",
    "ngrok.io",
    "ngrok-free.app",
    "onrender.com",
    "pages.dev",
    "railway.app",
    "replit.dev",
    "s3.amazonaws.com",
    "trycloudflare.com",
    "vercel.app",
    "web.app",
    "workers.dev",
];

/// The shared suffix an allowlist rule `*.suffix` (any port) opens whole, if it is one.
pub fn broad_allow_rule(rule: &str) -> Option<&'static str> {
    let rest = rule.strip_prefix("*.")?;
    let name = rest
        .rsplit_once(':')
        .map_or(rest, |(n, _)| n)
        .to_ascii_lowercase();
    SHARED_SUFFIXES.iter().copied().find(|s| *s == name)
}

/// What a host port exposes, when it is one of [`HOST_PORT_RISKS`].
pub fn host_port_risk(port: u16) -> Option<&'static str> {
    HOST_PORT_RISKS
        .iter()
        .find(|(first, last, _)| (*first..=*last).contains(&port))
        .map(|(_, _, what)| *what)
}

pub fn looks_like_credential(name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    up.ends_with("_TOKEN")
        || up.ends_with("_KEY")
        || up.contains("SECRET")
        || up.contains("PASSWORD")
}

const API: &str = "points the agent's API traffic, with its API key or login, at another server";
const PROXY: &str =
    "routes the jail's network traffic (and the agent's credentials) through a proxy";
const NO_TLS: &str = "turns off TLS certificate checks, so the agent's traffic can be intercepted";
const CA: &str =
    "replaces the trusted certificate authorities, so the agent's TLS traffic can be intercepted";
const GIT_CMD: &str = "names a command git runs";

/// Environment names that redirect traffic or trust, or load code into the programs of the jail
/// (the agent, which holds the credentials, included), each with the reason.
const REDIRECTING: &[(&str, &str)] = &[
    ("NODE_TLS_REJECT_UNAUTHORIZED", NO_TLS),
    ("GIT_SSL_NO_VERIFY", NO_TLS),
    ("PYTHONHTTPSVERIFY", NO_TLS),
    ("SSL_CERT_FILE", CA),
    ("SSL_CERT_DIR", CA),
    ("NIX_SSL_CERT_FILE", CA),
    ("CURL_CA_BUNDLE", CA),
    ("REQUESTS_CA_BUNDLE", CA),
    ("NODE_EXTRA_CA_CERTS", CA),
    ("GIT_SSL_CAINFO", CA),
    (
        "NODE_OPTIONS",
        "loads code into every Node.js process, the agent included (`--require`)",
    ),
    ("NODE_PATH", "decides where Node.js loads modules from"),
    ("LD_PRELOAD", "loads a library into every program"),
    ("LD_AUDIT", "loads a library into every program"),
    (
        "LD_LIBRARY_PATH",
        "decides where every program loads its libraries from",
    ),
    ("BASH_ENV", "names a script every non-interactive bash runs"),
    ("ENV", "names a script every interactive sh runs"),
    ("PROMPT_COMMAND", "is a command bash runs at every prompt"),
    ("PATH", "decides which programs run"),
    ("PYTHONSTARTUP", "names a script interactive Python runs"),
    ("PYTHONPATH", "decides where Python loads modules from"),
    ("PERL5OPT", "loads code into every Perl program"),
    ("PERL5LIB", "decides where Perl loads modules from"),
    ("RUBYOPT", "loads code into every Ruby program"),
    ("RUBYLIB", "decides where Ruby loads libraries from"),
    ("GIT_SSH_COMMAND", GIT_CMD),
    ("GIT_SSH", GIT_CMD),
    ("GIT_ASKPASS", GIT_CMD),
    ("SSH_ASKPASS", "names a command ssh runs"),
    ("GIT_EXEC_PATH", "decides which git programs run"),
    (
        "GIT_CONFIG_GLOBAL",
        "replaces git's configuration, which can run commands (core.fsmonitor, core.sshCommand)",
    ),
    (
        "GIT_CONFIG_PARAMETERS",
        "adds git configuration, which can run commands (core.fsmonitor, core.sshCommand)",
    ),
    (
        "GIT_CONFIG_COUNT",
        "adds git configuration, which can run commands (core.fsmonitor, core.sshCommand)",
    ),
];

/// Why setting or forwarding `name` redirects traffic or trust or loads code, if it does:
/// `*_BASE_URL`, `*_API_BASE`, `*_API_URL`, `*_ENDPOINT`, `*_PROXY` and `ALL_PROXY` (any case),
/// and the names in the table above.
pub fn redirecting_env(name: &str) -> Option<&'static str> {
    if let Some((_, why)) = REDIRECTING.iter().find(|(n, _)| *n == name) {
        return Some(why);
    }
    let up = name.to_ascii_uppercase();
    if ["_BASE_URL", "_API_BASE", "_API_URL", "_ENDPOINT"]
        .iter()
        .any(|s| up.ends_with(s))
    {
        return Some(API);
    }
    if up.ends_with("_PROXY") {
        return Some(PROXY);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(grant: &str) -> Vec<String> {
        findings(grant, Access::ReadOnly, None)
            .iter()
            .map(|f| format!("{} {}", f.relation.verb(), f.location.path))
            .collect()
    }

    #[test]
    fn a_grant_equal_to_containing_or_inside_a_location_is_found() {
        assert_eq!(shown("~/.ssh"), ["is ~/.ssh"]);
        assert_eq!(shown("~/.ssh/id_ed25519"), ["is inside ~/.ssh"]);
        assert_eq!(
            shown("~/.config"),
            [
                "contains ~/.config/gcloud",
                "contains ~/.config/gh",
                "contains ~/.config/google-chrome",
                "contains ~/.config/chromium",
                "contains ~/.config/fish",
                "contains ~/.config/amp",
                "contains ~/.config/crush",
                "contains ~/.config/cursor",
                "contains ~/.config/goose",
                "contains ~/.config/opencode"
            ]
        );
        assert_eq!(shown("~/projects"), Vec::<String>::new());
        assert_eq!(shown("/etc/ssl/certs"), ["is inside /etc"]);
    }

    #[test]
    fn home_and_root_count_only_when_equal_or_containing() {
        assert_eq!(shown("/"), ["is /"]);
        assert_eq!(shown("/home"), ["contains ~"]);
        assert_eq!(shown("/home/alice"), ["is ~"]);
        assert_eq!(shown("/opt/data"), Vec::<String>::new());
    }

    #[test]
    fn absolute_home_paths_are_compared_as_tilde_paths() {
        assert_eq!(shown("/home/alice/.ssh"), ["is ~/.ssh"]);
        assert_eq!(shown("/root/.aws/config"), ["is inside ~/.aws"]);
        assert_eq!(shown("/root"), ["is /root"]);
        assert_eq!(shown("/root/.ssh"), ["is ~/.ssh"]);
        assert_eq!(
            allowed_location("/home/bob/.ssh").map(|s| s.path),
            Some("~/.ssh")
        );
        assert_eq!(allowed_location("~/projects"), None);
    }

    #[test]
    fn only_the_innermost_enclosing_location_is_reported() {
        assert_eq!(shown("/run/user/1000/bus"), ["is inside /run/user"]);
        assert_eq!(
            shown("/var/run"),
            [
                "contains /run/docker.sock",
                "contains /run/user",
                "contains /run/dbus"
            ]
        );
    }

    #[test]
    fn credential_names_and_file_paths_are_recognised_statically() {
        for yes in [
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "DB_PASSWORD",
            "MY_SECRET",
        ] {
            assert!(looks_like_credential(yes), "{yes}");
        }
        for no in ["EDITOR", "TOKENIZER", "KEYBOARD"] {
            assert!(!looks_like_credential(no), "{no}");
        }
    }

    #[test]
    fn names_that_redirect_traffic_trust_or_code_are_recognised() {
        for yes in [
            "ANTHROPIC_BASE_URL",
            "OPENAI_API_BASE",
            "AZURE_OPENAI_ENDPOINT",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "no_proxy",
            "NODE_TLS_REJECT_UNAUTHORIZED",
            "SSL_CERT_FILE",
            "NODE_OPTIONS",
            "LD_PRELOAD",
            "BASH_ENV",
            "ENV",
            "GIT_SSH_COMMAND",
        ] {
            assert!(redirecting_env(yes).is_some(), "{yes}");
        }
        for no in [
            "EDITOR",
            "ANTHROPIC_API_KEY",
            "env",
            "BASE_URLS",
            "PROXYCHAINS",
        ] {
            assert_eq!(redirecting_env(no), None, "{no}");
        }
    }

    #[test]
    fn aliases_are_resolved_before_comparing() {
        assert_eq!(canonical("/var/run/user/1001"), "/run/user/1001");
        assert_eq!(canonical("/var/lock"), "/run/lock");
        assert_eq!(canonical("/var/running"), "/var/running");
        assert_eq!(shown("/var/run/user/1001"), ["is inside /run/user"]);
        assert_eq!(shown("/var/run/docker.sock"), ["is /run/docker.sock"]);
        assert_eq!(
            allowed_location("/var/run/docker.sock").map(|s| s.path),
            Some("/run/docker.sock")
        );
    }

    #[test]
    fn host_executed_locations_count_only_for_read_write_grants() {
        let rw = |g: &str| -> Vec<String> {
            findings(g, Access::ReadWrite, Some("codex"))
                .iter()
                .map(|f| format!("{} {}", f.relation.verb(), f.location.path))
                .collect()
        };
        assert_eq!(shown("~/.gitconfig"), Vec::<String>::new());
        assert_eq!(rw("~/.gitconfig"), ["is ~/.gitconfig"]);
        assert_eq!(rw("~/.local/bin/tool"), ["is inside ~/.local/bin"]);
        assert_eq!(shown("/tmp"), ["is /tmp"]);
        assert_eq!(shown("/tmp/build"), Vec::<String>::new());
        assert_eq!(shown("/tmp/.X11-unix/X0"), ["is inside /tmp/.X11-unix"]);
    }

    #[test]
    fn another_presets_state_counts_but_the_jails_own_does_not() {
        let of = |g: &str, preset: Option<&str>| -> Vec<String> {
            findings(g, Access::ReadWrite, preset)
                .iter()
                .map(|f| format!("{} {}", f.relation.verb(), f.location.path))
                .collect()
        };
        assert_eq!(of("~/.claude", Some("codex")), ["is ~/.claude"]);
        assert_eq!(of("~/.claude/settings.json", None), ["is inside ~/.claude"]);
        assert_eq!(of("~/.claude", Some("claude-code")), Vec::<String>::new());
    }
}
