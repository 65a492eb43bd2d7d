/*
** bf_atrace_ltrace.c: the ltrace reader (user-space malloc, calloc, realloc, free, valloc,
** pvalloc, memalign, aligned_alloc calls with their return values).
**
** Assumptions: lines are "[pid N] [timestamp] [lib->]name(args) = ret"; a call split by another
** thread is "name(args <unfinished ...>" then "<... name resumed> rest) = ret", reassembled per
** pid; "+++ exited" and "--- SIGNAL ---" lines are commentary. A free of NULL and an allocation
** that returned NULL are skipped and counted; realloc = free of the old pointer + malloc under
** the same id (realloc(p, 0) frees; a failed realloc leaves the old block live). ids are the
** sequence numbers of successful allocations.
*/
#include "bf_atrace_int.h"

#include "bf_parse.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* A pointer argument or return value: 0x-hex, 0, nil, (nil), NULL. */
static int lt_ptr(const char **pp, uint64_t *v)
{
    const char *p = bf_parse_skip(*pp);
    static const char *const nulls[] = {"(nil)", "nil", "NULL"};
    for (size_t i = 0; i < BF_ARRAY_SIZE(nulls); i++) {
        size_t n = strlen(nulls[i]);
        if (strncmp(p, nulls[i], n) == 0) {
            *v = 0;
            *pp = p + n;
            return 0;
        }
    }
    if (bf_parse_num(&p, v) != BF_PNUM_OK)
        return -1;
    *pp = p;
    return 0;
}

static int lt_expect(const char **pp, char c)
{
    const char *p = bf_parse_skip(*pp);
    if (*p != c)
        return -1;
    *pp = p + 1;
    return 0;
}

static int ltrace_call(bf_atrace_reader *r, const char *fn, size_t fnl, const char *args,
                       bf_arec *rec)
{
    char t[48];
    const char *p = args;
    uint64_t a = 0, b = 0, ret = 0;
    int kind; /* 0 malloc(size), 1 calloc(n,m), 2 realloc(p,size), 3 free(p), 4 (align,size) */
    if (fnl == 6 && !memcmp(fn, "malloc", 6))
        kind = 0;
    else if ((fnl == 6 && !memcmp(fn, "valloc", 6)) || (fnl == 7 && !memcmp(fn, "pvalloc", 7)))
        kind = 0;
    else if (fnl == 6 && !memcmp(fn, "calloc", 6))
        kind = 1;
    else if (fnl == 7 && !memcmp(fn, "realloc", 7))
        kind = 2;
    else if (fnl == 4 && !memcmp(fn, "free", 4))
        kind = 3;
    else if ((fnl == 8 && !memcmp(fn, "memalign", 8)) ||
             (fnl == 13 && !memcmp(fn, "aligned_alloc", 13)))
        kind = 4;
    else {
        r->st.ignored_events++;
        return BF_ATRACE_SKIP;
    }
    int bad = 0;
    switch (kind) {
    case 0:
        bad = bf_parse_num((p = bf_parse_skip(p), &p), &b) != BF_PNUM_OK;
        break;
    case 1:
    case 4:
        bad = bf_parse_num((p = bf_parse_skip(p), &p), &a) != BF_PNUM_OK || lt_expect(&p, ',') ||
              bf_parse_num((p = bf_parse_skip(p), &p), &b) != BF_PNUM_OK;
        break;
    case 2:
        bad = lt_ptr(&p, &a) || lt_expect(&p, ',') ||
              bf_parse_num((p = bf_parse_skip(p), &p), &b) != BF_PNUM_OK;
        break;
    case 3:
        bad = lt_ptr(&p, &a) != 0;
        break;
    }
    if (bad || lt_expect(&p, ')') || lt_expect(&p, '='))
        return bf_atrace_fail(r, BF_EINPUT, "bad %.*s call: '%s'", (int)fnl, fn,
                              bf_parse_tok(args, t, sizeof t));
    p = bf_parse_skip(p);
    if (kind != 3 && lt_ptr(&p, &ret))
        return bf_atrace_fail(r, BF_EINPUT, "bad %.*s return value '%s'", (int)fnl, fn,
                              bf_parse_tok(p, t, sizeof t));
    if (kind == 1) {
        if (b && a > UINT64_MAX / b)
            return bf_atrace_fail(r, BF_EINPUT, "calloc size overflows");
        b = a * b;
    }
    if (kind == 3) {
        if (a == 0) {
            r->st.null_frees++;
            return BF_ATRACE_SKIP;
        }
        rec->op = BF_AOP_FREE;
        return bf_atrace_pair_free(r, BF_ATRACE_NS_PTR, a, rec, 0);
    }
    if (kind == 2 && a != 0) {
        bf_atrace_live *e = bf_atrace_live_find(r, BF_ATRACE_NS_PTR, a);
        if (ret == 0 && b != 0) {
            r->st.failed_allocs++; /* the old block stays live */
            return BF_ATRACE_SKIP;
        }
        if (!e && !r->lenient) {
            const bf_atrace_freed *f = bf_atrace_freed_find(r, BF_ATRACE_NS_PTR, a);
            if (f)
                return bf_atrace_fail(r, BF_EINPUT,
                                      "realloc of ptr=0x%" PRIx64 " freed at line %" PRIu64, a,
                                      f->line);
            return bf_atrace_fail(r, BF_EINPUT, "realloc of ptr=0x%" PRIx64 " which is not live",
                                  a);
        }
        if (!e) {
            r->st.unmatched_frees++;
        } else {
            bf_arec fr = *rec;
            fr.op = BF_AOP_FREE;
            int rc = bf_atrace_pair_free(r, BF_ATRACE_NS_PTR, a, &fr, 0);
            if (rc)
                return rc;
            if (ret == 0) { /* realloc(p, 0) frees */
                *rec = fr;
                return BF_OK;
            }
            uint64_t id = fr.id;
            rec->op = BF_AOP_MALLOC;
            rec->size = b;
            if ((rc = bf_atrace_check_size(r, b)) ||
                (rc = bf_atrace_pair_alloc(r, BF_ATRACE_NS_PTR, ret, id, rec)))
                return rc;
            r->q[0] = fr;
            r->q[1] = *rec;
            r->qn = 2;
            r->qi = 0;
            return BF_ATRACE_QUEUED;
        }
    }
    if (ret == 0) {
        r->st.failed_allocs++;
        return BF_ATRACE_SKIP;
    }
    int rc = bf_atrace_check_size(r, b);
    if (rc)
        return rc;
    rec->op = BF_AOP_MALLOC;
    rec->size = b;
    return bf_atrace_pair_alloc(r, BF_ATRACE_NS_PTR, ret, ++r->next_id, rec);
}

static int ltrace_line(bf_atrace_reader *r, const char *s, bf_arec *rec)
{
    const char *p = bf_parse_skip(s);
    char t[48];
    uint64_t pid = 0;
    if (*p == '\0')
        return BF_ATRACE_COMMENT;
    if (strncmp(p, "[pid ", 5) == 0) {
        p += 5;
        if (bf_parse_dec(&p, &pid) != BF_PNUM_OK || *p != ']')
            return bf_atrace_fail(r, BF_EINPUT, "bad [pid N] prefix");
        p = bf_parse_skip(p + 1);
    }
    if ((p[0] == '+' && p[1] == '+' && p[2] == '+') || (p[0] == '-' && p[1] == '-' && p[2] == '-'))
        return BF_ATRACE_COMMENT; /* "+++ exited ... +++", "--- SIGCHLD ... ---" */
    /* Timestamp column (-t, -tt, -ttt, -r): a token of digits, ':' and '.'. */
    if (*p >= '0' && *p <= '9') {
        const char *q = p;
        while ((*q >= '0' && *q <= '9') || *q == ':' || *q == '.')
            q++;
        if (!bf_parse_isblank(*q))
            return bf_atrace_fail(r, BF_EINPUT, "not an ltrace line: '%s'",
                                  bf_parse_tok(p, t, sizeof t));
        p = bf_parse_skip(q);
        if ((p[0] == '+' && p[1] == '+' && p[2] == '+') ||
            (p[0] == '-' && p[1] == '-' && p[2] == '-'))
            return BF_ATRACE_COMMENT;
    }
    if (strncmp(p, "<... ", 5) == 0) {
        /* "<... malloc resumed> ) = 0x..." completes a call left "<unfinished ...>". */
        const char *fn = p + 5, *e = fn;
        while (*e && *e != ' ' && *e != '>')
            e++;
        size_t fnl = (size_t)(e - fn);
        const char *rest = strstr(e, "resumed>");
        if (!rest)
            return bf_atrace_fail(r, BF_EINPUT, "bad resumed call '%s'",
                                  bf_parse_tok(p, t, sizeof t));
        rest += 8;
        for (int i = 0; i < BF_ATRACE_PEND_MAX; i++) {
            bf_atrace_pend *c = &r->pend[i];
            if (c->used && c->pid == pid && strlen(c->func) == fnl && !memcmp(c->func, fn, fnl)) {
                c->used = 0;
                snprintf(r->lbuf, sizeof r->lbuf, "%s%s", c->args, rest);
                return ltrace_call(r, fn, fnl, r->lbuf, rec);
            }
        }
        r->st.ignored_events++; /* its start was not an allocation call we track */
        return BF_ATRACE_SKIP;
    }
    /* [lib->]name(args) = ret */
    const char *open = strchr(p, '(');
    if (!open || open == p)
        return bf_atrace_fail(r, BF_EINPUT, "not an ltrace line: '%s'",
                              bf_parse_tok(p, t, sizeof t));
    const char *fn = p;
    for (const char *q = p; q + 1 < open; q++)
        if (q[0] == '-' && q[1] == '>')
            fn = q + 2;
    for (const char *q = fn; q < open; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              *q == '_' || *q == '@' || *q == '.'))
            return bf_atrace_fail(r, BF_EINPUT, "not an ltrace line: '%s'",
                                  bf_parse_tok(p, t, sizeof t));
    size_t fnl = (size_t)(open - fn);
    const char *un = strstr(open, "<unfinished ...>");
    if (un) {
        int is_alloc =
            (fnl == 6 &&
             (!memcmp(fn, "malloc", 6) || !memcmp(fn, "calloc", 6) || !memcmp(fn, "valloc", 6))) ||
            (fnl == 7 && (!memcmp(fn, "realloc", 7) || !memcmp(fn, "pvalloc", 7))) ||
            (fnl == 4 && !memcmp(fn, "free", 4)) || (fnl == 8 && !memcmp(fn, "memalign", 8)) ||
            (fnl == 13 && !memcmp(fn, "aligned_alloc", 13));
        if (!is_alloc) {
            r->st.ignored_events++;
            return BF_ATRACE_SKIP;
        }
        for (int i = 0; i < BF_ATRACE_PEND_MAX; i++) {
            bf_atrace_pend *c = &r->pend[i];
            if (!c->used) {
                size_t an = (size_t)(un - (open + 1));
                if (an >= sizeof c->args || fnl >= sizeof c->func)
                    return bf_atrace_fail(r, BF_EINPUT, "unfinished call too long");
                c->used = 1;
                c->pid = pid;
                memcpy(c->func, fn, fnl);
                c->func[fnl] = '\0';
                memcpy(c->args, open + 1, an);
                c->args[an] = '\0';
                return BF_ATRACE_COMMENT;
            }
        }
        return bf_atrace_fail(r, BF_EINPUT, "more than %d unfinished calls at once",
                              BF_ATRACE_PEND_MAX);
    }
    /* "name(args) = ret", or a call that never returns ("exit(0 <no return ...>"). */
    int shaped = strstr(open, "<no return ...>") != NULL;
    for (const char *q = strchr(open, ')'); q && !shaped; q = strchr(q + 1, ')'))
        shaped = *bf_parse_skip(q + 1) == '=';
    if (!shaped)
        return bf_atrace_fail(r, BF_EINPUT, "not an ltrace line: '%s'",
                              bf_parse_tok(p, t, sizeof t));
    return ltrace_call(r, fn, fnl, open + 1, rec);
}

int bf_atrace_ltrace_sniff(const char *line)
{
    return (strstr(line, "malloc(") || strstr(line, "free(") || strstr(line, "calloc(") ||
            strstr(line, "realloc(")) &&
           (strstr(line, ") = ") || strstr(line, "<unfinished ...>"));
}

int bf_atrace_ltrace_next(bf_atrace_reader *r, bf_arec *rec)
{
    return bf_atrace_next_with(r, rec, ltrace_line);
}
