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
**  7. A reference that straddles lines is one access per line touched (DineroIV), or, when the
**     requester asks for it (BF_REQ_WHOLEREF: the replay under --compat=cachegrind), one
**     access and at most one miss, every touched line being looked up and LRU-updated
**     (cg_sim.c); a BF_REQ_CONT request continues the previous whole reference. L1 has no mode
**     for this: the counting unit is the request's. Region, fault and uncached decisions use
**     the first byte.
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
** This file is the per-access path (D-cache, I-cache, uncached/SRAM/fault handling, bf_l1_access
** and the bf_l1_hit fast path), kept in one translation unit with the inline helpers of
** bf_l1_int.h so that the lookup and LRU update compile as one unit; bf_l1_int.h lists the
** other files of the model.
**
** Invariants (bf_l1_check): a valid tag appears once per set; only valid lines are dirty; buffer
** occupancy never exceeds its depth; issued buffer entries precede unissued ones, with
** non-decreasing done times; ext issue times never decrease.
*/
#include "bf_l1_int.h"

#define BF_STAT_STRUCT bf_l1_stats
const bf_stat_desc bf_l1_stat_desc[] = {BF_L1_STATS(BF_STAT_DESC)};
const size_t bf_l1_stat_count = BF_ARRAY_SIZE(bf_l1_stat_desc);
BF_STAT_TABLE_COVERS(bf_l1_stat_desc, bf_l1_stats);
#undef BF_STAT_STRUCT

/* ---------------------------------------------------------------- D-cache */

/* Replace slot v by the line of a: evict (victim buffer if dirty), fill. */
int l1_dallocate(bf_l1 *l1, l1_line *v, bf_addr a, bf_cycles *t)
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
    L1_ASSERT_SET(l1, s, 1);
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

/* Count one D-cache access (a line, or with BF_REQ_WHOLEREF a whole reference). */
static inline void l1_dcount(bf_l1_stats *st, int write, uint32_t bank, int m, int cls)
{
    uint64_t *acc = write ? &st->dwrites : &st->dreads;
    uint64_t *mis = write ? &st->dwrite_misses : &st->dread_misses;
    uint64_t *hit = write ? &st->dwrite_hits : &st->dread_hits;
    /* the bank is an address bit: selects, not a branch that mispredicts on it */
    uint64_t *bacc = bank ? &st->bank_b_accesses : &st->bank_a_accesses;
    uint64_t *bmis = bank ? &st->bank_b_misses : &st->bank_a_misses;
    (*acc)++;
    *mis += (uint64_t)m;
    *hit += (uint64_t)!m;
    (*bacc)++;
    *bmis += (uint64_t)m;
    l1_dclass(st, cls);
}

/* A cacheable data reference: each line touched is looked up in order (assumption 7). */
static int l1_data_cached(bf_l1 *l1, const bf_req *rq, uint32_t attrs, bf_cycles *t, int *miss)
{
    int write = rq->kind == BF_ACC_WRITE;
    uint32_t size = rq->size ? rq->size : 1;
    bf_addr a = rq->addr;
    uint32_t first = a >> L1_LINE_SHIFT, last = l1_last_line(a, size);
    int per_line = !(rq->flags & BF_REQ_WHOLEREF);
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
    L1_ASSERT_SET(l1, s, 0);
    unsigned sh = l1->ish.node ? l1_shadow_ref(&l1->ish, line) : 0;
    l1_line *L = l1_find(s, L1_IWAYS, line);
    if (L) {
        L->stamp = ++l1->iclock;
        if (L->stale && !l1->pend) { /* one report per fetch */
            l1->pend = 1 + l1_islot(l1, L);
            l1->pend_addr = a;
        }
        l1_wait_inflight(l1, &l1->ifb, line, a, t);
        *cls = -1;
        return 0;
    }
    *cls = l1->ish.node ? l1_miss_class(sh) : -1;
    l1_line *v = l1_ivictim(l1, s);
    if (!v)
        return 2;
    assert(!(l1->ilock & (1u << (v - s)))); /* a locked way is never a victim */
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
    v->prio = (uint8_t)((attrs & BF_REQ_LRUPRIO) && !BF_LRUPRIORST(l1->imem));
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
    int per_line = !(rq->flags & BF_REQ_WHOLEREF);
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
    st->rgn[rgn]++;
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
int bf_l1_hit(bf_l1 *l1, int kind, bf_addr a, uint32_t size, uint32_t flags, bf_cycles now,
              bf_cycles *ready)
{
    uint32_t line = a >> L1_LINE_SHIFT;
    /* one line: below sdram_bytes (<= 128 MB) a + size cannot wrap, so l1_last_line(a, size) ==
    ** line is (a mod 32) + size <= 32 */
    if (a >= l1->cfg.sdram_bytes || !(flags & BF_REQ_CACHEABLE) ||
        (a & (L1_LINE_BYTES - 1)) + (uint64_t)size > L1_LINE_BYTES)
        return 0;
    int whole = (flags & BF_REQ_WHOLEREF) != 0; /* assumption 7: the last whole reference */
    bf_cycles t = now;
    if (kind == BF_ACC_IFETCH) {
        if (!l1->ion || l1->ish.node)
            return 0;
        l1_line *set = &l1->iline[l1_set(&l1->iix, a) * L1_IWAYS];
        l1_line *L = l1_find(set, L1_IWAYS, line);
        if (!L || L->stale) /* a stale line: the full path reports the hazard */
            return 0;
        L->stamp = ++l1->iclock;
        l1_wait_inflight(l1, &l1->ifb, line, a, &t);
        l1_icount(l1->st, 0, -1);
        if (whole)
            l1->iprev_miss = 0;
    } else {
        int write = kind == BF_ACC_WRITE;
        if (!l1->dbanks || l1->dsh.node || (write & ((flags & BF_REQ_WT) != 0)))
            return 0;
        uint32_t bank;
        l1_line *L = l1_dfind(l1_dset(l1, a, &bank), line);
        if (!L || L->stale) /* a stale line: the full path reports the hazard */
            return 0;
        L->stamp = ++l1->dclock;
        if (write & !L->dirty) { /* as l1_dline: the detector records when it became dirty */
            L->dirty = 1;
            if (l1->hz)
                bf_hazard_dirtied(l1->hz, l1_dslot(l1, L));
        }
        l1_wait_inflight(l1, &l1->dfb, line, a, &t);
        l1_dcount(l1->st, write, bank, 0, -1);
        if (whole) {
            l1->dprev_miss = 0;
            l1->dprev_bank = (int)bank;
        }
    }
    l1->st->rgn[BF_RGN_SDRAM]++;
    *ready = t + l1->cfg.hit_cycles;
    return 1;
}
