//! The exposure lint and the warnings: golden diagnostics for `fixtures/lint/*.yaml`
//! (UPDATE_EXPECT=1 rewrites the `.stderr` files), one test per sensitive location the issue
//! names (error, message and span), `allow_exposure` accepted and shown by `explain`, and the
//! exit codes of warnings with and without `--deny-warnings`.

use std::fs;
use std::path::PathBuf;

use assert_cmd::Command;
use jailgen::error::SpecError;
use jailgen::exposure::Danger;

mod common;
use common::{expect_file, root};

/// Every finding (errors and warnings) of a spec, as validation returns them.
fn findings(src: &str) -> Vec<SpecError> {
    let spec = jailgen::spec::parse(src).expect("yaml");
    jailgen::validate::validate(&spec)
}

#[test]
fn lint_fixtures_report_their_golden_diagnostics() {
    let mut cases: Vec<PathBuf> = fs::read_dir(root().join("fixtures/lint"))
        .expect("fixtures/lint")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 3, "{cases:?}");
    let mut failures = Vec::new();
    for case in cases {
        let src = fs::read_to_string(&case).expect("read");
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let report = match jailgen::parse_and_check(&src, &name) {
            Err(e) => jailgen::error::render_report(&e, false),
            Ok(jailgen::Checked {
                warnings: Some(w), ..
            }) => jailgen::error::render_report(&w, false),
            Ok(_) => {
                failures.push(format!("{}: reported nothing", case.display()));
                continue;
            }
        };
        if let Err(f) = expect_file(&case.with_extension("stderr"), &report) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The grant that stands for a location: itself, or an absolute home for `~` (a bare `~` is not a
/// valid path at all).
fn grant_for(location: &str) -> String {
    if location == "~" {
        "/home/alice".to_owned()
    } else {
        location.to_owned()
    }
}

/// A jail spec granting `grant` with `key` (`readonly` or `readwrite`), in a jail of a preset
/// that does not own `location` (a preset's own state is not a finding for its jails).
fn grant_spec(location: &jailgen::exposure::Sensitive, grant: &str, key: &str) -> String {
    let agent = if location.preset == Some("codex") {
        "pi"
    } else {
        "codex"
    };
    format!("version: 1\njails:\n  jailed-x:\n    agent: {agent}\n    {key}: [\"{grant}\"]\n")
}

/// Grants `location` (read-only, or read-write for a location that is dangerous only to write)
/// and checks the error: its code, its message naming the location and the reason, and its span
/// on exactly the quoted path. A host-executed location granted read-only raises nothing.
fn assert_exposure_error(location: &str) {
    let sensitive = jailgen::exposure::all()
        .iter()
        .find(|s| s.path == location)
        .unwrap_or_else(|| panic!("`{location}` is not in the list"));
    let grant = grant_for(location);
    let key = match sensitive.danger {
        Danger::Read => "readonly",
        Danger::Write => "readwrite",
    };
    let src = grant_spec(sensitive, &grant, key);
    let quoted = format!("\"{grant}\"");
    let offset = src.find(&quoted).expect("grant in source");
    let found = findings(&src);
    let hit = found
        .iter()
        .find_map(|e| match e {
            SpecError::Exposure {
                location: l,
                span,
                reason,
                ..
            } if *l == location => Some((e.to_string(), *span, reason.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no exposure error for `{grant}`: {found:?}"));
    let (message, span, reason) = hit;
    assert_eq!(reason, jailgen::exposure::shown_reason(sensitive));
    if sensitive.danger == Danger::Write {
        assert!(
            reason.ends_with("; the host runs code from there"),
            "{reason}"
        );
        let read_only = grant_spec(sensitive, &grant, "readonly");
        assert!(
            findings(&read_only).is_empty(),
            "reading `{location}` is fine: {:?}",
            findings(&read_only)
        );
    }
    assert!(
        message.contains(&format!("`{location}` ({reason})")),
        "{message}"
    );
    assert_eq!(
        (span.offset(), span.len()),
        (offset, quoted.len()),
        "span of `{grant}`"
    );
    // It is an error: the spec does not render.
    assert!(jailgen::generate(&src, "jails.yaml").is_err());
    // Named in allow_exposure, it renders.
    let allowed = format!("{src}    allow_exposure: [\"{location}\"]\n");
    jailgen::generate(&allowed, "jails.yaml")
        .unwrap_or_else(|e| panic!("{location}: {}", jailgen::error::render_report(&e, false)));
}

macro_rules! exposure_tests {
    ($($name:ident => $loc:literal,)*) => {
        $(
            #[test]
            fn $name() {
                assert_exposure_error($loc);
            }
        )*
        /// The locations the issue names, each with its own test above.
        const ISSUE_LOCATIONS: &[&str] = &[$($loc),*];
    };
}

exposure_tests! {
    exposes_home => "~",
    exposes_ssh => "~/.ssh",
    exposes_gnupg => "~/.gnupg",
    exposes_aws => "~/.aws",
    exposes_azure => "~/.azure",
    exposes_gcloud => "~/.config/gcloud",
    exposes_kube => "~/.kube",
    exposes_docker_config => "~/.docker",
    exposes_netrc => "~/.netrc",
    exposes_git_credentials => "~/.git-credentials",
    exposes_gh => "~/.config/gh",
    exposes_password_store => "~/.password-store",
    exposes_keyrings => "~/.local/share/keyrings",
    exposes_mozilla => "~/.mozilla",
    exposes_google_chrome => "~/.config/google-chrome",
    exposes_bashrc => "~/.bashrc",
    exposes_zshrc => "~/.zshrc",
    exposes_profile => "~/.profile",
    exposes_bash_profile => "~/.bash_profile",
    exposes_zprofile => "~/.zprofile",
    exposes_fish_config => "~/.config/fish",
    exposes_root_fs => "/",
    exposes_etc => "/etc",
    exposes_root_home => "/root",
    exposes_docker_socket => "/run/docker.sock",
    exposes_run_user => "/run/user",
    exposes_system_dbus => "/run/dbus",
    exposes_tmp => "/tmp",
    exposes_x11_sockets => "/tmp/.X11-unix",
    exposes_proc => "/proc",
    exposes_nix_daemon_socket => "/nix/var/nix/daemon-socket",
    writes_gitconfig => "~/.gitconfig",
    writes_git_config_dir => "~/.config/git",
    writes_local_bin => "~/.local/bin",
    writes_home_bin => "~/bin",
    writes_systemd_user_units => "~/.config/systemd",
    writes_autostart => "~/.config/autostart",
    writes_environment_d => "~/.config/environment.d",
    writes_applications => "~/.local/share/applications",
    writes_direnv => "~/.config/direnv",
    writes_vimrc => "~/.vimrc",
    writes_vim_dir => "~/.vim",
    writes_nvim => "~/.config/nvim",
    writes_emacs => "~/.emacs",
    writes_emacs_d => "~/.emacs.d",
    writes_emacs_config => "~/.config/emacs",
    writes_vscode_user => "~/.config/Code/User",
    other_agent_claude => "~/.claude",
    other_agent_codex => "~/.codex",
    other_agent_opencode => "~/.config/opencode",
}

#[test]
fn every_listed_location_is_an_error_and_the_issue_list_is_covered() {
    for loc in ISSUE_LOCATIONS {
        assert!(
            jailgen::exposure::all().iter().any(|s| s.path == *loc),
            "{loc} missing from the list"
        );
    }
    for s in jailgen::exposure::all() {
        assert_exposure_error(s.path);
    }
}

#[test]
fn a_grant_inside_or_containing_a_location_is_an_error_too() {
    for (grant, location, verb) in [
        ("~/.ssh/id_ed25519", "~/.ssh", "is inside"),
        ("/home/bob/.aws/credentials", "~/.aws", "is inside"),
        ("~/.config", "~/.config/gh", "contains"),
        ("/var/run", "/run/docker.sock", "contains"),
        ("/var/run/docker.sock", "/run/docker.sock", "is"),
        ("/var/run/user/1001", "/run/user", "is inside"),
        ("/var/run/dbus/system_bus_socket", "/run/dbus", "is inside"),
        ("/run/user/1000/bus", "/run/user", "is inside"),
        ("/tmp/.X11-unix/X0", "/tmp/.X11-unix", "is inside"),
        ("/", "/", "is"),
        ("~/.config", "~/.config/git", "contains"),
        ("~/.local", "~/.local/bin", "contains"),
        ("~/.ssh/config", "~/.ssh", "is inside"),
        ("/home", "~", "contains"),
    ] {
        let src = format!(
            "version: 1\njails:\n  jailed-codex:\n    agent: codex\n    readwrite: [\"{grant}\"]\n"
        );
        let messages: Vec<String> = findings(&src).iter().map(ToString::to_string).collect();
        let want = format!("`{grant}` {verb} `{location}`");
        assert!(
            messages.iter().any(|m| m.starts_with(&want)),
            "{grant}: want `{want}` in {messages:?}"
        );
    }
}

#[test]
fn ordinary_paths_raise_nothing() {
    let src = "version: 1\njails:\n  jailed-codex:\n    agent: codex\n    readonly: [~/projects, /opt/data, ~/.config/nvim, ~/.gitconfig, /srv/etc, ~/.sshx]\n    readwrite: [~/.cache/pip, /tmp/build, ~/.codex/sessions, /var/lib/x]\n";
    assert!(findings(src).is_empty(), "{:?}", findings(src));
}

#[test]
fn a_jails_own_preset_state_is_not_an_exposure_but_another_agents_is() {
    let own = "version: 1\njails:\n  jailed-claude-code:\n    agent: claude-code\n    config_paths: [~/.claude/extra]\n";
    assert!(findings(own).is_empty(), "{:?}", findings(own));
    let other =
        "version: 1\njails:\n  jailed-codex:\n    agent: codex\n    readwrite: [~/.claude/hooks]\n";
    let messages: Vec<String> = findings(other).iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "`~/.claude/hooks` is inside `~/.claude` (state of the `claude-code` agent: its login, and settings the host's unjailed `claude` runs code from)"
        ]
    );
}

/// The `jailgen::lint::*` warnings of a spec, as `code: message`.
fn warnings(src: &str) -> Vec<String> {
    findings(src)
        .iter()
        .filter(|e| e.is_warning())
        .map(|e| {
            let code = miette::Diagnostic::code(e)
                .map(|c| c.to_string())
                .unwrap_or_default();
            format!("{code}: {e}")
        })
        .collect()
}

#[test]
fn env_names_that_redirect_traffic_trust_or_code_are_warnings() {
    let src = "version: 1\njails:\n  jailed-codex:\n    agent: codex\n    env: { OPENAI_BASE_URL: \"https://x.example\", SSL_CERT_FILE: ./ca.pem, EDITOR: vi }\n    forward_env: [https_proxy, NODE_OPTIONS, OPENAI_API_KEY]\n";
    assert_eq!(
        warnings(src),
        [
            "jailgen::lint::redirecting_env: `OPENAI_BASE_URL` points the agent's API traffic, with its API key or login, at another server",
            "jailgen::lint::redirecting_env: `SSL_CERT_FILE` replaces the trusted certificate authorities, so the agent's TLS traffic can be intercepted",
            "jailgen::lint::redirecting_env: `https_proxy` routes the jail's network traffic (and the agent's credentials) through a proxy",
            "jailgen::lint::redirecting_env: `NODE_OPTIONS` loads code into every Node.js process, the agent included (`--require`)",
        ]
    );
    let span = findings(src)
        .iter()
        .find_map(|e| match e {
            SpecError::RedirectingEnv { name, span, .. } if name == "NODE_OPTIONS" => Some(*span),
            _ => None,
        })
        .expect("NODE_OPTIONS warning");
    assert_eq!(span.offset(), src.find("NODE_OPTIONS").expect("in source"));
    assert_eq!(span.len(), "NODE_OPTIONS".len());
}

#[test]
fn env_the_library_overrides_is_a_warning_naming_the_winner() {
    let src = "version: 1\njails:\n  jailed-claude-code:\n    agent: claude-code\n    nix: true\n    network: false\n    env: { CLAUDE_CONFIG_DIR: /tmp/c, NIX_REMOTE: local, FOO: a }\n    forward_env: [FOO, CLAUDE_CONFIG_DIR]\n";
    assert_eq!(
        warnings(src),
        [
            "jailgen::lint::overridden_env: `CLAUDE_CONFIG_DIR` is set here, but the `claude-code` preset sets it to `$HOME/.claude` after `env`, whose value wins",
            "jailgen::lint::overridden_env: `NIX_REMOTE` is set here, but `nix: true` sets it to `daemon` after `env`, whose value wins",
            "jailgen::lint::overridden_env: `FOO` is forwarded here, but `env` sets it to a literal, whose value wins",
            "jailgen::lint::overridden_env: `CLAUDE_CONFIG_DIR` is forwarded here, but the `claude-code` preset sets it to `$HOME/.claude`, whose value wins",
        ]
    );
    // With the network on, forwarding a CA variable is overridden by the network's CA bundle.
    let ca = "version: 1\njails:\n  jailed-codex:\n    agent: codex\n    forward_env: [CURL_CA_BUNDLE]\n";
    assert!(
        warnings(ca).iter().any(|w| w
            == "jailgen::lint::overridden_env: `CURL_CA_BUNDLE` is forwarded here, but the network setting sets it to the jail's CA bundle, whose value wins"),
        "{:?}",
        warnings(ca)
    );
}

#[test]
fn a_jail_named_like_a_host_command_is_a_warning() {
    for name in ["sudo", "git", "ssh", "nix", "python3", "kubectl"] {
        let src = format!("version: 1\njails:\n  {name}:\n    agent: codex\n");
        let found = findings(&src);
        let (message, span) = found
            .iter()
            .find_map(|e| match e {
                SpecError::ShadowsCommand { span, .. } => Some((e.to_string(), *span)),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{name}: {found:?}"));
        assert_eq!(
            message,
            format!("the jail `{name}` has the name of a common host command")
        );
        assert_eq!(
            (span.offset(), span.len()),
            (src.find(&format!("{name}:")).expect("name"), name.len())
        );
        assert!(found.iter().all(SpecError::is_warning), "{found:?}");
    }
    assert!(findings("version: 1\njails:\n  jailed-git:\n    agent: codex\n").is_empty());
}

#[test]
fn null_is_refused_for_every_key_with_the_keys_type() {
    for (key, want) in [
        (
            "network",
            "expected `true`, `false`, `host` or a mapping, found an empty value",
        ),
        ("nix", "expected `true` or `false`"),
        ("new_session", "expected `true` or `false`"),
        ("git", "expected a string, found an empty value"),
        ("package", "expected a string, found an empty value"),
        ("packages", "expected a list"),
        ("readwrite", "expected a list"),
        ("readonly", "expected a list"),
        ("config_paths", "expected a list"),
        ("env", "expected a mapping"),
        ("forward_env", "expected a list"),
        ("combinators", "expected a list"),
        ("hide", "expected a list"),
        ("allow_exposure", "expected a list"),
    ] {
        for null in ["~", "null", ""] {
            let src = format!(
                "version: 1\njails:\n  jailed-codex:\n    agent: codex\n    {key}: {null}\n"
            );
            let err = jailgen::generate(&src, "jails.yaml").expect_err(&format!("{key}: {null}"));
            let text = jailgen::error::render_report(&err, false);
            assert!(text.contains(want), "{key}: {null}: {text}");
            assert!(text.contains("jailgen::spec::wrong_type"), "{text}");
        }
    }
    let defaults = jailgen::generate(
        "version: 1\ndefaults: ~\njails:\n  jailed-codex:\n    agent: codex\n",
        "jails.yaml",
    );
    assert!(defaults.is_err());
}

#[test]
fn accepted_exposures_are_shown_by_explain() {
    let out = Command::cargo_bin("jailgen")
        .expect("bin")
        .current_dir(root().join("fixtures/ok/allow-exposure"))
        .args(["explain", "jailed-codex"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "  accepted exposure risks (allow_exposure):\n    /home/alice/.config/gh/hosts.yml is inside ~/.config/gh (GitHub CLI tokens)\n"
        ),
        "{text}"
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn workdir(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(root().join(fixture), dir.path().join("jails.yaml")).expect("copy");
    dir
}

#[test]
fn warnings_are_printed_and_do_not_change_the_exit_code() {
    let dir = workdir("fixtures/lint/warnings.yaml");
    let out = Command::cargo_bin("jailgen")
        .expect("bin")
        .current_dir(dir.path())
        .args(["render", "-o", "jails.nix"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("jailgen::lint::network_with_nix"),
        "{stderr}"
    );
    assert!(dir.path().join("jails.nix").exists());
    Command::cargo_bin("jailgen")
        .expect("bin")
        .current_dir(dir.path())
        .arg("check")
        .env("NO_COLOR", "1")
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicates::str::contains("jailgen::lint::credential_env"));
}

#[test]
fn deny_warnings_makes_them_errors_and_writes_nothing() {
    let dir = workdir("fixtures/lint/warnings.yaml");
    for args in [
        &["render", "-o", "jails.nix", "--deny-warnings"][..],
        &["check", "--deny-warnings"][..],
        &["explain", "--deny-warnings"][..],
    ] {
        let out = Command::cargo_bin("jailgen")
            .expect("bin")
            .current_dir(dir.path())
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("jailgen::lint::readwrite_file"), "{stderr}");
    }
    assert!(!dir.path().join("jails.nix").exists());
}

#[test]
fn an_exposure_error_stops_every_command_with_exit_2() {
    let dir = workdir("fixtures/lint/exposure-grants.yaml");
    for args in [&["render"][..], &["check"][..], &["explain"][..]] {
        Command::cargo_bin("jailgen")
            .expect("bin")
            .current_dir(dir.path())
            .args(args)
            .env("NO_COLOR", "1")
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicates::str::contains(
                "`~/.config` contains `~/.config/gh` (GitHub CLI tokens)",
            ));
    }
}
