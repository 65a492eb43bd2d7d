/*
** bf_tlm_platform.h: a small two-initiator virtual platform: the C engine's memory system
** (sim/bf_memsys: the one builder of the chain, CPLB stage -> core-MMR stage -> L1) behind TLM
** adapters of bf_tlm.h:
**
**   core (bf_tlm_initiator) --> corefront (bf_tlm_target, PASS) --> bf_memsys_core_port
**                                    (CPLB stage -> core-MMR stage -> L1)  | L1's ext port
**                                              bf_tlm_outport <-----------+ (bf_memsys_create_ebiu)
**                                                    |
**   dma (bf_tlm_initiator, BF_SRC_DMA) --> ebiu (bf_tlm_target, 2 sockets, ORDER_SYNC by
**                                                default) --> the memory system's SDRAM model
**
** Page attributes, CPLB misses, protection faults and their handler time come from the machine's
** CPLBs exactly as in `bfsim run`: an access's own BF_REQ_* attribute flags are replaced by the
** CPLB stage's. The core front is single-initiator by the L1 model's contract (one in-order core);
** the EBIU is the shared target where the ordering rule applies (docs/systemc.md). The DMA
** initiator is optional (an empty source function leaves it out).
**
** DMA controller mode (dma_controller = true): the EBIU target's port is the memory system's DMA
** controller (bf_memsys_ebiu_port: bf_dma_core_xfer over the SDRAM model), so DMA transfers given
** to dma_submit() move chunk by chunk beside L1's traffic with the same per-request CDPRIO
** arbitration as `bfsim run`. Either way the memory system's coherency hazard detector watches
** L1, and DMA initiator requests reaching the EBIU are shown to it (bf_l1_dma_snoop).
*/
#ifndef BF_TLM_PLATFORM_H
#define BF_TLM_PLATFORM_H

#include <memory>

#include "bf_tlm.h"

extern "C" {
#include "bf_memsys.h"
}

class bf_tlm_platform : public sc_core::sc_module
{
  public:
    /* Raises SC_REPORT_ERROR if the memory system cannot be built (the message of
    ** bf_memsys_create_ebiu). The CCLK of every adapter is the machine's (sdram.cclk_hz). */
    bf_tlm_platform(sc_core::sc_module_name name, const bf_machine &m, bf_tlm_source_fn core_src,
                    bf_tlm_source_fn dma_src = bf_tlm_source_fn(),
                    int ebiu_order = BF_TLM_ORDER_SYNC, bool dma_controller = false);
    ~bf_tlm_platform() override;

    /* DMA controller mode only (BF_ESTATE otherwise): queue transfer x (bf_memsys_dma_submit).
    ** Call from the thread that drives the core, at core time `start` or earlier. */
    int dma_submit(const bf_hazard_xfer *x, bf_cycles start, bf_cycles *next, bf_dma_reject *rej);
    /* DMA controller mode only: bring the DMA up to core time t (bf_memsys_dma_advance); the
    ** core's driver calls it before each step at a time t >= *next, from its own thread. */
    int dma_advance(bf_cycles t, bf_cycles *next);
    /* End of run at core time `now` (bf_memsys_finish): drain L1's buffers, run the queued DMA to
    ** its end; *idle is when everything outside the core is idle. Call from an SC_THREAD (the
    ** EBIU may wait). */
    int finish(bf_cycles now, bf_cycles *idle);

    std::unique_ptr<bf_tlm_outport> l1out; /* L1's ext port: the memory system's EBIU port */
    bf_memsys *ms = nullptr;
    bf_memsys_blocks stats{}; /* the statistics of every model of the chain */
    bf_l1 *l1 = nullptr;
    bf_sdram *sdram = nullptr;
    std::unique_ptr<bf_tlm_target> ebiu;      /* socket 0: L1 (sources from the extension),
                                                 socket 1 (with a DMA source): DMA */
    std::unique_ptr<bf_tlm_target> corefront; /* core accesses into bf_memsys_core_port */
    std::unique_ptr<bf_tlm_initiator> core;
    std::unique_ptr<bf_tlm_initiator> dma; /* null without a DMA source */

  private:
    bool dmac_ = false;
};

/* A machine for the examples, the tests and the bench: every key's default (the EZ-KIT board),
** the C models' L1 layout (I-cache, write-back D-cache in both banks: l1.dmc = 11, l1.imc = 1)
** and the [cplb] keys in `cplb` (INI lines; NULL: explicit CPLBs, both enabled, cacheable
** write-back over the first 16 MB of data and 4 MB of code). Raises SC_REPORT_ERROR on a bad
** text. */
std::unique_ptr<bf_machine> bf_tlm_machine(const char *cplb = nullptr);

#endif
