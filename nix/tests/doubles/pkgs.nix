# Test double for nixpkgs: `lib`, fake derivations and the few builders jail.nix and jailgen call.
#
#   import ./pkgs.nix { }                 store mode: every package has a fake /nix/store path
#   import ./pkgs.nix { host = true; }    host mode: tools point at /usr so the wrapper text runs
#                                         with real bash and bwrap (research §4.3)
#
# `bubblewrapPrefix` replaces bubblewrap's output path (a directory holding bin/bwrap), so a
# test can run the wrapper against a fake bwrap that prints its argv.
{
  host ? false,
  bubblewrapPrefix ? null,
  system ? "x86_64-linux",
  # nixpkgs' real lib/ directory instead of the lib double (tests/upstream.rs).
  nixpkgsLib ? null,
}:
let
  lib = if nixpkgsLib == null then import ./lib.nix else import nixpkgsLib;

  storePath =
    name: "/nix/store/${builtins.substring 0 32 (builtins.hashString "sha256" name)}-${name}";

  # A fake derivation: what `lib.getExe`, string interpolation and `toJSON` look at.
  mkDrv =
    {
      name,
      mainProgram ? null,
      outPath ? storePath name,
      extra ? { },
    }:
    {
      type = "derivation";
      inherit name outPath;
      pname = name;
      drvPath = storePath "${name}.drv";
      outputs = [ "out" ];
      meta = lib.optionalAttrs (mainProgram != null) { inherit mainProgram; };
    }
    // extra;

  # A tool: in host mode its binaries live in /usr/bin.
  tool =
    name: mainProgram:
    mkDrv (
      {
        inherit name mainProgram;
      }
      // lib.optionalAttrs host { outPath = "/usr"; }
    );

  runtimeShell = "${bash}/bin/bash";

  bash = tool "bash" "bash";

  writeShellApplication =
    {
      name,
      text,
      runtimeInputs ? [ ],
      ...
    }:
    let
      path = builtins.concatStringsSep ":" (map (p: "${lib.getBin p}/bin") runtimeInputs);
      script = ''
        #!${runtimeShell}
        set -o errexit
        set -o nounset
        set -o pipefail

      ''
      + lib.optionalString (runtimeInputs != [ ]) ''
        export PATH="${path}:$PATH"

      ''
      + text;
    in
    mkDrv {
      inherit name;
      mainProgram = name;
      extra = {
        text = script;
        inherit runtimeInputs;
      };
    };

  # In host mode the file must exist for the wrapper to read it (the jail's policy, jail.nix's
  # network files): a real store file, written by `builtins.toFile` when nix-instantiate runs
  # with --read-write-mode.
  # Like the real one, the store path changes with the contents.
  writeText =
    name: text:
    mkDrv (
      {
        inherit name;
        outPath = "/nix/store/${
          builtins.substring 0 32 (builtins.hashString "sha256" "${name}\n${text}")
        }-${name}";
        extra = {
          inherit text;
        };
      }
      // lib.optionalAttrs host { outPath = builtins.toFile name text; }
    );

  # The command and env are not run; a test only needs a distinct output path.
  runCommand =
    name: env: buildCommand:
    mkDrv {
      inherit name;
      extra = {
        inherit buildCommand;
        envNames = builtins.attrNames env;
        nativeBuildInputs = env.nativeBuildInputs or [ ];
      };
    };

  cacert =
    if host then
      mkDrv {
        name = "cacert";
        outPath = toString ./host-cacert;
      }
    else
      mkDrv { name = "cacert"; };

  tools = builtins.mapAttrs tool {
    bashInteractive = "bash";
    cargo = "cargo";
    clippy = "cargo-clippy";
    coreutils = "coreutils";
    curl = "curl";
    deadnix = "deadnix";
    diffutils = "diff";
    findutils = "find";
    gawk = "gawk";
    gawkInteractive = "gawk";
    git = "git";
    gnugrep = "grep";
    gnused = "sed";
    gnutar = "tar";
    gzip = "gzip";
    hello = "hello";
    jq = "jq";
    nix = "nix";
    nixfmt = "nixfmt";
    nixfmt-rfc-style = "nixfmt";
    nodejs = "node";
    passt = "pasta";
    ps = "ps";
    python3 = "python3";
    ripgrep = "rg";
    rust-analyzer = "rust-analyzer";
    rustc = "rustc";
    rustfmt = "rustfmt";
    shadow = "nologin";
    shellcheck = "shellcheck";
    slirp4netns = "slirp4netns";
    unzip = "unzip";
    util-linux = "flock";
    wget = "wget";
    which = "which";
    xdg-dbus-proxy = "xdg-dbus-proxy";
    xwayland-satellite = "xwayland-satellite";
  };
  self = tools // {
    inherit
      bash
      cacert
      lib
      runCommand
      runtimeShell
      system
      writeShellApplication
      writeText
      ;
    runCommandCC = runCommand;
    runCommandLocal = runCommand;
    stdenv = {
      hostPlatform = {
        inherit system;
        isLinux = true;
        isGnu = true;
      };
      isLinux = true;
    };
    libseccomp = mkDrv { name = "libseccomp"; };
    # glibc and its `static` output (libc.a), as nixpkgs has them.
    glibc = mkDrv {
      name = "glibc";
      extra.static = mkDrv { name = "glibc-static"; };
    };
    installShellFiles = mkDrv { name = "install-shell-files"; };
    bubblewrap =
      if bubblewrapPrefix != null then
        mkDrv {
          name = "bubblewrap";
          mainProgram = "bwrap";
          outPath = bubblewrapPrefix;
        }
      else
        tool "bubblewrap" "bwrap";
    mkShell =
      args:
      mkDrv {
        name = args.name or "nix-shell";
        extra = {
          packages = args.packages or [ ];
        };
      };
    rustPlatform = {
      buildRustPackage =
        args:
        mkDrv {
          name = "${args.pname}-${args.version}";
          mainProgram = args.meta.mainProgram or args.pname;
          extra = {
            inherit (args) pname version;
            args = builtins.removeAttrs args [ "src" ];
          };
        };
    };
    # Like nixpkgs: fills each named argument of the function from this package set.
    callPackage =
      fn: args:
      let
        f = if builtins.isFunction fn then fn else import fn;
      in
      f (builtins.intersectAttrs (builtins.functionArgs f) self // args);
    config.allowUnfree = true;
  };
in
self
