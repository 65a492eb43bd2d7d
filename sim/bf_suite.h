/*
** bf_suite.h: a regression suite file (docs/regress.md) and the job matrix it expands to.
**
** A suite is an INI file read by the machine-config loader (bf_ini_parse_file), with sections
** [suite] (name, configs, traces, set), [alloc] (allocators, workloads, mem, set) and [tolerance]
** (default and STAT-or-GLOB = relative tolerance | ignore). Paths and globs are relative to the
** suite file's folder. The jobs are sorted by job id:
**   run job    CONFIGSTEM/TRACEFILENAME        ("ezkit-icache/default.lackey.zst")
**   alloc job  alloc:ALLOCATOR/WORKLOADFILENAME ("alloc:buddy/bash-loop.bfa.zst")
** Errors name the file, the line and the key ("S:4: traces: '*.x' matches no file").
*/
#ifndef BF_SUITE_H
#define BF_SUITE_H

#include <stddef.h>

enum { BF_SUITE_RUN = 0, BF_SUITE_ALLOC = 1 };

typedef struct bf_suite_job {
    char *id;        /* job id, unique within the suite */
    int kind;        /* BF_SUITE_RUN | BF_SUITE_ALLOC */
    char *config;    /* run: machine config path */
    char *input;     /* run: trace path; alloc: workload path */
    char *allocator; /* alloc: allocator name */
} bf_suite_job;

typedef struct bf_suite_tol {
    char *pattern; /* stat name or fnmatch glob */
    double rel;    /* allowed relative change; < 0: ignore */
} bf_suite_tol;

typedef struct bf_suite {
    char *path;     /* the suite file as given */
    char name[128]; /* [suite] name */
    char hash[65];  /* SHA-256 of the file's bytes */
    char **sets;    /* [suite] set: --set for run jobs */
    size_t nsets;
    char **alloc_sets; /* [alloc] set: --set for alloc jobs */
    size_t nalloc_sets;
    char mem[32];       /* [alloc] mem ("" when not given) */
    double tol_default; /* [tolerance] default (0: exact); < 0: ignore */
    bf_suite_tol *tols; /* named tolerances, file order */
    size_t ntols;
    bf_suite_job *jobs; /* sorted by id */
    size_t njobs;
} bf_suite;

/* Load and expand. 0, or an error code with "FILE:LINE: key: reason" in err. */
int bf_suite_load(const char *path, bf_suite *s, char *err, size_t errn);
/* The same on text in memory (n bytes) standing for the file at path (for the fuzz target). */
int bf_suite_load_text(const char *text, size_t n, const char *path, bf_suite *s, char *err,
                       size_t errn);
void bf_suite_free(bf_suite *s);
/* The job with that id, or NULL. */
const bf_suite_job *bf_suite_find(const bf_suite *s, const char *id);
/* The tolerance of a stat: the exact name wins, then the longest matching glob, then default;
** host-time statistics (alloc.host.*) are ignored unless named. < 0 means ignore. */
double bf_suite_tolerance(const bf_suite *s, const char *stat);

#endif
