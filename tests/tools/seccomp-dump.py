#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""seccomp-dump.py PID: reads the seccomp filters of a running process (PTRACE_SECCOMP_GET_FILTER)
and prints, for every x86-64 and i386 system call number the kernel headers know, the action
the filters return for it with all arguments 0: one "NAME ACTION" line per call (i386 ones as
"i386:NAME"), then numbers past the tables, x32 calls and i386's socketcall() and ipc() for
each call they multiplex, and a few argument checks; ACTION being "allow" or
"errno:N" (or "kill", "trap", "log", "trace:N", "notify").  This lets a test compare the
effective filter of two container managers without trusting either one's own description.
Needs root (CAP_SYS_ADMIN) and a process that may be ptraced."""
import ctypes, os, struct, sys

PTRACE_SEIZE, PTRACE_INTERRUPT, PTRACE_DETACH, PTRACE_GET_FILTER = 0x4206, 0x4207, 17, 0x420C
AUDIT_ARCH_X86_64, AUDIT_ARCH_I386 = 0xC000003E, 0x40000003
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long


def syscall_names(abi="64"):
    """Number -> name from the kernel headers (asm/unistd_64.h or unistd_32.h)."""
    names = {}
    for path in ("/usr/include/x86_64-linux-gnu/asm/unistd_%s.h" % abi, "/usr/include/asm/unistd_%s.h" % abi):
        if os.path.exists(path):
            for line in open(path):
                p = line.split()
                if len(p) == 3 and p[0] == "#define" and p[1].startswith("__NR_"):
                    names[int(p[2])] = p[1][5:]
            return names
    sys.exit("seccomp-dump: no asm/unistd_%s.h (install linux-libc-dev)" % abi)


def get_filters(pid):
    if libc.ptrace(PTRACE_SEIZE, pid, None, None) < 0:
        sys.exit("seccomp-dump: PTRACE_SEIZE %d: %s" % (pid, os.strerror(ctypes.get_errno())))
    libc.ptrace(PTRACE_INTERRUPT, pid, None, None)
    os.waitpid(pid, os.__dict__.get("WALL", 0x40000000))
    progs = []
    try:
        for i in range(64):
            n = libc.ptrace(PTRACE_GET_FILTER, pid, ctypes.c_void_p(i), None)
            if n < 0:
                break
            buf = ctypes.create_string_buffer(8 * n)
            libc.ptrace(PTRACE_GET_FILTER, pid, ctypes.c_void_p(i), buf)
            progs.append([struct.unpack_from("<HBBI", buf.raw, 8 * k) for k in range(n)])
    finally:
        libc.ptrace(PTRACE_DETACH, pid, None, None)
    return progs


def run(prog, data):
    """A classic BPF interpreter for what seccomp filters use."""
    A = X = 0
    mem = [0] * 16
    pc = 0
    while True:
        code, jt, jf, k = prog[pc]
        cls = code & 0x07
        if cls == 0x00:  # LD
            mode = code & 0xE0
            if mode == 0x20:    # ABS
                A = struct.unpack_from("<I", data, k)[0]
            elif mode == 0x00:  # IMM
                A = k
            elif mode == 0x60:  # MEM
                A = mem[k]
            else:
                raise ValueError("ld mode %#x" % code)
        elif cls == 0x01:  # LDX
            mode = code & 0xE0
            X = k if mode == 0x00 else mem[k] if mode == 0x60 else (_ for _ in ()).throw(ValueError("ldx %#x" % code))
        elif cls == 0x02:
            mem[k] = A
        elif cls == 0x03:
            mem[k] = X
        elif cls == 0x04:  # ALU
            op, src = code & 0xF0, (X if code & 0x08 else k)
            A = {0x00: A + src, 0x10: A - src, 0x20: A * src, 0x50: A & src, 0x40: A | src, 0xA0: A ^ src,
                 0x60: A << src, 0x70: A >> src, 0x80: -A}.get(op, None)
            if A is None:
                raise ValueError("alu %#x" % code)
            A &= 0xFFFFFFFF
        elif cls == 0x05:  # JMP
            op, src = code & 0xF0, (X if code & 0x08 else k)
            if op == 0x00:
                pc += k
            else:
                cond = {0x10: A == src, 0x20: A > src, 0x30: A >= src, 0x40: (A & src) != 0}[op]
                pc += jt if cond else jf
        elif cls == 0x06:  # RET
            return A if code & 0x10 else k
        elif cls == 0x07:  # MISC
            if code & 0xF8 == 0x00:
                X = A
            else:
                A = X
        pc += 1


def action(ret):
    act, val = ret & 0xFFFF0000, ret & 0xFFFF
    return {0x7FFF0000: "allow", 0x7FFC0000: "log", 0x00050000: "errno:%d" % val, 0x00030000: "trap",
            0x7FF00000: "trace:%d" % val, 0x7FC00000: "notify"}.get(act, "kill")


def main():
    progs = get_filters(int(sys.argv[1]))
    order = ["kill", "trap", "errno", "notify", "trace", "log", "allow"]  # the kernel takes the first in this order

    def verdict(nr, arch=AUDIT_ARCH_X86_64, args=(0, 0, 0, 0, 0, 0)):
        data = struct.pack("<IIQ6Q", nr & 0xFFFFFFFF, arch, 0, *args)
        results = [action(run(p, data)) for p in progs] or ["allow"]
        return min(results, key=lambda a: order.index(a.split(":")[0]))

    for nr, name in sorted(syscall_names().items()):
        print(name, verdict(nr))
    for nr, name in sorted(syscall_names("32").items()):
        print("i386:" + name, verdict(nr, AUDIT_ARCH_I386))
    # Past the tables, x32 (the 0x40000000 bit), -1, and an architecture neither filter lists.
    for label, nr, arch in [("nr:1000", 1000, AUDIT_ARCH_X86_64), ("nr:0x3fffffff", 0x3FFFFFFF, AUDIT_ARCH_X86_64),
                            ("x32:read", 0x40000000, AUDIT_ARCH_X86_64), ("x32:ioctl", 0x40000000 | 514, AUDIT_ARCH_X86_64),
                            ("nr:-1", -1, AUDIT_ARCH_X86_64), ("i386:nr:1000", 1000, AUDIT_ARCH_I386),
                            ("i386:nr:-1", -1, AUDIT_ARCH_I386), ("arm:read", 3, 0x40000028)]:
        print(label, verdict(nr, arch))
    # i386's multiplexers, for each call number in their first argument.
    for call in range(0, 22):
        print("i386:socketcall:%d" % call, verdict(102, AUDIT_ARCH_I386, (call, 0, 0, 0, 0, 0)))
    for call in range(0, 26):
        print("i386:ipc:%d" % call, verdict(117, AUDIT_ARCH_I386, (call, 0, 0, 0, 0, 0)))
    # ioctl(fd, TIOCSTI) with the command in the low 32 bits, and with high bits set, which the
    # kernel ignores (a filter comparing 64 bits would let the second through).
    # open(2) family with O_SYNC (0x101000) and O_DSYNC (0x1000), for --suppress-sync.
    cases = [("ioctl:TIOCSTI", 16, 1, 0x5412), ("ioctl:TIOCSTI|high", 16, 1, 0x5412 | (1 << 32)),
             ("ioctl:TIOCLINUX", 16, 1, 0x541C), ("open:O_SYNC", 2, 1, 0x101000), ("open:O_DSYNC", 2, 1, 0x1000),
             ("openat:O_SYNC", 257, 2, 0x101000), ("creat", 85, 1, 0)]
    for label, nr, argn, value in cases:
        args = [0] * 6
        args[argn] = value
        print(label, verdict(nr, AUDIT_ARCH_X86_64, args))
    # socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT), and other netlink and inet sockets.
    for label, args in [("netlink-audit", (16, 3, 9)), ("netlink-route", (16, 3, 0)), ("inet", (2, 1, 9))]:
        print("socket:" + label, verdict(41, AUDIT_ARCH_X86_64, args + (0, 0, 0)))
        print("i386:socket:" + label, verdict(359, AUDIT_ARCH_I386, args + (0, 0, 0)))
    for label, nr, argn, value in [("i386:ioctl:TIOCSTI", 54, 1, 0x5412), ("i386:open:O_SYNC", 5, 1, 0x101000),
                                   ("i386:openat:O_DSYNC", 295, 2, 0x1000)]:
        args = [0] * 6
        args[argn] = value
        print(label, verdict(nr, AUDIT_ARCH_I386, args))

main()
