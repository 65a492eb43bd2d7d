/*
** bf_cplb.c: the BF533 CPLB hardware (16 ICPLB + 16 DCPLB): the entries, the implicit
** memory-map rules, the exceptions with their EXCAUSE codes and the status/fault-address
** registers, and the creation of a stage (reference section 3; docs/models/cplb.md). This file
** holds the per-access hot path (bf_cplb_check, bf_cplb_check_hit and all they call on an
** access), kept in one translation unit so that it inlines as one. The Linux manager is in
** bf_cplb_linux.c, the hottest-pages table in bf_cplb_hot.c, the texts in bf_cplb_text.c; the
** shared state is in bf_cplb_int.h.
**
** Assumptions
**   A1. An entry covers the naturally aligned page that holds ADDR: the match compares only the
**       address bits above the page size (ESTIMATE). Configured and written entries must be
**       aligned (config error / BF_ECONFIG otherwise), so for them this is [ADDR, ADDR + size)
**       as in the GDB sim. Only the Linux boot tables hold an unaligned ADDR, because Linux
**       writes L1_CODE_START (0xFFA00000 on BF533) with a 4 MB page: it covers
**       0xFF800000-0xFFBFFFFF.
**   A2. Exception priority, highest first: multiple hits > misaligned > protection > miss
**       (PRM order as quoted by the GDB sim). Hardware errors (reserved space, data access to
**       L1 instruction SRAM) come from the access itself, so they are raised only when no
**       exception was; a non-32-bit core MMR access is raised at the same point, as EXCAUSE
**       0x2E (illegal use of a supervisor resource; ADI sys/exception.h, GDB sim
**       dv_bfin_mmr_require_32), which writes the status and fault-address registers.
**   A3. Natural alignment: 2-byte accesses on 2 bytes, 4-byte and larger data accesses on 4 bytes
**       (an 8-byte record is taken as two 32-bit accesses), 1-byte never misaligned, fetches on
**       2 bytes (EXCAUSE 0x2A). Cache instructions are checked on their 32-byte line address.
**   A4. MMR accesses never need a CPLB. L1 accesses need one when l1_requires_cplb (ESTIMATE 1,
**       Linux installs locked entries for L1); with 0 they are valid without one (GDB sim).
**       L1 and MMR pages are never cacheable, whatever CPLB_L1_CHBL says.
**   A5. Implicit rules (GDB sim): a fetch from MMR space takes the ICPLB miss exception (0x2C);
**       a user-mode or DAG1 MMR data access the DCPLB protection exception (0x23); a fetch from
**       L1 space other than instruction SRAM the ICPLB protection exception (0x2B); a data access
**       to L1 instruction SRAM and any access to reserved space a hardware error (0x03).
**   A6. With ENxCPLB off nothing is matched; only alignment and the implicit rules apply, and
**       every access is uncached (attrs = BF_REQ_ATTR_KNOWN).
**   A7. An exception writes xCPLB_STATUS (bits 15:0 the matching entries, 16 write, 17
**       supervisor, 18 DAG1, 19 ILLADDR) and xCPLB_FAULT_ADDR; hardware errors do not. ILLADDR
**       means "non-existent memory" (ADI sys/exception.h): it is set on a miss whose address is
**       reserved space (no memory behind it), not on an ordinary miss to populated memory (the
**       GDB sim sets it on every miss; reference section 3).
**       The GDB sim also copies the PC into the ICPLB registers on data faults; there is no PC
**       here, so it is not done.
**
** Algorithm
**   1. Each entry keeps base and mask precomputed, its BF_REQ_* attributes and a 4-bit
**      permission set indexed by (write, user). A check scans the 16 entries of its side, or
**      takes the shortcut of rule 2, then applies rule A2 in order.
**   2. Shortcut memo: each side remembers, per 1 MB of address space (MEMO slots, direct
**      mapped by address bits 25:20), the entry that last served an access there if that
**      entry is exclusive (no other valid entry of the side overlaps it), as a copy of its
**      base, mask, permissions and attributes. If the address falls in it, the access hits
**      exactly that entry, because any other entry that matched would overlap it. Exclusivity
**      is recomputed, and the memo cleared, on every table change and every enable change.
**      The replay fast path (bf_cplb_check_hit) reads the same memo.
**   3. Under the Linux policy a miss exception runs the manager's handler
**      (bf_cplb_manager_reload, bf_cplb_linux.c), which may load an entry; the access is then
**      retried once.
**
** Invariants: those of bf_cplb_int.h, asserted in debug builds after every table change and on
** every hit.
*/
#include "bf_cplb_int.h"
#include "bf_hmem.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define BF_STAT_STRUCT bf_cplb_stats
const bf_stat_desc bf_cplb_stat_desc[] = {BF_CPLB_STATS(BF_STAT_DESC)};
const size_t bf_cplb_stat_count = BF_ARRAY_SIZE(bf_cplb_stat_desc);
#undef BF_STAT_STRUCT

/* ------------------------------------------------------------------ entries */

static int ents_overlap(const cplb_ent *a, const cplb_ent *b)
{
    /* Aligned power-of-two pages overlap iff one contains the other's base. */
    uint32_t m = a->mask < b->mask ? a->mask : b->mask; /* the larger page */
    return (a->base & m) == (b->base & m);
}

static void memo_clear(cplb_side *s)
{
    for (int k = 0; k < MEMO; k++)
        s->memo[k] = (cplb_memo){.base = 1, .mask = 0, .idx = NO_ENTRY};
}

static void side_recompute_excl(cplb_side *s)
{
    for (int i = 0; i < NENT; i++) {
        cplb_ent *e = &s->e[i];
        e->excl = e->valid;
        for (int j = 0; j < NENT && e->excl; j++)
            if (j != i && s->e[j].valid && ents_overlap(e, &s->e[j]))
                e->excl = 0;
    }
    memo_clear(s);
}

#ifndef NDEBUG
/* Debug builds: the invariants of bf_cplb_int.h for one side, checked after every table or
** enable change. Exclusivity is recomputed here with interval arithmetic, independently of
** ents_overlap's mask test. */
static void side_assert(const cplb_side *s)
{
    for (int i = 0; i < NENT; i++) {
        const cplb_ent *e = &s->e[i];
        assert(s->view[i].addr == e->addr && s->view[i].data == e->data);
        /* never written since creation: all zero */
        assert((e->mask == 0 && e->addr == 0 && e->data == 0) ||
               (e->mask == ~(page_bytes[ent_code(e)] - 1) && e->base == (e->addr & e->mask)));
        assert(e->valid == ((e->data & BF_CPLB_VALID) != 0));
        int alone = e->valid;
        for (int j = 0; j < NENT; j++) {
            const cplb_ent *o = &s->e[j];
            uint64_t e_end = (uint64_t)e->base + ~e->mask + 1,
                     o_end = (uint64_t)o->base + ~o->mask + 1;
            if (j != i && o->valid && e->base < o_end && o->base < e_end)
                alone = 0;
        }
        assert(e->excl == alone);
    }
    for (int k = 0; k < MEMO; k++) {
        const cplb_memo *m = &s->memo[k];
        if (m->mask == 0) {
            assert(m->base == 1); /* empty */
            continue;
        }
        assert(s->enabled && m->idx < NENT && s->e[m->idx].excl && s->e[m->idx].base == m->base &&
               s->e[m->idx].mask == m->mask && s->e[m->idx].perm == m->perm &&
               s->e[m->idx].attrs == m->attrs);
    }
    assert(s->first_switched >= 0 && s->first_switched <= NENT && s->nbounds <= MAX_BOUNDS);
}

/* Debug builds: rule 2's claim, that an exclusive entry holding addr is its only match. */
static int matches(const cplb_side *s, bf_addr addr)
{
    int n = 0;
    for (int i = 0; i < NENT; i++)
        n += s->e[i].valid && (addr & s->e[i].mask) == s->e[i].base;
    return n;
}
#endif

static void ent_retire(bf_cplb *p, cplb_side *s, cplb_ent *e)
{
    if (!e->valid)
        return;
    hot_rec *h = hot_get(s, hot_key(e->base, ent_code(e)));
    if (h)
        h->hits += e->hits;
    else
        p->st->hot_dropped_hits += e->hits;
    e->hits = 0;
}

void bf_cplb_ent_load(bf_cplb *p, int instr, int i, uint32_t addr, uint32_t data)
{
    cplb_side *s = &p->s[instr];
    cplb_ent *e = &s->e[i];
    ent_retire(p, s, e);
    unsigned code = (data & PAGE_MASK_BITS) >> PAGE_SHIFT_BITS;
    e->addr = addr;
    e->data = data;
    s->view[i].addr = addr;
    s->view[i].data = data;
    e->mask = ~(page_bytes[code] - 1);
    e->base = addr & e->mask;
    e->valid = (data & BF_CPLB_VALID) != 0;
    e->hits = 0;
    /* A1: only the Linux L1 boot entries may hold an ADDR unaligned to their page. */
    assert((addr & ~e->mask) == 0 || (addr >= L1_SPACE_START && addr < MMR_START));
    uint32_t a = BF_REQ_ATTR_KNOWN;
    if (data & BF_CPLB_L1_CHBL)
        a |= BF_REQ_CACHEABLE;
    if (!instr) {
        if (data & BF_CPLB_WT)
            a |= BF_REQ_WT;
        if (data & BF_CPLB_L1_AOW)
            a |= BF_REQ_AOW;
    } else if (data & BF_CPLB_LRUPRIO) {
        a |= BF_REQ_LRUPRIO;
    }
    e->attrs = a;
    /* perm bit index: write << 1 | user. Supervisor reads are always allowed. */
    int clean_wb =
        !instr && (data & (BF_CPLB_WT | BF_CPLB_L1_CHBL | BF_CPLB_DIRTY)) == BF_CPLB_L1_CHBL;
    e->perm = 1u;
    if (data & BF_CPLB_USER_RD)
        e->perm |= 2u;
    if (!instr && !clean_wb && (data & BF_CPLB_SUPV_WR))
        e->perm |= 4u;
    if (!instr && !clean_wb && (data & BF_CPLB_USER_WR))
        e->perm |= 8u;
    if (e->valid) {
        hot_rec *h = hot_get(s, hot_key(e->base, code));
        if (h)
            h->loads++;
    }
    side_recompute_excl(s);
#ifndef NDEBUG
    side_assert(s);
#endif
}

/* ------------------------------------------------------------------ creation */

int bf_cplb_create(const bf_cplb_config *c, bf_cplb_stats *stats, bf_cplb **out)
{
    *out = NULL;
    if (bf_cplb_config_check(c))
        return BF_ECONFIG;
    bf_cplb *p = bf_calloc(1, sizeof *p);
    if (!p)
        return BF_ENOMEM;
    size_t words = sizeof(hot_rec) / sizeof(uint64_t), bytes = bf_htab_rec_bytes(HOT_SLOTS, words);
    p->hot_mem = bf_malloc(2 * bytes);
    if (!p->hot_mem) {
        bf_cplb_destroy(p);
        return BF_ENOMEM;
    }
    bf_htab_init_mem_rec(&p->s[0].hot, p->hot_mem, HOT_SLOTS, words);
    bf_htab_init_mem_rec(&p->s[1].hot, (char *)p->hot_mem + bytes, HOT_SLOTS, words);
    p->cfg = *c;
    p->st = stats ? stats : &p->own_stats;
    p->s[0].enabled = c->dcplb_enable != 0;
    p->s[1].enabled = c->icplb_enable != 0;
    memo_clear(&p->s[0]);
    memo_clear(&p->s[1]);
    if (c->policy == BF_CPLB_POLICY_LINUX) {
        char msg[200];
        if (bf_cplb_layout_compute(c, &p->lay, msg, sizeof msg)) {
            bf_cplb_destroy(p);
            return BF_ECONFIG;
        }
        bf_cplb_build_linux(p);
    } else {
        for (int i = 0; i < NENT; i++) {
            if (c->dcplb[i].data)
                bf_cplb_ent_load(p, 0, i, c->dcplb[i].addr, c->dcplb[i].data);
            if (c->icplb[i].data)
                bf_cplb_ent_load(p, 1, i, c->icplb[i].addr, c->icplb[i].data);
        }
        p->s[0].first_switched = p->s[1].first_switched = NENT;
    }
    *out = p;
    return BF_OK;
}

void bf_cplb_destroy(bf_cplb *p)
{
    if (!p)
        return;
    free(p->hot_mem);
    free(p);
}

/* ------------------------------------------------------------------ the check */

/* What one attempt at an access concluded, before stats and registers. */
typedef struct attempt {
    int fault;   /* bf_fault */
    int excause; /* 0 for none or a hardware error */
    int hwerr;
    int miss;    /* the exception is a miss (the Linux handler runs) */
    int illaddr; /* ILLADDR: the missed address is non-existent memory */
    uint32_t matched;
    int entry; /* serving entry, -1 if none */
} attempt;

static int misaligned(bf_addr addr, uint32_t size, int instr)
{
    if (instr)
        return (addr & 1u) != 0;
    uint32_t align = size >= 4 ? 4u : size >= 2 ? 2u : 1u;
    return (addr & (align - 1u)) != 0;
}

/* Rule 2: the memo slot of addr, if it holds addr (its entry is exclusive, so it is the only
** match); NULL otherwise. */
static inline const cplb_memo *memo_serves(const cplb_side *s, bf_addr addr)
{
    const cplb_memo *m = &s->memo[MEMO_SLOT(addr)];
    return (addr & m->mask) == m->base ? m : NULL;
}

static void attempt_once(const bf_cplb *p, int instr, bf_addr addr, uint32_t size, int write,
                         int user, int dag1, int cacheop, int *region_out, attempt *a)
{
    const cplb_side *s = &p->s[instr];
    memset(a, 0, sizeof *a);
    a->entry = -1;
    int hits = 0, idx = -1;
    uint32_t matched = 0;
    if (s->enabled) {
        const cplb_memo *m = memo_serves(s, addr);
        if (m) {
            idx = m->idx;
            assert(matches(s, addr) == 1);
            hits = 1;
            matched = 1u << idx;
            p->st->fast_hits++;
        }
        if (!hits) {
            for (int i = 0; i < NENT; i++) {
                const cplb_ent *e = &s->e[i];
                if (e->valid && (addr & e->mask) == e->base) {
                    hits++;
                    matched |= 1u << i;
                    idx = i;
                }
            }
        }
    }
    a->matched = matched;
    int region = addr < p->cfg.sdram_bytes ? BF_RGN_SDRAM
                                           : bf_map_region(p->cfg.part, p->cfg.sdram_bytes, addr);
    *region_out = region;
    int mmr = bf_map_is_mmr(region);
    /* 1. multiple hits */
    if (hits >= 2) {
        a->fault = BF_FAULT_CPLB_MULTI;
        a->excause = instr ? BF_EXC_ICPLB_MULTI : BF_EXC_DCPLB_MULTI;
        return;
    }
    /* 2. misaligned */
    if (!cacheop && misaligned(addr, size, instr)) {
        a->fault = BF_FAULT_MISALIGNED;
        a->excause = instr ? BF_EXC_MISALIGNED_I : BF_EXC_MISALIGNED;
        return;
    }
    /* 3. protection: the entry's permission bits, then the implicit rules */
    if (!cacheop) {
        if (hits == 1 && !((s->e[idx].perm >> ((write << 1) | user)) & 1u)) {
            a->fault = BF_FAULT_CPLB_PROT;
            a->excause = instr ? BF_EXC_ICPLB_PROT : BF_EXC_DCPLB_PROT;
            return;
        }
        if (mmr && !instr && (user || dag1)) {
            a->fault = BF_FAULT_MMR_ILLEGAL;
            a->excause = BF_EXC_DCPLB_PROT;
            return;
        }
        if (instr && addr >= L1_SPACE_START && addr < MMR_START && region != BF_RGN_L1_INST &&
            region != BF_RGN_L1_INST_CACHE) {
            a->fault = BF_FAULT_L1_ILLEGAL;
            a->excause = BF_EXC_ICPLB_PROT;
            return;
        }
    }
    /* 4. miss */
    if (instr && mmr) {
        a->fault = BF_FAULT_MMR_ILLEGAL;
        a->excause = BF_EXC_ICPLB_MISS;
        a->miss = 1;
        return;
    }
    if (s->enabled && hits == 0 && !mmr && !(bf_map_is_l1(region) && !p->cfg.l1_requires_cplb)) {
        a->fault = BF_FAULT_CPLB_MISS;
        a->excause = instr ? BF_EXC_ICPLB_MISS : BF_EXC_DCPLB_MISS;
        a->miss = 1;
        a->illaddr = region == BF_RGN_RESERVED;
        return;
    }
    a->entry = idx;
    /* 5. hardware errors raised by the access itself */
    if (cacheop)
        return;
    if (!instr && (region == BF_RGN_L1_INST || region == BF_RGN_L1_INST_CACHE)) {
        a->fault = BF_FAULT_L1_ILLEGAL;
        a->hwerr = BF_HWERR_EXTERN_ADDR;
    } else if (region == BF_RGN_RESERVED) {
        a->fault = BF_FAULT_HWERR_EXTERN;
        a->hwerr = BF_HWERR_EXTERN_ADDR;
    } else if (region == BF_RGN_CORE_MMR && size != 4) {
        a->fault = BF_FAULT_MMR_ILLEGAL;
        a->excause = BF_EXC_ILLEGAL_SUPV;
    }
}

static void count_fault(bf_cplb_stats *st, int fault)
{
    switch (fault) {
    case BF_FAULT_CPLB_MISS:
        st->fault_miss++;
        break;
    case BF_FAULT_CPLB_PROT:
        st->fault_prot++;
        break;
    case BF_FAULT_CPLB_MULTI:
        st->fault_multi++;
        break;
    case BF_FAULT_MISALIGNED:
        st->fault_misaligned++;
        break;
    case BF_FAULT_HWERR_EXTERN:
        st->fault_hwerr_extern++;
        break;
    case BF_FAULT_L1_ILLEGAL:
        st->fault_l1_illegal++;
        break;
    case BF_FAULT_MMR_ILLEGAL:
        st->fault_mmr_illegal++;
        break;
    default:
        break;
    }
}

/* One address through the stage, with the manager's retry. Adds to res->handler/reloaded. */
static void check_addr(bf_cplb *p, int instr, bf_addr addr, uint32_t size, int write, int user,
                       int dag1, int cacheop, bf_cplb_result *res)
{
    cplb_side *s = &p->s[instr];
    attempt a;
    int region;
    for (int tries = 0;; tries++) {
        attempt_once(p, instr, addr, size, write, user, dag1, cacheop, &region, &a);
        if (a.excause) {
            /* A7: the matched entries are those of the fault: two or more on a multiple hit,
            ** none on a miss, the serving one on a permission fault; ILLADDR only on a miss. */
            assert(a.excause != BF_EXC_DCPLB_MULTI && a.excause != BF_EXC_ICPLB_MULTI
                       ? a.fault != BF_FAULT_CPLB_MISS || a.matched == 0
                       : (a.matched & (a.matched - 1)) != 0);
            assert(a.fault != BF_FAULT_CPLB_PROT || (a.matched & (a.matched - 1)) == 0);
            assert(!a.illaddr || a.fault == BF_FAULT_CPLB_MISS);
            s->status = a.matched | (write ? BF_CPLB_STATUS_RW : 0u) |
                        (user ? 0u : BF_CPLB_STATUS_SUPV) | (dag1 ? BF_CPLB_STATUS_DAG1 : 0u) |
                        (a.illaddr ? BF_CPLB_STATUS_ILLADDR : 0u);
            s->fault_addr = addr;
            if (a.excause == BF_EXC_DCPLB_MULTI || a.excause == BF_EXC_ICPLB_MULTI)
                p->st->multi_hits++;
            if (a.excause == BF_EXC_DCPLB_PROT || a.excause == BF_EXC_ICPLB_PROT)
                p->st->prot_violations++;
        }
        if (a.fault == BF_FAULT_CPLB_MISS) {
            if (instr)
                p->st->imisses++;
            else
                p->st->dmisses++;
            if (!user)
                p->st->supv_misses++;
        }
        /* The Linux handler runs on every miss exception; it reloads only real CPLB misses
        ** inside a bound, and at most once per access (a second miss cannot happen). */
        if (a.miss && p->cfg.policy == BF_CPLB_POLICY_LINUX) {
            res->handler += p->cfg.miss_handler_cycles;
            p->st->handler_cycles += p->cfg.miss_handler_cycles;
            if (a.fault == BF_FAULT_CPLB_MISS && tries == 0 &&
                bf_cplb_manager_reload(p, instr, addr)) {
                res->reloaded++;
                continue;
            }
        }
        break;
    }
    res->fault = (uint8_t)a.fault;
    res->excause = (uint8_t)a.excause;
    res->hwerr = (uint8_t)a.hwerr;
    res->status = a.excause ? s->status : 0u;
    res->fault_addr = a.fault ? addr : 0u;
    res->entry = a.entry >= 0 ? (uint8_t)a.entry : (uint8_t)NO_ENTRY;
    if (a.fault) {
        res->attrs = 0;
        count_fault(p->st, a.fault);
        return;
    }
    if (a.entry >= 0) {
        cplb_ent *e = &s->e[a.entry];
        assert(e->valid && (addr & e->mask) == e->base && a.matched == 1u << a.entry);
        e->hits++;
        if (e->excl) /* rule 2: only an exclusive entry may serve by the memo */
            s->memo[MEMO_SLOT(addr)] = (cplb_memo){.base = e->base,
                                                   .mask = e->mask,
                                                   .attrs = e->attrs,
                                                   .perm = e->perm,
                                                   .idx = (uint8_t)a.entry};
        res->attrs = bf_map_is_external(region) ? e->attrs : (uint32_t)BF_REQ_ATTR_KNOWN;
    } else {
        res->attrs = BF_REQ_ATTR_KNOWN;
    }
}

static int check_common(bf_cplb *p, const bf_req *rq, bf_cplb_result *res, int cacheop)
{
    memset(res, 0, sizeof *res);
    if (rq->kind > BF_ACC_IFETCH || rq->mode > BF_MODE_USER || rq->size == 0)
        return BF_EINPUT;
    int instr = rq->kind == BF_ACC_IFETCH;
    int write = rq->kind == BF_ACC_WRITE;
    int user = rq->mode == BF_MODE_USER;
    int dag1 = !instr && (rq->flags & BF_REQ_DAG1) != 0;
    res->instr = (uint8_t)instr;
    if (instr)
        p->st->ichecks++;
    else
        p->st->dchecks++;
    bf_addr addr = cacheop ? rq->addr & ~BF_LINE_MASK : rq->addr;
    uint32_t size = cacheop ? 32u : rq->size;
    check_addr(p, instr, addr, size, write, user, dag1, cacheop, res);
    /* A data access wider than 32 bits that crosses into another 1 KB block (the smallest page)
    ** is also checked at its last word; the first fault in address order is reported. */
    bf_addr last = (bf_addr)(addr + size - 1u) & ~3u;
    if (!cacheop && !instr && !res->fault && size > 4 && ((addr ^ last) & ~(KB - 1))) {
        uint32_t attrs = res->attrs;
        check_addr(p, instr, last, 4, write, user, dag1, 0, res);
        if (!res->fault)
            res->attrs = attrs;
    }
    return BF_OK;
}

/* The fast path's check: the cases where check_common would end in one attempt on the memo's
** entry without any fault or second word, with the same counts; 0 (nothing touched) otherwise.
** Rule A2 in order for such an access: one match (no multi-hit), alignment, the entry's
** permission; an SDRAM address has no implicit rule, miss or hardware error, and its attributes
** are the entry's. */
uint32_t bf_cplb_check_hit(bf_cplb *p, int instr, bf_addr addr, uint32_t size, int write, int user)
{
    cplb_side *s = &p->s[instr];
    const cplb_memo *m = memo_serves(s, addr); /* empty while the side is disabled */
    if (addr >= p->cfg.sdram_bytes || !m)
        return 0;
    assert(s->enabled && matches(s, addr) == 1);
    if (misaligned(addr, size, instr) || !((m->perm >> ((write << 1) | user)) & 1u))
        return 0;
    if (!instr && size > 4 && ((addr ^ ((addr + size - 1u) & ~3u)) & ~(KB - 1)))
        return 0; /* a second word in another 1 KB block: check_common checks it too */
    if (instr)
        p->st->ichecks++;
    else
        p->st->dchecks++;
    p->st->fast_hits++;
    s->e[m->idx].hits++;
    return m->attrs;
}

int bf_cplb_check(bf_cplb *p, const bf_req *rq, bf_cplb_result *res)
{
    return check_common(p, rq, res, 0);
}

int bf_cplb_check_cacheop(bf_cplb *p, const bf_req *rq, bf_cplb_result *res)
{
    return check_common(p, rq, res, 1);
}

/* ------------------------------------------------------------------ registers and tables */

uint32_t bf_cplb_status(const bf_cplb *p, int instr)
{
    return p->s[instr ? 1 : 0].status;
}

uint32_t bf_cplb_fault_addr(const bf_cplb *p, int instr)
{
    return p->s[instr ? 1 : 0].fault_addr;
}

const bf_cplb_entry *bf_cplb_table(const bf_cplb *p, int instr)
{
    return p->s[instr ? 1 : 0].view;
}

void bf_cplb_enable(bf_cplb *p, int instr, int on)
{
    cplb_side *s = &p->s[instr ? 1 : 0];
    s->enabled = on != 0;
    memo_clear(s);
#ifndef NDEBUG
    side_assert(s);
#endif
}

int bf_cplb_write(bf_cplb *p, int instr, int idx, uint32_t addr, uint32_t data)
{
    if (idx < 0 || idx >= NENT)
        return BF_ECONFIG;
    unsigned code = (data & PAGE_MASK_BITS) >> PAGE_SHIFT_BITS;
    if (addr & (page_bytes[code] - 1))
        return BF_ECONFIG;
    bf_cplb_ent_load(p, instr ? 1 : 0, idx, addr, data);
    return BF_OK;
}

void bf_cplb_get_layout(const bf_cplb *p, bf_cplb_layout *out)
{
    *out = p->lay;
}

int bf_cplb_first_switched(const bf_cplb *p, int instr)
{
    return p->s[instr ? 1 : 0].first_switched;
}
