/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client side of the OCI distribution API (v2) for pull-oci: manifests and blobs over
 * HTTPS with libcurl, the registry's authentication (anonymous or with the login podman,
 * skopeo or docker stored: bearer tokens or basic), the CAs of certs.d, and blobs into the
 * cache, resumed where a pull stopped and named only once their digest is checked. */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "oci-blob-cache.h"
#include "oci-internal.h"
#include "terminal.h"
#include "transfer-curl.h"

#define SMALL_MAX (4 * 1024 * 1024) /* a manifest, an index, a token */

typedef struct Sink {
        int fd;    /* the file written, or -1: into mem */
        char *mem; /* small bodies */
        size_t size;
        uint64_t done, limit; /* limit: 0 none */
        EVP_MD_CTX *sha;
        uint64_t resume_from;     /* asked for with Range; a 200 instead starts over */
        bool started, error_body; /* error_body: an error's body, read into mem, not into fd */
        int error;
        CURL *curl;
        const TransferIO *io;
        const char *what;
        uint64_t progress_base, progress_total;
} Sink;

typedef struct Response {
        long status;
        bool tls_failed; /* no TLS connection at all (a plain HTTP server, say) */
        char *challenge; /* WWW-Authenticate */
        char content_type[128];
} Response;

static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
        Response *resp = userdata;
        size_t len = size * n;
        const char *v;
        char line[4096];
        snprintf(line, sizeof(line), "%.*s", (int)MIN(len, sizeof(line) - 1), data);
        line[strcspn(line, "\r\n")] = 0;
        if (strncasecmp(line, "HTTP/", 5) == 0) {
                /* A new response (after a redirect): its headers are what count */
                free(resp->challenge);
                resp->challenge = NULL;
                resp->content_type[0] = 0;
        } else if (strncasecmp(line, "www-authenticate:", 17) == 0 && !resp->challenge) {
                for (v = line + 17; *v == ' '; v++)
                        ;
                resp->challenge = strdup(v);
        } else if (strncasecmp(line, "content-type:", 13) == 0) {
                for (v = line + 13; *v == ' '; v++)
                        ;
                snprintf(resp->content_type, sizeof(resp->content_type), "%.*s", (int)strcspn(v, "; "), v);
        }
        return len;
}

static size_t on_data(char *data, size_t size, size_t n, void *userdata)
{
        Sink *s = userdata;
        size_t len = size * n;
        if (!s->started) {
                long status = 0;
                s->started = true;
                curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
                if (status >= 300)
                        s->error_body = true;
                else if (s->resume_from > 0 && status != 206) {
                        /* The server sends it all again: start over */
                        if (ftruncate(s->fd, 0) < 0 || lseek(s->fd, 0, SEEK_SET) < 0) {
                                s->error = negative_errno();
                                return 0;
                        }
                        EVP_DigestInit_ex(s->sha, EVP_sha256(), NULL);
                        s->done = 0;
                }
        }
        if (s->fd >= 0 && !s->error_body) {
                if (s->limit && s->done + len > s->limit) {
                        s->error = -EFBIG;
                        return 0;
                }
                if ((s->error = write_all(s->fd, data, len)) < 0)
                        return 0;
                if (s->sha)
                        EVP_DigestUpdate(s->sha, data, len);
        } else {
                if ((s->error = buffer_append(&s->mem, &s->size, data, len, SMALL_MAX)) < 0)
                        return 0;
        }
        s->done += len;
        return len;
}

static int on_progress(void *userdata, curl_off_t total, curl_off_t now, curl_off_t ut, curl_off_t un)
{
        Sink *s = userdata;
        (void)ut, (void)un, (void)total;
        if (s->io->cancel && *s->io->cancel)
                return 1;
        if (s->fd >= 0 && !s->error_body && s->io->progress && now > 0)
                s->io->progress(s->io->userdata, s->what, s->progress_base + s->done, s->progress_total);
        return 0;
}

void registry_done(Registry *r)
{
        free(r->bearer);
        free(r->basic);
        closep(&r->ca_fd);
}

/* The CAs a connection to the registry trusts: the system's, or the file SSL_CERT_FILE or
 * CURL_CA_BUNDLE names, and the *.crt files of its certs.d directory as podman (and docker,
 * ca.crt) read them; its *.cert and *.key as the client's certificate. */
static int registry_certs(Registry *r, Error *e)
{
        const char *bundle = getenv("SSL_CERT_FILE");
        if (!bundle || !*bundle)
                bundle = getenv("CURL_CA_BUNDLE");
        if (bundle && *bundle)
                snprintf(r->ca_file, sizeof(r->ca_file), "%s", bundle);
        static const char *const dirs[] = {"/etc/containers/certs.d", "/etc/docker/certs.d"};
        _cleanup_free_ char *pem = NULL;
        size_t pem_size = 0;
        for (size_t k = 0; k < ELEMENTSOF(dirs); k++) {
                char path[512];
                snprintf(path, sizeof(path), "%s/%s", dirs[k], r->ref.registry);
                DIR *d = opendir(path);
                if (!d)
                        continue;
                for (struct dirent *de; (de = readdir(d));) {
                        size_t n = strlen(de->d_name);
                        char file[1024];
                        snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
                        if (n > 4 && streq(de->d_name + n - 4, ".crt")) {
                                _cleanup_free_ char *text = NULL;
                                size_t size;
                                if (read_full_file(file, &text, &size) < 0)
                                        continue;
                                char *m = realloc(pem, pem_size + size + 2);
                                if (!m) {
                                        closedir(d);
                                        return error_set(e, -ENOMEM, "out of memory");
                                }
                                pem = m;
                                memcpy(pem + pem_size, text, size);
                                pem_size += size;
                                pem[pem_size++] = '\n';
                        } else if (n > 5 && streq(de->d_name + n - 5, ".cert") && !r->client_cert[0]) {
                                snprintf(r->client_cert, sizeof(r->client_cert), "%s", file);
                                snprintf(r->client_key, sizeof(r->client_key), "%.*s.key", (int)(strlen(file) - 5), file);
                        }
                }
                closedir(d);
        }
        if (!pem)
                return 0;
        /* curl takes one CA file: the system's and the registry's together, in a memfd */
        const char *system = r->ca_file[0] ? r->ca_file : "/etc/ssl/certs/ca-certificates.crt";
        _cleanup_free_ char *sys = NULL;
        size_t sys_size = 0;
        (void)read_full_file(system, &sys, &sys_size);
        r->ca_fd = memfd_create("registry-ca", MFD_CLOEXEC);
        if (r->ca_fd < 0 || (sys && write_all(r->ca_fd, sys, sys_size) < 0) || write_all(r->ca_fd, "\n", 1) < 0 ||
            write_all(r->ca_fd, pem, pem_size) < 0)
                return error_set_errno(e, negative_errno(), "cannot gather the CAs for %s", r->ref.registry);
        fd_path(r->ca_fd, r->ca_file);
        return 0;
}

static const char *docker_hub_keys[] = {"docker.io", "https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io", NULL};

/* The "auth" of the registry in an auth.json or a docker config.json: the key is the
 * registry, maybe with a scheme and a path ("https://index.docker.io/v1/"). */
static char *auth_from_file(const char *path, const char *registry)
{
        _cleanup_free_ char *text = NULL;
        size_t size;
        if (read_full_file(path, &text, &size) < 0)
                return NULL;
        json_object *root = json_tokener_parse(text), *auths, *entry, *auth;
        char *found = NULL;
        if (!root || !json_object_object_get_ex(root, "auths", &auths) || !json_object_is_type(auths, json_type_object)) {
                json_object_put(root);
                return NULL;
        }
        json_object_object_foreach(auths, key, value)
        {
                const char *k = startswith(key, "https://") ? key + 8 : startswith(key, "http://") ? key + 7 : key;
                bool match = strncmp(k, registry, strlen(registry)) == 0 && (k[strlen(registry)] == 0 || k[strlen(registry)] == '/');
                if (streq(registry, "docker.io"))
                        for (const char **h = docker_hub_keys; *h && !match; h++)
                                match = streq(key, *h) || streq(k, *h);
                entry = value;
                if (match && json_object_object_get_ex(entry, "auth", &auth) && json_object_is_type(auth, json_type_string) &&
                    json_object_get_string_len(auth) > 0) {
                        found = strdup(json_object_get_string(auth));
                        break;
                }
        }
        json_object_put(root);
        return found;
}

/* The login for the registry, from the first file that has one: $REGISTRY_AUTH_FILE,
 * $XDG_RUNTIME_DIR/containers/auth.json (or /run/containers/UID/auth.json),
 * $DOCKER_CONFIG/config.json or ~/.docker/config.json.  r->basic is "user:password". */
static int registry_credentials(Registry *r, Error *e)
{
        char files[4][1000];
        size_t n = 0;
        const char *v;
        if ((v = getenv("REGISTRY_AUTH_FILE")) && *v)
                snprintf(files[n++], sizeof(files[0]), "%s", v);
        if ((v = getenv("XDG_RUNTIME_DIR")) && *v)
                snprintf(files[n++], sizeof(files[0]), "%s/containers/auth.json", v);
        else
                snprintf(files[n++], sizeof(files[0]), "/run/containers/%u/auth.json", (unsigned)getuid());
        if ((v = getenv("DOCKER_CONFIG")) && *v)
                snprintf(files[n++], sizeof(files[0]), "%s/config.json", v);
        else if ((v = getenv("HOME")) && *v)
                snprintf(files[n++], sizeof(files[0]), "%s/.docker/config.json", v);
        for (size_t k = 0; k < n && !r->basic; k++) {
                _cleanup_free_ char *auth = auth_from_file(files[k], r->ref.registry);
                if (!auth)
                        continue;
                size_t len = strlen(auth);
                unsigned char *plain = malloc(len + 1);
                if (!plain)
                        return error_set(e, -ENOMEM, "out of memory");
                int m = EVP_DecodeBlock(plain, (const unsigned char *)auth, (int)len);
                /* Padding decodes as zeros */
                while (m > 0 && len > 0 && auth[len - 1] == '=') {
                        m--;
                        len--;
                }
                if (m <= 0 || !memchr(plain, ':', (size_t)m)) {
                        free(plain);
                        return error_set(e, -EINVAL, "the login for %s in %s is not base64 of \"user:password\"", r->ref.registry, files[k]);
                }
                plain[m] = 0;
                r->basic = (char *)plain;
                snprintf(r->auth_file, sizeof(r->auth_file), "%.1000s", files[k]);
        }
        return 0;
}

int registry_open(Registry *r, const OciReference *ref, const TransferIO *io, Error *e)
{
        int k;
        *r = (Registry){.ref = *ref, .io = io, .ca_fd = -1};
        snprintf(r->scheme, sizeof(r->scheme), "https");
        if ((k = registry_certs(r, e)) < 0 || (k = registry_credentials(r, e)) < 0) {
                registry_done(r);
                return k;
        }
        return 0;
}

/* A challenge's parameter: realm="..." */
static bool challenge_param(const char *challenge, const char *name, char *buf, size_t size)
{
        size_t n = strlen(name);
        for (const char *p = challenge; (p = strstr(p, name)); p += n) {
                if ((p != challenge && p[-1] != ' ' && p[-1] != ',') || p[n] != '=')
                        continue;
                const char *v = p + n + 1;
                size_t len;
                if (*v == '"') {
                        v++;
                        len = strcspn(v, "\"");
                } else
                        len = strcspn(v, ", ");
                snprintf(buf, size, "%.*s", (int)MIN(len, size - 1), v);
                return true;
        }
        return false;
}

static CURL *curl_for(Registry *r, const char *url, Response *resp, Sink *s, struct curl_slist *headers, char *curl_error)
{
        CURL *c = transfer_curl_new(url, streq(r->scheme, "http") ? "http,https" : "https", curl_error, on_data, on_progress, s);
        if (!c)
                return NULL;
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
        /* Large reads: fewer calls of on_data, each hashing and writing more at once */
        curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
        if (r->ca_file[0])
                curl_easy_setopt(c, CURLOPT_CAINFO, r->ca_file);
        if (r->client_cert[0]) {
                curl_easy_setopt(c, CURLOPT_SSLCERT, r->client_cert);
                curl_easy_setopt(c, CURLOPT_SSLKEY, r->client_key);
        }
        if (headers)
                curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        s->curl = c;
        return c;
}

/* One GET: the status in resp, the body into s.  Only a failure to talk HTTP at all is an error. */
static int get_once(Registry *r, const char *url, const char *accept, bool auth, Response *resp, Sink *s, Error *e)
{
        char curl_error[CURL_ERROR_SIZE] = "", accept_header[512], range[64];
        struct curl_slist *headers = NULL;
        if (accept) {
                snprintf(accept_header, sizeof(accept_header), "Accept: %s", accept);
                headers = curl_slist_append(headers, accept_header);
        }
        /* A Range of our own, not CURLOPT_RESUME_FROM: a server that sends the whole again
         * (200) is taken, from the start (on_data) */
        if (s->resume_from > 0) {
                snprintf(range, sizeof(range), "Range: bytes=%llu-", (unsigned long long)s->resume_from);
                headers = curl_slist_append(headers, range);
        }
        CURL *c = curl_for(r, url, resp, s, headers, curl_error);
        if (!c) {
                curl_slist_free_all(headers);
                return error_set(e, -ENOMEM, "cannot start a download");
        }
        if (auth && r->bearer) {
                curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
                curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, r->bearer);
        } else if (auth && r->use_basic && r->basic) {
                curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
                curl_easy_setopt(c, CURLOPT_USERPWD, r->basic);
        }
        CURLcode rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
        curl_easy_cleanup(c);
        curl_slist_free_all(headers);
        if (rc == CURLE_ABORTED_BY_CALLBACK)
                return error_set(e, -ECANCELED, "cancelled");
        if (rc == CURLE_WRITE_ERROR && s->error == -EFBIG)
                return error_set(e, -EFBIG, "%s sends more than %s", url, s->limit ? "the manifest says the blob has" : "4 MiB");
        if (rc == CURLE_WRITE_ERROR && s->error)
                return error_set_errno(e, s->error, "cannot store what %s sends", url);
        resp->tls_failed = rc == CURLE_SSL_CONNECT_ERROR;
        if (rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
                return error_set(e, -EIO,
                                 "cannot talk HTTPS to %s: %s (a registry with a CA of its own: put it in /etc/containers/certs.d/%s/ca.crt, "
                                 "or name a CA file with SSL_CERT_FILE)",
                                 r->ref.registry, curl_error[0] ? curl_error : curl_easy_strerror(rc), r->ref.registry);
        if (rc != CURLE_OK)
                return error_set(e, -EIO, "cannot download %s: %s", url, curl_error[0] ? curl_error : curl_easy_strerror(rc));
        return 0;
}

/* Answers the registry's challenge: a bearer token from its realm (with the login, where
 * there is one), or the login itself for basic. */
static int authenticate(Registry *r, const char *challenge, Error *e)
{
        char realm[1024], service[256] = "", scope[600];
        if (strncasecmp(challenge, "basic", 5) == 0) {
                if (!r->basic)
                        return error_set(e, -EACCES,
                                         "%s wants a login, and there is none for it (log in with \"podman login %s\" or \"docker login %s\", "
                                         "or name an auth.json with REGISTRY_AUTH_FILE)",
                                         r->ref.registry, r->ref.registry, r->ref.registry);
                r->use_basic = true;
                return 0;
        }
        if (strncasecmp(challenge, "bearer", 6) != 0 || !challenge_param(challenge, "realm", realm, sizeof(realm)))
                return error_set(e, -EPROTO, "%s asks for an authentication corral does not know: %s", r->ref.registry, challenge);
        (void)challenge_param(challenge, "service", service, sizeof(service));
        if (!challenge_param(challenge, "scope", scope, sizeof(scope)))
                snprintf(scope, sizeof(scope), "repository:%s:pull", r->ref.repository);
        if (!startswith(realm, "https://") && !(startswith(realm, "http://") && streq(r->scheme, "http")))
                return error_set(e, -EPROTO, "%s sends for its tokens to %s, which is not https", r->ref.registry, realm);
        CURL *esc = curl_easy_init();
        char *s1 = esc ? curl_easy_escape(esc, service, 0) : NULL, *s2 = esc ? curl_easy_escape(esc, scope, 0) : NULL;
        _cleanup_free_ char *url = NULL;
        int k = s1 && s2 ? asprintf(&url, "%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?", s1, s2) : -1;
        curl_free(s1);
        curl_free(s2);
        if (esc)
                curl_easy_cleanup(esc);
        if (k < 0)
                return error_set(e, -ENOMEM, "out of memory");
        Response resp = {0};
        Sink s = {.fd = -1, .io = r->io, .what = "Token"};
        bool saved = r->use_basic;
        r->use_basic = true; /* the login (if any) goes to the token realm */
        free(r->bearer);
        r->bearer = NULL;
        k = get_once(r, url, NULL, true, &resp, &s, e);
        r->use_basic = saved;
        free(resp.challenge);
        if (k < 0) {
                free(s.mem);
                return k;
        }
        if (resp.status == 401 || resp.status == 403) {
                free(s.mem);
                return error_set(e, -EACCES, "%s refuses a token for %s (HTTP %ld)%s", r->ref.registry, r->ref.repository, resp.status,
                                 r->basic ? ": the login in the auth file is not good for it"
                                          : ": the image is private, or has another name; log in with \"podman login\"");
        }
        if (resp.status != 200) {
                free(s.mem);
                return error_set(e, -EPROTO, "%s's token service %s answers HTTP %ld", r->ref.registry, realm, resp.status);
        }
        json_object *root = s.mem ? json_tokener_parse(s.mem) : NULL, *v;
        free(s.mem);
        if (root && ((json_object_object_get_ex(root, "token", &v) && json_object_is_type(v, json_type_string)) ||
                     (json_object_object_get_ex(root, "access_token", &v) && json_object_is_type(v, json_type_string))))
                r->bearer = strdup(json_object_get_string(v));
        json_object_put(root);
        if (!r->bearer)
                return error_set(e, -EPROTO, "%s's token service %s answers without a token", r->ref.registry, realm);
        return 0;
}

static bool is_loopback(const char *registry)
{
        size_t n = registry[0] == '[' ? strcspn(registry, "]") + 1 : strcspn(registry, ":");
        return (n == 9 && startswith(registry, "localhost")) || startswith(registry, "127.") || startswith(registry, "[::1]");
}

/* GET of a path below /v2/REPO/, with the registry's authentication.  A loopback registry
 * that does not speak TLS is asked over plain HTTP, as docker asks one by default. */
static int registry_get(Registry *r, const char *path, const char *accept, Response *resp, Sink *s, Error *e)
{
        bool authenticated = false;
        for (;;) {
                char url[1024];
                snprintf(url, sizeof(url), "%s://%s/v2/%s/%s", r->scheme, oci_reference_api_host(&r->ref), r->ref.repository, path);
                free(resp->challenge);
                *resp = (Response){0};
                s->started = s->error_body = false;
                free(s->mem);
                s->mem = NULL;
                s->size = 0;
                s->done = s->resume_from;
                Error first = {0};
                int k = get_once(r, url, accept, true, resp, s, &first);
                if (k < 0 && resp->tls_failed && streq(r->scheme, "https") && is_loopback(r->ref.registry)) {
                        snprintf(r->scheme, sizeof(r->scheme), "http");
                        continue;
                }
                if (k < 0) {
                        *e = first;
                        return k;
                }
                if (resp->status == 401 && resp->challenge && !authenticated) {
                        authenticated = true;
                        if ((k = authenticate(r, resp->challenge, e)) < 0)
                                return k;
                        continue;
                }
                if (resp->status == 401)
                        return error_set(e, -EACCES, "%s refuses %s/%s (HTTP 401)%s", r->ref.registry, r->ref.repository, path,
                                         r->basic ? ": the login in the auth file is not good for it"
                                                  : ": it wants a login (podman login, docker login)");
                return 0;
        }
}

static const char *manifest_types = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
                                    "application/vnd.docker.distribution.manifest.list.v2+json, "
                                    "application/vnd.docker.distribution.manifest.v2+json";

int registry_manifest(Registry *r, const char *reference, char **ret, size_t *ret_size, char *ret_type, size_t type_size, Error *e)
{
        char path[512];
        Response resp = {0};
        Sink s = {.fd = -1, .io = r->io, .what = "Manifest"};
        snprintf(path, sizeof(path), "manifests/%s", reference);
        int k = registry_get(r, path, manifest_types, &resp, &s, e);
        if (k >= 0 && resp.status == 404)
                k = error_set(e, -ENOENT, "%s has no image %s:%s (HTTP 404: no such name, tag or digest)", r->ref.registry, r->ref.repository,
                              reference);
        else if (k >= 0 && resp.status != 200)
                k = error_set(e, -EPROTO, "%s answers HTTP %ld for the manifest %s of %s", r->ref.registry, resp.status, reference,
                              r->ref.repository);
        if (k < 0) {
                free(resp.challenge);
                free(s.mem);
                return k;
        }
        snprintf(ret_type, type_size, "%s", resp.content_type);
        free(resp.challenge);
        *ret = s.mem ? s.mem : strdup("");
        *ret_size = s.size;
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

int registry_blob(Registry *r, int cache, const Descriptor *d, uint64_t progress_base, uint64_t progress_total, const char *what, int *ret_fd,
                  Error *e)
{
        const char *hex = d->digest + 7;
        char partial[80], got[OCI_DIGEST_MAX];
        Response resp = {0};
        int k;
        snprintf(partial, sizeof(partial), "%s.partial", hex);
        _cleanup_close_ int fd = openat(cache, partial, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return error_set_errno(e, negative_errno(), "cannot create %s/sha256/%s", OCI_BLOB_CACHE, partial);
        /* One pull writes it; another that wants it waits, then finds it whole */
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR || (r->io->cancel && *r->io->cancel))
                        return error_set_errno(e, errno == EINTR ? -ECANCELED : negative_errno(), "cannot lock %s", partial);
        int whole = openat(cache, hex, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (whole >= 0) {
                /* Checked again: a cached blob may have been damaged since */
                uint64_t size;
                if (oci_digest_of_fd(whole, got, &size) >= 0 && streq(got, d->digest) && size == d->size) {
                        /* Our partial file, if that name is still ours (not the whole blob's
                         * inode, renamed, nor another pull's new one) */
                        struct stat mine, named;
                        if (fstat(fd, &mine) == 0 && fstatat(cache, partial, &named, AT_SYMLINK_NOFOLLOW) == 0 && mine.st_ino == named.st_ino &&
                            mine.st_dev == named.st_dev)
                                (void)unlinkat(cache, partial, 0);
                        *ret_fd = whole;
                        return 0;
                }
                close(whole);
                (void)unlinkat(cache, hex, 0);
        }
        Sink s = {.fd = fd, .io = r->io, .what = what, .limit = d->size, .progress_base = progress_base, .progress_total = progress_total};
        if (!(s.sha = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(s.sha, EVP_sha256(), NULL)) {
                EVP_MD_CTX_free(s.sha);
                return error_set(e, -ENOMEM, "out of memory");
        }
        /* What an earlier pull got of it: hashed, and the rest asked for */
        struct stat st;
        if (fstat(fd, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size < d->size) {
                char buf[65536];
                ssize_t n;
                while ((n = read(fd, buf, sizeof(buf))) > 0)
                        EVP_DigestUpdate(s.sha, buf, (size_t)n);
                s.resume_from = s.done = (uint64_t)st.st_size;
        } else if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
                EVP_MD_CTX_free(s.sha);
                return error_set_errno(e, negative_errno(), "cannot write %s", partial);
        }
        char path[128];
        snprintf(path, sizeof(path), "blobs/%s", d->digest);
        k = registry_get(r, path, NULL, &resp, &s, e);
        free(resp.challenge);
        if (k >= 0 && resp.status == 416 && s.resume_from > 0) {
                /* What we have is not a start of it: start over */
                EVP_MD_CTX_free(s.sha);
                free(s.mem);
                if (ftruncate(fd, 0) < 0)
                        return error_set_errno(e, negative_errno(), "cannot write %s", partial);
                flock(fd, LOCK_UN);
                closep(&fd);
                return registry_blob(r, cache, d, progress_base, progress_total, what, ret_fd, e);
        }
        free(s.mem);
        if (k >= 0 && resp.status == 404)
                k = error_set(e, -ENOENT, "%s has no blob %s of %s (HTTP 404)", r->ref.registry, d->digest, r->ref.repository);
        else if (k >= 0 && resp.status != 200 && resp.status != 206)
                k = error_set(e, -EPROTO, "%s answers HTTP %ld for the blob %s", r->ref.registry, resp.status, d->digest);
        else if (k >= 0 && s.done != d->size)
                k = error_set(e, -EIO, "%s sent %llu bytes of the blob %s, which has %llu; what came is kept, to resume", r->ref.registry,
                              (unsigned long long)s.done, d->digest, (unsigned long long)d->size);
        if (k < 0) {
                EVP_MD_CTX_free(s.sha);
                if (k == -EPROTO || k == -ENOENT)
                        (void)unlinkat(cache, partial, 0);
                return k;
        }
        oci_digest_final(s.sha, got);
        EVP_MD_CTX_free(s.sha);
        if (!streq(got, d->digest)) {
                (void)unlinkat(cache, partial, 0);
                return error_set(e, -EBADMSG,
                                 "the blob %s from %s is damaged: its digest is %s; nothing was imported, and the damaged download is gone",
                                 d->digest, r->ref.registry, got);
        }
        if (fsync(fd) < 0 || renameat(cache, partial, cache, hex) < 0)
                return error_set_errno(e, negative_errno(), "cannot keep the blob %s in %s", d->digest, OCI_BLOB_CACHE);
        int rd = openat(cache, hex, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (rd < 0)
                return error_set_errno(e, negative_errno(), "cannot open the blob %s", d->digest);
        *ret_fd = rd;
        return 0;
}
