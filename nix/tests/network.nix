# The allowlist's named sets expand from agents.json and network-sets.json.
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h.pkgs) lib;
  inherit (h) jailgen pkgs throws;
  network = import ../lib/network.nix { inherit lib; };
  agent =
    args:
    jailgen.makeJailedAgent (
      {
        name = "my-agent";
        pkg = pkgs.hello;
        configPaths = [ ];
      }
      // args
    );
  policyNetwork = j: (h.policyOf j).network;
  refused = args: throws [ (builtins.toJSON (agent args).policy) ];
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
  "test: the default network is written as true (the host's network until the library names a stack)" =
    {
      expr = policyNetwork (agent { });
      expected = true;
    };
  "test: network = host is written as host" = {
    expr = policyNetwork (agent {
      network = "host";
    });
    expected = "host";
  };
  "test: an allowlist of a preset expands agent and registries and carries the host ports" = {
    expr = policyNetwork (
      jailgen.makeJailedCodex {
        network.allow = [
          "agent"
          "registries"
          "docs.rs"
        ];
        hostPorts = [
          11434
          11434
        ];
      }
    );
    expected = {
      allow = presets.codex.hosts ++ sets.registries.hosts ++ [ "docs.rs" ];
      hostPorts = [ 11434 ];
    };
  };
  "test: an allowlist jail does not share the host's network namespace; host does" = {
    expr = map (net: builtins.any (c: c.name == "share-ns") (agent { network = net; }).calls) [
      { allow = [ "docs.rs" ]; }
      "host"
      true
    ];
    expected = [
      false
      true
      true
    ];
  };
  "test: agent in an allowlist without a preset is refused" = {
    expr = refused { network.allow = [ "agent" ]; };
    expected = true;
  };
  "test: bad network values and host ports are refused" = {
    expr = map refused [
      { network = "hosts"; }
      { network.allowed = [ "docs.rs" ]; }
      { network.allow = "docs.rs"; }
      { hostPorts = [ 11434 ]; }
      {
        network.allow = [ ];
        hostPorts = [ 0 ];
      }
      {
        network.allow = [ ];
        hostPorts = [ "11434" ];
      }
    ];
    expected = [
      true
      true
      true
      true
      true
      true
    ];
  };
}
