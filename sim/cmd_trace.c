/*
** cmd_trace.c: `bfsim trace convert|stats|head`: the workloads library's readers, writers and
** summary behind the command line. Everything streams: constant memory whatever the trace length.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bf_cmd.h"
#include "bf_file.h"
#include "bf_hmem.h"
#include "bf_report.h"

static void add_reader_options(bf_opts *o)
{
    bf_opts_add(o, "format,f", BF_OPT_STRING, "auto",
                "input format: auto|native|binary|lackey|din|xdin");
    bf_opts_add(o, "map", BF_OPT_STRING, "first-touch",
                "foreign-trace address mapping: first-touch|identity");
    bf_opts_add(o, "map-window", BF_OPT_STRING, "65536",
                "first-touch window, bytes (power of two >= 64K)");
    bf_opts_add(o, "misaligned", BF_OPT_STRING, "split",
                "misaligned foreign references: split|fault|count-once");
    bf_opts_add(o, "pin", BF_OPT_MULTI, NULL,
                "place a host range at a BF533 address: NAME:HOST:LEN@TARGET");
    bf_opts_add(o, "quiet,q", BF_OPT_FLAG, NULL, "no progress line on a terminal");
}

#define READ_ALL_SINK_FAILED (-1000) /* read_all: fn refused a record (not a bf_rc) */
#define READ_ALL_INTERRUPTED (-1001) /* read_all: SIGINT/SIGTERM/SIGHUP (bf_stop_flag) */

/* Read every record of r into fn, with a progress line: BF_EEOF at a clean end, the reader's
** error code, or READ_ALL_SINK_FAILED. */
static int read_all(bf_opts *o, const char *label, const char *path, int json, bf_trace_reader *r,
                    int (*fn)(void *ctx, const bf_trace_rec *rec), void *ctx)
{
    bf_progress *p = bf_cmd_progress(o, json, label, "records", path);
    bf_trace_rec rec;
    uint64_t count = 0;
    int n;
    while ((n = bf_trace_next(r, &rec)) == BF_OK) {
        if (bf_stop_flag) {
            n = READ_ALL_INTERRUPTED;
            break;
        }
        if (fn(ctx, &rec)) {
            n = READ_ALL_SINK_FAILED;
            break;
        }
        if ((++count & (BF_REPLAY_PROGRESS_EVERY - 1)) == 0)
            bf_progress_update(p, count, bf_trace_bytes_read(r));
    }
    bf_progress_end(p);
    return n;
}

static char pin_names[BF_TRACE_MAX_PINS]
                     [64]; /* storage of the pins' names, one command per process */

static int reader_options(bf_opts *o, const char *cmd, bf_trace_options *t)
{
    bf_trace_options_default(t);
    const char *f = bf_opts_get(o, "format");
    if (strcmp(f, "auto")) {
        if ((t->format = bf_trace_format_from_name(f)) < 0)
            return bf_cmd_fail(cmd, 2, "--format: unknown trace format '%s'", f);
    }
    if ((t->map_mode = bf_map_mode_from_name(bf_opts_get(o, "map"))) < 0)
        return bf_cmd_fail(cmd, 2, "--map: '%s' is not first-touch or identity",
                           bf_opts_get(o, "map"));
    if ((t->misaligned = bf_misaligned_from_name(bf_opts_get(o, "misaligned"))) < 0)
        return bf_cmd_fail(cmd, 2, "--misaligned: '%s' is not split, fault or count-once",
                           bf_opts_get(o, "misaligned"));
    int prc = bf_cmd_pins(o, cmd, t, pin_names);
    if (prc >= 0)
        return prc;
    char *end;
    errno = 0;
    unsigned long long w = strtoull(bf_opts_get(o, "map-window"), &end, 0);
    t->map_window = (uint32_t)w;
    const char *e = *end || errno || w > 0x80000000ull
                        ? "--map-window: not a number of bytes up to 2 GB"
                        : bf_trace_options_check(t);
    if (e)
        return bf_cmd_fail(cmd, 2, "%s", e);
    return -1;
}

static int open_reader(bf_opts *o, const char *cmd, const char *path, bf_trace_reader **r)
{
    bf_trace_options t;
    int rc = reader_options(o, cmd, &t);
    if (rc >= 0)
        return rc;
    char err[1024];
    if (bf_trace_open(path, &t, r, err, sizeof err))
        return bf_cmd_fail(cmd, 2, "%s", err);
    return -1;
}

typedef struct convert_sink {
    bf_trace_writer *w;
    uint64_t count;
} convert_sink;

static int convert_one(void *ctx, const bf_trace_rec *rec)
{
    convert_sink *c = ctx;
    c->count++;
    return bf_trace_write(c->w, rec) != 0;
}

static int summary_one(void *ctx, const bf_trace_rec *rec)
{
    bf_trace_summary_add(ctx, rec);
    return 0;
}

static int trace_convert(int argc, char **argv)
{
    const char *cmd = "trace convert";
    bf_opts *o = bf_opts_new(
        cmd,
        "bfsim trace convert --in FILE --out FILE [--to text|binary] [--compress none|gzip|zstd]",
        "Convert any readable trace (native, Lackey, din, xdin; plain, gzip or zstd) "
        "into the native text or binary format. Foreign addresses are mapped onto "
        "the BF533 map as by `bfsim run`, and the map is written into the header.",
        "  bfsim trace convert --in lackey.out.zst --out prog.bfb --to binary\n"
        "  bfsim trace convert --in prog.bfb --out - --to text | head");
    bf_opts_add(o, "in,i", BF_OPT_STRING, NULL, "input trace");
    bf_opts_add(o, "out,o", BF_OPT_STRING, NULL, "output file (- for stdout)");
    bf_opts_add(o, "to", BF_OPT_STRING, "binary", "output format: text|binary");
    bf_opts_add(o, "compress", BF_OPT_STRING, "none", "output compression: none|gzip|zstd");
    add_reader_options(o);
    int rc = bf_cmd_parse(o, cmd, argc, argv);
    bf_trace_reader *r = NULL;
    bf_trace_writer *w = NULL;
    if (rc >= 0)
        goto out;
    const char *in = bf_opts_get(o, "in"), *outp = bf_opts_get(o, "out"),
               *to = bf_opts_get(o, "to");
    if (!in || !outp) {
        rc = bf_cmd_fail(cmd, 2, "%s", "--in FILE and --out FILE are required");
        goto out;
    }
    int fmt = !strcmp(to, "text")     ? BF_FMT_NATIVE_TEXT
              : !strcmp(to, "binary") ? BF_FMT_NATIVE_BIN
                                      : -1;
    int comp = bf_compression_from_name(bf_opts_get(o, "compress"));
    if (fmt < 0 || comp < 0) {
        rc = bf_cmd_fail(cmd, 2, "%s",
                         fmt < 0 ? "--to: expects text or binary"
                                 : "--compress: expects none, gzip or zstd");
        goto out;
    }
    if (bf_file_same(in, outp)) {
        rc = bf_cmd_fail(cmd, 2, "--out %s is the input file: refusing to overwrite it", outp);
        goto out;
    }
    if ((rc = open_reader(o, cmd, in, &r)) >= 0)
        goto out;
    bf_cmd_install_signals();
    char err[1024];
    if (bf_trace_writer_open(outp, fmt, comp, &w, err, sizeof err)) {
        rc = bf_cmd_fail(cmd, 2, "%s", err);
        goto out;
    }
    bf_trace_writer_header(w, "converted-from", in);
    int srcfmt = bf_trace_detected_format(r);
    bf_trace_writer_header(w, "source-format", bf_trace_format_name(srcfmt));
    if ((srcfmt == BF_FMT_LACKEY || srcfmt == BF_FMT_DIN || srcfmt == BF_FMT_XDIN) &&
        !strcmp(bf_opts_get(o, "misaligned"), "count-once"))
        bf_trace_writer_header(w, "misaligned", "count-once"); /* replayed whole, as converted */
    for (size_t i = 0; i < bf_trace_header_count(r); i++) {
        const char *k, *v;
        if (bf_trace_header_at(r, i, &k, &v))
            bf_trace_writer_header(w, k, v);
    }
    convert_sink cs = {w, 0};
    int n = read_all(o, "trace convert", in, 0, r, convert_one, &cs);
    uint64_t count = cs.count;
    if (n == READ_ALL_INTERRUPTED) {
        rc = bf_cmd_fail(cmd, 130, "interrupted: %s not written", outp);
        goto out;
    }
    if (n == READ_ALL_SINK_FAILED) {
        rc = bf_cmd_fail(cmd, 2, "%s", bf_trace_writer_error(w));
        goto out;
    }
    if (n != BF_EEOF) {
        rc = bf_cmd_fail(cmd, 2, "%s", bf_trace_error(r));
        goto out;
    }
    /* the address map is known only at the end of a first-touch pass: keep it as a side note,
    ** made before the output is put in place (a failure here leaves no output) */
    size_t ml = bf_trace_describe_map(r, NULL, 0);
    char *map = ml ? bf_malloc(ml + 1) : NULL;
    if (ml && !map) {
        rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (address map note)");
        goto out;
    }
    if (map)
        bf_trace_describe_map(r, map, ml + 1);
    int wrc = bf_trace_writer_close(w, err, sizeof err);
    w = NULL;
    if (wrc) {
        free(map);
        rc = bf_cmd_fail(cmd, 2, "%s", err);
        goto out;
    }
    if (map) {
        fprintf(stderr, "%s", map);
        free(map);
    }
    fprintf(stderr, "bfsim trace convert: %llu records written to %s\n", (unsigned long long)count,
            outp);
    rc = 0;
out:
    if (w) { /* never leave a half-written output: an existing file keeps its content */
        char e2[256];
        bf_trace_writer_cancel(w);
        bf_trace_writer_close(w, e2, sizeof e2);
    }
    if (r)
        bf_trace_close(r);
    bf_opts_free(o);
    return rc;
}

static int trace_stats(int argc, char **argv)
{
    const char *cmd = "trace stats";
    bf_opts *o =
        bf_opts_new(cmd, "bfsim trace stats --trace FILE [--json] [--part bf533] [--sdram 32M]",
                    "Count the records of a trace by kind, and its footprint (distinct 32-byte "
                    "lines) and accesses per BF533 memory region.",
                    "  bfsim trace stats --trace workloads/suite/default.lackey.zst\n"
                    "  bfsim trace stats --trace lackey.out --format lackey --json");
    bf_opts_add(o, "trace,t", BF_OPT_STRING, NULL, "trace file");
    bf_opts_add(o, "json", BF_OPT_FLAG, NULL, "one JSON object");
    bf_opts_add(o, "part", BF_OPT_STRING, "bf533", "part whose memory map classifies regions");
    bf_opts_add(o, "sdram", BF_OPT_STRING, "128M",
                "populated SDRAM size for region classification (16M..128M)");
    add_reader_options(o);
    int rc = bf_cmd_parse(o, cmd, argc, argv);
    bf_trace_reader *r = NULL;
    bf_trace_summary *s = NULL;
    if (rc >= 0)
        goto out;
    const char *path = bf_opts_get(o, "trace");
    int part = bf_part_from_name(bf_opts_get(o, "part"));
    char *end;
    unsigned long mb = strtoul(bf_opts_get(o, "sdram"), &end, 10);
    if (!path || part < 0 || (strcmp(end, "M") && strcmp(end, "m")) ||
        (mb != 16 && mb != 32 && mb != 64 && mb != 128)) {
        rc = bf_cmd_fail(cmd, 2, "%s",
                         !path      ? "--trace FILE is required"
                         : part < 0 ? "--part: expects bf531, bf532 or bf533"
                                    : "--sdram: expects 16M, 32M, 64M or 128M");
        goto out;
    }
    if ((rc = open_reader(o, cmd, path, &r)) >= 0)
        goto out;
    if (bf_trace_summary_new(part, (uint32_t)mb << 20, &s)) {
        rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (trace summary)");
        goto out;
    }
    bf_cmd_install_signals();
    int n = read_all(o, "trace stats", path, bf_opts_has(o, "json"), r, summary_one, s);
    if (n == READ_ALL_INTERRUPTED) {
        rc = bf_cmd_fail(cmd, 130, "%s", "interrupted");
        goto out;
    }
    if (n != BF_EEOF) {
        rc = bf_cmd_fail(cmd, 2, "%s", bf_trace_error(r));
        goto out;
    }
    bf_stats *reg = bf_stats_new();
    if (!reg) {
        rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (statistics registry)");
        goto out;
    }
    if (bf_stats_add(reg, bf_trace_summary_stat_desc, bf_trace_summary_stat_count,
                     (void *)bf_trace_summary_stats_of(s), NULL) ||
        bf_stats_add(reg, bf_trace_reader_stat_desc, bf_trace_reader_stat_count,
                     (void *)bf_trace_reader_stats_of(r), NULL)) {
        bf_stats_free(reg);
        rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (statistics registry)");
        goto out;
    }
    int json = bf_opts_has(o, "json");
    if (json) {
        bf_jw w;
        bf_jw_init(&w, stdout, BF_JW_SPACED);
        bf_jw_object(&w);
        bf_jw_key(&w, "trace");
        bf_jw_string(&w, path);
        bf_jw_key(&w, "format");
        bf_jw_string(&w, bf_trace_format_name(bf_trace_detected_format(r)));
        bf_jw_key(&w, "stats");
        bf_jw_object(&w);
        for (size_t i = 0; i < bf_stats_count(reg); i++) {
            bf_jw_key(&w, bf_stats_at(reg, i)->name);
            bf_jw_u64(&w, bf_stats_u64(reg, i));
        }
        bf_jw_end(&w);
        bf_jw_key(&w, "regions");
        bf_jw_object(&w);
        for (int g = 0; g < BF_RGN_COUNT; g++) {
            uint64_t a = bf_trace_summary_region_accesses(s, g);
            if (!a)
                continue;
            bf_jw_key(&w, bf_map_region_name(g));
            bf_jw_object(&w);
            bf_jw_key(&w, "accesses");
            bf_jw_u64(&w, a);
            bf_jw_key(&w, "lines");
            bf_jw_u64(&w, bf_trace_summary_region_lines(s, g));
            bf_jw_end(&w);
        }
        bf_jw_end(&w);
        bf_jw_end(&w);
    } else {
        printf("# %s (%s)\n", path, bf_trace_format_name(bf_trace_detected_format(r)));
        bf_report_text(stdout, reg, 1);
        printf("\n%-18s %14s %12s %12s\n", "region", "accesses", "lines", "bytes");
        for (int g = 0; g < BF_RGN_COUNT; g++) {
            uint64_t a = bf_trace_summary_region_accesses(s, g);
            if (!a)
                continue;
            uint64_t l = bf_trace_summary_region_lines(s, g);
            printf("%-18s %14llu %12llu %12llu\n", bf_map_region_name(g), (unsigned long long)a,
                   (unsigned long long)l, (unsigned long long)l * BF_TRACE_LINE_BYTES);
        }
    }
    bf_stats_free(reg);
    rc = 0;
out:
    bf_trace_summary_free(s);
    if (r)
        bf_trace_close(r);
    bf_opts_free(o);
    return rc;
}

static int trace_head(int argc, char **argv)
{
    const char *cmd = "trace head";
    bf_opts *o = bf_opts_new(cmd, "bfsim trace head --trace FILE [-n N]",
                             "Print the first N records of any trace in the native text format "
                             "(after address mapping), with the header.",
                             "  bfsim trace head --trace workloads/suite/default.lackey.zst -n 20");
    bf_opts_add(o, "trace,t", BF_OPT_STRING, NULL, "trace file");
    bf_opts_add(o, "lines,n", BF_OPT_STRING, "10", "records to print");
    add_reader_options(o);
    int rc = bf_cmd_parse(o, cmd, argc, argv);
    bf_trace_reader *r = NULL;
    bf_trace_writer *w = NULL;
    if (rc >= 0)
        goto out;
    const char *path = bf_opts_get(o, "trace");
    char *end;
    const char *ns = bf_opts_get(o, "lines");
    errno = 0;
    unsigned long long n = strtoull(ns, &end, 10);
    if (!path || *end || !*ns || *ns == '-' || *ns == '+' || errno == ERANGE) {
        rc = bf_cmd_fail(cmd, 2, "%s",
                         !path ? "--trace FILE is required"
                               : "-n expects a number of records (0 or more)");
        goto out;
    }
    if ((rc = open_reader(o, cmd, path, &r)) >= 0)
        goto out;
    char err[1024];
    if (bf_trace_writer_open("-", BF_FMT_NATIVE_TEXT, BF_COMP_NONE, &w, err, sizeof err)) {
        rc = bf_cmd_fail(cmd, 1, "%s", err);
        goto out;
    }
    for (size_t i = 0; i < bf_trace_header_count(r); i++) {
        const char *k, *v;
        if (bf_trace_header_at(r, i, &k, &v))
            bf_trace_writer_header(w, k, v);
    }
    bf_cmd_install_signals();
    bf_trace_rec rec;
    int nr = BF_OK;
    for (unsigned long long i = 0; i < n && (nr = bf_trace_next(r, &rec)) == BF_OK; i++) {
        if (bf_stop_flag) {
            rc = bf_cmd_fail(cmd, 130, "%s", "interrupted");
            goto out;
        }
        if (bf_trace_write(w, &rec)) {
            rc = bf_cmd_fail(cmd, 2, "%s", bf_trace_writer_error(w));
            goto out;
        }
    }
    if (nr != BF_OK && nr != BF_EEOF) {
        rc = bf_cmd_fail(cmd, 2, "%s", bf_trace_error(r));
        goto out;
    }
    rc = 0;
out:
    if (w)
        bf_trace_writer_close(w, err, sizeof err);
    if (r)
        bf_trace_close(r);
    bf_opts_free(o);
    return rc;
}

int bf_cmd_trace(int argc, char **argv)
{
    const char *sub = argc >= 2 ? argv[1] : "";
    if (!strcmp(sub, "convert"))
        return trace_convert(argc - 1, argv + 1);
    if (!strcmp(sub, "stats"))
        return trace_stats(argc - 1, argv + 1);
    if (!strcmp(sub, "head"))
        return trace_head(argc - 1, argv + 1);
    int help = !strcmp(sub, "--help") || !strcmp(sub, "-h");
    fprintf(help ? stdout : stderr,
            "usage: bfsim trace convert|stats|head [options]   (bfsim trace stats --help)\n"
            "  convert  any readable trace to native text or binary\n"
            "  stats    record counts, per-region footprint and working set\n"
            "  head     the first records in native text\n");
    return help ? 0 : 2;
}
