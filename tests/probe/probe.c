/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-probe: a static program copied into test trees that reports from inside a container
 * in a parseable form, one "key=value" per line, and does the few things a busybox tree cannot
 * (send a notify datagram).  It links nothing of corral: it is test equipment, and must run in
 * any tree without a libc of its own.
 *
 *   corral-probe status          ids, capabilities, no_new_privs, seccomp, hostname, cwd, personality, cgroup
 *   corral-probe fds             the open file descriptors above 2 and what they point at
 *   corral-probe escape [NAME...]  the escape and abuse battery (escape.c), or the probes named
 *   corral-probe udp-echo PORT   answers one UDP datagram to PORT with "echo: " and what came
 *   corral-probe notify STATE... [-- COMMAND...]
 *                                sends the states (joined by newlines) to $NOTIFY_SOCKET, then
 *                                execs COMMAND (so a PID 1 can notify and stay PID 1)
 *
 * Exit status: 0 done, 1 failed (with a message on stderr), 2 usage. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "escape.h"
#include "fuse.h"

static uint64_t caps_of(const struct __user_cap_data_struct d[2], int which)
{
        uint32_t lo = which == 0 ? d[0].effective : which == 1 ? d[0].permitted : d[0].inheritable;
        uint32_t hi = which == 0 ? d[1].effective : which == 1 ? d[1].permitted : d[1].inheritable;
        return (uint64_t)hi << 32 | lo;
}

/* A line of /proc/self/status, after its "Key:\t". */
static void status_field(const char *key, const char *name)
{
        FILE *f = fopen("/proc/self/status", "re");
        char line[512];
        size_t n = strlen(key);
        while (f && fgets(line, sizeof line, f))
                if (strncmp(line, key, n) == 0 && line[n] == ':') {
                        char *v = line + n + 1;
                        v += strspn(v, " \t");
                        v[strcspn(v, "\n")] = 0;
                        printf("%s=%s\n", name, v);
                        break;
                }
        if (f)
                fclose(f);
}

static int cmd_status(void)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2] = {0};
        char buf[4096];

        printf("uid=%u\neuid=%u\ngid=%u\negid=%u\npid=%d\nppid=%d\n", getuid(), geteuid(), getgid(), getegid(), getpid(), getppid());
        gid_t groups[64];
        int ng = getgroups(64, groups);
        printf("groups=");
        for (int i = 0; i < ng; i++)
                printf("%s%u", i ? "," : "", groups[i]);
        printf("\n");
        if (syscall(SYS_capget, &h, d) == 0)
                printf("cap_eff=%016llx\ncap_prm=%016llx\ncap_inh=%016llx\n", (unsigned long long)caps_of(d, 0), (unsigned long long)caps_of(d, 1),
                       (unsigned long long)caps_of(d, 2));
        uint64_t bnd = 0, amb = 0;
        for (int c = 0; c < 64; c++) {
                int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
                if (r < 0)
                        break;
                if (r > 0)
                        bnd |= 1ULL << c;
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) > 0)
                        amb |= 1ULL << c;
        }
        printf("cap_bnd=%016llx\ncap_amb=%016llx\n", (unsigned long long)bnd, (unsigned long long)amb);
        printf("no_new_privs=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
        status_field("Seccomp", "seccomp");
        if (gethostname(buf, sizeof buf) == 0)
                printf("hostname=%s\n", buf);
        if (getcwd(buf, sizeof buf))
                printf("cwd=%s\n", buf);
        printf("personality=%#x\n", (unsigned)personality(0xffffffff));
        FILE *f = fopen("/proc/self/cgroup", "re");
        while (f && fgets(buf, sizeof buf, f))
                if (strncmp(buf, "0::", 3) == 0)
                        printf("cgroup=%s", buf + 3);
        if (f)
                fclose(f);
        return 0;
}

static int cmd_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        if (!d) {
                perror("corral-probe: /proc/self/fd");
                return 1;
        }
        int self = dirfd(d);
        struct dirent *de;
        while ((de = readdir(d))) {
                int fd = atoi(de->d_name);
                if (de->d_name[0] == '.' || fd <= 2 || fd == self)
                        continue;
                char target[4096];
                ssize_t n = readlinkat(self, de->d_name, target, sizeof target - 1);
                target[n < 0 ? 0 : n] = 0;
                printf("fd%d=%s\n", fd, target);
        }
        closedir(d);
        return 0;
}

static int cmd_notify(int n, char **states)
{
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || !*path) {
                fprintf(stderr, "corral-probe: NOTIFY_SOCKET is not set\n");
                return 1;
        }
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        size_t len = strlen(path);
        if (len >= sizeof sa.sun_path) {
                fprintf(stderr, "corral-probe: NOTIFY_SOCKET too long\n");
                return 1;
        }
        memcpy(sa.sun_path, path, len);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;
        char msg[4096] = "";
        for (int i = 0; i < n; i++) {
                if (strlen(msg) + strlen(states[i]) + 2 > sizeof msg)
                        break;
                strcat(msg, states[i]);
                strcat(msg, "\n");
        }
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0) {
                fprintf(stderr, "corral-probe: cannot send to %s: %s\n", path, strerror(errno));
                return 1;
        }
        close(fd);
        return 0;
}

/* One datagram to port, answered with "echo: " before it (busybox has no UDP server). */
static int cmd_udp_echo(const char *port)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))}, from;
        socklen_t fl = sizeof(from);
        char in[512], out[600];
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                fprintf(stderr, "corral-probe: cannot listen on UDP port %s: %s\n", port, strerror(errno));
                return 1;
        }
        ssize_t n = recvfrom(fd, in, sizeof(in) - 1, 0, (struct sockaddr *)&from, &fl);
        if (n < 0)
                return 1;
        int k = snprintf(out, sizeof(out), "echo: %.*s", (int)n, in);
        sendto(fd, out, (size_t)k, 0, (struct sockaddr *)&from, fl);
        close(fd);
        return 0;
}

int main(int argc, char *argv[])
{
        if (argc == 3 && strcmp(argv[1], "udp-echo") == 0)
                return cmd_udp_echo(argv[2]);
        if (argc >= 2 && strcmp(argv[1], "status") == 0)
                return cmd_status();
        if (argc >= 2 && strcmp(argv[1], "fds") == 0)
                return cmd_fds();
        if (argc >= 2 && strcmp(argv[1], "escape") == 0) {
                setvbuf(stdout, NULL, _IOLBF, 0);
                for (const EscapeProbe *p = escape_probes; p->name; p++) {
                        bool wanted = argc == 2;
                        for (int i = 2; i < argc; i++)
                                wanted |= strcmp(argv[i], p->name) == 0;
                        if (wanted)
                                p->run();
                }
                return 0;
        }
        if (argc == 3 && strcmp(argv[1], "fuse") == 0)
                return probe_fuse(argv[2]);
        if (argc >= 3 && strcmp(argv[1], "notify") == 0) {
                int n = 2;
                while (n < argc && strcmp(argv[n], "--") != 0)
                        n++;
                int r = cmd_notify(n - 2, argv + 2);
                if (r != 0 || n + 1 >= argc)
                        return r;
                execvp(argv[n + 1], argv + n + 1);
                fprintf(stderr, "corral-probe: cannot execute %s: %s\n", argv[n + 1], strerror(errno));
                return 1;
        }
        fprintf(stderr, "usage: corral-probe status | fds | escape [NAME...] | fuse DIR | udp-echo PORT | notify STATE... [-- COMMAND...]\n");
        return 2;
}
