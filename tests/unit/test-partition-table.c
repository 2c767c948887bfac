/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Partition tables as sfdisk writes them (tests/unit/data: the first sectors of a 64 MiB GPT
 * disk with an ESP, an x86-64 root marked read-only, /home and a no-auto Linux partition, and
 * of a 32 MiB MBR disk with one Linux partition), and damaged copies of them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-util.h"
#include "partition-table.h"
#include "tap.h"

static size_t load(const char *name, uint8_t *buf, size_t size)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", DATA_DIR, name);
        FILE *f = fopen(path, "rb");
        if (!f) {
                printf("Bail out! cannot open %s\n", path);
                exit(1);
        }
        size_t n = fread(buf, 1, size, f);
        fclose(f);
        return n;
}

static uint8_t gpt[17408], mbr[512], tmp[17408];
static PartitionTable t;
static const Partition *pick[_PARTITION_MAX];
static const char *why;
static size_t n;

TEST(gpt)
{
        size_t need = 0;
        char u[37];
        n = load("gpt-64M.bin", gpt, sizeof(gpt));
        CHECK(n == sizeof(gpt), "the GPT fixture is read");

        CHECK(partition_table_parse(gpt, n, 64 << 20, 512, &t, &need, &why) == 0 && t.kind == TABLE_GPT && t.n == 4, "GPT: four partitions");
        CHECK(t.p[0].designator == PARTITION_ESP && t.p[0].offset == 2048 * 512 && t.p[0].size == 8 << 20, "the ESP, its offset and size");
        CHECK(t.p[1].designator == PARTITION_ROOT && t.p[1].number == 2 && (t.p[1].flags & GPT_FLAG_READ_ONLY), "the x86-64 root, read-only");
        CHECK_STREQ(t.p[1].label, "root-x86-64", "its label");
        format_uuid(t.p[1].uuid, u);
        CHECK_STREQ(u, "aaaaaaaa-0000-0000-0000-000000000002", "its UUID, GPT's mixed endianness undone");
        CHECK(t.p[2].designator == PARTITION_HOME, "home");
        CHECK(t.p[3].designator == PARTITION_LINUX_GENERIC && (t.p[3].flags & GPT_FLAG_NO_AUTO), "a generic Linux partition, no-auto");
        CHECK(partition_table_pick(&t, pick, &why) == 0 && pick[PARTITION_ROOT] == &t.p[1] && pick[PARTITION_HOME] == &t.p[2] &&
                      pick[PARTITION_ESP] == &t.p[0] && !pick[PARTITION_SRV],
              "pick: root, home and ESP");
}

TEST(damaged_gpt)
{
        size_t need = 0;
        n = load("gpt-64M.bin", gpt, sizeof(gpt));
        CHECK(partition_table_parse(gpt, 1024, 64 << 20, 512, &t, &need, &why) == -ENOBUFS && need == 1024 + 128 * 128,
              "too few bytes: how many are needed");
        memcpy(tmp, gpt, n);
        tmp[512 + 20] ^= 1;
        CHECK(partition_table_parse(tmp, n, 64 << 20, 512, &t, NULL, &why) == -EBADMSG && strstr(why, "header's checksum"), "a damaged header");
        memcpy(tmp, gpt, n);
        tmp[1024 + 40] ^= 1;
        CHECK(partition_table_parse(tmp, n, 64 << 20, 512, &t, NULL, &why) == -EBADMSG && strstr(why, "entries is wrong"), "a damaged entry");
        CHECK(partition_table_parse(gpt, n, 16 << 20, 512, &t, NULL, &why) == -EBADMSG && strstr(why, "outside the disk"),
              "a disk smaller than its table says");
        CHECK(partition_table_parse(gpt, n, 64 << 20, 1000, &t, NULL, &why) == -EBADMSG, "a sector size that is not 512 or 4096");
}

TEST(mbr)
{
        load("mbr-32M.bin", mbr, sizeof(mbr));
        CHECK(partition_table_parse(mbr, sizeof(mbr), 32 << 20, 512, &t, NULL, &why) == 0 && t.kind == TABLE_MBR && t.n == 1, "MBR: one partition");
        CHECK(t.p[0].designator == PARTITION_LINUX_GENERIC && t.p[0].offset == 2048 * 512 && t.p[0].size == 20 << 20, "Linux, its offset and size");
        CHECK(partition_table_pick(&t, pick, &why) == 0 && pick[PARTITION_ROOT] == &t.p[0], "the one Linux partition is the root");
        CHECK(partition_table_parse(mbr, sizeof(mbr), 8 << 20, 512, &t, NULL, &why) == -EBADMSG, "an MBR partition beyond the disk");
}

TEST(no_table)
{
        memset(tmp, 0, 4096);
        CHECK(partition_table_parse(tmp, 4096, 1 << 20, 512, &t, NULL, &why) == 0 && t.kind == TABLE_NONE, "no signature: a plain file system");
        /* FAT's boot sector has the signature too, but no MBR entries. */
        tmp[510] = 0x55, tmp[511] = 0xAA, tmp[446] = 0xEB;
        CHECK(partition_table_parse(tmp, 4096, 1 << 20, 512, &t, NULL, &why) == 0 && t.kind == TABLE_NONE, "a boot sector is no partition table");
}

TEST(two_linux_partitions_and_no_root_type)
{
        load("mbr-32M.bin", mbr, sizeof(mbr));
        /* Two Linux partitions and no root type: which is the root is not guessed. */
        memcpy(tmp, mbr, 512);
        memcpy(tmp + 446 + 16, tmp + 446, 16);
        tmp[446 + 16 + 8] = 0; /* LBA 40960 = 20 MiB */
        tmp[446 + 16 + 9] = 0xA0;
        tmp[446 + 16 + 12] = 0;
        tmp[446 + 16 + 13] = 0x10; /* 4096 sectors */
        tmp[446 + 16 + 14] = 0;
        CHECK(partition_table_parse(tmp, 512, 32 << 20, 512, &t, NULL, &why) == 0 && t.n == 2, "two Linux partitions");
        CHECK(partition_table_pick(&t, pick, &why) == -ENXIO && strstr(why, "several Linux partitions"), "no root is picked, and why");
}

TAP_MAIN
