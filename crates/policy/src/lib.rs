//! jailgen's jail policy, stated once: the policy types and their JSON reading
//! ([`policy`]), the defaults Nix and Rust share ([`defaults`]), the one function that turns
//! a policy and the host's state into the runtime part of the bwrap call ([`plan`]), the
//! environment precedence ([`env`]), the hide rule ([`hide`]) and the seccomp program
//! ([`seccomp`]). Nothing here assumes Nix: a `jailgen run` without Nix can drive the same
//! plan. The contract is crates/POLICY.md.

pub mod defaults;
pub mod env;
pub mod hide;
pub mod json;
pub mod plan;
pub mod policy;
pub mod seccomp;

pub use plan::{Fd, Host, Op, Plan, grant_order, grants_parents_first, plan, symbolic, to_args};
pub use policy::{
    Env, Git, GrantPath, NetStack, Network, Policy, PolicyError, StateKind, StatePath, Tls,
};
