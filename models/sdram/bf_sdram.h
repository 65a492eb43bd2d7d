/*
** bf_sdram.h: the BF533 EBIU: SDRAM controller (EBIU_SDGCTL/SDBCTL/SDRRC) and asynchronous memory
** controller (EBIU_AMGCTL/AMBCTL0/1), as one port that serves every external request.
**
** All timing is computed in SCLK cycles from the register fields; requests arrive and answers
** leave in CCLK (bf_req.now, bf_resp.ready/done). A request issued between SCLK edges waits for
** the next edge. Requests are served in arrival order with busy-until state per controller and
** per SDRAM internal bank (4 banks, one open row each); refresh closes all rows every
** RDIV + tRAS + tRP SCLK cycles. Timing only: no data is stored here.
*/
#ifndef BF_SDRAM_H
#define BF_SDRAM_H

#include "bf_bf533.h"
#include "bf_common.h"
#include "bf_stats.h"

typedef struct bf_sdram_config {
    uint64_t cclk_hz;            /* core clock, Hz */
    uint64_t sclk_hz;            /* system clock, Hz (<= 133333333) */
    uint32_t sdgctl;             /* EBIU_SDGCTL raw value */
    uint32_t sdbctl;             /* EBIU_SDBCTL raw value */
    uint32_t sdrrc;              /* EBIU_SDRRC raw value (RDIV) */
    uint32_t amgctl;             /* EBIU_AMGCTL raw value */
    uint32_t ambctl0;            /* EBIU_AMBCTL0 raw value (banks 0, 1) */
    uint32_t ambctl1;            /* EBIU_AMBCTL1 raw value (banks 2, 3) */
    uint32_t core_overhead_sclk; /* ESTIMATE: core-to-EBIU synchronisation per request, SCLK */
    uint32_t refresh_sclk;       /* ESTIMATE: bus time of one auto-refresh beyond tRP, SCLK;
                                    0 = tRAS + tRP of EBIU_SDGCTL (the default) */
    uint32_t mmr_read_sclk;      /* ESTIMATE: system MMR read round trip, SCLK */
    uint32_t mmr_write_sclk;     /* ESTIMATE: PAB occupancy of a posted system MMR write, SCLK */
    uint32_t rw_turn_sclk; /* ESTIMATE: SDRAM read-to-write bus turnaround when FBBRW=0, SCLK */
    uint32_t ebufe_sclk;   /* ESTIMATE: extra read latency when SDGCTL.EBUFE=1, SCLK */
    uint32_t bootrom_word_sclk;   /* ESTIMATE: boot ROM read time per 32-bit word, SCLK */
    uint32_t fill_critical_bytes; /* ESTIMATE: a fill is ready when this many bytes from the
                                     critical address are in (4: the 32-bit EAB word) */
} bf_sdram_config;

/* Decoded register fields (for `bfsim config show` and the docs' formulas). */
typedef struct bf_sdram_timing {
    uint32_t cl, trcd, trp, tras, twr; /* SCLK cycles */
    uint32_t bank_bytes;               /* external bank size from EBSZ */
    uint32_t caw;                      /* column address width, bits */
    uint32_t rdiv;                     /* refresh divider from SDRRC */
    int enabled;                       /* SCTLE && EBE */
    /* Added: the rest of the decoded state the model uses. */
    int sctle, ebe;               /* SDGCTL.SCTLE, SDBCTL.EBE */
    int ebufe, fbbrw;             /* SDGCTL.EBUFE, SDGCTL.FBBRW */
    uint32_t row_bytes;           /* 2^caw columns x 2 bytes (16-bit bus) */
    uint32_t bank_shift;          /* internal bank = addr >> bank_shift & 3 (ESTIMATE) */
    uint32_t refresh_period_sclk; /* RDIV */
    uint32_t refresh_busy_sclk;   /* tRP + (refresh_sclk ? refresh_sclk : tRAS + tRP) */
    uint32_t async_banks;         /* banks enabled by AMGCTL.AMBEN (0..4) */
    int amcken, cdprio;           /* AMGCTL.AMCKEN, AMGCTL.CDPRIO */
    struct {
        uint32_t st, rat, wat, ht, tt; /* SCLK cycles (codes decoded: ST/TT 0 means 4) */
        int rdyen, rdypol;             /* ARDY not modelled: decoded for display only */
    } async[4];
} bf_sdram_timing;

/* Sizes and indices of the array statistics: bank_row[bank][kind], async_rw[bank][is_write],
** reads[source] and writes[source] (bf_source), read_lat_h[bucket] (bucket 0 is < 32 CCLK,
** bucket c in 1..7 is [2^(c+4), 2^(c+5)), bucket 8 is >= 4096). */
enum {
    BF_SDRAM_BANKS = 4,
    BF_SDRAM_ASYNC_BANKS = BF_ASYNC_BANKS,
    BF_SDRAM_LAT_BUCKETS = 9,
    BF_SDRAM_ROW_HIT = 0,
    BF_SDRAM_ROW_MISS = 1,
    BF_SDRAM_ROW_CONFLICT = 2,
    BF_SDRAM_ROW_KINDS = 3
};

#define BF_SDRAM_STATS(X)                                                                          \
    X(U64, row_hits, "sdram.row_hits", "accesses", "SDRAM accesses to an open row")                \
    X(U64, row_misses, "sdram.row_misses", "accesses",                                             \
      "SDRAM accesses to an idle bank (activate)")                                                 \
    X(U64, row_conflicts, "sdram.row_conflicts", "accesses",                                       \
      "SDRAM accesses to a bank with another row open (precharge + activate)")                     \
    X(U64_ARRAY, bank_row, [BF_SDRAM_BANKS][BF_SDRAM_ROW_KINDS])                                   \
    BF_SDRAM_BANK_STATS(X, 0)                                                                      \
    BF_SDRAM_BANK_STATS(X, 1)                                                                      \
    BF_SDRAM_BANK_STATS(X, 2)                                                                      \
    BF_SDRAM_BANK_STATS(X, 3)                                                                      \
    X(U64, refreshes, "sdram.refreshes", "events",                                                 \
      "auto-refresh cycles performed (each closes all rows)")                                      \
    X(U64, refresh_busy_sclk, "sdram.refresh_busy_sclk", "sclk",                                   \
      "SCLK cycles the bus spent in auto-refresh")                                                 \
    X(U64, refresh_collisions, "sdram.refresh_collisions", "accesses",                             \
      "external accesses that had to wait for an auto-refresh")                                    \
    X(U64, refresh_wait_sclk, "sdram.refresh_wait_sclk", "sclk",                                   \
      "SCLK cycles accesses waited for auto-refresh")                                              \
    X(U64, tras_wait_sclk, "sdram.tras_wait_sclk", "sclk",                                         \
      "SCLK cycles a precharge waited for tRAS since the row's ACTIVATE")                          \
    X(U64, twr_wait_sclk, "sdram.twr_wait_sclk", "sclk",                                           \
      "SCLK cycles a precharge waited for write recovery (tWR) beyond tRAS")                       \
    X(U64, rw_turn_sclk, "sdram.rw_turn_sclk", "sclk",                                             \
      "SCLK cycles SDRAM writes waited for the read-to-write bus turnaround")                      \
    X(U64, queue_wait_sclk, "sdram.queue_wait_sclk", "sclk",                                       \
      "SCLK cycles requests waited for the EBIU to finish earlier requests (beyond the overhead)") \
    X(U64, busy_sclk, "sdram.busy_sclk", "sclk",                                                   \
      "SCLK cycles the external bus was occupied (SDRAM, async and refresh)")                      \
    X(U64, elapsed_sclk, "sdram.elapsed_sclk", "sclk",                                             \
      "SCLK cycles from time 0 to the end of the run (set by bf_sdram_finalize)")                  \
    X(F64, utilisation, "sdram.utilisation", "ratio",                                              \
      "busy_sclk / elapsed_sclk (set by bf_sdram_finalize)")                                       \
    X(U64_ARRAY, reads, [BF_SRC_COUNT])                                                            \
    X(U64_AT, reads, [BF_SRC_CORE], "sdram.reads.core", "accesses",                                \
      "external reads issued by the core (uncached)")                                              \
    X(U64_AT, reads, [BF_SRC_FILL], "sdram.reads.fill", "accesses",                                \
      "external reads that were cache line fills")                                                 \
    X(U64_AT, reads, [BF_SRC_WBUF], "sdram.reads.wbuf", "accesses",                                \
      "external reads issued by the write buffer (normally 0)")                                    \
    X(U64_AT, reads, [BF_SRC_VICTIM], "sdram.reads.victim", "accesses",                            \
      "external reads issued by the victim buffer (normally 0)")                                   \
    X(U64_AT, reads, [BF_SRC_DMA], "sdram.reads.dma", "accesses", "external reads issued by DMA")  \
    X(U64_AT, reads, [BF_SRC_ALLOC], "sdram.reads.alloc", "accesses",                              \
      "external reads of allocator metadata")                                                      \
    X(U64_ARRAY, writes, [BF_SRC_COUNT])                                                           \
    X(U64_AT, writes, [BF_SRC_CORE], "sdram.writes.core", "accesses",                              \
      "external writes issued by the core directly")                                               \
    X(U64_AT, writes, [BF_SRC_FILL], "sdram.writes.fill", "accesses",                              \
      "external writes tagged as fills (normally 0)")                                              \
    X(U64_AT, writes, [BF_SRC_WBUF], "sdram.writes.wbuf", "accesses",                              \
      "external writes drained from the write buffer")                                             \
    X(U64_AT, writes, [BF_SRC_VICTIM], "sdram.writes.victim", "accesses",                          \
      "dirty-line write-backs from the victim buffer")                                             \
    X(U64_AT, writes, [BF_SRC_DMA], "sdram.writes.dma", "accesses",                                \
      "external writes issued by DMA")                                                             \
    X(U64_AT, writes, [BF_SRC_ALLOC], "sdram.writes.alloc", "accesses",                            \
      "external writes of allocator metadata")                                                     \
    X(U64, bytes_read, "sdram.bytes_read", "bytes", "bytes read through the EBIU port")            \
    X(U64, bytes_written, "sdram.bytes_written", "bytes", "bytes written through the EBIU port")   \
    X(U64, faults, "sdram.faults", "accesses",                                                     \
      "requests answered with a hardware error (disabled or unpopulated external memory)")         \
    X(U64, read_lat_count, "sdram.read_latency.count", "accesses",                                 \
      "reads in the latency statistics")                                                           \
    X(F64, read_lat_mean, "sdram.read_latency.mean", "cycles",                                     \
      "mean read latency, CCLK from issue to ready (set by bf_sdram_finalize)")                    \
    X(U64, read_lat_p50, "sdram.read_latency.p50", "cycles",                                       \
      "median read latency, CCLK (histogram bucket floor; set by bf_sdram_finalize)")              \
    X(U64, read_lat_p99, "sdram.read_latency.p99", "cycles",                                       \
      "99th percentile read latency, CCLK (histogram bucket floor; set by bf_sdram_finalize)")     \
    X(U64, read_lat_max, "sdram.read_latency.max", "cycles", "largest read latency, CCLK")         \
    X(U64_ARRAY, read_lat_h, [BF_SDRAM_LAT_BUCKETS])                                               \
    X(U64_AT, read_lat_h, [0], "sdram.read_latency.hist.lt32", "accesses",                         \
      "reads with latency < 32 CCLK")                                                              \
    X(U64_AT, read_lat_h, [1], "sdram.read_latency.hist.lt64", "accesses",                         \
      "reads with latency 32..63 CCLK")                                                            \
    X(U64_AT, read_lat_h, [2], "sdram.read_latency.hist.lt128", "accesses",                        \
      "reads with latency 64..127 CCLK")                                                           \
    X(U64_AT, read_lat_h, [3], "sdram.read_latency.hist.lt256", "accesses",                        \
      "reads with latency 128..255 CCLK")                                                          \
    X(U64_AT, read_lat_h, [4], "sdram.read_latency.hist.lt512", "accesses",                        \
      "reads with latency 256..511 CCLK")                                                          \
    X(U64_AT, read_lat_h, [5], "sdram.read_latency.hist.lt1024", "accesses",                       \
      "reads with latency 512..1023 CCLK")                                                         \
    X(U64_AT, read_lat_h, [6], "sdram.read_latency.hist.lt2048", "accesses",                       \
      "reads with latency 1024..2047 CCLK")                                                        \
    X(U64_AT, read_lat_h, [7], "sdram.read_latency.hist.lt4096", "accesses",                       \
      "reads with latency 2048..4095 CCLK")                                                        \
    X(U64_AT, read_lat_h, [8], "sdram.read_latency.hist.ge4096", "accesses",                       \
      "reads with latency >= 4096 CCLK")                                                           \
    X(U64_ARRAY, async_rw, [BF_SDRAM_ASYNC_BANKS][2])                                              \
    BF_SDRAM_ASYNC_STATS(X, 0)                                                                     \
    BF_SDRAM_ASYNC_STATS(X, 1)                                                                     \
    BF_SDRAM_ASYNC_STATS(X, 2)                                                                     \
    BF_SDRAM_ASYNC_STATS(X, 3)                                                                     \
    X(U64, async_turnarounds, "sdram.async.turnarounds", "events",                                 \
      "async writes that followed an async read (TT applies)")                                     \
    X(U64, async_tt_sclk, "sdram.async.turnaround_sclk", "sclk",                                   \
      "SCLK cycles async writes waited for the read-to-write transition time TT")                  \
    X(U64, bootrom_reads, "sdram.bootrom.reads", "accesses", "boot ROM reads")                     \
    X(U64, mmr_reads, "sdram.mmr.reads", "accesses", "system MMR reads served by this port")       \
    X(U64, mmr_writes, "sdram.mmr.writes", "accesses",                                             \
      "system MMR writes served by this port (posted)")

/* Per internal bank n (0..3): sdram.bank<n>.row_hits / row_misses / row_conflicts. */
#define BF_SDRAM_BANK_STATS(X, n)                                                                  \
    X(U64_AT, bank_row, [n][BF_SDRAM_ROW_HIT], "sdram.bank" #n ".row_hits", "accesses",            \
      "SDRAM accesses to the open row of internal bank " #n)                                       \
    X(U64_AT, bank_row, [n][BF_SDRAM_ROW_MISS], "sdram.bank" #n ".row_misses", "accesses",         \
      "SDRAM accesses to internal bank " #n " while idle (activate)")                              \
    X(U64_AT, bank_row, [n][BF_SDRAM_ROW_CONFLICT], "sdram.bank" #n ".row_conflicts", "accesses",  \
      "SDRAM accesses to internal bank " #n " with another row open")

/* Per async bank n (0..3). */
#define BF_SDRAM_ASYNC_STATS(X, n)                                                                 \
    X(U64_AT, async_rw, [n][0], "sdram.async.bank" #n ".reads", "accesses",                        \
      "reads of async memory bank " #n)                                                            \
    X(U64_AT, async_rw, [n][1], "sdram.async.bank" #n ".writes", "accesses",                       \
      "writes of async memory bank " #n)

typedef struct bf_sdram_stats {
    BF_SDRAM_STATS(BF_STAT_MEMBER)
} bf_sdram_stats;

extern const bf_stat_desc bf_sdram_stat_desc[];
extern const size_t bf_sdram_stat_count;

typedef struct bf_sdram bf_sdram;

void bf_sdram_config_default(bf_sdram_config *c); /* BF533 EZ-KIT values */
/* NULL if usable, else a message naming the register field ("EBIU_SDGCTL.tRAS ..."). */
const char *bf_sdram_config_check(const bf_sdram_config *c);
void bf_sdram_decode(const bf_sdram_config *c, bf_sdram_timing *t);

/* BF_ECONFIG if bf_sdram_config_check fails, BF_ENOMEM. `stats` is zeroed here and updated by
** every call; it may be NULL (the model then counts into a private struct). */
int bf_sdram_create(const bf_sdram_config *c, bf_sdram_stats *stats, bf_sdram **out);
void bf_sdram_destroy(bf_sdram *s);

/* The port function: ctx is a bf_sdram*. Serves SDRAM, async banks and the boot ROM; for a
** fill (BF_SRC_FILL) resp.ready is when the critical word (at rq->addr) has arrived.
** Added detail: the critical word is the fill_critical_bytes-aligned word holding rq->addr
** (default 4 bytes, the 32-bit EAB word: 2 beats); a fill of a
** power-of-two size covers the aligned line around rq->addr. Other reads and all writes have
** ready = done = end of their last beat. System MMRs (BF_RGN_SYS_MMR) are served on a separate
** PAB resource: reads ready after mmr_read_sclk, writes posted (ready = rq->now). Disabled or
** unpopulated external memory, and any address that is not SDRAM/async/boot ROM/system MMR,
** answers resp.fault = BF_FAULT_HWERR_EXTERN. Returns BF_EINPUT for size 0, a bad kind or
** source. Requests are served in call order; an earlier rq->now than a previous call is allowed
** and simply queues behind everything already served. */
int bf_sdram_xfer(void *ctx, const bf_req *rq, bf_resp *rs);

static inline bf_port bf_sdram_port(bf_sdram *s)
{
    bf_port p = {bf_sdram_xfer, s};
    return p;
}

/* End of run: time at which everything issued so far has completed. */
bf_cycles bf_sdram_idle_at(const bf_sdram *s);

/* Added. End of run at core time `end`: performs the auto-refreshes due up to `end`, then sets
** the derived stats (elapsed_sclk, utilisation, read-latency mean/p50/p99). May be called more
** than once (each call recomputes from the state); further bf_sdram_xfer calls stay valid. */
void bf_sdram_finalize(bf_sdram *s, bf_cycles end);

/* Added. Core-versus-DMA arbitration (AMGCTL.CDPRIO) for callers that hold several requests:
** returns 0 if `a` is served first, 1 if `b` is. The earlier SCLK arrival edge goes first; at the
** same edge, DMA goes first when CDPRIO=1 and the core side (any non-DMA source) when CDPRIO=0;
** otherwise `a`. The port itself serves requests in call order, so a caller with two requests
** pending at the same edge issues them in this order. */
int bf_sdram_first(const bf_sdram *s, const bf_req *a, const bf_req *b);

/* Added. SCLK edge k in core cycles: ceil(k * cclk_hz / sclk_hz) (edge 0 is at CCLK 0). */
bf_cycles bf_sdram_edge_cclk(const bf_sdram *s, uint64_t k);

/* Added. Clocks from the PLL fields: VCO = CLKIN x MSEL (/2 if DF), CCLK = VCO >> CSEL,
** SCLK = VCO / SSEL (floored to whole Hz). msel 1..64, df 0/1, csel 0..3 (PLL_DIV.CSEL code:
** /1 /2 /4 /8), ssel 1..15. NULL on success, else a message naming the bad field. Rejects
** VCO > 750 MHz (BF533), SCLK > 133.33 MHz and SCLK > CCLK. */
const char *bf_sdram_pll_clocks(uint64_t clkin_hz, uint32_t msel, int df, uint32_t csel,
                                uint32_t ssel, uint64_t *cclk_hz, uint64_t *sclk_hz);

/* Added. The same from raw PLL_CTL (DF bit 0, BYPASS bit 8, MSEL bits 14:9 with 0 = 64) and
** PLL_DIV (SSEL bits 3:0, CSEL bits 5:4). BYPASS=1 is rejected (not modelled). */
const char *bf_sdram_pll_from_regs(uint64_t clkin_hz, uint32_t pll_ctl, uint32_t pll_div,
                                   uint64_t *cclk_hz, uint64_t *sclk_hz);

/* Added. EBIU_SDRRC.RDIV by the HRM equation: floor(sclk_hz * tref_us / 1e6 / rows) - (tras +
** trp); 0 if that is not positive or does not fit the 12-bit field. */
uint32_t bf_sdram_rdiv(uint64_t sclk_hz, uint32_t tref_us, uint32_t rows, uint32_t tras,
                       uint32_t trp);

#endif
