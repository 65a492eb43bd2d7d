/*
** bf_progress.h: one live status line on stderr for long commands (run, compare, alloc, trace
** convert, trace stats, regress).
**
** The line says what is being done, how many records or operations are done, the rate, and
** where the input's size is known the percent and the ETA (from the bytes of the file read so
** far, compressed bytes for a compressed file), or, for work counted in units whose total is
** known (regress: jobs), done/total with the percent and ETA from the units. It is drawn only on a terminal: never on a
** pipe or a file, never in --json mode, never with --quiet (bf_progress_wanted decides once).
** Redraws are throttled to BF_PROGRESS_PERIOD_MS; bf_progress_end clears the line, so the
** command's own output starts on a clean line. Host time is used only to draw: nothing the
** simulator computes depends on it.
**
** A NULL bf_progress is valid everywhere and does nothing, so callers need no branches.
*/
#ifndef BF_PROGRESS_H
#define BF_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#define BF_PROGRESS_PERIOD_MS 250 /* at most four redraws a second */

typedef struct bf_progress bf_progress;

/* 1 if a progress line should be shown: stderr is a terminal and neither quiet nor json. */
int bf_progress_wanted(int quiet, int json);

/* A progress line for work on one input of total_bytes (0: size unknown, no percent or ETA);
** unit names what is counted ("records", "operations"). Returns NULL when !enabled or out of
** memory (no progress is shown; not an error). */
bf_progress *bf_progress_begin(int enabled, const char *label, const char *unit,
                               uint64_t total_bytes);
/* Size of a file for total_bytes: 0 for a pipe, stdin ("-") or an unreadable path. */
uint64_t bf_progress_file_size(const char *path);
/* Change the label between steps (compare: "config 2/5 ezkit-icache"). */
void bf_progress_label(bf_progress *p, const char *label);
/* The work is `total` units (bf_progress_total_units): the line shows done/total and the percent
** and ETA come from the units (when no total_bytes was given). */
void bf_progress_total_units(bf_progress *p, uint64_t total);
/* A short note after the count (regress: "2 failed"); NULL or "" for none. */
void bf_progress_note(bf_progress *p, const char *note);
/* done units so far and bytes of the input read; redraws at most every BF_PROGRESS_PERIOD_MS. */
void bf_progress_update(bf_progress *p, uint64_t done, uint64_t bytes);
/* Erase the line (if drawn) before other output on stderr; the next update redraws it. */
void bf_progress_clear(bf_progress *p);
/* Clear the line (if drawn) and free. */
void bf_progress_end(bf_progress *p);

#endif
