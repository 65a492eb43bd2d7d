/*
** test_trace_native.c: the native text reader against a hand-written sample holding every
** record kind, and every malformed-input rule with its exact message (file:line: reason).
** Expectations are worked by hand from docs/trace-format.md.
*/
#include "wl_test.h"

static void sample(const char *dir)
{
    wl_recs w;
    wl_read(wl_data(dir, "native_sample.bft"), NULL, 0, NULL, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    /* 19 records, in file order (lines 7..25 of the sample). */
    BF_CHECK_EQ(w.n, 19);
    BF_CHECK_EQ(w.r[0].type, BF_REC_PHASE);
    BF_CHECK_STR(w.r[0].name, "init");
    BF_CHECK_EQ(w.r[0].line, 7);
    BF_CHECK_EQ(w.r[1].type, BF_REC_MODE);
    BF_CHECK_EQ(w.r[1].mode, BF_MODE_SUPV);
    BF_CHECK_EQ(w.r[2].type, BF_REC_MMR);
    BF_CHECK_EQ(w.r[2].addr, 0xffe00004u);
    BF_CHECK_EQ(w.r[2].value, 0xd);
    WL_CHECK_ACC(w.r[3], BF_REC_IFETCH, 0xffa00000u, 4);
    WL_CHECK_ACC(w.r[4], BF_REC_LOAD, 0xff800000u, 4);
    WL_CHECK_ACC(w.r[5], BF_REC_STORE, 0xff800004u, 2);
    WL_CHECK_ACC(w.r[6], BF_REC_MODIFY, 0x1000u, 1);
    BF_CHECK_EQ(w.r[7].type, BF_REC_GAP);
    BF_CHECK_EQ(w.r[7].value, 12);
    BF_CHECK_EQ(w.r[8].type, BF_REC_OP);
    BF_CHECK_EQ(w.r[8].op, BF_OP_SSYNC);
    BF_CHECK_EQ(w.r[9].op, BF_OP_CSYNC);
    BF_CHECK_EQ(w.r[10].op, BF_OP_FLUSH);
    BF_CHECK_EQ(w.r[10].addr, 0x2000);
    BF_CHECK_EQ(w.r[10].count, 1);
    BF_CHECK_EQ(w.r[11].op, BF_OP_FLUSHINV);
    BF_CHECK_EQ(w.r[11].count, 4);
    BF_CHECK_EQ(w.r[12].op, BF_OP_IFLUSH);
    BF_CHECK_EQ(w.r[12].count, 2);
    BF_CHECK_EQ(w.r[13].op, BF_OP_PREFETCH);
    BF_CHECK_EQ(w.r[14].type, BF_REC_DMA);
    BF_CHECK_EQ(w.r[14].chan, 3);
    BF_CHECK_EQ(w.r[14].addr, 0x10000);
    BF_CHECK_EQ(w.r[14].addr2, 0xff900000u);
    BF_CHECK_EQ(w.r[14].value, 256);
    BF_CHECK_EQ(w.r[14].has_start, 1);
    BF_CHECK_EQ(w.r[14].start, 1000);
    BF_CHECK_EQ(w.r[15].has_start, 0);
    BF_CHECK_EQ(w.r[16].mode, BF_MODE_USER);
    BF_CHECK_STR(w.r[17].name, "main_loop");
    /* L 0x1001 4: misaligned (4 bytes at an odd address): a Blackfin faults. */
    WL_CHECK_ACC(w.r[18], BF_REC_LOAD, 0x1001u, 4);
    BF_CHECK_EQ(w.r[18].misaligned, BF_MISAL_FAULT);
    BF_CHECK_EQ(w.r[18].line, 25);
    BF_CHECK_EQ(w.r[4].misaligned, BF_MISAL_NONE);

    bf_trace_reader *r;
    char err[256];
    BF_CHECK_EQ(bf_trace_open(wl_data(dir, "native_sample.bft"), NULL, &r, err, sizeof err), BF_OK);
    BF_CHECK_EQ(bf_trace_detected_format(r), BF_FMT_NATIVE_TEXT);
    BF_CHECK_EQ(bf_trace_header_count(r), 4); /* program, recorder, date, map */
    BF_CHECK_STR(bf_trace_header_get(r, "program"), "fir-kernel");
    BF_CHECK_STR(bf_trace_header_get(r, "map"), "host 0x0 -> 0x0 len 0x10000");
    BF_CHECK(bf_trace_header_get(r, "nothing") == NULL);
    bf_trace_close(r);
}

static void errors(void)
{
    /* Forced native on an empty input: no line yet, so "file: reason". */
    bf_trace_options o;
    bf_trace_options_default(&o);
    o.format = BF_FMT_NATIVE_TEXT;
    BF_CHECK_STR(wl_err("", &o), "t: empty file (expected '#bfsim-trace 1')");
    BF_CHECK_STR(wl_err("", NULL), "t: empty file: cannot detect the trace format");
    BF_CHECK_STR(wl_err("L 0x100 4\n", &o), "t:1: missing '#bfsim-trace 1' header line");
    BF_CHECK_STR(wl_err("#bfsim-trace 2\n", NULL),
                 "t:1: unsupported format version 2 (this reader: 1)");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nL 0x100 4\nX 1 2\n", NULL), "t:3: unknown record 'X'");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nL 0x100000000 4\n", NULL),
                 "t:2: address 0x100000000 does not fit in 32 bits");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nL 0x100 0\n", NULL), "t:2: size 0 out of range (1..4096)");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nS 0x100 5000\n", NULL),
                 "t:2: size 5000 out of range (1..4096)");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nL 0xfffffffe 4\n", NULL),
                 "t:2: access 0xfffffffe+4 runs past 0xffffffff");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nL 0x100 4 junk\n", NULL),
                 "t:2: unexpected 'junk' after the record");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nL 0x1g0 4\n", NULL), "t:2: bad address '0x1g0'");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nL 0x100\n", NULL), "t:2: missing size");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nL 99999999999999999999999 4\n", NULL),
                 "t:2: address '99999999999999999999999' is too large");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nG 0\n", NULL), "t:2: gap of 0 cycles");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nMODE kernel\n", NULL),
                 "t:2: bad mode 'kernel' (user or supervisor)");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nPHASE a/b\n", NULL),
                 "t:2: bad phase name 'a/b' ([A-Za-z0-9_.-], 1..63 characters)");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nMMR 0x1000 1\n", NULL),
                 "t:2: MMR address 0x00001000 is not a 4-byte aligned MMR (0xffc00000..)");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nDMA 1 0x0 0x100 0\n", NULL),
                 "t:2: byte count 0 out of range (1..4294967295)");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nFLUSH 0x100 0\n", NULL),
                 "t:2: count 0 out of range (1..4294967295)");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nSSYNC 0x100\n", NULL),
                 "t:2: unexpected '0x100' after the record");
    BF_CHECK_STR(wl_err("#bfsim-trace 1\n#misaligned: sometimes\n", NULL),
                 "t:2: header 'misaligned' must be fault or count-once");
    /* Truncated last line (no newline, record cut short). */
    BF_CHECK_STR(wl_err("#bfsim-trace 1\nL 0x100 4\nS 0x2", NULL), "t:3: missing size");
    /* A NUL byte inside a line is garbage, not an end of line. */
    static const char nul[] = "#bfsim-trace 1\nL 0x100 4\0zz\n";
    wl_recs w;
    wl_read(NULL, nul, sizeof nul - 1, NULL, &w);
    BF_CHECK_STR(w.err, "t:2: NUL byte in a text line");
    /* A line of 5000 characters exceeds the 4096-byte limit. */
    size_t big = 5000;
    char *s = malloc(big + 32);
    strcpy(s, "#bfsim-trace 1\n");
    memset(s + 15, 'x', big);
    strcpy(s + 15 + big, "\n");
    BF_CHECK_STR(wl_err(s, NULL), "t:2: line longer than 4096 bytes");
    /* Exactly 4096 bytes (a comment) is accepted, with or without a CR before the newline. */
    s[15] = '#';
    strcpy(s + 15 + 4096, "\r\nG 1\n");
    BF_CHECK_STR(wl_err(s, NULL), "(no error)");
    strcpy(s + 15 + 4096, "\nG 1\n");
    BF_CHECK_STR(wl_err(s, NULL), "(no error)");
    s[15 + 4096] = 'x'; /* 4097 bytes */
    strcpy(s + 15 + 4097, "\nG 1\n");
    BF_CHECK_STR(wl_err(s, NULL), "t:2: line longer than 4096 bytes");
    free(s);
    /* The NUL check scans each buffer once (bf_tio.c, algorithm 1): NUL-free lines spread over
    ** several buffers all read, and a NUL far beyond the first buffer is reported on its line. */
    enum { LINES = 40000, LINE = 10 }; /* "L 0x100 4\n": 400 KB, more than BF_TIO_BUF */
    char *big_t = malloc(16 + (size_t)LINES * LINE);
    size_t k = (size_t)sprintf(big_t, "#bfsim-trace 1\n");
    for (int i = 0; i < LINES; i++)
        k += (size_t)sprintf(big_t + k, "L 0x100 4\n");
    for (int pass = 0; pass < 2; pass++) {
        if (pass)
            big_t[15 + 30000 * LINE + 3] = '\0'; /* record 30000 (0-based), file line 30002 */
        bf_trace_reader *r;
        char err[256];
        bf_trace_rec rec;
        size_t n = 0;
        int rc;
        BF_CHECK_EQ(bf_trace_open_mem(big_t, k, "t", NULL, &r, err, sizeof err), BF_OK);
        while ((rc = bf_trace_next(r, &rec)) == BF_OK)
            n++;
        BF_CHECK_EQ(n, pass ? 30000u : (size_t)LINES);
        BF_CHECK_EQ(rc, pass ? BF_EINPUT : BF_EEOF);
        if (pass)
            BF_CHECK_STR(bf_trace_error(r), "t:30002: NUL byte in a text line");
        bf_trace_close(r);
    }
    free(big_t);
    /* The error is sticky. */
    bf_trace_reader *r;
    char err[256];
    const char *t = "#bfsim-trace 1\nQ\nL 0x0 4\n";
    BF_CHECK_EQ(bf_trace_open_mem(t, strlen(t), "t", NULL, &r, err, sizeof err), BF_OK);
    bf_trace_rec rec;
    BF_CHECK_EQ(bf_trace_next(r, &rec), BF_EINPUT);
    BF_CHECK_EQ(bf_trace_next(r, &rec), BF_EINPUT);
    BF_CHECK_STR(bf_trace_error(r), "t:2: unknown record 'Q'");
    bf_trace_close(r);
}

static void crlf_and_count_once(void)
{
    /* CRLF endings, blank lines and comments between records; the header asks count-once. */
    wl_recs w;
    wl_reads("#bfsim-trace 1\r\n#misaligned: count-once\r\nL 0x102 4\r\n\r\n# c\r\nG 5\r\n", NULL,
             &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 2);
    WL_CHECK_ACC(w.r[0], BF_REC_LOAD, 0x102u, 4);
    BF_CHECK_EQ(w.r[0].misaligned, BF_MISAL_ONCE);
    BF_CHECK_EQ(w.r[1].value, 5);
    BF_CHECK_EQ(w.r[1].line, 6);
    /* A header-only file is a valid empty trace. */
    wl_reads("#bfsim-trace 1\n#program: x\n", NULL, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
        return 2;
    }
    sample(argv[1]);
    errors();
    crlf_and_count_once();
    return bf_test_exit();
}
