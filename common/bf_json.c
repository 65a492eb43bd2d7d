/*
** bf_json.c: JSON string and number writers (see bf_json.h). No state.
*/
#include "bf_json.h"

#include <math.h>
#include <stdlib.h>

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
