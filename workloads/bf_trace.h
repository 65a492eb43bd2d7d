/*
** bf_trace.h: memory-access traces. One record type for every format; readers stream with
** constant memory, detect the format (and gzip/zstd compression) by content, map foreign host
** addresses onto the BF533 map, and report a malformed record as "file:line: reason".
*/
#ifndef BF_TRACE_H
#define BF_TRACE_H

#include "bf_common.h"

typedef enum bf_rec_type {
    BF_REC_IFETCH = 0,  /* instruction fetch: addr, size */
    BF_REC_LOAD = 1,    /* data load: addr, size */
    BF_REC_STORE = 2,   /* data store: addr, size */
    BF_REC_MODIFY = 3,  /* read-modify-write (Lackey M): addr, size; replay decides how to count */
    BF_REC_GAP = 4,     /* value = core cycles with no memory access */
    BF_REC_OP = 5,      /* op = bf_op (SSYNC, CSYNC, FLUSH, ...), addr, count (lines, P++ form) */
    BF_REC_MODE = 6,    /* mode = bf_mode from here on */
    BF_REC_MMR = 7,     /* write of a control register: addr = MMR address, value */
    BF_REC_DMA = 8,     /* DMA transfer: chan, addr = source, addr2 = destination, value = bytes */
    BF_REC_PHASE = 9    /* named phase marker: name */
} bf_rec_type;

typedef struct bf_trace_rec {
    uint8_t type;     /* bf_rec_type */
    uint8_t op;       /* bf_op for BF_REC_OP */
    uint8_t mode;     /* bf_mode for BF_REC_MODE */
    uint8_t chan;     /* DMA channel */
    uint32_t size;    /* bytes of an access */
    bf_addr addr;     /* BF533 address (after mapping) */
    bf_addr addr2;    /* DMA destination */
    uint32_t count;   /* repetitions of an op with post-increment (>= 1) */
    uint64_t value;   /* gap cycles, MMR value, DMA bytes, DMA start time */
    uint64_t line;    /* source line (text) or record index (binary), 1-based */
    const char *name; /* phase name, valid until the next call */
} bf_trace_rec;

typedef enum bf_trace_format {
    BF_FMT_AUTO = 0,
    BF_FMT_NATIVE_TEXT,
    BF_FMT_NATIVE_BIN,
    BF_FMT_LACKEY,
    BF_FMT_DIN,
    BF_FMT_XDIN
} bf_trace_format;

typedef enum bf_map_mode { BF_MAPMODE_FIRST_TOUCH = 0, BF_MAPMODE_IDENTITY = 1 } bf_map_mode;
typedef enum bf_misaligned { BF_MISALIGNED_SPLIT = 0, BF_MISALIGNED_FAULT, BF_MISALIGNED_COUNT_ONCE } bf_misaligned;

typedef struct bf_trace_options {
    int format;            /* bf_trace_format; AUTO detects by content */
    int map_mode;          /* how foreign (host) addresses become BF533 addresses */
    uint32_t map_window;   /* first-touch window, bytes (power of two >= 64 KB keeps set indices) */
    bf_addr map_base;      /* where first-touch windows are placed (default 0: SDRAM) */
    uint32_t map_limit;    /* bytes available from map_base (default: the SDRAM size) */
    int misaligned;        /* bf_misaligned, for foreign traces */
} bf_trace_options;

typedef struct bf_trace_reader bf_trace_reader;

void bf_trace_options_default(bf_trace_options *o);
const char *bf_trace_format_name(int f);
int bf_trace_format_from_name(const char *s); /* -1 if unknown */

/* Open a trace; on failure returns a bf_rc and writes "file: reason" into err[errn]. */
int bf_trace_open(const char *path, const bf_trace_options *o, bf_trace_reader **out, char *err,
                  size_t errn);
/* Next record: BF_OK, BF_EEOF at the end, BF_EINPUT/BF_EIO with bf_trace_error() set. */
int bf_trace_next(bf_trace_reader *r, bf_trace_rec *rec);
const char *bf_trace_error(const bf_trace_reader *r); /* "file:line: reason" */
int bf_trace_detected_format(const bf_trace_reader *r);
/* The address map in force so far, as text ("host 0x... -> 0x..." lines) for provenance. */
size_t bf_trace_describe_map(const bf_trace_reader *r, char *buf, size_t n);
void bf_trace_close(bf_trace_reader *r);

#endif
