/*
** bf_dma.c: the DMA controller beside the core (bf_dma.h).
**
** What it models: DMA channels that each run their transfers one after the other, moving
** chunk_bytes at a time (read the chunk, then write it: the DMA FIFO), beside an in-order core
** whose L1 sends fills, uncached accesses and buffer drains to the same EBIU.
**
** Assumptions:
**  1. A channel's next request is issued when its previous one has completed (one request in
**     flight per channel); a transfer starts at its start time, not before the previous transfer
**     of its channel has completed.
**  2. DMA to external memory and system MMRs goes straight to the EBIU, not through L1 (the
**     caches are not coherent with it: bf_l1_dma_snoop only tells the hazard detector); DMA to L1
**     SRAM is served by L1 at its SRAM cost and uses no EBIU time.
**  3. Arbitration is per request (HRM EBIU chapter, AMGCTL.CDPRIO): the request that reaches the
**     EBIU at the earlier SCLK edge goes first; at the same edge DMA goes first when CDPRIO=1,
**     the core side when CDPRIO=0 (bf_sdram_first). Channels that want the bus at the same time
**     are served round-robin.
**
** Algorithm: DMA requests are issued lazily, like L1's buffer drains: before every core-side EBIU
** request (bf_dma_core_xfer, the port L1 is given) every DMA request that the arbitration puts
** before it is issued, in time order; the replay loop does the same at each record whose time
** has passed the next DMA request (bf_dma_advance), and bf_dma_finish runs the rest. The EBIU
** model serves requests in call order, so it sees core and DMA requests in arbitration order.
** Waits: a request that arrives while the EBIU still serves a request of the other side waits
** until that one is done; that wait is counted for its side (core.dma_wait_cycles,
** core.dma_core_wait_cycles).
**
** Invariant: a channel with queued transfers has `next` = the issue time of its next request, and
** d->pending is the number of queued transfers over all channels.
*/
#include "bf_dma.h"

#include <stdlib.h>
#include <string.h>

#define BF_STAT_STRUCT bf_dma_stats
const bf_stat_desc bf_dma_stat_desc[] = {BF_DMA_STATS(BF_STAT_DESC)};
#undef BF_STAT_STRUCT
const size_t bf_dma_stat_count = BF_ARRAY_SIZE(bf_dma_stat_desc);

#define DMA_NONE ((bf_cycles)-1)

typedef struct dma_xfer {
    bf_hazard_xfer x;
    bf_cycles start; /* not before this core time */
} dma_xfer;

typedef struct dma_chan {
    dma_xfer *q; /* ring; q[head] is the running transfer */
    uint32_t head, count, cap;
    uint64_t off;    /* bytes of the running transfer done */
    int phase;       /* 0: the next request reads the chunk, 1: writes it */
    bf_cycles next;  /* issue time of the next request (count > 0) */
    bf_cycles begun; /* first request of the running transfer */
    bf_cycles free;  /* completion of the channel's last transfer */
} dma_chan;

struct bf_dma {
    bf_dma_config cfg;
    bf_l1 *l1;
    bf_sdram *sd;
    bf_dma_stats *st;
    bf_dma_stats own;
    dma_chan *ch;
    uint32_t rr;         /* channel served last (round-robin among equal times) */
    uint64_t pending;    /* queued transfers over all channels */
    bf_cycles ebiu_done; /* completion of the last EBIU request */
    int ebiu_dma;        /* ... and whether DMA issued it */
    bf_dma_fault_fn fault_fn;
    void *fault_ctx;
};

const char *bf_dma_config_check(const bf_dma_config *c)
{
    if (c->channels < 1 || c->channels > 256)
        return "dma.channels: must be 1..256 (a trace names channels 0..255)";
    if (c->chunk_bytes < 1 || c->chunk_bytes > 4096)
        return "dma.chunk_bytes: must be 1..4096";
    return NULL;
}

int bf_dma_create(const bf_dma_config *c, bf_l1 *l1, bf_sdram *sdram, bf_dma_stats *st,
                  bf_dma **out)
{
    *out = NULL;
    if (bf_dma_config_check(c) || !l1 || !sdram)
        return BF_ECONFIG;
    bf_dma *d = calloc(1, sizeof *d);
    if (!d)
        return BF_ENOMEM;
    d->ch = calloc(c->channels, sizeof *d->ch);
    if (!d->ch) {
        free(d);
        return BF_ENOMEM;
    }
    d->cfg = *c;
    d->l1 = l1;
    d->sd = sdram;
    d->st = st ? st : &d->own;
    d->rr = c->channels - 1;
    *out = d;
    return BF_OK;
}

void bf_dma_destroy(bf_dma *d)
{
    if (!d)
        return;
    for (uint32_t i = 0; i < d->cfg.channels; i++)
        free(d->ch[i].q);
    free(d->ch);
    free(d);
}

void bf_dma_on_fault(bf_dma *d, bf_dma_fault_fn fn, void *ctx)
{
    d->fault_fn = fn;
    d->fault_ctx = ctx;
}

/* The channel whose request comes next: earliest time, ties round-robin after d->rr; -1 if idle. */
static int dma_pick(const bf_dma *d)
{
    int best = -1;
    uint32_t n = d->cfg.channels;
    for (uint32_t k = 1; k <= n; k++) {
        uint32_t c = (d->rr + k) % n;
        if (d->ch[c].count && (best < 0 || d->ch[c].next < d->ch[best].next))
            best = (int)c;
    }
    return best;
}

/* The EBIU serves rq (either side): count the wait behind the other side, then remember it. */
static int dma_ebiu(bf_dma *d, const bf_req *rq, bf_resp *rs)
{
    int is_dma = rq->source == BF_SRC_DMA;
    if (d->ebiu_done > rq->now && is_dma != d->ebiu_dma) {
        if (is_dma)
            d->st->dma_wait += d->ebiu_done - rq->now;
        else
            d->st->core_wait += d->ebiu_done - rq->now;
    }
    int rc = bf_sdram_xfer(d->sd, rq, rs);
    if (rs->done > d->ebiu_done)
        d->ebiu_done = rs->done;
    d->ebiu_dma = is_dma;
    return rc;
}

/* The running transfer of channel c ended at t: start the next one. */
static void dma_pop(bf_dma *d, dma_chan *ch, bf_cycles t)
{
    ch->head = (ch->head + 1) % ch->cap;
    ch->count--;
    d->pending--;
    ch->free = t;
    ch->off = 0;
    ch->phase = 0;
    if (ch->count) {
        bf_cycles s = ch->q[ch->head].start;
        ch->next = s > t ? s : t;
    }
}

/* Issue the next request of channel c. */
static int dma_issue(bf_dma *d, uint32_t c)
{
    dma_chan *ch = &d->ch[c];
    const dma_xfer *x = &ch->q[ch->head];
    uint64_t left = x->x.bytes - ch->off;
    uint32_t n = left < d->cfg.chunk_bytes ? (uint32_t)left : d->cfg.chunk_bytes;
    bf_req rq;
    bf_resp rs;
    memset(&rq, 0, sizeof rq);
    memset(&rs, 0, sizeof rs);
    rq.addr = (ch->phase ? x->x.dst : x->x.src) + (bf_addr)ch->off;
    rq.size = n;
    rq.kind = (uint8_t)(ch->phase ? BF_ACC_WRITE : BF_ACC_READ);
    rq.source = BF_SRC_DMA;
    rq.now = ch->next;
    rq.record = x->x.pos.record;
    if (ch->off == 0 && ch->phase == 0)
        ch->begun = ch->next;
    d->rr = c;
    d->st->requests++;
    int rc = BF_OK, fault = bf_l1_dma_fault(d->l1, rq.addr);
    if (!fault) {
        if (bf_l1_dma_is_external(d->l1, rq.addr)) {
            bf_l1_dma_snoop(d->l1, rq.addr, n, ch->phase, &x->x);
            rc = dma_ebiu(d, &rq, &rs);
        } else {
            rc = bf_l1_access(d->l1, &rq, &rs); /* L1 SRAM: no EBIU time */
        }
        fault = rs.fault;
    }
    if (fault) {
        d->st->faults++;
        d->st->busy += rq.now - ch->begun;
        if (d->fault_fn)
            d->fault_fn(d->fault_ctx, &x->x, fault, rq.addr);
        dma_pop(d, ch, rq.now);
        return rc;
    }
    bf_cycles t = rs.done > rq.now ? rs.done : rq.now;
    ch->next = t;
    if (!ch->phase) {
        ch->phase = 1; /* the write of a chunk starts when its read has completed */
        return rc;
    }
    ch->phase = 0;
    ch->off += n;
    if (ch->off >= x->x.bytes) {
        d->st->busy += t - ch->begun;
        d->st->bytes += x->x.bytes;
        dma_pop(d, ch, t);
    }
    return rc;
}

/* Issue the DMA requests that the EBIU takes before `before` (bf_sdram_first). */
static int dma_run(bf_dma *d, const bf_req *before)
{
    int rc = BF_OK, c;
    while ((c = dma_pick(d)) >= 0) {
        bf_req r;
        memset(&r, 0, sizeof r);
        r.now = d->ch[c].next;
        r.source = BF_SRC_DMA;
        if (before && bf_sdram_first(d->sd, &r, before) != 0)
            break;
        rc |= dma_issue(d, (uint32_t)c);
    }
    return rc;
}

int bf_dma_submit(bf_dma *d, const bf_hazard_xfer *x, bf_cycles start, bf_cycles *next,
                  bf_dma_reject *rej)
{
    if (x->chan >= d->cfg.channels || x->bytes == 0 || x->bytes > 0xFFFFFFFFu)
        return BF_EINPUT;
    memset(rej, 0, sizeof *rej);
    int c0 = dma_pick(d);
    *next = c0 < 0 ? DMA_NONE : d->ch[c0].next;
    /* both ends of both ranges: the scratchpad, an L1 half that is cache, reserved space */
    const bf_addr at[4] = {x->src, x->src + (bf_addr)(x->bytes - 1), x->dst,
                           x->dst + (bf_addr)(x->bytes - 1)};
    for (int i = 0; i < 4; i++) {
        int f = bf_l1_dma_fault(d->l1, at[i]);
        if (f) {
            d->st->records++;
            d->st->faults++;
            rej->fault = f;
            rej->addr = at[i];
            rej->write = i >= 2;
            return BF_OK;
        }
    }
    dma_chan *ch = &d->ch[x->chan];
    if (ch->count == ch->cap) {
        /* grows by doubling: a trace that queues transfers faster than they run */
        uint32_t cap = ch->cap ? 2 * ch->cap : 4;
        dma_xfer *q = malloc(cap * sizeof *q);
        if (!q)
            return BF_ENOMEM;
        for (uint32_t i = 0; i < ch->count; i++)
            q[i] = ch->q[(ch->head + i) % ch->cap];
        free(ch->q);
        ch->q = q;
        ch->head = 0;
        ch->cap = cap;
    }
    dma_xfer *e = &ch->q[(ch->head + ch->count) % ch->cap];
    e->x = *x;
    e->start = start;
    if (ch->count++ == 0) {
        ch->next = start > ch->free ? start : ch->free;
        ch->off = 0;
        ch->phase = 0;
    }
    d->pending++;
    d->st->records++;
    int c = dma_pick(d);
    *next = c < 0 ? DMA_NONE : d->ch[c].next;
    return BF_OK;
}

int bf_dma_advance(bf_dma *d, bf_cycles t, bf_cycles *next)
{
    int rc = bf_l1_drain_before(d->l1, t);
    bf_req probe;
    memset(&probe, 0, sizeof probe);
    probe.now = t;
    probe.source = BF_SRC_CORE;
    rc |= dma_run(d, &probe);
    int c = dma_pick(d);
    *next = c < 0 ? DMA_NONE : d->ch[c].next;
    return rc;
}

int bf_dma_core_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    bf_dma *d = ctx;
    int rc = d->pending ? dma_run(d, rq) : BF_OK;
    return rc | dma_ebiu(d, rq, rs);
}

int bf_dma_finish(bf_dma *d, bf_cycles now, bf_cycles *idle)
{
    bf_cycles e = now;
    int rc = bf_l1_finish(d->l1, now, &e); /* its drains arbitrate with the DMA requests */
    rc |= dma_run(d, NULL);
    for (uint32_t i = 0; i < d->cfg.channels; i++)
        if (d->ch[i].free > e)
            e = d->ch[i].free;
    bf_cycles s = bf_sdram_idle_at(d->sd);
    *idle = e > s ? e : s;
    bf_sdram_finalize(d->sd, *idle);
    return rc;
}
