/*
** bf_htab.c: open-addressing hash table (see bf_htab.h for the layout and the invariant). The hash
** (bf_htab_home, with the lookup inline in the header for hot paths) is the 64-bit finaliser
** of MurmurHash3 (fmix64), so sequential keys spread over the table.
*/
#include "bf_htab.h"

#include <stdlib.h>
#include <string.h>

#include "bf_common.h"
#include "bf_hmem.h"

size_t bf_htab_bytes(size_t cap)
{
    return 2 * cap * sizeof(uint64_t);
}

void bf_htab_init_mem(bf_htab *t, void *mem, size_t cap)
{
    memset(mem, 0, bf_htab_bytes(cap));
    t->key = mem;
    t->val = t->key + cap;
    t->cap = cap;
    t->n = 0;
    t->fixed = 1;
}

static int alloc_slots(bf_htab *t, size_t cap)
{
    uint64_t *m = bf_calloc(2 * cap, sizeof *m);
    if (!m)
        return BF_ENOMEM;
    t->key = m;
    t->val = m + cap;
    t->cap = cap;
    t->n = 0;
    t->fixed = 0;
    return BF_OK;
}

int bf_htab_init(bf_htab *t, size_t hint)
{
    size_t cap = 16;
    while (cap / 2 < hint)
        cap *= 2;
    return alloc_slots(t, cap);
}

void bf_htab_fini(bf_htab *t)
{
    if (!t->fixed)
        free(t->key);
    t->key = t->val = NULL;
    t->cap = t->n = 0;
}

static int grow(bf_htab *t)
{
    bf_htab old = *t;
    if (alloc_slots(t, old.cap * 2)) {
        *t = old;
        return BF_ENOMEM;
    }
    for (size_t i = 0; i < old.cap; i++)
        if (old.key[i]) {
            size_t j = bf_htab_slot(t, old.key[i] - 1);
            t->key[j] = old.key[i];
            t->val[j] = old.val[i];
            t->n++;
        }
    free(old.key);
    return BF_OK;
}

int bf_htab_put(bf_htab *t, uint64_t key, uint64_t val)
{
    size_t i = bf_htab_slot(t, key);
    if (!t->key[i]) {
        if ((t->n + 1) * 2 > t->cap) {
            if (t->fixed || grow(t))
                return BF_ENOMEM;
            i = bf_htab_slot(t, key);
        }
        t->key[i] = key + 1;
        t->n++;
    }
    t->val[i] = val;
    return BF_OK;
}

int bf_htab_del(bf_htab *t, uint64_t key)
{
    if (!t->cap)
        return 0;
    size_t i = bf_htab_slot(t, key), mask = t->cap - 1;
    if (!t->key[i])
        return 0;
    t->key[i] = 0;
    t->n--;
    /* backward shift: pull later entries of the chain into the hole unless their home lies
    ** cyclically in (hole, j], where they would become unreachable from it */
    for (size_t j = (i + 1) & mask; t->key[j]; j = (j + 1) & mask) {
        size_t h = bf_htab_home(t, t->key[j] - 1);
        int stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
        if (!stays) {
            t->key[i] = t->key[j];
            t->val[i] = t->val[j];
            t->key[j] = 0;
            i = j;
        }
    }
    return 1;
}

void bf_htab_clear(bf_htab *t)
{
    if (t->cap)
        memset(t->key, 0, t->cap * sizeof *t->key);
    t->n = 0;
}

int bf_htab_next(const bf_htab *t, size_t *pos, uint64_t *key, uint64_t *val)
{
    for (; *pos < t->cap; (*pos)++)
        if (t->key[*pos]) {
            *key = t->key[*pos] - 1;
            *val = t->val[*pos];
            (*pos)++;
            return 1;
        }
    return 0;
}
