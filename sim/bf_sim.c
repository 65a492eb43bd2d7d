/*
** bf_sim.c: one machine, or several, on one trace (see bf_sim.h). The only place that wires a
** trace reader, memory systems and the replay engine together, so `run`, `compare` and batch runs
** agree.
**
** Algorithm (bf_sim_run_many): set every machine up, open the reader once (with the workload hash
** as its byte tap), then read a batch of records at a time and feed it to each machine's replay
** that is still running, in the order given; a replay that ends (a fault under --on-fault=stop, a
** hazard under --on-hazard=stop, a model error) is finished at once and the others go on; after
** the last batch (or when none runs any more) the rest of the file is drained for the hash, and
** each machine is finished: its last phase, the buffers' drain, the derived statistics.
** Invariant: a machine sees exactly the records, the batch boundaries and the reader positions it
** would see alone, so its statistics, faults and hazards are the ones of a run of its own
** (tests/cli/cli_test.py compare_one_pass). bf_sim_run is bf_sim_run_many of one machine.
*/
#include "bf_sim.h"
#include "bf_hmem.h"

#include "bf_alloc_replay.h"
#include "bf_dma.h"
#include "bf_results.h"
#include "bf_sha256.h"

#include <stdlib.h>
#include <string.h>

#define BF_STAT_STRUCT bf_derived_stats
static const bf_stat_desc derived_desc[] = {BF_DERIVED_STATS(BF_STAT_DESC)};
#undef BF_STAT_STRUCT
static const size_t derived_count = BF_ARRAY_SIZE(derived_desc);

const bf_stat_table *bf_sim_stat_tables(size_t *n)
{
    static const bf_stat_table t[] = {
        {bf_replay_stat_desc, &bf_replay_stat_count},
        {derived_desc, &derived_count},
        {bf_memsys_stat_desc, &bf_memsys_stat_count},
        {bf_cplb_stat_desc, &bf_cplb_stat_count},
        {bf_l1_stat_desc, &bf_l1_stat_count},
        {bf_sdram_stat_desc, &bf_sdram_stat_count},
        {bf_dma_stat_desc, &bf_dma_stat_count},
        {bf_hazard_stat_desc, &bf_hazard_stat_count},
        {bf_areplay_stat_desc, &bf_areplay_stat_count},
    };
    *n = BF_ARRAY_SIZE(t);
    return t;
}

/* Close the current phase: add the change since its start to its deltas. */
static void phase_close(bf_sim *s)
{
    if (!s->nphases || s->phase_oom)
        return;
    bf_sim_phase *p = &s->phases[s->nphases - 1];
    size_t n = bf_stats_count(s->reg);
    for (size_t i = 0; i < n; i++) {
        double v = bf_stats_is_integer(s->reg, i) ? bf_stats_value(s->reg, i) : 0;
        p->delta[i] += v - s->phase_last[i];
        s->phase_last[i] = v;
    }
}

static void on_phase(void *ctx, const char *name, uint64_t record)
{
    bf_sim *s = ctx;
    size_t n = bf_stats_count(s->reg);
    if (s->phase_oom)
        return;
    if (!s->phase_last) {
        s->phase_last = bf_calloc(n ? n : 1, sizeof *s->phase_last);
        s->phases = bf_calloc(BF_SIM_MAX_PHASES, sizeof *s->phases);
        if (!s->phase_last || !s->phases) {
            s->phase_oom = 1;
            return;
        }
        for (size_t i = 0; i < n; i++)
            s->phase_last[i] = bf_stats_is_integer(s->reg, i) ? bf_stats_value(s->reg, i) : 0;
    }
    phase_close(s);
    if (s->nphases == BF_SIM_MAX_PHASES) {
        s->phases_folded++;
        return;
    }
    bf_sim_phase *p = &s->phases[s->nphases];
    if (!(p->delta = bf_calloc(n ? n : 1, sizeof *p->delta))) {
        s->phase_oom = 1;
        return;
    }
    snprintf(p->name, sizeof p->name, "%s", name);
    p->first_record = record;
    s->nphases++;
}

void bf_sim_free(bf_sim *s)
{
    for (size_t i = 0; i < s->nphases; i++)
        free(s->phases[i].delta);
    free(s->phases);
    free(s->phase_last);
    s->phases = NULL;
    s->phase_last = NULL;
    s->nphases = 0;
    bf_memsys_destroy(s->ms);
    bf_stats_free(s->reg);
    free(s->sets);
    s->sets = NULL;
    s->ms = NULL;
    s->reg = NULL;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

/* The derived statistics as typed formulas over the counters they derive from (rule 4 of
** docs/architecture.md: nothing looked up by name): miss rates, CPI, simulated time, SDRAM row hit
** rate; a ratio with a zero denominator is 0. l1 or sd NULL count as all zero. drain_cycles is
** set by sim_finish. */
static void derive(bf_derived_stats *d, const bf_replay_stats *rst, const bf_l1_stats *l1,
                   const bf_sdram_stats *sd, uint64_t cclk_hz)
{
    static const bf_l1_stats no_l1;
    static const bf_sdram_stats no_sdram;
    if (!l1)
        l1 = &no_l1;
    if (!sd)
        sd = &no_sdram;
    double dacc = (double)l1->dreads + (double)l1->dwrites;
    double dmiss = (double)l1->dread_misses + (double)l1->dwrite_misses;
    double rall = (double)sd->row_hits + (double)sd->row_misses + (double)sd->row_conflicts;
    d->row_hit_rate = ratio((double)sd->row_hits, rall);
    d->dmiss_rate = ratio(dmiss, dacc);
    d->imiss_rate = ratio((double)l1->imisses, (double)l1->ifetches);
    d->cpi = ratio((double)rst->cycles, (double)rst->instructions);
    d->time_us = (double)rst->cycles * 1e6 / (double)cclk_hz;
}

/* One machine before the trace: its statistics registry, memory system and per-set counters. */
static int sim_setup(const bf_machine *m, const bf_sim_opts *o, bf_sim *out, char *err, size_t errn)
{
    memset(out, 0, sizeof *out);
    out->reg = bf_stats_new();
    if (!out->reg) {
        snprintf(err, errn, "out of host memory");
        return BF_ENOMEM;
    }
    const char *dup = NULL;
    int rc = bf_stats_add(out->reg, bf_replay_stat_desc, bf_replay_stat_count, &out->rst, &dup);
    if (!rc)
        rc = bf_stats_add(out->reg, derived_desc, derived_count, &out->der, &dup);
    if (rc) {
        snprintf(err, errn, "statistics registry: %s", dup ? dup : "out of host memory");
        bf_sim_free(out);
        return rc;
    }
    /* Cachegrind's counting conventions are the replay's (bf_replay.c rule 4): the machine is the
    ** same either way */
    if ((rc = bf_memsys_create(m, out->reg, &out->ms, err, errn))) {
        bf_sim_free(out);
        return rc;
    }
    if (o->set_stats) {
        if (!(out->sets = bf_calloc(1, sizeof *out->sets))) {
            snprintf(err, errn, "out of memory");
            bf_sim_free(out);
            return BF_ENOMEM;
        }
        bf_l1_set_stats_attach(bf_memsys_l1(out->ms), out->sets);
    }
    snprintf(out->whash, sizeof out->whash, "not computed");
    return BF_OK;
}

/* One machine after the trace: the last phase, the buffers' drain, the derived statistics. */
static void sim_finish(const bf_machine *m, bf_sim *out)
{
    phase_close(out); /* the last phase runs to the end of the trace */
    if (out->phase_oom && (out->end == BF_END_OK || out->end == BF_END_FAULT)) {
        snprintf(out->err, sizeof out->err, "out of host memory (per-phase statistics)");
        out->end = BF_END_NOMEM;
    }
    bf_cycles idle = out->rst.cycles;
    if (bf_memsys_finish(out->ms, out->rst.cycles, &idle) == BF_OK && idle > out->rst.cycles)
        out->der.drain_cycles = idle - out->rst.cycles;
    derive(&out->der, &out->rst, bf_stats_block(out->reg, bf_l1_stat_desc),
           bf_stats_block(out->reg, bf_sdram_stat_desc), m->cclk_hz);
}

/* The runs whose trace hash is kept: those that ended at the end of the trace or at a fault. */
static int hashed_end(int end)
{
    return end == BF_END_OK || end == BF_END_FAULT;
}

int bf_sim_run_many(const bf_machine *ms, size_t n, const char *trace, bf_sim_opts *os,
                    bf_sim *outs, char *err, size_t errn)
{
    if (!n)
        return BF_OK;
    for (size_t i = 1; i < n; i++)
        if (bf_machine_sdram_bytes(&ms[i]) != bf_machine_sdram_bytes(&ms[0])) {
            snprintf(err, errn, "machines %s and %s have different SDRAM sizes: not one reader",
                     ms[0].name, ms[i].name);
            return BF_ECONFIG;
        }
    int rc = BF_OK;
    size_t nset = 0;
    for (; nset < n && !(rc = sim_setup(&ms[nset], &os[nset], &outs[nset], err, errn)); nset++)
        ;
    bf_replay **R = rc ? NULL : bf_calloc(n, sizeof *R);
    int *ended = R ? bf_calloc(n, sizeof *ended) : NULL;
    bf_trace_rec *batch = ended ? bf_malloc(BF_SIM_BATCH * sizeof *batch) : NULL;
    bf_trace_reader *r = NULL;
    if (!rc && !batch) {
        snprintf(err, errn, "out of host memory");
        rc = BF_ENOMEM;
    }
    /* the reader is the first machine's options (compare gives every machine the same) */
    const bf_sim_opts *o = &os[0];
    bf_trace_options topt = o->topt;
    /* foreign traces are mapped into this machine's SDRAM */
    topt.map_base = 0;
    topt.map_limit = bf_machine_sdram_bytes(&ms[0]);
    if (!rc && topt.map_window > topt.map_limit) {
        snprintf(err, errn,
                 "--map-window: %u bytes is more than the machine's SDRAM (%u bytes, ebiu.sdbctl)",
                 topt.map_window, topt.map_limit);
        rc = BF_ECONFIG;
    }
    if (o->ropt.compat == BF_COMPAT_CACHEGRIND && !o->misaligned_set)
        topt.misaligned = BF_MISALIGNED_COUNT_ONCE;
    bf_sha256 hash;
    bf_byte_tap tap = {bf_sha256_update, &hash};
    bf_sha256_init(&hash);
    if (o->hash)
        topt.tap = &tap;
    char terr[512];
    if (!rc && (rc = bf_trace_open(trace, &topt, &r, terr, sizeof terr)))
        snprintf(err, errn, "%s", terr);
    if (rc) {
        for (size_t i = 0; i < nset; i++)
            bf_sim_free(&outs[i]);
        free(batch);
        free(ended);
        free(R);
        return rc;
    }
    int format = bf_trace_detected_format(r);
    size_t live = 0;
    for (size_t i = 0; i < n; i++) {
        bf_sim *out = &outs[i];
        bf_replay_opts *ro = &out->ropt;
        out->format = format;
        *ro = os[i].ropt;
        ro->host_ifetch = format == BF_FMT_LACKEY || format == BF_FMT_DIN || format == BF_FMT_XDIN;
        if (!ro->trace_name)
            ro->trace_name = trace;
        ro->on_phase = on_phase;
        ro->phase_ctx = out;
        if (bf_replay_begin(out->ms, ro, &out->rst, &R[i]) != BF_OK) {
            snprintf(out->err, sizeof out->err, "out of host memory (replay state)");
            ended[i] = 1;
            out->end = BF_END_NOMEM;
        } else {
            live++;
        }
    }
    /* every batch goes to every machine still running, in the order of ms */
    while (live) {
        size_t nb = 0;
        int trc = bf_trace_next_batch(r, batch, BF_SIM_BATCH, &nb);
        if (trc == BF_EEOF)
            break;
        uint64_t pos = bf_trace_bytes_read(r);
        for (size_t i = 0; i < n; i++) {
            if (ended[i])
                continue;
            int end = BF_END_INPUT;
            if (trc == BF_OK)
                end = bf_replay_feed(R[i], batch, nb, pos, outs[i].err, sizeof outs[i].err);
            else
                snprintf(outs[i].err, sizeof outs[i].err, "%s", bf_trace_error(r));
            if (end != BF_END_OK) {
                outs[i].end = bf_replay_end(R[i], end, outs[i].err, sizeof outs[i].err);
                ended[i] = 1;
                live--;
            }
        }
    }
    int want_hash = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ended[i])
            outs[i].end = bf_replay_end(R[i], BF_END_OK, outs[i].err, sizeof outs[i].err);
        want_hash |= hashed_end(outs[i].end);
    }
    if (o->hash && want_hash) {
        /* the hash covers the whole file even when a run stopped at a fault */
        int drc = bf_trace_drain(r);
        char whash[65];
        if (drc == BF_OK)
            bf_sha256_final(&hash, whash);
        for (size_t i = 0; i < n; i++) {
            if (!hashed_end(outs[i].end))
                continue;
            if (drc == BF_OK) {
                memcpy(outs[i].whash, whash, sizeof whash);
            } else {
                snprintf(outs[i].err, sizeof outs[i].err, "%s", bf_trace_error(r));
                outs[i].end = BF_END_INPUT;
            }
        }
    }
    bf_trace_close(r);
    for (size_t i = 0; i < n; i++)
        sim_finish(&ms[i], &outs[i]);
    free(batch);
    free(ended);
    free(R);
    return BF_OK;
}

int bf_sim_run(const bf_machine *m, const char *trace, bf_sim_opts *o, bf_sim *out, char *err,
               size_t errn)
{
    int rc = bf_sim_run_many(m, 1, trace, o, out, err, errn);
    if (rc == BF_OK)
        snprintf(err, errn, "%s", out->err);
    return rc;
}
