/*
** test_trace_binary.c: native writers and the binary reader.
**   - Round trip text -> binary -> text for every record kind (the sample holds all ten kinds,
**     all six ops, DMA with and without start time): every field must survive both hops, and
**     the final text must be byte-identical to a direct text rewrite of the sample.
**   - The same through gzip and zstd output, read back with detection by content.
**   - Binary truncated at every length, bad magic, count mismatch, trailing data, reserved
**     bits: each a clear error (hand-built byte images, layout from docs/trace-format.md).
**   - bf_trace_next_batch returns exactly the records, errors and line numbers of bf_trace_next
**     (every field, at batch sizes 1, 7 and 256) on a long mixed version-2 binary trace, on one
**     with a bad access record after a run of good ones, and on the text, Lackey and DineroIV
**     samples (which take the record-at-a-time path).
*/
#define _POSIX_C_SOURCE 200809L
#include "wl_test.h"

#include <stdio.h>
#include <unistd.h>

static char tmpdir[256];

static const char *tmp(const char *name)
{
    static char b[4][512];
    static int k;
    k = (k + 1) & 3;
    snprintf(b[k], sizeof b[k], "%s/%s", tmpdir, name);
    return b[k];
}

static void write_all(const wl_recs *w, const char *path, int fmt, int comp)
{
    bf_trace_writer *tw;
    char err[256];
    BF_CHECK_EQ(bf_trace_writer_open(path, fmt, comp, &tw, err, sizeof err), BF_OK);
    BF_CHECK_EQ(bf_trace_writer_header(tw, "program", "round-trip"), BF_OK);
    BF_CHECK_EQ(bf_trace_writer_header(tw, "misaligned", "fault"), BF_OK);
    for (size_t i = 0; i < w->n; i++)
        BF_CHECK_EQ(bf_trace_write(tw, &w->r[i]), BF_OK);
    BF_CHECK_EQ(bf_trace_writer_header(tw, "late", "x"), BF_ESTATE);
    BF_CHECK_EQ(bf_trace_writer_close(tw, err, sizeof err), BF_OK);
}

static void same_records(const wl_recs *a, const wl_recs *b)
{
    BF_CHECK_EQ(a->n, b->n);
    for (size_t i = 0; i < a->n && i < b->n; i++) {
        const bf_trace_rec *x = &a->r[i], *y = &b->r[i];
        BF_CHECK_EQ(x->type, y->type);
        BF_CHECK_EQ(x->op, y->op);
        BF_CHECK_EQ(x->mode, y->mode);
        BF_CHECK_EQ(x->chan, y->chan);
        BF_CHECK_EQ(x->size, y->size);
        BF_CHECK_EQ(x->addr, y->addr);
        BF_CHECK_EQ(x->addr2, y->addr2);
        BF_CHECK_EQ(x->count, y->count);
        BF_CHECK_EQ(x->value, y->value);
        BF_CHECK_EQ(x->misaligned, y->misaligned);
        BF_CHECK_EQ(x->has_start, y->has_start);
        BF_CHECK_EQ(x->start, y->start);
        if (x->type == BF_REC_PHASE)
            BF_CHECK_STR(x->name, y->name);
    }
}

static long file_bytes(const char *path, char *buf, long cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    long n = (long)fread(buf, 1, (size_t)cap, f);
    fclose(f);
    return n;
}

static void round_trip(const char *dir)
{
    wl_recs orig, bin, text, direct;
    wl_read(wl_data(dir, "native_sample.bft"), NULL, 0, NULL, &orig);
    BF_CHECK_EQ(orig.rc, BF_EEOF);
    BF_CHECK_EQ(orig.n, 19);
    int kinds = 0;
    for (int t = 0; t <= BF_REC_PHASE; t++)
        for (size_t i = 0; i < orig.n; i++)
            if (orig.r[i].type == t) {
                kinds++;
                break;
            }
    BF_CHECK_EQ(kinds, 10); /* every record kind is exercised */

    write_all(&orig, tmp("rt.bftb"), BF_FMT_NATIVE_BIN, BF_COMP_NONE);
    wl_read(tmp("rt.bftb"), NULL, 0, NULL, &bin);
    BF_CHECK_EQ(bin.rc, BF_EEOF);
    same_records(&orig, &bin);
    write_all(&bin, tmp("rt2.bft"), BF_FMT_NATIVE_TEXT, BF_COMP_NONE);
    wl_read(tmp("rt2.bft"), NULL, 0, NULL, &text);
    same_records(&orig, &text);
    write_all(&orig, tmp("rt1.bft"), BF_FMT_NATIVE_TEXT, BF_COMP_NONE);
    wl_read(tmp("rt1.bft"), NULL, 0, NULL, &direct);
    static char a[1 << 16], b[1 << 16];
    long na = file_bytes(tmp("rt1.bft"), a, sizeof a), nb = file_bytes(tmp("rt2.bft"), b, sizeof b);
    BF_CHECK(na > 0 && na == nb && memcmp(a, b, (size_t)na) == 0);
    /* Binary size (version 2): 16 header + 48 text ("program: round-trip\nmisaligned: fault\n"
    ** = 38 -> 48) + 5 accesses of 8 bytes (I, L, S, M, L) + 14 other records, 1 DMA extension,
    ** 2 phase names of one unit each and the end record in 16-byte units = 16+48+5*8+18*16. */
    BF_CHECK_EQ(file_bytes(tmp("rt.bftb"), a, sizeof a), 16 + 48 + 5 * 8 + 18 * 16);
    BF_CHECK_EQ(a[8], 2);  /* version */
    BF_CHECK_EQ(a[10], 8); /* unit: an access record */

    bf_trace_reader *r;
    char err[256];
    BF_CHECK_EQ(bf_trace_open(tmp("rt.bftb"), NULL, &r, err, sizeof err), BF_OK);
    BF_CHECK_EQ(bf_trace_detected_format(r), BF_FMT_NATIVE_BIN);
    BF_CHECK_STR(bf_trace_header_get(r, "program"), "round-trip");
    bf_trace_close(r);

    /* Compressed outputs, read back by content. */
    static const int comps[] = {BF_COMP_GZIP, BF_COMP_ZSTD};
    static const int fmts[] = {BF_FMT_NATIVE_TEXT, BF_FMT_NATIVE_BIN};
    for (int c = 0; c < 2; c++)
        for (int f = 0; f < 2; f++) {
            wl_recs z;
            write_all(&orig, tmp("rt.z"), fmts[f], comps[c]);
            wl_read(tmp("rt.z"), NULL, 0, NULL, &z);
            BF_CHECK_EQ(z.rc, BF_EEOF);
            same_records(&orig, &z);
            BF_CHECK_EQ(bf_trace_open(tmp("rt.z"), NULL, &r, err, sizeof err), BF_OK);
            BF_CHECK_EQ(bf_trace_compression(r), comps[c]);
            BF_CHECK_EQ(bf_trace_detected_format(r), fmts[f]);
            bf_trace_close(r);
        }
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* A header without text: magic, version, unit; the bytes up to n zeroed. */
static void header(uint8_t *b, size_t n, uint8_t version, uint8_t unit)
{
    static const uint8_t magic[8] = {0x89, 'B', 'F', 'T', '\r', '\n', 0x1a, '\n'};
    memset(b, 0, n);
    memcpy(b, magic, 8);
    b[8] = version;
    b[10] = unit;
}

/* Version 1: header (no text) + one LOAD 4 at 0x100 + end record counting 1. */
static size_t image(uint8_t *b)
{
    header(b, 64, 1, 16);
    b[16] = BF_REC_LOAD;
    put32(b + 20, 0x100);
    put32(b + 24, 4);
    b[32] = 0xff;
    put32(b + 36, 1);
    return 48;
}

static const char *bin_err(const uint8_t *b, size_t n)
{
    static wl_recs w;
    bf_trace_options o;
    bf_trace_options_default(&o);
    o.format = BF_FMT_NATIVE_BIN;
    wl_read(NULL, (const char *)b, n, &o, &w);
    return w.rc == BF_EEOF ? "(no error)" : w.err;
}

static void binary_errors(void)
{
    uint8_t b[80];
    size_t n = image(b);
    BF_CHECK_STR(bin_err(b, n), "(no error)");
    /* Every truncation is an error: inside the header, inside a record, or no end record. */
    for (size_t cut = 0; cut < n; cut++) {
        const char *e = bin_err(b, cut);
        BF_CHECK(strstr(e, "truncated") || strstr(e, "empty file") || strstr(e, "bad magic"));
    }
    BF_CHECK_STR(bin_err(b, 0), "t: header: empty file (expected the binary trace header)");
    BF_CHECK_STR(bin_err(b, 12), "t: header: truncated: file ends inside the header");
    BF_CHECK_STR(bin_err(b, 24), "t: record 1: truncated: file ends inside a record");
    BF_CHECK_STR(bin_err(b, 32), "t: record 2: truncated: no end record");
    put32(b + 36, 7); /* the end record's count (bytes 4..7 of its unit) */
    BF_CHECK_STR(bin_err(b, n), "t: record 2: end record counts 7 records, file has 1");
    n = image(b);
    b[n] = 0;
    BF_CHECK_STR(bin_err(b, n + 1), "t: record 2: data after the end record");
    n = image(b);
    b[1] = 'X';
    BF_CHECK_STR(bin_err(b, n), "t: header: not a bfsim binary trace (bad magic)");
    n = image(b);
    b[8] = 3;
    BF_CHECK_STR(bin_err(b, n), "t: header: unsupported binary version 3 (this reader: 1 to 2)");
    n = image(b);
    b[10] = 8; /* version 1 with the unit of version 2 */
    BF_CHECK_STR(bin_err(b, n), "t: header: record unit of 8 bytes (expected 16 for version 1)");
    n = image(b);
    b[19] = 0x80; /* flags of the LOAD */
    BF_CHECK_STR(bin_err(b, n), "t: record 1: reserved bits set in a type 1 record");
    n = image(b);
    put32(b + 24, 0); /* size 0 */
    BF_CHECK_STR(bin_err(b, n), "t: record 1: size 0 out of range (1..4096)");
    n = image(b);
    b[16] = 42;
    BF_CHECK_STR(bin_err(b, n), "t: record 1: unknown record type 42");
}

/* Version 2: header (no text) + LOAD 4 at 0x100 in 8 bytes + GAP 5 (16 bytes) + end counting 2. */
static size_t image2(uint8_t *b)
{
    header(b, 80, 2, 8);
    b[16] = BF_REC_LOAD;
    b[18] = 4; /* size, u16 */
    put32(b + 20, 0x100);
    b[24] = BF_REC_GAP;
    put32(b + 32, 5);
    b[40] = 0xff;
    put32(b + 44, 2);
    return 56;
}

static void binary_v2(void)
{
    uint8_t b[80];
    size_t n = image2(b);
    BF_CHECK_STR(bin_err(b, n), "(no error)");
    static wl_recs w;
    bf_trace_options o;
    bf_trace_options_default(&o);
    wl_read(NULL, (const char *)b, n, &o, &w); /* detected by its magic */
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 2);
    BF_CHECK_EQ(w.r[0].type, BF_REC_LOAD);
    BF_CHECK_EQ(w.r[0].addr, 0x100);
    BF_CHECK_EQ(w.r[0].size, 4);
    BF_CHECK_EQ(w.r[0].line, 1);
    BF_CHECK_EQ(w.r[1].type, BF_REC_GAP);
    BF_CHECK_EQ(w.r[1].value, 5);
    BF_CHECK_EQ(w.r[1].line, 2);
    for (size_t cut = 16; cut < n; cut++) {
        const char *e = bin_err(b, cut);
        BF_CHECK(strstr(e, "truncated") != NULL);
    }
    BF_CHECK_STR(bin_err(b, 20), "t: record 1: truncated: file ends inside a record");
    BF_CHECK_STR(bin_err(b, 24), "t: record 2: truncated: no end record");
    BF_CHECK_STR(bin_err(b, 36), "t: record 2: truncated: file ends inside a record");
    BF_CHECK_STR(bin_err(b, 40), "t: record 3: truncated: no end record");
    n = image2(b);
    b[17] = 1; /* the reserved byte of an access */
    BF_CHECK_STR(bin_err(b, n), "t: record 1: reserved field not zero");
    n = image2(b);
    b[18] = 0;
    BF_CHECK_STR(bin_err(b, n), "t: record 1: size 0 out of range (1..4096)");
    n = image2(b);
    b[19] = 0x10; /* 4096 + 4 */
    BF_CHECK_STR(bin_err(b, n), "t: record 1: size 4100 out of range (1..4096)");
    n = image2(b);
    put32(b + 20, 0xfffffffe); /* 4 bytes from 0xfffffffe */
    BF_CHECK(strstr(bin_err(b, n), "runs past 0xffffffff") != NULL);
    n = image2(b);
    b[10] = 16;
    BF_CHECK_STR(bin_err(b, n), "t: header: record unit of 16 bytes (expected 8 for version 2)");
    n = image2(b);
    put32(b + 44, 1);
    BF_CHECK_STR(bin_err(b, n), "t: record 3: end record counts 1 records, file has 2");
}

static void writer_refuses(void)
{
    bf_trace_writer *w;
    char err[256];
    BF_CHECK_EQ(
        bf_trace_writer_open(tmp("bad.bft"), BF_FMT_NATIVE_TEXT, BF_COMP_NONE, &w, err, sizeof err),
        BF_OK);
    bf_trace_rec r;
    memset(&r, 0, sizeof r);
    r.type = BF_REC_PHASE;
    r.name = "has space";
    BF_CHECK_EQ(bf_trace_write(w, &r), BF_EINPUT);
    BF_CHECK_STR(bf_trace_writer_error(w), "bad phase name 'has space'");
    r.type = BF_REC_LOAD;
    r.size = 0;
    BF_CHECK_EQ(bf_trace_write(w, &r), BF_EINPUT);
    BF_CHECK_EQ(bf_trace_writer_header(w, "Bad Key", "v"), BF_EINPUT);
    BF_CHECK_EQ(bf_trace_writer_close(w, err, sizeof err), BF_OK);
    BF_CHECK_EQ(bf_trace_writer_open(tmp("x"), BF_FMT_LACKEY, BF_COMP_NONE, &w, err, sizeof err),
                BF_ECONFIG);
}

/* ------------------------------------------------------------------ batch == next */

typedef struct all_recs {
    bf_trace_rec *r;
    char (*names)[BF_TRACE_NAME_MAX + 1];
    size_t n, cap;
    int rc;
    char err[512];
} all_recs;

static void all_add(all_recs *a, const bf_trace_rec *rec)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 1024;
        a->r = realloc(a->r, a->cap * sizeof *a->r);
        a->names = realloc(a->names, a->cap * sizeof *a->names);
        BF_CHECK(a->r && a->names);
    }
    a->r[a->n] = *rec;
    a->names[a->n][0] = 0;
    if (rec->type == BF_REC_PHASE && rec->name)
        snprintf(a->names[a->n], sizeof a->names[0], "%s", rec->name);
    a->n++;
}

/* Every record of path, by bf_trace_next (batch 0) or by bf_trace_next_batch of `batch`. */
static void read_all(const char *path, size_t batch, all_recs *a)
{
    memset(a, 0, sizeof *a);
    bf_trace_reader *r;
    a->rc = bf_trace_open(path, NULL, &r, a->err, sizeof a->err);
    if (a->rc)
        return;
    bf_trace_rec one, buf[256];
    for (;;) {
        size_t n = 0;
        int rc = batch ? bf_trace_next_batch(r, buf, batch, &n) : bf_trace_next(r, &one);
        if (rc != BF_OK) {
            BF_CHECK_EQ(n, 0);
            a->rc = rc;
            snprintf(a->err, sizeof a->err, "%s", rc == BF_EEOF ? "" : bf_trace_error(r));
            break;
        }
        if (!batch) {
            all_add(a, &one);
            continue;
        }
        BF_CHECK(n >= 1 && n <= batch);
        for (size_t i = 0; i < n; i++) {
            BF_CHECK(buf[i].type != BF_REC_PHASE || i == n - 1); /* a phase ends its batch */
            all_add(a, &buf[i]);
        }
    }
    bf_trace_close(r);
}

static void same_all(const all_recs *a, const all_recs *b)
{
    BF_CHECK_EQ(a->rc, b->rc);
    BF_CHECK_STR(a->err, b->err);
    BF_CHECK_EQ(a->n, b->n);
    size_t bad = 0;
    for (size_t i = 0; i < a->n && i < b->n; i++) {
        bf_trace_rec x = a->r[i], y = b->r[i];
        bad += strcmp(a->names[i], b->names[i]) != 0;
        x.name = y.name = NULL;               /* compared as strings above */
        bad += memcmp(&x, &y, sizeof x) != 0; /* every field, line numbers included */
    }
    BF_CHECK_EQ(bad, 0);
}

static void batch_check(const char *path, int expect_rc, size_t expect_min)
{
    static all_recs ref, got;
    read_all(path, 0, &ref);
    BF_CHECK_EQ(ref.rc, expect_rc);
    BF_CHECK(ref.n >= expect_min);
    static const size_t sizes[] = {1, 7, 256};
    for (size_t k = 0; k < BF_ARRAY_SIZE(sizes); k++) {
        read_all(path, sizes[k], &got);
        same_all(&ref, &got);
        free(got.r);
        free(got.names);
    }
    free(ref.r);
    free(ref.names);
}

/* A long version-2 trace: runs of accesses of every kind and size (some misaligned, some
** crossing lines) between every other record kind, so that the batch decoder starts and stops
** at every kind of boundary, and across several 256 KB input buffers. */
static void write_mixed(const char *path, int bad_access)
{
    bf_trace_writer *tw;
    char err[256];
    BF_CHECK_EQ(bf_trace_writer_open(path, BF_FMT_NATIVE_BIN, BF_COMP_NONE, &tw, err, sizeof err),
                BF_OK);
    BF_CHECK_EQ(bf_trace_writer_header(tw, "misaligned", "count-once"), BF_OK);
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 60000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        bf_trace_rec r;
        memset(&r, 0, sizeof r);
        unsigned k = (unsigned)(x % 64);
        if (k < 56) {
            static const uint32_t sz[] = {1, 2, 4, 8, 3, 32};
            r.type = (uint8_t)(k % 4);
            r.size = sz[(x >> 8) % 6];
            r.addr = (uint32_t)(x >> 20) & 0x3ffffff;
        } else if (k < 58) {
            r.type = BF_REC_GAP;
            r.value = 1 + (x >> 30) % 9;
        } else if (k < 59) {
            r.type = BF_REC_OP;
            r.op = BF_OP_FLUSH;
            r.addr = (uint32_t)(x >> 20) & 0x3ffffe0;
            r.count = 1 + (uint32_t)(x >> 40) % 3;
        } else if (k < 60) {
            r.type = BF_REC_MODE;
            r.mode = (uint8_t)((x >> 33) & 1);
        } else if (k < 61) {
            r.type = BF_REC_PHASE;
            r.name = (x >> 35) & 1 ? "ph_a" : "phase.b";
        } else if (k < 62) {
            r.type = BF_REC_MMR;
            r.addr = 0xFFC00A04;
            r.value = 0x1234;
        } else if (k < 63) {
            r.type = BF_REC_DMA;
            r.chan = (uint8_t)((x >> 36) % 4);
            r.addr = 0x1000;
            r.addr2 = 0x8000;
            r.value = 64;
            r.has_start = (uint8_t)((x >> 37) & 1);
            r.start = r.has_start ? (x >> 40) % 100000 : 0;
        } else {
            r.type = BF_REC_OP;
            r.op = BF_OP_SSYNC;
            r.count = 1;
        }
        BF_CHECK_EQ(bf_trace_write(tw, &r), BF_OK);
    }
    BF_CHECK_EQ(bf_trace_writer_close(tw, err, sizeof err), BF_OK);
    if (bad_access) {
        /* the first access record after the first 4000 bytes gets size 0 (its u16 at +2) */
        FILE *f = fopen(path, "r+b");
        BF_CHECK(f != NULL);
        static uint8_t b[1 << 16];
        size_t n = fread(b, 1, sizeof b, f);
        size_t at = 4000;
        uint32_t tlen =
            (uint32_t)b[12] | (uint32_t)b[13] << 8 | (uint32_t)b[14] << 16 | (uint32_t)b[15] << 24;
        size_t q = 16 + (tlen + 15) / 16 * 16;
        while (q < n && (q < at || b[q] > BF_REC_MODIFY))
            q += b[q] <= BF_REC_MODIFY ? 8 : (size_t)(1 + b[q + 2]) * 16;
        BF_CHECK(q + 8 <= n);
        b[q + 2] = b[q + 3] = 0;
        BF_CHECK_EQ(fseek(f, 0, SEEK_SET), 0);
        BF_CHECK_EQ(fwrite(b, 1, n, f), n);
        fclose(f);
    }
}

static void batch_same_as_next(const char *dir)
{
    write_mixed(tmp("mixed.bftb"), 0);
    batch_check(tmp("mixed.bftb"), BF_EEOF, 60000);
    write_mixed(tmp("mixed.bftb"), 1);
    batch_check(tmp("mixed.bftb"), BF_EINPUT, 100);
    batch_check(wl_data(dir, "native_sample.bft"), BF_EEOF, 19);
    batch_check(wl_data(dir, "lackey_sample.txt"), BF_EEOF, 5);
    batch_check(wl_data(dir, "din_sample.din"), BF_EEOF, 5);
    unlink(tmp("mixed.bftb"));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
        return 2;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s/bfwl-bin-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    round_trip(argv[1]);
    binary_errors();
    binary_v2();
    writer_refuses();
    batch_same_as_next(argv[1]);
    const char *files[] = {"rt.bftb", "rt1.bft", "rt2.bft", "rt.z", "bad.bft"};
    for (size_t i = 0; i < BF_ARRAY_SIZE(files); i++)
        unlink(tmp(files[i]));
    rmdir(tmpdir);
    return bf_test_exit();
}
