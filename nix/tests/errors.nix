# Bad arguments are refused at evaluation time (the messages are checked by tests/nix_library.rs).
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h) jailgen pkgs throws;
  agent =
    args:
    jailgen.makeJailedAgent (
      {
        name = "my-agent";
        pkg = pkgs.hello;
        configPaths = [ ];
      }
      // args
    );
  refused =
    args:
    let
      j = agent args;
    in
    throws [
      j.name
      j.calls
    ];
in
{
  "test: a relative path is refused" = {
    expr = refused { extraReadonlyDirs = [ "docs" ]; };
    expected = true;
  };
  "test: a path with a .. component is refused" = {
    expr = map refused [
      { extraReadwriteDirs = [ "~/../etc" ]; }
      { configPaths = [ "/srv/a/../../etc" ]; }
      { extraConfigPaths = [ "~/.." ]; }
    ];
    expected = [
      true
      true
      true
    ];
  };
  "test: an empty path is refused" = {
    expr = refused { configPaths = [ "" ]; };
    expected = true;
  };
  "test: a path with a newline is refused" = {
    expr = refused { extraReadonlyDirs = [ "~/a\nb" ]; };
    expected = true;
  };
  "test: extraReadonlyIfExists paths are checked like every other path" = {
    expr = map refused [
      { extraReadonlyIfExists = [ ".gitconfig" ]; }
      { extraReadonlyIfExists = [ "~/../x" ]; }
      { extraReadonlyIfExists = "~/.gitconfig"; }
    ];
    expected = [
      true
      true
      true
    ];
  };
  "test: a tilde-user path is refused as relative" = {
    expr = refused { extraReadonlyDirs = [ "~root/.ssh" ]; };
    expected = true;
  };
  "test: an unknown extraCombinators name is refused" = {
    expr = refused { extraCombinators = [ "gpuu" ]; };
    expected = true;
  };
  "test: a combinator that takes arguments cannot be named as a string" = {
    expr = refused { extraCombinators = [ "readonly" ]; };
    expected = true;
  };
  "test: git other than protect or open is refused" = {
    expr = refused { git = "closed"; };
    expected = true;
  };
  "test: a forwardEnv entry that is not a variable name is refused" = {
    expr = map refused [
      { forwardEnv = [ "A B" ]; }
      { forwardEnv = [ "$(id)" ]; }
      { forwardEnv = [ "1A" ]; }
    ];
    expected = [
      true
      true
      true
    ];
  };
  "test: env names must be variable names and values plain strings" = {
    expr = map refused [
      { env."BAD NAME" = "x"; }
      { env.GOOD = h.harness.jail.combinators.noescape "$SECRET"; }
      { env.GOOD = 1; }
    ];
    expected = [
      true
      true
      true
    ];
  };
  "test: homeEnv names must be variable names and values paths inside $HOME" = {
    expr = map refused [
      { homeEnv."BAD NAME" = ".x"; }
      { homeEnv.GOOD = "../.ssh"; }
      { homeEnv.GOOD = ""; }
      { homeEnv.GOOD = 1; }
      { homeEnv = [ ".x" ]; }
      { env = "EDITOR=vi"; }
      { homeEnv.GOOD = ".my-agent"; }
    ];
    expected = [
      true
      true
      true
      true
      true
      true
      false
    ];
  };
  "test: newSession is refused next to a custom baseJailOptions; network and hostSsl are the launcher's" =
    {
      expr = map refused [
        {
          baseJailOptions = [ ];
          newSession = true;
        }
        {
          baseJailOptions = [ ];
          network = false;
        }
        {
          baseJailOptions = [ ];
          hostSsl = true;
        }
        { baseJailOptions = [ ]; }
      ];
      expected = [
        true
        false
        false
        false
      ];
    };
  "test: hide patterns must stay inside the working directory" = {
    expr = map refused [
      { hide = [ "/etc/passwd" ]; }
      { hide = [ "../x" ]; }
      { hide = [ "" ]; }
      { hide = [ "a\nb" ]; }
    ];
    expected = [
      true
      true
      true
      true
    ];
  };
  "test: non-boolean switches are refused" = {
    expr = map refused [
      { network = "no"; }
      { enableNix = 1; }
      { newSession = null; }
      { hostSsl = "yes"; }
    ];
    expected = [
      true
      true
      true
      true
    ];
  };
  "test: a name that is not a command name is refused" = {
    expr = map refused [
      { name = "my agent"; }
      { name = "a/b"; }
      { name = ".hidden"; }
    ];
    expected = [
      true
      true
      true
    ];
  };
  "test: extraPkgs must be packages" = {
    expr = refused { extraPkgs = [ "nodejs" ]; };
    expected = true;
  };
  "test: valid arguments are accepted (the refusals above are not vacuous)" = {
    expr = refused {
      extraReadonlyDirs = [
        "~/docs"
        "/srv/a b"
        "~"
      ];
      extraCombinators = [ "gpu" ];
      git = "open";
      forwardEnv = [ "A_B" ];
      env.X = "1";
      hide = [ "secrets/**" ];
    };
    expected = false;
  };
}
