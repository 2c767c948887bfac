/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* error.h: the first error wins, a prefix of context, negative codes; log.h's level names. */
#include "error.h"
#include "log.h"
#include "tap.h"

TEST(first_error_wins_and_codes_are_negative)
{
        Error e = {0};
        CHECK(error_set(&e, -ENOENT, "first %d", 1) == -ENOENT, "the code comes back");
        CHECK(error_set(&e, -EPERM, "second") == -EPERM && streq(e.msg, "first 1") && e.code == -ENOENT, "a later error keeps the first");
        Error z = {0};
        CHECK(error_set(&z, 5, "positive") == -EINVAL && z.code == -EINVAL, "a code >= 0 becomes -EINVAL");
        Error n = {0};
        CHECK(error_set_errno(&n, -EACCES, "cannot open %s", "x") == -EACCES && streq(n.msg, "cannot open x: Permission denied"),
              "with errno's text: %s", n.msg);
}

TEST(prefix_adds_context)
{
        Error e = {0};
        error_set(&e, -EBADF, "cannot lock /t");
        CHECK(error_prefix(&e, "the base of %s", "web") == -EBADF, "the code stays");
        CHECK_STREQ(e.msg, "the base of web: cannot lock /t", "context before the message");
        CHECK(error_prefix(&e, "corral") == -EBADF && streq(e.msg, "corral: the base of web: cannot lock /t"), "and again");

        /* Too long for the buffer: the end of the callee's message is cut, the context kept. */
        Error l = {0};
        char big[2000];
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        error_set(&l, -EIO, "%s", big);
        error_prefix(&l, "ctx");
        CHECK(strncmp(l.msg, "ctx: xxx", 8) == 0 && strlen(l.msg) == sizeof(l.msg) - 1, "cut at the end: %zu", strlen(l.msg));

        /* Nothing recorded: the context alone, with a negative code. */
        Error none = {0};
        CHECK(error_prefix(&none, "what %d", 7) == -EINVAL && streq(none.msg, "what 7"), "context alone");
}

TEST(log_level_names)
{
        CHECK(log_level_from_string("debug") == LOG_LEVEL_DEBUG && log_level_from_string("DEBUG") == LOG_LEVEL_DEBUG, "debug");
        CHECK(log_level_from_string("err") == LOG_LEVEL_ERROR && log_level_from_string("crit") == LOG_LEVEL_ERROR, "systemd's names");
        CHECK(log_level_from_string("warning") == LOG_LEVEL_WARNING && log_level_from_string("notice") == LOG_LEVEL_INFO, "warning, notice");
        CHECK(log_level_from_string("3") == LOG_LEVEL_ERROR && log_level_from_string("4") == LOG_LEVEL_WARNING &&
                      log_level_from_string("6") == LOG_LEVEL_INFO && log_level_from_string("7") == LOG_LEVEL_DEBUG,
              "syslog numbers");
        CHECK(log_level_from_string("8") == _LOG_LEVEL_INVALID && log_level_from_string("loud") == _LOG_LEVEL_INVALID &&
                      log_level_from_string("") == _LOG_LEVEL_INVALID && log_level_from_string(NULL) == _LOG_LEVEL_INVALID,
              "anything else is refused");
        CHECK_STREQ(log_level_to_string(LOG_LEVEL_WARNING), "warning", "a name");
        log_set_level(LOG_LEVEL_WARNING);
        CHECK(log_enabled(LOG_LEVEL_ERROR) && log_enabled(LOG_LEVEL_WARNING) && !log_enabled(LOG_LEVEL_INFO), "levels up to the one set");
}

TEST(environment_sets_the_level)
{
        setenv("SYSTEMD_LOG_LEVEL", "debug", 1);
        log_setup("t");
        CHECK(log_get_level() == LOG_LEVEL_DEBUG, "$SYSTEMD_LOG_LEVEL, as nspawn's users set it");
        setenv("CORRAL_LOG_LEVEL", "error", 1);
        log_setup("t");
        CHECK(log_get_level() == LOG_LEVEL_ERROR, "$CORRAL_LOG_LEVEL first");
        setenv("CORRAL_LOG_LEVEL", "loud", 1);
        log_set_level(LOG_LEVEL_INFO);
        log_setup("t");
        CHECK(log_get_level() == LOG_LEVEL_INFO, "a bad value is ignored");
}

TAP_MAIN
