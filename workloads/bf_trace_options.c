/*
** bf_trace_options.c: the reader options (defaults, the one check of their fields), pinned host
** ranges ("NAME:HOST:LEN@TARGET"), and the names of formats, map modes, misaligned-access
** policies, compressions and record types, both ways.
**
** Invariant: bf_trace_options_check accepts exactly the options the readers can honour: a
** first-touch area of whole power-of-two windows inside the 32-bit space, at most
** BF_TRACE_MAX_PINS pinned ranges that overlap neither each other nor the first-touch area.
*/
#include "bf_trace.h"

#include "bf_parse.h"

#include <string.h>

/* ---- names ---------------------------------------------------------------------------- */

static const char *const fmt_names[] = {"auto", "native", "binary", "lackey", "din", "xdin"};

const char *bf_trace_format_name(int f)
{
    return f >= 0 && f < (int)BF_ARRAY_SIZE(fmt_names) ? fmt_names[f] : "unknown";
}

int bf_trace_format_from_name(const char *s)
{
    for (int i = 0; i < (int)BF_ARRAY_SIZE(fmt_names); i++)
        if (strcmp(s, fmt_names[i]) == 0)
            return i;
    if (strcmp(s, "text") == 0 || strcmp(s, "bft") == 0)
        return BF_FMT_NATIVE_TEXT;
    if (strcmp(s, "bin") == 0)
        return BF_FMT_NATIVE_BIN;
    return -1;
}

static const char *const misal_names[] = {"split", "fault", "count-once"};
const char *bf_misaligned_name(int m)
{
    return m >= 0 && m < 3 ? misal_names[m] : "unknown";
}
int bf_misaligned_from_name(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, misal_names[i]) == 0)
            return i;
    return -1;
}

static const char *const mapmode_names[] = {"first-touch", "identity"};
const char *bf_map_mode_name(int m)
{
    return m >= 0 && m < 2 ? mapmode_names[m] : "unknown";
}
int bf_map_mode_from_name(const char *s)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(s, mapmode_names[i]) == 0)
            return i;
    return -1;
}

static const char *const comp_names[] = {"none", "gzip", "zstd"};
const char *bf_compression_name(int c)
{
    return c >= 0 && c < 3 ? comp_names[c] : "unknown";
}
int bf_compression_from_name(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, comp_names[i]) == 0)
            return i;
    return -1;
}

/* ---- options ---------------------------------------------------------------------------- */

void bf_trace_options_default(bf_trace_options *o)
{
    memset(o, 0, sizeof *o);
    o->format = BF_FMT_AUTO;
    o->map_mode = BF_MAPMODE_FIRST_TOUCH;
    o->map_window = BF_TRACE_DEFAULT_WINDOW;
    o->map_base = 0;
    o->map_limit = BF_TRACE_DEFAULT_MAP_LIMIT;
    o->misaligned = BF_MISALIGNED_SPLIT;
}

const char *bf_trace_options_check(const bf_trace_options *o)
{
    if (o->format < BF_FMT_AUTO || o->format > BF_FMT_XDIN)
        return "trace.format: unknown format";
    if (o->map_mode != BF_MAPMODE_FIRST_TOUCH && o->map_mode != BF_MAPMODE_IDENTITY)
        return "trace.map: must be first-touch or identity";
    if (o->misaligned < BF_MISALIGNED_SPLIT || o->misaligned > BF_MISALIGNED_COUNT_ONCE)
        return "trace.misaligned: must be split, fault or count-once";
    if (o->npins < 0 || o->npins > BF_TRACE_MAX_PINS)
        return "trace.pin: at most 8 pinned ranges";
    for (int i = 0; i < o->npins; i++) {
        const bf_trace_pin *p = &o->pins[i];
        if (p->len == 0 || p->host + p->len - 1 < p->host)
            return "trace.pin: a pinned range is empty or wraps past the 64-bit host space";
        if ((uint64_t)p->target + p->len - 1 > 0xffffffffu)
            return "trace.pin: a pinned range runs past the 32-bit target space";
        if (p->name && strlen(p->name) > BF_TRACE_NAME_MAX)
            return "trace.pin: a pin name is longer than 63 characters";
        for (int j = 0; j < i; j++) {
            const bf_trace_pin *q = &o->pins[j];
            if (p->host <= q->host + q->len - 1 && q->host <= p->host + p->len - 1)
                return "trace.pin: two pinned host ranges overlap";
            if ((uint64_t)p->target <= (uint64_t)q->target + q->len - 1 &&
                (uint64_t)q->target <= (uint64_t)p->target + p->len - 1)
                return "trace.pin: two pinned target ranges overlap";
        }
        if (o->map_mode == BF_MAPMODE_FIRST_TOUCH &&
            (uint64_t)p->target <= (uint64_t)o->map_base + o->map_limit - 1 &&
            o->map_base <= (uint64_t)p->target + p->len - 1)
            return "trace.pin: a pinned target range overlaps the first-touch area";
    }
    if (o->map_mode == BF_MAPMODE_IDENTITY)
        return NULL;
    if (o->map_window < BF_TRACE_DEFAULT_WINDOW || (o->map_window & (o->map_window - 1)))
        return "trace.map_window: must be a power of two of at least 65536 bytes";
    if (o->map_base % o->map_window)
        return "trace.map_base: must be a multiple of trace.map_window";
    if (o->map_limit < o->map_window || o->map_limit % o->map_window)
        return "trace.map_limit: must be a non-zero multiple of trace.map_window";
    if ((uint64_t)o->map_base + o->map_limit > 0x100000000ULL)
        return "trace.map_limit: map_base + map_limit exceeds the 32-bit address space";
    return NULL;
}

const char *bf_trace_pin_parse(const char *s, bf_trace_pin *p, char *name, size_t namen)
{
    const char *c = strchr(s, ':');
    size_t n = c ? (size_t)(c - s) : 0;
    if (!c || n == 0 || n > BF_TRACE_NAME_MAX || n >= namen)
        return "trace.pin: expected NAME:HOST:LEN@TARGET with a name of 1..63 characters";
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
            return "trace.pin: the name must be [A-Za-z0-9_.-]";
    const char *q = c + 1;
    uint64_t host, len, target;
    if (bf_parse_num(&q, &host) != BF_PNUM_OK || *q++ != ':' ||
        bf_parse_num(&q, &len) != BF_PNUM_OK || *q++ != '@' ||
        bf_parse_num(&q, &target) != BF_PNUM_OK || *q != '\0')
        return "trace.pin: expected NAME:HOST:LEN@TARGET (numbers decimal or 0x-hex)";
    if (target > 0xffffffffu)
        return "trace.pin: the target does not fit in 32 bits";
    memcpy(name, s, n);
    name[n] = '\0';
    p->name = name;
    p->host = host;
    p->len = len;
    p->target = (bf_addr)target;
    return NULL;
}
