/*
** bf_l1_int.h: the state shared by the files of the L1 model (never included outside models/l1).
**
** Owns: the fixed geometry, the register-field macros, the line, fill-buffer, write/victim-buffer
** and classification-shadow records, struct bf_l1 itself, and the small helpers the per-access
** path needs inlined (set index, D lookup and replacement, word arrival of the fill in flight,
** drains before an external request). Which file owns what:
**   bf_l1.c         the access path: D-cache, I-cache, uncached/SRAM/fault handling, bf_l1_hit
**   bf_l1_buf.c     the external port, write buffer, victim buffer and line-fill requests
**   bf_l1_shadow.c  the fully-associative shadow that classifies misses
**   bf_l1_ops.c     configuration, creation, DMEM/IMEM_CONTROL writes, cache operations
**   bf_l1_check.c   the consistency check (bf_l1_check)
**   bf_l1_dma.c     DMA snooping and coherency-hazard hooks
**
** Invariants (bf_l1.c states the model's assumptions): a valid tag appears once per set and maps
** back to that set; only valid lines are dirty or stale; LRU stamps of a set's valid lines are
** distinct and never above the cache's clock; buffer occupancy never exceeds its depth; issued
** buffer entries precede unissued ones with non-decreasing done times; ext issue times never
** decrease. Debug builds assert the per-set ones after every lookup (L1_ASSERT_SET below) and the
** buffer bounds on every push.
*/
#ifndef BF_L1_INT_H
#define BF_L1_INT_H

#include "bf_bf533.h"
#include "bf_hmem.h"
#include "bf_l1.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Geometry: CONFIRMED in reference section 2 (fixed by the silicon, not configuration). */
enum {
    L1_LINE_SHIFT = BF_LINE_SHIFT, /* 32-byte lines */
    L1_LINE_BYTES = 1 << L1_LINE_SHIFT,
    L1_WORD_SHIFT = 3, /* line-fill buffer entries are 64-bit */
    L1_LINE_WORDS = L1_LINE_BYTES >> L1_WORD_SHIFT,
    L1_DWAYS = 2,
    L1_DSETS = 256, /* 16 KB / (2 ways * 32 B) per bank */
    L1_DBANKS = 2,
    L1_IWAYS = 4,
    L1_ISETS = 128,        /* 16 KB / (4 ways * 32 B) */
    L1_SUBBANK_SHIFT = 12, /* sub-bank select, address bits 13:12 */
    L1_DLO_BITS = 6,       /* D line index within a sub-bank, bits 10:5 */
    L1_ILO_BITS = 5,       /* I line index within a sub-bank, bits 9:5 */
    L1_DCBS0_BIT = 14,     /* DCBS=0: A[14] picks the bank */
    L1_DCBS1_BIT = 23,     /* DCBS=1: A[23] picks the bank */
    L1_WORD_BYTES = 4,     /* write-buffer entries are 32-bit */
    L1_FETCH_BLOCK = 8,    /* the sequencer fetches aligned 64-bit blocks */
    L1_MAX_WBUF = 64,
    L1_MAX_VICTIM = 16,
    L1_SDRAM_MAX = BF_SDRAM_MAX_BYTES
};
_Static_assert(L1_DSETS *L1_DWAYS *L1_LINE_BYTES == 16384, "D bank is 16 KB");
_Static_assert((int)L1_DSETS == (int)BF_L1_DSETS && (int)L1_DWAYS == (int)BF_L1_DWAYS &&
                   (int)L1_DBANKS == (int)BF_L1_DBANKS && (int)L1_ISETS == (int)BF_L1_ISETS &&
                   (int)L1_IWAYS == (int)BF_L1_IWAYS,
               "bf_l1_set_stats has the model's geometry");
_Static_assert(L1_ISETS *L1_IWAYS *L1_LINE_BYTES == 16384, "I-cache is 16 KB");
_Static_assert((4 << L1_DLO_BITS) == L1_DSETS, "sub-banks times D line index give the D sets");
_Static_assert((4 << L1_ILO_BITS) == L1_ISETS, "sub-banks times I line index give the I sets");

#define L1_NOTAG 0xFFFFFFFFu /* never a line number: lines are addr >> 5 < 2^27 */
#define L1_NIL 0xFFFFFFFFu
#define L1_ATTR_MASK (BF_REQ_CACHEABLE | BF_REQ_WT | BF_REQ_AOW | BF_REQ_LRUPRIO)
/* l1_line.stale: set only with a hazard detector attached; a fill or an invalidation clears both,
** a write-back of a D line clears both (memory equals the line again). */
#define L1_STALE 1u /* DMA (or, for an I line, a core store) wrote the memory under the line */
#define L1_LOST 2u  /* DMA wrote it while the D line was dirty: its write-back destroys that data */

typedef struct l1_line {
    uint32_t tag;  /* line number (addr >> 5), L1_NOTAG when invalid */
    uint8_t dirty; /* D only */
    uint8_t prio;  /* I only: LRUPRIO of the page it was filled from */
    uint8_t stale; /* L1_STALE | L1_LOST: memory under the valid line was written (bf_hazard.h) */
    uint8_t pad;
    uint64_t stamp; /* last lookup time in the cache's own access clock; LRU = smallest */
} l1_line;

/* Set index = ((addr >> 5) & lo_mask) | (((addr >> 12) & hi_mask) << lo_bits). The Blackfin index
** takes the sub-bank from bits 13:12; bit selection is hi_mask = 0, lo_mask = sets - 1. */
typedef struct l1_index {
    uint32_t lo_mask, lo_bits, hi_mask;
} l1_index;

/* The line-fill buffer of one cache: the fill in flight (done in the past = idle). */
typedef struct l1_fillbuf {
    uint32_t line;   /* line number being filled, L1_NOTAG if none */
    uint32_t crit;   /* 64-bit word index that arrives first */
    bf_cycles ready; /* arrival of the critical word (== done without critical-word-first) */
    bf_cycles done;  /* arrival of the last word */
} l1_fillbuf;

/* A write or victim buffer: FIFO ring; the first `issued` entries from head are at `ext`. */
typedef struct l1_went {
    bf_addr addr;
    uint32_t size;
    uint32_t units; /* slots held: 32-bit words (write buffer) or lines (victim buffer) */
    bf_cycles enq;  /* core time it entered the buffer */
    bf_cycles done; /* when ext completed it (valid once issued) */
} l1_went;

typedef struct l1_buf {
    l1_went ent[L1_MAX_WBUF];
    uint32_t head, count, issued;
    uint32_t used, depth; /* units held, capacity in units */
    uint8_t source;       /* BF_SRC_WBUF or BF_SRC_VICTIM */
    bf_cycles last_done;  /* done of the last issued entry */
} l1_buf;

/* Fully-associative LRU shadow for miss classification: chained hash + doubly linked LRU list
** over a node pool sized at create; `seen` is one bit per possible line (2^27 bits). */
typedef struct l1_snode {
    uint32_t line, prev, next, hnext;
} l1_snode;

typedef struct l1_shadow {
    l1_snode *node;
    uint32_t *bucket; /* head node index or L1_NIL */
    uint64_t *seen;
    uint32_t max, cap, count, hbits;
    uint32_t mru, lru;
} l1_shadow;

/* One instance per simulated core; single-threaded: every call runs to completion on the caller's
** thread and no state is shared between instances. */
struct bf_l1 {
    bf_l1_config cfg;
    bf_port ext;
    bf_l1_stats *st;
    bf_l1_stats dummy;
    uint32_t dmem, imem;
    /* D-cache runtime: banks in use 0 (off), 1 or 2; bank = (addr >> bank_shift) & bank_mask */
    uint32_t dbanks, bank_shift, bank_mask, bank_flip;
    l1_index dix, iix;
    int ion;
    uint32_t ilock; /* ILOC: bit w set = Way w locked */
    uint64_t dclock, iclock;
    int dprev_miss, iprev_miss; /* the last whole reference (BF_REQ_WHOLEREF) missed (for
                                   BF_REQ_CONT) */
    int dprev_bank;             /* bank the last whole D reference was counted in */
    l1_fillbuf dfb, ifb;
    bf_addr ufetch_block;   /* aligned 64-bit block of the last uncached fetch (~0u: none) */
    bf_cycles ufetch_ready; /* when that block's read was ready */
    l1_buf wb, vb;
    bf_cycles ext_last;
    uint32_t ext_clamps; /* times an issue had to be moved forward (bf_l1_check reports it) */
    l1_shadow dsh, ish;
    bf_hazard *hz;       /* coherency hazard detector, or NULL (no stale flag is ever set) */
    uint32_t pend;       /* 1 + slot of a stale line the current access read, 0 if none */
    bf_addr pend_addr;   /* its address */
    bf_l1_set_stats *ss; /* per-slot fills/evictions, or NULL (the usual case) */
    l1_line dline[L1_DBANKS][L1_DSETS * L1_DWAYS];
    l1_line iline[L1_ISETS * L1_IWAYS];
};

static inline bf_cycles l1_max(bf_cycles a, bf_cycles b)
{
    return a > b ? a : b;
}

/* Class of a real miss: 0 compulsory, 1 capacity, 2 conflict. */
static inline int l1_miss_class(unsigned shadow_bits)
{
    return (shadow_bits & 2) ? 0 : (shadow_bits & 1) ? 1 : 2;
}

static inline uint32_t l1_set(const l1_index *x, bf_addr a)
{
    return ((a >> L1_LINE_SHIFT) & x->lo_mask) |
           (((a >> L1_SUBBANK_SHIFT) & x->hi_mask) << x->lo_bits);
}

static inline uint32_t l1_dslot(const bf_l1 *l1, const l1_line *L)
{
    return (uint32_t)(L - &l1->dline[0][0]);
}

static inline uint32_t l1_islot(const bf_l1 *l1, const l1_line *L)
{
    return BF_HAZARD_DSLOTS + (uint32_t)(L - l1->iline);
}

/* Arrival of the 64-bit word of `a` in the fill in flight. */
static inline bf_cycles l1_word_arrival(const l1_fillbuf *fb, bf_addr a)
{
    uint32_t w = (a >> L1_WORD_SHIFT) & (L1_LINE_WORDS - 1);
    uint32_t k = (w - fb->crit) & (L1_LINE_WORDS - 1);
    return fb->ready + (fb->done - fb->ready) * k / (L1_LINE_WORDS - 1);
}

/* Wait at *t for the word of `a` if its line is the one in flight. */
static inline void l1_wait_inflight(bf_l1 *l1, const l1_fillbuf *fb, uint32_t line, bf_addr a,
                                    bf_cycles *t)
{
    if (line == fb->line && *t < fb->done) {
        bf_cycles w = l1_word_arrival(fb, a);
        if (w > *t) {
            l1->st->stall_fill += w - *t;
            *t = w;
        }
    }
}

/* A miss waits until the fill in progress has completed (one line-fill buffer per cache). */
static inline void l1_fill_wait(bf_l1 *l1, const l1_fillbuf *fb, bf_cycles *t)
{
    if (*t < fb->done) {
        l1->st->stall_fill_busy += fb->done - *t;
        *t = fb->done;
    }
}

static inline l1_line *l1_dset(bf_l1 *l1, bf_addr a, uint32_t *bank)
{
    *bank = ((a >> l1->bank_shift) & l1->bank_mask) ^ l1->bank_flip;
    return &l1->dline[*bank][l1_set(&l1->dix, a) * L1_DWAYS];
}

/* The way of set s (of `ways` lines) that holds `line`, or NULL. Branch-free over the ways: which
** way hits is data-dependent (LRU by stamps keeps no MRU-first order), so a loop that stops at
** the hit mispredicts about once per hit; a valid tag appears once per set, so the lowest match
** is the only one. */
static inline l1_line *l1_find(l1_line *s, int ways, uint32_t line)
{
    unsigned m = 0;
    for (int w = 0; w < ways; w++)
        m |= (unsigned)(s[w].tag == line) << w;
    return m ? &s[__builtin_ctz(m)] : NULL;
}

static inline l1_line *l1_dfind(l1_line *s, uint32_t line)
{
    return l1_find(s, L1_DWAYS, line);
}

/* Invalid way first (Way0 first), else the least recently used. */
static inline l1_line *l1_dvictim(l1_line *s)
{
    for (int w = 0; w < L1_DWAYS; w++)
        if (s[w].tag == L1_NOTAG)
            return &s[w];
    l1_line *v = &s[0];
    for (int w = 1; w < L1_DWAYS; w++)
        if (s[w].stamp < v->stamp)
            v = &s[w];
    return v;
}

/* Debug-build checks of the per-set invariants (nothing under NDEBUG). A set's valid lines hold
** distinct tags, each mapping back to that set (and, for D, that bank), with distinct LRU stamps
** no later than the cache's clock (so LRU order is a strict order of the valid ways); an invalid
** line is neither dirty nor stale; an I line is never dirty. */
#ifndef NDEBUG
static inline void l1_assert_set(const bf_l1 *l1, const l1_line *s, int dside)
{
    uint32_t ways = dside ? L1_DWAYS : L1_IWAYS;
    for (uint32_t i = 0; i < ways; i++) {
        if (s[i].tag == L1_NOTAG) {
            assert(!s[i].dirty && !s[i].stale);
            continue;
        }
        bf_addr a = (bf_addr)s[i].tag << L1_LINE_SHIFT;
        uint32_t bank;
        assert(dside ? l1_dset((bf_l1 *)l1, a, &bank) == s
                     : &l1->iline[l1_set(&l1->iix, a) * L1_IWAYS] == s);
        assert(dside || !s[i].dirty);
        assert(!(s[i].stale & L1_LOST) || s[i].dirty);
        assert(s[i].stamp <= (dside ? l1->dclock : l1->iclock));
        for (uint32_t j = i + 1; j < ways; j++)
            assert(s[j].tag != s[i].tag && (s[j].tag == L1_NOTAG || s[j].stamp != s[i].stamp));
        (void)a;
        (void)bank;
    }
}
#define L1_ASSERT_SET(l1, s, dside) l1_assert_set((l1), (s), (dside))
#else
#define L1_ASSERT_SET(l1, s, dside) ((void)0)
#endif

/* Line number of the last byte of [a, a + size), not past the top of the address space. */
static inline uint32_t l1_last_line(bf_addr a, uint32_t size)
{
    uint64_t end = (uint64_t)a + (size ? size : 1) - 1;
    return (uint32_t)((end > 0xFFFFFFFFu ? 0xFFFFFFFFu : end) >> L1_LINE_SHIFT);
}

/* 1 if rgn is an L1 half that DMEM_CONTROL/IMEM_CONTROL currently make cache (no SRAM access). */
static inline int l1_is_cache_half(const bf_l1 *l1, int rgn)
{
    return (rgn == BF_RGN_L1_DATA_A_CACHE && l1->dbanks >= 1) ||
           (rgn == BF_RGN_L1_DATA_B_CACHE && l1->dbanks == 2) ||
           (rgn == BF_RGN_L1_INST_CACHE && l1->ion);
}

/* bf_l1_buf.c: the external port, the write and victim buffers, line-fill requests */
int l1_ext(bf_l1 *l1, bf_cycles t, bf_addr a, uint32_t size, int kind, int src, bf_resp *rs);
int l1_drain_one(bf_l1 *l1, bf_cycles limit, int *rc);
int l1_drain_all(bf_l1 *l1, bf_cycles t, bf_cycles *done);
int l1_wbuf_store(bf_l1 *l1, bf_addr a, uint32_t size, bf_cycles *t);
int l1_writeback(bf_l1 *l1, l1_line *L, bf_cycles *t);
int l1_fill(bf_l1 *l1, l1_fillbuf *fb, bf_addr a, int kind, bf_cycles *t);

/* Issue every drain that would start before t (call before any external request at t). */
static inline int l1_drain_before(bf_l1 *l1, bf_cycles t)
{
    int rc = BF_OK;
    while (l1_drain_one(l1, t, &rc))
        ;
    return rc;
}

static inline void l1_buf_retire(l1_buf *b, bf_cycles t)
{
    while (b->issued && b->ent[b->head].done <= t) {
        b->used -= b->ent[b->head].units;
        b->head = (b->head + 1) % L1_MAX_WBUF;
        b->count--;
        b->issued--;
    }
}

/* bf_l1.c */
int l1_dallocate(bf_l1 *l1, l1_line *v, bf_addr a, bf_cycles *t);

/* bf_l1_shadow.c */
int l1_shadow_init(l1_shadow *s, uint32_t max);
void l1_shadow_free(l1_shadow *s);
void l1_shadow_reset(l1_shadow *s, uint32_t cap);
unsigned l1_shadow_ref(l1_shadow *s, uint32_t line);

#endif
