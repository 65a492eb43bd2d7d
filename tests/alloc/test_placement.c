/*
** test_placement.c: hand-worked placement sequences for bootmem (first fit, goal, packing into
** the last partial page, hand-over), page_alloc2 (top-down 16-page windows for small requests,
** bottom-up first fit for large ones) and NP2 (best fit, split from the end, splitsingle, lazy
** merge). Memory: 64 pages of 4 KiB at 0x100000, MAX_ORDER 11; page n is at PG(n).
*/
#include "alloc_test.h"
#include "bf_alloc_int.h"

#define PG(n) (0x100000u + (n)*0x1000u)

static bf_addr al(const bf_alloc_methods *am, void *st, uint64_t bytes, uint32_t gfp)
{
    bf_addr a = 1;
    BF_CHECK_EQ(am->xAlloc(st, bytes, gfp, &a), BF_OK);
    const char *msg = am->xCheck(st);
    if (msg)
        fprintf(stderr, "%s\n", msg);
    BF_CHECK(msg == NULL);
    return a;
}

static bf_addr ap(const bf_alloc_methods *am, void *st, unsigned order, uint32_t gfp)
{
    bf_addr a = 1;
    BF_CHECK_EQ(am->xAllocPages(st, order, gfp, &a), BF_OK);
    BF_CHECK(am->xCheck(st) == NULL);
    return a;
}

/* bootmem: the header + bitmap (16 + 8 bytes) take page 0. At create the buddy's mem_map
** (32 + 2*120 + 64*16 = 1296 bytes, page aligned) is allocated from bootmem: page 1, leaving
** last_pos 1, last_offset 1296. */
static void test_bootmem(void)
{
    at_env t;
    at_env_flat(&t, 0x100000, 64 * 4096, 11, 4);
    const bf_alloc_methods *am = bf_alloc_find("bootmem");
    void *st;
    BF_CHECK_EQ(am->xCreate(&t.env, &st), BF_OK);
    BF_CHECK(am->xCheck(st) == NULL);
    /* 1. 100 bytes: first fit is page 2 = last_pos + 1 -> packed at ALIGN(1296, 32) = 1312 in
    **    page 1: 0x101520; last_offset 1412, no new page */
    BF_CHECK_EQ(al(am, st, 100, BF_GFP_KERNEL), PG(1) + 1312);
    /* 2. 3000 bytes: first fit page 2, packed at ALIGN(1412, 32) = 1440 in page 1 (2656 bytes
    **    left there), continues into page 2: 0x1015a0; last_pos 2, last_offset 344 */
    BF_CHECK_EQ(al(am, st, 3000, BF_GFP_KERNEL), PG(1) + 1440);
    /* 3. order 1 (page aligned, never packed): pages 3-4; last_offset 0 */
    BF_CHECK_EQ(ap(am, st, 1, BF_GFP_KERNEL), PG(3));
    /* 4. 10 bytes: page 5, not packed (last_offset 0); last_pos 5, last_offset 10 */
    BF_CHECK_EQ(al(am, st, 10, BF_GFP_KERNEL), PG(5));
    /* 5. free_bootmem of pages 3-4 */
    BF_CHECK_EQ(am->xFreeSize(st, PG(3), 8192), BF_OK);
    BF_CHECK(am->xCheck(st) == NULL);
    /* 6. 5000 bytes: first fit pages 3-4; 5 + 1 != 3 -> not packed; last_pos 4, offset 904 */
    BF_CHECK_EQ(al(am, st, 5000, BF_GFP_KERNEL), PG(3));
    /* 7. 100 bytes: first free page 6; 4 + 1 != 6 -> not packed */
    BF_CHECK_EQ(al(am, st, 100, BF_GFP_KERNEL), PG(6));
    /* free_bootmem of a sub-page block frees nothing; xFree without a size is refused */
    BF_CHECK_EQ(am->xFreeSize(st, PG(5), 10), BF_OK);
    BF_CHECK_EQ(am->xFree(st, PG(6)), BF_ESTATE);
    BF_CHECK(am->xCheck(st) == NULL);
    /* hand-over: word 0 (pages 0-31) is not all free -> pages 7..31 one by one (merging into
    ** 7, 8-15, 16-31), word 1 (32-63) all free -> one order-5 block, then the bitmap page 0
    ** (its buddy 1 is reserved): buddyinfo 2 0 0 1 1 1 */
    BF_CHECK_EQ(am->xPhase(st, "boot-end"), BF_OK);
    const char *msg = am->xCheck(st);
    BF_CHECK(msg == NULL);
    if (msg)
        fprintf(stderr, "%s\n", msg);
    char buf[256];
    am->xInfo(st, buf, sizeof(buf));
    BF_CHECK_STR(buf, "Node 0, zone      DMA      2      0      0      1      1      1      0"
                      "      0      0      0      0 \n");
    /* after boot-end the buddy serves: order-0 list head is page 0 (released last) */
    BF_CHECK_EQ(al(am, st, 100, BF_GFP_KERNEL), PG(0));
    /* a boot-time block freed with its size gives its whole pages to the buddy: 5000 bytes at
    ** page 3 cover page 3 whole and page 4 partly -> page 3 only */
    BF_CHECK_EQ(am->xFreeSize(st, PG(3), 5000), BF_OK);
    BF_CHECK(am->xCheck(st) == NULL);
    BF_CHECK_EQ(al(am, st, 4096, BF_GFP_KERNEL), PG(3));
    am->xDestroy(st);

    /* goal: with a 32-page DMA zone, MAX_DMA_ADDRESS is page 32. The buddy's mem_map goes to
    ** page 32; a GFP_KERNEL 100-byte request packs after it (0x120520); a GFP_DMA one
    ** (alloc_bootmem_low, goal 0) takes page 1. 31 order-0 page requests fill 33..63; the next
    ** finds nothing above the goal and restarts at page 0: page 2. */
    t.env.dma_zone_bytes = 32 * 4096;
    BF_CHECK_EQ(am->xCreate(&t.env, &st), BF_OK);
    BF_CHECK_EQ(al(am, st, 100, BF_GFP_KERNEL), PG(32) + 1312);
    BF_CHECK_EQ(al(am, st, 100, BF_GFP_DMA), PG(1));
    int above = 0;
    for (int i = 0; i < 31; i++)
        above += ap(am, st, 0, BF_GFP_KERNEL) == PG(33 + i);
    BF_CHECK_EQ(above, 31);
    BF_CHECK_EQ(ap(am, st, 0, BF_GFP_KERNEL), PG(2));
    am->xDestroy(st);
    at_close(&t);
}

/* page_alloc2: header + bitmap + 64 index words = 280 bytes: page 0; first_usable_page 1. */
static void test_pa2(void)
{
    at_env t;
    at_env_flat(&t, 0x100000, 64 * 4096, 11, 0);
    const bf_alloc_methods *am = bf_alloc_find("pa2");
    void *st;
    BF_CHECK_EQ(am->xCreate(&t.env, &st), BF_OK);
    BF_CHECK(am->xCheck(st) == NULL);
    /* small requests: top window [48, 64), first fit inside it */
    BF_CHECK_EQ(ap(am, st, 0, BF_GFP_KERNEL), PG(48));
    BF_CHECK_EQ(ap(am, st, 0, BF_GFP_KERNEL), PG(49));
    BF_CHECK_EQ(ap(am, st, 1, BF_GFP_KERNEL), PG(50)); /* order 1: 2-page aligned */
    /* large requests: exact page counts, first fit from the bottom */
    BF_CHECK_EQ(al(am, st, 3 * 4096, BF_GFP_KERNEL), PG(1));
    BF_CHECK_EQ(al(am, st, 5 * 4096 - 7, BF_GFP_KERNEL), PG(4));
    BF_CHECK_EQ(am->xUsable(st, PG(4)), 5 * 4096);
    BF_CHECK_EQ(am->xFree(st, PG(1)), BF_OK); /* 1-3 free again, first_usable 1 */
    BF_CHECK(am->xCheck(st) == NULL);
    /* 4 pages do not fit in 1-3: next free after the 4-8 block is 9 */
    BF_CHECK_EQ(al(am, st, 4 * 4096, BF_GFP_KERNEL), PG(9));
    /* 3 pages do fit at 1 */
    BF_CHECK_EQ(al(am, st, 3 * 4096, BF_GFP_KERNEL), PG(1));
    /* a 2-page byte request is small (no alignment): 52-53 */
    BF_CHECK_EQ(al(am, st, 8192, BF_GFP_KERNEL), PG(52));
    /* fill the top window (54..63), then the next small request uses window [32, 48) */
    int top = 0;
    for (int i = 0; i < 10; i++)
        top += ap(am, st, 0, BF_GFP_KERNEL) == PG(54 + i);
    BF_CHECK_EQ(top, 10);
    BF_CHECK_EQ(ap(am, st, 0, BF_GFP_KERNEL), PG(32));
    /* order 1 needs 2-page alignment: window [32,48) has 33 free but odd -> 34 */
    BF_CHECK_EQ(ap(am, st, 1, BF_GFP_KERNEL), PG(34));
    BF_CHECK_EQ(am->xFreePages(st, PG(34), 0), BF_EINPUT); /* wrong order */
    BF_CHECK_EQ(am->xFreePages(st, PG(34), 1), BF_OK);
    BF_CHECK(am->xCheck(st) == NULL);
    am->xDestroy(st);
    at_close(&t);
}

/* NP2: page descriptors 16 + 12*64 = 784 bytes: page 0 (an allocated run of 1); one free run
** 1..63 (63 pages). */
static void np2_sequence(int merge_on_fail)
{
    at_env t;
    at_env_flat(&t, 0x100000, 64 * 4096, 11, 0);
    t.env.np2_merge_on_fail = (uint32_t)merge_on_fail;
    const bf_alloc_methods *am = bf_alloc_find("np2");
    void *st;
    BF_CHECK_EQ(am->xCreate(&t.env, &st), BF_OK);
    BF_CHECK(am->xCheck(st) == NULL);
    /* 3 pages -> ssize 4 (odd rounds up); run 1..63 shrinks to 59, allocation = its tail 60-63 */
    BF_CHECK_EQ(al(am, st, 3 * 4096, BF_GFP_KERNEL), PG(60));
    BF_CHECK_EQ(am->xUsable(st, PG(60)), 4 * 4096);
    /* 1 page, no 1-page run: 2 pages from the end of run 1 (58-59), 59 freed back at once */
    BF_CHECK_EQ(ap(am, st, 0, BF_GFP_KERNEL), PG(58));
    BF_CHECK_EQ(am->xUsable(st, PG(58)), 4096);
    /* 1 page: the exact 1-page run 59 */
    BF_CHECK_EQ(ap(am, st, 0, BF_GFP_KERNEL), PG(59));
    /* 6 pages: run 1 (57 pages) -> 51, allocation 52-57 */
    BF_CHECK_EQ(al(am, st, 6 * 4096, BF_GFP_KERNEL), PG(52));
    /* frees push runs at the list head without merging: list 52(6), 60(4), 1(51) */
    BF_CHECK_EQ(am->xFree(st, PG(60)), BF_OK);
    BF_CHECK_EQ(am->xFree(st, PG(52)), BF_OK);
    BF_CHECK(am->xCheck(st) == NULL);
    /* best fit: 4 pages -> the exact 4-page run 60; 5 pages -> ssize 6 -> exact run 52 */
    BF_CHECK_EQ(al(am, st, 4 * 4096, BF_GFP_KERNEL), PG(60));
    BF_CHECK_EQ(al(am, st, 5 * 4096, BF_GFP_KERNEL), PG(52));
    /* free 52, 58, 59: runs 1(51), 52(6), 58(1), 59(1) are adjacent but not merged */
    BF_CHECK_EQ(am->xFree(st, PG(52)), BF_OK);
    BF_CHECK_EQ(am->xFree(st, PG(58)), BF_OK);
    BF_CHECK_EQ(am->xFree(st, PG(59)), BF_OK);
    BF_CHECK(am->xCheck(st) == NULL);
    /* 58 pages: no run is that large (largest 51). With the lazy merge on failure, 1..59
    ** becomes one 59-page run and the tail 2..59 is taken; without it the request fails. */
    BF_CHECK_EQ(al(am, st, 58 * 4096, BF_GFP_KERNEL), merge_on_fail ? PG(2) : 0);
    am->xDestroy(st);
    at_close(&t);
}

int main(void)
{
    test_bootmem();
    test_pa2();
    np2_sequence(1);
    np2_sequence(0);
    return bf_test_exit();
}
