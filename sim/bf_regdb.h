/*
** bf_regdb.h: regressions in the results database, and merging databases (schema version 3).
**
** A regression is one `bfsim regress` (or one shard of it): a `regressions` row (suite name,
** SHA-256 of the suite file, bfsim's git revision, shard, start, end, status, counts) and one
** `regression_jobs` row per job (job id, status, message, and the run it produced). Every run has
** a `run_key` (128 random bits, hex) and every regression a `reg_key`, unique across databases,
** so that merging is idempotent: a run or regression whose key the target already holds is
** skipped.
**
** Errors return a bf_rc with a message naming the database.
*/
#ifndef BF_REGDB_H
#define BF_REGDB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bf_results.h"

typedef struct bf_regdb_info {
    const char *suite_name, *suite_hash, *git_rev, *version, *host, *command_line;
    const char *shard; /* "K/N" or NULL */
    int64_t jobs;      /* jobs this regression runs */
} bf_regdb_info;

typedef struct bf_regdb_counts {
    int64_t ran, failed, moved; /* jobs ok or fault; jobs failed; stats out of tolerance */
} bf_regdb_counts;

/* Insert a regressions row (status running) and commit it. */
int bf_regdb_begin(bf_results *db, const bf_regdb_info *in, int64_t *reg_id, char *err, size_t errn);
/* Set end time, status (passed | failed | interrupted) and counts. */
int bf_regdb_finish(bf_results *db, int64_t reg_id, const char *status, const bf_regdb_counts *c,
                    char *err, size_t errn);

/* Copy every run of the database file `src` (one job's private database) into db, in one
** transaction, and record it as job `job` of regression reg_id with `status` and `message`
** (NULL for none). A run src left 'running' (its process died) is stored as 'failed' (or as
** 'interrupted' when that is the job's status: its worker was stopped). src
** holding no run records the job with no run. *run_id: the new run's id (0 if none). */
int bf_regdb_add_job(bf_results *db, int64_t reg_id, const char *job, const char *src,
                     const char *status, const char *message, int64_t *run_id, char *err,
                     size_t errn);

/* Merge database `src` into db: the runs and regressions db does not hold yet (by key), with
** their metrics, faults, series and jobs, in one transaction. *added_runs, *added_regs count
** what was copied (0 and 0 when merging the same database again). */
int bf_regdb_merge(bf_results *db, const char *src, int64_t *added_runs, int64_t *added_regs,
                   char *err, size_t errn);

/* The jobs of a suite: regression reg_id's, or with reg_id 0 the newest completed record of each
** job over every regression of that suite name (ok, fault or failed; interrupted ones are
** skipped). Called in job-id order; a non-zero return stops the walk and is returned. */
typedef int (*bf_regdb_job_cb)(void *ctx, const char *job, const char *status,
                               const char *message, int64_t run_id);
int bf_regdb_jobs(bf_results *db, const char *suite_name, int64_t reg_id, bf_regdb_job_cb cb,
                  void *ctx, char *err, size_t errn);

/* The metrics of a run, in name order (value NaN for a stored NULL). */
typedef int (*bf_regdb_metric_cb)(void *ctx, const char *name, double value);
int bf_regdb_metrics(bf_results *db, int64_t run_id, bf_regdb_metric_cb cb, void *ctx, char *err,
                     size_t errn);

#endif
