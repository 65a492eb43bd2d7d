/*
** bf_trace.c: the access-trace reader object (bf_trace_int.h): open (compression and format
** detection by content), the format dispatch of bf_trace_next and bf_trace_next_batch, the
** error helpers of every format, the native header pairs, and the accessors.
**
** What it models: the sequence of core-side memory events a replay engine feeds to the memory
** system: fetches, loads, stores, gaps, sync and cache-control ops, mode switches, control
** register writes, DMA transfers and phase markers (docs/trace-format.md). The formats live in
** bf_trace_text.c, bf_trace_bin.c, bf_trace_lackey.c and bf_trace_din.c (foreign formats over
** bf_trace_foreign.c); options and names in bf_trace_options.c.
**
** Algorithm: next() takes the next line (or binary record) of the format in force and parses it
** with hand-written scanners (bf_parse.h); for foreign formats the line becomes one "pending"
** host access, emitted one BF533 piece per call. next_batch() decodes version-2 binary accesses
** in a tight loop straight from the input buffer, and Lackey record lines in place, and falls
** back to next() for anything else.
** Invariants: the reader holds at most one pending access and one line; memory is fixed at open.
** After the first error every call returns the same error.
*/
#include "bf_hmem.h"
#include "bf_trace_int.h"

#include "bf_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(void *) != 8 || sizeof(bf_trace_rec) == 64,
               "bf_trace_rec is 64 bytes on 64-bit hosts (bf_trace.h, pad1)");

#define BF_STAT_STRUCT bf_trace_reader_stats
const bf_stat_desc bf_trace_reader_stat_desc[] = {BF_TRACE_READER_STATS(BF_STAT_DESC)};
const size_t bf_trace_reader_stat_count = BF_ARRAY_SIZE(bf_trace_reader_stat_desc);
#undef BF_STAT_STRUCT

/* ---- errors and fields ------------------------------------------------------------------ */

int bf_trace_fail(bf_trace_reader *r, int rc, const char *fmt, ...)
{
    char msg[BF_TIO_ERR];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->fmt == BF_FMT_NATIVE_BIN && r->recno == 0)
        snprintf(r->err, sizeof r->err, "%s: header: %s", bf_tio_name(r->in), msg);
    else if (r->fmt == BF_FMT_NATIVE_BIN)
        snprintf(r->err, sizeof r->err, "%s: record %llu: %s", bf_tio_name(r->in),
                 (unsigned long long)r->recno, msg);
    else
        bf_tio_where(r->in, msg, r->err, sizeof r->err);
    r->rc = rc;
    return rc;
}

/* Error of the I/O layer (its message already names the file and line). */
int bf_trace_fail_io(bf_trace_reader *r, int rc)
{
    snprintf(r->err, sizeof r->err, "%s", bf_tio_error(r->in));
    r->rc = rc;
    return rc;
}

int bf_trace_expect_end(bf_trace_reader *r, const char *p)
{
    char t[48];
    p = bf_parse_skip(p);
    if (*p)
        return bf_trace_fail(r, BF_EINPUT, "unexpected '%s' after the record",
                             bf_parse_tok(p, t, sizeof t));
    return BF_OK;
}

int bf_trace_valid_name(const char *s, size_t n)
{
    if (n == 0 || n > BF_TRACE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

/* ---- native header ---------------------------------------------------------------------- */

/* Store "key: value" of a header comment (or binary header text line). */
int bf_trace_header_add(bf_trace_reader *r, const char *s, size_t n)
{
    const char *c = memchr(s, ':', n);
    if (!c)
        return BF_OK; /* a plain comment */
    size_t kn = (size_t)(c - s);
    for (size_t i = 0; i < kn; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-' || s[i] == '.'))
            return BF_OK; /* not a key: a plain comment */
    if (kn == 0)
        return BF_OK;
    const char *v = c + 1;
    while (v < s + n && bf_parse_isblank(*v))
        v++;
    size_t vn = (size_t)(s + n - v);
    if (r->hdr_n == BF_TRACE_HDR_PAIRS || r->hdr_len + kn + vn + 2 > sizeof r->hdr)
        return BF_OK; /* keep what fits; the rest is provenance only */
    r->hdr_key[r->hdr_n] = (uint16_t)r->hdr_len;
    memcpy(r->hdr + r->hdr_len, s, kn);
    r->hdr_len += kn;
    r->hdr[r->hdr_len++] = '\0';
    r->hdr_val[r->hdr_n] = (uint16_t)r->hdr_len;
    memcpy(r->hdr + r->hdr_len, v, vn);
    r->hdr_len += vn;
    r->hdr[r->hdr_len++] = '\0';
    r->hdr_n++;
    if (kn == 10 && memcmp(s, "misaligned", 10) == 0) {
        if (vn == 10 && memcmp(v, "count-once", 10) == 0)
            r->misal = BF_MISAL_ONCE;
        else if (vn == 5 && memcmp(v, "fault", 5) == 0)
            r->misal = BF_MISAL_FAULT;
        else
            return bf_trace_fail(r, BF_EINPUT, "header 'misaligned' must be fault or count-once");
    }
    return BF_OK;
}

/* ---- detection -------------------------------------------------------------------------- */

/* Classify one text line: a format, 0 if it says nothing (blank, commentary), -1 if none fits. */
static int classify_line(const char *s, size_t n)
{
    char line[128];
    if (n >= sizeof line)
        n = sizeof line - 1;
    memcpy(line, s, n);
    line[n] = '\0';
    if (n && line[n - 1] == '\r')
        line[--n] = '\0';
    if (n == 0)
        return 0;
    int f = bf_trace_lackey_sniff(line);
    if (f == BF_TRACE_SNIFF_OTHER)
        f = bf_trace_din_sniff(line);
    return f == BF_TRACE_SNIFF_OTHER ? -1 : f;
}

static int detect(bf_trace_reader *r, int *fmt)
{
    const uint8_t *p;
    size_t n;
    int rc = bf_tio_peek(r->in, 8192, &p, &n);
    if (rc)
        return bf_trace_fail_io(r, rc);
    if (n == 0)
        return bf_trace_fail(r, BF_EINPUT, "empty file: cannot detect the trace format");
    if (n >= 8 && memcmp(p, bf_trace_bin_magic, 8) == 0) {
        *fmt = BF_FMT_NATIVE_BIN;
        return BF_OK;
    }
    if (n >= 12 && memcmp(p, "#bfsim-trace", 12) == 0) {
        *fmt = BF_FMT_NATIVE_TEXT;
        return BF_OK;
    }
    /* First line that says something decides; up to 64 lines of the first 8 KB. */
    size_t i = 0;
    for (int lines = 0; lines < 64 && i < n; lines++) {
        const uint8_t *e = memchr(p + i, '\n', n - i);
        size_t len = e ? (size_t)(e - (p + i)) : n - i;
        int f = classify_line((const char *)p + i, len);
        if (f > 0) {
            *fmt = f;
            return BF_OK;
        }
        if (f < 0)
            break;
        i += len + 1;
    }
    return bf_trace_fail(
        r, BF_EINPUT,
        "cannot detect the trace format from its content (force one: native, binary, "
        "lackey, din, xdin)");
}

/* ---- public ----------------------------------------------------------------------------- */

static int open_with(bf_tio_in *in, const bf_trace_options *o, bf_trace_reader **out, char *err,
                     size_t errn)
{
    bf_trace_options def;
    if (!o) {
        bf_trace_options_default(&def);
        o = &def;
    }
    const char *why = bf_trace_options_check(o);
    if (why) {
        snprintf(err, errn, "%s: %s", bf_tio_name(in), why);
        bf_tio_close(in);
        return BF_ECONFIG;
    }
    bf_trace_reader *r = bf_calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errn, "%s: out of host memory", bf_tio_name(in));
        bf_tio_close(in);
        return BF_ENOMEM;
    }
    r->in = in;
    r->opt = *o;
    for (int i = 0; i < o->npins; i++) {
        snprintf(r->pin_names[i], sizeof r->pin_names[i], "%s",
                 o->pins[i].name ? o->pins[i].name : "pin");
        r->opt.pins[i].name = r->pin_names[i];
    }
    r->misal = BF_MISAL_FAULT;
    int rc = BF_OK;
    r->fmt = o->format;
    if (r->fmt == BF_FMT_AUTO) {
        int f = BF_FMT_AUTO;
        if ((rc = detect(r, &f)))
            goto out;
        r->fmt = f;
    }
    if (r->fmt == BF_FMT_NATIVE_TEXT)
        rc = bf_trace_text_open(r);
    else if (r->fmt == BF_FMT_NATIVE_BIN)
        rc = bf_trace_bin_open(r);
    else if (bf_tmap_init(&r->map, o) != BF_OK)
        rc = bf_trace_fail(r, BF_ENOMEM, "out of host memory for the address map");
out:
    if (rc) {
        snprintf(err, errn, "%s", r->err);
        bf_trace_close(r);
        return rc;
    }
    *out = r;
    return BF_OK;
}

int bf_trace_open(const char *path, const bf_trace_options *o, bf_trace_reader **out, char *err,
                  size_t errn)
{
    *out = NULL;
    bf_tio_in *in;
    int rc = bf_tio_open_tap(path, o ? o->tap : NULL, &in, err, errn);
    if (rc)
        return rc;
    return open_with(in, o, out, err, errn);
}

int bf_trace_drain(bf_trace_reader *r)
{
    int rc = bf_tio_drain(r->in);
    if (rc)
        snprintf(r->err, sizeof r->err, "%s", bf_tio_error(r->in));
    return rc;
}

int bf_trace_open_mem(const void *data, size_t n, const char *name, const bf_trace_options *o,
                      bf_trace_reader **out, char *err, size_t errn)
{
    *out = NULL;
    bf_tio_in *in;
    int rc = bf_tio_open_mem(data, n, name, &in, err, errn);
    if (rc)
        return rc;
    return open_with(in, o, out, err, errn);
}

int bf_trace_next(bf_trace_reader *r, bf_trace_rec *rec)
{
    switch (r->fmt) {
    case BF_FMT_NATIVE_TEXT:
        return bf_trace_text_next(r, rec);
    case BF_FMT_NATIVE_BIN:
        return bf_trace_bin_next(r, rec);
    default:
        return bf_trace_foreign_next(r, rec);
    }
}

int bf_trace_next_batch(bf_trace_reader *r, bf_trace_rec *recs, size_t max, size_t *n)
{
    size_t k = 0;
    int rc = BF_OK;
    while (k < max) {
        if (r->fmt == BF_FMT_NATIVE_BIN && r->bin_ver >= 2 && !r->rc && !r->bin_end &&
            (k += bf_trace_bin_batch(r, recs + k, max - k)) == max)
            break;
        if (r->fmt == BF_FMT_LACKEY && (k += bf_trace_foreign_batch(r, recs + k, max - k)) == max)
            break;
        if ((rc = bf_trace_next(r, &recs[k])) != BF_OK)
            break;
        if (recs[k++].type == BF_REC_PHASE)
            break;
    }
    *n = k;
    return k ? BF_OK : rc;
}

const char *bf_trace_error(const bf_trace_reader *r)
{
    return r->err;
}

int bf_trace_detected_format(const bf_trace_reader *r)
{
    return r->fmt;
}

uint64_t bf_trace_bytes_read(const bf_trace_reader *r)
{
    return bf_tio_bytes_read(r->in);
}

int bf_trace_compression(const bf_trace_reader *r)
{
    return bf_tio_compression(r->in);
}

size_t bf_trace_describe_map(const bf_trace_reader *r, char *buf, size_t n)
{
    bf_strbuf b = bf_strbuf_on(buf, n);
    if (r->fmt == BF_FMT_NATIVE_TEXT || r->fmt == BF_FMT_NATIVE_BIN) {
        bf_strbuf_printf(&b, "native (not remapped)\n");
        return b.len;
    }
    /* Pinned ranges first, then the window table, cut at a whole line. */
    for (int i = 0; i < r->opt.npins; i++) {
        const bf_trace_pin *p = &r->opt.pins[i];
        bf_strbuf_printf_whole(&b,
                               "pin %s host 0x%" PRIx64 " -> 0x%08" PRIx32 " len 0x%" PRIx64 "\n",
                               p->name, p->host, p->target, p->len);
    }
    bf_tmap_describe_to(&r->map, &b);
    return b.len;
}

size_t bf_trace_header_count(const bf_trace_reader *r)
{
    return r->hdr_n;
}

int bf_trace_header_at(const bf_trace_reader *r, size_t i, const char **key, const char **value)
{
    if (i >= r->hdr_n)
        return 0;
    *key = r->hdr + r->hdr_key[i];
    *value = r->hdr + r->hdr_val[i];
    return 1;
}

const char *bf_trace_header_get(const bf_trace_reader *r, const char *key)
{
    for (uint32_t i = 0; i < r->hdr_n; i++)
        if (strcmp(r->hdr + r->hdr_key[i], key) == 0)
            return r->hdr + r->hdr_val[i];
    return NULL;
}

const bf_trace_reader_stats *bf_trace_reader_stats_of(const bf_trace_reader *r)
{
    return &r->st;
}

void bf_trace_close(bf_trace_reader *r)
{
    if (!r)
        return;
    bf_tmap_fini(&r->map);
    bf_tio_close(r->in);
    free(r);
}
