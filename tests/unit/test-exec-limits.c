/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "exec-limits.h"
#include "tap.h"

static void limit_is(const char *name, const char *value, long long soft, long long hard)
{
        struct rlimit r = {0};
        int l = rlimit_from_name(name);
        int k = l < 0 ? l : rlimit_parse(l, value, &r);
        CHECK(k == 0 && (long long)r.rlim_cur == soft && (long long)r.rlim_max == hard, "%s=%s -> %lld:%lld (got %d, %lld:%lld)", name, value, soft,
              hard, k, (long long)r.rlim_cur, (long long)r.rlim_max);
}

static void limit_bad(const char *name, const char *value)
{
        struct rlimit r;
        int l = rlimit_from_name(name);
        CHECK(l < 0 || rlimit_parse(l, value, &r) < 0, "%s=%s refused", name, value);
}

TEST(rlimits)
{
        const long long INF = (long long)RLIM_INFINITY;
        CHECK(rlimit_from_name("NOFILE") == RLIMIT_NOFILE && rlimit_from_name("RLIMIT_NOFILE") == RLIMIT_NOFILE &&
                      rlimit_from_name("LimitNOFILE") == RLIMIT_NOFILE,
              "the three spellings nspawn takes");
        CHECK(rlimit_from_name("nofile") < 0 && rlimit_from_name("BOGUS") < 0, "lower case and unknown names refused, as nspawn");

        limit_is("NOFILE", "100:200", 100, 200);
        limit_is("NOFILE", "300", 300, 300);
        limit_is("NOFILE", "infinity", INF, INF);
        limit_is("AS", "1G:infinity", 1LL << 30, INF);
        limit_is("FSIZE", "1.5M", 1572864, 1572864);
        limit_is("MEMLOCK", "64K", 65536, 65536);
        limit_is("CPU", "1h", 3600, 3600);
        limit_is("CPU", "90", 90, 90);
        limit_is("CPU", "1500ms", 2, 2); /* rounded up to whole seconds */
        limit_is("CPU", "1min 30s", 90, 90);
        limit_is("RTTIME", "1s", 1000000, 1000000);
        limit_is("RTTIME", "250", 250, 250); /* microseconds */
        limit_is("NICE", "-5", 25, 25);
        limit_is("NICE", "+19", 1, 1);
        limit_is("NICE", "10", 10, 10);
        limit_bad("NOFILE", "20:10");
        limit_bad("NOFILE", "x");
        limit_bad("NOFILE", "");
        limit_bad("NOFILE", "1K");
        limit_bad("AS", "1Q");
        limit_bad("NICE", "-21");
        limit_bad("NICE", "41");
        limit_bad("CPU", "5 parsecs");
}

TEST(cpu_sets)
{

        CpuSet s, t;
        Error e = {0};
        CHECK(cpu_set_parse("0-2,5", &s, &e, "x") == 0 && cpu_set_count(&s, NULL) == 4 && cpu_set_has(&s, 5) && !cpu_set_has(&s, 3),
              "ranges and lists");
        CHECK(cpu_set_parse("1 3", &t, &e, "x") == 0 && cpu_set_count(&t, NULL) == 2 && cpu_set_count(&s, &t) == 1,
              "space separated, and the common part");
        CHECK(cpu_set_parse("1000,1023", &s, &e, "x") == 0 && cpu_set_has(&s, 1023) && cpu_set_count(&s, NULL) == 2 && !cpu_set_has(&s, 5000),
              "as many CPUs as glibc's cpu_set_t holds");
        CHECK(cpu_set_parse("1024", &s, &e, "x") == -ERANGE && strstr(e.msg, "past 1023"), "and no more: %s", e.msg);
        e = (Error){0};
        CHECK(cpu_set_parse("", &s, &e, "x") == 0 && cpu_set_count(&s, NULL) == 0, "empty");
        CHECK(cpu_set_parse("3-1", &s, &e, "CPUAffinity=") == -ERANGE && strstr(e.msg, "CPUAffinity="), "backwards range: %s", e.msg);
        e = (Error){0};
        CHECK(cpu_set_parse("a", &s, &e, "--cpu-affinity") == -EINVAL && strstr(e.msg, "\"a\""), "not a number: %s", e.msg);
}

TAP_MAIN
