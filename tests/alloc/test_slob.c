/*
** test_slob.c: SLOB (allocators/bf_slob.c): hand-worked placements in 2-byte units with the
** 8-byte kmalloc header, next-fit page rotation, large requests, and seeded stress.
**
** Rules used by the expectations (reference kernel-allocators 2.3): kmalloc(n) with
** n < 4096 - 8 takes a block of n + 8 bytes aligned to 8 and returns block + 8; within a page the
** free list is first fit in address order; an aligned block may leave a fragment in front; a
** free merges with both neighbours.
*/
#include "alloc_test.h"

static bf_addr kmalloc(at_env *e, uint64_t n)
{
    bf_addr a = 0;
    BF_CHECK_EQ(e->ops->xAlloc(e->st, n, BF_GFP_KERNEL, &a), BF_OK);
    BF_CHECK(a != 0);
    BF_CHECK(at_sound(e));
    return a;
}

static void kfree(at_env *e, bf_addr a)
{
    BF_CHECK_EQ(e->ops->xFree(e->st, a), BF_OK);
    BF_CHECK(at_sound(e));
}

/*
** Small list, one fresh page P:
**  kmalloc(100): block [P, P+108) (54 units)          -> P + 8
**  kmalloc(20):  free list starts at P+108; aligned to P+112 with a 2-unit fragment
**                [P+108, P+112) left in front; block [P+112, P+140) -> P + 120
**  kmalloc(50):  the fragment is too small; next free block P+140 aligns to P+144, leaving
**                [P+140, P+144); block [P+144, P+202)  -> P + 152
**  kfree(P+120): block [P+112, P+140) merges with the fragment after it ([P+140, P+144))
**                and the one before ([P+108, P+112)): one free block [P+108, P+144), 18 units
**  kmalloc(24):  32 bytes at P+112 (fragment [P+108, P+112) again), exact fit -> P + 120
*/
static void test_small_sequence(void)
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, "slob", 2u << 20, 1), BF_OK);
    bf_addr a = kmalloc(&e, 100);
    bf_addr P = a - 8;
    BF_CHECK_EQ(P % 4096, 0);
    BF_CHECK_EQ(e.ops->xUsable(e.st, a), 108); /* 54 units: header + request */
    BF_CHECK_EQ(kmalloc(&e, 20), P + 120);
    bf_addr c = kmalloc(&e, 50);
    BF_CHECK_EQ(c, P + 152);
    kfree(&e, P + 120);
    at_walk w;
    BF_CHECK(at_walk_collect(&e, &w));
    const at_ext *x = at_walk_find(&w, P + 108);
    BF_CHECK(x && !x->used && x->a == P + 108 && x->len == 36);
    x = at_walk_find(&w, P + 202); /* the page's tail after the third block */
    BF_CHECK(x && !x->used && x->a == P + 202 && x->len == 4096 - 202);
    free(w.v);
    BF_CHECK_EQ(kmalloc(&e, 24), P + 120);
    /* The header holds the request: kfree(a) then everything else frees the page; the walk's
    ** free total is back to where it started. */
    kfree(&e, a);
    kfree(&e, P + 120);
    kfree(&e, c);
    at_close(&e);
}

/*
** Next fit over pages (medium list: 256 <= block < 1024):
**  16 x kmalloc(248): 256-byte blocks fill page A exactly (A leaves the list).
**  kmalloc(248) #17: new page B, block [B, B+256); list: B.
**  kfree(A+8): A was full: it gets one free block [A, A+256) and goes to the head: A, B.
**  kmalloc(300): 308 bytes = 154 units; A has 128 -> skipped; B: [B+256, B+564) -> B + 264;
**                B succeeded while second: the head rotates to B: list B, A.
**  kmalloc(248): both pages could take it (A's hole is exactly 128 units). Next fit starts at
**                B: free block at B+564 aligns to B+568 -> block [B+568, B+824) -> B + 576.
**                Without the rotation it would be A + 8.
*/
static void test_next_fit(void)
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, "slob", 2u << 20, 1), BF_OK);
    bf_addr A = kmalloc(&e, 248) - 8;
    BF_CHECK_EQ(A % 4096, 0);
    for (int i = 1; i < 16; i++)
        BF_CHECK_EQ(kmalloc(&e, 248), A + 256 * i + 8);
    bf_addr B = kmalloc(&e, 248) - 8;
    BF_CHECK_EQ(B % 4096, 0);
    BF_CHECK(B != A);
    kfree(&e, A + 8);
    BF_CHECK_EQ(kmalloc(&e, 300), B + 264);
    BF_CHECK_EQ(kmalloc(&e, 248), B + 576);
    /* The next identical request still starts at B: [B+824, B+1080) -> B + 832. */
    BF_CHECK_EQ(kmalloc(&e, 248), B + 832);
    at_close(&e);
}

/*
** Large requests and boundaries: kmalloc(n) with n >= 4096 - 8 takes pages (order
** get_order(n)), page aligned, usable = the pages; n = 4087 still fits a SLOB page:
** 4095 bytes = 2048 units = the whole page.
*/
static void test_large(void)
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, "slob", 2u << 20, 1), BF_OK);
    bf_addr a = kmalloc(&e, 5000);
    BF_CHECK_EQ(a % 4096, 0);
    BF_CHECK_EQ(e.ops->xUsable(e.st, a), 8192);
    bf_addr b = kmalloc(&e, 4088);
    BF_CHECK_EQ(b % 4096, 0);
    BF_CHECK_EQ(e.ops->xUsable(e.st, b), 4096);
    bf_addr c = kmalloc(&e, 4087);
    BF_CHECK_EQ(c % 4096, 8);
    BF_CHECK_EQ(e.ops->xUsable(e.st, c), 4096);
    kfree(&e, a);
    kfree(&e, b);
    kfree(&e, c);
    /* Not an allocation: a page nobody got, and an address outside memory. */
    BF_CHECK_EQ(e.ops->xFree(e.st, 0x40000), BF_EINPUT);
    BF_CHECK_EQ(e.ops->xFree(e.st, 0x10000000), BF_EINPUT);
    /* 4 MiB cannot come from a 2 MiB board: failure is BF_OK with address 0. */
    bf_addr z = 1;
    BF_CHECK_EQ(e.ops->xAlloc(e.st, 4u << 20, BF_GFP_KERNEL, &z), BF_OK);
    BF_CHECK_EQ(z, 0);
    at_close(&e);
}

/* Named caches: objects without a header, 8-byte aligned, from the list of their size. The cache
** descriptor (8 bytes) is itself the first SLOB object: [P, P+8); dentry objects of 132 bytes
** (66 units) follow at P+8 and P+140. */
static void test_named_cache(void)
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, "slob", 2u << 20, 1), BF_OK);
    bf_addr a = 0, b = 0;
    BF_CHECK_EQ(e.ops->xCacheAlloc(e.st, "dentry", 132, BF_GFP_KERNEL, &a), BF_OK);
    BF_CHECK_EQ(a % 4096, 8);
    BF_CHECK_EQ(e.ops->xCacheAlloc(e.st, "dentry", 132, BF_GFP_KERNEL, &b), BF_OK);
    BF_CHECK_EQ(b, a + 136); /* 132 rounded to the 8-byte alignment of the next block */
    BF_CHECK(at_sound(&e));
    BF_CHECK_EQ(e.ops->xCacheFree(e.st, "dentry", a), BF_OK);
    BF_CHECK_EQ(e.ops->xCacheFree(e.st, "dentry", b), BF_OK);
    BF_CHECK_EQ(e.ops->xCacheFree(e.st, "no-such-cache", b), BF_EINPUT);
    BF_CHECK(at_sound(&e));
    at_close(&e);
}

/*
** Regression (bfsim alloc hung): kmalloc 1 29; cache_alloc c 3 600; cache_free c 3; kfree 1.
** The cache descriptor (8 bytes, two 32-bit words) used to be placed with unit (2-byte)
** alignment, right after the kmalloc block at P+38; on the Blackfin memory system the
** misaligned 32-bit accesses fault, the object size read back as 0, a 0-unit object was handed
** out at the first free block and freeing it linked that block to itself; the final walk spun.
** Hand-worked, small list, fresh page P (units of 2 bytes):
**  kmalloc(29):     37 bytes = 19 units, [P, P+38)                             -> P + 8
**  cache "c" (600): descriptor 8 bytes aligned to 8: the free block at P+38 aligns to P+40,
**                   leaving a 1-unit fragment [P+38, P+40); descriptor [P+40, P+48).
**                   Object: 600 bytes = 300 units from the medium list: fresh page Q -> Q.
**  walk of P now:   used [P, P+38), free [P+38, P+40), used [P+40, P+48), free [P+48, P+4096)
**  cache_free(Q):   Q is entirely free again and goes back to the buddy.
**  kfree(P+8):      [P, P+38) merges with the fragment after it: free [P, P+40) (20 units),
**                   used [P+40, P+48) (the descriptor stays), free [P+48, P+4096): 2044 units.
** Then the broken state the bug produced (a one-unit free block at P+48 whose next is itself)
** is written by hand: xCheck must name it and xWalk must stop.
*/
static void test_cache_desc_aligned(void)
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, "slob", 2u << 20, 1), BF_OK);
    bf_addr a = kmalloc(&e, 29);
    bf_addr P = a - 8;
    BF_CHECK_EQ(P % 4096, 0);
    bf_addr o = 0;
    BF_CHECK_EQ(e.ops->xCacheAlloc(e.st, "c", 600, BF_GFP_KERNEL, &o), BF_OK);
    BF_CHECK(o != 0 && o % 4096 == 0 && o != P);
    BF_CHECK(at_sound(&e));
    at_walk w;
    BF_CHECK(at_walk_collect(&e, &w));
    const at_ext *x = at_walk_find(&w, P + 38);
    BF_CHECK(x && !x->used && x->a == P + 38 && x->len == 2);
    x = at_walk_find(&w, P + 40);
    BF_CHECK(x && x->used && x->a == P + 40 && x->len == 8);
    x = at_walk_find(&w, P + 48);
    BF_CHECK(x && !x->used && x->a == P + 48 && x->len == 4096 - 48);
    free(w.v);
    BF_CHECK_EQ(e.ops->xCacheFree(e.st, "c", o), BF_OK);
    BF_CHECK(at_sound(&e));
    kfree(&e, a);
    BF_CHECK(at_walk_collect(&e, &w));
    x = at_walk_find(&w, P);
    BF_CHECK(x && !x->used && x->a == P && x->len == 40);
    x = at_walk_find(&w, P + 40);
    BF_CHECK(x && x->used && x->a == P + 40 && x->len == 8);
    x = at_walk_find(&w, P + 48);
    BF_CHECK(x && !x->used && x->a == P + 48 && x->len == 4096 - 48);
    free(w.v);
    BF_CHECK_EQ(e.m.failed, 0); /* no refused (e.g. misaligned) metadata access */
    /* The broken state: one-unit block at P+48 (offset 24 units) pointing at itself. */
    bf_amem_w16(&e.m, P + 48, (uint16_t)(int16_t)-24);
    BF_CHECK(e.ops->xCheck(e.st) != NULL);
    BF_CHECK(at_walk_collect(&e, &w)); /* returns: the walk is bounded */
    free(w.v);
    /* A two-block cycle: P (20 units) -> P+48 {2 units, next 30} -> P+60 {2 units, next 24}
    ** -> P+48 -> ... */
    bf_amem_w16(&e.m, P + 48, 2);
    bf_amem_w16(&e.m, P + 50, 30);
    bf_amem_w16(&e.m, P + 60, 2);
    bf_amem_w16(&e.m, P + 62, 24);
    BF_CHECK(e.ops->xCheck(e.st) != NULL);
    BF_CHECK(at_walk_collect(&e, &w));
    free(w.v);
    at_close(&e);
}

int main(void)
{
    test_small_sequence();
    test_next_fit();
    test_large();
    test_named_cache();
    test_cache_desc_aligned();
    for (uint64_t seed = 1; seed <= 3; seed++) {
        at_env e;
        BF_CHECK_EQ(at_open(&e, "slob", 2u << 20, 1), BF_OK);
        /* Create the named caches first so that their descriptors are in the baseline. */
        for (size_t i = 0; i < BF_ARRAY_SIZE(at_cache_names); i++) {
            bf_addr a = 0;
            BF_CHECK_EQ(
                e.ops->xCacheAlloc(e.st, at_cache_names[i], at_cache_sizes[i], BF_GFP_KERNEL, &a),
                BF_OK);
            BF_CHECK_EQ(e.ops->xCacheFree(e.st, at_cache_names[i], a), BF_OK);
        }
        uint64_t baseline = at_walk_free_bytes(&e);
        {
            at_stress_opts so = {.seed = seed, .nops = 5000, .recover_every = 1500};
            at_stress_run(&e, &so);
        }
        /* Every page that became free went back to the buddy: same free bytes as before. */
        BF_CHECK_EQ(at_walk_free_bytes(&e), baseline);
        at_close(&e);
    }
    return bf_test_exit();
}
