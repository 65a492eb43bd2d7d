/*
** sdram_test_util.h: shared helpers of the sdram.* tests: the two reference boards and a one-call
** request. Expectations are never computed here; every test writes its numbers out by hand.
*/
#ifndef SDRAM_TEST_UTIL_H
#define SDRAM_TEST_UTIL_H

#include "bf_sdram.h"
#include "bf_test.h"

/* Board A: BF533 EZ-KIT, CCLK 594 MHz, SCLK 118.8 MHz (ratio 5: SCLK edge k at CCLK 5k).
** SDGCTL 0x0091998D = CL3 tRAS6 tRP3 tRCD3 tWR2; SDBCTL 0x0013 = 32 MB, CAW 9 (1 KB rows, internal
** bank = A[24:23]); RDIV 919 (0x397, 8K refresh) -> refresh period RDIV = 919 SCLK, refresh busy
** tRP + tRAS + tRP = 12. */
static inline void board_ezkit(bf_sdram_config *c)
{
    bf_sdram_config_default(c);
}

/* Board B: CCLK 400 MHz, SCLK 133333333 Hz (edge k at CCLK ceil(k * 400000000 / 133333333) =
** 3k + 1 for 1 <= k <= 133333333, edge 0 at 0). SDGCTL 0x00911149 = CL2 tRAS5 tRP2 tRCD2 tWR2;
** SDBCTL 0x0037 = 128 MB, CAW 11 (4 KB rows, internal bank = A[26:25]); RDIV 1034 (0x40A, 8K
** refresh) -> refresh period 1034 SCLK, refresh busy tRP + tRAS + tRP = 9. */
static inline void board_b(bf_sdram_config *c)
{
    bf_sdram_config_default(c);
    c->cclk_hz = 400000000;
    c->sclk_hz = 133333333;
    c->sdgctl = 0x00911149;
    c->sdbctl = 0x0037;
    c->sdrrc = 0x040A;
}

static inline bf_sdram *mk(const bf_sdram_config *c, bf_sdram_stats *st)
{
    bf_sdram *s = NULL;
    memset(st, 0, sizeof *st);
    int rc = bf_sdram_create(c, st, &s);
    BF_CHECK_EQ(rc, BF_OK);
    return s;
}

static inline bf_resp xf(bf_sdram *s, uint32_t addr, uint32_t size, int kind, int src,
                         bf_cycles now)
{
    bf_req rq;
    bf_resp rs;
    memset(&rq, 0, sizeof rq);
    rq.addr = addr;
    rq.size = size;
    rq.kind = (uint8_t)kind;
    rq.source = (uint8_t)src;
    rq.now = now;
    int rc = bf_sdram_xfer(s, &rq, &rs);
    BF_CHECK_EQ(rc, BF_OK);
    return rs;
}

#define RD BF_ACC_READ
#define WR BF_ACC_WRITE

#endif
