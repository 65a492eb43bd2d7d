/*
** bf_tio.c: streaming input and output for trace files.
**
** What it models: nothing; it is the I/O layer under every trace reader and writer.
**
** Assumptions:
**   - Compression is recognised by content only: gzip by 1f 8b, zstd by 28 b5 2f fd at the start
**     of the stream (RFC 1952; RFC 8878 frame magic). Anything else is read as it is.
**   - Concatenated gzip members and concatenated zstd frames are one stream (as gzip -d and
**     zstd -d treat them). Bytes after the last gzip member that are not another member are an
**     error; a stream that ends inside a member or frame is an error ("truncated").
**   - A text line ends at '\n'; a "\r" before it is dropped; a last line without '\n' is a line.
**
** Algorithm:
**   1. Decompressed bytes live in buf[pos, end). bf_tio_line() looks for '\n' with memchr; when
**      there is none it moves the partial line to buf[0] and decodes more after it. A text line
**      must hold no NUL byte: buf[0, clean) is known to hold none (before the terminators that
**      bf_tio_line writes), and a line reaching past `clean` scans the rest of the buffer once,
**      so the check costs one memchr per buffer, not one per line.
**   2. Decoding (decode_more) pulls compressed bytes into raw[] and runs inflate or
**      ZSTD_decompressStream until some output is produced or the input ends.
** Invariant: memory is raw[BF_TIO_RAW] + buf[BF_TIO_BUF + 1] + the decompressor's window, fixed
** at open; a line handed out stays valid until the next call on the stream.
*/
#define _FILE_OFFSET_BITS 64
#define _POSIX_C_SOURCE 200809L
#include "bf_tio.h"
#include "bf_hmem.h"
#include <sys/types.h>

#include "bf_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

struct bf_tio_in {
    FILE *f;            /* NULL when reading memory */
    int own_f;          /* fclose at close (not for stdin) */
    const uint8_t *mem; /* memory source */
    size_t mem_n, mem_pos;
    int comp; /* bf_compression */
    z_stream z;
    int z_live;        /* inflateInit2 done */
    int z_member_done; /* the last gzip member ended (Z_STREAM_END) */
    ZSTD_DStream *zs;
    size_t zs_hint; /* last ZSTD_decompressStream return: 0 = at a frame boundary */
    uint8_t *raw;   /* compressed input */
    size_t raw_pos, raw_end;
    int raw_eof;
    char *buf; /* decompressed bytes, BF_TIO_BUF + 1 (room for a final NUL) */
    size_t pos, end;
    size_t clean; /* buf[0, clean) held no NUL byte when decoded (algorithm 1) */
    int eof;      /* no more decompressed bytes will come */
    uint64_t line;
    char name[256];
    char err[BF_TIO_ERR];
    bf_byte_tap tap; /* fn NULL: none */
};

/* Every read from the file goes through here, so that the tap sees each byte once. */
static size_t tio_fread(bf_tio_in *in, void *p, size_t n)
{
    size_t got = fread(p, 1, n, in->f);
    if (got && in->tap.fn)
        in->tap.fn(in->tap.ctx, p, got);
    return got;
}

static void seterr(char *dst, size_t n, const char *fmt, ...)
{
    if (!dst || !n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, n, fmt, ap);
    va_end(ap);
}

/* Raw bytes from the file or memory. Returns BF_OK (possibly setting raw_eof) or BF_EIO. */
static int raw_fill(bf_tio_in *in)
{
    if (in->raw_pos < in->raw_end || in->raw_eof)
        return BF_OK;
    if (!in->f) {
        size_t n = in->mem_n - in->mem_pos;
        in->raw = (uint8_t *)(in->mem + in->mem_pos); /* read-only use */
        in->raw_pos = 0;
        in->raw_end = n;
        in->mem_pos = in->mem_n;
        in->raw_eof = 1;
        return BF_OK;
    }
    size_t n = tio_fread(in, in->raw, BF_TIO_RAW);
    in->raw_pos = 0;
    in->raw_end = n;
    if (n < BF_TIO_RAW) {
        if (ferror(in->f)) {
            seterr(in->err, sizeof in->err, "%s: read error: %s", in->name, strerror(errno));
            return BF_EIO;
        }
        in->raw_eof = 1;
    }
    return BF_OK;
}

/* Decode into buf[end, cap). Returns BF_OK with new bytes or eof set, or BF_EIO. */
static int decode_more(bf_tio_in *in)
{
    size_t cap = BF_TIO_BUF;
    if (in->eof || in->end >= cap)
        return BF_OK;
    if (in->comp == BF_COMP_NONE) {
        if (in->f) {
            size_t n = tio_fread(in, in->buf + in->end, cap - in->end);
            in->end += n;
            if (n == 0) {
                if (ferror(in->f)) {
                    seterr(in->err, sizeof in->err, "%s: read error: %s", in->name,
                           strerror(errno));
                    return BF_EIO;
                }
                in->eof = 1;
            }
        } else {
            size_t n = in->mem_n - in->mem_pos;
            if (n > cap - in->end)
                n = cap - in->end;
            memcpy(in->buf + in->end, in->mem + in->mem_pos, n);
            in->mem_pos += n;
            in->end += n;
            if (n == 0)
                in->eof = 1;
        }
        return BF_OK;
    }
    size_t before = in->end;
    while (in->end == before && !in->eof) {
        int rc = raw_fill(in);
        if (rc)
            return rc;
        size_t avail = in->raw_end - in->raw_pos;
        if (in->comp == BF_COMP_GZIP) {
            if (in->z_member_done) {
                if (avail == 0 && in->raw_eof) {
                    in->eof = 1;
                    break;
                }
                if (avail == 0)
                    continue;
                /* Another member must follow (gzip concatenation). */
                if (in->raw[in->raw_pos] != 0x1f) {
                    seterr(in->err, sizeof in->err,
                           "%s:%llu: trailing garbage after the gzip stream", in->name,
                           (unsigned long long)in->line + 1);
                    return BF_EINPUT;
                }
                inflateReset(&in->z);
                in->z_member_done = 0;
            }
            if (avail == 0 && in->raw_eof) {
                seterr(in->err, sizeof in->err, "%s:%llu: truncated gzip stream", in->name,
                       (unsigned long long)in->line + 1);
                return BF_EINPUT;
            }
            in->z.next_in = in->raw + in->raw_pos;
            in->z.avail_in = (uInt)avail;
            in->z.next_out = (Bytef *)in->buf + in->end;
            in->z.avail_out = (uInt)(cap - in->end);
            int zr = inflate(&in->z, Z_NO_FLUSH);
            in->raw_pos = in->raw_end - in->z.avail_in;
            in->end = cap - in->z.avail_out;
            if (zr == Z_STREAM_END) {
                in->z_member_done = 1;
            } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
                seterr(in->err, sizeof in->err, "%s:%llu: corrupt gzip data: %s", in->name,
                       (unsigned long long)in->line + 1, in->z.msg ? in->z.msg : zError(zr));
                return BF_EINPUT;
            }
        } else {
            if (avail == 0 && in->raw_eof) {
                if (in->zs_hint != 0) {
                    seterr(in->err, sizeof in->err, "%s:%llu: truncated zstd stream", in->name,
                           (unsigned long long)in->line + 1);
                    return BF_EINPUT;
                }
                in->eof = 1;
                break;
            }
            ZSTD_inBuffer ib = {in->raw + in->raw_pos, avail, 0};
            ZSTD_outBuffer ob = {in->buf + in->end, cap - in->end, 0};
            size_t zr = ZSTD_decompressStream(in->zs, &ob, &ib);
            if (ZSTD_isError(zr)) {
                seterr(in->err, sizeof in->err, "%s:%llu: corrupt zstd data: %s", in->name,
                       (unsigned long long)in->line + 1, ZSTD_getErrorName(zr));
                return BF_EINPUT;
            }
            in->zs_hint = zr;
            in->raw_pos += ib.pos;
            in->end += ob.pos;
        }
    }
    return BF_OK;
}

static int detect_compression(bf_tio_in *in)
{
    /* Look at the first bytes without consuming them. */
    const uint8_t *p = in->mem;
    size_t n = in->mem_n;
    if (in->f) {
        in->raw_pos = in->raw_end = 0;
        while (in->raw_end < 4 && !in->raw_eof) {
            size_t k = tio_fread(in, in->raw + in->raw_end, BF_TIO_RAW - in->raw_end);
            if (k == 0) {
                if (ferror(in->f)) {
                    seterr(in->err, sizeof in->err, "%s: read error: %s", in->name,
                           strerror(errno));
                    return BF_EIO;
                }
                in->raw_eof = 1;
            }
            in->raw_end += k;
        }
        p = in->raw;
        n = in->raw_end;
    }
    in->comp = BF_COMP_NONE;
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        in->comp = BF_COMP_GZIP;
    else if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        in->comp = BF_COMP_ZSTD;
    if (in->comp == BF_COMP_GZIP) {
        memset(&in->z, 0, sizeof in->z);
        if (inflateInit2(&in->z, 15 + 16) != Z_OK)
            return BF_ENOMEM;
        in->z_live = 1;
    } else if (in->comp == BF_COMP_ZSTD) {
        in->zs = ZSTD_createDStream();
        if (!in->zs)
            return BF_ENOMEM;
        ZSTD_initDStream(in->zs);
        in->zs_hint = 1;
    } else if (in->f) {
        /* Uncompressed: hand the bytes already read to buf and read the rest directly. */
        memcpy(in->buf, p, n);
        in->end = n;
        in->raw_pos = in->raw_end = 0;
        in->eof = in->raw_eof && n == 0;
    }
    return BF_OK;
}

static int open_common(bf_tio_in *in, char *err, size_t errn)
{
    in->buf = bf_malloc(BF_TIO_BUF + 1);
    if (in->f)
        in->raw = bf_malloc(BF_TIO_RAW);
    if (!in->buf || (in->f && !in->raw)) {
        seterr(err, errn, "%s: out of host memory", in->name);
        return BF_ENOMEM;
    }
    int rc = detect_compression(in);
    if (rc) {
        seterr(err, errn, "%s", in->err[0] ? in->err : "out of host memory");
        return rc;
    }
    return BF_OK;
}

int bf_tio_open(const char *path, bf_tio_in **out, char *err, size_t errn)
{
    return bf_tio_open_tap(path, NULL, out, err, errn);
}

int bf_tio_drain(bf_tio_in *in)
{
    if (!in->f)
        return BF_OK;
    uint8_t *p = in->raw ? in->raw : (uint8_t *)in->buf;
    size_t cap = in->raw ? BF_TIO_RAW : BF_TIO_BUF;
    while (tio_fread(in, p, cap) == cap)
        ;
    in->raw_pos = in->raw_end = in->pos = in->end = in->clean = 0;
    in->raw_eof = in->eof = 1;
    if (ferror(in->f)) {
        seterr(in->err, sizeof in->err, "%s: read error: %s", in->name, strerror(errno));
        return BF_EIO;
    }
    return BF_OK;
}

int bf_tio_open_tap(const char *path, const bf_byte_tap *tap, bf_tio_in **out, char *err,
                    size_t errn)
{
    *out = NULL;
    bf_tio_in *in = bf_calloc(1, sizeof *in);
    if (!in) {
        seterr(err, errn, "%s: out of host memory (trace input)", path);
        return BF_ENOMEM;
    }
    if (tap)
        in->tap = *tap;
    if (strcmp(path, "-") == 0) {
        in->f = stdin;
        snprintf(in->name, sizeof in->name, "<stdin>");
    } else {
        in->f = fopen(path, "rb");
        if (!in->f) {
            seterr(err, errn, "%s: %s", path, strerror(errno));
            free(in);
            return BF_EIO;
        }
        in->own_f = 1;
        snprintf(in->name, sizeof in->name, "%s", path);
    }
    int rc = open_common(in, err, errn);
    if (rc) {
        bf_tio_close(in);
        return rc;
    }
    *out = in;
    return BF_OK;
}

int bf_tio_open_mem(const void *data, size_t n, const char *name, bf_tio_in **out, char *err,
                    size_t errn)
{
    *out = NULL;
    bf_tio_in *in = bf_calloc(1, sizeof *in);
    if (!in) {
        seterr(err, errn, "%s: out of host memory", name);
        return BF_ENOMEM;
    }
    in->mem = data ? data : (const uint8_t *)"";
    in->mem_n = data ? n : 0;
    snprintf(in->name, sizeof in->name, "%s", name ? name : "<memory>");
    int rc = open_common(in, err, errn);
    if (rc) {
        bf_tio_close(in);
        return rc;
    }
    *out = in;
    return BF_OK;
}

void bf_tio_close(bf_tio_in *in)
{
    if (!in)
        return;
    if (in->own_f)
        fclose(in->f);
    if (in->z_live)
        inflateEnd(&in->z);
    if (in->zs)
        ZSTD_freeDStream(in->zs);
    if (in->f)
        free(in->raw);
    free(in->buf);
    free(in);
}

uint64_t bf_tio_bytes_read(const bf_tio_in *in)
{
    if (!in->f)
        return in->mem_pos;
    off_t pos = ftello(in->f); /* a pipe has none */
    return pos > 0 ? (uint64_t)pos : 0;
}

int bf_tio_compression(const bf_tio_in *in)
{
    return in->comp;
}

const char *bf_tio_name(const bf_tio_in *in)
{
    return in->name;
}

uint64_t bf_tio_lineno(const bf_tio_in *in)
{
    return in->line;
}

void bf_tio_where(const bf_tio_in *in, const char *msg, char *err, size_t errn)
{
    if (bf_tio_lineno(in) == 0)
        snprintf(err, errn, "%s: %s", bf_tio_name(in), msg);
    else
        snprintf(err, errn, "%s:%llu: %s", bf_tio_name(in), (unsigned long long)bf_tio_lineno(in),
                 msg);
}

const char *bf_tio_error(const bf_tio_in *in)
{
    return in->err;
}

/* Move the unread bytes to buf[0] so that decoding can append after them. */
static void compact(bf_tio_in *in)
{
    if (in->pos == 0)
        return;
    size_t n = in->end - in->pos;
    memmove(in->buf, in->buf + in->pos, n);
    in->clean = in->clean > in->pos ? in->clean - in->pos : 0;
    in->pos = 0;
    in->end = n;
}

int bf_tio_peek(bf_tio_in *in, size_t want, const uint8_t **p, size_t *n)
{
    if (want > BF_TIO_BUF)
        want = BF_TIO_BUF;
    while (in->end - in->pos < want && !in->eof) {
        compact(in);
        int rc = decode_more(in);
        if (rc)
            return rc;
    }
    in->buf[in->end] = '\0'; /* a terminator for in-place scanners (buf has BF_TIO_BUF + 1) */
    *p = (const uint8_t *)in->buf + in->pos;
    *n = in->end - in->pos;
    return BF_OK;
}

void bf_tio_skip(bf_tio_in *in, size_t n)
{
    in->pos += n;
}

void bf_tio_skip_lines(bf_tio_in *in, size_t n, uint64_t lines)
{
    in->pos += n;
    in->line += lines;
}

int bf_tio_line(bf_tio_in *in, char **line, size_t *len)
{
    for (;;) {
        char *s = in->buf + in->pos;
        size_t avail = in->end - in->pos;
        char *nl = memchr(s, '\n', avail);
        size_t n;
        if (nl) {
            n = (size_t)(nl - s);
            in->pos += n + 1;
        } else if (in->eof) {
            if (avail == 0)
                return BF_EEOF;
            n = avail;
            in->pos = in->end;
        } else {
            if (avail > BF_TIO_MAX_LINE)
                n = avail; /* too long: reported below */
            else {
                compact(in);
                int rc = decode_more(in);
                if (rc)
                    return rc;
                continue;
            }
        }
        in->line++;
        if (n > (size_t)BF_TIO_MAX_LINE + (n > 0 && s[n - 1] == '\r')) {
            seterr(in->err, sizeof in->err, "%s:%llu: line longer than %d bytes", in->name,
                   (unsigned long long)in->line, BF_TIO_MAX_LINE);
            return BF_EINPUT;
        }
        if (n > 0 && s[n - 1] == '\r')
            n--;
        /* algorithm 1: the line buf[at, at + n) is NUL-free if it ends at or before `clean`;
        ** else scan from there to the end of the buffer, once for all the lines in it */
        size_t at = (size_t)(s - in->buf);
        if (at + n > in->clean) {
            size_t from = in->clean > at ? in->clean : at;
            const char *z = memchr(in->buf + from, '\0', in->end - from);
            in->clean = z ? (size_t)(z - in->buf) : in->end;
        }
        s[n] = '\0';
        if (at + n > in->clean) {
            seterr(in->err, sizeof in->err, "%s:%llu: NUL byte in a text line", in->name,
                   (unsigned long long)in->line);
            return BF_EINPUT;
        }
        *line = s;
        *len = n;
        return BF_OK;
    }
}

int bf_tio_read(bf_tio_in *in, void *dst, size_t n, size_t *got)
{
    *got = 0;
    while (in->end - in->pos < n && !in->eof) {
        compact(in);
        int rc = decode_more(in);
        if (rc)
            return rc;
    }
    size_t avail = in->end - in->pos;
    if (avail < n) {
        memcpy(dst, in->buf + in->pos, avail);
        in->pos = in->end;
        *got = avail;
        return BF_EEOF;
    }
    memcpy(dst, in->buf + in->pos, n);
    in->pos += n;
    *got = n;
    return BF_OK;
}

/* ---- output ---------------------------------------------------------------------------- */

struct bf_tio_out {
    FILE *f;
    int own_f;
    bf_file_out fo; /* own_f: the temporary file renamed into place at a clean close */
    int cancelled;  /* bf_tio_out_cancel: discard at close */
    int comp;
    z_stream z;
    int z_live;
    ZSTD_CStream *zs;
    uint8_t *buf; /* uncompressed bytes waiting, BF_TIO_RAW */
    size_t n;
    uint8_t *cbuf; /* compressed bytes, BF_TIO_RAW */
    int rc;        /* first error */
    char name[256];
    char err[BF_TIO_ERR];
};

static int out_fwrite(bf_tio_out *o, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, o->f) != n) {
        seterr(o->err, sizeof o->err, "%s: write error: %s", o->name, strerror(errno));
        o->rc = BF_EIO;
    }
    return o->rc;
}

/* Push buf[0, n) through the compressor; finish the stream when last. */
static int out_flush(bf_tio_out *o, int last)
{
    if (o->rc)
        return o->rc;
    if (o->comp == BF_COMP_NONE) {
        out_fwrite(o, o->buf, o->n);
        o->n = 0;
        return o->rc;
    }
    if (o->comp == BF_COMP_GZIP) {
        o->z.next_in = o->buf;
        o->z.avail_in = (uInt)o->n;
        int zr;
        do {
            o->z.next_out = o->cbuf;
            o->z.avail_out = BF_TIO_RAW;
            zr = deflate(&o->z, last ? Z_FINISH : Z_NO_FLUSH);
            if (zr == Z_STREAM_ERROR) {
                seterr(o->err, sizeof o->err, "%s: gzip compression failed", o->name);
                return o->rc = BF_EIO;
            }
            if (out_fwrite(o, o->cbuf, BF_TIO_RAW - o->z.avail_out))
                return o->rc;
        } while (o->z.avail_in > 0 || (last && zr != Z_STREAM_END));
    } else {
        ZSTD_inBuffer ib = {o->buf, o->n, 0};
        size_t left;
        do {
            ZSTD_outBuffer ob = {o->cbuf, BF_TIO_RAW, 0};
            left = ZSTD_compressStream2(o->zs, &ob, &ib, last ? ZSTD_e_end : ZSTD_e_continue);
            if (ZSTD_isError(left)) {
                seterr(o->err, sizeof o->err, "%s: zstd compression failed: %s", o->name,
                       ZSTD_getErrorName(left));
                return o->rc = BF_EIO;
            }
            if (out_fwrite(o, o->cbuf, ob.pos))
                return o->rc;
        } while (ib.pos < ib.size || (last && left != 0));
    }
    o->n = 0;
    return o->rc;
}

int bf_tio_out_open(const char *path, int compression, int level, bf_tio_out **out, char *err,
                    size_t errn)
{
    *out = NULL;
    if (compression < BF_COMP_NONE || compression > BF_COMP_ZSTD) {
        seterr(err, errn, "%s: unknown compression %d", path, compression);
        return BF_ECONFIG;
    }
    bf_tio_out *o = bf_calloc(1, sizeof *o);
    if (!o) {
        seterr(err, errn, "%s: out of host memory", path);
        return BF_ENOMEM;
    }
    snprintf(o->name, sizeof o->name, "%s", strcmp(path, "-") == 0 ? "<stdout>" : path);
    o->comp = compression;
    o->buf = bf_malloc(BF_TIO_RAW);
    o->cbuf = bf_malloc(BF_TIO_RAW);
    int ok = o->buf && o->cbuf;
    if (ok && compression == BF_COMP_GZIP) {
        ok = deflateInit2(&o->z, level ? level : Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                          Z_DEFAULT_STRATEGY) == Z_OK;
        o->z_live = ok;
    } else if (ok && compression == BF_COMP_ZSTD) {
        o->zs = ZSTD_createCStream();
        ok = o->zs && !ZSTD_isError(ZSTD_CCtx_setParameter(o->zs, ZSTD_c_compressionLevel,
                                                           level ? level : 3));
    }
    if (!ok) {
        seterr(err, errn, "%s: out of host memory", path);
        bf_tio_out_close(o, NULL, 0);
        return BF_ENOMEM;
    }
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
    } else {
        int frc = bf_file_open(&o->fo, path, err, errn);
        if (frc) {
            bf_tio_out_close(o, NULL, 0);
            return frc;
        }
        o->f = o->fo.f;
        o->own_f = 1;
    }
    *out = o;
    return BF_OK;
}

int bf_tio_write(bf_tio_out *o, const void *p, size_t n)
{
    const uint8_t *s = p;
    while (n > 0 && !o->rc) {
        size_t k = BF_TIO_RAW - o->n;
        if (k > n)
            k = n;
        memcpy(o->buf + o->n, s, k);
        o->n += k;
        s += k;
        n -= k;
        if (o->n == BF_TIO_RAW)
            out_flush(o, 0);
    }
    return o->rc;
}

const char *bf_tio_out_error(const bf_tio_out *o)
{
    return o->err;
}

void bf_tio_out_cancel(bf_tio_out *o)
{
    if (o)
        o->cancelled = 1;
}

int bf_tio_out_close(bf_tio_out *o, char *err, size_t errn)
{
    if (!o)
        return BF_OK;
    if (o->cancelled && !o->rc) {
        seterr(o->err, sizeof o->err, "%s: not written (cancelled)", o->name);
        o->rc = BF_ESTATE;
    }
    if (o->f && !o->cancelled) {
        out_flush(o, 1);
        if (!o->own_f && fflush(o->f) != 0 && !o->rc) {
            seterr(o->err, sizeof o->err, "%s: write error: %s", o->name, strerror(errno));
            o->rc = BF_EIO;
        }
    }
    if (o->own_f) {
        if (o->rc)
            bf_file_discard(&o->fo); /* the destination keeps its old content */
        else if (bf_file_commit(&o->fo, o->err, sizeof o->err))
            o->rc = BF_EIO;
    }
    int rc = o->rc;
    if (rc)
        seterr(err, errn, "%s", o->err);
    if (o->z_live)
        deflateEnd(&o->z);
    if (o->zs)
        ZSTD_freeCStream(o->zs);
    free(o->buf);
    free(o->cbuf);
    free(o);
    return rc;
}
