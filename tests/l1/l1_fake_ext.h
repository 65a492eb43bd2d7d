/*
** l1_fake_ext.h: the external memory the L1 tests talk to. Fixed latencies, no contention, and a
** log of every request so that a test can check what left L1, in which order and when:
**   reads (fills and uncached):  ready = now + crit, done = now + line (fills) or now + crit;
**   writes (drains, victims):    ready = now,        done = now + wlat.
** It also counts requests issued earlier than the previous one (the L1 promises none).
*/
#ifndef L1_FAKE_EXT_H
#define L1_FAKE_EXT_H

#include "bf_common.h"

#include <stdlib.h>

typedef struct fake_rec {
    bf_addr addr;
    uint32_t size;
    int kind, source;
    bf_cycles now, ready, done;
} fake_rec;

typedef struct fake_ext {
    bf_cycles crit, line, wlat;
    fake_rec *log;
    size_t n, cap;
    bf_cycles last;
    unsigned long out_of_order;
} fake_ext;

static int fake_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    fake_ext *f = ctx;
    if (rq->now < f->last)
        f->out_of_order++;
    f->last = rq->now;
    if (rq->kind == BF_ACC_WRITE) {
        rs->ready = rq->now;
        rs->done = rq->now + f->wlat;
    } else {
        rs->ready = rq->now + f->crit;
        rs->done = rq->source == BF_SRC_FILL ? rq->now + f->line : rs->ready;
    }
    if (f->log) {
        if (f->n == f->cap) {
            f->n = 0; /* ring: long random runs only need the order check */
        }
        fake_rec *r = &f->log[f->n++];
        r->addr = rq->addr;
        r->size = rq->size;
        r->kind = rq->kind;
        r->source = rq->source;
        r->now = rq->now;
        r->ready = rs->ready;
        r->done = rs->done;
    }
    return BF_OK;
}

static void fake_init(fake_ext *f, size_t cap)
{
    f->crit = 20;
    f->line = 50;
    f->wlat = 10;
    f->cap = cap;
    f->log = cap ? calloc(cap, sizeof *f->log) : NULL;
    f->n = 0;
    f->last = 0;
    f->out_of_order = 0;
}

static void fake_free(fake_ext *f)
{
    free(f->log);
}

static size_t fake_count(const fake_ext *f, int source, int kind)
{
    size_t c = 0;
    for (size_t i = 0; i < f->n; i++)
        c += f->log[i].source == source && (kind < 0 || f->log[i].kind == kind);
    return c;
}

#endif
