/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <strings.h>
#include <time.h>

#include "log.h"

static LogLevel level = LOG_LEVEL_INFO;
static const char *program = "corral";

static const char *const names[_LOG_LEVEL_MAX] = {"error", "warning", "info", "debug"};
static int log_fd = -1;
static bool log_json;

void log_set_file(int fd, bool json)
{
        log_fd = fd;
        log_json = json;
}

/* msg as a JSON string's content. */
static size_t json_escape(const char *msg, char *out, size_t size)
{
        size_t n = 0;
        for (const unsigned char *c = (const unsigned char *)msg; *c && n + 7 < size; c++) {
                if (*c == '"' || *c == '\\') {
                        out[n++] = '\\';
                        out[n++] = (char)*c;
                } else if (*c < 0x20)
                        n += (size_t)snprintf(out + n, size - n, "\\u%04x", *c);
                else
                        out[n++] = (char)*c;
        }
        out[n] = 0;
        return n;
}

static void write_log_file(LogLevel l, const char *msg, const char *line, size_t len)
{
        if (!log_json) {
                (void)!write(log_fd, line, len);
                return;
        }
        char esc[8192], out[8400], stamp[40];
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
        json_escape(msg, esc, sizeof(esc));
        int n = snprintf(out, sizeof(out), "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s.%09ldZ\"}\n", names[l], esc, stamp, ts.tv_nsec);
        if (n > 0)
                (void)!write(log_fd, out, MIN((size_t)n, sizeof(out) - 1));
}

LogLevel log_level_from_string(const char *s)
{
        static const struct {
                const char *name;
                LogLevel level;
        } table[] = {
                {"emerg", LOG_LEVEL_ERROR}, {"alert", LOG_LEVEL_ERROR},     {"crit", LOG_LEVEL_ERROR},   {"err", LOG_LEVEL_ERROR},
                {"error", LOG_LEVEL_ERROR}, {"warning", LOG_LEVEL_WARNING}, {"warn", LOG_LEVEL_WARNING}, {"notice", LOG_LEVEL_INFO},
                {"info", LOG_LEVEL_INFO},   {"debug", LOG_LEVEL_DEBUG},
        };
        if (!s)
                return _LOG_LEVEL_INVALID;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strcasecmp(s, table[i].name) == 0)
                        return table[i].level;
        /* syslog's numbers: 0-3 errors, 4 warning, 5-6 info, 7 debug. */
        if (s[0] >= '0' && s[0] <= '7' && !s[1])
                return s[0] <= '3' ? LOG_LEVEL_ERROR : s[0] == '4' ? LOG_LEVEL_WARNING : s[0] == '7' ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
        return _LOG_LEVEL_INVALID;
}

const char *log_level_to_string(LogLevel l)
{
        return l >= 0 && l < _LOG_LEVEL_MAX ? names[l] : NULL;
}

void log_set_level(LogLevel l)
{
        if (l >= 0 && l < _LOG_LEVEL_MAX)
                level = l;
}

LogLevel log_get_level(void)
{
        return level;
}

void log_setup(const char *name)
{
        const char *const vars[] = {"CORRAL_LOG_LEVEL", "SYSTEMD_LOG_LEVEL"};
        if (name)
                program = name;
        for (size_t i = 0; i < ELEMENTSOF(vars); i++) {
                const char *v = getenv(vars[i]);
                if (!v || !*v)
                        continue;
                LogLevel l = log_level_from_string(v);
                if (l == _LOG_LEVEL_INVALID)
                        log_warning("$%s=%s is not a log level (error, warning, info, debug); ignored", vars[i], v);
                else
                        level = l;
                return;
        }
}

void log_write(LogLevel l, const char *fmt, ...)
{
        int saved = errno;
        if (l > level)
                return;
        char line[4096];
        int n = 0;
        if (l == LOG_LEVEL_ERROR)
                n = snprintf(line, sizeof(line), "%s: ", program);
        else if (l != LOG_LEVEL_INFO)
                n = snprintf(line, sizeof(line), "%s: %s: ", program, names[l]);
        va_list ap;
        va_start(ap, fmt);
        errno = saved;
        int start = n >= 0 && (size_t)n < sizeof(line) ? n : 0;
        vsnprintf(line + start, sizeof(line) - (size_t)start, fmt, ap);
        va_end(ap);
        /* One write per line, so lines of the supervisor and its helpers do not interleave. */
        size_t len = strnlen(line, sizeof(line) - 2);
        line[len] = 0;
        const char *msg = line + start;
        if (log_fd >= 0 && log_json)
                write_log_file(l, msg, line, len);
        line[len++] = '\n';
        if (log_fd >= 0 && !log_json)
                write_log_file(l, msg, line, len);
        fflush(stderr);
        if (log_fd < 0 || l == LOG_LEVEL_ERROR)
                (void)!write(STDERR_FILENO, line, len);
        errno = saved;
}
