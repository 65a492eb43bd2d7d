/*
** bf_htmlreport_regress.c: the HTML report's regression section: the moved statistics (baseline,
** now, change, tolerance, as bf_regdb stored them) and each moved numeric statistic's trend over
** the stored regressions of the suite, with the baseline and the tolerance band.
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
** and the tolerance band around it. The value axis spans the data, not 0: a 0.2 % move must show.
 */
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
    double step = hr_nice_step(span / 4);
    double bot = floor((lo - span * 0.05) / step) * step,
           top = ceil((hi + span * 0.05) / step) * step;
    if (!(top > bot))
        top = bot + step;
    char title[400], ylabel[200];
    snprintf(title, sizeof title, "%s of %s over the regressions of suite %s", m->stat, m->job,
             g->suite_name);
    snprintf(ylabel, sizeof ylabel, "%s (%s)", m->stat, unit && *unit ? unit : "count");
    int y0 = 44 + HR_LEGEND_ROW + 10, plot_h = 220, y1 = y0 + plot_h, hgt = y1 + 70;
    int x0 = HR_ML, x1 = HR_W - HR_MR;
    hr_svg_open(f, hgt, title);
    /* legend: the value, the baseline, the band */
    const char *names[] = {"this job's value in each regression", "baseline", "tolerance band"};
    const char *colors[] = {hr_colors[0], hr_colors[1], "#59a14f"};
    int lx = HR_ML;
    for (int i = 0; i < (band ? 3 : has_base ? 2 : 1); i++) {
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"%s/>", lx,
                44 - 11, colors[i], i == 2 ? " fill-opacity=\"0.25\"" : "");
        fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"legend\">%s</text>", lx + 20, 44, names[i]);
        lx += 40 + 7 * (int)strlen(names[i]); /* as hr_legend() */
    }
    hr_y_axis(f, bot, top, step, x0, x1, y0, y1, ylabel);
#define TY(v) (y1 - (y1 - y0) * ((v)-bot) / (top - bot))
    if (band)
        fprintf(f,
                "<rect class=\"band\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
                "fill=\"#59a14f\" fill-opacity=\"0.18\"><title>tolerance: %g %% around the "
                "baseline</title></rect>",
                x0, TY(bhi), x1 - x0, TY(blo) - TY(bhi), m->tol * 100);
    char vb[48];
    if (has_base) {
        hr_fmt_value(vb, sizeof vb, m->base);
        fprintf(
            f,
            "<line class=\"baseline\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
            "stroke-width=\"2\" stroke-dasharray=\"8 5\"><title>baseline: %s %s</title></line>",
            x0, x1, TY(m->base), TY(m->base), hr_colors[1], vb, unit);
    }
    double gw = (double)(x1 - x0) / (double)t->n;
    size_t every = t->n > 12 ? (t->n + 11) / 12 : 1; /* at most 12 x labels */
    fprintf(f, "<polyline class=\"data\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
            hr_colors[0]);
    for (size_t i = 0; i < t->n; i++)
        fprintf(f, "%s%.1f,%.1f", i ? " " : "", x0 + gw * ((double)i + 0.5), TY(t->v[i]));
    fputs("\"><title>", f);
    hr_esc(f, m->job);
    fputs("</title></polyline>", f);
    for (size_t i = 0; i < t->n; i++) {
        double cx = x0 + gw * ((double)i + 0.5);
        int cur = t->reg[i] == g->id;
        hr_fmt_value(vb, sizeof vb, t->v[i]);
        fprintf(f,
                "<circle class=\"data\" cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\" "
                "data-regression=\"%lld\" data-value=\"%.17g\"><title>regression %s (",
                cx, TY(t->v[i]), cur ? 7 : 4, cur ? hr_colors[2] : hr_colors[0],
                (long long)t->reg[i], t->v[i], t->label[i] + 1);
        hr_esc(f, t->when[i]);
        fprintf(f, "): %s %s%s</title></circle>", vb, unit, cur ? ", this regression" : "");
        if (i % every == 0 || cur) {
            fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", cx,
                    y1 + 18);
            hr_esc(f, t->label[i]);
            fputs("</text>", f);
        }
    }
#undef TY
    hr_x_label(f, hgt - 12,
               "regression, oldest first by start time (#id, git revision); red: this regression");
    hr_svg_close(f);
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
    hr_esc(f, s);
    fputs(after, f);
}

int hr_regression_section(hr *h, const bf_regdb_regression *g)
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
            hr_esc(f, m->base_text);
        else {
            hr_fmt_value(b, sizeof b, m->base);
            fputs(b, f);
        }
        if (m->now_text || !m->run_id) {
            fputs("</td><td>", f);
            hr_esc(f, m->now_text ? m->now_text : "n/a");
        } else {
            hr_fmt_value(b, sizeof b, m->now);
            fprintf(f, "</td><td data-run=\"%lld\" data-stat=\"", (long long)m->run_id);
            hr_esc(f, m->stat);
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
        rc = bf_regdb_trend(h->results, g->suite_name, m->job, m->stat, g->id, on_trend, &t, h->err,
                            h->errn);
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
