/*
** bf_tmap.c: first-touch window mapping of 64-bit host addresses onto the BF533 map.
**
** What it models: where the data of a program traced on a host (Valgrind Lackey, Dinero traces)
** would sit in a Blackfin memory, for traces whose absolute addresses mean nothing on a BF533.
**
** Assumptions:
**   - Only the address bits below the window size matter to the caches (set index, line offset)
**     and to SDRAM bank/column selection within a window; the window size is a power of two of at
**     least 64 KB, larger than any BF533 L1 way (4 KB), so those bits are kept.
**   - A program's host layout (text, heap, stack far apart) need not be preserved between
**     windows; windows are packed in the order the trace first touches them.
**
** Algorithm (mode first-touch):
**   1. host window hw = host >> shift; offset = host & (window - 1).
**   2. If hw has no target window yet, it gets index `used++` (error if used == cap, cap being
**      map_limit / window).
**   3. target = map_base + index * window + offset.
** Mode identity: target = host, an error if host does not fit in 32 bits.
** Invariant: the hw -> index relation is injective and offsets are preserved, so two distinct
** host lines never share a target line and target % window == host % window. The hash table has
** at least twice as many slots as cap, so it never fills and memory is fixed at init.
*/
#include "bf_hmem.h"
#include "bf_tmap.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (uint32_t)x;
}

int bf_tmap_init(bf_tmap *m, const bf_trace_options *o)
{
    memset(m, 0, sizeof *m);
    m->mode = o->map_mode;
    m->window = o->map_window;
    m->base = o->map_base;
    while ((1u << m->shift) < m->window)
        m->shift++;
    if (m->mode != BF_MAPMODE_FIRST_TOUCH)
        return BF_OK;
    m->cap = (uint32_t)(o->map_limit / o->map_window);
    uint32_t slots = 1;
    while (slots < 2u * m->cap)
        slots <<= 1;
    m->mask = slots - 1;
    m->keys = bf_calloc(slots, sizeof *m->keys);
    m->vals = bf_calloc(slots, sizeof *m->vals);
    m->order = bf_calloc(m->cap ? m->cap : 1, sizeof *m->order);
    if (!m->keys || !m->vals || !m->order) {
        bf_tmap_fini(m);
        return BF_ENOMEM;
    }
    return BF_OK;
}

void bf_tmap_fini(bf_tmap *m)
{
    free(m->keys);
    free(m->vals);
    free(m->order);
    m->keys = NULL;
    m->vals = NULL;
    m->order = NULL;
}

int bf_tmap_map(bf_tmap *m, uint64_t host, bf_addr *target)
{
    if (m->mode == BF_MAPMODE_IDENTITY) {
        if (host > 0xffffffffu)
            return BF_TMAP_RANGE;
        *target = (bf_addr)host;
        return BF_TMAP_OK;
    }
    uint64_t hw = host >> m->shift;
    uint32_t off = (uint32_t)(host & (m->window - 1));
    if (m->last_ok && hw == m->last_hw) {
        *target = m->base + (m->last_idx << m->shift) + off;
        return BF_TMAP_OK;
    }
    uint32_t i = hash64(hw) & m->mask;
    while (m->keys[i] != 0 && m->keys[i] != hw + 1)
        i = (i + 1) & m->mask;
    if (m->keys[i] == 0) {
        if (m->used == m->cap)
            return BF_TMAP_FULL;
        m->keys[i] = hw + 1;
        m->vals[i] = m->used;
        m->order[m->used++] = hw;
    }
    m->last_hw = hw;
    m->last_idx = m->vals[i];
    m->last_ok = 1;
    *target = m->base + (m->last_idx << m->shift) + off;
    return BF_TMAP_OK;
}

size_t bf_tmap_describe(const bf_tmap *m, char *buf, size_t n)
{
    size_t len = 0;
    char line[96];
    if (n)
        buf[0] = '\0';
    if (m->mode == BF_MAPMODE_IDENTITY) {
        len = (size_t)snprintf(line, sizeof line, "identity\n");
        if (n)
            snprintf(buf, n, "%s", line);
        return len;
    }
    for (uint32_t i = 0; i < m->used; i++) {
        /* hw < 2^(64-shift); hw << shift cannot overflow. */
        int k =
            snprintf(line, sizeof line, "host 0x%" PRIx64 " -> 0x%08" PRIx32 " len 0x%" PRIx32 "\n",
                     m->order[i] << m->shift, (uint32_t)(m->base + (i << m->shift)), m->window);
        if (len + (size_t)k < n)
            memcpy(buf + len, line, (size_t)k + 1);
        else if (len < n)
            buf[len] = '\0';
        len += (size_t)k;
    }
    return len;
}
