# The jailgen Nix library: exports only. A plain function of its dependencies, so that flake.nix
# wires the real inputs and the tests wire doubles (nix/tests/doubles).
{
  pkgs,
  jail,
  agentPackages,
  # The launcher every wrapper runs; overridable so that tests can run one built by cargo.
  launcher ? pkgs.callPackage ../launcher.nix { },
}:
let
  inherit (pkgs) lib;

  presets = builtins.fromJSON (builtins.readFile ./agents.json);
  knownCombinators = builtins.attrNames (builtins.fromJSON (builtins.readFile ./combinators.json));
  defaults = builtins.fromJSON (builtins.readFile ./defaults.json);

  paths = import ./paths.nix { inherit lib; };
  fastNetwork = import ./fast-network.nix { inherit jail; };
  # One value, referenced (not selected again) by commonJailOptions and compat.nix's
  # networkOptions: Nix finds a function in a list only by identity.
  networkHostname = fastNetwork.hostname;
  common = import ./common.nix {
    inherit pkgs jail;
    hostname = networkHostname;
  };

  openUrls = import ./open-urls.nix { inherit pkgs jail; };

  # jailed-agents' argument names (compat.nix) in front of the native function.
  makeJailedAgent = import ./compat.nix {
    inherit lib;
    openUrls = openUrls.permission;
    # What puts a jail on the network when it sits in a caller's baseJailOptions.
    networkOptions = [
      jail.combinators.network
      networkHostname
    ];
  } makeNativeJailedAgent;

  makeNativeJailedAgent = import ./make-jailed-agent.nix {
    inherit
      lib
      pkgs
      jail
      paths
      fastNetwork
      launcher
      defaults
      knownCombinators
      ;
    inherit (common) commonPkgs;
  };

  builders = import ./presets.nix {
    inherit
      lib
      pkgs
      presets
      agentPackages
      makeJailedAgent
      ;
  };
in
builders
// {
  inherit
    makeJailedAgent
    agentPackages
    presets
    ;
  inherit (common) commonPkgs commonJailOptions;
  openUrls = openUrls.permission;
  internals = {
    openUrlsHandler = openUrls.handler;
    inherit
      jail
      paths
      fastNetwork
      launcher
      defaults
      knownCombinators
      ;
  };
}
