/*
** bf_cplb_linux.c: the configuration of a CPLB stage and the emulation of the Linux "nompu"
** CPLB manager (final arch/blackfin/kernel/cplb-nompu, reference section 3;
** docs/models/cplb.md): the defaults and the once-only check of bf_cplb_config, the kernel
** command line (mem=, max_mem=) and the memory layout derived from it, the boot tables, the
** bounds tables and the miss handler's reload.
**
** Algorithm (Linux policy)
**   Boot tables hold the fixed entries (null guard, the kernel's 4 MB pages, L1), the rest start
**   invalid. On a miss the handler walks the bounds table to the first bound whose end is above
**   the address; a bound with data 0 is a hole (real fault). Else it loads the 4 MB page if the
**   whole 4 MB-aligned page lies in the bound, else the 1 MB page, into entry first_switched +
**   rr (round robin over the switched entries); bf_cplb.c charges miss_handler_cycles and
**   retries the access.
**
** Invariants: a config that bf_cplb_config_check accepts yields a layout with kernel_end <=
** memory_end <= ramend <= physical_mem_end <= sdram_bytes, at most NENT - 1 fixed entries per
** side, at most MAX_BOUNDS bounds with non-decreasing ends; the victim entry is always a switched
** one (first_switched <= victim < NENT).
*/
#include "bf_cplb_int.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ configuration */

void bf_cplb_config_default(bf_cplb_config *c)
{
    memset(c, 0, sizeof *c);
    c->part = BF_PART_BF533;
    c->sdram_bytes = 64 * MB;
    c->dcplb_enable = 1;
    c->icplb_enable = 1;
    c->policy = BF_CPLB_POLICY_LINUX;
    c->kernel_end = 3 * MB;
    c->dma_uncached_bytes = 1 * MB;
    c->null_guard = 1;
    c->dcache_mode = BF_CPLB_DCACHE_WB;
    c->icache = 1;
    c->miss_handler_cycles = 100;
    c->l1_requires_cplb = 1;
    c->anomaly_05000263 = 1;
    c->anomaly_05000158 = 1;
    c->l1_dmc = 3; /* Linux BF533 DMEM_CNTR = ACACHE_BCACHE */
}

int bf_cplb_memparse(const char *s, uint32_t *out, const char **end)
{
    const char *p = s;
    uint64_t v = 0;
    int base = 10, digits = 0;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0') {
        base = 8;
    }
    for (;; p++) {
        int d;
        if (*p >= '0' && *p <= '9')
            d = *p - '0';
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = *p - 'a' + 10;
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = *p - 'A' + 10;
        else
            break;
        if (d >= base)
            break;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > 0xFFFFFFFFull)
            return BF_EINPUT;
        digits++;
    }
    if (!digits)
        return BF_EINPUT;
    switch (*p) {
    case 'G':
    case 'g':
        v <<= 10; /* fall through */
    case 'M':
    case 'm':
        v <<= 10; /* fall through */
    case 'K':
    case 'k':
        v <<= 10;
        p++;
        break;
    default:
        break;
    }
    if (v > 0xFFFFFFFFull)
        return BF_EINPUT;
    *out = (uint32_t)v;
    if (end)
        *end = p;
    return BF_OK;
}

static uint32_t common_data(const bf_cplb_config *c)
{
    return BF_CPLB_DIRTY | BF_CPLB_SUPV_WR | BF_CPLB_USER_WR | BF_CPLB_USER_RD | BF_CPLB_VALID |
           (c->anomaly_05000158 ? BF_CPLB_PORTPRIO : 0u);
}

static uint32_t dgeneric(const bf_cplb_config *c)
{
    switch (c->dcache_mode) {
    case BF_CPLB_DCACHE_WB:
        return BF_CPLB_L1_CHBL | common_data(c);
    case BF_CPLB_DCACHE_WT:
        return BF_CPLB_L1_CHBL | BF_CPLB_WT | BF_CPLB_L1_AOW | common_data(c);
    default:
        return common_data(c);
    }
}

static uint32_t igeneric(const bf_cplb_config *c)
{
    return (c->icache ? BF_CPLB_L1_CHBL : 0u) | BF_CPLB_USER_RD | BF_CPLB_VALID | BF_CPLB_PORTPRIO;
}

static uint32_t inon_chbl(void)
{
    return BF_CPLB_USER_RD | BF_CPLB_VALID;
}

static uint32_t oops_data(const bf_cplb_config *c)
{
    return BF_CPLB_VALID | BF_CPLB_LOCK | BF_CPLB_DIRTY |
           (c->anomaly_05000158 ? BF_CPLB_PORTPRIO : 0u);
}

/* cplbinit.c writes the L1 data DCPLB only `if (L1_DATA_A_LENGTH || L1_DATA_B_LENGTH)`:
** mem_map.h gives those lengths as the L1 data SRAM left outside the cache halves. BF533 always
** keeps its SRAM-only lower halves; on BF532/BF531 (SRAM/cache halves only) bank A is cache
** when DMC = 10 or 11 and bank B when DMC = 11, and the BF531 has no bank B. */
static int linux_l1_data_entry(const bf_cplb_config *c)
{
    bf_map_range r;
    if (bf_map_range_of(c->part, BF_RGN_L1_DATA_A, 0, &r) ||
        bf_map_range_of(c->part, BF_RGN_L1_DATA_B, 0, &r))
        return 1;
    int a_sram = bf_map_range_of(c->part, BF_RGN_L1_DATA_A_CACHE, 0, &r) && c->l1_dmc < 2;
    int b_sram = bf_map_range_of(c->part, BF_RGN_L1_DATA_B_CACHE, 0, &r) && c->l1_dmc != 3;
    return a_sram || b_sram;
}

/* Fixed (boot-table) entries per side under the Linux policy: guard, kernel pages, L1. */
static int linux_fixed_count(const bf_cplb_config *c, int instr)
{
    return (c->null_guard ? 1 : 0) + (int)kernel_pages(c) + (instr || linux_l1_data_entry(c));
}

static int is_size_token(const char *tok, const char *name)
{
    return strncmp(tok, name, strlen(name)) == 0;
}

/* Parse linux.cmdline and derive the layout. Returns NULL or a message written into msg. */
const char *bf_cplb_layout_compute(const bf_cplb_config *c, bf_cplb_layout *L, char *msg, size_t n)
{
    memset(L, 0, sizeof *L);
    uint32_t mem = 0, max_mem = 0;
    const char *p = c->cmdline;
    if (!memchr(c->cmdline, '\0', sizeof c->cmdline))
        return "linux.cmdline is not NUL-terminated within 255 characters";
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *tok = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        int toklen = (int)(p - tok);
        const char *e;
        if (is_size_token(tok, "mem=")) {
            if (bf_cplb_memparse(tok + 4, &mem, &e) != BF_OK || (e != p)) {
                snprintf(msg, n, "linux.cmdline: '%.*s' is not a size (use e.g. mem=50M)", toklen,
                         tok);
                return msg;
            }
            if (mem == 0) {
                snprintf(msg, n, "linux.cmdline: '%.*s': mem= must be above 0", toklen, tok);
                return msg;
            }
            L->mem_given = 1;
        } else if (is_size_token(tok, "max_mem=")) {
            if (bf_cplb_memparse(tok + 8, &max_mem, &e) != BF_OK) {
                snprintf(msg, n, "linux.cmdline: '%.*s' is not a size (use e.g. max_mem=64M$#)",
                         toklen, tok);
                return msg;
            }
            L->reserved_dcache = L->reserved_icache = 0;
            for (; e < p; e++) {
                if (*e == '$') {
                    L->reserved_dcache = 1;
                } else if (*e == '#') {
                    L->reserved_icache = 1;
                } else {
                    snprintf(msg, n,
                             "linux.cmdline: '%.*s': only '$' and '#' may follow the max_mem= "
                             "size",
                             toklen, tok);
                    return msg;
                }
            }
            if (max_mem == 0) {
                snprintf(msg, n, "linux.cmdline: '%.*s': max_mem= must be above 0", toklen, tok);
                return msg;
            }
            L->max_mem_given = 1;
        }
        /* Every other parameter belongs to other parts of the kernel: ignored. */
    }
    if (L->mem_given && mem % MB) {
        snprintf(msg, n,
                 "linux.cmdline: mem=0x%08x is not a multiple of 1 MB (the manager maps "
                 "1 MB pages)",
                 mem);
        return msg;
    }
    if (L->max_mem_given && max_mem % MB) {
        snprintf(msg, n, "linux.cmdline: max_mem=0x%08x is not a multiple of 1 MB", max_mem);
        return msg;
    }
    if (L->mem_given && mem > c->sdram_bytes) {
        snprintf(msg, n,
                 "linux.cmdline: mem=%u MB is larger than the %u MB of SDRAM "
                 "(sdram_bytes)",
                 mem / MB, c->sdram_bytes / MB);
        return msg;
    }
    if (L->max_mem_given && max_mem > c->sdram_bytes) {
        snprintf(msg, n,
                 "linux.cmdline: max_mem=%u MB is larger than the %u MB of SDRAM "
                 "(sdram_bytes)",
                 max_mem / MB, c->sdram_bytes / MB);
        return msg;
    }
    L->ramend = L->mem_given ? mem : c->sdram_bytes;
    L->physical_mem_end = L->max_mem_given ? max_mem : L->ramend;
    if (L->physical_mem_end < L->ramend) {
        snprintf(msg, n,
                 "linux.cmdline: max_mem=%u MB is below the managed memory (%u MB, "
                 "mem= or sdram_bytes)",
                 L->physical_mem_end / MB, L->ramend / MB);
        return msg;
    }
    if (c->dma_uncached_bytes >= L->ramend) {
        snprintf(msg, n, "linux.dma_uncached 0x%08x leaves no memory below _ramend 0x%08x",
                 c->dma_uncached_bytes, L->ramend);
        return msg;
    }
    L->memory_end = L->ramend - c->dma_uncached_bytes;
    if (c->anomaly_05000263 && c->icache) {
        uint32_t cap = c->null_guard ? 56 * MB : 60 * MB;
        if (L->memory_end > cap) {
            L->memory_end = cap;
            L->capped_05000263 = 1;
        }
    }
    L->uncached_end = L->memory_end;
    /* A DMA zone below 1 MB is widened to the 1 MB boundary so that no 4 KB pages are needed. */
    if (c->dma_uncached_bytes && c->dma_uncached_bytes < MB && L->ramend - L->memory_end < MB)
        L->uncached_end = L->memory_end & ~(MB - 1);
    if (c->kernel_end > L->memory_end) {
        snprintf(msg, n, "linux.kernel_end 0x%08x is above memory_end 0x%08x", c->kernel_end,
                 L->memory_end);
        return msg;
    }
    assert(L->uncached_end <= L->memory_end && L->memory_end <= L->ramend);
    assert(L->ramend <= L->physical_mem_end && L->physical_mem_end <= c->sdram_bytes);
    assert(L->uncached_end % MB == 0 && L->ramend % MB == 0 && L->physical_mem_end % MB == 0);
    return NULL;
}

static const char *check_table(const bf_cplb_entry *t, const char *side, char *msg, size_t n)
{
    for (int i = 0; i < NENT; i++) {
        if (!t[i].data)
            continue;
        unsigned code = (t[i].data & PAGE_MASK_BITS) >> PAGE_SHIFT_BITS;
        if (t[i].addr & (page_bytes[code] - 1)) {
            snprintf(msg, n, "%s[%d].addr 0x%08x is not aligned to its %s page", side, i, t[i].addr,
                     page_names[code]);
            return msg;
        }
    }
    return NULL;
}

const char *bf_cplb_config_check(const bf_cplb_config *c)
{
    static _Thread_local char msg[200];
    if (c->part < BF_PART_BF531 || c->part > BF_PART_BF533)
        return "part must be bf531, bf532 or bf533";
    if (c->sdram_bytes > BF_SDRAM_MAX_BYTES || c->sdram_bytes % MB)
        return "sdram_bytes must be a multiple of 1 MB, at most 128 MB";
    if (c->policy != BF_CPLB_POLICY_EXPLICIT && c->policy != BF_CPLB_POLICY_LINUX)
        return "cplb.policy must be explicit or linux";
    if (c->dcache_mode < BF_CPLB_DCACHE_OFF || c->dcache_mode > BF_CPLB_DCACHE_WT)
        return "linux.dcache must be off, wb or wt";
    const char *m = check_table(c->dcplb, "dcplb", msg, sizeof msg);
    if (!m)
        m = check_table(c->icplb, "icplb", msg, sizeof msg);
    if (m)
        return m;
    if (c->policy == BF_CPLB_POLICY_EXPLICIT)
        return NULL;
    for (int i = 0; i < NENT; i++) {
        if (c->dcplb[i].data || c->icplb[i].data) {
            snprintf(msg, sizeof msg,
                     "cplb.%ccplb%d is set but cplb.policy = linux builds its own tables",
                     c->dcplb[i].data ? 'd' : 'i', i);
            return msg;
        }
    }
    if (c->sdram_bytes == 0)
        return "sdram_bytes must be above 0 with cplb.policy = linux";
    switch (c->dma_uncached_bytes) {
    case 0:
    case 128 * KB:
    case 256 * KB:
    case 512 * KB:
    case 1 * MB:
    case 2 * MB:
    case 4 * MB:
    case 8 * MB:
    case 16 * MB:
    case 32 * MB:
        break;
    default:
        return "linux.dma_uncached must be 0, 128K, 256K, 512K, 1M, 2M, 4M, 8M, 16M or 32M "
               "(Kconfig DMA_UNCACHED_*)";
    }
    if (c->l1_dmc != 0 && c->l1_dmc != 2 && c->l1_dmc != 3)
        return "l1_dmc must be 0 (00), 2 (10) or 3 (11)";
    /* the I side always holds the L1 entry, so it has the most fixed entries */
    if (linux_fixed_count(c, 1) > NENT - 1) {
        snprintf(msg, sizeof msg,
                 "linux.kernel_end 0x%08x needs %u fixed 4 MB entries: at most %d fit with one "
                 "switched entry left",
                 c->kernel_end, kernel_pages(c), NENT - 1 - 1 - (c->null_guard ? 1 : 0));
        return msg;
    }
    bf_cplb_layout L;
    return bf_cplb_layout_compute(c, &L, msg, sizeof msg);
}

/* ------------------------------------------------------------------ boot tables and bounds */

void bf_cplb_build_linux(bf_cplb *p)
{
    const bf_cplb_config *c = &p->cfg;
    const bf_cplb_layout *L = &p->lay;
    for (int instr = 0; instr < 2; instr++) {
        int i = 0;
        if (c->null_guard)
            bf_cplb_ent_load(p, instr, i++, 0, oops_data(c) | BF_CPLB_PAGE_1K);
        for (uint32_t a = 0, k = 0; k < kernel_pages(c); k++, a += 4 * MB)
            bf_cplb_ent_load(p, instr, i++, a,
                             (instr ? igeneric(c) : dgeneric(c)) | BF_CPLB_PAGE_4M);
        /* Linux writes L1_CODE_START / L1_DATA_A_START, which are not 4 MB-aligned (0xFFA00000
        ** on BF533): the entry matches on the address bits above the page size (A1). */
        bf_map_range r;
        if (instr) {
            bf_map_range_of(c->part, BF_RGN_L1_INST, 0, &r);
            bf_cplb_ent_load(p, 1, i++, r.start,
                             BF_CPLB_USER_RD | BF_CPLB_VALID | BF_CPLB_LOCK | BF_CPLB_PAGE_4M);
        } else if (linux_l1_data_entry(c)) {
            if (!bf_map_range_of(c->part, BF_RGN_L1_DATA_A, 0, &r))
                bf_map_range_of(c->part, BF_RGN_L1_DATA_A_CACHE, 0, &r);
            bf_cplb_ent_load(p, 0, i++, r.start, BF_CPLB_LOCK | common_data(c) | BF_CPLB_PAGE_4M);
        }
        p->s[instr].first_switched = i;
        p->s[instr].rr = 0;
    }
    /* Data bounds. */
    cplb_side *d = &p->s[0];
    int n = 0;
    d->b[n++] = (cplb_bound){L->uncached_end, dgeneric(c)};
    if (c->dma_uncached_bytes)
        d->b[n++] = (cplb_bound){L->ramend, common_data(c)};
    if (L->ramend != L->physical_mem_end)
        d->b[n++] =
            (cplb_bound){L->physical_mem_end, L->reserved_dcache ? dgeneric(c) : common_data(c)};
    d->b[n++] = (cplb_bound){ASYNC_BANK0_BASE, 0};
    d->b[n++] = (cplb_bound){ASYNC_END, common_data(c)};
    d->b[n++] = (cplb_bound){BOOT_ROM_START, 0};
    d->b[n++] = (cplb_bound){BOOT_ROM_START + MB, dgeneric(c)};
    d->nbounds = n;
    /* Instruction bounds: the DMA zone is a hole, reserved memory cacheable only with '#'. */
    cplb_side *is = &p->s[1];
    n = 0;
    is->b[n++] = (cplb_bound){L->uncached_end, igeneric(c)};
    if (L->ramend != L->physical_mem_end) {
        if (c->dma_uncached_bytes)
            is->b[n++] = (cplb_bound){L->ramend, 0};
        is->b[n++] =
            (cplb_bound){L->physical_mem_end, L->reserved_icache ? igeneric(c) : inon_chbl()};
    }
    is->b[n++] = (cplb_bound){ASYNC_BANK0_BASE, 0};
    is->b[n++] = (cplb_bound){ASYNC_END, common_data(c)};
    is->b[n++] = (cplb_bound){BOOT_ROM_START, 0};
    is->b[n++] = (cplb_bound){BOOT_ROM_START + MB, igeneric(c)};
    is->nbounds = n;
#ifndef NDEBUG
    /* At least one switched entry per side; bound ends non-decreasing and on 1 MB boundaries,
    ** so the 1 MB page the handler loads always lies inside its bound. */
    for (int instr = 0; instr < 2; instr++) {
        const cplb_side *s = &p->s[instr];
        assert(s->first_switched < NENT && s->nbounds <= MAX_BOUNDS);
        for (int k = 0; k < s->nbounds; k++)
            assert(s->b[k].eaddr % MB == 0 && (k == 0 || s->b[k - 1].eaddr <= s->b[k].eaddr));
    }
#endif
}

/* ------------------------------------------------------------------ the miss handler */

/* Linux nompu miss handler: returns 1 if it loaded an entry. */
int bf_cplb_manager_reload(bf_cplb *p, int instr, bf_addr addr)
{
    cplb_side *s = &p->s[instr];
    uint32_t base = 0;
    int k;
    for (k = 0; k < s->nbounds; k++) {
        if (addr < s->b[k].eaddr)
            break;
        base = s->b[k].eaddr;
    }
    if (k == s->nbounds || s->b[k].data == 0)
        return 0;
    uint32_t eaddr = s->b[k].eaddr;
    uint32_t a4 = addr & ~(4 * MB - 1);
    uint32_t page, data;
    if (a4 >= base && (uint64_t)a4 + 4 * MB <= eaddr) {
        page = a4;
        data = s->b[k].data | BF_CPLB_PAGE_4M;
    } else {
        page = addr & ~(MB - 1);
        data = s->b[k].data | BF_CPLB_PAGE_1M;
    }
    int fs = s->first_switched;
    int i = fs + s->rr;
    if (i >= NENT) {
        i -= NENT - fs;
        s->rr -= NENT - fs;
    }
    /* The victim is a switched entry, chosen round robin; the page lies in its bound. */
    assert(fs < NENT && i >= fs && i < NENT && s->rr >= 0 && s->rr < NENT - fs);
    assert(page >= base &&
           (uint64_t)page + page_bytes[(data & PAGE_MASK_BITS) >> PAGE_SHIFT_BITS] <= eaddr);
    s->rr++;
    if (s->e[i].valid) {
        if (instr)
            p->st->ievictions++;
        else
            p->st->devictions++;
    }
    bf_cplb_ent_load(p, instr, i, page, data);
    if (instr)
        p->st->ireloads++;
    else
        p->st->dreloads++;
    return 1;
}
