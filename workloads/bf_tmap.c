/*
** bf_tmap.c: first-touch window mapping of 64-bit host addresses onto the BF533 map.
**
** What it models: where the data of a program traced on a host (Valgrind Lackey, Dinero traces)
** would sit in a Blackfin memory, for traces whose absolute addresses mean nothing on a BF533.
**
** Assumptions:
**   - Only the address bits below the window size matter to the caches (set index, line offset)
**     and to SDRAM bank/column selection within a window; the window size is a power of two of at
**     least 64 KB, larger than any BF533 L1 way (4 KB), so those bits are kept.
**   - A program's host layout (text, heap, stack far apart) need not be preserved between
**     windows; windows are packed in the order the trace first touches them.
**
** Algorithm (mode first-touch):
**   1. host window hw = host >> shift; offset = host & (window - 1).
**   2. If hw has no target window yet, it gets index `used++` (error if used == cap, cap being
**      map_limit / window).
**   3. target = map_base + index * window + offset.
** Mode identity: target = host, an error if host does not fit in 32 bits.
** Invariant: the hw -> index relation is injective and offsets are preserved, so two distinct
** host lines never share a target line and target % window == host % window; a cached
** (hw, index) pair is one the hash table holds (pairs are never removed). The hash table
** (common/bf_htab) is sized at init for cap windows, so it never grows: memory is fixed at init.
*/
#include "bf_tmap.h"
#include "bf_hmem.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bf_tmap_init(bf_tmap *m, const bf_trace_options *o)
{
    memset(m, 0, sizeof *m);
    m->mode = o->map_mode;
    m->window = o->map_window;
    m->base = o->map_base;
    while ((1u << m->shift) < m->window)
        m->shift++;
    if (m->mode != BF_MAPMODE_FIRST_TOUCH)
        return BF_OK;
    m->cap = (uint32_t)(o->map_limit / o->map_window);
    int rc = bf_htab_init(&m->win, m->cap);
    m->order = bf_calloc(m->cap ? m->cap : 1, sizeof *m->order);
    if (rc != BF_OK || !m->order) {
        bf_tmap_fini(m);
        return BF_ENOMEM;
    }
    return BF_OK;
}

void bf_tmap_fini(bf_tmap *m)
{
    bf_htab_fini(&m->win);
    free(m->order);
    m->order = NULL;
}

int bf_tmap_map(bf_tmap *m, uint64_t host, bf_addr *target)
{
    if (m->mode == BF_MAPMODE_IDENTITY) {
        if (host > 0xffffffffu)
            return BF_TMAP_RANGE;
        *target = (bf_addr)host;
        return BF_TMAP_OK;
    }
    uint64_t hw = host >> m->shift;
    uint32_t off = (uint32_t)(host & (m->window - 1));
    unsigned c = (unsigned)hw & (BF_TMAP_CACHE - 1);
    if (m->cache_ok[c] && hw == m->cache_hw[c]) {
        *target = m->base + (m->cache_idx[c] << m->shift) + off;
        return BF_TMAP_OK;
    }
    const uint64_t *idx = bf_htab_find(&m->win, hw);
    if (idx) {
        m->cache_idx[c] = (uint32_t)*idx;
    } else {
        if (m->used == m->cap)
            return BF_TMAP_FULL;
        int prc = bf_htab_put(&m->win, hw, m->used); /* room for cap keys since init */
        assert(prc == BF_OK);
        (void)prc;
        m->cache_idx[c] = m->used;
        m->order[m->used++] = hw;
    }
    m->cache_hw[c] = hw;
    m->cache_ok[c] = 1;
    *target = m->base + (m->cache_idx[c] << m->shift) + off;
    return BF_TMAP_OK;
}

void bf_tmap_describe_to(const bf_tmap *m, bf_strbuf *b)
{
    if (m->mode == BF_MAPMODE_IDENTITY) {
        bf_strbuf_printf(b, "identity\n");
        return;
    }
    for (uint32_t i = 0; i < m->used; i++) /* hw < 2^(64-shift): hw << shift cannot overflow */
        bf_strbuf_printf_whole(b, "host 0x%" PRIx64 " -> 0x%08" PRIx32 " len 0x%" PRIx32 "\n",
                               m->order[i] << m->shift, (uint32_t)(m->base + (i << m->shift)),
                               m->window);
}

size_t bf_tmap_describe(const bf_tmap *m, char *buf, size_t n)
{
    bf_strbuf b = bf_strbuf_on(buf, n);
    bf_tmap_describe_to(m, &b);
    return b.len;
}
