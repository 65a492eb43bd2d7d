/*
** bf_l1.c: the BF531/BF532/BF533 L1 memory (reference sections 1, 2 and 4).
**
** What it models: the L1 instruction and data SRAM, the three 16 KB SRAM/cache halves that
** IMEM_CONTROL.IMC and DMEM_CONTROL.DMC turn into the I-cache (4-way) and the D-cache banks A and
** B (2-way each), 32-byte lines, the line-fill buffer, the victim buffer, the write buffer, the
** SSYNC/CSYNC/FLUSH/FLUSHINV/IFLUSH/PREFETCH operations and the faults of illegal L1 use. Timing
** only: no data is held. Everything that leaves L1 goes to the `ext` port.
**
** Assumptions (docs/models/l1.md gives the reasons and sources):
**  1. An L1 hit or SRAM access costs hit_cycles; every other time comes from `ext`.
**  2. Write-back pages allocate on read and write misses; write-through pages allocate on reads,
**     and on writes only with AOW. A store that allocates stalls like a load (critical word).
**  3. D replacement: invalid way first (Way0 before Way1), else LRU. I replacement: among the
**     ways ILOC leaves unlocked, invalid first (Way0..Way3), else LRU among lines without
**     LRUPRIO, else LRU among lines with it. If every way is locked the fetch goes out uncached.
**     LRU is "least recently looked up": hits and fills update it, FLUSH/IFLUSH/PREFETCH hits
**     do not.
**  4. One fill in flight per cache (D and I each have a line-fill buffer). A second miss waits
**     until the fill in progress has completed. Words of the line in flight arrive in wrap order
**     from the critical 64-bit word, evenly spaced between ext's ready and done; an access to a
**     word not yet arrived waits for it.
**  5. The write buffer and the victim buffer each drain serially (one write outstanding per
**     buffer); an entry occupies its slot until ext reports the write done. Drains are issued
**     lazily but in start-time order, merged across both buffers, before any external request
**     that starts later, so `ext` sees non-decreasing issue times. Reads pass queued writes.
**  6. An uncached load wholly inside one write-buffer entry is forwarded (hit_cycles, no external
**     read). A cacheable miss is filled from memory whatever the write buffer holds.
**  7. A reference that straddles lines is one access per line touched (DineroIV), or with
**     compat=cachegrind one access and at most one miss, every touched line being looked up
**     and LRU-updated (cg_sim.c). Region, fault and uncached decisions use the first byte.
**  8. Any change of DMC or DCBS invalidates the whole D-cache, and any change of IMC the whole
**     I-cache, without write-back; queued buffer writes still drain.
**  9. An uncached instruction fetch reads whole aligned 64-bit blocks (the sequencer's fetch
**     unit): the block read last is remembered, and a fetch wholly inside it issues no external
**     read and waits only for that read to be ready. Any IMEM_CONTROL write and an IFLUSH of
**     its line forget the block; stores to it do not (self-modifying code is not modelled).
**
** Algorithm: per access, classify the first byte's region (SDRAM by one compare, else the map
** table); external memory goes through the cache named by the kind (D or I) if the page is
** cacheable and the cache is on, else out uncached; L1 regions cost hit_cycles or fault. A time
** cursor t starts at rq->now; every wait moves t and adds the same amount to one l1.stall.*
** counter, and rs->ready = t + issue cost.
**
** Invariants (bf_l1_check): a valid tag appears once per set; only valid lines are dirty; buffer
** occupancy never exceeds its depth; issued buffer entries precede unissued ones, with
** non-decreasing done times; ext issue times never decrease.
*/
#include "bf_hmem.h"
#include "bf_l1.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define BF_STAT_STRUCT bf_l1_stats
const bf_stat_desc bf_l1_stat_desc[] = {BF_L1_STATS(BF_STAT_DESC)};
const size_t bf_l1_stat_count = BF_ARRAY_SIZE(bf_l1_stat_desc);
#undef BF_STAT_STRUCT

/* Geometry: CONFIRMED in reference section 2 (fixed by the silicon, not configuration). */
enum {
    L1_LINE_SHIFT = 5, /* 32-byte lines */
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
    L1_SDRAM_MAX = 128u << 20
};
_Static_assert(L1_DSETS *L1_DWAYS *L1_LINE_BYTES == 16384, "D bank is 16 KB");
_Static_assert((int)L1_DSETS == (int)BF_L1_DSETS && (int)L1_DWAYS == (int)BF_L1_DWAYS &&
                   (int)L1_DBANKS == (int)BF_L1_DBANKS && (int)L1_ISETS == (int)BF_L1_ISETS &&
                   (int)L1_IWAYS == (int)BF_L1_IWAYS,
               "bf_l1_set_stats has the model's geometry");
_Static_assert(L1_ISETS *L1_IWAYS *L1_LINE_BYTES == 16384, "I-cache is 16 KB");
_Static_assert((4 << L1_DLO_BITS) == L1_DSETS, "sub-banks times D line index give the D sets");
_Static_assert((4 << L1_ILO_BITS) == L1_ISETS, "sub-banks times I line index give the I sets");

/* DMEM_CONTROL / IMEM_CONTROL fields (reference section 2). */
#define L1_DMC(v) (((v) >> 2) & 3u)
#define L1_DCBS(v) (((v) >> 4) & 1u)
#define L1_IMC(v) (((v) >> 2) & 1u)
#define L1_ILOC(v) (((v) >> 3) & 0xFu)
#define L1_LRUPRIORST(v) (((v) >> 13) & 1u)

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
    int dprev_miss, iprev_miss; /* compat: the last counted reference missed (for BF_REQ_CONT) */
    int dprev_bank;             /* compat: bank the last D reference was counted in */
    l1_fillbuf dfb, ifb;
    bf_addr ufetch_block;     /* aligned 64-bit block of the last uncached fetch (~0u: none) */
    bf_cycles ufetch_ready;   /* when that block's read was ready */
    l1_buf wb, vb;
    bf_cycles ext_last;
    uint32_t ext_clamps; /* times an issue had to be moved forward (bf_l1_check reports it) */
    l1_shadow dsh, ish;
    bf_hazard *hz;     /* coherency hazard detector, or NULL (no stale flag is ever set) */
    uint32_t pend;     /* 1 + slot of a stale line the current access read, 0 if none */
    bf_addr pend_addr; /* its address */
    bf_l1_set_stats *ss; /* per-slot fills/evictions, or NULL (the usual case) */
    l1_line dline[L1_DBANKS][L1_DSETS * L1_DWAYS];
    l1_line iline[L1_ISETS * L1_IWAYS];
};

/* offsetof of each region's counter, in bf_region order */
static const size_t l1_rgn_off[BF_RGN_COUNT] = {
    offsetof(bf_l1_stats, rgn_reserved),        offsetof(bf_l1_stats, rgn_sdram),
    offsetof(bf_l1_stats, rgn_async0),          offsetof(bf_l1_stats, rgn_async1),
    offsetof(bf_l1_stats, rgn_async2),          offsetof(bf_l1_stats, rgn_async3),
    offsetof(bf_l1_stats, rgn_bootrom),         offsetof(bf_l1_stats, rgn_l1_data_a),
    offsetof(bf_l1_stats, rgn_l1_data_a_cache), offsetof(bf_l1_stats, rgn_l1_data_b),
    offsetof(bf_l1_stats, rgn_l1_data_b_cache), offsetof(bf_l1_stats, rgn_l1_inst),
    offsetof(bf_l1_stats, rgn_l1_inst_cache),   offsetof(bf_l1_stats, rgn_scratch),
    offsetof(bf_l1_stats, rgn_sys_mmr),         offsetof(bf_l1_stats, rgn_core_mmr)};
_Static_assert(BF_RGN_COUNT == 16, "one region counter per bf_region");

static inline bf_cycles l1_max(bf_cycles a, bf_cycles b)
{
    return a > b ? a : b;
}

/* ---------------------------------------------------------------- configuration */

void bf_l1_config_default(bf_l1_config *c)
{
    memset(c, 0, sizeof *c);
    c->part = BF_PART_BF533;
    c->dmem_control = 0x00001001u | (3u << 2) | (1u << 1); /* reset value, DMC=11, ENDCPLB */
    c->imem_control = 0x00000001u | (1u << 2) | (1u << 1); /* ENIM, IMC, ENICPLB */
    c->sdram_bytes = 32u << 20;
    c->index_mode = BF_L1_INDEX_BLACKFIN;
    c->compat = BF_L1_COMPAT_NONE;
    c->default_attrs = BF_REQ_CACHEABLE; /* write-back, cacheable */
    c->hit_cycles = 1;
    c->wbuf_depth = 6;
    c->victim_depth = 1;
    c->critical_word_first = 1;
    c->csync_cycles = 10;
    c->ssync_cycles = 10;
    c->cacheop_cycles = 1;
    c->classify_misses = 0;
    c->core_mmr_cycles = 1;
}

static const char *l1_check_dmem(int part, uint32_t v)
{
    if (L1_DMC(v) == 1)
        return "dmem_control: DMC=01 is reserved (use 00, 10 or 11)";
    if (L1_DMC(v) == 3 && part == BF_PART_BF531)
        return "dmem_control: DMC=11 caches data bank B, which the BF531 does not have";
    return NULL;
}

const char *bf_l1_config_check(const bf_l1_config *c)
{
    if (c->part < BF_PART_BF531 || c->part > BF_PART_BF533)
        return "part: not bf531, bf532 or bf533";
    const char *m = l1_check_dmem(c->part, c->dmem_control);
    if (m)
        return m;
    if (c->sdram_bytes > L1_SDRAM_MAX)
        return "sdram_bytes: more than the 128 MB SDRAM window";
    if (c->index_mode != BF_L1_INDEX_BLACKFIN && c->index_mode != BF_L1_INDEX_BITSEL)
        return "index_mode: not blackfin or bitsel";
    if (c->compat != BF_L1_COMPAT_NONE && c->compat != BF_L1_COMPAT_CACHEGRIND)
        return "compat: not none or cachegrind";
    if (c->default_attrs & ~(uint32_t)L1_ATTR_MASK)
        return "default_attrs: only CACHEABLE, WT, AOW and LRUPRIO may be set";
    if (c->hit_cycles < 1)
        return "hit_cycles: must be at least 1";
    if (c->wbuf_depth < 1 || c->wbuf_depth > L1_MAX_WBUF)
        return "wbuf_depth: must be 1..64 entries";
    if (c->victim_depth < 1 || c->victim_depth > L1_MAX_VICTIM)
        return "victim_depth: must be 1..16 lines";
    if (c->critical_word_first != 0 && c->critical_word_first != 1)
        return "critical_word_first: must be 0 or 1";
    if (c->dcbs_set_bank_a != 0 && c->dcbs_set_bank_a != 1)
        return "dcbs_set_bank_a: must be 0 or 1";
    if (c->classify_misses != 0 && c->classify_misses != 1)
        return "classify_misses: must be 0 or 1";
    return NULL;
}

/* ---------------------------------------------------------------- classification shadow */

static int l1_shadow_init(l1_shadow *s, uint32_t max)
{
    memset(s, 0, sizeof *s);
    s->max = max;
    s->hbits = 1;
    while ((1u << s->hbits) < 2 * max)
        s->hbits++;
    s->node = bf_malloc(sizeof *s->node * max);
    s->bucket = bf_malloc(sizeof *s->bucket << s->hbits);
    s->seen = bf_calloc((size_t)1 << (32 - L1_LINE_SHIFT - 6), sizeof *s->seen);
    if (!s->node || !s->bucket || !s->seen)
        return BF_ENOMEM;
    return BF_OK;
}

static void l1_shadow_free(l1_shadow *s)
{
    free(s->node);
    free(s->bucket);
    free(s->seen);
}

/* Empty the FA part (the cache was invalidated), keep `seen`; cap = lines of the real cache. */
static void l1_shadow_reset(l1_shadow *s, uint32_t cap)
{
    if (!s->node)
        return;
    s->cap = cap < s->max ? cap : s->max;
    s->count = 0;
    s->mru = s->lru = L1_NIL;
    for (uint32_t i = 0; i < (1u << s->hbits); i++)
        s->bucket[i] = L1_NIL;
}

static inline uint32_t l1_hash(const l1_shadow *s, uint32_t line)
{
    return (uint32_t)(line * 2654435761u) >> (32 - s->hbits);
}

static void l1_shadow_unlink(l1_shadow *s, uint32_t n)
{
    l1_snode *x = &s->node[n];
    if (x->prev != L1_NIL)
        s->node[x->prev].next = x->next;
    else
        s->mru = x->next;
    if (x->next != L1_NIL)
        s->node[x->next].prev = x->prev;
    else
        s->lru = x->prev;
}

static void l1_shadow_push_mru(l1_shadow *s, uint32_t n)
{
    l1_snode *x = &s->node[n];
    x->prev = L1_NIL;
    x->next = s->mru;
    if (s->mru != L1_NIL)
        s->node[s->mru].prev = n;
    s->mru = n;
    if (s->lru == L1_NIL)
        s->lru = n;
}

/* Reference `line`; returns bit 0 = FA LRU miss, bit 1 = first reference ever. */
static unsigned l1_shadow_ref(l1_shadow *s, uint32_t line)
{
    uint64_t bit = 1ull << (line & 63);
    unsigned first = !(s->seen[line >> 6] & bit);
    s->seen[line >> 6] |= bit;
    uint32_t h = l1_hash(s, line);
    for (uint32_t n = s->bucket[h]; n != L1_NIL; n = s->node[n].hnext) {
        if (s->node[n].line == line) {
            if (s->mru != n) {
                l1_shadow_unlink(s, n);
                l1_shadow_push_mru(s, n);
            }
            return first << 1;
        }
    }
    uint32_t n;
    if (s->count < s->cap) {
        n = s->count++;
    } else {
        n = s->lru;
        l1_shadow_unlink(s, n);
        uint32_t *pp = &s->bucket[l1_hash(s, s->node[n].line)];
        while (*pp != n)
            pp = &s->node[*pp].hnext;
        *pp = s->node[n].hnext;
    }
    s->node[n].line = line;
    s->node[n].hnext = s->bucket[h];
    s->bucket[h] = n;
    l1_shadow_push_mru(s, n);
    return 1u | (first << 1);
}

/* Class of a real miss: 0 compulsory, 1 capacity, 2 conflict. */
static inline int l1_miss_class(unsigned shadow_bits)
{
    return (shadow_bits & 2) ? 0 : (shadow_bits & 1) ? 1 : 2;
}

/* ---------------------------------------------------------------- runtime state from registers */

static void l1_invalidate(l1_line *l, size_t n, uint64_t *dirty_dropped)
{
    for (size_t i = 0; i < n; i++) {
        *dirty_dropped += l[i].tag != L1_NOTAG && l[i].dirty;
        l[i].tag = L1_NOTAG;
        l[i].dirty = 0;
        l[i].prio = 0;
        l[i].stale = 0;
        l[i].stamp = 0;
    }
}

static void l1_apply_dmem(bf_l1 *l1, uint32_t v)
{
    uint32_t dmc = L1_DMC(v);
    l1->dmem = v;
    l1->dbanks = dmc == 3 ? 2 : dmc == 2 ? 1 : 0;
    l1->bank_shift = L1_DCBS(v) ? L1_DCBS1_BIT : L1_DCBS0_BIT;
    l1->bank_mask = l1->dbanks == 2 ? 1u : 0u;
    l1->bank_flip = l1->bank_mask & (uint32_t)l1->cfg.dcbs_set_bank_a;
}

static void l1_apply_imem(bf_l1 *l1, uint32_t v)
{
    l1->imem = v;
    l1->ion = (int)L1_IMC(v);
    l1->ilock = L1_ILOC(v);
    if (L1_LRUPRIORST(v))
        for (size_t i = 0; i < BF_ARRAY_SIZE(l1->iline); i++)
            l1->iline[i].prio = 0;
}

static void l1_make_index(l1_index *x, int mode, uint32_t sets, uint32_t lo_bits)
{
    if (mode == BF_L1_INDEX_BITSEL) {
        x->lo_mask = sets - 1;
        x->lo_bits = 0;
        x->hi_mask = 0;
    } else {
        x->lo_mask = (1u << lo_bits) - 1;
        x->lo_bits = lo_bits;
        x->hi_mask = 3;
    }
}

static inline uint32_t l1_set(const l1_index *x, bf_addr a)
{
    return ((a >> L1_LINE_SHIFT) & x->lo_mask) |
           (((a >> L1_SUBBANK_SHIFT) & x->hi_mask) << x->lo_bits);
}

int bf_l1_create(const bf_l1_config *c, bf_port ext, bf_l1_stats *stats, bf_l1 **out)
{
    assert(c && out);
    *out = NULL;
    if (bf_l1_config_check(c) || !ext.xfer)
        return BF_ECONFIG;
    bf_l1 *l1 = bf_calloc(1, sizeof *l1);
    if (!l1)
        return BF_ENOMEM;
    l1->cfg = *c;
    l1->ext = ext;
    l1->st = stats ? stats : &l1->dummy;
    l1_invalidate(&l1->dline[0][0], (size_t)L1_DBANKS * L1_DSETS * L1_DWAYS,
                  &l1->dummy.dinval_dirty);
    l1_invalidate(l1->iline, BF_ARRAY_SIZE(l1->iline), &l1->dummy.dinval_dirty);
    l1->dfb.line = l1->ifb.line = L1_NOTAG;
    l1->ufetch_block = ~(bf_addr)0;
    l1->wb.depth = c->wbuf_depth;
    l1->wb.source = BF_SRC_WBUF;
    l1->vb.depth = c->victim_depth;
    l1->vb.source = BF_SRC_VICTIM;
    l1_make_index(&l1->dix, c->index_mode, L1_DSETS, L1_DLO_BITS);
    l1_make_index(&l1->iix, c->index_mode, L1_ISETS, L1_ILO_BITS);
    if (c->classify_misses) {
        if (l1_shadow_init(&l1->dsh, L1_DBANKS * L1_DSETS * L1_DWAYS) ||
            l1_shadow_init(&l1->ish, L1_ISETS * L1_IWAYS)) {
            bf_l1_destroy(l1);
            return BF_ENOMEM;
        }
        l1_shadow_reset(&l1->ish, L1_ISETS * L1_IWAYS);
    }
    l1_apply_dmem(l1, c->dmem_control);
    l1_apply_imem(l1, c->imem_control);
    l1_shadow_reset(&l1->dsh, l1->dbanks * L1_DSETS * L1_DWAYS);
    *out = l1;
    return BF_OK;
}

void bf_l1_destroy(bf_l1 *l1)
{
    if (!l1)
        return;
    l1_shadow_free(&l1->dsh);
    l1_shadow_free(&l1->ish);
    free(l1);
}

int bf_l1_write_dmem_control(bf_l1 *l1, uint32_t value, bf_cycles now)
{
    (void)now; /* the invalidation is instantaneous; buffered writes keep draining */
    if (l1_check_dmem(l1->cfg.part, value))
        return BF_EINPUT;
    /* DCBS only matters with both banks cache */
    int changed = L1_DMC(value) != L1_DMC(l1->dmem) ||
                  (L1_DMC(value) == 3 && L1_DCBS(value) != L1_DCBS(l1->dmem));
    l1_apply_dmem(l1, value);
    if (changed) {
        l1_invalidate(&l1->dline[0][0], (size_t)L1_DBANKS * L1_DSETS * L1_DWAYS,
                      &l1->st->dinval_dirty);
        l1->st->dinval++;
        l1_shadow_reset(&l1->dsh, l1->dbanks * L1_DSETS * L1_DWAYS);
    }
    return BF_OK;
}

int bf_l1_write_imem_control(bf_l1 *l1, uint32_t value, bf_cycles now)
{
    (void)now;
    if ((value ^ l1->imem) & (1u << 2)) {
        uint64_t ignored = 0;
        l1_invalidate(l1->iline, BF_ARRAY_SIZE(l1->iline), &ignored);
        l1->st->iinval++;
        l1_shadow_reset(&l1->ish, L1_ISETS * L1_IWAYS);
    }
    l1_apply_imem(l1, value);
    l1->ufetch_block = ~(bf_addr)0;
    return BF_OK;
}

/* ---------------------------------------------------------------- external port and buffers */

static int l1_ext(bf_l1 *l1, bf_cycles t, bf_addr a, uint32_t size, int kind, int src, bf_resp *rs)
{
    if (t < l1->ext_last) {
        t = l1->ext_last;
        l1->ext_clamps++;
    }
    l1->ext_last = t;
    bf_req rq;
    memset(&rq, 0, sizeof rq);
    rq.addr = a;
    rq.size = size;
    rq.kind = (uint8_t)kind;
    rq.source = (uint8_t)src;
    rq.now = t;
    memset(rs, 0, sizeof *rs);
    int rc = bf_port_xfer(&l1->ext, &rq, rs);
    if (rs->ready < t)
        rs->ready = t;
    if (rs->done < rs->ready)
        rs->done = rs->ready;
    return rc;
}

/* Start time of the buffer's next unissued entry; 0 if it has none. */
static inline int l1_buf_next(const l1_buf *b, bf_cycles *start)
{
    if (b->issued == b->count)
        return 0;
    const l1_went *e = &b->ent[(b->head + b->issued) % L1_MAX_WBUF];
    *start = l1_max(e->enq, b->last_done);
    return 1;
}

static int l1_buf_issue(bf_l1 *l1, l1_buf *b, bf_cycles start)
{
    l1_went *e = &b->ent[(b->head + b->issued) % L1_MAX_WBUF];
    bf_resp rs;
    int rc = l1_ext(l1, start, e->addr, e->size, BF_ACC_WRITE, b->source, &rs);
    e->done = rs.done;
    b->last_done = rs.done;
    b->issued++;
    if (b->source == BF_SRC_WBUF)
        l1->st->wbuf_drains++;
    else
        l1->st->victim_drains++;
    return rc;
}

/* Issue the earliest pending drain of either buffer if it starts before `limit`; 1 if issued. */
static int l1_drain_one(bf_l1 *l1, bf_cycles limit, int *rc)
{
    bf_cycles sw = 0, sv = 0;
    int hw = l1_buf_next(&l1->wb, &sw), hv = l1_buf_next(&l1->vb, &sv);
    if (hw && (!hv || sw <= sv) && sw < limit) {
        *rc |= l1_buf_issue(l1, &l1->wb, sw);
        return 1;
    }
    if (hv && sv < limit) {
        *rc |= l1_buf_issue(l1, &l1->vb, sv);
        return 1;
    }
    return 0;
}

/* Issue every drain that would start before t (call before any external request at t). */
static inline int l1_drain_before(bf_l1 *l1, bf_cycles t)
{
    int rc = BF_OK;
    while (l1_drain_one(l1, t, &rc))
        ;
    return rc;
}

static void l1_buf_retire(l1_buf *b, bf_cycles t)
{
    while (b->issued && b->ent[b->head].done <= t) {
        b->used -= b->ent[b->head].units;
        b->head = (b->head + 1) % L1_MAX_WBUF;
        b->count--;
        b->issued--;
    }
}

/* Wait at *t until `units` slots are free in b; the wait goes to *stall. */
static int l1_buf_room(bf_l1 *l1, l1_buf *b, uint32_t units, bf_cycles *t, uint64_t *stall,
                       uint64_t *full_events)
{
    int rc = l1_drain_before(l1, *t);
    l1_buf_retire(b, *t);
    if (b->used + units <= b->depth)
        return rc;
    (*full_events)++;
    bf_cycles t0 = *t;
    while (b->used + units > b->depth) {
        while (b->issued == 0)
            l1_drain_one(l1, (bf_cycles)-1, &rc);
        *t = l1_max(*t, b->ent[b->head].done);
        l1_buf_retire(b, *t);
    }
    *stall += *t - t0;
    return rc;
}

static void l1_buf_push(l1_buf *b, bf_addr a, uint32_t size, uint32_t units, bf_cycles t)
{
    l1_went *e = &b->ent[(b->head + b->count) % L1_MAX_WBUF];
    e->addr = a;
    e->size = size;
    e->units = units;
    e->enq = t;
    e->done = 0;
    b->count++;
    b->used += units;
}

/* Issue everything; returns the completion time of the last write (or t if none). */
static int l1_drain_all(bf_l1 *l1, bf_cycles t, bf_cycles *done)
{
    int rc = BF_OK;
    while (l1_drain_one(l1, (bf_cycles)-1, &rc))
        ;
    bf_cycles d = t;
    if (l1->wb.count)
        d = l1_max(d, l1->wb.last_done);
    if (l1->vb.count)
        d = l1_max(d, l1->vb.last_done);
    l1_buf_retire(&l1->wb, d);
    l1_buf_retire(&l1->vb, d);
    *done = d;
    return rc;
}

static inline uint32_t l1_dslot(const bf_l1 *l1, const l1_line *L)
{
    return (uint32_t)(L - &l1->dline[0][0]);
}

static inline uint32_t l1_islot(const bf_l1 *l1, const l1_line *L)
{
    return BF_HAZARD_DSLOTS + (uint32_t)(L - l1->iline);
}

/* Hazard detection: a core store of [a, a+size) reaches memory (write buffer, or the write-back
** of D slot `from`): every valid I-cache line over it becomes stale. */
static void l1_core_wrote(bf_l1 *l1, bf_addr a, uint32_t size, uint32_t from)
{
    if (!l1->ion)
        return;
    uint32_t last = (uint32_t)(((uint64_t)a + (size ? size : 1) - 1) >> L1_LINE_SHIFT);
    for (uint32_t ln = a >> L1_LINE_SHIFT; ln <= last; ln++) {
        l1_line *s = &l1->iline[l1_set(&l1->iix, ln << L1_LINE_SHIFT) * L1_IWAYS];
        for (int w = 0; w < L1_IWAYS; w++) {
            if (s[w].tag == ln) {
                s[w].stale |= L1_STALE;
                bf_hazard_core_wrote(l1->hz, l1_islot(l1, &s[w]), from);
            }
        }
    }
}

/* A store of size bytes at a into the write buffer at *t (stalls if full). */
static int l1_wbuf_store(bf_l1 *l1, bf_addr a, uint32_t size, bf_cycles *t)
{
    if (l1->hz)
        l1_core_wrote(l1, a, size, BF_HAZARD_SLOTS);
    uint32_t words = ((a & (L1_WORD_BYTES - 1)) + size + L1_WORD_BYTES - 1) / L1_WORD_BYTES;
    if (words > l1->wb.depth)
        words = l1->wb.depth;
    int rc = l1_buf_room(l1, &l1->wb, words, t, &l1->st->stall_wbuf_full, &l1->st->wbuf_full);
    l1_buf_push(&l1->wb, a, size, words, *t);
    l1->st->wbuf_entries++;
    return rc;
}

/* A dirty line into the victim buffer at *t (stalls if full). */
static int l1_victim(bf_l1 *l1, uint32_t line, bf_cycles *t)
{
    int rc = l1_buf_room(l1, &l1->vb, 1, t, &l1->st->stall_victim_full, &l1->st->victim_full);
    l1_buf_push(&l1->vb, line << L1_LINE_SHIFT, L1_LINE_BYTES, 1, *t);
    l1->st->dwritebacks++;
    return rc;
}

/* Write dirty D line L back (eviction, FLUSH, FLUSHINV) through the victim buffer. Memory then
** equals the line: its stale flags clear, after a lost_write for each DMA write it destroys. */
static int l1_writeback(bf_l1 *l1, l1_line *L, bf_cycles *t)
{
    int rc = l1_victim(l1, L->tag, t);
    if (l1->hz) {
        if (L->stale & L1_LOST)
            bf_hazard_writeback(l1->hz, l1_dslot(l1, L), L->tag << L1_LINE_SHIFT);
        l1_core_wrote(l1, L->tag << L1_LINE_SHIFT, L1_LINE_BYTES, l1_dslot(l1, L));
    }
    L->dirty = 0;
    L->stale = 0;
    return rc;
}

/* ---------------------------------------------------------------- line fills */

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

/* Start the fill of the line of `a` (the fill buffer is free at *t): issue the drains that start
** earlier, then request the line with its critical word first. */
static int l1_fill(bf_l1 *l1, l1_fillbuf *fb, bf_addr a, int kind, bf_cycles *t)
{
    int rc = l1_drain_before(l1, *t);
    bf_addr base = a & ~(bf_addr)(L1_LINE_BYTES - 1);
    bf_resp rs;
    rc |= l1_ext(l1, *t, l1->cfg.critical_word_first ? a : base, L1_LINE_BYTES, kind, BF_SRC_FILL,
                 &rs);
    fb->line = a >> L1_LINE_SHIFT;
    fb->crit = l1->cfg.critical_word_first ? (a >> L1_WORD_SHIFT) & (L1_LINE_WORDS - 1) : 0;
    fb->ready = l1->cfg.critical_word_first ? rs.ready : rs.done;
    fb->done = rs.done;
    return rc;
}

/* ---------------------------------------------------------------- D-cache */

static inline l1_line *l1_dset(bf_l1 *l1, bf_addr a, uint32_t *bank)
{
    *bank = ((a >> l1->bank_shift) & l1->bank_mask) ^ l1->bank_flip;
    return &l1->dline[*bank][l1_set(&l1->dix, a) * L1_DWAYS];
}

static inline l1_line *l1_dfind(l1_line *s, uint32_t line)
{
    for (int w = 0; w < L1_DWAYS; w++)
        if (s[w].tag == line)
            return &s[w];
    return NULL;
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

/* Replace slot v by the line of a: evict (victim buffer if dirty), fill. */
static int l1_dallocate(bf_l1 *l1, l1_line *v, bf_addr a, bf_cycles *t)
{
    int rc = BF_OK;
    l1_fill_wait(l1, &l1->dfb, t);
    if (l1->ss) {
        size_t k = l1_dslot(l1, v);
        l1->ss->dfills[k]++;
        l1->ss->devictions[k] += v->tag != L1_NOTAG;
    }
    if (v->tag != L1_NOTAG) {
        l1->st->devictions++;
        if (v->dirty)
            rc |= l1_writeback(l1, v, t);
    }
    rc |= l1_fill(l1, &l1->dfb, a, BF_ACC_READ, t);
    v->tag = a >> L1_LINE_SHIFT;
    v->dirty = 0;
    v->stale = 0;
    v->stamp = ++l1->dclock;
    l1->st->dfills++;
    return rc;
}

/* One line of a cacheable data reference. Returns 1 on miss; *bank and *cls (miss class, or -1)
** are set for the caller's counting. */
static int l1_dline(bf_l1 *l1, bf_addr a, int write, uint32_t attrs, bf_cycles *t, int *rc,
                    uint32_t *bank, int *cls)
{
    uint32_t line = a >> L1_LINE_SHIFT;
    l1_line *s = l1_dset(l1, a, bank);
    unsigned sh = l1->dsh.node ? l1_shadow_ref(&l1->dsh, line) : 0;
    l1_line *L = l1_dfind(s, line);
    if (L) {
        L->stamp = ++l1->dclock;
        if (write & !(attrs & BF_REQ_WT) & !L->dirty) {
            L->dirty = 1;
            if (l1->hz)
                bf_hazard_dirtied(l1->hz, l1_dslot(l1, L));
        }
        if ((L->stale & L1_STALE) && !write && !l1->pend) { /* one report per access */
            l1->pend = 1 + l1_dslot(l1, L);
            l1->pend_addr = a;
        }
        l1_wait_inflight(l1, &l1->dfb, line, a, t);
        *cls = -1;
        return 0;
    }
    *cls = l1->dsh.node ? l1_miss_class(sh) : -1;
    if (write && (attrs & (BF_REQ_WT | BF_REQ_AOW)) == BF_REQ_WT) {
        l1->st->dnoalloc_writes++;
        return 1; /* no allocation; the store goes to the write buffer */
    }
    L = l1_dvictim(s);
    *rc |= l1_dallocate(l1, L, a, t);
    L->dirty = (uint8_t)(write & !(attrs & BF_REQ_WT));
    if (L->dirty && l1->hz)
        bf_hazard_dirtied(l1->hz, l1_dslot(l1, L));
    bf_cycles ready = l1->dfb.ready;
    if (ready > *t) {
        l1->st->stall_fill += ready - *t;
        *t = ready;
    }
    return 1;
}

static void l1_dclass(bf_l1_stats *st, int cls)
{
    if (cls == 0)
        st->dmiss_comp++;
    else if (cls == 1)
        st->dmiss_cap++;
    else if (cls == 2)
        st->dmiss_conf++;
}

static void l1_iclass(bf_l1_stats *st, int cls)
{
    if (cls == 0)
        st->imiss_comp++;
    else if (cls == 1)
        st->imiss_cap++;
    else if (cls == 2)
        st->imiss_conf++;
}

/* Line number of the last byte of [a, a + size), not past the top of the address space. */
static inline uint32_t l1_last_line(bf_addr a, uint32_t size)
{
    uint64_t end = (uint64_t)a + (size ? size : 1) - 1;
    return (uint32_t)((end > 0xFFFFFFFFu ? 0xFFFFFFFFu : end) >> L1_LINE_SHIFT);
}

/* Count one D-cache access (a line, or with compat=cachegrind a whole reference). */
static inline void l1_dcount(bf_l1_stats *st, int write, uint32_t bank, int m, int cls)
{
    uint64_t *acc = write ? &st->dwrites : &st->dreads;
    uint64_t *mis = write ? &st->dwrite_misses : &st->dread_misses;
    uint64_t *hit = write ? &st->dwrite_hits : &st->dread_hits;
    (*acc)++;
    *mis += (uint64_t)m;
    *hit += (uint64_t)!m;
    if (bank) {
        st->bank_b_accesses++;
        st->bank_b_misses += (uint64_t)m;
    } else {
        st->bank_a_accesses++;
        st->bank_a_misses += (uint64_t)m;
    }
    l1_dclass(st, cls);
}

/* A cacheable data reference: each line touched is looked up in order (assumption 7). */
static int l1_data_cached(bf_l1 *l1, const bf_req *rq, uint32_t attrs, bf_cycles *t, int *miss)
{
    int write = rq->kind == BF_ACC_WRITE;
    uint32_t size = rq->size ? rq->size : 1;
    bf_addr a = rq->addr;
    uint32_t first = a >> L1_LINE_SHIFT, last = l1_last_line(a, size);
    int per_line = l1->cfg.compat == BF_L1_COMPAT_NONE;
    int rc = BF_OK, any = 0, any_cls = -1, cls;
    uint32_t bank, bank0 = 0;
    for (uint32_t ln = first;; ln++) {
        bf_addr la = ln == first ? a : (bf_addr)ln << L1_LINE_SHIFT;
        int m = l1_dline(l1, la, write, attrs, t, &rc, &bank, &cls);
        if (ln == first)
            bank0 = bank;
        if (m && !any)
            any_cls = cls;
        any |= m;
        if (per_line)
            l1_dcount(l1->st, write, bank, m, cls);
        if (ln == last)
            break;
    }
    if (!per_line) {
        if (rq->flags & BF_REQ_CONT) {
            /* the rest of the previous reference (cut by a trace mapping window): Cachegrind saw
            ** one reference, so it is not a new access and adds a miss only if the first part
            ** was counted as a hit */
            if (any && !l1->dprev_miss) {
                bf_l1_stats *st = l1->st;
                (*(write ? &st->dwrite_hits : &st->dread_hits))--;
                (*(write ? &st->dwrite_misses : &st->dread_misses))++;
                if (l1->dprev_bank)
                    st->bank_b_misses++;
                else
                    st->bank_a_misses++;
                l1_dclass(st, any_cls);
                l1->dprev_miss = 1;
            }
        } else {
            l1_dcount(l1->st, write, bank0, any, any_cls);
            l1->dprev_miss = any;
            l1->dprev_bank = (int)bank0;
        }
    }
    *miss = any;
    if (l1->pend) {
        bf_hazard_stale_hit(l1->hz, l1->pend - 1, l1->pend_addr);
        l1->pend = 0;
    }
    if (write && (attrs & BF_REQ_WT)) {
        *miss = 1; /* the store goes outside */
        l1->st->dwt_stores++;
        rc |= l1_wbuf_store(l1, a, size, t);
    }
    return rc;
}

/* ---------------------------------------------------------------- I-cache */

/* Replacement among unlocked ways: invalid first by way number, else LRU of the lines without
** LRUPRIO, else LRU of the lines with it. NULL if every way is locked. */
static l1_line *l1_ivictim(const bf_l1 *l1, l1_line *s)
{
    l1_line *lo = NULL, *hi = NULL;
    for (int w = 0; w < L1_IWAYS; w++) {
        if (l1->ilock & (1u << w))
            continue;
        if (s[w].tag == L1_NOTAG)
            return &s[w];
        l1_line **p = s[w].prio ? &hi : &lo;
        if (!*p || s[w].stamp < (*p)->stamp)
            *p = &s[w];
    }
    return lo ? lo : hi;
}

/* One line of a cacheable fetch. Returns 1 on miss, 2 on a miss fetched uncached (all locked). */
static int l1_iline(bf_l1 *l1, bf_addr a, uint32_t attrs, bf_cycles *t, int *rc, int *cls)
{
    uint32_t line = a >> L1_LINE_SHIFT;
    l1_line *s = &l1->iline[l1_set(&l1->iix, a) * L1_IWAYS];
    unsigned sh = l1->ish.node ? l1_shadow_ref(&l1->ish, line) : 0;
    for (int w = 0; w < L1_IWAYS; w++) {
        if (s[w].tag == line) {
            s[w].stamp = ++l1->iclock;
            if (s[w].stale && !l1->pend) { /* one report per fetch */
                l1->pend = 1 + l1_islot(l1, &s[w]);
                l1->pend_addr = a;
            }
            l1_wait_inflight(l1, &l1->ifb, line, a, t);
            *cls = -1;
            return 0;
        }
    }
    *cls = l1->ish.node ? l1_miss_class(sh) : -1;
    l1_line *v = l1_ivictim(l1, s);
    if (!v)
        return 2;
    l1_fill_wait(l1, &l1->ifb, t);
    if (l1->ss) {
        size_t k = (size_t)(v - l1->iline);
        l1->ss->ifills[k]++;
        l1->ss->ievictions[k] += v->tag != L1_NOTAG;
    }
    if (v->tag != L1_NOTAG)
        l1->st->ievictions++;
    *rc |= l1_fill(l1, &l1->ifb, a, BF_ACC_IFETCH, t);
    v->tag = line;
    v->stale = 0;
    v->prio = (uint8_t)((attrs & BF_REQ_LRUPRIO) && !L1_LRUPRIORST(l1->imem));
    v->stamp = ++l1->iclock;
    l1->st->ifills++;
    if (l1->ifb.ready > *t) {
        l1->st->stall_fill += l1->ifb.ready - *t;
        *t = l1->ifb.ready;
    }
    return 1;
}

static int l1_uncached_read(bf_l1 *l1, const bf_req *rq, int kind, bf_cycles *t, int *fwd);

static inline void l1_icount(bf_l1_stats *st, int m, int cls)
{
    st->ifetches++;
    st->imisses += (uint64_t)m;
    st->ihits += (uint64_t)!m;
    l1_iclass(st, cls);
}

/* A cacheable fetch: each line touched is looked up in order (assumption 7). */
static int l1_fetch_cached(bf_l1 *l1, const bf_req *rq, uint32_t attrs, bf_cycles *t, int *miss)
{
    bf_addr a = rq->addr;
    uint32_t first = a >> L1_LINE_SHIFT, last = l1_last_line(a, rq->size);
    int per_line = l1->cfg.compat == BF_L1_COMPAT_NONE;
    int rc = BF_OK, cls, bypass = 0, any = 0, any_cls = -1;
    for (uint32_t ln = first;; ln++) {
        bf_addr la = ln == first ? a : (bf_addr)ln << L1_LINE_SHIFT;
        int m = l1_iline(l1, la, attrs, t, &rc, &cls);
        bypass |= m == 2;
        if (m && !any)
            any_cls = cls;
        any |= m != 0;
        if (per_line)
            l1_icount(l1->st, m != 0, cls);
        if (ln == last)
            break;
    }
    if (!per_line) {
        if (rq->flags & BF_REQ_CONT) { /* see l1_data_cached */
            if (any && !l1->iprev_miss) {
                l1->st->ihits--;
                l1->st->imisses++;
                l1_iclass(l1->st, any_cls);
                l1->iprev_miss = 1;
            }
        } else {
            l1_icount(l1->st, any, any_cls);
            l1->iprev_miss = any;
        }
    }
    *miss = any;
    if (l1->pend) {
        bf_hazard_stale_hit(l1->hz, l1->pend - 1, l1->pend_addr);
        l1->pend = 0;
    }
    if (bypass) {
        l1->st->ilocked_bypass++;
        int fwd;
        rc |= l1_uncached_read(l1, rq, BF_ACC_IFETCH, t, &fwd);
    }
    return rc;
}

/* ---------------------------------------------------------------- uncached, SRAM, faults */

/* An uncached fetch (assumption 9): each aligned 64-bit block it touches is read once; a block
** equal to the one read last is not read again, the fetch waits for that earlier read. */
static int l1_uncached_fetch(bf_l1 *l1, const bf_req *rq, bf_cycles *t)
{
    uint32_t size = rq->size ? rq->size : 1;
    const bf_addr mask = ~(bf_addr)(L1_FETCH_BLOCK - 1);
    bf_addr b = rq->addr & mask, last = (bf_addr)(rq->addr + size - 1u) & mask;
    int rc = l1_drain_before(l1, *t);
    bf_cycles ready = *t;
    for (;; b += L1_FETCH_BLOCK) {
        if (b == l1->ufetch_block) {
            l1->st->ufetch_reused++;
            ready = l1_max(ready, l1->ufetch_ready);
        } else {
            bf_resp rs;
            rc |= l1_ext(l1, *t, b, L1_FETCH_BLOCK, BF_ACC_IFETCH, BF_SRC_CORE, &rs);
            l1->st->ufetch_blocks++;
            l1->ufetch_block = b;
            l1->ufetch_ready = rs.ready;
            ready = l1_max(ready, rs.ready);
        }
        if (b == last)
            break;
    }
    l1->st->stall_uncached += ready - *t;
    *t = ready;
    return rc;
}

/* An uncached load or fetch: forwarded from the write buffer if wholly inside one entry still
** there, else an external read the core waits for. */
static int l1_uncached_read(bf_l1 *l1, const bf_req *rq, int kind, bf_cycles *t, int *fwd)
{
    uint32_t size = rq->size ? rq->size : 1;
    *fwd = 0;
    if (kind == BF_ACC_IFETCH)
        return l1_uncached_fetch(l1, rq, t);
    int rc = l1_drain_before(l1, *t);
    {
        l1_buf *b = &l1->wb;
        l1_buf_retire(b, *t);
        for (uint32_t i = 0; i < b->count; i++) {
            const l1_went *e = &b->ent[(b->head + i) % L1_MAX_WBUF];
            if (rq->addr >= e->addr && (uint64_t)rq->addr + size <= (uint64_t)e->addr + e->size) {
                l1->st->wbuf_forwards++;
                *fwd = 1;
                return rc;
            }
        }
    }
    bf_resp rs;
    rc |= l1_ext(l1, *t, rq->addr, size, kind, BF_SRC_CORE, &rs);
    l1->st->stall_uncached += rs.ready - *t;
    *t = rs.ready;
    return rc;
}

static void l1_fault(const bf_req *rq, int fault, int excause, bf_resp *rs, bf_l1_stats *st)
{
    rs->fault = (uint8_t)fault;
    rs->excause = (uint8_t)excause;
    rs->fault_addr = rq->addr;
    st->faults++;
}

/* EXCAUSE of an instruction fetch from L1 data space: ICPLB protection violation (reference
** section 3, "Instruction fetch from other L1 space -> violation"). */
enum { L1_EXCAUSE_IPROT = 0x2B };

/* 1 if rgn is an L1 half that DMEM_CONTROL/IMEM_CONTROL currently make cache (no SRAM access). */
static int l1_is_cache_half(const bf_l1 *l1, int rgn)
{
    return (rgn == BF_RGN_L1_DATA_A_CACHE && l1->dbanks >= 1) ||
           (rgn == BF_RGN_L1_DATA_B_CACHE && l1->dbanks == 2) ||
           (rgn == BF_RGN_L1_INST_CACHE && l1->ion);
}

/* A request whose first byte is in L1, system MMR or reserved space. Returns the issue cost. */
static int l1_local(bf_l1 *l1, const bf_req *rq, int rgn, bf_cycles *t, bf_resp *rs, uint32_t *cost)
{
    bf_l1_stats *st = l1->st;
    int fetch = rq->kind == BF_ACC_IFETCH, dma = rq->source == BF_SRC_DMA;
    *cost = l1->cfg.hit_cycles;
    switch (rgn) {
    case BF_RGN_L1_DATA_A_CACHE:
    case BF_RGN_L1_DATA_B_CACHE:
        if (l1_is_cache_half(l1, rgn))
            goto illegal;
        goto data_sram;
    case BF_RGN_SCRATCH:
        if (dma)
            goto illegal;
        goto data_sram;
    case BF_RGN_L1_DATA_A:
    case BF_RGN_L1_DATA_B:
    data_sram:
        if (fetch) {
            l1_fault(rq, BF_FAULT_L1_ILLEGAL, L1_EXCAUSE_IPROT, rs, st);
            return BF_OK;
        }
        break;
    case BF_RGN_L1_INST_CACHE:
        if (l1_is_cache_half(l1, rgn))
            goto illegal;
        /* fall through */
    case BF_RGN_L1_INST:
        if (!fetch && !dma)
            goto illegal;
        break;
    case BF_RGN_CORE_MMR:
        /* served by the core-MMR stage in front of L1 (sim/bf_memsys.c), never here */
        return BF_EINPUT;
    case BF_RGN_SYS_MMR: /* posted through the write buffer like any uncached store */
        if (rq->kind == BF_ACC_WRITE) {
            st->uwrites++;
            return l1_wbuf_store(l1, rq->addr, rq->size ? rq->size : 1, t);
        }
        st->ureads++;
        int fwd;
        int rc = l1_uncached_read(l1, rq, rq->kind, t, &fwd);
        rs->hit = (uint8_t)fwd;
        return rc;
    default: /* reserved */
        l1_fault(rq, BF_FAULT_HWERR_EXTERN, 0, rs, st);
        return BF_OK;
    }
    if (!dma)
        st->sram_accesses++;
    rs->hit = 1;
    return BF_OK;
illegal:
    /* a cache-configured half used as SRAM, or data access to instruction SRAM: the reference
    ** gives a hardware error for the latter; the EXCAUSE of the former is unknown (0) */
    l1_fault(rq, BF_FAULT_L1_ILLEGAL, 0, rs, st);
    return BF_OK;
}

int bf_l1_access(bf_l1 *l1, const bf_req *rq, bf_resp *rs)
{
    assert(l1 && rq && rs && rq->kind <= BF_ACC_IFETCH);
    bf_l1_stats *st = l1->st;
    bf_addr a = rq->addr;
    int rgn = a < l1->cfg.sdram_bytes ? BF_RGN_SDRAM
                                      : bf_map_region(l1->cfg.part, l1->cfg.sdram_bytes, a);
    (*(uint64_t *)((char *)st + l1_rgn_off[rgn]))++;
    memset(rs, 0, sizeof *rs);
    bf_cycles t = rq->now;
    uint32_t cost = l1->cfg.hit_cycles;
    int rc;
    if (rq->source == BF_SRC_DMA && (bf_map_is_external(rgn) || bf_map_is_mmr(rgn))) {
        /* DMA does not go through the caches or buffers: passed on, and not a core stall */
        st->dma_accesses++;
        rc = l1_drain_before(l1, t);
        rc |= l1_ext(l1, t, a, rq->size ? rq->size : 1, rq->kind, BF_SRC_DMA, rs);
        return rc;
    }
    if (bf_map_is_external(rgn)) {
        uint32_t attrs = (rq->flags & BF_REQ_ATTR_KNOWN) ? rq->flags : l1->cfg.default_attrs;
        int miss = 1, fwd = 0;
        if (rq->kind == BF_ACC_IFETCH) {
            if ((attrs & BF_REQ_CACHEABLE) && l1->ion) {
                rc = l1_fetch_cached(l1, rq, attrs, &t, &miss);
            } else {
                st->ufetches++;
                rc = l1_uncached_read(l1, rq, BF_ACC_IFETCH, &t, &fwd);
            }
        } else if ((attrs & BF_REQ_CACHEABLE) && l1->dbanks) {
            rc = l1_data_cached(l1, rq, attrs, &t, &miss);
        } else if (rq->kind == BF_ACC_WRITE) {
            st->uwrites++;
            rc = l1_wbuf_store(l1, a, rq->size ? rq->size : 1, &t);
        } else {
            st->ureads++;
            rc = l1_uncached_read(l1, rq, BF_ACC_READ, &t, &fwd);
        }
        rs->hit = (uint8_t)(!miss || fwd);
    } else {
        if (rq->source == BF_SRC_DMA)
            st->dma_accesses++;
        rc = l1_local(l1, rq, rgn, &t, rs, &cost);
    }
    rs->ready = t + cost;
    rs->done = rs->ready;
    return rc;
}

static int l1_port_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    return bf_l1_access(ctx, rq, rs);
}

bf_port bf_l1_port(bf_l1 *l1)
{
    bf_port p = {l1_port_xfer, l1};
    return p;
}

/* The fast path: a core hit on one cached line of SDRAM, counted and timed exactly as
** bf_l1_access would (region counter, lookup counters, LRU stamp, dirty bit, the wait for a word
** of the line in flight) without a request or response. Declines (0, nothing touched) whatever
** else could happen: a miss, a second line, a write-through store (it enters the write buffer),
** miss classification, and BF_REQ_CONT (the caller never passes one). */
int bf_l1_hit(bf_l1 *l1, int kind, bf_addr a, uint32_t size, uint32_t attrs, bf_cycles now,
              bf_cycles *ready)
{
    uint32_t line = a >> L1_LINE_SHIFT;
    /* one line: below sdram_bytes (<= 128 MB) a + size cannot wrap, so l1_last_line(a, size) ==
    ** line is (a mod 32) + size <= 32 */
    if (a >= l1->cfg.sdram_bytes || !(attrs & BF_REQ_CACHEABLE) ||
        (a & (L1_LINE_BYTES - 1)) + (uint64_t)size > L1_LINE_BYTES)
        return 0;
    int compat = l1->cfg.compat != BF_L1_COMPAT_NONE;
    bf_cycles t = now;
    if (kind == BF_ACC_IFETCH) {
        if (!l1->ion || l1->ish.node)
            return 0;
        l1_line *set = &l1->iline[l1_set(&l1->iix, a) * L1_IWAYS];
        int w = 0;
        while (w < L1_IWAYS && set[w].tag != line)
            w++;
        if (w == L1_IWAYS || set[w].stale) /* a stale line: the full path reports the hazard */
            return 0;
        set[w].stamp = ++l1->iclock;
        l1_wait_inflight(l1, &l1->ifb, line, a, &t);
        l1_icount(l1->st, 0, -1);
        if (compat)
            l1->iprev_miss = 0;
    } else {
        int write = kind == BF_ACC_WRITE;
        if (!l1->dbanks || l1->dsh.node || (write && (attrs & BF_REQ_WT)))
            return 0;
        uint32_t bank;
        l1_line *L = l1_dfind(l1_dset(l1, a, &bank), line);
        /* a stale line (the full path reports the hazard), or with a detector attached a store
        ** that makes a clean line dirty (the full path records when it became dirty) */
        if (!L || L->stale || (write && !L->dirty && l1->hz))
            return 0;
        L->stamp = ++l1->dclock;
        L->dirty |= (uint8_t)write;
        l1_wait_inflight(l1, &l1->dfb, line, a, &t);
        l1_dcount(l1->st, write, bank, 0, -1);
        if (compat) {
            l1->dprev_miss = 0;
            l1->dprev_bank = (int)bank;
        }
    }
    l1->st->rgn_sdram++;
    *ready = t + l1->cfg.hit_cycles;
    return 1;
}

/* ---------------------------------------------------------------- operations */

int bf_l1_op(bf_l1 *l1, int op, const bf_req *rq, bf_resp *rs)
{
    assert(l1 && rq && rs);
    bf_l1_stats *st = l1->st;
    memset(rs, 0, sizeof *rs);
    bf_cycles t = rq->now;
    bf_addr a = rq->addr;
    uint32_t line = a >> L1_LINE_SHIFT, cost = l1->cfg.cacheop_cycles, bank;
    int rc = BF_OK;
    switch (op) {
    case BF_OP_SSYNC: {
        st->op_ssync++;
        bf_cycles d;
        rc = l1_drain_all(l1, t, &d);
        /* SSYNC completes only when every outstanding system access has: line fills and
        ** PREFETCHes in flight included, not only the write and victim buffers */
        d = l1_max(d, l1_max(l1->dfb.done, l1->ifb.done));
        st->stall_ssync_drain += d - t;
        t = d;
        cost = l1->cfg.ssync_cycles;
        st->ssync_cycles += t - rq->now + cost;
        break;
    }
    case BF_OP_CSYNC:
        st->op_csync++;
        cost = l1->cfg.csync_cycles;
        st->csync_cycles += cost;
        break;
    case BF_OP_FLUSH:
    case BF_OP_FLUSHINV: {
        if (op == BF_OP_FLUSH)
            st->op_flush++;
        else
            st->op_flushinv++;
        if (!l1->dbanks)
            break;
        l1_line *L = l1_dfind(l1_dset(l1, a, &bank), line);
        if (!L)
            break;
        if (L->dirty)
            rc = l1_writeback(l1, L, &t);
        if (op == BF_OP_FLUSHINV) {
            L->tag = L1_NOTAG;
            L->stale = 0;
        }
        break;
    }
    case BF_OP_IFLUSH: {
        st->op_iflush++;
        if ((l1->ufetch_block >> L1_LINE_SHIFT) == line)
            l1->ufetch_block = ~(bf_addr)0;
        if (!l1->ion)
            break;
        l1_line *s = &l1->iline[l1_set(&l1->iix, a) * L1_IWAYS];
        for (int w = 0; w < L1_IWAYS; w++) {
            if (s[w].tag == line) {
                s[w].tag = L1_NOTAG;
                s[w].prio = 0;
                s[w].stale = 0;
                st->iflushed++;
            }
        }
        break;
    }
    case BF_OP_PREFETCH: {
        st->op_prefetch++;
        uint32_t attrs = (rq->flags & BF_REQ_ATTR_KNOWN) ? rq->flags : l1->cfg.default_attrs;
        int rgn = a < l1->cfg.sdram_bytes ? BF_RGN_SDRAM
                                          : bf_map_region(l1->cfg.part, l1->cfg.sdram_bytes, a);
        if (!l1->dbanks || !(attrs & BF_REQ_CACHEABLE) || !bf_map_is_external(rgn))
            break;
        l1_line *s = l1_dset(l1, a, &bank);
        if (l1->dsh.node)
            l1_shadow_ref(&l1->dsh, line);
        if (l1_dfind(s, line))
            break;
        rc = l1_dallocate(l1, l1_dvictim(s), a, &t);
        st->dprefetch_fills++;
        break;
    }
    default:
        return BF_EINPUT;
    }
    rs->ready = t + cost;
    rs->done = rs->ready;
    rs->hit = t == rq->now;
    return rc;
}

int bf_l1_finish(bf_l1 *l1, bf_cycles now, bf_cycles *done)
{
    int rc = l1_drain_all(l1, now, done);
    *done = l1_max(*done, l1_max(l1->dfb.done, l1->ifb.done));
    return rc;
}

/* ---------------------------------------------------------------- consistency check */

static const char *l1_check_sets(const l1_line *l, uint32_t sets, uint32_t ways, int dside)
{
    for (uint32_t s = 0; s < sets; s++) {
        const l1_line *x = &l[s * ways];
        for (uint32_t i = 0; i < ways; i++) {
            if (x[i].tag == L1_NOTAG) {
                if (x[i].dirty)
                    return "a D-cache line is dirty but invalid";
                if (x[i].stale)
                    return "a cache line is stale but invalid";
                continue;
            }
            if (!dside && x[i].dirty)
                return "an I-cache line is dirty";
            if ((x[i].stale & L1_LOST) && !x[i].dirty)
                return "a clean D-cache line holds a lost DMA write";
            for (uint32_t j = i + 1; j < ways; j++)
                if (x[j].tag == x[i].tag)
                    return dside ? "a D-cache set holds one line twice"
                                 : "an I-cache set holds one line twice";
        }
    }
    return NULL;
}

static const char *l1_check_buf(const l1_buf *b)
{
    uint32_t used = 0;
    bf_cycles prev = 0;
    if (b->count > L1_MAX_WBUF || b->issued > b->count)
        return "buffer entry counts are inconsistent";
    for (uint32_t i = 0; i < b->count; i++) {
        const l1_went *e = &b->ent[(b->head + i) % L1_MAX_WBUF];
        used += e->units;
        if (i < b->issued) {
            if (e->done < prev)
                return "buffer drains complete out of order";
            prev = e->done;
        }
    }
    if (used != b->used || used > b->depth)
        return "buffer occupancy exceeds its depth or disagrees with its entries";
    return NULL;
}

void bf_l1_set_stats_attach(bf_l1 *l1, bf_l1_set_stats *ss)
{
    l1->ss = ss;
}

const char *bf_l1_check(const bf_l1 *l1)
{
    const char *m;
    for (int b = 0; b < L1_DBANKS; b++)
        if ((m = l1_check_sets(l1->dline[b], L1_DSETS, L1_DWAYS, 1)))
            return m;
    if ((m = l1_check_sets(l1->iline, L1_ISETS, L1_IWAYS, 0)))
        return m;
    if ((m = l1_check_buf(&l1->wb)) || (m = l1_check_buf(&l1->vb)))
        return m;
    if (l1->ext_clamps)
        return "an external request was issued earlier than a previous one";
    return NULL;
}

/* ---------------------------------------------------------------- DMA and coherency hazards */

void bf_l1_set_hazard(bf_l1 *l1, bf_hazard *hz)
{
    l1->hz = hz;
}

int bf_l1_dma_fault(const bf_l1 *l1, bf_addr a)
{
    int rgn = a < l1->cfg.sdram_bytes ? BF_RGN_SDRAM
                                      : bf_map_region(l1->cfg.part, l1->cfg.sdram_bytes, a);
    if (rgn == BF_RGN_SCRATCH || l1_is_cache_half(l1, rgn))
        return BF_FAULT_L1_ILLEGAL;
    if (rgn == BF_RGN_RESERVED)
        return BF_FAULT_HWERR_EXTERN;
    return BF_FAULT_NONE;
}

void bf_l1_dma_snoop(bf_l1 *l1, bf_addr a, uint32_t size, int write, const bf_hazard_xfer *x)
{
    if (!l1->hz)
        return;
    uint32_t last = l1_last_line(a, size);
    for (uint32_t ln = a >> L1_LINE_SHIFT;; ln++) {
        bf_addr la = (bf_addr)ln << L1_LINE_SHIFT;
        uint32_t bank;
        l1_line *L = l1->dbanks ? l1_dfind(l1_dset(l1, la, &bank), ln) : NULL;
        if (L && !write && L->dirty)
            bf_hazard_dma_read_dirty(l1->hz, l1_dslot(l1, L), la, x);
        if (L && write) {
            if (L->dirty && !(L->stale & L1_LOST))
                bf_hazard_line_reset(l1->hz, l1_dslot(l1, L));
            L->stale |= (uint8_t)(L1_STALE | (L->dirty ? L1_LOST : 0u));
            bf_hazard_dma_wrote(l1->hz, l1_dslot(l1, L), la, L->dirty, x);
        }
        if (write && l1->ion) {
            l1_line *s = &l1->iline[l1_set(&l1->iix, la) * L1_IWAYS];
            for (int w = 0; w < L1_IWAYS; w++) {
                if (s[w].tag == ln) {
                    s[w].stale |= L1_STALE;
                    bf_hazard_dma_wrote(l1->hz, l1_islot(l1, &s[w]), la, 0, x);
                }
            }
        }
        if (ln == last)
            break;
    }
}

int bf_l1_dma_is_external(const bf_l1 *l1, bf_addr a)
{
    int rgn = a < l1->cfg.sdram_bytes ? BF_RGN_SDRAM
                                      : bf_map_region(l1->cfg.part, l1->cfg.sdram_bytes, a);
    return bf_map_is_external(rgn) || bf_map_is_mmr(rgn);
}

int bf_l1_drain_before(bf_l1 *l1, bf_cycles t)
{
    return l1_drain_before(l1, t);
}
