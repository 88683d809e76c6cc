# Properties of the rendered wrapper text (tests/nix_library.rs also runs it with bash).
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h) jailgen pkgs;
  jailOf =
    args:
    jailgen.makeJailedAgent (
      {
        name = "my-agent";
        pkg = pkgs.hello;
        configPaths = [ ];
      }
      // args
    );
  agent = args: (jailOf args).text;
  # Plain substring search (no regex): is `needle` somewhere in `text`?
  contains =
    needle: text:
    let
      n = builtins.stringLength needle;
    in
    builtins.any (i: builtins.substring i n text == needle) (
      builtins.genList (i: i) (builtins.stringLength text - n + 1)
    );
  plain = agent { };
  reverse =
    l: builtins.genList (i: builtins.elemAt l (builtins.length l - 1 - i)) (builtins.length l);
in
{
  "test: the wrapper never reads LANG, so an unset LANG cannot abort it (the launcher sets it)" = {
    expr = [
      (contains "LANG" plain)
      (contains "--clearenv" plain)
    ];
    expected = [
      false
      true
    ];
  };
  "test: the wrapper's last line is the launcher, the policy, bwrap, static arguments, runtime arguments, the agent" =
    {
      expr = h.execLine (jailOf {
        network = false;
      });
      expected =
        let
          j = jailOf { network = false; };
        in
        builtins.concatStringsSep " " [
          "exec ${jailgen.internals.launcher}/bin/jailgen-launch ${j.policyFile} ${pkgs.bubblewrap}/bin/bwrap"
          "--proc /proc --dev /dev --tmpfs /tmp --tmpfs ~ --ro-bind ${pkgs.bash}/bin/sh /bin/sh --clearenv"
          "--ro-bind ~/.local/share/jail.nix/passwd /etc/passwd --ro-bind ~/.local/share/jail.nix/group /etc/group"
          "--jailgen-grants"
          ''--args "$RUNTIME_CLOSURE_BIND_ARGS_FD"''
          "--unshare-user --unshare-ipc --unshare-pid --unshare-net --unshare-uts --unshare-cgroup --die-with-parent"
          ''--setenv TERM "$TERM"''
          "--setenv PATH ${
            builtins.concatStringsSep ":" (
              map (p: "${p}/bin") ([ pkgs.hello ] ++ reverse jailgen.commonPkgs ++ [ pkgs.coreutils ])
            )
          }:/bin"
          ''--setenv HOME "$HOME" "''${RUNTIME_ARGS[@]}" -- ${pkgs.hello}/bin/hello "$@"''
        ];
    };
  "test: forwarded variables and env values are not in the wrapper; the launcher sets them" = {
    expr =
      let
        t = agent {
          forwardEnv = [ "ANTHROPIC_API_KEY" ];
          env.MODE = "fast";
          homeEnv.AGENT_HOME = ".agent";
        };
      in
      map (n: contains n t) [
        "ANTHROPIC_API_KEY"
        "MODE"
        "AGENT_HOME"
      ];
    expected = [
      false
      false
      false
    ];
  };
  "test: only network = host shares the network namespace in the wrapper" = {
    expr = [
      (contains "--unshare-net" (agent {
        network = false;
      }))
      (contains "--unshare-net" plain)
      (contains "--hostname jail" plain)
      (contains "--hostname" (agent {
        network = false;
      }))
      (contains "--unshare-net" (agent {
        network = "host";
      }))
    ];
    # The default wrapper unshares (bwrap's --unshare-all) and the launcher adds the stack.
    expected = [
      true
      true
      true
      false
      false
    ];
  };
  "test: the default wrapper does not use jail.nix's slow network walk" = {
    expr = contains "bindRuntime" plain;
    expected = false;
  };
  "test: no runtime is pasted: the wrapper holds jail.nix's passwd set-up and the exec only" = {
    expr = map (n: contains n plain) [
      "jailgen_"
      "function"
      "add-seccomp-fd"
      "RUNTIME_ARGS+="
    ];
    expected = [
      false
      false
      false
      false
    ];
  };
  "test: runtime binds are passed after every static argument" = {
    expr =
      builtins.match ''.*"[$][{]RUNTIME_ARGS[[]@[]][}]" -- [^ ]*/bin/hello "[$]@" *'' (
        builtins.replaceStrings [ "\n" ] [ " " ] plain
      ) != null;
    expected = true;
  };
  "test: enableNix puts nix first in PATH; the launcher binds /nix and the daemon socket" = {
    expr = [
      (contains "--setenv PATH ${pkgs.nix}/bin:${pkgs.hello}/bin:" (agent {
        enableNix = true;
      }))
      (contains "/nix/var/nix/daemon-socket" (agent {
        enableNix = true;
      }))
    ];
    expected = [
      true
      false
    ];
  };
}
