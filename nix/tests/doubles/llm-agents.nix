# Test double for numtide/llm-agents.nix: one fake package per agents.json `package`, with the
# preset's binary as `meta.mainProgram`, shaped like the flake (`packages.<system>.<name>`).
let
  presets = builtins.fromJSON (builtins.readFile ../../lib/agents.json);
  fake = system: spec: {
    type = "derivation";
    name = spec.package;
    pname = spec.package;
    outPath = "/nix/store/${
      builtins.substring 0 32 (builtins.hashString "sha256" "${system}-${spec.package}")
    }-${spec.package}";
    meta.mainProgram = spec.binary;
  };
  packagesFor =
    system:
    builtins.listToAttrs (
      map (spec: {
        name = spec.package;
        value = fake system spec;
      }) (builtins.attrValues presets)
    );
in
{
  packages = {
    x86_64-linux = packagesFor "x86_64-linux";
    aarch64-linux = packagesFor "aarch64-linux";
  };
}
