# The `jail` function of the jail.nix double (see ./default.nix).
{
  pkgs,
  additionalCombinators ? _: { },
  basePermissions ? c: [
    c.base
    c.bind-nix-store-runtime-closure
    c.fake-passwd
  ],
  bubblewrapPackage ? pkgs.bubblewrap,
  ...
}:
let
  inherit (pkgs) lib;

  builtin = import ./combinators.nix { inherit pkgs jail; };

  combinators = builtin.public // additionalCombinators builtin.public;

  # Upstream accepts a function of the combinators, a list, or null.
  toList =
    perms:
    let
      t = builtins.typeOf perms;
    in
    if t == "lambda" then
      perms combinators
    else if t == "list" then
      perms
    else if t == "null" then
      [ ]
    else
      throw "Unknown combinator type ${t}. Must be a function, list, or null";

  inherit (builtin) internal;

  # bwrap has no --unshare-all here: each namespace in this order, minus the shared ones.
  namespaceOrder = [
    "user"
    "ipc"
    "pid"
    "net"
    "uts"
    "cgroup"
  ];
  unshared = s: builtins.filter (ns: !(s.namespaces.${ns} or false)) namespaceOrder;
  unshareArgs = s: builtins.concatStringsSep " " (map (ns: "--unshare-${ns}") (unshared s));

  # What upstream appends after every permission ran: --unshare-*, session flags, --setenv.
  finalize = [
    (s: internal.unsafe-add-raw-args (unshareArgs s) s)
    (s: if s.newSession then internal.unsafe-add-raw-args "--new-session" s else s)
    (s: if s.dieWithParent then internal.unsafe-add-raw-args "--die-with-parent" s else s)
    (
      s:
      lib.foldr (
        var:
        if lib.isValidPosixName var then
          internal.unsafe-add-raw-args "--setenv ${var} ${s.env.${var}}"
        else
          throw "jail.nix double: `${var}` is not a POSIX environment variable name"
      ) s (builtins.attrNames s.env)
    )
  ];

  render =
    s:
    let
      hasCleanup = s.cleanup != [ ];
    in
    ''
      RUNTIME_ARGS=()
      ${
        if hasCleanup then
          ''
            function cleanup {
              ${builtins.concatStringsSep "\n" s.cleanup}
            }
            trap cleanup EXIT
          ''
        else
          ""
      }
      ${s.runtime}
      ${if hasCleanup then "" else "exec "}${s.cmd} "''${RUNTIME_ARGS[@]}" -- ${s.entry} ${s.argv}
    '';

  jail =
    name: exe: permissions:
    let
      initialState = {
        inherit name initialState;
        cmd = lib.getExe bubblewrapPackage;
        entry = if builtins.isString exe then lib.escapeShellArg exe else lib.getExe exe;
        argv = ''"$@"'';
        runtime = "";
        newSession = true;
        dieWithParent = true;
        hostname = "jail";
        env = { };
        namespaces = { };
        includedOnce = [ ];
        cleanup = [ ];
        deferredPermissions = [ ];
        additionalRuntimeClosures = [ ];
        dbusPermissions = [ ];
        seccompPermissions = [ ];
        calls = [ ];
      };
      final = lib.pipe initialState (
        toList basePermissions
        ++ toList permissions
        ++ [ (s: lib.pipe s s.deferredPermissions) ]
        ++ finalize
      );
      drv = pkgs.writeShellApplication {
        inherit name;
        text = render final;
        runtimeInputs = [ pkgs.coreutils ];
      };
    in
    drv
    // {
      inherit (final) calls;
    }
    // lib.optionalAttrs (exe ? man) { inherit (exe) man; }
    // lib.optionalAttrs (exe ? shellPath) { inherit (exe) shellPath; }
    // lib.optionalAttrs (exe ? override) {
      override = f: jail name (exe.override f) permissions;
    };
in
{
  inherit combinators;
  __functor = _: jail;
}
