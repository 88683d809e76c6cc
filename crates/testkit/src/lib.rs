//! What jailgen's test suites share, with one name each: the launcher's tests
//! (crates/launch/tests, hand-written policies), the end-to-end tests of library-built jails
//! (tests/runtime) and the other suites at the top (tests/common re-exports what it uses).
//!
//! - the gates: [`strict`] (`CI=true` or `JAILGEN_REQUIRE_NIX=1`) and [`have`], which skips
//!   loudly ([`loud!`]) when a tool is missing, or fails the test under [`strict`];
//! - reading a child's [`Output`]: [`text`], [`stdout`], [`stderr`], [`lines_with`], and the
//!   shape of a launcher refusal, [`assert_refused`];
//! - [`fixture`]: a temp home with a git project, and [`git`] to work on it;
//! - [`user`]: `JAILGEN_TEST_USER`, the unprivileged user the jails run as when the tests run
//!   as root;
//! - [`scenario`]: the attacks both suites run (the launcher's on a policy it reads, the
//!   runtime's through a wrapper the library built), set up in one place.
//!
//! A dev-dependency only: nothing here is built into a program users run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub mod fixture;
pub mod scenario;
pub mod user;

pub use fixture::{Fixture, bare, fixture, fixture_for_test_user, git, plant_ssh_key};
pub use user::{as_test_user, command, hand_over_fixture};

/// Prints to the real stderr, past cargo test's capture, so that a skip is seen.
#[macro_export]
macro_rules! loud {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// The repository's root directory (this crate is `crates/testkit` in it).
pub fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .and_then(Path::parent)
        .expect("crates/testkit sits two levels below the root")
        .to_path_buf()
}

/// `CI=true` or `JAILGEN_REQUIRE_NIX=1`: a missing tool or snapshot is a failure, not a skip.
pub fn strict() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
        || std::env::var("JAILGEN_REQUIRE_NIX").is_ok_and(|v| v == "1")
}

/// `true` when `tool PROBE…` succeeds; otherwise the test skips loudly, or fails under
/// [`strict`].
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

/// bwrap, able to make a user namespace here.
pub fn have_bwrap() -> bool {
    have("bwrap", &["--ro-bind", "/", "/", "--unshare-user", "true"])
}

pub fn have_git() -> bool {
    have("git", &["--version"])
}

/// bash, bwrap (with a user namespace), nix-instantiate and git: what a library jail needs.
pub fn have_jail_tools() -> bool {
    have("bash", &["-c", "true"])
        && have_bwrap()
        && have("nix-instantiate", &["--version"])
        && have_git()
}

/// The status and both streams, for an assertion's message.
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

/// A Nix string literal for `s` (test input only: the product's escaper is
/// `nix_str` in src/render/nix.rs).
pub fn nix_lit(s: &str) -> String {
    let body = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("${", "\\${")
        .replace('\n', "\\n");
    format!("\"{body}\"")
}

/// Writes an executable script through a child process, so that this process never holds the
/// file open for writing: a test thread forking at that moment would carry the descriptor into
/// its child until the child's exec, and exec'ing the script then fails with ETXTBSY ("Text
/// file busy"), which the loaded CI machine hit.
pub fn write_script(path: &Path, text: &str) {
    use std::io::Write as _;
    let mut child = Command::new("sh")
        .args(["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh"])
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("spawn sh");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write the script");
    assert!(
        child.wait().expect("wait for sh").success(),
        "writing {}",
        path.display()
    );
}

/// Waits up to 10 s for `path` to appear (what a process the test started writes when it is
/// up), then asserts it did.
#[track_caller]
pub fn wait_for_file(path: &Path, what: &str) {
    let mut waited = 0;
    while !path.exists() && waited < 200 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
    }
    assert!(path.exists(), "{what}");
}

/// gcc, compiling a test helper (tests/runtime/ttyprobe.c, …) into `out`.
pub fn cc(src: &Path, out: &Path) {
    let o = Command::new("gcc")
        .args(["-O2", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(out)
        .arg(src)
        .output()
        .expect("spawn gcc");
    assert!(o.status.success(), "gcc {src:?}: {}", text(&o));
}
