//! The attacks both suites run, set up once: the launcher's tests (crates/launch/tests) run
//! them on a policy they write by hand, the end-to-end tests (tests/runtime) through a wrapper
//! the library built. Each piece is a fixture change made on the host (what an earlier session
//! planted, or what a project holds) or a script the agent runs inside the jail; what each
//! suite then asserts stays in the test.

use crate::{Fixture, git, loud};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

// --- git protection --------------------------------------------------------------------------

/// Writes to the hooks and the config, a hooks path of the agent's, renames of `.git` and its
/// hooks (7 attempts, each printing `WROTE: …` or `blocked: …`), then a commit
/// (`COMMIT_OK` / `COMMIT_FAILED`).
pub const GIT_ATTACKS: &str = r#"
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

/// Husky-style hooks inside the working tree (`core.hooksPath = .husky/_`), and no
/// `.git/hooks` at all.
pub fn husky_hooks_without_dot_git_hooks(f: &Fixture) {
    git(&f.proj, &["config", "core.hooksPath", ".husky/_"]);
    fs::remove_dir_all(f.proj.join(".git/hooks")).unwrap();
}

/// Against [`husky_hooks_without_dot_git_hooks`]: a hook written into each hooks directory,
/// and the hooks directory's parent moved aside; `WROTE`/`MOVED` or `blocked` for each.
pub const HUSKY_ATTACKS: &str = r#"
for p in .husky/_/pre-commit .git/hooks/pre-commit; do
  if sh -c "echo evil > $p" 2>/dev/null; then echo "WROTE $p"; else echo "blocked $p"; fi
done
# Move the hooks directory's parent aside and plant a look-alike.
if mv .husky .husky-old 2>/dev/null; then echo "MOVED .husky"; else echo "blocked mv .husky"; fi
"#;

/// A linked worktree of the project, `home/src/proj worktree 'quoted'` on branch `feature`;
/// its path and the text of its `.git` file.
pub fn linked_worktree(f: &Fixture) -> (PathBuf, String) {
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
    (wt, dotgit)
}

/// Run in a [`linked_worktree`]: writes to the common dir's hooks and config and to the `.git`
/// file (3 attempts, `WROTE: …` or `blocked: …`), then a commit (`COMMIT_OK`).
pub const WORKTREE_ATTACKS: &str = r#"
try() { if "$@" 2>/dev/null; then echo "WROTE: $*"; else echo "blocked: $*"; fi; }
common=$(git rev-parse --git-common-dir)
try sh -c "echo evil > '$common/hooks/post-checkout'"
try sh -c "echo evil >> '$common/config'"
try sh -c 'echo "gitdir: /tmp/evil" > .git'
echo data > wt-file
git add wt-file
if git commit -q -m "worktree commit"; then echo COMMIT_OK; else echo COMMIT_FAILED; fi
"#;

/// Another repository, `home/src/other`, with a linked worktree `home/src/other-wt`: the
/// repository and its worktree entry (`.git/worktrees/other-wt`), for a planted `.git` file
/// to name.
pub fn other_repository_with_a_worktree(f: &Fixture) -> (PathBuf, PathBuf) {
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
    (other, entry)
}

/// Run in a directory whose `.git` file names another repository's directory: `VISIBLE DIR`
/// for each of the host's directories the jail shows, then `done`.
pub const PLANTED_GITDIR_PROBE: &str = r#"
for d in "$HOME/.ssh" "$HOME/src/other/.git" "$HOME/src/other/.git/worktrees/other-wt"; do
  if ls -A "$d" >/dev/null 2>&1; then echo "VISIBLE $d"; fi
done
echo done
"#;

/// Config includes in the working tree (relative to `.git/`, one of them missing), and a
/// hooks path through a symlink `linkout` that leads out of the project to `home/outside`
/// (returned).
pub fn config_includes_and_a_hooks_path_leading_out(f: &Fixture) -> PathBuf {
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
    outside
}

/// Against [`config_includes_and_a_hooks_path_leading_out`]: a write to each included file,
/// `WROTE` or `blocked`.
pub const INCLUDE_ATTACKS: &str = r#"
for p in shared.gitconfig missing.gitconfig; do
  if sh -c "echo '[core] fsmonitor = evil' >> $p" 2>/dev/null; then echo "WROTE $p"; else echo "blocked $p"; fi
done
"#;

/// A submodule `vendor/lib` (from `home/src/lib`) and a linked worktree `home/src/proj-wt`:
/// the entries under `.git/modules` and `.git/worktrees` an agent could swap.
pub fn submodule_and_worktree(f: &Fixture) {
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
}

/// Against [`submodule_and_worktree`]: 10 writes and renames of those entries, each `DID: …`
/// or `blocked: …`.
pub const SUBMODULE_ATTACKS: &str = r#"
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

/// Red-team F1: the files in `.git` an earlier session could replace by a relative symlink,
/// with the target that reaches the home directory from each (`.git` is `home/src/proj/.git`).
pub const SYMLINKS_PLANTED_IN_DOT_GIT: &[(&str, &str)] = &[
    ("commondir", "../../.."),
    ("gitdir", "../../.."),
    ("config.worktree", "../../.."),
    ("hooks", "../../.."),
    ("modules/m/hooks", "../../../../.."),
    ("modules/m/commondir", "../../../../.."),
    ("worktrees/w/gitdir", "../../../../.."),
    ("worktrees/w/config.worktree", "../../../../.."),
];

/// Plants `.git/FILE -> TARGET` (one entry of [`SYMLINKS_PLANTED_IN_DOT_GIT`]) in the
/// project, making the submodule or worktree entry it sits in, and turning on
/// `extensions.worktreeConfig` for a `config.worktree`; the link's path.
pub fn plant_symlink_in_dot_git(f: &Fixture, file: &str, target: &str) -> PathBuf {
    let gd = f.proj.join(".git");
    let link = gd.join(file);
    let parent = link.parent().unwrap();
    if parent != gd {
        fs::create_dir_all(parent).unwrap();
        fs::write(parent.join("HEAD"), "ref: refs/heads/x\n").unwrap();
    }
    if link.is_dir() {
        fs::remove_dir_all(&link).unwrap();
    } else if link.exists() {
        fs::remove_file(&link).unwrap();
    }
    symlink(target, &link).unwrap();
    if file == "config.worktree" {
        git(&f.proj, &["config", "extensions.worktreeConfig", "true"]);
    }
    link
}

/// Red-team F9 (git part): a submodule git dir `.git/modules/m` with
/// `extensions.worktreeConfig` on and a dangling `config.worktree` link to
/// `home/victim/made-by-git`; the victim directory (empty).
pub fn dangling_config_worktree_in_a_submodule(f: &Fixture) -> PathBuf {
    let victim = f.home.join("victim");
    fs::create_dir_all(&victim).unwrap();
    let m = f.proj.join(".git/modules/m");
    fs::create_dir_all(&m).unwrap();
    fs::write(m.join("HEAD"), "ref: refs/heads/x\n").unwrap();
    fs::write(m.join("config"), "[extensions]\n\tworktreeConfig = true\n").unwrap();
    symlink(victim.join("made-by-git"), m.join("config.worktree")).unwrap();
    victim
}

// --- hide ----------------------------------------------------------------------------------

/// Each of `names` (relative to `dir`, parents made) holding `SECRET=1\n`.
pub fn plant_secrets<P: AsRef<Path>>(dir: &Path, names: impl IntoIterator<Item = P>) {
    for name in names {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, "SECRET=1\n").unwrap();
    }
}

/// `.env.0` … `.env.N-1` in the project, each a secret: more matches than a process has file
/// descriptors by default (1024) at 1500.
pub fn many_env_files(f: &Fixture, n: usize) {
    plant_secrets(&f.proj, (0..n).map(|i| format!(".env.{i}")));
}

/// What [`hostile_hide_project`] planted: the secret files by name (each holding
/// `SECRET=1\n`) and `home/away`, a directory outside the project with an `.env`.
pub struct HostileHide {
    pub secrets: [&'static str; 9],
    pub away: PathBuf,
}

/// The `hide` globs for [`hostile_hide_project`], in the order both suites pass them.
pub const HOSTILE_HIDE_GLOBS: &[&str] = &[
    ".env",
    ".env.*",
    "-*",
    "**/.env",
    "secret dir",
    "link-to-secret",
    "link-outside",
    "no-match-*",
    "missing",
    "./dotslash-secret",
    "linkdir/.env",
];

/// Secrets with hostile names (spaces, a newline, quotes, `$(…)`, a leading dash, nested), a
/// secret directory, a symlink to a secret, one to a host file and a directory symlink leading
/// out of the project with an `.env` behind it, and `visible.txt` (`fine`).
pub fn hostile_hide_project(f: &Fixture) -> HostileHide {
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
    plant_secrets(p, secrets);
    plant_secrets(p, ["secret dir/inner/key", "real-secret"]);
    symlink("real-secret", p.join("link-to-secret")).unwrap();
    symlink("/etc/hostname", p.join("link-outside")).unwrap();
    let away = f.home.join("away");
    plant_secrets(&away, [".env"]);
    symlink(&away, p.join("linkdir")).unwrap();
    fs::write(p.join("visible.txt"), "fine\n").unwrap();
    HostileHide { secrets, away }
}

/// Run in a [`hostile_hide_project`]: reads and writes each of `files` (`READ: F`,
/// `WROTE: F`), lists and writes the secret directory (`LISTED`, `WROTE`), then prints
/// `visible.txt` and `done`.
pub fn hostile_hide_probe(files: &str) -> String {
    format!(
        r#"
for f in {files}; do
  if grep -q SECRET -- "$f" 2>/dev/null; then echo "READ: $f"; fi
  if sh -c 'echo x >> "$1"' _ "$f" 2>/dev/null; then echo "WROTE: $f"; fi
done
if [ -n "$(ls -A 'secret dir')" ]; then echo "LISTED: secret dir"; fi
if touch 'secret dir/new' 2>/dev/null; then echo "WROTE: secret dir/new"; fi
cat visible.txt
echo done
"#
    )
}

// --- grants ----------------------------------------------------------------------------------

/// Red-team F3, session 1: under the read-write grant `~/ROOT`, the directory between it and
/// the grant nested at `~/ROOT/NESTED` is renamed, and `NESTED` becomes a symlink to the home
/// directory (`PLANTED`).
pub fn plant_link_under_a_nested_grant(root: &str, nested: &str) -> String {
    format!(
        "mv ~/{root}/a ~/{root}/a.orig && mkdir ~/{root}/a && ln -s ../.. ~/{root}/{nested} && echo PLANTED"
    )
}

/// A vendored directory in the project, `vendor/lib.txt` holding `upstream`, for a read-only
/// grant inside the working directory.
pub fn vendor_in_the_project(f: &Fixture) {
    fs::create_dir_all(f.proj.join("vendor")).unwrap();
    fs::write(f.proj.join("vendor/lib.txt"), "upstream\n").unwrap();
}

/// Against [`vendor_in_the_project`] under a read-only grant: `WROTE` when the vendored file
/// could be written, `OTHER_OK` when the rest of the project could.
pub const VENDOR_WRITE_PROBE: &str = "echo changed > vendor/lib.txt 2>/dev/null && echo WROTE; echo other > other.txt && echo OTHER_OK";

/// What an earlier session does to [`vendor_in_the_project`]: `vendor` moved aside and replaced
/// by a symlink to the home directory.
pub fn swap_vendor_for_a_link_to_home(f: &Fixture) {
    fs::rename(f.proj.join("vendor"), f.proj.join("vendor.orig")).unwrap();
    symlink("../..", f.proj.join("vendor")).unwrap();
}

/// Red-team F12: `home/src/app` with an `.env` (`DBPASS=hunter2`) and `home/app`, a symlink
/// to it, to start from; the physical directory and the symlink.
pub fn symlinked_working_directory(f: &Fixture) -> (PathBuf, PathBuf) {
    let app = f.home.join("src/app");
    fs::create_dir_all(&app).unwrap();
    fs::write(app.join(".env"), "DBPASS=hunter2\n").unwrap();
    symlink("src/app", f.home.join("app")).unwrap();
    (app, f.home.join("app"))
}

// --- the working-directory guard --------------------------------------------------------------

/// Red-team F13: directories of secrets and sockets the guard refuses to start in (created by
/// the test where missing), with the runtime directory (`run-user-1000` beside the home) the
/// test passes as `XDG_RUNTIME_DIR`. `/root`, refused too, is each suite's to add: whether
/// this user may enter it depends on who runs the suite.
pub fn secret_and_socket_directories(f: &Fixture) -> (Vec<PathBuf>, PathBuf) {
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
    (refused, runtime_dir)
}

// --- the TIOCSTI filter ----------------------------------------------------------------------

/// What tests/runtime/ttyprobe.c prints under the filter: TIOCSTI and TIOCLINUX refused,
/// nothing injected, what TUIs need working.
pub const TTY_BLOCKED: &[&str] = &[
    "tiocsti=EPERM\n",
    "tiocsti_high_bits=EPERM\n",
    "tioclinux=EPERM\n",
    "tiocgwinsz=ok 33x101\n",
    "tcgetattr=ok\n",
    "tcsetattr=ok\n",
    "\ninput-queue=\n",
];

/// The control, ttyprobe.c's output without the filter: the injection lands (`id\n` in the
/// terminal's input queue), unless the kernel refuses TIOCSTI to everyone
/// (`dev.tty.legacy_tiocsti=0`), where it must fail with EIO.
#[track_caller]
pub fn assert_tty_control_injects(open: &str, what: &str) {
    let legacy = fs::read_to_string("/proc/sys/dev/tty/legacy_tiocsti").unwrap_or_default();
    if legacy.trim() == "0" {
        loud!("note: dev.tty.legacy_tiocsti=0 here, so the unfiltered control cannot inject");
        assert!(open.contains("tiocsti=EIO\n"), "{what}: {open}");
    } else {
        assert!(
            open.contains("tiocsti=ok\n"),
            "{what}: control: TIOCSTI works unfiltered: {open}"
        );
        assert!(
            open.contains("input-queue=69640a"),
            "{what}: control: `id\\n` reached the terminal: {open}"
        );
    }
}

/// Every line of [`TTY_BLOCKED`] in ttyprobe.c's output under the filter.
#[track_caller]
pub fn assert_tty_blocked(blocked: &str, what: &str) {
    for want in TTY_BLOCKED {
        assert!(
            blocked.contains(want),
            "{what}: missing {want:?} in:\n{blocked}"
        );
    }
}
