/*
** bf_atrace.c: allocation-trace readers (native, Linux ftrace kmem events, CS:APP malloc-lab
** .rep, ltrace) and the native allocation-trace writer.
**
** What it models: the stream of allocation and free events an allocator replay consumes
** (docs/alloc-trace-format.md), with every free paired with its allocation.
**
** Assumptions:
**   - ftrace lines are "<comm>-<pid> [<cpu>] <irqflags?> <sec.usec>: <event>: key=value ..."
**     (irq-flags column only in newer kernels; comm may contain blanks and dashes), or a bare
**     "<event>: key=value ..." (reference kernel-allocators section 8.1). Pointers may be hashed
**     (%p since 4.15): they are opaque keys, stable within one boot. pfn may be decimal or 0x-hex.
**   - kmem_cache_alloc has no cache name in most kernels: the cache is "name=" when present,
**     else "size-<bytes_alloc>". The object size of a cache allocation is bytes_alloc.
**   - A free of NULL (ptr=(null), "ptr=  (null)", free(0)) is skipped and counted; so is an
**     allocation that returned NULL.
**   - mm_page_alloc_zone_locked, mm_page_pcpu_drain, mm_page_alloc_extfrag and other events
**     describe no allocation of their own: skipped and counted.
**   - A free is paired with the live allocation at the same pointer (ftrace ptr, ltrace
**     address) or pfn (page events), or with the same id (native, .rep). The free record gets
**     the kind of its allocation (a kfree of a kmem_cache_alloc object is emitted as cache_free).
**   - realloc = free of the old id + malloc with the same id (.rep and ltrace).
**
** Algorithm: ids are the sequence numbers of successful allocations (ftrace, ltrace) or the
** trace's own ids (native, .rep). Live allocations sit in an open-addressing hash table keyed by
** (namespace, key) that doubles at half load; deletion shifts entries back (no tombstones).
** A direct-mapped table of the last BF_ATRACE_FREED_MEMORY frees tells double frees from
** unmatched ones. Invariant: memory grows with the number of live allocations only.
*/
#include "bf_hmem.h"
#include "bf_atrace.h"

#include "bf_parse.h"
#include "bf_tio.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BF_STAT_STRUCT bf_atrace_reader_stats
const bf_stat_desc bf_atrace_reader_stat_desc[] = {BF_ATRACE_READER_STATS(BF_STAT_DESC)};
const size_t bf_atrace_reader_stat_count = BF_ARRAY_SIZE(bf_atrace_reader_stat_desc);
#undef BF_STAT_STRUCT

enum { NS_ID = 0, NS_PTR = 1, NS_PFN = 2 };
/* Line outcomes besides BF_OK and the bf_rc errors (negative: never a bf_rc). */
enum { R_SKIP = -1, R_COMMENT = -2, R_QUEUED = -3 };
enum { CACHE_MAX = 4096, HDR_MAX = 4096, PEND_MAX = 64 };

typedef struct live_ent {
    uint64_t key;
    uint64_t id;
    uint64_t line;  /* line of the allocation */
    uint32_t cache; /* interned cache name + 1, 0 if none */
    uint8_t ns;     /* NS_*; 0xff = empty */
    uint8_t op;     /* bf_aop of the allocation */
    uint8_t order;
    uint8_t used;
} live_ent;

typedef struct freed_ent {
    uint64_t key;
    uint64_t line;
    uint8_t ns;
    uint8_t used;
} freed_ent;

/* ltrace "<unfinished ...>" calls waiting for their "<... resumed>" line. */
typedef struct pend_call {
    uint64_t pid;
    char func[16];
    char args[96];
    int used;
} pend_call;

struct bf_atrace_reader {
    bf_tio_in *in;
    int fmt;
    int lenient;
    int rc;
    char err[BF_TIO_ERR + 256];
    live_ent *live;
    size_t live_cap, live_n;
    freed_ent *freed; /* BF_ATRACE_FREED_MEMORY */
    char *caches;     /* interned names, CACHE_MAX * (BF_ATRACE_NAME_MAX + 1) */
    uint32_t ncaches;
    uint64_t next_id;
    bf_arec q[2]; /* queued output (realloc) */
    int qn, qi;
    char qname[2][BF_ATRACE_NAME_MAX + 1];
    /* .rep */
    uint64_t rep_hdr[4];
    int rep_hdr_n;
    uint64_t rep_ops;
    uint8_t *rep_seen; /* ids ever allocated (bitmap over num_ids) */
    /* native header */
    char hdr[HDR_MAX];
    size_t hdr_len;
    int native_started;
    pend_call pend[PEND_MAX];
    char name[BF_ATRACE_NAME_MAX + 1];
    char site[BF_ATRACE_SITE_MAX + 1];
    char lbuf[BF_TIO_MAX_LINE + 128]; /* ltrace resumed-call reassembly */
    bf_atrace_reader_stats st;
};

/* ---- names ---------------------------------------------------------------------------- */

static const char *const afmt_names[] = {"auto", "native", "ftrace", "malloclab", "ltrace"};

const char *bf_aformat_name(int f)
{
    return f >= 0 && f < (int)BF_ARRAY_SIZE(afmt_names) ? afmt_names[f] : "unknown";
}

int bf_aformat_from_name(const char *s)
{
    for (int i = 0; i < (int)BF_ARRAY_SIZE(afmt_names); i++)
        if (strcmp(s, afmt_names[i]) == 0)
            return i;
    if (strcmp(s, "rep") == 0)
        return BF_AFMT_MALLOCLAB;
    return -1;
}

static const char *const aop_names[] = {
    "kmalloc", "kfree", "cache_alloc", "cache_free", "pages_alloc", "pages_free", "vmalloc",
    "vfree",   "mmap",  "munmap",      "malloc",     "free",        "phase",      "reclaimable"};

const char *bf_aop_name(int op)
{
    return op >= 0 && op < (int)BF_ARRAY_SIZE(aop_names) ? aop_names[op] : "unknown";
}

/* ---- GFP ------------------------------------------------------------------------------ */

typedef struct gfp_name {
    const char *name;
    uint32_t bits;
} gfp_name;

/* Composites first (bf_gfp_format prefers them), then single bits; 2.6.24 values. */
static const gfp_name gfp_names[] = {
    {"GFP_HIGHUSER_MOVABLE", BF_GFP_HIGHUSER | BF_GFP_MOVABLE},
    {"GFP_HIGHUSER", BF_GFP_HIGHUSER},
    {"GFP_USER", BF_GFP_USER},
    {"GFP_KERNEL", BF_GFP_KERNEL},
    {"GFP_NOFS", BF_GFP_NOFS},
    {"GFP_NOIO", BF_GFP_NOIO},
    {"GFP_ATOMIC", BF_GFP_ATOMIC},
    {"GFP_NOWAIT", 0},
    {"__GFP_DMA", BF_GFP_DMA},
    {"__GFP_HIGHMEM", BF_GFP_HIGHMEM},
    {"__GFP_DMA32", BF_GFP_DMA32},
    {"__GFP_WAIT", BF_GFP_WAIT},
    {"__GFP_HIGH", BF_GFP_HIGH},
    {"__GFP_IO", BF_GFP_IO},
    {"__GFP_FS", BF_GFP_FS},
    {"__GFP_COLD", BF_GFP_COLD},
    {"__GFP_NOWARN", BF_GFP_NOWARN},
    {"__GFP_REPEAT", BF_GFP_REPEAT},
    {"__GFP_NOFAIL", BF_GFP_NOFAIL},
    {"__GFP_NORETRY", BF_GFP_NORETRY},
    {"__GFP_COMP", BF_GFP_COMP},
    {"__GFP_ZERO", BF_GFP_ZERO},
    {"__GFP_NOMEMALLOC", BF_GFP_NOMEMALLOC},
    {"__GFP_HARDWALL", BF_GFP_HARDWALL},
    {"__GFP_THISNODE", BF_GFP_THISNODE},
    {"__GFP_RECLAIMABLE", BF_GFP_RECLAIMABLE},
    {"__GFP_MOVABLE", BF_GFP_MOVABLE},
};

int bf_gfp_parse(const char *s, size_t n, uint32_t *gfp)
{
    *gfp = 0;
    if (n == 0)
        return -1;
    if (s[0] >= '0' && s[0] <= '9') {
        char t[24];
        uint64_t v;
        if (n >= sizeof t)
            return -1;
        memcpy(t, s, n);
        t[n] = '\0';
        const char *p = t;
        if (bf_parse_num(&p, &v) != BF_PNUM_OK || *p || v > 0xffffffffu)
            return -1;
        *gfp = (uint32_t)v;
        return 0;
    }
    if (n == 4 && memcmp(s, "none", 4) == 0) /* ftrace prints "none" for 0 */
        return 0;
    int ok = 0;
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && s[j] != '|')
            j++;
        const char *w = s + i;
        size_t wn = j - i;
        int found = 0;
        for (size_t k = 0; k < BF_ARRAY_SIZE(gfp_names) && !found; k++) {
            const char *nm = gfp_names[k].name;
            size_t nn = strlen(nm);
            /* "__GFP_X" also matches "GFP_X" (old ftrace spelling). */
            if ((nn == wn && memcmp(nm, w, wn) == 0) ||
                (nm[0] == '_' && nn - 2 == wn && memcmp(nm + 2, w, wn) == 0)) {
                *gfp |= gfp_names[k].bits;
                found = 1;
            }
        }
        if (!found)
            ok = -1;
        i = j + 1;
    }
    return ok;
}

size_t bf_gfp_format(uint32_t gfp, char *buf, size_t n)
{
    char t[512];
    size_t len = 0;
    uint32_t left = gfp;
    t[0] = '\0';
    for (size_t k = 0; k < BF_ARRAY_SIZE(gfp_names) && left; k++) {
        uint32_t b = gfp_names[k].bits;
        if (b && (left & b) == b) {
            len += (size_t)snprintf(t + len, sizeof t - len, "%s%s", len ? "|" : "",
                                    gfp_names[k].name);
            left &= ~b;
        }
    }
    if (left)
        len += (size_t)snprintf(t + len, sizeof t - len, "%s0x%" PRIx32, len ? "|" : "", left);
    if (gfp == 0)
        len = (size_t)snprintf(t, sizeof t, "0");
    if (n)
        snprintf(buf, n, "%s", t);
    return len;
}

/* ---- errors ----------------------------------------------------------------------------- */

static int fail(bf_atrace_reader *r, int rc, const char *fmt, ...)
{
    char msg[BF_TIO_ERR];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bf_tio_where(r->in, msg, r->err, sizeof r->err);
    r->rc = rc;
    return rc;
}

static int fail_io(bf_atrace_reader *r, int rc)
{
    snprintf(r->err, sizeof r->err, "%s", bf_tio_error(r->in));
    r->rc = rc;
    return rc;
}

/* ---- live table --------------------------------------------------------------------------- */

static uint32_t hkey(uint8_t ns, uint64_t key)
{
    uint64_t x = key ^ ((uint64_t)ns << 56) ^ ns;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return (uint32_t)x;
}

static live_ent *live_find(bf_atrace_reader *r, uint8_t ns, uint64_t key)
{
    if (!r->live_cap)
        return NULL;
    size_t m = r->live_cap - 1, i = hkey(ns, key) & m;
    while (r->live[i].used) {
        if (r->live[i].key == key && r->live[i].ns == ns)
            return &r->live[i];
        i = (i + 1) & m;
    }
    return NULL;
}

static int live_grow(bf_atrace_reader *r)
{
    size_t ncap = r->live_cap ? r->live_cap * 2 : 1024;
    live_ent *n = bf_calloc(ncap, sizeof *n);
    if (!n)
        return BF_ENOMEM;
    for (size_t i = 0; i < r->live_cap; i++) {
        if (!r->live[i].used)
            continue;
        size_t j = hkey(r->live[i].ns, r->live[i].key) & (ncap - 1);
        while (n[j].used)
            j = (j + 1) & (ncap - 1);
        n[j] = r->live[i];
    }
    free(r->live);
    r->live = n;
    r->live_cap = ncap;
    return BF_OK;
}

static live_ent *live_insert(bf_atrace_reader *r, uint8_t ns, uint64_t key)
{
    if ((r->live_n + 1) * 2 > r->live_cap && live_grow(r) != BF_OK)
        return NULL;
    size_t m = r->live_cap - 1, i = hkey(ns, key) & m;
    while (r->live[i].used)
        i = (i + 1) & m;
    memset(&r->live[i], 0, sizeof r->live[i]);
    r->live[i].used = 1;
    r->live[i].ns = ns;
    r->live[i].key = key;
    r->live_n++;
    if (r->live_n > r->st.live_peak)
        r->st.live_peak = r->live_n;
    return &r->live[i];
}

/* Remove e, shifting later entries of its cluster back (linear-probing deletion). */
static void live_remove(bf_atrace_reader *r, live_ent *e)
{
    size_t m = r->live_cap - 1, i = (size_t)(e - r->live), j = i;
    r->live[i].used = 0;
    for (;;) {
        j = (j + 1) & m;
        if (!r->live[j].used)
            break;
        size_t h = hkey(r->live[j].ns, r->live[j].key) & m;
        /* Move j into the hole at i unless its home h lies cyclically in (i, j]. */
        if ((i <= j) ? (i < h && h <= j) : (i < h || h <= j))
            continue;
        r->live[i] = r->live[j];
        r->live[j].used = 0;
        i = j;
    }
    r->live_n--;
}

static void freed_note(bf_atrace_reader *r, uint8_t ns, uint64_t key)
{
    freed_ent *f = &r->freed[hkey(ns, key) & (BF_ATRACE_FREED_MEMORY - 1)];
    f->key = key;
    f->ns = ns;
    f->used = 1;
    f->line = bf_tio_lineno(r->in);
}

static const freed_ent *freed_find(bf_atrace_reader *r, uint8_t ns, uint64_t key)
{
    const freed_ent *f = &r->freed[hkey(ns, key) & (BF_ATRACE_FREED_MEMORY - 1)];
    return f->used && f->ns == ns && f->key == key ? f : NULL;
}

static uint32_t cache_intern(bf_atrace_reader *r, const char *s, size_t n, int *rc)
{
    *rc = BF_OK;
    if (n > BF_ATRACE_NAME_MAX)
        n = BF_ATRACE_NAME_MAX;
    for (uint32_t i = 0; i < r->ncaches; i++) {
        const char *c = r->caches + (size_t)i * (BF_ATRACE_NAME_MAX + 1);
        if (strlen(c) == n && memcmp(c, s, n) == 0)
            return i + 1;
    }
    if (r->ncaches == CACHE_MAX) {
        *rc = fail(r, BF_EINPUT, "more than %d distinct cache names", CACHE_MAX);
        return 0;
    }
    char *c = r->caches + (size_t)r->ncaches * (BF_ATRACE_NAME_MAX + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    return ++r->ncaches;
}

static const char *cache_name(const bf_atrace_reader *r, uint32_t c)
{
    return c ? r->caches + (size_t)(c - 1) * (BF_ATRACE_NAME_MAX + 1) : NULL;
}

/* The free op that matches an allocation op. */
static int free_of(int op)
{
    switch (op) {
    case BF_AOP_KMALLOC:
        return BF_AOP_KFREE;
    case BF_AOP_CACHE_ALLOC:
        return BF_AOP_CACHE_FREE;
    case BF_AOP_PAGES_ALLOC:
        return BF_AOP_PAGES_FREE;
    case BF_AOP_VMALLOC:
        return BF_AOP_VFREE;
    case BF_AOP_MMAP:
        return BF_AOP_MUNMAP;
    default:
        return BF_AOP_FREE;
    }
}

/* "ptr=0x...", "pfn=0x..." or "id N" for messages. */
static const char *keyname(int ns, uint64_t key, char *buf, size_t n)
{
    if (ns == NS_ID)
        snprintf(buf, n, "id %" PRIu64, key);
    else
        snprintf(buf, n, "%s=0x%" PRIx64, ns == NS_PTR ? "ptr" : "pfn", key);
    return buf;
}

/* Record an allocation under (ns, key): fills rec->id. Returns BF_OK or an error. */
static int do_alloc(bf_atrace_reader *r, uint8_t ns, uint64_t key, uint64_t id, bf_arec *rec)
{
    live_ent *e = live_find(r, ns, key);
    if (e) {
        if (!r->lenient) {
            char k[48];
            return fail(r, BF_EINPUT,
                        "allocation of %s which is still live "
                        "(allocated at line %" PRIu64 "; its free is missing)",
                        keyname(ns, key, k, sizeof k), e->line);
        }
        r->st.implicit_frees++;
        live_remove(r, e);
    }
    e = live_insert(r, ns, key);
    if (!e)
        return fail(r, BF_ENOMEM, "out of host memory for the live-allocation table");
    e->id = id;
    e->op = rec->op;
    e->order = rec->order;
    e->line = bf_tio_lineno(r->in);
    if (rec->op == BF_AOP_CACHE_ALLOC) {
        int rc;
        e->cache = cache_intern(r, rec->name, strlen(rec->name), &rc);
        if (rc)
            return rc;
    }
    rec->id = id;
    return BF_OK;
}

/* Pair a free with its allocation: fills rec->id, op (from the allocation's kind when
** adopt_kind), order and name. Returns BF_OK, R_SKIP (lenient), or an error. */
static int do_free(bf_atrace_reader *r, uint8_t ns, uint64_t key, bf_arec *rec, int adopt_kind)
{
    live_ent *e = live_find(r, ns, key);
    if (!e) {
        const freed_ent *f = freed_find(r, ns, key);
        if (r->lenient) {
            if (f)
                r->st.double_frees++;
            else
                r->st.unmatched_frees++;
            return R_SKIP;
        }
        char k[48];
        if (f)
            return fail(r, BF_EINPUT, "double free of %s (freed at line %" PRIu64 ")",
                        keyname(ns, key, k, sizeof k), f->line);
        return fail(r, BF_EINPUT, "unmatched free of %s", keyname(ns, key, k, sizeof k));
    }
    if (adopt_kind) {
        rec->op = (uint8_t)free_of(e->op);
    } else if (free_of(e->op) != rec->op) {
        return fail(r, BF_EINPUT, "%s of id %" PRIu64 " allocated by %s at line %" PRIu64,
                    bf_aop_name(rec->op), key, bf_aop_name(e->op), e->line);
    }
    if (rec->op == BF_AOP_PAGES_FREE && !adopt_kind && rec->order != e->order)
        return fail(r, BF_EINPUT,
                    "pages_free of id %" PRIu64 " with order %u, allocated with order %u", key,
                    rec->order, e->order);
    if (rec->op == BF_AOP_CACHE_FREE && !adopt_kind &&
        strcmp(rec->name, cache_name(r, e->cache)) != 0)
        return fail(r, BF_EINPUT,
                    "cache_free of id %" PRIu64 " from cache '%s', allocated from '%s'", key,
                    rec->name, cache_name(r, e->cache));
    rec->id = e->id;
    rec->order = e->order;
    if (rec->op == BF_AOP_CACHE_FREE)
        rec->name = cache_name(r, e->cache);
    freed_note(r, ns, key);
    live_remove(r, e);
    return BF_OK;
}

static int check_size(bf_atrace_reader *r, uint64_t size)
{
    if (size > BF_ATRACE_MAX_SIZE)
        return fail(r, BF_EINPUT, "size %" PRIu64 " exceeds 4 GiB (the BF533 address space)", size);
    return BF_OK;
}

/* ---- native ------------------------------------------------------------------------------ */

static int num_field(bf_atrace_reader *r, const char **pp, uint64_t *v, const char *what)
{
    const char *p = bf_parse_skip(*pp);
    char t[48];
    if (*p == '\0')
        return fail(r, BF_EINPUT, "missing %s", what);
    int e = bf_parse_num(&p, v);
    if (e == BF_PNUM_OVERFLOW)
        return fail(r, BF_EINPUT, "%s '%s' is too large", what,
                    bf_parse_tok(bf_parse_skip(*pp), t, sizeof t));
    if (e != BF_PNUM_OK || !bf_parse_tokend(p))
        return fail(r, BF_EINPUT, "bad %s '%s'", what, bf_parse_tok(bf_parse_skip(*pp), t, sizeof t));
    *pp = p;
    return BF_OK;
}

static int name_field(bf_atrace_reader *r, const char **pp, char *dst, const char *what)
{
    const char *p = bf_parse_skip(*pp), *e = p;
    char t[48];
    while (*e && !bf_parse_isblank(*e))
        e++;
    size_t n = (size_t)(e - p);
    if (n == 0)
        return fail(r, BF_EINPUT, "missing %s", what);
    int ok = n <= BF_ATRACE_NAME_MAX;
    for (size_t i = 0; i < n && ok; i++) {
        char c = p[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '.' || c == '-' || c == ':' || c == '(' || c == ')';
    }
    if (n > BF_ATRACE_NAME_MAX)
        return fail(r, BF_EINPUT, "%s '%s...' is %zu characters long (at most %d)", what,
                    bf_parse_tok(p, t, sizeof t), n, BF_ATRACE_NAME_MAX);
    if (!ok)
        return fail(r, BF_EINPUT, "bad %s '%s' (letters, digits and _.:()- only)", what,
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
                return fail(r, BF_EINPUT, "bad call site '%s'", bf_parse_tok(p, t, sizeof t));
            memcpy(r->site, p + 1, n - 1);
            r->site[n - 1] = '\0';
            rec->site = r->site;
            stage = 2;
        } else if (p[0] == 't' && p[1] == '=' && stage < 3) {
            const char *q = p + 2;
            if (bf_parse_num(&q, &rec->time_ns) != BF_PNUM_OK || q != e)
                return fail(r, BF_EINPUT, "bad time '%s'", bf_parse_tok(p, t, sizeof t));
            stage = 3;
        } else if (gfp_ok && stage < 1) {
            if (bf_gfp_parse(p, n, &rec->gfp) != 0)
                return fail(r, BF_EINPUT, "bad GFP flags '%s'", bf_parse_tok(p, t, sizeof t));
            rec->has_gfp = 1;
            stage = 1;
        } else {
            return fail(r, BF_EINPUT, "unexpected '%s' after the record", bf_parse_tok(p, t, sizeof t));
        }
        p = e;
    }
}

static int native_line(bf_atrace_reader *r, const char *s, bf_arec *rec)
{
    const char *p = bf_parse_skip(s), *k = p;
    char t[48];
    while (*p && !bf_parse_isblank(*p))
        p++;
    size_t n = (size_t)(p - k);
    int op = -1;
    for (int i = 0; i < (int)BF_ARRAY_SIZE(aop_names); i++)
        if (strlen(aop_names[i]) == n && memcmp(aop_names[i], k, n) == 0)
            op = i;
    if (op < 0)
        return fail(r, BF_EINPUT, "unknown record '%s'", bf_parse_tok(k, t, sizeof t));
    rec->op = (uint8_t)op;
    uint64_t id = 0, v = 0;
    int rc = BF_OK;
    if (op == BF_AOP_PHASE) {
        if ((rc = name_field(r, &p, r->name, "phase name")))
            return rc;
        rec->name = r->name;
        p = bf_parse_skip(p);
        if (*p)
            return fail(r, BF_EINPUT, "unexpected '%s' after the record", bf_parse_tok(p, t, sizeof t));
        return BF_OK;
    }
    if (op == BF_AOP_RECLAIMABLE) {
        if ((rc = num_field(r, &p, &rec->value, "page count")))
            return rc;
        p = bf_parse_skip(p);
        if (*p)
            return fail(r, BF_EINPUT, "unexpected '%s' after the record", bf_parse_tok(p, t, sizeof t));
        return BF_OK;
    }
    if (op == BF_AOP_CACHE_ALLOC || op == BF_AOP_CACHE_FREE) {
        if ((rc = name_field(r, &p, r->name, "cache name")))
            return rc;
        rec->name = r->name;
    }
    if ((rc = num_field(r, &p, &id, "id")))
        return rc;
    int is_alloc = op == BF_AOP_KMALLOC || op == BF_AOP_CACHE_ALLOC || op == BF_AOP_PAGES_ALLOC ||
                   op == BF_AOP_VMALLOC || op == BF_AOP_MMAP || op == BF_AOP_MALLOC;
    if (op == BF_AOP_PAGES_ALLOC || op == BF_AOP_PAGES_FREE) {
        if ((rc = num_field(r, &p, &v, "order")))
            return rc;
        if (v > BF_ATRACE_MAX_ORDER)
            return fail(r, BF_EINPUT, "order %" PRIu64 " out of range (0..%d)", v,
                        BF_ATRACE_MAX_ORDER);
        rec->order = (uint8_t)v;
        rec->size = (uint64_t)4096 << v; /* informational: pages of 4 KB */
    } else if (is_alloc) {
        if ((rc = num_field(r, &p, &rec->size, "size")))
            return rc;
        if ((rc = check_size(r, rec->size)))
            return rc;
    }
    int gfp_ok = op == BF_AOP_KMALLOC || op == BF_AOP_CACHE_ALLOC || op == BF_AOP_PAGES_ALLOC ||
                 op == BF_AOP_VMALLOC;
    if ((rc = native_tail(r, p, rec, gfp_ok)))
        return rc;
    if (is_alloc)
        return do_alloc(r, NS_ID, id, id, rec);
    return do_free(r, NS_ID, id, rec, 0);
}

/* ---- ftrace ------------------------------------------------------------------------------ */

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
        return fail(r, BF_EINPUT, "missing %s=", key);
    if (null) {
        *null = is_null(v, n);
        if (*null)
            return BF_OK;
    }
    const char *p = v;
    if (bf_parse_hex(&p, out, 1) != BF_PNUM_OK || (size_t)(p - v) != n)
        return fail(r, BF_EINPUT, "bad %s='%s'", key, bf_parse_tok(v, t, sizeof t));
    return BF_OK;
}

static int kv_num(bf_atrace_reader *r, const char *f, const char *key, uint64_t *out, int required)
{
    size_t n;
    const char *v = kv_get(f, key, &n);
    char t[48];
    if (!v) {
        if (required)
            return fail(r, BF_EINPUT, "missing %s=", key);
        return 1;
    }
    const char *p = v;
    if (bf_parse_num(&p, out) != BF_PNUM_OK || (size_t)(p - v) != n)
        return fail(r, BF_EINPUT, "bad %s='%s'", key, bf_parse_tok(v, t, sizeof t));
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
        return R_COMMENT; /* comment */
    size_t en;
    const char *f;
    int has_time;
    const char *e = ftrace_split(s, &en, &f, &rec->time_ns, &has_time);
    if (!e)
        return fail(r, BF_EINPUT, "not an ftrace event line: '%s'", bf_parse_tok(p, t, sizeof t));
    int rc, null = 0;
    uint64_t key, v;
    if (ev(e, en, "kmalloc") || ev(e, en, "kmalloc_node") || ev(e, en, "kmem_cache_alloc") ||
        ev(e, en, "kmem_cache_alloc_node")) {
        int cache = en >= 10 && memcmp(e, "kmem_cache", 10) == 0;
        if ((rc = kv_hex(r, f, "ptr", &key, &null)))
            return rc;
        if (null) {
            r->st.failed_allocs++;
            return R_SKIP;
        }
        if ((rc = kv_num(r, f, "bytes_req", &rec->size, 1)))
            return rc;
        uint64_t alloc = rec->size;
        if ((rc = kv_num(r, f, "bytes_alloc", &alloc, 0)) > 1)
            return rc;
        if ((rc = check_size(r, rec->size)) || (rc = check_size(r, alloc)))
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
        return do_alloc(r, NS_PTR, key, ++r->next_id, rec);
    }
    if (ev(e, en, "kfree") || ev(e, en, "kmem_cache_free")) {
        if ((rc = kv_hex(r, f, "ptr", &key, &null)))
            return rc;
        if (null) {
            r->st.null_frees++;
            return R_SKIP;
        }
        ftrace_site(r, f, rec);
        rec->op = BF_AOP_KFREE;
        return do_free(r, NS_PTR, key, rec, 1);
    }
    if (ev(e, en, "mm_page_alloc")) {
        size_t n;
        const char *pg = kv_get(f, "page", &n);
        if (pg && is_null(pg, n)) {
            r->st.failed_allocs++;
            return R_SKIP;
        }
        if ((rc = kv_num(r, f, "pfn", &key, 1)) || (rc = kv_num(r, f, "order", &v, 1)))
            return rc;
        if (v > BF_ATRACE_MAX_ORDER)
            return fail(r, BF_EINPUT, "order %" PRIu64 " out of range (0..%d)", v,
                        BF_ATRACE_MAX_ORDER);
        rec->op = BF_AOP_PAGES_ALLOC;
        rec->order = (uint8_t)v;
        rec->size = (uint64_t)4096 << v;
        ftrace_gfp(r, f, rec);
        return do_alloc(r, NS_PFN, key, ++r->next_id, rec);
    }
    if (ev(e, en, "mm_page_free") || ev(e, en, "mm_page_free_direct") ||
        ev(e, en, "mm_page_free_batched")) {
        if ((rc = kv_num(r, f, "pfn", &key, 1)))
            return rc;
        v = 0;
        if ((rc = kv_num(r, f, "order", &v, 0)) > 1)
            return rc;
        rec->op = BF_AOP_PAGES_FREE;
        rc = do_free(r, NS_PFN, key, rec, 1);
        if (rc == BF_OK && rec->order != v)
            return fail(r, BF_EINPUT,
                        "page free of pfn=%" PRIu64 " with order %" PRIu64
                        ", allocated with order %u",
                        key, v, rec->order);
        return rc;
    }
    r->st.ignored_events++;
    return R_SKIP;
}

/* ---- malloc-lab .rep --------------------------------------------------------------------- */

static int rep_line(bf_atrace_reader *r, const char *s, bf_arec *rec)
{
    const char *p = bf_parse_skip(s);
    char t[48];
    int rc;
    if (*p == '\0')
        return R_COMMENT;
    if (r->rep_hdr_n < 4) {
        static const char *const what[] = {"suggested heap size", "number of ids",
                                           "number of operations", "weight"};
        if ((rc = num_field(r, &p, &r->rep_hdr[r->rep_hdr_n], what[r->rep_hdr_n])))
            return rc;
        if (*bf_parse_skip(p))
            return fail(r, BF_EINPUT, "unexpected '%s' after the %s",
                        bf_parse_tok(bf_parse_skip(p), t, sizeof t), what[r->rep_hdr_n]);
        if (++r->rep_hdr_n == 4) {
            if (r->rep_hdr[1] > 100000000u)
                return fail(r, BF_EINPUT, "number of ids %" PRIu64 " is absurd (at most 100000000)",
                            r->rep_hdr[1]);
            r->rep_seen = bf_calloc((size_t)(r->rep_hdr[1] + 7) / 8 + 1, 1);
            if (!r->rep_seen)
                return fail(r, BF_ENOMEM, "out of host memory");
        }
        return R_COMMENT;
    }
    char c = *p++;
    if ((c != 'a' && c != 'f' && c != 'r') || !bf_parse_tokend(p))
        return fail(r, BF_EINPUT, "bad .rep operation '%s' (a, f or r)", bf_parse_tok(p - 1, t, sizeof t));
    uint64_t id, size = 0;
    if ((rc = num_field(r, &p, &id, "id")))
        return rc;
    if (id >= r->rep_hdr[1])
        return fail(r, BF_EINPUT, "id %" PRIu64 " out of range (header: %" PRIu64 " ids)", id,
                    r->rep_hdr[1]);
    if (c != 'f') {
        if ((rc = num_field(r, &p, &size, "size")) || (rc = check_size(r, size)))
            return rc;
    }
    if (*bf_parse_skip(p))
        return fail(r, BF_EINPUT, "unexpected '%s' after the record",
                    bf_parse_tok(bf_parse_skip(p), t, sizeof t));
    if (++r->rep_ops > r->rep_hdr[2])
        return fail(r, BF_EINPUT, "more operations than the header's %" PRIu64, r->rep_hdr[2]);
    rec->size = size;
    if (c == 'a') {
        rec->op = BF_AOP_MALLOC;
        r->rep_seen[id >> 3] |= (uint8_t)(1u << (id & 7));
        return do_alloc(r, NS_ID, id, id, rec);
    }
    if (c == 'f') {
        rec->op = BF_AOP_FREE;
        if (!live_find(r, NS_ID, id) && (r->rep_seen[id >> 3] >> (id & 7) & 1) && !r->lenient)
            return fail(r, BF_EINPUT, "double free of id %" PRIu64, id);
        return do_free(r, NS_ID, id, rec, 0);
    }
    /* realloc: free + malloc with the same id */
    if (!live_find(r, NS_ID, id)) {
        if (!r->lenient)
            return fail(r, BF_EINPUT, "realloc of id %" PRIu64 " which is not live", id);
        rec->op = BF_AOP_MALLOC;
        r->rep_seen[id >> 3] |= (uint8_t)(1u << (id & 7));
        return do_alloc(r, NS_ID, id, id, rec);
    }
    bf_arec fr = *rec;
    fr.op = BF_AOP_FREE;
    fr.size = 0;
    if ((rc = do_free(r, NS_ID, id, &fr, 0)))
        return rc;
    rec->op = BF_AOP_MALLOC;
    if ((rc = do_alloc(r, NS_ID, id, id, rec)))
        return rc;
    r->q[0] = fr;
    r->q[1] = *rec;
    r->qn = 2;
    r->qi = 0;
    return R_QUEUED; /* queued */
}

/* ---- ltrace ------------------------------------------------------------------------------ */

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
        return R_SKIP;
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
        return fail(r, BF_EINPUT, "bad %.*s call: '%s'", (int)fnl, fn, bf_parse_tok(args, t, sizeof t));
    p = bf_parse_skip(p);
    if (kind != 3 && lt_ptr(&p, &ret))
        return fail(r, BF_EINPUT, "bad %.*s return value '%s'", (int)fnl, fn, bf_parse_tok(p, t, sizeof t));
    if (kind == 1) {
        if (b && a > UINT64_MAX / b)
            return fail(r, BF_EINPUT, "calloc size overflows");
        b = a * b;
    }
    if (kind == 3) {
        if (a == 0) {
            r->st.null_frees++;
            return R_SKIP;
        }
        rec->op = BF_AOP_FREE;
        return do_free(r, NS_PTR, a, rec, 0);
    }
    if (kind == 2 && a != 0) {
        live_ent *e = live_find(r, NS_PTR, a);
        if (ret == 0 && b != 0) {
            r->st.failed_allocs++; /* the old block stays live */
            return R_SKIP;
        }
        if (!e && !r->lenient) {
            const freed_ent *f = freed_find(r, NS_PTR, a);
            if (f)
                return fail(r, BF_EINPUT, "realloc of ptr=0x%" PRIx64 " freed at line %" PRIu64, a,
                            f->line);
            return fail(r, BF_EINPUT, "realloc of ptr=0x%" PRIx64 " which is not live", a);
        }
        if (!e) {
            r->st.unmatched_frees++;
        } else {
            bf_arec fr = *rec;
            fr.op = BF_AOP_FREE;
            int rc = do_free(r, NS_PTR, a, &fr, 0);
            if (rc)
                return rc;
            if (ret == 0) { /* realloc(p, 0) frees */
                *rec = fr;
                return BF_OK;
            }
            uint64_t id = fr.id;
            rec->op = BF_AOP_MALLOC;
            rec->size = b;
            if ((rc = check_size(r, b)) || (rc = do_alloc(r, NS_PTR, ret, id, rec)))
                return rc;
            r->q[0] = fr;
            r->q[1] = *rec;
            r->qn = 2;
            r->qi = 0;
            return R_QUEUED;
        }
    }
    if (ret == 0) {
        r->st.failed_allocs++;
        return R_SKIP;
    }
    int rc = check_size(r, b);
    if (rc)
        return rc;
    rec->op = BF_AOP_MALLOC;
    rec->size = b;
    return do_alloc(r, NS_PTR, ret, ++r->next_id, rec);
}

static int ltrace_line(bf_atrace_reader *r, const char *s, bf_arec *rec)
{
    const char *p = bf_parse_skip(s);
    char t[48];
    uint64_t pid = 0;
    if (*p == '\0')
        return R_COMMENT;
    if (strncmp(p, "[pid ", 5) == 0) {
        p += 5;
        if (bf_parse_dec(&p, &pid) != BF_PNUM_OK || *p != ']')
            return fail(r, BF_EINPUT, "bad [pid N] prefix");
        p = bf_parse_skip(p + 1);
    }
    if ((p[0] == '+' && p[1] == '+' && p[2] == '+') || (p[0] == '-' && p[1] == '-' && p[2] == '-'))
        return R_COMMENT; /* "+++ exited ... +++", "--- SIGCHLD ... ---" */
    /* Timestamp column (-t, -tt, -ttt, -r): a token of digits, ':' and '.'. */
    if (*p >= '0' && *p <= '9') {
        const char *q = p;
        while ((*q >= '0' && *q <= '9') || *q == ':' || *q == '.')
            q++;
        if (!bf_parse_isblank(*q))
            return fail(r, BF_EINPUT, "not an ltrace line: '%s'", bf_parse_tok(p, t, sizeof t));
        p = bf_parse_skip(q);
        if ((p[0] == '+' && p[1] == '+' && p[2] == '+') ||
            (p[0] == '-' && p[1] == '-' && p[2] == '-'))
            return R_COMMENT;
    }
    if (strncmp(p, "<... ", 5) == 0) {
        /* "<... malloc resumed> ) = 0x..." completes a call left "<unfinished ...>". */
        const char *fn = p + 5, *e = fn;
        while (*e && *e != ' ' && *e != '>')
            e++;
        size_t fnl = (size_t)(e - fn);
        const char *rest = strstr(e, "resumed>");
        if (!rest)
            return fail(r, BF_EINPUT, "bad resumed call '%s'", bf_parse_tok(p, t, sizeof t));
        rest += 8;
        for (int i = 0; i < PEND_MAX; i++) {
            pend_call *c = &r->pend[i];
            if (c->used && c->pid == pid && strlen(c->func) == fnl && !memcmp(c->func, fn, fnl)) {
                c->used = 0;
                snprintf(r->lbuf, sizeof r->lbuf, "%s%s", c->args, rest);
                return ltrace_call(r, fn, fnl, r->lbuf, rec);
            }
        }
        r->st.ignored_events++; /* its start was not an allocation call we track */
        return R_SKIP;
    }
    /* [lib->]name(args) = ret */
    const char *open = strchr(p, '(');
    if (!open || open == p)
        return fail(r, BF_EINPUT, "not an ltrace line: '%s'", bf_parse_tok(p, t, sizeof t));
    const char *fn = p;
    for (const char *q = p; q + 1 < open; q++)
        if (q[0] == '-' && q[1] == '>')
            fn = q + 2;
    for (const char *q = fn; q < open; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              *q == '_' || *q == '@' || *q == '.'))
            return fail(r, BF_EINPUT, "not an ltrace line: '%s'", bf_parse_tok(p, t, sizeof t));
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
            return R_SKIP;
        }
        for (int i = 0; i < PEND_MAX; i++) {
            pend_call *c = &r->pend[i];
            if (!c->used) {
                size_t an = (size_t)(un - (open + 1));
                if (an >= sizeof c->args || fnl >= sizeof c->func)
                    return fail(r, BF_EINPUT, "unfinished call too long");
                c->used = 1;
                c->pid = pid;
                memcpy(c->func, fn, fnl);
                c->func[fnl] = '\0';
                memcpy(c->args, open + 1, an);
                c->args[an] = '\0';
                return R_COMMENT;
            }
        }
        return fail(r, BF_EINPUT, "more than %d unfinished calls at once", PEND_MAX);
    }
    /* "name(args) = ret", or a call that never returns ("exit(0 <no return ...>"). */
    int shaped = strstr(open, "<no return ...>") != NULL;
    for (const char *q = strchr(open, ')'); q && !shaped; q = strchr(q + 1, ')'))
        shaped = *bf_parse_skip(q + 1) == '=';
    if (!shaped)
        return fail(r, BF_EINPUT, "not an ltrace line: '%s'", bf_parse_tok(p, t, sizeof t));
    return ltrace_call(r, fn, fnl, open + 1, rec);
}

/* ---- detection ---------------------------------------------------------------------------- */

static int is_uint_line(const char *s, size_t n)
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

static int detect(bf_atrace_reader *r, int *fmt)
{
    const uint8_t *p;
    size_t n;
    int rc = bf_tio_peek(r->in, 16384, &p, &n);
    if (rc)
        return fail_io(r, rc);
    if (n == 0)
        return fail(r, BF_EINPUT, "empty file: cannot detect the allocation-trace format");
    const char *s = (const char *)p;
    if (n >= 12 && memcmp(s, "#bfsim-alloc", 12) == 0) {
        *fmt = BF_AFMT_NATIVE;
        return BF_OK;
    }
    size_t i = 0;
    int uints = 0;
    for (int lines = 0; lines < 200 && i < n; lines++) {
        const char *e = memchr(s + i, '\n', n - i);
        size_t len = e ? (size_t)(e - (s + i)) : n - i;
        char line[256];
        size_t m = len < sizeof line - 1 ? len : sizeof line - 1;
        memcpy(line, s + i, m);
        line[m] = '\0';
        i += len + 1;
        if (strncmp(line, "# tracer:", 9) == 0 || strstr(line, ": kmalloc: ") ||
            strstr(line, ": kmem_cache_alloc: ") || strstr(line, ": kfree: ") ||
            strstr(line, ": kmem_cache_free: ") || strstr(line, ": mm_page_alloc: ") ||
            strstr(line, ": mm_page_free") || strncmp(line, "kmalloc: ", 9) == 0 ||
            strncmp(line, "mm_page_alloc: ", 15) == 0 || strncmp(line, "kfree: ", 7) == 0) {
            *fmt = BF_AFMT_FTRACE;
            return BF_OK;
        }
        if (lines == uints && is_uint_line(line, m)) {
            uints++;
            if (uints == 4) {
                *fmt = BF_AFMT_MALLOCLAB;
                return BF_OK;
            }
            continue;
        }
        if (strstr(line, "malloc(") || strstr(line, "free(") || strstr(line, "calloc(") ||
            strstr(line, "realloc(")) {
            if (strstr(line, ") = ") || strstr(line, "<unfinished ...>")) {
                *fmt = BF_AFMT_LTRACE;
                return BF_OK;
            }
        }
    }
    return fail(r, BF_EINPUT,
                "cannot detect the allocation-trace format from its content "
                "(force one: native, ftrace, malloclab, ltrace)");
}

/* ---- public ------------------------------------------------------------------------------- */

static int native_open(bf_atrace_reader *r)
{
    char *s;
    size_t n;
    int rc = bf_tio_line(r->in, &s, &n);
    if (rc == BF_EEOF)
        return fail(r, BF_EINPUT, "empty file (expected '#bfsim-alloc 1')");
    if (rc)
        return fail_io(r, rc);
    r->st.lines++;
    if (strncmp(s, "#bfsim-alloc", 12) != 0 || !bf_parse_isblank(s[12]))
        return fail(r, BF_EINPUT, "missing '#bfsim-alloc 1' header line");
    const char *p = s + 12;
    uint64_t v;
    if ((rc = num_field(r, &p, &v, "format version")))
        return rc;
    if (*bf_parse_skip(p))
        return fail(r, BF_EINPUT, "unexpected text after the format version");
    if (v != 1)
        return fail(r, BF_EINPUT, "unsupported format version %" PRIu64 " (this reader: 1)", v);
    return BF_OK;
}

static int open_with(bf_tio_in *in, int format, bf_atrace_reader **out, char *err, size_t errn)
{
    bf_atrace_reader *r = bf_calloc(1, sizeof *r);
    if (r) {
        r->freed = bf_calloc(BF_ATRACE_FREED_MEMORY, sizeof *r->freed);
        r->caches = bf_malloc((size_t)CACHE_MAX * (BF_ATRACE_NAME_MAX + 1));
    }
    if (!r || !r->freed || !r->caches) {
        snprintf(err, errn, "%s: out of host memory", bf_tio_name(in));
        if (r) {
            free(r->freed);
            free(r->caches);
            free(r);
        }
        bf_tio_close(in);
        return BF_ENOMEM;
    }
    r->in = in;
    int rc = BF_OK;
    if (format < BF_AFMT_AUTO || format > BF_AFMT_LTRACE) {
        snprintf(err, errn, "%s: unknown allocation-trace format %d", bf_tio_name(in), format);
        bf_atrace_close(r);
        return BF_ECONFIG;
    }
    r->fmt = format;
    if (r->fmt == BF_AFMT_AUTO)
        rc = detect(r, &r->fmt);
    if (!rc && r->fmt == BF_AFMT_NATIVE)
        rc = native_open(r);
    if (rc) {
        snprintf(err, errn, "%s", r->err);
        bf_atrace_close(r);
        return rc;
    }
    *out = r;
    return BF_OK;
}

int bf_atrace_open(const char *path, int format, bf_atrace_reader **out, char *err, size_t errn)
{
    return bf_atrace_open_tap(path, format, NULL, out, err, errn);
}

int bf_atrace_open_tap(const char *path, int format, const bf_byte_tap *tap,
                       bf_atrace_reader **out, char *err, size_t errn)
{
    *out = NULL;
    bf_tio_in *in;
    int rc = bf_tio_open_tap(path, tap, &in, err, errn);
    if (rc)
        return rc;
    return open_with(in, format, out, err, errn);
}

int bf_atrace_drain(bf_atrace_reader *r)
{
    int rc = bf_tio_drain(r->in);
    if (rc)
        snprintf(r->err, sizeof r->err, "%s", bf_tio_error(r->in));
    return rc;
}

int bf_atrace_open_mem(const void *data, size_t n, const char *name, int format,
                       bf_atrace_reader **out, char *err, size_t errn)
{
    *out = NULL;
    bf_tio_in *in;
    int rc = bf_tio_open_mem(data, n, name, &in, err, errn);
    if (rc)
        return rc;
    return open_with(in, format, out, err, errn);
}

void bf_atrace_set_lenient(bf_atrace_reader *r, int lenient)
{
    r->lenient = lenient != 0;
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

int bf_atrace_next(bf_atrace_reader *r, bf_arec *rec)
{
    if (r->rc)
        return r->rc;
    if (r->qi < r->qn) {
        *rec = r->q[r->qi];
        if (rec->name) { /* keep names valid: copy into a per-slot buffer */
            snprintf(r->qname[r->qi], sizeof r->qname[0], "%s", rec->name);
            rec->name = r->qname[r->qi];
        }
        r->qi++;
        r->st.records++;
        return BF_OK;
    }
    for (;;) {
        char *s;
        size_t n;
        int rc = bf_tio_line(r->in, &s, &n);
        if (rc == BF_EEOF) {
            if (r->fmt == BF_AFMT_MALLOCLAB && (r->rep_hdr_n < 4 || r->rep_ops != r->rep_hdr[2])) {
                if (r->rep_hdr_n < 4)
                    return fail(r, BF_EINPUT, "truncated: the .rep header has %d of 4 lines",
                                r->rep_hdr_n);
                return fail(r, BF_EINPUT,
                            "truncated: the header announces %" PRIu64
                            " operations, found %" PRIu64,
                            r->rep_hdr[2], r->rep_ops);
            }
            return BF_EEOF;
        }
        if (rc)
            return fail_io(r, rc);
        r->st.lines++;
        memset(rec, 0, sizeof *rec);
        rec->line = bf_tio_lineno(r->in);
        switch (r->fmt) {
        case BF_AFMT_NATIVE: {
            const char *p = bf_parse_skip(s);
            if (*p == '#' || *p == '\0') {
                if (*p == '#' && !r->native_started)
                    header_keep(r, p + 1, strlen(p + 1));
                rc = R_COMMENT;
            } else {
                r->native_started = 1;
                rc = native_line(r, s, rec);
            }
            break;
        }
        case BF_AFMT_FTRACE:
            rc = ftrace_line(r, s, rec);
            break;
        case BF_AFMT_MALLOCLAB:
            rc = rep_line(r, s, rec);
            break;
        default:
            rc = ltrace_line(r, s, rec);
            break;
        }
        if (rc == R_COMMENT) {
            r->st.skipped++;
            continue;
        }
        if (rc == R_SKIP)
            continue;
        if (rc == R_QUEUED) {
            for (int i = 0; i < r->qn; i++)
                r->q[i].line = rec->line;
            return bf_atrace_next(r, rec);
        }
        if (rc)
            return rc;
        r->st.records++;
        return BF_OK;
    }
}

const char *bf_atrace_error(const bf_atrace_reader *r)
{
    return r->err;
}

int bf_atrace_detected_format(const bf_atrace_reader *r)
{
    return r->fmt;
}

int bf_atrace_compression(const bf_atrace_reader *r)
{
    return bf_tio_compression(r->in);
}

const bf_atrace_reader_stats *bf_atrace_reader_stats_of(const bf_atrace_reader *r)
{
    return &r->st;
}

uint64_t bf_atrace_bytes_read(const bf_atrace_reader *r)
{
    return bf_tio_bytes_read(r->in);
}

void bf_atrace_close(bf_atrace_reader *r)
{
    if (!r)
        return;
    bf_tio_close(r->in);
    free(r->live);
    free(r->freed);
    free(r->caches);
    free(r->rep_seen);
    free(r);
}

/* ---- writer ------------------------------------------------------------------------------- */

struct bf_atrace_writer {
    bf_tio_out *out;
    int started;
    char hdr[HDR_MAX];
    size_t hdr_len;
    char err[BF_TIO_ERR];
};

int bf_atrace_writer_open(const char *path, int compression, bf_atrace_writer **out, char *err,
                          size_t errn)
{
    *out = NULL;
    bf_atrace_writer *w = bf_calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errn, "%s: out of host memory", path);
        return BF_ENOMEM;
    }
    int rc = bf_tio_out_open(path, compression, 0, &w->out, err, errn);
    if (rc) {
        free(w);
        return rc;
    }
    *out = w;
    return BF_OK;
}

int bf_atrace_writer_header(bf_atrace_writer *w, const char *key, const char *value)
{
    if (w->started) {
        snprintf(w->err, sizeof w->err, "header '%s' after the first record", key);
        return BF_ESTATE;
    }
    size_t kn = strlen(key);
    int ok = kn > 0 && !strpbrk(value, "\r\n");
    for (size_t i = 0; i < kn; i++)
        if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') ||
              key[i] == '_' || key[i] == '-' || key[i] == '.'))
            ok = 0;
    if (!ok) {
        snprintf(w->err, sizeof w->err, "bad header '%s'", key);
        return BF_EINPUT;
    }
    int n = snprintf(w->hdr + w->hdr_len, sizeof w->hdr - w->hdr_len, "#%s: %s\n", key, value);
    if (n < 0 || (size_t)n >= sizeof w->hdr - w->hdr_len) {
        snprintf(w->err, sizeof w->err, "header larger than %d bytes", HDR_MAX);
        return BF_EINPUT;
    }
    w->hdr_len += (size_t)n;
    return BF_OK;
}

static int wstart(bf_atrace_writer *w)
{
    if (w->started)
        return BF_OK;
    w->started = 1;
    static const char first[] = "#bfsim-alloc 1\n";
    bf_tio_write(w->out, first, sizeof first - 1);
    return bf_tio_write(w->out, w->hdr, w->hdr_len);
}

int bf_atrace_write(bf_atrace_writer *w, const bf_arec *r)
{
    char b[512], g[256];
    int n = 0;
    const char *op = bf_aop_name(r->op);
    if (r->op > BF_AOP_RECLAIMABLE) {
        snprintf(w->err, sizeof w->err, "unknown allocation op %u", r->op);
        return BF_EINPUT;
    }
    if ((r->op == BF_AOP_CACHE_ALLOC || r->op == BF_AOP_CACHE_FREE || r->op == BF_AOP_PHASE) &&
        (!r->name || !r->name[0] || strlen(r->name) > BF_ATRACE_NAME_MAX ||
         strpbrk(r->name, " \t\r\n"))) {
        snprintf(w->err, sizeof w->err, "%s record needs a name without blanks", op);
        return BF_EINPUT;
    }
    /* GFP is written when the record has it: an explicit 0 (GFP_NOWAIT) as "0", none as nothing */
    g[0] = ' ';
    if (r->has_gfp || r->gfp)
        bf_gfp_format(r->gfp, g + 1, sizeof g - 1);
    else
        g[0] = '\0';
    switch (r->op) {
    case BF_AOP_KMALLOC:
    case BF_AOP_VMALLOC:
        n = snprintf(b, sizeof b, "%s %" PRIu64 " %" PRIu64 "%s", op, r->id, r->size, g);
        break;
    case BF_AOP_CACHE_ALLOC:
        n = snprintf(b, sizeof b, "%s %s %" PRIu64 " %" PRIu64 "%s", op, r->name, r->id, r->size,
                     g);
        break;
    case BF_AOP_CACHE_FREE:
        n = snprintf(b, sizeof b, "%s %s %" PRIu64, op, r->name, r->id);
        break;
    case BF_AOP_PAGES_ALLOC:
        n = snprintf(b, sizeof b, "%s %" PRIu64 " %u%s", op, r->id, r->order, g);
        break;
    case BF_AOP_PAGES_FREE:
        n = snprintf(b, sizeof b, "%s %" PRIu64 " %u", op, r->id, r->order);
        break;
    case BF_AOP_MMAP:
    case BF_AOP_MALLOC:
        n = snprintf(b, sizeof b, "%s %" PRIu64 " %" PRIu64, op, r->id, r->size);
        break;
    case BF_AOP_PHASE:
        n = snprintf(b, sizeof b, "phase %s", r->name);
        break;
    case BF_AOP_RECLAIMABLE:
        n = snprintf(b, sizeof b, "reclaimable %" PRIu64, r->value);
        break;
    default: /* frees */
        n = snprintf(b, sizeof b, "%s %" PRIu64, op, r->id);
        break;
    }
    if (r->op != BF_AOP_PHASE && r->op != BF_AOP_RECLAIMABLE) {
        if (r->site && r->site[0] && !strpbrk(r->site, " \t\r\n"))
            n += snprintf(b + n, sizeof b - (size_t)n, " @%.*s", BF_ATRACE_SITE_MAX, r->site);
        if (r->time_ns)
            n += snprintf(b + n, sizeof b - (size_t)n, " t=%" PRIu64, r->time_ns);
    }
    b[n++] = '\n';
    int rc = wstart(w);
    if (!rc)
        rc = bf_tio_write(w->out, b, (size_t)n);
    if (rc)
        snprintf(w->err, sizeof w->err, "%s", bf_tio_out_error(w->out));
    return rc;
}

const char *bf_atrace_writer_error(const bf_atrace_writer *w)
{
    return w->err;
}

int bf_atrace_writer_close(bf_atrace_writer *w, char *err, size_t errn)
{
    if (!w)
        return BF_OK;
    wstart(w);
    int rc = bf_tio_out_close(w->out, err, errn);
    free(w);
    return rc;
}
