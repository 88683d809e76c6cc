//! Structured random specs, valid and invalid, through the whole in-memory pipeline: the fuzz
//! target's assertions (fuzz/fuzz_targets/pipeline.rs), run on every `cargo test`.
//!
//! Each field is drawn from a pool of valid values or, sometimes, from a pool of values a rule
//! must refuse. The generator knows which, so the property is two-sided:
//! - a spec built only from valid values is accepted, renders, parses with rnix, renders the
//!   same twice, and every env value and path appears as a decoded string literal;
//! - a spec with at least one invalid value is refused, and nothing is rendered from it;
//! - either way nothing panics and a refusal renders as a diagnostic naming the file.
//!
//! A second property mangles the YAML text of those specs (cut, byte flips, duplicated lines)
//! and asserts only the crash-freedom half: no panic, refusal means no output.

use proptest::prelude::*;
use proptest::test_runner::Config;

mod common;
use common::{literals, yq};

/// A drawn value and whether a rule must refuse it.
#[derive(Debug, Clone)]
struct V {
    text: String,
    bad: bool,
}

fn good(s: impl Into<String>) -> V {
    V {
        text: s.into(),
        bad: false,
    }
}

fn bad(s: impl Into<String>) -> V {
    V {
        text: s.into(),
        bad: true,
    }
}

/// Mostly valid, sometimes invalid (1 in 41): a spec draws some 30 values, so about half of
/// the specs hold no invalid value.
fn pick(
    valid: impl Strategy<Value = String> + 'static,
    invalid: &'static [&'static str],
) -> BoxedStrategy<V> {
    prop_oneof![
        40 => valid.prop_map(good),
        1 => proptest::sample::select(invalid).prop_map(bad),
    ]
    .boxed()
}

/// Path segment text: shell and Nix metacharacters, spaces, non-ASCII; never `.`/`..`/`/`.
fn seg() -> impl Strategy<Value = String> {
    "[a-z0-9 $'\"`;*?{}\\\\!#&|<>()~=éü日🦀-]{1,10}"
        .prop_filter("not . or ..", |s| s != "." && s != "..")
}

/// A value with anything a reviewer can see: printable ASCII, tab, newline, some Unicode.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~\t\né日🦀\u{00A0}\u{2028}]{0,24}",
        Just("${x}".to_owned()),
        Just("''${x}''\\${y}$${z}".to_owned()),
        Just("$(touch pwned)`id`;".to_owned()),
    ]
}

fn attr_path() -> BoxedStrategy<V> {
    pick(
        prop_oneof![
            Just("hello".to_owned()),
            Just("python3Packages.pytest".to_owned()),
            Just("llm-agents.ccusage".to_owned()),
            "[a-z_][a-zA-Z0-9_'-]{0,8}".prop_filter("keyword", |s| {
                ![
                    "if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or",
                ]
                .contains(&s.as_str())
            }),
        ],
        &[
            "a..b",
            ".x",
            "with",
            "pkgs.\"x\"",
            "a.${b}",
            "llm-agents.a.b",
            "",
            "1x",
        ],
    )
}

fn path(prefix: &'static [&'static str]) -> BoxedStrategy<V> {
    pick(
        (proptest::sample::select(prefix), seg()).prop_map(|(p, s)| format!("{p}{s}")),
        &[
            "relative/x",
            "~/../x",
            "/srv/../etc",
            "~",
            "",
            "~root/x",
            "/a\nb",
            "~/.ssh",
        ],
    )
}

fn env_name() -> BoxedStrategy<V> {
    pick(
        "V_[A-Z0-9_]{1,6}",
        &["1A", "A-B", "", "A B", "${X}", "A\u{200B}"],
    )
}

fn flag() -> BoxedStrategy<V> {
    pick(
        proptest::sample::select(&["true", "false"][..]).prop_map(str::to_owned),
        &["maybe", "1", "[]"],
    )
}

/// `network:`: a switch, `host`, or a mapping of an allowlist (rules and `registries`; `agent`
/// is left out, as it depends on the jail having a preset), host ports and a stack, with the
/// rules between them (an empty list without host ports, `stack` or the proxy's port 3128 with
/// `allow`).
fn network() -> BoxedStrategy<V> {
    let rule = pick(
        prop_oneof![
            Just("registries".to_owned()),
            "[a-z]([a-z0-9-]{0,6}[a-z0-9])?\\.(org|dev|io)",
            "\\*\\.[a-z]{1,8}\\.org",
            "[a-z]{1,8}\\.example\\.org:[1-9][0-9]{0,3}",
            Just("Docs.RS".to_owned()),
        ],
        &[
            "localhost",
            "1.2.3.4",
            "",
            "a b.org",
            "*.org",
            "x.org:0",
            "${x}.org",
            "registry",
        ],
    );
    let port = pick(
        prop_oneof![
            (1u32..=65535).prop_map(|p| p.to_string()),
            Just("3128".to_owned())
        ],
        &["0", "70000", "\"80\"", "-1"],
    );
    let stack = pick(
        proptest::sample::select(&["slirp4netns", "pasta"][..]).prop_map(str::to_owned),
        &["slirp", "Pasta"],
    );
    let map = (
        proptest::option::of(proptest::collection::vec(rule, 0..4)),
        proptest::option::of(proptest::collection::vec(port, 0..3)),
        proptest::option::of(stack),
    )
        .prop_map(|(allow, ports, stack)| {
            let mut parts = Vec::new();
            let mut is_bad = false;
            if let Some(a) = &allow {
                // `allow: []` is refused unless host ports come with it.
                let no_ports = ports.as_ref().is_none_or(|p| p.is_empty());
                is_bad |= (a.is_empty() && no_ports) || a.iter().any(|r| r.bad);
                let items: Vec<String> = a.iter().map(|r| yq(&r.text)).collect();
                parts.push(format!("allow: [{}]", items.join(", ")));
            }
            if let Some(p) = &ports {
                is_bad |= p
                    .iter()
                    .any(|p| p.bad || (allow.is_some() && p.text == "3128"));
                let items: Vec<&str> = p.iter().map(|p| p.text.as_str()).collect();
                parts.push(format!("host_ports: [{}]", items.join(", ")));
            }
            if let Some(st) = &stack {
                is_bad |= st.bad || allow.is_some();
                parts.push(format!("stack: {}", st.text));
            }
            V {
                text: format!("{{ {} }}", parts.join(", ")),
                bad: is_bad,
            }
        });
    prop_oneof![
        3 => flag(),
        1 => Just(good("host")),
        1 => Just(bad("hosts")),
        3 => map,
    ]
    .boxed()
}

/// `key: value` lines of a jail or of `defaults`, with their validity.
fn jail_fields(is_defaults: bool) -> BoxedStrategy<Vec<(String, V)>> {
    let list = |s: BoxedStrategy<V>| proptest::collection::vec(s, 0..4);
    (
        (
            list(attr_path()),
            list(path(&["~/ro/", "/srv/ro/"])),
            list(path(&["~/rw/"])),
            list(path(&["~/.state/"])),
            proptest::collection::vec((env_name(), value()), 0..4),
            list(env_name()),
        ),
        (
            proptest::option::of(network()),
            proptest::option::of(flag()),
            proptest::option::of(flag()),
            list(pick(
                proptest::sample::select(&["gpu", "wayland", "pulse", "camera"][..])
                    .prop_map(str::to_owned),
                &["nope", "GPU", "gpu; x"],
            )),
            proptest::option::of(pick(
                proptest::sample::select(&["protect", "open"][..]).prop_map(str::to_owned),
                &["closed", "open\""],
            )),
            proptest::option::of(list(pick(
                prop_oneof![
                    Just("*.pem".to_owned()),
                    Just(".env.*".to_owned()),
                    Just("secrets/**".to_owned()),
                    seg().prop_map(|s| format!("h/{s}")),
                ],
                &["../x", "/abs", "", "a/../b"],
            ))),
            proptest::bool::weighted(0.03),
        ),
    )
        .prop_map(
            move |((pkgs, ro, rw, cfg, env, fwd), (net, nix, ses, comb, git, hide, unknown))| {
                let mut f: Vec<(String, V)> = Vec::new();
                let seq = |items: &[V]| -> V {
                    let mut uniq: Vec<&V> = Vec::new();
                    for v in items {
                        if !uniq.iter().any(|u| u.text == v.text) {
                            uniq.push(v);
                        }
                    }
                    V {
                        text: format!(
                            "[{}]",
                            uniq.iter()
                                .map(|v| yq(&v.text))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        bad: uniq.iter().any(|v| v.bad),
                    }
                };
                if !pkgs.is_empty() {
                    f.push(("packages".into(), seq(&pkgs)));
                }
                if !ro.is_empty() {
                    f.push(("readonly".into(), seq(&ro)));
                }
                if !rw.is_empty() {
                    f.push(("readwrite".into(), seq(&rw)));
                }
                if !cfg.is_empty() {
                    f.push(("config_paths".into(), seq(&cfg)));
                }
                if !env.is_empty() {
                    let mut seen: Vec<&str> = Vec::new();
                    let mut entries = Vec::new();
                    let mut is_bad = false;
                    for (k, v) in &env {
                        if seen.contains(&k.text.as_str()) {
                            continue;
                        }
                        seen.push(&k.text);
                        is_bad |= k.bad;
                        entries.push(format!("{}: {}", yq(&k.text), yq(v)));
                    }
                    f.push((
                        "env".into(),
                        V {
                            text: format!("{{ {} }}", entries.join(", ")),
                            bad: is_bad,
                        },
                    ));
                }
                if !fwd.is_empty() {
                    f.push(("forward_env".into(), seq(&fwd)));
                }
                for (k, v) in [("network", net), ("nix", nix), ("new_session", ses)] {
                    if let Some(v) = v {
                        f.push((k.into(), v));
                    }
                }
                if !comb.is_empty() {
                    f.push(("combinators".into(), seq(&comb)));
                }
                if let Some(g) = git {
                    f.push((
                        "git".into(),
                        V {
                            text: yq(&g.text),
                            bad: g.bad,
                        },
                    ));
                }
                if let Some(h) = hide {
                    f.push(("hide".into(), seq(&h)));
                }
                if unknown {
                    f.push(("netwrok".into(), bad("true")));
                }
                let _ = is_defaults;
                f
            },
        )
        .boxed()
}

/// One jail: a preset (sometimes with a package override) or a custom agent.
fn jail() -> impl Strategy<Value = Vec<(String, V)>> {
    let presets = &[
        "amp",
        "claude-code",
        "codex",
        "crush",
        "cursor-agent",
        "gemini-cli",
        "goose",
        "opencode",
        "pi",
        "qwen-code",
    ][..];
    (
        prop_oneof![
            6 => proptest::sample::select(presets).prop_map(|p| Some(good(p))),
            1 => proptest::sample::select(&["claud", "Codex", "codex\""][..]).prop_map(|p| Some(bad(p))),
            2 => Just(None),
        ],
        proptest::option::of(attr_path()),
        jail_fields(false),
        proptest::collection::vec(path(&["~/.custom/"]), 1..3),
    )
        .prop_map(|(agent, package, mut fields, custom_cfg)| {
            let mut f = Vec::new();
            match agent {
                Some(a) => {
                    f.push((
                        "agent".to_owned(),
                        V {
                            text: yq(&a.text),
                            bad: a.bad,
                        },
                    ));
                    if let Some(p) = package {
                        f.push((
                            "package".to_owned(),
                            V {
                                text: yq(&p.text),
                                bad: p.bad,
                            },
                        ));
                    }
                }
                None => {
                    // A custom agent needs a package and state paths.
                    let p = package.unwrap_or_else(|| good("my-agent"));
                    f.push((
                        "package".to_owned(),
                        V {
                            text: yq(&p.text),
                            bad: p.bad,
                        },
                    ));
                    fields.retain(|(k, _)| k != "config_paths");
                    let bad_cfg = custom_cfg.iter().any(|v| v.bad);
                    let mut texts: Vec<String> = custom_cfg.iter().map(|v| yq(&v.text)).collect();
                    texts.dedup();
                    f.push((
                        "config_paths".to_owned(),
                        V {
                            text: format!("[{}]", texts.join(", ")),
                            bad: bad_cfg,
                        },
                    ));
                }
            }
            f.extend(fields);
            f
        })
}

#[derive(Debug, Clone)]
struct Spec {
    yaml: String,
    bad: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        proptest::option::of(jail_fields(true)),
        proptest::collection::vec(
            (
                pick(
                    "[a-z][a-z0-9]{0,5}".prop_map(|s| s),
                    &["a b", "${x}", "-rf", "a\"b", "é", "", "a/b"],
                ),
                jail(),
            ),
            1..5,
        ),
    )
        .prop_map(|(defaults, jails)| {
            let mut yaml = String::from("version: 1\n");
            let mut bad_spec = false;
            if let Some(d) = &defaults {
                yaml.push_str("defaults:\n");
                for (k, v) in d {
                    yaml.push_str(&format!("  {k}: {}\n", v.text));
                    bad_spec |= v.bad;
                }
            }
            yaml.push_str("jails:\n");
            for (i, (name, fields)) in jails.iter().enumerate() {
                // A unique suffix keeps valid names distinct.
                let name_text = if name.bad {
                    name.text.clone()
                } else {
                    format!("{}-{i}", name.text)
                };
                bad_spec |= name.bad;
                yaml.push_str(&format!("  {}:\n", yq(&name_text)));
                for (k, v) in fields {
                    yaml.push_str(&format!("    {k}: {}\n", v.text));
                    bad_spec |= v.bad;
                }
            }
            Spec {
                yaml,
                bad: bad_spec,
            }
        })
}

/// The assertions shared with the fuzz target. Returns whether the spec was accepted.
fn pipeline(src: &str) -> bool {
    match jailgen::parse_and_validate(src, "random.yaml") {
        Err(err) => {
            let report = jailgen::error::render_report(&err, false);
            assert!(
                report.contains("random.yaml"),
                "a refusal that does not name the file:\n{report}"
            );
            assert!(
                jailgen::generate(src, "random.yaml").is_err(),
                "a refused spec produced output:\n{src}"
            );
            false
        }
        Ok(spec) => {
            let model = jailgen::model::build(&spec).expect("a validated spec builds a model");
            let text = jailgen::render::render_jails(&model, "random.yaml").expect("renders");
            jailgen::selfcheck::check("jails.nix", &text).expect("selfcheck");
            let again = jailgen::generate(src, "random.yaml").expect("generate agrees");
            assert_eq!(again, text, "two renders differ");
            let _ = literals(&text).unwrap_or_else(|e| panic!("{e}"));
            true
        }
    }
}

/// Values the YAML holds for `env`, `readonly`, `readwrite`, re-read from the flow text we wrote.
fn values_in(src: &str) -> Vec<String> {
    let spec = jailgen::spec::parse(src).expect("parses");
    let mut out = Vec::new();
    let jails: Vec<&jailgen::spec::JailSpec> = spec.jails.value.iter().map(|(_, j)| j).collect();
    // A defaults env value shows unless every jail overrides its name.
    if let Some(d) = &spec.defaults {
        for (k, v) in d.env.iter().flat_map(|m| m.iter()) {
            let overridden_everywhere = jails.iter().all(|j| {
                j.env
                    .iter()
                    .flat_map(|m| m.iter())
                    .any(|(jk, _)| jk.value == k.value)
            });
            if !overridden_everywhere {
                out.push(v.value.clone());
            }
        }
        for p in d.readonly.iter().chain(&d.readwrite).flatten() {
            out.push(p.value.clone());
        }
    }
    for j in jails {
        for (_, v) in j.env.iter().flat_map(|m| m.iter()) {
            out.push(v.value.clone());
        }
        for p in j.readonly.iter().chain(&j.readwrite).flatten() {
            out.push(p.value.clone());
        }
    }
    out
}

proptest! {
    #![proptest_config(Config { cases: 192, ..Config::default() })]

    #[test]
    fn valid_specs_render_and_invalid_ones_are_refused(s in spec()) {
        let accepted = pipeline(&s.yaml);
        if s.bad {
            prop_assert!(!accepted, "an invalid value was accepted:\n{}", s.yaml);
        } else {
            prop_assert!(accepted, "a valid spec was refused:\n{}\n{}", s.yaml,
                jailgen::error::render_report(
                    &jailgen::parse_and_validate(&s.yaml, "random.yaml").unwrap_err(), false));
            let text = jailgen::generate(&s.yaml, "random.yaml").expect("renders");
            let lits = literals(&text).unwrap_or_else(|e| panic!("{e}"));
            for v in values_in(&s.yaml) {
                // Paths are normalised only by `//`, `/./` and a trailing `/`, which these lack.
                prop_assert!(lits.contains(&v), "`{v:?}` is not a literal of\n{text}");
            }
        }
    }

    #[test]
    fn mangled_specs_never_panic_and_refusals_produce_nothing(
        s in spec(),
        cut in 0usize..4096,
        flips in proptest::collection::vec((0usize..4096, any::<u8>()), 0..4),
        dup in proptest::option::of(0usize..64),
    ) {
        let mut bytes = s.yaml.into_bytes();
        for (at, b) in flips {
            if !bytes.is_empty() {
                let i = at % bytes.len();
                bytes[i] = b;
            }
        }
        if let Some(line) = dup {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let l = lines[line % lines.len()];
                let mut v: Vec<&str> = lines.clone();
                v.insert(line % lines.len(), l);
                bytes = v.join("\n").into_bytes();
            }
        }
        bytes.truncate(bytes.len().saturating_sub(cut % (bytes.len() + 1)));
        let src = String::from_utf8_lossy(&bytes);
        pipeline(&src);
    }
}

/// The generator is not vacuous: both valid and invalid specs occur often, and the valid ones
/// carry jails with several keys.
#[test]
fn the_generator_makes_both_valid_and_invalid_specs() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = spec();
    let (mut valid, mut invalid, mut lines) = (0, 0, 0);
    for _ in 0..300 {
        let s = strategy.new_tree(&mut runner).expect("tree").current();
        let accepted = pipeline(&s.yaml);
        assert_eq!(accepted, !s.bad, "{}", s.yaml);
        if accepted {
            valid += 1;
            lines += s.yaml.lines().count();
        } else {
            invalid += 1;
        }
    }
    assert!(
        valid >= 60 && invalid >= 60,
        "valid {valid}, invalid {invalid}"
    );
    assert!(
        lines / valid >= 8,
        "valid specs are too small: {} lines",
        lines / valid
    );
}
