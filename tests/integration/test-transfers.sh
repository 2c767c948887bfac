# SPDX-License-Identifier: LGPL-2.1-or-later
# Transfers: import-tar, import-raw, import-fs, export-tar, export-raw, pull-tar, pull-raw,
# list-transfers and cancel-transfer.  Downloads come from a web server on 127.0.0.1 that the
# test starts (tests/tools/http-server.py), and from nowhere else.

M=/var/lib/machines
ctl() { "$CORRALCTL" "$@"; }
TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)
. "$(dirname "${BASH_SOURCE[0]}")/test-images.sh" # fill_tree, tree_listing

# Serves $1 on 127.0.0.1; sets URL and HTTP_PID.  stop_http ends it.
start_http() {
        rm -f "$TESTTMP/port"
        python3 "$TOOLS/http-server.py" "$1" "$TESTTMP/port" &
        HTTP_PID=$!
        trap stop_http EXIT # a test that fails half-way stops it too
        wait_for_file "$TESTTMP/port" 10 || fail "the test's web server did not start"
        URL="http://127.0.0.1:$(cat "$TESTTMP/port")"
}
stop_http() { kill "$HTTP_PID" 2>/dev/null; wait "$HTTP_PID" 2>/dev/null || true; }

# A busybox tree with everything fill_tree adds, as rootfs.tar.xz in $1.
make_tarball() {
        mkdir -p "$TESTTMP/src"
        make_busybox_tree "$TESTTMP/src"
        fill_tree "$TESTTMP/src"
        tar --xattrs --xattrs-include='*' --acls --numeric-owner -C "$TESTTMP/src" -cJf "$1/rootfs.tar.xz" .
}

nothing_left() { # what
        expect_eq "$(ls -A $M)" "" "$1: no image and no temporary file is left"
}

test_import_tar_keeps_everything() {
        make_tarball "$TESTTMP"
        out=$(ctl import-tar "$TESTTMP/rootfs.tar.xz" 2>&1) || fail "import-tar: $out"
        expect_contains "$out" "Importing '$TESTTMP/rootfs.tar.xz', saving as 'rootfs'." "the name comes from the file, as machinectl derives it"
        expect_eq "$(tree_listing $M/rootfs)" "$(tree_listing "$TESTTMP/src")" \
                "every file, type, owner, mode, hard link, time, xattr, ACL and capability is imported"
        expect_eq "$(stat -c %i $M/rootfs/usr/bin/tool)" "$(stat -c %i $M/rootfs/usr/bin/tool-link)" "hard links stay links"
        expect_eq "$(cr -M rootfs /bin/sh -c 'cat /usr/bin/tool')" data "the imported image runs"
        # Every compression, and standard input
        for c in gzip bzip2 zstd; do
                tar --xattrs --xattrs-include='*' --acls --numeric-owner -C "$TESTTMP/src" -c . | $c > "$TESTTMP/t.tar.$c"
                expect_rc 0 ctl -q import-tar "$TESTTMP/t.tar.$c" "by-$c"
                expect_eq "$(tree_listing $M/by-$c)" "$(tree_listing "$TESTTMP/src")" "a $c archive"
        done
        tar -C "$TESTTMP/src" -c . | ctl -q import-tar - piped || fail "import-tar from standard input"
        expect_eq "$(cat $M/piped/usr/bin/tool)" data "from standard input"
        out=$(ctl import-tar - < "$TESTTMP/rootfs.tar.xz" 2>&1); expect_contains "$out" "Cannot derive an image name from '-': give one" "standard input needs a name"
        # Names, --force and --read-only
        out=$(ctl import-tar "$TESTTMP/rootfs.tar.xz" 2>&1); rc=$?
        expect_eq "$rc" 1 "an image of that name is not replaced"
        expect_contains "$out" "an image named 'rootfs' exists already ($M/rootfs); --force replaces it" "and says how to"
        echo mine > $M/rootfs/marker
        expect_rc 0 ctl -q import-tar --force --read-only "$TESTTMP/rootfs.tar.xz"
        [ ! -e $M/rootfs/marker ] || fail "--force replaces the image"
        expect_contains "$(ctl list-images --no-legend | grep '^rootfs ')" "directory yes" "--read-only"
        out=$(ctl import-tar "$TESTTMP/rootfs.tar.xz" 'a/b' 2>&1); expect_contains "$out" '"a/b" is not a valid image name' "a bad name"
        out=$(ctl import-tar "$TESTTMP/none.tar" x 2>&1); expect_contains "$out" "Cannot open $TESTTMP/none.tar: No such file or directory" "a missing file"
        ls -A $M | grep -q '^\.#' && fail "no temporary file is left: $(ls -A $M)"
        return 0
}

test_import_damaged_archives_leave_nothing() {
        make_tarball "$TESTTMP"
        head -c 300000 "$TESTTMP/rootfs.tar.xz" > "$TESTTMP/cut.tar.xz"
        out=$(ctl import-tar "$TESTTMP/cut.tar.xz" 2>&1); rc=$?
        expect_eq "$rc" 1 "a cut-off archive fails"
        expect_contains "$out" "import-tar failed: " "and says so"
        nothing_left "a cut-off archive"
        head -c 100000 /dev/urandom > "$TESTTMP/noise.tar"
        out=$(ctl import-tar "$TESTTMP/noise.tar" 2>&1)
        expect_contains "$out" "not a tar archive" "noise is not an archive"
        nothing_left "noise"
        : > "$TESTTMP/empty.tar"
        out=$(ctl import-tar "$TESTTMP/empty.tar" 2>&1)
        expect_contains "$out" "import-tar failed" "an empty file"
        nothing_left "an empty file"
        # An interrupted import: SIGTERM (cancel-transfer, ^C) removes what was made
        dd if=/dev/urandom of="$TESTTMP/src/big" bs=1M count=64 status=none
        tar -C "$TESTTMP/src" -c . > "$TESTTMP/big.tar"
        mkfifo "$TESTTMP/fifo"
        ctl import-tar - slow < "$TESTTMP/fifo" > "$TESTTMP/out" 2>&1 &
        pid=$!
        exec 7> "$TESTTMP/fifo"
        head -c 50000000 "$TESTTMP/big.tar" >&7
        wait_for_file /run/corral/transfers/1 10 || fail "the import has its record"
        expect_contains "$(ctl list-transfers)" "import-tar slow  -" "list-transfers shows it"
        ctl cancel-transfer 1 || fail "cancel-transfer"
        exec 7>&-
        wait $pid; expect_eq "$?" 1 "the cancelled import fails"
        expect_contains "$(cat "$TESTTMP/out")" "import-tar failed: cancelled; nothing was imported" "and says it was cancelled"
        nothing_left "a cancelled import"
        expect_eq "$(ctl list-transfers)" "No transfers." "and its record is gone"
}

# Archives that try to write outside the image.  Each is refused, names the member and why,
# and nothing is left, in the store or outside it.
test_hostile_archives_are_refused() {
        mkdir "$TESTTMP/outside"
        python3 - "$TESTTMP" <<'EOF'
import io, sys, tarfile
d = sys.argv[1]
def member(name, kind=tarfile.REGTYPE, data=b'', link=''):
    t = tarfile.TarInfo(name)
    t.type, t.linkname, t.size = kind, link, len(data)
    return t, io.BytesIO(data)
cases = {
    'absolute': [member('/' + d + '/outside/evil', data=b'x')],
    'dotdot': [member('../outside/evil', data=b'x')],
    'dotdot-inside': [member('etc/', tarfile.DIRTYPE), member('etc/../../outside/evil', data=b'x')],
    'symlink-parent': [member('escape', tarfile.SYMTYPE, link=d + '/outside'), member('escape/evil', data=b'x')],
    'relative-symlink-parent': [member('up', tarfile.SYMTYPE, link='../../../../../../../../' + d + '/outside'), member('up/evil', data=b'x')],
    'hardlink-absolute': [member('passwd', tarfile.LNKTYPE, link='/etc/passwd')],
    'hardlink-dotdot': [member('passwd', tarfile.LNKTYPE, link='../../../etc/passwd')],
    'hardlink-to-symlink-parent': [member('s', tarfile.SYMTYPE, link=d + '/outside'), member('h', tarfile.LNKTYPE, link='s'), member('h/evil', data=b'x')],
    'dir-then-symlink': [member('d/', tarfile.DIRTYPE), member('d/f', data=b'x'), member('d', tarfile.SYMTYPE, link=d + '/outside')],
    'control-character': [member('etc/pass\nwd', data=b'x')],
    'long-name': [member('a/' * 2600 + 'f', data=b'x')],
}
for name, members in cases.items():
    with tarfile.open(f'{d}/{name}.tar', 'w', format=tarfile.GNU_FORMAT) as t:
        for info, f in members:
            t.addfile(info, f)
EOF
        check() { # case, what the error says
                out=$(ctl import-tar "$TESTTMP/$1.tar" hostile 2>&1); rc=$?
                expect_eq "$rc" 1 "$1: refused"
                expect_contains "$out" "$2" "$1: the error names the member and why"
                nothing_left "$1"
                expect_eq "$(ls -A "$TESTTMP/outside")" "" "$1: nothing is written outside"
        }
        check absolute "archive member '/$TESTTMP/outside/evil': an absolute name"
        check dotdot "archive member '../outside/evil': a \"..\" component, which would lead out of the image"
        check dotdot-inside "archive member 'etc/../../outside/evil': a \"..\" component"
        check symlink-parent "archive member 'escape/evil': a parent directory is a symbolic link (or a mount): the archive would write through it"
        check relative-symlink-parent "archive member 'up/evil': a parent directory is a symbolic link"
        check hardlink-absolute "archive member 'passwd': an absolute name"
        check hardlink-dotdot "archive member 'passwd': a \"..\" component"
        check hardlink-to-symlink-parent "archive member 'h/evil': a parent directory is a symbolic link"
        check dir-then-symlink "archive member 'd': it would replace a directory the archive made"
        check control-character "a control character in the name"
        # A name over the limit: shortened in the message, and the reason shown after it.
        check long-name "archive member 'a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/… (5201 bytes)': its name is too long"
        expect_eq "$(ctl import-tar "$TESTTMP/long-name.tar" hostile 2>&1 | wc -c)" "$(ctl import-tar "$TESTTMP/long-name.tar" hostile 2>&1 | head -c 400 | wc -c)" "and the message is short"
        # A symbolic link may point anywhere: it is read inside the container.
        python3 - "$TESTTMP" <<'EOF'
import sys, tarfile
t = tarfile.TarInfo('etc-link'); t.type = tarfile.SYMTYPE; t.linkname = '/etc'
with tarfile.open(sys.argv[1] + '/fine.tar', 'w') as f:
    f.addfile(t)
EOF
        expect_rc 0 ctl -q import-tar "$TESTTMP/fine.tar" fine
        expect_eq "$(readlink $M/fine/etc-link)" /etc "a link that points out is kept as a link"
}

# A full disk: the reason, and no partial file left.
test_export_to_a_full_disk() {
        mkdir -p $M/big "$TESTTMP/full"
        head -c 2000000 /dev/urandom > $M/big/blob
        mount -t tmpfs -o size=64k tmpfs "$TESTTMP/full"
        out=$(ctl export-tar big "$TESTTMP/full/big.tar" 2>&1); rc=$?
        expect_eq "$rc" 1 "export-tar to a full disk fails"
        expect_contains "$out" "cannot write the archive: No space left on device" "and says why: $out"
        expect_eq "$(ls -A "$TESTTMP/full")" "" "nothing is left there"
        umount "$TESTTMP/full"
}

test_export_import_round_trip() {
        make_busybox_tree $M/web
        fill_tree $M/web
        truncate -s 100M $M/web/var-sparse
        echo end >> $M/web/var-sparse
        out=$(ctl export-tar web "$TESTTMP/web.tar.xz" 2>&1) || fail "export-tar: $out"
        expect_contains "$out" "Exporting 'web', saving to '$TESTTMP/web.tar.xz' with compression 'xz'." "the compression comes from the suffix"
        expect_eq "$(xz -t "$TESTTMP/web.tar.xz" && echo xz)" xz "it is xz"
        [ "$(stat -c %s "$TESTTMP/web.tar.xz")" -lt 10000000 ] || fail "a sparse file is not stored as 100M of zeros"
        expect_rc 0 ctl -q import-tar "$TESTTMP/web.tar.xz" back
        expect_eq "$(tree_listing $M/back)" "$(tree_listing $M/web)" "export then import keeps owners, modes, links, times, xattrs, ACLs and file capabilities"
        [ "$(stat -c %b $M/back/var-sparse)" -lt 1000 ] || fail "a sparse file stays sparse: $(stat -c %b $M/back/var-sparse) blocks"
        # GNU tar reads it too, with everything
        mkdir "$TESTTMP/by-tar"
        tar --xattrs --xattrs-include='*' --acls --numeric-owner -C "$TESTTMP/by-tar" -xf "$TESTTMP/web.tar.xz" || fail "GNU tar extracts the export"
        expect_eq "$(tree_listing "$TESTTMP/by-tar" | grep -E 'usr/bin/(ping|tool) |home/alice ')" "$(tree_listing $M/web | grep -E 'usr/bin/(ping|tool) |home/alice ')" \
                "GNU tar finds the capability, the xattr and the ACL"
        # --format=, and standard output
        ctl -q export-tar --format=gzip web > "$TESTTMP/web.tgz" || fail "export-tar to standard output"
        expect_eq "$(gzip -t "$TESTTMP/web.tgz" && echo gzip)" gzip "--format=gzip"
        ctl -q export-tar web "$TESTTMP/web.tar.zst" && zstd -t -q "$TESTTMP/web.tar.zst" || fail "zstd by suffix"
        out=$(ctl export-tar --format=lzip web x 2>&1); expect_contains "$out" "Unknown format: lzip (uncompressed, xz, gzip, bzip2 or zstd)" "a bad format"
        out=$(ctl export-tar nope "$TESTTMP/x.tar" 2>&1); expect_contains "$out" "No image 'nope' known" "an unknown image"
        out=$(ctl export-tar web /nonexistent/dir/x.tar 2>&1); expect_contains "$out" "Cannot create a file beside /nonexistent/dir/x.tar" "an unwritable target"
        ls -A "$TESTTMP" | grep -q '^\.#' && fail "no temporary file is left: $(ls -A "$TESTTMP")"
        # export-raw and import-raw
        truncate -s 64M $M/disk.raw
        printf 'boot sector' | dd of=$M/disk.raw bs=1 seek=1048576 conv=notrunc status=none
        out=$(ctl export-tar disk x.tar 2>&1); expect_contains "$out" "image 'disk' is a raw image, not a directory tree: export it with export-raw" "export-tar of a raw image"
        out=$(ctl export-raw web x.raw 2>&1); expect_contains "$out" "image 'web' is a directory, not a raw disk image: export it with export-tar" "export-raw of a tree"
        expect_rc 0 ctl -q export-raw disk "$TESTTMP/disk.raw.xz"
        expect_eq "$(xz -dc "$TESTTMP/disk.raw.xz" | cmp - $M/disk.raw && echo same)" same "export-raw: the bytes, compressed"
        expect_rc 0 ctl -q import-raw "$TESTTMP/disk.raw.xz" disk2
        expect_eq "$(cmp $M/disk.raw $M/disk2.raw && echo same)" same "import-raw: the same bytes"
        [ "$(stat -c %b $M/disk2.raw)" -lt 1024 ] || fail "import-raw keeps it sparse: $(stat -c %b $M/disk2.raw) blocks"
        out=$(ctl import-raw "$TESTTMP/disk.raw.xz" 2>&1)
        expect_contains "$out" "an image named 'disk' exists already ($M/disk.raw); --force replaces it" "import-raw: the name from the file, taken"
        printf 'QFI\373' > "$TESTTMP/vm.qcow2"; truncate -s 1M "$TESTTMP/vm.qcow2"
        out=$(ctl import-raw "$TESTTMP/vm.qcow2" 2>&1)
        expect_contains "$out" "this is a qcow2 image, which corral does not convert: convert it with \"qemu-img convert -O raw\"" "qcow2"
        # import-fs
        expect_rc 0 ctl -q import-fs $M/web copied
        expect_eq "$(tree_listing $M/copied)" "$(tree_listing $M/web)" "import-fs copies everything"
        out=$(ctl import-fs "$TESTTMP/web.tar.xz" f 2>&1); expect_contains "$out" "not a directory (import-tar and import-raw take files)" "import-fs of a file"
        # A running container's image is exported as machined exports it, but consistent: the
        # machine is frozen for the copy (a counter stops meanwhile) and thawed after it.
        mkdir -p "$TESTTMP/cnt"
        "$CORRAL" -q -P -M web --bind="$TESTTMP/cnt:/cnt" /bin/sh -c 'while :; do echo x >> /var/busy; echo x >> /cnt/c; done' </dev/null >/dev/null 2>&1 &
        pid=$!
        for _ in $(seq 100); do [ -s "$TESTTMP/cnt/c" ] && ctl list --no-legend | grep -q '^web ' && break; sleep 0.1; done
        out=$(ctl export-tar web "$TESTTMP/busy.tar" 2>&1)
        expect_contains "$out" "Machine 'web' runs on image 'web': frozen for the copy, thawed after it." "a running image is frozen for the export"
        [ -s "$TESTTMP/busy.tar" ] || fail "the export of a running image wrote nothing: $out"
        a=$(wc -l < "$TESTTMP/cnt/c"); sleep 0.3; b=$(wc -l < "$TESTTMP/cnt/c")
        [ "$b" -gt "$a" ] || fail "the machine was not thawed after the export"
        tar -tf "$TESTTMP/busy.tar" | grep -q 'var/busy' || fail "the export lacks the running machine's file"
        ctl terminate web
        wait $pid
        return 0
}

test_pull_with_checksum_boots() {
        mkdir "$TESTTMP/www"
        make_tarball "$TESTTMP/www"
        (cd "$TESTTMP/www" && sha256sum rootfs.tar.xz > SHA256SUMS)
        printf '[Exec]\nEnvironment=PULLED=yes\n' > "$TESTTMP/www/rootfs.nspawn"
        (cd "$TESTTMP/www" && sha256sum rootfs.nspawn >> SHA256SUMS)
        start_http "$TESTTMP/www"
        out=$(ctl pull-tar --verify=checksum "$URL/rootfs.tar.xz" 2>&1) || { stop_http; fail "pull-tar: $out"; }
        expect_contains "$out" "Pulling '$URL/rootfs.tar.xz', saving as 'rootfs'." "the name comes from the URL"
        expect_eq "$(tree_listing $M/rootfs)" "$(tree_listing "$TESTTMP/src")" "the pulled image is the tree"
        expect_eq "$(cat $M/rootfs.nspawn)" "$(printf '[Exec]\nEnvironment=PULLED=yes')" "the settings file beside it is pulled too"
        expect_eq "$(cr -M rootfs --settings=trusted /bin/sh -c 'echo $PULLED')" yes "the pulled image runs, with its settings"
        # A damaged download (or checksum) leaves nothing
        rm -rf $M/rootfs $M/rootfs.nspawn
        (cd "$TESTTMP/www" && if head -c1 SHA256SUMS | grep -q 0; then sed -i '1s/^./f/' SHA256SUMS; else sed -i '1s/^./0/' SHA256SUMS; fi)
        out=$(ctl pull-tar --verify=checksum "$URL/rootfs.tar.xz" 2>&1); rc=$?
        expect_eq "$rc" 1 "a checksum that does not match fails"
        expect_contains "$out" "$URL/rootfs.tar.xz is damaged or not the file SHA256SUMS lists: its SHA-256 is" "and says so"
        nothing_left "a bad checksum"
        rm "$TESTTMP/www/rootfs.nspawn"
        out=$(ctl pull-tar --verify=checksum "$URL/truncated/rootfs.tar.xz" x 2>&1)
        expect_contains "$out" "cannot download $URL/truncated/SHA256SUMS" "a cut-off SHA256SUMS"
        out=$(ctl pull-tar --verify=no "$URL/truncated/rootfs.tar.xz" x 2>&1); rc=$?
        expect_eq "$rc" 1 "an interrupted download fails"
        expect_contains "$out" "cannot download $URL/truncated/rootfs.tar.xz: transfer closed with" "and says so"
        nothing_left "an interrupted download"
        out=$(ctl pull-tar --verify=checksum "$URL/none.tar.xz" 2>&1)
        expect_contains "$out" "SHA256SUMS has no line for none.tar.xz" "a file SHA256SUMS does not list"
        out=$(ctl pull-tar --verify=no "$URL/none.tar.xz" 2>&1)
        expect_contains "$out" "cannot download $URL/none.tar.xz: the server has no such file (HTTP 404)" "a missing file"
        rm "$TESTTMP/www/SHA256SUMS"
        out=$(ctl pull-tar --verify=checksum "$URL/rootfs.tar.xz" 2>&1)
        expect_contains "$out" "the server has no $URL/SHA256SUMS (--verify=no imports without a check)" "no SHA256SUMS"
        nothing_left "no SHA256SUMS"
        out=$(ctl pull-tar "ftp://127.0.0.1/x.tar" 2>&1); expect_contains "$out" "takes an http:// or https:// URL" "other URLs"
        out=$(ctl pull-tar --verify=maybe "$URL/x.tar" 2>&1); expect_contains "$out" "Unknown verification mode: maybe" "a bad --verify="
        # pull-raw
        truncate -s 32M "$TESTTMP/www/disk.raw"; printf 'data' | dd of="$TESTTMP/www/disk.raw" bs=1 seek=4096 conv=notrunc status=none
        gzip -k "$TESTTMP/www/disk.raw"
        (cd "$TESTTMP/www" && sha256sum disk.raw.gz > SHA256SUMS)
        expect_rc 0 ctl -q pull-raw --verify=checksum "$URL/disk.raw.gz"
        expect_eq "$(cmp $M/disk.raw "$TESTTMP/www/disk.raw" && echo same)" same "pull-raw: the image, decompressed"
        stop_http
}

test_pull_with_signature() {
        command -v gpg >/dev/null || skip "gpg is not installed (package gnupg)"
        mkdir "$TESTTMP/www" "$TESTTMP/gpg" && chmod 700 "$TESTTMP/gpg"
        export GNUPGHOME=$TESTTMP/gpg
        gpg -q --batch --passphrase '' --quick-gen-key 'corral test <test@corral.invalid>' ed25519 sign never 2>/dev/null || fail "a test key"
        gpg -q --export > "$TESTTMP/keyring.gpg"
        make_busybox_tree "$TESTTMP/src"
        tar -C "$TESTTMP/src" -czf "$TESTTMP/www/tree.tar.gz" .
        (cd "$TESTTMP/www" && sha256sum tree.tar.gz > SHA256SUMS && gpg -q --batch --detach-sign -o SHA256SUMS.gpg SHA256SUMS)
        gpgconf --kill gpg-agent
        # The keyring where machinectl's is: bound over it in this test's mount namespace.
        [ -e /usr/lib/systemd/import-pubring.gpg ] || skip "no /usr/lib/systemd/import-pubring.gpg to bind the test key over (package systemd-container)"
        mount -t tmpfs tmpfs /usr/lib/systemd
        [ -e /etc/systemd/import-pubring.gpg ] && mount -t tmpfs tmpfs /etc/systemd
        start_http "$TESTTMP/www"
        out=$(ctl pull-tar "$URL/tree.tar.gz" 2>&1)
        expect_contains "$out" "--verify=signature needs a keyring at /etc/systemd/import-pubring.gpg or /usr/lib/systemd/import-pubring.gpg, and there is none" \
                "the default is --verify=signature, and without a keyring it says what to do"
        nothing_left "no keyring"
        umount /usr/lib/systemd
        mount --bind "$TESTTMP/keyring.gpg" /usr/lib/systemd/import-pubring.gpg
        out=$(ctl pull-tar "$URL/tree.tar.gz" 2>&1) || { stop_http; fail "a good signature: $out"; }
        expect_eq "$(cat $M/tree/etc/hostname 2>/dev/null || ls $M/tree | head -3 | tr '\n' ' ')" "$(cat "$TESTTMP/src/etc/hostname" 2>/dev/null || ls "$TESTTMP/src" | head -3 | tr '\n' ' ')" "a signed image is pulled"
        rm -rf $M/tree
        # Another key's signature, and a SHA256SUMS changed after signing
        export GNUPGHOME=$TESTTMP/gpg2; mkdir -m 700 "$GNUPGHOME"
        gpg -q --batch --passphrase '' --quick-gen-key 'someone else <x@corral.invalid>' ed25519 sign never 2>/dev/null
        (cd "$TESTTMP/www" && gpg -q --batch --yes --detach-sign -o SHA256SUMS.gpg SHA256SUMS)
        gpgconf --kill gpg-agent
        out=$(ctl pull-tar "$URL/tree.tar.gz" 2>&1); rc=$?
        expect_eq "$rc" 1 "a signature by a key not in the keyring fails"
        expect_contains "$out" "the signature $URL/SHA256SUMS.gpg is not good for a key of /usr/lib/systemd/import-pubring.gpg" "and says so"
        nothing_left "an unknown key"
        rm "$TESTTMP/www/SHA256SUMS.gpg"
        out=$(ctl pull-tar "$URL/tree.tar.gz" 2>&1)
        expect_contains "$out" "the server has no signature $URL/SHA256SUMS.gpg (--verify=checksum checks the checksum only)" "no signature"
        nothing_left "no signature"
        stop_http
}

test_list_and_cancel_transfers() {
        mkdir "$TESTTMP/www"
        head -c 2000000 /dev/urandom > "$TESTTMP/www/big.raw"
        start_http "$TESTTMP/www"
        expect_eq "$(ctl list-transfers)" "No transfers." "none at first"
        ctl pull-raw --verify=no "$URL/slow/big.raw" slowpoke > "$TESTTMP/out" 2>&1 &
        pid=$!
        for _ in $(seq 100); do ctl list-transfers --no-legend | grep -q '%' && break; sleep 0.1; done
        out=$(ctl list-transfers)
        expect_contains "$out" "ID PERCENT TYPE     LOCAL    REMOTE" "machinectl's columns"
        expect_contains "$(ctl list-transfers --no-legend | tr -s ' ')" "1 " "the transfer's ID"
        expect_contains "$out" "pull-raw slowpoke $URL/slow/big.raw" "its type, name and URL"
        expect_contains "$out" "1 transfers listed." "the footer"
        percent=$(ctl list-transfers --no-legend | awk '{print $2}')
        case $percent in [0-9]%|[1-9][0-9]%) ;; *) fail "a percentage while it runs: $percent" ;; esac
        expect_contains "$(ctl list-transfers --json=short)" '"id":1,"percent":' "JSON, typed"
        expect_contains "$(ctl list-transfers -o json | python3 -c 'import json,sys; print(type(json.load(sys.stdin)[0]["percent"]).__name__)')" "int" "-o json: the percentage a number"
        out=$(ctl cancel-transfer 7 2>&1); expect_contains "$out" "No transfer by id 7" "an unknown ID"
        expect_rc 0 ctl cancel-transfer 1
        wait $pid; expect_eq "$?" 1 "the cancelled pull fails"
        expect_contains "$(cat "$TESTTMP/out")" "pull-raw failed: cancelled; nothing was imported" "and says it was cancelled"
        nothing_left "a cancelled pull"
        expect_eq "$(ctl list-transfers)" "No transfers." "its record is gone"
        # A record whose process is gone is not listed.
        printf 'PID=999999999\nTYPE=pull-tar\nLOCAL=x\nREMOTE=y\nPERCENT=5\n' > /run/corral/transfers/3
        expect_eq "$(ctl list-transfers)" "No transfers." "a dead transfer's record is dropped"
        stop_http
}
