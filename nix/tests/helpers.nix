# Shared helpers for nix/tests/*.nix: the wired library and hand-written expectations.
{
  harness ? import ./harness.nix { },
}:
let
  inherit (harness) pkgs jailgen;
  inherit (pkgs) lib;
  # What the library pastes: the rare file's path, then wrapper.sh without comment-only and
  # blank lines.
  runtimeScript =
    (import ../lib/runtime.nix {
      inherit pkgs;
      jail = null;
    }).pasted;

  normArg =
    a:
    if lib.isDerivation a then
      "pkg:${a.name}"
    else if builtins.isList a then
      map normArg a
    else if a == runtimeScript then
      "<wrapper.sh>"
    else
      a;
in
rec {
  inherit
    harness
    pkgs
    lib
    jailgen
    ;

  # A jail's recorded calls, with packages as "pkg:<name>" and the pasted wrapper.sh elided.
  calls = drv: map (c: c // { args = map normArg c.args; }) drv.calls;
  names = drv: map (c: c.name) drv.calls;

  call = name: args: { inherit name args; };
  noescape = s: { _noescape = s; };
  fns = n: builtins.genList (_: "<function>") n;

  throws = e: !(builtins.tryEval (builtins.deepSeq e e)).success;

  # Position of the first call matching `pred`, or -1.
  indexOf =
    pred: list:
    let
      go =
        i:
        if i == builtins.length list then
          -1
        else if pred (builtins.elemAt list i) then
          i
        else
          go (i + 1);
    in
    go 0;

  # --- hand-written expectations (not derived from the library) ---

  jailNixBase = [
    (call "base" [ ])
    (call "bind-nix-store-runtime-closure" [ ])
    (call "fake-passwd" [ ])
  ];

  certFile = "/etc/ssl/certs/ca-certificates.crt";

  fastNetwork = [
    (call "include-once" [
      "jailgen-network"
      "<function>"
    ])
    (call "compose" [ (fns 11) ])
    (call "share-ns" [ "net" ])
    (call "try-readonly" [ "/etc/resolv.conf" ])
    (call "try-readonly" [ "/etc/hosts" ])
    (call "try-readonly" [ "/etc/nsswitch.conf" ])
    (call "try-readonly" [ "/run/systemd/resolve" ])
    (call "ro-bind" [
      "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt"
      certFile
    ])
    (call "set-env" [
      "SSL_CERT_FILE"
      certFile
    ])
    (call "set-env" [
      "NIX_SSL_CERT_FILE"
      certFile
    ])
    (call "set-env" [
      "CURL_CA_BUNDLE"
      certFile
    ])
    (call "set-env" [
      "REQUESTS_CA_BUNDLE"
      certFile
    ])
    (call "unsafe-add-raw-args" [ "--hostname jail" ])
  ];

  # A call of a wrapper.sh function: the functions are pasted before the first call only.
  runtimeCall =
    first: command:
    [
      (call "compose" [ (fns 2) ])
      (call "include-once" [
        "jailgen-runtime"
        "<function>"
      ])
    ]
    ++ (if first then [ (call "add-runtime" [ "<wrapper.sh>" ]) ] else [ ])
    ++ [ (call "add-runtime" [ command ]) ];
  rt = runtimeCall false;

  timeZone = [
    (call "include-once" [
      "jailgen-time-zone"
      "<function>"
    ])
  ]
  ++ runtimeCall true "jailgen_time_zone";

  defaultBase = fastNetwork ++ timeZone ++ [ (call "no-new-session" [ ]) ];

  # After the base options; `first` when the base made no wrapper.sh call before.
  prologueWith =
    first:
    [
      (call "set-env" [
        "LANG"
        (noescape ''"''${LANG:-C.UTF-8}"'')
      ])
    ]
    ++ runtimeCall first "jailgen_guard_cwd"
    ++ runtimeCall false "jailgen_lock";
  prologue = prologueWith false;

  commonPkgNames = [
    "pkg:bashInteractive"
    "pkg:curl"
    "pkg:wget"
    "pkg:jq"
    "pkg:git"
    "pkg:which"
    "pkg:ripgrep"
    "pkg:gnugrep"
    "pkg:gawkInteractive"
    "pkg:ps"
    "pkg:python3"
    "pkg:findutils"
    "pkg:gzip"
    "pkg:unzip"
    "pkg:gnutar"
    "pkg:diffutils"
    "pkg:gnused"
    "pkg:coreutils"
  ];

  # Forwarded by default, after forwardEnv (issue 11: TUIs lose true colour without COLORTERM).
  terminalFwd = map (v: call "try-fwd-env" [ v ]) [
    "COLORTERM"
    "TERM_PROGRAM"
    "TERM_PROGRAM_VERSION"
  ];

  epilogue =
    terminalFwd
    ++ rt "jailgen_protect_git protect"
    ++ rt "jailgen_hide .env '.env.*'"
    ++ [ (call "add-seccomp" [ "pkg:jailgen-tiocsti-filter" ]) ];
}
