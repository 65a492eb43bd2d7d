/*
** test_suite.c: unit tests of the regression suite parser (bf_suite) and the baseline reader and
** writer (bf_baseline), on text written out here with the expected results worked by hand from
** docs/regress.md.
*/
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bf_test.h"
#include "bf_baseline.h"
#include "bf_common.h"
#include "bf_suite.h"

#ifndef BF_SOURCE_DIR
#error BF_SOURCE_DIR must name the source tree
#endif

static void test_matrix_and_tolerances(void)
{
    /* the suite stands in the source tree's workloads/suite/, so its globs resolve there */
    const char *path = BF_SOURCE_DIR "/workloads/suite/unit.ini";
    const char text[] = "[suite]\n"
                        "name = unit ; the name\n"
                        "configs = ../../configs/ezkit-icache.ini ../../configs/ezkit-nocache.ini\n"
                        "traces = fft-l1.bft.zst launch.bfa.zst\n"
                        "set = l1.wbuf_depth=2\n"
                        "[alloc]\n"
                        "allocators = tlsf buddy\n"
                        "workloads = launch.bfa.zst\n"
                        "mem = 32M\n"
                        "[tolerance]\n"
                        "default = 0.5\n"
                        "core.cycles = 0.002\n"
                        "core.* = 0.1\n"
                        "core.c* = 0.2\n"
                        "l1.dcache.misses = ignore\n";
    bf_suite s;
    char err[512];
    BF_CHECK_EQ(bf_suite_load_text(text, strlen(text), path, &s, err, sizeof err), 0);
    BF_CHECK_STR(s.name, "unit");
    /* 2 configs x 2 traces + 2 allocators x 1 workload, sorted by id: "alloc:" < "ezkit-" and
    ** "ezkit-icache/" < "ezkit-nocache/", then the trace names */
    static const char *const ids[] = {
        "alloc:buddy/launch.bfa.zst",   "alloc:tlsf/launch.bfa.zst",
        "ezkit-icache/fft-l1.bft.zst",  "ezkit-icache/launch.bfa.zst",
        "ezkit-nocache/fft-l1.bft.zst", "ezkit-nocache/launch.bfa.zst"};
    BF_CHECK_EQ(s.njobs, 6);
    for (size_t i = 0; i < s.njobs && i < 6; i++)
        BF_CHECK_STR(s.jobs[i].id, ids[i]);
    BF_CHECK_EQ(s.jobs[0].kind, BF_SUITE_ALLOC);
    BF_CHECK_STR(s.jobs[0].allocator, "buddy");
    BF_CHECK(strstr(s.jobs[2].config, "configs/ezkit-icache.ini") != NULL);
    BF_CHECK(bf_suite_find(&s, "ezkit-nocache/fft-l1.bft.zst") == &s.jobs[4]);
    BF_CHECK(bf_suite_find(&s, "nope") == NULL);
    BF_CHECK_EQ(s.nsets, 1);
    BF_CHECK_STR(s.sets[0], "l1.wbuf_depth=2");
    BF_CHECK_STR(s.mem, "32M");
    /* the exact name wins; then the longest glob ("core.c*" over "core.*"); then the default;
    ** alloc.host.* is ignored (< 0) unless named */
    BF_CHECK(bf_suite_tolerance(&s, "core.cycles") == 0.002);
    BF_CHECK(bf_suite_tolerance(&s, "core.cpi") == 0.2);
    BF_CHECK(bf_suite_tolerance(&s, "core.records") == 0.1);
    BF_CHECK(bf_suite_tolerance(&s, "sdram.row_hits") == 0.5);
    BF_CHECK(bf_suite_tolerance(&s, "l1.dcache.misses") < 0);
    BF_CHECK(bf_suite_tolerance(&s, "alloc.host.p99_ns") < 0);
    bf_suite_free(&s);

    /* errors name the file and the line */
    const char bad[] =
        "[suite]\nname = x\nconfigs = ../../configs/ezkit-icache.ini\ntraces = *.nope\n";
    BF_CHECK(bf_suite_load_text(bad, strlen(bad), path, &s, err, sizeof err) != 0);
    BF_CHECK(strstr(err, "unit.ini:4: traces: '*.nope' matches no file") != NULL);
    const char dup[] = "[suite]\nname = x\nconfigs = ../../configs/ezkit-icache.ini\n"
                       "traces = fft-l1.bft.zst ../suite/fft-l1.bft.zst\n";
    /* the same file twice through two spellings: two paths, one job id */
    BF_CHECK(bf_suite_load_text(dup, strlen(dup), path, &s, err, sizeof err) != 0);
    BF_CHECK(strstr(err, "job id 'ezkit-icache/fft-l1.bft.zst' twice") != NULL);
}

static void test_baseline_round_trip(void)
{
    char path[] = "/tmp/bfsim-baseline-XXXXXX";
    int fd = mkstemp(path);
    BF_CHECK(fd >= 0);
    bf_baseline b;
    memset(&b, 0, sizeof b);
    snprintf(b.suite, sizeof b.suite, "unit \"q\"");
    /* added out of order: written sorted by job, then stat */
    BF_CHECK_EQ(bf_baseline_add(&b, "z/job", "core.cycles", 12345678901234.0, NULL), 0);
    BF_CHECK_EQ(bf_baseline_add(&b, "a/job\xc3\xa9", "status", 0, "ok"), 0);
    BF_CHECK_EQ(bf_baseline_add(&b, "a/job\xc3\xa9", "core.cpi", 1.0 / 3.0, NULL), 0);
    BF_CHECK_EQ(bf_baseline_add(&b, "a/job\xc3\xa9", "l1.x", NAN, NULL), 0);
    char err[512];
    BF_CHECK_EQ(bf_baseline_write(path, &b, err, sizeof err), 0);
    bf_baseline_free(&b);
    FILE *f = fopen(path, "r");
    char line[256];
    BF_CHECK(fgets(line, sizeof line, f) != NULL);
    BF_CHECK_STR(line, "{\"suite\": \"unit \\\"q\\\"\", \"format\": \"bfsim-baseline 1\"}\n");
    BF_CHECK(fgets(line, sizeof line, f) != NULL);
    BF_CHECK_STR(
        line,
        "{\"job\": \"a/job\xc3\xa9\", \"stat\": \"core.cpi\", \"value\": 0.33333333333333331}\n");
    fclose(f);
    BF_CHECK_EQ(bf_baseline_read(path, &b, err, sizeof err), 0);
    BF_CHECK_STR(b.suite, "unit \"q\"");
    BF_CHECK_EQ(b.n, 4);
    BF_CHECK(b.v[0].value == 1.0 / 3.0); /* the shortest round-trip text reads back exactly */
    BF_CHECK(isnan(b.v[1].value) && !b.v[1].text);
    BF_CHECK_STR(b.v[2].text, "ok");
    BF_CHECK(b.v[3].value == 12345678901234.0);
    BF_CHECK_EQ(bf_baseline_job_start(&b, "z/job"), 3);
    bf_baseline_free(&b);

    /* (numbers print as bf_json_num does: %.15g when that reads back, else %.17g) */
    /* escapes, and errors with the line */
    f = fopen(path, "w");
    fputs("{\"suite\": \"s\", \"format\": \"bfsim-baseline 1\"}\n"
          "{\"job\": \"\\u00e9\\ud83d\\ude00\\t\", \"stat\": \"x\", \"value\": -1.5e3}\n",
          f);
    fclose(f);
    BF_CHECK_EQ(bf_baseline_read(path, &b, err, sizeof err), 0);
    BF_CHECK_STR(b.v[0].job, "\xc3\xa9\xf0\x9f\x98\x80\t");
    BF_CHECK(b.v[0].value == -1500);
    bf_baseline_free(&b);
    static const char *const bad[] = {
        "{\"suite\": \"s\"}\n",                                                     /* no format */
        "{\"suite\": \"s\", \"format\": \"bfsim-baseline 1\"}\n{\"job\": \"j\"}\n", /* members */
        "{\"suite\": \"s\", \"format\": \"bfsim-baseline 1\"}\n{\"job\": \"j\", \"stat\": \"x\", "
        "\"value\": \"t\"}\n",
        "{\"suite\": \"s\", \"format\": \"bfsim-baseline 1\"}\n{\"job\": \"j\", \"stat\": \"x\", "
        "\"value\": 1} x\n",
        ("{\"suite\": \"s\", \"format\": \"bfsim-baseline 1\"}\n{\"job\": \"j\", \"stat\": \"x\", "
         "\"value\": 1}\n"
         "{\"job\": \"j\", \"stat\": \"x\", \"value\": 2}\n"), /* a pair twice */
        "",
    };
    static const char *const want[] = {":1: not a bfsim baseline",   ":2: expected {",
                                       ":2: x: a statistic's value", ":2: text after the object",
                                       "stat 'x' given twice",       ":1: empty file"};
    for (size_t i = 0; i < BF_ARRAY_SIZE(bad); i++) {
        f = fopen(path, "w");
        fputs(bad[i], f);
        fclose(f);
        BF_CHECK(bf_baseline_read(path, &b, err, sizeof err) != 0);
        if (!strstr(err, want[i]))
            fprintf(stderr, "case %zu: '%s' lacks '%s'\n", i, err, want[i]);
        BF_CHECK(strstr(err, want[i]) != NULL);
    }
    remove(path);
}

int main(void)
{
    test_matrix_and_tolerances();
    test_baseline_round_trip();
    return bf_test_exit();
}
