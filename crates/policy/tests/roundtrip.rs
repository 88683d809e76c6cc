//! Property tests of the policy file: any policy the types can hold is written by `to_json`
//! and read back unchanged, and the reader never panics on arbitrary text.

use jailgen_policy::json;
use jailgen_policy::{Git, GrantPath, Network, Policy, StateKind, StatePath};
use proptest::prelude::*;

fn component() -> impl Strategy<Value = String> {
    // Anything but `/`, NUL and newline; not `.` or `..`.
    "[^/\u{0}\n]{1,12}".prop_filter("not . or ..", |c| c != "." && c != "..")
}

fn grant() -> impl Strategy<Value = GrantPath> {
    (any::<bool>(), prop::collection::vec(component(), 0..4)).prop_map(|(home, cs)| {
        let text = if home {
            if cs.is_empty() {
                "~".to_string()
            } else {
                format!("~/{}", cs.join("/"))
            }
        } else {
            format!("/{}", cs.join("/"))
        };
        GrantPath::parse(&text).expect("generated paths are normalised")
    })
}

fn env_name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,8}"
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        prop::collection::vec(grant(), 0..4),
        prop::collection::vec(grant(), 0..3),
        prop::collection::vec((grant(), any::<bool>()), 0..3),
        // Names are unique within `set` and `home` (JSON object keys).
        prop::collection::btree_map(env_name(), "[^\u{0}]{0,10}", 0..3),
        prop::collection::btree_map(env_name(), component(), 0..2),
        prop::collection::vec(env_name(), 0..3),
        prop::collection::vec(
            "[^/\u{0}\n]{1,8}(/[^/\u{0}\n]{1,8})?"
                .prop_filter("no ..", |p| !p.split('/').any(|c| c == "..")),
            0..3,
        ),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        prop::option::of("/[^\u{0}]{0,20}"),
    )
        .prop_map(|(ro, rw, state, set, home, forward, hide, flags, bundle)| {
            let mut p = Policy::new("jailed-x");
            p.readonly = ro;
            p.readwrite = rw;
            p.state = state
                .into_iter()
                .map(|(path, file)| StatePath {
                    path,
                    kind: if file {
                        StateKind::File
                    } else {
                        StateKind::Dir
                    },
                })
                .collect();
            p.env.set = set.into_iter().collect();
            p.env.home = home.into_iter().collect();
            p.env.forward = forward;
            p.hide = hide;
            p.git = if flags.0 { Git::Protect } else { Git::Open };
            p.network = if flags.1 {
                Network::Shared
            } else {
                Network::Isolated
            };
            p.nix = flags.2;
            p.new_session = flags.3;
            p.seccomp = flags.4;
            p.tls.host_ssl = flags.5;
            p.tls.ca_bundle = bundle;
            p
        })
}

proptest! {
    #[test]
    fn to_json_reads_back_unchanged(p in policy()) {
        let text = p.to_json();
        let back = Policy::from_json(&text);
        prop_assert_eq!(back.as_ref(), Ok(&p), "{}", text);
    }

    #[test]
    fn the_reader_never_panics(text in "[\\[\\]{}\",:0-9a-z\\\\u ]{0,40}") {
        let _ = json::parse(&text);
        let _ = Policy::from_json(&text);
    }

    #[test]
    fn any_string_round_trips_through_quote(s in "\\PC{0,30}|[\u{0}-\u{1f}\"\\\\]{0,10}") {
        prop_assert_eq!(json::parse(&json::quote(&s)), Ok(json::Value::Str(s.clone())));
    }
}
