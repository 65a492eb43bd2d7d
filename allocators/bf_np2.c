/*
** bf_np2.c: the Blackfin 2.6 "non power of 2" page allocator (mm/page_alloc_np2.c, CONFIG_NP2),
** metadata in simulated memory.
**
** What it models (reference kernel-allocators.md section 3.2; no kernel code was used):
**  1. Every page has an np2_size word: > 0 heads a free run of that many pages, < 0 heads an
**     allocated run of -size pages, 0 is an interior page. Free runs sit on one unsorted list
**     (np2_list), doubly linked through the page descriptors, new runs pushed at the head.
**  2. Allocation of `size` pages: ssize = size rounded up to even (odd sizes take one page more).
**     For size 1 an exact 1-page run is taken first. Otherwise the list is scanned for a run of
**     exactly ssize pages, else the smallest larger run (best fit; the first one met on ties).
**     The run is split from its end: it shrinks in place and the allocation takes its tail.
**     For size 1 served from a 2-page piece, the second page is freed back at once (splitsingle).
**  3. Free flips the head's size positive and pushes the run on the list: no coalescing.
**  4. Lazy merge (np2_merge_pages): a walk over all pages joins physically adjacent free runs
**     and rebuilds the list (in address order, pushed at the head, so the list ends up
**     highest-address first). The kernel runs it on the first allocation and from
**     /proc/np2/merge; here (alloc.np2_merge_on_fail = 1, default) also when no run fits, before
**     the request fails. With 0 a request fails as soon as no single run fits.
**  5. A byte request takes ceil(bytes / PAGE_SIZE) pages; alloc_pages(order) takes 2^order.
**     GFP bits do not change placement; no watermarks, no reclaim.
**
** Metadata at the lowest unreserved pages: header {+0 list head, +4 runs on the list, +8 free
** pages, +12 merged-once flag}, then 12 bytes per page {+0 np2_size (s32), +4 next, +8 prev}.
** Reserved ranges and the metadata are allocated runs that are never freed.
** Invariants (xCheck): the run heads tile memory exactly (interior pages 0); the list holds
** exactly the free runs, once each, with consistent back links and count; free pages match.
** Debug builds assert, from values an operation has read anyway (never an extra simulated
** access): a run head met by the merge walk is not 0; a list entry is a page of memory heading a
** free run; the run taken holds the request and lies inside memory, as does a freed run; the host
** mirror of the free pages never goes below zero or above the pages managed.
*/
#include "bf_alloc_int.h"
#include "bf_hmem.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct np2 {
    bf_alloc_env env; /* copy */
    bf_amem *m;       /* metadata accessor */
    bf_addr hdr;      /* header */
    bf_addr pages;    /* per-page descriptors */
    uint32_t npages;
    uint32_t meta_pfn, meta_pages;
    uint8_t *scratch; /* host bitmap for xCheck only */
    char msg[160];
    uint32_t free_pages; /* host mirror of the header's free pages (xFreeBytes) */
} np2;

static bf_addr pd(const np2 *s, uint32_t p)
{
    return s->pages + 12 * p;
}

static int32_t size_of(np2 *s, uint32_t p)
{
    return (int32_t)bf_amem_r32(s->m, pd(s, p));
}

static void set_size(np2 *s, uint32_t p, int32_t v)
{
    bf_amem_w32(s->m, pd(s, p), (uint32_t)v);
}

static void list_push(np2 *s, uint32_t p)
{
    bf_amem *m = s->m;
    uint32_t head = bf_amem_r32(m, s->hdr);
    bf_amem_w32(m, pd(s, p) + 4, head);
    bf_amem_w32(m, pd(s, p) + 8, BFA_NIL);
    if (head != BFA_NIL)
        bf_amem_w32(m, pd(s, head) + 8, p);
    bf_amem_w32(m, s->hdr, p);
    bf_amem_w32(m, s->hdr + 4, bf_amem_r32(m, s->hdr + 4) + 1);
}

static void list_del(np2 *s, uint32_t p)
{
    bf_amem *m = s->m;
    uint32_t next = bf_amem_r32(m, pd(s, p) + 4), prev = bf_amem_r32(m, pd(s, p) + 8);
    if (prev != BFA_NIL)
        bf_amem_w32(m, pd(s, prev) + 4, next);
    else
        bf_amem_w32(m, s->hdr, next);
    if (next != BFA_NIL)
        bf_amem_w32(m, pd(s, next) + 8, prev);
    bf_amem_w32(m, s->hdr + 4, bf_amem_r32(m, s->hdr + 4) - 1);
}

static void add_free(np2 *s, int32_t d)
{
    assert(d >= 0 ? s->free_pages + (uint32_t)d <= s->npages : s->free_pages >= (uint32_t)-d);
    bf_amem_w32(s->m, s->hdr + 8, bf_amem_r32(s->m, s->hdr + 8) + (uint32_t)d);
    s->free_pages += (uint32_t)d;
}

static void merge(np2 *s)
{
    bf_amem *m = s->m;
    bf_amem_w32(m, s->hdr, BFA_NIL);
    bf_amem_w32(m, s->hdr + 4, 0);
    for (uint32_t p = 0; p < s->npages;) {
        int32_t v = size_of(s, p);
        assert(v != 0); /* run heads tile memory */
        if (v < 0) {
            p += (uint32_t)-v;
            continue;
        }
        uint32_t q = p + (uint32_t)v;
        while (q < s->npages) {
            int32_t w = size_of(s, q);
            if (w <= 0)
                break;
            set_size(s, q, 0);
            v += w;
            q += (uint32_t)w;
        }
        set_size(s, p, v);
        list_push(s, p);
        p = q;
    }
    bf_amem_w32(m, s->hdr + 12, 1);
}

/* Best fit over the list; BFA_NIL if no run holds `want` pages. */
static uint32_t best_fit(np2 *s, uint32_t want, int exact_only)
{
    uint32_t best = BFA_NIL, best_size = 0;
    for (uint32_t p = bf_amem_r32(s->m, s->hdr); p != BFA_NIL;
         p = bf_amem_r32(s->m, pd(s, p) + 4)) {
        uint32_t v = (uint32_t)size_of(s, p);
        assert(p < s->npages && (int32_t)v > 0); /* the list holds free runs */
        if (v == want)
            return p;
        if (!exact_only && v > want && (best == BFA_NIL || v < best_size)) {
            best = p;
            best_size = v;
        }
    }
    return best;
}

static uint32_t np2_get(np2 *s, uint32_t size)
{
    if (size == 0 || size > s->npages)
        return BFA_NIL;
    if (!bf_amem_r32(s->m, s->hdr + 12))
        merge(s); /* the first allocation merges */
    uint32_t ssize = (size & 1) ? size + 1 : size;
    uint32_t run = BFA_NIL;
    for (int attempt = 0; attempt < 2 && run == BFA_NIL; attempt++) {
        if (attempt == 1) {
            if (!s->env.np2_merge_on_fail)
                break;
            merge(s);
        }
        if (size == 1)
            run = best_fit(s, 1, 1);
        if (run == BFA_NIL)
            run = best_fit(s, ssize, 0);
    }
    if (run == BFA_NIL)
        return BFA_NIL;
    uint32_t len = (uint32_t)size_of(s, run), take = len == 1 ? 1 : ssize, p;
    assert(len >= take && run + len <= s->npages);
    if (len == take) {
        list_del(s, run);
        p = run;
    } else {
        set_size(s, run, (int32_t)(len - take));
        p = run + len - take;
    }
    add_free(s, -(int32_t)take);
    if (size == 1 && take == 2) { /* splitsingle */
        set_size(s, p + 1, 1);
        list_push(s, p + 1);
        add_free(s, 1);
    }
    set_size(s, p, size == 1 ? -1 : -(int32_t)take);
    return p;
}

static int np2_create(const bf_alloc_env *env, void **state)
{
    *state = NULL;
    if (bf_alloc_env_check(env))
        return BF_ECONFIG;
    np2 *s = bf_calloc(1, sizeof(*s));
    if (!s)
        return BF_ENOMEM;
    s->env = *env;
    s->m = env->mem;
    s->npages = bfa_npages(env);
    s->scratch = bf_calloc(1, s->npages / 8 + 1);
    uint32_t bytes = 16 + 12 * s->npages;
    s->meta_pages = (bytes + env->page_size - 1) / env->page_size;
    if (!s->scratch || bfa_carve(env, s->meta_pages, &s->meta_pfn) != BF_OK) {
        int rc = s->scratch ? BF_ECONFIG : BF_ENOMEM;
        free(s->scratch);
        free(s);
        return rc;
    }
    s->hdr = bfa_pfn_addr(env, s->meta_pfn);
    s->pages = s->hdr + 16;
    bf_amem *m = s->m;
    bf_amem_w32(m, s->hdr, BFA_NIL);
    bf_amem_w32(m, s->hdr + 4, 0);
    bf_amem_w32(m, s->hdr + 8, 0);
    s->free_pages = 0;
    bf_amem_w32(m, s->hdr + 12, 0);
    uint32_t head = 0;
    int head_used = -1;
    for (uint32_t p = 0; p <= s->npages; p++) {
        int used = p < s->npages && (bfa_page_reserved(env, p) ||
                                     (p >= s->meta_pfn && p < s->meta_pfn + s->meta_pages));
        if (p < s->npages) {
            bf_amem_w32(m, pd(s, p), 0);
            bf_amem_w32(m, pd(s, p) + 4, BFA_NIL);
            bf_amem_w32(m, pd(s, p) + 8, BFA_NIL);
        }
        if (p == s->npages || used != head_used) {
            if (head_used >= 0) {
                int32_t n = (int32_t)(p - head);
                set_size(s, head, head_used ? -n : n);
                if (!head_used) {
                    list_push(s, head);
                    add_free(s, n);
                }
            }
            head = p;
            head_used = used;
        }
    }
    *state = s;
    return BF_OK;
}

static void np2_destroy(void *st)
{
    np2 *s = st;
    if (!s)
        return;
    free(s->scratch);
    free(s);
}

static int np2_alloc(void *st, uint64_t bytes, uint32_t gfp, bf_addr *out)
{
    np2 *s = st;
    (void)gfp;
    uint64_t n = bytes ? (bytes + s->env.page_size - 1) / s->env.page_size : 1;
    uint32_t p = n > s->npages ? BFA_NIL : np2_get(s, (uint32_t)n);
    *out = p == BFA_NIL ? 0 : bfa_pfn_addr(&s->env, p);
    return BF_OK;
}

static int np2_alloc_pages(void *st, unsigned order, uint32_t gfp, bf_addr *out)
{
    np2 *s = st;
    (void)gfp;
    uint32_t p = order >= 31 ? BFA_NIL : np2_get(s, 1u << order);
    *out = p == BFA_NIL ? 0 : bfa_pfn_addr(&s->env, p);
    return BF_OK;
}

static int pfn_of(np2 *s, bf_addr a, uint32_t *p)
{
    if (a < s->env.base || (a - s->env.base) % s->env.page_size ||
        (a - s->env.base) / s->env.page_size >= s->npages)
        return 0;
    *p = (a - s->env.base) / s->env.page_size;
    return 1;
}

static int np2_free(void *st, bf_addr a)
{
    np2 *s = st;
    uint32_t p;
    if (!pfn_of(s, a, &p))
        return BF_EINPUT;
    int32_t v = size_of(s, p);
    if (v >= 0 || (p >= s->meta_pfn && p < s->meta_pfn + s->meta_pages) ||
        bfa_page_reserved(&s->env, p))
        return BF_EINPUT;
    assert(p + (uint32_t)-v <= s->npages);
    set_size(s, p, -v);
    list_push(s, p);
    add_free(s, -v);
    return BF_OK;
}

static int np2_free_pages(void *st, bf_addr a, unsigned order)
{
    (void)order; /* the run head knows its size */
    return np2_free(st, a);
}

static uint64_t np2_usable(void *st, bf_addr a)
{
    np2 *s = st;
    uint32_t p;
    if (!pfn_of(s, a, &p))
        return 0;
    int32_t v = size_of(s, p);
    return v < 0 ? (uint64_t)(uint32_t)-v * s->env.page_size : 0;
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(s->msg, sizeof(s->msg), __VA_ARGS__);                                             \
        return s->msg;                                                                             \
    } while (0)

static const char *np2_check(void *st)
{
    np2 *s = st;
    bf_amem *m = s->m;
    memset(s->scratch, 0, s->npages / 8 + 1);
    uint32_t nfree = 0, nruns = 0;
    for (uint32_t p = 0; p < s->npages;) {
        int32_t v = size_of(s, p);
        if (v == 0)
            FAIL("np2: page %u should head a run but has size 0", p);
        uint32_t n = (uint32_t)(v < 0 ? -v : v);
        if (p + n > s->npages)
            FAIL("np2: run at page %u of %u pages runs past the end", p, n);
        for (uint32_t i = p + 1; i < p + n; i++)
            if (size_of(s, i) != 0)
                FAIL("np2: interior page %u of the run at %u has size %d", i, p, size_of(s, i));
        if (v > 0) {
            s->scratch[p >> 3] |= (uint8_t)(1u << (p & 7));
            nfree += n;
            nruns++;
        }
        p += n;
    }
    uint32_t count = bf_amem_r32(m, s->hdr + 4), seen = 0, prev = BFA_NIL;
    for (uint32_t p = bf_amem_r32(m, s->hdr); p != BFA_NIL; p = bf_amem_r32(m, pd(s, p) + 4)) {
        if (p >= s->npages || ++seen > count)
            FAIL("np2: the free list is longer than its count %u or leaves memory", count);
        if (!(s->scratch[p >> 3] & (1u << (p & 7))))
            FAIL("np2: page %u is on the free list twice or is not a free run head", p);
        s->scratch[p >> 3] &= (uint8_t) ~(1u << (p & 7));
        if (bf_amem_r32(m, pd(s, p) + 8) != prev)
            FAIL("np2: free run %u has a wrong back link", p);
        prev = p;
    }
    if (seen != count || seen != nruns)
        FAIL("np2: list count %u, list length %u, free runs in memory %u", count, seen, nruns);
    if (nfree != bf_amem_r32(m, s->hdr + 8))
        FAIL("np2: free pages %u but the runs hold %u", bf_amem_r32(m, s->hdr + 8), nfree);
    return NULL;
}

/* Free pages from the host mirror; the largest free run needs a walk (runs are not sorted). */
static uint64_t np2_free_bytes(void *st, uint64_t *largest)
{
    np2 *s = st;
    *largest = BF_ALLOC_LARGEST_UNKNOWN;
    return (uint64_t)s->free_pages * s->env.page_size;
}

static uint64_t np2_largest_bound(void *st)
{
    np2 *s = st;
    return bfa_page_run_bound(s->free_pages, s->env.page_size);
}

static void np2_walk(void *st, void (*visit)(void *, bf_addr, uint64_t, int), void *arg)
{
    np2 *s = st;
    bfa_runs w = {&s->env, visit, arg, 0, 0};
    for (uint32_t p = 0; p < s->npages;) {
        int32_t v = size_of(s, p);
        uint32_t n = (uint32_t)(v < 0 ? -v : v);
        if (n == 0)
            n = 1; /* corrupt; xCheck reports it */
        bfa_runs_add(&w, p, n, v <= 0);
        p += n;
    }
    bfa_runs_flush(&w);
}

/* /proc/np2/space-like summary. */
static size_t np2_info(void *st, char *buf, size_t n)
{
    np2 *s = st;
    int k = snprintf(buf, n, "np2: %u free pages in %u runs on the list\n",
                     bf_amem_r32(s->m, s->hdr + 8), bf_amem_r32(s->m, s->hdr + 4));
    return k > 0 ? (size_t)k : 0;
}

const bf_alloc_methods bf_alloc_np2 = {
    .name = "np2",
    .xCreate = np2_create,
    .xDestroy = np2_destroy,
    .xAlloc = np2_alloc,
    .xFree = np2_free,
    .xAllocPages = np2_alloc_pages,
    .xFreePages = np2_free_pages,
    .xUsable = np2_usable,
    .xCheck = np2_check,
    .xWalk = np2_walk,
    .xFreeBytes = np2_free_bytes,
    .xLargestFreeBound = np2_largest_bound,
    .xInfo = np2_info,
};
