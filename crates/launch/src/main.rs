//! jailgen-launch: see crates/POLICY.md. (The launcher is being written; this placeholder
//! reads the policy so the contract's types are exercised.)
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("jailgen: bug in jailgen: no policy file");
        std::process::exit(125);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    if let Err(e) = jailgen_policy::Policy::from_json(&text) {
        eprintln!("jailgen: bug in jailgen: `{path}`: {e}");
        std::process::exit(125);
    }
}
