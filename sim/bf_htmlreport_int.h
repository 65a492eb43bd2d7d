/*
** bf_htmlreport_int.h: what the parts of the HTML report share (bf_htmlreport.c: the runs in
** memory and the page; bf_htmlreport_svg.c: text formatting and the SVG charts;
** bf_htmlreport_sections.c: the machine and allocator sections; bf_htmlreport_regress.c: the
** regression section and its trends). Not for use outside those files.
*/
#ifndef BF_HTMLREPORT_INT_H
#define BF_HTMLREPORT_INT_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "bf_htmlreport.h"

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

typedef struct hr_lines {
    const char *title, *xlabel, *ylabel;
    size_t nser;
    const char *const *ser;
    const size_t *npts;
    const double *const *x, *const *y;
} hr_lines;

/* Chart geometry, SVG user units: width, left and right margins, legend row height. */
enum { HR_W = 1200, HR_ML = 96, HR_MR = 24, HR_LEGEND_ROW = 20 };

/* The series colours, in legend order (cycled). */
#define HR_NCOLORS 10
extern const char *const hr_colors[HR_NCOLORS];

/* ---- the runs in memory (bf_htmlreport.c) */

int hr_load_run(hr *h, int64_t id, hr_run *r);
void hr_run_free(hr_run *r);
/* Index of metric `name` in r, or -1; its value (NAN if absent or NULL). */
long hr_metric_at(const hr_run *r, const char *name);
double hr_metric(const hr_run *r, const char *name);
int hr_is_alloc(const hr_run *r);
double *hr_series_values(hr *h, int64_t run, const char *series, const char *name, size_t *n);

/* ---- text and SVG (bf_htmlreport_svg.c) */

void hr_esc(FILE *f, const char *s);
void hr_fmt_value(char *buf, size_t n, double v);
double hr_nice_step(double raw);
int hr_legend(FILE *f, const char *const *names, size_t n, int y, int draw);
void hr_svg_open(FILE *f, int h, const char *title);
void hr_svg_close(FILE *f);
/* Value axis on the left from bot to top with its label; plot area [x0,x1] x [y0 (top), y1]. */
void hr_y_axis(FILE *f, double bot, double top, double step, int x0, int x1, int y0, int y1,
               const char *label);
void hr_x_label(FILE *f, int y, const char *label);
void hr_bar_chart(FILE *f, const hr_bars *b);
void hr_line_chart(FILE *f, const hr_lines *l);
void hr_heatmap(hr *h, const char *title, const double *fills, const double *evictions,
                size_t nsets, size_t ways);

/* ---- sections (bf_htmlreport_sections.c, bf_htmlreport_regress.c) */

int hr_sim_section(hr *h, hr_run *const *rs, size_t n);
int hr_alloc_section(hr *h, hr_run *const *rs, size_t n);
int hr_regression_section(hr *h, const bf_regdb_regression *g);

#endif
