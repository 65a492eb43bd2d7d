/*
** bf_dma.h: the DMA controller beside the core: DMA transfers (trace DMA records) queued per
** channel and moved chunk by chunk through the EBIU, interleaved in time with the core side's
** EBIU requests (L1 fills, uncached accesses, write-buffer drains, victim write-backs) and
** arbitrated per request by EBIU_AMGCTL.CDPRIO (bf_sdram_first). Feeds the coherency hazard
** detector (bf_l1_dma_snoop). Used by sim/ (bf_memsys) and the SystemC platform; single-threaded.
*/
#ifndef BF_DMA_H
#define BF_DMA_H

#include "bf_l1.h"
#include "bf_sdram.h"

#define BF_DMA_STATS(X)                                                                            \
    X(U64, records, "core.dma_records", "records", "DMA transfers replayed (DMA records)")         \
    X(U64, bytes, "core.dma_bytes", "bytes", "bytes moved by DMA transfers")                       \
    X(U64, busy, "core.dma_busy_cycles", "cycles",                                                 \
      "sum of the DMA transfers' durations, first request to last completion (they overlap the "   \
      "core; not in core.cycles)")                                                                 \
    X(U64, faults, "core.dma_faults", "events",                                                    \
      "DMA transfers ended by a fault (scratchpad, cache-configured L1, unpopulated memory)")      \
    X(U64, requests, "core.dma_requests", "requests", "DMA chunk reads and writes issued")         \
    X(U64, dma_wait, "core.dma_wait_cycles", "cycles",                                             \
      "cycles DMA requests waited at the EBIU directly behind a core-side request (fill, "         \
      "uncached access, drain, write-back)")                                                       \
    X(U64, core_wait, "core.dma_core_wait_cycles", "cycles",                                       \
      "cycles core-side EBIU requests waited directly behind a DMA request")

typedef struct bf_dma_stats {
    BF_DMA_STATS(BF_STAT_MEMBER)
} bf_dma_stats;

extern const bf_stat_desc bf_dma_stat_desc[];
extern const size_t bf_dma_stat_count;

typedef struct bf_dma_config {
    uint32_t channels;    /* channels 0..channels-1 */
    uint32_t chunk_bytes; /* bytes per EBIU request (1..4096) */
} bf_dma_config;

typedef struct bf_dma bf_dma;

/* NULL if usable, else a message naming the field. */
const char *bf_dma_config_check(const bf_dma_config *c);

/* A transfer that ended with a fault part-way (x: the transfer, addr: the faulting address). */
typedef void (*bf_dma_fault_fn)(void *ctx, const bf_hazard_xfer *x, int fault, bf_addr addr);

/* Requests go to the EBIU model sdram directly; L1 SRAM chunks are served by bf_l1_access with
** source DMA. BF_ECONFIG, BF_ENOMEM. */
int bf_dma_create(const bf_dma_config *c, bf_l1 *l1, bf_sdram *sdram, bf_dma_stats *st,
                  bf_dma **out);
void bf_dma_destroy(bf_dma *d);
void bf_dma_on_fault(bf_dma *d, bf_dma_fault_fn fn, void *ctx);

/* A transfer refused before it starts: fault (bf_fault, 0 if accepted) at addr, on the
** destination side if write. */
typedef struct bf_dma_reject {
    int fault;
    bf_addr addr;
    int write;
} bf_dma_reject;

/* Queue a transfer on channel x->chan (< channels; BF_EINPUT otherwise or for 0 bytes), to start
** not before `start` and after the channel's earlier transfers, unless an end of either range is
** in the scratchpad, an L1 half configured as cache or reserved space (then *rej says which, and
** the transfer is counted as a fault). *next: the time of the next DMA request (bf_dma_advance). */
int bf_dma_submit(bf_dma *d, const bf_hazard_xfer *x, bf_cycles start, bf_cycles *next,
                  bf_dma_reject *rej);

/* Bring the DMA up to core time t: issue L1's buffered writes that start before t
** (bf_l1_drain_before: they arbitrate with the DMA requests like any core-side request), then
** every DMA request that the EBIU serves before a core-side request at t would be (an earlier
** SCLK edge, or the same edge under CDPRIO=1). Returns in *next the time of the next pending
** request ((bf_cycles)-1 if none). The core's driver calls this before each of its steps at a
** time t >= *next, so that DMA writes reach the hazard detector before later core accesses. */
int bf_dma_advance(bf_dma *d, bf_cycles t, bf_cycles *next);

/* The EBIU port of the core side: issues the DMA requests that go before rq, then rq. */
int bf_dma_core_xfer(void *ctx, const bf_req *rq, bf_resp *rs);

/* End of run at core time `now`: L1's buffered writes (bf_l1_finish) and every queued transfer
** run to their ends; *idle = when L1, the DMA channels and the EBIU are all idle; the EBIU's
** end-of-run statistics are finalized there (bf_sdram_finalize). */
int bf_dma_finish(bf_dma *d, bf_cycles now, bf_cycles *idle);

#endif
