# Every makeJailedAgent argument, one at a time, against the exact recorded list.
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h)
    call
    calls
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
          configPaths = [ ];
        }
        // args
      )
    );

  pkgDeps = extra: call "add-pkg-deps" [ (h.commonPkgNames ++ extra ++ [ "pkg:hello" ]) ];

  # The list for `agent { }`, cut where options insert their calls.
  expect =
    {
      base ? h.defaultBase,
      # whether `base` already called a wrapper.sh function (the default time zone does)
      baseRuntime ? true,
      # the launch-time grant checks (jailgen_check_nested, jailgen_grants_in_cwd)
      checks ? [ ],
      ensure ? [ ],
      readonly ? [ ],
      readwrite ? [ ],
      deps ? pkgDeps [ ],
      env ? [ ],
      terminal ? h.terminalFwd,
      nix ? [ ],
      git ? "protect",
      hide ? h.rt "jailgen_hide .env '.env.*'",
      extra ? [ ],
    }:
    h.jailNixBase
    ++ base
    ++ h.prologueWith (!baseRuntime)
    ++ checks
    ++ ensure
    ++ readonly
    ++ [ (call "mount-cwd" [ ]) ]
    ++ readwrite
    ++ [ deps ]
    ++ env
    ++ terminal
    ++ nix
    ++ h.rt "jailgen_protect_git ${git}"
    ++ hide
    ++ [ (call "add-seccomp" [ "pkg:jailgen-tiocsti-filter" ]) ]
    ++ extra;
in
{
  "test: makeJailedAgent with no optional arguments records the default list" = {
    expr = agent { };
    expected = expect { };
  };

  "test: configPaths are created when missing and bound read-write" = {
    expr = agent {
      configPaths = [
        "~/.config/my-agent"
        "/var/lib/my-agent"
      ];
    };
    expected = expect {
      checks = h.rt "jailgen_grants_in_cwd -- ~/.config/my-agent /var/lib/my-agent";
      ensure = h.rt "jailgen_ensure_dir ~/.config/my-agent /var/lib/my-agent";
      # Two components before three: parents first, otherwise in the order given.
      readwrite = [
        (call "readwrite" [ (noescape "~/.config/my-agent") ])
        (call "readwrite" [ "/var/lib/my-agent" ])
      ];
    };
  };

  "test: a state path with a file extension is created as a file" = {
    expr = agent {
      configPaths = [
        "~/.my-agent"
        "~/.my-agent.json"
      ];
    };
    expected = expect {
      ensure = h.rt "jailgen_ensure_dir ~/.my-agent" ++ h.rt "jailgen_ensure_file ~/.my-agent.json";
      readwrite = [
        (call "readwrite" [ (noescape "~/.my-agent") ])
        (call "readwrite" [ (noescape "~/.my-agent.json") ])
      ];
    };
  };

  "test: extraConfigPaths are appended to a preset's configPaths" = {
    expr = calls (jailgen.makeJailedCodex { extraConfigPaths = [ "~/.codex-extra" ]; });
    expected =
      h.jailNixBase
      ++ h.defaultBase
      ++ h.prologue
      ++ h.rt "jailgen_ensure_dir ~/.codex ~/.codex-extra"
      ++ [
        (call "mount-cwd" [ ])
        (call "readwrite" [ (noescape "~/.codex") ])
        (call "readwrite" [ (noescape "~/.codex-extra") ])
        (call "add-pkg-deps" [ (h.commonPkgNames ++ [ "pkg:codex" ]) ])
      ]
      ++ h.epilogue;
  };

  "test: extraPkgs come after basePackages and before the agent in add-pkg-deps" = {
    expr = agent {
      extraPkgs = [
        pkgs.nodejs
        pkgs.python3
      ];
    };
    expected = expect {
      deps = pkgDeps [
        "pkg:nodejs"
        "pkg:python3"
      ];
    };
  };

  "test: basePackages replaces commonPkgs" = {
    expr = agent { basePackages = [ pkgs.coreutils ]; };
    expected = expect {
      deps = call "add-pkg-deps" [
        [
          "pkg:coreutils"
          "pkg:hello"
        ]
      ];
    };
  };

  "test: extraReadwriteDirs are bound read-write after mount-cwd and are not created" = {
    expr = agent { extraReadwriteDirs = [ "~/projects/shared" ]; };
    expected = expect {
      checks = h.rt "jailgen_grants_in_cwd -- ~/projects/shared";
      readwrite = [ (call "readwrite" [ (noescape "~/projects/shared") ]) ];
    };
  };

  "test: grants nested under a read-write grant are checked for planted symlinks at launch" = {
    expr =
      let
        got = agent {
          extraReadwriteDirs = [
            "~/work"
            "~/work/a/cache"
          ];
          extraReadonlyDirs = [ "~/work/a/ref" ];
        };
      in
      map (c: builtins.elem c got) (
        h.rt "jailgen_check_nested ~/work ~/work/a/ref ~/work ~/work/a/cache"
        ++ h.rt "jailgen_grants_in_cwd ~/work/a/ref -- ~/work/a/cache"
      );
    expected = [
      true
      true
      true
      true
      true
      true
    ];
  };

  "test: extraReadonlyDirs are bound read-only before mount-cwd" = {
    expr = agent {
      extraReadonlyDirs = [
        "~/.gitconfig"
        "/opt/models"
      ];
    };
    expected = expect {
      # ~/.gitconfig cannot lie inside an accepted working directory
      checks = h.rt "jailgen_grants_in_cwd /opt/models --";
      readonly = [
        (call "readonly" [ (noescape "~/.gitconfig") ])
        (call "readonly" [ "/opt/models" ])
      ];
    };
  };

  "test: env values are literal set-env calls" = {
    expr = agent {
      env = {
        MODE = "fast";
        ODD = "$(rm -rf ~) `x` 'q'";
      };
    };
    expected = expect {
      env = [
        (call "set-env" [
          "MODE"
          "fast"
        ])
        # `$` and backticks go in escaped double quotes (shellcheck rejects them in single ones)
        (call "set-env" [
          "ODD"
          (noescape "\"\\$(rm -rf ~) \\`x\\` 'q'\"")
        ])
      ];
    };
  };

  "test: homeEnv values are expanded from HOME at launch with the rest quoted" = {
    expr = agent { homeEnv.AGENT_HOME = ".my agent/x"; };
    expected = expect {
      env = [
        (call "set-env" [
          "AGENT_HOME"
          (noescape "\"$HOME\"/'.my agent/x'")
        ])
      ];
    };
  };

  "test: a caller's env is merged over the preset's env" = {
    expr = builtins.filter (
      c:
      c.name == "set-env"
      && builtins.elem (builtins.head c.args) [
        "PI_SKIP_VERSION_CHECK"
        "EXTRA"
      ]
    ) (calls (jailgen.makeJailedPi { env.EXTRA = "1"; }));
    expected = [
      (call "set-env" [
        "EXTRA"
        "1"
      ])
      (call "set-env" [
        "PI_SKIP_VERSION_CHECK"
        "1"
      ])
    ];
  };

  "test: forwardEnv names become try-fwd-env calls" = {
    expr = agent {
      forwardEnv = [
        "ANTHROPIC_API_KEY"
        "OPENAI_API_KEY"
      ];
    };
    expected = expect {
      env = [
        (call "try-fwd-env" [ "ANTHROPIC_API_KEY" ])
        (call "try-fwd-env" [ "OPENAI_API_KEY" ])
      ];
    };
  };

  "test: network = false drops the network combinator and keeps time-zone and no-new-session" = {
    expr = agent { network = false; };
    expected = expect {
      base = h.timeZone ++ [ (call "no-new-session" [ ]) ];
    };
  };

  "test: newSession = true drops no-new-session" = {
    expr = agent { newSession = true; };
    expected = expect { base = h.fastNetwork ++ h.timeZone; };
  };

  "test: hostSsl binds the host's /etc/ssl instead of the store bundle" = {
    expr = agent { hostSsl = true; };
    expected = expect {
      base =
        builtins.genList (i: builtins.elemAt h.fastNetwork i) 7
        ++ [ (call "runtime-deep-ro-bind" [ "/etc/ssl" ]) ]
        ++ builtins.genList (i: builtins.elemAt h.fastNetwork (i + 8)) 5
        ++ h.timeZone
        ++ [ (call "no-new-session" [ ]) ];
    };
  };

  "test: enableNix binds /nix read-only, the daemon socket read-write and adds nix" = {
    expr = agent { enableNix = true; };
    expected = expect {
      nix = [
        (call "readonly" [ "/nix" ])
        (call "try-readonly" [ "/etc/nix" ])
        (call "try-readwrite" [ "/nix/var/nix/daemon-socket" ])
        (call "add-pkg-deps" [ [ "pkg:nix" ] ])
        (call "set-env" [
          "NIX_REMOTE"
          "daemon"
        ])
      ];
    };
  };

  "test: baseJailOptions replaces the default base list verbatim" = {
    expr = agent {
      baseJailOptions = [
        h.harness.jail.combinators.time-zone
        h.harness.jail.combinators.mount-cwd
      ];
    };
    expected = expect {
      base = [
        (call "time-zone" [ ])
        (call "mount-cwd" [ ])
      ];
      baseRuntime = false;
    };
  };

  "test: commonJailOptions is the default base list" = {
    expr = agent { baseJailOptions = jailgen.commonJailOptions; };
    expected = expect { };
  };

  "test: extraCombinators accepts names from combinators.json and permission values" = {
    expr = agent {
      extraCombinators = [
        "gpu"
        "wayland"
        (h.harness.jail.combinators.set-hostname "box")
      ];
    };
    expected = expect {
      extra = [
        (call "gpu" [ ])
        (call "wayland" [ ])
        (call "set-hostname" [ "box" ])
      ];
    };
  };

  "test: git = \"open\" passes open to the git runtime function" = {
    expr = agent { git = "open"; };
    expected = expect { git = "open"; };
  };

  "test: hide patterns are shell-quoted one per word" = {
    expr = agent {
      hide = [
        "secrets/*.key"
        "my file"
        "it's"
      ];
    };
    expected = expect {
      hide = h.rt "jailgen_hide 'secrets/*.key' 'my file' 'it'\\''s'";
    };
  };

  "test: hide = [ ] adds no hide call" = {
    expr = agent { hide = [ ]; };
    expected = expect { hide = [ ]; };
  };

  "test: name and pkg override a preset's defaults" = {
    expr =
      let
        j = jailgen.makeJailedOpencode {
          name = "oc";
          pkg = pkgs.hello;
        };
      in
      [
        j.name
        (builtins.elem "pkg:hello" (
          builtins.elemAt (h.lib.last (builtins.filter (c: c.name == "add-pkg-deps") (calls j))).args 0
        ))
      ];
    expected = [
      "oc"
      true
    ];
  };
}
