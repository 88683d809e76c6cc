# Run with a real jail.nix checkout (tests/nix_library.rs passes $JAILGEN_JAIL_NIX):
#   nix-instantiate --eval --strict --json nix/tests/conformance.nix --arg jailNix /path/to/jail.nix
# 1. The double renders the same bwrap command line as the real jail.nix for the same
#    permissions, and the same whole wrapper text wherever the double's bash is not its own
#    rewrite of upstream's helpers (gpu, runtime-deep-ro-bind, channels, dbus).
# 2. The library evaluates against the real jail.nix, and every preset's wrapper text is the one
#    the double produces (the tests of the recorded calls therefore describe the real output).
# Every leaf of the result must be true.
{ jailNix }:
let
  pkgs = import ./doubles/pkgs.nix { };
  real = (import (jailNix + "/lib")).init pkgs;
  double = (import ./doubles/jail-nix).init pkgs;
  execLine = text: pkgs.lib.last (builtins.filter (l: l != "") (pkgs.lib.splitString "\n" text));
  texts = perms: {
    real = (real "t" pkgs.hello perms).text;
    double = (double "t" pkgs.hello perms).text;
  };
  sameText =
    perms:
    let
      t = texts perms;
    in
    t.real == t.double;
  sameExec =
    perms:
    let
      t = texts perms;
    in
    execLine t.real == execLine t.double;
  viaReal = (import ./harness.nix { inherit jailNix; }).jailgen;
  viaDouble = (import ./harness.nix { }).jailgen;
  presetTexts =
    lib:
    builtins.mapAttrs (
      _: spec: (lib.${spec.builder} { extraReadonlyDirs = [ "~/a b" ]; }).text
    ) lib.presets;
  optionTexts =
    select: lib:
    map
      (
        args:
        select
          (lib.makeJailedAgent (
            {
              name = "a";
              pkg = pkgs.hello;
              configPaths = [ "~/.a" ];
            }
            // args
          )).text
      )
      [
        { network = false; }
        { enableNix = true; }
        {
          forwardEnv = [ "K" ];
          env.X = "it's";
        }
        { newSession = true; }
        { hostSsl = true; }
        { extraReadonlyIfExists = [ "~/.gitconfig" ]; }
        {
          extraCombinators = [
            "gpu"
            "gui"
            "notifications"
            "open-urls-in-browser"
          ];
        }
      ];
  groups = {
    empty = [ ];
    binds = c: [
      (c.readonly "/a b")
      (c.readwrite (c.noescape "~/x"))
      (c.try-readonly "/etc/hosts")
      (c.tmpfs "/t")
      c.mount-cwd
      (c.bind-pkg "/p" pkgs.jq)
      (c.write-text "/etc/x" "hello")
    ];
    env = c: [
      (c.set-env "A" "1 2")
      (c.fwd-env "B")
      (c.try-fwd-env "C")
      (c.add-path "/opt/bin")
      (c.add-pkg-deps [
        pkgs.jq
        pkgs.git
      ])
      (c.set-argv [
        "--x"
        (c.noescape ''"$@"'')
      ])
    ];
    session = c: [
      c.no-new-session
      c.no-die-with-parent
      (c.share-ns "pid")
      (c.set-hostname "h")
      c.time-zone
    ];
    desktop = c: [
      c.gpu
      c.camera
      c.pipewire
      c.pulse
      c.unsafe-x11
      c.unsafe-dbus
      c.readonly-runtime-args
      c.readwrite-runtime-args
      (c.readonly-paths-from-var "P" ":")
    ];
    hooks = c: [
      (c.add-cleanup "echo bye")
      (c.add-seccomp pkgs.jq)
      (c.add-seccomp "/f")
      (c.persist-home "h")
      (c.jail-to-host-channel "chan" "echo host")
      c.open-urls-in-browser
      (c.dbus { talk = [ "org.x" ]; })
      c.notifications
      (c.wrap-entry (e: "echo in; ${e}"))
    ];
    reset = c: [
      (c.readonly "/gone")
      c.reset
      (c.readonly "/kept")
    ];
  };
in
{
  fullText = builtins.mapAttrs (_: sameText) {
    inherit (groups)
      empty
      binds
      env
      session
      reset
      ;
  };
  execLine = builtins.mapAttrs (_: sameExec) groups;
  presetsFullText = presetTexts viaReal == presetTexts viaDouble;
  optionsExecLine = optionTexts execLine viaReal == optionTexts execLine viaDouble;
  optionsFullText =
    let
      plain = l: pkgs.lib.init (pkgs.lib.init (optionTexts (x: x) l));
    in
    plain viaReal == plain viaDouble;
}
