/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The image verbs: list-images, image-status, show-image, clone, rename, read-only, remove,
 * set-limit, clean, cat and edit, over the image store (src/core/image/image-store.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "corralctl.h"
#include "fs-util.h"
#include "image-store.h"
#include "exec-limits.h"
#include "image-child.h"
#include "image.h"
#include "oci-blob-cache.h"
#include "raw-image.h"
#include "strv.h"

static void format_time_or_na(uint64_t us, char *buf, size_t size)
{
        if (us == 0)
                snprintf(buf, size, "n/a");
        else
                format_time(us, buf, size);
}

int get_image(const char *name, Image *i)
{
        Error e = {0};
        int r = image_store_get(name, i, &e);
        if (r < 0)
                fprintf(stderr, "Could not get path to image: %s\n", e.msg);
        return r;
}

/* Where an image pulled or imported from an OCI image came from: the "# Origin:", "# Digest:"
 * and "# Platform:" lines pull-oci and import-oci wrote at the top of the settings file beside
 * it.  Returns whether there is an origin. */
typedef struct ImageOrigin {
        char origin[1024], digest[80], platform[96];
} ImageOrigin;

static bool image_origin(const Image *i, ImageOrigin *o)
{
        _cleanup_free_ char *dir = path_dirname(i->path), *file = NULL, *text = NULL;
        size_t size;
        *o = (ImageOrigin){0};
        if (!dir || asprintf(&file, "%s/%s.nspawn", dir, i->name) < 0 || read_full_file(file, &text, &size) < 0)
                return false;
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && line[0] == '#'; line = strtok_r(NULL, "\n", &save)) {
                const char *v;
                if ((v = startswith(line, "# Origin: ")))
                        snprintf(o->origin, sizeof(o->origin), "%s", v);
                else if ((v = startswith(line, "# Digest: ")))
                        snprintf(o->digest, sizeof(o->digest), "%s", v);
                else if ((v = startswith(line, "# Platform: ")))
                        snprintf(o->platform, sizeof(o->platform), "%s", v);
        }
        return o->origin[0] != 0;
}

int verb_list_images(const Args *a, int argc, char **argv)
{
        static const char *header[] = {"NAME", "TYPE", "RO", "USAGE", "CREATED", "MODIFIED", "ORIGIN"};
        Image *images;
        size_t n;
        int r = image_store_list(&images, &n);
        if (r < 0) {
                fprintf(stderr, "Could not get images: %s\n", strerror(-r));
                return 1;
        }
        /* machinectl's six columns, and ORIGIN where an image listed came from a registry or an
         * OCI archive (JSON: always, null where none) */
        ImageOrigin *origins = calloc(n ? n : 1, sizeof(ImageOrigin));
        bool any_origin = false;
        if (!origins) {
                free(images);
                return 1;
        }
        for (size_t k = 0; k < n; k++)
                any_origin |= (images[k].name[0] != '.' || a->all) && image_origin(&images[k], &origins[k]);
        Table t = {.n_cols = ELEMENTSOF(header) - (any_origin || a->json != JSON_OFF ? 0 : 1), .header = header, .right = 1u << 3};
        for (size_t k = 0; k < n && r >= 0; k++) {
                char usage[32], created[64], modified[64], usage_json[32], created_json[32], modified_json[32];
                if (images[k].name[0] == '.' && !a->all)
                        continue;
                format_bytes(images[k].usage, usage, sizeof(usage));
                format_time_or_na(images[k].crtime_us, created, sizeof(created));
                format_time_or_na(images[k].mtime_us, modified, sizeof(modified));
                /* JSON as machinectl's: a boolean, bytes, µs since the epoch; null where unknown */
                json_u64(images[k].usage, usage_json, sizeof(usage_json));
                json_u64(images[k].crtime_us ? images[k].crtime_us : UINT64_MAX, created_json, sizeof(created_json));
                json_u64(images[k].mtime_us ? images[k].mtime_us : UINT64_MAX, modified_json, sizeof(modified_json));
                const char *row[] = {
                        images[k].name, image_type_to_string(images[k].type),          images[k].read_only ? "yes" : "no", usage, created,
                        modified,       origins[k].origin[0] ? origins[k].origin : "-"};
                const char *json[] = {NULL,         NULL,          images[k].read_only ? "true" : "false", usage_json,
                                      created_json, modified_json, origins[k].origin[0] ? NULL : "null"};
                r = table_add_typed(&t, row, json);
        }
        free(origins);
        free(images);
        return table_show(&t, a, "images", r);
}

/* The first line of a file of a directory image (links resolved inside it), or "". */
static void tree_first_line(const char *tree, const char *file, char *buf, size_t size)
{
        buf[0] = 0;
        _cleanup_close_ int root = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = root < 0 ? -1 : open_in_root(root, file, O_RDONLY, 0);
        _cleanup_free_ char *text = NULL;
        if (fd >= 0 && read_full_fd(fd, &text, NULL) >= 0)
                snprintf(buf, size, "%.*s", (int)strcspn(text, "\n"), text);
}

/* What machined reads from an image's tree: its hostname, machine ID and OS. */
static void print_tree_identity(const char *tree)
{
        uint8_t id[16];
        char hex[33], v[256];
        Error ignored = {0};
        _cleanup_free_ char *os = NULL, *pretty = NULL;
        tree_first_line(tree, "/etc/hostname", v, sizeof(v));
        if (*v)
                printf("\tHostname: %s\n", v);
        if (image_read_machine_id(tree, id, &ignored) > 0) {
                format_id128(id, hex);
                printf("      Machine ID: %s\n", hex);
        }
        if (image_read_os_release(tree, &os) >= 0 && (pretty = os_release_value(os, "PRETTY_NAME")))
                printf("\t      OS: %s\n", pretty);
}

/* The same of a raw disk image or an overlay child (over base), mounted read-only by a child
 * process in a mount namespace of its own, which takes the mounts and loop devices with it
 * when it ends. */
static void print_mounted_identity(const char *image, const char *base)
{
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                char **warnings = NULL;
                Error e = {0};
                if ((base ? image_child_mount(image, base, &e) : raw_image_mount(image, true, &warnings, &e)) < 0)
                        _exit(EXIT_FAILURE); /* nothing to show: machined shows nothing either */
                print_tree_identity(RAW_IMAGE_ROOT);
                fflush(stdout);
                _exit(EXIT_SUCCESS);
        }
        if (pid > 0)
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
}

/* An overlay child's base: its name when it is an image of the store. */
static void print_base(const char *base)
{
        Image b;
        Error ignored = {0};
        const char *name = path_basename(base);
        if (image_store_get(name, &b, &ignored) == 0 && streq(b.path, base))
                printf("\t    Base: %s (%s)\n", name, base);
        else
                printf("\t    Base: %s\n", base);
}

/* The overlay children of a directory image. */
static void print_children(const char *path)
{
        _cleanup_strv_free_ char **children = NULL;
        if (image_store_children(path, &children) < 0 || !children)
                return;
        printf("\tChildren:");
        for (char **c = children; *c; c++)
                printf("%s %s", c == children ? "" : ",", path_basename(*c));
        putchar('\n');
}

static void print_time_line(const char *label, uint64_t us)
{
        char abs[64], rel[64];
        if (us == 0)
                return;
        format_time(us, abs, sizeof(abs));
        format_relative(us, rel, sizeof(rel));
        printf("\t%s: %s; %s\n", label, abs, rel);
}

int verb_image_status(const Args *a, int argc, char **argv)
{
        int ret = 0;
        for (int k = 1; k < argc; k++) {
                Image i;
                char bytes[32];
                if (get_image(argv[k], &i) < 0) {
                        ret = 1;
                        continue;
                }
                if (k > 1)
                        putchar('\n');
                printf("%s\n", i.name);
                printf("\t    Type: %s\n", image_type_to_string(i.type));
                printf("\t    Path: %s\n", i.path);
                if (*i.base) {
                        print_base(i.base);
                        print_mounted_identity(i.path, i.base);
                } else if (i.type == IMAGE_DIRECTORY || i.type == IMAGE_SUBVOLUME) {
                        print_children(i.path);
                        print_tree_identity(i.path);
                } else
                        print_mounted_identity(i.path, NULL);
                ImageOrigin o;
                if (image_origin(&i, &o)) {
                        printf("\t  Origin: %s\n", o.origin);
                        if (o.digest[0])
                                printf("\t  Digest: %s\n", o.digest);
                        if (o.platform[0])
                                printf("\tPlatform: %s\n", o.platform);
                }
                bool tty = isatty(STDOUT_FILENO);
                printf("\t      RO: %s%s%s\n", i.read_only && tty ? "\033[0;1;31m" : "", i.read_only ? "read-only" : "writable",
                       i.read_only && tty ? "\033[0m" : "");
                print_time_line(" Created", i.crtime_us);
                print_time_line("Modified", i.mtime_us);
                if (i.usage != IMAGE_SIZE_UNKNOWN) {
                        format_bytes(i.usage, bytes, sizeof(bytes));
                        printf("\t   Usage: %s\n", bytes);
                }
                if (i.limit != IMAGE_SIZE_UNKNOWN) {
                        format_bytes(i.limit, bytes, sizeof(bytes));
                        printf("\t   Limit: %s\n", bytes);
                }
        }
        return ret;
}

int verb_show_image(const Args *a, int argc, char **argv)
{
        Properties p;
        if (argc < 2) {
                properties_begin(&p, a, true);
                property_string(&p, "PoolPath", "/var/lib/machines");
                property_u64(&p, "PoolUsage", IMAGE_SIZE_UNKNOWN);
                property_u64(&p, "PoolLimit", IMAGE_SIZE_UNKNOWN);
                properties_end(&p);
                return 0;
        }
        int ret = 0;
        bool first = true;
        for (int k = 1; k < argc; k++) {
                Image i;
                if (get_image(argv[k], &i) < 0) {
                        ret = 1;
                        continue;
                }
                properties_begin(&p, a, first);
                first = false;
                property_string(&p, "Name", i.name);
                property_string(&p, "Path", i.path);
                property_string(&p, "Type", image_type_to_string(i.type));
                property_bool(&p, "ReadOnly", i.read_only);
                /* An unknown time is left out, unless asked for (as machinectl). */
                property_time(&p, "CreationTimestamp", i.crtime_us);
                property_time(&p, "ModificationTimestamp", i.mtime_us);
                property_u64(&p, "Usage", i.usage);
                property_u64(&p, "Limit", i.limit);
                property_u64(&p, "UsageExclusive", i.usage);
                property_u64(&p, "LimitExclusive", i.limit);
                properties_end(&p);
        }
        return ret;
}

static int report(int r, const Error *e, const char *what)
{
        if (r >= 0)
                return 0;
        fprintf(stderr, "%s: %s\n", what, e->msg[0] ? e->msg : strerror(-r));
        return 1;
}

int verb_clone(const Args *a, int argc, char **argv)
{
        Image i;
        Error e = {0};
        if (get_image(argv[1], &i) < 0)
                return 1;
        return report(image_store_clone(&i, argv[2], a->read_only, &e), &e, "Could not clone image");
}

int verb_rename(const Args *a, int argc, char **argv)
{
        Image i;
        Error e = {0};
        if (get_image(argv[1], &i) < 0)
                return 1;
        return report(image_store_rename(&i, argv[2], &e), &e, "Could not rename image");
}

int verb_read_only(const Args *a, int argc, char **argv)
{
        Image i;
        Error e = {0};
        bool b = true;
        if (argc > 2) {
                int v = parse_boolean(argv[2]);
                if (v < 0) {
                        fprintf(stderr, "Failed to parse read-only boolean: %s\n", argv[2]);
                        return 1;
                }
                b = v;
        }
        if (get_image(argv[1], &i) < 0)
                return 1;
        return report(image_store_set_read_only(&i, b, &e), &e, "Could not mark image read-only");
}

int verb_remove(const Args *a, int argc, char **argv)
{
        int ret = 0;
        for (int k = 1; k < argc; k++) {
                Image i;
                Error e = {0};
                if (get_image(argv[k], &i) < 0) {
                        ret = 1;
                        continue;
                }
                ret |= report(image_store_remove(&i, &e), &e, "Could not remove image");
        }
        return ret;
}

/* BYTES as machinectl takes them (K, M, G, T: powers of 1024, as systemd's sizes), or "-",
 * "none", "infinity" for no limit. */
static int parse_limit(const char *s, uint64_t *ret)
{
        if (streq(s, "-") || streq(s, "none") || streq(s, "infinity")) {
                *ret = UINT64_MAX;
                return 0;
        }
        return size_parse(s, 1024, ret);
}

int verb_set_limit(const Args *a, int argc, char **argv)
{
        uint64_t limit;
        const char *size = argv[argc - 1];
        if (parse_limit(size, &limit) < 0) {
                fprintf(stderr, "Failed to parse size: %s (give bytes, with K, M, G or T for 1024-based units, or \"-\" for no limit)\n", size);
                return 1;
        }
        Image i;
        Error e = {0};
        if (argc == 3) {
                if (get_image(argv[1], &i) < 0)
                        return 1;
        } else {
                /* The pool: /var/lib/machines itself. */
                int r = image_store_pool(&i);
                if (r < 0) {
                        fprintf(stderr, "Could not set limit: cannot look at /var/lib/machines: %s\n", strerror(-r));
                        return 1;
                }
        }
        return report(image_store_set_limit(&i, limit, &e), &e, "Could not set limit");
}

int verb_clean(const Args *a, int argc, char **argv)
{
        Image *images;
        size_t n;
        int ret = 0, r = image_store_list(&images, &n);
        if (r < 0) {
                fprintf(stderr, "Could not get images: %s\n", strerror(-r));
                return 1;
        }
        /* An image in use (a container runs on it, it is the base of children that stay, a mount
         * point) is kept, as machined keeps it, and clean succeeds; a base whose children go in
         * this clean goes in a later round. */
        _cleanup_free_ bool *done = calloc(n ? n : 1, sizeof(bool));
        _cleanup_free_ Error *busy = calloc(n ? n : 1, sizeof(Error));
        if (!done || !busy) {
                free(images);
                return 1;
        }
        for (bool progress = true; progress;) {
                progress = false;
                for (size_t k = 0; k < n; k++) {
                        Error e = {0};
                        if (done[k] || (!a->all && images[k].name[0] != '.') || images[k].vendor)
                                continue;
                        if ((r = image_store_remove(&images[k], &e)) == -EBUSY) {
                                busy[k] = e;
                                continue;
                        }
                        done[k] = true;
                        progress = true;
                        busy[k].code = 0;
                        if (r < 0) {
                                fprintf(stderr, "Could not remove image '%s': %s\n", images[k].name, e.msg);
                                ret = 1;
                        } else if (!a->quiet)
                                printf("Removed image '%s'.\n", images[k].name);
                }
        }
        for (size_t k = 0; k < n; k++)
                if (!done[k] && busy[k].code && !a->quiet)
                        fprintf(stderr, "Kept image '%s', which is in use: %s\n", images[k].name, busy[k].msg);
        free(images);
        /* The blobs of OCI images: no image needs them once it is made */
        uint64_t files, bytes;
        Error e = {0};
        if (oci_cache_clean(&files, &bytes, &e) < 0) {
                fprintf(stderr, "Could not clean the blob cache: %s\n", e.msg);
                ret = 1;
        } else if (files > 0 && !a->quiet) {
                char b[32];
                format_bytes(bytes, b, sizeof(b));
                printf("Removed %llu blob%s (%s) from %s.\n", (unsigned long long)files, files == 1 ? "" : "s", b, OCI_BLOB_CACHE);
        }
        return ret;
}

/* cat and edit take NAME or NAME.nspawn: the machine's name, newly allocated (NULL: no memory). */
static char *settings_arg(const char *arg)
{
        size_t n = strlen(arg), k = strlen(".nspawn");
        if (!path_is_absolute(arg) && n > k && endswith(arg, ".nspawn"))
                return strndup(arg, n - k);
        return strdup(arg);
}

/* NAME's settings file, as nspawn finds it (the first of /etc, /run, beside the image), or an
 * absolute FILE as given.  for_edit: where it would go when there is none. */
static int settings_path(const char *arg, bool for_edit, char **ret)
{
        if (path_is_absolute(arg)) {
                *ret = strdup(arg);
                return *ret ? 0 : -ENOMEM;
        }
        Image i;
        Error e = {0};
        bool trusted;
        bool have = image_store_get(arg, &i, &e) == 0;
        if (!have && !for_edit) {
                fprintf(stderr, "No settings file found for machine '%s': %s.\n", arg, e.msg);
                return -ENOENT;
        }
        char pool_path[PATH_MAX];
        snprintf(pool_path, sizeof(pool_path), "/var/lib/machines/%s", arg);
        int r = settings_file_find(have ? i.name : arg, have ? i.path : pool_path, ret, &trusted, &e);
        if (r < 0) {
                fprintf(stderr, "%s\n", e.msg);
                return r;
        }
        if (*ret)
                return 0;
        if (!for_edit) {
                fprintf(stderr, "No settings file found for machine '%s'.\n", arg);
                return -ENOENT;
        }
        return asprintf(ret, "%s/%s.nspawn", settings_trusted_dirs[0], have ? i.name : arg) < 0 ? -ENOMEM : 0;
}

int verb_cat(const Args *a, int argc, char **argv)
{
        int ret = 0;
        for (int k = 1; k < argc; k++) {
                _cleanup_free_ char *path = NULL, *text = NULL, *arg = settings_arg(argv[k]);
                size_t size;
                if (!arg || settings_path(arg, false, &path) < 0) {
                        ret = 1;
                        continue;
                }
                int r = read_full_file(path, &text, &size);
                if (r < 0) {
                        fprintf(stderr, "Failed to read %s: %s\n", path, strerror(-r));
                        ret = 1;
                        continue;
                }
                bool tty = isatty(STDOUT_FILENO);
                printf("%s%s# %s%s\n", k > 1 ? "\n" : "", tty ? "\033[0;1;34m" : "", path, tty ? "\033[0m" : "");
                fwrite(text, 1, size, stdout);
                if (size > 0 && text[size - 1] != '\n')
                        putchar('\n');
        }
        return ret;
}

/* $SYSTEMD_EDITOR, $EDITOR, $VISUAL, else editor, nano, vim, vi, as systemctl edit. */
static int run_editor(const char *file)
{
        const char *env[] = {"SYSTEMD_EDITOR", "EDITOR", "VISUAL"};
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                for (size_t k = 0; k < ELEMENTSOF(env); k++) {
                        const char *ed = getenv(env[k]);
                        if (ed && *ed) {
                                /* It may have arguments: let the shell split them. */
                                execl("/bin/sh", "sh", "-c", "exec $0 \"$1\"", ed, file, (char *)NULL);
                                _exit(127);
                        }
                }
                const char *editors[] = {"editor", "nano", "vim", "vi"};
                for (size_t k = 0; k < ELEMENTSOF(editors); k++)
                        execlp(editors[k], editors[k], file, (char *)NULL);
                fprintf(stderr, "Cannot edit %s: no editor found (set $EDITOR).\n", file);
                _exit(127);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECANCELED;
}

int verb_edit(const Args *a, int argc, char **argv)
{
        _cleanup_free_ char *path = NULL, *text = NULL, *tmp = NULL, *dir = NULL, *arg = settings_arg(argv[1]);
        size_t size = 0;
        int r;
        if (!arg || settings_path(arg, true, &path) < 0)
                return 1;
        /* A file below /run or beside the image is edited as a copy in /etc, which wins. */
        if (!path_is_absolute(arg) && !startswith(path, "/etc/systemd/nspawn/")) {
                _cleanup_free_ char *from = TAKE_PTR(path);
                Image i;
                Error e = {0};
                (void)read_full_file(from, &text, &size);
                const char *name = image_store_get(arg, &i, &e) == 0 ? i.name : arg;
                if (asprintf(&path, "/etc/systemd/nspawn/%s.nspawn", name) < 0)
                        return 1;
        } else if ((r = read_full_file(path, &text, &size)) < 0 && r != -ENOENT) {
                fprintf(stderr, "Failed to read %s: %s\n", path, strerror(-r));
                return 1;
        }
        if (!(dir = path_dirname(path)) || mkdir_p(dir, 0755) < 0 || asprintf(&tmp, "%s/.#%sXXXXXX", dir, path_basename(path)) < 0) {
                fprintf(stderr, "Cannot create %s: %m\n", dir ? dir : path);
                return 1;
        }
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "Cannot create a temporary file in %s: %m\n", dir);
                return 1;
        }
        bool ok = (size == 0 || write(fd, text, size) == (ssize_t)size) && fchmod(fd, 0644) == 0;
        close(fd);
        if (!ok) {
                fprintf(stderr, "Cannot write %s: %m\n", tmp);
                unlink(tmp);
                return 1;
        }
        r = run_editor(tmp);
        if (r < 0) {
                fprintf(stderr, "The editor failed; %s is left as it was.\n", path);
                unlink(tmp);
                return 1;
        }
        if (rename(tmp, path) < 0) {
                fprintf(stderr, "Cannot move the edited file to %s: %m\n", path);
                unlink(tmp);
                return 1;
        }
        return 0;
}
