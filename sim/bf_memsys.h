/*
** bf_memsys.h: one BF533 memory system composed of the models: CPLB check -> L1 (SRAM | cache,
** buffers) -> EBIU (SDRAM, async banks, system MMRs). Owns the models, their stats blocks (all
** registered in one bf_stats registry) and the functional bytes of simulated memory, so that
** allocators can keep real metadata in it.
*/
#ifndef BF_MEMSYS_H
#define BF_MEMSYS_H

#include "bf_config.h"

#define BF_MEMSYS_STATS(X)                                                                         \
    X(U64, stall_cplb, "core.stall.cplb", "cycles", "core cycles spent in CPLB miss handlers")     \
    X(U64, stall_mmr, "core.stall.mmr", "cycles", "core cycles of core MMR accesses beyond the issue cycle") \
    X(U64, faults, "core.faults", "events", "accesses that ended in a fault (any cause)")          \
    X(U64, mmr_accesses, "core.mmr_accesses", "accesses", "core MMR loads and stores")

typedef struct bf_memsys_stats {
    BF_MEMSYS_STATS(BF_STAT_MEMBER)
} bf_memsys_stats;

extern const bf_stat_desc bf_memsys_stat_desc[];
extern const size_t bf_memsys_stat_count;

typedef struct bf_memsys bf_memsys;

/* Build the models for machine m and register all their stats in reg. */
int bf_memsys_create(const bf_machine *m, bf_stats *reg, bf_memsys **out, char *err, size_t errn);
void bf_memsys_destroy(bf_memsys *s);

/* A core access: CPLB, then L1/external. res (optional) receives the CPLB outcome; on a fault
** rs->fault/excause are set and nothing else happened. */
int bf_memsys_access(bf_memsys *s, const bf_req *rq, bf_resp *rs, bf_cplb_result *res);
/* The fast path of a core access (docs/performance.md), with the fields of a bf_req as arguments
** (flags: BF_REQ_NOALIGNCHK only; never BF_REQ_CONT): when the CPLB stage's last-hit entry serves
** it (bf_cplb_check_hit), it is checked there and goes on to L1, where a hit is served without a
** request (bf_l1_hit) and anything else by bf_l1_access; *rs gets ready/done/fault and 1 is
** returned. Otherwise 0 with nothing changed: call bf_memsys_access. -1: a model error. Every
** statistic and time is the one bf_memsys_access gives (a test compares every suite trace). */
int bf_memsys_access_fast(bf_memsys *s, int kind, bf_addr addr, uint32_t size, int mode,
                          uint32_t flags, bf_cycles now, uint64_t record, bf_resp *rs);
/* A cache/sync op at rq->addr (CPLB-checked for the line ops; protection ignored, misses count). */
int bf_memsys_op(bf_memsys *s, int op, const bf_req *rq, bf_resp *rs, bf_cplb_result *res);
/* A DMA transfer of `bytes` from src to dst starting at core time `start`, in chunks of at most
** BF_MEMSYS_DMA_CHUNK bytes, each read then written, one chunk after the other (one channel).
** DMA bypasses the CPLBs and the caches; external chunks go to the EBIU as BF_SRC_DMA requests,
** L1 SRAM chunks cost nothing outside L1. *end receives the completion time; a chunk that L1
** refuses (DMA to the scratchpad or to a cache-configured half) ends the transfer with *fault. */
#define BF_MEMSYS_DMA_CHUNK 32u
int bf_memsys_dma(bf_memsys *s, bf_addr src, bf_addr dst, uint64_t bytes, bf_cycles start,
                  bf_cycles *end, int *fault, bf_addr *fault_addr);

/* A control-register write: DMEM_CONTROL, IMEM_CONTROL and xCPLB_ADDRn/DATAn are applied (see
** the rules in bf_memsys.c); writes to the other CPLB, cache-control, EBIU and PLL registers
** are BF_EINPUT with a message naming the register in err; other MMRs are only counted. */
int bf_memsys_mmr_write(bf_memsys *s, bf_addr addr, uint32_t value, bf_cycles now, char *err,
                        size_t errn);
/* 1 if the functional SDRAM store could not be allocated (host out of memory): the data
** accesses that needed it failed with BF_ENOMEM instead of reading zeros. */
int bf_memsys_host_oom(const bf_memsys *s);
/* End of run: drain buffers; returns the time everything outside the core is idle. */
int bf_memsys_finish(bf_memsys *s, bf_cycles now, bf_cycles *idle);

/* The port allocators use: bf_memsys_access plus the functional data copy. */
bf_port bf_memsys_data_port(bf_memsys *s);
/* The same bytes, but every access served as an L1 data SRAM access (l1.hit_cycles, no CPLB,
** no cache): the timing of allocator metadata kept in L1 SRAM (alloc.meta_l1). */
bf_port bf_memsys_sram_port(bf_memsys *s);
/* The same bytes with no timing and no model state touched (ready = now): for measurements that
** are not part of the simulated program, such as an allocator's invariant checks and walks. */
bf_port bf_memsys_functional_port(bf_memsys *s);

const bf_machine *bf_memsys_machine(const bf_memsys *s);
bf_cplb *bf_memsys_cplb(bf_memsys *s);
bf_l1 *bf_memsys_l1(bf_memsys *s);
bf_sdram *bf_memsys_sdram(bf_memsys *s);

#endif
