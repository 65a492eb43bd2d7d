/*
** bench_readers.c: records per second of every access-trace reader and of the allocation-trace
** readers on generated traces (not a CTest test; the lead's bench/run calls it).
**
** usage: bench_workloads_readers [RECORDS [DIR [--read-only]]]  (default 10000000 records in
** /tmp; --read-only times the files a previous run left in DIR)
**
** The access trace is deterministic (xorshift): 25% fetches, 52% loads, 23% stores; data 60%
** sequential over 256 KB, 40% random in a 48 KB hot set, like the DineroIV measurement of
** reference simulator-peers section 1.5, so the numbers are comparable to its 8.3 M/s (din).
** The same records are written as native text, native binary, native text gzip and zstd,
** Lackey, din and xdin; each file is then read once with the library and timed.
*/
#define _POSIX_C_SOURCE 200809L
#include "bf_atrace.h"
#include "bf_trace.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* CPU time of this process: the rate is reported against both clocks because a loaded machine
** stretches wall time but not CPU time. */
static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t xs(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void gen(uint64_t i, int *type, uint32_t *addr, uint32_t *size)
{
    static uint32_t pc = 0x1000, seq = 0;
    uint64_t x = xs() % 100;
    if (x < 25) {
        *type = BF_REC_IFETCH;
        pc = (pc + 4) & 0xffff;
        *addr = 0x00400000u + pc;
        *size = 4;
        return;
    }
    *type = x < 77 ? BF_REC_LOAD : BF_REC_STORE;
    *size = 4;
    if (xs() % 100 < 60) {
        seq = (seq + 4) % (256 * 1024);
        *addr = 0x01000000u + seq;
    } else {
        *addr = 0x02000000u + (uint32_t)(xs() % (48 * 1024)) / 4 * 4;
    }
    (void)i;
}

static void time_reader(const char *label, const char *path, uint64_t expect)
{
    bf_trace_reader *r;
    char err[512];
    double t0 = now(), c0 = cpu();
    if (bf_trace_open(path, NULL, &r, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    bf_trace_rec rec;
    uint64_t n = 0, sum = 0;
    int rc;
    while ((rc = bf_trace_next(r, &rec)) == BF_OK) {
        n++;
        sum += rec.addr;
    }
    if (rc != BF_EEOF) {
        fprintf(stderr, "%s\n", bf_trace_error(r));
        exit(1);
    }
    bf_trace_close(r);
    double dt = now() - t0, dc = cpu() - c0;
    printf("%-18s %9" PRIu64 " records %6.3f s wall %7.2f M/s, %6.3f s cpu %7.2f M/s (sum %" PRIx64
           ")%s\n",
           label, n, dt, (double)n / dt / 1e6, dc, (double)n / dc / 1e6, sum,
           n == expect ? "" : "  COUNT MISMATCH");
}

static void time_areader(const char *label, const char *path)
{
    bf_atrace_reader *r;
    char err[512];
    double t0 = now(), c0 = cpu();
    if (bf_atrace_open(path, BF_AFMT_AUTO, &r, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    bf_arec rec;
    uint64_t n = 0;
    int rc;
    while ((rc = bf_atrace_next(r, &rec)) == BF_OK)
        n++;
    if (rc != BF_EEOF) {
        fprintf(stderr, "%s\n", bf_atrace_error(r));
        exit(1);
    }
    bf_atrace_close(r);
    double dt = now() - t0, dc = cpu() - c0;
    printf("%-18s %9" PRIu64 " records %6.3f s wall %7.2f M/s, %6.3f s cpu %7.2f M/s\n", label, n,
           dt, (double)n / dt / 1e6, dc, (double)n / dc / 1e6);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000ULL;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    int read_only = argc > 3 && strcmp(argv[3], "--read-only") == 0; /* reuse the files */
    char p[7][512];
    const char *names[7] = {"bench.bft",    "bench.bftb", "bench.bft.gz", "bench.bft.zst",
                            "bench.lackey", "bench.din",  "bench.xdin"};
    for (int i = 0; i < 7; i++)
        snprintf(p[i], sizeof p[i], "%s/%s", dir, names[i]);
    bf_trace_writer *w[4];
    char err[512];
    const char *labels[7] = {
        "native text", "native binary", "native text gzip", "native text zstd", "lackey",
        "din",         "xdin"};
    char ap[2][512];
    snprintf(ap[0], sizeof ap[0], "%s/bench.bfa", dir);
    snprintf(ap[1], sizeof ap[1], "%s/bench.ltrace", dir);
    if (read_only) {
        for (int i = 0; i < 7; i++)
            time_reader(labels[i], p[i], n);
        time_areader("alloc native", ap[0]);
        time_areader("alloc ltrace", ap[1]);
        return 0;
    }
    int fmts[4] = {BF_FMT_NATIVE_TEXT, BF_FMT_NATIVE_BIN, BF_FMT_NATIVE_TEXT, BF_FMT_NATIVE_TEXT};
    int comps[4] = {BF_COMP_NONE, BF_COMP_NONE, BF_COMP_GZIP, BF_COMP_ZSTD};
    for (int i = 0; i < 4; i++)
        if (bf_trace_writer_open(p[i], fmts[i], comps[i], &w[i], err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
    FILE *lk = fopen(p[4], "w"), *dn = fopen(p[5], "w"), *xd = fopen(p[6], "w");
    if (!lk || !dn || !xd)
        return 1;
    fprintf(lk, "==1== Lackey, generated by bench_readers\n");
    double t0 = now();
    for (uint64_t i = 0; i < n; i++) {
        int type;
        uint32_t a, s;
        gen(i, &type, &a, &s);
        bf_trace_rec r;
        memset(&r, 0, sizeof r);
        r.type = (uint8_t)type;
        r.addr = a;
        r.size = s;
        for (int k = 0; k < 4; k++)
            bf_trace_write(w[k], &r);
        if (type == BF_REC_IFETCH)
            fprintf(lk, "I  %08" PRIx32 ",%u\n", a, s);
        else
            fprintf(lk, " %c %08" PRIx32 ",%u\n", type == BF_REC_LOAD ? 'L' : 'S', a, s);
        fprintf(dn, "%d %" PRIx32 "\n", type == BF_REC_IFETCH ? 2 : type == BF_REC_LOAD ? 0 : 1, a);
        fprintf(xd, "%c %" PRIx32 " %x\n", "irw"[type], a, s);
    }
    for (int i = 0; i < 4; i++)
        bf_trace_writer_close(w[i], err, sizeof err);
    fclose(lk);
    fclose(dn);
    fclose(xd);
    fprintf(stderr, "generated %" PRIu64 " records in 7 formats in %.1f s\n", n, now() - t0);
    for (int i = 0; i < 7; i++)
        time_reader(labels[i], p[i], n);
    /* Allocation trace: n/4 malloc/free pairs in ltrace and native form. */
    FILE *na = fopen(ap[0], "w"), *lt = fopen(ap[1], "w");
    if (!na || !lt)
        return 1;
    fprintf(na, "#bfsim-alloc 1\n");
    for (uint64_t i = 0; i < n / 2; i++) {
        uint64_t id = i % 4096 + (i / 8192) * 4096; /* 4096 live at a time */
        if ((i / 4096) % 2 == 0) {
            fprintf(na, "malloc %" PRIu64 " %" PRIu64 "\n", id, 16 + i % 1000);
            fprintf(lt, "malloc(%" PRIu64 ") = 0x%" PRIx64 "\n", (uint64_t)(16 + i % 1000),
                    (uint64_t)0x55550000000ULL + id * 64);
        } else {
            fprintf(na, "free %" PRIu64 "\n", id);
            fprintf(lt, "free(0x%" PRIx64 ") = <void>\n", (uint64_t)0x55550000000ULL + id * 64);
        }
    }
    fclose(na);
    fclose(lt);
    time_areader("alloc native", ap[0]);
    time_areader("alloc ltrace", ap[1]);
    return 0;
}
