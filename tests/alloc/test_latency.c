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
#include "alloc_test.h"

typedef struct at_cost {
    uint64_t cycles, accesses;
} at_cost;

/* A fixed sequence: kmalloc 40, 100, 3000, named-cache alloc, free in another order. Returns
** the cost of each operation in c[0..7]. */
static void run_sequence(const char *name, uint32_t latency, at_cost c[8])
{
    at_env e;
    BF_CHECK_EQ(at_open(&e, name, 2u << 20, latency), BF_OK);
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
        BF_CHECK(at_sound(&e));
        at_walk_free_bytes(&e);
        BF_CHECK_EQ(e.m.now, t1);
        BF_CHECK_EQ(e.m.reads + e.m.writes, n1);
    }
    BF_CHECK(a[0] && a[1] && a[2] && a[3]);
    BF_CHECK(!e.m.failed);
    at_close(&e);
}

/* The accessor on its own: every width is one access of the flat memory's latency, bytes are
** little-endian whatever the host, and bf_amem_compute adds cycles without an access. */
static void accessor(void)
{
    at_env e;
    at_env_flat(&e, 0x1000, 0x1000, 11, 0);
    bf_amem_w32(&e.m, 0x1000, 0x11223344u);
    BF_CHECK_EQ(bf_amem_r8(&e.m, 0x1000), 0x44);
    BF_CHECK_EQ(bf_amem_r8(&e.m, 0x1003), 0x11);
    BF_CHECK_EQ(bf_amem_r16(&e.m, 0x1002), 0x1122);
    bf_amem_w8(&e.m, 0x1001, 0xAB);
    bf_amem_w16(&e.m, 0x1002, 0xCDEF);
    BF_CHECK_EQ(bf_amem_r32(&e.m, 0x1000), 0xCDEFAB44u);
    BF_CHECK_EQ(e.m.reads, 4);
    BF_CHECK_EQ(e.m.writes, 3);
    BF_CHECK_EQ(e.m.now, 7); /* 4 reads and 3 writes of 1 cycle each */
    bf_amem_compute(&e.m, 5);
    BF_CHECK_EQ(e.m.now, 12);
    BF_CHECK_EQ(e.m.reads + e.m.writes, 7);
    bf_amem_mark k = bf_amem_mark_get(&e.m);
    (void)bf_amem_r32(&e.m, 0x1004);
    bf_amem_rewind(&e.m, k);
    BF_CHECK_EQ(e.m.now, 12);
    BF_CHECK_EQ(e.m.reads, 4);
    BF_CHECK(!e.m.failed);
    (void)bf_amem_r8(&e.m, 0x2000); /* outside the memory: faults, reads 0, sticky */
    BF_CHECK(e.m.failed);
    at_close(&e);
}

/* A direct entry for direct_entry(): serves [0x1100, 0x1200) from its own bytes, ready 3 cycles
** later; 0x1200 faults, 0x1204 is a simulation error; everything else is declined. */
typedef struct at_direct {
    uint8_t bytes[0x100];
    unsigned calls, served;
} at_direct;

static int direct_fast(void *ctx, bf_addr a, uint32_t size, int kind, bf_cycles *now, uint8_t *buf)
{
    at_direct *d = ctx;
    d->calls++;
    if (a == 0x1204)
        return BF_ESTATE;
    if (a == 0x1200) {
        *now += 3;
        return BF_PORT_FAULTED;
    }
    if (a < 0x1100 || a + size > 0x1200)
        return BF_PORT_DECLINED;
    d->served++;
    *now += 3;
    if (kind == BF_ACC_WRITE)
        memcpy(d->bytes + (a - 0x1100), buf, size);
    else
        memcpy(buf, d->bytes + (a - 0x1100), size);
    return BF_OK;
}

/* bf_amem's direct entry: asked first; what it serves never reaches the port (its bytes, its
** ready time), what it declines goes through the port, and its faults and errors count as the
** port's would (failed is sticky, a faulted read gives 0). */
static void direct_entry(void)
{
    at_env e;
    at_direct d;
    memset(&d, 0, sizeof d);
    at_env_flat(&e, 0x1000, 0x1000, 11, 0);
    e.m.fast = direct_fast;
    e.m.fast_ctx = &d;
    bf_amem_w32(&e.m, 0x1000, 0x01020304u); /* declined: the flat memory, 1 cycle */
    bf_amem_w32(&e.m, 0x1100, 0xA1B2C3D4u); /* served: 3 cycles */
    BF_CHECK_EQ(e.m.now, 4);
    BF_CHECK_EQ(d.calls, 2);
    BF_CHECK_EQ(d.served, 1);
    BF_CHECK_EQ(d.bytes[0], 0xD4);
    BF_CHECK_EQ(d.bytes[3], 0xA1);
    BF_CHECK_EQ(bf_amem_r16(&e.m, 0x1102), 0xA1B2);
    BF_CHECK_EQ(bf_amem_r32(&e.m, 0x1000), 0x01020304u);
    e.m.fast = NULL; /* the port never saw the served write */
    BF_CHECK_EQ(bf_amem_r32(&e.m, 0x1100), 0u);
    e.m.fast = direct_fast;
    BF_CHECK_EQ(e.m.now, 4 + 3 + 1 + 1);
    BF_CHECK_EQ(e.m.reads, 3);
    BF_CHECK_EQ(e.m.writes, 2);
    BF_CHECK(!e.m.failed);
    BF_CHECK_EQ(bf_amem_r32(&e.m, 0x1200), 0u); /* a fault: read as 0, the time still moves */
    BF_CHECK(e.m.failed);
    BF_CHECK_EQ(e.m.now, 9 + 3);
    e.m.failed = 0;
    BF_CHECK_EQ(bf_amem_r8(&e.m, 0x1204), 0u); /* an error: failed, no time */
    BF_CHECK(e.m.failed);
    BF_CHECK_EQ(e.m.now, 12);
    at_close(&e);
}

/* bf_amem's host view, asked only without a direct entry: a read wholly inside it is a copy of
** its bytes (no port, no time, no fault); a read reaching past either end, every write, and
** every access while a direct entry is set take the port as before. */
static void host_view(void)
{
    at_env e;
    at_env_flat(&e, 0x1000, 0x1000, 5, 0);
    bf_amem_w32(&e.m, 0x1100, 0x11223344u); /* the port's bytes: 1 cycle */
    uint8_t host[0x10] = {0xEF, 0xBE, 0xAD, 0xDE, 0x78, 0x56, 0x34, 0x12};
    e.m.view = (bf_amem_view){host, 0x1100, sizeof host};
    BF_CHECK_EQ(bf_amem_r32(&e.m, 0x1100), 0xDEADBEEFu); /* the view's bytes, in place */
    BF_CHECK_EQ(bf_amem_r16(&e.m, 0x1106), 0x1234u);
    BF_CHECK_EQ(bf_amem_r8(&e.m, 0x110F), 0u);
    BF_CHECK_EQ(e.m.now, 1);
    BF_CHECK_EQ(e.m.reads, 3);
    BF_CHECK_EQ(bf_amem_r32(&e.m, 0x110E), 0u);          /* past the end: the port, 1 cycle */
    BF_CHECK_EQ(bf_amem_r32(&e.m, 0x10FE), 0x33440000u); /* before the start: the port */
    BF_CHECK_EQ(e.m.now, 3);
    bf_amem_w32(&e.m, 0x1100, 0xCAFEF00Du); /* a write: the port's bytes, not the view's */
    BF_CHECK_EQ(host[0], 0xEF);
    BF_CHECK_EQ(e.m.now, 4);
    BF_CHECK_EQ(bf_amem_r32(&e.m, 0x1100), 0xDEADBEEFu);
    at_direct d;
    memset(&d, 0, sizeof d);
    e.m.fast = direct_fast; /* a direct entry is asked first; the view is not */
    e.m.fast_ctx = &d;
    BF_CHECK_EQ(bf_amem_r32(&e.m, 0x1100), 0u);
    BF_CHECK_EQ(d.served, 1);
    e.m.fast = NULL;
    e.m.view.len = 0; /* no view: the port */
    BF_CHECK_EQ(bf_amem_r32(&e.m, 0x1100), 0xCAFEF00Du);
    BF_CHECK_EQ(e.m.now, 4 + 3 + 1);
    BF_CHECK(!e.m.failed);
    at_close(&e);
}

int main(void)
{
    accessor();
    direct_entry();
    host_view();
    static const char *const names[] = {"slab", "slob", "tlsf"};
    for (size_t i = 0; i < BF_ARRAY_SIZE(names); i++) {
        at_cost fast[8], slow[8];
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
