/*
** bf_slab.c: the Linux 2.6 SLAB allocator and kmalloc (mm/slab.c behaviour, Bonwick-style caches
** by Mark Hemment and Manfred Spraul), on simulated memory, over a private buddy page allocator.
** Implemented from the documented behaviour (reference kernel-allocators sections 0 and 2.1-2.2),
** not from kernel code.
**
** What it models: kmalloc/kfree through the general caches, kmem_cache_alloc/free of named caches
** (created on first use), and the pages underneath, with every descriptor, free list and list head
** at simulated addresses.
**
** Assumptions
**  - Blackfin: L1 line 32 bytes (so 96- and 192-byte classes exist and colours step by 32),
**    ARCH_SLAB_MINALIGN 8, 4 KiB pages, NOMMU (classes to 1 MiB) and CONFIG_LARGE_ALLOCS (classes
**    to 32 MiB, as far as MAX_ORDER allows). Every class has a normal and a DMA cache; DMA caches
**    take their pages with __GFP_DMA.
**  - One CPU, no per-CPU array caches (and no shared/alien arrays): objects go straight to and
**    from their slab. The array caches' effect on releasing slabs is kept through free_limit
**    (rule 5). Debug features (red zones, poisoning) are off, as in production kernels.
**  - The kernel finds an object's cache and slab through its struct page (page->lru); here a
**    parallel page map in simulated memory holds {cache, slab} per page (the same accesses).
**  - cache_reap (a 2 s timer) is not timed; its effect is modelled by releasing every cache's
**    free slabs when the page allocator refuses a slab to a request that may sleep (__GFP_WAIT),
**    then retrying once.
**  - The kmalloc size table (size, cache, DMA cache per class) is in simulated memory and scanned
**    from the smallest class, as the kernel's non-constant-size path does.
**
** Algorithm
**  1. Cache creation (kmem_cache_create): size rounded to a word, then to the alignment (HWCACHE
**     caches: the line, halved while the object fits in half of it; others: 8). Descriptor
**     off-slab when size >= PAGE_SIZE/8. Slab order (calculate_slab_order): the smallest order
**     holding at least one object, stopping at once when order >= slab_break_gfp_order (0, or 1
**     above 32 MiB of RAM) or when the left-over is at most 1/8 of the slab; an off-slab cache
**     stops before its object count outgrows a descriptor of its own object size. An off-slab
**     descriptor that fits in the left-over goes on-slab. colour = left-over / 32.
**  2. A slab is 2^order pages: [colour offset][descriptor + bufctl array if on-slab][objects]; the
**     colour offset cycles 0, 32, ... (colour-1)*32 over successive slabs of a cache. Off-slab
**     descriptors are kmalloc'ed from the general cache of their size.
**  3. Allocation takes the first slab of the partial list, else of the free list, else grows the
**     cache by one slab; the object is the head of the slab's index-linked bufctl free list. The
**     slab moves to the full list when its last object is taken, else to the head of partial.
**  4. Free pushes the object's index on its slab's bufctl list; the slab goes to the tail of the
**     partial list, or, when empty, to the free list.
**  5. An empty slab is destroyed instead when the cache already has more than free_limit free
**     objects, free_limit = (1 + CPUs) * batchcount + objects per slab, batchcount = (limit+1)/2
**     with enable_cpucache's limit (120, 54, 24, 8 or 1 by object size).
**
** Invariant: each cache's slabs are on exactly one of full (inuse = num), partial
** (0 < inuse < num) or free (inuse = 0); each slab's bufctl list holds num - inuse distinct
** indices below num; the cache's free-object and active counts equal the sums over its slabs; the
** colour offset of each slab is a multiple of 32 below colour * 32; every page of a slab maps to
** its cache and slab and no other page maps to a cache. Debug builds assert, from values an
** operation has read anyway (never an extra simulated access): a slab taken from the partial or
** free list has a free object, whose address lies in managed memory; a freed object's slab has
** no more objects in use than it holds.
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bf_alloc.h"
#include "bf_alloc_int.h"
#include "bf_bf533.h"
#include "bf_hmem.h"
#include "bf_strbuf.h"

enum {
    SLAB_LINE = BF_LINE_BYTES, /* bytes: L1_CACHE_BYTES, also the colour step */
    SLAB_MINALIGN = 8,         /* bytes: ARCH_SLAB_MINALIGN */
    SLAB_WORD = 4,             /* bytes: BYTES_PER_WORD */
    SLAB_OFFSLAB_SHIFT = 3,    /* off-slab descriptors for size >= PAGE_SIZE >> 3 */
    SLAB_WASTE_DIV = 8,        /* an order is acceptable when left-over <= slab / 8 */
    SLAB_BREAK_RAM = 32 << 20, /* bytes of RAM above which slab_break_gfp_order is 1 */
    SLAB_NCPUS = 1,            /* CPUs for free_limit */
    SLAB_MAX_CACHES = 512,     /* named caches */
    SLAB_NAME_MAX = 64,
    SLAB_NCLASS_MAX = 32
};

#define BUFCTL_END 0xFFFFFFFFu

/* kmalloc classes (include/linux/kmalloc_sizes.h, 2.6.0-2.6.22, 32-byte lines, NOMMU,
** CONFIG_LARGE_ALLOCS). 32 exists only with 4 KiB pages. */
static const uint32_t slab_class_size[] = {32,      64,      96,      128,      192,     256,
                                           512,     1024,    2048,    4096,     8192,    16384,
                                           32768,   65536,   131072,  262144,   524288,  1048576,
                                           2097152, 4194304, 8388608, 16777216, 33554432};

/* Cache descriptor (struct kmem_cache with its kmem_list3), 72 bytes: */
enum {
    KC_PARTIAL = 0,      /* list head: next, prev */
    KC_FULL = 8,         /* list head */
    KC_FREE = 16,        /* list head */
    KC_SIZE = 24,        /* buffer_size: object stride, bytes */
    KC_NUM = 28,         /* objects per slab */
    KC_ORDER = 32,       /* gfporder */
    KC_FLAGS = 36,       /* CF_* */
    KC_COLOUR = 40,      /* number of colours */
    KC_COLOUR_OFF = 44,  /* colour step, bytes */
    KC_COLOUR_NEXT = 48, /* next colour */
    KC_SLAB_SIZE = 52,   /* descriptor bytes (aligned when on-slab) */
    KC_SLABP_CACHE = 56, /* cache of off-slab descriptors */
    KC_FREE_OBJECTS = 60,
    KC_FREE_LIMIT = 64,
    KC_ACTIVE = 68, /* objects handed out */
    KC_BYTES = 72
};
enum { CF_OFF_SLAB = 1u, CF_DMA = 2u };
/* Slab descriptor (struct slab) followed by the bufctl array: */
enum {
    SL_NEXT = 0,
    SL_PREV = 4,
    SL_COLOUROFF = 8,
    SL_SMEM = 12,
    SL_INUSE = 16,
    SL_FREE = 20,
    SL_BUFCTL = 24
};
/* kmalloc table entry (struct cache_sizes): */
enum { CS_SIZE = 0, CS_CACHE = 4, CS_DMACACHE = 8, CS_BYTES = 12 };
/* Metadata block: table, then cache_cache's descriptor, then the page map (8 bytes a page). */
enum { META_CC = CS_BYTES * SLAB_NCLASS_MAX, META_MAP = META_CC + KC_BYTES };

_Static_assert(BF_ARRAY_SIZE(slab_class_size) <= SLAB_NCLASS_MAX, "class table too small");

typedef struct slab_named {
    char name[SLAB_NAME_MAX];
    bf_addr desc;
} slab_named;

typedef struct slab_state {
    bfa_pages pg;         /* buddy underneath and page geometry: must stay the first member */
    unsigned max_order;   /* buddy MAX_ORDER */
    unsigned break_order; /* slab_break_gfp_order */
    bf_addr meta;         /* see META_* */
    unsigned nclasses;    /* kmalloc classes created */
    size_t ncaches;       /* every cache, for check and reap: cache_cache, kmalloc, named */
    bf_addr all[1 + 2 * SLAB_NCLASS_MAX + SLAB_MAX_CACHES];
    uint32_t all_size[1 + 2 * SLAB_NCLASS_MAX + SLAB_MAX_CACHES]; /* host: object size of all[i] */
    uint64_t free_obj_bytes; /* host: free objects x their size over every cache (xFreeBytes) */
    unsigned max_slab_order; /* host: largest slab order of any cache set up (xFreeBytes) */
    size_t nnamed;
    slab_named named[SLAB_MAX_CACHES];
    uint8_t *scratch; /* host: per-object marks for check and walk */
    size_t scratch_n;
    char msg[200];
} slab_state;

static bf_addr slab_cache_alloc_obj(slab_state *s, bf_addr c, uint32_t gfp);
static int slab_cache_free_obj(slab_state *s, bf_addr c, bf_addr obj);

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

static int slab_in_range(const slab_state *s, bf_addr a)
{
    return bfa_pages_in_range(&s->pg, a);
}

static bf_addr slab_map(const slab_state *s, bf_addr a)
{
    return s->meta + META_MAP + 8 * ((a - s->pg.base) / s->pg.page_size);
}

static uint32_t slab_align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1) / a * a;
}

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

/* The general cache for `size` (kmem_find_general_cachep), 0 if none is big enough. */
static bf_addr slab_general(slab_state *s, uint64_t size, int dma)
{
    for (unsigned i = 0; i < s->nclasses; i++) {
        bf_addr e = s->meta + CS_BYTES * i;
        if (size <= bf_amem_r32(s->pg.m, e + CS_SIZE))
            return bf_amem_r32(s->pg.m, e + (dma ? CS_DMACACHE : CS_CACHE));
    }
    return 0;
}

/* kmem_cache_create's geometry, written to the descriptor at c. 0 if no slab order fits. */
/* Returns the object size (the cache is set up), or 0 when no slab order holds such objects. */
static uint32_t slab_setup(slab_state *s, bf_addr c, uint64_t objsize, int hwalign, int dma)
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
        slabp_cache = slab_general(s, slab_size, 0);
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
            s->free_obj_bytes += (uint64_t)(delta * (int64_t)s->all_size[i]);
            return;
        }
}

static void slab_add_cache(slab_state *s, bf_addr c, uint32_t size)
{
    s->all_size[s->ncaches] = size;
    s->all[s->ncaches++] = c;
}

static void slab_destroy(slab_state *s, bf_addr c, bf_addr slab)
{
    bf_addr page = bf_amem_r32(s->pg.m, slab + SL_SMEM) - bf_amem_r32(s->pg.m, slab + SL_COLOUROFF);
    unsigned order = bf_amem_r32(s->pg.m, c + KC_ORDER);
    for (uint32_t i = 0; i < (1u << order); i++)
        bf_amem_w32(s->pg.m, slab_map(s, page + i * s->pg.page_size), 0);
    bfa_pages_put(&s->pg, page, order);
    if (bf_amem_r32(s->pg.m, c + KC_FLAGS) & CF_OFF_SLAB)
        slab_cache_free_obj(s, bf_amem_r32(s->pg.m, c + KC_SLABP_CACHE), slab);
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
        slab = slab_cache_alloc_obj(s, bf_amem_r32(s->pg.m, c + KC_SLABP_CACHE),
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

static bf_addr slab_cache_alloc_obj(slab_state *s, bf_addr c, uint32_t gfp)
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
        bf_amem_w32(s->pg.m, c + KC_FREE_OBJECTS, bf_amem_r32(s->pg.m, c + KC_FREE_OBJECTS) - 1);
        slab_free_objs_moved(s, c, -1);
        bf_amem_w32(s->pg.m, c + KC_ACTIVE, bf_amem_r32(s->pg.m, c + KC_ACTIVE) + 1);
        return obj;
    }
}

static int slab_cache_free_obj(slab_state *s, bf_addr c, bf_addr obj)
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
    bf_amem_w32(s->pg.m, c + KC_ACTIVE, bf_amem_r32(s->pg.m, c + KC_ACTIVE) - 1);
    sl_list_del(s, slab);
    if (inuse == 0) {
        if (nfree > bf_amem_r32(s->pg.m, c + KC_FREE_LIMIT)) {
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

/* ---- methods ------------------------------------------------------------------------------- */

static void slab_destroy_state(void *st)
{
    slab_state *s = st;
    if (!s)
        return;
    bfa_pages_close(&s->pg);
    free(s->scratch);
    free(s);
}

static int slab_create(const bf_alloc_env *env, void **out)
{
    *out = NULL;
    if (!env || bf_alloc_env_check(env))
        return BF_ECONFIG;
    slab_state *s = bf_calloc(1, sizeof *s);
    if (!s)
        return BF_ENOMEM;
    s->max_order = env->max_order;
    s->break_order = env->size > (uint32_t)SLAB_BREAK_RAM ? 1 : 0;
    int rc = bfa_pages_open(env, &s->pg);
    if (rc != BF_OK) {
        slab_destroy_state(s);
        return rc;
    }
    unsigned mo = bf_alloc_order_for(META_MAP + 8ull * s->pg.npages, s->pg.page_size);
    s->meta = mo < s->max_order ? bfa_pages_get(&s->pg, mo, BF_GFP_KERNEL) : 0;
    if (!s->meta) {
        slab_destroy_state(s);
        return BF_ECONFIG;
    }
    for (uint32_t p = 0; p < s->pg.npages; p++) {
        bf_amem_w32(s->pg.m, s->meta + META_MAP + 8 * p, 0);
        bf_amem_w32(s->pg.m, s->meta + META_MAP + 8 * p + 4, 0);
    }
    /* Bootstrap: cache_cache holds the descriptors of every other cache. */
    bf_addr cc = s->meta + META_CC;
    uint32_t ccsize = slab_setup(s, cc, KC_BYTES, 1, 0);
    if (!ccsize) {
        slab_destroy_state(s);
        return BF_ECONFIG;
    }
    slab_add_cache(s, cc, ccsize);
    for (unsigned i = 0; i < BF_ARRAY_SIZE(slab_class_size); i++) {
        uint32_t size = slab_class_size[i];
        if (size == 32 && s->pg.page_size != 4096)
            continue;
        bf_addr cn = slab_cache_alloc_obj(s, cc, BF_GFP_KERNEL);
        bf_addr cd = cn ? slab_cache_alloc_obj(s, cc, BF_GFP_KERNEL) : 0;
        uint32_t nsize = cd ? slab_setup(s, cn, size, 1, 0) : 0;
        uint32_t dsize = nsize ? slab_setup(s, cd, size, 1, 1) : 0;
        if (!dsize) {
            if (cn)
                slab_cache_free_obj(s, cc, cn);
            if (cd)
                slab_cache_free_obj(s, cc, cd);
            break; /* classes above MAX_ORDER (or memory) do not exist */
        }
        bf_addr e = s->meta + CS_BYTES * s->nclasses++;
        bf_amem_w32(s->pg.m, e + CS_SIZE, size);
        bf_amem_w32(s->pg.m, e + CS_CACHE, cn);
        bf_amem_w32(s->pg.m, e + CS_DMACACHE, cd);
        slab_add_cache(s, cn, nsize);
        slab_add_cache(s, cd, dsize);
    }
    if (!s->nclasses || s->pg.m->failed) {
        slab_destroy_state(s);
        return BF_ECONFIG;
    }
    *out = s;
    return BF_OK;
}

static int slab_kmalloc(void *st, uint64_t bytes, uint32_t gfp, bf_addr *out)
{
    slab_state *s = st;
    bf_addr c = slab_general(s, bytes, (gfp & BF_GFP_DMA) != 0);
    *out = c ? slab_cache_alloc_obj(s, c, gfp) : 0;
    return BF_OK;
}

static int slab_kfree(void *st, bf_addr a)
{
    slab_state *s = st;
    if (!a)
        return BF_OK;
    if (!slab_in_range(s, a))
        return BF_EINPUT;
    bf_addr c = bf_amem_r32(s->pg.m, slab_map(s, a));
    return c ? slab_cache_free_obj(s, c, a) : BF_EINPUT;
}

static uint64_t slab_usable(void *st, bf_addr a)
{
    slab_state *s = st;
    if (!a || !slab_in_range(s, a))
        return 0;
    bf_addr c = bf_amem_r32(s->pg.m, slab_map(s, a));
    return c ? bf_amem_r32(s->pg.m, c + KC_SIZE) : 0;
}

static slab_named *slab_find_named(slab_state *s, const char *name)
{
    for (size_t i = 0; i < s->nnamed; i++)
        if (strncmp(s->named[i].name, name, SLAB_NAME_MAX - 1) == 0)
            return &s->named[i];
    return NULL;
}

static int slab_cache_alloc(void *st, const char *cache, uint64_t objsize, uint32_t gfp,
                            bf_addr *out)
{
    slab_state *s = st;
    *out = 0;
    const char *name = cache ? cache : "";
    slab_named *n = slab_find_named(s, name);
    if (!n) {
        if (s->nnamed == SLAB_MAX_CACHES)
            return BF_ENOMEM;
        bf_addr cc = s->meta + META_CC;
        bf_addr c = slab_cache_alloc_obj(s, cc, BF_GFP_KERNEL);
        if (!c)
            return BF_OK;
        uint32_t csize = slab_setup(s, c, objsize, 0, 0);
        if (!csize) {
            slab_cache_free_obj(s, cc, c);
            return BF_OK; /* no slab order holds such an object: the allocation fails */
        }
        n = &s->named[s->nnamed++];
        snprintf(n->name, sizeof n->name, "%s", name);
        n->desc = c;
        slab_add_cache(s, c, csize);
    }
    *out = slab_cache_alloc_obj(s, n->desc, gfp);
    return BF_OK;
}

static int slab_cache_free(void *st, const char *cache, bf_addr a)
{
    slab_state *s = st;
    if (!a)
        return BF_OK;
    slab_named *n = slab_find_named(s, cache ? cache : "");
    return n ? slab_cache_free_obj(s, n->desc, a) : BF_EINPUT;
}

/* The buddy's /proc/buddyinfo, then /proc/slabinfo (version 2.1 columns without the tunables,
** which do not exist here): name, active objects, objects, object size, objects per slab, pages
** per slab, active slabs (full + partial), slabs. */
static size_t slab_info(void *st, char *buf, size_t n)
{
    slab_state *s = st;
    bf_amem_mark q = bf_amem_mark_get(s->pg.m);
    if (!buf)
        n = 0;
    bf_strbuf t = bf_strbuf_after(buf, n, bfa_pages_xinfo(st, buf, n));
    bf_strbuf_printf(&t, "slabinfo - version: 2.1\n# name <active_objs> <num_objs> <objsize> "
                         "<objperslab> <pagesperslab> : slabdata <active_slabs> <num_slabs>\n");
    for (size_t i = 0; i < s->ncaches; i++) {
        bf_addr c = s->all[i];
        char name[SLAB_NAME_MAX + 8];
        if (i == 0) {
            snprintf(name, sizeof name, "kmem_cache");
        } else if (i <= 2 * s->nclasses) {
            uint32_t cs = bf_amem_r32(s->pg.m, s->meta + CS_BYTES * ((i - 1) / 2) + CS_SIZE);
            snprintf(name, sizeof name, "size-%u%s", (unsigned)cs, (i - 1) % 2 ? "(DMA)" : "");
        } else {
            snprintf(name, sizeof name, "%s", s->named[i - 1 - 2 * s->nclasses].name);
        }
        uint32_t num = bf_amem_r32(s->pg.m, c + KC_NUM);
        uint32_t active = bf_amem_r32(s->pg.m, c + KC_ACTIVE);
        uint32_t total = active + bf_amem_r32(s->pg.m, c + KC_FREE_OBJECTS);
        uint32_t free_slabs = 0;
        for (bf_addr x = bf_amem_r32(s->pg.m, c + KC_FREE);
             x != c + KC_FREE && free_slabs < s->pg.npages; x = bf_amem_r32(s->pg.m, x + SL_NEXT))
            free_slabs++;
        bf_strbuf_printf(&t, "%-17s %6u %6u %6u %4u %4u : slabdata %6u %6u\n", name,
                         (unsigned)active, (unsigned)total,
                         (unsigned)bf_amem_r32(s->pg.m, c + KC_SIZE), (unsigned)num,
                         1u << bf_amem_r32(s->pg.m, c + KC_ORDER),
                         (unsigned)(total / num - free_slabs), (unsigned)(total / num));
    }
    bf_amem_rewind(s->pg.m, q);
    return t.len;
}

/* ---- check and walk -------------------------------------------------------------------------- */

static const char *slab_fail(slab_state *s, const char *what, bf_addr c, bf_addr a)
{
    snprintf(s->msg, sizeof s->msg, "slab: cache 0x%08x: %s (0x%08x)", (unsigned)c, what,
             (unsigned)a);
    return s->msg;
}

static int slab_scratch(slab_state *s, size_t n)
{
    if (n <= s->scratch_n)
        return 1;
    uint8_t *p = bf_realloc(s->scratch, n);
    if (!p)
        return 0;
    s->scratch = p;
    s->scratch_n = n;
    return 1;
}

/* Marks the free objects of a slab in s->scratch[0..num); 0 if the bufctl list is unsound. */
static const char *slab_mark_free(slab_state *s, bf_addr c, bf_addr slab, uint32_t num,
                                  uint32_t *nfree)
{
    if (!slab_scratch(s, num ? num : 1))
        return "slab: host memory exhausted while checking";
    memset(s->scratch, 0, num);
    uint32_t count = 0;
    for (uint32_t i = bf_amem_r32(s->pg.m, slab + SL_FREE); i != BUFCTL_END;
         i = bf_amem_r32(s->pg.m, slab + SL_BUFCTL + 4 * i)) {
        if (i >= num)
            return slab_fail(s, "bufctl index out of range", c, slab);
        if (s->scratch[i])
            return slab_fail(s, "object twice on a slab's free list", c, slab);
        s->scratch[i] = 1;
        count++;
    }
    *nfree = count;
    return NULL;
}

static const char *slab_check_cache(slab_state *s, bf_addr c, uint64_t *slab_pages)
{
    uint32_t num = bf_amem_r32(s->pg.m, c + KC_NUM), size = bf_amem_r32(s->pg.m, c + KC_SIZE);
    uint32_t flags = bf_amem_r32(s->pg.m, c + KC_FLAGS), order = bf_amem_r32(s->pg.m, c + KC_ORDER);
    uint32_t colour = bf_amem_r32(s->pg.m, c + KC_COLOUR);
    uint32_t coff = bf_amem_r32(s->pg.m, c + KC_COLOUR_OFF);
    uint32_t slab_size = bf_amem_r32(s->pg.m, c + KC_SLAB_SIZE);
    if (!num || !size || order >= s->max_order || !coff)
        return slab_fail(s, "descriptor geometry invalid", c, c);
    if (bf_amem_r32(s->pg.m, c + KC_COLOUR_NEXT) >= (colour ? colour : 1))
        return slab_fail(s, "colour_next out of range", c, c);
    uint64_t bytes = (uint64_t)s->pg.page_size << order;
    uint64_t sum_free = 0, sum_inuse = 0;
    static const uint32_t lists[3] = {KC_FULL, KC_PARTIAL, KC_FREE};
    for (int l = 0; l < 3; l++) {
        bf_addr head = c + lists[l], prev = head;
        uint64_t guard = 0;
        for (bf_addr slab = bf_amem_r32(s->pg.m, head); slab != head;
             slab = bf_amem_r32(s->pg.m, slab + SL_NEXT)) {
            if (++guard > s->pg.npages)
                return slab_fail(s, "slab list does not end (cycle)", c, slab);
            if (bf_amem_r32(s->pg.m, slab + SL_PREV) != prev)
                return slab_fail(s, "slab list back link broken", c, slab);
            prev = slab;
            uint32_t inuse = bf_amem_r32(s->pg.m, slab + SL_INUSE);
            if ((l == 0 && inuse != num) || (l == 1 && (inuse == 0 || inuse >= num)) ||
                (l == 2 && inuse != 0))
                return slab_fail(s, "slab's inuse disagrees with its list", c, slab);
            uint32_t colouroff = bf_amem_r32(s->pg.m, slab + SL_COLOUROFF);
            bf_addr smem = bf_amem_r32(s->pg.m, slab + SL_SMEM);
            bf_addr page = smem - colouroff;
            if (!slab_in_range(s, page) || (page - s->pg.base) % s->pg.page_size)
                return slab_fail(s, "slab start not page aligned or outside memory", c, slab);
            uint32_t colour_bytes = (flags & CF_OFF_SLAB) ? colouroff : colouroff - slab_size;
            if (colour_bytes % coff || colour_bytes / coff >= (colour ? colour : 1))
                return slab_fail(s, "colour offset out of range", c, slab);
            if (!(flags & CF_OFF_SLAB) && slab != page + colour_bytes)
                return slab_fail(s, "on-slab descriptor not after the colour offset", c, slab);
            if ((uint64_t)colouroff + (uint64_t)num * size > bytes)
                return slab_fail(s, "objects run past the slab", c, slab);
            for (uint32_t i = 0; i < (1u << order); i++) {
                bf_addr e = slab_map(s, page + i * s->pg.page_size);
                if (bf_amem_r32(s->pg.m, e) != c || bf_amem_r32(s->pg.m, e + 4) != slab)
                    return slab_fail(s, "page map entry does not name this cache and slab", c,
                                     page + i * s->pg.page_size);
            }
            uint32_t nfree;
            const char *r = slab_mark_free(s, c, slab, num, &nfree);
            if (r)
                return r;
            if (nfree != num - inuse)
                return slab_fail(s, "free list length differs from num - inuse", c, slab);
            sum_free += nfree;
            sum_inuse += inuse;
            *slab_pages += 1u << order;
        }
    }
    if (sum_free != bf_amem_r32(s->pg.m, c + KC_FREE_OBJECTS))
        return slab_fail(s, "free_objects differs from the slabs' free objects", c, c);
    if (sum_inuse != bf_amem_r32(s->pg.m, c + KC_ACTIVE))
        return slab_fail(s, "objects in use differ from objects handed out", c, c);
    return NULL;
}

static const char *slab_check_impl(slab_state *s)
{
    uint64_t slab_pages = 0, mapped = 0;
    for (size_t i = 0; i < s->ncaches; i++) {
        const char *r = slab_check_cache(s, s->all[i], &slab_pages);
        if (r)
            return r;
    }
    for (uint32_t p = 0; p < s->pg.npages; p++) {
        bf_addr c = bf_amem_r32(s->pg.m, s->meta + META_MAP + 8 * p);
        if (!c)
            continue;
        size_t i = 0;
        while (i < s->ncaches && s->all[i] != c)
            i++;
        if (i == s->ncaches)
            return slab_fail(s, "page maps to an unknown cache", c,
                             s->pg.base + p * s->pg.page_size);
        mapped++;
    }
    if (mapped != slab_pages)
        return slab_fail(s, "pages mapped to caches differ from the pages of listed slabs", 0, 0);
    return NULL;
}

static const char *slab_check_own(void *st)
{
    return slab_check_impl(st);
}

static const char *slab_check(void *st)
{
    return bfa_pages_check(st, slab_check_own);
}

/* Emits one slab [page, end): colour + on-slab descriptor and the tail as used, objects by
** state (runs of equal state merged). */
static void slab_walk_slab(slab_state *s, bf_addr c, bf_addr slab, bf_addr page, bf_addr end,
                           bfa_visit_fn visit, void *arg)
{
    uint32_t num = bf_amem_r32(s->pg.m, c + KC_NUM), size = bf_amem_r32(s->pg.m, c + KC_SIZE);
    bf_addr smem = bf_amem_r32(s->pg.m, slab + SL_SMEM);
    uint32_t nfree;
    if (slab_mark_free(s, c, slab, num, &nfree)) {
        visit(arg, page, end - page, 1);
        return;
    }
    if (smem > page)
        visit(arg, page, smem - page, 1);
    uint32_t i = 0;
    while (i < num) {
        uint32_t j = i;
        while (j < num && s->scratch[j] == s->scratch[i])
            j++;
        visit(arg, smem + i * size, (uint64_t)(j - i) * size, !s->scratch[i]);
        i = j;
    }
    if (smem + num * size < end)
        visit(arg, smem + num * size, end - (smem + num * size), 1);
}

/* A slab is recognised at its first page through the page map. */
static bf_addr slab_walk_span(void *st, bf_addr p)
{
    slab_state *s = st;
    bf_addr e = slab_map(s, p), c = bf_amem_r32(s->pg.m, e);
    if (!c)
        return 0;
    bf_addr slab = bf_amem_r32(s->pg.m, e + 4);
    bf_addr page = bf_amem_r32(s->pg.m, slab + SL_SMEM) - bf_amem_r32(s->pg.m, slab + SL_COLOUROFF);
    return page == p ? page + (s->pg.page_size << bf_amem_r32(s->pg.m, c + KC_ORDER)) : 0;
}

static void slab_walk_emit(void *st, bf_addr p, bf_addr end, bfa_visit_fn visit, void *arg)
{
    slab_state *s = st;
    bf_addr e = slab_map(s, p);
    slab_walk_slab(s, bf_amem_r32(s->pg.m, e), bf_amem_r32(s->pg.m, e + 4), p, end, visit, arg);
}

static void slab_walk(void *st, bfa_visit_fn visit, void *arg)
{
    bfa_pages_walk(st, slab_walk_span, slab_walk_emit, visit, arg);
}

/* The buddy's free pages plus every free object. The walk merges runs of free objects within a
** slab, which are shorter than the slab: when the buddy holds a free block at least as large as
** the largest slab, that block is the largest free extent; otherwise it needs a walk. */
static uint64_t slab_free_bytes(void *st, uint64_t *largest)
{
    slab_state *s = st;
    uint64_t pages_free = bfa_pages_free_bytes(&s->pg, largest);
    if (*largest < ((uint64_t)s->pg.page_size << s->max_slab_order))
        *largest = BF_ALLOC_LARGEST_UNKNOWN;
    return pages_free + s->free_obj_bytes;
}

const bf_alloc_methods bf_alloc_slab = {
    .name = "slab",
    .xCreate = slab_create,
    .xDestroy = slab_destroy_state,
    .xAlloc = slab_kmalloc,
    .xFree = slab_kfree,
    .xAllocPages = bfa_pages_xalloc_pages,
    .xFreePages = bfa_pages_xfree_pages,
    .xCacheAlloc = slab_cache_alloc,
    .xCacheFree = slab_cache_free,
    .xUsable = slab_usable,
    .xCheck = slab_check,
    .xWalk = slab_walk,
    .xFreeBytes = slab_free_bytes,
    .xLargestFreeBound = bfa_pages_xlargest_bound,
    .xPhase = bfa_pages_xphase,
    .xReclaimable = bfa_pages_xreclaimable,
    .xMmap = NULL,
    .xFreeSize = NULL,
    .xInfo = slab_info,
};
