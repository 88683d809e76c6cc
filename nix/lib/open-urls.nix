# lib.openUrls: lets the agent open http and https URLs in the host's browser, and nothing else.
#
# jail.nix's `open-urls-in-browser` only checks that the message starts with `http://` or
# `https://`, so a message holding a newline, spaces or control characters after a valid prefix
# reaches the host's `$BROWSER` whole. And the channel's fifo is reachable from inside the jail
# (a read-only bind still lets a fifo be opened for writing), so the agent can send it any bytes
# without going through the sender. The host side is therefore the one place that decides: one
# URL, scheme http or https, no whitespace or control characters, at most 4096 bytes.
#
# Inside the jail `$BROWSER` is the channel and `xdg-open` is a shim that calls it (agents built
# on node's `open` call xdg-open). On the host the URL goes to `$BROWSER`, else `xdg-open`, in
# the background and with its output on the host's stderr, so nothing but the handler's own
# silence flows back into the jail; the handler always succeeds, since jail.nix's channel stops
# listening after a failing handler.
{ pkgs, jail }:
let
  c = jail.combinators;
  channel = "browserchannel";

  handler = ''
    url=''${1-}
    re='^https?://[^[:space:][:cntrl:]]+$'
    if [[ ''${#url} -le 4096 && $url =~ $re ]]; then
      browser=''${BROWSER:-xdg-open}
      "$browser" "$url" </dev/null >&2 2>&1 &
    else
      echo "jailgen: the jail asked to open something that is not one http(s) URL; refused" >&2
    fi
  '';

  xdgOpen = pkgs.writeShellApplication {
    name = "xdg-open";
    text = ''exec ${channel} "''${1-}"'';
  };
in
{
  inherit handler;
  permission = c.compose [
    (c.set-env "BROWSER" channel)
    (c.jail-to-host-channel channel handler)
    (c.add-pkg-deps [ xdgOpen ])
  ];
}
