/*
** bf_cplb_hot.c: the hottest-pages table of a CPLB stage: per side, an open-addressing hash
** table (HOT_CAP slots, linear probing, never shrinks) of the pages entries have held, with the
** hits they served and the times they were loaded, and the ranking bf_cplb_hot_pages reports.
**
** Invariants: a slot's key is page base | page-size code and is never removed once used; a
** live entry's hits are added to its page's slot only when the entry is replaced (bf_cplb.c,
** ent_retire), so a page's total is its slot plus the live entries on it; hits of a page the
** full table has no slot for go to the hot_pages_dropped_hits statistic.
*/
#include "bf_cplb_int.h"

#include <string.h>

hot_slot *bf_cplb_hot_find(hot_slot *t, uint32_t key, int insert)
{
    uint32_t h = (key * 2654435761u) >> (32 - HOT_BITS);
    for (int probe = 0; probe < HOT_CAP; probe++) {
        hot_slot *sl = &t[(h + (uint32_t)probe) & (HOT_CAP - 1)];
        if (sl->used && sl->key == key)
            return sl;
        if (!sl->used) {
            if (!insert)
                return NULL;
            sl->used = 1;
            sl->key = key;
            return sl;
        }
    }
    return NULL;
}

static const hot_slot *hot_lookup(const hot_slot *t, uint32_t key)
{
    return bf_cplb_hot_find((hot_slot *)t, key, 0);
}
/* ------------------------------------------------------------------ hottest pages */

static int page_hotter(const bf_cplb_page *a, const bf_cplb_page *b)
{
    if (a->hits != b->hits)
        return a->hits > b->hits;
    if (a->addr != b->addr)
        return a->addr < b->addr;
    return a->instr < b->instr;
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
        for (int k = 0; k < HOT_CAP; k++) {
            const hot_slot *sl = &s->hot[k];
            if (!sl->used)
                continue;
            bf_cplb_page pg = {sl->key & ~3u, page_bytes[sl->key & 3u], (uint8_t)instr, sl->hits,
                               sl->loads};
            for (int i = 0; i < NENT; i++) {
                const cplb_ent *e = &s->e[i];
                if (e->valid && hot_key(e->base, ent_code(e)) == sl->key)
                    pg.hits += e->hits;
            }
            top_insert(out, n, &have, &pg);
        }
        /* Live entries the table had no room for. */
        for (int i = 0; i < NENT; i++) {
            const cplb_ent *e = &s->e[i];
            if (e->valid && !hot_lookup(s->hot, hot_key(e->base, ent_code(e)))) {
                bf_cplb_page pg = {e->base, page_bytes[ent_code(e)], (uint8_t)instr, e->hits, 1};
                top_insert(out, n, &have, &pg);
            }
        }
    }
    return have;
}
