/*
** bf_hazard.c: the DMA / cache coherency hazard detector (bf_hazard.h, docs/dma-coherency.md).
**
** What it models: the four ways a program that does not manage the non-coherent Blackfin caches
** around DMA gets or gives wrong data (the uClinux rules: FLUSH before DMA out, FLUSHINV after
** DMA in, IFLUSH after loading code; or uncached DMA buffers).
**
** Division of work with the L1 model: L1 keeps in each line a `stale` flag (set when DMA or a core
** store writes the memory under a valid line; a second flag when the line was dirty then),
** cleared by a fill, an invalidation and, for a D line, a write-back (memory equals the cache
** again). L1 tests the flag on a hit and calls in here only when it is set, so a run without DMA
** pays one flag test per hit. This file keeps the rest, per line slot: the trace position that
** dirtied the line, who made it stale, the DMA transfers that wrote under it while it was dirty,
** and the last transfer that raised dirty_read on it.
**
** Rules:
**  1. dirty_read: at most one per (slot, transfer): `read_xfer` remembers the last transfer.
**  2. lost_write: a DMA write under a dirty line adds the transfer to the slot's lost list (once
**     per transfer; at most HZ_MAX_LOST are named, the rest counted); a write-back empties the list
**     into one hazard per transfer. Invalidating a dirty line without write-back (DMEM_CONTROL)
**     loses the core's data, not the DMA's: no hazard (the L1 model clears the flag).
**  3. stale_read / stale_ifetch: one per core access (L1 reports a straddling access once).
** Invariant: a slot's lost list is non-empty only while L1's line has its lost flag.
*/
#include "bf_hazard.h"
#include "bf_bf533.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BF_STAT_STRUCT bf_hazard_stats
const bf_stat_desc bf_hazard_stat_desc[] = {BF_HAZARD_STATS(BF_STAT_DESC)};
#undef BF_STAT_STRUCT
const size_t bf_hazard_stat_count = BF_ARRAY_SIZE(bf_hazard_stat_desc);

enum { HZ_MAX_LOST = 4 };

typedef struct hz_slot {
    bf_hazard_pos dirtied;    /* the store that made the line dirty */
    uint64_t read_xfer;       /* last transfer that raised dirty_read here (0: none) */
    int stale_dma;            /* the stale flag comes from DMA (else from core stores) */
    bf_hazard_xfer stale_by;  /* that DMA transfer */
    bf_hazard_pos stale_core; /* or the record whose store reached memory */
    uint32_t nlost;           /* transfers that wrote under the dirty line */
    bf_hazard_xfer lost[HZ_MAX_LOST];
} hz_slot;

struct bf_hazard {
    bf_hazard_stats *st;
    bf_hazard_stats own;
    const uint64_t *record, *line; /* the caller's position counters */
    const char *trace;
    bf_hazard_fn fn;
    void *ctx;
    hz_slot slot[BF_HAZARD_SLOTS];
};

int bf_hazard_create(bf_hazard_stats *stats, bf_hazard **out)
{
    bf_hazard *hz = calloc(1, sizeof *hz);
    *out = hz;
    if (!hz)
        return BF_ENOMEM;
    hz->st = stats ? stats : &hz->own;
    memset(hz->st, 0, sizeof *hz->st);
    hz->trace = "trace";
    return BF_OK;
}

void bf_hazard_destroy(bf_hazard *hz)
{
    free(hz);
}

void bf_hazard_watch(bf_hazard *hz, const uint64_t *record, const uint64_t *line,
                     const char *trace_name, bf_hazard_fn fn, void *ctx)
{
    hz->record = record;
    hz->line = line;
    hz->trace = trace_name ? trace_name : "trace";
    hz->fn = fn;
    hz->ctx = ctx;
}

const char *bf_hazard_kind_name(int kind)
{
    static const char *const n[BF_HAZ_KINDS] = {"dirty_read", "stale_read", "lost_write",
                                                "stale_ifetch"};
    return kind >= 0 && kind < BF_HAZ_KINDS ? n[kind] : "?";
}

static bf_hazard_pos hz_now(const bf_hazard *hz)
{
    bf_hazard_pos p = {hz->record ? *hz->record : 0, hz->line ? *hz->line : 0};
    return p;
}

static int hz_dslot(uint32_t slot)
{
    return slot < BF_HAZARD_DSLOTS;
}

/* " DMA side: channel C transfer N (SRC -> DST, B bytes), record R, trace: T:L" */
static size_t hz_fmt_dma(const bf_hazard *hz, char *b, size_t n, const bf_hazard_xfer *x)
{
    int k =
        snprintf(b, n,
                 "\n DMA side: channel %u transfer %llu (0x%08X -> 0x%08X, %llu bytes), record "
                 "%llu, trace: %s:%llu",
                 x->chan, (unsigned long long)x->id, x->src, x->dst, (unsigned long long)x->bytes,
                 (unsigned long long)x->pos.record, hz->trace, (unsigned long long)x->pos.line);
    return k < 0 ? 0 : (size_t)k < n ? (size_t)k : n - 1;
}

static size_t hz_fmt_pos(const bf_hazard *hz, char *b, size_t n, const char *what, bf_hazard_pos p)
{
    int k = snprintf(b, n, "\n %s: record %llu, trace: %s:%llu", what, (unsigned long long)p.record,
                     hz->trace, (unsigned long long)p.line);
    return k < 0 ? 0 : (size_t)k < n ? (size_t)k : n - 1;
}

static void hz_emit(bf_hazard *hz, bf_hazard_event *e)
{
    static const char *const why[BF_HAZ_KINDS] = {
        "DMA read memory whose cache line is dirty (the device got stale data: FLUSH missing "
        "before DMA out)",
        "the core read a cached line after DMA wrote its memory (stale data: FLUSHINV missing "
        "after DMA in)",
        "a dirty line was written back over memory DMA wrote after the line was dirtied (the DMA "
        "data is destroyed)",
        "the core fetched from an I-cache line after its memory was written (IFLUSH missing)"};
    uint64_t *c = e->kind == BF_HAZ_DIRTY_READ   ? &hz->st->dirty_read
                  : e->kind == BF_HAZ_STALE_READ ? &hz->st->stale_read
                  : e->kind == BF_HAZ_LOST_WRITE ? &hz->st->lost_write
                                                 : &hz->st->stale_ifetch;
    (*c)++;
    hz->st->total++;
    if (!hz->fn)
        return;
    char *b = e->text;
    size_t n = sizeof e->text, k;
    int w = snprintf(b, n, "DMA coherency hazard: %s at 0x%08X (line 0x%08X)\n %s",
                     bf_hazard_kind_name(e->kind), e->addr, e->line, why[e->kind]);
    k = w < 0 ? 0 : (size_t)w < n ? (size_t)w : n - 1;
    if (e->by_dma)
        k += hz_fmt_dma(hz, b + k, n - k, &e->dma);
    switch (e->kind) {
    case BF_HAZ_DIRTY_READ:
        k += hz_fmt_pos(hz, b + k, n - k, "core side: the store that dirtied the line", e->core);
        break;
    case BF_HAZ_LOST_WRITE:
        k += hz_fmt_pos(hz, b + k, n - k, "core side: the write-back (eviction or FLUSH)", e->core);
        k += hz_fmt_pos(hz, b + k, n - k, "the store that dirtied the line", e->other);
        break;
    case BF_HAZ_STALE_IFETCH:
        if (!e->by_dma)
            k += hz_fmt_pos(hz, b + k, n - k, "writer: the core store that reached memory",
                            e->other);
        /* fall through */
    default:
        k += hz_fmt_pos(
            hz, b + k, n - k,
            e->kind == BF_HAZ_STALE_READ ? "core side: the load" : "core side: the fetch", e->core);
        break;
    }
    hz->fn(hz->ctx, e);
}

static void hz_event(bf_hazard_event *e, int kind, bf_addr addr, bf_addr line)
{
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->addr = addr;
    e->line = line;
}

void bf_hazard_dirtied(bf_hazard *hz, uint32_t slot)
{
    hz->slot[slot].dirtied = hz_now(hz);
}

void bf_hazard_dma_read_dirty(bf_hazard *hz, uint32_t slot, bf_addr line, const bf_hazard_xfer *x)
{
    hz_slot *s = &hz->slot[slot];
    if (s->read_xfer == x->id) /* rule 1 */
        return;
    s->read_xfer = x->id;
    bf_hazard_event e;
    hz_event(&e, BF_HAZ_DIRTY_READ, line, line);
    e.by_dma = 1;
    e.dma = *x;
    e.core = s->dirtied;
    hz_emit(hz, &e);
}

void bf_hazard_dma_wrote(bf_hazard *hz, uint32_t slot, bf_addr line, int dirty,
                         const bf_hazard_xfer *x)
{
    (void)line;
    hz_slot *s = &hz->slot[slot];
    s->stale_dma = 1;
    s->stale_by = *x;
    if (!dirty || !hz_dslot(slot))
        return;
    for (uint32_t i = 0; i < s->nlost && i < HZ_MAX_LOST; i++)
        if (s->lost[i].id == x->id)
            return; /* rule 2: once per transfer */
    if (s->nlost < HZ_MAX_LOST)
        s->lost[s->nlost] = *x;
    else if (s->lost[HZ_MAX_LOST - 1].id == x->id)
        return;
    else
        s->lost[HZ_MAX_LOST - 1] = *x; /* later transfers are counted under the last named */
    s->nlost++;
}

void bf_hazard_core_wrote(bf_hazard *hz, uint32_t islot, uint32_t from)
{
    hz_slot *s = &hz->slot[islot];
    s->stale_dma = 0;
    s->stale_core = from < BF_HAZARD_SLOTS ? hz->slot[from].dirtied : hz_now(hz);
}

void bf_hazard_stale_hit(bf_hazard *hz, uint32_t slot, bf_addr addr)
{
    hz_slot *s = &hz->slot[slot];
    bf_hazard_event e;
    hz_event(&e, hz_dslot(slot) ? BF_HAZ_STALE_READ : BF_HAZ_STALE_IFETCH, addr,
             addr & ~BF_LINE_MASK);
    e.by_dma = s->stale_dma;
    e.dma = s->stale_by;
    e.other = s->stale_core;
    e.core = hz_now(hz);
    hz_emit(hz, &e);
}

void bf_hazard_writeback(bf_hazard *hz, uint32_t slot, bf_addr line)
{
    hz_slot *s = &hz->slot[slot];
    for (uint32_t i = 0; i < s->nlost; i++) {
        bf_hazard_event e;
        hz_event(&e, BF_HAZ_LOST_WRITE, line, line);
        e.by_dma = 1;
        e.dma = s->lost[i < HZ_MAX_LOST ? i : HZ_MAX_LOST - 1];
        e.core = hz_now(hz);
        e.other = s->dirtied;
        hz_emit(hz, &e);
    }
    s->nlost = 0;
}

void bf_hazard_line_reset(bf_hazard *hz, uint32_t slot)
{
    hz->slot[slot].nlost = 0;
}
