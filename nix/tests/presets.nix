# Every preset builder with default arguments records exactly this permission list.
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h)
    call
    calls
    jailgen
    noescape
    ;

  # The expected list for a preset: its state dirs, the agent package and its env calls.
  expected =
    {
      dirs,
      pkg,
      env ? [ ],
    }:
    h.jailNixBase
    ++ h.defaultBase
    ++ h.prologue
    # only grants deeper than `~/x` can lie inside an accepted working directory
    ++ (
      let
        deep = builtins.filter (d: builtins.length (builtins.split "/" d) > 3) dirs;
      in
      if deep == [ ] then [ ] else h.rt "jailgen_grants_in_cwd -- ${builtins.concatStringsSep " " deep}"
    )
    ++ h.rt "jailgen_ensure_dir ${builtins.concatStringsSep " " dirs}"
    ++ [ (call "mount-cwd" [ ]) ]
    ++ map (d: call "readwrite" [ (noescape d) ]) dirs
    ++ [ (call "add-pkg-deps" [ (h.commonPkgNames ++ [ "pkg:${pkg}" ]) ]) ]
    ++ env
    ++ h.epilogue;

  case = builder: spec: {
    expr = calls (jailgen.${builder} { });
    expected = expected spec;
  };
in
{
  "test: the amp preset binds its config, data and log dirs and skips the update check" =
    case "makeJailedAmp"
      {
        dirs = [
          "~/.config/amp"
          "~/.cache/amp"
          "~/.local/share/amp"
        ];
        pkg = "amp";
        env = [
          (call "set-env" [
            "AMP_SKIP_UPDATE_CHECK"
            "1"
          ])
        ];
      };

  "test: the claude-code preset binds ~/.claude and points CLAUDE_CONFIG_DIR at it" =
    case "makeJailedClaudeCode"
      {
        dirs = [ "~/.claude" ];
        pkg = "claude-code";
        env = [
          (call "set-env" [
            "CLAUDE_CONFIG_DIR"
            (noescape ''"$HOME"/.claude'')
          ])
        ];
      };

  "test: the codex preset binds ~/.codex" = case "makeJailedCodex" {
    dirs = [ "~/.codex" ];
    pkg = "codex";
  };

  "test: the crush preset binds its config and data dirs" = case "makeJailedCrush" {
    dirs = [
      "~/.config/crush"
      "~/.local/share/crush"
    ];
    pkg = "crush";
  };

  "test: the cursor-agent preset binds ~/.cursor and ~/.config/cursor" =
    case "makeJailedCursorAgent"
      {
        dirs = [
          "~/.cursor"
          "~/.config/cursor"
        ];
        pkg = "cursor-agent";
      };

  "test: the gemini-cli preset binds ~/.gemini" = case "makeJailedGeminiCli" {
    dirs = [ "~/.gemini" ];
    pkg = "gemini-cli";
  };

  "test: the goose preset binds three XDG dirs and turns the keyring off" = case "makeJailedGoose" {
    dirs = [
      "~/.config/goose"
      "~/.local/share/goose"
      "~/.local/state/goose"
    ];
    pkg = "goose-cli";
    env = [
      (call "set-env" [
        "GOOSE_DISABLE_KEYRING"
        "1"
      ])
    ];
  };

  "test: the opencode preset binds three XDG dirs and its cache" = case "makeJailedOpencode" {
    dirs = [
      "~/.config/opencode"
      "~/.cache/opencode"
      "~/.local/share/opencode"
      "~/.local/state/opencode"
    ];
    pkg = "opencode";
  };

  "test: the pi preset binds ~/.pi and skips the version check" = case "makeJailedPi" {
    dirs = [ "~/.pi" ];
    pkg = "pi";
    env = [
      (call "set-env" [
        "PI_SKIP_VERSION_CHECK"
        "1"
      ])
    ];
  };

  "test: the qwen-code preset binds ~/.qwen" = case "makeJailedQwenCode" {
    dirs = [ "~/.qwen" ];
    pkg = "qwen-code";
  };

  "test: every preset in agents.json has a builder and a jailed command name" = {
    expr = builtins.mapAttrs (_: spec: (jailgen.${spec.builder} { }).name) jailgen.presets;
    expected = {
      amp = "jailed-amp";
      claude-code = "jailed-claude-code";
      codex = "jailed-codex";
      crush = "jailed-crush";
      cursor-agent = "jailed-cursor-agent";
      gemini-cli = "jailed-gemini-cli";
      goose = "jailed-goose";
      hermes-agent = "jailed-hermes-agent";
      opencode = "jailed-opencode";
      pi = "jailed-pi";
      qwen-code = "jailed-qwen-code";
    };
  };

  "test: a preset's jailed command runs the agent's own binary" = {
    expr = map (b: builtins.match ".* -- ([^ ]*) \"[$]@\"\n" (jailgen.${b} { }).text) [
      "makeJailedClaudeCode"
      "makeJailedGoose"
      "makeJailedQwenCode"
    ];
    expected = [
      [ "${h.harness.agentPackages.claude-code}/bin/claude" ]
      [ "${h.harness.agentPackages.goose-cli}/bin/goose" ]
      [ "${h.harness.agentPackages.qwen-code}/bin/qwen" ]
    ];
  };
}
