/*
** cplb.linux: the Linux nompu CPLB manager emulation. Boot tables, the null guard, bounds built
** from mem=/max_mem= with '$' and '#', the miss handler's page choice, its cost, round-robin
** replacement over the switched entries, the anomaly 05000263 cap and the hottest-pages report.
** Attribute words (reference section 3, "Cache attribute words"), with anomaly 05000158's
** bit 9 (0x200) set as on BF533:
**   CPLB_COMMON    = DIRTY 0x80 | SUPV_WR 0x10 | USER_WR 0x8 | USER_RD 0x4 | VALID 0x1 | 0x200
**                  = 0x29D
**   SDRAM_DGENERIC = L1_CHBL 0x1000 | COMMON = 0x129D (write-back)
**   SDRAM_IGENERIC = L1_CHBL | USER_RD | VALID | PORTPRIO 0x200 = 0x1205
**   SDRAM_OOPS     = VALID | LOCK 0x2 | DIRTY | 0x200 = 0x283
**   L1_DMEMORY     = LOCK | COMMON = 0x29F; L1_IMEMORY = USER_RD | VALID | LOCK = 0x7
**   page size bits: 1M = 0x20000, 4M = 0x30000.
*/
#include "cplb_test_util.h"

#define MB (1024u * 1024u)
#define KNOWN BF_REQ_ATTR_KNOWN

static bf_cplb_config lcfg(const char *cmdline)
{
    bf_cplb_config c;
    bf_cplb_config_default(&c); /* linux, 64 MB, kernel_end 3 MB, 1 MB DMA zone, guard on */
    snprintf(c.cmdline, sizeof c.cmdline, "%s", cmdline);
    return c;
}

static bf_cplb *make(const bf_cplb_config *c, bf_cplb_stats *st)
{
    bf_cplb *p = NULL;
    const char *msg = bf_cplb_config_check(c);
    if (msg)
        fprintf(stderr, "config: %s\n", msg);
    BF_CHECK(msg == NULL);
    BF_CHECK_EQ(bf_cplb_create(c, st, &p), BF_OK);
    return p;
}

static void test_boot_tables(void)
{
    bf_cplb_config c = lcfg("");
    bf_cplb *p = make(&c, NULL);
    const bf_cplb_entry *d = bf_cplb_table(p, 0), *i = bf_cplb_table(p, 1);
    /* D: null guard, one 4 MB kernel page (kernel_end 3 MB), L1 data; I: the same with code. */
    BF_CHECK_EQ(d[0].addr, 0);
    BF_CHECK_EQ(d[0].data, 0x00000283);
    BF_CHECK_EQ(d[1].addr, 0);
    BF_CHECK_EQ(d[1].data, 0x0003129D);
    BF_CHECK_EQ(d[2].addr, 0xFF800000);
    BF_CHECK_EQ(d[2].data, 0x0003029F);
    BF_CHECK_EQ(i[0].data, 0x00000283);
    BF_CHECK_EQ(i[1].data, 0x00031205);
    BF_CHECK_EQ(i[2].addr, 0xFFA00000);
    BF_CHECK_EQ(i[2].data, 0x00030007);
    for (int k = 3; k < 16; k++) {
        BF_CHECK_EQ(d[k].data, 0);
        BF_CHECK_EQ(i[k].data, 0);
    }
    BF_CHECK_EQ(bf_cplb_first_switched(p, 0), 3);
    BF_CHECK_EQ(bf_cplb_first_switched(p, 1), 3);
    /* Layout: _ramend = 64 MB (no mem=), memory_end = 64 - 1 = 63 MB, capped at 56 MB by
    ** anomaly 05000263 (icache on, null guard on). */
    bf_cplb_layout L;
    bf_cplb_get_layout(p, &L);
    BF_CHECK_EQ(L.ramend, 64 * MB);
    BF_CHECK_EQ(L.physical_mem_end, 64 * MB);
    BF_CHECK_EQ(L.memory_end, 56 * MB);
    BF_CHECK_EQ(L.capped_05000263, 1);
    /* The L1 code entry (ADDR 0xFFA00000, 4 MB) covers the aligned 4 MB page 0xFF800000-
    ** 0xFFBFFFFF: fetches from L1 code pass, a fetch from L1 data hits it and is refused by the
    ** implicit rule (0x2B), and L1 data accesses hit the locked DCPLB. */
    bf_cplb_result r = acc(p, IF, USER, 0xFFA00000, 4);
    BF_CHECK_EQ(r.fault, BF_FAULT_NONE);
    BF_CHECK_EQ(r.entry, 2);
    BF_CHECK_EQ(r.attrs, KNOWN);
    r = acc(p, IF, SUPV, 0xFF800000, 4);
    BF_CHECK_EQ(r.excause, 0x2B);
    BF_CHECK_EQ(bf_cplb_status(p, 1), 0x00020004);
    r = acc(p, WR, USER, 0xFFB00000, 4); /* scratchpad */
    BF_CHECK_EQ(r.fault, BF_FAULT_NONE);
    BF_CHECK_EQ(r.handler, 0);
    bf_cplb_destroy(p);
}

static void test_null_guard(void)
{
    /* Linux tables: the 1 KB guard at 0 overlaps the 4 MB kernel page at 0, so every access to
    ** 0..0x3FF matches entries 0 and 1: multiple hits (0x27 / 0x2D) beat any permission check. */
    bf_cplb_config c = lcfg("");
    bf_cplb *p = make(&c, NULL);
    bf_cplb_result r = acc(p, RD, USER, 0x100, 4);
    BF_CHECK_EQ(r.excause, 0x27);
    BF_CHECK_EQ(bf_cplb_status(p, 0), 0x00000003); /* entries 0,1; user; read */
    BF_CHECK_EQ(bf_cplb_fault_addr(p, 0), 0x100);
    r = acc(p, WR, SUPV, 0x100, 4);
    BF_CHECK_EQ(r.excause, 0x27);
    BF_CHECK_EQ(bf_cplb_status(p, 0), 0x00030003); /* + RW + SUPV */
    BF_CHECK_EQ(acc(p, RD, SUPV, 0x100, 4).excause, 0x27);
    BF_CHECK_EQ(acc(p, IF, USER, 0x100, 2).excause, 0x2D);
    /* The report names it as Linux's traps.c does for 0x27 below 0x400. */
    char buf[512];
    bf_req q = mkreq(RD, USER, 0x100, 4);
    q.record = 3;
    BF_CHECK_EQ(bf_cplb_check(p, &q, &r), BF_OK);
    bf_cplb_format_fault(&q, &r, buf, sizeof buf);
    BF_CHECK_STR(buf, "Data access multiple CPLB hits (EXCAUSE 0x27): CPLB multiple hits\n"
                      " address 0x00000100 (read of 4 bytes at 0x00000100), user mode, record 3\n"
                      " DCPLB_STATUS 0x00000003  DCPLB_FAULT_ADDR 0x00000100\n"
                      " NULL pointer access (the first 1 KB is guarded)\n");
    /* Past the guard only the kernel page matches: cacheable write-back, no handler. */
    r = acc(p, WR, USER, 0x400, 4);
    BF_CHECK_EQ(r.fault, BF_FAULT_NONE);
    BF_CHECK_EQ(r.attrs, BF_REQ_CACHEABLE | KNOWN);
    BF_CHECK_EQ(r.handler, 0);
    bf_cplb_destroy(p);

    /* With no kernel page at 0 (kernel_end 0) the guard stands alone: VALID|LOCK|DIRTY and no
    ** permission bits, so a user read of 0x100 and a supervisor write fault with protection
    ** 0x23, and a supervisor read is allowed (supervisor reads are always allowed). */
    c = lcfg("");
    c.kernel_end = 0;
    p = make(&c, NULL);
    BF_CHECK_EQ(bf_cplb_first_switched(p, 0), 2);
    r = acc(p, RD, USER, 0x100, 4);
    BF_CHECK_EQ(r.fault, BF_FAULT_CPLB_PROT);
    BF_CHECK_EQ(r.excause, 0x23);
    BF_CHECK_EQ(bf_cplb_status(p, 0), 0x00000001);
    r = acc(p, WR, SUPV, 0x100, 4);
    BF_CHECK_EQ(r.excause, 0x23);
    BF_CHECK_EQ(bf_cplb_status(p, 0), 0x00030001);
    r = acc(p, RD, SUPV, 0x100, 4);
    BF_CHECK_EQ(r.fault, BF_FAULT_NONE);
    BF_CHECK_EQ(r.attrs, KNOWN); /* SDRAM_OOPS has no L1_CHBL */
    BF_CHECK_EQ(acc(p, IF, USER, 0x100, 2).excause, 0x2B);
    bf_cplb_destroy(p);
}

static void test_mem_max_mem(void)
{
    /* mem=50M max_mem=64M$# on 64 MB: _ramend 50M, physical end 64M, memory_end 49M.
    ** D bounds: [0,49M) DGENERIC, [49M,50M) COMMON (DMA zone), [50M,64M) DGENERIC ($),
    **           [64M,0x20000000) hole, async COMMON, hole, boot ROM DGENERIC.
    ** I bounds: [0,49M) IGENERIC, [49M,50M) hole, [50M,64M) IGENERIC (#), hole, ... */
    bf_cplb_config c = lcfg("mem=50M max_mem=64M$#");
    bf_cplb_stats st = {0};
    bf_cplb *p = make(&c, &st);
    bf_cplb_layout L;
    bf_cplb_get_layout(p, &L);
    BF_CHECK_EQ(L.ramend, 0x03200000);
    BF_CHECK_EQ(L.physical_mem_end, 0x04000000);
    BF_CHECK_EQ(L.memory_end, 0x03100000);
    BF_CHECK_EQ(L.uncached_end, 0x03100000);
    BF_CHECK_EQ(L.reserved_dcache, 1);
    BF_CHECK_EQ(L.reserved_icache, 1);
    BF_CHECK_EQ(L.capped_05000263, 0);

    /* 55 MB = 0x03700000: DCPLB miss; bound [50M,64M); the 4 MB page 0x03400000 (52M..56M) fits
    ** -> loaded into entry 3 (first switched) as DGENERIC|4M = 0x0003129D, access retried and
    ** cacheable. Handler cost 100 CCLK (default), one reload; the miss wrote the registers. */
    bf_cplb_result r = acc(p, RD, SUPV, 0x03700000, 4);
    BF_CHECK_EQ(r.fault, BF_FAULT_NONE);
    BF_CHECK_EQ(r.attrs, BF_REQ_CACHEABLE | KNOWN);
    BF_CHECK_EQ(r.handler, 100);
    BF_CHECK_EQ(r.reloaded, 1);
    BF_CHECK_EQ(r.entry, 3);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[3].addr, 0x03400000);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[3].data, 0x0003129D);
    /* status = SUPV only (0x00020000): 55 MB is populated SDRAM, so no ILLADDR (bit 19). */
    BF_CHECK_EQ(bf_cplb_status(p, 0), 0x00020000);
    BF_CHECK_EQ(bf_cplb_fault_addr(p, 0), 0x03700000);
    BF_CHECK_EQ(st.dmisses, 1);
    BF_CHECK_EQ(st.dreloads, 1);
    BF_CHECK_EQ(st.handler_cycles, 100);
    BF_CHECK_EQ(st.fault_miss, 0);
    /* Same page again: a plain hit, no handler. */
    r = acc(p, WR, USER, 0x03700004, 4);
    BF_CHECK_EQ(r.fault, BF_FAULT_NONE);
    BF_CHECK_EQ(r.handler, 0);
    BF_CHECK_EQ(r.reloaded, 0);

    /* 70 MB = 0x04600000: in the hole above the physical end: the handler runs (100 CCLK) and
    ** finds no bound: a real DCPLB miss fault. */
    bf_req q = mkreq(RD, SUPV, 0x04600000, 4);
    q.record = 42;
    BF_CHECK_EQ(bf_cplb_check(p, &q, &r), BF_OK);
    BF_CHECK_EQ(r.fault, BF_FAULT_CPLB_MISS);
    BF_CHECK_EQ(r.excause, 0x26);
    BF_CHECK_EQ(r.handler, 100);
    BF_CHECK_EQ(r.reloaded, 0);
    /* 70 MB lies above the 64 MB of SDRAM: non-existent memory, so ILLADDR | SUPV = 0x000A0000. */
    BF_CHECK_EQ(bf_cplb_status(p, 0), 0x000A0000);
    BF_CHECK_EQ(bf_cplb_fault_addr(p, 0), 0x04600000);
    BF_CHECK_EQ(st.fault_miss, 1);
    BF_CHECK_EQ(st.handler_cycles, 200);
    char buf[512];
    bf_cplb_format_fault(&q, &r, buf, sizeof buf);
    BF_CHECK_STR(buf, "Data access CPLB miss (EXCAUSE 0x26): CPLB miss\n"
                      " address 0x04600000 (read of 4 bytes at 0x04600000), supervisor mode, "
                      "record 42\n"
                      " DCPLB_STATUS 0x000a0000  DCPLB_FAULT_ADDR 0x04600000\n"
                      " miss handler ran: 100 CCLK, 0 entries reloaded\n");

    /* 49.5 MB = 0x03180000, data: DMA zone [49M,50M); the 4 MB page 48M..52M does not fit, so
    ** the 1 MB page 0x03100000 as COMMON|1M = 0x0002029D: uncached. It goes to entry 4. */
    r = acc(p, RD, SUPV, 0x03180000, 4);
    BF_CHECK_EQ(r.fault, BF_FAULT_NONE);
    BF_CHECK_EQ(r.attrs, KNOWN);
    BF_CHECK_EQ(r.entry, 4);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[4].addr, 0x03100000);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[4].data, 0x0002029D);
    /* The same address as a fetch: the DMA zone is a hole on the I side -> ICPLB miss fault. */
    r = acc(p, IF, SUPV, 0x03180000, 2);
    BF_CHECK_EQ(r.fault, BF_FAULT_CPLB_MISS);
    BF_CHECK_EQ(r.excause, 0x2C);
    BF_CHECK_EQ(r.handler, 100);
    /* Fetch at 55 MB: reserved memory, '#' given: IGENERIC|4M = 0x00031205, cacheable. */
    r = acc(p, IF, USER, 0x03700000, 4);
    BF_CHECK_EQ(r.fault, BF_FAULT_NONE);
    BF_CHECK_EQ(r.attrs, BF_REQ_CACHEABLE | KNOWN);
    BF_CHECK_EQ(bf_cplb_table(p, 1)[3].data, 0x00031205);
    /* 10 MB: normal memory, 4 MB page at 8 MB (inside [0,49M)), cacheable. */
    r = acc(p, RD, USER, 0x00A00000, 4);
    BF_CHECK_EQ(r.attrs, BF_REQ_CACHEABLE | KNOWN);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[5].addr, 0x00800000);
    /* 48.5 MB: bound [0,49M); the 4 MB page 48M..52M overruns it -> 1 MB page at 48M. */
    r = acc(p, RD, USER, 0x03080000, 4);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[6].addr, 0x03000000);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[6].data, 0x0002129D);
    /* Async bank 1: bound [0x20000000, 0x20400000) is COMMON (uncached); the 4 MB page
    ** 0x20000000 fills the bound exactly, so a 4 MB entry: 0x0003029D, into entry 7. */
    r = acc(p, RD, SUPV, 0x20100000, 2);
    BF_CHECK_EQ(r.fault, BF_FAULT_NONE);
    BF_CHECK_EQ(r.attrs, KNOWN);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[7].addr, 0x20000000);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[7].data, 0x0003029D);
    /* Between async and boot ROM: hole. */
    BF_CHECK_EQ(acc(p, RD, SUPV, 0x30000000, 4).fault, BF_FAULT_CPLB_MISS);
    bf_cplb_destroy(p);

    /* Without '$': the access at 55 MB is uncached (reserved memory is SDRAM_DNON_CHBL). */
    c = lcfg("mem=50M max_mem=64M#");
    p = make(&c, NULL);
    r = acc(p, RD, SUPV, 0x03700000, 4);
    BF_CHECK_EQ(r.fault, BF_FAULT_NONE);
    BF_CHECK_EQ(r.attrs, KNOWN);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[3].data, 0x0003029D);
    BF_CHECK_EQ(acc(p, IF, SUPV, 0x03700000, 4).attrs, BF_REQ_CACHEABLE | KNOWN);
    bf_cplb_destroy(p);

    /* '$' without '#': data cacheable, instructions SDRAM_INON_CHBL (USER_RD|VALID = 0x5). */
    c = lcfg("mem=50M max_mem=64M$");
    p = make(&c, NULL);
    BF_CHECK_EQ(acc(p, RD, SUPV, 0x03700000, 4).attrs, BF_REQ_CACHEABLE | KNOWN);
    r = acc(p, IF, SUPV, 0x03700000, 4);
    BF_CHECK_EQ(r.attrs, KNOWN);
    BF_CHECK_EQ(bf_cplb_table(p, 1)[3].data, 0x00030005);
    bf_cplb_destroy(p);

    /* mem=50M alone: nothing above _ramend is mapped; 55 MB is in the hole. */
    c = lcfg("mem=50M");
    p = make(&c, NULL);
    BF_CHECK_EQ(acc(p, RD, SUPV, 0x03700000, 4).fault, BF_FAULT_CPLB_MISS);
    bf_cplb_destroy(p);
}

static void test_round_robin(void)
{
    /* 128 MB, no guard, no cap: fixed D entries = kernel page [0] + L1 [1]: first_switched 2,
    ** 14 switched entries (2..15). memory_end = 127 MB, so every 4 MB page k*4M for k = 1..30
    ** is a 4 MB entry. Misses on k = 1..14 fill entries 2..15 in order; k = 15, 16, 17 evict
    ** entries 2, 3, 4 (round robin wraps to first_switched). */
    bf_cplb_config c = lcfg("");
    c.sdram_bytes = 128 * MB;
    c.null_guard = 0;
    c.anomaly_05000263 = 0;
    bf_cplb_stats st = {0};
    bf_cplb *p = make(&c, &st);
    BF_CHECK_EQ(bf_cplb_first_switched(p, 0), 2);
    bf_cplb_entry fixed_d[2], fixed_i[2];
    memcpy(fixed_d, bf_cplb_table(p, 0), sizeof fixed_d);
    memcpy(fixed_i, bf_cplb_table(p, 1), sizeof fixed_i);
    for (uint32_t k = 1; k <= 14; k++) {
        bf_cplb_result r = acc(p, RD, USER, k * 4 * MB + 0x40, 4);
        BF_CHECK_EQ(r.entry, k + 1);
        BF_CHECK_EQ(r.reloaded, 1);
    }
    BF_CHECK_EQ(st.devictions, 0);
    for (uint32_t k = 15; k <= 17; k++) {
        bf_cplb_result r = acc(p, RD, USER, k * 4 * MB, 4);
        BF_CHECK_EQ(r.entry, k - 13); /* 2, 3, 4 */
    }
    const bf_cplb_entry *d = bf_cplb_table(p, 0);
    BF_CHECK_EQ(d[2].addr, 60 * MB);
    BF_CHECK_EQ(d[3].addr, 64 * MB);
    BF_CHECK_EQ(d[4].addr, 68 * MB);
    BF_CHECK_EQ(d[5].addr, 16 * MB); /* k = 4, untouched */
    BF_CHECK_EQ(st.devictions, 3);
    /* The page of k = 1 (4 MB) was evicted from entry 2: it misses again, into entry 5. */
    bf_cplb_result r = acc(p, RD, USER, 4 * MB, 4);
    BF_CHECK_EQ(r.reloaded, 1);
    BF_CHECK_EQ(r.entry, 5);
    /* 100 more misses over 30 pages: the fixed entries never move. */
    for (uint32_t n = 0; n < 100; n++)
        acc(p, WR, USER, ((n * 7) % 30 + 1) * 4 * MB, 4);
    BF_CHECK(memcmp(fixed_d, bf_cplb_table(p, 0), sizeof fixed_d) == 0);
    BF_CHECK_EQ(st.dreloads, st.dmisses);
    BF_CHECK_EQ(st.handler_cycles, st.dmisses * 100);
    /* Every switched entry stays valid and 4 MB-aligned. */
    for (int k = 2; k < 16; k++) {
        BF_CHECK(bf_cplb_table(p, 0)[k].data & BF_CPLB_VALID);
        BF_CHECK_EQ(bf_cplb_table(p, 0)[k].addr % (4 * MB), 0);
    }
    /* The I side has its own round robin: fetches at 4M, 8M fill I entries 2, 3. */
    BF_CHECK_EQ(acc(p, IF, USER, 4 * MB, 4).entry, 2);
    BF_CHECK_EQ(acc(p, IF, USER, 8 * MB, 4).entry, 3);
    BF_CHECK(memcmp(fixed_i, bf_cplb_table(p, 1), sizeof fixed_i) == 0);
    BF_CHECK_EQ(st.ireloads, 2);
    bf_cplb_destroy(p);
}

static void test_handler_cost_and_enable(void)
{
    bf_cplb_config c = lcfg("mem=50M max_mem=64M$#");
    c.miss_handler_cycles = 77;
    bf_cplb_stats st = {0};
    bf_cplb *p = make(&c, &st);
    BF_CHECK_EQ(acc(p, RD, SUPV, 0x01000000, 4).handler, 77);
    BF_CHECK_EQ(acc(p, IF, SUPV, 0x01400000, 4).handler, 77);
    BF_CHECK_EQ(st.handler_cycles, 154);
    BF_CHECK_EQ(st.supv_misses, 2);
    /* ENDCPLB off: no miss, no handler, uncached. */
    bf_cplb_enable(p, 0, 0);
    bf_cplb_result r = acc(p, RD, SUPV, 0x02000000, 4);
    BF_CHECK_EQ(r.fault, BF_FAULT_NONE);
    BF_CHECK_EQ(r.handler, 0);
    BF_CHECK_EQ(r.attrs, KNOWN);
    BF_CHECK_EQ(st.dmisses, 1);
    bf_cplb_destroy(p);
}

static void test_anomaly_cap_and_dma(void)
{
    bf_cplb_layout L;
    bf_cplb *p;
    /* Guard off: cap 60 MB. */
    bf_cplb_config c = lcfg("");
    c.null_guard = 0;
    p = make(&c, NULL);
    bf_cplb_get_layout(p, &L);
    BF_CHECK_EQ(L.memory_end, 60 * MB);
    /* D bounds [0,60M) DGENERIC and [60M,64M) COMMON: 58 MB (4 MB page 56M..60M) is
    ** cacheable, 61 MB (4 MB page 60M..64M) uncached. */
    BF_CHECK_EQ(acc(p, RD, SUPV, 58 * MB, 4).attrs, BF_REQ_CACHEABLE | KNOWN);
    BF_CHECK_EQ(acc(p, RD, SUPV, 61 * MB, 4).attrs, KNOWN);
    /* ... and a hole for instructions (no max_mem=: everything above uncached_end is). */
    BF_CHECK_EQ(acc(p, IF, SUPV, 61 * MB, 4).fault, BF_FAULT_CPLB_MISS);
    bf_cplb_destroy(p);
    /* No I-cache: no cap, memory_end = 63 MB. */
    c = lcfg("");
    c.icache = 0;
    p = make(&c, NULL);
    bf_cplb_get_layout(p, &L);
    BF_CHECK_EQ(L.memory_end, 63 * MB);
    BF_CHECK_EQ(L.capped_05000263, 0);
    BF_CHECK_EQ(acc(p, IF, SUPV, 8 * MB, 4).attrs, KNOWN); /* IGENERIC without L1_CHBL */
    bf_cplb_destroy(p);
    /* 512 KB DMA zone, cap off: memory_end 63.5 MB, cacheable bound rounded down to 63 MB. */
    c = lcfg("");
    c.anomaly_05000263 = 0;
    c.dma_uncached_bytes = 512 * 1024;
    p = make(&c, NULL);
    bf_cplb_get_layout(p, &L);
    BF_CHECK_EQ(L.memory_end, 0x03F80000);
    BF_CHECK_EQ(L.uncached_end, 0x03F00000);
    bf_cplb_result r = acc(p, RD, SUPV, 0x03F10000, 4);
    BF_CHECK_EQ(r.attrs, KNOWN);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[3].addr, 0x03F00000);
    bf_cplb_destroy(p);
    /* 8 MB DMA zone (Kconfig DMA_UNCACHED_8M), cap off, 64 MB: memory_end = uncached_end =
    ** 64M - 8M = 56M (0x03800000). 55 MB (0x03700000) is cacheable: the 4 MB page 52M..56M lies
    ** in the DGENERIC bound [3M.., 56M) -> entry 3 = 0x03400000, DGENERIC|4M = 0x0003129D.
    ** 57 MB (0x03900000) is in the DMA bound [56M, 64M): its 4 MB page 56M..60M fits ->
    ** entry 4 = 0x03800000, DNON_CHBL|4M = COMMON 0x29D | 4M = 0x0003029D, uncached. */
    c = lcfg("");
    c.anomaly_05000263 = 0;
    c.dma_uncached_bytes = 8 * MB;
    p = make(&c, NULL);
    bf_cplb_get_layout(p, &L);
    BF_CHECK_EQ(L.memory_end, 0x03800000);
    BF_CHECK_EQ(L.uncached_end, 0x03800000);
    BF_CHECK_EQ(acc(p, RD, SUPV, 0x03700000, 4).attrs, BF_REQ_CACHEABLE | KNOWN);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[3].addr, 0x03400000);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[3].data, 0x0003129D);
    BF_CHECK_EQ(acc(p, RD, SUPV, 0x03900000, 4).attrs, KNOWN);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[4].addr, 0x03800000);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[4].data, 0x0003029D);
    bf_cplb_destroy(p);
    /* 32 MB DMA zone on 64 MB: memory_end 32M; 40 MB (0x02800000) is uncached. */
    c = lcfg("");
    c.anomaly_05000263 = 0;
    c.dma_uncached_bytes = 32 * MB;
    p = make(&c, NULL);
    bf_cplb_get_layout(p, &L);
    BF_CHECK_EQ(L.memory_end, 32 * MB);
    BF_CHECK_EQ(acc(p, RD, SUPV, 0x02800000, 4).attrs, KNOWN);
    BF_CHECK_EQ(acc(p, RD, SUPV, 0x01F00000, 4).attrs, BF_REQ_CACHEABLE | KNOWN);
    bf_cplb_destroy(p);
    /* No DMA zone: all 64 MB cacheable; the 4 MB page 60M..64M fits. */
    c = lcfg("");
    c.anomaly_05000263 = 0;
    c.dma_uncached_bytes = 0;
    p = make(&c, NULL);
    BF_CHECK_EQ(acc(p, RD, SUPV, 0x03FFFFFC, 4).attrs, BF_REQ_CACHEABLE | KNOWN);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[3].addr, 60 * MB);
    BF_CHECK_EQ(bf_cplb_table(p, 0)[3].data, 0x0003129D);
    bf_cplb_destroy(p);
}

static void test_hot_pages(void)
{
    bf_cplb_config c = lcfg("mem=50M max_mem=64M$#");
    bf_cplb *p = make(&c, NULL);
    /* D 52M page: 5 hits; D 8M page: 2 hits; I kernel page 0 (4 MB): 3 fetches. */
    for (int k = 0; k < 5; k++)
        acc(p, RD, SUPV, 0x03700000 + 4u * (uint32_t)k, 4);
    for (int k = 0; k < 2; k++)
        acc(p, RD, SUPV, 0x00900000, 4);
    for (int k = 0; k < 3; k++)
        acc(p, IF, SUPV, 0x00001000, 4);
    bf_cplb_page top[3];
    BF_CHECK_EQ(bf_cplb_hot_pages(p, top, 3), 3);
    BF_CHECK_EQ(top[0].addr, 0x03400000);
    BF_CHECK_EQ(top[0].size, 4 * MB);
    BF_CHECK_EQ(top[0].instr, 0);
    BF_CHECK_EQ(top[0].hits, 5);
    BF_CHECK_EQ(top[0].loads, 1);
    BF_CHECK_EQ(top[1].addr, 0);
    BF_CHECK_EQ(top[1].instr, 1);
    BF_CHECK_EQ(top[1].hits, 3);
    BF_CHECK_EQ(top[2].addr, 0x00800000);
    BF_CHECK_EQ(top[2].hits, 2);
    /* Overwrite entry 3 (the 52M page): its 5 hits are kept; touching 52M again reloads it
    ** (loads 2) into the next round-robin entry and adds 1 hit: 6. */
    BF_CHECK_EQ(bf_cplb_write(p, 0, 3, 0x02000000, 0x0002129D), BF_OK);
    bf_cplb_result r = acc(p, RD, SUPV, 0x03700000, 4);
    BF_CHECK_EQ(r.reloaded, 1);
    BF_CHECK_EQ(bf_cplb_hot_pages(p, top, 1), 1);
    BF_CHECK_EQ(top[0].addr, 0x03400000);
    BF_CHECK_EQ(top[0].hits, 6);
    BF_CHECK_EQ(top[0].loads, 2);
    /* Asking for more rows than pages returns only the pages that exist: D guard, D kernel,
    ** D L1, D 52M, D 8M, D 32M (written), I guard, I kernel, I L1 = 9. */
    bf_cplb_page all[32];
    BF_CHECK_EQ(bf_cplb_hot_pages(p, all, 32), 9);
    bf_cplb_destroy(p);
}

/* The hottest-pages table holds 1024 pages per side: the loads of later pages are not counted
** and their hits go to cplb.hot_pages_dropped_hits; a live entry on such a page still shows up.
** Two pages of one base and side with equal hits rank the smaller page first. */
static void test_hot_pages_full(void)
{
    bf_cplb_config c;
    bf_cplb_config_default(&c);
    c.policy = BF_CPLB_POLICY_EXPLICIT;
    bf_cplb_stats st = {0};
    bf_cplb *p = make(&c, &st);
    enum { PAGES = 1100 };
    for (uint32_t k = 0; k < PAGES; k++) {
        BF_CHECK_EQ(bf_cplb_write(p, 0, 0, k * 1024u, BF_CPLB_VALID | BF_CPLB_PAGE_1K), BF_OK);
        BF_CHECK_EQ(acc(p, RD, SUPV, k * 1024u, 4).fault, 0); /* one hit on page k */
    }
    /* pages 1024..1098 were retired without a record (1099 is still live) */
    BF_CHECK_EQ(st.hot_dropped_hits, PAGES - 1 - 1024);
    static bf_cplb_page all[2 * PAGES];
    BF_CHECK_EQ(bf_cplb_hot_pages(p, all, 2 * PAGES), 1025);
    BF_CHECK_EQ(all[0].addr, 0);
    BF_CHECK_EQ(all[0].hits, 1);
    BF_CHECK_EQ(all[1023].addr, 1023 * 1024);
    BF_CHECK_EQ(all[1023].loads, 1);
    BF_CHECK_EQ(all[1024].addr, (PAGES - 1) * 1024); /* the live entry's page, from the entry */
    BF_CHECK_EQ(all[1024].hits, 1);
    bf_cplb_destroy(p);

    memset(&st, 0, sizeof st);
    p = make(&c, &st);
    const uint32_t base = 0x00100000;
    BF_CHECK_EQ(bf_cplb_write(p, 0, 0, base, BF_CPLB_VALID | BF_CPLB_PAGE_4K), BF_OK);
    acc(p, RD, SUPV, base + 2048, 4);
    BF_CHECK_EQ(bf_cplb_write(p, 0, 0, base, BF_CPLB_VALID | BF_CPLB_PAGE_1K), BF_OK);
    acc(p, RD, SUPV, base, 4);
    bf_cplb_page two[2];
    BF_CHECK_EQ(bf_cplb_hot_pages(p, two, 2), 2);
    BF_CHECK(two[0].addr == base && two[0].size == 1024 && two[0].hits == 1);
    BF_CHECK(two[1].addr == base && two[1].size == 4096 && two[1].hits == 1);
    bf_cplb_destroy(p);
}

static void test_describe(void)
{
    bf_cplb_config c = lcfg("mem=50M max_mem=64M$#");
    bf_cplb *p = make(&c, NULL);
    static char buf[8192];
    size_t need = bf_cplb_describe(p, buf, sizeof buf);
    BF_CHECK_EQ(need, strlen(buf) + 1);
    BF_CHECK(strstr(buf, "Kernel command line: \"mem=50M max_mem=64M$#\"") != NULL);
    BF_CHECK(strstr(buf, "_ramend        0x03200000  (mem=)") != NULL);
    BF_CHECK(strstr(buf, "memory_end     0x03100000  (_ramend - 1024 KB DMA zone)") != NULL);
    BF_CHECK(strstr(buf, "reserved       [0x03200000, 0x04000000)  data cacheable ($), "
                         "instructions cacheable (#)") != NULL);
    BF_CHECK(strstr(buf, "  [0x04000000, 0x20000000)  hole: a miss here is a fault") != NULL);
    BF_CHECK(strstr(buf, "  [0x03100000, 0x03200000)  hole: a miss here is a fault") != NULL);
    BF_CHECK(strstr(buf, "  [ 2] addr 0xffa00000 data 0x00030007  4 MB") != NULL);
    /* Truncated output: same needed length, NUL-terminated. */
    char small[40];
    BF_CHECK_EQ(bf_cplb_describe(p, small, sizeof small), need);
    BF_CHECK_EQ(strlen(small), sizeof small - 1);
    bf_cplb_destroy(p);
}

/* cplbinit.c writes the L1 data DCPLB only if L1_DATA_A_LENGTH ||
** L1_DATA_B_LENGTH, and mach-bf533 mem_map.h gives those as the L1 data SRAM left outside the
** cache halves: BF533 always keeps 16 KB SRAM per bank; BF532 (A, B: 16 KB SRAM/cache each) keeps
** bank B with DMC = 10 and nothing with DMC = 11; BF531 (bank A only) nothing with any D-cache. */
static void test_l1_data_entry_by_part(void)
{
    static const struct {
        int part, dmc, has_l1d;
        uint32_t l1d_addr;
    } cases[] = {
        {BF_PART_BF533, 3, 1, 0xFF800000}, /* lower halves stay SRAM */
        {BF_PART_BF533, 0, 1, 0xFF800000},
        {BF_PART_BF532, 3, 0, 0},          /* A and B both cache: both lengths 0 */
        {BF_PART_BF532, 2, 1, 0xFF804000}, /* B stays SRAM: L1_DATA_B_LENGTH 0x4000 */
        {BF_PART_BF532, 0, 1, 0xFF804000},
        {BF_PART_BF531, 2, 0, 0}, /* A cache, no bank B */
        {BF_PART_BF531, 0, 1, 0xFF804000},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        bf_cplb_config c = lcfg("");
        c.part = cases[k].part;
        c.l1_dmc = cases[k].dmc;
        bf_cplb *p = make(&c, NULL);
        const bf_cplb_entry *d = bf_cplb_table(p, 0);
        /* D side: guard [0] + one 4 MB kernel page [1] (kernel_end 3 MB) + the L1 data entry
        ** [2] if any: first_switched 3 with it, 2 without. The I side always has L1 code: 3. */
        BF_CHECK_EQ(bf_cplb_first_switched(p, 0), 2 + cases[k].has_l1d);
        BF_CHECK_EQ(bf_cplb_first_switched(p, 1), 3);
        if (cases[k].has_l1d) {
            BF_CHECK_EQ(d[2].addr, cases[k].l1d_addr);
            BF_CHECK_EQ(d[2].data, 0x0003029F); /* 4M | LOCK | COMMON */
        } else {
            BF_CHECK_EQ(d[2].data, 0);
            /* the first reload (8 MB, cacheable 4 MB page 0x00800000) goes to entry 2 */
            bf_cplb_result r = acc(p, RD, SUPV, 0x00800000, 4);
            BF_CHECK_EQ(r.reloaded, 1);
            BF_CHECK_EQ(r.entry, 2);
            BF_CHECK_EQ(d[2].addr, 0x00800000);
        }
        bf_cplb_destroy(p);
    }
    /* l1_dmc 01 is reserved. */
    bf_cplb_config c = lcfg("");
    c.l1_dmc = 1;
    BF_CHECK_STR(bf_cplb_config_check(&c), "l1_dmc must be 0 (00), 2 (10) or 3 (11)");
}

int main(void)
{
    test_boot_tables();
    test_null_guard();
    test_mem_max_mem();
    test_round_robin();
    test_handler_cost_and_enable();
    test_anomaly_cap_and_dma();
    test_hot_pages();
    test_hot_pages_full();
    test_describe();
    test_l1_data_entry_by_part();
    return bf_test_exit();
}
