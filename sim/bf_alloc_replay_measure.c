/*
** bf_alloc_replay_measure.c: what the replay driver (bf_alloc_replay.c) measures: latency
** histograms, the fragmentation indices, the untimed measurement wrapper, free-space walks and
** the footprint peak, samples, host time, and the statistics at the end of a run.
**
** Latency percentiles come from a histogram that is exact below 16384 cycles (or ns) and has
** 64 sub-buckets per power of two above (relative resolution 1/64, the bucket's lower bound is
** reported); the maximum and the mean are exact. Percentiles are nearest-rank.
**
** Fragmentation measures (docs/allocators.md, "Measurements"):
**  - free blocks per order: each free extent of n whole pages counts as the binary decomposition
**    of n (bf_alloc_count_free), which is exactly buddyinfo for a buddy allocator;
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
**  - A sample needs the free blocks per order too: from the allocator's host counters when it
**    keeps them (xFreeOrders, with xFreeBytes and the largest from it or xLargestFree; checked
**    against a walk like xFreeBytes) and the driver has a measure port, else from a walk.
**  - Each failure is a measurement point: the first takes a full sample (as above); the later ones
**    take free bytes and the largest free block from the counters when the allocator knows the
**    largest, else from xLargestFree (a measurement, on the measure port), else walk; but no
**    walk when xLargestFreeBound shows the largest is at least alloc.largest_free_min, the only
**    statistic a later failure's largest free block can change (bf_alloc_replay.c, do_alloc).
**
** Measurements (walks, xUsable, xCheck) are instruments, not workload (see bf_alloc_replay.h).
** Without a measure port they run on the timed port through a recording wrapper, and the clock
** ends at the latest ready time they saw: even an allocator that restores the clock itself after
** a walk cannot leave the next operation queued behind the walk's accesses.
*/
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include "bf_alloc_replay_int.h"
#include "bf_hmem.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- latency histograms: common/bf_hist.h plus the exact sum for the mean ---- */

#define HIST_LIN_BITS 14u /* exact below 16384 */
#define HIST_SUB_BITS 6u  /* 64 sub-buckets per power of two above */

static void hist_add(areplay_hist *h, uint64_t v)
{
    bf_hist_add(&h->h, v);
    h->sum += (double)v;
}

static double hist_mean(const areplay_hist *h)
{
    return h->h.count ? h->sum / (double)h->h.count : 0;
}

int bf_areplay_hists_init(areplay_run *r)
{
    areplay_hist *hs[] = {&r->lat, &r->alloc_lat, &r->free_lat, &r->host};
    size_t nb = bf_hist_buckets(HIST_LIN_BITS, HIST_SUB_BITS);
    for (size_t i = 0; i < BF_ARRAY_SIZE(hs); i++) {
        uint64_t *counters = bf_malloc(nb * sizeof(uint64_t));
        if (!counters)
            return BF_ENOMEM;
        bf_hist_init(&hs[i]->h, counters, HIST_LIN_BITS, HIST_SUB_BITS);
    }
    return BF_OK;
}

void bf_areplay_hists_free(areplay_run *r)
{
    areplay_hist *hs[] = {&r->lat, &r->alloc_lat, &r->free_lat, &r->host};
    for (size_t i = 0; i < BF_ARRAY_SIZE(hs); i++)
        free(hs[i]->h.n);
}

/* ---- fragmentation indices ---- */

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

/* ---- untimed measurements, walks, the footprint peak, samples ---- */

static void walk_visit(void *arg, bf_addr a, uint64_t len, int used)
{
    areplay_run *r = arg;
    (void)a;
    if (used)
        return;
    r->w_free += len;
    if (len > r->w_largest)
        r->w_largest = len;
    bf_alloc_count_free(r->w_nr, r->env->max_order, len / r->env->page_size, 1);
}

/* Raise the footprint peak if the footprint with `free_bytes` free is above it. */
void bf_areplay_raise_peak(areplay_run *r, uint64_t free_bytes)
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
static void walk_free(areplay_run *r)
{
    areplay_save sv = bf_areplay_measure_begin(r);
    r->w_free = r->w_largest = 0;
    memset(r->w_nr, 0, sizeof(r->w_nr));
    r->am->xWalk(r->st, walk_visit, r);
    bf_areplay_measure_end(r, sv);
}

/* Walk the free space into r->w_* and raise the footprint peak if the footprint is above it. */
static void walk_and_peak(areplay_run *r)
{
    walk_free(r);
    bf_areplay_raise_peak(r, r->w_free);
}

/* The footprint peak after an operation: from the allocator's free-memory counters when it keeps
** them (xFreeBytes), else from a walk. */
void bf_areplay_track_peak(areplay_run *r)
{
    uint64_t largest;
    if (r->am->xFreeBytes)
        bf_areplay_raise_peak(r, r->am->xFreeBytes(r->st, &largest));
    else
        walk_and_peak(r);
}

/* With checks on: the allocator's counters must agree with a walk (NULL if they do). */
uint64_t bf_areplay_largest_free(areplay_run *r)
{
    areplay_save sv = bf_areplay_measure_begin(r);
    uint64_t largest = r->am->xLargestFree(r->st);
    bf_areplay_measure_end(r, sv);
    return largest;
}

const char *bf_areplay_check_counters(areplay_run *r, char *buf, size_t n)
{
    uint64_t largest;
    if (!r->am->xFreeBytes)
        return NULL;
    uint64_t fb = r->am->xFreeBytes(r->st, &largest);
    if (largest == BF_ALLOC_LARGEST_UNKNOWN && r->am->xLargestFree)
        largest = bf_areplay_largest_free(r);
    uint64_t bound = r->am->xLargestFreeBound ? r->am->xLargestFreeBound(r->st) : 0;
    walk_free(r);
    if (bound > r->w_largest) {
        snprintf(buf, n, "%s: largest-free bound %llu is above the walk's largest block %llu",
                 r->am->name, (unsigned long long)bound, (unsigned long long)r->w_largest);
        return buf;
    }
    if (fb == r->w_free && (largest == BF_ALLOC_LARGEST_UNKNOWN || largest == r->w_largest)) {
        if (!r->am->xFreeOrders)
            return NULL;
        uint32_t nr[BF_ALLOC_ORDERS_MAX] = {0};
        r->am->xFreeOrders(r->st, nr, r->env->max_order);
        for (unsigned o = 0; o < r->env->max_order; o++)
            if (nr[o] != r->w_nr[o]) {
                snprintf(buf, n,
                         "%s: free-block counters say %lu free blocks of order %u but the walk "
                         "finds %lu",
                         r->am->name, (unsigned long)nr[o], o, (unsigned long)r->w_nr[o]);
                return buf;
            }
        return NULL;
    }
    snprintf(buf, n,
             "%s: free-memory counters say %llu bytes free (largest block %lld) but the walk finds "
             "%llu (largest %llu)",
             r->am->name, (unsigned long long)fb,
             largest == BF_ALLOC_LARGEST_UNKNOWN ? -1ll : (long long)largest,
             (unsigned long long)r->w_free, (unsigned long long)r->w_largest);
    return buf;
}

/* r->w_* as walk_free would find them, from the allocator's host counters when it keeps them
** all (xFreeBytes, xFreeOrders, the largest from xFreeBytes or xLargestFree), else from a walk;
** then the footprint peak. Only with a measure port: without one a walk runs on the timed port
** and the clock ends after it (bf_areplay_measure_end), which counters would not reproduce. */
static void free_space_and_peak(areplay_run *r)
{
    const bf_alloc_methods *am = r->am;
    uint64_t largest = BF_ALLOC_LARGEST_UNKNOWN, fb = 0;
    if (am->xFreeOrders && am->xFreeBytes && r->opts->measure_port.xfer) {
        fb = am->xFreeBytes(r->st, &largest);
        if (largest == BF_ALLOC_LARGEST_UNKNOWN && am->xLargestFree)
            largest = bf_areplay_largest_free(r);
    }
    if (largest == BF_ALLOC_LARGEST_UNKNOWN) {
        walk_and_peak(r);
        return;
    }
    r->w_free = fb;
    r->w_largest = largest;
    memset(r->w_nr, 0, sizeof(r->w_nr));
    am->xFreeOrders(r->st, r->w_nr, r->env->max_order);
    bf_areplay_raise_peak(r, fb);
}

void bf_areplay_take_sample(areplay_run *r, bf_areplay_sample *s)
{
    free_space_and_peak(r);
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

int bf_areplay_periodic_sample(areplay_run *r)
{
    bf_areplay_sample s;
    bf_areplay_take_sample(r, &s);
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

/* ---- host time ---- */

uint64_t bf_areplay_host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bf_areplay_timed_done(areplay_run *r, areplay_hist *which, bf_cycles t0, uint64_t h0)
{
    uint64_t h1 = bf_areplay_host_ticks();
    bf_cycles c = r->env->mem->now - t0;
    hist_add(&r->lat, c);
    hist_add(which, c);
    hist_add(&r->host, h1 - h0);
}

/* ---- the statistics at the end ---- */

void bf_areplay_finish(areplay_run *r)
{
    bf_areplay_stats *st = &r->res->stats;
    bf_areplay_take_sample(r, &r->res->final);
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
    uint64_t dt = bf_areplay_host_ticks() - r->tick0, dns = bf_areplay_host_ns() - r->ns0;
    double ns_per_tick = dt && dns ? (double)dns / (double)dt : 1.0;
    st->host_mean = hist_mean(&r->host) * ns_per_tick;
    st->host_p50 = (uint64_t)((double)bf_hist_percentile(&r->host.h, 50) * ns_per_tick + 0.5);
    st->host_p99 = (uint64_t)((double)bf_hist_percentile(&r->host.h, 99) * ns_per_tick + 0.5);
    st->host_max = (uint64_t)((double)r->host.h.max * ns_per_tick + 0.5);
}
