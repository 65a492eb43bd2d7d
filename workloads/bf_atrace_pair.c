/*
** bf_atrace_pair.c: pairing frees with their allocations, for every allocation-trace format.
**
** Assumptions: a free is paired with the live allocation at the same pointer (ftrace ptr,
** ltrace address) or pfn (page events), or with the same id (native, .rep): the (namespace,
** key) of bf_atrace_int.h. The free record gets the kind of its allocation when the format
** cannot tell it (a kfree of a kmem_cache_alloc object is emitted as cache_free).
**
** Algorithm: live allocations sit in one common/bf_htab per namespace (growing, from 1024
** slots at the first allocation), keyed by the key, each holding a bf_atrace_live record. A
** direct-mapped table of the last BF_ATRACE_FREED_MEMORY frees, indexed by the hash of
** (namespace, key), tells double frees from unmatched ones. Cache names are interned (at most
** BF_ATRACE_CACHE_MAX) so that a live record stays small.
** Invariant: the tables hold exactly the live allocations; live_n is the sum of their sizes.
*/
#include "bf_atrace_int.h"
#include "bf_hmem.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LIVE_WORDS = sizeof(bf_atrace_live) / sizeof(uint64_t) };

bf_atrace_live *bf_atrace_live_find(bf_atrace_reader *r, uint8_t ns, uint64_t key)
{
    return bf_htab_find_rec(&r->live[ns], key);
}

#ifndef NDEBUG
/* Debug builds: the invariant, live_n is the sum of the tables' sizes. */
static size_t live_count(const bf_atrace_reader *r)
{
    size_t n = 0;
    for (int ns = 0; ns < BF_ATRACE_NS_COUNT; ns++)
        n += r->live[ns].n;
    return n;
}
#endif

/* A zeroed record for (ns, key), which is not live; NULL when out of host memory. */
static bf_atrace_live *live_insert(bf_atrace_reader *r, uint8_t ns, uint64_t key)
{
    bf_htab *t = &r->live[ns];
    if (!t->cap && bf_htab_init_rec(t, 512, LIVE_WORDS) != BF_OK)
        return NULL;
    bf_atrace_live *e = bf_htab_add(t, key, NULL);
    if (!e)
        return NULL;
    r->live_n++;
    assert(live_count(r) == r->live_n);
    if (r->live_n > r->st.live_peak)
        r->st.live_peak = r->live_n;
    return e;
}

static void live_remove(bf_atrace_reader *r, uint8_t ns, bf_atrace_live *e)
{
    assert(r->live_n > 0);
    bf_htab_del_at(&r->live[ns], e);
    r->live_n--;
    assert(live_count(r) == r->live_n);
}

/* The freed-memory slot of (ns, key). */
static bf_atrace_freed *freed_slot(bf_atrace_reader *r, uint8_t ns, uint64_t key)
{
    uint64_t h = bf_htab_hash(key ^ ((uint64_t)ns << 56) ^ ns);
    return &r->freed[h & (BF_ATRACE_FREED_MEMORY - 1)];
}

static void freed_note(bf_atrace_reader *r, uint8_t ns, uint64_t key)
{
    bf_atrace_freed *f = freed_slot(r, ns, key);
    f->key = key;
    f->ns = ns;
    f->used = 1;
    f->line = bf_tio_lineno(r->in);
}

const bf_atrace_freed *bf_atrace_freed_find(bf_atrace_reader *r, uint8_t ns, uint64_t key)
{
    const bf_atrace_freed *f = freed_slot(r, ns, key);
    return f->used && f->ns == ns && f->key == key ? f : NULL;
}

static uint32_t cache_intern(bf_atrace_reader *r, const char *s, size_t n, int *rc)
{
    *rc = BF_OK;
    if (n > BF_ATRACE_NAME_MAX)
        n = BF_ATRACE_NAME_MAX;
    for (uint32_t i = 0; i < r->ncaches; i++) {
        const char *c = r->caches + (size_t)i * (BF_ATRACE_NAME_MAX + 1);
        if (strlen(c) == n && memcmp(c, s, n) == 0)
            return i + 1;
    }
    if (r->ncaches == BF_ATRACE_CACHE_MAX) {
        *rc =
            bf_atrace_fail(r, BF_EINPUT, "more than %d distinct cache names", BF_ATRACE_CACHE_MAX);
        return 0;
    }
    char *c = r->caches + (size_t)r->ncaches * (BF_ATRACE_NAME_MAX + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    return ++r->ncaches;
}

static const char *cache_name(const bf_atrace_reader *r, uint32_t c)
{
    return c ? r->caches + (size_t)(c - 1) * (BF_ATRACE_NAME_MAX + 1) : NULL;
}

/* The free op that matches an allocation op. */
static int free_of(int op)
{
    switch (op) {
    case BF_AOP_KMALLOC:
        return BF_AOP_KFREE;
    case BF_AOP_CACHE_ALLOC:
        return BF_AOP_CACHE_FREE;
    case BF_AOP_PAGES_ALLOC:
        return BF_AOP_PAGES_FREE;
    case BF_AOP_VMALLOC:
        return BF_AOP_VFREE;
    case BF_AOP_MMAP:
        return BF_AOP_MUNMAP;
    default:
        return BF_AOP_FREE;
    }
}

/* "ptr=0x...", "pfn=0x..." or "id N" for messages. */
static const char *keyname(int ns, uint64_t key, char *buf, size_t n)
{
    if (ns == BF_ATRACE_NS_ID)
        snprintf(buf, n, "id %" PRIu64, key);
    else
        snprintf(buf, n, "%s=0x%" PRIx64, ns == BF_ATRACE_NS_PTR ? "ptr" : "pfn", key);
    return buf;
}

/* Record an allocation under (ns, key): fills rec->id. Returns BF_OK or an error. */
int bf_atrace_pair_alloc(bf_atrace_reader *r, uint8_t ns, uint64_t key, uint64_t id, bf_arec *rec)
{
    bf_atrace_live *e = bf_atrace_live_find(r, ns, key);
    if (e) {
        if (!r->lenient) {
            char k[48];
            return bf_atrace_fail(r, BF_EINPUT,
                                  "allocation of %s which is still live "
                                  "(allocated at line %" PRIu64 "; its free is missing)",
                                  keyname(ns, key, k, sizeof k), e->line);
        }
        r->st.implicit_frees++;
        live_remove(r, ns, e);
    }
    e = live_insert(r, ns, key);
    if (!e)
        return bf_atrace_fail(r, BF_ENOMEM, "out of host memory for the live-allocation table");
    e->id = id;
    e->op = rec->op;
    e->order = rec->order;
    e->line = bf_tio_lineno(r->in);
    if (rec->op == BF_AOP_CACHE_ALLOC) {
        int rc;
        e->cache = cache_intern(r, rec->name, strlen(rec->name), &rc);
        if (rc)
            return rc;
    }
    rec->id = id;
    return BF_OK;
}

/* Pair a free with its allocation: fills rec->id, op (from the allocation's kind when
** adopt_kind), order and name. Returns BF_OK, BF_ATRACE_SKIP (lenient), or an error. */
int bf_atrace_pair_free(bf_atrace_reader *r, uint8_t ns, uint64_t key, bf_arec *rec, int adopt_kind)
{
    bf_atrace_live *e = bf_atrace_live_find(r, ns, key);
    if (!e) {
        const bf_atrace_freed *f = bf_atrace_freed_find(r, ns, key);
        if (r->lenient) {
            if (f)
                r->st.double_frees++;
            else
                r->st.unmatched_frees++;
            return BF_ATRACE_SKIP;
        }
        char k[48];
        if (f)
            return bf_atrace_fail(r, BF_EINPUT, "double free of %s (freed at line %" PRIu64 ")",
                                  keyname(ns, key, k, sizeof k), f->line);
        return bf_atrace_fail(r, BF_EINPUT, "unmatched free of %s", keyname(ns, key, k, sizeof k));
    }
    if (adopt_kind) {
        rec->op = (uint8_t)free_of(e->op);
    } else if (free_of(e->op) != rec->op) {
        return bf_atrace_fail(r, BF_EINPUT, "%s of id %" PRIu64 " allocated by %s at line %" PRIu64,
                              bf_aop_name(rec->op), key, bf_aop_name(e->op), e->line);
    }
    if (rec->op == BF_AOP_PAGES_FREE && !adopt_kind && rec->order != e->order)
        return bf_atrace_fail(r, BF_EINPUT,
                              "pages_free of id %" PRIu64 " with order %u, allocated with order %u",
                              key, rec->order, e->order);
    if (rec->op == BF_AOP_CACHE_FREE && !adopt_kind &&
        strcmp(rec->name, cache_name(r, e->cache)) != 0)
        return bf_atrace_fail(r, BF_EINPUT,
                              "cache_free of id %" PRIu64 " from cache '%s', allocated from '%s'",
                              key, rec->name, cache_name(r, e->cache));
    rec->id = e->id;
    rec->order = e->order;
    if (rec->op == BF_AOP_CACHE_FREE)
        rec->name = cache_name(r, e->cache);
    freed_note(r, ns, key);
    live_remove(r, ns, e);
    return BF_OK;
}
