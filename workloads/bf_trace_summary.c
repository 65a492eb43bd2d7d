/*
** bf_trace_summary.c: statistics of an access trace for `bfsim trace stats`: record counts by
** kind, bytes, and the footprint (distinct 32-byte lines) per BF533 memory region.
**
** Assumptions:
**   - Regions are those of common/bf_map.h for the given part and SDRAM size; a line is counted
**     in the region of its address. Reserved (unpopulated) addresses have no bitmap: their
**     accesses are counted, their lines are not.
**   - An access counts every line it spans; DMA records count their bytes, not lines (the DMA
**     model owns their traffic); ops, gaps and markers touch no lines.
**   - "Working set" is the footprint over the whole trace (Denning's W(t, T) with T = the trace
**     length), in bytes = lines * 32.
**
** Algorithm: one bitmap per region, one bit per line, allocated at creation from the region
** size (128 MB of SDRAM -> 512 KB); setting a clear bit increments that region's line count.
** Invariant: memory is fixed at creation whatever the trace length.
*/
#include "bf_hmem.h"
#include "bf_map.h"
#include "bf_trace.h"

#include <stdlib.h>
#include <string.h>

#define BF_STAT_STRUCT bf_trace_summary_stats
const bf_stat_desc bf_trace_summary_stat_desc[] = {BF_TRACE_SUMMARY_STATS(BF_STAT_DESC)};
const size_t bf_trace_summary_stat_count = BF_ARRAY_SIZE(bf_trace_summary_stat_desc);
#undef BF_STAT_STRUCT

struct bf_trace_summary {
    int part;
    uint32_t sdram;
    bf_trace_summary_stats st;
    uint8_t *bits[BF_RGN_COUNT]; /* one bit per line, NULL for reserved / absent regions */
    bf_map_range range[BF_RGN_COUNT];
    uint64_t accesses[BF_RGN_COUNT];
    uint64_t lines[BF_RGN_COUNT];
};

int bf_trace_summary_new(int part, uint32_t sdram_bytes, bf_trace_summary **out)
{
    *out = NULL;
    bf_trace_summary *s = bf_calloc(1, sizeof *s);
    if (!s)
        return BF_ENOMEM;
    s->part = part;
    s->sdram = sdram_bytes;
    for (int g = BF_RGN_RESERVED + 1; g < BF_RGN_COUNT; g++) {
        if (!bf_map_range_of(part, g, sdram_bytes, &s->range[g]))
            continue;
        uint64_t nlines = ((uint64_t)s->range[g].end - s->range[g].start) / BF_TRACE_LINE_BYTES + 1;
        s->bits[g] = bf_calloc((size_t)(nlines + 7) / 8, 1);
        if (!s->bits[g]) {
            bf_trace_summary_free(s);
            return BF_ENOMEM;
        }
    }
    *out = s;
    return BF_OK;
}

static void touch(bf_trace_summary *s, bf_addr a, uint32_t size)
{
    uint64_t first = a / BF_TRACE_LINE_BYTES;
    uint64_t last = ((uint64_t)a + size - 1) / BF_TRACE_LINE_BYTES;
    int counted = -1;
    for (uint64_t l = first; l <= last && l <= 0xffffffffu / BF_TRACE_LINE_BYTES; l++) {
        bf_addr la = (bf_addr)(l * BF_TRACE_LINE_BYTES);
        int g = bf_map_region(s->part, s->sdram, l == first ? a : la);
        if (g != counted) {
            s->accesses[g]++;
            counted = g;
        }
        if (!s->bits[g])
            continue;
        uint64_t i =
            (la - (s->range[g].start & ~(bf_addr)(BF_TRACE_LINE_BYTES - 1))) / BF_TRACE_LINE_BYTES;
        uint8_t m = (uint8_t)(1u << (i & 7));
        if (!(s->bits[g][i >> 3] & m)) {
            s->bits[g][i >> 3] |= m;
            s->lines[g]++;
            s->st.footprint_lines++;
        }
    }
    s->st.working_set_bytes = s->st.footprint_lines * BF_TRACE_LINE_BYTES;
}

void bf_trace_summary_add(bf_trace_summary *s, const bf_trace_rec *r)
{
    switch (r->type) {
    case BF_REC_IFETCH:
    case BF_REC_LOAD:
    case BF_REC_STORE:
    case BF_REC_MODIFY:
        if (r->type == BF_REC_IFETCH)
            s->st.ifetch++;
        else if (r->type == BF_REC_LOAD)
            s->st.load++;
        else if (r->type == BF_REC_STORE)
            s->st.store++;
        else
            s->st.modify++;
        s->st.access_bytes += r->size;
        s->st.misaligned += r->misaligned != BF_MISAL_NONE;
        touch(s, r->addr, r->size ? r->size : 1);
        break;
    case BF_REC_GAP:
        s->st.gap++;
        s->st.gap_cycles += r->value;
        break;
    case BF_REC_OP:
        s->st.op++;
        break;
    case BF_REC_MODE:
        s->st.mode++;
        break;
    case BF_REC_MMR:
        s->st.mmr++;
        break;
    case BF_REC_DMA:
        s->st.dma++;
        s->st.dma_bytes += r->value;
        break;
    case BF_REC_PHASE:
        s->st.phase++;
        break;
    default:
        break;
    }
}

const bf_trace_summary_stats *bf_trace_summary_stats_of(const bf_trace_summary *s)
{
    return &s->st;
}

uint64_t bf_trace_summary_region_accesses(const bf_trace_summary *s, int region)
{
    return region >= 0 && region < BF_RGN_COUNT ? s->accesses[region] : 0;
}

uint64_t bf_trace_summary_region_lines(const bf_trace_summary *s, int region)
{
    return region >= 0 && region < BF_RGN_COUNT ? s->lines[region] : 0;
}

void bf_trace_summary_free(bf_trace_summary *s)
{
    if (!s)
        return;
    for (int g = 0; g < BF_RGN_COUNT; g++)
        free(s->bits[g]);
    free(s);
}
