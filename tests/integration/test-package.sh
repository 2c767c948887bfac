# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian package (debian/): built with Debian's own tools, installed with dpkg into a fresh
# Debian tree, and run from the installed files there.  A file the package forgets fails here.

# The source as a clone has it: what git tracks, or the tree without build directories.
copy_source() {
        local root=$1 dest=$2
        mkdir -p "$dest"
        if [ -d "$root/.git" ] && command -v git >/dev/null; then
                git -C "$root" ls-files -z | tar -C "$root" --null -T - -cf - | tar -xf - -C "$dest"
        else
                (cd "$root" && tar --exclude='./build*' --exclude=./obj-* -cf - .) | tar -xf - -C "$dest"
        fi
}

test_debian_package() {
        local root out deb
        root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
        [ -d "$root/debian" ] && [ -d "$root/src" ] || skip "no source tree with debian/ beside the tests"
        command -v dpkg-buildpackage >/dev/null && dpkg -s debhelper >/dev/null 2>&1 || skip "debhelper is not installed (scripts/setup.sh installs it)"
        [ -n "${CORRAL_DEBIAN_PODMAN:-}" ] || skip "no cached Debian tree with corral's libraries (scripts/debian-image.sh podman)"
        copy_source "$root" "$TESTTMP/src/corral"
        (cd "$TESTTMP/src/corral" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -b -us -uc) > "$TESTTMP/build.log" 2>&1 ||
                fail "dpkg-buildpackage failed: $(tail -20 "$TESTTMP/build.log")"
        deb=$(ls "$TESTTMP"/src/corral_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -1)
        [ -f "$deb" ] || fail "no package was built: $(tail -5 "$TESTTMP/build.log")"
        out=$(dpkg-deb -c "$deb")
        for f in usr/bin/corral usr/bin/corralctl usr/bin/corral-oci usr/libexec/corral/corral-net usr/libexec/corral/corralctl-transfer \
                 usr/share/man/man1/corral.1.gz usr/share/man/man1/corralctl.1.gz usr/share/man/man1/corral-oci.1.gz \
                 usr/share/bash-completion/completions/corral usr/share/bash-completion/completions/corralctl; do
                expect_contains "$out" "./$f" "the package holds $f"
        done
        expect_contains "$(dpkg-deb -f "$deb" Depends)" "libarchive13" "its library dependencies come from dh_shlibdeps"

        # A fresh Debian tree (a throw-away overlay of the cached one): dpkg installs the package
        # with its dependencies already there, then the installed corral runs a container with
        # a veth pair (the installed corral-net) and corralctl answers.
        mkdir -p "$TESTTMP/pkg"
        cp "$deb" "$TESTTMP/pkg/corral.deb"
        make_busybox_tree "$TESTTMP/pkg/bb"
        out=$("$CORRAL" -q -P -x --nesting --private-network -D "$CORRAL_DEBIAN_PODMAN" --bind-ro="$TESTTMP/pkg:/pkg" /bin/sh -c '
                dpkg -i /pkg/corral.deb > /tmp/dpkg.log 2>&1 || { echo "dpkg failed:"; cat /tmp/dpkg.log; exit 1; }
                echo "installed: $(dpkg-query -W -f "\${Status}" corral)"
                corral --version
                corralctl --version | head -n 1
                corral-oci --version | head -n 1
                ls /usr/share/man/man1/corral.1.gz /usr/share/bash-completion/completions/corralctl
                cp -a /pkg/bb /srv/bb
                corral -q -P -D /srv/bb -n /bin/sh -c "echo payload of the installed corral; ls /sys/class/net | tr \"\\n\" \" \""
                echo "corral: $?"
        ' </dev/null 2>&1)
        expect_contains "$out" "installed: install ok installed" "dpkg installs it into a fresh Debian tree: $out"
        expect_contains "$out" "corral 0.1.0 (systemd-nspawn 252 compatible)" "the installed corral runs"
        expect_contains "$out" "corralctl 0.1.0" "and corralctl"
        expect_contains "$out" "corral-oci version 0.1.0" "and corral-oci, with its library (json-c)"
        expect_contains "$out" "/usr/share/man/man1/corral.1.gz" "the man page is where man looks"
        expect_contains "$out" "payload of the installed corral" "the installed corral runs a container"
        expect_contains "$out" "host0 lo" "with a veth pair (host0) made by the installed corral-net"
        expect_contains "$out" "corral: 0" "and ends cleanly"
}
