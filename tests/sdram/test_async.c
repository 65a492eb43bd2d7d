/*
** sdram.async: async memory banks (per-beat ST + RAT/WAT + HT, TT on read-to-write), disabled
** banks and unpopulated SDRAM (hardware error), boot ROM and system MMR costs, and the CDPRIO
** arbitration helper. Default AMBCTL (Linux): banks 0-2 0x7BB0 = ST3 RAT11 WAT7 HT2 TT4, bank 3
** 0x99B3 = ST3 RAT9 WAT9 HT2 TT4. A read beat of bank 0 is 3 + 11 + 2 = 16 SCLK, a write beat
** 3 + 7 + 2 = 12; bank 3: 3 + 9 + 2 = 14 both ways. O = 4.
*/
#include "sdram_test_util.h"

static void test_async_ezkit(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_ezkit(&c);
    bf_sdram *s = mk(&c, &st);
    /* 32-bit read of bank 0 at now 0: s 4, 2 beats x 16 = 32: done 36 -> 180. */
    bf_resp r = xf(s, 0x20000000, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.ready, 180);
    BF_CHECK_EQ(r.fault, 0);
    /* 16-bit write to bank 0 issued at now 0: read-to-write TT 4 after the read's end: s = 36 +
    ** 4 = 40, 1 beat x 12: 52 -> 260. */
    r = xf(s, 0x20000010, 2, WR, BF_SRC_WBUF, 0);
    BF_CHECK_EQ(r.done, 260);
    /* Another write: no turnaround, s 52, done 64 -> 320. */
    r = xf(s, 0x20000012, 2, WR, BF_SRC_WBUF, 0);
    BF_CHECK_EQ(r.done, 320);
    BF_CHECK_EQ(st.async_turnarounds, 1);
    BF_CHECK_EQ(st.async_tt_sclk, 4);
    /* Bank 3 read at now 1000 (edge 200): s 204, 14: 218 -> 1090 (latency 90 = 18 * 5); write
    ** at now 1000: s = max(204, 218 + 4) = 222, done 236 -> 1180. */
    r = xf(s, 0x20300000, 2, RD, BF_SRC_CORE, 1000);
    BF_CHECK_EQ(r.ready - 1000, 90);
    r = xf(s, 0x20300000, 2, WR, BF_SRC_CORE, 1000);
    BF_CHECK_EQ(r.done, 1180);
    /* A write long after a read is not delayed: read at now 2000 (edge 400): done 420; write at
    ** now 2500 (edge 500): s 504, done 516 -> 2580. */
    xf(s, 0x20000000, 2, RD, BF_SRC_CORE, 2000);
    r = xf(s, 0x20000000, 2, WR, BF_SRC_CORE, 2500);
    BF_CHECK_EQ(r.done, 2580);
    BF_CHECK_EQ(st.async_turnarounds, 3);
    BF_CHECK_EQ(st.async_tt_sclk, 8);
    BF_CHECK_EQ(st.async_rw[0][0], 2);
    BF_CHECK_EQ(st.async_rw[0][1], 3);
    BF_CHECK_EQ(st.async_rw[3][0], 1);
    BF_CHECK_EQ(st.async_rw[3][1], 1);
    /* The async bus is the SDRAM's bus: an SDRAM read issued at now 2500 waits for 516, then
    ** misses: ACT 516, READ 519, data [522,524): 524 -> 2620. */
    r = xf(s, 0x0, 4, RD, BF_SRC_CORE, 2500);
    BF_CHECK_EQ(r.ready, 2620);
    bf_sdram_destroy(s);
}

static void test_async_board_b(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_b(&c);
    bf_sdram *s = mk(&c, &st);
    /* 32-bit bank 0 read at now 4 (edge 1): s 5, done 5 + 32 = 37 -> 3 * 37 + 1 = 112. */
    bf_resp r = xf(s, 0x20000000, 4, RD, BF_SRC_CORE, 4);
    BF_CHECK_EQ(r.ready, 112);
    bf_sdram_destroy(s);
}

static void test_faults(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_ezkit(&c);
    c.amgctl = 0x0003; /* AMBEN = 001: bank 0 only */
    bf_sdram *s = mk(&c, &st);
    bf_resp r = xf(s, 0x20100000, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.fault, BF_FAULT_HWERR_EXTERN);
    BF_CHECK_EQ(r.fault_addr, 0x20100000);
    r = xf(s, 0x20000000, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.fault, 0);
    /* 32 MB of SDRAM: 0x02000000 is unpopulated. */
    r = xf(s, 0x02000000, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.fault, BF_FAULT_HWERR_EXTERN);
    /* An access running off the end of SDRAM. */
    r = xf(s, 0x01FFFFFE, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.fault, BF_FAULT_HWERR_EXTERN);
    BF_CHECK_EQ(st.faults, 3);
    BF_CHECK_EQ(st.reads[BF_SRC_CORE], 1);
    bf_sdram_destroy(s);
    /* SDRAM disabled (SDBCTL.EBE = 0): every SDRAM access is a hardware error. */
    board_ezkit(&c);
    c.sdbctl = 0x0012;
    s = mk(&c, &st);
    r = xf(s, 0x0, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.fault, BF_FAULT_HWERR_EXTERN);
    /* Bad requests are input errors, not model outcomes. */
    bf_req rq;
    memset(&rq, 0, sizeof rq);
    rq.size = 0;
    BF_CHECK_EQ(bf_sdram_xfer(s, &rq, &r), BF_EINPUT);
    rq.size = 4;
    rq.source = BF_SRC_COUNT;
    BF_CHECK_EQ(bf_sdram_xfer(s, &rq, &r), BF_EINPUT);
    bf_sdram_destroy(s);
}

static void test_bootrom_mmr(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_ezkit(&c);
    bf_sdram *s = mk(&c, &st);
    /* Boot ROM: O + words x bootrom_word_sclk: 4 bytes 4 + 1 = 5 SCLK -> 25; a 32-byte fill
    ** 4 + 8 = 12 -> 60 (whole line: ready = done). */
    bf_resp r = xf(s, 0xEF000000, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.ready, 25);
    r = xf(s, 0xEF000020, 32, RD, BF_SRC_FILL, 0);
    BF_CHECK_EQ(r.done, 60);
    BF_CHECK_EQ(st.bootrom_reads, 2);
    /* System MMR on the PAB: read at now 0: mmr_read_sclk 3 -> 15. Posted write at now 0:
    ** ready 0, PAB busy [3, 5) -> done 25. A read right after waits for it: [5, 8) -> 40. */
    r = xf(s, 0xFFC00A10, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.ready, 15);
    r = xf(s, 0xFFC00A14, 2, WR, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.ready, 0);
    BF_CHECK_EQ(r.done, 25);
    r = xf(s, 0xFFC00A18, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.ready, 40);
    BF_CHECK_EQ(st.mmr_reads, 2);
    BF_CHECK_EQ(st.mmr_writes, 1);
    /* None of that occupied the external bus: an SDRAM miss at now 0 still ends at 60. */
    r = xf(s, 0x0, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.ready, 60);
    /* Core MMRs and L1 are not this port's: hardware error. */
    r = xf(s, 0xFFE00004, 4, RD, BF_SRC_CORE, 0);
    BF_CHECK_EQ(r.fault, BF_FAULT_HWERR_EXTERN);
    bf_sdram_destroy(s);
}

static void test_cdprio(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    bf_req core, dma;
    memset(&core, 0, sizeof core);
    memset(&dma, 0, sizeof dma);
    core.source = BF_SRC_FILL;
    dma.source = BF_SRC_DMA;
    board_ezkit(&c);
    bf_sdram *s = mk(&c, &st);
    /* Same SCLK edge (CCLK 1 and 5 both map to edge 1 at ratio 5): CDPRIO 0 -> core first. */
    core.now = 5;
    dma.now = 1;
    BF_CHECK_EQ(bf_sdram_first(s, &core, &dma), 0);
    BF_CHECK_EQ(bf_sdram_first(s, &dma, &core), 1);
    /* Different edges: the earlier goes first whatever the priority (6 -> edge 2). */
    core.now = 6;
    BF_CHECK_EQ(bf_sdram_first(s, &core, &dma), 1);
    bf_sdram_destroy(s);
    c.amgctl = 0x0109; /* CDPRIO = 1 */
    s = mk(&c, &st);
    core.now = 5;
    BF_CHECK_EQ(bf_sdram_first(s, &core, &dma), 1);
    BF_CHECK_EQ(bf_sdram_first(s, &dma, &core), 0);
    bf_sdram_destroy(s);
}

int main(void)
{
    test_async_ezkit();
    test_async_board_b();
    test_faults();
    test_bootrom_mmr();
    test_cdprio();
    return bf_test_exit();
}
