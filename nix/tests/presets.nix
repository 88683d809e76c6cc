# Every preset builder with default arguments records exactly this permission list and writes
# exactly this policy.
{
  h ? import ./helpers.nix { },
}:
let
  inherit (h)
    call
    calls
    jailgen
    ;

  # The expected calls and policy for a preset: its state dirs, the agent package, its env.
  expected =
    {
      preset,
      dirs,
      pkg,
      set ? { },
      home ? { },
    }:
    {
      calls =
        h.jailNixBase
        ++ h.defaultBase
        ++ [
          h.grants
          (call "add-pkg-deps" [ (h.commonPkgNames ++ [ "pkg:${pkg}" ]) ])
        ];
      policy = h.defaultPolicy "jailed-${preset}" // {
        readwrite = dirs;
        state = map (path: {
          inherit path;
          kind = "dir";
        }) dirs;
        env = {
          inherit set home;
          inherit (h) forward;
        };
      };
    };

  case = builder: spec: {
    expr =
      let
        j = jailgen.${builder} { };
      in
      {
        calls = calls j;
        policy = h.policyOf j;
      };
    expected = expected spec;
  };
in
{
  "test: the amp preset binds its config, data and log dirs and skips the update check" =
    case "makeJailedAmp"
      {
        preset = "amp";
        dirs = [
          "~/.config/amp"
          "~/.cache/amp"
          "~/.local/share/amp"
        ];
        pkg = "amp";
        set.AMP_SKIP_UPDATE_CHECK = "1";
      };

  "test: the claude-code preset binds ~/.claude and points CLAUDE_CONFIG_DIR at it" =
    case "makeJailedClaudeCode"
      {
        preset = "claude-code";
        dirs = [ "~/.claude" ];
        pkg = "claude-code";
        home.CLAUDE_CONFIG_DIR = ".claude";
      };

  "test: the codex preset binds ~/.codex" = case "makeJailedCodex" {
    preset = "codex";
    dirs = [ "~/.codex" ];
    pkg = "codex";
  };

  "test: the crush preset binds its config and data dirs" = case "makeJailedCrush" {
    preset = "crush";
    dirs = [
      "~/.config/crush"
      "~/.local/share/crush"
    ];
    pkg = "crush";
  };

  "test: the cursor-agent preset binds ~/.cursor and ~/.config/cursor" =
    case "makeJailedCursorAgent"
      {
        preset = "cursor-agent";
        dirs = [
          "~/.cursor"
          "~/.config/cursor"
        ];
        pkg = "cursor-agent";
      };

  "test: the gemini-cli preset binds ~/.gemini" = case "makeJailedGeminiCli" {
    preset = "gemini-cli";
    dirs = [ "~/.gemini" ];
    pkg = "gemini-cli";
  };

  "test: the goose preset binds three XDG dirs and turns the keyring off" = case "makeJailedGoose" {
    preset = "goose";
    dirs = [
      "~/.config/goose"
      "~/.local/share/goose"
      "~/.local/state/goose"
    ];
    pkg = "goose-cli";
    set.GOOSE_DISABLE_KEYRING = "1";
  };

  "test: the opencode preset binds three XDG dirs and its cache" = case "makeJailedOpencode" {
    preset = "opencode";
    dirs = [
      "~/.config/opencode"
      "~/.cache/opencode"
      "~/.local/share/opencode"
      "~/.local/state/opencode"
    ];
    pkg = "opencode";
  };

  "test: the pi preset binds ~/.pi and skips the version check" = case "makeJailedPi" {
    preset = "pi";
    dirs = [ "~/.pi" ];
    pkg = "pi";
    set.PI_SKIP_VERSION_CHECK = "1";
  };

  "test: the qwen-code preset binds ~/.qwen" = case "makeJailedQwenCode" {
    preset = "qwen-code";
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
