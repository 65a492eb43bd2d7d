/*
** bf_trace.c: memory-access trace readers (native text and binary, Valgrind Lackey, Dinero din
** and extended din) behind one streaming interface.
**
** What it models: the sequence of core-side memory events a replay engine feeds to the memory
** system: fetches, loads, stores, gaps, sync and cache-control ops, mode switches, control
** register writes, DMA transfers and phase markers (docs/trace-format.md).
**
** Assumptions:
**   - Native traces carry BF533 addresses and are never remapped or split. Their misaligned
**     data accesses are flagged BF_MISAL_FAULT (a Blackfin faults on them) unless the header
**     says "#misaligned: count-once".
**   - Foreign traces carry host addresses (up to 64 bits) and are mapped by bf_tmap (first-touch
**     windows by default). An access that crosses a window boundary is cut at the boundary,
**     because the two host windows map to unrelated target windows.
**   - Misaligned foreign data accesses follow options.misaligned: split into naturally aligned
**     pieces of 1, 2 or 4 bytes (largest first that fits at the current address); or passed
**     through flagged BF_MISAL_FAULT; or passed through flagged BF_MISAL_ONCE. Instruction
**     fetches are never classified (x86 instructions have any length and alignment).
**   - Dinero din: labels 0 read, 1 write, 2 ifetch, 3 misc (a read), 4 copy-back, 5 invalidate;
**     addresses rounded down to 4, size 4 (DineroIV d4(1) "TRACE RECORDS"). Copy-back becomes
**     FLUSH of the line holding the address, invalidate becomes FLUSHINV (Blackfin has no
**     invalidate-without-write-back of data lines). Extended din: r w i m c v, hex size; c/v
**     cover the lines of [addr, addr+size); size 0 (whole cache) is skipped and counted.
**
** Algorithm: next() takes the next line (or 16-byte binary unit), parses it with hand-written
** scanners (bf_parse.h), and for foreign formats stores the host access as "pending"; each call
** then emits one piece of the pending access (split rule, window boundary), mapped to BF533.
** Invariant: the reader holds at most one pending access and one line; memory is fixed at open.
** After the first error every call returns the same error.
*/
#include "bf_hmem.h"
#include "bf_trace.h"

#include "bf_parse.h"
#include "bf_tio.h"
#include "bf_tmap.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BF_STAT_STRUCT bf_trace_reader_stats
const bf_stat_desc bf_trace_reader_stat_desc[] = {BF_TRACE_READER_STATS(BF_STAT_DESC)};
const size_t bf_trace_reader_stat_count = BF_ARRAY_SIZE(bf_trace_reader_stat_desc);
#undef BF_STAT_STRUCT

/* Binary format constants (docs/trace-format.md, "Binary format"). */
static const uint8_t bin_magic[8] = {0x89, 'B', 'F', 'T', '\r', '\n', 0x1a, '\n'};
/* Version 2 (written): an access is one 8-byte record, every other record 16 bytes as in version
** 1 (still read), where every record is a 16-byte unit. Extensions and padding: 16-byte units. */
enum { BIN_VERSION = 2, BIN_UNIT = 16, BIN_ACC_V2 = 8, BIN_END = 0xff,
       BIN_HDR_MAX = BF_TRACE_HEADER_MAX };
enum { HDR_MAX_PAIRS = 128 };

struct bf_trace_reader {
    bf_tio_in *in;
    int fmt;
    bf_trace_options opt;
    bf_tmap map;
    int rc;    /* sticky error */
    int misal; /* native: flag given to misaligned data accesses */
    char err[BF_TIO_ERR + 256];
    /* native header: "key\0value\0" pairs */
    char hdr[BF_TRACE_HEADER_MAX];
    size_t hdr_len;
    uint32_t hdr_n;
    uint16_t hdr_key[HDR_MAX_PAIRS], hdr_val[HDR_MAX_PAIRS];
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

/* ---- names ---------------------------------------------------------------------------- */

static const char *const fmt_names[] = {"auto", "native", "binary", "lackey", "din", "xdin"};

const char *bf_trace_format_name(int f)
{
    return f >= 0 && f < (int)BF_ARRAY_SIZE(fmt_names) ? fmt_names[f] : "unknown";
}

int bf_trace_format_from_name(const char *s)
{
    for (int i = 0; i < (int)BF_ARRAY_SIZE(fmt_names); i++)
        if (strcmp(s, fmt_names[i]) == 0)
            return i;
    if (strcmp(s, "text") == 0 || strcmp(s, "bft") == 0)
        return BF_FMT_NATIVE_TEXT;
    if (strcmp(s, "bin") == 0)
        return BF_FMT_NATIVE_BIN;
    return -1;
}

static const char *const misal_names[] = {"split", "fault", "count-once"};
const char *bf_misaligned_name(int m)
{
    return m >= 0 && m < 3 ? misal_names[m] : "unknown";
}
int bf_misaligned_from_name(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, misal_names[i]) == 0)
            return i;
    return -1;
}

static const char *const mapmode_names[] = {"first-touch", "identity"};
const char *bf_map_mode_name(int m)
{
    return m >= 0 && m < 2 ? mapmode_names[m] : "unknown";
}
int bf_map_mode_from_name(const char *s)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(s, mapmode_names[i]) == 0)
            return i;
    return -1;
}

static const char *const comp_names[] = {"none", "gzip", "zstd"};
const char *bf_compression_name(int c)
{
    return c >= 0 && c < 3 ? comp_names[c] : "unknown";
}
int bf_compression_from_name(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, comp_names[i]) == 0)
            return i;
    return -1;
}

const char *bf_rec_type_name(int t)
{
    static const char *const n[] = {"ifetch", "load", "store", "modify", "gap",
                                    "op",     "mode", "mmr",   "dma",    "phase"};
    return t >= 0 && t < (int)BF_ARRAY_SIZE(n) ? n[t] : "unknown";
}

/* ---- options ---------------------------------------------------------------------------- */

void bf_trace_options_default(bf_trace_options *o)
{
    memset(o, 0, sizeof *o);
    o->format = BF_FMT_AUTO;
    o->map_mode = BF_MAPMODE_FIRST_TOUCH;
    o->map_window = BF_TRACE_DEFAULT_WINDOW;
    o->map_base = 0;
    o->map_limit = BF_TRACE_DEFAULT_MAP_LIMIT;
    o->misaligned = BF_MISALIGNED_SPLIT;
}

const char *bf_trace_options_check(const bf_trace_options *o)
{
    if (o->format < BF_FMT_AUTO || o->format > BF_FMT_XDIN)
        return "trace.format: unknown format";
    if (o->map_mode != BF_MAPMODE_FIRST_TOUCH && o->map_mode != BF_MAPMODE_IDENTITY)
        return "trace.map: must be first-touch or identity";
    if (o->misaligned < BF_MISALIGNED_SPLIT || o->misaligned > BF_MISALIGNED_COUNT_ONCE)
        return "trace.misaligned: must be split, fault or count-once";
    if (o->npins < 0 || o->npins > BF_TRACE_MAX_PINS)
        return "trace.pin: at most 8 pinned ranges";
    for (int i = 0; i < o->npins; i++) {
        const bf_trace_pin *p = &o->pins[i];
        if (p->len == 0 || p->host + p->len - 1 < p->host)
            return "trace.pin: a pinned range is empty or wraps past the 64-bit host space";
        if ((uint64_t)p->target + p->len - 1 > 0xffffffffu)
            return "trace.pin: a pinned range runs past the 32-bit target space";
        if (p->name && strlen(p->name) > BF_TRACE_NAME_MAX)
            return "trace.pin: a pin name is longer than 63 characters";
        for (int j = 0; j < i; j++) {
            const bf_trace_pin *q = &o->pins[j];
            if (p->host <= q->host + q->len - 1 && q->host <= p->host + p->len - 1)
                return "trace.pin: two pinned host ranges overlap";
            if ((uint64_t)p->target <= (uint64_t)q->target + q->len - 1 &&
                (uint64_t)q->target <= (uint64_t)p->target + p->len - 1)
                return "trace.pin: two pinned target ranges overlap";
        }
        if (o->map_mode == BF_MAPMODE_FIRST_TOUCH &&
            (uint64_t)p->target <= (uint64_t)o->map_base + o->map_limit - 1 &&
            o->map_base <= (uint64_t)p->target + p->len - 1)
            return "trace.pin: a pinned target range overlaps the first-touch area";
    }
    if (o->map_mode == BF_MAPMODE_IDENTITY)
        return NULL;
    if (o->map_window < BF_TRACE_DEFAULT_WINDOW || (o->map_window & (o->map_window - 1)))
        return "trace.map_window: must be a power of two of at least 65536 bytes";
    if (o->map_base % o->map_window)
        return "trace.map_base: must be a multiple of trace.map_window";
    if (o->map_limit < o->map_window || o->map_limit % o->map_window)
        return "trace.map_limit: must be a non-zero multiple of trace.map_window";
    if ((uint64_t)o->map_base + o->map_limit > 0x100000000ULL)
        return "trace.map_limit: map_base + map_limit exceeds the 32-bit address space";
    return NULL;
}

const char *bf_trace_pin_parse(const char *s, bf_trace_pin *p, char *name, size_t namen)
{
    const char *c = strchr(s, ':');
    size_t n = c ? (size_t)(c - s) : 0;
    if (!c || n == 0 || n > BF_TRACE_NAME_MAX || n >= namen)
        return "trace.pin: expected NAME:HOST:LEN@TARGET with a name of 1..63 characters";
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
            return "trace.pin: the name must be [A-Za-z0-9_.-]";
    const char *q = c + 1;
    uint64_t host, len, target;
    if (bf_parse_num(&q, &host) != BF_PNUM_OK || *q++ != ':' ||
        bf_parse_num(&q, &len) != BF_PNUM_OK || *q++ != '@' ||
        bf_parse_num(&q, &target) != BF_PNUM_OK || *q != '\0')
        return "trace.pin: expected NAME:HOST:LEN@TARGET (numbers decimal or 0x-hex)";
    if (target > 0xffffffffu)
        return "trace.pin: the target does not fit in 32 bits";
    memcpy(name, s, n);
    name[n] = '\0';
    p->name = name;
    p->host = host;
    p->len = len;
    p->target = (bf_addr)target;
    return NULL;
}

/* ---- errors ----------------------------------------------------------------------------- */

static int fail(bf_trace_reader *r, int rc, const char *fmt, ...)
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
static int fail_io(bf_trace_reader *r, int rc)
{
    snprintf(r->err, sizeof r->err, "%s", bf_tio_error(r->in));
    r->rc = rc;
    return rc;
}

/* A number field: decimal or 0x-hex (hex_only: bare hex with optional 0x). */
static int field(bf_trace_reader *r, const char **pp, uint64_t *v, const char *what, int hex_only)
{
    const char *p = bf_parse_skip(*pp);
    char t[48];
    if (*p == '\0')
        return fail(r, BF_EINPUT, "missing %s", what);
    int e = hex_only ? bf_parse_hex(&p, v, 1) : bf_parse_num(&p, v);
    if (e == BF_PNUM_OVERFLOW)
        return fail(r, BF_EINPUT, "%s '%s' is too large", what,
                    bf_parse_tok(bf_parse_skip(*pp), t, sizeof t));
    if (e != BF_PNUM_OK || !bf_parse_tokend(p))
        return fail(r, BF_EINPUT, "bad %s '%s'", what, bf_parse_tok(bf_parse_skip(*pp), t, sizeof t));
    *pp = p;
    return BF_OK;
}

static int expect_end(bf_trace_reader *r, const char *p)
{
    char t[48];
    p = bf_parse_skip(p);
    if (*p)
        return fail(r, BF_EINPUT, "unexpected '%s' after the record", bf_parse_tok(p, t, sizeof t));
    return BF_OK;
}

static int aligned(uint64_t a, uint64_t s)
{
    return s == 1 || (s == 2 && !(a & 1)) || (!(s & 3) && !(a & 3));
}

/* The one rule for native (Blackfin) data access sizes, in every command that reads them: 1, 2
** or a multiple of 4 bytes (whole words); 3, 5, 6, 7, ... are not accesses a Blackfin makes, so
** they are input errors naming the line (foreign traces are split instead). */
static int native_size(bf_trace_reader *r, int type, uint64_t s)
{
    if (type == BF_REC_IFETCH || s == 1 || s == 2 || !(s & 3))
        return BF_OK;
    return fail(r, BF_EINPUT, "size %" PRIu64 " is not a Blackfin data access (1, 2 or a multiple of 4 bytes)", s);
}

/* ---- native text ------------------------------------------------------------------------ */

static int addr32(bf_trace_reader *r, const char **pp, bf_addr *a, const char *what)
{
    uint64_t v;
    int rc = field(r, pp, &v, what, 0);
    if (rc)
        return rc;
    if (v > 0xffffffffu)
        return fail(r, BF_EINPUT, "%s 0x%" PRIx64 " does not fit in 32 bits", what, v);
    *a = (bf_addr)v;
    return BF_OK;
}

static int check_span(bf_trace_reader *r, uint64_t a, uint64_t n, const char *what)
{
    if (a + n - 1 > 0xffffffffu)
        return fail(r, BF_EINPUT, "%s 0x%" PRIx64 "+%" PRIu64 " runs past 0xffffffff", what, a, n);
    return BF_OK;
}

static int native_access(bf_trace_reader *r, const char *p, int type, bf_trace_rec *rec)
{
    bf_addr a = 0;
    uint64_t s = 0;
    int rc;
    /* Fast path for the writer's own layout, " 0x%08x %u": one pass, no error bookkeeping.
    ** Anything else (other spacing, decimal addresses, errors) takes the general path. */
    const unsigned char *q = (const unsigned char *)p;
    if (q[0] == ' ' && q[1] == '0' && q[2] == 'x') {
        uint32_t x = 0;
        int nd = 0;
        uint8_t d;
        q += 3;
        while ((d = bf_parse_hexval[*q]) != 0xff && nd < 9) {
            x = x << 4 | d;
            q++;
            nd++;
        }
        if (nd >= 1 && nd <= 8 && q[0] == ' ' && q[1] >= '1' && q[1] <= '9') {
            uint32_t z = 0;
            q++;
            for (nd = 0; *q >= '0' && *q <= '9' && nd < 5; nd++, q++)
                z = z * 10 + (uint32_t)(*q - '0');
            if (*q == '\0' && z <= BF_TRACE_MAX_ACCESS) {
                a = x;
                s = z;
                goto checked;
            }
        }
    }
    rc = addr32(r, &p, &a, "address");
    if (!rc)
        rc = field(r, &p, &s, "size", 0);
    if (rc)
        return rc;
    if (s == 0 || s > BF_TRACE_MAX_ACCESS)
        return fail(r, BF_EINPUT, "size %" PRIu64 " out of range (1..%d)", s, BF_TRACE_MAX_ACCESS);
    if ((rc = expect_end(r, p)))
        return rc;
checked:
    if ((rc = native_size(r, type, s)) || (rc = check_span(r, a, s, "access")))
        return rc;
    rec->type = (uint8_t)type;
    rec->addr = a;
    rec->size = (uint32_t)s;
    rec->misaligned = (type != BF_REC_IFETCH && !aligned(a, s)) ? (uint8_t)r->misal : 0;
    return BF_OK;
}

static int kw(const char *p, size_t n, const char *k)
{
    return strlen(k) == n && memcmp(p, k, n) == 0;
}

static int native_op(bf_trace_reader *r, const char *p, int op, bf_trace_rec *rec)
{
    rec->type = BF_REC_OP;
    rec->op = (uint8_t)op;
    rec->count = 1;
    if (op == BF_OP_SSYNC || op == BF_OP_CSYNC)
        return expect_end(r, p);
    int rc = addr32(r, &p, &rec->addr, "address");
    if (rc)
        return rc;
    p = bf_parse_skip(p);
    if (*p) {
        uint64_t c;
        if ((rc = field(r, &p, &c, "count", 0)))
            return rc;
        if (c == 0 || c > 0xffffffffu)
            return fail(r, BF_EINPUT, "count %" PRIu64 " out of range (1..4294967295)", c);
        if ((rc = check_span(r, rec->addr, (c - 1) * BF_TRACE_LINE_BYTES + 1, "op range")))
            return rc;
        rec->count = (uint32_t)c;
    }
    return expect_end(r, p);
}

static int valid_name(const char *s, size_t n)
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

static int native_line(bf_trace_reader *r, char *s, bf_trace_rec *rec)
{
    const char *p = bf_parse_skip(s);
    char t[48];
    /* Hot path: one-letter records. */
    if (p[1] == ' ' || p[1] == '\t') {
        switch (p[0]) {
        case 'I':
            return native_access(r, p + 1, BF_REC_IFETCH, rec);
        case 'L':
            return native_access(r, p + 1, BF_REC_LOAD, rec);
        case 'S':
            return native_access(r, p + 1, BF_REC_STORE, rec);
        case 'M':
            return native_access(r, p + 1, BF_REC_MODIFY, rec);
        case 'G': {
            const char *q = p + 1;
            int rc = field(r, &q, &rec->value, "cycle count", 0);
            if (rc)
                return rc;
            if (rec->value == 0)
                return fail(r, BF_EINPUT, "gap of 0 cycles");
            rec->type = BF_REC_GAP;
            return expect_end(r, q);
        }
        default:
            break;
        }
    }
    const char *k = p;
    while (*p && !bf_parse_isblank(*p))
        p++;
    size_t n = (size_t)(p - k);
    if (kw(k, n, "SSYNC"))
        return native_op(r, p, BF_OP_SSYNC, rec);
    if (kw(k, n, "CSYNC"))
        return native_op(r, p, BF_OP_CSYNC, rec);
    if (kw(k, n, "FLUSH"))
        return native_op(r, p, BF_OP_FLUSH, rec);
    if (kw(k, n, "FLUSHINV"))
        return native_op(r, p, BF_OP_FLUSHINV, rec);
    if (kw(k, n, "IFLUSH"))
        return native_op(r, p, BF_OP_IFLUSH, rec);
    if (kw(k, n, "PREFETCH"))
        return native_op(r, p, BF_OP_PREFETCH, rec);
    if (kw(k, n, "MODE")) {
        const char *m = bf_parse_skip(p);
        const char *e = m;
        while (*e && !bf_parse_isblank(*e))
            e++;
        rec->type = BF_REC_MODE;
        if (kw(m, (size_t)(e - m), "user"))
            rec->mode = BF_MODE_USER;
        else if (kw(m, (size_t)(e - m), "supervisor"))
            rec->mode = BF_MODE_SUPV;
        else if (e == m)
            return fail(r, BF_EINPUT, "missing mode (user or supervisor)");
        else
            return fail(r, BF_EINPUT, "bad mode '%s' (user or supervisor)", bf_parse_tok(m, t, sizeof t));
        return expect_end(r, e);
    }
    if (kw(k, n, "MMR")) {
        int rc = addr32(r, &p, &rec->addr, "MMR address");
        if (!rc)
            rc = field(r, &p, &rec->value, "value", 0);
        if (rc)
            return rc;
        if (rec->addr < 0xffc00000u || (rec->addr & 3))
            return fail(r, BF_EINPUT,
                        "MMR address 0x%08" PRIx32 " is not a 4-byte aligned MMR (0xffc00000..)",
                        rec->addr);
        if (rec->value > 0xffffffffu)
            return fail(r, BF_EINPUT, "MMR value 0x%" PRIx64 " does not fit in 32 bits",
                        rec->value);
        rec->type = BF_REC_MMR;
        return expect_end(r, p);
    }
    if (kw(k, n, "DMA")) {
        uint64_t ch;
        int rc = field(r, &p, &ch, "channel", 0);
        if (!rc && ch > 255)
            rc = fail(r, BF_EINPUT, "channel %" PRIu64 " out of range (0..255)", ch);
        if (!rc)
            rc = addr32(r, &p, &rec->addr, "source");
        if (!rc)
            rc = addr32(r, &p, &rec->addr2, "destination");
        if (!rc)
            rc = field(r, &p, &rec->value, "byte count", 0);
        if (rc)
            return rc;
        if (rec->value == 0 || rec->value > 0xffffffffu)
            return fail(r, BF_EINPUT, "byte count %" PRIu64 " out of range (1..4294967295)",
                        rec->value);
        if ((rc = check_span(r, rec->addr, rec->value, "DMA source")) ||
            (rc = check_span(r, rec->addr2, rec->value, "DMA destination")))
            return rc;
        rec->type = BF_REC_DMA;
        rec->chan = (uint8_t)ch;
        p = bf_parse_skip(p);
        if (*p) {
            if ((rc = field(r, &p, &rec->start, "start time", 0)))
                return rc;
            rec->has_start = 1;
        }
        return expect_end(r, p);
    }
    if (kw(k, n, "PHASE")) {
        const char *m = bf_parse_skip(p);
        const char *e = m;
        while (*e && !bf_parse_isblank(*e))
            e++;
        if (e == m)
            return fail(r, BF_EINPUT, "missing phase name");
        if (!valid_name(m, (size_t)(e - m)))
            return fail(r, BF_EINPUT, "bad phase name '%s' ([A-Za-z0-9_.-], 1..%d characters)",
                        bf_parse_tok(m, t, sizeof t), BF_TRACE_NAME_MAX);
        memcpy(r->name, m, (size_t)(e - m));
        r->name[e - m] = '\0';
        rec->type = BF_REC_PHASE;
        rec->name = r->name;
        return expect_end(r, e);
    }
    return fail(r, BF_EINPUT, "unknown record '%s'", bf_parse_tok(k, t, sizeof t));
}

/* Store "key: value" of a header comment (or binary header text line). */
static int header_add(bf_trace_reader *r, const char *s, size_t n)
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
    if (r->hdr_n == HDR_MAX_PAIRS || r->hdr_len + kn + vn + 2 > sizeof r->hdr)
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
            return fail(r, BF_EINPUT, "header 'misaligned' must be fault or count-once");
    }
    return BF_OK;
}

static int native_text_open(bf_trace_reader *r)
{
    char *s;
    size_t n;
    int rc = bf_tio_line(r->in, &s, &n);
    if (rc == BF_EEOF)
        return fail(r, BF_EINPUT, "empty file (expected '#bfsim-trace 1')");
    if (rc)
        return fail_io(r, rc);
    r->st.lines++;
    if (strncmp(s, "#bfsim-trace", 12) != 0 || !bf_parse_isblank(s[12]))
        return fail(r, BF_EINPUT, "missing '#bfsim-trace 1' header line");
    const char *p = s + 12;
    uint64_t v;
    if ((rc = field(r, &p, &v, "format version", 0)) || (rc = expect_end(r, p)))
        return rc;
    if (v != 1)
        return fail(r, BF_EINPUT, "unsupported format version %" PRIu64 " (this reader: 1)", v);
    for (;;) {
        rc = bf_tio_line(r->in, &s, &n);
        if (rc == BF_EEOF)
            return BF_OK;
        if (rc)
            return fail_io(r, rc);
        r->st.lines++;
        if (s[0] != '#') {
            r->held = 1;
            r->held_line = s;
            return BF_OK;
        }
        r->st.skipped++;
        if ((rc = header_add(r, s + 1, n - 1)))
            return rc;
    }
}

static int native_text_next(bf_trace_reader *r, bf_trace_rec *rec)
{
    for (;;) {
        char *s;
        if (r->held) {
            r->held = 0;
            s = r->held_line;
        } else {
            size_t n;
            int rc = bf_tio_line(r->in, &s, &n);
            if (rc == BF_EEOF)
                return BF_EEOF;
            if (rc)
                return fail_io(r, rc);
            r->st.lines++;
        }
        const char *p = bf_parse_skip(s);
        if (*p == '#' || *p == '\0') {
            r->st.skipped++;
            continue;
        }
        int rc = native_line(r, s, rec);
        if (rc)
            return rc;
        rec->line = bf_tio_lineno(r->in);
        return BF_OK;
    }
}

/* ---- native binary ---------------------------------------------------------------------- */

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static int bin_read(bf_trace_reader *r, uint8_t *u, size_t n, const char *what)
{
    size_t got;
    int rc = bf_tio_read(r->in, u, n, &got);
    if (rc == BF_EEOF)
        return fail(r, BF_EINPUT, "truncated: file ends inside %s", what);
    if (rc)
        return fail_io(r, rc);
    return BF_OK;
}

static int native_bin_open(bf_trace_reader *r)
{
    uint8_t h[16];
    size_t got;
    int rc = bf_tio_read(r->in, h, sizeof h, &got);
    if (rc && rc != BF_EEOF)
        return fail_io(r, rc);
    if (rc == BF_EEOF && got == 0)
        return fail(r, BF_EINPUT, "empty file (expected the binary trace header)");
    if (got < 8 || memcmp(h, bin_magic, 8) != 0)
        return fail(r, BF_EINPUT, "not a bfsim binary trace (bad magic)");
    if (rc == BF_EEOF)
        return fail(r, BF_EINPUT, "truncated: file ends inside the header");
    uint16_t ver = rd16(h + 8), unit = rd16(h + 10);
    uint32_t tlen = rd32(h + 12);
    if (ver < 1 || ver > BIN_VERSION)
        return fail(r, BF_EINPUT, "unsupported binary version %u (this reader: 1 to %d)", ver,
                    BIN_VERSION);
    if (unit != (ver == 1 ? BIN_UNIT : BIN_ACC_V2))
        return fail(r, BF_EINPUT, "record unit of %u bytes (expected %d for version %u)", unit,
                    ver == 1 ? BIN_UNIT : BIN_ACC_V2, ver);
    r->bin_ver = ver;
    if (tlen > BIN_HDR_MAX)
        return fail(r, BF_EINPUT, "header text of %u bytes (at most %d)", tlen, BIN_HDR_MAX);
    uint32_t padded = (tlen + BIN_UNIT - 1) / BIN_UNIT * BIN_UNIT;
    char text[BIN_UNIT];
    char line[BF_TIO_MAX_LINE];
    size_t ln = 0;
    /* Read the text one unit at a time (bounded stack), splitting it into lines. */
    for (uint32_t off = 0; off < padded; off += BIN_UNIT) {
        if ((rc = bin_read(r, (uint8_t *)text, BIN_UNIT, "the header text")))
            return rc;
        for (size_t i = 0; i < BIN_UNIT; i++) {
            if (off + i >= tlen) {
                if (text[i] != 0)
                    return fail(r, BF_EINPUT, "header padding is not zero");
                continue;
            }
            if (text[i] == '\n') {
                if ((rc = header_add(r, line, ln)))
                    return rc;
                ln = 0;
            } else if (ln + 1 < sizeof line) {
                line[ln++] = text[i];
            }
        }
    }
    if (ln && (rc = header_add(r, line, ln)))
        return rc;
    return BF_OK;
}

/* A version-2 access record (8 bytes at u: type 0..3, 0, size u16, address u32). */
static int bin_access_v2(bf_trace_reader *r, const uint8_t *u, bf_trace_rec *rec)
{
    uint32_t a = rd32(u + 4), b = rd16(u + 2);
    if (u[1])
        return fail(r, BF_EINPUT, "reserved field not zero");
    if (b == 0 || b > BF_TRACE_MAX_ACCESS)
        return fail(r, BF_EINPUT, "size %u out of range (1..%d)", b, BF_TRACE_MAX_ACCESS);
    int rc = check_span(r, a, b, "access");
    if (rc)
        return rc;
    rec->type = u[0];
    rec->addr = a;
    rec->size = b;
    rec->misaligned = (u[0] != BF_REC_IFETCH && !aligned(a, b)) ? (uint8_t)r->misal : 0;
    return BF_OK;
}

static int native_bin_next(bf_trace_reader *r, bf_trace_rec *rec)
{
    if (r->bin_end)
        return BF_EEOF;
    uint8_t u[BIN_UNIT];
    size_t got;
    int rc;
    r->recno++;
    rec->line = r->recno;
    if (r->bin_ver >= 2) {
        /* the first 8 bytes tell an access (complete) from a 16-byte record */
        rc = bf_tio_read(r->in, u, BIN_ACC_V2, &got);
        if (rc == BF_OK && u[0] < 4)
            return bin_access_v2(r, u, rec);
        if (rc == BF_OK) {
            rc = bf_tio_read(r->in, u + BIN_ACC_V2, BIN_UNIT - BIN_ACC_V2, &got);
            got += BIN_ACC_V2;
        }
    } else {
        rc = bf_tio_read(r->in, u, BIN_UNIT, &got);
    }
    if (rc == BF_EEOF && got == 0)
        return fail(r, BF_EINPUT, "truncated: no end record");
    if (rc == BF_EEOF)
        return fail(r, BF_EINPUT, "truncated: file ends inside a record");
    if (rc)
        return fail_io(r, rc);
    uint8_t type = u[0], sub = u[1], ext = u[2], flags = u[3];
    uint32_t a = rd32(u + 4), b = rd32(u + 8), c = rd32(u + 12);
    if (type == BIN_END) {
        uint64_t count = (uint64_t)a | (uint64_t)b << 32;
        if (count != r->recno - 1)
            return fail(r, BF_EINPUT, "end record counts %" PRIu64 " records, file has %" PRIu64,
                        count, r->recno - 1);
        uint8_t extra;
        rc = bf_tio_read(r->in, &extra, 1, &got);
        if (rc == BF_OK)
            return fail(r, BF_EINPUT, "data after the end record");
        if (rc != BF_EEOF)
            return fail_io(r, rc);
        r->bin_end = 1;
        return BF_EEOF;
    }
    int ext_ok = (type == BF_REC_PHASE) || (type == BF_REC_DMA && ext <= 1);
    if ((ext && !ext_ok) || (flags & ~1u) || ((flags & 1) && type != BF_REC_DMA))
        return fail(r, BF_EINPUT, "reserved bits set in a type %u record", type);
    switch (type) {
    case BF_REC_IFETCH:
    case BF_REC_LOAD:
    case BF_REC_STORE:
    case BF_REC_MODIFY:
        if (sub || c)
            return fail(r, BF_EINPUT, "reserved field not zero");
        if (b == 0 || b > BF_TRACE_MAX_ACCESS)
            return fail(r, BF_EINPUT, "size %u out of range (1..%d)", b, BF_TRACE_MAX_ACCESS);
        if ((rc = native_size(r, type, b)) || (rc = check_span(r, a, b, "access")))
            return rc;
        rec->type = type;
        rec->addr = a;
        rec->size = b;
        rec->misaligned = (type != BF_REC_IFETCH && !aligned(a, b)) ? (uint8_t)r->misal : 0;
        return BF_OK;
    case BF_REC_GAP:
        rec->type = type;
        rec->value = (uint64_t)b | (uint64_t)c << 32;
        if (sub || a)
            return fail(r, BF_EINPUT, "reserved field not zero");
        if (rec->value == 0)
            return fail(r, BF_EINPUT, "gap of 0 cycles");
        return BF_OK;
    case BF_REC_OP:
        if (sub > BF_OP_PREFETCH)
            return fail(r, BF_EINPUT, "unknown op %u", sub);
        if (c)
            return fail(r, BF_EINPUT, "reserved field not zero");
        rec->type = type;
        rec->op = sub;
        rec->addr = a;
        rec->count = b;
        if (sub <= BF_OP_CSYNC) {
            if (a || b != 1)
                return fail(r, BF_EINPUT, "SSYNC/CSYNC with an address or count");
        } else if (b == 0) {
            return fail(r, BF_EINPUT, "count 0");
        } else if ((rc = check_span(r, a, (uint64_t)(b - 1) * BF_TRACE_LINE_BYTES + 1,
                                    "op range"))) {
            return rc;
        }
        return BF_OK;
    case BF_REC_MODE:
        if (sub > BF_MODE_USER || a || b || c)
            return fail(r, BF_EINPUT, "bad mode record");
        rec->type = type;
        rec->mode = sub;
        return BF_OK;
    case BF_REC_MMR:
        if (sub || c)
            return fail(r, BF_EINPUT, "reserved field not zero");
        if (a < 0xffc00000u || (a & 3))
            return fail(r, BF_EINPUT, "MMR address 0x%08" PRIx32 " is not a 4-byte aligned MMR", a);
        rec->type = type;
        rec->addr = a;
        rec->value = b;
        return BF_OK;
    case BF_REC_DMA:
        if (c == 0)
            return fail(r, BF_EINPUT, "DMA byte count 0");
        if ((rc = check_span(r, a, c, "DMA source")) ||
            (rc = check_span(r, b, c, "DMA destination")))
            return rc;
        rec->type = type;
        rec->chan = sub;
        rec->addr = a;
        rec->addr2 = b;
        rec->value = c;
        if ((flags & 1) != (ext == 1))
            return fail(r, BF_EINPUT, "DMA start flag and extension disagree");
        if (ext) {
            uint8_t x[BIN_UNIT];
            if ((rc = bin_read(r, x, BIN_UNIT, "a DMA extension")))
                return rc;
            rec->start = (uint64_t)rd32(x) | (uint64_t)rd32(x + 4) << 32;
            rec->has_start = 1;
            if (rd32(x + 8) || rd32(x + 12))
                return fail(r, BF_EINPUT, "reserved field not zero");
        }
        return BF_OK;
    case BF_REC_PHASE: {
        if (sub || a || c)
            return fail(r, BF_EINPUT, "reserved field not zero");
        if (b == 0 || b > BF_TRACE_NAME_MAX || ext != (b + BIN_UNIT - 1) / BIN_UNIT)
            return fail(r, BF_EINPUT, "bad phase name length %u", b);
        uint8_t x[((BF_TRACE_NAME_MAX + BIN_UNIT) / BIN_UNIT) * BIN_UNIT];
        if ((rc = bin_read(r, x, (size_t)ext * BIN_UNIT, "a phase name")))
            return rc;
        for (size_t i = b; i < (size_t)ext * BIN_UNIT; i++)
            if (x[i])
                return fail(r, BF_EINPUT, "phase name padding is not zero");
        if (!valid_name((const char *)x, b))
            return fail(r, BF_EINPUT, "bad phase name");
        memcpy(r->name, x, b);
        r->name[b] = '\0';
        rec->type = type;
        rec->name = r->name;
        return BF_OK;
    }
    default:
        return fail(r, BF_EINPUT, "unknown record type %u", type);
    }
}

/* ---- foreign formats -------------------------------------------------------------------- */

/* Emit the next piece of the pending host access. */
static int emit_piece(bf_trace_reader *r, bf_trace_rec *rec)
{
    uint64_t a = r->p_addr, n = r->p_left;
    int data = r->p_type == BF_REC_LOAD || r->p_type == BF_REC_STORE || r->p_type == BF_REC_MODIFY;
    int split = data && r->p_misal && r->opt.misaligned == BF_MISALIGNED_SPLIT;
    if (split) {
        n = (!(a & 3) && n >= 4) ? 4 : (!(a & 1) && n >= 2) ? 2 : 1;
        r->st.split_pieces++;
    }
    uint64_t n_split = split ? n : r->p_left; /* size before boundary cuts */
    bf_addr t = 0;
    int m = BF_TMAP_OK, pinned = 0;
    /* A piece that continues a boundary cut (not a split piece) is flagged for replay. */
    rec->cont = r->p_cont;
    r->p_cont = 0;
    for (int i = 0; i < r->opt.npins; i++) {
        const bf_trace_pin *p = &r->opt.pins[i];
        if (a >= p->host && a - p->host < p->len) {
            t = p->target + (bf_addr)(a - p->host);
            if (n > p->len - (a - p->host)) {
                n = p->len - (a - p->host);
                r->st.window_splits += r->p_first;
            }
            pinned = 1;
        } else if (p->host > a && p->host - a < n) {
            n = p->host - a; /* stop where the pinned range starts */
            r->st.window_splits += r->p_first;
        }
    }
    if (!pinned && r->map.mode == BF_MAPMODE_FIRST_TOUCH) {
        uint64_t last = a | (uint64_t)(r->map.window - 1);
        if (n - 1 > last - a) {
            n = last - a + 1;
            if (r->p_first)
                r->st.window_splits++;
        }
    } else if (!pinned && (a + n - 1 < a || a + n - 1 > 0xffffffffu)) {
        return fail(r, BF_EINPUT,
                    "address 0x%" PRIx64 "+%" PRIu64 " does not fit in 32 bits (map identity)", a,
                    n);
    }
    if (!pinned)
        m = bf_tmap_map(&r->map, a, &t);
    if (m == BF_TMAP_FULL)
        return fail(r, BF_EINPUT,
                    "address map full: host window 0x%" PRIx64 " needs window %u of a target area "
                    "holding %u windows of 0x%x bytes (raise map_limit or map_window)",
                    a & ~(uint64_t)(r->map.window - 1), r->map.cap + 1, r->map.cap, r->map.window);
    if (m == BF_TMAP_RANGE)
        return fail(r, BF_EINPUT, "address 0x%" PRIx64 " does not fit in 32 bits (map identity)",
                    a);
    r->st.map_windows = r->map.used;
    rec->line = r->p_line;
    rec->type = r->p_type;
    if (r->p_type == BF_REC_OP) {
        bf_addr first = t & ~(bf_addr)(BF_TRACE_LINE_BYTES - 1);
        rec->op = r->p_op;
        rec->addr = first;
        rec->count = (uint32_t)(((uint64_t)t + n - 1 - first) / BF_TRACE_LINE_BYTES + 1);
    } else {
        rec->addr = t;
        rec->size = (uint32_t)n;
        if (data && !aligned(a, n))
            rec->misaligned =
                r->opt.misaligned == BF_MISALIGNED_COUNT_ONCE ? BF_MISAL_ONCE : BF_MISAL_FAULT;
    }
    r->p_first = 0;
    r->p_addr = a + n;
    r->p_left -= n;
    /* The next piece continues this access unless this piece was a whole split piece. */
    r->p_cont = r->p_left && n != n_split;
    return BF_OK;
}

static int set_pending(bf_trace_reader *r, int type, int op, uint64_t a, uint64_t s)
{
    if (s == 0 || s > BF_TRACE_MAX_ACCESS)
        return fail(r, BF_EINPUT, "size %" PRIu64 " out of range (1..%d)", s, BF_TRACE_MAX_ACCESS);
    if (a + s - 1 < a)
        return fail(r, BF_EINPUT, "access 0x%" PRIx64 "+%" PRIu64 " wraps past the 64-bit space", a,
                    s);
    if (r->map.mode == BF_MAPMODE_IDENTITY && r->opt.npins == 0 && a + s - 1 > 0xffffffffu)
        return fail(r, BF_EINPUT,
                    "address 0x%" PRIx64 "+%" PRIu64 " does not fit in 32 bits (map identity)", a,
                    s);
    r->p_type = (uint8_t)type;
    r->p_op = (uint8_t)op;
    r->p_addr = a;
    r->p_left = s;
    r->p_line = bf_tio_lineno(r->in);
    r->p_first = 1;
    r->p_cont = 0;
    int data = type == BF_REC_LOAD || type == BF_REC_STORE || type == BF_REC_MODIFY;
    r->p_misal = (uint8_t)(data && !aligned(a, s));
    r->st.misaligned += r->p_misal;
    return BF_OK;
}

/* Valgrind commentary: "==PID==", "--PID--" or "**PID**" at the start of the line. */
static int valgrind_commentary(const char *s)
{
    char c = s[0];
    if ((c != '=' && c != '-' && c != '*') || s[1] != c)
        return 0;
    const char *p = s + 2;
    if (*p < '0' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    return p[0] == c && p[1] == c;
}

static int lackey_line(bf_trace_reader *r, char *s, size_t n)
{
    int type;
    char t[48];
    if (n >= 3 && s[0] == 'I' && s[1] == ' ' && s[2] == ' ')
        type = BF_REC_IFETCH;
    else if (n >= 3 && s[0] == ' ' && s[2] == ' ' && s[1] == 'L')
        type = BF_REC_LOAD;
    else if (n >= 3 && s[0] == ' ' && s[2] == ' ' && s[1] == 'S')
        type = BF_REC_STORE;
    else if (n >= 3 && s[0] == ' ' && s[2] == ' ' && s[1] == 'M')
        type = BF_REC_MODIFY;
    else if (n == 0 || valgrind_commentary(s))
        return 1;
    else if (n >= 3 && s[0] == 'S' && s[1] == 'B' && s[2] == ' ') {
        /* --trace-superblocks=yes: "SB addr" marks a superblock entry; no memory access. */
        const char *p = s + 3;
        uint64_t v;
        if (bf_parse_hex(&p, &v, 0) == BF_PNUM_OK && *p == '\0')
            return 1;
        return fail(r, BF_EINPUT, "bad Lackey superblock line '%s'", bf_parse_tok(s, t, sizeof t));
    } else
        return fail(r, BF_EINPUT, "not a Lackey record: '%s'", bf_parse_tok(bf_parse_skip(s), t, sizeof t));
    const char *p = s + 3;
    uint64_t a, sz;
    int e = bf_parse_hex(&p, &a, 0);
    if (e == BF_PNUM_OVERFLOW)
        return fail(r, BF_EINPUT, "address '%s' is too large", bf_parse_tok(s + 3, t, sizeof t));
    if (e != BF_PNUM_OK || *p != ',')
        return fail(r, BF_EINPUT, "bad Lackey address '%s' (expected hex,size)",
                    bf_parse_tok(s + 3, t, sizeof t));
    p++;
    e = bf_parse_dec(&p, &sz);
    if (e == BF_PNUM_OVERFLOW)
        return fail(r, BF_EINPUT, "size is too large");
    if (e != BF_PNUM_OK || *p != '\0')
        return fail(r, BF_EINPUT, "bad Lackey size in '%s'", bf_parse_tok(s + 3, t, sizeof t));
    return set_pending(r, type, 0, a, sz);
}

static int din_line(bf_trace_reader *r, char *s, int ext)
{
    const char *p = bf_parse_skip(s);
    char t[48];
    if (*p == '\0')
        return 1;
    int type, op = 0;
    char c = *p;
    if (!bf_parse_tokend(p + 1))
        return fail(r, BF_EINPUT, "bad %s label '%s'", ext ? "xdin" : "din", bf_parse_tok(p, t, sizeof t));
    if (!ext) {
        switch (c) {
        case '0':
            type = BF_REC_LOAD;
            break;
        case '1':
            type = BF_REC_STORE;
            break;
        case '2':
            type = BF_REC_IFETCH;
            break;
        case '3':
            type = BF_REC_LOAD;
            break;
        case '4':
            type = BF_REC_OP;
            op = BF_OP_FLUSH;
            break;
        case '5':
            type = BF_REC_OP;
            op = BF_OP_FLUSHINV;
            break;
        default:
            return fail(r, BF_EINPUT, "bad din label '%c' (0..5)", c);
        }
    } else {
        switch (c) {
        case 'r':
            type = BF_REC_LOAD;
            break;
        case 'w':
            type = BF_REC_STORE;
            break;
        case 'i':
            type = BF_REC_IFETCH;
            break;
        case 'm':
            type = BF_REC_LOAD;
            break;
        case 'c':
            type = BF_REC_OP;
            op = BF_OP_FLUSH;
            break;
        case 'v':
            type = BF_REC_OP;
            op = BF_OP_FLUSHINV;
            break;
        default:
            return fail(r, BF_EINPUT, "bad xdin type '%c' (r w i m c v)", c);
        }
    }
    p++;
    uint64_t a, sz = 4;
    int rc = field(r, &p, &a, "address", 1);
    if (rc)
        return rc;
    if (!ext) {
        a &= ~(uint64_t)3; /* d4(1): rounded down to a multiple of 4, size 4 */
    } else {
        if ((rc = field(r, &p, &sz, "size", 1)))
            return rc;
        if (sz == 0 && type == BF_REC_OP) {
            r->st.whole_cache_ops++;
            return 1;
        }
    }
    /* d4(1): everything after the significant fields is ignored. */
    return set_pending(r, type, op, a, sz);
}

static int foreign_next(bf_trace_reader *r, bf_trace_rec *rec)
{
    for (;;) {
        if (r->p_left)
            return emit_piece(r, rec);
        char *s;
        size_t n;
        int rc = bf_tio_line(r->in, &s, &n);
        if (rc == BF_EEOF)
            return BF_EEOF;
        if (rc)
            return fail_io(r, rc);
        r->st.lines++;
        if (r->fmt == BF_FMT_LACKEY)
            rc = lackey_line(r, s, n);
        else
            rc = din_line(r, s, r->fmt == BF_FMT_XDIN);
        if (rc == 1) {
            r->st.skipped++;
            continue;
        }
        if (rc)
            return rc;
    }
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
    if (n == 0 || valgrind_commentary(line))
        return 0;
    const char *p;
    uint64_t v;
    if ((line[0] == 'I' && line[1] == ' ' && line[2] == ' ') ||
        (line[0] == ' ' && (line[1] == 'L' || line[1] == 'S' || line[1] == 'M') &&
         line[2] == ' ')) {
        p = line + 3;
        if (bf_parse_hex(&p, &v, 0) == BF_PNUM_OK && *p == ',')
            return BF_FMT_LACKEY;
        return -1;
    }
    p = bf_parse_skip(line);
    if (*p >= '0' && *p <= '5' && bf_parse_isblank(p[1])) {
        p = bf_parse_skip(p + 1);
        if (bf_parse_hex(&p, &v, 1) == BF_PNUM_OK && bf_parse_tokend(p))
            return BF_FMT_DIN;
        return -1;
    }
    if (*p && strchr("rwimcv", *p) && bf_parse_isblank(p[1])) {
        p = bf_parse_skip(p + 1);
        if (bf_parse_hex(&p, &v, 1) == BF_PNUM_OK && bf_parse_isblank(*p)) {
            p = bf_parse_skip(p);
            if (bf_parse_hex(&p, &v, 1) == BF_PNUM_OK && bf_parse_tokend(p))
                return BF_FMT_XDIN;
        }
        return -1;
    }
    return -1;
}

static int detect(bf_trace_reader *r, int *fmt)
{
    const uint8_t *p;
    size_t n;
    int rc = bf_tio_peek(r->in, 8192, &p, &n);
    if (rc)
        return fail_io(r, rc);
    if (n == 0)
        return fail(r, BF_EINPUT, "empty file: cannot detect the trace format");
    if (n >= 8 && memcmp(p, bin_magic, 8) == 0) {
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
    return fail(r, BF_EINPUT,
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
        rc = native_text_open(r);
    else if (r->fmt == BF_FMT_NATIVE_BIN)
        rc = native_bin_open(r);
    else if (bf_tmap_init(&r->map, o) != BF_OK)
        rc = fail(r, BF_ENOMEM, "out of host memory for the address map");
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
    if (r->rc)
        return r->rc;
    memset(rec, 0, sizeof *rec);
    int rc;
    switch (r->fmt) {
    case BF_FMT_NATIVE_TEXT:
        rc = native_text_next(r, rec);
        break;
    case BF_FMT_NATIVE_BIN:
        rc = native_bin_next(r, rec);
        break;
    default:
        rc = foreign_next(r, rec);
        break;
    }
    if (rc == BF_OK)
        r->st.records++;
    return rc;
}

/* Version-2 binary accesses straight from the input buffer into recs; stops at anything else
** (another record type, a field the full decoder would refuse, the end of the buffer), which
** bf_trace_next then reads. Returns the records decoded. */
static size_t bin_v2_accesses(bf_trace_reader *r, bf_trace_rec *recs, size_t max)
{
    const uint8_t *p;
    size_t avail, k = 0, used = 0;
    if (bf_tio_peek(r->in, max * BIN_ACC_V2, &p, &avail) != BF_OK)
        return 0;
    while (k < max && avail - used >= BIN_ACC_V2 && p[used] < 4 && p[used + 1] == 0) {
        const uint8_t *u = p + used;
        uint32_t b = rd16(u + 2), a = rd32(u + 4);
        if (b == 0 || b > BF_TRACE_MAX_ACCESS || (uint64_t)a + b - 1 > 0xffffffffu)
            break;
        bf_trace_rec *rec = &recs[k++];
        *rec = (bf_trace_rec){.type = u[0], .addr = a, .size = b, .line = ++r->recno};
        rec->misaligned = (u[0] != BF_REC_IFETCH && !aligned(a, b)) ? (uint8_t)r->misal : 0;
        used += BIN_ACC_V2;
    }
    bf_tio_skip(r->in, used);
    r->st.records += k;
    return k;
}

int bf_trace_next_batch(bf_trace_reader *r, bf_trace_rec *recs, size_t max, size_t *n)
{
    size_t k = 0;
    int rc = BF_OK;
    while (k < max) {
        if (r->fmt == BF_FMT_NATIVE_BIN && r->bin_ver >= 2 && !r->rc && !r->bin_end &&
            (k += bin_v2_accesses(r, recs + k, max - k)) == max)
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
    if (r->fmt == BF_FMT_NATIVE_TEXT || r->fmt == BF_FMT_NATIVE_BIN) {
        const char *s = "native (not remapped)\n";
        if (n)
            snprintf(buf, n, "%s", s);
        return strlen(s);
    }
    /* Pinned ranges first, then the window table. */
    size_t len = 0;
    char line[160];
    if (n)
        buf[0] = '\0';
    for (int i = 0; i < r->opt.npins; i++) {
        const bf_trace_pin *p = &r->opt.pins[i];
        int k = snprintf(line, sizeof line,
                         "pin %s host 0x%" PRIx64 " -> 0x%08" PRIx32 " len 0x%" PRIx64 "\n",
                         p->name, p->host, p->target, p->len);
        if (len + (size_t)k < n)
            memcpy(buf + len, line, (size_t)k + 1);
        len += (size_t)k;
    }
    return len + bf_tmap_describe(&r->map, len < n ? buf + len : NULL, len < n ? n - len : 0);
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
