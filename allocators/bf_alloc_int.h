/*
** bf_alloc_int.h: what the allocators of this directory share (not a public interface; one
** prefix, bfa_, and the buddy's own bf_buddy_ internals). The files of one allocator share more
** through its own header: bf_buddy_int.h (struct bf_buddy) and bf_slab_int.h (slab_state, the
** cross-file bfa_slab_ functions).
**
**  - environment geometry: page numbers (pfn, counted from env->base), reserved pages, and the
**    carving of an allocator's own metadata out of the managed memory;
**  - bit scans (bfa_fls / bfa_ffs: index of the highest / lowest set bit, -1 for 0);
**  - bitmaps kept in simulated memory (bootmem, page_alloc2), read and written word by word
**    through bf_amem so that a scan costs what it would cost the kernel;
**  - the buddy allocator's internal interface, used by bootmem (hand-over at boot-end), nommu,
**    and, through its methods table, by slab and SLOB (bfa_pages below);
**  - bfa_pages_*: the page allocator under slab and SLOB, a private buddy instance created on the
**    same environment (same bf_amem, so its metadata accesses are timed on the same clock),
**    reached only through its methods table; the methods both pass through to it; the check
**    wrapper and the walk that cuts the buddy's used extents into slabs or SLOB pages. check(),
**    walk() and info() are instruments, not workload: they run between bf_amem_mark_get and
**    bf_amem_rewind (bf_alloc.h), so they add no latency to the measured operations (the cache
**    state they disturb is not restored).
**
** Address 0 is the interface's failure value, so when the managed memory starts at 0 the first
** page is never handed out (bfa_page_reserved says it is reserved).
*/
#ifndef BF_ALLOC_INT_H
#define BF_ALLOC_INT_H

#include "bf_alloc.h"

#define BFA_NIL 0xFFFFFFFFu /* "no page" in linked lists of page numbers */

static inline uint32_t bfa_npages(const bf_alloc_env *e)
{
    return e->size / e->page_size;
}

static inline bf_addr bfa_pfn_addr(const bf_alloc_env *e, uint32_t pfn)
{
    return e->base + pfn * e->page_size;
}

/* 1 if page pfn overlaps a reserved range (or is page 0 of memory that starts at address 0). */
int bfa_page_reserved(const bf_alloc_env *e, uint32_t pfn);

/* Lowest run of `pages` unreserved pages; BF_ECONFIG if there is none. */
int bfa_carve(const bf_alloc_env *e, uint32_t pages, uint32_t *pfn);

/* ---- bitmaps in simulated memory: bit i of the map at `map` is bit (i & 31) of word i >> 5 ----
 */
int bfa_bm_test(bf_amem *m, bf_addr map, uint32_t i);
void bfa_bm_set_range(bf_amem *m, bf_addr map, uint32_t i, uint32_t n, int value);
/* First index >= i below n whose bit is `value`, or n. Reads one word per 32 bits. */
uint32_t bfa_bm_find(bf_amem *m, bf_addr map, uint32_t i, uint32_t n, int value);

/* ---- buddy internals ---- */
typedef struct bf_buddy bf_buddy;

/* Page-descriptor flags (the low half of the descriptor's first word). */
enum {
    BF_PG_BUDDY = 1u,    /* head of a free block on a free list (order in the order field) */
    BF_PG_RESERVED = 2u, /* never handed to the allocator (or not yet: bootmem) */
    BF_PG_HEAD = 4u,     /* head of an allocated block of 2^order pages */
    BF_PG_LRU = 8u,      /* page-cache page on the reclaim list (order 0) */
    BF_PG_REGION = 16u   /* first page of a nommu mapping; private = pages kept */
};

/* Bytes of metadata (zones + mem_map) the buddy needs for env. */
uint32_t bf_buddy_meta_bytes(const bf_alloc_env *env);
/* Build a buddy whose metadata lives at `meta` with every page reserved (nothing free). */
int bf_buddy_init_at(const bf_alloc_env *env, bf_addr meta, bf_buddy **out);
/* Give one reserved, 2^order-aligned block to the free lists (coalescing). */
void bf_buddy_release(bf_buddy *b, uint32_t pfn, unsigned order);
/* Compute min/low/high watermarks (init_per_zone_pages_min) from the pages now free. */
void bf_buddy_setup_watermarks(bf_buddy *b);
/* Page-descriptor access, for nommu's region bookkeeping. */
bf_addr bf_buddy_desc(const bf_buddy *b, uint32_t pfn);
uint32_t bf_buddy_pfn(const bf_buddy *b, bf_addr a, int *ok);
/* Turn an allocated 2^order block into 2^order allocated order-0 pages (split_page). */
void bf_buddy_split(bf_buddy *b, uint32_t pfn, unsigned order);
/* Free 2^order pages starting at pfn that are all allocated order-0 pages (after a split). */
int bf_buddy_free_split(bf_buddy *b, uint32_t pfn, unsigned order);
bf_amem *bf_buddy_mem(const bf_buddy *b);
const bf_alloc_env *bf_buddy_env(const bf_buddy *b);
const char *bf_buddy_check(bf_buddy *b);
void bf_buddy_walk(bf_buddy *b, void (*visit)(void *, bf_addr, uint64_t, int), void *arg);
uint64_t bf_buddy_free_bytes(const bf_buddy *b, uint64_t *largest);                /* xFreeBytes */
void bf_buddy_free_orders(const bf_buddy *b, uint32_t *nr_free, unsigned norders); /* xFreeOrders */
size_t bf_buddy_info(bf_buddy *b, char *buf, size_t n);
uint64_t bf_buddy_reserve_bytes(bf_buddy *b, uint32_t gfp); /* min watermark for gfp, bytes */

extern const bf_alloc_methods bf_alloc_buddy;
extern const bf_alloc_methods bf_alloc_bootmem;
extern const bf_alloc_methods bf_alloc_nommu;
extern const bf_alloc_methods bf_alloc_pa2;
extern const bf_alloc_methods bf_alloc_np2;

/* ---- bit scans ---- */

static inline int bfa_fls(uint32_t x)
{
    return x ? 31 - __builtin_clz(x) : -1;
}

static inline int bfa_ffs(uint32_t x)
{
    return x ? __builtin_ctz(x) : -1;
}

/* ---- the page allocator under slab and SLOB ---- */

typedef void (*bfa_visit_fn)(void *arg, bf_addr a, uint64_t len, int used);

/* A page allocator's walk (buddy, np2) in address order: each free run of pages is reported on
** its own, adjacent used runs are merged into one extent (bf_alloc.h, xWalk). Feed every run to
** bfa_runs_add, then call bfa_runs_flush once. */
typedef struct bfa_runs {
    const bf_alloc_env *env;
    bfa_visit_fn visit;
    void *arg;
    uint32_t used_start, used; /* the used extent being merged: first page, pages */
} bfa_runs;

static inline void bfa_runs_flush(bfa_runs *w)
{
    if (w->used)
        w->visit(w->arg, bfa_pfn_addr(w->env, w->used_start), (uint64_t)w->used * w->env->page_size,
                 1);
    w->used = 0;
}

static inline void bfa_runs_add(bfa_runs *w, uint32_t pfn, uint32_t n, int used)
{
    if (used) {
        if (!w->used)
            w->used_start = pfn;
        w->used += n;
        return;
    }
    bfa_runs_flush(w);
    w->visit(w->arg, bfa_pfn_addr(w->env, pfn), (uint64_t)n * w->env->page_size, 0);
}

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
    p->npages = bfa_npages(env);
    p->page_size = env->page_size;
    p->ops = &bf_alloc_buddy;
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
    bf_amem_mark q = bf_amem_mark_get(p->m);
    size_t len = p->ops->xInfo(p->st, buf, n);
    bf_amem_rewind(p->m, q);
    return len;
}

/* The buddy's free bytes from its host counters (xFreeBytes), and its largest free block. */
static inline uint64_t bfa_pages_free_bytes(const bfa_pages *p, uint64_t *largest)
{
    return p->ops->xFreeBytes(p->st, largest);
}

/* xLargestFreeBound of a page allocator whose walk reports runs of whole free pages (pa2, NP2,
** bootmem before its hand-over): any free page is a run of at least one page. */
static inline uint64_t bfa_page_run_bound(uint64_t free_pages, uint32_t page_size)
{
    return free_pages ? page_size : 0;
}

/* xLargestFreeBound of an object allocator over the buddy: the buddy's largest free block. */
static inline uint64_t bfa_pages_xlargest_bound(void *st)
{
    uint64_t largest;
    bfa_pages_free_bytes((const bfa_pages *)st, &largest);
    return largest == BF_ALLOC_LARGEST_UNKNOWN ? 0 : largest;
}

/* The buddy's check first, then the object allocator's own; neither is charged. */
static inline const char *bfa_pages_check(void *st, const char *(*own)(void *st))
{
    bfa_pages *p = st;
    bf_amem_mark q = bf_amem_mark_get(p->m);
    const char *r = p->ops->xCheck ? p->ops->xCheck(p->st) : NULL;
    if (!r)
        r = own(st);
    bf_amem_rewind(p->m, q);
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
    bf_amem_mark q = bf_amem_mark_get(p->m);
    bfa_walker w = {st, span, emit, visit, arg};
    p->ops->xWalk(p->st, bfa_walker_visit, &w);
    bf_amem_rewind(p->m, q);
}

#endif
