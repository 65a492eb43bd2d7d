/*
** cmd_regress_report.c: a regression's reports: text and Markdown summaries, the JSON report, the
** JUnit XML, the HTML page, and writing the new baseline (--update-baseline).
*/
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bf_cmd.h"
#include "bf_hmem.h"
#include "bf_json.h"
#include "bf_strbuf.h"
#include "cmd_regress_int.h"

/* ---- reports ------------------------------------------------------------------------------ */

static void fmt_value(char *buf, size_t n, double v, const char *text)
{
    if (text)
        snprintf(buf, n, "%s", text);
    else if (isnan(v))
        snprintf(buf, n, "null");
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.6g", v);
}

static void fmt_change(char *buf, size_t n, const rg_move *m)
{
    if (isinf(m->rel))
        snprintf(buf, n, "%s", m->base_text || m->now_text ? "changed" : "new value");
    else
        snprintf(buf, n, "%+.4f%%", m->rel * 100);
}

static const char *status_word(const regress *r, int code)
{
    (void)r;
    return code == 0 ? "PASS" : code == 130 ? "INTERRUPTED" : "FAIL";
}

static void summary_line(const regress *r, char *buf, size_t n, int code)
{
    size_t moved_jobs = 0;
    for (size_t i = 0; i < r->njobs; i++)
        moved_jobs += r->jobs[i].nmoved > 0;
    snprintf(buf, n,
             "%s: %zu jobs, %zu ran, %zu failed, %zu stats moved in %zu jobs, %zu missing, %zu new"
             "%s; %.1f s",
             status_word(r, code), r->njobs, r->nran, r->nfailed, r->nmoves, moved_jobs,
             r->nmissing, r->nadded, r->have_base ? "" : " (no baseline)", r->seconds);
}

void rg_report_text(const regress *r, FILE *f, int code, int markdown)
{
    char b[64], n[64], c[64], sum[512];
    summary_line(r, sum, sizeof sum, code);
    if (markdown)
        fprintf(f, "### bfsim regress: suite `%s`\n\n", r->suite.name);
    else
        fprintf(f, "# bfsim regress: suite %s (%s), %zu jobs\n", r->suite.name, r->suite.path,
                r->njobs);
    if (!markdown && r->reg_id && r->db_path[0])
        fprintf(f, "# stored as regression %lld in %s\n", (long long)r->reg_id, r->db_path);
    int listed = 0;
    for (size_t i = 0; i < r->njobs; i++) {
        const rg_job *j = &r->jobs[i];
        if (strcmp(j->status, "failed") && strcmp(j->status, "fault") &&
            strcmp(j->status, "interrupted"))
            continue;
        if (markdown && !listed++)
            fprintf(f, "**Failed, faulted or interrupted jobs**\n\n");
        fprintf(f, markdown ? "- `%s` %s: %s\n" : "%s  %s: %s\n", j->sj->id,
                !strcmp(j->status, "failed")  ? "FAILED"
                : !strcmp(j->status, "fault") ? "FAULT"
                                              : "INTERRUPTED",
                j->message ? j->message : "");
    }
    for (size_t i = 0; i < r->nmissing; i++)
        fprintf(f,
                markdown ? "- `%s` MISSING: in the baseline, not run\n"
                         : "%s  MISSING: in the baseline, not run\n",
                r->missing[i]);
    for (size_t i = 0; i < r->nadded; i++)
        fprintf(f,
                markdown ? "- `%s` NEW: not in the baseline\n" : "%s  NEW: not in the baseline\n",
                r->added[i]);
    if (markdown && (listed || r->nmissing || r->nadded))
        fputc('\n', f);
    if (r->nmoves) {
        int jw = 3, sw = 4;
        for (size_t i = 0; i < r->nmoves; i++) {
            int a = (int)strlen(r->moves[i].job), s = (int)strlen(r->moves[i].stat);
            jw = a > jw ? a : jw;
            sw = s > sw ? s : sw;
        }
        if (markdown)
            fprintf(f, "| job | stat | baseline | now | change |\n|---|---|---:|---:|---:|\n");
        else
            fprintf(f, "%-*s  %-*s  %20s  %20s  %12s\n", jw, "job", sw, "stat", "baseline", "now",
                    "change");
        for (size_t i = 0; i < r->nmoves; i++) {
            const rg_move *m = &r->moves[i];
            fmt_value(b, sizeof b, m->base, m->base_text);
            fmt_value(n, sizeof n, m->now, m->now_text);
            fmt_change(c, sizeof c, m);
            if (markdown)
                fprintf(f, "| `%s` | `%s` | %s | %s | %s |\n", m->job, m->stat, b, n, c);
            else
                fprintf(f, "%-*s  %-*s  %20s  %20s  %12s\n", jw, m->job, sw, m->stat, b, n, c);
        }
        if (markdown)
            fputc('\n', f);
    }
    fprintf(f, markdown ? "**%s**\n" : "%s\n", sum);
}

void rg_report_json(const regress *r, FILE *f, int code)
{
    bf_jw w;
    bf_jw_init(&w, f, BF_JW_SPACED);
    bf_jw_object(&w);
    bf_jw_key(&w, "suite");
    bf_jw_str(&w, r->suite.name);
    bf_jw_key(&w, "regression");
    bf_jw_i64(&w, r->reg_id);
    bf_jw_key(&w, "db");
    bf_jw_str(&w, r->db_path[0] ? r->db_path : NULL);
    bf_jw_key(&w, "exit");
    bf_jw_i64(&w, code);
    bf_jw_key(&w, "status");
    bf_jw_str(&w, status_word(r, code));
    bf_jw_key(&w, "jobs");
    bf_jw_u64(&w, r->njobs);
    bf_jw_key(&w, "ran");
    bf_jw_u64(&w, r->nran);
    bf_jw_key(&w, "failed");
    bf_jw_u64(&w, r->nfailed);
    bf_jw_key(&w, "baseline");
    bf_jw_bool(&w, r->have_base);
    bf_jw_key(&w, "seconds");
    bf_jw_num(&w, r->seconds);
    /* the lists each start a line; jobs and moves one per line */
    bf_jw_break(&w, " ");
    bf_jw_key(&w, "job_results");
    bf_jw_array_lines(&w, "  ", 0);
    for (size_t i = 0; i < r->njobs; i++) {
        const rg_job *j = &r->jobs[i];
        bf_jw_object(&w);
        bf_jw_key(&w, "job");
        bf_jw_str(&w, j->sj->id);
        bf_jw_key(&w, "status");
        bf_jw_str(&w, j->status[0] ? j->status : NULL);
        bf_jw_key(&w, "message");
        bf_jw_str(&w, j->message);
        bf_jw_key(&w, "run");
        bf_jw_i64(&w, j->run_id);
        bf_jw_key(&w, "moved");
        bf_jw_i64(&w, j->nmoved);
        bf_jw_end(&w);
    }
    bf_jw_end(&w);
    bf_jw_break(&w, " ");
    bf_jw_key(&w, "missing");
    bf_jw_array(&w);
    for (size_t i = 0; i < r->nmissing; i++)
        bf_jw_str(&w, r->missing[i]);
    bf_jw_end(&w);
    bf_jw_break(&w, " ");
    bf_jw_key(&w, "new");
    bf_jw_array(&w);
    for (size_t i = 0; i < r->nadded; i++)
        bf_jw_str(&w, r->added[i]);
    bf_jw_end(&w);
    bf_jw_break(&w, " ");
    bf_jw_key(&w, "moved");
    bf_jw_array_lines(&w, "  ", 0);
    for (size_t i = 0; i < r->nmoves; i++) {
        const rg_move *m = &r->moves[i];
        bf_jw_object(&w);
        bf_jw_key(&w, "job");
        bf_jw_str(&w, m->job);
        bf_jw_key(&w, "stat");
        bf_jw_str(&w, m->stat);
        bf_jw_key(&w, "baseline");
        bf_baseline_json_value(&w, m->base, m->base_text);
        bf_jw_key(&w, "now");
        bf_baseline_json_value(&w, m->now, m->now_text);
        bf_jw_key(&w, "change");
        bf_jw_num(&w, m->rel); /* null when not comparable */
        bf_jw_end(&w);
    }
    bf_jw_end(&w);
    bf_jw_end(&w);
}

static void xml_str(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (c == '&')
            fputs("&amp;", f);
        else if (c == '"')
            fputs("&quot;", f);
        else if (c < 0x20 && c != '\n' && c != '\t')
            fputc(' ', f); /* not allowed in XML 1.0 */
        else
            fputc(c, f);
    }
}

static int is_listed(char **v, size_t n, const char *job)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], job))
            return 1;
    return 0;
}

/* One <testsuite>, one <testcase> per job (and per missing job). */
int rg_fill_junit(FILE *f, const void *arg)
{
    const regress *r = arg;
    size_t failures = r->nmissing;
    for (size_t i = 0; i < r->njobs; i++) {
        const rg_job *j = &r->jobs[i];
        failures += j->nmoved > 0 || !strcmp(j->status, "failed") || !j->status[0] ||
                    is_listed(r->added, r->nadded, j->sj->id);
    }
    time_t t = time(NULL);
    struct tm tm;
    char ts[32];
    gmtime_r(&t, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"", f);
    xml_str(f, r->suite.name);
    fprintf(f,
            "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"%.3f\" "
            "timestamp=\"%s\">\n",
            r->njobs + r->nmissing, failures, r->seconds, ts);
    char b[64], n[64], c[64];
    for (size_t i = 0; i < r->njobs; i++) {
        const rg_job *j = &r->jobs[i];
        fputs("  <testcase name=\"", f);
        xml_str(f, j->sj->id);
        fputs("\" classname=\"", f);
        xml_str(f, r->suite.name);
        fprintf(f, "\" time=\"%.3f\">", j->seconds);
        if (!strcmp(j->status, "failed") || !j->status[0]) {
            fputs("\n    <failure type=\"failed\" message=\"", f);
            xml_str(f, !j->status[0] ? "not run" : j->message ? j->message : "failed");
            fputs("\">", f);
            xml_str(f, j->message ? j->message : "");
            fputs("</failure>\n  ", f);
        } else if (j->nmoved) {
            fprintf(f, "\n    <failure type=\"moved\" message=\"%d statistic%s moved:", j->nmoved,
                    j->nmoved == 1 ? "" : "s");
            for (size_t k = 0; k < r->nmoves; k++)
                if (!strcmp(r->moves[k].job, j->sj->id)) {
                    fputc(' ', f);
                    xml_str(f, r->moves[k].stat);
                }
            fputs("\">", f);
            for (size_t k = 0; k < r->nmoves; k++) {
                const rg_move *m = &r->moves[k];
                if (strcmp(m->job, j->sj->id))
                    continue;
                fmt_value(b, sizeof b, m->base, m->base_text);
                fmt_value(n, sizeof n, m->now, m->now_text);
                fmt_change(c, sizeof c, m);
                xml_str(f, m->stat);
                fprintf(f, ": ");
                xml_str(f, b);
                fputs(" -&gt; ", f);
                xml_str(f, n);
                fprintf(f, " (%s)\n", c);
            }
            if (j->message) {
                fputs("job message: ", f);
                xml_str(f, j->message);
            }
            fputs("</failure>\n  ", f);
        } else if (is_listed(r->added, r->nadded, j->sj->id)) {
            fputs("\n    <failure type=\"new\" message=\"job not in the baseline\"/>\n  ", f);
        }
        if (!strcmp(j->status, "fault") && !j->nmoved && j->message) {
            fputs("<system-err>", f);
            xml_str(f, j->message);
            fputs("</system-err>", f);
        }
        fputs("</testcase>\n", f);
    }
    for (size_t i = 0; i < r->nmissing; i++) {
        fputs("  <testcase name=\"", f);
        xml_str(f, r->missing[i]);
        fputs("\" classname=\"", f);
        xml_str(f, r->suite.name);
        fputs("\" time=\"0\">\n    <failure type=\"missing\" message=\"in the baseline, not "
              "run\"/>\n  </testcase>\n",
              f);
    }
    fputs("</testsuite>\n", f);
    return 0;
}

/* --html DIR: the page of the jobs' runs with the regression section (bf_htmlreport). For a
** regression run here, both come from the database, as `bfsim report --regression ID` draws
** them; with --from-db the moves are this comparison's, the trend every stored regression's.
** Returns -1 or an exit code. */
int rg_write_html(regress *r, const char *dir, const char *basef)
{
    char err[1024], title[4800];
    int64_t *ids = NULL;
    size_t n = 0;
    bf_regdb_regression g;
    memset(&g, 0, sizeof g);
    int rc = BF_OK;
    if (r->reg_id) {
        rc = bf_regdb_load(r->db, r->reg_id, &g, err, sizeof err);
        if (!rc)
            rc = bf_regdb_runs(r->db, r->reg_id, &ids, &n, err, sizeof err);
        snprintf(title, sizeof title, "bfsim regress: suite %s, regression %lld", r->suite.name,
                 (long long)r->reg_id);
    } else {
        ids = bf_calloc(r->njobs ? r->njobs : 1, sizeof *ids);
        if (!ids) {
            rc = BF_ENOMEM;
            snprintf(err, sizeof err, "out of memory");
        }
        for (size_t i = 0; !rc && i < r->njobs; i++)
            if (r->jobs[i].run_id &&
                (!strcmp(r->jobs[i].status, "ok") || !strcmp(r->jobs[i].status, "fault")))
                ids[n++] = r->jobs[i].run_id;
        g.suite_name = r->suite.name;
        g.baseline = r->have_base ? (char *)basef : NULL;
        g.moves = r->moves;
        g.nmoves = r->nmoves;
        g.moved = (int64_t)r->nmoves;
        g.jobs = (int64_t)r->njobs;
        g.ran = (int64_t)r->nran;
        g.failed = (int64_t)r->nfailed;
        snprintf(title, sizeof title, "bfsim regress: suite %s, from %s", r->suite.name,
                 r->db_path);
    }
    int code = -1;
    if (rc)
        code = bf_cmd_fail(RG_CMD, rc == BF_ENOMEM ? 1 : 2, "%s", err);
    else if (!n)
        code = bf_cmd_fail(RG_CMD, 2, "%s", "--html: no job of this regression stored statistics");
    else
        code = bf_cmd_html_reg(RG_CMD, r->db, ids, n, dir, title, &g);
    if (r->reg_id)
        bf_regdb_free(&g);
    free(ids);
    return code;
}

/* The new baseline: this run's entries, and from the old one those of jobs outside the scope. */
int rg_update_baseline(regress *r, const char *path, char *err, size_t errn)
{
    bf_baseline nb;
    memset(&nb, 0, sizeof nb);
    snprintf(nb.suite, sizeof nb.suite, "%s", r->suite.name);
    int rc = 0;
    for (size_t i = 0; !rc && i < r->base.n; i++) {
        const bf_baseline_entry *e = &r->base.v[i];
        if (r->filtered && !rg_find_job(r, e->job) && bf_suite_find(&r->suite, e->job))
            rc = bf_baseline_add(&nb, e->job, e->stat, e->value, e->text);
    }
    for (size_t i = 0; !rc && i < r->cur.n; i++) {
        const bf_baseline_entry *e = &r->cur.v[i];
        rc = bf_baseline_add(&nb, e->job, e->stat, e->value, e->text);
    }
    if (rc)
        snprintf(err, errn, "out of memory");
    else
        rc = bf_baseline_write(path, &nb, err, errn);
    bf_baseline_free(&nb);
    return rc;
}
