//! The same spec renders byte-identically whatever the environment: `HOME`, locale (`LANG`,
//! `LC_ALL`), time zone (`TZ`), the current directory, forced colour, and across processes (each
//! process gets fresh hash seeds, so any iteration over a `HashMap` would show up here).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The environments to try: (label, variables). Every run starts from an empty environment
/// plus PATH.
fn environments(home_a: &Path, home_b: &Path) -> Vec<(&'static str, Vec<(String, String)>)> {
    let s = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    vec![
        ("bare", vec![]),
        (
            "home a, C locale, UTC",
            vec![
                s("HOME", home_a.to_str().unwrap()),
                s("LANG", "C"),
                s("LC_ALL", "C"),
                s("TZ", "UTC"),
            ],
        ),
        (
            "home b, Turkish locale, far time zone",
            vec![
                s("HOME", home_b.to_str().unwrap()),
                s("LANG", "tr_TR.UTF-8"),
                s("LC_ALL", "tr_TR.UTF-8"),
                s("LC_COLLATE", "tr_TR.UTF-8"),
                s("TZ", "Pacific/Kiritimati"),
            ],
        ),
        (
            "German locale, negative offset, forced colour",
            vec![
                s("HOME", "/nonexistent"),
                s("LANG", "de_DE.UTF-8"),
                s("LC_ALL", "de_DE.UTF-8"),
                s("TZ", "America/St_Johns"),
                s("CLICOLOR_FORCE", "1"),
                s("FORCE_COLOR", "1"),
                s("TERM", "xterm-256color"),
            ],
        ),
        (
            "no HOME, odd TZ string",
            vec![s("TZ", "XYZ-14:30"), s("LANG", "ja_JP.eucJP")],
        ),
    ]
}

fn render(
    cwd: &Path,
    env: &[(String, String)],
    spec: &Path,
    out: Option<&Path>,
) -> (Vec<u8>, Option<Vec<u8>>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jailgen"));
    cmd.arg("render").arg(spec);
    if let Some(o) = out {
        cmd.arg("-o").arg(o);
    }
    let output = cmd
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("run jailgen");
    assert!(
        output.status.success(),
        "render {} failed: {}",
        spec.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let written = out.map(|o| std::fs::read(cwd.join(o)).expect("written file"));
    (output.stdout, written)
}

/// Every ok fixture, a few rendered adversarial ones, and a 200-jail spec using every key.
fn specs(tmp: &Path) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for entry in std::fs::read_dir(root().join("fixtures/ok")).expect("fixtures/ok") {
        let dir = entry.expect("entry").path();
        let spec = dir.join("jails.yaml");
        if spec.exists() {
            v.push((
                dir.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(spec).expect("read"),
            ));
        }
    }
    for name in [
        "hostile-env-values.yaml",
        "hostile-defaults-lists.yaml",
        "anchors-shared-lists.yaml",
        "crlf.yaml",
    ] {
        v.push((
            name.to_owned(),
            std::fs::read_to_string(root().join("fixtures/adversarial").join(name)).expect("read"),
        ));
    }
    let mut big = String::from(
        "version: 1\ndefaults:\n  packages: [git]\n  env: { Z: z, A: a, M: m }\n  hide: [.env]\njails:\n",
    );
    for i in (0..200).rev() {
        big.push_str(&format!(
            "  j{i}:\n    agent: {}\n    packages: [p{i}, python3Packages.x{i}]\n    readonly: [\"~/r/{i}\", /srv/{i}]\n    readwrite: [\"~/w/{i}\"]\n    env: {{ K{i}: v, B{i}: \"${{x}}\", A{i}: \"\\u00e9\" }}\n    forward_env: [F{i}, E{i}]\n    network: {}\n    nix: true\n    combinators: [gpu, wayland]\n    git: open\n    hide: [\"h{i}\", \"a{i}\"]\n",
            ["codex", "claude-code", "pi", "goose"][i % 4],
            i % 2 == 0
        ));
    }
    v.push(("200 jails, every key".to_owned(), big));
    let _ = tmp;
    v
}

#[test]
fn the_same_spec_renders_byte_identically_in_every_environment_and_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (home_a, home_b) = (tmp.path().join("home-a"), tmp.path().join("home-b"));
    std::fs::create_dir_all(&home_a).expect("home a");
    std::fs::create_dir_all(&home_b).expect("home b");
    let project = tmp.path().join("project");
    let nested = project.join("deep/er");
    std::fs::create_dir_all(&nested).expect("dirs");
    let envs = environments(&home_a, &home_b);

    for (name, text) in specs(tmp.path()) {
        std::fs::write(project.join("jails.yaml"), &text).expect("spec");
        let mut reference: Option<(Vec<u8>, Vec<u8>)> = None;
        for (label, env) in &envs {
            // The same files named from three working directories; the header is relative to
            // the output, so all must agree.
            for (cwd, spec, out) in [
                (
                    project.clone(),
                    PathBuf::from("jails.yaml"),
                    PathBuf::from("jails.nix"),
                ),
                (
                    nested.clone(),
                    PathBuf::from("../../jails.yaml"),
                    PathBuf::from("../../jails.nix"),
                ),
                (
                    PathBuf::from("/"),
                    project.join("jails.yaml"),
                    project.join("jails.nix"),
                ),
            ] {
                // Every run is a new process with new hash seeds.
                let _ = std::fs::remove_file(project.join("jails.nix"));
                let (_, written) = render(&cwd, env, &spec, Some(&out));
                let written = written.expect("written");
                match &reference {
                    None => {
                        let (stdout, _) = render(&project, env, Path::new("jails.yaml"), None);
                        reference = Some((written, stdout));
                    }
                    Some((w, _)) => assert!(
                        *w == written,
                        "{name}: `render -o` differs with {label} from {}",
                        cwd.display()
                    ),
                }
            }
            let (stdout, _) = render(&project, env, Path::new("jails.yaml"), None);
            let (_, s) = reference.as_ref().expect("rendered");
            assert!(*s == stdout, "{name}: stdout differs with {label}");
        }
        let (w, s) = reference.expect("rendered");
        assert_eq!(w, s, "{name}: stdout and -o differ");
    }
}

/// The file `check` compares against is the one `render -o` wrote, from any directory.
#[test]
fn check_agrees_with_render_across_directories_and_environments() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = tmp.path().join("p");
    std::fs::create_dir_all(project.join("sub")).expect("dirs");
    std::fs::copy(
        root().join("fixtures/ok/every-key/jails.yaml"),
        project.join("jails.yaml"),
    )
    .expect("copy");
    let envs = environments(tmp.path(), Path::new("/"));
    render(
        &project,
        &envs[1].1,
        Path::new("jails.yaml"),
        Some(Path::new("jails.nix")),
    );
    for (label, env) in &envs {
        for (cwd, spec, out) in [
            (project.clone(), "jails.yaml", "jails.nix"),
            (project.join("sub"), "../jails.yaml", "../jails.nix"),
        ] {
            let status = Command::new(env!("CARGO_BIN_EXE_jailgen"))
                .args(["check", spec, "-o", out])
                .current_dir(&cwd)
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .envs(env.iter().map(|(k, v)| (k, v)))
                .status()
                .expect("run");
            assert_eq!(
                status.code(),
                Some(0),
                "check drifted with {label} in {cwd:?}"
            );
        }
    }
}
