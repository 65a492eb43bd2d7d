/*
** bf_slab_check.c: the SLAB allocator's instruments (bf_slab.c states the model): the
** /proc/buddyinfo + /proc/slabinfo text, the consistency check, the heap walk and the free-byte
** count. None of them is workload: they run between bf_amem_mark_get and bf_amem_rewind, so they
** add no latency to the measured operations.
**
** The check verifies the invariants stated in bf_slab.c: for every cache, the descriptor's
** geometry; each slab's list against its inuse count, its page alignment, colour offset, on-slab
** descriptor place and object span; the page map of each of its pages; its bufctl list (indices
** in range, none twice, num - inuse long); the cache's free-object and active counts against the
** sums over its slabs; and that only the pages of listed slabs map to a cache.
*/
#include "bf_slab_int.h"

#include "bf_hmem.h"
#include "bf_strbuf.h"

#include <stdio.h>
#include <string.h>

/* The buddy's /proc/buddyinfo, then /proc/slabinfo (version 2.1 columns without the tunables,
** which do not exist here): name, active objects, objects, object size, objects per slab, pages
** per slab, active slabs (full + partial), slabs. */
size_t bfa_slab_info(void *st, char *buf, size_t n)
{
    slab_state *s = st;
    bf_amem_mark q = bf_amem_mark_get(s->pg.m);
    if (!buf)
        n = 0;
    bf_strbuf t = bf_strbuf_after(buf, n, bfa_pages_xinfo(st, buf, n));
    bf_strbuf_printf(&t, "slabinfo - version: 2.1\n# name <active_objs> <num_objs> <objsize> "
                         "<objperslab> <pagesperslab> : slabdata <active_slabs> <num_slabs>\n");
    for (size_t i = 0; i < s->ncaches; i++) {
        bf_addr c = s->all[i];
        char name[SLAB_NAME_MAX + 8];
        if (i == 0) {
            snprintf(name, sizeof name, "kmem_cache");
        } else if (i <= 2 * s->nclasses) {
            uint32_t cs = bf_amem_r32(s->pg.m, s->meta + CS_BYTES * ((i - 1) / 2) + CS_SIZE);
            snprintf(name, sizeof name, "size-%u%s", (unsigned)cs, (i - 1) % 2 ? "(DMA)" : "");
        } else {
            snprintf(name, sizeof name, "%s", s->named[i - 1 - 2 * s->nclasses].name);
        }
        uint32_t num = bf_amem_r32(s->pg.m, c + KC_NUM);
        uint32_t active = bf_amem_r32(s->pg.m, c + KC_ACTIVE);
        uint32_t total = active + bf_amem_r32(s->pg.m, c + KC_FREE_OBJECTS);
        uint32_t free_slabs = 0;
        for (bf_addr x = bf_amem_r32(s->pg.m, c + KC_FREE);
             x != c + KC_FREE && free_slabs < s->pg.npages; x = bf_amem_r32(s->pg.m, x + SL_NEXT))
            free_slabs++;
        bf_strbuf_printf(&t, "%-17s %6u %6u %6u %4u %4u : slabdata %6u %6u\n", name,
                         (unsigned)active, (unsigned)total,
                         (unsigned)bf_amem_r32(s->pg.m, c + KC_SIZE), (unsigned)num,
                         1u << bf_amem_r32(s->pg.m, c + KC_ORDER),
                         (unsigned)(total / num - free_slabs), (unsigned)(total / num));
    }
    bf_amem_rewind(s->pg.m, q);
    return t.len;
}

/* ---- check and walk -------------------------------------------------------------------------- */

static const char *slab_fail(slab_state *s, const char *what, bf_addr c, bf_addr a)
{
    snprintf(s->msg, sizeof s->msg, "slab: cache 0x%08x: %s (0x%08x)", (unsigned)c, what,
             (unsigned)a);
    return s->msg;
}

static int slab_scratch(slab_state *s, size_t n)
{
    if (n <= s->scratch_n)
        return 1;
    uint8_t *p = bf_realloc(s->scratch, n);
    if (!p)
        return 0;
    s->scratch = p;
    s->scratch_n = n;
    return 1;
}

/* Marks the free objects of a slab in s->scratch[0..num); 0 if the bufctl list is unsound. */
static const char *slab_mark_free(slab_state *s, bf_addr c, bf_addr slab, uint32_t num,
                                  uint32_t *nfree)
{
    if (!slab_scratch(s, num ? num : 1))
        return "slab: host memory exhausted while checking";
    memset(s->scratch, 0, num);
    uint32_t count = 0;
    for (uint32_t i = bf_amem_r32(s->pg.m, slab + SL_FREE); i != BUFCTL_END;
         i = bf_amem_r32(s->pg.m, slab + SL_BUFCTL + 4 * i)) {
        if (i >= num)
            return slab_fail(s, "bufctl index out of range", c, slab);
        if (s->scratch[i])
            return slab_fail(s, "object twice on a slab's free list", c, slab);
        s->scratch[i] = 1;
        count++;
    }
    *nfree = count;
    return NULL;
}

static const char *slab_check_cache(slab_state *s, bf_addr c, uint64_t *slab_pages)
{
    uint32_t num = bf_amem_r32(s->pg.m, c + KC_NUM), size = bf_amem_r32(s->pg.m, c + KC_SIZE);
    uint32_t flags = bf_amem_r32(s->pg.m, c + KC_FLAGS), order = bf_amem_r32(s->pg.m, c + KC_ORDER);
    uint32_t colour = bf_amem_r32(s->pg.m, c + KC_COLOUR);
    uint32_t coff = bf_amem_r32(s->pg.m, c + KC_COLOUR_OFF);
    uint32_t slab_size = bf_amem_r32(s->pg.m, c + KC_SLAB_SIZE);
    if (!num || !size || order >= s->max_order || !coff)
        return slab_fail(s, "descriptor geometry invalid", c, c);
    if (bf_amem_r32(s->pg.m, c + KC_COLOUR_NEXT) >= (colour ? colour : 1))
        return slab_fail(s, "colour_next out of range", c, c);
    uint64_t bytes = (uint64_t)s->pg.page_size << order;
    uint64_t sum_free = 0, sum_inuse = 0;
    static const uint32_t lists[3] = {KC_FULL, KC_PARTIAL, KC_FREE};
    for (int l = 0; l < 3; l++) {
        bf_addr head = c + lists[l], prev = head;
        uint64_t guard = 0;
        for (bf_addr slab = bf_amem_r32(s->pg.m, head); slab != head;
             slab = bf_amem_r32(s->pg.m, slab + SL_NEXT)) {
            if (++guard > s->pg.npages)
                return slab_fail(s, "slab list does not end (cycle)", c, slab);
            if (bf_amem_r32(s->pg.m, slab + SL_PREV) != prev)
                return slab_fail(s, "slab list back link broken", c, slab);
            prev = slab;
            uint32_t inuse = bf_amem_r32(s->pg.m, slab + SL_INUSE);
            if ((l == 0 && inuse != num) || (l == 1 && (inuse == 0 || inuse >= num)) ||
                (l == 2 && inuse != 0))
                return slab_fail(s, "slab's inuse disagrees with its list", c, slab);
            uint32_t colouroff = bf_amem_r32(s->pg.m, slab + SL_COLOUROFF);
            bf_addr smem = bf_amem_r32(s->pg.m, slab + SL_SMEM);
            bf_addr page = smem - colouroff;
            if (!slab_in_range(s, page) || (page - s->pg.base) % s->pg.page_size)
                return slab_fail(s, "slab start not page aligned or outside memory", c, slab);
            uint32_t colour_bytes = (flags & CF_OFF_SLAB) ? colouroff : colouroff - slab_size;
            if (colour_bytes % coff || colour_bytes / coff >= (colour ? colour : 1))
                return slab_fail(s, "colour offset out of range", c, slab);
            if (!(flags & CF_OFF_SLAB) && slab != page + colour_bytes)
                return slab_fail(s, "on-slab descriptor not after the colour offset", c, slab);
            if ((uint64_t)colouroff + (uint64_t)num * size > bytes)
                return slab_fail(s, "objects run past the slab", c, slab);
            for (uint32_t i = 0; i < (1u << order); i++) {
                bf_addr e = slab_map(s, page + i * s->pg.page_size);
                if (bf_amem_r32(s->pg.m, e) != c || bf_amem_r32(s->pg.m, e + 4) != slab)
                    return slab_fail(s, "page map entry does not name this cache and slab", c,
                                     page + i * s->pg.page_size);
            }
            uint32_t nfree;
            const char *r = slab_mark_free(s, c, slab, num, &nfree);
            if (r)
                return r;
            if (nfree != num - inuse)
                return slab_fail(s, "free list length differs from num - inuse", c, slab);
            sum_free += nfree;
            sum_inuse += inuse;
            *slab_pages += 1u << order;
        }
    }
    if (sum_free != bf_amem_r32(s->pg.m, c + KC_FREE_OBJECTS))
        return slab_fail(s, "free_objects differs from the slabs' free objects", c, c);
    if (sum_inuse != bf_amem_r32(s->pg.m, c + KC_ACTIVE))
        return slab_fail(s, "objects in use differ from objects handed out", c, c);
    return NULL;
}

static const char *slab_check_impl(slab_state *s)
{
    uint64_t slab_pages = 0, mapped = 0;
    for (size_t i = 0; i < s->ncaches; i++) {
        const char *r = slab_check_cache(s, s->all[i], &slab_pages);
        if (r)
            return r;
    }
    for (uint32_t p = 0; p < s->pg.npages; p++) {
        bf_addr c = bf_amem_r32(s->pg.m, s->meta + META_MAP + 8 * p);
        if (!c)
            continue;
        size_t i = 0;
        while (i < s->ncaches && s->all[i] != c)
            i++;
        if (i == s->ncaches)
            return slab_fail(s, "page maps to an unknown cache", c,
                             s->pg.base + p * s->pg.page_size);
        mapped++;
    }
    if (mapped != slab_pages)
        return slab_fail(s, "pages mapped to caches differ from the pages of listed slabs", 0, 0);
    return NULL;
}

static const char *slab_check_own(void *st)
{
    return slab_check_impl(st);
}

const char *bfa_slab_check(void *st)
{
    return bfa_pages_check(st, slab_check_own);
}

/* Emits one slab [page, end): colour + on-slab descriptor and the tail as used, objects by
** state (runs of equal state merged). */
static void slab_walk_slab(slab_state *s, bf_addr c, bf_addr slab, bf_addr page, bf_addr end,
                           bfa_visit_fn visit, void *arg)
{
    uint32_t num = bf_amem_r32(s->pg.m, c + KC_NUM), size = bf_amem_r32(s->pg.m, c + KC_SIZE);
    bf_addr smem = bf_amem_r32(s->pg.m, slab + SL_SMEM);
    uint32_t nfree;
    if (slab_mark_free(s, c, slab, num, &nfree)) {
        visit(arg, page, end - page, 1);
        return;
    }
    if (smem > page)
        visit(arg, page, smem - page, 1);
    uint32_t i = 0;
    while (i < num) {
        uint32_t j = i;
        while (j < num && s->scratch[j] == s->scratch[i])
            j++;
        visit(arg, smem + i * size, (uint64_t)(j - i) * size, !s->scratch[i]);
        i = j;
    }
    if (smem + num * size < end)
        visit(arg, smem + num * size, end - (smem + num * size), 1);
}

/* A slab is recognised at its first page through the page map. */
static bf_addr slab_walk_span(void *st, bf_addr p)
{
    slab_state *s = st;
    bf_addr e = slab_map(s, p), c = bf_amem_r32(s->pg.m, e);
    if (!c)
        return 0;
    bf_addr slab = bf_amem_r32(s->pg.m, e + 4);
    bf_addr page = bf_amem_r32(s->pg.m, slab + SL_SMEM) - bf_amem_r32(s->pg.m, slab + SL_COLOUROFF);
    return page == p ? page + (s->pg.page_size << bf_amem_r32(s->pg.m, c + KC_ORDER)) : 0;
}

static void slab_walk_emit(void *st, bf_addr p, bf_addr end, bfa_visit_fn visit, void *arg)
{
    slab_state *s = st;
    bf_addr e = slab_map(s, p);
    slab_walk_slab(s, bf_amem_r32(s->pg.m, e), bf_amem_r32(s->pg.m, e + 4), p, end, visit, arg);
}

void bfa_slab_walk(void *st, bfa_visit_fn visit, void *arg)
{
    bfa_pages_walk(st, slab_walk_span, slab_walk_emit, visit, arg);
}

/* The buddy's free pages plus every free object. The walk merges runs of free objects within a
** slab, which are shorter than the slab: when the buddy holds a free block at least as large as
** the largest slab, that block is the largest free extent; otherwise it needs a walk. */
uint64_t bfa_slab_free_bytes(void *st, uint64_t *largest)
{
    slab_state *s = st;
    uint64_t pages_free = bfa_pages_free_bytes(&s->pg, largest);
    if (*largest < ((uint64_t)s->pg.page_size << s->max_slab_order))
        *largest = BF_ALLOC_LARGEST_UNKNOWN;
    return pages_free + s->free_obj_bytes;
}
