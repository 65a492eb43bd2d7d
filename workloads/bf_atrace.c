/*
** bf_atrace.c: the allocation-trace reader object (bf_atrace_int.h): open (compression and
** format detection by content), bf_atrace_next (the queue of split records, then the format's
** own next(), which runs bf_atrace_next_with over its line parser), the error and field
** helpers, the format names and the accessors.
**
** What it models: the stream of allocation and free events an allocator replay consumes
** (docs/alloc-trace-format.md), with every free paired with its allocation (bf_atrace_pair.c).
** The formats live in bf_atrace_native.c, bf_atrace_ftrace.c, bf_atrace_rep.c and
** bf_atrace_ltrace.c; GFP names in bf_atrace_gfp.c; the native writer in bf_atrace_write.c.
**
** Algorithm: next() reads one line and hands it to the format's parser, which returns a record,
** BF_ATRACE_SKIP / BF_ATRACE_COMMENT (read on), BF_ATRACE_QUEUED (a realloc became a free and an
** allocation, returned one per call from r->q) or an error.
** Invariants: memory grows with the number of live allocations only; after the first error
** every call returns the same error.
*/
#include "bf_atrace_int.h"
#include "bf_hmem.h"

#include "bf_parse.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BF_STAT_STRUCT bf_atrace_reader_stats
const bf_stat_desc bf_atrace_reader_stat_desc[] = {BF_ATRACE_READER_STATS(BF_STAT_DESC)};
const size_t bf_atrace_reader_stat_count = BF_ARRAY_SIZE(bf_atrace_reader_stat_desc);
#undef BF_STAT_STRUCT

/* ---- names ----------------------------------------------------------------------------------- */

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

/* ---- errors ---------------------------------------------------------------------------------- */

int bf_atrace_fail(bf_atrace_reader *r, int rc, const char *fmt, ...)
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

int bf_atrace_fail_io(bf_atrace_reader *r, int rc)
{
    snprintf(r->err, sizeof r->err, "%s", bf_tio_error(r->in));
    r->rc = rc;
    return rc;
}

int bf_atrace_check_size(bf_atrace_reader *r, uint64_t size)
{
    if (size > BF_ATRACE_MAX_SIZE)
        return bf_atrace_fail(r, BF_EINPUT,
                              "size %" PRIu64 " exceeds 4 GiB (the BF533 address space)", size);
    return BF_OK;
}

int bf_atrace_num_field(bf_atrace_reader *r, const char **pp, uint64_t *v, const char *what)
{
    const char *p = bf_parse_skip(*pp);
    char t[48];
    if (*p == '\0')
        return bf_atrace_fail(r, BF_EINPUT, "missing %s", what);
    int e = bf_parse_num(&p, v);
    if (e == BF_PNUM_OVERFLOW)
        return bf_atrace_fail(r, BF_EINPUT, "%s '%s' is too large", what,
                              bf_parse_tok(bf_parse_skip(*pp), t, sizeof t));
    if (e != BF_PNUM_OK || !bf_parse_tokend(p))
        return bf_atrace_fail(r, BF_EINPUT, "bad %s '%s'", what,
                              bf_parse_tok(bf_parse_skip(*pp), t, sizeof t));
    *pp = p;
    return BF_OK;
}

/* ---- detection ------------------------------------------------------------------------------- */

static int detect(bf_atrace_reader *r, int *fmt)
{
    const uint8_t *p;
    size_t n;
    int rc = bf_tio_peek(r->in, 16384, &p, &n);
    if (rc)
        return bf_atrace_fail_io(r, rc);
    if (n == 0)
        return bf_atrace_fail(r, BF_EINPUT,
                              "empty file: cannot detect the allocation-trace format");
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
        if (bf_atrace_ftrace_sniff(line)) {
            *fmt = BF_AFMT_FTRACE;
            return BF_OK;
        }
        if (lines == uints && bf_atrace_rep_sniff(line, m)) {
            uints++;
            if (uints == 4) {
                *fmt = BF_AFMT_MALLOCLAB;
                return BF_OK;
            }
            continue;
        }
        if (bf_atrace_ltrace_sniff(line)) {
            *fmt = BF_AFMT_LTRACE;
            return BF_OK;
        }
    }
    return bf_atrace_fail(r, BF_EINPUT,
                          "cannot detect the allocation-trace format from its content "
                          "(force one: native, ftrace, malloclab, ltrace)");
}

/* ---- public ---------------------------------------------------------------------------------- */

static int open_with(bf_tio_in *in, int format, bf_atrace_reader **out, char *err, size_t errn)
{
    bf_atrace_reader *r = bf_calloc(1, sizeof *r);
    if (r) {
        r->freed = bf_calloc(BF_ATRACE_FREED_MEMORY, sizeof *r->freed);
        r->caches = bf_malloc((size_t)BF_ATRACE_CACHE_MAX * (BF_ATRACE_NAME_MAX + 1));
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
        rc = bf_atrace_native_open(r);
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

int bf_atrace_open_tap(const char *path, int format, const bf_byte_tap *tap, bf_atrace_reader **out,
                       char *err, size_t errn)
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
    switch (r->fmt) {
    case BF_AFMT_NATIVE:
        return bf_atrace_native_next(r, rec);
    case BF_AFMT_FTRACE:
        return bf_atrace_ftrace_next(r, rec);
    case BF_AFMT_MALLOCLAB:
        return bf_atrace_rep_next(r, rec);
    default:
        return bf_atrace_ltrace_next(r, rec);
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
    for (int ns = 0; ns < BF_ATRACE_NS_COUNT; ns++)
        bf_htab_fini(&r->live[ns]);
    free(r->freed);
    free(r->caches);
    free(r->rep_seen);
    free(r);
}
