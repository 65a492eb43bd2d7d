/*
** bf_trace_bin.c: the native binary trace reader (docs/trace-format.md, "Binary format").
**
** Layout: 8-byte magic, version u16, access unit u16, header text length u32, the header text
** padded to 16 bytes, then records, then an end record counting them. Version 2 (written): an
** access is one 8-byte record (type 0..3, 0, size u16, address u32), every other record 16
** bytes as in version 1 (still read), where every record is a 16-byte unit. Extensions (DMA
** start time, phase names) and padding are 16-byte units. Little-endian throughout.
**
** Assumptions: as native text (BF533 addresses, never remapped; misaligned data accesses flagged
** as the header says). Reserved fields and padding must be zero.
**
** Algorithm: next() reads the first 8 bytes of a record, which tell a complete version-2 access
** from the first half of a 16-byte record. bf_trace_bin_batch decodes runs of version-2 accesses
** in place from the input buffer (no copy) and stops at anything the full decoder must see, so
** both paths return the same records with the same checks.
*/
#include "bf_trace_int.h"

#include <string.h>

/* Binary format constants. */
const uint8_t bf_trace_bin_magic[8] = {0x89, 'B', 'F', 'T', '\r', '\n', 0x1a, '\n'};
enum {
    BIN_VERSION = 2,
    BIN_UNIT = 16,
    BIN_ACC_V2 = 8,
    BIN_END = 0xff,
    BIN_HDR_MAX = BF_TRACE_HEADER_MAX
};

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
        return bf_trace_fail(r, BF_EINPUT, "truncated: file ends inside %s", what);
    if (rc)
        return bf_trace_fail_io(r, rc);
    return BF_OK;
}

int bf_trace_bin_open(bf_trace_reader *r)
{
    uint8_t h[16];
    size_t got;
    int rc = bf_tio_read(r->in, h, sizeof h, &got);
    if (rc && rc != BF_EEOF)
        return bf_trace_fail_io(r, rc);
    if (rc == BF_EEOF && got == 0)
        return bf_trace_fail(r, BF_EINPUT, "empty file (expected the binary trace header)");
    if (got < 8 || memcmp(h, bf_trace_bin_magic, 8) != 0)
        return bf_trace_fail(r, BF_EINPUT, "not a bfsim binary trace (bad magic)");
    if (rc == BF_EEOF)
        return bf_trace_fail(r, BF_EINPUT, "truncated: file ends inside the header");
    uint16_t ver = rd16(h + 8), unit = rd16(h + 10);
    uint32_t tlen = rd32(h + 12);
    if (ver < 1 || ver > BIN_VERSION)
        return bf_trace_fail(r, BF_EINPUT, "unsupported binary version %u (this reader: 1 to %d)",
                             ver, BIN_VERSION);
    if (unit != (ver == 1 ? BIN_UNIT : BIN_ACC_V2))
        return bf_trace_fail(r, BF_EINPUT, "record unit of %u bytes (expected %d for version %u)",
                             unit, ver == 1 ? BIN_UNIT : BIN_ACC_V2, ver);
    r->bin_ver = ver;
    if (tlen > BIN_HDR_MAX)
        return bf_trace_fail(r, BF_EINPUT, "header text of %u bytes (at most %d)", tlen,
                             BIN_HDR_MAX);
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
                    return bf_trace_fail(r, BF_EINPUT, "header padding is not zero");
                continue;
            }
            if (text[i] == '\n') {
                if ((rc = bf_trace_header_add(r, line, ln)))
                    return rc;
                ln = 0;
            } else if (ln + 1 < sizeof line) {
                line[ln++] = text[i];
            }
        }
    }
    if (ln && (rc = bf_trace_header_add(r, line, ln)))
        return rc;
    return BF_OK;
}

/* A version-2 access record (8 bytes at u: type 0..3, 0, size u16, address u32). */
static int bin_access_v2(bf_trace_reader *r, const uint8_t *u, bf_trace_rec *rec)
{
    uint32_t a = rd32(u + 4), b = rd16(u + 2);
    if (u[1])
        return bf_trace_fail(r, BF_EINPUT, "reserved field not zero");
    if (b == 0 || b > BF_TRACE_MAX_ACCESS)
        return bf_trace_fail(r, BF_EINPUT, "size %u out of range (1..%d)", b, BF_TRACE_MAX_ACCESS);
    int rc = bf_trace_check_span(r, a, b, "access");
    if (rc)
        return rc;
    rec->type = u[0];
    rec->addr = a;
    rec->size = b;
    rec->misaligned = (u[0] != BF_REC_IFETCH && !bf_trace_aligned(a, b)) ? (uint8_t)r->misal : 0;
    return BF_OK;
}

static int bin_record(bf_trace_reader *r, bf_trace_rec *rec)
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
        return bf_trace_fail(r, BF_EINPUT, "truncated: no end record");
    if (rc == BF_EEOF)
        return bf_trace_fail(r, BF_EINPUT, "truncated: file ends inside a record");
    if (rc)
        return bf_trace_fail_io(r, rc);
    uint8_t type = u[0], sub = u[1], ext = u[2], flags = u[3];
    uint32_t a = rd32(u + 4), b = rd32(u + 8), c = rd32(u + 12);
    if (type == BIN_END) {
        uint64_t count = (uint64_t)a | (uint64_t)b << 32;
        if (count != r->recno - 1)
            return bf_trace_fail(r, BF_EINPUT,
                                 "end record counts %" PRIu64 " records, file has %" PRIu64, count,
                                 r->recno - 1);
        uint8_t extra;
        rc = bf_tio_read(r->in, &extra, 1, &got);
        if (rc == BF_OK)
            return bf_trace_fail(r, BF_EINPUT, "data after the end record");
        if (rc != BF_EEOF)
            return bf_trace_fail_io(r, rc);
        r->bin_end = 1;
        return BF_EEOF;
    }
    int ext_ok = (type == BF_REC_PHASE) || (type == BF_REC_DMA && ext <= 1);
    if ((ext && !ext_ok) || (flags & ~1u) || ((flags & 1) && type != BF_REC_DMA))
        return bf_trace_fail(r, BF_EINPUT, "reserved bits set in a type %u record", type);
    switch (type) {
    case BF_REC_IFETCH:
    case BF_REC_LOAD:
    case BF_REC_STORE:
    case BF_REC_MODIFY:
        if (sub || c)
            return bf_trace_fail(r, BF_EINPUT, "reserved field not zero");
        if (b == 0 || b > BF_TRACE_MAX_ACCESS)
            return bf_trace_fail(r, BF_EINPUT, "size %u out of range (1..%d)", b,
                                 BF_TRACE_MAX_ACCESS);
        if ((rc = bf_trace_native_size(r, type, b)) ||
            (rc = bf_trace_check_span(r, a, b, "access")))
            return rc;
        rec->type = type;
        rec->addr = a;
        rec->size = b;
        rec->misaligned =
            (type != BF_REC_IFETCH && !bf_trace_aligned(a, b)) ? (uint8_t)r->misal : 0;
        return BF_OK;
    case BF_REC_GAP:
        rec->type = type;
        rec->value = (uint64_t)b | (uint64_t)c << 32;
        if (sub || a)
            return bf_trace_fail(r, BF_EINPUT, "reserved field not zero");
        if (rec->value == 0)
            return bf_trace_fail(r, BF_EINPUT, "gap of 0 cycles");
        return BF_OK;
    case BF_REC_OP:
        if (sub > BF_OP_PREFETCH)
            return bf_trace_fail(r, BF_EINPUT, "unknown op %u", sub);
        if (c)
            return bf_trace_fail(r, BF_EINPUT, "reserved field not zero");
        rec->type = type;
        rec->op = sub;
        rec->addr = a;
        rec->count = b;
        if (sub <= BF_OP_CSYNC) {
            if (a || b != 1)
                return bf_trace_fail(r, BF_EINPUT, "SSYNC/CSYNC with an address or count");
        } else if (b == 0) {
            return bf_trace_fail(r, BF_EINPUT, "count 0");
        } else if ((rc = bf_trace_check_span(r, a, (uint64_t)(b - 1) * BF_TRACE_LINE_BYTES + 1,
                                             "op range"))) {
            return rc;
        }
        return BF_OK;
    case BF_REC_MODE:
        if (sub > BF_MODE_USER || a || b || c)
            return bf_trace_fail(r, BF_EINPUT, "bad mode record");
        rec->type = type;
        rec->mode = sub;
        return BF_OK;
    case BF_REC_MMR:
        if (sub || c)
            return bf_trace_fail(r, BF_EINPUT, "reserved field not zero");
        if (a < BF_SYS_MMR_BASE || (a & 3))
            return bf_trace_fail(r, BF_EINPUT,
                                 "MMR address 0x%08" PRIx32 " is not a 4-byte aligned MMR", a);
        rec->type = type;
        rec->addr = a;
        rec->value = b;
        return BF_OK;
    case BF_REC_DMA:
        if (c == 0)
            return bf_trace_fail(r, BF_EINPUT, "DMA byte count 0");
        if ((rc = bf_trace_check_span(r, a, c, "DMA source")) ||
            (rc = bf_trace_check_span(r, b, c, "DMA destination")))
            return rc;
        rec->type = type;
        rec->chan = sub;
        rec->addr = a;
        rec->addr2 = b;
        rec->value = c;
        if ((flags & 1) != (ext == 1))
            return bf_trace_fail(r, BF_EINPUT, "DMA start flag and extension disagree");
        if (ext) {
            uint8_t x[BIN_UNIT];
            if ((rc = bin_read(r, x, BIN_UNIT, "a DMA extension")))
                return rc;
            rec->start = (uint64_t)rd32(x) | (uint64_t)rd32(x + 4) << 32;
            rec->has_start = 1;
            if (rd32(x + 8) || rd32(x + 12))
                return bf_trace_fail(r, BF_EINPUT, "reserved field not zero");
        }
        return BF_OK;
    case BF_REC_PHASE: {
        if (sub || a || c)
            return bf_trace_fail(r, BF_EINPUT, "reserved field not zero");
        if (b == 0 || b > BF_TRACE_NAME_MAX || ext != (b + BIN_UNIT - 1) / BIN_UNIT)
            return bf_trace_fail(r, BF_EINPUT, "bad phase name length %u", b);
        uint8_t x[((BF_TRACE_NAME_MAX + BIN_UNIT) / BIN_UNIT) * BIN_UNIT];
        if ((rc = bin_read(r, x, (size_t)ext * BIN_UNIT, "a phase name")))
            return rc;
        for (size_t i = b; i < (size_t)ext * BIN_UNIT; i++)
            if (x[i])
                return bf_trace_fail(r, BF_EINPUT, "phase name padding is not zero");
        if (!bf_trace_valid_name((const char *)x, b))
            return bf_trace_fail(r, BF_EINPUT, "bad phase name");
        memcpy(r->name, x, b);
        r->name[b] = '\0';
        rec->type = type;
        rec->name = r->name;
        return BF_OK;
    }
    default:
        return bf_trace_fail(r, BF_EINPUT, "unknown record type %u", type);
    }
}

/* Version-2 binary accesses straight from the input buffer into recs; stops at anything else
** (another record type, a field the full decoder would refuse, the end of the buffer), which
** bf_trace_next then reads. Returns the records decoded. */
size_t bf_trace_bin_batch(bf_trace_reader *r, bf_trace_rec *recs, size_t max)
{
    const uint8_t *p;
    size_t avail, k = 0;
    if (bf_tio_peek(r->in, max * BIN_ACC_V2, &p, &avail) != BF_OK)
        return 0;
    /* whole records only, at most max: the loop tests one bound */
    size_t n = avail / BIN_ACC_V2 < max ? avail / BIN_ACC_V2 : max;
    const uint8_t misal = (uint8_t)r->misal;
    uint64_t recno = r->recno;
    for (; k < n; k++) {
        const uint8_t *u = p + k * BIN_ACC_V2;
        uint32_t b = rd16(u + 2), a = rd32(u + 4);
        /* type byte < 4 and the zero byte after it (one compare of rd16's little-endian value),
        ** 1 <= size <= BF_TRACE_MAX_ACCESS, a + size - 1 not past 2^32 - 1 */
        if (rd16(u) >= 4 || b - 1u >= BF_TRACE_MAX_ACCESS || a + (b - 1u) < a)
            break;
        recs[k] = (bf_trace_rec){
            .type = u[0],
            .misaligned = ((u[0] != BF_REC_IFETCH) & !bf_trace_aligned(a, b)) ? misal : 0,
            .addr = a,
            .size = b,
            .line = ++recno};
    }
    r->recno = recno;
    bf_tio_skip(r->in, k * BIN_ACC_V2);
    r->st.records += k;
    return k;
}

int bf_trace_bin_next(bf_trace_reader *r, bf_trace_rec *rec)
{
    return bf_trace_next_with(r, rec, bin_record);
}
