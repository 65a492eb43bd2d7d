/*
** bf_memsys.h: one BF533 memory system composed of the models, the only place the chain of ports
** is built: CPLB stage -> core-MMR stage -> L1 (SRAM | cache, buffers) -> EBIU port (by default
** the DMA controller's core side in front of the SDRAM model, which also serves the system MMRs).
** Owns the models, their stats blocks (registered in one bf_stats registry if one is given) and
** the functional bytes of simulated memory, so that allocators can keep real metadata in it.
*/
#ifndef BF_MEMSYS_H
#define BF_MEMSYS_H

#include "bf_config.h"
#include "bf_dma.h"

#define BF_MEMSYS_STATS(X)                                                                         \
    X(U64, stall_cplb, "core.stall.cplb", "cycles", "core cycles spent in CPLB miss handlers")     \
    X(U64, stall_mmr, "core.stall.mmr", "cycles",                                                  \
      "core cycles of core MMR accesses beyond the issue cycle")                                   \
    X(U64, faults, "core.faults", "events", "accesses that ended in a fault (any cause)")          \
    X(U64, mmr_accesses, "core.mmr_accesses", "accesses", "core MMR loads and stores")

typedef struct bf_memsys_stats {
    BF_MEMSYS_STATS(BF_STAT_MEMBER)
} bf_memsys_stats;

extern const bf_stat_desc bf_memsys_stat_desc[];
extern const size_t bf_memsys_stat_count;

typedef struct bf_memsys bf_memsys;

/* Build the models for machine m and register all their stats in reg (may be NULL). */
int bf_memsys_create(const bf_machine *m, bf_stats *reg, bf_memsys **out, char *err, size_t errn);
/* The same with L1's external requests sent to *ebiu instead of the DMA controller's core side
** (NULL: the same as bf_memsys_create). The DMA controller and the SDRAM model are still built:
** bf_memsys_ebiu_port is what the caller's EBIU should serve the requests with. */
int bf_memsys_create_ebiu(const bf_machine *m, const bf_port *ebiu, bf_stats *reg, bf_memsys **out,
                          char *err, size_t errn);
void bf_memsys_destroy(bf_memsys *s);

/* The head of the chain as a port: bf_memsys_access (through the fast path with sim.fast_path,
** bit-identical) without the CPLB outcome and without data, for initiators that only need the
** response, such as the SystemC platform's core front. */
bf_port bf_memsys_core_port(bf_memsys *s);
/* The default EBIU port: the DMA controller's core side (bf_dma_core_xfer) over the SDRAM model. */
bf_port bf_memsys_ebiu_port(bf_memsys *s);

/* The statistics blocks of the chain's models (whether or not a registry holds them). */
typedef struct bf_memsys_blocks {
    bf_memsys_stats *core;
    bf_cplb_stats *cplb;
    bf_l1_stats *l1;
    bf_sdram_stats *sdram;
    bf_dma_stats *dma;
    bf_hazard_stats *hazard;
} bf_memsys_blocks;
bf_memsys_blocks bf_memsys_stat_blocks(bf_memsys *s);

/* A core access: the whole chain from the CPLB stage. res (optional) receives the CPLB outcome; on a fault
** rs->fault/excause are set and nothing else happened. */
int bf_memsys_access(bf_memsys *s, const bf_req *rq, bf_resp *rs, bf_cplb_result *res);
/* The fast path of a core access (docs/performance.md), with the fields of a bf_req as arguments
** (flags: BF_REQ_NOALIGNCHK and BF_REQ_WHOLEREF only; never BF_REQ_CONT): when the CPLB stage's last-hit entry serves
** it (bf_cplb_check_hit), it is checked there and goes on to L1, where a hit is served without a
** request (bf_l1_hit) and anything else by the rest of the chain; *rs gets ready/done/fault and 1 is
** returned. Otherwise 0 with nothing changed: call bf_memsys_access. -1: a model error. Every
** statistic and time is the one bf_memsys_access gives (a test compares every suite trace). */
int bf_memsys_access_fast(bf_memsys *s, int kind, bf_addr addr, uint32_t size, int mode,
                          uint32_t flags, bf_cycles now, uint64_t record, bf_resp *rs);
/* A cache/sync op at rq->addr (CPLB-checked for the line ops; protection ignored, misses count). */
int bf_memsys_op(bf_memsys *s, int op, const bf_req *rq, bf_resp *rs, bf_cplb_result *res);
/* DMA (sim/bf_dma.h): queue transfer x on its channel, to start not before `start`; *next is
** the time of the next DMA request. The replay calls bf_memsys_dma_advance(t) before a record at
** core time t >= *next: it issues L1's buffered writes and the DMA requests that the EBIU takes
** before a core request at t, and returns the new *next ((bf_cycles)-1: no DMA pending).
** A transfer whose ranges start or end where DMA may not go is refused (*rej); chunks that fault
** later (a range running through reserved space) end their transfer through the on_fault
** callback. */
int bf_memsys_dma_submit(bf_memsys *s, const bf_hazard_xfer *x, bf_cycles start, bf_cycles *next,
                         bf_dma_reject *rej);
int bf_memsys_dma_advance(bf_memsys *s, bf_cycles t, bf_cycles *next);
void bf_memsys_dma_on_fault(bf_memsys *s, void (*fn)(void *, const bf_hazard_xfer *, int, bf_addr),
                            void *ctx);
/* The coherency hazard detector watching this memory system. */
bf_hazard *bf_memsys_hazard(bf_memsys *s);

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
/* The same port's fast path as a direct entry (bf_amem's `fast`, bf_amem_fast_fn; ctx the
** bf_memsys; install it only with sim.fast_path on): a CPLB memo hit, then an L1 hit or the rest
** of the chain, without a bf_req. Returns BF_PORT_DECLINED when the memo declines (nothing
** changed: take the port), otherwise the port's outcome for the same request, the data moved:
** BF_OK, BF_PORT_FAULTED or the port's error. */
int bf_memsys_data_fast(void *ctx, bf_addr a, uint32_t size, int kind, bf_cycles *now,
                        uint8_t *buf);
/* The same bytes, but every access served as an L1 data SRAM access (l1.hit_cycles, no CPLB,
** no cache): the timing of allocator metadata kept in L1 SRAM (alloc.meta_l1). */
bf_port bf_memsys_sram_port(bf_memsys *s);
/* The same bytes with no timing and no model state touched (ready = now): for measurements that
** are not part of the simulated program, such as an allocator's invariant checks and walks. */
bf_port bf_memsys_functional_port(bf_memsys *s);
/* The same as a direct entry (bf_amem's `fast`, ctx the bf_memsys): it never declines. */
int bf_memsys_functional_fast(void *ctx, bf_addr a, uint32_t size, int kind, bf_cycles *now,
                              uint8_t *buf);
/* The functional store of the simulated SDRAM itself, [0, *len) (allocated now if it was not):
** what the functional port reads there, for a reader that copies in place (bf_amem_view). NULL
** when the machine has no SDRAM or the host is out of memory (bf_memsys_host_oom). */
const uint8_t *bf_memsys_functional_bytes(bf_memsys *s, uint32_t *len);

const bf_machine *bf_memsys_machine(const bf_memsys *s);
bf_cplb *bf_memsys_cplb(bf_memsys *s);
bf_l1 *bf_memsys_l1(bf_memsys *s);
bf_sdram *bf_memsys_sdram(bf_memsys *s);

#endif
