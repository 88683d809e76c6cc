//! `nix build .#jailgen` compiles from the source set nix/package.nix ships: its `src` is
//! evaluated with the real nixpkgs `lib.fileset` under a current Nix, the store path is copied
//! out, and `cargo build --offline --locked` runs in the copy.
//!
//! Needs `JAILGEN_MODERN_NIX` and `JAILGEN_NIXPKGS_LIB` (`.ci/run` sets both from ../shared);
//! without them the test skips loudly, and under `JAILGEN_REQUIRE_NIX=1` it fails.

use std::path::Path;
use std::process::Command;

mod common;
use common::{modern_nix, nixpkgs_lib, root};

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn copy_tree(from: &Path, to: &Path) {
    let out = Command::new("cp")
        .args(["-R", "--no-preserve=mode,ownership"])
        .arg(from)
        .arg(to)
        .output()
        .expect("run cp");
    assert!(out.status.success(), "cp: {}", text(&out));
}

// Regression test for issue 11: the hand-kept file list lacked benches/pipeline.rs,
// nix/lib/common.nix and nix/lib/file-extensions.json, so `nix build .#jailgen` could not compile.
#[test]
fn the_package_source_set_builds_with_cargo_offline_and_locked() {
    let test = "the_package_source_set_builds_with_cargo_offline_and_locked";
    let (Some(bin), Some(lib)) = (modern_nix(test), nixpkgs_lib(test)) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    // A store of its own: the source set lands in tmp/store/nix/store/<hash>-source.
    let store = tmp.path().join("store");
    let out = Command::new(bin.join("nix-instantiate"))
        .args(["--eval", "--read-write-mode", "--json", "--store"])
        .arg(&store)
        .arg(root().join("nix/tests/package-src.nix"))
        .arg("--argstr")
        .arg("nixpkgsLib")
        .arg(&lib)
        .output()
        .expect("run the modern nix-instantiate");
    assert!(out.status.success(), "evaluating src: {}", text(&out));
    let src: String = serde_json::from_slice(&out.stdout).expect("a JSON string");
    let in_store = store.join(src.trim_start_matches('/'));
    assert!(
        src.starts_with("/nix/store/") && in_store.join("Cargo.toml").is_file(),
        "{src} was not realised under {}",
        store.display()
    );
    // Nothing the build does not read: no tests, fixtures or flake.
    for absent in ["tests", "fixtures", "flake.nix", "README.md"] {
        assert!(
            !in_store.join(absent).exists(),
            "{absent} is in the package source"
        );
    }

    let work = tmp.path().join("src");
    copy_tree(&in_store, &work);
    // The registry crates come from the normal build's CARGO_HOME; a target dir of its own
    // (kept between runs) so that only the first run compiles the dependencies.
    let out = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--locked", "--quiet"])
        .current_dir(&work)
        .env("CARGO_TARGET_DIR", root().join("target/package-src"))
        .output()
        .expect("run cargo build");
    assert!(
        out.status.success(),
        "cargo build in {src} failed:\n{}",
        text(&out)
    );
    let built = root().join("target/package-src/debug/jailgen");
    let out = Command::new(&built)
        .arg("--version")
        .output()
        .expect("run the built jailgen");
    assert!(out.status.success(), "{}", text(&out));
    eprintln!(
        "ok   {src} builds: {}",
        String::from_utf8_lossy(&out.stdout).trim()
    );
}
