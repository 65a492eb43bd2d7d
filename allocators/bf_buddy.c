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
*/
#include "bf_alloc_int.h"
#include "bf_hmem.h"
#include "bf_strbuf.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ZDMA = 0, ZNORMAL = 1 };
enum { ALLOC_HIGH = 1, ALLOC_HARDER = 2 };
#define ZSZ(b) (32u + 8u * (b)->max_order)
#define DESC_BYTES 16u

struct bf_buddy {
    bf_alloc_env env;   /* copy; env.reserved stays owned by the caller */
    bf_amem *m;         /* metadata accessor */
    bf_addr meta;       /* global struct */
    bf_addr zone[2];    /* zone structs */
    bf_addr mem_map;    /* page descriptors */
    uint32_t npages;    /* pages managed */
    unsigned max_order; /* MAX_ORDER */
    unsigned nzones;    /* 1 (all DMA) or 2 */
    uint32_t zstart[2]; /* zone span, pages (constants, as the kernel's zone boundaries) */
    uint32_t zend[2];
    uint8_t *scratch; /* host bitmap for xCheck only */
    char msg[200];    /* xCheck message */
    /* host mirrors of the zones' free_pages and nr_free (xFreeBytes; the driver's check compares
    ** them with a walk) */
    uint64_t free_pages;
    uint32_t nr_free[2][BF_ALLOC_ORDERS_MAX];
};

static const char *const zone_names[2] = {"DMA", "Normal"};

bf_addr bf_buddy_desc(const bf_buddy *b, uint32_t pfn)
{
    return b->mem_map + pfn * DESC_BYTES;
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

static uint32_t desc_get(bf_buddy *b, uint32_t pfn)
{
    return bf_amem_r32(b->m, bf_buddy_desc(b, pfn));
}

static void desc_set(bf_buddy *b, uint32_t pfn, unsigned flags, unsigned order)
{
    bf_amem_w32(b->m, bf_buddy_desc(b, pfn), (uint32_t)flags | (uint32_t)order << 16);
}

static unsigned zone_of(const bf_buddy *b, uint32_t pfn)
{
    return b->nzones == 2 && pfn >= b->zstart[ZNORMAL] ? ZNORMAL : ZDMA;
}

static bf_addr zf(const bf_buddy *b, unsigned z, unsigned off)
{
    return b->zone[z] + off;
}

static bf_addr area(const bf_buddy *b, unsigned z, unsigned o)
{
    return b->zone[z] + 32u + 8u * o;
}

static void add32(bf_amem *m, bf_addr a, int32_t d)
{
    bf_amem_w32(m, a, bf_amem_r32(m, a) + (uint32_t)d);
}

/* ---- lists ---- */

static void list_push(bf_buddy *b, bf_addr headp, uint32_t pfn)
{
    uint32_t head = bf_amem_r32(b->m, headp);
    bf_amem_w32(b->m, bf_buddy_desc(b, pfn) + 8, head);
    bf_amem_w32(b->m, bf_buddy_desc(b, pfn) + 12, BFA_NIL);
    if (head != BFA_NIL)
        bf_amem_w32(b->m, bf_buddy_desc(b, head) + 12, pfn);
    bf_amem_w32(b->m, headp, pfn);
}

static void list_del(bf_buddy *b, bf_addr headp, uint32_t pfn)
{
    uint32_t next = bf_amem_r32(b->m, bf_buddy_desc(b, pfn) + 8);
    uint32_t prev = bf_amem_r32(b->m, bf_buddy_desc(b, pfn) + 12);
    if (prev != BFA_NIL)
        bf_amem_w32(b->m, bf_buddy_desc(b, prev) + 8, next);
    else
        bf_amem_w32(b->m, headp, next);
    if (next != BFA_NIL)
        bf_amem_w32(b->m, bf_buddy_desc(b, next) + 12, prev);
}

/* A free block of 2^o pages at pfn is aligned, of a valid order and inside zone z (rule 1). */
static inline int block_ok(const bf_buddy *b, unsigned z, unsigned o, uint32_t pfn)
{
    return o < b->max_order && (pfn & ((1u << o) - 1)) == 0 && pfn >= b->zstart[z] &&
           pfn + (1u << o) <= b->zend[z];
}

static void area_push(bf_buddy *b, unsigned z, unsigned o, uint32_t pfn)
{
    assert(block_ok(b, z, o, pfn));
    desc_set(b, pfn, BF_PG_BUDDY, o);
    list_push(b, area(b, z, o), pfn);
    add32(b->m, area(b, z, o) + 4, 1);
    b->nr_free[z][o]++;
}

static void area_del(bf_buddy *b, unsigned z, unsigned o, uint32_t pfn)
{
    assert(block_ok(b, z, o, pfn) && b->nr_free[z][o] > 0);
    list_del(b, area(b, z, o), pfn);
    add32(b->m, area(b, z, o) + 4, -1);
    b->nr_free[z][o]--;
}

/* The LRU is doubly linked like the free lists; head = newest, tail = oldest. */
static void lru_push(bf_buddy *b, uint32_t pfn)
{
    desc_set(b, pfn, BF_PG_LRU, 0);
    list_push(b, b->meta + 4, pfn);
    if (bf_amem_r32(b->m, b->meta + 8) == BFA_NIL)
        bf_amem_w32(b->m, b->meta + 8, pfn);
    add32(b->m, b->meta + 12, 1);
}

static uint32_t lru_pop_tail(bf_buddy *b)
{
    uint32_t t = bf_amem_r32(b->m, b->meta + 8);
    if (t == BFA_NIL)
        return BFA_NIL;
    uint32_t prev = bf_amem_r32(b->m, bf_buddy_desc(b, t) + 12);
    list_del(b, b->meta + 4, t);
    bf_amem_w32(b->m, b->meta + 8, prev);
    add32(b->m, b->meta + 12, -1);
    return t;
}

/* ---- core: free and allocate blocks ---- */

static void free_block(bf_buddy *b, uint32_t pfn, unsigned order)
{
    unsigned z = zone_of(b, pfn);
    assert(block_ok(b, z, order, pfn));
    add32(b->m, zf(b, z, 8), (int32_t)(1u << order));
    b->free_pages += 1u << order;
    assert(b->free_pages <= b->npages);
    while (order < b->max_order - 1) {
        uint32_t buddy = pfn ^ (1u << order);
        if (buddy < b->zstart[z] || buddy + (1u << order) > b->zend[z])
            break;
        uint32_t v = desc_get(b, buddy);
        if (!(v & BF_PG_BUDDY) || (v >> 16) != order)
            break;
        area_del(b, z, order, buddy);
        desc_set(b, buddy, 0, 0);
        pfn &= ~(1u << order);
        order++;
    }
    area_push(b, z, order, pfn);
}

static uint32_t rmqueue(bf_buddy *b, unsigned z, unsigned order)
{
    for (unsigned cur = order; cur < b->max_order; cur++) {
        uint32_t head = bf_amem_r32(b->m, area(b, z, cur));
        if (head == BFA_NIL)
            continue;
        area_del(b, z, cur, head);
        while (cur > order) { /* expand: the upper half goes back */
            cur--;
            area_push(b, z, cur, head + (1u << cur));
        }
        add32(b->m, zf(b, z, 8), -(int32_t)(1u << order));
        assert(b->free_pages >= 1u << order);
        b->free_pages -= 1u << order;
        desc_set(b, head, BF_PG_HEAD, order);
        return head;
    }
    return BFA_NIL;
}

static int watermark_ok(bf_buddy *b, unsigned z, unsigned order, uint32_t mark, int flags,
                        unsigned classzone)
{
    int64_t free = (int64_t)bf_amem_r32(b->m, zf(b, z, 8)) - (1 << order) + 1;
    int64_t min = mark;
    if (flags & ALLOC_HIGH)
        min -= min / 2;
    if (flags & ALLOC_HARDER)
        min -= min / 4;
    int64_t reserve = (z == ZDMA && classzone == ZNORMAL) ? bf_amem_r32(b->m, zf(b, z, 24)) : 0;
    if (free <= min + reserve)
        return 0;
    for (unsigned o = 0; o < order; o++) {
        free -= (int64_t)bf_amem_r32(b->m, area(b, z, o) + 4) << o;
        min >>= 1;
        if (free <= min)
            return 0;
    }
    return 1;
}

/* Zones to try in order; returns how many, sets the class zone. */
static unsigned zonelist(const bf_buddy *b, uint32_t gfp, unsigned zl[2], unsigned *classzone)
{
    if ((gfp & BF_GFP_DMA) || b->nzones == 1) {
        zl[0] = ZDMA;
        *classzone = ZDMA;
        return 1;
    }
    zl[0] = ZNORMAL;
    zl[1] = ZDMA;
    *classzone = ZNORMAL;
    return 2;
}

static uint32_t try_zones(bf_buddy *b, unsigned order, uint32_t gfp, unsigned markoff, int flags)
{
    unsigned zl[2], cz, n = zonelist(b, gfp, zl, &cz);
    for (unsigned i = 0; i < n; i++) {
        uint32_t mark = bf_amem_r32(b->m, zf(b, zl[i], markoff));
        if (!watermark_ok(b, zl[i], order, mark, flags, cz))
            continue;
        uint32_t pfn = rmqueue(b, zl[i], order);
        if (pfn != BFA_NIL)
            return pfn;
    }
    return BFA_NIL;
}

static uint32_t alloc_pages(bf_buddy *b, unsigned order, uint32_t gfp)
{
    if (order >= b->max_order)
        return BFA_NIL;
    uint32_t pfn = try_zones(b, order, gfp, 16, 0); /* low mark */
    if (pfn != BFA_NIL)
        return pfn;
    int flags = 0;
    if (!(gfp & BF_GFP_WAIT))
        flags |= ALLOC_HARDER;
    if (gfp & BF_GFP_HIGH)
        flags |= ALLOC_HIGH;
    pfn = try_zones(b, order, gfp, 12, flags); /* min mark */
    if (pfn != BFA_NIL || !(gfp & BF_GFP_WAIT))
        return pfn;
    /* direct reclaim: the caller may sleep */
    while (bf_amem_r32(b->m, b->meta + 12) > 0) {
        for (uint32_t i = 0; i < b->env.reclaim_batch; i++) {
            uint32_t p = lru_pop_tail(b);
            if (p == BFA_NIL)
                break;
            desc_set(b, p, 0, 0);
            free_block(b, p, 0);
        }
        pfn = try_zones(b, order, gfp, 12, flags);
        if (pfn != BFA_NIL)
            return pfn;
    }
    return BFA_NIL;
}

/* ---- internal interface ---- */

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
        bf_amem_w32(m, bf_buddy_desc(b, p) + 4, 0);
    }
    *out = b;
    return BF_OK;
}

void bf_buddy_release(bf_buddy *b, uint32_t pfn, unsigned order)
{
    for (uint32_t i = 0; i < (1u << order); i++)
        desc_set(b, pfn + i, 0, 0);
    add32(b->m, zf(b, zone_of(b, pfn), 28), (int32_t)(1u << order));
    free_block(b, pfn, order);
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

static uint32_t isqrt64(uint64_t x)
{
    uint64_t r = 0;
    while ((r + 1) * (r + 1) <= x)
        r++;
    return (uint32_t)r;
}

void bf_buddy_setup_watermarks(bf_buddy *b)
{
    bf_amem *m = b->m;
    uint64_t lowmem = 0, present[2] = {0, 0};
    for (unsigned z = 0; z < b->nzones; z++) {
        present[z] = bf_amem_r32(m, zf(b, z, 28));
        lowmem += present[z];
    }
    uint32_t mfk = b->env.min_free_kbytes;
    if (mfk == 0) {
        mfk = isqrt64(lowmem * b->env.page_size / 1024 * 16);
        mfk = mfk < 128 ? 128 : mfk > 65536 ? 65536 : mfk;
    }
    bf_amem_w32(m, b->meta + 16, mfk);
    uint64_t pages_min = (uint64_t)mfk * 1024 / b->env.page_size;
    for (unsigned z = 0; z < b->nzones; z++) {
        uint64_t tmp = lowmem ? pages_min * present[z] / lowmem : 0;
        bf_amem_w32(m, zf(b, z, 12), (uint32_t)tmp);
        bf_amem_w32(m, zf(b, z, 16), (uint32_t)(tmp + tmp / 4));
        bf_amem_w32(m, zf(b, z, 20), (uint32_t)(tmp + tmp / 2));
        bf_amem_w32(m, zf(b, z, 24), 0);
    }
    if (b->nzones == 2)
        bf_amem_w32(m, zf(b, ZDMA, 24), (uint32_t)(present[ZNORMAL] / b->env.lowmem_reserve_ratio));
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
    free_block(b, pfn, order);
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
    uint32_t pfn = alloc_pages(b, order, gfp);
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
    free_block(b, pfn, order);
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
        return (uint64_t)bf_amem_r32(b->m, bf_buddy_desc(b, pfn) + 4) * b->env.page_size;
    if (v & BF_PG_HEAD)
        return (uint64_t)b->env.page_size << (v >> 16);
    return 0;
}

static void buddy_reclaimable(void *st, uint64_t pages)
{
    bf_buddy *b = st;
    uint32_t have = bf_amem_r32(b->m, b->meta + 12);
    while (have > pages) {
        uint32_t p = lru_pop_tail(b);
        desc_set(b, p, 0, 0);
        free_block(b, p, 0);
        have--;
    }
    while (have < pages) { /* page-cache pages come from the fast path only */
        uint32_t p = try_zones(b, 0, BF_GFP_USER, 16, 0);
        if (p == BFA_NIL)
            break;
        lru_push(b, p);
        have++;
    }
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(b->msg, sizeof(b->msg), __VA_ARGS__);                                             \
        return b->msg;                                                                             \
    } while (0)

const char *bf_buddy_check(bf_buddy *b)
{
    bf_amem *m = b->m;
    uint8_t *seen = b->scratch;
    memset(seen, 0, b->npages / 8 + 1);
    for (unsigned z = 0; z < b->nzones; z++) {
        uint64_t free_pages = 0;
        for (unsigned o = 0; o < b->max_order; o++) {
            uint32_t nr = bf_amem_r32(m, area(b, z, o) + 4), n = 0, prev = BFA_NIL;
            for (uint32_t p = bf_amem_r32(m, area(b, z, o)); p != BFA_NIL;
                 p = bf_amem_r32(m, bf_buddy_desc(b, p) + 8)) {
                if (p >= b->npages)
                    FAIL("buddy: zone %s order %u list holds page %u beyond memory", zone_names[z],
                         o, p);
                if (++n > nr)
                    FAIL("buddy: zone %s order %u list is longer than nr_free %u (cycle?)",
                         zone_names[z], o, nr);
                uint32_t v = desc_get(b, p);
                if ((v & 0xFFFFu) != BF_PG_BUDDY || (v >> 16) != o)
                    FAIL("buddy: page %u on the order-%u list has flags 0x%x order %u", p, o,
                         v & 0xFFFFu, v >> 16);
                if (p & ((1u << o) - 1))
                    FAIL("buddy: free block at page %u is not aligned to order %u", p, o);
                if (p < b->zstart[z] || p + (1u << o) > b->zend[z])
                    FAIL("buddy: free block %u order %u is outside zone %s", p, o, zone_names[z]);
                if (bf_amem_r32(m, bf_buddy_desc(b, p) + 12) != prev)
                    FAIL("buddy: page %u on the order-%u list has a wrong back link", p, o);
                for (uint32_t i = p; i < p + (1u << o); i++) {
                    if (seen[i >> 3] & (1u << (i & 7)))
                        FAIL("buddy: page %u is in two free blocks", i);
                    seen[i >> 3] |= (uint8_t)(1u << (i & 7));
                }
                if (o + 1 < b->max_order) {
                    uint32_t bd = p ^ (1u << o);
                    if (bd >= b->zstart[z] && bd + (1u << o) <= b->zend[z]) {
                        uint32_t bv = desc_get(b, bd);
                        if ((bv & BF_PG_BUDDY) && (bv >> 16) == o)
                            FAIL("buddy: free block %u and its buddy %u (order %u) are not merged",
                                 p, bd, o);
                    }
                }
                free_pages += 1u << o;
                prev = p;
            }
            if (n != nr)
                FAIL("buddy: zone %s order %u nr_free %u but the list holds %u", zone_names[z], o,
                     nr, n);
        }
        if (free_pages != bf_amem_r32(m, zf(b, z, 8)))
            FAIL("buddy: zone %s free_pages %u but the lists hold %llu", zone_names[z],
                 bf_amem_r32(m, zf(b, z, 8)), (unsigned long long)free_pages);
    }
    uint32_t lru = 0, prev = BFA_NIL, last = BFA_NIL;
    for (uint32_t p = bf_amem_r32(m, b->meta + 4); p != BFA_NIL;
         p = bf_amem_r32(m, bf_buddy_desc(b, p) + 8)) {
        if (p >= b->npages || ++lru > b->npages)
            FAIL("buddy: the page-cache list is broken at page %u", p);
        if ((desc_get(b, p) & 0xFFFFu) != BF_PG_LRU)
            FAIL("buddy: page %u on the page-cache list is not a page-cache page", p);
        if (bf_amem_r32(m, bf_buddy_desc(b, p) + 12) != prev)
            FAIL("buddy: page-cache page %u has a wrong back link", p);
        prev = last = p;
    }
    if (lru != bf_amem_r32(m, b->meta + 12) || last != bf_amem_r32(m, b->meta + 8))
        FAIL("buddy: page-cache count %u / tail %u disagree with the list (%u pages, tail %u)",
             bf_amem_r32(m, b->meta + 12), bf_amem_r32(m, b->meta + 8), lru, last);
    /* partition: reserved, free, allocated and page-cache pages cover memory exactly once */
    for (uint32_t p = 0; p < b->npages;) {
        uint32_t v = desc_get(b, p), fl = v & 0xFFFFu, o = v >> 16;
        if (fl == BF_PG_RESERVED || fl == BF_PG_LRU) {
            p++;
        } else if (fl == BF_PG_BUDDY) {
            if (!(seen[p >> 3] & (1u << (p & 7))))
                FAIL("buddy: page %u is flagged free but is on no free list", p);
            p += 1u << o;
        } else if (fl & BF_PG_HEAD) {
            if (p + (1u << o) > b->npages)
                FAIL("buddy: allocated block %u order %u runs past the end", p, o);
            for (uint32_t i = p; i < p + (1u << o); i++) {
                if (seen[i >> 3] & (1u << (i & 7)))
                    FAIL("buddy: allocated block %u order %u overlaps free page %u", p, o, i);
                if (i > p && desc_get(b, i) != 0)
                    FAIL("buddy: page %u inside allocated block %u has flags 0x%x", i, p,
                         desc_get(b, i));
            }
            if (fl & BF_PG_REGION) {
                uint32_t kept = bf_amem_r32(m, bf_buddy_desc(b, p) + 4);
                if (kept == 0 || p + kept > b->npages)
                    FAIL("buddy: nommu region at page %u keeps %u pages", p, kept);
                for (uint32_t i = p + 1; i < p + kept; i++)
                    if (desc_get(b, i) != BF_PG_HEAD)
                        FAIL("buddy: page %u of the nommu region at %u is not allocated", i, p);
            }
            p += 1u << o;
        } else {
            FAIL("buddy: page %u is neither free, allocated, page cache nor reserved (0x%x)", p, v);
        }
    }
    return NULL;
}

static const char *buddy_check(void *st)
{
    return bf_buddy_check(st);
}

void bf_buddy_walk(bf_buddy *b, void (*visit)(void *, bf_addr, uint64_t, int), void *arg)
{
    uint32_t used_start = 0, used = 0;
    for (uint32_t p = 0; p < b->npages;) {
        uint32_t v = desc_get(b, p), n = 1;
        if (v & (BF_PG_BUDDY | BF_PG_HEAD))
            n = 1u << (v >> 16);
        if (v & BF_PG_BUDDY) {
            if (used)
                visit(arg, bfa_pfn_addr(&b->env, used_start), (uint64_t)used * b->env.page_size, 1);
            used = 0;
            visit(arg, bfa_pfn_addr(&b->env, p), (uint64_t)n * b->env.page_size, 0);
        } else {
            if (!used)
                used_start = p;
            used += n;
        }
        p += n;
    }
    if (used)
        visit(arg, bfa_pfn_addr(&b->env, used_start), (uint64_t)used * b->env.page_size, 1);
}

static void buddy_walk(void *st, void (*visit)(void *, bf_addr, uint64_t, int), void *arg)
{
    bf_buddy_walk(st, visit, arg);
}

/* The walk reports each free block on its own: free bytes are the free pages, the largest extent
** the highest order with a free block in any zone. */
uint64_t bf_buddy_free_bytes(const bf_buddy *b, uint64_t *largest)
{
    *largest = 0;
    for (unsigned z = 0; z < b->nzones; z++)
        for (unsigned o = b->max_order; o-- > 0;)
            if (b->nr_free[z][o]) {
                if (((uint64_t)b->env.page_size << o) > *largest)
                    *largest = (uint64_t)b->env.page_size << o;
                break;
            }
    return b->free_pages * b->env.page_size;
}

static uint64_t buddy_free_bytes(void *st, uint64_t *largest)
{
    return bf_buddy_free_bytes(st, largest);
}

size_t bf_buddy_info(bf_buddy *b, char *buf, size_t n)
{
    bf_strbuf t = bf_strbuf_on(buf, buf ? n : 0);
    for (unsigned z = 0; z < b->nzones; z++) {
        bf_strbuf_printf(&t, "Node 0, zone %8s ", zone_names[z]);
        for (unsigned o = 0; o < b->max_order; o++)
            bf_strbuf_printf(&t, "%6lu ", (unsigned long)bf_amem_r32(b->m, area(b, z, o) + 4));
        bf_strbuf_printf(&t, "\n");
    }
    return t.len;
}

static size_t buddy_info(void *st, char *buf, size_t n)
{
    return bf_buddy_info(st, buf, n);
}

/* The min watermark of the first zone a request with these GFP bits tries, as the slow path
** applies it (watermark_ok: ALLOC_HIGH halves it, ALLOC_HARDER takes a quarter off), in bytes:
** a request of R bytes fails on the watermark alone while R <= free < R + this. */
uint64_t bf_buddy_reserve_bytes(bf_buddy *b, uint32_t gfp)
{
    unsigned zl[2], cz;
    zonelist(b, gfp, zl, &cz);
    int64_t min = bf_amem_r32(b->m, zf(b, zl[0], 12));
    if (gfp & BF_GFP_HIGH)
        min -= min / 2;
    if (!(gfp & BF_GFP_WAIT))
        min -= min / 4;
    return (uint64_t)min * b->env.page_size;
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
    .xReclaimable = buddy_reclaimable,
    .xInfo = buddy_info,
    .xReserveBytes = buddy_reserve_bytes,
};
