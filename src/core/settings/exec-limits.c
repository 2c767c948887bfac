/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exec-limits.h"
#include "macro.h"
#include "parse-util.h"

typedef enum Unit { UNIT_COUNT, UNIT_BYTES, UNIT_SEC, UNIT_USEC, UNIT_NICE } Unit;

static const struct {
        const char *name;
        Unit unit;
} table[N_RLIMITS] = {
        [RLIMIT_CPU] = {"CPU", UNIT_SEC},
        [RLIMIT_FSIZE] = {"FSIZE", UNIT_BYTES},
        [RLIMIT_DATA] = {"DATA", UNIT_BYTES},
        [RLIMIT_STACK] = {"STACK", UNIT_BYTES},
        [RLIMIT_CORE] = {"CORE", UNIT_BYTES},
        [RLIMIT_RSS] = {"RSS", UNIT_BYTES},
        [RLIMIT_NOFILE] = {"NOFILE", UNIT_COUNT},
        [RLIMIT_AS] = {"AS", UNIT_BYTES},
        [RLIMIT_NPROC] = {"NPROC", UNIT_COUNT},
        [RLIMIT_MEMLOCK] = {"MEMLOCK", UNIT_BYTES},
        [RLIMIT_LOCKS] = {"LOCKS", UNIT_COUNT},
        [RLIMIT_SIGPENDING] = {"SIGPENDING", UNIT_COUNT},
        [RLIMIT_MSGQUEUE] = {"MSGQUEUE", UNIT_BYTES},
        [RLIMIT_NICE] = {"NICE", UNIT_NICE},
        [RLIMIT_RTPRIO] = {"RTPRIO", UNIT_COUNT},
        [RLIMIT_RTTIME] = {"RTTIME", UNIT_USEC},
};

const char *rlimit_to_name(int resource)
{
        return resource >= 0 && resource < N_RLIMITS ? table[resource].name : NULL;
}

int rlimit_from_name(const char *name)
{
        const char *n = startswith(name, "RLIMIT_") ?: startswith(name, "Limit") ?: name;
        for (int i = 0; i < N_RLIMITS; i++)
                if (table[i].name && streq(table[i].name, n))
                        return i;
        return -EINVAL;
}

/* A decimal number with an optional fraction, then a suffix; *ret_end at the suffix. */
static int number(const char *s, double *ret, const char **ret_end)
{
        char *end;
        if (!isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || !isfinite(v))
                return -EINVAL;
        *ret = v;
        *ret_end = end;
        return 0;
}

int size_parse(const char *s, unsigned base, uint64_t *ret)
{
        static const char suffixes[] = "BKMGTPE";
        double v;
        const char *end;
        if (number(s, &v, &end) < 0)
                return -EINVAL;
        const char *p = *end ? strchr(suffixes, *end) : NULL;
        if (*end && (!p || end[1]))
                return -EINVAL;
        for (ptrdiff_t i = p ? p - suffixes : 0; i > 0; i--)
                v *= base;
        if (v >= 18446744073709551615.0)
                return -ERANGE;
        *ret = (uint64_t)v;
        return 0;
}

static int parse_bytes(const char *s, rlim_t *ret)
{
        uint64_t v;
        int r = size_parse(s, 1024, &v);
        if (r >= 0)
                *ret = (rlim_t)v;
        return r;
}

/* systemd's time spans: "1h 30min", "500ms", "2.5s"; a plain number is in default_usec units. */
int timespan_parse_usec(const char *s, double default_usec, double *ret)
{
        static const struct {
                const char *suffix;
                double usec;
        } units[] = {
                {"usec", 1},       {"us", 1},           {"msec", 1e3},      {"ms", 1e3},      {"seconds", 1e6},  {"second", 1e6},
                {"sec", 1e6},      {"s", 1e6},          {"minutes", 60e6},  {"minute", 60e6}, {"min", 60e6},     {"m", 60e6},
                {"hours", 3600e6}, {"hour", 3600e6},    {"hr", 3600e6},     {"h", 3600e6},    {"days", 86400e6}, {"day", 86400e6},
                {"d", 86400e6},    {"weeks", 604800e6}, {"week", 604800e6}, {"w", 604800e6},
        };
        double total = 0;
        bool any = false;
        while (*s) {
                double v;
                const char *end;
                s += strspn(s, " ");
                if (!*s)
                        break;
                if (number(s, &v, &end) < 0)
                        return -EINVAL;
                size_t n = strcspn(end, " 0123456789");
                double mult = -1;
                if (n == 0)
                        mult = default_usec;
                for (size_t i = 0; i < ELEMENTSOF(units) && mult < 0; i++)
                        if (strlen(units[i].suffix) == n && strncmp(end, units[i].suffix, n) == 0)
                                mult = units[i].usec;
                if (mult < 0)
                        return -EINVAL;
                total += v * mult;
                any = true;
                s = end + n;
        }
        if (!any)
                return -EINVAL;
        *ret = total;
        return 0;
}

static int parse_one(int resource, const char *s, rlim_t *ret)
{
        double usec;
        unsigned long u;
        if (streq(s, "infinity")) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        switch (table[resource].unit) {
        case UNIT_BYTES:
                return parse_bytes(s, ret);
        case UNIT_SEC:
                if (timespan_parse_usec(s, 1e6, &usec) < 0)
                        return -EINVAL;
                *ret = (rlim_t)(usec / 1e6); /* as systemd: round up to whole seconds */
                if ((double)*ret * 1e6 < usec)
                        (*ret)++;
                return 0;
        case UNIT_USEC:
                if (timespan_parse_usec(s, 1, &usec) < 0)
                        return -EINVAL;
                *ret = (rlim_t)usec;
                return 0;
        case UNIT_NICE:
                if (*s == '-' || *s == '+') {
                        /* a nice level: RLIMIT_NICE is 20 - level */
                        if (parse_unsigned(s + 1, &u) < 0 || (*s == '-' && u > 20) || (*s == '+' && u > 19))
                                return -ERANGE;
                        *ret = (rlim_t)(20 - (*s == '-' ? -(long)u : (long)u));
                        return 0;
                }
                if (parse_unsigned(s, &u) < 0 || u > 40)
                        return -ERANGE;
                *ret = u;
                return 0;
        default:
                if (parse_unsigned(s, &u) < 0)
                        return -EINVAL;
                *ret = u;
                return 0;
        }
}

int rlimit_parse(int resource, const char *value, struct rlimit *ret)
{
        if (resource < 0 || resource >= N_RLIMITS || !table[resource].name)
                return -EINVAL;
        _cleanup_free_ char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        char *colon = strchr(copy, ':');
        if (colon)
                *colon = 0;
        struct rlimit r;
        int k = parse_one(resource, copy, &r.rlim_cur);
        if (k < 0)
                return k;
        if (!colon)
                r.rlim_max = r.rlim_cur;
        else if ((k = parse_one(resource, colon + 1, &r.rlim_max)) < 0)
                return k;
        if (r.rlim_cur > r.rlim_max)
                return -EINVAL;
        *ret = r;
        return 0;
}

unsigned cpu_set_count(const CpuSet *a, const CpuSet *b)
{
        unsigned n = 0;
        for (size_t i = 0; i < ELEMENTSOF(a->bits); i++)
                n += (unsigned)__builtin_popcountll(a->bits[i] & (b ? b->bits[i] : UINT64_MAX));
        return n;
}

int cpu_set_parse(const char *value, CpuSet *ret, Error *e, const char *what)
{
        _cleanup_free_ char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        *ret = (CpuSet){0};
        for (char *save = NULL, *w = strtok_r(copy, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
                unsigned long a, b;
                char *dash = strchr(w, '-');
                if (dash)
                        *dash = 0;
                if (parse_unsigned(w, &a) < 0 || (dash && parse_unsigned(dash + 1, &b) < 0))
                        return error_set(e, -EINVAL, "%s: \"%s%s%s\" is not a CPU number or range (like 0-3,6)", what, w, dash ? "-" : "",
                                         dash ? dash + 1 : "");
                if (!dash)
                        b = a;
                if (a > b || b >= CPU_SET_MAX)
                        return error_set(e, -ERANGE, "%s: CPU range %lu-%lu is out of order or past %d", what, a, b, CPU_SET_MAX - 1);
                for (unsigned long c = a; c <= b; c++)
                        cpu_set_add(ret, (unsigned)c);
        }
        return 0;
}
