/*
** bf_hist.c: log-linear histogram (see bf_hist.h for the geometry and the percentile rule).
*/
#include "bf_hist.h"

#include <string.h>

void bf_hist_init(bf_hist *h, uint64_t *counters, unsigned lin_bits, unsigned sub_bits)
{
    memset(counters, 0, bf_hist_buckets(lin_bits, sub_bits) * sizeof *counters);
    h->n = counters;
    h->lin_bits = lin_bits;
    h->sub_bits = sub_bits;
    h->count = 0;
    h->max = 0;
}

uint64_t bf_hist_floor(const bf_hist *h, size_t i)
{
    size_t lin = (size_t)1 << h->lin_bits, sub = (size_t)1 << h->sub_bits;
    if (i < lin)
        return i;
    unsigned e = h->lin_bits + (unsigned)((i - lin) / sub);
    uint64_t s = (uint64_t)((i - lin) % sub);
    return ((uint64_t)sub + s) << (e - h->sub_bits);
}

uint64_t bf_hist_percentile(const bf_hist *h, unsigned pct)
{
    if (!h->count)
        return 0;
    uint64_t rank = (h->count * pct + 99) / 100, seen = 0;
    if (rank == 0)
        rank = 1;
    size_t nb = bf_hist_buckets(h->lin_bits, h->sub_bits);
    for (size_t i = 0; i < nb; i++) {
        seen += h->n[i];
        if (seen >= rank)
            return bf_hist_floor(h, i);
    }
    return h->max;
}
