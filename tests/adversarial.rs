//! Hostile specs (fixtures/adversarial/*.yaml, plus a few generated here because they are large)
//! fed to the real `jailgen` binary, each bounded by a timeout. Every case ends one of two ways:
//!
//! - refused: exit 2, a diagnostic naming the file on stderr, nothing on stdout, no file written
//!   by `render -o`;
//! - rendered: exit 0, and the *meaning* of the output is checked. The rendered `jails.nix` is
//!   evaluated by the real `nix-instantiate` with doubles for `pkgs` and `jailgen` whose builders
//!   return their arguments, and every argument is compared with the value the YAML holds for
//!   that jail (defaults merged, paths with `//`, `/./` and a trailing `/` collapsed). Then every
//!   path, env value and hide glob is handed to the real library (`makeJailedAgent`), and the
//!   policy file it writes for the launcher is read back: each value must be there unchanged
//!   (no shell sees them any more: the launcher binds paths and sets values itself).
//!
//! A file may pin values independently of the YAML parser with comment lines
//! `# expect-env <jail> <NAME> <json string>`.
//!
//! Without `nix-instantiate` the meaning checks skip loudly; with `JAILGEN_REQUIRE_NIX=1` they fail.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rnix::ast;
use rowan::ast::AstNode;
use serde_json::{Value, json};

mod common;
use common::{have_nix, loud, root};

const TIMEOUT: Duration = Duration::from_secs(60);

struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

/// Runs `jailgen` with `args` in `dir`, output to files (no pipe can fill), killed after TIMEOUT.
fn run_jailgen(dir: &Path, args: &[&str], case: &str) -> Run {
    let out_path = dir.join(".stdout");
    let err_path = dir.join(".stderr");
    let out = std::fs::File::create(&out_path).expect("stdout file");
    let err = std::fs::File::create(&err_path).expect("stderr file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_jailgen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("spawn jailgen");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{case}: jailgen did not finish within {TIMEOUT:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let run = Run {
        code: status.code(),
        stdout: std::fs::read(&out_path).expect("read stdout"),
        stderr: String::from_utf8_lossy(&std::fs::read(&err_path).expect("read stderr"))
            .into_owned(),
    };
    std::fs::remove_file(&out_path).expect("rm stdout");
    std::fs::remove_file(&err_path).expect("rm stderr");
    run
}

/// Files in `dir` other than the spec.
fn other_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "spec.yaml")
        .collect();
    v.sort();
    v
}

/// Outcome of one case, for the summary.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Refused,
    Rendered,
}

/// Runs one hostile spec through the binary and checks whichever outcome it has.
fn check_case(case: &str, bytes: &[u8], nix: bool) -> Outcome {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("spec.yaml"), bytes).expect("write spec");

    let to_stdout = run_jailgen(dir.path(), &["render", "spec.yaml"], case);
    let code = to_stdout.code;
    assert!(
        matches!(code, Some(0) | Some(2)),
        "{case}: exit {code:?} (a panic or a signal?)\nstderr:\n{}",
        to_stdout.stderr
    );
    assert!(
        !to_stdout.stderr.contains("panicked") && !to_stdout.stderr.contains("bug in jailgen"),
        "{case}: {}",
        to_stdout.stderr
    );

    let to_file = run_jailgen(
        dir.path(),
        &["render", "spec.yaml", "-o", "jails.nix"],
        case,
    );
    assert_eq!(to_file.code, code, "{case}: `render -o` exits differently");

    if code == Some(2) {
        assert!(
            to_stdout.stdout.is_empty(),
            "{case}: refused but printed {} bytes",
            to_stdout.stdout.len()
        );
        assert!(
            to_stdout.stderr.contains("spec.yaml") && to_stdout.stderr.contains("jailgen::"),
            "{case}: the diagnostic names neither the file nor a code:\n{}",
            to_stdout.stderr
        );
        assert_eq!(
            to_file.stderr, to_stdout.stderr,
            "{case}: the diagnostic differs"
        );
        assert!(to_file.stdout.is_empty(), "{case}: refused but printed");
        assert_eq!(
            other_files(dir.path()),
            Vec::<String>::new(),
            "{case}: refused but wrote files"
        );
        return Outcome::Refused;
    }

    // Warnings (lints) may accompany a rendering; errors may not.
    assert!(
        to_stdout.stderr.is_empty()
            || (to_stdout.stderr.contains('⚠') && !to_stdout.stderr.contains('×')),
        "{case}: rendered with errors on stderr:\n{}",
        to_stdout.stderr
    );
    let text = String::from_utf8(to_stdout.stdout).expect("rendered Nix is UTF-8");
    let written = std::fs::read_to_string(dir.path().join("jails.nix")).expect("jails.nix written");
    assert_eq!(
        written, text,
        "{case}: `render -o` wrote something else than stdout"
    );
    assert_eq!(other_files(dir.path()), vec!["jails.nix".to_owned()]);
    let parse = rnix::Root::parse(&text);
    assert!(
        parse.errors().is_empty(),
        "{case}: rendered Nix does not parse: {:?}",
        parse.errors()
    );
    if nix {
        let src = std::str::from_utf8(bytes).expect("a rendered spec is UTF-8");
        check_meaning(case, src, &text, &dir.path().join("jails.nix"));
    }
    Outcome::Rendered
}

// ---------------------------------------------------------------------------------------------
// Meaning: evaluate the rendered file and compare with the spec.

fn presets() -> Value {
    let text = std::fs::read_to_string(root().join("nix/lib/agents.json")).expect("agents.json");
    serde_json::from_str(&text).expect("agents.json parses")
}

/// `pkgs.a.b` and `jailgen.x.y` selections in the rendered text, as (base, path).
fn selections(text: &str) -> Vec<(String, Vec<String>)> {
    let root = rnix::Root::parse(text).tree();
    let mut out = Vec::new();
    for node in root.syntax().descendants() {
        let Some(sel) = ast::Select::cast(node) else {
            continue;
        };
        let Some(ast::Expr::Ident(base)) = sel.expr() else {
            continue;
        };
        let base = base.syntax().text().to_string();
        let path: Vec<String> = sel
            .attrpath()
            .expect("attrpath")
            .attrs()
            .map(|a| match a {
                ast::Attr::Ident(i) => i.syntax().text().to_string(),
                other => panic!("a selection with a non-identifier attribute: {other}"),
            })
            .collect();
        out.push((base, path));
    }
    out
}

/// Nested JSON whose leaves are markers `"<base>.<path>"`; a leaf that also has children keeps
/// its marker under `__marker`.
fn doubles(sels: &[(String, Vec<String>)]) -> Value {
    let mut root = json!({ "pkgs": {}, "jailgen": {} });
    for (base, path) in sels {
        let marker = format!("{base}.{}", path.join("."));
        let mut node = root.get_mut(base.as_str()).expect("pkgs or jailgen");
        for (i, seg) in path.iter().enumerate() {
            let obj = node.as_object_mut().expect("object");
            let last = i + 1 == path.len();
            let entry = obj.entry(seg.clone()).or_insert_with(|| json!({}));
            if last {
                match entry {
                    Value::Object(m) if m.is_empty() => *entry = Value::String(marker.clone()),
                    Value::Object(m) => {
                        m.insert("__marker".into(), Value::String(marker.clone()));
                    }
                    _ => {}
                }
            } else if let Value::String(s) = entry {
                let s = s.clone();
                *entry = json!({ "__marker": s });
            }
            node = obj.get_mut(seg).expect("just inserted");
        }
    }
    root
}

/// The rendered file evaluated: `{ <jail> = { builder; args; }; }`.
fn evaluate(case: &str, jails_nix: &Path, text: &str) -> Value {
    let dir = jails_nix.parent().expect("dir");
    let doubles_file = dir.join("doubles.json");
    std::fs::write(&doubles_file, doubles(&selections(text)).to_string()).expect("doubles");
    let expr = r#"{ doublesFile, jailsFile }:
      let
        d = builtins.fromJSON (builtins.readFile doublesFile);
        jailgen = builtins.mapAttrs (n: v:
          if builtins.substring 0 4 n == "make" then (args: { builder = n; inherit args; }) else v
        ) d.jailgen;
      in import jailsFile { pkgs = d.pkgs; inherit jailgen; }"#;
    let out = Command::new("nix-instantiate")
        .args(["--eval", "--strict", "--json", "-E", expr])
        .args(["--argstr", "doublesFile"])
        .arg(&doubles_file)
        .args(["--argstr", "jailsFile"])
        .arg(jails_nix)
        .output()
        .expect("run nix-instantiate");
    std::fs::remove_file(&doubles_file).expect("rm doubles");
    assert!(
        out.status.success(),
        "{case}: nix-instantiate failed on the rendered file:\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("nix JSON")
}

fn norm_path(p: &str) -> String {
    let (prefix, rest) = match p.strip_prefix("~/") {
        Some(rest) => ("~/", rest),
        None => (
            "/",
            p.strip_prefix('/').expect("validated paths are absolute"),
        ),
    };
    let segs: Vec<&str> = rest
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    format!("{prefix}{}", segs.join("/"))
}

/// The value of a list field: defaults first, then the jail, first occurrence kept.
fn merged_list(
    d: Option<&Vec<jailgen::spec::Spanned<String>>>,
    j: Option<&Vec<jailgen::spec::Spanned<String>>>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in d.into_iter().chain(j).flatten() {
        if !out.contains(&s.value) {
            out.push(s.value.clone());
        }
    }
    out
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        None => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => s.clone(),
                Value::Object(m) => m["__marker"].as_str().expect("marker").to_owned(),
                other => panic!("not a string: {other}"),
            })
            .collect(),
        Some(other) => panic!("not a list: {other}"),
    }
}

fn set(v: &[String]) -> BTreeSet<String> {
    v.iter().cloned().collect()
}

fn pkg_marker(attr: &str) -> String {
    match attr.strip_prefix("llm-agents.") {
        Some(name) => format!("jailgen.agentPackages.{name}"),
        None => format!("pkgs.{attr}"),
    }
}

fn marker_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) => m["__marker"].as_str().expect("marker").to_owned(),
        other => panic!("not a package marker: {other}"),
    }
}

/// Comment lines `# expect-env <jail> <NAME> <json string>`.
fn pinned_env(src: &str) -> Vec<(String, String, String)> {
    src.lines()
        .filter_map(|l| l.trim_end_matches('\r').strip_prefix("# expect-env "))
        .map(|rest| {
            let mut it = rest.splitn(3, ' ');
            let jail = it.next().expect("jail").to_owned();
            let name = it.next().expect("name").to_owned();
            let value: String = serde_json::from_str(it.next().expect("value")).expect("json");
            (jail, name, value)
        })
        .collect()
}

/// Every argument of every jail must be what the spec says, and nothing else may be there.
fn check_meaning(case: &str, src: &str, text: &str, jails_nix: &Path) {
    let spec = jailgen::spec::parse(src).expect("a spec the binary rendered parses");
    let presets = presets();
    let got = evaluate(case, jails_nix, text);
    let got = got.as_object().expect("an attrset of jails");
    let empty = jailgen::spec::JailSpec::default();
    let d = spec.defaults.as_ref().unwrap_or(&empty);

    let names: BTreeSet<String> = spec
        .jails
        .value
        .iter()
        .map(|(k, _)| k.value.clone())
        .collect();
    let got_names: BTreeSet<String> = got.keys().cloned().collect();
    assert_eq!(got_names, names, "{case}: jail names changed");

    let mut words: Vec<(String, String)> = Vec::new(); // (path, why)
    let mut values: Vec<(String, String)> = Vec::new(); // (env value, why)
    let mut globs: Vec<(String, String)> = Vec::new(); // (hide glob, why)

    for (name, j) in spec.jails.value.iter() {
        let name = &name.value;
        let ctx = format!("{case}: jail `{name}`");
        let jail = got[name].as_object().expect("builder result");
        let args = jail["args"].as_object().expect("args");
        let preset = j.agent.as_ref().map(|a| &presets[a.value.as_str()]);
        let builder = preset.map_or("makeJailedAgent", |p| p["builder"].as_str().expect("b"));
        assert_eq!(jail["builder"], builder, "{ctx}: builder");

        let known: BTreeSet<&str> = [
            "name",
            "pkg",
            "configPaths",
            "extraConfigPaths",
            "extraPkgs",
            "extraReadwriteDirs",
            "extraReadonlyDirs",
            "env",
            "forwardEnv",
            "network",
            "hostPorts",
            "netStack",
            "newSession",
            "enableNix",
            "extraCombinators",
            "git",
            "hide",
        ]
        .into();
        for k in args.keys() {
            assert!(
                known.contains(k.as_str()),
                "{ctx}: unexpected argument `{k}`"
            );
        }

        // name
        match (args.get("name"), &j.agent) {
            (Some(n), _) => assert_eq!(n, name.as_str(), "{ctx}: name"),
            (None, Some(a)) => assert_eq!(*name, format!("jailed-{}", a.value), "{ctx}: name"),
            (None, None) => panic!("{ctx}: a custom jail without `name`"),
        }
        // pkg
        let preset_pkg = preset.map(|p| format!("llm-agents.{}", p["package"].as_str().unwrap()));
        match (args.get("pkg"), &j.package) {
            (Some(p), Some(want)) => assert_eq!(marker_of(p), pkg_marker(&want.value), "{ctx}"),
            (Some(p), None) => panic!("{ctx}: pkg {p} without `package`"),
            (None, Some(want)) => assert_eq!(Some(&want.value), preset_pkg.as_ref(), "{ctx}"),
            (None, None) => assert!(preset.is_some(), "{ctx}: custom jail without pkg"),
        }
        // state paths
        let want_config: Vec<String> = merged_list(
            d.config_paths.as_ref().map(|c| &c.value),
            j.config_paths.as_ref().map(|c| &c.value),
        )
        .iter()
        .map(|p| norm_path(p))
        .collect();
        let preset_config: Vec<String> = preset
            .map(|p| strings(Some(&p["configPaths"])))
            .unwrap_or_default();
        let got_config = match preset {
            Some(_) => {
                assert!(args.get("configPaths").is_none(), "{ctx}: configPaths");
                strings(args.get("extraConfigPaths"))
            }
            None => strings(args.get("configPaths")),
        };
        let want_config: Vec<String> = want_config
            .into_iter()
            .filter(|p| !preset_config.contains(p))
            .collect();
        assert_eq!(set(&got_config), set(&want_config), "{ctx}: state paths");
        // packages
        let want_pkgs: BTreeSet<String> = merged_list(d.packages.as_ref(), j.packages.as_ref())
            .iter()
            .map(|p| pkg_marker(p))
            .collect();
        assert_eq!(
            set(&strings(args.get("extraPkgs"))),
            want_pkgs,
            "{ctx}: packages"
        );
        // binds
        for (arg, dv, jv) in [
            ("extraReadwriteDirs", &d.readwrite, &j.readwrite),
            ("extraReadonlyDirs", &d.readonly, &j.readonly),
        ] {
            let want: BTreeSet<String> = merged_list(dv.as_ref(), jv.as_ref())
                .iter()
                .map(|p| norm_path(p))
                .collect();
            assert_eq!(set(&strings(args.get(arg))), want, "{ctx}: {arg}");
        }
        // env: defaults, then the jail wins
        let mut want_env: BTreeMap<String, String> = BTreeMap::new();
        for src in [d, j] {
            for (k, v) in src.env.iter().flat_map(|m| m.iter()) {
                want_env.insert(k.value.clone(), v.value.clone());
            }
        }
        let got_env: BTreeMap<String, String> = args
            .get("env")
            .map(|e| {
                e.as_object()
                    .expect("env attrset")
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().expect("env string").to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(got_env, want_env, "{ctx}: env");
        for (k, v) in &got_env {
            values.push((v.clone(), format!("{ctx}: env {k}")));
        }
        assert_eq!(
            set(&strings(args.get("forwardEnv"))),
            set(&merged_list(d.forward_env.as_ref(), j.forward_env.as_ref())),
            "{ctx}: forwardEnv"
        );
        assert_eq!(
            set(&strings(args.get("extraCombinators"))),
            set(&merged_list(d.combinators.as_ref(), j.combinators.as_ref())),
            "{ctx}: extraCombinators"
        );
        // booleans and git: the jail's value, else the defaults', else the library default
        let flag = |dv: &Option<jailgen::spec::Spanned<bool>>,
                    jv: &Option<jailgen::spec::Spanned<bool>>,
                    default: bool| {
            jv.as_ref().or(dv.as_ref()).map_or(default, |b| b.value)
        };
        // network: the jail's whole, else the defaults'; `true` (the default) is not written
        use jailgen::spec::NetworkSpec;
        let (want_network, want_ports, want_stack) =
            match j.network.as_ref().or(d.network.as_ref()).map(|n| &n.value) {
                None | Some(NetworkSpec::Switch(true)) => (None, Vec::new(), None),
                Some(NetworkSpec::Switch(false)) => (Some(Value::Bool(false)), Vec::new(), None),
                Some(NetworkSpec::Host) => (Some(Value::String("host".into())), Vec::new(), None),
                Some(NetworkSpec::Map(m)) => {
                    let mut ports: Vec<u64> = m
                        .host_ports
                        .iter()
                        .flat_map(|p| &p.value)
                        .map(|p| p.value.parse().expect("a validated port"))
                        .collect();
                    ports.sort_unstable();
                    ports.dedup();
                    let allow = m.allow.as_ref().map(|a| {
                        let mut rules: Vec<String> = Vec::new();
                        // Host names are case-insensitive: rendered lowercase.
                        for r in &a.value {
                            let r = r.value.to_ascii_lowercase();
                            if !rules.contains(&r) {
                                rules.push(r);
                            }
                        }
                        serde_json::json!({ "allow": rules })
                    });
                    let stack = m
                        .stack
                        .as_ref()
                        .map(|s| s.value.clone())
                        .filter(|s| s != "slirp4netns");
                    (allow, ports, stack)
                }
            };
        assert_eq!(args.get("network"), want_network.as_ref(), "{ctx}: network");
        let got_ports: Vec<u64> = args
            .get("hostPorts")
            .map(|p| {
                p.as_array()
                    .expect("hostPorts list")
                    .iter()
                    .map(|n| n.as_u64().expect("port"))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(got_ports, want_ports, "{ctx}: hostPorts");
        assert_eq!(
            args.get("netStack").and_then(Value::as_str),
            want_stack.as_deref(),
            "{ctx}: netStack"
        );
        let nix_on = flag(&d.nix, &j.nix, false);
        assert_eq!(
            args.get("enableNix"),
            nix_on.then_some(&Value::Bool(true)),
            "{ctx}: enableNix"
        );
        let new_session = flag(&d.new_session, &j.new_session, false);
        assert_eq!(
            args.get("newSession"),
            new_session.then_some(&Value::Bool(true)),
            "{ctx}: newSession"
        );
        let git = j.git.as_ref().or(d.git.as_ref()).map(|g| g.value.as_str());
        match args.get("git") {
            Some(g) => assert_eq!(g, "open", "{ctx}: git"),
            None => assert!(matches!(git, None | Some("protect")), "{ctx}: git {git:?}"),
        }
        assert!(
            matches!(git, None | Some("protect") | Some("open")),
            "{ctx}: git"
        );
        // hide: the library default unless either side gives a list
        let want_hide = if d.hide.is_none() && j.hide.is_none() {
            vec![".env".to_owned(), ".env.*".to_owned()]
        } else {
            merged_list(
                d.hide.as_ref().map(|h| &h.value),
                j.hide.as_ref().map(|h| &h.value),
            )
        };
        let got_hide = match args.get("hide") {
            Some(h) => strings(Some(h)),
            None => vec![".env".to_owned(), ".env.*".to_owned()],
        };
        assert_eq!(got_hide, want_hide, "{ctx}: hide");
        for h in &got_hide {
            globs.push((h.clone(), format!("{ctx}: hide")));
        }
        for arg in [
            "configPaths",
            "extraConfigPaths",
            "extraReadwriteDirs",
            "extraReadonlyDirs",
        ] {
            for p in strings(args.get(arg)) {
                words.push((p, format!("{ctx}: {arg}")));
            }
        }
    }

    for (jail, name, value) in pinned_env(src) {
        assert_eq!(
            got[&jail]["args"]["env"][&name],
            Value::String(value),
            "{case}: pinned env {jail}.{name}"
        );
    }

    through_the_policy(
        case,
        &words,
        &values,
        &globs,
        jails_nix.parent().expect("dir"),
    );
}

/// Paths, env values and hide globs handed to the real library, read back from the policy file
/// it writes: every one must reach the launcher unchanged.
fn through_the_policy(
    case: &str,
    words: &[(String, String)],
    values: &[(String, String)],
    globs: &[(String, String)],
    tmp: &Path,
) {
    if words.is_empty() && values.is_empty() && globs.is_empty() {
        return;
    }
    let input = json!({
        "paths": words.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        "values": values.iter().map(|(v, _)| v).collect::<Vec<_>>(),
        "globs": globs.iter().map(|(g, _)| g).collect::<Vec<_>>(),
    });
    let input_file = tmp.join("values.json");
    std::fs::write(&input_file, input.to_string()).expect("write values");
    let expr = r#"{ inputFile }:
      let
        h = import ./nix/tests/helpers.nix { };
        i = builtins.fromJSON (builtins.readFile inputFile);
        n = builtins.length i.values;
      in h.policyOf (h.jailgen.makeJailedAgent {
        name = "a";
        pkg = h.pkgs.hello;
        configPaths = [ ];
        extraReadonlyDirs = i.paths;
        env = builtins.listToAttrs (builtins.genList (k: {
          name = "V${toString k}";
          value = builtins.elemAt i.values k;
        }) n);
        hide = i.globs;
      })"#;
    let out = Command::new("nix-instantiate")
        .args([
            "--eval",
            "--strict",
            "--json",
            "-E",
            expr,
            "--argstr",
            "inputFile",
        ])
        .arg(&input_file)
        .current_dir(root())
        .output()
        .expect("run nix-instantiate");
    std::fs::remove_file(&input_file).expect("rm values");
    assert!(
        out.status.success(),
        "{case}: the library refused what the CLI rendered: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let policy: Value = serde_json::from_slice(&out.stdout).expect("json");
    // Grants are ordered parents first, each once.
    let want: BTreeSet<String> = words.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(
        set(&strings(Some(&policy["readonly"]))),
        want,
        "{case}: paths in the policy"
    );
    for (k, (v, why)) in values.iter().enumerate() {
        assert_eq!(
            policy["env"]["set"][format!("V{k}")],
            Value::String(v.clone()),
            "{why}: the env value in the policy"
        );
    }
    let got_globs = strings(Some(&policy["hide"]));
    assert_eq!(
        got_globs,
        globs.iter().map(|(g, _)| g.clone()).collect::<Vec<_>>(),
        "{case}: hide globs in the policy"
    );
}

// ---------------------------------------------------------------------------------------------

fn fixture_cases() -> Vec<(String, Vec<u8>)> {
    let dir = root().join("fixtures/adversarial");
    let mut cases: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("fixtures/adversarial")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).expect("read fixture"),
            )
        })
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_adversarial_fixture_is_refused_or_rendered_with_its_exact_meaning() {
    let nix = have_nix("every_adversarial_fixture_is_refused_or_rendered_with_its_exact_meaning");
    let cases = fixture_cases();
    assert!(
        cases.len() >= 40,
        "only {} adversarial fixtures",
        cases.len()
    );
    let mut summary = Vec::new();
    for (name, bytes) in &cases {
        let outcome = check_case(name, bytes, nix);
        summary.push(format!("{outcome:?} {name}"));
    }
    // Both outcomes must occur, or the corpus is not testing what it claims.
    assert!(summary.iter().any(|s| s.starts_with("Refused")));
    assert!(summary.iter().any(|s| s.starts_with("Rendered")));
    loud!("adversarial: {}", summary.join(", "));
}

/// Cases that must be refused whatever else changes: they would change meaning if accepted.
#[test]
fn attacks_on_names_paths_and_identifiers_are_refused() {
    let nix = false; // refusal only
    for name in [
        "path-traversal-home.yaml",
        "path-traversal-root.yaml",
        "path-traversal-config.yaml",
        "path-line-breaks.yaml",
        "path-tilde-forms.yaml",
        "jail-name-quote.yaml",
        "jail-name-interpolation.yaml",
        "jail-name-shell.yaml",
        "jail-name-rtl.yaml",
        "env-names-hostile.yaml",
        "forward-env-hostile.yaml",
        "attr-path-quotes.yaml",
        "attr-path-dots.yaml",
        "attr-path-keywords.yaml",
        "attr-path-llm-agents.yaml",
        "combinators-hostile.yaml",
        "git-hostile.yaml",
        "agent-hostile.yaml",
        "nul-raw-byte.yaml",
        "nul-escaped-everywhere.yaml",
        "tag-binary-nul.yaml",
        "non-utf8-latin1.yaml",
        "utf16-le-bom.yaml",
        "tag-python-object.yaml",
        // Tags a reviewer would misread: dropped silently, or base64 decoded behind their back
        // (tag-binary-hostile rendered its decoded text before the tag was refused).
        "tag-python-name-scalar.yaml",
        "tag-local.yaml",
        "tag-binary.yaml",
        "tag-binary-hostile.yaml",
        "tag-binary-verbatim.yaml",
        "tag-binary-directive.yaml",
        // Flags that are not a plain `true`/`false` (they rendered with YAML 1.1 meaning or as
        // the quoted string's boolean before).
        "bool-as-string.yaml",
        "bool-as-string-alias.yaml",
        "yaml11-booleans.yaml",
        "tag-str-on-bool.yaml",
        "document-end-marker.yaml",
        "hidden-rtl-everywhere.yaml",
        "hidden-zero-width.yaml",
        "hidden-in-package.yaml",
        "hidden-bom-inside-value.yaml",
        "control-characters.yaml",
        "path-nel.yaml",
        "exposure-disguised.yaml",
        "duplicate-jail-quoted.yaml",
    ] {
        let bytes = std::fs::read(root().join("fixtures/adversarial").join(name)).expect(name);
        assert_eq!(check_case(name, &bytes, nix), Outcome::Refused, "{name}");
    }
}

/// Hostile but legal values must not be refused: a jail generator that refuses `$` in an env
/// value would be safe and useless.
#[test]
fn hostile_but_legal_values_are_rendered() {
    let nix = have_nix("hostile_but_legal_values_are_rendered");
    for name in [
        "hostile-env-values.yaml",
        "hostile-env-values-defaults.yaml",
        "hostile-readonly-paths.yaml",
        "hostile-readwrite-paths.yaml",
        "hostile-config-paths-preset.yaml",
        "hostile-config-paths-custom-ok.yaml",
        "hostile-hide-globs.yaml",
        "hostile-defaults-lists.yaml",
        "visible-unicode.yaml",
        "path-dot-segments.yaml",
        "path-unicode-separators.yaml",
        "crlf.yaml",
        "anchors-shared-lists.yaml",
        "tag-core-accepted.yaml",
        "number-like-env-values.yaml",
    ] {
        let bytes = std::fs::read(root().join("fixtures/adversarial").join(name)).expect(name);
        assert_eq!(check_case(name, &bytes, nix), Outcome::Rendered, "{name}");
    }
}

/// Large inputs made here rather than committed: a 10 MB scalar, a 10 MB file of jails, a 1 MB
/// comment line, 100 000 nested brackets.
#[test]
fn large_generated_inputs_finish_within_the_timeout() {
    let nix = have_nix("large_generated_inputs_finish_within_the_timeout");
    let ten_mb = 10 * 1024 * 1024;

    let mut huge_value = String::from(
        "version: 1\njails:\n  jailed-codex:\n    agent: codex\n    env:\n      BIG: \"",
    );
    let unit = "${x}''\\\\\\\"$(id)`id`;";
    while huge_value.len() < ten_mb {
        huge_value.push_str(unit);
    }
    huge_value.push_str("\"\n");
    check_case("generated: 10 MB env value", huge_value.as_bytes(), nix);

    let mut many = String::from("version: 1\njails:\n");
    let mut i = 0;
    while many.len() < ten_mb {
        many.push_str(&format!(
            "  j{i}:\n    agent: codex\n    readonly: [\"~/r/{i} $x\"]\n    env: {{ A: \"${{{i}}}\" }}\n"
        ));
        i += 1;
    }
    // The meaning check of 100 000 jails would spend minutes in bash; Nix parse and refusal
    // rules are what this case is about.
    check_case("generated: 10 MB of jails", many.as_bytes(), false);

    let long_comment = format!(
        "# {}\nversion: 1\njails:\n  jailed-codex:\n    agent: codex\n",
        "#".repeat(1024 * 1024)
    );
    check_case("generated: 1 MB comment line", long_comment.as_bytes(), nix);

    let deep = format!(
        "version: 1\njails:\n  jailed-codex:\n    agent: codex\n    packages: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(
        check_case("generated: 100 000 nested brackets", deep.as_bytes(), nix),
        Outcome::Refused
    );
}

/// Controls: the meaning check itself fails when the rendered file says something else.
#[test]
fn the_meaning_check_catches_a_changed_value() {
    if !have_nix("the_meaning_check_catches_a_changed_value") {
        return;
    }
    let src = "version: 1\njails:\n  jailed-codex:\n    agent: codex\n    readonly: [\"~/a b\"]\n    env: { A: \"${x}\" }\n    hide: [x]\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let text = jailgen::generate(src, "spec.yaml").expect("renders");
    let path = dir.path().join("jails.nix");
    std::fs::write(&path, &text).expect("write");
    check_meaning("control", src, &text, &path);
    for (from, to) in [
        ("\"\\${x}\"", "\"\\${y}\""),
        ("\"~/a b\"", "\"~/a  b\""),
        ("\"x\"", "\"x\" \".env\""),
        (
            "makeJailedCodex {",
            "makeJailedCodex {\n    network = false;",
        ),
        ("makeJailedCodex", "makeJailedPi"),
    ] {
        assert!(text.contains(from), "{from} not in\n{text}");
        let tampered = text.replace(from, to);
        std::fs::write(&path, &tampered).expect("write");
        let caught = std::panic::catch_unwind(|| check_meaning("control", src, &tampered, &path));
        assert!(
            caught.is_err(),
            "the meaning check accepted `{from}` -> `{to}`"
        );
    }
}

/// The YAML budget admits 10 000 jails that use every key (the benchmark's generator,
/// scripts/gen-specs.py), and still has an end: a spec with more nodes than
/// `spec::MAX_NODES` is refused by the budget, not parsed.
#[test]
fn ten_thousand_jails_fit_the_yaml_budget_and_the_budget_still_ends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let status = Command::new("python3")
        .arg(root().join("scripts/gen-specs.py"))
        .arg(dir.path())
        .arg("10000")
        .stdout(Stdio::null())
        .status()
        .expect("python3 runs scripts/gen-specs.py");
    assert!(status.success(), "gen-specs.py failed");
    let src = std::fs::read_to_string(dir.path().join("jails-10000.yaml")).expect("spec");
    let spec = jailgen::spec::parse(&src).unwrap_or_else(|e| panic!("10 000 jails refused: {e}"));
    assert_eq!(spec.jails.value.len(), 10_000);

    let mut over = String::from("version: 1\njails:\n  j:\n    agent: codex\n    packages: [");
    for _ in 0..jailgen::spec::MAX_NODES {
        over.push_str("a,");
    }
    over.push_str("]\n");
    let err = jailgen::spec::parse(&over).expect_err("a spec beyond the node budget parsed");
    assert!(
        err.to_string().contains("budget breached"),
        "refused for another reason: {err}"
    );
}
