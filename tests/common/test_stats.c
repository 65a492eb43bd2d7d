/* Registry: registration order, lookup, duplicate rejection, values of both types, typed access
** to a registered struct by its descriptor table, array statistics (one named stat per element, in
** list order, reading that element). */
#include "../bf_test.h"
#include "bf_stats.h"

#define T_STATS(X)                                                                                 \
    X(U64, a, "t.a", "events", "first")                                                            \
    X(F64, b, "t.b", "ratio", "second")
typedef struct t_stats {
    T_STATS(BF_STAT_MEMBER)
} t_stats;
#define BF_STAT_STRUCT t_stats
static const bf_stat_desc t_desc[] = {T_STATS(BF_STAT_DESC)};
#undef BF_STAT_STRUCT

/* an array between scalars, and a two-dimensional one listed in row-major order */
#define T_ARR_STATS(X)                                                                             \
    X(U64, first, "u.first", "events", "before the arrays")                                        \
    X(U64_ARRAY, h, [3])                                                                           \
    X(U64_AT, h, [0], "u.h.lt8", "accesses", "bucket 0")                                           \
    X(U64_AT, h, [1], "u.h.lt16", "accesses", "bucket 1")                                          \
    X(U64_AT, h, [2], "u.h.ge16", "accesses", "bucket 2")                                          \
    X(U64_ARRAY, m, [2][2])                                                                        \
    X(U64_AT, m, [0][0], "u.m0.r", "accesses", "bank 0 reads")                                     \
    X(U64_AT, m, [0][1], "u.m0.w", "accesses", "bank 0 writes")                                    \
    X(U64_AT, m, [1][0], "u.m1.r", "accesses", "bank 1 reads")                                     \
    X(U64_AT, m, [1][1], "u.m1.w", "accesses", "bank 1 writes")                                    \
    X(F64, last, "u.last", "ratio", "after the arrays")
typedef struct t_arr_stats {
    T_ARR_STATS(BF_STAT_MEMBER)
} t_arr_stats;
#define BF_STAT_STRUCT t_arr_stats
static const bf_stat_desc t_arr_desc[] = {T_ARR_STATS(BF_STAT_DESC)};
#undef BF_STAT_STRUCT
BF_STAT_TABLE_COVERS(t_arr_desc, t_arr_stats);

static void test_arrays(void)
{
    bf_stats *r = bf_stats_new();
    t_arr_stats s = {0};
    BF_CHECK_EQ(BF_ARRAY_SIZE(t_arr_desc), 9); /* the U64_ARRAY entries name nothing */
    BF_CHECK_EQ(bf_stats_add(r, t_arr_desc, BF_ARRAY_SIZE(t_arr_desc), &s, NULL), BF_OK);
    static const char *const names[] = {"u.first", "u.h.lt8", "u.h.lt16", "u.h.ge16", "u.m0.r",
                                        "u.m0.w",  "u.m1.r",  "u.m1.w",   "u.last"};
    for (size_t i = 0; i < BF_ARRAY_SIZE(names); i++)
        BF_CHECK_STR(bf_stats_at(r, i)->name, names[i]);
    BF_CHECK_STR(bf_stats_at(r, 2)->desc, "bucket 1");
    BF_CHECK_STR(bf_stats_at(r, 2)->unit, "accesses");
    BF_CHECK(bf_stats_is_integer(r, 3) && !bf_stats_is_integer(r, 8));
    s.first = 1;
    s.h[0] = 10;
    s.h[1] = 11;
    s.h[2] = 12;
    s.m[0][0] = 20;
    s.m[0][1] = 21;
    s.m[1][0] = 22;
    s.m[1][1] = 23;
    s.last = 0.5;
    static const double want[] = {1, 10, 11, 12, 20, 21, 22, 23, 0.5};
    double snap[9];
    bf_stats_snapshot(r, snap);
    for (size_t i = 0; i < BF_ARRAY_SIZE(want); i++)
        BF_CHECK(snap[i] == want[i]);
    bf_stats_free(r);
}

int main(void)
{
    test_arrays();
    bf_stats *r = bf_stats_new();
    t_stats s = {7, 0.25};
    BF_CHECK_EQ(bf_stats_add(r, t_desc, 2, &s, NULL), BF_OK);
    BF_CHECK_EQ(bf_stats_count(r), 2);
    BF_CHECK_STR(bf_stats_at(r, 0)->name, "t.a");
    BF_CHECK_EQ(bf_stats_find(r, "t.b"), 1);
    BF_CHECK_EQ(bf_stats_find(r, "t.c"), (unsigned long long)-1);
    s.a = 42; /* the registry reads the live counter, it keeps no copy */
    BF_CHECK_EQ(bf_stats_u64(r, 0), 42);
    BF_CHECK(bf_stats_value(r, 1) == 0.25);
    BF_CHECK(!bf_stats_is_integer(r, 1));
    const char *dup = NULL;
    t_stats s2 = {0, 0};
    BF_CHECK_EQ(bf_stats_add(r, t_desc, 2, &s2, &dup), BF_ESTATE);
    BF_CHECK_STR(dup, "t.a");
    BF_CHECK_EQ(bf_stats_count(r), 2);
    /* the block of a table is the struct registered with it; an unregistered table has none */
    BF_CHECK(bf_stats_block(r, t_desc) == &s);
    BF_CHECK(((const t_stats *)bf_stats_block(r, t_desc))->a == 42);
    static const bf_stat_desc other[1] = {{"t.z", "events", "other", 0, BF_STAT_U64}};
    BF_CHECK(bf_stats_block(r, other) == NULL);
    double snap[2];
    bf_stats_snapshot(r, snap);
    BF_CHECK(snap[0] == 42.0 && snap[1] == 0.25);
    bf_stats_free(r);
    return bf_test_exit();
}
