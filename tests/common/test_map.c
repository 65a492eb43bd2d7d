/* Memory map per part, against reference section 1 (addresses read from the table there). */
#include "../bf_test.h"
#include "bf_map.h"

int main(void)
{
    const uint32_t sd = 32u << 20;
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0x01FFFFFFu), BF_RGN_SDRAM);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0x02000000u), BF_RGN_RESERVED); /* past 32 MB */
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0x20100000u), BF_RGN_ASYNC1);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0x20400000u), BF_RGN_RESERVED);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0xEF0003FFu), BF_RGN_BOOTROM);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0xFF800000u), BF_RGN_L1_DATA_A);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0xFF804000u), BF_RGN_L1_DATA_A_CACHE);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0xFF907FFFu), BF_RGN_L1_DATA_B_CACHE);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0xFF908000u), BF_RGN_RESERVED);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0xFFA00000u), BF_RGN_L1_INST);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0xFFA10000u), BF_RGN_L1_INST_CACHE);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0xFFB00FFFu), BF_RGN_SCRATCH);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0xFFC00A10u), BF_RGN_SYS_MMR);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF533, sd, 0xFFE00004u), BF_RGN_CORE_MMR);
    /* BF532: no SRAM-only data halves, instruction SRAM from 0xFFA08000 */
    BF_CHECK_EQ(bf_map_region(BF_PART_BF532, sd, 0xFF800000u), BF_RGN_RESERVED);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF532, sd, 0xFF904000u), BF_RGN_L1_DATA_B_CACHE);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF532, sd, 0xFFA07FFFu), BF_RGN_RESERVED);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF532, sd, 0xFFA08000u), BF_RGN_L1_INST);
    /* BF531: no bank B, 16 KB instruction SRAM */
    BF_CHECK_EQ(bf_map_region(BF_PART_BF531, sd, 0xFF904000u), BF_RGN_RESERVED);
    BF_CHECK_EQ(bf_map_region(BF_PART_BF531, sd, 0xFFA0C000u), BF_RGN_RESERVED);
    bf_map_range r;
    BF_CHECK(!bf_map_range_of(BF_PART_BF531, BF_RGN_L1_DATA_B_CACHE, sd, &r));
    BF_CHECK(bf_map_range_of(BF_PART_BF533, BF_RGN_L1_INST, sd, &r));
    BF_CHECK_EQ(r.end - r.start + 1, 64 * 1024);
    BF_CHECK_EQ(bf_part_from_name("bf532"), BF_PART_BF532);
    BF_CHECK_EQ(bf_part_from_name("bf999"), (unsigned long long)-1);
    return bf_test_exit();
}
