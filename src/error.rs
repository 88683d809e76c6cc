//! Every error jailgen reports, as data (miette diagnostics: code, message, labels, help), and the
//! exit codes they map to. Phases build errors; how they are printed is [`crate::report`]'s, and
//! only `main` prints them.
//!
//! Diagnostic codes (all exit 2; a spec reports every problem at once, sorted by position):
//!
//! | code | cause |
//! |---|---|
//! | `jailgen::spec::empty` | the file is empty or only comments |
//! | `jailgen::spec::yaml` | YAML syntax error, or more than one document |
//! | `jailgen::spec::unknown_key` | a key jailgen does not know (with "did you mean") |
//! | `jailgen::spec::duplicate_key` | a key given twice in one mapping, including two jails with one name |
//! | `jailgen::spec::missing_key` | `version` or `jails` missing |
//! | `jailgen::spec::wrong_type` | a list where a string belongs, `network: sometimes` (not `true`, `false`, `host` or a mapping), a host port that is not a plain number, a flag that is not a plain `true`/`false` (quoted, `!!str`, YAML 1.1 `yes`/`no`/`on`/`off`/`y`/`n`), an empty value or `~` (null) for any key, a value tagged `!!int`/`!!float`/`!!bool` where a string belongs |
//! | `jailgen::spec::tag` | a YAML tag other than the core-schema ones (`!custom`, `!!python/…`), `!!binary`, or a core tag on the wrong kind of node (`!!str` on a mapping) |
//! | `jailgen::spec::merge_key` | a YAML 1.1 merge key (`<<`) in any mapping |
//! | `jailgen::spec::unsupported_version` | `version` other than `1` |
//! | `jailgen::spec::no_jails` | `jails: {}` |
//! | `jailgen::spec::invalid_command_name` | a jail key outside `[A-Za-z0-9][A-Za-z0-9._+-]*` |
//! | `jailgen::spec::unknown_agent` | `agent` not in `nix/lib/agents.json` |
//! | `jailgen::spec::not_a_default` | `agent` or `package` under `defaults` |
//! | `jailgen::spec::custom_agent_incomplete` | no `agent`, and no `package` or no `config_paths` |
//! | `jailgen::spec::invalid_attr_path` | a package that is not a path of Nix identifiers, or a keyword |
//! | `jailgen::spec::invalid_path` | relative, empty, `..`, `~user`, bare `~`, NUL or line break |
//! | `jailgen::spec::readonly_and_readwrite` | one path both `readonly` and `readwrite`/`config_paths` |
//! | `jailgen::spec::readonly_preset_state` | a `readonly` path that is the preset's own state path |
//! | `jailgen::spec::invalid_env_name` | an `env`/`forward_env` name that is not a POSIX name |
//! | `jailgen::spec::nul_in_string` | an `env` value holding NUL |
//! | `jailgen::spec::unknown_combinator` | a combinator not in `nix/lib/combinators.json` |
//! | `jailgen::spec::invalid_git` | `git` other than `protect` or `open` |
//! | `jailgen::spec::invalid_hide` | an empty, absolute or `..` hide pattern, or one with NUL or a line break |
//! | `jailgen::spec::invalid_network_rule` | an allowlist entry that is neither a set (`agent`, `registries`) nor a rule the proxy accepts (`jailgen_net::rules`): an IP address, a name without a dot, `*` other than a leading `*.`, a bad port; `agent` for a custom agent |
//! | `jailgen::spec::invalid_network` | an empty `allow` without host ports, a host port that is not decimal 1–65535 or is the proxy's own with `allow`, an unknown `stack`, `stack` with `allow` |
//! | `jailgen::spec::hidden_character` | a control (C0 other than tab/newline/CR, DEL, C1), bidi or zero-width character in any spec string |
//! | `jailgen::spec::exposure` | a grant that is, contains or lies inside a sensitive location (`jailgen::exposure::all()`: secrets and sockets for any grant, host-executed files for read-write grants, other presets' state) not named in `allow_exposure` |
//! | `jailgen::spec::stale_allow_exposure` | an `allow_exposure` entry that no grant of the jail needs |
//!
//! Warnings (printed; exit code unchanged unless `--deny-warnings`):
//!
//! | code | cause |
//! |---|---|
//! | `jailgen::lint::credential_env` | a forwarded `*_TOKEN`, `*_KEY`, `*SECRET*` or `*PASSWORD*` the preset does not list in `credentialEnv` (custom agents: always) |
//! | `jailgen::lint::host_network` | `network: host`: the host's network namespace, its loopback services and abstract sockets |
//! | `jailgen::lint::network_widened` | a jail's own `network` mapping without `allow` (the internet) replacing an allowlist or `false` in `defaults` |
//! | `jailgen::lint::broad_allow_rule` | an allowlist rule `*.<suffix>` where anyone can host a site (`crate::exposure::SHARED_SUFFIXES`: `*.github.io`, `*.vercel.app`, `*.co.uk`, …) |
//! | `jailgen::lint::host_port_risk` | a host port in `crate::exposure::HOST_PORT_RISKS` (Docker's API, X11, a browser's debugging port, …) |
//! | `jailgen::lint::network_with_nix` | `nix: true` while `network` is not `false` |
//! | `jailgen::lint::readwrite_file` | a `readwrite` or `config_paths` entry whose last segment ends in one of the extensions in `nix/lib/file-extensions.json` |
//! | `jailgen::lint::redirecting_env` | an `env` or `forward_env` name that redirects traffic or trust or loads code (`jailgen::exposure::redirecting_env`) |
//! | `jailgen::lint::overridden_env` | an `env` or `forward_env` name whose value the library replaces (preset `homeEnv`, `nix: true`'s `NIX_REMOTE`, a literal over a forwarded value) |
//! | `jailgen::lint::shadows_command` | a jail (command) name equal to a common host command, which it shadows in `nix develop` |
//! | `jailgen::io::read`, `jailgen::io::write` | file access failed; nothing was changed |
//! | `jailgen::init::exists`, `jailgen::init::unknown_agent` | `init` refused |
//! | `jailgen::explain::unknown_jail` | `explain` was given a jail name the spec does not declare |
//! | `jailgen::render::not_generated` | `render -o` would replace a file jailgen did not write |
//! | `jailgen::bug` | jailgen produced Nix that does not parse, or similar: not the user's mistake |
//!
//! Note on paths: valid paths are normalised before use. `//` and `/./` collapse and a trailing
//! `/` is dropped, so `~/a//b/` and `~/a/b` are the same bind (and conflict checks see them as one).

use std::io;

use miette::{Diagnostic, NamedSource, SourceSpan};

/// Kept here too for callers that print errors (`jailgen::error::render_report`).
pub use crate::report::render_report;

/// Exit code: success, or `check` found the output up to date.
pub const EXIT_OK: u8 = 0;
/// Exit code: `check` found the output stale or missing.
pub const EXIT_DRIFT: u8 = 1;
/// Exit code: invalid spec, I/O failure, refused overwrite, or a bug in jailgen.
pub const EXIT_ERROR: u8 = 2;

/// One mistake in a spec file, labelled on its YAML span.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum SpecError {
    #[error("{message}")]
    #[diagnostic(code(jailgen::spec::yaml), help("fix the YAML at the marked place"))]
    Yaml {
        message: String,
        #[label("here")]
        span: Option<SourceSpan>,
    },

    #[error("the spec `{file}` is empty")]
    #[diagnostic(
        code(jailgen::spec::empty),
        help(
            "a spec starts like this:\n  version: 1\n  jails:\n    jailed-claude-code:\n      agent: claude-code\n`jailgen init` writes a commented one"
        )
    )]
    Empty { file: String },

    #[error("unknown key `{key}`")]
    #[diagnostic(code(jailgen::spec::unknown_key))]
    UnknownKey {
        key: String,
        #[label("not a {place} key")]
        span: Option<SourceSpan>,
        place: &'static str,
        #[help]
        help: String,
    },

    #[error("duplicate key `{key}`")]
    #[diagnostic(
        code(jailgen::spec::duplicate_key),
        help(
            "each key may appear once in a mapping; for jails, the key is the command name, so give each jail its own"
        )
    )]
    DuplicateKey {
        key: String,
        #[label("already given above")]
        span: Option<SourceSpan>,
    },

    #[error("missing key `{key}`")]
    #[diagnostic(code(jailgen::spec::missing_key))]
    MissingKey {
        key: String,
        #[label("in this mapping")]
        span: Option<SourceSpan>,
        #[help]
        help: String,
    },

    #[error("{message}")]
    #[diagnostic(code(jailgen::spec::wrong_type), help("{help}"))]
    WrongType {
        message: String,
        #[label("here")]
        span: Option<SourceSpan>,
        help: String,
    },

    #[error("the YAML tag `{tag}` is not accepted")]
    #[diagnostic(code(jailgen::spec::tag), help("{help}"))]
    Tag {
        tag: String,
        #[label("{why}")]
        span: Option<SourceSpan>,
        why: &'static str,
        help: &'static str,
    },

    #[error("YAML merge keys (`<<`) are not accepted")]
    #[diagnostic(
        code(jailgen::spec::merge_key),
        help(
            "write the keys out: `<<` is YAML 1.1, and jailgen reads YAML 1.2 (as with `yes`/`no`); an anchor and an alias of a whole value (`env: *shared`) still work"
        )
    )]
    MergeKey {
        #[label("merge key")]
        span: SourceSpan,
    },

    #[error("unsupported spec version `{found}`")]
    #[diagnostic(
        code(jailgen::spec::unsupported_version),
        help("this jailgen reads `version: 1`")
    )]
    UnsupportedVersion {
        found: u64,
        #[label("expected `1`")]
        span: SourceSpan,
    },

    #[error("no jails declared")]
    #[diagnostic(
        code(jailgen::spec::no_jails),
        help(
            "declare at least one jail, e.g.\n  jails:\n    jailed-claude-code:\n      agent: claude-code"
        )
    )]
    NoJails {
        #[label("empty")]
        span: SourceSpan,
    },

    #[error("invalid command name `{name}`")]
    #[diagnostic(
        code(jailgen::spec::invalid_command_name),
        help(
            "a command name starts with a letter or digit and holds only letters, digits, `.`, `_`, `+` and `-`, e.g. `jailed-claude`"
        )
    )]
    InvalidCommandName {
        name: String,
        #[label("not a command name")]
        span: SourceSpan,
    },

    #[error("unknown agent `{name}`")]
    #[diagnostic(code(jailgen::spec::unknown_agent))]
    UnknownAgent {
        name: String,
        #[label("not a preset")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{key}` cannot be set in `defaults`")]
    #[diagnostic(
        code(jailgen::spec::not_a_default),
        help("set `{key}` on each jail instead")
    )]
    NotADefault {
        key: &'static str,
        #[label("only allowed on a jail")]
        span: SourceSpan,
    },

    #[error("jail `{jail}` has no `agent`, so it needs `{missing}`")]
    #[diagnostic(code(jailgen::spec::custom_agent_incomplete))]
    CustomAgentIncomplete {
        jail: String,
        missing: &'static str,
        #[label("no preset and no `{missing}`")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("invalid attribute path `{path}`: {reason}")]
    #[diagnostic(
        code(jailgen::spec::invalid_attr_path),
        help(
            "a package is a Nix attribute path of identifiers, e.g. `python3`, `python3Packages.pytest` or `llm-agents.claude-code`"
        )
    )]
    InvalidAttrPath {
        path: String,
        reason: String,
        #[label("not an attribute path")]
        span: SourceSpan,
    },

    #[error("invalid path `{path}`: {reason}")]
    #[diagnostic(code(jailgen::spec::invalid_path))]
    InvalidPath {
        path: String,
        reason: &'static str,
        #[label("{reason}")]
        span: SourceSpan,
        #[help]
        help: &'static str,
    },

    #[error("`{path}` is both read-only and read-write")]
    #[diagnostic(
        code(jailgen::spec::readonly_and_readwrite),
        help(
            "keep it in one list: `readonly` to let the agent read it, `readwrite` (or `config_paths`) to let it write"
        )
    )]
    ReadonlyAndReadwrite {
        path: String,
        #[label(primary, "read-only here")]
        ro_span: SourceSpan,
        #[label("read-write here")]
        rw_span: SourceSpan,
    },

    #[error("`{path}` is the `{preset}` preset's read-write state, so it cannot be read-only")]
    #[diagnostic(
        code(jailgen::spec::readonly_preset_state),
        help("remove it from `readonly`; the preset already binds it read-write")
    )]
    ReadonlyPresetState {
        path: String,
        preset: String,
        #[label("read-only here")]
        span: SourceSpan,
    },

    #[error("invalid environment variable name `{name}`")]
    #[diagnostic(
        code(jailgen::spec::invalid_env_name),
        help(
            "an environment variable name is a letter or `_` followed by letters, digits and `_`, e.g. `ANTHROPIC_API_KEY`"
        )
    )]
    InvalidEnvName {
        name: String,
        #[label("not a POSIX name")]
        span: SourceSpan,
    },

    #[error("the value contains a NUL byte")]
    #[diagnostic(
        code(jailgen::spec::nul_in_string),
        help("Nix strings cannot hold NUL; remove it")
    )]
    NulInString {
        #[label("contains NUL")]
        span: SourceSpan,
    },

    #[error("unknown combinator `{name}`")]
    #[diagnostic(code(jailgen::spec::unknown_combinator))]
    UnknownCombinator {
        name: String,
        #[label("not a known combinator")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("invalid git policy `{value}`")]
    #[diagnostic(
        code(jailgen::spec::invalid_git),
        help(
            "use `git: protect` (the default: `.git/hooks` and `.git/config` read-only) or `git: open`"
        )
    )]
    InvalidGit {
        value: String,
        #[label("expected `protect` or `open`")]
        span: SourceSpan,
    },

    #[error("invalid hide pattern `{pattern}`: {reason}")]
    #[diagnostic(
        code(jailgen::spec::invalid_hide),
        help(
            "hide patterns are globs relative to the working directory, e.g. `.env.*` or `secrets/**`"
        )
    )]
    InvalidHide {
        pattern: String,
        reason: &'static str,
        #[label("{reason}")]
        span: SourceSpan,
    },

    #[error("invalid network rule `{rule}`: {why}")]
    #[diagnostic(code(jailgen::spec::invalid_network_rule))]
    InvalidNetworkRule {
        rule: String,
        why: String,
        #[label("not an allowlist rule")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("the set `agent` needs a preset")]
    #[diagnostic(
        code(jailgen::spec::invalid_network_rule),
        help(
            "`agent` stands for a preset's API and login hosts, and the jail `{jail}` runs a custom agent (no `agent:` key); name its hosts instead, e.g. `allow: [api.example.com, registries]`"
        )
    )]
    AgentSetWithoutPreset {
        jail: String,
        #[label("no preset, so no agent hosts")]
        span: SourceSpan,
    },

    #[error("an empty allowlist lets nothing out")]
    #[diagnostic(
        code(jailgen::spec::invalid_network),
        help(
            "name what the agent may reach, e.g. `allow: [agent, registries]`; write `network: false` for no network at all, or `network: {{ allow: [], host_ports: [PORT] }}` for one host port and nothing else"
        )
    )]
    EmptyAllowlist {
        #[label("empty")]
        span: SourceSpan,
    },

    #[error("`{port}` is not a host port: {reason}")]
    #[diagnostic(
        code(jailgen::spec::invalid_network),
        help(
            "host ports are TCP port numbers from 1 to 65535 in decimal, e.g. `host_ports: [11434]`"
        )
    )]
    InvalidHostPort {
        port: String,
        reason: &'static str,
        #[label("not a port")]
        span: SourceSpan,
    },

    #[error("host port {port} is the allowlist proxy's port inside the jail")]
    #[diagnostic(
        code(jailgen::spec::invalid_network),
        help(
            "with `allow` the jail's 127.0.0.1:{port} is the filtering proxy; run the host's service on another port and forward that"
        )
    )]
    ProxyPortForwarded {
        port: u16,
        #[label("taken by the proxy")]
        span: SourceSpan,
    },

    #[error("unknown network stack `{value}`")]
    #[diagnostic(code(jailgen::spec::invalid_network))]
    UnknownNetStack {
        value: String,
        #[label("expected `slirp4netns` or `pasta`")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`stack` has no effect with `allow`")]
    #[diagnostic(
        code(jailgen::spec::invalid_network),
        help(
            "an allowlist jail has no user-mode stack, only the proxy; remove `stack`, or remove `allow` for the internet through the stack"
        )
    )]
    StackWithAllow {
        #[label("ignored with `allow`")]
        span: SourceSpan,
    },

    #[error("the {what} contains {name}, {kind}")]
    #[diagnostic(
        code(jailgen::spec::hidden_character),
        help(
            "remove it: a reviewer reading jails.yaml would not see what runs (\"trojan source\"); control, bidi and zero-width characters are refused in every spec string (tab, newline and carriage return are allowed in `env` values)"
        )
    )]
    HiddenCharacter {
        what: &'static str,
        name: String,
        kind: &'static str,
        #[label("{name} in this value")]
        span: SourceSpan,
    },

    #[error("`{path}` {verb} `{location}` ({reason})")]
    #[diagnostic(code(jailgen::spec::exposure))]
    Exposure {
        path: String,
        verb: &'static str,
        location: &'static str,
        reason: String,
        #[label("exposes `{location}`")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`allow_exposure` entry `{entry}` matches no granted path")]
    #[diagnostic(
        code(jailgen::spec::stale_allow_exposure),
        help(
            "remove it: `allow_exposure` names a sensitive location (e.g. `~/.config/gh`) that a `readonly`, `readwrite` or `config_paths` entry of the same jail exposes"
        )
    )]
    StaleAllowExposure {
        entry: String,
        #[label("nothing exposes this")]
        span: SourceSpan,
    },

    #[error("`{name}` looks like a credential and {why}")]
    #[diagnostic(
        code(jailgen::lint::credential_env),
        severity(Warning),
        help(
            "a forwarded variable is readable by everything the agent runs; forward it only if the agent needs it"
        )
    )]
    CredentialForward {
        name: String,
        why: String,
        #[label("forwarded here")]
        span: SourceSpan,
    },

    #[error("the jail shares the host's network")]
    #[diagnostic(
        code(jailgen::lint::host_network),
        severity(Warning),
        help(
            "with `network: host` the agent reaches every service on your host's loopback (databases, dev servers, a browser's debugging port, Docker's TCP API) and its abstract unix sockets, X11's `@/tmp/.X11-unix/X0` among them (an X client can type into your windows); the default `network: true` gives the internet without them, and `host_ports: [PORT]` under `network:` reaches one chosen host port"
        )
    )]
    HostNetwork {
        #[label("the host's network namespace")]
        span: SourceSpan,
    },

    #[error("this `network` replaces the defaults' {was} with the internet")]
    #[diagnostic(
        code(jailgen::lint::network_widened),
        severity(Warning),
        help(
            "a jail's `network` replaces the one in `defaults` whole, it is not merged: repeat the defaults' `allow` entries here to keep the allowlist (e.g. `network: {{ allow: [agent, registries], host_ports: [11434] }}`), or accept the wider network"
        )
    )]
    NetworkWidened {
        was: &'static str,
        #[label("wider than `defaults`")]
        span: SourceSpan,
    },

    #[error("`{rule}` allows every site under `{suffix}`, where anyone can host one")]
    #[diagnostic(
        code(jailgen::lint::broad_allow_rule),
        severity(Warning),
        help(
            "an attacker's site there is as reachable as yours: the agent can send it your code and whatever tokens it holds; name the hosts you mean, e.g. `my-docs.{suffix}`"
        )
    )]
    BroadAllowRule {
        rule: String,
        suffix: &'static str,
        #[label("any site under `{suffix}`")]
        span: SourceSpan,
    },

    #[error("host port {port} is {what}")]
    #[diagnostic(
        code(jailgen::lint::host_port_risk),
        severity(Warning),
        help(
            "a host port gives the agent that service of your host with your rights, past the jail; forward it only if the agent needs it"
        )
    )]
    HostPortRisk {
        port: u16,
        what: &'static str,
        #[label("forwarded from the host's 127.0.0.1")]
        span: SourceSpan,
    },

    #[error("network access and the Nix daemon together")]
    #[diagnostic(
        code(jailgen::lint::network_with_nix),
        severity(Warning),
        help(
            "with `nix: true` the host Nix daemon builds and fetches for the agent, outside the jail; set `network: false` if the agent does not need the network"
        )
    )]
    NetworkWithNix {
        #[label("`nix: true` here, and `network` is on")]
        span: SourceSpan,
    },

    #[error("`{name}` {reason}")]
    #[diagnostic(
        code(jailgen::lint::redirecting_env),
        severity(Warning),
        help(
            "check that you trust this: a `jails.yaml` change (e.g. in a pull request) can send your credentials elsewhere or run code this way; every maintainer who runs the jail is affected"
        )
    )]
    RedirectingEnv {
        name: String,
        reason: &'static str,
        #[label("{how} here")]
        span: SourceSpan,
        how: &'static str,
    },

    #[error("`{name}` is {how} here, but {winner}, whose value wins")]
    #[diagnostic(code(jailgen::lint::overridden_env), severity(Warning))]
    OverriddenEnv {
        name: String,
        how: &'static str,
        winner: String,
        #[label("has no effect")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("the jail `{name}` has the name of a common host command")]
    #[diagnostic(code(jailgen::lint::shadows_command), severity(Warning))]
    ShadowsCommand {
        name: String,
        #[label("shadows the host's `{name}`")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{path}` is a single file granted read-write")]
    #[diagnostic(
        code(jailgen::lint::readwrite_file),
        severity(Warning),
        help(
            "a bind-mounted file cannot be replaced by rename (EBUSY), so programs that save atomically fail; grant its directory instead. Decided statically, by the rule the library uses to create a missing state path as a file: the last segment ends in .json, .jsonc, .json5, .toml, .yaml, .yml, .ini, .conf, .cfg, .txt, .db, .sqlite, .env, .lock, .xml or .plist"
        )
    )]
    ReadwriteFile {
        path: String,
        #[label("read-write file")]
        span: SourceSpan,
    },
}

impl SpecError {
    /// Warnings do not stop a command unless `--deny-warnings` is given.
    pub fn is_warning(&self) -> bool {
        Diagnostic::severity(self) == Some(miette::Severity::Warning)
    }

    /// Where the error starts in the source (for sorting; errors without a place sort first):
    /// its first label.
    pub fn offset(&self) -> usize {
        Diagnostic::labels(self)
            .into_iter()
            .flatten()
            .map(|l| l.offset())
            .min()
            .unwrap_or(0)
    }
}

/// All mistakes in one spec file. It prints as the first mistake, with the others as related
/// diagnostics sharing the same source.
#[derive(Debug)]
pub struct SpecErrors {
    pub(crate) src: NamedSource<String>,
    /// Sorted by position; never empty (see [`SpecErrors::new`]).
    pub(crate) errors: Vec<SpecError>,
    /// The count of those not printed in full, when there are more than
    /// [`crate::report::MAX_SHOWN`].
    pub(crate) more: Option<More>,
}

impl SpecErrors {
    /// `None` when there is nothing to report.
    pub fn new(file: &str, src: &str, mut errors: Vec<SpecError>) -> Option<Self> {
        if errors.is_empty() {
            return None;
        }
        errors.sort_by_key(|e| (e.is_warning(), e.offset()));
        Some(Self {
            src: NamedSource::new(file, crate::suggest::sanitize_source(src)).with_language("yaml"),
            more: More::of(&errors),
            errors,
        })
    }

    /// The mistakes, errors before warnings, each sorted by position.
    pub fn errors(&self) -> &[SpecError] {
        &self.errors
    }

    /// Only warnings (nothing that stops a command without `--deny-warnings`).
    pub fn only_warnings(&self) -> bool {
        self.errors.iter().all(SpecError::is_warning)
    }

    pub(crate) fn first(&self) -> &SpecError {
        &self.errors[0]
    }
}

impl std::fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.first().fmt(f)
    }
}

impl std::error::Error for SpecErrors {}

impl Diagnostic for SpecErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.first().code()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.first().help()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.first().severity()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.first().labels()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.errors.len() < 2 {
            return None;
        }
        let shown = self.errors.len().min(crate::report::MAX_SHOWN);
        Some(Box::new(
            self.errors[1..shown]
                .iter()
                .map(|e| e as &dyn Diagnostic)
                .chain(self.more.as_ref().map(|m| m as &dyn Diagnostic)),
        ))
    }
}

/// The closing line of a report with more than [`crate::report::MAX_SHOWN`] diagnostics.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{text}")]
#[diagnostic(severity(Advice))]
pub struct More {
    text: String,
}

impl More {
    /// `None` when every diagnostic is shown.
    pub(crate) fn of(errors: &[SpecError]) -> Option<Self> {
        let hidden = errors
            .get(crate::report::MAX_SHOWN..)
            .filter(|h| !h.is_empty())?;
        let warnings = hidden.iter().filter(|e| e.is_warning()).count();
        let errs = hidden.len() - warnings;
        let text = match (errs, warnings) {
            (0, w) => format!(
                "… and {w} more {} (fix these first or pass --deny-warnings)",
                plural(w, "warning")
            ),
            (e, 0) => format!("… and {e} more {} (fix these first)", plural(e, "error")),
            (e, w) => format!(
                "… and {e} more {} and {w} more {} (fix these first)",
                plural(e, "error"),
                plural(w, "warning")
            ),
        };
        Some(Self { text })
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Spec(Box<SpecErrors>),

    #[error("cannot read `{path}`")]
    #[diagnostic(code(jailgen::io::read))]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },

    #[error("cannot write `{path}`")]
    #[diagnostic(
        code(jailgen::io::write),
        help("nothing was changed: the old file, if any, is intact")
    )]
    Write {
        path: String,
        #[source]
        source: io::Error,
    },

    #[error("refusing to overwrite {}", backticked(files))]
    #[diagnostic(
        code(jailgen::init::exists),
        help("nothing was written; pass `--force` to overwrite them")
    )]
    WouldOverwrite { files: Vec<String> },

    #[error("refusing to overwrite `{path}`: it was not generated by jailgen")]
    #[diagnostic(
        code(jailgen::render::not_generated),
        help(
            "its first line does not start with `# Generated by jailgen`; move it away or choose another `-o` file"
        )
    )]
    NotGenerated { path: String },

    #[error("unknown agent `{name}`")]
    #[diagnostic(code(jailgen::init::unknown_agent))]
    UnknownInitAgent {
        name: String,
        #[help]
        help: String,
    },

    #[error("unknown jail `{name}`")]
    #[diagnostic(code(jailgen::explain::unknown_jail))]
    UnknownJail {
        name: String,
        #[help]
        help: String,
    },

    #[error("bug in jailgen: {message}")]
    #[diagnostic(
        code(jailgen::bug),
        help("this is not your mistake; please report it with the spec that triggered it")
    )]
    Bug {
        message: String,
        #[source_code]
        src: Option<NamedSource<String>>,
        #[label("here")]
        span: Option<SourceSpan>,
    },
}

impl Error {
    pub fn bug(message: impl Into<String>) -> Self {
        Error::Bug {
            message: message.into(),
            src: None,
            span: None,
        }
    }

    /// Every error is exit code 2; drift (exit 1) is not an error but an outcome.
    pub fn exit_code(&self) -> u8 {
        EXIT_ERROR
    }
}

impl From<SpecErrors> for Error {
    fn from(e: SpecErrors) -> Self {
        Error::Spec(Box::new(e))
    }
}

fn backticked(files: &[String]) -> String {
    files
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
