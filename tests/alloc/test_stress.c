/*
** test_stress.c: the seeded randomized stress of alloc_test.h (its oracles are listed there) on
** the page allocators: buddy, nommu with and without trimming, bootmem across the hand-over,
** page_alloc2 and NP2, with xCheck and the free-memory counters compared with a walk after every
** operation, an exhaustion and recovery of single pages every 1500 operations, and everything
** freed at the end giving back the free memory seen after create (not for bootmem, which keeps
** the partial pages of boot-time blocks reserved). Slab, SLOB and TLSF run the same driver in
** their own tests.
**
** Layout: 2 MiB at address 0, MAX_ORDER 11, kernel-formula watermarks, the "kernel image" at
** 0x1000-0x4fff and a 64 KiB "uncached DMA" region at the top reserved (page 0 too, since
** memory starts at address 0); 6000 operations per run.
*/
#include "alloc_test.h"

static void stress(const char *name, uint32_t trim, uint64_t seed)
{
    at_env e;
    at_env_layout(&e, 0x200000, 1);
    e.res[0].start = 0x1000;
    e.res[0].len = 0x4000;
    e.res[1].start = 0x200000 - 0x10000;
    e.res[1].len = 0x10000;
    e.env.nr_trim_pages = trim;
    BF_CHECK_EQ(at_env_create(&e, name), BF_OK);
    if (e.st) {
        at_stress_opts o = {.seed = seed,
                            .nops = 6000,
                            .boot_end_at = strcmp(name, "bootmem") == 0 ? 300 : 0,
                            .restores_free = 1,
                            .recover_every = 1500};
        fprintf(stderr, "trim %u: ", trim);
        at_stress_run(&e, &o);
    }
    at_close(&e);
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
