/*
** bf_regdb.c: regressions and database merging (see bf_regdb.h), on the schema of bf_results.c.
**
** Assumptions:
**   1. The source of a merge is a bfsim results database; it is opened with bf_results_open (so a
**      foreign, corrupt or newer file is refused, and an older one migrated) and then ATTACHed.
**   2. Keys (runs.run_key, regressions.reg_key) are 128 random bits: two databases never share
**      one unless one was merged from the other.
**
** Algorithm (merge, one BEGIN IMMEDIATE transaction on the target):
**   1. A temporary map old run id -> new run id: each source run whose run_key the target lacks
**      is inserted with a new id (its run_key kept), and mapped.
**   2. Metrics, faults, hazards and series of the mapped runs are copied with the new ids.
**   3. The same for regressions by reg_key, then their jobs, their run ids mapped through the map
**      or, for a run the target already held, through its run_key, and their moves.
** Invariant: after merge(A) the target holds every run and regression of A exactly once;
** merging A again copies nothing.
*/
#define _POSIX_C_SOURCE 200809L
#include "bf_regdb.h"
#include "bf_hmem.h"

#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bf_common.h"

static int rfail(bf_results *db, char *err, size_t errn, const char *what)
{
    sqlite3 *s = bf_results_sqlite(db);
    int code = sqlite3_extended_errcode(s) & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        snprintf(err, errn, "results database '%s': database is locked (another bfsim process?)",
                 bf_results_path(db));
    else
        snprintf(err, errn, "results database '%s': %s: %s", bf_results_path(db), what,
                 sqlite3_errmsg(s));
    return BF_EDB;
}

static void rollback(sqlite3 *s)
{
    if (!sqlite3_get_autocommit(s))
        sqlite3_exec(s, "ROLLBACK", NULL, NULL, NULL);
}

static int exec(bf_results *db, const char *sql, char *err, size_t errn, const char *what)
{
    if (sqlite3_exec(bf_results_sqlite(db), sql, NULL, NULL, NULL) != SQLITE_OK)
        return rfail(db, err, errn, what);
    return BF_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* The statement boilerplate, once: prepare (failing as `what`), step a statement that returns no
** rows and reset it for reuse, and end a row loop (finalize; a loop that stopped before
** SQLITE_DONE without an error of its own fails as `what`). */
static int prepare(bf_results *db, const char *sql, sqlite3_stmt **st, char *err, size_t errn,
                   const char *what)
{
    *st = NULL;
    if (sqlite3_prepare_v2(bf_results_sqlite(db), sql, -1, st, NULL) != SQLITE_OK)
        return rfail(db, err, errn, what);
    return BF_OK;
}

static int step_done(bf_results *db, sqlite3_stmt *st, char *err, size_t errn, const char *what)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? BF_OK : rfail(db, err, errn, what);
    sqlite3_reset(st);
    return rc;
}

static int rows_end(bf_results *db, sqlite3_stmt *st, int rc, int step, char *err, size_t errn,
                    const char *what)
{
    if (!rc && step != SQLITE_DONE)
        rc = rfail(db, err, errn, what);
    sqlite3_finalize(st);
    return rc;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? bf_strdup((const char *)t) : NULL;
}

static double col_num(sqlite3_stmt *st, int i, double none)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_double(st, i);
}

/* Prepare, bind the texts (NULL entries as NULL), step to done. */
static int run_texts(bf_results *db, const char *sql, const char *const *v, int n, char *err,
                     size_t errn, const char *what)
{
    sqlite3_stmt *st;
    int rc = prepare(db, sql, &st, err, errn, what);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++)
        bind_text(st, i + 1, v[i]);
    rc = step_done(db, st, err, errn, what);
    sqlite3_finalize(st);
    return rc;
}

#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

int bf_regdb_begin(bf_results *db, const bf_regdb_info *in, int64_t *reg_id, char *err, size_t errn)
{
    char jobs[32];
    snprintf(jobs, sizeof jobs, "%lld", (long long)in->jobs);
    const char *v[] = {in->suite_name, in->suite_hash,   in->git_rev, in->version,
                       in->host,       in->command_line, in->shard,   jobs};
    int rc = run_texts(
        db,
        "INSERT INTO regressions (reg_key, suite_name, suite_hash, git_rev, version,"
        " host, command_line, shard, jobs, start_time, status)"
        " VALUES (lower(hex(randomblob(16))), ?, ?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), " NOW_SQL
        ", 'running')",
        v, (int)BF_ARRAY_SIZE(v), err, errn, "cannot record the regression");
    if (!rc)
        *reg_id = sqlite3_last_insert_rowid(bf_results_sqlite(db));
    return rc;
}

int bf_regdb_finish(bf_results *db, int64_t reg_id, const char *status, const bf_regdb_counts *c,
                    char *err, size_t errn)
{
    char n[4][32];
    snprintf(n[0], sizeof n[0], "%lld", (long long)c->ran);
    snprintf(n[1], sizeof n[1], "%lld", (long long)c->failed);
    snprintf(n[2], sizeof n[2], "%lld", (long long)c->moved);
    snprintf(n[3], sizeof n[3], "%lld", (long long)reg_id);
    const char *v[] = {status, n[0], n[1], n[2], n[3]};
    return run_texts(db,
                     "UPDATE regressions SET end_time = " NOW_SQL ", status = ?,"
                     " ran = CAST(? AS INTEGER), failed = CAST(? AS INTEGER),"
                     " moved = CAST(? AS INTEGER) WHERE id = CAST(? AS INTEGER)",
                     v, 5, err, errn, "cannot record the regression's end");
}

/* ATTACH src (checked and migrated by bf_results_open first) as `src`. */
static int attach(bf_results *db, const char *src, char *err, size_t errn)
{
    bf_results *chk = NULL;
    bf_results_open_opts o = {.create = 0};
    int rc = bf_results_open_ex(src, &o, &chk, err, errn);
    bf_results_close(chk);
    if (rc)
        return rc;
    return run_texts(db, "ATTACH DATABASE ? AS src", &src, 1, err, errn,
                     "cannot attach the source");
}

static void detach(bf_results *db)
{
    sqlite3_exec(bf_results_sqlite(db), "DETACH DATABASE src", NULL, NULL, NULL);
}

#define RUN_COLS                                                                                   \
    "start_time, end_time, status, version, git_rev, command_line, command, config_name,"          \
    " config_text, config_hash, workload_path, workload_hash, engine, host, run_key"

/* Steps 1-2 of the merge: the source runs the target lacks, with metrics, faults, hazards, series.
** Leaves temp.runmap (old, new) for the caller. */
static int copy_runs(bf_results *db, char *err, size_t errn)
{
    sqlite3 *s = bf_results_sqlite(db);
    int rc = exec(db,
                  "CREATE TEMP TABLE IF NOT EXISTS runmap (old INTEGER PRIMARY KEY, new INTEGER);"
                  "DELETE FROM temp.runmap;",
                  err, errn, "cannot merge");
    sqlite3_stmt *sel = NULL, *ins = NULL, *map = NULL;
    if (!rc)
        rc = prepare(db,
                     "SELECT id FROM src.runs WHERE run_key IS NULL OR run_key NOT IN"
                     " (SELECT run_key FROM main.runs WHERE run_key IS NOT NULL) ORDER BY id",
                     &sel, err, errn, "cannot merge");
    if (!rc)
        rc = prepare(db,
                     "INSERT INTO main.runs (" RUN_COLS ") SELECT " RUN_COLS
                     " FROM src.runs WHERE id = ?",
                     &ins, err, errn, "cannot merge");
    if (!rc)
        rc = prepare(db, "INSERT INTO temp.runmap VALUES (?, ?)", &map, err, errn, "cannot merge");
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(sel)) == SQLITE_ROW) {
        int64_t old = sqlite3_column_int64(sel, 0);
        sqlite3_bind_int64(ins, 1, old);
        if ((rc = step_done(db, ins, err, errn, "cannot copy a run")))
            break;
        sqlite3_bind_int64(map, 1, old);
        sqlite3_bind_int64(map, 2, sqlite3_last_insert_rowid(s));
        rc = step_done(db, map, err, errn, "cannot merge");
    }
    rc = rows_end(db, sel, rc, step, err, errn, "cannot read the source runs");
    sqlite3_finalize(ins);
    sqlite3_finalize(map);
    if (!rc)
        rc = exec(
            db,
            "INSERT INTO main.metrics (run_id, name, value, unit)"
            " SELECT m.new, x.name, x.value, x.unit FROM src.metrics x"
            " JOIN temp.runmap m ON m.old = x.run_id;"
            "INSERT INTO main.faults (run_id, seq, record, cause, excause, addr, access, mode, "
            "text)"
            " SELECT m.new, x.seq, x.record, x.cause, x.excause, x.addr, x.access, x.mode, x.text"
            " FROM src.faults x JOIN temp.runmap m ON m.old = x.run_id;"
            "INSERT INTO main.hazards (run_id, seq, kind, addr, line, chan, transfer,"
            " dma_record, dma_line, core_record, core_line, text)"
            " SELECT m.new, x.seq, x.kind, x.addr, x.line, x.chan, x.transfer, x.dma_record,"
            " x.dma_line, x.core_record, x.core_line, x.text"
            " FROM src.hazards x JOIN temp.runmap m ON m.old = x.run_id;"
            "INSERT INTO main.series (run_id, series, idx, name, value)"
            " SELECT m.new, x.series, x.idx, x.name, x.value FROM src.series x"
            " JOIN temp.runmap m ON m.old = x.run_id;",
            err, errn, "cannot copy the metrics");
    return rc;
}

int bf_regdb_add_job(bf_results *db, int64_t reg_id, const char *job, const char *src,
                     const char *status, const char *message, int64_t *run_id, char *err,
                     size_t errn)
{
    *run_id = 0;
    int rc = src ? attach(db, src, err, errn) : BF_OK;
    if (rc)
        return rc;
    sqlite3 *s = bf_results_sqlite(db);
    rc = exec(db, "BEGIN IMMEDIATE", err, errn, "cannot record a job");
    if (!rc && src)
        rc = copy_runs(db, err, errn);
    if (!rc && src) {
        /* a run its process left 'running' died with it (or was stopped: interrupted) */
        const char *v[] = {!strcmp(status, "interrupted") ? "interrupted" : "failed"};
        rc = run_texts(db,
                       "UPDATE main.runs SET status = ?, end_time = " NOW_SQL
                       " WHERE status = 'running' AND id IN (SELECT new FROM temp.runmap)",
                       v, 1, err, errn, "cannot record a job");
        sqlite3_stmt *st = NULL;
        if (!rc &&
            sqlite3_prepare_v2(s, "SELECT max(new) FROM temp.runmap", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            *run_id = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (!rc) {
        char sql[200], rid[32];
        snprintf(rid, sizeof rid, "%lld", (long long)*run_id);
        snprintf(sql, sizeof sql,
                 "INSERT INTO regression_jobs (regression_id, job, run_id, status, message)"
                 " VALUES (%lld, ?, NULLIF(CAST(? AS INTEGER), 0), ?, ?)",
                 (long long)reg_id);
        const char *v[] = {job, rid, status, message};
        rc = run_texts(db, sql, v, 4, err, errn, "cannot record a job");
    }
    if (!rc)
        rc = exec(db, "COMMIT", err, errn, "cannot commit a job");
    if (rc)
        rollback(s);
    if (src)
        detach(db);
    return rc;
}

static int count(bf_results *db, const char *sql, int64_t *v)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(bf_results_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
                     sqlite3_step(st) == SQLITE_ROW
                 ? BF_OK
                 : BF_EDB;
    if (!rc)
        *v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

int bf_regdb_merge(bf_results *db, const char *src, int64_t *added_runs, int64_t *added_regs,
                   char *err, size_t errn)
{
    *added_runs = *added_regs = 0;
    int rc = attach(db, src, err, errn);
    if (rc)
        return rc;
    sqlite3 *s = bf_results_sqlite(db);
    rc = exec(db, "BEGIN IMMEDIATE", err, errn, "cannot merge");
    if (!rc)
        rc = copy_runs(db, err, errn);
    if (!rc && count(db, "SELECT count(*) FROM temp.runmap", added_runs))
        rc = rfail(db, err, errn, "cannot merge");
    if (!rc)
        rc = exec(
            db,
            "CREATE TEMP TABLE IF NOT EXISTS regmap (old INTEGER PRIMARY KEY, new INTEGER);"
            "DELETE FROM temp.regmap;"
            "INSERT INTO temp.regmap (old) SELECT id FROM src.regressions"
            " WHERE reg_key NOT IN (SELECT reg_key FROM main.regressions);"
            "INSERT INTO main.regressions (reg_key, suite_name, suite_hash, git_rev, version,"
            " host, command_line, shard, start_time, end_time, status, jobs, ran, failed, moved,"
            " baseline)"
            " SELECT reg_key, suite_name, suite_hash, git_rev, version, host, command_line,"
            " shard, start_time, end_time, status, jobs, ran, failed, moved, baseline"
            " FROM src.regressions"
            " WHERE id IN (SELECT old FROM temp.regmap) ORDER BY id;"
            "UPDATE temp.regmap SET new = (SELECT m.id FROM main.regressions m"
            " JOIN src.regressions x ON x.reg_key = m.reg_key WHERE x.id = regmap.old);"
            "INSERT INTO main.regression_jobs (regression_id, job, run_id, status, message)"
            " SELECT g.new, j.job,"
            " (SELECT mr.id FROM src.runs sr JOIN main.runs mr ON mr.run_key = sr.run_key"
            "  WHERE sr.id = j.run_id), j.status, j.message"
            " FROM src.regression_jobs j JOIN temp.regmap g ON g.old = j.regression_id;"
            "INSERT INTO main.regression_moves (regression_id, seq, job, stat, baseline,"
            " baseline_text, now, now_text, change, tolerance)"
            " SELECT g.new, x.seq, x.job, x.stat, x.baseline, x.baseline_text, x.now,"
            " x.now_text, x.change, x.tolerance"
            " FROM src.regression_moves x JOIN temp.regmap g ON g.old = x.regression_id;",
            err, errn, "cannot merge the regressions");
    if (!rc && count(db, "SELECT count(*) FROM temp.regmap", added_regs))
        rc = rfail(db, err, errn, "cannot merge");
    if (!rc)
        rc = exec(db, "COMMIT", err, errn, "cannot commit the merge");
    if (rc)
        rollback(s);
    detach(db);
    return rc;
}

int bf_regdb_jobs(bf_results *db, const char *suite_name, int64_t reg_id, bf_regdb_job_cb cb,
                  void *ctx, char *err, size_t errn)
{
    static const char one[] = "SELECT job, status, message, run_id FROM regression_jobs"
                              " WHERE regression_id = ?2 AND ?1 IS NOT NULL ORDER BY job";
    static const char newest[] =
        "SELECT job, status, message, run_id FROM ("
        " SELECT j.job, j.status, j.message, j.run_id, row_number() OVER (PARTITION BY j.job"
        "  ORDER BY g.start_time DESC, g.id DESC) AS rn"
        " FROM regression_jobs j JOIN regressions g ON g.id = j.regression_id"
        " WHERE g.suite_name = ?1 AND j.status != 'interrupted')"
        " WHERE rn = 1 ORDER BY job";
    sqlite3_stmt *st;
    int rc = prepare(db, reg_id ? one : newest, &st, err, errn, "cannot read the regression"), step;
    if (rc)
        return rc;
    bind_text(st, 1, suite_name);
    if (reg_id)
        sqlite3_bind_int64(st, 2, reg_id);
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = cb(ctx, (const char *)sqlite3_column_text(st, 0),
                (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
                sqlite3_column_int64(st, 3));
    return rows_end(db, st, rc, step, err, errn, "cannot read the regression");
}

int bf_regdb_metrics(bf_results *db, int64_t run_id, bf_regdb_metric_cb cb, void *ctx, char *err,
                     size_t errn)
{
    sqlite3_stmt *st;
    int rc = prepare(db, "SELECT name, value FROM metrics WHERE run_id = ? ORDER BY name", &st, err,
                     errn, "cannot read the metrics"),
        step;
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, run_id);
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = cb(ctx, (const char *)sqlite3_column_text(st, 0), col_num(st, 1, NAN));
    return rows_end(db, st, rc, step, err, errn, "cannot read the metrics");
}

/* ---- moves, trends ------------------------------------------------------------------------ */

/* Room for one more element in *v (n used of *cap, elements of size sz): 0, or BF_ENOMEM. */
static int grow(void *v, size_t n, size_t *cap, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? 2 * *cap : 16;
    void *nv = bf_realloc(*(void **)v, nc * sz);
    if (!nv)
        return BF_ENOMEM;
    *(void **)v = nv;
    *cap = nc;
    return 0;
}

static void bind_num(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i); /* NaN: no value; INFINITY (change): not comparable */
}

int bf_regdb_store_moves(bf_results *db, int64_t reg_id, const char *baseline,
                         const bf_regdb_move *moves, size_t n, char *err, size_t errn)
{
    sqlite3 *s = bf_results_sqlite(db);
    sqlite3_stmt *ins = NULL, *up = NULL;
    int rc = exec(db, "BEGIN IMMEDIATE", err, errn, "cannot record the comparison");
    if (!rc)
        rc = prepare(db, "UPDATE regressions SET baseline = ? WHERE id = ?", &up, err, errn,
                     "cannot record the comparison");
    if (!rc)
        rc = prepare(db,
                     "INSERT INTO regression_moves (regression_id, seq, job, stat, baseline,"
                     " baseline_text, now, now_text, change, tolerance)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     &ins, err, errn, "cannot record the comparison");
    if (!rc) {
        bind_text(up, 1, baseline);
        sqlite3_bind_int64(up, 2, reg_id);
        rc = step_done(db, up, err, errn, "cannot record the comparison");
    }
    char del[96];
    snprintf(del, sizeof del, "DELETE FROM regression_moves WHERE regression_id = %lld",
             (long long)reg_id);
    if (!rc)
        rc = exec(db, del, err, errn, "cannot record the comparison");
    for (size_t i = 0; !rc && i < n; i++) {
        const bf_regdb_move *m = &moves[i];
        sqlite3_bind_int64(ins, 1, reg_id);
        sqlite3_bind_int64(ins, 2, (sqlite3_int64)i);
        bind_text(ins, 3, m->job);
        bind_text(ins, 4, m->stat);
        bind_num(ins, 5, m->base);
        bind_text(ins, 6, m->base_text);
        bind_num(ins, 7, m->now);
        bind_text(ins, 8, m->now_text);
        bind_num(ins, 9, m->rel);
        bind_num(ins, 10, m->tol);
        rc = step_done(db, ins, err, errn, "cannot record a moved statistic");
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(up);
    if (!rc)
        rc = exec(db, "COMMIT", err, errn, "cannot commit the comparison");
    if (rc)
        rollback(s);
    return rc;
}

void bf_regdb_free(bf_regdb_regression *r)
{
    for (size_t i = 0; i < r->nmoves; i++) {
        free((char *)r->moves[i].job);
        free((char *)r->moves[i].stat);
        free((char *)r->moves[i].base_text);
        free((char *)r->moves[i].now_text);
    }
    free(r->moves);
    free(r->suite_name);
    free(r->git_rev);
    free(r->start_time);
    free(r->status);
    free(r->baseline);
    free(r->shard);
    memset(r, 0, sizeof *r);
}

int bf_regdb_load(bf_results *db, int64_t reg_id, bf_regdb_regression *out, char *err, size_t errn)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int rc = prepare(db,
                     "SELECT suite_name, git_rev, start_time, status, baseline, shard, jobs,"
                     " ran, failed, moved FROM regressions WHERE id = ?",
                     &st, err, errn, "cannot read the regression");
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, reg_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        out->id = reg_id;
        out->suite_name = col_dup(st, 0);
        out->git_rev = col_dup(st, 1);
        out->start_time = col_dup(st, 2);
        out->status = col_dup(st, 3);
        out->baseline = col_dup(st, 4);
        out->shard = col_dup(st, 5);
        out->jobs = sqlite3_column_int64(st, 6);
        out->ran = sqlite3_column_int64(st, 7);
        out->failed = sqlite3_column_int64(st, 8);
        out->moved = sqlite3_column_int64(st, 9);
    }
    sqlite3_finalize(st);
    if (step == SQLITE_DONE) {
        snprintf(err, errn, "results database '%s': no regression %lld", bf_results_path(db),
                 (long long)reg_id);
        return BF_EINPUT;
    }
    if (step != SQLITE_ROW || !out->suite_name)
        return rfail(db, err, errn, "cannot read the regression");
    if ((rc = prepare(db,
                      "SELECT m.job, m.stat, m.baseline, m.baseline_text, m.now, m.now_text,"
                      " m.change, m.tolerance, j.run_id FROM regression_moves m"
                      " LEFT JOIN regression_jobs j ON j.regression_id = m.regression_id"
                      " AND j.job = m.job WHERE m.regression_id = ? ORDER BY m.seq",
                      &st, err, errn, "cannot read the moved statistics")))
        return rc;
    sqlite3_bind_int64(st, 1, reg_id);
    size_t cap = 0;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = grow(&out->moves, out->nmoves, &cap, sizeof *out->moves))) {
            snprintf(err, errn, "out of host memory");
            break;
        }
        bf_regdb_move *m = &out->moves[out->nmoves++];
        m->job = col_dup(st, 0);
        m->stat = col_dup(st, 1);
        m->base = col_num(st, 2, NAN);
        m->base_text = col_dup(st, 3);
        m->now = col_num(st, 4, NAN);
        m->now_text = col_dup(st, 5);
        m->rel = col_num(st, 6, INFINITY);
        m->tol = col_num(st, 7, NAN);
        m->run_id = sqlite3_column_int64(st, 8);
    }
    rc = rows_end(db, st, rc, step, err, errn, "cannot read the moved statistics");
    if (rc)
        bf_regdb_free(out);
    return rc;
}

int bf_regdb_runs(bf_results *db, int64_t reg_id, int64_t **ids, size_t *n, char *err, size_t errn)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st;
    int rc = prepare(db,
                     "SELECT j.run_id FROM regression_jobs j JOIN runs r ON r.id = j.run_id"
                     " WHERE j.regression_id = ? AND r.status IN ('ok', 'fault') ORDER BY j.job",
                     &st, err, errn, "cannot read the regression's runs"),
        step;
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, reg_id);
    size_t cap = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = grow(ids, *n, &cap, sizeof **ids))) {
            snprintf(err, errn, "out of host memory");
            break;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    rc = rows_end(db, st, rc, step, err, errn, "cannot read the regression's runs");
    if (rc) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

int bf_regdb_trend(bf_results *db, const char *suite_name, const char *job, const char *stat,
                   int64_t upto, bf_regdb_trend_cb cb, void *ctx, char *err, size_t errn)
{
    sqlite3_stmt *st;
    int rc = prepare(db,
                     "SELECT g.id, g.git_rev, g.start_time, m.value FROM regressions g"
                     " JOIN regression_jobs j ON j.regression_id = g.id"
                     " JOIN metrics m ON m.run_id = j.run_id AND m.name = ?3"
                     " WHERE g.suite_name = ?1 AND j.job = ?2 AND j.status IN ('ok', 'fault')"
                     " AND m.value IS NOT NULL AND (?4 = 0 OR EXISTS (SELECT 1 FROM regressions u"
                     "  WHERE u.id = ?4 AND (g.start_time < u.start_time"
                     "  OR (g.start_time = u.start_time AND g.id <= u.id))))"
                     " ORDER BY g.start_time, g.id",
                     &st, err, errn, "cannot read the trend"),
        step;
    if (rc)
        return rc;
    bind_text(st, 1, suite_name);
    bind_text(st, 2, job);
    bind_text(st, 3, stat);
    sqlite3_bind_int64(st, 4, upto);
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = cb(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
                (const char *)sqlite3_column_text(st, 2), sqlite3_column_double(st, 3));
    return rows_end(db, st, rc, step, err, errn, "cannot read the trend");
}

int bf_regdb_unit(bf_results *db, int64_t run_id, const char *stat, char **unit, char *err,
                  size_t errn)
{
    *unit = NULL;
    sqlite3_stmt *st;
    int rc = prepare(db, "SELECT unit FROM metrics WHERE run_id = ? AND name = ?", &st, err, errn,
                     "cannot read a unit");
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, run_id);
    bind_text(st, 2, stat);
    const unsigned char *t = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
    *unit = strdup(t ? (const char *)t : "");
    sqlite3_finalize(st);
    if (!*unit) {
        snprintf(err, errn, "out of host memory");
        return BF_ENOMEM;
    }
    return BF_OK;
}
