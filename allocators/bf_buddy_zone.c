/*
** bf_buddy_zone.c: the buddy allocator's zones (bf_buddy.c states the model, its rules and the
** metadata layout). Owns the per-zone, per-order free lists in simulated memory and the page-cache
** (LRU) list, the merge on free (rule 3), the split on allocation (rule 2), the watermarks and
** their check (rule 5), the zone fallback with lowmem_reserve (rule 4) and __alloc_pages' passes
** with direct reclaim (rule 6).
**
** Invariants kept here: a block on a free list is a BUDDY head of that order, 2^order-aligned and
** inside its zone, and its buddy is not a free block of the same order; nr_free counts each list
** and free_pages the pages on a zone's lists, in simulated memory and in the host mirrors; the
** LRU list is doubly linked, tail oldest, with lru_count entries. Debug builds assert the
** alignment, order and zone of every block pushed or taken and that the mirrors never go below
** zero or above the pages managed (host values only: no statistic moves).
*/
#include "bf_buddy_int.h"

#include <assert.h>

/* ---- lists ---- */

static void list_push(bf_buddy *b, bf_addr headp, uint32_t pfn)
{
    uint32_t head = bf_amem_r32(b->m, headp);
    bf_amem_w32(b->m, buddy_desc(b, pfn) + 8, head);
    bf_amem_w32(b->m, buddy_desc(b, pfn) + 12, BFA_NIL);
    if (head != BFA_NIL)
        bf_amem_w32(b->m, buddy_desc(b, head) + 12, pfn);
    bf_amem_w32(b->m, headp, pfn);
}

static void list_del(bf_buddy *b, bf_addr headp, uint32_t pfn)
{
    uint32_t next = bf_amem_r32(b->m, buddy_desc(b, pfn) + 8);
    uint32_t prev = bf_amem_r32(b->m, buddy_desc(b, pfn) + 12);
    if (prev != BFA_NIL)
        bf_amem_w32(b->m, buddy_desc(b, prev) + 8, next);
    else
        bf_amem_w32(b->m, headp, next);
    if (next != BFA_NIL)
        bf_amem_w32(b->m, buddy_desc(b, next) + 12, prev);
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
    uint32_t prev = bf_amem_r32(b->m, buddy_desc(b, t) + 12);
    list_del(b, b->meta + 4, t);
    bf_amem_w32(b->m, b->meta + 8, prev);
    add32(b->m, b->meta + 12, -1);
    return t;
}

/* ---- core: free and allocate blocks ---- */

void bf_buddy_free_block(bf_buddy *b, uint32_t pfn, unsigned order)
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

uint32_t bf_buddy_alloc_block(bf_buddy *b, unsigned order, uint32_t gfp)
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
            bf_buddy_free_block(b, p, 0);
        }
        pfn = try_zones(b, order, gfp, 12, flags);
        if (pfn != BFA_NIL)
            return pfn;
    }
    return BFA_NIL;
}

/* ---- watermarks and the page cache ---- */

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

void bf_buddy_set_reclaimable(bf_buddy *b, uint64_t pages)
{
    uint32_t have = bf_amem_r32(b->m, b->meta + 12);
    while (have > pages) {
        uint32_t p = lru_pop_tail(b);
        desc_set(b, p, 0, 0);
        bf_buddy_free_block(b, p, 0);
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
