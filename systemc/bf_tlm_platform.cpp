/*
** bf_tlm_platform.cpp: builds the two-initiator platform of bf_tlm_platform.h. Composition only:
** the models are created with their own config checks and bound through the adapters.
*/
#include "bf_tlm_platform.h"

#include <string>

int bf_tlm_l1_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    return bf_l1_access(static_cast<bf_l1 *>(ctx), rq, rs);
}

/* The EBIU port without a DMA controller: DMA initiator requests are shown to the hazard detector
** (each request one transfer, numbered by its record) before the EBIU model serves them. */
static int ebiu_snoop_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    bf_tlm_platform *p = static_cast<bf_tlm_platform *>(ctx);
    if (rq->source == BF_SRC_DMA) {
        bf_hazard_xfer x{};
        x.id = rq->record;
        x.src = x.dst = rq->addr;
        x.bytes = rq->size;
        x.pos.record = rq->record;
        bf_l1_dma_snoop(p->l1, rq->addr, rq->size, rq->kind == BF_ACC_WRITE, &x);
    }
    return bf_sdram_xfer(p->sdram, rq, rs);
}

bf_tlm_platform::bf_tlm_platform(sc_core::sc_module_name name, const bf_l1_config &l1c,
                                 const bf_sdram_config &sdc, bf_tlm_source_fn core_src,
                                 bf_tlm_source_fn dma_src, int ebiu_order,
                                 const bf_dma_config *dmacfg)
    : sc_module(name)
{
    const char *m = bf_sdram_config_check(&sdc);
    if (m)
        SC_REPORT_ERROR("bfsim/systemc", (std::string("sdram config: ") + m).c_str());
    m = bf_l1_config_check(&l1c);
    if (m)
        SC_REPORT_ERROR("bfsim/systemc", (std::string("l1 config: ") + m).c_str());
    int rc = bf_sdram_create(&sdc, &sdram_stats, &sdram);
    if (rc != BF_OK)
        SC_REPORT_ERROR("bfsim/systemc",
                        (std::string("bf_sdram_create: ") + bf_rc_name(rc)).c_str());

    bf_tlm_target_config ec;
    bf_tlm_target_config_default(&ec);
    ec.cclk_hz = sdc.cclk_hz;
    ec.sockets = dma_src ? 2 : 1; /* an unbound target socket is an elaboration error */
    ec.order = ebiu_order;
    l1out.reset(new bf_tlm_outport("l1out", sdc.cclk_hz));
    rc = bf_l1_create(&l1c, l1out->port(), &l1_stats, &l1);
    if (rc != BF_OK)
        SC_REPORT_ERROR("bfsim/systemc", (std::string("bf_l1_create: ") + bf_rc_name(rc)).c_str());
    if (bf_hazard_create(&hazard_stats, &hazard) != BF_OK)
        SC_REPORT_ERROR("bfsim/systemc", "bf_hazard_create: out of memory");
    bf_l1_set_hazard(l1, hazard);
    bf_port eport = {ebiu_snoop_xfer, this};
    if (dmacfg) {
        rc = bf_dma_create(dmacfg, l1, sdram, &dma_stats, &dmac);
        if (rc != BF_OK)
            SC_REPORT_ERROR("bfsim/systemc", (std::string("bf_dma_create: ") + bf_rc_name(rc)).c_str());
        eport = bf_port{bf_dma_core_xfer, dmac};
    }
    ebiu.reset(new bf_tlm_target("ebiu", eport, ec));
    if (dma_src)
        ebiu->set_source(1, BF_SRC_DMA);

    bf_tlm_target_config fc;
    bf_tlm_target_config_default(&fc);
    fc.cclk_hz = sdc.cclk_hz;
    fc.order = BF_TLM_ORDER_PASS;
    bf_port front = {bf_tlm_l1_xfer, l1};
    l1front.reset(new bf_tlm_target("l1front", front, fc));

    core.reset(new bf_tlm_initiator("core", sdc.cclk_hz, BF_SRC_CORE, std::move(core_src)));
    core->socket.bind(l1front->socket[0]);
    l1out->socket.bind(ebiu->socket[0]);
    if (dma_src) {
        dma.reset(new bf_tlm_initiator("dma", sdc.cclk_hz, BF_SRC_DMA, std::move(dma_src)));
        dma->socket.bind(ebiu->socket[1]);
    }
}

int bf_tlm_platform::dma_submit(const bf_hazard_xfer *x, bf_cycles start, bf_cycles *next,
                                bf_dma_reject *rej)
{
    return dmac ? bf_dma_submit(dmac, x, start, next, rej) : BF_ESTATE;
}

int bf_tlm_platform::dma_advance(bf_cycles t, bf_cycles *next)
{
    return dmac ? bf_dma_advance(dmac, t, next) : BF_ESTATE;
}

int bf_tlm_platform::finish(bf_cycles now, bf_cycles *idle)
{
    if (dmac)
        return bf_dma_finish(dmac, now, idle);
    bf_cycles done = now;
    int rc = bf_l1_finish(l1, now, &done);
    bf_cycles e = bf_sdram_idle_at(sdram);
    *idle = done > e ? done : e;
    bf_sdram_finalize(sdram, *idle);
    return rc;
}

bf_tlm_platform::~bf_tlm_platform()
{
    bf_dma_destroy(dmac);
    bf_hazard_destroy(hazard);
    if (l1)
        bf_l1_destroy(l1);
    if (sdram)
        bf_sdram_destroy(sdram);
}
