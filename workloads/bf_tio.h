/*
** bf_tio.h: streaming byte and line I/O for trace files (internal to bf_workloads; the trace
** and allocation-trace readers and writers are built on it).
**
** Input: a file, stdin ("-") or a memory buffer; gzip (1f 8b) and zstd (28 b5 2f fd) are
** detected by their magic bytes and decompressed as a stream into one fixed buffer, so memory is
** constant whatever the trace length. Lines are returned NUL-terminated, without their '\n' or
** "\r\n", with a 1-based line number; a line longer than BF_TIO_MAX_LINE bytes is an error.
** Output: a buffered file or stdout, optionally gzip- or zstd-compressed.
*/
#ifndef BF_TIO_H
#define BF_TIO_H

#include "bf_trace.h"

enum {
    BF_TIO_MAX_LINE = 4096,  /* longest accepted text line, bytes (without the newline) */
    BF_TIO_BUF = 256 * 1024, /* decompressed-data buffer, bytes */
    BF_TIO_RAW = 64 * 1024,  /* compressed-data buffer, bytes */
    BF_TIO_ERR = 512         /* error message buffer, bytes */
};

typedef struct bf_tio_in bf_tio_in;
typedef struct bf_tio_out bf_tio_out;

/* Open path ("-" = stdin). On failure returns BF_EIO/BF_ENOMEM and writes "path: reason". */
int bf_tio_open(const char *path, bf_tio_in **out, char *err, size_t errn);
/* The same; tap (may be NULL) sees every byte read from the file, in order (bf_byte_tap). */
int bf_tio_open_tap(const char *path, const bf_byte_tap *tap, bf_tio_in **out, char *err,
                    size_t errn);
/* Read the rest of the file through the tap without decoding it; the stream is at its end
** afterwards. BF_OK or BF_EIO. */
int bf_tio_drain(bf_tio_in *in);
/* Read from memory (not copied: data must outlive the stream); name is used in messages. */
int bf_tio_open_mem(const void *data, size_t n, const char *name, bf_tio_in **out, char *err,
                    size_t errn);
void bf_tio_close(bf_tio_in *in);

int bf_tio_compression(const bf_tio_in *in); /* bf_compression */
/* Bytes of the input consumed so far as stored (compressed bytes for a compressed file; 0 for a
** pipe): the progress of a read against the file's size. */
uint64_t bf_tio_bytes_read(const bf_tio_in *in);
const char *bf_tio_name(const bf_tio_in *in);
uint64_t bf_tio_lineno(const bf_tio_in *in);   /* number of the line last returned */
const char *bf_tio_error(const bf_tio_in *in); /* message of the last BF_EIO/BF_EINPUT */
/* "name:line: msg" for the line last returned, or "name: msg" before the first line: the one
** format of every text reader's errors. */
void bf_tio_where(const bf_tio_in *in, const char *msg, char *err, size_t errn);

/* Make at least want bytes (or all that is left) visible without consuming them; p[n] is a NUL
** (the buffer has room for it), so that text can be scanned to a terminator without a bound. */
int bf_tio_peek(bf_tio_in *in, size_t want, const uint8_t **p, size_t *n);
/* Consume n bytes of those the last bf_tio_peek made visible (n <= its *n). */
void bf_tio_skip(bf_tio_in *in, size_t n);
/* The same for n bytes that are whole text lines parsed in place (each ending in '\n', with no
** NUL and no "\r" before the '\n'): counted as bf_tio_line counts the lines it returns. */
void bf_tio_skip_lines(bf_tio_in *in, size_t n, uint64_t lines);
/* Next line: BF_OK, BF_EEOF, BF_EINPUT (line too long, NUL byte, corrupt or truncated
** compressed data), BF_EIO (read error). */
int bf_tio_line(bf_tio_in *in, char **line, size_t *len);
/* Read exactly n bytes: BF_OK; BF_EEOF if the stream ended first (*got says how many bytes
** there were, 0 at a clean end); BF_EINPUT (corrupt compressed data) or BF_EIO. */
int bf_tio_read(bf_tio_in *in, void *dst, size_t n, size_t *got);

/* Output: path "-" = stdout; compression bf_compression; level 0 = the library default. */
int bf_tio_out_open(const char *path, int compression, int level, bf_tio_out **out, char *err,
                    size_t errn);
int bf_tio_write(bf_tio_out *o, const void *p, size_t n);
/* The output goes to a temporary file beside path, renamed over path only by a clean close.
** Cancel: the next close discards everything written (path keeps its old content). */
void bf_tio_out_cancel(bf_tio_out *o);
/* Finish the compressed stream, flush and close; returns the first error seen (and frees o). */
int bf_tio_out_close(bf_tio_out *o, char *err, size_t errn);
const char *bf_tio_out_error(const bf_tio_out *o);

#endif
