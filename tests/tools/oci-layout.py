#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds an OCI image layout directory from a JSON spec, for the pull-oci and import-oci
# tests: oci-layout.py OUT SPEC.json.  The spec:
#
#   {"index": true,                  # an image index of the images (else one manifest in
#                                    # index.json), as a registry's manifest list
#    "images": [{"platform": "linux/amd64",
#                "config": {"Cmd": ["sh"], ...},      # the config's "config"
#                "layers": [{"compression": "gzip",   # gzip (default), zstd or none
#                            "members": [["tree", "/path/to/rootfs"],
#                                        ["dir", "etc", 0o755], ["file", "etc/a", "text"],
#                                        ["symlink", "l", "/target"], ["hardlink", "h", "etc/a"],
#                                        ["file", "etc/.wh.b", ""]]}]}]}
#
# Members are written as given: names with "..", absolute links and whiteouts are the point.
import gzip, hashlib, io, json, os, subprocess, sys, tarfile

out, spec = sys.argv[1], json.load(open(sys.argv[2]))
os.makedirs(out + "/blobs/sha256", exist_ok=True)


def blob(data):
    d = hashlib.sha256(data).hexdigest()
    with open(f"{out}/blobs/sha256/{d}", "wb") as f:
        f.write(data)
    return "sha256:" + d


def layer_tar(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for m in members:
            kind, path = m[0], m[1]
            if kind == "tree":
                t.add(path, arcname=".")
                continue
            i = tarfile.TarInfo(path)
            i.mtime = 1700000000
            if kind == "dir":
                i.type, i.mode = tarfile.DIRTYPE, m[2] if len(m) > 2 else 0o755
                t.addfile(i)
            elif kind == "file":
                data = m[2].encode()
                i.size, i.mode = len(data), m[3] if len(m) > 3 else 0o644
                t.addfile(i, io.BytesIO(data))
            elif kind == "symlink":
                i.type, i.linkname = tarfile.SYMTYPE, m[2]
                t.addfile(i)
            elif kind == "hardlink":
                i.type, i.linkname = tarfile.LNKTYPE, m[2]
                t.addfile(i)
    return buf.getvalue()


def compress(data, how):
    if how == "none":
        return data, "application/vnd.oci.image.layer.v1.tar"
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout, \
            "application/vnd.oci.image.layer.v1.tar+zstd"
    return gzip.compress(data, mtime=0), "application/vnd.oci.image.layer.v1.tar+gzip"


entries = []
for img in spec["images"]:
    os_, arch, *variant = img.get("platform", "linux/amd64").split("/")
    layers, diff_ids = [], []
    for layer in img["layers"]:
        tar = layer_tar(layer["members"])
        diff_ids.append("sha256:" + hashlib.sha256(tar).hexdigest())
        data, media = compress(tar, layer.get("compression", "gzip"))
        layers.append({"mediaType": media, "digest": blob(data), "size": len(data)})
    config = {"architecture": arch, "os": os_, "config": img.get("config", {}),
              "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    if variant:
        config["variant"] = variant[0]
    config = json.dumps(config).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blob(config),
                                      "size": len(config)},
                           "layers": layers}).encode()
    platform = {"os": os_, "architecture": arch}
    if variant:
        platform["variant"] = variant[0]
    entries.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": blob(manifest),
                    "size": len(manifest), "platform": platform})

if spec.get("index"):
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": entries}).encode()
    top = [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": blob(index), "size": len(index)}]
else:
    top = entries
for t in top:
    t["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
with open(out + "/index.json", "w") as f:
    json.dump({"schemaVersion": 2, "manifests": top}, f)
with open(out + "/oci-layout", "w") as f:
    f.write('{"imageLayoutVersion": "1.0.0"}')
