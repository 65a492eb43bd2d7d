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

#include "bf_common.h"
#include "bf_stats.h"

typedef struct bf_sdram_config {
    uint64_t cclk_hz;          /* core clock, Hz */
    uint64_t sclk_hz;          /* system clock, Hz (<= 133333333) */
    uint32_t sdgctl;           /* EBIU_SDGCTL raw value */
    uint32_t sdbctl;           /* EBIU_SDBCTL raw value */
    uint32_t sdrrc;            /* EBIU_SDRRC raw value (RDIV) */
    uint32_t amgctl;           /* EBIU_AMGCTL raw value */
    uint32_t ambctl0;          /* EBIU_AMBCTL0 raw value (banks 0, 1) */
    uint32_t ambctl1;          /* EBIU_AMBCTL1 raw value (banks 2, 3) */
    uint32_t core_overhead_sclk; /* ESTIMATE: core-to-EBIU synchronisation per request, SCLK */
    uint32_t refresh_sclk;     /* ESTIMATE: bus time of one auto-refresh beyond tRP, SCLK */
    uint32_t mmr_read_sclk;    /* ESTIMATE: system MMR read round trip, SCLK */
} bf_sdram_config;

/* Decoded register fields (for `bfsim config show` and the docs' formulas). */
typedef struct bf_sdram_timing {
    uint32_t cl, trcd, trp, tras, twr; /* SCLK cycles */
    uint32_t bank_bytes;               /* external bank size from EBSZ */
    uint32_t caw;                      /* column address width, bits */
    uint32_t rdiv;                     /* refresh divider from SDRRC */
    int enabled;                       /* SCTLE && EBE */
} bf_sdram_timing;

#define BF_SDRAM_STATS(X)                                                                          \
    X(U64, row_hits, "sdram.row_hits", "accesses", "SDRAM accesses to an open row")                \
    X(U64, row_misses, "sdram.row_misses", "accesses", "SDRAM accesses to an idle bank (activate)") \
    X(U64, row_conflicts, "sdram.row_conflicts", "accesses",                                       \
      "SDRAM accesses to a bank with another row open (precharge + activate)")

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

int bf_sdram_create(const bf_sdram_config *c, bf_sdram_stats *stats, bf_sdram **out);
void bf_sdram_destroy(bf_sdram *s);

/* The port function: ctx is a bf_sdram*. Serves SDRAM, async banks and the boot ROM; for a
** fill (BF_SRC_FILL) resp.ready is when the critical word (at rq->addr) has arrived. */
int bf_sdram_xfer(void *ctx, const bf_req *rq, bf_resp *rs);

static inline bf_port bf_sdram_port(bf_sdram *s)
{
    bf_port p = {bf_sdram_xfer, s};
    return p;
}

/* End of run: time at which everything issued so far has completed. */
bf_cycles bf_sdram_idle_at(const bf_sdram *s);

#endif
