# Shared helpers for nix/tests/*.nix: the wired library and hand-written expectations.
{
  harness ? import ./harness.nix { },
}:
let
  inherit (harness) pkgs jailgen;
  inherit (pkgs) lib;

  normArg =
    a:
    if lib.isDerivation a then
      "pkg:${a.name}"
    else if builtins.isList a then
      map normArg a
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

  # A jail's recorded calls, with packages as "pkg:<name>".
  calls = drv: map (c: c // { args = map normArg c.args; }) drv.calls;
  names = drv: map (c: c.name) drv.calls;

  # The policy a jail's wrapper hands the launcher: the file's contents, read back.
  policyOf = drv: builtins.fromJSON drv.policyFile.text;

  # The wrapper's last line (the exec of the launcher).
  execLine = drv: lib.last (builtins.filter (l: l != "") (lib.splitString "\n" drv.text));

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

  fastNetwork = [
    (call "include-once" [
      "jailgen-network"
      "<function>"
    ])
    (call "compose" [ (fns 2) ])
    (call "share-ns" [ "net" ])
    (call "unsafe-add-raw-args" [ "--hostname jail" ])
  ];

  # The default `network = true` runs on the launcher's stack, in its own namespace.
  defaultBase = [
    (call "unsafe-add-raw-args" [ "--hostname jail" ])
    (call "no-new-session" [ ])
  ];

  # Where the launcher puts the grants.
  grants = call "unsafe-add-raw-args" [ "--jailgen-grants" ];

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

  caBundle = "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt";

  # Forwarded by default after forwardEnv, absent when unset (issue 11: TUIs lose true colour
  # without COLORTERM).
  forward = [
    "COLORTERM"
    "TERM_PROGRAM"
    "TERM_PROGRAM_VERSION"
  ];

  # The policy of a jail made with no optional arguments (crates/POLICY.md), written out by hand.
  defaultPolicy = name: {
    version = 1;
    inherit name;
    readonly = [ ];
    readonlyIfExists = [ ];
    readwrite = [ ];
    state = [ ];
    env = {
      set = { };
      home = { };
      inherit forward;
    };
    git = "protect";
    hide = [
      ".env"
      ".env.*"
    ];
    network = true;
    netStack.slirp4netns = "${pkgs.slirp4netns}/bin/slirp4netns";
    tls = {
      inherit caBundle;
      hostSsl = false;
    };
    nix = false;
    newSession = false;
    seccomp = true;
  };
}
