# jailed-agents' shared defaults, kept under the same names.
{
  pkgs,
  jail,
  fastNetwork,
}:
{
  # jailed-agents' set plus gnused and coreutils.
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
    pkgs.findutils
    pkgs.gzip
    pkgs.unzip
    pkgs.gnutar
    pkgs.diffutils
    pkgs.gnused
    pkgs.coreutils
  ];

  # Unlike jailed-agents' list this has no `mount-cwd`: makeJailedAgent places it after the
  # read-only binds, and behind the working-directory guard.
  commonJailOptions = [
    (fastNetwork { })
    jail.combinators.time-zone
    jail.combinators.no-new-session
  ];
}
