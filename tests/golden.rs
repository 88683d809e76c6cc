//! Golden tests: every `fixtures/ok/<case>/jails.yaml` renders to `fixtures/ok/<case>/jails.nix`,
//! which must also be a nixfmt (RFC 166) fixpoint and parse with rnix; every
//! `fixtures/err/<case>.yaml` fails with exactly `fixtures/err/<case>.stderr`.
//! `UPDATE_EXPECT=1 cargo test --test golden` rewrites the expected files.

use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{expect_file, root};

fn fixtures(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(kind)
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    v.sort();
    v
}

#[test]
fn ok_fixtures_render_to_their_golden_jails_nix() {
    let mut failures = Vec::new();
    let cases = sorted_entries(&fixtures("ok"));
    assert!(
        cases.len() >= 10,
        "need at least 10 ok fixtures, found {}",
        cases.len()
    );
    for case in cases {
        let src = fs::read_to_string(case.join("jails.yaml")).expect("jails.yaml");
        let out = match jailgen::generate(&src, "jails.yaml") {
            Ok(out) => out,
            Err(e) => {
                failures.push(format!(
                    "{}: {}",
                    case.display(),
                    jailgen::error::render_report(&e, false)
                ));
                continue;
            }
        };
        if let Err(f) = expect_file(&case.join("jails.nix"), &out) {
            failures.push(f);
        }
        match nixfmt_rs::format(&out) {
            Ok(formatted) if formatted == out => {}
            Ok(formatted) => failures.push(format!(
                "{}: not a nixfmt fixpoint:\n{}",
                case.display(),
                similar::TextDiff::from_lines(&out, &formatted)
                    .unified_diff()
                    .header("rendered", "nixfmt")
            )),
            Err(e) => failures.push(format!("{}: nixfmt cannot parse: {e:?}", case.display())),
        }
        let parse = rnix::Root::parse(&out);
        if !parse.errors().is_empty() {
            failures.push(format!(
                "{}: rnix errors {:?}",
                case.display(),
                parse.errors()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_preset_has_a_golden_case() {
    let text = fs::read_to_string(fixtures("ok").join("every-preset/jails.yaml")).expect("read");
    for name in jailgen::presets::presets().keys() {
        assert!(
            text.contains(&format!("agent: {name}\n")),
            "fixtures/ok/every-preset does not use preset `{name}`"
        );
    }
}

#[test]
fn err_fixtures_fail_with_their_golden_diagnostics() {
    let mut failures = Vec::new();
    let cases: Vec<PathBuf> = sorted_entries(&fixtures("err"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert!(
        cases.len() >= 25,
        "need at least 25 err fixtures, found {}",
        cases.len()
    );
    for case in cases {
        let src = fs::read_to_string(&case).expect("read");
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        match jailgen::generate(&src, &name) {
            Ok(_) => failures.push(format!("{}: rendered, but must fail", case.display())),
            Err(e) => {
                let text = jailgen::error::render_report(&e, false);
                if let Err(f) = expect_file(&case.with_extension("stderr"), &text) {
                    failures.push(f);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_init_flake_template_is_a_nixfmt_fixpoint() {
    let flake = jailgen::render::render_flake(jailgen::cli::DEFAULT_JAILGEN_URL).expect("flake");
    assert_eq!(nixfmt_rs::format(&flake).expect("parses"), flake);
    assert!(rnix::Root::parse(&flake).errors().is_empty());
}

/// `nix flake init -t` (flake.nix's `templates.default`, nix/template) gives the same files as
/// `jailgen init`; `UPDATE_EXPECT=1` rewrites the template from init.
#[test]
fn the_flake_template_holds_exactly_what_jailgen_init_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jailgen"))
        .arg("init")
        .arg(dir.path())
        .output()
        .expect("run jailgen init");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let template = root().join("nix/template");
    let names = |d: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let written = names(dir.path());
    assert_eq!(written, ["flake.nix", "jails.nix", "jails.yaml"]);
    let mut failures = Vec::new();
    for name in &written {
        let text = std::fs::read_to_string(dir.path().join(name)).expect("read");
        if let Err(f) = expect_file(&template.join(name), &text) {
            failures.push(f);
        }
    }
    assert_eq!(names(&template), written, "nix/template holds other files");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_starter_spec_is_valid_with_every_commented_example_switched_on() {
    let presets: Vec<String> = jailgen::presets::presets().keys().cloned().collect();
    let starter = jailgen::render::render_starter(&presets).expect("starter");
    jailgen::generate(&starter, "jails.yaml").expect("the starter as written");
    let mut switched = 0;
    let uncommented: String = starter
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let indent = &line[..line.len() - trimmed.len()];
            match trimmed.strip_prefix("# ") {
                // The editor's schema line is a comment by design, not a commented-out example.
                Some(rest) if rest.starts_with("yaml-language-server:") => format!("{line}\n"),
                Some(rest)
                    if rest.trim_start().split_once(':').is_some_and(|(k, _)| {
                        !k.is_empty()
                            && k.chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    }) =>
                {
                    switched += 1;
                    format!("{indent}{rest}\n")
                }
                _ => format!("{line}\n"),
            }
        })
        .collect();
    assert!(
        switched > 10,
        "only {switched} examples found in\n{starter}"
    );
    let nix = jailgen::generate(&uncommented, "jails.yaml").unwrap_or_else(|e| {
        panic!(
            "{}\n{uncommented}",
            jailgen::error::render_report(&e, false)
        )
    });
    assert!(
        nix.contains("jailed-aider = jailgen.makeJailedAgent {"),
        "{nix}"
    );
}
