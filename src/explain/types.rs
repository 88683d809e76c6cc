//! The JSON types of `jailgen explain` and `jailgen agents` (the shape documented in
//! [`super`]): data only, filled by [`super::derive`] and written by [`super::print`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::exposure;
use crate::model::GitPolicy;

/// The version of the JSON shape.
pub const JSON_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub version: u32,
    pub jails: Vec<JailExplanation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JailExplanation {
    pub name: String,
    pub agent: Agent,
    pub mounts: Vec<Mount>,
    pub working_directory: WorkingDirectory,
    pub home: &'static str,
    /// Anything beyond loopback (every mode but `false`).
    pub network: bool,
    /// `internet` (the default), `host`, `allowlist` or `off`.
    pub network_mode: &'static str,
    /// The user-mode stack of `internet`: `slirp4netns` or `pasta`.
    pub network_stack: Option<&'static str>,
    /// `allowlist`: what the proxy relays to, sets expanded, as the policy holds it.
    pub network_allow: Vec<String>,
    /// Ports of the host's loopback the jail reaches at its own 127.0.0.1.
    pub host_ports: Vec<u16>,
    /// `allowlist`: where each session's refusals are logged.
    pub network_log: Option<String>,
    /// What `network` means for this jail, combinators and the Nix daemon included.
    pub network_effect: String,
    pub nix_daemon: bool,
    /// What `nix: true` gives and when the launch refuses it (absent when off).
    pub nix_daemon_effect: Option<&'static str>,
    pub env: Env,
    pub path: PathPackages,
    pub combinators: Vec<CombinatorUse>,
    pub new_session: bool,
    pub terminal: &'static str,
    pub seccomp: &'static str,
    pub accepted_risks: Vec<AcceptedRisk>,
    pub caveats: Vec<String>,
    /// Paths the preset's agent writes that are not kept (lost with the tmpfs home), with why.
    pub not_persisted: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Agent {
    pub preset: Option<String>,
    pub package: String,
    pub binary: Option<String>,
    pub builder: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Readonly,
    WorkingDirectory,
    State,
    Readwrite,
    ReadonlyAgain,
    Nix,
    GitConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    Always,
    IfPresent,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mount {
    pub path: String,
    pub access: Access,
    pub source: Source,
    pub when: When,
    pub shadowed_by: Option<String>,
}

/// The placeholder path of the working directory in [`Mount::path`].
pub const WORKING_DIRECTORY: &str = "<working directory>";

#[derive(Debug, Clone, Serialize)]
pub struct WorkingDirectory {
    pub guard: &'static str,
    pub git: GitPolicy,
    pub git_effect: &'static str,
    pub hidden: Vec<String>,
    /// What the hide patterns do not cover.
    pub hidden_gaps: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Env {
    /// Name → the value inside the jail (literal, or `$HOME/…`, or `$LANG or C.UTF-8`).
    pub set: BTreeMap<String, String>,
    pub forwarded: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PathPackages {
    pub agent: String,
    pub extra: Vec<String>,
    pub common: Vec<String>,
    pub nix: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CombinatorUse {
    pub name: String,
    pub summary: String,
    pub risk: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AcceptedRisk {
    pub path: String,
    pub relation: exposure::Relation,
    pub location: &'static str,
    pub reason: String,
}

/// One preset as `jailgen agents` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AgentInfo {
    pub name: String,
    pub command: String,
    pub package: String,
    pub binary: String,
    pub builder: String,
    pub state_paths: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub credential_env: Vec<String>,
    /// The preset's API and login hosts (what the network set `agent` allows for it).
    pub hosts: Vec<String>,
    pub caveats: Vec<String>,
    pub confidence: String,
    pub unfree: bool,
    /// Paths the agent writes that are not kept, with why.
    pub not_persisted: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Agents {
    pub version: u32,
    pub agents: Vec<AgentInfo>,
    /// The allowlist's named sets besides `agent` (nix/lib/network-sets.json).
    pub network_sets: Vec<NetworkSetInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NetworkSetInfo {
    pub name: String,
    pub description: String,
    pub hosts: Vec<String>,
}
