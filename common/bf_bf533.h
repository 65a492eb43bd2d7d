/*
** bf_bf533.h: the BF531/BF532/BF533 hardware facts the models share, each stated once: the L1 line
** size, the memory-map bases and sizes, the control MMR addresses and the DMEM_CONTROL/IMEM_CONTROL
** field layout. Sources: ../shared/reference/bf533-memory-system.md section 1 (memory map, key MMRs)
** and section 2 (geometry, "DMEM_CONTROL (0xFFE00004)", "IMEM_CONTROL (0xFFE01004)").
**
** Constants only (no state, no code beyond field extraction). The per-part region tables built from
** these bases are in bf_map.c; which L1 half is cache at a given moment is decided by models/l1.
*/
#ifndef BF_BF533_H
#define BF_BF533_H

/* L1 cache line: 32 bytes (I and D), reference section 2 "Geometry". */
#define BF_LINE_SHIFT 5
#define BF_LINE_BYTES (1u << BF_LINE_SHIFT)
#define BF_LINE_MASK (BF_LINE_BYTES - 1u)

/* Memory map, reference section 1 (BF533 addresses; the BF531/BF532 lack parts of L1, see bf_map.c). */
#define BF_SDRAM_MAX_BYTES (128u << 20) /* SDRAM from address 0, 16..128 MB (EBSZ) */
#define BF_ASYNC_BASE 0x20000000u       /* async bank 0; banks 1..3 follow */
#define BF_ASYNC_BANK_BYTES 0x00100000u /* 1 MB per async bank */
#define BF_ASYNC_BANKS 4u
#define BF_ASYNC_END (BF_ASYNC_BASE + BF_ASYNC_BANKS * BF_ASYNC_BANK_BYTES) /* one past bank 3 */
#define BF_BOOTROM_BASE 0xEF000000u
#define BF_BOOTROM_BYTES 0x400u      /* 1 KB */
#define BF_L1_SPACE_BASE 0xFF000000u /* the 16 MB that holds every L1 memory and the MMRs */
#define BF_L1_DATA_A_BASE 0xFF800000u
#define BF_L1_DATA_B_BASE 0xFF900000u
#define BF_L1_DATA_HALF_BYTES 0x4000u /* each bank: 16 KB SRAM, then 16 KB SRAM/cache */
#define BF_L1_DATA_BANK_BYTES (2u * BF_L1_DATA_HALF_BYTES)
#define BF_L1_INST_BASE 0xFFA00000u
#define BF_L1_INST_SRAM_BYTES 0x10000u /* 64 KB instruction SRAM (BF533) */
#define BF_L1_INST_CACHE_BASE (BF_L1_INST_BASE + BF_L1_INST_SRAM_BYTES) /* 16 KB SRAM/cache */
#define BF_L1_INST_CACHE_BYTES 0x4000u
#define BF_SCRATCH_BASE 0xFFB00000u
#define BF_SCRATCH_BYTES 0x1000u     /* 4 KB */
#define BF_SYS_MMR_BASE 0xFFC00000u  /* system MMRs up to 0xFFDFFFFF */
#define BF_CORE_MMR_BASE 0xFFE00000u /* core MMRs up to 0xFFFFFFFF */

/* Core MMRs (reference section 1, "Key core MMRs"). */
#define BF_SRAM_BASE_ADDRESS 0xFFE00000u
#define BF_DMEM_CONTROL 0xFFE00004u
#define BF_IMEM_CONTROL 0xFFE01004u

/* DMEM_CONTROL fields (reference section 2). */
#define BF_DMEM_ENDM (1u << 0)
#define BF_DMEM_ENDCPLB (1u << 1)
#define BF_DMEM_DMC_SHIFT 2
#define BF_DMEM_DCBS_SHIFT 4
#define BF_DMEM_PORT_PREF_SHIFT 12 /* PORT_PREF0 bit 12, PORT_PREF1 bit 13 */
#define BF_DMEM_PORT_PREF0 (1u << BF_DMEM_PORT_PREF_SHIFT)
#define BF_DMC(v) (((v) >> BF_DMEM_DMC_SHIFT) & 3u)
#define BF_DCBS(v) (((v) >> BF_DMEM_DCBS_SHIFT) & 1u)
#define BF_ENDCPLB(v) (((v) >> 1) & 1u)
#define BF_PORT_PREF(v) (((v) >> BF_DMEM_PORT_PREF_SHIFT) & 3u)

/* IMEM_CONTROL fields (reference section 2). */
#define BF_IMEM_ENIM (1u << 0)
#define BF_IMEM_ENICPLB (1u << 1)
#define BF_IMEM_IMC_SHIFT 2
#define BF_IMEM_ILOC_SHIFT 3
#define BF_IMEM_LRUPRIORST_SHIFT 13
#define BF_IMC(v) (((v) >> BF_IMEM_IMC_SHIFT) & 1u)
#define BF_ILOC(v) (((v) >> BF_IMEM_ILOC_SHIFT) & 0xFu)
#define BF_LRUPRIORST(v) (((v) >> BF_IMEM_LRUPRIORST_SHIFT) & 1u)
#define BF_ENICPLB(v) (((v) >> 1) & 1u)

#endif
