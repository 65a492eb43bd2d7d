/*
** bf_cmd.h: the commands of the bfsim CLI and the helpers they share (bfsim.c).
*/
#ifndef BF_CMD_H
#define BF_CMD_H

#include <signal.h>

#include "bf_opts.h"
#include "bf_progress.h"
#include "bf_results.h"
#include "bf_sim.h"

extern volatile sig_atomic_t bf_stop_flag;

int bf_cmd_run(int argc, char **argv);
int bf_cmd_compare(int argc, char **argv);
int bf_cmd_config(int argc, char **argv);
int bf_cmd_results(int argc, char **argv);
int bf_cmd_stats(int argc, char **argv);
int bf_cmd_trace(int argc, char **argv);
int bf_cmd_alloc(int argc, char **argv);
int bf_cmd_regress(int argc, char **argv);
int bf_cmd_results_merge(int argc, char **argv); /* `bfsim results merge` (cmd_regress.c) */
int bf_cmd_report(int argc, char **argv);
/* --html DIR of compare and alloc: the report of the runs just stored. -1 or the exit code. */
int bf_cmd_html(const char *cmd, bf_results *db, const int64_t *ids, size_t n, const char *dir,
                const char *title);
/* The same with the regression section of reg (NULL: none): regress --html, report --regression. */
struct bf_regdb_regression;
int bf_cmd_html_reg(const char *cmd, bf_results *db, const int64_t *ids, size_t n, const char *dir,
                    const char *title, const struct bf_regdb_regression *reg);

void bf_cmd_install_signals(void);
int bf_cmd_fail(const char *cmd, int code, const char *fmt, const char *msg);
int bf_cmd_parse(bf_opts *o, const char *cmd, int argc, char **argv);
int bf_cmd_machine(bf_opts *o, const char *cmd, const char *const *files, size_t nfiles,
                   bf_machine *m);
int bf_cmd_open_db(bf_opts *o, const char *cmd, int create, bf_results **db);
/* --db with --no-db is an error: -1 to go on, else the exit code. */
int bf_cmd_db_options(bf_opts *o, const char *cmd);
/* A database failure: exit 130 when a signal ended the wait for a lock, else 2. */
int bf_cmd_db_fail(const char *cmd, const char *err);
/* Before storing a finished run: wait longer for another process's lock (BF_CMD_FINAL_WAIT_MS,
** or BFSIM_DB_BUSY_MS), since giving up would throw the run away. */
#define BF_CMD_FINAL_WAIT_MS 120000
void bf_cmd_final_wait(bf_results *db);
void bf_cmd_line(int argc, char **argv, char *buf, size_t n);
void bf_cmd_run_info(bf_run_info *ri, const char *command, const char *cmdline);
/* fmtopt: the option that names the trace format ("format,f" for run, "trace-format" for compare) */
void bf_cmd_add_sim_options(bf_opts *o, const char *fmtopt);
/* --pin NAME:HOST:LEN@TARGET options into t (names stored in names). -1 or the exit code. */
int bf_cmd_pins(bf_opts *o, const char *cmd, bf_trace_options *t, char names[][64]);
int bf_cmd_sim_options(bf_opts *o, const char *cmd, bf_sim_opts *so, const char *fmtopt);

/* The progress line of a command (NULL unless stderr is a terminal, not --quiet, not json) for
** work on the file path (its size gives the percent); bf_cmd_progress_replay is the replay
** engine's on_progress with the bf_progress as its context. */
bf_progress *bf_cmd_progress(bf_opts *o, int json, const char *label, const char *unit,
                             const char *path);
void bf_cmd_progress_replay(void *ctx, uint64_t records, uint64_t bytes_read);

/* Store a finished simulation: metrics (every registered stat), faults and phase series, then
** the status, in one transaction. Returns -1 on success, else the exit code (2). */
typedef struct bf_cmd_fault_log bf_cmd_fault_log;
int bf_cmd_store_sim(bf_results *db, int64_t run_id, const bf_sim *sim, bf_cmd_fault_log *faults,
                     const char *status, const char *cmd);

#endif
