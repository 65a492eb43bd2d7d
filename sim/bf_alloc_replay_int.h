/*
** bf_alloc_replay_int.h: the state of one allocation replay, shared by the driver
** (bf_alloc_replay.c: records, allocator calls, the run loop) and its measurements
** (bf_alloc_replay_measure.c: histograms, indices, walks, samples, final statistics), and by
** nothing else (the interface is bf_alloc_replay.h).
**
** Invariants: live_req and live_alloc are the sums of the requested and usable bytes of the
** records in lt; the footprint peak and fp_peak_live_req change together (bf_areplay_raise_peak);
** between bf_areplay_measure_begin and bf_areplay_measure_end the accessor's port is the
** measurement port (with its host view, opts.measure_view, else its direct entry,
** opts.measure_fast) or the recording wrapper mrec (with neither, so that every access passes the
** recorder); measure_end restores the port and the entry and clears the view.
*/
#ifndef BF_ALLOC_REPLAY_INT_H
#define BF_ALLOC_REPLAY_INT_H

#include "bf_alloc_replay.h"
#include "bf_hist.h"
#include "bf_htab.h"

/* A latency histogram with the exact sum for the mean. */
typedef struct areplay_hist {
    bf_hist h;
    double sum;
} areplay_hist;

/* The recording wrapper of measurements run on the timed port. */
typedef struct areplay_mrec {
    bf_port real;     /* the timed port */
    bf_cycles latest; /* latest ready time of a measurement access */
} areplay_mrec;

typedef struct areplay_run {
    const bf_alloc_methods *am;
    const bf_alloc_env *env;
    void *st;
    bf_areplay_result *res;
    const bf_areplay_opts *opts;
    bf_htab lt; /* live allocations: id -> live (bf_alloc_replay.c) */
    areplay_hist lat, alloc_lat, free_lat, host;
    uint64_t live_req, live_alloc;
    uint64_t reserved;
    uint64_t fp_peak_live_req; /* live requested at the footprint peak */
    /* walk accumulator */
    uint64_t w_free, w_largest;
    uint32_t w_nr[BF_ALLOC_ORDERS_MAX];
    int failed_once;
    areplay_mrec mrec;   /* measurement wrapper state */
    uint64_t tick0, ns0; /* host ticks and ns at the start: the tick rate for alloc.host.* */
} areplay_run;

/* What a measurement swapped out, to put back. */
typedef struct areplay_save {
    bf_amem_mark mark; /* clock and counters before the measurement */
    bf_port port;      /* the accessor's port before the measurement */
    /* and its direct entry: the measurement's own or none (it would bypass the port) */
    bf_amem_fast_fn fast;
    void *fast_ctx;
} areplay_save;

/* ---- bf_alloc_replay_measure.c ---- */

/* The four latency histograms of r: BF_OK or BF_ENOMEM (free them with hists_free either way). */
int bf_areplay_hists_init(areplay_run *r);
void bf_areplay_hists_free(areplay_run *r);
/* Raise the footprint peak if the footprint with `free_bytes` free is above it. */
void bf_areplay_raise_peak(areplay_run *r, uint64_t free_bytes);
/* The footprint peak after an operation: from xFreeBytes when the allocator has it, else a
** walk. */
void bf_areplay_track_peak(areplay_run *r);
/* The allocator's largest free extent by xLargestFree, run as a measurement (like a walk). */
uint64_t bf_areplay_largest_free(areplay_run *r);
/* With checks on: NULL if the allocator's free-memory counters (and xLargestFree) agree with a
** walk and xLargestFreeBound does not exceed the walk's largest, else the message (in buf). */
const char *bf_areplay_check_counters(areplay_run *r, char *buf, size_t n);
/* A full sample (a walk) into *s; raises the peak and counts the sample. */
void bf_areplay_take_sample(areplay_run *r, bf_areplay_sample *s);
/* A sample of the sample_every series (kept and passed on as opts say): BF_OK or BF_ENOMEM. */
int bf_areplay_periodic_sample(areplay_run *r);
/* An operation ended: its core-cycle latency (from t0) into lat and which, host ticks (from
** h0) into host. */
void bf_areplay_timed_done(areplay_run *r, areplay_hist *which, bf_cycles t0, uint64_t h0);
/* The final sample and the run's statistics. */
void bf_areplay_finish(areplay_run *r);
uint64_t bf_areplay_host_ns(void);

/* Host ticks for the per-operation timing (bf_alloc_replay.c, rule 4). */
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static inline uint64_t bf_areplay_host_ticks(void)
{
    return __rdtsc();
}
#elif defined(__aarch64__)
static inline uint64_t bf_areplay_host_ticks(void)
{
    uint64_t v;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v));
    return v;
}
#else
static inline uint64_t bf_areplay_host_ticks(void)
{
    return bf_areplay_host_ns();
}
#endif

/* ---- untimed measurements (inline: one around every xUsable) ---- */

/* The recording wrapper's transfer: the timed port, noting the latest ready time. */
static inline int bf_areplay_measure_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    areplay_mrec *mr = ctx;
    int rc = bf_port_xfer(&mr->real, rq, rs);
    if (rc == BF_OK && rs->ready > mr->latest)
        mr->latest = rs->ready;
    return rc;
}

/* Put the measurement port (or the recording wrapper) in place. */
static inline areplay_save bf_areplay_measure_begin(areplay_run *r)
{
    bf_amem *m = r->env->mem;
    areplay_save s = {bf_amem_mark_get(m), m->port, m->fast, m->fast_ctx};
    m->fast = NULL;
    if (r->opts->measure_port.xfer) {
        m->port = r->opts->measure_port;
        m->view = r->opts->measure_view;
        if (!m->view.len) {
            m->fast = r->opts->measure_fast;
            m->fast_ctx = r->opts->measure_fast_ctx;
        }
    } else {
        r->mrec.real = m->port;
        r->mrec.latest = m->now;
        m->port.xfer = bf_areplay_measure_xfer;
        m->port.ctx = &r->mrec;
    }
    return s;
}

/* Put the timed port back, with the clock as bf_alloc_replay.h says. */
static inline void bf_areplay_measure_end(areplay_run *r, areplay_save s)
{
    bf_amem *m = r->env->mem;
    bf_cycles end = r->mrec.latest > m->now ? r->mrec.latest : m->now;
    m->port = s.port;
    m->fast = s.fast;
    m->fast_ctx = s.fast_ctx;
    m->view.len = 0;
    bf_amem_rewind(m, s.mark);
    if (!r->opts->measure_port.xfer)
        m->now = end;
}

#endif
