/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <curl/curl.h>

/* A curl handle for a GET of url as every transfer makes one: redirects followed (to
 * redir_protocols), corral's user agent, no signals, curl's errors into error_buf, the body to
 * write(data), progress and cancel through xferinfo(data), and a server that stops sending given
 * up after a minute below 100 bytes a second.  NULL: no memory. */
CURL *transfer_curl_new(const char *url, const char *redir_protocols, char error_buf[static CURL_ERROR_SIZE], curl_write_callback write,
                        curl_xferinfo_callback xferinfo, void *data);
