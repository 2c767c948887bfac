#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""clang's static analyzer over corral's programs and libraries (src/), file by file in
parallel, from a clang build directory's compile_commands.json.  Prints each finding with the
path the analyzer took, and fails on any finding that tests/static/analyzer-known.txt does not
list, or on a listed one that no longer occurs (so the list stays true).

Two checker families stay off, for reasons of clang 14 (Debian 12's):
  unix.Malloc          does not model __attribute__((cleanup)), so every _cleanup_free_ looks
                       like a leak (67 such reports, all false); ASan and the fuzzers check
                       memory at run time instead.
  deadcode.DeadStores  style only ("if ((r = f()) < 0 || (r = g()) < 0) goto fail;").
"""
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys

builddir, srcdir = sys.argv[1], os.path.realpath(sys.argv[2])
known_file = os.path.join(srcdir, 'tests/static/analyzer-known.txt')
known = {}
for line in open(known_file):
    line = line.rstrip('\n')
    if line and not line.startswith('#'):
        key, _, why = line.partition('  # ')
        known[key.strip()] = why

jobs = []
for e in json.load(open(os.path.join(builddir, 'compile_commands.json'))):
    f = os.path.realpath(os.path.join(e['directory'], e['file']))
    if not f.startswith(srcdir + '/src/') or not f.endswith('.c'):
        continue
    args, out, skip = shlex.split(e['command']), [], False
    for a in args[1:]:
        if skip:
            skip = False
        elif a in ('-o', '-MF', '-MQ'):
            skip = True
        elif a not in ('-MD', '-c'):
            out.append(a)
    cmd = ['clang', '--analyze', '-o', '/dev/null', '-Xanalyzer', '-analyzer-output=text',
           '-Xanalyzer', '-analyzer-disable-checker=unix.Malloc,deadcode.DeadStores'] + out
    jobs.append((f, cmd, e['directory']))
# Each source once (a file compiled twice, as for the musl build, is analyzed once).
jobs = list({f: (f, c, d) for f, c, d in jobs}.values())


def run(job):
    f, cmd, d = job
    p = subprocess.run(cmd, cwd=d, capture_output=True, text=True)
    return f, p.returncode, p.stderr


found, reports, failed = set(), [], []
with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
    for f, code, err in ex.map(run, jobs):
        err = re.sub(r'\x1b\[[0-9;]*m', '', err)
        if code != 0:
            # A file the analyzer could not compile (a stale build directory, a missing
            # header) is not a file without findings.
            failed.append(os.path.relpath(f, srcdir))
            print(err.rstrip())
        block = None
        for line in err.splitlines():
            m = re.match(r'(\S+?):(\d+):\d+: (warning|error): (.*)$', line)
            if m:
                path = os.path.relpath(os.path.realpath(os.path.join(builddir, m.group(1))), srcdir)
                key = '%s: %s' % (path, m.group(4))
                found.add(key)
                block = [key, line]
                reports.append(block)
            elif block is not None:
                block.append(line)

new = sorted(k for k in found if k not in known)
gone = sorted(k for k in known if k not in found)
for b in reports:
    if b[0] in new:
        print('\n'.join(b[1:]))
print('analyzed %d files: %d findings, %d of them reviewed in %s' % (len(jobs), len(found), len(found) - len(new),
                                                                   os.path.relpath(known_file, srcdir)))
for k in new:
    print('new finding: ' + k)
for k in gone:
    print('listed but no longer found (remove it from the list): ' + k)
for f in failed:
    print('not analyzed (clang failed): ' + f)
sys.exit(1 if new or gone or failed else 0)
