/*
** bf_atrace.h: allocation traces (kernel and user allocation workloads). One record type for
** the native format and the foreign ones (ftrace kmem events, malloc-lab .rep, ltrace), format
** detected by content, streamed with memory proportional to the live allocations only (pairing
** frees with their allocations), errors as "file:line: reason".
*/
#ifndef BF_ATRACE_H
#define BF_ATRACE_H

#include "bf_common.h"
#include "bf_gfp.h"
#include "bf_stats.h"
#include "bf_trace.h" /* bf_compression */

typedef enum bf_aop {
    BF_AOP_KMALLOC = 0, /* size, gfp -> id */
    BF_AOP_KFREE,       /* id */
    BF_AOP_CACHE_ALLOC, /* cache name, size (object size), gfp -> id */
    BF_AOP_CACHE_FREE,  /* cache name, id */
    BF_AOP_PAGES_ALLOC, /* order, gfp -> id */
    BF_AOP_PAGES_FREE,  /* order, id */
    BF_AOP_VMALLOC,     /* size -> id */
    BF_AOP_VFREE,       /* id */
    BF_AOP_MMAP,        /* nommu process memory: size -> id */
    BF_AOP_MUNMAP,      /* id */
    BF_AOP_MALLOC,      /* user space: size -> id (realloc = free of old id + malloc) */
    BF_AOP_FREE,        /* id */
    BF_AOP_PHASE,       /* name ("boot" starts the bootmem phase, "boot-end" hands over) */
    BF_AOP_RECLAIMABLE  /* value = pages of page cache the workload declares reclaimable */
} bf_aop;

/* The GFP bits of a record (BF_GFP_*) are in common/bf_gfp.h. */

typedef struct bf_arec {
    uint8_t op;      /* bf_aop */
    uint8_t order;   /* page order */
    uint8_t has_gfp; /* 1: the record gave GFP bits (0 given = GFP_NOWAIT), 0: none given */
    uint8_t pad;
    uint32_t gfp;     /* GFP bits (meaningful with has_gfp, or when non-zero) */
    uint64_t id;      /* allocation identity, unique while live */
    uint64_t size;    /* requested bytes */
    uint64_t value;   /* BF_AOP_RECLAIMABLE pages */
    uint64_t time_ns; /* optional, 0 if unknown */
    uint64_t line;    /* source line, 1-based */
    const char *name; /* cache or phase name, valid until the next call */
    const char *site; /* call site, or NULL */
} bf_arec;

typedef enum bf_aformat {
    BF_AFMT_AUTO = 0,
    BF_AFMT_NATIVE,
    BF_AFMT_FTRACE,
    BF_AFMT_MALLOCLAB,
    BF_AFMT_LTRACE
} bf_aformat;

enum {
    BF_ATRACE_NAME_MAX = 63,      /* longest cache or phase name, characters */
    BF_ATRACE_SITE_MAX = 127,     /* longest call-site text kept, characters */
    BF_ATRACE_MAX_ORDER = 30,     /* largest page order accepted */
    BF_ATRACE_FREED_MEMORY = 4096 /* recent frees remembered to tell a double free from an
                                     unmatched one (older ones are reported as unmatched) */
};
#define BF_ATRACE_MAX_SIZE 0x100000000ULL /* largest allocation accepted: 4 GB, the BF533 space */

typedef struct bf_atrace_reader bf_atrace_reader;

/* ---- names ---- */
const char *bf_aformat_name(int f);      /* "auto", "native", "ftrace", "malloclab", "ltrace" */
int bf_aformat_from_name(const char *s); /* -1 if unknown ("rep" = malloclab) */
const char *bf_aop_name(int op);         /* native keyword: "kmalloc", "kfree", ... */
/* GFP text (symbolic names joined by '|', or a number) to bits; 0 on success, -1 if a name is
** unknown (*gfp then holds the known bits). Names: GFP_KERNEL, GFP_ATOMIC, GFP_USER, GFP_DMA,
** GFP_NOIO, GFP_NOFS, GFP_HIGHUSER, GFP_HIGHUSER_MOVABLE, GFP_NOWAIT, and every bit both as
** __GFP_X and GFP_X (ftrace prints the latter): see docs/alloc-trace-format.md. */
int bf_gfp_parse(const char *s, size_t n, uint32_t *gfp);
/* Symbolic form of gfp bits ("GFP_KERNEL|__GFP_ZERO", or "0" for none) into buf. */
size_t bf_gfp_format(uint32_t gfp, char *buf, size_t n);

/* ---- reading ---- */
/* format: bf_aformat (AUTO detects by content). On failure returns a bf_rc and writes
** "file: reason" into err[errn]. */
int bf_atrace_open(const char *path, int format, bf_atrace_reader **out, char *err, size_t errn);
/* The same, with a tap that sees every byte read from the file (bf_trace.h). */
int bf_atrace_open_tap(const char *path, int format, const bf_byte_tap *tap, bf_atrace_reader **out,
                       char *err, size_t errn);
/* Same as bf_atrace_open, reading a memory buffer (not copied). */
int bf_atrace_open_mem(const void *data, size_t n, const char *name, int format,
                       bf_atrace_reader **out, char *err, size_t errn);
/* Lenient pairing (call before the first bf_atrace_next): unmatched and double frees are skipped
** and counted instead of being errors; an allocation at an address that is still live frees the
** old one implicitly (counted); a realloc of an unknown pointer or id is a malloc. Default:
** strict. */
void bf_atrace_set_lenient(bf_atrace_reader *r, int lenient);
/* BF_OK, BF_EEOF, or BF_EINPUT with bf_atrace_error() ("file:line: unmatched free of ptr=...") */
int bf_atrace_next(bf_atrace_reader *r, bf_arec *rec);
const char *bf_atrace_error(const bf_atrace_reader *r);
/* Read the rest of the file after an early stop, so that a tap sees every byte: BF_OK or
** BF_EIO. */
int bf_atrace_drain(bf_atrace_reader *r);
void bf_atrace_close(bf_atrace_reader *r);

/* ---- what the reader found ---- */
int bf_atrace_detected_format(const bf_atrace_reader *r);
int bf_atrace_compression(const bf_atrace_reader *r); /* bf_compression of the input */
/* Bytes of the file read so far, as stored (compressed bytes when compressed; 0 on a pipe). */
uint64_t bf_atrace_bytes_read(const bf_atrace_reader *r);
/* Value of a native trace's "#key: value" header line, or NULL: the header is the comment lines
** before the first record, read with it (so known once bf_atrace_next has returned a record). */
const char *bf_atrace_header_get(const bf_atrace_reader *r, const char *key);

#define BF_ATRACE_READER_STATS(X)                                                                  \
    X(U64, records, "atrace.records", "records", "records returned by the reader")                 \
    X(U64, lines, "atrace.lines", "lines", "text lines read")                                      \
    X(U64, skipped, "atrace.skipped_lines", "lines", "comment, blank and header lines skipped")    \
    X(U64, ignored_events, "atrace.ignored_events", "lines",                                       \
      "well-formed events that are not allocations (other ftrace events, other ltrace calls)")     \
    X(U64, null_frees, "atrace.null_frees", "events", "frees of a NULL pointer, skipped")          \
    X(U64, failed_allocs, "atrace.failed_allocs", "events",                                        \
      "allocations that returned NULL in the trace, skipped")                                      \
    X(U64, unmatched_frees, "atrace.unmatched_frees", "events",                                    \
      "frees of an unknown pointer or id skipped in lenient mode")                                 \
    X(U64, double_frees, "atrace.double_frees", "events",                                          \
      "frees of a recently freed pointer or id skipped in lenient mode")                           \
    X(U64, implicit_frees, "atrace.implicit_frees", "events",                                      \
      "live allocations dropped in lenient mode because their address was allocated again")        \
    X(U64, unknown_gfp, "atrace.unknown_gfp", "events",                                            \
      "foreign events with a GFP name this reader does not know (the known bits are kept)")        \
    X(U64, live_peak, "atrace.live_peak", "allocations", "most allocations live at once")
typedef struct bf_atrace_reader_stats {
    BF_ATRACE_READER_STATS(BF_STAT_MEMBER)
} bf_atrace_reader_stats;
extern const bf_stat_desc bf_atrace_reader_stat_desc[];
extern const size_t bf_atrace_reader_stat_count;
const bf_atrace_reader_stats *bf_atrace_reader_stats_of(const bf_atrace_reader *r);

/* ---- native allocation-trace writer ---- */
typedef struct bf_atrace_writer bf_atrace_writer;
int bf_atrace_writer_open(const char *path, int compression, bf_atrace_writer **out, char *err,
                          size_t errn);
/* "#key: value" header line; only before the first record (else BF_ESTATE). */
int bf_atrace_writer_header(bf_atrace_writer *w, const char *key, const char *value);
int bf_atrace_write(bf_atrace_writer *w, const bf_arec *rec); /* BF_OK, BF_EINPUT, BF_EIO */
const char *bf_atrace_writer_error(const bf_atrace_writer *w);
int bf_atrace_writer_close(bf_atrace_writer *w, char *err, size_t errn);

#endif
