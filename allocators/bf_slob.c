/*
** bf_slob.c: SLOB, the "Simple List Of Blocks" kernel object allocator of Linux 2.6.2x (Matt
** Mackall), on simulated memory, over a private buddy page allocator. Implemented from the
** documented behaviour (reference kernel-allocators section 2.3), not from kernel code.
**
** What it models: the K&R-style heap that replaces SLAB on tiny systems: kmalloc, kfree,
** kmem_cache_alloc/free of named caches, and the page allocator underneath.
**
** Assumptions
**  - Blackfin: ARCH_KMALLOC_MINALIGN = ARCH_SLAB_MINALIGN = 8, so kmalloc puts an 8-byte header
**    (the requested size) in front of each block and aligns blocks to 8; named caches use
**    align 8 and no header.
**  - Units are 2 bytes (slobidx_t is s16 for pages up to 32 KiB; larger pages are refused).
**  - The kernel keeps each SLOB page's free-unit count, first free block and list link in its
**    struct page; here they are a per-page descriptor in a parallel array in simulated memory
**    (same number of accesses). Large kmalloc blocks keep their size there (page->private).
**  - The three list heads and the named caches' descriptors (size, align) are in simulated
**    memory too; only the name-to-descriptor table is on the host.
**  - One node, one CPU: no locking, no NUMA node matching.
**
** Algorithm
**  1. kmalloc(size): if size < PAGE_SIZE - 8, slob_alloc(size + 8, align 8), store size in the
**     first word and return the block + 8; else whole pages from the buddy, order get_order(size),
**     with the size kept in the page descriptor. kfree looks at the page: SLOB page -> slob_free of
**     header + size, else free the pages.
**  2. slob_alloc(size): choose the list (size < 256: small, < 1024: medium, else large); walk its
**     pages, skipping those with fewer free units than needed; in a page, first fit along the
**     address-ordered free list (an aligned block may split a fragment off the front). When a page
**     satisfies the request, the list head is rotated so that the next search starts at that page
**     (next fit over pages), or at the page after it if it just filled up and left the list. If no
**     page fits, a new page is taken from the buddy and put at the head of the list.
**  3. slob_free(block, size): if the page becomes entirely free it goes back to the buddy; if it
**     was full it gets a single free block and goes to the head of the list for this size; else the
**     block is inserted in address order and merged with free neighbours.
**  4. A page leaves its list when its last free unit is allocated.
**  5. Named caches: the descriptor (8 bytes: size, align) is a SLOB object aligned to 8 like a
**     kmalloc block (its 32-bit words must be 4-byte aligned: Blackfin faults on a misaligned
**     access); objects have no header and take at least one unit.
**
** Free-block encoding (2-byte units, offsets counted in units from the page start): a block of
** more than one unit stores {size, next offset}; a one-unit block stores -(next offset). The last
** free block's next offset is the page end (offset PAGE_SIZE/2), so "last" means "next is
** page-aligned".
**
** Invariant: in each SLOB page the free blocks are in strictly increasing address order, inside
** the page, never touching one another, and their units add up to the page's free-unit count,
** which is below a whole page; a page is on a list iff that count is non-zero. Debug builds
** assert the parts a walk along a page's free list sees anyway (each block inside the page of
** the descriptor, addresses strictly increasing, no count below zero or above a page, a block
** handed out aligned as asked) from the values the operation has read, never with an extra
** simulated access.
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bf_alloc.h"
#include "bf_alloc_int.h"
#include "bf_hmem.h"

enum {
    SLOB_UNIT = 2,          /* bytes: sizeof(slob_t) with an s16 slobidx_t */
    SLOB_BREAK1 = 256,      /* bytes: below, the small list */
    SLOB_BREAK2 = 1024,     /* bytes: below, the medium list; else the large list */
    SLOB_KMALLOC_ALIGN = 8, /* max(ARCH_KMALLOC_MINALIGN, ARCH_SLAB_MINALIGN) on Blackfin */
    SLOB_CACHE_ALIGN = 8,   /* ARCH_SLAB_MINALIGN: alignment of named-cache objects */
    SLOB_PAGE_MAX = 32768,  /* bytes: largest page whose unit offsets fit an s16 */
    SLOB_MAX_CACHES = 512,  /* named caches (host table) */
    SLOB_NAME_MAX = 64      /* bytes of a cache name kept */
};

/* Page descriptor (20 bytes per page): */
enum { PD_FLAGS = 0, PD_UNITS = 4, PD_FREE = 8, PD_NODE = 12, PD_BYTES = 20 };
/* PD_FLAGS bits; PD_UNITS holds the free units of a SLOB page or the size of a large block. */
enum { PG_SLOB = 1u, PG_LARGE = 2u, PG_ONLIST = 4u };
/* Named-cache descriptor in simulated memory (slob-allocated, as struct kmem_cache): */
enum { KC_SIZE = 0, KC_ALIGN = 4, KC_BYTES = 8 };

typedef struct slob_cache {
    char name[SLOB_NAME_MAX];
    bf_addr desc; /* simulated struct kmem_cache */
} slob_cache;

typedef struct slob_state {
    bfa_pages pg;        /* buddy underneath and page geometry: must stay the first member */
    uint32_t upp;        /* units per page */
    bf_addr meta;        /* list heads (3 x 8 bytes) then page descriptors */
    unsigned meta_order; /* buddy order of the metadata block */
    size_t ncaches;
    slob_cache caches[SLOB_MAX_CACHES];
    char msg[160];
    uint64_t free_units; /* host: PD_UNITS summed over the SLOB pages (xFreeBytes) */
} slob_state;

/* ---- geometry ---------------------------------------------------------------------------- */

static bf_addr slob_head(const slob_state *s, unsigned list)
{
    return s->meta + 8 * list;
}

static int slob_in_range(const slob_state *s, bf_addr a)
{
    return bfa_pages_in_range(&s->pg, a);
}

static bf_addr slob_desc(const slob_state *s, bf_addr a)
{
    return s->meta + 24 + PD_BYTES * ((a - s->pg.base) / s->pg.page_size);
}

static bf_addr slob_page_of(const slob_state *s, bf_addr a)
{
    return a - (a - s->pg.base) % s->pg.page_size;
}

/* At least one unit: a zero-unit block would be a free block's own header, and freeing it would
** link that block to itself. */
static uint32_t slob_units_of(uint64_t bytes)
{
    return bytes ? (uint32_t)((bytes + SLOB_UNIT - 1) / SLOB_UNIT) : 1;
}

static unsigned slob_list_for(uint64_t size)
{
    return size < SLOB_BREAK1 ? 0 : size < SLOB_BREAK2 ? 1 : 2;
}

/* ---- lists of page descriptors (node = descriptor + PD_NODE: next, prev) -------------------- */

static void slob_list_del(slob_state *s, bf_addr node)
{
    bf_addr n = bf_amem_r32(s->pg.m, node), p = bf_amem_r32(s->pg.m, node + 4);
    bf_amem_w32(s->pg.m, n + 4, p);
    bf_amem_w32(s->pg.m, p, n);
}

static void slob_list_add(slob_state *s, bf_addr node, bf_addr head)
{
    bf_addr n = bf_amem_r32(s->pg.m, head);
    bf_amem_w32(s->pg.m, node, n);
    bf_amem_w32(s->pg.m, node + 4, head);
    bf_amem_w32(s->pg.m, n + 4, node);
    bf_amem_w32(s->pg.m, head, node);
}

/* Move the head so that it sits just before node: the next search starts at node. */
static void slob_list_rotate_to(slob_state *s, bf_addr head, bf_addr node)
{
    slob_list_del(s, head);
    bf_addr p = bf_amem_r32(s->pg.m, node + 4);
    bf_amem_w32(s->pg.m, head, node);
    bf_amem_w32(s->pg.m, head + 4, p);
    bf_amem_w32(s->pg.m, p, head);
    bf_amem_w32(s->pg.m, node + 4, head);
}

/* ---- free-block encoding ----------------------------------------------------------------------
 */

static void slob_set(slob_state *s, bf_addr b, uint32_t units, bf_addr next)
{
    int32_t off = (int32_t)((next - slob_page_of(s, b)) / SLOB_UNIT);
    if (units > 1) {
        bf_amem_w16(s->pg.m, b, (uint16_t)units);
        bf_amem_w16(s->pg.m, b + 2, (uint16_t)off);
    } else {
        bf_amem_w16(s->pg.m, b, (uint16_t)(int16_t)-off);
    }
}

static uint32_t slob_units(slob_state *s, bf_addr b)
{
    int16_t v = (int16_t)bf_amem_r16(s->pg.m, b);
    return v > 0 ? (uint32_t)v : 1;
}

static bf_addr slob_next(slob_state *s, bf_addr b)
{
    int16_t v = (int16_t)bf_amem_r16(s->pg.m, b);
    int32_t off = v < 0 ? -v : (int16_t)bf_amem_r16(s->pg.m, b + 2);
    return slob_page_of(s, b) + (bf_addr)off * SLOB_UNIT;
}

static int slob_last(slob_state *s, bf_addr b)
{
    return (slob_next(s, b) - s->pg.base) % s->pg.page_size == 0;
}

/* ---- core ---------------------------------------------------------------------------------- */

/* First fit in one page; 0 if no free block of the page holds size at the alignment. */
static bf_addr slob_page_alloc(slob_state *s, bf_addr d, uint64_t size, uint32_t align)
{
    uint32_t units = slob_units_of(size);
    bf_addr prev = 0, cur = bf_amem_r32(s->pg.m, d + PD_FREE);
    for (;;) {
        assert(slob_in_range(s, cur) && slob_desc(s, cur) == d);
        uint32_t avail = slob_units(s, cur);
        assert(avail <= s->upp);
        bf_addr aligned = cur;
        uint32_t delta = 0;
        if (align) {
            aligned = (cur + align - 1) & ~(bf_addr)(align - 1);
            delta = (aligned - cur) / SLOB_UNIT;
        }
        if (avail >= units + delta) {
            bf_addr next;
            if (delta) { /* split the unaligned front off as its own free block */
                next = slob_next(s, cur);
                slob_set(s, aligned, avail - delta, next);
                slob_set(s, cur, delta, aligned);
                prev = cur;
                cur = aligned;
                avail -= delta;
            }
            next = slob_next(s, cur);
            bf_addr after = next;
            if (avail != units) { /* fragment: the tail stays free */
                after = cur + units * SLOB_UNIT;
                slob_set(s, after, avail - units, next);
            }
            if (prev)
                slob_set(s, prev, slob_units(s, prev), after);
            else
                bf_amem_w32(s->pg.m, d + PD_FREE, after);
            uint32_t have = bf_amem_r32(s->pg.m, d + PD_UNITS);
            assert(have >= units && s->free_units >= units);
            uint32_t left = have - units;
            bf_amem_w32(s->pg.m, d + PD_UNITS, left);
            s->free_units -= units;
            assert(!align || (cur & (align - 1)) == 0);
            if (!left) {
                slob_list_del(s, d + PD_NODE);
                bf_amem_w32(s->pg.m, d + PD_FLAGS, PG_SLOB);
            }
            return cur;
        }
        if (slob_last(s, cur))
            return 0;
        prev = cur;
        cur = slob_next(s, cur);
        assert(cur > prev);
    }
}

static bf_addr slob_alloc(slob_state *s, uint64_t size, uint32_t gfp, uint32_t align)
{
    bf_addr head = slob_head(s, slob_list_for(size));
    uint32_t units = slob_units_of(size);
    for (bf_addr node = bf_amem_r32(s->pg.m, head); node != head;
         node = bf_amem_r32(s->pg.m, node)) {
        bf_addr d = node - PD_NODE;
        if (bf_amem_r32(s->pg.m, d + PD_UNITS) < units)
            continue;
        /* The predecessor is read first: a page that fills up leaves the list, and the next
        ** search then starts at the page that followed it. */
        bf_addr prev = bf_amem_r32(s->pg.m, node + 4);
        bf_addr b = slob_page_alloc(s, d, size, align);
        if (!b)
            continue;
        bf_addr target = bf_amem_r32(s->pg.m, prev);
        if (target != head && target != bf_amem_r32(s->pg.m, head))
            slob_list_rotate_to(s, head, target);
        return b;
    }
    bf_addr page = bfa_pages_get(&s->pg, 0, gfp);
    if (!page)
        return 0;
    bf_addr d = slob_desc(s, page);
    bf_amem_w32(s->pg.m, d + PD_FLAGS, PG_SLOB | PG_ONLIST);
    bf_amem_w32(s->pg.m, d + PD_UNITS, s->upp);
    s->free_units += s->upp;
    bf_amem_w32(s->pg.m, d + PD_FREE, page);
    slob_set(s, page, s->upp, page + s->pg.page_size);
    slob_list_add(s, d + PD_NODE, head);
    return slob_page_alloc(s, d, size, align);
}

static int slob_free(slob_state *s, bf_addr b, uint64_t size)
{
    bf_addr d = slob_desc(s, b);
    uint32_t flags = bf_amem_r32(s->pg.m, d + PD_FLAGS);
    uint32_t units = slob_units_of(size);
    uint32_t have = bf_amem_r32(s->pg.m, d + PD_UNITS);
    if (!(flags & PG_SLOB) || have + units > s->upp)
        return BF_EINPUT;
    if (have + units == s->upp) { /* the whole page is free again */
        if (flags & PG_ONLIST)
            slob_list_del(s, d + PD_NODE);
        bf_amem_w32(s->pg.m, d + PD_FLAGS, 0);
        assert(s->free_units >= have);
        s->free_units -= have;
        return bfa_pages_put(&s->pg, slob_page_of(s, b), 0);
    }
    if (!(flags & PG_ONLIST)) { /* the page was full: one free block */
        bf_amem_w32(s->pg.m, d + PD_UNITS, units);
        bf_amem_w32(s->pg.m, d + PD_FREE, b);
        s->free_units += units;
        slob_set(s, b, units, slob_page_of(s, b) + s->pg.page_size);
        slob_list_add(s, d + PD_NODE, slob_head(s, slob_list_for(size)));
        bf_amem_w32(s->pg.m, d + PD_FLAGS, PG_SLOB | PG_ONLIST);
        return BF_OK;
    }
    bf_amem_w32(s->pg.m, d + PD_UNITS, have + units);
    s->free_units += units;
    bf_addr first = bf_amem_r32(s->pg.m, d + PD_FREE);
    if (b < first) {
        if (b + units * SLOB_UNIT == first) {
            units += slob_units(s, first);
            first = slob_next(s, first);
        }
        slob_set(s, b, units, first);
        bf_amem_w32(s->pg.m, d + PD_FREE, b);
        return BF_OK;
    }
    bf_addr prev = first, next = slob_next(s, prev);
    while (b > next) {
        prev = next;
        next = slob_next(s, prev);
        assert(next > prev);
    }
    if (!slob_last(s, prev) && b + units * SLOB_UNIT == next) {
        units += slob_units(s, next);
        slob_set(s, b, units, slob_next(s, next));
    } else {
        slob_set(s, b, units, next);
    }
    uint32_t pu = slob_units(s, prev);
    if (prev + pu * SLOB_UNIT == b)
        slob_set(s, prev, pu + slob_units(s, b), slob_next(s, b));
    else
        slob_set(s, prev, pu, b);
    return BF_OK;
}

/* ---- methods ------------------------------------------------------------------------------- */

static void slob_destroy(void *st)
{
    slob_state *s = st;
    if (!s)
        return;
    bfa_pages_close(&s->pg);
    free(s);
}

static int slob_create(const bf_alloc_env *env, void **out)
{
    *out = NULL;
    if (!env || bf_alloc_env_check(env) || env->page_size > SLOB_PAGE_MAX)
        return BF_ECONFIG;
    slob_state *s = bf_calloc(1, sizeof *s);
    if (!s)
        return BF_ENOMEM;
    s->upp = env->page_size / SLOB_UNIT;
    int rc = bfa_pages_open(env, &s->pg);
    if (rc != BF_OK) {
        slob_destroy(s);
        return rc;
    }
    uint64_t bytes = 24 + (uint64_t)PD_BYTES * s->pg.npages;
    s->meta_order = bf_alloc_order_for(bytes, s->pg.page_size);
    s->meta =
        s->meta_order < env->max_order ? bfa_pages_get(&s->pg, s->meta_order, BF_GFP_KERNEL) : 0;
    if (!s->meta) {
        slob_destroy(s);
        return BF_ECONFIG;
    }
    for (unsigned l = 0; l < 3; l++) {
        bf_amem_w32(s->pg.m, slob_head(s, l), slob_head(s, l));
        bf_amem_w32(s->pg.m, slob_head(s, l) + 4, slob_head(s, l));
    }
    for (uint32_t p = 0; p < s->pg.npages; p++)
        bf_amem_w32(s->pg.m, s->meta + 24 + PD_BYTES * p + PD_FLAGS, 0);
    *out = s;
    return BF_OK;
}

static int slob_kmalloc(void *st, uint64_t bytes, uint32_t gfp, bf_addr *out)
{
    slob_state *s = st;
    *out = 0;
    if (bytes < s->pg.page_size - SLOB_KMALLOC_ALIGN) {
        bf_addr m = slob_alloc(s, bytes + SLOB_KMALLOC_ALIGN, gfp, SLOB_KMALLOC_ALIGN);
        if (m) {
            bf_amem_w32(s->pg.m, m, (uint32_t)bytes);
            *out = m + SLOB_KMALLOC_ALIGN;
        }
        return BF_OK;
    }
    unsigned order = bf_alloc_order_for(bytes, s->pg.page_size);
    if (bytes > UINT32_MAX || order >= 32)
        return BF_OK;
    bf_addr p = bfa_pages_get(&s->pg, order, gfp);
    if (p) {
        bf_addr d = slob_desc(s, p);
        bf_amem_w32(s->pg.m, d + PD_FLAGS, PG_LARGE);
        bf_amem_w32(s->pg.m, d + PD_UNITS, (uint32_t)bytes);
        *out = p;
    }
    return BF_OK;
}

static int slob_kfree(void *st, bf_addr a)
{
    slob_state *s = st;
    if (!a)
        return BF_OK;
    if (!slob_in_range(s, a))
        return BF_EINPUT;
    bf_addr d = slob_desc(s, a);
    uint32_t flags = bf_amem_r32(s->pg.m, d + PD_FLAGS);
    if (flags & PG_SLOB) {
        if (a < slob_page_of(s, a) + SLOB_KMALLOC_ALIGN)
            return BF_EINPUT;
        bf_addr m = a - SLOB_KMALLOC_ALIGN;
        return slob_free(s, m, (uint64_t)bf_amem_r32(s->pg.m, m) + SLOB_KMALLOC_ALIGN);
    }
    if ((flags & PG_LARGE) && slob_page_of(s, a) == a) {
        uint32_t size = bf_amem_r32(s->pg.m, d + PD_UNITS);
        bf_amem_w32(s->pg.m, d + PD_FLAGS, 0);
        return bfa_pages_put(&s->pg, a, bf_alloc_order_for(size, s->pg.page_size));
    }
    return BF_EINPUT;
}

/* ksize(): the bytes a kmalloc block occupies (header + request in units) or its pages. Only
** kmalloc blocks have a header: for a named-cache object the word in front belongs to something
** else, so an implausible header (not 8-aligned in its page, or running past the page) gives 0,
** "unknown", and callers should not ask about cache objects (the kernel's ksize has the same
** limit). */
static uint64_t slob_usable(void *st, bf_addr a)
{
    slob_state *s = st;
    if (!a || !slob_in_range(s, a))
        return 0;
    bf_addr d = slob_desc(s, a), page = slob_page_of(s, a);
    uint32_t flags = bf_amem_r32(s->pg.m, d + PD_FLAGS);
    if (flags & PG_SLOB) {
        if (a < page + SLOB_KMALLOC_ALIGN || (a - page) % SLOB_KMALLOC_ALIGN)
            return 0;
        uint64_t bytes =
            (uint64_t)slob_units_of((uint64_t)bf_amem_r32(s->pg.m, a - SLOB_KMALLOC_ALIGN) +
                                    SLOB_KMALLOC_ALIGN) *
            SLOB_UNIT;
        return a - SLOB_KMALLOC_ALIGN + bytes <= (uint64_t)page + s->pg.page_size ? bytes : 0;
    }
    if (flags & PG_LARGE)
        return (uint64_t)s->pg.page_size
               << bf_alloc_order_for(bf_amem_r32(s->pg.m, d + PD_UNITS), s->pg.page_size);
    return 0;
}

/* kmem_cache_create on first use: the descriptor is itself a SLOB object. 0 if out of memory. */
static bf_addr slob_cache_get(slob_state *s, const char *name, uint64_t objsize, int create)
{
    for (size_t i = 0; i < s->ncaches; i++)
        if (strncmp(s->caches[i].name, name, SLOB_NAME_MAX - 1) == 0)
            return s->caches[i].desc;
    if (!create || s->ncaches == SLOB_MAX_CACHES || objsize > UINT32_MAX)
        return 0;
    /* Aligned like a kmalloc block: the descriptor's 32-bit fields must be 4-byte aligned
    ** (Blackfin faults on a misaligned 32-bit access, and the memory port refuses it). */
    bf_addr c = slob_alloc(s, KC_BYTES, BF_GFP_KERNEL, SLOB_KMALLOC_ALIGN);
    if (!c)
        return 0;
    bf_amem_w32(s->pg.m, c + KC_SIZE, objsize ? (uint32_t)objsize : 1);
    bf_amem_w32(s->pg.m, c + KC_ALIGN, SLOB_CACHE_ALIGN);
    slob_cache *e = &s->caches[s->ncaches++];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->desc = c;
    return c;
}

static int slob_cache_alloc(void *st, const char *cache, uint64_t objsize, uint32_t gfp,
                            bf_addr *out)
{
    slob_state *s = st;
    *out = 0;
    bf_addr c = slob_cache_get(s, cache ? cache : "", objsize, 1);
    if (!c)
        return s->ncaches == SLOB_MAX_CACHES ? BF_ENOMEM : BF_OK;
    uint32_t size = bf_amem_r32(s->pg.m, c + KC_SIZE);
    uint32_t align = bf_amem_r32(s->pg.m, c + KC_ALIGN);
    if (size < s->pg.page_size) {
        *out = slob_alloc(s, size, gfp, align);
    } else {
        unsigned order = bf_alloc_order_for(size, s->pg.page_size);
        *out = order < 32 ? bfa_pages_get(&s->pg, order, gfp) : 0;
    }
    return BF_OK;
}

static int slob_cache_free(void *st, const char *cache, bf_addr a)
{
    slob_state *s = st;
    if (!a)
        return BF_OK;
    bf_addr c = slob_cache_get(s, cache ? cache : "", 0, 0);
    if (!c || !slob_in_range(s, a))
        return BF_EINPUT;
    uint32_t size = bf_amem_r32(s->pg.m, c + KC_SIZE);
    if (size < s->pg.page_size)
        return slob_free(s, a, size);
    return bfa_pages_put(&s->pg, a, bf_alloc_order_for(size, s->pg.page_size));
}

static const char *slob_fail(slob_state *s, const char *what, bf_addr a)
{
    snprintf(s->msg, sizeof s->msg, "slob: %s (0x%08x)", what, (unsigned)a);
    return s->msg;
}

static const char *slob_check_impl(slob_state *s)
{
    uint32_t onlist = 0;
    for (uint32_t p = 0; p < s->pg.npages; p++) {
        bf_addr page = s->pg.base + p * s->pg.page_size;
        bf_addr d = slob_desc(s, page);
        uint32_t flags = bf_amem_r32(s->pg.m, d + PD_FLAGS);
        if ((flags & PG_SLOB) && (flags & PG_LARGE))
            return slob_fail(s, "page flagged both SLOB and large", page);
        if (!(flags & PG_SLOB)) {
            if (flags & PG_ONLIST)
                return slob_fail(s, "non-SLOB page flagged as on a list", page);
            continue;
        }
        uint32_t units = bf_amem_r32(s->pg.m, d + PD_UNITS);
        if (units >= s->upp)
            return slob_fail(s, "entirely free SLOB page kept (units >= a page)", page);
        if (!!(flags & PG_ONLIST) != (units != 0))
            return slob_fail(s, "page on a list iff it has free units: broken", page);
        if (!units)
            continue;
        onlist++;
        uint32_t sum = 0, steps = 0;
        bf_addr b = bf_amem_r32(s->pg.m, d + PD_FREE);
        for (;;) {
            if (++steps > units)
                return slob_fail(s, "free list longer than the page's free units (a cycle)", page);
            if (b < page || b >= page + s->pg.page_size || (b & 1))
                return slob_fail(s, "free block outside its page or misaligned", b);
            uint32_t u = slob_units(s, b);
            sum += u;
            if (sum > units)
                return slob_fail(s, "free blocks hold more units than the page count", b);
            bf_addr end = b + u * SLOB_UNIT, next = slob_next(s, b);
            if (end > page + s->pg.page_size)
                return slob_fail(s, "free block runs past its page", b);
            if (slob_last(s, b)) {
                if (next != page + s->pg.page_size)
                    return slob_fail(s, "last free block does not point to the page end", b);
                break;
            }
            if (next <= b)
                return slob_fail(s, "free list not in increasing address order", b);
            if (next <= end)
                return slob_fail(s, "free blocks overlap or touch (not merged)", b);
            b = next;
        }
        if (sum != units)
            return slob_fail(s, "free units of the page do not match its free blocks", page);
    }
    uint32_t listed = 0;
    for (unsigned l = 0; l < 3; l++) {
        bf_addr head = slob_head(s, l), prev = head;
        for (bf_addr node = bf_amem_r32(s->pg.m, head); node != head;
             node = bf_amem_r32(s->pg.m, node)) {
            bf_addr d = node - PD_NODE;
            if (++listed > onlist)
                return slob_fail(s, "more pages on the lists than partially free pages", node);
            if (d < s->meta + 24 || (d - s->meta - 24) % PD_BYTES ||
                (d - s->meta - 24) / PD_BYTES >= s->pg.npages)
                return slob_fail(s, "list node is not a page descriptor", node);
            if ((bf_amem_r32(s->pg.m, d + PD_FLAGS) & (PG_SLOB | PG_ONLIST)) !=
                (PG_SLOB | PG_ONLIST))
                return slob_fail(s, "list entry is not a partially free SLOB page", node);
            if (bf_amem_r32(s->pg.m, node + 4) != prev)
                return slob_fail(s, "page list back link broken", node);
            prev = node;
        }
        if (bf_amem_r32(s->pg.m, head + 4) != prev)
            return slob_fail(s, "list head's last link broken", head);
    }
    if (listed != onlist)
        return slob_fail(s, "a partially free SLOB page is on no list", s->meta);
    return NULL;
}

static const char *slob_check_own(void *st)
{
    return slob_check_impl(st);
}

static const char *slob_check(void *st)
{
    return bfa_pages_check(st, slob_check_own);
}

/* A SLOB page is cut into its free blocks and the used stretches between them (objects with
** their headers; alignment fragments are free blocks); large blocks and other pages are used. */
static bf_addr slob_walk_span(void *st, bf_addr p)
{
    slob_state *s = st;
    uint32_t flags = bf_amem_r32(s->pg.m, slob_desc(s, p) + PD_FLAGS);
    return (flags & PG_SLOB) ? p + s->pg.page_size : 0;
}

static void slob_walk_emit(void *st, bf_addr p, bf_addr end, bfa_visit_fn visit, void *arg)
{
    slob_state *s = st;
    bf_addr d = slob_desc(s, p), pos = p;
    /* The walk is an instrument and cannot report: on a broken free list (a block outside the
    ** page or behind the previous one, a cycle) it stops, the rest of the page counts as used, and
    ** xCheck names the fault. At most one block per unit of the page. */
    if (bf_amem_r32(s->pg.m, d + PD_FLAGS) & PG_ONLIST) {
        bf_addr b = bf_amem_r32(s->pg.m, d + PD_FREE);
        for (uint32_t steps = 0; steps < s->upp; steps++) {
            if (b < pos || b >= end)
                break;
            uint32_t u = slob_units(s, b);
            if (b + u * SLOB_UNIT > end)
                break;
            if (pos < b)
                visit(arg, pos, b - pos, 1);
            visit(arg, b, (uint64_t)u * SLOB_UNIT, 0);
            pos = b + u * SLOB_UNIT;
            if (slob_last(s, b))
                break;
            b = slob_next(s, b);
        }
    }
    if (pos < end)
        visit(arg, pos, end - pos, 1);
}

static void slob_walk(void *st, bfa_visit_fn visit, void *arg)
{
    bfa_pages_walk(st, slob_walk_span, slob_walk_emit, visit, arg);
}

/* The buddy's free pages plus the free units of every SLOB page. A SLOB page's free blocks are
** smaller than a page (a wholly free page goes back to the buddy): when the buddy holds a free
** page, its largest block is the largest free extent; otherwise it needs a walk. */
static uint64_t slob_free_bytes(void *st, uint64_t *largest)
{
    slob_state *s = st;
    uint64_t pages_free = bfa_pages_free_bytes(&s->pg, largest);
    if (*largest < s->pg.page_size)
        *largest = BF_ALLOC_LARGEST_UNKNOWN;
    return pages_free + s->free_units * SLOB_UNIT;
}

/* The walk's extents of whole free pages are the buddy's free blocks: a SLOB page's free blocks
** are smaller than a page, so they add no block of any order. */
static void slob_free_orders(void *st, uint32_t *nr_free, unsigned norders)
{
    slob_state *s = st;
    s->pg.ops->xFreeOrders(s->pg.st, nr_free, norders);
}

const bf_alloc_methods bf_alloc_slob = {
    .name = "slob",
    .xCreate = slob_create,
    .xDestroy = slob_destroy,
    .xAlloc = slob_kmalloc,
    .xFree = slob_kfree,
    .xAllocPages = bfa_pages_xalloc_pages,
    .xFreePages = bfa_pages_xfree_pages,
    .xCacheAlloc = slob_cache_alloc,
    .xCacheFree = slob_cache_free,
    .xUsable = slob_usable,
    .xCheck = slob_check,
    .xWalk = slob_walk,
    .xFreeBytes = slob_free_bytes,
    .xLargestFreeBound = bfa_pages_xlargest_bound,
    .xFreeOrders = slob_free_orders,
    .xPhase = bfa_pages_xphase,
    .xReclaimable = bfa_pages_xreclaimable,
    .xMmap = NULL,
    .xFreeSize = NULL,
    .xInfo = bfa_pages_xinfo,
};
