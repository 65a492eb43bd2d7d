/*
** bf_regdb.h: regressions in the results database, and merging databases (schema version 4).
**
** A regression is one `bfsim regress` (or one shard of it): a `regressions` row (suite name,
** SHA-256 of the suite file, bfsim's git revision, shard, start, end, status, counts) and one
** `regression_jobs` row per job (job id, status, message, and the run it produced). Every run has
** a `run_key` (128 random bits, hex) and every regression a `reg_key`, unique across databases,
** so that merging is idempotent: a run or regression whose key the target already holds is
** skipped. A regression compared with a baseline also keeps the baseline's path and its moved
** statistics (`regression_moves`: baseline, now, relative change, tolerance, worst first), so its
** report can be drawn later without the baseline file; the trend of a statistic is read from the
** runs of the suite's regressions.
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
int bf_regdb_begin(bf_results *db, const bf_regdb_info *in, int64_t *reg_id, char *err,
                   size_t errn);
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
typedef int (*bf_regdb_job_cb)(void *ctx, const char *job, const char *status, const char *message,
                               int64_t run_id);
int bf_regdb_jobs(bf_results *db, const char *suite_name, int64_t reg_id, bf_regdb_job_cb cb,
                  void *ctx, char *err, size_t errn);

/* The metrics of a run, in name order (value NaN for a stored NULL). */
typedef int (*bf_regdb_metric_cb)(void *ctx, const char *name, double value);
int bf_regdb_metrics(bf_results *db, int64_t run_id, bf_regdb_metric_cb cb, void *ctx, char *err,
                     size_t errn);

/* A statistic that moved out of tolerance (or a status that changed, or a stat on one side only). */
typedef struct bf_regdb_move {
    /* which statistic */
    const char *job, *stat;
    int64_t run_id; /* the job's run in this regression (0: none) */
    /* its two sides: a number, or a text */
    double base, now; /* NaN when the side lacks it or holds a text */
    const char *base_text,
        *now_text; /* a status ("ok"), "-" for a side lacking the stat, or NULL */
    /* the comparison */
    double rel; /* (now - base) / |base|; INFINITY when not comparable */
    double tol; /* the stat's tolerance (relative) */
} bf_regdb_move;

/* Record that regression reg_id was compared with `baseline` (a path) and moved moves[0..n)
** (in report order), in one transaction; replaces what was recorded before. */
int bf_regdb_store_moves(bf_results *db, int64_t reg_id, const char *baseline,
                         const bf_regdb_move *moves, size_t n, char *err, size_t errn);

/* A regression's row and recorded moves (bf_regdb_load, freed by bf_regdb_free). */
typedef struct bf_regdb_regression {
    int64_t id;
    char *suite_name, *git_rev, *start_time, *status, *baseline, *shard; /* baseline NULL: none */
    int64_t jobs, ran, failed, moved;
    bf_regdb_move *moves; /* strings owned */
    size_t nmoves;
} bf_regdb_regression;
/* BF_EINPUT (with a message) for an unknown regression id. */
int bf_regdb_load(bf_results *db, int64_t reg_id, bf_regdb_regression *out, char *err, size_t errn);
void bf_regdb_free(bf_regdb_regression *r);

/* The runs of regression reg_id that hold statistics (jobs ok or fault), in job order
** (*ids malloc'd; *n may be 0). */
int bf_regdb_runs(bf_results *db, int64_t reg_id, int64_t **ids, size_t *n, char *err, size_t errn);

/* The trend of one job's statistic over the regressions of a suite, oldest first (by start time,
** then id), up to and including regression `upto` (0: all): cb once per regression whose job
** stored the statistic. */
typedef int (*bf_regdb_trend_cb)(void *ctx, int64_t reg_id, const char *git_rev,
                                 const char *start_time, double value);
int bf_regdb_trend(bf_results *db, const char *suite_name, const char *job, const char *stat,
                   int64_t upto, bf_regdb_trend_cb cb, void *ctx, char *err, size_t errn);

/* The unit stored with statistic `stat` of run run_id ("" when none): *unit is malloc'd. */
int bf_regdb_unit(bf_results *db, int64_t run_id, const char *stat, char **unit, char *err,
                  size_t errn);

#endif
