# Every nix/tests/*.nix suite, on the library wired by `h` (default.nix: the doubles;
# upstream.nix: real jail.nix and nixpkgs' real lib). Each suite is an attrset of
# "test: <sentence>" = { expr; expected; }. The result lists the passed names and, for each failure, what was computed and what was expected.
{ h }:
let
  suites = {
    compat = import ./compat.nix { inherit h; };
    double = import ./double.nix { inherit h; };
    errors = import ./errors.nix { inherit h; };
    network = import ./network.nix { inherit h; };
    options = import ./options.nix { inherit h; };
    ordering = import ./ordering.nix { inherit h; };
    paths = import ./paths.nix { inherit h; };
    presets = import ./presets.nix { inherit h; };
    text = import ./text.nix { inherit h; };
  };
  results = builtins.concatLists (
    builtins.attrValues (
      builtins.mapAttrs (
        suite: tests:
        map (name: {
          name = "${suite}: ${name}";
          inherit (tests.${name}) expr expected;
          ok = tests.${name}.expr == tests.${name}.expected;
        }) (builtins.attrNames tests)
      ) suites
    )
  );
in
{
  passed = map (r: r.name) (builtins.filter (r: r.ok) results);
  failed = map (r: { inherit (r) name expr expected; }) (builtins.filter (r: !r.ok) results);
}
