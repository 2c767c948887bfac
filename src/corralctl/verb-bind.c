/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bind: a host path mounted into a running machine (core/machine-bind.c). */
#include <stdio.h>

#include "corralctl.h"
#include "machine-bind.h"

int verb_bind(const Args *a, int argc, char **argv)
{
        MachineRecord m;
        Error e = {0};
        const char *src = argv[2], *dst = argc > 3 ? argv[3] : argv[2];
        if (find_machine(a, argv[1], &m) < 0)
                return 1;
        if (machine_bind(&m, src, dst, a->read_only, a->mkdir, &e) < 0) {
                fprintf(stderr, "Failed to bind mount %s into machine '%s': %s\n", src, m.name, e.msg);
                return 1;
        }
        return 0;
}
