/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A minimal D-Bus client: the wire format of the D-Bus specification for the basic types corral
 * sends, EXTERNAL authentication, and a method call that waits for its reply.  Little-endian
 * messages only (what every Linux bus peer sends to a little-endian client). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bus-wire.h"
#include "terminal.h"
#include "macro.h"

enum { MSG_METHOD_CALL = 1, MSG_METHOD_RETURN = 2, MSG_ERROR = 3 };
enum {
        FIELD_PATH = 1,
        FIELD_INTERFACE = 2,
        FIELD_MEMBER = 3,
        FIELD_ERROR_NAME = 4,
        FIELD_REPLY_SERIAL = 5,
        FIELD_DESTINATION = 6,
        FIELD_SIGNATURE = 8
};
#define MESSAGE_MAX (1u << 20) /* ours are small; a bigger reply is not one we asked for */

void bus_writer_done(BusWriter *w)
{
        free(w->data);
        *w = (BusWriter){0};
}

static void put(BusWriter *w, const void *p, size_t n)
{
        if (w->oom || n == 0)
                return;
        if (w->len + n > w->cap) {
                size_t cap = MAX(w->cap * 2, w->len + n + 64);
                char *d = realloc(w->data, cap);
                if (!d) {
                        w->oom = true;
                        return;
                }
                w->data = d;
                w->cap = cap;
        }
        memcpy(w->data + w->len, p, n);
        w->len += n;
}

static void align(BusWriter *w, size_t a)
{
        static const char zeros[8];
        put(w, zeros, (a - w->len % a) % a);
}

void bus_put_byte(BusWriter *w, uint8_t v)
{
        put(w, &v, 1);
}

void bus_put_u32(BusWriter *w, uint32_t v)
{
        align(w, 4);
        put(w, &v, 4);
}

void bus_put_bool(BusWriter *w, bool v)
{
        bus_put_u32(w, v);
}

void bus_put_u64(BusWriter *w, uint64_t v)
{
        align(w, 8);
        put(w, &v, 8);
}

void bus_put_string(BusWriter *w, const char *s)
{
        bus_put_u32(w, (uint32_t)strlen(s));
        put(w, s, strlen(s) + 1);
}

void bus_put_signature(BusWriter *w, const char *sig)
{
        bus_put_byte(w, (uint8_t)strlen(sig));
        put(w, sig, strlen(sig) + 1);
}

BusArray bus_open_array(BusWriter *w, size_t a)
{
        BusArray arr;
        bus_put_u32(w, 0);
        arr.length_at = w->len - 4;
        align(w, a); /* the padding to the first element is not part of the length */
        arr.start = w->len;
        return arr;
}

void bus_close_array(BusWriter *w, BusArray a)
{
        if (w->oom)
                return;
        uint32_t n = (uint32_t)(w->len - a.start);
        memcpy(w->data + a.length_at, &n, 4);
}

void bus_open_struct(BusWriter *w)
{
        align(w, 8);
}

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_readable(int fd, int64_t deadline)
{
        for (;;) {
                int64_t left = deadline - now_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                struct pollfd p = {.fd = fd, .events = POLLIN};
                int n = poll(&p, 1, (int)left);
                if (n > 0)
                        return 0;
                if (n < 0 && errno != EINTR)
                        return -errno;
        }
}

static int read_exactly(int fd, void *p, size_t n, int64_t deadline)
{
        char *c = p;
        while (n > 0) {
                int r = wait_readable(fd, deadline);
                if (r < 0)
                        return r;
                ssize_t k = recv(fd, c, n, 0);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -ECONNRESET;
                c += k;
                n -= (size_t)k;
        }
        return 0;
}

/* One "\r\n"-terminated line of the authentication exchange. */
static int read_line(int fd, char *buf, size_t size, int64_t deadline)
{
        size_t n = 0;
        while (n + 1 < size) {
                int r = read_exactly(fd, buf + n, 1, deadline);
                if (r < 0)
                        return r;
                if (buf[n++] == '\n') {
                        buf[n] = 0;
                        return 0;
                }
        }
        return -EBADMSG;
}

void bus_close(Bus *b)
{
        if (b->fd >= 0)
                close(b->fd);
        *b = BUS_NULL;
}

int bus_connect(const char *path, bool hello, int timeout_ms, Bus *ret)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int64_t deadline = now_ms() + timeout_ms;
        char line[256], uid[16], hex[40] = "";
        Bus b = {.fd = -1, .serial = 0};
        int n, r;

        *ret = BUS_NULL;
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        if ((b.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
                return -errno;
        if (connect(b.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                r = -errno;
                goto fail;
        }
        snprintf(uid, sizeof(uid), "%u", (unsigned)geteuid());
        for (size_t i = 0; uid[i]; i++)
                snprintf(hex + 2 * i, 3, "%02x", (unsigned char)uid[i]);
        n = snprintf(line, sizeof(line), "%cAUTH EXTERNAL %s\r\n", 0, hex);
        if ((r = send_all(b.fd, line, (size_t)n)) < 0 || (r = read_line(b.fd, line, sizeof(line), deadline)) < 0)
                goto fail;
        if (!startswith(line, "OK ")) {
                r = -EACCES;
                goto fail;
        }
        if ((r = send_all(b.fd, "BEGIN\r\n", 7)) < 0)
                goto fail;
        if (hello && (r = bus_call(&b, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", NULL, NULL,
                                   (int)MAX(deadline - now_ms(), 1), NULL)) < 0)
                goto fail;
        *ret = b;
        return 0;
fail:
        bus_close(&b);
        return r;
}

static void header_field(BusWriter *h, uint8_t code, const char *sig, const char *value)
{
        bus_open_struct(h);
        bus_put_byte(h, code);
        bus_put_signature(h, sig);
        if (sig[0] == 'g')
                bus_put_signature(h, value);
        else
                bus_put_string(h, value);
}

static uint32_t u32_at(const char *p)
{
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
}

/* The fields of a received header that bus_call() looks at. */
typedef struct Reply {
        uint8_t type;
        uint32_t reply_serial;
        const char *error_name, *signature;
        const char *body;
        size_t body_len;
} Reply;

static int parse(const char *m, size_t header_end, size_t total, Reply *r)
{
        size_t off = 16, end = 16 + u32_at(m + 12);
        *r = (Reply){.type = (uint8_t)m[1], .body = m + header_end, .body_len = total - header_end};
        while (off < end) {
                off = (off + 7) & ~(size_t)7;
                if (off + 3 > end)
                        return -EBADMSG;
                uint8_t code = (uint8_t)m[off], siglen = (uint8_t)m[off + 1];
                if (siglen != 1 || off + 4 > end)
                        return -EBADMSG;
                char type = m[off + 2];
                off += 4;
                if (type == 'g') {
                        size_t n = (uint8_t)m[off];
                        if (off + n + 2 > end || m[off + 1 + n])
                                return -EBADMSG;
                        if (code == FIELD_SIGNATURE)
                                r->signature = m + off + 1;
                        off += n + 2;
                        continue;
                }
                off = (off + 3) & ~(size_t)3;
                if (off + 4 > end)
                        return -EBADMSG;
                uint32_t v = u32_at(m + off);
                off += 4;
                if (type == 'u') {
                        if (code == FIELD_REPLY_SERIAL)
                                r->reply_serial = v;
                        continue;
                }
                if (type != 's' && type != 'o')
                        return -EBADMSG;
                if (v > end || off + v + 1 > end || m[off + v])
                        return -EBADMSG;
                if (code == FIELD_ERROR_NAME)
                        r->error_name = m + off;
                off += v + 1;
        }
        return 0;
}

static char *error_text(const Reply *r)
{
        const char *msg = "";
        if (r->signature && r->signature[0] == 's' && r->body_len >= 5) {
                uint32_t n = u32_at(r->body);
                if (n < r->body_len - 4 && r->body[4 + n] == 0)
                        msg = r->body + 4;
        }
        char *t;
        if (asprintf(&t, "%s%s%s", r->error_name ? r->error_name : "error", *msg ? ": " : "", msg) < 0)
                return NULL;
        return t;
}

int bus_call(Bus *b, const char *destination, const char *path, const char *interface, const char *member, const char *signature,
             const BusWriter *body, int timeout_ms, char **ret_error)
{
        int64_t deadline = now_ms() + timeout_ms;
        BusWriter h = {0};
        uint32_t serial = ++b->serial;
        size_t body_len = body ? body->len : 0;
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (body && body->oom)
                return -ENOMEM;
        put(&h, "l\1\0\1", 4);
        bus_put_u32(&h, (uint32_t)body_len);
        bus_put_u32(&h, serial);
        BusArray fields = bus_open_array(&h, 8);
        header_field(&h, FIELD_PATH, "o", path);
        if (interface)
                header_field(&h, FIELD_INTERFACE, "s", interface);
        header_field(&h, FIELD_MEMBER, "s", member);
        if (destination)
                header_field(&h, FIELD_DESTINATION, "s", destination);
        if (signature && *signature)
                header_field(&h, FIELD_SIGNATURE, "g", signature);
        bus_close_array(&h, fields);
        align(&h, 8);
        if (body_len)
                put(&h, body->data, body_len);
        if (h.oom) {
                bus_writer_done(&h);
                return -ENOMEM;
        }
        r = send_all(b->fd, h.data, h.len);
        bus_writer_done(&h);
        if (r < 0)
                return r;

        /* Signals and other replies may come first: read until ours. */
        for (;;) {
                char fixed[16];
                if ((r = read_exactly(b->fd, fixed, sizeof(fixed), deadline)) < 0)
                        return r;
                if (fixed[0] != 'l')
                        return -EPROTONOSUPPORT;
                size_t fields_len = u32_at(fixed + 12), blen = u32_at(fixed + 4);
                if (fields_len > MESSAGE_MAX || blen > MESSAGE_MAX)
                        return -EBADMSG;
                size_t header_end = (16 + fields_len + 7) & ~(size_t)7, total = header_end + blen;
                _cleanup_free_ char *m = malloc(total + 1);
                if (!m)
                        return -ENOMEM;
                memcpy(m, fixed, sizeof(fixed));
                if ((r = read_exactly(b->fd, m + sizeof(fixed), total - sizeof(fixed), deadline)) < 0)
                        return r;
                m[total] = 0;
                Reply rep;
                if ((r = parse(m, header_end, total, &rep)) < 0)
                        return r;
                if (rep.reply_serial != serial || (rep.type != MSG_METHOD_RETURN && rep.type != MSG_ERROR))
                        continue;
                if (rep.type == MSG_METHOD_RETURN)
                        return 0;
                if (ret_error)
                        *ret_error = error_text(&rep);
                return -EREMOTEIO;
        }
}
