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

int table_add(Table *t, const char *const *row)
{
        char **c = realloc(t->cells, (t->n_rows + 1) * t->n_cols * sizeof(char *));
        if (!c)
                return -ENOMEM;
        t->cells = c;
        for (size_t i = 0; i < t->n_cols; i++)
                if (!(c[t->n_rows * t->n_cols + i] = strdup(row[i] ? row[i] : "")))
                        return -ENOMEM;
        t->n_rows++;
        return 0;
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
        for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
                free(t->cells[i]);
        free(t->cells);
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

/* The table as a JSON array of objects, keys the lower-case headers. */
void table_json(const Table *t, JsonMode mode)
{
        bool pretty = mode == JSON_PRETTY;
        fputs(pretty ? "[\n" : "[", stdout);
        for (size_t r = 0; r < t->n_rows; r++) {
                fputs(pretty ? "\t{\n" : "{", stdout);
                for (size_t i = 0; i < t->n_cols; i++) {
                        char key[32];
                        size_t k = 0;
                        for (; t->header[i][k] && k < sizeof(key) - 1; k++)
                                key[k] = (char)(t->header[i][k] >= 'A' && t->header[i][k] <= 'Z' ? t->header[i][k] + 32 : t->header[i][k]);
                        key[k] = 0;
                        fputs(pretty ? "\t\t" : "", stdout);
                        json_string(key);
                        fputs(pretty ? " : " : ":", stdout);
                        const char *v = t->cells[r * t->n_cols + i];
                        if (*v)
                                json_string(v);
                        else
                                fputs("null", stdout);
                        fputs(i + 1 < t->n_cols ? (pretty ? ",\n" : ",") : (pretty ? "\n" : ""), stdout);
                }
                fputs(r + 1 < t->n_rows ? (pretty ? "\t},\n" : "},") : (pretty ? "\t}\n" : "}"), stdout);
        }
        fputs("]\n", stdout);
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

/* -p NAME: is name one the user asked for (all when none was named)? */
static bool property_wanted(const Args *a, const char *name)
{
        if (a->n_properties == 0)
                return true;
        for (size_t i = 0; i < a->n_properties; i++)
                if (streq(a->properties[i], name))
                        return true;
        return false;
}

void print_property(const Args *a, const char *name, const char *value)
{
        if (!property_wanted(a, name))
                return;
        if (a->value)
                puts(value);
        else
                printf("%s=%s\n", name, value);
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
