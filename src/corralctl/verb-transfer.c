/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The transfer verbs: import-tar, import-raw, import-fs, export-tar, export-raw, pull-tar,
 * pull-raw, list-transfers and cancel-transfer.  machinectl hands transfers to importd;
 * corralctl runs them itself, and keeps a record of each in /run/corral/transfers/ID while it
 * runs, so that list-transfers sees it and cancel-transfer can stop it (SIGTERM, like ^C:
 * the transfer removes what it made). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "corralctl.h"
#include "fs-util.h"
#include "import.h"

#define TRANSFERS_DIR "/run/corral/transfers"

static volatile sig_atomic_t cancel_requested;

static void on_signal(int sig)
{
        (void)sig;
        cancel_requested = 1;
}

static uint64_t now_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

typedef struct Transfer {
        unsigned id;
        const char *type, *local, *remote;
        bool bar; /* a progress bar on stderr */
        uint64_t start_us, last_bar_us, last_record_us;
        int percent; /* -1: unknown */
        char record[64];
} Transfer;

static const char *transfers_dir(void)
{
        const char *d = getenv("CORRAL_TRANSFERS_DIR");
        return d ? d : TRANSFERS_DIR;
}

static void record_write(Transfer *t)
{
        char text[8192];
        int n = snprintf(text, sizeof(text), "PID=%d\nTYPE=%s\nLOCAL=%s\nREMOTE=%s\nPERCENT=%d\n", (int)getpid(), t->type, t->local, t->remote,
                         t->percent);
        if (n > 0 && (size_t)n < sizeof(text))
                (void)write_file_atomic_at(AT_FDCWD, t->record, text, (size_t)n, 0644);
}

/* The lowest free ID, taken by creating its record. */
static void record_create(Transfer *t)
{
        const char *dir = transfers_dir();
        if (mkdir_p(dir, 0755) < 0)
                return;
        for (unsigned id = 1; id < 100000; id++) {
                snprintf(t->record, sizeof(t->record), "%s/%u", dir, id);
                int fd = open(t->record, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                if (fd >= 0) {
                        close(fd);
                        t->id = id;
                        record_write(t);
                        return;
                }
                if (errno != EEXIST)
                        break;
        }
        t->record[0] = 0;
}

static void bar_clear(Transfer *t)
{
        if (t->bar && t->last_bar_us)
                fputs("\r\033[K", stderr);
}

/* "Downloading  42% [=========>              ] 12.3M/30.0M 5.1M/s 0:03 left" */
static void on_progress(void *userdata, const char *what, uint64_t done, uint64_t total)
{
        Transfer *t = userdata;
        uint64_t now = now_us();
        int percent = total > 0 ? (int)MIN(done * 100 / total, 100) : -1;
        if (t->record[0] && (percent != t->percent || now - t->last_record_us > 1000000) && now - t->last_record_us > 200000) {
                t->percent = percent;
                t->last_record_us = now;
                record_write(t);
        }
        t->percent = percent;
        if (!t->bar || now - t->last_bar_us < 100000)
                return;
        t->last_bar_us = now;
        double secs = (double)(now - t->start_us) / 1e6;
        char d[32], tot[32], rate[32], line[256];
        format_bytes(done, d, sizeof(d));
        format_bytes(secs > 0.2 ? (uint64_t)((double)done / secs) : 0, rate, sizeof(rate));
        int n;
        if (total > 0 && percent >= 0 && !streq(what, "Exporting")) {
                char bar[31];
                int fill = percent * 30 / 100;
                for (int k = 0; k < 30; k++)
                        bar[k] = k < fill ? '=' : k == fill ? '>' : ' ';
                bar[30] = 0;
                format_bytes(total, tot, sizeof(tot));
                n = snprintf(line, sizeof(line), "%-11s %3d%% [%s] %s/%s %s/s", what, percent, bar, d, tot, rate);
                if (done > 0 && secs > 1 && done < total) {
                        uint64_t left = (uint64_t)((double)(total - done) * secs / (double)done);
                        snprintf(line + n, sizeof(line) - (size_t)n, " %llu:%02llu left", (unsigned long long)(left / 60),
                                 (unsigned long long)(left % 60));
                }
        } else if (streq(what, "Exporting") && total == 0)
                snprintf(line, sizeof(line), "%-11s %llu files", what, (unsigned long long)done);
        else
                snprintf(line, sizeof(line), "%-11s %s %s/s", what, d, rate);
        fprintf(stderr, "\r\033[K%s", line);
}

static void transfer_begin(Transfer *t, const Args *a, ImportOptions *o)
{
        struct sigaction sa = {.sa_handler = on_signal};
        /* No SA_RESTART: a read that waits gets EINTR, and the transfer sees the cancel. */
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        t->start_us = now_us();
        t->percent = -1;
        t->bar = !a->quiet && isatty(STDERR_FILENO);
        record_create(t);
        *o = (ImportOptions){
                .force = a->force,
                .read_only = a->read_only,
                .io = {.cancel = &cancel_requested, .progress = on_progress, .userdata = t},
        };
}

static int transfer_end(Transfer *t, const Args *a, int r, const Error *e, const char *done)
{
        bar_clear(t);
        if (t->record[0])
                (void)unlink(t->record);
        if (r < 0) {
                fprintf(stderr, "%s failed: %s\n", t->type, e->msg[0] ? e->msg : strerror(-r));
                return 1;
        }
        if (!a->quiet)
                fprintf(stderr, "%s (%.1fs).\n", done, (double)(now_us() - t->start_us) / 1e6);
        return 0;
}

/* The image name: given, else derived as machinectl derives it. */
static int local_name(const char *source, int argc, char **argv, bool raw, char *buf, size_t size)
{
        if (argc > 2) {
                snprintf(buf, size, "%s", argv[2]);
                return 0;
        }
        if (streq(source, "-") || import_name_from(source, raw, buf, size) < 0) {
                fprintf(stderr, "Cannot derive an image name from '%s': give one (%s %s NAME).\n", source, argv[0], source);
                return -EINVAL;
        }
        return 0;
}

static int import_file(const Args *a, int argc, char **argv, bool raw)
{
        char name[256], msg[400];
        const char *file = argv[1];
        Transfer t = {.type = argv[0], .remote = file};
        ImportOptions o;
        Error e = {0};
        if (local_name(file, argc, argv, raw, name, sizeof(name)) < 0)
                return 1;
        _cleanup_close_ int fd = streq(file, "-") ? dup(STDIN_FILENO) : open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                fprintf(stderr, "Cannot open %s: %m\n", streq(file, "-") ? "standard input" : file);
                return 1;
        }
        if (streq(file, "-") && isatty(fd)) {
                fprintf(stderr, "Standard input is a terminal: pipe the %s into %s, or give a file.\n", raw ? "image" : "archive", argv[0]);
                return 1;
        }
        t.local = name;
        if (!a->quiet)
                fprintf(stderr, "Importing '%s', saving as '%s'.\n", streq(file, "-") ? "standard input" : file, name);
        transfer_begin(&t, a, &o);
        int r = raw ? import_raw(fd, name, &o, &e) : import_tar(fd, name, &o, &e);
        snprintf(msg, sizeof(msg), "Imported image '%s'", name);
        return transfer_end(&t, a, r, &e, msg);
}

int verb_import_tar(const Args *a, int argc, char **argv)
{
        return import_file(a, argc, argv, false);
}

int verb_import_raw(const Args *a, int argc, char **argv)
{
        return import_file(a, argc, argv, true);
}

int verb_import_fs(const Args *a, int argc, char **argv)
{
        char name[256], msg[400];
        Transfer t = {.type = argv[0], .remote = argv[1]};
        ImportOptions o;
        Error e = {0};
        if (argc > 2)
                snprintf(name, sizeof(name), "%s", argv[2]);
        else if (url_file_name(argv[1], name, sizeof(name)) < 0 || !image_name_is_valid(name) || name[0] == '.') {
                fprintf(stderr, "Cannot derive an image name from '%s': give one (import-fs %s NAME).\n", argv[1], argv[1]);
                return 1;
        }
        t.local = name;
        if (!a->quiet)
                fprintf(stderr, "Importing '%s', saving as '%s'.\n", argv[1], name);
        transfer_begin(&t, a, &o);
        int r = import_fs(argv[1], name, &o, &e);
        snprintf(msg, sizeof(msg), "Imported image '%s'", name);
        return transfer_end(&t, a, r, &e, msg);
}

/* The machines running on image i, frozen for a consistent copy (machined exports an image in
 * use as it is, mid-write; corral freezes the writers instead), each one's file system synced
 * (for a raw image: its dirty pages reach the file); at most 16.  Returns how many. */
#define MAX_FROZEN 16
static size_t freeze_users(const Args *a, const Image *i, ContainerCgroup frozen[MAX_FROZEN], Error *e)
{
        MachineRecord *all = NULL;
        size_t n = 0, k = 0;
        _cleanup_free_ char *path = realpath(i->path, NULL);
        if (!path || registry_list(a->dir, &all, &n) < 0)
                return 0;
        for (size_t j = 0; j < n && k < MAX_FROZEN && e->code == 0; j++) {
                _cleanup_free_ char *root = realpath(all[j].root, NULL);
                if (!root || !streq(root, path))
                        continue;
                if (machine_cgroup_of(&all[j], &frozen[k], e) < 0 || container_cgroup_freeze(&frozen[k], true, e) < 0) {
                        container_cgroup_done(&frozen[k]);
                        break;
                }
                char fs[64];
                snprintf(fs, sizeof(fs), "/proc/%d/root", (int)all[j].leader);
                _cleanup_close_ int fd = open(fs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0)
                        (void)syncfs(fd);
                if (!a->quiet)
                        fprintf(stderr, "Machine '%s' runs on image '%s': frozen for the copy, thawed after it.\n", all[j].name, i->name);
                k++;
        }
        free(all);
        return k;
}

static void thaw_users(ContainerCgroup frozen[MAX_FROZEN], size_t n)
{
        for (size_t k = 0; k < n; k++) {
                Error e = {0};
                if (container_cgroup_freeze(&frozen[k], false, &e) < 0)
                        fprintf(stderr, "Could not thaw a machine after the export: %s\n", e.msg);
                container_cgroup_done(&frozen[k]);
        }
}

/* The output: FILE written under a temporary name beside it and renamed when whole, or
 * standard output ("-" or none), which must not be a terminal. */
static int export_image(const Args *a, int argc, char **argv, bool raw)
{
        const char *file = argc > 2 && !streq(argv[2], "-") ? argv[2] : NULL;
        Transfer t = {.type = argv[0], .local = argv[1], .remote = file ? file : "-"};
        ImportOptions o;
        Error e = {0};
        Image i;
        _cleanup_free_ char *tmp = NULL;
        Compression c = a->format != COMPRESSION_INVALID ? a->format : file ? compression_from_path(file) : COMPRESSION_NONE;
        if (image_store_get(argv[1], &i, &e) < 0) {
                fprintf(stderr, "%s\n", e.msg);
                return 1;
        }
        if (!file && isatty(STDOUT_FILENO)) {
                fprintf(stderr, "Standard output is a terminal: give a file, or redirect the %s.\n", raw ? "image" : "archive");
                return 1;
        }
        _cleanup_close_ int fd = -1;
        if (file) {
                _cleanup_free_ char *dir = path_dirname(file);
                if (!dir || asprintf(&tmp, "%s/.#%s.corral-XXXXXX", dir, path_basename(file)) < 0)
                        return 1;
                fd = mkostemp(tmp, O_CLOEXEC);
                if (fd < 0) {
                        fprintf(stderr, "Cannot create a file beside %s: %m\n", file);
                        free(tmp);
                        tmp = NULL;
                        return 1;
                }
                (void)fchmod(fd, 0644);
        } else
                fd = dup(STDOUT_FILENO);
        if (!a->quiet)
                fprintf(stderr, "Exporting '%s', saving to '%s' with compression '%s'.\n", i.name, file ? file : "standard output",
                        compression_to_string(c));
        ContainerCgroup frozen[MAX_FROZEN];
        size_t n_frozen = freeze_users(a, &i, frozen, &e);
        if (e.code < 0) {
                thaw_users(frozen, n_frozen);
                fprintf(stderr, "Could not freeze the machine running on image '%s' for the export: %s\n", i.name, e.msg);
                if (tmp)
                        (void)unlink(tmp);
                return 1;
        }
        transfer_begin(&t, a, &o);
        int r = raw ? export_raw(&i, fd, c, &o.io, n_frozen > 0, &e) : export_tar(&i, fd, c, &o.io, n_frozen > 0, &e);
        thaw_users(frozen, n_frozen);
        if (r >= 0 && file && (fsync(fd) < 0 || rename(tmp, file) < 0))
                r = error_set_errno(&e, -errno, "cannot write %s", file);
        if (tmp && r < 0)
                (void)unlink(tmp);
        if (r == -ECANCELED || cancel_requested) {
                e.code = 0;
                r = error_set(&e, -ECANCELED, "cancelled%s", file ? "; nothing was written" : "");
        }
        char msg[400];
        snprintf(msg, sizeof(msg), "Exported image '%s'", i.name);
        return transfer_end(&t, a, r, &e, msg);
}

int verb_export_tar(const Args *a, int argc, char **argv)
{
        return export_image(a, argc, argv, false);
}

int verb_export_raw(const Args *a, int argc, char **argv)
{
        return export_image(a, argc, argv, true);
}

static int pull(const Args *a, int argc, char **argv, bool raw)
{
        char name[256], msg[400];
        const char *url = argv[1];
        Transfer t = {.type = argv[0], .remote = url};
        ImportOptions o;
        Error e = {0};
        if (!http_url_is_valid(url)) {
                fprintf(stderr, "URL '%s' is not valid: %s takes an http:// or https:// URL.\n", url, argv[0]);
                return 1;
        }
        if (local_name(url, argc, argv, raw, name, sizeof(name)) < 0)
                return 1;
        t.local = name;
        if (!a->quiet)
                fprintf(stderr, "Pulling '%s', saving as '%s'.\n", url, name);
        transfer_begin(&t, a, &o);
        int r = pull_image(url, name, raw, a->verify, &o, &e);
        snprintf(msg, sizeof(msg), "Pulled image '%s'", name);
        return transfer_end(&t, a, r, &e, msg);
}

int verb_pull_tar(const Args *a, int argc, char **argv)
{
        return pull(a, argc, argv, false);
}

int verb_pull_raw(const Args *a, int argc, char **argv)
{
        return pull(a, argc, argv, true);
}

typedef struct Record {
        unsigned id;
        pid_t pid;
        int percent;
        char type[32], local[256], remote[4096];
} Record;

/* The record of transfer id, if its process still runs; a dead one's record is removed. */
static int record_read(unsigned id, Record *rec)
{
        char path[300];
        _cleanup_free_ char *text = NULL;
        size_t size;
        snprintf(path, sizeof(path), "%s/%u", transfers_dir(), id);
        if (read_full_file(path, &text, &size) < 0)
                return -ENOENT;
        *rec = (Record){.id = id, .percent = -1};
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                const char *v;
                if ((v = startswith(line, "PID=")))
                        rec->pid = (pid_t)atoi(v);
                else if ((v = startswith(line, "TYPE=")))
                        snprintf(rec->type, sizeof(rec->type), "%s", v);
                else if ((v = startswith(line, "LOCAL=")))
                        snprintf(rec->local, sizeof(rec->local), "%s", v);
                else if ((v = startswith(line, "REMOTE=")))
                        snprintf(rec->remote, sizeof(rec->remote), "%s", v);
                else if ((v = startswith(line, "PERCENT=")))
                        rec->percent = atoi(v);
        }
        if (!rec->type[0])
                return -ENOENT; /* being created */
        if (rec->pid <= 0 || (kill(rec->pid, 0) < 0 && errno == ESRCH)) {
                (void)unlink(path);
                return -ENOENT;
        }
        return 0;
}

static int by_id(const void *x, const void *y)
{
        const Record *a = x, *b = y;
        return a->id < b->id ? -1 : a->id > b->id;
}

int verb_list_transfers(const Args *a, int argc, char **argv)
{
        static const char *header[] = {"ID", "PERCENT", "TYPE", "LOCAL", "REMOTE"};
        Table t = {.n_cols = ELEMENTSOF(header), .header = header, .right = 1u << 0 | 1u << 1};
        Record *recs = NULL;
        size_t n = 0;
        DIR *d = opendir(transfers_dir());
        for (struct dirent *de; d && (de = readdir(d));) {
                unsigned long id;
                Record rec;
                if (parse_unsigned(de->d_name, &id) < 0 || id == 0 || id > UINT32_MAX || record_read((unsigned)id, &rec) < 0)
                        continue;
                Record *m = realloc(recs, (n + 1) * sizeof(*m));
                if (!m)
                        break;
                recs = m;
                recs[n++] = rec;
        }
        if (d)
                closedir(d);
        if (n > 0)
                qsort(recs, n, sizeof(*recs), by_id);
        int r = 0;
        for (size_t k = 0; k < n && r >= 0; k++) {
                char id[16], percent[16], percent_json[16];
                snprintf(id, sizeof(id), "%u", recs[k].id);
                if (recs[k].percent >= 0)
                        snprintf(percent, sizeof(percent), "%d%%", recs[k].percent);
                else
                        snprintf(percent, sizeof(percent), "n/a");
                json_u64(recs[k].percent >= 0 ? (uint64_t)recs[k].percent : UINT64_MAX, percent_json, sizeof(percent_json));
                const char *row[] = {id, percent, recs[k].type, recs[k].local, recs[k].remote};
                const char *json[] = {id, percent_json, NULL, NULL, NULL};
                r = table_add_typed(&t, row, json);
        }
        free(recs);
        return table_show(&t, a, "transfers", r);
}

int verb_cancel_transfer(const Args *a, int argc, char **argv)
{
        int ret = 0;
        for (int k = 1; k < argc; k++) {
                unsigned long id;
                Record rec;
                if (parse_unsigned(argv[k], &id) < 0 || id == 0 || id > UINT32_MAX) {
                        fprintf(stderr, "Failed to parse transfer ID: %s\n", argv[k]);
                        ret = 1;
                        continue;
                }
                if (record_read((unsigned)id, &rec) < 0) {
                        fprintf(stderr, "No transfer by id %lu (list-transfers shows the running ones).\n", id);
                        ret = 1;
                        continue;
                }
                if (kill(rec.pid, SIGTERM) < 0) {
                        fprintf(stderr, "Could not cancel transfer %lu: %m\n", id);
                        ret = 1;
                        continue;
                }
                /* Until it has removed what it made, as machinectl returns after importd has. */
                for (int w = 0; w < 600 && record_read((unsigned)id, &rec) == 0; w++)
                        usleep(50 * 1000);
        }
        return ret;
}

/* The --platform= of an OCI verb: NULL for this machine's. */
static const OciPlatform *platform_of(const Args *a, OciPlatform *buf)
{
        return a->platform && oci_platform_parse(a->platform, buf) >= 0 ? buf : NULL;
}

static void print_oci_done(const Args *a, const char *name, const OciImageInfo *info)
{
        char bytes[32];
        if (a->quiet)
                return;
        format_bytes(info->bytes, bytes, sizeof(bytes));
        fprintf(stderr, "Image '%s': %s, %s, %zu layer%s (%s).\n", name, info->platform, info->digest, info->layers, info->layers == 1 ? "" : "s",
                bytes);
}

int verb_pull_oci(const Args *a, int argc, char **argv)
{
        char name[256], msg[400], shown[1024];
        const char *why;
        OciReference ref;
        OciPlatform platform;
        OciImageInfo info = {0};
        Transfer t = {.type = argv[0], .remote = argv[1]};
        ImportOptions o;
        Error e = {0};
        if (oci_reference_parse(argv[1], &ref, &why) < 0) {
                fprintf(stderr, "Image reference '%s' is not valid: %s.\n", argv[1], why);
                return 1;
        }
        if (argc > 2)
                snprintf(name, sizeof(name), "%s", argv[2]);
        else if (oci_reference_image_name(&ref, name, sizeof(name)) < 0) {
                fprintf(stderr, "Cannot derive an image name from '%s': give one (pull-oci %s NAME).\n", argv[1], argv[1]);
                return 1;
        }
        oci_reference_format(&ref, shown, sizeof(shown));
        t.local = name;
        if (!a->quiet)
                fprintf(stderr, "Pulling '%s', saving as '%s'.\n", shown, name);
        transfer_begin(&t, a, &o);
        int r = pull_oci(argv[1], name, platform_of(a, &platform), &o, &info, &e);
        bar_clear(&t);
        if (r >= 0)
                print_oci_done(a, name, &info);
        snprintf(msg, sizeof(msg), "Pulled image '%s'", name);
        return transfer_end(&t, a, r, &e, msg);
}

int verb_import_oci(const Args *a, int argc, char **argv)
{
        char name[256], msg[400];
        OciPlatform platform;
        OciImageInfo info = {0};
        Transfer t = {.type = argv[0], .remote = argv[1]};
        ImportOptions o;
        Error e = {0};
        if (argc > 2)
                snprintf(name, sizeof(name), "%s", argv[2]);
        else if (import_name_from(argv[1], false, name, sizeof(name)) < 0) {
                fprintf(stderr, "Cannot derive an image name from '%s': give one (import-oci %s NAME).\n", argv[1], argv[1]);
                return 1;
        }
        t.local = name;
        if (!a->quiet)
                fprintf(stderr, "Importing '%s', saving as '%s'.\n", argv[1], name);
        transfer_begin(&t, a, &o);
        int r = import_oci(argv[1], name, platform_of(a, &platform), &o, &info, &e);
        bar_clear(&t);
        if (r >= 0)
                print_oci_done(a, name, &info);
        snprintf(msg, sizeof(msg), "Imported image '%s'", name);
        return transfer_end(&t, a, r, &e, msg);
}

int verb_export_oci(const Args *a, int argc, char **argv)
{
        Transfer t = {.type = argv[0], .local = argv[1], .remote = argv[2]};
        ImportOptions o;
        Error e = {0};
        Image i;
        char msg[400];
        if (image_store_get(argv[1], &i, &e) < 0) {
                fprintf(stderr, "%s\n", e.msg);
                return 1;
        }
        if (!a->quiet)
                fprintf(stderr, "Exporting '%s' as an OCI image layout to '%s'.\n", i.name, argv[2]);
        ContainerCgroup frozen[MAX_FROZEN];
        size_t n_frozen = freeze_users(a, &i, frozen, &e);
        if (e.code < 0) {
                thaw_users(frozen, n_frozen);
                fprintf(stderr, "Could not freeze the machine running on image '%s' for the export: %s\n", i.name, e.msg);
                return 1;
        }
        transfer_begin(&t, a, &o);
        int r = export_oci(&i, argv[2], &o.io, n_frozen > 0, &e);
        thaw_users(frozen, n_frozen);
        if (r == -ECANCELED || cancel_requested) {
                e.code = 0;
                r = error_set(&e, -ECANCELED, "cancelled; nothing was written");
        }
        snprintf(msg, sizeof(msg), "Exported image '%s'", i.name);
        return transfer_end(&t, a, r, &e, msg);
}
