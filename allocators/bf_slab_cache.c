/*
** bf_slab_cache.c: the SLAB allocator's caches and slabs (bf_slab.c states the model and its
** rules). Owns the cache geometry of rule 1 (kmem_cache_create: alignment, slab order, on- or
** off-slab descriptor, colours), the slab layout of rule 2, and the slab lifecycle of rules 3-5:
** grow a cache by one slab, take an object from the first partial (else free) slab, return it,
** destroy an empty slab beyond free_limit, reap every empty slab when the page allocator refuses
** a sleeping request. The circular list heads and slab descriptors are in simulated memory.
**
** Invariants kept here: a cache's slabs are on exactly one of its full, partial and free lists,
** by their inuse count; a slab's bufctl list holds num - inuse distinct indices below num;
** KC_FREE_OBJECTS and KC_ACTIVE are the sums over the slabs (and free_obj_bytes moves with the
** former); every page of a slab maps to its cache and slab, and a destroyed slab's pages map to
** nothing. Debug builds assert from values already read (never an extra simulated access).
*/
#include "bf_slab_int.h"

#include <assert.h>

/* ---- lists in simulated memory (node: next, prev) ---------------------------------------- */

static void sl_list_del(slab_state *s, bf_addr n)
{
    bf_addr nx = bf_amem_r32(s->pg.m, n + 0), pv = bf_amem_r32(s->pg.m, n + 4);
    bf_amem_w32(s->pg.m, nx + 4, pv);
    bf_amem_w32(s->pg.m, pv + 0, nx);
}

static void sl_list_insert(slab_state *s, bf_addr n, bf_addr pv, bf_addr nx)
{
    bf_amem_w32(s->pg.m, n + 0, nx);
    bf_amem_w32(s->pg.m, n + 4, pv);
    bf_amem_w32(s->pg.m, nx + 4, n);
    bf_amem_w32(s->pg.m, pv + 0, n);
}

static void sl_list_add(slab_state *s, bf_addr n, bf_addr head)
{
    sl_list_insert(s, n, head, bf_amem_r32(s->pg.m, head + 0));
}

static void sl_list_add_tail(slab_state *s, bf_addr n, bf_addr head)
{
    sl_list_insert(s, n, bf_amem_r32(s->pg.m, head + 4), head);
}

static void sl_list_init(slab_state *s, bf_addr head)
{
    bf_amem_w32(s->pg.m, head + 0, head);
    bf_amem_w32(s->pg.m, head + 4, head);
}

/* ---- geometry ------------------------------------------------------------------------------ */

/* cache_estimate: objects and left-over bytes of a 2^order slab. */
static void slab_estimate(const slab_state *s, unsigned order, uint32_t size, uint32_t align,
                          int off_slab, uint32_t *num, uint32_t *left)
{
    uint64_t bytes = (uint64_t)s->pg.page_size << order, mgmt = 0, n;
    if (off_slab) {
        n = bytes / size;
    } else {
        n = (bytes - SL_BUFCTL) / (size + 4);
        if (slab_align_up(SL_BUFCTL + 4 * (uint32_t)n, align) + n * size > bytes)
            n--;
        mgmt = slab_align_up(SL_BUFCTL + 4 * (uint32_t)n, align);
    }
    *num = (uint32_t)n;
    *left = (uint32_t)(bytes - n * size - mgmt);
}

/* kmem_cache_create's geometry, written to the descriptor at c. 0 if no slab order fits. */
/* Returns the object size (the cache is set up), or 0 when no slab order holds such objects. */
uint32_t bfa_slab_setup(slab_state *s, bf_addr c, uint64_t objsize, int hwalign, int dma)
{
    if (objsize == 0)
        objsize = 1;
    if (objsize > ((uint64_t)s->pg.page_size << (s->max_order - 1)))
        return 0;
    uint32_t size = slab_align_up((uint32_t)objsize, SLAB_WORD), align;
    if (hwalign) {
        align = SLAB_LINE;
        while (size <= align / 2)
            align /= 2;
    } else {
        align = SLAB_WORD;
    }
    if (align < SLAB_MINALIGN)
        align = SLAB_MINALIGN;
    size = slab_align_up(size, align);
    int off = size >= (s->pg.page_size >> SLAB_OFFSLAB_SHIFT);

    uint32_t num = 0, left = 0, order = 0;
    for (unsigned o = 0; o < s->max_order; o++) {
        uint32_t n, l;
        slab_estimate(s, o, size, align, off, &n, &l);
        if (!n)
            continue;
        if (off && n > (size - SL_BUFCTL) / 4)
            break;
        num = n;
        order = o;
        left = l;
        if (o >= s->break_order)
            break;
        if ((uint64_t)left * SLAB_WASTE_DIV <= ((uint64_t)s->pg.page_size << o))
            break;
    }
    if (!num)
        return 0;
    uint32_t mgmt = slab_align_up(SL_BUFCTL + 4 * num, align);
    if (off && left >= mgmt) {
        off = 0;
        left -= mgmt;
    }
    uint32_t slab_size = off ? SL_BUFCTL + 4 * num : mgmt;
    bf_addr slabp_cache = 0;
    if (off) {
        slabp_cache = bfa_slab_general(s, slab_size, 0);
        if (!slabp_cache)
            return 0;
    }
    uint32_t colour_off = align > SLAB_LINE ? align : SLAB_LINE;
    uint32_t limit = size > 131072            ? 1
                     : size > s->pg.page_size ? 8
                     : size > 1024            ? 24
                     : size > 256             ? 54
                                              : 120;
    uint32_t batch = (limit + 1) / 2;

    sl_list_init(s, c + KC_PARTIAL);
    sl_list_init(s, c + KC_FULL);
    sl_list_init(s, c + KC_FREE);
    bf_amem_w32(s->pg.m, c + KC_SIZE, size);
    bf_amem_w32(s->pg.m, c + KC_NUM, num);
    bf_amem_w32(s->pg.m, c + KC_ORDER, order);
    if (order > s->max_slab_order)
        s->max_slab_order = order;
    bf_amem_w32(s->pg.m, c + KC_FLAGS, (off ? CF_OFF_SLAB : 0) | (dma ? CF_DMA : 0));
    bf_amem_w32(s->pg.m, c + KC_COLOUR, left / colour_off);
    bf_amem_w32(s->pg.m, c + KC_COLOUR_OFF, colour_off);
    bf_amem_w32(s->pg.m, c + KC_COLOUR_NEXT, 0);
    bf_amem_w32(s->pg.m, c + KC_SLAB_SIZE, slab_size);
    bf_amem_w32(s->pg.m, c + KC_SLABP_CACHE, slabp_cache);
    bf_amem_w32(s->pg.m, c + KC_FREE_OBJECTS, 0);
    bf_amem_w32(s->pg.m, c + KC_FREE_LIMIT, (1 + SLAB_NCPUS) * batch + num);
    bf_amem_w32(s->pg.m, c + KC_ACTIVE, 0);
    return size;
}

/* ---- slabs ----------------------------------------------------------------------------------- */

/* Host bookkeeping beside KC_FREE_OBJECTS: every change of a cache's free-object count by
** `delta` objects moves free_obj_bytes by delta objects of the cache's size (no simulated access).
*/
static void slab_free_objs_moved(slab_state *s, bf_addr c, int64_t delta)
{
    for (size_t i = 0; i < s->ncaches; i++)
        if (s->all[i] == c) {
            assert(delta >= 0 || s->free_obj_bytes >= (uint64_t)(-delta * (int64_t)s->all_size[i]));
            s->free_obj_bytes += (uint64_t)(delta * (int64_t)s->all_size[i]);
            return;
        }
}

static void slab_destroy(slab_state *s, bf_addr c, bf_addr slab)
{
    bf_addr page = bf_amem_r32(s->pg.m, slab + SL_SMEM) - bf_amem_r32(s->pg.m, slab + SL_COLOUROFF);
    unsigned order = bf_amem_r32(s->pg.m, c + KC_ORDER);
    for (uint32_t i = 0; i < (1u << order); i++)
        bf_amem_w32(s->pg.m, slab_map(s, page + i * s->pg.page_size), 0);
    bfa_pages_put(&s->pg, page, order);
    if (bf_amem_r32(s->pg.m, c + KC_FLAGS) & CF_OFF_SLAB)
        bfa_slab_cache_free_obj(s, bf_amem_r32(s->pg.m, c + KC_SLABP_CACHE), slab);
}

/* Release every empty slab of every cache (the effect of cache_reap / kmem_cache_shrink). */
static void slab_reap(slab_state *s)
{
    for (size_t i = 0; i < s->ncaches; i++) {
        bf_addr c = s->all[i], head = c + KC_FREE;
        for (bf_addr n = bf_amem_r32(s->pg.m, head); n != head; n = bf_amem_r32(s->pg.m, head)) {
            sl_list_del(s, n);
            /* free objects read before the count per slab: the access order of main */
            uint32_t nfree = bf_amem_r32(s->pg.m, c + KC_FREE_OBJECTS);
            uint32_t num = bf_amem_r32(s->pg.m, c + KC_NUM);
            assert(nfree >= num); /* the free slab's objects are among the free ones */
            bf_amem_w32(s->pg.m, c + KC_FREE_OBJECTS, nfree - num);
            slab_free_objs_moved(s, c, -(int64_t)num);
            slab_destroy(s, c, n);
        }
    }
}

static int slab_grow(slab_state *s, bf_addr c, uint32_t gfp)
{
    uint32_t flags = bf_amem_r32(s->pg.m, c + KC_FLAGS);
    unsigned order = bf_amem_r32(s->pg.m, c + KC_ORDER);
    uint32_t colour = bf_amem_r32(s->pg.m, c + KC_COLOUR);
    uint32_t cnext = bf_amem_r32(s->pg.m, c + KC_COLOUR_NEXT);
    uint32_t offset = cnext * bf_amem_r32(s->pg.m, c + KC_COLOUR_OFF);
    assert(cnext < (colour ? colour : 1));
    bf_amem_w32(s->pg.m, c + KC_COLOUR_NEXT, cnext + 1 >= colour ? 0 : cnext + 1);

    uint32_t pgfp = (gfp & ~(uint32_t)BF_GFP_DMA) | ((flags & CF_DMA) ? BF_GFP_DMA : 0);
    bf_addr page = bfa_pages_get(&s->pg, order, pgfp);
    if (!page && (gfp & BF_GFP_WAIT)) {
        slab_reap(s);
        page = bfa_pages_get(&s->pg, order, pgfp);
    }
    if (!page)
        return 0;
    uint32_t num = bf_amem_r32(s->pg.m, c + KC_NUM);
    bf_addr slab;
    uint32_t colouroff;
    if (flags & CF_OFF_SLAB) {
        slab = bfa_slab_cache_alloc_obj(s, bf_amem_r32(s->pg.m, c + KC_SLABP_CACHE),
                                        gfp & ~(uint32_t)BF_GFP_DMA);
        if (!slab) {
            bfa_pages_put(&s->pg, page, order);
            return 0;
        }
        colouroff = offset;
    } else {
        slab = page + offset;
        colouroff = offset + bf_amem_r32(s->pg.m, c + KC_SLAB_SIZE);
    }
    bf_amem_w32(s->pg.m, slab + SL_COLOUROFF, colouroff);
    bf_amem_w32(s->pg.m, slab + SL_SMEM, page + colouroff);
    bf_amem_w32(s->pg.m, slab + SL_INUSE, 0);
    bf_amem_w32(s->pg.m, slab + SL_FREE, 0);
    for (uint32_t i = 0; i < num; i++)
        bf_amem_w32(s->pg.m, slab + SL_BUFCTL + 4 * i, i + 1 < num ? i + 1 : BUFCTL_END);
    for (uint32_t i = 0; i < (1u << order); i++) {
        bf_addr e = slab_map(s, page + i * s->pg.page_size);
        bf_amem_w32(s->pg.m, e, c);
        bf_amem_w32(s->pg.m, e + 4, slab);
    }
    sl_list_add_tail(s, slab, c + KC_FREE);
    bf_amem_w32(s->pg.m, c + KC_FREE_OBJECTS, bf_amem_r32(s->pg.m, c + KC_FREE_OBJECTS) + num);
    slab_free_objs_moved(s, c, num);
    return 1;
}

bf_addr bfa_slab_cache_alloc_obj(slab_state *s, bf_addr c, uint32_t gfp)
{
    for (;;) {
        bf_addr slab = bf_amem_r32(s->pg.m, c + KC_PARTIAL);
        if (slab == c + KC_PARTIAL) {
            slab = bf_amem_r32(s->pg.m, c + KC_FREE);
            if (slab == c + KC_FREE) {
                if (!slab_grow(s, c, gfp))
                    return 0;
                continue;
            }
        }
        uint32_t idx = bf_amem_r32(s->pg.m, slab + SL_FREE);
        assert(idx != BUFCTL_END); /* partial and free slabs have a free object */
        bf_addr obj =
            bf_amem_r32(s->pg.m, slab + SL_SMEM) + idx * bf_amem_r32(s->pg.m, c + KC_SIZE);
        assert(slab_in_range(s, obj));
        uint32_t next = bf_amem_r32(s->pg.m, slab + SL_BUFCTL + 4 * idx);
        bf_amem_w32(s->pg.m, slab + SL_FREE, next);
        bf_amem_w32(s->pg.m, slab + SL_INUSE, bf_amem_r32(s->pg.m, slab + SL_INUSE) + 1);
        sl_list_del(s, slab);
        sl_list_add(s, slab, c + (next == BUFCTL_END ? KC_FULL : KC_PARTIAL));
        uint32_t nfree = bf_amem_r32(s->pg.m, c + KC_FREE_OBJECTS);
        assert(nfree > 0);
        bf_amem_w32(s->pg.m, c + KC_FREE_OBJECTS, nfree - 1);
        slab_free_objs_moved(s, c, -1);
        bf_amem_w32(s->pg.m, c + KC_ACTIVE, bf_amem_r32(s->pg.m, c + KC_ACTIVE) + 1);
        return obj;
    }
}

int bfa_slab_cache_free_obj(slab_state *s, bf_addr c, bf_addr obj)
{
    if (!slab_in_range(s, obj))
        return BF_EINPUT;
    bf_addr e = slab_map(s, obj);
    if (bf_amem_r32(s->pg.m, e) != c)
        return BF_EINPUT;
    bf_addr slab = bf_amem_r32(s->pg.m, e + 4);
    bf_addr smem = bf_amem_r32(s->pg.m, slab + SL_SMEM);
    uint32_t size = bf_amem_r32(s->pg.m, c + KC_SIZE), num = bf_amem_r32(s->pg.m, c + KC_NUM);
    uint32_t inuse = bf_amem_r32(s->pg.m, slab + SL_INUSE);
    if (obj < smem || (obj - smem) % size || (obj - smem) / size >= num || inuse == 0)
        return BF_EINPUT;
    uint32_t idx = (obj - smem) / size;
    assert(inuse <= num);
    bf_amem_w32(s->pg.m, slab + SL_BUFCTL + 4 * idx, bf_amem_r32(s->pg.m, slab + SL_FREE));
    bf_amem_w32(s->pg.m, slab + SL_FREE, idx);
    bf_amem_w32(s->pg.m, slab + SL_INUSE, --inuse);
    uint32_t nfree = bf_amem_r32(s->pg.m, c + KC_FREE_OBJECTS) + 1;
    uint32_t active = bf_amem_r32(s->pg.m, c + KC_ACTIVE);
    assert(active > 0);
    bf_amem_w32(s->pg.m, c + KC_ACTIVE, active - 1);
    sl_list_del(s, slab);
    if (inuse == 0) {
        if (nfree > bf_amem_r32(s->pg.m, c + KC_FREE_LIMIT)) {
            assert(nfree >= num);
            bf_amem_w32(s->pg.m, c + KC_FREE_OBJECTS, nfree - num);
            slab_free_objs_moved(s, c, 1 - (int64_t)num);
            slab_destroy(s, c, slab);
            return BF_OK;
        }
        sl_list_add(s, slab, c + KC_FREE);
    } else {
        sl_list_add_tail(s, slab, c + KC_PARTIAL);
    }
    bf_amem_w32(s->pg.m, c + KC_FREE_OBJECTS, nfree);
    slab_free_objs_moved(s, c, 1);
    return BF_OK;
}
