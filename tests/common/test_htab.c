/*
** test_htab.c: the open-addressing hash table (common/bf_htab.c) against a direct-indexed
** reference over a small key space, through random puts and deletes (so backward shifts happen
** inside long probe chains and across the wrap of the slot array), growth, the fixed mode's
** refusal at half load, iteration and clearing.
*/
#include "../bf_test.h"
#include "bf_common.h"
#include "bf_htab.h"

#include <stdlib.h>

enum { KEYS = 3000 };

static uint64_t rng(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 33;
}

/* every reference key is found with its value and the count agrees */
static void check_same(const bf_htab *t, const int *have, const uint64_t *val)
{
    size_t n = 0;
    for (uint64_t k = 0; k < KEYS; k++) {
        const uint64_t *v = bf_htab_find(t, k * 7919);
        BF_CHECK_EQ(v != NULL, have[k]);
        if (v && have[k])
            BF_CHECK_EQ(*v, val[k]);
        n += (size_t)have[k];
    }
    BF_CHECK_EQ(t->n, n);
}

static void test_random(void)
{
    static int have[KEYS];
    static uint64_t val[KEYS];
    bf_htab t;
    BF_CHECK_EQ(bf_htab_init(&t, 0), BF_OK);
    uint64_t x = 99;
    for (int step = 0; step < 200000; step++) {
        uint64_t k = rng(&x) % KEYS, op = rng(&x) % 3;
        if (op < 2) {
            BF_CHECK_EQ(bf_htab_put(&t, k * 7919, step), BF_OK);
            have[k] = 1;
            val[k] = (uint64_t)step;
        } else {
            BF_CHECK_EQ(bf_htab_del(&t, k * 7919), have[k]);
            have[k] = 0;
        }
        if (step % 20000 == 0)
            check_same(&t, have, val);
        BF_CHECK(t.n * 2 <= t.cap);
    }
    check_same(&t, have, val);

    /* iteration visits each key once */
    size_t pos = 0, seen = 0;
    uint64_t key, v;
    while (bf_htab_next(&t, &pos, &key, &v)) {
        BF_CHECK_EQ(key % 7919, 0);
        BF_CHECK(have[key / 7919] && val[key / 7919] == v);
        seen++;
    }
    BF_CHECK_EQ(seen, t.n);
    /* key 0 and the largest allowed key are ordinary keys */
    BF_CHECK_EQ(bf_htab_put(&t, UINT64_MAX - 1, 5), BF_OK);
    BF_CHECK_EQ(*bf_htab_find(&t, UINT64_MAX - 1), 5);
    bf_htab_clear(&t);
    BF_CHECK_EQ(t.n, 0);
    BF_CHECK(bf_htab_find(&t, 0) == NULL);
    bf_htab_fini(&t);
}

static void test_fixed(void)
{
    static uint64_t mem[2 * 8];
    bf_htab t;
    BF_CHECK_EQ(bf_htab_bytes(8), sizeof mem);
    bf_htab_init_mem(&t, mem, 8);
    for (uint64_t k = 0; k < 4; k++)
        BF_CHECK_EQ(bf_htab_put(&t, k, k + 10), BF_OK);
    BF_CHECK_EQ(bf_htab_put(&t, 4, 1), BF_ENOMEM); /* half full: refused, nothing changed */
    BF_CHECK_EQ(bf_htab_put(&t, 2, 99), BF_OK);    /* an update still works */
    BF_CHECK_EQ(*bf_htab_find(&t, 2), 99);
    BF_CHECK(bf_htab_find(&t, 4) == NULL);
    BF_CHECK_EQ(bf_htab_del(&t, 0), 1);
    BF_CHECK_EQ(bf_htab_del(&t, 0), 0);
    BF_CHECK_EQ(bf_htab_put(&t, 4, 1), BF_OK);
    for (uint64_t k = 1; k < 5; k++)
        BF_CHECK(bf_htab_find(&t, k) != NULL);
    bf_htab_fini(&t); /* the memory is the caller's: nothing freed */
}

int main(void)
{
    test_random();
    test_fixed();
    return bf_test_exit();
}
