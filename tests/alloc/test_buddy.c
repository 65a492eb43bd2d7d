/*
** test_buddy.c: hand-worked buddy behaviour: split, coalesce, LIFO reuse, /proc/buddyinfo,
** GFP_ATOMIC against GFP_KERNEL at the watermarks, reclaim of declared page cache, GFP_DMA
** restricted to its zone, nommu trimming.
**
** Layout used unless said otherwise: 64 pages of 4 KiB at 0x100000, MAX_ORDER 11. The buddy's
** metadata is 32 + 2*(32 + 8*11) + 64*16 = 1296 bytes = 1 page, carved at the lowest page
** (page 0, 0x100000). Pages 1..63 are released as maximal aligned blocks:
**   1 (order 0), 2-3 (1), 4-7 (2), 8-15 (3), 16-31 (4), 32-63 (5)  -> buddyinfo 1 1 1 1 1 1 0 ...
** Block addresses are 0x100000 + page * 0x1000.
*/
#include "alloc_test.h"
#include "bf_alloc_int.h"

#define PG(n) (0x100000u + (n)*0x1000u)

static const char *info(const bf_alloc_methods *am, void *st)
{
    static char buf[512];
    am->xInfo(st, buf, sizeof(buf));
    return buf;
}

static bf_addr ap(const bf_alloc_methods *am, void *st, unsigned order, uint32_t gfp)
{
    bf_addr a = 1;
    BF_CHECK_EQ(am->xAllocPages(st, order, gfp, &a), BF_OK);
    BF_CHECK(am->xCheck(st) == NULL);
    return a;
}

static void fp(const bf_alloc_methods *am, void *st, bf_addr a, unsigned order)
{
    BF_CHECK_EQ(am->xFreePages(st, a, order), BF_OK);
    const char *msg = am->xCheck(st);
    if (msg)
        fprintf(stderr, "%s\n", msg);
    BF_CHECK(msg == NULL);
}

static void test_placement(void)
{
    at_env t;
    at_env_flat(&t, 0x100000, 64 * 4096, 11, 4); /* min_free_kbytes 4: pages_min 1, low 1, high 1 */
    const bf_alloc_methods *am = bf_alloc_find("buddy");
    void *st;
    BF_CHECK_EQ(am->xCreate(&t.env, &st), BF_OK);
    BF_CHECK(am->xCheck(st) == NULL);
    BF_CHECK_STR(info(am, st), "Node 0, zone      DMA      1      1      1      1      1      1"
                               "      0      0      0      0      0 \n");
    /* 1. order 0: head of the order-0 list, page 1 */
    BF_CHECK_EQ(ap(am, st, 0, BF_GFP_KERNEL), PG(1));
    /* 2. order 0: order-0 list empty, split 2-3: keep 2, 3 goes to order 0 */
    BF_CHECK_EQ(ap(am, st, 0, BF_GFP_KERNEL), PG(2));
    /* 3. order 2: 4-7 */
    BF_CHECK_EQ(ap(am, st, 2, BF_GFP_KERNEL), PG(4));
    /* 4. order 1: orders 1 and 2 empty; split 8-15: 12-15 -> order 2, 10-11 -> order 1, keep 8 */
    BF_CHECK_EQ(ap(am, st, 1, BF_GFP_KERNEL), PG(8));
    BF_CHECK_STR(info(am, st), "Node 0, zone      DMA      1      1      1      0      1      1"
                               "      0      0      0      0      0 \n");
    /* 5. order 0: the page left by step 2's split, 3 */
    BF_CHECK_EQ(ap(am, st, 0, BF_GFP_KERNEL), PG(3));
    /* 6. free 2 then 3: 3's buddy 2 is free, merge to 2-3 (order 1); its buddy 0-1 is not
    **    free, so 2 is pushed at the head of the order-1 list, before 10 */
    fp(am, st, PG(2), 0);
    fp(am, st, PG(3), 0);
    /* 7. LIFO: order 1 takes the head, 2 (not 10) */
    BF_CHECK_EQ(ap(am, st, 1, BF_GFP_KERNEL), PG(2));
    /* 8. coalesce: free 8 (order 1): buddy 10 free -> 8-11 (order 2); buddy 12-15 free ->
    **    8-15 (order 3); buddy 0-7 not free. Then free 4 (order 2; buddy 0-3 not free),
    **    1 (order 0; buddy 0 is the metadata page) and 2 (order 1; buddy 0-1 not free). */
    fp(am, st, PG(8), 1);
    BF_CHECK_STR(info(am, st), "Node 0, zone      DMA      0      0      0      1      1      1"
                               "      0      0      0      0      0 \n");
    fp(am, st, PG(4), 2);
    fp(am, st, PG(1), 0);
    fp(am, st, PG(2), 1);
    BF_CHECK_STR(info(am, st), "Node 0, zone      DMA      1      1      1      1      1      1"
                               "      0      0      0      0      0 \n");
    /* byte-sized requests take the smallest order: 4097 bytes -> order 1 (head of list: 2) */
    bf_addr a = 0;
    BF_CHECK_EQ(am->xAlloc(st, 4097, BF_GFP_KERNEL, &a), BF_OK);
    BF_CHECK_EQ(a, PG(2));
    BF_CHECK_EQ(am->xUsable(st, a), 8192);
    BF_CHECK_EQ(am->xFree(st, a), BF_OK);
    /* a free with the wrong order or of a free block is refused */
    BF_CHECK_EQ(am->xFreePages(st, PG(2), 1), BF_EINPUT);
    /* order 11 is beyond MAX_ORDER: fails as an outcome */
    a = 1;
    BF_CHECK_EQ(am->xAllocPages(st, 11, BF_GFP_KERNEL, &a), BF_OK);
    BF_CHECK_EQ(a, 0);
    am->xDestroy(st);
    at_close(&t);
}

/* min_free_kbytes 64: pages_min = 64 KiB / 4 KiB = 16, low = 16 + 4 = 20, high = 16 + 8 = 24.
** 63 pages are free. Order 0, zone_watermark_ok: free' = free - 1 + 1 = free.
**  GFP_KERNEL: fast path at low needs free > 20, slow path at min (no ALLOC_HIGH/HARDER) needs
**    free > 16, no page cache to reclaim -> succeeds while free >= 17: 63 - 16 = 47 successes.
**  GFP_ATOMIC (__GFP_HIGH, no __GFP_WAIT): min = 16 - 8 = 8, then - 8/4 = 6 -> free > 6:
**    from 16 free it takes 10 more pages and fails at 6 free (3/8 of pages_min). */
static void test_gfp(void)
{
    at_env t;
    at_env_flat(&t, 0x100000, 64 * 4096, 11, 64);
    const bf_alloc_methods *am = bf_alloc_find("buddy");
    void *st;
    BF_CHECK_EQ(am->xCreate(&t.env, &st), BF_OK);
    int kernel = 0, atomic = 0;
    bf_addr a;
    while (am->xAllocPages(st, 0, BF_GFP_KERNEL, &a) == BF_OK && a)
        kernel++;
    BF_CHECK_EQ(kernel, 47);
    while (am->xAllocPages(st, 0, BF_GFP_ATOMIC, &a) == BF_OK && a)
        atomic++;
    BF_CHECK_EQ(atomic, 10);
    BF_CHECK(am->xCheck(st) == NULL);
    am->xDestroy(st);

    /* Same with 8 declared page-cache pages: they occupy 8 pages (63 -> 55 free). GFP_KERNEL
    ** succeeds 55 - 16 = 39 times without reclaim, then reclaims the 8 pages (free 16 -> 24)
    ** and succeeds 8 more: 47 again, with no page cache left; GFP_ATOMIC never reclaims. */
    BF_CHECK_EQ(am->xCreate(&t.env, &st), BF_OK);
    am->xReclaimable(st, 8);
    BF_CHECK(am->xCheck(st) == NULL);
    kernel = 0;
    while (am->xAllocPages(st, 0, BF_GFP_KERNEL, &a) == BF_OK && a)
        kernel++;
    BF_CHECK_EQ(kernel, 47);
    BF_CHECK(am->xCheck(st) == NULL);
    am->xDestroy(st);

    /* With the page cache declared and GFP_ATOMIC only: 55 - 6 = 49 successes, the 8 page-cache
    ** pages stay (atomic allocations never sleep, so never reclaim). */
    BF_CHECK_EQ(am->xCreate(&t.env, &st), BF_OK);
    am->xReclaimable(st, 8);
    atomic = 0;
    while (am->xAllocPages(st, 0, BF_GFP_ATOMIC, &a) == BF_OK && a)
        atomic++;
    BF_CHECK_EQ(atomic, 49);
    BF_CHECK(am->xCheck(st) == NULL);
    am->xDestroy(st);
    at_close(&t);
}

/* 128 pages at 0x100000, DMA zone = first 32 pages (128 KiB), min_free_kbytes 4 -> pages_min 1
** split by present pages: DMA 31 * 1 / 127 = 0, NORMAL 96 / 127 = 0 -> no watermark; the DMA
** zone's lowmem_reserve is 96 / 256 = 0. Metadata (32 + 240 + 128*16 = 2320 bytes) is page 0.
** GFP_DMA: only pages 1..31 (31 pages), the 32nd fails though 96 NORMAL pages are free.
** GFP_KERNEL: NORMAL first (96 pages, >= 0x120000), then falls back to DMA. */
static void test_dma_zone(void)
{
    at_env t;
    at_env_flat(&t, 0x100000, 128 * 4096, 11, 4);
    t.env.dma_zone_bytes = 32 * 4096;
    const bf_alloc_methods *am = bf_alloc_find("buddy");
    void *st;
    BF_CHECK_EQ(am->xCreate(&t.env, &st), BF_OK);
    BF_CHECK(am->xCheck(st) == NULL);
    BF_CHECK_STR(info(am, st), "Node 0, zone      DMA      1      1      1      1      1      0"
                               "      0      0      0      0      0 \n"
                               "Node 0, zone   Normal      0      0      0      0      0      1"
                               "      1      0      0      0      0 \n");
    bf_addr dma[40], a;
    int n = 0, outside = 0;
    while (n < 40 && am->xAllocPages(st, 0, BF_GFP_DMA | BF_GFP_KERNEL, &dma[n]) == BF_OK &&
           dma[n]) {
        outside += dma[n] >= 0x120000;
        n++;
    }
    BF_CHECK_EQ(n, 31);
    BF_CHECK_EQ(outside, 0);
    for (int i = 0; i < n; i++)
        BF_CHECK_EQ(am->xFreePages(st, dma[i], 0), BF_OK);
    int normal = 0, low = 0;
    for (int i = 0; i < 97; i++) {
        BF_CHECK_EQ(am->xAllocPages(st, 0, BF_GFP_KERNEL, &a), BF_OK);
        if (i < 96)
            normal += a >= 0x120000;
        else
            low += a != 0 && a < 0x120000;
    }
    BF_CHECK_EQ(normal, 96);
    BF_CHECK_EQ(low, 1);
    BF_CHECK(am->xCheck(st) == NULL);
    am->xDestroy(st);
    at_close(&t);
}

/* nommu mmap of 5 pages: order 3 block 8-15 (the order-3 list head). nr_trim_pages 1: excess 3
** >= 1 -> trim: total 8, point 5: free order ilog2(3) = 1 at page 6 -> 14-15, then order 0 at
** page 5 -> 13; 5 pages kept. nr_trim_pages 0: 8 kept. */
static void test_nommu_trim(void)
{
    for (int trim = 0; trim <= 1; trim++) {
        at_env t;
        at_env_flat(&t, 0x100000, 64 * 4096, 11, 4);
        t.env.nr_trim_pages = (uint32_t)trim;
        const bf_alloc_methods *am = bf_alloc_find("nommu");
        void *st;
        BF_CHECK_EQ(am->xCreate(&t.env, &st), BF_OK);
        bf_addr a = 0;
        BF_CHECK_EQ(am->xMmap(st, 5 * 4096 - 100, BF_GFP_KERNEL, &a), BF_OK);
        BF_CHECK_EQ(a, PG(8));
        BF_CHECK_EQ(am->xUsable(st, a), (trim ? 5u : 8u) * 4096u);
        const char *msg = am->xCheck(st);
        BF_CHECK(msg == NULL);
        if (msg)
            fprintf(stderr, "%s\n", msg);
        if (trim) /* 13 (order 0) and 14-15 (order 1) came back; 8-15 was the only order 3 */
            BF_CHECK_STR(info(am, st), "Node 0, zone      DMA      2      2      1      0      1"
                                       "      1      0      0      0      0      0 \n");
        else
            BF_CHECK_STR(info(am, st), "Node 0, zone      DMA      1      1      1      0      1"
                                       "      1      0      0      0      0      0 \n");
        /* the next 1-page mmap with trimming reuses page 13? No: the order-0 list head is 13
        ** (pushed last), so yes with trim; without trim page 1. */
        bf_addr b = 0;
        BF_CHECK_EQ(am->xMmap(st, 4096, BF_GFP_KERNEL, &b), BF_OK);
        BF_CHECK_EQ(b, trim ? PG(13) : PG(1));
        BF_CHECK_EQ(am->xFree(st, b), BF_OK);
        /* munmap frees page by page and everything merges back */
        BF_CHECK_EQ(am->xFree(st, a), BF_OK);
        BF_CHECK(am->xCheck(st) == NULL);
        BF_CHECK_STR(info(am, st), "Node 0, zone      DMA      1      1      1      1      1      1"
                                   "      0      0      0      0      0 \n");
        am->xDestroy(st);
        at_close(&t);
    }
}

/* Kernel watermark formula: 64 MiB board with all RAM free -> min_free_kbytes =
** int_sqrt(65536 * 16) = 1024 (the kernel's table: 64 MB -> 1024k). Here 16384 pages minus the
** metadata (32 + 2*(32+8*14) + 16384*16 = 262464 bytes = 65 pages) are free: lowmem = 16319
** pages = 65276 KiB, int_sqrt(65276*16) = int_sqrt(1044416) = 1021 -> pages_min 255, low 318,
** high 382. We check through the behaviour: GFP_KERNEL order-0 allocations stop at 255 free. */
static void test_kernel_watermarks(void)
{
    at_env t;
    at_env_flat(&t, 0x0, 64u << 20, 14, 0);
    const bf_alloc_methods *am = bf_alloc_find("buddy");
    void *st;
    BF_CHECK_EQ(am->xCreate(&t.env, &st), BF_OK);
    /* page 0 (address 0) is reserved; metadata 65 pages at 1..65; free = 16384 - 66 = 16318 */
    bf_addr a;
    int n = 0;
    while (am->xAllocPages(st, 0, BF_GFP_KERNEL, &a) == BF_OK && a)
        n++;
    /* lowmem = 16318 pages = 65272 KiB; int_sqrt(65272*16 = 1044352) = 1021; pages_min = 255;
    ** allocations succeed while free >= 256: 16318 - 255 = 16063 */
    BF_CHECK_EQ(n, 16063);
    am->xDestroy(st);
    at_close(&t);
}

int main(void)
{
    test_placement();
    test_gfp();
    test_dma_zone();
    test_nommu_trim();
    test_kernel_watermarks();
    return bf_test_exit();
}
