/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: a raw disk image's partition table (untrusted: the image is any file the
 * user gives to -i), read as the disk's first bytes, with the disk's size and sector size
 * taken from the input's first bytes. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "partition-table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static PartitionTable t;
        const Partition *pick[_PARTITION_MAX];
        const char *why;
        size_t need = 0;
        /* As seen from a 64 MiB disk, and from one the input's length says. */
        uint64_t sizes[] = {64 << 20, size, (uint64_t)size * 7};
        for (size_t k = 0; k < 3; k++)
                for (uint32_t sector = 512; sector <= 4096; sector *= 8) {
                        int r = partition_table_parse(data, size, sizes[k], sector, &t, &need, &why);
                        if (r == -ENOBUFS && need <= size)
                                __builtin_trap();
                        if (r == -EBADMSG && !why)
                                __builtin_trap();
                        if (r < 0)
                                continue;
                        for (size_t i = 0; i < t.n; i++)
                                if (t.p[i].offset + t.p[i].size > sizes[k] || strlen(t.p[i].label) >= sizeof(t.p[i].label))
                                        __builtin_trap();
                        if (partition_table_pick(&t, pick, &why) == 0 && !pick[PARTITION_ROOT])
                                __builtin_trap();
                }
        return 0;
}
