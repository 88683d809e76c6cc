# Every makeJailedAgent argument, one at a time: the exact recorded jail.nix calls and the exact
# policy the wrapper hands the launcher.
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h)
    call
    calls
    jailgen
    pkgs
    ;

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

  agent =
    args:
    let
      j = jailOf args;
    in
    {
      calls = calls j;
      policy = h.policyOf j;
    };

  pkgDeps = extra: call "add-pkg-deps" [ (h.commonPkgNames ++ extra ++ [ "pkg:hello" ]) ];

  removeNulls =
    attrs:
    builtins.removeAttrs attrs (builtins.filter (n: attrs.${n} == null) (builtins.attrNames attrs));

  # What `agent { }` records and writes, with the parts an option changes.
  expect =
    {
      base ? h.defaultBase,
      deps ? pkgDeps [ ],
      nix ? [ ],
      extra ? [ ],
      policy ? { },
    }:
    {
      calls =
        h.jailNixBase
        ++ base
        ++ [
          h.grants
          deps
        ]
        ++ nix
        ++ extra;
      # A null in `policy` drops the field (`netStack` is written with `network = true` only).
      policy = removeNulls (h.defaultPolicy "my-agent" // policy);
    };
in
{
  "test: makeJailedAgent with no optional arguments records the default list and policy" = {
    expr = agent { };
    expected = expect { };
  };

  "test: configPaths are state the launcher creates when missing, and read-write grants" = {
    expr = agent {
      configPaths = [
        "~/.config/my-agent"
        "/var/lib/my-agent"
      ];
    };
    expected = expect {
      policy = {
        state = [
          {
            path = "~/.config/my-agent";
            kind = "dir";
          }
          {
            path = "/var/lib/my-agent";
            kind = "dir";
          }
        ];
        # Two components before three: parents first, otherwise in the order given.
        readwrite = [
          "~/.config/my-agent"
          "/var/lib/my-agent"
        ];
      };
    };
  };

  "test: a state path with a file extension is created as a file" = {
    expr =
      (agent {
        configPaths = [
          "~/.my-agent"
          "~/.my-agent.json"
        ];
      }).policy.state;
    expected = [
      {
        path = "~/.my-agent";
        kind = "dir";
      }
      {
        path = "~/.my-agent.json";
        kind = "file";
      }
    ];
  };

  "test: extraConfigPaths are appended to a preset's configPaths" = {
    expr =
      let
        j = jailgen.makeJailedCodex { extraConfigPaths = [ "~/.codex-extra" ]; };
      in
      {
        calls = calls j;
        inherit (h.policyOf j) state readwrite;
      };
    expected = {
      calls =
        h.jailNixBase
        ++ h.defaultBase
        ++ [
          h.grants
          (call "add-pkg-deps" [ (h.commonPkgNames ++ [ "pkg:codex" ]) ])
        ];
      state = [
        {
          path = "~/.codex";
          kind = "dir";
        }
        {
          path = "~/.codex-extra";
          kind = "dir";
        }
      ];
      readwrite = [
        "~/.codex"
        "~/.codex-extra"
      ];
    };
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

  "test: extraReadwriteDirs are read-write grants and not state" = {
    expr = agent { extraReadwriteDirs = [ "~/projects/shared" ]; };
    expected = expect { policy.readwrite = [ "~/projects/shared" ]; };
  };

  "test: read-write grants list configPaths, then extraConfigPaths, then extraReadwriteDirs, parents first" =
    {
      expr =
        (agent {
          configPaths = [ "~/work/a/cache" ];
          extraConfigPaths = [ "~/.b" ];
          extraReadwriteDirs = [
            "~/work"
            "~/work/a/cache"
          ];
          extraReadonlyDirs = [ "~/work/a/ref" ];
        }).policy;
      expected = h.defaultPolicy "my-agent" // {
        readonly = [ "~/work/a/ref" ];
        # duplicates once; the launcher checks the nested ones for planted symlinks
        readwrite = [
          "~/.b"
          "~/work"
          "~/work/a/cache"
        ];
        state = [
          {
            path = "~/work/a/cache";
            kind = "dir";
          }
          {
            path = "~/.b";
            kind = "dir";
          }
        ];
      };
    };

  "test: extraReadonlyDirs are read-only grants in the order given" = {
    expr = agent {
      extraReadonlyDirs = [
        "~/.gitconfig"
        "/opt/models"
      ];
    };
    expected = expect {
      policy.readonly = [
        "~/.gitconfig"
        "/opt/models"
      ];
    };
  };

  "test: extraReadonlyIfExists are read-only grants the launcher skips when missing" = {
    expr = agent {
      extraReadonlyIfExists = [
        "~/.config/git/config"
        "~/.gitconfig"
      ];
      extraReadonlyDirs = [ "/opt/models" ];
    };
    expected = expect {
      policy = {
        readonly = [ "/opt/models" ];
        readonlyIfExists = [
          "~/.gitconfig"
          "~/.config/git/config"
        ];
      };
    };
  };

  "test: env values are literals in the policy, never shell text" = {
    expr = agent {
      env = {
        MODE = "fast";
        ODD = "$(rm -rf ~) `x` 'q'";
      };
    };
    expected = expect {
      policy.env = {
        set = {
          MODE = "fast";
          ODD = "$(rm -rf ~) `x` 'q'";
        };
        home = { };
        inherit (h) forward;
      };
    };
  };

  "test: homeEnv values are paths relative to HOME for the launcher to expand" = {
    expr = agent { homeEnv.AGENT_HOME = ".my agent/x"; };
    expected = expect {
      policy.env = {
        set = { };
        home.AGENT_HOME = ".my agent/x";
        inherit (h) forward;
      };
    };
  };

  "test: a caller's env is merged over the preset's env" = {
    expr = (h.policyOf (jailgen.makeJailedPi { env.EXTRA = "1"; })).env.set;
    expected = {
      EXTRA = "1";
      PI_SKIP_VERSION_CHECK = "1";
    };
  };

  "test: forwardEnv names are forwarded by the launcher in the order given" = {
    expr = agent {
      forwardEnv = [
        "OPENAI_API_KEY"
        "ANTHROPIC_API_KEY"
      ];
    };
    expected = expect {
      policy.env = {
        set = { };
        home = { };
        forward = [
          "OPENAI_API_KEY"
          "ANTHROPIC_API_KEY"
        ]
        ++ h.forward;
      };
    };
  };

  "test: network = false drops the network combinator and keeps no-new-session" = {
    expr = agent { network = false; };
    expected = expect {
      base = [ (call "no-new-session" [ ]) ];
      policy = {
        network = false;
        netStack = null;
      };
    };
  };

  "test: newSession = true drops no-new-session" = {
    expr = agent { newSession = true; };
    expected = expect {
      base = [ (call "unsafe-add-raw-args" [ "--hostname jail" ]) ];
      policy.newSession = true;
    };
  };

  "test: hostSsl asks the launcher for the host's /etc/ssl instead of the store bundle" = {
    expr = agent { hostSsl = true; };
    expected = expect {
      policy.tls = {
        inherit (h) caBundle;
        hostSsl = true;
      };
    };
  };

  "test: enableNix adds nix to PATH and asks the launcher for /nix and the daemon" = {
    expr = agent { enableNix = true; };
    expected = expect {
      nix = [ (call "add-pkg-deps" [ [ "pkg:nix" ] ]) ];
      policy.nix = true;
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
      # No network combinator in the list: offline, as in jailed-agents (nix/lib/compat.nix).
      policy = {
        network = false;
        netStack = null;
      };
    };
  };

  "test: a custom baseJailOptions built on lib.commonJailOptions keeps the network" = {
    expr =
      map
        (
          base:
          (h.policyOf (
            jailgen.makeJailedAgent {
              name = "my-agent";
              pkg = pkgs.hello;
              configPaths = [ ];
              baseJailOptions = base;
            }
          )).network
        )
        [
          jailgen.commonJailOptions
          (jailgen.commonJailOptions ++ [ h.harness.jail.combinators.gpu ])
          [ h.harness.jail.combinators.no-new-session ]
        ];
    expected = [
      true
      true
      false
    ];
  };

  "test: with a custom baseJailOptions, network = false still reaches the launcher" = {
    expr = agent {
      baseJailOptions = [ h.harness.jail.combinators.no-new-session ];
      network = false;
    };
    expected = expect {
      base = [ (call "no-new-session" [ ]) ];
      policy = {
        network = false;
        netStack = null;
      };
    };
  };

  "test: commonJailOptions is the default base list" = {
    expr = agent { baseJailOptions = jailgen.commonJailOptions; };
    expected = expect { };
  };

  "test: extraCombinators accepts names from combinators.json and permission values, last" = {
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

  "test: git = \"open\" is the policy's git mode" = {
    expr = agent { git = "open"; };
    expected = expect { policy.git = "open"; };
  };

  "test: hide patterns reach the policy as they are" = {
    expr = agent {
      hide = [
        "secrets/*.key"
        "my file"
        "it's"
      ];
    };
    expected = expect {
      policy.hide = [
        "secrets/*.key"
        "my file"
        "it's"
      ];
    };
  };

  "test: hide = [ ] hides nothing" = {
    expr = agent { hide = [ ]; };
    expected = expect { policy.hide = [ ]; };
  };

  "test: the defaults come from defaults.json, which the launcher reads too" = {
    expr =
      let
        p = (agent { }).policy;
      in
      {
        inherit (p)
          git
          hide
          network
          newSession
          nix
          seccomp
          ;
        inherit (p.tls) hostSsl;
      };
    expected = {
      inherit (builtins.fromJSON (builtins.readFile ../lib/defaults.json))
        git
        hide
        network
        newSession
        nix
        seccomp
        hostSsl
        ;
    };
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
        (h.policyOf j).name
        (builtins.elem "pkg:hello" (
          builtins.elemAt (h.lib.last (builtins.filter (c: c.name == "add-pkg-deps") (calls j))).args 0
        ))
      ];
    expected = [
      "oc"
      "oc"
      true
    ];
  };
}
