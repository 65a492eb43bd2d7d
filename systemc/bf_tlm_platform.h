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
*/
#ifndef BF_TLM_PLATFORM_H
#define BF_TLM_PLATFORM_H

#include <memory>

#include "bf_tlm.h"

extern "C" {
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
                    int ebiu_order = BF_TLM_ORDER_SYNC);
    ~bf_tlm_platform() override;

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
