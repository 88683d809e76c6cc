{
  description = "jailgen: LLM coding agents in bubblewrap jails, declared in YAML; a drop-in superset of jailed-agents";

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
      pkgsFor =
        system:
        import nixpkgs {
          inherit system;
          config.allowUnfree = true;
        };
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
          # The launcher every jail's wrapper runs (the library builds the same one).
          jailgen-launch = pkgs.callPackage ./nix/launcher.nix { };
          jailed = lib.mapAttrs' (
            preset: spec: lib.nameValuePair "jailed-${preset}" (jailgenLib.${spec.builder} { })
          ) jailgenLib.presets;
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

      checks = forAllSystems (
        system:
        import ./nix/checks.nix {
          pkgs = pkgsFor system;
          inherit (self.packages.${system}) jailgen;
        }
      );
    };
}
