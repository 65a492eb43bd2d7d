/*
** bf_stats.h: the statistics registry.
**
** Models keep their counters as plain fields of a per-component struct (uint64_t or double) and
** update them directly: nothing is looked up by name on a hot path (DRAMsim3's string lookups
** are what we avoid). Each component describes its struct once with an X-macro list
**
**     #define BF_FOO_STATS(X) \
**         X(U64, reads, "foo.reads", "accesses", "reads that looked up foo") \
**         X(F64, rate,  "foo.rate",  "ratio",    "reads per cycle")
**     typedef struct bf_foo_stats { BF_FOO_STATS(BF_STAT_MEMBER) } bf_foo_stats;
**
** and, in its .c file,
**
**     #define BF_STAT_STRUCT bf_foo_stats
**     const bf_stat_desc bf_foo_stat_desc[] = { BF_FOO_STATS(BF_STAT_DESC) };
**     const size_t bf_foo_stat_count = BF_ARRAY_SIZE(bf_foo_stat_desc);
**     #undef BF_STAT_STRUCT
**
** A counter indexed by a number (a histogram bucket, a bank, a request source) is an array: one
** U64_ARRAY entry declares it (no report entry) and one U64_AT entry per element, in report order,
** gives that element its own name, unit and description, the index written as a subscript:
**
**     X(U64_ARRAY, hist, [2])                                  declares uint64_t hist[2];
**     X(U64_AT, hist, [0], "foo.hist.lt8", "accesses", "reads under 8 cycles")
**     X(U64_AT, hist, [1], "foo.hist.ge8", "accesses", "reads of 8 cycles or more")
**
** so the model counts with st->hist[i]++ and the registry still sees one named stat per element.
** Multi-dimensional arrays work the same way ([4][3], element [2][1]).
**
** The registry holds (descriptor, struct base) pairs in registration order, which is the order of
** every report. Names are dotted and globally unique (bf_stats_add rejects a duplicate), units and
** descriptions are what docs/stats.md must show (a test checks it). The registry never owns the
** counters; the components do.
*/
#ifndef BF_STATS_H
#define BF_STATS_H

#include "bf_common.h"

typedef enum bf_stat_type { BF_STAT_U64 = 0, BF_STAT_F64 = 1 } bf_stat_type;

typedef struct bf_stat_desc {
    const char *name; /* dotted, e.g. "l1.dcache.read_misses" */
    const char *unit; /* "cycles", "accesses", "bytes", "ratio", ... */
    const char *desc; /* one sentence */
    size_t offset;    /* of the field in its component struct */
    int type;         /* bf_stat_type */
} bf_stat_desc;

/* X-macro expanders: the first argument is the entry kind (U64, F64, U64_ARRAY, U64_AT). */
#define BF_STAT_MEMBER(K, ...) BF_STAT_MEMBER_##K(__VA_ARGS__)
#define BF_STAT_DESC(K, ...) BF_STAT_DESC_##K(__VA_ARGS__)
#define BF_STAT_MEMBER_U64(field, name, unit, desc) uint64_t field;
#define BF_STAT_MEMBER_F64(field, name, unit, desc) double field;
#define BF_STAT_MEMBER_U64_ARRAY(field, dims) uint64_t field dims;
#define BF_STAT_MEMBER_U64_AT(field, index, name, unit, desc)
#define BF_STAT_DESC_U64(field, name, unit, desc)                                                  \
    {name, unit, desc, offsetof(BF_STAT_STRUCT, field), BF_STAT_U64},
#define BF_STAT_DESC_F64(field, name, unit, desc)                                                  \
    {name, unit, desc, offsetof(BF_STAT_STRUCT, field), BF_STAT_F64},
#define BF_STAT_DESC_U64_ARRAY(field, dims)
#define BF_STAT_DESC_U64_AT(field, index, name, unit, desc)                                        \
    {name, unit, desc, offsetof(BF_STAT_STRUCT, field index), BF_STAT_U64},

/* In the .c file that defines table d for struct S: every field of S is 8 bytes, so a table with
** one descriptor per counter (every array element included) has exactly sizeof(S) / 8 entries. */
#define BF_STAT_TABLE_COVERS(d, S)                                                                 \
    _Static_assert(sizeof(d) / sizeof((d)[0]) * 8 == sizeof(S),                                    \
                   #d " must describe every counter of " #S " once")

typedef struct bf_stats bf_stats;

bf_stats *bf_stats_new(void);
void bf_stats_free(bf_stats *r);

/* Register n descriptors whose fields live in the struct at base. Returns BF_OK, BF_ENOMEM, or
** BF_ESTATE if a name is already registered (*dup receives it when dup is not NULL). */
int bf_stats_add(bf_stats *r, const bf_stat_desc *d, size_t n, void *base, const char **dup);

size_t bf_stats_count(const bf_stats *r);
const bf_stat_desc *bf_stats_at(const bf_stats *r, size_t i);
double bf_stats_value(const bf_stats *r, size_t i);
uint64_t bf_stats_u64(const bf_stats *r, size_t i); /* F64 stats are truncated */
int bf_stats_is_integer(const bf_stats *r, size_t i);

/* The struct registered with descriptor table d (the very array passed to bf_stats_add), or NULL
** if that table is not registered: typed access to a component's counters for derived statistics,
** instead of looking them up by name. */
const void *bf_stats_block(const bf_stats *r, const bf_stat_desc *d);

/* Index of a name, or -1. Linear; for reports and tests only. */
long bf_stats_find(const bf_stats *r, const char *name);

/* Copy every value into out[count] (for phase deltas and determinism checks). */
void bf_stats_snapshot(const bf_stats *r, double *out);

/* Descriptor tables of every component linked into the tool, for `bfsim stats list` and the
** docs check. Filled by sim/; here only the type. */
typedef struct bf_stat_table {
    const bf_stat_desc *desc;
    const size_t *count;
} bf_stat_table;

#endif
