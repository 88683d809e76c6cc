//! CLI speed benchmarks (divan): each phase of the pipeline on synthetic specs of 1 to 4 000
//! jails that use every key (scripts/gen-specs.py), and the whole `jailgen check` path.
//!
//! Run: `cargo bench --bench pipeline` (all sizes), or e.g.
//! `cargo bench --bench pipeline -- load_validate` for one group.
//! The table in BENCHMARKS.md ("## CLI speed") comes from `scripts/bench-cli.sh`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

/// Up to the 10 000 every-key jails of the issue-12 target.
const SIZES: &[usize] = &[1, 10, 100, 1000, 4000, 10000];

/// The generated specs, once per process: target/bench-specs/jails-N.yaml.
fn spec_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let dir = root.join("target/bench-specs");
        let status = Command::new("python3")
            .arg(root.join("scripts/gen-specs.py"))
            .arg(&dir)
            .args(SIZES.iter().map(|n| n.to_string()))
            .status()
            .expect("run scripts/gen-specs.py");
        assert!(status.success(), "gen-specs.py failed");
        dir
    })
}

fn source(n: usize) -> String {
    std::fs::read_to_string(spec_dir().join(format!("jails-{n}.yaml"))).expect("spec")
}

fn must<T>(r: Result<T, jailgen::Error>) -> T {
    r.unwrap_or_else(|e| panic!("{}", jailgen::error::render_report(&e, false)))
}

/// YAML events decoded into the spec (with every YAML-level check).
#[divan::bench(args = SIZES, sample_count = 10)]
fn parse(bencher: divan::Bencher, n: usize) {
    let src = source(n);
    bencher.bench(|| jailgen::spec::parse(divan::black_box(&src)).expect("parses"));
}

/// The YAML parser's events alone (granit-parser, what `parse` reads): the floor under `parse`.
#[divan::bench(args = SIZES, sample_count = 10)]
fn yaml_events(bencher: divan::Bencher, n: usize) {
    let src = source(n);
    bencher.bench(|| {
        let mut events = 0usize;
        for e in serde_saphyr::granit_parser::Parser::new_from_str(divan::black_box(&src)) {
            e.expect("event");
            events += 1;
        }
        events
    });
}

/// YAML parse and every validation rule (what `load` does after reading the file).
#[divan::bench(args = SIZES, sample_count = 10)]
fn load_validate(bencher: divan::Bencher, n: usize) {
    let src = source(n);
    bencher.bench(|| {
        must(jailgen::parse_and_validate(
            divan::black_box(&src),
            "jails.yaml",
        ))
    });
}

/// Resolving (defaults merged, paths normalised, presets found) and every rule, on a parsed
/// spec (the clone it starts from is included).
#[divan::bench(args = SIZES, sample_count = 10)]
fn validate(bencher: divan::Bencher, n: usize) {
    let spec = jailgen::spec::parse(&source(n)).expect("parses");
    bencher.bench(|| jailgen::validate::validate(divan::black_box(&spec)));
}

/// Model, direct rendering and its self-check, from a validated spec (the clone `model::build`
/// starts from is included).
#[divan::bench(args = SIZES, sample_count = 10)]
fn render(bencher: divan::Bencher, n: usize) {
    let spec = must(jailgen::parse_and_validate(&source(n), "jails.yaml"));
    bencher.bench(|| {
        let model = must(jailgen::model::build(divan::black_box(&spec)));
        must(jailgen::render::render_jails(&model, "jails.yaml"))
    });
}

/// The whole `jailgen check` command on an up-to-date file: read, parse, validate, render,
/// self-check, read the old file, compare.
#[divan::bench(args = SIZES, sample_count = 10)]
fn check(bencher: divan::Bencher, n: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("jails.yaml");
    let out = dir.path().join("jails.nix");
    std::fs::write(&spec, source(n)).expect("write spec");
    let text = must(jailgen::generate(&source(n), "jails.yaml"));
    std::fs::write(&out, text).expect("write nix");
    bencher.bench(|| {
        use clap::Parser;
        let cli = jailgen::cli::Cli::parse_from([
            "jailgen".as_ref(),
            "check".as_ref(),
            spec.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ]);
        let outcome = must(jailgen::run(cli));
        assert_eq!(outcome, jailgen::Outcome::Ok, "drift");
    });
}
