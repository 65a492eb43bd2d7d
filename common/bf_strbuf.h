/*
** bf_strbuf.h: printf-style appending to a caller's fixed buffer (error messages, command lines,
** text reports). The buffer always holds a NUL-terminated prefix of everything appended; `len`
** counts everything appended, so len >= cap means the text was truncated (snprintf's rule), and
** once it is, nothing more is stored. Allocates nothing.
*/
#ifndef BF_STRBUF_H
#define BF_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bf_strbuf {
    char *buf;  /* caller's storage */
    size_t cap; /* its size in bytes (0: nothing is stored, only counted) */
    size_t len; /* length of all text appended (may exceed cap - 1) */
} bf_strbuf;

/* An empty buffer over buf[0..cap). */
bf_strbuf bf_strbuf_on(char *buf, size_t cap);
/* A buffer over buf[0..cap) that already holds len characters written by snprintf's rule (all
** of them and a NUL when len < cap, else a NUL-terminated prefix): appends continue after them. */
bf_strbuf bf_strbuf_after(char *buf, size_t cap, size_t len);

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void bf_strbuf_printf(bf_strbuf *b, const char *fmt, ...);
void bf_strbuf_vprintf(bf_strbuf *b, const char *fmt, va_list ap);
/* The same, all or nothing: text that does not fit whole (with the NUL) is counted but none of
** it is stored, so a text cut short ends at the end of an append (a report cut at a whole
** line). Returns 1 if the text was stored. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int bf_strbuf_printf_whole(bf_strbuf *b, const char *fmt, ...);

/* Nonzero if the text and its terminating NUL did not fit. */
int bf_strbuf_truncated(const bf_strbuf *b);

/* "PATH:LINE: " then the message into err[0..errn) (the parsers' error form); returns BF_EINPUT. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
int bf_strbuf_line_error(char *err, size_t errn, const char *path, unsigned long line,
                         const char *fmt, ...);
int bf_strbuf_vline_error(char *err, size_t errn, const char *path, unsigned long line,
                          const char *fmt, va_list ap);

#ifdef __cplusplus
}
#endif

#endif
