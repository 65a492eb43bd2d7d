/*
** test_metrics.c: Linux's unusable free space index and fragmentation index (mm/vmstat.c,
** x1000 integer arithmetic; reference kernel-allocators.md 7.4) against values computed by hand
** from buddyinfo snapshots, and the free-run decomposition used for non-buddy allocators.
*/
#include "alloc_test.h"
#include "bf_alloc_replay.h"

int main(void)
{
    /* Snapshot 1, the real x86-64 line quoted in the reference:
    **   Node 0, zone DMA 0 0 0 0 2 1 1 0 1 1 3
    ** free_pages = 2*16 + 32 + 64 + 256 + 512 + 3*1024 = 3968; every order has a block of at
    ** least that order, so F(j) = -1000 for all j. U(j) = (3968 - pages in blocks >= j) * 1000
    ** / 3968: j <= 4 -> 0; j = 5: (3968 - 3936) = 32 -> 8; j = 6: 64 -> 16; j = 7 and 8: 128 ->
    ** 32; j = 9: 384 -> 96; j = 10: 896 -> 225. */
    const uint32_t s1[11] = {0, 0, 0, 0, 2, 1, 1, 0, 1, 1, 3};
    const int32_t u1[11] = {0, 0, 0, 0, 0, 8, 16, 32, 32, 96, 225};
    for (unsigned j = 0; j < 11; j++) {
        BF_CHECK_EQ(bf_areplay_unusable_index(s1, 11, j), u1[j]);
        BF_CHECK_EQ(bf_areplay_frag_index(s1, 11, j), -1000);
    }
    /* Snapshot 2, fragmented: 10 order-0, 5 order-1, 2 order-2 blocks: free_pages = 28,
    ** 17 blocks. U(1): suitable = 5 + 2*2 = 9 blocks of order 1 = 18 pages -> 10*1000/28 = 357.
    ** U(3) = 1000 (nothing of order >= 3). F(3) = 1000 - (1000 + 28*1000/8) / 17
    **      = 1000 - 4500/17 = 1000 - 264 = 736. F(2) = -1000 (order-2 blocks exist). */
    const uint32_t s2[11] = {10, 5, 2};
    BF_CHECK_EQ(bf_areplay_unusable_index(s2, 11, 0), 0);
    BF_CHECK_EQ(bf_areplay_unusable_index(s2, 11, 1), 357);
    BF_CHECK_EQ(bf_areplay_unusable_index(s2, 11, 3), 1000);
    BF_CHECK_EQ(bf_areplay_frag_index(s2, 11, 3), 736);
    BF_CHECK_EQ(bf_areplay_frag_index(s2, 11, 2), -1000);
    /* F(4) = 1000 - (1000 + 28000/16) / 17 = 1000 - 2750/17 = 1000 - 161 = 839 */
    BF_CHECK_EQ(bf_areplay_frag_index(s2, 11, 4), 839);
    /* Nothing free: U = 1000 (the kernel's convention), F = 0 (failure from lack of memory). */
    const uint32_t s0[11] = {0};
    BF_CHECK_EQ(bf_areplay_unusable_index(s0, 11, 0), 1000);
    BF_CHECK_EQ(bf_areplay_frag_index(s0, 11, 0), 0);

    /* Free runs as blocks: 5 pages = order 2 + order 0; 4096 pages with 11 orders = 4 blocks
    ** of order 10; 13 pages = 8 + 4 + 1. A 5-page run then holds floor(5/2) = 2 order-1
    ** requests: U(1) = (5 - 2*2) * 1000 / 5 = 200. */
    uint32_t nr[11] = {0};
    bf_alloc_count_free(nr, 11, 5, 1);
    BF_CHECK_EQ(nr[0], 1);
    BF_CHECK_EQ(nr[1], 0);
    BF_CHECK_EQ(nr[2], 1);
    BF_CHECK_EQ(bf_areplay_unusable_index(nr, 11, 1), 200);
    uint32_t nr2[11] = {0};
    bf_alloc_count_free(nr2, 11, 4096, 1);
    BF_CHECK_EQ(nr2[10], 4);
    bf_alloc_count_free(nr2, 11, 13, 1);
    BF_CHECK_EQ(nr2[3], 1);
    BF_CHECK_EQ(nr2[2], 1);
    BF_CHECK_EQ(nr2[0], 1);
    BF_CHECK_EQ(nr2[1], 0);
    /* n blocks at once, and taken away again (the allocators' host counters): back to 4 x 10 */
    bf_alloc_count_free(nr2, 11, 3, 7);
    BF_CHECK_EQ(nr2[0], 8);
    BF_CHECK_EQ(nr2[1], 7);
    bf_alloc_count_free(nr2, 11, 3, -7);
    bf_alloc_count_free(nr2, 11, 13, -1);
    bf_alloc_count_free(nr2, 11, 2048, 3); /* 3 x order 11 = 6 blocks of the top order */
    BF_CHECK_EQ(nr2[10], 10);
    bf_alloc_count_free(nr2, 11, 2048, -3);
    for (unsigned o = 0; o < 11; o++)
        BF_CHECK_EQ(nr2[o], o == 10 ? 4u : 0u);
    return bf_test_exit();
}
