/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "error.h"
#include "oci-config.h"

/* A container of the OCI runtime on disk: ROOT/ID/ holds state.json (what `state` prints, and
 * what the runtime needs later: the init's start time against PID reuse, the cgroup), a copy of
 * the config it was created from (for the poststop hooks and exec), and, while the container
 * is created but not started, "gate": the socket the init waits on. */

#define OCI_ROOT_DEFAULT "/run/corral-oci"
#define OCI_VERSION "1.0.2"

typedef enum OciStatus {
        OCI_CREATING,
        OCI_CREATED,
        OCI_RUNNING,
        OCI_PAUSED,
        OCI_STOPPED,
        _OCI_STATUS_MAX,
} OciStatus;

const char *oci_status_to_string(OciStatus s);

typedef struct OciState {
        char *id;
        char *bundle;
        char *rootfs;
        char *created;      /* RFC 3339, UTC, with nanoseconds */
        char *cgroup;       /* below each hierarchy's root */
        pid_t pid;          /* 0 while creating */
        uint64_t pid_start; /* the init's start time (/proc/PID/stat), against a reused PID */
        uid_t owner;
        bool creating;
        OciKeyValue *annotations;
        size_t n_annotations;
} OciState;

void oci_state_done(OciState *s);
/* state.json in dirfd, written atomically. */
int oci_state_save(int dirfd, const OciState *s, Error *e);
int oci_state_load(int dirfd, OciState *ret, Error *e);
/* The status now: creating, then by the init: gone (or a zombie, or another process with its
 * PID) is stopped; waiting at its gate is created; frozen is paused; else running. */
OciStatus oci_state_status(int dirfd, const OciState *s);
/* The state as the runtime spec shows it (to `state`, and on the stdin of hooks). */
char *oci_state_json(const OciState *s, OciStatus status, bool pretty);

/* Field 22 of /proc/PID/stat (0: no such process), and whether it is a zombie or dead. */
uint64_t process_start_time(pid_t pid, bool *ret_zombie);
/* "2026-12-04T02:41:48.123456789Z" of now. */
char *oci_now(void);
/* Whether id can name a container: letters, digits and "_+-.", not "." or "..", at most 1024. */
bool oci_id_is_valid(const char *id);
