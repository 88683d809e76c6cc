# One builder per preset in agents.json, named by its `builder` field. A builder takes every
# makeJailedAgent argument; `name`, `pkg` and `configPaths` default to the preset's, and the
# preset's `env` and `homeEnv` are applied under the caller's own. The preset's
# `defaultExtraPkgs` (nixpkgs attribute names; jailed-agents' name) come before the caller's
# `extraPkgs`; a `defaultExtraPkgs` argument (a list of packages) replaces them.
{
  lib,
  pkgs,
  presets,
  agentPackages,
  makeJailedAgent,
}:
let
  builder =
    preset: spec: args:
    let
      missing = throw "jailgen.${spec.builder}: llm-agents has no package `${spec.package}`; pass one, for example:\n  ${spec.builder} { pkg = pkgs.${spec.package}; }";
      defaultExtraPkgs = args.defaultExtraPkgs or (map (attr: pkgs.${attr}) spec.defaultExtraPkgs);
      extraPkgs = args.extraPkgs or [ ];
      bad =
        argument:
        "jailgen.${spec.builder}: `${argument}` must be a list of packages.\nFor example:\n  ${spec.builder} { ${argument} = [ pkgs.xdg-utils ]; }";
    in
    makeJailedAgent (
      {
        name = "jailed-${preset}";
        pkg = agentPackages.${spec.package} or missing;
        inherit (spec) configPaths;
      }
      // removeAttrs args [ "defaultExtraPkgs" ]
      // {
        env = spec.env // (args.env or { });
        homeEnv = spec.homeEnv // (args.homeEnv or { });
        extraPkgs =
          if !builtins.isList defaultExtraPkgs then
            throw (bad "defaultExtraPkgs")
          else if !builtins.isList extraPkgs then
            throw (bad "extraPkgs")
          else
            defaultExtraPkgs ++ extraPkgs;
      }
      # `agent` in an allowlist: this preset's API and login hosts (agents.json `hosts`).
      //
        lib.optionalAttrs
          (builtins.isAttrs (args.network or null) && builtins.isList (args.network.allow or null))
          {
            network = args.network // {
              allow = builtins.concatMap (e: if e == "agent" then spec.hosts else [ e ]) args.network.allow;
            };
          }
    );
in
lib.mapAttrs' (preset: spec: lib.nameValuePair spec.builder (builder preset spec)) presets
