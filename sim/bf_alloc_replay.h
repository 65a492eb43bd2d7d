/*
** bf_alloc_replay.h: replay an allocation workload on one allocator and measure it.
**
** The driver maps each bf_arec to the allocator (docs/allocators.md, "Replay"), tracks live ids,
** and measures per run and every N operations: internal fragmentation, free memory and the
** largest free block, free blocks per order, Linux's unusable-free-space and fragmentation
** indices (mm/vmstat.c formulas), Johnstone & Wilson fragmentation #3 and #4, failures (and those
** with enough total memory free), and per-operation latency in core cycles and host ns.
**
** Simulated-time rules: each operation's latency is env->mem->now after minus before. The
** driver's own xWalk, xUsable and xCheck calls (measurements, --check) are never charged to an
** operation and never counted in alloc.meta.*: with opts.measure_port set they go through that
** untimed port (the accessor's port and clock are swapped back afterwards, so the timing models
** see nothing); without it they go through the timed port and the core clock keeps the time
** they took (moving it back would make the next operation wait behind the measurement's own
** accesses in the SDRAM model), but no operation's latency includes it.
*/
#ifndef BF_ALLOC_REPLAY_H
#define BF_ALLOC_REPLAY_H

#include <signal.h>
#include <stdio.h>

#include "bf_alloc.h"
#include "bf_atrace.h"
#include "bf_stats.h"

#define BF_AREPLAY_STATS(X)                                                                        \
    X(U64, ops, "alloc.ops", "operations",                                                         \
      "workload records replayed (allocations, frees, phases)")                                    \
    X(U64, allocs, "alloc.allocs", "operations", "allocation requests issued to the allocator")    \
    X(U64, frees, "alloc.frees", "operations", "frees issued to the allocator")                    \
    X(U64, frees_skipped, "alloc.frees_skipped", "operations",                                     \
      "frees not issued because the allocation they pair with had failed")                         \
    X(U64, failures, "alloc.failures", "operations", "allocation requests that failed")            \
    X(U64, failures_with_free_memory, "alloc.failures_with_free_memory", "operations",             \
      "failed allocations made while the free memory covered the request and the allocator's "     \
      "watermark reserve for its GFP (external fragmentation)")                                    \
    X(U64, failures_in_reserve, "alloc.failures_in_reserve", "operations",                         \
      "failed allocations made while the free memory covered the request but not the request "     \
      "plus the watermark reserve for its GFP (buddy family: the min watermark held it back)")     \
    X(U64, allocs_before_failure, "alloc.allocs_before_failure", "operations",                     \
      "successful allocations before the first failure (all of them if none failed)")              \
    X(U64, mmaps_before_failure, "alloc.mmaps_before_failure", "operations",                       \
      "successful mmap (process memory) requests before the first failure of any request")         \
    X(U64, first_failure_op, "alloc.first_failure_op", "operations",                               \
      "0-based index of the first failed operation, or the operation count if none failed")        \
    X(U64, first_failure_bytes, "alloc.first_failure.request_bytes", "bytes",                      \
      "size of the first failed request")                                                          \
    X(U64, first_failure_free_bytes, "alloc.first_failure.free_bytes", "bytes",                    \
      "total free memory when the first request failed")                                           \
    X(U64, first_failure_largest_free, "alloc.first_failure.largest_free_bytes", "bytes",          \
      "largest free block when the first request failed")                                          \
    X(F64, first_failure_unusable, "alloc.first_failure.unusable_index", "ratio",                  \
      "Linux unusable free space index (0..1) at the order of the first failed request, when it "  \
      "failed")                                                                                    \
    X(F64, first_failure_fragindex, "alloc.first_failure.frag_index", "ratio",                     \
      "Linux fragmentation index (-1, or 0..1) at the order of the first failed request")          \
    X(U64, requested_total, "alloc.requested_bytes", "bytes",                                      \
      "bytes requested by all successful allocations")                                             \
    X(U64, live_requested, "alloc.live.requested_bytes", "bytes",                                  \
      "requested bytes live at the end")                                                           \
    X(U64, live_allocated, "alloc.live.allocated_bytes", "bytes",                                  \
      "usable bytes of the live blocks at the end (xUsable, or the request when unknown)")         \
    X(U64, peak_live_requested, "alloc.live.peak_requested_bytes", "bytes",                        \
      "maximum of the live requested bytes over the run")                                          \
    X(U64, internal_bytes, "alloc.frag.internal_bytes", "bytes",                                   \
      "internal fragmentation at the end: allocated minus requested bytes of live blocks")         \
    X(F64, internal_pct, "alloc.frag.internal_pct", "percent",                                     \
      "internal fragmentation at the end as a percentage of the allocated bytes")                  \
    X(U64, internal_peak_bytes, "alloc.frag.internal_peak_bytes", "bytes",                         \
      "maximum internal fragmentation over the run")                                               \
    X(U64, footprint_peak, "alloc.footprint.peak_bytes", "bytes",                                  \
      "maximum memory in use by the allocator (managed minus reserved minus free bytes), after "   \
      "every operation")                                                                           \
    X(F64, jw3_pct, "alloc.frag.jw3_pct", "percent",                                               \
      "Johnstone-Wilson fragmentation #3: peak footprint over the live requested bytes at that "   \
      "point, minus 100%")                                                                         \
    X(F64, jw4_pct, "alloc.frag.jw4_pct", "percent",                                               \
      "Johnstone-Wilson fragmentation #4: peak footprint over the peak live requested bytes, "     \
      "minus 100%")                                                                                \
    X(U64, free_bytes, "alloc.free_bytes", "bytes", "free memory at the end")                      \
    X(U64, largest_free, "alloc.largest_free_bytes", "bytes", "largest free block at the end")     \
    X(U64, largest_free_min, "alloc.largest_free_min_bytes", "bytes",                              \
      "smallest largest-free-block seen at any sample")                                            \
    X(U64, reserved_bytes, "alloc.reserved_bytes", "bytes",                                        \
      "managed memory in reserved ranges (kernel image, DMA region), never free")                  \
    X(U64, samples, "alloc.samples", "samples",                                                    \
      "measurement points taken (periodic samples, each failure, the end)")                        \
    X(F64, lat_mean, "alloc.latency.mean_cycles", "cycles",                                        \
      "mean core cycles per allocation or free")                                                   \
    X(U64, lat_p50, "alloc.latency.p50_cycles", "cycles",                                          \
      "median core cycles per allocation or free")                                                 \
    X(U64, lat_p99, "alloc.latency.p99_cycles", "cycles",                                          \
      "99th percentile of core cycles per allocation or free")                                     \
    X(U64, lat_max, "alloc.latency.max_cycles", "cycles",                                          \
      "slowest allocation or free, core cycles")                                                   \
    X(U64, lat_total, "alloc.latency.total_cycles", "cycles",                                      \
      "core cycles spent in all allocations and frees")                                            \
    X(F64, alloc_lat_mean, "alloc.latency.alloc_mean_cycles", "cycles",                            \
      "mean core cycles per allocation")                                                           \
    X(U64, alloc_lat_max, "alloc.latency.alloc_max_cycles", "cycles",                              \
      "slowest allocation, core cycles")                                                           \
    X(F64, free_lat_mean, "alloc.latency.free_mean_cycles", "cycles", "mean core cycles per free") \
    X(U64, free_lat_max, "alloc.latency.free_max_cycles", "cycles", "slowest free, core cycles")   \
    X(F64, host_mean, "alloc.host.mean_ns", "ns",                                                  \
      "mean host nanoseconds inside an allocation or free call, every call timed with the CPU's "  \
      "cycle counter (x86 TSC, AArch64 CNTVCT; CLOCK_MONOTONIC elsewhere) scaled to ns by its "    \
      "rate over the run; wall-clock: includes time slices lost to other processes")               \
    X(U64, host_p50, "alloc.host.p50_ns", "ns", "median host nanoseconds per allocation or free")  \
    X(U64, host_p99, "alloc.host.p99_ns", "ns",                                                    \
      "99th percentile of host ns per allocation or free")                                         \
    X(U64, host_max, "alloc.host.max_ns", "ns", "slowest allocation or free, host ns")             \
    X(U64, meta_reads, "alloc.meta.reads", "accesses", "metadata reads issued by the allocator")   \
    X(U64, meta_writes, "alloc.meta.writes", "accesses", "metadata writes issued by the allocator")

typedef struct bf_areplay_stats {
    BF_AREPLAY_STATS(BF_STAT_MEMBER)
} bf_areplay_stats;

extern const bf_stat_desc bf_areplay_stat_desc[];
extern const size_t bf_areplay_stat_count;

/* One time-series point (taken every sample_every operations, and at the end). */
typedef struct bf_areplay_sample {
    uint64_t op;             /* operations replayed so far */
    bf_cycles cycles;        /* simulated allocator time so far (sum of op latencies) */
    uint64_t live_requested; /* bytes */
    uint64_t live_allocated; /* bytes (usable) */
    uint64_t free_bytes;     /* total free */
    uint64_t largest_free;   /* bytes */
    uint64_t failures;       /* so far */
    unsigned norders;        /* entries used below (env max_order) */
    uint32_t nr_free[BF_ALLOC_ORDERS_MAX];  /* free blocks per order (buddyinfo columns) */
    int32_t unusable[BF_ALLOC_ORDERS_MAX];  /* unusable index x1000 per order (0..1000) */
    int32_t fragindex[BF_ALLOC_ORDERS_MAX]; /* fragmentation index x1000 (-1000, or 0..1000) */
} bf_areplay_sample;

typedef struct bf_areplay_opts {
    /* measurements */
    uint64_t sample_every; /* take a sample every N operations (0: only at the end) */
    void (*on_sample)(void *arg, const bf_areplay_sample *s); /* or NULL */
    void *arg;                                                /* on_sample's argument */
    int keep_samples; /* also store every sample in the result (host memory grows) */
    /* untimed access to the same bytes, used for the driver's measurements (xfer NULL: none,
    ** they use the timed port), and its direct entry (bf_amem.fast) or NULL */
    bf_port measure_port;
    bf_amem_fast_fn measure_fast;
    void *measure_fast_ctx;
    /* and the host bytes behind it (len 0: none): with a measure_port, a measurement's reads
    ** inside it are copies from there instead of the direct entry (what that entry does) */
    bf_amem_view measure_view;
    /* checks */
    int check_every_op; /* N > 0: call xCheck after every Nth operation (1: every one) and at
                           the end; stop at the first broken invariant */
    /* when to stop */
    uint64_t stop_after_failures; /* stop after this many failed allocations (0: never) */
    volatile sig_atomic_t *stop;  /* when *stop becomes non-zero (a signal handler), the replay
                                     ends after the current operation, without the final
                                     check; NULL: never */
    /* output */
    FILE *dump_events; /* "INDEX OP ID RESULT" per operation, or NULL */
} bf_areplay_opts;

typedef struct bf_areplay_result {
    bf_areplay_stats stats;
    bf_areplay_sample final;      /* state at the end */
    bf_areplay_sample at_failure; /* state at the first failure (valid if stats.failures) */
    bf_areplay_sample *samples;   /* keep_samples: every sample, in order (free with below) */
    size_t nsamples;
    char error[256]; /* BF_ESTATE: the broken invariant, with the op index;
                        BF_EINPUT: the bad record or the allocator's refusal */
} bf_areplay_result;

/* Record source: BF_OK with *rec filled, BF_EEOF at the end, or an error code. */
typedef int (*bf_areplay_next_fn)(void *ctx, bf_arec *rec);

/*
** Create the allocator on env, replay every record from next(), destroy it, and fill *res.
** Returns BF_OK; BF_ECONFIG if the env is refused (res->error says why); BF_ESTATE when
** check_every_op found a broken invariant (res->error = "op N (kfree 17): <message>", stats up
** to that point); BF_EINPUT if a record is malformed or the allocator rejected a free; BF_ENOMEM;
** or the source's error code.
*/
int bf_areplay_run(const bf_alloc_methods *am, const bf_alloc_env *env, bf_areplay_next_fn next,
                   void *ctx, const bf_areplay_opts *opts, bf_areplay_result *res);
/* The same with records from an allocation-trace reader (bf_atrace_next). */
int bf_areplay_reader(const bf_alloc_methods *am, const bf_alloc_env *env, bf_atrace_reader *r,
                      const bf_areplay_opts *opts, bf_areplay_result *res);
void bf_areplay_result_free(bf_areplay_result *res);

/* Linux indices from free blocks per order (mm/vmstat.c, integer arithmetic, x1000). */
int32_t bf_areplay_unusable_index(const uint32_t *nr_free, unsigned norders, unsigned order);
int32_t bf_areplay_frag_index(const uint32_t *nr_free, unsigned norders, unsigned order);

#endif
