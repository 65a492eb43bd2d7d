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
    BF_EXC_ICPLB_MULTI = 0x2D,
    BF_EXC_MISALIGNED_I = 0x2A, /* misaligned instruction (fetch not 2-byte aligned) */
    BF_EXC_ILLEGAL_SUPV = 0x2E  /* illegal use of a supervisor resource (non-32-bit core MMR) */
};

/* Hardware-error causes (SEQSTAT[18:14]) the CPLB stage can report in bf_cplb_result.hwerr. */
enum { BF_HWERR_SYSTEM_MMR = 0x02, BF_HWERR_EXTERN_ADDR = 0x03 };

/* xCPLB_STATUS bits above the 16 per-entry match bits. */
enum {
    BF_CPLB_STATUS_RW = 1u << 16,     /* 1 = write */
    BF_CPLB_STATUS_SUPV = 1u << 17,   /* 1 = supervisor mode */
    BF_CPLB_STATUS_DAG1 = 1u << 18,   /* 1 = DAG1 */
    BF_CPLB_STATUS_ILLADDR = 1u << 19 /* miss to non-existent (reserved) memory */
};

enum { BF_CPLB_POLICY_EXPLICIT = 0, BF_CPLB_POLICY_LINUX = 1 };
enum { BF_CPLB_DCACHE_OFF = 0, BF_CPLB_DCACHE_WB = 1, BF_CPLB_DCACHE_WT = 2 };

typedef struct bf_cplb_entry {
    uint32_t addr; /* CPLB_ADDRn: page start, aligned to the page size */
    uint32_t data; /* CPLB_DATAn */
} bf_cplb_entry;

typedef struct bf_cplb_config {
    int part;                /* bf_part */
    uint32_t sdram_bytes;    /* populated SDRAM (physical end if no max_mem=) */
    int dcplb_enable;        /* DMEM_CONTROL.ENDCPLB */
    int icplb_enable;        /* IMEM_CONTROL.ENICPLB */
    int policy;              /* BF_CPLB_POLICY_* */
    bf_cplb_entry dcplb[16]; /* explicit policy: initial tables (DATA 0 = unused) */
    bf_cplb_entry icplb[16];
    /* Linux manager emulation (policy = linux) */
    char cmdline[256];            /* kernel command line, verbatim ("mem=50M max_mem=64M$#") */
    uint32_t kernel_end;          /* memory_start: end of the kernel image, covered by 4 MB pages */
    uint32_t dma_uncached_bytes;  /* DMA_UNCACHED_REGION (Kconfig default 1 MB) */
    int null_guard;               /* CONFIG_DEBUG_HUNT_FOR_ZERO: 1 KB guard page at 0 */
    int dcache_mode;              /* BF_CPLB_DCACHE_*: SDRAM_DGENERIC flavour */
    int icache;                   /* 1: SDRAM_IGENERIC cacheable */
    uint32_t miss_handler_cycles; /* ESTIMATE: exception round trip of the miss handler, CCLK */
    /* Model switches and the silicon anomalies the Linux tables work around
    ** (docs/models/cplb.md). */
    int l1_requires_cplb; /* ESTIMATE 1: with ENxCPLB on, L1 accesses need a matching entry
                             (0 = GDB sim: L1 is valid without one) */
    int anomaly_05000263; /* 1: cap memory_end at 60 MB (56 MB with null_guard) when icache */
    int anomaly_05000158; /* 1: set bit 9 (0x200) in CPLB_COMMON/SDRAM_OOPS, as Linux does */
    int l1_dmc;           /* DMEM_CONTROL.DMC (0, 2 = bank A cache, 3 = A and B cache): the Linux
                             policy installs its L1 data DCPLB only if L1 data SRAM is left */
} bf_cplb_config;

/* The memory layout the Linux policy derives from sdram_bytes and the command line. */
typedef struct bf_cplb_layout {
    uint32_t ramend;           /* _ramend: mem=, else sdram_bytes */
    uint32_t physical_mem_end; /* max_mem=, else _ramend */
    uint32_t memory_end;       /* _ramend - dma_uncached_bytes, after the 05000263 cap */
    uint32_t uncached_end;     /* end of the cacheable bound (memory_end, 1 MB-rounded) */
    uint8_t reserved_dcache;   /* '$' given after max_mem= */
    uint8_t reserved_icache;   /* '#' given after max_mem= */
    uint8_t capped_05000263;   /* memory_end was lowered by the anomaly cap */
    uint8_t mem_given;         /* mem= appeared on the command line */
    uint8_t max_mem_given;     /* max_mem= appeared on the command line */
} bf_cplb_layout;

/* One row of the hottest-pages report: a page as the tables loaded it, summed over its loads. */
typedef struct bf_cplb_page {
    bf_addr addr;   /* page start */
    uint32_t size;  /* bytes: 1K, 4K, 1M or 4M */
    uint8_t instr;  /* 1 = ICPLB, 0 = DCPLB */
    uint64_t hits;  /* accesses that this page's entry served without a fault */
    uint64_t loads; /* times the page was written into an entry (boot tables count once) */
} bf_cplb_page;

/* Result of a check. */
typedef struct bf_cplb_result {
    uint32_t attrs;   /* BF_REQ_CACHEABLE/WT/AOW/LRUPRIO | BF_REQ_ATTR_KNOWN */
    uint8_t fault;    /* bf_fault */
    uint8_t excause;  /* EXCAUSE, 0 if none */
    uint8_t reloaded; /* number of entries the manager loaded for this access */
    uint8_t pad;
    bf_cycles handler; /* CCLK spent in the miss handler for this access */
    /* Which side checked the access and what served it. */
    uint8_t instr; /* 1 if the ICPLB side checked the access */
    uint8_t hwerr; /* BF_HWERR_* when the fault is a hardware error (excause 0) */
    uint8_t entry; /* index of the entry that served the access (0xFF if none) */
    uint8_t pad2;
    uint32_t status;    /* xCPLB_STATUS written by this fault (0 if none or hardware error) */
    bf_addr fault_addr; /* address the fault is reported for */
} bf_cplb_result;

#define BF_CPLB_STATS(X)                                                                           \
    X(U64, dmisses, "cplb.dcplb_misses", "events", "data accesses that missed every DCPLB")        \
    X(U64, imisses, "cplb.icplb_misses", "events", "instruction fetches that missed every ICPLB")  \
    X(U64, dchecks, "cplb.dchecks", "accesses", "data accesses checked by the DCPLB stage")        \
    X(U64, ichecks, "cplb.ichecks", "accesses", "instruction fetches checked by the ICPLB stage")  \
    X(U64, fast_hits, "cplb.fast_hits", "accesses",                                                \
      "checks answered by the shortcut memo (the entry that last served the same 1 MB) without "   \
      "scanning the table")                                                                        \
    X(U64, dreloads, "cplb.dcplb_reloads", "events", "DCPLB entries loaded by the miss handler")   \
    X(U64, ireloads, "cplb.icplb_reloads", "events", "ICPLB entries loaded by the miss handler")   \
    X(U64, devictions, "cplb.dcplb_evictions", "events",                                           \
      "valid switched DCPLB entries the miss handler replaced")                                    \
    X(U64, ievictions, "cplb.icplb_evictions", "events",                                           \
      "valid switched ICPLB entries the miss handler replaced")                                    \
    X(U64, supv_misses, "cplb.supv_misses", "events", "CPLB misses taken in supervisor mode")      \
    X(U64, handler_cycles, "cplb.handler_cycles", "cycles",                                        \
      "core cycles charged for CPLB miss-handler round trips")                                     \
    X(U64, multi_hits, "cplb.multi_hits", "events", "accesses that matched more than one entry")   \
    X(U64, prot_violations, "cplb.prot_violations", "events",                                      \
      "protection-violation exceptions (EXCAUSE 0x23 or 0x2B)")                                    \
    X(U64, fault_miss, "cplb.faults.miss", "events",                                               \
      "accesses that ended in a CPLB miss no manager could serve")                                 \
    X(U64, fault_prot, "cplb.faults.protection", "events",                                         \
      "accesses that ended in a CPLB protection violation")                                        \
    X(U64, fault_multi, "cplb.faults.multiple_hits", "events",                                     \
      "accesses that ended in a multiple-hit exception")                                           \
    X(U64, fault_misaligned, "cplb.faults.misaligned", "events",                                   \
      "accesses that ended in a misaligned-access exception")                                      \
    X(U64, fault_hwerr_extern, "cplb.faults.hwerr_extern", "events",                               \
      "accesses to reserved space (external memory addressing hardware error)")                    \
    X(U64, fault_l1_illegal, "cplb.faults.l1_illegal", "events",                                   \
      "data accesses to L1 instruction SRAM or fetches from L1 data memory")                       \
    X(U64, fault_mmr_illegal, "cplb.faults.mmr_illegal", "events",                                 \
      "fetches from MMR space, user-mode or DAG1 MMR accesses, non-32-bit core MMR accesses")      \
    X(U64, hot_dropped_hits, "cplb.hot_pages_dropped_hits", "accesses",                            \
      "hits of pages the hottest-pages table had no room to record")

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
** reloads and the access is retried (result.handler > 0). BF_EINPUT if kind, mode or size
** (0) are out of range; faults are model outcomes in *res. */
int bf_cplb_check(bf_cplb *p, const bf_req *rq, bf_cplb_result *res);

/* The fast path (sim/bf_memsys.c): an SDRAM access that the side's shortcut memo serves alone,
** aligned and permitted, is checked exactly as bf_cplb_check would (same counts, no handler, no
** fault) and its BF_REQ_* attributes returned (never 0: BF_REQ_ATTR_KNOWN is set). Anything else
** returns 0 with nothing changed: the caller runs bf_cplb_check. instr/write/user are 0 or 1. */
uint32_t bf_cplb_check_hit(bf_cplb *p, int instr, bf_addr addr, uint32_t size, int write, int user);

/* Register views for reports and tests. */
uint32_t bf_cplb_status(const bf_cplb *p, int instr);            /* DCPLB_STATUS / ICPLB_STATUS */
uint32_t bf_cplb_fault_addr(const bf_cplb *p, int instr);        /* xCPLB_FAULT_ADDR */
const bf_cplb_entry *bf_cplb_table(const bf_cplb *p, int instr); /* 16 entries */

/* ENDCPLB / ENICPLB changes from DMEM_CONTROL/IMEM_CONTROL writes. */
void bf_cplb_enable(bf_cplb *p, int instr, int on);

/* Text of the memory layout and bounds table (Linux policy) for `bfsim config show`; writes at
** most n bytes including the NUL and returns the length it needed. */
size_t bf_cplb_describe(const bf_cplb *p, char *buf, size_t n);

/* ---- Cache instructions, entry writes, layout, hot pages, text forms ---- */

/* Check the line address of a cache instruction (FLUSH/FLUSHINV/PREFETCH on the D side,
** IFLUSH with rq->kind = BF_ACC_IFETCH): protection violations are ignored, misses still fault
** (and the Linux manager reloads), as the GDB sim's mmu_check_cache_addr does. */
int bf_cplb_check_cacheop(bf_cplb *p, const bf_req *rq, bf_cplb_result *res);

/* Write one CPLB_ADDRn/CPLB_DATAn pair (an MMR write by sim/). BF_ECONFIG if idx > 15 or the
** address is not aligned to the page size in data; the table is unchanged then. */
int bf_cplb_write(bf_cplb *p, int instr, int idx, uint32_t addr, uint32_t data);

/* Layout the Linux policy computed (all zero under the explicit policy). */
void bf_cplb_get_layout(const bf_cplb *p, bf_cplb_layout *out);

/* Number of fixed (never replaced) entries on a side: first_switched_[di]cplb. */
int bf_cplb_first_switched(const bf_cplb *p, int instr);

/* The n hottest pages by hits, both sides, hottest first (ties: lower address, D before I,
** smaller page).
** Returns the number written (<= n). */
size_t bf_cplb_hot_pages(const bf_cplb *p, bf_cplb_page *out, size_t n);

/* Kernel-oops-style header of a fault (cause and EXCAUSE, address, read/write/fetch,
** user/supervisor, record number, status and fault-address registers). Writes at most n
** bytes including the NUL and returns the length it needed; "" if res holds no fault. */
size_t bf_cplb_format_fault(const bf_req *rq, const bf_cplb_result *res, char *buf, size_t n);

/* One configured entry as text, for INI keys cplb.dcplbN / cplb.icplbN. Two forms:
**   "ADDR,DATA"               raw register values, e.g. "0x00000000,0x0003129d"
**   "ADDR SIZE FLAG|FLAG..."  e.g. "0x00400000 4M valid|dirty|l1_chbl|user_rd|user_wr|supv_wr"
** SIZE is 1K, 4K, 1M or 4M; flags are the CPLB_DATA bit names in lower case without the CPLB_
** prefix (valid lock user_rd user_wr supv_wr l1sram da0acc dirty lruprio portprio l1_chbl wt
** l1_aow), plus "common" for DIRTY|SUPV_WR|USER_WR|USER_RD|VALID; separators are '|' ',' or
** blanks. Alignment is checked by bf_cplb_config_check. BF_EINPUT with a message in err. */
int bf_cplb_parse_entry(const char *text, bf_cplb_entry *out, char *err, size_t errn);
/* The readable form of an entry ("ADDR SIZE flags"); returns the length needed with the NUL. */
size_t bf_cplb_format_entry(const bf_cplb_entry *e, char *buf, size_t n);

/* Parse a byte size the way the kernel's memparse does: a C number (decimal, 0x hex, 0 octal)
** with an optional K/M/G suffix (either case). Returns BF_OK and *end past the parsed text, or
** BF_EINPUT if there is no number or the value does not fit in 32 bits. */
int bf_cplb_memparse(const char *s, uint32_t *out, const char **end);

#endif
