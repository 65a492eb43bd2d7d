/*
** gen_trace.c: deterministic synthetic trace generator for benchmarks and the constant-memory
** test. The mix follows the peer survey's recommendation (reference simulator-peers.md section 6):
** 25% instruction fetches, 52% loads, 23% stores; data references 58% sequential over 256 KiB,
** 40% random in a 48 KiB hot set, 2% random in a 4 MiB cold region; instructions loop over 24 KiB
** of code (larger than the 16 KiB I-cache). Addresses are BF533 SDRAM addresses, 4-byte aligned.
** The same seed and count give the same bytes on every machine (xorshift64*, no host state).
**
** Besides the native formats it writes the same records as Valgrind Lackey lines or Dinero din
** records, to measure the foreign readers on identical content.
**
** usage: gen_trace COUNT OUT [text|binary|lackey|din] [SEED]
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bf_trace.h"

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_trace COUNT OUT [text|binary] [SEED]\n");
        return 2;
    }
    char *end;
    unsigned long long count = strtoull(argv[1], &end, 10);
    if (*end || !count) {
        fprintf(stderr, "gen_trace: COUNT must be a positive number\n");
        return 2;
    }
    const char *fname = argc > 3 ? argv[3] : "binary";
    int fmt = !strcmp(fname, "text")     ? BF_FMT_NATIVE_TEXT
              : !strcmp(fname, "lackey") ? BF_FMT_LACKEY
              : !strcmp(fname, "din")    ? BF_FMT_DIN
                                         : BF_FMT_NATIVE_BIN;
    rng_state = argc > 4 ? strtoull(argv[4], NULL, 0) : 0x9E3779B97F4A7C15ull;
    if (!rng_state)
        rng_state = 1;
    bf_trace_writer *w = NULL;
    FILE *fw = NULL;
    char err[512];
    if (fmt == BF_FMT_LACKEY || fmt == BF_FMT_DIN) {
        if (!(fw = fopen(argv[2], "w"))) {
            perror(argv[2]);
            return 2;
        }
    } else {
        if (bf_trace_writer_open(argv[2], fmt, BF_COMP_NONE, &w, err, sizeof err)) {
            fprintf(stderr, "gen_trace: %s\n", err);
            return 2;
        }
        bf_trace_writer_header(w, "program", "bench/gen_trace (synthetic)");
        bf_trace_writer_header(w, "recorder", "gen_trace");
    }
    const uint32_t code = 0x00010000u, code_len = 24 * 1024;
    const uint32_t seq = 0x00400000u, seq_len = 256 * 1024;
    const uint32_t hot = 0x00800000u, hot_len = 48 * 1024;
    const uint32_t cold = 0x01000000u, cold_len = 4 * 1024 * 1024;
    uint32_t pc = 0, sp = 0;
    bf_trace_rec rec;
    memset(&rec, 0, sizeof rec);
    for (unsigned long long i = 0; i < count; i++) {
        uint64_t r = rng();
        unsigned kind = (unsigned)(r % 100);
        unsigned where = (unsigned)((r >> 8) % 100);
        rec.size = 4;
        if (kind < 25) {
            rec.type = BF_REC_IFETCH;
            rec.addr = code + pc;
            pc = (pc + 4) % code_len;
        } else {
            rec.type = kind < 77 ? BF_REC_LOAD : BF_REC_STORE;
            if (where < 58) {
                rec.addr = seq + sp;
                sp = (sp + 4) % seq_len;
            } else if (where < 98) {
                rec.addr = hot + (uint32_t)((r >> 16) % (hot_len / 4)) * 4;
            } else {
                rec.addr = cold + (uint32_t)((r >> 16) % (cold_len / 4)) * 4;
            }
        }
        rec.line = i + 1;
        if (fw) {
            if (fmt == BF_FMT_LACKEY)
                fprintf(fw,
                        rec.type == BF_REC_IFETCH ? "I  %08x,%u\n"
                        : rec.type == BF_REC_LOAD ? " L %08x,%u\n"
                                                  : " S %08x,%u\n",
                        rec.addr, rec.size);
            else
                fprintf(fw, "%d %x\n",
                        rec.type == BF_REC_IFETCH ? 2
                        : rec.type == BF_REC_LOAD ? 0
                                                  : 1,
                        rec.addr);
            continue;
        }
        if (bf_trace_write(w, &rec)) {
            fprintf(stderr, "gen_trace: %s\n", bf_trace_writer_error(w));
            return 1;
        }
    }
    if (fw) {
        if (fclose(fw)) {
            perror(argv[2]);
            return 1;
        }
        return 0;
    }
    if (bf_trace_writer_close(w, err, sizeof err)) {
        fprintf(stderr, "gen_trace: %s\n", err);
        return 1;
    }
    return 0;
}
