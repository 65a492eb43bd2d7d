/*
** bf_buddy_int.h: what the files of the buddy allocator share (never included outside them; the
** interface other allocators use is in bf_alloc_int.h).
**
** Owns: struct bf_buddy (host state: the metadata addresses, zone spans, host mirrors of the free
** counts), the zone and watermark-flag constants, and the descriptor and zone-field accessors every
** buddy file uses, inline so that the split into files costs no call on the allocation path. Which
** file owns what (bf_buddy.c states the model and the metadata layout):
**   bf_buddy.c        creation, the internal interface to bootmem and nommu (init, release,
**                     split), the methods (allocate, free, usable size) and the methods table
**   bf_buddy_zone.c   the free lists, split and merge, watermarks, zone fallback, direct reclaim
**                     and the page-cache list (rules 1-6)
**   bf_buddy_check.c  the instruments: check, walk, free bytes, /proc/buddyinfo
**
** Invariants of the host state: zstart/zend are fixed at init and [zstart[z], zend[z]) tile
** [0, npages); free_pages and nr_free mirror the zones' free_pages and free_area[o].nr_free in
** simulated memory after every operation.
*/
#ifndef BF_BUDDY_INT_H
#define BF_BUDDY_INT_H

#include "bf_alloc_int.h"

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

/* Address of page pfn's descriptor (bf_buddy_desc, inline). */
static inline bf_addr buddy_desc(const bf_buddy *b, uint32_t pfn)
{
    return b->mem_map + pfn * DESC_BYTES;
}

/* Descriptor word 0: flags (BF_PG_*) in the low half, order in the high half. Zone fields at
** zf(b, z, offset), free_area[o] at area(b, z, o): see the layout in bf_buddy.c. */
static inline uint32_t desc_get(bf_buddy *b, uint32_t pfn)
{
    return bf_amem_r32(b->m, buddy_desc(b, pfn));
}

static inline void desc_set(bf_buddy *b, uint32_t pfn, unsigned flags, unsigned order)
{
    bf_amem_w32(b->m, buddy_desc(b, pfn), (uint32_t)flags | (uint32_t)order << 16);
}

static inline unsigned zone_of(const bf_buddy *b, uint32_t pfn)
{
    return b->nzones == 2 && pfn >= b->zstart[ZNORMAL] ? ZNORMAL : ZDMA;
}

static inline bf_addr zf(const bf_buddy *b, unsigned z, unsigned off)
{
    return b->zone[z] + off;
}

static inline bf_addr area(const bf_buddy *b, unsigned z, unsigned o)
{
    return b->zone[z] + 32u + 8u * o;
}

static inline void add32(bf_amem *m, bf_addr a, int32_t d)
{
    bf_amem_w32(m, a, bf_amem_r32(m, a) + (uint32_t)d);
}

/* A free block of 2^o pages at pfn is aligned, of a valid order and inside zone z (rule 1). */
static inline int block_ok(const bf_buddy *b, unsigned z, unsigned o, uint32_t pfn)
{
    return o < b->max_order && (pfn & ((1u << o) - 1)) == 0 && pfn >= b->zstart[z] &&
           pfn + (1u << o) <= b->zend[z];
}

/* bf_buddy_zone.c: put a block of 2^order pages (its head descriptor cleared) on the free lists,
** merging with its free buddies (rule 3); take a block of 2^order pages by rules 2, 4 and 6
** (BFA_NIL when the request fails); the page-cache list to `pages` pages (xReclaimable). */
void bf_buddy_free_block(bf_buddy *b, uint32_t pfn, unsigned order);
uint32_t bf_buddy_alloc_block(bf_buddy *b, unsigned order, uint32_t gfp);
void bf_buddy_set_reclaimable(bf_buddy *b, uint64_t pages);

#endif
