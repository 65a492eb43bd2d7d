/*
** test_trace_foreign.c: Valgrind Lackey, Dinero din and extended din readers against the
** hand-written samples in data/, format detection and forcing, compressed inputs (gzip and
** zstd made here with the libraries and, when installed, with the gzip/zstd commands), stdin,
** and malformed lines. Addresses are worked by hand with the first-touch rule (64 KB windows,
** map_base 0): the n-th distinct host window (host >> 16) becomes target window n.
*/
#define _POSIX_C_SOURCE 200809L
#include "wl_test.h"

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static void lackey(const char *dir)
{
    wl_recs w;
    wl_read(wl_data(dir, "lackey_sample.txt"), NULL, 0, NULL, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    /* Windows: 0x0401 -> 0, 0x0403 -> 1, 0x1ffeff -> 2. The load of 4 bytes at 0x04033c32 is
    ** misaligned and split into 2 + 2 (default --misaligned=split): 10 lines, 11 records. */
    BF_CHECK_EQ(w.n, 11);
    WL_CHECK_ACC(w.r[0], BF_REC_IFETCH, 0x0000b8c3u, 7);
    BF_CHECK_EQ(w.r[0].line, 6);
    WL_CHECK_ACC(w.r[1], BF_REC_LOAD, 0x00013b40u, 8);
    WL_CHECK_ACC(w.r[2], BF_REC_IFETCH, 0x0000b8cau, 3);
    WL_CHECK_ACC(w.r[5], BF_REC_MODIFY, 0x00012e88u, 8);
    WL_CHECK_ACC(w.r[7], BF_REC_STORE, 0x0002fd58u, 8);
    BF_CHECK_EQ(w.r[7].line, 13);
    WL_CHECK_ACC(w.r[8], BF_REC_LOAD, 0x00013c32u, 2);
    WL_CHECK_ACC(w.r[9], BF_REC_LOAD, 0x00013c34u, 2);
    BF_CHECK_EQ(w.r[8].line, 14);
    BF_CHECK_EQ(w.r[9].line, 14);
    BF_CHECK_EQ(w.r[8].misaligned, BF_MISAL_NONE);
    WL_CHECK_ACC(w.r[10], BF_REC_IFETCH, 0x0000b8dau, 3);

    bf_trace_reader *r;
    char err[256];
    BF_CHECK_EQ(bf_trace_open(wl_data(dir, "lackey_sample.txt"), NULL, &r, err, sizeof err), BF_OK);
    BF_CHECK_EQ(bf_trace_detected_format(r), BF_FMT_LACKEY);
    bf_trace_rec rec;
    while (bf_trace_next(r, &rec) == BF_OK)
        ;
    const bf_trace_reader_stats *st = bf_trace_reader_stats_of(r);
    BF_CHECK_EQ(st->lines, 17);
    BF_CHECK_EQ(st->skipped, 7); /* the ==12345== lines */
    BF_CHECK_EQ(st->misaligned, 1);
    BF_CHECK_EQ(st->split_pieces, 2);
    BF_CHECK_EQ(st->map_windows, 3);
    char map[512];
    bf_trace_describe_map(r, map, sizeof map);
    BF_CHECK_STR(map, "host 0x4010000 -> 0x00000000 len 0x10000\n"
                      "host 0x4030000 -> 0x00010000 len 0x10000\n"
                      "host 0x1ffeff0000 -> 0x00020000 len 0x10000\n");
    bf_trace_close(r);

    /* Garbage, absurd values, --map identity on a 40-bit address. */
    BF_CHECK_STR(wl_err("I  0401b8c3,7\nhello world\n", NULL), "t:2: not a Lackey record: 'hello'");
    BF_CHECK_STR(wl_err("I  0401b8c3,7\n L 0401b8c3,0\n", NULL),
                 "t:2: size 0 out of range (1..4096)");
    BF_CHECK_STR(wl_err("I  0401b8c3,7\n L 0401b8c3,99999\n", NULL),
                 "t:2: size 99999 out of range (1..4096)");
    BF_CHECK_STR(wl_err("I  0401b8c3,7\n L 12345678901234567890,4\n", NULL),
                 "t:2: address '12345678901234567890,4' is too large");
    /* 2^64 - 1 is the largest address; more than 16 digits are fine when the rest are leading
    ** zeros (the hex parser's overflow test looks at the significant digits only) */
    BF_CHECK_STR(wl_err("I  0401b8c3,7\n L 10000000000000000,4\n", NULL),
                 "t:2: address '10000000000000000,4' is too large");
    BF_CHECK_STR(wl_err("I  0401b8c3,7\n L 0000000000000000000401b8c3,4\n", NULL), "(no error)");
    BF_CHECK_STR(wl_err("I  0401b8c3,7\n L 00000000000000000000000000,4\n", NULL), "(no error)");
    BF_CHECK_STR(
        wl_err("I  0401b8c3,7\n L 0000000000000000000000000000000000000000000000000000000"
               "000000000000000000000000000000000000000000000000000000000000000000000000001"
               "0000000000000000,4\n",
               NULL),
        "t:2: address '0000000000000000000000000000000000000000' is too large");
    BF_CHECK_STR(wl_err("I  0401b8c3,7\n L 0401b8c3 4\n", NULL),
                 "t:2: bad Lackey address '0401b8c3' (expected hex,size)");
    BF_CHECK_STR(wl_err("I  0401b8c3,7\n S 0401b8c3,4x\n", NULL),
                 "t:2: bad Lackey size in '0401b8c3,4x'");
    BF_CHECK_STR(wl_err("I  ffffffffffffffff,2\n", NULL),
                 "t:1: access 0xffffffffffffffff+2 wraps past the 64-bit space");
    bf_trace_options o;
    bf_trace_options_default(&o);
    o.map_mode = BF_MAPMODE_IDENTITY;
    wl_read(wl_data(dir, "lackey_sample.txt"), NULL, 0, &o, &w);
    BF_CHECK_EQ(w.rc, BF_EINPUT);
    BF_CHECK_EQ(w.n, 7);
    BF_CHECK(strstr(w.err, "lackey_sample.txt:13: address 0x1ffefffd58+8 does not fit in 32 bits "
                           "(map identity)") != NULL);
}

static void din(const char *dir)
{
    wl_recs w;
    wl_read(wl_data(dir, "din_sample.din"), NULL, 0, NULL, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 7);
    /* Windows: 0x40 -> 0, 0x7fff -> 1, 0x1 -> 2; din addresses rounded down to 4, size 4. */
    WL_CHECK_ACC(w.r[0], BF_REC_IFETCH, 0x00000100u, 4);
    WL_CHECK_ACC(w.r[1], BF_REC_LOAD, 0x00015a3cu, 4);
    WL_CHECK_ACC(w.r[2], BF_REC_STORE, 0x00015a40u, 4);
    WL_CHECK_ACC(w.r[3], BF_REC_LOAD, 0x00020000u, 4); /* 0x10003 -> 0x10000 */
    WL_CHECK_ACC(w.r[4], BF_REC_LOAD, 0x00020008u, 4); /* label 3 (misc) is a read */
    BF_CHECK_EQ(w.r[5].type, BF_REC_OP);
    BF_CHECK_EQ(w.r[5].op, BF_OP_FLUSH);
    BF_CHECK_EQ(w.r[5].addr, 0x00020020u);
    BF_CHECK_EQ(w.r[5].count, 1);
    BF_CHECK_EQ(w.r[6].op, BF_OP_FLUSHINV);
    BF_CHECK_EQ(w.r[6].addr, 0x00020040u);
    BF_CHECK_STR(wl_err("2 400100\n7 400104\n", NULL), "t:2: bad din label '7' (0..5)");
    BF_CHECK_STR(wl_err("2 400100\n0 xyz\n", NULL), "t:2: bad address 'xyz'");
    BF_CHECK_STR(wl_err("2 400100\n0\n", NULL), "t:2: missing address");
}

static void xdin(const char *dir)
{
    wl_recs w;
    wl_read(wl_data(dir, "xdin_sample.xdin"), NULL, 0, NULL, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 9);
    WL_CHECK_ACC(w.r[0], BF_REC_IFETCH, 0x00000100u, 4);
    WL_CHECK_ACC(w.r[1], BF_REC_LOAD, 0x00015a3cu, 4);
    WL_CHECK_ACC(w.r[2], BF_REC_STORE, 0x00015a40u, 8);
    WL_CHECK_ACC(w.r[3], BF_REC_LOAD, 0x00020000u, 2); /* m = misc read */
    /* r 10003 4: misaligned, split 1 @ ..03, 2 @ ..04, 1 @ ..06 */
    WL_CHECK_ACC(w.r[4], BF_REC_LOAD, 0x00020003u, 1);
    WL_CHECK_ACC(w.r[5], BF_REC_LOAD, 0x00020004u, 2);
    WL_CHECK_ACC(w.r[6], BF_REC_LOAD, 0x00020006u, 1);
    /* c 10020 40 (hex: 64 bytes) covers lines 0x..20 and 0x..40 */
    BF_CHECK_EQ(w.r[7].type, BF_REC_OP);
    BF_CHECK_EQ(w.r[7].op, BF_OP_FLUSH);
    BF_CHECK_EQ(w.r[7].addr, 0x00020020u);
    BF_CHECK_EQ(w.r[7].count, 2);
    /* v 10000 0 (whole cache) is skipped; w 0x2000 0x10: host window 0 -> target window 3 */
    WL_CHECK_ACC(w.r[8], BF_REC_STORE, 0x00032000u, 16);
    BF_CHECK_EQ(w.r[8].line, 8);
    BF_CHECK_STR(wl_err("r 100 4\nq 100 4\n", NULL), "t:2: bad xdin type 'q' (r w i m c v)");
    BF_CHECK_STR(wl_err("r 100 4\nr 100\n", NULL), "t:2: missing size");
}

static void detection_and_forcing(const char *dir)
{
    bf_trace_options o;
    bf_trace_options_default(&o);
    wl_recs w;
    o.format = BF_FMT_DIN;
    wl_read(wl_data(dir, "xdin_sample.xdin"), NULL, 0, &o, &w);
    BF_CHECK(strstr(w.err, "xdin_sample.xdin:1: bad din label 'i' (0..5)") != NULL);
    o.format = BF_FMT_LACKEY;
    wl_read(wl_data(dir, "din_sample.din"), NULL, 0, &o, &w);
    BF_CHECK(strstr(w.err, "din_sample.din:1: not a Lackey record: '2'") != NULL);
    /* Forcing the right format works on the same file. */
    o.format = BF_FMT_XDIN;
    wl_read(wl_data(dir, "xdin_sample.xdin"), NULL, 0, &o, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 9);
    BF_CHECK_STR(wl_err("hello\nworld\n", NULL),
                 "t: cannot detect the trace format from its content (force one: native, binary, "
                 "lackey, din, xdin)");
    BF_CHECK_EQ(bf_trace_format_from_name("xdin"), BF_FMT_XDIN);
    BF_CHECK_EQ(bf_trace_format_from_name("nope"), -1);
    BF_CHECK_STR(bf_trace_format_name(BF_FMT_LACKEY), "lackey");
    /* CRLF Lackey. */
    wl_reads("==1== x\r\nI  00001000,4\r\n L 00001004,4\r\n", NULL, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 2);
    WL_CHECK_ACC(w.r[1], BF_REC_LOAD, 0x1004u, 4);
}

static size_t slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, cap, f) : 0;
    if (f)
        fclose(f);
    return n;
}

static void compressed(const char *dir)
{
    static char plain[8192];
    static unsigned char gz[16384], zs[16384];
    size_t n = slurp(wl_data(dir, "lackey_sample.txt"), plain, sizeof plain);
    BF_CHECK(n > 100);
    wl_recs ref, w;
    wl_read(NULL, plain, n, NULL, &ref);
    BF_CHECK_EQ(ref.n, 11);

    /* gzip with zlib (windowBits 15 + 16 = gzip wrapper). */
    z_stream z;
    memset(&z, 0, sizeof z);
    BF_CHECK_EQ(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)plain;
    z.avail_in = (uInt)n;
    z.next_out = gz;
    z.avail_out = sizeof gz;
    BF_CHECK_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t gzn = sizeof gz - z.avail_out;
    deflateEnd(&z);
    BF_CHECK(gz[0] == 0x1f && gz[1] == 0x8b);
    wl_read(NULL, (const char *)gz, gzn, NULL, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, ref.n);
    BF_CHECK_EQ(w.r[10].addr, ref.r[10].addr);
    /* Two concatenated gzip members are one stream (22 records). */
    static unsigned char two[32768];
    memcpy(two, gz, gzn);
    memcpy(two + gzn, gz, gzn);
    wl_read(NULL, (const char *)two, 2 * gzn, NULL, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 22);
    /* Truncated gzip: an error naming the line being read. */
    wl_read(NULL, (const char *)gz, gzn - 10, NULL, &w);
    BF_CHECK_EQ(w.rc, BF_EINPUT);
    BF_CHECK(strstr(w.err, "truncated gzip stream") != NULL);
    /* Trailing garbage after a gzip member. */
    memcpy(two, gz, gzn);
    memcpy(two + gzn, "junk", 4);
    wl_read(NULL, (const char *)two, gzn + 4, NULL, &w);
    BF_CHECK(strstr(w.err, "trailing garbage after the gzip stream") != NULL);

    /* zstd with libzstd. */
    size_t zn = ZSTD_compress(zs, sizeof zs, plain, n, 3);
    BF_CHECK(!ZSTD_isError(zn));
    wl_read(NULL, (const char *)zs, zn, NULL, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, ref.n);
    wl_read(NULL, (const char *)zs, zn - 5, NULL, &w);
    BF_CHECK_EQ(w.rc, BF_EINPUT);
    BF_CHECK(strstr(w.err, "truncated zstd stream") != NULL ||
             strstr(w.err, "corrupt zstd") != NULL);
    zs[zn / 2] ^= 0x55;
    wl_read(NULL, (const char *)zs, zn, NULL, &w);
    BF_CHECK(w.rc == BF_EINPUT ||
             w.rc == BF_EEOF); /* corrupt data is an error or, rarely, parses */

    /* The command-line tools' output, when they are installed (an oracle we did not write). */
    char tmpl[] = "/tmp/bfwl-cmp-XXXXXX";
    if (!mkdtemp(tmpl))
        return;
    char cmd[2048], out[1024];
    const char *tools[2][2] = {{"gzip", "gzip -c"}, {"zstd", "zstd -q -c"}};
    for (int t = 0; t < 2; t++) {
        snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tools[t][0]);
        if (system(cmd) != 0)
            continue;
        snprintf(out, sizeof out, "%s/lackey.%s", tmpl, tools[t][0]);
        snprintf(cmd, sizeof cmd, "%s '%s' > '%s'", tools[t][1], wl_data(dir, "lackey_sample.txt"),
                 out);
        BF_CHECK_EQ(system(cmd), 0);
        wl_read(out, NULL, 0, NULL, &w);
        BF_CHECK_EQ(w.rc, BF_EEOF);
        BF_CHECK_EQ(w.n, 11);
        bf_trace_reader *r;
        char err[256];
        BF_CHECK_EQ(bf_trace_open(out, NULL, &r, err, sizeof err), BF_OK);
        BF_CHECK_EQ(bf_trace_compression(r), t == 0 ? BF_COMP_GZIP : BF_COMP_ZSTD);
        bf_trace_close(r);
        unlink(out);
    }
    rmdir(tmpl);
}

static void from_stdin(const char *dir)
{
    /* Path "-" reads standard input. */
    if (!freopen(wl_data(dir, "din_sample.din"), "rb", stdin)) {
        BF_CHECK(0);
        return;
    }
    wl_recs w;
    wl_read("-", NULL, 0, NULL, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 7);
    BF_CHECK_STR(wl_err("", NULL), "t: empty file: cannot detect the trace format");
}

/* ---- Lackey's batch path (bf_trace_foreign_batch) against one record at a time ---- */

typedef struct lk_all {
    bf_trace_rec *r;
    size_t n, cap;
    int rc;
    char err[1024];
    bf_trace_reader_stats st;
} lk_all;

/* Every record of the file, by bf_trace_next (batch 0) or bf_trace_next_batch of `batch`. */
static void lk_read(const char *path, const bf_trace_options *o, size_t batch, lk_all *a)
{
    memset(a, 0, sizeof *a);
    bf_trace_reader *r;
    a->rc = bf_trace_open(path, o, &r, a->err, sizeof a->err);
    if (a->rc)
        return;
    bf_trace_rec buf[256];
    for (;;) {
        size_t n = 0;
        int rc = batch ? bf_trace_next_batch(r, buf, batch, &n) : bf_trace_next(r, &buf[n++]);
        if (rc != BF_OK) {
            a->rc = rc;
            snprintf(a->err, sizeof a->err, "%s", rc == BF_EEOF ? "" : bf_trace_error(r));
            break;
        }
        BF_CHECK(n >= 1 && n <= (batch ? batch : 1));
        if (a->n + n > a->cap) {
            a->cap = a->cap ? a->cap * 2 : 4096;
            a->r = realloc(a->r, a->cap * sizeof *a->r);
            BF_CHECK(a->r != NULL);
        }
        memcpy(a->r + a->n, buf, n * sizeof *buf);
        a->n += n;
    }
    a->st = *bf_trace_reader_stats_of(r);
    bf_trace_close(r);
}

/* Both ways must give the same records (every field, line numbers included), the same end or
** error message, and the same reader statistics; returns the reference's record count. */
static size_t lk_same(const char *path, const bf_trace_options *o, int expect_rc)
{
    lk_all ref, got;
    lk_read(path, o, 0, &ref);
    BF_CHECK_EQ(ref.rc, expect_rc);
    if (ref.rc != expect_rc)
        fprintf(stderr, "  (%s)\n", ref.err);
    static const size_t sizes[] = {1, 7, 256};
    for (size_t k = 0; k < BF_ARRAY_SIZE(sizes); k++) {
        lk_read(path, o, sizes[k], &got);
        BF_CHECK_EQ(got.rc, ref.rc);
        BF_CHECK_STR(got.err, ref.err);
        BF_CHECK_EQ(got.n, ref.n);
        size_t bad = 0;
        for (size_t i = 0; i < ref.n && i < got.n; i++)
            bad += memcmp(&ref.r[i], &got.r[i], sizeof ref.r[i]) != 0;
        BF_CHECK_EQ(bad, 0);
        BF_CHECK(memcmp(&ref.st, &got.st, sizeof ref.st) == 0);
        free(got.r);
    }
    free(ref.r);
    return ref.n;
}

/* A long Lackey file (several 256 KB input buffers): record lines of every kind with addresses of
** 1 to 16 hex digits (upper and lower case) and sizes 1 to 40 (misaligned ones split, some
** crossing a map window), between blank, commentary, superblock and "\r\n" lines; `bad` puts a
** malformed line (or, with identity, an address above 32 bits) at line 50000; the last line has
** no newline. */
static void lk_write(const char *path, int bad, int identity)
{
    FILE *f = fopen(path, "w");
    BF_CHECK(f != NULL);
    uint64_t x = 88172645463325252ull;
    static const char *kinds[] = {"I  ", " L ", " S ", " M "};
    for (int i = 1; i <= 60000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned k = (unsigned)(x % 100);
        if (bad && i == 50000) {
            fputs(bad == 1 ? " L 0x10,4\n" : bad == 2 ? "I  1000,0\n" : " S 100000000,4\n", f);
            continue;
        }
        if (k < 3) {
            fputs(k == 0   ? "\n"
                  : k == 1 ? "==4242== Lackey, an example Valgrind tool\n"
                           : "SB 401a3c\n",
                  f);
            continue;
        }
        /* 4 windows of code and data, 16 far ones (a 47-bit stack), 8 boundaries crossed */
        uint64_t a = identity ? (x >> 20) & 0xfffffff
                     : k < 90 ? 0x4000000u + ((x >> 20) & 0x3ffff)
                              : 0x7ff000000000u + ((x >> 20) & 0xfffff);
        if (!identity && k >= 90 && k < 93)
            a = ((0x7fe0u + (x >> 30) % 8) << 16) - 2; /* crosses a 64 KB window boundary */
        unsigned sz = k < 60 ? 1u << ((x >> 40) % 4) : 1 + (unsigned)((x >> 44) % 40);
        fprintf(f, (x >> 50) & 1 ? "%s%" PRIx64 ",%u%s" : "%s%08" PRIX64 ",%u%s",
                kinds[(x >> 8) % 4], a, sz,
                k == 97      ? "\r\n"
                : i == 60000 ? ""
                             : "\n");
    }
    fclose(f);
}

static void lackey_batch(void)
{
    char path[] = "/tmp/bf-lackey-batch-XXXXXX";
    int fd = mkstemp(path);
    BF_CHECK(fd >= 0);
    close(fd);
    bf_trace_options o;
    bf_trace_options_default(&o);
    o.map_window = 64 * 1024;
    lk_write(path, 0, 0);
    BF_CHECK(lk_same(path, &o, BF_EEOF) > 60000);
    o.misaligned = BF_MISALIGNED_COUNT_ONCE;
    lk_same(path, &o, BF_EEOF);
    o.map_limit = 24 * 64 * 1024; /* the map fills up part-way: the same error at the same line */
    lk_same(path, &o, BF_EINPUT);
    bf_trace_options_default(&o);
    for (int bad = 1; bad <= 2; bad++) {
        lk_write(path, bad, 0);
        BF_CHECK(lk_same(path, &o, BF_EINPUT) > 40000);
    }
    o.map_mode = BF_MAPMODE_IDENTITY;
    lk_write(path, 0, 1);
    lk_same(path, &o, BF_EEOF);
    lk_write(path, 3, 1);
    lk_same(path, &o, BF_EINPUT);
    unlink(path);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
        return 2;
    }
    lackey(argv[1]);
    din(argv[1]);
    xdin(argv[1]);
    detection_and_forcing(argv[1]);
    compressed(argv[1]);
    from_stdin(argv[1]);
    lackey_batch();
    return bf_test_exit();
}
