/*
** bf_suite.c: regression suite files (see bf_suite.h).
**
** Algorithm.
**   1. Parse with bf_ini_parse_file (the machine-config loader): every key line arrives as
**      "section.key"; a section or key that is not in the grammar is an error naming the line.
**      A value's " ; comment" tail is dropped (the INI loader only knows '#').
**   2. List keys (configs, traces, allocators, workloads) are split at blanks; each word is a
**      path or glob relative to the suite's folder, expanded with glob(3). A word that matches
**      nothing is an error naming its line: a suite that silently lost a trace would pass.
**   3. The matrix is configs x traces plus allocators x workloads; jobs are sorted by id (the
**      order --shard and the baseline use). Two inputs with the same job id are an error.
** Invariant: after a successful load every job's files existed at load time and ids are unique.
*/
#define _POSIX_C_SOURCE 200809L
#include "bf_suite.h"
#include "bf_hmem.h"
#include "bf_strbuf.h"

#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bf_alloc.h"
#include "bf_common.h"
#include "bf_opts.h"
#include "bf_results.h"
#include "bf_sha256.h"

typedef struct suite_ctx {
    bf_suite *s;
    char *dir; /* the suite's folder, with a trailing '/' ("" for the current one) */
    char *err;
    size_t errn;
    /* list keys, kept with their line for the glob errors */
    char *configs, *traces, *allocators, *workloads;
    unsigned l_configs, l_traces, l_allocators, l_workloads, l_name;
} suite_ctx;

static int ctx_fail(suite_ctx *c, const char *file, unsigned line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = bf_strbuf_vline_error(c->err, c->errn, file, line, fmt, ap);
    va_end(ap);
    return rc;
}

static int push_str(char ***v, size_t *n, const char *s)
{
    char **nv = bf_realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv)
        return BF_ENOMEM;
    *v = nv;
    if (!(nv[*n] = bf_strdup(s)))
        return BF_ENOMEM;
    (*n)++;
    return 0;
}

/* "1.5e-3", "0" -> >= 0; "ignore" -> -1; else -2 */
static double parse_tol(const char *v)
{
    if (!strcmp(v, "ignore"))
        return -1;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end || errno || !(d >= 0) || d > 1e9)
        return -2;
    return d;
}

static int set_list(char **slot, unsigned *lslot, const char *v, unsigned line)
{
    free(*slot);
    *slot = strdup(v);
    *lslot = line;
    return *slot ? 0 : BF_ENOMEM;
}

static int on_key(void *ctx, const char *key, const char *value, const char *file, unsigned line)
{
    suite_ctx *c = ctx;
    bf_suite *s = c->s;
    char v[4096];
    snprintf(v, sizeof v, "%s", value);
    for (char *p = v; *p; p++) /* " ; comment" */
        if (*p == ';' && (p == v || p[-1] == ' ' || p[-1] == '\t')) {
            *p = 0;
            break;
        }
    for (size_t n = strlen(v); n && (v[n - 1] == ' ' || v[n - 1] == '\t'); n--)
        v[n - 1] = 0;
    const char *dot = strchr(key, '.');
    if (!dot)
        return ctx_fail(c, file, line, "%s: key outside a section ([suite], [alloc], [tolerance])",
                        key);
    size_t sl = (size_t)(dot - key);
    const char *k = dot + 1;
    if (sl == 5 && !strncmp(key, "suite", 5)) {
        if (!strcmp(k, "name")) {
            if (!*v || strlen(v) >= sizeof s->name)
                return ctx_fail(c, file, line, "name: expected a name of 1 to %zu bytes",
                                sizeof s->name - 1);
            memcpy(s->name, v, strlen(v) + 1); /* fits: checked above */
            c->l_name = line;
            return 0;
        }
        if (!strcmp(k, "configs"))
            return set_list(&c->configs, &c->l_configs, v, line);
        if (!strcmp(k, "traces"))
            return set_list(&c->traces, &c->l_traces, v, line);
        if (!strcmp(k, "set")) {
            if (!strchr(v, '='))
                return ctx_fail(c, file, line, "set: '%s': expected key=value", v);
            return push_str(&s->sets, &s->nsets, v);
        }
        return ctx_fail(c, file, line, "%s: unknown key in [suite] (name, configs, traces, set)",
                        k);
    }
    if (sl == 5 && !strncmp(key, "alloc", 5)) {
        if (!strcmp(k, "allocators"))
            return set_list(&c->allocators, &c->l_allocators, v, line);
        if (!strcmp(k, "workloads"))
            return set_list(&c->workloads, &c->l_workloads, v, line);
        if (!strcmp(k, "mem")) {
            if (!*v || strlen(v) >= sizeof s->mem)
                return ctx_fail(c, file, line, "mem: '%s' is not a size such as 32M", v);
            memcpy(s->mem, v, strlen(v) + 1); /* fits: checked above */
            return 0;
        }
        if (!strcmp(k, "set")) {
            if (!strchr(v, '='))
                return ctx_fail(c, file, line, "set: '%s': expected key=value", v);
            return push_str(&s->alloc_sets, &s->nalloc_sets, v);
        }
        return ctx_fail(c, file, line,
                        "%s: unknown key in [alloc] (allocators, workloads, mem, set)", k);
    }
    if (sl == 9 && !strncmp(key, "tolerance", 9)) {
        double t = parse_tol(v);
        if (t < -1.5)
            return ctx_fail(c, file, line, "%s: '%s' is not a relative tolerance >= 0 or 'ignore'",
                            k, v);
        if (!strcmp(k, "default")) {
            s->tol_default = t;
            return 0;
        }
        bf_suite_tol *nt = bf_realloc(s->tols, (s->ntols + 1) * sizeof *nt);
        if (!nt)
            return BF_ENOMEM;
        s->tols = nt;
        if (!(nt[s->ntols].pattern = bf_strdup(k)))
            return BF_ENOMEM;
        nt[s->ntols++].rel = t;
        return 0;
    }
    return ctx_fail(c, file, line, "[%.*s]: unknown section (suite, alloc, tolerance)", (int)sl,
                    key);
}

/* Expand one list key into v (sorted, each path once). */
static int expand(suite_ctx *c, const char *what, const char *list, unsigned line, char ***v,
                  size_t *n)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        char pat[4200];
        snprintf(pat, sizeof pat, "%s%s", w[0] == '/' ? "" : c->dir, w);
        glob_t g;
        int grc = glob(pat, 0, NULL, &g);
        if (grc == GLOB_NOMATCH || (grc == 0 && g.gl_pathc == 0)) {
            if (grc == 0)
                globfree(&g);
            return ctx_fail(c, c->s->path, line, "%s: '%s' matches no file", what, w);
        }
        if (grc)
            return ctx_fail(c, c->s->path, line, "%s: '%s': cannot expand", what, w);
        int rc = 0;
        for (size_t i = 0; i < g.gl_pathc && !rc; i++) {
            int seen = 0;
            for (size_t j = 0; j < *n && !seen; j++)
                seen = !strcmp((*v)[j], g.gl_pathv[i]);
            if (!seen)
                rc = push_str(v, n, g.gl_pathv[i]);
        }
        globfree(&g);
        if (rc)
            return rc;
    }
    return 0;
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static const char *base_name(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

static int add_job(bf_suite *s, int kind, const char *id, const char *config, const char *input,
                   const char *allocator)
{
    bf_suite_job *nj = bf_realloc(s->jobs, (s->njobs + 1) * sizeof *nj);
    if (!nj)
        return BF_ENOMEM;
    s->jobs = nj;
    bf_suite_job *j = &nj[s->njobs++];
    memset(j, 0, sizeof *j);
    j->kind = kind;
    j->id = bf_strdup(id);
    j->config = config ? bf_strdup(config) : NULL;
    j->input = bf_strdup(input);
    j->allocator = allocator ? bf_strdup(allocator) : NULL;
    if (!j->id || !j->input || (config && !j->config) || (allocator && !j->allocator))
        return BF_ENOMEM;
    return 0;
}

static int job_cmp(const void *a, const void *b)
{
    return strcmp(((const bf_suite_job *)a)->id, ((const bf_suite_job *)b)->id);
}

static int build_matrix(suite_ctx *c)
{
    bf_suite *s = c->s;
    char **cf = NULL, **tr = NULL, **wl = NULL;
    size_t ncf = 0, ntr = 0, nwl = 0;
    int rc = 0;
    if (!c->traces != !c->configs)
        rc =
            ctx_fail(c, s->path, c->traces ? c->l_traces : c->l_configs,
                     "%s: [suite] needs both configs and traces", c->traces ? "traces" : "configs");
    if (!rc && !c->allocators != !c->workloads)
        rc = ctx_fail(c, s->path, c->allocators ? c->l_allocators : c->l_workloads,
                      "%s: [alloc] needs both allocators and workloads",
                      c->allocators ? "allocators" : "workloads");
    if (!rc && c->configs)
        rc = expand(c, "configs", c->configs, c->l_configs, &cf, &ncf);
    if (!rc && c->traces)
        rc = expand(c, "traces", c->traces, c->l_traces, &tr, &ntr);
    if (!rc && c->workloads)
        rc = expand(c, "workloads", c->workloads, c->l_workloads, &wl, &nwl);
    char id[1024];
    for (size_t i = 0; !rc && i < ncf; i++) {
        const char *b = base_name(cf[i]);
        size_t bl = strlen(b);
        if (bl > 4 && !strcmp(b + bl - 4, ".ini"))
            bl -= 4;
        for (size_t t = 0; !rc && t < ntr; t++) {
            snprintf(id, sizeof id, "%.*s/%s", (int)bl, b, base_name(tr[t]));
            rc = add_job(s, BF_SUITE_RUN, id, cf[i], tr[t], NULL);
        }
    }
    if (!rc && c->allocators) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", c->allocators);
        for (char *save = NULL, *a = strtok_r(buf, " \t", &save); !rc && a;
             a = strtok_r(NULL, " \t", &save)) {
            if (!bf_alloc_find(a)) {
                rc = ctx_fail(c, s->path, c->l_allocators, "allocators: unknown allocator '%s'", a);
                break;
            }
            for (size_t w = 0; !rc && w < nwl; w++) {
                snprintf(id, sizeof id, "alloc:%s/%s", a, base_name(wl[w]));
                rc = add_job(s, BF_SUITE_ALLOC, id, NULL, wl[w], a);
            }
        }
    }
    free_strs(cf, ncf);
    free_strs(tr, ntr);
    free_strs(wl, nwl);
    if (rc)
        return rc;
    if (!s->njobs)
        return ctx_fail(c, s->path, 1, "%s",
                        "the suite has no jobs ([suite] configs and traces, or [alloc] allocators "
                        "and workloads)");
    qsort(s->jobs, s->njobs, sizeof *s->jobs, job_cmp);
    for (size_t i = 1; i < s->njobs; i++)
        if (!strcmp(s->jobs[i - 1].id, s->jobs[i].id))
            return ctx_fail(
                c, s->path, s->jobs[i].kind == BF_SUITE_RUN ? c->l_traces : c->l_workloads,
                "job id '%s' twice (two inputs with the same file name)", s->jobs[i].id);
    return 0;
}

/* Section headers: the INI loader reports keys only, so an unknown section without keys would
** pass unseen; each "[name]" line is checked here. */
static int check_sections(suite_ctx *c, const char *text, size_t n)
{
    static const char *const known[] = {"suite", "alloc", "tolerance"};
    unsigned line = 1;
    for (size_t i = 0; i < n; line++) {
        size_t e = i;
        while (e < n && text[e] != '\n')
            e++;
        size_t b = i;
        while (b < e && (text[b] == ' ' || text[b] == '\t'))
            b++;
        if (b < e && text[b] == '[') {
            size_t q = b + 1;
            while (q < e && text[q] != ']')
                q++;
            int ok = 0;
            for (size_t k = 0; k < BF_ARRAY_SIZE(known) && !ok; k++)
                ok = q - b - 1 == strlen(known[k]) && !strncmp(text + b + 1, known[k], q - b - 1);
            if (!ok && q < e)
                return ctx_fail(c, c->s->path, line,
                                "[%.*s]: unknown section (suite, alloc, tolerance)",
                                (int)(q - b - 1 > 64 ? 64 : q - b - 1), text + b + 1);
        }
        i = e + 1;
    }
    return 0;
}

/* The whole file, NUL-terminated; NULL with errno set on failure. */
static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            char *nb = bf_realloc(buf, cap = 2 * cap + 8192);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, 4096, f);
        len += got;
        if (got < 4096)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[len] = 0;
    *n = len;
    return buf;
}

/* text NULL: read the file at path; else parse text (n bytes) as if it were that file. */
static int load(const char *path, const char *text, size_t n, bf_suite *s, char *err, size_t errn)
{
    memset(s, 0, sizeof *s);
    suite_ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.err = err;
    c.errn = errn;
    if (!(s->path = bf_strdup(path)))
        return BF_ENOMEM;
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
    if (!(c.dir = bf_malloc(dl + 1)))
        return BF_ENOMEM;
    memcpy(c.dir, path, dl);
    c.dir[dl] = 0;
    int rc = 0;
    char *owned = NULL;
    if (!text) {
        if (!(owned = read_all(path, &n))) {
            snprintf(err, errn, "cannot open %s: %s", path, strerror(errno));
            rc = BF_EIO;
        }
        text = owned;
    }
    if (!rc) {
        bf_sha256_text(text, n, s->hash);
        rc = bf_ini_parse_text(text, n, path, on_key, &c, err, errn);
    }
    if (!rc)
        rc = check_sections(&c, text, n);
    free(owned);
    if (!rc && !s->name[0])
        rc = ctx_fail(&c, path, 1, "%s", "[suite] name: missing (every suite has a name)");
    if (!rc)
        rc = build_matrix(&c);
    if (rc == BF_ENOMEM)
        snprintf(err, errn, "%s: out of memory", path);
    free(c.dir);
    free(c.configs);
    free(c.traces);
    free(c.allocators);
    free(c.workloads);
    if (rc)
        bf_suite_free(s);
    return rc;
}

int bf_suite_load(const char *path, bf_suite *s, char *err, size_t errn)
{
    return load(path, NULL, 0, s, err, errn);
}

int bf_suite_load_text(const char *text, size_t n, const char *path, bf_suite *s, char *err,
                       size_t errn)
{
    return load(path, text, n, s, err, errn);
}

void bf_suite_free(bf_suite *s)
{
    for (size_t i = 0; i < s->njobs; i++) {
        free(s->jobs[i].id);
        free(s->jobs[i].config);
        free(s->jobs[i].input);
        free(s->jobs[i].allocator);
    }
    free(s->jobs);
    for (size_t i = 0; i < s->ntols; i++)
        free(s->tols[i].pattern);
    free(s->tols);
    free_strs(s->sets, s->nsets);
    free_strs(s->alloc_sets, s->nalloc_sets);
    free(s->path);
    memset(s, 0, sizeof *s);
}

const bf_suite_job *bf_suite_find(const bf_suite *s, const char *id)
{
    bf_suite_job key;
    memset(&key, 0, sizeof key);
    key.id = (char *)id;
    return bsearch(&key, s->jobs, s->njobs, sizeof *s->jobs, job_cmp);
}

double bf_suite_tolerance(const bf_suite *s, const char *stat)
{
    const bf_suite_tol *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < s->ntols; i++) {
        const bf_suite_tol *t = &s->tols[i];
        if (!strcmp(t->pattern, stat))
            return t->rel;
        size_t l = strlen(t->pattern);
        if (fnmatch(t->pattern, stat, 0) == 0 && (!best || l >= best_len)) {
            best = t;
            best_len = l;
        }
    }
    if (best)
        return best->rel;
    if (!strncmp(stat, "alloc.host.", 11))
        return -1;
    return s->tol_default;
}
