/*
** bf_alloc_int.h: helpers shared by the part-A allocators (not a public interface).
**
**  - environment geometry: page numbers (pfn, counted from env->base), reserved pages, and the
**    carving of an allocator's own metadata out of the managed memory;
**  - bitmaps kept in simulated memory (bootmem, page_alloc2), read and written word by word
**    through bf_amem so that a scan costs what it would cost the kernel;
**  - the buddy allocator's internal interface, used by bootmem (hand-over at boot-end) and nommu.
**
** Address 0 is the interface's failure value, so when the managed memory starts at 0 the first
** page is never handed out (bf_alloc_page_reserved says it is reserved).
*/
#ifndef BF_ALLOC_INT_H
#define BF_ALLOC_INT_H

#include "bf_alloc.h"

#define BF_NIL 0xFFFFFFFFu /* "no page" in linked lists of page numbers */

static inline uint32_t bf_alloc_npages(const bf_alloc_env *e)
{
    return e->size / e->page_size;
}

static inline bf_addr bf_alloc_pfn_addr(const bf_alloc_env *e, uint32_t pfn)
{
    return e->base + pfn * e->page_size;
}

/* 1 if page pfn overlaps a reserved range (or is page 0 of memory that starts at address 0). */
int bf_alloc_page_reserved(const bf_alloc_env *e, uint32_t pfn);

/* Lowest run of `pages` unreserved pages; BF_ECONFIG if there is none. */
int bf_alloc_carve(const bf_alloc_env *e, uint32_t pages, uint32_t *pfn);

/* Bytes of env->reserved inside [base, base+size), counted in whole pages (plus page 0 at 0). */
uint64_t bf_alloc_reserved_bytes(const bf_alloc_env *e);

/* Smallest order whose block of pages holds `bytes` (0 bytes counts as 1). */
unsigned bf_alloc_order_for(uint64_t bytes, uint32_t page_size);

/* ---- bitmaps in simulated memory: bit i of the map at `map` is bit (i & 31) of word i >> 5 ----
 */
int bf_bm_test(bf_amem *m, bf_addr map, uint32_t i);
void bf_bm_set_range(bf_amem *m, bf_addr map, uint32_t i, uint32_t n, int value);
/* First index >= i below n whose bit is `value`, or n. Reads one word per 32 bits. */
uint32_t bf_bm_find(bf_amem *m, bf_addr map, uint32_t i, uint32_t n, int value);

/* ---- buddy internals ---- */
typedef struct bf_buddy bf_buddy;

/* Page-descriptor flags (the low half of the descriptor's first word). */
enum {
    BF_PG_BUDDY = 1u,    /* head of a free block on a free list (order in the order field) */
    BF_PG_RESERVED = 2u, /* never handed to the allocator (or not yet: bootmem) */
    BF_PG_HEAD = 4u,     /* head of an allocated block of 2^order pages */
    BF_PG_LRU = 8u,      /* page-cache page on the reclaim list (order 0) */
    BF_PG_REGION = 16u   /* first page of a nommu mapping; private = pages kept */
};

/* Bytes of metadata (zones + mem_map) the buddy needs for env. */
uint32_t bf_buddy_meta_bytes(const bf_alloc_env *env);
/* Build a buddy whose metadata lives at `meta` with every page reserved (nothing free). */
int bf_buddy_init_at(const bf_alloc_env *env, bf_addr meta, bf_buddy **out);
/* Give one reserved, 2^order-aligned block to the free lists (coalescing). */
void bf_buddy_release(bf_buddy *b, uint32_t pfn, unsigned order);
/* Release [pfn, pfn+n) as maximal aligned blocks. */
void bf_buddy_release_range(bf_buddy *b, uint32_t pfn, uint32_t n);
/* Compute min/low/high watermarks (init_per_zone_pages_min) from the pages now free. */
void bf_buddy_setup_watermarks(bf_buddy *b);
/* Page-descriptor access, for nommu's region bookkeeping. */
bf_addr bf_buddy_desc(const bf_buddy *b, uint32_t pfn);
uint32_t bf_buddy_pfn(const bf_buddy *b, bf_addr a, int *ok);
/* Turn an allocated 2^order block into 2^order allocated order-0 pages (split_page). */
void bf_buddy_split(bf_buddy *b, uint32_t pfn, unsigned order);
/* Free 2^order pages starting at pfn that are all allocated order-0 pages (after a split). */
int bf_buddy_free_split(bf_buddy *b, uint32_t pfn, unsigned order);
bf_amem *bf_buddy_mem(const bf_buddy *b);
const bf_alloc_env *bf_buddy_env(const bf_buddy *b);
const char *bf_buddy_check(bf_buddy *b);
void bf_buddy_walk(bf_buddy *b, void (*visit)(void *, bf_addr, uint64_t, int), void *arg);
uint64_t bf_buddy_free_bytes(const bf_buddy *b, uint64_t *largest); /* xFreeBytes */
size_t bf_buddy_info(bf_buddy *b, char *buf, size_t n);
uint64_t bf_buddy_reserve_bytes(bf_buddy *b, uint32_t gfp); /* min watermark for gfp, bytes */

extern const bf_alloc_methods bf_alloc_buddy;
extern const bf_alloc_methods bf_alloc_bootmem;
extern const bf_alloc_methods bf_alloc_nommu;
extern const bf_alloc_methods bf_alloc_pa2;
extern const bf_alloc_methods bf_alloc_np2;

#endif
