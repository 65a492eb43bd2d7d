/*
** alloc_test.h: the allocator tests' fixture: a flat simulated memory (hand-worked layouts, or a
** Blackfin-like one), the allocator under test, walk helpers, and the one seeded randomized
** stress driver (at_stress_run) that checks an allocator's invariants after every operation.
**
** Layout (unless a test overrides it): base 0, `size` bytes, the "kernel image" [0, 64 KiB) and
** the 1 MiB-style uncached DMA region scaled to the top 1/8 of memory reserved, 4 KiB pages,
** MAX_ORDER 11.
**
** The stress driver's own oracles (independent of the allocator's check):
**  - live allocations never overlap and lie inside managed, unreserved memory;
**  - a tag written at the first and last word of every live allocation is intact when it is
**    freed (the allocator never writes its metadata into a live block);
**  - xUsable >= the request (or 0: unknown);
**  - xWalk extents do not overlap and every live allocation starts inside a used extent;
**  - after every operation the allocator's host counters (xFreeBytes: free bytes, and the
**    largest free block where it keeps it; xFreeOrders: free blocks per order) equal the walk;
**  - exhaustion and recovery: single pages taken until failure and given back restore the free
**    memory seen before; with restores_free, freeing everything restores the free memory seen
**    after create.
*/
#ifndef ALLOC_TEST_H
#define ALLOC_TEST_H

#include <stdlib.h>

#include "bf_alloc.h"
#include "bf_test.h"

typedef struct at_env {
    bf_flatmem *f;
    bf_amem m;
    bf_alloc_env env;
    bf_arange res[2];
    const bf_alloc_methods *ops;
    void *st;
} at_env;

/* A flat memory [base, base+size) of `latency` cycles per access and the default env on it,
** with nothing reserved. */
static inline void at_env_mem(at_env *e, bf_addr base, uint32_t size, uint32_t latency)
{
    memset(e, 0, sizeof *e);
    if (bf_flatmem_create(base, size, latency, &e->f) != BF_OK) {
        fprintf(stderr, "flatmem\n");
        exit(2);
    }
    e->m.port = bf_flatmem_port(e->f);
    bf_alloc_env_default(&e->env);
    e->env.mem = &e->m;
    e->env.base = base;
    e->env.size = size;
}

/* The page-allocator tests' hand-worked layouts: 1 cycle per access, nothing reserved,
** max_order and min_free_kbytes given (0 = kernel formula). */
static inline void at_env_flat(at_env *e, bf_addr base, uint32_t size, unsigned max_order,
                               uint32_t min_free_kbytes)
{
    at_env_mem(e, base, size, 1);
    e->env.max_order = max_order;
    e->env.min_free_kbytes = min_free_kbytes;
}

/* The Blackfin-like layout above. */
static inline void at_env_layout(at_env *e, uint32_t size, uint32_t latency)
{
    at_env_mem(e, 0, size, latency);
    e->env.max_order = 11;
    e->res[0].start = 0;
    e->res[0].len = 0x10000;
    e->res[1].start = size - size / 8;
    e->res[1].len = size / 8;
    e->env.reserved = e->res;
    e->env.nreserved = 2;
}

/* Creates the allocator on the current env; returns xCreate's code. */
static inline int at_env_create(at_env *e, const char *name)
{
    e->ops = bf_alloc_find(name);
    BF_CHECK(e->ops != NULL);
    if (!e->ops)
        return BF_ECONFIG;
    return e->ops->xCreate(&e->env, &e->st);
}

static inline int at_open(at_env *e, const char *name, uint32_t size, uint32_t latency)
{
    at_env_layout(e, size, latency);
    return at_env_create(e, name);
}

static inline void at_close(at_env *e)
{
    if (e->ops && e->st)
        e->ops->xDestroy(e->st);
    bf_flatmem_destroy(e->f);
    memset(e, 0, sizeof *e);
}

/* The allocator's check; prints the message on failure. */
static inline int at_sound(at_env *e)
{
    const char *r = e->ops->xCheck(e->st);
    if (r)
        fprintf(stderr, "%s check: %s\n", e->ops->name, r);
    return r == NULL;
}

/* ---- walk collection ---- */
typedef struct at_ext {
    bf_addr a;
    uint64_t len;
    int used;
} at_ext;

typedef struct at_walk {
    at_ext *v;
    size_t n, cap;
    uint64_t free_bytes, used_bytes;
    int oom;
} at_walk;

static inline void at_walk_visit(void *arg, bf_addr a, uint64_t len, int used)
{
    at_walk *w = arg;
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 256;
        at_ext *v = realloc(w->v, cap * sizeof *v);
        if (!v) {
            w->oom = 1;
            return;
        }
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n].a = a;
    w->v[w->n].len = len;
    w->v[w->n].used = used;
    w->n++;
    if (used)
        w->used_bytes += len;
    else
        w->free_bytes += len;
}

static inline int at_ext_cmp(const void *x, const void *y)
{
    const at_ext *a = x, *b = y;
    return a->a < b->a ? -1 : a->a > b->a;
}

/* Walks and sorts; returns 1 if no two extents overlap and none is empty. */
static inline int at_walk_collect(at_env *e, at_walk *w)
{
    memset(w, 0, sizeof *w);
    e->ops->xWalk(e->st, at_walk_visit, w);
    if (w->oom)
        return 0;
    qsort(w->v, w->n, sizeof *w->v, at_ext_cmp);
    for (size_t i = 0; i < w->n; i++) {
        if (w->v[i].len == 0)
            return 0;
        if (i && (uint64_t)w->v[i - 1].a + w->v[i - 1].len > w->v[i].a)
            return 0;
    }
    return 1;
}

/* Extent containing a, or NULL. */
static inline const at_ext *at_walk_find(const at_walk *w, bf_addr a)
{
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->v[mid].a > a)
            hi = mid;
        else if ((uint64_t)w->v[mid].a + w->v[mid].len <= a)
            lo = mid + 1;
        else
            return &w->v[mid];
    }
    return NULL;
}

static inline uint64_t at_walk_free_bytes(at_env *e)
{
    at_walk w;
    at_walk_collect(e, &w);
    free(w.v);
    return w.free_bytes;
}

/* ---- randomized stress ---- */

/* xorshift64*: seeded, reproducible. */
static inline uint64_t at_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

enum { AT_KMALLOC = 0, AT_CACHE = 1, AT_PAGES = 2, AT_MMAP = 3 };

typedef struct at_live {
    bf_addr a;
    uint64_t size;  /* requested bytes */
    int kind;       /* AT_* */
    unsigned order; /* AT_PAGES */
    int cache;      /* AT_CACHE: index into at_cache_names */
    uint32_t tag;
} at_live;

static const char *const at_cache_names[] = {"dentry_cache", "inode_cache", "buffer_head",
                                             "task_struct"};
static const uint32_t at_cache_sizes[] = {132, 312, 52, 1040};

/* What a stress run does besides random allocations and frees. */
typedef struct at_stress_opts {
    uint64_t seed;          /* 0 counts as 1 */
    unsigned nops;          /* random operations of phase 1 */
    unsigned boot_end_at;   /* 0, or the phase-1 operation before which "boot-end" is announced
                               (bootmem: blocks freed before it keep their partial pages) */
    int restores_free;      /* everything freed: the free memory after create again */
    unsigned recover_every; /* 0, or every Nth phase-1 operation is an exhaustion of single
                               pages (xAllocPages order 0) followed by their recovery */
} at_stress_opts;

typedef struct at_stress {
    at_env *e;
    const at_stress_opts *o;
    uint64_t rng;
    at_live *live;
    size_t nlive, cap;
    uint32_t next_tag;
    uint64_t ops, allocs, fails, frees;
    int booting; /* boot_end_at not reached yet */
    int broken;  /* an oracle failed: stop early */
} at_stress;

static inline int at_in_managed(const at_env *e, bf_addr a, uint64_t len)
{
    if (a < e->env.base || (uint64_t)a + len > (uint64_t)e->env.base + e->env.size)
        return 0;
    for (size_t i = 0; i < e->env.nreserved; i++) {
        const bf_arange *r = &e->env.reserved[i];
        if (a < (uint64_t)r->start + r->len && r->start < (uint64_t)a + len)
            return 0;
    }
    return 1;
}

static inline void at_tag_write(at_env *e, const at_live *l)
{
    if (l->size < 8)
        return;
    bf_amem_w32(&e->m, l->a, l->tag);
    bf_amem_w32(&e->m, l->a + (bf_addr)((l->size - 4) & ~3ull), ~l->tag);
}

static inline int at_tag_ok(at_env *e, const at_live *l)
{
    if (l->size < 8)
        return 1;
    return bf_amem_r32(&e->m, l->a) == l->tag &&
           bf_amem_r32(&e->m, l->a + (bf_addr)((l->size - 4) & ~3ull)) == ~l->tag;
}

/* One allocation of a random kind among those the allocator has (kmalloc always, named caches,
** page blocks, nommu process memory) and of a random size; returns 1 if it succeeded. */
static inline int at_stress_alloc(at_stress *t, int big)
{
    at_env *e = t->e;
    at_live l;
    memset(&l, 0, sizeof l);
    uint64_t r = at_rand(&t->rng);
    int kind = (int)(r % 10);
    l.kind = kind < 6 ? AT_KMALLOC : kind < 8 ? AT_CACHE : kind < 9 ? AT_PAGES : AT_MMAP;
    if (l.kind == AT_CACHE && !e->ops->xCacheAlloc)
        l.kind = AT_KMALLOC;
    if (l.kind == AT_PAGES && !e->ops->xAllocPages)
        l.kind = AT_KMALLOC;
    if (l.kind == AT_MMAP && !e->ops->xMmap)
        l.kind = e->ops->xAllocPages ? AT_PAGES : AT_KMALLOC;
    uint32_t gfp = (r >> 8) % 16 == 0 ? BF_GFP_ATOMIC : BF_GFP_KERNEL;
    bf_addr a = 0;
    int rc;
    if (l.kind == AT_KMALLOC) {
        uint64_t x = at_rand(&t->rng);
        if (big)
            l.size = 4096 + x % 65536;
        else if (x % 100 < 70)
            l.size = 1 + (x >> 8) % 256;
        else if (x % 100 < 95)
            l.size = 1 + (x >> 8) % 4096;
        else
            l.size = 1 + (x >> 8) % 40000;
        rc = e->ops->xAlloc(e->st, l.size, gfp, &a);
    } else if (l.kind == AT_CACHE) {
        l.cache = (int)(at_rand(&t->rng) % BF_ARRAY_SIZE(at_cache_names));
        l.size = at_cache_sizes[l.cache];
        rc = e->ops->xCacheAlloc(e->st, at_cache_names[l.cache], l.size, gfp, &a);
    } else if (l.kind == AT_PAGES) {
        l.order = (unsigned)(at_rand(&t->rng) % (big ? 5 : 3));
        l.size = (uint64_t)e->env.page_size << l.order;
        rc = e->ops->xAllocPages(e->st, l.order, gfp, &a);
    } else {
        l.size = 8 + at_rand(&t->rng) % (big ? 200 * 1024 : 48 * 1024);
        rc = e->ops->xMmap(e->st, l.size, gfp, &a);
    }
    t->ops++;
    BF_CHECK_EQ(rc, BF_OK);
    if (!a) {
        t->fails++;
        return 0;
    }
    t->allocs++;
    if (!at_in_managed(e, a, l.size)) {
        fprintf(stderr, "allocation 0x%08x+%llu outside managed memory\n", (unsigned)a,
                (unsigned long long)l.size);
        BF_CHECK(0);
        t->broken = 1;
    }
    for (size_t i = 0; i < t->nlive; i++) {
        const at_live *o = &t->live[i];
        if (a < o->a + o->size && o->a < a + l.size) {
            fprintf(stderr, "allocation 0x%08x+%llu overlaps live 0x%08x+%llu\n", (unsigned)a,
                    (unsigned long long)l.size, (unsigned)o->a, (unsigned long long)o->size);
            BF_CHECK(0);
            t->broken = 1;
            break;
        }
    }
    uint64_t usable = l.kind == AT_KMALLOC ? e->ops->xUsable(e->st, a) : 0;
    if (usable && usable < l.size) { /* 0: unknown (bootmem before the hand-over) */
        BF_CHECK(usable >= l.size);
        t->broken = 1;
    }
    l.a = a;
    l.tag = 0x5A000000u ^ ++t->next_tag;
    at_tag_write(e, &l);
    if (t->nlive == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 256;
        t->live = realloc(t->live, t->cap * sizeof *t->live);
        BF_CHECK(t->live != NULL);
        if (!t->live)
            exit(1);
    }
    t->live[t->nlive++] = l;
    return 1;
}

/* Free live block i the way it was allocated (with its size when the allocator takes it). */
static inline void at_stress_free(at_stress *t, size_t i)
{
    at_env *e = t->e;
    at_live l = t->live[i];
    t->live[i] = t->live[--t->nlive];
    if (!at_tag_ok(e, &l)) {
        fprintf(stderr, "tag of live block 0x%08x+%llu overwritten\n", (unsigned)l.a,
                (unsigned long long)l.size);
        BF_CHECK(0);
        t->broken = 1;
    }
    int rc;
    if (l.kind == AT_CACHE)
        rc = e->ops->xCacheFree(e->st, at_cache_names[l.cache], l.a);
    else if (l.kind == AT_PAGES)
        rc = e->ops->xFreePages(e->st, l.a, l.order);
    else if (e->ops->xFreeSize)
        rc = e->ops->xFreeSize(e->st, l.a, l.size);
    else
        rc = e->ops->xFree(e->st, l.a);
    t->ops++;
    t->frees++;
    BF_CHECK_EQ(rc, BF_OK);
}

static inline void at_stress_verify_walk(at_stress *t)
{
    at_walk w;
    int ok = at_walk_collect(t->e, &w);
    BF_CHECK(ok);
    for (size_t i = 0; ok && i < t->nlive; i++) {
        const at_ext *x = at_walk_find(&w, t->live[i].a);
        if (!x || !x->used) {
            fprintf(stderr, "live block 0x%08x not inside a used extent\n", (unsigned)t->live[i].a);
            BF_CHECK(0);
            t->broken = 1;
            break;
        }
    }
    free(w.v);
}

/* The allocator's check, then its host free-memory counters (xFreeBytes, and xLargestFree where
** the counters cannot say the largest free extent; xLargestFreeBound must not exceed it) against
** a walk. */
static inline void at_stress_check(at_stress *t)
{
    if (!at_sound(t->e)) {
        BF_CHECK(0);
        t->broken = 1;
        return;
    }
    BF_CHECK(t->e->ops->xFreeBytes != NULL);
    if (!t->e->ops->xFreeBytes)
        return;
    uint64_t largest, fb = t->e->ops->xFreeBytes(t->e->st, &largest);
    at_walk w;
    at_walk_collect(t->e, &w);
    uint64_t wl = 0;
    unsigned norders = t->e->env.max_order;
    uint32_t wnr[BF_ALLOC_ORDERS_MAX] = {0}, cnr[BF_ALLOC_ORDERS_MAX] = {0};
    for (size_t i = 0; i < w.n; i++)
        if (!w.v[i].used) {
            if (w.v[i].len > wl)
                wl = w.v[i].len;
            bf_alloc_count_free(wnr, norders, w.v[i].len / t->e->env.page_size, 1);
        }
    free(w.v);
    if (t->e->ops->xFreeOrders) {
        t->e->ops->xFreeOrders(t->e->st, cnr, norders);
        for (unsigned o = 0; o < norders; o++)
            if (cnr[o] != wnr[o]) {
                fprintf(stderr, "%s op %llu: counters %lu free blocks of order %u, walk %lu\n",
                        t->e->ops->name, (unsigned long long)t->ops, (unsigned long)cnr[o], o,
                        (unsigned long)wnr[o]);
                BF_CHECK(0);
                t->broken = 1;
                break;
            }
    }
    if (largest == BF_ALLOC_LARGEST_UNKNOWN && t->e->ops->xLargestFree)
        largest = t->e->ops->xLargestFree(t->e->st); /* it must know what the counters do not */
    uint64_t bound = t->e->ops->xLargestFreeBound ? t->e->ops->xLargestFreeBound(t->e->st) : 0;
    if (bound > wl) {
        fprintf(stderr, "%s op %llu: largest-free bound %llu above the walk's largest %llu\n",
                t->e->ops->name, (unsigned long long)t->ops, (unsigned long long)bound,
                (unsigned long long)wl);
        BF_CHECK(0);
        t->broken = 1;
    }
    if (fb != w.free_bytes || (largest != BF_ALLOC_LARGEST_UNKNOWN && largest != wl)) {
        fprintf(stderr, "%s op %llu: counters %llu free (largest %llu), walk %llu (largest %llu)\n",
                t->e->ops->name, (unsigned long long)t->ops, (unsigned long long)fb,
                (unsigned long long)largest, (unsigned long long)w.free_bytes,
                (unsigned long long)wl);
        BF_CHECK(0);
        t->broken = 1;
    }
}

/* Single pages until the allocator refuses one, then all of them back: the free memory must be
** what it was before. */
static inline void at_stress_recover(at_stress *t)
{
    at_env *e = t->e;
    uint64_t before = at_walk_free_bytes(e);
    size_t max = e->env.size / e->env.page_size, k = 0;
    bf_addr *pg = malloc(max * sizeof *pg);
    BF_CHECK(pg != NULL);
    if (!pg)
        exit(1);
    while (k < max && e->ops->xAllocPages(e->st, 0, BF_GFP_ATOMIC, &pg[k]) == BF_OK && pg[k])
        k++;
    BF_CHECK(k < max);
    while (k > 0)
        BF_CHECK_EQ(e->ops->xFreePages(e->st, pg[--k], 0), BF_OK);
    free(pg);
    BF_CHECK_EQ(at_walk_free_bytes(e), before);
    at_stress_check(t);
}

/*
** Phase 1: `nops` random operations (allocation with probability 55%, else a free of a random
** live block; now and then a declared page cache, the boot-end announcement, an exhaustion and
** recovery of single pages), check after each. Phase 2: exhaustion: large allocations until 40
** in a row fail. Phase 3: free everything in random order, check after each free.
*/
static inline void at_stress_run(at_env *e, const at_stress_opts *o)
{
    at_stress t;
    memset(&t, 0, sizeof t);
    t.e = e;
    t.o = o;
    t.rng = o->seed ? o->seed : 1;
    t.booting = o->boot_end_at > 0;
    uint64_t initial = at_walk_free_bytes(e);
    for (unsigned i = 0; i < o->nops && !t.broken; i++) {
        if (t.booting && i == o->boot_end_at) {
            BF_CHECK_EQ(e->ops->xPhase(e->st, "boot-end"), BF_OK);
            t.booting = 0;
            at_stress_check(&t);
        }
        if (e->ops->xReclaimable && !t.booting && at_rand(&t.rng) % 50 == 0)
            e->ops->xReclaimable(e->st, at_rand(&t.rng) % 24);
        if (o->recover_every && e->ops->xAllocPages &&
            i % o->recover_every == o->recover_every - 1) {
            at_stress_recover(&t);
            continue;
        }
        if (t.nlive == 0 || at_rand(&t.rng) % 100 < 55)
            at_stress_alloc(&t, 0);
        else
            at_stress_free(&t, (size_t)(at_rand(&t.rng) % t.nlive));
        at_stress_check(&t);
        if (i % 97 == 0)
            at_stress_verify_walk(&t);
    }
    /* Exhaustion. */
    unsigned streak = 0, guard = 0;
    while (streak < 40 && !t.broken && guard++ < 100000) {
        if (at_stress_alloc(&t, 1))
            streak = 0;
        else
            streak++;
        at_stress_check(&t);
    }
    BF_CHECK(streak >= 40); /* memory was exhausted */
    at_stress_verify_walk(&t);
    /* Recovery: free all in random order. */
    while (t.nlive && !t.broken) {
        at_stress_free(&t, (size_t)(at_rand(&t.rng) % t.nlive));
        at_stress_check(&t);
    }
    if (e->ops->xReclaimable && !t.booting)
        e->ops->xReclaimable(e->st, 0);
    at_stress_check(&t);
    BF_CHECK_EQ(t.nlive, 0);
    BF_CHECK(t.fails > 0);
    BF_CHECK(t.allocs > o->nops / 4);
    if (o->restores_free && !o->boot_end_at)
        BF_CHECK_EQ(at_walk_free_bytes(e), initial);
    fprintf(stderr, "%s seed %llu: %llu ops, %llu allocs, %llu failed, %llu frees\n", e->ops->name,
            (unsigned long long)o->seed, (unsigned long long)t.ops, (unsigned long long)t.allocs,
            (unsigned long long)t.fails, (unsigned long long)t.frees);
    free(t.live);
}

#endif
