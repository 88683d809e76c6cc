# Wires the jailgen library to the test doubles, for nix/tests/*.nix and the cargo tests.
#
#   host              pkgs double in host mode (tools in /usr) with the host base permissions,
#                     so `.text` runs with real bash + bwrap
#   bubblewrapPrefix  a directory holding bin/bwrap, used instead of bubblewrap (host mode)
#   launcher          a directory holding bin/jailgen-launch (one built by cargo), used instead
#                     of nix/launcher.nix
#   jailNix           a jail.nix checkout to use instead of the double (JAILGEN_JAIL_NIX)
#   nixpkgsLib        nixpkgs' real lib/ to use instead of the double's (JAILGEN_NIXPKGS_LIB)
{
  host ? false,
  bubblewrapPrefix ? null,
  launcher ? null,
  jailNix ? null,
  nixpkgsLib ? null,
  system ? "x86_64-linux",
}:
let
  pkgs = import ./doubles/pkgs.nix {
    inherit
      host
      bubblewrapPrefix
      system
      nixpkgsLib
      ;
  };
  jailDouble = import ./doubles/jail-nix;
  jailLib = if jailNix == null then jailDouble else import jailNix { };
  jail =
    if host then
      jailLib.extend {
        inherit pkgs;
        basePermissions = jailDouble.hostBase;
      }
    else
      jailLib.init pkgs;
  agentPackages = (import ./doubles/llm-agents.nix).packages.${system};
  jailgen = import ../lib (
    {
      inherit pkgs jail agentPackages;
    }
    // pkgs.lib.optionalAttrs (launcher != null) {
      launcher = {
        type = "derivation";
        name = "jailgen-launch";
        outPath = launcher;
        meta.mainProgram = "jailgen-launch";
      };
    }
  );
in
{
  inherit
    pkgs
    jail
    agentPackages
    jailgen
    ;
}
