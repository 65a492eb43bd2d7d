#define _POSIX_C_SOURCE 200809L /* open_memstream */
/*
** test_run.c: the replay driver on a hand-worked record sequence (buddy, 64 pages at 0x100000,
** MAX_ORDER 11, min_free_kbytes 4 so the watermarks are 1 page): --dump-events lines, failure
** counts, failures with enough free memory, internal fragmentation, J&W #3/#4, the unusable
** and fragmentation indices at the first failure, latency bookkeeping; and --check stopping at
** the first broken invariant.
**
** Initial free lists (see test_buddy.c): 1 (o0), 2-3 (o1), 4-7 (o2), 8-15 (o3), 16-31 (o4),
** 32-63 (o5); page 0 holds the metadata.
*/
#include "alloc_test.h"
#include "bf_alloc_replay.h"

#include <math.h>

static bf_arec recs[64];
static size_t nrecs, pos;

static void add(int op, uint64_t id, uint64_t size, unsigned order, const char *name)
{
    bf_arec r;
    memset(&r, 0, sizeof(r));
    r.op = (uint8_t)op;
    r.id = id;
    r.size = size;
    r.order = (uint8_t)order;
    r.name = name;
    r.line = nrecs + 2;
    recs[nrecs++] = r;
}

static int next(void *ctx, bf_arec *rec)
{
    (void)ctx;
    if (pos >= nrecs)
        return BF_EEOF;
    *rec = recs[pos++];
    return BF_OK;
}

static const char *bad_check(void *st)
{
    static int calls;
    (void)st;
    return ++calls == 3 ? "test: invariant broken on purpose" : NULL;
}

int main(void)
{
    at_env t;
    at_env_flat(&t, 0x100000, 64 * 4096, 11, 4);
    add(BF_AOP_KMALLOC, 1, 5000, 0, NULL);   /* 0: order 1 -> 2-3 */
    add(BF_AOP_PAGES_ALLOC, 2, 0, 0, NULL);  /* 1: order 0 -> 1 */
    add(BF_AOP_MMAP, 3, 100000, 0, NULL);    /* 2: no xMmap: xAlloc, order 5 -> 32-63 */
    add(BF_AOP_KMALLOC, 4, 200000, 0, NULL); /* 3: order 6; 28 pages free -> FAIL */
    add(BF_AOP_KMALLOC, 5, 65536, 0, NULL);  /* 4: order 4 -> 16-31 */
    add(BF_AOP_KMALLOC, 6, 32768, 0, NULL);  /* 5: order 3 -> 8-15; only 4-7 free now */
    add(BF_AOP_KFREE, 1, 0, 0, NULL);        /* 6: 2-3 back (its buddy 0-1 is in use) */
    add(BF_AOP_KMALLOC, 8, 20000, 0, NULL);  /* 7: order 3; 24576 bytes free -> FAIL */
    add(BF_AOP_KFREE, 4, 0, 0, NULL);        /* 8: its allocation failed -> SKIP */
    add(BF_AOP_PHASE, 0, 0, 0, "boot-end");  /* 9: buddy has no xPhase */
    char *dump = NULL;
    size_t dumplen = 0;
    FILE *f = open_memstream(&dump, &dumplen);
    bf_areplay_opts o;
    memset(&o, 0, sizeof(o));
    o.check_every_op = 1;
    o.sample_every = 1;
    o.dump_events = f;
    o.keep_samples = 1;
    bf_areplay_result res;
    int rc = bf_areplay_run(bf_alloc_find("buddy"), &t.env, next, NULL, &o, &res);
    fclose(f);
    BF_CHECK_EQ(rc, BF_OK);
    if (rc != BF_OK)
        fprintf(stderr, "%s\n", res.error);
    BF_CHECK_STR(dump, "0 kmalloc 1 0x00102000\n"
                       "1 pages_alloc 2 0x00101000\n"
                       "2 mmap 3 0x00120000\n"
                       "3 kmalloc 4 FAIL\n"
                       "4 kmalloc 5 0x00110000\n"
                       "5 kmalloc 6 0x00108000\n"
                       "6 kfree 1 0x00102000\n"
                       "7 kmalloc 8 FAIL\n"
                       "8 kfree 4 SKIP\n"
                       "9 phase boot-end -\n");
    free(dump);
    const bf_areplay_stats *s = &res.stats;
    BF_CHECK_EQ(s->ops, 10);
    BF_CHECK_EQ(s->allocs, 7);
    BF_CHECK_EQ(s->frees, 1);
    BF_CHECK_EQ(s->frees_skipped, 1);
    BF_CHECK_EQ(s->failures, 2);
    /* 20000 <= 24576 free, and 24576 >= 20000 + the 1-page (4096 B) min watermark: fragmentation;
    ** 200000 > 114688: not enough free memory at all */
    BF_CHECK_EQ(s->failures_with_free_memory, 1);
    BF_CHECK_EQ(s->failures_in_reserve, 0);
    BF_CHECK_EQ(s->first_failure_op, 3);
    BF_CHECK_EQ(s->allocs_before_failure, 3);
    BF_CHECK_EQ(s->mmaps_before_failure, 1);
    BF_CHECK_EQ(s->first_failure_bytes, 200000);
    BF_CHECK_EQ(s->first_failure_free_bytes, 28 * 4096); /* 4-7, 8-15, 16-31 */
    BF_CHECK_EQ(s->first_failure_largest_free, 16 * 4096);
    /* order 6: blocks 1 x o2, 1 x o3, 1 x o4, 28 pages, none >= order 6:
    ** U = 1000 -> 1.0; F = 1000 - (1000 + 28000/64) / 3 = 1000 - 1437/3 = 1000 - 479 = 521 */
    BF_CHECK(fabs(s->first_failure_unusable - 1.0) < 1e-9);
    BF_CHECK(fabs(s->first_failure_fragindex - 0.521) < 1e-9);
    BF_CHECK_EQ(res.at_failure.nr_free[2], 1);
    BF_CHECK_EQ(res.at_failure.nr_free[4], 1);
    /* live at the end: id2 4096/4096, id3 100000/131072, id5 65536/65536, id6 32768/32768 */
    BF_CHECK_EQ(s->live_requested, 202400);
    BF_CHECK_EQ(s->live_allocated, 233472);
    BF_CHECK_EQ(s->internal_bytes, 31072);
    BF_CHECK(fabs(s->internal_pct - 100.0 * 31072 / 233472) < 1e-9);
    /* peak footprint after op 5: 60 of 64 pages in use (4-7 free) = 245760 bytes, with 207400
    ** requested bytes live, which is also the peak live: J&W #3 = #4 = 245760/207400 - 1 */
    BF_CHECK_EQ(s->footprint_peak, 245760);
    BF_CHECK_EQ(s->peak_live_requested, 207400);
    BF_CHECK(fabs(s->jw3_pct - 100.0 * (245760.0 / 207400.0 - 1.0)) < 1e-9);
    BF_CHECK(fabs(s->jw4_pct - s->jw3_pct) < 1e-9);
    /* end: free 2-3 (o1) and 4-7 (o2) */
    BF_CHECK_EQ(s->free_bytes, 6 * 4096);
    BF_CHECK_EQ(s->largest_free, 4 * 4096);
    BF_CHECK_EQ(res.final.nr_free[1], 1);
    BF_CHECK_EQ(res.final.nr_free[2], 1);
    BF_CHECK_EQ(res.nsamples, 10);
    BF_CHECK_EQ(s->samples, 10 + 2 + 1); /* per op, at both failures, final */
    /* latency: every alloc and free touches metadata at 1 cycle per access */
    BF_CHECK(s->lat_p50 > 0 && s->lat_p50 <= s->lat_p99 && s->lat_p99 <= s->lat_max);
    BF_CHECK_EQ(s->lat_total, res.final.cycles);
    BF_CHECK(s->meta_reads > 0 && s->meta_writes > 0);
    uint64_t lat_total = s->lat_total, reads = s->meta_reads;
    bf_cycles now_timed = t.m.now; /* create + operations + the measurements' accesses */
    bf_areplay_result_free(&res);

    /* with an untimed measure port (the same flat memory) the operations cost exactly the same,
    ** and the clock no longer includes the measurements (13 walks of 64 descriptors, checks) */
    pos = 0;
    t.m.now = 0;
    o.dump_events = NULL;
    o.measure_port = bf_flatmem_port(t.f);
    rc = bf_areplay_run(bf_alloc_find("buddy"), &t.env, next, NULL, &o, &res);
    BF_CHECK_EQ(rc, BF_OK);
    BF_CHECK_EQ(res.stats.lat_total, lat_total);
    BF_CHECK_EQ(res.stats.meta_reads, reads);
    BF_CHECK_EQ(res.stats.failures, 2);
    BF_CHECK(t.m.now < now_timed);
    BF_CHECK(t.m.now > lat_total);
    bf_areplay_result_free(&res);

    /* --check stops at the first broken invariant with the op index in the message */
    bf_alloc_methods broken = *bf_alloc_find("buddy");
    broken.xCheck = bad_check;
    pos = 0;
    memset(&o, 0, sizeof(o));
    o.check_every_op = 1;
    rc = bf_areplay_run(&broken, &t.env, next, NULL, &o, &res);
    BF_CHECK_EQ(rc, BF_ESTATE);
    BF_CHECK_STR(res.error, "op 2 (mmap 3, line 4): test: invariant broken on purpose");
    BF_CHECK_EQ(res.stats.ops, 3);
    bf_areplay_result_free(&res);

    /* every registered allocator replays the sequence with --check */
    size_t na;
    const bf_alloc_methods *const *all = bf_alloc_all(&na);
    BF_CHECK(na >= 5);
    for (size_t i = 0; i < na; i++) {
        pos = 0;
        rc = bf_areplay_run(all[i], &t.env, next, NULL, &o, &res);
        BF_CHECK_EQ(rc, BF_OK);
        if (rc != BF_OK)
            fprintf(stderr, "%s: %s\n", all[i]->name, res.error);
        bf_areplay_result_free(&res);
    }
    at_close(&t);

    /* Issue 12 item 13: a record that gives GFP 0 (GFP_NOWAIT) is not a record without GFP.
    ** Buddy, 64 pages, min_free_kbytes 64 (pages_min 16, see test_buddy.c test_gfp), 63 free;
    ** 63 order-0 pages_alloc records. Without GFP (GFP_KERNEL): the slow path at min needs
    ** free > 16: 63 - 16 = 47 successes, 16 failures. With an explicit 0: no __GFP_WAIT, so
    ** ALLOC_HARDER: min = 16 - 16/4 = 12, free > 12: 63 - 12 = 51 successes, 12 failures (before
    ** issue 12 the explicit 0 was replayed as GFP_KERNEL: 47). */
    static const uint64_t want_fail[2] = {16, 12};
    for (int given = 0; given < 2; given++) {
        at_env_flat(&t, 0x100000, 64 * 4096, 11, 64);
        nrecs = pos = 0;
        for (uint64_t k = 1; k <= 63; k++) {
            add(BF_AOP_PAGES_ALLOC, k, 0, 0, NULL);
            recs[nrecs - 1].has_gfp = (uint8_t)given; /* gfp stays 0 */
        }
        memset(&o, 0, sizeof(o));
        rc = bf_areplay_run(bf_alloc_find("buddy"), &t.env, next, NULL, &o, &res);
        BF_CHECK_EQ(rc, BF_OK);
        BF_CHECK_EQ(res.stats.allocs, 63);
        BF_CHECK_EQ(res.stats.failures, want_fail[given]);
        /* Issue 12 item 16: every one of these failures leaves free memory for the page (16 or
        ** 12 pages free) but inside the min watermark for its GFP (GFP_KERNEL 16 pages = 65536
        ** B; GFP_NOWAIT 16 - 16/4 = 12 pages = 49152 B): free < 4096 + reserve, so they count as
        ** failures in the reserve, not as failures with (usable) free memory. */
        BF_CHECK_EQ(res.stats.failures_in_reserve, want_fail[given]);
        BF_CHECK_EQ(res.stats.failures_with_free_memory, 0);
        bf_areplay_result_free(&res);
        at_close(&t);
    }

    /* Issue 12 item 14: peaks are tracked at every operation, not at the samples. Buddy, 64 pages
    ** (page 0 = metadata, 63 free), min_free_kbytes 4; no periodic samples (sample_every 0):
    **   op 0: pages_alloc order 4 -> free 47, footprint 64 - 47 = 17 pages = 69632 B, live
    **         requested 16 pages = 65536 B (the peaks of both);
    **   op 1: pages_free -> free 63; op 2: pages_alloc order 0 -> footprint 2 pages = 8192 B.
    ** footprint_peak = 69632, J&W #3 = #4 = 69632 / 65536 - 1 = 6.25 %. Sampled only at the end
    ** (the old behaviour) the peak would have been 8192 and #4 = 8192 / 65536 - 1 = -87.5 %. */
    at_env_flat(&t, 0x100000, 64 * 4096, 11, 4);
    nrecs = pos = 0;
    add(BF_AOP_PAGES_ALLOC, 1, 0, 4, NULL);
    add(BF_AOP_PAGES_FREE, 1, 0, 4, NULL);
    add(BF_AOP_PAGES_ALLOC, 2, 0, 0, NULL);
    memset(&o, 0, sizeof(o));
    rc = bf_areplay_run(bf_alloc_find("buddy"), &t.env, next, NULL, &o, &res);
    BF_CHECK_EQ(rc, BF_OK);
    BF_CHECK_EQ(res.stats.footprint_peak, 69632);
    BF_CHECK_EQ(res.stats.peak_live_requested, 65536);
    BF_CHECK(fabs(res.stats.jw3_pct - 6.25) < 1e-9);
    BF_CHECK(fabs(res.stats.jw4_pct - 6.25) < 1e-9);
    bf_areplay_result_free(&res);
    /* the same with a sample every operation gives the same peaks */
    pos = 0;
    o.sample_every = 1;
    rc = bf_areplay_run(bf_alloc_find("buddy"), &t.env, next, NULL, &o, &res);
    BF_CHECK_EQ(res.stats.footprint_peak, 69632);
    BF_CHECK(fabs(res.stats.jw4_pct - 6.25) < 1e-9);
    bf_areplay_result_free(&res);
    at_close(&t);
    return bf_test_exit();
}
