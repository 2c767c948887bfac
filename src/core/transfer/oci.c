/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI images into the image store: pull-oci (from a registry, oci-registry.c) and import-oci
 * (an OCI image layout, its tar, or a docker save archive) find the manifest for the
 * platform, check every blob against its digest, apply the layers in order (import.c) and
 * write the image's config as NAME.nspawn beside it; export-oci writes an image as an OCI
 * layout of one layer. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs-util.h"
#include "image-store.h"
#include "oci-blob-cache.h"
#include "oci-internal.h"
#include "parse-util.h"
#include "strv.h"
#include "terminal.h"
#include "tree.h"

#define MANIFEST_MAX (4 * 1024 * 1024)
#define CONFIG_MAX (32 * 1024 * 1024)
#define LAYERS_MAX 512

static json_object *jget(json_object *o, const char *key)
{
        json_object *v;
        return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *jstr(json_object *o, const char *key)
{
        json_object *v = jget(o, key);
        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

void oci_digest_final(EVP_MD_CTX *sha, char digest[static OCI_DIGEST_MAX])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        EVP_DigestFinal_ex(sha, md, &n);
        strcpy(digest, "sha256:");
        for (unsigned k = 0; k < n && k < 32; k++)
                sprintf(digest + 7 + 2 * k, "%02x", md[k]);
}

static void digest_of_data(const char *data, size_t size, char digest[static OCI_DIGEST_MAX])
{
        EVP_MD_CTX *sha = EVP_MD_CTX_new();
        EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
        EVP_DigestUpdate(sha, data, size);
        oci_digest_final(sha, digest);
        EVP_MD_CTX_free(sha);
}

/* The digest of what fd holds, read from the start; fd is left at the start. */
int oci_digest_of_fd(int fd, char digest[static OCI_DIGEST_MAX], uint64_t *ret_size)
{
        static char buf[256 * 1024];
        EVP_MD_CTX *sha = EVP_MD_CTX_new();
        uint64_t size = 0;
        ssize_t n;
        if (!sha)
                return -ENOMEM;
        EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
        while ((n = pread(fd, buf, sizeof(buf), (off_t)size)) > 0) {
                EVP_DigestUpdate(sha, buf, (size_t)n);
                size += (uint64_t)n;
        }
        oci_digest_final(sha, digest);
        EVP_MD_CTX_free(sha);
        if (ret_size)
                *ret_size = size;
        return n < 0 ? negative_errno() : 0;
}

/* Where blobs come from: a registry (through the cache) or an image layout's directory. */
typedef struct Source {
        Registry *registry;
        int layout; /* >= 0: the layout's directory */
        int cache;
        const TransferIO *io;
        char where[1024]; /* for messages */
} Source;

static int parse_descriptor(json_object *o, Descriptor *d, const char *what, const char *where, Error *e)
{
        const char *type = jstr(o, "mediaType"), *digest = jstr(o, "digest");
        json_object *size = jget(o, "size");
        *d = (Descriptor){0};
        if (!digest || !oci_digest_is_valid(digest))
                return error_set(e, -EBADMSG, "%s: a %s without a sha256 digest%s%s", where, what, digest ? ": " : "", digest ? digest : "");
        if (!size || !json_object_is_type(size, json_type_int) || json_object_get_int64(size) < 0)
                return error_set(e, -EBADMSG, "%s: the %s %s has no size", where, what, digest);
        snprintf(d->media_type, sizeof(d->media_type), "%s", type ? type : "");
        snprintf(d->digest, sizeof(d->digest), "%s", digest);
        d->size = (uint64_t)json_object_get_int64(size);
        return 0;
}

/* A blob of the layout, checked against d; shared-locked is not needed: the layout is the
 * user's. */
static int layout_blob(Source *s, const Descriptor *d, int *ret_fd, Error *e)
{
        char path[128], got[OCI_DIGEST_MAX];
        uint64_t size;
        snprintf(path, sizeof(path), "blobs/sha256/%s", d->digest + 7);
        int fd = open_in_root(s->layout, path, O_RDONLY, 0);
        if (fd < 0)
                return error_set_errno(e, fd, "%s: the blob %s is missing", s->where, d->digest);
        int r = oci_digest_of_fd(fd, got, &size);
        if (r < 0) {
                close(fd);
                return error_set_errno(e, r, "%s: cannot read the blob %s", s->where, d->digest);
        }
        if (!streq(got, d->digest) || size != d->size) {
                close(fd);
                return error_set(e, -EBADMSG, "%s: the blob %s is damaged: its digest is %s and it has %llu bytes (%llu said); nothing was imported",
                                 s->where, d->digest, got, (unsigned long long)size, (unsigned long long)d->size);
        }
        *ret_fd = fd;
        return 0;
}

static int source_blob(Source *s, const Descriptor *d, uint64_t base, uint64_t total, const char *what, int *ret_fd, Error *e)
{
        if (s->layout >= 0)
                return layout_blob(s, d, ret_fd, e);
        return registry_blob(s->registry, s->cache, d, base, total, what, ret_fd, e);
}

/* A small blob (a manifest, an index, a config) in memory, checked. */
static int source_small(Source *s, const Descriptor *d, size_t max, char **ret, size_t *ret_size, char *ret_type, size_t type_size, Error *e)
{
        char got[OCI_DIGEST_MAX];
        int r;
        if (d->size > max)
                return error_set(e, -EFBIG, "%s: the blob %s has %llu bytes, more than a manifest or config may have", s->where, d->digest,
                                 (unsigned long long)d->size);
        if (s->layout < 0 && ret_type) {
                /* Manifests come from the manifests endpoint */
                if ((r = registry_manifest(s->registry, d->digest, ret, ret_size, ret_type, type_size, e)) < 0)
                        return r;
                digest_of_data(*ret, *ret_size, got);
                if (!streq(got, d->digest)) {
                        *ret = mfree(*ret);
                        return error_set(e, -EBADMSG, "%s: the manifest %s is damaged: its digest is %s; nothing was imported", s->where, d->digest,
                                         got);
                }
                return 0;
        }
        int fd;
        if ((r = source_blob(s, d, 0, 0, "Config", &fd, e)) < 0)
                return r;
        r = read_full_fd(fd, ret, ret_size);
        close(fd);
        if (r < 0)
                return error_set_errno(e, r, "%s: cannot read the blob %s", s->where, d->digest);
        if (ret_type)
                snprintf(ret_type, type_size, "%s", d->media_type);
        return 0;
}

typedef struct Resolved {
        char manifest_digest[OCI_DIGEST_MAX];
        char platform[96];
        Descriptor config;
        Descriptor layers[LAYERS_MAX];
        size_t n_layers;
        json_object *config_json;
} Resolved;

static bool is_index_type(const char *t)
{
        return streq(t, "application/vnd.oci.image.index.v1+json") || streq(t, "application/vnd.docker.distribution.manifest.list.v2+json");
}

/* The entry of an index for the platform; the platforms it has listed in have. */
static json_object *choose_platform(json_object *manifests, const OciPlatform *want, char *have, size_t have_size)
{
        size_t n = json_object_array_length(manifests), used = 0;
        have[0] = 0;
        for (size_t k = 0; k < n; k++) {
                json_object *m = json_object_array_get_idx(manifests, k), *p = jget(m, "platform");
                const char *os = jstr(p, "os"), *arch = jstr(p, "architecture"), *variant = jstr(p, "variant");
                if (!os || !arch || streq(os, "unknown"))
                        continue; /* attestations and the like */
                if (oci_platform_matches(want, os, arch, variant))
                        return m;
                int w = snprintf(have + used, have_size - used, "%s%s/%s%s%s", used ? ", " : "", os, arch, variant && *variant ? "/" : "",
                                 variant ? variant : "");
                if (w > 0 && (size_t)w < have_size - used)
                        used += (size_t)w;
        }
        return NULL;
}

static bool layer_type_is_supported(const char *t)
{
        /* "" (an OCI layout may leave it out), tar, tar+gzip, tar+zstd; Docker's gzip */
        return !*t || streq(t, "application/vnd.oci.image.layer.v1.tar") || streq(t, "application/vnd.oci.image.layer.v1.tar+gzip") ||
               streq(t, "application/vnd.oci.image.layer.v1.tar+zstd") || streq(t, "application/vnd.docker.image.rootfs.diff.tar.gzip") ||
               streq(t, "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");
}

/* An image manifest (root, parsed): its layers and its config, checked against the platform
 * where no index chose it for that. */
static int resolve_manifest(Source *s, json_object *root, const char *type, const char *digest, const OciPlatform *want, bool platform_given,
                            Resolved *ret, Error *e)
{
        int r;
        json_object *config = jget(root, "config"), *layers = jget(root, "layers");
        if (!config || !layers || !json_object_is_type(layers, json_type_array)) {
                return error_set(e, -EBADMSG, "%s: %s is neither an image manifest nor an index (media type %s)", s->where, digest,
                                 *type ? type : "not said");
                return r;
        }
        snprintf(ret->manifest_digest, sizeof(ret->manifest_digest), "%s", digest);
        if ((r = parse_descriptor(config, &ret->config, "config", s->where, e)) < 0)
                return r;
        ret->n_layers = json_object_array_length(layers);
        if (ret->n_layers > LAYERS_MAX) {
                return error_set(e, -E2BIG, "%s: the image has %zu layers, more than %d", s->where, ret->n_layers, LAYERS_MAX);
                return r;
        }
        for (size_t k = 0; k < ret->n_layers; k++) {
                Descriptor *d = &ret->layers[k];
                if ((r = parse_descriptor(json_object_array_get_idx(layers, k), d, "layer", s->where, e)) < 0)
                        return r;
                if (strstr(d->media_type, "foreign")) {
                        return error_set(e, -EOPNOTSUPP, "%s: layer %zu is a foreign layer (%s), a Windows image's; corral runs Linux images",
                                         s->where, k + 1, d->media_type);
                        return r;
                }
                if (!layer_type_is_supported(d->media_type)) {
                        return error_set(e, -EOPNOTSUPP, "%s: layer %zu has the media type %s; corral takes tar layers, uncompressed, gzip or zstd%s",
                                         s->where, k + 1, d->media_type, strstr(d->media_type, "encrypted") ? " (not encrypted ones)" : "");
                        return r;
                }
        }
        /* The config, and the platform it is for */
        _cleanup_free_ char *text = NULL;
        size_t text_size;
        if ((r = source_small(s, &ret->config, CONFIG_MAX, &text, &text_size, NULL, 0, e)) < 0)
                return r;
        ret->config_json = json_tokener_parse(text);
        if (!ret->config_json || !json_object_is_type(ret->config_json, json_type_object)) {
                return error_set(e, -EBADMSG, "%s: the image's config %s is not JSON", s->where, ret->config.digest);
                return r;
        }
        const char *os = jstr(ret->config_json, "os"), *arch = jstr(ret->config_json, "architecture"), *variant = jstr(ret->config_json, "variant");
        OciPlatform p = {0};
        snprintf(p.os, sizeof(p.os), "%s", os ? os : "linux");
        snprintf(p.architecture, sizeof(p.architecture), "%s", arch ? arch : want->architecture);
        snprintf(p.variant, sizeof(p.variant), "%s", variant ? variant : "");
        oci_platform_format(&p, ret->platform, sizeof(ret->platform));
        if (arch && !platform_given && !oci_platform_matches(want, p.os, p.architecture, p.variant)) {
                char wanted[96];
                oci_platform_format(want, wanted, sizeof(wanted));
                return error_set(e, -ENOEXEC, "%s: the image is for %s, and this machine is %s (--platform=%s takes it anyway)", s->where,
                                 ret->platform, wanted, ret->platform);
                return r;
        }
        return 0;
}

/* From a manifest or an index (body, its media type as the source said it, its digest) to a
 * manifest for the platform and its config. */
static int resolve(Source *s, const char *body, size_t size, const char *type_said, const char *digest, const OciPlatform *want, bool platform_given,
                   int depth, Resolved *ret, Error *e)
{
        json_object *root = json_tokener_parse(body), *v;
        int r = 0;
        (void)size;
        if (!root || !json_object_is_type(root, json_type_object)) {
                json_object_put(root);
                return error_set(e, -EBADMSG, "%s: the manifest %s is not JSON", s->where, digest);
        }
        const char *type = jstr(root, "mediaType");
        if (!type || !*type)
                type = type_said;
        if ((v = jget(root, "schemaVersion")) && json_object_get_int(v) == 1) {
                r = error_set(e, -EOPNOTSUPP,
                              "%s: the image has a Docker schema 1 manifest, which nothing has written since 2017; push it again with a "
                              "recent docker, podman or skopeo",
                              s->where);
                goto out;
        }
        if ((v = jget(root, "manifests")) && json_object_is_type(v, json_type_array) && (is_index_type(type) || !jget(root, "layers"))) {
                char have[512], mtype[128] = "", wanted[96];
                Descriptor d;
                _cleanup_free_ char *child = NULL;
                size_t child_size = 0;
                if (depth > 3) {
                        r = error_set(e, -ELOOP, "%s: indexes nested too deep", s->where);
                        goto out;
                }
                json_object *m = choose_platform(v, want, have, sizeof(have));
                oci_platform_format(want, wanted, sizeof(wanted));
                if (!m && json_object_array_length(v) == 1 && !have[0])
                        m = json_object_array_get_idx(v, 0); /* one image, its platform not said: its config says it */
                if (!m) {
                        r = error_set(e, -ENOENT, "%s: the image has no %s variant; it has %s (--platform= picks one)", s->where, wanted,
                                      have[0] ? have : "none");
                        goto out;
                }
                if ((r = parse_descriptor(m, &d, "manifest", s->where, e)) < 0)
                        goto out;
                if ((r = source_small(s, &d, MANIFEST_MAX, &child, &child_size, mtype, sizeof(mtype), e)) < 0)
                        goto out;
                r = resolve(s, child, child_size, *mtype ? mtype : d.media_type, d.digest, want, platform_given || jget(m, "platform"), depth + 1,
                            ret, e);
                goto out;
        }
        r = resolve_manifest(s, root, type, digest, want, platform_given, ret, e);
out:
        json_object_put(root);
        return r;
}

/* A word of a settings file's value, quoted where it needs it (split_words() reads it back). */
static int write_word(FILE *f, const char *w)
{
        if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-") == strlen(w))
                return fputs(w, f);
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)w; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p == '\n')
                        fputs("\\n", f);
                else if (*p == '\t')
                        fputs("\\t", f);
                else if (*p < ' ' || *p == 0x7f)
                        fprintf(f, "\\x%02x", *p);
                else
                        fputc(*p, f);
        }
        return fputc('"', f);
}

/* A value on a comment line: one line, control characters shown as "?" */
static void comment_value(FILE *f, const char *v)
{
        for (const unsigned char *p = (const unsigned char *)v; *p; p++)
                fputc(*p < ' ' || *p == 0x7f ? '?' : *p, f);
}

static bool is_init(const char *path)
{
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        return path[0] == '/' && (streq(base, "init") || streq(base, "systemd"));
}

char *oci_settings_from_config(const char *config_text, const char *origin, const char *digest, const char *platform)
{
        json_object *root = json_tokener_parse(config_text);
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        if (!f) {
                json_object_put(root);
                return NULL;
        }
        json_object *c = jget(root, "config"), *v;
        fprintf(f, "# corralctl wrote this file from the OCI image's config: what the image runs.\n");
        fprintf(f, "# Origin: ");
        comment_value(f, origin);
        fprintf(f, "\n# Digest: %s\n# Platform: ", digest);
        comment_value(f, platform);
        fputc('\n', f);
        if ((v = jget(c, "Labels")) && json_object_is_type(v, json_type_object)) {
                json_object_object_foreach(v, key, value)
                {
                        fprintf(f, "# Label: ");
                        comment_value(f, key);
                        fputc('=', f);
                        comment_value(f, json_object_is_type(value, json_type_string) ? json_object_get_string(value) : "");
                        fputc('\n', f);
                }
        }
        if ((v = jget(c, "ExposedPorts")) && json_object_is_type(v, json_type_object) && json_object_object_length(v) > 0) {
                fprintf(f, "# ExposedPorts:");
                json_object_object_foreach(v, port, unused)
                {
                        (void)unused;
                        fputc(' ', f);
                        comment_value(f, port);
                }
                fprintf(f, "\n# (the container shares the host's network unless given one of its own; with --network-veth,\n"
                           "# --port=tcp:PORT publishes one, or Port= under [Network] in a trusted settings file)\n");
        }
        fprintf(f, "\n[Exec]\n");
        /* Entrypoint, then Cmd: the command line */
        char **argv = NULL;
        const char *parts[] = {"Entrypoint", "Cmd"};
        for (size_t k = 0; k < ELEMENTSOF(parts); k++)
                if ((v = jget(c, parts[k])) && json_object_is_type(v, json_type_array))
                        for (size_t j = 0; j < json_object_array_length(v); j++) {
                                json_object *w = json_object_array_get_idx(v, j);
                                if (json_object_is_type(w, json_type_string))
                                        (void)strv_push(&argv, strdup(json_object_get_string(w)));
                        }
        if (argv && argv[0]) {
                char **p = argv;
                if (is_init(argv[0])) {
                        fprintf(f, "Boot=yes\n");
                        p++;
                }
                if (*p) {
                        fprintf(f, "Parameters=");
                        for (char **w = p; *w; w++) {
                                if (w != p)
                                        fputc(' ', f);
                                write_word(f, *w);
                        }
                        fputc('\n', f);
                }
        }
        strv_free(argv);
        if ((v = jget(c, "Env")) && json_object_is_type(v, json_type_array))
                for (size_t j = 0; j < json_object_array_length(v); j++) {
                        json_object *w = json_object_array_get_idx(v, j);
                        const char *s = json_object_is_type(w, json_type_string) ? json_object_get_string(w) : NULL;
                        if (!s || !env_assignment_is_valid(s))
                                continue;
                        fprintf(f, "Environment=");
                        write_word(f, s);
                        fputc('\n', f);
                }
        const char *wd = jstr(c, "WorkingDir");
        if (wd && wd[0] == '/' && !strpbrk(wd, "\n\r"))
                fprintf(f, "WorkingDirectory=%s\n", wd);
        const char *user = jstr(c, "User");
        if (user && *user && !strpbrk(user, "\n\r \t")) {
                size_t n = strcspn(user, ":");
                fprintf(f, "User=%.*s\n", (int)n, user);
                if (user[n])
                        fprintf(f, "# The image says User=%s: nspawn's User= takes no group; the user's own groups apply.\n", user);
        }
        const char *stop = jstr(c, "StopSignal");
        int sig;
        char signame[16];
        if (stop && parse_signal(stop, &sig) >= 0)
                fprintf(f, "KillSignal=%s\n", signal_to_string(sig, signame));
        json_object_put(root);
        if (fclose(f) != 0) {
                free(text);
                return NULL;
        }
        return text;
}

typedef struct Pulled {
        int fds[LAYERS_MAX];
        size_t n;
} Pulled;

static void pulled_done(Pulled *p)
{
        for (size_t k = 0; k < p->n; k++)
                close(p->fds[k]);
        p->n = 0;
}

static int layer_from_array(void *userdata, size_t k, int *ret_fd, Error *e)
{
        *ret_fd = ((const int *)userdata)[k];
        return 0;
}

/* The image name from the layers (get gives them, checked) and the config, with its settings
 * file. */
static int finish_image(size_t n, uint64_t bytes, LayerGet get, void *userdata, json_object *config, const char *origin, const char *digest,
                        const char *platform, const char *name, const ImportOptions *o, OciImageInfo *info, Error *e)
{
        _cleanup_free_ char *config_text = strdup(json_object_to_json_string_ext(config, JSON_C_TO_STRING_PLAIN));
        _cleanup_free_ char *settings = config_text ? oci_settings_from_config(config_text, origin, digest, platform) : NULL;
        if (!settings)
                return error_set(e, -ENOMEM, "out of memory");
        int r = import_layers(n, bytes, get, userdata, name, settings, o, e);
        if (r < 0)
                return r;
        if (info) {
                snprintf(info->digest, sizeof(info->digest), "%s", digest);
                snprintf(info->platform, sizeof(info->platform), "%s", platform);
                info->layers = n;
                info->bytes = bytes;
        }
        return 0;
}

/* The layers are fetched by a thread of their own, in order, while the ones already there are
 * applied: a pull takes about the longer of the download and the apply, not their sum. */
typedef struct Fetcher {
        Source *source;
        const Resolved *res;
        pthread_mutex_t lock;
        pthread_cond_t changed;
        int fds[LAYERS_MAX];
        size_t ready;  /* fds[0..ready) are fetched and checked */
        bool finished; /* the thread is done: all fetched, or error set */
        bool stop;     /* the apply failed: fetch no more */
        Error error;
        _Atomic uint64_t bytes; /* of the blob being fetched */
        TransferIO io;          /* the caller's cancel; progress into bytes */
        const TransferIO *caller;
} Fetcher;

static void fetcher_progress(void *userdata, const char *what, uint64_t done, uint64_t total)
{
        Fetcher *f = userdata;
        (void)what, (void)total;
        atomic_store(&f->bytes, done);
}

static void *fetch_thread(void *userdata)
{
        Fetcher *f = userdata;
        uint64_t base = 0, total = 0;
        for (size_t k = 0; k < f->res->n_layers; k++)
                total += f->res->layers[k].size;
        for (size_t k = 0; k < f->res->n_layers; k++) {
                Error e = {0};
                int fd = -1, r;
                pthread_mutex_lock(&f->lock);
                bool stop = f->stop;
                pthread_mutex_unlock(&f->lock);
                if (stop)
                        break;
                r = source_blob(f->source, &f->res->layers[k], base, total, "Downloading", &fd, &e);
                pthread_mutex_lock(&f->lock);
                if (r < 0)
                        f->error = e;
                else {
                        /* The cache's clean leaves a blob alone while a pull holds it */
                        (void)flock(fd, LOCK_SH | LOCK_NB);
                        f->fds[f->ready++] = fd;
                        base += f->res->layers[k].size;
                }
                pthread_cond_broadcast(&f->changed);
                pthread_mutex_unlock(&f->lock);
                if (r < 0)
                        break;
        }
        pthread_mutex_lock(&f->lock);
        f->finished = true;
        pthread_cond_broadcast(&f->changed);
        pthread_mutex_unlock(&f->lock);
        return NULL;
}

/* Layer k for import_layers(): waits for the fetcher, showing the download's progress. */
static int fetched_layer(void *userdata, size_t k, int *ret_fd, Error *e)
{
        Fetcher *f = userdata;
        char what[64];
        uint64_t total = f->res->layers[k].size;
        snprintf(what, sizeof(what), "Downloading %zu/%zu", k + 1, f->res->n_layers);
        pthread_mutex_lock(&f->lock);
        while (f->ready <= k && !f->finished) {
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_nsec += 100 * 1000 * 1000;
                if (until.tv_nsec >= 1000000000) {
                        until.tv_sec++;
                        until.tv_nsec -= 1000000000;
                }
                pthread_cond_timedwait(&f->changed, &f->lock, &until);
                if (f->ready <= k && f->caller->progress) {
                        uint64_t done = atomic_load(&f->bytes);
                        pthread_mutex_unlock(&f->lock);
                        f->caller->progress(f->caller->userdata, what, done, total);
                        pthread_mutex_lock(&f->lock);
                }
        }
        int r = 0;
        if (f->ready > k)
                *ret_fd = f->fds[k];
        else {
                *e = f->error;
                r = e->code < 0 ? e->code : error_set(e, -EIO, "layer %zu was not fetched", k + 1);
        }
        pthread_mutex_unlock(&f->lock);
        return r;
}

/* The layers of what was resolved, fetched and checked, and applied as they come. */
static int make_image(Source *s, Resolved *res, const char *origin, const char *name, const ImportOptions *o, OciImageInfo *info, Error *e)
{
        Fetcher *f = calloc(1, sizeof(Fetcher));
        uint64_t total = 0;
        pthread_t thread;
        int r;
        if (!f)
                return error_set(e, -ENOMEM, "out of memory");
        for (size_t k = 0; k < res->n_layers; k++)
                total += res->layers[k].size;
        *f = (Fetcher){.source = s, .res = res, .caller = &o->io};
        f->io = (TransferIO){.cancel = o->io.cancel, .progress = fetcher_progress, .userdata = f};
        pthread_mutex_init(&f->lock, NULL);
        pthread_cond_init(&f->changed, NULL);
        Source fs = *s;
        fs.io = &f->io;
        if (s->registry)
                s->registry->io = &f->io;
        f->source = &fs;
        /* Signals are for this thread, whose reads they interrupt */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        r = -pthread_create(&thread, NULL, fetch_thread, f);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
                free(f);
                return error_set_errno(e, r, "cannot start fetching the layers");
        }
        r = finish_image(res->n_layers, total, fetched_layer, f, res->config_json, origin, res->manifest_digest, res->platform, name, o, info, e);
        pthread_mutex_lock(&f->lock);
        f->stop = true;
        pthread_mutex_unlock(&f->lock);
        pthread_join(thread, NULL);
        for (size_t k = 0; k < f->ready; k++)
                close(f->fds[k]);
        if (s->registry)
                s->registry->io = &o->io;
        pthread_cond_destroy(&f->changed);
        pthread_mutex_destroy(&f->lock);
        free(f);
        return r;
}

static int cancelled_or(const ImportOptions *o, bool pull, int r, Error *e)
{
        if (r < 0 && o->io.cancel && *o->io.cancel) {
                e->code = 0;
                if (pull)
                        return error_set(e, -ECANCELED, "cancelled; nothing was imported (the blobs fetched so far stay in %s, for the next pull)",
                                         OCI_BLOB_CACHE);
                return error_set(e, -ECANCELED, "cancelled; nothing was imported");
        }
        return r;
}

int pull_oci(const char *reference, const char *name, const OciPlatform *platform, const ImportOptions *o, OciImageInfo *info, Error *e)
{
        OciReference ref;
        Registry reg;
        const char *why;
        char origin[1024], type[128], got[OCI_DIGEST_MAX];
        _cleanup_free_ char *body = NULL;
        _cleanup_close_ int cache = -1;
        size_t size;
        OciPlatform want;
        Resolved *res = calloc(1, sizeof(Resolved));
        int r;
        if (!res)
                return error_set(e, -ENOMEM, "out of memory");
        if (oci_reference_parse(reference, &ref, &why) < 0) {
                free(res);
                return error_set(e, -EINVAL, "\"%s\" is not an image reference: %s", reference, why);
        }
        if (platform)
                want = *platform;
        else
                oci_platform_host(&want);
        oci_reference_format(&ref, origin, sizeof(origin));
        if ((r = import_check_name(name, o->force, e)) < 0 || (cache = oci_cache_open(e)) < 0 || (r = registry_open(&reg, &ref, &o->io, e)) < 0) {
                free(res);
                return r < 0 ? r : cache;
        }
        Source s = {.registry = &reg, .layout = -1, .cache = cache, .io = &o->io};
        snprintf(s.where, sizeof(s.where), "%s", origin);
        if ((r = registry_manifest(&reg, ref.digest[0] ? ref.digest : ref.tag, &body, &size, type, sizeof(type), e)) < 0)
                goto out;
        digest_of_data(body, size, got);
        if (ref.digest[0] && !streq(got, ref.digest)) {
                r = error_set(e, -EBADMSG, "%s: the registry's manifest for %s has the digest %s; nothing was imported", origin, ref.digest, got);
                goto out;
        }
        if ((r = resolve(&s, body, size, type, got, &want, platform != NULL, 0, res, e)) < 0)
                goto out;
        r = make_image(&s, res, origin, name, o, info, e);
out:
        json_object_put(res->config_json);
        free(res);
        registry_done(&reg);
        return cancelled_or(o, true, r, e);
}

/* A docker save archive, extracted in root: manifest.json names the config and the layers
 * by their paths; the config's diff_ids (the digests of the layers uncompressed) check them. */
static int import_docker_archive(int root, const char *where, const char *name, const ImportOptions *o, OciImageInfo *info, Error *e)
{
        _cleanup_free_ char *text = NULL, *config_text = NULL;
        size_t size, config_size;
        char got[OCI_DIGEST_MAX], origin[1200];
        Pulled p = {0};
        json_object *manifest = NULL, *config = NULL, *image, *layers, *tags, *diff_ids;
        const char *config_path, *base, *tag, *os, *arch, *variant;
        char platform[96];
        uint64_t total = 0;
        int r, fd = open_in_root(root, "manifest.json", O_RDONLY, 0);
        if (fd < 0 || read_full_fd(fd, &text, &size) < 0 || !(manifest = json_tokener_parse(text))) {
                closep(&fd);
                return error_set(e, -EBADMSG, "%s: its manifest.json cannot be read as JSON", where);
        }
        closep(&fd);
        image = json_object_is_type(manifest, json_type_array) ? json_object_array_get_idx(manifest, 0) : NULL;
        config_path = jstr(image, "Config");
        layers = jget(image, "Layers");
        tags = jget(image, "RepoTags");
        if (json_object_is_type(manifest, json_type_array) && json_object_array_length(manifest) > 1) {
                r = error_set(e, -EOPNOTSUPP, "%s holds %zu images; import-oci takes an archive of one (docker save IMAGE)", where,
                              json_object_array_length(manifest));
                goto out;
        }
        if (!config_path || !layers || !json_object_is_type(layers, json_type_array) || json_object_array_length(layers) > LAYERS_MAX) {
                r = error_set(e, -EBADMSG, "%s: its manifest.json names no config or layers", where);
                goto out;
        }
        if ((fd = open_in_root(root, config_path, O_RDONLY, 0)) < 0 || read_full_fd(fd, &config_text, &config_size) < 0) {
                closep(&fd);
                r = error_set(e, -EBADMSG, "%s: the config %s is missing", where, config_path);
                goto out;
        }
        closep(&fd);
        digest_of_data(config_text, config_size, got);
        /* Named by its digest: HEX.json (docker before 25) or blobs/sha256/HEX */
        base = strrchr(config_path, '/') ? strrchr(config_path, '/') + 1 : config_path;
        if (strlen(base) >= 64 && strncmp(base, got + 7, 64) != 0 && strspn(base, "0123456789abcdef") == 64) {
                r = error_set(e, -EBADMSG, "%s: the config %s is damaged: its digest is %s", where, config_path, got);
                goto out;
        }
        diff_ids = jget(jget(config = json_tokener_parse(config_text), "rootfs"), "diff_ids");
        if (!config || !diff_ids || !json_object_is_type(diff_ids, json_type_array) ||
            json_object_array_length(diff_ids) != json_object_array_length(layers)) {
                r = error_set(e, -EBADMSG, "%s: the config %s does not list the digests of the layers manifest.json names", where, config_path);
                goto out;
        }
        for (size_t k = 0; k < json_object_array_length(layers); k++) {
                json_object *l = json_object_array_get_idx(layers, k), *d = json_object_array_get_idx(diff_ids, k);
                const char *path = json_object_is_type(l, json_type_string) ? json_object_get_string(l) : "";
                const char *want = json_object_is_type(d, json_type_string) ? json_object_get_string(d) : "";
                const char *hex = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
                uint64_t layer_size;
                if ((fd = open_in_root(root, path, O_RDONLY, 0)) < 0) {
                        r = error_set_errno(e, fd, "%s: the layer %s is missing", where, path);
                        goto out;
                }
                p.fds[p.n++] = fd;
                if ((r = oci_digest_of_fd(fd, got, &layer_size)) < 0) {
                        r = error_set_errno(e, r, "%s: cannot read the layer %s", where, path);
                        goto out;
                }
                /* Uncompressed, it is its diff_id; a compressed blob is named by its digest */
                if (!streq(got, want) && !(startswith(path, "blobs/sha256/") && streq(got + 7, hex))) {
                        r = error_set(e, -EBADMSG, "%s: the layer %s is damaged: its digest is %s, the config says %s; nothing was imported", where,
                                      path, got, want);
                        goto out;
                }
                total += layer_size;
        }
        tag = tags && json_object_is_type(tags, json_type_array) && json_object_array_length(tags) > 0
                      ? json_object_get_string(json_object_array_get_idx(tags, 0))
                      : NULL;
        snprintf(origin, sizeof(origin), "docker-archive:%s%s%s", where, tag ? ":" : "", tag ? tag : "");
        os = jstr(config, "os");
        arch = jstr(config, "architecture");
        variant = jstr(config, "variant");
        snprintf(platform, sizeof(platform), "%s/%s%s%s", os ? os : "linux", arch ? arch : "unknown", variant ? "/" : "", variant ? variant : "");
        digest_of_data(config_text, config_size, got);
        r = finish_image(p.n, total, layer_from_array, p.fds, config, origin, got, platform, name, o, info, e);
out:
        pulled_done(&p);
        json_object_put(manifest);
        json_object_put(config);
        return r;
}

/* An image layout (or a docker save archive) in the directory root. */
static int import_from(int root, const char *path, bool archive, const char *name, const OciPlatform *want, bool platform_given,
                       const ImportOptions *o, OciImageInfo *info, Error *e)
{
        _cleanup_free_ char *index = NULL;
        char origin[1200];
        size_t size;
        int r;
        if (faccessat(root, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                if (faccessat(root, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                        return import_docker_archive(root, path, name, o, info, e);
                return error_set(e, -EBADMSG, "%s is neither an OCI image layout (index.json) nor a docker save archive (manifest.json)", path);
        }
        int fd = open_in_root(root, "index.json", O_RDONLY, 0);
        r = fd < 0 ? fd : read_full_fd(fd, &index, &size);
        closep(&fd);
        if (r < 0)
                return error_set_errno(e, r, "cannot read %s/index.json", path);
        Resolved *res = calloc(1, sizeof(Resolved));
        if (!res)
                return error_set(e, -ENOMEM, "out of memory");
        Source s = {.layout = root, .cache = -1, .io = &o->io};
        snprintf(s.where, sizeof(s.where), "%s", path);
        snprintf(origin, sizeof(origin), "%s:%s", archive ? "oci-archive" : "oci", path);
        if ((r = resolve(&s, index, size, "application/vnd.oci.image.index.v1+json", "index.json", want, platform_given, 0, res, e)) >= 0)
                r = make_image(&s, res, origin, name, o, info, e);
        json_object_put(res->config_json);
        free(res);
        return r;
}

int import_oci(const char *path, const char *name, const OciPlatform *platform, const ImportOptions *o, OciImageInfo *info, Error *e)
{
        struct stat st;
        char tmp[1024];
        OciPlatform want;
        int r;
        if ((r = import_check_name(name, o->force, e)) < 0)
                return r;
        if (stat(path, &st) < 0)
                return error_set_errno(e, negative_errno(), "cannot import %s", path);
        if (platform)
                want = *platform;
        else
                oci_platform_host(&want);
        if (S_ISDIR(st.st_mode)) {
                _cleanup_close_ int root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (root < 0)
                        return error_set_errno(e, negative_errno(), "cannot open %s", path);
                return cancelled_or(o, false, import_from(root, path, false, name, &want, platform != NULL, o, info, e), e);
        }
        /* An archive: read out into a directory beside the blob cache, then as one */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return error_set_errno(e, negative_errno(), "cannot open %s", path);
        if ((r = mkdir_p(OCI_BLOB_CACHE, 0700)) < 0)
                return error_set_errno(e, r, "cannot create %s", OCI_BLOB_CACHE);
        snprintf(tmp, sizeof(tmp), "%s/.#import-XXXXXX", OCI_BLOB_CACHE);
        if (!mkdtemp(tmp))
                return error_set_errno(e, negative_errno(), "cannot create a directory to read %s into", path);
        int root = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                r = error_set_errno(e, negative_errno(), "cannot open %s", tmp);
        else if ((r = import_extract(root, fd, &o->io, e)) < 0)
                error_prefix(e, "%s", path);
        else
                r = import_from(root, path, true, name, &want, platform != NULL, o, info, e);
        closep(&root);
        (void)tree_remove(AT_FDCWD, tmp, NULL, 0);
        return cancelled_or(o, false, r, e);
}

/* The config of an exported image: its settings file's [Exec] as the image's command,
 * environment, directory, user and stop signal. */
static json_object *config_from_settings(const Image *i, const char *diff_id)
{
        json_object *root = json_object_new_object(), *c = json_object_new_object(), *env = json_object_new_array();
        json_object *rootfs = json_object_new_object(), *ids = json_object_new_array(), *cmd = NULL;
        OciPlatform host;
        char **files = image_settings_files(i);
        _cleanup_free_ char *text = NULL;
        bool boot = false, exec = false;
        char **params = NULL;
        size_t size;
        oci_platform_host(&host);
        if (files && files[0])
                (void)read_full_file(files[0], &text, &size);
        strv_free(files);
        for (char *save = NULL, *line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
                const char *v;
                line += strspn(line, " \t");
                if (line[0] == '[') {
                        exec = startswith(line, "[Exec]") != NULL;
                        continue;
                }
                if (!exec || line[0] == '#' || line[0] == ';')
                        continue;
                char **words = NULL;
                if ((v = startswith(line, "Parameters="))) {
                        strv_free(params);
                        params = NULL;
                        (void)split_words(v, &params);
                } else if ((v = startswith(line, "Environment=")) && split_words(v, &words) >= 0) {
                        for (char **w = words; w && *w; w++)
                                json_object_array_add(env, json_object_new_string(*w));
                } else if ((v = startswith(line, "WorkingDirectory=")))
                        json_object_object_add(c, "WorkingDir", json_object_new_string(v));
                else if ((v = startswith(line, "User=")))
                        json_object_object_add(c, "User", json_object_new_string(v));
                else if ((v = startswith(line, "KillSignal=")))
                        json_object_object_add(c, "StopSignal", json_object_new_string(v));
                else if ((v = startswith(line, "Boot=")))
                        boot = parse_boolean(v) > 0;
                strv_free(words);
        }
        if (boot || params) {
                cmd = json_object_new_array();
                if (boot)
                        json_object_array_add(cmd, json_object_new_string("/sbin/init"));
                for (char **w = params; w && *w; w++)
                        json_object_array_add(cmd, json_object_new_string(*w));
                json_object_object_add(c, "Cmd", cmd);
        }
        strv_free(params);
        if (json_object_array_length(env) > 0)
                json_object_object_add(c, "Env", env);
        else
                json_object_put(env);
        json_object_object_add(root, "architecture", json_object_new_string(host.architecture));
        if (host.variant[0])
                json_object_object_add(root, "variant", json_object_new_string(host.variant));
        json_object_object_add(root, "os", json_object_new_string("linux"));
        json_object_object_add(root, "config", c);
        json_object_array_add(ids, json_object_new_string(diff_id));
        json_object_object_add(rootfs, "type", json_object_new_string("layers"));
        json_object_object_add(rootfs, "diff_ids", ids);
        json_object_object_add(root, "rootfs", rootfs);
        return root;
}

static json_object *descriptor_json(const char *type, const char *digest, uint64_t size)
{
        json_object *d = json_object_new_object();
        json_object_object_add(d, "mediaType", json_object_new_string(type));
        json_object_object_add(d, "digest", json_object_new_string(digest));
        json_object_object_add(d, "size", json_object_new_int64((int64_t)size));
        return d;
}

typedef struct LayoutFile {
        char path[128];
        const char *data; /* or fd */
        size_t size;
        int fd;
} LayoutFile;

static int write_layout_dir(int dir, const LayoutFile *files, size_t n, Error *e)
{
        if (mkdirat(dir, "blobs", 0755) < 0 || mkdirat(dir, "blobs/sha256", 0755) < 0)
                return error_set_errno(e, negative_errno(), "cannot create the layout's blobs directory");
        for (size_t k = 0; k < n; k++) {
                int r;
                if (files[k].fd >= 0) {
                        char p[FD_PATH_MAX];
                        /* The layer's unnamed file gets its name */
                        r = linkat(AT_FDCWD, fd_path(files[k].fd, p), dir, files[k].path, AT_SYMLINK_FOLLOW) < 0 ? negative_errno() : 0;
                        if (r < 0) {
                                /* (not an O_TMPFILE file: copied) */
                                _cleanup_close_ int out = openat(dir, files[k].path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                                loff_t from = 0;
                                ssize_t got = 1;
                                while (out >= 0 && (got = copy_file_range(files[k].fd, &from, out, NULL, 1 << 30, 0)) > 0)
                                        ;
                                r = out < 0 || got < 0 ? negative_errno() : 0;
                        }
                } else
                        r = write_file_at(dir, files[k].path, files[k].data, files[k].size, 0644);
                if (r < 0)
                        return error_set_errno(e, r, "cannot write the layout's %s", files[k].path);
        }
        return 0;
}

static int write_layout_tar(int fd, const LayoutFile *files, size_t n, Error *e)
{
        struct archive *w = archive_write_new();
        struct archive_entry *entry = archive_entry_new();
        static char buf[256 * 1024];
        int r = 0;
        if (!w || !entry || archive_write_set_format_pax_restricted(w) != ARCHIVE_OK || archive_write_open_fd(w, fd) != ARCHIVE_OK) {
                r = error_set(e, -EIO, "cannot write the archive: %s", w ? archive_error_string(w) : "out of memory");
                goto out;
        }
        for (size_t k = 0; k < n + 2 && r >= 0; k++) {
                /* The two directories first, as skopeo writes them */
                const char *dirs[] = {"blobs", "blobs/sha256"};
                archive_entry_clear(entry);
                archive_entry_set_mtime(entry, time(NULL), 0);
                if (k < 2) {
                        archive_entry_set_pathname(entry, dirs[k]);
                        archive_entry_set_filetype(entry, AE_IFDIR);
                        archive_entry_set_perm(entry, 0755);
                        if (archive_write_header(w, entry) != ARCHIVE_OK)
                                r = error_set(e, -EIO, "cannot write the archive: %s", archive_error_string(w));
                        continue;
                }
                const LayoutFile *f = &files[k - 2];
                uint64_t size = f->size;
                if (f->fd >= 0) {
                        struct stat st;
                        if (fstat(f->fd, &st) < 0)
                                return error_set_errno(e, negative_errno(), "cannot read the layer back");
                        size = (uint64_t)st.st_size;
                }
                archive_entry_set_pathname(entry, f->path);
                archive_entry_set_filetype(entry, AE_IFREG);
                archive_entry_set_perm(entry, 0644);
                archive_entry_set_size(entry, (la_int64_t)size);
                if (archive_write_header(w, entry) != ARCHIVE_OK) {
                        r = error_set(e, -EIO, "cannot write the archive: %s", archive_error_string(w));
                        break;
                }
                if (f->fd < 0) {
                        if (archive_write_data(w, f->data, f->size) != (la_ssize_t)f->size)
                                r = error_set(e, -EIO, "cannot write the archive: %s", archive_error_string(w));
                        continue;
                }
                ssize_t got;
                for (off_t at = 0; (got = pread(f->fd, buf, sizeof(buf), at)) > 0; at += got)
                        if (archive_write_data(w, buf, (size_t)got) != got) {
                                r = error_set(e, -EIO, "cannot write the archive: %s", archive_error_string(w));
                                break;
                        }
                if (got < 0)
                        r = error_set_errno(e, negative_errno(), "cannot read the layer back");
        }
        if (r >= 0 && archive_write_close(w) != ARCHIVE_OK)
                r = error_set(e, -EIO, "cannot write the archive: %s", archive_error_string(w));
out:
        if (entry)
                archive_entry_free(entry);
        if (w)
                archive_write_free(w);
        return r;
}

int export_oci(const Image *i, const char *path, const TransferIO *io, bool frozen, Error *e)
{
        size_t n = strlen(path);
        bool tar = n > 4 && streq(path + n - 4, ".tar");
        _cleanup_free_ char *dir = path_dirname(path), *tmp = NULL;
        char layer_digest[OCI_DIGEST_MAX], config_digest[OCI_DIGEST_MAX], manifest_digest[OCI_DIGEST_MAX];
        uint64_t layer_size;
        int r;
        if (!dir)
                return error_set(e, -ENOMEM, "out of memory");
        if (access(path, F_OK) == 0)
                return error_set(e, -EEXIST, "%s exists already; export-oci writes a new %s", path, tar ? "file" : "directory");
        /* The layer first, unnamed, in the directory it goes to */
        _cleanup_close_ int layer = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
        if (layer < 0 && errno == EOPNOTSUPP) {
                /* A file system without O_TMPFILE: a named file, unlinked at once */
                _cleanup_free_ char *t = NULL;
                if (asprintf(&t, "%s/.#%s.layer-XXXXXX", dir, path_basename(path)) < 0)
                        return error_set(e, -ENOMEM, "out of memory");
                if ((layer = mkostemp(t, O_CLOEXEC)) >= 0)
                        (void)unlink(t);
        }
        if (layer < 0)
                return error_set_errno(e, negative_errno(), "cannot create a file in %s", dir);
        if ((r = export_tar(i, layer, COMPRESSION_NONE, io, frozen, e)) < 0)
                return r;
        if ((r = oci_digest_of_fd(layer, layer_digest, &layer_size)) < 0)
                return error_set_errno(e, r, "cannot read the layer back");
        json_object *config = config_from_settings(i, layer_digest);
        _cleanup_free_ char *config_text = strdup(json_object_to_json_string_ext(config, JSON_C_TO_STRING_PLAIN));
        json_object_put(config);
        if (!config_text)
                return error_set(e, -ENOMEM, "out of memory");
        digest_of_data(config_text, strlen(config_text), config_digest);
        json_object *manifest = json_object_new_object(), *layers = json_object_new_array();
        json_object_object_add(manifest, "schemaVersion", json_object_new_int(2));
        json_object_object_add(manifest, "mediaType", json_object_new_string("application/vnd.oci.image.manifest.v1+json"));
        json_object_object_add(manifest, "config", descriptor_json("application/vnd.oci.image.config.v1+json", config_digest, strlen(config_text)));
        json_object_array_add(layers, descriptor_json("application/vnd.oci.image.layer.v1.tar", layer_digest, layer_size));
        json_object_object_add(manifest, "layers", layers);
        _cleanup_free_ char *manifest_text = strdup(json_object_to_json_string_ext(manifest, JSON_C_TO_STRING_PLAIN));
        json_object_put(manifest);
        if (!manifest_text)
                return error_set(e, -ENOMEM, "out of memory");
        digest_of_data(manifest_text, strlen(manifest_text), manifest_digest);
        json_object *index = json_object_new_object(), *manifests = json_object_new_array(), *annotations = json_object_new_object();
        json_object *entry = descriptor_json("application/vnd.oci.image.manifest.v1+json", manifest_digest, strlen(manifest_text));
        json_object_object_add(annotations, "org.opencontainers.image.ref.name", json_object_new_string("latest"));
        json_object_object_add(entry, "annotations", annotations);
        json_object_array_add(manifests, entry);
        json_object_object_add(index, "schemaVersion", json_object_new_int(2));
        json_object_object_add(index, "manifests", manifests);
        _cleanup_free_ char *index_text = strdup(json_object_to_json_string_ext(index, JSON_C_TO_STRING_PLAIN));
        json_object_put(index);
        if (!index_text)
                return error_set(e, -ENOMEM, "out of memory");
        static const char layout_text[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
        LayoutFile files[] = {
                {.path = "oci-layout", .data = layout_text, .size = sizeof(layout_text) - 1, .fd = -1},
                {.path = "index.json", .data = index_text, .size = strlen(index_text), .fd = -1},
                {.data = config_text, .size = strlen(config_text), .fd = -1},
                {.data = manifest_text, .size = strlen(manifest_text), .fd = -1},
                {.fd = layer},
        };
        snprintf(files[2].path, sizeof(files[2].path), "blobs/sha256/%s", config_digest + 7);
        snprintf(files[3].path, sizeof(files[3].path), "blobs/sha256/%s", manifest_digest + 7);
        snprintf(files[4].path, sizeof(files[4].path), "blobs/sha256/%s", layer_digest + 7);
        if (asprintf(&tmp, "%s/.#%s.corral-XXXXXX", dir, path_basename(path)) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        if (tar) {
                _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
                if (fd < 0)
                        return error_set_errno(e, negative_errno(), "cannot create a file beside %s", path);
                (void)fchmod(fd, 0644);
                r = write_layout_tar(fd, files, ELEMENTSOF(files), e);
                if (r >= 0 && (fsync(fd) < 0 || rename(tmp, path) < 0))
                        r = error_set_errno(e, negative_errno(), "cannot write %s", path);
                if (r < 0)
                        (void)unlink(tmp);
                return r;
        }
        if (!mkdtemp(tmp))
                return error_set_errno(e, negative_errno(), "cannot create a directory beside %s", path);
        (void)chmod(tmp, 0755);
        _cleanup_close_ int out = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        r = out < 0 ? error_set_errno(e, negative_errno(), "cannot open %s", tmp) : write_layout_dir(out, files, ELEMENTSOF(files), e);
        if (r >= 0 && (syncfs(out) < 0 || renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) < 0))
                r = error_set_errno(e, negative_errno(), "cannot write %s", path);
        if (r < 0)
                (void)tree_remove(AT_FDCWD, tmp, NULL, 0);
        return r;
}
