/*
** bf_results.c: the SQLite results store (see bf_results.h): opening a database, its schema and
** migrations, and the error helpers the other parts share (bf_results_int.h). Recording a run is
** in bf_results_record.c, listing and export in bf_results_export.c.
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
*/
#define _POSIX_C_SOURCE 200809L

#include "bf_results_int.h"

#include "bf_common.h"
#include "bf_hmem.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
static const char k_runs_view_v2[] =
    "CREATE TEMP VIEW runs_shown AS SELECT *, NULL AS pid FROM main.runs";

static void copy_err(const bf_results *r, char *err, size_t errn)
{
    if (err && errn)
        snprintf(err, errn, "%s", r->msg);
}

/* SQLite's memory comes from bf_hmem too (SQLITE_CONFIG_MALLOC), so that the test hooks of
** bf_hmem.h fail SQLite's allocations (counted apart from ours). xSize may exceed the size asked
*for. */
static void *sq_malloc(int n)
{
    return bf_lib_malloc((size_t)n);
}
static void sq_free(void *p)
{
    free(p);
}
static void *sq_realloc(void *p, int n)
{
    return bf_lib_realloc(p, (size_t)n);
}
static int sq_size(void *p)
{
    return p ? (int)malloc_usable_size(p) : 0;
}
static int sq_roundup(int n)
{
    return (n + 7) & ~7;
}
static int sq_init(void *app)
{
    (void)app;
    return SQLITE_OK;
}
static void sq_shutdown(void *app)
{
    (void)app;
}

void bf_results_use_host_allocator(void)
{
    static const sqlite3_mem_methods m = {sq_malloc,  sq_free, sq_realloc,  sq_size,
                                          sq_roundup, sq_init, sq_shutdown, NULL};
    sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

int bf_results_fail(bf_results *r, int rc, char *err, size_t errn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof r->msg, fmt, ap);
    va_end(ap);
    copy_err(r, err, errn);
    return rc;
}

/* An SQLite failure while doing `what`, with the three cases users meet named plainly. */
int bf_results_db_fail(bf_results *r, char *err, size_t errn, const char *what)
{
    int code = sqlite3_extended_errcode(r->db) & 0xff;
    if (code == SQLITE_NOMEM)
        return bf_results_fail(r, BF_ENOMEM, err, errn,
                               "results database '%s': %s: out of host memory (SQLite)", r->path,
                               what);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return bf_results_fail(r, BF_EDB, err, errn,
                               "results database '%s': database is locked (another bfsim process?)",
                               r->path);
    if (code == SQLITE_NOTADB)
        return bf_results_fail(r, BF_EDB, err, errn,
                               "results database '%s': file is not a database", r->path);
    if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_IOERR) {
        int e = sqlite3_system_errno(r->db);
        return bf_results_fail(r, BF_EDB, err, errn, "results database '%s': %s: %s%s%s%s", r->path,
                               what, sqlite3_errmsg(r->db), e ? " (" : "", e ? strerror(e) : "",
                               e ? ")" : "");
    }
    return bf_results_fail(r, BF_EDB, err, errn, "results database '%s': %s: %s", r->path, what,
                           sqlite3_errmsg(r->db));
}

int bf_results_exec(bf_results *r, const char *sql, char *err, size_t errn, const char *what)
{
    if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return bf_results_db_fail(r, err, errn, what);
    return BF_OK;
}

/* A one-row integer query ("PRAGMA user_version"). */
int bf_results_query_int(bf_results *r, const char *sql, int64_t *v, char *err, size_t errn,
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
        int out = bf_results_db_fail(r, err, errn, what);
        sqlite3_finalize(st);
        return out;
    }
    sqlite3_finalize(st);
    return BF_OK;
}

void bf_results_rollback(bf_results *r)
{
    if (!sqlite3_get_autocommit(r->db))
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
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
        return bf_results_fail(r, BF_EIO, err, errn, "results database '%s': %s", r->path,
                               strerror(errno));
    if (exists && S_ISDIR(st.st_mode))
        return bf_results_fail(r, BF_EIO, err, errn, "results database '%s' is a directory",
                               r->path);
    if (!exists && !create)
        return bf_results_fail(r, BF_EIO, err, errn, "results database '%s' does not exist",
                               r->path);
    char *dir = dir_of(r->path);
    if (!dir)
        return bf_results_fail(r, BF_ENOMEM, err, errn, "results database '%s': out of host memory",
                               r->path);
    int rc = BF_OK;
    if (stat(dir, &st) != 0)
        rc = bf_results_fail(r, BF_EIO, err, errn, "results database '%s': directory '%s' %s",
                             r->path, dir, errno == ENOENT ? "does not exist" : strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        rc = bf_results_fail(r, BF_EIO, err, errn, "results database '%s': '%s' is not a directory",
                             r->path, dir);
    else if (access(dir, W_OK | X_OK) != 0) /* WAL needs the -wal and -shm files beside it */
        rc = bf_results_fail(r, BF_EIO, err, errn,
                             "results database '%s': directory '%s' is not writable: %s", r->path,
                             dir, strerror(errno));
    else if (exists && access(r->path, R_OK) != 0)
        rc = bf_results_fail(r, BF_EIO, err, errn, "results database '%s' is not readable: %s",
                             r->path, strerror(errno));
    else if (exists && access(r->path, W_OK) != 0)
        rc = bf_results_fail(r, BF_EIO, err, errn, "results database '%s' is not writable: %s",
                             r->path, strerror(errno));
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
    return rc == SQLITE_OK ? BF_OK : bf_results_db_fail(r, err, errn, "cannot switch to WAL mode");
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
    int gone = host && pid > 0 && strcmp((const char *)host, me) == 0 && kill((pid_t)pid, 0) != 0 &&
               errno == ESRCH;
    sqlite3_result_int(c, gone);
}

/* Bring the schema to `target`; the caller holds the write transaction. */
static int migrate(bf_results *r, int64_t v, int64_t target, char *err, size_t errn)
{
    int rc = BF_OK;
    for (; !rc && v < target; v++) {
        char sql[96];
        rc = bf_results_exec(r, k_migrations[v], err, errn, "schema migration failed");
        if (!rc && v == 0) {
            snprintf(sql, sizeof sql, "PRAGMA application_id = %d", BF_RESULTS_APPLICATION_ID);
            rc = bf_results_exec(r, sql, err, errn, "schema migration failed");
        }
        if (!rc) {
            snprintf(sql, sizeof sql, "PRAGMA user_version = %d", (int)(v + 1));
            rc = bf_results_exec(r, sql, err, errn, "schema migration failed");
        }
    }
    return rc;
}

/* Inside a transaction: is this a bfsim database we can use? Its schema version in *version. */
static int check_file(bf_results *r, int integrity, int64_t *version, char *err, size_t errn)
{
    int64_t appid = 0, tables = 0;
    int rc = bf_results_query_int(r, "PRAGMA user_version", version, err, errn, "cannot read");
    if (!rc)
        rc = bf_results_query_int(r, "PRAGMA application_id", &appid, err, errn, "cannot read");
    if (!rc)
        rc = bf_results_query_int(r, "SELECT count(*) FROM sqlite_master", &tables, err, errn,
                                  "cannot read");
    if (rc)
        return rc;
    if ((appid != 0 && appid != BF_RESULTS_APPLICATION_ID) || (appid == 0 && tables > 0))
        return bf_results_fail(r, BF_EDB, err, errn,
                               "results database '%s': not a bfsim results database (another "
                               "application's SQLite file); choose another --db",
                               r->path);
    if (*version > BF_RESULTS_SCHEMA_VERSION)
        return bf_results_fail(
            r, BF_EDB, err, errn,
            "results database '%s': schema version %lld is newer than this bfsim "
            "supports (%d); use a newer bfsim or another --db",
            r->path, (long long)*version, BF_RESULTS_SCHEMA_VERSION);
    if (integrity && tables > 0) {
        /* a page-corrupted file is refused before anything is simulated into it */
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(r->db, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK ||
            sqlite3_step(st) != SQLITE_ROW)
            rc = bf_results_db_fail(r, err, errn, "integrity check failed");
        else if (strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
            rc = bf_results_fail(r, BF_EDB, err, errn, "results database '%s' is corrupt: %s",
                                 r->path, (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    return rc;
}

static int open_db(bf_results *r, const bf_results_open_opts *opts, char *err, size_t errn)
{
    int64_t target = opts->schema_version ? opts->schema_version : BF_RESULTS_SCHEMA_VERSION;
    if (target < 1 || target > BF_RESULTS_SCHEMA_VERSION)
        return bf_results_fail(r, BF_EINPUT, err, errn,
                               "results database '%s': no schema version %lld", r->path,
                               (long long)target);
    int rc = check_path(r, opts->create, err, errn);
    if (rc)
        return rc;
    int flags = SQLITE_OPEN_READWRITE | (opts->create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(r->path, &r->db, flags, NULL) != SQLITE_OK) {
        if (!r->db)
            return bf_results_fail(r, BF_ENOMEM, err, errn,
                                   "results database '%s': out of host memory", r->path);
        int e = sqlite3_system_errno(r->db);
        return bf_results_fail(r, BF_EDB, err, errn, "results database '%s': cannot open: %s%s%s%s",
                               r->path, sqlite3_errmsg(r->db), e ? " (" : "", e ? strerror(e) : "",
                               e ? ")" : "");
    }
    sqlite3_extended_result_codes(r->db, 1);
    r->opts = *opts;
    bf_results_set_busy_timeout(r, opts->busy_timeout_ms);
    sqlite3_busy_handler(r->db, busy_wait, r);
    if (sqlite3_db_readonly(r->db, "main") == 1)
        return bf_results_fail(r, BF_EIO, err, errn, "results database '%s' is read-only", r->path);
    if (sqlite3_create_function(r->db, "bf_run_gone", 2, SQLITE_UTF8, NULL, run_gone, NULL, NULL) !=
        SQLITE_OK)
        return bf_results_db_fail(r, err, errn, "cannot configure");

    /* A new (empty) file is switched to WAL before anything else, so that processes creating
    ** it at once never meet the rollback-journal lock upgrade that SQLite refuses without
    ** waiting. Then the checks read one snapshot (BEGIN ... COMMIT), and the creation or
    ** migration is one BEGIN IMMEDIATE transaction (it waits for the lock) that checks again:
    ** another process may have created the schema meanwhile. A file we refuse is left exactly
    ** as it was (nothing is written to a non-empty file before the checks). */
    struct stat fst;
    if ((stat(r->path, &fst) != 0 || fst.st_size == 0) && (rc = switch_to_wal(r, err, errn)))
        return rc;
    int64_t version = 0;
    rc = bf_results_exec(r, "BEGIN", err, errn, "cannot read");
    if (!rc)
        rc = check_file(r, opts->create, &version, err, errn);
    if (!rc)
        rc = bf_results_exec(r, "COMMIT", err, errn, "cannot read");
    if (!rc && version < target) {
        rc = bf_results_exec(r, "BEGIN IMMEDIATE", err, errn, "cannot start the schema migration");
        if (!rc)
            rc = check_file(r, 0, &version, err, errn);
        if (!rc)
            rc = migrate(r, version, target, err, errn);
        if (!rc)
            rc = bf_results_exec(r, "COMMIT", err, errn, "cannot commit the schema migration");
        if (!rc)
            version = target;
    }
    if (rc) {
        bf_results_rollback(r);
        return rc;
    }
    r->schema = (int)version;
    rc = bf_results_exec(r, "PRAGMA foreign_keys = ON", err, errn, "cannot configure");
    if (!rc)
        rc = switch_to_wal(r, err, errn);
    if (!rc)
        rc = bf_results_exec(r, version >= 5 ? k_runs_view : k_runs_view_v2, err, errn,
                             "cannot configure");
    return rc;
}

int bf_results_open_ex(const char *path, const bf_results_open_opts *opts, bf_results **out,
                       char *err, size_t errn)
{
    static const bf_results_open_opts k_default = {.create = 1,
                                                   .busy_timeout_ms = BF_RESULTS_BUSY_TIMEOUT_MS};
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
    bf_results_open_opts o = {.create = create, .busy_timeout_ms = BF_RESULTS_BUSY_TIMEOUT_MS};
    return bf_results_open_ex(path, &o, out, err, errn);
}

void bf_results_close(bf_results *r)
{
    if (!r)
        return;
    if (r->db) {
        bf_results_rollback(r);
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
    if (!r || bf_results_query_int(r, "PRAGMA user_version", &v, NULL, 0, "cannot read"))
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
