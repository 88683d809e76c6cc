{
  description = "jailgen: LLM coding agents in bubblewrap jails, declared in YAML; a drop-in superset of jailed-agents";

  # llm-agents' prebuilt agents (numtide's binary cache), as jailed-agents' flake has it. Nix asks
  # whether to use it (`accept-flake-config`); saying yes fetches agent binaries built by numtide
  # instead of compiling them (codex, goose) here, which means trusting numtide's builders and
  # signing key. Only users in `trusted-users` can accept it; others build from source.
  nixConfig = {
    extra-substituters = [ "https://cache.numtide.com" ];
    extra-trusted-public-keys = [ "niks3.numtide.com-1:DTx8wZduET09hRmMtKdQDxNNthLQETkc/yaX7M4qK0g=" ];
  };

  # Runtime inputs only. jail.nix has no inputs of its own, so there is nothing to follow.
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    jail-nix.url = "sourcehut:~alexdavid/jail.nix";
    llm-agents.url = "github:numtide/llm-agents.nix";
  };

  outputs =
    {
      self,
      nixpkgs,
      jail-nix,
      llm-agents,
    }:
    let
      inherit (nixpkgs) lib;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = lib.genAttrs systems;
      # nixpkgs evaluated once per system and shared by every output.
      pkgsBySystem = forAllSystems (
        system:
        import nixpkgs {
          inherit system;
          config.allowUnfree = true;
        }
      );
      pkgsFor = system: pkgsBySystem.${system};
    in
    {
      lib = forAllSystems (
        system:
        let
          pkgs = pkgsFor system;
        in
        import ./nix/lib {
          inherit pkgs;
          jail = jail-nix.lib.init pkgs;
          agentPackages = llm-agents.packages.${system};
        }
      );

      packages = forAllSystems (
        system:
        let
          pkgs = pkgsFor system;
          jailgenLib = self.lib.${system};
          jailgen = pkgs.callPackage ./nix/package.nix { };
          # A preset whose package this llm-agents lacks (hermes-agent before 2026-03) has a
          # builder that asks for `pkg`, and no package here.
          available = lib.filterAttrs (
            _: spec: jailgenLib.agentPackages ? ${spec.package}
          ) jailgenLib.presets;
          # The launcher every jail's wrapper runs (the library builds the same one).
          jailgen-launch = pkgs.callPackage ./nix/launcher.nix { };
          jailed = lib.mapAttrs' (
            preset: spec: lib.nameValuePair "jailed-${preset}" (jailgenLib.${spec.builder} { })
          ) available;
        in
        jailed
        // {
          inherit jailgen jailgen-launch;
          default = jailgen;
        }
      );

      devShells = forAllSystems (
        system:
        let
          pkgs = pkgsFor system;
        in
        {
          default = pkgs.mkShell {
            packages = [
              pkgs.cargo
              pkgs.rustc
              pkgs.clippy
              pkgs.rustfmt
              pkgs.rust-analyzer
              pkgs.nix
              pkgs.nixfmt
              pkgs.deadnix
              pkgs.bubblewrap
              pkgs.libseccomp
              pkgs.shellcheck
            ];
          };
        }
      );

      formatter = forAllSystems (system: (pkgsFor system).nixfmt);

      # `nix flake init -t github:jailgen/jailgen`: the same files as `jailgen init`
      # (tests/golden.rs keeps them identical).
      templates.default = {
        path = ./nix/template;
        description = "jails.yaml, the jails.nix rendered from it and a flake that checks they agree";
      };

      checks = forAllSystems (
        system:
        import ./nix/checks.nix {
          pkgs = pkgsFor system;
          inherit (self.packages.${system}) jailgen;
        }
      );
    };
}
