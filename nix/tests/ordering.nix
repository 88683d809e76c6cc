# Ordering rules: each one stated as a sentence and checked on the recorded list.
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h)
    call
    calls
    indexOf
    jailgen
    noescape
    pkgs
    ;

  agent =
    args:
    calls (
      jailgen.makeJailedAgent (
        {
          name = "my-agent";
          pkg = pkgs.hello;
          configPaths = [ "~/.config/my-agent" ];
        }
        // args
      )
    );

  bindNames = [
    "readonly"
    "readwrite"
    "mount-cwd"
  ];
  binds = builtins.filter (c: builtins.elem c.name bindNames);
  tailNames = [
    "readwrite"
    "add-runtime"
    "add-seccomp"
    "camera"
  ];
  at = name: list: indexOf (c: c.name == name) list;
  atCall = c: list: indexOf (x: x == c) list;

  nested = agent {
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
in
{
  "test: readonly binds come before mount-cwd and read-write binds, parents before children" = {
    expr = binds nested;
    expected = [
      (call "readonly" [ "/opt" ])
      (call "readonly" [ (noescape "~/work/shared/docs") ])
      (call "readonly" [ (noescape "~/work/shared/docs/api") ])
      (call "mount-cwd" [ ])
      (call "readwrite" [ (noescape "~/work") ])
      (call "readwrite" [ (noescape "~/.config/my-agent") ])
      (call "readwrite" [ (noescape "~/work/shared") ])
      # read-only paths under a read-write grant, bound again so the grant does not shadow them
      (call "readonly" [ (noescape "~/work/shared/docs") ])
      (call "readonly" [ (noescape "~/work/shared/docs/api") ])
    ];
  };

  "test: a read-only path that is not under a read-write grant is bound once" = {
    expr = builtins.length (builtins.filter (c: c == call "readonly" [ "/opt" ]) nested);
    expected = 1;
  };

  "test: a read-write path under a read-only parent comes after it and is not re-shadowed" = {
    expr = binds (agent {
      configPaths = [ ];
      extraReadonlyDirs = [ "~/src" ];
      extraReadwriteDirs = [ "~/src/project-cache" ];
    });
    expected = [
      (call "readonly" [ (noescape "~/src") ])
      (call "mount-cwd" [ ])
      (call "readwrite" [ (noescape "~/src/project-cache") ])
    ];
  };

  "test: the LANG guard comes after the base options and base's fwd-env" = {
    expr =
      atCall (call "set-env" [
        "LANG"
        (noescape ''"''${LANG:-C.UTF-8}"'')
      ]) nested > at "no-new-session" nested;
    expected = true;
  };

  "test: the runtime functions are pasted once, before the first call; the cwd guard runs before state paths are created" =
    {
      expr =
        let
          script = atCall (call "add-runtime" [ "<wrapper.sh>" ]) nested;
          timeZone = atCall (call "add-runtime" [ "jailgen_time_zone" ]) nested;
          guard = atCall (call "add-runtime" [ "jailgen_guard_cwd" ]) nested;
          ensure = atCall (call "add-runtime" [ "jailgen_ensure_dir ~/.config/my-agent" ]) nested;
        in
        [
          (builtins.length (builtins.filter (c: c == call "add-runtime" [ "<wrapper.sh>" ]) nested))
          (script >= 0 && script < timeZone)
          (timeZone < guard)
          (guard < ensure)
        ];
      expected = [
        1
        true
        true
        true
      ];
    };

  "test: state paths are created before any bind" = {
    expr =
      atCall (call "add-runtime" [ "jailgen_ensure_dir ~/.config/my-agent" ]) nested
      < at "readonly" nested;
    expected = true;
  };

  "test: git protection and hiding come after every bind, seccomp after them, extraCombinators last" =
    {
      expr =
        let
          l = agent { extraCombinators = [ "camera" ]; };
        in
        map (n: n.name) (
          h.lib.pipe l [
            (builtins.filter (c: builtins.elem c.name tailNames))
            (x: builtins.genList (i: builtins.elemAt x (i + builtins.length x - 5)) 5)
          ]
        );
      expected = [
        "readwrite"
        "add-runtime"
        "add-runtime"
        "add-seccomp"
        "camera"
      ];
    };

  "test: the rendered wrapper runs the guard before creating state dirs, and both before bwrap" = {
    expr =
      let
        t = (jailgen.makeJailedCodex { }).text;
        pos = s: builtins.stringLength (builtins.head (builtins.split s t));
      in
      [
        (pos "\njailgen_guard_cwd\n" < pos "\njailgen_ensure_dir ~/.codex\n")
        # The final exec of bwrap (the pasted functions also hold `exec {fd}<…` lines).
        (pos "\njailgen_ensure_dir ~/.codex\n" < pos "\nexec [^{]")
      ];
    expected = [
      true
      true
    ];
  };
}
