/*
** bf_alloc_replay.c: the replay driver (see bf_alloc_replay.h): records to allocator calls, the
** live table, the run loop with its checks and sampling, the event dump. What it measures and
** how is in bf_alloc_replay_measure.c; both share the run state of bf_alloc_replay_int.h.
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
*/
#include "bf_alloc_replay_int.h"

#include <stdlib.h>
#include <string.h>

#define BF_STAT_STRUCT bf_areplay_stats
const bf_stat_desc bf_areplay_stat_desc[] = {BF_AREPLAY_STATS(BF_STAT_DESC)};
const size_t bf_areplay_stat_count = BF_ARRAY_SIZE(bf_areplay_stat_desc);
#undef BF_STAT_STRUCT

/* ---- event dump ---- */

static const char *op_name(int op)
{
    static const char *const n[] = {"kmalloc",     "kfree",      "cache_alloc", "cache_free",
                                    "pages_alloc", "pages_free", "vmalloc",     "vfree",
                                    "mmap",        "munmap",     "malloc",      "free",
                                    "phase",       "reclaimable"};
    return op >= 0 && op < (int)BF_ARRAY_SIZE(n) ? n[op] : "unknown";
}

static void dump(areplay_run *r, uint64_t idx, const bf_arec *rec, const char *result)
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

/* ---- records to allocator calls ---- */

static int do_alloc(areplay_run *r, uint64_t idx, const bf_arec *rec)
{
    const bf_alloc_methods *am = r->am;
    bf_areplay_stats *st = &r->res->stats;
    uint32_t gfp = rec->has_gfp || rec->gfp   ? rec->gfp
                   : rec->op == BF_AOP_MALLOC ? BF_GFP_USER
                                              : BF_GFP_KERNEL;
    live e;
    memset(&e, 0, sizeof(e));
    e.size = rec->size;
    if (bf_htab_find_rec(&r->lt, rec->id)) {
        snprintf(r->res->error, sizeof(r->res->error),
                 "op %llu (line %llu): id %llu is already live", (unsigned long long)idx,
                 (unsigned long long)rec->line, (unsigned long long)rec->id);
        return BF_EINPUT;
    }
    bf_addr out = 0;
    int rc;
    bf_cycles t0 = r->env->mem->now;
    uint64_t h0 = bf_areplay_host_ticks();
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
    bf_areplay_timed_done(r, &r->alloc_lat, t0, h0);
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
        ** allocator's counters when it keeps the largest free block too, else from its
        ** xLargestFree, else from a walk. */
        bf_areplay_sample s;
        uint64_t free_bytes, largest = BF_ALLOC_LARGEST_UNKNOWN;
        if (r->failed_once && r->am->xFreeBytes) {
            free_bytes = r->am->xFreeBytes(r->st, &largest);
            if (largest == BF_ALLOC_LARGEST_UNKNOWN && r->am->xLargestFree) {
                largest = bf_areplay_largest_free(r);
            } else if (largest == BF_ALLOC_LARGEST_UNKNOWN && r->am->xLargestFreeBound &&
                       st->samples) {
                /* the exact largest is at least the bound: if that is not below the minimum so
                ** far, the minimum stays, and it is all this measurement could change */
                uint64_t bound = r->am->xLargestFreeBound(r->st);
                if (bound >= st->largest_free_min)
                    largest = bound;
            }
        }
        if (largest == BF_ALLOC_LARGEST_UNKNOWN) {
            bf_areplay_take_sample(r, &s);
            free_bytes = s.free_bytes;
        } else {
            bf_areplay_raise_peak(r, free_bytes);
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
    areplay_save sv = bf_areplay_measure_begin(r);
    e.usable = am->xUsable ? am->xUsable(r->st, out) : 0;
    bf_areplay_measure_end(r, sv);
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

static int do_free(areplay_run *r, uint64_t idx, const bf_arec *rec)
{
    const bf_alloc_methods *am = r->am;
    bf_areplay_stats *st = &r->res->stats;
    live *e = bf_htab_find_rec(&r->lt, rec->id);
    if (!e) {
        st->frees_skipped++;
        dump(r, idx, rec, "SKIP");
        return BF_OK;
    }
    int rc;
    bf_cycles t0 = r->env->mem->now;
    uint64_t h0 = bf_areplay_host_ticks();
    if (e->kind == 1 && am->xFreePages)
        rc = am->xFreePages(r->st, e->addr, e->order);
    else if (e->kind == 2 && am->xCacheFree)
        rc = am->xCacheFree(r->st, rec->name ? rec->name : "", e->addr);
    else if (am->xFreeSize)
        rc = am->xFreeSize(r->st, e->addr, e->size);
    else
        rc = am->xFree(r->st, e->addr);
    bf_areplay_timed_done(r, &r->free_lat, t0, h0);
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
    bf_htab_del_at(&r->lt, e);
    return BF_OK;
}

/* ---- the run ---- */

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
    areplay_run r;
    memset(&r, 0, sizeof(r));
    r.am = am;
    r.env = env;
    r.res = res;
    r.opts = opts;
    r.reserved = bf_alloc_reserved_bytes(env);
    int rc = bf_htab_init_rec(&r.lt, 512, LIVE_WORDS);
    if (rc == BF_OK)
        rc = bf_areplay_hists_init(&r);
    if (rc == BF_OK) {
        rc = am->xCreate(env, &r.st);
        if (rc != BF_OK)
            snprintf(res->error, sizeof(res->error), "%s: create failed: %s", am->name,
                     env->mem->failed ? "a metadata access faulted in the memory system (is the "
                                        "managed memory mapped by its CPLBs?)"
                                      : bf_rc_name(rc));
    }
    uint64_t reads0 = env->mem->reads, writes0 = env->mem->writes;
    r.ns0 = bf_areplay_host_ns();
    r.tick0 = bf_areplay_host_ticks();
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
            areplay_save sv = bf_areplay_measure_begin(&r);
            const char *msg = am->xCheck(r.st);
            bf_areplay_measure_end(&r, sv);
            char cbuf[200];
            if (!msg)
                msg = bf_areplay_check_counters(&r, cbuf, sizeof(cbuf));
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
            rc = bf_areplay_periodic_sample(&r);
        else if (!is_free)
            bf_areplay_track_peak(&r); /* peaks at every operation, not only at the samples */
        if (opts->stop_after_failures && res->stats.failures >= opts->stop_after_failures)
            break;
    }
    if (r.st && rc == BF_OK && opts->check_every_op && !(opts->stop && *opts->stop)) {
        /* with a check period > 1, the state at the end is checked too */
        areplay_save sv = bf_areplay_measure_begin(&r);
        const char *msg = am->xCheck(r.st);
        bf_areplay_measure_end(&r, sv);
        char cbuf[200];
        if (!msg)
            msg = bf_areplay_check_counters(&r, cbuf, sizeof(cbuf));
        if (msg) {
            snprintf(res->error, sizeof(res->error), "at the end of the workload: %s", msg);
            rc = BF_ESTATE;
        }
    }
    if (r.st) {
        res->stats.meta_reads = env->mem->reads - reads0;
        res->stats.meta_writes = env->mem->writes - writes0;
        bf_areplay_finish(&r);
        am->xDestroy(r.st);
    }
    bf_areplay_hists_free(&r);
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
