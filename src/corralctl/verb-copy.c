/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* copy-to and copy-from: files between the host and a running machine, safe against links in
 * the machine (core/machine-copy.c). */
#include <stdio.h>
#include <stdlib.h>

#include "corralctl.h"
#include "machine-copy.h"

static int copy_verb(const Args *a, int argc, char **argv, bool to_machine)
{
        MachineRecord m;
        Error e = {0};
        const char *src = argv[2], *dst = argc > 3 ? argv[3] : argv[2];
        if (find_machine(a, argv[1], &m) < 0)
                return 1;
        int r = to_machine ? machine_copy_to(&m, src, dst, a->force, &e) : machine_copy_from(&m, src, dst, a->force, &e);
        if (r < 0) {
                fprintf(stderr, "Failed to copy %s %s machine '%s': %s\n", src, to_machine ? "into" : "out of", m.name, e.msg);
                return 1;
        }
        return 0;
}

int verb_copy_to(const Args *a, int argc, char **argv)
{
        return copy_verb(a, argc, argv, true);
}

int verb_copy_from(const Args *a, int argc, char **argv)
{
        return copy_verb(a, argc, argv, false);
}
