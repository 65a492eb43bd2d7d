/*
** bf_strbuf.c: appending formatted text to a fixed buffer (see bf_strbuf.h). Invariant: when
** cap > 0, buf holds a NUL-terminated prefix of the text appended, all of it when len < cap;
** when len >= cap nothing more is stored.
*/
#include "bf_strbuf.h"

#include <stdio.h>

#include "bf_common.h"

bf_strbuf bf_strbuf_on(char *buf, size_t cap)
{
    bf_strbuf b = {buf, cap, 0};
    if (cap)
        buf[0] = '\0';
    return b;
}

bf_strbuf bf_strbuf_after(char *buf, size_t cap, size_t len)
{
    bf_strbuf b = {buf, cap, len};
    return b;
}

void bf_strbuf_vprintf(bf_strbuf *b, const char *fmt, va_list ap)
{
    char *dst = b->len < b->cap ? b->buf + b->len : NULL;
    size_t room = b->len < b->cap ? b->cap - b->len : 0;
    int k = vsnprintf(dst, room, fmt, ap);
    if (k > 0)
        b->len += (size_t)k;
}

void bf_strbuf_printf(bf_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bf_strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

int bf_strbuf_printf_whole(bf_strbuf *b, const char *fmt, ...)
{
    size_t at = b->len;
    va_list ap;
    va_start(ap, fmt);
    bf_strbuf_vprintf(b, fmt, ap);
    va_end(ap);
    if (b->len < b->cap)
        return 1;
    if (at < b->cap)
        b->buf[at] = '\0'; /* drop the part that fitted */
    return 0;
}

int bf_strbuf_truncated(const bf_strbuf *b)
{
    return b->len >= b->cap;
}

int bf_strbuf_vline_error(char *err, size_t errn, const char *path, unsigned long line,
                          const char *fmt, va_list ap)
{
    bf_strbuf b = bf_strbuf_on(err, errn);
    bf_strbuf_printf(&b, "%s:%lu: ", path, line);
    bf_strbuf_vprintf(&b, fmt, ap);
    return BF_EINPUT;
}

int bf_strbuf_line_error(char *err, size_t errn, const char *path, unsigned long line,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = bf_strbuf_vline_error(err, errn, path, line, fmt, ap);
    va_end(ap);
    return rc;
}
