/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one channel corral's programs write to people on: stderr, with a level.  Errors and
 * warnings carry the program's name ("corral: warning: ..."), status lines (nspawn's
 * "Spawning container ...") are plain, debug lines say "debug".  The level is the process's
 * one setting (the exception to "no globals": like errno, it belongs to the process): set by
 * log_setup() from $CORRAL_LOG_LEVEL, else $SYSTEMD_LOG_LEVEL (what nspawn users set), then by
 * --log-level=. */

#include "macro.h"

typedef enum LogLevel {
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARNING,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG,
        _LOG_LEVEL_MAX,
        _LOG_LEVEL_INVALID = -1,
} LogLevel;

/* Names the program for the prefix and takes the level from the environment; a bad value
 * there is ignored with a warning (a variable meant for other tools must not stop a start). */
void log_setup(const char *program);
/* "error"/"err", "warning"/"warn", "notice"/"info", "debug", systemd's other names (emerg,
 * alert, crit map to error) and syslog numbers 0-7; _LOG_LEVEL_INVALID for anything else. */
LogLevel log_level_from_string(const char *s);
const char *log_level_to_string(LogLevel l);
void log_set_level(LogLevel l);
LogLevel log_get_level(void);
static inline bool log_enabled(LogLevel l)
{
        return l <= log_get_level();
}

/* From now on lines go to fd instead of stderr, errors to both: as text, or with json as JSON
 * lines {"level":"error","msg":"...","time":"..."} (the OCI runtime's --log and --log-format,
 * whose callers show the last error's msg). */
void log_set_file(int fd, bool json);

/* Writes one line (a newline is added) if level is enabled; errno is kept, so "%m" works and
 * the caller's errno survives. */
_printf_(2, 3) void log_write(LogLevel level, const char *fmt, ...);
#define log_error(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_write(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_write(LOG_LEVEL_DEBUG, __VA_ARGS__)
