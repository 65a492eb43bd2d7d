/*
** bf_trace_int.h: the access-trace reader object shared by the per-format readers (internal to
** bf_workloads).
**
** Owns: struct bf_trace_reader (one object for every format), the error and field helpers every
** reader reports through, and the entry points of the format files:
**   bf_trace.c          reader lifecycle, detection, bf_trace_next / bf_trace_next_batch dispatch
**   bf_trace_options.c  options, pins and the format / mode / compression names
**   bf_trace_text.c     native text          bf_trace_bin.c     native binary
**   bf_trace_foreign.c  host accesses -> BF533 pieces (split, cut, map), shared by:
**   bf_trace_lackey.c   Valgrind Lackey      bf_trace_din.c     Dinero din and extended din
**
** The helpers on the per-record path (line read, number field, alignment and size rules, the
** pending foreign access, the body of next()) are static inline here, so that a format in its own
** file runs the same instructions as when all formats shared one file (checked with cachegrind).
**
** Invariants: after the first error r->rc holds it and every call returns it (r->err keeps the
** message); the reader holds at most one pending foreign access and one text line; its memory is
** fixed at open (the address map of a foreign trace is sized then).
*/
#ifndef BF_TRACE_INT_H
#define BF_TRACE_INT_H

#include "bf_trace.h"

#include "bf_parse.h"
#include "bf_tio.h"
#include "bf_tmap.h"

#include <inttypes.h>
#include <string.h>

enum { BF_TRACE_HDR_PAIRS = 128 }; /* header "key: value" pairs kept from a native trace */

struct bf_trace_reader {
    bf_tio_in *in;
    int fmt; /* bf_trace_format in force (detected when the options said AUTO) */
    bf_trace_options opt;
    bf_tmap map; /* foreign formats: host -> BF533 windows */
    int rc;      /* sticky error */
    int misal;   /* native: flag given to misaligned data accesses */
    char err[BF_TIO_ERR + 256];
    /* native header: "key\0value\0" pairs */
    char hdr[BF_TRACE_HEADER_MAX];
    size_t hdr_len;
    uint32_t hdr_n;
    uint16_t hdr_key[BF_TRACE_HDR_PAIRS], hdr_val[BF_TRACE_HDR_PAIRS];
    int held; /* native text: the first record line was read during open */
    char *held_line;
    /* foreign pending access */
    uint8_t p_type, p_op, p_misal;
    uint8_t p_cont; /* the next piece continues a boundary cut */
    uint64_t p_addr, p_left, p_line;
    int p_first;
    /* binary */
    uint64_t recno;
    int bin_end;
    int bin_ver; /* 1 or 2 */
    char name[BF_TRACE_NAME_MAX + 1];
    char pin_names[BF_TRACE_MAX_PINS][BF_TRACE_NAME_MAX + 1];
    bf_trace_reader_stats st;
};

/* ---- errors and fields (bf_trace.c) ---- */

/* Set the sticky error rc with "file:line: msg" (binary: "file: record N: msg") and return rc. */
int bf_trace_fail(bf_trace_reader *r, int rc, const char *fmt, ...);
/* Error of the I/O layer (its message already names the file and line). */
int bf_trace_fail_io(bf_trace_reader *r, int rc);
/* Nothing but blanks left on the line. */
int bf_trace_expect_end(bf_trace_reader *r, const char *p);
/* A phase name: [A-Za-z0-9_.-], 1..BF_TRACE_NAME_MAX characters. */
int bf_trace_valid_name(const char *s, size_t n);
/* Keep "key: value" of a native header comment or binary header text line (plain comments are
** ignored); "misaligned: fault|count-once" sets r->misal. */
int bf_trace_header_add(bf_trace_reader *r, const char *s, size_t n);

/* Next line of a text format, counted in the reader's statistics: BF_OK, BF_EEOF, or the I/O
** layer's error (made sticky). */
static inline int bf_trace_line(bf_trace_reader *r, char **s, size_t *n)
{
    int rc = bf_tio_line(r->in, s, n);
    if (rc == BF_EEOF)
        return BF_EEOF;
    if (rc)
        return bf_trace_fail_io(r, rc);
    r->st.lines++;
    return BF_OK;
}

/* A number field: decimal or 0x-hex (hex_only: bare hex with optional 0x). */
static inline int bf_trace_field(bf_trace_reader *r, const char **pp, uint64_t *v, const char *what,
                                 int hex_only)
{
    const char *p = bf_parse_skip(*pp);
    char t[48];
    if (*p == '\0')
        return bf_trace_fail(r, BF_EINPUT, "missing %s", what);
    int e = hex_only ? bf_parse_hex(&p, v, 1) : bf_parse_num(&p, v);
    if (e == BF_PNUM_OVERFLOW)
        return bf_trace_fail(r, BF_EINPUT, "%s '%s' is too large", what,
                             bf_parse_tok(bf_parse_skip(*pp), t, sizeof t));
    if (e != BF_PNUM_OK || !bf_parse_tokend(p))
        return bf_trace_fail(r, BF_EINPUT, "bad %s '%s'", what,
                             bf_parse_tok(bf_parse_skip(*pp), t, sizeof t));
    *pp = p;
    return BF_OK;
}

/* Blackfin natural alignment of a data access (docs/trace-format.md). */
static inline int bf_trace_aligned(uint64_t a, uint64_t s)
{
    /* bitwise, not short-circuit: sizes and addresses vary record by record, so branches on them
    ** mispredict in the batch decoder */
    return (s == 1) | ((s == 2) & !(a & 1)) | (!(s & 3) & !(a & 3));
}

/* [a, a + n) inside the 32-bit target space. */
static inline int bf_trace_check_span(bf_trace_reader *r, uint64_t a, uint64_t n, const char *what)
{
    if (a + n - 1 > 0xffffffffu)
        return bf_trace_fail(r, BF_EINPUT, "%s 0x%" PRIx64 "+%" PRIu64 " runs past 0xffffffff",
                             what, a, n);
    return BF_OK;
}

/* The one rule for native (Blackfin) data access sizes, in every command that reads them: 1, 2
** or a multiple of 4 bytes (whole words); 3, 5, 6, 7, ... are not accesses a Blackfin makes, so
** they are input errors naming the line (foreign traces are split instead). */
static inline int bf_trace_native_size(bf_trace_reader *r, int type, uint64_t s)
{
    if (type == BF_REC_IFETCH || s == 1 || s == 2 || !(s & 3))
        return BF_OK;
    return bf_trace_fail(
        r, BF_EINPUT,
        "size %" PRIu64 " is not a Blackfin data access (1, 2 or a multiple of 4 bytes)", s);
}

/* Make (type, op, host address, size) the pending access of the current line (Lackey, din). */
static inline int bf_trace_set_pending(bf_trace_reader *r, int type, int op, uint64_t a, uint64_t s)
{
    if (s == 0 || s > BF_TRACE_MAX_ACCESS)
        return bf_trace_fail(r, BF_EINPUT, "size %" PRIu64 " out of range (1..%d)", s,
                             BF_TRACE_MAX_ACCESS);
    if (a + s - 1 < a)
        return bf_trace_fail(r, BF_EINPUT,
                             "access 0x%" PRIx64 "+%" PRIu64 " wraps past the 64-bit space", a, s);
    if (r->map.mode == BF_MAPMODE_IDENTITY && r->opt.npins == 0 && a + s - 1 > 0xffffffffu)
        return bf_trace_fail(
            r, BF_EINPUT,
            "address 0x%" PRIx64 "+%" PRIu64 " does not fit in 32 bits (map identity)", a, s);
    r->p_type = (uint8_t)type;
    r->p_op = (uint8_t)op;
    r->p_addr = a;
    r->p_left = s;
    r->p_line = bf_tio_lineno(r->in);
    r->p_first = 1;
    r->p_cont = 0;
    int data = type == BF_REC_LOAD || type == BF_REC_STORE || type == BF_REC_MODIFY;
    r->p_misal = (uint8_t)(data & !bf_trace_aligned(a, s)); /* bitwise: no branch on the type */
    r->st.misaligned += r->p_misal;
    return BF_OK;
}

/* The fields of a Lackey record line ("I  addr,size", " L ...", " S ...", " M ...": hex host
** address, decimal size): BF_LACKEY_REC with *type, *a, *sz and *end at the character after the
** size (the caller checks that it ends the line), BF_LACKEY_OTHER if s does not start like a
** record, else what is wrong with it. Reads s only up to the first character that ends a field,
** so a scan in place stops at any terminator (bf_trace_lackey_line, bf_trace_foreign_batch). */
enum {
    BF_LACKEY_REC = 0,
    BF_LACKEY_OTHER = 1,
    BF_LACKEY_ADDR_BIG = 2,
    BF_LACKEY_ADDR_BAD = 3,
    BF_LACKEY_SIZE_BIG = 4,
    BF_LACKEY_SIZE_BAD = 5
};
static inline int bf_trace_lackey_fields(const char *s, int *type, uint64_t *a, uint64_t *sz,
                                         const char **end)
{
    if (s[0] == 'I' && s[1] == ' ' && s[2] == ' ')
        *type = BF_REC_IFETCH;
    else if (s[0] == ' ' && s[1] == 'L' && s[2] == ' ')
        *type = BF_REC_LOAD;
    else if (s[0] == ' ' && s[1] == 'S' && s[2] == ' ')
        *type = BF_REC_STORE;
    else if (s[0] == ' ' && s[1] == 'M' && s[2] == ' ')
        *type = BF_REC_MODIFY;
    else
        return BF_LACKEY_OTHER;
    const char *p = s + 3;
    int e = bf_parse_hex(&p, a, 0);
    if (e == BF_PNUM_OVERFLOW)
        return BF_LACKEY_ADDR_BIG;
    if (e != BF_PNUM_OK || *p != ',')
        return BF_LACKEY_ADDR_BAD;
    p++;
    e = bf_parse_dec(&p, sz);
    if (e == BF_PNUM_OVERFLOW)
        return BF_LACKEY_SIZE_BIG;
    if (e != BF_PNUM_OK)
        return BF_LACKEY_SIZE_BAD;
    *end = p;
    return BF_LACKEY_REC;
}

/* ---- the formats: open reads the header, next one record (BF_OK, BF_EEOF or the error) ---- */

/* The body of every format's next(): the sticky error, a zeroed record, the record count. Each
** format file calls it with its own static record decoder, which the compiler then inlines, so
** that bf_trace_next costs one jump more than a decoder in the same file. */
static inline int bf_trace_next_with(bf_trace_reader *r, bf_trace_rec *rec,
                                     int (*decode)(bf_trace_reader *, bf_trace_rec *))
{
    if (r->rc)
        return r->rc;
    memset(rec, 0, sizeof *rec);
    int rc = decode(r, rec);
    if (rc == BF_OK)
        r->st.records++;
    return rc;
}

int bf_trace_text_open(bf_trace_reader *r);
int bf_trace_text_next(bf_trace_reader *r, bf_trace_rec *rec);

extern const uint8_t bf_trace_bin_magic[8];
int bf_trace_bin_open(bf_trace_reader *r);
int bf_trace_bin_next(bf_trace_reader *r, bf_trace_rec *rec);
/* Version-2 accesses decoded straight from the input buffer into recs[0 .. max); stops at
** anything else, which bf_trace_bin_next then reads. Returns the records decoded. */
size_t bf_trace_bin_batch(bf_trace_reader *r, bf_trace_rec *recs, size_t max);

/* Foreign formats: the next piece of the pending access, else the next line parsed into it. */
int bf_trace_foreign_next(bf_trace_reader *r, bf_trace_rec *rec);
/* Lackey record lines parsed in place in the input buffer into recs[0 .. max), each through the
** same pending access and piece rules as bf_trace_foreign_next; stops at anything else (another
** kind of line, "\r", a line not wholly in the buffer, an access of more than one piece, an
** error), which bf_trace_next then reads. Returns the records decoded. */
size_t bf_trace_foreign_batch(bf_trace_reader *r, bf_trace_rec *recs, size_t max);
/* Parse one line into the pending access: BF_OK, BF_TRACE_LINE_SKIP (no access on the line,
** counted as skipped) or an error. */
enum { BF_TRACE_LINE_SKIP = 1 };
int bf_trace_lackey_line(bf_trace_reader *r, char *s, size_t n);
int bf_trace_din_line(bf_trace_reader *r, char *s, int ext);

/* Detection of a foreign format from one NUL-terminated line: the format when the line is one
** of its records, 0 when the line says nothing (Valgrind commentary), -1 when the line has the
** format's shape but is malformed, BF_TRACE_SNIFF_OTHER when it is not this format's shape. */
enum { BF_TRACE_SNIFF_OTHER = -2 };
int bf_trace_lackey_sniff(const char *line);
int bf_trace_din_sniff(const char *line); /* din and extended din */

#endif
