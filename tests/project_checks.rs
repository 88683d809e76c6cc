//! The ways a project made by `jailgen init` checks itself, outside Nix: the pre-commit hook
//! (.pre-commit-hooks.yaml) and the README's CI job, each run for real against a fresh and a
//! stale project. (The flake's `checks.<system>.jails` is run in tests/nix_eval.rs.)

use std::path::Path;
use std::process::{Command, Output};

use serde::Deserialize;

mod common;
use common::root;

const JAILGEN: &str = env!("CARGO_BIN_EXE_jailgen");

fn init_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(JAILGEN)
        .arg("init")
        .arg(dir.path())
        .output()
        .expect("run jailgen init");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// jails.yaml edited and jails.nix not regenerated.
fn make_stale(dir: &Path) {
    let yaml = dir.join("jails.yaml");
    let spec = std::fs::read_to_string(&yaml).expect("read");
    let edited = spec.replacen(
        "    agent: claude-code\n",
        "    agent: claude-code\n    packages: [nodejs]\n",
        1,
    );
    assert_ne!(edited, spec);
    std::fs::write(&yaml, edited).expect("write");
}

/// Runs a shell command line in `dir`, with this build's jailgen first on PATH.
fn sh(dir: &Path, command: &str) -> Output {
    let bin = Path::new(JAILGEN).parent().expect("bin dir");
    Command::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .output()
        .expect("run sh")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[derive(Deserialize)]
struct Hook {
    id: String,
    entry: String,
    language: String,
    files: String,
    pass_filenames: bool,
}

#[test]
fn the_pre_commit_hook_passes_a_fresh_project_and_fails_a_stale_one() {
    let hooks: Vec<Hook> = serde_saphyr::from_str(
        &std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).expect("read hooks"),
    )
    .expect("hooks parse");
    let hook = hooks
        .iter()
        .find(|h| h.id == "jailgen-check")
        .expect("a jailgen-check hook");
    // pre-commit's rust language installs this repository's crate, whose binary is `jailgen`.
    assert_eq!(hook.language, "rust");
    assert!(
        !hook.pass_filenames,
        "jailgen check reads jails.yaml itself"
    );
    // The `files` pattern selects the spec and the rendered file, in any directory.
    for (file, selected) in [
        ("jails.yaml", true),
        ("jails.nix", true),
        ("sub/jails.yaml", true),
        ("flake.nix", false),
        ("myjails.yaml", false),
    ] {
        let out = Command::new("grep")
            .args(["-Eq", &hook.files])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write as _;
                c.stdin.take().expect("stdin").write_all(file.as_bytes())?;
                c.wait()
            })
            .expect("run grep");
        assert_eq!(out.success(), selected, "files `{}` on {file}", hook.files);
    }

    let dir = init_project();
    let out = sh(dir.path(), &hook.entry);
    assert!(out.status.success(), "fresh project: {}", text(&out));
    make_stale(dir.path());
    let out = sh(dir.path(), &hook.entry);
    assert_eq!(out.status.code(), Some(1), "stale project: {}", text(&out));
    assert!(text(&out).contains("+      pkgs.nodejs"), "{}", text(&out));
}

#[derive(Deserialize)]
struct Workflow {
    jobs: std::collections::BTreeMap<String, Job>,
}

#[derive(Deserialize)]
struct Job {
    steps: Vec<Step>,
}

#[derive(Deserialize)]
struct Step {
    #[serde(default)]
    run: Option<String>,
    #[serde(default)]
    uses: Option<String>,
}

#[test]
fn the_readme_ci_job_passes_a_fresh_project_and_fails_a_stale_one() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let start = readme
        .find("<!-- ci-job -->\n```yaml\n")
        .expect("README marks the CI job");
    let body = &readme[start + "<!-- ci-job -->\n```yaml\n".len()..];
    let yaml = &body[..body
        .find("```\n<!-- /ci-job -->")
        .expect("end of the CI job")];
    let workflow: Workflow = serde_saphyr::from_str(yaml).expect("the CI job is YAML");
    let steps: Vec<&Step> = workflow.jobs.values().flat_map(|j| &j.steps).collect();
    assert!(
        steps
            .iter()
            .any(|s| s.uses.as_deref() == Some("actions/checkout@v4")),
        "the job checks the project out"
    );
    let runs: Vec<&str> = steps.iter().filter_map(|s| s.run.as_deref()).collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    // `nix run <jailgen flake> -- ARGS` runs the flake's default package, which is this jailgen
    // (flake.nix: packages.default = jailgen); here it is this build.
    let prefix = format!("nix run {} -- ", jailgen::cli::DEFAULT_JAILGEN_URL);
    let command = runs[0]
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("the job runs jailgen from its flake: {}", runs[0]));
    let command = format!("jailgen {command}");

    let dir = init_project();
    let out = sh(dir.path(), &command);
    assert!(out.status.success(), "fresh project: {}", text(&out));
    make_stale(dir.path());
    let out = sh(dir.path(), &command);
    assert_eq!(out.status.code(), Some(1), "stale project: {}", text(&out));
}
