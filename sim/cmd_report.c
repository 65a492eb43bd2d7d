/*
** cmd_report.c: `bfsim report`, and the --html DIR of compare, alloc and regress: write the HTML
** page of stored runs (bf_htmlreport), with a regression's section for --regression, and print
** its path.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bf_cmd.h"
#include "bf_hmem.h"
#include "bf_htmlreport.h"

int bf_cmd_html(const char *cmd, bf_results *db, const int64_t *ids, size_t n, const char *dir,
                const char *title)
{
    return bf_cmd_html_reg(cmd, db, ids, n, dir, title, NULL);
}

int bf_cmd_html_reg(const char *cmd, bf_results *db, const int64_t *ids, size_t n, const char *dir,
                    const char *title, const bf_regdb_regression *reg)
{
    char err[1024];
    bf_htmlreport_opts ho = {title, NULL, NULL, reg};
    int rc = bf_htmlreport_write(db, ids, n, dir, &ho, err, sizeof err);
    if (rc)
        return bf_cmd_fail(cmd, rc == BF_ENOMEM ? 1 : 2, "%s", err);
    fprintf(stderr, "bfsim %s: report written to %s/index.html\n", cmd, dir);
    return -1;
}

/* "3,5,9" or "3-7,9" into ids. */
static int parse_ids(const char *s, int64_t **ids, size_t *n)
{
    size_t cap = 16;
    *n = 0;
    *ids = malloc(cap * sizeof **ids);
    while (*ids && *s) {
        char *end;
        long long a = strtoll(s, &end, 10), b = a;
        if (end == s || a <= 0)
            return -1;
        if (*end == '-') {
            s = end + 1;
            b = strtoll(s, &end, 10);
            if (end == s || b < a || b - a > 100000)
                return -1;
        }
        for (long long v = a; v <= b; v++) {
            if (*n == cap) {
                int64_t *g = bf_realloc(*ids, 2 * cap * sizeof *g);
                if (!g)
                    return -1;
                *ids = g;
                cap *= 2;
            }
            (*ids)[(*n)++] = v;
        }
        if (*end == ',')
            end++;
        else if (*end)
            return -1;
        s = end;
    }
    return *ids && *n ? 0 : -1;
}

int bf_cmd_report(int argc, char **argv)
{
    const char *cmd = "report";
    bf_opts *o = bf_opts_new(
        "report",
        "bfsim report [--db FILE] (--runs ID,ID... | --regression ID | --last N) --out DIR",
        "Write DIR/index.html: one self-contained page (inline SVG charts, no script, no network) "
        "of stored runs: the comparison table, the stall breakdown, miss rates, SDRAM row shares "
        "and latency histogram, cache set heatmaps (runs made with --set-stats), phases, and for "
        "allocator runs free memory, largest free block and unusable free space over time, "
        "fragmentation and latency; for a regression (--regression ID: its runs) the moved "
        "statistics "
        "with baseline and now and their trend over the suite's stored regressions. "
        "docs/report.md describes the page.",
        "  bfsim report --last 5 --out report/\n"
        "  bfsim report --db results/bfsim.db --runs 12,13,14 --out /tmp/r && xdg-open "
        "/tmp/r/index.html\n"
        "  bfsim report --runs 3-7 --out report/\n"
        "  bfsim report --regression 4 --out report/   (regress prints: stored as regression 4)");
    bf_opts_add(o, "db", BF_OPT_STRING, NULL, "results database (default results/bfsim.db)");
    bf_opts_add(o, "runs", BF_OPT_STRING, NULL, "run ids, comma-separated, ranges allowed (3-7)");
    bf_opts_add(o, "last", BF_OPT_STRING, NULL, "the last N finished runs");
    bf_opts_add(o, "regression", BF_OPT_STRING, NULL,
                "the runs of regression ID and its moved statistics and trends");
    bf_opts_add(o, "out,o", BF_OPT_STRING, NULL, "output directory (created if missing)");
    bf_opts_add(o, "title", BF_OPT_STRING, NULL, "page heading (default: bfsim report)");
    int rc = bf_cmd_parse(o, cmd, argc, argv);
    bf_results *db = NULL;
    bf_regdb_regression g;
    memset(&g, 0, sizeof g);
    char *end = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    if (rc >= 0)
        goto out;
    const char *runs = bf_opts_get(o, "runs"), *last = bf_opts_get(o, "last");
    const char *regr = bf_opts_get(o, "regression");
    if (!bf_opts_get(o, "out") || (!!runs + !!last + !!regr) != 1) {
        rc = bf_cmd_fail(cmd, 2, "%s",
                         !bf_opts_get(o, "out")
                             ? "--out DIR is required"
                             : "give exactly one of --runs ID,ID..., --regression ID and --last N");
        goto out;
    }
    long long reg_id = regr ? strtoll(regr, &end, 10) : 0;
    if (regr && (*end || reg_id < 1)) {
        rc = bf_cmd_fail(cmd, 2, "--regression: '%s' is not a regression id", regr);
        goto out;
    }
    long long nl = last ? strtoll(last, &end, 10) : 0;
    if (last && (*end || nl < 1 || nl > 1000)) {
        rc = bf_cmd_fail(cmd, 2, "--last: '%s' is not a number from 1 to 1000", last);
        goto out;
    }
    if (runs && parse_ids(runs, &ids, &n)) {
        rc = bf_cmd_fail(cmd, 2, "--runs: '%s' is not a list of run ids (3,5,9 or 3-7)", runs);
        goto out;
    }
    if ((rc = bf_cmd_open_db(o, cmd, 0, &db)) >= 0)
        goto out;
    char err[1024];
    if (last) {
        int lrc = bf_htmlreport_last_runs(db, (size_t)nl, &ids, &n, err, sizeof err);
        if (lrc) {
            rc = bf_cmd_fail(cmd, 2, "%s", err);
            goto out;
        }
    }
    const char *title = bf_opts_get(o, "title");
    char rtitle[600];
    if (regr) {
        int lrc = bf_regdb_load(db, reg_id, &g, err, sizeof err);
        if (!lrc)
            lrc = bf_regdb_runs(db, reg_id, &ids, &n, err, sizeof err);
        if (!lrc && !n) {
            snprintf(err, sizeof err, "regression %lld has no run with statistics", reg_id);
            lrc = BF_EINPUT;
        }
        if (lrc) {
            rc = bf_cmd_fail(cmd, lrc == BF_ENOMEM ? 1 : 2, "%s", err);
            goto out;
        }
        /* the title of regress --html, so that both write the same page */
        snprintf(rtitle, sizeof rtitle, "bfsim regress: suite %s, regression %lld", g.suite_name,
                 reg_id);
        if (!title)
            title = rtitle;
    }
    if ((rc = bf_cmd_html_reg(cmd, db, ids, n, bf_opts_get(o, "out"),
                              title ? title : "bfsim report", regr ? &g : NULL)) >= 0)
        goto out;
    printf("%s/index.html\n", bf_opts_get(o, "out"));
    rc = 0;
out:
    bf_regdb_free(&g);
    free(ids);
    if (db)
        bf_results_close(db);
    bf_opts_free(o);
    return rc;
}
