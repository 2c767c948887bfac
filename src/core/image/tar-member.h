/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The names in an archive being imported, which nothing makes trustworthy: each member's path
 * (and a hard link's target) must stay below the image being made.  Pure, so it is
 * unit-tested and fuzzed.  Extraction adds what a name check cannot see: every parent is
 * opened without following a symbolic link, so a link the archive made earlier cannot lead a
 * later member out of the tree.
 *
 * Normalizes path into buf (size bytes): a leading "./" and repeated or trailing slashes go,
 * "." components go; the archive's root ("." or "./") becomes "".  Refused, with the reason in
 * *why: an absolute name, a ".." component, a name that is empty after all, a control
 * character, a component longer than 255 bytes. */
int tar_member_path(const char *path, char *buf, size_t size, const char **why);

/* The same rules for a hard link's target (it names another member; "" is refused). */
int tar_link_target(const char *target, char *buf, size_t size, const char **why);
