//! What the CLI renders evaluates against the Nix library: every `fixtures/ok/*/jails.nix`, and
//! the `flake.nix` that `jailgen init` writes, with nix-instantiate and the test doubles.
//!
//! Without `nix-instantiate` these tests skip loudly; with `JAILGEN_REQUIRE_NIX=1` (CI) they fail.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

mod common;
use common::{have_nix, nix_eval_json, references, root};

/// The part of jails.yaml this test needs: the jail names.
#[derive(Deserialize)]
struct Spec {
    jails: BTreeMap<String, serde::de::IgnoredAny>,
}

fn jail_names(yaml: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(yaml).expect("read jails.yaml");
    let spec: Spec = serde_saphyr::from_str(&text)
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", yaml.display()));
    spec.jails.into_keys().collect()
}

fn evaluate_jails(jails_nix: &Path) -> serde_json::Value {
    let out = evaluate_jails_output(jails_nix);
    assert!(
        out.status.success(),
        "{}: {}",
        jails_nix.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("nix-instantiate printed JSON")
}

/// [`evaluate_jails`]'s run of nix-instantiate, with its stderr (warnings) kept.
fn evaluate_jails_output(jails_nix: &Path) -> std::process::Output {
    let text = std::fs::read_to_string(jails_nix).expect("read jails.nix");
    let pkgs: Vec<String> = references(&text, "pkgs.").into_iter().collect();
    let agents: Vec<String> = references(&text, "jailgen.agentPackages.")
        .into_iter()
        .collect();
    common::nix_eval(&[
        "nix/tests/eval-jails.nix",
        "--argstr",
        "jailsNix",
        jails_nix.to_str().expect("utf-8 path"),
        "--argstr",
        "pkgsJson",
        &serde_json::to_string(&pkgs).expect("json"),
        "--argstr",
        "agentsJson",
        &serde_json::to_string(&agents).expect("json"),
    ])
}

/// `jailgen init DIR [--agent A]...`, which must succeed.
fn init_project(dir: &Path, agents: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_jailgen"))
        .arg("init")
        .arg(dir)
        .args(agents.iter().flat_map(|a| ["--agent", a]))
        .output()
        .expect("run jailgen init");
    assert!(
        out.status.success(),
        "jailgen init failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every `fixtures/ok` case with a spec and its rendered `jails.nix`, sorted.
fn ok_cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/ok"))
        .expect("fixtures/ok")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("jails.nix").is_file() && p.join("jails.yaml").is_file())
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_ok_fixture_evaluates_to_one_jail_per_spec_entry() {
    if !have_nix("every_ok_fixture_evaluates_to_one_jail_per_spec_entry") {
        return;
    }
    let cases = ok_cases();
    assert!(
        cases.len() >= 10,
        "expected the CLI's ok fixtures, found {}",
        cases.len()
    );
    for case in &cases {
        let names = jail_names(&case.join("jails.yaml"));
        let result = evaluate_jails(&case.join("jails.nix"));
        let evaluated: BTreeSet<String> = result
            .as_object()
            .expect("attrset of jails")
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            evaluated,
            names,
            "{}: jails differ from the spec",
            case.display()
        );
        for (attr, jail) in result.as_object().expect("attrset") {
            assert_eq!(jail["type"], "derivation", "{}: {attr}", case.display());
            // jail.nix's base (3), the grants token and the packages at least.
            assert!(
                jail["calls"].as_u64().is_some_and(|n| n >= 6),
                "{}: {attr} has too few permissions: {jail}",
                case.display()
            );
            assert_eq!(
                jail["policyName"],
                jail["name"],
                "{}: {attr}",
                case.display()
            );
            assert_eq!(
                jail["launches"],
                true,
                "{}: {attr} does not run the launcher: {jail}",
                case.display()
            );
            assert!(
                jail["entry"].as_str().is_some_and(|e| e.contains("/bin/")),
                "{}: {attr} has no entry: {jail}",
                case.display()
            );
        }
        eprintln!("ok   {} ({} jails)", case.display(), names.len());
    }
}

#[test]
fn fixture_jail_names_become_command_names() {
    if !have_nix("fixture_jail_names_become_command_names") {
        return;
    }
    let case = root().join("fixtures/ok/every-key");
    let result = evaluate_jails(&case.join("jails.nix"));
    assert_eq!(result["jailed-claude"]["name"], "jailed-claude");
    assert!(
        result["jailed-claude"]["entry"]
            .as_str()
            .is_some_and(|e| e.ends_with("-claude-code/bin/claude")),
        "{result}"
    );
}

#[test]
fn init_flake_evaluates_with_doubles_for_both_systems() {
    if !have_nix("init_flake_evaluates_with_doubles_for_both_systems") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    init_project(dir.path(), &["claude-code", "codex"]);
    let flake = dir.path().join("flake.nix");
    let parse = Command::new("nix-instantiate")
        .arg("--parse")
        .arg(&flake)
        .output()
        .expect("nix-instantiate --parse");
    assert!(
        parse.status.success(),
        "init's flake.nix does not parse:\n{}",
        String::from_utf8_lossy(&parse.stderr)
    );
    let names = jail_names(&dir.path().join("jails.yaml"));
    assert!(!names.is_empty());
    let v = nix_eval_json(&[
        "nix/tests/eval-init-flake.nix",
        "--argstr",
        "flakeDir",
        dir.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(v["inputs"], serde_json::json!(["jailgen", "nixpkgs"]));
    for system in ["x86_64-linux", "aarch64-linux"] {
        let packages = v[system]["packages"].as_object().expect("packages");
        let evaluated: BTreeSet<String> = packages.keys().cloned().collect();
        assert_eq!(evaluated, names, "{system}");
        for (attr, p) in packages {
            assert_eq!(p["type"], "derivation", "{system}.{attr}");
            assert_eq!(p["isJail"], true, "{system}.{attr}");
        }
        let shell: BTreeSet<String> = v[system]["devShellPackages"]
            .as_array()
            .expect("devShell packages")
            .iter()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .collect();
        let jail_commands: BTreeSet<String> = packages
            .values()
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(shell, jail_commands, "{system}: devShell carries the jails");
    }
}

#[test]
fn references_finds_dotted_package_paths() {
    let text = "pkg = pkgs.python3Packages.pytest;\n x = [ pkgs.git jailgen.agentPackages.codex ];\n notpkgs.x";
    assert_eq!(
        references(text, "pkgs."),
        BTreeSet::from(["python3Packages.pytest".to_string(), "git".to_string()])
    );
    assert_eq!(
        references(text, "jailgen.agentPackages."),
        BTreeSet::from(["codex".to_string()])
    );
}

/// Runs `checks.x86_64-linux.jails` of the flake in `project` as Nix would build it: the
/// runCommand double records the build script, which runs here with bash and this jailgen on
/// PATH. Returns the script's output and whether it succeeded (and wrote `$out`).
fn run_init_flake_check(project: &Path) -> (bool, String) {
    let v = nix_eval_json(&[
        "nix/tests/eval-init-flake.nix",
        "--argstr",
        "flakeDir",
        project.to_str().expect("utf-8"),
    ]);
    let check = &v["x86_64-linux"]["jailsCheck"];
    assert_eq!(check["inputs"], serde_json::json!(["jailgen"]), "{check}");
    let script = check["buildCommand"].as_str().expect("a build script");
    let build = tempfile::tempdir().expect("tempdir");
    let out = build.path().join("out");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_jailgen"))
        .parent()
        .expect("bin dir");
    let run = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(build.path())
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        // As in the Nix build sandbox.
        .env("HOME", "/homeless-shelter")
        .env("TMPDIR", build.path())
        .env("out", &out)
        .output()
        .expect("run the check's build script");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        run.status.success(),
        out.exists(),
        "the check must write $out exactly when it passes:\n{text}"
    );
    (run.status.success(), text)
}

// Issue 11: a generated project checks itself with `nix flake check`.
#[test]
fn init_flake_check_passes_on_a_fresh_jails_nix_and_fails_with_the_diff_on_a_stale_one() {
    if !have_nix(
        "init_flake_check_passes_on_a_fresh_jails_nix_and_fails_with_the_diff_on_a_stale_one",
    ) {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    init_project(dir.path(), &[]);
    let v = nix_eval_json(&[
        "nix/tests/eval-init-flake.nix",
        "--argstr",
        "flakeDir",
        dir.path().to_str().expect("utf-8"),
    ]);
    for system in ["x86_64-linux", "aarch64-linux"] {
        assert_eq!(
            v[system]["checks"],
            serde_json::json!(["jails"]),
            "{system}"
        );
    }

    let (ok, text) = run_init_flake_check(dir.path());
    assert!(ok, "fresh jails.nix: the check failed:\n{text}");

    // jails.yaml edited, jails.nix not regenerated.
    let yaml = dir.path().join("jails.yaml");
    let spec = std::fs::read_to_string(&yaml).expect("read jails.yaml");
    let edited = spec.replacen(
        "    agent: claude-code\n",
        "    agent: claude-code\n    packages: [nodejs]\n",
        1,
    );
    assert_ne!(edited, spec, "the starter has a claude-code jail");
    std::fs::write(&yaml, edited).expect("write jails.yaml");
    let (ok, text) = run_init_flake_check(dir.path());
    assert!(!ok, "stale jails.nix: the check passed:\n{text}");
    assert!(
        text.contains("+      pkgs.nodejs") && text.contains("`jails.nix` is out of date"),
        "the failure shows the diff:\n{text}"
    );
}

// Issue 11: init's flake instantiated nixpkgs twice per system (`import nixpkgs` for the jails,
// `legacyPackages` for the shell); every output now shares one instance.
#[test]
fn init_flake_instantiates_nixpkgs_once_per_system_for_every_output() {
    if !have_nix("init_flake_instantiates_nixpkgs_once_per_system_for_every_output") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    init_project(dir.path(), &["claude-code", "codex"]);
    // jails.nix must read `pkgs`, or nothing forces the instance (Nix is lazy).
    let yaml = dir.path().join("jails.yaml");
    let spec = std::fs::read_to_string(&yaml).expect("read jails.yaml");
    let spec = spec.replacen(
        "    agent: codex\n",
        "    agent: codex\n    packages: [nodejs]\n",
        1,
    );
    std::fs::write(&yaml, spec).expect("write jails.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_jailgen"))
        .current_dir(dir.path())
        .args(["render", "--output", "jails.nix"])
        .output()
        .expect("run jailgen render");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read_to_string(dir.path().join("jails.nix"))
            .expect("read jails.nix")
            .contains("pkgs.nodejs")
    );
    let out = common::nix_eval(&[
        "nix/tests/eval-init-flake.nix",
        "--argstr",
        "flakeDir",
        dir.path().to_str().expect("utf-8"),
        "--arg",
        "traceNixpkgs",
        "true",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for system in ["x86_64-linux", "aarch64-linux"] {
        let n = stderr
            .matches(&format!("jailgen-test: nixpkgs instantiated for {system}"))
            .count();
        assert_eq!(n, 1, "{system}: nixpkgs instantiated {n} times:\n{stderr}");
    }
}

/// The policy is stated once: the Nix library writes it (makeJailedAgent's `policy`), and
/// `jailgen explain` derives the same policy from the CLI's model to print the launcher's plan
/// (`jailgen::explain::policy`). For every jail of every `fixtures/ok` case the two must be the
/// same policy, field for field, once read by the launcher's own reader
/// (`jailgen_policy::Policy::from_json`): the network's mode, expanded allowlist and host ports
/// included. Only what the CLI cannot know is set aside: the store paths of the CA bundle and of
/// the network stack, which the library takes from nixpkgs (the stack's kind is compared).
#[test]
fn the_library_writes_the_policy_explain_derives_for_every_ok_fixture() {
    if !have_nix("the_library_writes_the_policy_explain_derives_for_every_ok_fixture") {
        return;
    }
    let cases = ok_cases();
    let mut compared = 0;
    for case in &cases {
        let loaded = jailgen::load(&case.join("jails.yaml")).expect("the fixture loads");
        let model = jailgen::model::build(&loaded.spec).expect("the fixture's model");
        let evaluated = evaluate_jails(&case.join("jails.nix"));
        for j in &model.jails {
            let from_nix = &evaluated[j.name.as_str()]["policy"];
            assert!(
                from_nix.is_object(),
                "{}: no policy for `{}` in {evaluated}",
                case.display(),
                j.name
            );
            let mut library = jailgen_policy::Policy::from_json(&from_nix.to_string())
                .unwrap_or_else(|e| panic!("{}: `{}`: {e:?}", case.display(), j.name));
            let explain = jailgen::explain::policy(j).expect("explain's policy");
            library.tls.ca_bundle = explain.tls.ca_bundle.clone();
            // The stack: the same one (the library writes its store path, explain its name).
            use jailgen_policy::NetStack::{Pasta, Slirp4netns};
            assert!(
                matches!(
                    (&library.net_stack, &explain.net_stack),
                    (None, None)
                        | (Some(Pasta(_)), Some(Pasta(_)))
                        | (Some(Slirp4netns(_)), Some(Slirp4netns(_)))
                ),
                "{}: jail `{}`: the library's stack {:?}, explain's {:?}",
                case.display(),
                j.name,
                library.net_stack,
                explain.net_stack
            );
            library.net_stack = explain.net_stack.clone();
            assert_eq!(
                library.to_json(),
                explain.to_json(),
                "{}: jail `{}`: the library's policy (left) and explain's (right) differ",
                case.display(),
                j.name
            );
            compared += 1;
        }
    }
    assert!(compared >= 30, "compared only {compared} jails");
    eprintln!("ok   {compared} jails: library policy == explain policy");
}

/// `network = "host"` is a warned choice in the library too (`host_network`, as the CLI's lint):
/// evaluating fixtures/ok/network warns for its one host jail, and for no other.
#[test]
fn the_library_warns_for_network_host_and_only_for_it() {
    if !have_nix("the_library_warns_for_network_host_and_only_for_it") {
        return;
    }
    let out = evaluate_jails_output(&root().join("fixtures/ok/network/jails.nix"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("jailgen (host_network)"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].contains("`jailed-amp`"), "{stderr}");
}
