/*
** bf_cplb.c: the BF533 CPLBs (16 ICPLB + 16 DCPLB), the implicit memory-map rules, the
** exceptions with their EXCAUSE codes and status/fault-address registers, and an emulation of
** the Linux "nompu" CPLB manager (reference section 3; docs/models/cplb.md).
**
** Assumptions
**   A1. An entry covers the naturally aligned page that holds ADDR: the match compares only the
**       address bits above the page size (ESTIMATE). Configured and written entries must be
**       aligned (config error / BF_ECONFIG otherwise), so for them this is [ADDR, ADDR + size)
**       as in the GDB sim. Only the Linux boot tables hold an unaligned ADDR, because Linux
**       writes L1_CODE_START (0xFFA00000 on BF533) with a 4 MB page: it covers
**       0xFF800000-0xFFBFFFFF.
**   A2. Exception priority, highest first: multiple hits > misaligned > protection > miss
**       (PRM order as quoted by the GDB sim). Hardware errors (reserved space, data access to
**       L1 instruction SRAM) come from the access itself, so they are raised only when no
**       exception was; a non-32-bit core MMR access is raised at the same point, as EXCAUSE
**       0x2E (illegal use of a supervisor resource; ADI sys/exception.h, GDB sim
**       dv_bfin_mmr_require_32), which writes the status and fault-address registers.
**   A3. Natural alignment: 2-byte accesses on 2 bytes, 4-byte and larger data accesses on 4 bytes
**       (an 8-byte record is taken as two 32-bit accesses), 1-byte never misaligned, fetches on
**       2 bytes (EXCAUSE 0x2A). Cache instructions are checked on their 32-byte line address.
**   A4. MMR accesses never need a CPLB. L1 accesses need one when l1_requires_cplb (ESTIMATE 1,
**       Linux installs locked entries for L1); with 0 they are valid without one (GDB sim).
**       L1 and MMR pages are never cacheable, whatever CPLB_L1_CHBL says.
**   A5. Implicit rules (GDB sim): a fetch from MMR space takes the ICPLB miss exception (0x2C);
**       a user-mode or DAG1 MMR data access the DCPLB protection exception (0x23); a fetch from
**       L1 space other than instruction SRAM the ICPLB protection exception (0x2B); a data access
**       to L1 instruction SRAM and any access to reserved space a hardware error (0x03).
**   A6. With ENxCPLB off nothing is matched; only alignment and the implicit rules apply, and
**       every access is uncached (attrs = BF_REQ_ATTR_KNOWN).
**   A7. An exception writes xCPLB_STATUS (bits 15:0 the matching entries, 16 write, 17
**       supervisor, 18 DAG1, 19 ILLADDR) and xCPLB_FAULT_ADDR; hardware errors do not. ILLADDR
**       means "non-existent memory" (ADI sys/exception.h): it is set on a miss whose address is
**       reserved space (no memory behind it), not on an ordinary miss to populated memory (the
**       GDB sim sets it on every miss; reference section 3).
**       The GDB sim also copies the PC into the ICPLB registers on data faults; there is no PC
**       here, so it is not done.
**
** Algorithm
**   1. Each entry keeps base and mask precomputed, its BF_REQ_* attributes and a 4-bit
**      permission set indexed by (write, user). A check scans the 16 entries of its side, or
**      takes the shortcut of rule 2, then applies rule A2 in order.
**   2. Shortcut memo: each side remembers, per 1 MB of address space (MEMO slots, direct
**      mapped by address bits 25:20), the entry that last served an access there. If the
**      address falls in that entry and the entry is exclusive (no other valid entry of the
**      side overlaps it), the access hits exactly that entry, because any other entry that
**      matched would overlap it. Exclusivity is recomputed, and the memo cleared, on every
**      table change and every enable change. The replay fast path (bf_cplb_check_hit) reads
**      the same memo.
**   3. Linux policy (final cplb-nompu): boot tables hold the fixed entries, the rest start
**      invalid. On a miss the handler walks the bounds table to the first bound whose end is
**      above the address; a bound with data 0 is a hole (real fault). Else it loads the 4 MB
**      page if the whole 4 MB-aligned page lies in the bound, else the 1 MB page, into entry
**      first_switched + rr (round robin over the switched entries), charges
**      miss_handler_cycles and retries the access.
**
** Invariant: for each side, ent.excl == 1 iff the entry is valid and no other valid entry of
** the side overlaps it; each side.memo slot is -1 or a valid entry index.
*/
#include "bf_hmem.h"
#include "bf_cplb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BF_STAT_STRUCT bf_cplb_stats
const bf_stat_desc bf_cplb_stat_desc[] = {BF_CPLB_STATS(BF_STAT_DESC)};
const size_t bf_cplb_stat_count = BF_ARRAY_SIZE(bf_cplb_stat_desc);
#undef BF_STAT_STRUCT

enum {
    NENT = 16,
    KB = 1024u,
    MB = 1024u * 1024u,
    HOT_BITS = 10, /* hottest-pages table: 1024 distinct pages per side */
    HOT_CAP = 1 << HOT_BITS,
    MAX_BOUNDS = 10,
    PAGE_SHIFT_BITS = 16,
    PAGE_MASK_BITS = 3u << 16,
    NO_ENTRY = 0xFF,
    MEMO = 64 /* rule 2: shortcut memo slots per side, one per 1 MB (address bits 25:20) */
};
#define MEMO_SLOT(a) (((a) >> 20) & (MEMO - 1u))

/* Memory-map constants the Linux bounds use (reference section 1). */
#define ASYNC_BANK0_BASE 0x20000000u
#define ASYNC_END 0x20400000u /* end of async bank 3 */
#define BOOT_ROM_START 0xEF000000u
#define L1_SPACE_START 0xFF000000u
#define MMR_START 0xFFC00000u

static const uint32_t page_bytes[4] = {1 * KB, 4 * KB, 1 * MB, 4 * MB};
static const char *const page_names[4] = {"1 KB", "4 KB", "1 MB", "4 MB"};

typedef struct cplb_ent {
    uint32_t addr;  /* CPLB_ADDRn */
    uint32_t data;  /* CPLB_DATAn */
    uint32_t base;  /* addr & mask */
    uint32_t mask;  /* ~(page size - 1) */
    uint32_t attrs; /* BF_REQ_* of an external page served by this entry */
    uint8_t valid;
    uint8_t perm; /* bit (write << 1 | user): access allowed by the permission bits */
    uint8_t excl; /* valid and overlapped by no other valid entry of the side */
    uint8_t pad;
    uint64_t hits; /* accesses served since this load */
} cplb_ent;

typedef struct cplb_bound {
    uint32_t eaddr; /* end (exclusive); the start is the previous bound's end (or 0) */
    uint32_t data;  /* CPLB_DATA without the page size; 0 = hole */
} cplb_bound;

typedef struct hot_slot {
    uint32_t key; /* page base | page-size code */
    uint32_t used;
    uint64_t hits;
    uint64_t loads;
} hot_slot;

typedef struct cplb_side {
    cplb_ent e[NENT];
    bf_cplb_entry view[NENT]; /* {addr, data} as software sees the MMRs */
    int enabled;
    int8_t memo[MEMO];  /* rule 2: per 1 MB slot, the entry of the last single hit, -1 if none */
    int first_switched; /* Linux: entries below this index are fixed */
    int rr;             /* Linux: round-robin index */
    int nbounds;
    uint32_t status;     /* xCPLB_STATUS */
    uint32_t fault_addr; /* xCPLB_FAULT_ADDR */
    cplb_bound b[MAX_BOUNDS];
    hot_slot *hot;
} cplb_side;

struct bf_cplb {
    bf_cplb_config cfg;
    bf_cplb_stats *st;
    bf_cplb_stats own_stats; /* used when the caller passes no stats struct */
    bf_cplb_layout lay;
    cplb_side s[2]; /* 0 = DCPLB, 1 = ICPLB */
};

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

static uint32_t kernel_pages(const bf_cplb_config *c)
{
    return (uint32_t)(((uint64_t)c->kernel_end + 4 * MB - 1) / (4 * MB));
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
static const char *layout_compute(const bf_cplb_config *c, bf_cplb_layout *L, char *msg, size_t n)
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
    if (c->sdram_bytes > 128 * MB || c->sdram_bytes % MB)
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
    return layout_compute(c, &L, msg, sizeof msg);
}

/* ------------------------------------------------------------------ hottest pages */

static uint32_t hot_key(uint32_t base, unsigned code)
{
    return base | code;
}

static hot_slot *hot_find(hot_slot *t, uint32_t key, int insert)
{
    uint32_t h = (key * 2654435761u) >> (32 - HOT_BITS);
    for (int probe = 0; probe < HOT_CAP; probe++) {
        hot_slot *sl = &t[(h + (uint32_t)probe) & (HOT_CAP - 1)];
        if (sl->used && sl->key == key)
            return sl;
        if (!sl->used) {
            if (!insert)
                return NULL;
            sl->used = 1;
            sl->key = key;
            return sl;
        }
    }
    return NULL;
}

static const hot_slot *hot_lookup(const hot_slot *t, uint32_t key)
{
    return hot_find((hot_slot *)t, key, 0);
}

/* ------------------------------------------------------------------ entries */

static unsigned ent_code(const cplb_ent *e)
{
    return (e->data & PAGE_MASK_BITS) >> PAGE_SHIFT_BITS;
}

static int ents_overlap(const cplb_ent *a, const cplb_ent *b)
{
    /* Aligned power-of-two pages overlap iff one contains the other's base. */
    uint32_t m = a->mask < b->mask ? a->mask : b->mask; /* the larger page */
    return (a->base & m) == (b->base & m);
}

static void side_recompute_excl(cplb_side *s)
{
    for (int i = 0; i < NENT; i++) {
        cplb_ent *e = &s->e[i];
        e->excl = e->valid;
        for (int j = 0; j < NENT && e->excl; j++)
            if (j != i && s->e[j].valid && ents_overlap(e, &s->e[j]))
                e->excl = 0;
    }
    memset(s->memo, -1, sizeof s->memo);
}

static void ent_retire(bf_cplb *p, cplb_side *s, cplb_ent *e)
{
    if (!e->valid)
        return;
    hot_slot *sl = hot_find(s->hot, hot_key(e->base, ent_code(e)), 1);
    if (sl)
        sl->hits += e->hits;
    else
        p->st->hot_dropped_hits += e->hits;
    e->hits = 0;
}

static void ent_load(bf_cplb *p, int instr, int i, uint32_t addr, uint32_t data)
{
    cplb_side *s = &p->s[instr];
    cplb_ent *e = &s->e[i];
    ent_retire(p, s, e);
    unsigned code = (data & PAGE_MASK_BITS) >> PAGE_SHIFT_BITS;
    e->addr = addr;
    e->data = data;
    s->view[i].addr = addr;
    s->view[i].data = data;
    e->mask = ~(page_bytes[code] - 1);
    e->base = addr & e->mask;
    e->valid = (data & BF_CPLB_VALID) != 0;
    e->hits = 0;
    uint32_t a = BF_REQ_ATTR_KNOWN;
    if (data & BF_CPLB_L1_CHBL)
        a |= BF_REQ_CACHEABLE;
    if (!instr) {
        if (data & BF_CPLB_WT)
            a |= BF_REQ_WT;
        if (data & BF_CPLB_L1_AOW)
            a |= BF_REQ_AOW;
    } else if (data & BF_CPLB_LRUPRIO) {
        a |= BF_REQ_LRUPRIO;
    }
    e->attrs = a;
    /* perm bit index: write << 1 | user. Supervisor reads are always allowed. */
    int clean_wb =
        !instr && (data & (BF_CPLB_WT | BF_CPLB_L1_CHBL | BF_CPLB_DIRTY)) == BF_CPLB_L1_CHBL;
    e->perm = 1u;
    if (data & BF_CPLB_USER_RD)
        e->perm |= 2u;
    if (!instr && !clean_wb && (data & BF_CPLB_SUPV_WR))
        e->perm |= 4u;
    if (!instr && !clean_wb && (data & BF_CPLB_USER_WR))
        e->perm |= 8u;
    if (e->valid) {
        hot_slot *sl = hot_find(s->hot, hot_key(e->base, code), 1);
        if (sl)
            sl->loads++;
    }
    side_recompute_excl(s);
}

/* ------------------------------------------------------------------ creation */

static void build_linux(bf_cplb *p)
{
    const bf_cplb_config *c = &p->cfg;
    const bf_cplb_layout *L = &p->lay;
    for (int instr = 0; instr < 2; instr++) {
        int i = 0;
        if (c->null_guard)
            ent_load(p, instr, i++, 0, oops_data(c) | BF_CPLB_PAGE_1K);
        for (uint32_t a = 0, k = 0; k < kernel_pages(c); k++, a += 4 * MB)
            ent_load(p, instr, i++, a, (instr ? igeneric(c) : dgeneric(c)) | BF_CPLB_PAGE_4M);
        /* Linux writes L1_CODE_START / L1_DATA_A_START, which are not 4 MB-aligned (0xFFA00000
        ** on BF533): the entry matches on the address bits above the page size (A1). */
        bf_map_range r;
        if (instr) {
            bf_map_range_of(c->part, BF_RGN_L1_INST, 0, &r);
            ent_load(p, 1, i++, r.start,
                     BF_CPLB_USER_RD | BF_CPLB_VALID | BF_CPLB_LOCK | BF_CPLB_PAGE_4M);
        } else if (linux_l1_data_entry(c)) {
            if (!bf_map_range_of(c->part, BF_RGN_L1_DATA_A, 0, &r))
                bf_map_range_of(c->part, BF_RGN_L1_DATA_A_CACHE, 0, &r);
            ent_load(p, 0, i++, r.start, BF_CPLB_LOCK | common_data(c) | BF_CPLB_PAGE_4M);
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
}

int bf_cplb_create(const bf_cplb_config *c, bf_cplb_stats *stats, bf_cplb **out)
{
    *out = NULL;
    if (bf_cplb_config_check(c))
        return BF_ECONFIG;
    bf_cplb *p = bf_calloc(1, sizeof *p);
    if (!p)
        return BF_ENOMEM;
    p->s[0].hot = bf_calloc(HOT_CAP, sizeof(hot_slot));
    p->s[1].hot = bf_calloc(HOT_CAP, sizeof(hot_slot));
    if (!p->s[0].hot || !p->s[1].hot) {
        bf_cplb_destroy(p);
        return BF_ENOMEM;
    }
    p->cfg = *c;
    p->st = stats ? stats : &p->own_stats;
    p->s[0].enabled = c->dcplb_enable != 0;
    p->s[1].enabled = c->icplb_enable != 0;
    memset(p->s[0].memo, -1, sizeof p->s[0].memo);
    memset(p->s[1].memo, -1, sizeof p->s[1].memo);
    if (c->policy == BF_CPLB_POLICY_LINUX) {
        char msg[200];
        if (layout_compute(c, &p->lay, msg, sizeof msg)) {
            bf_cplb_destroy(p);
            return BF_ECONFIG;
        }
        build_linux(p);
    } else {
        for (int i = 0; i < NENT; i++) {
            if (c->dcplb[i].data)
                ent_load(p, 0, i, c->dcplb[i].addr, c->dcplb[i].data);
            if (c->icplb[i].data)
                ent_load(p, 1, i, c->icplb[i].addr, c->icplb[i].data);
        }
        p->s[0].first_switched = p->s[1].first_switched = NENT;
    }
    *out = p;
    return BF_OK;
}

void bf_cplb_destroy(bf_cplb *p)
{
    if (!p)
        return;
    free(p->s[0].hot);
    free(p->s[1].hot);
    free(p);
}

/* ------------------------------------------------------------------ the check */

/* What one attempt at an access concluded, before stats and registers. */
typedef struct attempt {
    int fault;   /* bf_fault */
    int excause; /* 0 for none or a hardware error */
    int hwerr;
    int miss;    /* the exception is a miss (the Linux handler runs) */
    int illaddr; /* ILLADDR: the missed address is non-existent memory */
    uint32_t matched;
    int entry; /* serving entry, -1 if none */
} attempt;

static int misaligned(bf_addr addr, uint32_t size, int instr)
{
    if (instr)
        return (addr & 1u) != 0;
    uint32_t align = size >= 4 ? 4u : size >= 2 ? 2u : 1u;
    return (addr & (align - 1u)) != 0;
}

/* Rule 2: the memo's entry for addr, if it holds addr and no other valid entry overlaps it (then
** it is the only match); -1 otherwise. */
static inline int memo_serves(const cplb_side *s, bf_addr addr)
{
    int i = s->memo[MEMO_SLOT(addr)];
    return i >= 0 && s->e[i].excl && (addr & s->e[i].mask) == s->e[i].base ? i : -1;
}

static void attempt_once(const bf_cplb *p, int instr, bf_addr addr, uint32_t size, int write,
                         int user, int dag1, int cacheop, int *region_out, attempt *a)
{
    const cplb_side *s = &p->s[instr];
    memset(a, 0, sizeof *a);
    a->entry = -1;
    int hits = 0, idx = -1;
    uint32_t matched = 0;
    if (s->enabled) {
        if ((idx = memo_serves(s, addr)) >= 0) {
            hits = 1;
            matched = 1u << idx;
            p->st->fast_hits++;
        }
        if (!hits) {
            for (int i = 0; i < NENT; i++) {
                const cplb_ent *e = &s->e[i];
                if (e->valid && (addr & e->mask) == e->base) {
                    hits++;
                    matched |= 1u << i;
                    idx = i;
                }
            }
        }
    }
    a->matched = matched;
    int region = addr < p->cfg.sdram_bytes ? BF_RGN_SDRAM
                                           : bf_map_region(p->cfg.part, p->cfg.sdram_bytes, addr);
    *region_out = region;
    int mmr = bf_map_is_mmr(region);
    /* 1. multiple hits */
    if (hits >= 2) {
        a->fault = BF_FAULT_CPLB_MULTI;
        a->excause = instr ? BF_EXC_ICPLB_MULTI : BF_EXC_DCPLB_MULTI;
        return;
    }
    /* 2. misaligned */
    if (!cacheop && misaligned(addr, size, instr)) {
        a->fault = BF_FAULT_MISALIGNED;
        a->excause = instr ? BF_EXC_MISALIGNED_I : BF_EXC_MISALIGNED;
        return;
    }
    /* 3. protection: the entry's permission bits, then the implicit rules */
    if (!cacheop) {
        if (hits == 1 && !((s->e[idx].perm >> ((write << 1) | user)) & 1u)) {
            a->fault = BF_FAULT_CPLB_PROT;
            a->excause = instr ? BF_EXC_ICPLB_PROT : BF_EXC_DCPLB_PROT;
            return;
        }
        if (mmr && !instr && (user || dag1)) {
            a->fault = BF_FAULT_MMR_ILLEGAL;
            a->excause = BF_EXC_DCPLB_PROT;
            return;
        }
        if (instr && addr >= L1_SPACE_START && addr < MMR_START && region != BF_RGN_L1_INST &&
            region != BF_RGN_L1_INST_CACHE) {
            a->fault = BF_FAULT_L1_ILLEGAL;
            a->excause = BF_EXC_ICPLB_PROT;
            return;
        }
    }
    /* 4. miss */
    if (instr && mmr) {
        a->fault = BF_FAULT_MMR_ILLEGAL;
        a->excause = BF_EXC_ICPLB_MISS;
        a->miss = 1;
        return;
    }
    if (s->enabled && hits == 0 && !mmr && !(bf_map_is_l1(region) && !p->cfg.l1_requires_cplb)) {
        a->fault = BF_FAULT_CPLB_MISS;
        a->excause = instr ? BF_EXC_ICPLB_MISS : BF_EXC_DCPLB_MISS;
        a->miss = 1;
        a->illaddr = region == BF_RGN_RESERVED;
        return;
    }
    a->entry = idx;
    /* 5. hardware errors raised by the access itself */
    if (cacheop)
        return;
    if (!instr && (region == BF_RGN_L1_INST || region == BF_RGN_L1_INST_CACHE)) {
        a->fault = BF_FAULT_L1_ILLEGAL;
        a->hwerr = BF_HWERR_EXTERN_ADDR;
    } else if (region == BF_RGN_RESERVED) {
        a->fault = BF_FAULT_HWERR_EXTERN;
        a->hwerr = BF_HWERR_EXTERN_ADDR;
    } else if (region == BF_RGN_CORE_MMR && size != 4) {
        a->fault = BF_FAULT_MMR_ILLEGAL;
        a->excause = BF_EXC_ILLEGAL_SUPV;
    }
}

/* Linux nompu miss handler: returns 1 if it loaded an entry. */
static int manager_reload(bf_cplb *p, int instr, bf_addr addr)
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
    s->rr++;
    if (s->e[i].valid) {
        if (instr)
            p->st->ievictions++;
        else
            p->st->devictions++;
    }
    ent_load(p, instr, i, page, data);
    if (instr)
        p->st->ireloads++;
    else
        p->st->dreloads++;
    return 1;
}

static void count_fault(bf_cplb_stats *st, int fault)
{
    switch (fault) {
    case BF_FAULT_CPLB_MISS:
        st->fault_miss++;
        break;
    case BF_FAULT_CPLB_PROT:
        st->fault_prot++;
        break;
    case BF_FAULT_CPLB_MULTI:
        st->fault_multi++;
        break;
    case BF_FAULT_MISALIGNED:
        st->fault_misaligned++;
        break;
    case BF_FAULT_HWERR_EXTERN:
        st->fault_hwerr_extern++;
        break;
    case BF_FAULT_L1_ILLEGAL:
        st->fault_l1_illegal++;
        break;
    case BF_FAULT_MMR_ILLEGAL:
        st->fault_mmr_illegal++;
        break;
    default:
        break;
    }
}

/* One address through the stage, with the manager's retry. Adds to res->handler/reloaded. */
static void check_addr(bf_cplb *p, int instr, bf_addr addr, uint32_t size, int write, int user,
                       int dag1, int cacheop, bf_cplb_result *res)
{
    cplb_side *s = &p->s[instr];
    attempt a;
    int region;
    for (int tries = 0;; tries++) {
        attempt_once(p, instr, addr, size, write, user, dag1, cacheop, &region, &a);
        if (a.excause) {
            s->status = a.matched | (write ? BF_CPLB_STATUS_RW : 0u) |
                        (user ? 0u : BF_CPLB_STATUS_SUPV) | (dag1 ? BF_CPLB_STATUS_DAG1 : 0u) |
                        (a.illaddr ? BF_CPLB_STATUS_ILLADDR : 0u);
            s->fault_addr = addr;
            if (a.excause == BF_EXC_DCPLB_MULTI || a.excause == BF_EXC_ICPLB_MULTI)
                p->st->multi_hits++;
            if (a.excause == BF_EXC_DCPLB_PROT || a.excause == BF_EXC_ICPLB_PROT)
                p->st->prot_violations++;
        }
        if (a.fault == BF_FAULT_CPLB_MISS) {
            if (instr)
                p->st->imisses++;
            else
                p->st->dmisses++;
            if (!user)
                p->st->supv_misses++;
        }
        /* The Linux handler runs on every miss exception; it reloads only real CPLB misses
        ** inside a bound, and at most once per access (a second miss cannot happen). */
        if (a.miss && p->cfg.policy == BF_CPLB_POLICY_LINUX) {
            res->handler += p->cfg.miss_handler_cycles;
            p->st->handler_cycles += p->cfg.miss_handler_cycles;
            if (a.fault == BF_FAULT_CPLB_MISS && tries == 0 && manager_reload(p, instr, addr)) {
                res->reloaded++;
                continue;
            }
        }
        break;
    }
    res->fault = (uint8_t)a.fault;
    res->excause = (uint8_t)a.excause;
    res->hwerr = (uint8_t)a.hwerr;
    res->status = a.excause ? s->status : 0u;
    res->fault_addr = a.fault ? addr : 0u;
    res->entry = a.entry >= 0 ? (uint8_t)a.entry : (uint8_t)NO_ENTRY;
    if (a.fault) {
        res->attrs = 0;
        count_fault(p->st, a.fault);
        return;
    }
    if (a.entry >= 0) {
        cplb_ent *e = &s->e[a.entry];
        e->hits++;
        s->memo[MEMO_SLOT(addr)] = (int8_t)a.entry;
        res->attrs = bf_map_is_external(region) ? e->attrs : (uint32_t)BF_REQ_ATTR_KNOWN;
    } else {
        res->attrs = BF_REQ_ATTR_KNOWN;
    }
}

static int check_common(bf_cplb *p, const bf_req *rq, bf_cplb_result *res, int cacheop)
{
    memset(res, 0, sizeof *res);
    if (rq->kind > BF_ACC_IFETCH || rq->mode > BF_MODE_USER || rq->size == 0)
        return BF_EINPUT;
    int instr = rq->kind == BF_ACC_IFETCH;
    int write = rq->kind == BF_ACC_WRITE;
    int user = rq->mode == BF_MODE_USER;
    int dag1 = !instr && (rq->flags & BF_REQ_DAG1) != 0;
    res->instr = (uint8_t)instr;
    if (instr)
        p->st->ichecks++;
    else
        p->st->dchecks++;
    bf_addr addr = cacheop ? rq->addr & ~31u : rq->addr;
    uint32_t size = cacheop ? 32u : rq->size;
    check_addr(p, instr, addr, size, write, user, dag1, cacheop, res);
    /* A data access wider than 32 bits that crosses into another 1 KB block (the smallest page)
    ** is also checked at its last word; the first fault in address order is reported. */
    bf_addr last = (bf_addr)(addr + size - 1u) & ~3u;
    if (!cacheop && !instr && !res->fault && size > 4 && ((addr ^ last) & ~(KB - 1))) {
        uint32_t attrs = res->attrs;
        check_addr(p, instr, last, 4, write, user, dag1, 0, res);
        if (!res->fault)
            res->attrs = attrs;
    }
    return BF_OK;
}

/* The fast path's check: the cases where check_common would end in one attempt on the memo's
** entry without any fault or second word, with the same counts; 0 (nothing touched) otherwise.
** Rule A2 in order for such an access: one match (no multi-hit), alignment, the entry's
** permission; an SDRAM address has no implicit rule, miss or hardware error, and its attributes
** are the entry's. */
uint32_t bf_cplb_check_hit(bf_cplb *p, int instr, bf_addr addr, uint32_t size, int write, int user)
{
    cplb_side *s = &p->s[instr];
    int i;
    if (!s->enabled || addr >= p->cfg.sdram_bytes || (i = memo_serves(s, addr)) < 0)
        return 0;
    cplb_ent *e = &s->e[i];
    if (misaligned(addr, size, instr) || !((e->perm >> ((write << 1) | user)) & 1u))
        return 0;
    if (!instr && size > 4 && ((addr ^ ((addr + size - 1u) & ~3u)) & ~(KB - 1)))
        return 0; /* a second word in another 1 KB block: check_common checks it too */
    if (instr)
        p->st->ichecks++;
    else
        p->st->dchecks++;
    p->st->fast_hits++;
    e->hits++;
    return e->attrs;
}

int bf_cplb_check(bf_cplb *p, const bf_req *rq, bf_cplb_result *res)
{
    return check_common(p, rq, res, 0);
}

int bf_cplb_check_cacheop(bf_cplb *p, const bf_req *rq, bf_cplb_result *res)
{
    return check_common(p, rq, res, 1);
}

/* ------------------------------------------------------------------ registers and tables */

uint32_t bf_cplb_status(const bf_cplb *p, int instr)
{
    return p->s[instr ? 1 : 0].status;
}

uint32_t bf_cplb_fault_addr(const bf_cplb *p, int instr)
{
    return p->s[instr ? 1 : 0].fault_addr;
}

const bf_cplb_entry *bf_cplb_table(const bf_cplb *p, int instr)
{
    return p->s[instr ? 1 : 0].view;
}

void bf_cplb_enable(bf_cplb *p, int instr, int on)
{
    cplb_side *s = &p->s[instr ? 1 : 0];
    s->enabled = on != 0;
    memset(s->memo, -1, sizeof s->memo);
}

int bf_cplb_write(bf_cplb *p, int instr, int idx, uint32_t addr, uint32_t data)
{
    if (idx < 0 || idx >= NENT)
        return BF_ECONFIG;
    unsigned code = (data & PAGE_MASK_BITS) >> PAGE_SHIFT_BITS;
    if (addr & (page_bytes[code] - 1))
        return BF_ECONFIG;
    ent_load(p, instr ? 1 : 0, idx, addr, data);
    return BF_OK;
}

void bf_cplb_get_layout(const bf_cplb *p, bf_cplb_layout *out)
{
    *out = p->lay;
}

int bf_cplb_first_switched(const bf_cplb *p, int instr)
{
    return p->s[instr ? 1 : 0].first_switched;
}

/* ------------------------------------------------------------------ hottest pages */

static int page_hotter(const bf_cplb_page *a, const bf_cplb_page *b)
{
    if (a->hits != b->hits)
        return a->hits > b->hits;
    if (a->addr != b->addr)
        return a->addr < b->addr;
    return a->instr < b->instr;
}

static void top_insert(bf_cplb_page *out, size_t n, size_t *have, const bf_cplb_page *pg)
{
    size_t pos = *have;
    while (pos > 0 && page_hotter(pg, &out[pos - 1]))
        pos--;
    if (pos >= n)
        return;
    size_t end = *have < n ? *have : n - 1;
    memmove(&out[pos + 1], &out[pos], (end - pos) * sizeof *out);
    out[pos] = *pg;
    if (*have < n)
        (*have)++;
}

size_t bf_cplb_hot_pages(const bf_cplb *p, bf_cplb_page *out, size_t n)
{
    size_t have = 0;
    if (n == 0)
        return 0;
    for (int instr = 0; instr < 2; instr++) {
        const cplb_side *s = &p->s[instr];
        for (int k = 0; k < HOT_CAP; k++) {
            const hot_slot *sl = &s->hot[k];
            if (!sl->used)
                continue;
            bf_cplb_page pg = {sl->key & ~3u, page_bytes[sl->key & 3u], (uint8_t)instr, sl->hits,
                               sl->loads};
            for (int i = 0; i < NENT; i++) {
                const cplb_ent *e = &s->e[i];
                if (e->valid && hot_key(e->base, ent_code(e)) == sl->key)
                    pg.hits += e->hits;
            }
            top_insert(out, n, &have, &pg);
        }
        /* Live entries the table had no room for. */
        for (int i = 0; i < NENT; i++) {
            const cplb_ent *e = &s->e[i];
            if (e->valid && !hot_lookup(s->hot, hot_key(e->base, ent_code(e)))) {
                bf_cplb_page pg = {e->base, page_bytes[ent_code(e)], (uint8_t)instr, e->hits, 1};
                top_insert(out, n, &have, &pg);
            }
        }
    }
    return have;
}

/* ------------------------------------------------------------------ text */

typedef struct textbuf {
    char *buf;
    size_t n;
    size_t len;
} textbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
tb_printf(textbuf *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *dst = t->len < t->n ? t->buf + t->len : NULL;
    size_t room = t->len < t->n ? t->n - t->len : 0;
    int k = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (k > 0)
        t->len += (size_t)k;
}

const char *bf_cplb_excause_name(int excause)
{
    switch (excause) {
    case BF_EXC_DCPLB_PROT:
        return "Data access CPLB protection violation";
    case BF_EXC_MISALIGNED:
        return "Data access misaligned address violation";
    case BF_EXC_DCPLB_MISS:
        return "Data access CPLB miss";
    case BF_EXC_DCPLB_MULTI:
        return "Data access multiple CPLB hits";
    case BF_EXC_MISALIGNED_I:
        return "Instruction fetch misaligned address violation";
    case BF_EXC_ICPLB_PROT:
        return "Instruction fetch CPLB protection violation";
    case BF_EXC_ICPLB_MISS:
        return "Instruction fetch CPLB miss";
    case BF_EXC_ICPLB_MULTI:
        return "Instruction fetch multiple CPLB hits";
    case BF_EXC_ILLEGAL_SUPV:
        return "Illegal use of a supervisor resource";
    default:
        return "unknown exception";
    }
}

const char *bf_cplb_hwerr_name(int hwerr)
{
    switch (hwerr) {
    case BF_HWERR_SYSTEM_MMR:
        return "System MMR error";
    case BF_HWERR_EXTERN_ADDR:
        return "External memory addressing error";
    default:
        return "unknown hardware error";
    }
}

static void describe_data(textbuf *t, uint32_t d, int instr)
{
    if (!(d & BF_CPLB_VALID)) {
        tb_printf(t, "invalid");
        return;
    }
    tb_printf(t, "%s",
              (d & BF_CPLB_L1_CHBL) ? (instr              ? "cacheable"
                                       : (d & BF_CPLB_WT) ? "cacheable write-through"
                                                          : "cacheable write-back")
                                    : "uncached");
    tb_printf(t, ", %s", (d & BF_CPLB_USER_RD) ? "user read" : "no user read");
    if (!instr)
        tb_printf(t, ", %s, %s", (d & BF_CPLB_USER_WR) ? "user write" : "no user write",
                  (d & BF_CPLB_SUPV_WR) ? "supervisor write" : "no supervisor write");
    if (d & BF_CPLB_LOCK)
        tb_printf(t, ", locked");
}

static void describe_table(textbuf *t, const cplb_side *s, int instr, int linux_policy)
{
    const char *name = instr ? "ICPLB" : "DCPLB";
    tb_printf(t, "%s table (%s", name, s->enabled ? "enabled" : "disabled");
    if (linux_policy)
        tb_printf(t, ", first_switched %d", s->first_switched);
    tb_printf(t, "):\n");
    for (int i = 0; i < NENT; i++) {
        const cplb_ent *e = &s->e[i];
        if (!e->data)
            continue;
        tb_printf(t, "  [%2d] addr 0x%08x data 0x%08x  %-4s  ", i, e->addr, e->data,
                  page_names[ent_code(e)]);
        describe_data(t, e->data, instr);
        if (e->addr != e->base)
            tb_printf(t, " (unaligned: matches 0x%08x-0x%08x)", e->base, e->base + ~e->mask);
        tb_printf(t, "\n");
    }
}

static void describe_bounds(textbuf *t, const cplb_side *s, int instr)
{
    tb_printf(t, "%s bounds (a miss loads a 4 MB page if it fits in its bound, else 1 MB):\n",
              instr ? "ICPLB" : "DCPLB");
    uint32_t base = 0;
    for (int k = 0; k < s->nbounds; k++) {
        tb_printf(t, "  [0x%08x, 0x%08x)  ", base, s->b[k].eaddr);
        if (s->b[k].data) {
            tb_printf(t, "data 0x%08x  ", s->b[k].data);
            describe_data(t, s->b[k].data, instr);
        } else {
            tb_printf(t, "hole: a miss here is a fault");
        }
        tb_printf(t, "\n");
        base = s->b[k].eaddr;
    }
}

size_t bf_cplb_describe(const bf_cplb *p, char *buf, size_t n)
{
    textbuf t = {buf, n, 0};
    if (n)
        buf[0] = '\0';
    const bf_cplb_config *c = &p->cfg;
    int lin = c->policy == BF_CPLB_POLICY_LINUX;
    tb_printf(&t, "CPLB policy: %s; part %s; SDRAM %u MB\n",
              lin ? "linux (nompu manager emulation)" : "explicit", bf_part_name(c->part),
              c->sdram_bytes / MB);
    if (lin) {
        const bf_cplb_layout *L = &p->lay;
        tb_printf(&t, "Kernel command line: \"%s\"\n", c->cmdline);
        tb_printf(&t, "Memory layout:\n");
        tb_printf(&t,
                  "  kernel memory  [0x00000000, 0x%08x)  linux.kernel_end, covered by %u fixed "
                  "4 MB entries\n",
                  c->kernel_end, kernel_pages(c));
        tb_printf(&t, "  memory_end     0x%08x  (_ramend - %u KB DMA zone%s)\n", L->memory_end,
                  c->dma_uncached_bytes / KB,
                  L->capped_05000263 ? (c->null_guard ? ", capped at 56 MB by anomaly 05000263"
                                                      : ", capped at 60 MB by anomaly 05000263")
                                     : "");
        if (L->uncached_end != L->memory_end)
            tb_printf(&t, "  uncached_end   0x%08x  (memory_end rounded down to 1 MB)\n",
                      L->uncached_end);
        tb_printf(&t, "  _ramend        0x%08x  (%s)\n", L->ramend,
                  L->mem_given ? "mem=" : "all SDRAM: no mem=");
        tb_printf(&t, "  physical end   0x%08x  (%s)\n", L->physical_mem_end,
                  L->max_mem_given ? "max_mem=" : "= _ramend: no max_mem=");
        if (L->physical_mem_end != L->ramend)
            tb_printf(&t, "  reserved       [0x%08x, 0x%08x)  data %s ($), instructions %s (#)\n",
                      L->ramend, L->physical_mem_end, L->reserved_dcache ? "cacheable" : "uncached",
                      L->reserved_icache ? "cacheable" : "uncached");
        tb_printf(&t, "  null guard     %s\n",
                  c->null_guard ? "1 KB at 0 (VALID|LOCK|DIRTY, no permission bits)" : "off");
        tb_printf(&t, "  miss handler   %u CCLK per miss (ESTIMATE)\n", c->miss_handler_cycles);
    }
    for (int instr = 0; instr < 2; instr++) {
        describe_table(&t, &p->s[instr], instr, lin);
        if (lin)
            describe_bounds(&t, &p->s[instr], instr);
    }
    return t.len + 1;
}

/* ------------------------------------------------------------------ entry text */

static const struct {
    const char *name;
    uint32_t bits;
} flag_names[] = {{"valid", BF_CPLB_VALID},
                  {"lock", BF_CPLB_LOCK},
                  {"user_rd", BF_CPLB_USER_RD},
                  {"user_wr", BF_CPLB_USER_WR},
                  {"supv_wr", BF_CPLB_SUPV_WR},
                  {"l1sram", BF_CPLB_L1SRAM},
                  {"da0acc", BF_CPLB_DA0ACC},
                  {"dirty", BF_CPLB_DIRTY},
                  {"lruprio", BF_CPLB_LRUPRIO},
                  {"portprio", BF_CPLB_PORTPRIO},
                  {"l1_chbl", BF_CPLB_L1_CHBL},
                  {"wt", BF_CPLB_WT},
                  {"l1_aow", BF_CPLB_L1_AOW},
                  {"chbl", BF_CPLB_L1_CHBL},
                  {"aow", BF_CPLB_L1_AOW},
                  {"common", BF_CPLB_DIRTY | BF_CPLB_SUPV_WR | BF_CPLB_USER_WR | BF_CPLB_USER_RD |
                                 BF_CPLB_VALID}};
enum { N_CANONICAL_FLAGS = 13 }; /* the first 13 names are one bit each, in bit order */

static int is_sep(char ch)
{
    return ch == '|' || ch == ',' || ch == ' ' || ch == '\t';
}

static int word_eq(const char *w, size_t len, const char *name)
{
    if (strlen(name) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char ch = w[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (ch != name[i])
            return 0;
    }
    return 1;
}

int bf_cplb_parse_entry(const char *text, bf_cplb_entry *out, char *err, size_t errn)
{
    const char *p = text, *end;
    uint32_t addr, data = 0;
    while (*p == ' ' || *p == '\t')
        p++;
    if (bf_cplb_memparse(p, &addr, &end) != BF_OK || (*end && !is_sep(*end))) {
        snprintf(err, errn, "'%s': expected an address first", text);
        return BF_EINPUT;
    }
    p = end;
    while (*p && is_sep(*p))
        p++;
    /* Page size word? */
    const char *w = p;
    while (*p && !is_sep(*p))
        p++;
    size_t wl = (size_t)(p - w);
    int code = -1;
    static const char *const sizes[4] = {"1k", "4k", "1m", "4m"};
    static const char *const sizes_b[4] = {"1kb", "4kb", "1mb", "4mb"};
    for (int k = 0; k < 4; k++)
        if (word_eq(w, wl, sizes[k]) || word_eq(w, wl, sizes_b[k]))
            code = k;
    if (code < 0) {
        /* Raw form: the second word is the DATA value. */
        if (wl == 0 || bf_cplb_memparse(w, &data, &end) != BF_OK || end != p) {
            snprintf(err, errn,
                     "'%s': expected DATA or a page size (1K, 4K, 1M, 4M) after the "
                     "address",
                     text);
            return BF_EINPUT;
        }
        while (*p && is_sep(*p))
            p++;
        if (*p) {
            snprintf(err, errn, "'%s': unexpected text after ADDR,DATA", text);
            return BF_EINPUT;
        }
        out->addr = addr;
        out->data = data;
        return BF_OK;
    }
    data = (uint32_t)code << PAGE_SHIFT_BITS;
    for (;;) {
        while (*p && is_sep(*p))
            p++;
        if (!*p)
            break;
        w = p;
        while (*p && !is_sep(*p))
            p++;
        wl = (size_t)(p - w);
        size_t k;
        for (k = 0; k < BF_ARRAY_SIZE(flag_names); k++)
            if (word_eq(w, wl, flag_names[k].name))
                break;
        uint32_t raw;
        if (k == BF_ARRAY_SIZE(flag_names) && bf_cplb_memparse(w, &raw, &end) == BF_OK &&
            end == p && !(raw & PAGE_MASK_BITS)) {
            data |= raw; /* bits without a name, as bf_cplb_format_entry writes them */
            continue;
        }
        if (k == BF_ARRAY_SIZE(flag_names)) {
            snprintf(err, errn, "'%s': unknown CPLB flag '%.*s'", text, (int)wl, w);
            return BF_EINPUT;
        }
        data |= flag_names[k].bits;
    }
    out->addr = addr;
    out->data = data;
    return BF_OK;
}

size_t bf_cplb_format_entry(const bf_cplb_entry *e, char *buf, size_t n)
{
    textbuf t = {buf, n, 0};
    if (n)
        buf[0] = '\0';
    unsigned code = (e->data & PAGE_MASK_BITS) >> PAGE_SHIFT_BITS;
    static const char *const sizes[4] = {"1K", "4K", "1M", "4M"};
    tb_printf(&t, "0x%08x %s", e->addr, sizes[code]);
    const char *sep = " ";
    uint32_t rest = e->data & ~PAGE_MASK_BITS;
    for (int k = 0; k < N_CANONICAL_FLAGS; k++) {
        if (rest & flag_names[k].bits) {
            tb_printf(&t, "%s%s", sep, flag_names[k].name);
            rest &= ~flag_names[k].bits;
            sep = "|";
        }
    }
    if (rest) /* bits with no name (10, 11, 13, 18..31) stay visible */
        tb_printf(&t, "%s0x%x", sep, rest);
    return t.len + 1;
}

size_t bf_cplb_format_fault(const bf_req *rq, const bf_cplb_result *res, char *buf, size_t n)
{
    textbuf t = {buf, n, 0};
    if (n)
        buf[0] = '\0';
    if (!res->fault)
        return 1;
    const char *what = rq->kind == BF_ACC_WRITE  ? "write"
                       : rq->kind == BF_ACC_READ ? "read"
                                                 : "fetch";
    const char *mode = rq->mode == BF_MODE_USER ? "user" : "supervisor";
    if (res->excause)
        tb_printf(&t, "%s (EXCAUSE 0x%02X): %s\n", bf_cplb_excause_name(res->excause), res->excause,
                  bf_fault_name(res->fault));
    else
        tb_printf(&t, "Hardware error 0x%02X: %s: %s\n", res->hwerr, bf_cplb_hwerr_name(res->hwerr),
                  bf_fault_name(res->fault));
    tb_printf(&t, " address 0x%08x (%s of %u bytes at 0x%08x), %s mode, record %llu\n",
              res->fault_addr, what, rq->size, rq->addr, mode, (unsigned long long)rq->record);
    if (res->excause)
        tb_printf(&t, " %s_STATUS 0x%08x  %s_FAULT_ADDR 0x%08x\n", res->instr ? "ICPLB" : "DCPLB",
                  res->status, res->instr ? "ICPLB" : "DCPLB", res->fault_addr);
    /* Linux reports a multiple hit below FIXED_CODE_START (0x400) as a NULL pointer access: the
    ** hunt-for-zero guard overlaps the kernel's first 4 MB page there. */
    if ((res->excause == BF_EXC_DCPLB_MULTI || res->excause == BF_EXC_ICPLB_MULTI) &&
        res->fault_addr < 0x400)
        tb_printf(&t, " NULL pointer access (the first 1 KB is guarded)\n");
    if (res->handler)
        tb_printf(&t, " miss handler ran: %llu CCLK, %u entries reloaded\n",
                  (unsigned long long)res->handler, res->reloaded);
    return t.len + 1;
}
