/*
** ab_util.h: shared fixture of the part-B allocator tests (slab, SLOB, TLSF): a flat simulated
** memory with a Blackfin-like layout, the allocator under test, and a seeded randomized stress
** driver that checks the allocator's invariants after every operation.
**
** Layout (unless a test overrides it): base 0, `size` bytes, the "kernel image" [0, 64 KiB) and
** the 1 MiB-style uncached DMA region scaled to the top 1/8 of memory reserved, 4 KiB pages,
** MAX_ORDER 11.
**
** The stress driver's own oracles (independent of the allocator's check):
**  - live allocations never overlap and lie inside managed, unreserved memory;
**  - a tag written at the first and last word of every live allocation is intact when it is
**    freed (the allocator never writes its metadata into a live block);
**  - xUsable >= the request;
**  - xWalk extents do not overlap and every live allocation starts inside a used extent.
*/
#ifndef AB_UTIL_H
#define AB_UTIL_H

#include <stdlib.h>

#include "bf_alloc.h"
#include "bf_test.h"

typedef struct ab_env {
    bf_flatmem *f;
    bf_amem m;
    bf_alloc_env env;
    bf_arange res[2];
    const bf_alloc_methods *ops;
    void *st;
} ab_env;

static inline void ab_env_layout(ab_env *e, uint32_t size, uint32_t latency)
{
    memset(e, 0, sizeof *e);
    BF_CHECK_EQ(bf_flatmem_create(0, size, latency, &e->f), BF_OK);
    e->m.port = bf_flatmem_port(e->f);
    bf_alloc_env_default(&e->env);
    e->env.mem = &e->m;
    e->env.base = 0;
    e->env.size = size;
    e->env.max_order = 11;
    e->res[0].start = 0;
    e->res[0].len = 0x10000;
    e->res[1].start = size - size / 8;
    e->res[1].len = size / 8;
    e->env.reserved = e->res;
    e->env.nreserved = 2;
}

extern const bf_alloc_methods bf_alloc_slab, bf_alloc_slob, bf_alloc_tlsf;

/* Creates the allocator on the current env; returns xCreate's code. The tables are named
** directly: that is what links them in from the static library (the registry only holds weak
** references); once linked, the registry must find the same table. */
static inline int ab_env_create(ab_env *e, const char *name)
{
    e->ops = strcmp(name, "slab") == 0   ? &bf_alloc_slab
             : strcmp(name, "slob") == 0 ? &bf_alloc_slob
             : strcmp(name, "tlsf") == 0 ? &bf_alloc_tlsf
                                         : NULL;
    BF_CHECK(e->ops != NULL);
    if (!e->ops)
        return BF_ECONFIG;
    BF_CHECK(bf_alloc_find(name) == e->ops);
    return e->ops->xCreate(&e->env, &e->st);
}

static inline int ab_open(ab_env *e, const char *name, uint32_t size, uint32_t latency)
{
    ab_env_layout(e, size, latency);
    return ab_env_create(e, name);
}

static inline void ab_close(ab_env *e)
{
    if (e->ops && e->st)
        e->ops->xDestroy(e->st);
    bf_flatmem_destroy(e->f);
    memset(e, 0, sizeof *e);
}

/* The allocator's check; prints the message on failure. */
static inline int ab_sound(ab_env *e)
{
    const char *r = e->ops->xCheck(e->st);
    if (r)
        fprintf(stderr, "%s check: %s\n", e->ops->name, r);
    return r == NULL;
}

/* ---- walk collection ---- */
typedef struct ab_ext {
    bf_addr a;
    uint64_t len;
    int used;
} ab_ext;

typedef struct ab_walk {
    ab_ext *v;
    size_t n, cap;
    uint64_t free_bytes, used_bytes;
    int oom;
} ab_walk;

static inline void ab_walk_visit(void *arg, bf_addr a, uint64_t len, int used)
{
    ab_walk *w = arg;
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 256;
        ab_ext *v = realloc(w->v, cap * sizeof *v);
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

static inline int ab_ext_cmp(const void *x, const void *y)
{
    const ab_ext *a = x, *b = y;
    return a->a < b->a ? -1 : a->a > b->a;
}

/* Walks and sorts; returns 1 if no two extents overlap and none is empty. */
static inline int ab_walk_collect(ab_env *e, ab_walk *w)
{
    memset(w, 0, sizeof *w);
    e->ops->xWalk(e->st, ab_walk_visit, w);
    if (w->oom)
        return 0;
    qsort(w->v, w->n, sizeof *w->v, ab_ext_cmp);
    for (size_t i = 0; i < w->n; i++) {
        if (w->v[i].len == 0)
            return 0;
        if (i && (uint64_t)w->v[i - 1].a + w->v[i - 1].len > w->v[i].a)
            return 0;
    }
    return 1;
}

/* Extent containing a, or NULL. */
static inline const ab_ext *ab_walk_find(const ab_walk *w, bf_addr a)
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

static inline uint64_t ab_walk_free_bytes(ab_env *e)
{
    ab_walk w;
    ab_walk_collect(e, &w);
    free(w.v);
    return w.free_bytes;
}

/* ---- randomized stress ---- */

/* xorshift64*: seeded, reproducible. */
static inline uint64_t ab_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

enum { AB_KMALLOC = 0, AB_CACHE = 1, AB_PAGES = 2 };

typedef struct ab_live {
    bf_addr a;
    uint64_t size;  /* requested bytes */
    int kind;       /* AB_* */
    unsigned order; /* AB_PAGES */
    int cache;      /* AB_CACHE: index into ab_cache_names */
    uint32_t tag;
} ab_live;

static const char *const ab_cache_names[] = {"dentry_cache", "inode_cache", "buffer_head",
                                             "task_struct"};
static const uint32_t ab_cache_sizes[] = {132, 312, 52, 1040};

typedef struct ab_stress {
    ab_env *e;
    uint64_t rng;
    ab_live *live;
    size_t nlive, cap;
    uint32_t next_tag;
    uint64_t ops, allocs, fails, frees;
    int pages_ok;  /* the allocator accepts xAllocPages */
    int caches_ok; /* ... and xCacheAlloc */
    int broken;    /* an oracle failed: stop early */
} ab_stress;

static inline int ab_in_managed(const ab_env *e, bf_addr a, uint64_t len)
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

static inline void ab_tag_write(ab_env *e, const ab_live *l)
{
    if (l->size < 8)
        return;
    bf_amem_w32(&e->m, l->a, l->tag);
    bf_amem_w32(&e->m, l->a + (bf_addr)((l->size - 4) & ~3ull), ~l->tag);
}

static inline int ab_tag_ok(ab_env *e, const ab_live *l)
{
    if (l->size < 8)
        return 1;
    return bf_amem_r32(&e->m, l->a) == l->tag &&
           bf_amem_r32(&e->m, l->a + (bf_addr)((l->size - 4) & ~3ull)) == ~l->tag;
}

/* One allocation of a random kind and size; returns 1 if it succeeded. */
static inline int ab_stress_alloc(ab_stress *t, int big)
{
    ab_env *e = t->e;
    ab_live l;
    memset(&l, 0, sizeof l);
    uint64_t r = ab_rand(&t->rng);
    int kind = (int)(r % 10);
    l.kind = kind < 7 ? AB_KMALLOC : kind < 9 ? AB_CACHE : AB_PAGES;
    if (l.kind == AB_CACHE && !t->caches_ok)
        l.kind = AB_KMALLOC;
    if (l.kind == AB_PAGES && !t->pages_ok)
        l.kind = AB_KMALLOC;
    uint32_t gfp = (r >> 8) % 16 == 0 ? BF_GFP_ATOMIC : BF_GFP_KERNEL;
    bf_addr a = 0;
    int rc;
    if (l.kind == AB_KMALLOC) {
        uint64_t x = ab_rand(&t->rng);
        if (big)
            l.size = 4096 + x % 65536;
        else if (x % 100 < 70)
            l.size = 1 + (x >> 8) % 256;
        else if (x % 100 < 95)
            l.size = 1 + (x >> 8) % 4096;
        else
            l.size = 1 + (x >> 8) % 40000;
        rc = e->ops->xAlloc(e->st, l.size, gfp, &a);
    } else if (l.kind == AB_CACHE) {
        l.cache = (int)(ab_rand(&t->rng) % BF_ARRAY_SIZE(ab_cache_names));
        l.size = ab_cache_sizes[l.cache];
        rc = e->ops->xCacheAlloc(e->st, ab_cache_names[l.cache], l.size, gfp, &a);
    } else {
        l.order = (unsigned)(ab_rand(&t->rng) % (big ? 5 : 3));
        l.size = (uint64_t)e->env.page_size << l.order;
        rc = e->ops->xAllocPages(e->st, l.order, gfp, &a);
    }
    t->ops++;
    BF_CHECK_EQ(rc, BF_OK);
    if (!a) {
        t->fails++;
        return 0;
    }
    t->allocs++;
    if (!ab_in_managed(e, a, l.size)) {
        fprintf(stderr, "allocation 0x%08x+%llu outside managed memory\n", (unsigned)a,
                (unsigned long long)l.size);
        BF_CHECK(0);
        t->broken = 1;
    }
    for (size_t i = 0; i < t->nlive; i++) {
        const ab_live *o = &t->live[i];
        if (a < o->a + o->size && o->a < a + l.size) {
            fprintf(stderr, "allocation 0x%08x+%llu overlaps live 0x%08x+%llu\n", (unsigned)a,
                    (unsigned long long)l.size, (unsigned)o->a, (unsigned long long)o->size);
            BF_CHECK(0);
            t->broken = 1;
            break;
        }
    }
    if (l.kind == AB_KMALLOC && e->ops->xUsable(e->st, a) < l.size) {
        BF_CHECK(e->ops->xUsable(e->st, a) >= l.size);
        t->broken = 1;
    }
    l.a = a;
    l.tag = 0x5A000000u ^ ++t->next_tag;
    ab_tag_write(e, &l);
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

static inline void ab_stress_free(ab_stress *t, size_t i)
{
    ab_env *e = t->e;
    ab_live l = t->live[i];
    t->live[i] = t->live[--t->nlive];
    if (!ab_tag_ok(e, &l)) {
        fprintf(stderr, "tag of live block 0x%08x+%llu overwritten\n", (unsigned)l.a,
                (unsigned long long)l.size);
        BF_CHECK(0);
        t->broken = 1;
    }
    int rc;
    if (l.kind == AB_KMALLOC)
        rc = e->ops->xFree(e->st, l.a);
    else if (l.kind == AB_CACHE)
        rc = e->ops->xCacheFree(e->st, ab_cache_names[l.cache], l.a);
    else
        rc = e->ops->xFreePages(e->st, l.a, l.order);
    t->ops++;
    t->frees++;
    BF_CHECK_EQ(rc, BF_OK);
}

static inline void ab_stress_verify_walk(ab_stress *t)
{
    ab_walk w;
    int ok = ab_walk_collect(t->e, &w);
    BF_CHECK(ok);
    for (size_t i = 0; ok && i < t->nlive; i++) {
        const ab_ext *x = ab_walk_find(&w, t->live[i].a);
        if (!x || !x->used) {
            fprintf(stderr, "live block 0x%08x not inside a used extent\n", (unsigned)t->live[i].a);
            BF_CHECK(0);
            t->broken = 1;
            break;
        }
    }
    free(w.v);
}

static inline void ab_stress_check(ab_stress *t)
{
    if (!ab_sound(t->e)) {
        BF_CHECK(0);
        t->broken = 1;
        return;
    }
    /* issue 11: the host free-memory counters (xFreeBytes) agree with the walk */
    BF_CHECK(t->e->ops->xFreeBytes != NULL);
    if (!t->e->ops->xFreeBytes)
        return;
    uint64_t largest, fb = t->e->ops->xFreeBytes(t->e->st, &largest);
    ab_walk w;
    ab_walk_collect(t->e, &w);
    uint64_t wl = 0;
    for (size_t i = 0; i < w.n; i++)
        if (!w.v[i].used && w.v[i].len > wl)
            wl = w.v[i].len;
    free(w.v);
    if (fb != w.free_bytes || (largest != BF_ALLOC_LARGEST_UNKNOWN && largest != wl)) {
        fprintf(stderr, "%s: counters %llu free (largest %llu), walk %llu (largest %llu)\n",
                t->e->ops->name, (unsigned long long)fb, (unsigned long long)largest,
                (unsigned long long)w.free_bytes, (unsigned long long)wl);
        BF_CHECK(0);
        t->broken = 1;
    }
}

/*
** Phase 1: `nops` random operations (allocation with probability 55%, else a free of a random
** live block), check after each. Phase 2: exhaustion: large allocations until 40 in a row fail.
** Phase 3: free everything in random order, check after each free. Returns the number of
** allocations that failed in phase 2 (exhaustion must be reached).
*/
static inline void ab_stress_run(ab_env *e, uint64_t seed, unsigned nops, int pages_ok,
                                 int caches_ok)
{
    ab_stress t;
    memset(&t, 0, sizeof t);
    t.e = e;
    t.rng = seed ? seed : 1;
    t.pages_ok = pages_ok;
    t.caches_ok = caches_ok;
    for (unsigned i = 0; i < nops && !t.broken; i++) {
        if (t.nlive == 0 || ab_rand(&t.rng) % 100 < 55)
            ab_stress_alloc(&t, 0);
        else
            ab_stress_free(&t, (size_t)(ab_rand(&t.rng) % t.nlive));
        ab_stress_check(&t);
        if (i % 97 == 0)
            ab_stress_verify_walk(&t);
    }
    /* Exhaustion. */
    unsigned streak = 0, guard = 0;
    while (streak < 40 && !t.broken && guard++ < 100000) {
        if (ab_stress_alloc(&t, 1))
            streak = 0;
        else
            streak++;
        ab_stress_check(&t);
    }
    BF_CHECK(streak >= 40); /* memory was exhausted */
    ab_stress_verify_walk(&t);
    /* Recovery: free all in random order. */
    while (t.nlive && !t.broken) {
        ab_stress_free(&t, (size_t)(ab_rand(&t.rng) % t.nlive));
        ab_stress_check(&t);
    }
    BF_CHECK_EQ(t.nlive, 0);
    BF_CHECK(t.fails > 0);
    BF_CHECK(t.allocs > nops / 4);
    fprintf(stderr, "%s seed %llu: %llu ops, %llu allocs, %llu failed, %llu frees\n", e->ops->name,
            (unsigned long long)seed, (unsigned long long)t.ops, (unsigned long long)t.allocs,
            (unsigned long long)t.fails, (unsigned long long)t.frees);
    free(t.live);
}

#endif
