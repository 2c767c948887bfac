/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/ioctl.h>
#include <sys/types.h>

#include "credentials.h"
#include "mount-plan.h"
#include "namespaces.h"
#include "net-setup.h"
#include "settings.h"

/* The container's first process: what runs and how (an OCI config's "process"). */
typedef struct ProcessSpec {
        StartMode start_mode;          /* START_BOOT: an init found in the tree gets argv; START_PID2: under the stub init */
        char *const *argv;             /* the command and its arguments (with START_BOOT the init's arguments); NULL: a login shell */
        char *const *environment;      /* the caller's own NAME=VALUE, applied after HOME, USER and LOGNAME */
        const char *user;              /* a name or UID looked up in the tree; NULL: root */
        const char *working_directory; /* NULL: / */
        unsigned long personality;     /* PERSONALITY_INVALID: the host's */
        const struct rlimit *rlimits;  /* [RLIMIT_NLIMITS], where rlimit_set has the bit */
        uint64_t rlimit_set;           /* bit l: rlimits[l] is asked for; RLIMIT_NOFILE's soft limit is 1024 otherwise */
        bool have_oom_score_adjust;
        int oom_score_adjust;
        const CpuSet *cpu_affinity; /* NULL: the supervisor's */
        /* An OCI config's user: these IDs as given, never looked up; the groups are the
         * supplementary ones; the environment is exactly environment[] (HOME added from the
         * tree's passwd, or "/", when it has none); umask as given (0022 when unset). */
        bool oci_process;
        uid_t uid;
        gid_t gid;
        const gid_t *groups;
        size_t n_groups;
        OPTIONAL(mode_t) umask;
        const char *apparmor_profile; /* NULL: none; else the AppArmor profile the exec enters */
} ProcessSpec;

/* Programs of the caller's run at fixed points of the start (an OCI config's hooks). */
typedef struct RunHooks {
        /* In the runtime, once the child's namespaces exist, its maps are written and its file
         * system is built, before its pivot_root (prestart, createRuntime).  pid: the child. */
        int (*created)(void *userdata, pid_t pid, Error *e);
        /* In the child, in the container's namespaces: before its pivot_root (createContainer,
         * before_pivot true) and after the gate opened, before the exec (startContainer).  pid:
         * the child as the runtime sees it. */
        int (*in_container)(void *userdata, bool before_pivot, pid_t pid, Error *e);
        /* In the runtime: the listener of the child's system call filter (RunConfig.
         * seccomp_notify), once installed, for the caller to hand to its agent before the child
         * goes on; the fd is the caller's to close. */
        int (*seccomp_listener)(void *userdata, int fd, pid_t pid, Error *e);
        void *userdata;
} RunHooks;

/* Everything the runtime needs to start one container, worked out by the program from Settings
 * and the host; the apply side (spawn, payload, net-setup, supervisor) reads nothing else, so
 * another front end (an OCI bundle's config) fills the same structure.  container_run()
 * executes it: the spawn sequence and the supervisor loop. */
typedef struct RunConfig {
        ProcessSpec process;
        NetworkSpec network;
        NamespaceSpec namespaces[_NS_KIND_MAX];
        const char *name;
        const char *image;   /* the image directory */
        const char *scratch; /* empty host directory for the child's staging tmpfs */
        const MountPlan *plan;
        char **environment; /* PID 1's environment, without the user's HOME/USER/LOGNAME */
        const char *hostname;
        int kill_signal;
        ConsoleMode console; /* interactive, read-only, passive or pipe */
        bool quiet;
        int cgroup_fd; /* the container's cgroup2 directory, or -1 */
        bool notify_ready;
        CapabilitySets caps_root; /* the payload's capabilities while it is root, and after if its user is root */
        CapabilitySets caps_user; /* and after the change to a user other than root */
        bool no_new_privileges;
        const struct sock_fprog *seccomp;      /* the compiled system call filter */
        bool seccomp_notify;                   /* it has SECCOMP_RET_USER_NOTIF rules: its listener goes to hooks->seccomp_listener */
        struct UsernsPlan *userns;             /* the maps of a new user namespace (namespaces[NS_USER] new), else NULL */
        struct DevicesV1 *devices_v1;          /* the cgroup v1 devices controller's cgroup, if any */
        const struct DeviceRule *device_extra; /* device nodes allowed beyond the defaults */
        size_t n_device_extra;
        size_t n_device_defaults;       /* how many of device_policy_default() apply */
        struct ContainerCgroup *cgroup; /* the supervisor moves the child into its v1 cgroups */
        struct winsize winsize;
        bool have_winsize;
        const char *registry_dir;     /* the machine registry to register in, or NULL (--register=no) */
        struct MachineRecord *record; /* what the supervisor registers, less the PIDs and times */
        off_t console_log_max;        /* > 0: stdout is a detached machine's console log, kept below this size */
        /* The OCI runtime's way: the container outlives the program that made it (no
         * parent-death signal), and before the exec it waits at a gate, a listening socket
         * (SOCK_SEQPACKET) on which the start connects; container_spawn() returns once it
         * waits there.  Errors of the last steps go to the start's connection. */
        bool orphan;
        int gate_fd;                    /* -1: exec at once */
        unsigned long root_propagation; /* MS_* for the container's root after the pivot; 0: a slave, as the namespace's every mount */
        const char *domainname;         /* NULL: left alone */
        const RunHooks *hooks;          /* NULL: none */
        bool new_keyring;               /* a session keyring of its own */
        int preserve_fds;               /* fds 3 to 3+N-1 of the caller stay open across the exec */
} RunConfig;

typedef enum ContainerStatus {
        CONTAINER_TERMINATED,
        CONTAINER_REBOOTED,
} ContainerStatus;

/* Starts the container and supervises it until it ends.  Returns the exit status corral should
 * exit with (>= 0), or a negative errno with e set when it could not be started. */
int container_run(const RunConfig *c, ContainerStatus *ret_status, Error *e);

/* The payload side, run in the container after pivot_root: user, stdio, environment, exec. */
_noreturn_ void payload_exec(const RunConfig *c, int console_peer, int sync_fd, pid_t host_pid);
/* The container never outlives its supervisor: the parent-death signal (SIGKILL), armed again
 * after a change of credentials (the kernel clears it on every change of the effective or
 * file system IDs), and an end right away if the supervisor died before it was armed (its end
 * of sync_fd, held until the exec, has closed). */
void parent_death_arm(int sync_fd);
/* The stub init of --as-pid2: reaps, forwards signals, returns the payload's status. */
_noreturn_ void stub_init(pid_t payload);
/* Sends an error from the child to the supervisor over the sync socket. */
void child_report(int sync_fd, int code, const char *msg);
/* Tells the supervisor the child waits at its gate. */
void child_report_ready(int sync_fd);
/* Hands the listener of the child's filter to the supervisor and waits until it has gone to
 * its agent (the child ends if the supervisor gave up). */
void child_hand_seccomp_listener(int sync_fd, int fd);
/* The start of a container that waits at its gate (RunConfig.gate_fd, bound at path): lets
 * it go on, and waits until it has exec'd its payload, or returns its error (e says why). */
int container_open_gate(const char *path, Error *e);
/* Waits on a socket whose other end a process holds until its exec (payload_exec()'s
 * sync_fd): 0 once it closed at the exec, or the error the process reported.  A filter's
 * listener the process hands over goes to hooks->seccomp_listener (with pid). */
int container_wait_exec(int fd, const RunHooks *hooks, pid_t pid, Error *e);
