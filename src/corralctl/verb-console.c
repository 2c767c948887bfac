/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console and logs: a detached machine's console, live through its supervisor's console
 * socket, or as written to its log. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "corralctl.h"
#include "fs-util.h"
#include "terminal.h"

int verb_console(const Args *a, int argc, char **argv)
{
        MachineRecord m;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (find_machine(a, argv[1], &m) < 0)
                return 1;
        if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s/console", a->dir, m.name) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "The console socket of machine '%s' has too long a path.\n", m.name);
                return 1;
        }
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                if (errno == ENOENT)
                        fprintf(stderr, "Machine '%s' has no console to attach to (it was started with --console=passive or pipe).\n", m.name);
                else
                        fprintf(stderr, "Failed to attach to the console of machine '%s': %m\n", m.name);
                if (fd >= 0)
                        close(fd);
                return 1;
        }
        if (!a->quiet)
                fprintf(stderr, "Connected to the console of machine %s. Press ^] three times within 1s to disconnect.\n", m.name);
        int end = relay_run(fd, true, -1);
        close(fd);
        if (!a->quiet)
                fprintf(stderr, "\n%s\n", end == RELAY_ESCAPED ? "Disconnected from the console." : "The machine's console closed.");
        return 0;
}

/* Copies what the log has from *offset on to stdout; a log trimmed below it starts over. */
static int follow_step(int fd, off_t *offset)
{
        struct stat st;
        char buf[65536];
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (st.st_size < *offset)
                *offset = 0; /* the supervisor kept only the log's tail */
        for (;;) {
                ssize_t n = pread(fd, buf, sizeof(buf), *offset);
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        return 0;
                if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
                        return -EPIPE;
                *offset += n;
        }
}

int verb_logs(const Args *a, int argc, char **argv)
{
        char path[PATH_MAX];
        const char *name = argv[1];
        if (!machine_name_is_valid(name)) {
                fprintf(stderr, "Invalid machine name: %s\n", name);
                return 1;
        }
        console_log_path(name, path, sizeof(path));
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT)
                        fprintf(stderr, "No log for machine '%s' (%s): only machines started with corralctl start have one.\n", name, path);
                else
                        fprintf(stderr, "Failed to open %s: %m\n", path);
                return 1;
        }
        off_t offset = 0;
        if (a->lines > 0) {
                _cleanup_free_ char *text = NULL;
                size_t size;
                if (read_full_fd(fd, &text, &size) == 0)
                        offset = (off_t)last_lines(text, size, (unsigned)a->lines);
        }
        if (follow_step(fd, &offset) < 0 || !a->follow) {
                close(fd);
                return 0;
        }
        /* -f: more as it comes, until interrupted (as journalctl -f). */
        int in = inotify_init1(IN_CLOEXEC);
        if (in >= 0)
                (void)inotify_add_watch(in, path, IN_MODIFY | IN_ATTRIB);
        for (;;) {
                struct pollfd p = {.fd = in, .events = POLLIN};
                if (poll(&p, 1, 1000) > 0) {
                        char ev[4096];
                        (void)!read(in, ev, sizeof(ev));
                }
                if (follow_step(fd, &offset) < 0)
                        break;
        }
        close(fd);
        return 0;
}
