# Evaluates a rendered jails.nix against the library wired to the doubles (tests/nix_eval.rs).
#
#   jailsNix     path of the jails.nix to import
#   pkgsJson     dotted attribute paths the file uses under `pkgs` (["python3Packages.pytest"])
#   agentsJson   attribute names it uses under `jailgen.agentPackages` beyond the presets'
#   jailNix      a real jail.nix checkout instead of the double (tests/upstream.rs)
#   nixpkgsLib   nixpkgs' real lib/ instead of the double's (tests/upstream.rs)
#
# Each named attribute becomes a fake package whose binary is its last component. The result maps
# every jail to a summary of what it evaluated to.
{
  jailsNix,
  pkgsJson ? "[]",
  agentsJson ? "[]",
  jailNix ? null,
  nixpkgsLib ? null,
  system ? "x86_64-linux",
}:
let
  basePkgs = import ./doubles/pkgs.nix { inherit system nixpkgsLib; };
  inherit (basePkgs) lib;

  fake = name: {
    type = "derivation";
    inherit name;
    pname = name;
    outPath = "/nix/store/${builtins.substring 0 32 (builtins.hashString "sha256" name)}-${name}";
    meta.mainProgram = name;
  };

  # { a = { b = fake "b"; }; } for "a.b", merged into what is already there.
  addPath =
    set: path:
    let
      head = builtins.head path;
      rest = builtins.tail path;
    in
    set
    // {
      ${head} = if rest == [ ] then set.${head} or (fake head) else addPath (set.${head} or { }) rest;
    };

  pkgs = builtins.foldl' addPath basePkgs (map (lib.splitString ".") (builtins.fromJSON pkgsJson));

  agentPackages = builtins.foldl' (
    set: name: set // { ${name} = set.${name} or (fake name); }
  ) ((import ./doubles/llm-agents.nix).packages.${system}) (builtins.fromJSON agentsJson);

  jailgen = import ../lib {
    inherit pkgs agentPackages;
    jail = (if jailNix == null then import ./doubles/jail-nix else import jailNix { }).init pkgs;
  };

  jails = import jailsNix { inherit pkgs jailgen; };
in
builtins.mapAttrs (_: j: {
  inherit (j) type name;
  entry = builtins.head (builtins.match ".* -- ([^ ]*) \"[$]@\"[[:space:]]*" j.text);
  # The double records its calls; real jail.nix does not.
  calls = if j ? calls then builtins.length j.calls else null;
  textBytes = builtins.stringLength j.text;
  policyName = j.policy.name;
  # The whole policy, compared with the one `jailgen explain` derives (tests/nix_eval.rs).
  inherit (j) policy;
  # The wrapper runs the launcher with the jail's policy file (without `exec` when jail.nix has
  # cleanups to run, e.g. for `notifications`).
  launches = builtins.any (
    line:
    builtins.match "(exec )?[^ ]*/bin/jailgen-launch [^ ]*-policy.json [^ ]*/bin/bwrap .*" line != null
  ) (lib.splitString "\n" j.text);
}) jails
