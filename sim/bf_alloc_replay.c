/*
** bf_alloc_replay.c: the replay driver and its measurements (see bf_alloc_replay.h).
**
** What it does, per record:
**  1. kmalloc, vmalloc, malloc -> xAlloc(size); cache_alloc -> xCacheAlloc, else xAlloc;
**     pages_alloc -> xAllocPages(order), else xAlloc(PAGE_SIZE << order); mmap -> xMmap, else
**     xAlloc. A record that gives no GFP asks GFP_KERNEL (malloc: GFP_USER); one that gives 0
**     asks GFP_NOWAIT (0: may not sleep or reclaim, ALLOC_HARDER in the buddy family).
**  2. A free goes back the way its allocation came (the live table remembers): xFreePages with
**     the order, xCacheFree with the record's cache name, else xFreeSize(size) when the
**     allocator has it (bootmem), else xFree. A free whose allocation failed is skipped.
**  3. phase -> xPhase(name); reclaimable -> xReclaimable(pages). Neither is timed.
**  4. Latency = core time after minus before (bf_amem.now). Host time per operation is read
**     from the CPU's cycle counter (x86 TSC, AArch64 CNTVCT; elsewhere CLOCK_MONOTONIC), a few
**     nanoseconds per read, and converted to nanoseconds with the counter's rate over the whole
**     run (measured against CLOCK_MONOTONIC at the first and the last operation).
**  5. Measurements (walks, xUsable, xCheck) are not charged to any operation nor counted in
**     alloc.meta.*; they use opts.measure_port when given (untimed), else the timed port with
**     the clock left where they ended (see bf_alloc_replay.h).
**
** Latency percentiles come from a histogram that is exact below 16384 cycles (or ns) and has
** 64 sub-buckets per power of two above (relative resolution 1/64, the bucket's lower bound is
** reported); the maximum and the mean are exact. Percentiles are nearest-rank.
**
** Fragmentation measures (docs/allocators.md, "Measurements"):
**  - free blocks per order: each free extent of n whole pages counts as the binary decomposition
**    of n (see bf_areplay_count_free), which is exactly buddyinfo for a buddy allocator;
**  - unusable index U(j) = (free_pages - suitable(j) * 2^j) / free_pages, 1 when nothing is
**    free; fragmentation index F(j) = -1 if a block of order >= j is free, 0 if no block is
**    free, else 1 - (1 + free_pages / 2^j) / free_blocks (mm/vmstat.c, integer arithmetic x1000);
**  - footprint = managed - reserved - free bytes (allocated blocks, their rounding, the
**    allocator's metadata); J&W #3 = peak footprint / live requested at that point - 1, J&W #4 =
**    peak footprint / peak live requested - 1. The footprint peak is tracked after every
**    operation that can raise it (all but frees), the peak live requested after every
**    allocation; sample_every only thins the time series. The free bytes come from the
**    allocator's host counters (xFreeBytes, exact: with checks on, each check compares them
**    with a walk); an allocator without them is walked (untimed) each time.
**  - Each failure is a measurement point: the first takes a full sample (a walk); the later ones
**    take free bytes and the largest free block from the counters when the allocator knows the
**    largest, else walk.
*/
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include "bf_alloc_replay.h"
#include "bf_hist.h"
#include "bf_hmem.h"
#include "bf_htab.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BF_STAT_STRUCT bf_areplay_stats
const bf_stat_desc bf_areplay_stat_desc[] = {BF_AREPLAY_STATS(BF_STAT_DESC)};
const size_t bf_areplay_stat_count = BF_ARRAY_SIZE(bf_areplay_stat_desc);
#undef BF_STAT_STRUCT

/* ---- latency histogram: common/bf_hist.h plus the exact sum for the mean ---- */

#define HIST_LIN_BITS 14u /* exact below 16384 */
#define HIST_SUB_BITS 6u  /* 64 sub-buckets per power of two above */

typedef struct hist {
    bf_hist h;
    double sum;
} hist;

static void hist_add(hist *h, uint64_t v)
{
    bf_hist_add(&h->h, v);
    h->sum += (double)v;
}

static double hist_mean(const hist *h)
{
    return h->h.count ? h->sum / (double)h->h.count : 0;
}

/* ---- live table: common/bf_htab from the record's id to a live record ---- */

typedef struct live {
    uint64_t size;   /* requested bytes */
    uint64_t usable; /* bytes */
    bf_addr addr;
    uint8_t kind; /* 0 bytes, 1 pages, 2 cache, 3 mmap */
    uint8_t order;
    uint8_t pad[2];
} live;

enum { LIVE_WORDS = sizeof(live) / sizeof(uint64_t) };

/* ---- indices ---- */

void bf_areplay_count_free(uint32_t *nr_free, unsigned norders, uint64_t pages)
{
    if (!norders)
        return;
    unsigned top = norders - 1;
    nr_free[top] += (uint32_t)(pages >> top);
    pages &= (1ull << top) - 1;
    for (unsigned o = 0; o < top; o++)
        if (pages & (1ull << o))
            nr_free[o]++;
}

static void contig_info(const uint32_t *nr_free, unsigned norders, unsigned order,
                        uint64_t *free_pages, uint64_t *blocks_total, uint64_t *suitable)
{
    *free_pages = *blocks_total = *suitable = 0;
    for (unsigned o = 0; o < norders; o++) {
        *blocks_total += nr_free[o];
        *free_pages += (uint64_t)nr_free[o] << o;
        if (o >= order)
            *suitable += (uint64_t)nr_free[o] << (o - order);
    }
}

int32_t bf_areplay_unusable_index(const uint32_t *nr_free, unsigned norders, unsigned order)
{
    uint64_t fp, bt, su;
    contig_info(nr_free, norders, order, &fp, &bt, &su);
    if (fp == 0)
        return 1000;
    return (int32_t)((fp - (su << order)) * 1000ull / fp);
}

int32_t bf_areplay_frag_index(const uint32_t *nr_free, unsigned norders, unsigned order)
{
    uint64_t fp, bt, su;
    contig_info(nr_free, norders, order, &fp, &bt, &su);
    if (bt == 0)
        return 0;
    if (su)
        return -1000;
    return (int32_t)(1000 - (int64_t)((1000 + fp * 1000ull / (1ull << order)) / bt));
}

static const char *op_name(int op)
{
    static const char *const n[] = {"kmalloc",     "kfree",      "cache_alloc", "cache_free",
                                    "pages_alloc", "pages_free", "vmalloc",     "vfree",
                                    "mmap",        "munmap",     "malloc",      "free",
                                    "phase",       "reclaimable"};
    return op >= 0 && op < (int)BF_ARRAY_SIZE(n) ? n[op] : "unknown";
}

/* ---- the run ---- */

typedef struct measure_rec {
    bf_port real;     /* the timed port */
    bf_cycles latest; /* latest ready time of a measurement access */
} measure_rec;

typedef struct run {
    const bf_alloc_methods *am;
    const bf_alloc_env *env;
    void *st;
    bf_areplay_result *res;
    const bf_areplay_opts *opts;
    bf_htab lt; /* live allocations: id -> live */
    hist lat, alloc_lat, free_lat, host;
    uint64_t live_req, live_alloc;
    uint64_t reserved;
    uint64_t fp_peak_live_req; /* live requested at the footprint peak */
    /* walk accumulator */
    uint64_t w_free, w_largest;
    uint32_t w_nr[BF_ALLOC_ORDERS_MAX];
    int failed_once;
    measure_rec mrec;    /* measurement wrapper state */
    uint64_t tick0, ns0; /* host ticks and ns at the start: the tick rate for alloc.host.* */
} run;

/*
** Measurements (walks, xUsable, xCheck) are instruments, not workload (see bf_alloc_replay.h).
** Without a measure port they run on the timed port through a recording wrapper, and the clock
** ends at the latest ready time they saw: even an allocator that restores the clock itself after
** a walk cannot leave the next operation queued behind the walk's accesses.
*/
typedef struct amem_save {
    bf_amem_mark mark; /* clock and counters before the measurement */
    bf_port port;      /* the accessor's port before the measurement */
} amem_save;

static int measure_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    measure_rec *mr = ctx;
    int rc = bf_port_xfer(&mr->real, rq, rs);
    if (rc == BF_OK && rs->ready > mr->latest)
        mr->latest = rs->ready;
    return rc;
}

static amem_save measure_begin(run *r)
{
    bf_amem *m = r->env->mem;
    amem_save s = {bf_amem_mark_get(m), m->port};
    if (r->opts->measure_port.xfer) {
        m->port = r->opts->measure_port;
    } else {
        r->mrec.real = m->port;
        r->mrec.latest = m->now;
        m->port.xfer = measure_xfer;
        m->port.ctx = &r->mrec;
    }
    return s;
}

static void measure_end(run *r, amem_save s)
{
    bf_amem *m = r->env->mem;
    bf_cycles end = r->mrec.latest > m->now ? r->mrec.latest : m->now;
    m->port = s.port;
    bf_amem_rewind(m, s.mark);
    if (!r->opts->measure_port.xfer)
        m->now = end;
}

static void walk_visit(void *arg, bf_addr a, uint64_t len, int used)
{
    run *r = arg;
    (void)a;
    if (used)
        return;
    r->w_free += len;
    if (len > r->w_largest)
        r->w_largest = len;
    bf_areplay_count_free(r->w_nr, r->env->max_order, len / r->env->page_size);
}

/* Raise the footprint peak if the footprint with `free_bytes` free is above it. */
static void raise_peak(run *r, uint64_t free_bytes)
{
    bf_areplay_stats *st = &r->res->stats;
    uint64_t managed = r->env->size - r->reserved;
    uint64_t fp = managed > free_bytes ? managed - free_bytes : 0;
    if (fp > st->footprint_peak) {
        st->footprint_peak = fp;
        r->fp_peak_live_req = r->live_req;
    }
}

/* Walk the free space into r->w_* (untimed). */
static void walk_free(run *r)
{
    amem_save sv = measure_begin(r);
    r->w_free = r->w_largest = 0;
    memset(r->w_nr, 0, sizeof(r->w_nr));
    r->am->xWalk(r->st, walk_visit, r);
    measure_end(r, sv);
}

/* Walk the free space into r->w_* and raise the footprint peak if the footprint is above it. */
static void walk_and_peak(run *r)
{
    walk_free(r);
    raise_peak(r, r->w_free);
}

/* The footprint peak after an operation: from the allocator's free-memory counters when it keeps
** them (xFreeBytes), else from a walk. */
static void track_peak(run *r)
{
    uint64_t largest;
    if (r->am->xFreeBytes)
        raise_peak(r, r->am->xFreeBytes(r->st, &largest));
    else
        walk_and_peak(r);
}

/* With checks on: the allocator's counters must agree with a walk (NULL if they do). */
static const char *check_counters(run *r, char *buf, size_t n)
{
    uint64_t largest;
    if (!r->am->xFreeBytes)
        return NULL;
    uint64_t fb = r->am->xFreeBytes(r->st, &largest);
    walk_free(r);
    if (fb == r->w_free && (largest == BF_ALLOC_LARGEST_UNKNOWN || largest == r->w_largest))
        return NULL;
    snprintf(buf, n,
             "%s: free-memory counters say %llu bytes free (largest block %lld) but the walk finds "
             "%llu (largest %llu)",
             r->am->name, (unsigned long long)fb,
             largest == BF_ALLOC_LARGEST_UNKNOWN ? -1ll : (long long)largest,
             (unsigned long long)r->w_free, (unsigned long long)r->w_largest);
    return buf;
}

static void take_sample(run *r, bf_areplay_sample *s)
{
    walk_and_peak(r);
    memset(s, 0, sizeof(*s));
    bf_areplay_stats *st = &r->res->stats;
    s->op = st->ops;
    s->cycles = r->lat.sum > 0 ? (bf_cycles)r->lat.sum : 0;
    s->live_requested = r->live_req;
    s->live_allocated = r->live_alloc;
    s->free_bytes = r->w_free;
    s->largest_free = r->w_largest;
    s->failures = st->failures;
    s->norders = r->env->max_order;
    for (unsigned o = 0; o < s->norders; o++) {
        s->nr_free[o] = r->w_nr[o];
        s->unusable[o] = bf_areplay_unusable_index(r->w_nr, s->norders, o);
        s->fragindex[o] = bf_areplay_frag_index(r->w_nr, s->norders, o);
    }
    if (!st->samples || r->w_largest < st->largest_free_min)
        st->largest_free_min = r->w_largest;
    st->samples++;
}

static int periodic_sample(run *r)
{
    bf_areplay_sample s;
    take_sample(r, &s);
    if (r->opts->on_sample)
        r->opts->on_sample(r->opts->arg, &s);
    if (r->opts->keep_samples) {
        bf_areplay_sample *v = bf_realloc(r->res->samples, (r->res->nsamples + 1) * sizeof(*v));
        if (!v)
            return BF_ENOMEM;
        v[r->res->nsamples++] = s;
        r->res->samples = v;
    }
    return BF_OK;
}

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Host ticks for the per-operation timing (see 4. at the top). */
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static inline uint64_t host_ticks(void)
{
    return __rdtsc();
}
#elif defined(__aarch64__)
static inline uint64_t host_ticks(void)
{
    uint64_t v;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v));
    return v;
}
#else
static inline uint64_t host_ticks(void)
{
    return host_ns();
}
#endif

static void dump(run *r, uint64_t idx, const bf_arec *rec, const char *result)
{
    FILE *f = r->opts->dump_events;
    if (!f)
        return;
    if (rec->op == BF_AOP_PHASE)
        fprintf(f, "%llu phase %s %s\n", (unsigned long long)idx, rec->name ? rec->name : "-",
                result);
    else if (rec->op == BF_AOP_RECLAIMABLE)
        fprintf(f, "%llu reclaimable %llu %s\n", (unsigned long long)idx,
                (unsigned long long)rec->value, result);
    else
        fprintf(f, "%llu %s %llu %s\n", (unsigned long long)idx, op_name(rec->op),
                (unsigned long long)rec->id, result);
}

static void timed_done(run *r, hist *which, bf_cycles t0, uint64_t h0)
{
    uint64_t h1 = host_ticks();
    bf_cycles c = r->env->mem->now - t0;
    hist_add(&r->lat, c);
    hist_add(which, c);
    hist_add(&r->host, h1 - h0);
}

static int do_alloc(run *r, uint64_t idx, const bf_arec *rec)
{
    const bf_alloc_methods *am = r->am;
    bf_areplay_stats *st = &r->res->stats;
    uint32_t gfp = rec->has_gfp || rec->gfp   ? rec->gfp
                   : rec->op == BF_AOP_MALLOC ? BF_GFP_USER
                                              : BF_GFP_KERNEL;
    live e;
    memset(&e, 0, sizeof(e));
    e.size = rec->size;
    if (bf_htab_find(&r->lt, rec->id)) {
        snprintf(r->res->error, sizeof(r->res->error),
                 "op %llu (line %llu): id %llu is already live", (unsigned long long)idx,
                 (unsigned long long)rec->line, (unsigned long long)rec->id);
        return BF_EINPUT;
    }
    bf_addr out = 0;
    int rc;
    bf_cycles t0 = r->env->mem->now;
    uint64_t h0 = host_ticks();
    switch (rec->op) {
    case BF_AOP_PAGES_ALLOC:
        e.size = (uint64_t)r->env->page_size << rec->order;
        e.order = rec->order;
        if (am->xAllocPages) {
            e.kind = 1;
            rc = am->xAllocPages(r->st, rec->order, gfp, &out);
        } else {
            rc = am->xAlloc(r->st, e.size, gfp, &out);
        }
        break;
    case BF_AOP_CACHE_ALLOC:
        if (am->xCacheAlloc) {
            e.kind = 2;
            rc = am->xCacheAlloc(r->st, rec->name ? rec->name : "", rec->size, gfp, &out);
        } else {
            rc = am->xAlloc(r->st, rec->size, gfp, &out);
        }
        break;
    case BF_AOP_MMAP:
        if (am->xMmap) {
            e.kind = 3;
            rc = am->xMmap(r->st, rec->size, gfp, &out);
        } else {
            rc = am->xAlloc(r->st, rec->size, gfp, &out);
        }
        break;
    default:
        rc = am->xAlloc(r->st, rec->size, gfp, &out);
        break;
    }
    timed_done(r, &r->alloc_lat, t0, h0);
    st->allocs++;
    if (rc != BF_OK) {
        snprintf(r->res->error, sizeof(r->res->error), "op %llu (line %llu): %s failed: %s",
                 (unsigned long long)idx, (unsigned long long)rec->line, op_name(rec->op),
                 bf_rc_name(rc));
        return rc;
    }
    char buf[32];
    if (!out) {
        dump(r, idx, rec, "FAIL");
        st->failures++;
        /* Each failure is a measurement point (free bytes, largest free block); the first one
        ** takes a full sample (free blocks per order, the indices), the others come from the
        ** allocator's counters when it keeps the largest free block too, else from a walk. */
        bf_areplay_sample s;
        uint64_t free_bytes, largest = BF_ALLOC_LARGEST_UNKNOWN;
        if (r->failed_once && r->am->xFreeBytes)
            free_bytes = r->am->xFreeBytes(r->st, &largest);
        if (largest == BF_ALLOC_LARGEST_UNKNOWN) {
            take_sample(r, &s);
            free_bytes = s.free_bytes;
        } else {
            raise_peak(r, free_bytes);
            if (!st->samples || largest < st->largest_free_min)
                st->largest_free_min = largest;
            st->samples++;
        }
        if (free_bytes >= e.size) {
            /* enough free memory: held back by the watermark reserve, or fragmented */
            uint64_t keep = r->am->xReserveBytes ? r->am->xReserveBytes(r->st, gfp) : 0;
            if (free_bytes < e.size + keep)
                st->failures_in_reserve++;
            else
                st->failures_with_free_memory++;
        }
        if (!r->failed_once) {
            r->failed_once = 1;
            unsigned o = rec->op == BF_AOP_PAGES_ALLOC
                             ? rec->order
                             : bf_alloc_order_for(e.size, r->env->page_size);
            if (o >= r->env->max_order)
                o = r->env->max_order - 1;
            st->first_failure_op = idx;
            st->first_failure_bytes = e.size;
            st->first_failure_free_bytes = s.free_bytes;
            st->first_failure_largest_free = s.largest_free;
            st->first_failure_unusable = s.unusable[o] / 1000.0;
            st->first_failure_fragindex = s.fragindex[o] / 1000.0;
            r->res->at_failure = s;
        }
        return BF_OK;
    }
    if (!r->failed_once) {
        st->allocs_before_failure++;
        if (rec->op == BF_AOP_MMAP)
            st->mmaps_before_failure++;
    }
    amem_save sv = measure_begin(r);
    e.usable = am->xUsable ? am->xUsable(r->st, out) : 0;
    measure_end(r, sv);
    if (e.usable < e.size)
        e.usable = e.size; /* unknown (0) or an allocator that reports less than it gave */
    e.addr = out;
    live *slot = bf_htab_add(&r->lt, rec->id, NULL);
    if (!slot)
        return BF_ENOMEM;
    *slot = e;
    r->live_req += e.size;
    r->live_alloc += e.usable;
    st->requested_total += e.size;
    if (r->live_req > st->peak_live_requested)
        st->peak_live_requested = r->live_req;
    if (r->live_alloc - r->live_req > st->internal_peak_bytes)
        st->internal_peak_bytes = r->live_alloc - r->live_req;
    if (r->opts->dump_events) {
        snprintf(buf, sizeof(buf), "0x%08x", (unsigned)out);
        dump(r, idx, rec, buf);
    }
    return BF_OK;
}

static int do_free(run *r, uint64_t idx, const bf_arec *rec)
{
    const bf_alloc_methods *am = r->am;
    bf_areplay_stats *st = &r->res->stats;
    live *e = (live *)bf_htab_find(&r->lt, rec->id);
    if (!e) {
        st->frees_skipped++;
        dump(r, idx, rec, "SKIP");
        return BF_OK;
    }
    int rc;
    bf_cycles t0 = r->env->mem->now;
    uint64_t h0 = host_ticks();
    if (e->kind == 1 && am->xFreePages)
        rc = am->xFreePages(r->st, e->addr, e->order);
    else if (e->kind == 2 && am->xCacheFree)
        rc = am->xCacheFree(r->st, rec->name ? rec->name : "", e->addr);
    else if (am->xFreeSize)
        rc = am->xFreeSize(r->st, e->addr, e->size);
    else
        rc = am->xFree(r->st, e->addr);
    timed_done(r, &r->free_lat, t0, h0);
    st->frees++;
    if (r->opts->dump_events) {
        char buf[32];
        snprintf(buf, sizeof(buf), "0x%08x", (unsigned)e->addr);
        dump(r, idx, rec, buf);
    }
    if (rc != BF_OK) {
        snprintf(r->res->error, sizeof(r->res->error),
                 "op %llu (line %llu): %s of id %llu at 0x%08x refused: %s",
                 (unsigned long long)idx, (unsigned long long)rec->line, op_name(rec->op),
                 (unsigned long long)rec->id, (unsigned)e->addr, bf_rc_name(rc));
        return rc == BF_OK ? BF_EINPUT : rc;
    }
    r->live_req -= e->size;
    r->live_alloc -= e->usable;
    bf_htab_del(&r->lt, rec->id);
    return BF_OK;
}

static void finish(run *r)
{
    bf_areplay_stats *st = &r->res->stats;
    take_sample(r, &r->res->final);
    st->live_requested = r->live_req;
    st->live_allocated = r->live_alloc;
    st->internal_bytes = r->live_alloc - r->live_req;
    st->internal_pct =
        r->live_alloc ? 100.0 * (double)st->internal_bytes / (double)r->live_alloc : 0;
    st->free_bytes = r->res->final.free_bytes;
    st->largest_free = r->res->final.largest_free;
    st->reserved_bytes = r->reserved;
    if (!r->failed_once)
        st->first_failure_op = st->ops;
    st->jw3_pct = r->fp_peak_live_req
                      ? 100.0 * ((double)st->footprint_peak / (double)r->fp_peak_live_req - 1.0)
                      : 0;
    st->jw4_pct = st->peak_live_requested
                      ? 100.0 * ((double)st->footprint_peak / (double)st->peak_live_requested - 1.0)
                      : 0;
    st->lat_mean = hist_mean(&r->lat);
    st->lat_p50 = bf_hist_percentile(&r->lat.h, 50);
    st->lat_p99 = bf_hist_percentile(&r->lat.h, 99);
    st->lat_max = r->lat.h.max;
    st->lat_total = (uint64_t)r->lat.sum;
    st->alloc_lat_mean = hist_mean(&r->alloc_lat);
    st->alloc_lat_max = r->alloc_lat.h.max;
    st->free_lat_mean = hist_mean(&r->free_lat);
    st->free_lat_max = r->free_lat.h.max;
    /* ticks to ns: the counter's rate over the run (1 when the ticks are ns already) */
    uint64_t dt = host_ticks() - r->tick0, dns = host_ns() - r->ns0;
    double ns_per_tick = dt && dns ? (double)dns / (double)dt : 1.0;
    st->host_mean = hist_mean(&r->host) * ns_per_tick;
    st->host_p50 = (uint64_t)((double)bf_hist_percentile(&r->host.h, 50) * ns_per_tick + 0.5);
    st->host_p99 = (uint64_t)((double)bf_hist_percentile(&r->host.h, 99) * ns_per_tick + 0.5);
    st->host_max = (uint64_t)((double)r->host.h.max * ns_per_tick + 0.5);
}

int bf_areplay_run(const bf_alloc_methods *am, const bf_alloc_env *env, bf_areplay_next_fn next,
                   void *ctx, const bf_areplay_opts *opts, bf_areplay_result *res)
{
    static const bf_areplay_opts none;
    memset(res, 0, sizeof(*res));
    if (!opts)
        opts = &none;
    const char *why = bf_alloc_env_check(env);
    if (why) {
        snprintf(res->error, sizeof(res->error), "%s", why);
        return BF_ECONFIG;
    }
    run r;
    memset(&r, 0, sizeof(r));
    r.am = am;
    r.env = env;
    r.res = res;
    r.opts = opts;
    r.reserved = bf_alloc_reserved_bytes(env);
    hist *hs[] = {&r.lat, &r.alloc_lat, &r.free_lat, &r.host};
    int rc = bf_htab_init_rec(&r.lt, 512, LIVE_WORDS);
    size_t nb = bf_hist_buckets(HIST_LIN_BITS, HIST_SUB_BITS);
    for (size_t i = 0; i < BF_ARRAY_SIZE(hs) && rc == BF_OK; i++) {
        uint64_t *counters = bf_malloc(nb * sizeof(uint64_t));
        if (counters)
            bf_hist_init(&hs[i]->h, counters, HIST_LIN_BITS, HIST_SUB_BITS);
        else
            rc = BF_ENOMEM;
    }
    if (rc == BF_OK) {
        rc = am->xCreate(env, &r.st);
        if (rc != BF_OK)
            snprintf(res->error, sizeof(res->error), "%s: create failed: %s", am->name,
                     env->mem->failed ? "a metadata access faulted in the memory system (is the "
                                        "managed memory mapped by its CPLBs?)"
                                      : bf_rc_name(rc));
    }
    uint64_t reads0 = env->mem->reads, writes0 = env->mem->writes;
    r.ns0 = host_ns();
    r.tick0 = host_ticks();
    bf_arec rec;
    while (rc == BF_OK && !(opts->stop && *opts->stop)) {
        memset(&rec, 0, sizeof(rec));
        int nrc = next(ctx, &rec);
        if (nrc == BF_EEOF)
            break;
        if (nrc != BF_OK) {
            rc = nrc;
            if (!res->error[0])
                snprintf(res->error, sizeof(res->error), "record %llu: %s",
                         (unsigned long long)res->stats.ops, bf_rc_name(nrc));
            break;
        }
        uint64_t idx = res->stats.ops;
        switch (rec.op) {
        case BF_AOP_KMALLOC:
        case BF_AOP_CACHE_ALLOC:
        case BF_AOP_PAGES_ALLOC:
        case BF_AOP_VMALLOC:
        case BF_AOP_MMAP:
        case BF_AOP_MALLOC:
            rc = do_alloc(&r, idx, &rec);
            break;
        case BF_AOP_KFREE:
        case BF_AOP_CACHE_FREE:
        case BF_AOP_PAGES_FREE:
        case BF_AOP_VFREE:
        case BF_AOP_MUNMAP:
        case BF_AOP_FREE:
            rc = do_free(&r, idx, &rec);
            break;
        case BF_AOP_PHASE:
            if (am->xPhase)
                rc = am->xPhase(r.st, rec.name ? rec.name : "");
            dump(&r, idx, &rec, "-");
            break;
        case BF_AOP_RECLAIMABLE:
            if (am->xReclaimable)
                am->xReclaimable(r.st, rec.value);
            dump(&r, idx, &rec, "-");
            break;
        default:
            snprintf(res->error, sizeof(res->error), "op %llu (line %llu): unknown record op %u",
                     (unsigned long long)idx, (unsigned long long)rec.line, rec.op);
            rc = BF_EINPUT;
            break;
        }
        if (rc == BF_OK && env->mem->failed) {
            /* a metadata access the memory system refused (misaligned, unmapped, faulting): the
            ** allocator's state is no longer what it believes, so stop here rather than go on */
            snprintf(res->error, sizeof(res->error),
                     "op %llu (%s, line %llu): a metadata access was refused by the memory system "
                     "(misaligned or unmapped address)",
                     (unsigned long long)idx, op_name(rec.op), (unsigned long long)rec.line);
            rc = BF_ESTATE;
        }
        if (rc != BF_OK)
            break;
        res->stats.ops++;
        if (opts->check_every_op && res->stats.ops % opts->check_every_op == 0) {
            amem_save sv = measure_begin(&r);
            const char *msg = am->xCheck(r.st);
            measure_end(&r, sv);
            char cbuf[200];
            if (!msg)
                msg = check_counters(&r, cbuf, sizeof(cbuf));
            if (msg) {
                snprintf(res->error, sizeof(res->error), "op %llu (%s %llu, line %llu): %s",
                         (unsigned long long)idx, op_name(rec.op),
                         (unsigned long long)(rec.op == BF_AOP_RECLAIMABLE ? rec.value : rec.id),
                         (unsigned long long)rec.line, msg);
                rc = BF_ESTATE;
                break;
            }
        }
        int is_free = rec.op < BF_AOP_PHASE && rec.op % 2 == 1;
        if (opts->sample_every && res->stats.ops % opts->sample_every == 0)
            rc = periodic_sample(&r);
        else if (!is_free)
            track_peak(&r); /* peaks at every operation, not only at the samples */
        if (opts->stop_after_failures && res->stats.failures >= opts->stop_after_failures)
            break;
    }
    if (r.st && rc == BF_OK && opts->check_every_op && !(opts->stop && *opts->stop)) {
        /* with a check period > 1, the state at the end is checked too */
        amem_save sv = measure_begin(&r);
        const char *msg = am->xCheck(r.st);
        measure_end(&r, sv);
        char cbuf[200];
        if (!msg)
            msg = check_counters(&r, cbuf, sizeof(cbuf));
        if (msg) {
            snprintf(res->error, sizeof(res->error), "at the end of the workload: %s", msg);
            rc = BF_ESTATE;
        }
    }
    if (r.st) {
        res->stats.meta_reads = env->mem->reads - reads0;
        res->stats.meta_writes = env->mem->writes - writes0;
        finish(&r);
        am->xDestroy(r.st);
    }
    for (size_t i = 0; i < BF_ARRAY_SIZE(hs); i++)
        free(hs[i]->h.n);
    bf_htab_fini(&r.lt);
    return rc;
}

void bf_areplay_result_free(bf_areplay_result *res)
{
    free(res->samples);
    res->samples = NULL;
    res->nsamples = 0;
}

/* ---- records from an allocation-trace reader ---- */

static int reader_next(void *ctx, bf_arec *rec)
{
    return bf_atrace_next(ctx, rec);
}

int bf_areplay_reader(const bf_alloc_methods *am, const bf_alloc_env *env, bf_atrace_reader *r,
                      const bf_areplay_opts *opts, bf_areplay_result *res)
{
    int rc = bf_areplay_run(am, env, reader_next, r, opts, res);
    if (rc != BF_OK && rc != BF_ESTATE && rc != BF_ECONFIG && bf_atrace_error(r) &&
        bf_atrace_error(r)[0])
        snprintf(res->error, sizeof(res->error), "%s", bf_atrace_error(r));
    return rc;
}
