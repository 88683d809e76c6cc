# makeJailedAgent: the one function that turns arguments into a jail.nix permission list.
# Arguments and defaults: nix/lib/API.md.
#
# Permission order (each step relies on the ones before it):
#   1. baseJailOptions: by default fast network (unless `network = false`), time zone,
#      no-new-session (unless `newSession = true`)
#   2. LANG guard: `set-env LANG "${LANG:-C.UTF-8}"` replaces jail.nix base's `fwd-env LANG`,
#      which aborts the wrapper under `set -u` when LANG is unset
#   3. the working-directory guard (switches to the physical directory; refuses $HOME, / and
#      ancestors of $HOME, directories of secrets); the functions of nix/runtime/wrapper.sh are
#      pasted once, before their first call (nix/lib/runtime.nix). Then the launch-time checks
#      that no grant lying inside a read-write grant (or the working directory) is reached
#      through a symlink, and read-only grants inside the working directory bound again
#      (runtime binds, after mount-cwd); and the per-directory session lock (jailgen_lock)
#   4. state paths created on the host when missing (before anything binds them)
#   5. read-only binds, parents before children, then extraReadonlyIfExists (try-readonly)
#   6. mount-cwd
#   7. read-write binds (configPaths, extraConfigPaths, extraReadwriteDirs), parents first
#   8. read-only paths that lie under a read-write grant, bound again so the grant does not
#      shadow them
#   9. add-pkg-deps basePackages ++ extraPkgs ++ [ pkg ] (the last one comes first in PATH)
#  10. env (literal) and the preset's homeEnv ("$HOME"/'rest', expanded at launch)
#  11. forwardEnv, then the terminal's variables (terminal-env.json, unless
#      forwardTerminalEnv = false), through try-fwd-env (absent in the jail when unset on the host)
#  12. enableNix: read-only /nix and /etc/nix, the daemon socket, nix on PATH, NIX_REMOTE
#  13. git protection, then hidden files (runtime binds, which land after every static bind)
#  14. the TIOCSTI seccomp filter
#  15. extraCombinators
{
  lib,
  pkgs,
  jail,
  paths,
  fastNetwork,
  commonPkgs,
  seccompFilter,
  runtime,
  knownCombinators,
}:
{
  name,
  pkg,
  configPaths,
  extraConfigPaths ? [ ],
  extraPkgs ? [ ],
  extraReadwriteDirs ? [ ],
  extraReadonlyDirs ? [ ],
  extraReadonlyIfExists ? [ ],
  baseJailOptions ? null,
  basePackages ? commonPkgs,
  env ? { },
  homeEnv ? { },
  forwardEnv ? [ ],
  forwardTerminalEnv ? true,
  network ? true,
  newSession ? false,
  enableNix ? false,
  hostSsl ? false,
  extraCombinators ? [ ],
  git ? "protect",
  hide ? [
    ".env"
    ".env.*"
  ],
}:
let
  inherit (lib)
    concatStringsSep
    filter
    optional
    optionals
    ;
  c = jail.combinators;

  # The terminal's capability variables (COLORTERM, TERM_PROGRAM, …): not secrets, and without
  # them TUIs fall back to 256 colours. Forwarded like forwardEnv (absent when unset).
  terminalEnv = builtins.fromJSON (builtins.readFile ./terminal-env.json);

  # What a store path name allows, not starting with a dot.
  commandName = "[A-Za-z0-9+_?=-][A-Za-z0-9+._?=-]*";

  fn = "jailgen.makeJailedAgent (`${toString name}`)";

  # Argument errors name the argument and end with a corrected example.
  fail =
    {
      why,
      example,
    }:
    throw "${fn}: ${why}\nFor example:\n  ${example}";

  checkList =
    argument: value:
    if builtins.isList value then
      map (paths.check { inherit fn argument; }) value
    else
      fail {
        why = "`${argument}` must be a list of paths.";
        example = "${argument} = [ \"~/.config/my-agent\" ];";
      };

  # An attribute set of environment variables: every name a POSIX name, every value `valueOk`.
  checkEnv =
    {
      argument,
      what,
      example,
      valueOk,
      valueWhy,
      valueExample,
    }:
    attrs:
    if builtins.isAttrs attrs then
      builtins.mapAttrs (
        var: value:
        if !lib.isValidPosixName var then
          fail {
            why = "the `${argument}` name `${var}` is not an environment variable name.";
            inherit example;
          }
        else if !valueOk value then
          fail {
            why = valueWhy var;
            example = valueExample var;
          }
        else
          value
      ) attrs
    else
      fail {
        why = "`${argument}` must be an attribute set of ${what}.";
        inherit example;
      };

  known = concatStringsSep ", " knownCombinators;

  checked = {
    name =
      if builtins.isString name && builtins.match commandName name != null then
        name
      else
        fail {
          why = "`name` must be a command name: letters, digits and `+ . _ ? = -`, not starting with a dot.";
          example = "name = \"jailed-my-agent\";";
        };

    pkg =
      if lib.isDerivation pkg || builtins.isString pkg then
        pkg
      else
        fail {
          why = "`pkg` must be a package (a derivation).";
          example = "pkg = pkgs.opencode;";
        };

    configPaths = checkList "configPaths" configPaths ++ checkList "extraConfigPaths" extraConfigPaths;
    readwrite = checkList "extraReadwriteDirs" extraReadwriteDirs;
    readonly = checkList "extraReadonlyDirs" extraReadonlyDirs;
    readonlyIfExists = checkList "extraReadonlyIfExists" extraReadonlyIfExists;

    env = checkEnv {
      argument = "env";
      what = "strings";
      example = "env = { MY_AGENT_MODE = \"fast\"; };";
      valueOk = builtins.isString;
      valueWhy =
        var:
        "`env.${var}` must be a string; env values are literals written into the wrapper (use forwardEnv for secrets).";
      valueExample = var: "env = { ${var} = \"1\"; };";
    } env;

    homeEnv = checkEnv {
      argument = "homeEnv";
      what = "paths relative to $HOME";
      example = "homeEnv = { MY_AGENT_HOME = \".my-agent\"; };";
      valueOk = rel: builtins.isString rel && rel != "" && paths.problem "~/${rel}" == null;
      valueWhy = var: "`homeEnv.${var}` must be a path relative to $HOME, without `..` or newlines.";
      valueExample = var: "homeEnv = { ${var} = \".my-agent\"; };";
    } homeEnv;

    forwardEnv =
      if builtins.isList forwardEnv then
        map (
          var:
          if builtins.isString var && lib.isValidPosixName var then
            var
          else
            fail {
              why = "`forwardEnv` entry `${toString var}` is not an environment variable name.";
              example = "forwardEnv = [ \"ANTHROPIC_API_KEY\" ];";
            }
        ) forwardEnv
      else
        fail {
          why = "`forwardEnv` must be a list of environment variable names.";
          example = "forwardEnv = [ \"ANTHROPIC_API_KEY\" ];";
        };

    flags =
      let
        boolArgs = {
          inherit
            network
            newSession
            enableNix
            hostSsl
            forwardTerminalEnv
            ;
        };
        bad = filter (n: !builtins.isBool boolArgs.${n}) (builtins.attrNames boolArgs);
      in
      if bad == [ ] then
        true
      else
        fail {
          why = "`${builtins.head bad}` must be true or false.";
          example = "${builtins.head bad} = true;";
        };

    packages =
      let
        pkgList =
          argument: value:
          if builtins.isList value && builtins.all lib.isDerivation value then
            value
          else
            fail {
              why = "`${argument}` must be a list of packages.";
              example = "${argument} = [ pkgs.nodejs pkgs.python3 ];";
            };
      in
      pkgList "basePackages" basePackages ++ pkgList "extraPkgs" extraPkgs;

    git =
      if
        builtins.elem git [
          "protect"
          "open"
        ]
      then
        git
      else
        fail {
          why = "`git` must be \"protect\" or \"open\", got `${toString git}`.";
          example = "git = \"open\";";
        };

    hide =
      if builtins.isList hide then
        map (
          pattern:
          if
            !builtins.isString pattern
            || pattern == ""
            || lib.hasPrefix "/" pattern
            || builtins.elem ".." (lib.splitString "/" pattern)
            || builtins.length (builtins.split "\n" pattern) > 1
          then
            fail {
              why = "`hide` pattern `${toString pattern}` must be a glob relative to the working directory, without `..` or newlines.";
              example = "hide = [ \".env\" \".env.*\" \"secrets/*.key\" ];";
            }
          else
            pattern
        ) hide
      else
        fail {
          why = "`hide` must be a list of globs.";
          example = "hide = [ \".env\" \".env.*\" ];";
        };

    extraCombinators =
      if builtins.isList extraCombinators then
        map (
          x:
          if builtins.isString x then
            if builtins.elem x knownCombinators then
              c.${x}
            else
              fail {
                why = "`extraCombinators` names `${x}`, which is not an argument-less jail.nix combinator jailgen knows (${known}); pass anything else as a permission value.";
                example = "extraCombinators = [ \"gpu\" (jail.combinators.readonly \"/srv/models\") ];";
              }
          else if lib.isFunction x then
            x
          else
            fail {
              why = "`extraCombinators` entries must be combinator names or permissions, got a ${builtins.typeOf x}.";
              example = "extraCombinators = [ \"gpu\" ];";
            }
        ) extraCombinators
      else
        fail {
          why = "`extraCombinators` must be a list.";
          example = "extraCombinators = [ \"gpu\" ];";
        };
  };

  defaultBase =
    optional network (fastNetwork {
      inherit hostSsl;
    })
    ++ [ runtime.timeZone ]
    ++ optional (!newSession) c.no-new-session;

  # `network`, `newSession` and `hostSsl` shape the default base options only: with a
  # `baseJailOptions` of your own they would be silently ignored (network = false would still
  # have the network your list grants), so that combination is refused.
  base =
    if baseJailOptions == null then
      defaultBase
    else if !network || newSession || hostSsl then
      fail {
        why = "`network`, `newSession` and `hostSsl` only shape the default `baseJailOptions`; with your own `baseJailOptions` they would be ignored. Put what you want into the list instead.";
        example = "baseJailOptions = [ jailgen.internals.jail.combinators.time-zone jailgen.internals.jail.combinators.no-new-session ];   # no network";
      }
    else
      baseJailOptions;

  readonlyPaths = paths.parentsFirst checked.readonly;
  readwritePaths = paths.parentsFirst (checked.configPaths ++ checked.readwrite);
  underReadwrite = ro: builtins.any (rw: paths.isUnder ro rw) readwritePaths;
  shadowedReadonly = filter underReadwrite readonlyPaths;

  # Read-only grants skipped when the host has no such path (`try-readonly`; jailed-agents'
  # mountGitConfig). One under a read-write grant is refused: the agent could put a symlink
  # there, which the next launch would follow.
  readonlyIfExistsPaths = map (
    p:
    if underReadwrite p then
      fail {
        why = "`extraReadonlyIfExists` path `${p}` lies inside a read-write grant, where the agent could replace it with a symlink to anything on the host.";
        example = "extraReadonlyIfExists = [ \"~/.gitconfig\" ];";
      }
    else
      p
  ) (paths.parentsFirst checked.readonlyIfExists);

  # Grants that may lie inside the working directory (checked at launch). One directly under `~`
  # or `/` cannot: the guard refuses `~`, `/` and their ancestors as working directories.
  mayBeInCwd = filter (p: paths.depth p > 1);
  inCwdReadonly = mayBeInCwd (readonlyPaths ++ readonlyIfExistsPaths);
  inCwdOther = mayBeInCwd readwritePaths;

  # Grants bound after a read-write grant that contains them: (root, path) pairs for the
  # launch-time symlink check (jailgen_check_nested in nix/runtime/wrapper.sh).
  nestedPairs = builtins.concatMap (
    p:
    builtins.concatMap (
      rw:
      optionals (paths.isUnder p rw) [
        rw
        p
      ]
    ) readwritePaths
  ) (readonlyPaths ++ readwritePaths);

  stateFiles = filter paths.isFile checked.configPaths;
  stateDirs = filter (p: !paths.isFile p) checked.configPaths;
  words = ps: concatStringsSep " " (map paths.word ps);
  # A command line: the function name and `--` as they are, then paths as words.
  words' =
    ws:
    concatStringsSep " " (map (w: if builtins.match "[a-z_-]+" w != null then w else paths.word w) ws);

  # A package's bin comes first in PATH; a string `pkg` is a command, not a package.
  agentBin = optional (lib.isDerivation checked.pkg) checked.pkg;

  homeEnvValue = rel: c.noescape ''"$HOME"/${paths.quote rel}'';

  permissions =
    assert checked.flags;
    base
    ++ [
      (c.set-env "LANG" (c.noescape ''"''${LANG:-C.UTF-8}"''))
      (runtime.call "jailgen_guard_cwd")
      (runtime.call "jailgen_lock")
    ]
    ++ optional (nestedPairs != [ ]) (runtime.call "jailgen_check_nested ${words nestedPairs}")
    ++ optional (inCwdReadonly ++ inCwdOther != [ ]) (
      runtime.call (words' ([ "jailgen_grants_in_cwd" ] ++ inCwdReadonly ++ [ "--" ] ++ inCwdOther))
    )
    ++ optional (stateDirs != [ ]) (runtime.call "jailgen_ensure_dir ${words stateDirs}")
    ++ optional (stateFiles != [ ]) (runtime.call "jailgen_ensure_file ${words stateFiles}")
    ++ map (p: c.readonly (paths.jailArg p)) readonlyPaths
    ++ map (p: c.try-readonly (paths.jailArg p)) readonlyIfExistsPaths
    ++ [ c.mount-cwd ]
    ++ map (p: c.readwrite (paths.jailArg p)) readwritePaths
    ++ map (p: c.readonly (paths.jailArg p)) shadowedReadonly
    ++ [ (c.add-pkg-deps (checked.packages ++ agentBin)) ]
    ++ lib.mapAttrsToList (var: value: c.set-env var (paths.jailValue value)) checked.env
    ++ lib.mapAttrsToList (var: rel: c.set-env var (homeEnvValue rel)) checked.homeEnv
    ++ map c.try-fwd-env (lib.unique (checked.forwardEnv ++ optionals forwardTerminalEnv terminalEnv))
    ++ optionals enableNix [
      (c.readonly "/nix")
      (c.try-readonly "/etc/nix")
      (c.try-readwrite "/nix/var/nix/daemon-socket")
      (c.add-pkg-deps [ pkgs.nix ])
      (c.set-env "NIX_REMOTE" "daemon")
    ]
    ++ [ (runtime.call "jailgen_protect_git ${checked.git}") ]
    ++ optional (checked.hide != [ ]) (
      runtime.call "jailgen_hide ${concatStringsSep " " (map paths.quote checked.hide)}"
    )
    ++ [ (c.add-seccomp seccompFilter) ]
    ++ checked.extraCombinators;
in
jail checked.name checked.pkg permissions
