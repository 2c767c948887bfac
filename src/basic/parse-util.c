/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <strings.h>

#include "parse-util.h"

int parse_boolean(const char *s)
{
        static const char *const yes[] = {"1", "yes", "y", "true", "t", "on"};
        static const char *const no[] = {"0", "no", "n", "false", "f", "off"};
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0)
                        return 1;
                if (strcasecmp(s, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

static const char *const signal_names[] = {
        [SIGHUP] = "HUP",   [SIGINT] = "INT",       [SIGQUIT] = "QUIT", [SIGILL] = "ILL",       [SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",
        [SIGBUS] = "BUS",   [SIGFPE] = "FPE",       [SIGKILL] = "KILL", [SIGUSR1] = "USR1",     [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
        [SIGPIPE] = "PIPE", [SIGALRM] = "ALRM",     [SIGTERM] = "TERM", [SIGSTKFLT] = "STKFLT", [SIGCHLD] = "CHLD", [SIGCONT] = "CONT",
        [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",     [SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU",     [SIGURG] = "URG",   [SIGXCPU] = "XCPU",
        [SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH",   [SIGIO] = "IO",     [SIGPWR] = "PWR",
        [SIGSYS] = "SYS",
};

static int parse_int_strict(const char *s, int *ret)
{
        char *end;
        if (!isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || *end || v > INT_MAX)
                return -EINVAL;
        *ret = (int)v;
        return 0;
}

int parse_signal(const char *s, int *ret)
{
        const char *n = startswith(s, "SIG") ?: s;
        int sig = -1, off;

        for (size_t i = 1; i < ELEMENTSOF(signal_names); i++)
                if (signal_names[i] && streq(n, signal_names[i]))
                        sig = (int)i;
        if (sig < 0 && streq(n, "RTMIN"))
                sig = SIGNAL_RTMIN;
        else if (sig < 0 && streq(n, "RTMAX"))
                sig = SIGNAL_RTMAX;
        else if (sig < 0 && startswith(n, "RTMIN+") && parse_int_strict(n + 6, &off) == 0)
                sig = SIGNAL_RTMIN + off;
        else if (sig < 0 && startswith(n, "RTMAX-") && parse_int_strict(n + 6, &off) == 0)
                sig = SIGNAL_RTMAX - off;
        else if (sig < 0 && n == s && parse_int_strict(s, &off) == 0)
                sig = off;
        if (sig < 1 || sig > SIGNAL_RTMAX)
                return -EINVAL;
        *ret = sig;
        return 0;
}

const char *signal_to_string(int sig, char buf[static 16])
{
        if (sig > 0 && (size_t)sig < ELEMENTSOF(signal_names) && signal_names[sig])
                snprintf(buf, 16, "SIG%s", signal_names[sig]);
        else if (sig >= SIGNAL_RTMIN && sig <= SIGNAL_RTMAX)
                snprintf(buf, 16, "SIGRTMIN+%d", sig - SIGNAL_RTMIN);
        else
                snprintf(buf, 16, "%d", sig);
        return buf;
}

static int unhex(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (char)tolower((unsigned char)c);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

int parse_uuid(const char *s, uint8_t ret[static 16])
{
        uint8_t id[16];
        size_t len = strlen(s), j = 0;
        bool dashed = len == 36;

        if (len != 32 && len != 36)
                return -EINVAL;
        for (size_t i = 0; i < len;) {
                if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
                        if (s[i++] != '-')
                                return -EINVAL;
                        continue;
                }
                int hi = unhex(s[i]), lo = unhex(s[i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                id[j++] = (uint8_t)(hi << 4 | lo);
                i += 2;
        }
        memcpy(ret, id, 16);
        return 0;
}

void format_uuid(const uint8_t id[static 16], char buf[static 37])
{
        char *p = buf;
        for (int i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                        *p++ = '-';
                p += sprintf(p, "%02x", id[i]);
        }
}

void format_id128(const uint8_t id[static 16], char buf[static 33])
{
        for (int i = 0; i < 16; i++)
                sprintf(buf + 2 * i, "%02x", id[i]);
}

int parse_unsigned(const char *s, unsigned long *ret)
{
        char *end;
        if (!isdigit((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        unsigned long v = strtoul(s, &end, 0);
        if (errno || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* As systemd's hostname_is_valid(): dot-separated labels of [a-zA-Z0-9-_], at most 64 chars. */
bool hostname_is_valid(const char *s)
{
        size_t n = 0;
        bool dot = true;

        if (isempty(s) || strlen(s) > 64)
                return false;
        for (const char *p = s; *p; p++, n++) {
                if (*p == '.') {
                        if (dot)
                                return false;
                        dot = true;
                } else {
                        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
                                return false;
                        dot = false;
                }
        }
        return !dot;
}

bool machine_name_is_valid(const char *s)
{
        return hostname_is_valid(s);
}

bool env_name_is_valid(const char *s, size_t n)
{
        if (n == 0 || isdigit((unsigned char)s[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '_')
                        return false;
        return true;
}

bool env_assignment_is_valid(const char *s)
{
        const char *eq = strchr(s, '=');
        return eq && env_name_is_valid(s, (size_t)(eq - s));
}

int split_colon(const char *s, char **ret_first, const char **ret_rest)
{
        char *out = malloc(strlen(s) + 1), *o = out;
        const char *p = s;

        if (!out)
                return -ENOMEM;
        for (; *p && *p != ':'; p++) {
                if (*p == '\\' && p[1] == ':')
                        p++;
                *o++ = *p;
        }
        *o = 0;
        *ret_first = out;
        *ret_rest = *p == ':' ? p + 1 : NULL;
        return 0;
}

int extract_colon_field(const char **p, char **ret)
{
        const char *s = *p;
        if (!s || (!*s && !ret))
                return 0;
        char *out = malloc(strlen(s) + 1), *o = out;
        if (!out)
                return -ENOMEM;
        for (; *s && *s != ':'; s++) {
                if (*s == '\\' && s[1])
                        s++;
                *o++ = *s;
        }
        *o = 0;
        *p = *s == ':' ? s + 1 : NULL;
        *ret = out;
        return 1;
}

static int unescape_one(const char **pp, char *out)
{
        const char *p = *pp;
        switch (*p) {
        case 'n':
                *out = '\n';
                break;
        case 't':
                *out = '\t';
                break;
        case 'r':
                *out = '\r';
                break;
        case 'a':
                *out = '\a';
                break;
        case 'b':
                *out = '\b';
                break;
        case 'f':
                *out = '\f';
                break;
        case 'v':
                *out = '\v';
                break;
        case 's':
                *out = ' ';
                break;
        case '\\':
        case '"':
        case '\'':
        case ' ':
                *out = *p;
                break;
        case 'x': {
                int a = p[1] ? unhex(p[1]) : -1, b = a >= 0 && p[2] ? unhex(p[2]) : -1;
                if (a < 0 || b < 0)
                        return -EINVAL;
                *out = (char)(a << 4 | b);
                p += 2;
                break;
        }
        case '0' ... '7': {
                if (p[1] < '0' || p[1] > '7' || p[2] < '0' || p[2] > '7')
                        return -EINVAL;
                int v = (p[0] - '0') * 64 + (p[1] - '0') * 8 + (p[2] - '0');
                if (v > 255)
                        return -EINVAL;
                *out = (char)v;
                p += 2;
                break;
        }
        default:
                return -EINVAL;
        }
        *pp = p;
        return 0;
}

int cunescape(const char *s, char **ret, size_t *ret_size)
{
        char *out = malloc(strlen(s) + 1), *o = out;
        if (!out)
                return -ENOMEM;
        for (const char *p = s; *p; p++) {
                if (*p == '\\') {
                        p++;
                        if (!*p || unescape_one(&p, o) < 0) {
                                free(out);
                                return -EINVAL;
                        }
                        o++;
                } else
                        *o++ = *p;
        }
        *o = 0;
        if (ret_size)
                *ret_size = (size_t)(o - out);
        *ret = out;
        return 0;
}

int split_words(const char *s, char ***ret)
{
        char **l = calloc(1, sizeof(char *));
        char *w = malloc(strlen(s) + 1);
        int r = -ENOMEM;

        if (!l || !w)
                goto fail;
        for (const char *p = s;;) {
                while (*p && strchr(" \t\n\r", *p))
                        p++;
                if (!*p)
                        break;
                char *o = w, quote = 0;
                for (; *p && (quote || !strchr(" \t\n\r", *p)); p++) {
                        if (quote && *p == quote) {
                                quote = 0;
                        } else if (!quote && (*p == '\'' || *p == '"')) {
                                quote = *p;
                        } else if (*p == '\\') {
                                p++;
                                if (!*p || unescape_one(&p, o) < 0) {
                                        r = -EINVAL;
                                        goto fail;
                                }
                                o++;
                        } else
                                *o++ = *p;
                }
                if (quote) {
                        r = -EINVAL;
                        goto fail;
                }
                *o = 0;
                size_t n = 0;
                while (l[n])
                        n++;
                char **nl = realloc(l, sizeof(char *) * (n + 2));
                if (!nl)
                        goto fail;
                l = nl;
                if (!(l[n] = strdup(w)))
                        goto fail;
                l[n + 1] = NULL;
        }
        free(w);
        *ret = l;
        return 0;
fail:
        free(w);
        for (size_t i = 0; l && l[i]; i++)
                free(l[i]);
        free(l);
        return r;
}

int ipv4_address_parse(const char *s, uint32_t *ret_addr)
{
        struct in_addr in;
        if (inet_pton(AF_INET, s, &in) != 1)
                return -EINVAL;
        *ret_addr = ntohl(in.s_addr);
        return 0;
}

int ipv4_prefix_parse(const char *s, unsigned min_len, unsigned max_len, uint32_t *ret_addr, unsigned *ret_len)
{
        char a[INET_ADDRSTRLEN];
        const char *slash = strchr(s, '/');
        char *end;
        if (!slash || (size_t)(slash - s) >= sizeof(a))
                return -EINVAL;
        memcpy(a, s, (size_t)(slash - s));
        a[slash - s] = 0;
        long len = strtol(slash + 1, &end, 10);
        if (!slash[1] || *end || len < (long)min_len || len > (long)max_len || ipv4_address_parse(a, ret_addr) < 0)
                return -EINVAL;
        *ret_len = (unsigned)len;
        return 0;
}

void ipv4_address_format(uint32_t a, char *buf)
{
        snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

const char *value_shown(const char *v, char buf[static VALUE_SHOWN_MAX])
{
        size_t n = strlen(v);
        if (n <= 64)
                return v;
        snprintf(buf, VALUE_SHOWN_MAX, "%.48s… (%zu bytes)", v, n);
        return buf;
}
