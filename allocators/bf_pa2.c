/*
** bf_pa2.c: the uClinux 2.4 "page_alloc2" non-power-of-2 page allocator
** (mmnommu/page_alloc2.c, CONFIG_CONTIGUOUS_PAGE_ALLOC), metadata in simulated memory.
**
** What it models (reference kernel-allocators.md section 3.1; no kernel code was used):
**  1. One bit per page (1 = in use or reserved), a first_usable_page hint (no free page below it)
**     and nr_free_pages. Requests are exact page counts, not rounded to 2^n: a byte request takes
**     ceil(bytes / PAGE_SIZE) pages; alloc_pages(order) takes 2^order pages, aligned to 2 pages
**     only when order == 1 (ALIGN_ORDER).
**  2. Small requests (<= 2 pages) search down from the top of memory in 16-page windows: the
**     window [top-16, top), then [top-32, top-16), ...; within a window the first (lowest) free
**     start that fits wins. This keeps long-lived small pages away from the bottom.
**  3. Larger requests take the address-ordered first fit upward from first_usable_page.
**  4. Free clears the bits (coalescing is implicit in the bitmap) and lowers first_usable_page.
**  5. Every page of an allocation records 0xa1c20000 | npages in its index word (as p->index),
**     which is how free() learns the size.
**  6. Watermarks are neutered in page_alloc2 (min = low = 0): nothing is held back, GFP bits do
**     not change placement, and there is no reclaim.
**
** Metadata at the lowest unreserved pages: header {+0 first_usable_page, +4 nr_free_pages},
** the bitmap at +16, then one 32-bit index word per page. Limit: 65535 pages (256 MiB).
** Invariants (xCheck): clear bits count nr_free_pages; no clear bit below first_usable_page;
** free pages have index 0; every allocation's pages are all set and carry the same index, and
** allocations, free pages and reserved pages partition memory.
** Debug builds assert, from host values and values an operation has read anyway (never an extra
** simulated access): an allocation is aligned, inside memory and not below first_usable_page;
** the host mirror of nr_free_pages never goes below zero or above the pages managed.
*/
#include "bf_alloc_int.h"
#include "bf_hmem.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#define PA2_MAGIC 0xa1c20000u

typedef struct pa2 {
    bf_alloc_env env; /* copy */
    bf_amem *m;       /* metadata accessor */
    bf_addr hdr, map; /* header, bitmap */
    bf_addr index;    /* per-page index words */
    uint32_t npages;
    uint32_t meta_pfn, meta_pages;
    char msg[160];
    uint32_t free_pages; /* host mirror of nr_free_pages (xFreeBytes) */
} pa2;

static bf_addr idx_addr(const pa2 *s, uint32_t p)
{
    return s->index + 4 * p;
}

/* First start >= p, aligned to `align`, below `limit`, with n free pages; BFA_NIL if none. */
static uint32_t first_fit(pa2 *s, uint32_t p, uint32_t limit, uint32_t n, uint32_t align)
{
    while (p < limit) {
        p = bfa_bm_find(s->m, s->map, p, limit, 0);
        p = (p + align - 1) / align * align;
        if (p >= limit || p + n > s->npages)
            return BFA_NIL;
        uint32_t set = bfa_bm_find(s->m, s->map, p, p + n, 1);
        if (set == p + n)
            return p;
        p = set + 1;
    }
    return BFA_NIL;
}

static uint32_t pa2_get(pa2 *s, uint32_t n, uint32_t align)
{
    bf_amem *m = s->m;
    if (n == 0 || n > s->npages || n > 0xFFFFu)
        return BFA_NIL;
    uint32_t p = BFA_NIL;
    if (n <= 2) {
        for (uint32_t top = s->npages; p == BFA_NIL;) {
            uint32_t w = top > 16 ? top - 16 : 0;
            p = first_fit(s, w, top, n, align);
            if (w == 0)
                break;
            top = w;
        }
    } else {
        p = first_fit(s, bf_amem_r32(m, s->hdr), s->npages, n, align);
    }
    if (p == BFA_NIL)
        return BFA_NIL;
    assert(p % align == 0 && p + n <= s->npages && s->free_pages >= n);
    bfa_bm_set_range(m, s->map, p, n, 1);
    for (uint32_t i = 0; i < n; i++)
        bf_amem_w32(m, idx_addr(s, p + i), PA2_MAGIC | n);
    bf_amem_w32(m, s->hdr + 4, bf_amem_r32(m, s->hdr + 4) - n);
    s->free_pages -= n;
    uint32_t first = bf_amem_r32(m, s->hdr);
    assert(p >= first); /* no free page below first_usable_page */
    if (p == first)
        bf_amem_w32(m, s->hdr, bfa_bm_find(m, s->map, p + n, s->npages, 0));
    return p;
}

static int pa2_create(const bf_alloc_env *env, void **state)
{
    *state = NULL;
    if (bf_alloc_env_check(env) || bfa_npages(env) > 0xFFFFu)
        return BF_ECONFIG;
    pa2 *s = bf_calloc(1, sizeof(*s));
    if (!s)
        return BF_ENOMEM;
    s->env = *env;
    s->m = env->mem;
    s->npages = bfa_npages(env);
    uint32_t mapbytes = (s->npages + 31) / 32 * 4;
    uint32_t bytes = 16 + mapbytes + 4 * s->npages;
    s->meta_pages = (bytes + env->page_size - 1) / env->page_size;
    if (bfa_carve(env, s->meta_pages, &s->meta_pfn) != BF_OK) {
        free(s);
        return BF_ECONFIG;
    }
    s->hdr = bfa_pfn_addr(env, s->meta_pfn);
    s->map = s->hdr + 16;
    s->index = s->map + mapbytes;
    bf_amem *m = s->m;
    uint32_t nfree = 0, lowest = s->npages;
    for (uint32_t w = 0; w < mapbytes / 4; w++)
        bf_amem_w32(m, s->map + 4 * w, 0xFFFFFFFFu);
    for (uint32_t p = 0; p < s->npages; p++) {
        bf_amem_w32(m, idx_addr(s, p), 0);
        if (bfa_page_reserved(env, p) || (p >= s->meta_pfn && p < s->meta_pfn + s->meta_pages))
            continue;
        bfa_bm_set_range(m, s->map, p, 1, 0);
        nfree++;
        if (lowest == s->npages)
            lowest = p;
    }
    bf_amem_w32(m, s->hdr, lowest);
    bf_amem_w32(m, s->hdr + 4, nfree);
    s->free_pages = nfree;
    *state = s;
    return BF_OK;
}

static void pa2_destroy(void *st)
{
    free(st);
}

static int pa2_alloc(void *st, uint64_t bytes, uint32_t gfp, bf_addr *out)
{
    pa2 *s = st;
    (void)gfp;
    uint64_t n = bytes ? (bytes + s->env.page_size - 1) / s->env.page_size : 1;
    uint32_t p = n > s->npages ? BFA_NIL : pa2_get(s, (uint32_t)n, 1);
    *out = p == BFA_NIL ? 0 : bfa_pfn_addr(&s->env, p);
    return BF_OK;
}

static int pa2_alloc_pages(void *st, unsigned order, uint32_t gfp, bf_addr *out)
{
    pa2 *s = st;
    (void)gfp;
    uint32_t p = order >= 16 ? BFA_NIL : pa2_get(s, 1u << order, order == 1 ? 2 : 1);
    *out = p == BFA_NIL ? 0 : bfa_pfn_addr(&s->env, p);
    return BF_OK;
}

static int pa2_free(void *st, bf_addr a)
{
    pa2 *s = st;
    bf_amem *m = s->m;
    if (a < s->env.base || (a - s->env.base) % s->env.page_size ||
        (a - s->env.base) / s->env.page_size >= s->npages)
        return BF_EINPUT;
    uint32_t p = (a - s->env.base) / s->env.page_size;
    uint32_t v = bf_amem_r32(m, idx_addr(s, p));
    uint32_t n = v & 0xFFFFu;
    if ((v & 0xFFFF0000u) != PA2_MAGIC || n == 0 || p + n > s->npages)
        return BF_EINPUT;
    bfa_bm_set_range(m, s->map, p, n, 0);
    for (uint32_t i = 0; i < n; i++)
        bf_amem_w32(m, idx_addr(s, p + i), 0);
    bf_amem_w32(m, s->hdr + 4, bf_amem_r32(m, s->hdr + 4) + n);
    assert(s->free_pages + n <= s->npages);
    s->free_pages += n;
    if (p < bf_amem_r32(m, s->hdr))
        bf_amem_w32(m, s->hdr, p);
    return BF_OK;
}

static int pa2_free_pages(void *st, bf_addr a, unsigned order)
{
    pa2 *s = st;
    if (a >= s->env.base && a < s->env.base + s->env.size &&
        (bf_amem_r32(s->m, idx_addr(s, (a - s->env.base) / s->env.page_size)) & 0xFFFFu) !=
            (1u << order))
        return BF_EINPUT;
    return pa2_free(st, a);
}

static uint64_t pa2_usable(void *st, bf_addr a)
{
    pa2 *s = st;
    if (a < s->env.base || a >= s->env.base + s->env.size)
        return 0;
    uint32_t v = bf_amem_r32(s->m, idx_addr(s, (a - s->env.base) / s->env.page_size));
    return (v & 0xFFFF0000u) == PA2_MAGIC ? (uint64_t)(v & 0xFFFFu) * s->env.page_size : 0;
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(s->msg, sizeof(s->msg), __VA_ARGS__);                                             \
        return s->msg;                                                                             \
    } while (0)

static const char *pa2_check(void *st)
{
    pa2 *s = st;
    bf_amem *m = s->m;
    uint32_t clear = 0, first = bf_amem_r32(m, s->hdr);
    for (uint32_t p = 0; p < s->npages;) {
        int bit = bfa_bm_test(m, s->map, p);
        uint32_t v = bf_amem_r32(m, idx_addr(s, p));
        if (!bit) {
            if (p < first)
                FAIL("pa2: page %u is free but below first_usable_page %u", p, first);
            if (v)
                FAIL("pa2: free page %u has index 0x%x", p, v);
            clear++;
            p++;
        } else if (v == 0) {
            if (!bfa_page_reserved(&s->env, p) &&
                !(p >= s->meta_pfn && p < s->meta_pfn + s->meta_pages))
                FAIL("pa2: page %u is marked used but belongs to no allocation", p);
            p++;
        } else {
            uint32_t n = v & 0xFFFFu;
            if ((v & 0xFFFF0000u) != PA2_MAGIC || n == 0 || p + n > s->npages)
                FAIL("pa2: page %u has a bad index 0x%x", p, v);
            for (uint32_t i = p; i < p + n; i++)
                if (!bfa_bm_test(m, s->map, i) || bf_amem_r32(m, idx_addr(s, i)) != v)
                    FAIL("pa2: page %u of the %u-page block at %u disagrees (bit or index)", i, n,
                         p);
            p += n;
        }
    }
    if (clear != bf_amem_r32(m, s->hdr + 4))
        FAIL("pa2: nr_free_pages %u but the bitmap has %u clear bits", bf_amem_r32(m, s->hdr + 4),
             clear);
    return NULL;
}

static void pa2_walk(void *st, void (*visit)(void *, bf_addr, uint64_t, int), void *arg)
{
    pa2 *s = st;
    for (uint32_t p = 0; p < s->npages;) {
        int bit = bfa_bm_test(s->m, s->map, p);
        uint32_t q = bfa_bm_find(s->m, s->map, p, s->npages, !bit);
        visit(arg, bfa_pfn_addr(&s->env, p), (uint64_t)(q - p) * s->env.page_size, bit);
        p = q;
    }
}

/* Free pages from the host mirror; the walk reports runs of clear bits, whose longest needs a
** bitmap scan. */
static uint64_t pa2_free_bytes(void *st, uint64_t *largest)
{
    pa2 *s = st;
    *largest = BF_ALLOC_LARGEST_UNKNOWN;
    return (uint64_t)s->free_pages * s->env.page_size;
}

static uint64_t pa2_largest_bound(void *st)
{
    pa2 *s = st;
    return bfa_page_run_bound(s->free_pages, s->env.page_size);
}

/* The /proc/mem_map summary line: free pages, %frag = free runs * 100 / free pages. */
static size_t pa2_info(void *st, char *buf, size_t n)
{
    pa2 *s = st;
    uint32_t runs = 0, nfree = 0;
    for (uint32_t p = 0; p < s->npages;) {
        int bit = bfa_bm_test(s->m, s->map, p);
        uint32_t q = bfa_bm_find(s->m, s->map, p, s->npages, !bit);
        if (!bit) {
            runs++;
            nfree += q - p;
        }
        p = q;
    }
    int k = snprintf(buf, n, "Free pages: %8u (%u kB), %%frag %u\n", nfree,
                     nfree * (s->env.page_size / 1024), nfree ? runs * 100 / nfree : 0);
    return k > 0 ? (size_t)k : 0;
}

const bf_alloc_methods bf_alloc_pa2 = {
    .name = "pa2",
    .xCreate = pa2_create,
    .xDestroy = pa2_destroy,
    .xAlloc = pa2_alloc,
    .xFree = pa2_free,
    .xAllocPages = pa2_alloc_pages,
    .xFreePages = pa2_free_pages,
    .xUsable = pa2_usable,
    .xCheck = pa2_check,
    .xWalk = pa2_walk,
    .xFreeBytes = pa2_free_bytes,
    .xLargestFreeBound = pa2_largest_bound,
    .xInfo = pa2_info,
};
