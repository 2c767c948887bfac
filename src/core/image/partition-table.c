/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "parse-util.h"
#include "partition-table.h"

const char *partition_designator_to_string(PartitionDesignator d)
{
        static const char *const names[_PARTITION_MAX] = {
                "root", "root-verity", "usr", "home", "srv", "var", "tmp", "esp", "xbootldr", "swap", "linux-generic", "other",
        };
        return d < _PARTITION_MAX ? names[d] : "other";
}

/* The specification's type UUIDs, in text form. */
static const struct {
        const char *uuid;
        PartitionDesignator d;
} types[] = {
#if defined(__aarch64__)
        {"b921b045-1df0-41c3-af44-4c6f280d3fae", PARTITION_ROOT}, {"df3300ce-d69f-4c92-978c-9bfb0f38d820", PARTITION_ROOT_VERITY},
        {"b0e01050-ee5f-4390-949a-9101b17104e9", PARTITION_USR},
#else
        {"4f68bce3-e8cd-4db1-96e7-fbcaf984b709", PARTITION_ROOT}, {"2c7357ed-ebd2-46d9-aec1-23d437ec2bf5", PARTITION_ROOT_VERITY},
        {"8484680c-9521-48c6-9c11-b0720656f69e", PARTITION_USR},
#endif
        {"933ac7e1-2eb4-4f13-b844-0e14e2aef915", PARTITION_HOME}, {"3b8f8425-20e0-4f3b-907f-1a25a76f98e8", PARTITION_SRV},
        {"4d21b016-b534-45c2-a9fb-5c16e091fd2d", PARTITION_VAR},  {"7ec6f557-3bc5-4aca-b293-16ef5df639d1", PARTITION_TMP},
        {"c12a7328-f81f-11d2-ba4b-00a0c93ec93b", PARTITION_ESP},  {"bc13c2ff-59e6-4262-a352-b275fd6f7172", PARTITION_XBOOTLDR},
        {"0657fd6d-a4ab-43c4-84e5-0933c84b4f4f", PARTITION_SWAP}, {"0fc63daf-8483-4772-8e79-3d69d8477de4", PARTITION_LINUX_GENERIC},
};

static uint16_t le16(const uint8_t *p)
{
        return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
        return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* CRC-32 (IEEE 802.3, reflected), as GPT uses it. */
static uint32_t crc32(const uint8_t *p, size_t n)
{
        uint32_t c = 0xFFFFFFFFu;
        while (n--) {
                c ^= *p++;
                for (int k = 0; k < 8; k++)
                        c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
        }
        return ~c;
}

/* GPT stores the first three fields little-endian. */
static void guid_to_uuid(const uint8_t g[16], uint8_t u[16])
{
        u[0] = g[3], u[1] = g[2], u[2] = g[1], u[3] = g[0];
        u[4] = g[5], u[5] = g[4];
        u[6] = g[7], u[7] = g[6];
        memcpy(u + 8, g + 8, 8);
}

static PartitionDesignator designator_of(const uint8_t u[16])
{
        char text[37];
        format_uuid(u, text);
        for (size_t k = 0; k < ELEMENTSOF(types); k++)
                if (streq(types[k].uuid, text))
                        return types[k].d;
        return PARTITION_OTHER;
}

/* UTF-16LE (36 units) to UTF-8; a lone surrogate becomes U+FFFD. */
static void label_from_utf16(const uint8_t *p, char *out, size_t size)
{
        size_t o = 0;
        for (size_t k = 0; k < 36; k++) {
                uint32_t c = le16(p + 2 * k);
                if (c == 0)
                        break;
                if (c >= 0xD800 && c <= 0xDBFF && k + 1 < 36) {
                        uint32_t lo = le16(p + 2 * (k + 1));
                        if (lo >= 0xDC00 && lo <= 0xDFFF) {
                                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                                k++;
                        } else
                                c = 0xFFFD;
                } else if (c >= 0xD800 && c <= 0xDFFF)
                        c = 0xFFFD;
                uint8_t b[4];
                size_t n;
                if (c < 0x80)
                        b[0] = (uint8_t)c, n = 1;
                else if (c < 0x800)
                        b[0] = (uint8_t)(0xC0 | c >> 6), b[1] = (uint8_t)(0x80 | (c & 0x3F)), n = 2;
                else if (c < 0x10000)
                        b[0] = (uint8_t)(0xE0 | c >> 12), b[1] = (uint8_t)(0x80 | (c >> 6 & 0x3F)), b[2] = (uint8_t)(0x80 | (c & 0x3F)), n = 3;
                else
                        b[0] = (uint8_t)(0xF0 | c >> 18), b[1] = (uint8_t)(0x80 | (c >> 12 & 0x3F)), b[2] = (uint8_t)(0x80 | (c >> 6 & 0x3F)),
                        b[3] = (uint8_t)(0x80 | (c & 0x3F)), n = 4;
                if (o + n >= size)
                        break;
                memcpy(out + o, b, n);
                o += n;
        }
        out[o] = 0;
}

static int bad(const char **why, const char *reason)
{
        if (why)
                *why = reason;
        return -EBADMSG;
}

static int parse_gpt(const uint8_t *disk, size_t size, uint64_t disk_size, uint32_t sector, PartitionTable *t, size_t *ret_need, const char **why)
{
        const uint8_t *h = disk + sector;
        uint64_t sectors = disk_size / sector;
        if (size < (size_t)sector * 2)
                return bad(why, "the disk is too small for a GPT header");
        if (memcmp(h, "EFI PART", 8) != 0)
                return bad(why, "the protective MBR announces a GPT, but there is no GPT header at sector 1");
        uint32_t header_size = le32(h + 12);
        if (header_size < 92 || header_size > sector)
                return bad(why, "the GPT header has an impossible size");
        uint8_t copy[4096];
        memcpy(copy, h, header_size);
        memset(copy + 16, 0, 4);
        if (crc32(copy, header_size) != le32(h + 16))
                return bad(why, "the GPT header's checksum is wrong");
        uint64_t first = le64(h + 40), last = le64(h + 48), entries_lba = le64(h + 72);
        uint32_t count = le32(h + 80), entry_size = le32(h + 84);
        if (entry_size < 128 || entry_size > 4096 || entry_size % 8 != 0)
                return bad(why, "the GPT header names an impossible partition entry size");
        if (count > 1024)
                return bad(why, "the GPT header names more than 1024 partition entries");
        if (first > last || last >= sectors)
                return bad(why, "the GPT's usable area lies outside the disk");
        if (entries_lba < 2 || entries_lba >= sectors)
                return bad(why, "the GPT's partition entries lie outside the disk");
        uint64_t start = entries_lba * sector, len = (uint64_t)count * entry_size;
        if (start + len > disk_size)
                return bad(why, "the GPT's partition entries lie outside the disk");
        if (start + len > size) {
                if (ret_need)
                        *ret_need = (size_t)(start + len);
                return -ENOBUFS;
        }
        const uint8_t *e = disk + start;
        if (crc32(e, (size_t)len) != le32(h + 88))
                return bad(why, "the checksum of the GPT's partition entries is wrong");
        t->kind = TABLE_GPT;
        for (uint32_t k = 0; k < count; k++, e += entry_size) {
                static const uint8_t zero[16];
                if (memcmp(e, zero, 16) == 0)
                        continue;
                uint64_t a = le64(e + 32), b = le64(e + 40);
                if (a < first || b > last || a > b)
                        return bad(why, "a GPT partition lies outside the disk's usable area");
                if (t->n >= PARTITIONS_MAX)
                        return bad(why, "more partitions than corral takes (128)");
                Partition *p = &t->p[t->n++];
                *p = (Partition){.number = k + 1, .offset = a * sector, .size = (b - a + 1) * sector, .flags = le64(e + 48)};
                guid_to_uuid(e, p->type_uuid);
                guid_to_uuid(e + 16, p->uuid);
                label_from_utf16(e + 56, p->label, sizeof(p->label));
                p->designator = designator_of(p->type_uuid);
        }
        return 0;
}

int partition_table_parse(const uint8_t *disk, size_t size, uint64_t disk_size, uint32_t sector, PartitionTable *ret, size_t *ret_need,
                          const char **why)
{
        ret->kind = TABLE_NONE;
        ret->n = 0;
        if (why)
                *why = NULL;
        if (sector != 512 && sector != 4096)
                return bad(why, "the sector size is neither 512 nor 4096");
        if (size > disk_size)
                size = (size_t)disk_size;
        if (size < 512 || disk[510] != 0x55 || disk[511] != 0xAA)
                return 0;
        const uint8_t *mbr = disk + 446;
        /* A boot sector with the signature may be a file system's (FAT): an MBR's entries have
         * status 0x00 or 0x80. */
        for (int k = 0; k < 4; k++)
                if (mbr[16 * k] != 0 && mbr[16 * k] != 0x80)
                        return 0;
        for (int k = 0; k < 4; k++)
                if (mbr[16 * k + 4] == 0xEE)
                        return parse_gpt(disk, size, disk_size, sector, ret, ret_need, why);
        uint64_t sectors = disk_size / 512;
        for (int k = 0; k < 4; k++) {
                const uint8_t *e = mbr + 16 * k;
                uint8_t type = e[4];
                uint64_t a = le32(e + 8), n = le32(e + 12);
                if (type == 0 || n == 0)
                        continue;
                if (a == 0 || a + n > sectors)
                        return bad(why, "an MBR partition lies outside the disk");
                Partition *p = &ret->p[ret->n++];
                *p = (Partition){.number = (unsigned)k + 1,
                                 .offset = a * 512,
                                 .size = n * 512,
                                 .designator = type == 0x83 ? PARTITION_LINUX_GENERIC : PARTITION_OTHER};
        }
        ret->kind = ret->n > 0 ? TABLE_MBR : TABLE_NONE;
        return 0;
}

int partition_table_pick(const PartitionTable *t, const Partition *ret[_PARTITION_MAX], const char **why)
{
        for (int d = 0; d < _PARTITION_MAX; d++)
                ret[d] = NULL;
        if (why)
                *why = NULL;
        const Partition *generic = NULL;
        size_t n_generic = 0;
        for (size_t k = 0; k < t->n; k++) {
                const Partition *p = &t->p[k];
                if (p->flags & GPT_FLAG_NO_AUTO)
                        continue;
                if (p->designator == PARTITION_LINUX_GENERIC) {
                        generic = generic ? generic : p;
                        n_generic++;
                        continue;
                }
                if (p->designator == PARTITION_OTHER || p->designator == PARTITION_SWAP)
                        continue;
                if (ret[p->designator]) {
                        if (why)
                                *why = p->designator == PARTITION_ROOT ? "the disk has two root partitions for this architecture"
                                                                       : "the disk has two partitions of one kind";
                        return -ENXIO;
                }
                ret[p->designator] = p;
        }
        /* No root of the specification: one Linux partition is the root (an MBR disk, or a GPT
         * disk made by hand), as nspawn takes it. */
        if (!ret[PARTITION_ROOT] && n_generic == 1)
                ret[PARTITION_ROOT] = generic;
        if (!ret[PARTITION_ROOT]) {
                if (why)
                        *why = n_generic > 1
                                       ? "the disk has several Linux partitions and none is marked as the root (give it the root type UUID of the Discoverable Partitions Specification)"
                                       : "the disk has no root partition (a Linux partition, or the root type UUID of the Discoverable Partitions Specification)";
                return -ENXIO;
        }
        return 0;
}
