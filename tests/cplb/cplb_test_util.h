/* cplb_test_util.h: request builders shared by the CPLB tests. */
#ifndef CPLB_TEST_UTIL_H
#define CPLB_TEST_UTIL_H

#include "bf_cplb.h"
#include "bf_test.h"

static inline bf_req mkreq(int kind, int mode, bf_addr addr, uint32_t size)
{
    bf_req r;
    memset(&r, 0, sizeof r);
    r.addr = addr;
    r.size = size;
    r.kind = (uint8_t)kind;
    r.mode = (uint8_t)mode;
    r.source = BF_SRC_CORE;
    return r;
}

/* Check one access and return the result. */
static inline bf_cplb_result acc(bf_cplb *p, int kind, int mode, bf_addr addr, uint32_t size)
{
    bf_req r = mkreq(kind, mode, addr, size);
    bf_cplb_result res;
    int rc = bf_cplb_check(p, &r, &res);
    BF_CHECK_EQ(rc, BF_OK);
    return res;
}

#define RD BF_ACC_READ
#define WR BF_ACC_WRITE
#define IF BF_ACC_IFETCH
#define SUPV BF_MODE_SUPV
#define USER BF_MODE_USER

/* CPLB_COMMON without the 05000158 bit: DIRTY|SUPV_WR|USER_WR|USER_RD|VALID = 0x9D. */
#define COMMON (BF_CPLB_DIRTY | BF_CPLB_SUPV_WR | BF_CPLB_USER_WR | BF_CPLB_USER_RD | BF_CPLB_VALID)

#endif
