/*
** bf_cplb_int.h: the state of one CPLB stage, shared by the files of models/cplb and by nothing
** else (the public interface is bf_cplb.h, where bf_cplb is opaque).
**
**   bf_cplb.c        the hardware: entries, the check (the per-access hot path), the registers,
**                    creation
**   bf_cplb_linux.c  configuration and the Linux "nompu" manager: layout, boot tables, bounds,
**                    the miss handler's reload
**   bf_cplb_hot.c    the hottest-pages table (statistics of the pages entries served)
**   bf_cplb_text.c   text: fault reports, entry syntax, `config show` description
**
** Invariants (checked by assert() in debug builds, see bf_cplb.c):
**   - for each side, e[i].excl == 1 iff e[i] is valid and no other valid entry of the side
**     overlaps it; each memo slot is empty (mask 0, base 1: matches no address) or a copy of
**     the base, mask, perm and attrs of exclusive entry idx, and every slot is empty while its
**     side is disabled;
**   - e[i].mask is ~(page size - 1) for the page size of e[i].data and e[i].base = addr & mask;
**     addr == base except for the Linux L1 boot entries (assumption A1 in bf_cplb.c);
**   - view[i] == {e[i].addr, e[i].data};
**   - first_switched <= NENT and, under the Linux policy, 0 <= rr < NENT - first_switched
**     whenever the miss handler picks a victim; nbounds <= MAX_BOUNDS.
*/
#ifndef BF_CPLB_INT_H
#define BF_CPLB_INT_H

#include "bf_cplb.h"
#include "bf_htab.h"

enum {
    NENT = 16,
    KB = 1024u,
    MB = 1024u * 1024u,
    HOT_PAGES = 1024,          /* hottest-pages table: distinct pages per side */
    HOT_SLOTS = 2 * HOT_PAGES, /* its bf_htab slots (a fixed table holds up to half) */
    MAX_BOUNDS = 10,
    PAGE_SHIFT_BITS = 16,
    PAGE_MASK_BITS = 3u << 16,
    NO_ENTRY = 0xFF,
    MEMO = 64 /* rule 2: shortcut memo slots per side, one per 1 MB (address bits 25:20) */
};
#define MEMO_SLOT(a) (((a) >> 20) & (MEMO - 1u))

/* Memory-map constants the Linux bounds use (reference section 1). */
#define ASYNC_BANK0_BASE BF_ASYNC_BASE
#define ASYNC_END BF_ASYNC_END /* end of async bank 3 */
#define BOOT_ROM_START BF_BOOTROM_BASE
#define L1_SPACE_START BF_L1_SPACE_BASE
#define MMR_START BF_SYS_MMR_BASE

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

/* Rule 2's memo slot: a copy of what an exclusive entry's check reads, so that the shortcut is one
** compare on one 16-byte record, not an index into the entries. */
typedef struct cplb_memo {
    uint32_t base, mask; /* the entry's; empty: base 1, mask 0 */
    uint32_t attrs;      /* the entry's BF_REQ_* attributes */
    uint8_t perm;        /* the entry's permission set */
    uint8_t idx;         /* the entry */
    uint8_t pad[2];
} cplb_memo;

typedef struct cplb_bound {
    uint32_t eaddr; /* end (exclusive); the start is the previous bound's end (or 0) */
    uint32_t data;  /* CPLB_DATA without the page size; 0 = hole */
} cplb_bound;

/* A page's record in the hottest-pages table (key: hot_key). */
typedef struct hot_rec {
    uint64_t hits;
    uint64_t loads;
} hot_rec;

typedef struct cplb_side {
    cplb_ent e[NENT];
    bf_cplb_entry view[NENT]; /* {addr, data} as software sees the MMRs */
    int enabled;
    cplb_memo memo[MEMO]; /* rule 2: per 1 MB slot, the exclusive entry of the last hit there */
    int first_switched;   /* Linux: entries below this index are fixed */
    int rr;               /* Linux: round-robin index */
    int nbounds;
    uint32_t status;     /* xCPLB_STATUS */
    uint32_t fault_addr; /* xCPLB_FAULT_ADDR */
    cplb_bound b[MAX_BOUNDS];
    bf_htab hot; /* hot_key -> hot_rec, fixed memory (HOT_SLOTS) */
} cplb_side;

struct bf_cplb {
    bf_cplb_config cfg;
    bf_cplb_stats *st;
    bf_cplb_stats own_stats; /* used when the caller passes no stats struct */
    bf_cplb_layout lay;
    cplb_side s[2]; /* 0 = DCPLB, 1 = ICPLB */
    void *hot_mem;  /* both sides' hottest-pages tables */
};

static inline uint32_t kernel_pages(const bf_cplb_config *c)
{
    return (uint32_t)(((uint64_t)c->kernel_end + 4 * MB - 1) / (4 * MB));
}

static inline unsigned ent_code(const cplb_ent *e)
{
    return (e->data & PAGE_MASK_BITS) >> PAGE_SHIFT_BITS;
}

/* Key of a page in the hottest-pages table. */
static inline uint32_t hot_key(uint32_t base, unsigned code)
{
    return base | code;
}

/* bf_cplb.c: write entry i of a side (instr) as software would, retiring its old page into the
** hottest-pages table and recomputing exclusivity. The caller has checked alignment (A1). */
void bf_cplb_ent_load(bf_cplb *p, int instr, int i, uint32_t addr, uint32_t data);

/* bf_cplb_linux.c: parse linux.cmdline and derive the layout. Returns NULL or a message written
** into msg. */
const char *bf_cplb_layout_compute(const bf_cplb_config *c, bf_cplb_layout *L, char *msg, size_t n);
/* bf_cplb_linux.c: boot tables and bounds from p->cfg and p->lay. */
void bf_cplb_build_linux(bf_cplb *p);
/* bf_cplb_linux.c: the Linux nompu miss handler: returns 1 if it loaded an entry. */
int bf_cplb_manager_reload(bf_cplb *p, int instr, bf_addr addr);

/* The record of page key in a side's hottest-pages table, inserted (zero) if absent; NULL if
** the table is full (bf_cplb_hot.c states its invariants). */
static inline hot_rec *hot_get(cplb_side *s, uint32_t key)
{
    hot_rec *h = bf_htab_find_rec(&s->hot, key);
    return h ? h : bf_htab_add(&s->hot, key, NULL);
}

#endif
