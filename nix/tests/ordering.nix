# Ordering rules: each one stated as a sentence and checked on the recorded list, the policy or
# the wrapper's last line.
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h)
    call
    calls
    indexOf
    jailgen
    pkgs
    ;

  jailOf =
    args:
    jailgen.makeJailedAgent (
      {
        name = "my-agent";
        pkg = pkgs.hello;
        configPaths = [ "~/.config/my-agent" ];
      }
      // args
    );
  agent = args: calls (jailOf args);

  at = name: list: indexOf (c: c.name == name) list;
  atCall = c: list: indexOf (x: x == c) list;

  nestedArgs = {
    extraReadonlyDirs = [
      "~/work/shared/docs/api"
      "~/work/shared/docs"
      "/opt"
    ];
    extraReadwriteDirs = [
      "~/work/shared"
      "~/work"
    ];
  };
  nested = agent nestedArgs;

  # Words of the wrapper's last line.
  words = j: builtins.filter (w: w != "") (h.lib.splitString " " (h.execLine j));
  wordAt = w: ws: indexOf (x: x == w) ws;
in
{
  "test: read-only and read-write grants are listed parents before children, otherwise as given" = {
    expr =
      let
        p = h.policyOf (jailOf nestedArgs);
      in
      {
        inherit (p) readonly readwrite;
      };
    expected = {
      readonly = [
        "/opt"
        "~/work/shared/docs"
        "~/work/shared/docs/api"
      ];
      # the read-only grants under ~/work/shared are bound again after it by the launcher
      readwrite = [
        "~/work"
        "~/.config/my-agent"
        "~/work/shared"
      ];
    };
  };

  "test: no bind combinator of jail.nix is used for grants; the launcher binds them" = {
    expr = builtins.filter (
      c:
      builtins.elem c.name [
        "readonly"
        "readwrite"
        "mount-cwd"
        "add-runtime"
        "add-seccomp"
        "set-env"
        "try-fwd-env"
      ]
    ) nested;
    expected = [ ];
  };

  "test: the grants token comes after the base options and before the packages and extraCombinators" =
    {
      expr =
        let
          l = agent { extraCombinators = [ "camera" ]; };
        in
        [
          (at "no-new-session" l < atCall h.grants l)
          (atCall h.grants l < at "add-pkg-deps" l)
          (at "add-pkg-deps" l < at "camera" l)
          (builtins.length (builtins.filter (c: c == h.grants) l))
        ];
      expected = [
        true
        true
        true
        1
      ];
    };

  "test: the wrapper execs the launcher with the policy, then bwrap and its static arguments" = {
    expr =
      let
        j = jailOf { };
        ws = words j;
      in
      builtins.genList (builtins.elemAt ws) 4;
    expected =
      let
        j = jailOf { };
      in
      [
        "exec"
        "${h.jailgen.internals.launcher}/bin/jailgen-launch"
        "${j.policyFile}"
        "${pkgs.bubblewrap}/bin/bwrap"
      ];
  };

  "test: in the wrapper the grants token lies after base's binds and before the runtime arguments" = {
    expr =
      let
        ws = words (jailOf { });
      in
      [
        (wordAt "/etc/group" ws < wordAt "--jailgen-grants" ws)
        (wordAt "--hostname" ws < wordAt "--jailgen-grants" ws)
        (wordAt "--jailgen-grants" ws < wordAt ''"''${RUNTIME_ARGS[@]}"'' ws)
        (builtins.length (builtins.filter (w: w == "--jailgen-grants") ws))
      ];
    expected = [
      true
      true
      true
      1
    ];
  };

  "test: a state path is created before it is bound: it is listed as state and as a grant" = {
    expr =
      let
        p = h.policyOf (jailOf { });
      in
      [
        (map (s: s.path) p.state)
        p.readwrite
      ];
    expected = [
      [ "~/.config/my-agent" ]
      [ "~/.config/my-agent" ]
    ];
  };

  "test: extraCombinators run last, after every permission of the library" = {
    expr =
      let
        l = agent {
          enableNix = true;
          extraCombinators = [
            "camera"
            "gpu"
          ];
        };
      in
      map (c: c.name) (
        h.lib.pipe l [ (x: builtins.genList (i: builtins.elemAt x (i + builtins.length x - 3)) 3) ]
      );
    expected = [
      "add-pkg-deps"
      "camera"
      "gpu"
    ];
  };

  "test: the call for a preset matches its jailed command" = {
    expr =
      call "add-pkg-deps" [ (h.commonPkgNames ++ [ "pkg:codex" ]) ]
      == h.lib.last (calls (jailgen.makeJailedCodex { }));
    expected = true;
  };
}
