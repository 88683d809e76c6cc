# Properties of the rendered wrapper text (tests/nix_library.rs also runs it with bash).
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h) jailgen pkgs;
  agent =
    args:
    (jailgen.makeJailedAgent (
      {
        name = "my-agent";
        pkg = pkgs.hello;
        configPaths = [ ];
      }
      // args
    )).text;
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
in
{
  "test: LANG falls back to C.UTF-8 instead of aborting when unset" = {
    expr = [
      (contains ''--setenv LANG "''${LANG:-C.UTF-8}"'' plain)
      (contains ''--setenv LANG "$LANG"'' plain)
    ];
    expected = [
      true
      false
    ];
  };
  "test: a forwarded variable is guarded by ${"$"}{NAME+…} so it is absent when unset" = {
    expr =
      contains ''''${ANTHROPIC_API_KEY+--setenv ANTHROPIC_API_KEY "''${ANTHROPIC_API_KEY}"}''
        (agent {
          forwardEnv = [ "ANTHROPIC_API_KEY" ];
        });
    expected = true;
  };
  "test: network = false keeps the network namespace unshared" = {
    expr = [
      (contains "--unshare-net" (agent {
        network = false;
      }))
      (contains "--unshare-net" plain)
      (contains "/etc/resolv.conf" (agent {
        network = false;
      }))
    ];
    expected = [
      true
      false
      false
    ];
  };
  "test: the default wrapper does not use jail.nix's slow network walk" = {
    expr = contains "bindRuntime" plain;
    expected = false;
  };
  "test: the runtime functions are defined once in the wrapper" = {
    expr = builtins.length (builtins.split "\njailgen_guard_cwd[(][)] [{]" plain);
    expected = 3;
  };
  "test: runtime binds are passed after every static argument" = {
    expr =
      builtins.match ''.*"[$][{]RUNTIME_ARGS[[]@[]][}]" -- [^ ]*/bin/hello "[$]@" *'' (
        builtins.replaceStrings [ "\n" ] [ " " ] plain
      ) != null;
    expected = true;
  };
  "test: the seccomp filter is read at launch" = {
    expr = contains "--add-seccomp-fd" plain;
    expected = true;
  };
  "test: enableNix sets NIX_REMOTE and binds the daemon socket" = {
    expr =
      map
        (
          n:
          contains n (agent {
            enableNix = true;
          })
        )
        [
          "--setenv NIX_REMOTE daemon"
          "--bind-try /nix/var/nix/daemon-socket /nix/var/nix/daemon-socket"
          "--ro-bind /nix /nix"
        ];
    expected = [
      true
      true
      true
    ];
  };
}
