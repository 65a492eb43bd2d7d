/*
** bf_hist.h: a log-linear histogram of non-negative integer samples (latencies in cycles or ns),
** for percentiles without keeping the samples. Used for the SDRAM read latency and the allocator
** latencies.
**
** Geometry, set by two numbers: values below 2^lin_bits get one bucket each (exact); above, each
** power of two [2^e, 2^(e+1)) is cut into 2^sub_bits equal sub-buckets, so a bucket's floor is
** within 2^-sub_bits of any value in it. sub_bits <= lin_bits < 64. A bucket is named by its
** floor (the smallest value it holds).
**
** Percentile p of n samples is the floor of the bucket holding the sample of rank ceil(n*p/100)
** (rank 1 = smallest); it is exact below 2^lin_bits and never above the true value. The caller
** owns the counter array (bf_hist_buckets() entries), so adding a sample allocates nothing.
*/
#ifndef BF_HIST_H
#define BF_HIST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bf_hist {
    uint64_t *n;                 /* bf_hist_buckets(lin_bits, sub_bits) counters */
    unsigned lin_bits, sub_bits; /* geometry, see above */
    uint64_t count;              /* samples added */
    uint64_t max;                /* largest sample (0 if none) */
} bf_hist;

/* Number of buckets of a geometry: 2^lin_bits + (64 - lin_bits) * 2^sub_bits. */
static inline size_t bf_hist_buckets(unsigned lin_bits, unsigned sub_bits)
{
    return ((size_t)1 << lin_bits) + (size_t)(64u - lin_bits) * ((size_t)1 << sub_bits);
}

/* An empty histogram over counters[0..bf_hist_buckets(lin_bits, sub_bits)), which it zeroes. */
void bf_hist_init(bf_hist *h, uint64_t *counters, unsigned lin_bits, unsigned sub_bits);

/* Bucket index of v, and the floor of bucket i. */
static inline size_t bf_hist_bucket(const bf_hist *h, uint64_t v)
{
    if (v < ((uint64_t)1 << h->lin_bits))
        return (size_t)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v), s = h->sub_bits;
    return ((size_t)1 << h->lin_bits) + (size_t)(e - h->lin_bits) * ((size_t)1 << s) +
           (size_t)((v >> (e - s)) & (((uint64_t)1 << s) - 1));
}
uint64_t bf_hist_floor(const bf_hist *h, size_t i);

static inline void bf_hist_add(bf_hist *h, uint64_t v)
{
    h->n[bf_hist_bucket(h, v)]++;
    h->count++;
    if (v > h->max)
        h->max = v;
}

/* Percentile pct (0..100) as defined above; 0 when empty. */
uint64_t bf_hist_percentile(const bf_hist *h, unsigned pct);

#ifdef __cplusplus
}
#endif

#endif
