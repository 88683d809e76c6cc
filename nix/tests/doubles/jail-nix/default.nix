# Test double for jail.nix (upstream 404e7da), written for jailgen's offline tests.
#
# Same entry points as `jail-nix.lib`: `init pkgs` and
# `extend { pkgs, basePermissions ?, additionalCombinators ?, bubblewrapPackage ?, … }`.
# The jail it returns is callable (`jail name exe permissions`) and carries `.combinators`
# (all 59 upstream names). Each combinator checks its argument kinds as upstream's does and
# records `{ name; args; }` when it runs; the result of `jail` has `.calls` (that record, in
# pipeline order) and `.text` (the wrapper script, rendered with upstream's shape and ordering).
#
# `hostBase` is a base permission list for running `.text` with real bash + bwrap outside Nix:
# host /usr, /bin, /lib, /lib64 and /etc/ld.so.cache instead of the store closure (research §4.3).
let
  makeJail = import ./jail.nix;
in
{
  init = pkgs: makeJail { inherit pkgs; };
  extend = makeJail;

  # Pair with `import ../pkgs.nix { host = true; }`.
  hostBase = c: [
    c.base
    (c.try-readonly "/usr")
    (c.try-readonly "/bin")
    (c.try-readonly "/sbin")
    (c.try-readonly "/lib")
    (c.try-readonly "/lib64")
    (c.try-readonly "/etc/ld.so.cache")
    (c.try-readonly "/etc/alternatives")
    c.fake-passwd
  ];
}
