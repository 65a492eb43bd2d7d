/*
** test_trace_summary.c: statistics for `bfsim trace stats`, worked by hand on a small native
** trace (BF533, 32 MB SDRAM, regions from common/bf_map.h).
*/
#include "bf_map.h"
#include "wl_test.h"

int main(void)
{
    const char *t = "#bfsim-trace 1\n"
                    "L 0x0 4\n"        /* sdram line 0 */
                    "L 0x1c 8\n"       /* sdram lines 0 and 1 (spans the boundary) */
                    "S 0x1d 2\n"       /* sdram line 0 again; misaligned */
                    "M 0x40 4\n"       /* sdram line 2 */
                    "S 0xff800000 4\n" /* l1_data_a line */
                    "I 0xffa00000 8\n" /* l1_inst line */
                    "I 0xffa00004 4\n" /* same l1_inst line */
                    "L 0x30000000 4\n" /* reserved: counted as an access, no footprint */
                    "G 100\nG 23\nSSYNC\nFLUSH 0x0 2\nMODE user\nMMR 0xffe00004 1\n"
                    "DMA 0 0x0 0xff800000 512\nPHASE p\n";
    wl_recs w;
    wl_reads(t, NULL, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    bf_trace_summary *s;
    BF_CHECK_EQ(bf_trace_summary_new(BF_PART_BF533, 32u << 20, &s), BF_OK);
    for (size_t i = 0; i < w.n; i++)
        bf_trace_summary_add(s, &w.r[i]);
    const bf_trace_summary_stats *st = bf_trace_summary_stats_of(s);
    BF_CHECK_EQ(st->load, 3);
    BF_CHECK_EQ(st->store, 2);
    BF_CHECK_EQ(st->modify, 1);
    BF_CHECK_EQ(st->ifetch, 2);
    BF_CHECK_EQ(st->access_bytes, 4 + 8 + 2 + 4 + 4 + 8 + 4 + 4);
    BF_CHECK_EQ(st->misaligned, 1);
    BF_CHECK_EQ(st->gap, 2);
    BF_CHECK_EQ(st->gap_cycles, 123);
    BF_CHECK_EQ(st->op, 2);
    BF_CHECK_EQ(st->mode, 1);
    BF_CHECK_EQ(st->mmr, 1);
    BF_CHECK_EQ(st->dma, 1);
    BF_CHECK_EQ(st->dma_bytes, 512);
    BF_CHECK_EQ(st->phase, 1);
    BF_CHECK_EQ(bf_trace_summary_region_lines(s, BF_RGN_SDRAM), 3);
    BF_CHECK_EQ(bf_trace_summary_region_accesses(s, BF_RGN_SDRAM), 4);
    BF_CHECK_EQ(bf_trace_summary_region_lines(s, BF_RGN_L1_DATA_A), 1);
    BF_CHECK_EQ(bf_trace_summary_region_lines(s, BF_RGN_L1_INST), 1);
    BF_CHECK_EQ(bf_trace_summary_region_accesses(s, BF_RGN_L1_INST), 2);
    BF_CHECK_EQ(bf_trace_summary_region_accesses(s, BF_RGN_RESERVED), 1);
    BF_CHECK_EQ(bf_trace_summary_region_lines(s, BF_RGN_RESERVED), 0);
    BF_CHECK_EQ(st->footprint_lines, 5);
    BF_CHECK_EQ(st->working_set_bytes, 160);
    bf_trace_summary_free(s);
    /* Every stat has a dotted name, a unit and a description. */
    for (size_t i = 0; i < bf_trace_summary_stat_count; i++)
        BF_CHECK(strncmp(bf_trace_summary_stat_desc[i].name, "trace.", 6) == 0 &&
                 bf_trace_summary_stat_desc[i].unit[0] && bf_trace_summary_stat_desc[i].desc[0]);
    return bf_test_exit();
}
