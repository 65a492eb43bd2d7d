/*
** cmd_regress.c: `bfsim regress` (a suite of jobs compared with a baseline) and
** `bfsim results merge`: options, job selection, the run's order of steps. Running and comparing
** the jobs is in cmd_regress_jobs.c, the reports in cmd_regress_report.c (cmd_regress_int.h).
**
** How a regression runs:
**   1. The suite (bf_suite) expands to jobs sorted by id; --shard K/N keeps those whose index
**      modulo N is K-1, --only GLOB those whose id matches.
**   2. Each job is this same bfsim binary, fork+exec'd as `bfsim run` or `bfsim alloc` with a
**      private database in a temporary folder: a job gives exactly the statistics those commands
**      give, a job that crashes or faults cannot take the others (or this process) down, and the
**      workers share no lock. At most -j jobs run at once.
**   3. When a job ends, its private database is copied into the results database as one
**      transaction (bf_regdb_add_job) under this regression's row; only this process writes there.
**   4. The statistics are read back from the database and compared with the baseline (the same
**      path serves --from-db, which runs nothing), then reported, and written as JUnit and, with
**      --update-baseline, as the new baseline.
** SIGINT/SIGTERM: no new job starts, the running ones get SIGINT (they record themselves as
** interrupted), finished jobs are kept, the regression is marked interrupted, exit 130.
**
** Comparison rules (docs/regress.md): relative change (now - base) / |base| (infinite when base is
** 0 and now is not, or one side lacks the stat); a stat moves when |change| exceeds its tolerance;
** ignored stats are neither compared nor written to the baseline.
*/
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bf_cmd.h"
#include "bf_hmem.h"
#include "bf_strbuf.h"
#include "cmd_regress_int.h"

/* ---- the command --------------------------------------------------------------------------
     */

static void remove_tmpdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[4400];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(dir);
}

static void regress_free(regress *r)
{
    for (size_t i = 0; i < r->njobs; i++)
        free(r->jobs[i].message);
    free(r->jobs);
    free(r->moves);
    free(r->missing);
    free(r->added);
    bf_baseline_free(&r->base);
    bf_baseline_free(&r->cur);
    bf_suite_free(&r->suite);
    if (r->db)
        bf_results_close(r->db);
    if (r->tmpdir[0])
        remove_tmpdir(r->tmpdir);
}

/* "K/N" with 1 <= K <= N. */
static int parse_shard(const char *s, long *k, long *n)
{
    char *e1, *e2;
    *k = strtol(s, &e1, 10);
    if (e1 == s || *e1 != '/')
        return -1;
    *n = strtol(e1 + 1, &e2, 10);
    if (e2 == e1 + 1 || *e2 || *n < 1 || *k < 1 || *k > *n || *n > 1000000)
        return -1;
    return 0;
}

/* The selection: shard and --only. */
static int select_jobs(regress *r, bf_opts *o, long k, long n)
{
    size_t nonly = bf_opts_count(o, "only");
    r->jobs = bf_calloc(r->suite.njobs ? r->suite.njobs : 1, sizeof *r->jobs);
    if (!r->jobs)
        return BF_ENOMEM;
    for (size_t i = 0; i < r->suite.njobs; i++) {
        if ((long)(i % (size_t)n) != k - 1)
            continue;
        int ok = !nonly;
        for (size_t q = 0; q < nonly && !ok; q++)
            ok = fnmatch(bf_opts_get_at(o, "only", q), r->suite.jobs[i].id, 0) == 0;
        if (ok)
            r->jobs[r->njobs++].sj = &r->suite.jobs[i];
    }
    r->filtered = n > 1 || nonly;
    return 0;
}

int bf_cmd_regress(int argc, char **argv)
{
    bf_opts *o = bf_opts_new(
        RG_CMD,
        "bfsim regress --suite FILE [--baseline FILE] [--update-baseline] [-j N] [--shard K/N] "
        "[--db F | --no-db] [--junit FILE] [--format text|markdown|json] [--from-db F] [--html "
        "DIR] "
        "[--quiet]",
        "Run every job of a regression suite (run jobs: each config on each trace; alloc jobs: "
        "each "
        "allocator on each workload) in parallel worker processes, store them as one regression in "
        "the results database, and compare their statistics with a baseline under the suite's "
        "tolerances. Exit 0: everything ran and nothing moved; 1: a stat moved out of tolerance, a "
        "job failed, is missing or is new; 2: bad usage or input; 130: interrupted. "
        "Suite grammar, tolerances and the baseline workflow: docs/regress.md.",
        "  bfsim regress --suite workloads/suite/regress.ini --baseline "
        "results/baseline/bf533-default.jsonl\n"
        "  bfsim regress --suite S --baseline B --update-baseline\n"
        "  bfsim regress --suite S --baseline B --format markdown --junit regress.xml -j 8\n"
        "  bfsim regress --suite S --shard 2/4 --db shard-2.db   (then: bfsim results merge --into "
        "all.db shard-*.db)\n"
        "  bfsim regress --suite S --from-db all.db --baseline B\n"
        "  bfsim regress --suite S --baseline B --html report/   (the page of docs/report.md)");
    bf_opts_add(o, "suite", BF_OPT_STRING, NULL, "suite file (INI; docs/regress.md)");
    bf_opts_add(o, "baseline", BF_OPT_STRING, NULL, "baseline file (JSON lines) to compare with");
    bf_opts_add(o, "update-baseline", BF_OPT_FLAG, NULL, "write the baseline from this run");
    bf_opts_add(o, "jobs,j", BF_OPT_STRING, NULL,
                "worker processes (default: the number of cores)");
    bf_opts_add(o, "shard", BF_OPT_STRING, NULL,
                "run shard K of N: jobs whose index modulo N is K-1");
    bf_opts_add(o, "only", BF_OPT_MULTI, NULL, "only jobs whose id matches this glob (repeatable)");
    bf_opts_add(o, "db", BF_OPT_STRING, NULL, "results database (default results/bfsim.db)");
    bf_opts_add(o, "no-db", BF_OPT_FLAG, NULL,
                "do not keep the runs (a temporary database is used)");
    bf_opts_add(o, "junit", BF_OPT_STRING, NULL, "write a JUnit XML report to FILE");
    bf_opts_add(o, "format", BF_OPT_STRING, "text", "report format: text|markdown|json");
    bf_opts_add(o, "from-db", BF_OPT_STRING, NULL, "compare what this database holds; run nothing");
    bf_opts_add(o, "html", BF_OPT_STRING, NULL,
                "write DIR/index.html: the report page of the jobs' runs and the regression");
    bf_opts_add(o, "quiet,q", BF_OPT_FLAG, NULL, "no progress line on a terminal");
    regress r;
    memset(&r, 0, sizeof r);
    char err[2048];
    int rc = bf_cmd_parse(o, RG_CMD, argc, argv);
    if (rc >= 0)
        goto out;
    const char *suite = bf_opts_get(o, "suite"), *basef = bf_opts_get(o, "baseline");
    const char *fmt = bf_opts_get(o, "format"), *fromdb = bf_opts_get(o, "from-db");
    int update = bf_opts_has(o, "update-baseline");
    long shk = 1, shn = 1, workers = sysconf(_SC_NPROCESSORS_ONLN);
    if (!suite) {
        rc = bf_cmd_fail(RG_CMD, 2, "%s", "--suite FILE is required");
        goto out;
    }
    if (strcmp(fmt, "text") && strcmp(fmt, "markdown") && strcmp(fmt, "json")) {
        rc = bf_cmd_fail(RG_CMD, 2, "--format: '%s' is not text, markdown or json", fmt);
        goto out;
    }
    if (bf_opts_has(o, "shard") && parse_shard(bf_opts_get(o, "shard"), &shk, &shn)) {
        rc = bf_cmd_fail(RG_CMD, 2, "--shard: '%s' is not K/N with 1 <= K <= N",
                         bf_opts_get(o, "shard"));
        goto out;
    }
    if (bf_opts_has(o, "jobs")) {
        char *e;
        workers = strtol(bf_opts_get(o, "jobs"), &e, 10);
        if (*e || workers < 1 || workers > 1024) {
            rc = bf_cmd_fail(RG_CMD, 2, "-j: '%s' is not a number of workers (1 to 1024)",
                             bf_opts_get(o, "jobs"));
            goto out;
        }
    }
    if (workers < 1)
        workers = 1;
    if (update && !basef) {
        rc = bf_cmd_fail(RG_CMD, 2, "%s", "--update-baseline needs --baseline FILE");
        goto out;
    }
    if (fromdb && (bf_opts_has(o, "db") || bf_opts_has(o, "no-db"))) {
        rc =
            bf_cmd_fail(RG_CMD, 2, "%s", "--from-db reads a database: it takes no --db or --no-db");
        goto out;
    }
    if (bf_opts_has(o, "db") && bf_opts_has(o, "no-db")) {
        rc = bf_cmd_fail(RG_CMD, 2, "%s", "give --db F or --no-db, not both");
        goto out;
    }
    if (bf_suite_load(suite, &r.suite, err, sizeof err)) {
        rc = bf_cmd_fail(RG_CMD, 2, "%s", err);
        goto out;
    }
    if (basef) {
        struct stat sb;
        int exists = stat(basef, &sb) == 0;
        if (!exists && !update) {
            rc = bf_cmd_fail(
                RG_CMD, 2, "baseline %s does not exist (create it with --update-baseline)", basef);
            goto out;
        }
        if (exists) {
            if (bf_baseline_read(basef, &r.base, err, sizeof err)) {
                rc = bf_cmd_fail(RG_CMD, 2, "%s", err);
                goto out;
            }
            if (strcmp(r.base.suite, r.suite.name)) {
                snprintf(err, sizeof err,
                         "%s:1: suite: the baseline is of suite '%s', not '%s' (%s)", basef,
                         r.base.suite, r.suite.name, suite);
                rc = bf_cmd_fail(RG_CMD, 2, "%s", err);
                goto out;
            }
            r.have_base = 1;
        }
    }
    if (select_jobs(&r, o, shk, shn)) {
        rc = bf_cmd_fail(RG_CMD, 2, "%s", "out of host memory (job selection)");
        goto out;
    }
    double t0 = rg_now_s();
    if (fromdb) {
        bf_results_open_opts ro = {.stop = &bf_stop_flag};
        if (bf_results_open_ex(fromdb, &ro, &r.db, err, sizeof err)) {
            rc = bf_cmd_fail(RG_CMD, 2, "%s", err);
            goto out;
        }
        snprintf(r.db_path, sizeof r.db_path, "%s", fromdb);
    } else {
        const char *tmpbase = getenv("TMPDIR");
        snprintf(r.tmpdir, sizeof r.tmpdir, "%s/bfsim-regress-XXXXXX",
                 tmpbase && *tmpbase ? tmpbase : "/tmp");
        if (!mkdtemp(r.tmpdir)) {
            rc = bf_cmd_fail(RG_CMD, 2, "cannot create a temporary folder: %s", strerror(errno));
            r.tmpdir[0] = 0;
            goto out;
        }
        if (bf_opts_has(o, "no-db")) {
            char p[4200];
            snprintf(p, sizeof p, "%s/regress.db", r.tmpdir);
            if (bf_results_open(p, 1, &r.db, err, sizeof err)) {
                rc = bf_cmd_fail(RG_CMD, 2, "%s", err);
                goto out;
            }
        } else {
            if ((rc = bf_cmd_open_db(o, RG_CMD, 1, &r.db)) >= 0)
                goto out;
            snprintf(r.db_path, sizeof r.db_path, "%s",
                     bf_opts_get(o, "db") ? bf_opts_get(o, "db") : "results/bfsim.db");
        }
        char cmdline[4096];
        bf_cmd_line(argc, argv, cmdline, sizeof cmdline);
        bf_run_info ri;
        bf_cmd_run_info(&ri, RG_CMD, cmdline);
        bf_regdb_info gi = {r.suite.name,
                            r.suite.hash,
                            ri.git_rev,
                            ri.version,
                            ri.host,
                            cmdline,
                            bf_opts_get(o, "shard"),
                            (int64_t)r.njobs};
        if (bf_regdb_begin(r.db, &gi, &r.reg_id, err, sizeof err)) {
            rc = bf_cmd_fail(RG_CMD, 2, "%s", err);
            goto out;
        }
        bf_cmd_install_signals();
        char label[160];
        snprintf(label, sizeof label, "regress %s", r.suite.name);
        bf_progress *prog = bf_progress_begin(
            bf_progress_wanted(bf_opts_has(o, "quiet"), !strcmp(fmt, "json")), label, "jobs", 0);
        bf_progress_total_units(prog, r.njobs);
        rc = rg_run_jobs(&r, (int)workers, prog);
        bf_progress_end(prog);
    }
    r.seconds = rg_now_s() - t0;
    if (rc < 0 && rg_collect(&r, err, sizeof err))
        rc = bf_cmd_fail(RG_CMD, 2, "%s", err);
    if (rc < 0 && r.have_base && rg_compare(&r))
        rc = bf_cmd_fail(RG_CMD, 2, "%s", "out of host memory (job selection)");
    int code = rc >= 0 ? rc : 0;
    if (rc < 0) {
        int bad = r.nmoves || r.nmissing || r.nadded;
        for (size_t i = 0; i < r.njobs; i++)
            if (!strcmp(r.jobs[i].status, "failed") || (!r.jobs[i].status[0] && !r.interrupted))
                bad = 1;
        if (update) /* exits 0 when every job ran */
            bad = r.nfailed > 0 || r.nran < r.njobs;
        code = r.interrupted ? 130 : bad ? 1 : 0;
    }
    if (r.reg_id && r.have_base && rc < 0 &&
        bf_regdb_store_moves(r.db, r.reg_id, basef, r.moves, r.nmoves, err, sizeof err))
        rc = code = bf_cmd_fail(RG_CMD, 2, "%s", err);
    if (r.reg_id) {
        bf_regdb_counts cnt = {(int64_t)r.nran, (int64_t)r.nfailed, (int64_t)r.nmoves};
        const char *st = code == 130 ? "interrupted" : code == 0 ? "passed" : "failed";
        if (bf_regdb_finish(r.db, r.reg_id, st, &cnt, err, sizeof err) && rc < 0)
            rc = code = bf_cmd_fail(RG_CMD, 2, "%s", err);
    }
    if (rc >= 0 && code != 130)
        goto out_code;
    if (!strcmp(fmt, "json"))
        rg_report_json(&r, stdout, code);
    else
        rg_report_text(&r, stdout, code, !strcmp(fmt, "markdown"));
    fflush(stdout);
    if (bf_opts_get(o, "junit") &&
        bf_baseline_write_file(bf_opts_get(o, "junit"), rg_fill_junit, &r, err, sizeof err)) {
        code = bf_cmd_fail(RG_CMD, 2, "--junit: %s", err);
        goto out_code;
    }
    if (bf_opts_get(o, "html") && code != 130) {
        int hrc = rg_write_html(&r, bf_opts_get(o, "html"), basef);
        if (hrc >= 0) {
            code = hrc;
            goto out_code;
        }
    }
    if (update && code != 130) {
        if (r.nran < r.njobs) {
            fprintf(stderr, "bfsim regress: baseline %s not updated: %zu of %zu jobs did not run\n",
                    basef, r.njobs - r.nran, r.njobs);
        } else if (rg_update_baseline(&r, basef, err, sizeof err)) {
            code = bf_cmd_fail(RG_CMD, 2, "%s", err);
        } else {
            fprintf(stderr, "bfsim regress: baseline %s written (%zu jobs)\n", basef, r.njobs);
        }
    }
out_code:
    rc = code;
out:
    regress_free(&r);
    bf_opts_free(o);
    return rc;
}

/* ---- bfsim results merge ------------------------------------------------------------------- */

int bf_cmd_results_merge(int argc, char **argv)
{
    const char *cmd = "results merge";
    bf_opts *o =
        bf_opts_new(cmd, "bfsim results merge --into FILE A.db [B.db ...]",
                    "Copy into FILE (created if missing) every run and regression of the "
                    "given databases that it does not hold yet, with their metrics, faults, "
                    "series and jobs, each database in one transaction. Merging the same "
                    "database twice adds nothing; every run keeps a globally unique key.",
                    "  bfsim results merge --into all.db shard-1.db shard-2.db shard-3.db");
    bf_opts_add(o, "into", BF_OPT_STRING, NULL, "the database to merge into");
    bf_opts_positional(o, "dbs", -1);
    int rc = bf_cmd_parse(o, cmd, argc, argv);
    if (rc >= 0)
        goto out;
    const char *into = bf_opts_get(o, "into");
    size_t n = bf_opts_count(o, "dbs");
    if (!into || !n) {
        rc = bf_cmd_fail(cmd, 2, "%s",
                         into ? "give the databases to merge: --into FILE A.db [B.db ...]"
                              : "--into FILE is required");
        goto out;
    }
    char err[1024];
    /* check every source before writing anything */
    for (size_t i = 0; i < n; i++) {
        bf_results *s = NULL;
        bf_results_open_opts ro = {.stop = &bf_stop_flag};
        if (bf_results_open_ex(bf_opts_get_at(o, "dbs", i), &ro, &s, err, sizeof err)) {
            rc = bf_cmd_fail(cmd, 2, "%s", err);
            goto out;
        }
        bf_results_close(s);
    }
    bf_results *db = NULL;
    if (bf_results_open(into, 1, &db, err, sizeof err)) {
        rc = bf_cmd_fail(cmd, 2, "%s", err);
        goto out;
    }
    rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *src = bf_opts_get_at(o, "dbs", i);
        struct stat a, b;
        if (stat(src, &a) == 0 && stat(into, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino) {
            fprintf(stderr, "bfsim %s: %s is the target itself; skipped\n", cmd, src);
            continue;
        }
        int64_t runs, regs;
        if (bf_regdb_merge(db, src, &runs, &regs, err, sizeof err))
            rc = bf_cmd_fail(cmd, 2, "%s", err);
        else
            printf("%s: %lld runs, %lld regressions added\n", src, (long long)runs,
                   (long long)regs);
    }
    bf_results_close(db);
out:
    bf_opts_free(o);
    return rc;
}
