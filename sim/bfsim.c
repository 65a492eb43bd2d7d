/*
** bfsim.c: the command line. `bfsim <command> [options]`; every command has --help with examples.
**
** Exit codes: 0 success; 1 internal failure; 2 usage, configuration, input or database error
** (nothing half-written is left behind); 3 the simulated program faulted (--on-fault=stop);
** 130 interrupted by SIGINT/SIGTERM (the run is recorded as interrupted, without metrics).
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bf_cmd.h"
#include "bf_hmem.h"
#include "bf_opts.h"
#include "bf_report.h"
#include "bf_results.h"
#include "bf_sim.h"
#include "bf_strbuf.h"

#ifndef BF_VERSION
#define BF_VERSION "0.0.0"
#endif
#include "bf_gitrev.h" /* BF_GIT_REV, generated at build time (cmake/gitrev.cmake) */

volatile sig_atomic_t bf_stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    bf_stop_flag = 1;
}

/* Until a command installs on_signal (it then checks bf_stop_flag in its loops), SIGINT, SIGTERM
** and SIGHUP end the process at once with exit 130: nothing has been written yet, or only by
** SQLite transactions, which a dead process leaves intact. */
static void on_signal_exit(int sig)
{
    (void)sig;
    _exit(130);
}

/* SIGINT, SIGTERM and SIGHUP (a closed terminal ends the run as interrupted, too) to handler */
static void install_stop_signals(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

void bf_cmd_install_signals(void)
{
    install_stop_signals(on_signal);
}

int bf_cmd_db_fail(const char *cmd, const char *err)
{
    if (bf_stop_flag)
        return bf_cmd_fail(cmd, 130, "interrupted while waiting for the results database (%s)",
                           err);
    return bf_cmd_fail(cmd, 2, "%s", err);
}

static const char *wait_cmd = "";

static void on_db_wait(const char *path, int max_ms)
{
    fprintf(stderr,
            "bfsim %s: results database '%s' is locked by another process; waiting up to "
            "%d s (Ctrl-C to give up)\n",
            wait_cmd, path, max_ms / 1000);
}

static int env_busy_ms(void)
{
    const char *busy = getenv("BFSIM_DB_BUSY_MS");
    return busy ? atoi(busy) : 0;
}

void bf_cmd_final_wait(bf_results *db)
{
    int ms = env_busy_ms();
    bf_results_set_busy_timeout(db, ms > 0 ? ms : BF_CMD_FINAL_WAIT_MS);
}

int bf_cmd_fail(const char *cmd, int code, const char *fmt, const char *msg)
{
    if (bf_stop_flag && code != 0) {
        /* a signal arrived: whatever failed after it (an interrupted read, a lock wait given
        ** up) is the interruption, exit 130 */
        fprintf(stderr, "bfsim %s: interrupted\n", cmd);
        return 130;
    }
    fprintf(stderr, "bfsim %s: ", cmd);
    fprintf(stderr, fmt, msg);
    fputc('\n', stderr);
    return code;
}

/* Parse options; returns -1 to go on, else the exit code (0 after --help). */
int bf_cmd_parse(bf_opts *o, const char *cmd, int argc, char **argv)
{
    char err[512];
    int rc = bf_opts_parse(o, argc, argv, err, sizeof err);
    if (rc == 1) {
        bf_opts_help(o, stdout);
        return 0;
    }
    if (rc) {
        fprintf(stderr, "%s\n(see `bfsim %s --help`)\n", err, cmd);
        return 2;
    }
    return -1;
}

/* Load the machine from the --config files (count n, option name opt) and --set overrides. */
int bf_cmd_machine(bf_opts *o, const char *cmd, const char *const *files, size_t nfiles,
                   bf_machine *m)
{
    size_t ns = bf_opts_count(o, "set");
    const char **sets = bf_calloc(ns ? ns : 1, sizeof *sets);
    if (!sets)
        return bf_cmd_fail(cmd, 2, "%s", "out of host memory (the --set list)");
    for (size_t i = 0; i < ns; i++)
        sets[i] = bf_opts_get_at(o, "set", i);
    char err[1024], warn[512];
    int rc = bf_machine_load(m, files, nfiles, sets, ns, err, sizeof err, warn, sizeof warn);
    free(sets);
    if (rc)
        return bf_cmd_fail(cmd, 2, "%s", err);
    if (warn[0])
        fprintf(stderr, "bfsim %s: %s\n", cmd, warn);
    return -1;
}

static const char *default_db = "results/bfsim.db";

/* Open the results database named by --db (default results/bfsim.db; its directory is created
** if missing). Returns -1 on success, else the exit code. */
int bf_cmd_db_options(bf_opts *o, const char *cmd)
{
    if (bf_opts_get(o, "db") && bf_opts_has(o, "no-db"))
        return bf_cmd_fail(cmd, 2, "%s", "--db FILE and --no-db contradict each other: give one");
    return -1;
}

int bf_cmd_open_db(bf_opts *o, const char *cmd, int create, bf_results **db)
{
    const char *path = bf_opts_get(o, "db");
    if (!path) {
        path = default_db;
        if (create && mkdir("results", 0777) != 0 && errno != EEXIST)
            return bf_cmd_fail(cmd, 2, "cannot create results/: %s", strerror(errno));
    }
    char err[1024];
    bf_results_open_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.create = create;
    /* BFSIM_DB_BUSY_MS: how long to wait for another process's lock (default 5 s) */
    ro.busy_timeout_ms = env_busy_ms();
    ro.stop = &bf_stop_flag;
    ro.on_wait = on_db_wait;
    wait_cmd = cmd;
    if (bf_results_open_ex(path, &ro, db, err, sizeof err))
        return bf_cmd_db_fail(cmd, err);
    return -1;
}

static void host_name(char *buf, size_t n)
{
    if (gethostname(buf, n) != 0)
        snprintf(buf, n, "unknown");
    buf[n - 1] = 0;
}

/* The command line as one string, for the runs table. */
void bf_cmd_line(int argc, char **argv, char *buf, size_t n)
{
    bf_strbuf b = bf_strbuf_on(buf, n);
    bf_strbuf_printf(&b, "bfsim");
    for (int i = 0; i < argc && !bf_strbuf_truncated(&b); i++)
        bf_strbuf_printf(&b, " %s", argv[i]);
}

void bf_cmd_run_info(bf_run_info *ri, const char *command, const char *cmdline)
{
    static char host[256];
    host_name(host, sizeof host);
    memset(ri, 0, sizeof *ri);
    ri->command = command;
    ri->command_line = cmdline;
    ri->version = BF_VERSION;
    ri->git_rev = BF_GIT_REV;
    ri->host = host;
    ri->engine = "c";
}

/* ------------------------------------------------------------------------------------------ */
/* Trace and replay options shared by run and compare. */

void bf_cmd_add_sim_options(bf_opts *o, const char *fmtopt)
{
    bf_opts_add(o, "trace,t", BF_OPT_STRING, NULL,
                "trace file (any supported format, plain, gzip or zstd)");
    bf_opts_add(o, fmtopt, BF_OPT_STRING, "auto",
                "trace format: auto|native|binary|lackey|din|xdin");
    bf_opts_add(o, "set", BF_OPT_MULTI, NULL,
                "override a config key: --set l1.wbuf_depth=8 (repeatable)");
    bf_opts_add(o, "compat", BF_OPT_STRING, "none", "counting conventions: none|cachegrind");
    bf_opts_add(o, "on-fault", BF_OPT_STRING, "stop", "on a simulated fault: stop|report|continue");
    bf_opts_add(o, "on-hazard", BF_OPT_STRING, "report",
                "on a DMA/cache coherency hazard: report|stop|ignore (docs/dma-coherency.md)");
    bf_opts_add(o, "map", BF_OPT_STRING, "first-touch",
                "foreign-trace address mapping: first-touch|identity");
    bf_opts_add(o, "map-window", BF_OPT_STRING, "65536",
                "first-touch window in bytes (power of two, >= 64K)");
    bf_opts_add(o, "misaligned", BF_OPT_STRING, NULL,
                "misaligned foreign references: split|fault|count-once (default split; count-once "
                "with --compat=cachegrind)");
    bf_opts_add(o, "classify-misses", BF_OPT_FLAG, NULL,
                "split misses into compulsory/capacity/conflict");
    bf_opts_add(o, "set-stats", BF_OPT_FLAG, NULL,
                "count line fills and evictions per cache set and way (stored for `bfsim report` "
                "heatmaps)");
    bf_opts_add(o, "quiet,q", BF_OPT_FLAG, NULL, "no progress line on a terminal");
    bf_opts_add(o, "pin", BF_OPT_MULTI, NULL,
                "place a host range of a foreign trace at a BF533 address, e.g. code into L1: "
                "--pin text:0x401000:0x8000@0xFFA00000 (repeatable, at most 8)");
}

int bf_cmd_pins(bf_opts *o, const char *cmd, bf_trace_options *t, char names[][64])
{
    size_t n = bf_opts_count(o, "pin");
    if (n > BF_TRACE_MAX_PINS)
        return bf_cmd_fail(cmd, 2, "--pin: at most %s ranges", "8");
    for (size_t i = 0; i < n; i++) {
        const char *e = bf_trace_pin_parse(bf_opts_get_at(o, "pin", i), &t->pins[i], names[i], 64);
        if (e) {
            char msg[300];
            snprintf(msg, sizeof msg, "%s: %s", bf_opts_get_at(o, "pin", i), e);
            return bf_cmd_fail(cmd, 2, "--pin %s", msg);
        }
    }
    t->npins = (int)n;
    return -1;
}

/* The index of v in the NULL-terminated names, or -1. */
static int choice(const char *v, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(v, names[i]))
            return i;
    return -1;
}

int bf_cmd_sim_options(bf_opts *o, const char *cmd, bf_sim_opts *so, const char *fmtopt)
{
    memset(so, 0, sizeof *so);
    bf_trace_options_default(&so->topt);
    char fname[32];
    snprintf(fname, sizeof fname, "%.*s", (int)strcspn(fmtopt, ","), fmtopt);
    const char *f = bf_opts_get(o, fname);
    if (f && strcmp(f, "auto") != 0) {
        int fmt = bf_trace_format_from_name(f);
        if (fmt < 0)
            return bf_cmd_fail(cmd, 2,
                               "unknown trace format '%s' (auto|native|binary|lackey|din|xdin)", f);
        so->topt.format = fmt;
    }
    const char *c = bf_opts_get(o, "compat");
    if (!strcmp(c, "cachegrind"))
        so->ropt.compat = BF_COMPAT_CACHEGRIND;
    else if (strcmp(c, "none"))
        return bf_cmd_fail(cmd, 2, "--compat: '%s' is not none or cachegrind", c);
    /* policy names in the order of their BF_ONFAULT_* / BF_ONHAZARD_* values */
    static const char *const onfault[] = {"stop", "report", "continue", NULL};
    static const char *const onhazard[] = {"report", "stop", "ignore", NULL};
    const char *p = bf_opts_get(o, "on-fault");
    if ((so->ropt.on_fault_policy = choice(p, onfault)) < 0)
        return bf_cmd_fail(cmd, 2, "--on-fault: '%s' is not stop, report or continue", p);
    p = bf_opts_get(o, "on-hazard");
    if ((so->ropt.on_hazard_policy = choice(p, onhazard)) < 0)
        return bf_cmd_fail(cmd, 2, "--on-hazard: '%s' is not report, stop or ignore", p);
    const char *mp = bf_opts_get(o, "map");
    if (!strcmp(mp, "identity"))
        so->topt.map_mode = BF_MAPMODE_IDENTITY;
    else if (!strcmp(mp, "first-touch"))
        so->topt.map_mode = BF_MAPMODE_FIRST_TOUCH;
    else
        return bf_cmd_fail(cmd, 2, "--map: '%s' is not first-touch or identity", mp);
    char *end;
    errno = 0;
    unsigned long long w = strtoull(bf_opts_get(o, "map-window"), &end, 0);
    if (*end || errno || w > 0x80000000ull)
        return bf_cmd_fail(cmd, 2,
                           "--map-window: '%s' is not a number of bytes up to 2 GB (the largest "
                           "power of two in the 32-bit address space)",
                           bf_opts_get(o, "map-window"));
    if (w < 65536 || (w & (w - 1)))
        return bf_cmd_fail(cmd, 2, "--map-window: '%s' is not a power of two >= 65536",
                           bf_opts_get(o, "map-window"));
    so->topt.map_window = (uint32_t)w;
    const char *mis = bf_opts_get(o, "misaligned");
    if (mis) {
        so->misaligned_set = 1;
        if (!strcmp(mis, "split"))
            so->topt.misaligned = BF_MISALIGNED_SPLIT;
        else if (!strcmp(mis, "fault"))
            so->topt.misaligned = BF_MISALIGNED_FAULT;
        else if (!strcmp(mis, "count-once"))
            so->topt.misaligned = BF_MISALIGNED_COUNT_ONCE;
        else
            return bf_cmd_fail(cmd, 2, "--misaligned: '%s' is not split, fault or count-once", mis);
    }
    int prc = bf_cmd_pins(o, cmd, &so->topt, so->pin_names);
    if (prc >= 0)
        return prc;
    so->ropt.stop = &bf_stop_flag;
    so->set_stats = bf_opts_has(o, "set-stats");
    return -1;
}

bf_progress *bf_cmd_progress(bf_opts *o, int json, const char *label, const char *unit,
                             const char *path)
{
    return bf_progress_begin(bf_progress_wanted(bf_opts_has(o, "quiet"), json), label, unit,
                             bf_progress_file_size(path));
}

void bf_cmd_progress_replay(void *ctx, uint64_t records, uint64_t bytes_read)
{
    bf_progress_update(ctx, records, bytes_read);
}

/* ------------------------------------------------------------------------------------------ */

typedef struct cmd_entry {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} cmd_entry;

static const cmd_entry commands[] = {
    {"run", bf_cmd_run, "simulate one machine on one trace"},
    {"compare", bf_cmd_compare, "the same trace on several machines, side by side"},
    {"config", bf_cmd_config, "show, check or list machine configuration keys"},
    {"results", bf_cmd_results, "list, show or export runs in the results database"},
    {"stats", bf_cmd_stats, "list every statistic with its unit and meaning"},
    {"trace", bf_cmd_trace, "convert, summarise or print traces"},
    {"alloc", bf_cmd_alloc, "run an allocation workload on a simulated allocator"},
    {"regress", bf_cmd_regress, "run a suite of jobs and compare them with a baseline"},
    {"report", bf_cmd_report, "write an HTML page with charts of stored runs"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "bfsim %s (%s): Blackfin BF531/BF532/BF533 memory-system simulator\n\n"
            "usage: bfsim <command> [options]   (bfsim <command> --help for each)\n\ncommands:\n",
            BF_VERSION, BF_GIT_REV);
    for (size_t i = 0; i < BF_ARRAY_SIZE(commands); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nexamples:\n"
               "  bfsim run --config configs/ezkit-icache-dcacheAB-wb.ini --trace "
               "workloads/suite/default.lackey.zst\n"
               "  bfsim compare --configs configs/ezkit-*.ini --trace "
               "workloads/suite/default.lackey.zst\n");
}

int main(int argc, char **argv)
{
    bf_hmem_init();
    bf_results_use_host_allocator();
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("bfsim %s (%s)\n", BF_VERSION, BF_GIT_REV);
        return 0;
    }
    install_stop_signals(on_signal_exit);
    for (size_t i = 0; i < BF_ARRAY_SIZE(commands); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "bfsim: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
