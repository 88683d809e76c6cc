# jailed-agents' shared defaults, kept under the same names.
{
  pkgs,
  jail,
  # fast-network.nix's `hostname` (the default network's part of the base options).
  hostname,
}:
{
  # jailed-agents' current set (python3 and gnused included) plus coreutils.
  commonPkgs = [
    pkgs.bashInteractive
    pkgs.curl
    pkgs.wget
    pkgs.jq
    pkgs.git
    pkgs.which
    pkgs.ripgrep
    pkgs.gnugrep
    pkgs.gawkInteractive
    pkgs.ps
    pkgs.python3
    pkgs.findutils
    pkgs.gzip
    pkgs.unzip
    pkgs.gnutar
    pkgs.diffutils
    pkgs.gnused
    pkgs.coreutils
  ];

  # jailed-agents' [ network time-zone no-new-session mount-cwd ], with jailgen's network (the
  # default `network = true`: the hostname here, the namespace and its stack from the launcher),
  # and without `time-zone` and `mount-cwd`: the launcher binds the time zone and the working
  # directory itself (the working directory behind its guard, after the read-only grants).
  commonJailOptions = [
    hostname
    jail.combinators.no-new-session
  ];
}
