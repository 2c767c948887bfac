/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
int probe_fuse(const char *dir);
