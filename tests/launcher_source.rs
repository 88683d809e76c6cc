//! nix/launcher.nix builds the launcher from a source set derived from the manifests: the
//! workspace's Cargo.toml and Cargo.lock, crates/launch and the crates it depends on by path,
//! the files cargo needs to read the root manifest, and what crates/policy compiles in. Here that
//! set is taken with the same `lib.fileset` calls (the double's, and real nixpkgs lib's when
//! `JAILGEN_NIXPKGS_LIB` names it), copied out, and built offline with cargo exactly as the
//! derivation does (`cargo build -p jailgen-launch --locked --offline`). A file the build needs
//! and the set misses fails here.

mod common;
use common::{have_nix, loud, nix_lit, root, strict};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The arguments nix/launcher.nix hands buildRustPackage, with `lib` (an expression for a nixpkgs
/// lib) and the nixpkgs double's stdenv and glibc, evaluated by `nix_instantiate`: the source set
/// as a store path, and the rest.
fn launcher_args(nix_instantiate: &Path, lib: &str, what: &str) -> serde_json::Value {
    let expr = format!(
        "let lib = {lib};
             pkgs = import ./nix/tests/doubles/pkgs.nix {{ }};
             drv = import ./nix/launcher.nix {{
               inherit lib; inherit (pkgs) stdenv glibc; rustPlatform.buildRustPackage = a: a;
             }};
         in {what}"
    );
    let out = Command::new(nix_instantiate)
        .args([
            "--eval",
            "--read-write-mode",
            "--strict",
            "--json",
            "-E",
            &expr,
        ])
        .current_dir(root())
        .output()
        .expect("run nix-instantiate");
    assert!(
        out.status.success(),
        "{expr}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The files of the launcher's source set, relative to the repository root.
fn source_files(nix_instantiate: &Path, lib: &str) -> Vec<PathBuf> {
    let src = launcher_args(nix_instantiate, lib, "toString drv.src");
    let src = PathBuf::from(src.as_str().expect("a store path"));
    let mut files = Vec::new();
    walk(&src, &src, &mut files);
    files.sort();
    files
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the source set") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            walk(base, &path, out);
        } else {
            out.push(path.strip_prefix(base).unwrap().to_path_buf());
        }
    }
}

#[test]
fn the_launcher_builds_offline_from_its_source_set_alone() {
    if !have_nix("the_launcher_builds_offline_from_its_source_set_alone") {
        return;
    }
    let files = source_files(
        Path::new("nix-instantiate"),
        "import ./nix/tests/doubles/lib.nix",
    );
    // What it holds, and what it must not (the CLI's sources would rebuild every user's
    // launcher whenever the CLI changes).
    for want in [
        "Cargo.toml",
        "Cargo.lock",
        "crates/launch/Cargo.toml",
        "crates/launch/src/main.rs",
        "crates/policy/Cargo.toml",
        "crates/policy/src/lib.rs",
        "nix/lib/defaults.json",
    ] {
        assert!(
            files.contains(&PathBuf::from(want)),
            "{want} missing: {files:?}"
        );
    }
    for f in &files {
        let s = f.to_str().unwrap();
        assert!(
            !s.starts_with("src/") && !s.starts_with("templates/") && !s.starts_with("tests/"),
            "{s} is not the launcher's"
        );
    }

    let tmp = tempfile::tempdir().expect("tempdir");
    for f in &files {
        let to = tmp.path().join(f);
        std::fs::create_dir_all(to.parent().unwrap()).expect("mkdir");
        std::fs::copy(root().join(f), &to).expect("copy");
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root().join("target"), PathBuf::from)
        .join("launcher-source");
    // As buildRustPackage builds it: for the host's target, with the derivation's RUSTFLAGS
    // (static glibc).
    let rustflags = launcher_args(
        Path::new("nix-instantiate"),
        "import ./nix/tests/doubles/lib.nix",
        "drv.RUSTFLAGS",
    );
    let rustflags = rustflags.as_str().expect("RUSTFLAGS").to_string();
    assert!(rustflags.contains("crt-static"), "{rustflags}");
    let rustc = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("run rustc");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("rustc's host triple");
    let out = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--locked",
            "--offline",
            "-p",
            "jailgen-launch",
        ])
        .args(["--target", &host])
        .arg("--target-dir")
        .arg(&target)
        .env("RUSTFLAGS", &rustflags)
        .current_dir(tmp.path())
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "the launcher does not build from nix/launcher.nix's source set ({files:?}):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exe = target.join(&host).join("debug/jailgen-launch");
    assert!(exe.is_file());
    // Statically linked: no program interpreter (PT_INTERP), so no dynamic loader at each launch.
    let elf = std::fs::read(&exe).expect("read the launcher");
    assert_eq!(&elf[..5], b"\x7fELF\x02", "a 64-bit ELF file");
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (u16_at(0x36), u16_at(0x38));
    let interp = (0..phnum).any(|i| {
        let o = phoff + i * phentsize;
        u32::from_le_bytes(elf[o..o + 4].try_into().unwrap()) == 3
    });
    assert!(
        !interp,
        "the launcher is dynamically linked (it has a PT_INTERP)"
    );
}

/// The same set through real nixpkgs lib's `lib.fileset` (the double must agree with it). That
/// needs a Nix with `builtins.readFileType` (2.14+; Debian 12 has 2.8): `JAILGEN_MODERN_NIX`
/// names its bin directory (`.ci/run` sets it from ../shared/tools/modern-nix.sh).
#[test]
fn the_source_set_is_the_same_with_real_nixpkgs_lib() {
    let test = "the_source_set_is_the_same_with_real_nixpkgs_lib";
    let (Some(lib), Some(modern)) = (
        std::env::var_os("JAILGEN_NIXPKGS_LIB"),
        std::env::var_os("JAILGEN_MODERN_NIX"),
    ) else {
        assert!(
            !strict(),
            "{test}: JAILGEN_NIXPKGS_LIB and JAILGEN_MODERN_NIX must be set under CI=true / \
             JAILGEN_REQUIRE_NIX=1 (`.ci/run` sets both)"
        );
        loud!("SKIPPED {test}: JAILGEN_NIXPKGS_LIB or JAILGEN_MODERN_NIX is not set");
        return;
    };
    if !have_nix(test) {
        return;
    }
    let modern = PathBuf::from(modern).join("nix-instantiate");
    let real = source_files(
        &modern,
        &format!("import {}", nix_lit(lib.to_str().unwrap())),
    );
    let double = source_files(
        Path::new("nix-instantiate"),
        "import ./nix/tests/doubles/lib.nix",
    );
    assert_eq!(real, double);
}
