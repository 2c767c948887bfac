/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "error.h"
#include "parse-util.h"

_printf_(4, 0) static int error_setv(Error *e, int code, bool with_errno, const char *fmt, va_list ap)
{
        if (code >= 0)
                code = -EINVAL;
        if (!e || e->code != 0)
                return code;
        e->code = code;
        int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        if (with_errno && n >= 0 && (size_t)n < sizeof(e->msg))
                snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", strerror(-code));
        return code;
}

int(error_set)(Error *e, int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        code = error_setv(e, code, false, fmt, ap);
        va_end(ap);
        return code;
}

int(error_set_errno)(Error *e, int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        code = error_setv(e, code, true, fmt, ap);
        va_end(ap);
        return code;
}

int error_prefix(Error *e, const char *fmt, ...)
{
        char head[sizeof(e->msg)];
        va_list ap;
        if (!e)
                return -EINVAL;
        if (e->code >= 0) /* nothing recorded: a caller's mistake, but not a reason to lose the context */
                e->code = -EINVAL;
        va_start(ap, fmt);
        int n = vsnprintf(head, sizeof(head), fmt, ap);
        va_end(ap);
        if (n < 0)
                return e->code;
        size_t h = strnlen(head, sizeof(head) - 1), m = strlen(e->msg);
        if (m && h + 2 < sizeof(e->msg)) {
                size_t keep = MIN(m, sizeof(e->msg) - 1 - h - 2);
                memmove(e->msg + h + 2, e->msg, keep);
                e->msg[h + 2 + keep] = 0;
                memcpy(e->msg, head, h);
                memcpy(e->msg + h, ": ", 2);
        } else
                snprintf(e->msg, sizeof(e->msg), "%s", head);
        return e->code;
}

void error_shorten_value(Error *e, const char *value)
{
        char shown[VALUE_SHOWN_MAX];
        size_t n = strlen(value);
        if (!e || n <= 64)
                return;
        /* The message may hold only the value's start (it is cut at its size). */
        char *at = memmem(e->msg, strlen(e->msg), value, 48);
        if (!at)
                return;
        size_t have = 0, room = strlen(at);
        while (have < n && have < room && at[have] == value[have])
                have++;
        if (have <= 64)
                return; /* shown shortened already */
        value_shown(value, shown);
        char rest[sizeof(e->msg)];
        snprintf(rest, sizeof(rest), "%s", at + have);
        snprintf(at, sizeof(e->msg) - (size_t)(at - e->msg), "%s%s", shown, rest);
}
