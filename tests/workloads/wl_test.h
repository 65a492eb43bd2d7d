/*
** wl_test.h: helpers shared by the workloads tests: open a trace held in a string, read every
** record, and fetch the first error message.
*/
#ifndef WL_TEST_H
#define WL_TEST_H

#include "bf_atrace.h"
#include "bf_test.h"
#include "bf_trace.h"

#include <stdlib.h>
#include <string.h>

enum { WL_MAX = 256 };

typedef struct wl_recs {
    bf_trace_rec r[WL_MAX];
    char names[WL_MAX][BF_TRACE_NAME_MAX + 1];
    size_t n;
    int rc;         /* BF_EEOF when the whole trace was read */
    char err[1024]; /* open or read error */
} wl_recs;

/* Read all records of a trace (memory when path is NULL). */
static inline void wl_read(const char *path, const char *text, size_t len,
                           const bf_trace_options *o, wl_recs *out)
{
    bf_trace_reader *r;
    memset(out, 0, sizeof *out);
    int rc = path ? bf_trace_open(path, o, &r, out->err, sizeof out->err)
                  : bf_trace_open_mem(text, len, "t", o, &r, out->err, sizeof out->err);
    if (rc) {
        out->rc = rc;
        return;
    }
    while (out->n < WL_MAX && (rc = bf_trace_next(r, &out->r[out->n])) == BF_OK) {
        if (out->r[out->n].name) {
            snprintf(out->names[out->n], sizeof out->names[0], "%s", out->r[out->n].name);
            out->r[out->n].name = out->names[out->n];
        }
        out->n++;
    }
    out->rc = rc;
    if (rc != BF_EEOF)
        snprintf(out->err, sizeof out->err, "%s", bf_trace_error(r));
    bf_trace_close(r);
}

static inline void wl_reads(const char *text, const bf_trace_options *o, wl_recs *out)
{
    wl_read(NULL, text, strlen(text), o, out);
}

/* First error of a trace given as a string (open or read). */
static inline const char *wl_err(const char *text, const bf_trace_options *o)
{
    static wl_recs w;
    wl_reads(text, o, &w);
    return w.rc == BF_EEOF ? "(no error)" : w.err;
}

typedef struct wl_arecs {
    bf_arec r[WL_MAX];
    char names[WL_MAX][BF_ATRACE_NAME_MAX + 1];
    char sites[WL_MAX][BF_ATRACE_SITE_MAX + 1];
    size_t n;
    int rc;
    char err[1024];
    bf_atrace_reader_stats st;
} wl_arecs;

static inline void wl_aread(const char *path, const char *text, int fmt, int lenient, wl_arecs *out)
{
    bf_atrace_reader *r;
    memset(out, 0, sizeof *out);
    int rc = path ? bf_atrace_open(path, fmt, &r, out->err, sizeof out->err)
                  : bf_atrace_open_mem(text, strlen(text), "a", fmt, &r, out->err, sizeof out->err);
    if (rc) {
        out->rc = rc;
        return;
    }
    bf_atrace_set_lenient(r, lenient);
    while (out->n < WL_MAX && (rc = bf_atrace_next(r, &out->r[out->n])) == BF_OK) {
        bf_arec *a = &out->r[out->n];
        if (a->name) {
            snprintf(out->names[out->n], sizeof out->names[0], "%s", a->name);
            a->name = out->names[out->n];
        }
        if (a->site) {
            snprintf(out->sites[out->n], sizeof out->sites[0], "%s", a->site);
            a->site = out->sites[out->n];
        }
        out->n++;
    }
    out->rc = rc;
    out->st = *bf_atrace_reader_stats_of(r);
    if (rc != BF_EEOF)
        snprintf(out->err, sizeof out->err, "%s", bf_atrace_error(r));
    bf_atrace_close(r);
}

static inline const char *wl_aerr(const char *text, int fmt)
{
    static wl_arecs w;
    wl_aread(NULL, text, fmt, 0, &w);
    return w.rc == BF_EEOF ? "(no error)" : w.err;
}

/* Path of a sample in tests/workloads/data (argv[1] is that directory). */
static inline const char *wl_data(const char *dir, const char *name)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) & 3;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

#define WL_CHECK_ACC(rec, T, A, S)                                                                 \
    do {                                                                                           \
        BF_CHECK_EQ((rec).type, (T));                                                              \
        BF_CHECK_EQ((rec).addr, (A));                                                              \
        BF_CHECK_EQ((rec).size, (S));                                                              \
    } while (0)

#endif
