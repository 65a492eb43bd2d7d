/*
** bf_trace_foreign.c: foreign (host) accesses to BF533 records, shared by the Lackey and din
** readers: each of their lines becomes one pending host access, emitted here one piece a call.
**
** Assumptions:
**   - Foreign traces carry host addresses (up to 64 bits) and are mapped by bf_tmap (first-touch
**     windows by default). An access that crosses a window boundary (or the edge of a pinned
**     range) is cut at the boundary, because the two host windows map to unrelated target
**     windows; the second piece is flagged cont so that replay counts the pair as one access.
**   - Pinned host ranges (options.pins) are placed at their fixed target before and instead of
**     the first-touch or identity rule.
**   - Misaligned foreign data accesses follow options.misaligned: split into naturally aligned
**     pieces of 1, 2 or 4 bytes (largest first that fits at the current address); or passed
**     through flagged BF_MISAL_FAULT; or passed through flagged BF_MISAL_ONCE. Instruction
**     fetches are never classified (x86 instructions have any length and alignment).
**   - A cache-op (din copy-back / invalidate) becomes an op over the 32-byte lines of its range.
**
** Invariant: at most one pending access; p_left is the part of it not yet emitted, and every
** piece emitted is a non-empty part of it (asserted in debug builds).
*/
#include "bf_trace_int.h"

#include <assert.h>

/* Emit the next piece of the pending host access. */
static int emit_piece(bf_trace_reader *r, bf_trace_rec *rec)
{
    uint64_t a = r->p_addr, n = r->p_left;
    int data = r->p_type == BF_REC_LOAD || r->p_type == BF_REC_STORE || r->p_type == BF_REC_MODIFY;
    int split = data && r->p_misal && r->opt.misaligned == BF_MISALIGNED_SPLIT;
    if (split) {
        n = (!(a & 3) && n >= 4) ? 4 : (!(a & 1) && n >= 2) ? 2 : 1;
        r->st.split_pieces++;
    }
    uint64_t n_split = split ? n : r->p_left; /* size before boundary cuts */
    bf_addr t = 0;
    int m = BF_TMAP_OK, pinned = 0;
    /* A piece that continues a boundary cut (not a split piece) is flagged for replay. */
    rec->cont = r->p_cont;
    r->p_cont = 0;
    for (int i = 0; i < r->opt.npins; i++) {
        const bf_trace_pin *p = &r->opt.pins[i];
        if (a >= p->host && a - p->host < p->len) {
            t = p->target + (bf_addr)(a - p->host);
            if (n > p->len - (a - p->host)) {
                n = p->len - (a - p->host);
                r->st.window_splits += r->p_first;
            }
            pinned = 1;
        } else if (p->host > a && p->host - a < n) {
            n = p->host - a; /* stop where the pinned range starts */
            r->st.window_splits += r->p_first;
        }
    }
    if (!pinned && r->map.mode == BF_MAPMODE_FIRST_TOUCH) {
        uint64_t last = a | (uint64_t)(r->map.window - 1);
        if (n - 1 > last - a) {
            n = last - a + 1;
            if (r->p_first)
                r->st.window_splits++;
        }
    } else if (!pinned && (a + n - 1 < a || a + n - 1 > 0xffffffffu)) {
        return bf_trace_fail(
            r, BF_EINPUT,
            "address 0x%" PRIx64 "+%" PRIu64 " does not fit in 32 bits (map identity)", a, n);
    }
    if (!pinned)
        m = bf_tmap_map(&r->map, a, &t);
    if (m == BF_TMAP_FULL)
        return bf_trace_fail(
            r, BF_EINPUT,
            "address map full: host window 0x%" PRIx64 " needs window %u of a target area "
            "holding %u windows of 0x%x bytes (raise map_limit or map_window)",
            a & ~(uint64_t)(r->map.window - 1), r->map.cap + 1, r->map.cap, r->map.window);
    if (m == BF_TMAP_RANGE)
        return bf_trace_fail(r, BF_EINPUT,
                             "address 0x%" PRIx64 " does not fit in 32 bits (map identity)", a);
    r->st.map_windows = r->map.used;
    rec->line = r->p_line;
    rec->type = r->p_type;
    if (r->p_type == BF_REC_OP) {
        bf_addr first = t & ~(bf_addr)(BF_TRACE_LINE_BYTES - 1);
        rec->op = r->p_op;
        rec->addr = first;
        rec->count = (uint32_t)(((uint64_t)t + n - 1 - first) / BF_TRACE_LINE_BYTES + 1);
    } else {
        rec->addr = t;
        rec->size = (uint32_t)n;
        /* selects, not branches on the type and the alignment */
        uint8_t how =
            r->opt.misaligned == BF_MISALIGNED_COUNT_ONCE ? BF_MISAL_ONCE : BF_MISAL_FAULT;
        rec->misaligned = (data & !bf_trace_aligned(a, n)) ? how : BF_MISAL_NONE;
    }
    assert(n > 0 && n <= r->p_left);
    r->p_first = 0;
    r->p_addr = a + n;
    r->p_left -= n;
    /* The next piece continues this access unless this piece was a whole split piece. */
    r->p_cont = r->p_left && n != n_split;
    return BF_OK;
}

static int foreign_record(bf_trace_reader *r, bf_trace_rec *rec)
{
    for (;;) {
        if (r->p_left)
            return emit_piece(r, rec);
        char *s;
        size_t n;
        int rc = bf_trace_line(r, &s, &n);
        if (rc)
            return rc;
        if (r->fmt == BF_FMT_LACKEY)
            rc = bf_trace_lackey_line(r, s, n);
        else
            rc = bf_trace_din_line(r, s, r->fmt == BF_FMT_XDIN);
        if (rc == BF_TRACE_LINE_SKIP) {
            r->st.skipped++;
            continue;
        }
        if (rc)
            return rc;
    }
}

int bf_trace_foreign_next(bf_trace_reader *r, bf_trace_rec *rec)
{
    return bf_trace_next_with(r, rec, foreign_record);
}

/* The batch path of Lackey traces: each record line is recognised and parsed where it lies in the
** input buffer (bf_tio_peek leaves a NUL after the data, so the field scanners stop there), then
** consumed as bf_tio_line would have returned it and made the pending access by the same
** bf_trace_set_pending and emit_piece as foreign_record: the records, their line numbers and the
** reader's statistics are the same as one bf_trace_next at a time (tests/workloads:
** test_trace_lackey_batch compares them). What it does not take (blank, commentary and
** superblock lines, "\r\n", malformed lines, a line cut by the end of the buffer, the second
** piece of an access) is left to bf_trace_next. */
size_t bf_trace_foreign_batch(bf_trace_reader *r, bf_trace_rec *recs, size_t max)
{
    const uint8_t *buf;
    size_t avail, at = 0, k = 0;
    if (r->fmt != BF_FMT_LACKEY || r->rc || r->p_left ||
        bf_tio_peek(r->in, max * 32, &buf, &avail) != BF_OK)
        return 0;
    while (k < max) {
        const char *s = (const char *)buf + at, *e;
        int type;
        uint64_t a, sz;
        if (bf_trace_lackey_fields(s, &type, &a, &sz, &e) != BF_LACKEY_REC || *e != '\n')
            break;
        size_t len = (size_t)(e - s) + 1;
        bf_tio_skip_lines(r->in, len, 1);
        at += len;
        r->st.lines++;
        bf_trace_rec *rec = &recs[k];
        memset(rec, 0, sizeof *rec);
        if (bf_trace_set_pending(r, type, 0, a, sz) != BF_OK || emit_piece(r, rec) != BF_OK)
            break; /* the sticky error: bf_trace_next returns it */
        r->st.records++;
        k++;
        if (r->p_left)
            break; /* the access's other pieces: bf_trace_next */
    }
    return k;
}
