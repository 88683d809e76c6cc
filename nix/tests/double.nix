# The jail.nix double behaves like upstream where jailgen depends on it (research §1-§3).
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h) call pkgs throws;
  jail = (import ./doubles/jail-nix).init pkgs;
  c = jail.combinators;
  run = perms: jail "t" pkgs.hello perms;
  bare =
    perms:
    (import ./doubles/jail-nix).extend {
      inherit pkgs;
      basePermissions = null;
    } "t" pkgs.hello perms;
  baseEnvWords = [
    "--clearenv"
    ''"$LANG"''
    ''"$HOME"''
    ''"$TERM"''
  ];
  # The line that execs bwrap.
  execLine = j: pkgs.lib.last (builtins.filter (l: l != "") (pkgs.lib.splitString "\n" j.text));
in
{
  "test: the double has all 59 upstream combinators" = {
    expr = builtins.length (builtins.attrNames c);
    expected = 59;
  };
  "test: with no base and no permissions the argv is upstream's fixed tail" = {
    expr = execLine (bare [ ]);
    expected = ''exec ${pkgs.bubblewrap}/bin/bwrap --unshare-user --unshare-ipc --unshare-pid --unshare-net --unshare-uts --unshare-cgroup --new-session --die-with-parent "''${RUNTIME_ARGS[@]}" -- ${pkgs.hello}/bin/hello "$@"'';
  };
  "test: static binds keep permission order and runtime args come last" = {
    expr = execLine (bare [
      (c.readwrite "/b")
      (c.readonly (c.noescape "~/a"))
      c.mount-cwd
      (c.share-ns "net")
      c.no-new-session
      (c.set-env "K" "v w")
      (c.try-fwd-env "T")
    ]);
    expected = ''exec ${pkgs.bubblewrap}/bin/bwrap --bind /b /b --ro-bind ~/a ~/a --bind "$PWD" "$PWD" ''${T+--setenv T "''${T}"} --unshare-user --unshare-ipc --unshare-pid --unshare-uts --unshare-cgroup --die-with-parent --setenv K 'v w' "''${RUNTIME_ARGS[@]}" -- ${pkgs.hello}/bin/hello "$@"'';
  };
  "test: a later set-env of the same name wins" = {
    expr = execLine (bare [
      (c.set-env "K" "1")
      (c.set-env "K" "2")
    ]);
    expected = ''exec ${pkgs.bubblewrap}/bin/bwrap --unshare-user --unshare-ipc --unshare-pid --unshare-net --unshare-uts --unshare-cgroup --new-session --die-with-parent --setenv K 2 "''${RUNTIME_ARGS[@]}" -- ${pkgs.hello}/bin/hello "$@"'';
  };
  "test: include-once skips repeats and defer runs last" = {
    expr =
      (bare [
        (c.defer (c.add-runtime "echo deferred"))
        c.mount-cwd
        c.mount-cwd
        (c.add-runtime "echo now")
      ]).text;
    expected =
      (pkgs.writeShellApplication {
        name = "t";
        text = "";
        runtimeInputs = [ pkgs.coreutils ];
      }).text
      + ''
        RUNTIME_ARGS=()


        echo now

        echo deferred

        exec ${pkgs.bubblewrap}/bin/bwrap --bind "$PWD" "$PWD" --unshare-user --unshare-ipc --unshare-pid --unshare-net --unshare-uts --unshare-cgroup --new-session --die-with-parent "''${RUNTIME_ARGS[@]}" -- ${pkgs.hello}/bin/hello "$@"
      '';
  };
  "test: the default base clears the environment and forwards LANG, HOME and TERM with fwd-env" = {
    expr = builtins.filter (w: builtins.elem w baseEnvWords) (
      pkgs.lib.splitString " " (execLine (run [ ]))
    );
    expected = [
      "--clearenv"
      ''"$TERM"''
      ''"$LANG"''
      ''"$HOME"''
    ];
  };
  "test: calls are recorded in pipeline order with their arguments" = {
    expr =
      (run [
        (c.readonly "/x")
        (c.add-pkg-deps [ pkgs.jq ])
      ]).calls;
    expected = [
      (call "base" [ ])
      (call "bind-nix-store-runtime-closure" [ ])
      (call "fake-passwd" [ ])
      (call "readonly" [ "/x" ])
      (call "add-pkg-deps" [ [ pkgs.jq ] ])
    ];
  };
  "test: argument kinds are checked like upstream" = {
    expr = map throws [
      (run [ (c.readonly 1) ])
      (run [ (c.set-env "1BAD" "x") ])
      (run [ (c.try-fwd-env "A-B") ])
      (run [ (c.add-pkg-deps [ "jq" ]) ])
      (run [ (c.add-pkg-deps pkgs.jq) ])
      (run [ (c.set-argv "x") ])
      (run [ (c.overlay-ro [ ] "/x") ])
      (c.noescape 1)
      (run [ (c.bind-pkg "/x" "not a package") ])
      (run [ (c.fwd-env (c.noescape "X")) ])
      (run [ (c.readonly "/ok") ])
    ];
    expected = [
      true
      true
      true
      true
      true
      true
      true
      true
      true
      true
      false
    ];
  };
  "test: additionalCombinators is a function of the builtins and may shadow them" = {
    expr =
      let
        j = (import ./doubles/jail-nix).extend {
          inherit pkgs;
          basePermissions = null;
          additionalCombinators = b: { mine = b.readonly "/mine"; };
        };
      in
      builtins.length (builtins.split "--ro-bind /mine /mine" (j "t" pkgs.hello (cs: [ cs.mine ])).text);
    expected = 3;
  };
  "test: reset drops everything before it but keeps the record" = {
    expr =
      let
        j = run [ c.reset ];
      in
      [
        (builtins.length j.calls)
        (builtins.length (builtins.split "--clearenv" j.text))
      ];
    expected = [
      4
      1
    ];
  };
}
