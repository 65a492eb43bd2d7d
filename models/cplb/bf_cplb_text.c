/*
** bf_cplb_text.c: the texts of a CPLB stage: the names of EXCAUSE and hardware-error codes, the
** kernel-oops-style report of a fault, the readable syntax of one entry (parse and format) and
** the description of the layout, tables and bounds for `bfsim config show`.
**
** Invariants: nothing here changes the stage; every writer takes a buffer and its size, always
** NUL-terminates when the size is not 0, and returns the length needed with the NUL (snprintf
** convention), so a caller can size the buffer with a first call.
*/
#include "bf_cplb_int.h"
#include "bf_strbuf.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ text */

/* Text of an EXCAUSE code ("Data access CPLB miss"). */
static const char *excause_name(int excause)
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

/* Text of a hardware-error cause (SEQSTAT[18:14]). */
static const char *hwerr_name(int hwerr)
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

static void describe_data(bf_strbuf *t, uint32_t d, int instr)
{
    if (!(d & BF_CPLB_VALID)) {
        bf_strbuf_printf(t, "invalid");
        return;
    }
    bf_strbuf_printf(t, "%s",
                     (d & BF_CPLB_L1_CHBL) ? (instr              ? "cacheable"
                                              : (d & BF_CPLB_WT) ? "cacheable write-through"
                                                                 : "cacheable write-back")
                                           : "uncached");
    bf_strbuf_printf(t, ", %s", (d & BF_CPLB_USER_RD) ? "user read" : "no user read");
    if (!instr)
        bf_strbuf_printf(t, ", %s, %s", (d & BF_CPLB_USER_WR) ? "user write" : "no user write",
                         (d & BF_CPLB_SUPV_WR) ? "supervisor write" : "no supervisor write");
    if (d & BF_CPLB_LOCK)
        bf_strbuf_printf(t, ", locked");
}

static void describe_table(bf_strbuf *t, const cplb_side *s, int instr, int linux_policy)
{
    const char *name = instr ? "ICPLB" : "DCPLB";
    bf_strbuf_printf(t, "%s table (%s", name, s->enabled ? "enabled" : "disabled");
    if (linux_policy)
        bf_strbuf_printf(t, ", first_switched %d", s->first_switched);
    bf_strbuf_printf(t, "):\n");
    for (int i = 0; i < NENT; i++) {
        const cplb_ent *e = &s->e[i];
        if (!e->data)
            continue;
        bf_strbuf_printf(t, "  [%2d] addr 0x%08x data 0x%08x  %-4s  ", i, e->addr, e->data,
                         page_names[ent_code(e)]);
        describe_data(t, e->data, instr);
        if (e->addr != e->base)
            bf_strbuf_printf(t, " (unaligned: matches 0x%08x-0x%08x)", e->base, e->base + ~e->mask);
        bf_strbuf_printf(t, "\n");
    }
}

static void describe_bounds(bf_strbuf *t, const cplb_side *s, int instr)
{
    bf_strbuf_printf(t,
                     "%s bounds (a miss loads a 4 MB page if it fits in its bound, else 1 MB):\n",
                     instr ? "ICPLB" : "DCPLB");
    uint32_t base = 0;
    for (int k = 0; k < s->nbounds; k++) {
        bf_strbuf_printf(t, "  [0x%08x, 0x%08x)  ", base, s->b[k].eaddr);
        if (s->b[k].data) {
            bf_strbuf_printf(t, "data 0x%08x  ", s->b[k].data);
            describe_data(t, s->b[k].data, instr);
        } else {
            bf_strbuf_printf(t, "hole: a miss here is a fault");
        }
        bf_strbuf_printf(t, "\n");
        base = s->b[k].eaddr;
    }
}

size_t bf_cplb_describe(const bf_cplb *p, char *buf, size_t n)
{
    bf_strbuf t = bf_strbuf_on(buf, n);
    const bf_cplb_config *c = &p->cfg;
    int lin = c->policy == BF_CPLB_POLICY_LINUX;
    bf_strbuf_printf(&t, "CPLB policy: %s; part %s; SDRAM %u MB\n",
                     lin ? "linux (nompu manager emulation)" : "explicit", bf_part_name(c->part),
                     c->sdram_bytes / MB);
    if (lin) {
        const bf_cplb_layout *L = &p->lay;
        bf_strbuf_printf(&t, "Kernel command line: \"%s\"\n", c->cmdline);
        bf_strbuf_printf(&t, "Memory layout:\n");
        bf_strbuf_printf(
            &t,
            "  kernel memory  [0x00000000, 0x%08x)  linux.kernel_end, covered by %u fixed "
            "4 MB entries\n",
            c->kernel_end, kernel_pages(c));
        bf_strbuf_printf(&t, "  memory_end     0x%08x  (_ramend - %u KB DMA zone%s)\n",
                         L->memory_end, c->dma_uncached_bytes / KB,
                         L->capped_05000263
                             ? (c->null_guard ? ", capped at 56 MB by anomaly 05000263"
                                              : ", capped at 60 MB by anomaly 05000263")
                             : "");
        if (L->uncached_end != L->memory_end)
            bf_strbuf_printf(&t, "  uncached_end   0x%08x  (memory_end rounded down to 1 MB)\n",
                             L->uncached_end);
        bf_strbuf_printf(&t, "  _ramend        0x%08x  (%s)\n", L->ramend,
                         L->mem_given ? "mem=" : "all SDRAM: no mem=");
        bf_strbuf_printf(&t, "  physical end   0x%08x  (%s)\n", L->physical_mem_end,
                         L->max_mem_given ? "max_mem=" : "= _ramend: no max_mem=");
        if (L->physical_mem_end != L->ramend)
            bf_strbuf_printf(
                &t, "  reserved       [0x%08x, 0x%08x)  data %s ($), instructions %s (#)\n",
                L->ramend, L->physical_mem_end, L->reserved_dcache ? "cacheable" : "uncached",
                L->reserved_icache ? "cacheable" : "uncached");
        bf_strbuf_printf(&t, "  null guard     %s\n",
                         c->null_guard ? "1 KB at 0 (VALID|LOCK|DIRTY, no permission bits)"
                                       : "off");
        bf_strbuf_printf(&t, "  miss handler   %u CCLK per miss (ESTIMATE)\n",
                         c->miss_handler_cycles);
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
    bf_strbuf t = bf_strbuf_on(buf, n);
    unsigned code = (e->data & PAGE_MASK_BITS) >> PAGE_SHIFT_BITS;
    static const char *const sizes[4] = {"1K", "4K", "1M", "4M"};
    bf_strbuf_printf(&t, "0x%08x %s", e->addr, sizes[code]);
    const char *sep = " ";
    uint32_t rest = e->data & ~PAGE_MASK_BITS;
    for (int k = 0; k < N_CANONICAL_FLAGS; k++) {
        if (rest & flag_names[k].bits) {
            bf_strbuf_printf(&t, "%s%s", sep, flag_names[k].name);
            rest &= ~flag_names[k].bits;
            sep = "|";
        }
    }
    if (rest) /* bits with no name (10, 11, 13, 18..31) stay visible */
        bf_strbuf_printf(&t, "%s0x%x", sep, rest);
    return t.len + 1;
}

size_t bf_cplb_format_fault(const bf_req *rq, const bf_cplb_result *res, char *buf, size_t n)
{
    bf_strbuf t = bf_strbuf_on(buf, n);
    if (!res->fault)
        return 1;
    const char *what = rq->kind == BF_ACC_WRITE  ? "write"
                       : rq->kind == BF_ACC_READ ? "read"
                                                 : "fetch";
    const char *mode = rq->mode == BF_MODE_USER ? "user" : "supervisor";
    if (res->excause)
        bf_strbuf_printf(&t, "%s (EXCAUSE 0x%02X): %s\n", excause_name(res->excause), res->excause,
                         bf_fault_name(res->fault));
    else
        bf_strbuf_printf(&t, "Hardware error 0x%02X: %s: %s\n", res->hwerr, hwerr_name(res->hwerr),
                         bf_fault_name(res->fault));
    bf_strbuf_printf(&t, " address 0x%08x (%s of %u bytes at 0x%08x), %s mode, record %llu\n",
                     res->fault_addr, what, rq->size, rq->addr, mode,
                     (unsigned long long)rq->record);
    if (res->excause)
        bf_strbuf_printf(&t, " %s_STATUS 0x%08x  %s_FAULT_ADDR 0x%08x\n",
                         res->instr ? "ICPLB" : "DCPLB", res->status,
                         res->instr ? "ICPLB" : "DCPLB", res->fault_addr);
    /* Linux reports a multiple hit below FIXED_CODE_START (0x400) as a NULL pointer access: the
    ** hunt-for-zero guard overlaps the kernel's first 4 MB page there. */
    if ((res->excause == BF_EXC_DCPLB_MULTI || res->excause == BF_EXC_ICPLB_MULTI) &&
        res->fault_addr < 0x400)
        bf_strbuf_printf(&t, " NULL pointer access (the first 1 KB is guarded)\n");
    if (res->handler)
        bf_strbuf_printf(&t, " miss handler ran: %llu CCLK, %u entries reloaded\n",
                         (unsigned long long)res->handler, res->reloaded);
    return t.len + 1;
}
