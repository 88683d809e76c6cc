//! Property: for arbitrary strings that validation accepts, in every string-valued field, the
//! rendered Nix parses with rnix without errors, contains no interpolation, and each string
//! literal decodes back to exactly the input.

use proptest::prelude::*;
use rnix::ast;

mod common;
use common::{literals, yq};

/// Any string without NUL (what an env value may be).
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\\\\"$}{'`;\n\r\t a-z]{0,12}".prop_map(String::from),
        Just("${".to_owned()),
        Just("$${x}\\${y}''${z}".to_owned()),
    ]
    .prop_map(|s| s.replace('\0', ""))
}

/// A path segment: no `/`, NUL or line break, not `.` or `..`, not empty.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\\\\"$}{'`;*? a-z.~]{1,8}".prop_map(String::from)
    ]
    .prop_map(|s| s.replace(['/', '\0', '\n', '\r'], ""))
    .prop_filter("a real segment", |s| !s.is_empty() && s != "." && s != "..")
}

/// An already-normal accepted path.
fn path() -> impl Strategy<Value = String> {
    (prop::bool::ANY, prop::collection::vec(segment(), 1..4))
        .prop_map(|(home, segs)| format!("{}{}", if home { "~/" } else { "/" }, segs.join("/")))
}

/// An accepted hide pattern.
fn hide() -> impl Strategy<Value = String> {
    prop::collection::vec(segment(), 1..3).prop_map(|segs| segs.join("/"))
}

fn env_name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,10}".prop_map(String::from)
}

fn command_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._+-]{0,10}".prop_map(String::from)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn accepted_strings_render_to_literals_that_decode_to_themselves(
        name in command_name(),
        value in any_text(),
        env_key in env_name(),
        fwd in env_name(),
        ro in path(),
        rw in path(),
        cfg in path(),
        h in hide(),
        header in any::<String>(),
    ) {
        prop_assume!(ro != rw && ro != cfg);
        let yaml = format!(
            "version: 1\njails:\n  {}:\n    package: some.pkg\n    config_paths: [{}]\n    readonly: [{}]\n    readwrite: [{}]\n    env: {{ {}: {} }}\n    forward_env: [{}]\n    hide: [{}]\n",
            yq(&name), yq(&cfg), yq(&ro), yq(&rw), env_key, yq(&value), fwd, yq(&h)
        );
        let spec = jailgen::parse_and_validate(&yaml, "p.yaml")
            .map_err(|e| TestCaseError::fail(jailgen::error::render_report(&e, false)))?;
        let model = jailgen::model::build(&spec)
            .map_err(|e| TestCaseError::fail(jailgen::error::render_report(&e, false)))?;
        let nix = jailgen::render::render_jails(&model, &header)
            .map_err(|e| TestCaseError::fail(jailgen::error::render_report(&e, false)))?;
        let lits = literals(&nix).map_err(TestCaseError::fail)?;
        for expected in [&name, &value, &fwd, &ro, &rw, &cfg, &h] {
            prop_assert!(lits.contains(expected), "`{:?}` not among decoded literals {:?}\n{}", expected, lits, nix);
        }
        // The header cannot leak code: the file is still one lambda with one jail.
        let root = rnix::Root::parse(&nix).tree();
        let Some(ast::Expr::Lambda(lambda)) = root.expr() else {
            return Err(TestCaseError::fail(format!("not a lambda:\n{nix}")));
        };
        let Some(ast::Expr::AttrSet(set)) = lambda.body() else {
            return Err(TestCaseError::fail(format!("body not an attrset:\n{nix}")));
        };
        use rnix::ast::HasEntry;
        prop_assert_eq!(set.attrpath_values().count(), 1);
    }

    #[test]
    fn env_values_and_names_on_a_preset_round_trip(
        values in prop::collection::btree_map(env_name(), any_text(), 1..5),
    ) {
        let entries: Vec<String> = values.iter().map(|(k, v)| format!("{k}: {}", yq(v))).collect();
        let yaml = format!(
            "version: 1\njails:\n  jailed-codex:\n    agent: codex\n    env: {{ {} }}\n",
            entries.join(", ")
        );
        let nix = jailgen::generate(&yaml, "jails.yaml")
            .map_err(|e| TestCaseError::fail(jailgen::error::render_report(&e, false)))?;
        let lits = literals(&nix).map_err(TestCaseError::fail)?;
        for v in values.values() {
            prop_assert!(lits.contains(v), "{:?} missing from {:?}", v, lits);
        }
        // The same text through nixfmt is unchanged: arbitrary content never breaks the layout.
        prop_assert_eq!(nixfmt_rs::format(&nix).map_err(|e| TestCaseError::fail(format!("{e:?}")))?, nix);
    }
}

fn every_key_fixture() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/ok/every-key/jails.yaml"
    ))
    .expect("fixture")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any edit of a valid spec either renders Nix that parses, or is reported; never a panic
    /// and never a bug report.
    #[test]
    fn edited_specs_render_or_are_reported_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<String>()), 1..4),
    ) {
        let mut src = every_key_fixture();
        for (at, text) in edits {
            let mut i = at.index(src.len() + 1);
            while !src.is_char_boundary(i) {
                i -= 1;
            }
            src.insert_str(i, &text);
        }
        match jailgen::generate(&src, "jails.yaml") {
            Ok(nix) => prop_assert!(rnix::Root::parse(&nix).errors().is_empty(), "{}", nix),
            Err(e) => {
                let report = jailgen::error::render_report(&e, false);
                prop_assert!(!report.contains("bug in jailgen"), "{}", report);
            }
        }
    }
}
