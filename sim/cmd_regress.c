/*
** cmd_regress.c: `bfsim regress` (a suite of jobs compared with a baseline) and
** `bfsim results merge`.
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

#include "bf_hmem.h"
#include "bf_strbuf.h"
#include "bf_json.h"
#include "bf_baseline.h"
#include "bf_cmd.h"
#include "bf_progress.h"
#include "bf_regdb.h"
#include "bf_suite.h"

static const char *const k_cmd = "regress";

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
    bf_suite suite;
    rg_job *jobs; /* the selected jobs, in id order */
    size_t njobs;
    int filtered; /* a shard or --only: jobs outside the selection are out of scope */
    bf_results *db;
    int64_t reg_id;
    char db_path[4096];
    char tmpdir[4096];
    bf_baseline base, cur;
    int have_base;
    rg_move *moves;
    size_t nmoves, cap_moves;
    char **missing, **added; /* baseline jobs not run; run jobs not in the baseline */
    size_t nmissing, nadded;
    size_t nran, nfailed;
    int interrupted;
    double seconds;
} regress;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static rg_job *find_job(regress *r, const char *id)
{
    size_t lo = 0, hi = r->njobs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r->jobs[mid].sj->id, id);
        if (!c)
            return &r->jobs[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- workers ---------------------------------------------------------------------------- */

typedef struct rg_slot {
    pid_t pid; /* 0: free */
    size_t job;
    double t0;
} rg_slot;

static void job_paths(const regress *r, size_t i, char *db, char *errf, size_t n)
{
    snprintf(db, n, "%s/job-%zu.db", r->tmpdir, i);
    snprintf(errf, n, "%s/job-%zu.err", r->tmpdir, i);
}

/* The child: stdin and stdout from/to /dev/null, stderr into errf, then exec. Never returns. */
static void exec_job(const char *self, char **argv, const char *errf)
{
    int nul = open("/dev/null", O_RDWR);
    int fe = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (nul < 0 || fe < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || dup2(fe, 2) < 0)
        _exit(126);
    close(nul);
    close(fe);
    execv(self, argv);
    fprintf(stderr, "cannot run %s: %s\n", self, strerror(errno));
    _exit(127);
}

/* seconds a worker has to stop after SIGINT before SIGKILL */
#define RG_GRACE_S 5.0

static pid_t start_job(regress *r, const char *self, size_t i)
{
    const bf_suite_job *j = r->jobs[i].sj;
    const bf_suite *s = &r->suite;
    char db[4200], errf[4200];
    job_paths(r, i, db, errf, sizeof db);
    size_t nsets = j->kind == BF_SUITE_RUN ? s->nsets : s->nalloc_sets;
    char **sets = j->kind == BF_SUITE_RUN ? s->sets : s->alloc_sets;
    char **argv = bf_calloc(12 + 2 * nsets, sizeof *argv);
    if (!argv)
        return -1;
    size_t a = 0;
    argv[a++] = (char *)"bfsim";
    if (j->kind == BF_SUITE_RUN) {
        argv[a++] = (char *)"run";
        argv[a++] = (char *)"--config";
        argv[a++] = j->config;
        argv[a++] = (char *)"--trace";
        argv[a++] = j->input;
    } else {
        argv[a++] = (char *)"alloc";
        argv[a++] = (char *)"--allocator";
        argv[a++] = j->allocator;
        argv[a++] = (char *)"--workload";
        argv[a++] = j->input;
        if (s->mem[0]) {
            argv[a++] = (char *)"--mem";
            argv[a++] = (char *)s->mem;
        }
    }
    for (size_t k = 0; k < nsets; k++) {
        argv[a++] = (char *)"--set";
        argv[a++] = sets[k];
    }
    argv[a++] = (char *)"--db";
    argv[a++] = db;
    argv[a] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        exec_job(self, argv, errf);
    free(argv);
    return pid;
}

/* The last lines of a job's stderr, joined with " | " (at most ~1000 bytes). */
static char *err_tail(const char *errf)
{
    FILE *f = fopen(errf, "r");
    char buf[8192];
    size_t n = 0;
    if (f) {
        if (fseek(f, 0, SEEK_END) == 0) {
            long sz = ftell(f);
            fseek(f, sz > (long)sizeof buf - 1 ? sz - (long)sizeof buf + 1 : 0, SEEK_SET);
        }
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
    }
    buf[n] = 0;
    /* the first non-empty line (what went wrong first: a fault report starts with the address)
    ** and the last two (bfsim's own message) */
    char *lines[3] = {NULL, NULL, NULL};
    int nl = 0;
    for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (!*l)
            continue;
        if (nl == 3) {
            lines[1] = lines[2];
            nl = 2;
        }
        lines[nl++] = l;
    }
    char out[1100];
    bf_strbuf b = bf_strbuf_on(out, sizeof out);
    for (int i = 0; i < nl; i++)
        bf_strbuf_printf(&b, "%s%.340s", i ? " | " : "", lines[i]);
    return bf_strdup(out);
}

static void set_message(rg_job *j, char *m)
{
    free(j->message);
    j->message = m;
}

/* A job's process ended with wait status ws: record it (and its run) in the database. */
static int finish_job(regress *r, size_t i, int ws, char *err, size_t errn)
{
    rg_job *j = &r->jobs[i];
    char db[4200], errf[4200];
    job_paths(r, i, db, errf, sizeof db);
    const char *st = "failed";
    char *msg = err_tail(errf);
    if (WIFEXITED(ws)) {
        int c = WEXITSTATUS(ws);
        st = c == 0 ? "ok" : c == 3 ? "fault" : c == 130 ? "interrupted" : "failed";
        if (c == 0) {
            free(msg);
            msg = NULL;
        } else if (msg && !*msg) {
            char t[64];
            snprintf(t, sizeof t, "exit status %d", c);
            free(msg);
            msg = bf_strdup(t);
        }
    } else if (WIFSIGNALED(ws) && bf_stop_flag) {
        st = "interrupted"; /* stopped by us after the grace period */
        char t[1300];
        snprintf(t, sizeof t, "did not stop within %.0f s of SIGINT: killed%s%s", RG_GRACE_S,
                 msg && *msg ? ": " : "", msg ? msg : "");
        free(msg);
        msg = bf_strdup(t);
    } else if (WIFSIGNALED(ws)) {
        char t[1300];
        snprintf(t, sizeof t, "killed by signal %d (%s)%s%s", WTERMSIG(ws), strsignal(WTERMSIG(ws)),
                 msg && *msg ? ": " : "", msg ? msg : "");
        free(msg);
        msg = bf_strdup(t);
    }
    snprintf(j->status, sizeof j->status, "%s", st);
    set_message(j, msg);
    struct stat sb;
    int rc = bf_regdb_add_job(r->db, r->reg_id, j->sj->id, stat(db, &sb) == 0 ? db : NULL, st,
                              j->message, &j->run_id, err, errn);
    char p[4300];
    unlink(db);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
    unlink(errf);
    return rc;
}

/* The progress line (bf_progress): jobs done/total, failures so far, rate, percent, ETA. */
static void progress(bf_progress *p, size_t done, size_t failed)
{
    char note[48];
    snprintf(note, sizeof note, "%zu failed", failed);
    bf_progress_note(p, note);
    bf_progress_update(p, done, 0);
}

/* Run every selected job with at most `workers` at once; prog (NULL: none) shows how far it has
** got. Returns -1, or an exit code. */
static int run_jobs(regress *r, int workers, bf_progress *prog)
{
    /* Every job runs this very binary: a child exec'ing its /proc/self/exe (the image fork gave
    ** it) is not fooled by a rebuild that replaces the file while the regression runs. */
    const char *self = "/proc/self/exe";
    if (access(self, X_OK) != 0)
        return bf_cmd_fail(k_cmd, 1, "cannot find the bfsim binary (/proc/self/exe): %s", strerror(errno));
    rg_slot *slots = bf_calloc((size_t)workers, sizeof *slots);
    if (!slots)
        return bf_cmd_fail(k_cmd, 2, "%s", "out of host memory (worker table)");
    size_t next = 0, running = 0, done = 0, failed = 0;
    int rc = -1, forwarded = 0; /* 1: SIGINT sent to the workers, 2: SIGKILL too */
    double stop_t = 0;
    progress(prog, 0, 0);
    char err[1024];
    while (next < r->njobs || running) {
        while (!bf_stop_flag && rc < 0 && next < r->njobs && running < (size_t)workers) {
            size_t k = 0;
            while (slots[k].pid)
                k++;
            pid_t pid = start_job(r, self, next);
            if (pid < 0) {
                rc = bf_cmd_fail(k_cmd, 1, "cannot start a job: %s", strerror(errno));
                break;
            }
            slots[k].pid = pid;
            slots[k].job = next++;
            slots[k].t0 = now_s();
            running++;
        }
        if (!running)
            break;
        if ((bf_stop_flag || rc >= 0) && !forwarded) {
            for (int k = 0; k < workers; k++)
                if (slots[k].pid)
                    kill(slots[k].pid, SIGINT);
            forwarded = 1;
            stop_t = now_s();
        }
        /* a worker that has not stopped RG_GRACE_S after its SIGINT (an allocator replay checks
        ** for it only between workloads) is killed; its job is recorded as interrupted */
        if (forwarded == 1 && now_s() - stop_t >= RG_GRACE_S) {
            for (int k = 0; k < workers; k++)
                if (slots[k].pid)
                    kill(slots[k].pid, SIGKILL);
            forwarded = 2;
        }
        int ws;
        /* with a progress line (and while stopping) wake up every 200 ms: the line's rate and
        ** ETA and the grace period keep going */
        pid_t pid = waitpid(-1, &ws, prog || forwarded ? WNOHANG : 0);
        if (pid == 0) {
            struct timespec ts = {0, 200000000};
            nanosleep(&ts, NULL);
            progress(prog, done, failed);
            continue;
        }
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            rc = bf_cmd_fail(k_cmd, 1, "waitpid: %s", strerror(errno));
            break;
        }
        int k = 0;
        while (k < workers && slots[k].pid != pid)
            k++;
        if (k == workers)
            continue;
        slots[k].pid = 0;
        running--;
        done++;
        r->jobs[slots[k].job].seconds = now_s() - slots[k].t0;
        if (finish_job(r, slots[k].job, ws, err, sizeof err) && rc < 0)
            rc = bf_cmd_fail(k_cmd, 2, "%s", err);
        if (!strcmp(r->jobs[slots[k].job].status, "failed"))
            failed++;
        progress(prog, done, failed);
    }
    free(slots);
    if (bf_stop_flag)
        r->interrupted = 1;
    return rc;
}

/* ---- reading back and comparing ----------------------------------------------------------- */

static int on_db_job(void *ctx, const char *job, const char *status, const char *message,
                     int64_t run_id)
{
    regress *r = ctx;
    rg_job *j = find_job(r, job);
    if (!j)
        return 0; /* outside the selection, or no longer in the suite */
    snprintf(j->status, sizeof j->status, "%s", status ? status : "failed");
    set_message(j, message ? bf_strdup(message) : NULL);
    j->run_id = run_id;
    return 0;
}

typedef struct metric_ctx {
    regress *r;
    const char *job;
} metric_ctx;

static int on_metric(void *ctx, const char *name, double value)
{
    metric_ctx *m = ctx;
    if (bf_suite_tolerance(&m->r->suite, name) < 0)
        return 0;
    return bf_baseline_add(&m->r->cur, m->job, name, value, NULL);
}

/* The statistics of every selected job that ran, as a baseline (cur). */
static int collect(regress *r, char *err, size_t errn)
{
    snprintf(r->cur.suite, sizeof r->cur.suite, "%s", r->suite.name);
    int rc = bf_regdb_jobs(r->db, r->suite.name, r->reg_id, on_db_job, r, err, errn);
    for (size_t i = 0; !rc && i < r->njobs; i++) {
        rg_job *j = &r->jobs[i];
        if (!strcmp(j->status, "ok") || !strcmp(j->status, "fault")) {
            r->nran++;
            metric_ctx m = {r, j->sj->id};
            if (j->run_id)
                rc = bf_regdb_metrics(r->db, j->run_id, on_metric, &m, err, errn);
        } else if (!strcmp(j->status, "failed")) {
            r->nfailed++;
        }
        if (!rc && j->status[0] && strcmp(j->status, "interrupted"))
            rc = bf_baseline_add(&r->cur, j->sj->id, BF_BASELINE_STATUS, 0, j->status);
        if (rc == BF_ENOMEM)
            snprintf(err, errn, "out of memory");
    }
    bf_baseline_sort(&r->cur);
    return rc;
}

static int add_move(regress *r, const char *job, const char *stat, const bf_baseline_entry *b,
                    const bf_baseline_entry *n)
{
    if (r->nmoves == r->cap_moves) {
        size_t nc = r->cap_moves ? 2 * r->cap_moves : 64;
        rg_move *nm = bf_realloc(r->moves, nc * sizeof *nm);
        if (!nm)
            return BF_ENOMEM;
        r->moves = nm;
        r->cap_moves = nc;
    }
    rg_move *m = &r->moves[r->nmoves++];
    m->job = job;
    m->stat = stat;
    m->base = b ? b->value : NAN;
    m->now = n ? n->value : NAN;
    m->base_text = !b ? "-" : b->text;
    m->now_text = !n ? "-" : n->text;
    if (b && n && !b->text && !n->text && isfinite(b->value) && isfinite(n->value))
        m->rel = b->value == 0 ? INFINITY : (n->value - b->value) / fabs(b->value);
    else
        m->rel = INFINITY;
    m->tol = bf_suite_tolerance(&r->suite, stat);
    rg_job *j = find_job(r, job);
    m->run_id = j ? j->run_id : 0;
    if (j)
        j->nmoved++;
    return 0;
}

/* Is (b, n) within tolerance? */
static int same(const regress *r, const bf_baseline_entry *b, const bf_baseline_entry *n)
{
    if (b->text || n->text)
        return b->text && n->text && !strcmp(b->text, n->text);
    if (isnan(b->value) || isnan(n->value))
        return isnan(b->value) && isnan(n->value);
    if (b->value == n->value)
        return 1;
    double tol = bf_suite_tolerance(&r->suite, b->stat);
    if (tol < 0)
        return 1;
    if (b->value == 0)
        return 0;
    return fabs(n->value - b->value) / fabs(b->value) <= tol;
}

static int push_name(char ***v, size_t *n, const char *s)
{
    char **nv = bf_realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv)
        return BF_ENOMEM;
    *v = nv;
    nv[(*n)++] = (char *)s;
    return 0;
}

static int in_scope(const regress *r, const char *job)
{
    if (find_job((regress *)r, job))
        return 1;
    return !r->filtered && !bf_suite_find(&r->suite, job);
}

static int move_cmp(const void *pa, const void *pb)
{
    const rg_move *a = pa, *b = pb;
    double x = fabs(a->rel), y = fabs(b->rel);
    if (x != y)
        return x > y ? -1 : 1;
    int c = strcmp(a->job, b->job);
    return c ? c : strcmp(a->stat, b->stat);
}

/* Merge-join cur and base by (job, stat), in scope. */
static int compare(regress *r)
{
    const bf_baseline *b = &r->base, *c = &r->cur;
    size_t i = 0, k = 0;
    int rc = 0;
    while (!rc && (i < b->n || k < c->n)) {
        const char *job = i < b->n && (k >= c->n || strcmp(b->v[i].job, c->v[k].job) <= 0) ? b->v[i].job
                                                                                            : c->v[k].job;
        size_t ie = i, ke = k;
        while (ie < b->n && !strcmp(b->v[ie].job, job))
            ie++;
        while (ke < c->n && !strcmp(c->v[ke].job, job))
            ke++;
        if (!in_scope(r, job)) {
        } else if (ie == i) {
            rc = push_name(&r->added, &r->nadded, job);
        } else if (ke == k) {
            rg_job *j = find_job(r, job);
            if (!j || strcmp(j->status, "interrupted"))
                rc = push_name(&r->missing, &r->nmissing, job);
        } else {
            rg_job *j = find_job(r, job);
            int failed = j && !strcmp(j->status, "failed");
            while (!rc && (i < ie || k < ke)) {
                int d = i >= ie ? 1 : k >= ke ? -1 : strcmp(b->v[i].stat, c->v[k].stat);
                const bf_baseline_entry *be = d <= 0 ? &b->v[i] : NULL, *ce = d >= 0 ? &c->v[k] : NULL;
                const char *stat = be ? be->stat : ce->stat;
                int is_status = !strcmp(stat, BF_BASELINE_STATUS);
                int ignored = !is_status && bf_suite_tolerance(&r->suite, stat) < 0;
                /* a failed job has no statistics: its status line says it all */
                if (!ignored && (!failed || is_status) && (!be || !ce || !same(r, be, ce)))
                    rc = add_move(r, job, stat, be, ce);
                i += d <= 0;
                k += d >= 0;
            }
        }
        i = ie;
        k = ke;
    }
    if (r->nmoves)
        qsort(r->moves, r->nmoves, sizeof *r->moves, move_cmp);
    return rc;
}

/* ---- reports ------------------------------------------------------------------------------ */

static void fmt_value(char *buf, size_t n, double v, const char *text)
{
    if (text)
        snprintf(buf, n, "%s", text);
    else if (isnan(v))
        snprintf(buf, n, "null");
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.6g", v);
}

static void fmt_change(char *buf, size_t n, const rg_move *m)
{
    if (isinf(m->rel))
        snprintf(buf, n, "%s", m->base_text || m->now_text ? "changed" : "new value");
    else
        snprintf(buf, n, "%+.4f%%", m->rel * 100);
}

static const char *status_word(const regress *r, int code)
{
    (void)r;
    return code == 0 ? "PASS" : code == 130 ? "INTERRUPTED" : "FAIL";
}

static void summary_line(const regress *r, char *buf, size_t n, int code)
{
    size_t moved_jobs = 0;
    for (size_t i = 0; i < r->njobs; i++)
        moved_jobs += r->jobs[i].nmoved > 0;
    snprintf(buf, n,
             "%s: %zu jobs, %zu ran, %zu failed, %zu stats moved in %zu jobs, %zu missing, %zu new"
             "%s; %.1f s",
             status_word(r, code), r->njobs, r->nran, r->nfailed, r->nmoves, moved_jobs,
             r->nmissing, r->nadded, r->have_base ? "" : " (no baseline)", r->seconds);
}

static void report_text(const regress *r, FILE *f, int code, int markdown)
{
    char b[64], n[64], c[64], sum[512];
    summary_line(r, sum, sizeof sum, code);
    if (markdown)
        fprintf(f, "### bfsim regress: suite `%s`\n\n", r->suite.name);
    else
        fprintf(f, "# bfsim regress: suite %s (%s), %zu jobs\n", r->suite.name, r->suite.path, r->njobs);
    if (!markdown && r->reg_id && r->db_path[0])
        fprintf(f, "# stored as regression %lld in %s\n", (long long)r->reg_id, r->db_path);
    int listed = 0;
    for (size_t i = 0; i < r->njobs; i++) {
        const rg_job *j = &r->jobs[i];
        if (strcmp(j->status, "failed") && strcmp(j->status, "fault") && strcmp(j->status, "interrupted"))
            continue;
        if (markdown && !listed++)
            fprintf(f, "**Failed, faulted or interrupted jobs**\n\n");
        fprintf(f, markdown ? "- `%s` %s: %s\n" : "%s  %s: %s\n", j->sj->id,
                !strcmp(j->status, "failed") ? "FAILED" : !strcmp(j->status, "fault") ? "FAULT" : "INTERRUPTED",
                j->message ? j->message : "");
    }
    for (size_t i = 0; i < r->nmissing; i++)
        fprintf(f, markdown ? "- `%s` MISSING: in the baseline, not run\n" : "%s  MISSING: in the baseline, not run\n", r->missing[i]);
    for (size_t i = 0; i < r->nadded; i++)
        fprintf(f, markdown ? "- `%s` NEW: not in the baseline\n" : "%s  NEW: not in the baseline\n", r->added[i]);
    if (markdown && (listed || r->nmissing || r->nadded))
        fputc('\n', f);
    if (r->nmoves) {
        int jw = 3, sw = 4;
        for (size_t i = 0; i < r->nmoves; i++) {
            int a = (int)strlen(r->moves[i].job), s = (int)strlen(r->moves[i].stat);
            jw = a > jw ? a : jw;
            sw = s > sw ? s : sw;
        }
        if (markdown)
            fprintf(f, "| job | stat | baseline | now | change |\n|---|---|---:|---:|---:|\n");
        else
            fprintf(f, "%-*s  %-*s  %20s  %20s  %12s\n", jw, "job", sw, "stat", "baseline", "now", "change");
        for (size_t i = 0; i < r->nmoves; i++) {
            const rg_move *m = &r->moves[i];
            fmt_value(b, sizeof b, m->base, m->base_text);
            fmt_value(n, sizeof n, m->now, m->now_text);
            fmt_change(c, sizeof c, m);
            if (markdown)
                fprintf(f, "| `%s` | `%s` | %s | %s | %s |\n", m->job, m->stat, b, n, c);
            else
                fprintf(f, "%-*s  %-*s  %20s  %20s  %12s\n", jw, m->job, sw, m->stat, b, n, c);
        }
        if (markdown)
            fputc('\n', f);
    }
    fprintf(f, markdown ? "**%s**\n" : "%s\n", sum);
}

static void report_json(const regress *r, FILE *f, int code)
{
    fputs("{\"suite\": ", f);
    bf_json_str(f, r->suite.name);
    fprintf(f, ", \"regression\": %lld, \"db\": ", (long long)r->reg_id);
    bf_json_str(f, r->db_path[0] ? r->db_path : NULL);
    fprintf(f, ", \"exit\": %d, \"status\": ", code);
    bf_json_str(f, status_word(r, code));
    fprintf(f, ", \"jobs\": %zu, \"ran\": %zu, \"failed\": %zu, \"baseline\": %s, \"seconds\": ",
            r->njobs, r->nran, r->nfailed, r->have_base ? "true" : "false");
    bf_json_num(f, r->seconds);
    fputs(",\n \"job_results\": [", f);
    for (size_t i = 0; i < r->njobs; i++) {
        const rg_job *j = &r->jobs[i];
        fputs(i ? ",\n  {\"job\": " : "\n  {\"job\": ", f);
        bf_json_str(f, j->sj->id);
        fputs(", \"status\": ", f);
        bf_json_str(f, j->status[0] ? j->status : NULL);
        fputs(", \"message\": ", f);
        bf_json_str(f, j->message);
        fprintf(f, ", \"run\": %lld, \"moved\": %d}", (long long)j->run_id, j->nmoved);
    }
    fputs("],\n \"missing\": [", f);
    for (size_t i = 0; i < r->nmissing; i++) {
        fputs(i ? ", " : "", f);
        bf_json_str(f, r->missing[i]);
    }
    fputs("],\n \"new\": [", f);
    for (size_t i = 0; i < r->nadded; i++) {
        fputs(i ? ", " : "", f);
        bf_json_str(f, r->added[i]);
    }
    fputs("],\n \"moved\": [", f);
    for (size_t i = 0; i < r->nmoves; i++) {
        const rg_move *m = &r->moves[i];
        fputs(i ? ",\n  {\"job\": " : "\n  {\"job\": ", f);
        bf_json_str(f, m->job);
        fputs(", \"stat\": ", f);
        bf_json_str(f, m->stat);
        fputs(", \"baseline\": ", f);
        bf_baseline_print_value(f, m->base, m->base_text);
        fputs(", \"now\": ", f);
        bf_baseline_print_value(f, m->now, m->now_text);
        fputs(", \"change\": ", f);
        bf_json_num(f, m->rel); /* null when not comparable */
        fputc('}', f);
    }
    fputs("]}\n", f);
}

static void xml_str(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (c == '&')
            fputs("&amp;", f);
        else if (c == '"')
            fputs("&quot;", f);
        else if (c < 0x20 && c != '\n' && c != '\t')
            fputc(' ', f); /* not allowed in XML 1.0 */
        else
            fputc(c, f);
    }
}

static int is_listed(char **v, size_t n, const char *job)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], job))
            return 1;
    return 0;
}

/* One <testsuite>, one <testcase> per job (and per missing job). */
static int fill_junit(FILE *f, const void *arg)
{
    const regress *r = arg;
    size_t failures = r->nmissing;
    for (size_t i = 0; i < r->njobs; i++) {
        const rg_job *j = &r->jobs[i];
        failures += j->nmoved > 0 || !strcmp(j->status, "failed") || !j->status[0] ||
                    is_listed(r->added, r->nadded, j->sj->id);
    }
    time_t t = time(NULL);
    struct tm tm;
    char ts[32];
    gmtime_r(&t, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"", f);
    xml_str(f, r->suite.name);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"%.3f\" timestamp=\"%s\">\n",
            r->njobs + r->nmissing, failures, r->seconds, ts);
    char b[64], n[64], c[64];
    for (size_t i = 0; i < r->njobs; i++) {
        const rg_job *j = &r->jobs[i];
        fputs("  <testcase name=\"", f);
        xml_str(f, j->sj->id);
        fputs("\" classname=\"", f);
        xml_str(f, r->suite.name);
        fprintf(f, "\" time=\"%.3f\">", j->seconds);
        if (!strcmp(j->status, "failed") || !j->status[0]) {
            fputs("\n    <failure type=\"failed\" message=\"", f);
            xml_str(f, !j->status[0] ? "not run" : j->message ? j->message : "failed");
            fputs("\">", f);
            xml_str(f, j->message ? j->message : "");
            fputs("</failure>\n  ", f);
        } else if (j->nmoved) {
            fprintf(f, "\n    <failure type=\"moved\" message=\"%d statistic%s moved:", j->nmoved,
                    j->nmoved == 1 ? "" : "s");
            for (size_t k = 0; k < r->nmoves; k++)
                if (!strcmp(r->moves[k].job, j->sj->id)) {
                    fputc(' ', f);
                    xml_str(f, r->moves[k].stat);
                }
            fputs("\">", f);
            for (size_t k = 0; k < r->nmoves; k++) {
                const rg_move *m = &r->moves[k];
                if (strcmp(m->job, j->sj->id))
                    continue;
                fmt_value(b, sizeof b, m->base, m->base_text);
                fmt_value(n, sizeof n, m->now, m->now_text);
                fmt_change(c, sizeof c, m);
                xml_str(f, m->stat);
                fprintf(f, ": ");
                xml_str(f, b);
                fputs(" -&gt; ", f);
                xml_str(f, n);
                fprintf(f, " (%s)\n", c);
            }
            if (j->message) {
                fputs("job message: ", f);
                xml_str(f, j->message);
            }
            fputs("</failure>\n  ", f);
        } else if (is_listed(r->added, r->nadded, j->sj->id)) {
            fputs("\n    <failure type=\"new\" message=\"job not in the baseline\"/>\n  ", f);
        }
        if (!strcmp(j->status, "fault") && !j->nmoved && j->message) {
            fputs("<system-err>", f);
            xml_str(f, j->message);
            fputs("</system-err>", f);
        }
        fputs("</testcase>\n", f);
    }
    for (size_t i = 0; i < r->nmissing; i++) {
        fputs("  <testcase name=\"", f);
        xml_str(f, r->missing[i]);
        fputs("\" classname=\"", f);
        xml_str(f, r->suite.name);
        fputs("\" time=\"0\">\n    <failure type=\"missing\" message=\"in the baseline, not run\"/>\n  </testcase>\n", f);
    }
    fputs("</testsuite>\n", f);
    return 0;
}

/* --html DIR: the page of the jobs' runs with the regression section (bf_htmlreport). For a
** regression run here, both come from the database, as `bfsim report --regression ID` draws
** them; with --from-db the moves are this comparison's, the trend every stored regression's.
** Returns -1 or an exit code. */
static int write_html(regress *r, const char *dir, const char *basef)
{
    char err[1024], title[4800];
    int64_t *ids = NULL;
    size_t n = 0;
    bf_regdb_regression g;
    memset(&g, 0, sizeof g);
    int rc = BF_OK;
    if (r->reg_id) {
        rc = bf_regdb_load(r->db, r->reg_id, &g, err, sizeof err);
        if (!rc)
            rc = bf_regdb_runs(r->db, r->reg_id, &ids, &n, err, sizeof err);
        snprintf(title, sizeof title, "bfsim regress: suite %s, regression %lld", r->suite.name,
                 (long long)r->reg_id);
    } else {
        ids = bf_calloc(r->njobs ? r->njobs : 1, sizeof *ids);
        if (!ids) {
            rc = BF_ENOMEM;
            snprintf(err, sizeof err, "out of memory");
        }
        for (size_t i = 0; !rc && i < r->njobs; i++)
            if (r->jobs[i].run_id &&
                (!strcmp(r->jobs[i].status, "ok") || !strcmp(r->jobs[i].status, "fault")))
                ids[n++] = r->jobs[i].run_id;
        g.suite_name = r->suite.name;
        g.baseline = r->have_base ? (char *)basef : NULL;
        g.moves = r->moves;
        g.nmoves = r->nmoves;
        g.moved = (int64_t)r->nmoves;
        g.jobs = (int64_t)r->njobs;
        g.ran = (int64_t)r->nran;
        g.failed = (int64_t)r->nfailed;
        snprintf(title, sizeof title, "bfsim regress: suite %s, from %s", r->suite.name, r->db_path);
    }
    int code = -1;
    if (rc)
        code = bf_cmd_fail(k_cmd, rc == BF_ENOMEM ? 1 : 2, "%s", err);
    else if (!n)
        code = bf_cmd_fail(k_cmd, 2, "%s", "--html: no job of this regression stored statistics");
    else
        code = bf_cmd_html_reg(k_cmd, r->db, ids, n, dir, title, &g);
    if (r->reg_id)
        bf_regdb_free(&g);
    free(ids);
    return code;
}

/* The new baseline: this run's entries, and from the old one those of jobs outside the scope. */
static int update_baseline(regress *r, const char *path, char *err, size_t errn)
{
    bf_baseline nb;
    memset(&nb, 0, sizeof nb);
    snprintf(nb.suite, sizeof nb.suite, "%s", r->suite.name);
    int rc = 0;
    for (size_t i = 0; !rc && i < r->base.n; i++) {
        const bf_baseline_entry *e = &r->base.v[i];
        if (r->filtered && !find_job(r, e->job) && bf_suite_find(&r->suite, e->job))
            rc = bf_baseline_add(&nb, e->job, e->stat, e->value, e->text);
    }
    for (size_t i = 0; !rc && i < r->cur.n; i++) {
        const bf_baseline_entry *e = &r->cur.v[i];
        rc = bf_baseline_add(&nb, e->job, e->stat, e->value, e->text);
    }
    if (rc)
        snprintf(err, errn, "out of memory");
    else
        rc = bf_baseline_write(path, &nb, err, errn);
    bf_baseline_free(&nb);
    return rc;
}

/* ---- the command -------------------------------------------------------------------------- */

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
        k_cmd,
        "bfsim regress --suite FILE [--baseline FILE] [--update-baseline] [-j N] [--shard K/N] "
        "[--db F | --no-db] [--junit FILE] [--format text|markdown|json] [--from-db F] [--html DIR] "
        "[--quiet]",
        "Run every job of a regression suite (run jobs: each config on each trace; alloc jobs: each "
        "allocator on each workload) in parallel worker processes, store them as one regression in "
        "the results database, and compare their statistics with a baseline under the suite's "
        "tolerances. Exit 0: everything ran and nothing moved; 1: a stat moved out of tolerance, a "
        "job failed, is missing or is new; 2: bad usage or input; 130: interrupted. "
        "Suite grammar, tolerances and the baseline workflow: docs/regress.md.",
        "  bfsim regress --suite workloads/suite/regress.ini --baseline results/baseline/bf533-default.jsonl\n"
        "  bfsim regress --suite S --baseline B --update-baseline\n"
        "  bfsim regress --suite S --baseline B --format markdown --junit regress.xml -j 8\n"
        "  bfsim regress --suite S --shard 2/4 --db shard-2.db   (then: bfsim results merge --into all.db shard-*.db)\n"
        "  bfsim regress --suite S --from-db all.db --baseline B\n"
        "  bfsim regress --suite S --baseline B --html report/   (the page of docs/report.md)");
    bf_opts_add(o, "suite", BF_OPT_STRING, NULL, "suite file (INI; docs/regress.md)");
    bf_opts_add(o, "baseline", BF_OPT_STRING, NULL, "baseline file (JSON lines) to compare with");
    bf_opts_add(o, "update-baseline", BF_OPT_FLAG, NULL, "write the baseline from this run");
    bf_opts_add(o, "jobs,j", BF_OPT_STRING, NULL, "worker processes (default: the number of cores)");
    bf_opts_add(o, "shard", BF_OPT_STRING, NULL, "run shard K of N: jobs whose index modulo N is K-1");
    bf_opts_add(o, "only", BF_OPT_MULTI, NULL, "only jobs whose id matches this glob (repeatable)");
    bf_opts_add(o, "db", BF_OPT_STRING, NULL, "results database (default results/bfsim.db)");
    bf_opts_add(o, "no-db", BF_OPT_FLAG, NULL, "do not keep the runs (a temporary database is used)");
    bf_opts_add(o, "junit", BF_OPT_STRING, NULL, "write a JUnit XML report to FILE");
    bf_opts_add(o, "format", BF_OPT_STRING, "text", "report format: text|markdown|json");
    bf_opts_add(o, "from-db", BF_OPT_STRING, NULL, "compare what this database holds; run nothing");
    bf_opts_add(o, "html", BF_OPT_STRING, NULL,
                "write DIR/index.html: the report page of the jobs' runs and the regression");
    bf_opts_add(o, "quiet,q", BF_OPT_FLAG, NULL, "no progress line on a terminal");
    regress r;
    memset(&r, 0, sizeof r);
    char err[2048];
    int rc = bf_cmd_parse(o, k_cmd, argc, argv);
    if (rc >= 0)
        goto out;
    const char *suite = bf_opts_get(o, "suite"), *basef = bf_opts_get(o, "baseline");
    const char *fmt = bf_opts_get(o, "format"), *fromdb = bf_opts_get(o, "from-db");
    int update = bf_opts_has(o, "update-baseline");
    long shk = 1, shn = 1, workers = sysconf(_SC_NPROCESSORS_ONLN);
    if (!suite) {
        rc = bf_cmd_fail(k_cmd, 2, "%s", "--suite FILE is required");
        goto out;
    }
    if (strcmp(fmt, "text") && strcmp(fmt, "markdown") && strcmp(fmt, "json")) {
        rc = bf_cmd_fail(k_cmd, 2, "--format: '%s' is not text, markdown or json", fmt);
        goto out;
    }
    if (bf_opts_has(o, "shard") && parse_shard(bf_opts_get(o, "shard"), &shk, &shn)) {
        rc = bf_cmd_fail(k_cmd, 2, "--shard: '%s' is not K/N with 1 <= K <= N", bf_opts_get(o, "shard"));
        goto out;
    }
    if (bf_opts_has(o, "jobs")) {
        char *e;
        workers = strtol(bf_opts_get(o, "jobs"), &e, 10);
        if (*e || workers < 1 || workers > 1024) {
            rc = bf_cmd_fail(k_cmd, 2, "-j: '%s' is not a number of workers (1 to 1024)", bf_opts_get(o, "jobs"));
            goto out;
        }
    }
    if (workers < 1)
        workers = 1;
    if (update && !basef) {
        rc = bf_cmd_fail(k_cmd, 2, "%s", "--update-baseline needs --baseline FILE");
        goto out;
    }
    if (fromdb && (bf_opts_has(o, "db") || bf_opts_has(o, "no-db"))) {
        rc = bf_cmd_fail(k_cmd, 2, "%s", "--from-db reads a database: it takes no --db or --no-db");
        goto out;
    }
    if (bf_opts_has(o, "db") && bf_opts_has(o, "no-db")) {
        rc = bf_cmd_fail(k_cmd, 2, "%s", "give --db F or --no-db, not both");
        goto out;
    }
    if (bf_suite_load(suite, &r.suite, err, sizeof err)) {
        rc = bf_cmd_fail(k_cmd, 2, "%s", err);
        goto out;
    }
    if (basef) {
        struct stat sb;
        int exists = stat(basef, &sb) == 0;
        if (!exists && !update) {
            rc = bf_cmd_fail(k_cmd, 2, "baseline %s does not exist (create it with --update-baseline)", basef);
            goto out;
        }
        if (exists) {
            if (bf_baseline_read(basef, &r.base, err, sizeof err)) {
                rc = bf_cmd_fail(k_cmd, 2, "%s", err);
                goto out;
            }
            if (strcmp(r.base.suite, r.suite.name)) {
                snprintf(err, sizeof err, "%s:1: suite: the baseline is of suite '%s', not '%s' (%s)",
                         basef, r.base.suite, r.suite.name, suite);
                rc = bf_cmd_fail(k_cmd, 2, "%s", err);
                goto out;
            }
            r.have_base = 1;
        }
    }
    if (select_jobs(&r, o, shk, shn)) {
        rc = bf_cmd_fail(k_cmd, 2, "%s", "out of host memory (job selection)");
        goto out;
    }
    double t0 = now_s();
    if (fromdb) {
        bf_results_open_opts ro = {0, 0, 0, &bf_stop_flag, NULL};
        if (bf_results_open_ex(fromdb, &ro, &r.db, err, sizeof err)) {
            rc = bf_cmd_fail(k_cmd, 2, "%s", err);
            goto out;
        }
        snprintf(r.db_path, sizeof r.db_path, "%s", fromdb);
    } else {
        const char *tmpbase = getenv("TMPDIR");
        snprintf(r.tmpdir, sizeof r.tmpdir, "%s/bfsim-regress-XXXXXX", tmpbase && *tmpbase ? tmpbase : "/tmp");
        if (!mkdtemp(r.tmpdir)) {
            rc = bf_cmd_fail(k_cmd, 2, "cannot create a temporary folder: %s", strerror(errno));
            r.tmpdir[0] = 0;
            goto out;
        }
        if (bf_opts_has(o, "no-db")) {
            char p[4200];
            snprintf(p, sizeof p, "%s/regress.db", r.tmpdir);
            if (bf_results_open(p, 1, &r.db, err, sizeof err)) {
                rc = bf_cmd_fail(k_cmd, 2, "%s", err);
                goto out;
            }
        } else {
            if ((rc = bf_cmd_open_db(o, k_cmd, 1, &r.db)) >= 0)
                goto out;
            snprintf(r.db_path, sizeof r.db_path, "%s", bf_opts_get(o, "db") ? bf_opts_get(o, "db") : "results/bfsim.db");
        }
        char cmdline[4096];
        bf_cmd_line(argc, argv, cmdline, sizeof cmdline);
        bf_run_info ri;
        bf_cmd_run_info(&ri, k_cmd, cmdline);
        bf_regdb_info gi = {r.suite.name, r.suite.hash, ri.git_rev, ri.version, ri.host, cmdline,
                            bf_opts_get(o, "shard"), (int64_t)r.njobs};
        if (bf_regdb_begin(r.db, &gi, &r.reg_id, err, sizeof err)) {
            rc = bf_cmd_fail(k_cmd, 2, "%s", err);
            goto out;
        }
        bf_cmd_install_signals();
        char label[160];
        snprintf(label, sizeof label, "regress %s", r.suite.name);
        bf_progress *prog = bf_progress_begin(
            bf_progress_wanted(bf_opts_has(o, "quiet"), !strcmp(fmt, "json")), label, "jobs", 0);
        bf_progress_total_units(prog, r.njobs);
        rc = run_jobs(&r, (int)workers, prog);
        bf_progress_end(prog);
    }
    r.seconds = now_s() - t0;
    if (rc < 0 && collect(&r, err, sizeof err))
        rc = bf_cmd_fail(k_cmd, 2, "%s", err);
    if (rc < 0 && r.have_base && compare(&r))
        rc = bf_cmd_fail(k_cmd, 2, "%s", "out of host memory (job selection)");
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
        rc = code = bf_cmd_fail(k_cmd, 2, "%s", err);
    if (r.reg_id) {
        bf_regdb_counts cnt = {(int64_t)r.nran, (int64_t)r.nfailed, (int64_t)r.nmoves};
        const char *st = code == 130 ? "interrupted" : code == 0 ? "passed" : "failed";
        if (bf_regdb_finish(r.db, r.reg_id, st, &cnt, err, sizeof err) && rc < 0)
            rc = code = bf_cmd_fail(k_cmd, 2, "%s", err);
    }
    if (rc >= 0 && code != 130)
        goto out_code;
    if (!strcmp(fmt, "json"))
        report_json(&r, stdout, code);
    else
        report_text(&r, stdout, code, !strcmp(fmt, "markdown"));
    fflush(stdout);
    if (bf_opts_get(o, "junit") && bf_baseline_write_file(bf_opts_get(o, "junit"), fill_junit, &r, err, sizeof err)) {
        code = bf_cmd_fail(k_cmd, 2, "--junit: %s", err);
        goto out_code;
    }
    if (bf_opts_get(o, "html") && code != 130) {
        int hrc = write_html(&r, bf_opts_get(o, "html"), basef);
        if (hrc >= 0) {
            code = hrc;
            goto out_code;
        }
    }
    if (update && code != 130) {
        if (r.nran < r.njobs) {
            fprintf(stderr, "bfsim regress: baseline %s not updated: %zu of %zu jobs did not run\n",
                    basef, r.njobs - r.nran, r.njobs);
        } else if (update_baseline(&r, basef, err, sizeof err)) {
            code = bf_cmd_fail(k_cmd, 2, "%s", err);
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
    bf_opts *o = bf_opts_new(cmd, "bfsim results merge --into FILE A.db [B.db ...]",
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
        rc = bf_cmd_fail(cmd, 2, "%s", into ? "give the databases to merge: --into FILE A.db [B.db ...]"
                                            : "--into FILE is required");
        goto out;
    }
    char err[1024];
    /* check every source before writing anything */
    for (size_t i = 0; i < n; i++) {
        bf_results *s = NULL;
        bf_results_open_opts ro = {0, 0, 0, &bf_stop_flag, NULL};
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
        if (stat(src, &a) == 0 && stat(into, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
            fprintf(stderr, "bfsim %s: %s is the target itself; skipped\n", cmd, src);
            continue;
        }
        int64_t runs, regs;
        if (bf_regdb_merge(db, src, &runs, &regs, err, sizeof err))
            rc = bf_cmd_fail(cmd, 2, "%s", err);
        else
            printf("%s: %lld runs, %lld regressions added\n", src, (long long)runs, (long long)regs);
    }
    bf_results_close(db);
out:
    bf_opts_free(o);
    return rc;
}
