/*
** test_hist.c: the log-linear histogram (common/bf_hist.c). Bucket floors are checked against the
** geometry worked by hand, every bucket boundary against a brute-force definition (floor(b) is the
** smallest v with bucket(v) == b), and percentiles against sorted samples.
*/
#include "../bf_test.h"
#include "bf_hist.h"

#include <stdlib.h>

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_geometry(void)
{
    /* the SDRAM geometry: exact below 1024, then 8 sub-buckets per power of two */
    static uint64_t c[1024 + 54 * 8];
    bf_hist h;
    BF_CHECK_EQ(bf_hist_buckets(10, 3), 1024u + 54u * 8u);
    bf_hist_init(&h, c, 10, 3);
    BF_CHECK_EQ(bf_hist_bucket(&h, 0), 0);
    BF_CHECK_EQ(bf_hist_bucket(&h, 1023), 1023);
    BF_CHECK_EQ(bf_hist_bucket(&h, 1024), 1024); /* [1024, 1152) */
    BF_CHECK_EQ(bf_hist_bucket(&h, 1151), 1024);
    BF_CHECK_EQ(bf_hist_bucket(&h, 1152), 1025); /* [1152, 1280) */
    BF_CHECK_EQ(bf_hist_bucket(&h, 2047), 1031);
    BF_CHECK_EQ(bf_hist_bucket(&h, 2048), 1032); /* [2048, 2304) */
    BF_CHECK_EQ(bf_hist_floor(&h, 1025), 1152);
    BF_CHECK_EQ(bf_hist_floor(&h, 1032), 2048);
    BF_CHECK_EQ(bf_hist_bucket(&h, UINT64_MAX), bf_hist_buckets(10, 3) - 1);
    BF_CHECK_EQ(bf_hist_floor(&h, bf_hist_buckets(10, 3) - 1), 15ull << 60);

    /* the allocator geometry: exact below 16384, then 64 sub-buckets; boundaries by brute force
    ** over the first powers of two above the exact range */
    static uint64_t c2[16384 + 50 * 64];
    bf_hist a;
    bf_hist_init(&a, c2, 14, 6);
    size_t prev = bf_hist_bucket(&a, 16383);
    BF_CHECK_EQ(prev, 16383);
    for (uint64_t v = 16384; v < (1u << 18); v++) {
        size_t b = bf_hist_bucket(&a, v);
        if (b != prev) {
            BF_CHECK_EQ(b, prev + 1);
            BF_CHECK_EQ(bf_hist_floor(&a, b), v);
            prev = b;
        }
    }
    BF_CHECK_EQ(prev, 16384u + 4u * 64u - 1u);
}

static void test_percentiles(void)
{
    static uint64_t c[1024 + 54 * 8];
    bf_hist h;
    bf_hist_init(&h, c, 10, 3);
    BF_CHECK_EQ(bf_hist_percentile(&h, 50), 0); /* empty */
    enum { N = 1001 };
    static uint64_t s[N];
    uint64_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        s[i] = (x >> 33) % 5000; /* half exact, half in sub-buckets */
        bf_hist_add(&h, s[i]);
    }
    qsort(s, N, sizeof *s, cmp_u64);
    BF_CHECK_EQ(h.count, N);
    BF_CHECK_EQ(h.max, s[N - 1]);
    unsigned pcts[] = {1, 50, 90, 99, 100};
    for (size_t k = 0; k < sizeof pcts / sizeof *pcts; k++) {
        uint64_t rank = (N * (uint64_t)pcts[k] + 99) / 100; /* ceil, 1-based */
        uint64_t want = s[rank - 1];
        /* the floor of want's bucket */
        BF_CHECK_EQ(bf_hist_percentile(&h, pcts[k]), bf_hist_floor(&h, bf_hist_bucket(&h, want)));
        BF_CHECK(bf_hist_percentile(&h, pcts[k]) <= want);
    }
    /* one sample: every percentile is its bucket's floor; below 1024 that is the sample */
    bf_hist_init(&h, c, 10, 3);
    bf_hist_add(&h, 700);
    BF_CHECK_EQ(bf_hist_percentile(&h, 0), 700);
    BF_CHECK_EQ(bf_hist_percentile(&h, 99), 700);
}

int main(void)
{
    test_geometry();
    test_percentiles();
    return bf_test_exit();
}
