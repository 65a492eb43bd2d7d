/*
** test_latency.c: every metadata access of slab, SLOB and TLSF goes through bf_amem, so the core
** cycles an operation takes come from the memory behind the port.
**
** Oracle (bf_flatmem's definition, allocators/bf_amem.c): each access is ready `latency` cycles
** after it is issued and bf_amem waits for it, so an operation that makes N accesses costs exactly
** N * latency cycles. Running the same operations on a 1-cycle and on a 10-cycle memory must give
** the same access counts and exactly 10x the cycles, and an operation must cost more than zero
** cycles (its metadata is not on the host).
*/
#include "ab_util.h"

typedef struct ab_cost {
    uint64_t cycles, accesses;
} ab_cost;

/* A fixed sequence: kmalloc 40, 100, 3000, named-cache alloc, free in another order. Returns
** the cost of each operation in c[0..7]. */
static void run_sequence(const char *name, uint32_t latency, ab_cost c[8])
{
    ab_env e;
    BF_CHECK_EQ(ab_open(&e, name, 2u << 20, latency), BF_OK);
    bf_addr a[4] = {0, 0, 0, 0};
    for (int op = 0; op < 8; op++) {
        bf_cycles t0 = e.m.now;
        uint64_t n0 = e.m.reads + e.m.writes;
        int rc;
        switch (op) {
        case 0:
            rc = e.ops->xAlloc(e.st, 40, BF_GFP_KERNEL, &a[0]);
            break;
        case 1:
            rc = e.ops->xAlloc(e.st, 100, BF_GFP_KERNEL, &a[1]);
            break;
        case 2:
            rc = e.ops->xAlloc(e.st, 3000, BF_GFP_KERNEL, &a[2]);
            break;
        case 3:
            rc = e.ops->xCacheAlloc(e.st, "dentry", 132, BF_GFP_KERNEL, &a[3]);
            break;
        case 4:
            rc = e.ops->xFree(e.st, a[1]);
            break;
        case 5:
            rc = e.ops->xFree(e.st, a[0]);
            break;
        case 6:
            rc = e.ops->xCacheFree(e.st, "dentry", a[3]);
            break;
        default:
            rc = e.ops->xFree(e.st, a[2]);
            break;
        }
        BF_CHECK_EQ(rc, BF_OK);
        c[op].cycles = e.m.now - t0;
        c[op].accesses = e.m.reads + e.m.writes - n0;
        /* check() and walk() are instruments: they must not add cycles or accesses. */
        bf_cycles t1 = e.m.now;
        uint64_t n1 = e.m.reads + e.m.writes;
        BF_CHECK(ab_sound(&e));
        ab_walk_free_bytes(&e);
        BF_CHECK_EQ(e.m.now, t1);
        BF_CHECK_EQ(e.m.reads + e.m.writes, n1);
    }
    BF_CHECK(a[0] && a[1] && a[2] && a[3]);
    BF_CHECK(!e.m.failed);
    ab_close(&e);
}

int main(void)
{
    static const char *const names[] = {"slab", "slob", "tlsf"};
    for (size_t i = 0; i < BF_ARRAY_SIZE(names); i++) {
        ab_cost fast[8], slow[8];
        run_sequence(names[i], 1, fast);
        run_sequence(names[i], 10, slow);
        for (int op = 0; op < 8; op++) {
            BF_CHECK(fast[op].accesses > 0);
            BF_CHECK_EQ(fast[op].cycles, fast[op].accesses);
            BF_CHECK_EQ(slow[op].accesses, fast[op].accesses);
            BF_CHECK_EQ(slow[op].cycles, 10 * fast[op].cycles);
        }
        fprintf(stderr, "%s: accesses per op:", names[i]);
        for (int op = 0; op < 8; op++)
            fprintf(stderr, " %llu", (unsigned long long)fast[op].accesses);
        fprintf(stderr, "\n");
    }
    return bf_test_exit();
}
