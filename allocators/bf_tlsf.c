/*
** bf_tlsf.c: TLSF, Two-Level Segregated Fit (Masmano, Ripoll, Crespo, Real, ECRTS 2004; the
** 4-byte-overhead block layout of TLSF 2.0), on simulated memory. Implemented from the published
** algorithm (reference kernel-allocators section 6), not from any existing implementation.
**
** What it models: the O(1) good-fit allocator a real-time kernel would use instead of buddy +
** slab. It manages the whole memory minus the reserved pages (bfa_page_reserved: the
** env.reserved ranges, and page 0 when memory starts at 0, as every allocator): every run of
** unreserved pages is one pool.
**
** Assumptions
**  - 32-bit target: block sizes are multiples of 4 bytes (ALIGN_LOG2 = 2), pointers are 4 bytes,
**    a used block costs one 4-byte header word; the minimum block is 12 bytes (two free-list
**    links plus the next block's prev-physical word).
**  - The control structure (null block, first-level bitmap, second-level bitmaps, free-list
**    heads) lives at the start of the first free range large enough for it, in simulated memory.
**  - Page requests (xAllocPages) are byte requests of page_size << order: TLSF has no page
**    allocator, and its results are 4-byte aligned, not page aligned.
**  - Named caches are plain byte requests (an RTOS with TLSF has no slab layer).
**
** Algorithm
**  1. mapping_insert(size): sizes below SMALL = 1 << (SL_LOG2 + 2) go to fl 0, sl = size / 4;
**     otherwise fl = fls(size) - (SL_LOG2 + 2) + 1 and sl = (size >> (fls(size) - SL_LOG2)) xor
**     2^SL_LOG2 (the SL_LOG2 bits below the leading one).
**  2. mapping_search(size) first rounds size up to the next list boundary,
**     size += (1 << (fls(size) - SL_LOG2)) - 1, so every block of the list found is big enough
**     (good fit); the bitmaps give the first non-empty list at or above (fl, sl) in O(1).
**  3. The found block is split when the remainder can hold a minimum block; free blocks are
**     coalesced immediately with both physical neighbours and pushed at the head of their list.
**
** Block layout at header address B: B+0 prev_phys (meaningful only when the previous block is
** free: it is the last word of that block), B+4 size | FREE(bit 0) | PREV_FREE(bit 1), B+8
** next_free, B+12 prev_free; the user pointer is B+8 and the next physical block is at B+4+size.
** A pool of length L at P is one block with header P-4 and size L-8 plus a zero-size used
** sentinel whose size word is the pool's last word.
**
** Invariant: every free block is on exactly the list mapping_insert(size) names; a bit of a
** second-level bitmap is set iff its list is non-empty, a first-level bit iff its second-level
** bitmap is non-zero; no two free blocks are physically adjacent; PREV_FREE of each block equals
** FREE of its physical predecessor, whose address a free predecessor also stores in prev_phys.
** The host keeps a mirror of both bitmaps (hfl, hsl), equal to the simulated ones after every
** operation (tlsf_check compares them), so that the largest free block is found by reading one
** list, never by a walk (tlsf_largest_free). Host counters of the free blocks (free_bytes, and
** nr_free per order as bf_alloc_count_free counts them) change with every block that enters or
** leaves a free list (tlsf_account), so that a sample needs no walk (xFreeBytes, xFreeOrders;
** the driver's checks compare them with one).
** Debug builds assert, from values an operation has read anyway (never an extra simulated
** access): a list index is inside the bitmaps, a block is 4-byte sized, the block taken from
** list (fl, sl) is free, big enough (good fit) and on the list its size maps to, the pointer
** handed out is 4-byte aligned, a block being freed whose PREV_FREE bit is set has a free
** predecessor that is not itself preceded by a free block and ends where the block starts, no
** free block follows the coalesced one, and the host free-byte count never goes below zero.
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bf_alloc.h"
#include "bf_alloc_int.h"
#include "bf_hmem.h"

enum {
    TLSF_ALIGN_LOG2 = 2,                    /* 4-byte granules (32-bit target) */
    TLSF_ALIGN = 1 << TLSF_ALIGN_LOG2,      /* bytes */
    TLSF_FL_MAX = 31,                       /* blocks are smaller than 2^(FL_MAX) ... */
    TLSF_BLOCK_MAX = 0x7ffffffc,            /* ... bytes: the largest 4-aligned size below 2^31 */
    TLSF_SL_LOG2_MAX = 5,                   /* a second-level bitmap is one 32-bit word */
    TLSF_OVERHEAD = 4,                      /* bytes of header a used block costs */
    TLSF_HDR = 16,                          /* prev_phys, size, next_free, prev_free */
    TLSF_BLOCK_MIN = TLSF_HDR - 4,          /* bytes: a block smaller than this cannot be free */
    TLSF_POOL_OVERHEAD = 2 * TLSF_OVERHEAD, /* first block's size word + sentinel's */
    TLSF_FREE = 1u,
    TLSF_PREV_FREE = 2u
};

_Static_assert(TLSF_BLOCK_MIN % TLSF_ALIGN == 0, "minimum block must be aligned");

/* Control structure offsets (from the control address). */
enum { CTL_NULL = 0, CTL_FL_BITMAP = TLSF_HDR, CTL_SL_BITMAP = TLSF_HDR + 4 };

typedef struct tlsf_pool {
    bf_addr start; /* first byte (the first block's size word) */
    uint32_t len;  /* bytes, multiple of 4 */
} tlsf_pool;

typedef struct tlsf_state {
    bf_amem *m;
    unsigned sl_log2;   /* second-level index bits */
    unsigned sl_count;  /* lists per first-level class */
    unsigned fl_shift;  /* sl_log2 + ALIGN_LOG2 */
    uint32_t small;     /* 1 << fl_shift: below this, fl = 0 with linear sl */
    unsigned fl_count;  /* first-level classes */
    bf_addr ctl;        /* control structure */
    uint32_t ctl_size;  /* bytes */
    uint32_t page_size; /* bytes */
    size_t npools;
    tlsf_pool *pools;    /* host: pool bounds (constants of the heap once created) */
    char msg[160];       /* check() message */
    uint64_t free_bytes; /* host: free blocks' size + header word, as the walk counts them */
    unsigned norders;    /* env max_order */
    uint32_t nr_free[BF_ALLOC_ORDERS_MAX]; /* host: the same blocks per order (xFreeOrders) */
    uint32_t hfl;  /* host mirror of the first-level bitmap (xLargestFree) */
    uint32_t *hsl; /* host mirrors of the second-level bitmaps, fl_count words */
} tlsf_state;

/* ---- mapping ---------------------------------------------------------------------------- */

static void tlsf_mapping_insert(const tlsf_state *s, uint32_t size, unsigned *fl, unsigned *sl)
{
    if (size < s->small) {
        *fl = 0;
        *sl = size >> TLSF_ALIGN_LOG2;
    } else {
        int f = bfa_fls(size);
        *sl = (size >> (f - (int)s->sl_log2)) ^ s->sl_count;
        *fl = (unsigned)(f - (int)s->fl_shift + 1);
    }
}

/* Rounds up to the next list boundary; returns 0 if the rounded size has no list. */
static int tlsf_mapping_search(const tlsf_state *s, uint32_t size, unsigned *fl, unsigned *sl)
{
    uint64_t r = size;
    if (size >= s->small)
        r += ((uint64_t)1 << (bfa_fls(size) - (int)s->sl_log2)) - 1;
    if (r > TLSF_BLOCK_MAX + (uint64_t)TLSF_ALIGN - 1)
        return 0;
    tlsf_mapping_insert(s, (uint32_t)r, fl, sl);
    return *fl < s->fl_count;
}

/* ---- simulated-memory accessors ----------------------------------------------------------- */

static bf_addr tlsf_sl_word(const tlsf_state *s, unsigned fl)
{
    return s->ctl + CTL_SL_BITMAP + 4 * fl;
}

static bf_addr tlsf_head(const tlsf_state *s, unsigned fl, unsigned sl)
{
    return s->ctl + CTL_SL_BITMAP + 4 * s->fl_count + 4 * (fl * s->sl_count + sl);
}

static uint32_t tlsf_word(tlsf_state *s, bf_addr b)
{
    return bf_amem_r32(s->m, b + 4);
}

static bf_addr tlsf_next_phys(bf_addr b, uint32_t word)
{
    return b + TLSF_OVERHEAD + (word & ~3u);
}

static void tlsf_remove(tlsf_state *s, bf_addr b, unsigned fl, unsigned sl)
{
    bf_addr next = bf_amem_r32(s->m, b + 8);
    bf_addr prev = bf_amem_r32(s->m, b + 12);
    bf_amem_w32(s->m, next + 12, prev);
    bf_amem_w32(s->m, prev + 8, next);
    bf_addr h = tlsf_head(s, fl, sl);
    if (bf_amem_r32(s->m, h) == b) {
        bf_amem_w32(s->m, h, next);
        if (next == s->ctl + CTL_NULL) {
            uint32_t slw = bf_amem_r32(s->m, tlsf_sl_word(s, fl)) & ~(1u << sl);
            bf_amem_w32(s->m, tlsf_sl_word(s, fl), slw);
            s->hsl[fl] &= ~(1u << sl);
            if (!slw) {
                uint32_t flw = bf_amem_r32(s->m, s->ctl + CTL_FL_BITMAP) & ~(1u << fl);
                bf_amem_w32(s->m, s->ctl + CTL_FL_BITMAP, flw);
                s->hfl &= ~(1u << fl);
            }
        }
    }
}

/* The host counters of one free block of `size` bytes, given (n = 1) or taken (n = -1): as the
** walk reports such a block, size + header word. */
static void tlsf_account(tlsf_state *s, uint32_t size, int32_t n)
{
    uint64_t len = (uint64_t)size + TLSF_OVERHEAD;
    assert(n == 1 || (n == -1 && s->free_bytes >= len));
    s->free_bytes += n > 0 ? len : -len;
    bf_alloc_count_free(s->nr_free, s->norders, len / s->page_size, n);
}

static void tlsf_insert(tlsf_state *s, bf_addr b, uint32_t size)
{
    unsigned fl, sl;
    tlsf_mapping_insert(s, size, &fl, &sl);
    assert(fl < s->fl_count && sl < s->sl_count && (size & 3u) == 0 && (b & 3u) == 0);
    tlsf_account(s, size, 1);
    bf_addr h = tlsf_head(s, fl, sl);
    bf_addr cur = bf_amem_r32(s->m, h);
    bf_amem_w32(s->m, b + 8, cur);
    bf_amem_w32(s->m, b + 12, s->ctl + CTL_NULL);
    bf_amem_w32(s->m, cur + 12, b);
    bf_amem_w32(s->m, h, b);
    bf_amem_w32(s->m, s->ctl + CTL_FL_BITMAP,
                bf_amem_r32(s->m, s->ctl + CTL_FL_BITMAP) | (1u << fl));
    bf_amem_w32(s->m, tlsf_sl_word(s, fl), bf_amem_r32(s->m, tlsf_sl_word(s, fl)) | (1u << sl));
    s->hfl |= 1u << fl;
    s->hsl[fl] |= 1u << sl;
}

static void tlsf_remove_sized(tlsf_state *s, bf_addr b, uint32_t size)
{
    unsigned fl, sl;
    tlsf_mapping_insert(s, size, &fl, &sl);
    tlsf_remove(s, b, fl, sl);
    tlsf_account(s, size, -1);
}

/* ---- pools --------------------------------------------------------------------------------- */

static void tlsf_add_pool(tlsf_state *s, bf_addr start, uint32_t len)
{
    bf_addr b = start - 4;
    uint32_t size = len - TLSF_POOL_OVERHEAD;
    bf_amem_w32(s->m, b + 4, size | TLSF_FREE);
    bf_addr sent = tlsf_next_phys(b, size);
    bf_amem_w32(s->m, sent, b);
    bf_amem_w32(s->m, sent + 4, TLSF_PREV_FREE);
    tlsf_insert(s, b, size);
    s->pools[s->npools].start = start;
    s->pools[s->npools].len = len;
    s->npools++;
}

/* ---- methods ------------------------------------------------------------------------------- */

static void tlsf_destroy(void *st)
{
    tlsf_state *s = st;
    if (!s)
        return;
    free(s->pools);
    free(s->hsl);
    free(s);
}

static int tlsf_create(const bf_alloc_env *env, void **out)
{
    *out = NULL;
    if (!env || bf_alloc_env_check(env) || env->tlsf_sl_log2 > TLSF_SL_LOG2_MAX)
        return BF_ECONFIG;
    tlsf_state *s = bf_calloc(1, sizeof *s);
    if (!s)
        return BF_ENOMEM;
    s->m = env->mem;
    s->page_size = env->page_size;
    s->norders = env->max_order;
    s->sl_log2 = env->tlsf_sl_log2;
    s->sl_count = 1u << s->sl_log2;
    s->fl_shift = s->sl_log2 + TLSF_ALIGN_LOG2;
    s->small = 1u << s->fl_shift;
    s->fl_count = TLSF_FL_MAX - s->fl_shift + 1;
    s->ctl_size = CTL_SL_BITMAP + 4 * s->fl_count * (1 + s->sl_count);
    /* Worst case: every reserved range splits one free range, and large ranges are cut at 2 GB. */
    s->pools = bf_calloc(env->nreserved + 3, sizeof *s->pools);
    s->hsl = bf_calloc(s->fl_count, sizeof *s->hsl);
    if (!s->pools || !s->hsl) {
        tlsf_destroy(s);
        return BF_ENOMEM;
    }

    /* Free ranges = the runs of unreserved pages, in address order (each reserved range ends at
    ** most one run, page 0 only trims the first). */
    uint32_t npages = bfa_npages(env);
    int have_ctl = 0;
    for (uint32_t p = 0; p < npages;) {
        while (p < npages && bfa_page_reserved(env, p))
            p++;
        uint32_t q = p;
        while (q < npages && !bfa_page_reserved(env, q))
            q++;
        if (q == p)
            break;
        uint64_t gs = bfa_pfn_addr(env, p), ge = gs + (uint64_t)(q - p) * env->page_size;
        p = q;
        gs = (gs + TLSF_ALIGN - 1) & ~(uint64_t)(TLSF_ALIGN - 1);
        ge &= ~(uint64_t)(TLSF_ALIGN - 1);
        if (ge <= gs)
            continue;
        if (!have_ctl) {
            if (ge - gs < s->ctl_size + TLSF_POOL_OVERHEAD + TLSF_BLOCK_MIN)
                continue;
            s->ctl = (bf_addr)gs;
            have_ctl = 1;
            /* Null block links to itself; every list head points at it. */
            bf_amem_w32(s->m, s->ctl + CTL_NULL + 8, s->ctl);
            bf_amem_w32(s->m, s->ctl + CTL_NULL + 12, s->ctl);
            bf_amem_w32(s->m, s->ctl + CTL_FL_BITMAP, 0);
            for (unsigned f = 0; f < s->fl_count; f++) {
                bf_amem_w32(s->m, tlsf_sl_word(s, f), 0);
                for (unsigned l = 0; l < s->sl_count; l++)
                    bf_amem_w32(s->m, tlsf_head(s, f, l), s->ctl);
            }
            gs += s->ctl_size;
        }
        while (ge - gs >= TLSF_POOL_OVERHEAD + TLSF_BLOCK_MIN && s->npools < env->nreserved + 3) {
            uint64_t len = ge - gs;
            if (len > (uint64_t)TLSF_BLOCK_MAX + TLSF_POOL_OVERHEAD - TLSF_ALIGN)
                len = (uint64_t)TLSF_BLOCK_MAX + TLSF_POOL_OVERHEAD - TLSF_ALIGN;
            tlsf_add_pool(s, (bf_addr)gs, (uint32_t)len);
            gs += len;
        }
    }
    if (!have_ctl || s->m->failed) {
        tlsf_destroy(s);
        return BF_ECONFIG;
    }
    *out = s;
    return BF_OK;
}

static int tlsf_alloc(void *st, uint64_t bytes, uint32_t gfp, bf_addr *out)
{
    tlsf_state *s = st;
    (void)gfp; /* one pool: no zones, never sleeps */
    *out = 0;
    if (bytes > TLSF_BLOCK_MAX)
        return BF_OK;
    uint32_t adj = ((uint32_t)bytes + TLSF_ALIGN - 1) & ~(uint32_t)(TLSF_ALIGN - 1);
    if (adj < TLSF_BLOCK_MIN)
        adj = TLSF_BLOCK_MIN;
    unsigned fl, sl;
    if (!tlsf_mapping_search(s, adj, &fl, &sl))
        return BF_OK;

    /* Good-fit search with the bitmaps. */
    uint32_t slmap = bf_amem_r32(s->m, tlsf_sl_word(s, fl)) & (~0u << sl);
    if (!slmap) {
        uint32_t flmap =
            fl + 1 < 32 ? bf_amem_r32(s->m, s->ctl + CTL_FL_BITMAP) & (~0u << (fl + 1)) : 0;
        if (!flmap)
            return BF_OK;
        fl = (unsigned)bfa_ffs(flmap);
        slmap = bf_amem_r32(s->m, tlsf_sl_word(s, fl));
    }
    sl = (unsigned)bfa_ffs(slmap);
    bf_addr b = bf_amem_r32(s->m, tlsf_head(s, fl, sl));
    tlsf_remove(s, b, fl, sl);

    uint32_t word = tlsf_word(s, b);
    uint32_t size = word & ~3u;
#ifndef NDEBUG
    unsigned bfl, bsl;
    tlsf_mapping_insert(s, size, &bfl, &bsl);
    assert((word & TLSF_FREE) && size >= adj && bfl == fl && bsl == sl);
#endif
    tlsf_account(s, size, -1);
    if (size >= adj + TLSF_HDR) {
        /* Split: the remainder stays free and keeps the next block's PREV_FREE bit set. */
        bf_addr rem = b + TLSF_OVERHEAD + adj;
        uint32_t rsize = size - adj - TLSF_OVERHEAD;
        bf_amem_w32(s->m, rem + 4, rsize | TLSF_FREE); /* predecessor b is used: no PREV_FREE */
        bf_amem_w32(s->m, tlsf_next_phys(rem, rsize), rem);
        tlsf_insert(s, rem, rsize);
        bf_amem_w32(s->m, b + 4, adj | (word & TLSF_PREV_FREE));
    } else {
        bf_addr next = tlsf_next_phys(b, word);
        bf_amem_w32(s->m, next + 4, tlsf_word(s, next) & ~(uint32_t)TLSF_PREV_FREE);
        bf_amem_w32(s->m, b + 4, word & ~(uint32_t)TLSF_FREE);
    }
    assert(((b + 8) & (TLSF_ALIGN - 1)) == 0);
    *out = b + 8;
    return BF_OK;
}

static const tlsf_pool *tlsf_pool_of(const tlsf_state *s, bf_addr a)
{
    for (size_t i = 0; i < s->npools; i++)
        if (a >= s->pools[i].start && a - s->pools[i].start < s->pools[i].len)
            return &s->pools[i];
    return NULL;
}

static int tlsf_free(void *st, bf_addr a)
{
    tlsf_state *s = st;
    if (a == 0)
        return BF_OK;
    if ((a & (TLSF_ALIGN - 1)) || !tlsf_pool_of(s, a - 4))
        return BF_EINPUT;
    bf_addr b = a - 8;
    uint32_t word = tlsf_word(s, b);
    if (word & TLSF_FREE)
        return BF_EINPUT; /* double free */
    uint32_t size = word & ~3u;

    if (word & TLSF_PREV_FREE) {
        bf_addr p = bf_amem_r32(s->m, b);
        uint32_t pword = tlsf_word(s, p);
        assert((pword & TLSF_FREE) && !(pword & TLSF_PREV_FREE) && tlsf_next_phys(p, pword) == b);
        tlsf_remove_sized(s, p, pword & ~3u);
        size += (pword & ~3u) + TLSF_OVERHEAD;
        word = pword; /* p's own PREV_FREE bit (always clear: p's predecessor is used) */
        b = p;
    }
    bf_addr next = tlsf_next_phys(b, size);
    uint32_t nword = tlsf_word(s, next);
    if (nword & TLSF_FREE) {
        tlsf_remove_sized(s, next, nword & ~3u);
        size += (nword & ~3u) + TLSF_OVERHEAD;
        next = tlsf_next_phys(b, size);
        nword = tlsf_word(s, next);
    }
    assert(!(nword & TLSF_FREE)); /* no two free blocks are adjacent */
    bf_amem_w32(s->m, b + 4, size | TLSF_FREE | (word & TLSF_PREV_FREE));
    bf_amem_w32(s->m, next, b);
    bf_amem_w32(s->m, next + 4, nword | TLSF_PREV_FREE);
    tlsf_insert(s, b, size);
    return BF_OK;
}

static int tlsf_alloc_pages(void *st, unsigned order, uint32_t gfp, bf_addr *out)
{
    tlsf_state *s = st;
    *out = 0;
    if ((int)order >= 31 - bfa_fls(s->page_size))
        return BF_OK;
    return tlsf_alloc(st, (uint64_t)s->page_size << order, gfp, out);
}

static int tlsf_free_pages(void *st, bf_addr a, unsigned order)
{
    (void)order;
    return tlsf_free(st, a);
}

static int tlsf_cache_alloc(void *st, const char *cache, uint64_t objsize, uint32_t gfp,
                            bf_addr *out)
{
    (void)cache;
    return tlsf_alloc(st, objsize, gfp, out);
}

static int tlsf_cache_free(void *st, const char *cache, bf_addr a)
{
    (void)cache;
    return tlsf_free(st, a);
}

static uint64_t tlsf_usable(void *st, bf_addr a)
{
    tlsf_state *s = st;
    if (!a || !tlsf_pool_of(s, a - 4))
        return 0;
    return tlsf_word(s, a - 8) & ~3u;
}

static const char *tlsf_fail(tlsf_state *s, const char *what, bf_addr a)
{
    snprintf(s->msg, sizeof s->msg, "tlsf: %s (block 0x%08x)", what, (unsigned)a);
    return s->msg;
}

static const char *tlsf_check_impl(tlsf_state *s)
{
    uint64_t phys_free = 0;
    for (size_t i = 0; i < s->npools; i++) {
        bf_addr end = s->pools[i].start + s->pools[i].len;
        bf_addr b = s->pools[i].start - 4;
        int prev_free = 0;
        for (;;) {
            uint32_t word = tlsf_word(s, b);
            uint32_t size = word & ~3u;
            if (!!(word & TLSF_PREV_FREE) != prev_free)
                return tlsf_fail(s, "PREV_FREE bit disagrees with the previous block", b);
            if (size == 0) {
                if (b + 8 != end)
                    return tlsf_fail(s, "zero-size block before the pool end", b);
                if (word & TLSF_FREE)
                    return tlsf_fail(s, "pool sentinel marked free", b);
                break;
            }
            if (size < TLSF_BLOCK_MIN || (size & (TLSF_ALIGN - 1)))
                return tlsf_fail(s, "block size unaligned or below the minimum", b);
            if ((uint64_t)b + 8 + size > end - 4ull)
                return tlsf_fail(s, "block runs past the pool sentinel", b);
            bf_addr next = tlsf_next_phys(b, size);
            if (word & TLSF_FREE) {
                if (prev_free)
                    return tlsf_fail(s, "two physically adjacent free blocks", b);
                if (bf_amem_r32(s->m, next) != b)
                    return tlsf_fail(s, "next block's prev_phys does not point back", b);
                phys_free++;
            }
            prev_free = !!(word & TLSF_FREE);
            b = next;
        }
    }
    uint32_t flmap = bf_amem_r32(s->m, s->ctl + CTL_FL_BITMAP);
    if (s->fl_count < 32 && (flmap >> s->fl_count))
        return tlsf_fail(s, "first-level bitmap has bits beyond the last class", s->ctl);
    uint64_t listed = 0;
    for (unsigned fl = 0; fl < s->fl_count; fl++) {
        uint32_t slmap = bf_amem_r32(s->m, tlsf_sl_word(s, fl));
        if (!!(flmap & (1u << fl)) != (slmap != 0))
            return tlsf_fail(s, "first-level bit disagrees with its second-level bitmap",
                             tlsf_sl_word(s, fl));
        if (s->sl_count < 32 && (slmap >> s->sl_count))
            return tlsf_fail(s, "second-level bitmap has bits beyond the last list",
                             tlsf_sl_word(s, fl));
        if (slmap != s->hsl[fl] || !!(s->hfl & (1u << fl)) != !!(flmap & (1u << fl)))
            return tlsf_fail(s, "host bitmap mirror disagrees with the simulated bitmaps",
                             tlsf_sl_word(s, fl));
        for (unsigned sl = 0; sl < s->sl_count; sl++) {
            bf_addr prev = s->ctl + CTL_NULL;
            bf_addr b = bf_amem_r32(s->m, tlsf_head(s, fl, sl));
            if (!!(slmap & (1u << sl)) != (b != s->ctl + CTL_NULL))
                return tlsf_fail(s, "second-level bit disagrees with its list",
                                 tlsf_head(s, fl, sl));
            while (b != s->ctl + CTL_NULL) {
                if (++listed > phys_free)
                    return tlsf_fail(s, "more blocks on the free lists than free blocks", b);
                if (!tlsf_pool_of(s, b + 4))
                    return tlsf_fail(s, "free-list entry outside every pool", b);
                uint32_t word = tlsf_word(s, b);
                unsigned f2, s2;
                if (!(word & TLSF_FREE))
                    return tlsf_fail(s, "used block on a free list", b);
                tlsf_mapping_insert(s, word & ~3u, &f2, &s2);
                if (f2 != fl || s2 != sl)
                    return tlsf_fail(s, "free block on the wrong list for its size", b);
                if (bf_amem_r32(s->m, b + 12) != prev)
                    return tlsf_fail(s, "free list prev link broken", b);
                prev = b;
                b = bf_amem_r32(s->m, b + 8);
            }
        }
    }
    if (listed != phys_free)
        return tlsf_fail(s, "a free block is on no free list", s->ctl);
    return NULL;
}

static const char *tlsf_check(void *st)
{
    tlsf_state *s = st;
    bf_amem_mark q = bf_amem_mark_get(s->m);
    const char *r = tlsf_check_impl(s);
    bf_amem_rewind(s->m, q);
    return r;
}

/* Extents tile each pool: a block is its size word plus payload; the control structure and
** each pool sentinel are used extents. */
static void tlsf_walk(void *st, void (*visit)(void *arg, bf_addr a, uint64_t len, int used),
                      void *arg)
{
    tlsf_state *s = st;
    bf_amem_mark q = bf_amem_mark_get(s->m);
    visit(arg, s->ctl, s->ctl_size, 1);
    for (size_t i = 0; i < s->npools; i++) {
        bf_addr b = s->pools[i].start - 4;
        for (;;) {
            uint32_t word = tlsf_word(s, b);
            uint32_t size = word & ~3u;
            if (size == 0) {
                visit(arg, b + 4, 4, 1);
                break;
            }
            visit(arg, b + 4, (uint64_t)size + TLSF_OVERHEAD, !(word & TLSF_FREE));
            b = tlsf_next_phys(b, size);
        }
    }
    bf_amem_rewind(s->m, q);
}

/* Every free block the walk reports, from the host counter; the largest needs the blocks of the
** top non-empty list, whose sizes differ (tlsf_largest_free). */
static uint64_t tlsf_free_bytes(void *st, uint64_t *largest)
{
    *largest = BF_ALLOC_LARGEST_UNKNOWN;
    return ((tlsf_state *)st)->free_bytes;
}

static void tlsf_free_orders(void *st, uint32_t *nr_free, unsigned norders)
{
    tlsf_state *s = st;
    assert(norders == s->norders); /* env.max_order, as the counters were kept */
    (void)norders;
    for (unsigned o = 0; o < s->norders; o++)
        nr_free[o] += s->nr_free[o];
}

/* The largest free block as the walk reports it (size + header word): every block of a higher
** list is larger than every block of a lower one (mapping_insert is monotonic), so it is on the
** highest non-empty list, which the host bitmap mirrors name; that list alone is read, with the
** access counters restored (an instrument). 0 when nothing is free. */
static uint64_t tlsf_largest_free(void *st)
{
    tlsf_state *s = st;
    if (!s->hfl)
        return 0;
    unsigned fl = (unsigned)bfa_fls(s->hfl), sl = (unsigned)bfa_fls(s->hsl[fl]);
    assert(s->hsl[fl] != 0);
    bf_amem_mark q = bf_amem_mark_get(s->m);
    uint32_t best = 0;
    for (bf_addr b = bf_amem_r32(s->m, tlsf_head(s, fl, sl)); b != s->ctl + CTL_NULL;
         b = bf_amem_r32(s->m, b + 8)) {
        uint32_t size = tlsf_word(s, b) & ~3u;
        if (size > best)
            best = size;
    }
    bf_amem_rewind(s->m, q);
    assert(best > 0);
    return (uint64_t)best + TLSF_OVERHEAD;
}

const bf_alloc_methods bf_alloc_tlsf = {
    .name = "tlsf",
    .xCreate = tlsf_create,
    .xDestroy = tlsf_destroy,
    .xAlloc = tlsf_alloc,
    .xFree = tlsf_free,
    .xAllocPages = tlsf_alloc_pages,
    .xFreePages = tlsf_free_pages,
    .xCacheAlloc = tlsf_cache_alloc,
    .xCacheFree = tlsf_cache_free,
    .xUsable = tlsf_usable,
    .xCheck = tlsf_check,
    .xWalk = tlsf_walk,
    .xFreeBytes = tlsf_free_bytes,
    .xLargestFree = tlsf_largest_free,
    .xFreeOrders = tlsf_free_orders,
    .xPhase = NULL,
    .xReclaimable = NULL,
};
