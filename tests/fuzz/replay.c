/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs a fuzz target over every file of a corpus directory, so the corpus is an ordinary test
 * (and a crash found once stays fixed).  Prints TAP. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "fs-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char *argv[])
{
        /* TAP goes to a copy of stdout; what the target itself prints (--help) to /dev/null. */
        FILE *tap = fdopen(dup(STDOUT_FILENO), "w");
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (!tap || null < 0 || dup2(null, STDOUT_FILENO) < 0)
                return 1;
        int n = 0;
        for (int i = 1; i < argc; i++) {
                DIR *d = opendir(argv[i]);
                struct dirent *de;
                if (!d) {
                        fprintf(tap, "not ok %d - cannot open corpus %s\n", ++n, argv[i]);
                        continue;
                }
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        char *p = path_join(argv[i], de->d_name), *data = NULL;
                        size_t size;
                        if (p && read_full_file(p, &data, &size) >= 0) {
                                LLVMFuzzerTestOneInput((const uint8_t *)data, size);
                                fflush(stdout);
                                fprintf(tap, "ok %d - %s\n", ++n, de->d_name);
                        } else
                                fprintf(tap, "not ok %d - cannot read %s\n", ++n, de->d_name);
                        free(p);
                        free(data);
                }
                closedir(d);
        }
        fprintf(tap, "1..%d\n", n);
        fclose(tap);
        return 0;
}
