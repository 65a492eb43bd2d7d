/*
** bf_alloc_util.h: small header-only helpers shared by the object allocators of part B
** (bf_slab.c, bf_slob.c, bf_tlsf.c). NOTE FOR PART A: this header defines only static inline
** functions (no exported symbols, no .c file), so it adds nothing to the library's symbol table;
** it does not depend on anything of yours beyond allocators/bf_alloc.h.
**
** SECOND NOTE FOR PART A: now that bf_slab.c, bf_slob.c and bf_tlsf.c exist, the weak
** declarations of their tables in bf_alloc_registry.c should become ordinary externs: bf_alloc is a
** static library, and a weak undefined reference does not pull an archive member, so
** bf_alloc_find("slab"/"slob"/"tlsf") returns NULL in every program that does not itself name the
** table (tests/alloc_b name them, which is why they find them).
**
**  - bfa_fls / bfa_ffs: bit scans (index of the highest / lowest set bit, -1 for 0);
**  - bfa_get_order: the kernel's get_order(): smallest order with (page_size << order) >= bytes;
**  - bfa_quiet_begin / bfa_quiet_end: check() and walk() read metadata through bf_amem like any
**    operation, but they are instruments, not workload: the core clock and the read/write counters
**    are restored afterwards so that they add no latency to the measured operations (the cache
**    state they disturb is not restored);
**  - bfa_pages_*: the page allocator under slab and SLOB, a private buddy instance created on the
**    same environment (same bf_amem, so its metadata accesses are timed on the same clock),
**    reached only through its methods table; the methods both pass through to it; the check
**    wrapper and the walk that cuts the buddy's used extents into slabs or SLOB pages.
*/
#ifndef BF_ALLOC_UTIL_H
#define BF_ALLOC_UTIL_H

#include "bf_alloc.h"

static inline int bfa_fls(uint32_t x)
{
    return x ? 31 - __builtin_clz(x) : -1;
}

static inline int bfa_ffs(uint32_t x)
{
    return x ? __builtin_ctz(x) : -1;
}

static inline unsigned bfa_get_order(uint64_t bytes, uint32_t page_size)
{
    unsigned order = 0;
    while (((uint64_t)page_size << order) < bytes)
        order++;
    return order;
}

typedef struct bfa_quiet {
    bf_cycles now;
    uint64_t reads, writes;
} bfa_quiet;

static inline void bfa_quiet_begin(bf_amem *m, bfa_quiet *q)
{
    q->now = m->now;
    q->reads = m->reads;
    q->writes = m->writes;
}

static inline void bfa_quiet_end(bf_amem *m, const bfa_quiet *q)
{
    m->now = q->now;
    m->reads = q->reads;
    m->writes = q->writes;
}

typedef void (*bfa_visit_fn)(void *arg, bf_addr a, uint64_t len, int used);

/* The page allocator under an object allocator, and the per-page geometry of the memory. It is
** the FIRST member of slab's and SLOB's state, so that the pass-through methods below can take
** that state as a void pointer. */
typedef struct bfa_pages {
    const bf_alloc_methods *ops; /* the buddy's methods */
    void *st;                    /* its state */
    bf_amem *m;                  /* metadata accessor, shared with the buddy */
    bf_addr base;                /* first byte of managed memory */
    uint32_t npages;             /* pages of managed memory */
    uint32_t page_size;          /* bytes */
} bfa_pages;

static inline int bfa_pages_open(const bf_alloc_env *env, bfa_pages *p)
{
    p->st = NULL;
    p->m = env->mem;
    p->base = env->base;
    p->npages = env->size / env->page_size;
    p->page_size = env->page_size;
    p->ops = bf_alloc_find("buddy");
    if (!p->ops || !p->ops->xAllocPages || !p->ops->xFreePages || !p->ops->xWalk ||
        !p->ops->xFreeBytes)
        return BF_ESTATE;
    return p->ops->xCreate(env, &p->st);
}

static inline void bfa_pages_close(bfa_pages *p)
{
    if (p->ops && p->st)
        p->ops->xDestroy(p->st);
    p->st = NULL;
}

/* 0 when the buddy has no block of that order. */
static inline bf_addr bfa_pages_get(bfa_pages *p, unsigned order, uint32_t gfp)
{
    bf_addr a = 0;
    if (p->ops->xAllocPages(p->st, order, gfp, &a) != BF_OK)
        return 0;
    return a;
}

static inline int bfa_pages_put(bfa_pages *p, bf_addr a, unsigned order)
{
    return p->ops->xFreePages(p->st, a, order);
}

static inline int bfa_pages_in_range(const bfa_pages *p, bf_addr a)
{
    return a >= p->base && (a - p->base) / p->page_size < p->npages;
}

/* ---- methods that pass through to the buddy (st: a state whose first member is bfa_pages) ---- */

static inline int bfa_pages_xalloc_pages(void *st, unsigned order, uint32_t gfp, bf_addr *out)
{
    *out = bfa_pages_get((bfa_pages *)st, order, gfp);
    return BF_OK;
}

static inline int bfa_pages_xfree_pages(void *st, bf_addr a, unsigned order)
{
    return bfa_pages_put((bfa_pages *)st, a, order);
}

static inline int bfa_pages_xphase(void *st, const char *name)
{
    bfa_pages *p = st;
    return p->ops->xPhase ? p->ops->xPhase(p->st, name) : BF_OK;
}

static inline void bfa_pages_xreclaimable(void *st, uint64_t pages)
{
    bfa_pages *p = st;
    if (p->ops->xReclaimable)
        p->ops->xReclaimable(p->st, pages);
}

/* The buddy's /proc/buddyinfo text (snprintf semantics), not charged. */
static inline size_t bfa_pages_xinfo(void *st, char *buf, size_t n)
{
    bfa_pages *p = st;
    if (!p->ops->xInfo)
        return 0;
    bfa_quiet q;
    bfa_quiet_begin(p->m, &q);
    size_t len = p->ops->xInfo(p->st, buf, n);
    bfa_quiet_end(p->m, &q);
    return len;
}

/* The buddy's free bytes from its host counters (xFreeBytes), and its largest free block. */
static inline uint64_t bfa_pages_free_bytes(const bfa_pages *p, uint64_t *largest)
{
    return p->ops->xFreeBytes(p->st, largest);
}

/* The buddy's check first, then the object allocator's own; neither is charged. */
static inline const char *bfa_pages_check(void *st, const char *(*own)(void *st))
{
    bfa_pages *p = st;
    bfa_quiet q;
    bfa_quiet_begin(p->m, &q);
    const char *r = p->ops->xCheck ? p->ops->xCheck(p->st) : NULL;
    if (!r)
        r = own(st);
    bfa_quiet_end(p->m, &q);
    return r;
}

/*
** Walk: the buddy's free extents pass through; its used extents are cut at every region that
** span() recognises (a slab, a SLOB page: span(st, p) returns the region's end if one starts at
** page p, else 0), which emit() reports in detail; the rest is reported used in runs. Not
** charged.
*/
typedef struct bfa_walker {
    void *st;
    bf_addr (*span)(void *st, bf_addr p);
    void (*emit)(void *st, bf_addr p, bf_addr end, bfa_visit_fn visit, void *arg);
    bfa_visit_fn visit;
    void *arg;
} bfa_walker;

static inline void bfa_walker_visit(void *arg, bf_addr a, uint64_t len, int used)
{
    bfa_walker *w = arg;
    const bfa_pages *p = w->st;
    if (!used) {
        w->visit(w->arg, a, len, 0);
        return;
    }
    bf_addr run = a, end = (bf_addr)(a + len);
    for (bf_addr pg = a; pg < end; pg += p->page_size) {
        bf_addr e = bfa_pages_in_range(p, pg) ? w->span(w->st, pg) : 0;
        if (!e || e > end)
            continue;
        if (run < pg)
            w->visit(w->arg, run, pg - run, 1);
        w->emit(w->st, pg, e, w->visit, w->arg);
        run = e;
        pg = e - p->page_size;
    }
    if (run < end)
        w->visit(w->arg, run, end - run, 1);
}

static inline void bfa_pages_walk(void *st, bf_addr (*span)(void *st, bf_addr p),
                                  void (*emit)(void *st, bf_addr p, bf_addr end, bfa_visit_fn visit,
                                               void *arg),
                                  bfa_visit_fn visit, void *arg)
{
    bfa_pages *p = st;
    bfa_quiet q;
    bfa_quiet_begin(p->m, &q);
    bfa_walker w = {st, span, emit, visit, arg};
    p->ops->xWalk(p->st, bfa_walker_visit, &w);
    bfa_quiet_end(p->m, &q);
}

#endif
