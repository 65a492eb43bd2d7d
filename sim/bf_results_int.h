/*
** bf_results_int.h: what the parts of the results store share (bf_results.c opens and migrates,
** bf_results_record.c records a run, bf_results_export.c reads back): the handle and the error
** helpers. Not for use outside those files.
**
** Errors: every failure is formatted once into r->msg (and copied to err when given) and returns
** its bf_rc; SQLite failures go through bf_results_db_fail, which names the common cases plainly.
*/
#ifndef BF_RESULTS_INT_H
#define BF_RESULTS_INT_H

#include <sqlite3.h>
#include <stdio.h>
#include <time.h>

#include "bf_common.h"
#include "bf_hmem.h"
#include "bf_results.h"

struct bf_results {
    sqlite3 *db;
    char *path;
    char msg[512];       /* last error message */
    int64_t cur_run;     /* run of the last begin / metrics_begin, 0 if none */
    int in_txn;          /* 1 between metrics_begin and commit/abort */
    int bind_rc;         /* first failed sqlite3_bind_* since the last step_done, or 0 */
    uint64_t fault_seq;  /* next faults.seq of cur_run */
    uint64_t hazard_seq; /* next hazards.seq of cur_run */
    sqlite3_stmt *st_metric, *st_fault, *st_series, *st_hazard;
    int busy_ms;                /* lock wait bound, milliseconds */
    struct timespec wait_start; /* when the current lock wait began */
    int wait_noted;             /* on_wait called for the current wait */
    bf_results_open_opts opts;
    int schema; /* user_version after open */
};

/* Formats the message into r->msg and err; returns rc. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
int bf_results_fail(bf_results *r, int rc, char *err, size_t errn, const char *fmt, ...);
/* An SQLite failure while doing `what` (out of memory, locked, not a database named plainly). */
int bf_results_db_fail(bf_results *r, char *err, size_t errn, const char *what);
/* sqlite3_exec of sql, failing as bf_results_db_fail. */
int bf_results_exec(bf_results *r, const char *sql, char *err, size_t errn, const char *what);
/* A one-row integer query ("PRAGMA user_version"). */
int bf_results_query_int(bf_results *r, const char *sql, int64_t *v, char *err, size_t errn,
                         const char *what);
/* Rolls back the open transaction, if any. */
void bf_results_rollback(bf_results *r);

#endif
