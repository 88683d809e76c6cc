//! jailed-agents' API run against jailgen's library: every call in jailed-agents' README, and one
//! call per argument of its current `makeJailedAgent` / preset builders, written in
//! jailed-agents' own spelling (`jailed-agents.lib.${system}.makeJailedOpencode { … }`), evaluated
//! into a wrapper (host mode: the agent is the host's bash) and run with real bwrap, checking what
//! the argument means: a variable set, forwarded or absent, a directory read-only or writable, a
//! worktree commit that reaches the main repository while its hooks stay read-only. The wrapper
//! runs the launcher (crates/launch, built by cargo: tests/common) in front of real bwrap.
//!
//! Runs against the jail.nix double, and against real jail.nix when `JAILGEN_JAIL_NIX` names a
//! checkout (`.ci/run` sets it). Needs nix-instantiate, bwrap and git: without
//! them the tests skip loudly, and fail under `JAILGEN_REQUIRE_NIX=1` or `CI=true`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{have_nix, nix_lit, real_jail_nix, root};
use testkit::{have, have_bwrap, have_git, text, write_script};

fn have_tools(test: &str) -> bool {
    have_nix(test) && have_bwrap() && have_git()
}

fn git(dir: &Path, home: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", home)
        .output()
        .expect("spawn git");
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A home with a git identity in ~/.gitconfig and a project repository with a hook.
struct Setup {
    tmp: tempfile::TempDir,
    home: PathBuf,
    proj: PathBuf,
    launcher: PathBuf,
    jail_nix: Option<PathBuf>,
}

impl Setup {
    fn new(jail_nix: Option<PathBuf>) -> Setup {
        let tmp = tempfile::tempdir().expect("tempdir");
        let home = tmp.path().join("home");
        let proj = home.join("src/proj");
        fs::create_dir_all(&proj).unwrap();
        fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = Host User\n\temail = host@example.org\n",
        )
        .unwrap();
        git(&proj, &home, &["init", "-q", "-b", "main"]);
        fs::write(proj.join("README"), "hello\n").unwrap();
        git(&proj, &home, &["add", "README"]);
        git(&proj, &home, &["commit", "-q", "-m", "init"]);
        let hook = proj.join(".git/hooks/pre-commit");
        fs::write(&hook, "#!/bin/sh\nexit 0\n").unwrap();
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
        let launcher = common::launcher();
        Setup {
            tmp,
            home,
            proj,
            launcher,
            jail_nix,
        }
    }

    fn eval(&self, call: &str, without_agent: Option<&str>) -> Output {
        let mut cmd = Command::new("nix-instantiate");
        cmd.args(["--eval", "--read-write-mode", "--strict", "--json"])
            .arg(root().join("nix/tests/compat-wrapper.nix"))
            .args(["--argstr", "call", call])
            .args(["--argstr", "launcher"])
            .arg(&self.launcher);
        if let Some(j) = &self.jail_nix {
            cmd.args(["--arg", "jailNix"]).arg(j);
        }
        if let Some(a) = without_agent {
            cmd.args(["--argstr", "withoutAgent", a]);
        }
        cmd.output().expect("spawn nix-instantiate")
    }

    /// The jail of `call`, written as an executable wrapper; returns its path and name.
    fn wrapper(&self, call: &str) -> (PathBuf, String) {
        let out = self.eval(call, None);
        assert!(out.status.success(), "{call}\n{}", text(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let dir = tempfile::Builder::new()
            .prefix("wrapper")
            .tempdir_in(self.tmp.path())
            .unwrap()
            .keep();
        let path = dir.join("wrapper");
        // Not fs::write: a test thread forking meanwhile would make exec'ing it fail (ETXTBSY).
        write_script(&path, v["text"].as_str().expect("text"));
        (path, v["name"].as_str().expect("name").to_owned())
    }

    /// Runs `script` with bash inside the jail of `call`, from `cwd`, with `env` on the host.
    fn run_in(&self, call: &str, cwd: &Path, env: &[(&str, &str)], script: &str) -> Output {
        let (wrapper, _) = self.wrapper(call);
        // Through bash rather than exec: a file just written can be ETXTBSY for exec while
        // another test thread forks.
        Command::new("bash")
            .arg(&wrapper)
            .args(["-c", script])
            .current_dir(cwd)
            .env_clear()
            .env("HOME", &self.home)
            .env("PATH", "/usr/bin:/bin")
            .env("TERM", "dumb")
            .env("PWD", cwd)
            .envs(env.iter().copied())
            .output()
            .expect("spawn the wrapper")
    }

    fn run(&self, call: &str, env: &[(&str, &str)], script: &str) -> String {
        let out = self.run_in(call, &self.proj, env, script);
        assert!(out.status.success(), "{call}\n{}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// The checks that write `WROTE <path>` or `blocked <path>`, and `read <path>`.
const PROBE: &str = r#"
w() { if (echo x >> "$1") 2>/dev/null; then echo "WROTE $1"; else echo "blocked $1"; fi; }
r() { if cat "$1" >/dev/null 2>&1; then echo "read $1"; else echo "unreadable $1"; fi; }
"#;

const LIB: &str = "jailed-agents.lib.${system}";

/// The network interfaces the jail sees, one per line (there is no /sys in a jail).
const IFACES: &str = "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '";

/// The default network (`network = true`): the jail's own namespace with the stack's interface
/// besides loopback, and none of the host's.
fn assert_own_network(ifaces: &str, what: &str) {
    assert!(
        ifaces.lines().any(|l| l != "lo") && ifaces != host_ifaces(),
        "{what}: {ifaces:?} (host: {:?})",
        host_ifaces()
    );
}

fn host_ifaces() -> String {
    let out = Command::new("sh")
        .args(["-c", IFACES])
        .output()
        .expect("sh");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn readme_calls(s: &Setup) {
    fs::create_dir_all(s.home.join("projects")).unwrap();
    fs::create_dir_all(s.home.join("readonly-cache")).unwrap();
    fs::write(s.home.join("readonly-cache/data"), "cached\n").unwrap();

    // "Add a customized agent to your devShell" (and "Include additional packages").
    let so = s.run(
        &format!("{LIB}.makeJailedOpencode {{ extraPkgs = [ pkgs.nodejs pkgs.python3 ]; }}"),
        &[],
        &format!("{PROBE} w ~/.config/opencode/x; w ~/.local/share/opencode/x; w ~/.local/state/opencode/x; w ~/.ssh-like"),
    );
    assert_eq!(
        so,
        format!(
            "WROTE {h}/.config/opencode/x\nWROTE {h}/.local/share/opencode/x\nWROTE {h}/.local/state/opencode/x\nWROTE {h}/.ssh-like\n",
            h = s.home.display()
        ),
        "state reaches the host; the rest of home is a tmpfs"
    );
    assert!(s.home.join(".config/opencode/x").is_file());
    assert!(
        !s.home.join(".ssh-like").exists(),
        "the jail's home is not the host's"
    );

    // "Override the agent's package or change the command name".
    let (_, name) = s.wrapper(&format!(
        "{LIB}.makeJailedOpencode {{ name = \"secure-opencode\"; pkg = pkgs.opencode_2_0; }}"
    ));
    assert_eq!(name, "secure-opencode");

    // "Provide read-write or read-only access to directories".
    let so = s.run(
        &format!(
            "{LIB}.makeJailedOpencode {{ extraReadwriteDirs = [\"~/projects\"]; extraReadonlyDirs = [\"~/readonly-cache\"]; }}"
        ),
        &[],
        &format!("{PROBE} w ~/projects/new; r ~/readonly-cache/data; w ~/readonly-cache/data"),
    );
    let h = s.home.display();
    assert_eq!(
        so,
        format!(
            "WROTE {h}/projects/new\nread {h}/readonly-cache/data\nblocked {h}/readonly-cache/data\n"
        )
    );
    assert!(s.home.join("projects/new").is_file());

    // "Create a jail for a custom agent".
    let so = s.run(
        &format!(
            "{LIB}.makeJailedAgent {{ name = \"my-custom-agent\"; pkg = pkgs.my-agent-package; configPaths = [ \"~/.config/my-agent\" \"~/.local/share/my-agent\" ]; extraPkgs = [ pkgs.pandoc pkgs.ffmpeg ]; }}"
        ),
        &[],
        &format!("{PROBE} w ~/.config/my-agent/x; w ~/.local/share/my-agent/x"),
    );
    assert_eq!(
        so,
        format!("WROTE {h}/.config/my-agent/x\nWROTE {h}/.local/share/my-agent/x\n")
    );

    // "internals": no network, through baseJailOptions (with jailed-agents' mount-cwd in it).
    let no_net = format!(
        "let combinators = {LIB}.internals.jail.combinators; in {LIB}.makeJailedOpencode {{ baseJailOptions = [ combinators.time-zone combinators.no-new-session combinators.mount-cwd ]; }}"
    );
    let so = s.run(
        &no_net,
        &[],
        &format!("{IFACES}; pwd; echo ok > in-project && echo CWD_WRITABLE"),
    );
    assert_eq!(
        so,
        format!("lo\n{}\nCWD_WRITABLE\n", s.proj.display()),
        "only loopback; the project is the working directory"
    );
    let so = s.run(&format!("{LIB}.makeJailedOpencode {{ }}"), &[], IFACES);
    assert_own_network(
        &so,
        "the default: a namespace of its own with a user-mode stack",
    );

    // The Go example: makeJailedCrush with the toolchain.
    let so = s.run(
        &format!(
            "{LIB}.makeJailedCrush {{ extraPkgs = [ pkgs.go pkgs.gopls pkgs.golangci-lint pkgs.go-task pkgs.libgcc pkgs.gcc ]; }}"
        ),
        &[],
        &format!("{PROBE} w ~/.config/crush/x; w ~/.local/share/crush/x"),
    );
    assert_eq!(
        so,
        format!("WROTE {h}/.config/crush/x\nWROTE {h}/.local/share/crush/x\n")
    );
}

fn every_argument(s: &Setup) {
    let h = s.home.display().to_string();
    let agent = |args: &str| {
        format!(
            "{LIB}.makeJailedAgent ({{ name = \"my-agent\"; pkg = pkgs.my-agent-package; configPaths = [ ]; }} // {args})"
        )
    };
    let show = r#"for v in MY_MODE FOO BAR COLORTERM TERM_PROGRAM TERM_PROGRAM_VERSION EXTRA_OPT BROWSER NIX_REMOTE; do echo "$v=${!v-unset}"; done"#;
    let vars = |so: &str| -> Vec<String> { so.lines().map(str::to_owned).collect() };

    // env, fwdEnv (and forwardEnv), the terminal's variables, extraJailOptions.
    let so = s.run(
        &agent(
            "{ env.MY_MODE = \"fast\"; fwdEnv = [ \"FOO\" \"BAR\" ]; extraJailOptions = [ (combinators.set-env \"EXTRA_OPT\" \"yes\") ]; }",
        ),
        &[("FOO", "from host"), ("COLORTERM", "truecolor")],
        show,
    );
    assert_eq!(
        vars(&so),
        [
            "MY_MODE=fast",
            "FOO=from host",
            "BAR=unset",
            "COLORTERM=truecolor",
            "TERM_PROGRAM=unset",
            "TERM_PROGRAM_VERSION=unset",
            "EXTRA_OPT=yes",
            "BROWSER=unset",
            "NIX_REMOTE=unset",
        ],
        "env set; FOO forwarded; BAR, unset on the host, absent"
    );
    // Without fwdEnv a host variable stays outside.
    let so = s.run(
        &agent("{ }"),
        &[("FOO", "from host"), ("TERM_PROGRAM", "tmux")],
        show,
    );
    assert!(
        so.contains("FOO=unset\n") && so.contains("TERM_PROGRAM=tmux\n"),
        "{so}"
    );

    // nixConfigDir: a string is read-only, { writable = true; } read-write.
    fs::create_dir_all(s.home.join(".config/nix")).unwrap();
    fs::write(s.home.join(".config/nix/nix.conf"), "cores = 1\n").unwrap();
    let probe = format!("{PROBE} r ~/.config/nix/nix.conf; w ~/.config/nix/nix.conf");
    let so = s.run(&agent("{ nixConfigDir = \"~/.config/nix\"; }"), &[], &probe);
    assert_eq!(
        so,
        format!("read {h}/.config/nix/nix.conf\nblocked {h}/.config/nix/nix.conf\n")
    );
    let so = s.run(
        &agent("{ nixConfigDir = { path = \"~/.config/nix\"; writable = true; }; }"),
        &[],
        &probe,
    );
    assert_eq!(
        so,
        format!("read {h}/.config/nix/nix.conf\nWROTE {h}/.config/nix/nix.conf\n")
    );

    // enableNix: the host's /nix read-only, the daemon named.
    if Path::new("/nix/store").is_dir() {
        let so = s.run(
            &agent("{ enableNix = true; }"),
            // The launcher refuses enableNix to a trusted Nix user (root here, and in CI)
            // unless told to insist.
            &[("JAILGEN_ALLOW_TRUSTED_NIX", "1")],
            &format!("{PROBE} test -d /nix/store && echo STORE; w /nix/jail-test; echo \"NIX_REMOTE=$NIX_REMOTE\""),
        );
        assert_eq!(so, "STORE\nblocked /nix/jail-test\nNIX_REMOTE=daemon\n");
    }

    // enableOpenUrls and lib.openUrls: the browser is the channel.
    for args in [
        "{ enableOpenUrls = true; }",
        &format!("{{ extraJailOptions = [ {LIB}.openUrls ]; }}"),
    ] {
        let so = s.run(&agent(args), &[], "echo \"BROWSER=${BROWSER-unset}\"");
        assert_eq!(so, "BROWSER=browserchannel\n", "{args}");
    }

    // baseJailOptions = lib.commonJailOptions, basePackages = lib.commonPkgs: the defaults.
    let so = s.run(
        &agent(&format!(
            "{{ baseJailOptions = {LIB}.commonJailOptions; basePackages = {LIB}.commonPkgs; }}"
        )),
        &[],
        IFACES,
    );
    assert_own_network(&so, "commonJailOptions keeps the default network");

    worktrees(s);

    // makeJailedGoose, makeJailedHermesAgent: their state, created on first run.
    let so = s.run(
        &format!("{LIB}.makeJailedGoose {{ }}"),
        &[],
        &format!("{PROBE} w ~/.config/goose/x; w ~/.local/share/goose/x; w ~/.local/state/goose/x; echo \"$GOOSE_DISABLE_KEYRING\""),
    );
    assert_eq!(
        so,
        format!(
            "WROTE {h}/.config/goose/x\nWROTE {h}/.local/share/goose/x\nWROTE {h}/.local/state/goose/x\n1\n"
        )
    );
    let so = s.run(
        &format!("{LIB}.makeJailedHermesAgent {{ }}"),
        &[],
        &format!("{PROBE} w ~/.hermes/x"),
    );
    assert_eq!(so, format!("WROTE {h}/.hermes/x\n"));
    assert!(s.home.join(".hermes/x").is_file());
    // Without the package in llm-agents: a clear error asking for `pkg`.
    let out = s.eval(
        &format!("{LIB}.makeJailedHermesAgent {{ }}"),
        Some("hermes-agent"),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && err.contains(
                "jailgen.makeJailedHermesAgent: llm-agents has no package `hermes-agent`"
            )
            && err.contains("makeJailedHermesAgent { pkg = pkgs.hermes-agent; }"),
        "{}",
        text(&out)
    );
}

/// enableGitWorktrees = { enable; dir; mountGitConfig; }: the agent creates a worktree in `dir`
/// and commits there; the commit reaches the main repository, whose hooks and config stay
/// read-only; ~/.gitconfig is read-only when it exists and no obstacle when it does not.
fn worktrees(s: &Setup) {
    let h = s.home.display().to_string();
    let p = s.proj.display().to_string();
    fs::create_dir_all(s.home.join("worktrees")).unwrap();
    let call = format!(
        "{LIB}.makeJailedAgent {{ name = \"wt\"; pkg = pkgs.my-agent-package; configPaths = [ ]; enableGitWorktrees = {{ enable = true; dir = \"~/worktrees\"; mountGitConfig = true; }}; }}"
    );
    let inside = format!(
        r#"{PROBE}
git config user.name
git worktree add -q -b feature ~/worktrees/feature && echo WORKTREE_ADDED
cd ~/worktrees/feature && echo data > f && git add f && git commit -q -m "worktree commit" && echo COMMITTED
cd {p}
w .git/hooks/pre-commit; w .git/config; w ~/.gitconfig
"#
    );
    let so = s.run(&call, &[], &inside);
    assert_eq!(
        so,
        format!(
            "Host User\nWORKTREE_ADDED\nCOMMITTED\nblocked .git/hooks/pre-commit\nblocked .git/config\nblocked {h}/.gitconfig\n"
        ),
        "identity from the read-only ~/.gitconfig; hooks and config read-only"
    );
    assert_eq!(
        git(
            &s.proj,
            &s.home,
            &["log", "-1", "--format=%s %an", "feature"]
        ),
        "worktree commit Host User\n",
        "the commit is in the main repository"
    );

    // Started from the linked worktree: it still commits, and the common dir's hooks stay read-only.
    let wt = s.home.join("worktrees/feature");
    let out = s.run_in(
        &call,
        &wt,
        &[],
        &format!(
            "{PROBE} echo more >> f && git commit -q -am again && echo COMMITTED; w \"$(git rev-parse --git-common-dir)/hooks/pre-commit\""
        ),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("COMMITTED\nblocked {p}/.git/hooks/pre-commit\n")
    );
    assert_eq!(
        git(&s.proj, &s.home, &["log", "-1", "--format=%s", "feature"]),
        "again\n"
    );

    // No ~/.gitconfig on the host: the launch goes ahead, and there is none inside.
    let saved = fs::read(s.home.join(".gitconfig")).unwrap();
    fs::remove_file(s.home.join(".gitconfig")).unwrap();
    let so = s.run(
        &call,
        &[],
        "test -e ~/.gitconfig && echo PRESENT || echo ABSENT",
    );
    assert_eq!(so, "ABSENT\n");
    fs::write(s.home.join(".gitconfig"), saved).unwrap();

    // jailed-agents' own worktree option leaves the hooks writable; jailgen's git = "open" does
    // the same, so the probe above can tell the difference.
    let open = format!(
        "{LIB}.makeJailedAgent {{ name = \"wt\"; pkg = pkgs.my-agent-package; configPaths = [ ]; git = \"open\"; }}"
    );
    let so = s.run(&open, &[], &format!("{PROBE} w .git/hooks/pre-commit"));
    assert_eq!(so, "WROTE .git/hooks/pre-commit\n");
}

#[test]
fn jailed_agents_readme_calls_run_with_the_meaning_they_have_there() {
    if !have_tools("jailed_agents_readme_calls_run_with_the_meaning_they_have_there") {
        return;
    }
    readme_calls(&Setup::new(None));
}

#[test]
fn every_jailed_agents_argument_behaves_as_there_when_run() {
    if !have_tools("every_jailed_agents_argument_behaves_as_there_when_run") {
        return;
    }
    every_argument(&Setup::new(None));
}

#[test]
fn jailed_agents_calls_and_arguments_run_with_real_jail_nix() {
    let test = "jailed_agents_calls_and_arguments_run_with_real_jail_nix";
    let Some(jail_nix) = real_jail_nix(test) else {
        return;
    };
    if !have_tools(test) {
        return;
    }
    readme_calls(&Setup::new(Some(jail_nix.clone())));
    every_argument(&Setup::new(Some(jail_nix)));
}

/// lib.openUrls' host side, run with bash: one http(s) URL reaches the browser, nothing else does,
/// and the handler never fails (a failing handler would stop jail.nix's channel).
#[test]
fn the_open_urls_handler_opens_only_one_http_or_https_url() {
    if !have_nix("the_open_urls_handler_opens_only_one_http_or_https_url") {
        return;
    }
    let out = Command::new("nix-instantiate")
        .args(["--eval", "--strict", "--json", "-E"])
        .arg(format!(
            "(import {} {{ }}).jailgen.internals.openUrlsHandler",
            nix_lit(root().join("nix/tests/harness.nix").to_str().unwrap())
        ))
        .output()
        .expect("spawn nix-instantiate");
    assert!(out.status.success(), "{}", text(&out));
    let handler: String = serde_json::from_slice(&out.stdout).expect("a string");
    let tmp = tempfile::tempdir().unwrap();
    // writeShellApplication runs shellcheck on the handler when Nix builds it.
    if have("shellcheck", &["--version"]) {
        let file = tmp.path().join("handler.sh");
        fs::write(
            &file,
            format!("#!/usr/bin/env bash\nset -o errexit -o nounset -o pipefail\n{handler}"),
        )
        .unwrap();
        let out = Command::new("shellcheck")
            .arg(&file)
            .output()
            .expect("spawn shellcheck");
        assert!(out.status.success(), "{}", text(&out));
    }
    let log = tmp.path().join("opened");
    let browser = tmp.path().join("browser");
    write_script(
        &browser,
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$#:$1\" >> '{}'\n",
            log.display()
        ),
    );
    let long = format!("https://example.org/{}", "a".repeat(5000));
    let cases: &[(&str, bool)] = &[
        ("https://example.org/path?q=1#frag", true),
        ("http://127.0.0.1:8080/callback?code=x", true),
        ("file:///etc/passwd", false),
        ("javascript:alert(1)", false),
        ("HTTPS://EXAMPLE.ORG", false),
        ("https://example.org/\nfile:///etc/passwd", false),
        (
            "https://example.org/ --new-window file:///etc/passwd",
            false,
        ),
        ("https://exa\tmple.org", false),
        ("https://example.org/\u{1b}]8;;x", false),
        ("-https://example.org", false),
        (" https://example.org", false),
        ("https://", false),
        ("", false),
        (&long, false),
    ];
    for (url, opened) in cases {
        let _ = fs::remove_file(&log);
        let script = format!("set -o errexit -o nounset -o pipefail\n{handler}\nwait\n");
        let out = Command::new("bash")
            .args(["-c", &script, "handler", url])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("BROWSER", &browser)
            .output()
            .expect("spawn bash");
        assert!(
            out.status.success(),
            "the handler failed on {url:?}: {}",
            text(&out)
        );
        assert!(
            out.stdout.is_empty(),
            "nothing flows back into the jail: {}",
            text(&out)
        );
        let got = fs::read_to_string(&log).unwrap_or_default();
        if *opened {
            assert_eq!(got, format!("1:{url}\n"), "{url:?}");
        } else {
            assert_eq!(got, "", "{url:?} reached the browser");
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("refused"),
                "{url:?}"
            );
        }
    }
}
