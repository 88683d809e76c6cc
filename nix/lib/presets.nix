# One builder per preset in agents.json, named by its `builder` field. A builder takes every
# makeJailedAgent argument; `name`, `pkg` and `configPaths` default to the preset's, and the
# preset's `env` and `homeEnv` are applied under the caller's own.
{
  lib,
  presets,
  agentPackages,
  makeJailedAgent,
}:
let
  builder =
    preset: spec: args:
    let
      missing = throw "jailgen.${spec.builder}: llm-agents has no package `${spec.package}`; pass one, for example:\n  ${spec.builder} { pkg = pkgs.${spec.package}; }";
    in
    makeJailedAgent (
      {
        name = "jailed-${preset}";
        pkg = agentPackages.${spec.package} or missing;
        inherit (spec) configPaths;
      }
      // args
      // {
        env = spec.env // (args.env or { });
        homeEnv = spec.homeEnv // (args.homeEnv or { });
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
