/*
** bf_report.h: output of statistics and runs: JSON (one object), text, CSV and Markdown tables.
** Numbers are printed exactly: integers as integers, doubles with %.17g, so the same run prints
** the same bytes everywhere.
*/
#ifndef BF_REPORT_H
#define BF_REPORT_H

#include <stdio.h>

#include "bf_config.h"
#include "bf_json.h"
#include "bf_stats.h"

/* {"run": {...}, "config": {...}, "stats": {...}} and a newline; run_fields are alternating key,
** value strings. extra (may be NULL) writes more members (key and value) into the object after
** "stats". */
void bf_report_json(FILE *f, const char *const *run_fields, size_t nrun, const bf_machine *m,
                    const bf_stats *reg, void (*extra)(bf_jw *w, const void *arg), const void *arg);
void bf_report_text(FILE *f, const bf_stats *reg, int skip_zero);
/* The stall breakdown: busy cycles and every stall counter (core.stall.* but the total, l1.stall.*)
** with its share of core.cycles, and their sum, which equals core.cycles. */
void bf_report_stalls(FILE *f, const bf_stats *reg);

/* A comparison table: one column per machine; rows are the given stat names; a speed-up row
** (core.cycles of column 0 divided by each column's) is appended when speedup is set. */
typedef struct bf_compare_col {
    const char *name;
    const bf_stats *reg;
} bf_compare_col;
/* format text|markdown|csv|json; returns 0. */
int bf_report_compare(FILE *f, const char *format, const bf_compare_col *cols, size_t ncols,
                      const char *const *rows, size_t nrows, int speedup);
/* The JSON table, {"configs": [names], "rows": {stat: [values]}} and a newline, with a first member
** "machine" when machine is not NULL. */
void bf_report_compare_json(FILE *f, const char *machine, const bf_compare_col *cols, size_t ncols,
                            const char *const *rows, size_t nrows, int speedup);

/* The rows of `compare` (and of the report's comparison table) and of `alloc --compare`. */
extern const char *const bf_compare_rows[];
extern const size_t bf_compare_nrows;
extern const char *const bf_alloc_compare_rows[];
extern const size_t bf_alloc_compare_nrows;

#endif
