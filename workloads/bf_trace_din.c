/*
** bf_trace_din.c: the Dinero din and extended din readers.
**
** Assumptions: din labels 0 read, 1 write, 2 ifetch, 3 misc (a read), 4 copy-back,
** 5 invalidate; addresses rounded down to 4, size 4 (DineroIV d4(1) "TRACE RECORDS").
** Copy-back becomes FLUSH of the line holding the address, invalidate becomes FLUSHINV (Blackfin
** has no invalidate-without-write-back of data lines). Extended din: r w i m c v, hex size; c/v
** cover the lines of [addr, addr+size); size 0 (whole cache) is skipped and counted. Everything
** after the significant fields of a line is ignored, as d4(1) does. Each record becomes the
** pending access of bf_trace_foreign.c.
*/
#include "bf_trace_int.h"

#include "bf_parse.h"

#include <string.h>

int bf_trace_din_line(bf_trace_reader *r, char *s, int ext)
{
    const char *p = bf_parse_skip(s);
    char t[48];
    if (*p == '\0')
        return BF_TRACE_LINE_SKIP;
    int type, op = 0;
    char c = *p;
    if (!bf_parse_tokend(p + 1))
        return bf_trace_fail(r, BF_EINPUT, "bad %s label '%s'", ext ? "xdin" : "din",
                             bf_parse_tok(p, t, sizeof t));
    if (!ext) {
        switch (c) {
        case '0':
            type = BF_REC_LOAD;
            break;
        case '1':
            type = BF_REC_STORE;
            break;
        case '2':
            type = BF_REC_IFETCH;
            break;
        case '3':
            type = BF_REC_LOAD;
            break;
        case '4':
            type = BF_REC_OP;
            op = BF_OP_FLUSH;
            break;
        case '5':
            type = BF_REC_OP;
            op = BF_OP_FLUSHINV;
            break;
        default:
            return bf_trace_fail(r, BF_EINPUT, "bad din label '%c' (0..5)", c);
        }
    } else {
        switch (c) {
        case 'r':
            type = BF_REC_LOAD;
            break;
        case 'w':
            type = BF_REC_STORE;
            break;
        case 'i':
            type = BF_REC_IFETCH;
            break;
        case 'm':
            type = BF_REC_LOAD;
            break;
        case 'c':
            type = BF_REC_OP;
            op = BF_OP_FLUSH;
            break;
        case 'v':
            type = BF_REC_OP;
            op = BF_OP_FLUSHINV;
            break;
        default:
            return bf_trace_fail(r, BF_EINPUT, "bad xdin type '%c' (r w i m c v)", c);
        }
    }
    p++;
    uint64_t a = 0, sz = 4;
    int rc = bf_trace_field(r, &p, &a, "address", 1);
    if (rc)
        return rc;
    if (!ext) {
        a &= ~(uint64_t)3; /* d4(1): rounded down to a multiple of 4, size 4 */
    } else {
        if ((rc = bf_trace_field(r, &p, &sz, "size", 1)))
            return rc;
        if (sz == 0 && type == BF_REC_OP) {
            r->st.whole_cache_ops++;
            return BF_TRACE_LINE_SKIP;
        }
    }
    /* d4(1): everything after the significant fields is ignored. */
    return bf_trace_set_pending(r, type, op, a, sz);
}

int bf_trace_din_sniff(const char *line)
{
    const char *p = bf_parse_skip(line);
    uint64_t v;
    if (*p >= '0' && *p <= '5' && bf_parse_isblank(p[1])) {
        p = bf_parse_skip(p + 1);
        if (bf_parse_hex(&p, &v, 1) == BF_PNUM_OK && bf_parse_tokend(p))
            return BF_FMT_DIN;
        return -1;
    }
    if (*p && strchr("rwimcv", *p) && bf_parse_isblank(p[1])) {
        p = bf_parse_skip(p + 1);
        if (bf_parse_hex(&p, &v, 1) == BF_PNUM_OK && bf_parse_isblank(*p)) {
            p = bf_parse_skip(p);
            if (bf_parse_hex(&p, &v, 1) == BF_PNUM_OK && bf_parse_tokend(p))
                return BF_FMT_XDIN;
        }
        return -1;
    }
    return BF_TRACE_SNIFF_OTHER;
}
