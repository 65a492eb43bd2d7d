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
**  4. --compat=cachegrind: a Lackey M is one read (Cachegrind counts modify as a read);
**     otherwise M is a load then a store (DineroIV, csim).
**  5. A fault stops the run (--on-fault=stop), or is reported and the access skipped (report), or
**     is only counted and skipped (continue). The access never reaches L1, but the exception's
**     time (a CPLB miss handler that found no bound) is still spent.
**  7. A DMA record is a transfer on one channel, in 32-byte chunks (read, then write), starting at
**     its start time or now, or when the channel's previous transfer ends, beside the core: the core does not wait for it, but its EBIU
**     requests come first, so the core's later external accesses queue behind them (DMA
**     priority for the whole transfer; an approximation of AMGCTL.CDPRIO=1). DMA bypasses CPLBs
**     and caches; DMA to the scratchpad or a cache-configured L1 half is a fault.
**  8. Fast path (sim.fast_path = 1): an access the CPLB stage's last-hit entry serves and that
**     hits L1 is served by bf_memsys_access_fast without building a bf_req/bf_resp; anything
**     else continues on the full chain. The statistics and times are identical either way (the
**     suite test e2e.fast_path compares every statistic of every suite trace).
**  6. A record marked `cont` by the reader is the rest of a foreign reference that a first-touch
**     window boundary cut in two: it belongs to the same instruction and the same reference (not
**     counted again in core.*; with --compat=cachegrind not a new L1 access either).
*/
#include "bf_replay.h"

#include <stdio.h>
#include <string.h>

#define BF_STAT_STRUCT bf_replay_stats
const bf_stat_desc bf_replay_stat_desc[] = {BF_REPLAY_STATS(BF_STAT_DESC)};
#undef BF_STAT_STRUCT
const size_t bf_replay_stat_count = BF_ARRAY_SIZE(bf_replay_stat_desc);

enum { REPLAY_BATCH = 256 }; /* records decoded per bf_trace_next_batch call */

typedef struct replay {
    bf_memsys *s;
    const bf_replay_opts *o;
    bf_replay_stats *st;
    bf_cycles t;       /* core time */
    int mode;          /* bf_mode */
    int in_instr;      /* an ifetch opened the current instruction */
    uint64_t recno;    /* records consumed */
    uint32_t hit;      /* l1.hit_cycles */
    int fast;          /* sim.fast_path */
    bf_cycles dma_free[256]; /* per DMA channel: time its last transfer completed */
} replay;

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
        if (n < sizeof f.text)
            snprintf(f.text + n, sizeof f.text - n, " trace: %s:%llu",
                     R->o->trace_name ? R->o->trace_name : "trace", (unsigned long long)rec->line);
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

/* One access; returns 1 if it faulted. */
static int access1(replay *R, const bf_trace_rec *rec, int kind, bf_addr addr, uint32_t size,
                   int attached)
{
    bf_req rq;
    bf_resp rs;
    uint32_t flags = rec->misaligned == BF_MISAL_ONCE || (kind == BF_ACC_IFETCH && R->o->host_ifetch)
                         ? BF_REQ_NOALIGNCHK
                         : 0;
    bf_cycles now = attached ? R->t - R->hit : R->t;
    size = size ? size : 1;
    /* rule 8: the fast path, unless the record is the rest of a cut reference */
    int fast = R->fast && !rec->cont
                   ? bf_memsys_access_fast(R->s, kind, addr, size, R->mode, flags, now, R->recno, &rs)
                   : 0;
    if (fast < 0)
        return -1;
    if (fast) {
        if (rs.ready > R->t)
            R->t = rs.ready;
        if (!attached)
            R->st->busy += R->hit;
        if (!rs.fault)
            return 0;
    }
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
    if (fast) { /* a fault raised by L1 after the fast CPLB check */
        report_fault(R, rec, &rq, &rs, NULL, kind);
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

int bf_replay_run(bf_memsys *s, bf_trace_reader *r, const bf_replay_opts *o, bf_replay_stats *st,
                  char *err, size_t errn)
{
    replay R;
    memset(&R, 0, sizeof R);
    R.s = s;
    R.o = o;
    R.st = st;
    R.mode = BF_MODE_SUPV;
    R.hit = 1;
    bf_trace_rec batch[REPLAY_BATCH];
    size_t nbatch = 0, ibatch = 0;
    int end = BF_END_OK;
    /* busy cost of each op kind (bf_op order) comes from the L1 configuration */
    const bf_machine *m = bf_memsys_machine(s);
    const uint64_t op_issue[6] = {m->l1.ssync_cycles,   m->l1.csync_cycles,   m->l1.cacheop_cycles,
                                  m->l1.cacheop_cycles, m->l1.cacheop_cycles, m->l1.cacheop_cycles};
    R.hit = m->l1.hit_cycles;
    R.fast = m->fast_path;
    R.mode = (int)m->initial_mode;
    for (;;) {
        if (o->stop && *o->stop) {
            end = BF_END_INTERRUPTED;
            break;
        }
        if (ibatch == nbatch) {
            int rc = bf_trace_next_batch(r, batch, REPLAY_BATCH, &nbatch);
            ibatch = 0;
            if (rc == BF_EEOF)
                break;
            if (rc != BF_OK) {
                snprintf(err, errn, "%s", bf_trace_error(r));
                end = BF_END_INPUT;
                break;
            }
        }
        const bf_trace_rec *rec = &batch[ibatch++];
        R.recno++;
        st->records++;
        if ((R.recno & (BF_REPLAY_PROGRESS_EVERY - 1)) == 0 && o->on_progress)
            o->on_progress(o->progress_ctx, R.recno, bf_trace_bytes_read(r));
        int f = 0;
        switch (rec->type) {
        case BF_REC_IFETCH:
            /* a `cont` record is the rest of the previous reference, cut by the trace mapper: the
            ** same instruction, the same reference (rule 6) */
            if (!rec->cont) {
                st->instructions++;
                st->ifetches++;
            }
            f = access1(&R, rec, BF_ACC_IFETCH, rec->addr, rec->size, rec->cont && R.in_instr);
            if (!rec->cont)
                R.in_instr = f == 0; /* data after a skipped fetch are instructions of their own */
            break;
        case BF_REC_LOAD:
        case BF_REC_STORE:
        case BF_REC_MODIFY: {
            int attached = R.in_instr || rec->cont;
            if (!attached)
                st->instructions++;
            if (rec->type != BF_REC_STORE) {
                st->loads += !rec->cont;
                f = access1(&R, rec, BF_ACC_READ, rec->addr, rec->size, attached);
                attached = 1; /* the store half of an M shares the instruction */
            }
            if (!f && (rec->type == BF_REC_STORE ||
                       (rec->type == BF_REC_MODIFY && o->compat != BF_COMPAT_CACHEGRIND))) {
                st->stores += !rec->cont;
                f = access1(&R, rec, BF_ACC_WRITE, rec->addr, rec->size, attached);
            }
            break;
        }
        case BF_REC_GAP:
            R.in_instr = 0;
            R.t += rec->value;
            st->busy += rec->value;
            st->gap_cycles += rec->value;
            break;
        case BF_REC_OP: {
            R.in_instr = 0;
            uint32_t n = rec->count ? rec->count : 1;
            for (uint32_t i = 0; i < n && !f; i++) {
                st->ops++;
                st->busy += op_issue[rec->op < 6 ? rec->op : 0];
                f = op1(&R, rec, rec->op, rec->addr + 32u * i);
            }
            break;
        }
        case BF_REC_MODE:
            R.mode = rec->mode;
            st->mode_changes++;
            break;
        case BF_REC_MMR: {
            st->mmr_writes++;
            /* an MMR write is a store: in user mode it takes the same DCPLB protection fault
            ** (EXCAUSE 0x23) as a user-mode load or store of that address, and writes nothing */
            if (R.mode == BF_MODE_USER && (f = access1(&R, rec, BF_ACC_WRITE, rec->addr, 4, 0)))
                break;
            char why[200];
            int mrc = bf_memsys_mmr_write(s, rec->addr, (uint32_t)rec->value, R.t, why, sizeof why);
            if (mrc == BF_EINPUT) {
                snprintf(err, errn, "%s:%llu: MMR 0x%08x 0x%08x: %s",
                         o->trace_name ? o->trace_name : "trace", (unsigned long long)rec->line,
                         rec->addr, (uint32_t)rec->value, why);
                st->cycles = R.t;
                st->stall_total = st->cycles - st->busy;
                return BF_END_INPUT;
            }
            if (mrc != BF_OK)
                f = -1;
            break;
        }
        case BF_REC_DMA: {
            /* rule 7: the transfer starts at its start time (not before the current time) and
            ** runs beside the core, which does not wait for it; its EBIU traffic delays the
            ** core's later external accesses */
            bf_cycles start = rec->has_start && rec->start > R.t ? rec->start : R.t, end;
            if (R.dma_free[rec->chan] > start)
                start = R.dma_free[rec->chan]; /* a channel runs one transfer at a time */
            int dfault;
            bf_addr daddr;
            st->dma_records++;
            if (bf_memsys_dma(s, rec->addr, rec->addr2, rec->value, start, &end, &dfault, &daddr) != BF_OK) {
                f = -1;
                break;
            }
            st->dma_busy += end - start;
            R.dma_free[rec->chan] = end;
            if (dfault) {
                st->dma_faults++;
                bf_fault_info fi;
                memset(&fi, 0, sizeof fi);
                fi.record = R.recno;
                fi.line = rec->line;
                fi.kind = BF_ACC_WRITE;
                fi.mode = R.mode;
                fi.addr = daddr;
                fi.fault = dfault;
                snprintf(fi.text, sizeof fi.text,
                         "%s (DMA channel %u, hardware error) at 0x%08X\n DMA of %llu bytes 0x%08X -> "
                         "0x%08X, record %llu\n trace: %s:%llu",
                         bf_fault_name(dfault), rec->chan, daddr, (unsigned long long)rec->value, rec->addr,
                         rec->addr2, (unsigned long long)R.recno,
                         o->trace_name ? o->trace_name : "trace", (unsigned long long)rec->line);
                if (o->on_fault)
                    o->on_fault(o->ctx, &fi);
                f = 1;
            } else {
                st->dma_bytes += rec->value;
            }
            break;
        }
        case BF_REC_PHASE:
            st->phases++;
            R.in_instr = 0;
            st->cycles = R.t;
            st->stall_total = st->cycles - st->busy;
            if (o->on_phase)
                o->on_phase(o->phase_ctx, rec->name ? rec->name : "", R.recno);
            break;
        default:
            break;
        }
        if (f < 0) {
            snprintf(err, errn, "%s:%llu: the memory system failed on this record",
                     o->trace_name ? o->trace_name : "trace", (unsigned long long)rec->line);
            end = BF_END_ERROR;
            break;
        }
        if (f > 0) {
            if (o->on_fault_policy == BF_ONFAULT_STOP) {
                end = BF_END_FAULT;
                break;
            }
            st->faults_skipped++;
        }
    }
    st->cycles = R.t;
    st->stall_total = st->cycles - st->busy;
    return end;
}
