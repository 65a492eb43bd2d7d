/*
** bf_map.h: the BF531/BF532/BF533 memory map (reference section 1), shared by the CPLB rules, the
** L1 model's per-region counts and the trace mapper. Pure functions over constant tables.
**
** Regions are classified by address only; whether an L1 SRAM/cache half is currently cache is
** a property of DMEM_CONTROL/IMEM_CONTROL and is decided by models/l1, not here.
*/
#ifndef BF_MAP_H
#define BF_MAP_H

#include "bf_bf533.h"
#include "bf_common.h"

typedef enum bf_part { BF_PART_BF531 = 0, BF_PART_BF532 = 1, BF_PART_BF533 = 2 } bf_part;

typedef enum bf_region {
    BF_RGN_RESERVED = 0, /* unpopulated: hardware error */
    BF_RGN_SDRAM,        /* external SDRAM bank (size from EBSZ, up to 128 MB) */
    BF_RGN_ASYNC0,       /* async memory banks 0..3, 1 MB each */
    BF_RGN_ASYNC1,
    BF_RGN_ASYNC2,
    BF_RGN_ASYNC3,
    BF_RGN_BOOTROM,         /* 1 KB boot ROM */
    BF_RGN_L1_DATA_A,       /* L1 data bank A, SRAM-only half */
    BF_RGN_L1_DATA_A_CACHE, /* L1 data bank A, SRAM/cache half */
    BF_RGN_L1_DATA_B,
    BF_RGN_L1_DATA_B_CACHE,
    BF_RGN_L1_INST,       /* L1 instruction SRAM */
    BF_RGN_L1_INST_CACHE, /* L1 instruction SRAM/cache half */
    BF_RGN_SCRATCH,       /* 4 KB scratchpad */
    BF_RGN_SYS_MMR,       /* system MMRs, BF_SYS_MMR_BASE..0xFFDFFFFF */
    BF_RGN_CORE_MMR,      /* core MMRs, BF_CORE_MMR_BASE..0xFFFFFFFF */
    BF_RGN_COUNT
} bf_region;

typedef struct bf_map_range {
    bf_addr start; /* first byte */
    bf_addr end;   /* last byte (inclusive) */
} bf_map_range;

/* Region of addr on this part; sdram_bytes is the populated SDRAM size (0 = none). */
int bf_map_region(int part, uint32_t sdram_bytes, bf_addr addr);

/* Address range of a region on a part; returns 0 if the part has no such region. */
int bf_map_range_of(int part, int region, uint32_t sdram_bytes, bf_map_range *out);

/* Short stable names ("sdram", "l1_data_a_cache", ...), used in stat names and reports. */
const char *bf_map_region_name(int region);
const char *bf_part_name(int part);
int bf_part_from_name(const char *s); /* -1 if unknown */

static inline int bf_map_is_l1(int region)
{
    return region >= BF_RGN_L1_DATA_A && region <= BF_RGN_SCRATCH;
}

static inline int bf_map_is_mmr(int region)
{
    return region == BF_RGN_SYS_MMR || region == BF_RGN_CORE_MMR;
}

static inline int bf_map_is_external(int region)
{
    return region >= BF_RGN_SDRAM && region <= BF_RGN_BOOTROM;
}

#endif
