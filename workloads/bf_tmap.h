/*
** bf_tmap.h: host-to-BF533 address mapping for foreign traces (internal to bf_workloads; exposed
** to the tests). See bf_tmap.c for the rule.
*/
#ifndef BF_TMAP_H
#define BF_TMAP_H

#include "bf_htab.h"
#include "bf_strbuf.h"
#include "bf_trace.h"

enum { BF_TMAP_CACHE = 8 }; /* a power of two */

typedef struct bf_tmap {
    int mode;        /* bf_map_mode */
    uint32_t window; /* bytes, power of two */
    unsigned shift;  /* log2(window) */
    bf_addr base;    /* first target byte */
    uint32_t cap;    /* target windows available */
    uint32_t used;   /* target windows handed out */
    bf_htab win;     /* host window number -> target window index (room for cap, never grows) */
    uint64_t *order; /* host window number of each target index, first-touch order */
    /* a direct-mapped cache of host windows looked up (slot hw % BF_TMAP_CACHE): a program's
    ** code, stack and heap windows take turns record by record */
    uint64_t cache_hw[BF_TMAP_CACHE];
    uint32_t cache_idx[BF_TMAP_CACHE];
    uint8_t cache_ok[BF_TMAP_CACHE];
} bf_tmap;

enum { BF_TMAP_OK = 0, BF_TMAP_FULL = 1, BF_TMAP_RANGE = 2 };

/* o must have passed bf_trace_options_check. Returns BF_OK or BF_ENOMEM. */
int bf_tmap_init(bf_tmap *m, const bf_trace_options *o);
void bf_tmap_fini(bf_tmap *m);
/* Map one host byte address. BF_TMAP_FULL: no target window left (first-touch);
** BF_TMAP_RANGE: identity mode and the address is above 32 bits. */
int bf_tmap_map(bf_tmap *m, uint64_t host, bf_addr *target);
/* "host 0x... -> 0x... len 0x..." lines, one per window (first-touch), or "identity\n": into
** buf[0..n), NUL-terminated and cut at a whole window line when it does not fit; returns the
** length of the whole text (snprintf's rule). bf_tmap_describe_to appends the same to b. */
size_t bf_tmap_describe(const bf_tmap *m, char *buf, size_t n);
void bf_tmap_describe_to(const bf_tmap *m, bf_strbuf *b);

#endif
