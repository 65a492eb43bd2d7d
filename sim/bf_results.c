/*
** bf_results.c: the SQLite results store (see bf_results.h).
**
** What it keeps: one row per bfsim run (who ran what, on which machine config and workload, with
** their content hashes, when, and how it ended), the run's metrics, its fault reports and its time
** series, so that runs made at different times or in parallel can be listed, compared and
** exported.
**
** Assumptions:
**   1. Several bfsim processes may write the same database at once; each holds the write lock only
**      while it writes (WAL mode: readers never block, one writer at a time, others wait up to the
**      busy timeout and then fail with a clear "locked" message).
**   2. Metric values are doubles; counters stay exact up to 2^53.
**   3. A handle is used by one thread.
**
** Algorithm.
**   Open: check the path and its directory ourselves (SQLite only says "unable to open database
**   file"), open, read application_id and user_version *before* writing anything (so a foreign,
**   corrupt or newer file is refused and left as it was), switch to WAL, then apply the missing
**   steps of k_migrations in one BEGIN IMMEDIATE transaction, re-reading user_version inside it
**   because another process may have migrated meanwhile.
**   Record: begin (runs row, autocommit) -> metrics_begin (BEGIN IMMEDIATE) -> metric/fault/series
**   (prepared statements reused) -> commit (UPDATE runs status and end time, COMMIT) or abort
**   (ROLLBACK, then UPDATE runs in its own transaction).
**
** Invariant: a runs row has status 'ok' or 'fault' only if its metrics, faults and series were
** committed in the same transaction as that status; 'failed' and 'interrupted' runs have none.
*/
#define _POSIX_C_SOURCE 200809L

#include "bf_results.h"
#include "bf_json.h"

#include "bf_hmem.h"
#include "bf_common.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct bf_results {
    sqlite3 *db;
    char *path;
    char msg[512];      /* last error message */
    int64_t cur_run;    /* run of the last begin / metrics_begin, 0 if none */
    int in_txn;         /* 1 between metrics_begin and commit/abort */
    int bind_rc;        /* first failed sqlite3_bind_* since the last step_done, or 0 */
    uint64_t fault_seq; /* next faults.seq of cur_run */
    uint64_t hazard_seq; /* next hazards.seq of cur_run */
    sqlite3_stmt *st_metric, *st_fault, *st_series, *st_hazard;
    int busy_ms;                  /* lock wait bound, milliseconds */
    struct timespec wait_start;   /* when the current lock wait began */
    int wait_noted;               /* on_wait called for the current wait */
    bf_results_open_opts opts;
    int schema;                   /* user_version after open */
};

/* 2 -> 3: regressions (bf_regdb.c). Every run gets a random 128-bit run_key (existing ones now,
** new ones by the trigger, so bf_results_begin need not know), unique across databases so that
** `results merge` is idempotent; a regression groups the runs of one `bfsim regress`. */
static const char k_migration_regressions[] =
    "ALTER TABLE runs ADD COLUMN run_key TEXT;"
    "UPDATE runs SET run_key = lower(hex(randomblob(16)));"
    "CREATE UNIQUE INDEX runs_run_key ON runs(run_key);"
    "CREATE TRIGGER runs_run_key AFTER INSERT ON runs FOR EACH ROW WHEN NEW.run_key IS NULL"
    " BEGIN UPDATE runs SET run_key = lower(hex(randomblob(16))) WHERE id = NEW.id; END;"
    "CREATE TABLE regressions ("
    " id INTEGER PRIMARY KEY,"
    " reg_key TEXT NOT NULL UNIQUE,"
    " suite_name TEXT NOT NULL, suite_hash TEXT, git_rev TEXT, version TEXT, host TEXT,"
    " command_line TEXT, shard TEXT,"
    " start_time TEXT NOT NULL, end_time TEXT,"
    " status TEXT NOT NULL CHECK (status IN ('running','passed','failed','interrupted')),"
    " jobs INTEGER, ran INTEGER, failed INTEGER, moved INTEGER);"
    "CREATE TABLE regression_jobs ("
    " regression_id INTEGER NOT NULL REFERENCES regressions(id) ON DELETE CASCADE,"
    " job TEXT NOT NULL,"
    " run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,"
    " status TEXT NOT NULL, message TEXT,"
    " PRIMARY KEY (regression_id, job));"
    "CREATE INDEX regressions_suite ON regressions(suite_name);"
    "CREATE INDEX regression_jobs_run ON regression_jobs(run_id);";

/* 3 -> 4: what a regression was compared with (bf_regdb_store_moves): the baseline file's path
** and, per moved statistic, baseline and now with the relative change and the tolerance, so that
** `bfsim report --regression ID` can draw the regression without the baseline file. */
static const char k_migration_regression_moves[] =
    "ALTER TABLE regressions ADD COLUMN baseline TEXT;"
    "CREATE TABLE regression_moves ("
    " regression_id INTEGER NOT NULL REFERENCES regressions(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL,"
    " job TEXT NOT NULL, stat TEXT NOT NULL,"
    " baseline REAL, baseline_text TEXT, now REAL, now_text TEXT,"
    " change REAL, tolerance REAL,"
    " PRIMARY KEY (regression_id, seq));";

/* Forward migrations: step i brings the schema from version i to i + 1. Never edit a step that
** has been released; add one. */
static const char *const k_migrations[BF_RESULTS_SCHEMA_VERSION] = {
    /* 0 -> 1: runs and their metrics. */
    "CREATE TABLE runs ("
    " id INTEGER PRIMARY KEY,"
    " start_time TEXT NOT NULL,"
    " end_time TEXT,"
    " status TEXT NOT NULL CHECK (status IN ('running','ok','fault','failed','interrupted')),"
    " version TEXT, git_rev TEXT, command_line TEXT, command TEXT, config_name TEXT,"
    " config_text TEXT, config_hash TEXT, workload_path TEXT, workload_hash TEXT, engine TEXT,"
    " host TEXT);"
    "CREATE TABLE metrics ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL,"
    " value REAL,"
    " unit TEXT,"
    " PRIMARY KEY (run_id, name));",
    /* 1 -> 2: fault reports and time series of a run; indexes to find runs of one config or
    ** workload and to compare one metric across runs. */
    "CREATE TABLE faults ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL,"
    " record INTEGER, cause TEXT, excause INTEGER, addr INTEGER, access TEXT, mode TEXT,"
    " text TEXT,"
    " PRIMARY KEY (run_id, seq));"
    "CREATE TABLE series ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " series TEXT NOT NULL,"
    " idx INTEGER NOT NULL,"
    " name TEXT NOT NULL,"
    " value REAL,"
    " PRIMARY KEY (run_id, series, idx, name));"
    "CREATE INDEX runs_config_hash ON runs(config_hash);"
    "CREATE INDEX runs_workload_hash ON runs(workload_hash);"
    "CREATE INDEX metrics_name ON metrics(name);",
    /* 2 -> 3 */
    k_migration_regressions,
    /* 3 -> 4 */
    k_migration_regression_moves,
    /* 4 -> 5: the process id of a run, so that a 'running' row whose process is gone (kill -9,
    ** SIGHUP, a lock that outlived it) is shown as 'abandoned'. */
    "ALTER TABLE runs ADD COLUMN pid INTEGER;",
    /* 5 -> 6: DMA/cache coherency hazard reports (docs/dma-coherency.md): both sides' records and
    ** trace lines. */
    "CREATE TABLE hazards ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL,"
    " kind TEXT NOT NULL, addr INTEGER, line INTEGER, chan INTEGER, transfer INTEGER,"
    " dma_record INTEGER, dma_line INTEGER, core_record INTEGER, core_line INTEGER,"
    " text TEXT,"
    " PRIMARY KEY (run_id, seq));",
};

/* What list, show and export read: runs with the status 'abandoned' for a running row whose
** process (on this host) no longer exists. A TEMP view, so the file itself is not changed. */
static const char k_runs_view[] =
    "CREATE TEMP VIEW runs_shown AS SELECT id, start_time, end_time,"
    " CASE WHEN status = 'running' AND bf_run_gone(host, pid) THEN 'abandoned' ELSE status END"
    " AS status, version, git_rev, command_line, command, config_name, config_text, config_hash,"
    " workload_path, workload_hash, engine, host, pid FROM main.runs";
static const char k_runs_view_v2[] = "CREATE TEMP VIEW runs_shown AS SELECT *, NULL AS pid FROM main.runs";

static const char *const k_status[] = {"ok", "fault", "failed", "interrupted"};

static void copy_err(const bf_results *r, char *err, size_t errn)
{
    if (err && errn)
        snprintf(err, errn, "%s", r->msg);
}

/* SQLite's memory comes from bf_hmem too (SQLITE_CONFIG_MALLOC), so that the test hooks of
** bf_hmem.h fail SQLite's allocations (counted apart from ours). xSize may exceed the size asked for. */
static void *sq_malloc(int n) { return bf_lib_malloc((size_t)n); }
static void sq_free(void *p) { free(p); }
static void *sq_realloc(void *p, int n) { return bf_lib_realloc(p, (size_t)n); }
static int sq_size(void *p) { return p ? (int)malloc_usable_size(p) : 0; }
static int sq_roundup(int n) { return (n + 7) & ~7; }
static int sq_init(void *app) { (void)app; return SQLITE_OK; }
static void sq_shutdown(void *app) { (void)app; }

void bf_results_use_host_allocator(void)
{
    static const sqlite3_mem_methods m = {sq_malloc, sq_free,  sq_realloc, sq_size,
                                          sq_roundup, sq_init, sq_shutdown, NULL};
    sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

static int fail(bf_results *r, int rc, char *err, size_t errn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof r->msg, fmt, ap);
    va_end(ap);
    copy_err(r, err, errn);
    return rc;
}

/* An SQLite failure while doing `what`, with the three cases users meet named plainly. */
static int db_fail(bf_results *r, char *err, size_t errn, const char *what)
{
    int code = sqlite3_extended_errcode(r->db) & 0xff;
    if (code == SQLITE_NOMEM)
        return fail(r, BF_ENOMEM, err, errn, "results database '%s': %s: out of host memory (SQLite)",
                    r->path, what);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return fail(r, BF_EDB, err, errn,
                    "results database '%s': database is locked (another bfsim process?)", r->path);
    if (code == SQLITE_NOTADB)
        return fail(r, BF_EDB, err, errn, "results database '%s': file is not a database", r->path);
    if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_IOERR) {
        int e = sqlite3_system_errno(r->db);
        return fail(r, BF_EDB, err, errn, "results database '%s': %s: %s%s%s%s", r->path, what,
                    sqlite3_errmsg(r->db), e ? " (" : "", e ? strerror(e) : "", e ? ")" : "");
    }
    return fail(r, BF_EDB, err, errn, "results database '%s': %s: %s", r->path, what,
                sqlite3_errmsg(r->db));
}

static int exec(bf_results *r, const char *sql, char *err, size_t errn, const char *what)
{
    if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(r, err, errn, what);
    return BF_OK;
}

/* A one-row integer query ("PRAGMA user_version"). */
static int query_int(bf_results *r, const char *sql, int64_t *v, char *err, size_t errn,
                     const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *v = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        }
    }
    if (rc != SQLITE_OK) {
        int out = db_fail(r, err, errn, what);
        sqlite3_finalize(st);
        return out;
    }
    sqlite3_finalize(st);
    return BF_OK;
}

static void rollback(bf_results *r)
{
    if (!sqlite3_get_autocommit(r->db))
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
}

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

/* The directory part of path ("." for a bare name, "/" for "/x"). Caller frees. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *d = bf_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, !slash ? "." : path, n);
    d[n] = '\0';
    return d;
}

/* Checks SQLite cannot explain well: the file and its directory. */
static int check_path(bf_results *r, int create, char *err, size_t errn)
{
    struct stat st;
    int exists = stat(r->path, &st) == 0;
    if (!exists && errno != ENOENT)
        return fail(r, BF_EIO, err, errn, "results database '%s': %s", r->path, strerror(errno));
    if (exists && S_ISDIR(st.st_mode))
        return fail(r, BF_EIO, err, errn, "results database '%s' is a directory", r->path);
    if (!exists && !create)
        return fail(r, BF_EIO, err, errn, "results database '%s' does not exist", r->path);
    char *dir = dir_of(r->path);
    if (!dir)
        return fail(r, BF_ENOMEM, err, errn, "results database '%s': out of host memory", r->path);
    int rc = BF_OK;
    if (stat(dir, &st) != 0)
        rc = fail(r, BF_EIO, err, errn, "results database '%s': directory '%s' %s", r->path, dir,
                  errno == ENOENT ? "does not exist" : strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        rc = fail(r, BF_EIO, err, errn, "results database '%s': '%s' is not a directory", r->path,
                  dir);
    else if (access(dir, W_OK | X_OK) != 0) /* WAL needs the -wal and -shm files beside it */
        rc = fail(r, BF_EIO, err, errn, "results database '%s': directory '%s' is not writable: %s",
                  r->path, dir, strerror(errno));
    else if (exists && access(r->path, R_OK) != 0)
        rc = fail(r, BF_EIO, err, errn, "results database '%s' is not readable: %s", r->path,
                  strerror(errno));
    else if (exists && access(r->path, W_OK) != 0)
        rc = fail(r, BF_EIO, err, errn, "results database '%s' is not writable: %s", r->path,
                  strerror(errno));
    free(dir);
    return rc;
}

/* Wait for another process's lock: poll every 10 ms up to busy_ms, give up at once when the
** stop flag is set (SIGINT), tell the caller once after a second of waiting. */
static int busy_wait(void *arg, int count)
{
    bf_results *r = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (count == 0) {
        r->wait_start = now;
        r->wait_noted = 0;
    }
    if (r->opts.stop && *r->opts.stop)
        return 0;
    long ms = (long)(now.tv_sec - r->wait_start.tv_sec) * 1000 +
              (now.tv_nsec - r->wait_start.tv_nsec) / 1000000;
    if (ms >= r->busy_ms)
        return 0;
    if (ms >= 1000 && !r->wait_noted && r->opts.on_wait) {
        r->wait_noted = 1;
        r->opts.on_wait(r->path, r->busy_ms);
    }
    struct timespec d = {0, 10 * 1000000};
    nanosleep(&d, NULL);
    return 1;
}

/* Switch to WAL. SQLite answers SQLITE_BUSY here without calling the busy handler when another
** connection holds the lock that the change of journal mode needs (several processes creating
** the same new file at once), so the wait is ours, with the same bound, stop flag and message. */
static int switch_to_wal(bf_results *r, char *err, size_t errn)
{
    int rc, count = 0;
    while ((rc = sqlite3_exec(r->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL)) != SQLITE_OK &&
           (rc & 0xff) == SQLITE_BUSY && busy_wait(r, count++))
        ;
    return rc == SQLITE_OK ? BF_OK : db_fail(r, err, errn, "cannot switch to WAL mode");
}

void bf_results_set_busy_timeout(bf_results *r, int ms)
{
    if (r)
        r->busy_ms = ms > 0 ? ms : BF_RESULTS_BUSY_TIMEOUT_MS;
}

/* bf_run_gone(host, pid): 1 if the run's process was on this host and no longer exists. */
static void run_gone(sqlite3_context *c, int argc, sqlite3_value **v)
{
    (void)argc;
    static char me[256];
    if (!me[0] && gethostname(me, sizeof me - 1) != 0)
        snprintf(me, sizeof me, "unknown");
    const unsigned char *host = sqlite3_value_text(v[0]);
    sqlite3_int64 pid = sqlite3_value_int64(v[1]);
    int gone = host && pid > 0 && strcmp((const char *)host, me) == 0 &&
               kill((pid_t)pid, 0) != 0 && errno == ESRCH;
    sqlite3_result_int(c, gone);
}

/* Bring the schema to `target`; the caller holds the write transaction. */
static int migrate(bf_results *r, int64_t v, int64_t target, char *err, size_t errn)
{
    int rc = BF_OK;
    for (; !rc && v < target; v++) {
        char sql[96];
        rc = exec(r, k_migrations[v], err, errn, "schema migration failed");
        if (!rc && v == 0) {
            snprintf(sql, sizeof sql, "PRAGMA application_id = %d", BF_RESULTS_APPLICATION_ID);
            rc = exec(r, sql, err, errn, "schema migration failed");
        }
        if (!rc) {
            snprintf(sql, sizeof sql, "PRAGMA user_version = %d", (int)(v + 1));
            rc = exec(r, sql, err, errn, "schema migration failed");
        }
    }
    return rc;
}

/* Inside a transaction: is this a bfsim database we can use? Its schema version in *version. */
static int check_file(bf_results *r, int integrity, int64_t *version, char *err, size_t errn)
{
    int64_t appid = 0, tables = 0;
    int rc = query_int(r, "PRAGMA user_version", version, err, errn, "cannot read");
    if (!rc)
        rc = query_int(r, "PRAGMA application_id", &appid, err, errn, "cannot read");
    if (!rc)
        rc = query_int(r, "SELECT count(*) FROM sqlite_master", &tables, err, errn, "cannot read");
    if (rc)
        return rc;
    if ((appid != 0 && appid != BF_RESULTS_APPLICATION_ID) || (appid == 0 && tables > 0))
        return fail(r, BF_EDB, err, errn,
                    "results database '%s': not a bfsim results database (another "
                    "application's SQLite file); choose another --db",
                    r->path);
    if (*version > BF_RESULTS_SCHEMA_VERSION)
        return fail(r, BF_EDB, err, errn,
                    "results database '%s': schema version %lld is newer than this bfsim "
                    "supports (%d); use a newer bfsim or another --db",
                    r->path, (long long)*version, BF_RESULTS_SCHEMA_VERSION);
    if (integrity && tables > 0) {
        /* a page-corrupted file is refused before anything is simulated into it */
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(r->db, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK ||
            sqlite3_step(st) != SQLITE_ROW)
            rc = db_fail(r, err, errn, "integrity check failed");
        else if (strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
            rc = fail(r, BF_EDB, err, errn, "results database '%s' is corrupt: %s", r->path,
                      (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    return rc;
}

static int open_db(bf_results *r, const bf_results_open_opts *opts, char *err, size_t errn)
{
    int64_t target = opts->schema_version ? opts->schema_version : BF_RESULTS_SCHEMA_VERSION;
    if (target < 1 || target > BF_RESULTS_SCHEMA_VERSION)
        return fail(r, BF_EINPUT, err, errn, "results database '%s': no schema version %lld",
                    r->path, (long long)target);
    int rc = check_path(r, opts->create, err, errn);
    if (rc)
        return rc;
    int flags = SQLITE_OPEN_READWRITE | (opts->create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(r->path, &r->db, flags, NULL) != SQLITE_OK) {
        if (!r->db)
            return fail(r, BF_ENOMEM, err, errn, "results database '%s': out of host memory", r->path);
        int e = sqlite3_system_errno(r->db);
        return fail(r, BF_EDB, err, errn, "results database '%s': cannot open: %s%s%s%s", r->path,
                    sqlite3_errmsg(r->db), e ? " (" : "", e ? strerror(e) : "", e ? ")" : "");
    }
    sqlite3_extended_result_codes(r->db, 1);
    r->opts = *opts;
    bf_results_set_busy_timeout(r, opts->busy_timeout_ms);
    sqlite3_busy_handler(r->db, busy_wait, r);
    if (sqlite3_db_readonly(r->db, "main") == 1)
        return fail(r, BF_EIO, err, errn, "results database '%s' is read-only", r->path);
    if (sqlite3_create_function(r->db, "bf_run_gone", 2, SQLITE_UTF8, NULL, run_gone, NULL,
                                NULL) != SQLITE_OK)
        return db_fail(r, err, errn, "cannot configure");

    /* A new (empty) file is switched to WAL before anything else, so that processes creating
    ** it at once never meet the rollback-journal lock upgrade that SQLite refuses without
    ** waiting. Then the checks read one snapshot (BEGIN ... COMMIT), and the creation or
    ** migration is one BEGIN IMMEDIATE transaction (it waits for the lock) that checks again:
    ** another process may have created the schema meanwhile. A file we refuse is left exactly
    ** as it was (nothing is written to a non-empty file before the checks). */
    struct stat fst;
    if ((stat(r->path, &fst) != 0 || fst.st_size == 0) &&
        (rc = switch_to_wal(r, err, errn)))
        return rc;
    int64_t version = 0;
    rc = exec(r, "BEGIN", err, errn, "cannot read");
    if (!rc)
        rc = check_file(r, opts->create, &version, err, errn);
    if (!rc)
        rc = exec(r, "COMMIT", err, errn, "cannot read");
    if (!rc && version < target) {
        rc = exec(r, "BEGIN IMMEDIATE", err, errn, "cannot start the schema migration");
        if (!rc)
            rc = check_file(r, 0, &version, err, errn);
        if (!rc)
            rc = migrate(r, version, target, err, errn);
        if (!rc)
            rc = exec(r, "COMMIT", err, errn, "cannot commit the schema migration");
        if (!rc)
            version = target;
    }
    if (rc) {
        rollback(r);
        return rc;
    }
    r->schema = (int)version;
    rc = exec(r, "PRAGMA foreign_keys = ON", err, errn, "cannot configure");
    if (!rc)
        rc = switch_to_wal(r, err, errn);
    if (!rc)
        rc = exec(r, version >= 5 ? k_runs_view : k_runs_view_v2, err, errn, "cannot configure");
    return rc;
}

int bf_results_open_ex(const char *path, const bf_results_open_opts *opts, bf_results **out,
                       char *err, size_t errn)
{
    static const bf_results_open_opts k_default = {1, BF_RESULTS_BUSY_TIMEOUT_MS, 0, NULL, NULL};
    if (!out)
        return BF_EINPUT;
    *out = NULL;
    if (!path || !*path) {
        if (err && errn)
            snprintf(err, errn, "no results database path");
        return BF_EINPUT;
    }
    bf_results *r = bf_calloc(1, sizeof *r);
    if (r)
        r->path = bf_malloc(strlen(path) + 1);
    if (!r || !r->path) {
        free(r);
        if (err && errn)
            snprintf(err, errn, "results database '%s': out of host memory", path);
        return BF_ENOMEM;
    }
    strcpy(r->path, path);
    int rc = open_db(r, opts ? opts : &k_default, err, errn);
    if (rc) {
        bf_results_close(r);
        return rc;
    }
    *out = r;
    return BF_OK;
}

int bf_results_open(const char *path, int create, bf_results **out, char *err, size_t errn)
{
    bf_results_open_opts o = {create, BF_RESULTS_BUSY_TIMEOUT_MS, 0, NULL, NULL};
    return bf_results_open_ex(path, &o, out, err, errn);
}

void bf_results_close(bf_results *r)
{
    if (!r)
        return;
    if (r->db) {
        rollback(r);
        sqlite3_finalize(r->st_metric);
        sqlite3_finalize(r->st_fault);
        sqlite3_finalize(r->st_hazard);
        sqlite3_finalize(r->st_series);
        sqlite3_close(r->db);
    }
    free(r->path);
    free(r);
}

int bf_results_schema_version(bf_results *r)
{
    int64_t v = -1;
    if (!r || query_int(r, "PRAGMA user_version", &v, NULL, 0, "cannot read"))
        return -1;
    return (int)v;
}

struct sqlite3 *bf_results_sqlite(bf_results *r)
{
    return r ? r->db : NULL;
}

const char *bf_results_path(const bf_results *r)
{
    return r ? r->path : "";
}

const char *bf_results_errmsg(const bf_results *r)
{
    return r ? r->msg : "no results database";
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
            return fail(r, BF_ENOMEM, err, errn, "results database '%s': %s: out of host memory (SQLite)",
                        r->path, what);
        return fail(r, BF_EDB, err, errn, "results database '%s': %s: %s", r->path, what,
                    sqlite3_errstr(bind_rc));
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return db_fail(r, err, errn, what);
    return BF_OK;
}

int bf_results_begin(bf_results *r, const bf_run_info *in, int64_t *run_id, char *err, size_t errn)
{
    if (!r || !in || !run_id)
        return BF_EINPUT;
    if (r->in_txn)
        return fail(r, BF_ESTATE, err, errn, "results database '%s': a run's metrics are open",
                    r->path);
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
        return db_fail(r, err, errn, "cannot record the run");
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
        return db_fail(r, err, errn, "cannot prepare");
    return BF_OK;
}

int bf_results_metrics_begin(bf_results *r, int64_t run_id, char *err, size_t errn)
{
    if (!r)
        return BF_EINPUT;
    if (r->in_txn)
        return fail(r, BF_ESTATE, err, errn, "results database '%s': a run's metrics are open",
                    r->path);
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
        rc = exec(r, "BEGIN IMMEDIATE", err, errn, "cannot start writing the metrics");
    if (rc)
        return rc;
    char sql[96];
    int64_t running = 0;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM runs WHERE id = %lld AND status = 'running'",
             (long long)run_id);
    rc = query_int(r, sql, &running, err, errn, "cannot read the run");
    if (!rc && !running)
        rc = fail(r, BF_ESTATE, err, errn, "results database '%s': no running run %lld", r->path,
                  (long long)run_id);
    if (rc) {
        rollback(r);
        return rc;
    }
    r->in_txn = 1;
    r->cur_run = run_id;
    r->fault_seq = 0;
    r->hazard_seq = 0;
    return BF_OK;
}

static int not_open(bf_results *r)
{
    return fail(r, BF_ESTATE, NULL, 0, "results database '%s': bf_results_metrics_begin not called",
                r->path);
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
        return db_fail(r, err, errn, "cannot record the run's status");
    char now[32];
    now_iso(now);
    bind_text(r, st, 1, now);
    bind_text(r, st, 2, status);
    sqlite3_bind_int64(st, 3, r->cur_run);
    int rc = step_done(r, st, err, errn, "cannot record the run's status");
    sqlite3_finalize(st);
    if (!rc && sqlite3_changes(r->db) != 1)
        rc = fail(r, BF_ESTATE, err, errn, "results database '%s': run %lld is not running",
                  r->path, (long long)r->cur_run);
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
        return db_fail(r, err, errn, "cannot record the workload hash");
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
        return fail(r, BF_ESTATE, err, errn,
                    "results database '%s': bf_results_metrics_begin not called", r->path);
    if (!valid_status(status))
        return fail(r, BF_EINPUT, err, errn, "results database '%s': invalid run status '%s'",
                    r->path, status ? status : "(null)");
    int rc = set_status(r, status, err, errn);
    if (!rc)
        rc = exec(r, "COMMIT", err, errn, "cannot commit the run's metrics");
    if (rc)
        rollback(r);
    r->in_txn = 0;
    return rc;
}

int bf_results_abort(bf_results *r, const char *status)
{
    if (!r)
        return BF_EINPUT;
    if (!valid_status(status))
        return fail(r, BF_EINPUT, NULL, 0, "results database '%s': invalid run status '%s'",
                    r->path, status ? status : "(null)");
    if (r->in_txn)
        rollback(r);
    r->in_txn = 0;
    if (!r->cur_run)
        return fail(r, BF_ESTATE, NULL, 0, "results database '%s': no run to abort", r->path);
    return set_status(r, status, NULL, 0);
}

/* ---- output ---- */

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
    fail(r, BF_EINPUT, err, errn, "invalid format '%s' (expected %s)", format ? format : "(null)",
         allow_text ? "text|csv|json" : "csv|json");
    return -1;
}

/* One column value as JSON. */
static void json_col(FILE *f, sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        fprintf(f, "%lld", (long long)sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT:
        bf_json_num(f, sqlite3_column_double(st, i));
        break;
    case SQLITE_NULL:
        fputs("null", f);
        break;
    default:
        bf_json_str(f, (const char *)sqlite3_column_text(st, i));
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

/* The current row as a JSON object of its columns (skipping column `skip`, -1 for none). */
static void json_row(FILE *f, sqlite3_stmt *st, int skip)
{
    int n = sqlite3_column_count(st), first = 1;
    fputc('{', f);
    for (int i = 0; i < n; i++) {
        if (i == skip)
            continue;
        fputs(first ? "" : ", ", f);
        first = 0;
        bf_json_str(f, sqlite3_column_name(st, i));
        fputs(": ", f);
        json_col(f, st, i);
    }
    fputc('}', f);
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

/* Every row of `sql` (with ?1 bound to id when id >= 0) as CSV with a header, or as a JSON array
** of objects; `indent` prefixes each JSON row. */
static int dump(bf_results *r, FILE *f, const char *sql, int64_t id, int fmt, const char *indent,
                char *err, size_t errn)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(r, err, errn, "cannot read");
    if (id >= 0)
        sqlite3_bind_int64(st, 1, id);
    int rc, rows = 0;
    if (fmt == FMT_CSV)
        csv_header(f, st);
    else
        fputc('[', f);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fmt == FMT_CSV) {
            csv_row(f, st);
        } else {
            fprintf(f, "%s\n%s", rows ? "," : "", indent);
            json_row(f, st, -1);
        }
        rows++;
    }
    if (fmt == FMT_JSON)
        fprintf(f, "%s]", rows ? "\n" : "");
    int out = rc == SQLITE_DONE ? BF_OK : db_fail(r, err, errn, "cannot read");
    sqlite3_finalize(st);
    return out;
}

/* Reads see one snapshot: a run committed meanwhile by another process is all in or all out. */
static int read_begin(bf_results *r, char *err, size_t errn)
{
    if (r->in_txn)
        return fail(r, BF_ESTATE, err, errn, "results database '%s': a run's metrics are open",
                    r->path);
    return exec(r, "BEGIN", err, errn, "cannot read");
}

static int read_end(bf_results *r, int rc)
{
    rollback(r);
    return rc;
}

/* The runs of `sql` (all runs; or with reg_id > 0 regression reg_id's, adding a job column). */
static int list_runs(bf_results *r, FILE *out, const char *format, const char *sql, int64_t reg_id,
                     char *err, size_t errn)
{
    if (!r || !out)
        return BF_EINPUT;
    int fmt = parse_format(r, format, 1, err, errn);
    if (fmt < 0)
        return BF_EINPUT;
    int rc = read_begin(r, err, errn);
    if (rc)
        return rc;
    if (reg_id > 0) {
        char q[96];
        int64_t n = 0;
        snprintf(q, sizeof q, "SELECT count(*) FROM regressions WHERE id = %lld", (long long)reg_id);
        rc = query_int(r, q, &n, err, errn, "cannot read");
        if (!rc && !n)
            rc = fail(r, BF_EINPUT, err, errn, "results database '%s': no regression %lld",
                      r->path, (long long)reg_id);
        if (rc)
            return read_end(r, rc);
    }
    if (fmt != FMT_TEXT) {
        rc = dump(r, out, sql, reg_id > 0 ? reg_id : -1, fmt, "", err, errn);
        if (!rc && fmt == FMT_JSON)
            fputc('\n', out);
        return read_end(r, rc);
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
        return read_end(r, db_fail(r, err, errn, "cannot read"));
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
    rc = rc == SQLITE_DONE ? BF_OK : db_fail(r, err, errn, "cannot read");
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
            return db_fail(r, err, errn, "cannot read");
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
            rc = db_fail(r, err, errn, "cannot read");
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
    if (!r || !out)
        return BF_EINPUT;
    int fmt = parse_format(r, format, 1, err, errn);
    if (fmt < 0)
        return BF_EINPUT;
    int rc = read_begin(r, err, errn);
    if (rc)
        return rc;
    sqlite3_stmt *run = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT * FROM runs_shown WHERE id = ?1", -1, &run, NULL) != SQLITE_OK)
        return read_end(r, db_fail(r, err, errn, "cannot read"));
    sqlite3_bind_int64(run, 1, run_id);
    int s = sqlite3_step(run);
    if (s != SQLITE_ROW) {
        rc = s == SQLITE_DONE ? fail(r, BF_EINPUT, err, errn, "results database '%s': no run %lld",
                                     r->path, (long long)run_id)
                              : db_fail(r, err, errn, "cannot read");
    } else if (fmt == FMT_TEXT) {
        rc = show_text(r, run, out, run_id, err, errn);
    } else if (fmt == FMT_CSV) {
        rc = dump(r, out, k_metrics_sql, run_id, FMT_CSV, "", err, errn);
    } else {
        fputs("{\"run\": ", out);
        json_row(out, run, -1);
        fputs(",\n\"metrics\": ", out);
        rc = dump(r, out, k_metrics_sql, run_id, FMT_JSON, "  ", err, errn);
        if (!rc) {
            fputs(",\n\"faults\": ", out);
            rc = dump(r, out, k_faults_sql, run_id, FMT_JSON, "  ", err, errn);
        }
        if (!rc) {
            fputs(",\n\"hazards\": ", out);
            rc = dump(r, out, k_hazards_sql, run_id, FMT_JSON, "  ", err, errn);
        }
        if (!rc) {
            fputs(",\n\"series\": ", out);
            rc = dump(r, out, k_series_sql, run_id, FMT_JSON, "  ", err, errn);
        }
        fputs("}\n", out);
    }
    sqlite3_finalize(run);
    return read_end(r, rc);
}

int bf_results_export(bf_results *r, FILE *out, const char *format, char *err, size_t errn)
{
    if (!r || !out)
        return BF_EINPUT;
    int fmt = parse_format(r, format, 0, err, errn);
    if (fmt < 0)
        return BF_EINPUT;
    int rc = read_begin(r, err, errn);
    if (rc)
        return rc;
    if (fmt == FMT_CSV)
        return read_end(r,
                        dump(r, out,
                             "SELECT r.id AS run_id, r.start_time, r.end_time, r.status, r.command,"
                             " r.engine, r.version, r.git_rev, r.config_name, r.config_hash,"
                             " r.workload_path, r.workload_hash, r.host, m.name AS metric, m.value,"
                             " m.unit FROM runs_shown r LEFT JOIN metrics m ON m.run_id = r.id"
                             " ORDER BY r.id, m.rowid",
                             -1, FMT_CSV, "", err, errn));
    sqlite3_stmt *run = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT * FROM runs_shown ORDER BY id", -1, &run, NULL) != SQLITE_OK)
        return read_end(r, db_fail(r, err, errn, "cannot read"));
    int s, n = 0;
    fputc('[', out);
    while (!rc && (s = sqlite3_step(run)) == SQLITE_ROW) {
        fprintf(out, "%s\n{\"run\": ", n++ ? "," : "");
        json_row(out, run, -1);
        fputs(",\n \"metrics\": ", out);
        rc = dump(r, out, k_metrics_sql, sqlite3_column_int64(run, 0), FMT_JSON, "  ", err, errn);
        fputc('}', out);
    }
    if (!rc && s != SQLITE_DONE)
        rc = db_fail(r, err, errn, "cannot read");
    fprintf(out, "%s]\n", n ? "\n" : "");
    sqlite3_finalize(run);
    return read_end(r, rc);
}
