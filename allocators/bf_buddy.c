/*
** bf_buddy.c: the Linux 2.6 binary buddy page allocator (mm/page_alloc.c behaviour), with its
** metadata (zones, free lists, mem_map) in simulated memory.
**
** What it models (reference kernel-allocators.md section 1; no kernel code was used):
**  1. Free blocks of 2^o pages, o < MAX_ORDER, one free list per zone and order. A block is
**     represented by its head page descriptor flagged BUDDY with its order. Lists are doubly
**     linked through the descriptors (page numbers, BFA_NIL = none); allocation takes the list
**     head, frees push at the head (LIFO).
**  2. Allocation (__rmqueue): the first non-empty list of order >= the request; the block is
**     split by expand(): the upper half goes back to the list of the next lower order until the
**     lower half has the requested order. The caller keeps the lowest pages.
**  3. Free (__free_one_page): while order < MAX_ORDER-1 and the buddy (page ^ (1 << order)) is a
**     free head of the same order inside the same zone, unlink it and merge; push the result.
**  4. Zones: all RAM is ZONE_DMA (Blackfin) unless dma_zone_bytes makes an x86-like DMA zone
**     [base, base+dma_zone_bytes) and ZONE_NORMAL above. __GFP_DMA allocates only from DMA;
**     other requests try NORMAL then fall back to DMA, which keeps lowmem_reserve =
**     present(NORMAL)/lowmem_reserve_ratio pages against such fallback.
**  5. Watermarks (setup_per_zone_pages_min): min_free_kbytes (0 = int_sqrt(lowmem_kb*16) clamped
**     to [128, 65536]); pages_min = min_free_kbytes >> (PAGE_SHIFT-10) split over zones by
**     present pages; low = min + min/4; high = min + min/2.
**     zone_watermark_ok: free = free_pages - 2^order + 1; min = mark; ALLOC_HIGH: min -= min/2;
**     ALLOC_HARDER: min -= min/4; fail if free <= min + reserve; then for each lower order o:
**     free -= nr_free[o] << o, min >>= 1, fail if free <= min.
**  6. __alloc_pages: (a) every zone at the low mark; (b) at the min mark with ALLOC_HARDER if
**     !__GFP_WAIT and ALLOC_HIGH if __GFP_HIGH (GFP_ATOMIC may go down to 3/8 of min); (c) a
**     request without __GFP_WAIT fails here: it never sleeps; (d) otherwise "sleep" in direct
**     reclaim: free up to reclaim_batch page-cache pages (the oldest declared by xReclaimable)
**     and retry (b), failing when no reclaimable page remains.
**
** Assumptions and simplifications (each documented in docs/allocators.md):
**  - No per-CPU hot/cold lists: NOMMU kernels suppress batching (zone_batchsize() = 0), and a
**    single CPU with batch 0 frees straight to the buddy lists.
**  - No migrate types: mobility grouping is off on 32/64 MiB Blackfin boards.
**  - Page alignment and buddy indices are counted from env->base (0 on the Blackfin).
**  - The OOM killer and kswapd are not modelled; reclaim is synchronous and only frees the
**    declared page cache.
**  - Only memory accesses cost cycles; the instructions between them are not counted.
**  - Byte-sized requests (xAlloc) take the smallest order that holds them.
**
** Metadata layout at `meta` (carved from the lowest unreserved pages, reported as used):
**   global  +0 nzones, +4 lru_head, +8 lru_tail, +12 lru_count, +16 min_free_kbytes
**   zone[z] at meta+32+z*ZSZ: +0 start_pfn, +4 pages, +8 free_pages, +12 pages_min,
**           +16 pages_low, +20 pages_high, +24 lowmem_reserve, +28 present,
**           +32+8*o free_area[o].head, +36+8*o free_area[o].nr_free
**   mem_map after the zones: 16 bytes per page: +0 flags (u16), +2 order (u16), +4 private,
**           +8 next, +12 prev.
**
** Debug builds assert (host values only, never a simulated read, so no statistic moves): a block
** pushed on or taken from a free list is 2^order-aligned, of an order below MAX_ORDER and inside
** its zone; the host mirrors of nr_free and free_pages never go below zero or above the pages
** managed.
**
** Invariants (xCheck): every list entry is a BUDDY head of that order, aligned, inside its
** zone, with consistent back links; nr_free matches each list; no free block's buddy is a free
** block of the same order (else it should have merged); free blocks, allocated blocks, page-cache
** pages and reserved pages partition the memory without overlap; free_pages matches the lists;
** the LRU list matches lru_count; nommu regions cover allocated order-0 pages.
**
** Files: this one owns creation, the internal interface to bootmem and nommu and the methods
** table; bf_buddy_zone.c the free lists, merge and split, watermarks and reclaim (rules 1-6);
** bf_buddy_check.c check, walk, free bytes and /proc/buddyinfo; bf_buddy_int.h the state they
** share.
*/
#include "bf_buddy_int.h"

#include "bf_hmem.h"

#include <stdlib.h>

/* ---- internal interface (bf_alloc_int.h) ---- */

bf_addr bf_buddy_desc(const bf_buddy *b, uint32_t pfn)
{
    return buddy_desc(b, pfn);
}

bf_amem *bf_buddy_mem(const bf_buddy *b)
{
    return b->m;
}

const bf_alloc_env *bf_buddy_env(const bf_buddy *b)
{
    return &b->env;
}

uint32_t bf_buddy_pfn(const bf_buddy *b, bf_addr a, int *ok)
{
    *ok = a >= b->env.base && (a - b->env.base) % b->env.page_size == 0 &&
          (a - b->env.base) / b->env.page_size < b->npages;
    return *ok ? (a - b->env.base) / b->env.page_size : 0;
}

uint32_t bf_buddy_meta_bytes(const bf_alloc_env *env)
{
    uint32_t zsz = 32u + 8u * env->max_order;
    return 32u + 2u * zsz + bfa_npages(env) * DESC_BYTES;
}

int bf_buddy_init_at(const bf_alloc_env *env, bf_addr meta, bf_buddy **out)
{
    *out = NULL;
    bf_buddy *b = bf_calloc(1, sizeof(*b));
    if (!b)
        return BF_ENOMEM;
    b->env = *env;
    b->m = env->mem;
    b->npages = bfa_npages(env);
    b->max_order = env->max_order;
    b->scratch = bf_calloc(1, b->npages / 8 + 1);
    if (!b->scratch) {
        free(b);
        return BF_ENOMEM;
    }
    b->meta = meta;
    b->zone[0] = meta + 32;
    b->zone[1] = meta + 32 + ZSZ(b);
    b->mem_map = meta + 32 + 2 * ZSZ(b);
    uint32_t dma = env->dma_zone_bytes / env->page_size;
    b->nzones = (dma > 0 && dma < b->npages) ? 2 : 1;
    b->zstart[ZDMA] = 0;
    b->zend[ZDMA] = b->nzones == 2 ? dma : b->npages;
    b->zstart[ZNORMAL] = b->zend[ZDMA];
    b->zend[ZNORMAL] = b->npages;
    bf_amem *m = b->m;
    bf_amem_w32(m, meta + 0, b->nzones);
    bf_amem_w32(m, meta + 4, BFA_NIL);
    bf_amem_w32(m, meta + 8, BFA_NIL);
    bf_amem_w32(m, meta + 12, 0);
    bf_amem_w32(m, meta + 16, 0);
    for (unsigned z = 0; z < 2; z++) {
        bf_amem_w32(m, zf(b, z, 0), b->zstart[z]);
        bf_amem_w32(m, zf(b, z, 4), z < b->nzones ? b->zend[z] - b->zstart[z] : 0);
        for (unsigned off = 8; off < 32; off += 4)
            bf_amem_w32(m, zf(b, z, off), 0);
        for (unsigned o = 0; o < b->max_order; o++) {
            bf_amem_w32(m, area(b, z, o), BFA_NIL);
            bf_amem_w32(m, area(b, z, o) + 4, 0);
        }
    }
    for (uint32_t p = 0; p < b->npages; p++) {
        desc_set(b, p, BF_PG_RESERVED, 0);
        bf_amem_w32(m, buddy_desc(b, p) + 4, 0);
    }
    *out = b;
    return BF_OK;
}

void bf_buddy_release(bf_buddy *b, uint32_t pfn, unsigned order)
{
    for (uint32_t i = 0; i < (1u << order); i++)
        desc_set(b, pfn + i, 0, 0);
    add32(b->m, zf(b, zone_of(b, pfn), 28), (int32_t)(1u << order));
    bf_buddy_free_block(b, pfn, order);
}

/* Release [pfn, pfn+n) as maximal aligned blocks. */
static void release_range(bf_buddy *b, uint32_t pfn, uint32_t n)
{
    while (n) {
        unsigned o = 0;
        while (o + 1 < b->max_order && (pfn & ((2u << o) - 1)) == 0 && (2u << o) <= n &&
               zone_of(b, pfn) == zone_of(b, pfn + (2u << o) - 1))
            o++;
        bf_buddy_release(b, pfn, o);
        pfn += 1u << o;
        n -= 1u << o;
    }
}

void bf_buddy_split(bf_buddy *b, uint32_t pfn, unsigned order)
{
    for (uint32_t i = 0; i < (1u << order); i++)
        desc_set(b, pfn + i, BF_PG_HEAD, 0);
}

int bf_buddy_free_split(bf_buddy *b, uint32_t pfn, unsigned order)
{
    if (pfn + (1u << order) > b->npages || (pfn & ((1u << order) - 1)))
        return BF_EINPUT;
    for (uint32_t i = 0; i < (1u << order); i++)
        if ((desc_get(b, pfn + i) & 0xFFFFu) != BF_PG_HEAD || (desc_get(b, pfn + i) >> 16) != 0)
            return BF_EINPUT;
    for (uint32_t i = 0; i < (1u << order); i++)
        desc_set(b, pfn + i, 0, 0);
    bf_buddy_free_block(b, pfn, order);
    return BF_OK;
}

/* ---- methods ---- */

static int buddy_create(const bf_alloc_env *env, void **state)
{
    *state = NULL;
    if (bf_alloc_env_check(env))
        return BF_ECONFIG;
    uint32_t pages = (bf_buddy_meta_bytes(env) + env->page_size - 1) / env->page_size, mp;
    if (bfa_carve(env, pages, &mp) != BF_OK)
        return BF_ECONFIG;
    bf_buddy *b;
    int rc = bf_buddy_init_at(env, bfa_pfn_addr(env, mp), &b);
    if (rc != BF_OK)
        return rc;
    uint32_t run = 0;
    for (uint32_t p = 0; p <= b->npages; p++) {
        int usable = p < b->npages && !(p >= mp && p < mp + pages) && !bfa_page_reserved(env, p);
        if (usable) {
            run++;
            continue;
        }
        if (run)
            release_range(b, p - run, run);
        run = 0;
    }
    bf_buddy_setup_watermarks(b);
    *state = b;
    return BF_OK;
}

static void buddy_destroy(void *st)
{
    bf_buddy *b = st;
    if (!b)
        return;
    free(b->scratch);
    free(b);
}

static int buddy_alloc_pages(void *st, unsigned order, uint32_t gfp, bf_addr *out)
{
    bf_buddy *b = st;
    uint32_t pfn = bf_buddy_alloc_block(b, order, gfp);
    *out = pfn == BFA_NIL ? 0 : bfa_pfn_addr(&b->env, pfn);
    return BF_OK;
}

static int buddy_alloc(void *st, uint64_t bytes, uint32_t gfp, bf_addr *out)
{
    bf_buddy *b = st;
    unsigned o = bf_alloc_order_for(bytes, b->env.page_size);
    if (o >= b->max_order) {
        *out = 0;
        return BF_OK;
    }
    return buddy_alloc_pages(st, o, gfp, out);
}

static int buddy_free_pages(void *st, bf_addr a, unsigned order)
{
    bf_buddy *b = st;
    int ok;
    uint32_t pfn = bf_buddy_pfn(b, a, &ok);
    if (!ok)
        return BF_EINPUT;
    uint32_t v = desc_get(b, pfn);
    if ((v & 0xFFFFu) != BF_PG_HEAD || (v >> 16) != order)
        return BF_EINPUT;
    desc_set(b, pfn, 0, 0);
    bf_buddy_free_block(b, pfn, order);
    return BF_OK;
}

static int buddy_free(void *st, bf_addr a)
{
    bf_buddy *b = st;
    int ok;
    uint32_t pfn = bf_buddy_pfn(b, a, &ok);
    if (!ok)
        return BF_EINPUT;
    uint32_t v = desc_get(b, pfn);
    if ((v & 0xFFFFu) != BF_PG_HEAD)
        return BF_EINPUT;
    return buddy_free_pages(st, a, v >> 16);
}

static uint64_t buddy_usable(void *st, bf_addr a)
{
    bf_buddy *b = st;
    int ok;
    uint32_t pfn = bf_buddy_pfn(b, a, &ok);
    if (!ok)
        return 0;
    uint32_t v = desc_get(b, pfn);
    if (v & BF_PG_REGION)
        return (uint64_t)bf_amem_r32(b->m, buddy_desc(b, pfn) + 4) * b->env.page_size;
    if (v & BF_PG_HEAD)
        return (uint64_t)b->env.page_size << (v >> 16);
    return 0;
}

static void buddy_reclaimable(void *st, uint64_t pages)
{
    bf_buddy_set_reclaimable(st, pages);
}

static const char *buddy_check(void *st)
{
    return bf_buddy_check(st);
}

static void buddy_walk(void *st, void (*visit)(void *, bf_addr, uint64_t, int), void *arg)
{
    bf_buddy_walk(st, visit, arg);
}

static uint64_t buddy_free_bytes(void *st, uint64_t *largest)
{
    return bf_buddy_free_bytes(st, largest);
}

static void buddy_free_orders(void *st, uint32_t *nr_free, unsigned norders)
{
    bf_buddy_free_orders(st, nr_free, norders);
}

static size_t buddy_info(void *st, char *buf, size_t n)
{
    return bf_buddy_info(st, buf, n);
}

static uint64_t buddy_reserve_bytes(void *st, uint32_t gfp)
{
    return bf_buddy_reserve_bytes(st, gfp);
}

const bf_alloc_methods bf_alloc_buddy = {
    .name = "buddy",
    .xCreate = buddy_create,
    .xDestroy = buddy_destroy,
    .xAlloc = buddy_alloc,
    .xFree = buddy_free,
    .xAllocPages = buddy_alloc_pages,
    .xFreePages = buddy_free_pages,
    .xUsable = buddy_usable,
    .xCheck = buddy_check,
    .xWalk = buddy_walk,
    .xFreeBytes = buddy_free_bytes,
    .xFreeOrders = buddy_free_orders,
    .xReclaimable = buddy_reclaimable,
    .xInfo = buddy_info,
    .xReserveBytes = buddy_reserve_bytes,
};
