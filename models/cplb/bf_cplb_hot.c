/*
** bf_cplb_hot.c: the hottest-pages table of a CPLB stage: per side, a fixed-memory
** common/bf_htab (HOT_SLOTS slots, room for HOT_PAGES pages, never shrinks) from each page entries
** have held to the hits it served and the times it was loaded, and the ranking
** bf_cplb_hot_pages reports.
**
** Invariants: a page's key is page base | page-size code (hot_key) and is never removed once
** added; a live entry's hits are added to its page's record only when the entry is replaced
** (bf_cplb.c, ent_retire), so a page's total is its record plus the live entries on it; hits of
** a page the full table has no room for go to the hot_pages_dropped_hits statistic. The ranking
** is a total order (hits, address, side, page size), so it does not depend on the table's slot
** order.
*/
#include "bf_cplb_int.h"

#include <string.h>

/* ------------------------------------------------------------------ hottest pages */

static int page_hotter(const bf_cplb_page *a, const bf_cplb_page *b)
{
    if (a->hits != b->hits)
        return a->hits > b->hits;
    if (a->addr != b->addr)
        return a->addr < b->addr;
    if (a->instr != b->instr)
        return a->instr < b->instr;
    return a->size < b->size;
}

static void top_insert(bf_cplb_page *out, size_t n, size_t *have, const bf_cplb_page *pg)
{
    size_t pos = *have;
    while (pos > 0 && page_hotter(pg, &out[pos - 1]))
        pos--;
    if (pos >= n)
        return;
    size_t end = *have < n ? *have : n - 1;
    memmove(&out[pos + 1], &out[pos], (end - pos) * sizeof *out);
    out[pos] = *pg;
    if (*have < n)
        (*have)++;
}

size_t bf_cplb_hot_pages(const bf_cplb *p, bf_cplb_page *out, size_t n)
{
    size_t have = 0;
    if (n == 0)
        return 0;
    for (int instr = 0; instr < 2; instr++) {
        const cplb_side *s = &p->s[instr];
        size_t pos = 0;
        uint64_t key;
        const hot_rec *h;
        while ((h = bf_htab_next_rec(&s->hot, &pos, &key))) {
            bf_cplb_page pg = {(uint32_t)key & ~3u, page_bytes[key & 3u], (uint8_t)instr, h->hits,
                               h->loads};
            for (int i = 0; i < NENT; i++) {
                const cplb_ent *e = &s->e[i];
                if (e->valid && hot_key(e->base, ent_code(e)) == key)
                    pg.hits += e->hits;
            }
            top_insert(out, n, &have, &pg);
        }
        /* Live entries the table had no room for. */
        for (int i = 0; i < NENT; i++) {
            const cplb_ent *e = &s->e[i];
            if (e->valid && !bf_htab_find_rec(&s->hot, hot_key(e->base, ent_code(e)))) {
                bf_cplb_page pg = {e->base, page_bytes[ent_code(e)], (uint8_t)instr, e->hits, 1};
                top_insert(out, n, &have, &pg);
            }
        }
    }
    return have;
}
