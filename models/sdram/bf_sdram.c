/*
** bf_sdram.c: timing model of the BF533 External Bus Interface Unit (EBIU): the SDRAM controller
** (EBIU_SDGCTL/SDBCTL/SDRRC), the asynchronous memory controller (EBIU_AMGCTL/AMBCTL0/1), plus
** the boot ROM and system MMR (PAB) accesses the memory system routes to the same port.
** docs/models/sdram.md states every formula below with worked numbers for two boards.
**
** Assumptions (reference: bf533-memory-system.md section 5):
**   1. All EBIU timing is in SCLK cycles. SCLK edge k lies at CCLK ceil(k * CCLK / SCLK) (exact
**      integer rational arithmetic). A request issued at core time `now` is seen at the first
**      edge at or after `now` (its arrival edge a); answers are the CCLK times of SCLK edges.
**   2. Every external request pays core_overhead_sclk (ESTIMATE) of core-to-EBIU
**      synchronisation once, before its first command; it overlaps with earlier requests still
**      occupying the bus.
**   3. The EBIU serves one request at a time, in call (arrival) order, on one external bus
**      shared by SDRAM, async banks and refresh: a request starts its commands at
**      s = max(a + O, bus_free [+ turnaround]) and occupies the bus until its last data beat.
**   4. SDRAM: 16-bit data bus, one beat per SCLK; 4 internal banks with one open row each
**      (open-page policy: rows stay open until a conflict or a refresh). Internal bank = the two
**      most significant address bits of the EBSZ size (ESTIMATE); row = the bits between the
**      column (EBCAW + 1 byte-address bits) and the bank bits.
**   5. Commands: hit READ/WRITE at s; miss ACTIVATE at s, READ/WRITE at s + tRCD; conflict
**      PRECHARGE at p = max(s, pre_ok), ACTIVATE at p + tRP, READ/WRITE at p + tRP + tRCD, where
**      pre_ok = max(ACTIVATE + tRAS, end of the last write burst to that row + tWR). A read's
**      data occupies [c + CL (+ EBUFE), ... + beats), a write's data [c, c + beats).
**   6. Line fills (BF_SRC_FILL) start at the word holding rq->addr and wrap within the line
**      (critical word first): ready = end of the first fill_critical_bytes / 2 beats (ESTIMATE,
**      default 2: the 32-bit EAB word), done = end of the sixteenth beat. A request that crosses a
*row boundary is split into one command sequence
**      per row (overhead paid once).
**   7. Auto-refresh k (k >= 1) is due at SCLK k * RDIV: the controller's counter times out every
**      RDIV SCLK; the (tRAS + tRP) term of the RDIV equation is only a margin for a refresh
**      delayed by an access in progress (reference section 5). It starts when due or
**      when the bus frees up, before any request that would start at or after its due time; it
**      precharges all banks (waiting for their pre_ok) and then occupies the bus for tRP +
**      refresh_sclk (ESTIMATE; 0 means tRAS + tRP, the row cycle time the RDIV equation
**      reserves). All rows are closed afterwards.
**   8. Async bank n: each 16-bit beat takes ST + RAT + HT (read) or ST + WAT + HT (write) SCLK;
**      a write after an async read waits until TT (of the read's bank) after the read ended
**      (defBF532.h: "Transition Time from Read to Write"). ARDY is not modelled. Banks not
**      enabled by AMBEN answer BF_FAULT_HWERR_EXTERN.
**   9. Boot ROM reads cost O + words32 x bootrom_word_sclk and do not occupy the external bus.
**      System MMR accesses use the PAB, a separate busy-until resource: a read takes
**      mmr_read_sclk, a write is posted (ready = now) and occupies the PAB for mmr_write_sclk.
**
** Invariant: bus_free, pab_free and next_ref only grow; every answer satisfies now <= ready <=
** done; an SDRAM or async answer has done = E(bus_free) and an MMR answer done = E(pab_free)
** right after the call (boot ROM answers use neither resource).
** Single-threaded; no allocation after bf_sdram_create.
*/
#include "bf_sdram.h"
#include "bf_hist.h"
#include "bf_hmem.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "bf_map.h"

#define BF_STAT_STRUCT bf_sdram_stats
const bf_stat_desc bf_sdram_stat_desc[] = {BF_SDRAM_STATS(BF_STAT_DESC)};
const size_t bf_sdram_stat_count = BF_ARRAY_SIZE(bf_sdram_stat_desc);
BF_STAT_TABLE_COVERS(bf_sdram_stat_desc, bf_sdram_stats);
#undef BF_STAT_STRUCT

enum {
    SD_BANKS = BF_SDRAM_BANKS,
    SD_ASYNC_BANKS = BF_SDRAM_ASYNC_BANKS,
    SD_MAX_SCLK_HZ = 133333333u,  /* Linux MAX_SCLK_HZ */
    SD_MAX_CCLK_HZ = 1000000000u, /* above every BF53x grade; keeps the arithmetic in 64 bits */
    SD_MAX_VCO_HZ = 750000000u,   /* BF533 MAX_VCO_HZ */
    SD_HIST_LIN_BITS = 10,        /* read-latency histogram: 1-CCLK buckets below 1024, */
    SD_HIST_SUB_BITS = 3,         /* then 8 sub-buckets per power of two (12.5 %) */
    SD_HIST_N = (1 << SD_HIST_LIN_BITS) + (64 - SD_HIST_LIN_BITS) * (1 << SD_HIST_SUB_BITS),
    SD_ESTIMATE_MAX = 1000000 /* sanity bound on ESTIMATE fields, SCLK */
};

typedef struct sd_bank {
    int64_t row;     /* open row, -1 if idle */
    uint64_t act;    /* SCLK of the ACTIVATE of the open row */
    uint64_t pre_ok; /* earliest SCLK for a PRECHARGE (tRAS, tWR) */
} sd_bank;

typedef struct sd_recip {
    uint64_t d, m; /* divisor, floor((2^64 - 1) / d) */
} sd_recip;

struct bf_sdram {
    bf_sdram_config cfg;
    bf_sdram_timing t;
    bf_sdram_stats *st;
    bf_sdram_stats own; /* used when the caller passes no stats */
    uint64_t c, k;      /* CCLK:SCLK ratio reduced: c / k */
    sd_recip rc, rk;    /* division by c and by k */
    uint64_t bus_free;  /* SCLK edge at which the external bus is free */
    uint64_t pab_free;  /* SCLK edge at which the PAB is free */
    uint64_t next_ref;  /* SCLK due time of the next auto-refresh */
    int last_sd_read;   /* the last bus user was an SDRAM read (read-to-write turnaround) */
    int async_last_rd;  /* async bank of the last bus user if it was an async read, else -1 */
    uint32_t row_mask;  /* row index mask after shifting out the column */
    sd_bank bank[SD_BANKS];
    uint64_t lat_sum;
    bf_hist hist; /* read latencies over hist_n (common/bf_hist.h) */
    uint64_t hist_n[SD_HIST_N];
};

/* ---- configuration ---------------------------------------------------------------------- */

void bf_sdram_config_default(bf_sdram_config *c)
{
    memset(c, 0, sizeof *c);
    c->cclk_hz = 594000000;     /* CLKIN 27 MHz x MSEL 22, CSEL /1 */
    c->sclk_hz = 118800000;     /* VCO / SSEL 5 */
    c->sdgctl = 0x0091998D;     /* TWR2|TRCD3|TRP3|TRAS6|CL3|SCTLE|PSS (U-Boot EZ-KIT) */
    c->sdbctl = 0x0013;         /* EBCAW 9 | EBSZ 32 MB | EBE */
    c->sdrrc = 0x0397;          /* RDIV 919 = floor(118.8e6 * 64 ms / 8192) - (6 + 3): 8K-refresh */
    c->amgctl = 0x0009;         /* AMCKEN | AMBEN all banks, CDPRIO 0 */
    c->ambctl0 = 0x7BB07BB0;    /* banks 0, 1: Linux default 0x7BB0 */
    c->ambctl1 = 0x99B37BB0;    /* bank 2: 0x7BB0, bank 3: 0x99B3 */
    c->core_overhead_sclk = 4;  /* ESTIMATE: reference "~4 SCLK sync/EBIU overhead" */
    c->refresh_sclk = 0;        /* ESTIMATE: 0 = tRAS + tRP */
    c->mmr_read_sclk = 3;       /* ESTIMATE: reference "2-4 SCLK round trip" */
    c->mmr_write_sclk = 2;      /* ESTIMATE */
    c->rw_turn_sclk = 1;        /* ESTIMATE */
    c->ebufe_sclk = 1;          /* ESTIMATE: reference "adds a cycle" */
    c->bootrom_word_sclk = 1;   /* ESTIMATE */
    c->fill_critical_bytes = 4; /* ESTIMATE: reference "critical word after tRCD + CL + 2 + ~4" */
}

static uint32_t fld(uint32_t v, unsigned lo, unsigned bits)
{
    return (v >> lo) & ((1u << bits) - 1u);
}

void bf_sdram_decode(const bf_sdram_config *c, bf_sdram_timing *t)
{
    memset(t, 0, sizeof *t);
    uint32_t g = c->sdgctl, b = c->sdbctl;
    t->sctle = (int)fld(g, 0, 1);
    uint32_t clc = fld(g, 2, 2);
    t->cl = clc >= 2 ? clc : 0; /* 10 = CL2, 11 = CL3; 00/01 reserved */
    t->tras = fld(g, 6, 4);
    t->trp = fld(g, 11, 3);
    t->trcd = fld(g, 15, 3);
    t->twr = fld(g, 19, 2);
    t->ebufe = (int)fld(g, 25, 1);
    t->fbbrw = (int)fld(g, 26, 1);
    t->ebe = (int)fld(b, 0, 1);
    t->bank_bytes = (16u << 20) << fld(b, 1, 2);
    t->caw = 8 + fld(b, 4, 2);
    t->row_bytes = 2u << t->caw;
    t->bank_shift = (uint32_t)__builtin_ctz(t->bank_bytes) - 2;
    t->rdiv = fld(c->sdrrc, 0, 12);
    t->enabled = t->sctle && t->ebe;
    t->refresh_period_sclk = t->rdiv;
    t->refresh_busy_sclk = t->trp + (c->refresh_sclk ? c->refresh_sclk : t->tras + t->trp);
    uint32_t amben = fld(c->amgctl, 1, 3);
    t->async_banks = amben >= 4 ? 4 : amben;
    t->amcken = (int)fld(c->amgctl, 0, 1);
    t->cdprio = (int)fld(c->amgctl, 8, 1);
    for (unsigned n = 0; n < SD_ASYNC_BANKS; n++) {
        uint32_t v = ((n < 2 ? c->ambctl0 : c->ambctl1) >> (16 * (n & 1))) & 0xFFFFu;
        t->async[n].rdyen = (int)fld(v, 0, 1);
        t->async[n].rdypol = (int)fld(v, 1, 1);
        t->async[n].tt = fld(v, 2, 2) ? fld(v, 2, 2) : 4;
        t->async[n].st = fld(v, 4, 2) ? fld(v, 4, 2) : 4;
        t->async[n].ht = fld(v, 6, 2);
        t->async[n].rat = fld(v, 8, 4);
        t->async[n].wat = fld(v, 12, 4);
    }
}

const char *bf_sdram_config_check(const bf_sdram_config *c)
{
    static const char *const rat_msg[] = {
        "EBIU_AMBCTL0.B0RAT = 0: must be 1..15", "EBIU_AMBCTL0.B1RAT = 0: must be 1..15",
        "EBIU_AMBCTL1.B2RAT = 0: must be 1..15", "EBIU_AMBCTL1.B3RAT = 0: must be 1..15"};
    static const char *const wat_msg[] = {
        "EBIU_AMBCTL0.B0WAT = 0: must be 1..15", "EBIU_AMBCTL0.B1WAT = 0: must be 1..15",
        "EBIU_AMBCTL1.B2WAT = 0: must be 1..15", "EBIU_AMBCTL1.B3WAT = 0: must be 1..15"};
    if (!c)
        return "config: NULL";
    if (c->cclk_hz == 0 || c->cclk_hz > SD_MAX_CCLK_HZ)
        return "cclk_hz: must be 1..1000000000 Hz";
    if (c->sclk_hz == 0 || c->sclk_hz > SD_MAX_SCLK_HZ)
        return "sclk_hz: must be 1..133333333 Hz (SCLK max 133.33 MHz)";
    if (c->sclk_hz > c->cclk_hz)
        return "sclk_hz: must not exceed cclk_hz (SCLK <= CCLK)";
    bf_sdram_timing t;
    bf_sdram_decode(c, &t);
    if (t.cl == 0)
        return "EBIU_SDGCTL.CL: field must be 2 (CL2) or 3 (CL3); 0 and 1 are reserved";
    if (t.tras == 0)
        return "EBIU_SDGCTL.tRAS = 0: must be 1..15";
    if (t.trp == 0)
        return "EBIU_SDGCTL.tRP = 0: must be 1..7";
    if (t.trcd == 0)
        return "EBIU_SDGCTL.tRCD = 0: must be 1..7";
    if (t.twr == 0)
        return "EBIU_SDGCTL.tWR = 0: must be 1..3";
    if (c->sdbctl > 0xFFFFu)
        return "EBIU_SDBCTL: 16-bit register, bits 31:16 must be 0";
    if (c->sdrrc > 0xFFFu)
        return "EBIU_SDRRC: bits 31:12 must be 0 (RDIV is bits 11:0)";
    if (t.rdiv == 0)
        return "EBIU_SDRRC.RDIV = 0: must be 1..4095";
    if (c->refresh_sclk > SD_ESTIMATE_MAX || c->core_overhead_sclk > SD_ESTIMATE_MAX ||
        c->mmr_read_sclk > SD_ESTIMATE_MAX || c->mmr_write_sclk > SD_ESTIMATE_MAX ||
        c->rw_turn_sclk > SD_ESTIMATE_MAX || c->ebufe_sclk > SD_ESTIMATE_MAX ||
        c->bootrom_word_sclk > SD_ESTIMATE_MAX)
        return "sdram ESTIMATE parameters (core_overhead_sclk, refresh_sclk, mmr_read_sclk, "
               "mmr_write_sclk, rw_turn_sclk, ebufe_sclk, bootrom_word_sclk): must be <= 1000000";
    if (c->fill_critical_bytes < 2 || c->fill_critical_bytes > 32 ||
        (c->fill_critical_bytes & (c->fill_critical_bytes - 1)))
        return "fill_critical_bytes: must be 2, 4, 8, 16 or 32";
    if (t.refresh_busy_sclk >= t.refresh_period_sclk)
        return "EBIU_SDRRC.RDIV: the refresh period RDIV must exceed the refresh busy time "
               "tRP + refresh_sclk";
    if (c->amgctl > 0xFFFFu) /* bits 7:4 read as 1 after reset (0x00F2): not checked */
        return "EBIU_AMGCTL: 16-bit register, bits 31:16 must be 0";
    for (unsigned n = 0; n < t.async_banks; n++) {
        if (t.async[n].rat == 0)
            return rat_msg[n];
        if (t.async[n].wat == 0)
            return wat_msg[n];
    }
    return NULL;
}

#if defined(__GNUC__)
#define SD_NOINLINE __attribute__((noinline))
#else
#define SD_NOINLINE
#endif

/* ---- clocks ----------------------------------------------------------------------------- */

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

/* ceil(x * num / den) without overflow for num, den < 2^31 and any x. */
/* Exact division by a fixed divisor without a divide instruction (every request converts
** between CCLK and SCLK several times; a 64-bit div costs tens of cycles): m = floor((2^64-1)/d)
** gives floor(x m / 2^64) >= x/d - 2 for any 64-bit x, and the remainder corrects it. */
static sd_recip recip(uint64_t d)
{
    return (sd_recip){d, UINT64_MAX / d};
}

static inline uint64_t div_by(const sd_recip *v, uint64_t x, uint64_t *rem)
{
    __extension__ typedef unsigned __int128 u128;
    uint64_t q = (uint64_t)(((u128)x * v->m) >> 64), r = x - q * v->d;
    while (r >= v->d) {
        q++;
        r -= v->d;
    }
    *rem = r;
    return q;
}

static uint64_t mul_div_ceil(uint64_t x, uint64_t num, const sd_recip *den)
{
    uint64_t r, r2, q = div_by(den, x, &r);
    return q * num + div_by(den, r * num + den->d - 1, &r2);
}

static uint64_t mul_div_floor(uint64_t x, uint64_t num, const sd_recip *den)
{
    uint64_t r, r2, q = div_by(den, x, &r);
    return q * num + div_by(den, r * num, &r2);
}

static bf_cycles edge_cclk(const bf_sdram *s, uint64_t k)
{
    /* CCLK an integer multiple of SCLK (k_ = 1 after the gcd: every CSEL = 1 board) is the
    ** common case: ceil(k c / 1) = k c, no division */
    return s->k == 1 ? k * s->c : mul_div_ceil(k, s->c, &s->rk);
}

/* First SCLK edge at or after core time now: the smallest k with ceil(k c / k_) >= now, i.e.
** k c / k_ > now - 1. */
static inline uint64_t arrival_edge(const bf_sdram *s, bf_cycles now)
{
    if (now == 0)
        return 0;
    if (s->k == 1) { /* floor(x / c): the remainder's term of mul_div_floor is 0 */
        uint64_t r;
        return div_by(&s->rc, now - 1, &r) + 1;
    }
    return mul_div_floor(now - 1, s->k, &s->rc) + 1;
}

bf_cycles bf_sdram_edge_cclk(const bf_sdram *s, uint64_t k)
{
    return edge_cclk(s, k);
}

const char *bf_sdram_pll_clocks(uint64_t clkin_hz, uint32_t msel, int df, uint32_t csel,
                                uint32_t ssel, uint64_t *cclk_hz, uint64_t *sclk_hz)
{
    if (clkin_hz == 0 || clkin_hz > SD_MAX_VCO_HZ)
        return "CLKIN: must be 1..750000000 Hz";
    if (msel < 1 || msel > 64)
        return "PLL_CTL.MSEL: must be 1..64";
    if (df != 0 && df != 1)
        return "PLL_CTL.DF: must be 0 or 1";
    if (csel > 3)
        return "PLL_DIV.CSEL: must be 0..3 (CCLK = VCO / 1, 2, 4, 8)";
    if (ssel < 1 || ssel > 15)
        return "PLL_DIV.SSEL: must be 1..15";
    uint64_t vco = clkin_hz * msel;
    if (df)
        vco /= 2;
    if (vco > SD_MAX_VCO_HZ)
        return "PLL_CTL.MSEL: VCO = CLKIN x MSEL must not exceed 750 MHz (BF533)";
    uint64_t cclk = vco >> csel, sclk = vco / ssel;
    if (sclk > SD_MAX_SCLK_HZ)
        return "PLL_DIV.SSEL: SCLK = VCO / SSEL must not exceed 133.33 MHz";
    if (sclk > cclk)
        return "PLL_DIV.SSEL: SCLK = VCO / SSEL must not exceed CCLK = VCO >> CSEL";
    *cclk_hz = cclk;
    *sclk_hz = sclk;
    return NULL;
}

const char *bf_sdram_pll_from_regs(uint64_t clkin_hz, uint32_t pll_ctl, uint32_t pll_div,
                                   uint64_t *cclk_hz, uint64_t *sclk_hz)
{
    if (pll_ctl & 0x0100u)
        return "PLL_CTL.BYPASS = 1: not modelled";
    uint32_t msel = fld(pll_ctl, 9, 6);
    return bf_sdram_pll_clocks(clkin_hz, msel ? msel : 64, (int)fld(pll_ctl, 0, 1),
                               fld(pll_div, 4, 2), fld(pll_div, 0, 4), cclk_hz, sclk_hz);
}

uint32_t bf_sdram_rdiv(uint64_t sclk_hz, uint32_t tref_us, uint32_t rows, uint32_t tras,
                       uint32_t trp)
{
    if (rows == 0)
        return 0;
    uint64_t per_row = sclk_hz * tref_us / 1000000u / rows;
    if (per_row <= (uint64_t)tras + trp || per_row - tras - trp > 0xFFFu)
        return 0;
    return (uint32_t)(per_row - tras - trp);
}

/* ---- life cycle ------------------------------------------------------------------------- */

int bf_sdram_create(const bf_sdram_config *c, bf_sdram_stats *stats, bf_sdram **out)
{
    *out = NULL;
    if (bf_sdram_config_check(c))
        return BF_ECONFIG;
    bf_sdram *s = bf_calloc(1, sizeof *s);
    if (!s)
        return BF_ENOMEM;
    s->cfg = *c;
    bf_hist_init(&s->hist, s->hist_n, SD_HIST_LIN_BITS, SD_HIST_SUB_BITS);
    bf_sdram_decode(c, &s->t);
    s->st = stats ? stats : &s->own;
    memset(s->st, 0, sizeof *s->st);
    uint64_t g = gcd64(c->cclk_hz, c->sclk_hz);
    s->c = c->cclk_hz / g;
    s->k = c->sclk_hz / g;
    s->rc = recip(s->c);
    s->rk = recip(s->k);
    s->next_ref = s->t.refresh_period_sclk;
    s->async_last_rd = -1;
    s->row_mask = (1u << (s->t.bank_shift - s->t.caw - 1)) - 1u;
    for (int b = 0; b < SD_BANKS; b++)
        s->bank[b].row = -1;
    *out = s;
    return BF_OK;
}

void bf_sdram_destroy(bf_sdram *s)
{
    free(s);
}

/* ---- refresh ---------------------------------------------------------------------------- */

static int all_idle(const bf_sdram *s)
{
    for (int b = 0; b < SD_BANKS; b++)
        if (s->bank[b].row >= 0)
            return 0;
    return 1;
}

/* Perform the refreshes that go before a request which would start at max(ready_at, bus_free +
** gap): a refresh goes first when its due time is <= that start (and <= limit). Returns the
** number performed. */
static SD_NOINLINE uint64_t refresh_run(bf_sdram *s, uint64_t ready_at, uint64_t gap,
                                        uint64_t limit)
{
    uint64_t n = 0;
    const uint64_t period = s->t.refresh_period_sclk, busy = s->t.refresh_busy_sclk;
    for (;;) {
        uint64_t start = s->bus_free + gap > ready_at ? s->bus_free + gap : ready_at;
        if (s->next_ref > start || s->next_ref > limit)
            break;
        if (s->bus_free <= s->next_ref && all_idle(s)) {
            /* Bus idle and nothing to precharge: every refresh due up to ready_at runs exactly
            ** at its due time (busy < period), so count them at once. */
            uint64_t upto = ready_at < limit ? ready_at : limit;
            uint64_t m = upto >= s->next_ref ? (upto - s->next_ref) / period + 1 : 1;
            s->bus_free = s->next_ref + (m - 1) * period + busy;
            s->next_ref += m * period;
            s->st->refreshes += m;
            s->st->refresh_busy_sclk += m * busy;
            s->st->busy_sclk += m * busy;
            n += m;
        } else {
            uint64_t r = s->bus_free > s->next_ref ? s->bus_free : s->next_ref;
            uint64_t p = r;
            for (int b = 0; b < SD_BANKS; b++)
                if (s->bank[b].row >= 0 && s->bank[b].pre_ok > p)
                    p = s->bank[b].pre_ok;
            for (int b = 0; b < SD_BANKS; b++)
                s->bank[b].row = -1;
            s->bus_free = p + busy;
            s->next_ref += period;
            s->st->refreshes++;
            s->st->refresh_busy_sclk += s->bus_free - r;
            s->st->busy_sclk += s->bus_free - r;
            n++;
        }
        s->last_sd_read = 0;
        s->async_last_rd = -1;
        gap = 0;
    }
    return n;
}

/* Most requests find no refresh due (one every refresh_period_sclk, hundreds of requests apart):
** that test inline, the loop out of line. */
static inline uint64_t refresh_before(bf_sdram *s, uint64_t ready_at, uint64_t gap, uint64_t limit)
{
    uint64_t start = s->bus_free + gap > ready_at ? s->bus_free + gap : ready_at;
    if (s->next_ref > start || s->next_ref > limit)
        return 0;
    return refresh_run(s, ready_at, gap, limit);
}

/* ---- statistics helpers ----------------------------------------------------------------- */

static unsigned log2_floor(uint64_t v)
{
    return 63u - (unsigned)__builtin_clzll(v);
}

static void record_read_latency(bf_sdram *s, uint64_t lat)
{
    bf_sdram_stats *st = s->st;
    st->read_lat_count++;
    s->lat_sum += lat;
    if (lat > st->read_lat_max)
        st->read_lat_max = lat;
    bf_hist_add(&s->hist, lat);
    unsigned c = lat < 32 ? 0 : log2_floor(lat) - 4;
    if (c > 8)
        c = 8;
    st->read_lat_h[c]++;
}

/* ---- the port --------------------------------------------------------------------------- */

/* Half-word beats covering [addr, addr + size). */
static uint64_t beats16(uint64_t addr, uint64_t size)
{
    return ((addr + size - 1) >> 1) - (addr >> 1) + 1;
}

/* One command sequence in one row starting no earlier than `start`; returns the end of its data
** and sets *crit (for reads) to the end of the data's first `crit_beats` beats. */
static uint64_t sdram_row_access(bf_sdram *s, uint64_t addr, uint64_t beats, int is_write,
                                 uint64_t start, uint64_t crit_beats, uint64_t *crit)
{
    const bf_sdram_timing *t = &s->t;
    unsigned b = (unsigned)(addr >> t->bank_shift) & 3u;
    int64_t row = (int64_t)((addr >> (t->caw + 1)) & s->row_mask);
    sd_bank *bk = &s->bank[b];
    assert(b < SD_BANKS && row >= 0 && (uint64_t)row <= s->row_mask);
    /* an open row was activated at act and may not be precharged before act + tRAS */
    assert(bk->row < 0 || bk->pre_ok >= bk->act + t->tras);
    uint64_t cmd;
    int kind; /* BF_SDRAM_ROW_HIT, _MISS or _CONFLICT */
    if (bk->row == row) {
        kind = BF_SDRAM_ROW_HIT;
        cmd = start;
    } else if (bk->row < 0) {
        kind = BF_SDRAM_ROW_MISS;
        bk->act = start;
        cmd = start + t->trcd;
    } else {
        kind = BF_SDRAM_ROW_CONFLICT;
        uint64_t p = start;
        uint64_t tras_ok = bk->act + t->tras;
        if (tras_ok > p) {
            s->st->tras_wait_sclk += tras_ok - p;
            p = tras_ok;
        }
        if (bk->pre_ok > p) {
            s->st->twr_wait_sclk += bk->pre_ok - p;
            p = bk->pre_ok;
        }
        bk->act = p + t->trp;
        cmd = bk->act + t->trcd;
    }
    if (kind)
        bk->pre_ok = bk->act + t->tras;
    bk->row = row;
    s->st->bank_row[b][kind]++;
    if (kind == 0)
        s->st->row_hits++;
    else if (kind == 1)
        s->st->row_misses++;
    else
        s->st->row_conflicts++;
    uint64_t end;
    if (is_write) {
        end = cmd + beats;
        if (end + t->twr > bk->pre_ok)
            bk->pre_ok = end + t->twr;
        *crit = end;
    } else {
        uint64_t first = cmd + t->cl + (t->ebufe ? s->cfg.ebufe_sclk : 0);
        end = first + beats;
        *crit = first + (crit_beats < beats ? crit_beats : beats);
    }
    assert(cmd >= start && end > cmd && *crit <= end && bk->pre_ok >= bk->act + t->tras);
    return end;
}

static int fault(bf_sdram *s, const bf_req *rq, bf_resp *rs, uint64_t at)
{
    s->st->faults++;
    rs->ready = rs->done = edge_cclk(s, at) > rq->now ? edge_cclk(s, at) : rq->now;
    rs->fault = BF_FAULT_HWERR_EXTERN;
    rs->fault_addr = rq->addr;
    return BF_OK;
}

int bf_sdram_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    bf_sdram *s = ctx;
    memset(rs, 0, sizeof *rs);
    if (rq->size == 0 || rq->kind > BF_ACC_IFETCH || rq->source >= BF_SRC_COUNT)
        return BF_EINPUT;
    const int is_write = rq->kind == BF_ACC_WRITE;
    const int is_fill = rq->source == BF_SRC_FILL && !is_write;
    const uint64_t a = arrival_edge(s, rq->now);
#ifndef NDEBUG
    /* busy-until times and the refresh schedule never go backwards */
    const uint64_t bus_free0 = s->bus_free, pab_free0 = s->pab_free, next_ref0 = s->next_ref;
#endif
    const uint64_t O = s->cfg.core_overhead_sclk;
    /* A fill of a power-of-two line covers the aligned line around the critical address. */
    uint64_t addr =
        rq->addr &
        (is_fill & ((rq->size & (rq->size - 1)) == 0) ? ~(uint64_t)(rq->size - 1) : ~(uint64_t)0);
    const uint64_t last = addr + rq->size - 1;
    uint32_t sd_bytes = s->t.enabled ? s->t.bank_bytes : 0;
    /* one classification: a request wholly inside SDRAM (nearly all) needs no map lookup */
    int rgn =
        last < sd_bytes ? BF_RGN_SDRAM : bf_map_region(BF_PART_BF533, sd_bytes, (bf_addr)addr);
    if (last >= sd_bytes &&
        (last > 0xFFFFFFFFu || bf_map_region(BF_PART_BF533, sd_bytes, (bf_addr)last) != rgn))
        return fault(s, rq, rs, a + O);

    uint64_t ready_s, done_s; /* SCLK edges */
    int posted = 0;
    switch (rgn) {
    case BF_RGN_SDRAM:
    case BF_RGN_ASYNC0:
    case BF_RGN_ASYNC1:
    case BF_RGN_ASYNC2:
    case BF_RGN_ASYNC3: {
        int abank = rgn == BF_RGN_SDRAM ? -1 : rgn - BF_RGN_ASYNC0;
        assert(abank < SD_ASYNC_BANKS);
        if (abank >= (int)s->t.async_banks)
            return fault(s, rq, rs, a + O);
        /* Turnaround gap before this request may use the bus. */
        uint64_t gap = 0;
        int turn_sd = 0, turn_async = 0;
        if (is_write && abank < 0 && s->last_sd_read && !s->t.fbbrw) {
            gap = s->cfg.rw_turn_sclk;
            turn_sd = 1;
        } else if (is_write && abank >= 0 && s->async_last_rd >= 0) {
            gap = s->t.async[s->async_last_rd].tt;
            turn_async = 1;
        }
        uint64_t bus0 = s->bus_free;
        uint64_t plain = a + O > bus0 + gap ? a + O : bus0 + gap;
        if (bus0 > a + O)
            s->st->queue_wait_sclk += bus0 - (a + O);
        if (refresh_before(s, a + O, gap, UINT64_MAX)) {
            gap = 0; /* the refresh separated the read from this write */
            turn_sd = turn_async = 0;
        }
        uint64_t start = a + O > s->bus_free + gap ? a + O : s->bus_free + gap;
        if (start > plain) {
            s->st->refresh_collisions++;
            s->st->refresh_wait_sclk += start - plain;
        }
        uint64_t no_gap = a + O > s->bus_free ? a + O : s->bus_free;
        if (turn_sd && start > no_gap)
            s->st->rw_turn_sclk += start - no_gap;
        if (turn_async) {
            s->st->async_turnarounds++;
            s->st->async_tt_sclk += start - no_gap;
        }
        if (abank < 0) {
            /* SDRAM: one command sequence per row touched. */
            uint64_t crit_beats =
                is_fill ? s->cfg.fill_critical_bytes / 2 : beats16(addr, rq->size);
            uint64_t pos = addr, left = rq->size, t = start, crit = 0;
            int first = 1;
            while (left) {
                uint64_t row_end = (pos | (s->t.row_bytes - 1)) + 1;
                uint64_t n = row_end - pos < left ? row_end - pos : left;
                uint64_t c1;
                t = sdram_row_access(s, pos, beats16(pos, n), is_write, t, crit_beats, &c1);
                if (first)
                    crit = c1;
                first = 0;
                pos += n;
                left -= n;
            }
            done_s = t;
            /* Fills: critical word first; other reads and all writes wait for the whole. */
            ready_s = is_fill ? crit : done_s;
            s->last_sd_read = !is_write;
            s->async_last_rd = -1;
        } else {
            const bf_sdram_timing *t = &s->t;
            uint64_t per = t->async[abank].st +
                           (is_write ? t->async[abank].wat : t->async[abank].rat) +
                           t->async[abank].ht;
            done_s = start + beats16(addr, rq->size) * per;
            ready_s = done_s;
            s->st->async_rw[abank][is_write]++;
            s->async_last_rd = is_write ? -1 : abank;
            s->last_sd_read = 0;
        }
        s->st->busy_sclk += done_s - start;
        s->bus_free = done_s;
        break;
    }
    case BF_RGN_BOOTROM: {
        uint64_t words = ((last >> 2) - (addr >> 2)) + 1;
        done_s = ready_s = a + O + words * s->cfg.bootrom_word_sclk;
        s->st->bootrom_reads += !is_write;
        break;
    }
    case BF_RGN_SYS_MMR: {
        uint64_t start = a > s->pab_free ? a : s->pab_free;
        if (is_write) {
            done_s = start + s->cfg.mmr_write_sclk;
            ready_s = done_s;
            posted = 1; /* the requester goes on at once */
            s->st->mmr_writes++;
        } else {
            done_s = ready_s = start + s->cfg.mmr_read_sclk;
            s->st->mmr_reads++;
        }
        s->pab_free = done_s;
        break;
    }
    default:
        return fault(s, rq, rs, a + O);
    }
    rs->done = edge_cclk(s, done_s);
    rs->ready = posted ? rq->now : edge_cclk(s, ready_s);
    /* the answer is never before the request, nor done before ready */
    assert(rs->ready >= rq->now && rs->done >= rs->ready);
    if (rs->ready < rq->now)
        rs->ready = rq->now;
    if (rs->done < rs->ready)
        rs->done = rs->ready;
    if (is_write) {
        s->st->writes[rq->source]++;
        s->st->bytes_written += rq->size;
    } else {
        s->st->reads[rq->source]++;
        s->st->bytes_read += rq->size;
        record_read_latency(s, rs->ready - rq->now);
    }
    assert(s->bus_free >= bus_free0 && s->pab_free >= pab_free0 && s->next_ref >= next_ref0);
    assert(rgn == BF_RGN_BOOTROM ||
           rs->done == edge_cclk(s, rgn == BF_RGN_SYS_MMR ? s->pab_free : s->bus_free));
    return BF_OK;
}

bf_cycles bf_sdram_idle_at(const bf_sdram *s)
{
    uint64_t k = s->bus_free > s->pab_free ? s->bus_free : s->pab_free;
    return edge_cclk(s, k);
}

int bf_sdram_first(const bf_sdram *s, const bf_req *a, const bf_req *b)
{
    uint64_t ea = arrival_edge(s, a->now), eb = arrival_edge(s, b->now);
    if (ea != eb)
        return eb < ea;
    int da = a->source == BF_SRC_DMA, db = b->source == BF_SRC_DMA;
    if (da == db)
        return 0;
    /* CDPRIO=1: DMA first; CDPRIO=0: the core side first. */
    return s->t.cdprio ? db : da;
}

void bf_sdram_finalize(bf_sdram *s, bf_cycles end)
{
    /* Last SCLK edge at or before `end`. */
    uint64_t end_k = mul_div_floor(end, s->k, &s->rc);
    if (end_k >= s->next_ref)
        refresh_before(s, end_k, 0, end_k);
    bf_sdram_stats *st = s->st;
    st->elapsed_sclk = end_k > s->bus_free ? end_k : s->bus_free;
    st->utilisation = st->elapsed_sclk ? (double)st->busy_sclk / (double)st->elapsed_sclk : 0.0;
    uint64_t n = st->read_lat_count;
    st->read_lat_mean = n ? (double)s->lat_sum / (double)n : 0.0;
    st->read_lat_p50 = bf_hist_percentile(&s->hist, 50);
    st->read_lat_p99 = bf_hist_percentile(&s->hist, 99);
}
