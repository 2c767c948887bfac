#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Pulling a multi-layer image from a registry on loopback: corralctl pull-oci (download, digests
# and the layers applied into a directory image) beside skopeo copy to a directory (download and
# digests only) and podman pull (download and apply, vfs storage), one run, medians, ratios.
# The image is the cached Debian 12 tree in three gzip layers (usr/share, the rest, a small
# one), pushed to Debian's docker-registry with TLS.  Each run starts with an empty blob cache,
# directory or storage; "cached" repeats corral's pull with the blobs in its cache (apply and
# digests only).  Not a test: nothing asserts on time.
. "$(dirname "$0")/lib.sh"
N=${N:-5}
CTL=${CORRALCTL:-$root/build/src/corralctl/corralctl}
for c in docker-registry skopeo; do
        command -v $c > /dev/null || { echo "no $c: scripts/setup.sh installs it" >&2; exit 1; }
done
deb=$("$root/scripts/debian-image.sh")
mkdir -p /var/cache/corral /etc/containers
mount -t tmpfs tmpfs /var/cache/corral
# certs.d for the registry's CA, beside the host's own files, in a copy only this namespace sees
cp -a /etc/containers "$BENCH_TMP/etc-containers"
mount --bind "$BENCH_TMP/etc-containers" /etc/containers

# The image: three layers, as a Dockerfile's FROM, RUN and COPY make them
L=$BENCH_TMP/layout
tar -C "$deb" --numeric-owner --xattrs -cf "$BENCH_TMP/l1.tar" --exclude=./usr/share .
tar -C "$deb" --numeric-owner --xattrs -cf "$BENCH_TMP/l2.tar" ./usr/share
mkdir -p "$BENCH_TMP/l3/etc/app" && head -c 200000 /dev/urandom > "$BENCH_TMP/l3/etc/app/data"
tar -C "$BENCH_TMP/l3" --numeric-owner -cf "$BENCH_TMP/l3.tar" .
for k in 1 2 3; do gzip -6 -k "$BENCH_TMP/l$k.tar" && zstd -q -3 -k "$BENCH_TMP/l$k.tar"; done
# The same image twice: with gzip layers (most registries' images) and with zstd layers
cat > "$BENCH_TMP/layout.py" <<'PY'
import hashlib, json, os, shutil, sys
t, suffix, kind, out = sys.argv[1:5]
os.makedirs(out + "/blobs/sha256", exist_ok=True)
def blob(path_or_data):
    data = open(path_or_data, "rb").read() if isinstance(path_or_data, str) else path_or_data
    d = hashlib.sha256(data).hexdigest()
    open(f"{out}/blobs/sha256/{d}", "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
layers, diff_ids = [], []
for k in (1, 2, 3):
    diff_ids.append("sha256:" + hashlib.sha256(open(f"{t}/l{k}.tar", "rb").read()).hexdigest())
    layers.append(dict(mediaType="application/vnd.oci.image.layer.v1.tar+" + kind, **blob(f"{t}/l{k}.tar.{suffix}")))
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["bash"]},
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **blob(config)),
                       "layers": layers}).encode()
m = blob(manifest)
json.dump({"schemaVersion": 2, "manifests": [dict(mediaType="application/vnd.oci.image.manifest.v1+json",
                                                   annotations={"org.opencontainers.image.ref.name": "latest"}, **m)]},
          open(f"{out}/index.json", "w"))
open(f"{out}/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
PY
python3 "$BENCH_TMP/layout.py" "$BENCH_TMP" gz gzip "$L"
python3 "$BENCH_TMP/layout.py" "$BENCH_TMP" zst zstd "$L-zstd"
size=$(du -sb "$L/blobs" | cut -f1) zsize=$(du -sb "$L-zstd/blobs" | cut -f1)

# The registry, with TLS from a CA of the bench's own
R=$BENCH_TMP/registry
mkdir -p "$R"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$R/ca.key" -out "$R/ca.crt" -days 1 -subj "/CN=bench CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$R/server.key" -out "$R/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
openssl x509 -req -in "$R/server.csr" -CA "$R/ca.crt" -CAkey "$R/ca.key" -CAcreateserial -out "$R/server.crt" -days 1 \
        -extfile <(echo "subjectAltName=IP:127.0.0.1") 2>/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
REG=127.0.0.1:$port
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n  tls:\n    certificate: %s\n    key: %s\n' \
        "$R/storage" "$REG" "$R/server.crt" "$R/server.key" > "$R/config.yml"
docker-registry serve "$R/config.yml" > "$R/log" 2>&1 &
reg_pid=$!
# (set -e holds in the trap too: the registry's status after the kill must not end it early)
trap 'kill $reg_pid 2>/dev/null; wait $reg_pid 2>/dev/null || true; umount -l /etc/containers /var/cache/corral "$BENCH_TMP" || true; rmdir "$BENCH_TMP"' EXIT
mkdir -p "/etc/containers/certs.d/$REG" && cp "$R/ca.crt" "/etc/containers/certs.d/$REG/"
for _ in $(seq 100); do curl -s --cacert "$R/ca.crt" "https://$REG/v2/" > /dev/null && break; sleep 0.1; done
skopeo copy -q "oci:$L:latest" "docker://$REG/bench/deb:latest"
skopeo copy -q "oci:$L-zstd:latest" "docker://$REG/bench/deb:zstd"

# bench/timeit.c splits a command at spaces: each is a script of its own
step() { # name script-text
        printf '%s\n' "$2" > "$BENCH_TMP/step-${#cmds[@]}.sh"
        cmds+=("bash $BENCH_TMP/step-${#cmds[@]}.sh")
        names+=("$1")
}
cmds=() names=()
step "corralctl pull-oci" "rm -rf /var/cache/corral/blobs; $CTL pull-oci -q --force $REG/bench/deb b"
step "skopeo copy to dir:" "rm -rf $BENCH_TMP/dir; skopeo copy -q docker://$REG/bench/deb dir:$BENCH_TMP/dir"
if command -v podman > /dev/null; then
        P="podman --root $BENCH_TMP/podman --runroot $BENCH_TMP/podman-run --storage-driver vfs"
        if $P pull -q "$REG/bench/deb" > /dev/null 2>&1; then
                step "podman pull (vfs)" "$P rmi -a -f > /dev/null 2>&1; $P pull -q $REG/bench/deb > /dev/null"
        else
                echo "(podman cannot pull here: $($P pull -q "$REG/bench/deb" 2>&1 | tail -1))"
        fi
fi
step "corralctl, blobs cached" "$CTL pull-oci -q --force $REG/bench/deb b"
step "corralctl pull-oci, zstd" "rm -rf /var/cache/corral/blobs; $CTL pull-oci -q --force $REG/bench/deb:zstd b"
step "skopeo copy to dir:, zstd" "rm -rf $BENCH_TMP/dir; skopeo copy -q docker://$REG/bench/deb:zstd dir:$BENCH_TMP/dir"
mapfile -t t < <(medians "$N" "${cmds[@]}")
echo "pull of a 3-layer image (Debian 12: $((size / 1000000)) MB of gzip blobs, $((zsize / 1000000)) MB zstd) from docker-registry on loopback with TLS, median of $N runs:"
for i in "${!cmds[@]}"; do
        printf '  %-26s %10s\n' "${names[$i]}" "$(ms "${t[$i]}")"
done
last=$((${#cmds[@]} - 1))
for i in "${!cmds[@]}"; do
        [ "$i" = 0 ] || [ "$i" -ge $((last - 1)) ] && continue
        echo "${names[$i]} / corralctl pull-oci = $(ratio "${t[$i]}" "${t[0]}")"
done
echo "zstd: skopeo copy / corralctl pull-oci = $(ratio "${t[$last]}" "${t[$((last - 1))]}")"
echo "(goal: corralctl pull-oci, applying the layers, no slower than skopeo copy, which only stores the blobs;"
echo " corral applies each layer once its digest is checked, while the next one downloads)"
