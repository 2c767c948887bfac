# SPDX-License-Identifier: LGPL-2.1-or-later
# OCI images: pull-oci from registries, import-oci and export-oci.  The registries are the
# test's own, on loopback only: Debian's docker-registry (the CNCF distribution registry) with
# TLS from a CA the test makes and a login, images pushed to it with skopeo; and
# tests/tools/oci-registry.py for Docker Hub's token flow and for what a real registry does not
# do (damaged blobs, dying mid-layer, hostile layers).  Their storage is in $TESTTMP.

M=/var/lib/machines
CACHE=/var/cache/corral/blobs/sha256
ctl() { "$CORRALCTL" "$@"; }
TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)
PIDS=()

stop_all() {
        for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
        PIDS=()
}
trap stop_all EXIT

# /etc/containers (certs.d, the policy skopeo and podman read) and /etc/docker of the test's
# own; the runner makes the image and state directories and the blob cache fresh.
own_dirs() {
        mkdir -p /etc/containers /etc/docker
        mount -t tmpfs tmpfs /etc/containers && mount -t tmpfs tmpfs /etc/docker || fail "cannot mount over /etc/containers"
        echo '{"default": [{"type": "insecureAcceptAnything"}]}' > /etc/containers/policy.json
}

# The output of corral -M NAME [ARGS], without the pty's carriage returns.
run_image() { "$CORRAL" -q -M "$@" 2>&1 | tr -d '\r'; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# A CA, and a server certificate of it for 127.0.0.1, localhost and the names given.
make_certs() { # dir names...
        local d=$1 san="IP:127.0.0.1,DNS:localhost"; shift
        for n in "$@"; do san="$san,DNS:$n"; done
        mkdir -p "$d"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" -days 2 -subj "/CN=corral test CA" 2>/dev/null &&
                openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null &&
                openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -out "$d/server.crt" -days 2 \
                        -extfile <(echo "subjectAltName=$san") 2>/dev/null || fail "cannot make the test's certificates"
}

# Debian's docker-registry on 127.0.0.1 with TLS and the login alice:secret; sets REG.
start_docker_registry() {
        command -v docker-registry > /dev/null || skip "no docker-registry (scripts/setup.sh installs it)"
        command -v skopeo > /dev/null || skip "no skopeo (scripts/setup.sh installs it)"
        local d=$TESTTMP/registry port
        make_certs "$d"
        # bcrypt with the lowest cost: the registry checks it on every request
        /usr/bin/python3 -W ignore -c 'import crypt; print("alice:" + crypt.crypt("secret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))' > "$d/htpasswd" ||
                fail "cannot make the htpasswd file"
        port=$(free_port)
        cat > "$d/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $d/storage
http:
  addr: 127.0.0.1:$port
  tls:
    certificate: $d/server.crt
    key: $d/server.key
auth:
  htpasswd:
    realm: corral-test
    path: $d/htpasswd
EOF
        docker-registry serve "$d/config.yml" > "$d/log" 2>&1 &
        PIDS+=($!)
        REG=127.0.0.1:$port
        mkdir -p "$d/certs" && cp "$d/ca.crt" "$d/certs/"
        for _ in $(seq 100); do
                curl -s --cacert "$d/ca.crt" -u alice:secret "https://$REG/v2/" > /dev/null && return 0
                sleep 0.1
        done
        fail "docker-registry did not start: $(cat "$d/log")"
}

push() { # layout ref [skopeo options...]
        local layout=$1 ref=$2; shift 2
        skopeo copy -q "$@" --dest-creds alice:secret --dest-cert-dir "$TESTTMP/registry/certs" "oci:$layout:latest" "docker://$REG/$ref" ||
                fail "skopeo cannot push $ref"
}

# The registry's CA in certs.d and the login in an auth.json, as podman keeps them.
trust_registry() {
        mkdir -p "/etc/containers/certs.d/$REG"
        cp "$TESTTMP/registry/ca.crt" "/etc/containers/certs.d/$REG/ca.crt"
        printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$REG" "$(printf alice:secret | base64)" > "$TESTTMP/auth.json"
        export REGISTRY_AUTH_FILE=$TESTTMP/auth.json
}

# tests/tools/oci-registry.py serving layout $1 with the options after it; sets TREG.
start_test_registry() {
        local layout=$1; shift
        rm -f "$TESTTMP/port"
        python3 "$TOOLS/oci-registry.py" "$layout" "$TESTTMP/port" "$@" 2>> "$TESTTMP/test-registry.log" &
        PIDS+=($!)
        wait_for_file "$TESTTMP/port" 10 || fail "the test's registry did not start"
        TREG=127.0.0.1:$(cat "$TESTTMP/port")
}

# A layout from a spec (tests/tools/oci-layout.py).
layout() { # dir spec-json
        printf '%s\n' "$2" > "$1.json"
        python3 "$TOOLS/oci-layout.py" "$1" "$1.json" || fail "cannot build the layout $1"
}

# A busybox tree to build images of.
busybox_tree() {
        [ -d "$TESTTMP/bb" ] || make_busybox_tree "$TESTTMP/bb"
        echo "$TESTTMP/bb"
}

nothing_left() { # what
        expect_eq "$(ls -A $M)" "" "$1: no image, no settings file and no temporary file is left"
        expect_eq "$(ls -A /var/cache/corral/blobs 2>/dev/null | grep -v '^sha256$')" "" "$1: no temporary directory of the cache is left"
}

# A layered busybox image: the tree, then a layer with the files of the test.
layered_busybox() { # dir
        layout "$1" '{"images": [{"config": {"Entrypoint": ["/bin/sh", "-c"], "Cmd": ["echo \"hello from $GREETING\"; id -u; pwd"],
                "Env": ["PATH=/bin:/usr/bin", "GREETING=the image"], "WorkingDir": "/srv", "StopSignal": "SIGQUIT",
                "Labels": {"org.opencontainers.image.title": "bb"}, "ExposedPorts": {"8080/tcp": {}}},
            "layers": [{"members": [["tree", "'"$(busybox_tree)"'"]]},
                       {"members": [["dir", "srv"], ["file", "srv/index.html", "served"]]}]}]}'
}

test_pull_oci_from_a_registry_with_tls_and_login() {
        own_dirs
        start_docker_registry
        layered_busybox "$TESTTMP/bb-layout"
        push "$TESTTMP/bb-layout" tools/bb:1.0
        out=$(ctl pull-oci "$REG/tools/bb:1.0" bb 2>&1) && fail "a pull without the registry's CA succeeded"
        expect_contains "$out" "cannot talk HTTPS to $REG" "the TLS failure is named"
        expect_contains "$out" "/etc/containers/certs.d/$REG/ca.crt" "and where its CA goes"
        nothing_left "a pull that cannot connect"
        mkdir -p "/etc/containers/certs.d/$REG" && cp "$TESTTMP/registry/ca.crt" "/etc/containers/certs.d/$REG/"
        out=$(ctl pull-oci "$REG/tools/bb:1.0" bb 2>&1) && fail "a pull without the login succeeded"
        expect_contains "$out" "$REG wants a login, and there is none for it" "a missing login is named"
        nothing_left "a pull without a login"
        trust_registry
        out=$(ctl pull-oci "$REG/tools/bb:1.0" bb 2>&1) || fail "pull-oci failed: $out"
        expect_contains "$out" "Pulling '$REG/tools/bb:1.0', saving as 'bb'." "what is pulled"
        expect_contains "$out" "linux/amd64, sha256:" "the platform and digest"
        expect_contains "$out" "2 layers" "the layers"
        out=$(run_image bb)
        expect_eq "$out" "$(printf 'hello from the image\n0\n/srv')" "corral -M runs what the image says, where and with what"
        expect_eq "$(cat $M/bb/srv/index.html)" "served" "the second layer"
        settings=$(cat $M/bb.nspawn)
        expect_contains "$settings" "# Origin: $REG/tools/bb:1.0" "the origin, in the settings file"
        expect_contains "$settings" 'Parameters=/bin/sh -c "echo \"hello from $GREETING\"; id -u; pwd"' "Entrypoint and Cmd, quoted"
        expect_contains "$settings" 'Environment="GREETING=the image"' "Env"
        expect_contains "$settings" "WorkingDirectory=/srv" "WorkingDir"
        expect_contains "$settings" "KillSignal=SIGQUIT" "StopSignal"
        expect_contains "$settings" "# Label: org.opencontainers.image.title=bb" "labels"
        expect_contains "$settings" "# ExposedPorts: 8080/tcp" "exposed ports"
        status=$(ctl image-status bb)
        expect_contains "$status" "Origin: $REG/tools/bb:1.0" "image-status: the origin"
        expect_contains "$status" "Digest: sha256:" "image-status: the digest"
        expect_contains "$status" "Platform: linux/amd64" "image-status: the platform"
        expect_contains "$(ctl list-images)" "ORIGIN" "list-images: an origin column"
        expect_contains "$(ctl list-images --no-legend | tr -s ' ')" "$REG/tools/bb:1.0" "list-images: the origin"
        expect_contains "$(ctl list-images -o json)" "\"origin\":\"$REG/tools/bb:1.0\"" "list-images: the origin in JSON"
        # The same with docker's files: its config.json and /etc/docker/certs.d
        rm -r /etc/containers/certs.d
        unset REGISTRY_AUTH_FILE
        mkdir -p "$TESTTMP/docker" "/etc/docker/certs.d/$REG"
        cp "$TESTTMP/registry/ca.crt" "/etc/docker/certs.d/$REG/ca.crt"
        printf '{"auths": {"https://%s": {"auth": "%s"}}}\n' "$REG" "$(printf alice:secret | base64)" > "$TESTTMP/docker/config.json"
        out=$(ctl pull-oci "$REG/tools/bb:1.0" bb 2>&1) && fail "a pull over an image succeeded"
        expect_contains "$out" "an image named 'bb' exists already" "an existing image is kept"
        out=$(DOCKER_CONFIG=$TESTTMP/docker ctl pull-oci --force --read-only "$REG/tools/bb:1.0" bb 2>&1) || fail "pull-oci with docker's files failed: $out"
        expect_contains "$(ctl image-status bb)" "read-only" "--read-only"
        # The blobs are in the cache, and clean takes them
        [ "$(ls $CACHE | wc -l)" -ge 3 ] || fail "the config and layers are not in the blob cache: $(ls $CACHE)"
        out=$(ctl clean)
        expect_contains "$out" "from /var/cache/corral/blobs" "clean removes the blobs"
        expect_eq "$(ls -A $CACHE)" "" "the cache is empty"
        [ -d $M/bb ] || fail "clean removed a visible image"
}

test_pull_oci_applies_layers_with_whiteouts() {
        own_dirs
        start_docker_registry
        trust_registry
        # gzip, zstd and uncompressed layers; whiteouts, an opaque directory, AUFS' files, a
        # file over a directory, a hard link to a lower layer's file
        layout "$TESTTMP/wh" '{"images": [{"config": {"Cmd": ["sh"]}, "layers": [
            {"members": [["tree", "'"$(busybox_tree)"'"], ["file", "etc/gone", "x"], ["file", "etc/kept", "k"],
                         ["dir", "data"], ["file", "data/old", "o"], ["dir", "data/sub"], ["file", "data/sub/old2", "o"],
                         ["dir", "was-dir"], ["file", "was-dir/f", "f"], ["dir", "rmdir"], ["file", "rmdir/f", "f"],
                         ["file", "opt/script", "#!/bin/sh", 493]]},
            {"compression": "zstd", "members": [["file", "etc/.wh.gone", ""], ["file", "data/.wh..wh..opq", ""],
                         ["dir", "data/sub"], ["file", "data/new", "n"], ["file", "was-dir", "a file now"], ["file", ".wh.rmdir", ""],
                         ["file", ".wh..wh.plnk", ""], ["dir", ".wh..wh.aufs"], ["hardlink", "opt/link", "opt/script"]]},
            {"compression": "none", "members": [["file", "etc/last", "l"], ["file", "etc/.wh.never-there", ""]]}]}]}'
        push "$TESTTMP/wh" wh:latest --dest-compress-format zstd
        ctl pull-oci -q "$REG/wh" wh || fail "the pull failed"
        listing=$(cd $M/wh && find . | sort | md5sum)
        expect_eq "$(ls $M/wh/etc | grep -c '^gone$')" 0 "a whiteout removes a lower layer's file"
        expect_eq "$(cat $M/wh/etc/kept $M/wh/etc/last)" "kl" "the rest stays, the last layer is there"
        expect_eq "$(cd $M/wh/data && find . | sort | tr '\n' ' ')" ". ./new ./sub " "an opaque directory keeps only what its layer made"
        expect_eq "$(cat $M/wh/was-dir)" "a file now" "a file replaces a lower layer's directory"
        [ -e $M/wh/rmdir ] && fail "a whiteout removes a lower layer's directory"
        [ -e $M/wh/.wh..wh.plnk ] || [ -e $M/wh/.wh..wh.aufs ] && fail "AUFS' bookkeeping is not copied"
        ls -A $M/wh | grep -q '^\.wh\.' && fail "a whiteout file is copied: $(ls -A $M/wh)"
        expect_eq "$(stat -c %h $M/wh/opt/link)" 2 "a hard link to a lower layer's file"
        expect_eq "$(stat -c %a $M/wh/opt/script)" 755 "modes"
        expect_contains "$(run_image wh sh -c 'cat /etc/kept; ls /data')" "k" "the image runs"
        # skopeo made the registry's layers zstd; with gzip it is the same image
        push "$TESTTMP/wh" wh:gzip --dest-compress-format gzip
        ctl pull-oci -q "$REG/wh:gzip" whgz || fail "the gzip pull failed"
        expect_eq "$(cd $M/whgz && find . | sort | md5sum)" "$listing" "gzip and zstd give the same tree"
}

test_pull_oci_chooses_the_platform() {
        own_dirs
        start_docker_registry
        trust_registry
        local bb; bb=$(busybox_tree)
        layout "$TESTTMP/multi" '{"index": true, "images": [
            {"platform": "linux/amd64", "config": {"Cmd": ["cat", "/etc/arch"]}, "layers": [{"members": [["tree", "'"$bb"'"], ["file", "etc/arch", "amd64"]]}]},
            {"platform": "linux/arm64/v8", "config": {"Cmd": ["cat", "/etc/arch"]}, "layers": [{"members": [["tree", "'"$bb"'"], ["file", "etc/arch", "arm64"]]}]}]}'
        push "$TESTTMP/multi" multi:latest --all
        ctl pull-oci -q "$REG/multi" m || fail "the pull of a manifest list failed"
        expect_eq "$(run_image m)" "amd64" "this machine's platform is chosen"
        ctl pull-oci -q --platform=linux/arm64 "$REG/multi" marm || fail "--platform=linux/arm64 failed"
        expect_eq "$(cat $M/marm/etc/arch)" "arm64" "--platform= chooses another"
        expect_contains "$(ctl image-status marm)" "Platform: linux/arm64/v8" "and image-status says which"
        out=$(ctl pull-oci --platform=linux/s390x "$REG/multi" ms 2>&1) && fail "a platform the index lacks was pulled"
        expect_contains "$out" "has no linux/s390x variant; it has linux/amd64, linux/arm64/v8" "the platforms there are are named"
        out=$(ctl pull-oci --platform=linux/ 2>&1 "$REG/multi" x) && fail "a bad --platform= was taken"
        expect_contains "$out" "Platform 'linux/' is not valid" "a bad --platform="
        # By digest: the index's; and a digest the registry does not have
        digest=$(skopeo inspect --raw --creds alice:secret --cert-dir "$TESTTMP/registry/certs" "docker://$REG/multi" | sha256sum | cut -d' ' -f1)
        ctl pull-oci -q "$REG/multi@sha256:$digest" mdigest || fail "a pull by digest failed"
        expect_eq "$(cat $M/mdigest/etc/arch)" "amd64" "by digest"
        out=$(ctl pull-oci "$REG/multi@sha256:$(printf x | sha256sum | cut -d' ' -f1)" mnone 2>&1) && fail "an unknown digest was pulled"
        expect_contains "$out" "HTTP 404" "an unknown digest"
        # An image of one platform, not this machine's
        layout "$TESTTMP/arm" '{"images": [{"platform": "linux/arm64", "layers": [{"members": [["file", "x", "y"]]}]}]}'
        push "$TESTTMP/arm" arm:latest
        out=$(ctl pull-oci "$REG/arm" arm 2>&1) && fail "an image of another platform was pulled"
        expect_contains "$out" "the image is for linux/arm64, and this machine is linux/amd64 (--platform=linux/arm64 takes it anyway)" "why not"
        ctl pull-oci -q --platform=linux/arm64 "$REG/arm" arm || fail "--platform= takes it"
        rm -rf $M/m* $M/arm*
        nothing_left "after the platform pulls"
}

test_pull_oci_token_flow_as_docker_hub() {
        own_dirs
        local bb; bb=$(busybox_tree)
        # Docker Hub's names: registry-1.docker.io and auth.docker.io are this loopback in a
        # network namespace of the test's own, with a certificate for them from the test's CA
        make_certs "$TESTTMP/hub" registry-1.docker.io auth.docker.io
        printf '127.0.0.1 localhost registry-1.docker.io auth.docker.io\n' > "$TESTTMP/hosts"
        mount --bind "$TESTTMP/hosts" /etc/hosts
        layout "$TESTTMP/deb" '{"index": true, "images": [{"config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]}, "layers": [{"members": [["tree", "'"$bb"'"]]}]}]}'
        # the init image of the test: Entrypoint an init, so -b is what it asks for
        cp -r "$bb" "$TESTTMP/bbinit"
        ln -sf ../bin/busybox "$TESTTMP/bbinit/sbin/init"
        printf '::sysinit:/bin/echo booted-from-registry\n::sysinit:/bin/poweroff -f\n' > "$TESTTMP/bbinit/etc/inittab"
        layout "$TESTTMP/init" '{"images": [{"config": {"Entrypoint": ["/sbin/init"]}, "layers": [{"members": [["tree", "'"$TESTTMP/bbinit"'"]]}]}]}'
        unshare -n bash -c '
                ip link set lo up
                python3 "$1/oci-registry.py" "$2/deb" "$2/port" --port 443 --tls "$2/hub/server.crt" "$2/hub/server.key" --token alice:secret 2>> "$2/hub.log" &
                pid=$!
                for _ in $(seq 100); do [ -e "$2/port" ] && break; sleep 0.1; done
                export SSL_CERT_FILE=$2/hub/ca.crt
                out=$("$3" pull-oci debian:12 deb 2>&1); echo "rc=$?"; echo "$out"
                mkdir -p "$2/xdg/containers"
                printf "{\"auths\": {\"docker.io\": {\"auth\": \"%s\"}}}\n" "$(printf alice:secret | base64)" > "$2/xdg/containers/auth.json"
                out=$(XDG_RUNTIME_DIR=$2/xdg "$3" pull-oci debian:12 deb 2>&1); echo "rc=$?"; echo "$out"
                kill $pid; wait $pid 2>/dev/null; rm -f "$2/port"
                python3 "$1/oci-registry.py" "$2/init" "$2/port" --port 443 --tls "$2/hub/server.crt" "$2/hub/server.key" 2>> "$2/hub.log" &
                pid=$!
                for _ in $(seq 100); do [ -e "$2/port" ] && break; sleep 0.1; done
                out=$("$3" pull-oci -q library/busybox-init bbinit 2>&1); echo "rc=$?"; echo "$out"
                kill $pid; wait $pid 2>/dev/null
        ' _ "$TOOLS" "$TESTTMP" "$CORRALCTL" > "$TESTTMP/hub.out" 2>&1
        out=$(cat "$TESTTMP/hub.out")
        expect_contains "$out" "refuses a token for library/debian (HTTP 401)" "without the login, the token realm refuses"
        expect_contains "$out" "Pulling 'docker.io/library/debian:12', saving as 'deb'." "Docker Hub's name and library/"
        expect_contains "$out" "Pulled image 'deb'" "with the login from auth.json, the token flow"
        expect_contains "$(cat "$TESTTMP/hub.log")" "/token?service=test-registry&scope=repository%3Alibrary%2Fdebian%3Apull" "the token asked for"
        # At a terminal, as a user types it
        out=$(python3 "$TOOLS/pty-drive.py" 30 '# ' 'echo in-the-image-$((6*7))\r' 'in-the-image-42' 'exit\r' -- "$CORRAL" -M deb)
        expect_contains "$out" "in-the-image-42" "corral -M deb gets the image's shell"
        expect_contains "$out" "STATUS 0" "which exits"
        expect_eq "$(echo 'echo piped-$((6*7)); exit' | "$CORRAL" -q --pipe -M deb 2>&1)" "piped-42" "and with --pipe"
        expect_contains "$(cat $M/bbinit.nspawn)" "Boot=yes" "an image whose entrypoint is an init boots"
        expect_contains "$(run_image bbinit)" "booted-from-registry" "corral -M boots it"
        expect_contains "$(run_image bbinit -b)" "booted-from-registry" "and -b too"
}

test_pull_oci_refuses_damaged_blobs_and_manifests() {
        own_dirs
        layout "$TESTTMP/img" '{"index": true, "images": [{"layers": [{"members": [["tree", "'"$(busybox_tree)"'"]]}, {"members": [["file", "etc/x", "x"]]}]}]}'
        layer=$(python3 -c 'import json,sys; d=sys.argv[1]; i=json.load(open(d+"/index.json"))["manifests"][0]["digest"][7:]
x=json.load(open(d+"/blobs/sha256/"+i))["manifests"][0]["digest"][7:]; print(json.load(open(d+"/blobs/sha256/"+x))["layers"][0]["digest"])' "$TESTTMP/img")
        start_test_registry "$TESTTMP/img" --damage "$layer"
        out=$(ctl pull-oci "$TREG/img" img 2>&1) && fail "a damaged blob was taken"
        expect_contains "$out" "the blob $layer from $TREG is damaged: its digest is sha256:" "a damaged blob is named"
        nothing_left "a damaged blob"
        [ -e "$CACHE/${layer#sha256:}" ] || [ -e "$CACHE/${layer#sha256:}.partial" ] && fail "the damaged blob is kept in the cache"
        stop_all
        start_test_registry "$TESTTMP/img" --wrong-manifest
        out=$(ctl pull-oci "$TREG/img" img 2>&1) && fail "a manifest that is not the digest asked for was taken"
        expect_contains "$out" "is damaged: its digest is" "a wrong manifest is named"
        nothing_left "a wrong manifest"
        stop_all
        # A blob in the cache that was damaged there is fetched again
        start_test_registry "$TESTTMP/img"
        ctl pull-oci -q "$TREG/img" img || fail "the pull failed"
        printf 'x' >> "$CACHE/${layer#sha256:}"
        ctl pull-oci -q "$TREG/img" img2 || fail "a pull over a damaged cache failed"
        expect_eq "$(sha256sum < "$CACHE/${layer#sha256:}" | cut -d' ' -f1)" "${layer#sha256:}" "the damaged cached blob is replaced"
        # import-oci checks the layout's blobs
        rm -rf $M/img*
        cp -r "$TESTTMP/img" "$TESTTMP/bad" && printf 'x' >> "$TESTTMP/bad/blobs/sha256/${layer#sha256:}"
        out=$(ctl import-oci "$TESTTMP/bad" bad 2>&1) && fail "a damaged layout was imported"
        expect_contains "$out" "the blob $layer is damaged" "import-oci names it"
        nothing_left "a damaged layout"
}

test_pull_oci_resumes_after_the_registry_dies() {
        own_dirs
        head -c 3000000 /dev/urandom > "$TESTTMP/random"
        layout "$TESTTMP/big" '{"images": [{"layers": [{"members": [["tree", "'"$(busybox_tree)"'"]]}, {"compression": "none", "members": [["dir", "data"]]}]}]}'
        python3 - "$TESTTMP" <<'EOF' || fail "cannot build the big layer"
import hashlib, io, json, sys, tarfile
d = sys.argv[1]
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    t.add(d + "/random", arcname="data/random")
data = buf.getvalue()
dig = hashlib.sha256(data).hexdigest()
open(f"{d}/big/blobs/sha256/{dig}", "wb").write(data)
idx = json.load(open(d + "/big/index.json"))
m = idx["manifests"][0]
man = json.load(open(d + "/big/blobs/sha256/" + m["digest"][7:]))
man["layers"][1] = {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + dig, "size": len(data)}
cfg = json.load(open(d + "/big/blobs/sha256/" + man["config"]["digest"][7:]))
cfg["rootfs"]["diff_ids"][1] = "sha256:" + dig
c = json.dumps(cfg).encode(); cd = hashlib.sha256(c).hexdigest(); open(f"{d}/big/blobs/sha256/{cd}", "wb").write(c)
man["config"] = {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + cd, "size": len(c)}
b = json.dumps(man).encode(); md = hashlib.sha256(b).hexdigest(); open(f"{d}/big/blobs/sha256/{md}", "wb").write(b)
m.update(digest="sha256:" + md, size=len(b))
json.dump(idx, open(d + "/big/index.json", "w"))
print(dig, file=open(d + "/big.digest", "w"))
EOF
        big=$(cat "$TESTTMP/big.digest")
        start_test_registry "$TESTTMP/big" --die-after 2000000
        out=$(ctl pull-oci "$TREG/big" big 2>&1) && fail "a pull from a registry that died succeeded"
        expect_contains "$out" "pull-oci failed:" "it fails"
        nothing_left "a registry that died mid-layer"
        size=$(stat -c %s "$CACHE/$big.partial" 2>/dev/null || echo 0)
        [ "$size" -gt 0 ] && [ "$size" -le 2000000 ] || fail "what came before it died is kept to resume: $size bytes"
        stop_all
        start_test_registry "$TESTTMP/big"
        ctl pull-oci -q "$TREG/big" big || fail "the second pull failed"
        grep -q "blobs/sha256:$big.*206" "$TESTTMP/test-registry.log" || fail "the blob was not resumed (no 206): $(grep "$big" "$TESTTMP/test-registry.log")"
        cmp "$TESTTMP/random" "$M/big/data/random" || fail "the resumed layer is not whole"
        [ -e "$CACHE/$big.partial" ] && fail "the partial download is left"
        [ -e "$CACHE/$big" ] || fail "the whole blob is in the cache"
}

test_pull_oci_refuses_hostile_layers() {
        own_dirs
        mkdir -p "$TESTTMP/outside"
        local bb; bb=$(busybox_tree) n=0
        for members in '["file", "../escaped", "x"]' \
                '["file", "/abs-escaped", "x"]' \
                '["symlink", "etc/out", "'"$TESTTMP"'/outside"], ["file", "etc/out/through-link", "x"]' \
                '["symlink", "up", "../../../../../../../.."], ["file", "up/'"${TESTTMP#/}"'/outside/through-dotdot", "x"]' \
                '["symlink", "etc/out", "'"$TESTTMP"'/outside"], ["file", "etc/out/.wh.victim", ""]' \
                '["hardlink", "etc/shadow-link", "../../../../etc/passwd"]'; do
                n=$((n + 1))
                touch "$TESTTMP/outside/victim"
                rm -rf "$TESTTMP/hostile"
                layout "$TESTTMP/hostile" '{"images": [{"layers": [{"members": [["tree", "'"$bb"'"]]}, {"members": ['"$members"']}]}]}'
                stop_all
                start_test_registry "$TESTTMP/hostile"
                out=$(ctl pull-oci "$TREG/hostile" hostile 2>&1) && fail "hostile layer $n was applied: $members"
                expect_contains "$out" "layer 2 of 2: archive member" "hostile layer $n: the member is named"
                nothing_left "hostile layer $n"
                expect_eq "$(ls -A "$TESTTMP/outside")" "victim" "hostile layer $n: nothing outside changed"
                [ -e /escaped ] || [ -e /abs-escaped ] && fail "a member landed outside"
        done
        true
}

test_import_and_export_oci() {
        own_dirs
        command -v skopeo > /dev/null || skip "no skopeo"
        layered_busybox "$TESTTMP/bb-layout"
        # What skopeo writes: a layout, its tar, a docker archive
        skopeo copy -q "oci:$TESTTMP/bb-layout:latest" "oci-archive:$TESTTMP/bb-oci.tar:latest" || fail "skopeo oci-archive"
        skopeo copy -q "oci:$TESTTMP/bb-layout:latest" "docker-archive:$TESTTMP/bb-docker.tar:corral/bb:1" || fail "skopeo docker-archive"
        ctl import-oci -q "$TESTTMP/bb-layout" fromdir || fail "import-oci of a layout directory"
        ctl import-oci -q "$TESTTMP/bb-oci.tar" || fail "import-oci of an oci-archive"
        ctl import-oci -q "$TESTTMP/bb-docker.tar" fromdocker || fail "import-oci of a docker archive"
        for i in fromdir bb-oci fromdocker; do
                expect_eq "$(run_image $i)" "$(printf 'hello from the image\n0\n/srv')" "$i runs what the image says"
        done
        expect_contains "$(ctl image-status fromdocker)" "Origin: docker-archive:$TESTTMP/bb-docker.tar:docker.io/corral/bb:1" "a docker archive's origin"
        expect_contains "$(ctl image-status bb-oci)" "Origin: oci-archive:$TESTTMP/bb-oci.tar" "an oci-archive's origin"
        nothing_left_of_imports=$(ls -A /var/cache/corral/blobs 2>/dev/null | grep -v '^sha256$')
        expect_eq "$nothing_left_of_imports" "" "an archive's temporary directory is gone"
        # export-oci: a layout and its tar, which skopeo and podman read, and corral again
        printf '[Exec]\nParameters=/bin/sh -c "echo exported \\"$X\\""\nEnvironment="X=y z"\nWorkingDirectory=/tmp\n' > $M/fromdir.nspawn
        ctl export-oci -q fromdir "$TESTTMP/out" || fail "export-oci to a directory"
        ctl export-oci -q fromdir "$TESTTMP/out.tar" || fail "export-oci to a tar"
        out=$(ctl export-oci fromdir "$TESTTMP/out" 2>&1) && fail "export-oci over a directory"
        expect_contains "$out" "exists already" "an existing target is kept"
        skopeo inspect "oci:$TESTTMP/out" > "$TESTTMP/inspect" || fail "skopeo cannot read the export"
        expect_contains "$(cat "$TESTTMP/inspect")" '"X=y z"' "the settings' environment is the config's"
        skopeo copy -q "oci-archive:$TESTTMP/out.tar" "oci:$TESTTMP/copied:latest" || fail "skopeo cannot read the exported tar"
        ctl import-oci -q "$TESTTMP/out.tar" back || fail "import-oci of the export"
        expect_eq "$(run_image back)" "exported y z" "the round trip keeps the command and environment"
        if command -v podman > /dev/null; then
                podman --root "$TESTTMP/podman" --runroot "$TESTTMP/podman-run" --storage-driver vfs load -q -i "$TESTTMP/out.tar" > "$TESTTMP/podman.out" 2>&1 ||
                        fail "podman cannot load the export: $(cat "$TESTTMP/podman.out")"
                expect_contains "$(podman --root "$TESTTMP/podman" --runroot "$TESTTMP/podman-run" --storage-driver vfs images --format '{{.Size}}' 2>&1)" "MB" "podman has it"
        fi
        out=$(ctl import-oci "$TESTTMP/random-dir" x 2>&1) && fail "a missing path was imported"
        expect_contains "$out" "cannot import $TESTTMP/random-dir" "a missing path"
        mkdir "$TESTTMP/empty"
        out=$(ctl import-oci "$TESTTMP/empty" x 2>&1) && fail "an empty directory was imported"
        expect_contains "$out" "neither an OCI image layout (index.json) nor a docker save archive (manifest.json)" "not a layout"
}

test_pull_oci_list_and_cancel() {
        own_dirs
        layout "$TESTTMP/slow" '{"images": [{"layers": [{"compression": "none", "members": [["tree", "'"$(busybox_tree)"'"]]}]}]}'
        start_test_registry "$TESTTMP/slow" --slow
        ctl pull-oci "$TREG/slow" slowpoke > "$TESTTMP/out" 2>&1 &
        pid=$!
        for _ in $(seq 100); do ctl list-transfers --no-legend | grep -q pull-oci && break; sleep 0.1; done
        out=$(ctl list-transfers | tr -s ' ')
        expect_contains "$out" "pull-oci slowpoke $TREG/slow" "list-transfers shows the pull"
        expect_rc 0 ctl cancel-transfer 1
        wait $pid; expect_eq "$?" 1 "the cancelled pull fails"
        expect_contains "$(cat "$TESTTMP/out")" "pull-oci failed: cancelled; nothing was imported" "and says so"
        nothing_left "a cancelled pull"
        ls $CACHE | grep -q partial || fail "what came is kept to resume: $(ls $CACHE)"
}

test_pull_oci_bad_input() {
        own_dirs
        out=$(ctl pull-oci 'Debian:12' 2>&1) && fail "an upper-case name was taken"
        expect_contains "$out" "Image reference 'Debian:12' is not valid: a name's parts are lower-case" "why"
        out=$(ctl pull-oci 'debian@sha256:1234' 2>&1) && fail "a short digest was taken"
        expect_contains "$out" "the digest after \"@\" is not sha256: and 64 lower-case hex digits" "why"
        out=$(ctl pull-oci debian:12 '../x' 2>&1) && fail "a bad image name was taken"
        expect_contains "$out" "is not a valid image name" "a bad image name"
        port=$(free_port)
        out=$(ctl pull-oci "127.0.0.1:$port/x" x 2>&1) && fail "a pull from nowhere succeeded"
        expect_contains "$out" "cannot download" "a registry that is not there"
        expect_contains "$out" "127.0.0.1:$port" "is named"
        nothing_left "a registry that is not there"
        out=$(ctl export-oci nope "$TESTTMP/x" 2>&1) && fail "an export of nothing"
        expect_contains "$out" "nope" "a missing image is named"
        expect_eq "$(ls -A "$TESTTMP" | grep -c '^x')" 0 "nothing is written"
}
