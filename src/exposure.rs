//! The exposure lint's data and logic: host locations that hold secrets or control the host, and
//! how a granted path relates to them. Pure functions over normalised paths (see
//! [`crate::rules::normalise_path`]); `validate` turns findings into diagnostics, `explain` shows
//! the ones a spec accepted with `allow_exposure`.

/// A sensitive host location and why it matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Sensitive {
    /// Normalised: `~/…` or absolute.
    pub path: &'static str,
    pub reason: &'static str,
}

/// The curated list. Home paths are compared in `~/…` form; an absolute path under
/// `/home/<user>/` or `/root/` is compared in that form too.
pub const SENSITIVE: &[Sensitive] = &[
    s("/", "the whole file system"),
    s("~", "your whole home directory"),
    s("~/.ssh", "SSH private keys"),
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
    s(
        "/var/run/docker.sock",
        "the Docker socket (root on the host)",
    ),
    s("/run/docker.sock", "the Docker socket (root on the host)"),
    s(
        "/run/user",
        "your session's sockets: D-Bus, keyring, Wayland, SSH agent",
    ),
    s(
        "/proc",
        "host processes: /proc/<pid>/root and /proc/<pid>/environ reach every file and environment",
    ),
    s(
        "/nix/var/nix/daemon-socket",
        "the Nix daemon, which builds and fetches outside the jail (use `nix: true`)",
    ),
];

const fn s(path: &'static str, reason: &'static str) -> Sensitive {
    Sensitive { path, reason }
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

/// The sensitive locations `grant` (normalised) equals, contains or sits inside. For `~` and `/`
/// only "equals" and "contains" count, since every path sits inside them. A location inside
/// another reported one is left out (granting `/` reports `/`, not also `/etc`), and of the
/// locations a grant sits inside only the innermost is reported.
pub fn findings(grant: &str) -> Vec<Finding> {
    let mut all: Vec<Finding> = Vec::new();
    for form in forms(grant) {
        for loc in SENSITIVE {
            let Some(rel) = relate(&form, loc.path) else {
                continue;
            };
            if rel == Relation::Inside && (loc.path == "~" || loc.path == "/") {
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
    forms(entry)
        .iter()
        .find_map(|f| SENSITIVE.iter().find(|s| s.path == f))
}

/// `NAME` looks like it holds a credential: `*_TOKEN`, `*_KEY`, `*SECRET*`, `*PASSWORD*`
/// (case-insensitive).
pub fn looks_like_credential(name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    up.ends_with("_TOKEN")
        || up.ends_with("_KEY")
        || up.contains("SECRET")
        || up.contains("PASSWORD")
}

/// A path names a single file when its last segment has an extension (`.claude.json`,
/// `a.toml`), the same static rule the library uses to create missing state files
/// (`nix/lib/paths.nix`, `isFile`). Nothing on disk is consulted.
pub fn looks_like_file(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    let stem = last.trim_start_matches('.');
    // `[.]*[^.]+([.][^.]+)+`: after leading dots, at least two non-empty dot-separated parts.
    let parts: Vec<&str> = stem.split('.').collect();
    parts.len() >= 2 && parts.iter().all(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(grant: &str) -> Vec<String> {
        findings(grant)
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
                "contains ~/.config/fish"
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
        assert_eq!(shown("/var/run"), ["contains /var/run/docker.sock"]);
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
        assert!(looks_like_file("~/.claude.json"));
        assert!(looks_like_file("~/a/config.toml"));
        assert!(!looks_like_file("~/.claude"));
        assert!(!looks_like_file("~/a.b/dir"));
        assert!(!looks_like_file("~/..."));
    }
}
