/*
** bf_htab.h: an open-addressing hash table from 64-bit keys to 64-bit values (live allocations by
** id or pointer, page numbers to slots): linear probing, backward-shift deletion (no tombstones,
** so a probe chain never holds dead slots), capacity a power of two.
**
** Two storage modes: growing (bf_htab_init: bf_calloc'ed, doubles when an insert would pass half
** load) and fixed (bf_htab_init_mem: the caller's memory of bf_htab_bytes(cap) bytes, never grows,
** an insert into a half-full table returns BF_ENOMEM; for hot paths and for callers that cannot
** use malloc). Keys are any value but UINT64_MAX (stored as key + 1; 0 marks an empty slot).
**
** Invariant: every stored key is reachable from its home slot hash(key) & (cap - 1) through
** occupied slots only; n <= cap / 2.
*/
#ifndef BF_HTAB_H
#define BF_HTAB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bf_htab {
    uint64_t *key; /* key + 1; 0 = empty */
    uint64_t *val;
    size_t cap; /* slots, a power of two */
    size_t n;   /* keys stored */
    int fixed;  /* caller's memory: never grows, never freed */
} bf_htab;

/* Growing table with room for at least `hint` keys before its first growth; BF_OK or BF_ENOMEM. */
int bf_htab_init(bf_htab *t, size_t hint);
/* Fixed table over mem (bf_htab_bytes(cap) bytes, suitably aligned; cap a power of two >= 2). */
size_t bf_htab_bytes(size_t cap);
void bf_htab_init_mem(bf_htab *t, void *mem, size_t cap);
/* Frees a growing table's memory (a fixed table's belongs to its caller). */
void bf_htab_fini(bf_htab *t);

/* Home slot of key (fmix64 of the key, masked). */
static inline size_t bf_htab_home(const bf_htab *t, uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    key *= 0xc4ceb9fe1a85ec53ull;
    key ^= key >> 33;
    return (size_t)key & (t->cap - 1);
}

/* The slot holding key, or the empty slot ending its probe chain (cap > 0). */
static inline size_t bf_htab_slot(const bf_htab *t, uint64_t key)
{
    size_t i = bf_htab_home(t, key);
    while (t->key[i] && t->key[i] != key + 1)
        i = (i + 1) & (t->cap - 1);
    return i;
}

/* The value of key, or NULL. The pointer is valid until the next put or del. Inline: it is the
** operation on hot paths (one probe chain, no call). */
static inline uint64_t *bf_htab_find(const bf_htab *t, uint64_t key)
{
    if (!t->cap)
        return NULL;
    size_t i = bf_htab_slot(t, key);
    return t->key[i] ? &t->val[i] : NULL;
}
/* Sets key's value (inserting it if absent): BF_OK, or BF_ENOMEM when the table cannot grow. */
int bf_htab_put(bf_htab *t, uint64_t key, uint64_t val);
/* Removes key; returns 1 if it was present. */
int bf_htab_del(bf_htab *t, uint64_t key);
/* Removes every key (capacity kept). */
void bf_htab_clear(bf_htab *t);

/* Iteration in slot order: start with *pos = 0; returns 0 when done. Must not be interleaved
** with put or del. */
int bf_htab_next(const bf_htab *t, size_t *pos, uint64_t *key, uint64_t *val);

#ifdef __cplusplus
}
#endif

#endif
