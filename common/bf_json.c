/*
** bf_json.c: the JSON value writers and the structural writer bf_jw (see bf_json.h for its five
** rules). The value writers have no state; a bf_jw keeps one small record per open container
** (its closing bracket, layout and member count) and nothing on the heap.
*/
#include "bf_json.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void bf_json_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            if (c == '"' || c == '\\')
                fprintf(f, "\\%c", c);
            else if (c == '\n')
                fputs("\\n", f);
            else if (c == '\t')
                fputs("\\t", f);
            else if (c == '\r')
                fputs("\\r", f);
            else if (c < 0x20)
                fprintf(f, "\\u%04x", c);
            else
                fputc((int)c, f);
            p++;
            continue;
        }
        /* UTF-8 sequence: copy it if well formed (RFC 3629 table), else write U+FFFD. */
        size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                     : c >= 0xE0 && c <= 0xEF ? 3
                     : c >= 0xF0 && c <= 0xF4 ? 4
                                              : 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
        else if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
        int ok = len > 0 && p[1] >= lo && p[1] <= hi;
        for (size_t i = 2; ok && i < len; i++)
            ok = p[i] >= 0x80 && p[i] <= 0xBF;
        if (ok) {
            fwrite(p, 1, len, f);
            p += len;
        } else {
            fputs("\\ufffd", f);
            p++;
        }
    }
    fputc('"', f);
}

void bf_json_string(FILE *f, const char *s)
{
    bf_json_str(f, s ? s : "");
}

void bf_json_num(FILE *f, double v)
{
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, sizeof buf, "%.17g", v);
    fputs(buf, f);
}

void bf_json_exact(FILE *f, double v, int integer)
{
    if (integer && v >= 0 && v < 1.8e19)
        fprintf(f, "%llu", (unsigned long long)v);
    else if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

void bf_jw_init(bf_jw *w, FILE *f, bf_jw_style style)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    w->style = style;
}

int bf_jw_failed(const bf_jw *w)
{
    return w->failed;
}

/* Rule 5: a misuse is asserted, and in release builds stops the writer. */
static int misuse(bf_jw *w)
{
    assert(!"bf_jw misuse (bf_json.h rule 5)");
    w->failed = 1;
    return 0;
}

/* Rule 1: the separator before a member of the innermost container. */
static void separator(bf_jw *w)
{
    const char *indent = w->brk ? w->brk : w->lv[w->depth - 1].line;
    size_t n = w->lv[w->depth - 1].n++;
    w->brk = NULL;
    if (n)
        fputc(',', w->f);
    if (indent) {
        fputc('\n', w->f);
        fputs(indent, w->f);
    } else if (n && w->style == BF_JW_SPACED) {
        fputc(' ', w->f);
    }
}

/* Before a value or an opening bracket: its separator (none after a key or at the top level).
** Returns 0 when the writer has stopped. */
static int before_value(bf_jw *w)
{
    if (w->failed)
        return 0;
    if (w->after_key) {
        w->after_key = 0;
        return 1;
    }
    if (w->depth == 0)
        return 1;
    if (w->lv[w->depth - 1].close == '}') /* an object member needs its key first */
        return misuse(w);
    separator(w);
    return 1;
}

/* After a value or a closing bracket: rule 4. */
static void after_value(bf_jw *w)
{
    if (w->depth == 0)
        fputc('\n', w->f);
}

static void open_container(bf_jw *w, char open, char close, const char *line, int close_line)
{
    if (w->depth == BF_JW_MAX_DEPTH) {
        misuse(w);
        return;
    }
    if (!before_value(w))
        return;
    fputc(open, w->f);
    w->lv[w->depth].close = close;
    w->lv[w->depth].close_line = close_line;
    w->lv[w->depth].line = line;
    w->lv[w->depth].n = 0;
    w->depth++;
}

void bf_jw_object(bf_jw *w)
{
    open_container(w, '{', '}', NULL, 0);
}

void bf_jw_array(bf_jw *w)
{
    open_container(w, '[', ']', NULL, 0);
}

void bf_jw_array_lines(bf_jw *w, const char *indent, int close_line)
{
    open_container(w, '[', ']', indent ? indent : "", close_line);
}

void bf_jw_end(bf_jw *w)
{
    if (w->failed)
        return;
    if (w->depth == 0 || w->after_key) {
        misuse(w);
        return;
    }
    w->depth--;
    w->brk = NULL;
    if (w->lv[w->depth].close_line && w->lv[w->depth].n)
        fputc('\n', w->f);
    fputc(w->lv[w->depth].close, w->f);
    after_value(w);
}

void bf_jw_break(bf_jw *w, const char *indent)
{
    if (w->depth) /* top-level values are on lines of their own already (rule 4) */
        w->brk = indent ? indent : "";
}

void bf_jw_key(bf_jw *w, const char *key)
{
    if (w->failed)
        return;
    if (w->depth == 0 || w->after_key || w->lv[w->depth - 1].close != '}') {
        misuse(w);
        return;
    }
    separator(w);
    bf_json_string(w->f, key);
    fputs(w->style == BF_JW_SPACED ? ": " : ":", w->f);
    w->after_key = 1;
}

void bf_jw_str(bf_jw *w, const char *s)
{
    if (before_value(w)) {
        bf_json_str(w->f, s);
        after_value(w);
    }
}

void bf_jw_string(bf_jw *w, const char *s)
{
    bf_jw_str(w, s ? s : "");
}

void bf_jw_num(bf_jw *w, double v)
{
    if (before_value(w)) {
        bf_json_num(w->f, v);
        after_value(w);
    }
}

void bf_jw_exact(bf_jw *w, double v, int integer)
{
    if (before_value(w)) {
        bf_json_exact(w->f, v, integer);
        after_value(w);
    }
}

void bf_jw_u64(bf_jw *w, uint64_t v)
{
    if (before_value(w)) {
        fprintf(w->f, "%" PRIu64, v);
        after_value(w);
    }
}

void bf_jw_i64(bf_jw *w, int64_t v)
{
    if (before_value(w)) {
        fprintf(w->f, "%" PRId64, v);
        after_value(w);
    }
}

void bf_jw_fixed(bf_jw *w, double v, int decimals)
{
    if (before_value(w)) {
        if (isfinite(v))
            fprintf(w->f, "%.*f", decimals, v);
        else
            fputs("null", w->f);
        after_value(w);
    }
}

void bf_jw_bool(bf_jw *w, int v)
{
    if (before_value(w)) {
        fputs(v ? "true" : "false", w->f);
        after_value(w);
    }
}

void bf_jw_null(bf_jw *w)
{
    if (before_value(w)) {
        fputs("null", w->f);
        after_value(w);
    }
}
