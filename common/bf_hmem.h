/*
** bf_hmem.h: the one host allocator of bfsim (every malloc/calloc/realloc/strdup of the
** simulator and its libraries goes through these; free() stays free()).
**
** In test builds (BF_TEST_HOOKS, on unless CMAKE_BUILD_TYPE is Release) it can fail on demand,
** as Lua's ltests.c and SQLite's SQLITE_CONFIG_MALLOC test hooks do, so that tests can prove
** every host allocation failure is handled (exit 2, "out of host memory (what)"):
**   BF_FAIL_ALLOC=N      bfsim's Nth host allocation (1-based, counted from the start of main)
**                        fails; the ones after it succeed again (a transient failure)
**   BF_FAIL_LIB_ALLOC=N  the same for the Nth allocation of a library whose memory comes from
**                        here (SQLite, through bf_results_use_host_allocator), counted apart
**   BF_ALLOC_COUNT=1     print "bf_hmem: N host allocations, M by libraries" on stderr at exit
** Release builds compile the hooks out and read no environment variable.
*/
#ifndef BF_HMEM_H
#define BF_HMEM_H

#include <stddef.h>

void *bf_malloc(size_t n);
void *bf_calloc(size_t count, size_t size);
void *bf_realloc(void *p, size_t n);
char *bf_strdup(const char *s);

/* The same for a library's memory (counted and failed apart from bfsim's own). */
void *bf_lib_malloc(size_t n);
void *bf_lib_realloc(void *p, size_t n);

/* Reads the test hooks' environment (test builds only); call once at the start of main. */
void bf_hmem_init(void);

#endif
