#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A seccomp agent for the tests (SCMP_ACT_NOTIFY): listens on the unix socket argv[1], appends
# each container process state it receives (runtime-spec's containerProcessState) to argv[2] as
# a line, and answers every notified system call of the listener it got with ENOSPC.
import errno, fcntl, os, socket, struct, sys, threading

RECV = 0xC0502100  # SECCOMP_IOCTL_NOTIF_RECV: _IOWR('!', 0, struct seccomp_notif) (80 bytes)
SEND = 0xC0182101  # SECCOMP_IOCTL_NOTIF_SEND: _IOWR('!', 1, struct seccomp_notif_resp) (24 bytes)


def serve(fd):
    while True:
        notif = bytearray(80)  # zeroed, as the kernel wants it
        try:
            fcntl.ioctl(fd, RECV, notif, True)
        except OSError as e:
            if e.errno == errno.EINTR:
                continue
            os.close(fd)  # ENOENT: the filtered processes are gone
            return
        nid = struct.unpack_from("=Q", notif, 0)[0]
        try:
            fcntl.ioctl(fd, SEND, bytearray(struct.pack("=QqiI", nid, 0, -errno.ENOSPC, 0)), True)
        except OSError:
            pass


path, log = sys.argv[1:3]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(8)
while True:
    conn, _ = srv.accept()
    msg, fds, _, _ = socket.recv_fds(conn, 65536, 4)
    conn.close()
    with open(log, "a") as f:
        f.write(msg.decode() + "\n")
    for fd in fds:
        threading.Thread(target=serve, args=(fd,), daemon=True).start()
