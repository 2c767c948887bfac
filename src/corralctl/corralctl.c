/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corralctl: the manager, with machinectl's verbs and flags, over corral's machine registry
 * (/run/corral/machines): no machined, no D-Bus. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "corralctl.h"
#include "strv.h"

static int help(void)
{
        printf("corralctl [OPTIONS...] COMMAND ...\n\n"
               "Manage corral's containers.\n\n"
               "Machine Commands:\n"
               "  list                        List running machines\n"
               "  start NAME|PATH...          Start machines detached, as nspawn's service\n"
               "  enable NAME...              Start machines at boot\n"
               "  disable NAME...             Do not start machines at boot\n"
               "  autostart                   Start the machines enabled without systemd, in order\n"
               "  autostop                    Power off the running machines of the autostart list\n"
               "  status NAME...              Show machine status\n"
               "  show [NAME...]              Show properties of one or more machines\n"
               "  poweroff NAME...            Power off one or more machines\n"
               "  reboot NAME...              Reboot one or more machines\n"
               "  terminate NAME...           Terminate one or more machines\n"
               "  kill NAME...                Send signal to processes of a machine\n"
               "  set-property NAME NAME=VALUE...\n"
               "                              Change resource limits of a running machine\n"
               "  top                         CPU, memory, IO and tasks of every machine, live\n"
               "  tree [NAME...]              The processes of machines by cgroup\n"
               "  freeze NAME...              Freeze every process of a machine\n"
               "  thaw NAME...                Thaw a frozen machine\n"
               "  login [NAME]                Get a login prompt in a machine (or .host)\n"
               "  console NAME                Attach to the console of a machine\n"
               "  logs NAME                   Show the console log of a detached machine\n"
               "  shell [[USER@]NAME [COMMAND...]]\n"
               "                              Run a command or a shell in a machine (or .host)\n"
               "  copy-to NAME PATH [PATH]    Copy files from the host to a machine\n"
               "  copy-from NAME PATH [PATH]  Copy files from a machine to the host\n"
               "  bind NAME PATH [PATH]       Bind mount a path from the host into a machine\n"
               "  gc                          Remove what dead supervisors left: records, processes\n\n"
               "Image Commands:\n"
               "  list-images                 Show available container images\n"
               "  image-status [NAME...]      Show image details\n"
               "  show-image [NAME...]        Show properties of image\n"
               "  edit NAME|FILE              Edit settings of one or more VMs/containers\n"
               "  cat NAME|FILE               Show settings of one or more VMs/containers\n"
               "  clone NAME NAME             Clone an image\n"
               "  rename NAME NAME            Rename an image\n"
               "  read-only NAME [BOOL]       Mark or unmark image read-only\n"
               "  remove NAME...              Remove an image\n"
               "  set-limit [NAME] BYTES      Set image or pool size limit (disk quota)\n"
               "  clean                       Remove hidden (or all) images, and the OCI blob cache\n\n"
               "Overlay Child Image Commands:\n"
               "  create-child BASE NAME      Create an image that holds only its changes to BASE\n"
               "  list-shadowed NAME [PATH...]\n"
               "                              List the files of its base a child image hides\n"
               "  drop-shadowed NAME PATH...  Drop a child's copies of base files, so the base's\n"
               "                              show through\n\n"
               "Image Transfer Commands:\n"
               "  pull-tar URL [NAME]         Download a TAR container image\n"
               "  pull-raw URL [NAME]         Download a RAW container or VM image\n"
               "  pull-oci REF [NAME]         Download an OCI image from a registry (debian:12,\n"
               "                              ghcr.io/org/app@sha256:...)\n"
               "  import-tar FILE [NAME]      Import a local TAR container image\n"
               "  import-raw FILE [NAME]      Import a local RAW container or VM image\n"
               "  import-fs DIRECTORY [NAME]  Import a local directory container image\n"
               "  import-oci PATH [NAME]      Import an OCI image layout, its tar, or a docker save\n"
               "                              archive\n"
               "  export-tar NAME [FILE]      Export a TAR container image locally\n"
               "  export-raw NAME [FILE]      Export a RAW container or VM image locally\n"
               "  export-oci NAME PATH        Export an image as an OCI image layout (PATH.tar: its\n"
               "                              tar), for podman load and skopeo\n"
               "  list-transfers              Show list of transfers in progress\n"
               "  cancel-transfer [ID...]     Cancel a transfer\n\n"
               "Options:\n"
               "  -h --help                   Show this help\n"
               "  -a --all                    Show all images, also hidden ones; clean: remove all;\n"
               "                              show: also empty properties\n"
               "     --version                Show package version\n"
               "     --no-pager               Do not pipe output into a pager (corralctl never does)\n"
               "     --no-legend              Do not show the headers and footers\n"
               "     --no-ask-password        Accepted (corralctl never asks for a password)\n"
               "     --max-addresses=N        Number of addresses list shows per machine (all, 0)\n"
               "  -l --full                   Do not shorten the output (list's addresses)\n"
               "  -M --machine=[USER@]NAME    Run the command with the machine's own corralctl,\n"
               "                              as its root or USER; .host: here, as USER\n"
               "  -o --output=MODE            JSON for listings and show (json, json-pretty,\n"
               "                              json-sse, json-seq); status: how log lines are\n"
               "                              shown (short, cat, export, json, ...; help: all)\n"
               "     --json=pretty|short|off  Generate JSON output\n"
               "  -p --property=NAME          Show only properties by this name\n"
               "     --value                  When showing properties, only print the value\n"
               "     --kill-whom=WHOM         Whom to send signal to (leader or all)\n"
               "  -s --signal=SIGNAL          Which signal to send\n"
               "     --uid=USER               Specify user ID to invoke shell as\n"
               "  -E --setenv=VAR[=VALUE]     Add an environment variable for shell\n"
               "  -q --quiet                  Suppress the session's connect and end messages,\n"
               "                              and what drop-shadowed dropped\n"
               "     --log-level=LEVEL        error, warning, info or debug (core's messages)\n"
               "     --force                  copy-to, copy-from: replace what is at the target;\n"
               "                              import-*, pull-*: replace an image of that name\n"
               "     --read-only              Create a read-only bind mount or clone; import read-only\n"
               "     --verify=MODE            Verification mode for downloaded images (no,\n"
               "                              checksum, signature)\n"
               "     --platform=OS/ARCH[/VARIANT]\n"
               "                              pull-oci, import-oci: the image of an index for this\n"
               "                              platform (linux/arm64), not this machine's\n"
               "     --format=FORMAT          Determine format for exporting images (uncompressed,\n"
               "                              xz, gzip, bzip2, zstd)\n"
               "     --mkdir                  Create the bind mount's target directory\n"
               "  -f --follow                 logs: follow the log as it grows\n"
               "  -n --lines=N                logs: only the last N lines; top: N iterations\n");
        return 0;
}

/* The command line as given, for verb_transfer() and -M */
static char **original_argv;

#ifndef CORRALCTL_TRANSFER

/* The transfer verbs live in corralctl-transfer, the same program with libarchive, libcurl and
 * libcrypto linked in: corralctl itself starts without loading them (they were most of its
 * start time).  It is beside corralctl in the build tree, else in corral's libexec directory. */
static int verb_transfer(const Args *a, int argc, char **argv)
{
        char path[4096];
        const char *env = getenv("CORRALCTL_TRANSFER");
        ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 32);
        char *slash = n > 0 ? (path[n] = 0, strrchr(path, '/')) : NULL;
        if (env && *env)
                snprintf(path, sizeof(path), "%s", env);
        else if (!slash || (strcpy(slash, "/corralctl-transfer"), access(path, X_OK) < 0))
                snprintf(path, sizeof(path), "%s/corralctl-transfer", CORRAL_LIBEXECDIR);
        execv(path, original_argv);
        fprintf(stderr, "Cannot run %s for %s: %m\n", path, argv[0]);
        return 1;
}
#endif

typedef struct Verb {
        const char *name;
        int min_args, max_args; /* counting the verb */
        int (*run)(const Args *a, int argc, char **argv);
} Verb;

static const Verb verbs[] = {
        {"list", 1, 1, verb_list},
        {"status", 2, INT32_MAX, verb_status},
        {"show", 1, INT32_MAX, verb_show},
        {"poweroff", 2, INT32_MAX, verb_poweroff},
        {"stop", 2, INT32_MAX, verb_poweroff}, /* machinectl's alias */
        {"reboot", 2, INT32_MAX, verb_reboot},
        {"terminate", 2, INT32_MAX, verb_terminate},
        {"kill", 2, INT32_MAX, verb_kill},
        {"set-property", 3, INT32_MAX, verb_set_property},
        {"freeze", 2, INT32_MAX, verb_freeze},
        {"thaw", 2, INT32_MAX, verb_thaw},
        {"gc", 1, 1, verb_gc},
        {"shell", 1, INT32_MAX, verb_shell},
        {"login", 1, 2, verb_login},
        {"start", 2, INT32_MAX, verb_start},
        {"enable", 2, INT32_MAX, verb_enable},
        {"disable", 2, INT32_MAX, verb_disable},
        {"autostart", 1, 1, verb_autostart},
        {"tree", 1, INT32_MAX, verb_tree},
        {"top", 1, 1, verb_top},
        {"autostop", 1, 1, verb_autostop},
        {"console", 2, 2, verb_console},
        {"logs", 2, 2, verb_logs},
        {"copy-to", 3, 4, verb_copy_to},
        {"copy-from", 3, 4, verb_copy_from},
        {"bind", 3, 4, verb_bind},
        {"list-images", 1, 1, verb_list_images},
        {"image-status", 1, INT32_MAX, verb_image_status}, /* none: nothing, as machinectl 252 */
        {"show-image", 1, INT32_MAX, verb_show_image},
        {"clone", 3, 3, verb_clone},
        {"rename", 3, 3, verb_rename},
        {"read-only", 2, 3, verb_read_only},
        {"remove", 2, INT32_MAX, verb_remove},
        {"set-limit", 2, 3, verb_set_limit},
        {"clean", 1, 1, verb_clean},
        {"cat", 2, INT32_MAX, verb_cat},
        {"edit", 2, 2, verb_edit},
        {"create-child", 3, 3, verb_create_child},
        {"list-shadowed", 2, INT32_MAX, verb_list_shadowed},
        {"drop-shadowed", 3, INT32_MAX, verb_drop_shadowed},
#ifdef CORRALCTL_TRANSFER
        {"import-tar", 2, 3, verb_import_tar},
        {"import-raw", 2, 3, verb_import_raw},
        {"import-fs", 2, 3, verb_import_fs},
        {"export-tar", 2, 3, verb_export_tar},
        {"export-raw", 2, 3, verb_export_raw},
        {"pull-tar", 2, 3, verb_pull_tar},
        {"pull-raw", 2, 3, verb_pull_raw},
        {"pull-oci", 2, 3, verb_pull_oci},
        {"import-oci", 2, 3, verb_import_oci},
        {"export-oci", 3, 3, verb_export_oci},
        {"list-transfers", 1, 1, verb_list_transfers},
        {"cancel-transfer", 2, INT32_MAX, verb_cancel_transfer},
#else
        {"import-tar", 2, 3, verb_transfer},
        {"import-raw", 2, 3, verb_transfer},
        {"import-fs", 2, 3, verb_transfer},
        {"export-tar", 2, 3, verb_transfer},
        {"export-raw", 2, 3, verb_transfer},
        {"pull-tar", 2, 3, verb_transfer},
        {"pull-raw", 2, 3, verb_transfer},
        {"pull-oci", 2, 3, verb_transfer},
        {"import-oci", 2, 3, verb_transfer},
        {"export-oci", 3, 3, verb_transfer},
        {"list-transfers", 1, 1, verb_transfer},
        {"cancel-transfer", 2, INT32_MAX, verb_transfer},
#endif
};

enum {
        OPT_VERSION = 0x100,
        OPT_LOG_LEVEL,
        OPT_NO_PAGER,
        OPT_NO_LEGEND,
        OPT_JSON,
        OPT_VALUE,
        OPT_KILL_WHOM,
        OPT_UID,
        OPT_FORCE,
        OPT_READ_ONLY,
        OPT_MKDIR,
        OPT_VERIFY,
        OPT_FORMAT,
        OPT_PLATFORM,
        OPT_NO_ASK_PASSWORD,
        OPT_MAX_ADDRESSES,
};

#define SHORT_OPTIONS "hap:s:E:qfn:lM:o:"

/* Whether argument arg is an option that takes the next argument as its value. */
static bool takes_value(const struct option *options, const char *arg)
{
        if (arg[0] != '-' || !arg[1] || strchr(arg, '='))
                return false;
        if (arg[1] != '-') {
                const char *o = strchr(SHORT_OPTIONS, arg[strlen(arg) - 1]);
                return o && o[1] == ':';
        }
        for (const struct option *o = options; o->name; o++)
                if (streq(o->name, arg + 2))
                        return o->has_arg == required_argument;
        return false;
}

/* A copy of argv (its options before end) without -M/--machine= and its value. */
static char **without_machine_option(const struct option *options, char **argv, int end)
{
        _cleanup_strv_free_ char **out = NULL;
        for (int i = 0; argv[i]; i++) {
                const char *arg = argv[i];
                size_t keep = strlen(arg); /* of arg */
                bool value = false;        /* the next word is arg's value */
                if (i == 0 || i >= end || arg[0] != '-' || !arg[1])
                        ;
                else if (streq(arg, "--"))
                        end = i;
                else if (streq(arg, "--machine") || startswith(arg, "--machine=")) {
                        i += streq(arg, "--machine");
                        continue;
                } else if (arg[1] == '-')
                        value = takes_value(options, arg);
                else {
                        /* A cluster of short options: "-qM web", "-Mweb", "-n5" */
                        for (const char *c = arg + 1; *c; c++) {
                                const char *o = strchr(SHORT_OPTIONS, *c);
                                if (!o || o[1] != ':')
                                        continue;
                                if (*c == 'M') {
                                        keep = (size_t)(c - arg);
                                        i += !c[1]; /* the value is the next word */
                                } else
                                        value = !c[1];
                                break;
                        }
                        if (keep == 1)
                                continue;
                }
                char *copy = strndup(arg, keep);
                if (!copy || strv_push(&out, copy) < 0)
                        return NULL;
                if (value && argv[i + 1] && strv_extend(&out, argv[++i]) < 0)
                        return NULL;
        }
        return TAKE_PTR(out);
}

/* Where the options end: for shell, after its machine argument, so that the command's own
 * options ("shell web ls -l") stay the command's. */
static int options_end(int argc, char **argv, const struct option *options)
{
        int words = 0;
        bool shell = false;
        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--"))
                        return argc;
                if (argv[i][0] == '-' && argv[i][1]) {
                        if (takes_value(options, argv[i]))
                                i++;
                        continue;
                }
                if (words++ == 0)
                        shell = streq(argv[i], "shell");
                else if (shell)
                        return i + 1;
                else
                        return argc;
        }
        return argc;
}

int main(int argc, char **argv)
{
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"all", no_argument, NULL, 'a'},
                {"version", no_argument, NULL, OPT_VERSION},
                {"no-pager", no_argument, NULL, OPT_NO_PAGER},
                {"no-legend", no_argument, NULL, OPT_NO_LEGEND},
                {"json", required_argument, NULL, OPT_JSON},
                {"property", required_argument, NULL, 'p'},
                {"value", no_argument, NULL, OPT_VALUE},
                {"kill-whom", required_argument, NULL, OPT_KILL_WHOM},
                {"signal", required_argument, NULL, 's'},
                {"uid", required_argument, NULL, OPT_UID},
                {"setenv", required_argument, NULL, 'E'},
                {"quiet", no_argument, NULL, 'q'},
                {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
                {"force", no_argument, NULL, OPT_FORCE},
                {"read-only", no_argument, NULL, OPT_READ_ONLY},
                {"mkdir", no_argument, NULL, OPT_MKDIR},
                {"verify", required_argument, NULL, OPT_VERIFY},
                {"format", required_argument, NULL, OPT_FORMAT},
                {"platform", required_argument, NULL, OPT_PLATFORM},
                {"follow", no_argument, NULL, 'f'},
                {"lines", required_argument, NULL, 'n'},
                {"full", no_argument, NULL, 'l'},
                {"no-ask-password", no_argument, NULL, OPT_NO_ASK_PASSWORD},
                {"max-addresses", required_argument, NULL, OPT_MAX_ADDRESSES},
                {"machine", required_argument, NULL, 'M'},
                {"output", required_argument, NULL, 'o'},
                {},
        };
        char buf[VALUE_SHOWN_MAX];
        Args a = {.legend = true,
                  .max_addresses = 1,
                  .verify = IMPORT_VERIFY_SIGNATURE,
                  .format = COMPRESSION_INVALID,
                  .dir = getenv("CORRAL_MACHINES_DIR") ? getenv("CORRAL_MACHINES_DIR") : MACHINES_DIR};
        char *props[64];
        int c;
        a.properties = props;
        char **shell_env = NULL;
        const char *machine = NULL;
        /* getopt reorders argv */
        original_argv = calloc((size_t)argc + 1, sizeof(char *));
        if (!original_argv)
                return 1;
        memcpy(original_argv, argv, (size_t)argc * sizeof(char *));
        log_setup("corralctl");
        int end = options_end(argc, argv, options);
        while ((c = getopt_long(end, argv, SHORT_OPTIONS, options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        return help();
                case OPT_VERSION:
                        puts("corralctl " CORRAL_VERSION);
                        return 0;
                case OPT_NO_PAGER:
                        break;
                case OPT_NO_LEGEND:
                        a.legend = false;
                        break;
                case 'o': {
                        static const JsonMode json[_OUTPUT_MODE_MAX] = {
                                [OUTPUT_JSON] = JSON_SHORT,
                                [OUTPUT_JSON_PRETTY] = JSON_PRETTY,
                                [OUTPUT_JSON_SSE] = JSON_SSE,
                                [OUTPUT_JSON_SEQ] = JSON_SEQ,
                        };
                        if (streq(optarg, "help")) {
                                for (int m = 0; m < _OUTPUT_MODE_MAX; m++)
                                        puts(output_mode_to_string((OutputMode)m));
                                return 0;
                        }
                        if ((a.output = output_mode_from_string(optarg)) == OUTPUT_INVALID) {
                                fprintf(stderr, "Unknown output '%s'.\n", value_shown(optarg, buf));
                                return 1;
                        }
                        a.json = json[a.output];
                        break;
                }
                case 'M':
                        if (!*optarg) {
                                fprintf(stderr, "Empty machine name given to -M/--machine=.\n");
                                return 1;
                        }
                        machine = optarg;
                        break;
                case OPT_JSON:
                        if (streq(optarg, "pretty"))
                                a.json = JSON_PRETTY;
                        else if (streq(optarg, "short"))
                                a.json = JSON_SHORT;
                        else if (streq(optarg, "off"))
                                a.json = JSON_OFF;
                        else if (streq(optarg, "help")) {
                                puts("short\npretty\noff");
                                return 0;
                        } else {
                                fprintf(stderr, "Unknown argument to --json= switch: %s (try pretty, short or off)\n", value_shown(optarg, buf));
                                return 1;
                        }
                        break;
                case 'p':
                        /* NAME, or several separated by commas */
                        for (char *save = NULL, *w = strtok_r(optarg, ",", &save); w; w = strtok_r(NULL, ",", &save))
                                if (a.n_properties < ELEMENTSOF(props))
                                        props[a.n_properties++] = w;
                        break;
                case OPT_VALUE:
                        a.value = true;
                        break;
                case OPT_UID:
                        a.uid = optarg;
                        break;
                case 'E': {
                        /* As machinectl: VAR=VALUE with a valid name, or VAR alone, which takes
                         * its value from our environment (and is left out where we have none). */
                        _cleanup_free_ char *assignment = NULL;
                        bool has_value = strchr(optarg, '=');
                        if (has_value ? !env_assignment_is_valid(optarg) : !env_name_is_valid(optarg, strlen(optarg))) {
                                fprintf(stderr, "Cannot assign environment variable %s: %s\n", value_shown(optarg, buf), strerror(EINVAL));
                                return 1;
                        }
                        const char *v = has_value ? NULL : getenv(optarg);
                        if (!has_value && !v)
                                break;
                        if (!has_value && asprintf(&assignment, "%s=%s", optarg, v) < 0)
                                return 1;
                        if (strv_env_set(&shell_env, assignment ? assignment : optarg) < 0)
                                return 1;
                        a.setenv = shell_env;
                        break;
                }
                case 'a':
                        a.all = true;
                        break;
                case 'q':
                        a.quiet = true;
                        break;
                case OPT_LOG_LEVEL: {
                        LogLevel l = log_level_from_string(optarg);
                        if (l == _LOG_LEVEL_INVALID) {
                                fprintf(stderr, "corralctl: --log-level=%s: not a log level (error, warning, info, debug)\n", optarg);
                                return 1;
                        }
                        log_set_level(l);
                        /* The machine's corral (start, enable's unit) reads it from here. */
                        setenv("CORRAL_LOG_LEVEL", log_level_to_string(l), 1);
                        break;
                }
                case OPT_FORCE:
                        a.force = true;
                        break;
                case OPT_READ_ONLY:
                        a.read_only = true;
                        break;
                case OPT_MKDIR:
                        a.mkdir = true;
                        break;
                case OPT_VERIFY:
                        if (streq(optarg, "help")) {
                                puts("no\nchecksum\nsignature");
                                return 0;
                        }
                        if ((a.verify = import_verify_from_string(optarg)) == IMPORT_VERIFY_INVALID) {
                                fprintf(stderr, "Unknown verification mode: %s (no, checksum or signature)\n", value_shown(optarg, buf));
                                return 1;
                        }
                        break;
                case OPT_FORMAT:
                        if (streq(optarg, "help")) {
                                puts("uncompressed\nxz\ngzip\nbzip2\nzstd");
                                return 0;
                        }
                        if ((a.format = compression_from_string(optarg)) == COMPRESSION_INVALID) {
                                fprintf(stderr, "Unknown format: %s (uncompressed, xz, gzip, bzip2 or zstd)\n", value_shown(optarg, buf));
                                return 1;
                        }
                        break;
                case OPT_PLATFORM: {
                        OciPlatform p;
                        if (oci_platform_parse(optarg, &p) < 0) {
                                fprintf(stderr, "Platform '%s' is not valid: OS/ARCHITECTURE[/VARIANT], as linux/arm64 or linux/arm/v7.\n",
                                        value_shown(optarg, buf));
                                return 1;
                        }
                        a.platform = optarg;
                        break;
                }
                case 'f':
                        a.follow = true;
                        break;
                case 'l':
                        a.full = true;
                        break;
                case OPT_NO_ASK_PASSWORD:
                        break; /* corralctl never asks: it needs no polkit, root suffices */
                case OPT_MAX_ADDRESSES: {
                        unsigned long n;
                        if (streq(optarg, "all"))
                                a.max_addresses = UINT_MAX;
                        else if (parse_unsigned(optarg, &n) < 0 || n > UINT_MAX) {
                                fprintf(stderr, "Failed to parse --max-addresses= value: %s\n", value_shown(optarg, buf));
                                return 1;
                        } else
                                a.max_addresses = (unsigned)n;
                        break;
                }
                case 'n': {
                        unsigned long n;
                        if (parse_unsigned(optarg, &n) < 0 || n > INT32_MAX) {
                                fprintf(stderr, "Failed to parse --lines= value: %s\n", value_shown(optarg, buf));
                                return 1;
                        }
                        a.lines = (int)n;
                        break;
                }
                case OPT_KILL_WHOM:
                        if (!streq(optarg, "leader") && !streq(optarg, "all")) {
                                fprintf(stderr, "Unknown --kill-whom= value: %s (leader or all)\n", value_shown(optarg, buf));
                                return 1;
                        }
                        a.kill_leader = streq(optarg, "leader");
                        break;
                case 's':
                        if (streq(optarg, "help")) {
                                for (int i = 1; i < SIGRTMIN; i++) {
                                        char b[16];
                                        puts(signal_to_string(i, b));
                                }
                                return 0;
                        }
                        if (parse_signal(optarg, &a.signal) < 0) {
                                fprintf(stderr, "Failed to parse signal string %s.\n", value_shown(optarg, buf));
                                return 1;
                        }
                        break;
                default:
                        return 1;
                }
        }
        if (machine) {
                /* The same command line, less -M, run in the machine (or as its user) */
                _cleanup_strv_free_ char **rest = without_machine_option(options, original_argv, end);
                if (!rest) {
                        fprintf(stderr, "Out of memory.\n");
                        return 1;
                }
                int r = run_with_machine_option(&a, machine, rest);
                if (r >= 0)
                        return r;
        }
        int n = argc - optind;
        char **args = argv + optind;
        char *list[] = {(char *)"list", NULL};
        if (n == 0) {
                n = 1;
                args = list;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (!streq(verbs[i].name, args[0]))
                        continue;
                if (n < verbs[i].min_args) {
                        fprintf(stderr, "Too few arguments.\n");
                        return 1;
                }
                if (n > verbs[i].max_args) {
                        fprintf(stderr, "Too many arguments.\n");
                        return 1;
                }
                return verbs[i].run(&a, n, args);
        }
        fprintf(stderr, "Unknown command verb '%s' (corralctl --help lists them).\n", args[0]);
        return 1;
}
