//! What every runtime test uses: a project fixture, a wrapper built by the library around bash,
//! running it, and the shape of a refusal.

use crate::common::{self, loud, nix_lit, root, strict};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `true` when the tool works; otherwise skip loudly, or fail in CI.
pub fn have(tool: &str, probe: &[&str]) -> bool {
    let ok = Command::new(tool)
        .args(probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            !strict(),
            "`{tool}` is required here (CI=true or JAILGEN_REQUIRE_NIX=1) but `{tool} {}` failed",
            probe.join(" ")
        );
        loud!("SKIPPED: `{tool}` is not usable on this machine; this test did not run");
    }
    ok
}

/// bash, bwrap (with a user namespace), nix-instantiate and git: what a library jail needs.
pub fn have_jail_tools() -> bool {
    have("bash", &["-c", "true"])
        && have("bwrap", &["--ro-bind", "/", "/", "--unshare-user", "true"])
        && have("nix-instantiate", &["--version"])
        && have("git", &["--version"])
}

pub fn text(out: &Output) -> String {
    format!(
        "status: {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn lines_with<'a>(out: &'a str, prefix: &str) -> Vec<&'a str> {
    out.lines().filter(|l| l.starts_with(prefix)).collect()
}

/// A launch the launcher refused: exit 125, one line on stderr of the documented shape
/// (crates/POLICY.md) holding every needle, and the agent never ran (nothing on stdout).
#[track_caller]
pub fn assert_refused(out: &Output, needles: &[&str]) {
    let se = stderr(out);
    assert_eq!(out.status.code(), Some(125), "{}", text(out));
    assert_eq!(se.lines().count(), 1, "one line: {}", text(out));
    assert!(
        se.starts_with("jailgen: refusing to start: "),
        "{}",
        text(out)
    );
    for n in needles {
        assert!(se.contains(n), "the refusal names {n:?}: {}", text(out));
    }
    assert!(out.stdout.is_empty(), "the agent ran anyway: {}", text(out));
}

/// Not refused by the launcher (whatever the agent then did).
#[track_caller]
pub fn assert_not_refused(out: &Output) {
    assert!(
        out.status.code() != Some(125) && !stderr(out).contains("jailgen: refusing to start"),
        "{}",
        text(out)
    );
}

/// `JAILGEN_TEST_USER=NAME`, when the tests run as root: every wrapper and git command runs as
/// that unprivileged user (`setpriv`, no supplementary groups), and the fixture's directory is
/// handed to it before each run, so the jail behaves as it does for a user.
fn test_user() -> Option<&'static (String, String)> {
    static USER: std::sync::OnceLock<Option<(String, String)>> = std::sync::OnceLock::new();
    USER.get_or_init(|| {
        let name = std::env::var("JAILGEN_TEST_USER")
            .ok()
            .filter(|n| !n.is_empty())?;
        let id = |flag: &str| {
            let out = Command::new("id")
                .args([flag, &name])
                .output()
                .expect("run id");
            assert!(
                out.status.success(),
                "JAILGEN_TEST_USER={name}: no such user"
            );
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        Some((id("-u"), id("-g")))
    })
    .as_ref()
}

/// Whether the jails run as `JAILGEN_TEST_USER`.
pub fn as_test_user() -> bool {
    test_user().is_some()
}

/// A command for `program`, run as the test user when there is one.
pub fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    match test_user() {
        Some((uid, gid)) => {
            let mut c = Command::new("/usr/bin/setpriv");
            c.args(["--reuid", uid, "--regid", gid, "--clear-groups", "--"])
                .arg(program);
            c
        }
        None => Command::new(program),
    }
}

/// Gives the fixture holding `path` (a directory under the temp dir) to the test user.
pub fn hand_over_fixture(path: &Path) {
    hand_over(path);
}

fn hand_over(path: &Path) {
    let Some((uid, gid)) = test_user() else {
        return;
    };
    let tmp = std::env::temp_dir();
    let Some(root) = path.ancestors().find(|a| a.parent() == Some(tmp.as_path())) else {
        return;
    };
    let out = Command::new("chown")
        .args(["-R", &format!("{uid}:{gid}")])
        .arg(root)
        .output()
        .expect("run chown");
    assert!(out.status.success(), "chown {root:?}: {}", text(&out));
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    hand_over(dir);
    let out = command("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .output()
        .expect("spawn git");
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A temp dir with `home/` and a git repository `home/src/proj` holding one commit and an
/// executable pre-commit hook.
pub struct Fixture {
    _tmp: tempfile::TempDir,
    pub home: PathBuf,
    pub proj: PathBuf,
}

pub fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let home = tmp.path().join("home");
    let proj = home.join("src/proj");
    fs::create_dir_all(&proj).unwrap();
    git(&proj, &["init", "-q", "-b", "main"]);
    fs::write(proj.join("README"), "hello\n").unwrap();
    git(&proj, &["add", "README"]);
    git(&proj, &["commit", "-q", "-m", "init"]);
    let hook = proj.join(".git/hooks/pre-commit");
    fs::write(&hook, "#!/bin/sh\nexit 0\n").unwrap();
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
    Fixture {
        _tmp: tmp,
        home,
        proj,
    }
}

pub fn plant_ssh_key(home: &Path) {
    fs::create_dir_all(home.join(".ssh")).unwrap();
    fs::write(home.join(".ssh/id_rsa"), "PRIVKEY\n").unwrap();
}

/// The environment every test jail sets, so git inside commits without a config.
const GIT_ENV: &str = r#"{ GIT_CONFIG_NOSYSTEM = "1"; GIT_AUTHOR_NAME = "t"; GIT_AUTHOR_EMAIL = "t@example.org"; GIT_COMMITTER_NAME = "t"; GIT_COMMITTER_EMAIL = "t@example.org"; }"#;

/// A jail built by the library: `makeJailedAgent` (or a preset's builder) with bash as the
/// agent, so `run(…, script)` runs `bash -c script` inside it.
pub struct Jail {
    _dir: tempfile::TempDir,
    pub wrapper: PathBuf,
}

pub struct JailArgs<'a> {
    /// makeJailedAgent arguments (a Nix attribute set), merged over the defaults here.
    pub args: &'a str,
    /// A preset name: its builder instead of makeJailedAgent.
    pub preset: Option<&'a str>,
    /// A real jail.nix checkout instead of the double.
    pub jail_nix: Option<&'a Path>,
}

impl Jail {
    /// `makeJailedAgent ({ name = "jailed-test"; pkg = bash; configPaths = [ ]; env = git } // args)`.
    pub fn new(args: &str) -> Jail {
        Jail::build(JailArgs {
            args,
            preset: None,
            jail_nix: None,
        })
    }

    pub fn build(a: JailArgs) -> Jail {
        let builder = match a.preset {
            Some(p) => format!("h.jailgen.${{h.jailgen.presets.{}.builder}}", nix_lit(p)),
            None => "h.jailgen.makeJailedAgent".to_string(),
        };
        let defaults = match a.preset {
            Some(_) => format!("{{ pkg = bash; env = {GIT_ENV}; }}"),
            None => format!(
                "{{ name = \"jailed-test\"; pkg = bash; configPaths = [ ]; env = {GIT_ENV}; }}"
            ),
        };
        Jail::from_expr(&format!("{builder} ({defaults} // {})", a.args), a.jail_nix)
    }

    /// A jail of jail.nix alone, without jailgen: `jail "plain" bash (c: PERMISSIONS)`, for
    /// controls that show what the library adds.
    pub fn plain_jail_nix(permissions: &str) -> Jail {
        Jail::from_expr(&format!("h.jail \"plain\" bash (c: {permissions})"), None)
    }

    /// The wrapper of the jail `expr` evaluates to, with `h` (nix/tests/harness.nix in host mode,
    /// with the cargo-built launcher) and `bash` (the host's, as a package) in scope.
    pub fn from_expr(expr: &str, jail_nix: Option<&Path>) -> Jail {
        let dir = tempfile::tempdir().expect("tempdir");
        let harness = root().join("nix/tests/harness.nix");
        let launcher = common::launcher();
        let jail_nix = jail_nix.map_or("null".to_string(), |p| nix_lit(p.to_str().unwrap()));
        let expr = format!(
            "let h = import {harness} {{ host = true; launcher = {launcher}; jailNix = {jail_nix}; }};
                 bash = {{ type = \"derivation\"; name = \"bash\"; outPath = \"/usr\"; meta.mainProgram = \"bash\"; }};
             in ({expr}).text",
            harness = nix_lit(harness.to_str().unwrap()),
            launcher = nix_lit(launcher.to_str().unwrap()),
        );
        // --read-write-mode (nix_eval): the policy file the wrapper names must be in the store.
        let out = common::nix_eval(&["-E", &expr]);
        assert!(out.status.success(), "{expr}\n{}", text(&out));
        let script: String = serde_json::from_slice(&out.stdout).expect("a JSON string");
        let wrapper = dir.path().join("wrapper");
        fs::write(&wrapper, script).unwrap();
        fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        Jail { _dir: dir, wrapper }
    }

    pub fn run(&self, cwd: &Path, home: &Path, script: &str) -> Output {
        self.run_with(cwd, home, script, &[])
    }

    /// The wrapper from `cwd` with a clean environment (HOME, PATH, TERM, PWD) plus `extra`.
    pub fn run_with(
        &self,
        cwd: &Path,
        home: &Path,
        script: &str,
        extra: &[(&str, &str)],
    ) -> Output {
        self.command(cwd, home, script, extra)
            .output()
            .expect("spawn the wrapper")
    }

    pub fn command(
        &self,
        cwd: &Path,
        home: &Path,
        script: &str,
        extra: &[(&str, &str)],
    ) -> Command {
        hand_over(home);
        let mut c = command(&self.wrapper);
        c.args(["-c", script])
            .current_dir(cwd)
            .env_clear()
            .env("HOME", home)
            .env("PATH", "/usr/bin:/bin")
            .env("TERM", "dumb")
            .env("PWD", cwd)
            .envs(extra.iter().copied());
        c
    }
}

/// gcc, compiling a test helper (tests/runtime/*.c) into `out`.
pub fn cc(src: &Path, out: &Path) {
    let o = Command::new("gcc")
        .args(["-O2", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(out)
        .arg(src)
        .output()
        .expect("spawn gcc");
    assert!(o.status.success(), "gcc {src:?}: {}", text(&o));
}
