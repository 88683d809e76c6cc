"""Bait on the jail's host: TCP listeners on 127.0.0.1 and an abstract unix socket, each
answering with its own banner, so a probe that connects can say what it reached.

usage: host.py PORT... ABSTRACT_NAME READY_FILE
"""
import socket, sys, threading

*ports, abstract, ready = sys.argv[1:]


def serve(sock, banner):
    sock.listen(16)
    while True:
        c, _ = sock.accept()
        try:
            c.sendall(banner)
        finally:
            c.close()


for p in ports:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(p)))
    threading.Thread(target=serve, args=(s, f"host-loopback-{p}\n".encode()), daemon=True).start()
u = socket.socket(socket.AF_UNIX)
u.bind("\0" + abstract)
threading.Thread(target=serve, args=(u, b"host-abstract\n"), daemon=True).start()
open(ready, "w").write("ready\n")
threading.Event().wait()
