#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A registry of the test's own, on 127.0.0.1 over plain HTTP, serving the OCI image layout
# LAYOUT (oci-layout.py) under any repository name, as the distribution API does: manifests by
# tag ("latest", the ref.name) or digest, blobs by digest, with Range.  It does what a real
# registry is not made to do, on purpose:
#
#   --token USER:PASSWORD  Docker Hub's token flow: /v2/ answers 401 with a Bearer challenge;
#                          /token gives a token for USER:PASSWORD (basic) and nobody else
#   --damage DIGEST        sends the blob DIGEST with a byte changed
#   --wrong-manifest       sends another manifest than the digest asked for
#   --die-after N          the first GET of a blob larger than N bytes ends after N bytes
#   --slow                 blobs come at 64 KiB a second
#   --tls CERT KEY         HTTPS instead, with the realm on https too
#   --port N               that port, not one the kernel chooses (443 in a network namespace of
#                          the test's, as Docker Hub's)
#
# oci-registry.py LAYOUT PORTFILE [OPTIONS]: the port it got is written to PORTFILE; a log
# of the requests (method, path, Range, status) goes to standard error.
import argparse, base64, json, os, re, secrets, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

p = argparse.ArgumentParser()
p.add_argument("layout")
p.add_argument("portfile")
p.add_argument("--token")
p.add_argument("--damage")
p.add_argument("--wrong-manifest", action="store_true")
p.add_argument("--die-after", type=int)
p.add_argument("--slow", action="store_true")
p.add_argument("--tls", nargs=2)
p.add_argument("--port", type=int, default=0)
args = p.parse_args()
tokens = set()
died = False
index = json.load(open(args.layout + "/index.json"))


def blob_path(digest):
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        return None
    path = f"{args.layout}/blobs/sha256/{digest[7:]}"
    return path if os.path.exists(path) else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        sys.stderr.write("%s %s\n" % (self.requestline, fmt % a))

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        if not args.token:
            return True
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and auth[7:] in tokens:
            return True
        port = self.server.server_address[1]
        host = self.headers.get("Host", f"127.0.0.1:{port}")
        scheme = "https" if args.tls else "http"
        m = re.fullmatch(r"/v2/(.+)/(manifests|blobs)/[^/]+", self.path)
        repo = m.group(1) if m else ""
        self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                   [("WWW-Authenticate", f'Bearer realm="{scheme}://{host.replace("registry-1.docker.io", "auth.docker.io")}/token",service="test-registry",'
                                         f'scope="repository:{repo}:pull"')])
        return False

    def do_GET(self):
        global died
        if self.path.startswith("/token"):
            want = "Basic " + base64.b64encode(args.token.encode()).decode()
            if self.headers.get("Authorization") != want:
                return self.reply(401, b'{"details":"wrong login"}')
            t = secrets.token_hex(16)
            tokens.add(t)
            return self.reply(200, json.dumps({"token": t, "expires_in": 300}).encode(),
                              [("Content-Type", "application/json")])
        if not self.authorized():
            return
        if self.path == "/v2/":
            return self.reply(200, b"{}")
        m = re.fullmatch(r"/v2/(.+)/(manifests|blobs)/([^/]+)", self.path)
        if not m:
            return self.reply(404)
        kind, ref = m.group(2), m.group(3)
        if kind == "manifests":
            # a tag the layout does not name is its first image (debian:12 in the Docker Hub test)
            desc = next((d for d in index["manifests"]
                         if d["digest"] == ref or d.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref),
                        index["manifests"][0])
            path = blob_path(ref) if ref.startswith("sha256:") else (blob_path(desc["digest"]) if desc else None)
            if not path:
                return self.reply(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
            data = open(path, "rb").read()
            media = json.loads(data).get("mediaType", "application/vnd.oci.image.manifest.v1+json")
            if args.wrong_manifest and ref.startswith("sha256:"):
                data = data.replace(b'"schemaVersion": 2', b'"schemaVersion":2')
            return self.reply(200, data, [("Content-Type", media)])
        path = blob_path(ref)
        if not path:
            return self.reply(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')
        data = open(path, "rb").read()
        if args.damage == ref:
            data = data[:-1] + bytes([data[-1] ^ 1])
        start, status, headers = 0, 200, [("Content-Type", "application/octet-stream")]
        r = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if r and int(r.group(1)) < len(data):
            start, status = int(r.group(1)), 206
            headers.append(("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}"))
        body = data[start:]
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if args.die_after and not died and len(body) > args.die_after:
            died = True
            self.wfile.write(body[:args.die_after])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        step = 65536
        for k in range(0, len(body), step):
            self.wfile.write(body[k:k + step])
            if args.slow:
                time.sleep(1)


server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
if args.tls:
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*args.tls)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(args.portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(args.portfile + ".tmp", args.portfile)
server.serve_forever()
