/*
** bf_alloc.h: one interface for every simulated allocator (as SQLite's sqlite3_mem_methods),
** and the simulated-memory accessor they keep their metadata through.
**
** The library depends only on common/ (the GFP bits of the requests, BF_GFP_*, are
** common/bf_gfp.h); the replay driver that feeds it workload records and measures fragmentation
** and latency is sim/bf_alloc_replay.h.
**
** Rules every allocator keeps:
**  1. Its metadata (free lists, page descriptors, bitmaps, block headers) lives at simulated
**     addresses and is read and written only through bf_amem (bf_amem_r32/w32/...), so each
**     operation's latency in core cycles comes from the same CPLB/L1/SDRAM path that runs traces.
**     Host memory holds only what a real kernel would keep in registers or constants.
**  2. A failed allocation is an outcome (BF_OK with *out = 0), not an error.
**  3. check() verifies every documented invariant and names the first one broken.
*/
#ifndef BF_ALLOC_H
#define BF_ALLOC_H

#include "bf_common.h"
#include "bf_gfp.h"
#include "bf_stats.h"

/* An optional direct entry of the memory system beside the port, for the accesses it can serve
** without a request (sim/bf_memsys.h: bf_memsys_data_fast). It answers for the same request
** the port would get (source BF_SRC_ALLOC, supervisor mode), with nothing but what the accessor
** needs: BF_OK, the access done, the data moved and *now raised to the access's ready time (never
** lowered); BF_PORT_FAULTED, the access done and faulted, *now raised the same way and no data
** moved; BF_PORT_DECLINED, nothing changed (the access then takes the port); or another bf_rc,
** the simulation cannot go on (*now unchanged). */
typedef int (*bf_amem_fast_fn)(void *ctx, bf_addr a, uint32_t size, int kind, bf_cycles *now,
                               uint8_t *buf);

/* The host bytes of simulated addresses [base, base + len) (len 0: none), read in place by an
** accessor without a direct entry: for the untimed measurements of sim/bf_alloc_replay.c, whose
** reads move bytes and nothing else, so a copy from the functional store is all they do. */
typedef struct bf_amem_view {
    const uint8_t *bytes;
    bf_addr base;
    uint32_t len;
} bf_amem_view;

/* Simulated-memory accessor: data and timing through a port, with a running core clock. */
typedef struct bf_amem {
    bf_port port;         /* memory system (sim/) or the flat test memory below */
    bf_amem_fast_fn fast; /* NULL, or the direct entry above, asked first */
    void *fast_ctx;
    bf_cycles now;     /* core time; every access advances it to the access's ready time */
    uint64_t reads;    /* metadata reads issued */
    uint64_t writes;   /* metadata writes issued */
    int failed;        /* a port access failed or faulted (sticky) */
    bf_amem_view view; /* asked for reads when fast is NULL; the rest takes the port */
} bf_amem;

uint32_t bf_amem_r32(bf_amem *m, bf_addr a);
void bf_amem_w32(bf_amem *m, bf_addr a, uint32_t v);
uint16_t bf_amem_r16(bf_amem *m, bf_addr a);
void bf_amem_w16(bf_amem *m, bf_addr a, uint16_t v);
uint8_t bf_amem_r8(bf_amem *m, bf_addr a);
void bf_amem_w8(bf_amem *m, bf_addr a, uint8_t v);
void bf_amem_compute(bf_amem *m, uint32_t cycles); /* non-memory work, core cycles */

/* The clock and counters of an accessor, taken before and put back after accesses that are
** instruments rather than workload (an allocator's check, walk and info text). */
typedef struct bf_amem_mark {
    bf_cycles now;
    uint64_t reads, writes;
} bf_amem_mark;

static inline bf_amem_mark bf_amem_mark_get(const bf_amem *m)
{
    bf_amem_mark k = {m->now, m->reads, m->writes};
    return k;
}

static inline void bf_amem_rewind(bf_amem *m, bf_amem_mark k)
{
    m->now = k.now;
    m->reads = k.reads;
    m->writes = k.writes;
}

/* A flat simulated memory with a fixed access latency, for unit tests and host-only studies. */
typedef struct bf_flatmem bf_flatmem;
int bf_flatmem_create(bf_addr base, uint32_t size, uint32_t latency, bf_flatmem **out);
bf_port bf_flatmem_port(bf_flatmem *f);
void bf_flatmem_destroy(bf_flatmem *f);

/* A range of simulated addresses (a reserved region of the managed memory). */
typedef struct bf_arange {
    bf_addr start; /* first byte */
    uint32_t len;  /* bytes */
} bf_arange;

/* Environment an allocator is created in: the memory it manages, then the policy parameters
** (named config keys alloc.*, defaults in bf_alloc_env_default, docs/allocators.md). */
typedef struct bf_alloc_env {
    /* the memory */
    bf_amem *mem;              /* metadata accessor */
    bf_addr base;              /* first byte of managed physical memory */
    uint32_t size;             /* bytes */
    uint32_t page_size;        /* bytes (4096) */
    const bf_arange *reserved; /* kernel image, uncached DMA region, ... */
    size_t nreserved;          /* entries of reserved */
    /* the page allocator (buddy family) */
    unsigned max_order;            /* buddy MAX_ORDER (14 Blackfin, 11 generic) */
    uint32_t min_free_kbytes;      /* watermark base, KiB (0: the kernel's formula) */
    uint32_t lowmem_reserve_ratio; /* DMA zone reserve against NORMAL fallback: present/ratio */
    uint32_t dma_zone_bytes;       /* 0: all RAM is ZONE_DMA (Blackfin); else x86-like DMA zone */
    uint32_t reclaim_batch;        /* pages one direct-reclaim pass frees (SWAP_CLUSTER_MAX 32) */
    /* the other allocators */
    uint32_t nr_trim_pages;     /* nommu trimming threshold, pages (0 = never) */
    uint32_t np2_merge_on_fail; /* NP2: merge adjacent free runs when no run fits, then retry */
    uint32_t bootmem_align;     /* bootmem default alignment, bytes (SMP_CACHE_BYTES = 32) */
    uint32_t tlsf_sl_log2;      /* TLSF second-level log2 (5 = 32 lists) */
} bf_alloc_env;

void bf_alloc_env_default(bf_alloc_env *e);
/* NULL if the environment is usable, else a message naming the field. */
const char *bf_alloc_env_check(const bf_alloc_env *e);
/* Bytes of env->reserved inside [base, base+size), counted in whole pages (plus page 0 when the
** memory starts at address 0: 0 is the failure value, so that page is never handed out). */
uint64_t bf_alloc_reserved_bytes(const bf_alloc_env *e);
/* Add n free extents of `pages` whole pages each (n < 0: take them away) to a histogram of free
** blocks per order, nr_free[0, norders): an extent counts as the binary decomposition of its
** pages (a power-of-two buddy block once at its order; a run of 5 pages as one order-2 and one
** order-0 block; orders norders - 1 and above in the top order), so that blocks of order >= j
** hold floor(pages / 2^j) order-j requests, as a non-power-of-two allocator can serve them: for
** a buddy allocator exactly buddyinfo (docs/allocators.md, "Measurements"). Counts wrap modulo
** 2^32 like the unsigned counters they are, so a removal undoes its addition. */
void bf_alloc_count_free(uint32_t *nr_free, unsigned norders, uint64_t pages, int32_t n);

/* The kernel's get_order(): smallest order with (page_size << order) >= bytes (0 for 0 bytes). */
static inline unsigned bf_alloc_order_for(uint64_t bytes, uint32_t page_size)
{
    unsigned order = 0;
    while (((uint64_t)page_size << order) < bytes)
        order++;
    return order;
}
#define BF_ALLOC_ORDERS_MAX 16u /* largest max_order any allocator accepts */

/* The methods table. Every function gets the state created by xCreate; "may be NULL" members are
** left out by allocators that do not have the operation, and the replay driver falls back as
** its comment says. */
typedef struct bf_alloc_methods {
    const char *name; /* "buddy", "slab", ... */
    /* life cycle */
    int (*xCreate)(const bf_alloc_env *env, void **state);
    void (*xDestroy)(void *st);
    /* allocation and free (*out = 0: the allocation failed) */
    int (*xAlloc)(void *st, uint64_t bytes, uint32_t gfp, bf_addr *out);
    int (*xFree)(void *st, bf_addr a);
    int (*xFreeSize)(void *st, bf_addr a, uint64_t bytes); /* free with the caller's size, as
                                                    free_bootmem(addr, size); NULL: xFree */
    int (*xAllocPages)(void *st, unsigned order, uint32_t gfp, bf_addr *out); /* may be NULL */
    int (*xFreePages)(void *st, bf_addr a, unsigned order);                   /* may be NULL */
    int (*xCacheAlloc)(void *st, const char *cache, uint64_t objsize, uint32_t gfp,
                       bf_addr *out);                                   /* may be NULL */
    int (*xCacheFree)(void *st, const char *cache, bf_addr a);          /* may be NULL */
    int (*xMmap)(void *st, uint64_t bytes, uint32_t gfp, bf_addr *out); /* nommu process memory;
                                                    NULL: the driver uses xAlloc */
    /* workload events */
    int (*xPhase)(void *st, const char *name);      /* "boot-end" etc.; may be NULL */
    void (*xReclaimable)(void *st, uint64_t pages); /* declared page cache; may be NULL */
    /* inspection (instruments: not charged to any operation) */
    uint64_t (*xUsable)(void *st, bf_addr a);
    const char *(*xCheck)(void *st); /* NULL if sound */
    void (*xWalk)(void *st, void (*visit)(void *arg, bf_addr a, uint64_t len, int used), void *arg);
    /* The free bytes xWalk would add up over its free extents, from counters the allocator
    ** keeps on the host beside its simulated metadata, updated on every alloc/free/split/merge
    ** (no walk, no simulated access). *largest: the largest free extent xWalk would report, or
    ** BF_ALLOC_LARGEST_UNKNOWN when that needs a walk. The replay driver uses it after every
    ** operation and, with checks on, compares it with a walk after each check. NULL: the
    ** driver walks. */
    uint64_t (*xFreeBytes)(void *st, uint64_t *largest);
    /* The largest free extent xWalk would report, for when xFreeBytes cannot give it from
    ** counters: reads only the little simulated metadata it needs (TLSF: the blocks of its
    ** highest non-empty list), an instrument like xWalk (the driver runs it on its measure
    ** port and restores the access counters). The driver uses it at every allocation failure
    ** after the first. NULL: the driver walks. */
    uint64_t (*xLargestFree)(void *st);
    /* A lower bound of the largest free extent xWalk would report, from host counters (no walk,
    ** no simulated access), for an allocator whose xFreeBytes cannot say the largest exactly and
    ** that has no xLargestFree (slab and SLOB: the buddy's largest free block underneath, which
    ** the walk reports as an extent of its own or inside a larger one). At a failure the driver
    ** needs the exact largest only when it could be below the smallest measured so far
    ** (alloc.largest_free_min); a bound at or above that minimum spares the walk. NULL: none. */
    uint64_t (*xLargestFreeBound)(void *st);
    /* The free blocks per order that xWalk's free extents would give (bf_alloc_count_free of each
    ** extent added to nr_free, which the caller has zeroed; norders: env.max_order), from
    ** counters the allocator keeps on the host (no walk, no simulated access). The driver's
    ** samples use it with xFreeBytes instead of a walk and, with checks on, compare it with a
    ** walk after each check. NULL: the driver walks for its samples. */
    void (*xFreeOrders)(void *st, uint32_t *nr_free, unsigned norders);
    /* Free bytes the allocator keeps back from a request with these GFP bits (the buddy
    ** family's min watermark after ALLOC_HIGH/ALLOC_HARDER); NULL: none */
    uint64_t (*xReserveBytes)(void *st, uint32_t gfp);
    size_t (*xInfo)(void *st, char *buf, size_t n); /* /proc-style text (buddyinfo for the buddy
                                                    family), snprintf semantics; may be NULL */
} bf_alloc_methods;
#define BF_ALLOC_LARGEST_UNKNOWN UINT64_MAX

/* Lookup by name: bootmem, buddy, slab, slob, pa2, np2, nommu, tlsf. NULL if unknown. */
const bf_alloc_methods *bf_alloc_find(const char *name);
const bf_alloc_methods *const *bf_alloc_all(size_t *n);

#endif
