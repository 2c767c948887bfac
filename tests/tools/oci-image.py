#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# An OCI image archive (oci-layout, what "skopeo copy oci-archive:" writes) of one uncompressed
# layer made from a directory: oci-image.py ROOTFS OUT.tar NAME.  For the engine tests.
import hashlib, json, os, sys, tarfile, io, time

root, out, name = sys.argv[1:4]
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w") as t:
    t.add(root, arcname=".")
layer = layer.getvalue()
def blob(data):
    return "sha256:" + hashlib.sha256(data).hexdigest(), data
ld, ldata = blob(layer)
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"]},
                     "rootfs": {"type": "layers", "diff_ids": [ld]}}).encode()
cd, cdata = blob(config)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(config)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": len(layer)}]}).encode()
md, mdata = blob(manifest)
index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md,
    "size": len(manifest), "annotations": {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": name.split(":")[-1]}}]}).encode()
with tarfile.open(out, "w") as t:
    def add(path, data):
        i = tarfile.TarInfo(path); i.size = len(data); i.mtime = int(time.time()); t.addfile(i, io.BytesIO(data))
    add("oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
    add("index.json", index)
    for d, data in ((ld, ldata), (cd, cdata), (md, mdata)):
        add("blobs/sha256/" + d.split(":")[1], data)
