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

#define BF_STAT_CTYPE_U64 uint64_t
#define BF_STAT_CTYPE_F64 double
#define BF_STAT_MEMBER(T, field, name, unit, desc) BF_STAT_CTYPE_##T field;
#define BF_STAT_DESC(T, field, name, unit, desc)                                                   \
    {name, unit, desc, offsetof(BF_STAT_STRUCT, field), BF_STAT_##T},

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
