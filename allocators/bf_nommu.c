/*
** bf_nommu.c: nommu process memory (mm/nommu.c do_mmap_private, 2.6.29+) on the buddy allocator.
**
** What it models (reference kernel-allocators.md sections 2.5 and 5):
**  1. An anonymous/private mmap of len bytes takes one buddy block of order get_order(len):
**     total = 2^order pages, point = ceil(len / PAGE_SIZE) pages needed.
**  2. The block is split into order-0 pages (the kernel allocates it non-compound). If
**     nr_trim_pages != 0 and total - point >= nr_trim_pages, the excess tail is returned as
**     decreasing power-of-two chunks: while total > point { order = ilog2(total - point);
**     total -= 2^order; free 2^order pages at page `total` }. Otherwise the whole block is kept.
**  3. munmap frees the kept pages one page at a time (free_page_series), each coalescing.
**  4. vmalloc on nommu is kmalloc(size, GFP_KERNEL|__GFP_COMP): physically contiguous. Here every
**     byte-sized request (kmalloc, vmalloc, malloc) goes to the buddy by size, i.e. the smallest
**     order that holds it; the slab allocator is a separate model (bf_slab.c).
**
** State: the buddy's. A mapping's first page descriptor carries BF_PG_REGION and, in its private
** word, the number of pages kept (vm_region's vm_end - vm_start in pages).
** Invariants: the buddy's, plus every page of a region is an allocated order-0 page (xCheck).
** Debug builds assert (host values, or values read anyway): the buddy's block is a page of
** memory; the block holds the request and the trimmed region still does; a region being
** unmapped keeps at least one page, all inside memory.
*/
#include "bf_alloc_int.h"

#include <assert.h>

static int nommu_mmap(void *st, uint64_t bytes, uint32_t gfp, bf_addr *out)
{
    bf_buddy *b = st;
    bf_amem *m = bf_buddy_mem(b);
    const bf_alloc_env *env = bf_buddy_env(b);
    (void)gfp; /* do_mmap_private always asks GFP_KERNEL */
    *out = 0;
    unsigned order = bf_alloc_order_for(bytes, env->page_size);
    bf_addr a;
    int rc = bf_alloc_buddy.xAllocPages(st, order, BF_GFP_KERNEL, &a);
    if (rc != BF_OK || a == 0)
        return rc;
    int ok;
    uint32_t pfn = bf_buddy_pfn(b, a, &ok);
    uint32_t total = 1u << order;
    uint32_t point = (uint32_t)((bytes + env->page_size - 1) / env->page_size);
    if (point == 0)
        point = 1;
    assert(ok && point <= total);
    bf_buddy_split(b, pfn, order);
    if (env->nr_trim_pages && total - point >= env->nr_trim_pages) {
        while (total > point) {
            unsigned o = 0; /* ilog2(total - point) */
            while ((2u << o) <= total - point)
                o++;
            total -= 1u << o;
            rc = bf_buddy_free_split(b, pfn + total, o);
            if (rc != BF_OK)
                return rc;
        }
    }
    assert(total >= point);
    bf_amem_w32(m, bf_buddy_desc(b, pfn), BF_PG_HEAD | BF_PG_REGION);
    bf_amem_w32(m, bf_buddy_desc(b, pfn) + 4, total);
    *out = a;
    return BF_OK;
}

static int nommu_free(void *st, bf_addr a)
{
    bf_buddy *b = st;
    bf_amem *m = bf_buddy_mem(b);
    int ok;
    uint32_t pfn = bf_buddy_pfn(b, a, &ok);
    if (!ok)
        return BF_EINPUT;
    uint32_t v = bf_amem_r32(m, bf_buddy_desc(b, pfn));
    if (!(v & BF_PG_REGION))
        return bf_alloc_buddy.xFree(st, a);
    uint32_t kept = bf_amem_r32(m, bf_buddy_desc(b, pfn) + 4);
    assert(kept > 0 && pfn + kept <= bfa_npages(bf_buddy_env(b)));
    bf_amem_w32(m, bf_buddy_desc(b, pfn), BF_PG_HEAD);
    bf_amem_w32(m, bf_buddy_desc(b, pfn) + 4, 0);
    for (uint32_t i = 0; i < kept; i++) {
        int rc = bf_buddy_free_split(b, pfn + i, 0);
        if (rc != BF_OK)
            return rc;
    }
    return BF_OK;
}

static int nommu_create(const bf_alloc_env *env, void **state)
{
    return bf_alloc_buddy.xCreate(env, state);
}

static void nommu_destroy(void *st)
{
    bf_alloc_buddy.xDestroy(st);
}

static int nommu_alloc(void *st, uint64_t bytes, uint32_t gfp, bf_addr *out)
{
    return bf_alloc_buddy.xAlloc(st, bytes, gfp, out);
}

static int nommu_alloc_pages(void *st, unsigned order, uint32_t gfp, bf_addr *out)
{
    return bf_alloc_buddy.xAllocPages(st, order, gfp, out);
}

static int nommu_free_pages(void *st, bf_addr a, unsigned order)
{
    return bf_alloc_buddy.xFreePages(st, a, order);
}

static uint64_t nommu_usable(void *st, bf_addr a)
{
    return bf_alloc_buddy.xUsable(st, a);
}

static const char *nommu_check(void *st)
{
    return bf_buddy_check(st);
}

static void nommu_walk(void *st, void (*visit)(void *, bf_addr, uint64_t, int), void *arg)
{
    bf_buddy_walk(st, visit, arg);
}

static uint64_t nommu_free_bytes(void *st, uint64_t *largest)
{
    return bf_buddy_free_bytes(st, largest);
}

static void nommu_free_orders(void *st, uint32_t *nr_free, unsigned norders)
{
    bf_buddy_free_orders(st, nr_free, norders);
}

static void nommu_reclaimable(void *st, uint64_t pages)
{
    bf_alloc_buddy.xReclaimable(st, pages);
}

static size_t nommu_info(void *st, char *buf, size_t n)
{
    return bf_buddy_info(st, buf, n);
}

const bf_alloc_methods bf_alloc_nommu = {
    .name = "nommu",
    .xCreate = nommu_create,
    .xDestroy = nommu_destroy,
    .xAlloc = nommu_alloc,
    .xFree = nommu_free,
    .xAllocPages = nommu_alloc_pages,
    .xFreePages = nommu_free_pages,
    .xUsable = nommu_usable,
    .xCheck = nommu_check,
    .xWalk = nommu_walk,
    .xFreeBytes = nommu_free_bytes,
    .xFreeOrders = nommu_free_orders,
    .xReclaimable = nommu_reclaimable,
    .xMmap = nommu_mmap,
    .xInfo = nommu_info,
};
