/*
** bf_report.c: JSON, text, CSV and Markdown output (see bf_report.h). No state.
*/
#include "bf_report.h"
#include "bf_results.h"

#include <string.h>

static void stat_value(bf_jw *w, const bf_stats *reg, size_t i)
{
    if (bf_stats_is_integer(reg, i))
        bf_jw_u64(w, bf_stats_u64(reg, i));
    else
        bf_jw_exact(w, bf_stats_value(reg, i), 0);
}

void bf_report_json(FILE *f, const char *const *run_fields, size_t nrun, const bf_machine *m,
                    const bf_stats *reg, void (*extra)(bf_jw *w, const void *arg), const void *arg)
{
    bf_jw w;
    bf_jw_init(&w, f, BF_JW_SPACED);
    bf_jw_object(&w);
    bf_jw_key(&w, "run");
    bf_jw_object(&w);
    for (size_t i = 0; i + 1 < nrun; i += 2) {
        bf_jw_key(&w, run_fields[i]);
        bf_jw_string(&w, run_fields[i + 1]);
    }
    bf_jw_end(&w);
    bf_jw_key(&w, "config");
    bf_jw_object(&w);
    for (size_t i = 0; m && i < bf_cfg_key_count(); i++) {
        bf_jw_key(&w, bf_cfg_key_at(i)->name);
        bf_jw_string(&w, m->value[i]);
    }
    bf_jw_end(&w);
    bf_jw_key(&w, "stats");
    bf_jw_object(&w);
    for (size_t i = 0; i < bf_stats_count(reg); i++) {
        bf_jw_key(&w, bf_stats_at(reg, i)->name);
        stat_value(&w, reg, i);
    }
    bf_jw_end(&w);
    if (extra)
        extra(&w, arg);
    bf_jw_end(&w);
}

void bf_report_text(FILE *f, const bf_stats *reg, int skip_zero)
{
    for (size_t i = 0; i < bf_stats_count(reg); i++) {
        if (skip_zero && bf_stats_value(reg, i) == 0)
            continue;
        const bf_stat_desc *d = bf_stats_at(reg, i);
        fprintf(f, "%-44s ", d->name);
        if (bf_stats_is_integer(reg, i))
            fprintf(f, "%20llu", (unsigned long long)bf_stats_u64(reg, i));
        else
            fprintf(f, "%20.6f", bf_stats_value(reg, i));
        fprintf(f, "  %s\n", d->unit);
    }
}

void bf_report_stalls(FILE *f, const bf_stats *reg)
{
    long ic = bf_stats_find(reg, "core.cycles"), ib = bf_stats_find(reg, "core.busy_cycles");
    if (ic < 0 || ib < 0)
        return;
    double cycles = bf_stats_value(reg, (size_t)ic), sum = bf_stats_value(reg, (size_t)ib);
    fprintf(f, "\n# where the core cycles went\n%-44s %20.0f %7.2f%%\n",
            "busy (issue, gaps, fixed op costs)", sum, cycles > 0 ? 100.0 * sum / cycles : 0.0);
    for (size_t i = 0; i < bf_stats_count(reg); i++) {
        const char *n = bf_stats_at(reg, i)->name;
        if ((strncmp(n, "l1.stall.", 9) && strncmp(n, "core.stall.", 11)) ||
            !strcmp(n, "core.stall.total"))
            continue;
        double v = bf_stats_value(reg, i);
        sum += v;
        if (v > 0)
            fprintf(f, "%-44s %20.0f %7.2f%%\n", n, v, cycles > 0 ? 100.0 * v / cycles : 0.0);
    }
    fprintf(f, "%-44s %20.0f %s\n", "sum (= core.cycles)", sum, sum == cycles ? "" : "  MISMATCH");
}

static double col_value(const bf_compare_col *c, const char *name, int *found, int *integer)
{
    long i = bf_stats_find(c->reg, name);
    *found = i >= 0;
    if (i < 0)
        return 0;
    *integer = bf_stats_is_integer(c->reg, (size_t)i);
    return bf_stats_value(c->reg, (size_t)i);
}

void bf_report_compare_json(FILE *f, const char *machine, const bf_compare_col *cols, size_t ncols,
                            const char *const *rows, size_t nrows, int speedup)
{
    size_t last = speedup ? nrows : nrows - 1; /* index of the last row printed */
    int found, integer = 1;
    double base = col_value(&cols[0], "core.cycles", &found, &integer);
    bf_jw w;
    bf_jw_init(&w, f, BF_JW_SPACED);
    bf_jw_object(&w);
    if (machine) {
        bf_jw_key(&w, "machine");
        bf_jw_string(&w, machine);
    }
    bf_jw_key(&w, "configs");
    bf_jw_array(&w);
    for (size_t c = 0; c < ncols; c++)
        bf_jw_string(&w, cols[c].name);
    bf_jw_end(&w);
    bf_jw_key(&w, "rows");
    bf_jw_object(&w);
    for (size_t r = 0; r <= last; r++) {
        bf_jw_key(&w, r < nrows ? rows[r] : "speedup");
        bf_jw_array(&w);
        for (size_t c = 0; c < ncols; c++) {
            integer = 1;
            double v = r < nrows ? col_value(&cols[c], rows[r], &found, &integer) : 0;
            if (r == nrows) {
                double cyc = col_value(&cols[c], "core.cycles", &found, &integer);
                bf_jw_exact(&w, cyc > 0 ? base / cyc : 0, 0);
            } else if (!found) {
                bf_jw_null(&w);
            } else {
                bf_jw_exact(&w, v, integer);
            }
        }
        bf_jw_end(&w);
    }
    bf_jw_end(&w);
    bf_jw_end(&w);
}

int bf_report_compare(FILE *f, const char *format, const bf_compare_col *cols, size_t ncols,
                      const char *const *rows, size_t nrows, int speedup)
{
    if (strcmp(format, "json") == 0) {
        bf_report_compare_json(f, NULL, cols, ncols, rows, nrows, speedup);
        return 0;
    }
    size_t last = speedup ? nrows : nrows - 1; /* index of the last row printed */
    int md = strcmp(format, "markdown") == 0, csv = strcmp(format, "csv") == 0;
    int found, integer = 1;
    double base = col_value(&cols[0], "core.cycles", &found, &integer);
    const char *sep = csv ? "," : md ? " | " : "  ";
    if (md)
        fputs("| ", f);
    fprintf(f, csv || md ? "%s" : "%-32s", "stat");
    for (size_t c = 0; c < ncols; c++) {
        fputs(sep, f);
        fprintf(f, csv || md ? "%s" : "%18s", cols[c].name);
    }
    fputs(md ? " |\n" : "\n", f);
    if (md) {
        fputs("|---", f);
        for (size_t c = 0; c < ncols; c++)
            fputs("|---:", f);
        fputs("|\n", f);
    }
    for (size_t r = 0; r <= last; r++) {
        if (md)
            fputs("| ", f);
        fprintf(f, csv || md ? "%s" : "%-32s", r < nrows ? rows[r] : "speedup vs first");
        for (size_t c = 0; c < ncols; c++) {
            fputs(sep, f);
            integer = 1;
            if (r == nrows) {
                double cyc = col_value(&cols[c], "core.cycles", &found, &integer);
                fprintf(f, csv ? "%.4f" : md ? "%.3fx" : "%17.3fx", cyc > 0 ? base / cyc : 0.0);
                continue;
            }
            double v = col_value(&cols[c], rows[r], &found, &integer);
            if (!found)
                fprintf(f, csv || md ? "%s" : "%18s", "-");
            else if (integer)
                fprintf(f, csv || md ? "%.0f" : "%18.0f", v);
            else
                fprintf(f, csv ? "%.6f" : md ? "%.4f" : "%18.4f", v);
        }
        fputs(md ? " |\n" : "\n", f);
    }
    return 0;
}

/* Key statistics of the comparison table. */
const char *const bf_compare_rows[] = {
    "core.cycles",          "core.instructions",     "core.cpi",
    "core.stall.total",     "l1.stall.fill",         "l1.stall.fill_busy",
    "l1.stall.wbuf_full",   "l1.stall.victim_full",  "l1.stall.uncached",
    "l1.stall.ssync_drain", "core.stall.cplb",       "l1.icache.fetches",
    "l1.icache.misses",     "l1.icache.miss_rate",   "l1.dcache.reads",
    "l1.dcache.writes",     "l1.dcache.read_misses", "l1.dcache.write_misses",
    "l1.dcache.miss_rate",  "l1.dcache.writebacks",  "cplb.dcplb_misses",
    "cplb.icplb_misses",    "sdram.reads.fill",      "sdram.reads.core",
    "sdram.writes.wbuf",    "sdram.writes.victim",   "sdram.row_hits",
    "sdram.row_misses",     "sdram.row_conflicts",   "sdram.row_hit_rate",
    "sdram.utilisation",
};

const size_t bf_compare_nrows = BF_ARRAY_SIZE(bf_compare_rows);

/* Key statistics of an allocator comparison. */
const char *const bf_alloc_compare_rows[] = {"alloc.allocs",
                                             "alloc.failures",
                                             "alloc.failures_with_free_memory",
                                             "alloc.failures_in_reserve",
                                             "alloc.mmaps_before_failure",
                                             "alloc.frag.internal_pct",
                                             "alloc.frag.internal_bytes",
                                             "alloc.frag.internal_peak_bytes",
                                             "alloc.frag.jw3_pct",
                                             "alloc.frag.jw4_pct",
                                             "alloc.footprint.peak_bytes",
                                             "alloc.largest_free_min_bytes",
                                             "alloc.first_failure.unusable_index",
                                             "alloc.latency.mean_cycles",
                                             "alloc.latency.p50_cycles",
                                             "alloc.latency.p99_cycles",
                                             "alloc.latency.max_cycles",
                                             "alloc.host.mean_ns",
                                             "alloc.meta.reads",
                                             "alloc.meta.writes"};

const size_t bf_alloc_compare_nrows = BF_ARRAY_SIZE(bf_alloc_compare_rows);
