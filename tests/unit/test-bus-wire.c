/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The D-Bus wire client: the alignment rules of the specification, byte for byte, and a call
 * against a peer played by the test (authentication, a signal to skip, replies). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus-wire.h"
#include "tap.h"

TEST(writer)
{
        BusWriter w = {0};
        bus_put_string(&w, "ab");           /* 0..7: length 2, "ab", NUL */
        BusArray a = bus_open_array(&w, 8); /* length at 8..12, padding to 16 */
        bus_open_struct(&w);
        bus_put_string(&w, "x"); /* 16..22 */
        bus_close_array(&w, a);
        uint32_t n;
        memcpy(&n, w.data + 8, 4);
        CHECK(w.len == 22 && n == 6, "an array's length leaves out the padding before its first element (len %zu, length %u)", w.len, n);
        bus_put_u64(&w, 1);
        CHECK(w.len == 32, "a u64 is aligned to 8 (len %zu)", w.len);
        bus_put_signature(&w, "au");
        CHECK(w.len == 36 && w.data[32] == 2 && w.data[35] == 0, "a signature is a length byte, the text and a NUL");
        bus_writer_done(&w);
}

static const char *sock_path = "/tmp/corral-test-bus.sock";

static int read_n(int fd, void *p, size_t n)
{
        for (size_t got = 0; got < n;) {
                ssize_t k = read(fd, (char *)p + got, n - got);
                if (k <= 0)
                        return -1;
                got += (size_t)k;
        }
        return 0;
}

/* A message as a peer sends it: type, reply serial (0: none), error name, a string body. */
static void peer_send(int fd, uint8_t type, uint32_t serial, uint32_t reply_serial, const char *error, const char *text)
{
        BusWriter b = {0}, h = {0};
        if (text)
                bus_put_string(&b, text);
        bus_put_byte(&h, 'l');
        bus_put_byte(&h, type);
        bus_put_byte(&h, 0);
        bus_put_byte(&h, 1);
        bus_put_u32(&h, (uint32_t)b.len);
        bus_put_u32(&h, serial);
        BusArray f = bus_open_array(&h, 8);
        if (reply_serial) {
                bus_open_struct(&h);
                bus_put_byte(&h, 5);
                bus_put_signature(&h, "u");
                bus_put_u32(&h, reply_serial);
        } else {
                bus_open_struct(&h);
                bus_put_byte(&h, 1);
                bus_put_signature(&h, "o");
                bus_put_string(&h, "/org/freedesktop/systemd1");
        }
        if (error) {
                bus_open_struct(&h);
                bus_put_byte(&h, 4);
                bus_put_signature(&h, "s");
                bus_put_string(&h, error);
        }
        if (text) {
                bus_open_struct(&h);
                bus_put_byte(&h, 8);
                bus_put_signature(&h, "g");
                bus_put_signature(&h, "s");
        }
        bus_close_array(&h, f);
        while (h.len % 8)
                bus_put_byte(&h, 0);
        if (write(fd, h.data, h.len) != (ssize_t)h.len || (b.len && write(fd, b.data, b.len) != (ssize_t)b.len))
                _exit(3);
        bus_writer_done(&b);
        bus_writer_done(&h);
}

/* The call test_call() makes: path "/o", member "M", signature "u", body 7. */
static const unsigned char expected_call[] = {
        'l', 1, 0,   1, 4, 0,   0, 0, 1,   0,   0, 0, 39, 0, 0, 0, /* header: body 4 bytes, serial 1, fields 39 bytes */
        1,   1, 'o', 0, 2, 0,   0, 0, '/', 'o', 0, 0, 0,  0, 0, 0, /* PATH "/o", padding */
        3,   1, 's', 0, 1, 0,   0, 0, 'M', 0,   0, 0, 0,  0, 0, 0, /* MEMBER "M", padding */
        8,   1, 'g', 0, 1, 'u', 0, 0,                              /* SIGNATURE "u", padding to 8 */
        7,   0, 0,   0,                                            /* the body */
};

static void peer(int lfd, int replies)
{
        char auth[64] = "", want[64], uid[16], hex[40] = "";
        int fd = accept(lfd, NULL, NULL);
        snprintf(uid, sizeof(uid), "%u", (unsigned)geteuid());
        for (size_t i = 0; uid[i]; i++)
                snprintf(hex + 2 * i, 3, "%02x", (unsigned char)uid[i]);
        int n = snprintf(want, sizeof(want), "%cAUTH EXTERNAL %s\r\n", 0, hex);
        if (fd < 0 || read_n(fd, auth, (size_t)n) < 0 || memcmp(auth, want, (size_t)n) != 0)
                _exit(10);
        if (write(fd, "OK 0123456789abcdef\r\n", 21) != 21 || read_n(fd, auth, 7) < 0 || memcmp(auth, "BEGIN\r\n", 7) != 0)
                _exit(11);
        for (uint32_t serial = 1; serial <= (uint32_t)replies; serial++) {
                unsigned char m[sizeof(expected_call)];
                if (read_n(fd, m, sizeof(m)) < 0)
                        _exit(12);
                m[8] = 1; /* the serial counts up; the rest is the same call */
                if (memcmp(m, expected_call, sizeof(m)) != 0)
                        _exit(13);
                peer_send(fd, 4, 100, 0, NULL, NULL); /* a signal first: to be skipped */
                if (serial == 1)
                        peer_send(fd, 3, 101, serial, "org.freedesktop.systemd1.UnitExists", "Unit x.scope exists.");
                else
                        peer_send(fd, 2, 102, serial, NULL, NULL);
        }
        _exit(0);
}

TEST(call)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        strcpy(sa.sun_path, sock_path);
        unlink(sock_path);
        int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(lfd, 1) == 0, "a socket to play the peer on");
        pid_t pid = fork();
        if (pid == 0)
                peer(lfd, 2);
        close(lfd);

        Bus bus;
        CHECK(bus_connect(sock_path, false, 5000, &bus) == 0, "authenticates with EXTERNAL as its UID");
        BusWriter body = {0};
        bus_put_u32(&body, 7);
        char *err = NULL;
        int r = bus_call(&bus, NULL, "/o", NULL, "M", "u", &body, 5000, &err);
        CHECK(r == -EREMOTEIO, "an error reply is -EREMOTEIO (%d)", r);
        CHECK_STREQ(err, "org.freedesktop.systemd1.UnitExists: Unit x.scope exists.", "with the error's name and message");
        free(err);
        r = bus_call(&bus, NULL, "/o", NULL, "M", "u", &body, 5000, &err);
        CHECK(r == 0 && !err, "a method return is 0, after a signal it skips (%d)", r);
        bus_writer_done(&body);
        bus_close(&bus);
        int status = -1;
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the peer saw the bytes the specification asks for (peer exit %d)",
              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        unlink(sock_path);

        CHECK(bus_connect("/tmp/corral-test-bus-none.sock", false, 1000, &bus) == -ENOENT, "no socket: -ENOENT");
}

TAP_MAIN
