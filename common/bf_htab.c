/*
** bf_htab.c: open-addressing hash table (see bf_htab.h for the layout and the invariant; the
** hash and the lookup are inline in the header for hot paths). Values move with memcpy so that
** records keep whatever effective type their caller gave them.
*/
#include "bf_htab.h"

#include <stdlib.h>
#include <string.h>

#include "bf_common.h"
#include "bf_hmem.h"

size_t bf_htab_rec_bytes(size_t cap, size_t words)
{
    return (cap + (cap + 1) * words) * sizeof(uint64_t);
}

size_t bf_htab_bytes(size_t cap)
{
    return bf_htab_rec_bytes(cap, 1);
}

static void set_slots(bf_htab *t, uint64_t *m, size_t cap, size_t words, int fixed)
{
    t->key = m;
    t->val = m + cap;
    t->cap = cap;
    t->n = 0;
    t->words = words;
    t->has_max = 0;
    t->fixed = fixed;
}

void bf_htab_init_mem_rec(bf_htab *t, void *mem, size_t cap, size_t words)
{
    memset(mem, 0, bf_htab_rec_bytes(cap, words));
    set_slots(t, mem, cap, words, 1);
}

void bf_htab_init_mem(bf_htab *t, void *mem, size_t cap)
{
    bf_htab_init_mem_rec(t, mem, cap, 1);
}

static int alloc_slots(bf_htab *t, size_t cap, size_t words)
{
    uint64_t *m = bf_calloc(1, bf_htab_rec_bytes(cap, words));
    if (!m)
        return BF_ENOMEM;
    set_slots(t, m, cap, words, 0);
    return BF_OK;
}

int bf_htab_init_rec(bf_htab *t, size_t hint, size_t words)
{
    size_t cap = 16;
    while (cap / 2 < hint)
        cap *= 2;
    return alloc_slots(t, cap, words);
}

int bf_htab_init(bf_htab *t, size_t hint)
{
    return bf_htab_init_rec(t, hint, 1);
}

void bf_htab_fini(bf_htab *t)
{
    if (!t->fixed)
        free(t->key);
    t->key = t->val = NULL;
    t->cap = t->n = 0;
    t->has_max = 0;
}

static uint64_t *rec_at(const bf_htab *t, size_t i)
{
    return &t->val[i * t->words];
}

/* Copy and clear one value with constant sizes for the usual widths (inline moves, no call). */
static void val_copy(void *d, const void *s, size_t words)
{
    switch (words) {
    case 1:
        memcpy(d, s, 8);
        break;
    case 2:
        memcpy(d, s, 16);
        break;
    case 3:
        memcpy(d, s, 24);
        break;
    default:
        memcpy(d, s, words * sizeof(uint64_t));
    }
}

static void val_zero(void *d, size_t words)
{
    switch (words) {
    case 1:
        memset(d, 0, 8);
        break;
    case 2:
        memset(d, 0, 16);
        break;
    case 3:
        memset(d, 0, 24);
        break;
    default:
        memset(d, 0, words * sizeof(uint64_t));
    }
}

static int grow(bf_htab *t)
{
    bf_htab old = *t;
    if (alloc_slots(t, old.cap * 2, old.words)) {
        *t = old;
        return BF_ENOMEM;
    }
    bf_htab_copy(t, &old); /* cannot fail: twice the room */
    free(old.key);
    return BF_OK;
}

void *bf_htab_add(bf_htab *t, uint64_t key, int *added)
{
    if (added)
        *added = 0;
    size_t i = bf_htab_slot(t, key); /* UINT64_MAX: an empty slot, never its record */
    if (t->key[i])
        return rec_at(t, i);
    int max = key == UINT64_MAX;
    if (max && t->has_max)
        return rec_at(t, t->cap);
    if ((t->n + 1) * 2 > t->cap) {
        if (t->fixed || grow(t))
            return NULL;
        i = bf_htab_slot(t, key);
    }
    if (max) {
        i = t->cap;
        t->has_max = 1;
    } else {
        t->key[i] = key + 1;
    }
    t->n++;
    if (added)
        *added = 1;
    uint64_t *v = rec_at(t, i);
    val_zero(v, t->words);
    return v;
}

int bf_htab_put(bf_htab *t, uint64_t key, uint64_t val)
{
    void *v = bf_htab_add(t, key, NULL);
    if (!v)
        return BF_ENOMEM;
    memcpy(v, &val, sizeof val);
    return BF_OK;
}

/* Empty slot i (occupied) and shift the rest of its chain back. */
static void del_slot(bf_htab *t, size_t i)
{
    size_t mask = t->cap - 1;
    t->key[i] = 0;
    t->n--;
    /* backward shift: pull later entries of the chain into the hole unless their home lies
    ** cyclically in (hole, j], where they would become unreachable from it */
    for (size_t j = (i + 1) & mask; t->key[j]; j = (j + 1) & mask) {
        size_t h = bf_htab_home(t, t->key[j] - 1);
        int stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
        if (!stays) {
            t->key[i] = t->key[j];
            val_copy(rec_at(t, i), rec_at(t, j), t->words);
            t->key[j] = 0;
            i = j;
        }
    }
}

int bf_htab_del(bf_htab *t, uint64_t key)
{
    if (!t->cap)
        return 0;
    size_t i = bf_htab_slot(t, key);
    if (t->key[i]) {
        del_slot(t, i);
        return 1;
    }
    if (key != UINT64_MAX || !t->has_max)
        return 0;
    t->has_max = 0;
    t->n--;
    return 1;
}

void bf_htab_del_at(bf_htab *t, const void *val)
{
    size_t off = (size_t)((const uint64_t *)val - t->val), i;
    switch (t->words) { /* constant divisors for the usual widths: no division instruction */
    case 1:
        i = off;
        break;
    case 2:
        i = off / 2;
        break;
    case 3:
        i = off / 3;
        break;
    default:
        i = off / t->words;
    }
    if (i < t->cap) {
        del_slot(t, i);
    } else {
        t->has_max = 0;
        t->n--;
    }
}

void bf_htab_clear(bf_htab *t)
{
    if (t->cap)
        memset(t->key, 0, t->cap * sizeof *t->key);
    t->n = 0;
    t->has_max = 0;
}

int bf_htab_copy(bf_htab *dst, const bf_htab *src)
{
    size_t pos = 0;
    uint64_t key;
    const void *rec;
    while ((rec = bf_htab_next_rec(src, &pos, &key))) {
        void *d = bf_htab_add(dst, key, NULL);
        if (!d)
            return BF_ENOMEM;
        val_copy(d, rec, src->words);
    }
    return BF_OK;
}

void *bf_htab_next_rec(const bf_htab *t, size_t *pos, uint64_t *key)
{
    for (; *pos < t->cap; (*pos)++)
        if (t->key[*pos]) {
            *key = t->key[*pos] - 1;
            return rec_at(t, (*pos)++);
        }
    if (*pos == t->cap && t->has_max) {
        (*pos)++;
        *key = UINT64_MAX;
        return rec_at(t, t->cap);
    }
    return NULL;
}

int bf_htab_next(const bf_htab *t, size_t *pos, uint64_t *key, uint64_t *val)
{
    const void *rec = bf_htab_next_rec(t, pos, key);
    if (rec)
        memcpy(val, rec, sizeof *val);
    return rec != NULL;
}
