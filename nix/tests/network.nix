# The allowlist's named sets expand from agents.json and network-sets.json.
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h.pkgs) lib;
  network = import ../lib/network.nix { inherit lib; };
  presets = builtins.fromJSON (builtins.readFile ../lib/agents.json);
  sets = builtins.fromJSON (builtins.readFile ../lib/network-sets.json);
in
{
  "test: agent expands to the preset's hosts" = {
    expr = network.expandAllow {
      preset = "codex";
      allow = [ "agent" ];
    };
    expected = presets.codex.hosts;
  };
  "test: registries expands to the registries set, in order, after the agent hosts" = {
    expr = network.expandAllow {
      preset = "pi";
      allow = [
        "agent"
        "registries"
        "docs.rs"
      ];
    };
    expected = presets.pi.hosts ++ sets.registries.hosts ++ [ "docs.rs" ];
  };
  "test: a host named twice is kept once" = {
    expr = network.expandAllow {
      preset = null;
      allow = [
        "github.com"
        "registries"
        "github.com"
      ];
    };
    expected = [ "github.com" ] ++ builtins.filter (x: x != "github.com") sets.registries.hosts;
  };
  "test: agent without a preset is refused" = {
    expr =
      (builtins.tryEval (
        builtins.deepSeq (network.expandAllow {
          preset = null;
          allow = [ "agent" ];
        }) true
      )).success;
    expected = false;
  };
  "test: every preset has hosts" = {
    expr = builtins.filter (p: (presets.${p}.hosts or [ ]) == [ ]) (builtins.attrNames presets);
    expected = [ ];
  };
}
