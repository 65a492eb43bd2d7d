/*
** bf_progress.c: the live status line (see bf_progress.h).
**
** Rules:
**   1. Drawn on stderr as "\r" + text + "\033[K" (erase the rest of a longer previous line);
**      ended by "\r\033[K", which leaves the cursor at the start of an empty line.
**   2. The first update draws at once; later ones only when BF_PROGRESS_PERIOD_MS have passed
**      on CLOCK_MONOTONIC, so a caller may update as often as it likes (the replay engine does
**      every 65536 records).
**   3. rate = done / elapsed; percent = bytes / total_bytes; ETA = elapsed * (total - bytes) /
**      bytes, shown once some bytes have been read and the size is known. Work counted in units
**      of known total (no total_bytes) uses done and total_units the same way, and shows
**      "done/total unit".
** Invariant: a line is on screen iff p->drawn; every exit path through bf_progress_end clears it.
*/
#define _POSIX_C_SOURCE 200809L
#include "bf_progress.h"
#include "bf_hmem.h"
#include "bf_strbuf.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct bf_progress {
    char label[96];
    char unit[24];
    uint64_t total_bytes; /* 0: unknown */
    uint64_t total_units; /* 0: unknown */
    char note[64];
    double t0;   /* seconds, CLOCK_MONOTONIC, at begin */
    double last; /* seconds of the last draw */
    int drawn;   /* a line is on screen */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int bf_progress_wanted(int quiet, int json)
{
    return !quiet && !json && isatty(STDERR_FILENO);
}

uint64_t bf_progress_file_size(const char *path)
{
    struct stat st;
    if (!path || !strcmp(path, "-") || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    return (uint64_t)st.st_size;
}

bf_progress *bf_progress_begin(int enabled, const char *label, const char *unit,
                               uint64_t total_bytes)
{
    if (!enabled)
        return NULL;
    bf_progress *p = bf_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->label, sizeof p->label, "%s", label ? label : "");
    snprintf(p->unit, sizeof p->unit, "%s", unit ? unit : "records");
    p->total_bytes = total_bytes;
    p->t0 = now_s();
    return p;
}

void bf_progress_label(bf_progress *p, const char *label)
{
    if (p)
        snprintf(p->label, sizeof p->label, "%s", label ? label : "");
}

void bf_progress_total_units(bf_progress *p, uint64_t total)
{
    if (p)
        p->total_units = total;
}

void bf_progress_note(bf_progress *p, const char *note)
{
    if (p)
        snprintf(p->note, sizeof p->note, "%s", note ? note : "");
}

/* 1234567 -> "1.23 M"; below 10000 the plain number (below 10 with one decimal: 0.4 jobs/s). */
static void human(char *buf, size_t n, double v)
{
    if (v < 10 && v != floor(v))
        snprintf(buf, n, "%.1f", v);
    else if (v < 1e4)
        snprintf(buf, n, "%.0f", v);
    else if (v < 1e6)
        snprintf(buf, n, "%.1f k", v / 1e3);
    else if (v < 1e9)
        snprintf(buf, n, "%.2f M", v / 1e6);
    else
        snprintf(buf, n, "%.2f G", v / 1e9);
}

/* The text of one line (without "\r" and the clear). elapsed in seconds; total_units 0 and note
** NULL for a line counted by bytes. */
static void format_line(char *buf, size_t n, const char *label, const char *unit, uint64_t done,
                        uint64_t bytes, uint64_t total_bytes, uint64_t total_units,
                        const char *note, double elapsed)
{
    char d[32], r[32];
    human(d, sizeof d, (double)done);
    human(r, sizeof r, elapsed > 0 ? (double)done / elapsed : 0);
    bf_strbuf b = bf_strbuf_on(buf, n);
    if (!total_bytes && total_units) { /* counted in units: done/total, and they give the % */
        bf_strbuf_printf(&b, "%s: %" PRIu64 "/%" PRIu64 " %s%s%s, %s %s/s", label, done,
                         total_units, unit, note && *note ? ", " : "", note ? note : "", r, unit);
        bytes = done;
        total_bytes = total_units;
    } else {
        bf_strbuf_printf(&b, "%s: %s %s%s%s, %s %s/s", label, d, unit, note && *note ? ", " : "",
                         note ? note : "", r, unit);
    }
    if (bf_strbuf_truncated(&b) || !total_bytes)
        return;
    double frac = (double)bytes / (double)total_bytes;
    if (frac > 1)
        frac = 1;
    bf_strbuf_printf(&b, ", %.0f%%", frac * 100);
    if (bf_strbuf_truncated(&b) || bytes == 0)
        return;
    double eta = elapsed * (double)(total_bytes - (bytes < total_bytes ? bytes : total_bytes)) /
                 (double)bytes;
    long e = (long)(eta + 0.5);
    if (e < 60)
        bf_strbuf_printf(&b, ", ETA %ld s", e);
    else
        bf_strbuf_printf(&b, ", ETA %ld min %02ld s", e / 60, e % 60);
}

void bf_progress_update(bf_progress *p, uint64_t done, uint64_t bytes)
{
    if (!p)
        return;
    double t = now_s();
    if (p->last > 0 && (t - p->last) * 1000 < BF_PROGRESS_PERIOD_MS)
        return; /* also after a clear: a fault report is not overwritten at once */
    char line[256];
    format_line(line, sizeof line, p->label, p->unit, done, bytes, p->total_bytes, p->total_units,
                p->note, t - p->t0);
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->last = t;
    p->drawn = 1;
}

void bf_progress_clear(bf_progress *p)
{
    if (!p || !p->drawn)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->drawn = 0;
}

void bf_progress_end(bf_progress *p)
{
    bf_progress_clear(p);
    free(p);
}
