/*
** bf_sim.h: one simulation of a machine on a trace, shared by `run`, `compare` and the batch
** commands: build the memory system, register every stat, replay, drain, derive.
*/
#ifndef BF_SIM_H
#define BF_SIM_H

#include "bf_replay.h"

#define BF_DERIVED_STATS(X)                                                                        \
    X(F64, dmiss_rate, "l1.dcache.miss_rate", "ratio",                                             \
      "D-cache misses per D-cache access (reads and writes)")                                      \
    X(F64, imiss_rate, "l1.icache.miss_rate", "ratio", "I-cache misses per I-cache fetch")         \
    X(F64, cpi, "core.cpi", "cycles/instruction", "core cycles per instruction")                   \
    X(F64, time_us, "core.time_us", "microseconds", "simulated time: core.cycles / CCLK")          \
    X(F64, row_hit_rate, "sdram.row_hit_rate", "ratio",                                            \
      "SDRAM row hits per SDRAM access (hits + misses + conflicts)")                               \
    X(U64, drain_cycles, "core.drain_cycles", "cycles",                                            \
      "cycles after the last record until the write and victim buffers and the EBIU were idle "    \
      "(not in core.cycles)")

typedef struct bf_derived_stats {
    BF_DERIVED_STATS(BF_STAT_MEMBER)
} bf_derived_stats;

typedef struct bf_sim_opts {
    bf_trace_options topt;
    char pin_names[BF_TRACE_MAX_PINS][64]; /* storage of topt.pins[].name */
    bf_replay_opts ropt;
    int misaligned_set; /* --misaligned given explicitly */
    int set_stats;      /* --set-stats: count fills and evictions per cache set and way */
    int hash;           /* compute bf_sim.whash while reading (one pass: FIFOs and stdin work) */
} bf_sim_opts;

/* Phase markers split the statistics: each phase keeps the deltas of the integer stats from its
** marker to the next one (or to the end of the trace). At most BF_SIM_MAX_PHASES are kept; later
** markers fold into the last phase (bf_sim.phases_folded counts them). */
#define BF_SIM_MAX_PHASES 256

typedef struct bf_sim_phase {
    char name[64];
    uint64_t first_record; /* record number of its marker */
    double *delta;         /* one per registered stat (F64 stats: 0) */
} bf_sim_phase;

typedef struct bf_sim {
    /* the machine and its statistics */
    bf_stats *reg; /* every block below and the models' own, by name */
    bf_memsys *ms;
    bf_replay_stats rst;
    bf_derived_stats der;
    bf_l1_set_stats *sets; /* --set-stats, else NULL */
    /* how the run ended */
    int end;             /* BF_END_* */
    char err[1024];      /* the message of an INPUT, ERROR or NOMEM end */
    bf_replay_opts ropt; /* the replay's options while it runs */
    int format;          /* detected trace format */
    char whash[65];      /* SHA-256 of the trace file (bf_sim_opts.hash, runs that ended) */
    /* phases */
    bf_sim_phase *phases; /* nphases entries */
    size_t nphases;
    uint64_t phases_folded;
    double *phase_last; /* snapshot at the current phase's start */
    int phase_oom;      /* host memory ran out: phases incomplete (reported) */
} bf_sim;

/* Every stat descriptor table linked into bfsim (for `bfsim stats list` and the docs check). */
const bf_stat_table *bf_sim_stat_tables(size_t *n);

/* Run machine m on the trace; on BF_END_INPUT/ERROR/NOMEM err holds the message. The caller
** frees with bf_sim_free. Returns a bf_rc for setup failures (err set), else BF_OK. */
int bf_sim_run(const bf_machine *m, const char *trace, bf_sim_opts *o, bf_sim *out, char *err,
               size_t errn);

/* Machines ms[0 .. n) on one pass over the trace (compare): the trace is read and hashed once,
** each batch of records replayed on every machine still running, in order; each run's statistics
** are the ones bf_sim_run gives for it alone (tests/cli: compare_one_pass). os[i] are machine i's
** options; the reader's are os[0]'s (trace options, compat, hash), and the machines must have
** the same SDRAM size (the first-touch map's limit; else BF_ECONFIG). outs[i].end and
** outs[i].err say how each run ended. Returns a bf_rc for setup failures (err set; nothing to
** free), else BF_OK, and the caller frees each outs[i] with bf_sim_free. */
#define BF_SIM_BATCH 256 /* records decoded per read */
int bf_sim_run_many(const bf_machine *ms, size_t n, const char *trace, bf_sim_opts *os,
                    bf_sim *outs, char *err, size_t errn);
void bf_sim_free(bf_sim *s);

#endif
