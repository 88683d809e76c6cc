# One jail built from a jailed-agents call, in host mode, for tests/compat.rs to run with real
# bash and bwrap. `call` is Nix text using jailed-agents' own spelling:
# `jailed-agents.lib.${system}.makeJailedOpencode { ... }`, `pkgs.nodejs`, `combinators.x`.
# Every agent package, and the packages the README names that the double lacks, is the host's
# bash (/usr/bin/bash), so the jail's entry runs the test's script.
{
  call,
  # A directory holding bin/jailgen-launch (tests/common: built by cargo).
  launcher,
  jailNix ? null,
  # Drop this llm-agents package (the missing-package error of a preset builder).
  withoutAgent ? null,
}:
let
  h = import ./harness.nix {
    host = true;
    inherit launcher jailNix;
  };
  bash = {
    type = "derivation";
    name = "bash";
    pname = "bash";
    outPath = "/usr";
    meta.mainProgram = "bash";
  };
  tool = name: {
    type = "derivation";
    inherit name;
    pname = name;
    outPath = "/usr";
  };
  agentPackages = removeAttrs (builtins.mapAttrs (_: _: bash) h.agentPackages) (
    if withoutAgent == null then [ ] else [ withoutAgent ]
  );
  jailgen = import ../lib {
    inherit (h) pkgs jail;
    inherit agentPackages;
    inherit (h.jailgen.internals) launcher;
  };
  system = "x86_64-linux";
  pkgs =
    h.pkgs
    // {
      opencode_2_0 = bash;
      my-agent-package = bash;
    }
    // builtins.listToAttrs (
      map
        (n: {
          name = n;
          value = tool n;
        })
        [
          "pandoc"
          "ffmpeg"
          "go"
          "gopls"
          "golangci-lint"
          "go-task"
          "libgcc"
          "gcc"
        ]
    );
  jailed-agents.lib.${system} = jailgen;
  inherit (jailgen.internals.jail) combinators;
  jail = builtins.scopedImport {
    inherit
      pkgs
      jailed-agents
      system
      combinators
      ;
  } (builtins.toFile "call.nix" call);
in
{
  inherit (jail) name text;
}
