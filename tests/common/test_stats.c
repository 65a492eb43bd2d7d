/* Registry: registration order, lookup, duplicate rejection, values of both types, typed access
** to a registered struct by its descriptor table. */
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

int main(void)
{
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
