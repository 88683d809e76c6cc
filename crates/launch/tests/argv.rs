//! The argv protocol: where the plan goes, what passes through unchanged, exit codes.

mod common;
use common::*;
use std::fs;
use std::process::Command;

#[test]
fn the_grants_replace_the_token_and_the_rest_goes_just_before_the_double_dash() {
    let f = bare();
    fs::create_dir_all(f.home.join(".claude")).unwrap();
    let (out, argv) = Run::new(policy(r#""readwrite":["~/.claude"]"#), &f.proj, &f.home).record();
    assert!(out.status.success(), "{}", text(&out));
    let rt = runtime_part(&argv, &f.home);
    let proj = f.proj.to_str().unwrap();
    assert_eq!(rt[0], "--bind-fd", "{rt:?}");
    assert_eq!(rt[2], proj);
    assert_eq!(rt[3], "--bind-fd");
    assert_eq!(rt[5], f.home.join(".claude").to_str().unwrap());
    let dd = rt.iter().position(|a| a == "--").unwrap();
    assert_eq!(&rt[dd..], ["--", "entry", "arg"]);
    assert_eq!(&rt[dd - 2..dd], ["--chdir", proj]);
    assert!(rt.contains(&"--add-seccomp-fd".to_string()));
}

#[test]
fn a_double_dash_as_an_option_value_is_not_the_end_of_the_options() {
    let f = bare();
    let pol = f.home.parent().unwrap().join("p.json");
    fs::write(&pol, policy("")).unwrap();
    let fake = f.home.parent().unwrap().join("fake");
    write_script(&fake, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
    let out = Command::new(launcher())
        .arg(&pol)
        .arg(&fake)
        .args(["--setenv", "X", "--", "--", "entry"])
        .current_dir(&f.proj)
        .env("HOME", &f.home)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let so = stdout(&out);
    assert!(so.starts_with("--setenv\nX\n--\n--bind-fd\n"), "{so}");
    assert!(so.ends_with("--\nentry\n"), "{so}");
}

#[test]
fn unknown_options_and_broken_policies_are_bugs_with_exit_125() {
    let f = bare();
    let pol = f.home.parent().unwrap().join("p.json");
    for (text_, args) in [
        (policy(""), vec!["--frobnicate", "--", "x"]),
        (policy(""), vec!["--bind", "a"]),
        (
            r#"{"version":1,"name":"t","surprise":true}"#.to_string(),
            vec!["--", "x"],
        ),
        ("not json".to_string(), vec!["--", "x"]),
    ] {
        fs::write(&pol, &text_).unwrap();
        let out = Command::new(launcher())
            .arg(&pol)
            .arg("/bin/false")
            .args(&args)
            .current_dir(&f.proj)
            .env("HOME", &f.home)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(125), "{}", text(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with("jailgen: bug in jailgen: ") && err.lines().count() == 1,
            "{err}"
        );
    }
}

#[test]
fn the_exit_code_is_the_agents() {
    if !have_bwrap() {
        return;
    }
    let f = bare();
    let out = Run::new(policy(""), &f.proj, &f.home).jail("exit 7");
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
}

#[test]
fn no_descriptor_of_the_launcher_reaches_the_agent() {
    if !have_bwrap() || !have_git() {
        return;
    }
    let f = fixture();
    fs::write(f.proj.join(".env"), "S\n").unwrap();
    // Every descriptor but 0, 1 and 2 is a leak (the launcher's O_PATH descriptors on the
    // project would let the agent write behind the read-only binds), except those this test
    // process itself passes on (not close-on-exec here: a harness's).
    let mut inherited = vec!["0".to_string(), "1".into(), "2".into()];
    for e in fs::read_dir("/proc/self/fd").unwrap() {
        let n = e.unwrap().file_name().to_string_lossy().into_owned();
        let info = fs::read_to_string(format!("/proc/self/fdinfo/{n}")).unwrap_or_default();
        let flags = info
            .lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .and_then(|v| u32::from_str_radix(v.trim(), 8).ok());
        if flags.is_some_and(|f| f & 0o2000000 == 0) {
            inherited.push(n);
        }
    }
    let inside = format!(
        "for l in /proc/self/fd/*; do n=${{l##*/}}; case \" {} \" in *\" $n \"*) ;; *) t=$(readlink \"$l\") && echo \"LEAK $n $t\";; esac; done; echo done",
        inherited.join(" ")
    );
    let inside = inside.as_str();
    let out = Run::new(policy(""), &f.proj, &f.home).jail(inside);
    assert_eq!(stdout(&out), "done\n", "{}", text(&out));
}

#[test]
fn env_comes_from_the_one_precedence_function_and_lang_falls_back() {
    let f = bare();
    let (out, argv) = Run::new(
        policy(
            r#""env":{"set":{"MODE":"x"},"home":{"CFG":".cfg"},"forward":["TOKEN","UNSET_ONE"]}"#,
        ),
        &f.proj,
        &f.home,
    )
    .env("TOKEN", "tok")
    .record();
    assert!(out.status.success(), "{}", text(&out));
    let s = runtime_part(&argv, &f.home).join(" ");
    assert!(s.contains("--setenv TOKEN tok"), "{s}");
    assert!(!s.contains("UNSET_ONE"), "{s}");
    assert!(s.contains("--setenv MODE x"), "{s}");
    assert!(
        s.contains(&format!("--setenv CFG {}/.cfg", f.home.display())),
        "{s}"
    );
    assert!(s.contains("--setenv LANG C.UTF-8"), "{s}");
    let (_, argv) = Run::new(policy(""), &f.proj, &f.home)
        .env("LANG", "de_DE.UTF-8")
        .record();
    assert!(
        runtime_part(&argv, &f.home)
            .join(" ")
            .contains("--setenv LANG de_DE.UTF-8")
    );
}

#[test]
fn the_shared_network_binds_name_resolution_and_the_ca_bundle() {
    let f = bare();
    let (out, argv) = Run::new(
        r#"{"version":1,"name":"t","network":true,"tls":{"caBundle":"/nix/store/x-cacert/ca-bundle.crt"}}"#.into(),
        &f.proj,
        &f.home,
    )
    .record();
    assert!(out.status.success(), "{}", text(&out));
    let s = runtime_part(&argv, &f.home).join(" ");
    for want in [
        "--share-net",
        "--ro-bind-try /etc/resolv.conf /etc/resolv.conf",
        "--ro-bind /nix/store/x-cacert/ca-bundle.crt /etc/ssl/certs/ca-certificates.crt",
        "--setenv SSL_CERT_FILE /etc/ssl/certs/ca-certificates.crt",
    ] {
        assert!(s.contains(want), "{want}: {s}");
    }
    let (_, argv) = Run::new(policy(""), &f.proj, &f.home).record();
    let s = runtime_part(&argv, &f.home).join(" ");
    assert!(
        s.contains("--unshare-net") && !s.contains("--share-net") && !s.contains("resolv"),
        "{s}"
    );
}

#[test]
fn host_ssl_binds_the_hosts_etc_ssl_instead_of_the_bundle() {
    let f = bare();
    let (out, argv) = Run::new(
        r#"{"version":1,"name":"t","network":true,"tls":{"caBundle":"/nix/store/x/ca.crt","hostSsl":true}}"#.into(),
        &f.proj,
        &f.home,
    )
    .record();
    assert!(out.status.success(), "{}", text(&out));
    let s = runtime_part(&argv, &f.home).join(" ");
    assert!(s.contains("--ro-bind /etc/ssl /etc/ssl"), "{s}");
    assert!(!s.contains("/nix/store/x/ca.crt"), "{s}");
    assert!(
        s.contains("--setenv SSL_CERT_FILE /etc/ssl/certs/ca-certificates.crt"),
        "{s}"
    );
}
