/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Output of the listings: tables padded to their widest cell (bold header on a terminal) and JSON. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "corralctl.h"
#include "image-store.h"

int table_add_typed(Table *t, const char *const *row, const char *const *json)
{
        size_t n = (t->n_rows + 1) * t->n_cols;
        char **c = realloc(t->cells, n * sizeof(char *));
        if (!c)
                return -ENOMEM;
        t->cells = c;
        char **j = realloc(t->json, n * sizeof(char *));
        if (!j)
                return -ENOMEM;
        t->json = j;
        for (size_t i = 0; i < t->n_cols; i++) {
                size_t k = t->n_rows * t->n_cols + i;
                c[k] = strdup(row[i] ? row[i] : "");
                j[k] = json && json[i] ? strdup(json[i]) : NULL;
                if (!c[k] || (json && json[i] && !j[k])) {
                        for (size_t l = t->n_rows * t->n_cols; l <= k; l++) {
                                free(c[l]);
                                free(j[l]);
                        }
                        return -ENOMEM;
                }
        }
        t->n_rows++;
        return 0;
}

int table_add(Table *t, const char *const *row)
{
        return table_add_typed(t, row, NULL);
}

void table_print(const Table *t, bool legend)
{
        size_t w[16] = {0};
        bool tty = isatty(STDOUT_FILENO);
        for (size_t i = 0; i < t->n_cols; i++) {
                w[i] = legend ? strlen(t->header[i]) : 0;
                for (size_t r = 0; r < t->n_rows; r++)
                        w[i] = MAX(w[i], strlen(t->cells[r * t->n_cols + i]));
        }
        for (size_t r = legend ? 0 : 1; r <= t->n_rows; r++) {
                if (r == 0 && tty)
                        fputs("\033[1m", stdout);
                for (size_t i = 0; i < t->n_cols; i++) {
                        const char *v = r == 0 ? t->header[i] : t->cells[(r - 1) * t->n_cols + i];
                        if (t->right & (1u << i))
                                printf("%*s%s", (int)w[i], v, i + 1 < t->n_cols ? " " : "");
                        else if (i + 1 < t->n_cols)
                                printf("%-*s ", (int)w[i], v);
                        else
                                fputs(v, stdout);
                }
                if (r == 0 && tty)
                        fputs("\033[0m", stdout);
                putchar('\n');
        }
}

void table_done(Table *t)
{
        for (size_t i = 0; i < t->n_rows * t->n_cols; i++) {
                free(t->cells[i]);
                free(t->json[i]);
        }
        free(t->cells);
        free(t->json);
}

void json_string(const char *s)
{
        putchar('"');
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\')
                        printf("\\%c", c);
                else if (c < 0x20)
                        printf("\\u%04x", c);
                else
                        putchar(c);
        }
        putchar('"');
}

void json_begin(JsonMode mode)
{
        if (mode == JSON_SSE)
                fputs("data: ", stdout);
        else if (mode == JSON_SEQ)
                putchar('\x1e');
}

void json_end(JsonMode mode)
{
        fputs(mode == JSON_SSE ? "\n\n" : "\n", stdout);
}

void json_u64(uint64_t v, char *buf, size_t size)
{
        if (v == UINT64_MAX)
                snprintf(buf, size, "null");
        else
                snprintf(buf, size, "%llu", (unsigned long long)v);
}

/* A key and its separator, pretty at the depth given. */
static void json_key(const char *key, bool pretty, int depth)
{
        if (pretty)
                for (int i = 0; i < depth; i++)
                        putchar('\t');
        json_string(key);
        fputs(pretty ? " : " : ":", stdout);
}

/* The table as a JSON array of objects, keys the lower-case headers. */
void table_json(const Table *t, JsonMode mode)
{
        bool pretty = mode == JSON_PRETTY;
        json_begin(mode);
        fputs(pretty ? "[\n" : "[", stdout);
        for (size_t r = 0; r < t->n_rows; r++) {
                fputs(pretty ? "\t{\n" : "{", stdout);
                for (size_t i = 0; i < t->n_cols; i++) {
                        char key[32];
                        size_t k = 0;
                        for (; t->header[i][k] && k < sizeof(key) - 1; k++)
                                key[k] = (char)(t->header[i][k] >= 'A' && t->header[i][k] <= 'Z' ? t->header[i][k] + 32 : t->header[i][k]);
                        key[k] = 0;
                        json_key(key, pretty, 2);
                        const char *v = t->cells[r * t->n_cols + i], *typed = t->json ? t->json[r * t->n_cols + i] : NULL;
                        if (typed)
                                fputs(typed, stdout);
                        else if (*v)
                                json_string(v);
                        else
                                fputs("null", stdout);
                        fputs(i + 1 < t->n_cols ? (pretty ? ",\n" : ",") : (pretty ? "\n" : ""), stdout);
                }
                fputs(r + 1 < t->n_rows ? (pretty ? "\t},\n" : "},") : (pretty ? "\t}\n" : "}"), stdout);
        }
        fputs("]", stdout);
        json_end(mode);
}

int table_show(Table *t, const Args *a, const char *what, int r)
{
        if (r < 0)
                fprintf(stderr, "Out of memory.\n");
        else if (a->json != JSON_OFF)
                table_json(t, a->json);
        else if (t->n_rows == 0 && a->legend)
                printf("No %s.\n", what);
        else {
                table_print(t, a->legend);
                if (a->legend)
                        printf("\n%zu %s listed.\n", t->n_rows, what);
        }
        table_done(t);
        return r < 0 ? 1 : 0;
}

size_t last_lines(const char *text, size_t size, unsigned n)
{
        size_t p = size;
        if (p > 0 && text[p - 1] == '\n')
                p--;
        for (; p > 0; p--)
                if (text[p - 1] == '\n' && n-- <= 1)
                        break;
        return p;
}

/* -p NAME: did the user name this property? */
static bool property_named(const Args *a, const char *name)
{
        for (size_t i = 0; i < a->n_properties; i++)
                if (streq(a->properties[i], name))
                        return true;
        return false;
}

void properties_begin(Properties *p, const Args *a, bool first)
{
        *p = (Properties){.a = a};
        if (a->json != JSON_OFF) {
                json_begin(a->json);
                putchar('{');
                if (a->json == JSON_PRETTY)
                        putchar('\n');
        } else if (!first)
                putchar('\n');
}

void properties_end(Properties *p)
{
        if (p->a->json == JSON_OFF)
                return;
        fputs(p->a->json == JSON_PRETTY && p->n > 0 ? "\n}" : "}", stdout);
        json_end(p->a->json);
}

/* Whether to show name: named by -p, or no -p given; an empty value as text only with -a or
 * when named (JSON has every field, null where unknown). */
static bool property_shown(const Properties *p, const char *name, bool empty)
{
        if (p->a->n_properties > 0 && !property_named(p->a, name))
                return false;
        return !empty || p->a->all || p->a->n_properties > 0 || p->a->json != JSON_OFF;
}

/* The JSON key of the next property (after a comma where one came before). */
static void property_key(Properties *p, const char *name)
{
        bool pretty = p->a->json == JSON_PRETTY;
        if (p->n++ > 0)
                fputs(pretty ? ",\n" : ",", stdout);
        json_key(name, pretty, 1);
}

static void property_text(const Properties *p, const char *name, const char *text)
{
        if (p->a->value)
                puts(text);
        else
                printf("%s=%s\n", name, text);
}

void property_string(Properties *p, const char *name, const char *value)
{
        if (!property_shown(p, name, !value || !*value))
                return;
        if (p->a->json == JSON_OFF)
                return property_text(p, name, value ? value : "");
        property_key(p, name);
        if (value)
                json_string(value);
        else
                fputs("null", stdout);
}

void property_u64(Properties *p, const char *name, uint64_t v)
{
        char buf[32];
        if (!property_shown(p, name, false))
                return;
        if (p->a->json == JSON_OFF) {
                snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
                return property_text(p, name, buf);
        }
        json_u64(v, buf, sizeof(buf));
        property_key(p, name);
        fputs(buf, stdout);
}

void property_bool(Properties *p, const char *name, bool v)
{
        if (!property_shown(p, name, false))
                return;
        if (p->a->json == JSON_OFF)
                return property_text(p, name, v ? "yes" : "no");
        property_key(p, name);
        fputs(v ? "true" : "false", stdout);
}

void property_time(Properties *p, const char *name, uint64_t us)
{
        char buf[64] = "";
        if (!property_shown(p, name, us == 0))
                return;
        if (p->a->json != JSON_OFF)
                return property_u64(p, name, us == 0 ? UINT64_MAX : us);
        if (us != 0)
                format_time(us, buf, sizeof(buf));
        property_text(p, name, buf);
}

void property_words(Properties *p, const char *name, const char *words)
{
        if (!property_shown(p, name, !*words))
                return;
        if (p->a->json == JSON_OFF)
                return property_text(p, name, words);
        property_key(p, name);
        putchar('[');
        bool first = true;
        for (const char *w = words; *w;) {
                size_t n = strcspn(w, " ");
                if (n > 0) {
                        char *word = strndup(w, n);
                        if (!first)
                                putchar(',');
                        json_string(word ? word : "");
                        free(word);
                        first = false;
                }
                w += n + (w[n] == ' ');
        }
        putchar(']');
}

void format_relative(uint64_t since_us, char *buf, size_t size)
{
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        uint64_t n = (uint64_t)now.tv_sec * 1000000 + (uint64_t)now.tv_nsec / 1000, d = n > since_us ? (n - since_us) / 1000000 : 0;
        if (d < 60)
                snprintf(buf, size, "%llus ago", (unsigned long long)d);
        else if (d < 3600)
                snprintf(buf, size, "%llumin %llus ago", (unsigned long long)d / 60, (unsigned long long)d % 60);
        else
                snprintf(buf, size, "%lluh %llumin ago", (unsigned long long)d / 3600, (unsigned long long)d / 60 % 60);
}

/* As systemd's format_bytes(): 1024-based, one decimal. */
void format_bytes(uint64_t v, char *buf, size_t size)
{
        static const char suffix[] = "KMGTPE";
        if (v == IMAGE_SIZE_UNKNOWN) {
                snprintf(buf, size, "n/a");
                return;
        }
        if (v < 1024) {
                snprintf(buf, size, "%lluB", (unsigned long long)v);
                return;
        }
        int k = 0;
        uint64_t f = 1024;
        while (k < 5 && v >= f * 1024) {
                f *= 1024;
                k++;
        }
        snprintf(buf, size, "%llu.%llu%c", (unsigned long long)(v / f), (unsigned long long)(v * 10 / f % 10), suffix[k]);
}

static const char *const output_modes[_OUTPUT_MODE_MAX] = {
        [OUTPUT_SHORT] = "short",
        [OUTPUT_SHORT_FULL] = "short-full",
        [OUTPUT_SHORT_ISO] = "short-iso",
        [OUTPUT_SHORT_ISO_PRECISE] = "short-iso-precise",
        [OUTPUT_SHORT_PRECISE] = "short-precise",
        [OUTPUT_SHORT_MONOTONIC] = "short-monotonic",
        [OUTPUT_SHORT_DELTA] = "short-delta",
        [OUTPUT_SHORT_UNIX] = "short-unix",
        [OUTPUT_VERBOSE] = "verbose",
        [OUTPUT_EXPORT] = "export",
        [OUTPUT_JSON] = "json",
        [OUTPUT_JSON_PRETTY] = "json-pretty",
        [OUTPUT_JSON_SSE] = "json-sse",
        [OUTPUT_JSON_SEQ] = "json-seq",
        [OUTPUT_CAT] = "cat",
        [OUTPUT_WITH_UNIT] = "with-unit",
};

const char *output_mode_to_string(OutputMode m)
{
        return m >= 0 && m < _OUTPUT_MODE_MAX ? output_modes[m] : NULL;
}

OutputMode output_mode_from_string(const char *s)
{
        for (int m = 0; m < _OUTPUT_MODE_MAX; m++)
                if (streq(output_modes[m], s))
                        return (OutputMode)m;
        return OUTPUT_INVALID;
}
