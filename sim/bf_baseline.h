/*
** bf_baseline.h: a regression baseline, the statistics of every job of a suite as a text file
** of one JSON object per line, sorted so that a change reads as a git diff:
**   {"suite": "bf533-default", "format": "bfsim-baseline 1"}
**   {"job": "ezkit-icache/default.lackey.zst", "stat": "core.cycles", "value": 1234567}
**   {"job": "ezkit-icache/default.lackey.zst", "stat": "status", "value": "ok"}
** The first line names the suite; every other line is one (job, stat) pair, sorted by job then
** stat (bytewise). A value is a number, null (a non-finite statistic) or, for the job's status
** line, a string. The same structure holds the statistics of a run being compared.
*/
#ifndef BF_BASELINE_H
#define BF_BASELINE_H

#include <stddef.h>
#include <stdio.h>

#include "bf_json.h"

#define BF_BASELINE_FORMAT "bfsim-baseline 1"
/* the stat name of a job's status line (ok | fault | failed) */
#define BF_BASELINE_STATUS "status"

typedef struct bf_baseline_entry {
    char *job;
    char *stat;
    double value; /* NaN for null or a text value */
    char *text;   /* the status string, else NULL */
} bf_baseline_entry;

typedef struct bf_baseline {
    char suite[128];
    bf_baseline_entry *v;
    size_t n, cap;
} bf_baseline;

/* Read and sort a baseline file. BF_EIO "cannot open F: reason"; BF_EINPUT "F:LINE: reason"
** for a line that is not one of the objects above, or a (job, stat) pair given twice. */
int bf_baseline_read(const char *path, bf_baseline *b, char *err, size_t errn);
/* The same from an open stream, path naming it in messages (for the fuzz target). */
int bf_baseline_read_stream(FILE *f, const char *path, bf_baseline *b, char *err, size_t errn);
/* Add an entry (text NULL for a number). BF_ENOMEM. */
int bf_baseline_add(bf_baseline *b, const char *job, const char *stat, double value,
                    const char *text);
void bf_baseline_sort(bf_baseline *b);
/* Index of the first entry of job in a sorted baseline, or b->n. */
size_t bf_baseline_job_start(const bf_baseline *b, const char *job);
/* Write sorted b to path through a temporary file renamed over it (never half-written). */
int bf_baseline_write(const char *path, bf_baseline *b, char *err, size_t errn);
/* Write any file that way: fill(f, arg) writes "PATH.tmp" (non-zero: failed), then the rename.
** BF_EIO "cannot write P: reason". */
int bf_baseline_write_file(const char *path, int (*fill)(FILE *f, const void *arg), const void *arg,
                           char *err, size_t errn);
/* A value as JSON: the text as a string, else the number (null when not finite). */
void bf_baseline_json_value(bf_jw *w, double value, const char *text);
void bf_baseline_free(bf_baseline *b);

#endif
