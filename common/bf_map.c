/*
** bf_map.c: BF531/BF532/BF533 memory map tables (reference section 1, "BF531/BF532 differences").
**
** Each part has a table of [start, end] ranges; lookup is a linear scan over at most 15 entries,
** ordered so that the hot regions (SDRAM, then L1) come first.
** The bases and sizes are bf_bf533.h's. BF533: L1 data banks A and B (SRAM 16K + SRAM/cache 16K
**        each); L1 instruction SRAM (64K) and its SRAM/cache half.
** BF532: data A and B are the SRAM/cache halves only; instruction SRAM is the upper 32K of the
**        BF533's (base + 0x8000) plus the SRAM/cache half.
** BF531: data A SRAM/cache half only; no bank B; instruction SRAM base + 0x8000 .. + 0xBFFF (16K).
*/
#include "bf_map.h"

#include <string.h>

typedef struct bf_map_ent {
    bf_addr start, end;
    int region;
} bf_map_ent;

/* [start, start + bytes - 1] */
#define R(start, bytes, rgn)                                                                       \
    {                                                                                              \
        (start), (start) + (bytes)-1u, (rgn)                                                       \
    }
#define ASYNC(n)                                                                                   \
    R(BF_ASYNC_BASE + (n)*BF_ASYNC_BANK_BYTES, BF_ASYNC_BANK_BYTES, BF_RGN_ASYNC0 + (n))
#define DHALF(bank, half, rgn) R((bank) + (half)*BF_L1_DATA_HALF_BYTES, BF_L1_DATA_HALF_BYTES, rgn)
#define BF_MAP_COMMON_TAIL                                                                         \
    ASYNC(0), ASYNC(1), ASYNC(2), ASYNC(3), R(BF_BOOTROM_BASE, BF_BOOTROM_BYTES, BF_RGN_BOOTROM),  \
        R(BF_L1_INST_CACHE_BASE, BF_L1_INST_CACHE_BYTES, BF_RGN_L1_INST_CACHE),                    \
        R(BF_SCRATCH_BASE, BF_SCRATCH_BYTES, BF_RGN_SCRATCH),                                      \
        R(BF_SYS_MMR_BASE, BF_CORE_MMR_BASE - BF_SYS_MMR_BASE, BF_RGN_SYS_MMR),                    \
        R(BF_CORE_MMR_BASE, 0u - BF_CORE_MMR_BASE, BF_RGN_CORE_MMR)

static const bf_map_ent map533[] = {DHALF(BF_L1_DATA_A_BASE, 0, BF_RGN_L1_DATA_A),
                                    DHALF(BF_L1_DATA_A_BASE, 1, BF_RGN_L1_DATA_A_CACHE),
                                    DHALF(BF_L1_DATA_B_BASE, 0, BF_RGN_L1_DATA_B),
                                    DHALF(BF_L1_DATA_B_BASE, 1, BF_RGN_L1_DATA_B_CACHE),
                                    R(BF_L1_INST_BASE, BF_L1_INST_SRAM_BYTES, BF_RGN_L1_INST),
                                    BF_MAP_COMMON_TAIL};

static const bf_map_ent map532[] = {DHALF(BF_L1_DATA_A_BASE, 1, BF_RGN_L1_DATA_A_CACHE),
                                    DHALF(BF_L1_DATA_B_BASE, 1, BF_RGN_L1_DATA_B_CACHE),
                                    R(BF_L1_INST_BASE + 0x8000u, 0x8000u, BF_RGN_L1_INST),
                                    BF_MAP_COMMON_TAIL};

static const bf_map_ent map531[] = {DHALF(BF_L1_DATA_A_BASE, 1, BF_RGN_L1_DATA_A_CACHE),
                                    R(BF_L1_INST_BASE + 0x8000u, 0x4000u, BF_RGN_L1_INST),
                                    BF_MAP_COMMON_TAIL};

static const bf_map_ent *map_of(int part, size_t *n)
{
    switch (part) {
    case BF_PART_BF531:
        *n = BF_ARRAY_SIZE(map531);
        return map531;
    case BF_PART_BF532:
        *n = BF_ARRAY_SIZE(map532);
        return map532;
    default:
        *n = BF_ARRAY_SIZE(map533);
        return map533;
    }
}

int bf_map_region(int part, uint32_t sdram_bytes, bf_addr addr)
{
    if (addr < sdram_bytes)
        return BF_RGN_SDRAM;
    size_t n;
    const bf_map_ent *m = map_of(part, &n);
    for (size_t i = 0; i < n; i++)
        if (addr >= m[i].start && addr <= m[i].end)
            return m[i].region;
    return BF_RGN_RESERVED;
}

int bf_map_range_of(int part, int region, uint32_t sdram_bytes, bf_map_range *out)
{
    if (region == BF_RGN_SDRAM) {
        if (!sdram_bytes)
            return 0;
        out->start = 0;
        out->end = sdram_bytes - 1;
        return 1;
    }
    size_t n;
    const bf_map_ent *m = map_of(part, &n);
    for (size_t i = 0; i < n; i++) {
        if (m[i].region == region) {
            out->start = m[i].start;
            out->end = m[i].end;
            return 1;
        }
    }
    return 0;
}

const char *bf_map_region_name(int region)
{
    static const char *const n[BF_RGN_COUNT] = {
        "reserved",      "sdram",     "async0",          "async1",    "async2",          "async3",
        "bootrom",       "l1_data_a", "l1_data_a_cache", "l1_data_b", "l1_data_b_cache", "l1_inst",
        "l1_inst_cache", "scratch",   "sys_mmr",         "core_mmr"};
    return region >= 0 && region < BF_RGN_COUNT ? n[region] : "unknown";
}

const char *bf_part_name(int part)
{
    static const char *const n[] = {"bf531", "bf532", "bf533"};
    return part >= 0 && part < 3 ? n[part] : "unknown";
}

int bf_part_from_name(const char *s)
{
    for (int p = 0; p < 3; p++)
        if (strcmp(s, bf_part_name(p)) == 0)
            return p;
    return -1;
}
