//! What every runtime test uses: a wrapper built by the library around bash, and running it.
//! The gates, the project fixture, git, the test user and the shape of a refusal are
//! crates/testkit's (shared with the launcher's tests), re-exported here.

use crate::common::{self, nix_lit, root};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The runtime's fixtures are handed to `JAILGEN_TEST_USER` when there is one.
pub use testkit::fixture_for_test_user as fixture;
pub use testkit::*;

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
        // Not fs::write: a test thread forking meanwhile would make exec'ing it fail (ETXTBSY).
        write_script(&wrapper, &script);
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
        hand_over_fixture(home);
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
