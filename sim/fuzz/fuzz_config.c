/*
** fuzz_config.c: libFuzzer target for the machine-config parser: INI syntax (bf_opts over
** Boost.Program_Options), key lookup, value parsing of every key type, cross-field checks and each
** model's config_check. Any input must end in BF_OK or a message, never a crash, leak or UB.
** Built by `scripts/test --fuzz` (clang, -DBF_FUZZ=ON).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bf_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bf_machine m; /* large: not on the stack */
    char err[1024];
    int rc = bf_machine_load_text(&m, (const char *)data, size, "fuzz.ini", err, sizeof err);
    if (rc != BF_OK && err[0] == 0)
        abort(); /* every failure must say why */
    if (rc == BF_OK) {
        size_t n = bf_machine_text(&m, NULL, 0);
        char *buf = malloc(n + 1);
        if (buf) {
            bf_machine_text(&m, buf, n + 1);
            free(buf);
        }
    }
    return 0;
}
