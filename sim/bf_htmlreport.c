/*
** bf_htmlreport.c: the HTML report of stored runs (see bf_htmlreport.h, docs/report.md).
**
** What it draws, from the results database only (never from a live simulation, so `report`,
** `compare --html` and `regress --html` show the same page for the same runs):
**   1. the runs; for machine simulations the comparison table (bf_compare_rows), the stall
**      breakdown (core.busy_cycles and every core.stall.* / l1.stall.* but the total: the stack
**      sums to core.cycles, rule 5 of docs/architecture.md), miss rates, SDRAM row shares, the
**      SDRAM read-latency histogram (sdram.read_latency.hist.*), the set heatmaps (series
**      sets.*, runs made with --set-stats) and the phases (series phase.*);
**   2. for allocator runs the table (bf_alloc_compare_rows), the series `alloc` over time,
**      internal fragmentation and latency percentiles;
**   3. for a regression (opts->reg) its moved statistics (baseline, now, change, tolerance, as
**      bf_regdb stored them) and, per moved numeric statistic, its trend over the stored
**      regressions of the suite up to this one (bf_regdb_trend), with the baseline and the
**      tolerance band; the value axis of a trend spans the data, not 0.
**
** Assumptions:
**   1. Charts are SVG written here: a chart is a few rectangles, lines and labels, so a
**      dependency (gnuplot) and a process per chart would buy nothing, and the output is
**      byte-for-byte deterministic and testable.
**   2. Every chart has a <title>, a visible title, axis labels with units, a legend when it
**      has more than one series, and its data elements carry class "data" (the browser test
**      checks all three). Width 1200 user units, scaled to the page (readable at 1280 px).
**   3. Table cells show the stored value: integers in full with thousands separators, other
**      values with 6 significant digits; each cell carries data-run and data-stat.
** Invariant: DIR/index.html is either the previous page or the complete new one (temporary
** file, fsync, rename).
*/
#define _POSIX_C_SOURCE 200809L
#include "bf_hmem.h"
#include "bf_htmlreport.h"

#include "bf_common.h"
#include "bf_report.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ the runs in memory */

typedef struct hr_run {
    int64_t id;
    char *config, *command, *workload, *status, *start, *git_rev;
    size_t nm;
    char **mname; /* metrics in the order they were stored */
    double *mval;
    int *mnull;
} hr_run;

typedef struct hr {
    bf_results *results;
    sqlite3 *db;
    FILE *f;
    hr_run *runs;
    size_t nruns;
    int svg_seq; /* unique ids inside the page */
    char *err;
    size_t errn;
} hr;

static char *dupstr(const unsigned char *s)
{
    if (!s)
        s = (const unsigned char *)"";
    size_t n = strlen((const char *)s);
    char *d = bf_malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

static void run_free(hr_run *r)
{
    for (size_t i = 0; i < r->nm; i++)
        free(r->mname[i]);
    free(r->mname);
    free(r->mval);
    free(r->mnull);
    free(r->config);
    free(r->command);
    free(r->workload);
    free(r->status);
    free(r->start);
    free(r->git_rev);
}

static int db_err(hr *h, const char *what)
{
    snprintf(h->err, h->errn, "results database: %s: %s", what, sqlite3_errmsg(h->db));
    return BF_EDB;
}

static int load_run(hr *h, int64_t id, hr_run *r)
{
    memset(r, 0, sizeof *r);
    r->id = id;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            h->db,
            "SELECT config_name, command, workload_path, status, start_time, git_rev "
            "FROM runs WHERE id = ?",
            -1, &st, NULL) != SQLITE_OK)
        return db_err(h, "reading runs");
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return db_err(h, "reading runs");
        snprintf(h->err, h->errn, "run %lld: no such run in the results database", (long long)id);
        return BF_EINPUT;
    }
    r->config = dupstr(sqlite3_column_text(st, 0));
    r->command = dupstr(sqlite3_column_text(st, 1));
    r->workload = dupstr(sqlite3_column_text(st, 2));
    r->status = dupstr(sqlite3_column_text(st, 3));
    r->start = dupstr(sqlite3_column_text(st, 4));
    r->git_rev = dupstr(sqlite3_column_text(st, 5));
    sqlite3_finalize(st);
    if (!r->config || !r->command || !r->workload || !r->status || !r->start || !r->git_rev) {
        snprintf(h->err, h->errn, "out of host memory");
        return BF_ENOMEM;
    }
    if (sqlite3_prepare_v2(h->db, "SELECT name, value FROM metrics WHERE run_id = ? ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(h, "reading metrics");
    sqlite3_bind_int64(st, 1, id);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (r->nm == cap) {
            cap = cap ? 2 * cap : 256;
            char **nn = bf_realloc(r->mname, cap * sizeof *nn);
            if (nn)
                r->mname = nn;
            double *nv = bf_realloc(r->mval, cap * sizeof *nv);
            if (nv)
                r->mval = nv;
            int *nz = bf_realloc(r->mnull, cap * sizeof *nz);
            if (nz)
                r->mnull = nz;
            if (!nn || !nv || !nz) {
                sqlite3_finalize(st);
                snprintf(h->err, h->errn, "out of host memory");
                return BF_ENOMEM;
            }
        }
        r->mname[r->nm] = dupstr(sqlite3_column_text(st, 0));
        r->mnull[r->nm] = sqlite3_column_type(st, 1) == SQLITE_NULL;
        r->mval[r->nm] = sqlite3_column_double(st, 1);
        if (!r->mname[r->nm]) {
            sqlite3_finalize(st);
            snprintf(h->err, h->errn, "out of host memory");
            return BF_ENOMEM;
        }
        r->nm++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_err(h, "reading metrics");
    if (!r->nm) {
        snprintf(h->err, h->errn, "run %lld (%s) has no metrics: its status is %s", (long long)id,
                 r->config, r->status);
        return BF_EINPUT;
    }
    return BF_OK;
}

/* Index of metric name in r, or -1 (also for a NULL value). */
static long metric_at(const hr_run *r, const char *name)
{
    for (size_t i = 0; i < r->nm; i++)
        if (!strcmp(r->mname[i], name))
            return r->mnull[i] ? -1 : (long)i;
    return -1;
}

static double metric(const hr_run *r, const char *name)
{
    long i = metric_at(r, name);
    return i < 0 ? 0 : r->mval[i];
}

static int is_alloc(const hr_run *r)
{
    return !strcmp(r->command, "alloc");
}

/* One series of a run: values of member `name` by idx (0..*n), missing entries 0. */
static double *series_values(hr *h, int64_t run, const char *series, const char *name, size_t *n)
{
    *n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db,
                           "SELECT idx, value FROM series WHERE run_id = ? AND series = ? AND "
                           "name = ? ORDER BY idx",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_text(st, 2, series, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    double *v = NULL;
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t idx = sqlite3_column_int64(st, 0);
        if (idx < 0 || idx > (1 << 24))
            continue;
        if ((size_t)idx >= cap) {
            size_t nc = cap ? cap : 64;
            while (nc <= (size_t)idx)
                nc *= 2;
            double *nv = bf_realloc(v, nc * sizeof *nv);
            if (!nv)
                break;
            memset(nv + cap, 0, (nc - cap) * sizeof *nv);
            v = nv;
            cap = nc;
        }
        v[idx] = sqlite3_column_double(st, 1);
        if ((size_t)idx + 1 > *n)
            *n = (size_t)idx + 1;
    }
    sqlite3_finalize(st);
    return v;
}

/* ------------------------------------------------------------------------ text helpers */

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

/* A table value: integers in full with thousands separators, else 6 significant digits. */
static void fmt_value(char *buf, size_t n, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, n, "n/a");
        return;
    }
    if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        char digits[32];
        snprintf(digits, sizeof digits, "%.0f", fabs(v));
        size_t len = strlen(digits), o = 0;
        if (v < 0 && o + 1 < n)
            buf[o++] = '-';
        for (size_t i = 0; i < len && o + 2 < n; i++) {
            if (i && (len - i) % 3 == 0)
                buf[o++] = ',';
            buf[o++] = digits[i];
        }
        buf[o] = 0;
        return;
    }
    snprintf(buf, n, "%.6g", v);
}

/* An axis label: 1.5 k, 20 M, 0.25. */
static void fmt_tick(char *buf, size_t n, double v)
{
    double a = fabs(v);
    if (a >= 1e9)
        snprintf(buf, n, "%g G", v / 1e9);
    else if (a >= 1e6)
        snprintf(buf, n, "%g M", v / 1e6);
    else if (a >= 1e4)
        snprintf(buf, n, "%g k", v / 1e3);
    else
        snprintf(buf, n, "%g", v);
}

/* 1, 2 or 5 times a power of ten, at least raw. */
static double nice_step(double raw)
{
    if (!(raw > 0))
        return 1;
    double p = pow(10, floor(log10(raw)));
    double m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static const char *const k_colors[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                       "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
#define NCOLORS (sizeof k_colors / sizeof k_colors[0])

/* ------------------------------------------------------------------------ SVG charts */

enum { W = 1200, ML = 96, MR = 24, LEGEND_ROW = 20 };

/* Legend rows from y, wrapping at the width; returns the height used. */
static int legend(FILE *f, const char *const *names, size_t n, int y, int draw)
{
    int x = ML, rows = n ? 1 : 0;
    for (size_t i = 0; i < n; i++) {
        int w = 22 + 7 * (int)strlen(names[i]) + 18;
        if (x + w > W - MR && x > ML) {
            x = ML;
            y += LEGEND_ROW;
            rows++;
        }
        if (draw) {
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>", x,
                    y - 11, k_colors[i % NCOLORS]);
            fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"legend\">", x + 20, y);
            esc(f, names[i]);
            fputs("</text>", f);
        }
        x += w;
    }
    return rows * LEGEND_ROW;
}

static void svg_open(FILE *f, int h, const char *title)
{
    fprintf(f,
            "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
            "width=\"%d\" height=\"%d\" role=\"img\"><title>",
            W, h, W, h);
    esc(f, title);
    fputs("</title>", f);
    fprintf(f, "<text x=\"%d\" y=\"24\" class=\"title\" text-anchor=\"middle\">", W / 2);
    esc(f, title);
    fputs("</text>", f);
}

static void svg_close(FILE *f)
{
    fputs("</svg></figure>\n", f);
}

/* Value axis on the left from bot to top with its label; plot area [x0,x1] x [y0 (top), y1]. */
static void y_axis(FILE *f, double bot, double top, double step, int x0, int x1, int y0, int y1,
                   const char *label)
{
    for (double t = bot; t <= top + (top - bot) * 1e-7; t += step) {
        double y = y1 - (y1 - y0) * (t - bot) / (top - bot);
        char b[32];
        fmt_tick(b, sizeof b, t);
        fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>", x0, x1, y,
                y);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>", x0 - 6,
                y + 4, b);
    }
    fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" class=\"axis\"/>", x0, x0, y0, y1);
    fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" class=\"axis\"/>", x0, x1, y1, y1);
    fprintf(f,
            "<text class=\"axis-label\" text-anchor=\"middle\" transform=\"translate(18 %d) "
            "rotate(-90)\">",
            (y0 + y1) / 2);
    esc(f, label);
    fputs("</text>", f);
}

static void x_label(FILE *f, int y, const char *label)
{
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"axis-label\" text-anchor=\"middle\">",
            (ML + W - MR) / 2, y);
    esc(f, label);
    fputs("</text>", f);
}

typedef struct hr_bars {
    const char *title, *xlabel, *ylabel;
    size_t ncat;
    const char *const *cat; /* categories along x (configs, buckets, ...) */
    size_t nser;
    const char *const *ser; /* series: the legend */
    const double *v;        /* v[c * nser + s] */
    int stacked;            /* 1: series stacked in one bar per category; 0: side by side */
    const char *unit;       /* of the values, for the tooltips */
} hr_bars;

static void bars(FILE *f, const hr_bars *b)
{
    int lh = b->nser > 1 ? legend(f, b->ser, b->nser, 0, 0) : 0;
    int rotate = b->ncat > 6;
    int y0 = 44 + lh + 10, plot_h = 300, y1 = y0 + plot_h;
    int h = y1 + (rotate ? 120 : 60);
    double top = 0;
    for (size_t c = 0; c < b->ncat; c++) {
        double sum = 0;
        for (size_t s = 0; s < b->nser; s++) {
            double v = b->v[c * b->nser + s];
            sum = b->stacked ? sum + (v > 0 ? v : 0) : (v > sum ? v : sum);
        }
        if (sum > top)
            top = sum;
    }
    double step = nice_step(top > 0 ? top / 5 : 1);
    top = ceil((top > 0 ? top : 1) / step) * step;
    svg_open(f, h, b->title);
    if (b->nser > 1)
        legend(f, b->ser, b->nser, 44, 1);
    int x0 = ML, x1 = W - MR;
    y_axis(f, 0, top, step, x0, x1, y0, y1, b->ylabel);
    double gw = (double)(x1 - x0) / (double)b->ncat;
    double bw = b->stacked ? gw * 0.6 : gw * 0.8 / (double)b->nser;
    for (size_t c = 0; c < b->ncat; c++) {
        double gx = x0 + gw * (double)c, base = y1;
        for (size_t s = 0; s < b->nser; s++) {
            double v = b->v[c * b->nser + s];
            if (!(v >= 0))
                continue; /* a zero is drawn (height 0, with its tooltip): all-zero charts
                             such as the miss rates of an L1-resident kernel still hold data */
            double hgt = plot_h * v / top;
            double x = b->stacked ? gx + gw * 0.2 : gx + gw * 0.1 + bw * (double)s;
            double y = b->stacked ? base - hgt : y1 - hgt;
            char vb[48];
            fmt_value(vb, sizeof vb, v);
            fprintf(f,
                    "<rect class=\"data\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                    "fill=\"%s\"><title>",
                    x, y, bw, hgt, k_colors[s % NCOLORS]);
            esc(f, b->cat[c]);
            fputs(", ", f);
            esc(f, b->ser[s]);
            fprintf(f, ": %s %s</title></rect>", vb, b->unit);
            if (b->stacked)
                base = y;
        }
        double cx = gx + gw / 2;
        if (rotate)
            fprintf(f,
                    "<text class=\"tick\" text-anchor=\"end\" transform=\"translate(%.1f %d) "
                    "rotate(-35)\">",
                    cx, y1 + 14);
        else
            fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", cx,
                    y1 + 18);
        esc(f, b->cat[c]);
        fputs("</text>", f);
    }
    x_label(f, h - 12, b->xlabel);
    svg_close(f);
}

typedef struct hr_lines {
    const char *title, *xlabel, *ylabel;
    size_t nser;
    const char *const *ser;
    const size_t *npts;
    const double *const *x, *const *y;
} hr_lines;

static void lines(FILE *f, const hr_lines *l)
{
    int lh = l->nser > 1 ? legend(f, l->ser, l->nser, 0, 0) : 0;
    int y0 = 44 + lh + 10, plot_h = 300, y1 = y0 + plot_h, h = y1 + 60;
    double xmax = 0, ymax = 0;
    for (size_t s = 0; s < l->nser; s++)
        for (size_t i = 0; i < l->npts[s]; i++) {
            if (l->x[s][i] > xmax)
                xmax = l->x[s][i];
            if (l->y[s][i] > ymax)
                ymax = l->y[s][i];
        }
    double ystep = nice_step(ymax > 0 ? ymax / 5 : 1), xstep = nice_step(xmax > 0 ? xmax / 8 : 1);
    double ytop = ceil((ymax > 0 ? ymax : 1) / ystep) * ystep;
    double xtop = ceil((xmax > 0 ? xmax : 1) / xstep) * xstep;
    svg_open(f, h, l->title);
    if (l->nser > 1)
        legend(f, l->ser, l->nser, 44, 1);
    int x0 = ML, x1 = W - MR;
    y_axis(f, 0, ytop, ystep, x0, x1, y0, y1, l->ylabel);
    for (double t = 0; t <= xtop * 1.0000001; t += xstep) {
        double x = x0 + (x1 - x0) * t / xtop;
        char b[32];
        fmt_tick(b, sizeof b, t);
        fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x,
                y1 + 18, b);
    }
    for (size_t s = 0; s < l->nser; s++) {
        if (!l->npts[s])
            continue;
        fprintf(f,
                "<polyline class=\"data\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                k_colors[s % NCOLORS]);
        for (size_t i = 0; i < l->npts[s]; i++)
            fprintf(f, "%s%.1f,%.1f", i ? " " : "", x0 + (x1 - x0) * l->x[s][i] / xtop,
                    y1 - (y1 - y0) * l->y[s][i] / ytop);
        fputs("\"><title>", f);
        esc(f, l->ser[s]);
        fputs("</title></polyline>", f);
    }
    x_label(f, h - 12, l->xlabel);
    svg_close(f);
}

/* Fill colour of a heatmap cell: grey for 0, then white-yellow-red by v / max. */
static void heat_color(char *buf, size_t n, double v, double max)
{
    if (!(v > 0) || !(max > 0)) {
        snprintf(buf, n, "#e8e8e8");
        return;
    }
    double t = sqrt(v / max); /* a square root keeps small counts visible beside a hot spot */
    int r, g, b;
    if (t < 0.5) { /* #fff7bc -> #fec44f */
        double u = t / 0.5;
        r = 255 + (int)((254 - 255) * u), g = 247 + (int)((196 - 247) * u),
        b = 188 + (int)((79 - 188) * u);
    } else { /* #fec44f -> #b10026 */
        double u = (t - 0.5) / 0.5;
        r = 254 + (int)((177 - 254) * u), g = 196 + (int)((0 - 196) * u),
        b = 79 + (int)((38 - 79) * u);
    }
    snprintf(buf, n, "#%02x%02x%02x", r, g, b);
}

/* Two panels (fills, evictions) of nsets x ways cells; slot k = set * ways + way. */
static void heatmap(hr *h, const char *title, const double *fills, const double *evictions,
                    size_t nsets, size_t ways)
{
    FILE *f = h->f;
    const double *panel[2] = {fills, evictions};
    const char *pname[2] = {"line fills (misses that allocated a line)", "evictions"};
    int cell_h = ways > 2 ? 12 : 18, panel_h = (int)ways * cell_h;
    int x0 = ML, x1 = W - MR;
    double cw = (double)(x1 - x0) / (double)nsets;
    int y = 60, h_total = 60 + 2 * (panel_h + 70) + 16;
    svg_open(f, h_total, title);
    int id = ++h->svg_seq;
    for (int p = 0; p < 2; p++) {
        double max = 0;
        for (size_t k = 0; k < nsets * ways; k++)
            if (panel[p][k] > max)
                max = panel[p][k];
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"subtitle\">%s (max %.0f per slot)</text>", x0,
                y - 8, pname[p], max);
        for (size_t s = 0; s < nsets; s++)
            for (size_t w = 0; w < ways; w++) {
                double v = panel[p][s * ways + w];
                char col[16];
                heat_color(col, sizeof col, v, max);
                fprintf(f,
                        "<rect class=\"data\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" "
                        "fill=\"%s\"/>",
                        x0 + cw * (double)s, y + (int)w * cell_h, cw + 0.05, cell_h, col);
            }
        for (size_t w = 0; w < ways; w++)
            fprintf(f, "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">way %zu</text>",
                    x0 - 6, y + (int)w * cell_h + cell_h - 4, w);
        fprintf(f,
                "<text class=\"axis-label\" text-anchor=\"middle\" transform=\"translate(18 %d) "
                "rotate(-90)\">way</text>",
                y + panel_h / 2);
        size_t tick = nsets >= 256 ? 32 : 16;
        for (size_t s = 0; s <= nsets; s += tick)
            fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%zu</text>",
                    x0 + cw * (double)s, y + panel_h + 16, s);
        fprintf(f,
                "<text x=\"%d\" y=\"%d\" class=\"axis-label\" text-anchor=\"middle\">set index "
                "(sub-bank and line-index bits)</text>",
                (x0 + x1) / 2, y + panel_h + 34);
        y += panel_h + 70;
    }
    /* colour scale */
    fprintf(f, "<defs><linearGradient id=\"heat%d\">", id);
    for (int i = 0; i <= 10; i++) {
        char col[16];
        heat_color(col, sizeof col, i * i / 100.0 + 1e-12, 1);
        fprintf(f, "<stop offset=\"%d%%\" stop-color=\"%s\"/>", i * 10, col);
    }
    fprintf(f,
            "</linearGradient></defs><rect x=\"%d\" y=\"%d\" width=\"300\" height=\"12\" "
            "fill=\"url(#heat%d)\"/>",
            x0 + 160, y - 14, id);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"#e8e8e8\"/>", x0, y - 14);
    fprintf(f, "<text class=\"legend\" x=\"%d\" y=\"%d\">none</text>", x0 + 18, y - 4);
    fprintf(f, "<text class=\"legend\" x=\"%d\" y=\"%d\">few</text>", x0 + 126, y - 4);
    fprintf(f, "<text class=\"legend\" x=\"%d\" y=\"%d\">panel maximum (lines per slot)</text>",
            x0 + 468, y - 4);
    svg_close(f);
}

/* ------------------------------------------------------------------------ sections */

static void table_of(hr *h, hr_run *const *rs, size_t n, const char *const *rows, size_t nrows)
{
    FILE *f = h->f;
    fputs("<div class=\"scroll\"><table class=\"stats\"><thead><tr><th>statistic</th>", f);
    for (size_t c = 0; c < n; c++) {
        fprintf(f, "<th>run %lld<br>", (long long)rs[c]->id);
        esc(f, rs[c]->config);
        fputs("</th>", f);
    }
    fputs("</tr></thead><tbody>\n", f);
    for (size_t r = 0; r < nrows; r++) {
        fputs("<tr><th class=\"name\">", f);
        esc(f, rows[r]);
        fputs("</th>", f);
        for (size_t c = 0; c < n; c++) {
            long i = metric_at(rs[c], rows[r]);
            char b[48];
            if (i < 0)
                snprintf(b, sizeof b, "n/a");
            else
                fmt_value(b, sizeof b, rs[c]->mval[i]);
            fprintf(f, "<td data-run=\"%lld\" data-stat=\"", (long long)rs[c]->id);
            esc(f, rows[r]);
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
            tot += metric(rs[c], names[s]);
        for (size_t s = 0; s < nm; s++)
            v[c * nm + s] = shares ? (tot > 0 ? 100 * metric(rs[c], names[s]) / tot : 0)
                                   : metric(rs[c], names[s]) * scale;
    }
    hr_bars b = {title, xlabel, ylabel, n, cat, nm, labels, v, stacked, unit};
    bars(h->f, &b);
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
        fmt_value(vb, sizeof vb, metric(rs[c], "core.cycles"));
        fprintf(h->f, "%s", c ? ", " : "");
        esc(h->f, rs[c]->config);
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
            v[b * n + c] = metric(rs[c], bucket[b]);
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
    bars(h->f, &b);
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
    double *v = series_values(h, run, series, nm, &k);
    for (size_t s = 0; v && s < k && s < nsets; s++)
        dst[s * ways + w] = v[s];
    free(v);
}

static int set_heatmaps(hr *h, hr_run *const *rs, size_t n)
{
    int any = 0;
    for (size_t c = 0; c < n; c++) {
        size_t gn;
        double *dbanks = series_values(h, rs[c]->id, "sets.geometry", "dbanks", &gn);
        if (!dbanks)
            continue;
        double *g[4];
        const char *gname[4] = {"dsets", "dways", "isets", "iways"};
        int ok = 1;
        for (int k = 0; k < 4; k++) {
            g[k] = series_values(h, rs[c]->id, "sets.geometry", gname[k], &gn);
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
        esc(h->f, rs[c]->config);
        fputs("</h3>\n", h->f);
        const char *bank_stat[2] = {"l1.dcache.bank_a.accesses", "l1.dcache.bank_b.accesses"};
        int drawn = 0;
        for (size_t b = 0; b < nb; b++) {
            double used = 0;
            for (size_t k = 0; k < dsets * dways; k++)
                used += df[b * dsets * dways + k];
            if (metric(rs[c], bank_stat[b]) <= 0 && used <= 0)
                continue; /* this bank is SRAM (or unused) in this config */
            char t[200];
            snprintf(t, sizeof t, "D-cache bank %c, %s: fills and evictions per set and way",
                     b ? 'B' : 'A', rs[c]->config);
            heatmap(h, t, df + b * dsets * dways, de + b * dsets * dways, dsets, dways);
            hottest(h->f, df + b * dsets * dways, dsets, dways, "line fills");
            drawn = 1;
        }
        if (metric(rs[c], "l1.icache.fetches") > 0) {
            char t[200];
            snprintf(t, sizeof t, "I-cache, %s: fills and evictions per set and way",
                     rs[c]->config);
            heatmap(h, t, jf, je, isets, iways);
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
        esc(h->f, rs[c]->config);
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
            fmt_value(a, sizeof a, cyc[p]);
            fmt_value(b, sizeof b, rates[2 * p]);
            fmt_value(d, sizeof d, rates[2 * p + 1]);
            fputs("<tr><th class=\"name\">", h->f);
            esc(h->f, labels[p]);
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
        bars(h->f, &b1);
        const char *two[] = {"D-cache miss rate", "I-cache miss rate"};
        snprintf(t, sizeof t, "Miss rates per phase, %s", rs[c]->config);
        hr_bars b2 = {t, "phase", "miss rate (% of accesses)", np, cat, 2, two, rates, 0, "%"};
        bars(h->f, &b2);
    }
    return BF_OK;
}

static int sim_section(hr *h, hr_run *const *rs, size_t n)
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

static int alloc_section(hr *h, hr_run *const *rs, size_t n)
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
            x[c] = series_values(h, rs[c]->id, "alloc", "op", &kx);
            y[c] = series_values(h, rs[c]->id, "alloc", plots[p].member, &k);
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
        lines(f, &l);
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

/* ------------------------------------------------------------------------ the regression */

/* Trend charts drawn at most (worst moves first); the table lists every move. */
#define HR_MAX_TRENDS 24

typedef struct hr_trend {
    size_t n, cap;
    int64_t *reg;
    double *v;
    char (*label)[48]; /* "#ID rev7" */
    char (*when)[32];
} hr_trend;

static int on_trend(void *ctx, int64_t reg_id, const char *git_rev, const char *start, double v)
{
    hr_trend *t = ctx;
    if (t->n == t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 16;
        int64_t *r = bf_realloc(t->reg, nc * sizeof *r);
        if (r)
            t->reg = r;
        double *nv = r ? bf_realloc(t->v, nc * sizeof *nv) : NULL;
        if (nv)
            t->v = nv;
        char(*l)[48] = nv ? bf_realloc(t->label, nc * sizeof *l) : NULL;
        if (l)
            t->label = l;
        char(*w)[32] = l ? bf_realloc(t->when, nc * sizeof *w) : NULL;
        if (!w)
            return BF_ENOMEM;
        t->when = w;
        t->cap = nc;
    }
    t->reg[t->n] = reg_id;
    t->v[t->n] = v;
    snprintf(t->label[t->n], sizeof t->label[0], "#%lld %.7s", (long long)reg_id,
             git_rev && *git_rev ? git_rev : "?");
    snprintf(t->when[t->n], sizeof t->when[0], "%s", start ? start : "");
    t->n++;
    return 0;
}

static void trend_free(hr_trend *t)
{
    free(t->reg);
    free(t->v);
    free(t->label);
    free(t->when);
}

/* One moved statistic over the regressions t (oldest first): its value per regression (a line
** and a point each, the current regression's larger), the baseline it was compared with (dashed)
** and the tolerance band around it. The value axis spans the data, not 0: a 0.2 % move must show. */
static void trend_chart(hr *h, const bf_regdb_regression *g, const bf_regdb_move *m,
                        const hr_trend *t, const char *unit)
{
    FILE *f = h->f;
    int has_base = isfinite(m->base), band = has_base && isfinite(m->tol) && m->tol > 0;
    double lo = t->v[0], hi = t->v[0];
    for (size_t i = 0; i < t->n; i++) {
        lo = t->v[i] < lo ? t->v[i] : lo;
        hi = t->v[i] > hi ? t->v[i] : hi;
    }
    double blo = band ? m->base - fabs(m->base) * m->tol : m->base;
    double bhi = band ? m->base + fabs(m->base) * m->tol : m->base;
    if (has_base) {
        lo = blo < lo ? blo : lo;
        hi = bhi > hi ? bhi : hi;
    }
    double span = hi - lo;
    if (!(span > 0))
        span = fabs(hi) > 0 ? fabs(hi) * 0.02 : 1;
    double step = nice_step(span / 4);
    double bot = floor((lo - span * 0.05) / step) * step, top = ceil((hi + span * 0.05) / step) * step;
    if (!(top > bot))
        top = bot + step;
    char title[400], ylabel[200];
    snprintf(title, sizeof title, "%s of %s over the regressions of suite %s", m->stat, m->job,
             g->suite_name);
    snprintf(ylabel, sizeof ylabel, "%s (%s)", m->stat, unit && *unit ? unit : "count");
    int y0 = 44 + LEGEND_ROW + 10, plot_h = 220, y1 = y0 + plot_h, hgt = y1 + 70;
    int x0 = ML, x1 = W - MR;
    svg_open(f, hgt, title);
    /* legend: the value, the baseline, the band */
    const char *names[] = {"this job's value in each regression", "baseline", "tolerance band"};
    const char *colors[] = {k_colors[0], k_colors[1], "#59a14f"};
    int lx = ML;
    for (int i = 0; i < (band ? 3 : has_base ? 2 : 1); i++) {
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"%s/>", lx,
                44 - 11, colors[i], i == 2 ? " fill-opacity=\"0.25\"" : "");
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"legend\">%s</text>", lx + 20, 44, names[i]);
        lx += 40 + 7 * (int)strlen(names[i]); /* as legend() */
    }
    y_axis(f, bot, top, step, x0, x1, y0, y1, ylabel);
#define TY(v) (y1 - (y1 - y0) * ((v) - bot) / (top - bot))
    if (band)
        fprintf(f,
                "<rect class=\"band\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
                "fill=\"#59a14f\" fill-opacity=\"0.18\"><title>tolerance: %g %% around the "
                "baseline</title></rect>",
                x0, TY(bhi), x1 - x0, TY(blo) - TY(bhi), m->tol * 100);
    char vb[48];
    if (has_base) {
        fmt_value(vb, sizeof vb, m->base);
        fprintf(f,
                "<line class=\"baseline\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"2\" stroke-dasharray=\"8 5\"><title>baseline: %s %s</title></line>",
                x0, x1, TY(m->base), TY(m->base), k_colors[1], vb, unit);
    }
    double gw = (double)(x1 - x0) / (double)t->n;
    size_t every = t->n > 12 ? (t->n + 11) / 12 : 1; /* at most 12 x labels */
    fprintf(f, "<polyline class=\"data\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
            k_colors[0]);
    for (size_t i = 0; i < t->n; i++)
        fprintf(f, "%s%.1f,%.1f", i ? " " : "", x0 + gw * ((double)i + 0.5), TY(t->v[i]));
    fputs("\"><title>", f);
    esc(f, m->job);
    fputs("</title></polyline>", f);
    for (size_t i = 0; i < t->n; i++) {
        double cx = x0 + gw * ((double)i + 0.5);
        int cur = t->reg[i] == g->id;
        fmt_value(vb, sizeof vb, t->v[i]);
        fprintf(f,
                "<circle class=\"data\" cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\" "
                "data-regression=\"%lld\" data-value=\"%.17g\"><title>regression %s (",
                cx, TY(t->v[i]), cur ? 7 : 4, cur ? k_colors[2] : k_colors[0],
                (long long)t->reg[i], t->v[i], t->label[i] + 1);
        esc(f, t->when[i]);
        fprintf(f, "): %s %s%s</title></circle>", vb, unit, cur ? ", this regression" : "");
        if (i % every == 0 || cur) {
            fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", cx,
                    y1 + 18);
            esc(f, t->label[i]);
            fputs("</text>", f);
        }
    }
#undef TY
    x_label(f, hgt - 12,
            "regression, oldest first by start time (#id, git revision); red: this regression");
    svg_close(f);
}

/* A tolerance as the table shows it. */
static void fmt_tol(char *buf, size_t n, double tol)
{
    if (!isfinite(tol) || tol < 0)
        snprintf(buf, n, "-");
    else if (tol == 0)
        snprintf(buf, n, "exact");
    else
        snprintf(buf, n, "%g %%", tol * 100);
}

/* before, then s escaped, then after. */
static void esc_in(FILE *f, const char *before, const char *s, const char *after)
{
    fputs(before, f);
    esc(f, s);
    fputs(after, f);
}

static int regression_section(hr *h, const bf_regdb_regression *g)
{
    FILE *f = h->f;
    esc_in(f, "<h2 id=\"regression\">Regression</h2>\n<p>Suite <b>", g->suite_name, "</b>");
    if (g->id) {
        fprintf(f, ", regression %lld", (long long)g->id);
        if (g->shard)
            esc_in(f, " (shard ", g->shard, ")");
        esc_in(f, ": status <b>", g->status, "</b>, started ");
        esc_in(f, "", g->start_time, " UTC at git revision <code>");
        esc_in(f, "", g->git_rev, "</code>");
    } else {
        fputs(": the newest stored record of each job", f);
    }
    fprintf(f, "; %lld jobs, %lld ran, %lld failed, %lld statistics moved.", (long long)g->jobs,
            (long long)g->ran, (long long)g->failed, (long long)g->moved);
    if (!g->baseline) {
        fputs(" It was not compared with a baseline: nothing moved.</p>\n", f);
        return BF_OK;
    }
    esc_in(f, " Compared with the baseline <code>", g->baseline, "</code>.</p>\n");
    if (!g->nmoves) {
        fputs("<p>No statistic moved out of its tolerance.</p>\n", f);
        return BF_OK;
    }
    fputs("<h3>Moved statistics (worst first)</h3>\n<div class=\"scroll\"><table class=\"moves\">"
          "<thead><tr><th>job</th><th>statistic</th><th>baseline</th><th>now</th><th>change</th>"
          "<th>tolerance</th></tr></thead><tbody>\n",
          f);
    char b[64];
    for (size_t i = 0; i < g->nmoves; i++) {
        const bf_regdb_move *m = &g->moves[i];
        esc_in(f, "<tr><th class=\"name\">", m->job, "</th>");
        esc_in(f, "<th class=\"name\">", m->stat, "</th>");
        /* baseline: data-job/data-bstat (the browser test reads the baseline file); now: the
        ** stored metric of the job's run (data-run/data-stat, checked against the database) */
        esc_in(f, "<td data-job=\"", m->job, "\"");
        esc_in(f, " data-bstat=\"", m->stat, "\">");
        if (m->base_text)
            esc(f, m->base_text);
        else {
            fmt_value(b, sizeof b, m->base);
            fputs(b, f);
        }
        if (m->now_text || !m->run_id) {
            fputs("</td><td>", f);
            esc(f, m->now_text ? m->now_text : "n/a");
        } else {
            fmt_value(b, sizeof b, m->now);
            fprintf(f, "</td><td data-run=\"%lld\" data-stat=\"", (long long)m->run_id);
            esc(f, m->stat);
            fprintf(f, "\">%s", b);
        }
        if (isfinite(m->rel))
            snprintf(b, sizeof b, "%+.4f %%", m->rel * 100);
        else
            snprintf(b, sizeof b, "%s", m->base_text || m->now_text ? "changed" : "new value");
        fprintf(f, "</td><td class=\"change\">%s</td>", b);
        fmt_tol(b, sizeof b, m->tol);
        fprintf(f, "<td>%s</td></tr>\n", b);
    }
    fputs("</tbody></table></div>\n<h3>Trends over the stored regressions of the suite</h3>\n", f);
    size_t drawn = 0, skipped = 0;
    int rc = BF_OK;
    for (size_t i = 0; i < g->nmoves && !rc; i++) {
        const bf_regdb_move *m = &g->moves[i];
        if (m->now_text || m->base_text || !m->run_id) {
            skipped++; /* a status, or a stat one side lacks: no line to draw */
            continue;
        }
        if (drawn == HR_MAX_TRENDS) {
            skipped += 1;
            continue;
        }
        hr_trend t;
        memset(&t, 0, sizeof t);
        char *unit = NULL;
        rc = bf_regdb_trend(h->results, g->suite_name, m->job, m->stat, g->id, on_trend, &t,
                            h->err, h->errn);
        if (!rc)
            rc = bf_regdb_unit(h->results, m->run_id, m->stat, &unit, h->err, h->errn);
        if (!rc && t.n) {
            trend_chart(h, g, m, &t, unit);
            drawn++;
        }
        free(unit);
        trend_free(&t);
    }
    if (rc == BF_ENOMEM)
        snprintf(h->err, h->errn, "out of host memory");
    if (!rc && skipped)
        fprintf(f,
                "<p class=\"note\">%zu moved statistic%s not drawn: a status or a statistic one "
                "side lacks has no trend, and at most %d trends are drawn (the worst first).</p>\n",
                skipped, skipped == 1 ? "" : "s", HR_MAX_TRENDS);
    return rc;
}

static const char k_css[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px auto;max-width:1240px;color:#222;"
    "padding:0 12px}h1{font-size:26px}h2{margin-top:36px;border-bottom:2px solid #4e79a7}"
    "h3{margin-top:24px}table{border-collapse:collapse;font-size:13px}"
    "td,th{border:1px solid #ccc;padding:3px "
    "8px}td{text-align:right;font-variant-numeric:tabular-nums}"
    "th.name{text-align:left;font-weight:normal;font-family:monospace}thead th{background:#eef2f7}"
    ".scroll{overflow-x:auto}figure{margin:16px 0}svg{max-width:100%;height:auto;background:#fff}"
    "svg text{font-family:'DejaVu Sans',Arial,sans-serif;fill:#222}svg "
    ".title{font-size:17px;font-weight:bold}"
    "svg .subtitle{font-size:13px}svg .tick{font-size:12px}svg .legend{font-size:13px}"
    "svg .axis-label{font-size:14px}svg .grid{stroke:#e4e4e4}svg .axis{stroke:#444}"
    "table.moves th.name{white-space:nowrap}td.change{font-weight:bold}"
    ".note{font-size:13px;color:#444}code{font-size:13px}";

static int write_page(hr *h, const bf_htmlreport_opts *o)
{
    FILE *f = h->f;
    const char *title = o && o->title ? o->title : "bfsim report";
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width\"><title>",
          f);
    esc(f, title);
    fprintf(f, "</title><style>%s</style></head><body>\n<h1>", k_css);
    esc(f, title);
    fputs(
        "</h1>\n<h2 id=\"runs\">Runs</h2>\n<table class=\"runs\"><thead><tr><th>run</th><th>command"
        "</th><th>config</th><th>workload</th><th>status</th><th>started (UTC)</th><th>git revision"
        "</th></tr></thead><tbody>\n",
        f);
    hr_run **sim = bf_calloc(h->nruns, sizeof *sim), **al = bf_calloc(h->nruns, sizeof *al);
    size_t ns = 0, na = 0;
    if (!sim || !al) {
        free(sim);
        free(al);
        snprintf(h->err, h->errn, "out of host memory");
        return BF_ENOMEM;
    }
    for (size_t i = 0; i < h->nruns; i++) {
        hr_run *r = &h->runs[i];
        if (is_alloc(r))
            al[na++] = r;
        else
            sim[ns++] = r;
        fprintf(f, "<tr><td>%lld</td><td>", (long long)r->id);
        const char *const cells[] = {r->command, r->config, r->workload,
                                     r->status,  r->start,  r->git_rev};
        for (size_t k = 0; k < BF_ARRAY_SIZE(cells); k++) {
            fputs(k ? "</td><td>" : "", f);
            esc(f, cells[k]);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
    int rc = BF_OK;
    if (ns)
        rc = sim_section(h, sim, ns);
    if (!rc && na)
        rc = alloc_section(h, al, na);
    if (!rc && o && o->reg)
        rc = regression_section(h, o->reg);
    if (!rc && o && o->extra && o->extra(f, o->extra_arg)) {
        snprintf(h->err, h->errn, "cannot write the extra report section");
        rc = BF_EIO;
    }
    fputs("<p class=\"note\">Written by bfsim from the results database; charts are inline SVG "
          "(docs/report.md).</p>\n</body></html>\n",
          f);
    free(sim);
    free(al);
    return rc;
}

/* mkdir -p */
static int make_dir(const char *dir, char *err, size_t errn)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) {
        snprintf(err, errn, "%s: path too long", dir);
        return BF_EINPUT;
    }
    for (char *s = p + 1;; s++) {
        if (*s == '/' || !*s) {
            char c = *s;
            *s = 0;
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                snprintf(err, errn, "cannot create the directory %s: %s", p, strerror(errno));
                return BF_EIO;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errn, "%s: not a directory", dir);
        return BF_EIO;
    }
    return BF_OK;
}

int bf_htmlreport_write(bf_results *db, const int64_t *ids, size_t n, const char *dir,
                        const bf_htmlreport_opts *opts, char *err, size_t errn)
{
    if (!n) {
        snprintf(err, errn, "no runs to report");
        return BF_EINPUT;
    }
    hr h;
    memset(&h, 0, sizeof h);
    h.results = db;
    h.db = bf_results_sqlite(db);
    h.err = err;
    h.errn = errn;
    h.runs = bf_calloc(n, sizeof *h.runs);
    if (!h.runs) {
        snprintf(err, errn, "out of host memory");
        return BF_ENOMEM;
    }
    int rc = BF_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = load_run(&h, ids[i], &h.runs[i]);
        h.nruns = i + 1;
    }
    char tmp[4200], path[4200];
    if (!rc)
        rc = make_dir(dir, err, errn);
    if (!rc) {
        snprintf(path, sizeof path, "%s/index.html", dir);
        snprintf(tmp, sizeof tmp, "%s/.index.html.%ld.tmp", dir, (long)getpid());
        if (!(h.f = fopen(tmp, "w"))) {
            snprintf(err, errn, "cannot write %s: %s", tmp, strerror(errno));
            rc = BF_EIO;
        }
    }
    if (!rc) {
        rc = write_page(&h, opts);
        int bad = ferror(h.f) || fflush(h.f) != 0 || fsync(fileno(h.f)) != 0;
        if (fclose(h.f) != 0)
            bad = 1;
        if (!rc && bad) {
            snprintf(err, errn, "cannot write %s: %s", tmp, strerror(errno));
            rc = BF_EIO;
        }
        if (!rc && rename(tmp, path) != 0) {
            snprintf(err, errn, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
            rc = BF_EIO;
        }
        if (rc)
            remove(tmp);
    }
    for (size_t i = 0; i < h.nruns; i++)
        run_free(&h.runs[i]);
    free(h.runs);
    return rc;
}

int bf_htmlreport_last_runs(bf_results *db, size_t last, int64_t **ids, size_t *n, char *err,
                            size_t errn)
{
    *ids = NULL;
    *n = 0;
    sqlite3 *s = bf_results_sqlite(db);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s,
                           "SELECT id FROM (SELECT id FROM runs WHERE status IN ('ok','fault') "
                           "ORDER BY id DESC LIMIT ?) ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errn, "results database: %s", sqlite3_errmsg(s));
        return BF_EDB;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)last);
    int64_t *v = bf_calloc(last ? last : 1, sizeof *v);
    if (!v) {
        sqlite3_finalize(st);
        snprintf(err, errn, "out of host memory");
        return BF_ENOMEM;
    }
    while (*n < last && sqlite3_step(st) == SQLITE_ROW)
        v[(*n)++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (!*n) {
        free(v);
        snprintf(err, errn, "results database '%s' has no finished runs", bf_results_path(db));
        return BF_EINPUT;
    }
    *ids = v;
    return BF_OK;
}
