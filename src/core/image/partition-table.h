/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The partition table of a raw disk image, read the way nspawn's image dissection reads it:
 * GPT with the Discoverable Partitions Specification's type UUIDs, or an MBR disk whose one
 * Linux partition (type 0x83) is the root.  Pure: the disk's first bytes in, a list out, so it
 * is unit-tested and fuzzed; the image comes from a file the user gave, and nothing in it is
 * trusted (sizes, counts, offsets and checksums are checked). */

typedef enum PartitionDesignator {
        PARTITION_ROOT, /* the native architecture's root (x86-64, or aarch64 on aarch64) */
        PARTITION_ROOT_VERITY,
        PARTITION_USR,
        PARTITION_HOME,
        PARTITION_SRV,
        PARTITION_VAR,
        PARTITION_TMP,
        PARTITION_ESP,
        PARTITION_XBOOTLDR,
        PARTITION_SWAP,
        PARTITION_LINUX_GENERIC, /* "Linux filesystem data", or MBR type 0x83 */
        PARTITION_OTHER,
        _PARTITION_MAX,
} PartitionDesignator;

const char *partition_designator_to_string(PartitionDesignator d);

/* GPT attribute bits of the specification. */
#define GPT_FLAG_NO_AUTO (UINT64_C(1) << 63)
#define GPT_FLAG_READ_ONLY (UINT64_C(1) << 60)
#define GPT_FLAG_GROWFS (UINT64_C(1) << 59)

typedef struct Partition {
        PartitionDesignator designator;
        unsigned number;                 /* 1-based, as the kernel numbers partitions */
        uint64_t offset, size;           /* bytes */
        uint64_t flags;                  /* GPT attributes; 0 for MBR */
        uint8_t type_uuid[16], uuid[16]; /* as in the UUID's text form; zero for MBR */
        char label[72];                  /* UTF-8, from GPT's UTF-16 name */
} Partition;

#define PARTITIONS_MAX 128

typedef enum PartitionTableKind { TABLE_NONE, TABLE_MBR, TABLE_GPT } PartitionTableKind;

typedef struct PartitionTable {
        PartitionTableKind kind;
        size_t n;
        Partition p[PARTITIONS_MAX];
} PartitionTable;

/* disk: the image's first size bytes (at least the header and, for GPT, its entries);
 * disk_size: the whole image's size; sector: 512 or 4096.  0 and kind TABLE_NONE when there is
 * no table (a plain file system); -EBADMSG with a reason in why for a damaged table;
 * -ENOBUFS with *ret_need set when size is too small for the entries the header names. */
int partition_table_parse(const uint8_t *disk, size_t size, uint64_t disk_size, uint32_t sector, PartitionTable *ret, size_t *ret_need,
                          const char **why);

/* The partitions nspawn would mount, by designator: root (or, on MBR, the one Linux partition),
 * and home, srv, var, tmp, ESP.  -ENXIO with a reason when there is no root, or two of one kind
 * (the specification wants the first, but two roots are a mistake worth naming). */
int partition_table_pick(const PartitionTable *t, const Partition *ret[_PARTITION_MAX], const char **why);
