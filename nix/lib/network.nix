# The allowlist's named sets, expanded into the rules the policy carries (issue 10):
#   agent       the preset's API and login hosts (`hosts` in agents.json)
#   registries  package registries and GitHub (network-sets.json)
# Any other entry is a rule as written (`docs.rs`, `*.githubusercontent.com`, `host:8443`);
# the launcher's proxy checks its syntax again at launch (crates/net/src/rules.rs), and
# crates/net/tests/data.rs checks that every entry of both files is a rule it accepts.
{ lib }:
let
  presets = builtins.fromJSON (builtins.readFile ./agents.json);
  sets = builtins.fromJSON (builtins.readFile ./network-sets.json);
in
{
  # expandAllow { preset = "claude-code" | null; allow = [ "agent" "registries" "docs.rs" ]; }
  #   -> [ "api.anthropic.com" … "registry.npmjs.org" … "docs.rs" ], first occurrence kept
  expandAllow =
    { preset, allow }:
    lib.unique (
      builtins.concatMap (
        entry:
        if entry == "agent" then
          lib.throwIf (preset == null || !(presets ? ${preset})) ''
            jailgen: network.allow names the set `agent`, but this jail has no preset, so there
            are no agent hosts to allow. Name the hosts instead, for example:
              network = { allow = [ "api.example.com" "registries" ]; };
          '' presets.${preset}.hosts
        else if sets ? ${entry} then
          sets.${entry}.hosts
        else
          [ entry ]
      ) allow
    );
  setNames = [ "agent" ] ++ builtins.attrNames sets;
}
