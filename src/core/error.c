/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "error.h"

static int error_setv(Error *e, int code, bool with_errno, const char *fmt, va_list ap)
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

int error_set(Error *e, int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        code = error_setv(e, code, false, fmt, ap);
        va_end(ap);
        return code;
}

int error_set_errno(Error *e, int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        code = error_setv(e, code, true, fmt, ap);
        va_end(ap);
        return code;
}
