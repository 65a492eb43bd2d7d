/*
** bf_atrace_gfp.c: GFP flag names, both ways (bf_gfp_parse, bf_gfp_format).
**
** Source: the 2.6.24 include/linux/gfp.h values (reference kernel-allocators section 1.6), the
** BF_GFP_* constants of bf_atrace.h. Composites come first in the table so that formatting
** prefers them ("GFP_KERNEL|__GFP_ZERO"); every "__GFP_X" is also accepted as "GFP_X" (ftrace
** prints the latter), and "none" or a number as well.
*/
#include "bf_atrace.h"
#include "bf_strbuf.h"

#include "bf_parse.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct gfp_name {
    const char *name;
    uint32_t bits;
} gfp_name;

/* Composites first (bf_gfp_format prefers them), then single bits; 2.6.24 values. */
static const gfp_name gfp_names[] = {
    {"GFP_HIGHUSER_MOVABLE", BF_GFP_HIGHUSER | BF_GFP_MOVABLE},
    {"GFP_HIGHUSER", BF_GFP_HIGHUSER},
    {"GFP_USER", BF_GFP_USER},
    {"GFP_KERNEL", BF_GFP_KERNEL},
    {"GFP_NOFS", BF_GFP_NOFS},
    {"GFP_NOIO", BF_GFP_NOIO},
    {"GFP_ATOMIC", BF_GFP_ATOMIC},
    {"GFP_NOWAIT", 0},
    {"__GFP_DMA", BF_GFP_DMA},
    {"__GFP_HIGHMEM", BF_GFP_HIGHMEM},
    {"__GFP_DMA32", BF_GFP_DMA32},
    {"__GFP_WAIT", BF_GFP_WAIT},
    {"__GFP_HIGH", BF_GFP_HIGH},
    {"__GFP_IO", BF_GFP_IO},
    {"__GFP_FS", BF_GFP_FS},
    {"__GFP_COLD", BF_GFP_COLD},
    {"__GFP_NOWARN", BF_GFP_NOWARN},
    {"__GFP_REPEAT", BF_GFP_REPEAT},
    {"__GFP_NOFAIL", BF_GFP_NOFAIL},
    {"__GFP_NORETRY", BF_GFP_NORETRY},
    {"__GFP_COMP", BF_GFP_COMP},
    {"__GFP_ZERO", BF_GFP_ZERO},
    {"__GFP_NOMEMALLOC", BF_GFP_NOMEMALLOC},
    {"__GFP_HARDWALL", BF_GFP_HARDWALL},
    {"__GFP_THISNODE", BF_GFP_THISNODE},
    {"__GFP_RECLAIMABLE", BF_GFP_RECLAIMABLE},
    {"__GFP_MOVABLE", BF_GFP_MOVABLE},
};

int bf_gfp_parse(const char *s, size_t n, uint32_t *gfp)
{
    *gfp = 0;
    if (n == 0)
        return -1;
    if (s[0] >= '0' && s[0] <= '9') {
        char t[24];
        uint64_t v;
        if (n >= sizeof t)
            return -1;
        memcpy(t, s, n);
        t[n] = '\0';
        const char *p = t;
        if (bf_parse_num(&p, &v) != BF_PNUM_OK || *p || v > 0xffffffffu)
            return -1;
        *gfp = (uint32_t)v;
        return 0;
    }
    if (n == 4 && memcmp(s, "none", 4) == 0) /* ftrace prints "none" for 0 */
        return 0;
    int ok = 0;
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && s[j] != '|')
            j++;
        const char *w = s + i;
        size_t wn = j - i;
        int found = 0;
        for (size_t k = 0; k < BF_ARRAY_SIZE(gfp_names) && !found; k++) {
            const char *nm = gfp_names[k].name;
            size_t nn = strlen(nm);
            /* "__GFP_X" also matches "GFP_X" (old ftrace spelling). */
            if ((nn == wn && memcmp(nm, w, wn) == 0) ||
                (nm[0] == '_' && nn - 2 == wn && memcmp(nm + 2, w, wn) == 0)) {
                *gfp |= gfp_names[k].bits;
                found = 1;
            }
        }
        if (!found)
            ok = -1;
        i = j + 1;
    }
    return ok;
}

size_t bf_gfp_format(uint32_t gfp, char *buf, size_t n)
{
    bf_strbuf t = bf_strbuf_on(buf, n);
    uint32_t left = gfp;
    if (gfp == 0)
        bf_strbuf_printf(&t, "0");
    for (size_t k = 0; k < BF_ARRAY_SIZE(gfp_names) && left; k++) {
        uint32_t b = gfp_names[k].bits;
        if (b && (left & b) == b) {
            bf_strbuf_printf(&t, "%s%s", t.len ? "|" : "", gfp_names[k].name);
            left &= ~b;
        }
    }
    if (left)
        bf_strbuf_printf(&t, "%s0x%" PRIx32, t.len ? "|" : "", left);
    return t.len;
}
