/*
** bf_replay.h: the trace replay engine: core time, instruction grouping, stalls and the fault
** policy, over one bf_memsys.
*/
#ifndef BF_REPLAY_H
#define BF_REPLAY_H

#include <signal.h>

#include "bf_memsys.h"
#include "bf_trace.h"

#define BF_REPLAY_STATS(X)                                                                         \
    X(U64, cycles, "core.cycles", "cycles",                                                        \
      "simulated core clock cycles from the first record to the last")                             \
    X(U64, records, "core.records", "records", "trace records consumed")                           \
    X(U64, instructions, "core.instructions", "instructions",                                      \
      "instructions: ifetch records, or data records in a trace without ifetches")                 \
    X(U64, busy, "core.busy_cycles", "cycles",                                                     \
      "unstalled cycles: issue cycles, compute gaps and fixed instruction costs")                  \
    X(U64, stall_total, "core.stall.total", "cycles",                                              \
      "all stall cycles (core.cycles - core.busy_cycles)")                                         \
    X(U64, ifetches, "core.ifetches", "accesses", "instruction fetch references replayed")         \
    X(U64, loads, "core.loads", "accesses", "data loads replayed (a Lackey M counts here once)")   \
    X(U64, stores, "core.stores", "accesses", "data stores replayed")                              \
    X(U64, gap_cycles, "core.gap_cycles", "cycles", "compute-gap cycles from G records")           \
    X(U64, ops, "core.ops", "events",                                                              \
      "SSYNC/CSYNC/FLUSH/FLUSHINV/IFLUSH/PREFETCH operations (each P++ step counts)")              \
    X(U64, mmr_writes, "core.mmr_writes", "events", "control-register write records")              \
    X(U64, mode_changes, "core.mode_changes", "events", "user/supervisor mode records")            \
    X(U64, phases, "core.phases", "events", "phase markers")                                       \
    X(U64, faults_skipped, "core.faults_skipped", "events",                                        \
      "faulting accesses skipped under --on-fault=report|continue")

typedef struct bf_replay_stats {
    BF_REPLAY_STATS(BF_STAT_MEMBER)
} bf_replay_stats;

extern const bf_stat_desc bf_replay_stat_desc[];
extern const size_t bf_replay_stat_count;

enum { BF_ONFAULT_STOP = 0, BF_ONFAULT_REPORT = 1, BF_ONFAULT_CONTINUE = 2 };
enum { BF_COMPAT_NONE = 0, BF_COMPAT_CACHEGRIND = 1 };
/* --on-hazard: report (print and store each hazard), stop (end the run after the record that
** raised one, status fault), ignore (only count them in dma.hazards.*). */
enum { BF_ONHAZARD_REPORT = 0, BF_ONHAZARD_STOP = 1, BF_ONHAZARD_IGNORE = 2 };

/* How the run ended (BF_END_NOMEM: a host allocation failed, exit 2 like bad input;
** BF_END_HAZARD: --on-hazard=stop, stored with status fault, exit 3). */
enum {
    BF_END_OK = 0,
    BF_END_FAULT = 1,
    BF_END_INTERRUPTED = 2,
    BF_END_INPUT = 3,
    BF_END_ERROR = 4,
    BF_END_NOMEM = 5,
    BF_END_HAZARD = 6
};

typedef struct bf_fault_info {
    uint64_t record; /* 1-based record number */
    uint64_t line;   /* source line (text) or record index */
    int kind;        /* bf_acc_kind, or -1 for an op */
    int mode;        /* bf_mode */
    bf_addr addr;
    int fault; /* bf_fault */
    int excause;
    char text[512]; /* the oops-style report */
} bf_fault_info;

typedef struct bf_replay_opts {
    /* how the trace's records are counted */
    int compat;      /* BF_COMPAT_* */
    int host_ifetch; /* foreign (host) trace: instruction fetches are x86 ones, whose alignment
                        is not a Blackfin rule (no 0x2A check) */
    /* when to stop */
    int on_fault_policy;         /* BF_ONFAULT_* */
    int on_hazard_policy;        /* BF_ONHAZARD_* */
    volatile sig_atomic_t *stop; /* set by a signal handler: stop before the next batch of
                                    records (checked every 256 records at most) */
    /* what is reported as it happens (each callback may be NULL) */
    const char *trace_name; /* for fault reports */
    void (*on_fault)(void *ctx, const bf_fault_info *f);
    void (*on_hazard)(void *ctx, const bf_hazard_event *e); /* each hazard, unless ignored */
    void *ctx;                                              /* for on_fault and on_hazard */
    void (*on_phase)(void *phase_ctx, const char *name, uint64_t record);
    void *phase_ctx;
    /* every BF_REPLAY_PROGRESS_EVERY records: records so far and bytes of the file read */
    void (*on_progress)(void *progress_ctx, uint64_t records, uint64_t bytes_read);
    void *progress_ctx;
} bf_replay_opts;

#define BF_REPLAY_PROGRESS_EVERY 65536u /* a power of two */

/* The replay of one machine, fed by its caller, which decodes the records (bf_sim_run_many: one
** reader for one or several machines): begin, feed each batch bf_trace_next_batch decodes, end.
** begin: BF_OK or BF_ENOMEM (*out NULL). feed: the records in trace order (a batch
** must not hold a record after a PHASE record, whose name is only valid until the next read),
** bytes_read the reader's position after decoding them (for on_progress); returns BF_END_OK to go
** on, or how the run ended (err set for BF_END_INPUT and BF_END_ERROR; feed must not be called
** again). end: the run's end (BF_END_OK at the end of the trace, else what feed returned or
** BF_END_INPUT for a reader error), after DMA still running has run on; frees the state and
** returns the final BF_END_*. */
typedef struct bf_replay bf_replay;
int bf_replay_begin(bf_memsys *s, const bf_replay_opts *o, bf_replay_stats *st, bf_replay **out);
int bf_replay_feed(bf_replay *R, const bf_trace_rec *recs, size_t n, uint64_t bytes_read, char *err,
                   size_t errn);
int bf_replay_end(bf_replay *R, int end, char *err, size_t errn);

#endif
