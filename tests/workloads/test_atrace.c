/*
** test_atrace.c: allocation-trace readers (native, ftrace kmem events in the old and new line
** layouts of reference kernel-allocators section 8.1, malloc-lab .rep, ltrace) against the
** hand-written samples in data/, pairing errors (unmatched and double frees) with their line,
** lenient mode, GFP parsing (2.6.24 values, reference section 1.6), the native writer's round
** trip and refusals, and what a reader reports besides records (format, compression, header).
*/
#define _POSIX_C_SOURCE 200809L
#include "wl_test.h"

#include <unistd.h>

#define A(i) (w.r[i])

/* Make path (a mkstemp template) an empty temporary file; 0 (a failed check) if it cannot. */
static int tmp_file(char *path)
{
    int fd = mkstemp(path);
    BF_CHECK(fd >= 0);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

static void native(const char *dir)
{
    wl_arecs w;
    wl_aread(wl_data(dir, "native_sample.bfa"), NULL, BF_AFMT_AUTO, 0, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 15);
    BF_CHECK_EQ(A(0).op, BF_AOP_PHASE);
    BF_CHECK_STR(A(0).name, "boot");
    BF_CHECK_EQ(A(1).op, BF_AOP_KMALLOC);
    BF_CHECK_EQ(A(1).id, 1);
    BF_CHECK_EQ(A(1).size, 100);
    BF_CHECK_EQ(A(1).gfp, 0xd0); /* GFP_KERNEL = __GFP_WAIT|__GFP_IO|__GFP_FS */
    BF_CHECK_STR(A(1).site, "init_setup");
    BF_CHECK_EQ(A(1).time_ns, 1000);
    BF_CHECK_EQ(A(2).op, BF_AOP_PAGES_ALLOC);
    BF_CHECK_EQ(A(2).order, 3);
    BF_CHECK_EQ(A(2).gfp, 0xd1); /* GFP_KERNEL|__GFP_DMA */
    BF_CHECK_EQ(A(4).op, BF_AOP_CACHE_ALLOC);
    BF_CHECK_STR(A(4).name, "dentry");
    BF_CHECK_EQ(A(4).gfp, 0x20); /* GFP_ATOMIC = __GFP_HIGH */
    BF_CHECK_EQ(A(8).op, BF_AOP_RECLAIMABLE);
    BF_CHECK_EQ(A(8).value, 100);
    BF_CHECK_EQ(A(9).op, BF_AOP_FREE);
    BF_CHECK_EQ(A(9).id, 6);
    BF_CHECK_EQ(A(12).op, BF_AOP_CACHE_FREE);
    BF_CHECK_STR(A(12).name, "dentry");
    BF_CHECK_EQ(A(13).op, BF_AOP_PAGES_FREE);
    BF_CHECK_EQ(A(13).order, 3);
    BF_CHECK_EQ(A(14).op, BF_AOP_KFREE);
    BF_CHECK_EQ(A(14).line, 17);

    const char *h = "#bfsim-alloc 1\n";
    char b[512];
#define NAT(body) (snprintf(b, sizeof b, "%s%s", h, body), wl_aerr(b, BF_AFMT_AUTO))
    BF_CHECK_STR(NAT("kfree 7\n"), "a:2: unmatched free of id 7");
    BF_CHECK_STR(NAT("malloc 7 10\nfree 7\nfree 7\n"),
                 "a:4: double free of id 7 (freed at line 3)");
    BF_CHECK_STR(
        NAT("malloc 7 10\nmalloc 7 10\n"),
        "a:3: allocation of id 7 which is still live (allocated at line 2; its free is missing)");
    BF_CHECK_STR(NAT("kmalloc 7 10\nfree 7\n"), "a:3: free of id 7 allocated by kmalloc at line 2");
    BF_CHECK_STR(NAT("pages_alloc 7 2\npages_free 7 1\n"),
                 "a:3: pages_free of id 7 with order 1, allocated with order 2");
    BF_CHECK_STR(NAT("cache_alloc a 7 10\ncache_free b 7\n"),
                 "a:3: cache_free of id 7 from cache 'b', allocated from 'a'");
    BF_CHECK_STR(NAT("kmalloc 1 10 GFP_BOGUS\n"), "a:2: bad GFP flags 'GFP_BOGUS'");
    BF_CHECK_STR(NAT("kmalloc 1 99999999999\n"),
                 "a:2: size 99999999999 exceeds 4 GiB (the BF533 address space)");
    BF_CHECK_STR(NAT("pages_alloc 1 31\n"), "a:2: order 31 out of range (0..30)");
    BF_CHECK_STR(NAT("kmalloc 1\n"), "a:2: missing size");
    BF_CHECK_STR(NAT("kmalloc x 1\n"), "a:2: bad id 'x'");
    BF_CHECK_STR(NAT("brk 1 2\n"), "a:2: unknown record 'brk'");
    BF_CHECK_STR(NAT("kmallo 1 2\n"), "a:2: unknown record 'kmallo'"); /* a keyword's prefix */
    BF_CHECK_STR(NAT("mallocc 1 2\n"), "a:2: unknown record 'mallocc'");
    BF_CHECK_STR(NAT("fref 1\n"), "a:2: unknown record 'fref'"); /* length and first letter */
    /* Decimal limits: 19 digits always fit; 2^64 - 1 is the largest id; a longer run of digits
    ** is checked again, leading zeros allowed. */
    BF_CHECK_STR(NAT("malloc 9999999999999999999 8\nfree 9999999999999999999\n"), "(no error)");
    BF_CHECK_STR(NAT("malloc 18446744073709551615 8\nfree 18446744073709551615\n"), "(no error)");
    BF_CHECK_STR(NAT("malloc 18446744073709551616 8\n"),
                 "a:2: id '18446744073709551616' is too large");
    BF_CHECK_STR(NAT("malloc 99999999999999999999 8\n"),
                 "a:2: id '99999999999999999999' is too large");
    BF_CHECK_STR(NAT("malloc 00000000000000000000000042 8\nfree 42\n"), "(no error)");
    BF_CHECK_STR(NAT("malloc 1 8 t=18446744073709551615\nfree 1 t=184467440737095516150\n"),
                 "a:3: bad time 't=184467440737095516150'");
    BF_CHECK_STR(NAT("malloc 1 2 GFP_KERNEL\n"), "a:2: unexpected 'GFP_KERNEL' after the record");
    BF_CHECK_STR(NAT("kmalloc 1 2 @site t=x\n"), "a:2: bad time 't=x'");
    BF_CHECK_STR(wl_aerr("#bfsim-alloc 3\n", BF_AFMT_AUTO),
                 "a:1: unsupported format version 3 (this reader: 1)");
    BF_CHECK_STR(wl_aerr("", BF_AFMT_NATIVE), "a: empty file (expected '#bfsim-alloc 1')");
    BF_CHECK_STR(wl_aerr("", BF_AFMT_AUTO),
                 "a: empty file: cannot detect the allocation-trace format");
    /* CRLF and lenient mode: the unmatched and the double free are skipped and counted. */
    wl_aread(NULL, "#bfsim-alloc 1\r\nmalloc 1 8\r\nfree 1\r\nfree 1\r\nfree 9\r\n", BF_AFMT_AUTO,
             1, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 2);
    BF_CHECK_EQ(w.st.double_frees, 1);
    BF_CHECK_EQ(w.st.unmatched_frees, 1);
}

static void ftrace_old(const char *dir)
{
    wl_arecs w;
    wl_aread(wl_data(dir, "ftrace_old.txt"), NULL, BF_AFMT_AUTO, 0, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 7);
    BF_CHECK_EQ(A(0).op, BF_AOP_KMALLOC);
    BF_CHECK_EQ(A(0).id, 1);
    BF_CHECK_EQ(A(0).size, 29);
    BF_CHECK_EQ(A(0).gfp, 0xd0);
    BF_CHECK_STR(A(0).site, "c104dd2f");
    BF_CHECK_EQ(A(0).time_ns, 150000000ULL);
    BF_CHECK_EQ(A(0).line, 5);
    /* kmem_cache_alloc without name=: cache "size-<bytes_alloc>", object size bytes_alloc. */
    BF_CHECK_EQ(A(1).op, BF_AOP_CACHE_ALLOC);
    BF_CHECK_STR(A(1).name, "size-160");
    BF_CHECK_EQ(A(1).size, 160);
    BF_CHECK_EQ(A(1).gfp, 0xd0 | 0x8000); /* GFP_KERNEL|GFP_ZERO */
    BF_CHECK_EQ(A(2).op, BF_AOP_CACHE_FREE);
    BF_CHECK_EQ(A(2).id, 2);
    BF_CHECK_STR(A(2).name, "size-160");
    BF_CHECK_EQ(A(3).op, BF_AOP_KMALLOC); /* kmalloc_node; the "ptr=  (null)" kfree was skipped */
    BF_CHECK_EQ(A(3).id, 3);
    BF_CHECK_EQ(A(3).size, 22);
    BF_CHECK_EQ(A(4).op, BF_AOP_PAGES_ALLOC);
    BF_CHECK_EQ(A(4).id, 4);
    BF_CHECK_EQ(A(4).order, 0);
    BF_CHECK_EQ(A(4).time_ns, 4415246466000ULL);
    BF_CHECK_EQ(A(5).op, BF_AOP_PAGES_FREE); /* mm_page_free_direct, paired by pfn */
    BF_CHECK_EQ(A(5).id, 4);
    BF_CHECK_EQ(A(6).op, BF_AOP_KFREE);
    BF_CHECK_EQ(A(6).id, 1);
    BF_CHECK_EQ(w.st.null_frees, 1);
    BF_CHECK_EQ(w.st.ignored_events, 1); /* sched_switch */
    BF_CHECK_EQ(w.st.skipped, 4);        /* the '#' header lines */
}

static void ftrace_new(const char *dir)
{
    wl_arecs w;
    wl_aread(wl_data(dir, "ftrace_new.txt"), NULL, BF_AFMT_AUTO, 0, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 8);
    BF_CHECK_EQ(A(1).op, BF_AOP_KMALLOC);
    BF_CHECK_EQ(A(1).id, 2);
    BF_CHECK_EQ(A(1).size, 4096);
    BF_CHECK_STR(A(1).site, "putname+0x47/0x50"); /* %pS call site */
    BF_CHECK_EQ(A(1).time_ns, 12000100000ULL);
    BF_CHECK_EQ(A(2).op, BF_AOP_CACHE_ALLOC);
    BF_CHECK_STR(A(2).name, "inode_cache");
    BF_CHECK_EQ(A(2).size, 640);
    BF_CHECK_EQ(A(3).op, BF_AOP_CACHE_FREE); /* comm "Web Content" holds a blank */
    BF_CHECK_EQ(A(3).id, 3);
    BF_CHECK_EQ(A(4).op, BF_AOP_PAGES_ALLOC);
    BF_CHECK_EQ(A(4).order, 2);
    /* GFP_HIGHUSER_MOVABLE|__GFP_COMP = WAIT|IO|FS|HARDWALL|HIGHMEM|MOVABLE|COMP */
    BF_CHECK_EQ(A(4).gfp, 0x10u | 0x40 | 0x80 | 0x20000 | 0x02 | 0x100000 | 0x4000);
    BF_CHECK_EQ(A(5).op, BF_AOP_PAGES_FREE);
    BF_CHECK_EQ(A(5).id, 4);
    BF_CHECK_EQ(A(5).order, 2);
    BF_CHECK_EQ(A(6).op, BF_AOP_KFREE);
    BF_CHECK_EQ(A(6).id, 2);
    BF_CHECK_EQ(A(7).id, 1);
    BF_CHECK_EQ(w.st.ignored_events, 1); /* mm_page_alloc_zone_locked */

    wl_aread(wl_data(dir, "ftrace_bare.txt"), NULL, BF_AFMT_AUTO, 0, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 2);
    BF_CHECK_EQ(A(0).op, BF_AOP_PAGES_ALLOC);
    BF_CHECK_EQ(A(1).op, BF_AOP_PAGES_FREE);
    BF_CHECK_EQ(A(1).id, 1);

    const char *k = "init-1 [000] .N.. 0.1: ";
    char b[1024];
#define FT(body) (snprintf(b, sizeof b, "# tracer: nop\n%s", body), wl_aerr(b, BF_AFMT_AUTO))
    snprintf(b, sizeof b, "# tracer: nop\n%skfree: call_site=c1 ptr=c0ffee\n", k);
    BF_CHECK_STR(wl_aerr(b, BF_AFMT_AUTO), "a:2: unmatched free of ptr=0xc0ffee");
    snprintf(b, sizeof b,
             "# tracer: nop\n%skmalloc: call_site=c1 ptr=c0 bytes_req=8 bytes_alloc=8 "
             "gfp_flags=GFP_KERNEL\n"
             "%skfree: call_site=c1 ptr=c0\n%skfree: call_site=c1 ptr=c0\n",
             k, k, k);
    BF_CHECK_STR(wl_aerr(b, BF_AFMT_AUTO), "a:4: double free of ptr=0xc0 (freed at line 3)");
    BF_CHECK_STR(FT("garbage line here\n"), "a:2: not an ftrace event line: 'garbage'");
    snprintf(b, sizeof b, "# tracer: nop\n%skmalloc: call_site=c1 ptr=zz bytes_req=8\n", k);
    BF_CHECK_STR(wl_aerr(b, BF_AFMT_AUTO), "a:2: bad ptr='zz'");
    snprintf(b, sizeof b, "# tracer: nop\n%skmalloc: call_site=c1 ptr=c0\n", k);
    BF_CHECK_STR(wl_aerr(b, BF_AFMT_AUTO), "a:2: missing bytes_req=");
    snprintf(b, sizeof b,
             "# tracer: nop\n%smm_page_alloc: page=x pfn=5 order=0 gfp_flags=GFP_KERNEL\n"
             "%smm_page_free: page=x pfn=5 order=1\n",
             k, k);
    BF_CHECK_STR(wl_aerr(b, BF_AFMT_AUTO),
                 "a:3: page free of pfn=5 with order 1, allocated with order 0");
}

static void rep(const char *dir)
{
    wl_arecs w;
    wl_aread(wl_data(dir, "sample.rep"), NULL, BF_AFMT_AUTO, 0, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 10); /* 9 operations, the realloc giving two records */
    BF_CHECK_EQ(A(0).op, BF_AOP_MALLOC);
    BF_CHECK_EQ(A(0).id, 0);
    BF_CHECK_EQ(A(0).size, 100);
    BF_CHECK_EQ(A(0).line, 5);
    BF_CHECK_EQ(A(2).op, BF_AOP_FREE); /* r 0 300 = free 0 + malloc 0 300 */
    BF_CHECK_EQ(A(2).id, 0);
    BF_CHECK_EQ(A(2).line, 7);
    BF_CHECK_EQ(A(3).op, BF_AOP_MALLOC);
    BF_CHECK_EQ(A(3).id, 0);
    BF_CHECK_EQ(A(3).size, 300);
    BF_CHECK_EQ(A(3).line, 7);
    BF_CHECK_EQ(A(6).size, 0); /* a 3 0 */
    BF_CHECK_EQ(A(9).op, BF_AOP_FREE);
    BF_CHECK_EQ(A(9).id, 3);
    const char *hd = "100\n3\n3\n1\n";
    char b[256];
#define REP(body) (snprintf(b, sizeof b, "%s%s", hd, body), wl_aerr(b, BF_AFMT_MALLOCLAB))
    BF_CHECK_STR(REP("a 0 8\nf 0\nf 0\n"), "a:7: double free of id 0");
    BF_CHECK_STR(REP("a 0 8\nf 1\nf 0\n"), "a:6: unmatched free of id 1");
    BF_CHECK_STR(REP("a 0 8\nf 0\n"), "a:6: truncated: the header announces 3 operations, found 2");
    BF_CHECK_STR(REP("a 0 8\nf 0\na 1 2\na 2 2\n"), "a:8: more operations than the header's 3");
    BF_CHECK_STR(REP("a 5 8\n"), "a:5: id 5 out of range (header: 3 ids)");
    BF_CHECK_STR(REP("x 0 8\n"), "a:5: bad .rep operation 'x' (a, f or r)");
    BF_CHECK_STR(REP("r 0 8\n"), "a:5: realloc of id 0 which is not live");
    BF_CHECK_STR(wl_aerr("100\n3\n", BF_AFMT_MALLOCLAB),
                 "a:2: truncated: the .rep header has 2 of 4 lines");
}

static void ltrace(const char *dir)
{
    wl_arecs w;
    wl_aread(wl_data(dir, "ltrace_sample.txt"), NULL, BF_AFMT_AUTO, 0, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 8);
    BF_CHECK_EQ(A(0).op, BF_AOP_MALLOC);
    BF_CHECK_EQ(A(0).id, 1);
    BF_CHECK_EQ(A(0).size, 1024);
    BF_CHECK_EQ(A(1).size, 64); /* calloc(4, 16) */
    BF_CHECK_EQ(A(1).id, 2);
    BF_CHECK_EQ(A(2).op, BF_AOP_FREE); /* realloc: free id 1 + malloc id 1 of 2048 */
    BF_CHECK_EQ(A(2).id, 1);
    BF_CHECK_EQ(A(3).op, BF_AOP_MALLOC);
    BF_CHECK_EQ(A(3).id, 1);
    BF_CHECK_EQ(A(3).size, 2048);
    BF_CHECK_EQ(A(4).op, BF_AOP_FREE); /* pid 4712 frees the calloc block */
    BF_CHECK_EQ(A(4).id, 2);
    BF_CHECK_EQ(A(5).op, BF_AOP_MALLOC); /* the resumed malloc(32) of pid 4711 */
    BF_CHECK_EQ(A(5).size, 32);
    BF_CHECK_EQ(A(5).id, 3);
    BF_CHECK_EQ(A(5).line, 8);
    BF_CHECK_EQ(A(6).id, 1); /* timestamped prog->free of the realloc'd block */
    BF_CHECK_EQ(A(7).id, 3);
    BF_CHECK_EQ(w.st.null_frees, 1);
    BF_CHECK_EQ(w.st.failed_allocs, 1);
    BF_CHECK_EQ(w.st.ignored_events, 1); /* strlen */
    BF_CHECK_STR(wl_aerr("malloc(8) = 0x10\nfree(0x20) = <void>\n", BF_AFMT_LTRACE),
                 "a:2: unmatched free of ptr=0x20");
    BF_CHECK_STR(
        wl_aerr("malloc(8) = 0x10\nfree(0x10) = <void>\nfree(0x10) = <void>\n", BF_AFMT_LTRACE),
        "a:3: double free of ptr=0x10 (freed at line 2)");
    BF_CHECK_STR(wl_aerr("malloc(8) = 0x10\nthis is not ltrace\n", BF_AFMT_LTRACE),
                 "a:2: not an ltrace line: 'this'");
    BF_CHECK_STR(wl_aerr("malloc(x) = 0x10\n", BF_AFMT_LTRACE), "a:1: bad malloc call: 'x)'");
}

static void gfp(void)
{
    uint32_t g;
    BF_CHECK_EQ(bf_gfp_parse("GFP_USER", 8, &g), 0);
    BF_CHECK_EQ(g, 0x200d0u); /* GFP_KERNEL | __GFP_HARDWALL (0x20000) */
    BF_CHECK_EQ(BF_GFP_USER, 0x200d0u);
    BF_CHECK_EQ(bf_gfp_parse("0x140cca", 8, &g), 0);
    BF_CHECK_EQ(g, 0x140cca);
    BF_CHECK_EQ(bf_gfp_parse("208", 3, &g), 0);
    BF_CHECK_EQ(g, BF_GFP_KERNEL);
    BF_CHECK_EQ(bf_gfp_parse("GFP_KERNEL|__GFP_NOTHING", 24, &g), -1);
    BF_CHECK_EQ(g, BF_GFP_KERNEL);
    char b[128];
    bf_gfp_format(BF_GFP_KERNEL | BF_GFP_ZERO, b, sizeof b);
    BF_CHECK_STR(b, "GFP_KERNEL|__GFP_ZERO");
    bf_gfp_format(0, b, sizeof b);
    BF_CHECK_STR(b, "0");

    /* An explicit 0 (GFP_NOWAIT) is kept apart from no GFP. Record 0 gives
    ** "0": has_gfp 1, gfp 0; record 1 gives nothing: has_gfp 0; record 2 gives GFP_KERNEL. */
    wl_arecs w;
    wl_aread(NULL, "#bfsim-alloc 1\nkmalloc 1 100 0\nkmalloc 2 100\nkmalloc 3 100 GFP_KERNEL\n",
             BF_AFMT_AUTO, 0, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 3);
    BF_CHECK_EQ(A(0).has_gfp, 1);
    BF_CHECK_EQ(A(0).gfp, 0);
    BF_CHECK_EQ(A(1).has_gfp, 0);
    BF_CHECK_EQ(A(1).gfp, 0);
    BF_CHECK_EQ(A(2).has_gfp, 1);
    BF_CHECK_EQ(A(2).gfp, BF_GFP_KERNEL);
    /* the writer keeps the difference: "kmalloc 1 100 0" and "kmalloc 2 100" */
    char path[] = "/tmp/bfwl-gfp0-XXXXXX";
    if (!tmp_file(path))
        return;
    bf_atrace_writer *wr;
    char err[256];
    BF_CHECK_EQ(bf_atrace_writer_open(path, BF_COMP_NONE, &wr, err, sizeof err), BF_OK);
    for (size_t i = 0; i < w.n; i++)
        BF_CHECK_EQ(bf_atrace_write(wr, &A(i)), BF_OK);
    BF_CHECK_EQ(bf_atrace_writer_close(wr, err, sizeof err), BF_OK);
    FILE *f = fopen(path, "r");
    char text[512] = "";
    size_t got = f ? fread(text, 1, sizeof text - 1, f) : 0;
    text[got] = '\0';
    if (f)
        fclose(f);
    unlink(path);
    BF_CHECK(strstr(text, "\nkmalloc 1 100 0\n") != NULL);
    BF_CHECK(strstr(text, "\nkmalloc 2 100\n") != NULL);
    BF_CHECK(strstr(text, "\nkmalloc 3 100 GFP_KERNEL\n") != NULL);
}

static void writer_round_trip(const char *dir)
{
    char path[] = "/tmp/bfwl-atrace-XXXXXX";
    if (!tmp_file(path))
        return;
    static const char *const samples[] = {"native_sample.bfa", "ftrace_new.txt",
                                          "ltrace_sample.txt", "sample.rep"};
    for (size_t s = 0; s < BF_ARRAY_SIZE(samples); s++) {
        for (int comp = BF_COMP_NONE; comp <= BF_COMP_ZSTD; comp++) {
            static wl_arecs a, b;
            wl_aread(wl_data(dir, samples[s]), NULL, BF_AFMT_AUTO, 0, &a);
            BF_CHECK_EQ(a.rc, BF_EEOF);
            bf_atrace_writer *wr;
            char err[256];
            BF_CHECK_EQ(bf_atrace_writer_open(path, comp, &wr, err, sizeof err), BF_OK);
            BF_CHECK_EQ(bf_atrace_writer_header(wr, "source", samples[s]), BF_OK);
            for (size_t i = 0; i < a.n; i++)
                BF_CHECK_EQ(bf_atrace_write(wr, &a.r[i]), BF_OK);
            BF_CHECK_EQ(bf_atrace_writer_close(wr, err, sizeof err), BF_OK);
            wl_aread(path, NULL, BF_AFMT_AUTO, 0, &b);
            BF_CHECK_EQ(b.rc, BF_EEOF);
            BF_CHECK_EQ(a.n, b.n);
            for (size_t i = 0; i < a.n && i < b.n; i++) {
                BF_CHECK_EQ(a.r[i].op, b.r[i].op);
                BF_CHECK_EQ(a.r[i].id, b.r[i].id);
                BF_CHECK_EQ(a.r[i].gfp, b.r[i].gfp);
                BF_CHECK_EQ(a.r[i].order, b.r[i].order);
                BF_CHECK_EQ(a.r[i].time_ns, b.r[i].time_ns);
                BF_CHECK_EQ(a.r[i].value, b.r[i].value);
                if (a.r[i].op != BF_AOP_PAGES_ALLOC && a.r[i].op != BF_AOP_PAGES_FREE &&
                    a.r[i].op % 2 == 0 && a.r[i].op < BF_AOP_PHASE)
                    BF_CHECK_EQ(a.r[i].size, b.r[i].size);
                if (a.r[i].name)
                    BF_CHECK_STR(a.r[i].name, b.r[i].name);
                if (a.r[i].site)
                    BF_CHECK_STR(a.r[i].site, b.r[i].site);
            }
        }
    }
    unlink(path);
}

/* What a reader reports besides its records (detected format, compression, native header
** pairs), the format and op names both ways, and the writer's refusals with their messages. */
static void facts_names_errors(const char *dir)
{
    static const struct {
        const char *file;
        int fmt;
    } samples[] = {{"native_sample.bfa", BF_AFMT_NATIVE},
                   {"ftrace_new.txt", BF_AFMT_FTRACE},
                   {"sample.rep", BF_AFMT_MALLOCLAB},
                   {"ltrace_sample.txt", BF_AFMT_LTRACE}};
    char err[256];
    for (size_t i = 0; i < BF_ARRAY_SIZE(samples); i++) {
        bf_atrace_reader *r;
        BF_CHECK_EQ(
            bf_atrace_open(wl_data(dir, samples[i].file), BF_AFMT_AUTO, &r, err, sizeof err),
            BF_OK);
        BF_CHECK_EQ(bf_atrace_detected_format(r), samples[i].fmt);
        BF_CHECK_EQ(bf_atrace_compression(r), BF_COMP_NONE);
        /* The header of native_sample.bfa is "#program: hand-written sample", read with the
        ** comment lines before the first record; the other formats have none. */
        bf_arec a;
        BF_CHECK_EQ(bf_atrace_next(r, &a), BF_OK);
        if (samples[i].fmt == BF_AFMT_NATIVE)
            BF_CHECK_STR(bf_atrace_header_get(r, "program"), "hand-written sample");
        BF_CHECK(bf_atrace_header_get(r, "workload") == NULL);
        bf_atrace_close(r);
    }
    for (int f = BF_AFMT_AUTO; f <= BF_AFMT_LTRACE; f++)
        BF_CHECK_EQ(bf_aformat_from_name(bf_aformat_name(f)), f);
    BF_CHECK_STR(bf_aformat_name(BF_AFMT_MALLOCLAB), "malloclab");
    BF_CHECK_STR(bf_aformat_name(BF_AFMT_LTRACE + 1), "unknown");
    BF_CHECK_EQ(bf_aformat_from_name("rep"), BF_AFMT_MALLOCLAB);
    BF_CHECK_EQ(bf_aformat_from_name("strace"), -1);
    BF_CHECK_STR(bf_aop_name(BF_AOP_KMALLOC), "kmalloc");
    BF_CHECK_STR(bf_aop_name(BF_AOP_CACHE_FREE), "cache_free");
    BF_CHECK_STR(bf_aop_name(BF_AOP_RECLAIMABLE), "reclaimable");
    BF_CHECK_STR(bf_aop_name(BF_AOP_RECLAIMABLE + 1), "unknown");
    BF_CHECK_STR(bf_aop_name(-1), "unknown");

    /* A gzip file written with a header, then refusals: an unknown op, a cache record without
    ** a name, a header after the first record. The file keeps the good record only. */
    char path[] = "/tmp/bfwl-afacts-XXXXXX";
    if (!tmp_file(path))
        return;
    bf_atrace_writer *w;
    BF_CHECK_EQ(bf_atrace_writer_open(path, BF_COMP_GZIP, &w, err, sizeof err), BF_OK);
    BF_CHECK_EQ(bf_atrace_writer_header(w, "workload", "facts"), BF_OK);
    bf_arec bad = {.op = 99};
    BF_CHECK_EQ(bf_atrace_write(w, &bad), BF_EINPUT);
    BF_CHECK_STR(bf_atrace_writer_error(w), "unknown allocation op 99");
    bf_arec noname = {.op = BF_AOP_CACHE_ALLOC, .id = 1, .size = 32};
    BF_CHECK_EQ(bf_atrace_write(w, &noname), BF_EINPUT);
    BF_CHECK_STR(bf_atrace_writer_error(w), "cache_alloc record needs a name without blanks");
    bf_arec good = {.op = BF_AOP_KMALLOC, .id = 7, .size = 64};
    BF_CHECK_EQ(bf_atrace_write(w, &good), BF_OK);
    BF_CHECK_EQ(bf_atrace_writer_header(w, "late", "x"), BF_ESTATE);
    BF_CHECK_STR(bf_atrace_writer_error(w), "header 'late' after the first record");
    BF_CHECK_EQ(bf_atrace_writer_close(w, err, sizeof err), BF_OK);
    bf_atrace_reader *r;
    BF_CHECK_EQ(bf_atrace_open(path, BF_AFMT_AUTO, &r, err, sizeof err), BF_OK);
    BF_CHECK_EQ(bf_atrace_compression(r), BF_COMP_GZIP);
    BF_CHECK_EQ(bf_atrace_detected_format(r), BF_AFMT_NATIVE);
    bf_arec a;
    BF_CHECK_EQ(bf_atrace_next(r, &a), BF_OK);
    BF_CHECK_STR(bf_atrace_header_get(r, "workload"), "facts");
    BF_CHECK(bf_atrace_header_get(r, "late") == NULL);
    BF_CHECK_EQ(a.op, BF_AOP_KMALLOC);
    BF_CHECK_EQ(a.id, 7);
    BF_CHECK_EQ(a.size, 64);
    BF_CHECK_EQ(bf_atrace_next(r, &a), BF_EEOF);
    bf_atrace_close(r);
    unlink(path);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
        return 2;
    }
    native(argv[1]);
    ftrace_old(argv[1]);
    ftrace_new(argv[1]);
    rep(argv[1]);
    ltrace(argv[1]);
    gfp();
    writer_round_trip(argv[1]);
    facts_names_errors(argv[1]);
    return bf_test_exit();
}
