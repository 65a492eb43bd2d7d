/*
** bf_cplb.h: the BF533 cacheability protection lookaside buffers: 16 ICPLB and 16 DCPLB
** ADDR/DATA pairs, the implicit memory-map rules, the exceptions with their EXCAUSE codes and
** the status/fault-address registers, plus an emulation of the Linux "nompu" CPLB manager that
** reloads entries on a miss from a bounds table built from the kernel command line.
**
** bf_cplb_check is the first stage of every core access: it answers with the page attributes
** (BF_REQ_* flags for models/l1) or a fault, and with the handler cycles the manager spent.
*/
#ifndef BF_CPLB_H
#define BF_CPLB_H

#include "bf_common.h"
#include "bf_map.h"
#include "bf_stats.h"

/* CPLB_DATA bits (reference section 3). */
enum {
    BF_CPLB_VALID = 1u << 0,
    BF_CPLB_LOCK = 1u << 1,
    BF_CPLB_USER_RD = 1u << 2,
    BF_CPLB_USER_WR = 1u << 3,
    BF_CPLB_SUPV_WR = 1u << 4,
    BF_CPLB_L1SRAM = 1u << 5,
    BF_CPLB_DA0ACC = 1u << 6,
    BF_CPLB_DIRTY = 1u << 7,
    BF_CPLB_LRUPRIO = 1u << 8,
    BF_CPLB_PORTPRIO = 1u << 9,
    BF_CPLB_L1_CHBL = 1u << 12,
    BF_CPLB_WT = 1u << 14,
    BF_CPLB_L1_AOW = 1u << 15,
    BF_CPLB_PAGE_1K = 0u << 16,
    BF_CPLB_PAGE_4K = 1u << 16,
    BF_CPLB_PAGE_1M = 2u << 16,
    BF_CPLB_PAGE_4M = 3u << 16
};

/* EXCAUSE codes. */
enum {
    BF_EXC_DCPLB_PROT = 0x23,
    BF_EXC_MISALIGNED = 0x24,
    BF_EXC_DCPLB_MISS = 0x26,
    BF_EXC_DCPLB_MULTI = 0x27,
    BF_EXC_ICPLB_PROT = 0x2B,
    BF_EXC_ICPLB_MISS = 0x2C,
    BF_EXC_ICPLB_MULTI = 0x2D
};

enum { BF_CPLB_POLICY_EXPLICIT = 0, BF_CPLB_POLICY_LINUX = 1 };
enum { BF_CPLB_DCACHE_OFF = 0, BF_CPLB_DCACHE_WB = 1, BF_CPLB_DCACHE_WT = 2 };

typedef struct bf_cplb_entry {
    uint32_t addr; /* CPLB_ADDRn: page start, aligned to the page size */
    uint32_t data; /* CPLB_DATAn */
} bf_cplb_entry;

typedef struct bf_cplb_config {
    int part;                 /* bf_part */
    uint32_t sdram_bytes;     /* populated SDRAM (physical end if no max_mem=) */
    int dcplb_enable;         /* DMEM_CONTROL.ENDCPLB */
    int icplb_enable;         /* IMEM_CONTROL.ENICPLB */
    int policy;               /* BF_CPLB_POLICY_* */
    bf_cplb_entry dcplb[16];  /* explicit policy: initial tables (DATA 0 = unused) */
    bf_cplb_entry icplb[16];
    /* Linux manager emulation (policy = linux) */
    char cmdline[256];        /* kernel command line, verbatim ("mem=50M max_mem=64M$#") */
    uint32_t kernel_end;      /* memory_start: end of the kernel image, covered by 4 MB pages */
    uint32_t dma_uncached_bytes; /* DMA_UNCACHED_REGION (Kconfig default 1 MB) */
    int null_guard;           /* CONFIG_DEBUG_HUNT_FOR_ZERO: 1 KB guard page at 0 */
    int dcache_mode;          /* BF_CPLB_DCACHE_*: SDRAM_DGENERIC flavour */
    int icache;               /* 1: SDRAM_IGENERIC cacheable */
    uint32_t miss_handler_cycles; /* ESTIMATE: exception round trip of the miss handler, CCLK */
} bf_cplb_config;

/* Result of a check. */
typedef struct bf_cplb_result {
    uint32_t attrs;      /* BF_REQ_CACHEABLE/WT/AOW/LRUPRIO | BF_REQ_ATTR_KNOWN */
    uint8_t fault;       /* bf_fault */
    uint8_t excause;     /* EXCAUSE, 0 if none */
    uint8_t reloaded;    /* number of entries the manager loaded for this access */
    uint8_t pad;
    bf_cycles handler;   /* CCLK spent in the miss handler for this access */
} bf_cplb_result;

#define BF_CPLB_STATS(X)                                                                           \
    X(U64, dmisses, "cplb.dcplb_misses", "events", "data accesses that missed every DCPLB")        \
    X(U64, imisses, "cplb.icplb_misses", "events", "instruction fetches that missed every ICPLB")

typedef struct bf_cplb_stats {
    BF_CPLB_STATS(BF_STAT_MEMBER)
} bf_cplb_stats;

extern const bf_stat_desc bf_cplb_stat_desc[];
extern const size_t bf_cplb_stat_count;

typedef struct bf_cplb bf_cplb;

void bf_cplb_config_default(bf_cplb_config *c);
const char *bf_cplb_config_check(const bf_cplb_config *c);

int bf_cplb_create(const bf_cplb_config *c, bf_cplb_stats *stats, bf_cplb **out);
void bf_cplb_destroy(bf_cplb *p);

/* Check one access (rq->kind, addr, size, mode); on a miss under the Linux policy the manager
** reloads and the access is retried (result.handler > 0). */
int bf_cplb_check(bf_cplb *p, const bf_req *rq, bf_cplb_result *res);

/* Register views for reports and tests. */
uint32_t bf_cplb_status(const bf_cplb *p, int instr);     /* DCPLB_STATUS / ICPLB_STATUS */
uint32_t bf_cplb_fault_addr(const bf_cplb *p, int instr); /* xCPLB_FAULT_ADDR */
const bf_cplb_entry *bf_cplb_table(const bf_cplb *p, int instr); /* 16 entries */

/* ENDCPLB / ENICPLB changes from DMEM_CONTROL/IMEM_CONTROL writes. */
void bf_cplb_enable(bf_cplb *p, int instr, int on);

/* Text of the memory layout and bounds table (Linux policy) for `bfsim config show`; writes at
** most n bytes including the NUL and returns the length it needed. */
size_t bf_cplb_describe(const bf_cplb *p, char *buf, size_t n);

#endif
