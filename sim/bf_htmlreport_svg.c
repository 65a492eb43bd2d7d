/*
** bf_htmlreport_svg.c: text formatting and the SVG charts of the HTML report (bars, lines,
*heatmaps;
** docs/report.md). Every chart has a <title>, a visible title, axis labels with units, a legend
** when it has more than one series, and data elements of class "data". Output is deterministic.
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

/* ------------------------------------------------------------------------ text helpers */

void hr_esc(FILE *f, const char *s)
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
void hr_fmt_value(char *buf, size_t n, double v)
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
double hr_nice_step(double raw)
{
    if (!(raw > 0))
        return 1;
    double p = pow(10, floor(log10(raw)));
    double m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/* ------------------------------------------------------------------------ SVG charts */

const char *const hr_colors[HR_NCOLORS] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

/* Legend rows from y, wrapping at the width; returns the height used. */
int hr_legend(FILE *f, const char *const *names, size_t n, int y, int draw)
{
    int x = HR_ML, rows = n ? 1 : 0;
    for (size_t i = 0; i < n; i++) {
        int w = 22 + 7 * (int)strlen(names[i]) + 18;
        if (x + w > HR_W - HR_MR && x > HR_ML) {
            x = HR_ML;
            y += HR_LEGEND_ROW;
            rows++;
        }
        if (draw) {
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>", x,
                    y - 11, hr_colors[i % HR_NCOLORS]);
            fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"legend\">", x + 20, y);
            hr_esc(f, names[i]);
            fputs("</text>", f);
        }
        x += w;
    }
    return rows * HR_LEGEND_ROW;
}

void hr_svg_open(FILE *f, int h, const char *title)
{
    fprintf(f,
            "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
            "width=\"%d\" height=\"%d\" role=\"img\"><title>",
            HR_W, h, HR_W, h);
    hr_esc(f, title);
    fputs("</title>", f);
    fprintf(f, "<text x=\"%d\" y=\"24\" class=\"title\" text-anchor=\"middle\">", HR_W / 2);
    hr_esc(f, title);
    fputs("</text>", f);
}

void hr_svg_close(FILE *f)
{
    fputs("</svg></figure>\n", f);
}

/* Value axis on the left from bot to top with its label; plot area [x0,x1] x [y0 (top), y1]. */
void hr_y_axis(FILE *f, double bot, double top, double step, int x0, int x1, int y0, int y1,
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
    hr_esc(f, label);
    fputs("</text>", f);
}

void hr_x_label(FILE *f, int y, const char *label)
{
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"axis-label\" text-anchor=\"middle\">",
            (HR_ML + HR_W - HR_MR) / 2, y);
    hr_esc(f, label);
    fputs("</text>", f);
}

void hr_bar_chart(FILE *f, const hr_bars *b)
{
    int lh = b->nser > 1 ? hr_legend(f, b->ser, b->nser, 0, 0) : 0;
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
    double step = hr_nice_step(top > 0 ? top / 5 : 1);
    top = ceil((top > 0 ? top : 1) / step) * step;
    hr_svg_open(f, h, b->title);
    if (b->nser > 1)
        hr_legend(f, b->ser, b->nser, 44, 1);
    int x0 = HR_ML, x1 = HR_W - HR_MR;
    hr_y_axis(f, 0, top, step, x0, x1, y0, y1, b->ylabel);
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
            hr_fmt_value(vb, sizeof vb, v);
            fprintf(f,
                    "<rect class=\"data\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                    "fill=\"%s\"><title>",
                    x, y, bw, hgt, hr_colors[s % HR_NCOLORS]);
            hr_esc(f, b->cat[c]);
            fputs(", ", f);
            hr_esc(f, b->ser[s]);
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
        hr_esc(f, b->cat[c]);
        fputs("</text>", f);
    }
    hr_x_label(f, h - 12, b->xlabel);
    hr_svg_close(f);
}

void hr_line_chart(FILE *f, const hr_lines *l)
{
    int lh = l->nser > 1 ? hr_legend(f, l->ser, l->nser, 0, 0) : 0;
    int y0 = 44 + lh + 10, plot_h = 300, y1 = y0 + plot_h, h = y1 + 60;
    double xmax = 0, ymax = 0;
    for (size_t s = 0; s < l->nser; s++)
        for (size_t i = 0; i < l->npts[s]; i++) {
            if (l->x[s][i] > xmax)
                xmax = l->x[s][i];
            if (l->y[s][i] > ymax)
                ymax = l->y[s][i];
        }
    double ystep = hr_nice_step(ymax > 0 ? ymax / 5 : 1),
           xstep = hr_nice_step(xmax > 0 ? xmax / 8 : 1);
    double ytop = ceil((ymax > 0 ? ymax : 1) / ystep) * ystep;
    double xtop = ceil((xmax > 0 ? xmax : 1) / xstep) * xstep;
    hr_svg_open(f, h, l->title);
    if (l->nser > 1)
        hr_legend(f, l->ser, l->nser, 44, 1);
    int x0 = HR_ML, x1 = HR_W - HR_MR;
    hr_y_axis(f, 0, ytop, ystep, x0, x1, y0, y1, l->ylabel);
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
                hr_colors[s % HR_NCOLORS]);
        for (size_t i = 0; i < l->npts[s]; i++)
            fprintf(f, "%s%.1f,%.1f", i ? " " : "", x0 + (x1 - x0) * l->x[s][i] / xtop,
                    y1 - (y1 - y0) * l->y[s][i] / ytop);
        fputs("\"><title>", f);
        hr_esc(f, l->ser[s]);
        fputs("</title></polyline>", f);
    }
    hr_x_label(f, h - 12, l->xlabel);
    hr_svg_close(f);
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
void hr_heatmap(hr *h, const char *title, const double *fills, const double *evictions,
                size_t nsets, size_t ways)
{
    FILE *f = h->f;
    const double *panel[2] = {fills, evictions};
    const char *pname[2] = {"line fills (misses that allocated a line)", "evictions"};
    int cell_h = ways > 2 ? 12 : 18, panel_h = (int)ways * cell_h;
    int x0 = HR_ML, x1 = HR_W - HR_MR;
    double cw = (double)(x1 - x0) / (double)nsets;
    int y = 60, h_total = 60 + 2 * (panel_h + 70) + 16;
    hr_svg_open(f, h_total, title);
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
    hr_svg_close(f);
}
