/*
** cmd_run.c: `bfsim run` and `bfsim compare`.
**
** A run is recorded in the results database before it starts (status running) so that a crash
** leaves a visible trace; its metrics, faults and phase samples are written at the end in one
** transaction together with the final status. An interrupted or failed run gets its status
** without metrics (bf_results_abort), never a partial set marked complete.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bf_cmd.h"
#include "bf_hmem.h"
#include "bf_report.h"
#include "bf_sha256.h"

#define BF_MAX_LOGGED_FAULTS 1000

struct bf_cmd_fault_log {
    bf_fault_info *v; /* the first BF_MAX_LOGGED_FAULTS faults */
    size_t n;
    uint64_t total;
    int print;          /* print each fault and hazard on stderr as it happens */
    const char *who;    /* compare: the machine's name, before each printed report (or NULL) */
    bf_progress *prog;  /* erased before a fault or hazard is printed (or NULL) */
    bf_hazard_event *h; /* the first BF_MAX_LOGGED_FAULTS hazards */
    size_t nh;
};

/* Print a report (if asked) and keep a copy of `item` (size bytes) in the array *v of *n, up to
** BF_MAX_LOGGED_FAULTS; out of memory only stops the keeping. */
static void log_keep(const bf_cmd_fault_log *l, const char *text, void **v, size_t *n,
                     const void *item, size_t size)
{
    if (l->print) {
        bf_progress_clear(l->prog);
        if (l->who)
            fprintf(stderr, "%s: %s\n", l->who, text);
        else
            fprintf(stderr, "%s\n", text);
    }
    if (*n >= BF_MAX_LOGGED_FAULTS)
        return;
    char *p = bf_realloc(*v, (*n + 1) * size);
    if (p) {
        memcpy(p + *n * size, item, size);
        *v = p;
        (*n)++;
    }
}

static void log_fault(void *ctx, const bf_fault_info *f)
{
    bf_cmd_fault_log *l = ctx;
    l->total++;
    void *v = l->v;
    log_keep(l, f->text, &v, &l->n, f, sizeof *f);
    l->v = v;
}

static void log_hazard(void *ctx, const bf_hazard_event *e)
{
    bf_cmd_fault_log *l = ctx;
    void *v = l->h;
    log_keep(l, e->text, &v, &l->nh, e, sizeof *e);
    l->h = v;
}

/* The replay callbacks of a run into log l. */
static void log_attach(bf_sim_opts *so, bf_cmd_fault_log *l)
{
    memset(l, 0, sizeof *l);
    l->print = 1;
    so->ropt.on_fault = log_fault;
    so->ropt.on_hazard = log_hazard;
    so->ropt.ctx = l;
}

static void log_free(bf_cmd_fault_log *l)
{
    free(l->v);
    free(l->h);
    l->v = NULL;
    l->h = NULL;
}

/* --set-stats: series sets.dcache (index bank * BF_L1_DSETS + set) and sets.icache (index set),
** members fills.wayN and evictions.wayN, only the nonzero ones; sets.geometry gives the shape so
** that a reader can draw the sets never touched. docs/report.md describes the layout. */
static int store_series_sets(bf_results *db, const char *series, const uint64_t *fills,
                             const uint64_t *evictions, size_t nsets, size_t ways)
{
    for (size_t set = 0; set < nsets; set++)
        for (size_t w = 0; w < ways; w++) {
            size_t k = set * ways + w;
            char name[48];
            if (fills[k]) {
                snprintf(name, sizeof name, "fills.way%zu", w);
                if (bf_results_series(db, series, set, name, (double)fills[k]))
                    return -1;
            }
            if (evictions[k]) {
                snprintf(name, sizeof name, "evictions.way%zu", w);
                if (bf_results_series(db, series, set, name, (double)evictions[k]))
                    return -1;
            }
        }
    return 0;
}

static int store_sets(bf_results *db, const bf_l1_set_stats *ss)
{
    const char *const gn[] = {"dbanks", "dsets", "dways", "isets", "iways"};
    const double gv[] = {BF_L1_DBANKS, BF_L1_DSETS, BF_L1_DWAYS, BF_L1_ISETS, BF_L1_IWAYS};
    for (size_t i = 0; i < BF_ARRAY_SIZE(gn); i++)
        if (bf_results_series(db, "sets.geometry", 0, gn[i], gv[i]))
            return -1;
    return store_series_sets(db, "sets.dcache", ss->dfills, ss->devictions,
                             (size_t)BF_L1_DBANKS * BF_L1_DSETS, BF_L1_DWAYS) ||
           store_series_sets(db, "sets.icache", ss->ifills, ss->ievictions, BF_L1_ISETS,
                             BF_L1_IWAYS);
}

int bf_cmd_store_sim(bf_results *db, int64_t run_id, const bf_sim *sim, bf_cmd_fault_log *faults,
                     const char *status, const char *cmd)
{
    const bf_stats *reg = sim->reg;
    char err[1024];
    if (bf_results_metrics_begin(db, run_id, err, sizeof err)) {
        bf_results_abort(db, "failed"); /* the row must not stay 'running' */
        return bf_cmd_db_fail(cmd, err);
    }
    if (bf_results_workload_hash(db, sim->whash, err, sizeof err)) {
        bf_results_abort(db, "failed");
        return bf_cmd_db_fail(cmd, err);
    }
    for (size_t i = 0; i < bf_stats_count(reg); i++) {
        const bf_stat_desc *d = bf_stats_at(reg, i);
        if (bf_results_metric(db, d->name, bf_stats_value(reg, i), d->unit)) {
            snprintf(err, sizeof err, "%s", bf_results_errmsg(db));
            bf_results_abort(db, "failed");
            return bf_cmd_db_fail(cmd, err);
        }
    }
    for (size_t i = 0; faults && i < faults->n; i++) {
        const bf_fault_info *f = &faults->v[i];
        if (bf_results_fault(db, f->record, bf_fault_name(f->fault), f->excause, f->addr,
                             f->kind < 0 ? "op" : bf_acc_kind_name(f->kind),
                             f->mode == BF_MODE_USER ? "user" : "supervisor", f->text)) {
            snprintf(err, sizeof err, "%s", bf_results_errmsg(db));
            bf_results_abort(db, "failed");
            return bf_cmd_db_fail(cmd, err);
        }
    }
    for (size_t i = 0; faults && i < faults->nh; i++) {
        const bf_hazard_event *e = &faults->h[i];
        bf_results_hazard_row h = {bf_hazard_kind_name(e->kind),
                                   e->addr,
                                   e->line,
                                   e->by_dma,
                                   e->dma.chan,
                                   e->dma.id,
                                   e->dma.pos.record,
                                   e->dma.pos.line,
                                   e->core.record,
                                   e->core.line,
                                   e->text};
        if (bf_results_hazard(db, &h)) {
            bf_results_abort(db, "failed");
            return bf_cmd_fail(cmd, 2, "%s", "cannot write hazards to the results database");
        }
    }
    for (size_t p = 0; p < sim->nphases; p++) {
        char series[80];
        snprintf(series, sizeof series, "phase.%s", sim->phases[p].name);
        for (size_t i = 0; i < bf_stats_count(reg); i++) {
            if (sim->phases[p].delta[i] == 0)
                continue;
            if (bf_results_series(db, series, p, bf_stats_at(reg, i)->name,
                                  sim->phases[p].delta[i])) {
                snprintf(err, sizeof err, "%s", bf_results_errmsg(db));
                bf_results_abort(db, "failed");
                return bf_cmd_db_fail(cmd, err);
            }
        }
    }
    if (sim->sets && store_sets(db, sim->sets)) {
        bf_results_abort(db, "failed");
        return bf_cmd_fail(cmd, 2, "%s", "cannot write set statistics to the results database");
    }
    bf_cplb_page pg[10];
    size_t np = bf_cplb_hot_pages(bf_memsys_cplb(sim->ms), pg, 10);
    for (size_t k = 0; k < np; k++) {
        if (bf_results_series(db, "cplb.hot_pages", k, "addr", pg[k].addr) ||
            bf_results_series(db, "cplb.hot_pages", k, "size", pg[k].size) ||
            bf_results_series(db, "cplb.hot_pages", k, "instr", pg[k].instr) ||
            bf_results_series(db, "cplb.hot_pages", k, "hits", (double)pg[k].hits)) {
            snprintf(err, sizeof err, "%s", bf_results_errmsg(db));
            bf_results_abort(db, "failed");
            return bf_cmd_db_fail(cmd, err);
        }
    }
    if (bf_results_commit(db, status, err, sizeof err)) {
        bf_results_abort(db, "failed");
        return bf_cmd_db_fail(cmd, err);
    }
    return -1;
}

/* Phases: a text table of the key statistics per phase (JSON: phases_json). */
static const char *const phase_rows[] = {"core.records",          "core.cycles",
                                         "core.stall.total",      "l1.icache.misses",
                                         "l1.dcache.read_misses", "l1.dcache.write_misses",
                                         "sdram.row_conflicts"};

static void print_phases(FILE *f, const bf_sim *sim)
{
    const bf_stats *reg = sim->reg;
    if (!sim->nphases)
        return;
    fprintf(f, "\n# phases%s\n%-24s",
            sim->phases_folded ? " (later markers folded into the last)" : "", "phase");
    for (size_t r = 0; r < BF_ARRAY_SIZE(phase_rows); r++)
        fprintf(f, " %22s", phase_rows[r]);
    fputc('\n', f);
    for (size_t p = 0; p < sim->nphases; p++) {
        fprintf(f, "%-24s", sim->phases[p].name);
        for (size_t r = 0; r < BF_ARRAY_SIZE(phase_rows); r++) {
            long i = bf_stats_find(reg, phase_rows[r]);
            fprintf(f, " %22.0f", i >= 0 ? sim->phases[p].delta[i] : 0.0);
        }
        fputc('\n', f);
    }
}

/* Phases as JSON: each with its name, first record and non-zero deltas. */
static void phases_json(bf_jw *w, const bf_sim *sim)
{
    const bf_stats *reg = sim->reg;
    bf_jw_array(w);
    for (size_t p = 0; p < sim->nphases; p++) {
        bf_jw_object(w);
        bf_jw_key(w, "name");
        bf_jw_string(w, sim->phases[p].name);
        bf_jw_key(w, "first_record");
        bf_jw_u64(w, sim->phases[p].first_record);
        bf_jw_key(w, "stats");
        bf_jw_object(w);
        for (size_t i = 0; i < bf_stats_count(reg); i++) {
            if (sim->phases[p].delta[i] == 0)
                continue;
            bf_jw_key(w, bf_stats_at(reg, i)->name);
            bf_jw_exact(w, sim->phases[p].delta[i], 1);
        }
        bf_jw_end(w);
        bf_jw_end(w);
    }
    bf_jw_end(w);
}

#define BF_HOT_PAGES 10

/* The hottest CPLB pages by hits (a top-N list cannot be a fixed stat name), as JSON. */
static void hot_pages_json(bf_jw *w, const bf_sim *sim)
{
    bf_cplb_page pg[BF_HOT_PAGES];
    size_t n = bf_cplb_hot_pages(bf_memsys_cplb(sim->ms), pg, BF_HOT_PAGES);
    bf_jw_array(w);
    for (size_t i = 0; i < n; i++) {
        bf_jw_object(w);
        bf_jw_key(w, "side");
        bf_jw_str(w, pg[i].instr ? "icplb" : "dcplb");
        bf_jw_key(w, "addr");
        bf_jw_u64(w, pg[i].addr);
        bf_jw_key(w, "size");
        bf_jw_u64(w, pg[i].size);
        bf_jw_key(w, "hits");
        bf_jw_u64(w, pg[i].hits);
        bf_jw_key(w, "loads");
        bf_jw_u64(w, pg[i].loads);
        bf_jw_end(w);
    }
    bf_jw_end(w);
}

/* The same as a text table. */
static void print_hot_pages(FILE *f, const bf_sim *sim)
{
    bf_cplb_page pg[BF_HOT_PAGES];
    size_t n = bf_cplb_hot_pages(bf_memsys_cplb(sim->ms), pg, BF_HOT_PAGES);
    if (!n)
        return;
    fprintf(f, "\n# hottest CPLB pages\n%-6s %-12s %-6s %14s %8s\n", "side", "page", "size", "hits",
            "loads");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%-6s 0x%08X %5uK %14llu %8llu\n", pg[i].instr ? "ICPLB" : "DCPLB", pg[i].addr,
                pg[i].size >> 10, (unsigned long long)pg[i].hits, (unsigned long long)pg[i].loads);
}

static void print_extra_json(bf_jw *w, const void *arg)
{
    const bf_sim *sim = arg;
    if (sim->nphases) {
        bf_jw_key(w, "phases");
        phases_json(w, sim);
    }
    bf_jw_key(w, "hot_pages");
    hot_pages_json(w, sim);
}

static const char *end_status(int end)
{
    switch (end) {
    case BF_END_OK:
        return "ok";
    case BF_END_FAULT:
    case BF_END_HAZARD:
        return "fault";
    case BF_END_INTERRUPTED:
        return "interrupted";
    default:
        return "failed";
    }
}

static int end_code(int end)
{
    switch (end) {
    case BF_END_OK:
        return 0;
    case BF_END_FAULT:
    case BF_END_HAZARD:
        return 3;
    case BF_END_INTERRUPTED:
        return 130;
    case BF_END_INPUT:
    case BF_END_NOMEM:
        return 2;
    default:
        return 1;
    }
}

/* The machine's config text, to be freed (NULL: out of host memory), and its SHA-256 in chash:
** what the runs row and the JSON name the machine by. */
static char *config_text(const bf_machine *m, char chash[65])
{
    size_t clen = bf_machine_text(m, NULL, 0);
    char *ctext = bf_malloc(clen + 1);
    if (ctext) {
        bf_machine_text(m, ctext, clen + 1);
        bf_sha256_text(ctext, clen, chash);
    }
    return ctext;
}

/* Begin the runs row of machine m (`run` or `compare` on trace); the workload's hash is stored
** with the metrics, once the trace has been read. 0, or the message in err. */
static int begin_run(bf_results *db, const char *command, const char *cmdline, const bf_machine *m,
                     const char *ctext, const char *chash, const char *trace, int64_t *run_id,
                     char *err, size_t errn)
{
    bf_run_info ri;
    bf_cmd_run_info(&ri, command, cmdline);
    ri.config_name = m->name;
    ri.config_text = ctext;
    ri.config_hash = chash;
    ri.workload_path = trace;
    ri.workload_hash = NULL;
    return bf_results_begin(db, &ri, run_id, err, errn);
}

int bf_cmd_run(int argc, char **argv)
{
    const char *cmd = "run";
    bf_opts *o = bf_opts_new(
        "run", "bfsim run --config FILE [--config FILE2 ...] --trace FILE [options]",
        "Simulate one BF533 machine (config files, later ones override earlier "
        "ones, then --set) on one trace; print the statistics and store the run.",
        "  bfsim run --config configs/ezkit-icache-dcacheAB-wb.ini --trace "
        "workloads/suite/default.lackey.zst\n"
        "  bfsim run --config configs/compat-cachegrind.ini --compat=cachegrind --format lackey "
        "--trace T --json\n"
        "  bfsim run --config configs/ezkit-nocache.ini --set l1.dmc=10 --trace T --no-db");
    bf_opts_add(o, "config,c", BF_OPT_MULTI, NULL, "machine config file (INI); repeatable");
    bf_cmd_add_sim_options(o, "format,f");
    bf_opts_add(o, "json", BF_OPT_FLAG, NULL, "print one JSON object {run, config, stats}");
    bf_opts_add(o, "all", BF_OPT_FLAG, NULL, "text report: also print statistics that are zero");
    bf_opts_add(o, "db", BF_OPT_STRING, NULL, "results database (default results/bfsim.db)");
    bf_opts_add(o, "no-db", BF_OPT_FLAG, NULL, "do not store the run");
    int rc = bf_cmd_parse(o, cmd, argc, argv);
    if (rc >= 0)
        goto out;
    size_t nc = bf_opts_count(o, "config");
    const char *trace = bf_opts_get(o, "trace");
    if (!nc || !trace) {
        rc = bf_cmd_fail(cmd, 2, "%s",
                         nc ? "--trace FILE is required" : "--config FILE is required");
        goto out;
    }
    const char **files = bf_calloc(nc, sizeof *files);
    bf_machine *m = bf_calloc(1, sizeof *m);
    bf_results *db = NULL;
    bf_sim sim;
    memset(&sim, 0, sizeof sim);
    bf_sim_opts so;
    memset(&so, 0, sizeof so);
    bf_cmd_fault_log faults;
    log_attach(&so, &faults);
    if (!files || !m) {
        rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (machine config)");
        goto out2;
    }
    for (size_t i = 0; i < nc; i++)
        files[i] = bf_opts_get_at(o, "config", i);
    if ((rc = bf_cmd_db_options(o, cmd)) >= 0 || (rc = bf_cmd_machine(o, cmd, files, nc, m)) >= 0)
        goto out2;
    if ((rc = bf_cmd_sim_options(o, cmd, &so, "format,f")) >= 0)
        goto out2;
    if (bf_opts_has(o, "classify-misses"))
        m->l1.classify_misses = 1;
    log_attach(&so, &faults);
    int use_db = !bf_opts_has(o, "no-db");
    bf_cmd_install_signals(); /* from here on SIGINT/SIGTERM end the run as `interrupted` */
    char cmdline[4096], chash[65];
    bf_cmd_line(argc, argv, cmdline, sizeof cmdline);
    char *ctext = config_text(m, chash);
    if (!ctext) {
        rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (config text)");
        goto out2;
    }
    /* the workload's content hash identifies it in the database and the JSON: computed while
    ** the trace is read (one pass, so FIFOs and stdin work), stored with the metrics */
    so.hash = use_db || bf_opts_has(o, "json");
    int64_t run_id = 0;
    if (use_db) {
        if ((rc = bf_cmd_open_db(o, cmd, 1, &db)) >= 0) {
            free(ctext);
            goto out2;
        }
        char err[1024];
        if (begin_run(db, "run", cmdline, m, ctext, chash, trace, &run_id, err, sizeof err)) {
            free(ctext);
            rc = bf_cmd_db_fail(cmd, err);
            goto out2;
        }
    }
    free(ctext);
    char err[1024], label[160];
    snprintf(label, sizeof label, "run %s", m->name);
    bf_progress *prog = bf_cmd_progress(o, bf_opts_has(o, "json"), label, "records", trace);
    faults.prog = prog;
    so.ropt.on_progress = bf_cmd_progress_replay;
    so.ropt.progress_ctx = prog;
    int src = bf_sim_run(m, trace, &so, &sim, err, sizeof err);
    bf_progress_end(prog);
    if (src) {
        if (db)
            bf_results_abort(db, bf_stop_flag ? "interrupted" : "failed");
        rc = bf_cmd_fail(cmd, 2, "%s", err);
        goto out2;
    }
    if (sim.end == BF_END_INPUT || sim.end == BF_END_ERROR || sim.end == BF_END_NOMEM) {
        if (db)
            bf_results_abort(db, bf_stop_flag ? "interrupted" : "failed");
        rc = bf_cmd_fail(cmd, end_code(sim.end), "%s", err);
        goto out2;
    }
    if (sim.end == BF_END_INTERRUPTED) {
        if (db)
            bf_results_abort(db, "interrupted");
        rc = bf_cmd_fail(cmd, 130, "%s",
                         "interrupted: run recorded as interrupted, no metrics stored");
        goto out2;
    }
    /* the report is printed even when the database cannot take the run (rc >= 0 then) */
    int store_rc = -1;
    if (db) {
        bf_cmd_final_wait(db);
        store_rc = bf_cmd_store_sim(db, run_id, &sim, &faults, end_status(sim.end), cmd);
    }
    const char *whash = sim.whash;
    if (bf_opts_has(o, "json")) {
        char idbuf[32];
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)run_id);
        const char *fields[] = {"id",
                                idbuf,
                                "status",
                                end_status(sim.end),
                                "config_name",
                                m->name,
                                "config_hash",
                                chash,
                                "workload",
                                trace,
                                "workload_hash",
                                whash,
                                "format",
                                bf_trace_format_name(sim.format),
                                "version",
                                BF_VERSION};
        bf_report_json(stdout, fields, BF_ARRAY_SIZE(fields), m, sim.reg, print_extra_json, &sim);
    } else {
        printf("# bfsim run: machine %s, trace %s (%s)%s\n", m->name, trace,
               bf_trace_format_name(sim.format), db ? "" : ", not stored");
        bf_report_text(stdout, sim.reg, !bf_opts_has(o, "all"));
        bf_report_stalls(stdout, sim.reg);
        print_phases(stdout, &sim);
        print_hot_pages(stdout, &sim);
        if (db && store_rc < 0)
            printf("# stored as run %lld\n", (long long)run_id);
    }
    if (store_rc >= 0) {
        rc = store_rc;
        goto out2;
    }
    if (sim.end == BF_END_FAULT)
        fprintf(stderr, "bfsim run: stopped at the first fault (--on-fault=stop)%s\n",
                db ? "; run stored with status fault" : "");
    if (sim.end == BF_END_HAZARD)
        fprintf(stderr, "bfsim run: stopped at the first coherency hazard (--on-hazard=stop)%s\n",
                db ? "; run stored with status fault" : "");
    rc = end_code(sim.end);
out2:
    bf_sim_free(&sim);
    if (db)
        bf_results_close(db);
    log_free(&faults);
    free(files);
    free(m);
out:
    bf_opts_free(o);
    return rc;
}

/* compare makes one pass over the trace per SDRAM size: whether ms[i] is the first of its size
** (its pass holds it and every later machine of that size). */
static int first_of_size(const bf_machine *ms, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (bf_machine_sdram_bytes(&ms[j]) == bf_machine_sdram_bytes(&ms[i]))
            return 0;
    return 1;
}

int bf_cmd_compare(int argc, char **argv)
{
    const char *cmd = "compare";
    bf_opts *o = bf_opts_new(
        "compare", "bfsim compare --configs A.ini B.ini ... --trace FILE [options]",
        "Run the same trace on each machine; print one column per machine with the key statistics "
        "and the speed-up against the first. Each run is stored in the results database.",
        "  bfsim compare --configs configs/ezkit-nocache.ini configs/ezkit-icache.ini --trace "
        "workloads/suite/default.lackey.zst\n"
        "  bfsim compare --configs configs/ezkit-*.ini --trace T --format markdown --no-db");
    bf_opts_add(o, "configs", BF_OPT_MULTI, NULL, "machine config files, one per column");
    bf_cmd_add_sim_options(o, "trace-format");
    bf_opts_add(o, "format", BF_OPT_STRING, "text", "table format: text|markdown|csv|json");
    bf_opts_add(o, "stat", BF_OPT_MULTI, NULL, "extra statistic rows (repeatable)");
    bf_opts_add(o, "db", BF_OPT_STRING, NULL, "results database (default results/bfsim.db)");
    bf_opts_add(o, "no-db", BF_OPT_FLAG, NULL, "do not store the runs");
    bf_opts_add(o, "html", BF_OPT_STRING, NULL,
                "also write DIR/index.html, the report of these runs (as `bfsim report`)");
    int rc = bf_cmd_parse(o, cmd, argc, argv);
    if (rc >= 0) {
        bf_opts_free(o);
        return rc;
    }
    size_t nc = bf_opts_count(o, "configs");
    const char *trace = bf_opts_get(o, "trace");
    const char *tf = bf_opts_get(o, "format");
    if (!nc || !trace) {
        bf_opts_free(o);
        return bf_cmd_fail(cmd, 2, "%s",
                           nc ? "--trace FILE is required"
                              : "--configs A.ini [B.ini ...] is required");
    }
    if (strcmp(tf, "text") && strcmp(tf, "markdown") && strcmp(tf, "csv") && strcmp(tf, "json")) {
        rc = bf_cmd_fail(cmd, 2, "--format: '%s' is not text, markdown, csv or json", tf);
        bf_opts_free(o); /* tf points into o */
        return rc;
    }
    if (bf_opts_get(o, "html") && bf_opts_has(o, "no-db")) {
        bf_opts_free(o);
        return bf_cmd_fail(cmd, 2, "%s", "--html reports stored runs: it cannot go with --no-db");
    }
    if ((rc = bf_cmd_db_options(o, cmd)) >= 0) {
        bf_opts_free(o);
        return rc;
    }
    for (size_t i = 0; i < bf_opts_count(o, "stat"); i++) {
        const char *st = bf_opts_get_at(o, "stat", i);
        int known = 0;
        size_t nt;
        const bf_stat_table *t = bf_sim_stat_tables(&nt);
        for (size_t k = 0; k < nt && !known; k++)
            for (size_t j = 0; j < *t[k].count && !known; j++)
                known = !strcmp(t[k].desc[j].name, st);
        if (!known) {
            rc = bf_cmd_fail(cmd, 2, "--stat: unknown statistic '%s' (see `bfsim stats list`)", st);
            bf_opts_free(o);
            return rc;
        }
    }
    bf_machine *ms = bf_calloc(nc, sizeof *ms);
    bf_sim *sims = bf_calloc(nc, sizeof *sims);
    int64_t *run_ids = bf_calloc(nc, sizeof *run_ids);
    bf_compare_col *cols = bf_calloc(nc, sizeof *cols);
    size_t nextra = bf_opts_count(o, "stat");
    const char **rows = bf_calloc(bf_compare_nrows + nextra, sizeof *rows);
    bf_results *db = NULL;
    bf_progress *prog = NULL;
    rc = -1;
    if (!ms || !sims || !cols || !rows || !run_ids) {
        rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (compare tables)");
        goto out;
    }
    /* load and check every machine before simulating anything */
    for (size_t i = 0; i < nc && rc < 0; i++) {
        const char *f = bf_opts_get_at(o, "configs", i);
        rc = bf_cmd_machine(o, cmd, &f, 1, &ms[i]);
    }
    if (rc >= 0)
        goto out;
    bf_sim_opts so;
    if ((rc = bf_cmd_sim_options(o, cmd, &so, "trace-format")) >= 0)
        goto out;
    /* one pass over the trace per SDRAM size (below): more than one needs a file to read again */
    size_t npass = 0;
    for (size_t i = 0; i < nc; i++)
        npass += first_of_size(ms, i);
    struct stat tst;
    if (npass > 1 && (!strcmp(trace, "-") || (stat(trace, &tst) == 0 && !S_ISREG(tst.st_mode)))) {
        char why[1200];
        snprintf(why, sizeof why,
                 "--trace %s: compare reads the trace once per SDRAM size, %zu times for these "
                 "machines; give a regular file, not a pipe or stdin",
                 trace, npass);
        rc = bf_cmd_fail(cmd, 2, "%s", why);
        goto out;
    }
    so.hash = 1; /* each run hashes the trace as it reads it */
    bf_cmd_install_signals();
    if (!bf_opts_has(o, "no-db") && (rc = bf_cmd_open_db(o, cmd, 1, &db)) >= 0)
        goto out;
    char cmdline[4096];
    bf_cmd_line(argc, argv, cmdline, sizeof cmdline);
    prog = bf_cmd_progress(o, !strcmp(tf, "json"), "compare", "records", trace);
    bf_sim_opts *gso = bf_calloc(nc, sizeof *gso);
    bf_machine *gm = bf_calloc(nc, sizeof *gm);
    bf_cmd_fault_log *logs = bf_calloc(nc, sizeof *logs);
    size_t *pass = bf_calloc(nc, sizeof *pass); /* the configs of a pass, in order */
    char *stored = bf_calloc(nc, 1);
    const char *unstored = "failed"; /* the status of runs begun and not stored */
    if (!gso || !gm || !logs || !pass || !stored) {
        rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (compare)");
        goto out_pass;
    }
    /* every run is begun first, in config order (the database lists them in that order) */
    for (size_t i = 0; i < nc; i++) {
        bf_machine *m = &ms[i];
        if (bf_opts_has(o, "classify-misses"))
            m->l1.classify_misses = 1;
        if (!db)
            continue;
        char chash[65], err[1024], *ctext = config_text(m, chash);
        if (!ctext) {
            rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (config text)");
            goto out_pass;
        }
        int brc =
            begin_run(db, "compare", cmdline, m, ctext, chash, trace, &run_ids[i], err, sizeof err);
        free(ctext);
        if (brc) {
            rc = bf_cmd_db_fail(cmd, err);
            goto out_pass;
        }
    }
    /* One pass over the trace for the machines of each SDRAM size (the first-touch map's limit),
    ** in the order of their first config: the trace is read and hashed once per pass and each
    ** batch of records is replayed on every machine of the pass (bf_sim_run_many; every run's
    ** statistics are the ones it gives alone). sims[] holds the runs in the order of the passes,
    ** so that each pass's are contiguous. */
    for (size_t first = 0, base = 0; first < nc; first++) {
        if (!first_of_size(ms, first))
            continue;
        size_t ng = 0;
        for (size_t j = first; j < nc; j++)
            if (bf_machine_sdram_bytes(&ms[j]) == bf_machine_sdram_bytes(&ms[first]))
                pass[ng++] = j;
        for (size_t k = 0; k < ng; k++) {
            gm[k] = ms[pass[k]];
            gso[k] = so;
            log_attach(&gso[k], &logs[pass[k]]);
            logs[pass[k]].prog = prog;
            logs[pass[k]].who = nc > 1 ? ms[pass[k]].name : NULL;
            gso[k].ropt.on_progress = bf_cmd_progress_replay; /* each: one may stop early */
            gso[k].ropt.progress_ctx = prog;
        }
        char err[1024], label[256];
        if (ng == nc)
            snprintf(label, sizeof label, "compare %zu configs", nc);
        else
            snprintf(label, sizeof label, "compare %zu/%zu configs", base + ng, nc);
        bf_progress_label(prog, label);
        bf_sim *ps = sims + base; /* zeroed: nothing to free if the pass could not start */
        int src = bf_sim_run_many(gm, ng, trace, gso, ps, err, sizeof err);
        base += ng;
        /* the runs of this pass in config order: the first that failed ends the command */
        for (size_t k = 0; k < ng; k++) {
            size_t i = pass[k];
            bf_sim *sim = &ps[k];
            int end = src ? BF_END_ERROR : sim->end;
            if (src || end == BF_END_INPUT || end == BF_END_ERROR || end == BF_END_NOMEM ||
                end == BF_END_INTERRUPTED) {
                int interrupted = bf_stop_flag || (!src && end == BF_END_INTERRUPTED);
                bf_progress_end(prog);
                prog = NULL;
                rc = bf_cmd_fail(cmd, interrupted ? 130 : 2, "%s",
                                 interrupted ? "interrupted"
                                 : src       ? err
                                             : sim->err);
                unstored = interrupted ? "interrupted" : "failed";
                goto out_pass;
            }
            if (db)
                bf_cmd_final_wait(db);
            stored[i] = 1; /* or marked by bf_cmd_store_sim if that fails */
            if (db && (rc = bf_cmd_store_sim(db, run_ids[i], sim, &logs[i], end_status(sim->end),
                                             cmd)) >= 0)
                goto out_pass;
            cols[i].name = ms[i].name;
            cols[i].reg = sim->reg;
        }
    }
    rc = -1;
out_pass:
    /* a compare that fails marks every run it began and did not store */
    for (size_t i = 0; db && stored && rc >= 0 && i < nc; i++)
        if (run_ids[i] && !stored[i])
            bf_results_abort_run(db, run_ids[i], unstored);
    for (size_t i = 0; logs && i < nc; i++)
        log_free(&logs[i]);
    free(gso);
    free(gm);
    free(logs);
    free(pass);
    free(stored);
    if (rc >= 0)
        goto out;
    bf_progress_end(prog);
    prog = NULL;
    size_t nr = 0;
    for (size_t i = 0; i < bf_compare_nrows; i++)
        rows[nr++] = bf_compare_rows[i];
    for (size_t i = 0; i < nextra; i++)
        rows[nr++] = bf_opts_get_at(o, "stat", i);
    bf_report_compare(stdout, tf, cols, nc, rows, nr, 1);
    fflush(stdout);
    rc = 0;
    if (bf_opts_get(o, "html")) {
        char title[300];
        snprintf(title, sizeof title, "bfsim compare: %zu configs on %s", nc, trace);
        int hrc = bf_cmd_html(cmd, db, run_ids, nc, bf_opts_get(o, "html"), title);
        if (hrc >= 0) {
            rc = hrc;
            goto out;
        }
    }
    for (size_t i = 0; i < nc; i++)
        if (sims[i].end == BF_END_FAULT)
            rc = 3;
out:
    bf_progress_end(prog);
    for (size_t i = 0; sims && i < nc; i++)
        bf_sim_free(&sims[i]); /* zeroed if never run */
    if (db)
        bf_results_close(db);
    free(ms);
    free(sims);
    free(run_ids);
    free(cols);
    free(rows);
    bf_opts_free(o);
    return rc;
}
