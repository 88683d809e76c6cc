# The network part that jail.nix's state decides: the host's network namespace (`share-ns "net"`)
# and the hostname jail.nix would set (`set-hostname` before this combinator still applies).
# Everything else the network needs at launch (name resolution files, the CA bundle and its
# variables, or the host's /etc/ssl with `hostSsl`) is the launcher's, from the policy's
# `network` and `tls` fields: jail.nix's own `network` walks /etc/ssl with a bash function at
# every launch (hundreds of binds on a NixOS host), the launcher binds a handful of paths.
{ jail }:
let
  c = jail.combinators;
in
c.include-once "jailgen-network" (
  state:
  c.compose [
    (c.share-ns "net")
    (c.unsafe-add-raw-args "--hostname ${c.escape (state.hostname or "jail")}")
  ] state
)
