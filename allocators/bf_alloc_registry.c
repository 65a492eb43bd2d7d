/*
** bf_alloc_registry.c: the table of every allocator, lookup by name, and the environment's
** defaults and check. No state.
**
** Defaults (docs/allocators.md has the sources): Blackfin MAX_ORDER 14; min_free_kbytes 0 means
** "computed as the kernel does, int_sqrt(lowmem_kbytes * 16) clamped to [128, 65536]"; all RAM in
** ZONE_DMA; nommu trimming off (Blackfin configs set CONFIG_NOMMU_INITIAL_TRIM_EXCESS=0); TLSF
** 32 second-level lists; reclaim 32 pages per pass (SWAP_CLUSTER_MAX); lowmem_reserve_ratio 256;
** NP2 merges lazily when nothing fits; bootmem aligns to SMP_CACHE_BYTES = L1 line = 32 bytes.
*/
#include "bf_alloc_int.h"
#include "bf_bf533.h"

#include <string.h>

extern const bf_alloc_methods bf_alloc_slab; /* bf_slab.c */
extern const bf_alloc_methods bf_alloc_slob; /* bf_slob.c */
extern const bf_alloc_methods bf_alloc_tlsf; /* bf_tlsf.c */

static const bf_alloc_methods *const registry[] = {
    &bf_alloc_bootmem, &bf_alloc_buddy, &bf_alloc_slab,  &bf_alloc_slob,
    &bf_alloc_pa2,     &bf_alloc_np2,   &bf_alloc_nommu, &bf_alloc_tlsf};
static const size_t registry_n = BF_ARRAY_SIZE(registry);

const bf_alloc_methods *bf_alloc_find(const char *name)
{
    for (size_t i = 0; name && i < registry_n; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const bf_alloc_methods *const *bf_alloc_all(size_t *n)
{
    *n = registry_n;
    return registry;
}

void bf_alloc_env_default(bf_alloc_env *e)
{
    memset(e, 0, sizeof(*e));
    e->page_size = 4096;
    e->max_order = 14;
    e->min_free_kbytes = 0;
    e->dma_zone_bytes = 0;
    e->nr_trim_pages = 0;
    e->tlsf_sl_log2 = 5;
    e->reclaim_batch = 32;
    e->lowmem_reserve_ratio = 256;
    e->np2_merge_on_fail = 1;
    e->bootmem_align = BF_LINE_BYTES; /* SMP_CACHE_BYTES */
}

const char *bf_alloc_env_check(const bf_alloc_env *e)
{
    if (!e->mem)
        return "alloc: mem (the metadata accessor) is NULL";
    if (e->page_size < 64 || (e->page_size & (e->page_size - 1)))
        return "alloc.page_size must be a power of two >= 64";
    if (e->base % e->page_size)
        return "alloc.base must be page aligned";
    if (e->size < 8 * e->page_size || e->size % e->page_size)
        return "alloc.size (--mem) must be a multiple of the page size and at least 8 pages";
    if ((uint64_t)e->base + e->size > 0x100000000ull)
        return "alloc.size: base + size exceeds the 32-bit address space";
    if (e->max_order < 1 || e->max_order > BF_ALLOC_ORDERS_MAX)
        return "alloc.max_order must be in 1..16";
    if (e->dma_zone_bytes % e->page_size)
        return "alloc.dma_zone_bytes must be a multiple of the page size";
    if (e->tlsf_sl_log2 < 1 || e->tlsf_sl_log2 > 5)
        return "alloc.tlsf_sl_log2 must be in 1..5";
    if (e->reclaim_batch == 0)
        return "alloc.reclaim_batch must be at least 1";
    if (e->lowmem_reserve_ratio == 0)
        return "alloc.lowmem_reserve_ratio must be at least 1";
    if (e->bootmem_align == 0 || (e->bootmem_align & (e->bootmem_align - 1)) ||
        e->bootmem_align > e->page_size)
        return "alloc.bootmem_align must be a power of two no larger than a page";
    if (e->nreserved && !e->reserved)
        return "alloc: nreserved > 0 but reserved is NULL";
    return NULL;
}
