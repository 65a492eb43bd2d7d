/*
** bf_config.h: the machine description. One table of named keys (section.key) with type, default,
** unit and help text; a machine is the defaults, then each INI file in order (an `include = FILE`
** key pulls another file in at that point), then each --set override. Every value remembers where
** it came from (default / file:line / --set) for `bfsim config show`. After loading, the model
** configs are composed and checked once; an error names the file, line and key responsible.
*/
#ifndef BF_CONFIG_H
#define BF_CONFIG_H

#include <stdio.h>

#include "bf_alloc.h"
#include "bf_cplb.h"
#include "bf_l1.h"
#include "bf_sdram.h"

#define BF_CFG_MAX_KEYS 160

/* A machine as its config keys describe it (docs/config-keys.md has each key's meaning, unit and
** default), grouped as the keys are. */
typedef struct bf_machine {
    /* the part */
    char name[128];       /* machine.name, else the first config file's base name */
    int part;             /* bf_part */
    uint32_t silicon_rev; /* machine.silicon_rev: 3..6 for 0.3..0.6; drives the anomaly switches */
    /* clocks */
    uint64_t cclk_hz;  /* core clock */
    uint64_t sclk_hz;  /* system clock */
    uint64_t clkin_hz; /* CLKIN; non-zero: CCLK and SCLK come from PLL_CTL/PLL_DIV */
    uint32_t pll_ctl;  /* PLL_CTL (DF, MSEL) */
    uint32_t pll_div;  /* PLL_DIV (CSEL, SSEL) */
    /* L1 memory control registers (the L1 and CPLB configs below are derived from them) */
    uint32_t dmc;          /* DMEM_CONTROL.DMC (0, 2, 3; 1 is reserved) */
    uint32_t dcbs;         /* DMEM_CONTROL.DCBS */
    uint32_t port_pref;    /* DMEM_CONTROL PORT_PREF0/1 bits 13:12 */
    uint32_t imc;          /* IMEM_CONTROL.IMC */
    uint32_t iloc;         /* IMEM_CONTROL.ILOC, 4 bits (Way3..Way0) */
    uint32_t dcplb_enable; /* DMEM_CONTROL.ENDCPLB */
    uint32_t icplb_enable; /* IMEM_CONTROL.ENICPLB */
    /* core, simulator and DMA */
    uint32_t core_mmr_cycles; /* ESTIMATE: core MMR access, CCLK */
    uint32_t initial_mode;    /* bf_mode at the start of a trace */
    int fast_path;            /* sim.fast_path: bf_memsys_access_fast in trace replay */
    uint32_t dma_channels;    /* DMA channels a trace may name (0..dma_channels-1) */
    uint32_t dma_chunk_bytes; /* ESTIMATE: bytes a DMA channel moves per EBIU request */
    /* the models' own configs */
    bf_l1_config l1;
    bf_sdram_config sdram;
    bf_cplb_config cplb;
    /* allocator studies (`bfsim alloc`; the alloc.* keys) */
    uint32_t alloc_mem_bytes;            /* managed memory (default: SDRAM size) */
    uint32_t alloc_kernel_bytes;         /* kernel image reserved at the bottom */
    uint32_t alloc_dma_bytes;            /* uncached DMA region reserved at the top */
    uint32_t alloc_max_order;            /* buddy MAX_ORDER */
    uint32_t alloc_min_free_kbytes;      /* watermark base, KB (0: the kernel's rule) */
    uint32_t alloc_dma_zone_bytes;       /* x86-like ZONE_DMA size (0: all RAM) */
    uint32_t alloc_nr_trim_pages;        /* nommu: trim threshold, pages (0: never) */
    uint32_t alloc_tlsf_sl_log2;         /* TLSF second-level lists, log2 */
    uint32_t alloc_reclaim_batch;        /* pages one direct-reclaim pass frees */
    uint32_t alloc_lowmem_reserve_ratio; /* DMA zone reserve: present pages / ratio */
    uint32_t alloc_np2_merge_on_fail;    /* NP2: merge free runs when none fits, then retry */
    uint32_t alloc_bootmem_align;        /* bootmem default alignment, bytes */
    uint32_t alloc_meta_l1; /* 1: allocator metadata accesses hit L1 SRAM (cost hit_cycles) */
    /* provenance, one per key of the table */
    char origin[BF_CFG_MAX_KEYS][96];
    char value[BF_CFG_MAX_KEYS][272]; /* the value text as given (resolved) */
} bf_machine;

typedef struct bf_cfg_key {
    const char *name; /* "l1.wbuf_depth" */
    int type;         /* internal */
    const char *def;  /* default value text */
    const char *unit; /* "", "cycles", "Hz", "bytes", ... */
    const char *help; /* one line; ESTIMATE marked */
} bf_cfg_key;

size_t bf_cfg_key_count(void);
const bf_cfg_key *bf_cfg_key_at(size_t i);

/* Load: defaults, then files (in order), then overrides ("k=v"). On error returns BF_ECONFIG or
** BF_EIO with a message naming file:line: key. Warnings (errata) go to warn (may be empty). */
int bf_machine_load(bf_machine *m, const char *const *files, size_t nfiles, const char *const *sets,
                    size_t nsets, char *err, size_t errn, char *warn, size_t warnn);

/* The same from INI text in memory (no --set, `include` refused): for the config fuzz target. */
int bf_machine_load_text(bf_machine *m, const char *text, size_t n, const char *name, char *err,
                         size_t errn);

/* The resolved machine as INI text (every key, table order), the text that is hashed and stored. */
size_t bf_machine_text(const bf_machine *m, char *buf, size_t n);

/* `config show`: every key with its value and origin, and decoded registers. */
void bf_machine_show(const bf_machine *m, FILE *f);

/* SDRAM bytes of the machine (from EBIU_SDBCTL.EBSZ) */
uint32_t bf_machine_sdram_bytes(const bf_machine *m);

#endif
