/*
** bf_parse.h: hand-written number and token scanning shared by the text trace readers (internal).
** No sscanf/strtoul on the hot path: each function advances a cursor over a NUL-terminated line
** and reports overflow instead of wrapping.
*/
#ifndef BF_PARSE_H
#define BF_PARSE_H

#include <stdint.h>
#include <string.h>

enum { BF_PNUM_OK = 0, BF_PNUM_NONE = 1, BF_PNUM_OVERFLOW = 2 };

/* Value of a hex digit, or 0xff. */
extern const uint8_t bf_parse_hexval[256];

static inline int bf_parse_isblank(char c)
{
    return c == ' ' || c == '\t';
}

static inline const char *bf_parse_skip(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Hexadecimal digits, with an optional 0x/0X when allow_prefix. The digit loop has no overflow
** test: 16 digits always fit, and only a longer run (rare) is checked again for a value past
** 2^64 - 1, leading zeros allowed. */
static inline int bf_parse_hex(const char **pp, uint64_t *v, int allow_prefix)
{
    const unsigned char *p = (const unsigned char *)*pp;
    if (allow_prefix && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        bf_parse_hexval[p[2]] != 0xff)
        p += 2;
    uint64_t x = 0;
    const unsigned char *s = p;
    uint8_t d;
    while ((d = bf_parse_hexval[*p]) != 0xff) {
        x = x << 4 | d;
        p++;
    }
    if (p == s)
        return BF_PNUM_NONE;
    if (p - s > 16) {
        while (*s == '0')
            s++;
        if (p - s > 16)
            return BF_PNUM_OVERFLOW;
    }
    *v = x;
    *pp = (const char *)p;
    return BF_PNUM_OK;
}

/* Decimal digits. As bf_parse_hex, the digit loop has no overflow test: 19 digits always fit
** (10^19 - 1 < 2^64), and only a longer run (rare) is converted again with one per digit. */
static inline int bf_parse_dec(const char **pp, uint64_t *v)
{
    const char *p = *pp;
    uint64_t x = 0;
    const char *s = p;
    unsigned d;
    while ((d = (unsigned)((unsigned char)*p - '0')) <= 9) {
        x = x * 10 + d;
        p++;
    }
    if (p == s)
        return BF_PNUM_NONE;
    if (p - s > 19) {
        x = 0;
        for (const char *q = s; q < p; q++) {
            d = (unsigned)(*q - '0');
            if (x > (UINT64_MAX - d) / 10)
                return BF_PNUM_OVERFLOW;
            x = x * 10 + d;
        }
    }
    *v = x;
    *pp = p;
    return BF_PNUM_OK;
}

/* Decimal, or hexadecimal with a 0x/0X prefix. */
static inline int bf_parse_num(const char **pp, uint64_t *v)
{
    const char *p = *pp;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        return bf_parse_hex(pp, v, 1);
    return bf_parse_dec(pp, v);
}

/* True at the end of a token: blank or end of line. */
static inline int bf_parse_tokend(const char *p)
{
    return *p == ' ' || *p == '\t' || *p == '\0';
}

/* First token at p, for messages (at most 40 characters, and n - 1). */
static inline const char *bf_parse_tok(const char *p, char *buf, size_t n)
{
    size_t i = 0;
    while (p[i] && !bf_parse_isblank(p[i]) && i + 1 < n && i < 40)
        i++;
    memcpy(buf, p, i);
    buf[i] = '\0';
    return buf;
}

#endif
