//! The exposure lint and the warnings: golden diagnostics for `fixtures/lint/*.yaml`
//! (UPDATE_EXPECT=1 rewrites the `.stderr` files), one test per sensitive location the issue
//! names (error, message and span), `allow_exposure` accepted and shown by `explain`, and the
//! exit codes of warnings with and without `--deny-warnings`.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use jailgen::error::SpecError;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn update() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1")
}

fn expect_file(path: &Path, actual: &str) -> Result<(), String> {
    if update() {
        fs::write(path, actual).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(());
    }
    let expected = fs::read_to_string(path).unwrap_or_default();
    if expected == actual {
        return Ok(());
    }
    Err(format!(
        "{} does not match (UPDATE_EXPECT=1 rewrites it):\n{}",
        path.display(),
        similar::TextDiff::from_lines(&expected, actual)
            .unified_diff()
            .header("expected", "actual")
    ))
}

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

/// Grants `location` read-only and checks the error: its code, its message naming the location
/// and the reason, and its span on exactly the quoted path.
fn assert_exposure_error(location: &str) {
    let sensitive = jailgen::exposure::SENSITIVE
        .iter()
        .find(|s| s.path == location)
        .unwrap_or_else(|| panic!("`{location}` is not in the curated list"));
    let grant = grant_for(location);
    let src = format!(
        "version: 1\njails:\n  jailed-codex:\n    agent: codex\n    readonly: [\"{grant}\"]\n"
    );
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
            } if *l == location => Some((e.to_string(), *span, *reason)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no exposure error for `{grant}`: {found:?}"));
    let (message, span, reason) = hit;
    assert_eq!(reason, sensitive.reason);
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
    exposes_docker_socket => "/var/run/docker.sock",
    exposes_run_user => "/run/user",
}

#[test]
fn every_listed_location_is_an_error_and_the_issue_list_is_covered() {
    for loc in ISSUE_LOCATIONS {
        assert!(
            jailgen::exposure::SENSITIVE.iter().any(|s| s.path == *loc),
            "{loc} missing from the list"
        );
    }
    for s in jailgen::exposure::SENSITIVE {
        assert_exposure_error(s.path);
    }
}

#[test]
fn a_grant_inside_or_containing_a_location_is_an_error_too() {
    for (grant, location, verb) in [
        ("~/.ssh/id_ed25519", "~/.ssh", "is inside"),
        ("/home/bob/.aws/credentials", "~/.aws", "is inside"),
        ("~/.config", "~/.config/gh", "contains"),
        ("/var/run", "/var/run/docker.sock", "contains"),
        ("/run/user/1000/bus", "/run/user", "is inside"),
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
    let src = "version: 1\njails:\n  jailed-codex:\n    agent: codex\n    readonly: [~/projects, /opt/data, ~/.config/nvim, /srv/etc, ~/.sshx]\n    readwrite: [~/.cache/pip]\n";
    assert!(findings(src).is_empty(), "{:?}", findings(src));
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
