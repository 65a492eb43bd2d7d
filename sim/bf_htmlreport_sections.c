/*
** bf_htmlreport_sections.c: the HTML report's sections for machine simulations (comparison table,
** stall breakdown, miss rates, SDRAM shares and latency histogram, set heatmaps, phases) and for
** allocator runs (table, series over time, fragmentation, latency percentiles).
*/
#define _POSIX_C_SOURCE 200809L
#include "bf_htmlreport_int.h"

#include "bf_common.h"
#include "bf_hmem.h"
#include "bf_report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ sections */

static void table_of(hr *h, hr_run *const *rs, size_t n, const char *const *rows, size_t nrows)
{
    FILE *f = h->f;
    fputs("<div class=\"scroll\"><table class=\"stats\"><thead><tr><th>statistic</th>", f);
    for (size_t c = 0; c < n; c++) {
        fprintf(f, "<th>run %lld<br>", (long long)rs[c]->id);
        hr_esc(f, rs[c]->config);
        fputs("</th>", f);
    }
    fputs("</tr></thead><tbody>\n", f);
    for (size_t r = 0; r < nrows; r++) {
        fputs("<tr><th class=\"name\">", f);
        hr_esc(f, rows[r]);
        fputs("</th>", f);
        for (size_t c = 0; c < n; c++) {
            long i = hr_metric_at(rs[c], rows[r]);
            char b[48];
            if (i < 0)
                snprintf(b, sizeof b, "n/a");
            else
                hr_fmt_value(b, sizeof b, rs[c]->mval[i]);
            fprintf(f, "<td data-run=\"%lld\" data-stat=\"", (long long)rs[c]->id);
            hr_esc(f, rows[r]);
            fprintf(f, "\">%s</td>", b);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

static const char **cat_names(hr_run *const *rs, size_t n)
{
    const char **c = bf_calloc(n ? n : 1, sizeof *c);
    for (size_t i = 0; c && i < n; i++)
        c[i] = rs[i]->config;
    return c;
}

/* Grouped or stacked bars of the given metrics per run, each value times scale. */
static int metric_bars(hr *h, hr_run *const *rs, size_t n, const char *title, const char *xlabel,
                       const char *ylabel, const char *const *names, const char *const *labels,
                       size_t nm, double scale, int stacked, const char *unit, int shares)
{
    double *v = bf_calloc(n * nm, sizeof *v);
    const char **cat = cat_names(rs, n);
    if (!v || !cat) {
        free(v);
        free(cat);
        return BF_ENOMEM;
    }
    for (size_t c = 0; c < n; c++) {
        double tot = 0;
        for (size_t s = 0; s < nm; s++)
            tot += hr_metric(rs[c], names[s]);
        for (size_t s = 0; s < nm; s++)
            v[c * nm + s] = shares ? (tot > 0 ? 100 * hr_metric(rs[c], names[s]) / tot : 0)
                                   : hr_metric(rs[c], names[s]) * scale;
    }
    hr_bars b = {title, xlabel, ylabel, n, cat, nm, labels, v, stacked, unit};
    hr_bar_chart(h->f, &b);
    free(v);
    free(cat);
    return BF_OK;
}

static int stall_chart(hr *h, hr_run *const *rs, size_t n)
{
    /* the components: busy, then every stall counter but the total, in stored order */
    const char *comp[64];
    size_t nc = 0;
    comp[nc++] = "core.busy_cycles";
    for (size_t i = 0; i < rs[0]->nm && nc < 64; i++) {
        const char *m = rs[0]->mname[i];
        if ((!strncmp(m, "core.stall.", 11) && strcmp(m, "core.stall.total")) ||
            !strncmp(m, "l1.stall.", 9))
            comp[nc++] = m;
    }
    int rc = metric_bars(
        h, rs, n,
        "Where the cycles go: busy cycles and stalls per config (bar total = core.cycles)",
        "machine config", "core cycles (CCLK)", comp, comp, nc, 1, 1, "cycles", 0);
    if (rc)
        return rc;
    fputs("<p class=\"note\">Each bar sums to the run's <code>core.cycles</code>: ", h->f);
    for (size_t c = 0; c < n; c++) {
        char vb[48];
        hr_fmt_value(vb, sizeof vb, hr_metric(rs[c], "core.cycles"));
        fprintf(h->f, "%s", c ? ", " : "");
        hr_esc(h->f, rs[c]->config);
        fprintf(h->f, " <span data-run=\"%lld\" data-stat=\"core.cycles\">%s</span>",
                (long long)rs[c]->id, vb);
    }
    fputs(".</p>\n", h->f);
    return metric_bars(h, rs, n, "The same breakdown as shares of each config's core.cycles",
                       "machine config", "share of core cycles (%)", comp, comp, nc, 1, 1, "%", 1);
}

static int latency_hist(hr *h, hr_run *const *rs, size_t n)
{
    const char *bucket[32], *label[32];
    char lab[32][32];
    size_t nb = 0;
    for (size_t i = 0; i < rs[0]->nm && nb < 32; i++) {
        const char *m = rs[0]->mname[i];
        if (strncmp(m, "sdram.read_latency.hist.", 24))
            continue;
        const char *t = m + 24;
        if (!strncmp(t, "lt", 2))
            snprintf(lab[nb], sizeof lab[nb], "< %s", t + 2);
        else if (!strncmp(t, "ge", 2))
            snprintf(lab[nb], sizeof lab[nb], ">= %s", t + 2);
        else
            snprintf(lab[nb], sizeof lab[nb], "%s", t);
        bucket[nb] = m;
        label[nb] = lab[nb];
        nb++;
    }
    if (!nb)
        return BF_OK;
    /* categories are the buckets, series the runs */
    double *v = bf_calloc(nb * n, sizeof *v);
    const char **ser = cat_names(rs, n);
    if (!v || !ser) {
        free(v);
        free(ser);
        return BF_ENOMEM;
    }
    for (size_t b = 0; b < nb; b++)
        for (size_t c = 0; c < n; c++)
            v[b * n + c] = hr_metric(rs[c], bucket[b]);
    hr_bars b = {"SDRAM read latency histogram (issue to ready)",
                 "read latency (CCLK cycles)",
                 "SDRAM reads",
                 nb,
                 label,
                 n,
                 ser,
                 v,
                 0,
                 "reads"};
    hr_bar_chart(h->f, &b);
    free(v);
    free(ser);
    return BF_OK;
}

static void hottest(FILE *f, const double *v, size_t nsets, size_t ways, const char *what)
{
    size_t best[5] = {0};
    double bv[5] = {0};
    for (size_t s = 0; s < nsets; s++) {
        double t = 0;
        for (size_t w = 0; w < ways; w++)
            t += v[s * ways + w];
        for (int k = 0; k < 5; k++)
            if (t > bv[k]) {
                memmove(bv + k + 1, bv + k, (size_t)(4 - k) * sizeof *bv);
                memmove(best + k + 1, best + k, (size_t)(4 - k) * sizeof *best);
                bv[k] = t;
                best[k] = s;
                break;
            }
    }
    fprintf(f, "<p class=\"note\">Hottest sets by %s:", what);
    for (int k = 0; k < 5 && bv[k] > 0; k++)
        fprintf(f, "%s set %zu (%.0f)", k ? "," : "", best[k], bv[k]);
    fputs("</p>\n", f);
}

/* Member WHAT.wayW of a sets.* series into dst[set * ways + w] for set < nsets. */
static void way_column(hr *h, int64_t run, const char *series, const char *what, size_t w,
                       size_t ways, size_t nsets, double *dst)
{
    char nm[32];
    size_t k;
    snprintf(nm, sizeof nm, "%s.way%zu", what, w);
    double *v = hr_series_values(h, run, series, nm, &k);
    for (size_t s = 0; v && s < k && s < nsets; s++)
        dst[s * ways + w] = v[s];
    free(v);
}

static int set_heatmaps(hr *h, hr_run *const *rs, size_t n)
{
    int any = 0;
    for (size_t c = 0; c < n; c++) {
        size_t gn;
        double *dbanks = hr_series_values(h, rs[c]->id, "sets.geometry", "dbanks", &gn);
        if (!dbanks)
            continue;
        double *g[4];
        const char *gname[4] = {"dsets", "dways", "isets", "iways"};
        int ok = 1;
        for (int k = 0; k < 4; k++) {
            g[k] = hr_series_values(h, rs[c]->id, "sets.geometry", gname[k], &gn);
            ok &= g[k] != NULL;
        }
        size_t nb = (size_t)dbanks[0], dsets = ok ? (size_t)g[0][0] : 0,
               dways = ok ? (size_t)g[1][0] : 0;
        size_t isets = ok ? (size_t)g[2][0] : 0, iways = ok ? (size_t)g[3][0] : 0;
        free(dbanks);
        for (int k = 0; k < 4; k++)
            free(g[k]);
        if (!ok || nb > 2 || dsets > 4096 || dways > 16 || isets > 4096 || iways > 16)
            continue;
        if (!any)
            fputs("<h2 id=\"sets\">Cache set heatmaps</h2>\n<p>Line fills and evictions per set "
                  "and way (runs recorded with <code>--set-stats</code>). A set much hotter than "
                  "its neighbours is a conflict hot spot: addresses that map to it compete for its "
                  "ways.</p>\n",
                  h->f);
        any = 1;
        /* D-cache: slot = (bank * dsets + set) * dways + way */
        size_t nd = nb * dsets * dways, ni = isets * iways;
        double *df = bf_calloc(nd + 1, sizeof *df), *de = bf_calloc(nd + 1, sizeof *de);
        double *jf = bf_calloc(ni + 1, sizeof *jf), *je = bf_calloc(ni + 1, sizeof *je);
        if (!df || !de || !jf || !je) {
            free(df), free(de), free(jf), free(je);
            return BF_ENOMEM;
        }
        for (size_t w = 0; w < dways || w < iways; w++) {
            if (w < dways) {
                way_column(h, rs[c]->id, "sets.dcache", "fills", w, dways, nb * dsets, df);
                way_column(h, rs[c]->id, "sets.dcache", "evictions", w, dways, nb * dsets, de);
            }
            if (w < iways) {
                way_column(h, rs[c]->id, "sets.icache", "fills", w, iways, isets, jf);
                way_column(h, rs[c]->id, "sets.icache", "evictions", w, iways, isets, je);
            }
        }
        fprintf(h->f, "<h3>run %lld: ", (long long)rs[c]->id);
        hr_esc(h->f, rs[c]->config);
        fputs("</h3>\n", h->f);
        const char *bank_stat[2] = {"l1.dcache.bank_a.accesses", "l1.dcache.bank_b.accesses"};
        int drawn = 0;
        for (size_t b = 0; b < nb; b++) {
            double used = 0;
            for (size_t k = 0; k < dsets * dways; k++)
                used += df[b * dsets * dways + k];
            if (hr_metric(rs[c], bank_stat[b]) <= 0 && used <= 0)
                continue; /* this bank is SRAM (or unused) in this config */
            char t[200];
            snprintf(t, sizeof t, "D-cache bank %c, %s: fills and evictions per set and way",
                     b ? 'B' : 'A', rs[c]->config);
            hr_heatmap(h, t, df + b * dsets * dways, de + b * dsets * dways, dsets, dways);
            hottest(h->f, df + b * dsets * dways, dsets, dways, "line fills");
            drawn = 1;
        }
        if (hr_metric(rs[c], "l1.icache.fetches") > 0) {
            char t[200];
            snprintf(t, sizeof t, "I-cache, %s: fills and evictions per set and way",
                     rs[c]->config);
            hr_heatmap(h, t, jf, je, isets, iways);
            hottest(h->f, jf, isets, iways, "line fills");
            drawn = 1;
        }
        if (!drawn)
            fputs("<p class=\"note\">No cache is enabled in this config.</p>\n", h->f);
        free(df), free(de), free(jf), free(je);
    }
    return BF_OK;
}

/* The phases of a run in marker order: series phase.NAME, idx = the phase's number (names may
** repeat: a trace can mark the same phase many times). */
static size_t phase_list(hr *h, int64_t run, char names[][64], int64_t *idx, size_t max)
{
    sqlite3_stmt *st;
    size_t n = 0;
    if (sqlite3_prepare_v2(h->db,
                           "SELECT DISTINCT series, idx FROM series WHERE run_id = ? AND series "
                           "LIKE 'phase.%' ORDER BY idx",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, run);
    while (n < max && sqlite3_step(st) == SQLITE_ROW) {
        snprintf(names[n], 64, "%s", (const char *)sqlite3_column_text(st, 0) + 6);
        idx[n++] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return n;
}

/* One statistic's delta in one phase (0 when not stored: zero deltas are not stored). */
static double phase_stat(hr *h, int64_t run, const char *phase, int64_t idx, const char *stat)
{
    char series[80];
    snprintf(series, sizeof series, "phase.%s", phase);
    sqlite3_stmt *st;
    double v = 0;
    if (sqlite3_prepare_v2(h->db,
                           "SELECT value FROM series WHERE run_id = ? AND series = ? AND idx = ? "
                           "AND name = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_text(st, 2, series, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, idx);
    sqlite3_bind_text(st, 4, stat, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

enum { MAX_PHASES = 64 };

static int phases(hr *h, hr_run *const *rs, size_t n)
{
    static char names[MAX_PHASES][64], labels[MAX_PHASES][80];
    int64_t idx[MAX_PHASES];
    int any = 0;
    for (size_t c = 0; c < n; c++) {
        size_t np = phase_list(h, rs[c]->id, names, idx, MAX_PHASES);
        if (!np)
            continue;
        if (!any)
            fputs(
                "<h2 id=\"phases\">Phases</h2>\n<p>Per-phase cycles and miss rates of traces with "
                "phase markers (the deltas stored for each phase).</p>\n",
                h->f);
        any = 1;
        const char *cat[MAX_PHASES];
        double cyc[MAX_PHASES], rates[MAX_PHASES * 2];
        fprintf(h->f, "<h3>run %lld: ", (long long)rs[c]->id);
        hr_esc(h->f, rs[c]->config);
        fputs("</h3>\n<table class=\"stats\"><thead><tr><th>phase</th><th>core.cycles</th>"
              "<th>D-cache miss rate (%)</th><th>I-cache miss rate (%)</th></tr></thead><tbody>\n",
              h->f);
        for (size_t p = 0; p < np; p++) {
            snprintf(labels[p], sizeof labels[p], "%lld %s", (long long)idx[p], names[p]);
            cat[p] = labels[p];
            int64_t run = rs[c]->id, k = idx[p];
            cyc[p] = phase_stat(h, run, names[p], k, "core.cycles");
            double dacc = phase_stat(h, run, names[p], k, "l1.dcache.reads") +
                          phase_stat(h, run, names[p], k, "l1.dcache.writes");
            double dmis = phase_stat(h, run, names[p], k, "l1.dcache.read_misses") +
                          phase_stat(h, run, names[p], k, "l1.dcache.write_misses");
            double ifet = phase_stat(h, run, names[p], k, "l1.icache.fetches");
            double imis = phase_stat(h, run, names[p], k, "l1.icache.misses");
            rates[2 * p] = dacc > 0 ? 100 * dmis / dacc : 0;
            rates[2 * p + 1] = ifet > 0 ? 100 * imis / ifet : 0;
            char a[48], b[48], d[48];
            hr_fmt_value(a, sizeof a, cyc[p]);
            hr_fmt_value(b, sizeof b, rates[2 * p]);
            hr_fmt_value(d, sizeof d, rates[2 * p + 1]);
            fputs("<tr><th class=\"name\">", h->f);
            hr_esc(h->f, labels[p]);
            fprintf(h->f,
                    "</th><td data-run=\"%lld\" data-phase=\"%lld\" data-stat=\"core.cycles\">%s"
                    "</td><td>%s</td><td>%s</td></tr>\n",
                    (long long)run, (long long)k, a, b, d);
        }
        fputs("</tbody></table>\n", h->f);
        char t[200];
        const char *one[] = {"core.cycles"};
        snprintf(t, sizeof t, "Cycles per phase, %s", rs[c]->config);
        hr_bars b1 = {t, "phase", "core cycles (CCLK)", np, cat, 1, one, cyc, 0, "cycles"};
        hr_bar_chart(h->f, &b1);
        const char *two[] = {"D-cache miss rate", "I-cache miss rate"};
        snprintf(t, sizeof t, "Miss rates per phase, %s", rs[c]->config);
        hr_bars b2 = {t, "phase", "miss rate (% of accesses)", np, cat, 2, two, rates, 0, "%"};
        hr_bar_chart(h->f, &b2);
    }
    return BF_OK;
}

int hr_sim_section(hr *h, hr_run *const *rs, size_t n)
{
    FILE *f = h->f;
    fputs("<h2 id=\"configs\">Configs side by side</h2>\n", f);
    table_of(h, rs, n, bf_compare_rows, bf_compare_nrows);
    int rc = stall_chart(h, rs, n);
    const char *mr[] = {"l1.icache.miss_rate", "l1.dcache.miss_rate"};
    const char *mrl[] = {"I-cache misses per fetch", "D-cache misses per access"};
    if (!rc)
        rc = metric_bars(h, rs, n, "Miss rate per cache", "machine config",
                         "miss rate (% of accesses)", mr, mrl, 2, 100, 0, "%", 0);
    const char *rows[] = {"sdram.row_hits", "sdram.row_misses", "sdram.row_conflicts"};
    const char *rowl[] = {"row hits", "row misses (bank idle)", "row conflicts (other row open)"};
    if (!rc)
        rc = metric_bars(h, rs, n, "SDRAM row hit / miss / conflict shares", "machine config",
                         "share of SDRAM accesses (%)", rows, rowl, 3, 1, 1, "%", 1);
    if (!rc)
        rc = latency_hist(h, rs, n);
    if (!rc)
        rc = set_heatmaps(h, rs, n);
    if (!rc)
        rc = phases(h, rs, n);
    return rc;
}

int hr_alloc_section(hr *h, hr_run *const *rs, size_t n)
{
    FILE *f = h->f;
    fputs("<h2 id=\"alloc\">Allocators</h2>\n", f);
    table_of(h, rs, n, bf_alloc_compare_rows, bf_alloc_compare_nrows);
    const char **ser = cat_names(rs, n);
    size_t *np = bf_calloc(n, sizeof *np);
    double **x = bf_calloc(n, sizeof *x), **y = bf_calloc(n, sizeof *y);
    int rc = ser && np && x && y ? BF_OK : BF_ENOMEM;
    struct {
        const char *member, *title, *ylabel;
        double scale;
    } plots[] = {
        {"free_bytes", "Free memory over the workload", "free memory (MB)", 1.0 / 1048576},
        {"largest_free", "Largest free block over the workload", "largest free block (MB)",
         1.0 / 1048576},
        {"unusable_order4", "Unusable free space index (order 4, 64 KB requests) over the workload",
         "unusable free space index (0..1)", 1},
    };
    for (size_t p = 0; p < BF_ARRAY_SIZE(plots) && !rc; p++) {
        for (size_t c = 0; c < n; c++) {
            size_t k = 0, kx = 0;
            free(x[c]);
            free(y[c]);
            x[c] = hr_series_values(h, rs[c]->id, "alloc", "op", &kx);
            y[c] = hr_series_values(h, rs[c]->id, "alloc", plots[p].member, &k);
            np[c] = x[c] && y[c] ? (k < kx ? k : kx) : 0;
            for (size_t i = 0; i < np[c]; i++)
                y[c][i] *= plots[p].scale;
        }
        hr_lines l = {plots[p].title,
                      "allocation trace operation (index)",
                      plots[p].ylabel,
                      n,
                      ser,
                      np,
                      (const double *const *)x,
                      (const double *const *)y};
        hr_line_chart(f, &l);
    }
    for (size_t c = 0; c < n && x && y; c++) {
        free(x[c]);
        free(y[c]);
    }
    free(x);
    free(y);
    free(np);
    free(ser);
    const char *fr[] = {"alloc.frag.internal_pct"};
    const char *frl[] = {"internal fragmentation"};
    if (!rc)
        rc = metric_bars(h, rs, n, "Internal fragmentation per allocator", "allocator",
                         "allocated but unrequested bytes (%)", fr, frl, 1, 1, 0, "%", 0);
    const char *lat[] = {"alloc.latency.p50_cycles", "alloc.latency.mean_cycles",
                         "alloc.latency.p99_cycles"};
    const char *latl[] = {"median", "mean", "99th percentile"};
    if (!rc)
        rc = metric_bars(h, rs, n, "Latency of an allocation or free, per allocator", "allocator",
                         "core cycles (CCLK) per operation", lat, latl, 3, 1, 0, "cycles", 0);
    if (rc == BF_ENOMEM)
        snprintf(h->err, h->errn, "out of host memory");
    return rc;
}
