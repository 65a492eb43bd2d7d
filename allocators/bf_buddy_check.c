/*
** bf_buddy_check.c: the buddy allocator's instruments (bf_buddy.c states the model and the
** metadata layout): the consistency check, the walk over free and used extents, the free-byte
** count and the free blocks per order from the host mirrors, and /proc/buddyinfo. The caller
** runs them between bf_amem_mark_get and bf_amem_rewind, so they add no latency to the measured
** operations.
**
** The check verifies the invariants stated in bf_buddy.c: every free-list entry is a BUDDY head
** of that order, aligned, inside its zone, with consistent back links and no free buddy of the
** same order; nr_free and free_pages match the lists; the page-cache list matches lru_count and
** its tail; free, allocated, page-cache and reserved pages partition memory; nommu regions keep
** allocated order-0 pages.
*/
#include "bf_buddy_int.h"
#include "bf_strbuf.h"

#include <stdio.h>
#include <string.h>

static const char *const zone_names[2] = {"DMA", "Normal"};

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(b->msg, sizeof(b->msg), __VA_ARGS__);                                             \
        return b->msg;                                                                             \
    } while (0)

const char *bf_buddy_check(bf_buddy *b)
{
    bf_amem *m = b->m;
    uint8_t *seen = b->scratch;
    memset(seen, 0, b->npages / 8 + 1);
    for (unsigned z = 0; z < b->nzones; z++) {
        uint64_t free_pages = 0;
        for (unsigned o = 0; o < b->max_order; o++) {
            uint32_t nr = bf_amem_r32(m, area(b, z, o) + 4), n = 0, prev = BFA_NIL;
            for (uint32_t p = bf_amem_r32(m, area(b, z, o)); p != BFA_NIL;
                 p = bf_amem_r32(m, buddy_desc(b, p) + 8)) {
                if (p >= b->npages)
                    FAIL("buddy: zone %s order %u list holds page %u beyond memory", zone_names[z],
                         o, p);
                if (++n > nr)
                    FAIL("buddy: zone %s order %u list is longer than nr_free %u (cycle?)",
                         zone_names[z], o, nr);
                uint32_t v = desc_get(b, p);
                if ((v & 0xFFFFu) != BF_PG_BUDDY || (v >> 16) != o)
                    FAIL("buddy: page %u on the order-%u list has flags 0x%x order %u", p, o,
                         v & 0xFFFFu, v >> 16);
                if (p & ((1u << o) - 1))
                    FAIL("buddy: free block at page %u is not aligned to order %u", p, o);
                if (p < b->zstart[z] || p + (1u << o) > b->zend[z])
                    FAIL("buddy: free block %u order %u is outside zone %s", p, o, zone_names[z]);
                if (bf_amem_r32(m, buddy_desc(b, p) + 12) != prev)
                    FAIL("buddy: page %u on the order-%u list has a wrong back link", p, o);
                for (uint32_t i = p; i < p + (1u << o); i++) {
                    if (seen[i >> 3] & (1u << (i & 7)))
                        FAIL("buddy: page %u is in two free blocks", i);
                    seen[i >> 3] |= (uint8_t)(1u << (i & 7));
                }
                if (o + 1 < b->max_order) {
                    uint32_t bd = p ^ (1u << o);
                    if (bd >= b->zstart[z] && bd + (1u << o) <= b->zend[z]) {
                        uint32_t bv = desc_get(b, bd);
                        if ((bv & BF_PG_BUDDY) && (bv >> 16) == o)
                            FAIL("buddy: free block %u and its buddy %u (order %u) are not merged",
                                 p, bd, o);
                    }
                }
                free_pages += 1u << o;
                prev = p;
            }
            if (n != nr)
                FAIL("buddy: zone %s order %u nr_free %u but the list holds %u", zone_names[z], o,
                     nr, n);
        }
        if (free_pages != bf_amem_r32(m, zf(b, z, 8)))
            FAIL("buddy: zone %s free_pages %u but the lists hold %llu", zone_names[z],
                 bf_amem_r32(m, zf(b, z, 8)), (unsigned long long)free_pages);
    }
    uint32_t lru = 0, prev = BFA_NIL, last = BFA_NIL;
    for (uint32_t p = bf_amem_r32(m, b->meta + 4); p != BFA_NIL;
         p = bf_amem_r32(m, buddy_desc(b, p) + 8)) {
        if (p >= b->npages || ++lru > b->npages)
            FAIL("buddy: the page-cache list is broken at page %u", p);
        if ((desc_get(b, p) & 0xFFFFu) != BF_PG_LRU)
            FAIL("buddy: page %u on the page-cache list is not a page-cache page", p);
        if (bf_amem_r32(m, buddy_desc(b, p) + 12) != prev)
            FAIL("buddy: page-cache page %u has a wrong back link", p);
        prev = last = p;
    }
    if (lru != bf_amem_r32(m, b->meta + 12) || last != bf_amem_r32(m, b->meta + 8))
        FAIL("buddy: page-cache count %u / tail %u disagree with the list (%u pages, tail %u)",
             bf_amem_r32(m, b->meta + 12), bf_amem_r32(m, b->meta + 8), lru, last);
    /* partition: reserved, free, allocated and page-cache pages cover memory exactly once */
    for (uint32_t p = 0; p < b->npages;) {
        uint32_t v = desc_get(b, p), fl = v & 0xFFFFu, o = v >> 16;
        if (fl == BF_PG_RESERVED || fl == BF_PG_LRU) {
            p++;
        } else if (fl == BF_PG_BUDDY) {
            if (!(seen[p >> 3] & (1u << (p & 7))))
                FAIL("buddy: page %u is flagged free but is on no free list", p);
            p += 1u << o;
        } else if (fl & BF_PG_HEAD) {
            if (p + (1u << o) > b->npages)
                FAIL("buddy: allocated block %u order %u runs past the end", p, o);
            for (uint32_t i = p; i < p + (1u << o); i++) {
                if (seen[i >> 3] & (1u << (i & 7)))
                    FAIL("buddy: allocated block %u order %u overlaps free page %u", p, o, i);
                if (i > p && desc_get(b, i) != 0)
                    FAIL("buddy: page %u inside allocated block %u has flags 0x%x", i, p,
                         desc_get(b, i));
            }
            if (fl & BF_PG_REGION) {
                uint32_t kept = bf_amem_r32(m, buddy_desc(b, p) + 4);
                if (kept == 0 || p + kept > b->npages)
                    FAIL("buddy: nommu region at page %u keeps %u pages", p, kept);
                for (uint32_t i = p + 1; i < p + kept; i++)
                    if (desc_get(b, i) != BF_PG_HEAD)
                        FAIL("buddy: page %u of the nommu region at %u is not allocated", i, p);
            }
            p += 1u << o;
        } else {
            FAIL("buddy: page %u is neither free, allocated, page cache nor reserved (0x%x)", p, v);
        }
    }
    return NULL;
}

void bf_buddy_walk(bf_buddy *b, void (*visit)(void *, bf_addr, uint64_t, int), void *arg)
{
    bfa_runs w = {&b->env, visit, arg, 0, 0};
    for (uint32_t p = 0; p < b->npages;) {
        uint32_t v = desc_get(b, p), n = 1;
        if (v & (BF_PG_BUDDY | BF_PG_HEAD))
            n = 1u << (v >> 16);
        bfa_runs_add(&w, p, n, !(v & BF_PG_BUDDY));
        p += n;
    }
    bfa_runs_flush(&w);
}

/* The walk reports each free block on its own: free bytes are the free pages, the largest extent
** the highest order with a free block in any zone. */
uint64_t bf_buddy_free_bytes(const bf_buddy *b, uint64_t *largest)
{
    *largest = 0;
    for (unsigned z = 0; z < b->nzones; z++)
        for (unsigned o = b->max_order; o-- > 0;)
            if (b->nr_free[z][o]) {
                if (((uint64_t)b->env.page_size << o) > *largest)
                    *largest = (uint64_t)b->env.page_size << o;
                break;
            }
    return b->free_pages * b->env.page_size;
}

/* The walk's free extents are the free blocks, each at its order: nr_free of every zone. */
void bf_buddy_free_orders(const bf_buddy *b, uint32_t *nr_free, unsigned norders)
{
    for (unsigned z = 0; z < b->nzones; z++)
        for (unsigned o = 0; o < b->max_order; o++)
            bf_alloc_count_free(nr_free, norders, 1ull << o, (int32_t)b->nr_free[z][o]);
}

size_t bf_buddy_info(bf_buddy *b, char *buf, size_t n)
{
    bf_strbuf t = bf_strbuf_on(buf, buf ? n : 0);
    for (unsigned z = 0; z < b->nzones; z++) {
        bf_strbuf_printf(&t, "Node 0, zone %8s ", zone_names[z]);
        for (unsigned o = 0; o < b->max_order; o++)
            bf_strbuf_printf(&t, "%6lu ", (unsigned long)bf_amem_r32(b->m, area(b, z, o) + 4));
        bf_strbuf_printf(&t, "\n");
    }
    return t.len;
}
