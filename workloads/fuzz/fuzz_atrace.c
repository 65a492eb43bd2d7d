/*
** fuzz_atrace.c: libFuzzer target for one allocation-trace parser (BF_FUZZ_FORMAT: native,
** ftrace, malloc-lab, ltrace, or AUTO). The first input byte selects lenient pairing; every
** record is written back with the native writer on /dev/null.
*/
#include "bf_atrace.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int lenient = 0;
    if (size > 0) {
        lenient = data[0] & 1;
        data++;
        size--;
    }
    bf_atrace_reader *r;
    char err[512];
    if (bf_atrace_open_mem(data, size, "fuzz", BF_FUZZ_FORMAT, &r, err, sizeof err) != BF_OK)
        return 0;
    bf_atrace_set_lenient(r, lenient);
    bf_atrace_writer *w = NULL;
    bf_atrace_writer_open("/dev/null", BF_COMP_NONE, &w, err, sizeof err);
    bf_arec rec;
    for (int i = 0; i < 1000000 && bf_atrace_next(r, &rec) == BF_OK; i++)
        if (w)
            bf_atrace_write(w, &rec);
    (void)strlen(bf_atrace_error(r));
    bf_atrace_writer_close(w, err, sizeof err);
    bf_atrace_close(r);
    return 0;
}
