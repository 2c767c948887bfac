/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <strings.h>

#include "log.h"

static LogLevel level = LOG_LEVEL_INFO;
static const char *program = "corral";

static const char *const names[_LOG_LEVEL_MAX] = {"error", "warning", "info", "debug"};

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
        if (n >= 0 && (size_t)n < sizeof(line))
                vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
        va_end(ap);
        /* One write per line, so lines of the supervisor and its helpers do not interleave. */
        size_t len = strnlen(line, sizeof(line) - 2);
        line[len++] = '\n';
        fflush(stderr);
        (void)!write(STDERR_FILENO, line, len);
        errno = saved;
}
