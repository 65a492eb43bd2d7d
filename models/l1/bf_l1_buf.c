/*
** bf_l1_buf.c: everything of the L1 model that talks to the `ext` port (bf_l1.c, assumption 5 and
** 6): issuing external requests, the write buffer and the victim buffer (serial FIFO drains,
** merged in start-time order across both buffers), write-backs of dirty D lines, and the request
** that starts a line fill. The fill buffer's state is read by the inline helpers of bf_l1_int.h.
**
** Invariants: ext issue times never decrease (an earlier one is clamped and counted in
** ext_clamps, which bf_l1_check reports); each buffer holds at most `depth` units and at most
** L1_MAX_WBUF entries; the first `issued` entries from head are at ext, with non-decreasing done
** times; an entry leaves only once its done time has passed.
*/
#include "bf_l1_int.h"

/* ---------------------------------------------------------------- external port and buffers */

int l1_ext(bf_l1 *l1, bf_cycles t, bf_addr a, uint32_t size, int kind, int src, bf_resp *rs)
{
    if (t < l1->ext_last) {
        t = l1->ext_last;
        l1->ext_clamps++;
    }
    l1->ext_last = t;
    bf_req rq;
    memset(&rq, 0, sizeof rq);
    rq.addr = a;
    rq.size = size;
    rq.kind = (uint8_t)kind;
    rq.source = (uint8_t)src;
    rq.now = t;
    memset(rs, 0, sizeof *rs);
    int rc = bf_port_xfer(&l1->ext, &rq, rs);
    if (rs->ready < t)
        rs->ready = t;
    if (rs->done < rs->ready)
        rs->done = rs->ready;
    return rc;
}

/* Start time of the buffer's next unissued entry; 0 if it has none. */
static inline int l1_buf_next(const l1_buf *b, bf_cycles *start)
{
    if (b->issued == b->count)
        return 0;
    const l1_went *e = &b->ent[(b->head + b->issued) % L1_MAX_WBUF];
    *start = l1_max(e->enq, b->last_done);
    return 1;
}

static int l1_buf_issue(bf_l1 *l1, l1_buf *b, bf_cycles start)
{
    l1_went *e = &b->ent[(b->head + b->issued) % L1_MAX_WBUF];
    bf_resp rs;
    int rc = l1_ext(l1, start, e->addr, e->size, BF_ACC_WRITE, b->source, &rs);
    assert(rs.done >= b->last_done); /* serial drains complete in order */
    e->done = rs.done;
    b->last_done = rs.done;
    b->issued++;
    if (b->source == BF_SRC_WBUF)
        l1->st->wbuf_drains++;
    else
        l1->st->victim_drains++;
    return rc;
}

/* Issue the earliest pending drain of either buffer if it starts before `limit`; 1 if issued. */
int l1_drain_one(bf_l1 *l1, bf_cycles limit, int *rc)
{
    bf_cycles sw = 0, sv = 0;
    int hw = l1_buf_next(&l1->wb, &sw), hv = l1_buf_next(&l1->vb, &sv);
    if (hw && (!hv || sw <= sv) && sw < limit) {
        *rc |= l1_buf_issue(l1, &l1->wb, sw);
        return 1;
    }
    if (hv && sv < limit) {
        *rc |= l1_buf_issue(l1, &l1->vb, sv);
        return 1;
    }
    return 0;
}

/* Wait at *t until `units` slots are free in b; the wait goes to *stall. */
static int l1_buf_room(bf_l1 *l1, l1_buf *b, uint32_t units, bf_cycles *t, uint64_t *stall,
                       uint64_t *full_events)
{
    int rc = l1_drain_before(l1, *t);
    l1_buf_retire(b, *t);
    if (b->used + units <= b->depth)
        return rc;
    (*full_events)++;
    bf_cycles t0 = *t;
    while (b->used + units > b->depth) {
        while (b->issued == 0)
            l1_drain_one(l1, (bf_cycles)-1, &rc);
        *t = l1_max(*t, b->ent[b->head].done);
        l1_buf_retire(b, *t);
    }
    *stall += *t - t0;
    return rc;
}

static void l1_buf_push(l1_buf *b, bf_addr a, uint32_t size, uint32_t units, bf_cycles t)
{
    assert(b->count < L1_MAX_WBUF && b->used + units <= b->depth); /* l1_buf_room made room */
    l1_went *e = &b->ent[(b->head + b->count) % L1_MAX_WBUF];
    e->addr = a;
    e->size = size;
    e->units = units;
    e->enq = t;
    e->done = 0;
    b->count++;
    b->used += units;
}

/* Issue everything; returns the completion time of the last write (or t if none). */
int l1_drain_all(bf_l1 *l1, bf_cycles t, bf_cycles *done)
{
    int rc = BF_OK;
    while (l1_drain_one(l1, (bf_cycles)-1, &rc))
        ;
    bf_cycles d = t;
    if (l1->wb.count)
        d = l1_max(d, l1->wb.last_done);
    if (l1->vb.count)
        d = l1_max(d, l1->vb.last_done);
    l1_buf_retire(&l1->wb, d);
    l1_buf_retire(&l1->vb, d);
    *done = d;
    return rc;
}

/* Hazard detection: a core store of [a, a+size) reaches memory (write buffer, or the write-back
** of D slot `from`): every valid I-cache line over it becomes stale. */
static void l1_core_wrote(bf_l1 *l1, bf_addr a, uint32_t size, uint32_t from)
{
    if (!l1->ion)
        return;
    uint32_t last = (uint32_t)(((uint64_t)a + (size ? size : 1) - 1) >> L1_LINE_SHIFT);
    for (uint32_t ln = a >> L1_LINE_SHIFT; ln <= last; ln++) {
        l1_line *s = &l1->iline[l1_set(&l1->iix, ln << L1_LINE_SHIFT) * L1_IWAYS];
        for (int w = 0; w < L1_IWAYS; w++) {
            if (s[w].tag == ln) {
                s[w].stale |= L1_STALE;
                bf_hazard_core_wrote(l1->hz, l1_islot(l1, &s[w]), from);
            }
        }
    }
}

/* A store of size bytes at a into the write buffer at *t (stalls if full). */
int l1_wbuf_store(bf_l1 *l1, bf_addr a, uint32_t size, bf_cycles *t)
{
    if (l1->hz)
        l1_core_wrote(l1, a, size, BF_HAZARD_SLOTS);
    uint32_t words = ((a & (L1_WORD_BYTES - 1)) + size + L1_WORD_BYTES - 1) / L1_WORD_BYTES;
    if (words > l1->wb.depth)
        words = l1->wb.depth;
    int rc = l1_buf_room(l1, &l1->wb, words, t, &l1->st->stall_wbuf_full, &l1->st->wbuf_full);
    l1_buf_push(&l1->wb, a, size, words, *t);
    l1->st->wbuf_entries++;
    return rc;
}

/* A dirty line into the victim buffer at *t (stalls if full). */
static int l1_victim(bf_l1 *l1, uint32_t line, bf_cycles *t)
{
    int rc = l1_buf_room(l1, &l1->vb, 1, t, &l1->st->stall_victim_full, &l1->st->victim_full);
    l1_buf_push(&l1->vb, line << L1_LINE_SHIFT, L1_LINE_BYTES, 1, *t);
    l1->st->dwritebacks++;
    return rc;
}

/* Write dirty D line L back (eviction, FLUSH, FLUSHINV) through the victim buffer. Memory then
** equals the line: its stale flags clear, after a lost_write for each DMA write it destroys. */
int l1_writeback(bf_l1 *l1, l1_line *L, bf_cycles *t)
{
    int rc = l1_victim(l1, L->tag, t);
    if (l1->hz) {
        if (L->stale & L1_LOST)
            bf_hazard_writeback(l1->hz, l1_dslot(l1, L), L->tag << L1_LINE_SHIFT);
        l1_core_wrote(l1, L->tag << L1_LINE_SHIFT, L1_LINE_BYTES, l1_dslot(l1, L));
    }
    L->dirty = 0;
    L->stale = 0;
    return rc;
}

/* ---------------------------------------------------------------- line fills */

/* Start the fill of the line of `a` (the fill buffer is free at *t): issue the drains that start
** earlier, then request the line with its critical word first. */
int l1_fill(bf_l1 *l1, l1_fillbuf *fb, bf_addr a, int kind, bf_cycles *t)
{
    int rc = l1_drain_before(l1, *t);
    bf_addr base = a & ~(bf_addr)(L1_LINE_BYTES - 1);
    bf_resp rs;
    rc |= l1_ext(l1, *t, l1->cfg.critical_word_first ? a : base, L1_LINE_BYTES, kind, BF_SRC_FILL,
                 &rs);
    fb->line = a >> L1_LINE_SHIFT;
    fb->crit = l1->cfg.critical_word_first ? (a >> L1_WORD_SHIFT) & (L1_LINE_WORDS - 1) : 0;
    fb->ready = l1->cfg.critical_word_first ? rs.ready : rs.done;
    fb->done = rs.done;
    return rc;
}
