/*
** bf_sim.c: one machine on one trace (see bf_sim.h). The only place that wires a trace reader,
** a memory system and the replay engine together, so `run`, `compare` and batch runs agree.
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
** set by bf_sim_run. */
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

int bf_sim_run(const bf_machine *m, const char *trace, bf_sim_opts *o, bf_sim *out, char *err,
               size_t errn)
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
    bf_trace_options topt = o->topt;
    /* foreign traces are mapped into this machine's SDRAM */
    topt.map_base = 0;
    topt.map_limit = bf_machine_sdram_bytes(m);
    if (topt.map_window > topt.map_limit) {
        snprintf(err, errn,
                 "--map-window: %u bytes is more than the machine's SDRAM (%u bytes, ebiu.sdbctl)",
                 topt.map_window, topt.map_limit);
        bf_sim_free(out);
        return BF_ECONFIG;
    }
    if (o->ropt.compat == BF_COMPAT_CACHEGRIND && !o->misaligned_set)
        topt.misaligned = BF_MISALIGNED_COUNT_ONCE;
    bf_trace_reader *r = NULL;
    char terr[512];
    bf_sha256 hash;
    bf_byte_tap tap = {bf_sha256_update, &hash};
    bf_sha256_init(&hash);
    if (o->hash)
        topt.tap = &tap;
    snprintf(out->whash, sizeof out->whash, "not computed");
    if ((rc = bf_trace_open(trace, &topt, &r, terr, sizeof terr))) {
        snprintf(err, errn, "%s", terr);
        bf_sim_free(out);
        return rc;
    }
    out->format = bf_trace_detected_format(r);
    bf_replay_opts ro = o->ropt;
    ro.host_ifetch =
        out->format == BF_FMT_LACKEY || out->format == BF_FMT_DIN || out->format == BF_FMT_XDIN;
    if (!ro.trace_name)
        ro.trace_name = trace;
    ro.on_phase = on_phase;
    ro.phase_ctx = out;
    out->end = bf_replay_run(out->ms, r, &ro, &out->rst, err, errn);
    if (o->hash && (out->end == BF_END_OK || out->end == BF_END_FAULT)) {
        /* the hash covers the whole file even when the run stopped at a fault */
        if (bf_trace_drain(r) == BF_OK) {
            bf_sha256_final(&hash, out->whash);
        } else {
            snprintf(err, errn, "%s", bf_trace_error(r));
            out->end = BF_END_INPUT;
        }
    }
    bf_trace_close(r);
    phase_close(out); /* the last phase runs to the end of the trace */
    if (out->phase_oom && (out->end == BF_END_OK || out->end == BF_END_FAULT)) {
        snprintf(err, errn, "out of host memory (per-phase statistics)");
        out->end = BF_END_NOMEM;
    }
    bf_cycles idle = out->rst.cycles;
    if (bf_memsys_finish(out->ms, out->rst.cycles, &idle) == BF_OK && idle > out->rst.cycles)
        out->der.drain_cycles = idle - out->rst.cycles;
    derive(&out->der, &out->rst, bf_stats_block(out->reg, bf_l1_stat_desc),
           bf_stats_block(out->reg, bf_sdram_stat_desc), m->cclk_hz);
    return BF_OK;
}
