/*
** test_slab.c: SLAB + kmalloc (allocators/bf_slab.c): size classes, slab geometry and colouring
** worked by hand from the documented rules, off-slab descriptors, named caches, LIFO reuse,
** free_limit, DMA caches, large classes, and seeded stress.
**
** Geometry rules (cache_estimate, 4096-byte pages, struct slab 24 bytes, 4-byte bufctls, kmalloc
** caches aligned to the 32-byte line): on-slab num = floor((4096 - 24) / (size + 4)), minus one if
** align(24 + 4 num, 32) + num size > 4096; the objects start after the colour offset and the
** descriptor, s_mem = page + colour + align(24 + 4 num, 32); colour = left-over / 32.
**   size-32:  num 113, descriptor 480,  left 0   -> 0 colours (offset always 0)
**   size-64:  num 59,  descriptor 288,  left 32  -> 1 colour
**   size-96:  num 40,  descriptor 192,  left 64  -> 2 colours (offsets 0, 32)
**   size-512: off-slab (512 >= 4096/8): 8 objects, left 0; descriptor 24 + 8*4 = 56 bytes,
**             kmalloc'ed from size-64
*/
#include "alloc_test.h"

static bf_addr kmalloc_gfp(at_env *e, uint64_t n, uint32_t gfp)
{
    bf_addr a = 0;
    BF_CHECK_EQ(e->ops->xAlloc(e->st, n, gfp, &a), BF_OK);
    BF_CHECK(at_sound(e));
    return a;
}

static bf_addr kmalloc(at_env *e, uint64_t n)
{
    return kmalloc_gfp(e, n, BF_GFP_KERNEL);
}

static void kfree(at_env *e, bf_addr a)
{
    BF_CHECK_EQ(e->ops->xFree(e->st, a), BF_OK);
    BF_CHECK(at_sound(e));
}

/* kmalloc rounds to the class: 96 < 100 <= 128 -> kmalloc-128; 1 -> 32; 97 -> 128;
** 193 -> 256; 4097 -> 8192; 131073 -> 262144 (NOMMU class). */
static void test_classes(void)
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, "slab", 2u << 20, 1), BF_OK);
    static const uint32_t req[] = {100, 1, 32, 33, 96, 97, 192, 193, 4097, 131073};
    static const uint32_t cls[] = {128, 32, 32, 64, 96, 128, 192, 256, 8192, 262144};
    for (size_t i = 0; i < BF_ARRAY_SIZE(req); i++) {
        bf_addr a = kmalloc(&e, req[i]);
        BF_CHECK(a != 0);
        BF_CHECK_EQ(e.ops->xUsable(e.st, a), cls[i]);
        kfree(&e, a);
    }
    at_close(&e);
}

static void test_geometry(void)
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, "slab", 2u << 20, 1), BF_OK);
    /* Two kmalloc(32) in a fresh slab: first object at page + 480 (colour 0), the next one
    ** object size (32) further. */
    bf_addr a1 = kmalloc(&e, 32), a2 = kmalloc(&e, 32);
    BF_CHECK_EQ(a1 % 4096, 480);
    BF_CHECK_EQ(a2, a1 + 32);
    /* LIFO: the freed object is the head of its slab's free list. */
    kfree(&e, a2);
    BF_CHECK_EQ(kmalloc(&e, 32), a2);

    /* size-96 colouring: objects 1, 41 and 81 start slabs 1, 2, 3 with colours 0, 32, 0. */
    bf_addr v[81];
    for (int i = 0; i < 81; i++)
        v[i] = kmalloc(&e, 96);
    BF_CHECK_EQ(v[0] % 4096, 192);
    BF_CHECK_EQ(v[39], v[0] + 39 * 96); /* the 40th object is the last of slab 1 */
    BF_CHECK_EQ(v[40] % 4096, 32 + 192);
    BF_CHECK_EQ(v[80] % 4096, 192);
    BF_CHECK(v[40] / 4096 != v[0] / 4096 && v[80] / 4096 != v[40] / 4096);
    for (int i = 0; i < 81; i++)
        kfree(&e, v[i]);

    /* Off-slab: kmalloc(512) in a fresh size-512 slab is at offset 0 of its page (no colour,
    ** no descriptor in the page); its descriptor is the first object of a fresh size-64 slab
    ** (page + 288), so the next kmalloc(64) is the second object: page + 288 + 64 = 352. */
    bf_addr b1 = kmalloc(&e, 512), b2 = kmalloc(&e, 512);
    BF_CHECK_EQ(b1 % 4096, 0);
    BF_CHECK_EQ(b2, b1 + 512);
    BF_CHECK_EQ(kmalloc(&e, 64) % 4096, 352);
    at_close(&e);
}

/* Named cache from a kmem_cache_alloc record: 132 bytes -> 136 (8-byte ARCH_SLAB_MINALIGN),
** on-slab: num = floor(4072 / 140) = 29, descriptor align(24 + 116, 8) = 144, left 8 (< 32: one
** colour). Objects at page + 144, page + 280. The cache is created on first use. */
static void test_named(void)
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, "slab", 2u << 20, 1), BF_OK);
    bf_addr a = 0, b = 0;
    BF_CHECK_EQ(e.ops->xCacheAlloc(e.st, "dentry", 132, BF_GFP_KERNEL, &a), BF_OK);
    BF_CHECK_EQ(e.ops->xCacheAlloc(e.st, "dentry", 132, BF_GFP_KERNEL, &b), BF_OK);
    BF_CHECK_EQ(a % 4096, 144);
    BF_CHECK_EQ(b, a + 136);
    BF_CHECK_EQ(e.ops->xUsable(e.st, a), 136);
    BF_CHECK(at_sound(&e));
    /* Freeing into the wrong cache, or an address that is no object, is an input error. */
    BF_CHECK_EQ(e.ops->xCacheFree(e.st, "inode", a), BF_EINPUT);
    BF_CHECK_EQ(e.ops->xCacheFree(e.st, "dentry", a + 4), BF_EINPUT);
    BF_CHECK_EQ(e.ops->xFree(e.st, 0x40000), BF_EINPUT);
    BF_CHECK_EQ(e.ops->xCacheFree(e.st, "dentry", a), BF_OK);
    BF_CHECK_EQ(e.ops->xCacheFree(e.st, "dentry", b), BF_OK);
    BF_CHECK(at_sound(&e));
    at_close(&e);
}

/* Count free extents of exactly `len` bytes (a fully free size-32 slab shows as one free run of
** 113 * 32 = 3616 bytes). */
static unsigned count_free_runs(at_env *e, uint64_t len)
{
    at_walk w;
    BF_CHECK(at_walk_collect(e, &w));
    unsigned n = 0;
    for (size_t i = 0; i < w.n; i++)
        n += !w.v[i].used && w.v[i].len == len;
    free(w.v);
    return n;
}

/* free_limit for size-32 = (1 + 1 CPU) * batchcount 60 + 113 = 233 free objects. Fill 3 slabs
** (339 objects) and free them slab by slab: slab 1 empties with 113 free (kept), slab 2 with 226
** (kept), slab 3 would make 339 > 233: destroyed. Two empty slabs remain. */
static void test_free_limit(void)
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, "slab", 2u << 20, 1), BF_OK);
    static bf_addr v[339];
    for (int i = 0; i < 339; i++)
        v[i] = kmalloc(&e, 32);
    BF_CHECK_EQ(count_free_runs(&e, 3616), 0);
    for (int i = 0; i < 339; i++)
        kfree(&e, v[i]);
    BF_CHECK_EQ(count_free_runs(&e, 3616), 2);
    at_close(&e);
}

/* DMA caches: GFP_DMA allocations come from "size-N(DMA)", whose pages are requested with
** __GFP_DMA; with an x86-like 1 MiB DMA zone they lie below 1 MiB even when a normal page would
** come from above it, and never share a slab with the normal cache. */
static void test_dma(void)
{
    at_env e;
    at_env_layout(&e, 4u << 20, 1);
    e.env.dma_zone_bytes = 1u << 20;
    BF_CHECK_EQ(at_env_create(&e, "slab"), BF_OK);
    bf_addr n = kmalloc(&e, 64), d = kmalloc_gfp(&e, 64, BF_GFP_KERNEL | BF_GFP_DMA);
    BF_CHECK(n != 0 && d != 0);
    BF_CHECK(n / 4096 != d / 4096);
    BF_CHECK(d < (1u << 20));
    BF_CHECK(n >= (1u << 20)); /* NORMAL is tried first */
    BF_CHECK_EQ(e.ops->xUsable(e.st, d), 64);
    /* Exhaust the DMA zone with DMA kmalloc(64K): every success is below 1 MiB, and the first
    ** failure comes while NORMAL memory is still free. */
    bf_addr a = 0;
    int ok = 1;
    for (int i = 0; i < 64; i++) {
        BF_CHECK_EQ(e.ops->xAlloc(e.st, 65536, BF_GFP_KERNEL | BF_GFP_DMA, &a), BF_OK);
        if (!a)
            break;
        ok &= a < (1u << 20);
    }
    BF_CHECK(ok);
    BF_CHECK_EQ(a, 0);
    BF_CHECK(kmalloc(&e, 65536) != 0);
    BF_CHECK(at_sound(&e));
    at_close(&e);
}

/* Large classes (CONFIG_LARGE_ALLOCS): on 16 MiB with MAX_ORDER 14, kmalloc(3 MiB) comes from
** size-4194304 (one object in an order-10 slab, off-slab descriptor); beyond 32 MiB there is no
** class. With MAX_ORDER 11 the largest class is 4 MiB (order 10): 5 MiB has no class. */
static void test_large(void)
{
    at_env e;
    at_env_layout(&e, 16u << 20, 1);
    e.env.max_order = 14;
    BF_CHECK_EQ(at_env_create(&e, "slab"), BF_OK);
    bf_addr a = kmalloc(&e, 3u << 20);
    BF_CHECK(a != 0);
    BF_CHECK_EQ(a % (4u << 20), 0);
    BF_CHECK_EQ(e.ops->xUsable(e.st, a), 4u << 20);
    BF_CHECK_EQ(kmalloc(&e, (32u << 20) + 1), 0);
    kfree(&e, a);
    at_close(&e);

    at_env_layout(&e, 16u << 20, 1);
    BF_CHECK_EQ(at_env_create(&e, "slab"), BF_OK);
    /* [4 MiB, 8 MiB) is a free order-10 block: the 4 MiB class exists and is served. */
    a = kmalloc(&e, 4u << 20);
    BF_CHECK(a != 0);
    BF_CHECK_EQ(e.ops->xUsable(e.st, a), 4u << 20);
    BF_CHECK_EQ(kmalloc(&e, 5u << 20), 0);
    at_close(&e);
}

/* Memory exhausted by a big cache's free slabs must not starve another cache when the request
** may sleep: the empty slabs are reaped and the allocation succeeds. */
static void test_reap(void)
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, "slab", 2u << 20, 1), BF_OK);
    /* size-131072: order 5, one object a slab; enable_cpucache's limit is 8 (131072 is not
    ** above 128 KiB), batchcount 4, free_limit = 2 * 4 + 1 = 9: up to nine empty 128 KiB slabs
    ** stay cached. Fill memory with them (about 11 fit) and free them all. */
    bf_addr v[16];
    int n = 0;
    while (n < 16 && (v[n] = kmalloc(&e, 131072)) != 0)
        n++;
    BF_CHECK(n >= 4);
    for (int i = 0; i < n; i++)
        kfree(&e, v[i]);
    /* Now fill the rest with 64 KiB objects: GFP_KERNEL may reap the cached slabs. */
    int got = 0;
    bf_addr a;
    while ((a = kmalloc(&e, 65536)) != 0)
        got++;
    /* All 128 KiB slabs were released: at least 2 * n 64 KiB objects fit. */
    BF_CHECK(got >= 2 * n);
    at_close(&e);
}

/* /proc/slabinfo after three kmalloc(32) and one kmalloc(64, GFP_DMA): size-32 has 3 active
** objects of 113 in 1 slab of 1 page; size-64(DMA) 1 of 59; dentry (named, created on first use)
** 1 of 29 objects of 136 bytes. */
static void test_info(void)
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, "slab", 2u << 20, 1), BF_OK);
    bf_addr a;
    for (int i = 0; i < 3; i++)
        BF_CHECK(kmalloc(&e, 32) != 0);
    BF_CHECK(kmalloc_gfp(&e, 64, BF_GFP_DMA) != 0);
    BF_CHECK_EQ(e.ops->xCacheAlloc(e.st, "dentry", 132, BF_GFP_KERNEL, &a), BF_OK);
    char buf[8192];
    size_t n = e.ops->xInfo(e.st, buf, sizeof buf);
    BF_CHECK(n > 0 && n < sizeof buf);
    BF_CHECK_EQ(e.ops->xInfo(e.st, NULL, 0), n); /* snprintf semantics */
    static const struct {
        const char *name;
        unsigned v[7];
    } want[] = {{"size-32 ", {3, 113, 32, 113, 1, 1, 1}},
                {"size-64(DMA) ", {1, 59, 64, 59, 1, 1, 1}},
                {"dentry ", {1, 29, 136, 29, 1, 1, 1}},
                {"size-32(DMA) ", {0, 0, 32, 113, 1, 0, 0}}};
    for (size_t i = 0; i < BF_ARRAY_SIZE(want); i++) {
        const char *l = strstr(buf, want[i].name);
        BF_CHECK(l != NULL);
        if (!l)
            continue;
        unsigned v[7];
        int k = sscanf(l + strlen(want[i].name), "%u %u %u %u %u : slabdata %u %u", &v[0], &v[1],
                       &v[2], &v[3], &v[4], &v[5], &v[6]);
        BF_CHECK_EQ(k, 7);
        for (int j = 0; j < 7 && k == 7; j++)
            BF_CHECK_EQ(v[j], want[i].v[j]);
    }
    at_close(&e);
}

int main(void)
{
    test_info();
    test_classes();
    test_geometry();
    test_named();
    test_free_limit();
    test_dma();
    test_large();
    test_reap();
    for (uint64_t seed = 1; seed <= 3; seed++) {
        at_env e;
        BF_CHECK_EQ(at_open(&e, "slab", 2u << 20, 1), BF_OK);
        {
            at_stress_opts so = {.seed = seed, .nops = 5000, .recover_every = 1500};
            at_stress_run(&e, &so);
        }
        at_close(&e);
    }
    return bf_test_exit();
}
