/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pull-tar and pull-raw: the download goes to an unnamed file in /var/lib/machines (O_TMPFILE),
 * hashed as it comes; only when it is whole and verified is it imported.  An interrupted or
 * unverifiable download leaves nothing, because nothing of it ever had a name. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs-util.h"
#include "import.h"
#include "macro.h"
#include "process-util.h"
#include "terminal.h"
#include "transfer-curl.h"

#define SMALL_MAX (1024 * 1024) /* SHA256SUMS, its signature, a settings file */

const char *const import_keyrings[] = {
        "/etc/systemd/import-pubring.gpg",
        "/usr/lib/systemd/import-pubring.gpg",
        NULL,
};

typedef struct Download {
        const char *url;
        int fd;    /* the file written, or -1: into mem */
        char *mem; /* small files */
        size_t size;
        uint64_t done;
        EVP_MD_CTX *sha;
        int error; /* a write failed: negative errno */
        const TransferIO *io;
        const char *what;
} Download;

static size_t on_data(char *data, size_t size, size_t n, void *userdata)
{
        Download *d = userdata;
        size_t len = size * n;
        if (d->fd >= 0) {
                if ((d->error = write_all(d->fd, data, len)) < 0)
                        return 0;
        } else {
                if ((d->error = buffer_append(&d->mem, &d->size, data, len, SMALL_MAX)) < 0)
                        return 0;
        }
        if (d->sha)
                EVP_DigestUpdate(d->sha, data, len);
        d->done += len;
        return len;
}

static int on_progress(void *userdata, curl_off_t total, curl_off_t now, curl_off_t ut, curl_off_t un)
{
        Download *d = userdata;
        (void)ut, (void)un;
        if (d->io->cancel && *d->io->cancel)
                return 1; /* aborts the transfer */
        if (d->fd >= 0 && d->io->progress)
                d->io->progress(d->io->userdata, d->what, (uint64_t)now, (uint64_t)total);
        return 0;
}

/* GETs d->url.  A missing file (HTTP 404) is -ENOENT, with e untouched when missing_ok. */
static int download(Download *d, bool missing_ok, Error *e)
{
        char curl_error[CURL_ERROR_SIZE] = "";
        long status = 0;
        CURL *c = transfer_curl_new(d->url, "http,https", curl_error, on_data, on_progress, d);
        if (!c)
                return error_set(e, -ENOMEM, "cannot start a download");
        CURLcode rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(c);
        if (rc == CURLE_ABORTED_BY_CALLBACK)
                return error_set(e, -ECANCELED, "cancelled");
        if (rc == CURLE_WRITE_ERROR && d->error)
                return error_set(e, d->error, "cannot store %s: %s", d->url, d->error == -EFBIG ? "larger than 1 MiB" : strerror(-d->error));
        if (rc != CURLE_OK)
                return error_set(e, -EIO, "cannot download %s: %s", d->url, curl_error[0] ? curl_error : curl_easy_strerror(rc));
        if (status == 404 && missing_ok)
                return -ENOENT;
        if (status == 404)
                return error_set(e, -ENOENT, "cannot download %s: the server has no such file (HTTP 404)", d->url);
        if (status >= 400)
                return error_set(e, -EIO, "cannot download %s: the server answered HTTP %ld", d->url, status);
        return 0;
}

static int download_small(const char *url, bool missing_ok, const TransferIO *io, char **ret, size_t *ret_size, Error *e)
{
        Download d = {.url = url, .fd = -1, .io = io, .what = "Downloading"};
        int r = download(&d, missing_ok, e);
        if (r < 0) {
                free(d.mem);
                return r;
        }
        if (!d.mem && !(d.mem = calloc(1, 1)))
                return error_set(e, -ENOMEM, "out of memory");
        *ret = d.mem;
        *ret_size = d.size;
        return 0;
}

static int memfd_with(const char *name, const char *data, size_t size)
{
        /* Without MFD_CLOEXEC: gpgv reads it as /proc/self/fd/N */
        int fd = memfd_create(name, 0);
        if (fd < 0)
                return negative_errno();
        if (write(fd, data, size) != (ssize_t)size) {
                close(fd);
                return -EIO;
        }
        return fd;
}

/* gpgv's verdict on the signature of SHA256SUMS, with the keyring of the first of
 * import_keyrings that exists. */
static int verify_signature(const char *sums, size_t sums_size, const char *sig, size_t sig_size, const char *sig_url, Error *e)
{
        const char *keyring = NULL;
        for (const char *const *k = import_keyrings; *k && !keyring; k++)
                if (access(*k, R_OK) == 0)
                        keyring = *k;
        if (!keyring)
                return error_set(
                        e, -ENOKEY,
                        "--verify=signature needs a keyring at %s or %s, and there is none: install the signer's key there, or use --verify=checksum",
                        import_keyrings[0], import_keyrings[1]);
        _cleanup_close_ int data_fd = memfd_with("SHA256SUMS", sums, sums_size);
        _cleanup_close_ int sig_fd = memfd_with("SHA256SUMS.gpg", sig, sig_size);
        int out[2];
        if (data_fd < 0 || sig_fd < 0 || pipe2(out, O_CLOEXEC) < 0)
                return error_set_errno(e, data_fd < 0 ? data_fd : sig_fd < 0 ? sig_fd : negative_errno(), "cannot prepare the signature check");
        char data_path[FD_PATH_MAX], sig_path[FD_PATH_MAX];
        fd_path(data_fd, data_path);
        fd_path(sig_fd, sig_path);
        pid_t pid = fork();
        if (pid < 0) {
                close(out[0]);
                close(out[1]);
                return error_set_errno(e, negative_errno(), "cannot run gpgv");
        }
        if (pid == 0) {
                dup2(out[1], STDOUT_FILENO);
                dup2(out[1], STDERR_FILENO);
                execlp("gpgv", "gpgv", "--quiet", "--keyring", keyring, sig_path, data_path, (char *)NULL);
                dprintf(STDERR_FILENO, "cannot run gpgv: %s (install the gpgv package)", strerror(errno));
                _exit(127);
        }
        close(out[1]);
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        (void)read_full_fd(out[0], &text, &n);
        close(out[0]);
        while (n > 0 && text[n - 1] == '\n')
                text[--n] = 0;
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return error_set(e, -EBADMSG, "the signature %s is not good for a key of %s: %s", sig_url, keyring, n > 0 ? text : "gpgv failed");
        return 0;
}

typedef struct Sums {
        char *text;
        size_t size;
        const char *url;
} Sums;

/* The checksums for the transfer: SHA256SUMS beside url, and with a signature, its signature. */
static int fetch_sums(const char *url, ImportVerify verify, const TransferIO *io, Sums *s, Error *e)
{
        _cleanup_free_ char *sums_url = url_sibling(url, "SHA256SUMS"), *sig_url = url_sibling(url, "SHA256SUMS.gpg"), *sig = NULL;
        size_t sig_size = 0;
        int r;
        if (!sums_url || !sig_url)
                return error_set(e, -ENOMEM, "out of memory");
        if ((r = download_small(sums_url, false, io, &s->text, &s->size, e)) < 0) {
                if (r == -ENOENT) {
                        e->code = 0;
                        return error_set(e, r, "cannot verify %s: the server has no %s (--verify=no imports without a check)", url, sums_url);
                }
                return r;
        }
        if (verify == IMPORT_VERIFY_SIGNATURE) {
                if ((r = download_small(sig_url, true, io, &sig, &sig_size, e)) == -ENOENT)
                        return error_set(e, r, "cannot verify %s: the server has no signature %s (--verify=checksum checks the checksum only)", url,
                                         sig_url);
                if (r < 0)
                        return r;
                if ((r = verify_signature(s->text, s->size, sig, sig_size, sig_url, e)) < 0)
                        return r;
        }
        return 0;
}

/* What SHA256SUMS says url's digest is. */
static int expected_sum(const Sums *s, const char *url, char want[static 65], Error *e)
{
        char file[256];
        int r = url_file_name(url, file, sizeof(file));
        if (r < 0)
                return error_set(e, r, "cannot verify %s: no file name in the URL", url);
        r = sha256sums_find(s->text, s->size, file, want);
        if (r == -ENOENT)
                return error_set(e, r, "cannot verify %s: SHA256SUMS has no line for %s", url, file);
        if (r < 0)
                return error_set(e, r, "cannot verify %s: its line in SHA256SUMS is %s", url,
                                 r == -ENOTUNIQ ? "there twice, with two digests" : "malformed");
        return 0;
}

static int compare_sum(const char *url, const char *want, const char *digest, Error *e)
{
        if (!streq(want, digest))
                return error_set(e, -EBADMSG,
                                 "%s is damaged or not the file SHA256SUMS lists: its SHA-256 is %s, SHA256SUMS says %s; nothing was imported", url,
                                 digest, want);
        return 0;
}

static void digest_hex(EVP_MD_CTX *sha, char hex[static 65])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        EVP_DigestFinal_ex(sha, md, &n);
        for (unsigned k = 0; k < n && k < 32; k++)
                sprintf(hex + 2 * k, "%02x", md[k]);
        hex[64] = 0;
}

static char *sha256_hex(const char *data, size_t size, char hex[static 65])
{
        EVP_MD_CTX *sha = EVP_MD_CTX_new();
        if (!sha)
                return NULL;
        EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
        EVP_DigestUpdate(sha, data, size);
        digest_hex(sha, hex);
        EVP_MD_CTX_free(sha);
        return hex;
}

/* The settings file beside the image (URL without suffixes + ".nspawn"), verified as the image
 * is; *ret NULL when the server has none. */
static int fetch_settings(const char *url, bool raw, ImportVerify verify, const Sums *sums, const TransferIO *io, char **ret, size_t *ret_size,
                          Error *e)
{
        char base[256], file[300];
        int r = import_name_from(url, raw, base, sizeof(base));
        *ret = NULL;
        if (r < 0)
                return 0; /* no name to put .nspawn to */
        snprintf(file, sizeof(file), "%s.nspawn", base);
        _cleanup_free_ char *settings_url = url_sibling(url, file);
        if (!settings_url)
                return error_set(e, -ENOMEM, "out of memory");
        r = download_small(settings_url, true, io, ret, ret_size, e);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (verify != IMPORT_VERIFY_NO) {
                char hex[65], want[65];
                if (!sha256_hex(*ret, *ret_size, hex) || (r = expected_sum(sums, settings_url, want, e)) < 0 ||
                    (r = compare_sum(settings_url, want, hex, e)) < 0) {
                        free(*ret);
                        *ret = NULL;
                        return r < 0 ? r : error_set(e, -ENOMEM, "out of memory");
                }
        }
        return 0;
}

int pull_image(const char *url, const char *name, bool raw, ImportVerify verify, const ImportOptions *o, Error *e)
{
        Sums sums = {0};
        Download d = {.url = url, .io = &o->io, .what = "Downloading"};
        _cleanup_close_ int pool = -1;
        _cleanup_free_ char *settings = NULL;
        size_t settings_size = 0;
        char hex[65], want[65];
        int r;
        if (!http_url_is_valid(url))
                return error_set(e, -EINVAL, "\"%s\" is not an http:// or https:// URL", url);
        if ((r = import_check_name(name, o->force, e)) < 0)
                return r;
        if ((pool = image_store_open_pool(e)) < 0)
                return pool;
        /* A file SHA256SUMS does not list is not downloaded at all. */
        if (verify != IMPORT_VERIFY_NO && ((r = fetch_sums(url, verify, &o->io, &sums, e)) < 0 || (r = expected_sum(&sums, url, want, e)) < 0))
                goto out;
        if ((r = fetch_settings(url, raw, verify, &sums, &o->io, &settings, &settings_size, e)) < 0)
                goto out;
        d.fd = openat(pool, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (d.fd < 0) {
                r = error_set_errno(e, negative_errno(), "cannot make a file for the download in /var/lib/machines");
                goto out;
        }
        if (!(d.sha = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(d.sha, EVP_sha256(), NULL)) {
                r = error_set(e, -ENOMEM, "out of memory");
                goto out;
        }
        if ((r = download(&d, false, e)) < 0)
                goto out;
        digest_hex(d.sha, hex);
        if (verify != IMPORT_VERIFY_NO && (r = compare_sum(url, want, hex, e)) < 0)
                goto out;
        if (lseek(d.fd, 0, SEEK_SET) < 0) {
                r = error_set_errno(e, negative_errno(), "cannot read the download back");
                goto out;
        }
        r = raw ? import_raw(d.fd, name, o, e) : import_tar(d.fd, name, o, e);
        if (r >= 0 && settings) {
                char path[300];
                snprintf(path, sizeof(path), "%s.nspawn", name);
                if ((r = write_file_at(pool, path, settings, settings_size, 0644)) < 0)
                        r = error_set_errno(e, r, "image '%s' is imported, but its settings file /var/lib/machines/%s cannot be written", name, path);
        }
out:
        if (d.sha)
                EVP_MD_CTX_free(d.sha);
        closep(&d.fd);
        free(sums.text);
        if (r == -ECANCELED || (o->io.cancel && *o->io.cancel)) {
                e->code = 0;
                return error_set(e, -ECANCELED, "cancelled; nothing was imported");
        }
        return r;
}

CURL *transfer_curl_new(const char *url, const char *redir_protocols, char error_buf[static CURL_ERROR_SIZE], curl_write_callback write,
                        curl_xferinfo_callback xferinfo, void *data)
{
        CURL *c = curl_easy_init();
        if (!c)
                return NULL;
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, redir_protocols);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 16L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "corral/" CORRAL_VERSION);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buf);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, data);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, xferinfo);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, data);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 100L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        return c;
}
