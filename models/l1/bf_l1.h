/*
** bf_l1.h: the BF531/2/3 L1 memory model (instruction and data SRAM, the SRAM/cache halves that
** DMEM_CONTROL/IMEM_CONTROL turn into caches, scratchpad), with its write buffer, victim buffer,
** line-fill buffer and the SSYNC/CSYNC/FLUSH/FLUSHINV/IFLUSH/PREFETCH operations.
**
** Timing only: the model never holds data (sim/ keeps the bytes). Page attributes (cacheable,
** write-through, allocate-on-write, LRU priority) arrive in bf_req.flags, set by the CPLB stage;
** a request without BF_REQ_ATTR_KNOWN takes config.default_attrs. Everything that leaves L1 (line
** fills, uncached reads, write-buffer drains, victim write-backs) goes out through the `ext`
** port given at creation, in non-decreasing issue time.
*/
#ifndef BF_L1_H
#define BF_L1_H

#include "bf_common.h"
#include "bf_map.h"
#include "bf_stats.h"

enum { BF_L1_INDEX_BLACKFIN = 0, BF_L1_INDEX_BITSEL = 1 };
enum { BF_L1_COMPAT_NONE = 0, BF_L1_COMPAT_CACHEGRIND = 1 };

typedef struct bf_l1_config {
    int part;                 /* bf_part */
    uint32_t dmem_control;    /* initial DMEM_CONTROL (ENDCPLB, DMC, DCBS, ...) */
    uint32_t imem_control;    /* initial IMEM_CONTROL (ENICPLB, IMC, ILOC, LRUPRIORST) */
    uint32_t sdram_bytes;     /* populated SDRAM, for region classification */
    int index_mode;           /* BF_L1_INDEX_*: Blackfin sub-bank index or plain bit selection */
    int compat;               /* BF_L1_COMPAT_*: counting conventions */
    uint32_t default_attrs;   /* BF_REQ_* attributes of external memory when no CPLB stage ran */
    uint32_t hit_cycles;      /* core cycles of an L1 hit or SRAM access (1, CONFIRMED) */
    uint32_t wbuf_depth;      /* write-buffer entries of 32 bits (ESTIMATE 6) */
    uint32_t victim_depth;    /* victim-buffer lines (ESTIMATE 1) */
    int critical_word_first;  /* 1: a miss stalls until its 64-bit word arrives (ESTIMATE) */
    uint32_t csync_cycles;    /* CSYNC cost, core cycles (GDB sim: 10) */
    uint32_t ssync_cycles;    /* SSYNC handshake beyond the drain, core cycles (GDB sim: 10) */
    uint32_t cacheop_cycles;  /* issue cost of FLUSH/FLUSHINV/IFLUSH/PREFETCH (ESTIMATE 1) */
    int classify_misses;      /* 1: compulsory/capacity/conflict split (costs memory and time) */
} bf_l1_config;

/* Per-component statistics. The required names of the foundation issue come first. */
#define BF_L1_STATS(X)                                                                             \
    X(U64, dreads, "l1.dcache.reads", "accesses", "data reads that looked up the D-cache")         \
    X(U64, dwrites, "l1.dcache.writes", "accesses", "data writes that looked up the D-cache")      \
    X(U64, dread_misses, "l1.dcache.read_misses", "accesses", "D-cache reads that missed")         \
    X(U64, dwrite_misses, "l1.dcache.write_misses", "accesses", "D-cache writes that missed")      \
    X(U64, ifetches, "l1.icache.fetches", "accesses", "instruction fetches that looked up the I-cache") \
    X(U64, imisses, "l1.icache.misses", "accesses", "I-cache fetches that missed")

typedef struct bf_l1_stats {
    BF_L1_STATS(BF_STAT_MEMBER)
} bf_l1_stats;

extern const bf_stat_desc bf_l1_stat_desc[];
extern const size_t bf_l1_stat_count;

typedef struct bf_l1 bf_l1;

void bf_l1_config_default(bf_l1_config *c);
/* NULL if the config is usable, else a message naming the field. */
const char *bf_l1_config_check(const bf_l1_config *c);

int bf_l1_create(const bf_l1_config *c, bf_port ext, bf_l1_stats *stats, bf_l1 **out);
void bf_l1_destroy(bf_l1 *l1);

/* A core load, store or fetch. resp.ready is when the core may go on; resp.fault is set for
** an access that L1 itself forbids (a cache-configured half used as SRAM, data access to
** instruction SRAM). */
int bf_l1_access(bf_l1 *l1, const bf_req *rq, bf_resp *rs);

/* A cache or sync operation (bf_op) at rq->addr (ignored by SSYNC/CSYNC), with rq->now and the
** page attributes in rq->flags. */
int bf_l1_op(bf_l1 *l1, int op, const bf_req *rq, bf_resp *rs);

/* Writes of the control registers during a run (trace records). Clearing DMC/IMC invalidates that
** cache without write-back. */
int bf_l1_write_dmem_control(bf_l1 *l1, uint32_t value, bf_cycles now);
int bf_l1_write_imem_control(bf_l1 *l1, uint32_t value, bf_cycles now);

/* End of run: issue every buffered write to `ext` (no stall is charged); returns when the last
** one completes in *done. Dirty lines stay in the cache (Cachegrind and DineroIV convention). */
int bf_l1_finish(bf_l1 *l1, bf_cycles now, bf_cycles *done);

#endif

/*
** Stall accounting contract (sim/ relies on it for the stall breakdown): for every call of
** bf_l1_access and bf_l1_op, rs->ready - rq->now - (issue cost: hit_cycles for an access,
** csync/ssync/cacheop cycles for an op) equals exactly what that call added to the stall counters
** l1.stall.* (fill, fill_busy, wbuf_full, victim_full, uncached, ssync_drain), so that their sum
** over a run is the L1 share of core.cycles minus the unstalled cycles.
*/
