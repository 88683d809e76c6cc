"""The test's "internet": servers on 198.51.100.1 inside a network namespace the test made.

  :53/udp  DNS: allowed.test, denied.test, world.test -> 198.51.100.1; loop.test -> 127.0.0.1;
           private.test -> 10.0.0.1; self.test -> 198.51.100.2 (the lab host's own address);
           everything else NXDOMAIN
  :80      HTTP: "hello from the test host" (any path), the git repo under /repo.git
  :443     HTTPS (certificate for *.test from the test's own CA): the same
  :7/tcp   echo; :7/udp echo

usage: world.py ADDR WEBROOT CERT KEY READY_FILE
"""
import http.server, os, socket, socketserver, ssl, struct, sys, threading

addr, webroot, cert, key, ready = sys.argv[1:6]
os.chdir(webroot)
ANSWERS = {"allowed.test": "198.51.100.1", "denied.test": "198.51.100.1",
           "world.test": "198.51.100.1", "loop.test": "127.0.0.1", "private.test": "10.0.0.1",
           "self.test": "198.51.100.2"}


def dns():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    while True:
        q, peer = s.recvfrom(512)
        try:
            tid, flags, qd = struct.unpack(">HHH", q[:6])
            i, labels = 12, []
            while q[i]:
                labels.append(q[i + 1:i + 1 + q[i]].decode().lower()); i += 1 + q[i]
            qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
            question = q[12:i + 5]
            name = ".".join(labels)
            ip = ANSWERS.get(name)
            if ip and qtype == 1:
                ans = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 5, 4) + socket.inet_aton(ip)
                s.sendto(struct.pack(">HHHHHH", tid, 0x8180, 1, 1, 0, 0) + question + ans, peer)
            else:
                rcode = 0 if ip else 3  # NOERROR with no AAAA, or NXDOMAIN
                s.sendto(struct.pack(">HHHHHH", tid, 0x8180 | rcode, 1, 0, 0, 0) + question, peer)
        except Exception:
            pass


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path.startswith("/repo.git"):
            return super().do_GET()
        body = b"hello from the test host\n"
        if self.path.startswith("/mib/"):  # /mib/N: N MiB, for throughput figures
            n = int(self.path[5:] or 1)
            self.send_response(200)
            self.send_header("Content-Length", str(n << 20))
            self.end_headers()
            chunk = b"x" * (1 << 20)
            for _ in range(n):
                self.wfile.write(chunk)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def http_plain():
    Server((addr, 80), Handler).serve_forever()


def https():
    srv = Server((addr, 443), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


def echo_tcp():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 7)); s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=lambda c=c: (c.sendall(c.recv(100)), c.close()), daemon=True).start()


def echo_udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 7))
    while True:
        d, p = s.recvfrom(100)
        s.sendto(d, p)


for f in (dns, http_plain, https, echo_tcp, echo_udp):
    threading.Thread(target=f, daemon=True).start()
open(ready, "w").write("ready\n")
threading.Event().wait()
