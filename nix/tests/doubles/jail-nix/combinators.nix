# The 59 combinators of the jail.nix double.
#
# `internal` holds the behaviour (State -> State), composed only from other internal
# combinators, written from the upstream documentation and research/jail-nix.md §2.
# `public` wraps each one: it checks the argument kinds upstream needs (a plain string, a string
# or `noescape`, a POSIX name, a list, a derivation, a permission) and records
# `{ name; args; }` in `state.calls` when the permission runs. Function arguments are recorded
# as "<permission>" or "<function>", so the record serialises to JSON.
{
  pkgs,
  jail,
}:
let
  inherit (pkgs) lib;

  dataDir = "~/.local/share/jail.nix";

  noescape = value: { _noescape = value; };
  isNoescape = x: builtins.isAttrs x && x ? _noescape;
  escape = x: if isNoescape x then x._noescape else lib.escapeShellArg x;

  push =
    key: value: state:
    state // { ${key} = state.${key} ++ [ value ]; };

  # Argument kinds, each a predicate plus its name for the error message.
  kinds = {
    string = {
      ok = builtins.isString;
      what = "a plain string";
    };
    escapable = {
      ok = x: builtins.isString x || (isNoescape x && builtins.isString x._noescape);
      what = "a string or `noescape \"…\"`";
    };
    posixName = {
      ok = x: builtins.isString x && lib.isValidPosixName x;
      what = "a POSIX environment variable name (a plain string)";
    };
    namespace = {
      ok = builtins.isString;
      what = "a namespace name (cgroup, ipc, net, pid, user or uts)";
    };
    derivation = {
      ok = x: lib.isDerivation x || builtins.isPath x;
      what = "a derivation";
    };
    derivations = {
      ok = x: builtins.isList x && builtins.all lib.isDerivation x;
      what = "a list of derivations";
    };
    escapables = {
      ok = x: builtins.isList x && builtins.all kinds.escapable.ok x;
      what = "a list of strings or `noescape` values";
    };
    sources = {
      ok = x: builtins.isList x && x != [ ] && builtins.all kinds.escapable.ok x;
      what = "a non-empty list of strings or `noescape` values";
    };
    permission = {
      ok = lib.isFunction;
      what = "a permission (State -> State)";
    };
    permissions = {
      ok = x: builtins.isList x && builtins.all lib.isFunction x;
      what = "a list of permissions";
    };
    function = {
      ok = lib.isFunction;
      what = "a function";
    };
    seccomp = {
      ok = x: lib.isDerivation x || builtins.isPath x || kinds.escapable.ok x;
      what = "a path, derivation or string";
    };
    dbus = {
      ok =
        x:
        builtins.isAttrs x
        && builtins.all (
          k:
          builtins.elem k [
            "own"
            "talk"
            "see"
            "call"
            "broadcast"
          ]
          && builtins.isList x.${k}
          && builtins.all builtins.isString x.${k}
        ) (builtins.attrNames x);
      what = "an attribute set of { own, talk, see, call, broadcast } string lists";
    };
  };

  sanitize =
    x:
    if lib.isFunction x then
      "<function>"
    else if builtins.isList x then
      map sanitize x
    else if builtins.isAttrs x && !(x ? outPath) then
      builtins.mapAttrs (_: sanitize) x
    else
      x;

  # `wrap name [kind…] impl`: a curried public combinator. After the last argument it is a
  # permission that records the call, then runs `impl arg…` (itself a permission).
  wrap =
    name: argKinds: impl:
    let
      go =
        remaining: args: f:
        if remaining == [ ] then
          state:
          f (
            state
            // {
              calls = state.calls ++ [
                {
                  inherit name;
                  args = map sanitize args;
                }
              ];
            }
          )
        else
          arg:
          let
            kind = kinds.${builtins.head remaining};
          in
          if kind.ok arg then
            go (builtins.tail remaining) (args ++ [ arg ]) (f arg)
          else
            throw "jail.nix double: argument ${
              toString (builtins.length args + 1)
            } of `${name}` must be ${kind.what}, got a ${builtins.typeOf arg}";
    in
    go argKinds [ ] impl;

  bindArgs =
    flag: from: to:
    internal.unsafe-add-raw-args "${flag} ${escape from} ${escape to}";

  internal = {
    unsafe-add-raw-args = args: state: state // { cmd = "${state.cmd} ${args}"; };
    add-runtime = text: state: state // { runtime = "${state.runtime}\n${text}\n"; };
    add-cleanup = push "cleanup";
    compose = perms: state: lib.pipe state perms;
    defer = push "deferredPermissions";
    include-once =
      key: perm: state:
      if builtins.elem key state.includedOnce then state else perm (push "includedOnce" key state);
    reset = state: state.initialState // { inherit (state) calls; };

    ro-bind = bindArgs "--ro-bind";
    rw-bind = bindArgs "--bind";
    try-ro-bind = bindArgs "--ro-bind-try";
    try-rw-bind = bindArgs "--bind-try";
    readonly = p: internal.ro-bind p p;
    readwrite = p: internal.rw-bind p p;
    try-readonly = p: internal.try-ro-bind p p;
    try-readwrite = p: internal.try-rw-bind p p;
    tmpfs = p: internal.unsafe-add-raw-args "--tmpfs ${escape p}";
    mount-cwd = internal.include-once "mount-cwd" (
      internal.unsafe-add-raw-args ''--bind "$PWD" "$PWD"''
    );

    set-env =
      name: value: state:
      state
      // {
        env = state.env // {
          ${name} = escape value;
        };
      };
    fwd-env = name: internal.set-env name (noescape ''"''$${name}"'');
    try-fwd-env = name: internal.unsafe-add-raw-args ''''${${name}+--setenv ${name} "''${${name}}"}'';
    add-path =
      dir: state:
      state
      // {
        env = state.env // {
          PATH = if (state.env.PATH or "") != "" then "${dir}:${state.env.PATH}" else dir;
        };
      };
    add-pkg-deps =
      packages:
      internal.compose (
        map (p: internal.add-path "${lib.getBin p}/bin") packages
        ++ [
          (
            state:
            state
            // {
              additionalRuntimeClosures = state.additionalRuntimeClosures ++ map toString packages;
            }
          )
        ]
      );
    bind-pkg =
      dest: pkg:
      internal.compose [
        (internal.ro-bind (toString pkg) dest)
        (push "additionalRuntimeClosures" pkg)
      ];
    write-text =
      dest: contents:
      internal.bind-pkg dest (
        pkgs.writeText "jail-write-text-${lib.strings.sanitizeDerivationName (escape dest)}" contents
      );

    set-argv = argv: state: state // { argv = builtins.concatStringsSep " " (map escape argv); };
    share-ns =
      ns: state:
      state
      // {
        namespaces = state.namespaces // {
          ${ns} = true;
        };
      };
    no-new-session = state: state // { newSession = false; };
    no-die-with-parent = state: state // { dieWithParent = false; };
    set-hostname = hostname: state: state // { inherit hostname; };

    time-zone = internal.include-once "time-zone" (
      internal.add-runtime ''
        if [ -L /etc/localtime ]; then
          RUNTIME_ARGS+=(
            --ro-bind "$(realpath /etc/localtime)" "$(readlink /etc/localtime)"
            --symlink "$(readlink /etc/localtime)" /etc/localtime
          )
        fi
      ''
    );

    # Upstream's helper walks a path at launch: files are bound, directories recursed, symlinks
    # recreated (and a store target's closure bound), at most 5 levels deep.
    runtime-deep-ro-bind =
      path:
      internal.compose [
        (internal.include-once "bindRuntimeHelperFunction" (
          internal.add-runtime ''
            function bindNixStoreClosure {
              local STORE_PATH="$1"
              while read -r P; do
                RUNTIME_ARGS+=(--ro-bind "$P" "$P")
              done <<< "$(${pkgs.nix}/bin/nix-store --query --requisites "$STORE_PATH")"
            }
            function bindRuntime {
              local DEPTH="$1" TARGET="$2"
              if ((DEPTH <= 0)); then
                echo "jail.nix: bindRuntime hit max depth" >&2
                exit 1
              fi
              [ -e "$TARGET" ] || return 0
              if [ -L "$TARGET" ]; then
                LINK_PATH=$(realpath "$TARGET")
                RUNTIME_ARGS+=(--symlink "$LINK_PATH" "$TARGET")
                if [[ "$LINK_PATH" == /nix/store/* ]]; then
                  bindNixStoreClosure "$LINK_PATH"
                fi
              elif [ -d "$TARGET" ]; then
                for ENTRY in "$TARGET"/*; do
                  [ -e "$ENTRY" ] || continue
                  bindRuntime "$((DEPTH - 1))" "$ENTRY"
                done
              else
                RUNTIME_ARGS+=(--ro-bind "$TARGET" "$TARGET")
              fi
            }
          ''
        ))
        (internal.add-runtime "bindRuntime 5 ${escape path}")
      ];

    network = internal.include-once "network" (
      state:
      internal.compose [
        internal.time-zone
        (internal.share-ns "net")
        (internal.runtime-deep-ro-bind "/etc/hosts")
        (internal.runtime-deep-ro-bind "/etc/nsswitch.conf")
        (internal.runtime-deep-ro-bind "/etc/resolv.conf")
        (internal.runtime-deep-ro-bind "/etc/ssl")
        (internal.try-readonly "/run/systemd/resolve")
        (internal.write-text "/etc/hostname" "${state.hostname}\n")
        (internal.unsafe-add-raw-args "--hostname ${escape state.hostname}")
      ] state
    );

    base = internal.compose [
      (internal.unsafe-add-raw-args "--proc /proc")
      (internal.unsafe-add-raw-args "--dev /dev")
      (internal.unsafe-add-raw-args "--tmpfs /tmp")
      (internal.unsafe-add-raw-args "--tmpfs ~")
      (internal.ro-bind "${pkgs.bash}/bin/sh" "/bin/sh")
      (internal.add-path "/bin")
      (push "additionalRuntimeClosures" pkgs.bash)
      (internal.add-pkg-deps [ pkgs.coreutils ])
      (internal.unsafe-add-raw-args "--clearenv")
      (internal.fwd-env "LANG")
      (internal.fwd-env "HOME")
      (internal.fwd-env "TERM")
    ];

    bind-nix-store-runtime-closure = internal.include-once "bind-nix-store-runtime-closure" (
      internal.defer (
        state:
        let
          closureList = pkgs.writeText "${state.name}-runtime-closure" ''
            ${builtins.concatStringsSep "\n" (map toString state.additionalRuntimeClosures)}
            ${state.argv}
            ${state.entry}
          '';
          argsFile = pkgs.runCommand "${state.name}-runtime-closure-bind-args" {
            __structuredAttrs = true;
            exportReferencesGraph.runtime = closureList;
            nativeBuildInputs = [ pkgs.jq ];
          } "";
        in
        internal.compose [
          (internal.add-runtime "exec {RUNTIME_CLOSURE_BIND_ARGS_FD}<${argsFile}")
          (internal.unsafe-add-raw-args ''--args "$RUNTIME_CLOSURE_BIND_ARGS_FD"'')
        ] state
      )
    );

    fake-passwd = internal.compose [
      (internal.add-runtime ''
        if [ ! -e ${dataDir}/passwd ] || [ ! -e ${dataDir}/group ]; then
          NOLOGIN=${pkgs.shadow}/bin/nologin
          mkdir -p ${dataDir}
          echo "root:x:0:0:System administrator:/root:$NOLOGIN" > ${dataDir}/passwd
          echo "$(id -un):x:$(id -u):$(id -g)::$HOME:$NOLOGIN" >> ${dataDir}/passwd
          echo "root:x:0:" > ${dataDir}/group
          echo "$(id -gn):x:$(id -g):" >> ${dataDir}/group
        fi
      '')
      (internal.ro-bind (noescape "${dataDir}/passwd") "/etc/passwd")
      (internal.ro-bind (noescape "${dataDir}/group") "/etc/group")
    ];

    persist-home =
      name:
      internal.compose [
        (internal.add-runtime "mkdir -p ${dataDir}/${escape "home/${name}"}")
        (internal.rw-bind (noescape "${dataDir}/${escape "home/${name}"}") (noescape "~"))
      ];

    readonly-paths-from-var =
      var: separator:
      internal.include-once "readonly-paths-from-var-${var}" (
        internal.add-runtime ''
          IFS=${lib.escapeShellArg separator} read -ra DIRS <<< "''${${var}-}"
          for DIR in "''${DIRS[@]}"; do
            if [ -e "$DIR" ]; then
              P="$(realpath "$DIR")"
              RUNTIME_ARGS+=(--ro-bind "$P" "$P")
            fi
          done
        ''
      );
    runtime-args =
      flag:
      internal.add-runtime ''
        for MAYBE_PATH in "$@"; do
          if [ -e "$MAYBE_PATH" ]; then
            P="$(realpath "$MAYBE_PATH")"
            RUNTIME_ARGS+=(${flag} "$P" "$P")
          fi
        done
      '';
    readonly-runtime-args = internal.include-once "readonly-runtime-args" (
      internal.runtime-args "--ro-bind"
    );
    readwrite-runtime-args = internal.include-once "readwrite-runtime-args" (
      internal.runtime-args "--bind"
    );

    overlay =
      final: sources:
      internal.unsafe-add-raw-args (
        builtins.concatStringsSep " " (map (s: "--overlay-src ${escape s}") sources ++ [ final ])
      );
    overlay-ro = sources: dest: internal.overlay "--ro-overlay ${escape dest}" sources;
    overlay-tmp = sources: dest: internal.overlay "--tmp-overlay ${escape dest}" sources;
    overlay-rw =
      sources: rw: work: dest:
      internal.overlay "--overlay ${escape rw} ${escape work} ${escape dest}" sources;

    camera = internal.include-once "camera" (
      internal.add-runtime ''
        for v in /dev/video*; do
          [ -e "$v" ] || continue
          RUNTIME_ARGS+=(--dev-bind "$v" "$v")
        done
      ''
    );
    gpu = internal.include-once "gpu" (
      internal.compose [
        (internal.add-runtime ''
          DOMAIN=0000
          function bind-gpus {
            for DEV in "$1"/"$DOMAIN":*; do
              [ -d "$DEV" ] || continue
              if [ -e "$DEV/drm" ]; then
                RUNTIME_ARGS+=(--ro-bind "$DEV" "$DEV")
              else
                bind-gpus "$DEV"
              fi
            done
          }
          bind-gpus /sys/devices/pci"$DOMAIN":00
        '')
        (internal.readonly "/sys/dev/char")
        (internal.runtime-deep-ro-bind (noescape "/run/opengl-driver"))
        (internal.runtime-deep-ro-bind (noescape "/run/opengl-driver-32"))
        (internal.unsafe-add-raw-args "--dev-bind /dev/dri /dev/dri")
      ]
    );
    wayland = internal.compose [
      (internal.fwd-env "WAYLAND_DISPLAY")
      (internal.fwd-env "XDG_RUNTIME_DIR")
      (internal.fwd-env "XDG_SESSION_TYPE")
      (internal.readonly (noescape ''"$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY"''))
    ];
    pipewire = internal.include-once "pipewire" (
      internal.compose [
        (internal.fwd-env "XDG_RUNTIME_DIR")
        (internal.unsafe-add-raw-args ''--bind-try "$XDG_RUNTIME_DIR/pipewire-0" "$XDG_RUNTIME_DIR/pipewire-0"'')
        (internal.unsafe-add-raw-args "--bind-try /run/pipewire /run/pipewire")
      ]
    );
    pulse = internal.include-once "pulse" (
      internal.compose [
        (internal.fwd-env "XDG_RUNTIME_DIR")
        (internal.try-fwd-env "PULSE_SERVER")
        (internal.unsafe-add-raw-args "--bind-try /run/pulse /run/pulse")
        (internal.unsafe-add-raw-args ''--bind-try "$XDG_RUNTIME_DIR/pulse" "$XDG_RUNTIME_DIR/pulse"'')
      ]
    );
    gui = internal.compose [
      (internal.add-runtime "mkdir -p ~/.config/dconf")
      internal.pulse
      internal.pipewire
      internal.wayland
      (internal.runtime-deep-ro-bind (noescape "/etc/fonts"))
      (internal.readonly (noescape "~/.config/dconf"))
      (internal.fwd-env "XDG_RUNTIME_DIR")
      (internal.fwd-env "XDG_DATA_DIRS")
      (internal.readonly-paths-from-var "XDG_DATA_DIRS" ":")
      (internal.try-fwd-env "XCURSOR_THEME")
      (internal.try-fwd-env "XCURSOR_PATH")
      (internal.try-fwd-env "XCURSOR_SIZE")
      (internal.readonly-paths-from-var "XCURSOR_PATH" " ")
    ];
    unsafe-x11 = internal.compose [
      (internal.fwd-env "DISPLAY")
      (internal.readwrite "/tmp/.X11-unix")
    ];
    xwayland = internal.include-once "xwayland" (
      internal.compose [
        internal.wayland
        (internal.set-env "DISPLAY" ":42")
        (internal.wrap-entry (entry: ''
          ${lib.getExe pkgs.xwayland-satellite} :42 &
          ${entry}
        ''))
      ]
    );
    unsafe-dbus = internal.compose [
      (internal.readonly (noescape ''"$XDG_RUNTIME_DIR/bus"''))
      (internal.set-env "DBUS_SESSION_BUS_ADDRESS" (noescape ''"$DBUS_SESSION_BUS_ADDRESS"''))
    ];
    dbus =
      request:
      internal.compose [
        (push "dbusPermissions" request)
        (internal.include-once "dbus" (
          internal.defer (
            state:
            let
              proxy = jail "xdg-dbus-proxy" pkgs.xdg-dbus-proxy [
                internal.unsafe-dbus
                (internal.readwrite (noescape ''"$PROXIED_DBUS_SOCKET_DIR"''))
              ];
              flags =
                type:
                map (id: "--${type}=${lib.escapeShellArg id}") (
                  lib.unique (lib.flatten (map (p: p.${type} or [ ]) state.dbusPermissions))
                );
              args = [
                "--filter"
              ]
              ++ builtins.concatLists (
                map flags [
                  "own"
                  "talk"
                  "see"
                  "call"
                  "broadcast"
                ]
              );
            in
            internal.compose [
              (internal.add-runtime ''
                PROXIED_DBUS_SOCKET_DIR=$(mktemp -d)
                export PROXIED_DBUS_SOCKET_DIR
                PROXIED_DBUS_SOCKET="$PROXIED_DBUS_SOCKET_DIR/socket"
                mkfifo "$PROXIED_DBUS_SOCKET_DIR/ready"
                exec {XDG_DBUS_PROXY_READY_FD}<>"$PROXIED_DBUS_SOCKET_DIR/ready"
                ${lib.getExe proxy} "$DBUS_SESSION_BUS_ADDRESS" "$PROXIED_DBUS_SOCKET" \
                  --fd="$XDG_DBUS_PROXY_READY_FD" ${builtins.concatStringsSep " " args} &
                PROXY_PID=$!
                IFS= read -rn1 -u "$XDG_DBUS_PROXY_READY_FD"
              '')
              (internal.add-cleanup ''
                kill "$PROXY_PID"
                if [ -e "''${PROXIED_DBUS_SOCKET_DIR-}" ]; then
                  rm -rf "$PROXIED_DBUS_SOCKET_DIR"
                fi
              '')
              (internal.readwrite (noescape ''"$PROXIED_DBUS_SOCKET_DIR"''))
              (internal.set-env "DBUS_SESSION_BUS_ADDRESS" (noescape ''"unix:path=$PROXIED_DBUS_SOCKET"''))
            ] state
          )
        ))
      ];
    notifications = internal.dbus { talk = [ "org.freedesktop.Notifications" ]; };

    jail-to-host-channel =
      name: handler:
      let
        var = "J2H_CHAN_${lib.toUpper name}";
        hostHandler = pkgs.writeShellApplication {
          name = "${name}-host-rx-handler";
          text = handler;
        };
        locked = pkgs.writeShellApplication {
          name = "${name}-locked";
          text = ''
            echo "$1" > /run/j2hc-${name}
            echo "$(< /run/j2hc-${name})"
          '';
        };
        sender = pkgs.writeShellApplication {
          inherit name;
          runtimeInputs = [ pkgs.util-linux ];
          text = ''flock /run/j2hc.lock ${lib.getExe locked} "''${1-}"'';
        };
      in
      internal.include-once "jail-to-host-channel-${name}" (
        internal.compose [
          (internal.add-runtime ''
            ${var}_TMP=$(mktemp -d)
            mkfifo "''$${var}_TMP/fifo"
            (
              while true; do
                MSG=$(<"''$${var}_TMP/fifo")
                ${lib.getExe hostHandler} "$MSG" > "''$${var}_TMP/fifo" || break
              done
            ) &
            ${var}_RX_PID=$!
          '')
          (internal.add-cleanup ''
            kill "''$${var}_RX_PID"
            rm -rf "''$${var}_TMP"
          '')
          (internal.ro-bind (noescape ''"''$${var}_TMP/fifo"'') "/run/j2hc-${name}")
          (internal.add-pkg-deps [ sender ])
        ]
      );
    open-urls-in-browser = internal.compose [
      (internal.set-env "BROWSER" "browserchannel")
      (internal.jail-to-host-channel "browserchannel" ''
        if [[ "$1" =~ ^https://|^http:// ]]; then
          "$BROWSER" "$1"
        fi
      '')
    ];

    add-seccomp =
      filter:
      internal.compose [
        (push "seccompPermissions" (escape filter))
        (internal.include-once "seccomp" (
          internal.defer (
            state:
            internal.add-runtime ''
              declare -a SECCOMP_FILTERS=(${toString state.seccompPermissions})
              for FILTER in "''${SECCOMP_FILTERS[@]}"; do
                if [[ -x "$FILTER" ]]; then
                  exec {FILTER_FD}< <("$FILTER")
                else
                  exec {FILTER_FD}<"$FILTER"
                fi
                RUNTIME_ARGS+=(--add-seccomp-fd "$FILTER_FD")
              done
            '' state
          )
        ))
      ];

    wrap-entry =
      getWrapper: state:
      state
      // {
        entry = lib.getExe (
          pkgs.writeShellApplication {
            name = "${state.name}-jail-wrapper";
            text = getWrapper ''${state.entry} "$@"'';
          }
        );
      };
  };

  # name -> argument kinds, for every upstream combinator that yields a permission.
  signatures = {
    add-cleanup = [ "string" ];
    add-path = [ "string" ];
    add-pkg-deps = [ "derivations" ];
    add-runtime = [ "string" ];
    add-seccomp = [ "seccomp" ];
    base = [ ];
    bind-nix-store-runtime-closure = [ ];
    bind-pkg = [
      "escapable"
      "derivation"
    ];
    camera = [ ];
    compose = [ "permissions" ];
    dbus = [ "dbus" ];
    defer = [ "permission" ];
    fake-passwd = [ ];
    fwd-env = [ "posixName" ];
    gpu = [ ];
    gui = [ ];
    include-once = [
      "string"
      "permission"
    ];
    jail-to-host-channel = [
      "posixName"
      "string"
    ];
    mount-cwd = [ ];
    network = [ ];
    no-die-with-parent = [ ];
    no-new-session = [ ];
    notifications = [ ];
    open-urls-in-browser = [ ];
    overlay-ro = [
      "sources"
      "escapable"
    ];
    overlay-rw = [
      "sources"
      "escapable"
      "escapable"
      "escapable"
    ];
    overlay-tmp = [
      "sources"
      "escapable"
    ];
    persist-home = [ "string" ];
    pipewire = [ ];
    pulse = [ ];
    readonly = [ "escapable" ];
    readonly-paths-from-var = [
      "posixName"
      "string"
    ];
    readonly-runtime-args = [ ];
    readwrite = [ "escapable" ];
    readwrite-runtime-args = [ ];
    reset = [ ];
    ro-bind = [
      "escapable"
      "escapable"
    ];
    runtime-deep-ro-bind = [ "escapable" ];
    rw-bind = [
      "escapable"
      "escapable"
    ];
    set-argv = [ "escapables" ];
    set-env = [
      "posixName"
      "escapable"
    ];
    set-hostname = [ "string" ];
    share-ns = [ "namespace" ];
    time-zone = [ ];
    tmpfs = [ "escapable" ];
    try-fwd-env = [ "posixName" ];
    try-readonly = [ "escapable" ];
    try-readwrite = [ "escapable" ];
    try-ro-bind = [
      "escapable"
      "escapable"
    ];
    try-rw-bind = [
      "escapable"
      "escapable"
    ];
    unsafe-add-raw-args = [ "string" ];
    unsafe-dbus = [ ];
    unsafe-x11 = [ ];
    wayland = [ ];
    wrap-entry = [ "function" ];
    write-text = [
      "escapable"
      "string"
    ];
    xwayland = [ ];
  };

  public = builtins.mapAttrs (name: argKinds: wrap name argKinds internal.${name}) signatures // {
    # Helpers, not permissions: upstream exposes them with the combinators.
    inherit escape;
    noescape =
      value:
      if builtins.isString value then
        noescape value
      else
        throw "jail.nix double: `noescape` takes a string, got a ${builtins.typeOf value}";
  };
in
{
  inherit internal public;
}
