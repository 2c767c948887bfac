/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* start: a machine run detached, with the defaults of nspawn's systemd-nspawn@.service (its
 * .nspawn file overriding them), its console written to /var/log/corral/NAME.log. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "corralctl.h"
#include "image-store.h"
#include "image.h"
#include "fs-util.h"
#include "process-util.h"

#define LOG_MAX (8 * 1024 * 1024)
/* From the fork to the guest's readiness; a Debian guest is ready in seconds, but under
 * emulation it takes minutes. */
#define START_TIMEOUT_MS (180 * 1000)
/* How long an init that does not say READY=1 has to stay up to count as started. */
#define START_SETTLE_MS 1000
/* How long a start waits for another caller's start of the same name. */
#define START_TURN_TIMEOUT_MS (START_TIMEOUT_MS + 20 * 1000)

/* corral beside corralctl (installed), in the build tree's layout, else on PATH. */
const char *corral_binary(char *buf, size_t size)
{
        const char *env = getenv("CORRAL_BINARY");
        if (env && *env)
                return env;
        ssize_t n = readlink("/proc/self/exe", buf, size - 32);
        if (n > 0) {
                buf[n] = 0;
                char *slash = strrchr(buf, '/');
                if (slash) {
                        strcpy(slash, "/corral");
                        if (access(buf, X_OK) == 0)
                                return buf;
                        strcpy(slash, "/../corral/corral");
                        if (access(buf, X_OK) == 0)
                                return buf;
                }
        }
        return "corral";
}

const char *log_directory(void)
{
        const char *d = getenv("CORRAL_LOG_DIR");
        return d && *d ? d : "/var/log/corral";
}

void console_log_path(const char *name, char *buf, size_t size)
{
        snprintf(buf, size, "%s/%s.log", log_directory(), name);
}

/* The last lines of the log from offset on, for an error message. */
static void print_log_tail(const char *path, off_t from)
{
        _cleanup_free_ char *text = NULL;
        size_t size;
        if (read_full_file(path, &text, &size) < 0 || (size_t)from >= size)
                return;
        fprintf(stderr, "The end of its log, %s:\n%s", path, text + MAX((size_t)from, last_lines(text, size, 10)));
}

/* How far a start got, from the supervisor's messages on the notify socket. */
typedef struct StartProgress {
        pid_t leader;     /* X_NSPAWN_LEADER_PID= */
        bool running;     /* READY=1: the init runs and the machine is registered */
        bool guest_ready; /* X_CORRAL_GUEST_READY=1: the guest's init said READY=1 */
} StartProgress;

static void read_messages(int sock, pid_t pid, StartProgress *p)
{
        char buf[4096];
        pid_t sender;
        ssize_t n;
        while ((n = notify_receive(sock, buf, sizeof(buf), &sender)) != -EAGAIN) {
                if (n == -EBADMSG || (n >= 0 && sender != pid))
                        continue;
                if (n < 0)
                        return;
                for (char *l = buf, *e; *l; l = *e ? e + 1 : e) {
                        e = strchrnul(l, '\n');
                        char c = *e;
                        *e = 0;
                        if (streq(l, "READY=1"))
                                p->running = true;
                        else if (streq(l, "X_CORRAL_GUEST_READY=1"))
                                p->guest_ready = true;
                        else if (startswith(l, "X_NSPAWN_LEADER_PID="))
                                p->leader = (pid_t)atoi(l + 20);
                        *e = c;
                }
        }
}

/* Whether the machine's init says READY=1 when its boot is done: systemd does (to
 * $NOTIFY_SOCKET, /run/host/notify in a container); other inits have no such message.  Its
 * binary, seen from here (the supervisor reports READY=1 after the exec). */
static bool init_says_ready(pid_t leader)
{
        char path[64], exe[PATH_MAX];
        snprintf(path, sizeof(path), "/proc/%d/exe", (int)leader);
        ssize_t n = leader > 0 ? readlink(path, exe, sizeof(exe) - 1) : -1;
        if (n <= 0)
                return false;
        exe[n] = 0;
        const char *base = strrchr(exe, '/');
        return streq(base ? base + 1 : exe, "systemd");
}

static long ms_since(const struct timespec *t0)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Waits until the machine is ready: its init said READY=1 (systemd), or, for an init that
 * does not, it has run for START_SETTLE_MS; or until the supervisor ends first (-ESRCH, its
 * wait status in *ret_status), or START_TIMEOUT_MS pass (-ETIMEDOUT). */
static int wait_ready(int sock, pid_t pid, int *ret_status, StartProgress *p)
{
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        struct timespec t0;
        long settled_at = -1; /* ms after t0 when an init that does not notify counts as ready */
        bool checked = false;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (pidfd < 0)
                return negative_errno();
        for (;;) {
                read_messages(sock, pid, p);
                if (p->running && !checked) {
                        checked = true; /* (the leader's PID came first, in STATUS=) */
                        if (!p->guest_ready && !init_says_ready(p->leader))
                                settled_at = ms_since(&t0) + START_SETTLE_MS;
                }
                long now = ms_since(&t0);
                if (p->guest_ready || (settled_at >= 0 && now >= settled_at))
                        return 0;
                long left = START_TIMEOUT_MS - now;
                if (left <= 0)
                        return -ETIMEDOUT;
                if (settled_at >= 0)
                        left = MIN(left, settled_at - now);
                struct pollfd f[2] = {{.fd = sock, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
                if (poll(f, 2, (int)left) < 0 && errno != EINTR)
                        return negative_errno();
                if (f[1].revents & POLLIN) {
                        read_messages(sock, pid, p); /* a READY=1 sent just before the end */
                        if (p->guest_ready)
                                return 0;
                        int status = 0;
                        (void)waitpid(pid, &status, 0);
                        *ret_status = status;
                        return -ESRCH;
                }
        }
}

/* start PATH: the tree (or raw image) at PATH, named after it. */
static int machine_of_path(const char *arg, char *name, size_t size, char *option, size_t option_size)
{
        struct stat st;
        char *base = strrchr(arg, '/') + 1, *dot;
        if (stat(arg, &st) < 0) {
                fprintf(stderr, "Cannot start %s: %m\n", arg);
                return -1;
        }
        if (!*base || streq(base, ".") || streq(base, "..")) {
                fprintf(stderr, "Cannot start %s: give the path without a trailing \"/\", so the machine is named after it.\n", arg);
                return -1;
        }
        snprintf(name, size, "%s", base);
        if (!S_ISDIR(st.st_mode) && (dot = strrchr(name, '.')) && streq(dot, ".raw"))
                *dot = 0;
        if (!machine_name_is_valid(name)) {
                fprintf(stderr, "Cannot start %s: \"%s\" is not a valid machine name; link it into /var/lib/machines under one.\n", arg, name);
                return -1;
        }
        snprintf(option, option_size, "--%s=%s", S_ISDIR(st.st_mode) ? "directory" : "image", arg);
        return 0;
}

/* Takes this caller's turn to start name: another corralctl starting it holds the lock until
 * its machine is ready or has failed. */
static int take_start_turn(const char *name, ImageLock *ret)
{
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int r;
        while ((r = machine_start_lock(IMAGE_LOCK_DIR, name, ret)) == -EBUSY && ms_since(&t0) < START_TURN_TIMEOUT_MS)
                usleep(50 * 1000);
        if (r == -EBUSY)
                fprintf(stderr, "Cannot start machine '%s': another corralctl has been starting it for %d s.\n", name, START_TURN_TIMEOUT_MS / 1000);
        else if (r < 0)
                fprintf(stderr, "Cannot start machine '%s': cannot take its lock in %s: %s\n", name, IMAGE_LOCK_DIR, strerror(-r));
        return r;
}

static int launch(const Args *a, const char *name, const char *where);

/* Concurrent starts of one name take turns: the first launches the machine, the others then
 * find it running and return 0, as systemctl start merges into the running job; if the first
 * failed, the next tries and reports what stops it. */
static int start_one(const Args *a, const char *arg)
{
        MachineRecord m;
        ImageLock turn = IMAGE_LOCK_NULL;
        char name[256], where[PATH_MAX + 16] = "";
        if (strchr(arg, '/')) {
                if (machine_of_path(arg, name, sizeof(name), where, sizeof(where)) < 0)
                        return 1;
        } else
                snprintf(name, sizeof(name), "%s", arg);
        if (!machine_name_is_valid(name)) {
                fprintf(stderr, "Invalid machine name: %s\n", name);
                return 1;
        }
        if (!*where) {
                Image img;
                Error e = {0};
                if (image_store_get(name, &img, &e) < 0) {
                        fprintf(stderr,
                                "Cannot start machine '%s': no image of that name in /var/lib/machines, /usr/local/lib/machines, /usr/lib/machines "
                                "or /var/lib/container.  Give its path instead (corralctl start /path/to/%s), or link it into /var/lib/machines.\n",
                                name, name);
                        return 1;
                }
        }
        if (take_start_turn(name, &turn) < 0)
                return 1;
        int r = registry_read(a->dir, name, &m) == 0 ? 0 /* running already: as systemctl start of an active unit */ : launch(a, name, where);
        image_unlock(&turn);
        return r;
}

/* The machine started detached, its console to the log; 0 once it is ready (wait_ready). */
static int launch(const Args *a, const char *name, const char *where)
{
        char path[PATH_MAX], binbuf[PATH_MAX], notify[64];
        if (mkdir_p(log_directory(), 0750) < 0) {
                fprintf(stderr, "Failed to create %s: %m\n", log_directory());
                return 1;
        }
        console_log_path(name, path, sizeof(path));
        /* Appending: each writer's lines whole, also when starts of one name race (the
         * supervisor trims the log through a descriptor of its own). */
        _cleanup_close_ int log = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);
        if (log < 0) {
                fprintf(stderr, "Failed to open the log %s: %m\n", path);
                return 1;
        }
        off_t from = lseek(log, 0, SEEK_END);
        time_t now = time(NULL);
        char stamp[64];
        strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S %Z", localtime(&now));
        dprintf(log, "-- corralctl start %s: %s --\n", name, stamp);
        from = lseek(log, 0, SEEK_CUR);

        /* The supervisor says READY=1 here once the machine runs (nspawn's notify protocol). */
        _cleanup_close_ int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int one = 1;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        snprintf(notify, sizeof(notify), "@corralctl/start/%d/%ld", (int)getpid(), (long)ts.tv_nsec);
        memcpy(sa.sun_path + 1, notify + 1, strlen(notify) - 1);
        if (sock < 0 || setsockopt(sock, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
            bind(sock, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(notify))) < 0) {
                fprintf(stderr, "Failed to make the notification socket: %m\n");
                return 1;
        }
        const char *corral = corral_binary(binbuf, sizeof(binbuf));
        char machine[300];
        snprintf(machine, sizeof(machine), "--machine=%s", name);
        pid_t pid = fork();
        if (pid < 0) {
                fprintf(stderr, "fork() failed: %m\n");
                return 1;
        }
        if (pid == 0) {
                char max[32];
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                setsid();
                if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(log, STDOUT_FILENO) < 0 || dup2(log, STDERR_FILENO) < 0)
                        _exit(1);
                snprintf(max, sizeof(max), "%d", LOG_MAX);
                setenv("NOTIFY_SOCKET", notify, 1);
                setenv("CORRAL_NOTIFY_GUEST_READY", "1", 1);
                setenv("CORRAL_CONSOLE_LOG_MAX", max, 0); /* ours, if given, wins */
                /* systemd-nspawn@.service's ExecStart=, less --keep-unit: no service manager
                 * restarts a rebooting machine here, corral does. */
                execlp(corral, corral, "--quiet", "--boot", "--link-journal=try-guest", "--network-veth", "-U", "--settings=override", machine,
                       *where ? where : NULL, (char *)NULL);
                dprintf(STDERR_FILENO, "corralctl: cannot execute %s: %m\n", corral);
                _exit(127);
        }
        StartProgress p = {0};
        int status = 0, r = wait_ready(sock, pid, &status, &p);
        if (r == -ETIMEDOUT && p.running) {
                fprintf(stderr,
                        "Machine '%s' runs, but its init did not report that it is ready within %d s; it is left running (corralctl status %s, corralctl logs %s).\n",
                        name, START_TIMEOUT_MS / 1000, name, name);
                return 1;
        }
        if (r == -ETIMEDOUT) {
                fprintf(stderr, "Machine '%s' did not report that it runs within %d s; it is left starting (corralctl logs %s).\n", name,
                        START_TIMEOUT_MS / 1000, name);
                return 1;
        }
        if (r == -ESRCH) {
                fprintf(stderr, "Failed to start machine '%s': %scorral %s %d.\n", name, p.running ? "it ended before it was ready; " : "",
                        WIFEXITED(status) ? "exited with status" : "was killed by signal",
                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
                print_log_tail(path, from);
                return 1;
        }
        if (r < 0) {
                fprintf(stderr, "Failed to wait for machine '%s': %s\n", name, strerror(-r));
                return 1;
        }
        return 0;
}

int verb_start(const Args *a, int argc, char **argv)
{
        int ret = 0;
        for (int i = 1; i < argc; i++)
                ret |= start_one(a, argv[i]);
        return ret;
}
