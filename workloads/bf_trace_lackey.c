/*
** bf_trace_lackey.c: the Valgrind Lackey reader ("I  addr,size", " L addr,size", " S ...",
** " M ..." with --trace-mem=yes; "SB addr" superblock lines of --trace-superblocks=yes and
** Valgrind's "==PID==" commentary are skipped). Addresses are host addresses in hex, sizes
** decimal; each record becomes the pending access of bf_trace_foreign.c.
*/
#include "bf_trace_int.h"

#include "bf_parse.h"

/* Valgrind commentary: "==PID==", "--PID--" or "**PID**" at the start of the line. */
static int valgrind_commentary(const char *s)
{
    char c = s[0];
    if ((c != '=' && c != '-' && c != '*') || s[1] != c)
        return 0;
    const char *p = s + 2;
    if (*p < '0' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    return p[0] == c && p[1] == c;
}

int bf_trace_lackey_line(bf_trace_reader *r, char *s, size_t n)
{
    int type;
    uint64_t a, sz;
    const char *p;
    char t[48];
    switch (bf_trace_lackey_fields(s, &type, &a, &sz, &p)) {
    case BF_LACKEY_REC:
        if (*p != '\0')
            break;
        return bf_trace_set_pending(r, type, 0, a, sz);
    case BF_LACKEY_OTHER:
        if (n == 0 || valgrind_commentary(s))
            return BF_TRACE_LINE_SKIP;
        if (n >= 3 && s[0] == 'S' && s[1] == 'B' && s[2] == ' ') {
            /* --trace-superblocks=yes: "SB addr" marks a superblock entry; no memory access. */
            const char *q = s + 3;
            uint64_t v;
            if (bf_parse_hex(&q, &v, 0) == BF_PNUM_OK && *q == '\0')
                return BF_TRACE_LINE_SKIP;
            return bf_trace_fail(r, BF_EINPUT, "bad Lackey superblock line '%s'",
                                 bf_parse_tok(s, t, sizeof t));
        }
        return bf_trace_fail(r, BF_EINPUT, "not a Lackey record: '%s'",
                             bf_parse_tok(bf_parse_skip(s), t, sizeof t));
    case BF_LACKEY_ADDR_BIG:
        return bf_trace_fail(r, BF_EINPUT, "address '%s' is too large",
                             bf_parse_tok(s + 3, t, sizeof t));
    case BF_LACKEY_ADDR_BAD:
        return bf_trace_fail(r, BF_EINPUT, "bad Lackey address '%s' (expected hex,size)",
                             bf_parse_tok(s + 3, t, sizeof t));
    case BF_LACKEY_SIZE_BIG:
        return bf_trace_fail(r, BF_EINPUT, "size is too large");
    default:
        break;
    }
    return bf_trace_fail(r, BF_EINPUT, "bad Lackey size in '%s'", bf_parse_tok(s + 3, t, sizeof t));
}

int bf_trace_lackey_sniff(const char *line)
{
    if (valgrind_commentary(line))
        return 0;
    if ((line[0] == 'I' && line[1] == ' ' && line[2] == ' ') ||
        (line[0] == ' ' && (line[1] == 'L' || line[1] == 'S' || line[1] == 'M') &&
         line[2] == ' ')) {
        const char *p = line + 3;
        uint64_t v;
        if (bf_parse_hex(&p, &v, 0) == BF_PNUM_OK && *p == ',')
            return BF_FMT_LACKEY;
        return -1;
    }
    return BF_TRACE_SNIFF_OTHER;
}
