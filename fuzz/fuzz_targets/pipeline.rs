//! Arbitrary bytes → load → validate → model → render → rnix parse.
//!
//! Failures: any panic; a rendered file rnix cannot parse; any output from an input that
//! validation rejected; two renders of one input that differ.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // `jailgen` reads specs with `read_to_string`: non-UTF-8 files are refused before parsing.
    // Keep them useful by also feeding their lossy decoding.
    let owned;
    let src = match std::str::from_utf8(data) {
        Ok(s) => s,
        Err(_) => {
            owned = String::from_utf8_lossy(data).into_owned();
            &owned
        }
    };
    match jailgen::parse_and_validate(src, "fuzz.yaml") {
        Err(err) => {
            // Rejected: the diagnostic must render, and nothing may be produced from it.
            let _ = jailgen::error::render_report(&err, false);
            assert!(
                jailgen::generate(src, "fuzz.yaml").is_err(),
                "a rejected spec produced output"
            );
        }
        Ok(spec) => {
            let model = match jailgen::model::build(&spec) {
                Ok(m) => m,
                Err(e) => panic!(
                    "validated spec failed in the model: {}",
                    jailgen::error::render_report(&e, false)
                ),
            };
            let text = match jailgen::render::render_jails(&model, "fuzz.yaml") {
                Ok(t) => t,
                Err(e) => panic!(
                    "validated spec failed to render: {}",
                    jailgen::error::render_report(&e, false)
                ),
            };
            let parse = rnix::Root::parse(&text);
            assert!(
                parse.errors().is_empty(),
                "rendered Nix does not parse: {:?}\n{text}",
                parse.errors()
            );
            match jailgen::generate(src, "fuzz.yaml") {
                Ok(again) => assert_eq!(again, text, "two renders of one spec differ"),
                Err(e) => panic!(
                    "generate refused a spec that validated and rendered: {}",
                    jailgen::error::render_report(&e, false)
                ),
            }
        }
    }
});
