/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervisor: one poll loop over the container's pidfd, our signals, the console pty and
 * the sd_notify socket.  It forwards the console, turns SIGTERM into the kill signal, relays
 * READY=1, and reports the container's end the way nspawn does. */
#include <fcntl.h>
#include <linux/filter.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#include "log.h"
#include "cgroup.h"
#include "console-server.h"
#include "container.h"
#include "fs-util.h"
#include "machined.h"
#include "missing.h"
#include "net-setup.h"
#include "parse-util.h"
#include "process-util.h"
#include "registry.h"
#include "spawn.h"
#include "terminal.h"

typedef struct Loop {
        const RunConfig *c;
        Spawned sp;
        int sigfd;
        bool forward_stdin;
        bool stdin_eof;
        bool forward_output;
        ConsoleServer console;
        RawTerminal terminal;
        EscapeDetector escape;
        bool killed_by_escape;
        bool machined; /* registered with systemd-machined too */
        pid_t watchdog;
} Loop;

/* A detached machine's log (corralctl start) keeps its last quarter when it grows past the
 * limit, copied to the front in place: no buffer of that size in the supervisor.  The log is
 * opened for appending (each writer's lines whole, also when starts of one name race), where
 * pwrite() would append too: the copy goes through a descriptor of its own. */
static void trim_log(off_t max)
{
        struct stat st;
        if (fstat(STDOUT_FILENO, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= max)
                return;
        _cleanup_close_ int fd = open("/proc/self/fd/1", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return;
        off_t end = st.st_size, keep = max / 4, from = end - keep, to = 0;
        char buf[16384];
        while (from < end) {
                ssize_t n = pread(fd, buf, (size_t)MIN((off_t)sizeof(buf), end - from), from);
                if (n <= 0 || pwrite(fd, buf, (size_t)n, to) != n)
                        break;
                from += n;
                to += n;
        }
        (void)!ftruncate(fd, to);                 /* (the log only grows past its limit if this fails) */
        (void)lseek(STDOUT_FILENO, to, SEEK_SET); /* where it is not appending */
}

/* The console's output: to our stdout (the terminal, or a detached machine's log) and to the
 * clients of the console socket. */
static void console_output(Loop *l, const char *buf, size_t n)
{
        if (l->forward_output) {
                (void)write_all(STDOUT_FILENO, buf, n);
                if (l->c->console_log_max > 0)
                        trim_log(l->c->console_log_max);
        }
        console_server_send(&l->console, buf, n);
}

static void drain_console(Loop *l)
{
        char buf[16384];
        if (l->sp.console_master < 0)
                return;
        /* The payload's last output may still sit in the tty layer's flip buffer.  With our
         * own copy of the peer closed, the master reads EIO once everything is through; the
         * timeout only guards against a peer held open elsewhere. */
        closep(&l->sp.console_peer);
        for (;;) {
                struct pollfd p = {.fd = l->sp.console_master, .events = POLLIN};
                if (poll(&p, 1, 250) <= 0)
                        break;
                ssize_t n = read(l->sp.console_master, buf, sizeof(buf));
                if (n <= 0)
                        break;
                console_output(l, buf, (size_t)n);
        }
}

/* Tells whoever started us (a service manager's NOTIFY_SOCKET) how the container is doing, with
 * nspawn's messages. */
/* The container never outlives its supervisor, also where its PID 1 changed its credentials
 * after the exec (which clears the parent-death signal the child armed): a watchdog process
 * waits on the supervisor's pidfd, which the kernel makes readable when the supervisor ends,
 * however it ends, and then kills the container's PID 1 (and with it its PID namespace).  It
 * keeps nothing else open (no lock outlives the supervisor) and ignores the terminal's
 * signals.  Killed together with the supervisor (a signal to the whole process group, say),
 * it cannot help: the next start of the name ends what is left (container_cgroup_create). */
static pid_t watchdog_start(int container_pidfd)
{
        int self = (int)syscall(SYS_pidfd_open, getpid(), 0);
        if (self < 0)
                return -1;
        pid_t pid = fork();
        if (pid != 0) {
                close(self);
                return pid;
        }
        /* Its own copies, at fixed numbers (by way of free high ones, since either may be 3 or
         * 4 now), then nothing else. */
        int a = fcntl(self, F_DUPFD, 100), b = fcntl(container_pidfd, F_DUPFD, 100);
        if (a < 0 || b < 0 || dup2(a, 3) < 0 || dup2(b, 4) < 0)
                _exit(EXIT_FAILURE);
        syscall(SYS_close_range, 5, ~0U, 0);
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int fd = 0; fd < 3 && null >= 0; fd++)
                dup2(null, fd);
        (void)prctl(PR_SET_NAME, "corral-watchdog");
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_UNBLOCK, &all, NULL);
        signal(SIGINT, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
        signal(SIGTSTP, SIG_IGN);
        struct pollfd p = {.fd = 3, .events = POLLIN};
        while (poll(&p, 1, -1) < 0 && errno == EINTR)
                ;
        (void)syscall(SYS_pidfd_send_signal, 4, SIGKILL, NULL, 0);
        _exit(EXIT_SUCCESS);
}

static void notify_host(const char *msg)
{
        const char *target = getenv("NOTIFY_SOCKET");
        if (!target || (target[0] != '/' && target[0] != '@'))
                return;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        size_t len = strlen(target);
        if (len >= sizeof(sa.sun_path))
                return;
        memcpy(sa.sun_path, target, len);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return;
        (void)sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
        close(fd);
}

/* A message on /run/host/notify: as nspawn, only the container's PID 1 is listened to; its
 * READY=1 is passed on, and its STATUS= becomes ours. */
static void handle_notify(Loop *l)
{
        char buf[4096];
        pid_t sender;
        ssize_t n = notify_receive(l->sp.notify_fd, buf, sizeof(buf), &sender);
        if (n <= 0 || sender != l->sp.pid)
                return;
        bool ready = false;
        const char *status = NULL;
        for (char *p = buf, *e; *p; p = e + 1) {
                e = strchrnul(p, '\n');
                bool last = !*e;
                *e = 0;
                if (streq(p, "READY=1"))
                        ready = true;
                else if (startswith(p, "STATUS="))
                        status = p + 7;
                if (last)
                        break;
        }
        /* For corralctl start, which asks with $CORRAL_NOTIFY_GUEST_READY, marked so it can tell
         * the guest's readiness from ours; others get nspawn's messages. */
        if (ready) {
                log_debug("supervisor: the payload says READY=1");
                notify_host(getenv("CORRAL_NOTIFY_GUEST_READY") ? "READY=1\nX_CORRAL_GUEST_READY=1\n" : "READY=1\n");
        }
        if (status) {
                char msg[4200];
                snprintf(msg, sizeof(msg), "STATUS=Container running: %s", status);
                notify_host(msg);
        }
}

static void send_kill(Loop *l, int sig)
{
        /* pidfd_send_signal: no PID reuse race even if PID 1 just died. */
        if (syscall(SYS_pidfd_send_signal, l->sp.pidfd, sig, NULL, 0) < 0 && errno == ENOSYS)
                kill(l->sp.pid, sig);
}

static void copy_winsize(Loop *l)
{
        struct winsize ws;
        if (l->sp.console_master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                (void)ioctl(l->sp.console_master, TIOCSWINSZ, &ws);
}

static int loop_run(Loop *l, siginfo_t *ret)
{
        char buf[16384];
        for (;;) {
                struct pollfd p[7 + CONSOLE_MAX_CLIENTS];
                int n = 0, i_pid, i_sig, i_pty = -1, i_in = -1, i_notify = -1, i_dhcp = -1;
                p[i_pid = n++] = (struct pollfd){.fd = l->sp.pidfd, .events = POLLIN};
                p[i_sig = n++] = (struct pollfd){.fd = l->sigfd, .events = POLLIN};
                if (l->sp.console_master >= 0)
                        p[i_pty = n++] = (struct pollfd){.fd = l->sp.console_master, .events = POLLIN};
                if (l->forward_stdin && !l->stdin_eof)
                        p[i_in = n++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
                if (l->sp.notify_fd >= 0)
                        p[i_notify = n++] = (struct pollfd){.fd = l->sp.notify_fd, .events = POLLIN};
                if (l->sp.net.dhcp_fd >= 0)
                        p[i_dhcp = n++] = (struct pollfd){.fd = l->sp.net.dhcp_fd, .events = POLLIN};
                int i_console = n;
                size_t n_console = console_server_fds(&l->console, p + n);
                n += (int)n_console;

                if (poll(p, (nfds_t)n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (i_pty >= 0 && (p[i_pty].revents & (POLLIN | POLLHUP))) {
                        ssize_t k = read(l->sp.console_master, buf, sizeof(buf));
                        if (k > 0)
                                console_output(l, buf, (size_t)k);
                }
                if (i_in >= 0 && (p[i_in].revents & (POLLIN | POLLHUP | POLLERR))) {
                        ssize_t k = read(STDIN_FILENO, buf, sizeof(buf));
                        if (k <= 0 && !(k < 0 && errno == EINTR))
                                l->stdin_eof = true;
                        else if (k > 0) {
                                if (escape_seen(&l->escape, buf, (size_t)k)) {
                                        l->killed_by_escape = true;
                                        send_kill(l, SIGKILL);
                                } else
                                        (void)write_all(l->sp.console_master, buf, (size_t)k);
                        }
                }
                if (i_notify >= 0 && (p[i_notify].revents & POLLIN))
                        handle_notify(l);
                if (i_dhcp >= 0 && (p[i_dhcp].revents & POLLIN))
                        net_dhcp_handle(&l->sp.net);
                console_server_handle(&l->console, p + i_console, n_console);
                if (p[i_sig].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
                                if (si.ssi_signo == SIGWINCH)
                                        copy_winsize(l);
                                else if (si.ssi_signo != SIGCHLD) {
                                        log_debug("supervisor: %s received: sending the container's PID 1 signal %d", strsignal((int)si.ssi_signo),
                                                  l->c->kill_signal);
                                        send_kill(l, l->c->kill_signal);
                                }
                        }
                }
                if (p[i_pid].revents & POLLIN) {
                        drain_console(l);
                        memset(ret, 0, sizeof(*ret));
                        if (waitid(P_PIDFD, (id_t)l->sp.pidfd, ret, WEXITED) < 0)
                                return negative_errno();
                        return 0;
                }
        }
}

/* The supervisor runs for as long as the container does, and needs little of what it used to
 * start it: give back the freed heap, and unmap the program text so that only the pages the
 * loop touches come back (text is a read-only mapping of the binary: dropping its page table
 * entries loses nothing, a later use faults the page in again from the page cache). */
extern char __executable_start, etext;
static void shed_setup_memory(void)
{
        long page = sysconf(_SC_PAGESIZE);
        uintptr_t start = ((uintptr_t)&__executable_start + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
        uintptr_t end = (uintptr_t)&etext & ~((uintptr_t)page - 1);
        malloc_trim(0);
        if (end > start)
                (void)madvise((void *)start, end - start, MADV_DONTNEED);
}

static void spawned_done(Spawned *s)
{
        closep(&s->pidfd);
        closep(&s->console_master);
        closep(&s->console_peer);
        closep(&s->notify_fd);
        net_state_done(&s->net);
}

/* Exit status and the line nspawn prints, from how PID 1 ended. */
static int report_end(const RunConfig *c, const siginfo_t *si, bool quiet, ContainerStatus *status)
{
        char sb[16];
        *status = CONTAINER_TERMINATED;
        if (si->si_code == CLD_EXITED) {
                if (!quiet) {
                        if (si->si_status == 0)
                                log_info("Container %s exited successfully.", c->name);
                        else
                                log_info("Container %s failed with error code %i.", c->name, si->si_status);
                }
                return si->si_status;
        }
        if (si->si_code == CLD_KILLED && si->si_status == SIGINT) {
                /* reboot(RB_POWER_OFF) by PID 1 of a PID namespace shows up as SIGINT. */
                if (!quiet)
                        log_info("Container %s has been shut down.", c->name);
                return 0;
        }
        if (si->si_code == CLD_KILLED && si->si_status == SIGHUP) {
                if (!quiet)
                        log_info("Container %s is being rebooted.", c->name);
                *status = CONTAINER_REBOOTED;
                return 0;
        }
        /* The kernel's OOM killer says nothing to the supervisor: its counter does. */
        if (si->si_status == SIGKILL && c->cgroup && container_cgroup_oom_kills(c->cgroup) > 0)
                log_info("Container %s terminated by signal KILL: out of memory (the container reached its MemoryMax=).", c->name);
        else
                log_info("Container %s terminated by signal %s.", c->name, signal_to_string(si->si_status, sb));
        return EXIT_FAILURE;
}

/* The machine in the registry, for corralctl: its system call filter and console socket, then
 * the state that makes it visible.  A failure costs only what corralctl can do with it. */
static void machine_register(Loop *l, pid_t leader)
{
        const RunConfig *c = l->c;
        struct timespec rt, mono;
        MachineRecord *m = c->record;
        clock_gettime(CLOCK_REALTIME, &rt);
        clock_gettime(CLOCK_MONOTONIC, &mono);
        m->leader = leader;
        m->supervisor = getpid();
        m->supervisor_start = pid_start_time(m->supervisor);
        m->realtime_us = (uint64_t)rt.tv_sec * 1000000 + (uint64_t)rt.tv_nsec / 1000;
        m->monotonic_us = (uint64_t)mono.tv_sec * 1000000 + (uint64_t)mono.tv_nsec / 1000;
        /* The rest first: once the state is there, so is everything beside it. */
        int r = 0;
        if (c->seccomp && c->seccomp->len > 0)
                r = registry_write_file(c->registry_dir, m->name, "seccomp", c->seccomp->filter, c->seccomp->len * sizeof(c->seccomp->filter[0]));
        if (r >= 0 && l->sp.console_master >= 0 && console_server_open(&l->console, c->registry_dir, m->name, l->sp.console_master) < 0)
                log_warning("cannot make the console socket of %s (corralctl console will not reach it): %m", m->name);
        if (r >= 0)
                r = registry_write(c->registry_dir, m);
        if (r < 0)
                log_warning("cannot register the machine in %s (corralctl will not list it): %s", c->registry_dir, strerror(-r));

        /* machinectl's view on a systemd host.  corral's registry is the one corral relies on,
         * so what machined says costs only machinectl's view of the machine. */
        if (!machined_possible())
                return;
        Error e = {0};
        int ifindex = net_veth_host_ifindex(&c->network);
        r = machined_register(m, &ifindex, ifindex > 0 ? 1 : 0, &e);
        if (r < 0)
                log_warning("%s (machinectl will not list the machine; corralctl does)", e.msg);
        l->machined = r > 0;
}

int container_run(const RunConfig *c, ContainerStatus *ret_status, Error *e)
{
        Loop l = {.c = c,
                  .sigfd = -1,
                  .console = CONSOLE_SERVER_NULL,
                  .sp = {.pidfd = -1, .console_master = -1, .console_peer = -1, .notify_fd = -1, .net = NET_STATE_NULL}};
        sigset_t mask, old;
        siginfo_t si = {0};
        bool quiet = c->quiet || c->console == CONSOLE_PIPE;
        int r;

        /* Signals are taken as events from before the clone, so none is lost in between.  A
         * background job of a shell starts with SIGINT ignored; an ignored signal is dropped
         * even while blocked, so set the ones we act on back to their defaults first. */
        struct sigaction dfl = {.sa_handler = SIG_DFL};
        sigaction(SIGINT, &dfl, NULL);
        sigaction(SIGTERM, &dfl, NULL);
        sigaction(SIGWINCH, &dfl, NULL);
        sigaction(SIGCHLD, &dfl, NULL);
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGWINCH);
        sigprocmask(SIG_BLOCK, &mask, &old);
        l.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (l.sigfd < 0) {
                r = error_set_errno(e, negative_errno(), "signalfd() failed");
                goto out;
        }

        if (!quiet) {
                log_info("Spawning container %s on %s.", c->name, c->image);
                if (c->console == CONSOLE_INTERACTIVE)
                        log_info("Press ^] three times within 1s to kill container.");
        }
        if ((r = container_spawn(c, &l.sp, e)) < 0)
                goto out;
        /* Registered before READY=1: who waits for it (corralctl start) finds the machine. */
        if (c->registry_dir) {
                machine_register(&l, l.sp.pid);
                log_debug("supervisor: machine %s registered in %s (PID 1 is %d on the host)", c->name, c->registry_dir, (int)l.sp.pid);
        }
        char msg[128];
        snprintf(msg, sizeof(msg), "STATUS=Container running.\nX_NSPAWN_LEADER_PID=%d", (int)l.sp.pid);
        notify_host(msg);
        if (!c->notify_ready)
                notify_host("READY=1\n");

        shed_setup_memory();
        /* After READY=1 and the shedding: the fork costs the start nothing, and copies little.
         * (Until then the child's parent-death signal covers it.) */
        l.watchdog = watchdog_start(l.sp.pidfd);
        l.forward_output = c->console == CONSOLE_INTERACTIVE || c->console == CONSOLE_READ_ONLY;
        l.forward_stdin = c->console == CONSOLE_INTERACTIVE;
        if (l.forward_stdin) {
                terminal_make_raw(&l.terminal, STDIN_FILENO);
                copy_winsize(&l);
        }
        r = loop_run(&l, &si);
        /* The container has ended: its watchdog (one per boot) is done. */
        if (l.watchdog > 0) {
                kill(l.watchdog, SIGKILL);
                (void)waitpid(l.watchdog, NULL, 0);
        }
        terminal_restore(&l.terminal);
        console_server_close(&l.console);
        if (c->registry_dir)
                registry_remove(c->registry_dir, c->name);
        if (l.machined)
                machined_unregister(c->name);
        /* The notify socket was made in the container's network namespace and holds it: the
         * namespace, and with it the veth pairs, goes only once it is closed. */
        closep(&l.sp.notify_fd);
        net_teardown(&c->network, &l.sp.net);
        notify_host("STOPPING=1\nSTATUS=Terminating...");
        if (r < 0) {
                error_set_errno(e, r, "supervising the container failed");
                goto out;
        }
        if (l.killed_by_escape && l.forward_output)
                fputs("\r\n", stderr);
        r = report_end(c, &si, quiet && !l.killed_by_escape, ret_status);
out:
        console_server_close(&l.console);
        spawned_done(&l.sp);
        closep(&l.sigfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}
