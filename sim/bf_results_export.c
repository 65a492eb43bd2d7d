/*
** bf_results_export.c: reading the results store back: `results list`, `show` and `export` as
** text, CSV or JSON (see bf_results.h). Every read runs in one transaction, so it sees one
** snapshot: a run committed meanwhile by another process is all in or all out.
*/
#define _POSIX_C_SOURCE 200809L

#include "bf_json.h"
#include "bf_results_int.h"

#include <string.h>

void bf_results_csv_str(FILE *f, const char *s)
{
    if (!s)
        return;
    size_t n = strlen(s);
    if (!strpbrk(s, ",\"\r\n") && (n == 0 || (s[0] != ' ' && s[n - 1] != ' '))) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

enum { FMT_TEXT, FMT_CSV, FMT_JSON };

static int parse_format(bf_results *r, const char *format, int allow_text, char *err, size_t errn)
{
    if (format && allow_text && strcmp(format, "text") == 0)
        return FMT_TEXT;
    if (format && strcmp(format, "csv") == 0)
        return FMT_CSV;
    if (format && strcmp(format, "json") == 0)
        return FMT_JSON;
    bf_results_fail(r, BF_EINPUT, err, errn, "invalid format '%s' (expected %s)",
                    format ? format : "(null)", allow_text ? "text|csv|json" : "csv|json");
    return -1;
}

/* One column value as JSON. */
static void json_col(bf_jw *w, sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        bf_jw_i64(w, sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT:
        bf_jw_num(w, sqlite3_column_double(st, i));
        break;
    case SQLITE_NULL:
        bf_jw_null(w);
        break;
    default:
        bf_jw_str(w, (const char *)sqlite3_column_text(st, i));
        break;
    }
}

/* One column value as text (CSV field or plain); doubles in round-trip form. */
static void text_col(FILE *f, sqlite3_stmt *st, int i, int csv)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        fprintf(f, "%lld", (long long)sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT:
        bf_json_num(f, sqlite3_column_double(st, i));
        break;
    case SQLITE_NULL:
        break;
    default:
        if (csv)
            bf_results_csv_str(f, (const char *)sqlite3_column_text(st, i));
        else
            fputs((const char *)sqlite3_column_text(st, i), f);
        break;
    }
}

/* The current row as a JSON object of its columns. */
static void json_row(bf_jw *w, sqlite3_stmt *st)
{
    bf_jw_object(w);
    for (int i = 0; i < sqlite3_column_count(st); i++) {
        bf_jw_key(w, sqlite3_column_name(st, i));
        json_col(w, st, i);
    }
    bf_jw_end(w);
}

static void csv_header(FILE *f, sqlite3_stmt *st)
{
    for (int i = 0; i < sqlite3_column_count(st); i++) {
        fputs(i ? "," : "", f);
        bf_results_csv_str(f, sqlite3_column_name(st, i));
    }
    fputc('\n', f);
}

static void csv_row(FILE *f, sqlite3_stmt *st)
{
    for (int i = 0; i < sqlite3_column_count(st); i++) {
        fputs(i ? "," : "", f);
        text_col(f, st, i, 1);
    }
    fputc('\n', f);
}

/* Every row of `sql` (with ?1 bound to id when id >= 0): without w as CSV with a header on f; with
** w as a JSON array of objects, one per line after `indent`, closing on a line of its own, as the
** member `key` of the open object (NULL: a value). When the query cannot start, nothing is written
** (not even the key). */
static int dump(bf_results *r, FILE *f, bf_jw *w, const char *key, const char *sql, int64_t id,
                const char *indent, char *err, size_t errn)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
        return bf_results_db_fail(r, err, errn, "cannot read");
    if (id >= 0)
        sqlite3_bind_int64(st, 1, id);
    int rc;
    if (w && key)
        bf_jw_key(w, key);
    if (w)
        bf_jw_array_lines(w, indent, 1);
    else
        csv_header(f, st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (w)
            json_row(w, st);
        else
            csv_row(f, st);
    }
    if (w)
        bf_jw_end(w);
    int out = rc == SQLITE_DONE ? BF_OK : bf_results_db_fail(r, err, errn, "cannot read");
    sqlite3_finalize(st);
    return out;
}

/* Reads see one snapshot: a run committed meanwhile by another process is all in or all out. */
static int read_begin(bf_results *r, char *err, size_t errn)
{
    if (r->in_txn)
        return bf_results_fail(r, BF_ESTATE, err, errn,
                               "results database '%s': a run's metrics are open", r->path);
    return bf_results_exec(r, "BEGIN", err, errn, "cannot read");
}

static int read_end(bf_results *r, int rc)
{
    bf_results_rollback(r);
    return rc;
}

/* The start of every listing: its arguments, its output format (*fmt) and the read snapshot. */
static int read_start(bf_results *r, FILE *out, const char *format, int allow_text, int *fmt,
                      char *err, size_t errn)
{
    if (!r || !out)
        return BF_EINPUT;
    if ((*fmt = parse_format(r, format, allow_text, err, errn)) < 0)
        return BF_EINPUT;
    return read_begin(r, err, errn);
}

/* The runs of `sql` (all runs; or with reg_id > 0 regression reg_id's, adding a job column). */
static int list_runs(bf_results *r, FILE *out, const char *format, const char *sql, int64_t reg_id,
                     char *err, size_t errn)
{
    int fmt;
    int rc = read_start(r, out, format, 1, &fmt, err, errn);
    if (rc)
        return rc;
    if (reg_id > 0) {
        char q[96];
        int64_t n = 0;
        snprintf(q, sizeof q, "SELECT count(*) FROM regressions WHERE id = %lld",
                 (long long)reg_id);
        rc = bf_results_query_int(r, q, &n, err, errn, "cannot read");
        if (!rc && !n)
            rc = bf_results_fail(r, BF_EINPUT, err, errn,
                                 "results database '%s': no regression %lld", r->path,
                                 (long long)reg_id);
        if (rc)
            return read_end(r, rc);
    }
    if (fmt != FMT_TEXT) {
        bf_jw w; /* JSON: the array ends its line */
        bf_jw_init(&w, out, BF_JW_SPACED);
        rc = dump(r, out, fmt == FMT_JSON ? &w : NULL, NULL, sql, reg_id > 0 ? reg_id : -1, "", err,
                  errn);
        return read_end(r, rc);
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
        return read_end(r, bf_results_db_fail(r, err, errn, "cannot read"));
    if (reg_id > 0)
        sqlite3_bind_int64(st, 1, reg_id);
    fprintf(out, "%6s  %-20s  %-11s  %-8s  %-7s  %-24s  %7s  %s\n", "id", "start (UTC)", "status",
            "command", "engine", "config", "metrics", reg_id > 0 ? "job" : "workload");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
#define COL(i) (sqlite3_column_text(st, i) ? (const char *)sqlite3_column_text(st, i) : "-")
        fprintf(out, "%6lld  %-20s  %-11s  %-8s  %-7s  %-24s  %7lld  %s\n",
                (long long)sqlite3_column_int64(st, 0), COL(1), COL(3), COL(4), COL(5), COL(6),
                (long long)sqlite3_column_int64(st, 8), COL(reg_id > 0 ? 9 : 7));
#undef COL
    }
    rc = rc == SQLITE_DONE ? BF_OK : bf_results_db_fail(r, err, errn, "cannot read");
    sqlite3_finalize(st);
    return read_end(r, rc);
}

int bf_results_list(bf_results *r, FILE *out, const char *format, char *err, size_t errn)
{
    static const char sql[] =
        "SELECT r.id, r.start_time, r.end_time, r.status, r.command, r.engine, r.config_name,"
        " r.workload_path, (SELECT count(*) FROM metrics m WHERE m.run_id = r.id) AS metrics"
        " FROM runs_shown r ORDER BY r.id";
    return list_runs(r, out, format, sql, 0, err, errn);
}

int bf_results_list_regression(bf_results *r, int64_t reg_id, FILE *out, const char *format,
                               char *err, size_t errn)
{
    static const char sql[] =
        "SELECT r.id, r.start_time, r.end_time, r.status, r.command, r.engine, r.config_name,"
        " r.workload_path, (SELECT count(*) FROM metrics m WHERE m.run_id = r.id) AS metrics,"
        " j.job FROM regression_jobs j JOIN runs_shown r ON r.id = j.run_id"
        " WHERE j.regression_id = ?1 ORDER BY j.job";
    if (reg_id <= 0)
        return BF_EINPUT;
    return list_runs(r, out, format, sql, reg_id, err, errn);
}

static const char k_metrics_sql[] =
    "SELECT name, value, unit FROM metrics WHERE run_id = ?1 ORDER BY rowid";
static const char k_faults_sql[] =
    "SELECT seq, record, cause, excause, addr, access, mode, text FROM faults WHERE run_id = ?1"
    " ORDER BY seq";
static const char k_hazards_sql[] =
    "SELECT seq, kind, addr, line, chan, transfer, dma_record, dma_line, core_record, core_line,"
    " text FROM hazards WHERE run_id = ?1 ORDER BY seq";
static const char k_series_sql[] =
    "SELECT series, idx, name, value FROM series WHERE run_id = ?1 ORDER BY series, idx, name";

static int show_text(bf_results *r, sqlite3_stmt *run, FILE *f, int64_t id, char *err, size_t errn)
{
    int cfg = -1;
    for (int i = 0; i < sqlite3_column_count(run); i++) {
        const char *name = sqlite3_column_name(run, i);
        if (strcmp(name, "config_text") == 0) {
            cfg = i;
            continue;
        }
        fprintf(f, "%-14s ", name);
        text_col(f, run, i, 0);
        fputc('\n', f);
    }
    sqlite3_stmt *st = NULL;
    int rc = BF_OK, n = 0;
    static const char *const parts[] = {k_metrics_sql, k_faults_sql, k_hazards_sql,
                                        "SELECT series, count(DISTINCT idx), count(*) FROM series"
                                        " WHERE run_id = ?1 GROUP BY series ORDER BY series"};
    static const char *const titles[] = {"metrics", "faults", "hazards", "series"};
    for (size_t p = 0; !rc && p < BF_ARRAY_SIZE(parts); p++) {
        if (sqlite3_prepare_v2(r->db, parts[p], -1, &st, NULL) != SQLITE_OK)
            return bf_results_db_fail(r, err, errn, "cannot read");
        sqlite3_bind_int64(st, 1, id);
        fprintf(f, "%s:\n", titles[p]);
        n = 0;
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            n++;
            if (p == 0) {
                fprintf(f, "  %-40s ", (const char *)sqlite3_column_text(st, 0));
                text_col(f, st, 1, 0);
                if (sqlite3_column_type(st, 2) != SQLITE_NULL && *sqlite3_column_text(st, 2))
                    fprintf(f, " %s", (const char *)sqlite3_column_text(st, 2));
            } else if (p == 1) {
                /* record R: CAUSE (EXCAUSE 0xNN) at 0xADDR, ACCESS, MODE: TEXT */
                fprintf(f, "  record %lld: ", (long long)sqlite3_column_int64(st, 1));
                text_col(f, st, 2, 0);
                fprintf(f, " (EXCAUSE 0x%02llx) at 0x%08llx",
                        (unsigned long long)sqlite3_column_int64(st, 3),
                        (unsigned long long)sqlite3_column_int64(st, 4));
                for (int i = 5; i < 8; i++) {
                    if (sqlite3_column_type(st, i) == SQLITE_NULL)
                        continue;
                    fputs(i < 7 ? ", " : ": ", f);
                    text_col(f, st, i, 0);
                }
            } else if (p == 2) {
                /* the report text, indented */
                const char *t = (const char *)sqlite3_column_text(st, 10);
                fprintf(f, "  #%lld ", (long long)sqlite3_column_int64(st, 0));
                for (; t && *t; t++) {
                    fputc(*t, f);
                    if (*t == '\n')
                        fputs("   ", f);
                }
            } else {
                fprintf(
                    f, "  %s: %lld points, %lld values", (const char *)sqlite3_column_text(st, 0),
                    (long long)sqlite3_column_int64(st, 1), (long long)sqlite3_column_int64(st, 2));
            }
            fputc('\n', f);
        }
        if (s != SQLITE_DONE)
            rc = bf_results_db_fail(r, err, errn, "cannot read");
        if (n == 0)
            fputs("  (none)\n", f);
        sqlite3_finalize(st);
    }
    if (!rc && cfg >= 0 && sqlite3_column_type(run, cfg) != SQLITE_NULL) {
        fputs("config:\n", f);
        const char *t = (const char *)sqlite3_column_text(run, cfg);
        while (*t) {
            const char *nl = strchr(t, '\n');
            size_t len = nl ? (size_t)(nl - t) : strlen(t);
            fprintf(f, "  %.*s\n", (int)len, t);
            t += len + (nl ? 1 : 0);
        }
    }
    return rc;
}

int bf_results_show(bf_results *r, int64_t run_id, FILE *out, const char *format, char *err,
                    size_t errn)
{
    int fmt;
    int rc = read_start(r, out, format, 1, &fmt, err, errn);
    if (rc)
        return rc;
    sqlite3_stmt *run = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT * FROM runs_shown WHERE id = ?1", -1, &run, NULL) !=
        SQLITE_OK)
        return read_end(r, bf_results_db_fail(r, err, errn, "cannot read"));
    sqlite3_bind_int64(run, 1, run_id);
    int s = sqlite3_step(run);
    if (s != SQLITE_ROW) {
        rc = s == SQLITE_DONE
                 ? bf_results_fail(r, BF_EINPUT, err, errn, "results database '%s': no run %lld",
                                   r->path, (long long)run_id)
                 : bf_results_db_fail(r, err, errn, "cannot read");
    } else if (fmt == FMT_TEXT) {
        rc = show_text(r, run, out, run_id, err, errn);
    } else if (fmt == FMT_CSV) {
        rc = dump(r, out, NULL, NULL, k_metrics_sql, run_id, "", err, errn);
    } else {
        /* {"run": {...}, then each list on a line of its own: "metrics", "faults", "hazards",
        ** "series" */
        static const char *const lists[][2] = {{"metrics", k_metrics_sql},
                                               {"faults", k_faults_sql},
                                               {"hazards", k_hazards_sql},
                                               {"series", k_series_sql}};
        bf_jw w;
        bf_jw_init(&w, out, BF_JW_SPACED);
        bf_jw_object(&w);
        bf_jw_key(&w, "run");
        json_row(&w, run);
        for (size_t i = 0; i < BF_ARRAY_SIZE(lists) && !rc; i++) {
            bf_jw_break(&w, "");
            rc = dump(r, out, &w, lists[i][0], lists[i][1], run_id, "  ", err, errn);
        }
        bf_jw_end(&w);
    }
    sqlite3_finalize(run);
    return read_end(r, rc);
}

int bf_results_export(bf_results *r, FILE *out, const char *format, char *err, size_t errn)
{
    int fmt;
    int rc = read_start(r, out, format, 0, &fmt, err, errn);
    if (rc)
        return rc;
    if (fmt == FMT_CSV)
        return read_end(r,
                        dump(r, out, NULL, NULL,
                             "SELECT r.id AS run_id, r.start_time, r.end_time, r.status, r.command,"
                             " r.engine, r.version, r.git_rev, r.config_name, r.config_hash,"
                             " r.workload_path, r.workload_hash, r.host, m.name AS metric, m.value,"
                             " m.unit FROM runs_shown r LEFT JOIN metrics m ON m.run_id = r.id"
                             " ORDER BY r.id, m.rowid",
                             -1, "", err, errn));
    sqlite3_stmt *run = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT * FROM runs_shown ORDER BY id", -1, &run, NULL) !=
        SQLITE_OK)
        return read_end(r, bf_results_db_fail(r, err, errn, "cannot read"));
    /* one run per line: {"run": {...}, then its metrics on the next line */
    bf_jw w;
    bf_jw_init(&w, out, BF_JW_SPACED);
    bf_jw_array_lines(&w, "", 1);
    int s;
    while (!rc && (s = sqlite3_step(run)) == SQLITE_ROW) {
        bf_jw_object(&w);
        bf_jw_key(&w, "run");
        json_row(&w, run);
        bf_jw_break(&w, " ");
        rc = dump(r, out, &w, "metrics", k_metrics_sql, sqlite3_column_int64(run, 0), "  ", err,
                  errn);
        bf_jw_end(&w);
    }
    if (!rc && s != SQLITE_DONE)
        rc = bf_results_db_fail(r, err, errn, "cannot read");
    bf_jw_end(&w);
    sqlite3_finalize(run);
    return read_end(r, rc);
}
