//! Lexical rules shared by validation and the model: what a command name, an attribute path,
//! an environment name, a jail path and a hide glob may look like.
//!
//! Each function is pure and total: it returns the normalised value or the reason it is not
//! acceptable. `validate` turns the reasons into diagnostics; `model` only ever sees values that
//! passed.

/// Nix keywords. A keyword is never a valid identifier segment, even where Nix would accept it
/// quoted, because jailgen never quotes attribute-path segments.
pub const NIX_KEYWORDS: &[&str] = &[
    "if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or",
];

/// The package-set prefix that resolves in the llm-agents set carried by the library.
pub const LLM_AGENTS_PREFIX: &str = "llm-agents";

/// `[A-Za-z_][A-Za-z0-9_'-]*` and not a keyword.
pub fn is_nix_ident(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '\'' | '-'))
        && !NIX_KEYWORDS.contains(&s)
}

/// `[A-Za-z_][A-Za-z0-9_]*`
pub fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `[A-Za-z0-9][A-Za-z0-9._+-]*`
pub fn is_command_name(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_ascii_alphanumeric()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'))
}

/// A package reference after validation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "set", content = "path", rename_all = "kebab-case")]
pub enum PkgRef {
    /// `llm-agents.<name>`: resolves in the library's `agentPackages`.
    LlmAgents(String),
    /// any other attribute path: resolves in nixpkgs (`pkgs.<segments>`).
    Nixpkgs(Vec<String>),
}

impl std::fmt::Display for PkgRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PkgRef::LlmAgents(name) => write!(f, "{LLM_AGENTS_PREFIX}.{name}"),
            PkgRef::Nixpkgs(segs) => f.write_str(&segs.join(".")),
        }
    }
}

/// Why an attribute path was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrPathProblem {
    Empty,
    EmptySegment,
    Keyword(String),
    BadSegment(String),
    LlmAgentsArity,
}

impl std::fmt::Display for AttrPathProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("the attribute path is empty"),
            Self::EmptySegment => f.write_str("the attribute path has an empty segment"),
            Self::Keyword(k) => write!(f, "`{k}` is a Nix keyword"),
            Self::BadSegment(s) => write!(f, "`{s}` is not a Nix identifier"),
            Self::LlmAgentsArity => write!(
                f,
                "`{LLM_AGENTS_PREFIX}.` must be followed by exactly one package name"
            ),
        }
    }
}

pub fn parse_attr_path(s: &str) -> Result<PkgRef, AttrPathProblem> {
    if s.is_empty() {
        return Err(AttrPathProblem::Empty);
    }
    let segs: Vec<&str> = s.split('.').collect();
    for seg in &segs {
        if seg.is_empty() {
            return Err(AttrPathProblem::EmptySegment);
        }
        if NIX_KEYWORDS.contains(seg) {
            return Err(AttrPathProblem::Keyword((*seg).to_owned()));
        }
        if !is_nix_ident(seg) {
            return Err(AttrPathProblem::BadSegment((*seg).to_owned()));
        }
    }
    if segs[0] == LLM_AGENTS_PREFIX {
        return match segs.as_slice() {
            [_, name] => Ok(PkgRef::LlmAgents((*name).to_owned())),
            _ => Err(AttrPathProblem::LlmAgentsArity),
        };
    }
    Ok(PkgRef::Nixpkgs(
        segs.iter().map(|s| (*s).to_owned()).collect(),
    ))
}

/// Why a path was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathProblem {
    Empty,
    Nul,
    LineBreak,
    Relative,
    OtherUserHome,
    ParentSegment,
    BareHome,
}

impl PathProblem {
    pub fn message(self) -> &'static str {
        match self {
            Self::Empty => "the path is empty",
            Self::Nul => "the path contains a NUL byte",
            Self::LineBreak => "the path contains a line break",
            Self::Relative => "the path is relative",
            Self::OtherUserHome => "`~user` paths are not supported",
            Self::ParentSegment => "the path has a `..` segment",
            Self::BareHome => "the path is the whole home directory",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            Self::Empty | Self::Relative => {
                "write an absolute path (`/opt/data`) or one below your home (`~/projects/cache`)"
            }
            Self::Nul | Self::LineBreak => "remove the control character from the path",
            Self::OtherUserHome => {
                "write the absolute path of that user's directory, e.g. `/home/alice/shared`"
            }
            Self::ParentSegment => "write the path without `..`, e.g. `~/a/../b` as `~/b`",
            Self::BareHome => {
                "name the directories below home that the agent needs, e.g. `~/projects`"
            }
        }
    }
}

/// Validates and normalises a jail path: absolute or `~/…`; `//`, `/./` and a trailing `/` are
/// collapsed, so `~/a//b/` and `~/a/b` name the same bind.
pub fn normalise_path(s: &str) -> Result<String, PathProblem> {
    if s.is_empty() {
        return Err(PathProblem::Empty);
    }
    if s.contains('\0') {
        return Err(PathProblem::Nul);
    }
    if s.contains(['\n', '\r']) {
        return Err(PathProblem::LineBreak);
    }
    let (prefix, rest) = if let Some(rest) = s.strip_prefix('/') {
        ("/", rest)
    } else if s == "~" {
        return Err(PathProblem::BareHome);
    } else if let Some(rest) = s.strip_prefix("~/") {
        ("~/", rest)
    } else if s.starts_with('~') {
        return Err(PathProblem::OtherUserHome);
    } else {
        return Err(PathProblem::Relative);
    };
    // Built in place (one allocation): every path of every jail goes through here.
    let mut out = String::with_capacity(s.len());
    out.push_str(prefix);
    let mut empty = true;
    for seg in rest.split('/') {
        match seg {
            "" | "." => {}
            ".." => return Err(PathProblem::ParentSegment),
            seg => {
                if !empty {
                    out.push('/');
                }
                out.push_str(seg);
                empty = false;
            }
        }
    }
    if prefix == "~/" && empty {
        return Err(PathProblem::BareHome);
    }
    Ok(out)
}

/// Why a hide glob was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HideProblem {
    Empty,
    Absolute,
    ParentSegment,
    Nul,
    LineBreak,
}

impl HideProblem {
    pub fn message(self) -> &'static str {
        match self {
            Self::Empty => "the hide pattern is empty",
            Self::Absolute => "the hide pattern is absolute",
            Self::ParentSegment => "the hide pattern has a `..` segment",
            Self::Nul => "the hide pattern contains a NUL byte",
            Self::LineBreak => "the hide pattern contains a line break",
        }
    }
}

/// Hide globs are relative to the working directory and may not leave it.
pub fn check_hide(s: &str) -> Result<(), HideProblem> {
    if s.is_empty() {
        Err(HideProblem::Empty)
    } else if s.contains('\0') {
        Err(HideProblem::Nul)
    } else if s.contains(['\n', '\r']) {
        Err(HideProblem::LineBreak)
    } else if s.starts_with('/') {
        Err(HideProblem::Absolute)
    } else if s.split('/').any(|seg| seg == "..") {
        Err(HideProblem::ParentSegment)
    } else {
        Ok(())
    }
}

/// A character that would make the reviewed file differ from what runs ("trojan source"): a C0
/// control other than tab, newline and carriage return (NUL has its own diagnostics), DEL, a C1
/// control, a bidi control or a zero-width character. Returns it with its kind.
pub fn hidden_char(s: &str) -> Option<(char, &'static str)> {
    s.chars().find_map(|c| {
        let kind = match c {
            '\0' | '\t' | '\n' | '\r' => return None,
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => "a control character",
            '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}' => "a bidi control character",
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => "a zero-width character",
            _ => return None,
        };
        Some((c, kind))
    })
}

/// The closest candidate, when it is close enough to be a plausible typo.
/// A host port as written in `network.host_ports`: decimal digits, no sign, no leading zero,
/// 1 to 65535; `Err` says why not.
pub fn host_port(text: &str) -> Result<u16, &'static str> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not a decimal number: write the port in digits, e.g. `80`");
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err("write it without leading zeros");
    }
    match text.parse::<u32>() {
        Ok(p @ 1..=65535) => Ok(p as u16),
        _ => Err("ports run from 1 to 65535"),
    }
}

pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(input, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Common host commands. A jail named like one of them shadows it wherever the jails are on PATH
/// (`nix develop`, a profile), so typing `git` would start the jail.
pub const COMMON_HOST_COMMANDS: &[&str] = &[
    "apt",
    "awk",
    "bash",
    "bun",
    "cargo",
    "cat",
    "cc",
    "chmod",
    "chown",
    "clang",
    "code",
    "cp",
    "curl",
    "dash",
    "deno",
    "docker",
    "doas",
    "emacs",
    "env",
    "find",
    "fish",
    "gcc",
    "gh",
    "git",
    "go",
    "gpg",
    "gpg2",
    "grep",
    "home-manager",
    "journalctl",
    "kubectl",
    "less",
    "ln",
    "ls",
    "make",
    "mkdir",
    "mv",
    "nano",
    "nix",
    "nix-build",
    "nix-env",
    "nix-shell",
    "nixos-rebuild",
    "node",
    "npm",
    "npx",
    "nvim",
    "open",
    "pass",
    "passwd",
    "pip",
    "pip3",
    "pkexec",
    "pnpm",
    "podman",
    "python",
    "python3",
    "rm",
    "rsync",
    "rustc",
    "scp",
    "sed",
    "sftp",
    "sh",
    "ssh",
    "ssh-add",
    "ssh-agent",
    "su",
    "sudo",
    "systemctl",
    "tar",
    "tmux",
    "vi",
    "vim",
    "wget",
    "xargs",
    "xdg-open",
    "yarn",
    "zsh",
];

/// A normalised `allow_exposure` entry (`~` itself is allowed here, to accept a home grant).
/// Validation and the model both read entries through this one function.
pub fn allow_entry(s: &str) -> Option<String> {
    if s.trim_end_matches('/') == "~" {
        return Some("~".to_owned());
    }
    normalise_path(s).ok()
}

/// A (normalised) path names a single file: its last segment ends in one of the extensions in
/// `nix/lib/file-extensions.json` (`~/.claude.json`, `~/a/config.toml`), but not
/// `~/.config/io.datasette.llm`. Decided statically; nothing on disk is consulted. The library
/// (`isFile` in `nix/lib/paths.nix`) reads the same file to decide whether to create a missing state
/// path as a file or a directory.
pub fn names_a_file(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    crate::presets::file_extensions()
        .iter()
        .any(|ext| last.ends_with(ext.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised() {
        assert_eq!(normalise_path("~/a//b/").as_deref(), Ok("~/a/b"));
        assert_eq!(normalise_path("/opt/./data/").as_deref(), Ok("/opt/data"));
        assert_eq!(normalise_path("/").as_deref(), Ok("/"));
        assert_eq!(
            normalise_path("~/a b/$x;`y`").as_deref(),
            Ok("~/a b/$x;`y`")
        );
    }

    #[test]
    fn bad_paths_are_rejected_with_their_reason() {
        assert_eq!(normalise_path(""), Err(PathProblem::Empty));
        assert_eq!(normalise_path("a/b"), Err(PathProblem::Relative));
        assert_eq!(normalise_path("./a"), Err(PathProblem::Relative));
        assert_eq!(normalise_path("~alice/x"), Err(PathProblem::OtherUserHome));
        assert_eq!(normalise_path("/a/../b"), Err(PathProblem::ParentSegment));
        assert_eq!(normalise_path("~/.."), Err(PathProblem::ParentSegment));
        assert_eq!(normalise_path("/a\nb"), Err(PathProblem::LineBreak));
        assert_eq!(normalise_path("/a\0b"), Err(PathProblem::Nul));
        assert_eq!(normalise_path("~"), Err(PathProblem::BareHome));
        assert_eq!(normalise_path("~//"), Err(PathProblem::BareHome));
    }

    #[test]
    fn attr_paths_accept_identifiers_only() {
        assert_eq!(
            parse_attr_path("python3Packages.pytest"),
            Ok(PkgRef::Nixpkgs(vec![
                "python3Packages".into(),
                "pytest".into()
            ]))
        );
        assert_eq!(
            parse_attr_path("llm-agents.codex"),
            Ok(PkgRef::LlmAgents("codex".into()))
        );
        assert_eq!(
            parse_attr_path("llm-agents"),
            Err(AttrPathProblem::LlmAgentsArity)
        );
        assert_eq!(
            parse_attr_path("llm-agents.a.b"),
            Err(AttrPathProblem::LlmAgentsArity)
        );
        assert_eq!(parse_attr_path("a..b"), Err(AttrPathProblem::EmptySegment));
        assert_eq!(
            parse_attr_path("with"),
            Err(AttrPathProblem::Keyword("with".into()))
        );
        assert_eq!(
            parse_attr_path("a.${x}"),
            Err(AttrPathProblem::BadSegment("${x}".into()))
        );
        assert_eq!(
            parse_attr_path("1a"),
            Err(AttrPathProblem::BadSegment("1a".into()))
        );
    }

    #[test]
    fn names_follow_their_grammars() {
        assert!(is_command_name("jailed-claude"));
        assert!(is_command_name("9x.y+z_"));
        assert!(!is_command_name("-x"));
        assert!(!is_command_name("a b"));
        assert!(is_env_name("_A1"));
        assert!(!is_env_name("1A"));
        assert!(!is_env_name("A-B"));
        assert!(is_nix_ident("nodejs_22"));
        assert!(!is_nix_ident("rec"));
    }

    #[test]
    fn hide_patterns_stay_in_the_working_dir() {
        assert_eq!(check_hide(".env.*"), Ok(()));
        assert_eq!(check_hide("secrets/**"), Ok(()));
        assert_eq!(check_hide("/etc"), Err(HideProblem::Absolute));
        assert_eq!(check_hide("a/../../b"), Err(HideProblem::ParentSegment));
        assert_eq!(check_hide(""), Err(HideProblem::Empty));
    }

    #[test]
    fn hidden_characters_are_found_and_ordinary_text_passes() {
        assert_eq!(
            hidden_char("a\u{202E}b"),
            Some(('\u{202E}', "a bidi control character"))
        );
        assert_eq!(
            hidden_char("x\u{200B}"),
            Some(('\u{200B}', "a zero-width character"))
        );
        assert_eq!(
            hidden_char("\u{1b}[31m"),
            Some(('\u{1b}', "a control character"))
        );
        assert_eq!(
            hidden_char("\u{85}"),
            Some(('\u{85}', "a control character"))
        );
        assert_eq!(
            hidden_char("\u{7f}"),
            Some(('\u{7f}', "a control character"))
        );
        assert_eq!(hidden_char("a\tb\nc\rd"), None);
        assert_eq!(hidden_char("héllo 🦀 日本語 \u{2028}"), None);
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(
            did_you_mean("readwirte", ["readwrite", "readonly"]),
            Some("readwrite")
        );
        assert_eq!(did_you_mean("zzz", ["readwrite", "readonly"]), None);
    }

    #[test]
    fn a_state_path_is_a_file_only_with_a_listed_extension() {
        for file in [
            "~/.claude.json",
            "~/a/config.toml",
            "~/.aider.conf.yml",
            "~/.env",
            "/srv/state.sqlite",
            "~/Library/app.plist",
        ] {
            assert!(names_a_file(file), "{file}");
        }
        for dir in [
            "~/.claude",
            "~/.config/io.datasette.llm",
            "~/a.b/dir",
            "~/...",
            "~/notes.md",
            "~/.local/share/app.d",
            "~/x.JSON",
        ] {
            assert!(!names_a_file(dir), "{dir}");
        }
    }
}
