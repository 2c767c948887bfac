/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

typedef struct EscapeProbe {
        const char *name;
        int (*run)(void);
} EscapeProbe;

extern const EscapeProbe escape_probes[];
