/*
** bf_bootmem.c: the 2.6 boot memory allocator (mm/bootmem.c) and its hand-over to the buddy
** allocator at the end of boot (free_all_bootmem).
**
** What it models (reference kernel-allocators.md section 4; Gorman ch. 5):
**  1. One bit per page in a bitmap in simulated memory, 1 = reserved. It starts all ones; usable
**     RAM is then freed (everything but env->reserved and the bitmap's own pages).
**  2. Allocation (__alloc_bootmem_core): areasize = ceil(size / PAGE_SIZE) pages; scan from the
**     goal page in steps of max(align / PAGE_SIZE, 1) for the first run of areasize clear bits
**     (first fit); if nothing is found above the goal, restart from page 0.
**     Goal: a __GFP_DMA request is alloc_bootmem_low (goal 0); any other has the goal
**     MAX_DMA_ADDRESS, which is the end of the DMA zone when dma_zone_bytes is set, else 0.
**     Alignment: bootmem_align (SMP_CACHE_BYTES) for byte requests, a page for page requests.
**  3. Packing ("merge subsequent allocations to save space"): when align < PAGE_SIZE, the
**     previous allocation ended inside page last_pos at byte last_offset != 0, and the first fit
**     starts at last_pos + 1, the new block starts at ALIGN(last_offset, align) inside page
**     last_pos. If it fits there no new page is reserved; otherwise it continues into the pages
**     found and last_pos/last_offset move to its end.
**  4. free_bootmem(addr, size) clears only the pages entirely inside [addr, addr+size); partial
**     pages stay reserved.
**  5. Hand-over (phase "boot-end", free_all_bootmem_core): for every 32-page word of the bitmap
**     that is entirely clear, one order-5 block goes to the buddy (BITS_PER_LONG = 32); other
**     clear pages go one by one; then the bitmap's own pages. Pages still reserved stay reserved
**     in the buddy (PG_reserved). The buddy's mem_map was itself allocated from bootmem at create
**     (paging_init). After the hand-over every request goes to the buddy; freeing a boot-time
**     block (with its size, xFreeSize) releases its whole pages to the buddy.
**
** Assumptions: the allocated memory is not zeroed (the memset touches the caller's data, not the
** allocator's metadata); a request whose scan finds nothing fails (*out = 0) instead of panicking.
** Metadata: header {last_pos, last_offset, free_pages} then the bitmap, at the lowest unreserved
** pages. Invariants (xCheck): the bitmap's clear bits count free_pages; reserved ranges, the
** metadata and the last partial page are marked reserved; after the hand-over, the buddy's.
** Debug builds assert, from host values and values an operation has read anyway (never an extra
** simulated access): the run found is aligned to the step and inside memory; last_offset lies
** inside a page; a block is aligned to its request's alignment and ends inside memory; the host
** mirror of free_pages never goes below zero or above the pages managed; the hand-over happens
** once.
*/
#include "bf_alloc_int.h"
#include "bf_hmem.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct bootmem {
    bf_alloc_env env;  /* copy */
    bf_amem *m;        /* metadata accessor */
    bf_addr hdr;       /* +0 last_pos, +4 last_offset, +8 free_pages */
    bf_addr map;       /* bitmap */
    uint32_t npages;   /* pages managed */
    uint32_t meta_pfn; /* first page of header + bitmap */
    uint32_t meta_pages;
    bf_buddy *buddy;     /* page allocator, all reserved until the hand-over */
    int handed_over;     /* boot phase over (a phase flag, like system_state) */
    uint32_t free_pages; /* host mirror of the header's free_pages (xFreeBytes) */
    char msg[160];       /* xCheck message */
} bootmem;

static bf_addr bootmem_core(bootmem *s, uint64_t size, uint32_t align, uint32_t goal_pfn)
{
    bf_amem *m = s->m;
    uint32_t ps = s->env.page_size;
    if (size == 0)
        size = 1;
    if (size > (uint64_t)s->npages * ps)
        return 0;
    uint32_t areasize = (uint32_t)((size + ps - 1) / ps);
    uint32_t incr = align / ps ? align / ps : 1;
    uint32_t start = BFA_NIL;
    for (uint32_t from = goal_pfn < s->npages ? goal_pfn : 0;; from = 0) {
        uint32_t i = (from + incr - 1) / incr * incr;
        while (i + areasize <= s->npages) {
            uint32_t z = bfa_bm_find(m, s->map, i, s->npages, 0);
            i = (z + incr - 1) / incr * incr;
            if (i + areasize > s->npages)
                break;
            uint32_t set = bfa_bm_find(m, s->map, i, i + areasize, 1);
            if (set == i + areasize) {
                start = i;
                break;
            }
            i = (set + 1 + incr - 1) / incr * incr;
        }
        if (start != BFA_NIL || from == 0)
            break;
    }
    if (start == BFA_NIL)
        return 0;
    assert(start % incr == 0 && start + areasize <= s->npages);
    uint32_t last_pos = bf_amem_r32(m, s->hdr + 0), last_offset = bf_amem_r32(m, s->hdr + 4);
    assert(last_offset < ps);
    bf_addr ret;
    if (align < ps && last_offset && last_pos + 1 == start) {
        uint32_t offset = (last_offset + align - 1) & ~(align - 1);
        uint64_t remaining = ps - offset;
        ret = bfa_pfn_addr(&s->env, last_pos) + offset;
        if (size < remaining) {
            areasize = 0;
            last_offset = (uint32_t)(offset + size);
        } else {
            remaining = size - remaining;
            areasize = (uint32_t)((remaining + ps - 1) / ps);
            last_pos = start + areasize - 1;
            last_offset = (uint32_t)remaining;
        }
        last_offset &= ps - 1;
    } else {
        last_pos = start + areasize - 1;
        last_offset = (uint32_t)(size & (ps - 1));
        ret = bfa_pfn_addr(&s->env, start);
    }
    assert((ret - s->env.base) % align == 0 &&
           (uint64_t)(ret - s->env.base) + size <= (uint64_t)s->npages * ps);
    bf_amem_w32(m, s->hdr + 0, last_pos);
    bf_amem_w32(m, s->hdr + 4, last_offset);
    if (areasize) {
        assert(s->free_pages >= areasize);
        bfa_bm_set_range(m, s->map, start, areasize, 1);
        bf_amem_w32(m, s->hdr + 8, bf_amem_r32(m, s->hdr + 8) - areasize);
        s->free_pages -= areasize;
    }
    return ret;
}

static uint32_t goal_for(const bootmem *s, uint32_t gfp)
{
    return (gfp & BF_GFP_DMA) ? 0 : s->env.dma_zone_bytes / s->env.page_size;
}

static int bootmem_create(const bf_alloc_env *env, void **state)
{
    *state = NULL;
    if (bf_alloc_env_check(env))
        return BF_ECONFIG;
    bootmem *s = bf_calloc(1, sizeof(*s));
    if (!s)
        return BF_ENOMEM;
    s->env = *env;
    s->m = env->mem;
    s->npages = bfa_npages(env);
    uint32_t bytes = 16 + (s->npages + 31) / 32 * 4;
    s->meta_pages = (bytes + env->page_size - 1) / env->page_size;
    if (bfa_carve(env, s->meta_pages, &s->meta_pfn) != BF_OK) {
        free(s);
        return BF_ECONFIG;
    }
    s->hdr = bfa_pfn_addr(env, s->meta_pfn);
    s->map = s->hdr + 16;
    bf_amem *m = s->m;
    for (uint32_t w = 0; w < (s->npages + 31) / 32; w++)
        bf_amem_w32(m, s->map + 4 * w, 0xFFFFFFFFu);
    uint32_t nfree = 0;
    for (uint32_t p = 0; p < s->npages; p++) {
        if (bfa_page_reserved(env, p) || (p >= s->meta_pfn && p < s->meta_pfn + s->meta_pages))
            continue;
        bfa_bm_set_range(m, s->map, p, 1, 0);
        nfree++;
    }
    bf_amem_w32(m, s->hdr + 0, 0);
    bf_amem_w32(m, s->hdr + 4, 0);
    bf_amem_w32(m, s->hdr + 8, nfree);
    s->free_pages = nfree;
    /* paging_init: mem_map and the zones come from bootmem itself */
    bf_addr mm = bootmem_core(s, bf_buddy_meta_bytes(env), env->page_size, goal_for(s, 0));
    if (mm == 0 || bf_buddy_init_at(env, mm, &s->buddy) != BF_OK) {
        free(s);
        return mm == 0 ? BF_ECONFIG : BF_ENOMEM;
    }
    *state = s;
    return BF_OK;
}

static void bootmem_destroy(void *st)
{
    bootmem *s = st;
    if (!s)
        return;
    bf_alloc_buddy.xDestroy(s->buddy);
    free(s);
}

static void handover(bootmem *s)
{
    assert(!s->handed_over);
    bf_amem *m = s->m;
    uint32_t dma = s->env.dma_zone_bytes / s->env.page_size;
    for (uint32_t i = 0; i < s->npages; i += 32) {
        uint32_t w = bf_amem_r32(m, s->map + i / 8);
        int straddles = dma > i && dma < i + 32;
        if (w == 0 && i + 32 <= s->npages && s->env.max_order > 5 && !straddles) {
            bf_buddy_release(s->buddy, i, 5);
            continue;
        }
        for (uint32_t b = 0; b < 32 && i + b < s->npages; b++)
            if (!(w & (1u << b)))
                bf_buddy_release(s->buddy, i + b, 0);
    }
    for (uint32_t p = s->meta_pfn; p < s->meta_pfn + s->meta_pages; p++)
        bf_buddy_release(s->buddy, p, 0);
    bf_buddy_setup_watermarks(s->buddy);
    s->handed_over = 1;
}

static int bootmem_phase(void *st, const char *name)
{
    bootmem *s = st;
    if (name && !s->handed_over && strcmp(name, "boot-end") == 0)
        handover(s);
    return BF_OK;
}

static int bootmem_alloc(void *st, uint64_t bytes, uint32_t gfp, bf_addr *out)
{
    bootmem *s = st;
    if (s->handed_over)
        return bf_alloc_buddy.xAlloc(s->buddy, bytes, gfp, out);
    *out = bootmem_core(s, bytes, s->env.bootmem_align, goal_for(s, gfp));
    return BF_OK;
}

static int bootmem_alloc_pages(void *st, unsigned order, uint32_t gfp, bf_addr *out)
{
    bootmem *s = st;
    if (s->handed_over)
        return bf_alloc_buddy.xAllocPages(s->buddy, order, gfp, out);
    *out = order < 32 ? bootmem_core(s, (uint64_t)s->env.page_size << order, s->env.page_size,
                                     goal_for(s, gfp))
                      : 0;
    return BF_OK;
}

/* free_bootmem before the hand-over; after it, the release of a boot-time block's whole pages. */
static int bootmem_free_size(void *st, bf_addr a, uint64_t bytes)
{
    bootmem *s = st;
    uint32_t ps = s->env.page_size;
    if (a < s->env.base || (uint64_t)a + bytes > (uint64_t)s->env.base + s->env.size)
        return BF_EINPUT;
    if (s->handed_over) {
        int ok;
        uint32_t pfn = bf_buddy_pfn(s->buddy, a, &ok);
        if (ok && (bf_amem_r32(s->m, bf_buddy_desc(s->buddy, pfn)) & BF_PG_HEAD))
            return bf_alloc_buddy.xFree(s->buddy, a);
    }
    uint64_t off = a - s->env.base;
    uint32_t sidx = (uint32_t)((off + ps - 1) / ps), eidx = (uint32_t)((off + bytes) / ps);
    for (uint32_t p = sidx; p < eidx; p++) {
        if (bfa_page_reserved(&s->env, p))
            return BF_EINPUT;
        if (s->handed_over) {
            if ((bf_amem_r32(s->m, bf_buddy_desc(s->buddy, p)) & 0xFFFFu) != BF_PG_RESERVED)
                return BF_EINPUT;
        } else if (!bfa_bm_test(s->m, s->map, p)) {
            return BF_EINPUT;
        }
    }
    if (s->handed_over) {
        for (uint32_t p = sidx; p < eidx; p++)
            bf_buddy_release(s->buddy, p, 0);
        return BF_OK;
    }
    if (eidx > sidx) {
        bfa_bm_set_range(s->m, s->map, sidx, eidx - sidx, 0);
        bf_amem_w32(s->m, s->hdr + 8, bf_amem_r32(s->m, s->hdr + 8) + (eidx - sidx));
        assert(s->free_pages + (eidx - sidx) <= s->npages);
        s->free_pages += eidx - sidx;
    }
    return BF_OK;
}

/* Without a size only blocks the buddy handed out can be freed (free_bootmem needs the size). */
static int bootmem_free(void *st, bf_addr a)
{
    bootmem *s = st;
    if (!s->handed_over)
        return BF_ESTATE;
    return bf_alloc_buddy.xFree(s->buddy, a);
}

static int bootmem_free_pages(void *st, bf_addr a, unsigned order)
{
    bootmem *s = st;
    if (s->handed_over) {
        int ok;
        uint32_t pfn = bf_buddy_pfn(s->buddy, a, &ok);
        if (ok && (bf_amem_r32(s->m, bf_buddy_desc(s->buddy, pfn)) & BF_PG_HEAD))
            return bf_alloc_buddy.xFreePages(s->buddy, a, order);
    }
    return bootmem_free_size(st, a, (uint64_t)s->env.page_size << order);
}

/* Bootmem keeps no per-block size: 0 ("as requested") before the hand-over. */
static uint64_t bootmem_usable(void *st, bf_addr a)
{
    bootmem *s = st;
    return s->handed_over ? bf_alloc_buddy.xUsable(s->buddy, a) : 0;
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(s->msg, sizeof(s->msg), __VA_ARGS__);                                             \
        return s->msg;                                                                             \
    } while (0)

static const char *bootmem_check(void *st)
{
    bootmem *s = st;
    if (s->handed_over)
        return bf_buddy_check(s->buddy);
    bf_amem *m = s->m;
    uint32_t clear = 0;
    for (uint32_t p = 0; p < s->npages; p++) {
        int bit = bfa_bm_test(m, s->map, p);
        clear += !bit;
        if (!bit && bfa_page_reserved(&s->env, p))
            FAIL("bootmem: reserved page %u is marked free", p);
        if (!bit && p >= s->meta_pfn && p < s->meta_pfn + s->meta_pages)
            FAIL("bootmem: page %u of the bitmap itself is marked free", p);
    }
    if (clear != bf_amem_r32(m, s->hdr + 8))
        FAIL("bootmem: free_pages %u but the bitmap has %u clear bits", bf_amem_r32(m, s->hdr + 8),
             clear);
    uint32_t last_pos = bf_amem_r32(m, s->hdr), last_offset = bf_amem_r32(m, s->hdr + 4);
    if (last_offset >= s->env.page_size)
        FAIL("bootmem: last_offset %u is not inside a page", last_offset);
    if (last_offset && (last_pos >= s->npages || !bfa_bm_test(m, s->map, last_pos)))
        FAIL("bootmem: the partial page %u (offset %u) is not reserved", last_pos, last_offset);
    return NULL;
}

static void bootmem_walk(void *st, void (*visit)(void *, bf_addr, uint64_t, int), void *arg)
{
    bootmem *s = st;
    if (s->handed_over) {
        bf_buddy_walk(s->buddy, visit, arg);
        return;
    }
    uint32_t p = 0;
    while (p < s->npages) {
        int bit = bfa_bm_test(s->m, s->map, p);
        uint32_t q = bfa_bm_find(s->m, s->map, p, s->npages, !bit);
        visit(arg, bfa_pfn_addr(&s->env, p), (uint64_t)(q - p) * s->env.page_size, bit);
        p = q;
    }
}

/* Before the hand-over the walk reports runs of clear bits: the largest needs a bitmap scan. */
static uint64_t bootmem_free_bytes(void *st, uint64_t *largest)
{
    bootmem *s = st;
    if (s->handed_over)
        return bf_buddy_free_bytes(s->buddy, largest);
    *largest = BF_ALLOC_LARGEST_UNKNOWN;
    return (uint64_t)s->free_pages * s->env.page_size;
}

/* After the hand-over the buddy knows its largest free block exactly (xFreeBytes). */
static uint64_t bootmem_largest_bound(void *st)
{
    bootmem *s = st;
    return s->handed_over ? 0 : bfa_page_run_bound(s->free_pages, s->env.page_size);
}

static void bootmem_reclaimable(void *st, uint64_t pages)
{
    bootmem *s = st;
    if (s->handed_over)
        bf_alloc_buddy.xReclaimable(s->buddy, pages);
}

static size_t bootmem_info(void *st, char *buf, size_t n)
{
    bootmem *s = st;
    if (s->handed_over)
        return bf_buddy_info(s->buddy, buf, n);
    int k = snprintf(buf, n, "bootmem: %u free pages, last_pos %u, last_offset %u\n",
                     bf_amem_r32(s->m, s->hdr + 8), bf_amem_r32(s->m, s->hdr),
                     bf_amem_r32(s->m, s->hdr + 4));
    return k > 0 ? (size_t)k : 0;
}

static uint64_t bootmem_reserve_bytes(void *st, uint32_t gfp)
{
    bootmem *s = st;
    return s->handed_over ? bf_buddy_reserve_bytes(s->buddy, gfp) : 0; /* bootmem: no watermark */
}

const bf_alloc_methods bf_alloc_bootmem = {
    .name = "bootmem",
    .xCreate = bootmem_create,
    .xDestroy = bootmem_destroy,
    .xAlloc = bootmem_alloc,
    .xFree = bootmem_free,
    .xAllocPages = bootmem_alloc_pages,
    .xFreePages = bootmem_free_pages,
    .xUsable = bootmem_usable,
    .xCheck = bootmem_check,
    .xWalk = bootmem_walk,
    .xFreeBytes = bootmem_free_bytes,
    .xLargestFreeBound = bootmem_largest_bound,
    .xPhase = bootmem_phase,
    .xReserveBytes = bootmem_reserve_bytes,
    .xReclaimable = bootmem_reclaimable,
    .xFreeSize = bootmem_free_size,
    .xInfo = bootmem_info,
};
