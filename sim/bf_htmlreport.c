/*
** bf_htmlreport.c: the HTML report of stored runs (see bf_htmlreport.h, docs/report.md): the runs
** loaded in memory and the page. Its parts: bf_htmlreport_svg.c (text formatting, SVG charts),
** bf_htmlreport_sections.c (machine and allocator sections), bf_htmlreport_regress.c (the
** regression section), sharing bf_htmlreport_int.h.
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

/* ------------------------------------------------------------------------ the runs in memory */

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

void hr_run_free(hr_run *r)
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

int hr_load_run(hr *h, int64_t id, hr_run *r)
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
long hr_metric_at(const hr_run *r, const char *name)
{
    for (size_t i = 0; i < r->nm; i++)
        if (!strcmp(r->mname[i], name))
            return r->mnull[i] ? -1 : (long)i;
    return -1;
}

double hr_metric(const hr_run *r, const char *name)
{
    long i = hr_metric_at(r, name);
    return i < 0 ? 0 : r->mval[i];
}

int hr_is_alloc(const hr_run *r)
{
    return !strcmp(r->command, "alloc");
}

/* One series of a run: values of member `name` by idx (0..*n), missing entries 0. */
double *hr_series_values(hr *h, int64_t run, const char *series, const char *name, size_t *n)
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

/* ------------------------------------------------------------------------ the page */

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
    hr_esc(f, title);
    fprintf(f, "</title><style>%s</style></head><body>\n<h1>", k_css);
    hr_esc(f, title);
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
        if (hr_is_alloc(r))
            al[na++] = r;
        else
            sim[ns++] = r;
        fprintf(f, "<tr><td>%lld</td><td>", (long long)r->id);
        const char *const cells[] = {r->command, r->config, r->workload,
                                     r->status,  r->start,  r->git_rev};
        for (size_t k = 0; k < BF_ARRAY_SIZE(cells); k++) {
            fputs(k ? "</td><td>" : "", f);
            hr_esc(f, cells[k]);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
    int rc = BF_OK;
    if (ns)
        rc = hr_sim_section(h, sim, ns);
    if (!rc && na)
        rc = hr_alloc_section(h, al, na);
    if (!rc && o && o->reg)
        rc = hr_regression_section(h, o->reg);
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
        rc = hr_load_run(&h, ids[i], &h.runs[i]);
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
        hr_run_free(&h.runs[i]);
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
