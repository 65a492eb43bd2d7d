/*
** fuzz_regress.c: libFuzzer target for the two parsers of `bfsim regress`: the suite file
** (bf_suite_load_text: INI through the config loader, keys, lists, globs, tolerances, the job
** matrix) and the baseline (bf_baseline_read_stream: one flat JSON object per line). The first
** byte picks the parser. Any input must end in success or a message, never a crash, leak or UB.
** Built by `scripts/test --fuzz` (clang, -DBF_FUZZ=ON).
*/
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bf_baseline.h"
#include "bf_suite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    err[0] = 0;
    if (!size)
        return 0;
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    int rc;
    if (data[0] & 1) {
        bf_suite s;
        /* globs resolve against a folder that does not exist: they match nothing */
        rc = bf_suite_load_text(text, n, "/nonexistent-bfsim-fuzz/suite.ini", &s, err, sizeof err);
        if (!rc) {
            for (size_t i = 0; i < s.ntols; i++)
                (void)bf_suite_tolerance(&s, s.tols[i].pattern);
            bf_suite_free(&s);
        }
    } else {
        FILE *f = fmemopen((void *)text, n ? n : 1, "r");
        if (!f)
            return 0;
        bf_baseline b;
        rc = bf_baseline_read_stream(f, "fuzz.jsonl", &b, err, sizeof err);
        fclose(f);
        if (!rc)
            bf_baseline_free(&b);
    }
    if (rc && !err[0])
        abort(); /* every failure must say why */
    return 0;
}
