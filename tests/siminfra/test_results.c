/*
** test_results.c: the SQLite results store. The database is inspected with plain SQLite
** connections (an oracle independent of bf_results), JSON and CSV exports are checked with
** Python's json and csv modules when a python3 path is given as argv[1].
** Usage: test_siminfra_results [PYTHON3]
*/
#define _POSIX_C_SOURCE 200809L

#include "../bf_test.h"
#include "bf_common.h"
#include "bf_results.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char g_dir[64];       /* this run's scratch directory */
static const char *g_python; /* python3 or NULL */
static char g_path[32][256]; /* files to remove at the end */
static int g_npath;

/* A fresh path in the scratch directory, removed (with -wal/-shm) at the end. */
static const char *scratch(const char *name)
{
    if (g_npath == (int)BF_ARRAY_SIZE(g_path)) {
        fprintf(stderr, "test_results: more than %d scratch files\n", g_npath);
        exit(1);
    }
    snprintf(g_path[g_npath], sizeof g_path[0], "%s/%s", g_dir, name);
    return g_path[g_npath++];
}

static void cleanup(void)
{
    char p[sizeof g_path + 16]; /* GCC bounds g_path[i] by the whole array */
    for (int i = 0; i < g_npath; i++) {
        unlink(g_path[i]);
        snprintf(p, sizeof p, "%s-wal", g_path[i]);
        unlink(p);
        snprintf(p, sizeof p, "%s-shm", g_path[i]);
        unlink(p);
        snprintf(p, sizeof p, "%s-journal", g_path[i]);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/ro", g_dir);
    rmdir(p);
    rmdir(g_dir);
}

/* One integer from a plain SQLite connection (-1 on error). */
static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* One text value from a plain connection, copied into buf ("" on error). */
static const char *raw_text(const char *path, const char *sql, char *buf, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    buf[0] = '\0';
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return buf;
}

static int raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static int contains(const char *hay, const char *needle)
{
    int ok = hay && strstr(hay, needle) != NULL;
    if (!ok)
        fprintf(stderr, "  '%s' does not contain '%s'\n", hay ? hay : "(null)", needle);
    return ok;
}

static const bf_run_info k_info = {.command_line =
                                       "bfsim run --config configs/ezkit-icache.ini --trace t.trc",
                                   .command = "run",
                                   .config_name = "ezkit-icache",
                                   .config_text = "[core]\ncclk_hz = 594000000\n",
                                   .config_hash = "00112233",
                                   .workload_path = "t.trc",
                                   .workload_hash = "44556677",
                                   .engine = "c",
                                   .version = "0.1.0",
                                   .git_rev = "abcdef012345",
                                   .host = "testhost"};

static bf_results *open_short(const char *path, int create, char *err, size_t errn, int *rc)
{
    /* 100 ms busy timeout: the lock tests wait that long instead of 5 s. */
    bf_results_open_opts o = {.create = create, .busy_timeout_ms = 100};
    bf_results *db = NULL;
    *rc = bf_results_open_ex(path, &o, &db, err, errn);
    return db;
}

static void test_create_and_migrate(void)
{
    char err[512], want[700], buf[64];
    int rc;
    const char *path = scratch("create.db");
    bf_results *db = open_short(path, 1, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, 0);
    BF_CHECK(db != NULL);
    BF_CHECK_EQ(bf_results_schema_version(db), BF_RESULTS_SCHEMA_VERSION);
    bf_results_close(db);
    /* Seen from outside: version, application id, WAL, the four tables. */
    BF_CHECK_EQ(raw_int(path, "PRAGMA user_version"), BF_RESULTS_SCHEMA_VERSION);
    BF_CHECK_EQ(raw_int(path, "PRAGMA application_id"), BF_RESULTS_APPLICATION_ID);
    BF_CHECK_STR(raw_text(path, "PRAGMA journal_mode", buf, sizeof buf), "wal");
    BF_CHECK_EQ(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name"
                              " IN ('runs', 'metrics', 'faults', 'series', 'hazards')"),
                5);

    /* Forward migration: a version-1 database (runs and metrics only) holding one run is
    ** brought to the current version (3: faults and series in 2, hazards in 3) on the next open,
    ** and the run survives. */
    const char *old = scratch("v1.db");
    bf_results_open_opts o1 = {.create = 1, .busy_timeout_ms = 100, .schema_version = 1};
    BF_CHECK_EQ(bf_results_open_ex(old, &o1, &db, err, sizeof err), 0);
    BF_CHECK_EQ(bf_results_schema_version(db), 1);
    int64_t id = 0;
    BF_CHECK_EQ(bf_results_begin(db, &k_info, &id, err, sizeof err), 0);
    BF_CHECK_EQ(id, 1);
    bf_results_close(db);
    BF_CHECK_EQ(raw_int(old, "SELECT count(*) FROM sqlite_master WHERE name = 'faults'"), 0);
    db = open_short(old, 0, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, 0);
    bf_results_close(db);
    /* ... through every later step: version 3 adds regressions and gives the run that existed
    ** before a 32-hex-digit run_key; version 4 the stored comparison of a regression
    ** (regressions.baseline, regression_moves); version 5 runs.pid; version 6 the hazards
    ** table */
    BF_CHECK_EQ(raw_int(old, "PRAGMA user_version"), BF_RESULTS_SCHEMA_VERSION);
    BF_CHECK_EQ(raw_int(old, "SELECT count(*) FROM sqlite_master WHERE name = 'regression_moves'"),
                1);
    BF_CHECK_EQ(raw_int(old, "SELECT count(*) FROM pragma_table_info('regressions')"
                             " WHERE name = 'baseline'"),
                1);
    BF_CHECK_EQ(raw_int(old, "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'pid'"),
                1);
    BF_CHECK_EQ(raw_int(old, "SELECT count(*) FROM sqlite_master WHERE name = 'faults'"), 1);
    BF_CHECK_EQ(raw_int(old, "SELECT count(*) FROM sqlite_master WHERE name = 'hazards'"), 1);
    BF_CHECK_EQ(raw_int(old, "SELECT count(*) FROM runs WHERE config_name = 'ezkit-icache'"), 1);
    BF_CHECK_EQ(raw_int(old, "SELECT count(*) FROM sqlite_master WHERE name IN"
                             " ('regressions', 'regression_jobs')"),
                2);
    BF_CHECK_EQ(raw_int(old, "SELECT count(*) FROM runs WHERE length(run_key) = 32"), 1);
    /* a run begun after the migration gets its key from the trigger, distinct from the first */
    db = open_short(old, 0, err, sizeof err, &rc);
    BF_CHECK_EQ(bf_results_begin(db, &k_info, &id, err, sizeof err), 0);
    bf_results_close(db);
    BF_CHECK_EQ(raw_int(old, "SELECT count(DISTINCT run_key) FROM runs WHERE length(run_key) = 32"),
                2);

    /* Without create, a missing file is an error, and nothing is created. */
    const char *missing = scratch("missing.db");
    db = open_short(missing, 0, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, BF_EIO);
    BF_CHECK(db == NULL);
    snprintf(want, sizeof want, "results database '%s' does not exist", missing);
    BF_CHECK_STR(err, want);
    BF_CHECK(access(missing, F_OK) != 0);

    /* A missing directory is named; bf_results does not create directories. */
    char nodir[300];
    snprintf(nodir, sizeof nodir, "%s/nosuchdir/bfsim.db", g_dir);
    db = open_short(nodir, 1, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, BF_EIO);
    snprintf(want, sizeof want, "results database '%s': directory '%s/nosuchdir' does not exist",
             nodir, g_dir);
    BF_CHECK_STR(err, want);

    /* A directory given as the database. */
    db = open_short(g_dir, 1, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, BF_EIO);
    snprintf(want, sizeof want, "results database '%s' is a directory", g_dir);
    BF_CHECK_STR(err, want);
}

static void test_record_and_commit(void)
{
    char err[512], buf[64];
    int rc;
    const char *path = scratch("record.db");
    bf_results *db = open_short(path, 1, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, 0);
    int64_t id = 0;
    time_t before = time(NULL);
    BF_CHECK_EQ(bf_results_begin(db, &k_info, &id, err, sizeof err), 0);
    BF_CHECK_EQ(id, 1);
    /* The runs row is committed at once, status running, start time as UTC ISO 8601. */
    BF_CHECK_STR(raw_text(path, "SELECT status FROM runs WHERE id = 1", buf, sizeof buf),
                 "running");
    raw_text(path, "SELECT start_time FROM runs WHERE id = 1", buf, sizeof buf);
    BF_CHECK_EQ(strlen(buf), 20);
    BF_CHECK(buf[10] == 'T' && buf[19] == 'Z');
    struct tm tm;
    char expect_prefix[16];
    gmtime_r(&before, &tm);
    strftime(expect_prefix, sizeof expect_prefix, "%Y-%m-%d", &tm);
    BF_CHECK(strncmp(buf, expect_prefix, 10) == 0 || before % 86400 > 86390);

    /* Adding outside the transaction is refused. */
    BF_CHECK_EQ(bf_results_metric(db, "core.cycles", 1, "cycles"), BF_ESTATE);
    BF_CHECK_EQ(bf_results_metrics_begin(db, 42, err, sizeof err), BF_ESTATE); /* no such run */
    BF_CHECK_EQ(bf_results_metrics_begin(db, id, err, sizeof err), 0);
    BF_CHECK_EQ(bf_results_metrics_begin(db, id, err, sizeof err), BF_ESTATE); /* already open */
    BF_CHECK_EQ(bf_results_metric(db, "core.cycles", 123456789012.0, "cycles"), 0);
    BF_CHECK_EQ(bf_results_metric(db, "core.records", 1000, "records"), 0);
    BF_CHECK_EQ(bf_results_metric(db, "l1.dcache.hit_rate", 0.1, NULL), 0);
    /* The same name twice in one run is an error (primary key run_id + name). */
    BF_CHECK_EQ(bf_results_metric(db, "core.records", 1, "records"), BF_EDB);
    BF_CHECK(contains(bf_results_errmsg(db), "cannot store a metric"));
    BF_CHECK_EQ(
        bf_results_fault(db, 17, "cplb_miss", 0x26, 0x20001000, "read", "supervisor", "DCPLB miss"),
        0);
    BF_CHECK_EQ(bf_results_fault(db, 99, "misaligned", 0x24, 0xff800001, "write", "user", NULL), 0);
    BF_CHECK_EQ(bf_results_series(db, "alloc", 0, "free_pages", 100), 0);
    BF_CHECK_EQ(bf_results_series(db, "alloc", 1, "free_pages", 90), 0);
    /* Another connection sees none of it before the commit (one transaction). */
    BF_CHECK_EQ(raw_int(path, "SELECT count(*) FROM metrics"), 0);
    BF_CHECK_STR(raw_text(path, "SELECT status FROM runs WHERE id = 1", buf, sizeof buf),
                 "running");
    BF_CHECK_EQ(bf_results_commit(db, "bogus", err, sizeof err), BF_EINPUT);
    BF_CHECK_EQ(bf_results_commit(db, "fault", err, sizeof err), 0);
    /* ... and all of it after. */
    BF_CHECK_EQ(raw_int(path, "SELECT count(*) FROM metrics WHERE run_id = 1"), 3);
    BF_CHECK_EQ(raw_int(path, "SELECT value FROM metrics WHERE name = 'core.cycles'"),
                123456789012LL);
    BF_CHECK_EQ(raw_int(path, "SELECT count(*) FROM faults WHERE run_id = 1"), 2);
    BF_CHECK_EQ(raw_int(path, "SELECT addr FROM faults WHERE seq = 1"), 0xff800001u);
    BF_CHECK_EQ(raw_int(path, "SELECT record FROM faults WHERE seq = 0"), 17);
    BF_CHECK_EQ(raw_int(path, "SELECT count(*) FROM series WHERE run_id = 1"), 2);
    BF_CHECK_STR(raw_text(path, "SELECT status FROM runs WHERE id = 1", buf, sizeof buf), "fault");
    BF_CHECK_EQ(raw_int(path, "SELECT end_time IS NOT NULL FROM runs WHERE id = 1"), 1);
    /* A finished run cannot be reopened. */
    BF_CHECK_EQ(bf_results_metrics_begin(db, id, err, sizeof err), BF_ESTATE);
    bf_results_close(db);
}

static void test_abort(void)
{
    char err[512], buf[64];
    int rc;
    const char *path = scratch("abort.db");
    bf_results *db = open_short(path, 1, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, 0);
    int64_t id = 0;
    /* Interrupted in the middle of writing metrics: the two written are rolled back, the status
    ** and end time are recorded. */
    BF_CHECK_EQ(bf_results_begin(db, &k_info, &id, err, sizeof err), 0);
    BF_CHECK_EQ(bf_results_metrics_begin(db, id, err, sizeof err), 0);
    BF_CHECK_EQ(bf_results_metric(db, "core.cycles", 10, "cycles"), 0);
    BF_CHECK_EQ(bf_results_metric(db, "core.records", 5, "records"), 0);
    BF_CHECK_EQ(bf_results_fault(db, 1, "x", 0, 0, NULL, NULL, NULL), 0);
    BF_CHECK_EQ(bf_results_abort(db, "nonsense"), BF_EINPUT);
    BF_CHECK_EQ(bf_results_abort(db, "interrupted"), 0);
    BF_CHECK_EQ(raw_int(path, "SELECT count(*) FROM metrics"), 0);
    BF_CHECK_EQ(raw_int(path, "SELECT count(*) FROM faults"), 0);
    BF_CHECK_STR(raw_text(path, "SELECT status FROM runs WHERE id = 1", buf, sizeof buf),
                 "interrupted");
    BF_CHECK_EQ(raw_int(path, "SELECT end_time IS NOT NULL FROM runs WHERE id = 1"), 1);
    /* Nothing open any more: commit is refused, and the run cannot be aborted twice. */
    BF_CHECK_EQ(bf_results_commit(db, "ok", err, sizeof err), BF_ESTATE);
    BF_CHECK_EQ(bf_results_abort(db, "failed"), BF_ESTATE);
    BF_CHECK_STR(raw_text(path, "SELECT status FROM runs WHERE id = 1", buf, sizeof buf),
                 "interrupted");

    /* Failed before any metric was written (e.g. the trace did not open). */
    BF_CHECK_EQ(bf_results_begin(db, &k_info, &id, err, sizeof err), 0);
    BF_CHECK_EQ(id, 2);
    BF_CHECK_EQ(bf_results_abort(db, "failed"), 0);
    BF_CHECK_STR(raw_text(path, "SELECT status FROM runs WHERE id = 2", buf, sizeof buf), "failed");
    bf_results_close(db);

    /* A process that dies with the transaction open leaves the run 'running' and no metrics:
    ** closing the handle without commit is that case. */
    db = open_short(path, 0, err, sizeof err, &rc);
    BF_CHECK_EQ(bf_results_begin(db, &k_info, &id, err, sizeof err), 0);
    BF_CHECK_EQ(bf_results_metrics_begin(db, id, err, sizeof err), 0);
    BF_CHECK_EQ(bf_results_metric(db, "core.cycles", 10, "cycles"), 0);
    bf_results_close(db);
    BF_CHECK_EQ(raw_int(path, "SELECT count(*) FROM metrics"), 0);
    BF_CHECK_STR(raw_text(path, "SELECT status FROM runs WHERE id = 3", buf, sizeof buf),
                 "running");
}

/* Read a whole file (caller frees); NULL if it cannot. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    *n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    if (buf)
        buf[*n] = '\0';
    fclose(f);
    return buf;
}

static void test_refused_files(void)
{
    char err[512], want[700];
    int rc;
    /* A database written by a newer bfsim (user_version 99) is refused and left as it was. */
    const char *newer = scratch("newer.db");
    bf_results *db = open_short(newer, 1, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, 0);
    bf_results_close(db);
    BF_CHECK_EQ(raw_exec(newer, "PRAGMA user_version = 99"), SQLITE_OK);
    db = open_short(newer, 0, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, BF_EDB);
    BF_CHECK(db == NULL);
    snprintf(want, sizeof want,
             "results database '%s': schema version 99 is newer than this bfsim supports (%d); "
             "use a newer bfsim or another --db",
             newer, BF_RESULTS_SCHEMA_VERSION);
    BF_CHECK_STR(err, want);
    BF_CHECK_EQ(raw_int(newer, "PRAGMA user_version"), 99);

    /* A text file: SQLite's "file is not a database", with the path; the file is unchanged. */
    const char *text = scratch("notes.db");
    FILE *f = fopen(text, "w");
    for (int i = 0; i < 64; i++)
        fputs("this is a text file, not an SQLite database.\n", f);
    fclose(f);
    size_t n0 = 0, n1 = 0;
    char *before = slurp(text, &n0);
    db = open_short(text, 1, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, BF_EDB);
    snprintf(want, sizeof want, "results database '%s': file is not a database", text);
    BF_CHECK_STR(err, want);
    char *after = slurp(text, &n1);
    BF_CHECK(before && after && n0 == n1 && memcmp(before, after, n0) == 0);
    free(before);
    free(after);

    /* Another application's SQLite database (a table, no application id). */
    const char *foreign = scratch("foreign.db");
    BF_CHECK_EQ(raw_exec(foreign, "CREATE TABLE notes (x TEXT)"), SQLITE_OK);
    db = open_short(foreign, 1, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, BF_EDB);
    BF_CHECK(contains(err, "not a bfsim results database"));
    BF_CHECK_EQ(raw_int(foreign, "SELECT count(*) FROM sqlite_master"), 1);
}

static void test_locked(void)
{
    char err[512], want[700];
    int rc;
    /* (a) A WAL database whose write lock another connection holds (BEGIN EXCLUSIVE, as a
    ** concurrent bfsim committing would): recording a run waits 100 ms, then says so. */
    const char *path = scratch("locked.db");
    bf_results *db = open_short(path, 1, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, 0);
    sqlite3 *other = NULL;
    BF_CHECK_EQ(sqlite3_open(path, &other), SQLITE_OK);
    BF_CHECK_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    int64_t id = 0;
    snprintf(want, sizeof want,
             "results database '%s': database is locked (another bfsim process?)", path);
    BF_CHECK_EQ(bf_results_begin(db, &k_info, &id, err, sizeof err), BF_EDB);
    BF_CHECK_STR(err, want);
    BF_CHECK_EQ(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    /* Once released, the same handle works. */
    BF_CHECK_EQ(bf_results_begin(db, &k_info, &id, err, sizeof err), 0);
    /* Locked between begin and the metrics transaction. */
    BF_CHECK_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    BF_CHECK_EQ(bf_results_metrics_begin(db, id, err, sizeof err), BF_EDB);
    BF_CHECK_STR(err, want);
    BF_CHECK_EQ(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    bf_results_close(db);

    /* (b) A rollback-journal database held EXCLUSIVE: even reading the schema version waits, so
    ** the open itself reports the lock and changes nothing. */
    const char *path2 = scratch("locked2.db");
    BF_CHECK_EQ(raw_exec(path2, "PRAGMA user_version = 0"), SQLITE_OK);
    sqlite3_close(other);
    BF_CHECK_EQ(sqlite3_open(path2, &other), SQLITE_OK);
    BF_CHECK_EQ(sqlite3_exec(other,
                             "PRAGMA journal_mode = DELETE; BEGIN EXCLUSIVE;"
                             " CREATE TABLE held (x)",
                             NULL, NULL, NULL),
                SQLITE_OK);
    db = open_short(path2, 1, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, BF_EDB);
    snprintf(want, sizeof want,
             "results database '%s': database is locked (another bfsim process?)", path2);
    BF_CHECK_STR(err, want);
    BF_CHECK_EQ(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    BF_CHECK_EQ(raw_int(path2, "PRAGMA user_version"), 0);
}

/* (c) The lock held by another process: a child opens the database with plain SQLite, takes
** the write lock (BEGIN EXCLUSIVE), says so through a pipe and holds it until told to stop. The
** WAL database can still be opened and read, but recording a run reports the lock. */
static void test_locked_by_process(void)
{
    char err[512], want[700];
    int rc;
    const char *path = scratch("locked3.db");
    bf_results *db = open_short(path, 1, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, 0);
    bf_results_close(db);
    int ready[2], stop[2];
    BF_CHECK_EQ(pipe(ready), 0);
    BF_CHECK_EQ(pipe(stop), 0);
    pid_t pid = fork();
    if (pid == 0) {
        sqlite3 *c = NULL;
        char b = 'n';
        if (sqlite3_open(path, &c) == SQLITE_OK &&
            sqlite3_exec(c, "BEGIN EXCLUSIVE", NULL, NULL, NULL) == SQLITE_OK)
            b = 'y';
        if (write(ready[1], &b, 1) != 1 || read(stop[0], &b, 1) < 0)
            _exit(1);
        sqlite3_close(c);
        _exit(0);
    }
    char b = 0;
    BF_CHECK(pid > 0 && read(ready[0], &b, 1) == 1);
    BF_CHECK_EQ(b, 'y');
    db = open_short(path, 0, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, 0);
    int64_t id = 0;
    BF_CHECK_EQ(bf_results_begin(db, &k_info, &id, err, sizeof err), BF_EDB);
    snprintf(want, sizeof want,
             "results database '%s': database is locked (another bfsim process?)", path);
    BF_CHECK_STR(err, want);
    /* The list still works: WAL readers do not wait for the writer. */
    FILE *devnull = fopen("/dev/null", "w");
    BF_CHECK_EQ(bf_results_list(db, devnull, "text", err, sizeof err), 0);
    fclose(devnull);
    BF_CHECK_EQ(write(stop[1], "x", 1), 1);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    BF_CHECK_EQ(bf_results_begin(db, &k_info, &id, err, sizeof err), 0);
    bf_results_close(db);
    close(ready[0]);
    close(ready[1]);
    close(stop[0]);
    close(stop[1]);
}

/* Run bf_results_open in a child that has dropped root (uid/gid 65534, "nobody"), so that the
** directory permission bits apply; the child sends rc and message through a pipe.
** Returns 0 if the child ran, -1 if privileges could not be dropped. */
static int open_as_nobody(const char *path, int *rc, char *msg, size_t n)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        char err[512] = "";
        int r = -1;
        if (setgid(65534) == 0 && setuid(65534) == 0 && geteuid() == 65534) {
            bf_results *db = NULL;
            r = bf_results_open(path, 1, &db, err, sizeof err);
            bf_results_close(db);
        }
        char out[600];
        int len = snprintf(out, sizeof out, "%d %s", r, err);
        if (write(fds[1], out, (size_t)len) != len)
            _exit(2);
        _exit(0);
    }
    close(fds[1]);
    char out[600];
    ssize_t got = pid > 0 ? read(fds[0], out, sizeof out - 1) : -1;
    close(fds[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    if (got <= 0)
        return -1;
    out[got] = '\0';
    char *sp = strchr(out, ' ');
    *rc = atoi(out);
    snprintf(msg, n, "%s", sp ? sp + 1 : "");
    return *rc == -1 ? -1 : 0;
}

static void test_readonly_directory(void)
{
    char err[512], want[1200];
    int rc;
    /* A results directory the user cannot write. chmod 0555 stops an ordinary user, but these
    ** tests usually run as root, for whom permission bits do not stop writes (CAP_DAC_OVERRIDE).
    ** So as root the open runs in a child that has switched to uid 65534 first; as an ordinary
    ** user it runs here. Both must give the "not writable" message and create nothing. */
    char ro[300], dbpath[400];
    snprintf(ro, sizeof ro, "%s/ro", g_dir);
    BF_CHECK_EQ(mkdir(ro, 0755), 0);
    BF_CHECK_EQ(chmod(g_dir, 0755), 0); /* nobody must be able to reach ro/ */
    BF_CHECK_EQ(chmod(ro, 0555), 0);
    snprintf(dbpath, sizeof dbpath, "%s/bfsim.db", ro);
    snprintf(want, sizeof want,
             "results database '%s': directory '%s' is not writable: Permission denied", dbpath,
             ro);
    if (geteuid() != 0) {
        bf_results *db = open_short(dbpath, 1, err, sizeof err, &rc);
        BF_CHECK_EQ(rc, BF_EIO);
        BF_CHECK(db == NULL);
        BF_CHECK_STR(err, want);
    } else if (open_as_nobody(dbpath, &rc, err, sizeof err) == 0) {
        BF_CHECK_EQ(rc, BF_EIO);
        BF_CHECK_STR(err, want);
    } else {
        fprintf(stderr,
                "note: cannot drop root here; read-only directory checked via /proc only\n");
    }
    BF_CHECK(access(dbpath, F_OK) != 0);
    chmod(ro, 0755);

    /* An unreadable database file (mode 000) in a directory everyone may write: refused before
    ** SQLite touches it. Same root handling as above. */
    char rw[300], unreadable[400];
    snprintf(rw, sizeof rw, "%s/rw", g_dir);
    BF_CHECK_EQ(mkdir(rw, 0777), 0);
    BF_CHECK_EQ(chmod(rw, 0777), 0); /* past the umask */
    snprintf(unreadable, sizeof unreadable, "%s/unreadable.db", rw);
    bf_results *u = open_short(unreadable, 1, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, 0);
    bf_results_close(u);
    BF_CHECK_EQ(chmod(unreadable, 0), 0);
    snprintf(want, sizeof want, "results database '%s' is not readable: Permission denied",
             unreadable);
    if (geteuid() != 0) {
        u = open_short(unreadable, 1, err, sizeof err, &rc);
        BF_CHECK_EQ(rc, BF_EIO);
        BF_CHECK_STR(err, want);
    } else if (open_as_nobody(unreadable, &rc, err, sizeof err) == 0) {
        BF_CHECK_EQ(rc, BF_EIO);
        BF_CHECK_STR(err, want);
    } else {
        fprintf(stderr, "note: cannot drop root here; unreadable database not checked\n");
    }
    chmod(unreadable, 0644);
    BF_CHECK_EQ(raw_int(unreadable, "PRAGMA user_version"), BF_RESULTS_SCHEMA_VERSION);
    char p2[500];
    for (int i = 0; i < 3; i++) {
        snprintf(p2, sizeof p2, "%s%s", unreadable, i == 0 ? "" : i == 1 ? "-wal" : "-shm");
        unlink(p2);
    }
    rmdir(rw);

    /* A directory no user can create files in, root included: /proc (the kernel refuses new
    ** files there whatever the permission bits). Our pre-checks pass for root, so this is the
    ** message that comes from SQLite's failed open, with the path and the system's reason. */
    const char *procdb = "/proc/bfsim-siminfra-test.db";
    bf_results *db = open_short(procdb, 1, err, sizeof err, &rc);
    BF_CHECK(rc == BF_EDB || rc == BF_EIO);
    BF_CHECK(db == NULL);
    BF_CHECK(contains(err, "results database '/proc/bfsim-siminfra-test.db'"));
    BF_CHECK(access(procdb, F_OK) != 0);
}

/* Run a Python one-liner on a file; 1 if it exits 0. Skipped (counted as passed) without
** python3. */
static int python_ok(const char *code, const char *file)
{
    if (!g_python)
        return 1;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' -c '%s' '%s'", g_python, code, file);
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void test_list_show_export(void)
{
    char err[512];
    int rc;
    const char *path = scratch("export.db");
    bf_results *db = open_short(path, 1, err, sizeof err, &rc);
    BF_CHECK_EQ(rc, 0);
    /* Strings that break naive JSON/CSV writers: quotes, backslash, comma, newline, tab, a
    ** control byte, valid UTF-8 (µ) and an invalid byte (0xff). */
    bf_run_info info = k_info;
    info.command_line = "bfsim run --set 'linux.cmdline=\"mem=50M\\x\"', \t\x01 \xc2\xb5 \xff";
    info.config_text = "[linux]\ncmdline = \"mem=50M max_mem=64M$#\"\n";
    int64_t id1 = 0, id2 = 0;
    BF_CHECK_EQ(bf_results_begin(db, &info, &id1, err, sizeof err), 0);
    BF_CHECK_EQ(bf_results_metrics_begin(db, id1, err, sizeof err), 0);
    BF_CHECK_EQ(bf_results_metric(db, "core.cycles", 123456789012.0, "cycles"), 0);
    BF_CHECK_EQ(bf_results_metric(db, "ratio", 0.1, "1"), 0);
    BF_CHECK_EQ(bf_results_metric(db, "undefined", NAN, NULL), 0);
    BF_CHECK_EQ(bf_results_metric(db, "huge", 1e300, "x,\"y\""), 0);
    BF_CHECK_EQ(bf_results_fault(db, 7, "cplb_miss", 0x26, 0x1000, "read", "user", "a \"b\"\n"), 0);
    BF_CHECK_EQ(bf_results_series(db, "phase", 0, "cycles", 5), 0);
    BF_CHECK_EQ(bf_results_commit(db, "ok", err, sizeof err), 0);
    BF_CHECK_EQ(bf_results_begin(db, &k_info, &id2, err, sizeof err), 0);
    BF_CHECK_EQ(bf_results_abort(db, "failed"), 0);

    char out[300];
    snprintf(out, sizeof out, "%s/out.json", g_dir);
    scratch("out.json");
    FILE *f;
    size_t n;
    char *text;

    /* export json: two runs; run 1 has 4 metrics in insertion order, with the NaN as null and
    ** the integer exact; run 2 (failed) has none. */
    f = fopen(out, "w");
    BF_CHECK_EQ(bf_results_export(db, f, "json", err, sizeof err), 0);
    fclose(f);
    BF_CHECK(
        python_ok("import json,sys; d=json.load(open(sys.argv[1], encoding=\"utf-8\"));"
                  " assert len(d)==2, d;"
                  " m=d[0][\"metrics\"]; assert [x[\"name\"] for x in m]=="
                  "[\"core.cycles\",\"ratio\",\"undefined\",\"huge\"], m;"
                  " assert m[0][\"value\"]==123456789012 and m[1][\"value\"]==0.1;"
                  " assert m[2][\"value\"] is None and m[3][\"value\"]==1e300;"
                  " assert d[0][\"run\"][\"command_line\"].endswith(\"\\t\\x01 \\u00b5 \\ufffd\");"
                  " assert d[0][\"run\"][\"config_text\"].endswith(\"$#\\\"\\n\");"
                  " assert d[1][\"run\"][\"status\"]==\"failed\" and d[1][\"metrics\"]==[]",
                  out));
    text = slurp(out, &n);
    BF_CHECK(contains(text, "\\\"mem=50M\\\\x\\\"")); /* \" and \\ escapes */
    BF_CHECK(contains(text, "\\u0001"));
    BF_CHECK(contains(text, "\\ufffd"));
    free(text);

    /* export csv: header plus one row per metric (4) plus one for the run without metrics; every
    ** row has the header's field count once quoted fields are parsed. */
    f = fopen(out, "w");
    BF_CHECK_EQ(bf_results_export(db, f, "csv", err, sizeof err), 0);
    fclose(f);
    BF_CHECK(python_ok("import csv,sys; r=list(csv.reader(open(sys.argv[1], encoding=\"utf-8\","
                       " errors=\"replace\", newline=\"\")));"
                       " assert len(r)==6, r; assert r[0][0]==\"run_id\";"
                       " assert all(len(x)==len(r[0]) for x in r), r;"
                       " assert r[4][-1]==\"x,\\\"y\\\"\", r[4]",
                       out));
    text = slurp(out, &n);
    BF_CHECK(contains(text, "\"x,\"\"y\"\"\"")); /* RFC 4180: quoted, quotes doubled */
    free(text);

    /* list: text has a header and one line per run; json is an array of two objects. */
    f = fopen(out, "w");
    BF_CHECK_EQ(bf_results_list(db, f, "text", err, sizeof err), 0);
    fclose(f);
    text = slurp(out, &n);
    BF_CHECK(contains(text, "status"));
    BF_CHECK(contains(text, "ezkit-icache"));
    BF_CHECK(contains(text, " ok "));
    BF_CHECK(contains(text, " failed "));
    free(text);
    f = fopen(out, "w");
    BF_CHECK_EQ(bf_results_list(db, f, "json", err, sizeof err), 0);
    fclose(f);
    BF_CHECK(python_ok("import json,sys; d=json.load(open(sys.argv[1], encoding=\"utf-8\"));"
                       " assert [x[\"id\"] for x in d]==[1,2] and d[0][\"metrics\"]==4, d",
                       out));

    /* show: text lists the metrics with units, the fault and the config; json parses and has the
    ** fault text with its quote and newline. */
    f = fopen(out, "w");
    BF_CHECK_EQ(bf_results_show(db, id1, f, "text", err, sizeof err), 0);
    fclose(f);
    text = slurp(out, &n);
    BF_CHECK(contains(text, "core.cycles"));
    BF_CHECK(contains(text, "123456789012 cycles"));
    BF_CHECK(
        contains(text, "record 7: cplb_miss (EXCAUSE 0x26) at 0x00001000, read, user: a \"b\"\n"));
    BF_CHECK(contains(text, "config:\n  [linux]\n"));
    free(text);
    f = fopen(out, "w");
    BF_CHECK_EQ(bf_results_show(db, id1, f, "json", err, sizeof err), 0);
    fclose(f);
    BF_CHECK(python_ok("import json,sys; d=json.load(open(sys.argv[1], encoding=\"utf-8\"));"
                       " assert d[\"run\"][\"id\"]==1 and len(d[\"metrics\"])==4;"
                       " assert d[\"faults\"][0][\"text\"]==\"a \\\"b\\\"\\n\";"
                       " assert d[\"series\"][0][\"value\"]==5",
                       out));

    /* Unknown run and unknown format. */
    f = fopen(out, "w");
    char want[600];
    BF_CHECK_EQ(bf_results_show(db, 99, f, "text", err, sizeof err), BF_EINPUT);
    snprintf(want, sizeof want, "results database '%s': no run 99", path);
    BF_CHECK_STR(err, want);
    BF_CHECK_EQ(bf_results_export(db, f, "text", err, sizeof err), BF_EINPUT);
    BF_CHECK_STR(err, "invalid format 'text' (expected csv|json)");
    fclose(f);
    bf_results_close(db);
}

static void test_csv_str(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    bf_results_csv_str(f, " lead");
    fputc('|', f);
    bf_results_csv_str(f, "a,\"b\"");
    fputc('|', f);
    bf_results_csv_str(f, NULL);
    fputc('|', f);
    bf_results_csv_str(f, "plain");
    fclose(f);
    BF_CHECK_STR(text, "\" lead\"|\"a,\"\"b\"\"\"||plain");
    free(text);
}

int main(int argc, char **argv)
{
    g_python = argc > 1 ? argv[1] : NULL;
    if (!g_python)
        fprintf(stderr, "note: no python3 given: JSON/CSV exports not checked by a parser\n");
    snprintf(g_dir, sizeof g_dir, "/tmp/bf-siminfra-db-XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_create_and_migrate();
    test_record_and_commit();
    test_abort();
    test_refused_files();
    test_locked();
    test_locked_by_process();
    test_readonly_directory();
    test_list_show_export();
    test_csv_str();
    cleanup();
    return bf_test_exit();
}
