/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "parse-util.h"
#include "error.h"
#include "registry.h"
#include "import.h"

#define MACHINES_DIR "/run/corral/machines"

/* As systemd's JSON output modes: one line, pretty, server-sent events, RFC 7464 records. */
typedef enum JsonMode { JSON_OFF, JSON_SHORT, JSON_PRETTY, JSON_SSE, JSON_SEQ } JsonMode;

/* -o: machinectl's output modes (journalctl's).  The JSON ones also set Args.json; for status's
 * log lines, cat and the short ones print the lines as logged (the console log has no fields
 * to format), the JSON ones and export print each line as a MESSAGE field. */
typedef enum OutputMode {
        OUTPUT_SHORT,
        OUTPUT_SHORT_FULL,
        OUTPUT_SHORT_ISO,
        OUTPUT_SHORT_ISO_PRECISE,
        OUTPUT_SHORT_PRECISE,
        OUTPUT_SHORT_MONOTONIC,
        OUTPUT_SHORT_DELTA,
        OUTPUT_SHORT_UNIX,
        OUTPUT_VERBOSE,
        OUTPUT_EXPORT,
        OUTPUT_JSON,
        OUTPUT_JSON_PRETTY,
        OUTPUT_JSON_SSE,
        OUTPUT_JSON_SEQ,
        OUTPUT_CAT,
        OUTPUT_WITH_UNIT,
        _OUTPUT_MODE_MAX,
        OUTPUT_INVALID = -1,
} OutputMode;

const char *output_mode_to_string(OutputMode m);
OutputMode output_mode_from_string(const char *s);

/* The options, shared by every verb. */
typedef struct Args {
        bool legend;
        JsonMode json;     /* --json=, or -o json* */
        OutputMode output; /* -o */
        char **properties; /* -p */
        size_t n_properties;
        bool value;
        int signal;       /* -s; 0: the verb's own */
        bool kill_leader; /* --kill-whom=leader */
        const char *dir;  /* the registry */
        const char *uid;  /* shell --uid= */
        char **setenv;    /* shell -E */
        bool quiet;
        bool force;             /* copy-to, copy-from: replace */
        bool read_only;         /* bind */
        bool mkdir;             /* bind */
        bool follow;            /* logs -f */
        int lines;              /* logs -n; 0: all */
        bool all;               /* -a: list-images, clean */
        ImportVerify verify;    /* pull-*: --verify= */
        Compression format;     /* export-*: --format=; COMPRESSION_INVALID: by the file's suffix */
        const char *platform;   /* pull-oci, import-oci: --platform=; NULL: this machine's */
        unsigned max_addresses; /* list: addresses shown per machine (1; 0: no column; UINT_MAX: all) */
        bool full;              /* -l: nothing shortened (list's addresses) */
} Args;

/* Table output: columns padded to their widest cell, the header bold on a terminal. */
typedef struct Table {
        size_t n_cols, n_rows;
        const char **header;
        char **cells;   /* n_rows * n_cols, owned */
        char **json;    /* the same, a JSON value where the cell is typed, else NULL: a string */
        unsigned right; /* bit i: column i is aligned right (sizes) */
} Table;

int table_add(Table *t, const char *const *row);
/* A row whose cells json[i] (when json and json[i] are not NULL) are JSON values (numbers,
 * booleans, null), shown in JSON output instead of the display string row[i]. */
int table_add_typed(Table *t, const char *const *row, const char *const *json);
void table_print(const Table *t, bool legend);
/* The table as a JSON array of objects, keys the lower-case headers. */
void table_json(const Table *t, JsonMode mode);
void table_done(Table *t);
/* As machinectl shows a listing: JSON, or the table with its footer ("N WHAT listed."), or
 * "No WHAT."; or with r < 0 (a table_add() that failed) that there was no memory.  Frees the
 * table; returns the exit status. */
int table_show(Table *t, const Args *a, const char *what, int r);
void json_string(const char *s);
/* What comes before and after each JSON document in mode (a newline; SSE's and JSON-SEQ's
 * framing). */
void json_begin(JsonMode mode);
void json_end(JsonMode mode);
/* v as a JSON number, UINT64_MAX (unknown) as null. */
void json_u64(uint64_t v, char *buf, size_t size);

/* The live record of name, or machinectl's message and -ENOENT. */
int find_machine(const Args *a, const char *name, MachineRecord *m);
void format_time(uint64_t us, char *buf, size_t size);
/* As systemd's format_bytes(): "12.3M"; IMAGE_SIZE_UNKNOWN is "n/a". */
void format_bytes(uint64_t v, char *buf, size_t size);
/* "5s ago", "3min 2s ago", "2h 5min ago" */
void format_relative(uint64_t since_us, char *buf, size_t size);
/* show's properties: NAME=VALUE lines (VALUE with --value), or one JSON object with typed
 * values.  Only those -p names, when it names any; empty ones as text only with -a or when
 * named. */
typedef struct Properties {
        const Args *a;
        size_t n; /* JSON fields written */
} Properties;
void properties_begin(Properties *p, const Args *a, bool first);
void properties_end(Properties *p);
void property_string(Properties *p, const char *name, const char *value);
/* UINT64_MAX is null in JSON */
void property_u64(Properties *p, const char *name, uint64_t v);
void property_bool(Properties *p, const char *name, bool v);
/* A time in µs since the epoch, 0: unknown; formatted, or the number in JSON */
void property_time(Properties *p, const char *name, uint64_t us);
/* Words separated by spaces; a JSON array of strings */
void property_words(Properties *p, const char *name, const char *words);

/* Joins the terminal to remote (a pty master, or with framed a console socket) until the
 * remote closes, pidfd (>= 0) says the session ended, or the user types ^]^]^]. */
enum { RELAY_ENDED, RELAY_ESCAPED };
int relay_run(int remote, bool framed, int pidfd);

/* The image of name, or corralctl's message and a negative errno. */
typedef struct Image Image;
int get_image(const char *name, Image *i);
int verb_create_child(const Args *a, int argc, char **argv);
int verb_list_shadowed(const Args *a, int argc, char **argv);
int verb_drop_shadowed(const Args *a, int argc, char **argv);
int verb_copy_to(const Args *a, int argc, char **argv);
int verb_copy_from(const Args *a, int argc, char **argv);
int verb_bind(const Args *a, int argc, char **argv);
int verb_start(const Args *a, int argc, char **argv);
int verb_console(const Args *a, int argc, char **argv);
int verb_logs(const Args *a, int argc, char **argv);
int verb_enable(const Args *a, int argc, char **argv);
int verb_disable(const Args *a, int argc, char **argv);
int verb_autostart(const Args *a, int argc, char **argv);
int verb_autostop(const Args *a, int argc, char **argv);
/* The corral to run: $CORRAL_BINARY, the one beside corralctl (installed, or in the build
 * tree), else "corral" from PATH. */
const char *corral_binary(char *buf, size_t size);
int verb_tree(const Args *a, int argc, char **argv);
int verb_top(const Args *a, int argc, char **argv);
/* The processes of the cgroup dir and below it, as systemd-cgls draws them, each line after
 * prefix; and how many processes there are. */
void print_cgroup_tree(const char *dir, const char *prefix);
unsigned count_cgroup_tasks(const char *dir);
struct ContainerCgroup;
/* The cgroups of a machine, by its name and the slice of its record. */
int machine_cgroup_of(const MachineRecord *m, struct ContainerCgroup *cg, Error *e);
/* The directory of a machine's cgroup2 cgroup for this process, or NULL where it has none;
 * *fd: the cgroup2 mount made for it where the host mounts none (else -1), to close after. */
char *machine_cgroup_dir(const MachineRecord *m, int *fd);
/* Where detached machines' console logs are: /var/log/corral (or $CORRAL_LOG_DIR), and the
 * log of machine name there. */
const char *log_directory(void);
void console_log_path(const char *name, char *buf, size_t size);
/* Where the last n lines of text (size bytes) start; a final newline ends the last line. */
size_t last_lines(const char *text, size_t size, unsigned n);
/* -M [USER@]NAME: the command line argv (without -M) run by the machine's own corralctl, as
 * root or USER of the machine; with NAME .host (or empty), here, as USER.  Returns the exit
 * status, or -1 where the verb is to run in this process (.host as root, or the child that
 * became USER). */
int run_with_machine_option(const Args *a, const char *spec, char **argv);
int verb_shell(const Args *a, int argc, char **argv);
int verb_login(const Args *a, int argc, char **argv);
int verb_list(const Args *a, int argc, char **argv);
int verb_show(const Args *a, int argc, char **argv);
int verb_status(const Args *a, int argc, char **argv);
int verb_gc(const Args *a, int argc, char **argv);
int verb_poweroff(const Args *a, int argc, char **argv);
int verb_reboot(const Args *a, int argc, char **argv);
int verb_terminate(const Args *a, int argc, char **argv);
int verb_kill(const Args *a, int argc, char **argv);
int verb_set_property(const Args *a, int argc, char **argv);
int verb_freeze(const Args *a, int argc, char **argv);
int verb_thaw(const Args *a, int argc, char **argv);
int verb_list_images(const Args *a, int argc, char **argv);
int verb_image_status(const Args *a, int argc, char **argv);
int verb_show_image(const Args *a, int argc, char **argv);
int verb_clone(const Args *a, int argc, char **argv);
int verb_rename(const Args *a, int argc, char **argv);
int verb_read_only(const Args *a, int argc, char **argv);
int verb_remove(const Args *a, int argc, char **argv);
int verb_set_limit(const Args *a, int argc, char **argv);
int verb_clean(const Args *a, int argc, char **argv);
int verb_cat(const Args *a, int argc, char **argv);
int verb_edit(const Args *a, int argc, char **argv);
int verb_import_tar(const Args *a, int argc, char **argv);
int verb_import_raw(const Args *a, int argc, char **argv);
int verb_import_fs(const Args *a, int argc, char **argv);
int verb_export_tar(const Args *a, int argc, char **argv);
int verb_export_raw(const Args *a, int argc, char **argv);
int verb_pull_tar(const Args *a, int argc, char **argv);
int verb_pull_raw(const Args *a, int argc, char **argv);
int verb_pull_oci(const Args *a, int argc, char **argv);
int verb_import_oci(const Args *a, int argc, char **argv);
int verb_export_oci(const Args *a, int argc, char **argv);
int verb_list_transfers(const Args *a, int argc, char **argv);
int verb_cancel_transfer(const Args *a, int argc, char **argv);
