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

bf_tlm_platform::bf_tlm_platform(sc_core::sc_module_name name, const bf_l1_config &l1c,
                                 const bf_sdram_config &sdc, bf_tlm_source_fn core_src,
                                 bf_tlm_source_fn dma_src, int ebiu_order)
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
    ebiu.reset(new bf_tlm_target("ebiu", bf_sdram_port(sdram), ec));
    if (dma_src)
        ebiu->set_source(1, BF_SRC_DMA);

    l1out.reset(new bf_tlm_outport("l1out", sdc.cclk_hz));
    rc = bf_l1_create(&l1c, l1out->port(), &l1_stats, &l1);
    if (rc != BF_OK)
        SC_REPORT_ERROR("bfsim/systemc", (std::string("bf_l1_create: ") + bf_rc_name(rc)).c_str());

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

bf_tlm_platform::~bf_tlm_platform()
{
    if (l1)
        bf_l1_destroy(l1);
    if (sdram)
        bf_sdram_destroy(sdram);
}
