/*
** bf_l1_shadow.c: the miss classifier of the L1 model (config classify_misses): per cache, a
** fully-associative LRU cache of the same number of lines. A miss of the real cache is compulsory
** if its line was never referenced, capacity if the shadow also misses, conflict otherwise.
**
** Structure: a chained hash over a node pool sized at create (no allocation per access), a doubly
** linked LRU list (mru .. lru), and `seen`, one bit per possible line number (2^27 bits).
** Invariants: count <= cap <= max; every node in use is on the LRU list and in exactly one hash
** chain, that of its line; the list holds count nodes.
*/
#include "bf_l1_int.h"

int l1_shadow_init(l1_shadow *s, uint32_t max)
{
    memset(s, 0, sizeof *s);
    s->max = max;
    s->hbits = 1;
    while ((1u << s->hbits) < 2 * max)
        s->hbits++;
    s->node = bf_malloc(sizeof *s->node * max);
    s->bucket = bf_malloc(sizeof *s->bucket << s->hbits);
    s->seen = bf_calloc((size_t)1 << (32 - L1_LINE_SHIFT - 6), sizeof *s->seen);
    if (!s->node || !s->bucket || !s->seen)
        return BF_ENOMEM;
    return BF_OK;
}

void l1_shadow_free(l1_shadow *s)
{
    free(s->node);
    free(s->bucket);
    free(s->seen);
}

/* Empty the FA part (the cache was invalidated), keep `seen`; cap = lines of the real cache. */
void l1_shadow_reset(l1_shadow *s, uint32_t cap)
{
    if (!s->node)
        return;
    s->cap = cap < s->max ? cap : s->max;
    s->count = 0;
    s->mru = s->lru = L1_NIL;
    for (uint32_t i = 0; i < (1u << s->hbits); i++)
        s->bucket[i] = L1_NIL;
}

static inline uint32_t l1_hash(const l1_shadow *s, uint32_t line)
{
    return (uint32_t)(line * 2654435761u) >> (32 - s->hbits);
}

static void l1_shadow_unlink(l1_shadow *s, uint32_t n)
{
    l1_snode *x = &s->node[n];
    if (x->prev != L1_NIL)
        s->node[x->prev].next = x->next;
    else
        s->mru = x->next;
    if (x->next != L1_NIL)
        s->node[x->next].prev = x->prev;
    else
        s->lru = x->prev;
}

static void l1_shadow_push_mru(l1_shadow *s, uint32_t n)
{
    l1_snode *x = &s->node[n];
    x->prev = L1_NIL;
    x->next = s->mru;
    if (s->mru != L1_NIL)
        s->node[s->mru].prev = n;
    s->mru = n;
    if (s->lru == L1_NIL)
        s->lru = n;
}

/* Reference `line`; returns bit 0 = FA LRU miss, bit 1 = first reference ever. */
unsigned l1_shadow_ref(l1_shadow *s, uint32_t line)
{
    uint64_t bit = 1ull << (line & 63);
    unsigned first = !(s->seen[line >> 6] & bit);
    s->seen[line >> 6] |= bit;
    uint32_t h = l1_hash(s, line);
    for (uint32_t n = s->bucket[h]; n != L1_NIL; n = s->node[n].hnext) {
        if (s->node[n].line == line) {
            if (s->mru != n) {
                l1_shadow_unlink(s, n);
                l1_shadow_push_mru(s, n);
            }
            return first << 1;
        }
    }
    uint32_t n;
    if (s->count < s->cap) {
        n = s->count++;
    } else {
        n = s->lru;
        l1_shadow_unlink(s, n);
        uint32_t *pp = &s->bucket[l1_hash(s, s->node[n].line)];
        while (*pp != n)
            pp = &s->node[*pp].hnext;
        *pp = s->node[n].hnext;
    }
    s->node[n].line = line;
    s->node[n].hnext = s->bucket[h];
    s->bucket[h] = n;
    l1_shadow_push_mru(s, n);
    return 1u | (first << 1);
}
