#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A web server on 127.0.0.1 for the transfer tests: serves ROOT, and writes the port it got to
PORTFILE.  Two kinds of path misbehave on purpose:
  /truncated/FILE  promises FILE's whole length, sends half of it and closes the connection
  /slow/FILE       sends FILE a kilobyte every 50 ms (for list-transfers and cancel-transfer)
Usage: http-server.py ROOT PORTFILE"""
import http.server
import os
import socketserver
import sys
import time

root, portfile = sys.argv[1], sys.argv[2]


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)

    def log_message(self, *args):
        pass

    def send_file(self, name, slow):
        path = os.path.join(root, name)
        if not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, 'rb').read()
        self.send_response(200)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        try:
            if slow:
                for k in range(0, len(data), 1024):
                    self.wfile.write(data[k:k + 1024])
                    self.wfile.flush()
                    time.sleep(0.05)
            else:
                self.wfile.write(data[:len(data) // 2])
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def do_GET(self):
        for prefix, slow in (('/truncated/', False), ('/slow/', True)):
            if self.path.startswith(prefix):
                return self.send_file(self.path[len(prefix):], slow)
        return super().do_GET()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True


server = Server(('127.0.0.1', 0), Handler)
with open(portfile + '.tmp', 'w') as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + '.tmp', portfile)
server.serve_forever()
