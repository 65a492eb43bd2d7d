/*
** test_l1.c: unit tests of models/l1, one CTest per case (`test_l1 <case>`, registered as
** l1.<case>). Every case states its hand-worked expectation. The external memory is the fake of
** l1_fake_ext.h: fill critical word at now+20, whole line at now+50, uncached read ready at
** now+20, write done at now+10, no contention. hit_cycles = 1 everywhere.
**
** Geometry used in the hand calculations: D bank 256 sets x 2 ways x 32 B, so with the
** bit-selection index addresses 8 KB apart share a set; I-cache 128 sets x 4 ways, so addresses
** 4 KB apart share a set.
*/
#include "../bf_test.h"
#include "bf_l1.h"
#include "l1_fake_ext.h"

#include <stdlib.h>

enum {
    WB = BF_REQ_ATTR_KNOWN | BF_REQ_CACHEABLE,
    WT0 = WB | BF_REQ_WT,
    WT1 = WT0 | BF_REQ_AOW,
    UNC = BF_REQ_ATTR_KNOWN,
    PRIO = WB | BF_REQ_LRUPRIO
};
enum { DSTRIDE = 8192, ISTRIDE = 4096 };

#define DMC_A (2u << 2)
#define DMC_AB (3u << 2)
#define DCBS (1u << 4)
#define IMC (1u << 2)
#define ILOC(m) ((uint32_t)(m) << 3)
#define LRUPRIORST (1u << 13)

typedef struct fx {
    fake_ext ext;
    bf_l1_config c;
    bf_l1_stats st;
    bf_l1 *l1;
    uint32_t rf; /* request flags every access of ac() carries (BF_REQ_WHOLEREF) */
} fx;

/* defaults for the cases: bit selection, bank A only, I-cache on, write-back cacheable */
static void fx_config(fx *f)
{
    memset(f, 0, sizeof *f);
    bf_l1_config_default(&f->c);
    f->c.index_mode = BF_L1_INDEX_BITSEL;
    f->c.dmem_control = DMC_A;
    f->c.imem_control = IMC;
}

static void fx_open(fx *f)
{
    fake_init(&f->ext, 4096);
    memset(&f->st, 0, sizeof f->st);
    bf_port p = {fake_xfer, &f->ext};
    int rc = bf_l1_create(&f->c, p, &f->st, &f->l1);
    BF_CHECK_EQ(rc, BF_OK);
    if (rc != BF_OK)
        exit(1);
}

static void fx_close(fx *f)
{
    BF_CHECK(bf_l1_check(f->l1) == NULL);
    BF_CHECK_EQ(f->ext.out_of_order, 0);
    bf_l1_destroy(f->l1);
    fake_free(&f->ext);
}

static bf_resp ac(fx *f, int kind, bf_addr a, uint32_t size, bf_cycles now, uint32_t flags)
{
    bf_req rq;
    memset(&rq, 0, sizeof rq);
    rq.addr = a;
    rq.size = size;
    rq.kind = (uint8_t)kind;
    rq.source = BF_SRC_CORE;
    rq.flags = flags | f->rf;
    rq.now = now;
    bf_resp rs;
    BF_CHECK_EQ(bf_l1_access(f->l1, &rq, &rs), BF_OK);
    return rs;
}

static bf_resp rd(fx *f, bf_addr a, bf_cycles now)
{
    return ac(f, BF_ACC_READ, a, 4, now, WB);
}

static bf_resp fe(fx *f, bf_addr a, bf_cycles now, uint32_t flags)
{
    return ac(f, BF_ACC_IFETCH, a, 4, now, flags);
}

static bf_resp op(fx *f, int o, bf_addr a, bf_cycles now)
{
    bf_req rq;
    memset(&rq, 0, sizeof rq);
    rq.addr = a;
    rq.size = 4;
    rq.flags = WB;
    rq.now = now;
    bf_resp rs;
    BF_CHECK_EQ(bf_l1_op(f->l1, o, &rq, &rs), BF_OK);
    return rs;
}

/* ------------------------------------------------------------------------------------------ */

/* Config checks name the field; stat names are the required ones and the region names match
** bf_map_region_name. */
static void t_config(void)
{
    bf_l1_config c;
    bf_l1_config_default(&c);
    BF_CHECK(bf_l1_config_check(&c) == NULL);
    c.dmem_control = 1u << 2; /* DMC=01 reserved */
    BF_CHECK(bf_l1_config_check(&c) != NULL && strstr(bf_l1_config_check(&c), "dmem_control"));
    bf_l1_config_default(&c);
    c.part = BF_PART_BF531; /* default DMC=11 needs bank B */
    BF_CHECK(bf_l1_config_check(&c) != NULL && strstr(bf_l1_config_check(&c), "BF531"));
    c.dmem_control = DMC_A;
    BF_CHECK(bf_l1_config_check(&c) == NULL);
    bf_l1_config_default(&c);
    c.wbuf_depth = 0;
    BF_CHECK(bf_l1_config_check(&c) != NULL && strstr(bf_l1_config_check(&c), "wbuf_depth"));
    bf_l1_config_default(&c);
    c.victim_depth = 0;
    BF_CHECK(bf_l1_config_check(&c) != NULL && strstr(bf_l1_config_check(&c), "victim_depth"));
    bf_l1_config_default(&c);
    c.index_mode = 7;
    BF_CHECK(bf_l1_config_check(&c) != NULL && strstr(bf_l1_config_check(&c), "index_mode"));
    bf_l1_config_default(&c);
    c.default_attrs = BF_REQ_DAG1;
    BF_CHECK(bf_l1_config_check(&c) != NULL && strstr(bf_l1_config_check(&c), "default_attrs"));
    bf_l1_config_default(&c);
    c.sdram_bytes = 256u << 20;
    BF_CHECK(bf_l1_config_check(&c) != NULL && strstr(bf_l1_config_check(&c), "sdram_bytes"));
    /* create refuses an unchecked config */
    bf_l1 *l1 = NULL;
    bf_port p = {fake_xfer, NULL};
    BF_CHECK_EQ(bf_l1_create(&c, p, NULL, &l1), BF_ECONFIG);
    BF_CHECK(l1 == NULL);

    static const char *const required[] = {"l1.dcache.reads",       "l1.dcache.writes",
                                           "l1.dcache.read_misses", "l1.dcache.write_misses",
                                           "l1.icache.fetches",     "l1.icache.misses"};
    for (size_t i = 0; i < BF_ARRAY_SIZE(required); i++)
        BF_CHECK_STR(bf_l1_stat_desc[i].name, required[i]);
    for (int r = 0; r < BF_RGN_COUNT; r++) {
        char name[96];
        snprintf(name, sizeof name, "l1.region.%s.accesses", bf_map_region_name(r));
        int found = 0;
        for (size_t i = 0; i < bf_l1_stat_count; i++)
            found += strcmp(bf_l1_stat_desc[i].name, name) == 0;
        BF_CHECK_EQ(found, 1);
    }
    /* the registry accepts the table (no duplicate names) */
    bf_stats *reg = bf_stats_new();
    bf_l1_stats st;
    BF_CHECK_EQ(bf_stats_add(reg, bf_l1_stat_desc, bf_l1_stat_count, &st, NULL), BF_OK);
    bf_stats_free(reg);
}

/* D-cache, one set, lines A=0, B=8K, C=16K (bit selection):
**   A miss (Way0, invalid first), B miss (Way1, invalid), A hit, C miss (evicts LRU B),
**   A hit, B miss (evicts LRU C), C miss (evicts LRU A).
** => 5 read misses, 2 hits, 5 fills, 3 evictions. A miss at t costs the critical word: ready =
** t + 20 + 1, l1.stall.fill += 20; a hit is ready at t + 1. */
static void t_dlru(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    const bf_addr A = 0, B = DSTRIDE, C = 2 * DSTRIDE;
    bf_cycles t = 100;
    bf_resp r = rd(&f, A, t);
    BF_CHECK_EQ(r.ready, t + 21);
    BF_CHECK_EQ(r.hit, 0);
    t = r.ready + 100; /* past the end of the fill */
    r = rd(&f, B, t);
    t = r.ready + 100;
    r = rd(&f, A, t);
    BF_CHECK_EQ(r.ready, t + 1);
    BF_CHECK_EQ(r.hit, 1);
    t = r.ready + 100;
    rd(&f, C, t);
    t += 200;
    BF_CHECK_EQ(rd(&f, A, t).hit, 1);
    t += 200;
    BF_CHECK_EQ(rd(&f, B, t).hit, 0);
    t += 200;
    BF_CHECK_EQ(rd(&f, C, t).hit, 0);
    BF_CHECK_EQ(f.st.dreads, 7);
    BF_CHECK_EQ(f.st.dread_misses, 5);
    BF_CHECK_EQ(f.st.dread_hits, 2);
    BF_CHECK_EQ(f.st.dfills, 5);
    BF_CHECK_EQ(f.st.devictions, 3);
    BF_CHECK_EQ(f.st.stall_fill, 5 * 20);
    BF_CHECK_EQ(f.st.bank_a_accesses, 7);
    BF_CHECK_EQ(f.st.bank_a_misses, 5);
    BF_CHECK_EQ(fake_count(&f.ext, BF_SRC_FILL, -1), 5);
    BF_CHECK_EQ(f.st.dwritebacks, 0); /* all clean */
    fx_close(&f);
}

/* I-cache, one set, L0..L4 4 KB apart: L0..L3 miss (fill the 4 invalid ways), L0 hit, L4 miss
** (LRU is L1), L1 miss (LRU is L2), L0 hit, L2 miss (LRU is L3) => 7 misses, 2 hits. */
static void t_ilru(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    bf_cycles t = 0;
    int seq[] = {0, 1, 2, 3, 0, 4, 1, 0, 2};
    int hit[] = {0, 0, 0, 0, 1, 0, 0, 1, 0};
    for (size_t i = 0; i < BF_ARRAY_SIZE(seq); i++) {
        t += 100;
        BF_CHECK_EQ(fe(&f, (bf_addr)seq[i] * ISTRIDE, t, WB).hit, hit[i]);
    }
    BF_CHECK_EQ(f.st.ifetches, 9);
    BF_CHECK_EQ(f.st.imisses, 7);
    BF_CHECK_EQ(f.st.ihits, 2);
    BF_CHECK_EQ(f.st.ifills, 7);
    BF_CHECK_EQ(f.st.ievictions, 3);
    fx_close(&f);
}

/* Way locking. (1) With L0..L3 filled (invalid-first puts Lk in Way k), lock Way0 (ILOC=0001):
** L4, L5, L6, L7 may only replace Ways 1..3: L4 evicts L1, L5 evicts L2, L6 evicts L3, L7 evicts
** L4; L0 survives and hits. Without the lock L0 would be the LRU line at L4 and be evicted.
** (2) ILOC=1111: a miss cannot allocate; it is fetched uncached (BF_SRC_CORE read of its 64-bit
** block, ready at t + 20 + 1) and misses again the next time, but that fetch is wholly inside
** the block read just before, so it issues no second external read. */
static void t_iloc(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    bf_cycles t = 0;
    for (int k = 0; k < 4; k++)
        fe(&f, (bf_addr)k * ISTRIDE, t += 100, WB);
    BF_CHECK_EQ(bf_l1_write_imem_control(f.l1, IMC | ILOC(1), t), BF_OK);
    BF_CHECK_EQ(f.st.iinval, 0); /* ILOC alone does not invalidate */
    for (int k = 4; k < 8; k++)
        BF_CHECK_EQ(fe(&f, (bf_addr)k * ISTRIDE, t += 100, WB).hit, 0);
    BF_CHECK_EQ(fe(&f, 0, t += 100, WB).hit, 1);
    BF_CHECK_EQ(fe(&f, 7 * ISTRIDE, t += 100, WB).hit, 1);
    BF_CHECK_EQ(fe(&f, 4 * ISTRIDE, t += 100, WB).hit, 0); /* L4 went out for L7 */

    BF_CHECK_EQ(bf_l1_write_imem_control(f.l1, IMC | ILOC(0xF), t), BF_OK);
    size_t core_reads = fake_count(&f.ext, BF_SRC_CORE, BF_ACC_IFETCH);
    t += 100;
    bf_resp r = fe(&f, 9 * ISTRIDE, t, WB);
    BF_CHECK_EQ(r.ready, t + 21);
    BF_CHECK_EQ(fe(&f, 9 * ISTRIDE, t += 100, WB).hit, 0);
    BF_CHECK_EQ(f.st.ilocked_bypass, 2);
    BF_CHECK_EQ(fake_count(&f.ext, BF_SRC_CORE, BF_ACC_IFETCH), core_reads + 1);
    BF_CHECK_EQ(f.st.ufetch_reused, 1);
    fx_close(&f);

    /* the same sequence without the lock loses L0 */
    fx_config(&f);
    fx_open(&f);
    t = 0;
    for (int k = 0; k < 8; k++)
        fe(&f, (bf_addr)k * ISTRIDE, t += 100, WB);
    BF_CHECK_EQ(fe(&f, 0, t += 100, WB).hit, 0);
    fx_close(&f);
}

/* LRUPRIO: L0 fetched from an LRUPRIO page, L1..L3 not; touching L1..L3 makes L0 the LRU line,
** yet L4 (no priority) evicts L1, the LRU line among those without priority; L0 then hits.
** After IMEM_CONTROL.LRUPRIORST the priority is gone: make L0 LRU again (touch L2, L3, L4) and
** L5 evicts L0, so L0 misses. */
static void t_lruprio(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    bf_cycles t = 0;
    fe(&f, 0, t += 100, PRIO);
    for (int k = 1; k < 4; k++)
        fe(&f, (bf_addr)k * ISTRIDE, t += 100, WB);
    for (int k = 1; k < 4; k++)
        BF_CHECK_EQ(fe(&f, (bf_addr)k * ISTRIDE, t += 100, WB).hit, 1);
    fe(&f, 4 * ISTRIDE, t += 100, WB);
    BF_CHECK_EQ(fe(&f, 0, t += 100, WB).hit, 1);
    BF_CHECK_EQ(fe(&f, 1 * ISTRIDE, t += 100, WB).hit, 0); /* L1 was the victim (evicts L2) */

    BF_CHECK_EQ(bf_l1_write_imem_control(f.l1, IMC | LRUPRIORST, t), BF_OK);
    BF_CHECK_EQ(bf_l1_write_imem_control(f.l1, IMC, t), BF_OK);
    /* now L0, L3, L4, L1 are cached (L2 went for L1) */
    for (int k = 3; k <= 4; k++)
        BF_CHECK_EQ(fe(&f, (bf_addr)k * ISTRIDE, t += 100, WB).hit, 1);
    BF_CHECK_EQ(fe(&f, 1 * ISTRIDE, t += 100, WB).hit, 1);
    fe(&f, 5 * ISTRIDE, t += 100, WB); /* evicts L0, the plain LRU line */
    BF_CHECK_EQ(fe(&f, 0, t += 100, WB).hit, 0);
    fx_close(&f);
}

/* The reads of t_dcbs: 0, 8K, 16K, 24K twice, 100 cycles apart; returns the last time. */
static bf_cycles dcbs_rounds(fx *f)
{
    bf_cycles t = 0;
    for (int round = 0; round < 2; round++)
        for (int k = 0; k < 4; k++)
            rd(f, (bf_addr)k * DSTRIDE, t += 100);
    return t;
}

/* DCBS with both banks cache (DMC=11), bit selection. Lines 0, 8K, 16K, 24K all index set 0.
** DCBS=0: A[14] picks the bank: 0 and 8K go to bank A, 16K and 24K to bank B: the four lines fit
** (2 per bank), so the second round hits: 4 misses, 4 hits, 4 accesses per bank.
** DCBS=1: A[23] picks the bank: all four go to bank A, set 0 with 2 ways, cyclic => 8 misses;
** 0x800000 (A[23]=1) goes to bank B. ESTIMATE polarity: A[x]=0 -> bank A. */
static void t_dcbs(void)
{
    fx f;
    fx_config(&f);
    f.c.dmem_control = DMC_AB;
    fx_open(&f);
    bf_cycles t = dcbs_rounds(&f);
    BF_CHECK_EQ(f.st.dread_misses, 4);
    BF_CHECK_EQ(f.st.bank_a_accesses, 4);
    BF_CHECK_EQ(f.st.bank_b_accesses, 4);
    BF_CHECK_EQ(f.st.bank_b_misses, 2);
    fx_close(&f);

    fx_config(&f);
    f.c.dmem_control = DMC_AB | DCBS;
    fx_open(&f);
    t = dcbs_rounds(&f);
    BF_CHECK_EQ(f.st.dread_misses, 8);
    BF_CHECK_EQ(f.st.bank_a_accesses, 8);
    BF_CHECK_EQ(f.st.bank_b_accesses, 0);
    rd(&f, 0x800000u, t += 100);
    BF_CHECK_EQ(f.st.bank_b_accesses, 1);
    fx_close(&f);

    /* The polarity is an ESTIMATE key (dcbs_set_bank_a). With it set, DCBS=0:
    ** A[14] = 0 picks bank B, A[14] = 1 bank A. The same 2 x 4 reads of 0, 8K, 16K, 24K: 0 and
    ** 8K (A[14] = 0) now go to bank B, 16K and 24K to bank A; counts swap between the banks and
    ** the hit/miss totals are the same (the banks are identical): 4 misses, 4 lookups each. The
    ** line at 0x4000 lands in bank A: bank_a_misses = 2 (it was bank B's 2). */
    fx_config(&f);
    f.c.dmem_control = DMC_AB;
    f.c.dcbs_set_bank_a = 1;
    fx_open(&f);
    t = dcbs_rounds(&f);
    BF_CHECK_EQ(f.st.dread_misses, 4);
    BF_CHECK_EQ(f.st.bank_a_accesses, 4);
    BF_CHECK_EQ(f.st.bank_b_accesses, 4);
    BF_CHECK_EQ(f.st.bank_a_misses, 2);
    BF_CHECK_EQ(f.st.bank_b_misses, 2);
    rd(&f, 0x0u, t += 100); /* A[14] = 0: bank B */
    BF_CHECK_EQ(f.st.bank_b_accesses, 5);
    fx_close(&f);
    /* with one cache bank (DMC=10) the key changes nothing: everything goes to bank A */
    fx_config(&f);
    f.c.dmem_control = DMC_A;
    f.c.dcbs_set_bank_a = 1;
    fx_open(&f);
    rd(&f, 0x4000u, 0);
    BF_CHECK_EQ(f.st.bank_a_accesses, 1);
    fx_close(&f);
}

/* Index choice, one bank. Blackfin index: set = sub-bank A[13:12] and A[10:5], so 0x0, 0x800 (A[11]
** is tag) and 0x4000 all index set 0: three lines in two ways, accessed cyclically twice => 6
** misses. Bit selection: set = A[12:5]: 0x800 is set 64, 0x0 and 0x4000 share set 0 and fit =>
** 3 misses. */
static void t_index(void)
{
    static const bf_addr a[] = {0x0, 0x800, 0x4000};
    for (int mode = 0; mode < 2; mode++) {
        fx f;
        fx_config(&f);
        f.c.index_mode = mode == 0 ? BF_L1_INDEX_BLACKFIN : BF_L1_INDEX_BITSEL;
        fx_open(&f);
        bf_cycles t = 0;
        for (int round = 0; round < 2; round++)
            for (int k = 0; k < 3; k++)
                rd(&f, a[k], t += 100);
        BF_CHECK_EQ(f.st.dread_misses, mode == 0 ? 6 : 3);
        fx_close(&f);
    }
    /* I side, Blackfin index: A[13:12] and A[9:5]; 0x0, 0x400, 0x800, 0xC00, 0x4000 share set 0
    ** (5 lines, 4 ways, cyclic twice => 10 misses); bit selection spreads them (5 misses). */
    static const bf_addr ia[] = {0x0, 0x400, 0x800, 0xC00, 0x4000};
    for (int mode = 0; mode < 2; mode++) {
        fx f;
        fx_config(&f);
        f.c.index_mode = mode == 0 ? BF_L1_INDEX_BLACKFIN : BF_L1_INDEX_BITSEL;
        fx_open(&f);
        bf_cycles t = 0;
        for (int round = 0; round < 2; round++)
            for (int k = 0; k < 5; k++)
                fe(&f, ia[k], t += 100, WB);
        BF_CHECK_EQ(f.st.imisses, mode == 0 ? 10 : 5);
        fx_close(&f);
    }
}

/* Write-through. AOW=0: a store miss does not allocate (no fill; 1 write miss, counted in
** noalloc_write_misses) and enters the write buffer (ready t+1, no stall); the following load
** misses and fills. A store hit is written through again and leaves the line clean, so
** evicting it later writes nothing back. AOW=1: a store miss allocates (fill, critical-word
** stall of 20 => ready t+21), then a load hits. Write buffer drains: 3 stores => 3 BF_SRC_WBUF
** writes after finish, and no BF_SRC_VICTIM write. */
static void t_wt(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    bf_cycles t = 100;
    const bf_addr X = 0x100, Y = 0x200;
    bf_resp r = ac(&f, BF_ACC_WRITE, X, 4, t, WT0);
    BF_CHECK_EQ(r.ready, t + 1);
    BF_CHECK_EQ(f.st.dwrite_misses, 1);
    BF_CHECK_EQ(f.st.dnoalloc_writes, 1);
    BF_CHECK_EQ(f.st.dfills, 0);
    BF_CHECK_EQ(ac(&f, BF_ACC_READ, X, 4, t += 100, WT0).hit, 0);
    BF_CHECK_EQ(f.st.dfills, 1);
    ac(&f, BF_ACC_WRITE, X, 4, t += 100, WT0);
    BF_CHECK_EQ(f.st.dwrite_hits, 1);
    BF_CHECK_EQ(f.st.dwt_stores, 2);
    /* evict X's line: two more lines in its set */
    rd(&f, X + DSTRIDE, t += 100);
    rd(&f, X + 2 * DSTRIDE, t += 100);
    BF_CHECK_EQ(f.st.devictions, 1);
    BF_CHECK_EQ(f.st.dwritebacks, 0);

    t += 100;
    r = ac(&f, BF_ACC_WRITE, Y, 4, t, WT1);
    BF_CHECK_EQ(r.ready, t + 21);
    BF_CHECK_EQ(f.st.dwrite_misses, 2);
    BF_CHECK_EQ(f.st.dnoalloc_writes, 1);
    BF_CHECK_EQ(ac(&f, BF_ACC_READ, Y, 4, t += 100, WT1).hit, 1);
    bf_cycles done;
    BF_CHECK_EQ(bf_l1_finish(f.l1, t, &done), BF_OK);
    BF_CHECK_EQ(fake_count(&f.ext, BF_SRC_WBUF, BF_ACC_WRITE), 3);
    BF_CHECK_EQ(fake_count(&f.ext, BF_SRC_VICTIM, -1), 0);
    BF_CHECK_EQ(f.st.dwt_stores, 3);
    fx_close(&f);
}

/* Write-back eviction of a dirty line: store A (miss, allocate, dirty), load B, load C in the same
** set: C evicts A (LRU), A is dirty => one 32-byte BF_SRC_VICTIM write of A's line, issued after
** C's fill (reads before the victim write-back), at C's miss time. */
static void t_wb_evict(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    const bf_addr A = 0x40, B = A + DSTRIDE, C = A + 2 * DSTRIDE;
    bf_cycles t = 0;
    ac(&f, BF_ACC_WRITE, A + 4, 4, t += 100, WB);
    rd(&f, B, t += 100);
    bf_cycles tc = t += 100;
    rd(&f, C, tc);
    BF_CHECK_EQ(f.st.dwritebacks, 1);
    BF_CHECK_EQ(f.st.devictions, 1);
    bf_cycles done;
    bf_l1_finish(f.l1, tc + 1, &done);
    BF_CHECK_EQ(fake_count(&f.ext, BF_SRC_VICTIM, BF_ACC_WRITE), 1);
    const fake_rec *last = &f.ext.log[f.ext.n - 1];
    BF_CHECK_EQ(last->source, BF_SRC_VICTIM);
    BF_CHECK_EQ(last->addr, A);
    BF_CHECK_EQ(last->size, 32);
    BF_CHECK(last->now >= tc);
    const fake_rec *fill = &f.ext.log[f.ext.n - 2];
    BF_CHECK_EQ(fill->source, BF_SRC_FILL);
    BF_CHECK_EQ(fill->addr, C);
    BF_CHECK_EQ(last->now, tc); /* queued at C's miss, issued right after C's fill */
    BF_CHECK_EQ(done, tc + 50); /* finish waits for the victim write (tc+10) and C's fill */
    fx_close(&f);
}

/* FLUSH then reload: store A (dirty); FLUSH A writes the line back (victim buffer) and keeps it
** valid, so reloading A hits with no new fill; a second FLUSH of the now clean line writes
** nothing. FLUSHINV: store A (hit, dirty again), FLUSHINV writes back and invalidates, so
** reloading A misses and fills. FLUSHINV of a clean line only invalidates. Each op costs
** cacheop_cycles = 1 with an empty victim buffer. */
static void t_flush(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    const bf_addr A = 0x1000;
    bf_cycles t = 0;
    ac(&f, BF_ACC_WRITE, A, 4, t += 100, WB);
    t += 100;
    BF_CHECK_EQ(op(&f, BF_OP_FLUSH, A, t).ready, t + 1);
    BF_CHECK_EQ(f.st.dwritebacks, 1);
    BF_CHECK_EQ(rd(&f, A, t += 100).hit, 1);
    BF_CHECK_EQ(f.st.dfills, 1);
    op(&f, BF_OP_FLUSH, A, t += 100);
    BF_CHECK_EQ(f.st.dwritebacks, 1);

    ac(&f, BF_ACC_WRITE, A, 4, t += 100, WB);
    BF_CHECK_EQ(f.st.dwrite_hits, 1);
    op(&f, BF_OP_FLUSHINV, A, t += 100);
    BF_CHECK_EQ(f.st.dwritebacks, 2);
    BF_CHECK_EQ(rd(&f, A, t += 100).hit, 0);
    BF_CHECK_EQ(f.st.dfills, 2);
    op(&f, BF_OP_FLUSHINV, A, t += 100);
    BF_CHECK_EQ(f.st.dwritebacks, 2);
    BF_CHECK_EQ(rd(&f, A, t += 100).hit, 0);
    BF_CHECK_EQ(f.st.op_flush, 2);
    BF_CHECK_EQ(f.st.op_flushinv, 2);
    /* IFLUSH invalidates an I line: fetch, IFLUSH, fetch again misses */
    fe(&f, 0x3000, t += 100, WB);
    op(&f, BF_OP_IFLUSH, 0x3000, t += 100);
    BF_CHECK_EQ(fe(&f, 0x3000, t += 100, WB).hit, 0);
    BF_CHECK_EQ(f.st.iflushed, 1);
    bf_cycles done;
    bf_l1_finish(f.l1, t, &done);
    BF_CHECK_EQ(fake_count(&f.ext, BF_SRC_VICTIM, BF_ACC_WRITE), 2);
    fx_close(&f);
}

/* Write-buffer forwarding, uncached page. Store 4 bytes at 0x1000 at t=0: its drain starts at 0
** and is done at 10. A load of 0x1000 at t=1 finds it still in the buffer: forwarded, ready 2, no
** external read. A load of 0x2000 at t=2 goes out: ready 2+20+1 = 23. A load of 0x1000 at
** t=100 (drained at 10) goes out too. A load overlapping the entry only partly goes out. */
static void t_forward(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    BF_CHECK_EQ(ac(&f, BF_ACC_WRITE, 0x1000, 4, 0, UNC).ready, 1);
    bf_resp r = ac(&f, BF_ACC_READ, 0x1000, 4, 1, UNC);
    BF_CHECK_EQ(r.ready, 2);
    BF_CHECK_EQ(r.hit, 1);
    BF_CHECK_EQ(f.st.wbuf_forwards, 1);
    BF_CHECK_EQ(fake_count(&f.ext, BF_SRC_CORE, BF_ACC_READ), 0);
    BF_CHECK_EQ(ac(&f, BF_ACC_READ, 0x2000, 4, 2, UNC).ready, 23);
    BF_CHECK_EQ(ac(&f, BF_ACC_READ, 0x1000, 2, 100, UNC).ready, 121);
    BF_CHECK_EQ(fake_count(&f.ext, BF_SRC_CORE, BF_ACC_READ), 2);
    BF_CHECK_EQ(f.st.wbuf_forwards, 1);
    BF_CHECK_EQ(f.st.stall_uncached, 40);
    BF_CHECK_EQ(f.st.ureads, 3);
    BF_CHECK_EQ(f.st.uwrites, 1);
    ac(&f, BF_ACC_WRITE, 0x3000, 2, 200, UNC);
    ac(&f, BF_ACC_READ, 0x3000, 4, 201, UNC); /* 4 bytes, entry holds 2: not forwarded */
    BF_CHECK_EQ(f.st.wbuf_forwards, 1);
    fx_close(&f);
}

/* SSYNC. Empty buffers: ready = t + ssync_cycles (10), no drain stall.
** Full write buffer (depth 6, uncached 4-byte stores at t=0..5): drains are serial, entry i runs
** from 10i to 10(i+1). SSYNC at t=6 waits for the last one (done 60): stall 54, ready 70.
** Separately, a 7th store at t=6 finds the buffer full and waits for entry 0 (done 10): stall
** 4, ready 11. CSYNC costs csync_cycles (10) and drains nothing. */
static void t_ssync(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    BF_CHECK_EQ(op(&f, BF_OP_SSYNC, 0, 100).ready, 110);
    BF_CHECK_EQ(f.st.stall_ssync_drain, 0);
    BF_CHECK_EQ(op(&f, BF_OP_CSYNC, 0, 200).ready, 210);
    fx_close(&f);

    fx_config(&f);
    fx_open(&f);
    for (bf_cycles t = 0; t < 6; t++)
        BF_CHECK_EQ(ac(&f, BF_ACC_WRITE, 0x100 + 4 * (bf_addr)t, 4, t, UNC).ready, t + 1);
    bf_resp r = op(&f, BF_OP_SSYNC, 0, 6);
    BF_CHECK_EQ(r.ready, 70);
    BF_CHECK_EQ(f.st.stall_ssync_drain, 54);
    BF_CHECK_EQ(f.st.ssync_cycles, 64);
    BF_CHECK_EQ(fake_count(&f.ext, BF_SRC_WBUF, BF_ACC_WRITE), 6);
    BF_CHECK_EQ(f.ext.log[5].now, 50);
    fx_close(&f);

    fx_config(&f);
    fx_open(&f);
    for (bf_cycles t = 0; t < 6; t++)
        ac(&f, BF_ACC_WRITE, 0x100 + 4 * (bf_addr)t, 4, t, UNC);
    r = ac(&f, BF_ACC_WRITE, 0x200, 4, 6, UNC);
    BF_CHECK_EQ(r.ready, 11);
    BF_CHECK_EQ(f.st.stall_wbuf_full, 4);
    BF_CHECK_EQ(f.st.wbuf_full, 1);
    fx_close(&f);

    /* SSYNC also waits for line fills in flight. PREFETCH of line 0x400 at
    ** t=100 costs 1 (ready 101); its fill runs to 100 + line latency 50 = 150. SSYNC at 101
    ** waits for it: stall 49, ready 150 + 10 = 160 (it was 111, ignoring the fill). A load miss
    ** of 0x800 at 200 is ready at its critical word, 221; SSYNC at 221 waits for the rest of the
    ** fill to 250: stall 29, ready 260. Total ssync_drain stall 49 + 29 = 78. */
    fx_config(&f);
    fx_open(&f);
    BF_CHECK_EQ(op(&f, BF_OP_PREFETCH, 0x400, 100).ready, 101);
    BF_CHECK_EQ(op(&f, BF_OP_SSYNC, 0, 101).ready, 160);
    BF_CHECK_EQ(f.st.stall_ssync_drain, 49);
    BF_CHECK_EQ(rd(&f, 0x800, 200).ready, 221);
    BF_CHECK_EQ(op(&f, BF_OP_SSYNC, 0, 221).ready, 260);
    BF_CHECK_EQ(f.st.stall_ssync_drain, 49 + 29);
    fx_close(&f);
}

/* L1 SRAM versus cache (reference section 2). DMC=10, IMC=1:
**   load 0xFF804000 (bank A SRAM/cache half, now cache)  -> BF_FAULT_L1_ILLEGAL
**   load 0xFF904000 (bank B SRAM/cache half, still SRAM) -> SRAM access, ready t+1
**   fetch 0xFFA10000 (I SRAM/cache half, now cache)      -> fault
**   load 0xFFA00000 (instruction SRAM)                   -> fault; fetch from it is fine
**   fetch 0xFF800000 (data SRAM)                         -> fault, EXCAUSE 0x2B
**   DMA read of the scratchpad                           -> fault; a core load is fine
**   load 0x30000000 (reserved)                           -> BF_FAULT_HWERR_EXTERN
** Faults are never stalls: ready = t + 1. With DMC=00 the bank A half is SRAM again. */
static void t_sram_fault(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    bf_resp r = rd(&f, 0xFF804000u, 10);
    BF_CHECK_EQ(r.fault, BF_FAULT_L1_ILLEGAL);
    BF_CHECK_EQ(r.fault_addr, 0xFF804000u);
    BF_CHECK_EQ(r.ready, 11);
    r = rd(&f, 0xFF904000u, 20);
    BF_CHECK_EQ(r.fault, BF_FAULT_NONE);
    BF_CHECK_EQ(r.ready, 21);
    BF_CHECK_EQ(r.hit, 1);
    BF_CHECK_EQ(fe(&f, 0xFFA10000u, 30, WB).fault, BF_FAULT_L1_ILLEGAL);
    BF_CHECK_EQ(rd(&f, 0xFFA00000u, 40).fault, BF_FAULT_L1_ILLEGAL);
    BF_CHECK_EQ(fe(&f, 0xFFA00000u, 50, WB).fault, BF_FAULT_NONE);
    r = fe(&f, 0xFF800000u, 60, WB);
    BF_CHECK_EQ(r.fault, BF_FAULT_L1_ILLEGAL);
    BF_CHECK_EQ(r.excause, 0x2B);
    bf_req rq;
    memset(&rq, 0, sizeof rq);
    rq.addr = 0xFFB00010u;
    rq.size = 4;
    rq.source = BF_SRC_DMA;
    rq.now = 70;
    BF_CHECK_EQ(bf_l1_access(f.l1, &rq, &r), BF_OK);
    BF_CHECK_EQ(r.fault, BF_FAULT_L1_ILLEGAL);
    BF_CHECK_EQ(rd(&f, 0xFFB00010u, 80).fault, BF_FAULT_NONE);
    BF_CHECK_EQ(rd(&f, 0x30000000u, 90).fault, BF_FAULT_HWERR_EXTERN);
    BF_CHECK_EQ(f.st.faults, 6);
    BF_CHECK_EQ(f.st.rgn[BF_RGN_L1_DATA_A_CACHE], 1);
    BF_CHECK_EQ(f.st.rgn[BF_RGN_SCRATCH], 2);
    BF_CHECK_EQ(f.st.rgn[BF_RGN_RESERVED], 1);
    BF_CHECK_EQ(f.st.sram_accesses, 3);
    BF_CHECK_EQ(f.ext.n, 0); /* nothing left L1 */
    BF_CHECK_EQ(bf_l1_write_dmem_control(f.l1, 0, 100), BF_OK);
    BF_CHECK_EQ(rd(&f, 0xFF804000u, 100).fault, BF_FAULT_NONE);
    BF_CHECK_EQ(bf_l1_write_imem_control(f.l1, 0, 100), BF_OK);
    BF_CHECK_EQ(fe(&f, 0xFFA10000u, 110, WB).fault, BF_FAULT_NONE);
    fx_close(&f);
}

/* DMC toggle: store A (dirty), DMC 10 -> 00 -> 10: the D-cache is invalidated without
** write-back (l1.dcache.dirty_dropped = 1, no BF_SRC_VICTIM write ever), and A misses again.
** While DMC=00 a cacheable load goes out uncached. DMC=01 is refused (BF_EINPUT) and changes
** nothing; DCBS alone with one cache bank does not invalidate. The IMC toggle does the same to
** the I-cache. A DMA read of SDRAM bypasses the caches: one BF_SRC_DMA request on ext, no D-cache
** lookup, ready when ext says (t + 20). */
static void t_dmc_toggle(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    const bf_addr A = 0x500;
    bf_cycles t = 0;
    ac(&f, BF_ACC_WRITE, A, 4, t += 100, WB);
    BF_CHECK_EQ(bf_l1_write_dmem_control(f.l1, 1u << 2, t), BF_EINPUT);
    BF_CHECK_EQ(rd(&f, A, t += 100).hit, 1);
    BF_CHECK_EQ(bf_l1_write_dmem_control(f.l1, 0, t), BF_OK);
    BF_CHECK_EQ(f.st.dinval, 1);
    BF_CHECK_EQ(f.st.dinval_dirty, 1);
    rd(&f, A, t += 100);
    BF_CHECK_EQ(f.st.ureads, 1);
    BF_CHECK_EQ(bf_l1_write_dmem_control(f.l1, DMC_A, t), BF_OK);
    BF_CHECK_EQ(f.st.dinval, 2);
    /* DCBS alone, with only bank A cache, changes no mapping: no invalidation */
    BF_CHECK_EQ(bf_l1_write_dmem_control(f.l1, DMC_A | DCBS, t), BF_OK);
    BF_CHECK_EQ(f.st.dinval, 2);
    BF_CHECK_EQ(rd(&f, A, t += 100).hit, 0);
    BF_CHECK_EQ(f.st.dfills, 2);
    fe(&f, 0x9000, t += 100, WB);
    BF_CHECK_EQ(fe(&f, 0x9000, t += 100, WB).hit, 1);
    bf_l1_write_imem_control(f.l1, 0, t);
    bf_l1_write_imem_control(f.l1, IMC, t);
    BF_CHECK_EQ(f.st.iinval, 2);
    BF_CHECK_EQ(fe(&f, 0x9000, t += 100, WB).hit, 0);
    uint64_t lookups = f.st.dreads + f.st.dwrites;
    bf_req dq;
    memset(&dq, 0, sizeof dq);
    dq.addr = 0x7000;
    dq.size = 4;
    dq.source = BF_SRC_DMA;
    dq.now = t += 100;
    bf_resp dr;
    BF_CHECK_EQ(bf_l1_access(f.l1, &dq, &dr), BF_OK);
    BF_CHECK_EQ(dr.ready, t + 20);
    BF_CHECK_EQ(f.st.dreads + f.st.dwrites, lookups);
    BF_CHECK_EQ(f.st.dma_accesses, 1);
    BF_CHECK_EQ(fake_count(&f.ext, BF_SRC_DMA, BF_ACC_READ), 1);
    bf_cycles done;
    bf_l1_finish(f.l1, t, &done);
    BF_CHECK_EQ(fake_count(&f.ext, BF_SRC_VICTIM, -1), 0);
    /* BF531 has no bank B */
    bf_l1_config c;
    bf_l1_config_default(&c);
    c.part = BF_PART_BF531;
    c.dmem_control = DMC_A;
    bf_l1 *l1;
    bf_port p = {fake_xfer, &f.ext};
    BF_CHECK_EQ(bf_l1_create(&c, p, NULL, &l1), BF_OK);
    BF_CHECK_EQ(bf_l1_write_dmem_control(l1, DMC_AB, 0), BF_EINPUT);
    bf_l1_destroy(l1);
    fx_close(&f);
}

/* A reference at 0x1C of 8 bytes straddles lines 0 and 1.
** DineroIV convention (compat none): two accesses, two misses; again: two hits.
** Cachegrind (compat cachegrind): one access, one miss; again one hit. Then line 1 alone is
** evicted (two other lines in its set); the straddling read looks up both, line 0 hits and line
** 1 misses: one access, one miss; then line 0 is evicted and line 1 kept: one more miss. */
static void t_straddle(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    bf_cycles t = 0;
    ac(&f, BF_ACC_READ, 0x1C, 8, t += 100, WB);
    BF_CHECK_EQ(f.st.dreads, 2);
    BF_CHECK_EQ(f.st.dread_misses, 2);
    ac(&f, BF_ACC_READ, 0x1C, 8, t += 100, WB);
    BF_CHECK_EQ(f.st.dreads, 4);
    BF_CHECK_EQ(f.st.dread_misses, 2);
    ac(&f, BF_ACC_IFETCH, 0x3E, 4, t += 100, WB);
    BF_CHECK_EQ(f.st.ifetches, 2);
    BF_CHECK_EQ(f.st.imisses, 2);
    fx_close(&f);

    fx_config(&f);
    fx_open(&f);
    f.rf = BF_REQ_WHOLEREF; /* the replay's --compat=cachegrind convention */
    t = 0;
    ac(&f, BF_ACC_READ, 0x1C, 8, t += 100, WB);
    BF_CHECK_EQ(f.st.dreads, 1);
    BF_CHECK_EQ(f.st.dread_misses, 1);
    BF_CHECK_EQ(f.st.dfills, 2);
    ac(&f, BF_ACC_READ, 0x1C, 8, t += 100, WB);
    BF_CHECK_EQ(f.st.dreads, 2);
    BF_CHECK_EQ(f.st.dread_misses, 1);
    rd(&f, 0x20 + DSTRIDE, t += 100);
    rd(&f, 0x20 + 2 * DSTRIDE, t += 100);
    ac(&f, BF_ACC_READ, 0x1C, 8, t += 100, WB);
    BF_CHECK_EQ(f.st.dreads, 5);
    BF_CHECK_EQ(f.st.dread_misses, 4);
    rd(&f, DSTRIDE, t += 100);
    rd(&f, 2 * DSTRIDE, t += 100);
    ac(&f, BF_ACC_WRITE, 0x1C, 8, t += 100, WB);
    BF_CHECK_EQ(f.st.dwrites, 1);
    BF_CHECK_EQ(f.st.dwrite_misses, 1);
    ac(&f, BF_ACC_IFETCH, 0x3E, 4, t += 100, WB);
    BF_CHECK_EQ(f.st.ifetches, 1);
    BF_CHECK_EQ(f.st.imisses, 1);
    fx_close(&f);
}

/* Critical word first and the line in flight. A load of 0x18 (64-bit word 3) at t=0: the fill
** is requested at 0x18; the word is there at 20 (ready 21); word k after it in wrap order
** arrives at 20 + 30k/3, so a load of 0x00 (word 0, k=1) at t=21 waits until 30 (ready 31),
** and of 0x10 (word 2, k=3) at 31 waits until 50 (ready 51). Without critical-word-first the
** request is for the line base and the load waits for the whole line: ready 51.
** PREFETCH of a new line at t=100 costs 1 cycle; a load of its word 0 at t=105 waits for it
** until 120. A miss at 200 fills until 250; a PREFETCH at 221 waits for that fill (29 cycles
** of fill_busy), ready 251. */
static void t_fill(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    BF_CHECK_EQ(rd(&f, 0x18, 0).ready, 21);
    BF_CHECK_EQ(f.ext.log[0].addr, 0x18);
    BF_CHECK_EQ(rd(&f, 0x00, 21).ready, 31);
    BF_CHECK_EQ(rd(&f, 0x10, 31).ready, 51);
    BF_CHECK_EQ(f.st.stall_fill, 20 + 9 + 19);
    BF_CHECK_EQ(op(&f, BF_OP_PREFETCH, 0x400, 100).ready, 101);
    BF_CHECK_EQ(rd(&f, 0x400, 105).ready, 121);
    BF_CHECK_EQ(f.st.dprefetch_fills, 1);
    BF_CHECK_EQ(rd(&f, 0x800, 200).ready, 221);
    BF_CHECK_EQ(op(&f, BF_OP_PREFETCH, 0xC00, 221).ready, 251);
    BF_CHECK_EQ(f.st.stall_fill_busy, 29);
    /* a second miss waits for the fill in progress: miss at 300 (fill to 350), miss at 321 */
    rd(&f, 0x1000, 300);
    BF_CHECK_EQ(rd(&f, 0x1400, 321).ready, 350 + 20 + 1);
    BF_CHECK_EQ(f.st.stall_fill_busy, 29 + 29);
    fx_close(&f);

    fx_config(&f);
    f.c.critical_word_first = 0;
    fx_open(&f);
    BF_CHECK_EQ(rd(&f, 0x18, 0).ready, 51);
    BF_CHECK_EQ(f.ext.log[0].addr, 0x00);
    fx_close(&f);
}

/* ---------------------------------------------------------------- random runs */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static uint64_t stall_sum(const bf_l1_stats *s)
{
    return s->stall_fill + s->stall_fill_busy + s->stall_wbuf_full + s->stall_victim_full +
           s->stall_uncached + s->stall_ssync_drain;
}

/* The accounting contract of bf_l1.h, over 200k random calls in several configurations: for
** every access, ready - now - hit_cycles (core MMR: refused, BF_EINPUT) equals the growth of the
** l1.stall.* sum; for every op, ready - now - (ssync/csync/cacheop cycles) does. Also: ext
** sees non-decreasing issue times and bf_l1_check holds throughout. */
static void t_stall_invariant(void)
{
    for (int cfgi = 0; cfgi < 4; cfgi++) {
        fx f;
        fx_config(&f);
        f.c.dmem_control = cfgi & 1 ? DMC_AB : DMC_A;
        f.c.index_mode = cfgi & 2 ? BF_L1_INDEX_BLACKFIN : BF_L1_INDEX_BITSEL;
        f.c.wbuf_depth = 1 + (uint32_t)cfgi * 2;
        f.c.victim_depth = 1 + (uint32_t)cfgi % 2;
        f.c.critical_word_first = cfgi != 3;
        uint32_t rf = cfgi == 2 ? BF_REQ_WHOLEREF : 0; /* whole-reference counting */
        f.c.classify_misses = cfgi == 1;
        f.c.hit_cycles = cfgi == 3 ? 2 : 1;
        fx_open(&f);
        static const uint32_t fl[] = {WB, WT0, WT1, UNC, PRIO, 0};
        bf_cycles now = 0;
        unsigned long bad = 0;
        for (int i = 0; i < 50000; i++) {
            uint32_t r = rnd();
            bf_req rq;
            memset(&rq, 0, sizeof rq);
            uint32_t sel = r % 100;
            rq.addr = (rnd() % (96 * 1024)) & ~3u;
            if (sel < 3)
                rq.addr = 0xFF800000u + (rnd() % 0x8000);
            else if (sel < 5)
                rq.addr = 0xFFC00000u + (rnd() % 64) * 4;
            else if (sel < 6)
                rq.addr = 0xFFE00000u + (rnd() % 64) * 4;
            rq.size = 1u << (rnd() % 4);
            rq.kind = (uint8_t)(rnd() % 3);
            rq.flags = fl[rnd() % BF_ARRAY_SIZE(fl)] | rf;
            rq.now = now;
            bf_resp rs;
            uint64_t before = stall_sum(&f.st);
            if (sel >= 96) {
                int o = (int)(rnd() % 6);
                BF_CHECK_EQ(bf_l1_op(f.l1, o, &rq, &rs), BF_OK);
                uint32_t cost = o == BF_OP_SSYNC   ? f.c.ssync_cycles
                                : o == BF_OP_CSYNC ? f.c.csync_cycles
                                                   : f.c.cacheop_cycles;
                bad += rs.ready - now - cost != stall_sum(&f.st) - before;
            } else if (sel == 95) {
                uint32_t dm = (rnd() & 1) ? DMC_A : f.c.dmem_control;
                bf_l1_write_dmem_control(f.l1, dm | (rnd() & DCBS), now);
                bf_l1_write_imem_control(f.l1, IMC | ILOC(rnd() & 7), now);
                continue;
            } else {
                if (rq.addr >= 0xFFE00000u) { /* core MMRs are the stage in front of L1's */
                    BF_CHECK_EQ(bf_l1_access(f.l1, &rq, &rs), BF_EINPUT);
                    BF_CHECK_EQ(stall_sum(&f.st), before);
                    continue;
                }
                BF_CHECK_EQ(bf_l1_access(f.l1, &rq, &rs), BF_OK);
                bad += rs.ready - now - f.c.hit_cycles != stall_sum(&f.st) - before;
            }
            now = rs.ready + rnd() % 3; /* in-order core: the next request after this one */
            if (i % 997 == 0 && bf_l1_check(f.l1)) {
                BF_CHECK(bf_l1_check(f.l1) == NULL);
                break;
            }
        }
        BF_CHECK_EQ(bad, 0);
        bf_cycles done;
        BF_CHECK_EQ(bf_l1_finish(f.l1, now, &done), BF_OK);
        BF_CHECK(done >= now);
        fx_close(&f);
    }
}

/* Reference LRU cache for the cross-check: per set an MRU-first array of tags (cg_sim.c style,
** written independently of the model). 0xFFFFFFFF = empty. */
typedef struct ref_cache {
    uint32_t sets, ways;
    uint32_t *tag;
} ref_cache;

static void ref_init(ref_cache *c, uint32_t sets, uint32_t ways)
{
    c->sets = sets;
    c->ways = ways;
    c->tag = malloc(sizeof *c->tag * sets * ways);
    memset(c->tag, 0xFF, sizeof *c->tag * sets * ways);
}

static int ref_line(ref_cache *c, uint32_t line)
{
    uint32_t *s = &c->tag[(line & (c->sets - 1)) * c->ways];
    uint32_t i;
    for (i = 0; i < c->ways && s[i] != line; i++)
        ;
    int miss = i == c->ways;
    if (miss)
        i = c->ways - 1;
    memmove(&s[1], &s[0], sizeof *s * i);
    s[0] = line;
    return miss;
}

/* Fully-associative LRU reference (linear, MRU first). */
typedef struct ref_fa {
    uint32_t n, cap;
    uint32_t *tag;
} ref_fa;

static int ref_fa_line(ref_fa *c, uint32_t line)
{
    uint32_t i;
    for (i = 0; i < c->n && c->tag[i] != line; i++)
        ;
    int miss = i == c->n;
    if (miss) {
        if (c->n < c->cap)
            c->n++;
        i = c->n - 1;
    }
    memmove(&c->tag[1], &c->tag[0], sizeof *c->tag * i);
    c->tag[0] = line;
    return miss;
}

/* 200k random references (loads, stores, fetches; sizes 1..16 so some straddle lines; a mix of
** a hot 12 KB region, a 64 KB region and sequential runs) through the bit-selection config with
** one 16 KB 2-way D bank and the 16 KB 4-way I-cache, all write-back cacheable, against the
** reference LRU caches above. In both conventions the model's counts must equal the
** reference's exactly; with classify_misses, the compulsory / capacity / conflict split must
** equal the one computed with a linear fully-associative LRU and a first-touch table. */
static void t_crosscheck(void)
{
    for (int compat = 0; compat < 2; compat++) {
        fx f;
        fx_config(&f);
        f.c.classify_misses = 1;
        f.c.sdram_bytes = 64u << 20;
        fake_init(&f.ext, 0);
        bf_port p = {fake_xfer, &f.ext};
        BF_CHECK_EQ(bf_l1_create(&f.c, p, &f.st, &f.l1), BF_OK);
        ref_cache rd_, ri;
        ref_init(&rd_, 256, 2);
        ref_init(&ri, 128, 4);
        ref_fa fad = {0, 512, calloc(512, 4)}, fai = {0, 512, calloc(512, 4)};
        uint8_t *seen_d = calloc(1u << 21, 1), *seen_i = calloc(1u << 21, 1);
        uint64_t n[3] = {0}, m[3] = {0}, cls[2][3] = {{0}};
        rng_state = 0x1234567ull + (uint64_t)compat;
        bf_cycles now = 0;
        bf_addr seq = 0x100000;
        for (int i = 0; i < 200000; i++) {
            uint32_t r = rnd() % 10;
            bf_addr a;
            if (r < 4)
                a = rnd() % (12 * 1024);
            else if (r < 7)
                a = 0x40000 + rnd() % (64 * 1024);
            else
                a = seq += 4 + rnd() % 8;
            uint32_t size = 1 + rnd() % 16;
            int kind = (int)(rnd() % 3);
            bf_req rq;
            memset(&rq, 0, sizeof rq);
            rq.addr = a;
            rq.size = size;
            rq.kind = (uint8_t)kind;
            rq.flags = compat ? BF_REQ_WHOLEREF : 0;
            rq.now = now;
            bf_resp rs;
            bf_l1_access(f.l1, &rq, &rs);
            now = rs.ready;
            ref_cache *rc = kind == BF_ACC_IFETCH ? &ri : &rd_;
            ref_fa *fa = kind == BF_ACC_IFETCH ? &fai : &fad;
            uint8_t *seen = kind == BF_ACC_IFETCH ? seen_i : seen_d;
            int ci = kind == BF_ACC_IFETCH;
            uint32_t l0 = a >> 5, l1 = (a + size - 1) >> 5;
            int any = 0, any_cls = -1;
            for (uint32_t l = l0; l <= l1; l++) {
                int first = !seen[l];
                seen[l] = 1;
                int fam = ref_fa_line(fa, l);
                int miss = ref_line(rc, l);
                int c = first ? 0 : fam ? 1 : 2;
                if (!compat) {
                    n[kind]++;
                    m[kind] += (uint64_t)miss;
                    if (miss)
                        cls[ci][c]++;
                } else if (miss && !any) {
                    any_cls = c;
                }
                any |= miss;
            }
            if (compat) {
                n[kind]++;
                m[kind] += (uint64_t)any;
                if (any)
                    cls[ci][any_cls]++;
            }
        }
        BF_CHECK_EQ(f.st.dreads, n[BF_ACC_READ]);
        BF_CHECK_EQ(f.st.dwrites, n[BF_ACC_WRITE]);
        BF_CHECK_EQ(f.st.ifetches, n[BF_ACC_IFETCH]);
        BF_CHECK_EQ(f.st.dread_misses, m[BF_ACC_READ]);
        BF_CHECK_EQ(f.st.dwrite_misses, m[BF_ACC_WRITE]);
        BF_CHECK_EQ(f.st.imisses, m[BF_ACC_IFETCH]);
        BF_CHECK_EQ(f.st.dmiss_comp, cls[0][0]);
        BF_CHECK_EQ(f.st.dmiss_cap, cls[0][1]);
        BF_CHECK_EQ(f.st.dmiss_conf, cls[0][2]);
        BF_CHECK_EQ(f.st.imiss_comp, cls[1][0]);
        BF_CHECK_EQ(f.st.imiss_cap, cls[1][1]);
        BF_CHECK_EQ(f.st.imiss_conf, cls[1][2]);
        BF_CHECK(m[BF_ACC_READ] > 1000 && cls[0][2] > 100 && cls[0][1] > 100); /* not trivial */
        fprintf(stderr, "compat=%d: reads %llu/%llu misses, writes %llu/%llu, fetches %llu/%llu\n",
                compat, (unsigned long long)n[0], (unsigned long long)m[0],
                (unsigned long long)n[1], (unsigned long long)m[1], (unsigned long long)n[2],
                (unsigned long long)m[2]);
        free(rd_.tag);
        free(ri.tag);
        free(fad.tag);
        free(fai.tag);
        free(seen_d);
        free(seen_i);
        BF_CHECK(bf_l1_check(f.l1) == NULL);
        bf_l1_destroy(f.l1);
    }
}

/* bf_l1_hit (the replay fast path) against bf_l1_access: two models fed the same 100k random
** references (fetches, loads, stores of 1..8 bytes; write-back, write-through with and without
** allocate-on-write, uncached and L1 SRAM pages; some issued while a fill is in flight; SSYNCs),
** one asking bf_l1_hit first. Every ready time, every statistic and the external traffic agree,
** in both counting conventions and both index layouts. */
static void t_fast_hit(void)
{
    static const uint32_t attrs[] = {
        BF_REQ_ATTR_KNOWN | BF_REQ_CACHEABLE, BF_REQ_ATTR_KNOWN | BF_REQ_CACHEABLE | BF_REQ_WT,
        BF_REQ_ATTR_KNOWN | BF_REQ_CACHEABLE | BF_REQ_WT | BF_REQ_AOW, BF_REQ_ATTR_KNOWN};
    for (int v = 0; v < 4; v++) {
        fx f[2];
        for (int k = 0; k < 2; k++) {
            fx_config(&f[k]);
            f[k].c.index_mode = v & 2 ? BF_L1_INDEX_BLACKFIN : BF_L1_INDEX_BITSEL;
            f[k].c.dmem_control = v & 2 ? DMC_AB : DMC_A;
            f[k].c.sdram_bytes = 64u << 20;
            fake_init(&f[k].ext, 0);
            bf_port p = {fake_xfer, &f[k].ext};
            BF_CHECK_EQ(bf_l1_create(&f[k].c, p, &f[k].st, &f[k].l1), BF_OK);
            f[k].rf = v & 1 ? BF_REQ_WHOLEREF : 0; /* both counting conventions */
        }
        rng_state = 0xFA57ull + (uint64_t)v;
        bf_cycles now = 0;
        bf_addr seq = 0x100000;
        int fast = 0;
        for (int i = 0; i < 100000; i++) {
            uint32_t r = rnd() % 20;
            bf_addr a = r < 8    ? rnd() % (12 * 1024)
                        : r < 12 ? 0x40000 + rnd() % (64 * 1024)
                        : r < 19 ? (seq += 2 + rnd() % 6)
                                 : 0xFF800000u + rnd() % 4096;
            uint32_t size = 1 + rnd() % 8;
            int kind = (int)(rnd() % 3);
            uint32_t at = attrs[(a >> 14) % 4];
            if (rnd() % 500 == 0) {
                bf_req op;
                memset(&op, 0, sizeof op);
                op.now = now;
                bf_resp o0, o1;
                BF_CHECK_EQ(bf_l1_op(f[0].l1, BF_OP_SSYNC, &op, &o0),
                            bf_l1_op(f[1].l1, BF_OP_SSYNC, &op, &o1));
                BF_CHECK_EQ(o0.ready, o1.ready);
                now = o0.ready;
                continue;
            }
            bf_cycles ready0 = 0;
            if (bf_l1_hit(f[0].l1, kind, a, size, at | f[0].rf, now, &ready0))
                fast++;
            else
                ready0 = ac(&f[0], kind, a, size, now, at).ready;
            bf_resp rs = ac(&f[1], kind, a, size, now, at);
            BF_CHECK_EQ(ready0, rs.ready);
            /* the core goes on at the access's ready time (the critical word of a fill: the rest
            ** of the line is still in flight), sometimes issuing the next access one cycle
            ** earlier (a data access attached to its fetch, sim/bf_replay.c rule 1) */
            bf_cycles next = rs.ready - (rnd() % 4 == 0 && rs.ready > 0);
            if (next > now)
                now = next;
        }
        BF_CHECK(fast > 30000);
        BF_CHECK(memcmp(&f[0].st, &f[1].st, sizeof f[0].st) == 0);
        BF_CHECK_EQ(f[0].ext.last, f[1].ext.last);
        BF_CHECK(f[0].st.stall_fill > 0); /* words of lines in flight were waited for */
        fx_close(&f[0]);
        fx_close(&f[1]);
    }
}

/* Uncached fetches read aligned 64-bit blocks (fake external memory: a read is
** ready 20 cycles after it is issued; hit_cycles 1). Four 16-bit fetches 0x1000, 0x1002,
** 0x1004, 0x1006 at t = 0, 21, 22, 23: the first reads block 0x1000 (8 bytes), ready 20 -> 21;
** the other three are inside it: no external read, ready t + 1 (22, 23, 24). 0x1008 at 24
** reads block 0x1008: 24 + 20 + 1 = 45. A 32-bit fetch at 0x100C (still in block 0x1008) at 45:
** ready 46. A 32-bit fetch at 0x100E at 46 spans blocks 0x1008 (reused) and 0x1010 (read):
** ready 46 + 21 = 67. Then 0x1000 at 67: block 0x1000 is no longer the last one: read again,
** 88. Totals: 8 fetches, 4 block reads of 8 bytes, 5 reuses; uncached stall 20 * 4 = 80. An
** IFLUSH of the line forgets the block: 0x1002 at 100 after IFLUSH 0x1000 reads it again. */
static void t_ufetch_block(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    BF_CHECK_EQ(ac(&f, BF_ACC_IFETCH, 0x1000, 2, 0, UNC).ready, 21);
    BF_CHECK_EQ(ac(&f, BF_ACC_IFETCH, 0x1002, 2, 21, UNC).ready, 22);
    BF_CHECK_EQ(ac(&f, BF_ACC_IFETCH, 0x1004, 2, 22, UNC).ready, 23);
    BF_CHECK_EQ(ac(&f, BF_ACC_IFETCH, 0x1006, 2, 23, UNC).ready, 24);
    BF_CHECK_EQ(ac(&f, BF_ACC_IFETCH, 0x1008, 2, 24, UNC).ready, 45);
    BF_CHECK_EQ(ac(&f, BF_ACC_IFETCH, 0x100C, 4, 45, UNC).ready, 46);
    BF_CHECK_EQ(ac(&f, BF_ACC_IFETCH, 0x100E, 4, 46, UNC).ready, 67);
    BF_CHECK_EQ(ac(&f, BF_ACC_IFETCH, 0x1000, 2, 67, UNC).ready, 88);
    BF_CHECK_EQ(f.st.ufetches, 8);
    BF_CHECK_EQ(f.st.ufetch_blocks, 4);
    BF_CHECK_EQ(f.st.ufetch_reused, 5);
    BF_CHECK_EQ(f.st.stall_uncached, 80);
    BF_CHECK_EQ(fake_count(&f.ext, BF_SRC_CORE, BF_ACC_IFETCH), 4);
    BF_CHECK_EQ(f.ext.log[0].addr, 0x1000);
    BF_CHECK_EQ(f.ext.log[0].size, 8);
    BF_CHECK_EQ(f.ext.log[2].addr, 0x1010);
    op(&f, BF_OP_IFLUSH, 0x1000, 99);
    BF_CHECK_EQ(ac(&f, BF_ACC_IFETCH, 0x1002, 2, 100, UNC).ready, 121);
    BF_CHECK_EQ(f.st.ufetch_blocks, 5);
    fx_close(&f);
}

/* Coherency hazards through the L1 model's stale flags and the detector (bf_hazard.h). Bank A
** only, bit selection, write-back pages, I-cache on. Worked out by hand:
**  1. rd A, rd A+32 fill two lines; a DMA write of A..A+63 (transfer 1) makes both stale; rd A+4:
**     stale_read 1; a straddling read of A+28..A+35 touches both stale lines: stale_read 2 (once
**     per access); a store to A is not a read: nothing; FLUSHINV A, rd A: refilled, nothing.
**  2. store B dirties its line; DMA transfer 2 reads B..B+63: dirty_read 1 (B+32 not cached); the
**     same transfer again: still 1; transfer 3 reads it: 2.
**  3. DMA transfers 3 and 4 write B while dirty (3 twice): FLUSH B: lost_write 2 (3 and 4); a
**     second FLUSH: the line is clean, nothing.
**  4. fetch C; store C (write-back: not in memory); fetch C: nothing; FLUSH C (the store reaches
**     memory): fetch C: stale_ifetch 1; IFLUSH C, fetch C: refilled, nothing.
**  5. store D, DMA transfer 5 writes D (lost pending), DMEM_CONTROL drops the D-cache without
**     write-back: no lost_write; the same slot filled again and flushed: still nothing.
** Totals: dirty_read 2, stale_read 2, lost_write 2, stale_ifetch 1, hazards 7. Without a detector
** the same sequence sets no flag: the statistics of L1 are the same as with it. */
static int hz_events[BF_HAZ_KINDS];

static void hz_count(void *ctx, const bf_hazard_event *e)
{
    (void)ctx;
    hz_events[e->kind]++;
    BF_CHECK(e->text[0] != '\0');
}

static void hz_sequence(fx *f)
{
    const bf_addr A = 0x10000, B = 0x20000, C = 0x30000, D = 0x40000;
    bf_hazard_xfer x[6];
    memset(x, 0, sizeof x);
    for (int i = 0; i < 6; i++)
        x[i].id = (uint64_t)i;
    bf_cycles t = 0;
    rd(f, A, t += 100);
    rd(f, A + 32, t += 100);
    bf_l1_dma_snoop(f->l1, A, 64, 1, &x[1]);
    rd(f, A + 4, t += 100);
    ac(f, BF_ACC_READ, A + 28, 8, t += 100, WB);
    ac(f, BF_ACC_WRITE, A, 4, t += 100, WB);
    op(f, BF_OP_FLUSHINV, A, t += 100);
    rd(f, A, t += 100);
    ac(f, BF_ACC_WRITE, B, 4, t += 100, WB);
    bf_l1_dma_snoop(f->l1, B, 64, 0, &x[2]);
    bf_l1_dma_snoop(f->l1, B, 64, 0, &x[2]);
    bf_l1_dma_snoop(f->l1, B, 32, 0, &x[3]);
    bf_l1_dma_snoop(f->l1, B, 32, 1, &x[3]);
    bf_l1_dma_snoop(f->l1, B, 16, 1, &x[3]);
    bf_l1_dma_snoop(f->l1, B + 16, 16, 1, &x[4]);
    BF_CHECK(bf_l1_check(f->l1) == NULL);
    op(f, BF_OP_FLUSH, B, t += 100);
    op(f, BF_OP_FLUSH, B, t += 100);
    fe(f, C, t += 100, WB);
    ac(f, BF_ACC_WRITE, C, 4, t += 100, WB);
    fe(f, C, t += 100, WB);
    op(f, BF_OP_FLUSH, C, t += 100);
    fe(f, C, t += 100, WB);
    op(f, BF_OP_IFLUSH, C, t += 100);
    fe(f, C, t += 100, WB);
    ac(f, BF_ACC_WRITE, D, 4, t += 100, WB);
    bf_l1_dma_snoop(f->l1, D, 32, 1, &x[5]);
    BF_CHECK_EQ(bf_l1_write_dmem_control(f->l1, 0, t += 100), BF_OK);
    BF_CHECK_EQ(bf_l1_write_dmem_control(f->l1, DMC_A, t += 100), BF_OK);
    ac(f, BF_ACC_WRITE, D, 4, t += 100, WB);
    op(f, BF_OP_FLUSH, D, t += 100);
    BF_CHECK(bf_l1_check(f->l1) == NULL);
}

static void t_hazard(void)
{
    fx f;
    fx_config(&f);
    fx_open(&f);
    bf_hazard_stats hs;
    bf_hazard *hz = NULL;
    BF_CHECK_EQ(bf_hazard_create(&hs, &hz), BF_OK);
    bf_hazard_watch(hz, NULL, NULL, "unit", hz_count, NULL);
    bf_l1_set_hazard(f.l1, hz);
    hz_sequence(&f);
    BF_CHECK_EQ(hs.dirty_read, 2);
    BF_CHECK_EQ(hs.stale_read, 2);
    BF_CHECK_EQ(hs.lost_write, 2);
    BF_CHECK_EQ(hs.stale_ifetch, 1);
    BF_CHECK_EQ(hs.total, 7);
    BF_CHECK_EQ(hz_events[BF_HAZ_DIRTY_READ], 2);
    BF_CHECK_EQ(hz_events[BF_HAZ_LOST_WRITE], 2);
    bf_l1_stats with = f.st;
    fx_close(&f);
    bf_hazard_destroy(hz);

    fx g;
    fx_config(&g);
    fx_open(&g);
    hz_sequence(&g);
    BF_CHECK(memcmp(&with, &g.st, sizeof with) == 0); /* detection changes no L1 statistic */
    fx_close(&g);
}

static const struct {
    const char *name;
    void (*fn)(void);
} cases[] = {{"hazard", t_hazard},
             {"config", t_config},
             {"dlru", t_dlru},
             {"ilru", t_ilru},
             {"iloc", t_iloc},
             {"lruprio", t_lruprio},
             {"dcbs", t_dcbs},
             {"index", t_index},
             {"wt", t_wt},
             {"wb_evict", t_wb_evict},
             {"flush", t_flush},
             {"forward", t_forward},
             {"ssync", t_ssync},
             {"sram_fault", t_sram_fault},
             {"dmc_toggle", t_dmc_toggle},
             {"straddle", t_straddle},
             {"fill", t_fill},
             {"stall_invariant", t_stall_invariant},
             {"crosscheck", t_crosscheck},
             {"fast_hit", t_fast_hit},
             {"ufetch_block", t_ufetch_block}};

int main(int argc, char **argv)
{
    for (size_t i = 0; i < BF_ARRAY_SIZE(cases); i++)
        if (argc < 2 || strcmp(argv[1], cases[i].name) == 0)
            cases[i].fn();
    return bf_test_exit();
}
