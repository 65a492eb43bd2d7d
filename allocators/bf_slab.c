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
** no more objects in use than it holds; a new slab's colour is below the cache's colour count;
** the free-object and active counts (and the host's free_obj_bytes) never go below zero.
**
** Files: this one owns creation (cache_cache, then the kmalloc classes), the kmalloc size table
** and its lookup, the named caches and the methods table; bf_slab_cache.c the cache geometry and
** the slab lifecycle (rules 1-5); bf_slab_check.c slabinfo, check, walk and free bytes;
** bf_slab_int.h the descriptor layouts and the host state they share.
*/
#include "bf_slab_int.h"

#include "bf_hmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* kmalloc classes (include/linux/kmalloc_sizes.h, 2.6.0-2.6.22, 32-byte lines, NOMMU,
** CONFIG_LARGE_ALLOCS). 32 exists only with 4 KiB pages. */
static const uint32_t slab_class_size[] = {32,      64,      96,      128,      192,     256,
                                           512,     1024,    2048,    4096,     8192,    16384,
                                           32768,   65536,   131072,  262144,   524288,  1048576,
                                           2097152, 4194304, 8388608, 16777216, 33554432};

_Static_assert(BF_ARRAY_SIZE(slab_class_size) <= SLAB_NCLASS_MAX, "class table too small");

/* ---- kmalloc size classes and the cache list ------------------------------------------------ */

/* The general cache for `size` (kmem_find_general_cachep), 0 if none is big enough. */
bf_addr bfa_slab_general(slab_state *s, uint64_t size, int dma)
{
    for (unsigned i = 0; i < s->nclasses; i++) {
        bf_addr e = s->meta + CS_BYTES * i;
        if (size <= bf_amem_r32(s->pg.m, e + CS_SIZE))
            return bf_amem_r32(s->pg.m, e + (dma ? CS_DMACACHE : CS_CACHE));
    }
    return 0;
}

static void slab_add_cache(slab_state *s, bf_addr c, uint32_t size)
{
    s->all_size[s->ncaches] = size;
    s->all[s->ncaches++] = c;
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
    uint32_t ccsize = bfa_slab_setup(s, cc, KC_BYTES, 1, 0);
    if (!ccsize) {
        slab_destroy_state(s);
        return BF_ECONFIG;
    }
    slab_add_cache(s, cc, ccsize);
    for (unsigned i = 0; i < BF_ARRAY_SIZE(slab_class_size); i++) {
        uint32_t size = slab_class_size[i];
        if (size == 32 && s->pg.page_size != 4096)
            continue;
        bf_addr cn = bfa_slab_cache_alloc_obj(s, cc, BF_GFP_KERNEL);
        bf_addr cd = cn ? bfa_slab_cache_alloc_obj(s, cc, BF_GFP_KERNEL) : 0;
        uint32_t nsize = cd ? bfa_slab_setup(s, cn, size, 1, 0) : 0;
        uint32_t dsize = nsize ? bfa_slab_setup(s, cd, size, 1, 1) : 0;
        if (!dsize) {
            if (cn)
                bfa_slab_cache_free_obj(s, cc, cn);
            if (cd)
                bfa_slab_cache_free_obj(s, cc, cd);
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
    bf_addr c = bfa_slab_general(s, bytes, (gfp & BF_GFP_DMA) != 0);
    *out = c ? bfa_slab_cache_alloc_obj(s, c, gfp) : 0;
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
    return c ? bfa_slab_cache_free_obj(s, c, a) : BF_EINPUT;
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
        bf_addr c = bfa_slab_cache_alloc_obj(s, cc, BF_GFP_KERNEL);
        if (!c)
            return BF_OK;
        uint32_t csize = bfa_slab_setup(s, c, objsize, 0, 0);
        if (!csize) {
            bfa_slab_cache_free_obj(s, cc, c);
            return BF_OK; /* no slab order holds such an object: the allocation fails */
        }
        n = &s->named[s->nnamed++];
        snprintf(n->name, sizeof n->name, "%s", name);
        n->desc = c;
        slab_add_cache(s, c, csize);
    }
    *out = bfa_slab_cache_alloc_obj(s, n->desc, gfp);
    return BF_OK;
}

static int slab_cache_free(void *st, const char *cache, bf_addr a)
{
    slab_state *s = st;
    if (!a)
        return BF_OK;
    slab_named *n = slab_find_named(s, cache ? cache : "");
    return n ? bfa_slab_cache_free_obj(s, n->desc, a) : BF_EINPUT;
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
    .xCheck = bfa_slab_check,
    .xWalk = bfa_slab_walk,
    .xFreeBytes = bfa_slab_free_bytes,
    .xLargestFreeBound = bfa_pages_xlargest_bound,
    .xPhase = bfa_pages_xphase,
    .xReclaimable = bfa_pages_xreclaimable,
    .xMmap = NULL,
    .xFreeSize = NULL,
    .xInfo = bfa_slab_info,
};
