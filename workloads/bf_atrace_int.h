/*
** bf_atrace_int.h: the allocation-trace reader object shared by the per-format readers
** (internal to bf_workloads).
**
** Owns: struct bf_atrace_reader (one object for every format), the line outcomes of the format
** parsers, the live-allocation record, and the entry points of the files:
**   bf_atrace.c         reader lifecycle, detection, the bf_atrace_next record loop, errors
**   bf_atrace_pair.c    pairing frees with live allocations (all formats)
**   bf_atrace_native.c  native        bf_atrace_ftrace.c  ftrace kmem events
**   bf_atrace_rep.c     malloc-lab    bf_atrace_ltrace.c  ltrace
**   bf_atrace_gfp.c     GFP names     bf_atrace_write.c   the native writer
**
** Invariants: memory grows with the number of live allocations only (the live tables; the
** freed memory, cache names and pending ltrace calls are fixed at open); after the first error
** r->rc holds it and every call returns it (r->err keeps the message).
*/
#ifndef BF_ATRACE_INT_H
#define BF_ATRACE_INT_H

#include "bf_atrace.h"

#include "bf_htab.h"
#include "bf_tio.h"

#include <string.h>

/* Key namespaces of the live tables: the trace's own ids, pointers, page frame numbers. */
enum { BF_ATRACE_NS_ID = 0, BF_ATRACE_NS_PTR = 1, BF_ATRACE_NS_PFN = 2, BF_ATRACE_NS_COUNT = 3 };
/* Line outcomes besides BF_OK and the bf_rc errors (negative: never a bf_rc): no record on the
** line (counted by the parser), a comment or header line (counted as skipped), a record pair
** queued in r->q (a realloc). */
enum { BF_ATRACE_SKIP = -1, BF_ATRACE_COMMENT = -2, BF_ATRACE_QUEUED = -3 };
enum {
    BF_ATRACE_CACHE_MAX = 4096, /* distinct cache names */
    BF_ATRACE_HDR_MAX = 4096,   /* native header text kept, bytes */
    BF_ATRACE_PEND_MAX = 64     /* ltrace calls "<unfinished ...>" at once */
};

/* A live allocation (the record of its key in r->live[ns]). */
typedef struct bf_atrace_live {
    uint64_t id;
    uint64_t line;  /* line of the allocation */
    uint32_t cache; /* interned cache name + 1, 0 if none */
    uint8_t op;     /* bf_aop of the allocation */
    uint8_t order;
    uint8_t pad[2];
} bf_atrace_live;

typedef struct bf_atrace_freed {
    uint64_t key;
    uint64_t line;
    uint8_t ns;
    uint8_t used;
} bf_atrace_freed;

/* ltrace "<unfinished ...>" calls waiting for their "<... resumed>" line. */
typedef struct bf_atrace_pend {
    uint64_t pid;
    char func[16];
    char args[96];
    int used;
} bf_atrace_pend;

struct bf_atrace_reader {
    bf_tio_in *in;
    int fmt; /* bf_aformat in force (detected when opened with AUTO) */
    int lenient;
    int rc; /* sticky error */
    char err[BF_TIO_ERR + 256];
    /* pairing (bf_atrace_pair.c) */
    bf_htab
        live[BF_ATRACE_NS_COUNT]; /* per BF_ATRACE_NS_*: key -> bf_atrace_live (cap 0 until used) */
    size_t live_n;                /* live allocations, all namespaces */
    bf_atrace_freed *freed;       /* BF_ATRACE_FREED_MEMORY */
    char *caches; /* interned names, BF_ATRACE_CACHE_MAX * (BF_ATRACE_NAME_MAX + 1) */
    uint32_t ncaches;
    uint64_t next_id; /* ftrace, ltrace: ids are allocation sequence numbers */
    bf_arec q[2];     /* queued output (realloc) */
    int qn, qi;
    char qname[2][BF_ATRACE_NAME_MAX + 1];
    /* .rep */
    uint64_t rep_hdr[4];
    int rep_hdr_n;
    uint64_t rep_ops;
    uint8_t *rep_seen; /* ids ever allocated (bitmap over num_ids) */
    /* native header */
    char hdr[BF_ATRACE_HDR_MAX];
    size_t hdr_len;
    int native_started;
    bf_atrace_pend pend[BF_ATRACE_PEND_MAX];
    char name[BF_ATRACE_NAME_MAX + 1];
    char site[BF_ATRACE_SITE_MAX + 1];
    char lbuf[BF_TIO_MAX_LINE + 128]; /* ltrace resumed-call reassembly */
    bf_atrace_reader_stats st;
};

/* ---- errors and fields (bf_atrace.c) ---- */

/* Set the sticky error rc with "file:line: msg" and return rc. */
int bf_atrace_fail(bf_atrace_reader *r, int rc, const char *fmt, ...);
/* Error of the I/O layer (its message already names the file and line). */
int bf_atrace_fail_io(bf_atrace_reader *r, int rc);
/* An allocation size within BF_ATRACE_MAX_SIZE. */
int bf_atrace_check_size(bf_atrace_reader *r, uint64_t size);
/* A number field (decimal or 0x-hex) ending at a blank or the end of the line. */
int bf_atrace_num_field(bf_atrace_reader *r, const char **pp, uint64_t *v, const char *what);

/* ---- pairing (bf_atrace_pair.c) ---- */

bf_atrace_live *bf_atrace_live_find(bf_atrace_reader *r, uint8_t ns, uint64_t key);
const bf_atrace_freed *bf_atrace_freed_find(bf_atrace_reader *r, uint8_t ns, uint64_t key);
/* Record an allocation under (ns, key) with the given id: fills rec->id. BF_OK or an error. */
int bf_atrace_pair_alloc(bf_atrace_reader *r, uint8_t ns, uint64_t key, uint64_t id, bf_arec *rec);
/* Pair a free with its allocation: fills rec->id, op (from the allocation's kind when
** adopt_kind), order and name. BF_OK, BF_ATRACE_SKIP (lenient), or an error. */
int bf_atrace_pair_free(bf_atrace_reader *r, uint8_t ns, uint64_t key, bf_arec *rec,
                        int adopt_kind);

/* ---- the formats ---- */

/* At the end of a .rep file: BF_EEOF, or the error of a truncated file. */
int bf_atrace_rep_end(bf_atrace_reader *r);

/* The record loop of every format's next() (the queue of r->q and the sticky error are checked
** by bf_atrace_next first): read lines and hand each to the format's static line parser, which
** returns BF_OK with a record, a line outcome or an error. Each format file calls it with its
** own parser, which the compiler then inlines as it did before the formats had files. */
static inline int bf_atrace_next_with(bf_atrace_reader *r, bf_arec *rec,
                                      int (*parse)(bf_atrace_reader *, const char *, bf_arec *))
{
    for (;;) {
        char *s;
        size_t n;
        int rc = bf_tio_line(r->in, &s, &n);
        if (rc == BF_EEOF)
            return r->fmt == BF_AFMT_MALLOCLAB ? bf_atrace_rep_end(r) : BF_EEOF;
        if (rc)
            return bf_atrace_fail_io(r, rc);
        r->st.lines++;
        memset(rec, 0, sizeof *rec);
        rec->line = bf_tio_lineno(r->in);
        rc = parse(r, s, rec);
        if (rc == BF_ATRACE_COMMENT) {
            r->st.skipped++;
            continue;
        }
        if (rc == BF_ATRACE_SKIP)
            continue;
        if (rc == BF_ATRACE_QUEUED) {
            for (int i = 0; i < r->qn; i++)
                r->q[i].line = rec->line;
            return bf_atrace_next(r, rec);
        }
        if (rc)
            return rc;
        r->st.records++;
        return BF_OK;
    }
}

int bf_atrace_native_open(bf_atrace_reader *r); /* the "#bfsim-alloc 1" line */
int bf_atrace_native_next(bf_atrace_reader *r, bf_arec *rec);
int bf_atrace_ftrace_next(bf_atrace_reader *r, bf_arec *rec);
int bf_atrace_rep_next(bf_atrace_reader *r, bf_arec *rec);
int bf_atrace_ltrace_next(bf_atrace_reader *r, bf_arec *rec);

/* Detection from one NUL-terminated line (at most 255 characters of it): non-zero when the line
** is typical of the format. A .rep file starts with four lines of one number each. */
int bf_atrace_ftrace_sniff(const char *line);
int bf_atrace_rep_sniff(const char *s, size_t n);
int bf_atrace_ltrace_sniff(const char *line);

#endif
