/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Overlay child images: create-child, list-shadowed and drop-shadowed (src/core/image/image-child.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "corralctl.h"
#include "fs-util.h"
#include "image-child.h"
#include "image-store.h"
#include "strv.h"

static int get_child(const char *name, Image *i)
{
        if (get_image(name, i) < 0)
                return -ENOENT;
        if (!*i->base) {
                fprintf(stderr, "Image '%s' is not an overlay child image: it has no base (corralctl create-child makes one).\n", name);
                return -EINVAL;
        }
        return 0;
}

int verb_create_child(const Args *a, int argc, char **argv)
{
        Image base;
        Error e = {0};
        if (get_image(argv[1], &base) < 0)
                return 1;
        if (image_store_create_child(&base, argv[2], &e) < 0) {
                fprintf(stderr, "Could not create child image: %s\n", e.msg);
                return 1;
        }
        return 0;
}

/* The paths of the command line, as absolute paths in the tree without a trailing "/". */
static int tree_paths(int argc, char **argv, char ***ret)
{
        char **l = NULL;
        for (int k = 0; k < argc; k++) {
                size_t n = strlen(argv[k]);
                while (n > 1 && argv[k][n - 1] == '/')
                        n--;
                _cleanup_free_ char *p = strndup(argv[k], n);
                if (!p) {
                        strv_free(l);
                        return -ENOMEM;
                }
                if (!path_is_absolute(p) || !path_is_normalized(p) || strstr(p, "//")) {
                        fprintf(stderr, "Path %s is not an absolute path in the image without \".\" or \"..\" (like /etc/nginx).\n", argv[k]);
                        strv_free(l);
                        return -EINVAL;
                }
                if (strv_push(&l, TAKE_PTR(p)) < 0) {
                        strv_free(l);
                        return -ENOMEM;
                }
        }
        *ret = l;
        return 0;
}

/* The child image of argv[1] and the paths after it: 0, or -1 with the error shown. */
static int child_and_paths(int argc, char **argv, Image *i, char ***ret_paths)
{
        if (get_child(argv[1], i) < 0)
                return -1;
        int r = tree_paths(argc - 2, argv + 2, ret_paths);
        if (r == -ENOMEM)
                fprintf(stderr, "Out of memory.\n");
        return r < 0 ? -1 : 0;
}

static const char *type_name(mode_t type)
{
        switch (type) {
        case S_IFREG:
                return "file";
        case S_IFDIR:
                return "directory";
        case S_IFLNK:
                return "symlink";
        case S_IFCHR:
                return "char-device";
        case S_IFBLK:
                return "block-device";
        case S_IFIFO:
                return "fifo";
        case S_IFSOCK:
                return "socket";
        default:
                return "deleted";
        }
}

static uint64_t timespec_us(struct timespec ts)
{
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void format_ctime(struct timespec ts, char *buf, size_t size)
{
        struct tm tm;
        strftime(buf, size, "%Y-%m-%d %H:%M:%S", localtime_r(&ts.tv_sec, &tm));
}

int verb_list_shadowed(const Args *a, int argc, char **argv)
{
        static const char *header[] = {"STATE", "TYPE", "CHILD", "BASE", "PATH"};
        _cleanup_strv_free_ char **paths = NULL;
        Shadow *list = NULL;
        size_t n = 0;
        Image i;
        Error e = {0};
        int r;
        if (child_and_paths(argc, argv, &i, &paths) < 0)
                return 1;
        if (image_child_shadows(i.path, i.base, paths, &list, &n, &e) < 0) {
                fprintf(stderr, "Could not list what image '%s' shadows: %s\n", i.name, e.msg);
                return 1;
        }
        Table t = {.n_cols = ELEMENTSOF(header), .header = header};
        r = 0;
        for (size_t k = 0; k < n && r >= 0; k++) {
                char child[32], base[32], child_json[32], base_json[32];
                format_ctime(list[k].child_ctime, child, sizeof(child));
                format_ctime(list[k].base_ctime, base, sizeof(base));
                /* µs since the epoch in JSON */
                json_u64(timespec_us(list[k].child_ctime), child_json, sizeof(child_json));
                json_u64(timespec_us(list[k].base_ctime), base_json, sizeof(base_json));
                /* A replaced entry: what the child put there; anything else: the base's file. */
                mode_t type = list[k].kind == SHADOW_REPLACED ? list[k].child_type : list[k].base_type;
                const char *row[] = {shadow_kind_to_string(list[k].kind), type_name(type), child, base, list[k].path};
                const char *json[] = {NULL, NULL, child_json, base_json, NULL};
                r = table_add_typed(&t, row, json);
        }
        shadows_free(list, n);
        return table_show(&t, a, "shadowed files", r);
}

static void dropped(const Shadow *s, bool done, void *userdata)
{
        const Args *a = userdata;
        if (a->quiet)
                return;
        if (!done) {
                printf("%s: kept the child's own (its machine ID; the base's would give two machines one).\n", s->path);
                return;
        }
        const char *what = s->kind == SHADOW_DELETED ? "deletion" : s->kind == SHADOW_REPLACED ? "replacement" : "copy";
        printf("%s: dropped the child's %s (%s); the base's shows through.\n", s->path, what, shadow_kind_to_string(s->kind));
}

int verb_drop_shadowed(const Args *a, int argc, char **argv)
{
        _cleanup_strv_free_ char **paths = NULL;
        ImageLock lock = IMAGE_LOCK_NULL;
        Image i;
        Error e = {0};
        int r;
        if (child_and_paths(argc, argv, &i, &paths) < 0)
                return 1;
        /* Never under a running container: its overlay would not see the change. */
        if ((r = image_store_lock_idle(&i, false, "drop the shadowing files of", &lock, &e)) >= 0)
                r = image_child_drop(i.path, i.base, paths, dropped, (void *)a, &e);
        image_unlock(&lock);
        if (r < 0) {
                fprintf(stderr, "Could not drop shadowing files of image '%s': %s\n", i.name, e.msg);
                return 1;
        }
        return 0;
}
