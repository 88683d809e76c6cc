# Network access without jail.nix's `network`, which walks /etc/ssl with a bash function at
# every launch (hundreds of binds on a NixOS host). Here the CA bundle comes from the store, so
# launch cost is a handful of static binds.
#
#   - the host's network namespace (`share-ns "net"`);
#   - name resolution: /etc/resolv.conf, /etc/hosts, /etc/nsswitch.conf and
#     /run/systemd/resolve, each read-only when present (bwrap follows a symlinked source);
#   - TLS: nixpkgs' cacert bundle at /etc/ssl/certs/ca-certificates.crt, named by
#     SSL_CERT_FILE, NIX_SSL_CERT_FILE, CURL_CA_BUNDLE and REQUESTS_CA_BUNDLE (not
#     NODE_EXTRA_CA_CERTS: Node ships the same roots). `hostSsl = true` instead binds the host's
#     /etc/ssl (jail.nix's slower deep bind), for private CAs installed on the host;
#   - the hostname jail.nix would set (`set-hostname` before this combinator still applies).
{
  pkgs,
  jail,
}:
{
  hostSsl ? false,
}:
let
  c = jail.combinators;
  certFile = "/etc/ssl/certs/ca-certificates.crt";
in
c.include-once "jailgen-network" (
  state:
  let
    hostname = state.hostname or "jail";
  in
  c.compose (
    [
      (c.share-ns "net")
      (c.try-readonly "/etc/resolv.conf")
      (c.try-readonly "/etc/hosts")
      (c.try-readonly "/etc/nsswitch.conf")
      (c.try-readonly "/run/systemd/resolve")
    ]
    ++ (
      if hostSsl then
        [ (c.runtime-deep-ro-bind "/etc/ssl") ]
      else
        [ (c.ro-bind "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt" certFile) ]
    )
    ++ map (var: c.set-env var certFile) [
      "SSL_CERT_FILE"
      "NIX_SSL_CERT_FILE"
      "CURL_CA_BUNDLE"
      "REQUESTS_CA_BUNDLE"
    ]
    ++ [ (c.unsafe-add-raw-args "--hostname ${c.escape hostname}") ]
  ) state
)
