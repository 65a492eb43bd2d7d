/*
** bf_trace_write.c: writers of the native access-trace formats (text and binary), optionally
** gzip- or zstd-compressed, for `bfsim trace convert` and the recorders.
**
** What it models: nothing; it is the inverse of the native readers in bf_trace.c, and the
** round-trip tests hold it to that (text -> binary -> text gives the same records).
**
** Assumptions: records come from a reader or a recorder and satisfy the reader's rules; a
** record the format cannot hold (size 0, a phase name outside [A-Za-z0-9_.-]{1,63}, a DMA byte
** count or MMR value above 32 bits, an unknown type) is refused with BF_EINPUT, never truncated.
**
** Algorithm: text records are formatted by hand (hex digits from a table) into a line buffer;
** binary records are packed little-endian, format version 2: an access in 8 bytes, every other
** record in 16-byte units (docs/trace-format.md). Header
** pairs are buffered until the first record; the binary end record carries the record count.
** Invariant: the output is a complete, readable trace once bf_trace_writer_close returns BF_OK.
*/
#include "bf_hmem.h"
#include "bf_strbuf.h"
#include "bf_tio.h"
#include "bf_trace.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WBIN_UNIT = 16, WBIN_ACC = 8, WBIN_VERSION = 2 };
static const uint8_t wbin_magic[8] = {0x89, 'B', 'F', 'T', '\r', '\n', 0x1a, '\n'};

struct bf_trace_writer {
    bf_tio_out *out;
    int format;
    int started; /* header written */
    uint64_t records;
    char hdr_text[BF_TRACE_HEADER_MAX];
    bf_strbuf hdr; /* over hdr_text: "key: value\n" lines */
    char err[BF_TIO_ERR];
};

static int werr(bf_trace_writer *w, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof w->err, fmt, ap);
    va_end(ap);
    return rc;
}

int bf_trace_writer_open(const char *path, int format, int compression, bf_trace_writer **out,
                         char *err, size_t errn)
{
    *out = NULL;
    if (format != BF_FMT_NATIVE_TEXT && format != BF_FMT_NATIVE_BIN) {
        snprintf(err, errn, "%s: the writer writes only the native text and binary formats", path);
        return BF_ECONFIG;
    }
    bf_trace_writer *w = bf_calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errn, "%s: out of host memory", path);
        return BF_ENOMEM;
    }
    int rc = bf_tio_out_open(path, compression, 0, &w->out, err, errn);
    if (rc) {
        free(w);
        return rc;
    }
    w->format = format;
    w->hdr = bf_strbuf_on(w->hdr_text, sizeof w->hdr_text);
    *out = w;
    return BF_OK;
}

int bf_trace_writer_header(bf_trace_writer *w, const char *key, const char *value)
{
    if (w->started)
        return werr(w, BF_ESTATE, "header '%s' after the first record", key);
    size_t kn = strlen(key), vn = strlen(value);
    if (kn == 0)
        return werr(w, BF_EINPUT, "empty header key");
    for (size_t i = 0; i < kn; i++)
        if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') ||
              key[i] == '_' || key[i] == '-' || key[i] == '.'))
            return werr(w, BF_EINPUT, "bad header key '%s' ([a-z0-9_.-])", key);
    if (strpbrk(value, "\r\n"))
        return werr(w, BF_EINPUT, "header value of '%s' spans lines", key);
    if (w->hdr.len + kn + vn + 3 > w->hdr.cap)
        return werr(w, BF_EINPUT, "header larger than %d bytes", BF_TRACE_HEADER_MAX);
    bf_strbuf_printf(&w->hdr, "%s: %s\n", key, value);
    return BF_OK;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static int start(bf_trace_writer *w)
{
    if (w->started)
        return BF_OK;
    w->started = 1;
    if (w->format == BF_FMT_NATIVE_TEXT) {
        static const char first[] = "#bfsim-trace 1\n";
        bf_tio_write(w->out, first, sizeof first - 1);
        /* Each "key: value\n" line becomes "#key: value\n". */
        size_t i = 0;
        while (i < w->hdr.len) {
            const char *e = memchr(w->hdr.buf + i, '\n', w->hdr.len - i);
            size_t n = (size_t)(e - (w->hdr.buf + i)) + 1;
            bf_tio_write(w->out, "#", 1);
            bf_tio_write(w->out, w->hdr.buf + i, n);
            i += n;
        }
    } else {
        uint8_t h[16];
        memcpy(h, wbin_magic, 8);
        h[8] = WBIN_VERSION;
        h[9] = 0;
        h[10] = WBIN_ACC; /* the unit: an access record */
        h[11] = 0;
        put32(h + 12, (uint32_t)w->hdr.len);
        bf_tio_write(w->out, h, sizeof h);
        bf_tio_write(w->out, w->hdr.buf, w->hdr.len);
        static const uint8_t zero[WBIN_UNIT];
        size_t pad = (WBIN_UNIT - w->hdr.len % WBIN_UNIT) % WBIN_UNIT;
        bf_tio_write(w->out, zero, pad);
    }
    if (bf_tio_out_error(w->out)[0])
        return werr(w, BF_EIO, "%s", bf_tio_out_error(w->out));
    return BF_OK;
}

static char *hex32(char *p, uint32_t v)
{
    static const char d[] = "0123456789abcdef";
    *p++ = '0';
    *p++ = 'x';
    for (int s = 28; s >= 0; s -= 4)
        *p++ = d[(v >> s) & 15];
    return p;
}

static char *dec(char *p, uint64_t v)
{
    char t[24];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = t[--n];
    return p;
}

static int check(bf_trace_writer *w, const bf_trace_rec *r)
{
    switch (r->type) {
    case BF_REC_IFETCH:
    case BF_REC_LOAD:
    case BF_REC_STORE:
    case BF_REC_MODIFY:
        if (r->size == 0 || r->size > BF_TRACE_MAX_ACCESS)
            return werr(w, BF_EINPUT, "record %" PRIu64 ": size %u out of range", w->records + 1,
                        r->size);
        return BF_OK;
    case BF_REC_GAP:
        return r->value ? BF_OK : werr(w, BF_EINPUT, "gap of 0 cycles");
    case BF_REC_OP:
        if (r->op > BF_OP_PREFETCH)
            return werr(w, BF_EINPUT, "unknown op %u", r->op);
        if (r->op > BF_OP_CSYNC && r->count == 0)
            return werr(w, BF_EINPUT, "op count 0");
        return BF_OK;
    case BF_REC_MODE:
        return r->mode <= BF_MODE_USER ? BF_OK : werr(w, BF_EINPUT, "unknown mode %u", r->mode);
    case BF_REC_MMR:
        return r->value <= 0xffffffffu ? BF_OK : werr(w, BF_EINPUT, "MMR value above 32 bits");
    case BF_REC_DMA:
        return (r->value && r->value <= 0xffffffffu)
                   ? BF_OK
                   : werr(w, BF_EINPUT, "DMA byte count %" PRIu64 " out of range", r->value);
    case BF_REC_PHASE: {
        size_t n = r->name ? strlen(r->name) : 0;
        if (n == 0 || n > BF_TRACE_NAME_MAX)
            return werr(w, BF_EINPUT, "phase name length %zu out of range (1..%d)", n,
                        BF_TRACE_NAME_MAX);
        for (size_t i = 0; i < n; i++) {
            char c = r->name[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-'))
                return werr(w, BF_EINPUT, "bad phase name '%s'", r->name);
        }
        return BF_OK;
    }
    default:
        return werr(w, BF_EINPUT, "unknown record type %u", r->type);
    }
}

static int write_text(bf_trace_writer *w, const bf_trace_rec *r)
{
    static const char *const ops[] = {"SSYNC", "CSYNC", "FLUSH", "FLUSHINV", "IFLUSH", "PREFETCH"};
    char b[160], *p = b;
    switch (r->type) {
    case BF_REC_IFETCH:
    case BF_REC_LOAD:
    case BF_REC_STORE:
    case BF_REC_MODIFY:
        *p++ = "ILSM"[r->type];
        *p++ = ' ';
        p = hex32(p, r->addr);
        *p++ = ' ';
        p = dec(p, r->size);
        break;
    case BF_REC_GAP:
        *p++ = 'G';
        *p++ = ' ';
        p = dec(p, r->value);
        break;
    case BF_REC_OP:
        p += sprintf(p, "%s", ops[r->op]);
        if (r->op > BF_OP_CSYNC) {
            *p++ = ' ';
            p = hex32(p, r->addr);
            if (r->count != 1) {
                *p++ = ' ';
                p = dec(p, r->count);
            }
        }
        break;
    case BF_REC_MODE:
        p += sprintf(p, "MODE %s", r->mode == BF_MODE_USER ? "user" : "supervisor");
        break;
    case BF_REC_MMR:
        p += sprintf(p, "MMR ");
        p = hex32(p, r->addr);
        *p++ = ' ';
        p = hex32(p, (uint32_t)r->value);
        break;
    case BF_REC_DMA:
        p += sprintf(p, "DMA %u ", r->chan);
        p = hex32(p, r->addr);
        *p++ = ' ';
        p = hex32(p, r->addr2);
        *p++ = ' ';
        p = dec(p, r->value);
        if (r->has_start) {
            *p++ = ' ';
            p = dec(p, r->start);
        }
        break;
    case BF_REC_PHASE:
        p += snprintf(p, sizeof b - 8, "PHASE %s", r->name);
        break;
    }
    *p++ = '\n';
    return bf_tio_write(w->out, b, (size_t)(p - b));
}

static int write_bin(bf_trace_writer *w, const bf_trace_rec *r)
{
    uint8_t u[2 * WBIN_UNIT + BF_TRACE_NAME_MAX + WBIN_UNIT];
    memset(u, 0, sizeof u);
    size_t n = WBIN_UNIT;
    u[0] = r->type;
    switch (r->type) {
    case BF_REC_IFETCH:
    case BF_REC_LOAD:
    case BF_REC_STORE:
    case BF_REC_MODIFY: /* size <= BF_TRACE_MAX_ACCESS fits 16 bits (check) */
        u[2] = (uint8_t)r->size;
        u[3] = (uint8_t)(r->size >> 8);
        put32(u + 4, r->addr);
        n = WBIN_ACC;
        break;
    case BF_REC_GAP:
        put32(u + 8, (uint32_t)r->value);
        put32(u + 12, (uint32_t)(r->value >> 32));
        break;
    case BF_REC_OP:
        u[1] = r->op;
        if (r->op > BF_OP_CSYNC) {
            put32(u + 4, r->addr);
            put32(u + 8, r->count);
        } else {
            put32(u + 8, 1);
        }
        break;
    case BF_REC_MODE:
        u[1] = r->mode;
        break;
    case BF_REC_MMR:
        put32(u + 4, r->addr);
        put32(u + 8, (uint32_t)r->value);
        break;
    case BF_REC_DMA:
        u[1] = r->chan;
        put32(u + 4, r->addr);
        put32(u + 8, r->addr2);
        put32(u + 12, (uint32_t)r->value);
        if (r->has_start) {
            u[2] = 1;
            u[3] = 1;
            put32(u + 16, (uint32_t)r->start);
            put32(u + 20, (uint32_t)(r->start >> 32));
            n += WBIN_UNIT;
        }
        break;
    case BF_REC_PHASE: {
        size_t len = strlen(r->name);
        size_t ext = (len + WBIN_UNIT - 1) / WBIN_UNIT;
        u[2] = (uint8_t)ext;
        put32(u + 8, (uint32_t)len);
        memcpy(u + WBIN_UNIT, r->name, len);
        n += ext * WBIN_UNIT;
        break;
    }
    }
    return bf_tio_write(w->out, u, n);
}

int bf_trace_write(bf_trace_writer *w, const bf_trace_rec *rec)
{
    int rc = check(w, rec);
    if (rc)
        return rc;
    if ((rc = start(w)))
        return rc;
    rc = w->format == BF_FMT_NATIVE_TEXT ? write_text(w, rec) : write_bin(w, rec);
    if (rc)
        return werr(w, rc, "%s", bf_tio_out_error(w->out));
    w->records++;
    return BF_OK;
}

const char *bf_trace_writer_error(const bf_trace_writer *w)
{
    return w->err;
}

void bf_trace_writer_cancel(bf_trace_writer *w)
{
    if (w)
        bf_tio_out_cancel(w->out);
}

int bf_trace_writer_close(bf_trace_writer *w, char *err, size_t errn)
{
    if (!w)
        return BF_OK;
    int rc = start(w);
    if (!rc && w->format == BF_FMT_NATIVE_BIN) {
        uint8_t u[WBIN_UNIT] = {0xff};
        put32(u + 4, (uint32_t)w->records);
        put32(u + 8, (uint32_t)(w->records >> 32));
        rc = bf_tio_write(w->out, u, sizeof u);
    }
    char e2[BF_TIO_ERR];
    int rc2 = bf_tio_out_close(w->out, e2, sizeof e2);
    if (rc && err)
        snprintf(err, errn, "%s", w->err[0] ? w->err : e2);
    else if (rc2 && err)
        snprintf(err, errn, "%s", e2);
    free(w);
    return rc ? rc : rc2;
}
