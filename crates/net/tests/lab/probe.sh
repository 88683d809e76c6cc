#!/usr/bin/env bash
# Runs INSIDE a jail of tests/lab.rs and prints one `NAME=RESULT` line per probe; the
# test decides what each result must be for the mode.
# usage: probe.sh CA UNGRANTED_PORT GRANTED_PORT ABSTRACT_NAME
set -u
ca=$1 ungranted=$2 granted=$3 abstract=$4
cd /tmp || exit 2
export SSL_CERT_FILE=$ca CURL_CA_BUNDLE=$ca GIT_SSL_CAINFO=$ca NODE_EXTRA_CA_CERTS=$ca HOME=/tmp

connect() { # HOST PORT -> what the first line read was, or the error
  python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(2)
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    data = s.recv(100).decode().strip()
    print("reached:" + data if data else "closed")
except OSError as e:
    print("refused:" + type(e).__name__)
PY
}
echo "loopback=$(connect 127.0.0.1 "$ungranted")"
echo "gateway=$(connect 198.51.100.1 "$ungranted")"
echo "slirp_gateway=$(connect 10.0.2.2 "$ungranted")"
echo "granted=$(connect 127.0.0.1 "$granted")"
echo "abstract=$(python3 - "$abstract" <<'PY'
import socket, sys
u = socket.socket(socket.AF_UNIX); u.settimeout(2)
try:
    u.connect("\0" + sys.argv[1]); print("reached:" + u.recv(100).decode().strip())
except OSError as e:
    print("refused:" + type(e).__name__)
PY
)"
echo "dns=$(getent hosts world.test | awk '{print $1}' || true)"
echo "raw_tcp=$(python3 - <<'PY'
import socket
s = socket.socket(); s.settimeout(3)
try:
    s.connect(("198.51.100.1", 7)); s.sendall(b"ping\n"); print("reached:" + s.recv(100).decode().strip())
except OSError as e:
    print("refused:" + type(e).__name__)
PY
)"
echo "udp=$(python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
try:
    s.sendto(b"pong", ("198.51.100.1", 7)); print("reached:" + s.recv(100).decode())
except OSError as e:
    print("refused:" + type(e).__name__)
PY
)"
curl_body() { curl -sS -m 5 "$@" 2>&1 | head -c 200 | tr '\n' ' ' | sed 's/ *$//'; }
echo "curl_http=$(curl_body http://allowed.test/)"
echo "curl_https=$(curl_body https://allowed.test/)"
echo "curl_denied=$(curl_body https://denied.test/)"
echo "curl_denied_http=$(curl_body http://denied.test/)"
echo "curl_loop=$(curl_body https://loop.test/)"
echo "curl_private=$(curl_body https://private.test/)"
echo "curl_self=$(curl_body https://self.test/)"
echo "curl_ip=$(curl_body -k https://198.51.100.1/)"
echo "python=$(python3 - <<'PY' 2>&1 | tail -1
import urllib.request
try:
    print(urllib.request.urlopen("https://allowed.test/", timeout=5).read().decode().strip())
except Exception as e:
    print("failed:" + type(e).__name__ + ":" + str(e)[:80])
PY
)"
echo "node=$(node - <<'JS' 2>&1 | tail -1
// Node 20 has no proxy support of its own (NODE_USE_ENV_PROXY is Node 22.21/24): do what
// proxy agents do, a CONNECT to HTTPS_PROXY, then TLS over the tunnel. Direct without it.
const http = require("http"), https = require("https"), tls = require("tls");
const done = (s) => { console.log(s); process.exit(0); };
const get = (opts) => https.get({ host: "allowed.test", path: "/", ...opts }, (r) => {
  let b = ""; r.on("data", (d) => (b += d)); r.on("end", () => done(b.trim()));
}).on("error", (e) => done("failed:" + e.code));
const proxy = process.env.HTTPS_PROXY;
if (!proxy) get({});
else {
  const u = new URL(proxy);
  http.request({ host: u.hostname, port: u.port, method: "CONNECT", path: "allowed.test:443" })
    .on("connect", (res, socket) => {
      if (res.statusCode !== 200) done("refused:" + res.statusCode);
      get({ createConnection: () => tls.connect({ socket, servername: "allowed.test" }) });
    }).on("error", (e) => done("failed:" + e.code)).end();
}
setTimeout(() => done("failed:timeout"), 5000);
JS
)"
echo "git=$(git clone -q https://allowed.test/repo.git r 2>&1 | tail -1; cat r/README 2>/dev/null)"
