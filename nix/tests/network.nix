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
  "test: an empty allowlist with host ports reaches those ports and nothing else" = {
    expr = policyNetwork (agent {
      network.allow = [ ];
      hostPorts = [ 11434 ];
    });
    expected = {
      allow = [ ];
      hostPorts = [ 11434 ];
    };
  };
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
  "test: the default network is true on slirp4netns from pkgs" = {
    expr = builtins.intersectAttrs {
      network = null;
      netStack = null;
    } (h.policyOf (agent { }));
    expected = {
      network = true;
      netStack.slirp4netns = "${h.pkgs.slirp4netns}/bin/slirp4netns";
    };
  };
  "test: netStack = pasta names pasta from passt" = {
    expr =
      (h.policyOf (agent {
        netStack = "pasta";
      })).netStack;
    expected.pasta = "${h.pkgs.passt}/bin/pasta";
  };
  "test: host ports with true are written as a map with the stack" = {
    expr =
      builtins.intersectAttrs
        {
          network = null;
          netStack = null;
        }
        (
          h.policyOf (agent {
            hostPorts = [
              11434
              11434
              8080
            ];
          })
        );
    expected = {
      network.hostPorts = [
        11434
        8080
      ];
      netStack.slirp4netns = "${h.pkgs.slirp4netns}/bin/slirp4netns";
    };
  };
  "test: only network = true carries a netStack" = {
    expr =
      map
        (
          net:
          (h.policyOf (agent {
            network = net;
          }))
            ? netStack
        )
        [
          false
          "host"
          { allow = [ "docs.rs" ]; }
        ];
    expected = [
      false
      false
      false
    ];
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
  "test: only network = host shares the host's network namespace" = {
    expr = map (net: builtins.any (c: c.name == "share-ns") (agent { network = net; }).calls) [
      { allow = [ "docs.rs" ]; }
      "host"
      true
      false
    ];
    expected = [
      false
      true
      false
      false
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
      {
        network = "host";
        hostPorts = [ 11434 ];
      }
      {
        network = false;
        hostPorts = [ 11434 ];
      }
      { netStack = "slirp"; }
      {
        network.allow = [ "docs.rs" ];
        hostPorts = [ 0 ];
      }
      {
        network.allow = [ "docs.rs" ];
        hostPorts = [ "11434" ];
      }
      { network.allow = [ ]; }
    ];
    expected = [
      true
      true
      true
      true
      true
      true
      true
      true
      true
    ];
  };
}
