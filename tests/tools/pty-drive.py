#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs a command on a new pty and drives it like a person at a terminal.

pty-drive.py TIMEOUT EXPECT SEND [EXPECT SEND]... -- COMMAND...

Waits for each EXPECT in the output, then types SEND ("" sends nothing; \\r, \\n and \\x1d are
understood).  After the last step it reads until the command ends.  Prints the whole output,
then "STATUS N" with the command's exit status; exits 1 if an EXPECT never came."""
import os
import pty
import select
import sys
import time


def main():
    args = sys.argv[1:]
    sep = args.index("--")
    timeout, steps, argv = float(args[0]), args[1:sep], args[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    out, ok = b"", True
    deadline = time.time() + timeout

    def read_some(wait):
        nonlocal out
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            return False
        try:
            data = os.read(fd, 4096)
        except OSError:
            return None
        if not data:
            return None
        out += data
        return True

    for i in range(0, len(steps), 2):
        expect = steps[i].encode()
        send = steps[i + 1].encode().decode("unicode_escape").encode("latin-1") if i + 1 < len(steps) else b""
        while expect not in out:
            got = read_some(max(0.0, deadline - time.time()))
            if not got:
                sys.stdout.write(out.decode(errors="replace"))
                print(f"\nEXPECT FAILED: {steps[i]!r}")
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                sys.exit(1)
        out = out.replace(expect, b"<" + expect + b">", 1)  # each expect matches once
        if send:
            time.sleep(0.05)
            os.write(fd, send)
    while time.time() < deadline and read_some(max(0.0, deadline - time.time())):
        pass
    try:
        _, status = os.waitpid(pid, os.WNOHANG)
        if _ == 0:
            os.kill(pid, 9)
            _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = 0
    sys.stdout.write(out.decode(errors="replace"))
    print(f"\nSTATUS {os.waitstatus_to_exitcode(status)}")


main()
