# Written by `jailgen init`. Yours to edit: jailgen only regenerates jails.nix.
{
  description = "LLM coding agents in bubblewrap jails, declared in jails.yaml";

  # Prebuilt agents from llm-agents (numtide's binary cache). Nix asks before using it; answer
  # yes only if you trust numtide to build what you run, or delete these lines and build locally.
  nixConfig = {
    extra-substituters = [ "https://cache.numtide.com" ];
    extra-trusted-public-keys = [ "niks3.numtide.com-1:DTx8wZduET09hRmMtKdQDxNNthLQETkc/yaX7M4qK0g=" ];
  };

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    jailgen.url = "github:jailgen/jailgen";
    jailgen.inputs.nixpkgs.follows = "nixpkgs";
  };

  outputs =
    { nixpkgs, jailgen, ... }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = nixpkgs.lib.genAttrs systems;
      # nixpkgs is evaluated once per system, and shared by every output.
      pkgs = forAllSystems (
        system:
        import nixpkgs {
          inherit system;
          config.allowUnfree = true;
        }
      );
      jails = forAllSystems (
        system:
        import ./jails.nix {
          pkgs = pkgs.${system};
          jailgen = jailgen.lib.${system};
        }
      );
    in
    {
      packages = jails;
      devShells = forAllSystems (system: {
        default = pkgs.${system}.mkShell {
          packages = builtins.attrValues jails.${system};
        };
      });
      # `nix flake check` fails, printing the diff, when jails.nix no longer matches jails.yaml.
      checks = forAllSystems (system: {
        jails =
          pkgs.${system}.runCommand "jails-nix-matches-jails-yaml"
            {
              nativeBuildInputs = [ jailgen.packages.${system}.jailgen ];
            }
            ''
              cp ${./jails.yaml} jails.yaml
              cp ${./jails.nix} jails.nix
              jailgen check jails.yaml --output jails.nix
              touch "$out"
            '';
      });
    };
}
