/*
** bf_atrace_rep.c: the CS:APP malloc-lab trace reader (.rep): four header numbers (suggested
** heap size, number of ids, number of operations, weight), then "a id size", "f id" and
** "r id size" lines. ids are the trace's own, below the header's count; realloc = free of the
** old id + malloc with the same id (queued as two records); a file with fewer operations than
** its header announces is truncated. Memory: one bit per id (ids ever allocated, to tell a
** double free).
*/
#include "bf_atrace_int.h"
#include "bf_hmem.h"

#include "bf_parse.h"

#include <inttypes.h>

static int rep_line(bf_atrace_reader *r, const char *s, bf_arec *rec)
{
    const char *p = bf_parse_skip(s);
    char t[48];
    int rc;
    if (*p == '\0')
        return BF_ATRACE_COMMENT;
    if (r->rep_hdr_n < 4) {
        static const char *const what[] = {"suggested heap size", "number of ids",
                                           "number of operations", "weight"};
        if ((rc = bf_atrace_num_field(r, &p, &r->rep_hdr[r->rep_hdr_n], what[r->rep_hdr_n])))
            return rc;
        if (*bf_parse_skip(p))
            return bf_atrace_fail(r, BF_EINPUT, "unexpected '%s' after the %s",
                                  bf_parse_tok(bf_parse_skip(p), t, sizeof t), what[r->rep_hdr_n]);
        if (++r->rep_hdr_n == 4) {
            if (r->rep_hdr[1] > 100000000u)
                return bf_atrace_fail(r, BF_EINPUT,
                                      "number of ids %" PRIu64 " is absurd (at most 100000000)",
                                      r->rep_hdr[1]);
            r->rep_seen = bf_calloc((size_t)(r->rep_hdr[1] + 7) / 8 + 1, 1);
            if (!r->rep_seen)
                return bf_atrace_fail(r, BF_ENOMEM, "out of host memory");
        }
        return BF_ATRACE_COMMENT;
    }
    char c = *p++;
    if ((c != 'a' && c != 'f' && c != 'r') || !bf_parse_tokend(p))
        return bf_atrace_fail(r, BF_EINPUT, "bad .rep operation '%s' (a, f or r)",
                              bf_parse_tok(p - 1, t, sizeof t));
    uint64_t id, size = 0;
    if ((rc = bf_atrace_num_field(r, &p, &id, "id")))
        return rc;
    if (id >= r->rep_hdr[1])
        return bf_atrace_fail(r, BF_EINPUT, "id %" PRIu64 " out of range (header: %" PRIu64 " ids)",
                              id, r->rep_hdr[1]);
    if (c != 'f') {
        if ((rc = bf_atrace_num_field(r, &p, &size, "size")) ||
            (rc = bf_atrace_check_size(r, size)))
            return rc;
    }
    if (*bf_parse_skip(p))
        return bf_atrace_fail(r, BF_EINPUT, "unexpected '%s' after the record",
                              bf_parse_tok(bf_parse_skip(p), t, sizeof t));
    if (++r->rep_ops > r->rep_hdr[2])
        return bf_atrace_fail(r, BF_EINPUT, "more operations than the header's %" PRIu64,
                              r->rep_hdr[2]);
    rec->size = size;
    if (c == 'a') {
        rec->op = BF_AOP_MALLOC;
        r->rep_seen[id >> 3] |= (uint8_t)(1u << (id & 7));
        return bf_atrace_pair_alloc(r, BF_ATRACE_NS_ID, id, id, rec);
    }
    if (c == 'f') {
        rec->op = BF_AOP_FREE;
        if (!bf_atrace_live_find(r, BF_ATRACE_NS_ID, id) &&
            (r->rep_seen[id >> 3] >> (id & 7) & 1) && !r->lenient)
            return bf_atrace_fail(r, BF_EINPUT, "double free of id %" PRIu64, id);
        return bf_atrace_pair_free(r, BF_ATRACE_NS_ID, id, rec, 0);
    }
    /* realloc: free + malloc with the same id */
    if (!bf_atrace_live_find(r, BF_ATRACE_NS_ID, id)) {
        if (!r->lenient)
            return bf_atrace_fail(r, BF_EINPUT, "realloc of id %" PRIu64 " which is not live", id);
        rec->op = BF_AOP_MALLOC;
        r->rep_seen[id >> 3] |= (uint8_t)(1u << (id & 7));
        return bf_atrace_pair_alloc(r, BF_ATRACE_NS_ID, id, id, rec);
    }
    bf_arec fr = *rec;
    fr.op = BF_AOP_FREE;
    fr.size = 0;
    if ((rc = bf_atrace_pair_free(r, BF_ATRACE_NS_ID, id, &fr, 0)))
        return rc;
    rec->op = BF_AOP_MALLOC;
    if ((rc = bf_atrace_pair_alloc(r, BF_ATRACE_NS_ID, id, id, rec)))
        return rc;
    r->q[0] = fr;
    r->q[1] = *rec;
    r->qn = 2;
    r->qi = 0;
    return BF_ATRACE_QUEUED; /* queued */
}

int bf_atrace_rep_end(bf_atrace_reader *r)
{
    if (r->rep_hdr_n < 4)
        return bf_atrace_fail(r, BF_EINPUT, "truncated: the .rep header has %d of 4 lines",
                              r->rep_hdr_n);
    if (r->rep_ops != r->rep_hdr[2])
        return bf_atrace_fail(
            r, BF_EINPUT, "truncated: the header announces %" PRIu64 " operations, found %" PRIu64,
            r->rep_hdr[2], r->rep_ops);
    return BF_EEOF;
}

int bf_atrace_rep_sniff(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && bf_parse_isblank(s[i]))
        i++;
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == d)
        return 0;
    while (i < n && (bf_parse_isblank(s[i]) || s[i] == '\r'))
        i++;
    return i == n;
}

int bf_atrace_rep_next(bf_atrace_reader *r, bf_arec *rec)
{
    return bf_atrace_next_with(r, rec, rep_line);
}
