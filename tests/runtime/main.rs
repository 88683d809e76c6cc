//! The jail at run time, end to end: wrappers built by the jailgen library (nix-instantiate,
//! host mode: tools from /usr, the jail.nix double or real jail.nix), running the launcher built
//! by cargo (crates/launch), real bash and real bwrap. One module per concern; the launcher's own
//! tests (its plan, its refusals on hand-made policies) live in crates/launch/tests.
//!
//! Tools: bash, bwrap, nix-instantiate, git, gcc (for the pty probe). When one is missing the test
//! says so on stderr and returns, unless `CI=true` or `JAILGEN_REQUIRE_NIX=1`, where it fails.
//! The tests against real jail.nix need `JAILGEN_JAIL_NIX` (`.ci/run` sets it); without it they
//! say loudly that they were skipped, and under CI they fail.
//!
//! `cargo test --test runtime git::` runs one concern.

#[path = "../common/mod.rs"]
mod common;
mod support;

mod git;
mod guard;
mod hide;
mod library;
mod lock;
mod network;
mod probes;
mod state;
