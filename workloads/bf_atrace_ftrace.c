/*
** bf_atrace_ftrace.c: the Linux ftrace kmem-event reader (reference kernel-allocators section
** 8.1).
**
** Assumptions:
**   - Lines are "<comm>-<pid> [<cpu>] <irqflags?> <sec.usec>: <event>: key=value ..." (irq-flags
**     column only in newer kernels; comm may contain blanks and dashes), or a bare
**     "<event>: key=value ...". Pointers may be hashed (%p since 4.15): they are opaque keys,
**     stable within one boot. pfn may be decimal or 0x-hex.
**   - kmem_cache_alloc has no cache name in most kernels: the cache is "name=" when present,
**     else "size-<bytes_alloc>". The object size of a cache allocation is bytes_alloc.
**   - A free of NULL (ptr=(null), "ptr=  (null)") is skipped and counted; so is an allocation
**     that returned NULL.
**   - mm_page_alloc_zone_locked, mm_page_pcpu_drain, mm_page_alloc_extfrag and other events
**     describe no allocation of their own: skipped and counted.
**   - ids are the sequence numbers of successful allocations.
*/
#include "bf_atrace_int.h"

#include "bf_parse.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct kv {
    const char *k, *v;
    size_t kn, vn;
} kv;

/* Value of key in the key=value list (NULL if absent). "ptr=  (null)" yields "(null)". */
static const char *kv_get(const char *fields, const char *key, size_t *vn)
{
    size_t kn = strlen(key);
    const char *p = fields;
    while (*p) {
        p = bf_parse_skip(p);
        const char *k = p;
        while (*p && *p != '=' && !bf_parse_isblank(*p))
            p++;
        if (*p != '=') {
            while (*p && !bf_parse_isblank(*p))
                p++;
            continue;
        }
        size_t n = (size_t)(p - k);
        p++;
        if (*p == ' ' || *p == '\t') {
            const char *q = bf_parse_skip(p);
            if (strncmp(q, "(null)", 6) == 0)
                p = q;
        }
        const char *v = p;
        while (*p && !bf_parse_isblank(*p))
            p++;
        if (n == kn && memcmp(k, key, kn) == 0) {
            *vn = (size_t)(p - v);
            return v;
        }
    }
    return NULL;
}

static int is_null(const char *v, size_t n)
{
    return (n == 6 && memcmp(v, "(null)", 6) == 0) || (n == 5 && memcmp(v, "(nil)", 5) == 0);
}

static int kv_hex(bf_atrace_reader *r, const char *f, const char *key, uint64_t *out, int *null)
{
    size_t n;
    const char *v = kv_get(f, key, &n);
    char t[48];
    if (!v)
        return bf_atrace_fail(r, BF_EINPUT, "missing %s=", key);
    if (null) {
        *null = is_null(v, n);
        if (*null)
            return BF_OK;
    }
    const char *p = v;
    if (bf_parse_hex(&p, out, 1) != BF_PNUM_OK || (size_t)(p - v) != n)
        return bf_atrace_fail(r, BF_EINPUT, "bad %s='%s'", key, bf_parse_tok(v, t, sizeof t));
    return BF_OK;
}

static int kv_num(bf_atrace_reader *r, const char *f, const char *key, uint64_t *out, int required)
{
    size_t n;
    const char *v = kv_get(f, key, &n);
    char t[48];
    if (!v) {
        if (required)
            return bf_atrace_fail(r, BF_EINPUT, "missing %s=", key);
        return 1;
    }
    const char *p = v;
    if (bf_parse_num(&p, out) != BF_PNUM_OK || (size_t)(p - v) != n)
        return bf_atrace_fail(r, BF_EINPUT, "bad %s='%s'", key, bf_parse_tok(v, t, sizeof t));
    return BF_OK;
}

static void ftrace_gfp(bf_atrace_reader *r, const char *f, bf_arec *rec)
{
    size_t n;
    const char *v = kv_get(f, "gfp_flags", &n);
    if (!v)
        return;
    rec->has_gfp = 1;
    if (bf_gfp_parse(v, n, &rec->gfp) != 0)
        r->st.unknown_gfp++;
}

static void ftrace_site(bf_atrace_reader *r, const char *f, bf_arec *rec)
{
    size_t n;
    const char *v = kv_get(f, "call_site", &n);
    if (!v)
        return;
    if (n > BF_ATRACE_SITE_MAX)
        n = BF_ATRACE_SITE_MAX;
    memcpy(r->site, v, n);
    r->site[n] = '\0';
    rec->site = r->site;
}

/* Split an ftrace line into time and event; returns the event name (and its length) or NULL. */
static const char *ftrace_split(const char *s, size_t *en, const char **fields, uint64_t *t_ns,
                                int *has_time)
{
    const char *p = bf_parse_skip(s);
    *has_time = 0;
    /* Bare "event: fields" form. */
    const char *e = p;
    while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || *e == '_')
        e++;
    if (e > p && e[0] == ':' && (e[1] == ' ' || e[1] == '\0')) {
        *en = (size_t)(e - p);
        *fields = e + 1;
        return p;
    }
    /* "comm-pid [cpu] flags? sec.usec: event: fields". */
    const char *b = p;
    for (;;) {
        b = strchr(b, '[');
        if (!b)
            return NULL;
        const char *q = b + 1;
        while (*q >= '0' && *q <= '9')
            q++;
        if (q > b + 1 && *q == ']' && b > p && bf_parse_isblank(b[-1]))
            break;
        b++;
    }
    p = bf_parse_skip(strchr(b, ']') + 1);
    for (int tries = 0; tries < 2; tries++) {
        const char *q = p;
        uint64_t sec = 0, frac = 0;
        int fd = 0;
        if (bf_parse_dec(&q, &sec) == BF_PNUM_OK) {
            if (*q == '.') {
                q++;
                while (*q >= '0' && *q <= '9') {
                    if (fd < 9) {
                        frac = frac * 10 + (uint64_t)(*q - '0');
                        fd++;
                    }
                    q++;
                }
            }
            if (q[0] == ':' && bf_parse_isblank(q[1])) {
                while (fd < 9) {
                    frac *= 10;
                    fd++;
                }
                *t_ns = sec * 1000000000ULL + frac;
                *has_time = 1;
                p = bf_parse_skip(q + 1);
                e = p;
                while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || *e == '_')
                    e++;
                if (e == p || e[0] != ':')
                    return NULL;
                *en = (size_t)(e - p);
                *fields = e + 1;
                return p;
            }
        }
        /* Skip the irq-flags column once. */
        while (*p && !bf_parse_isblank(*p))
            p++;
        p = bf_parse_skip(p);
    }
    return NULL;
}

static int ev(const char *e, size_t n, const char *name)
{
    return strlen(name) == n && memcmp(e, name, n) == 0;
}

static int ftrace_line(bf_atrace_reader *r, const char *s, bf_arec *rec)
{
    const char *p = bf_parse_skip(s);
    char t[48];
    if (*p == '#' || *p == '\0')
        return BF_ATRACE_COMMENT; /* comment */
    size_t en;
    const char *f;
    int has_time;
    const char *e = ftrace_split(s, &en, &f, &rec->time_ns, &has_time);
    if (!e)
        return bf_atrace_fail(r, BF_EINPUT, "not an ftrace event line: '%s'",
                              bf_parse_tok(p, t, sizeof t));
    int rc, null = 0;
    uint64_t key, v;
    if (ev(e, en, "kmalloc") || ev(e, en, "kmalloc_node") || ev(e, en, "kmem_cache_alloc") ||
        ev(e, en, "kmem_cache_alloc_node")) {
        int cache = en >= 10 && memcmp(e, "kmem_cache", 10) == 0;
        if ((rc = kv_hex(r, f, "ptr", &key, &null)))
            return rc;
        if (null) {
            r->st.failed_allocs++;
            return BF_ATRACE_SKIP;
        }
        if ((rc = kv_num(r, f, "bytes_req", &rec->size, 1)))
            return rc;
        uint64_t alloc = rec->size;
        if ((rc = kv_num(r, f, "bytes_alloc", &alloc, 0)) > 1)
            return rc;
        if ((rc = bf_atrace_check_size(r, rec->size)) || (rc = bf_atrace_check_size(r, alloc)))
            return rc;
        ftrace_gfp(r, f, rec);
        ftrace_site(r, f, rec);
        if (cache) {
            size_t nn;
            const char *nm = kv_get(f, "name", &nn);
            rec->op = BF_AOP_CACHE_ALLOC;
            if (nm) {
                if (nn > BF_ATRACE_NAME_MAX)
                    nn = BF_ATRACE_NAME_MAX;
                memcpy(r->name, nm, nn);
                r->name[nn] = '\0';
            } else {
                snprintf(r->name, sizeof r->name, "size-%" PRIu64, alloc);
            }
            rec->name = r->name;
            rec->size = alloc;
        } else {
            rec->op = BF_AOP_KMALLOC;
        }
        return bf_atrace_pair_alloc(r, BF_ATRACE_NS_PTR, key, ++r->next_id, rec);
    }
    if (ev(e, en, "kfree") || ev(e, en, "kmem_cache_free")) {
        if ((rc = kv_hex(r, f, "ptr", &key, &null)))
            return rc;
        if (null) {
            r->st.null_frees++;
            return BF_ATRACE_SKIP;
        }
        ftrace_site(r, f, rec);
        rec->op = BF_AOP_KFREE;
        return bf_atrace_pair_free(r, BF_ATRACE_NS_PTR, key, rec, 1);
    }
    if (ev(e, en, "mm_page_alloc")) {
        size_t n;
        const char *pg = kv_get(f, "page", &n);
        if (pg && is_null(pg, n)) {
            r->st.failed_allocs++;
            return BF_ATRACE_SKIP;
        }
        if ((rc = kv_num(r, f, "pfn", &key, 1)) || (rc = kv_num(r, f, "order", &v, 1)))
            return rc;
        if (v > BF_ATRACE_MAX_ORDER)
            return bf_atrace_fail(r, BF_EINPUT, "order %" PRIu64 " out of range (0..%d)", v,
                                  BF_ATRACE_MAX_ORDER);
        rec->op = BF_AOP_PAGES_ALLOC;
        rec->order = (uint8_t)v;
        rec->size = (uint64_t)4096 << v;
        ftrace_gfp(r, f, rec);
        return bf_atrace_pair_alloc(r, BF_ATRACE_NS_PFN, key, ++r->next_id, rec);
    }
    if (ev(e, en, "mm_page_free") || ev(e, en, "mm_page_free_direct") ||
        ev(e, en, "mm_page_free_batched")) {
        if ((rc = kv_num(r, f, "pfn", &key, 1)))
            return rc;
        v = 0;
        if ((rc = kv_num(r, f, "order", &v, 0)) > 1)
            return rc;
        rec->op = BF_AOP_PAGES_FREE;
        rc = bf_atrace_pair_free(r, BF_ATRACE_NS_PFN, key, rec, 1);
        if (rc == BF_OK && rec->order != v)
            return bf_atrace_fail(r, BF_EINPUT,
                                  "page free of pfn=%" PRIu64 " with order %" PRIu64
                                  ", allocated with order %u",
                                  key, v, rec->order);
        return rc;
    }
    r->st.ignored_events++;
    return BF_ATRACE_SKIP;
}

int bf_atrace_ftrace_sniff(const char *line)
{
    return strncmp(line, "# tracer:", 9) == 0 || strstr(line, ": kmalloc: ") ||
           strstr(line, ": kmem_cache_alloc: ") || strstr(line, ": kfree: ") ||
           strstr(line, ": kmem_cache_free: ") || strstr(line, ": mm_page_alloc: ") ||
           strstr(line, ": mm_page_free") || strncmp(line, "kmalloc: ", 9) == 0 ||
           strncmp(line, "mm_page_alloc: ", 15) == 0 || strncmp(line, "kfree: ", 7) == 0;
}

int bf_atrace_ftrace_next(bf_atrace_reader *r, bf_arec *rec)
{
    return bf_atrace_next_with(r, rec, ftrace_line);
}
