/*
** bf_l1_dma.c: what the DMA engine (models/dma) and the coherency-hazard detector (bf_hazard.h)
** need from the L1 model: the fault a DMA to an L1 address takes, whether an address is external,
** the drains that must precede a DMA's external access, and snooping of DMA transfers against the
** cached lines (marking them stale or lost and reporting to the detector).
**
** Invariants: without a detector attached (hz == NULL) nothing here changes a line; a DMA write
** marks each valid line over it L1_STALE, plus L1_LOST if the D line was dirty; reads and writes
** by DMA never change tags, dirty bits or LRU state.
*/
#include "bf_l1_int.h"

void bf_l1_set_hazard(bf_l1 *l1, bf_hazard *hz)
{
    l1->hz = hz;
}

int bf_l1_dma_fault(const bf_l1 *l1, bf_addr a)
{
    int rgn = a < l1->cfg.sdram_bytes ? BF_RGN_SDRAM
                                      : bf_map_region(l1->cfg.part, l1->cfg.sdram_bytes, a);
    if (rgn == BF_RGN_SCRATCH || l1_is_cache_half(l1, rgn))
        return BF_FAULT_L1_ILLEGAL;
    if (rgn == BF_RGN_RESERVED)
        return BF_FAULT_HWERR_EXTERN;
    return BF_FAULT_NONE;
}

void bf_l1_dma_snoop(bf_l1 *l1, bf_addr a, uint32_t size, int write, const bf_hazard_xfer *x)
{
    if (!l1->hz)
        return;
    uint32_t last = l1_last_line(a, size);
    for (uint32_t ln = a >> L1_LINE_SHIFT;; ln++) {
        bf_addr la = (bf_addr)ln << L1_LINE_SHIFT;
        uint32_t bank;
        l1_line *L = l1->dbanks ? l1_dfind(l1_dset(l1, la, &bank), ln) : NULL;
        if (L && !write && L->dirty)
            bf_hazard_dma_read_dirty(l1->hz, l1_dslot(l1, L), la, x);
        if (L && write) {
            if (L->dirty && !(L->stale & L1_LOST))
                bf_hazard_line_reset(l1->hz, l1_dslot(l1, L));
            L->stale |= (uint8_t)(L1_STALE | (L->dirty ? L1_LOST : 0u));
            bf_hazard_dma_wrote(l1->hz, l1_dslot(l1, L), la, L->dirty, x);
        }
        if (write && l1->ion) {
            l1_line *s = &l1->iline[l1_set(&l1->iix, la) * L1_IWAYS];
            for (int w = 0; w < L1_IWAYS; w++) {
                if (s[w].tag == ln) {
                    s[w].stale |= L1_STALE;
                    bf_hazard_dma_wrote(l1->hz, l1_islot(l1, &s[w]), la, 0, x);
                }
            }
        }
        if (ln == last)
            break;
    }
}

int bf_l1_dma_is_external(const bf_l1 *l1, bf_addr a)
{
    int rgn = a < l1->cfg.sdram_bytes ? BF_RGN_SDRAM
                                      : bf_map_region(l1->cfg.part, l1->cfg.sdram_bytes, a);
    return bf_map_is_external(rgn) || bf_map_is_mmr(rgn);
}

int bf_l1_drain_before(bf_l1 *l1, bf_cycles t)
{
    return l1_drain_before(l1, t);
}
