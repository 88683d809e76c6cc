# Flake-shaped doubles of the inputs, for evaluating flake.nix outputs offline.
let
  pkgs = import ./pkgs.nix { };
  nixpkgs = {
    outPath = ./nixpkgs-flake;
    lib = pkgs.lib;
    legacyPackages = pkgs.lib.genAttrs [
      "x86_64-linux"
      "aarch64-linux"
    ] (system: import ./pkgs.nix { inherit system; });
  };
  jail-nix = {
    lib = import ./jail-nix;
  };
  llm-agents = import ./llm-agents.nix;
  # jailgen's own flake evaluated against the doubles above.
  jailgen =
    let
      outputs = (import ../../../flake.nix).outputs {
        self = outputs;
        inherit nixpkgs jail-nix llm-agents;
      };
    in
    outputs;
in
{
  inherit
    nixpkgs
    jail-nix
    llm-agents
    jailgen
    ;
}
