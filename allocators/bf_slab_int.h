/*
** bf_slab_int.h: what the files of the SLAB allocator share (never included outside them).
**
** Owns: the allocator's constants, the layout of its descriptors in simulated memory (cache,
** slab + bufctl array, kmalloc table entry, metadata block), the host state (slab_state) and the
** entry points each file offers the others. Which file owns what (bf_slab.c states the model):
**   bf_slab.c        the model, creation (cache_cache and the kmalloc classes), kmalloc/kfree,
**                    named caches, the methods table
**   bf_slab_cache.c  cache geometry (kmem_cache_create) and the slab lifecycle: grow, take and
**                    return objects, destroy and reap slabs
**   bf_slab_check.c  the instruments: /proc/slabinfo, the consistency check, the heap walk and
**                    the free-byte count
** Cross-file functions carry the allocators' internal prefix (bfa_slab_).
**
** Invariants of the host state: all[0..ncaches) lists every cache once (cache_cache first, then
** the kmalloc classes in pairs normal/DMA, then the named caches in creation order) with its
** object size in all_size; free_obj_bytes equals the sum over caches of free objects x size.
*/
#ifndef BF_SLAB_INT_H
#define BF_SLAB_INT_H

#include "bf_alloc.h"
#include "bf_alloc_int.h"
#include "bf_bf533.h"

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

/* 1 if a lies in the managed memory. */
static inline int slab_in_range(const slab_state *s, bf_addr a)
{
    return bfa_pages_in_range(&s->pg, a);
}

static inline bf_addr slab_map(const slab_state *s, bf_addr a)
{
    return s->meta + META_MAP + 8 * ((a - s->pg.base) / s->pg.page_size);
}

static inline uint32_t slab_align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1) / a * a;
}

/* bf_slab.c: the general (kmalloc) cache for `size` (kmem_find_general_cachep), 0 if none. */
bf_addr bfa_slab_general(slab_state *s, uint64_t size, int dma);

/* bf_slab_cache.c: set up the cache descriptor at c (rule 1); its object size, or 0 when no slab
** order holds such objects. Take an object from cache c (rule 3, growing by one slab if needed;
** 0 when no page is left), return one (rules 4-5; BF_EINPUT if obj is not an object of c in use).
*/
uint32_t bfa_slab_setup(slab_state *s, bf_addr c, uint64_t objsize, int hwalign, int dma);
bf_addr bfa_slab_cache_alloc_obj(slab_state *s, bf_addr c, uint32_t gfp);
int bfa_slab_cache_free_obj(slab_state *s, bf_addr c, bf_addr obj);

/* bf_slab_check.c: the methods xInfo, xCheck, xWalk and xFreeBytes (none of them charged). */
size_t bfa_slab_info(void *st, char *buf, size_t n);
const char *bfa_slab_check(void *st);
void bfa_slab_walk(void *st, bfa_visit_fn visit, void *arg);
uint64_t bfa_slab_free_bytes(void *st, uint64_t *largest);

#endif
