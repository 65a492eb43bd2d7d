/*
** bf_htmlreport.h: `bfsim report`, `compare --html`: one self-contained HTML page (inline CSS and
** SVG, no script, no network) of runs stored in a results database.
**
** The page has, for the machine simulations among the runs (commands run and compare): the
** comparison table, the stall breakdown as stacked bars whose totals are core.cycles, miss rates
** per cache, SDRAM row hit/miss/conflict shares, the SDRAM read-latency histogram, the cache set
** heatmaps of the runs recorded with --set-stats, and the phases of traces with phase markers;
** for the allocator runs (command alloc): the comparison table, free memory, largest free block
** and unusable-free-space index over time, internal fragmentation and latency percentiles.
** Every chart is SVG written here directly (docs/report.md says why); every number in the tables
** is the stored value. With a regression (regress --html, report --regression): its moved
** statistics with baseline, now, change and tolerance, and each moved statistic's trend over the
** stored regressions of the suite. A caller can also append sections of its own.
**
** The page is written to DIR/index.html through a temporary file in DIR renamed over it, so a
** reader never sees half a page and a failure leaves the previous page (if any) in place.
*/
#ifndef BF_HTMLREPORT_H
#define BF_HTMLREPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bf_regdb.h"
#include "bf_results.h"

typedef struct bf_htmlreport_opts {
    const char *title; /* page heading; NULL: "bfsim report" */
    /* More sections after the built-in ones (or NULL): write HTML to f, return 0 or -1. */
    int (*extra)(FILE *f, void *arg);
    void *extra_arg;
    /* The regression section (NULL: none): the moves in report order; id 0 for a comparison
    ** not stored as a regression (regress --from-db), whose trend then spans every regression. */
    const bf_regdb_regression *reg;
} bf_htmlreport_opts;

/* Write DIR/index.html (DIR is created if missing) for runs ids[0..n) in that order. Returns
** BF_OK; BF_EINPUT (n == 0, an unknown run id, a run that has no metrics), BF_EIO (the
** directory or file) or BF_EDB, with a message naming the run, file or database. */
int bf_htmlreport_write(bf_results *db, const int64_t *ids, size_t n, const char *dir,
                        const bf_htmlreport_opts *opts, char *err, size_t errn);

/* The ids of the last `last` runs with status ok or fault (newest last) into *ids (malloc'd;
** the caller frees) and their count into *n. BF_EINPUT if there are none. */
int bf_htmlreport_last_runs(bf_results *db, size_t last, int64_t **ids, size_t *n, char *err,
                            size_t errn);

#endif
