/*
** bf_trace.h: memory-access traces. One record type for every format; readers stream with
** constant memory, detect the format (and gzip/zstd compression) by content, map foreign host
** addresses onto the BF533 map, and report a malformed record as "file:line: reason".
*/
#ifndef BF_TRACE_H
#define BF_TRACE_H

#include "bf_bf533.h"
#include "bf_common.h"
#include "bf_stats.h"

typedef enum bf_rec_type {
    BF_REC_IFETCH = 0, /* instruction fetch: addr, size */
    BF_REC_LOAD = 1,   /* data load: addr, size */
    BF_REC_STORE = 2,  /* data store: addr, size */
    BF_REC_MODIFY = 3, /* read-modify-write (Lackey M): addr, size; replay decides how to count */
    BF_REC_GAP = 4,    /* value = core cycles with no memory access */
    BF_REC_OP = 5,     /* op = bf_op (SSYNC, CSYNC, FLUSH, ...), addr, count (lines, P++ form) */
    BF_REC_MODE = 6,   /* mode = bf_mode from here on */
    BF_REC_MMR = 7,    /* write of a control register: addr = MMR address, value */
    BF_REC_DMA = 8,    /* DMA transfer: chan, addr = source, addr2 = destination, value = bytes */
    BF_REC_PHASE = 9   /* named phase marker: name */
} bf_rec_type;

typedef struct bf_trace_rec {
    uint8_t type;       /* bf_rec_type */
    uint8_t op;         /* bf_op for BF_REC_OP */
    uint8_t mode;       /* bf_mode for BF_REC_MODE */
    uint8_t chan;       /* DMA channel */
    uint8_t misaligned; /* bf_trace_misal: how replay treats a misaligned data access */
    uint8_t cont;       /* 1: the rest of the previous record's source access, cut at a first-touch
                           window or pin boundary (the halves map to unrelated BF533 addresses);
                           replay counts the pair as one access, as Cachegrind counts a
                           reference that straddles lines once. Never set for --misaligned=split
                           pieces (each is a real Blackfin access) nor for native traces. */
    uint8_t has_start;  /* DMA: 1 if start holds the start time */
    uint8_t pad0;       /* zero */
    uint32_t size;      /* bytes of an access */
    bf_addr addr;       /* BF533 address (after mapping) */
    bf_addr addr2;      /* DMA destination */
    uint32_t count;     /* repetitions of an op with post-increment (>= 1) */
    uint64_t value;     /* gap cycles, MMR value, DMA bytes */
    uint64_t start;     /* DMA start time, core cycles (valid if has_start) */
    uint64_t line;      /* source line (text) or record index (binary), 1-based */
    const char *name;   /* phase name, valid until the next call */
    uint64_t pad1;      /* zero: 64 bytes per record. At 56, replaying a binary trace took 0.3% more
                           instructions (whole-record stores in the batch decoder and replay). */
} bf_trace_rec;

/* rec.misaligned. A data access (LOAD/STORE/MODIFY) is aligned when size is 1, or size is 2 at
** an even address, or size is a multiple of 4 at a multiple of 4 (docs/trace-format.md). */
typedef enum bf_trace_misal {
    BF_MISAL_NONE = 0,  /* aligned, or an instruction fetch (never classified) */
    BF_MISAL_FAULT = 1, /* misaligned: replay raises the misaligned-access fault, as hardware */
    BF_MISAL_ONCE = 2   /* misaligned: replay counts it once over the lines it spans, no fault */
} bf_trace_misal;

/* Compression of a trace file (detected on input, chosen on output). */
typedef enum bf_compression { BF_COMP_NONE = 0, BF_COMP_GZIP = 1, BF_COMP_ZSTD = 2 } bf_compression;

enum {
    BF_TRACE_MAX_ACCESS = 4096,          /* largest access size accepted, bytes */
    BF_TRACE_NAME_MAX = 63,              /* longest phase name, characters */
    BF_TRACE_LINE_BYTES = BF_LINE_BYTES, /* L1 line size used for op counts and footprints */
    BF_TRACE_DEFAULT_WINDOW = 0x10000,   /* default first-touch window, bytes (64 KB) */
    BF_TRACE_HEADER_MAX = 16384          /* header text kept from a native trace, bytes */
};
#define BF_TRACE_DEFAULT_MAP_LIMIT 0x08000000u /* 128 MB: the largest BF533 SDRAM bank */

typedef enum bf_trace_format {
    BF_FMT_AUTO = 0,
    BF_FMT_NATIVE_TEXT,
    BF_FMT_NATIVE_BIN,
    BF_FMT_LACKEY,
    BF_FMT_DIN,
    BF_FMT_XDIN
} bf_trace_format;

typedef enum bf_map_mode { BF_MAPMODE_FIRST_TOUCH = 0, BF_MAPMODE_IDENTITY = 1 } bf_map_mode;
typedef enum bf_misaligned {
    BF_MISALIGNED_SPLIT = 0,
    BF_MISALIGNED_FAULT,
    BF_MISALIGNED_COUNT_ONCE
} bf_misaligned;

/* A named host range placed at a fixed BF533 address (foreign traces), e.g. a program's code
** or stack put into L1 SRAM: host address h in [host, host + len) becomes target + (h - host),
** before and instead of the first-touch or identity rule. */
typedef struct bf_trace_pin {
    const char *name; /* for the map description ([A-Za-z0-9_.-], may be NULL) */
    uint64_t host;    /* first host byte */
    uint64_t len;     /* bytes, >= 1 */
    bf_addr target;   /* first BF533 byte */
} bf_trace_pin;
enum { BF_TRACE_MAX_PINS = 8 };

/* A byte tap: called with every byte of a file as it is read from the host (before any
** decompression), in order, exactly once. It lets a caller hash a workload in the same pass
** that reads it, so that pipes, FIFOs and stdin ("-") work (sim/ passes bf_sha256_update). */
typedef struct bf_byte_tap {
    void (*fn)(void *ctx, const void *p, size_t n);
    void *ctx;
} bf_byte_tap;

typedef struct bf_trace_options {
    int format; /* bf_trace_format; AUTO detects by content */
    /* Foreign traces: how host addresses become BF533 addresses. */
    int map_mode;        /* bf_map_mode */
    uint32_t map_window; /* first-touch window, bytes (power of two >= 64 KB keeps set indices) */
    bf_addr map_base;    /* where first-touch windows are placed (default 0: SDRAM) */
    uint32_t map_limit;  /* bytes available from map_base (default: the SDRAM size) */
    int npins;           /* pinned host ranges in use, 0..BF_TRACE_MAX_PINS */
    bf_trace_pin pins[BF_TRACE_MAX_PINS]; /* copied at open (names too) */
    int misaligned;                       /* bf_misaligned: misaligned data accesses */
    /* Every trace. */
    const bf_byte_tap *tap; /* NULL, or sees every byte read from the file */
} bf_trace_options;

typedef struct bf_trace_reader bf_trace_reader;

/* ---- options and names ---- */
void bf_trace_options_default(bf_trace_options *o);
/* NULL if the options are usable, else a message naming the field. */
const char *bf_trace_options_check(const bf_trace_options *o);
/* Parse "NAME:HOST:LEN@TARGET" (numbers decimal or 0x-hex; NAME [A-Za-z0-9_.-]{1,63}) into p;
** the name is copied into name[namen] and p->name points there. NULL, or a message. */
const char *bf_trace_pin_parse(const char *s, bf_trace_pin *p, char *name, size_t namen);
const char *bf_trace_format_name(int f);      /* "auto", "native", "binary", "lackey", ... */
int bf_trace_format_from_name(const char *s); /* -1 if unknown */
const char *bf_misaligned_name(int m);        /* "split", "fault", "count-once" */
int bf_misaligned_from_name(const char *s);   /* -1 if unknown */
const char *bf_map_mode_name(int m);          /* "first-touch", "identity" */
int bf_map_mode_from_name(const char *s);     /* -1 if unknown */
const char *bf_compression_name(int c);       /* "none", "gzip", "zstd" */
int bf_compression_from_name(const char *s);  /* -1 if unknown */

/* ---- reading ---- */
/* Open a trace; on failure returns a bf_rc and writes "file: reason" into err[errn]. */
int bf_trace_open(const char *path, const bf_trace_options *o, bf_trace_reader **out, char *err,
                  size_t errn);
/* Open a trace held in memory (not copied; it must outlive the reader). name is used in
** messages. Same detection and rules as bf_trace_open. */
int bf_trace_open_mem(const void *data, size_t n, const char *name, const bf_trace_options *o,
                      bf_trace_reader **out, char *err, size_t errn);
/* Next record: BF_OK, BF_EEOF at the end, BF_EINPUT/BF_EIO with bf_trace_error() set. */
int bf_trace_next(bf_trace_reader *r, bf_trace_rec *rec);
/* Up to max records into recs[0 .. *n): BF_OK with *n >= 1, or what bf_trace_next returns at the
** end or on an error (*n = 0; records before an error come first, in an earlier batch). A phase
** record ends its batch (its name is valid until the next call). The same records as
** bf_trace_next; version-2 binary accesses are decoded in a tight loop from the input buffer. */
int bf_trace_next_batch(bf_trace_reader *r, bf_trace_rec *recs, size_t max, size_t *n);
const char *bf_trace_error(const bf_trace_reader *r); /* "file:line: reason" */
/* Read the rest of the file without decoding it (so that a tap sees every byte even when the
** caller stops early): BF_OK or BF_EIO. */
int bf_trace_drain(bf_trace_reader *r);
void bf_trace_close(bf_trace_reader *r);

/* ---- what the reader found ---- */
int bf_trace_detected_format(const bf_trace_reader *r);
int bf_trace_compression(const bf_trace_reader *r); /* bf_compression of the input */
/* Bytes of the file read so far, as stored (compressed bytes when compressed; 0 on a pipe). */
uint64_t bf_trace_bytes_read(const bf_trace_reader *r);
/* The address map in force so far, as text ("host 0x... -> 0x..." lines) for provenance. */
size_t bf_trace_describe_map(const bf_trace_reader *r, char *buf, size_t n);
/* Header "key: value" pairs of a native trace (text '#key: value' lines, binary header text),
** in file order; key "map" may repeat. Returns 0 when i is out of range. */
size_t bf_trace_header_count(const bf_trace_reader *r);
int bf_trace_header_at(const bf_trace_reader *r, size_t i, const char **key, const char **value);
const char *bf_trace_header_get(const bf_trace_reader *r, const char *key); /* first, or NULL */

/* Reader counters (not simulation statistics: they describe the input). */
#define BF_TRACE_READER_STATS(X)                                                                   \
    X(U64, records, "trace.records", "records", "records returned by the reader")                  \
    X(U64, lines, "trace.lines", "lines", "text lines read (0 for the binary format)")             \
    X(U64, skipped, "trace.skipped_lines", "lines",                                                \
      "comment, blank and tool commentary lines skipped (Lackey ==PID== lines)")                   \
    X(U64, misaligned, "trace.misaligned", "accesses",                                             \
      "data accesses of the input that violate Blackfin natural alignment")                        \
    X(U64, split_pieces, "trace.split_pieces", "records",                                          \
      "records produced by splitting misaligned foreign accesses (--misaligned=split)")            \
    X(U64, window_splits, "trace.window_splits", "accesses",                                       \
      "foreign accesses cut in two because they crossed a first-touch window boundary")            \
    X(U64, whole_cache_ops, "trace.whole_cache_ops", "records",                                    \
      "Dinero whole-cache copy-back/invalidate records (size 0) skipped: no Blackfin equivalent")  \
    X(U64, map_windows, "trace.map_windows", "windows", "first-touch windows allocated so far")
typedef struct bf_trace_reader_stats {
    BF_TRACE_READER_STATS(BF_STAT_MEMBER)
} bf_trace_reader_stats;
extern const bf_stat_desc bf_trace_reader_stat_desc[];
extern const size_t bf_trace_reader_stat_count;
const bf_trace_reader_stats *bf_trace_reader_stats_of(const bf_trace_reader *r);

/* ---- writers (native formats), for `bfsim trace convert` and the recorders ---- */
typedef struct bf_trace_writer bf_trace_writer;
/* format: BF_FMT_NATIVE_TEXT or BF_FMT_NATIVE_BIN; compression: bf_compression; path "-" is
** stdout. */
int bf_trace_writer_open(const char *path, int format, int compression, bf_trace_writer **out,
                         char *err, size_t errn);
/* Header pair written before the first record (key: [a-z0-9_.-]+, value: one line). Returns
** BF_ESTATE after the first record, BF_EINPUT for a bad key or value. */
int bf_trace_writer_header(bf_trace_writer *w, const char *key, const char *value);
/* BF_OK, BF_EINPUT (record that the format cannot hold: message in bf_trace_writer_error), BF_EIO
 */
int bf_trace_write(bf_trace_writer *w, const bf_trace_rec *rec);
const char *bf_trace_writer_error(const bf_trace_writer *w);
/* Give up the output: the next close writes nothing and leaves an existing file as it was
** (files are written to a temporary beside the destination and renamed at a clean close). */
void bf_trace_writer_cancel(bf_trace_writer *w);
/* Finishes the file (binary: end record with the record count), frees w, returns the first
** error (message copied to err). */
int bf_trace_writer_close(bf_trace_writer *w, char *err, size_t errn);

/* ---- statistics of a trace, for `bfsim trace stats` ---- */
#define BF_TRACE_SUMMARY_STATS(X)                                                                  \
    X(U64, ifetch, "trace.ifetch", "records", "instruction fetch records")                         \
    X(U64, load, "trace.load", "records", "data load records")                                     \
    X(U64, store, "trace.store", "records", "data store records")                                  \
    X(U64, modify, "trace.modify", "records", "read-modify-write records")                         \
    X(U64, gap, "trace.gap", "records", "compute gap records")                                     \
    X(U64, gap_cycles, "trace.gap_cycles", "cycles", "core cycles in compute gaps")                \
    X(U64, op, "trace.op", "records", "SSYNC/CSYNC/FLUSH/FLUSHINV/IFLUSH/PREFETCH records")        \
    X(U64, mode, "trace.mode", "records", "user/supervisor mode switch records")                   \
    X(U64, mmr, "trace.mmr", "records", "control register write records")                          \
    X(U64, dma, "trace.dma", "records", "DMA transfer records")                                    \
    X(U64, dma_bytes, "trace.dma_bytes", "bytes", "bytes moved by DMA records")                    \
    X(U64, phase, "trace.phase", "records", "phase marker records")                                \
    X(U64, access_bytes, "trace.access_bytes", "bytes",                                            \
      "bytes of fetch/load/store/modify records")                                                  \
    X(U64, misaligned, "trace.misaligned_accesses", "accesses",                                    \
      "data accesses flagged misaligned (fault or count-once)")                                    \
    X(U64, footprint_lines, "trace.footprint_lines", "lines",                                      \
      "distinct 32-byte lines touched by accesses, all regions")                                   \
    X(U64, working_set_bytes, "trace.working_set_bytes", "bytes",                                  \
      "footprint_lines times 32: the working set over the whole trace")
typedef struct bf_trace_summary_stats {
    BF_TRACE_SUMMARY_STATS(BF_STAT_MEMBER)
} bf_trace_summary_stats;
extern const bf_stat_desc bf_trace_summary_stat_desc[];
extern const size_t bf_trace_summary_stat_count;

typedef struct bf_trace_summary bf_trace_summary;
/* part: bf_part; sdram_bytes: populated SDRAM (regions classified with bf_map_region). Memory:
** one bit per 32-byte line of every populated region, MMR space included (about 530 KB with
** 128 MB of SDRAM), fixed here; reserved addresses are counted as accesses, not footprint. */
int bf_trace_summary_new(int part, uint32_t sdram_bytes, bf_trace_summary **out);
void bf_trace_summary_add(bf_trace_summary *s, const bf_trace_rec *rec);
const bf_trace_summary_stats *bf_trace_summary_stats_of(const bf_trace_summary *s);
/* Per region (bf_region): accesses and distinct lines touched. */
uint64_t bf_trace_summary_region_accesses(const bf_trace_summary *s, int region);
uint64_t bf_trace_summary_region_lines(const bf_trace_summary *s, int region);
void bf_trace_summary_free(bf_trace_summary *s);

#endif
