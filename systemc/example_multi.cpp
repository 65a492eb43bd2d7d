/*
** example_multi.cpp: two temporally decoupled initiators sharing the BF533 EBIU.
**
** The core walks a 64 KiB buffer in SDRAM bank 0 (a load every 32 bytes, so every load misses
** the D-cache and fills a line; a store every 4th line, so dirty lines are written back through
** the victim buffer), with 4 cycles of work between loads. A DMA channel reads 32-byte blocks
** from a buffer 8 MiB higher (another SDRAM internal bank), back to back. Both use a
** tlm_quantumkeeper with the global quantum given on the command line; the EBIU target orders
** their accesses (ORDER_SYNC). It prints both initiators' end times and the EBIU counters.
**
** usage: example_multi [QUANTUM_CYCLES [DMA_BLOCKS [sync|pass]]]   (defaults 1000, 512, sync)
** (`pass` shows the error the ordering rule avoids: docs/systemc.md section 5)
*/
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bf_tlm_platform.h"

int sc_main(int argc, char **argv)
{
    const uint64_t quantum = argc > 1 ? strtoull(argv[1], nullptr, 0) : 1000;
    const uint64_t blocks = argc > 2 ? strtoull(argv[2], nullptr, 0) : 512;
    const int order =
        argc > 3 && std::string(argv[3]) == "pass" ? BF_TLM_ORDER_PASS : BF_TLM_ORDER_SYNC;

    /* the C models' L1 and EBIU defaults; explicit CPLBs: cacheable write-back */
    const std::unique_ptr<bf_machine> m = bf_tlm_machine();

    uint32_t i = 0;
    bf_tlm_source_fn core = [&i](bf_tlm_access *a) {
        if (i >= 2 * 2048)
            return false;
        const uint32_t line = i / 2;
        *a = bf_tlm_access{};
        a->addr = 0x00100000u + line * 32u;
        a->size = 4;
        /* even steps load the line, odd steps store into every 4th line (else reload it) */
        a->kind = (i & 1) && (line % 4 == 0) ? BF_ACC_WRITE : BF_ACC_READ;
        a->gap = (i & 1) ? 0 : 4;
        i++;
        return true;
    };
    uint64_t b = 0;
    bf_tlm_source_fn dma = [&b, blocks](bf_tlm_access *a) {
        if (b >= blocks)
            return false;
        *a = bf_tlm_access{};
        a->addr = (bf_addr)(0x00900000u + b * 32u);
        a->size = 32;
        a->kind = BF_ACC_READ;
        b++;
        return true;
    };

    bf_tlm_platform p("p", *m, core, blocks ? dma : bf_tlm_source_fn(), order);
    tlm_utils::tlm_quantumkeeper::set_global_quantum(p.ebiu->clock().from_cclk(quantum));
    sc_core::sc_start();

    /* no bf_l1_finish here: its drains would go through the SYNC target, which may wait(), and
    ** sc_main is not a thread; the buffered writes at the end are left out of the counts */
    bf_cycles end = p.core->end_cycles;
    if (p.dma && p.dma->end_cycles > end)
        end = p.dma->end_cycles;
    bf_sdram_finalize(p.sdram, end);
    std::printf("quantum %" PRIu64 " cycles, %" PRIu64 " DMA blocks, EBIU order %s\n", quantum,
                blocks, order == BF_TLM_ORDER_SYNC ? "sync" : "pass");
    std::printf("core: %" PRIu64 " accesses, %" PRIu64 " faults, done at CCLK %" PRIu64 "\n",
                p.core->refs, p.core->faults, (uint64_t)p.core->end_cycles);
    if (p.dma)
        std::printf("dma:  %" PRIu64 " transfers, done at CCLK %" PRIu64 "\n", p.dma->refs,
                    (uint64_t)p.dma->end_cycles);
    const bf_tlm_target_stats &es = p.ebiu->stats();
    for (size_t k = 0; k < bf_tlm_target_stat_count; k++) {
        const bf_stat_desc *d = &bf_tlm_target_stat_desc[k];
        std::printf("ebiu %-32s %10" PRIu64 " %s\n", d->name,
                    *(const uint64_t *)((const char *)&es + d->offset), d->unit);
    }
    std::printf("sdram.reads.fill %" PRIu64 ", sdram.reads.dma %" PRIu64
                ", sdram.writes.victim %" PRIu64 ", sdram.utilisation %.3f\n",
                p.stats.sdram->reads[BF_SRC_FILL], p.stats.sdram->reads[BF_SRC_DMA],
                p.stats.sdram->writes[BF_SRC_VICTIM], p.stats.sdram->utilisation);
    return p.core->errors || (p.dma && p.dma->errors) ? 1 : 0;
}
