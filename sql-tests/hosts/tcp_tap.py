#!/usr/bin/env python3
"""A TCP tap on loopback: relays every connection to TARGET_PORT on 127.0.0.1 and appends
what the client sends to CAPTURE, byte for byte: what crosses the wire on the client's side
(sql-tests/t/ext_proxy.sh puts it in front of a proxy, to see what the proxy is told).

    tcp_tap.py PORT_FILE CAPTURE TARGET_PORT

Writes its port to PORT_FILE once listening; runs until killed."""

import os
import socket
import sys
import threading

port_file, capture, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
lock = threading.Lock()


def pump(src, dst, record):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if record:
                with lock, open(capture, "ab") as f:
                    f.write(data)
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client):
    try:
        upstream = socket.create_connection(("127.0.0.1", target))
    except OSError:
        client.close()
        return
    threading.Thread(target=pump, args=(upstream, client, False), daemon=True).start()
    pump(client, upstream, True)


srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(64)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % srv.getsockname()[1])
os.replace(port_file + ".tmp", port_file)
while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
