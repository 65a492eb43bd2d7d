/*
** bf_memsys.c: the one builder of the BF533 memory system: the models composed into one chain of
** ports, used by `bfsim run`, `bfsim alloc` and the SystemC platform (systemc/bf_tlm_platform.cpp).
**
**   core --> [CPLB stage] --> [core-MMR stage] --> L1 (bf_l1_port) --ext--> EBIU port
**
** The EBIU port is a parameter (bf_memsys_create_ebiu): by default the DMA controller's core side
** (bf_dma_core_xfer) in front of the SDRAM model, both owned here; the SystemC platform passes its
** TLM outport instead and binds its EBIU target to the same DMA/SDRAM models.
**
** Path of a core access (rules, in order):
**  1. CPLB stage (cplb_stage, over models/cplb): permissions, exceptions, page attributes; the
**     Linux manager's miss handler time delays the access (core.stall.cplb). A fault ends the
**     access there. Otherwise the request goes on with the page attributes in its flags, issued
**     after the handler time.
**  2. Core-MMR stage (mmr_stage): core MMRs (0xFFE00000..) are served there at core.mmr_cycles
**     (ESTIMATE); everything else goes on to L1. Register values arrive as MMR trace records
**     through bf_memsys_mmr_write: DMEM_CONTROL, IMEM_CONTROL and xCPLB_ADDRn/DATAn are applied
**     (rule 3); the other CPLB, cache-control, EBIU and PLL registers are refused as input errors
**     naming the register; other MMRs have no effect on the memory system and are only counted.
**  3. xCPLB_ADDRn/DATAn writes (explicit policy only) go to a pending pair per entry. With the
**     group disabled (ENxCPLB = 0), as the PRM requires for a rewrite, the pairs written take
**     effect when DMEM_CONTROL/IMEM_CONTROL enables the group again; with the group enabled the
**     pair takes effect at once. A pair whose ADDR is not aligned to its DATA's page size, when
**     it takes effect, is an input error.
**  4. L1 (models/l1) serves SRAM and cache hits itself and sends fills, uncached accesses,
**     write-buffer drains and victim write-backs to the EBIU port (models/sdram serves SDRAM,
**     async banks and the system MMRs).
**  5. DMA (bf_dma): DMA records become transfers of the DMA engine, whose requests reach the
**     EBIU beside L1's: L1's ext port is the engine's core-side port, which issues the DMA
**     requests that the CDPRIO arbitration puts first. The hazard detector (models/l1/bf_hazard)
**     watches L1's lines and the DMA transfers.
**  6. Fast path (bf_memsys_access_fast, docs/performance.md): the CPLB stage's memo check
**     (bf_cplb_check_hit) and an L1 hit (bf_l1_hit) without a request; whatever either declines
**     continues on the same chain (rule 1, or the stage after the CPLB stage).
**  7. Functional data (allocators only): after the timing path, bytes are copied from or to the
**     backing store of the region (SDRAM, L1 SRAM, scratchpad); other regions read as zero. The
**     allocators' accessor asks bf_memsys_data_fast first (rule 6 for its request, no bf_req),
**     and bf_memsys_functional_fast for its untimed measurements.
** Invariant: every stall cycle a core access costs is counted in exactly one stall counter
** (core.stall.* here, l1.stall.* in L1), so the stall breakdown sums to the stalled cycles.
*/
#include "bf_memsys.h"
#include "bf_bf533.h"
#include "bf_hmem.h"

#include "bf_dma.h"

#include <stdlib.h>
#include <string.h>

#define BF_STAT_STRUCT bf_memsys_stats
const bf_stat_desc bf_memsys_stat_desc[] = {BF_MEMSYS_STATS(BF_STAT_DESC)};
#undef BF_STAT_STRUCT
const size_t bf_memsys_stat_count = BF_ARRAY_SIZE(bf_memsys_stat_desc);

/* the page attributes the CPLB stage sets on a request */
#define L1_ATTRS (BF_REQ_CACHEABLE | BF_REQ_WT | BF_REQ_AOW | BF_REQ_LRUPRIO)

struct bf_memsys {
    bf_machine m;
    bf_cplb *cplb;
    bf_l1 *l1;
    bf_sdram *sdram;
    bf_dma *dma;
    bf_hazard *hz;
    bf_port cplb_next;       /* the stage after the CPLB stage: the core-MMR stage */
    bf_port mmr_next;        /* the stage after the core-MMR stage: L1 (bf_l1_port) */
    bf_port ebiu;            /* L1's ext port (bf_memsys_create_ebiu) */
    bf_cplb_result cplb_res; /* the CPLB stage's outcome of the last full-path access */
    bf_dma_stats dma_stats;
    bf_hazard_stats hz_stats;
    bf_cplb_stats cplb_stats;
    bf_l1_stats l1_stats;
    bf_sdram_stats sdram_stats;
    bf_memsys_stats stats;
    uint32_t sdram_bytes;
    uint8_t *sdram_mem; /* functional SDRAM bytes, calloc'ed (pages touched lazily) */
    int host_oom;       /* sdram_mem could not be allocated */
    uint8_t l1d_a[BF_L1_DATA_BANK_BYTES]; /* bank A, from BF_L1_DATA_A_BASE */
    uint8_t l1d_b[BF_L1_DATA_BANK_BYTES]; /* bank B, from BF_L1_DATA_B_BASE */
    uint8_t l1i[BF_L1_INST_SRAM_BYTES + BF_L1_INST_CACHE_BYTES]; /* from BF_L1_INST_BASE */
    uint8_t scratch[BF_SCRATCH_BYTES];                           /* from BF_SCRATCH_BASE */
    bf_cplb_entry pend[2][16]; /* xCPLB_ADDRn/DATAn as written, [0] D, [1] I (rule 3) */
    uint16_t pend_dirty[2];    /* entries written since they last took effect */
    int cplb_on[2];            /* ENDCPLB / ENICPLB as last written */
};

void bf_memsys_destroy(bf_memsys *s)
{
    if (!s)
        return;
    bf_dma_destroy(s->dma);
    bf_hazard_destroy(s->hz);
    bf_l1_destroy(s->l1);
    bf_sdram_destroy(s->sdram);
    bf_cplb_destroy(s->cplb);
    free(s->sdram_mem);
    free(s);
}

static int reg_add(bf_stats *reg, const bf_stat_desc *d, size_t n, void *base, char *err,
                   size_t errn)
{
    const char *dup = NULL;
    int rc = bf_stats_add(reg, d, n, base, &dup);
    if (rc)
        snprintf(err, errn, "statistics registry: %s%s",
                 rc == BF_ESTATE ? "duplicate stat " : "out of host memory",
                 rc == BF_ESTATE && dup ? dup : "");
    return rc;
}

static int mmr_stage(void *ctx, const bf_req *rq, bf_resp *rs);

/* L1's ext port: the EBIU port given at creation, or the DMA engine's core side (it issues the
** DMA requests that go first); the engine is created after L1, hence the indirection. */
static int ext_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    bf_memsys *s = ctx;
    return s->ebiu.xfer ? s->ebiu.xfer(s->ebiu.ctx, rq, rs) : bf_dma_core_xfer(s->dma, rq, rs);
}

int bf_memsys_create(const bf_machine *m, bf_stats *reg, bf_memsys **out, char *err, size_t errn)
{
    return bf_memsys_create_ebiu(m, NULL, reg, out, err, errn);
}

int bf_memsys_create_ebiu(const bf_machine *m, const bf_port *ebiu, bf_stats *reg, bf_memsys **out,
                          char *err, size_t errn)
{
    bf_memsys *s = bf_calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errn, "out of host memory");
        return BF_ENOMEM;
    }
    s->m = *m;
    if (ebiu)
        s->ebiu = *ebiu;
    s->sdram_bytes = bf_machine_sdram_bytes(m);
    int rc;
    if ((rc = bf_sdram_create(&m->sdram, &s->sdram_stats, &s->sdram))) {
        snprintf(err, errn, "EBIU model: %s", bf_rc_name(rc));
        goto fail;
    }
    bf_port ext = {ext_xfer, s};
    if ((rc = bf_l1_create(&m->l1, ext, &s->l1_stats, &s->l1))) {
        snprintf(err, errn, "L1 model: %s", bf_rc_name(rc));
        goto fail;
    }
    bf_dma_config dc = {m->dma_channels, m->dma_chunk_bytes};
    if ((rc = bf_dma_create(&dc, s->l1, s->sdram, &s->dma_stats, &s->dma)) ||
        (rc = bf_hazard_create(&s->hz_stats, &s->hz))) {
        snprintf(err, errn, "DMA engine: %s", bf_rc_name(rc));
        goto fail;
    }
    bf_l1_set_hazard(s->l1, s->hz);
    s->cplb_next = (bf_port){mmr_stage, s};
    s->mmr_next = bf_l1_port(s->l1);
    if ((rc = bf_cplb_create(&m->cplb, &s->cplb_stats, &s->cplb))) {
        snprintf(err, errn, "CPLB model: %s", bf_rc_name(rc));
        goto fail;
    }
    if (reg) {
        if ((rc = reg_add(reg, bf_memsys_stat_desc, bf_memsys_stat_count, &s->stats, err, errn)) ||
            (rc = reg_add(reg, bf_cplb_stat_desc, bf_cplb_stat_count, &s->cplb_stats, err, errn)) ||
            (rc = reg_add(reg, bf_l1_stat_desc, bf_l1_stat_count, &s->l1_stats, err, errn)) ||
            (rc = reg_add(reg, bf_sdram_stat_desc, bf_sdram_stat_count, &s->sdram_stats, err,
                          errn)) ||
            (rc = reg_add(reg, bf_dma_stat_desc, bf_dma_stat_count, &s->dma_stats, err, errn)) ||
            (rc = reg_add(reg, bf_hazard_stat_desc, bf_hazard_stat_count, &s->hz_stats, err, errn)))
            goto fail;
    }
    for (int side = 0; side < 2; side++) {
        memcpy(s->pend[side], bf_cplb_table(s->cplb, side), sizeof s->pend[side]);
        s->cplb_on[side] = (int)(side ? m->icplb_enable : m->dcplb_enable);
    }
    *out = s;
    return BF_OK;
fail:
    bf_memsys_destroy(s);
    return rc;
}

const bf_machine *bf_memsys_machine(const bf_memsys *s)
{
    return &s->m;
}
bf_port bf_memsys_ebiu_port(bf_memsys *s)
{
    bf_port p = {bf_dma_core_xfer, s->dma};
    return p;
}
bf_memsys_blocks bf_memsys_stat_blocks(bf_memsys *s)
{
    bf_memsys_blocks b = {&s->stats,       &s->cplb_stats, &s->l1_stats,
                          &s->sdram_stats, &s->dma_stats,  &s->hz_stats};
    return b;
}
bf_cplb *bf_memsys_cplb(bf_memsys *s)
{
    return s->cplb;
}
bf_l1 *bf_memsys_l1(bf_memsys *s)
{
    return s->l1;
}
bf_sdram *bf_memsys_sdram(bf_memsys *s)
{
    return s->sdram;
}

static int is_core_mmr(bf_addr a)
{
    return a >= BF_CORE_MMR_BASE;
}

/* Rule 2: the core-MMR stage, a port (ctx: the bf_memsys). */
static int mmr_stage(void *ctx, const bf_req *rq, bf_resp *rs)
{
    bf_memsys *s = ctx;
    if (!is_core_mmr(rq->addr))
        return s->mmr_next.xfer(s->mmr_next.ctx, rq, rs);
    s->stats.mmr_accesses++;
    uint32_t c = s->m.core_mmr_cycles;
    uint32_t hit = s->m.l1.hit_cycles;
    s->stats.stall_mmr += c > hit ? c - hit : 0;
    memset(rs, 0, sizeof *rs);
    rs->ready = rs->done = rq->now + (c > hit ? c : hit);
    rs->hit = 1;
    return BF_OK;
}

/* The rest of the chain after the CPLB stage has checked r with attributes attrs and handler
** time `handler`: charge it, set the attributes, forward; count a fault raised further down.
** r is the caller's own copy, changed in place: the fast path's miss builds its request once
** (a copy of a request just built field by field is a wide load over narrow stores, which the
** host cannot forward from its store buffer: perf put 5 % of a trace replay on that copy). */
static int after_cplb(bf_memsys *s, bf_req *r, uint32_t attrs, bf_cycles handler, bf_resp *rs)
{
    r->now += handler;
    s->stats.stall_cplb += handler;
    r->flags = (r->flags & ~(uint32_t)L1_ATTRS) | attrs | BF_REQ_ATTR_KNOWN;
    int rc = s->cplb_next.xfer(s->cplb_next.ctx, r, rs);
    if (rc == BF_OK && rs->fault)
        s->stats.faults++;
    return rc;
}

/* Rule 1: the CPLB stage, a port (ctx: the bf_memsys); its outcome stays in s->cplb_res. */
static int cplb_stage(void *ctx, const bf_req *rq, bf_resp *rs)
{
    bf_memsys *s = ctx;
    bf_cplb_result *res = &s->cplb_res;
    int rc;
    if (rq->flags & BF_REQ_NOALIGNCHK) {
        /* host-trace reference kept whole (x86 fetches, --misaligned=count-once): check the page
        ** of its first byte, not its alignment, by presenting a 1-byte access at the aligned
        ** word (fetches are checked for 2-byte alignment whatever their size) */
        bf_req a = *rq;
        a.addr &= ~(bf_addr)3;
        a.size = 1;
        rc = bf_cplb_check(s->cplb, &a, res);
    } else {
        rc = bf_cplb_check(s->cplb, rq, res);
    }
    if (rc)
        return rc;
    if (res->fault) {
        /* the exception (and, under the Linux policy, the miss handler that found no bound) took
        ** its time before the fault was known: charge it as for a successful reload */
        memset(rs, 0, sizeof *rs);
        /* the faulting access still spent its issue cycle (stall accounting, bf_l1.h) */
        rs->ready = rs->done = rq->now + s->m.l1.hit_cycles + res->handler;
        rs->fault = res->fault;
        rs->excause = res->excause;
        rs->fault_addr = rq->addr;
        s->stats.stall_cplb += res->handler;
        s->stats.faults++;
        return BF_OK;
    }
    bf_req r = *rq;
    return after_cplb(s, &r, res->attrs, res->handler, rs);
}

int bf_memsys_access(bf_memsys *s, const bf_req *rq, bf_resp *rs, bf_cplb_result *resout)
{
    int rc = cplb_stage(s, rq, rs);
    if (resout)
        *resout = s->cplb_res;
    return rc;
}

#if defined(__GNUC__)
#define MEMSYS_NOINLINE __attribute__((noinline))
#define MEMSYS_FLATTEN __attribute__((flatten))
#else
#define MEMSYS_NOINLINE
#define MEMSYS_FLATTEN
#endif

/* The fast path's access that the CPLB stage's memo checked (attributes attrs) but L1 did not
** serve as a hit: the rest of the chain after the CPLB stage (no handler time). Out of line, so
** that the hit path of access_fast stays a small function. */
static MEMSYS_NOINLINE int fast_rest(bf_memsys *s, int kind, bf_addr addr, uint32_t size, int mode,
                                     uint32_t flags, bf_cycles now, uint64_t record, int source,
                                     uint32_t attrs, bf_resp *rs)
{
    bf_req r = {.addr = addr,
                .size = size,
                .kind = (uint8_t)kind,
                .mode = (uint8_t)mode,
                .source = (uint8_t)source,
                .flags = flags,
                .now = now,
                .record = record};
    return after_cplb(s, &r, attrs, 0, rs) == BF_OK ? 1 : -1;
}

/* bf_memsys_access_fast for a requester `source` (the core for traces, BF_SRC_ALLOC for the
** allocators' data port): the source only travels with an L1 miss to the EBIU. */
static inline int access_fast(bf_memsys *s, int kind, bf_addr addr, uint32_t size, int mode,
                              uint32_t flags, bf_cycles now, uint64_t record, int source,
                              bf_resp *rs)
{
    /* the CPLB stage sees what cplb_stage presents to it (a host reference: its word) */
    int noalign = (flags & BF_REQ_NOALIGNCHK) != 0;
    uint32_t attrs =
        bf_cplb_check_hit(s->cplb, kind == BF_ACC_IFETCH, noalign ? addr & ~(bf_addr)3 : addr,
                          noalign ? 1 : size, kind == BF_ACC_WRITE, mode == BF_MODE_USER);
    if (!attrs)
        return 0;
    if (bf_l1_hit(s->l1, kind, addr, size, attrs | (flags & BF_REQ_WHOLEREF), now, &rs->ready)) {
        rs->done = rs->ready;
        rs->fault = 0;
        rs->hit = 1;
        return 1;
    }
    /* checked, but not an L1 hit */
    return fast_rest(s, kind, addr, size, mode, flags, now, record, source, attrs, rs);
}

int bf_memsys_access_fast(bf_memsys *s, int kind, bf_addr addr, uint32_t size, int mode,
                          uint32_t flags, bf_cycles now, uint64_t record, bf_resp *rs)
{
    return access_fast(s, kind, addr, size, mode, flags, now, record, BF_SRC_CORE, rs);
}

int bf_memsys_op(bf_memsys *s, int op, const bf_req *rq, bf_resp *rs, bf_cplb_result *resout)
{
    bf_req r = *rq;
    bf_cplb_result res;
    memset(&res, 0, sizeof res);
    if (op != BF_OP_SSYNC && op != BF_OP_CSYNC) {
        /* line ops go through the cache-op rule (bf_cplb_check_cacheop): the line address is
        ** checked, misses and multiple hits raise the exception, protection (including the
        ** implicit user/DAG1 MMR rule) and the hardware errors of ordinary accesses do not: a
        ** cache instruction on reserved space or an MMR is a no-op in L1 */
        r.kind = op == BF_OP_IFLUSH ? BF_ACC_IFETCH : BF_ACC_READ;
        r.addr = rq->addr & ~BF_LINE_MASK;
        r.size = 1;
        int rc = bf_cplb_check_cacheop(s->cplb, &r, &res);
        if (rc)
            return rc;
        if (res.fault) {
            if (resout)
                *resout = res;
            memset(rs, 0, sizeof *rs);
            rs->ready = rs->done = rq->now + s->m.l1.cacheop_cycles + res.handler;
            rs->fault = res.fault;
            rs->excause = res.excause;
            rs->fault_addr = r.addr;
            s->stats.stall_cplb += res.handler;
            s->stats.faults++;
            return BF_OK;
        }
        res.fault = 0;
        res.excause = 0;
        r.now = rq->now + res.handler;
        s->stats.stall_cplb += res.handler;
        r.flags = res.attrs | BF_REQ_ATTR_KNOWN;
        r.addr = rq->addr;
    }
    if (resout)
        *resout = res;
    return bf_l1_op(s->l1, op, &r, rs);
}

int bf_memsys_dma_submit(bf_memsys *s, const bf_hazard_xfer *x, bf_cycles start, bf_cycles *next,
                         bf_dma_reject *rej)
{
    return bf_dma_submit(s->dma, x, start, next, rej);
}

int bf_memsys_dma_advance(bf_memsys *s, bf_cycles t, bf_cycles *next)
{
    return bf_dma_advance(s->dma, t, next);
}

void bf_memsys_dma_on_fault(bf_memsys *s, void (*fn)(void *, const bf_hazard_xfer *, int, bf_addr),
                            void *ctx)
{
    bf_dma_on_fault(s->dma, fn, ctx);
}

bf_hazard *bf_memsys_hazard(bf_memsys *s)
{
    return s->hz;
}

/* Registers an MMR record may not write: they would change the memory system in ways the
** replay does not apply (rule 2). */
static const struct {
    bf_addr addr;
    const char *name, *why;
} mmr_refused[] = {
    {0xFFC00000u, "PLL_CTL", "the clocks are configuration (clock.*)"},
    {0xFFC00004u, "PLL_DIV", "the clocks are configuration (clock.*)"},
    {0xFFC00A00u, "EBIU_AMGCTL", "EBIU registers are configuration (ebiu.amgctl)"},
    {0xFFC00A04u, "EBIU_AMBCTL0", "EBIU registers are configuration (ebiu.ambctl0)"},
    {0xFFC00A08u, "EBIU_AMBCTL1", "EBIU registers are configuration (ebiu.ambctl1)"},
    {0xFFC00A10u, "EBIU_SDGCTL", "EBIU registers are configuration (ebiu.sdgctl)"},
    {0xFFC00A14u, "EBIU_SDBCTL", "EBIU registers are configuration (ebiu.sdbctl)"},
    {0xFFC00A18u, "EBIU_SDRRC", "EBIU registers are configuration (ebiu.sdrrc)"},
    {0xFFC00A1Cu, "EBIU_SDSTAT", "EBIU registers are configuration"},
    {BF_SRAM_BASE_ADDRESS, "SRAM_BASE_ADDRESS", "read-only"},
    {0xFFE00008u, "DCPLB_STATUS", "read-only"},
    {0xFFE0000Cu, "DCPLB_FAULT_ADDR", "read-only"},
    {0xFFE00300u, "DTEST_COMMAND", "cache test accesses are not modelled"},
    {0xFFE00400u, "DTEST_DATA0", "cache test accesses are not modelled"},
    {0xFFE00404u, "DTEST_DATA1", "cache test accesses are not modelled"},
    {0xFFE01008u, "ICPLB_STATUS", "read-only"},
    {0xFFE0100Cu, "ICPLB_FAULT_ADDR", "read-only"},
    {0xFFE01300u, "ITEST_COMMAND", "cache test accesses are not modelled"},
    {0xFFE01400u, "ITEST_DATA0", "cache test accesses are not modelled"},
    {0xFFE01404u, "ITEST_DATA1", "cache test accesses are not modelled"},
};

static const char *const side_name[2] = {"DCPLB", "ICPLB"};

/* Rule 3: entries written while the group was disabled take effect (it is being enabled). */
static int cplb_commit(bf_memsys *s, int side, int idx, char *err, size_t errn)
{
    const bf_cplb_entry *e = &s->pend[side][idx];
    if (bf_cplb_write(s->cplb, side, idx, e->addr, e->data) != BF_OK) {
        snprintf(err, errn, "%s_ADDR%d 0x%08x is not aligned to the page size of %s_DATA%d 0x%08x",
                 side_name[side], idx, e->addr, side_name[side], idx, e->data);
        return BF_EINPUT;
    }
    s->pend_dirty[side] &= (uint16_t) ~(1u << idx);
    return BF_OK;
}

static int cplb_enable(bf_memsys *s, int side, int on, char *err, size_t errn)
{
    if (on)
        for (int i = 0; i < 16; i++)
            if ((s->pend_dirty[side] >> i) & 1u)
                if (cplb_commit(s, side, i, err, errn))
                    return BF_EINPUT;
    s->cplb_on[side] = on;
    bf_cplb_enable(s->cplb, side, on);
    return BF_OK;
}

int bf_memsys_mmr_write(bf_memsys *s, bf_addr addr, uint32_t value, bf_cycles now, char *err,
                        size_t errn)
{
    s->stats.mmr_accesses++;
    if (addr == BF_DMEM_CONTROL) {
        if (cplb_enable(s, 0, (int)BF_ENDCPLB(value), err, errn))
            return BF_EINPUT;
        return bf_l1_write_dmem_control(s->l1, value, now);
    }
    if (addr == BF_IMEM_CONTROL) {
        if (cplb_enable(s, 1, (int)BF_ENICPLB(value), err, errn))
            return BF_EINPUT;
        return bf_l1_write_imem_control(s->l1, value, now);
    }
    /* xCPLB_ADDRn 0xFFE0x100 + 4n, xCPLB_DATAn 0xFFE0x200 + 4n (x = 0 D, 1 I) */
    bf_addr off = addr & 0xFFFFEFFFu;
    if ((addr & 0xFFFFE000u) == BF_CORE_MMR_BASE && off >= 0xFFE00100u && off < 0xFFE00240u &&
        (off & 0xC0u) == 0) {
        int side = (addr >> 12) & 1, data = off >= 0xFFE00200u, idx = (int)((off & 0x3Fu) >> 2);
        if (s->m.cplb.policy != BF_CPLB_POLICY_EXPLICIT) {
            snprintf(err, errn,
                     "%s_%s%d: cplb.policy = linux manages the CPLB tables itself (replaying "
                     "CPLB writes needs cplb.policy = explicit)",
                     side_name[side], data ? "DATA" : "ADDR", idx);
            return BF_EINPUT;
        }
        if (data)
            s->pend[side][idx].data = value;
        else
            s->pend[side][idx].addr = value;
        s->pend_dirty[side] |= (uint16_t)(1u << idx);
        return s->cplb_on[side] ? cplb_commit(s, side, idx, err, errn) : BF_OK;
    }
    for (size_t i = 0; i < BF_ARRAY_SIZE(mmr_refused); i++) {
        if (mmr_refused[i].addr == addr) {
            snprintf(err, errn, "%s (0x%08x): a write is not applied by the replay: %s",
                     mmr_refused[i].name, addr, mmr_refused[i].why);
            return BF_EINPUT;
        }
    }
    return BF_OK;
}

int bf_memsys_finish(bf_memsys *s, bf_cycles now, bf_cycles *idle)
{
    return bf_dma_finish(s->dma, now, idle);
}

/* Functional backing store of an address range, or NULL (reads as zero, writes dropped). */
static uint8_t *backing(bf_memsys *s, bf_addr a, uint32_t n)
{
    uint64_t end = (uint64_t)a + n;
    if (end <= s->sdram_bytes) {
        if (!s->sdram_mem) {
            s->sdram_mem = bf_calloc(1, s->sdram_bytes);
            if (!s->sdram_mem) {
                s->host_oom = 1; /* never read as zero: the access fails (bf_memsys_host_oom) */
                return NULL;
            }
        }
        return s->sdram_mem + a;
    }
    if (a >= BF_L1_DATA_A_BASE && end <= BF_L1_DATA_A_BASE + sizeof s->l1d_a)
        return s->l1d_a + (a - BF_L1_DATA_A_BASE);
    if (a >= BF_L1_DATA_B_BASE && end <= BF_L1_DATA_B_BASE + sizeof s->l1d_b)
        return s->l1d_b + (a - BF_L1_DATA_B_BASE);
    if (a >= BF_L1_INST_BASE && end <= BF_L1_INST_BASE + sizeof s->l1i)
        return s->l1i + (a - BF_L1_INST_BASE);
    if (a >= BF_SCRATCH_BASE && end <= BF_SCRATCH_BASE + sizeof s->scratch)
        return s->scratch + (a - BF_SCRATCH_BASE);
    return NULL;
}

/* memcpy with the allocators' word, half-word and byte sizes inlined (the per-access hot path) */
static void copy_bytes(uint8_t *d, const uint8_t *src, uint32_t n)
{
    switch (n) {
    case 4:
        memcpy(d, src, 4);
        break;
    case 2:
        memcpy(d, src, 2);
        break;
    case 1:
        *d = *src;
        break;
    default:
        memcpy(d, src, n);
        break;
    }
}

static inline int move_data(bf_memsys *s, bf_addr a, uint32_t size, int kind, uint8_t *data)
{
    uint8_t *p = backing(s, a, size);
    if (!p && s->host_oom)
        return BF_ENOMEM;
    if (kind == BF_ACC_WRITE) {
        if (p)
            copy_bytes(p, data, size);
    } else {
        if (p)
            copy_bytes(data, p, size);
        else
            memset(data, 0, size);
    }
    return BF_OK;
}

static int copy_data(bf_memsys *s, const bf_req *rq)
{
    return move_data(s, rq->addr, rq->size, rq->kind, rq->data);
}

int bf_memsys_host_oom(const bf_memsys *s)
{
    return s->host_oom;
}

/* A request arriving through a port (the allocators' data port, the SystemC core front) takes
** the same fast path as trace records (sim.fast_path): a CPLB memo hit and an L1 hit without
** building a second request; anything the fast path declines (or a cache-op/continuation
** request) goes the full way from the CPLB stage. The response is complete either way.
** Bit-identical statistics either way (tests alloc_fastpath, systemc.equal). */
static int port_access(bf_memsys *s, const bf_req *rq, bf_resp *rs)
{
    if (s->m.fast_path && !(rq->flags & ~(uint32_t)(BF_REQ_NOALIGNCHK | BF_REQ_WHOLEREF)) &&
        rq->kind <= BF_ACC_IFETCH) {
        rs->excause = 0; /* the rest of the response is access_fast's */
        rs->pad = 0;
        rs->fault_addr = 0;
        int done = access_fast(s, rq->kind, rq->addr, rq->size, rq->mode, rq->flags, rq->now,
                               rq->record, rq->source, rs);
        if (done)
            return done < 0 ? BF_ESTATE : BF_OK;
    }
    return cplb_stage(s, rq, rs);
}

static int core_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    return port_access(ctx, rq, rs);
}

bf_port bf_memsys_core_port(bf_memsys *s)
{
    bf_port p = {core_xfer, s};
    return p;
}

/* data_xfer's fast path without the request: bf_amem asks it first (bf_memsys_data_fast). The
** same access_fast as port_access, for the request amem_xfer would build (no flags, supervisor,
** source BF_SRC_ALLOC); what it declines has changed nothing and takes the port. */
MEMSYS_FLATTEN int bf_memsys_data_fast(void *ctx, bf_addr a, uint32_t size, int kind,
                                       bf_cycles *now, uint8_t *buf)
{
    bf_memsys *s = ctx;
    if (kind > BF_ACC_IFETCH)
        return BF_PORT_DECLINED;
    /* a response of its own: what the accessor does not need of it, the compiler drops */
    bf_resp rs;
    int done = access_fast(s, kind, a, size, BF_MODE_SUPV, 0, *now, 0, BF_SRC_ALLOC, &rs);
    if (!done)
        return BF_PORT_DECLINED;
    if (done < 0)
        return BF_ESTATE;
    int rc = rs.fault ? BF_PORT_FAULTED : move_data(s, a, size, kind, buf); /* faulted: no data */
    if (rc != BF_OK && rc != BF_PORT_FAULTED)
        return rc;
    if (rs.ready > *now)
        *now = rs.ready;
    return rc;
}

/* The allocators' metadata accesses, then the functional data copy. */
static int data_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    bf_memsys *s = ctx;
    int rc = port_access(s, rq, rs);
    if (rc || rs->fault || !rq->data)
        return rc;
    return copy_data(s, rq);
}

static int sram_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    bf_memsys *s = ctx;
    memset(rs, 0, sizeof *rs);
    rs->ready = rs->done = rq->now + s->m.l1.hit_cycles;
    rs->hit = 1;
    return rq->data ? copy_data(s, rq) : BF_OK;
}

int bf_memsys_functional_fast(void *ctx, bf_addr a, uint32_t size, int kind, bf_cycles *now,
                              uint8_t *buf)
{
    (void)now; /* ready = now: the clock does not move */
    return buf ? move_data(ctx, a, size, kind, buf) : BF_OK;
}

const uint8_t *bf_memsys_functional_bytes(bf_memsys *s, uint32_t *len)
{
    *len = 0;
    if (!s->sdram_bytes || !backing(s, 0, 1))
        return NULL;
    *len = s->sdram_bytes;
    return s->sdram_mem;
}

static int functional_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    memset(rs, 0, sizeof *rs);
    rs->ready = rs->done = rq->now;
    rs->hit = 1;
    bf_cycles t = rq->now;
    return bf_memsys_functional_fast(ctx, rq->addr, rq->size, rq->kind, &t, rq->data);
}

bf_port bf_memsys_functional_port(bf_memsys *s)
{
    bf_port p = {functional_xfer, s};
    return p;
}

bf_port bf_memsys_sram_port(bf_memsys *s)
{
    bf_port p = {sram_xfer, s};
    return p;
}

bf_port bf_memsys_data_port(bf_memsys *s)
{
    bf_port p = {data_xfer, s};
    return p;
}
