/*
** fuzz_trace.c: libFuzzer target for one access-trace parser (BF_FUZZ_FORMAT picks it: native
** text, binary, Lackey, din, xdin, or AUTO). The first input byte selects the map mode and the
** misaligned rule and a pinned range for foreign formats, so the mapper and the splitter are
** fuzzed too; every
** record is fed to the trace summary and to a binary writer on /dev/null. A second reader of the
** same input is read with bf_trace_next_batch (batches of 1 to 256 records, from the same byte):
** its records, end and error message must be those of bf_trace_next (abort otherwise), the batch
** decoders of the binary and Lackey formats being other code for the same records.
*/
#include "bf_map.h"
#include "bf_trace.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bf_trace_options o;
    bf_trace_options_default(&o);
    o.format = BF_FUZZ_FORMAT;
    size_t batch = size > 0 ? 1 + (size_t)(data[0] >> 5) * 36 : 256; /* 1, 37, ... 253 */
    if (size > 0 && o.format != BF_FMT_NATIVE_TEXT && o.format != BF_FMT_NATIVE_BIN) {
        o.map_mode = data[0] & 1;
        o.misaligned = (data[0] >> 1) % 3;
        if (data[0] & 8)
            o.map_limit = 4 * o.map_window; /* exercise "address map full" */
        if (data[0] & 16) {                 /* a pinned range at host 0x7000..0x8fff */
            o.npins = 1;
            o.pins[0].name = "fuzz";
            o.pins[0].host = 0x7000;
            o.pins[0].len = 0x2000;
            o.pins[0].target = BF_L1_DATA_A_BASE;
        }
        data++;
        size--;
    }
    bf_trace_reader *r, *rb;
    char err[512];
    if (bf_trace_open_mem(data, size, "fuzz", &o, &r, err, sizeof err) != BF_OK)
        return 0;
    if (bf_trace_open_mem(data, size, "fuzz", &o, &rb, err, sizeof err) != BF_OK)
        abort(); /* the same input opened once already */
    bf_trace_rec buf[256];
    size_t nb = 0, ib = 0;
    int brc = BF_OK;
    bf_trace_summary *s = NULL;
    bf_trace_summary_new(BF_PART_BF533, 1u << 20, &s);
    bf_trace_writer *w = NULL;
    bf_trace_writer_open("/dev/null", BF_FMT_NATIVE_BIN, BF_COMP_NONE, &w, err, sizeof err);
    bf_trace_rec rec;
    int rc = BF_OK;
    for (int i = 0; i < 1000000 && (rc = bf_trace_next(r, &rec)) == BF_OK; i++) {
        if (s)
            bf_trace_summary_add(s, &rec);
        if (w)
            bf_trace_write(w, &rec);
        if (ib == nb && brc == BF_OK) {
            ib = 0;
            brc = bf_trace_next_batch(rb, buf, batch, &nb);
        }
        /* the same record, the phase name compared as text */
        bf_trace_rec x = rec;
        if (brc != BF_OK || (x.name && (!buf[ib].name || strcmp(x.name, buf[ib].name))))
            abort();
        x.name = buf[ib].name;
        if (memcmp(&x, &buf[ib], sizeof x))
            abort();
        ib++;
    }
    if (rc != BF_OK) { /* the end, or the error with its message */
        if (ib != nb || (brc == BF_OK && (brc = bf_trace_next_batch(rb, buf, batch, &nb)) == BF_OK))
            abort();
        if (brc != rc || strcmp(bf_trace_error(r), bf_trace_error(rb)))
            abort();
    }
    bf_trace_close(rb);
    char map[256];
    bf_trace_describe_map(r, map, sizeof map);
    (void)strlen(bf_trace_error(r));
    bf_trace_writer_close(w, err, sizeof err);
    bf_trace_summary_free(s);
    bf_trace_close(r);
    return 0;
}
