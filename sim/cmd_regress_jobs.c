/*
** cmd_regress_jobs.c: running a regression's jobs (each a fork+exec of this binary with a private
** database, at most -j at once, copied into the results database as it ends), reading their
** statistics back and comparing them with the baseline (rules in cmd_regress.c and
** docs/regress.md).
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

double rg_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

rg_job *rg_find_job(regress *r, const char *id)
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
int rg_run_jobs(regress *r, int workers, bf_progress *prog)
{
    /* Every job runs this very binary: a child exec'ing its /proc/self/exe (the image fork gave
    ** it) is not fooled by a rebuild that replaces the file while the regression runs. */
    const char *self = "/proc/self/exe";
    if (access(self, X_OK) != 0)
        return bf_cmd_fail(RG_CMD, 1, "cannot find the bfsim binary (/proc/self/exe): %s",
                           strerror(errno));
    rg_slot *slots = bf_calloc((size_t)workers, sizeof *slots);
    if (!slots)
        return bf_cmd_fail(RG_CMD, 2, "%s", "out of host memory (worker table)");
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
                rc = bf_cmd_fail(RG_CMD, 1, "cannot start a job: %s", strerror(errno));
                break;
            }
            slots[k].pid = pid;
            slots[k].job = next++;
            slots[k].t0 = rg_now_s();
            running++;
        }
        if (!running)
            break;
        if ((bf_stop_flag || rc >= 0) && !forwarded) {
            for (int k = 0; k < workers; k++)
                if (slots[k].pid)
                    kill(slots[k].pid, SIGINT);
            forwarded = 1;
            stop_t = rg_now_s();
        }
        /* a worker that has not stopped RG_GRACE_S after its SIGINT (an allocator replay checks
        ** for it only between workloads) is killed; its job is recorded as interrupted */
        if (forwarded == 1 && rg_now_s() - stop_t >= RG_GRACE_S) {
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
            rc = bf_cmd_fail(RG_CMD, 1, "waitpid: %s", strerror(errno));
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
        r->jobs[slots[k].job].seconds = rg_now_s() - slots[k].t0;
        if (finish_job(r, slots[k].job, ws, err, sizeof err) && rc < 0)
            rc = bf_cmd_fail(RG_CMD, 2, "%s", err);
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
    rg_job *j = rg_find_job(r, job);
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
int rg_collect(regress *r, char *err, size_t errn)
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
    rg_job *j = rg_find_job(r, job);
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
    if (rg_find_job((regress *)r, job))
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
int rg_compare(regress *r)
{
    const bf_baseline *b = &r->base, *c = &r->cur;
    size_t i = 0, k = 0;
    int rc = 0;
    while (!rc && (i < b->n || k < c->n)) {
        const char *job = i < b->n && (k >= c->n || strcmp(b->v[i].job, c->v[k].job) <= 0)
                              ? b->v[i].job
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
            rg_job *j = rg_find_job(r, job);
            if (!j || strcmp(j->status, "interrupted"))
                rc = push_name(&r->missing, &r->nmissing, job);
        } else {
            rg_job *j = rg_find_job(r, job);
            int failed = j && !strcmp(j->status, "failed");
            while (!rc && (i < ie || k < ke)) {
                int d = i >= ie ? 1 : k >= ke ? -1 : strcmp(b->v[i].stat, c->v[k].stat);
                const bf_baseline_entry *be = d <= 0 ? &b->v[i] : NULL,
                                        *ce = d >= 0 ? &c->v[k] : NULL;
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
