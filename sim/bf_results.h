/*
** bf_results.h: the SQLite results store of bfsim (the content hashes it records are SHA-256,
** common/bf_sha256.h).
**
** One database holds many runs. A run is recorded in two steps so that a failed or interrupted
** run never has a partial set of metrics marked complete:
**   1. bf_results_begin inserts the runs row (status 'running', start time) and commits it;
**   2. bf_results_metrics_begin opens a write transaction, bf_results_metric / _fault / _series
**      add rows to it, and bf_results_commit sets the end time and final status in that same
**      transaction. bf_results_abort instead rolls the rows back and records the status (failed,
**      interrupted) in a transaction of its own.
** A run left 'running' is one whose process died without reaching either; list, show and export
** show it as 'abandoned' once its process (runs.pid on this host) no longer exists.
**
** The database uses WAL mode and a busy timeout, so parallel bfsim processes can share it; its
** schema is versioned with PRAGMA user_version and migrated forward on open (a database newer
** than this binary is refused). PRAGMA application_id marks it as a bfsim database.
**
** Times are UTC ISO 8601 ("2026-11-27T09:53:00Z"). Errors return a bf_rc (BF_EIO for files and
** directories, BF_EDB for SQLite, BF_EINPUT for bad arguments) and a message that names the
** database path. Single-threaded use per handle; nothing here is async-signal-safe (a signal
** handler sets a flag, the main loop calls bf_results_abort).
*/
#ifndef BF_RESULTS_H
#define BF_RESULTS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Schema version this binary writes (PRAGMA user_version). */
#define BF_RESULTS_SCHEMA_VERSION 6
/* PRAGMA application_id of a bfsim results database: "BFSM". */
#define BF_RESULTS_APPLICATION_ID 0x4246534D
/* Busy timeout used by bf_results_open, milliseconds. */
#define BF_RESULTS_BUSY_TIMEOUT_MS 5000

typedef struct bf_results bf_results;

typedef struct bf_results_open_opts {
    /* what to open */
    int create;         /* 1: create the file if missing (its directory must exist) */
    int schema_version; /* migrate only up to this version; 0: BF_RESULTS_SCHEMA_VERSION. For
                           tests of the migrations. */
    /* waiting for another process's lock */
    int busy_timeout_ms;         /* wait this long; <= 0: the default */
    volatile sig_atomic_t *stop; /* when set (by a signal handler), stop waiting at once (the
                                    call fails "locked") */
    void (*on_wait)(const char *path, int max_ms); /* called once per wait after 1 s of waiting */
} bf_results_open_opts;

/* Open (and with create, create) a results database. Messages:
**   "results database 'P': directory 'D' does not exist" / "... is not writable: ..."  (BF_EIO)
**   "results database 'P' does not exist"                      (no create; BF_EIO)
**   "results database 'P': file is not a database"             (corrupt or foreign file; BF_EDB)
**   "results database 'P': not a bfsim results database ..."   (another application's SQLite file)
**   "results database 'P': schema version 9 is newer than this bfsim supports (2); ..."
**   "results database 'P': database is locked (another bfsim process?)"
*/
/* Route SQLite's memory through bf_alloc (call once, before any database is opened). */
void bf_results_use_host_allocator(void);

int bf_results_open(const char *path, int create, bf_results **out, char *err, size_t errn);
int bf_results_open_ex(const char *path, const bf_results_open_opts *opts, bf_results **out,
                       char *err, size_t errn);
void bf_results_close(bf_results *db);
/* Change how long to wait for another process's lock (<= 0: the default). */
void bf_results_set_busy_timeout(bf_results *db, int ms);

/* The schema version of the open database (user_version). */
int bf_results_schema_version(bf_results *db);

typedef struct bf_run_info {
    const char *command_line;  /* the whole command line, as typed */
    const char *command;       /* run | compare | alloc */
    const char *config_name;   /* machine name */
    const char *config_text;   /* fully resolved config (INI text) */
    const char *config_hash;   /* bf_hash_text of config_text */
    const char *workload_path; /* trace or allocation workload file */
    const char *workload_hash; /* bf_sha256_file of it */
    const char *engine;        /* "c" or "systemc" */
    const char *version;       /* bfsim version */
    const char *git_rev;       /* git revision of the build */
    const char *host;          /* host name */
} bf_run_info;                 /* any field may be NULL (stored as NULL) */

/* Insert a runs row (status 'running', start time now) and commit it; *run_id is its id. */
int bf_results_begin(bf_results *db, const bf_run_info *info, int64_t *run_id, char *err,
                     size_t errn);

/* Open the write transaction that collects run_id's metrics, faults and series; run_id becomes
** the current run (the one bf_results_abort marks), also when this fails. */
int bf_results_metrics_begin(bf_results *db, int64_t run_id, char *err, size_t errn);
/* Add to the open transaction. Return 0, BF_ESTATE outside bf_results_metrics_begin, BF_EDB
** (message in bf_results_errmsg: a metric name repeated in one run is an error). A non-finite
** value is stored as NULL. unit, access, mode and text may be NULL. */
int bf_results_metric(bf_results *db, const char *name, double value, const char *unit);
/* One DMA/cache coherency hazard of the run (schema 3; by_dma 0 leaves the DMA columns NULL). */
typedef struct bf_results_hazard_row {
    const char *kind; /* "dirty_read", ... */
    uint32_t addr, line;
    int by_dma;
    uint32_t chan;
    uint64_t transfer, dma_record, dma_line, core_record, core_line;
    const char *text;
} bf_results_hazard_row;
int bf_results_hazard(bf_results *db, const bf_results_hazard_row *h);
int bf_results_fault(bf_results *db, uint64_t record, const char *cause, int excause, uint32_t addr,
                     const char *access, const char *mode, const char *text);
int bf_results_series(bf_results *db, const char *series, uint64_t index, const char *name,
                      double value);
/* Record the workload's content hash (known only once it has been read) in the open
** transaction. */
int bf_results_workload_hash(bf_results *db, const char *hash_hex, char *err, size_t errn);
/* Set end time and status (ok | fault | failed | interrupted) and commit everything together.
** On failure everything is rolled back and the run stays 'running'. */
int bf_results_commit(bf_results *db, const char *status, char *err, size_t errn);
/* Roll back the open transaction (if any), then record end time and status (failed |
** interrupted | ok | fault) of the current run (the last begun) in a transaction of its own.
** Message in bf_results_errmsg. */
int bf_results_abort(bf_results *db, const char *status);
/* The same for run_id, begun earlier (compare begins the runs of a pass before it runs them). */
int bf_results_abort_run(bf_results *db, int64_t run_id, const char *status);

/* The SQLite connection, for other sim/ modules: bf_htmlreport reads runs, metrics and series with
** it; bf_regdb keeps the regressions tables and merges databases through it (schema version 3),
** in transactions of its own. Runs, metrics and faults are written only through the calls above. */
struct sqlite3;
struct sqlite3 *bf_results_sqlite(bf_results *db);
/* The database's path as opened. */
const char *bf_results_path(const bf_results *db);

/* The message of the last failed call on db ("" if none). */
const char *bf_results_errmsg(const bf_results *db);

/* Listing and export. Formats: list text|csv|json; show text|csv|json; export csv|json.
** list: one line (row, object) per run, newest last, with its number of metrics.
** show: the run's fields, config text, metrics (in insertion order), faults and series.
** export: every run with its metrics (CSV: one row per metric, long format).
** JSON output is one valid JSON value (strings escaped, invalid UTF-8 replaced by U+FFFD,
** non-finite numbers as null); CSV quotes fields as RFC 4180. Unknown run: BF_EINPUT. */
int bf_results_list(bf_results *db, FILE *out, const char *format, char *err, size_t errn);
/* list restricted to the runs of regression reg_id, with a job column (unknown: BF_EINPUT). */
int bf_results_list_regression(bf_results *db, int64_t reg_id, FILE *out, const char *format,
                               char *err, size_t errn);
int bf_results_show(bf_results *db, int64_t run_id, FILE *out, const char *format, char *err,
                    size_t errn);
int bf_results_export(bf_results *db, FILE *out, const char *format, char *err, size_t errn);

/* One CSV field (quoted when needed; NULL prints nothing). JSON is written by bf_json.h (bf_jw). */
void bf_results_csv_str(FILE *f, const char *s);

#ifdef __cplusplus
}
#endif

#endif
