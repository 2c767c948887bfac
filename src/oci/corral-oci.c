/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-oci: the OCI runtime command line (runc's), for podman, containerd and Docker.  Each
 * verb is a function; the container's state lives in ROOT/ID (oci-state.h); a container is
 * started by the same spawn sequence as corral's, planned from its config.json (oci-plan.h).
 * `create` leaves the container's init waiting at its gate and ends, so the caller's
 * subreaper (conmon, the containerd shim) is the init's parent. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "capability.h"
#include "cgroup.h"
#include "exec-limits.h"
#include "container.h"
#include "device-policy.h"
#include "fs-util.h"
#include "log.h"
#include "oci-config.h"
#include "oci-hooks.h"
#include "oci-nspawn.h"
#include "oci-plan.h"
#include "oci-state.h"
#include "parse-util.h"
#include "seccomp.h"
#include "spawn.h"
#include "strv.h"
#include "terminal.h"

typedef struct Context {
        const char *root;
        bool systemd_cgroup;
} Context;

typedef struct Verb {
        const char *name;
        int (*fn)(Context *ctx, int argc, char **argv);
        const char *usage;
} Verb;

static int fail(const Error *e, int r)
{
        if (e->msg[0])
                log_error("%s", e->msg);
        else
                log_error("%s", strerror(-r));
        return EXIT_FAILURE;
}

/* Options of a verb, in runc's style: "--name value", "--name=value" or "-name value". */
static int verb_options(int argc, char **argv, const struct option *opts, const char *shorts, int (*fn)(int c, const char *arg, void *data),
                        void *data)
{
        int c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long_only(argc, argv, shorts, opts, NULL)) >= 0) {
                if (c == '?' || c == ':') {
                        log_error("%s: unknown option or missing value: %s", argv[0], argv[optind - 1]);
                        return -EINVAL;
                }
                int r = fn(c, optarg, data);
                if (r < 0)
                        return r;
        }
        return optind;
}

/* The container's directory, locked: -ENOENT with e saying "does not exist". */
static int open_container(Context *ctx, const char *id, bool lock, int *ret, Error *e)
{
        if (!oci_id_is_valid(id))
                return error_set(e, -EINVAL, "invalid container id \"%s\"", id);
        _cleanup_free_ char *dir = path_join(ctx->root, id);
        if (!dir)
                return -ENOMEM;
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return error_set(e, -ENOENT, "container \"%s\" does not exist", id);
                return error_set_errno(e, negative_errno(), "cannot open %s", dir);
        }
        if (lock && flock(fd, LOCK_EX) < 0) {
                int r = negative_errno();
                close(fd);
                return error_set_errno(e, r, "cannot lock %s", dir);
        }
        *ret = fd;
        return 0;
}

static int load(Context *ctx, const char *id, bool lock, int *ret_fd, OciState *ret, Error *e)
{
        int fd, r = open_container(ctx, id, lock, &fd, e);
        if (r < 0)
                return r;
        if ((r = oci_state_load(fd, ret, e)) < 0) {
                close(fd);
                if (r == -ENOENT)
                        return error_set(e, -ENOENT, "container \"%s\" does not exist", id);
                return r;
        }
        *ret_fd = fd;
        return 0;
}

/* The config the container was created from (a copy in its directory). */
static int load_config(int dirfd, OciConfig *ret, Error *e)
{
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        _cleanup_close_ int fd = openat(dirfd, "config.json", O_RDONLY | O_CLOEXEC);
        int r = fd < 0 ? negative_errno() : read_full_fd(fd, &text, &size);
        if (r < 0)
                return error_set_errno(e, r, "cannot read the container's copy of config.json");
        return oci_config_parse(text, size, ret, e);
}

/* The pid file: the PID alone, no newline, written whole (a reader never sees half of it). */
static int write_pid_file(const char *path, pid_t pid, Error *e)
{
        char buf[16];
        int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
        int r = write_file_atomic_at(AT_FDCWD, path, buf, (size_t)n, 0644);
        if (r < 0)
                return error_set_errno(e, r, "cannot write the pid file %s", path);
        return 0;
}

/* Hands the pty master to the caller's console socket, as runc: SCM_RIGHTS with its name. */
static int send_console(const char *socket_path, int master, Error *e)
{
        _cleanup_close_ int fd = unix_socket_connect(socket_path, SOCK_STREAM);
        int r;
        if (fd < 0)
                return error_set_errno(e, fd, "cannot connect to the console socket %s", socket_path);
        if ((r = send_with_fd(fd, "/dev/ptmx", strlen("/dev/ptmx"), master)) < 0)
                return error_set_errno(e, r, "cannot send the console to %s", socket_path);
        return 0;
}

/* SCMP_ACT_NOTIFY: the filter's listener to the agent at linux.seccomp.listenerPath, with the
 * container's process state (runtime-spec's containerProcessState: the fd's name, the pid,
 * listenerMetadata and the container's state), as runc sends it. */
static int send_to_seccomp_agent(const OciConfig *c, const OciState *s, OciStatus status, int listener, pid_t pid, Error *e)
{
        const char *path = c->seccomp.listener_path;
        _cleanup_close_ int fd = unix_socket_connect(path, SOCK_STREAM);
        int r;
        if (fd < 0)
                return error_set_errno(e, fd, "cannot connect to the seccomp agent at %s (linux.seccomp.listenerPath)", path);
        _cleanup_free_ char *state = oci_state_json(s, status, false);
        json_object *o = json_object_new_object(), *fds = json_object_new_array(), *st = state ? json_tokener_parse(state) : NULL;
        json_object_object_add(o, "ociVersion", json_object_new_string("1.0.2"));
        json_object_array_add(fds, json_object_new_string("seccompFd"));
        json_object_object_add(o, "fds", fds);
        json_object_object_add(o, "pid", json_object_new_int(pid));
        if (c->seccomp.listener_metadata)
                json_object_object_add(o, "metadata", json_object_new_string(c->seccomp.listener_metadata));
        json_object_object_add(o, "state", st);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        r = st ? send_with_fd(fd, text, strlen(text), listener) : -ENOMEM;
        json_object_put(o);
        if (r < 0)
                return error_set_errno(e, r, "cannot send the seccomp listener to the agent at %s", path);
        return 0;
}

/* The gate: a listening socket in the container's directory. */
static int make_gate(int dirfd, int *ret, Error *e)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return error_set_errno(e, negative_errno(), "cannot create the container's gate");
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/gate", dirfd);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
                return error_set_errno(e, negative_errno(), "cannot create the container's gate");
        *ret = TAKE_FD(fd);
        return 0;
}

/* The hooks that run during create, with the state as it is then. */
typedef struct HookContext {
        const OciConfig *config;
        OciState *state;
        OciStatus status; /* for the seccomp agent: creating, or an exec's container's */
} HookContext;

static int hooks_created(void *userdata, pid_t pid, Error *e)
{
        HookContext *h = userdata;
        h->state->pid = pid;
        _cleanup_free_ char *json = oci_state_json(h->state, OCI_CREATING, false);
        int r;
        if (!json)
                return -ENOMEM;
        if ((r = oci_hooks_run(h->config, OCI_HOOK_PRESTART, json, e)) < 0 || (r = oci_hooks_run(h->config, OCI_HOOK_CREATE_RUNTIME, json, e)) < 0)
                return r;
        return 0;
}

static int hooks_in_container(void *userdata, bool before_pivot, pid_t pid, Error *e)
{
        HookContext *h = userdata;
        h->state->pid = pid;
        _cleanup_free_ char *json = oci_state_json(h->state, before_pivot ? OCI_CREATING : OCI_CREATED, false);
        if (!json)
                return -ENOMEM;
        return oci_hooks_run(h->config, before_pivot ? OCI_HOOK_CREATE_CONTAINER : OCI_HOOK_START_CONTAINER, json, e);
}

static int hooks_seccomp_listener(void *userdata, int fd, pid_t pid, Error *e)
{
        HookContext *h = userdata;
        return send_to_seccomp_agent(h->config, h->state, h->status, fd, pid, e);
}

static void remove_container_dir(Context *ctx, const char *id)
{
        _cleanup_free_ char *dir = path_join(ctx->root, id);
        _cleanup_close_ int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (fd < 0)
                return;
        static const char *const files[] = {"state.json", "state.json.tmp", "config.json", "gate"};
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                (void)unlinkat(fd, files[i], 0);
        (void)unlinkat(fd, "scratch", AT_REMOVEDIR);
        (void)rmdir(dir);
}

/* --preserve-fds N. */
static int parse_preserve_fds(const char *arg, int *ret)
{
        unsigned long n;
        if (parse_unsigned(arg, &n) < 0 || n > 65536) {
                log_error("--preserve-fds=%s: not a number of file descriptors", arg);
                return -EINVAL;
        }
        *ret = (int)n;
        return 0;
}

typedef struct CreateArgs {
        const char *bundle, *pid_file, *console_socket;
        bool no_new_keyring, detach;
        int preserve_fds;
} CreateArgs;

static int create_option(int c, const char *arg, void *data)
{
        CreateArgs *a = data;
        switch (c) {
        case 'b':
                a->bundle = arg;
                break;
        case 'p':
                a->pid_file = arg;
                break;
        case 'c':
                a->console_socket = arg;
                break;
        case 'k':
                a->no_new_keyring = true;
                break;
        case 'd':
                a->detach = true;
                break;
        case 'f':
                return parse_preserve_fds(arg, &a->preserve_fds);
        case 'n':
                break; /* --no-pivot: corral always pivots (a ramfs root is not supported) */
        case 'h':
                return -ECANCELED;
        }
        return 0;
}

static const struct option create_options[] = {
        {"bundle", required_argument, NULL, 'b'},
        {"pid-file", required_argument, NULL, 'p'},
        {"console-socket", required_argument, NULL, 'c'},
        {"no-new-keyring", no_argument, NULL, 'k'},
        {"preserve-fds", required_argument, NULL, 'f'},
        {"no-pivot", no_argument, NULL, 'n'},
        {"detach", no_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

/* Creates the container; *ret_pid and *ret_pidfd get its init (ret_pidfd NULL: not kept). */
static int do_create(Context *ctx, const char *id, const CreateArgs *a, pid_t *ret_pid, int *ret_pidfd, int *ret_master, Error *e)
{
        _cleanup_free_ char *bundle = NULL, *text = NULL, *cgroup = NULL, *dir = NULL, *scratch = NULL;
        OciConfig config = {0};
        OciRun run = OCI_RUN_NULL;
        OciState state = {0};
        Spawned sp = {.pid = 0, .pidfd = -1, .console_master = -1, .console_peer = -1, .notify_fd = -1};
        int dirfd = -1, gate = -1, r;
        size_t size;
        bool made = false;
        HookContext hc;
        RunHooks hooks;

        if (!oci_id_is_valid(id))
                return error_set(e, -EINVAL, "invalid container id \"%s\": use letters, digits and _+-.", id);
        if (!(bundle = realpath(a->bundle ? a->bundle : ".", NULL)))
                return error_set_errno(e, -errno, "the bundle %s", a->bundle ? a->bundle : ".");
        _cleanup_free_ char *config_path = path_join(bundle, "config.json");
        if (!config_path)
                return -ENOMEM;
        if ((r = read_full_file(config_path, &text, &size)) < 0)
                return error_set_errno(e, r, "cannot read %s", config_path);
        if ((r = mkdir_p(ctx->root, 0700)) < 0)
                return error_set_errno(e, r, "cannot create the state directory %s", ctx->root);
        if ((r = oci_config_parse(text, size, &config, e)) < 0)
                return r;
        if (config.resources.memory_kernel.set)
                log_warning("linux.resources.memory.kernel: written to memory.kmem.limit_in_bytes, which Linux 6.1 and later ignore");
        /* A terminal goes to the console socket, or to run, which relays it (not detached). */
        if (config.process.terminal && !a->console_socket && (!ret_master || a->detach)) {
                r = error_set(e, -EINVAL, "process.terminal is true: --console-socket is needed to hand the terminal over%s",
                              ret_master ? " (run --detach does not stay to relay it)" : "");
                goto out;
        }

        if (!(dir = path_join(ctx->root, id)) || !(scratch = path_join(dir, "scratch"))) {
                r = -ENOMEM;
                goto out;
        }
        if (mkdir(dir, 0711) < 0) {
                r = errno == EEXIST ? error_set(e, -EEXIST, "container \"%s\" exists already", id)
                                    : error_set_errno(e, negative_errno(), "cannot create %s", dir);
                goto out;
        }
        made = true;
        if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || flock(dirfd, LOCK_EX) < 0 || mkdir(scratch, 0700) < 0) {
                r = error_set_errno(e, negative_errno(), "cannot set up %s", dir);
                goto out;
        }
        if ((r = write_file_at(dirfd, "config.json", text, size, 0600)) < 0) {
                r = error_set_errno(e, r, "cannot keep a copy of config.json in %s", dir);
                goto out;
        }
        if ((r = oci_cgroup_path(config.cgroups_path, ctx->systemd_cgroup, id, &cgroup, e)) < 0)
                goto out;
        state = (OciState){
                .id = strdup(id),
                .bundle = strdup(bundle),
                .rootfs = path_is_absolute(config.root_path) ? strdup(config.root_path) : path_join(bundle, config.root_path),
                .created = oci_now(),
                .cgroup = strdup(cgroup),
                .owner = getuid(),
                .creating = true,
        };
        if (!state.id || !state.bundle || !state.rootfs || !state.created || !state.cgroup) {
                r = -ENOMEM;
                goto out;
        }
        if (config.n_annotations) {
                state.annotations = calloc(config.n_annotations, sizeof(OciKeyValue));
                for (size_t i = 0; state.annotations && i < config.n_annotations; i++) {
                        state.annotations[i].key = strdup(config.annotations[i].key);
                        state.annotations[i].value = strdup(config.annotations[i].value);
                        state.n_annotations++;
                }
        }
        if ((r = oci_state_save(dirfd, &state, e)) < 0)
                goto out;
        if ((r = oci_run_prepare(&config, bundle, id, cgroup, scratch, &run, e)) < 0)
                goto out;
        if ((r = make_gate(dirfd, &gate, e)) < 0)
                goto out;
        hc = (HookContext){.config = &config, .state = &state, .status = OCI_CREATING};
        hooks = (RunHooks){.created = hooks_created, .in_container = hooks_in_container, .seccomp_listener = hooks_seccomp_listener, .userdata = &hc};
        run.run.gate_fd = gate;
        run.run.hooks = &hooks;
        run.run.new_keyring = !a->no_new_keyring;
        run.run.preserve_fds = a->preserve_fds;
        if ((r = container_spawn(&run.run, &sp, e)) < 0)
                goto out;
        closep(&gate);
        closep(&sp.console_peer);
        if (sp.console_master >= 0 && a->console_socket && (r = send_console(a->console_socket, sp.console_master, e)) < 0)
                goto kill;
        if (sp.console_master >= 0 && !a->console_socket && ret_master)
                *ret_master = TAKE_FD(sp.console_master);
        closep(&sp.console_master);
        state.pid = sp.pid;
        state.pid_start = process_start_time(sp.pid, NULL);
        state.creating = false;
        if ((r = oci_state_save(dirfd, &state, e)) < 0)
                goto kill;
        if (a->pid_file && (r = write_pid_file(a->pid_file, sp.pid, e)) < 0)
                goto kill;
        *ret_pid = sp.pid;
        if (ret_pidfd)
                *ret_pidfd = TAKE_FD(sp.pidfd);
        r = 0;
        made = false;
        goto out;
kill:
        kill(sp.pid, SIGKILL);
        (void)waitpid(sp.pid, NULL, 0);
out:
        closep(&sp.pidfd);
        closep(&sp.console_master);
        closep(&sp.console_peer);
        closep(&gate);
        oci_run_done(&run, made);
        if (made)
                remove_container_dir(ctx, id);
        /* The init has our directory's fd until its exec: the lock goes explicitly. */
        if (dirfd >= 0)
                (void)flock(dirfd, LOCK_UN);
        closep(&dirfd);
        oci_state_done(&state);
        oci_config_done(&config);
        return r;
}

static int verb_create(Context *ctx, int argc, char **argv)
{
        CreateArgs a = {0};
        Error e = {0};
        pid_t pid;
        int k = verb_options(argc, argv, create_options, "+b:", create_option, &a);
        if (k < 0)
                return EXIT_FAILURE;
        if (k != argc - 1) {
                log_error("create: exactly one container id is needed");
                return EXIT_FAILURE;
        }
        int r = do_create(ctx, argv[k], &a, &pid, NULL, NULL, &e);
        return r < 0 ? fail(&e, r) : EXIT_SUCCESS;
}

/* Poststart hooks: their failure is a warning (the container runs). */
static void run_poststart(int dirfd, OciState *s)
{
        OciConfig c = {0};
        Error e = {0};
        if (load_config(dirfd, &c, &e) < 0)
                return;
        if (c.hooks[OCI_HOOK_POSTSTART].n) {
                _cleanup_free_ char *json = oci_state_json(s, OCI_RUNNING, false);
                if (json && oci_hooks_run(&c, OCI_HOOK_POSTSTART, json, &e) < 0)
                        log_warning("%s", e.msg);
        }
        oci_config_done(&c);
}

static int do_start(Context *ctx, const char *id, Error *e)
{
        OciState s;
        _cleanup_free_ char *dir = path_join(ctx->root, id), *gate = dir ? path_join(dir, "gate") : NULL;
        if (!gate)
                return -ENOMEM;
        int dirfd, r = load(ctx, id, true, &dirfd, &s, e);
        if (r < 0)
                return r;
        OciStatus st = oci_state_status(dirfd, &s);
        if (st != OCI_CREATED) {
                r = error_set(e, -EINVAL, "cannot start container \"%s\": it is %s, not created", id, oci_status_to_string(st));
                goto out;
        }
        r = container_open_gate(gate, e);
        (void)unlinkat(dirfd, "gate", 0);
        if (r >= 0)
                run_poststart(dirfd, &s);
out:
        close(dirfd);
        oci_state_done(&s);
        return r;
}

static int verb_start(Context *ctx, int argc, char **argv)
{
        Error e = {0};
        if (argc != 2) {
                log_error("start: exactly one container id is needed");
                return EXIT_FAILURE;
        }
        int r = do_start(ctx, argv[1], &e);
        return r < 0 ? fail(&e, r) : EXIT_SUCCESS;
}

static int verb_state(Context *ctx, int argc, char **argv)
{
        Error e = {0};
        OciState s;
        int dirfd;
        if (argc != 2) {
                log_error("state: exactly one container id is needed");
                return EXIT_FAILURE;
        }
        int r = load(ctx, argv[1], false, &dirfd, &s, &e);
        if (r < 0)
                return fail(&e, r);
        _cleanup_free_ char *json = oci_state_json(&s, oci_state_status(dirfd, &s), true);
        close(dirfd);
        oci_state_done(&s);
        if (!json)
                return fail(&e, -ENOMEM);
        printf("%s\n", json);
        return EXIT_SUCCESS;
}

static int open_cgroup(const OciState *s, ContainerCgroup *cg, Error *e)
{
        return container_cgroup_open_at(s->cgroup, cg, e);
}

typedef struct KillArgs {
        bool all;
} KillArgs;

static int kill_option(int c, const char *arg, void *data)
{
        if (c == 'a')
                ((KillArgs *)data)->all = true;
        return c == 'h' ? -ECANCELED : 0;
}

static int verb_kill(Context *ctx, int argc, char **argv)
{
        static const struct option opts[] = {{"all", no_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
        KillArgs a = {0};
        Error e = {0};
        OciState s;
        int dirfd, sig = SIGTERM;
        int k = verb_options(argc, argv, opts, "+a", kill_option, &a);
        if (k < 0)
                return EXIT_FAILURE;
        if (k != argc - 1 && k != argc - 2) {
                log_error("kill: usage: kill [--all] ID [SIGNAL]");
                return EXIT_FAILURE;
        }
        if (k == argc - 2 && parse_signal(argv[k + 1], &sig) < 0) {
                log_error("kill: \"%s\" is not a signal", argv[k + 1]);
                return EXIT_FAILURE;
        }
        int r = load(ctx, argv[k], false, &dirfd, &s, &e);
        if (r < 0)
                return fail(&e, r);
        OciStatus st = oci_state_status(dirfd, &s);
        if (st == OCI_STOPPED || st == OCI_CREATING) {
                r = error_set(&e, -ESRCH, "container \"%s\" is not running (it is %s)", s.id, oci_status_to_string(st));
        } else if (a.all) {
                ContainerCgroup cg;
                if ((r = open_cgroup(&s, &cg, &e)) >= 0) {
                        container_cgroup_signal(&cg, sig);
                        if (st == OCI_PAUSED && sig == SIGKILL)
                                (void)container_cgroup_freeze(&cg, false, NULL);
                        container_cgroup_done(&cg);
                }
        } else {
                /* Through a pidfd, checked against the init's start time: never another process that got its PID. */
                int pidfd = (int)syscall(SYS_pidfd_open, s.pid, 0);
                if (pidfd < 0 || process_start_time(s.pid, NULL) != s.pid_start)
                        r = error_set(&e, -ESRCH, "container \"%s\" is not running", s.id);
                else if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
                        r = error_set_errno(&e, negative_errno(), "cannot send signal %d to container \"%s\"", sig, s.id);
                if (pidfd >= 0)
                        close(pidfd);
        }
        close(dirfd);
        oci_state_done(&s);
        return r < 0 ? fail(&e, r) : EXIT_SUCCESS;
}

/* Waits (bounded) until the init has gone. */
static void wait_gone(const OciState *s)
{
        int pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
        if (pidfd < 0)
                return;
        if (process_start_time(s->pid, NULL) == s->pid_start) {
                struct pollfd p = {.fd = pidfd, .events = POLLIN};
                (void)poll(&p, 1, 10000);
        }
        close(pidfd);
}

/* Everything of a container goes: its processes, its cgroup, its directory; then the
 * poststop hooks. */
static int destroy(Context *ctx, int dirfd, OciState *s, OciStatus st, Error *e)
{
        ContainerCgroup cg;
        OciConfig c = {0};
        Error he = {0};
        bool have_config = load_config(dirfd, &c, &he) >= 0;
        if (open_cgroup(s, &cg, e) >= 0) {
                if (st != OCI_STOPPED) {
                        container_cgroup_signal(&cg, SIGKILL);
                        if (st == OCI_PAUSED)
                                (void)container_cgroup_freeze(&cg, false, NULL);
                }
                if (st != OCI_STOPPED && s->pid > 0 && process_start_time(s->pid, NULL) == s->pid_start)
                        kill(s->pid, SIGKILL);
                wait_gone(s);
                container_cgroup_remove(&cg);
                device_policy_v1_remove_at(s->cgroup, cg.keep);
                container_cgroup_done(&cg);
        }
        if (have_config && c.hooks[OCI_HOOK_POSTSTOP].n) {
                _cleanup_free_ char *json = oci_state_json(s, OCI_STOPPED, false);
                if (json && oci_hooks_run(&c, OCI_HOOK_POSTSTOP, json, &he) < 0)
                        log_warning("%s", he.msg);
        }
        oci_config_done(&c);
        remove_container_dir(ctx, s->id);
        return 0;
}

static int delete_option(int c, const char *arg, void *data)
{
        if (c == 'f')
                *(bool *)data = true;
        return c == 'h' ? -ECANCELED : 0;
}

static int do_delete(Context *ctx, const char *id, bool force, Error *e)
{
        OciState s;
        int dirfd, r = load(ctx, id, true, &dirfd, &s, e);
        if (r == -ENOENT && force) {
                *e = (Error){0};
                if (oci_id_is_valid(id))
                        remove_container_dir(ctx, id); /* an aborted create's leftovers */
                return 0;
        }
        if (r < 0) {
                if (r == -EBADMSG && force && oci_id_is_valid(id)) {
                        remove_container_dir(ctx, id);
                        return 0;
                }
                return r;
        }
        OciStatus st = oci_state_status(dirfd, &s);
        if ((st == OCI_RUNNING || st == OCI_PAUSED || st == OCI_CREATING) && !force)
                r = error_set(e, -EBUSY, "cannot delete container \"%s\" that is not stopped: %s", id, oci_status_to_string(st));
        else
                r = destroy(ctx, dirfd, &s, st, e);
        close(dirfd);
        oci_state_done(&s);
        return r;
}

static int verb_delete(Context *ctx, int argc, char **argv)
{
        static const struct option opts[] = {{"force", no_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
        bool force = false;
        Error e = {0};
        int k = verb_options(argc, argv, opts, "+f", delete_option, &force);
        if (k < 0)
                return EXIT_FAILURE;
        if (k != argc - 1) {
                log_error("delete: exactly one container id is needed");
                return EXIT_FAILURE;
        }
        int r = do_delete(ctx, argv[k], force, &e);
        return r < 0 ? fail(&e, r) : EXIT_SUCCESS;
}

/* The signals run and exec pass on to what they wait for. */
static void forwarded_signals(sigset_t *ret)
{
        static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
        sigemptyset(ret);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(ret, forwarded[i]);
}

/* Waits for the process of pidfd, forwarding the signals of fwd to it; with a pty master, relays
 * it to our stdin and stdout (our terminal raw meanwhile, its size passed on).  Returns the
 * exit status as a shell has it. */
static int wait_relaying(int pidfd, int master, const sigset_t *fwd)
{
        RawTerminal term = {.fd = -1};
        struct winsize ws;
        int sfd = signalfd(-1, fwd, SFD_CLOEXEC), status = EXIT_FAILURE;
        bool in_open = master >= 0;
        if (master >= 0 && isatty(STDIN_FILENO))
                terminal_make_raw(&term, STDIN_FILENO);
        for (;;) {
                struct pollfd p[4] = {{.fd = pidfd, .events = POLLIN},
                                      {.fd = sfd, .events = POLLIN},
                                      {.fd = master, .events = POLLIN},
                                      {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN}};
                if (poll(p, 4, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (p[1].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                                if (si.ssi_signo == SIGWINCH && master >= 0) {
                                        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                                                (void)ioctl(master, TIOCSWINSZ, &ws);
                                } else
                                        (void)syscall(SYS_pidfd_send_signal, pidfd, (int)si.ssi_signo, NULL, 0);
                        }
                }
                char buf[4096];
                if (p[2].revents & (POLLIN | POLLHUP)) {
                        ssize_t n = read(master, buf, sizeof(buf));
                        if (n > 0)
                                (void)write_all(STDOUT_FILENO, buf, (size_t)n);
                }
                if (p[3].revents & (POLLIN | POLLHUP)) {
                        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
                        if (n > 0)
                                (void)write_all(master, buf, (size_t)n);
                        else
                                in_open = false; /* EOF: the container keeps its terminal */
                }
                if (p[0].revents & POLLIN) {
                        siginfo_t si = {0};
                        if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) == 0)
                                status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
                        /* What the container wrote last is still in the pty (a process it left
                         * behind may hold the other end: no waiting for it). */
                        if (master >= 0)
                                (void)fcntl(master, F_SETFL, O_NONBLOCK);
                        for (ssize_t n; master >= 0 && (n = read(master, buf, sizeof(buf))) > 0;)
                                (void)write_all(STDOUT_FILENO, buf, (size_t)n);
                        break;
                }
        }
        terminal_restore(&term);
        if (sfd >= 0)
                close(sfd);
        return status;
}

/* run: create, start, wait for the init (forwarding signals to it, relaying its terminal),
 * delete. */
static int verb_run(Context *ctx, int argc, char **argv)
{
        CreateArgs a = {0};
        Error e = {0};
        pid_t pid;
        int pidfd = -1, status = EXIT_FAILURE;
        int k = verb_options(argc, argv, create_options, "+b:d", create_option, &a);
        if (k < 0)
                return EXIT_FAILURE;
        if (k != argc - 1) {
                log_error("run: exactly one container id is needed");
                return EXIT_FAILURE;
        }
        const char *id = argv[k];
        /* Signals for the container are taken from now on: none may end us between the create
         * and the wait. */
        sigset_t fwd;
        forwarded_signals(&fwd);
        sigprocmask(SIG_BLOCK, &fwd, NULL);
        int master = -1;
        int r = do_create(ctx, id, &a, &pid, &pidfd, &master, &e);
        if (r < 0)
                return fail(&e, r);
        /* Our terminal's size before the container runs: a program that asks at once (stty
         * size) must not find 0x0. */
        struct winsize ws;
        if (master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                (void)ioctl(master, TIOCSWINSZ, &ws);
        if ((r = do_start(ctx, id, &e)) < 0) {
                Error de = {0};
                (void)do_delete(ctx, id, true, &de);
                close(pidfd);
                return fail(&e, r);
        }
        if (a.detach) {
                close(pidfd);
                return EXIT_SUCCESS;
        }
        status = wait_relaying(pidfd, master, &fwd);
        closep(&master);
        close(pidfd);
        Error de = {0};
        if ((r = do_delete(ctx, id, true, &de)) < 0)
                log_warning("%s", de.msg);
        return status;
}

static int verb_pause_resume(Context *ctx, int argc, char **argv, bool pause)
{
        Error e = {0};
        OciState s;
        int dirfd;
        if (argc != 2) {
                log_error("%s: exactly one container id is needed", argv[0]);
                return EXIT_FAILURE;
        }
        int r = load(ctx, argv[1], true, &dirfd, &s, &e);
        if (r < 0)
                return fail(&e, r);
        OciStatus st = oci_state_status(dirfd, &s);
        if (pause && st != OCI_RUNNING && st != OCI_CREATED)
                r = error_set(&e, -EINVAL, "cannot pause container \"%s\": it is %s", s.id, oci_status_to_string(st));
        else if (!pause && st != OCI_PAUSED)
                r = error_set(&e, -EINVAL, "cannot resume container \"%s\": it is %s, not paused", s.id, oci_status_to_string(st));
        else {
                ContainerCgroup cg;
                if ((r = open_cgroup(&s, &cg, &e)) >= 0) {
                        r = container_cgroup_freeze(&cg, pause, &e);
                        container_cgroup_done(&cg);
                }
        }
        close(dirfd);
        oci_state_done(&s);
        return r < 0 ? fail(&e, r) : EXIT_SUCCESS;
}

static int verb_pause(Context *ctx, int argc, char **argv)
{
        return verb_pause_resume(ctx, argc, argv, true);
}

static int verb_resume(Context *ctx, int argc, char **argv)
{
        return verb_pause_resume(ctx, argc, argv, false);
}

static int format_option(int c, const char *arg, void *data)
{
        if (c == 'f') {
                if (!streq(arg, "json") && !streq(arg, "table")) {
                        log_error("--format=%s: table or json", arg);
                        return -EINVAL;
                }
                *(bool *)data = streq(arg, "json");
        }
        if (c == 'q')
                *(bool *)data = false;
        return c == 'h' ? -ECANCELED : 0;
}

static const struct option format_options[] = {
        {"format", required_argument, NULL, 'f'}, {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};

static int verb_ps(Context *ctx, int argc, char **argv)
{
        bool json = false;
        Error e = {0};
        OciState s;
        int dirfd;
        int k = verb_options(argc, argv, format_options, "+f:", format_option, &json);
        if (k < 0)
                return EXIT_FAILURE;
        if (k >= argc) {
                log_error("ps: a container id is needed");
                return EXIT_FAILURE;
        }
        int r = load(ctx, argv[k], false, &dirfd, &s, &e);
        if (r < 0)
                return fail(&e, r);
        close(dirfd);
        ContainerCgroup cg;
        pid_t *pids = NULL;
        size_t n = 0;
        if ((r = open_cgroup(&s, &cg, &e)) >= 0) {
                r = container_cgroup_pids(&cg, &pids, &n);
                container_cgroup_done(&cg);
                if (r == -ENOENT)
                        r = 0, n = 0;
        }
        oci_state_done(&s);
        if (r < 0) {
                free(pids);
                return fail(&e, r);
        }
        if (json) {
                printf("[");
                for (size_t i = 0; i < n; i++)
                        printf("%s%d", i ? "," : "", (int)pids[i]);
                printf("]\n");
                free(pids);
                return EXIT_SUCCESS;
        }
        /* The table: ps(1) with the caller's options (-ef by default), its lines of these PIDs. */
        char **ps_argv = calloc((size_t)(argc - k) + 2, sizeof(char *));
        if (!ps_argv) {
                free(pids);
                return fail(&e, -ENOMEM);
        }
        ps_argv[0] = (char *)"ps";
        size_t m = 1;
        for (int i = k + 1; i < argc; i++)
                ps_argv[m++] = argv[i];
        if (m == 1)
                ps_argv[m++] = (char *)"-ef";
        int out[2];
        if (pipe2(out, O_CLOEXEC) < 0) {
                free(pids);
                free(ps_argv);
                return fail(&e, negative_errno());
        }
        pid_t child = fork();
        if (child == 0) {
                dup2(out[1], STDOUT_FILENO);
                execvp("ps", ps_argv);
                _exit(127);
        }
        close(out[1]);
        free(ps_argv);
        FILE *f = fdopen(out[0], "r");
        char line[4096];
        int pid_column = -1;
        for (bool header = true; f && fgets(line, sizeof(line), f); header = false) {
                char copy[4096], *save = NULL;
                snprintf(copy, sizeof(copy), "%s", line);
                int col = 0;
                if (header) {
                        for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save), col++)
                                if (streq(w, "PID"))
                                        pid_column = col;
                        fputs(line, stdout);
                        continue;
                }
                for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save), col++)
                        if (col == pid_column) {
                                int p = atoi(w);
                                for (size_t i = 0; i < n; i++)
                                        if (pids[i] == p)
                                                fputs(line, stdout);
                        }
        }
        if (f)
                fclose(f);
        int st;
        (void)waitpid(child, &st, 0);
        free(pids);
        if (pid_column < 0) {
                log_error("ps: ps(1) printed no PID column");
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}

static int verb_list(Context *ctx, int argc, char **argv)
{
        bool json = false;
        int k = verb_options(argc, argv, format_options, "+f:q", format_option, &json);
        if (k < 0)
                return EXIT_FAILURE;
        DIR *d = opendir(ctx->root);
        json_object *array = json_object_new_array();
        if (!json)
                printf("%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
        for (struct dirent *de; d && (de = readdir(d));) {
                if (de->d_name[0] == '.' || !oci_id_is_valid(de->d_name))
                        continue;
                Error e = {0};
                OciState s;
                int dirfd;
                if (load(ctx, de->d_name, false, &dirfd, &s, &e) < 0)
                        continue;
                OciStatus st = oci_state_status(dirfd, &s);
                close(dirfd);
                if (json) {
                        _cleanup_free_ char *text = oci_state_json(&s, st, false);
                        json_object *o = text ? json_tokener_parse(text) : NULL;
                        if (o)
                                json_object_array_add(array, o);
                } else
                        printf("%-20s %-8d %-10s %-40s %-31s %s\n", s.id, st == OCI_STOPPED ? 0 : (int)s.pid, oci_status_to_string(st), s.bundle,
                               s.created, s.owner == 0 ? "root" : "");
                oci_state_done(&s);
        }
        if (d)
                closedir(d);
        if (json)
                printf("%s\n", json_object_to_json_string_ext(array, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(array);
        return EXIT_SUCCESS;
}

typedef struct UpdateArgs {
        const char *resources;
        OciResources flags;
        bool any_flag;
} UpdateArgs;

static int update_option(int c, const char *arg, void *data)
{
        UpdateArgs *a = data;
        OciResources *r = &a->flags;
        int64_t v;
        if (c == 'h')
                return -ECANCELED;
        if (c == 'r') {
                a->resources = arg;
                return 0;
        }
        if (c == 'C' || c == 'M') {
                char **t = c == 'C' ? &r->cpu_cpus : &r->cpu_mems;
                free(*t);
                *t = strdup(arg);
                a->any_flag = true;
                return *t ? 0 : -ENOMEM;
        }
        uint64_t size;
        if (IN_SET(c, 'm', 'w', 'v') && size_parse(arg, 1024, &size) >= 0)
                v = (int64_t)size;
        else if (streq(arg, "-1"))
                v = -1;
        else {
                long long x;
                char *end;
                errno = 0;
                x = strtoll(arg, &end, 10);
                if (errno || *end || end == arg) {
                        log_error("update: \"%s\" is not a number", arg);
                        return -EINVAL;
                }
                v = x;
        }
        a->any_flag = true;
        switch (c) {
        case 'm':
                OPTIONAL_SET(r->memory_limit, v);
                break;
        case 'v':
                OPTIONAL_SET(r->memory_reservation, v);
                break;
        case 'w':
                OPTIONAL_SET(r->memory_swap, v);
                break;
        case 'p':
                OPTIONAL_SET(r->pids_limit, v <= 0 ? -1 : v);
                break;
        case 's':
                OPTIONAL_SET(r->cpu_shares, (uint64_t)v);
                break;
        case 'q':
                OPTIONAL_SET(r->cpu_quota, v);
                break;
        case 'P':
                OPTIONAL_SET(r->cpu_period, (uint64_t)v);
                break;
        case 'b':
                OPTIONAL_SET(r->blkio_weight, (uint16_t)v);
                break;
        }
        return 0;
}

static int update_translate(void *userdata, const CgroupLayout *layout, CgroupWrite **ret, size_t *ret_n, unsigned *ret_need, Error *e)
{
        return oci_resources_translate(userdata, layout, ret, ret_n, ret_need, e);
}

static int verb_update(Context *ctx, int argc, char **argv)
{
        static const struct option opts[] = {
                {"resources", required_argument, NULL, 'r'},
                {"memory", required_argument, NULL, 'm'},
                {"memory-reservation", required_argument, NULL, 'v'},
                {"memory-swap", required_argument, NULL, 'w'},
                {"pids-limit", required_argument, NULL, 'p'},
                {"cpu-shares", required_argument, NULL, 's'},
                {"cpu-quota", required_argument, NULL, 'q'},
                {"cpu-period", required_argument, NULL, 'P'},
                {"cpuset-cpus", required_argument, NULL, 'C'},
                {"cpuset-mems", required_argument, NULL, 'M'},
                {"blkio-weight", required_argument, NULL, 'b'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        UpdateArgs a = {0};
        Error e = {0};
        OciResources res = {0};
        OciState s;
        int dirfd, r;
        int k = verb_options(argc, argv, opts, "+r:", update_option, &a);
        if (k < 0 || k != argc - 1) {
                if (k >= 0)
                        log_error("update: exactly one container id is needed");
                oci_resources_done(&a.flags);
                return EXIT_FAILURE;
        }
        if (a.resources) {
                _cleanup_free_ char *text = NULL;
                size_t size;
                r = streq(a.resources, "-") ? read_full_fd(STDIN_FILENO, &text, &size) : read_full_file(a.resources, &text, &size);
                if (r < 0) {
                        oci_resources_done(&a.flags);
                        return fail(&e, error_set_errno(&e, r, "cannot read %s", a.resources));
                }
                if ((r = oci_resources_parse(text, size, &res, &e)) < 0) {
                        oci_resources_done(&a.flags);
                        return fail(&e, r);
                }
        }
        if (a.any_flag) {
                /* Flags win over the file's values. */
                OciResources *f = &a.flags;
#define TAKE(x)                       \
        do {                          \
                if (f->x.set)         \
                        res.x = f->x; \
        } while (0)
                TAKE(memory_limit);
                TAKE(memory_reservation);
                TAKE(memory_swap);
                TAKE(pids_limit);
                TAKE(cpu_shares);
                TAKE(cpu_quota);
                TAKE(cpu_period);
                TAKE(blkio_weight);
#undef TAKE
                if (f->cpu_cpus) {
                        free(res.cpu_cpus);
                        res.cpu_cpus = TAKE_PTR(f->cpu_cpus);
                }
                if (f->cpu_mems) {
                        free(res.cpu_mems);
                        res.cpu_mems = TAKE_PTR(f->cpu_mems);
                }
        }
        oci_resources_done(&a.flags);
        if ((r = load(ctx, argv[k], true, &dirfd, &s, &e)) < 0) {
                oci_resources_done(&res);
                return fail(&e, r);
        }
        OciStatus st = oci_state_status(dirfd, &s);
        if (st == OCI_STOPPED)
                r = error_set(&e, -ESRCH, "container \"%s\" is not running", s.id);
        else {
                ContainerCgroup cg;
                CgroupWrite *w = NULL;
                size_t n = 0;
                unsigned need = 0;
                if ((r = open_cgroup(&s, &cg, &e)) >= 0) {
                        if ((r = update_translate(&res, &cg.layout, &w, &n, &need, &e)) >= 0)
                                r = container_cgroup_write(&cg, w, n, need, &e);
                        free(w);
                        container_cgroup_done(&cg);
                }
        }
        close(dirfd);
        oci_state_done(&s);
        oci_resources_done(&res);
        return r < 0 ? fail(&e, r) : EXIT_SUCCESS;
}

static const char default_spec[] =
        "{\n"
        "\t\"ociVersion\": \"" OCI_VERSION "\",\n"
        "\t\"process\": {\n"
        "\t\t\"terminal\": true,\n"
        "\t\t\"user\": {\"uid\": 0, \"gid\": 0},\n"
        "\t\t\"args\": [\"sh\"],\n"
        "\t\t\"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", \"TERM=xterm\"],\n"
        "\t\t\"cwd\": \"/\",\n"
        "\t\t\"capabilities\": {\n"
        "\t\t\t\"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
        "\t\t\t\"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
        "\t\t\t\"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
        "\t\t\t\"ambient\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
        "\t\t},\n"
        "\t\t\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],\n"
        "\t\t\"noNewPrivileges\": true\n"
        "\t},\n"
        "\t\"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
        "\t\"hostname\": \"corral\",\n"
        "\t\"mounts\": [\n"
        "\t\t{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
        "\t\t{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
        "\t\t{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\"]},\n"
        "\t\t{\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
        "\t\t{\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
        "\t\t{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n"
        "\t\t{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}\n"
        "\t],\n"
        "\t\"linux\": {\n"
        "\t\t\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},\n"
        "\t\t\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"}],\n"
        "\t\t\"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\", \"/proc/timer_list\", "
        "\"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],\n"
        "\t\t\"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"]\n"
        "\t}\n"
        "}\n";

static int spec_option(int c, const char *arg, void *data)
{
        if (c == 'b')
                *(const char **)data = arg;
        return c == 'h' ? -ECANCELED : 0;
}

static int verb_spec(Context *ctx, int argc, char **argv)
{
        static const struct option opts[] = {
                {"bundle", required_argument, NULL, 'b'}, {"rootless", no_argument, NULL, 'r'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
        const char *bundle = ".";
        Error e = {0};
        int k = verb_options(argc, argv, opts, "+b:", spec_option, &bundle);
        if (k < 0 || k != argc) {
                if (k >= 0)
                        log_error("spec: no arguments are taken");
                return EXIT_FAILURE;
        }
        _cleanup_free_ char *path = path_join(bundle, "config.json");
        if (!path)
                return fail(&e, -ENOMEM);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
                if (errno == EEXIST)
                        return fail(&e, error_set(&e, -EEXIST, "%s exists already: remove it first", path));
                return fail(&e, error_set_errno(&e, negative_errno(), "cannot create %s", path));
        }
        if (write(fd, default_spec, sizeof(default_spec) - 1) != (ssize_t)(sizeof(default_spec) - 1))
                return fail(&e, error_set_errno(&e, negative_errno(), "cannot write %s", path));
        return EXIT_SUCCESS;
}

static int verb_features(Context *ctx, int argc, char **argv)
{
        json_object *o = json_object_new_object(), *linux_ = json_object_new_object(), *a;
        json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
        json_object_object_add(o, "ociVersionMax", json_object_new_string("1.1.0"));
        a = json_object_new_array();
        for (int k = 0; k < _OCI_HOOK_MAX; k++)
                json_object_array_add(a, json_object_new_string(oci_hook_kind_to_string(k)));
        json_object_object_add(o, "hooks", a);
        static const char *const mount_options[] = {
                "async",    "atime",   "bind",       "defaults",    "dev",      "diratime",   "dirsync",       "exec",   "idmap",   "mand",
                "noatime",  "nodev",   "nodiratime", "noexec",      "nomand",   "norelatime", "nostrictatime", "nosuid", "private", "rbind",
                "relatime", "remount", "ridmap",     "ro",          "rprivate", "rshared",    "rro",           "rrw",    "rslave",  "runbindable",
                "rw",       "shared",  "slave",      "strictatime", "suid",     "sync",       "unbindable"};
        a = json_object_new_array();
        for (size_t i = 0; i < ELEMENTSOF(mount_options); i++)
                json_object_array_add(a, json_object_new_string(mount_options[i]));
        json_object_object_add(o, "mountOptions", a);
        static const char *const namespaces[] = {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"};
        a = json_object_new_array();
        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++)
                json_object_array_add(a, json_object_new_string(namespaces[i]));
        json_object_object_add(linux_, "namespaces", a);
        a = json_object_new_array();
        for (int cap = 0; cap <= 63; cap++) {
                const char *n = capability_to_name(cap);
                char upper[64];
                if (!n)
                        break;
                size_t i = 0;
                for (; n[i] && i < sizeof(upper) - 1; i++)
                        upper[i] = (char)toupper((unsigned char)n[i]);
                upper[i] = 0;
                json_object_array_add(a, json_object_new_string(upper));
        }
        json_object_object_add(linux_, "capabilities", a);
        json_object *cg = json_object_new_object();
        json_object_object_add(cg, "v1", json_object_new_boolean(true));
        json_object_object_add(cg, "v2", json_object_new_boolean(true));
        json_object_object_add(cg, "systemd", json_object_new_boolean(false));
        json_object_object_add(cg, "systemdUser", json_object_new_boolean(false));
        json_object_object_add(linux_, "cgroup", cg);
        json_object *sc = json_object_new_object();
        json_object_object_add(sc, "enabled", json_object_new_boolean(true));
        static const char *const actions[] = {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",  "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                                              "SCMP_ACT_LOG",   "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"};
        a = json_object_new_array();
        for (size_t i = 0; i < ELEMENTSOF(actions); i++)
                json_object_array_add(a, json_object_new_string(actions[i]));
        json_object_object_add(sc, "actions", a);
        static const char *const operators[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                                                "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
        a = json_object_new_array();
        for (size_t i = 0; i < ELEMENTSOF(operators); i++)
                json_object_array_add(a, json_object_new_string(operators[i]));
        json_object_object_add(sc, "operators", a);
        a = json_object_new_array();
        for (const SyscallTable *t = syscall_tables; t->arch; t++)
                json_object_array_add(a, json_object_new_string(t->arch));
        json_object_object_add(sc, "archs", a);
        json_object_object_add(linux_, "seccomp", sc);
        json_object *idm = json_object_new_object(), *ext = json_object_new_object();
        json_object_object_add(idm, "enabled", json_object_new_boolean(true));
        json_object_object_add(ext, "idmap", idm);
        json_object_object_add(linux_, "mountExtensions", ext);
        json_object *aa = json_object_new_object();
        json_object_object_add(aa, "enabled", json_object_new_boolean(false));
        json_object_object_add(linux_, "apparmor", aa);
        json_object *se = json_object_new_object();
        json_object_object_add(se, "enabled", json_object_new_boolean(false));
        json_object_object_add(linux_, "selinux", se);
        json_object_object_add(o, "linux", linux_);
        json_object *ann = json_object_new_object();
        json_object_object_add(ann, "io.github.corral.version", json_object_new_string(CORRAL_VERSION));
        json_object_object_add(o, "annotations", ann);
        printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return EXIT_SUCCESS;
}

typedef struct ExecArgs {
        const char *process, *console_socket, *pid_file, *cwd, *user, *apparmor, *process_label;
        char **env, **caps, **gids;
        bool tty, detach, no_new_privs, ignore_paused;
        int preserve_fds;
} ExecArgs;

static int exec_option(int c, const char *arg, void *data)
{
        ExecArgs *a = data;
        switch (c) {
        case 'p':
                a->process = arg;
                break;
        case 'C':
                a->console_socket = arg;
                break;
        case 'P':
                a->pid_file = arg;
                break;
        case 'w':
                a->cwd = arg;
                break;
        case 'u':
                a->user = arg;
                break;
        case 'e':
                if (!strchr(arg, '=')) {
                        log_error("exec --env=%s: not NAME=VALUE", arg);
                        return -EINVAL;
                }
                return strv_extend(&a->env, arg);
        case 'c':
                return strv_extend(&a->caps, arg);
        case 'g':
                return strv_extend(&a->gids, arg);
        case 't':
                a->tty = true;
                break;
        case 'd':
                a->detach = true;
                break;
        case 'n':
                a->no_new_privs = true;
                break;
        case 'i':
                a->ignore_paused = true;
                break;
        case 'f':
                return parse_preserve_fds(arg, &a->preserve_fds);
        case 'l':
                a->process_label = arg;
                break;
        case 'a':
                a->apparmor = arg;
                break;
        case 'h':
                return -ECANCELED;
        }
        return 0;
}

/* The exec's process: --process FILE, or the container's own with the command and the flags. */
static int exec_process(const ExecArgs *a, OciConfig *c, char **cmd, OciProcess *ret, Error *e)
{
        int r;
        if (a->process) {
                _cleanup_free_ char *text = NULL;
                size_t size;
                if ((r = read_full_file(a->process, &text, &size)) < 0)
                        return error_set_errno(e, r, "cannot read the process file %s", a->process);
                return oci_process_parse(text, size, ret, e);
        }
        if (!cmd || !cmd[0])
                return error_set(e, -EINVAL, "exec: a command (or --process FILE) is needed");
        /* The container's process, taken over (the config is ours). */
        *ret = c->process;
        c->process = (OciProcess){0};
        strv_free(ret->args);
        if (!(ret->args = strv_copy(cmd)))
                return -ENOMEM;
        ret->terminal = a->tty;
        for (char **i = a->env; i && *i; i++)
                if ((r = strv_env_set(&ret->env, *i)) < 0)
                        return r;
        if (a->cwd) {
                free(ret->cwd);
                if (!(ret->cwd = strdup(a->cwd)))
                        return -ENOMEM;
        }
        if (a->user) {
                unsigned uid, gid = 0;
                char extra;
                int k = sscanf(a->user, "%u:%u%c", &uid, &gid, &extra);
                if (k != 1 && k != 2)
                        return error_set(e, -EINVAL, "exec --user=%s: UID[:GID] in numbers", a->user);
                ret->uid = uid;
                ret->gid = gid;
        }
        for (char **g = a->gids; g && *g; g++) {
                unsigned long v;
                if (parse_unsigned(*g, &v) < 0 || v > UINT32_MAX)
                        return error_set(e, -EINVAL, "exec --additional-gids=%s: not a GID", *g);
                gid_t *x = reallocarray(ret->additional_gids, ret->n_additional_gids + 1, sizeof(gid_t));
                if (!x)
                        return -ENOMEM;
                x[ret->n_additional_gids++] = (gid_t)v;
                ret->additional_gids = x;
        }
        for (char **cap = a->caps; cap && *cap; cap++) {
                int k = oci_capability_from_name(*cap);
                if (k < 0)
                        return error_set(e, -EINVAL, "exec --cap=%s: no such capability", *cap);
                uint64_t bit = UINT64_C(1) << k;
                ret->capabilities.bounding |= bit;
                ret->capabilities.effective |= bit;
                ret->capabilities.permitted |= bit;
                ret->capabilities.inheritable |= bit;
                ret->capabilities.ambient |= bit;
        }
        ret->no_new_privileges |= a->no_new_privs;
        if (a->apparmor) {
                free(ret->apparmor_profile);
                if (!(ret->apparmor_profile = strdup(a->apparmor)))
                        return -ENOMEM;
        }
        if (a->process_label) {
                free(ret->selinux_label);
                if (!(ret->selinux_label = strdup(a->process_label)))
                        return -ENOMEM;
        }
        return 0;
}

/* The namespaces of pid that are not ours, as setns() flags. */
static unsigned long foreign_namespaces(pid_t pid)
{
        static const struct {
                const char *name;
                unsigned long flag;
        } kinds[] = {{"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS},  {"pid", CLONE_NEWPID},       {"net", CLONE_NEWNET},
                     {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS}, {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME}};
        unsigned long flags = 0;
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
                char theirs[64], ours[64], a[64] = "", b[64] = "";
                snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, kinds[i].name);
                snprintf(ours, sizeof(ours), "/proc/self/ns/%s", kinds[i].name);
                if (readlink(theirs, a, sizeof(a) - 1) > 0 && readlink(ours, b, sizeof(b) - 1) > 0 && !streq(a, b))
                        flags |= kinds[i].flag;
        }
        return flags;
}

static int receive_fd(int sock)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {0};
        char byte;
        struct iovec iov = {.iov_base = &byte, .iov_len = 1};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)};
        if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) <= 0)
                return -EIO;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        int fd = -1;
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                memcpy(&fd, CMSG_DATA(c), sizeof(int));
        return fd;
}

/* The exec's child: into the container's namespaces, a pty if asked, then the payload. */
_noreturn_ static void exec_child(OciRun *o, int pidfd, unsigned long flags, int go, int sync, int fdsock)
{
        char byte;
        int peer = -1, r;
        if (read(go, &byte, 1) != 1)
                _exit(EXIT_FAILURE);
        if (flags && setns(pidfd, (int)flags) < 0) {
                child_report(sync, negative_errno(), "cannot enter the container's namespaces");
                _exit(EXIT_FAILURE);
        }
        if (o->run.console != CONSOLE_PIPE) {
                PtyStep step;
                int master = pty_open(0, &peer, &step);
                if (master < 0) {
                        child_report(sync, master,
                                     step == PTY_CHECK ? "the container's /dev/pts/ptmx is not the pty multiplexer"
                                                       : "cannot open a pty in the container's /dev/pts");
                        _exit(EXIT_FAILURE);
                }
                if (o->run.have_winsize)
                        (void)ioctl(master, TIOCSWINSZ, &o->run.winsize);
                if ((r = send_with_fd(fdsock, "M", 1, master)) < 0) {
                        child_report(sync, r, "cannot hand the pty over");
                        _exit(EXIT_FAILURE);
                }
                close(master);
        }
        close(fdsock);
        payload_exec(&o->run, peer, sync, 0);
}

static int verb_exec(Context *ctx, int argc, char **argv)
{
        static const struct option opts[] = {
                {"process", required_argument, NULL, 'p'},
                {"console-socket", required_argument, NULL, 'C'},
                {"pid-file", required_argument, NULL, 'P'},
                {"cwd", required_argument, NULL, 'w'},
                {"user", required_argument, NULL, 'u'},
                {"env", required_argument, NULL, 'e'},
                {"cap", required_argument, NULL, 'c'},
                {"additional-gids", required_argument, NULL, 'g'},
                {"tty", no_argument, NULL, 't'},
                {"detach", no_argument, NULL, 'd'},
                {"no-new-privs", no_argument, NULL, 'n'},
                {"ignore-paused", no_argument, NULL, 'i'},
                {"preserve-fds", required_argument, NULL, 'f'},
                {"process-label", required_argument, NULL, 'l'},
                {"apparmor", required_argument, NULL, 'a'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        ExecArgs a = {0};
        Error e = {0};
        OciState s = {0};
        OciConfig config = {0};
        OciProcess p = {0};
        OciRun o = OCI_RUN_NULL;
        ContainerCgroup cg = CONTAINER_CGROUP_NULL;
        int dirfd = -1, pidfd = -1, go[2] = {-1, -1}, sync[2] = {-1, -1}, fds[2] = {-1, -1}, child_pidfd = -1, master = -1, status = EXIT_FAILURE;
        pid_t pid = -1;
        int r, cgfd = -1, own_pidns = -1;
        unsigned long flags = 0;
        OciStatus st;
        HookContext exec_hc = {0};
        RunHooks exec_hooks = {0};
        struct clone_args args = {.flags = CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)&child_pidfd, .exit_signal = SIGCHLD};
        sigset_t fwd;
        forwarded_signals(&fwd);

        int k = verb_options(argc, argv, opts, "+p:e:u:c:g:tdC:", exec_option, &a);
        if (k < 0 || k >= argc) {
                if (k >= 0)
                        log_error("exec: a container id is needed");
                r = -EINVAL;
                goto out;
        }
        if ((r = load(ctx, argv[k], false, &dirfd, &s, &e)) < 0)
                goto out;
        st = oci_state_status(dirfd, &s);
        if (st != OCI_RUNNING && st != OCI_CREATED && !(st == OCI_PAUSED && a.ignore_paused)) {
                r = error_set(&e, -EINVAL, "cannot exec in container \"%s\": it is %s", s.id, oci_status_to_string(st));
                goto out;
        }
        if ((r = load_config(dirfd, &config, &e)) < 0 || (r = exec_process(&a, &config, argv + k + 1, &p, &e)) < 0)
                goto out;
        /* The exec's filter listener (SCMP_ACT_NOTIFY) to the agent too, as runc sends it. */
        exec_hc = (HookContext){.config = &config, .state = &s, .status = st};
        exec_hooks = (RunHooks){.seccomp_listener = hooks_seccomp_listener, .userdata = &exec_hc};
        if (p.terminal && !a.console_socket) {
                r = error_set(&e, -EOPNOTSUPP, "exec with a terminal needs --console-socket (corral-oci does not relay a terminal itself yet)");
                goto out;
        }
        if ((r = oci_exec_prepare(&config, &p, s.id, &o, &e)) < 0)
                goto out;
        o.run.preserve_fds = a.preserve_fds;
        if ((pidfd = (int)syscall(SYS_pidfd_open, s.pid, 0)) < 0 || process_start_time(s.pid, NULL) != s.pid_start) {
                r = error_set(&e, -ESRCH, "container \"%s\" is not running", s.id);
                goto out;
        }
        flags = foreign_namespaces(s.pid);
        if ((r = open_cgroup(&s, &cg, &e)) < 0)
                goto out;
        /* Children are born in the container's PID namespace (the exec is our child); ours
         * again after the clone, for anything we start later (a sanitizer's thread at exit). */
        if ((flags & CLONE_NEWPID) && ((own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)) < 0 || setns(pidfd, CLONE_NEWPID) < 0)) {
                r = error_set_errno(&e, negative_errno(), "cannot enter the container's PID namespace");
                goto out;
        }
        if (pipe2(go, O_CLOEXEC) < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) < 0 ||
            socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds) < 0) {
                r = error_set_errno(&e, negative_errno(), "cannot create the exec's sockets");
                goto out;
        }
        cgfd = cg.path ? open(cg.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (cgfd >= 0) {
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t)cgfd;
        }
        if (!a.detach)
                sigprocmask(SIG_BLOCK, &fwd, NULL);
        fflush(NULL);
        pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (pid != 0 && own_pidns >= 0 && setns(own_pidns, CLONE_NEWPID) < 0 && pid > 0) {
                r = error_set_errno(&e, negative_errno(), "cannot go back to corral-oci's own PID namespace");
                goto kill;
        }
        if (pid < 0) {
                r = error_set_errno(&e, negative_errno(), "cannot start the exec's process");
                goto out;
        }
        if (pid == 0) {
                sigprocmask(SIG_UNBLOCK, &fwd, NULL);
                close(go[1]);
                close(sync[0]);
                close(fds[0]);
                exec_child(&o, pidfd, flags & ~(unsigned long)CLONE_NEWPID, go[0], sync[1], fds[1]);
        }
        closep(&go[0]);
        closep(&sync[1]);
        closep(&fds[1]);
        if ((r = container_cgroup_attach(&cg, pid, &e)) < 0 || write(go[1], "x", 1) != 1) {
                if (r >= 0)
                        r = error_set_errno(&e, negative_errno(), "cannot let the exec's process go on");
                goto kill;
        }
        closep(&go[1]);
        if (p.terminal) {
                if ((master = receive_fd(fds[0])) < 0) {
                        r = container_wait_exec(sync[0], &exec_hooks, pid, &e);
                        if (r >= 0)
                                r = error_set(&e, -EIO, "the exec's process sent no pty");
                        goto kill;
                }
                if ((r = send_console(a.console_socket, master, &e)) < 0)
                        goto kill;
                closep(&master);
        }
        if ((r = container_wait_exec(sync[0], &exec_hooks, pid, &e)) < 0)
                goto kill;
        if (a.pid_file && (r = write_pid_file(a.pid_file, pid, &e)) < 0)
                goto kill;
        if (a.detach) {
                status = EXIT_SUCCESS;
                goto out;
        }
        status = wait_relaying(child_pidfd, -1, &fwd);
        r = 0;
        goto out;
kill:
        kill(pid, SIGKILL);
        (void)waitpid(pid, NULL, 0);
out:
        for (int i = 0; i < 2; i++) {
                closep(&go[i]);
                closep(&sync[i]);
                closep(&fds[i]);
        }
        closep(&master);
        closep(&cgfd);
        closep(&own_pidns);
        closep(&child_pidfd);
        closep(&pidfd);
        closep(&dirfd);
        container_cgroup_done(&cg);
        oci_run_done(&o, false);
        oci_process_done(&p);
        oci_config_done(&config);
        oci_state_done(&s);
        strv_free(a.env);
        strv_free(a.caps);
        strv_free(a.gids);
        if (r < 0)
                return fail(&e, r);
        return status;
}

static int verb_checkpoint_restore(Context *ctx, int argc, char **argv)
{
        log_error("%s: corral-oci does not checkpoint or restore containers (CRIU) yet", argv[0]);
        return EXIT_FAILURE;
}

/* corral --oci-bundle's reader (corral itself has no JSON parser): the bundle as nspawn's
 * options, each ended by a NUL, on stdout. */
static int verb_nspawn_options(Context *ctx, int argc, char **argv)
{
        static const struct option opts[] = {{"bundle", required_argument, NULL, 'b'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
        const char *bundle = ".";
        _cleanup_(oci_config_done) OciConfig c = {0};
        _cleanup_strv_free_ char **l = NULL, **warnings = NULL;
        _cleanup_free_ char *abs = NULL;
        Error e = {0};
        int k = verb_options(argc, argv, opts, "+b:", spec_option, &bundle);
        if (k < 0 || k != argc) {
                if (k >= 0)
                        log_error("nspawn-options: no arguments are taken");
                return EXIT_FAILURE;
        }
        if (!(abs = realpath(bundle, NULL)))
                return fail(&e, error_set_errno(&e, negative_errno(), "cannot find the bundle %s", bundle));
        int r = oci_config_load(abs, &c, &e);
        if (r >= 0)
                r = oci_nspawn_options(&c, abs, &l, &warnings, &e);
        for (char **w = warnings; w && *w; w++)
                log_warning("%s", *w);
        if (r < 0)
                return fail(&e, r);
        for (char **a = l; a && *a; a++)
                fwrite(*a, 1, strlen(*a) + 1, stdout);
        return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int verb_help(Context *ctx, int argc, char **argv);

static const Verb verbs[] = {
        {"create", verb_create, "create [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--no-new-keyring] [--preserve-fds N] ID"},
        {"start", verb_start, "start ID"},
        {"state", verb_state, "state ID"},
        {"kill", verb_kill, "kill [--all] ID [SIGNAL]"},
        {"delete", verb_delete, "delete [--force] ID"},
        {"run", verb_run, "run [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--detach] ID"},
        {"exec", verb_exec,
         "exec [--process FILE] [--detach] [--pid-file FILE] [--tty] [--console-socket SOCK] [--cwd DIR] [--env N=V] [--user UID[:GID]] ID [COMMAND...]"},
        {"pause", verb_pause, "pause ID"},
        {"resume", verb_resume, "resume ID"},
        {"ps", verb_ps, "ps [--format table|json] ID [PS-OPTIONS...]"},
        {"list", verb_list, "list [--format table|json] [--quiet]"},
        {"update", verb_update, "update [--resources FILE|-] [--memory N] [--pids-limit N] [--cpu-shares N] ... ID"},
        {"spec", verb_spec, "spec [--bundle DIR]"},
        {"features", verb_features, "features"},
        {"nspawn-options", verb_nspawn_options, "nspawn-options [--bundle DIR] (the bundle as corral's options, for corral --oci-bundle)"},
        {"checkpoint", verb_checkpoint_restore, "checkpoint ID (not yet: refused)"},
        {"restore", verb_checkpoint_restore, "restore ID (not yet: refused)"},
        {"help", verb_help, "help"},
};

static int verb_help(Context *ctx, int argc, char **argv)
{
        printf("corral-oci: the OCI runtime command line (runc's) of corral.\n\n"
               "Usage: corral-oci [--root DIR] [--log FILE] [--log-format text|json] [--systemd-cgroup] [--debug] VERB ...\n\n"
               "Verbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %s\n", verbs[i].usage);
        printf("\n--root defaults to " OCI_ROOT_DEFAULT ".  See corral-oci(1).\n");
        return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                {"root", required_argument, NULL, 'r'},
                {"log", required_argument, NULL, 'l'},
                {"log-format", required_argument, NULL, 'f'},
                {"systemd-cgroup", no_argument, NULL, 's'},
                {"debug", no_argument, NULL, 'd'},
                {"rootless", required_argument, NULL, 'R'},
                {"criu", required_argument, NULL, 'c'},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, 'v'},
                {NULL, 0, NULL, 0},
        };
        Context ctx = {.root = OCI_ROOT_DEFAULT};
        const char *log_path = NULL;
        bool json = false;
        int c;
        log_setup("corral-oci");
        opterr = 0;
        while ((c = getopt_long_only(argc, argv, "+hv", opts, NULL)) >= 0)
                switch (c) {
                case 'r':
                        ctx.root = optarg;
                        break;
                case 'l':
                        log_path = optarg;
                        break;
                case 'f':
                        if (!streq(optarg, "text") && !streq(optarg, "json")) {
                                log_error("--log-format=%s: text or json", optarg);
                                return EXIT_FAILURE;
                        }
                        json = streq(optarg, "json");
                        break;
                case 's':
                        ctx.systemd_cgroup = true;
                        break;
                case 'd':
                        log_set_level(LOG_LEVEL_DEBUG);
                        break;
                case 'R':
                case 'c':
                        break; /* runc's --rootless and --criu: nothing to choose here */
                case 'h':
                        return verb_help(&ctx, 0, NULL);
                case 'v':
                        printf("corral-oci version " CORRAL_VERSION "\nspec: " OCI_VERSION "\n");
                        return EXIT_SUCCESS;
                default:
                        log_error("unknown option or missing value: %s", argv[optind - 1]);
                        return EXIT_FAILURE;
                }
        if (log_path) {
                int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
                if (fd < 0) {
                        log_error("cannot open the log file %s: %m", log_path);
                        return EXIT_FAILURE;
                }
                log_set_file(fd, json);
        }
        if (!path_is_absolute(ctx.root)) {
                log_error("--root=%s: must be an absolute path", ctx.root);
                return EXIT_FAILURE;
        }
        if (optind >= argc)
                return verb_help(&ctx, 0, NULL);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(argv[optind], verbs[i].name))
                        return verbs[i].fn(&ctx, argc - optind, argv + optind);
        log_error("unknown verb \"%s\" (see corral-oci help)", argv[optind]);
        return EXIT_FAILURE;
}
