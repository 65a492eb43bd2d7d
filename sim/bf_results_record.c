/*
** bf_results_record.c: recording one run in the results store (see bf_results.h).
**
** Record: begin (runs row, autocommit) -> metrics_begin (BEGIN IMMEDIATE) -> metric/fault/series
** (prepared statements reused) -> commit (UPDATE runs status and end time, COMMIT) or abort
** (ROLLBACK, then UPDATE runs in its own transaction).
**
** Invariant: a runs row has status 'ok' or 'fault' only if its metrics, faults and series were
** committed in the same transaction as that status; 'failed' and 'interrupted' runs have none.
*/
#define _POSIX_C_SOURCE 200809L

#include "bf_results_int.h"

#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const k_status[] = {"ok", "fault", "failed", "interrupted"};

static int valid_status(const char *s)
{
    for (size_t i = 0; s && i < BF_ARRAY_SIZE(k_status); i++)
        if (strcmp(s, k_status[i]) == 0)
            return 1;
    return 0;
}

static void now_iso(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A failed bind (SQLITE_NOMEM: the text is copied) is kept in r->bind_rc, so that step_done
** refuses the statement instead of storing a NULL. */
static void bind_text(bf_results *r, sqlite3_stmt *st, int i, const char *s)
{
    int rc = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
    if (rc != SQLITE_OK && !r->bind_rc)
        r->bind_rc = rc;
}

static void bind_real(bf_results *r, sqlite3_stmt *st, int i, double v)
{
    int rc = isfinite(v) ? sqlite3_bind_double(st, i, v) : sqlite3_bind_null(st, i);
    if (rc != SQLITE_OK && !r->bind_rc)
        r->bind_rc = rc;
}

/* Run a prepared statement that returns no rows; reset it for reuse. */
static int step_done(bf_results *r, sqlite3_stmt *st, char *err, size_t errn, const char *what)
{
    if (r->bind_rc) {
        int bind_rc = r->bind_rc;
        r->bind_rc = 0;
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (bind_rc == SQLITE_NOMEM)
            return bf_results_fail(r, BF_ENOMEM, err, errn,
                                   "results database '%s': %s: out of host memory (SQLite)",
                                   r->path, what);
        return bf_results_fail(r, BF_EDB, err, errn, "results database '%s': %s: %s", r->path, what,
                               sqlite3_errstr(bind_rc));
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return bf_results_db_fail(r, err, errn, what);
    return BF_OK;
}

int bf_results_begin(bf_results *r, const bf_run_info *in, int64_t *run_id, char *err, size_t errn)
{
    if (!r || !in || !run_id)
        return BF_EINPUT;
    if (r->in_txn)
        return bf_results_fail(r, BF_ESTATE, err, errn,
                               "results database '%s': a run's metrics are open", r->path);
    /* runs.pid exists from schema version 5 (the tests open older versions) */
    const char *sql =
        r->schema >= 5
            ? "INSERT INTO runs (start_time, status, version, git_rev, command_line, command,"
              " config_name, config_text, config_hash, workload_path, workload_hash, engine, host,"
              " pid) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            : "INSERT INTO runs (start_time, status, version, git_rev, command_line, command,"
              " config_name, config_text, config_hash, workload_path, workload_hash, engine, host)"
              " VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
        return bf_results_db_fail(r, err, errn, "cannot record the run");
    char now[32];
    now_iso(now);
    bind_text(r, st, 1, now);
    const char *v[] = {in->version,       in->git_rev,     in->command_line, in->command,
                       in->config_name,   in->config_text, in->config_hash,  in->workload_path,
                       in->workload_hash, in->engine,      in->host};
    for (size_t i = 0; i < BF_ARRAY_SIZE(v); i++)
        bind_text(r, st, (int)i + 2, v[i]);
    if (r->schema >= 5)
        sqlite3_bind_int64(st, (int)BF_ARRAY_SIZE(v) + 2, (sqlite3_int64)getpid());
    int rc = step_done(r, st, err, errn, "cannot record the run");
    sqlite3_finalize(st);
    if (rc)
        return rc;
    *run_id = r->cur_run = sqlite3_last_insert_rowid(r->db);
    return BF_OK;
}

static int prepare_once(bf_results *r, sqlite3_stmt **st, const char *sql, char *err, size_t errn)
{
    if (*st)
        return BF_OK;
    if (sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return bf_results_db_fail(r, err, errn, "cannot prepare");
    return BF_OK;
}

int bf_results_metrics_begin(bf_results *r, int64_t run_id, char *err, size_t errn)
{
    if (!r)
        return BF_EINPUT;
    if (r->in_txn)
        return bf_results_fail(r, BF_ESTATE, err, errn,
                               "results database '%s': a run's metrics are open", r->path);
    r->cur_run = run_id; /* what an abort after a failure here marks (compare begins several) */
    int rc = prepare_once(r, &r->st_metric,
                          "INSERT INTO metrics (run_id, name, value, unit) VALUES (?, ?, ?, ?)",
                          err, errn);
    if (!rc)
        rc = prepare_once(r, &r->st_fault,
                          "INSERT INTO faults (run_id, seq, record, cause, excause, addr, access,"
                          " mode, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          err, errn);
    if (!rc)
        rc = prepare_once(r, &r->st_hazard,
                          "INSERT INTO hazards (run_id, seq, kind, addr, line, chan, transfer,"
                          " dma_record, dma_line, core_record, core_line, text)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          err, errn);
    if (!rc)
        rc = prepare_once(r, &r->st_series,
                          "INSERT INTO series (run_id, series, idx, name, value)"
                          " VALUES (?, ?, ?, ?, ?)",
                          err, errn);
    if (!rc)
        rc = bf_results_exec(r, "BEGIN IMMEDIATE", err, errn, "cannot start writing the metrics");
    if (rc)
        return rc;
    char sql[96];
    int64_t running = 0;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM runs WHERE id = %lld AND status = 'running'",
             (long long)run_id);
    rc = bf_results_query_int(r, sql, &running, err, errn, "cannot read the run");
    if (!rc && !running)
        rc = bf_results_fail(r, BF_ESTATE, err, errn, "results database '%s': no running run %lld",
                             r->path, (long long)run_id);
    if (rc) {
        bf_results_rollback(r);
        return rc;
    }
    r->in_txn = 1;
    r->fault_seq = 0;
    r->hazard_seq = 0;
    return BF_OK;
}

static int not_open(bf_results *r)
{
    return bf_results_fail(r, BF_ESTATE, NULL, 0,
                           "results database '%s': bf_results_metrics_begin not called", r->path);
}

int bf_results_metric(bf_results *r, const char *name, double value, const char *unit)
{
    if (!r || !name)
        return BF_EINPUT;
    if (!r->in_txn)
        return not_open(r);
    sqlite3_stmt *st = r->st_metric;
    sqlite3_bind_int64(st, 1, r->cur_run);
    bind_text(r, st, 2, name);
    bind_real(r, st, 3, value);
    bind_text(r, st, 4, unit);
    return step_done(r, st, NULL, 0, "cannot store a metric");
}

int bf_results_fault(bf_results *r, uint64_t record, const char *cause, int excause, uint32_t addr,
                     const char *access, const char *mode, const char *text)
{
    if (!r)
        return BF_EINPUT;
    if (!r->in_txn)
        return not_open(r);
    sqlite3_stmt *st = r->st_fault;
    sqlite3_bind_int64(st, 1, r->cur_run);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)r->fault_seq);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)record);
    bind_text(r, st, 4, cause);
    sqlite3_bind_int(st, 5, excause);
    sqlite3_bind_int64(st, 6, addr);
    bind_text(r, st, 7, access);
    bind_text(r, st, 8, mode);
    bind_text(r, st, 9, text);
    int rc = step_done(r, st, NULL, 0, "cannot store a fault");
    if (!rc)
        r->fault_seq++;
    return rc;
}

int bf_results_hazard(bf_results *r, const bf_results_hazard_row *h)
{
    if (!r || !h)
        return BF_EINPUT;
    if (!r->in_txn)
        return not_open(r);
    sqlite3_stmt *st = r->st_hazard;
    sqlite3_bind_int64(st, 1, r->cur_run);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)r->hazard_seq);
    bind_text(r, st, 3, h->kind);
    sqlite3_bind_int64(st, 4, h->addr);
    sqlite3_bind_int64(st, 5, h->line);
    if (h->by_dma) {
        sqlite3_bind_int64(st, 6, h->chan);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)h->transfer);
        sqlite3_bind_int64(st, 8, (sqlite3_int64)h->dma_record);
        sqlite3_bind_int64(st, 9, (sqlite3_int64)h->dma_line);
    } else {
        for (int i = 6; i <= 9; i++)
            sqlite3_bind_null(st, i);
    }
    sqlite3_bind_int64(st, 10, (sqlite3_int64)h->core_record);
    sqlite3_bind_int64(st, 11, (sqlite3_int64)h->core_line);
    bind_text(r, st, 12, h->text);
    int rc = step_done(r, st, NULL, 0, "cannot store a hazard");
    if (!rc)
        r->hazard_seq++;
    return rc;
}

int bf_results_series(bf_results *r, const char *series, uint64_t index, const char *name,
                      double value)
{
    if (!r || !series || !name)
        return BF_EINPUT;
    if (!r->in_txn)
        return not_open(r);
    sqlite3_stmt *st = r->st_series;
    sqlite3_bind_int64(st, 1, r->cur_run);
    bind_text(r, st, 2, series);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)index);
    bind_text(r, st, 4, name);
    bind_real(r, st, 5, value);
    return step_done(r, st, NULL, 0, "cannot store a series point");
}

/* UPDATE the current run's end time and status; it must still be running. */
static int set_status(bf_results *r, const char *status, char *err, size_t errn)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db,
                           "UPDATE runs SET end_time = ?, status = ? WHERE id = ?"
                           " AND status = 'running'",
                           -1, &st, NULL) != SQLITE_OK)
        return bf_results_db_fail(r, err, errn, "cannot record the run's status");
    char now[32];
    now_iso(now);
    bind_text(r, st, 1, now);
    bind_text(r, st, 2, status);
    sqlite3_bind_int64(st, 3, r->cur_run);
    int rc = step_done(r, st, err, errn, "cannot record the run's status");
    sqlite3_finalize(st);
    if (!rc && sqlite3_changes(r->db) != 1)
        rc = bf_results_fail(r, BF_ESTATE, err, errn,
                             "results database '%s': run %lld is not running", r->path,
                             (long long)r->cur_run);
    return rc;
}

int bf_results_workload_hash(bf_results *r, const char *hash_hex, char *err, size_t errn)
{
    if (!r || !hash_hex)
        return BF_EINPUT;
    if (!r->in_txn)
        return not_open(r);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, "UPDATE runs SET workload_hash = ? WHERE id = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return bf_results_db_fail(r, err, errn, "cannot record the workload hash");
    bind_text(r, st, 1, hash_hex);
    sqlite3_bind_int64(st, 2, r->cur_run);
    int rc = step_done(r, st, err, errn, "cannot record the workload hash");
    sqlite3_finalize(st);
    return rc;
}

int bf_results_commit(bf_results *r, const char *status, char *err, size_t errn)
{
    if (!r)
        return BF_EINPUT;
    if (!r->in_txn)
        return bf_results_fail(r, BF_ESTATE, err, errn,
                               "results database '%s': bf_results_metrics_begin not called",
                               r->path);
    if (!valid_status(status))
        return bf_results_fail(r, BF_EINPUT, err, errn,
                               "results database '%s': invalid run status '%s'", r->path,
                               status ? status : "(null)");
    int rc = set_status(r, status, err, errn);
    if (!rc)
        rc = bf_results_exec(r, "COMMIT", err, errn, "cannot commit the run's metrics");
    if (rc)
        bf_results_rollback(r);
    r->in_txn = 0;
    return rc;
}

int bf_results_abort(bf_results *r, const char *status)
{
    if (!r)
        return BF_EINPUT;
    if (!valid_status(status))
        return bf_results_fail(r, BF_EINPUT, NULL, 0,
                               "results database '%s': invalid run status '%s'", r->path,
                               status ? status : "(null)");
    if (r->in_txn)
        bf_results_rollback(r);
    r->in_txn = 0;
    if (!r->cur_run)
        return bf_results_fail(r, BF_ESTATE, NULL, 0, "results database '%s': no run to abort",
                               r->path);
    return set_status(r, status, NULL, 0);
}

int bf_results_abort_run(bf_results *r, int64_t run_id, const char *status)
{
    if (!r)
        return BF_EINPUT;
    if (r->in_txn)
        bf_results_rollback(r);
    r->in_txn = 0;
    r->cur_run = run_id;
    return bf_results_abort(r, status);
}
