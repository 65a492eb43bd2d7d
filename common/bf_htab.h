/*
** bf_htab.h: an open-addressing hash table from 64-bit keys to values of a fixed number of 64-bit
** words (one word: a number; more: a caller's record, e.g. a live allocation or a page's
** counters): linear probing, backward-shift deletion (no tombstones, so a probe chain never
** holds dead slots), capacity a power of two.
**
** Two storage modes: growing (bf_htab_init*: bf_calloc'ed, doubles when an insert would pass
** half load) and fixed (bf_htab_init_mem*: the caller's memory of bf_htab_*bytes(cap) bytes,
** never grows, an insert into a half-full table is refused; for hot paths and for callers that
** cannot use malloc). Every 64-bit value is a key: keys are stored as key + 1 (0 marks an empty
** slot), and UINT64_MAX, whose key + 1 is 0, has its own record after the slots.
**
** Records: a value of `words` words is a caller's struct of that size whose fields need at most
** 8-byte alignment; the table moves records with memcpy, so the caller may read and write them
** through its own struct type.
**
** Invariant: every stored key but UINT64_MAX is reachable from its home slot
** hash(key) & (cap - 1) through occupied slots only; n (UINT64_MAX included) <= cap / 2.
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
    uint64_t *val; /* (cap + 1) * words: slot i's value at i * words, UINT64_MAX's at cap * words */
    size_t cap;    /* slots, a power of two */
    size_t n;      /* keys stored */
    size_t words;  /* 64-bit words per value */
    int has_max;   /* UINT64_MAX is stored */
    int fixed;     /* caller's memory: never grows, never freed */
} bf_htab;

/* Growing table with room for at least `hint` keys before its first growth; BF_OK or BF_ENOMEM.
** bf_htab_init: one-word values; bf_htab_init_rec: records of `words` words (>= 1). */
int bf_htab_init(bf_htab *t, size_t hint);
int bf_htab_init_rec(bf_htab *t, size_t hint, size_t words);
/* Fixed table over mem (bf_htab_bytes(cap) or bf_htab_rec_bytes(cap, words) bytes, 8-byte
** aligned; cap a power of two >= 2): room for cap / 2 keys. */
size_t bf_htab_bytes(size_t cap);
void bf_htab_init_mem(bf_htab *t, void *mem, size_t cap);
size_t bf_htab_rec_bytes(size_t cap, size_t words);
void bf_htab_init_mem_rec(bf_htab *t, void *mem, size_t cap, size_t words);
/* Frees a growing table's memory (a fixed table's belongs to its caller). */
void bf_htab_fini(bf_htab *t);

/* Hash of a key: the 64-bit finaliser of MurmurHash3 (fmix64), so sequential keys spread. */
static inline uint64_t bf_htab_hash(uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    key *= 0xc4ceb9fe1a85ec53ull;
    key ^= key >> 33;
    return key;
}

/* Home slot of key. */
static inline size_t bf_htab_home(const bf_htab *t, uint64_t key)
{
    return (size_t)bf_htab_hash(key) & (t->cap - 1);
}

/* The slot holding key, or the empty slot ending its probe chain (cap > 0; for UINT64_MAX, which
** no slot holds, the first empty slot from its home). */
static inline size_t bf_htab_slot(const bf_htab *t, uint64_t key)
{
    size_t i = bf_htab_home(t, key);
    while (t->key[i] && t->key[i] != key + 1)
        i = (i + 1) & (t->cap - 1);
    return i;
}

/* The value of key in a table of one-word values (bf_htab_init, bf_htab_init_mem), or NULL.
** The pointer is valid until the next put, add or del. Inline: it is the operation on hot paths
** (one probe chain, no call). */
static inline uint64_t *bf_htab_find(const bf_htab *t, uint64_t key)
{
    if (!t->cap)
        return NULL;
    size_t i = bf_htab_slot(t, key);
    if (t->key[i])
        return &t->val[i];
    return key == UINT64_MAX && t->has_max ? &t->val[t->cap] : NULL;
}
/* The record of key in a table of any width, or NULL; valid as bf_htab_find's. */
static inline void *bf_htab_find_rec(const bf_htab *t, uint64_t key)
{
    if (!t->cap)
        return NULL;
    size_t i = bf_htab_slot(t, key);
    if (t->key[i])
        return &t->val[i * t->words];
    return key == UINT64_MAX && t->has_max ? &t->val[t->cap * t->words] : NULL;
}
/* Sets key's value (the first word; a record's other words are zero when key is new), inserting
** key if absent: BF_OK, or BF_ENOMEM when the table cannot take another key. */
int bf_htab_put(bf_htab *t, uint64_t key, uint64_t val);
/* The record of key, inserted zero-filled if absent (*added, when not NULL, says which); NULL
** when key is absent and the table cannot take another key. Valid until the next put, add or
** del. */
void *bf_htab_add(bf_htab *t, uint64_t key, int *added);
/* Removes key; returns 1 if it was present. */
int bf_htab_del(bf_htab *t, uint64_t key);
/* Removes the key whose value val is (a pointer find or add returned, still valid): no second
** lookup. */
void bf_htab_del_at(bf_htab *t, const void *val);
/* Removes every key (capacity kept). */
void bf_htab_clear(bf_htab *t);
/* Adds every key of src with its record to dst (same words): BF_OK, or BF_ENOMEM when dst
** cannot take them all (the keys added so far stay). */
int bf_htab_copy(bf_htab *dst, const bf_htab *src);

/* Iteration in slot order (UINT64_MAX last): start with *pos = 0. bf_htab_next gives the key and
** the value's first word and returns 0 when done; bf_htab_next_rec gives the key and returns
** the record, NULL when done. Must not be interleaved with put, add or del. */
int bf_htab_next(const bf_htab *t, size_t *pos, uint64_t *key, uint64_t *val);
void *bf_htab_next_rec(const bf_htab *t, size_t *pos, uint64_t *key);

#ifdef __cplusplus
}
#endif

#endif
