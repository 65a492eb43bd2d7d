/*
** bf_replay.c: trace replay.
**
** Core time model (rules):
**  1. An instruction is an ifetch record; the data records that follow it belong to it and are
**     issued in the instruction's own cycle (one cycle earlier than the current core time), so a
**     data access that hits adds nothing. In a trace without ifetch records every data record is
**     one instruction of its own, issued at the current time.
**  2. Each access returns the time the core may continue (bf_resp.ready); core time advances to
**     it. The issue cycle is busy time; everything beyond it is stall time, counted by the model
**     that caused it (l1.stall.*, core.stall.cplb, core.stall.mmr), so that
**     core.cycles = core.busy_cycles + core.stall.total and the breakdown sums to the total.
**  3. G records are busy cycles. SSYNC/CSYNC/cache ops cost their configured issue cycles (busy)
**     plus whatever the model stalls. A [P++] op with count n is n ops at addresses +32 apart.
**  4. --compat=cachegrind, Cachegrind's counting conventions, which are the replay's: a Lackey M
**     is one read (Cachegrind counts modify as a read; otherwise M is a load then a store, as
**     DineroIV and csim), and every core access asks L1 to count it as one reference over the
**     lines it touches (BF_REQ_WHOLEREF), a `cont` record continuing the previous one
**     (BF_REQ_CONT, rule 6).
**  5. A fault stops the run (--on-fault=stop), or is reported and the access skipped (report), or
**     is only counted and skipped (continue). The access never reaches L1, but the exception's
**     time (a CPLB miss handler that found no bound) is still spent.
**  6. A record marked `cont` by the reader is the rest of a foreign reference that a first-touch
**     window boundary cut in two: it belongs to the same instruction and the same reference (not
**     counted again in core.*; with --compat=cachegrind not a new L1 access either).
**  7. A DMA record is a transfer queued on its channel (sim/bf_dma.c), starting at its start time
**     or now, after the channel's earlier transfers, beside the core: the core does not wait for
**     it; its chunk requests and the core's EBIU requests are interleaved in time and arbitrated
**     per request by AMGCTL.CDPRIO. Before each record whose time has reached the next DMA
**     request the engine is advanced (one compare per record otherwise). DMA bypasses CPLBs and
**     caches. A channel beyond dma.channels, or source and destination ranges that overlap, is an
**     input error; a range that starts or ends in the scratchpad, a cache-configured L1 half or
**     reserved space is a fault of the record.
**  8. Coherency hazards (models/l1/bf_hazard.h) are counted always, reported through on_hazard
**     unless --on-hazard=ignore, and with --on-hazard=stop end the run after the record that
**     raised one (or at the end, for one raised by DMA running on after the last record).
**  9. Fast path (sim.fast_path = 1): an access the CPLB stage's last-hit entry serves and that
**     hits a clean (not stale) L1 line is served by bf_memsys_access_fast without building a
**     bf_req/bf_resp; anything else continues on the full chain. The statistics and times are
**     identical either way (the fastpath.* tests compare every statistic of every suite trace).
*/
#include "bf_replay.h"
#include "bf_hmem.h"
#include "bf_strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BF_STAT_STRUCT bf_replay_stats
const bf_stat_desc bf_replay_stat_desc[] = {BF_REPLAY_STATS(BF_STAT_DESC)};
#undef BF_STAT_STRUCT
const size_t bf_replay_stat_count = BF_ARRAY_SIZE(bf_replay_stat_desc);

#if defined(__GNUC__)
#define REPLAY_NOINLINE __attribute__((noinline))
#else
#define REPLAY_NOINLINE
#endif

typedef struct bf_replay {
    bf_memsys *s;
    const bf_replay_opts *o;
    bf_replay_stats *st;
    bf_cycles t;          /* core time */
    int mode;             /* bf_mode */
    int in_instr;         /* an ifetch opened the current instruction */
    uint64_t recno;       /* records consumed */
    uint64_t line;        /* trace line of the current record (for the hazard detector) */
    uint32_t hit;         /* l1.hit_cycles */
    int fast;             /* sim.fast_path */
    int host_ifetch;      /* o->host_ifetch */
    uint32_t whole;       /* BF_REQ_WHOLEREF under --compat=cachegrind (rule 4), else 0 */
    bf_cycles dma_next;   /* time of the next DMA request, (bf_cycles)-1 if none is pending */
    uint64_t dma_xfers;   /* DMA transfers submitted */
    int stop_hazard;      /* --on-hazard=stop and a hazard was raised */
    int stop_fault;       /* --on-fault=stop and a DMA transfer faulted part-way */
    uint64_t op_issue[6]; /* busy cost of each op kind (bf_op order), from the L1 configuration */
    uint64_t bytes_read;  /* of the trace file, for on_progress (bf_replay_feed) */
} replay;

#define DMA_IDLE ((bf_cycles)-1)

static const char *trace_name(const replay *R)
{
    return R->o->trace_name ? R->o->trace_name : "trace";
}

/* The report of a DMA fault: at the record (a refused range) or part-way through a transfer. */
static void dma_fault_report(replay *R, const bf_hazard_xfer *x, int fault, bf_addr addr, int write)
{
    bf_fault_info fi;
    memset(&fi, 0, sizeof fi);
    fi.record = x->pos.record;
    fi.line = x->pos.line;
    fi.kind = write ? BF_ACC_WRITE : BF_ACC_READ;
    fi.mode = R->mode;
    fi.addr = addr;
    fi.fault = fault;
    snprintf(fi.text, sizeof fi.text,
             "%s (DMA channel %u, hardware error) at 0x%08X\n DMA %s of %llu bytes 0x%08X -> "
             "0x%08X, record %llu\n trace: %s:%llu",
             bf_fault_name(fault), x->chan, addr, write ? "write" : "read",
             (unsigned long long)x->bytes, x->src, x->dst, (unsigned long long)x->pos.record,
             trace_name(R), (unsigned long long)x->pos.line);
    if (R->o->on_fault)
        R->o->on_fault(R->o->ctx, &fi);
}

static void on_dma_fault(void *ctx, const bf_hazard_xfer *x, int fault, bf_addr addr)
{
    replay *R = ctx;
    dma_fault_report(R, x, fault, addr, addr - x->dst < x->bytes && addr >= x->dst);
    if (R->o->on_fault_policy == BF_ONFAULT_STOP)
        R->stop_fault = 1;
}

static void on_hazard(void *ctx, const bf_hazard_event *e)
{
    replay *R = ctx;
    if (R->o->on_hazard_policy == BF_ONHAZARD_IGNORE)
        return;
    if (R->o->on_hazard)
        R->o->on_hazard(R->o->ctx, e);
    if (R->o->on_hazard_policy == BF_ONHAZARD_STOP)
        R->stop_hazard = 1;
}

/* Rule 7: advance the DMA engine to the core time (called only when R->dma_next <= R->t). */
static int dma_advance(replay *R)
{
    return bf_memsys_dma_advance(R->s, R->t, &R->dma_next) == BF_OK ? 0 : -1;
}

/* Rule 7: a DMA record. 0 queued, 1 refused with a fault, -1 model error, -2 input error (err). */
static int dma_record(replay *R, const bf_trace_rec *rec, char *err, size_t errn)
{
    const bf_machine *m = bf_memsys_machine(R->s);
    uint64_t n = rec->value;
    if (rec->chan >= m->dma_channels) {
        snprintf(err, errn, "%s:%llu: DMA channel %u: the machine has %u channels (dma.channels)",
                 trace_name(R), (unsigned long long)rec->line, rec->chan, m->dma_channels);
        return -2;
    }
    if ((uint64_t)rec->addr < (uint64_t)rec->addr2 + n &&
        (uint64_t)rec->addr2 < (uint64_t)rec->addr + n) {
        snprintf(err, errn,
                 "%s:%llu: DMA source 0x%08X..0x%08llX and destination 0x%08X..0x%08llX overlap",
                 trace_name(R), (unsigned long long)rec->line, rec->addr,
                 (unsigned long long)(rec->addr + n - 1), rec->addr2,
                 (unsigned long long)(rec->addr2 + n - 1));
        return -2;
    }
    bf_hazard_xfer x;
    memset(&x, 0, sizeof x);
    x.id = ++R->dma_xfers;
    x.chan = rec->chan;
    x.src = rec->addr;
    x.dst = rec->addr2;
    x.bytes = n;
    x.pos.record = R->recno;
    x.pos.line = rec->line;
    bf_cycles start = rec->has_start && rec->start > R->t ? rec->start : R->t;
    bf_dma_reject rej;
    if (bf_memsys_dma_submit(R->s, &x, start, &R->dma_next, &rej) != BF_OK)
        return -1;
    if (rej.fault) {
        dma_fault_report(R, &x, rej.fault, rej.addr, rej.write);
        return 1;
    }
    return 0;
}

static void report_fault(replay *R, const bf_trace_rec *rec, const bf_req *rq, const bf_resp *rs,
                         const bf_cplb_result *res, int kind)
{
    bf_fault_info f;
    memset(&f, 0, sizeof f);
    f.record = R->recno;
    f.line = rec->line;
    f.kind = kind;
    f.mode = R->mode;
    f.addr = rs->fault_addr ? rs->fault_addr : rq->addr;
    f.fault = rs->fault;
    f.excause = rs->excause;
    if (res && res->fault) {
        /* the CPLB stage's own oops-style report, plus where in the trace it happened */
        size_t n = bf_cplb_format_fault(rq, res, f.text, sizeof f.text) - 1; /* without the NUL */
        bf_strbuf t = bf_strbuf_after(f.text, sizeof f.text, n);
        bf_strbuf_printf(&t, " trace: %s:%llu", R->o->trace_name ? R->o->trace_name : "trace",
                         (unsigned long long)rec->line);
        if (R->o->on_fault)
            R->o->on_fault(R->o->ctx, &f);
        return;
    }
    /* a fault raised by L1 or the EBIU (the access passed the CPLB stage): an exception with its
    ** EXCAUSE, or a hardware error, which has none; the CPLB registers are not written */
    char cause[64];
    if (f.excause)
        snprintf(cause, sizeof cause, "exception, EXCAUSE 0x%02X", f.excause);
    else
        snprintf(cause, sizeof cause, "hardware error");
    snprintf(f.text, sizeof f.text,
             "%s (%s) at 0x%08X\n"
             " %s of %u bytes, %s mode, record %llu\n"
             " trace: %s:%llu",
             bf_fault_name(f.fault), cause, f.addr,
             kind < 0 ? "cache operation" : bf_acc_kind_name(kind), rq->size,
             R->mode == BF_MODE_USER ? "user" : "supervisor", (unsigned long long)f.record,
             R->o->trace_name ? R->o->trace_name : "trace", (unsigned long long)rec->line);
    if (R->o->on_fault)
        R->o->on_fault(R->o->ctx, &f);
}

/* The full path of one access: the request through the whole chain (bf_memsys_access), its
** fault reported. With fast_rs: the access was served by the fast path and L1 raised a fault
** (fast_rs), which is only reported. Out of line: the fast path in access1 stays small. */
static REPLAY_NOINLINE int access_full(replay *R, const bf_trace_rec *rec, int kind, bf_addr addr,
                                       uint32_t size, uint32_t flags, bf_cycles now, int attached,
                                       const bf_resp *fast_rs)
{
    bf_req rq;
    bf_resp rs;
    memset(&rq, 0, sizeof rq);
    rq.addr = addr;
    rq.size = size;
    rq.kind = (uint8_t)kind;
    rq.mode = (uint8_t)R->mode;
    rq.source = BF_SRC_CORE;
    rq.record = R->recno;
    rq.flags = flags;
    if (rec->cont)
        rq.flags |= BF_REQ_CONT;
    rq.now = now;
    if (fast_rs) { /* a fault raised by L1 after the fast CPLB check */
        report_fault(R, rec, &rq, fast_rs, NULL, kind);
        return 1;
    }
    bf_cplb_result res;
    if (bf_memsys_access(R->s, &rq, &rs, &res) != BF_OK)
        return -1;
    if (rs.ready > R->t)
        R->t = rs.ready; /* a faulting access still took the exception's time */
    if (!attached)
        R->st->busy += R->hit;
    if (rs.fault) {
        report_fault(R, rec, &rq, &rs, &res, kind);
        return 1;
    }
    return 0;
}

/* One access; returns 1 if it faulted. */
static inline int access1(replay *R, const bf_trace_rec *rec, int kind, bf_addr addr, uint32_t size,
                          int attached)
{
    uint32_t flags =
        R->whole | (rec->misaligned == BF_MISAL_ONCE || (kind == BF_ACC_IFETCH && R->host_ifetch)
                        ? BF_REQ_NOALIGNCHK
                        : 0u);
    bf_cycles now = attached ? R->t - R->hit : R->t;
    size = size ? size : 1;
    /* rule 9: the fast path, unless the record is the rest of a cut reference */
    if (R->fast && !rec->cont) {
        bf_resp rs;
        int fast =
            bf_memsys_access_fast(R->s, kind, addr, size, R->mode, flags, now, R->recno, &rs);
        if (fast < 0)
            return -1;
        if (fast) {
            if (rs.ready > R->t)
                R->t = rs.ready;
            if (!attached)
                R->st->busy += R->hit;
            return rs.fault ? access_full(R, rec, kind, addr, size, flags, now, attached, &rs) : 0;
        }
    }
    return access_full(R, rec, kind, addr, size, flags, now, attached, NULL);
}

static int op1(replay *R, const bf_trace_rec *rec, int op, bf_addr addr)
{
    bf_req rq;
    bf_resp rs;
    memset(&rq, 0, sizeof rq);
    rq.addr = addr;
    rq.size = 1;
    rq.kind = op == BF_OP_IFLUSH ? BF_ACC_IFETCH : BF_ACC_READ;
    rq.mode = (uint8_t)R->mode;
    rq.source = BF_SRC_CORE;
    rq.record = R->recno;
    rq.now = R->t;
    bf_cplb_result res;
    if (bf_memsys_op(R->s, op, &rq, &rs, &res) != BF_OK)
        return -1;
    if (rs.ready > R->t)
        R->t = rs.ready;
    if (rs.fault) {
        report_fault(R, rec, &rq, &rs, &res, -1);
        return 1;
    }
    return 0;
}

/* An access record (IFETCH, LOAD, STORE, MODIFY): its instruction counts and its accesses (rules
** 1, 4 and 6); returns what access1 returns. */
static inline int access_record(replay *R, const bf_trace_rec *rec)
{
    bf_replay_stats *st = R->st;
    int f = 0;
    if (rec->type == BF_REC_IFETCH) {
        /* a `cont` record is the rest of the previous reference, cut by the trace mapper: the
        ** same instruction, the same reference (rule 6) */
        if (!rec->cont) {
            st->instructions++;
            st->ifetches++;
        }
        f = access1(R, rec, BF_ACC_IFETCH, rec->addr, rec->size, rec->cont && R->in_instr);
        if (!rec->cont)
            R->in_instr = f == 0; /* data after a skipped fetch are instructions of their own */
        return f;
    }
    int attached = R->in_instr || rec->cont;
    if (!attached)
        st->instructions++;
    if (rec->type != BF_REC_STORE) {
        st->loads += !rec->cont;
        f = access1(R, rec, BF_ACC_READ, rec->addr, rec->size, attached);
        attached = 1; /* the store half of an M shares the instruction */
    }
    if (!f && (rec->type == BF_REC_STORE ||
               (rec->type == BF_REC_MODIFY && R->o->compat != BF_COMPAT_CACHEGRIND))) {
        st->stores += !rec->cont;
        f = access1(R, rec, BF_ACC_WRITE, rec->addr, rec->size, attached);
    }
    return f;
}

int bf_replay_begin(bf_memsys *s, const bf_replay_opts *o, bf_replay_stats *st, bf_replay **out)
{
    replay *R = bf_calloc(1, sizeof *R);
    *out = R;
    if (!R)
        return BF_ENOMEM;
    R->s = s;
    R->o = o;
    R->st = st;
    const bf_machine *m = bf_memsys_machine(s);
    const uint64_t op_issue[6] = {m->l1.ssync_cycles,   m->l1.csync_cycles,   m->l1.cacheop_cycles,
                                  m->l1.cacheop_cycles, m->l1.cacheop_cycles, m->l1.cacheop_cycles};
    memcpy(R->op_issue, op_issue, sizeof op_issue);
    R->hit = m->l1.hit_cycles;
    R->fast = m->fast_path;
    R->host_ifetch = o->host_ifetch;
    R->whole = o->compat == BF_COMPAT_CACHEGRIND ? BF_REQ_WHOLEREF : 0;
    R->mode = (int)m->initial_mode;
    R->dma_next = DMA_IDLE;
    bf_hazard_watch(bf_memsys_hazard(s), &R->recno, &R->line, trace_name(R), on_hazard, R);
    bf_memsys_dma_on_fault(s, on_dma_fault, R);
    return BF_OK;
}

int bf_replay_feed(bf_replay *R, const bf_trace_rec *recs, size_t n, uint64_t bytes_read, char *err,
                   size_t errn)
{
    const bf_replay_opts *o = R->o;
    bf_replay_stats *st = R->st;
    bf_memsys *s = R->s;
    if (o->stop && *o->stop) /* checked per batch */
        return BF_END_INTERRUPTED;
    R->bytes_read = bytes_read;
    for (size_t i = 0; i < n; i++) {
        const bf_trace_rec *rec = &recs[i];
        R->recno++;
        R->line = rec->line;
        st->records++;
        if ((R->recno & (BF_REPLAY_PROGRESS_EVERY - 1)) == 0 && o->on_progress)
            o->on_progress(o->progress_ctx, R->recno, R->bytes_read);
        int f = 0;
        if (R->dma_next <= R->t)
            f = dma_advance(R);
        int type = f ? -1 : (int)rec->type;
        if (type >= BF_REC_IFETCH && type <= BF_REC_MODIFY) {
            f = access_record(R, rec); /* the common records: a compare, not the jump table */
            type = -1;
        }
        switch (type) {
        case BF_REC_GAP:
            R->in_instr = 0;
            R->t += rec->value;
            st->busy += rec->value;
            st->gap_cycles += rec->value;
            break;
        case BF_REC_OP: {
            R->in_instr = 0;
            uint32_t cnt = rec->count ? rec->count : 1;
            for (uint32_t k = 0; k < cnt && !f; k++) {
                st->ops++;
                st->busy += R->op_issue[rec->op < 6 ? rec->op : 0];
                f = op1(R, rec, rec->op, rec->addr + 32u * k);
            }
            break;
        }
        case BF_REC_MODE:
            R->mode = rec->mode;
            st->mode_changes++;
            break;
        case BF_REC_MMR: {
            st->mmr_writes++;
            /* an MMR write is a store: in user mode it takes the same DCPLB protection fault
            ** (EXCAUSE 0x23) as a user-mode load or store of that address, and writes nothing */
            if (R->mode == BF_MODE_USER && (f = access1(R, rec, BF_ACC_WRITE, rec->addr, 4, 0)))
                break;
            char why[200];
            int mrc =
                bf_memsys_mmr_write(s, rec->addr, (uint32_t)rec->value, R->t, why, sizeof why);
            if (mrc == BF_EINPUT) {
                snprintf(err, errn, "%s:%llu: MMR 0x%08x 0x%08x: %s", trace_name(R),
                         (unsigned long long)rec->line, rec->addr, (uint32_t)rec->value, why);
                return BF_END_INPUT;
            }
            if (mrc != BF_OK)
                f = -1;
            break;
        }
        case BF_REC_DMA:
            f = dma_record(R, rec, err, errn);
            break;
        case BF_REC_PHASE:
            st->phases++;
            R->in_instr = 0;
            st->cycles = R->t;
            st->stall_total = st->cycles - st->busy;
            if (o->on_phase)
                o->on_phase(o->phase_ctx, rec->name ? rec->name : "", R->recno);
            break;
        default:
            break;
        }
        if (f == -2)
            return BF_END_INPUT;
        if (f < 0) {
            snprintf(err, errn, "%s:%llu: the memory system failed on this record", trace_name(R),
                     (unsigned long long)rec->line);
            return BF_END_ERROR;
        }
        if (f > 0) {
            if (o->on_fault_policy == BF_ONFAULT_STOP)
                return BF_END_FAULT;
            st->faults_skipped++;
        }
        if (R->stop_fault || R->stop_hazard)
            return R->stop_fault ? BF_END_FAULT : BF_END_HAZARD;
    }
    return BF_END_OK;
}

int bf_replay_end(bf_replay *R, int end, char *err, size_t errn)
{
    bf_memsys *s = R->s;
    bf_replay_stats *st = R->st;
    /* DMA still running after the last record runs to its end here, so that its faults and
    ** hazards are still reported with this run's trace positions */
    if (R->dma_next != DMA_IDLE &&
        (end == BF_END_OK || end == BF_END_FAULT || end == BF_END_HAZARD) &&
        bf_memsys_dma_advance(s, DMA_IDLE, &R->dma_next) != BF_OK && end == BF_END_OK) {
        snprintf(err, errn, "%s: the memory system failed while DMA ran on", trace_name(R));
        end = BF_END_ERROR;
    }
    if (end == BF_END_OK && (R->stop_fault || R->stop_hazard))
        end = R->stop_fault ? BF_END_FAULT : BF_END_HAZARD;
    bf_hazard_watch(bf_memsys_hazard(s), NULL, NULL, NULL, NULL, NULL);
    bf_memsys_dma_on_fault(s, NULL, NULL);
    st->cycles = R->t;
    st->stall_total = st->cycles - st->busy;
    free(R);
    return end;
}
