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
**
** Calls must come in non-decreasing rq->now (one in-order core); an instance is not thread-safe.
** docs/models/l1.md lists the modelling assumptions, the ESTIMATE parameters and the conventions.
*/
#ifndef BF_L1_H
#define BF_L1_H

#include "bf_common.h"
#include "bf_hazard.h"
#include "bf_map.h"
#include "bf_stats.h"

enum { BF_L1_INDEX_BLACKFIN = 0, BF_L1_INDEX_BITSEL = 1 };

typedef struct bf_l1_config {
    int part;                /* bf_part */
    uint32_t dmem_control;   /* initial DMEM_CONTROL (ENDCPLB, DMC, DCBS, ...) */
    uint32_t imem_control;   /* initial IMEM_CONTROL (ENICPLB, IMC, ILOC, LRUPRIORST) */
    uint32_t sdram_bytes;    /* populated SDRAM, for region classification */
    int index_mode;          /* BF_L1_INDEX_*: Blackfin sub-bank index or plain bit selection */
    uint32_t default_attrs;  /* BF_REQ_* attributes of external memory when no CPLB stage ran */
    uint32_t hit_cycles;     /* core cycles of an L1 hit or SRAM access (1, CONFIRMED) */
    uint32_t wbuf_depth;     /* write-buffer entries of 32 bits (ESTIMATE 6) */
    uint32_t victim_depth;   /* victim-buffer lines (ESTIMATE 1) */
    int critical_word_first; /* 1: a miss stalls until its 64-bit word arrives (ESTIMATE) */
    uint32_t csync_cycles;   /* CSYNC cost, core cycles (GDB sim: 10) */
    uint32_t ssync_cycles;   /* SSYNC handshake beyond the drain, core cycles (GDB sim: 10) */
    uint32_t cacheop_cycles; /* issue cost of FLUSH/FLUSHINV/IFLUSH/PREFETCH (ESTIMATE 1) */
    int classify_misses;     /* 1: compulsory/capacity/conflict split (costs memory and time) */
    int dcbs_set_bank_a;     /* ESTIMATE 0: with DMC=11 the DCBS-selected address bit set picks
                                 bank B (0) or bank A (1); docs/models/l1.md "DCBS polarity" */
} bf_l1_config;

/* Per-component statistics. The required names of the foundation issue come first. */
#define BF_L1_STATS(X)                                                                             \
    X(U64, dreads, "l1.dcache.reads", "accesses", "data reads that looked up the D-cache")         \
    X(U64, dwrites, "l1.dcache.writes", "accesses", "data writes that looked up the D-cache")      \
    X(U64, dread_misses, "l1.dcache.read_misses", "accesses", "D-cache reads that missed")         \
    X(U64, dwrite_misses, "l1.dcache.write_misses", "accesses", "D-cache writes that missed")      \
    X(U64, ifetches, "l1.icache.fetches", "accesses",                                              \
      "instruction fetches that looked up the I-cache")                                            \
    X(U64, imisses, "l1.icache.misses", "accesses", "I-cache fetches that missed")                 \
    X(U64, dread_hits, "l1.dcache.read_hits", "accesses", "D-cache reads that hit")                \
    X(U64, dwrite_hits, "l1.dcache.write_hits", "accesses", "D-cache writes that hit")             \
    X(U64, ihits, "l1.icache.hits", "accesses", "I-cache fetches that hit")                        \
    X(U64, bank_a_accesses, "l1.dcache.bank_a.accesses", "accesses",                               \
      "D-cache lookups in data bank A")                                                            \
    X(U64, bank_a_misses, "l1.dcache.bank_a.misses", "accesses", "D-cache misses in data bank A")  \
    X(U64, bank_b_accesses, "l1.dcache.bank_b.accesses", "accesses",                               \
      "D-cache lookups in data bank B")                                                            \
    X(U64, bank_b_misses, "l1.dcache.bank_b.misses", "accesses", "D-cache misses in data bank B")  \
    X(U64, dfills, "l1.dcache.fills", "lines", "D-cache line fills issued (demand and PREFETCH)")  \
    X(U64, dprefetch_fills, "l1.dcache.prefetch_fills", "lines",                                   \
      "D-cache line fills started by PREFETCH")                                                    \
    X(U64, devictions, "l1.dcache.evictions", "lines", "valid D-cache lines replaced by a fill")   \
    X(U64, dwritebacks, "l1.dcache.writebacks", "lines",                                           \
      "dirty D-cache lines written back through the victim buffer (evictions and FLUSH/FLUSHINV)") \
    X(U64, dwt_stores, "l1.dcache.wt_stores", "accesses",                                          \
      "stores to write-through cacheable pages (each enters the write buffer)")                    \
    X(U64, dnoalloc_writes, "l1.dcache.noalloc_write_misses", "accesses",                          \
      "write misses on write-through pages without allocate-on-write (no fill)")                   \
    X(U64, dinval, "l1.dcache.invalidations", "events",                                            \
      "whole D-cache invalidations by a DMEM_CONTROL DMC/DCBS change")                             \
    X(U64, dinval_dirty, "l1.dcache.dirty_dropped", "lines",                                       \
      "dirty D-cache lines discarded without write-back by a DMC/DCBS change")                     \
    X(U64, dmiss_comp, "l1.dcache.miss_compulsory", "accesses",                                    \
      "D-cache misses to a line never referenced before (classify_misses)")                        \
    X(U64, dmiss_cap, "l1.dcache.miss_capacity", "accesses",                                       \
      "D-cache misses that a fully-associative LRU cache of the same size also has")               \
    X(U64, dmiss_conf, "l1.dcache.miss_conflict", "accesses",                                      \
      "D-cache misses that are neither compulsory nor capacity misses")                            \
    X(U64, ifills, "l1.icache.fills", "lines", "I-cache line fills issued")                        \
    X(U64, ievictions, "l1.icache.evictions", "lines", "valid I-cache lines replaced by a fill")   \
    X(U64, ilocked_bypass, "l1.icache.locked_bypass", "accesses",                                  \
      "I-cache misses fetched uncached because every way of the set is locked (ILOC)")             \
    X(U64, iinval, "l1.icache.invalidations", "events",                                            \
      "whole I-cache invalidations by an IMEM_CONTROL IMC change")                                 \
    X(U64, iflushed, "l1.icache.iflush_hits", "lines", "I-cache lines invalidated by IFLUSH")      \
    X(U64, imiss_comp, "l1.icache.miss_compulsory", "accesses",                                    \
      "I-cache misses to a line never referenced before (classify_misses)")                        \
    X(U64, imiss_cap, "l1.icache.miss_capacity", "accesses",                                       \
      "I-cache misses that a fully-associative LRU cache of the same size also has")               \
    X(U64, imiss_conf, "l1.icache.miss_conflict", "accesses",                                      \
      "I-cache misses that are neither compulsory nor capacity misses")                            \
    X(U64, ureads, "l1.uncached.reads", "accesses",                                                \
      "core loads to external memory or system MMRs that bypass the D-cache")                      \
    X(U64, uwrites, "l1.uncached.writes", "accesses",                                              \
      "core stores to external memory or system MMRs that bypass the D-cache")                     \
    X(U64, ufetches, "l1.uncached.fetches", "accesses",                                            \
      "instruction fetches from external memory that bypass the I-cache")                          \
    X(U64, ufetch_blocks, "l1.uncached.fetch_blocks", "reads",                                     \
      "aligned 64-bit blocks read from external memory for uncached fetches")                      \
    X(U64, ufetch_reused, "l1.uncached.fetch_reused", "blocks",                                    \
      "uncached fetch blocks served by the block read just before (no external read)")             \
    X(U64, sram_accesses, "l1.sram.accesses", "accesses",                                          \
      "core accesses served by L1 SRAM, scratchpad or core MMRs without going outside")            \
    X(U64, dma_accesses, "l1.dma.accesses", "accesses",                                            \
      "DMA requests to L1 SRAM (DMA to external memory goes to the EBIU, not through L1)")         \
    X(U64, faults, "l1.faults", "accesses",                                                        \
      "accesses that ended in a fault reported by L1 (illegal L1 use or reserved space)")          \
    X(U64, wbuf_entries, "l1.wbuf.stores", "accesses",                                             \
      "stores entered into the write buffer (write-through and uncached)")                         \
    X(U64, wbuf_drains, "l1.wbuf.drains", "requests",                                              \
      "write-buffer drains issued to external memory")                                             \
    X(U64, wbuf_forwards, "l1.wbuf.forwards", "accesses",                                          \
      "uncached loads served from the write buffer without an external read")                      \
    X(U64, wbuf_full, "l1.wbuf.full_events", "events", "stores that found the write buffer full")  \
    X(U64, victim_drains, "l1.victim.drains", "requests",                                          \
      "victim-buffer write-backs issued to external memory")                                       \
    X(U64, victim_full, "l1.victim.full_events", "events",                                         \
      "write-backs that found the victim buffer full")                                             \
    X(U64, stall_fill, "l1.stall.fill", "cycles",                                                  \
      "core cycles waiting for a line fill's word (critical word, or a later word of a line in "   \
      "flight)")                                                                                   \
    X(U64, stall_fill_busy, "l1.stall.fill_busy", "cycles",                                        \
      "core cycles a miss or PREFETCH waited for the fill already in progress")                    \
    X(U64, stall_wbuf_full, "l1.stall.wbuf_full", "cycles",                                        \
      "core cycles a store waited for a write-buffer entry to free")                               \
    X(U64, stall_victim_full, "l1.stall.victim_full", "cycles",                                    \
      "core cycles waiting for a victim-buffer entry to free")                                     \
    X(U64, stall_uncached, "l1.stall.uncached", "cycles",                                          \
      "core cycles waiting for uncached loads and fetches")                                        \
    X(U64, stall_ssync_drain, "l1.stall.ssync_drain", "cycles",                                    \
      "core cycles SSYNC waited for the write/victim buffers to drain and fills in flight")        \
    X(U64, op_ssync, "l1.ops.ssync", "ops", "SSYNC instructions")                                  \
    X(U64, op_csync, "l1.ops.csync", "ops", "CSYNC instructions")                                  \
    X(U64, op_flush, "l1.ops.flush", "ops", "FLUSH instructions (one line each)")                  \
    X(U64, op_flushinv, "l1.ops.flushinv", "ops", "FLUSHINV instructions (one line each)")         \
    X(U64, op_iflush, "l1.ops.iflush", "ops", "IFLUSH instructions (one line each)")               \
    X(U64, op_prefetch, "l1.ops.prefetch", "ops", "PREFETCH instructions (one line each)")         \
    X(U64, ssync_cycles, "l1.ops.ssync_cycles", "cycles",                                          \
      "core cycles spent in SSYNC (handshake plus drain stall)")                                   \
    X(U64, csync_cycles, "l1.ops.csync_cycles", "cycles", "core cycles spent in CSYNC")            \
    X(U64_ARRAY, rgn, [BF_RGN_COUNT])                                                              \
    X(U64_AT, rgn, [BF_RGN_RESERVED], "l1.region.reserved.accesses", "accesses",                   \
      "accesses to reserved (unpopulated) space")                                                  \
    X(U64_AT, rgn, [BF_RGN_SDRAM], "l1.region.sdram.accesses", "accesses", "accesses to SDRAM")    \
    X(U64_AT, rgn, [BF_RGN_ASYNC0], "l1.region.async0.accesses", "accesses",                       \
      "accesses to async bank 0")                                                                  \
    X(U64_AT, rgn, [BF_RGN_ASYNC1], "l1.region.async1.accesses", "accesses",                       \
      "accesses to async bank 1")                                                                  \
    X(U64_AT, rgn, [BF_RGN_ASYNC2], "l1.region.async2.accesses", "accesses",                       \
      "accesses to async bank 2")                                                                  \
    X(U64_AT, rgn, [BF_RGN_ASYNC3], "l1.region.async3.accesses", "accesses",                       \
      "accesses to async bank 3")                                                                  \
    X(U64_AT, rgn, [BF_RGN_BOOTROM], "l1.region.bootrom.accesses", "accesses",                     \
      "accesses to the boot ROM")                                                                  \
    X(U64_AT, rgn, [BF_RGN_L1_DATA_A], "l1.region.l1_data_a.accesses", "accesses",                 \
      "accesses to the SRAM-only half of data bank A")                                             \
    X(U64_AT, rgn, [BF_RGN_L1_DATA_A_CACHE], "l1.region.l1_data_a_cache.accesses", "accesses",     \
      "accesses to the SRAM/cache half of data bank A (as SRAM)")                                  \
    X(U64_AT, rgn, [BF_RGN_L1_DATA_B], "l1.region.l1_data_b.accesses", "accesses",                 \
      "accesses to the SRAM-only half of data bank B")                                             \
    X(U64_AT, rgn, [BF_RGN_L1_DATA_B_CACHE], "l1.region.l1_data_b_cache.accesses", "accesses",     \
      "accesses to the SRAM/cache half of data bank B (as SRAM)")                                  \
    X(U64_AT, rgn, [BF_RGN_L1_INST], "l1.region.l1_inst.accesses", "accesses",                     \
      "accesses to L1 instruction SRAM")                                                           \
    X(U64_AT, rgn, [BF_RGN_L1_INST_CACHE], "l1.region.l1_inst_cache.accesses", "accesses",         \
      "accesses to the L1 instruction SRAM/cache half (as SRAM)")                                  \
    X(U64_AT, rgn, [BF_RGN_SCRATCH], "l1.region.scratch.accesses", "accesses",                     \
      "accesses to the scratchpad")                                                                \
    X(U64_AT, rgn, [BF_RGN_SYS_MMR], "l1.region.sys_mmr.accesses", "accesses",                     \
      "accesses to system MMRs")                                                                   \
    X(U64_AT, rgn, [BF_RGN_CORE_MMR], "l1.region.core_mmr.accesses", "accesses",                   \
      "accesses to core MMRs")

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
** instruction SRAM). Core MMRs (0xFFE00000..) are not L1's: the core-MMR stage in front of it
** serves them (sim/bf_memsys.c); a core request for one is BF_EINPUT. */
int bf_l1_access(bf_l1 *l1, const bf_req *rq, bf_resp *rs);
/* bf_l1_access as a port (the stage of the chain in front of L1 forwards to it). */
bf_port bf_l1_port(bf_l1 *l1);
/* The fast path of a core access (kind, a, size >= 1, issued at now; flags: the CPLB stage's
** page attributes and the request's BF_REQ_WHOLEREF, never BF_REQ_CONT): if it is a hit on one
** cached line of SDRAM it is served exactly as bf_l1_access would serve it, *ready set to
** rs.ready, and 1 returned; otherwise 0 with nothing changed (call bf_l1_access). */
int bf_l1_hit(bf_l1 *l1, int kind, bf_addr a, uint32_t size, uint32_t flags, bf_cycles now,
              bf_cycles *ready);

/* A cache or sync operation (bf_op) at rq->addr (ignored by SSYNC/CSYNC), with rq->now and the
** page attributes in rq->flags. */
int bf_l1_op(bf_l1 *l1, int op, const bf_req *rq, bf_resp *rs);

/* Writes of the control registers during a run (trace records). Clearing DMC/IMC invalidates that
** cache without write-back. (Precisely: any change of DMC, of DCBS while DMC=11, or of IMC
** invalidates that cache; ILOC and LRUPRIORST take effect without invalidating. DMC=01, or DMC=11
** on the BF531, returns BF_EINPUT and changes nothing.) */
int bf_l1_write_dmem_control(bf_l1 *l1, uint32_t value, bf_cycles now);
int bf_l1_write_imem_control(bf_l1 *l1, uint32_t value, bf_cycles now);

/* End of run: issue every buffered write to `ext` (no stall is charged); returns when the last
** one completes in *done. Dirty lines stay in the cache (Cachegrind and DineroIV convention). */
int bf_l1_finish(bf_l1 *l1, bf_cycles now, bf_cycles *done);

/* Coherency hazard detection (bf_hazard.h): with a detector attached, DMA writes and core stores
** that reach memory mark the valid lines over them stale, and hits, write-backs and DMA reads of
** dirty lines report to it. NULL detaches (the default: no flag is ever set). */
void bf_l1_set_hazard(bf_l1 *l1, bf_hazard *hz);
/* A DMA transfer x reads (write = 0) or writes [a, a + size) of external memory: tell the
** detector what the caches hold there. State only: no time, no statistic, no LRU change; safe to
** call from inside the ext port (a DMA engine arbitrating with L1's own requests). */
void bf_l1_dma_snoop(bf_l1 *l1, bf_addr a, uint32_t size, int write, const bf_hazard_xfer *x);
/* The fault a DMA access at a raises under the current DMEM_CONTROL/IMEM_CONTROL: BF_FAULT_L1_ILLEGAL
** for the scratchpad or an L1 half configured as cache, BF_FAULT_HWERR_EXTERN for reserved
** space, else BF_FAULT_NONE. */
int bf_l1_dma_fault(const bf_l1 *l1, bf_addr a);
/* 1 if a DMA access at a goes to the EBIU (external memory, system MMRs), 0 if L1 serves it. */
int bf_l1_dma_is_external(const bf_l1 *l1, bf_addr a);
/* Issue the buffered writes (write buffer, victim buffer) that start before t to `ext`, as L1
** does itself before any external request at t (a caller that interleaves other traffic). */
int bf_l1_drain_before(bf_l1 *l1, bf_cycles t);
/* Per-set statistics (bfsim --set-stats): line fills and evictions of each slot, for the cache
** set heatmaps. Off unless attached: the model then keeps one NULL pointer and tests it only on
** the fill path. Indexed like the silicon: D-cache slot (bank * BF_L1_DSETS + set) * BF_L1_DWAYS
** + way, I-cache slot set * BF_L1_IWAYS + way, where set is the cache index (sub-bank and line
** index bits). The sums equal l1.dcache.fills / l1.dcache.evictions / l1.icache.fills /
** l1.icache.evictions over the time it was attached. */
enum { BF_L1_DBANKS = 2, BF_L1_DSETS = 256, BF_L1_DWAYS = 2, BF_L1_ISETS = 128, BF_L1_IWAYS = 4 };
typedef struct bf_l1_set_stats {
    uint64_t dfills[BF_L1_DBANKS * BF_L1_DSETS * BF_L1_DWAYS];     /* lines */
    uint64_t devictions[BF_L1_DBANKS * BF_L1_DSETS * BF_L1_DWAYS]; /* lines */
    uint64_t ifills[BF_L1_ISETS * BF_L1_IWAYS];                    /* lines */
    uint64_t ievictions[BF_L1_ISETS * BF_L1_IWAYS];                /* lines */
} bf_l1_set_stats;
/* Count into ss (caller-owned, zeroed by the caller, outlives l1); NULL stops counting. */
void bf_l1_set_stats_attach(bf_l1 *l1, bf_l1_set_stats *ss);

/* Consistency check of the model state (tests and --check runs): NULL, or a message naming the
** broken invariant (duplicate tag in a set, dirty invalid line, buffer over its depth, ...). */
const char *bf_l1_check(const bf_l1 *l1);

#endif

/*
** Stall accounting contract (sim/ relies on it for the stall breakdown): for every call of
** bf_l1_access and bf_l1_op, rs->ready - rq->now - (issue cost: hit_cycles for an access,
** csync/ssync/cacheop cycles for an op) equals exactly what that call added to the stall counters
** l1.stall.* (fill, fill_busy, wbuf_full, victim_full, uncached, ssync_drain), so that their sum
** over a run is the L1 share of core.cycles minus the unstalled cycles.
*/
