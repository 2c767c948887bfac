/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The machine registry: a running machine is the directory DIR/NAME (DIR is
 * /run/corral/machines) with a state file its supervisor writes once the container runs and
 * removes at its end.  A supervisor killed with SIGKILL leaves a record whose supervisor is
 * gone (its PID and start time tell): readers skip it, and registry_gc() removes it. */
typedef struct MachineRecord {
        char name[256];
        char root[4096];
        char id[33];              /* the machine's UUID, 32 hex digits, as machined */
        char os[64], version[64]; /* ID= and VERSION_ID= of the tree's os-release */
        char cgroup[4096];        /* the container's cgroup2 cgroup (container_cgroup_record()), or "" */
        char service[16];         /* "corral" */
        char class_[16];          /* "container" */
        pid_t leader, supervisor;
        uint64_t supervisor_start; /* field 22 of /proc/SUPERVISOR/stat */
        uint64_t realtime_us, monotonic_us;
        bool boot;
        int kill_signal;     /* the container's --kill-signal */
        int poweroff_signal; /* what corralctl poweroff sends PID 1 */
        /* What a process started in the running machine gets (corralctl shell, login), as the
         * payload got it; the system call filter is the file "seccomp" beside the state. */
        uint64_t caps_bounding, caps_ambient;
        bool no_new_privs;
} MachineRecord;

/* The console socket beside the state, "console" (SOCK_SEQPACKET), where corralctl console
 * attaches: a client's messages start with one of these bytes (then the input, or a struct
 * winsize); the supervisor sends the console's output as it comes. */
#define CONSOLE_MSG_DATA 'd'
#define CONSOLE_MSG_WINSIZE 'w'

/* Writes dir/NAME/state (atomically). */
int registry_write(const char *dir, const MachineRecord *m);
/* Writes dir/NAME/FILE (atomically), a file that lives and goes with the record. */
int registry_write_file(const char *dir, const char *name, const char *file, const void *data, size_t size);
/* Removes the record and every file beside it. */
void registry_remove(const char *dir, const char *name);
/* The live record of name: -ENOENT if there is none (or only a dead supervisor's). */
int registry_read(const char *dir, const char *name, MachineRecord *ret);
/* Every live record, by name. */
int registry_list(const char *dir, MachineRecord **ret, size_t *ret_n);
/* Removes the records of dead supervisors; returns how many. */
int registry_gc(const char *dir);
/* The records whose supervisor is gone (for gc to end what they left running). */
int registry_list_dead(const char *dir, MachineRecord **ret, size_t *ret_n);
bool registry_alive(const MachineRecord *m);
/* Waits up to seconds for the machine's supervisor to end; whether it did. */
bool registry_wait_gone(const MachineRecord *m, unsigned seconds);
/* A pidfd of the machine's leader, taken while its supervisor is alive (so the PID is the
 * machine's, not a reused one), or -ESRCH. */
int registry_pin_leader(const MachineRecord *m);
/* Field 22 of /proc/PID/stat (0 if the process is gone, reaped or not). */
uint64_t pid_start_time(pid_t pid);
/* The machine's IPv4 addresses but loopback, space-separated, from its network namespace
 * (empty when it shares the host's). */
void registry_addresses(const MachineRecord *m, char *buf, size_t size);
