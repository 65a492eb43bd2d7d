/*
** cmd_alloc.c: `bfsim alloc`: an allocation workload replayed on a simulated allocator whose
** metadata lives in the simulated memory of a machine, so each operation costs core cycles from
** the same CPLB/L1/EBIU models that run traces (or L1 SRAM cycles with alloc.meta_l1).
**
** Managed memory is [0, alloc.mem) of SDRAM (alloc.mem 0: the whole SDRAM) minus the kernel image
** at the bottom (alloc.kernel) and the uncached DMA region at the top (alloc.dma_uncached), as
** uClinux hands memory to its page allocator.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bf_alloc_replay.h"
#include "bf_cmd.h"
#include "bf_file.h"
#include "bf_hmem.h"
#include "bf_report.h"
#include "bf_sha256.h"

typedef struct alloc_job {
    bf_stats *reg;
    bf_memsys *ms;
    bf_amem mem;
    bf_areplay_result res;
    int rc;
    char whash[65]; /* SHA-256 of the workload, computed while it is read (hash asked for) */
} alloc_job;

static void job_free(alloc_job *j)
{
    bf_areplay_result_free(&j->res);
    bf_memsys_destroy(j->ms);
    bf_stats_free(j->reg);
    memset(j, 0, sizeof *j);
}

/* Build the environment of machine m. */
static int make_env(const bf_machine *m, alloc_job *j, bf_alloc_env *env, bf_arange *res, char *err,
                    size_t errn)
{
    uint32_t sdram = bf_machine_sdram_bytes(m);
    uint32_t mem = m->alloc_mem_bytes ? m->alloc_mem_bytes : sdram;
    if (mem > sdram) {
        snprintf(err, errn,
                 "alloc.mem (%u MB) exceeds the machine's SDRAM (%u MB, EBIU_SDBCTL 0x%04X): "
                 "use a larger board (e.g. --set ebiu.sdbctl=0x0025 for 64 MB)",
                 mem >> 20, sdram >> 20, m->sdram.sdbctl);
        return BF_ECONFIG;
    }
    if (m->cplb.policy == BF_CPLB_POLICY_LINUX && (m->dcplb_enable || m->icplb_enable) &&
        !m->alloc_meta_l1) {
        /* the allocator's metadata goes through the CPLBs: all of it must be memory they map */
        bf_cplb_layout lay;
        bf_cplb_get_layout(bf_memsys_cplb(j->ms), &lay);
        if (mem > lay.physical_mem_end) {
            snprintf(err, errn,
                     "alloc.mem (%u MB) is more than the CPLB layout maps (%u MB, from "
                     "linux.cmdline \"%s\"): set linux.cmdline=mem=%uM",
                     mem >> 20, lay.physical_mem_end >> 20, m->cplb.cmdline, mem >> 20);
            return BF_ECONFIG;
        }
    }
    bf_alloc_env_default(env);
    j->mem.port = m->alloc_meta_l1 ? bf_memsys_sram_port(j->ms) : bf_memsys_data_port(j->ms);
    if (m->fast_path && !m->alloc_meta_l1) {
        j->mem.fast = bf_memsys_data_fast;
        j->mem.fast_ctx = j->ms;
    }
    j->mem.now = 0;
    env->mem = &j->mem;
    env->base = 0;
    env->size = mem;
    env->max_order = m->alloc_max_order;
    env->min_free_kbytes = m->alloc_min_free_kbytes;
    env->dma_zone_bytes = m->alloc_dma_zone_bytes;
    env->nr_trim_pages = m->alloc_nr_trim_pages;
    env->tlsf_sl_log2 = m->alloc_tlsf_sl_log2;
    env->reclaim_batch = m->alloc_reclaim_batch;
    env->lowmem_reserve_ratio = m->alloc_lowmem_reserve_ratio;
    env->np2_merge_on_fail = m->alloc_np2_merge_on_fail;
    env->bootmem_align = m->alloc_bootmem_align;
    size_t n = 0;
    if (m->alloc_kernel_bytes) {
        res[n].start = 0;
        res[n].len = m->alloc_kernel_bytes;
        n++;
    }
    if (m->alloc_dma_bytes) {
        if (m->alloc_dma_bytes + m->alloc_kernel_bytes >= mem) {
            snprintf(err, errn, "alloc.kernel + alloc.dma_uncached leave no memory to manage");
            return BF_ECONFIG;
        }
        res[n].start = mem - m->alloc_dma_bytes;
        res[n].len = m->alloc_dma_bytes;
        n++;
    }
    env->reserved = res;
    env->nreserved = n;
    const char *e = bf_alloc_env_check(env);
    if (e) {
        snprintf(err, errn, "%s", e);
        return BF_ECONFIG;
    }
    return BF_OK;
}

typedef struct series_sink {
    bf_results *db;
    FILE *plot;
    int failed;
    bf_progress *prog;        /* or NULL */
    bf_atrace_reader *reader; /* set by run_one: bytes read for the progress line */
    uint64_t samples;         /* lines written to the plot data */
} series_sink;

static void on_sample(void *arg, const bf_areplay_sample *s)
{
    series_sink *k = arg;
    if (k->prog)
        bf_progress_update(k->prog, s->op, k->reader ? bf_atrace_bytes_read(k->reader) : 0);
    k->samples += k->plot != NULL;
    if (k->plot)
        fprintf(k->plot, "%llu %llu %llu %llu %d %llu\n", (unsigned long long)s->op,
                (unsigned long long)s->free_bytes, (unsigned long long)s->largest_free,
                (unsigned long long)s->live_allocated, s->norders > 4 ? s->unusable[4] : 0,
                (unsigned long long)s->failures);
}

/* One allocator on one workload. */
static int run_one(const bf_machine *m, const bf_alloc_methods *am, const char *workload,
                   int aformat, const bf_areplay_opts *ropt, int hash, alloc_job *j, char *err,
                   size_t errn)
{
    memset(j, 0, sizeof *j);
    snprintf(j->whash, sizeof j->whash, "not computed");
    j->reg = bf_stats_new();
    if (!j->reg) {
        snprintf(err, errn, "out of host memory");
        return BF_ENOMEM;
    }
    int rc = bf_memsys_create(m, j->reg, &j->ms, err, errn);
    if (rc)
        return rc;
    bf_alloc_env env;
    bf_arange res[2];
    if ((rc = make_env(m, j, &env, res, err, errn)))
        return rc;
    bf_atrace_reader *r;
    bf_sha256 h;
    bf_byte_tap tap = {bf_sha256_update, &h};
    bf_sha256_init(&h);
    if ((rc = bf_atrace_open_tap(workload, aformat, hash ? &tap : NULL, &r, err, errn)))
        return rc;
    bf_areplay_opts o = *ropt;
    ((series_sink *)o.arg)->reader = r;
    o.measure_port =
        bf_memsys_functional_port(j->ms); /* walks and checks cost the program nothing */
    o.measure_fast = bf_memsys_functional_fast;
    o.measure_fast_ctx = j->ms;
    o.measure_view.bytes = bf_memsys_functional_bytes(j->ms, &o.measure_view.len);
    rc = bf_areplay_reader(am, &env, r, &o, &j->res);
    if (bf_memsys_host_oom(j->ms)) { /* never simulate on with memory that reads as zero */
        snprintf(j->res.error, sizeof j->res.error,
                 "out of host memory (the functional store of the simulated SDRAM, %u MB)",
                 bf_machine_sdram_bytes(m) >> 20);
        rc = BF_ENOMEM;
    }
    if (!rc && hash && !bf_stop_flag) { /* the hash covers the whole file, one pass */
        if ((rc = bf_atrace_drain(r)) == BF_OK)
            bf_sha256_final(&h, j->whash);
        else
            snprintf(j->res.error, sizeof j->res.error, "%s", bf_atrace_error(r));
    }
    if (rc == BF_EINPUT && bf_atrace_error(r) && bf_atrace_error(r)[0] && !j->res.error[0])
        snprintf(err, errn, "%s", bf_atrace_error(r));
    else if (rc && j->res.error[0])
        snprintf(err, errn, "%s", j->res.error);
    else if (rc)
        snprintf(err, errn, "%s: %s", am->name, bf_rc_name(rc));
    ((series_sink *)o.arg)->reader = NULL;
    bf_atrace_close(r);
    if (rc)
        return rc;
    bf_cycles idle;
    bf_memsys_finish(j->ms, j->mem.now, &idle); /* drains the buffers, finalizes EBIU statistics */
    const char *dup = NULL;
    if (bf_stats_add(j->reg, bf_areplay_stat_desc, bf_areplay_stat_count, &j->res.stats, &dup)) {
        snprintf(err, errn, "statistics registry: %s", dup ? dup : "out of host memory");
        return BF_ENOMEM;
    }
    return BF_OK;
}

static int write_plot(const char *dir, const char *name, const char *title, const char *data,
                      char *err, size_t errn)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.gp", dir, name);
    bf_file_out fo;
    if (bf_file_open(&fo, path, err, errn))
        return BF_EIO;
    FILE *f = fo.f;
    fprintf(f,
            "# gnuplot script written by bfsim alloc; data columns: op free largest_free live "
            "unusable_order4 failures\n"
            "set terminal png size 900,900\nset output '%s/%s.png'\nset multiplot layout 3,1 title "
            "'%s'\n"
            "set xlabel 'operations'\nset ylabel 'MB'\nset key outside right top\n"
            "plot '%s' using 1:($2/1048576) with lines title 'free memory', '' using "
            "1:($3/1048576) with lines title 'largest free block'\n"
            "set ylabel 'unusable index (order 4)'\nset yrange [0:1]\n"
            "plot '%s' using 1:($5/1000) with lines title 'unusable free space index, order 4'\n"
            "set yrange [*:*]\nset ylabel 'failures'\n"
            "plot '%s' using 1:6 with steps title 'allocation failures'\nunset multiplot\n",
            dir, name, title, data, data, data);
    if (bf_file_commit(&fo, err, errn))
        return BF_EIO;
    char cmdline[2200];
    snprintf(cmdline, sizeof cmdline, "gnuplot '%s' 2>&1", path);
    int st = system(cmdline);
    if (st != 0) {
        if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 127)
            snprintf(err, errn,
                     "--plot: gnuplot is not installed (apt-get install gnuplot-nox); the "
                     "data and script are in %.900s",
                     dir);
        else
            snprintf(err, errn, "--plot: gnuplot failed on %.900s (its messages are above)", path);
        return BF_EIO;
    }
    return BF_OK;
}

/* Which machine the latencies come from, for every report: name, part, caches, CPLB policy. */
static void machine_desc(const bf_machine *m, char *buf, size_t n)
{
    static const char *const dc[4] = {"off", "reserved", "16 KB (bank A)", "32 KB (banks A+B)"};
    snprintf(buf, n, "%s (%s, CCLK %llu MHz, SDRAM %u MB; I-cache %s, D-cache %s%s; CPLBs %s%s%s)",
             m->name, bf_part_name(m->part), (unsigned long long)(m->cclk_hz / 1000000),
             bf_machine_sdram_bytes(m) >> 20, m->imc ? "on" : "off", dc[m->dmc & 3],
             m->dmc && m->cplb.policy == BF_CPLB_POLICY_LINUX
                 ? (m->cplb.dcache_mode == BF_CPLB_DCACHE_WT   ? " write-through"
                    : m->cplb.dcache_mode == BF_CPLB_DCACHE_WB ? " write-back"
                                                               : " (pages uncached)")
                 : "",
             m->dcplb_enable || m->icplb_enable ? "on, " : "off",
             m->dcplb_enable || m->icplb_enable
                 ? (m->cplb.policy == BF_CPLB_POLICY_LINUX ? "Linux manager" : "explicit tables")
                 : "",
             m->alloc_meta_l1 ? "; metadata in L1 SRAM" : "");
}

int bf_cmd_alloc(int argc, char **argv)
{
    const char *cmd = "alloc";
    bf_opts *o = bf_opts_new(
        "alloc",
        "bfsim alloc --allocator NAME --workload FILE [--config MACHINE.ini] [--mem 32M] "
        "[options]\n"
        "       bfsim alloc --compare all|A,B,... --workload FILE [...]",
        "Replay an allocation workload (native, ftrace kmem, malloc-lab .rep or ltrace; detected "
        "by "
        "content) on a simulated allocator: bootmem, buddy, slab, slob, pa2 (2.4 page_alloc2), "
        "np2, "
        "nommu (mmap rounding and trimming) or tlsf. Its metadata lives in simulated memory, so "
        "latencies are Blackfin core cycles; fragmentation is measured as the kernel does.",
        "  bfsim alloc --allocator buddy --workload workloads/suite/launch.bfa.zst --mem 32M "
        "--json\n"
        "  bfsim alloc --allocator nommu --workload W --set alloc.nr_trim_pages=0 --plot plots/\n"
        "  bfsim alloc --compare all --workload W --mem 32M --no-db\n"
        "  bfsim alloc --allocator slab --workload W --check --dump-events slab.events");
    bf_opts_add(o, "allocator,a", BF_OPT_STRING, NULL,
                "bootmem|buddy|slab|slob|pa2|np2|nommu|tlsf");
    bf_opts_add(o, "compare", BF_OPT_STRING, NULL,
                "all, or a comma-separated list: one column per allocator");
    bf_opts_add(o, "workload,w", BF_OPT_STRING, NULL, "allocation trace");
    bf_opts_add(o, "workload-format", BF_OPT_STRING, "auto", "auto|native|ftrace|malloclab|ltrace");
    bf_opts_add(o, "config,c", BF_OPT_MULTI, NULL,
                "machine config (default: the uClinux default on an EZ-KIT: I-cache, 32 KB "
                "write-back D-cache)");
    bf_opts_add(o, "set", BF_OPT_MULTI, NULL, "override a config key (alloc.nr_trim_pages=0, ...)");
    bf_opts_add(o, "mem", BF_OPT_STRING, NULL, "managed memory, same as --set alloc.mem=SIZE");
    bf_opts_add(o, "check", BF_OPT_FLAG, NULL, "verify every invariant after every operation");
    bf_opts_add(
        o, "check-every", BF_OPT_STRING, NULL,
        "verify every invariant after every Nth operation and at the end (implies --check)");
    bf_opts_add(o, "sample-every", BF_OPT_STRING, "1000", "time-series sample period, operations");
    bf_opts_add(o, "dump-events", BF_OPT_STRING, NULL,
                "write INDEX OP ID RESULT per operation to FILE");
    bf_opts_add(o, "plot", BF_OPT_STRING, NULL, "write gnuplot scripts and PNGs into DIR");
    bf_opts_add(o, "json", BF_OPT_FLAG, NULL, "print one JSON object");
    bf_opts_add(o, "format", BF_OPT_STRING, "text",
                "--compare table format: text|markdown|csv|json");
    bf_opts_add(o, "db", BF_OPT_STRING, NULL, "results database (default results/bfsim.db)");
    bf_opts_add(o, "no-db", BF_OPT_FLAG, NULL, "do not store the run");
    bf_opts_add(o, "quiet,q", BF_OPT_FLAG, NULL, "no progress line on a terminal");
    bf_opts_add(o, "html", BF_OPT_STRING, NULL,
                "also write DIR/index.html, the report of these runs (as `bfsim report`)");
    int rc = bf_cmd_parse(o, cmd, argc, argv);
    if (rc >= 0) {
        bf_opts_free(o);
        return rc;
    }
    const char *an = bf_opts_get(o, "allocator"), *cmp = bf_opts_get(o, "compare");
    const char *workload = bf_opts_get(o, "workload");
    bf_machine *m = NULL;
    alloc_job *jobs = NULL;
    int64_t *run_ids = NULL;
    const bf_alloc_methods **ams = NULL;
    size_t njobs = 0, ndone = 0;
    bf_results *db = NULL;
    FILE *dump = NULL;
    bf_file_out dumpf = {NULL, NULL, NULL, 0}; /* renamed into place only if the command succeeds */
    const char **files = NULL;
    if ((!an == !cmp) || !workload) {
        rc = bf_cmd_fail(cmd, 2, "%s",
                         !workload ? "--workload FILE is required"
                                   : "give exactly one of --allocator NAME and --compare LIST");
        goto out;
    }
    int aformat = BF_AFMT_AUTO;
    if (strcmp(bf_opts_get(o, "workload-format"), "auto") &&
        (aformat = bf_aformat_from_name(bf_opts_get(o, "workload-format"))) < 0) {
        rc = bf_cmd_fail(cmd, 2, "--workload-format: unknown format '%s'",
                         bf_opts_get(o, "workload-format"));
        goto out;
    }
    /* the allocators, by name */
    size_t nall;
    const bf_alloc_methods *const *all = bf_alloc_all(&nall);
    ams = bf_calloc(nall + 1, sizeof *ams);
    if (!ams) {
        rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (allocator list)");
        goto out;
    }
    if (an || strcmp(cmp, "all")) {
        char list[512];
        snprintf(list, sizeof list, "%s", an ? an : cmp);
        for (char *t = strtok(list, ","); t; t = strtok(NULL, ",")) {
            const bf_alloc_methods *a = bf_alloc_find(t);
            if (!a) {
                rc = bf_cmd_fail(
                    cmd, 2, "unknown allocator '%s' (bootmem|buddy|slab|slob|pa2|np2|nommu|tlsf)",
                    t);
                goto out;
            }
            if (njobs < nall)
                ams[njobs++] = a;
        }
    } else {
        for (size_t i = 0; i < nall; i++)
            ams[njobs++] = all[i];
    }
    /* the machine */
    m = bf_calloc(1, sizeof *m);
    size_t nc = bf_opts_count(o, "config"), ns = bf_opts_count(o, "set");
    files = bf_calloc(nc + 1, sizeof *files);
    /* Without --config the machine is the uClinux default on an EZ-KIT (as
    ** configs/ezkit-icache-dcacheAB-wb.ini): I-cache on, both data banks' upper halves a 32 KB
    ** write-back D-cache, the Linux CPLB manager. Given first, so --set overrides it. */
    static const char *const uclinux_default[] = {"machine.name=uclinux-default",
                                                  "l1.dmc=11",
                                                  "l1.dcbs=0",
                                                  "l1.imc=1",
                                                  "cplb.policy=linux",
                                                  "cplb.dcplb_enable=1",
                                                  "cplb.icplb_enable=1",
                                                  "linux.dcache=wb",
                                                  "linux.icache=1"};
    const size_t ndef = nc ? 0 : BF_ARRAY_SIZE(uclinux_default);
    const char **sets = bf_calloc(ns + ndef + 2, sizeof *sets);
    char memset_kv[64];
    if (!m || !files || !sets) {
        free(sets);
        rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (machine config)");
        goto out;
    }
    for (size_t i = 0; i < nc; i++)
        files[i] = bf_opts_get_at(o, "config", i);
    size_t nsets = 0;
    for (size_t i = 0; i < ndef; i++)
        sets[nsets++] = uclinux_default[i];
    if (bf_opts_get(o, "mem")) {
        snprintf(memset_kv, sizeof memset_kv, "alloc.mem=%s", bf_opts_get(o, "mem"));
        sets[nsets++] = memset_kv;
    }
    for (size_t i = 0; i < ns; i++)
        sets[nsets++] = bf_opts_get_at(o, "set", i);
    char err[1024], warn[512];
    int lrc = bf_machine_load(m, files, nc, sets, nsets, err, sizeof err, warn, sizeof warn);
    free(sets);
    if (lrc) {
        rc = bf_cmd_fail(cmd, 2, "%s", err);
        goto out;
    }
    char *end;
    const char *se = bf_opts_get(o, "sample-every");
    errno = 0;
    unsigned long long every = strtoull(se, &end, 10);
    if (*end || !*se || *se == '-' || *se == '+' || errno == ERANGE || every == 0) {
        rc = bf_cmd_fail(cmd, 2,
                         "--sample-every: '%s' is not a number of operations from 1 to 2^64-1", se);
        goto out;
    }
    const char *tf = bf_opts_get(o, "format");
    if (strcmp(tf, "text") && strcmp(tf, "markdown") && strcmp(tf, "csv") && strcmp(tf, "json")) {
        rc = bf_cmd_fail(cmd, 2, "%s", "--format expects text, markdown, csv or json");
        goto out;
    }
    if (bf_opts_has(o, "json") && strcmp(tf, "text") && strcmp(tf, "json")) {
        rc = bf_cmd_fail(cmd, 2, "--json and --format %s contradict each other: give one", tf);
        goto out;
    }
    if ((rc = bf_cmd_db_options(o, cmd)) >= 0)
        goto out;
    int check_every = bf_opts_has(o, "check") ? 1 : 0;
    if (bf_opts_get(o, "check-every")) {
        long ce = strtol(bf_opts_get(o, "check-every"), &end, 10);
        if (*end || ce < 1 || ce > 1000000000) {
            rc = bf_cmd_fail(cmd, 2, "--check-every: '%s' is not a number from 1",
                             bf_opts_get(o, "check-every"));
            goto out;
        }
        check_every = (int)ce;
    }
    const char *plotdir = bf_opts_get(o, "plot");
    if (plotdir && mkdir(plotdir, 0777) != 0 && errno != EEXIST) {
        rc = bf_cmd_fail(cmd, 2, "--plot: cannot create the directory: %s", strerror(errno));
        goto out;
    }
    const char *dumpp = bf_opts_get(o, "dump-events");
    if (dumpp && (bf_file_same(dumpp, workload) || bf_file_same(dumpp, bf_opts_get(o, "db")))) {
        rc = bf_cmd_fail(cmd, 2,
                         "--dump-events %s is an input of this command: refusing to overwrite it",
                         dumpp);
        goto out;
    }
    if (dumpp) {
        if (bf_file_open(&dumpf, dumpp, err, sizeof err)) {
            rc = bf_cmd_fail(cmd, 2, "--dump-events: cannot write the file: %s", err);
            goto out;
        }
        dump = dumpf.f;
    }
    struct stat wst;
    if (njobs > 1 &&
        (!strcmp(workload, "-") || (stat(workload, &wst) == 0 && !S_ISREG(wst.st_mode)))) {
        rc = bf_cmd_fail(cmd, 2,
                         "--workload %s: --compare reads the workload once per allocator; "
                         "give a regular file, not a pipe or stdin",
                         workload);
        goto out;
    }
    bf_cmd_install_signals();
    if (!bf_opts_has(o, "no-db") && (rc = bf_cmd_open_db(o, cmd, 1, &db)) >= 0)
        goto out;
    if (bf_opts_get(o, "html") && !db) {
        rc = bf_cmd_fail(cmd, 2, "%s", "--html reports stored runs: it cannot go with --no-db");
        goto out;
    }
    jobs = bf_calloc(njobs, sizeof *jobs);
    run_ids = bf_calloc(njobs, sizeof *run_ids);
    if (!jobs || !run_ids) {
        rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (job table)");
        goto out;
    }
    char cmdline[4096];
    bf_cmd_line(argc, argv, cmdline, sizeof cmdline);
    rc = -1;
    for (size_t i = 0; i < njobs && rc < 0; i++) {
        const bf_alloc_methods *am = ams[i];
        int64_t run_id = 0;
        if (db) {
            size_t clen = bf_machine_text(m, NULL, 0);
            char *ctext = bf_malloc(clen + 64), chash[65], cname[200];
            if (!ctext) {
                rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (config text)");
                break;
            }
            bf_machine_text(m, ctext, clen + 1);
            bf_sha256_text(ctext, clen, chash);
            snprintf(cname, sizeof cname, "%s/%s", m->name, am->name);
            bf_run_info ri;
            bf_cmd_run_info(&ri, "alloc", cmdline);
            ri.config_name = cname;
            ri.config_text = ctext;
            ri.config_hash = chash;
            ri.workload_path = workload;
            ri.workload_hash = NULL; /* stored with the metrics, once the workload is read */
            int brc = bf_results_begin(db, &ri, &run_id, err, sizeof err);
            free(ctext);
            if (brc) {
                rc = bf_cmd_db_fail(cmd, err);
                break;
            }
        }
        char plabel[160];
        snprintf(plabel, sizeof plabel, "alloc %zu/%zu %s", i + 1, njobs, am->name);
        series_sink sink = {db,
                            NULL,
                            0,
                            bf_cmd_progress(o, bf_opts_has(o, "json") || !strcmp(tf, "json"),
                                            plabel, "operations", workload),
                            NULL,
                            0};
        char datapath[1100];
        bf_file_out plotf = {NULL, NULL, NULL, 0};
        if (plotdir) {
            snprintf(datapath, sizeof datapath, "%s/%s.dat", plotdir, am->name);
            if (bf_file_open(&plotf, datapath, err, sizeof err)) {
                bf_progress_end(sink.prog);
                if (db)
                    bf_results_abort(db, "failed");
                rc = bf_cmd_fail(cmd, 2, "--plot: %s", err);
                break;
            }
            sink.plot = plotf.f;
        }
        bf_areplay_opts ro;
        memset(&ro, 0, sizeof ro);
        ro.check_every_op = check_every;
        ro.sample_every = every;
        ro.dump_events = njobs == 1 ? dump : NULL;
        ro.on_sample = on_sample;
        ro.arg = &sink;
        ro.keep_samples = db != NULL;
        ro.stop = &bf_stop_flag;
        int jrc = run_one(m, am, workload, aformat, &ro, db || bf_opts_has(o, "json"), &jobs[i],
                          err, sizeof err);
        bf_progress_end(sink.prog);
        ndone = i + 1;
        if (sink.plot && (jrc || bf_stop_flag || sink.samples < 2))
            bf_file_discard(&plotf);
        else if (sink.plot && bf_file_commit(&plotf, err, sizeof err))
            jrc = BF_EIO;
        if (jrc) {
            if (db)
                bf_results_abort(db, bf_stop_flag ? "interrupted" : "failed");
            rc = bf_cmd_fail(cmd, 2, "%s", err);
            break;
        }
        if (bf_stop_flag) {
            if (db)
                bf_results_abort(db, "interrupted");
            rc = bf_cmd_fail(cmd, 130, "%s", "interrupted");
            break;
        }
        if (plotdir && sink.samples < 2) {
            if (db)
                bf_results_abort(db, "failed");
            rc = bf_cmd_fail(cmd, 2,
                             "--plot: %s has fewer than 2 samples: lower --sample-every "
                             "(the workload is shorter than two sample periods)",
                             datapath);
            break;
        }
        char title[256];
        snprintf(title, sizeof title, "%s, nr_trim_pages %u, %u MB (%s)", am->name,
                 m->alloc_nr_trim_pages,
                 (m->alloc_mem_bytes ? m->alloc_mem_bytes : bf_machine_sdram_bytes(m)) >> 20,
                 m->name);
        if (plotdir && (jrc = write_plot(plotdir, am->name, title, datapath, err, sizeof err))) {
            if (db)
                bf_results_abort(db, "failed");
            rc = bf_cmd_fail(cmd, 2, "%s", err);
            break;
        }
        if (db) {
            bf_cmd_final_wait(db);
            if (bf_results_metrics_begin(db, run_id, err, sizeof err) ||
                bf_results_workload_hash(db, jobs[i].whash, err, sizeof err)) {
                bf_results_abort(db, "failed");
                rc = bf_cmd_db_fail(cmd, err);
                break;
            }
            int bad = 0;
            for (size_t k = 0; k < bf_stats_count(jobs[i].reg) && !bad; k++)
                bad = bf_results_metric(db, bf_stats_at(jobs[i].reg, k)->name,
                                        bf_stats_value(jobs[i].reg, k),
                                        bf_stats_at(jobs[i].reg, k)->unit);
            for (size_t k = 0; k < jobs[i].res.nsamples && !bad; k++) {
                const bf_areplay_sample *s = &jobs[i].res.samples[k];
                bad = bf_results_series(db, "alloc", k, "op", (double)s->op) ||
                      bf_results_series(db, "alloc", k, "free_bytes", (double)s->free_bytes) ||
                      bf_results_series(db, "alloc", k, "largest_free", (double)s->largest_free) ||
                      bf_results_series(db, "alloc", k, "live_requested",
                                        (double)s->live_requested) ||
                      bf_results_series(db, "alloc", k, "live_allocated",
                                        (double)s->live_allocated) ||
                      bf_results_series(db, "alloc", k, "failures", (double)s->failures) ||
                      bf_results_series(db, "alloc", k, "cycles", (double)s->cycles) ||
                      bf_results_series(db, "alloc", k, "unusable_order4",
                                        s->norders > 4 ? s->unusable[4] / 1000.0 : 0);
            }
            if (bad) {
                snprintf(err, sizeof err, "%s", bf_results_errmsg(db));
                bf_results_abort(db, "failed");
                rc = bf_cmd_db_fail(cmd, err);
                break;
            }
            if (bf_results_commit(db, "ok", err, sizeof err)) {
                bf_results_abort(db, "failed");
                rc = bf_cmd_db_fail(cmd, err);
                break;
            }
            run_ids[i] = run_id;
        }
    }
    if (rc >= 0)
        goto out;
    char mdesc[400];
    machine_desc(m, mdesc, sizeof mdesc);
    if (njobs == 1 && bf_opts_has(o, "json")) {
        const char *fields[] = {"allocator",     ams[0]->name,  "workload",    workload,
                                "workload_hash", jobs[0].whash, "config_name", m->name,
                                "machine",       mdesc};
        bf_report_json(stdout, fields, BF_ARRAY_SIZE(fields), m, jobs[0].reg, NULL, NULL);
    } else if (njobs == 1) {
        uint32_t mem = m->alloc_mem_bytes ? m->alloc_mem_bytes : bf_machine_sdram_bytes(m);
        printf("# bfsim alloc: %s on %s, %u KB of memory (%u KB after the kernel image and the "
               "DMA region)\n",
               ams[0]->name, workload, mem >> 10,
               (mem - m->alloc_kernel_bytes - m->alloc_dma_bytes) >> 10);
        printf("# latencies from machine %s\n", mdesc);
        for (size_t k = 0; k < bf_stats_count(jobs[0].reg); k++)
            if (!strncmp(bf_stats_at(jobs[0].reg, k)->name, "alloc.", 6)) {
                const bf_stat_desc *d = bf_stats_at(jobs[0].reg, k);
                printf("%-44s ", d->name);
                if (bf_stats_is_integer(jobs[0].reg, k))
                    printf("%20llu", (unsigned long long)bf_stats_u64(jobs[0].reg, k));
                else
                    printf("%20.4f", bf_stats_value(jobs[0].reg, k));
                printf("  %s\n", d->unit);
            }
    } else {
        bf_compare_col *cols = bf_calloc(njobs, sizeof *cols);
        if (!cols) {
            rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (comparison table)");
            goto out;
        }
        for (size_t i = 0; i < njobs; i++) {
            cols[i].name = ams[i]->name;
            cols[i].reg = jobs[i].reg;
        }
        const char *cf = bf_opts_has(o, "json") ? "json" : tf;
        if (strcmp(cf, "json")) {
            printf("%slatencies from machine %s\n", strcmp(cf, "markdown") ? "# " : "", mdesc);
            if (!strcmp(cf, "markdown"))
                printf("\n");
            bf_report_compare(stdout, cf, cols, njobs, bf_alloc_compare_rows,
                              bf_alloc_compare_nrows, 0);
        } else {
            /* the same JSON object with a "machine" member first */
            bf_report_compare_json(stdout, mdesc, cols, njobs, bf_alloc_compare_rows,
                                   bf_alloc_compare_nrows, 0);
        }
        free(cols);
    }
    rc = 0;
    if (bf_opts_get(o, "html")) {
        fflush(stdout);
        char title[300];
        snprintf(title, sizeof title, "bfsim alloc: %zu allocator%s on %s", njobs,
                 njobs > 1 ? "s" : "", workload);
        int hrc = bf_cmd_html(cmd, db, run_ids, njobs, bf_opts_get(o, "html"), title);
        if (hrc >= 0)
            rc = hrc;
    }
out:
    for (size_t i = 0; i < ndone; i++)
        job_free(&jobs[i]);
    free(jobs);
    free(run_ids);
    free(ams);
    free(files);
    free(m);
    if (dump && rc == 0 && bf_file_commit(&dumpf, err, sizeof err))
        rc = bf_cmd_fail(cmd, 2, "--dump-events: %s", err);
    else if (dump && rc != 0)
        bf_file_discard(&dumpf);
    if (db)
        bf_results_close(db);
    bf_opts_free(o);
    return rc;
}
