/*
** bf_l1_check.c: bf_l1_check, the consistency check of the L1 model's state, run by the tests
** after a workload (never on the access path).
**
** It verifies: a valid tag appears once per set; only valid lines are dirty or stale; an I line
** is never dirty; a lost DMA write is only held by a dirty line; each buffer's entry count, issued
** count and occupancy agree and stay within its depth; issued entries complete in order; ext never
** saw an issue time earlier than a previous one.
*/
#include "bf_l1_int.h"

static const char *l1_check_sets(const l1_line *l, uint32_t sets, uint32_t ways, int dside)
{
    for (uint32_t s = 0; s < sets; s++) {
        const l1_line *x = &l[s * ways];
        for (uint32_t i = 0; i < ways; i++) {
            if (x[i].tag == L1_NOTAG) {
                if (x[i].dirty)
                    return "a D-cache line is dirty but invalid";
                if (x[i].stale)
                    return "a cache line is stale but invalid";
                continue;
            }
            if (!dside && x[i].dirty)
                return "an I-cache line is dirty";
            if ((x[i].stale & L1_LOST) && !x[i].dirty)
                return "a clean D-cache line holds a lost DMA write";
            for (uint32_t j = i + 1; j < ways; j++)
                if (x[j].tag == x[i].tag)
                    return dside ? "a D-cache set holds one line twice"
                                 : "an I-cache set holds one line twice";
        }
    }
    return NULL;
}

static const char *l1_check_buf(const l1_buf *b)
{
    uint32_t used = 0;
    bf_cycles prev = 0;
    if (b->count > L1_MAX_WBUF || b->issued > b->count)
        return "buffer entry counts are inconsistent";
    for (uint32_t i = 0; i < b->count; i++) {
        const l1_went *e = &b->ent[(b->head + i) % L1_MAX_WBUF];
        used += e->units;
        if (i < b->issued) {
            if (e->done < prev)
                return "buffer drains complete out of order";
            prev = e->done;
        }
    }
    if (used != b->used || used > b->depth)
        return "buffer occupancy exceeds its depth or disagrees with its entries";
    return NULL;
}

const char *bf_l1_check(const bf_l1 *l1)
{
    const char *m;
    for (int b = 0; b < L1_DBANKS; b++)
        if ((m = l1_check_sets(l1->dline[b], L1_DSETS, L1_DWAYS, 1)))
            return m;
    if ((m = l1_check_sets(l1->iline, L1_ISETS, L1_IWAYS, 0)))
        return m;
    if ((m = l1_check_buf(&l1->wb)) || (m = l1_check_buf(&l1->vb)))
        return m;
    if (l1->ext_clamps)
        return "an external request was issued earlier than a previous one";
    return NULL;
}
