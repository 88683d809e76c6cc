//! The library's whole wrapper with hostile input, on the jail.nix double and on real jail.nix;
//! grants (nested under read-write ones, inside the working directory, a symlinked working
//! directory); the time zone; the TIOCSTI filter on a real terminal.

use crate::common::{nix_lit, real_jail_nix, root};
use crate::support::scenario::*;
use crate::support::*;
use std::fs;
use std::path::Path;
use std::process::Command;

fn hostile_case(jail_nix: Option<&Path>) {
    let f = fixture();
    let hostile = [
        ".env",
        "it's \"secret\"*",
        "-dash",
        "$(touch pwned)",
        // `\` escapes in a glob (crates/policy/src/hide.rs): this is the file `back\slash`
        "back\\\\slash",
        "**/.env",
    ];
    plant_secrets(
        &f.proj,
        [
            ".env",
            "it's \"secret\" 1",
            "-dash",
            "$(touch pwned)",
            "back\\slash",
            "sub/.env",
        ],
    );
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
    let jail = Jail::build(JailArgs {
        args: &args,
        preset: Some("claude-code"),
        jail_nix,
    });
    let inside = r#"
for f in .env "it's \"secret\" 1" -dash '$(touch pwned)' 'back\slash' sub/.env; do
  if grep -q SECRET -- "$f" 2>/dev/null; then echo "READ $f"; fi
done
for p in .git/hooks/x .git/config; do
  if sh -c 'echo x >> "$1"' _ "$p" 2>/dev/null; then echo "WROTE $p"; fi
done
echo s > ~/"state dir/it's/file" && echo STATE_DIR_OK
echo '{}' > ~/'.config/-odd/$(x).json' && echo STATE_FILE_OK
echo data > new && git add new && git commit -q -m jailed && echo COMMIT_OK
echo "CLAUDE_CONFIG_DIR=$CLAUDE_CONFIG_DIR"
"#;
    let out = jail.run(&f.proj, &f.home, inside);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "STATE_DIR_OK\nSTATE_FILE_OK\nCOMMIT_OK\nCLAUDE_CONFIG_DIR={}/.claude\n",
            f.home.display()
        ),
        "{}",
        text(&out)
    );
    assert!(!f.proj.join("pwned").exists() && !f.home.join("pwned").exists());
    assert!(
        f.home.join("state dir/it's/file").is_file(),
        "rw state reached the host"
    );
    assert!(f.home.join(".config/-odd/$(x).json").is_file());
    assert!(
        f.home.join(".claude").is_dir(),
        "the preset's state was created"
    );

    // The guard is wired in: from $HOME the wrapper refuses before bwrap.
    let out = jail.run(&f.home, &f.home, "echo RAN");
    assert_refused(&out, &["JAILGEN_ALLOW_CWD=1"]);
}

/// Moved from tests/runtime.rs
/// `library_wrapper_runs_with_real_bwrap_and_hostile_names_with_the_jail_nix_double`.
#[test]
fn library_wrapper_runs_with_real_bwrap_and_hostile_names_with_the_jail_nix_double() {
    if !have_jail_tools() {
        return;
    }
    hostile_case(None);
}

/// Moved from tests/runtime.rs
/// `library_wrapper_runs_with_real_bwrap_and_hostile_names_with_real_jail_nix`, no longer
/// `#[ignore]`d: CI sets JAILGEN_JAIL_NIX.
#[test]
fn library_wrapper_runs_with_real_bwrap_and_hostile_names_with_real_jail_nix() {
    let Some(jail_nix) = real_jail_nix("library_wrapper_…_with_real_jail_nix") else {
        return;
    };
    if !have_jail_tools() {
        return;
    }
    hostile_case(Some(&jail_nix));
}

/// Moved from tests/runtime.rs `a_nested_grant_redirected_by_a_planted_symlink_refuses_to_start`
/// (red team F3): session 1 renames the directory between a read-write grant and a grant nested
/// in it, and plants a symlink where the nested grant was; session 2 must refuse instead of
/// binding the host home (read-only for a nested readonly, read-write for a nested readwrite).
#[test]
fn a_nested_grant_redirected_by_a_planted_symlink_refuses_to_start() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    plant_ssh_key(&f.home);
    fs::write(f.home.join(".bashrc"), "# host bashrc\n").unwrap();
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
        let jail = Jail::new(args);
        let plant = plant_link_under_a_nested_grant(root, nested);
        let out = jail.run(&f.proj, &f.home, &plant);
        assert_eq!(stdout(&out), "PLANTED\n", "{}", text(&out));
        let out = jail.run(&f.proj, &f.home, attack);
        assert!(!stdout(&out).contains("PRIVKEY"), "{args}: {}", text(&out));
        assert_eq!(
            fs::read_to_string(f.home.join(".bashrc")).unwrap(),
            "# host bashrc\n",
            "{args}: {}",
            text(&out)
        );
        assert_refused(
            &out,
            &[&format!("{}/{root}/{nested}", f.home.display()), "symlink"],
        );
    }
}

/// Moved from tests/runtime.rs `readonly_grants_inside_the_working_directory_stay_read_only`
/// (F14): the working-directory bind would otherwise shadow the grant, and one reached through
/// a symlink planted inside the working directory refuses to start.
#[test]
fn readonly_grants_inside_the_working_directory_stay_read_only() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    plant_ssh_key(&f.home);
    vendor_in_the_project(&f);
    let jail = Jail::new(r#"{ extraReadonlyDirs = [ "~/src/proj/vendor" ]; }"#);
    let out = jail.run(&f.proj, &f.home, VENDOR_WRITE_PROBE);
    assert_eq!(stdout(&out), "OTHER_OK\n", "{}", text(&out));
    assert_eq!(
        fs::read_to_string(f.proj.join("vendor/lib.txt")).unwrap(),
        "upstream\n"
    );
    // The agent replaces vendor with a link to the home directory.
    swap_vendor_for_a_link_to_home(&f);
    let out = jail.run(&f.proj, &f.home, "cat ~/.ssh/id_rsa");
    assert!(!stdout(&out).contains("PRIVKEY"), "{}", text(&out));
    assert_refused(&out, &["symlink"]);
}

/// Moved from tests/runtime.rs `a_symlinked_working_directory_is_masked_where_the_agent_works`
/// (F12): started from `~/app -> src/app` with a read-only grant `~/src`, the hidden files are
/// masked where the agent works (bwrap starts it in the physical directory).
#[test]
fn a_symlinked_working_directory_is_masked_where_the_agent_works() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let (app, logical) = symlinked_working_directory(&f);
    let jail = Jail::new(r#"{ extraReadonlyDirs = [ "~/src" ]; }"#);
    let out = jail.run(&logical, &f.home, "pwd; cat .env; echo end");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        stdout(&out),
        format!("{}\nend\n", app.display()),
        "{}",
        text(&out)
    );
}

/// Moved from tests/runtime.rs `time_zone_binds_like_jail_nix_and_reuses_a_validated_cache`
/// (its cache was the bash runtime's way to avoid forks; the launcher reads the link itself):
/// the jail's /etc/localtime is the host's link, naming the host's zone file.
#[test]
fn the_time_zone_is_the_hosts() {
    if !have_jail_tools() {
        return;
    }
    let Ok(target) = fs::read_link("/etc/localtime") else {
        assert!(!crate::common::strict(), "CI's /etc/localtime is a symlink");
        crate::common::loud!("SKIPPED the_time_zone_is_the_hosts: /etc/localtime is no symlink");
        return;
    };
    let f = fixture();
    let out = Jail::new("{ }").run(
        &f.proj,
        &f.home,
        "readlink /etc/localtime; sha256sum < /etc/localtime | cut -d' ' -f1",
    );
    assert!(out.status.success(), "{}", text(&out));
    let host_sum = Command::new("sh")
        .args(["-c", "sha256sum < /etc/localtime | cut -d' ' -f1"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        format!(
            "{}\n{}",
            target.display(),
            String::from_utf8_lossy(&host_sum.stdout)
        ),
        "{}",
        text(&out)
    );
}

/// LANG falls back to C.UTF-8 when unset (jail.nix's base would abort the wrapper), is the
/// host's otherwise; env, homeEnv and forwardEnv reach the agent, forwarded ones only when set.
#[test]
fn lang_falls_back_and_env_reaches_the_agent() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    let jail = Jail::new(
        r#"{ env = { LITERAL = "$(id) `id` 'q'"; GIT_CONFIG_NOSYSTEM = "1"; }; homeEnv.AGENT_DIR = ".agent dir";
             forwardEnv = [ "JG_KEY" "JG_OTHER" ]; }"#,
    );
    let script = r#"echo "LANG=${LANG-unset}"; echo "LITERAL=$LITERAL"; echo "AGENT_DIR=$AGENT_DIR"; echo "JG_KEY=${JG_KEY-unset}"; echo "JG_OTHER=${JG_OTHER-unset}"; echo "SECRET=${SECRET-unset}""#;
    let out = jail.run_with(&f.proj, &f.home, script, &[("SECRET", "s")]);
    assert!(out.status.success(), "{}", text(&out));
    let home = f.home.display();
    assert_eq!(
        stdout(&out),
        format!(
            "LANG=C.UTF-8\nLITERAL=$(id) `id` 'q'\nAGENT_DIR={home}/.agent dir\nJG_KEY=unset\nJG_OTHER=unset\nSECRET=unset\n"
        ),
        "{}",
        text(&out)
    );
    let out = jail.run_with(
        &f.proj,
        &f.home,
        script,
        &[("LANG", "de_DE.UTF-8"), ("JG_KEY", "s3cr3t $(id) \"x\"")],
    );
    assert_eq!(
        stdout(&out),
        format!(
            "LANG=de_DE.UTF-8\nLITERAL=$(id) `id` 'q'\nAGENT_DIR={home}/.agent dir\nJG_KEY=s3cr3t $(id) \"x\"\nJG_OTHER=unset\nSECRET=unset\n"
        ),
        "{}",
        text(&out)
    );
}

/// Moved from tests/runtime.rs `seccomp_filter_blocks_tiocsti_and_tioclinux_but_not_what_tuis_need`
/// (which tried the C-generated filter in a bare bwrap); now the library's jail on a fresh
/// pseudo-terminal, with the filter the launcher generates. The launcher's own test of the
/// filter (i386/x32 too) is in crates/launch/tests.
#[test]
fn the_library_jail_blocks_tiocsti_and_tioclinux_but_not_what_tuis_need() {
    if !have_jail_tools() || !have("gcc", &["--version"]) {
        return;
    }
    let f = fixture();
    let probe = f.proj.join("ttyprobe");
    cc(&root().join("tests/runtime/ttyprobe.c"), &probe);
    let run = |jail: &Jail| -> String {
        hand_over_fixture(&f.home);
        let o = command(&probe)
            .arg("run")
            .arg(&jail.wrapper)
            .args(["-c", "./ttyprobe inject"])
            .current_dir(&f.proj)
            .env_clear()
            .env("HOME", &f.home)
            .env("PATH", "/usr/bin:/bin")
            .env("PWD", &f.proj)
            // jail.nix's base (the control) aborts without LANG
            .env("LANG", "C.UTF-8")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        let so = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(so.contains("\nexit=0\n"), "the prober ran: {so}");
        so
    };
    // Control: jail.nix without the filter, on the same terminal.
    let open = run(&Jail::plain_jail_nix("[ c.mount-cwd c.no-new-session ]"));
    assert_tty_control_injects(&open, "jail.nix alone");
    let blocked = run(&Jail::new("{ }"));
    assert_tty_blocked(&blocked, "the library's jail");
}

/// jail.nix's own combinators keep working in front of the launcher: their bwrap arguments pass
/// through it unchanged (static binds, tmpfs, env, runtime arguments, `--args` style options).
#[test]
fn jail_nix_combinators_pass_through_the_launcher() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    fs::write(f.home.join("shared.txt"), "from the host\n").unwrap();
    let jail = Jail::new(
        r#"{ extraCombinators = [
               "camera" "no-die-with-parent" "readonly-runtime-args"
               (h.jail.combinators.ro-bind (h.jail.combinators.noescape "~/shared.txt") "/srv/shared.txt")
               (h.jail.combinators.tmpfs "/scratch")
               (h.jail.combinators.set-env "FROM_COMBINATOR" "yes --")
               (h.jail.combinators.add-runtime "RUNTIME_ARGS+=(--setenv FROM_RUNTIME 1)")
             ]; }"#,
    );
    let out = jail.run(
        &f.proj,
        &f.home,
        "cat /srv/shared.txt; touch /scratch/x && echo TMPFS_OK; echo \"$FROM_COMBINATOR|$FROM_RUNTIME\"",
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        stdout(&out),
        "from the host\nTMPFS_OK\nyes --|1\n",
        "{}",
        text(&out)
    );
}

/// `extraReadonlyIfExists` (jailed-agents' `mountGitConfig`): bound read-only when present,
/// skipped when missing, where `extraReadonlyDirs` refuses a missing path.
#[test]
fn readonly_if_exists_grants_are_skipped_when_missing() {
    if !have_jail_tools() {
        return;
    }
    let f = fixture();
    fs::write(f.home.join(".gitconfig"), "[user]\n\tname = host\n").unwrap();
    let jail =
        Jail::new(r#"{ extraReadonlyIfExists = [ "~/.gitconfig" "~/.config/git/config" ]; }"#);
    let out = jail.run(
        &f.proj,
        &f.home,
        "cat ~/.gitconfig; echo x >> ~/.gitconfig 2>/dev/null && echo WROTE; [ -e ~/.config/git/config ] || echo ABSENT",
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        stdout(&out),
        "[user]\n\tname = host\nABSENT\n",
        "{}",
        text(&out)
    );
    assert_eq!(
        fs::read_to_string(f.home.join(".gitconfig")).unwrap(),
        "[user]\n\tname = host\n"
    );
    // The same path as a plain read-only grant refuses the launch when missing.
    let out = Jail::new(r#"{ extraReadonlyDirs = [ "~/.config/git/config" ]; }"#)
        .run(&f.proj, &f.home, "echo RAN");
    assert_refused(&out, &["does not exist"]);
}
