/*
** bf_instr.h: self-instrumentation for DSP kernels written in C, so that they produce
** Blackfin-addressed access traces (bfsim native text, "#bfsim-trace 1") without a Blackfin
** toolchain. Header-only: include it and call the bfi_ functions.
**
** What it models
**   The kernel runs on the host, on host arrays. Each array is first *placed* where a Blackfin
**   programmer would put it: L1 data bank A or B SRAM, the 4 KB scratchpad, SDRAM, or (for code)
**   L1 instruction SRAM. Every traced load and store is translated from its host address to the
**   BF533 address of the same byte of the placed array and written as an "L"/"S" record; compute
**   time with no memory access is written as "G" gaps; SSYNC, CSYNC, FLUSH, FLUSHINV, PHASE, MMR
**   and DMA records are written by explicit calls.
**
** Assumptions
**   1. Only the accesses the kernel traces are in the trace: scalars the Blackfin compiler keeps in
**      registers (loop counters, accumulators, pointers) are not traced.
**   2. Placement is a bump allocator per region, each array aligned to cfg.align bytes (a cache
**      line, 32 bytes), starting at the region base; an array that does not fit is an error.
**   3. Default usable sizes are those of a BF533 with its data cache enabled: the SRAM-only lower
**      16 KB of each L1 data bank (the upper 16 KB is cache when DMEM_CONTROL.DMC is 10 or 11),
**      the 4 KB scratchpad, 64 KB of L1 instruction SRAM, and SDRAM from sdram_base (1 MB, leaving
**      the low megabyte to code and a kernel image) to sdram_bytes (32 MB, an EZ-KIT's SDRAM).
**   4. Instruction fetches, if a kernel emits them, are 8-byte (64-bit) fetch units.
**
** Algorithm: address translation scans the placed arrays (at most BFI_MAX_ARRAYS), starting with
** the one hit last, so a kernel's inner loop translates in one comparison most of the time.
** Pending gap cycles are merged and written just before the next record (and at bfi_close).
**
** Invariant: placed BF533 ranges never overlap, and every record's address lies inside a placed
** array (a trace never names memory the program did not place).
**
** Errors: functions return 0 or -1; after the first error the trace is marked failed, err holds
** the reason, further records are dropped and bfi_close returns -1.
*/
#ifndef BF_INSTR_H
#define BF_INSTR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* BF533 addresses: common/bf_bf533.h (a constants-only header, the one place bfsim states them). */
#include "bf_bf533.h"

enum {
    BFI_L1_DATA_A_BASE = BF_L1_DATA_A_BASE, /* L1 data bank A */
    BFI_L1_DATA_B_BASE = BF_L1_DATA_B_BASE, /* L1 data bank B */
    BFI_L1_INST_BASE = BF_L1_INST_BASE,     /* L1 instruction SRAM */
    BFI_SCRATCH_BASE = BF_SCRATCH_BASE,     /* scratchpad */
    BFI_SCRATCH_BYTES = BF_SCRATCH_BYTES,   /* 4 KB, never cache */
    BFI_ASYNC_BASE = BF_ASYNC_BASE,         /* async memory bank 0 (a device's memory, flash) */
    BFI_ASYNC_BYTES = BF_ASYNC_BANK_BYTES,  /* 1 MB per bank */
    BFI_DMEM_CONTROL = BF_DMEM_CONTROL,     /* L1 data memory control MMR */
    BFI_FETCH_BYTES = 8,                    /* instruction fetch unit (64 bits) */
    BFI_MAX_ARRAYS = 32
};

typedef enum bfi_place {
    BFI_L1_DATA_A = 0, /* L1 data bank A SRAM */
    BFI_L1_DATA_B,     /* L1 data bank B SRAM */
    BFI_SCRATCH,       /* scratchpad SRAM */
    BFI_SDRAM,         /* external SDRAM (cacheable) */
    BFI_L1_INST,       /* L1 instruction SRAM (code only) */
    BFI_ASYNC,         /* async memory bank 0: device memory or flash, reached by DMA */
    BFI_PLACE_COUNT
} bfi_place;

typedef struct bfi_config {
    uint32_t l1_data_bytes; /* usable bytes per L1 data bank, from its base (0x4000) */
    uint32_t l1_inst_bytes; /* usable bytes of L1 instruction SRAM (0x10000) */
    uint32_t sdram_base;    /* first SDRAM address given to arrays (0x00100000) */
    uint32_t sdram_bytes;   /* SDRAM size; arrays end below it (32 MB) */
    uint32_t align;         /* alignment of every placed array, power of two (32) */
} bfi_config;

typedef struct bfi_array {
    const char *name;
    uintptr_t host; /* host address of byte 0 (0 for a reservation without host memory) */
    size_t bytes;
    uint32_t bf; /* BF533 address of byte 0 */
    int place;   /* bfi_place */
} bfi_array;

typedef struct bfi_trace {
    FILE *out;
    bfi_config cfg;
    bfi_array arr[BFI_MAX_ARRAYS];
    int narr;
    int last;                       /* index of the array hit last */
    uint32_t next[BFI_PLACE_COUNT]; /* next free BF533 address per region */
    uint64_t gap;                   /* pending compute cycles */
    uint64_t records;               /* records written */
    int failed;
    char err[200];
} bfi_trace;

static inline void bfi_config_default(bfi_config *c)
{
    c->l1_data_bytes = BF_L1_DATA_HALF_BYTES;
    c->l1_inst_bytes = BF_L1_INST_SRAM_BYTES;
    c->sdram_base = 0x00100000u;
    c->sdram_bytes = 32u << 20;
    c->align = 32;
}

static inline const char *bfi_place_name(int p)
{
    static const char *const names[BFI_PLACE_COUNT] = {"l1_data_a", "l1_data_b", "scratch",
                                                       "sdram",     "l1_inst",   "async"};
    return p >= 0 && p < BFI_PLACE_COUNT ? names[p] : "?";
}

/* Name -> bfi_place, or -1. Accepts the names above and "a", "b", "l1a", "l1b". */
static inline int bfi_place_from_name(const char *s)
{
    for (int p = 0; p < BFI_PLACE_COUNT; p++)
        if (strcmp(s, bfi_place_name(p)) == 0)
            return p;
    if (!strcmp(s, "a") || !strcmp(s, "l1a"))
        return BFI_L1_DATA_A;
    if (!strcmp(s, "b") || !strcmp(s, "l1b"))
        return BFI_L1_DATA_B;
    return -1;
}

static inline int bfi_fail(bfi_trace *t, const char *fmt, ...)
{
    if (!t->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(t->err, sizeof t->err, fmt, ap);
        va_end(ap);
        t->failed = 1;
    }
    return -1;
}

/* Region [base, base+size) of a placement under this config. */
static inline void bfi_region(const bfi_config *c, int p, uint32_t *base, uint32_t *size)
{
    switch (p) {
    case BFI_L1_DATA_A:
        *base = BFI_L1_DATA_A_BASE;
        *size = c->l1_data_bytes;
        break;
    case BFI_L1_DATA_B:
        *base = BFI_L1_DATA_B_BASE;
        *size = c->l1_data_bytes;
        break;
    case BFI_SCRATCH:
        *base = BFI_SCRATCH_BASE;
        *size = BFI_SCRATCH_BYTES;
        break;
    case BFI_L1_INST:
        *base = BFI_L1_INST_BASE;
        *size = c->l1_inst_bytes;
        break;
    case BFI_ASYNC:
        *base = BFI_ASYNC_BASE;
        *size = BFI_ASYNC_BYTES;
        break;
    default:
        *base = c->sdram_base;
        *size = c->sdram_bytes - c->sdram_base;
        break;
    }
}

/* Start a trace on out (the caller owns and closes the FILE). cfg NULL: defaults. Writes the
** header: format version, program, recorder, date. */
static inline int bfi_open(bfi_trace *t, const bfi_config *cfg, FILE *out, const char *program)
{
    memset(t, 0, sizeof *t);
    t->out = out;
    if (cfg)
        t->cfg = *cfg;
    else
        bfi_config_default(&t->cfg);
    const bfi_config *c = &t->cfg;
    if (c->align == 0 || (c->align & (c->align - 1)) != 0)
        return bfi_fail(t, "bfi_config.align: %u is not a power of two", c->align);
    if (c->l1_data_bytes == 0 || c->l1_data_bytes > BF_L1_DATA_BANK_BYTES)
        return bfi_fail(t, "bfi_config.l1_data_bytes: %u not in 1..32768", c->l1_data_bytes);
    if (c->l1_inst_bytes > BF_L1_INST_SRAM_BYTES + BF_L1_INST_CACHE_BYTES)
        return bfi_fail(t, "bfi_config.l1_inst_bytes: %u above 80 KB", c->l1_inst_bytes);
    if (c->sdram_bytes > (128u << 20) || c->sdram_base >= c->sdram_bytes)
        return bfi_fail(t, "bfi_config.sdram_base/sdram_bytes: 0x%x/0x%x not a range in 128 MB",
                        c->sdram_base, c->sdram_bytes);
    for (int p = 0; p < BFI_PLACE_COUNT; p++) {
        uint32_t base, size;
        bfi_region(c, p, &base, &size);
        t->next[p] = base;
    }
    char date[32] = "unknown";
    time_t now = time(NULL);
    const struct tm *tm = gmtime(&now); /* kernels are single-threaded */
    if (tm)
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", tm);
    fprintf(out, "#bfsim-trace 1\n#program: %s\n#recorder: bf_instr.h 1\n#date: %s\n",
            program ? program : "?", date);
    return 0;
}

/* Place bytes at BF533 address bf (host may be NULL for a pure reservation, e.g. code). */
static inline int bfi_place_at(bfi_trace *t, const char *name, const void *host, size_t bytes,
                               int where, uint32_t bf)
{
    if (t->failed)
        return -1;
    if (t->narr == BFI_MAX_ARRAYS)
        return bfi_fail(t, "%s: more than %d arrays placed", name, BFI_MAX_ARRAYS);
    if (bytes == 0 || bytes > 0xFFFFFFFFu || (uint64_t)bf + bytes > 0x100000000ull)
        return bfi_fail(t, "%s: %zu bytes at 0x%08X do not fit", name, bytes, bf);
    for (int i = 0; i < t->narr; i++) {
        const bfi_array *a = &t->arr[i];
        if (bf < a->bf + a->bytes && a->bf < bf + bytes)
            return bfi_fail(t, "%s: 0x%08X..+%zu overlaps %s", name, bf, bytes, a->name);
        if (host && a->host && (uintptr_t)host < a->host + a->bytes &&
            a->host < (uintptr_t)host + bytes)
            return bfi_fail(t, "%s: host memory overlaps %s", name, a->name);
    }
    bfi_array *a = &t->arr[t->narr++];
    a->name = name;
    a->host = (uintptr_t)host;
    a->bytes = bytes;
    a->bf = bf;
    a->place = where;
    fprintf(t->out, "#array: %s %s 0x%08X %zu\n", name, bfi_place_name(where), bf, bytes);
    if (host)
        fprintf(t->out, "#map: host 0x%llx -> 0x%08X len 0x%zx\n",
                (unsigned long long)(uintptr_t)host, bf, bytes);
    return 0;
}

/* Place an array in a region, at the next cfg.align-aligned free address; *bf_out gets it. */
static inline int bfi_place_array(bfi_trace *t, const char *name, const void *host, size_t bytes,
                                  int where, uint32_t *bf_out)
{
    if (t->failed)
        return -1;
    if (where < 0 || where >= BFI_PLACE_COUNT)
        return bfi_fail(t, "%s: no placement %d", name, where);
    uint32_t base, size;
    bfi_region(&t->cfg, where, &base, &size);
    uint64_t at = ((uint64_t)t->next[where] + t->cfg.align - 1) & ~(uint64_t)(t->cfg.align - 1);
    if (at + bytes > (uint64_t)base + size)
        return bfi_fail(t, "%s: %zu bytes do not fit in %s (0x%08X, %u bytes, 0x%llx used)", name,
                        bytes, bfi_place_name(where), base, size, (unsigned long long)(at - base));
    if (bfi_place_at(t, name, host, bytes, where, (uint32_t)at) != 0)
        return -1;
    t->next[where] = (uint32_t)(at + bytes);
    if (bf_out)
        *bf_out = (uint32_t)at;
    return 0;
}

/* BF533 address of host byte p; sets the failed state (and returns 0) if p was not placed. */
static inline uint32_t bfi_addr(bfi_trace *t, const void *p, size_t size)
{
    uintptr_t h = (uintptr_t)p;
    const bfi_array *a = &t->arr[t->last];
    if (t->narr && a->host && h >= a->host && h + size <= a->host + a->bytes)
        return a->bf + (uint32_t)(h - a->host);
    for (int i = 0; i < t->narr; i++) {
        a = &t->arr[i];
        if (a->host && h >= a->host && h + size <= a->host + a->bytes) {
            t->last = i;
            return a->bf + (uint32_t)(h - a->host);
        }
    }
    bfi_fail(t, "access to host %p (%zu bytes) outside every placed array", p, size);
    return 0;
}

static inline void bfi_flush_gap(bfi_trace *t)
{
    if (t->gap) {
        fprintf(t->out, "G %llu\n", (unsigned long long)t->gap);
        t->gap = 0;
        t->records++;
    }
}

static inline void bfi_access(bfi_trace *t, char kind, const void *p, size_t size)
{
    uint32_t a = bfi_addr(t, p, size);
    if (t->failed)
        return;
    bfi_flush_gap(t);
    fprintf(t->out, "%c 0x%08X %zu\n", kind, a, size);
    t->records++;
}

static inline void bfi_load(bfi_trace *t, const void *p, size_t size)
{
    bfi_access(t, 'L', p, size);
}

static inline void bfi_store(bfi_trace *t, const void *p, size_t size)
{
    bfi_access(t, 'S', p, size);
}

/* Traced read of an lvalue, and traced assignment to one. */
#define BFI_LD(t, lv) (bfi_load((t), &(lv), sizeof(lv)), (lv))
#define BFI_ST(t, lv, v) (bfi_store((t), &(lv), sizeof(lv)), (lv) = (v))

/* Core cycles with no memory access (MACs, ALU work); merged into one G record. */
static inline void bfi_compute(bfi_trace *t, uint64_t cycles)
{
    t->gap += cycles;
}

/* Instruction fetches of bytes of code at BF533 address code (a placed reservation), in
** BFI_FETCH_BYTES units. */
static inline void bfi_ifetch(bfi_trace *t, uint32_t code, uint32_t bytes)
{
    if (t->failed)
        return;
    bfi_flush_gap(t);
    uint32_t a = code & ~(uint32_t)(BFI_FETCH_BYTES - 1);
    for (; a < code + bytes; a += BFI_FETCH_BYTES) {
        fprintf(t->out, "I 0x%08X %d\n", a, BFI_FETCH_BYTES);
        t->records++;
    }
}

static inline void bfi_plain(bfi_trace *t, const char *rec)
{
    if (t->failed)
        return;
    bfi_flush_gap(t);
    fprintf(t->out, "%s\n", rec);
    t->records++;
}

static inline void bfi_ssync(bfi_trace *t)
{
    bfi_plain(t, "SSYNC");
}

static inline void bfi_csync(bfi_trace *t)
{
    bfi_plain(t, "CSYNC");
}

/* A cache-control loop over [p, p+bytes): one FLUSH/FLUSHINV per 32-byte line, written as
** "OP ADDR COUNT" (the [P++] form) from the line holding p. */
static inline void bfi_cacheop(bfi_trace *t, const char *op, const void *p, size_t bytes)
{
    uint32_t a = bfi_addr(t, p, bytes);
    if (t->failed || bytes == 0)
        return;
    uint32_t first = a & ~BF_LINE_MASK, last = (uint32_t)(a + bytes - 1) & ~BF_LINE_MASK;
    bfi_flush_gap(t);
    fprintf(t->out, "%s 0x%08X %u\n", op, first, (last - first) / BF_LINE_BYTES + 1);
    t->records++;
}

static inline void bfi_flush(bfi_trace *t, const void *p, size_t bytes)
{
    bfi_cacheop(t, "FLUSH", p, bytes);
}

static inline void bfi_flushinv(bfi_trace *t, const void *p, size_t bytes)
{
    bfi_cacheop(t, "FLUSHINV", p, bytes);
}

/* IFLUSH of the I-cache lines over [p, p+bytes) (code loaded or patched as data). */
static inline void bfi_iflush(bfi_trace *t, const void *p, size_t bytes)
{
    bfi_cacheop(t, "IFLUSH", p, bytes);
}

/* Phase marker; name must match [A-Za-z0-9_.-]+. */
static inline void bfi_phase(bfi_trace *t, const char *name)
{
    if (t->failed)
        return;
    if (!*name ||
        strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
            strlen(name)) {
        bfi_fail(t, "phase name \"%s\" is not [A-Za-z0-9_.-]+", name);
        return;
    }
    bfi_flush_gap(t);
    fprintf(t->out, "PHASE %s\n", name);
    t->records++;
}

/* Write of a control register (e.g. BFI_DMEM_CONTROL). */
static inline void bfi_mmr(bfi_trace *t, uint32_t addr, uint32_t value)
{
    if (t->failed)
        return;
    bfi_flush_gap(t);
    fprintf(t->out, "MMR 0x%08X 0x%08X\n", addr, value);
    t->records++;
}

/* A DMA transfer between two placed host ranges on channel chan. */
static inline void bfi_dma(bfi_trace *t, int chan, const void *src, const void *dst, size_t bytes)
{
    uint32_t s = bfi_addr(t, src, bytes), d = bfi_addr(t, dst, bytes);
    if (t->failed)
        return;
    bfi_flush_gap(t);
    fprintf(t->out, "DMA %d 0x%08X 0x%08X %zu\n", chan, s, d, bytes);
    t->records++;
}

/* Write pending gaps and a closing comment; returns 0, or -1 if anything failed. */
static inline int bfi_close(bfi_trace *t)
{
    if (!t->failed) {
        bfi_flush_gap(t);
        fprintf(t->out, "#records: %llu\n", (unsigned long long)t->records);
    }
    if (fflush(t->out) != 0 || ferror(t->out))
        bfi_fail(t, "write error");
    return t->failed ? -1 : 0;
}

#endif
