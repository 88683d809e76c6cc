# jailed-agents' current argument names (nix/lib/compat.nix): each one gives the same recorded
# list as the native arguments it stands for, on makeJailedAgent and on every preset builder.
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

  # What a jail is: jail.nix's recorded calls and the policy the launcher reads.
  jailOf = drv: {
    calls = calls drv;
    policy = h.policyOf drv;
  };
  agent =
    args:
    jailOf (
      jailgen.makeJailedAgent (
        {
          name = "my-agent";
          pkg = pkgs.hello;
          configPaths = [ ];
        }
        // args
      )
    );

  has = c: list: builtins.elem c list;
  count = pred: list: builtins.length (builtins.filter pred list);

  # Every argument of jailed-agents' makePreconfiguredAgent, at once.
  everyArgument = {
    name = "everything";
    pkg = pkgs.hello;
    extraPkgs = [ pkgs.nodejs ];
    extraJailOptions = [ jailgen.internals.jail.combinators.gpu ];
    extraReadwriteDirs = [ "~/projects" ];
    extraReadonlyDirs = [ "~/readonly-cache" ];
    env.MY_MODE = "fast";
    enableNix = true;
    fwdEnv = [ "ANTHROPIC_API_KEY" ];
    enableGitWorktrees = {
      enable = true;
      dir = "~/worktrees";
      mountGitConfig = true;
    };
    enableOpenUrls = true;
    nixConfigDir = "~/.config/nix";
    baseJailOptions = jailgen.commonJailOptions;
    basePackages = jailgen.commonPkgs;
  };
in
{
  "test: fwdEnv gives the same list as forwardEnv" = {
    expr = agent { fwdEnv = [ "ANTHROPIC_API_KEY" ]; };
    expected = agent { forwardEnv = [ "ANTHROPIC_API_KEY" ]; };
  };

  "test: fwdEnv and forwardEnv together forward both, forwardEnv first" = {
    expr = agent {
      forwardEnv = [ "A" ];
      fwdEnv = [ "B" ];
    };
    expected = agent {
      forwardEnv = [
        "A"
        "B"
      ];
    };
  };

  "test: enableGitWorktrees = true adds nothing: git protection already serves worktrees" = {
    expr = [
      (agent { enableGitWorktrees = true; })
      (agent {
        enableGitWorktrees = {
          enable = true;
        };
      })
      (agent { enableGitWorktrees = false; })
      (agent { enableGitWorktrees = null; })
    ];
    expected = builtins.genList (_: agent { }) 4;
  };

  "test: enableGitWorktrees.dir is a read-write grant" = {
    expr = agent {
      enableGitWorktrees = {
        enable = true;
        dir = "~/worktrees";
      };
    };
    expected = agent { extraReadwriteDirs = [ "~/worktrees" ]; };
  };

  "test: enableGitWorktrees.mountGitConfig binds ~/.gitconfig read-only only when it exists" = {
    expr =
      (agent {
        enableGitWorktrees = {
          enable = true;
          mountGitConfig = true;
        };
      }).policy;
    expected = (agent { }).policy // {
      readonlyIfExists = [ "~/.gitconfig" ];
    };
  };

  "test: enableGitWorktrees without enable = true ignores dir and mountGitConfig, as jailed-agents does" =
    {
      expr = agent {
        enableGitWorktrees = {
          dir = "~/worktrees";
          mountGitConfig = true;
        };
      };
      expected = agent { };
    };

  "test: nixConfigDir as a string is a read-only grant" = {
    expr = agent { nixConfigDir = "~/.config/nix"; };
    expected = agent { extraReadonlyDirs = [ "~/.config/nix" ]; };
  };

  "test: nixConfigDir with writable = true is a read-write grant" = {
    expr = [
      (agent {
        nixConfigDir = {
          path = "~/.config/nix";
          writable = true;
        };
      })
      (agent { nixConfigDir.path = "~/.config/nix"; })
    ];
    expected = [
      (agent { extraReadwriteDirs = [ "~/.config/nix" ]; })
      (agent { extraReadonlyDirs = [ "~/.config/nix" ]; })
    ];
  };

  "test: the combinator name open-urls-in-browser means lib.openUrls (http and https only)" = {
    expr = agent { extraCombinators = [ "open-urls-in-browser" ]; };
    expected = agent { enableOpenUrls = true; };
  };

  "test: extraJailOptions permission values land after jailgen's own calls" = {
    expr = agent { extraJailOptions = [ jailgen.internals.jail.combinators.gpu ]; };
    expected = agent { extraCombinators = [ jailgen.internals.jail.combinators.gpu ]; };
  };

  "test: enableOpenUrls adds lib.openUrls: BROWSER is the channel, xdg-open a shim" = {
    expr =
      let
        l = (agent { enableOpenUrls = true; }).calls;
      in
      {
        same = agent { enableOpenUrls = true; } == agent { extraCombinators = [ jailgen.openUrls ]; };
        browser = has (call "set-env" [
          "BROWSER"
          "browserchannel"
        ]) l;
        channel = count (c: c.name == "jail-to-host-channel") l;
        shim = has (call "add-pkg-deps" [ [ "pkg:xdg-open" ] ]) l;
        off = agent { enableOpenUrls = false; } == agent { };
        on = agent { enableOpenUrls = true; } == agent { };
      };
    expected = {
      same = true;
      browser = true;
      channel = 1;
      shim = true;
      off = true;
      on = false;
    };
  };

  "test: lib.openUrls hands jail.nix a handler of jailgen's own, not open-urls-in-browser's" = {
    expr =
      builtins.any
        (
          c: c.name == "jail-to-host-channel" && builtins.elemAt c.args 1 == jailgen.internals.openUrlsHandler
        )
        (agent {
          enableOpenUrls = true;
        }).calls;
    expected = true;
  };

  "test: every preset builder takes every jailed-agents argument" = {
    expr = builtins.mapAttrs (
      _: spec: builtins.isString (jailgen.${spec.builder} (removeAttrs everyArgument [ "pkg" ])).text
    ) jailgen.presets;
    expected = builtins.mapAttrs (_: _: true) jailgen.presets;
  };

  "test: every jailed-agents argument maps onto the native ones" = {
    expr = agent everyArgument;
    expected = agent {
      name = "everything";
      extraPkgs = [ pkgs.nodejs ];
      extraCombinators = [
        jailgen.internals.jail.combinators.gpu
        jailgen.openUrls
      ];
      extraReadwriteDirs = [
        "~/projects"
        "~/worktrees"
      ];
      extraReadonlyDirs = [
        "~/readonly-cache"
        "~/.config/nix"
      ];
      extraReadonlyIfExists = [ "~/.gitconfig" ];
      env.MY_MODE = "fast";
      enableNix = true;
      forwardEnv = [ "ANTHROPIC_API_KEY" ];
      baseJailOptions = jailgen.commonJailOptions;
      basePackages = jailgen.commonPkgs;
    };
  };

  "test: a preset's defaultExtraPkgs come before extraPkgs, and the argument replaces them" = {
    expr = [
      (jailOf (jailgen.makeJailedPi { extraPkgs = [ pkgs.nodejs ]; }))
      (jailOf (
        jailgen.makeJailedPi {
          defaultExtraPkgs = [ pkgs.python3 ];
          extraPkgs = [ pkgs.nodejs ];
        }
      ))
    ];
    expected = [
      (jailOf (
        jailgen.makeJailedAgent {
          name = "jailed-pi";
          pkg = h.harness.agentPackages.pi;
          configPaths = [ "~/.pi" ];
          env.PI_SKIP_VERSION_CHECK = "1";
          extraPkgs = [ pkgs.nodejs ];
        }
      ))
      (jailOf (
        jailgen.makeJailedAgent {
          name = "jailed-pi";
          pkg = h.harness.agentPackages.pi;
          configPaths = [ "~/.pi" ];
          env.PI_SKIP_VERSION_CHECK = "1";
          extraPkgs = [
            pkgs.python3
            pkgs.nodejs
          ];
        }
      ))
    ];
  };

  "test: makeJailedGoose and makeJailedHermesAgent are exported with jailed-agents' command names" = {
    expr = map (b: (jailgen.${b} { }).name) [
      "makeJailedGoose"
      "makeJailedHermesAgent"
    ];
    expected = [
      "jailed-goose"
      "jailed-hermes-agent"
    ];
  };

  "test: the terminal's variables are forwarded unless forwardTerminalEnv = false" = {
    expr = {
      on = (agent { }).policy.env.forward;
      off = (agent { forwardTerminalEnv = false; }).policy.env.forward;
      after =
        (agent {
          fwdEnv = [
            "A"
            "COLORTERM"
          ];
        }).policy.env.forward;
    };
    expected = {
      on = [
        "COLORTERM"
        "TERM_PROGRAM"
        "TERM_PROGRAM_VERSION"
      ];
      off = [ ];
      after = [
        "A"
        "COLORTERM"
        "TERM_PROGRAM"
        "TERM_PROGRAM_VERSION"
      ];
    };
  };

  "test: a jailed-agents argument changes the policy, so the comparisons above can fail" = {
    expr = map (args: agent args == agent { }) [
      { fwdEnv = [ "A" ]; }
      { nixConfigDir = "~/.config/nix"; }
      {
        enableGitWorktrees = {
          enable = true;
          dir = "~/wt";
        };
      }
    ];
    expected = [
      false
      false
      false
    ];
  };
}
