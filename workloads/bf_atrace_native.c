/*
** bf_atrace_native.c: the native allocation-trace reader ("#bfsim-alloc 1",
** docs/alloc-trace-format.md): one record per line, "op [cache] id [size|order] [GFP] [@SITE]
** [t=NS]", ids chosen by the trace and paired by bf_atrace_pair.c; "#key: value" comments
** before the first record are the header (bf_atrace_header_get).
*/
#include "bf_atrace_int.h"

#include "bf_parse.h"

#include <inttypes.h>
#include <string.h>

/* The native keyword of each bf_aop, with its length (the record's first token is compared by
** length and first letter before its bytes: no strlen per record). */
#define AOP_NAME(s)                                                                                \
    {                                                                                              \
        s, sizeof s - 1                                                                            \
    }
static const struct {
    const char *s;
    size_t n;
} aop_names[] = {AOP_NAME("kmalloc"),    AOP_NAME("kfree"),       AOP_NAME("cache_alloc"),
                 AOP_NAME("cache_free"), AOP_NAME("pages_alloc"), AOP_NAME("pages_free"),
                 AOP_NAME("vmalloc"),    AOP_NAME("vfree"),       AOP_NAME("mmap"),
                 AOP_NAME("munmap"),     AOP_NAME("malloc"),      AOP_NAME("free"),
                 AOP_NAME("phase"),      AOP_NAME("reclaimable")};
#undef AOP_NAME

const char *bf_aop_name(int op)
{
    return op >= 0 && op < (int)BF_ARRAY_SIZE(aop_names) ? aop_names[op].s : "unknown";
}

static int name_field(bf_atrace_reader *r, const char **pp, char *dst, const char *what)
{
    const char *p = bf_parse_skip(*pp), *e = p;
    char t[48];
    while (*e && !bf_parse_isblank(*e))
        e++;
    size_t n = (size_t)(e - p);
    if (n == 0)
        return bf_atrace_fail(r, BF_EINPUT, "missing %s", what);
    int ok = n <= BF_ATRACE_NAME_MAX;
    for (size_t i = 0; i < n && ok; i++) {
        char c = p[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '.' || c == '-' || c == ':' || c == '(' || c == ')';
    }
    if (n > BF_ATRACE_NAME_MAX)
        return bf_atrace_fail(r, BF_EINPUT, "%s '%s...' is %zu characters long (at most %d)", what,
                              bf_parse_tok(p, t, sizeof t), n, BF_ATRACE_NAME_MAX);
    if (!ok)
        return bf_atrace_fail(r, BF_EINPUT, "bad %s '%s' (letters, digits and _.:()- only)", what,
                              bf_parse_tok(p, t, sizeof t));
    memcpy(dst, p, n);
    dst[n] = '\0';
    *pp = e;
    return BF_OK;
}

/* Optional trailing items: [GFP] (when gfp_ok) [@SITE] [t=NS], in this order. */
static int native_tail(bf_atrace_reader *r, const char *p, bf_arec *rec, int gfp_ok)
{
    char t[48];
    int stage = 0;
    for (;;) {
        p = bf_parse_skip(p);
        if (!*p)
            return BF_OK;
        const char *e = p;
        while (*e && !bf_parse_isblank(*e))
            e++;
        size_t n = (size_t)(e - p);
        if (p[0] == '@' && stage < 2) {
            if (n < 2 || n - 1 > BF_ATRACE_SITE_MAX)
                return bf_atrace_fail(r, BF_EINPUT, "bad call site '%s'",
                                      bf_parse_tok(p, t, sizeof t));
            memcpy(r->site, p + 1, n - 1);
            r->site[n - 1] = '\0';
            rec->site = r->site;
            stage = 2;
        } else if (p[0] == 't' && p[1] == '=' && stage < 3) {
            const char *q = p + 2;
            if (bf_parse_num(&q, &rec->time_ns) != BF_PNUM_OK || q != e)
                return bf_atrace_fail(r, BF_EINPUT, "bad time '%s'", bf_parse_tok(p, t, sizeof t));
            stage = 3;
        } else if (gfp_ok && stage < 1) {
            if (bf_gfp_parse(p, n, &rec->gfp) != 0)
                return bf_atrace_fail(r, BF_EINPUT, "bad GFP flags '%s'",
                                      bf_parse_tok(p, t, sizeof t));
            rec->has_gfp = 1;
            stage = 1;
        } else {
            return bf_atrace_fail(r, BF_EINPUT, "unexpected '%s' after the record",
                                  bf_parse_tok(p, t, sizeof t));
        }
        p = e;
    }
}

static int native_record(bf_atrace_reader *r, const char *s, bf_arec *rec)
{
    const char *p = bf_parse_skip(s), *k = p;
    char t[48];
    while (*p && !bf_parse_isblank(*p))
        p++;
    size_t n = (size_t)(p - k);
    int op = -1;
    for (int i = 0; i < (int)BF_ARRAY_SIZE(aop_names) && op < 0; i++) /* names are distinct */
        if (aop_names[i].n == n && aop_names[i].s[0] == *k && memcmp(aop_names[i].s, k, n) == 0)
            op = i;
    if (op < 0)
        return bf_atrace_fail(r, BF_EINPUT, "unknown record '%s'", bf_parse_tok(k, t, sizeof t));
    rec->op = (uint8_t)op;
    uint64_t id = 0, v = 0;
    int rc = BF_OK;
    if (op == BF_AOP_PHASE) {
        if ((rc = name_field(r, &p, r->name, "phase name")))
            return rc;
        rec->name = r->name;
        p = bf_parse_skip(p);
        if (*p)
            return bf_atrace_fail(r, BF_EINPUT, "unexpected '%s' after the record",
                                  bf_parse_tok(p, t, sizeof t));
        return BF_OK;
    }
    if (op == BF_AOP_RECLAIMABLE) {
        if ((rc = bf_atrace_num_field(r, &p, &rec->value, "page count")))
            return rc;
        p = bf_parse_skip(p);
        if (*p)
            return bf_atrace_fail(r, BF_EINPUT, "unexpected '%s' after the record",
                                  bf_parse_tok(p, t, sizeof t));
        return BF_OK;
    }
    if (op == BF_AOP_CACHE_ALLOC || op == BF_AOP_CACHE_FREE) {
        if ((rc = name_field(r, &p, r->name, "cache name")))
            return rc;
        rec->name = r->name;
    }
    if ((rc = bf_atrace_num_field(r, &p, &id, "id")))
        return rc;
    int is_alloc = op == BF_AOP_KMALLOC || op == BF_AOP_CACHE_ALLOC || op == BF_AOP_PAGES_ALLOC ||
                   op == BF_AOP_VMALLOC || op == BF_AOP_MMAP || op == BF_AOP_MALLOC;
    if (op == BF_AOP_PAGES_ALLOC || op == BF_AOP_PAGES_FREE) {
        if ((rc = bf_atrace_num_field(r, &p, &v, "order")))
            return rc;
        if (v > BF_ATRACE_MAX_ORDER)
            return bf_atrace_fail(r, BF_EINPUT, "order %" PRIu64 " out of range (0..%d)", v,
                                  BF_ATRACE_MAX_ORDER);
        rec->order = (uint8_t)v;
        rec->size = (uint64_t)4096 << v; /* informational: pages of 4 KB */
    } else if (is_alloc) {
        if ((rc = bf_atrace_num_field(r, &p, &rec->size, "size")))
            return rc;
        if ((rc = bf_atrace_check_size(r, rec->size)))
            return rc;
    }
    int gfp_ok = op == BF_AOP_KMALLOC || op == BF_AOP_CACHE_ALLOC || op == BF_AOP_PAGES_ALLOC ||
                 op == BF_AOP_VMALLOC;
    if ((rc = native_tail(r, p, rec, gfp_ok)))
        return rc;
    if (is_alloc)
        return bf_atrace_pair_alloc(r, BF_ATRACE_NS_ID, id, id, rec);
    return bf_atrace_pair_free(r, BF_ATRACE_NS_ID, id, rec, 0);
}

int bf_atrace_native_open(bf_atrace_reader *r)
{
    char *s;
    size_t n;
    int rc = bf_tio_line(r->in, &s, &n);
    if (rc == BF_EEOF)
        return bf_atrace_fail(r, BF_EINPUT, "empty file (expected '#bfsim-alloc 1')");
    if (rc)
        return bf_atrace_fail_io(r, rc);
    r->st.lines++;
    if (strncmp(s, "#bfsim-alloc", 12) != 0 || !bf_parse_isblank(s[12]))
        return bf_atrace_fail(r, BF_EINPUT, "missing '#bfsim-alloc 1' header line");
    const char *p = s + 12;
    uint64_t v;
    if ((rc = bf_atrace_num_field(r, &p, &v, "format version")))
        return rc;
    if (*bf_parse_skip(p))
        return bf_atrace_fail(r, BF_EINPUT, "unexpected text after the format version");
    if (v != 1)
        return bf_atrace_fail(r, BF_EINPUT,
                              "unsupported format version %" PRIu64 " (this reader: 1)", v);
    return BF_OK;
}

static void header_keep(bf_atrace_reader *r, const char *s, size_t n)
{
    const char *c = memchr(s, ':', n);
    if (!c || c == s)
        return;
    for (const char *q = s; q < c; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_' || *q == '-' ||
              *q == '.'))
            return;
    if (r->hdr_len + n + 2 > sizeof r->hdr)
        return;
    memcpy(r->hdr + r->hdr_len, s, n);
    r->hdr_len += n;
    r->hdr[r->hdr_len++] = '\0';
}

static int native_line(bf_atrace_reader *r, const char *s, bf_arec *rec)
{
    const char *p = bf_parse_skip(s);
    if (*p == '#' || *p == '\0') {
        if (*p == '#' && !r->native_started)
            header_keep(r, p + 1, strlen(p + 1));
        return BF_ATRACE_COMMENT;
    }
    r->native_started = 1;
    return native_record(r, s, rec);
}

const char *bf_atrace_header_get(const bf_atrace_reader *r, const char *key)
{
    size_t kn = strlen(key);
    for (size_t i = 0; i < r->hdr_len; i += strlen(r->hdr + i) + 1) {
        const char *h = r->hdr + i;
        if (strncmp(h, key, kn) == 0 && h[kn] == ':')
            return bf_parse_skip(h + kn + 1);
    }
    return NULL;
}

int bf_atrace_native_next(bf_atrace_reader *r, bf_arec *rec)
{
    return bf_atrace_next_with(r, rec, native_line);
}
