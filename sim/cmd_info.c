/*
** cmd_info.c: `bfsim config`, `bfsim results` and `bfsim stats`: commands that read and print,
** never simulate.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bf_cmd.h"
#include "bf_hmem.h"
#include "bf_report.h"

static int config_sub(const char *sub, int argc, char **argv)
{
    char cmd[32];
    snprintf(cmd, sizeof cmd, "config %s", sub);
    int keys = !strcmp(sub, "keys");
    bf_opts *o = bf_opts_new(
        cmd,
        keys ? "bfsim config keys [--format text|markdown]"
             : "bfsim config show|check --config FILE [--config FILE2 ...] [--set k=v ...]",
        keys ? "List every machine configuration key with its default, unit and meaning."
        : !strcmp(sub, "show")
            ? "Print the fully resolved machine: every key with its value and where it "
              "came from (file:line, --set or default), the derived registers, and the "
              "CPLB memory layout."
            : "Check a machine description; exit 0 if it is valid, 2 with the file, line "
              "and key otherwise.",
        keys ? "  bfsim config keys --format markdown > docs/config-keys.md"
             : "  bfsim config show --config configs/ezkit-icache-dcacheAB-wb.ini\n"
               "  bfsim config check --config configs/ezkit-icache.ini --set l1.dmc=11");
    if (keys)
        bf_opts_add(o, "format", BF_OPT_STRING, "text", "text|markdown");
    else {
        bf_opts_add(o, "config,c", BF_OPT_MULTI, NULL, "machine config file (INI); repeatable");
        bf_opts_add(o, "set", BF_OPT_MULTI, NULL, "override a config key: --set key=value");
    }
    int rc = bf_cmd_parse(o, cmd, argc, argv);
    if (rc >= 0)
        goto out;
    if (keys && strcmp(bf_opts_get(o, "format"), "text") &&
        strcmp(bf_opts_get(o, "format"), "markdown")) {
        rc =
            bf_cmd_fail(cmd, 2, "--format: '%s' is not text or markdown", bf_opts_get(o, "format"));
        goto out;
    }
    if (keys) {
        int md = !strcmp(bf_opts_get(o, "format"), "markdown");
        if (md)
            printf("| key | default | unit | meaning |\n|---|---|---|---|\n");
        for (size_t i = 0; i < bf_cfg_key_count(); i++) {
            const bf_cfg_key *k = bf_cfg_key_at(i);
            if (md)
                printf("| `%s` | `%s` | %s | %s |\n", k->name, k->def[0] ? k->def : "\"\"", k->unit,
                       k->help);
            else
                printf("%-26s %-24s %-8s %s\n", k->name, k->def[0] ? k->def : "\"\"", k->unit,
                       k->help);
        }
        rc = 0;
        goto out;
    }
    size_t nc = bf_opts_count(o, "config");
    const char **files = bf_calloc(nc ? nc : 1, sizeof *files);
    bf_machine *m = bf_calloc(1, sizeof *m);
    if (!files || !m) {
        free(files);
        free(m);
        rc = bf_cmd_fail(cmd, 2, "%s", "out of host memory (config)");
        goto out;
    }
    for (size_t i = 0; i < nc; i++)
        files[i] = bf_opts_get_at(o, "config", i);
    rc = bf_cmd_machine(o, cmd, files, nc, m);
    if (rc < 0) {
        if (!strcmp(sub, "show")) {
            bf_machine_show(m, stdout);
            bf_cplb *c = NULL;
            bf_cplb_stats cs;
            if (bf_cplb_create(&m->cplb, &cs, &c) == BF_OK) {
                size_t n = bf_cplb_describe(c, NULL, 0);
                char *buf = bf_malloc(n + 1);
                if (buf) {
                    bf_cplb_describe(c, buf, n + 1);
                    printf("\n# CPLB memory layout\n%s", buf);
                    free(buf);
                }
                bf_cplb_destroy(c);
            }
        } else {
            printf("%s: ok\n", m->name);
        }
        rc = 0;
    }
    free(files);
    free(m);
out:
    bf_opts_free(o);
    return rc;
}

int bf_cmd_config(int argc, char **argv)
{
    if (argc < 2 ||
        (strcmp(argv[1], "show") && strcmp(argv[1], "check") && strcmp(argv[1], "keys"))) {
        int help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
        fprintf(help ? stdout : stderr,
                "usage: bfsim config show|check|keys [options]   (bfsim config show --help)\n"
                "  show   the resolved machine with the origin of every value\n"
                "  check  validate a machine description\n"
                "  keys   every configuration key with its default and meaning\n");
        return help ? 0 : 2;
    }
    return config_sub(argv[1], argc - 1, argv + 1);
}

int bf_cmd_results(int argc, char **argv)
{
    const char *sub = argc >= 2 ? argv[1] : "";
    if (!strcmp(sub, "merge"))
        return bf_cmd_results_merge(argc - 1, argv + 1);
    if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "export")) {
        int help = !strcmp(sub, "--help") || !strcmp(sub, "-h");
        fprintf(help ? stdout : stderr,
                "usage: bfsim results list|show RUN|export|merge [--format ...] [--db FILE]\n"
                "  list    one line per run (text|csv|json); --regression ID: that regression's\n"
                "  show    one run with its config and metrics\n"
                "  export  every run with its metrics (csv|json)\n"
                "  merge   --into F A.db B.db ...: copy the runs and regressions F lacks\n"
                "examples:\n  bfsim results list\n  bfsim results show 3 --format json\n"
                "  bfsim results list --regression 2\n"
                "  bfsim results merge --into all.db shard-1.db shard-2.db\n"
                "  bfsim results export --format csv > runs.csv\n");
        return help ? 0 : 2;
    }
    char cmd[32];
    snprintf(cmd, sizeof cmd, "results %s", sub);
    bf_opts *o = bf_opts_new(cmd, "bfsim results list|show RUN|export [--format F] [--db FILE]",
                             "Read the results database.",
                             "  bfsim results list --format csv\n  bfsim results show 1");
    bf_opts_add(o, "format", BF_OPT_STRING, !strcmp(sub, "export") ? "json" : "text",
                "output format: text|csv|json (export: csv|json)");
    bf_opts_add(o, "db", BF_OPT_STRING, NULL, "results database (default results/bfsim.db)");
    if (!strcmp(sub, "show"))
        bf_opts_positional(o, "run", 1);
    if (!strcmp(sub, "list"))
        bf_opts_add(o, "regression", BF_OPT_STRING, NULL,
                    "only the runs of this regression (bfsim regress)");
    int rc = bf_cmd_parse(o, cmd, argc - 1, argv + 1);
    if (rc >= 0)
        goto out;
    const char *fmt = bf_opts_get(o, "format");
    if (strcmp(fmt, "csv") && strcmp(fmt, "json") &&
        (strcmp(fmt, "text") || !strcmp(sub, "export"))) {
        rc = bf_cmd_fail(cmd, 2, "--format: '%s' is not supported here", fmt);
        goto out;
    }
    int64_t id = 0;
    const char *reg = !strcmp(sub, "list") ? bf_opts_get(o, "regression") : NULL;
    if (reg) {
        char *end;
        if ((id = strtoll(reg, &end, 10)) <= 0 || *end) {
            rc = bf_cmd_fail(cmd, 2, "--regression: '%s' is not a regression id", reg);
            goto out;
        }
    }
    if (!strcmp(sub, "show")) {
        const char *r = bf_opts_get(o, "run");
        char *end;
        errno = 0;
        if (!r || (id = strtoll(r, &end, 10)) <= 0 || *end || errno == ERANGE) {
            rc = bf_cmd_fail(
                cmd, 2, "expects a run id (a number from 1 to 2^63-1): bfsim results show RUN%s",
                r && errno == ERANGE ? " (the number given is too large)" : "");
            goto out;
        }
    }
    bf_results *db = NULL;
    if ((rc = bf_cmd_open_db(o, cmd, 0, &db)) >= 0)
        goto out;
    char err[1024];
    int r;
    if (!strcmp(sub, "list") && reg)
        r = bf_results_list_regression(db, id, stdout, fmt, err, sizeof err);
    else if (!strcmp(sub, "list"))
        r = bf_results_list(db, stdout, fmt, err, sizeof err);
    else if (!strcmp(sub, "show"))
        r = bf_results_show(db, id, stdout, fmt, err, sizeof err);
    else
        r = bf_results_export(db, stdout, fmt, err, sizeof err);
    bf_results_close(db);
    rc = r ? bf_cmd_fail(cmd, 2, "%s", err) : 0;
out:
    bf_opts_free(o);
    return rc;
}

int bf_cmd_stats(int argc, char **argv)
{
    bf_opts *o = bf_opts_new("stats", "bfsim stats [list] [--format text|markdown]",
                             "List every statistic bfsim can report, with its unit and meaning "
                             "(docs/stats.md is this list).",
                             "  bfsim stats list --format markdown");
    bf_opts_add(o, "format", BF_OPT_STRING, "text", "text|markdown");
    bf_opts_positional(o, "what", 1);
    int rc = bf_cmd_parse(o, "stats", argc, argv);
    if (rc >= 0)
        goto out;
    const char *w = bf_opts_get(o, "what");
    if (w && strcmp(w, "list")) {
        rc = bf_cmd_fail("stats", 2, "unknown subcommand '%s' (list)", w);
        goto out;
    }
    if (strcmp(bf_opts_get(o, "format"), "text") && strcmp(bf_opts_get(o, "format"), "markdown")) {
        rc = bf_cmd_fail("stats", 2, "--format: '%s' is not text or markdown",
                         bf_opts_get(o, "format"));
        goto out;
    }
    int md = !strcmp(bf_opts_get(o, "format"), "markdown");
    size_t nt;
    const bf_stat_table *t = bf_sim_stat_tables(&nt);
    if (md)
        printf("| name | unit | meaning |\n|---|---|---|\n");
    for (size_t i = 0; i < nt; i++)
        for (size_t j = 0; j < *t[i].count; j++) {
            const bf_stat_desc *d = &t[i].desc[j];
            if (md)
                printf("| `%s` | %s | %s |\n", d->name, d->unit, d->desc);
            else
                printf("%-44s %-14s %s\n", d->name, d->unit, d->desc);
        }
    rc = 0;
out:
    bf_opts_free(o);
    return rc;
}
