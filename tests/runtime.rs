//! The jail runtime pieces (nix/runtime/), executed for real: the bash functions
//! of `wrapper.sh` are sourced into real bash under `set -euo pipefail`, and the
//! arguments they assemble are handed to real bwrap, exactly where jail.nix
//! puts `"${RUNTIME_ARGS[@]}"` (after every static argument, so after the
//! working-directory bind). The seccomp filter is compiled with the system C
//! compiler against libseccomp and tried on a real pseudo-terminal.
//!
//! Tools: bash, bwrap, git, gcc + libseccomp-dev, shellcheck. When one is
//! missing the test says so on stderr and returns, unless `CI=true` or
//! `JAILGEN_REQUIRE_NIX=1`, where it fails instead. The same holds for the
//! tests that need real jail.nix (`JAILGEN_JAIL_NIX`, set by `.ci/run`).

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Prints to the real stderr, past cargo test's output capture, so that a
/// skip is seen even when the test passes.
macro_rules! loud {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `JAILGEN_TEST_WRAPPER_SH` runs these tests against another copy (e.g. an
/// older commit's, `git show REV:nix/runtime/wrapper.sh`), to check that a
/// regression test fails on the code it was written against.
fn wrapper_sh() -> PathBuf {
    std::env::var_os("JAILGEN_TEST_WRAPPER_SH")
        .map_or_else(|| repo().join("nix/runtime/wrapper.sh"), PathBuf::from)
}

/// The rarely needed functions, which wrapper.sh sources from
/// `$_jailgen_rare_file` (the library sets it to a store copy).
fn wrapper_rare_sh() -> PathBuf {
    repo().join("nix/runtime/wrapper-rare.sh")
}

fn strict() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
        || std::env::var("JAILGEN_REQUIRE_NIX").is_ok_and(|v| v == "1")
}

/// `true` when the tool works; otherwise skip loudly, or fail in CI.
fn have(tool: &str, probe: &[&str]) -> bool {
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

fn have_bwrap() -> bool {
    have("bash", &["-c", "true"])
        && have("bwrap", &["--ro-bind", "/", "/", "--unshare-user", "true"])
}

fn text(out: &Output) -> String {
    format!(
        "status: {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A minimal root like jail.nix's base: read-only system dirs, fresh /proc,
/// /dev and /tmp, a tmpfs home, cleared environment, all namespaces unshared.
/// Written as bash words (static, trusted text).
const MIN_ROOT: &str = r#"
root=(--ro-bind /usr /usr)
for d in /bin /sbin /lib /lib64 /lib32; do
  if [[ -L $d ]]; then root+=(--symlink "$(readlink "$d")" "$d");
  elif [[ -d $d ]]; then root+=(--ro-bind "$d" "$d"); fi
done
for f in /etc/ld.so.cache /etc/ld.so.conf /etc/alternatives; do
  if [[ -e $f ]]; then root+=(--ro-bind "$f" "$f"); fi
done
root+=(--proc /proc --dev /dev --tmpfs /tmp --tmpfs "$HOME"
  --unshare-user --unshare-ipc --unshare-pid --unshare-net --unshare-uts --unshare-cgroup-try
  --die-with-parent --clearenv --setenv PATH /usr/bin:/bin --setenv HOME "$HOME"
  --setenv GIT_CONFIG_NOSYSTEM 1 --setenv GIT_AUTHOR_NAME t --setenv GIT_AUTHOR_EMAIL t@example.org
  --setenv GIT_COMMITTER_NAME t --setenv GIT_COMMITTER_EMAIL t@example.org)
"#;

/// Source wrapper.sh, run `setup` (calls to the jailgen_* functions), then run
/// `inside` in bwrap with the working directory bound read-write followed by
/// "${RUNTIME_ARGS[@]}", the way jail.nix orders them.
fn jail(cwd: &Path, home: &Path, setup: &str, inside: &str) -> Output {
    let script = format!(
        "set -o errexit -o nounset -o pipefail\nRUNTIME_ARGS=()\nsource \"$1\"\n{MIN_ROOT}\n{setup}\n\
         exec bwrap \"${{root[@]}}\" --bind \"$PWD\" \"$PWD\" --chdir \"$PWD\" \"${{RUNTIME_ARGS[@]}}\" -- bash -c \"$2\"\n"
    );
    Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg("jail")
        .arg(wrapper_sh())
        .arg(inside)
        .current_dir(cwd)
        .env("HOME", home)
        .env("PWD", cwd)
        .env("_jailgen_rare_file", wrapper_rare_sh())
        .env_remove("JAILGEN_ALLOW_CWD")
        .env_remove("XDG_RUNTIME_DIR")
        .output()
        .expect("spawn bash")
}

/// Run only the host side: source wrapper.sh and run `setup` under errexit.
fn host(cwd: &Path, home: &Path, setup: &str, extra_env: &[(&str, &str)]) -> Output {
    let script = format!(
        "set -o errexit -o nounset -o pipefail\nRUNTIME_ARGS=()\nsource \"$1\"\n{setup}\n\
         printf '%s\\0' \"${{RUNTIME_ARGS[@]}}\"\n"
    );
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(script)
        .arg("host")
        .arg(wrapper_sh())
        .current_dir(cwd)
        .env("HOME", home)
        .env("PWD", cwd)
        .env("_jailgen_rare_file", wrapper_rare_sh())
        .env_remove("JAILGEN_ALLOW_CWD")
        .env_remove("XDG_RUNTIME_DIR");
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    cmd.output().expect("spawn bash")
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
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

/// A temp dir with `home/` and a git repository `home/src/proj` holding one
/// commit and an executable pre-commit hook.
struct Fixture {
    _tmp: tempfile::TempDir,
    home: PathBuf,
    proj: PathBuf,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().expect("tempdir");
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

fn lines_with<'a>(out: &'a str, prefix: &str) -> Vec<&'a str> {
    out.lines().filter(|l| l.starts_with(prefix)).collect()
}

// ---------------------------------------------------------------------------

#[test]
fn wrapper_sh_passes_shellcheck() {
    if !have("shellcheck", &["--version"]) {
        return;
    }
    let out = Command::new("shellcheck")
        .args(["--shell=bash", "--severity=style"])
        .arg(wrapper_sh())
        .arg(wrapper_rare_sh())
        .output()
        .expect("spawn shellcheck");
    assert!(out.status.success(), "{}", text(&out));
    // The probe, its runner and the benchmark too.
    let out = Command::new("shellcheck")
        .arg(repo().join("tests/probes/probe.sh"))
        .arg(repo().join("tests/probes/run.sh"))
        .arg(repo().join("scripts/bench-launch.sh"))
        .output()
        .expect("spawn shellcheck");
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn guard_refuses_home_root_and_ancestors_of_home_unless_allowed() {
    if !have("bash", &["-c", "true"]) {
        return;
    }
    let f = fixture();
    let parent = f.home.parent().unwrap().to_path_buf();
    for (cwd, what) in [
        (f.home.clone(), "your home directory"),
        (PathBuf::from("/"), "the root directory /"),
        (parent, "which contains your home directory"),
    ] {
        let out = host(&cwd, &f.home, "jailgen_guard_cwd", &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{cwd:?}: {}", text(&out));
        assert!(
            err.contains("refusing to start") && err.contains(what),
            "{cwd:?}: {err}"
        );
        assert!(
            err.contains("JAILGEN_ALLOW_CWD=1"),
            "the message says how to insist: {err}"
        );

        let out = host(
            &cwd,
            &f.home,
            "jailgen_guard_cwd",
            &[("JAILGEN_ALLOW_CWD", "1")],
        );
        assert!(out.status.success(), "override in {cwd:?}: {}", text(&out));
    }
    // A project inside $HOME is fine.
    let out = host(&f.proj, &f.home, "jailgen_guard_cwd", &[]);
    assert!(out.status.success(), "{}", text(&out));

    // $HOME given through a symlink: its real directory is refused too.
    let link = f.proj.parent().unwrap().join("home-link");
    symlink(&f.home, &link).unwrap();
    let out = host(&f.home, &link, "jailgen_guard_cwd", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[test]
fn ensure_dir_and_file_create_missing_paths_with_hostile_names() {
    if !have("bash", &["-c", "true"]) {
        return;
    }
    let f = fixture();
    let existing = f.home.join(".claude.json");
    fs::write(&existing, "{\"keep\": true}").unwrap();
    // Paths arrive expanded by bash, as the library writes them: ~/'rest'.
    let setup = r#"
jailgen_ensure_dir ~/'.claude' ~/'dir with space/and
newline' ~/'-leading-dash' ~/'.claude'
jailgen_ensure_file ~/'.claude.json' ~/'.config/new dir/state.json' ~/'$(touch pwned).json'
"#;
    let out = host(&f.proj, &f.home, setup, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(f.home.join(".claude").is_dir());
    assert!(f.home.join("dir with space/and\nnewline").is_dir());
    assert!(f.home.join("-leading-dash").is_dir());
    assert!(f.home.join(".config/new dir/state.json").is_file());
    assert!(f.home.join("$(touch pwned).json").is_file());
    assert!(!f.proj.join("pwned").exists() && !f.home.join("pwned").exists());
    assert_eq!(
        fs::read_to_string(&existing).unwrap(),
        "{\"keep\": true}",
        "an existing file is not truncated"
    );
}

const GIT_ATTACKS: &str = r#"
try() { if "$@" 2>/dev/null; then echo "WROTE: $*"; else echo "blocked: $*"; fi; }
try sh -c 'echo "touch /tmp/owned" > .git/hooks/post-checkout'
try sh -c 'echo evil >> .git/hooks/pre-commit'
try sh -c 'echo "[core] fsmonitor = evil" >> .git/config'
try git config core.hooksPath /tmp/evil
try mv .git .git-moved
try mv .git/hooks .git/hooks-moved
try rm -f .git/config
echo data > new-file
git add new-file
if git -c core.hooksPath=/nonexistent commit -q -m "from the jail"; then echo COMMIT_OK; else echo COMMIT_FAILED; fi
"#;

#[test]
fn git_protect_makes_hooks_and_config_read_only_and_commits_still_work() {
    if !have_bwrap() || !have("git", &["--version"]) {
        return;
    }
    let f = fixture();
    let config_before = fs::read(f.proj.join(".git/config")).unwrap();
    let out = jail(&f.proj, &f.home, "jailgen_protect_git protect", GIT_ATTACKS);
    let so = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    assert!(lines_with(&so, "WROTE").is_empty(), "{}", text(&out));
    assert_eq!(lines_with(&so, "blocked").len(), 7, "{}", text(&out));
    assert!(so.contains("COMMIT_OK"), "{}", text(&out));
    // The host sees the commit, and nothing planted.
    assert!(git(&f.proj, &["log", "--format=%s"]).starts_with("from the jail\n"));
    assert!(!f.proj.join(".git/hooks/post-checkout").exists());
    assert_eq!(
        fs::read_to_string(f.proj.join(".git/hooks/pre-commit")).unwrap(),
        "#!/bin/sh\nexit 0\n"
    );
    assert_eq!(fs::read(f.proj.join(".git/config")).unwrap(), config_before);
    assert!(f.proj.join(".git/HEAD").exists() && !f.proj.join(".git-moved").exists());
}

#[test]
fn git_open_leaves_hooks_writable_so_the_protect_test_can_fail() {
    if !have_bwrap() || !have("git", &["--version"]) {
        return;
    }
    let f = fixture();
    let out = jail(&f.proj, &f.home, "jailgen_protect_git open", GIT_ATTACKS);
    let so = String::from_utf8_lossy(&out.stdout);
    assert!(
        so.contains("WROTE: sh -c echo \"touch /tmp/owned\" > .git/hooks/post-checkout")
            && so.contains("WROTE: mv .git .git-moved"),
        "{}",
        text(&out)
    );
    assert!(f.proj.join(".git-moved/hooks/post-checkout").exists());
}

#[test]
fn git_protect_covers_a_hooks_path_inside_the_project_and_a_missing_hooks_dir() {
    if !have_bwrap() || !have("git", &["--version"]) {
        return;
    }
    let f = fixture();
    // husky-style hooks inside the working tree, and no .git/hooks at all.
    git(&f.proj, &["config", "core.hooksPath", ".husky/_"]);
    fs::remove_dir_all(f.proj.join(".git/hooks")).unwrap();
    let inside = r#"
for p in .husky/_/pre-commit .git/hooks/pre-commit; do
  if sh -c "echo evil > $p" 2>/dev/null; then echo "WROTE $p"; else echo "blocked $p"; fi
done
# Move the hooks directory's parent aside and plant a look-alike.
if mv .husky .husky-old 2>/dev/null; then echo "MOVED .husky"; else echo "blocked mv .husky"; fi
"#;
    let out = jail(&f.proj, &f.home, "jailgen_protect_git protect", inside);
    let so = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        so,
        "blocked .husky/_/pre-commit\nblocked .git/hooks/pre-commit\nblocked mv .husky\n",
        "{}",
        text(&out)
    );
    assert!(f.proj.join(".husky/_").is_dir() && f.proj.join(".git/hooks").is_dir());
}

#[test]
fn linked_worktree_commits_work_and_the_common_dir_is_protected() {
    if !have_bwrap() || !have("git", &["--version"]) {
        return;
    }
    let f = fixture();
    let wt = f.home.join("src/proj worktree 'quoted'");
    git(
        &f.proj,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "feature",
            wt.to_str().unwrap(),
        ],
    );
    let dotgit = fs::read_to_string(wt.join(".git")).unwrap();
    assert!(
        dotgit.starts_with("gitdir: "),
        "a linked worktree: {dotgit}"
    );

    let inside = r#"
try() { if "$@" 2>/dev/null; then echo "WROTE: $*"; else echo "blocked: $*"; fi; }
common=$(git rev-parse --git-common-dir)
try sh -c "echo evil > '$common/hooks/post-checkout'"
try sh -c "echo evil >> '$common/config'"
try sh -c 'echo "gitdir: /tmp/evil" > .git'
echo data > wt-file
git add wt-file
if git commit -q -m "worktree commit"; then echo COMMIT_OK; else echo COMMIT_FAILED; fi
"#;
    let out = jail(&wt, &f.home, "jailgen_protect_git protect", inside);
    let so = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    assert!(lines_with(&so, "WROTE").is_empty(), "{}", text(&out));
    assert_eq!(lines_with(&so, "blocked").len(), 3, "{}", text(&out));
    assert!(so.contains("COMMIT_OK"), "{}", text(&out));
    assert!(git(&f.proj, &["log", "--format=%s", "feature"]).starts_with("worktree commit\n"));
    assert!(!f.proj.join(".git/hooks/post-checkout").exists());
    assert_eq!(fs::read_to_string(wt.join(".git")).unwrap(), dotgit);

    // Without the runtime binds a linked worktree cannot commit at all: its
    // git dir lives outside the working directory.
    let commit_only = "echo more >> wt-file; git add wt-file; \
        if git commit -q -m again; then echo COMMIT_OK; else echo COMMIT_FAILED; fi";
    let out = jail(&wt, &f.home, "", commit_only);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("COMMIT_FAILED"),
        "{}",
        text(&out)
    );

    // open: the worktree still commits, and the hooks are writable.
    let open = format!(
        "{commit_only}; common=$(git rev-parse --git-common-dir); \
         if echo evil > \"$common/hooks/post-checkout\"; then echo HOOK_WRITTEN; fi"
    );
    let out = jail(&wt, &f.home, "jailgen_protect_git open", &open);
    let so = String::from_utf8_lossy(&out.stdout);
    assert_eq!(so, "COMMIT_OK\nHOOK_WRITTEN\n", "{}", text(&out));
}

#[test]
fn hide_masks_matching_files_and_directories_with_hostile_names() {
    if !have_bwrap() {
        return;
    }
    let f = fixture();
    let p = &f.proj;
    let secrets = [
        ".env",
        ".env.local",
        ".env.with space",
        ".env.new\nline",
        ".env.'quote\"",
        ".env.$(touch pwned)",
        "-rf",
        "sub/deep/.env",
        "dotslash-secret",
    ];
    for s in secrets {
        fs::create_dir_all(p.join(s).parent().unwrap()).unwrap();
        fs::write(p.join(s), "SECRET=1\n").unwrap();
    }
    fs::create_dir_all(p.join("secret dir/inner")).unwrap();
    fs::write(p.join("secret dir/inner/key"), "SECRET=1\n").unwrap();
    fs::write(p.join("real-secret"), "SECRET=1\n").unwrap();
    symlink("real-secret", p.join("link-to-secret")).unwrap();
    symlink("/etc/hostname", p.join("link-outside")).unwrap();
    // A directory symlink leading out of the project, with an .env behind it.
    let away = f.home.join("away");
    fs::create_dir_all(&away).unwrap();
    fs::write(away.join(".env"), "SECRET=1\n").unwrap();
    symlink(&away, p.join("linkdir")).unwrap();
    fs::write(p.join("visible.txt"), "fine\n").unwrap();

    let setup = r#"jailgen_hide .env '.env.*' '-*' '**/.env' 'secret dir' link-to-secret link-outside 'no-match-*' 'missing' ./dotslash-secret 'linkdir/.env'"#;
    let inside = r#"
for f in .env .env.* -rf sub/deep/.env real-secret link-to-secret dotslash-secret; do
  if grep -q SECRET -- "$f" 2>/dev/null; then echo "READ: $f"; fi
  if sh -c 'echo x >> "$1"' _ "$f" 2>/dev/null; then echo "WROTE: $f"; fi
done
if [ -n "$(ls -A 'secret dir')" ]; then echo "LISTED: secret dir"; fi
if touch 'secret dir/new' 2>/dev/null; then echo "WROTE: secret dir/new"; fi
cat visible.txt
echo done
"#;
    let out = jail(p, &f.home, setup, inside);
    let so = String::from_utf8_lossy(&out.stdout);
    let se = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(so, "fine\ndone\n", "{}", text(&out));
    assert!(se.contains("not hiding `link-outside`"), "{}", text(&out));
    assert!(se.contains("not hiding `linkdir/.env`"), "{}", text(&out));
    // Nothing ran, nothing changed on the host.
    assert!(!p.join("pwned").exists());
    for s in secrets {
        assert_eq!(
            fs::read_to_string(p.join(s)).unwrap(),
            "SECRET=1\n",
            "{s:?}"
        );
    }
    assert!(!p.join("missing").exists() && !p.join("secret dir/new").exists());

    // The same jail without hide reads them (so the test above can fail).
    let out = jail(p, &f.home, "", inside);
    let so = String::from_utf8_lossy(&out.stdout);
    assert!(
        so.contains("READ: .env\n") && so.contains("LISTED"),
        "{}",
        text(&out)
    );
}

#[test]
fn hide_rejects_patterns_leaving_the_working_directory() {
    if !have("bash", &["-c", "true"]) {
        return;
    }
    let f = fixture();
    for bad in ["../x", "/etc/passwd", "a/../../b", ""] {
        let setup = format!("jailgen_hide '{bad}'");
        let out = host(&f.proj, &f.home, &setup, &[]);
        assert_eq!(out.status.code(), Some(1), "{bad:?}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("must be relative"),
            "{}",
            text(&out)
        );
    }
}

#[test]
fn hide_leaves_the_callers_glob_options_as_they_were() {
    if !have("bash", &["-c", "true"]) {
        return;
    }
    let f = fixture();
    let setup = "shopt -s nullglob; set -f; jailgen_hide .env; shopt -p nullglob dotglob globstar >&2 || true; echo \"$-\" >&2";
    let out = host(&f.proj, &f.home, setup, &[]);
    let se = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        se.starts_with("shopt -s nullglob\nshopt -u dotglob\nshopt -u globstar\n"),
        "{se}"
    );
    assert!(
        se.lines().nth(3).is_some_and(|flags| flags.contains('f')),
        "{se}"
    );
}

// --- seccomp ---------------------------------------------------------------

fn cc(src: &Path, out: &Path, libs: &[&str]) {
    let o = Command::new("gcc")
        .args(["-O2", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(out)
        .arg(src)
        .args(libs)
        .output()
        .expect("spawn gcc");
    assert!(o.status.success(), "gcc {src:?}: {}", text(&o));
}

#[test]
fn seccomp_filter_blocks_tiocsti_and_tioclinux_but_not_what_tuis_need() {
    if !have_bwrap() || !have("gcc", &["--version"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let gen_bin = tmp.path().join("tiocsti-filter");
    let probe = tmp.path().join("ttyprobe");
    let bpf = tmp.path().join("filter.bpf");
    cc(
        &repo().join("nix/runtime/seccomp/tiocsti-filter.c"),
        &gen_bin,
        &["-lseccomp"],
    );
    cc(&repo().join("tests/runtime/ttyprobe.c"), &probe, &[]);
    let o = Command::new(&gen_bin).arg(&bpf).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let len = fs::metadata(&bpf).unwrap().len();
    assert!(
        len > 0 && len.is_multiple_of(8),
        "a BPF program is a list of 8-byte instructions: {len}"
    );

    // ttyprobe runs bwrap on a fresh pty (its controlling terminal), the
    // prober inside tries the ioctls, then ttyprobe reads the terminal's
    // input queue: what the user's shell would run next.
    let run = |seccomp: bool| -> String {
        let script = format!(
            "{MIN_ROOT}\nexec bwrap \"${{root[@]}}\" --ro-bind \"$1\" /probe {} -- /probe inject {}",
            if seccomp { "--seccomp 9" } else { "" },
            if seccomp { "9<\"$2\"" } else { "" }
        );
        let o = Command::new(&probe)
            .args(["run", "bash", "-c", &script, "seccomp"])
            .arg(&probe)
            .arg(&bpf)
            .env("HOME", tmp.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        let so = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(so.contains("\nexit=0\n"), "the prober ran: {so}");
        so
    };

    let open = run(false);
    let legacy = fs::read_to_string("/proc/sys/dev/tty/legacy_tiocsti").unwrap_or_default();
    if legacy.trim() == "0" {
        // The kernel itself refuses (EIO); the filter's EPERM is still distinct.
        loud!("note: dev.tty.legacy_tiocsti=0 here, so the unfiltered control cannot inject");
        assert!(open.contains("tiocsti=EIO\n"), "{open}");
    } else {
        assert!(
            open.contains("tiocsti=ok\n"),
            "control: TIOCSTI works unfiltered: {open}"
        );
        assert!(
            open.contains("input-queue=69640a"),
            "control: `id\\n` reached the terminal: {open}"
        );
    }

    let blocked = run(true);
    for want in [
        "tiocsti=EPERM\n",
        "tiocsti_high_bits=EPERM\n",
        "tioclinux=EPERM\n",
        "tiocgwinsz=ok 33x101\n",
        "tcgetattr=ok\n",
        "tcsetattr=ok\n",
        "\ninput-queue=\n",
    ] {
        assert!(blocked.contains(want), "missing {want:?} in:\n{blocked}");
    }
}

// --- the library's whole wrapper, and the security probes -------------------

fn have_nix() -> bool {
    have("nix-instantiate", &["--version"])
}

fn have_probe_tools() -> bool {
    have_bwrap()
        && have_nix()
        && have("gcc", &["--version"])
        && have("git", &["--version"])
        && have("python3", &["--version"])
}

/// The real jail.nix checkout named by JAILGEN_JAIL_NIX, or None after a loud skip (a failure
/// under CI=true or JAILGEN_REQUIRE_NIX=1). `.ci/run` sets it from ../shared/upstream.
fn real_jail_nix(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("JAILGEN_JAIL_NIX")
        .map(PathBuf::from)
        .filter(|d| d.join("default.nix").is_file());
    if dir.is_none() {
        assert!(
            !strict(),
            "{test}: needs JAILGEN_JAIL_NIX=<a jail.nix checkout> (CI=true or JAILGEN_REQUIRE_NIX=1)"
        );
        loud!(
            "SKIPPED {test}: needs JAILGEN_JAIL_NIX=<a jail.nix checkout> \
             (eval \"$(bash ../shared/upstream/unpack.sh DIR)\")"
        );
    }
    dir
}

fn preset_names() -> Vec<String> {
    let json = fs::read_to_string(repo().join("nix/lib/agents.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<String> = v
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, p)| p.get("builder").is_some())
        .map(|(k, _)| k.clone())
        .collect();
    assert!(names.len() >= 10, "presets: {names:?}");
    names
}

fn probe_run(args: &[&str]) -> (bool, String) {
    let out = Command::new("bash")
        .arg(repo().join("tests/probes/run.sh"))
        .args(args)
        .env_remove("JAILGEN_JAIL_NIX")
        .output()
        .expect("spawn run.sh");
    let so = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "run.sh {args:?} setup failed: {}",
        text(&out)
    );
    (out.status.success(), so)
}

/// Every probe PASS, and every probe present (a probe that silently did not
/// run must not count).
fn assert_all_pass(args: &[&str], network: bool) {
    let (ok, so) = probe_run(args);
    let passes = lines_with(&so, "PASS ").len();
    assert!(
        ok && lines_with(&so, "FAIL").is_empty(),
        "run.sh {args:?}:\n{so}"
    );
    let want = if network { 11 + 3 } else { 12 + 3 };
    assert_eq!(
        passes, want,
        "run.sh {args:?}: expected {want} PASS lines:\n{so}"
    );
    eprintln!("{so}");
}

#[test]
fn probes_all_pass_in_every_presets_default_jail_with_the_jail_nix_double() {
    if !have_probe_tools() {
        return;
    }
    for preset in preset_names() {
        assert_all_pass(&["--preset", &preset, "--network", "false"], false);
    }
    assert_all_pass(&["--preset", "claude-code", "--network", "true"], true);
}

#[test]
fn probes_all_pass_in_every_presets_default_jail_with_real_jail_nix() {
    let Some(jail_nix) =
        real_jail_nix("probes_all_pass_in_every_presets_default_jail_with_real_jail_nix")
    else {
        return;
    };
    if !have_probe_tools() {
        return;
    }
    let jn = jail_nix.to_str().unwrap();
    for preset in preset_names() {
        assert_all_pass(
            &["--preset", &preset, "--network", "false", "--jail-nix", jn],
            false,
        );
    }
    assert_all_pass(&["--network", "true", "--jail-nix", jn], true);
}

#[test]
fn probes_detect_the_leaks_of_a_weaker_jail_and_of_no_jail() {
    if !have_probe_tools() {
        return;
    }
    // jail.nix with jailed-agents' policy: the holes issue 6 describes.
    let (ok, so) = probe_run(&["--policy", "jailed-agents"]);
    assert!(!ok, "{so}");
    for probe in [
        "TIOCSTI",
        "write .git/hooks",
        "write .git/config",
        "replace .git",
        "read .env",
    ] {
        assert!(so.contains(&format!("FAIL {probe}:")), "{probe}:\n{so}");
    }
    assert!(
        so.contains("PASS home secrets:") && so.contains("PASS loopback:"),
        "{so}"
    );
    // No sandbox: every probe fails.
    let (ok, so) = probe_run(&["--policy", "none"]);
    assert!(
        !ok && lines_with(&so, "PASS ").len() == 1,
        "only the host process survives:\n{so}"
    );
    assert_eq!(lines_with(&so, "FAIL ").len(), 12 + 2, "{so}");
}

/// A Nix string literal for `s` (test input only).
fn nix_lit(s: &str) -> String {
    let body = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("${", "\\${")
        .replace('\n', "\\n");
    format!("\"{body}\"")
}

/// The wrapper text of `makeJailedClaudeCode { pkg = bash; <args> }`, evaluated
/// from the library with the harness in host mode, written to `dir/wrapper`.
fn library_wrapper(dir: &Path, args: &str, filter: &Path, jail_nix: Option<&Path>) -> PathBuf {
    let harness = repo().join("nix/tests/harness.nix");
    let jail_nix = jail_nix.map_or("null".to_string(), |p| nix_lit(p.to_str().unwrap()));
    let expr = format!(
        "let h = import {harness} {{ host = true; seccompFilter = {filter}; jailNix = {jail_nix}; }};
             bash = {{ type = \"derivation\"; name = \"bash\"; outPath = \"/usr\"; meta.mainProgram = \"bash\"; }};
         in (h.jailgen.makeJailedClaudeCode ({{ pkg = bash; }} // {args})).text",
        harness = nix_lit(harness.to_str().unwrap()),
        filter = nix_lit(filter.to_str().unwrap()),
    );
    let out = Command::new("nix-instantiate")
        // --read-write-mode: the wrapper's rare runtime file must really exist in the store.
        .args([
            "--eval",
            "--read-write-mode",
            "--strict",
            "--json",
            "-E",
            &expr,
        ])
        .output()
        .expect("spawn nix-instantiate");
    assert!(out.status.success(), "{expr}\n{}", text(&out));
    let script: String = serde_json::from_slice(&out.stdout).expect("a JSON string");
    let path = dir.join("wrapper");
    fs::write(&path, script).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn filter_bpf(dir: &Path) -> PathBuf {
    let gen_bin = dir.join("tiocsti-filter");
    let bpf = dir.join("filter.bpf");
    cc(
        &repo().join("nix/runtime/seccomp/tiocsti-filter.c"),
        &gen_bin,
        &["-lseccomp"],
    );
    let o = Command::new(&gen_bin).arg(&bpf).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    bpf
}

fn run_wrapper(wrapper: &Path, cwd: &Path, home: &Path, script: &str) -> Output {
    run_wrapper_with(wrapper, cwd, home, script, &[])
}

/// [`run_wrapper`] with extra environment variables.
fn run_wrapper_with(
    wrapper: &Path,
    cwd: &Path,
    home: &Path,
    script: &str,
    extra: &[(&str, &str)],
) -> Output {
    Command::new(wrapper)
        .args(["-c", script])
        .current_dir(cwd)
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "dumb")
        .env("PWD", cwd)
        .envs(extra.iter().copied())
        .output()
        .expect("spawn the wrapper")
}

fn library_wrapper_case(jail_nix: Option<&Path>) {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let bpf = filter_bpf(tmp.path());
    let hostile = [
        ".env",
        "it's \"secret\"*",
        "-dash",
        "$(touch pwned)",
        "back\\slash",
        "**/.env",
    ];
    for name in [
        ".env",
        "it's \"secret\" 1",
        "-dash",
        "$(touch pwned)",
        "back\\slash",
        "sub/.env",
    ] {
        fs::create_dir_all(f.proj.join(name).parent().unwrap()).unwrap();
        fs::write(f.proj.join(name), "SECRET=1\n").unwrap();
    }
    let hide = hostile
        .iter()
        .map(|h| nix_lit(h))
        .collect::<Vec<_>>()
        .join(" ");
    let args = format!(
        "{{ hide = [ {hide} ]; extraConfigPaths = [ {} {} ]; }}",
        nix_lit("~/state dir/it's"),
        nix_lit("~/.config/-odd/$(x).json")
    );
    let wrapper = library_wrapper(tmp.path(), &args, &bpf, jail_nix);
    let inside = r#"
for f in .env "it's \"secret\" 1" -dash '$(touch pwned)' 'back\slash' sub/.env; do
  if grep -q SECRET -- "$f" 2>/dev/null; then echo "READ $f"; fi
done
for p in .git/hooks/x .git/config; do
  if sh -c 'echo x >> "$1"' _ "$p" 2>/dev/null; then echo "WROTE $p"; fi
done
echo s > ~/"state dir/it's/file" && echo STATE_DIR_OK
echo '{}' > ~/'.config/-odd/$(x).json' && echo STATE_FILE_OK
echo data > new && git add new && git -c user.name=t -c user.email=t@example.org commit -q -m jailed && echo COMMIT_OK
"#;
    let out = run_wrapper(&wrapper, &f.proj, &f.home, inside);
    let so = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        so,
        "STATE_DIR_OK\nSTATE_FILE_OK\nCOMMIT_OK\n",
        "{}",
        text(&out)
    );
    assert!(!f.proj.join("pwned").exists() && !f.home.join("pwned").exists());
    assert!(
        f.home.join("state dir/it's/file").is_file(),
        "rw state reached the host"
    );
    assert!(f.home.join(".config/-odd/$(x).json").is_file());

    // The guard is wired in: from $HOME the wrapper refuses before bwrap.
    let out = run_wrapper(&wrapper, &f.home, &f.home, "echo RAN");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("refusing to start"),
        "{}",
        text(&out)
    );
}

#[test]
fn library_wrapper_runs_with_real_bwrap_and_hostile_names_with_the_jail_nix_double() {
    if !have_bwrap() || !have_nix() || !have("gcc", &["--version"]) || !have("git", &["--version"])
    {
        return;
    }
    library_wrapper_case(None);
}

#[test]
fn library_wrapper_runs_with_real_bwrap_and_hostile_names_with_real_jail_nix() {
    let Some(jail_nix) =
        real_jail_nix("library_wrapper_runs_with_real_bwrap_and_hostile_names_with_real_jail_nix")
    else {
        return;
    };
    if !(have_bwrap() && have_nix() && have("gcc", &["--version"]) && have("git", &["--version"])) {
        return;
    }
    library_wrapper_case(Some(&jail_nix));
}

#[test]
fn time_zone_binds_like_jail_nix_and_reuses_a_validated_cache() {
    if !have_bwrap() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    fs::create_dir_all(t.join("zones")).unwrap();
    fs::create_dir_all(t.join("home")).unwrap();
    fs::write(t.join("zones/Berlin"), "TZif-berlin").unwrap();
    fs::write(t.join("zones/Paris"), "TZif-paris").unwrap();
    symlink("Berlin", t.join("zones/Alias")).unwrap();
    // bash in a small bwrap where /etc/localtime is a symlink we choose; it
    // prints RUNTIME_ARGS one per line.
    let run = |zone: &str, path: &str| -> String {
        let script = format!(
            "{MIN_ROOT}\nexec bwrap \"${{root[@]}}\" --bind \"$1\" \"$1\" --symlink \"$1/zones/{zone}\" /etc/localtime \
             --ro-bind \"$2\" /wrapper.sh --ro-bind \"$3\" /wrapper-rare.sh --setenv _jailgen_rare_file /wrapper-rare.sh \
             --setenv PATH {path} -- /usr/bin/bash -c 'set -euo pipefail; RUNTIME_ARGS=(); \
             source /wrapper.sh; jailgen_time_zone; \
             if [[ ${{RUNTIME_ARGS[0]-}} == --ro-bind-fd ]]; then fd=${{RUNTIME_ARGS[1]}}; RUNTIME_ARGS[1]=FD; \
             for z in \"$0\"/zones/*; do [[ -L $z ]] || ! [[ /proc/self/fd/$fd -ef $z ]] || RUNTIME_ARGS+=(\"fd-> $z\"); done; fi; \
             printf \"%s\\n\" \"${{RUNTIME_ARGS[@]}}\"' \"$1\""
        );
        let o = Command::new("bash")
            .args(["-c", &script, "tz"])
            .arg(t)
            .arg(wrapper_sh())
            .arg(wrapper_rare_sh())
            .env("HOME", t.join("home"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let z = |name: &str| t.join("zones").join(name).to_str().unwrap().to_string();
    let expect = |real: &str, link: &str| {
        // The real file is bound through an fd opened on it: the fd names it.
        format!("--ro-bind-fd\nFD\n{link}\n--symlink\n{link}\n/etc/localtime\nfd-> {real}\n")
    };
    let cache = t.join("home/.cache/jailgen/localtime");
    let nothing = "\n"; // printf of an empty array

    // First launch computes (realpath/readlink from PATH) and caches.
    assert_eq!(
        run("Berlin", "/usr/bin:/bin"),
        expect(&z("Berlin"), &z("Berlin"))
    );
    assert_eq!(
        fs::read_to_string(&cache).unwrap(),
        format!("{}\n{}\n", z("Berlin"), z("Berlin"))
    );
    // Second launch: no tools on PATH, so this only works from the cache.
    assert_eq!(
        run("Berlin", "/nonexistent"),
        expect(&z("Berlin"), &z("Berlin"))
    );
    // The time zone changed: the stale cache is not used (without tools: nothing bound) ...
    assert_eq!(run("Paris", "/nonexistent"), nothing);
    // ... and with tools it is recomputed.
    assert_eq!(
        run("Paris", "/usr/bin:/bin"),
        expect(&z("Paris"), &z("Paris"))
    );
    // A link through another symlink: bound at the link's own path, as jail.nix does.
    assert_eq!(
        run("Alias", "/usr/bin:/bin"),
        expect(&z("Berlin"), &z("Alias"))
    );
    // A tampered cache naming another file is ignored.
    fs::write(&cache, "/etc/passwd\n/etc/passwd\n").unwrap();
    assert_eq!(run("Paris", "/nonexistent"), nothing);
    fs::write(&cache, format!("{}\n/tmp/elsewhere\n", z("Paris"))).unwrap();
    assert_eq!(run("Paris", "/nonexistent"), nothing);
    // A cache swapped for a symlink is replaced, never written through.
    let precious = t.join("home/precious");
    fs::write(&precious, "keep me\n").unwrap();
    fs::remove_file(&cache).unwrap();
    symlink(&precious, &cache).unwrap();
    assert_eq!(
        run("Paris", "/usr/bin:/bin"),
        expect(&z("Paris"), &z("Paris"))
    );
    assert_eq!(fs::read_to_string(&precious).unwrap(), "keep me\n");
    assert!(!cache.is_symlink());
}

#[test]
fn a_planted_dot_git_file_cannot_make_the_next_launch_bind_other_host_directories() {
    if !have_bwrap() || !have("git", &["--version"]) {
        return;
    }
    let f = fixture();
    // Host things the jail must never see.
    fs::create_dir_all(f.home.join(".ssh")).unwrap();
    fs::write(f.home.join(".ssh/id_ed25519"), "PRIVATE").unwrap();
    let other = f.home.join("src/other");
    fs::create_dir_all(&other).unwrap();
    git(&other, &["init", "-q", "-b", "main"]);
    git(&other, &["commit", "-q", "--allow-empty", "-m", "other"]);
    let other_wt = f.home.join("src/other-wt");
    git(
        &other,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "w",
            other_wt.to_str().unwrap(),
        ],
    );
    let entry = other.join(".git/worktrees/other-wt");
    assert!(
        entry.join("HEAD").is_file(),
        "a real worktree entry of another repository"
    );

    // An earlier session wrote a .git file into a project directory.
    let planted = f.home.join("src/planted");
    fs::create_dir_all(&planted).unwrap();
    let inside = r#"
for d in "$HOME/.ssh" "$HOME/src/other/.git" "$HOME/src/other/.git/worktrees/other-wt"; do
  if ls -A "$d" >/dev/null 2>&1; then echo "VISIBLE $d"; fi
done
echo done
"#;
    for target in [
        f.home.join(".ssh"), // no git dir at all
        other.join(".git"),  // a repository, not a worktree entry
        entry.clone(),       // a real entry, but it points back to other-wt
    ] {
        fs::write(
            planted.join(".git"),
            format!("gitdir: {}\n", target.display()),
        )
        .unwrap();
        for mode in ["protect", "open"] {
            let out = jail(
                &planted,
                &f.home,
                &format!("jailgen_protect_git {mode}"),
                inside,
            );
            assert!(out.status.success(), "{}", text(&out));
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                "done\n",
                "{target:?} {mode}: {}",
                text(&out)
            );
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("not binding it"),
                "{}",
                text(&out)
            );
        }
    }
}

#[test]
fn git_protect_covers_config_includes_in_the_project_and_never_creates_outside_it() {
    if !have_bwrap() || !have("git", &["--version"]) {
        return;
    }
    let f = fixture();
    // An include in the working tree (relative to .git/), one missing, and a
    // hooksPath through a symlink that leads out of the project.
    git(&f.proj, &["config", "include.path", "../shared.gitconfig"]);
    git(
        &f.proj,
        &["config", "--add", "include.path", "../missing.gitconfig"],
    );
    fs::write(f.proj.join("shared.gitconfig"), "[user]\n\tname = t\n").unwrap();
    let outside = f.home.join("outside");
    fs::create_dir_all(&outside).unwrap();
    symlink(&outside, f.proj.join("linkout")).unwrap();
    git(&f.proj, &["config", "core.hooksPath", "linkout/hooks"]);
    let inside = r#"
for p in shared.gitconfig missing.gitconfig; do
  if sh -c "echo '[core] fsmonitor = evil' >> $p" 2>/dev/null; then echo "WROTE $p"; else echo "blocked $p"; fi
done
"#;
    let out = jail(&f.proj, &f.home, "jailgen_protect_git protect", inside);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "blocked shared.gitconfig\nblocked missing.gitconfig\n",
        "{}",
        text(&out)
    );
    assert_eq!(
        fs::read_to_string(f.proj.join("shared.gitconfig")).unwrap(),
        "[user]\n\tname = t\n"
    );
    assert!(
        !outside.join("hooks").exists(),
        "nothing created through the symlink"
    );
}

#[test]
fn git_protect_pins_submodule_and_worktree_entries_so_they_cannot_be_swapped() {
    if !have_bwrap() || !have("git", &["--version"]) {
        return;
    }
    let f = fixture();
    let lib = f.home.join("src/lib");
    fs::create_dir_all(&lib).unwrap();
    git(&lib, &["init", "-q", "-b", "main"]);
    git(&lib, &["commit", "-q", "--allow-empty", "-m", "lib"]);
    git(
        &f.proj,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            lib.to_str().unwrap(),
            "vendor/lib",
        ],
    );
    let wt = f.home.join("src/proj-wt");
    git(
        &f.proj,
        &["worktree", "add", "-q", "-b", "wt", wt.to_str().unwrap()],
    );
    let modules = f.proj.join(".git/modules");
    assert!(
        modules.join("vendor/lib/HEAD").is_file(),
        "submodule git dir"
    );
    let inside = r#"
try() { if "$@" 2>/dev/null; then echo "DID: $*"; else echo "blocked: $*"; fi; }
try sh -c 'echo evil > .git/modules/vendor/lib/hooks/post-checkout'
try sh -c 'echo evil >> .git/modules/vendor/lib/config'
try mv .git/modules .git/modules-old
try mv .git/modules/vendor .git/modules/vendor-old
try mv .git/modules/vendor/lib .git/modules/vendor/lib-old
try mv .git/worktrees .git/worktrees-old
try mv .git/worktrees/proj-wt .git/worktrees/proj-wt-old
try sh -c 'echo /tmp/evil > .git/worktrees/proj-wt/commondir'
try sh -c 'echo "gitdir: ../../planted" > vendor/lib/.git'
try mv vendor vendor-old
"#;
    let out = jail(&f.proj, &f.home, "jailgen_protect_git protect", inside);
    let so = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    assert!(lines_with(&so, "DID").is_empty(), "{}", text(&out));
    assert_eq!(lines_with(&so, "blocked").len(), 10, "{}", text(&out));
    // And the same moves succeed with git open, so this test can fail.
    let out = jail(
        &f.proj,
        &f.home,
        "jailgen_protect_git open",
        "mv .git/modules .git/modules-old && echo MOVED",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "MOVED\n",
        "{}",
        text(&out)
    );
}

#[test]
fn hide_masks_thousands_of_files_and_works_without_a_cache_dir() {
    if !have_bwrap() {
        return;
    }
    let f = fixture();
    for i in 0..1500 {
        fs::write(f.proj.join(format!(".env.{i}")), "SECRET=1\n").unwrap();
    }
    let inside = "cat .env.* | grep -c SECRET || true";
    // More matches than a process has file descriptors by default (1024).
    let out = jail(
        &f.proj,
        &f.home,
        "ulimit -n 1024; jailgen_hide '.env.*'",
        inside,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "0\n",
        "{}",
        text(&out)
    );
    let empty = f.home.join(".cache/jailgen/empty");
    assert_eq!(
        fs::read(&empty).unwrap(),
        b"",
        "the shared mask stays empty"
    );

    // No usable ~/.cache: one fd per file instead, still masked.
    fs::remove_dir_all(f.home.join(".cache")).unwrap();
    fs::write(f.home.join(".cache"), "not a directory").unwrap();
    for i in 10..1500 {
        fs::remove_file(f.proj.join(format!(".env.{i}"))).unwrap();
    }
    let out = jail(&f.proj, &f.home, "jailgen_hide '.env.*'", inside);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "0\n",
        "{}",
        text(&out)
    );
    // A cache file someone wrote into is emptied before use.
    fs::remove_file(f.home.join(".cache")).unwrap();
    fs::create_dir_all(empty.parent().unwrap()).unwrap();
    fs::write(&empty, "SECRET=planted\n").unwrap();
    let out = jail(&f.proj, &f.home, "jailgen_hide '.env.*'", inside);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "0\n",
        "{}",
        text(&out)
    );
    assert_eq!(fs::read(&empty).unwrap(), b"");
    // Swapped for a symlink to a host file: the link goes, its target stays.
    let precious = f.home.join("precious");
    fs::write(&precious, "keep me\n").unwrap();
    fs::remove_file(&empty).unwrap();
    symlink(&precious, &empty).unwrap();
    let out = jail(&f.proj, &f.home, "jailgen_hide '.env.*'", inside);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "0\n",
        "{}",
        text(&out)
    );
    assert_eq!(fs::read_to_string(&precious).unwrap(), "keep me\n");
    assert!(!empty.is_symlink() && fs::read(&empty).unwrap().is_empty());
}

// --- red-team regressions (issue 6 follow-up, /tmp/redteam/REPORT.md) --------

/// F1: a symlink planted in `.git` by an earlier session (relative, so that it
/// resolves to the host's home as a bind source and to the jail's tmpfs home
/// as a destination) must never be bound: the next launch refuses to start,
/// naming the file, and the host home stays unreadable.
#[test]
fn a_symlink_planted_in_dot_git_is_never_bound_and_the_next_launch_refuses() {
    if !have_bwrap() || !have("git", &["--version"]) {
        return;
    }
    // .git is home/src/proj/.git: `../../..` from there is the home directory.
    let planted: &[(&str, &str)] = &[
        ("commondir", "../../.."),
        ("gitdir", "../../.."),
        ("config.worktree", "../../.."),
        ("hooks", "../../.."),
        ("modules/m/hooks", "../../../../.."),
        ("modules/m/commondir", "../../../../.."),
        ("worktrees/w/gitdir", "../../../../.."),
        ("worktrees/w/config.worktree", "../../../../.."),
    ];
    for &(file, target) in planted {
        let f = fixture();
        fs::create_dir_all(f.home.join(".ssh")).unwrap();
        fs::write(f.home.join(".ssh/id_rsa"), "PRIVKEY\n").unwrap();
        let gd = f.proj.join(".git");
        let link = gd.join(file);
        let parent = link.parent().unwrap();
        if parent != gd {
            fs::create_dir_all(parent).unwrap();
            fs::write(parent.join("HEAD"), "ref: refs/heads/x\n").unwrap();
        }
        if link.exists() {
            if link.is_dir() {
                fs::remove_dir_all(&link).unwrap();
            } else {
                fs::remove_file(&link).unwrap();
            }
        }
        symlink(target, &link).unwrap();
        if file == "config.worktree" {
            git(&f.proj, &["config", "extensions.worktreeConfig", "true"]);
        }
        for mode in ["protect", "open"] {
            let out = jail(
                &f.proj,
                &f.home,
                &format!("jailgen_protect_git {mode}"),
                "cat ~/.ssh/id_rsa 2>/dev/null || echo unreadable",
            );
            let so = String::from_utf8_lossy(&out.stdout);
            let se = String::from_utf8_lossy(&out.stderr);
            assert!(!so.contains("PRIVKEY"), "{file} {mode}: {}", text(&out));
            if mode == "protect" {
                assert_eq!(out.status.code(), Some(1), "{file} {mode}: {}", text(&out));
                assert!(
                    se.contains("refusing to start")
                        && se.contains(&format!("{}", link.display()))
                        && se.contains("is a symlink"),
                    "{file}: the message names the file: {se}"
                );
            }
        }
    }
}

/// F9: the host side never creates a file or directory through a symlink the
/// agent may have planted: a dangling state-file link, a dangling
/// config.worktree in a submodule git dir, a symlinked ~/.cache/jailgen (mask
/// file and time-zone cache).
#[test]
fn the_host_side_never_creates_files_through_a_planted_symlink() {
    if !have_bwrap() || !have("git", &["--version"]) {
        return;
    }
    let f = fixture();
    let victim_dir = f.home.join("victim");
    fs::create_dir_all(&victim_dir).unwrap();
    // A dangling state file (e.g. ~/.agent/state.json inside a rw grant).
    fs::create_dir_all(f.home.join(".agent")).unwrap();
    symlink(
        victim_dir.join("made-by-ensure"),
        f.home.join(".agent/state.json"),
    )
    .unwrap();
    let out = host(
        &f.proj,
        &f.home,
        "jailgen_ensure_file ~/.agent/state.json",
        &[],
    );
    assert!(
        !victim_dir.join("made-by-ensure").exists(),
        "created through the link: {}",
        text(&out)
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is a symlink"),
        "{}",
        text(&out)
    );

    // A dangling config.worktree in a submodule git dir the agent wrote.
    let m = f.proj.join(".git/modules/m");
    fs::create_dir_all(&m).unwrap();
    fs::write(m.join("HEAD"), "ref: refs/heads/x\n").unwrap();
    fs::write(m.join("config"), "[extensions]\n\tworktreeConfig = true\n").unwrap();
    symlink(victim_dir.join("made-by-git"), m.join("config.worktree")).unwrap();
    let out = host(&f.proj, &f.home, "jailgen_protect_git protect", &[]);
    assert!(
        !victim_dir.join("made-by-git").exists(),
        "created through the link: {}",
        text(&out)
    );
    fs::remove_dir_all(&m).unwrap();

    // ~/.cache/jailgen swapped for a link (a jail with ~/.cache read-write).
    fs::create_dir_all(f.home.join(".cache")).unwrap();
    symlink(&victim_dir, f.home.join(".cache/jailgen")).unwrap();
    fs::write(f.proj.join(".env"), "SECRET=1\n").unwrap();
    let out = jail(&f.proj, &f.home, "jailgen_hide .env", "cat .env; echo end");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "end\n",
        "{}",
        text(&out)
    );
    assert!(
        fs::read_dir(&victim_dir).unwrap().next().is_none(),
        "nothing created in the link's target: {}",
        text(&out)
    );
}

/// A library wrapper (jail.nix double, host mode: real bash, real bwrap) for
/// makeJailedClaudeCode with `args`, in `dir`.
fn lib_wrapper(dir: &Path, args: &str) -> PathBuf {
    let bpf = filter_bpf(dir);
    library_wrapper(dir, args, &bpf, None)
}

fn have_library_tools() -> bool {
    have_bwrap() && have_nix() && have("gcc", &["--version"]) && have("git", &["--version"])
}

fn plant_ssh_key(home: &Path) {
    fs::create_dir_all(home.join(".ssh")).unwrap();
    fs::write(home.join(".ssh/id_rsa"), "PRIVKEY\n").unwrap();
}

/// F3: a grant nested two levels under a read-write grant. Session 1 renames
/// the intermediate directory (not a mount point) and plants a symlink where
/// the nested grant was; session 2 must refuse to start instead of binding
/// the host home (read-only for a nested readonly, read-write for a nested
/// readwrite).
#[test]
fn a_nested_grant_redirected_by_a_planted_symlink_refuses_to_start() {
    if !have_library_tools() {
        return;
    }
    let f = fixture();
    plant_ssh_key(&f.home);
    fs::write(f.home.join(".bashrc"), "# host bashrc\n").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for (args, root, attack) in [
        (
            r#"{ extraReadwriteDirs = [ "~/work" ]; extraReadonlyDirs = [ "~/work/a/ref" ]; }"#,
            "work",
            "cat ~/.ssh/id_rsa",
        ),
        (
            r#"{ extraReadwriteDirs = [ "~/work2" "~/work2/a/cache" ]; }"#,
            "work2",
            "echo '# written by the jailed agent' >> ~/.bashrc; cat ~/.ssh/id_rsa",
        ),
    ] {
        let nested = if root == "work" { "a/ref" } else { "a/cache" };
        fs::create_dir_all(f.home.join(root).join(nested)).unwrap();
        let wrapper = lib_wrapper(tmp.path(), args);
        let plant = format!(
            "mv ~/{root}/a ~/{root}/a.orig && mkdir ~/{root}/a && ln -s ../.. ~/{root}/{nested} && echo PLANTED"
        );
        let out = run_wrapper(&wrapper, &f.proj, &f.home, &plant);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "PLANTED\n",
            "{}",
            text(&out)
        );
        let out = run_wrapper(&wrapper, &f.proj, &f.home, attack);
        let se = String::from_utf8_lossy(&out.stderr);
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("PRIVKEY"),
            "{args}: {}",
            text(&out)
        );
        assert_eq!(
            fs::read_to_string(f.home.join(".bashrc")).unwrap(),
            "# host bashrc\n",
            "{args}: {}",
            text(&out)
        );
        assert_eq!(out.status.code(), Some(1), "{args}: {}", text(&out));
        assert!(
            se.contains("refusing to start")
                && se.contains(&format!("`{}/{root}/{nested}`", f.home.display()))
                && se.contains("is a symlink"),
            "{args}: {se}"
        );
    }
}

/// F14: a readonly grant inside the working directory stays read-only (the
/// working-directory bind would otherwise shadow it), and one reached through
/// a symlink planted inside the working directory refuses to start.
#[test]
fn readonly_grants_inside_the_working_directory_stay_read_only() {
    if !have_library_tools() {
        return;
    }
    let f = fixture();
    plant_ssh_key(&f.home);
    fs::create_dir_all(f.proj.join("vendor")).unwrap();
    fs::write(f.proj.join("vendor/lib.txt"), "upstream\n").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let wrapper = lib_wrapper(
        tmp.path(),
        r#"{ extraReadonlyDirs = [ "~/src/proj/vendor" ]; }"#,
    );
    let out = run_wrapper(
        &wrapper,
        &f.proj,
        &f.home,
        "echo changed > vendor/lib.txt 2>/dev/null && echo WROTE; echo other > other.txt && echo OTHER_OK",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "OTHER_OK\n",
        "{}",
        text(&out)
    );
    assert_eq!(
        fs::read_to_string(f.proj.join("vendor/lib.txt")).unwrap(),
        "upstream\n"
    );
    // The agent replaces vendor with a link to the home directory.
    fs::rename(f.proj.join("vendor"), f.proj.join("vendor.orig")).unwrap();
    symlink("../..", f.proj.join("vendor")).unwrap();
    let out = run_wrapper(&wrapper, &f.proj, &f.home, "cat ~/.ssh/id_rsa");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("PRIVKEY"),
        "{}",
        text(&out)
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is a symlink"),
        "{}",
        text(&out)
    );
}

/// F12: started from a symlink to a directory that a readonly grant also
/// shows (`~/app -> src/app`, grant `~/src`): the hidden files are masked
/// where the agent actually works (bwrap starts it in the physical directory).
#[test]
fn a_symlinked_working_directory_is_masked_where_the_agent_works() {
    if !have_library_tools() {
        return;
    }
    let f = fixture();
    let app = f.home.join("src/app");
    fs::create_dir_all(&app).unwrap();
    fs::write(app.join(".env"), "DBPASS=hunter2\n").unwrap();
    symlink("src/app", f.home.join("app")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let wrapper = lib_wrapper(tmp.path(), r#"{ extraReadonlyDirs = [ "~/src" ]; }"#);
    let logical = f.home.join("app");
    let out = run_wrapper(&wrapper, &logical, &f.home, "pwd; cat .env; echo end");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\nend\n", app.display()),
        "{}",
        text(&out)
    );
}

/// F13: the working-directory guard also refuses directories of secrets and
/// sockets (and anything inside the home ones), unless JAILGEN_ALLOW_CWD=1.
#[test]
fn guard_refuses_directories_of_secrets_and_sockets() {
    if !have("bash", &["-c", "true"]) {
        return;
    }
    let f = fixture();
    let runtime_dir = f.home.parent().unwrap().join("run-user-1000");
    let dotfiles = f.home.join("dotfiles/config");
    fs::create_dir_all(dotfiles.join("nvim")).unwrap();
    symlink("dotfiles/config", f.home.join(".config")).unwrap();
    let mut refused = vec![
        f.home.join(".ssh"),
        f.home.join(".gnupg/private-keys-v1.d"),
        f.home.join(".aws"),
        f.home.join(".config"),
        dotfiles.join("nvim"), // inside ~/.config, reached through its real path
        runtime_dir.join("bus-dir"),
        PathBuf::from("/tmp"),
        PathBuf::from("/etc"),
        PathBuf::from("/run"), // holds /run/user/$UID: session bus and agent sockets
        PathBuf::from("/var/run"),
        PathBuf::from("/dev"),
        PathBuf::from("/proc"),
    ];
    if Path::new("/run/user").is_dir() {
        refused.push(PathBuf::from("/run/user"));
    }
    if Path::new("/root").is_dir() {
        refused.push(PathBuf::from("/root"));
    }
    for dir in &refused {
        fs::create_dir_all(dir).unwrap();
        let xdg = runtime_dir.to_str().unwrap();
        let out = host(
            dir,
            &f.home,
            "jailgen_guard_cwd",
            &[("XDG_RUNTIME_DIR", xdg)],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{dir:?}: {}", text(&out));
        assert!(
            err.contains("refusing to start") && err.contains("JAILGEN_ALLOW_CWD=1"),
            "{dir:?}: {err}"
        );
        let out = host(
            dir,
            &f.home,
            "jailgen_guard_cwd",
            &[("XDG_RUNTIME_DIR", xdg), ("JAILGEN_ALLOW_CWD", "1")],
        );
        assert!(out.status.success(), "override in {dir:?}: {}", text(&out));
    }
    // A project, and a directory inside /tmp that is not /tmp, are fine.
    for dir in [
        f.proj.clone(),
        f.home.parent().unwrap().to_path_buf().join("scratch"),
    ] {
        fs::create_dir_all(&dir).unwrap();
        let out = host(&dir, &f.home, "jailgen_guard_cwd", &[]);
        assert!(out.status.success(), "{dir:?}: {}", text(&out));
    }
}

/// F2/F10: a session still running in the project (or in a directory around
/// it) could race the next launch's checks; the next launch refuses to start
/// until it has ended.
#[test]
fn a_second_session_in_the_same_project_tree_refuses_to_start_while_the_first_runs() {
    if !have_library_tools() {
        return;
    }
    let f = fixture();
    let sub = f.proj.join("sub");
    fs::create_dir_all(&sub).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let wrapper = lib_wrapper(tmp.path(), "{ }");
    let mut first = Command::new(&wrapper)
        .args(["-c", "echo started > started; sleep 20"])
        .current_dir(&f.proj)
        .env_clear()
        .env("HOME", &f.home)
        .env("PATH", "/usr/bin:/bin")
        .env("PWD", &f.proj)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the first session");
    let mut waited = 0;
    while !f.proj.join("started").exists() && waited < 200 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
    }
    assert!(f.proj.join("started").exists(), "the first session started");
    for cwd in [&f.proj, &sub] {
        let out = run_wrapper(&wrapper, cwd, &f.home, "echo RAN");
        assert_eq!(out.status.code(), Some(1), "{cwd:?}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("another jailed session"),
            "{}",
            text(&out)
        );
    }
    // The user can insist, for one run.
    let out = run_wrapper_with(
        &wrapper,
        &f.proj,
        &f.home,
        "echo RAN",
        &[("JAILGEN_ALLOW_CONCURRENT", "1")],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "RAN\n",
        "{}",
        text(&out)
    );
    // Another project runs meanwhile.
    let other = f.home.join("src/other");
    fs::create_dir_all(&other).unwrap();
    let out = run_wrapper(&wrapper, &other, &f.home, "echo RAN");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "RAN\n",
        "{}",
        text(&out)
    );
    first.kill().unwrap();
    first.wait().unwrap();
    let out = run_wrapper(&wrapper, &f.proj, &f.home, "echo RAN");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "RAN\n",
        "{}",
        text(&out)
    );
}

/// The shared mask file lives in $XDG_RUNTIME_DIR when there is one (a
/// per-user tmpfs no jail is granted), not in ~/.cache, which a jail with
/// ~/.cache read-write could swap while another launch is starting.
#[test]
fn hide_takes_its_mask_file_from_the_runtime_dir_when_there_is_one() {
    if !have_bwrap() {
        return;
    }
    let f = fixture();
    let xdg = f.home.parent().unwrap().join("run-user");
    fs::create_dir_all(&xdg).unwrap();
    fs::write(f.proj.join(".env"), "SECRET=1\n").unwrap();
    let setup = format!(
        "XDG_RUNTIME_DIR='{}'; jailgen_hide .env; printf '%s\\n' \"${{RUNTIME_ARGS[@]}}\" >&2",
        xdg.display()
    );
    let out = jail(&f.proj, &f.home, &setup, "cat .env; echo end");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "end\n",
        "{}",
        text(&out)
    );
    assert!(xdg.join("jailgen/empty").is_file(), "{}", text(&out));
    assert!(!f.home.join(".cache").exists(), "{}", text(&out));
}
