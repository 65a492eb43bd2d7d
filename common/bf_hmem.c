/*
** bf_hmem.c: the host allocator wrappers of bf_hmem.h.
**
** Rules:
**   1. Every wrapper first asks fault_now(space), which counts the call in its space (bfsim's own
**      or a library's); a call that it picks returns NULL without touching the C allocator,
**      exactly as a failed malloc would.
**   2. Only the call numbered BF_FAIL_ALLOC (BF_FAIL_LIB_ALLOC for a library) fails: one
**      transient failure; the code that handles it may allocate again (to build its message, to
**      roll back), as it could after a real one.
**   3. The count is of calls, not bytes, so a test can walk N = 1, 2, ... over a run and reach
**      every allocation site that run passes through, in order.
** Invariant: without BF_TEST_HOOKS the wrappers are the C allocator and nothing else.
** Single-threaded, like the rest of bfsim.
*/
#include "bf_hmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OWN, LIB, SPACES };

#ifdef BF_TEST_HOOKS
static unsigned long long bf_hmem_calls[SPACES];   /* host allocations so far, per space */
static unsigned long long bf_hmem_fail_at[SPACES]; /* the call that fails; 0: none */

static int fault_now(int space)
{
    return ++bf_hmem_calls[space] == bf_hmem_fail_at[space];
}

static void report_count(void)
{
    fprintf(stderr, "bf_hmem: %llu host allocations, %llu by libraries\n", bf_hmem_calls[OWN],
            bf_hmem_calls[LIB]);
}

void bf_hmem_init(void)
{
    static const char *const var[SPACES] = {"BF_FAIL_ALLOC", "BF_FAIL_LIB_ALLOC"};
    for (int i = 0; i < SPACES; i++) {
        const char *v = getenv(var[i]);
        if (v && *v)
            bf_hmem_fail_at[i] = strtoull(v, NULL, 10);
    }
    const char *count = getenv("BF_ALLOC_COUNT");
    if (count && *count && strcmp(count, "0") != 0)
        atexit(report_count);
}
#else
static int fault_now(int space)
{
    (void)space;
    return 0;
}

void bf_hmem_init(void)
{
}
#endif

void *bf_malloc(size_t n)
{
    return fault_now(OWN) ? NULL : malloc(n);
}

void *bf_calloc(size_t count, size_t size)
{
    return fault_now(OWN) ? NULL : calloc(count, size);
}

void *bf_realloc(void *p, size_t n)
{
    return fault_now(OWN) ? NULL : realloc(p, n);
}

void *bf_lib_malloc(size_t n)
{
    return fault_now(LIB) ? NULL : malloc(n);
}

void *bf_lib_realloc(void *p, size_t n)
{
    return fault_now(LIB) ? NULL : realloc(p, n);
}

char *bf_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = bf_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}
