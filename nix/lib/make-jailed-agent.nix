# makeJailedAgent: the one function that turns arguments into a jail. Arguments and defaults:
# nix/lib/API.md; the policy file and how the launcher reads it: crates/POLICY.md.
#
# The library checks every argument (the errors below), then passes data: the jail's policy
# (grants, state paths, env, git mode, hide globs, network, TLS, Nix) is written as JSON into the
# store, and the wrapper jail.nix builds runs the launcher (crates/launch) with it in front of
# bwrap. env.forward holds forwardEnv, then the terminal's variables (terminal-env.json) unless
# forwardTerminalEnv = false. The launcher decides everything that depends on the host at
# launch: the working-directory guard, the session lock, state paths created without following symlinks,
# every grant (bound through descriptors it opened once), git protection, hidden files, the time
# zone, LANG, the network's files, the TIOCSTI filter, the environment.
#
# What stays with jail.nix, in this order:
#   1. baseJailOptions: by default the host's network namespace and hostname only with
#      `network = "host"`, and no-new-session (unless `newSession = true`); with a list of your
#      own, the launcher still shares or unshares the network as `network` says
#   2. `--jailgen-grants`, the token the launcher replaces with the grants (read-only grants,
#      the working directory, read-write grants, read-only grants under a read-write one again)
#   3. add-pkg-deps basePackages ++ extraPkgs ++ [ pkg ] (the last one comes first in PATH), then
#      nix with enableNix
#   4. extraCombinators
# plus two changes of jail.nix's state: its command is prefixed with the launcher and the policy
# file, and base's `fwd-env LANG` (which aborts the wrapper under `set -u` when LANG is unset) is
# dropped, since the launcher sets LANG (the host's, else C.UTF-8).
{
  lib,
  pkgs,
  jail,
  paths,
  fastNetwork,
  commonPkgs,
  launcher,
  defaults,
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
  network ? defaults.network,
  hostPorts ? [ ],
  netStack ? "slirp4netns",
  newSession ? defaults.newSession,
  enableNix ? defaults.nix,
  hostSsl ? defaults.hostSsl,
  extraCombinators ? [ ],
  git ? defaults.git,
  hide ? defaults.hide,
}:
let
  inherit (lib)
    concatStringsSep
    filter
    optional
    ;
  c = jail.combinators;
  netSets = import ./network.nix { inherit lib; };

  # The terminal's capability variables (COLORTERM, TERM_PROGRAM, …): not secrets, and without
  # them TUIs fall back to 256 colours. Forwarded like forwardEnv (absent when unset), after it.
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

    # `network`: true (the default: the jail's own network namespace, the internet through
    # the user-mode stack `netStack` names, the host's loopback and abstract sockets out of
    # reach), false, "host" (the host's network namespace, warned `host_network`) or
    # { allow = [ rules or sets ]; } (only an allowlist proxy; issue 10). `agent` in
    # `allow` was already replaced by the preset's hosts (presets.nix); `registries` is
    # expanded here (nix/lib/network.nix). The rules' syntax (and host port 3128 with an
    # allowlist) is checked by the launcher at launch, exit 125, with the proxy's own parser,
    # and by `jailgen` for jails.yaml before anything is rendered.
    # `hostPorts` (host loopback ports the jail reaches) go with true or an allowlist.
    network =
      let
        example = "network = { allow = [ \"agent\" \"registries\" \"docs.rs\" ]; };";
        ports =
          if
            builtins.isList hostPorts && builtins.all (p: builtins.isInt p && p >= 1 && p <= 65535) hostPorts
          then
            lib.unique hostPorts
          else
            fail {
              why = "`hostPorts` must be a list of TCP port numbers from 1 to 65535.";
              example = "hostPorts = [ 11434 ];";
            };
      in
      if network == true then
        if hostPorts == [ ] then true else { hostPorts = ports; }
      else if network == false || network == "host" then
        if hostPorts == [ ] then
          lib.warnIf (network == "host")
            "jailgen (host_network): `${name}` has network = \"host\": the host's network namespace, so every service on the host's loopback (databases, dev servers, a browser's debugging port, Docker's TCP API) and its abstract unix sockets, X11's among them, are reachable from the jail. The default network = true gives the internet without them; hostPorts reaches one chosen host port."
            network
        else
          fail {
            why = "`hostPorts` needs `network = true` or `network = { allow = [ ... ]; }`: with false the jail has no network, with \"host\" every host port is reachable anyway.";
            example = "network = true; hostPorts = [ 11434 ];";
          }
      else if builtins.isAttrs network && builtins.attrNames network == [ "allow" ] then
        if network.allow == [ ] && hostPorts == [ ] then
          fail {
            why = "an empty `network.allow` lets nothing out; name what the agent may reach, set `network = false` for no network at all, or give `hostPorts` for those host ports and nothing else.";
            inherit example;
          }
        else if builtins.isList network.allow && builtins.all builtins.isString network.allow then
          {
            allow = netSets.expandAllow {
              preset = null;
              inherit (network) allow;
            };
            hostPorts = ports;
          }
        else
          fail {
            why = "`network.allow` must be a list of host names, `*.domain` globs, `host:port` rules or the sets `agent` and `registries`.";
            inherit example;
          }
      else
        fail {
          why = "`network` must be true, false, \"host\" or { allow = [ ... ]; }.";
          inherit example;
        };

    # The user-mode stack behind `network = true`, as a store path in the policy.
    netStack =
      if netStack == "slirp4netns" then
        { slirp4netns = "${lib.getBin pkgs.slirp4netns}/bin/slirp4netns"; }
      else if netStack == "pasta" then
        { pasta = "${lib.getBin pkgs.passt}/bin/pasta"; }
      else
        fail {
          why = "`netStack` must be \"slirp4netns\" (the default) or \"pasta\".";
          example = "netStack = \"pasta\";";
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

  # The host's network namespace only for "host"; true and an allowlist keep their own.
  sharesNet = network == "host";
  defaultBase =
    optional sharesNet fastNetwork.shared
    ++ optional (network == true) fastNetwork.hostname
    ++ optional (!newSession) c.no-new-session;

  # `newSession` shapes the default base options only (jail.nix's `--new-session` is static): with
  # a `baseJailOptions` of your own it would be silently ignored, so that combination is refused.
  # `network` and `hostSsl` are the launcher's (it shares or unshares the network namespace last),
  # so they hold whatever the list does.
  base =
    if baseJailOptions == null then
      defaultBase
    else if newSession then
      fail {
        why = "`newSession` only shapes the default `baseJailOptions`; with your own `baseJailOptions` it would be ignored. Leave `no-new-session` out of the list instead.";
        example = "baseJailOptions = [ ];   # keeps bwrap's --new-session";
      }
    else
      baseJailOptions;

  # The policy (crates/POLICY.md): grants parents first, otherwise in the order given.
  policy = {
    version = 1;
    inherit (checked) name git hide;
    readonly = paths.parentsFirst checked.readonly;
    readonlyIfExists = paths.parentsFirst checked.readonlyIfExists;
    readwrite = paths.parentsFirst (checked.configPaths ++ checked.readwrite);
    state = map (path: {
      inherit path;
      kind = if paths.isFile path then "file" else "dir";
    }) (lib.unique checked.configPaths);
    env = {
      set = checked.env;
      home = checked.homeEnv;
      forward = lib.unique (checked.forwardEnv ++ lib.optionals forwardTerminalEnv terminalEnv);
    };
    inherit (checked) network;
    inherit newSession;
  }
  // lib.optionalAttrs (network == true) { inherit (checked) netStack; }
  // {
    tls = {
      caBundle = "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt";
      inherit hostSsl;
    };
    nix = enableNix;
    inherit (defaults) seccomp;
  };

  policyJson = builtins.toJSON policy;
  policyFile = pkgs.writeText "${checked.name}-policy.json" policyJson;

  # The wrapper's last line becomes `exec <launcher> <policy> <bwrap> <static args> …`.
  runLauncher = state: state // { cmd = "${lib.getExe launcher} ${policyFile} ${state.cmd}"; };

  # jail.nix base's `fwd-env LANG` is `--setenv LANG "$LANG"`, fatal under `set -u` when LANG is
  # unset; the launcher sets LANG instead.
  dropLang = state: state // { env = builtins.removeAttrs state.env [ "LANG" ]; };

  # A package's bin comes first in PATH; a string `pkg` is a command, not a package.
  agentBin = optional (lib.isDerivation checked.pkg) checked.pkg;

  # Every argument is checked before jail.nix sees a permission (the policy holds them all).
  permissions =
    assert checked.flags;
    builtins.seq policyJson [
      runLauncher
      dropLang
    ]
    ++ base
    ++ [
      (c.unsafe-add-raw-args "--jailgen-grants")
      (c.add-pkg-deps (checked.packages ++ agentBin))
    ]
    ++ optional enableNix (c.add-pkg-deps [ pkgs.nix ])
    ++ checked.extraCombinators;
in
jail checked.name checked.pkg permissions // { inherit policy policyFile; }
