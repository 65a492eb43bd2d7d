/*
** bf_trace_text.c: the native text trace reader ("#bfsim-trace 1", docs/trace-format.md).
**
** Assumptions: native traces carry BF533 addresses and are never remapped or split. Their
** misaligned data accesses are flagged BF_MISAL_FAULT (a Blackfin faults on them) unless the
** header says "#misaligned: count-once". Data access sizes are 1, 2 or a multiple of 4 bytes.
**
** Algorithm: open reads the version line and the "#key: value" header comments up to the first
** record line, which it holds for the first next(). next() parses one line: the writer's own
** access layout " 0x%08x %u" takes a one-pass fast path, anything else the general scanner with
** full error reporting; both accept the same records.
*/
#include "bf_trace_int.h"

#include "bf_parse.h"

#include <string.h>

static int addr32(bf_trace_reader *r, const char **pp, bf_addr *a, const char *what)
{
    uint64_t v = 0;
    int rc = bf_trace_field(r, pp, &v, what, 0);
    if (rc)
        return rc;
    if (v > 0xffffffffu)
        return bf_trace_fail(r, BF_EINPUT, "%s 0x%" PRIx64 " does not fit in 32 bits", what, v);
    *a = (bf_addr)v;
    return BF_OK;
}

static int native_access(bf_trace_reader *r, const char *p, int type, bf_trace_rec *rec)
{
    bf_addr a = 0;
    uint64_t s = 0;
    int rc;
    /* Fast path for the writer's own layout, " 0x%08x %u": one pass, no error bookkeeping.
    ** Anything else (other spacing, decimal addresses, errors) takes the general path. */
    const unsigned char *q = (const unsigned char *)p;
    if (q[0] == ' ' && q[1] == '0' && q[2] == 'x') {
        uint32_t x = 0;
        int nd = 0;
        uint8_t d;
        q += 3;
        while ((d = bf_parse_hexval[*q]) != 0xff && nd < 9) {
            x = x << 4 | d;
            q++;
            nd++;
        }
        if (nd >= 1 && nd <= 8 && q[0] == ' ' && q[1] >= '1' && q[1] <= '9') {
            uint32_t z = 0;
            q++;
            for (nd = 0; *q >= '0' && *q <= '9' && nd < 5; nd++, q++)
                z = z * 10 + (uint32_t)(*q - '0');
            if (*q == '\0' && z <= BF_TRACE_MAX_ACCESS) {
                a = x;
                s = z;
                goto checked;
            }
        }
    }
    rc = addr32(r, &p, &a, "address");
    if (!rc)
        rc = bf_trace_field(r, &p, &s, "size", 0);
    if (rc)
        return rc;
    if (s == 0 || s > BF_TRACE_MAX_ACCESS)
        return bf_trace_fail(r, BF_EINPUT, "size %" PRIu64 " out of range (1..%d)", s,
                             BF_TRACE_MAX_ACCESS);
    if ((rc = bf_trace_expect_end(r, p)))
        return rc;
checked:
    if ((rc = bf_trace_native_size(r, type, s)) || (rc = bf_trace_check_span(r, a, s, "access")))
        return rc;
    rec->type = (uint8_t)type;
    rec->addr = a;
    rec->size = (uint32_t)s;
    rec->misaligned = (type != BF_REC_IFETCH && !bf_trace_aligned(a, s)) ? (uint8_t)r->misal : 0;
    return BF_OK;
}

static int kw(const char *p, size_t n, const char *k)
{
    return strlen(k) == n && memcmp(p, k, n) == 0;
}

static int native_op(bf_trace_reader *r, const char *p, int op, bf_trace_rec *rec)
{
    rec->type = BF_REC_OP;
    rec->op = (uint8_t)op;
    rec->count = 1;
    if (op == BF_OP_SSYNC || op == BF_OP_CSYNC)
        return bf_trace_expect_end(r, p);
    int rc = addr32(r, &p, &rec->addr, "address");
    if (rc)
        return rc;
    p = bf_parse_skip(p);
    if (*p) {
        uint64_t c = 0;
        if ((rc = bf_trace_field(r, &p, &c, "count", 0)))
            return rc;
        if (c == 0 || c > 0xffffffffu)
            return bf_trace_fail(r, BF_EINPUT, "count %" PRIu64 " out of range (1..4294967295)", c);
        if ((rc = bf_trace_check_span(r, rec->addr, (c - 1) * BF_TRACE_LINE_BYTES + 1, "op range")))
            return rc;
        rec->count = (uint32_t)c;
    }
    return bf_trace_expect_end(r, p);
}

static int native_line(bf_trace_reader *r, char *s, bf_trace_rec *rec)
{
    const char *p = bf_parse_skip(s);
    char t[48];
    /* Hot path: one-letter records. */
    if (p[1] == ' ' || p[1] == '\t') {
        switch (p[0]) {
        case 'I':
            return native_access(r, p + 1, BF_REC_IFETCH, rec);
        case 'L':
            return native_access(r, p + 1, BF_REC_LOAD, rec);
        case 'S':
            return native_access(r, p + 1, BF_REC_STORE, rec);
        case 'M':
            return native_access(r, p + 1, BF_REC_MODIFY, rec);
        case 'G': {
            const char *q = p + 1;
            int rc = bf_trace_field(r, &q, &rec->value, "cycle count", 0);
            if (rc)
                return rc;
            if (rec->value == 0)
                return bf_trace_fail(r, BF_EINPUT, "gap of 0 cycles");
            rec->type = BF_REC_GAP;
            return bf_trace_expect_end(r, q);
        }
        default:
            break;
        }
    }
    const char *k = p;
    while (*p && !bf_parse_isblank(*p))
        p++;
    size_t n = (size_t)(p - k);
    if (kw(k, n, "SSYNC"))
        return native_op(r, p, BF_OP_SSYNC, rec);
    if (kw(k, n, "CSYNC"))
        return native_op(r, p, BF_OP_CSYNC, rec);
    if (kw(k, n, "FLUSH"))
        return native_op(r, p, BF_OP_FLUSH, rec);
    if (kw(k, n, "FLUSHINV"))
        return native_op(r, p, BF_OP_FLUSHINV, rec);
    if (kw(k, n, "IFLUSH"))
        return native_op(r, p, BF_OP_IFLUSH, rec);
    if (kw(k, n, "PREFETCH"))
        return native_op(r, p, BF_OP_PREFETCH, rec);
    if (kw(k, n, "MODE")) {
        const char *m = bf_parse_skip(p);
        const char *e = m;
        while (*e && !bf_parse_isblank(*e))
            e++;
        rec->type = BF_REC_MODE;
        if (kw(m, (size_t)(e - m), "user"))
            rec->mode = BF_MODE_USER;
        else if (kw(m, (size_t)(e - m), "supervisor"))
            rec->mode = BF_MODE_SUPV;
        else if (e == m)
            return bf_trace_fail(r, BF_EINPUT, "missing mode (user or supervisor)");
        else
            return bf_trace_fail(r, BF_EINPUT, "bad mode '%s' (user or supervisor)",
                                 bf_parse_tok(m, t, sizeof t));
        return bf_trace_expect_end(r, e);
    }
    if (kw(k, n, "MMR")) {
        int rc = addr32(r, &p, &rec->addr, "MMR address");
        if (!rc)
            rc = bf_trace_field(r, &p, &rec->value, "value", 0);
        if (rc)
            return rc;
        if (rec->addr < BF_SYS_MMR_BASE || (rec->addr & 3))
            return bf_trace_fail(r, BF_EINPUT,
                                 "MMR address 0x%08" PRIx32
                                 " is not a 4-byte aligned MMR (0xffc00000..)",
                                 rec->addr);
        if (rec->value > 0xffffffffu)
            return bf_trace_fail(r, BF_EINPUT, "MMR value 0x%" PRIx64 " does not fit in 32 bits",
                                 rec->value);
        rec->type = BF_REC_MMR;
        return bf_trace_expect_end(r, p);
    }
    if (kw(k, n, "DMA")) {
        uint64_t ch = 0;
        int rc = bf_trace_field(r, &p, &ch, "channel", 0);
        if (!rc && ch > 255)
            rc = bf_trace_fail(r, BF_EINPUT, "channel %" PRIu64 " out of range (0..255)", ch);
        if (!rc)
            rc = addr32(r, &p, &rec->addr, "source");
        if (!rc)
            rc = addr32(r, &p, &rec->addr2, "destination");
        if (!rc)
            rc = bf_trace_field(r, &p, &rec->value, "byte count", 0);
        if (rc)
            return rc;
        if (rec->value == 0 || rec->value > 0xffffffffu)
            return bf_trace_fail(r, BF_EINPUT,
                                 "byte count %" PRIu64 " out of range (1..4294967295)", rec->value);
        if ((rc = bf_trace_check_span(r, rec->addr, rec->value, "DMA source")) ||
            (rc = bf_trace_check_span(r, rec->addr2, rec->value, "DMA destination")))
            return rc;
        rec->type = BF_REC_DMA;
        rec->chan = (uint8_t)ch;
        p = bf_parse_skip(p);
        if (*p) {
            if ((rc = bf_trace_field(r, &p, &rec->start, "start time", 0)))
                return rc;
            rec->has_start = 1;
        }
        return bf_trace_expect_end(r, p);
    }
    if (kw(k, n, "PHASE")) {
        const char *m = bf_parse_skip(p);
        const char *e = m;
        while (*e && !bf_parse_isblank(*e))
            e++;
        if (e == m)
            return bf_trace_fail(r, BF_EINPUT, "missing phase name");
        if (!bf_trace_valid_name(m, (size_t)(e - m)))
            return bf_trace_fail(r, BF_EINPUT,
                                 "bad phase name '%s' ([A-Za-z0-9_.-], 1..%d characters)",
                                 bf_parse_tok(m, t, sizeof t), BF_TRACE_NAME_MAX);
        memcpy(r->name, m, (size_t)(e - m));
        r->name[e - m] = '\0';
        rec->type = BF_REC_PHASE;
        rec->name = r->name;
        return bf_trace_expect_end(r, e);
    }
    return bf_trace_fail(r, BF_EINPUT, "unknown record '%s'", bf_parse_tok(k, t, sizeof t));
}

int bf_trace_text_open(bf_trace_reader *r)
{
    char *s;
    size_t n;
    int rc = bf_trace_line(r, &s, &n);
    if (rc == BF_EEOF)
        return bf_trace_fail(r, BF_EINPUT, "empty file (expected '#bfsim-trace 1')");
    if (rc)
        return rc;
    if (strncmp(s, "#bfsim-trace", 12) != 0 || !bf_parse_isblank(s[12]))
        return bf_trace_fail(r, BF_EINPUT, "missing '#bfsim-trace 1' header line");
    const char *p = s + 12;
    uint64_t v = 0;
    if ((rc = bf_trace_field(r, &p, &v, "format version", 0)) || (rc = bf_trace_expect_end(r, p)))
        return rc;
    if (v != 1)
        return bf_trace_fail(r, BF_EINPUT,
                             "unsupported format version %" PRIu64 " (this reader: 1)", v);
    for (;;) {
        rc = bf_trace_line(r, &s, &n);
        if (rc == BF_EEOF)
            return BF_OK;
        if (rc)
            return rc;
        if (s[0] != '#') {
            r->held = 1;
            r->held_line = s;
            return BF_OK;
        }
        r->st.skipped++;
        if ((rc = bf_trace_header_add(r, s + 1, n - 1)))
            return rc;
    }
}

static int text_record(bf_trace_reader *r, bf_trace_rec *rec)
{
    for (;;) {
        char *s;
        if (r->held) {
            r->held = 0;
            s = r->held_line;
        } else {
            size_t n;
            int rc = bf_trace_line(r, &s, &n);
            if (rc)
                return rc;
        }
        const char *p = bf_parse_skip(s);
        if (*p == '#' || *p == '\0') {
            r->st.skipped++;
            continue;
        }
        int rc = native_line(r, s, rec);
        if (rc)
            return rc;
        rec->line = bf_tio_lineno(r->in);
        return BF_OK;
    }
}

int bf_trace_text_next(bf_trace_reader *r, bf_trace_rec *rec)
{
    return bf_trace_next_with(r, rec, text_record);
}
