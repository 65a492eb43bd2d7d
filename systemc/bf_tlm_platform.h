/*
** bf_tlm_platform.h: a small two-initiator virtual platform built from the adapters of bf_tlm.h
** and the real C models, used by the example, the tests and the bench:
**
**   core (bf_tlm_initiator) --> l1front (bf_tlm_target, PASS) --> bf_l1_access
**                                                                    | ext port
**                                              bf_tlm_outport <------+
**                                                    |
**   dma (bf_tlm_initiator, BF_SRC_DMA) --> ebiu (bf_tlm_target, 2 sockets, ORDER_SYNC by
**                                                default) --> bf_sdram_xfer
**
** The L1 front is single-initiator by the L1 model's contract (one in-order core); the EBIU is
** the shared target where the ordering rule applies (docs/systemc.md). The DMA initiator is
** optional (an empty source function leaves it out).
**
** DMA controller (optional, a bf_dma_config given): the platform then also holds the C engine's
** DMA controller (models/dma): the EBIU target's port is bf_dma_core_xfer, so DMA transfers given
** to dma_submit() move chunk by chunk beside L1's traffic with the same per-request CDPRIO
** arbitration as `bfsim run`. Either way the coherency hazard detector (models/l1/bf_hazard) is
** attached to the L1 model, and DMA requests reaching the EBIU are shown to it
** (bf_l1_dma_snoop): hazards counts the same hazards as the C engine.
*/
#ifndef BF_TLM_PLATFORM_H
#define BF_TLM_PLATFORM_H

#include <memory>

#include "bf_tlm.h"

extern "C" {
#include "bf_dma.h"
#include "bf_l1.h"
#include "bf_sdram.h"
}

class bf_tlm_platform : public sc_core::sc_module
{
  public:
    /* Raises SC_REPORT_ERROR if a model's config check or creation fails. The CCLK of every
    ** adapter is sdram.cclk_hz (the machine's core clock). */
    bf_tlm_platform(sc_core::sc_module_name name, const bf_l1_config &l1c,
                    const bf_sdram_config &sdc, bf_tlm_source_fn core_src,
                    bf_tlm_source_fn dma_src = bf_tlm_source_fn(),
                    int ebiu_order = BF_TLM_ORDER_SYNC, const bf_dma_config *dmac = nullptr);
    ~bf_tlm_platform() override;

    /* DMA controller mode only: queue transfer x (bf_dma_submit). Call from the thread that
    ** drives the core, at core time `start` or earlier. */
    int dma_submit(const bf_hazard_xfer *x, bf_cycles start, bf_cycles *next, bf_dma_reject *rej);
    /* DMA controller mode only: bring the DMA up to core time t (bf_dma_advance); the core's
    ** driver calls it before each step at a time t >= *next, from its own thread. */
    int dma_advance(bf_cycles t, bf_cycles *next);
    /* End of run at core time `now`: drain L1's buffers, run the queued DMA to its end; *idle is
    ** when everything outside the core is idle. Call from an SC_THREAD (the EBIU may wait). */
    int finish(bf_cycles now, bf_cycles *idle);

    bf_hazard_stats hazard_stats{};
    bf_dma_stats dma_stats{};
    bf_hazard *hazard = nullptr;
    bf_dma *dmac = nullptr; /* null without a bf_dma_config */
    bf_l1_stats l1_stats{};
    bf_sdram_stats sdram_stats{};
    bf_sdram *sdram = nullptr;
    bf_l1 *l1 = nullptr;
    std::unique_ptr<bf_tlm_target> ebiu;    /* socket 0: L1 (sources from the extension),
                                               socket 1 (with a DMA source): DMA */
    std::unique_ptr<bf_tlm_outport> l1out;  /* the L1's ext port */
    std::unique_ptr<bf_tlm_target> l1front; /* core accesses into bf_l1_access */
    std::unique_ptr<bf_tlm_initiator> core;
    std::unique_ptr<bf_tlm_initiator> dma; /* null without a DMA source */
};

/* bf_l1_access as a bf_port function (ctx is the bf_l1*): the L1 front's port. */
int bf_tlm_l1_xfer(void *ctx, const bf_req *rq, bf_resp *rs);

#endif
