/*
** bf_tlm_platform.cpp: builds the two-initiator platform of bf_tlm_platform.h. Composition only:
** the memory system (sim/bf_memsys) builds and checks the models and their chain; this file binds
** its head and its EBIU side through the adapters.
*/
#include "bf_tlm_platform.h"

#include <cstring>
#include <string>

/* The EBIU port without the DMA controller: DMA initiator requests are shown to the hazard
** detector (each request one transfer, numbered by its record) before the SDRAM model serves
** them; L1's requests go to the SDRAM model as they are. */
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

bf_tlm_platform::bf_tlm_platform(sc_core::sc_module_name name, const bf_machine &m,
                                 bf_tlm_source_fn core_src, bf_tlm_source_fn dma_src,
                                 int ebiu_order, bool dma_controller)
    : sc_module(name), dmac_(dma_controller)
{
    const uint64_t cclk = m.sdram.cclk_hz;
    l1out.reset(new bf_tlm_outport("l1out", cclk));
    bf_port out = l1out->port();
    char err[512];
    if (bf_memsys_create_ebiu(&m, &out, nullptr, &ms, err, sizeof err) != BF_OK)
        SC_REPORT_ERROR("bfsim/systemc", (std::string("memory system: ") + err).c_str());
    stats = bf_memsys_stat_blocks(ms);
    l1 = bf_memsys_l1(ms);
    sdram = bf_memsys_sdram(ms);

    bf_tlm_target_config ec;
    bf_tlm_target_config_default(&ec);
    ec.cclk_hz = cclk;
    ec.sockets = dma_src ? 2 : 1; /* an unbound target socket is an elaboration error */
    ec.order = ebiu_order;
    bf_port eport = dma_controller ? bf_memsys_ebiu_port(ms) : bf_port{ebiu_snoop_xfer, this};
    ebiu.reset(new bf_tlm_target("ebiu", eport, ec));
    if (dma_src)
        ebiu->set_source(1, BF_SRC_DMA);

    bf_tlm_target_config fc;
    bf_tlm_target_config_default(&fc);
    fc.cclk_hz = cclk;
    fc.order = BF_TLM_ORDER_PASS;
    corefront.reset(new bf_tlm_target("corefront", bf_memsys_core_port(ms), fc));

    core.reset(new bf_tlm_initiator("core", cclk, BF_SRC_CORE, std::move(core_src)));
    core->socket.bind(corefront->socket[0]);
    l1out->socket.bind(ebiu->socket[0]);
    if (dma_src) {
        dma.reset(new bf_tlm_initiator("dma", cclk, BF_SRC_DMA, std::move(dma_src)));
        dma->socket.bind(ebiu->socket[1]);
    }
}

int bf_tlm_platform::dma_submit(const bf_hazard_xfer *x, bf_cycles start, bf_cycles *next,
                                bf_dma_reject *rej)
{
    return dmac_ ? bf_memsys_dma_submit(ms, x, start, next, rej) : BF_ESTATE;
}

int bf_tlm_platform::dma_advance(bf_cycles t, bf_cycles *next)
{
    return dmac_ ? bf_memsys_dma_advance(ms, t, next) : BF_ESTATE;
}

int bf_tlm_platform::finish(bf_cycles now, bf_cycles *idle)
{
    return bf_memsys_finish(ms, now, idle);
}

bf_tlm_platform::~bf_tlm_platform()
{
    bf_memsys_destroy(ms);
}

std::unique_ptr<bf_machine> bf_tlm_machine(const char *cplb)
{
    static const char *const dflt = "policy = explicit\n"
                                    "dcplb_enable = 1\n"
                                    "icplb_enable = 1\n"
                                    "dcplb0 = 0x00000000 0x0003109D\n"
                                    "dcplb1 = 0x00400000 0x0003109D\n"
                                    "dcplb2 = 0x00800000 0x0003109D\n"
                                    "dcplb3 = 0x00C00000 0x0003109D\n"
                                    "icplb0 = 0x00000000 0x00031005\n";
    const std::string ini = std::string("[l1]\ndmc = 11\nimc = 1\n[cplb]\n") + (cplb ? cplb : dflt);
    std::unique_ptr<bf_machine> m(new bf_machine());
    char err[512];
    if (bf_machine_load_text(m.get(), ini.c_str(), ini.size(), "bf_tlm_machine", err, sizeof err) !=
        BF_OK)
        SC_REPORT_ERROR("bfsim/systemc", (std::string("machine: ") + err).c_str());
    return m;
}
