/*
** bf_map.c: BF531/BF532/BF533 memory map tables (reference section 1, "BF531/BF532 differences").
**
** Each part has a table of [start, end] ranges; lookup is a linear scan over at most 15 entries,
** ordered so that the hot regions (SDRAM, then L1) come first.
** BF533: L1 data A 0xFF800000 (SRAM 16K + SRAM/cache 16K), B 0xFF900000 likewise; L1 instruction
**        SRAM 0xFFA00000..0xFFA0FFFF (64K) and SRAM/cache 0xFFA10000..0xFFA13FFF.
** BF532: data A and B are the SRAM/cache halves only (0xFF804000, 0xFF904000); instruction SRAM
**        0xFFA08000..0xFFA0FFFF (32K) plus the SRAM/cache half.
** BF531: data A SRAM/cache half only; no bank B; instruction SRAM 0xFFA08000..0xFFA0BFFF (16K).
*/
#include "bf_map.h"

#include <string.h>

typedef struct bf_map_ent {
    bf_addr start, end;
    int region;
} bf_map_ent;

#define BF_MAP_COMMON_TAIL                                                                         \
    {0x20000000u, 0x200FFFFFu, BF_RGN_ASYNC0}, {0x20100000u, 0x201FFFFFu, BF_RGN_ASYNC1},          \
        {0x20200000u, 0x202FFFFFu, BF_RGN_ASYNC2}, {0x20300000u, 0x203FFFFFu, BF_RGN_ASYNC3},      \
        {0xEF000000u, 0xEF0003FFu, BF_RGN_BOOTROM},                                                \
        {0xFFA10000u, 0xFFA13FFFu, BF_RGN_L1_INST_CACHE},                                          \
        {0xFFB00000u, 0xFFB00FFFu, BF_RGN_SCRATCH}, {0xFFC00000u, 0xFFDFFFFFu, BF_RGN_SYS_MMR},    \
    {                                                                                              \
        0xFFE00000u, 0xFFFFFFFFu, BF_RGN_CORE_MMR                                                  \
    }

static const bf_map_ent map533[] = {{0xFF800000u, 0xFF803FFFu, BF_RGN_L1_DATA_A},
                                    {0xFF804000u, 0xFF807FFFu, BF_RGN_L1_DATA_A_CACHE},
                                    {0xFF900000u, 0xFF903FFFu, BF_RGN_L1_DATA_B},
                                    {0xFF904000u, 0xFF907FFFu, BF_RGN_L1_DATA_B_CACHE},
                                    {0xFFA00000u, 0xFFA0FFFFu, BF_RGN_L1_INST},
                                    BF_MAP_COMMON_TAIL};

static const bf_map_ent map532[] = {{0xFF804000u, 0xFF807FFFu, BF_RGN_L1_DATA_A_CACHE},
                                    {0xFF904000u, 0xFF907FFFu, BF_RGN_L1_DATA_B_CACHE},
                                    {0xFFA08000u, 0xFFA0FFFFu, BF_RGN_L1_INST},
                                    BF_MAP_COMMON_TAIL};

static const bf_map_ent map531[] = {{0xFF804000u, 0xFF807FFFu, BF_RGN_L1_DATA_A_CACHE},
                                    {0xFFA08000u, 0xFFA0BFFFu, BF_RGN_L1_INST},
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
