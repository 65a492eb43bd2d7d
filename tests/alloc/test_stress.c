/*
** test_stress.c: seeded randomized stress of every part-A allocator (buddy, nommu with and
** without trimming, bootmem across the hand-over, pa2, np2) with xCheck after every operation.
**
** Independent oracles (not the allocator's own bookkeeping):
**  - live blocks never overlap each other, stay inside the managed memory and outside the
**    reserved ranges (kernel image at 0x1000-0x4fff, a 64 KiB "uncached DMA" region at the top,
**    and page 0 since memory starts at address 0);
**  - a tag written at both ends of every live block is intact when it is freed, so the allocator
**    never keeps metadata inside a block it handed out;
**  - exhaustion and recovery: allocating single pages until failure and freeing them restores
**    the free memory seen before (sum of free extents from xWalk);
**  - at the end, with everything freed, the free memory equals the free memory after create;
**  - after every operation the allocator's host counters (xFreeBytes: free bytes, and the
**    largest free block where it keeps it) equal the walk (issue 11).
** 2 MiB, MAX_ORDER 11, kernel-formula watermarks, 6000 operations per allocator.
*/
#include "alloc_test.h"
#include "bf_alloc_int.h"

#define NOPS 6000
#define MAXLIVE 300

typedef struct blk {
    bf_addr a;
    uint64_t size;
    uint32_t tag;
    int pages; /* freed with xFreePages(order) */
    unsigned order;
} blk;

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

static uint64_t walk_free, walk_largest;
static void visit(void *arg, bf_addr a, uint64_t len, int used)
{
    (void)arg;
    (void)a;
    if (!used) {
        walk_free += len;
        if (len > walk_largest)
            walk_largest = len;
    }
}

static uint64_t free_bytes(const bf_alloc_methods *am, void *st)
{
    walk_free = walk_largest = 0;
    am->xWalk(st, visit, NULL);
    return walk_free;
}

static const bf_arange reserved[2] = {{0x1000, 0x4000}, {0x200000 - 0x10000, 0x10000}};

static int ok_block(const blk *b, const blk *live, int n)
{
    if (b->a == 0 || (uint64_t)b->a + b->size > 0x200000u)
        return 0;
    for (int r = 0; r < 2; r++)
        if (b->a < reserved[r].start + reserved[r].len && reserved[r].start < b->a + b->size)
            return 0;
    for (int i = 0; i < n; i++)
        if (b->a < live[i].a + live[i].size && live[i].a < b->a + b->size)
            return 0;
    return 1;
}

static int checked(const bf_alloc_methods *am, void *st, const char *what, int op)
{
    const char *msg = am->xCheck(st);
    if (msg) {
        fprintf(stderr, "%s op %d (%s): %s\n", am->name, op, what, msg);
        BF_CHECK(msg == NULL);
        return 0;
    }
    /* issue 11: the host free-memory counters agree with the walk after every operation */
    BF_CHECK(am->xFreeBytes != NULL);
    if (am->xFreeBytes) {
        uint64_t largest, fb = am->xFreeBytes(st, &largest), wf = free_bytes(am, st);
        if (fb != wf || (largest != BF_ALLOC_LARGEST_UNKNOWN && largest != walk_largest)) {
            fprintf(stderr, "%s op %d (%s): counters %llu free, largest %llu; walk %llu, %llu\n",
                    am->name, op, what, (unsigned long long)fb, (unsigned long long)largest,
                    (unsigned long long)wf, (unsigned long long)walk_largest);
            BF_CHECK(fb == wf);
            return 0;
        }
    }
    return 1;
}

static void stress(const char *name, uint32_t trim, uint64_t seed)
{
    at_env t;
    at_setup(&t, 0, 0x200000, 11, 0);
    t.env.reserved = reserved;
    t.env.nreserved = 2;
    t.env.nr_trim_pages = trim;
    const bf_alloc_methods *am = bf_alloc_find(name);
    BF_CHECK(am != NULL);
    if (!am)
        return;
    void *st;
    BF_CHECK_EQ(am->xCreate(&t.env, &st), BF_OK);
    rng_state = seed;
    static blk live[MAXLIVE];
    int n = 0, fails = 0, ok = 1, boot = strcmp(name, "bootmem") == 0;
    uint64_t initial = boot ? 0 : free_bytes(am, st);
    uint32_t tag = 1;
    for (int op = 0; op < NOPS && ok; op++) {
        if (boot && op == 300) { /* boot-time frees leak partial pages: keep the boot phase short */
            BF_CHECK_EQ(am->xPhase(st, "boot-end"), BF_OK);
            ok = checked(am, st, "boot-end", op);
            initial = 0;
        }
        if (am->xReclaimable && !boot && rnd() % 50 == 0)
            am->xReclaimable(st, rnd() % 24);
        if (op % 1500 == 1499) { /* exhaustion and recovery */
            uint64_t before = free_bytes(am, st);
            static bf_addr pg[1024];
            int k = 0;
            bf_addr a;
            while (k < 1024 && am->xAllocPages(st, 0, BF_GFP_ATOMIC, &pg[k]) == BF_OK && pg[k])
                k++;
            BF_CHECK(k < 1024);
            for (int i = k - 1; i >= 0; i--)
                BF_CHECK_EQ(am->xFreePages(st, pg[i], 0), BF_OK);
            BF_CHECK_EQ(free_bytes(am, st), before);
            ok = checked(am, st, "recovery", op);
            (void)a;
            continue;
        }
        if (n < MAXLIVE && (n == 0 || rnd() % 100 < 55)) {
            blk b;
            memset(&b, 0, sizeof(b));
            uint32_t gfp = rnd() % 5 == 0 ? BF_GFP_ATOMIC : BF_GFP_KERNEL;
            uint32_t kind = rnd() % 4;
            int rc;
            if (kind == 0) {
                b.pages = 1;
                b.order = rnd() % 5;
                b.size = 4096u << b.order;
                rc = am->xAllocPages(st, b.order, gfp, &b.a);
            } else if (kind == 1 && am->xMmap) {
                b.size = 8 + rnd() % (200 * 1024);
                rc = am->xMmap(st, b.size, gfp, &b.a);
            } else {
                b.size = rnd() % 10 < 7 ? 8 + rnd() % 8192 : 8 + rnd() % (96 * 1024);
                rc = am->xAlloc(st, b.size, gfp, &b.a);
            }
            BF_CHECK_EQ(rc, BF_OK);
            if (b.a == 0) {
                fails++;
            } else {
                if (!ok_block(&b, live, n)) {
                    fprintf(stderr, "%s op %d: block 0x%x+%llu overlaps or is outside\n", name, op,
                            b.a, (unsigned long long)b.size);
                    BF_CHECK(0);
                    ok = 0;
                }
                b.tag = tag++;
                bf_amem_w32(&t.mem, b.a, b.tag);
                bf_amem_w32(&t.mem, b.a + (uint32_t)b.size - 4, ~b.tag);
                live[n++] = b;
            }
            ok = ok && checked(am, st, "alloc", op);
        } else {
            int i = (int)(rnd() % (uint32_t)n);
            blk b = live[i];
            live[i] = live[--n];
            BF_CHECK_EQ(bf_amem_r32(&t.mem, b.a), b.tag);
            BF_CHECK_EQ(bf_amem_r32(&t.mem, b.a + (uint32_t)b.size - 4), ~b.tag);
            int rc;
            if (b.pages)
                rc = am->xFreePages(st, b.a, b.order);
            else if (am->xFreeSize)
                rc = am->xFreeSize(st, b.a, b.size);
            else
                rc = am->xFree(st, b.a);
            BF_CHECK_EQ(rc, BF_OK);
            ok = checked(am, st, "free", op);
        }
    }
    BF_CHECK(fails > 0); /* the run reached exhaustion at least once outside the recovery test */
    while (n > 0) {
        blk b = live[--n];
        BF_CHECK_EQ(bf_amem_r32(&t.mem, b.a), b.tag);
        if (b.pages)
            BF_CHECK_EQ(am->xFreePages(st, b.a, b.order), BF_OK);
        else if (am->xFreeSize)
            BF_CHECK_EQ(am->xFreeSize(st, b.a, b.size), BF_OK);
        else
            BF_CHECK_EQ(am->xFree(st, b.a), BF_OK);
    }
    if (am->xReclaimable && !boot)
        am->xReclaimable(st, 0);
    checked(am, st, "final", NOPS);
    if (!boot) /* bootmem keeps the partial pages of boot-time blocks reserved */
        BF_CHECK_EQ(free_bytes(am, st), initial);
    fprintf(stderr, "%s (trim %u): %d failed allocations, %llu bytes free at the end\n", name, trim,
            fails, (unsigned long long)free_bytes(am, st));
    am->xDestroy(st);
    at_teardown(&t);
}

int main(void)
{
    stress("buddy", 0, 1);
    stress("buddy", 0, 2);
    stress("nommu", 0, 3);
    stress("nommu", 1, 4);
    stress("nommu", 4, 5);
    stress("bootmem", 0, 6);
    stress("pa2", 0, 7);
    stress("np2", 0, 8);
    stress("np2", 0, 9);
    return bf_test_exit();
}
