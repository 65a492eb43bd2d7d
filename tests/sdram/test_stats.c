/*
** sdram.stats: the statistics table (required names present, unique, registrable), read-latency
** mean/p50/p99/max and histogram buckets, refreshes and utilisation from bf_sdram_finalize.
** Expectations are worked by hand from the formulas in docs/models/sdram.md (EZ-KIT: 32-bit
** miss 60 CCLK, hit 45 CCLK, refresh every RDIV = 919 SCLK costing 12).
*/
#include <math.h>

#include "sdram_test_util.h"

static void test_table(void)
{
    /* The three names the foundation issue requires, and the per-bank / per-source ones. */
    const char *want[] = {"sdram.row_hits",
                          "sdram.row_misses",
                          "sdram.row_conflicts",
                          "sdram.bank0.row_hits",
                          "sdram.bank3.row_conflicts",
                          "sdram.refreshes",
                          "sdram.utilisation",
                          "sdram.reads.fill",
                          "sdram.writes.victim",
                          "sdram.read_latency.p99",
                          "sdram.read_latency.hist.lt64",
                          "sdram.async.bank2.reads",
                          "sdram.async.turnarounds"};
    for (size_t i = 0; i < BF_ARRAY_SIZE(want); i++) {
        int found = 0;
        for (size_t j = 0; j < bf_sdram_stat_count; j++)
            found += strcmp(bf_sdram_stat_desc[j].name, want[i]) == 0;
        BF_CHECK_EQ(found, 1);
    }
    BF_CHECK_STR(bf_sdram_stat_desc[0].name, "sdram.row_hits");
    /* Every name registers once (the registry rejects duplicates). */
    bf_sdram_stats st;
    bf_stats *r = bf_stats_new();
    BF_CHECK(r != NULL);
    const char *dup = NULL;
    BF_CHECK_EQ(bf_stats_add(r, bf_sdram_stat_desc, bf_sdram_stat_count, &st, &dup), BF_OK);
    BF_CHECK(dup == NULL);
    bf_stats_free(r);
}

static void test_latency(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_ezkit(&c);
    bf_sdram *s = mk(&c, &st);
    /* One miss (60 CCLK) then 99 hits (45 CCLK each) issued 45 CCLK (9 SCLK) apart, all in row
    ** 0, none queued (each hit's bus use [a + 4, a + 9) ends at the next one's arrival edge),
    ** all before the first refresh (due at edge 919; the last is issued at CCLK 4455 = edge 891
    ** and ends at 900). */
    xf(s, 0x0, 4, RD, BF_SRC_CORE, 0);
    for (int i = 1; i < 100; i++)
        xf(s, 0x4, 4, RD, BF_SRC_ALLOC, (bf_cycles)i * 45);
    bf_sdram_finalize(s, 4500);
    /* Sorted: 99 x 45 then 60. p50 = rank 50 -> 45; p99 = rank 99 -> 45; max 60; mean
    ** (60 + 99 * 45) / 100 = 45.15. All 100 in the 32..63 bucket. */
    BF_CHECK_EQ(st.read_lat_count, 100);
    BF_CHECK_EQ(st.read_lat_p50, 45);
    BF_CHECK_EQ(st.read_lat_p99, 45);
    BF_CHECK_EQ(st.read_lat_max, 60);
    BF_CHECK(fabs(st.read_lat_mean - 45.15) < 1e-9);
    BF_CHECK_EQ(st.read_lat_h[1], 100);
    BF_CHECK_EQ(st.read_lat_h[0] + st.read_lat_h[2], 0);
    BF_CHECK_EQ(st.reads[BF_SRC_CORE], 1);
    BF_CHECK_EQ(st.reads[BF_SRC_ALLOC], 99);
    /* Busy: the miss occupies [4,12) = 8 SCLK, each hit [s, s+5) = 5: 8 + 99 * 5 = 503. End
    ** at CCLK 4500 = edge 900, no refresh yet: utilisation 503 / 900. */
    BF_CHECK_EQ(st.busy_sclk, 503);
    BF_CHECK_EQ(st.elapsed_sclk, 900);
    BF_CHECK(fabs(st.utilisation - 503.0 / 900.0) < 1e-12);
    BF_CHECK_EQ(st.refreshes, 0);
    /* Finalize at CCLK 5 * 20 * 919 = 91900 (edge 18380): refreshes 1..20 are due by then,
    ** the first with row 0 open (its PRE at the due time), each 12 SCLK: busy 503 + 240 = 743.
    ** The 20th runs [18380, 18392), so elapsed extends to 18392. */
    bf_sdram_finalize(s, 91900);
    BF_CHECK_EQ(st.refreshes, 20);
    BF_CHECK_EQ(st.refresh_busy_sclk, 240);
    BF_CHECK_EQ(st.busy_sclk, 743);
    BF_CHECK_EQ(st.elapsed_sclk, 18392);
    BF_CHECK(fabs(st.utilisation - 743.0 / 18392.0) < 1e-12);
    /* Finalize again: nothing new. */
    bf_sdram_finalize(s, 91900);
    BF_CHECK_EQ(st.refreshes, 20);
    bf_sdram_destroy(s);
}

static void test_histogram_resolution(void)
{
    bf_sdram_config c;
    bf_sdram_stats st;
    board_ezkit(&c);
    c.ambctl0 = 0xFFC2FFC2; /* bank 0: ST 4, RAT 15, HT 3 -> 22 SCLK per read beat */
    bf_sdram *s = mk(&c, &st);
    /* 32-byte async read: 16 beats x 22 = 352, + O 4 = 356 SCLK = 1780 CCLK. Above 1024 the
    ** histogram has 8 buckets per power of two: 1780 lies in [1664, 1792) (1664 = 13 << 7), so
    ** p50 = p99 = 1664, max is exact 1780, and the coarse bucket is 1024..2047. */
    bf_resp r = xf(s, 0x20000000, 32, RD, BF_SRC_DMA, 0);
    BF_CHECK_EQ(r.ready, 1780);
    bf_sdram_finalize(s, 2000);
    BF_CHECK_EQ(st.read_lat_max, 1780);
    BF_CHECK_EQ(st.read_lat_p50, 1664);
    BF_CHECK_EQ(st.read_lat_p99, 1664);
    BF_CHECK_EQ(st.read_lat_h[6], 1);
    BF_CHECK_EQ(st.reads[BF_SRC_DMA], 1);
    bf_sdram_destroy(s);
}

int main(void)
{
    test_table();
    test_latency();
    test_histogram_resolution();
    return bf_test_exit();
}
