# The network part that jail.nix's state decides, for the two ways a jail holds a network:
#   hostname     the hostname jail.nix would set (`set-hostname` before this combinator still
#                applies); `network = true`, where the launcher gives the jail its own network
#                namespace and a user-mode stack
#   shared       the host's network namespace (`share-ns "net"`) and the hostname; `network = "host"`
# Everything else the network needs at launch (name resolution files, the CA bundle and its
# variables, or the host's /etc/ssl with `hostSsl`, the stack) is the launcher's, from the
# policy's `network`, `netStack` and `tls` fields: jail.nix's own `network` walks /etc/ssl with a
# bash function at every launch (hundreds of binds on a NixOS host), the launcher binds a
# handful of paths.
{ jail }:
let
  c = jail.combinators;
  hostname = state: c.unsafe-add-raw-args "--hostname ${c.escape (state.hostname or "jail")}" state;
in
{
  inherit hostname;
  shared = c.include-once "jailgen-network" (
    state:
    c.compose [
      (c.share-ns "net")
      hostname
    ] state
  );
}
