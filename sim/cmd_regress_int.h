/*
** cmd_regress_int.h: what the parts of `bfsim regress` share (cmd_regress.c: the command and
** `results merge`; cmd_regress_jobs.c: running the jobs, reading their statistics back and
** comparing them with the baseline; cmd_regress_report.c: the text, Markdown, JSON, JUnit and
** HTML reports and the baseline update). Not for use outside those files.
*/
#ifndef CMD_REGRESS_INT_H
#define CMD_REGRESS_INT_H

#include <stdio.h>

#include "bf_baseline.h"
#include "bf_progress.h"
#include "bf_regdb.h"
#include "bf_suite.h"

/* The command's name in its messages. */
#define RG_CMD "regress"

typedef struct rg_job {
    const bf_suite_job *sj;
    char status[16]; /* ok | fault | failed | interrupted; "" not run or not in the database */
    char *message;
    int64_t run_id;
    double seconds;
    int nmoved;
} rg_job;

typedef bf_regdb_move rg_move; /* base_text/now_text: status lines, or "-" for a side lacking it */

typedef struct regress {
    /* what runs */
    bf_suite suite;
    rg_job *jobs; /* the selected jobs, in id order */
    size_t njobs;
    int filtered; /* a shard or --only: jobs outside the selection are out of scope */
    /* where the runs are stored */
    bf_results *db;
    int64_t reg_id;
    char db_path[4096];
    char tmpdir[4096];
    /* how the jobs went */
    size_t nran, nfailed;
    int interrupted;
    double seconds;
    /* the comparison with the baseline */
    bf_baseline base, cur;
    int have_base;
    rg_move *moves;
    size_t nmoves, cap_moves;
    char **missing, **added; /* baseline jobs not run; run jobs not in the baseline */
    size_t nmissing, nadded;
} regress;

/* ---- cmd_regress_jobs.c */

/* Monotonic seconds. */
double rg_now_s(void);
/* The selected job with this id (binary search: jobs are in id order), or NULL. */
rg_job *rg_find_job(regress *r, const char *id);
/* Runs every selected job, at most `workers` at once; prog (NULL: none) shows progress. Returns -1
** when every job was handled, else an exit code. */
int rg_run_jobs(regress *r, int workers, bf_progress *prog);
/* Reads every stored job's statistics back into r->cur. */
int rg_collect(regress *r, char *err, size_t errn);
/* Compares r->cur with r->base into r->moves (sorted), r->missing and r->added; BF_OK or BF_ENOMEM. */
int rg_compare(regress *r);

/* ---- cmd_regress_report.c */

void rg_report_text(const regress *r, FILE *f, int code, int markdown);
void rg_report_json(const regress *r, FILE *f, int code);
/* The JUnit XML (a bf_baseline_write_file filler; arg is the regress). */
int rg_fill_junit(FILE *f, const void *arg);
int rg_write_html(regress *r, const char *dir, const char *basef);
int rg_update_baseline(regress *r, const char *path, char *err, size_t errn);

#endif
