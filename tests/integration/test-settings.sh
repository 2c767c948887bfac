# SPDX-License-Identifier: LGPL-2.1-or-later
# .nspawn files: where they are found, trust, precedence.

test_trusted_settings_file() {
        make_busybox_tree /var/lib/machines/web
        mkdir -p "$TESTTMP/data"; echo shared > "$TESTTMP/data/f"
        printf '[Exec]\nHostname=from-file\nEnvironment=A=1\n[Files]\nBindReadOnly=%s:/mnt\n' "$TESTTMP/data" > /etc/systemd/nspawn/web.nspawn
        expect_eq "$(cr -M web /bin/sh -c 'hostname; echo $A; cat /mnt/f')" "from-file
1
shared" "trusted file applies, mounts included"
        expect_eq "$(cr -M web --hostname=cmd hostname)" "cmd" "the command line wins"
        expect_eq "$(cr -M web --hostname=cmd --settings=override hostname)" "from-file" "--settings=override"
        expect_eq "$(cr -M web --settings=no hostname)" "web" "--settings=no"
}

# --ephemeral reads the image's NAME.nspawn (found by the image's name, not the random machine
# name it runs as), and with -M NAME NAME's, as nspawn since systemd issue 13297.
test_ephemeral_reads_the_image_settings_file() {
        make_busybox_tree /var/lib/machines/eph
        printf '[Exec]\nEnvironment=FROM=eph\n' > /etc/systemd/nspawn/eph.nspawn
        printf '[Exec]\nEnvironment=FROM=other\n' > /etc/systemd/nspawn/other.nspawn
        local runner
        for runner in cr ns; do
                [ $runner = ns ] && ! have_nspawn && continue
                expect_eq "$($runner -D /var/lib/machines/eph -x /bin/sh -c 'echo $FROM')" "eph" "$runner -x: the image's settings file"
                expect_eq "$($runner -D /var/lib/machines/eph -x -M other /bin/sh -c 'echo $FROM')" "other" "$runner -x -M other: other.nspawn"
        done
        expect_contains "$(cr -D /var/lib/machines/eph -x hostname)" "eph-" "the machine still has a name of its own"
}

# An empty PrivateUsers= takes back what the file said before (systemd's rule for an empty
# assignment): the file is accepted, as nspawn accepts it (252 warns and ignores the value).
test_settings_file_empty_private_users_resets() {
        make_busybox_tree /var/lib/machines/pu
        printf '[Exec]\nPrivateUsers=yes\nPrivateUsers=\n' > /etc/systemd/nspawn/pu.nspawn
        expect_eq "$(cr -M pu cat /proc/self/uid_map | tr -s ' ')" " 0 0 4294967295" "PrivateUsers=yes then empty: no user namespace"
        have_nspawn && { ns -M pu true || fail "nspawn refused the file"; }
        printf '[Exec]\nPrivateUsers=\nPrivateUsers=pick\n' > /etc/systemd/nspawn/pu.nspawn
        expect_eq "$(cr -M pu cat /proc/self/uid_map | tr -s ' ' | cut -d' ' -f4)" "65536" "a value after the empty one applies"
}

test_untrusted_settings_file_beside_image() {
        make_busybox_tree /var/lib/machines/app
        printf '[Exec]\nHostname=beside\n[Files]\nBind=/etc:/hostetc\n' > /var/lib/machines/app.nspawn
        out=$("$CORRAL" -q -P -M app /bin/sh -c 'hostname; ls /hostetc 2>/dev/null | wc -l' 2>"$TESTTMP/err" </dev/null)
        expect_eq "$out" "beside
0" "untrusted file: harmless settings apply, mounts do not"
        expect_contains "$(cat "$TESTTMP/err")" "not trusted" "warning"
        expect_eq "$(cr -M app --settings=trusted /bin/sh -c 'test -f /hostetc/passwd && echo yes')" "yes" "--settings=trusted"
}

test_settings_file_errors() {
        make_busybox_tree /var/lib/machines/bad
        printf '[Exec]\nBoot=perhaps\n' > /etc/systemd/nspawn/bad.nspawn
        out=$("$CORRAL" -P -M bad true 2>&1 </dev/null) && fail "bad file accepted"
        expect_contains "$out" "/etc/systemd/nspawn/bad.nspawn:2: Boot=perhaps" "error names file and line"
        printf '[Exec]\nBoot=no\nFutureKey=1\n' > /etc/systemd/nspawn/bad.nspawn
        out=$("$CORRAL" -P -M bad true 2>&1 </dev/null) || fail "unknown key refused"
        expect_contains "$out" "unknown key FutureKey=" "unknown key warns"
        printf '[Files]\nBindUser=alice\n' > /etc/systemd/nspawn/bad.nspawn
        out=$("$CORRAL" -P -M bad true 2>&1 </dev/null) && fail "BindUser= without a user namespace accepted"
        expect_contains "$out" "--bind-user= requires --private-users" "BindUser= needs -U, as nspawn"
}

test_settings_file_parsed_like_nspawn() {
        make_busybox_tree /var/lib/machines/same
        printf '[Exec]\nParameters=/bin/echo "two  words" \\\n  one\nEnvironment="X=a b" Y=c\nWorkingDirectory=/etc\n' > /etc/systemd/nspawn/same.nspawn
        got=$(cr -M same)
        expect_eq "$got" "two  words one" "Parameters= with quotes and continuation"
        # systemd-nspawn 252 ignores Parameters= unless the file also sets Boot= or ProcessTwo=
        # (it then starts a shell); corral applies it.  Listed in docs/compat.md.
}
