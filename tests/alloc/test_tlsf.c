/*
** test_tlsf.c: TLSF (allocators/bf_tlsf.c). The mapping functions are static, so this test
** includes the source file; everything else goes through the methods table.
**
** Hand-worked expectations (second level 2^5 = 32 lists, 4-byte granules, SMALL = 128):
**  mapping_insert(size): size < 128 -> (0, size/4); else fl = fls(size) - 6,
**  sl = (size >> (fls(size) - 5)) - 32.
**    1      -> (0, 0)
**    127    -> (0, 31)
**    128    -> fls 7: (1, (128 >> 2) - 32 = 0)
**    1000   -> fls 9: (3, (1000 >> 4) - 32 = 62 - 32 = 30)
**    1<<20  -> fls 20: (14, (2^20 >> 15) - 32 = 0)
**  mapping_search adds (1 << (fls - 5)) - 1 first for sizes >= 128:
**    1, 127 -> unchanged: (0,0), (0,31)
**    128    -> 128 + 3 = 131: (1, (131 >> 2) - 32 = 0)
**    129    -> 132: (1, 1)          (insert gives (1, 0): the search rounds up)
**    255    -> 258, fls 8: (2, (258 >> 3) - 32 = 0)   (insert gives (1, 31))
**    1000   -> 1000 + 15 = 1015: (3, 63 - 32 = 31)
**    1<<20  -> 2^20 + 32767: (14, 0)
*/
#include "../../allocators/bf_tlsf.c"

#include "alloc_test.h"

static void test_mapping(void)
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, "tlsf", 2u << 20, 1), BF_OK);
    tlsf_state *s = e.st;
    static const struct {
        uint32_t size;
        unsigned ifl, isl, sfl, ssl;
    } cases[] = {
        {1, 0, 0, 0, 0},    {127, 0, 31, 0, 31},  {128, 1, 0, 1, 0},        {129, 1, 0, 1, 1},
        {255, 1, 31, 2, 0}, {1000, 3, 30, 3, 31}, {1u << 20, 14, 0, 14, 0},
    };
    for (size_t i = 0; i < BF_ARRAY_SIZE(cases); i++) {
        unsigned fl, sl;
        tlsf_mapping_insert(s, cases[i].size, &fl, &sl);
        BF_CHECK_EQ(fl, cases[i].ifl);
        BF_CHECK_EQ(sl, cases[i].isl);
        BF_CHECK(tlsf_mapping_search(s, cases[i].size, &fl, &sl));
        BF_CHECK_EQ(fl, cases[i].sfl);
        BF_CHECK_EQ(sl, cases[i].ssl);
    }
    /* 25 first-level classes (fls 7..30 plus fl 0) x 32 lists: 20 + 4*25*33 = 3320 bytes. */
    BF_CHECK_EQ(s->fl_count, 25);
    BF_CHECK_EQ(s->ctl_size, 3320);
    at_close(&e);
}

/*
** Placement on 2 MiB with [0, 0x10000) and [0x1C0000, 0x200000) reserved: the control structure
** takes [0x10000, 0x10CF8), the pool is [0x10CF8, 0x1C0000): one free block with header
** B1 = 0x10CF4 (size word at 0x10CF8), so the first user pointer is 0x10CFC.
*/
static void test_placement(void)
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, "tlsf", 2u << 20, 1), BF_OK);
    const bf_alloc_methods *o = e.ops;
    /* Initial free extent: the block's size word + payload = pool length - 4. */
    const uint64_t pool_free = 0x1C0000 - 0x10CF8 - 4;
    BF_CHECK_EQ(at_walk_free_bytes(&e), pool_free);

    bf_addr a1, a2, a3, a4, a5;
    BF_CHECK_EQ(o->xAlloc(e.st, 100, BF_GFP_KERNEL, &a1), BF_OK);
    BF_CHECK_EQ(a1, 0x10CFC);
    BF_CHECK_EQ(o->xUsable(e.st, a1), 100);
    /* B2 = B1 + 4 + 100 = 0x10D5C, user pointer B2 + 8. */
    BF_CHECK_EQ(o->xAlloc(e.st, 100, BF_GFP_KERNEL, &a2), BF_OK);
    BF_CHECK_EQ(a2, 0x10D64);
    BF_CHECK(at_sound(&e));

    /* Free a1: a 100-byte free block on list (0, 25). alloc(60) searches from (0, 15), finds it
    ** through the second-level bitmap and splits: 60 used + remainder of 100 - 64 = 36 bytes at
    ** B1 + 64. */
    BF_CHECK_EQ(o->xFree(e.st, a1), BF_OK);
    BF_CHECK(at_sound(&e));
    BF_CHECK_EQ(o->xAlloc(e.st, 60, BF_GFP_KERNEL, &a3), BF_OK);
    BF_CHECK_EQ(a3, 0x10CFC);
    /* alloc(20): search (0, 5) -> the 36-byte block (list (0, 9)); 36 >= 20 + 16 so it splits
    ** again: user pointer B1 + 64 + 8, remainder 12 bytes (the minimum block). */
    BF_CHECK_EQ(o->xAlloc(e.st, 20, BF_GFP_KERNEL, &a4), BF_OK);
    BF_CHECK_EQ(a4, 0x10CFC + 64);
    /* alloc(1) -> 12 bytes, list (0, 3): the 12-byte remainder, exact fit, at B1 + 88 + 8. */
    BF_CHECK_EQ(o->xAlloc(e.st, 1, BF_GFP_KERNEL, &a5), BF_OK);
    BF_CHECK_EQ(a5, 0x10CFC + 88);
    BF_CHECK_EQ(o->xUsable(e.st, a5), 12);
    BF_CHECK(at_sound(&e));

    /* Immediate coalescing: free middle, last, first -> one 100-byte block again; then a2 merges
    ** it with the pool remainder: the whole pool is one free block, as at the start. */
    BF_CHECK_EQ(o->xFree(e.st, a4), BF_OK);
    BF_CHECK(at_sound(&e));
    BF_CHECK_EQ(o->xFree(e.st, a5), BF_OK);
    BF_CHECK(at_sound(&e));
    BF_CHECK_EQ(o->xFree(e.st, a3), BF_OK);
    BF_CHECK(at_sound(&e));
    at_walk w;
    BF_CHECK(at_walk_collect(&e, &w));
    const at_ext *x = at_walk_find(&w, 0x10CF8);
    BF_CHECK(x && !x->used && x->a == 0x10CF8 && x->len == 104);
    free(w.v);
    BF_CHECK_EQ(o->xFree(e.st, a2), BF_OK);
    BF_CHECK(at_sound(&e));
    BF_CHECK_EQ(at_walk_free_bytes(&e), pool_free);

    /* 1 MiB fits in the 1.7 MiB pool; 2 MiB does not: a failure is BF_OK with address 0. */
    BF_CHECK_EQ(o->xAlloc(e.st, 1u << 20, BF_GFP_KERNEL, &a1), BF_OK);
    BF_CHECK(a1 != 0);
    BF_CHECK_EQ(o->xAlloc(e.st, 2u << 20, BF_GFP_KERNEL, &a2), BF_OK);
    BF_CHECK_EQ(a2, 0);
    /* Freeing garbage is an input error; so is a double free. */
    BF_CHECK_EQ(o->xFree(e.st, 0x10CFE), BF_EINPUT);
    BF_CHECK_EQ(o->xFree(e.st, a1), BF_OK);
    BF_CHECK_EQ(o->xFree(e.st, a1), BF_EINPUT);
    BF_CHECK(at_sound(&e));
    at_close(&e);
}

/* Reserved ranges split the memory into pools: with a hole in the middle, two pools, and no
** allocation ever touches the hole (checked by the stress oracle too). */
static void test_pools(void)
{
    at_env e;
    at_env_layout(&e, 1u << 20, 1);
    bf_arange res[3] = {{0, 0x10000}, {0x80000, 0x10000}, {0xE0000, 0x20000}};
    e.env.reserved = res;
    e.env.nreserved = 3;
    BF_CHECK_EQ(at_env_create(&e, "tlsf"), BF_OK);
    tlsf_state *s = e.st;
    BF_CHECK_EQ(s->npools, 2);
    /* pool 1: [0x10000 + 3320, 0x80000), pool 2: [0x90000, 0xE0000). */
    BF_CHECK_EQ(s->pools[0].start, 0x10CF8);
    BF_CHECK_EQ(s->pools[1].start, 0x90000);
    BF_CHECK_EQ(s->pools[1].len, 0x50000);
    {
        at_stress_opts so = {.seed = 7, .nops = 3000, .recover_every = 1500};
        at_stress_run(&e, &so);
    }
    at_close(&e);
}

/* Issue 12 item 15: page 0 is reserved when memory starts at 0, as for every allocator (0 is
** the failure value). 1 MiB at 0 with no reserved range: the control structure takes
** [0x1000, 0x1CF8) (3320 bytes), the pool is [0x1CF8, 0x100000), its free block's size word +
** payload = 0x100000 - 0x1CF8 - 4, and the first user pointer is 0x1CFC (it was 0x0CFC, with
** the control block at address 0). Footprint = managed - reserved page 0 - free = 0x100000 -
** 0x1000 - (0x100000 - 0x1CF8 - 4) = 3320 + 4 = 3324 B (it was -772 B). */
static void test_page0(void)
{
    at_env e;
    at_env_layout(&e, 1u << 20, 1);
    e.env.nreserved = 0;
    BF_CHECK_EQ(at_env_create(&e, "tlsf"), BF_OK);
    tlsf_state *s = e.st;
    BF_CHECK_EQ(s->ctl, 0x1000);
    BF_CHECK_EQ(s->npools, 1);
    BF_CHECK_EQ(s->pools[0].start, 0x1CF8);
    const uint64_t free0 = 0x100000 - 0x1CF8 - 4;
    BF_CHECK_EQ(at_walk_free_bytes(&e), free0);
    BF_CHECK_EQ(bf_alloc_reserved_bytes(&e.env), 0x1000);
    BF_CHECK_EQ((1u << 20) - bf_alloc_reserved_bytes(&e.env) - free0, 3324);
    bf_addr a;
    BF_CHECK_EQ(e.ops->xAlloc(e.st, 100, BF_GFP_KERNEL, &a), BF_OK);
    BF_CHECK_EQ(a, 0x1CFC);
    BF_CHECK_EQ(e.ops->xFree(e.st, a), BF_OK);
    BF_CHECK_EQ(at_walk_free_bytes(&e), free0);
    at_close(&e);
}

/* A smaller second level (2^2 lists): SMALL = 16, 28 first-level classes. */
static void test_sl_log2(void)
{
    at_env e;
    at_env_layout(&e, 1u << 20, 1);
    e.env.tlsf_sl_log2 = 2;
    BF_CHECK_EQ(at_env_create(&e, "tlsf"), BF_OK);
    tlsf_state *s = e.st;
    unsigned fl, sl;
    /* 1000: fls 9, fl = 9 - 4 + 1 = 6, sl = (1000 >> 7) - 4 = 3. */
    tlsf_mapping_insert(s, 1000, &fl, &sl);
    BF_CHECK_EQ(fl, 6);
    BF_CHECK_EQ(sl, 3);
    {
        at_stress_opts so = {.seed = 11, .nops = 2000, .recover_every = 1500};
        at_stress_run(&e, &so);
    }
    at_close(&e);
    /* 6 would need a 64-bit second-level bitmap: refused. */
    at_env_layout(&e, 1u << 20, 1);
    e.env.tlsf_sl_log2 = 6;
    BF_CHECK_EQ(at_env_create(&e, "tlsf"), BF_ECONFIG);
    at_close(&e);
}

int main(void)
{
    test_page0();
    test_mapping();
    test_placement();
    test_pools();
    test_sl_log2();
    for (uint64_t seed = 1; seed <= 3; seed++) {
        at_env e;
        BF_CHECK_EQ(at_open(&e, "tlsf", 2u << 20, 1), BF_OK);
        {
            at_stress_opts so = {.seed = seed, .nops = 5000, .recover_every = 1500};
            at_stress_run(&e, &so);
        }
        /* Everything freed: the pool is one free block again. */
        BF_CHECK_EQ(at_walk_free_bytes(&e), 0x1C0000 - 0x10CF8 - 4);
        at_close(&e);
    }
    return bf_test_exit();
}
