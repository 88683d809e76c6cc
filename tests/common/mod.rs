//! Helpers shared by the integration tests: the repository root, golden-file comparison
//! (`UPDATE_EXPECT=1` rewrites), and the nix-instantiate gate (skip loudly, or fail when
//! `JAILGEN_REQUIRE_NIX=1`). Each test crate uses a subset, hence the `dead_code` allowance.
#![allow(dead_code, unused_macros, unused_imports)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

// The repository root, the skip notice, the strict gate and the test-input Nix literal are
// crates/testkit's (one each for every suite).
pub use testkit::{loud, nix_lit, root, strict};

pub fn update() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1")
}

/// Compares `actual` with the golden file, or rewrites it under UPDATE_EXPECT=1; a mismatch is a
/// readable unified diff.
pub fn expect_file(path: &Path, actual: &str) -> Result<(), String> {
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

/// Whether nix-instantiate runs here. Without it a test skips loudly, unless
/// `JAILGEN_REQUIRE_NIX=1` (CI), where it fails.
pub fn have_nix(test: &str) -> bool {
    let ok = Command::new("nix-instantiate")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var("JAILGEN_REQUIRE_NIX").as_deref() == Ok("1") {
            panic!("{test}: nix-instantiate is not available but JAILGEN_REQUIRE_NIX=1");
        }
        loud!(
            "SKIPPED {test}: nix-instantiate not found (set JAILGEN_REQUIRE_NIX=1 to fail instead)"
        );
    }
    ok
}

/// `nix-instantiate --eval --strict --json ARGS` in the repository root.
/// `--read-write-mode`: host-mode wrappers read files the doubles write to the store.
pub fn nix_eval(args: &[&str]) -> Output {
    Command::new("nix-instantiate")
        .args(["--eval", "--read-write-mode", "--strict", "--json"])
        .args(args)
        .current_dir(root())
        .output()
        .expect("run nix-instantiate")
}

/// As [`nix_eval`], asserting success and parsing the JSON it prints.
pub fn nix_eval_json(args: &[&str]) -> serde_json::Value {
    let out = nix_eval(args);
    assert!(
        out.status.success(),
        "nix-instantiate {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("nix-instantiate printed JSON")
}

/// A YAML double-quoted scalar holding exactly `s` (every char outside printable ASCII escaped).
pub fn yq(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Every string literal in the Nix text, decoded by rnix; an rnix parse error or an
/// interpolation is an `Err`.
pub fn literals(nix: &str) -> Result<Vec<String>, String> {
    use rnix::ast::{self, InterpolPart};
    use rowan::ast::AstNode;
    let parse = rnix::Root::parse(nix);
    if !parse.errors().is_empty() {
        return Err(format!("rnix errors {:?} in\n{nix}", parse.errors()));
    }
    let mut out = Vec::new();
    for node in parse.tree().syntax().descendants() {
        let Some(s) = ast::Str::cast(node) else {
            continue;
        };
        let mut text = String::new();
        for part in s.normalized_parts() {
            match part {
                InterpolPart::Literal(l) => text.push_str(&l),
                InterpolPart::Interpolation(i) => {
                    return Err(format!("interpolation `{}` in\n{nix}", i.syntax()));
                }
            }
        }
        out.push(text);
    }
    Ok(out)
}

/// The launcher (crates/launch), built by cargo for the tests once per test binary, in a
/// directory laid out like its Nix package (`<prefix>/bin/jailgen-launch`), so the library's
/// host-mode wrappers can name it as `launcher` (nix/tests/harness.nix). It gets a target
/// directory of its own: the `cargo test` that runs this holds the lock of the main one.
pub fn launcher() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map_or_else(|| root().join("target"), PathBuf::from)
                .join("launcher-tests");
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let out = Command::new(cargo)
                .args(["build", "--quiet", "-p", "jailgen-launch", "--target-dir"])
                .arg(&target)
                .current_dir(root())
                .output()
                .expect("run cargo build -p jailgen-launch");
            assert!(
                out.status.success(),
                "cargo build -p jailgen-launch failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let prefix = target.join("prefix");
            fs::create_dir_all(prefix.join("bin")).expect("mkdir launcher prefix");
            let exe = prefix.join("bin/jailgen-launch");
            // A copy, not a link: the wrapper names this path, and cargo may rebuild the other.
            let _ = fs::remove_file(&exe);
            fs::copy(target.join("debug/jailgen-launch"), &exe).expect("copy the launcher");
            prefix
        })
        .clone()
}

/// Whether a test needing `what` (named by the environment variable `var`) may go ahead:
/// `Some(dir)` when `var` names an existing `dir/probe`. Otherwise the test skips loudly, or,
/// under `JAILGEN_REQUIRE_NIX=1` (CI), fails. `.ci/run` sets every such variable from
/// `../shared` (upstream snapshots, the modern Nix); a clone without it skips these tests.
pub fn required_dir(test: &str, var: &str, what: &str, probe: &str) -> Option<PathBuf> {
    let dir = std::env::var_os(var).map(PathBuf::from);
    let found = dir.as_ref().filter(|d| d.join(probe).exists()).cloned();
    if found.is_none() {
        let why = match &dir {
            Some(d) => format!("{var}={} has no {probe}", d.display()),
            None => format!("{var} is not set"),
        };
        if strict() {
            panic!("{test}: needs {what}, but {why} and CI=true / JAILGEN_REQUIRE_NIX=1");
        }
        loud!("SKIPPED {test}: needs {what}; {why} (set JAILGEN_REQUIRE_NIX=1 to fail instead)");
    }
    found
}

/// The modern Nix's `bin` directory: `JAILGEN_MODERN_NIX` names the directory
/// `../shared/tools/modern-nix.sh DIR` made (as `.ci/run` sets it), or its `bin`.
pub fn modern_nix(test: &str) -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("JAILGEN_MODERN_NIX").map(PathBuf::from)
        && d.join("nix-instantiate").exists()
    {
        return Some(d);
    }
    required_dir(
        test,
        "JAILGEN_MODERN_NIX",
        "a current Nix (../shared/tools/modern-nix.sh DIR; JAILGEN_MODERN_NIX=DIR)",
        "bin/nix-instantiate",
    )
    .map(|d| d.join("bin"))
}

/// nixpkgs' real `lib/` directory (`JAILGEN_NIXPKGS_LIB`, from ../shared/upstream/unpack.sh).
pub fn nixpkgs_lib(test: &str) -> Option<PathBuf> {
    required_dir(
        test,
        "JAILGEN_NIXPKGS_LIB",
        "the real nixpkgs lib (eval \"$(bash ../shared/upstream/unpack.sh DIR)\")",
        "default.nix",
    )
}

/// A real jail.nix checkout (`JAILGEN_JAIL_NIX`, from ../shared/upstream/unpack.sh).
pub fn real_jail_nix(test: &str) -> Option<PathBuf> {
    required_dir(
        test,
        "JAILGEN_JAIL_NIX",
        "a real jail.nix checkout (eval \"$(bash ../shared/upstream/unpack.sh DIR)\")",
        "default.nix",
    )
}

/// An llm-agents.nix checkout (`JAILGEN_LLM_AGENTS`, from ../shared/upstream/unpack.sh).
pub fn llm_agents(test: &str) -> Option<PathBuf> {
    required_dir(
        test,
        "JAILGEN_LLM_AGENTS",
        "an llm-agents.nix checkout (eval \"$(bash ../shared/upstream/unpack.sh DIR)\")",
        "packages",
    )
}

/// Dotted attribute paths that follow `prefix` in the Nix text (`pkgs.python3Packages.pytest`).
pub fn references(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\''))
            .collect();
        let name = name.trim_end_matches('.');
        if !name.is_empty() {
            found.insert(name.to_string());
        }
    }
    found
}
