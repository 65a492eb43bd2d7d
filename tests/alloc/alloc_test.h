/*
** alloc_test.h: a flat simulated memory and an allocator environment for the part-A tests.
*/
#ifndef ALLOC_TEST_H
#define ALLOC_TEST_H

#include "bf_alloc.h"
#include "bf_test.h"

#include <stdlib.h>

typedef struct at_env {
    bf_flatmem *fm;
    bf_amem mem;
    bf_alloc_env env;
} at_env;

/* Flat memory [base, base+size) with 1 cycle per access; env defaults with max_order and
** min_free_kbytes given (0 = kernel formula). */
static inline void at_setup(at_env *t, bf_addr base, uint32_t size, unsigned max_order,
                            uint32_t min_free_kbytes)
{
    memset(t, 0, sizeof(*t));
    if (bf_flatmem_create(base, size, 1, &t->fm) != BF_OK) {
        fprintf(stderr, "flatmem\n");
        exit(2);
    }
    t->mem.port = bf_flatmem_port(t->fm);
    bf_alloc_env_default(&t->env);
    t->env.mem = &t->mem;
    t->env.base = base;
    t->env.size = size;
    t->env.max_order = max_order;
    t->env.min_free_kbytes = min_free_kbytes;
}

static inline void at_teardown(at_env *t)
{
    bf_flatmem_destroy(t->fm);
}

#endif
