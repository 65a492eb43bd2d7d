/*
** test_htab.c: the open-addressing hash table (common/bf_htab.c) against a direct-indexed
** reference over a small key space, through random puts and deletes (so backward shifts happen
** inside long probe chains and across the wrap of the slot array), growth, the fixed mode's
** refusal at half load, iteration and clearing; record values (several words per key) through
** adds, deletes, growth, copying into a fixed table and iteration; the key UINT64_MAX.
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
    /* key 0 and UINT64_MAX - 1 are ordinary keys (UINT64_MAX: test_max_key) */
    BF_CHECK_EQ(bf_htab_put(&t, UINT64_MAX - 1, 5), BF_OK);
    BF_CHECK_EQ(*bf_htab_find(&t, UINT64_MAX - 1), 5);
    BF_CHECK(bf_htab_find(&t, UINT64_MAX) == NULL);
    BF_CHECK_EQ(bf_htab_put(&t, UINT64_MAX, 9), BF_OK);
    BF_CHECK_EQ(*bf_htab_find(&t, UINT64_MAX), 9);
    bf_htab_clear(&t);
    BF_CHECK_EQ(t.n, 0);
    BF_CHECK(bf_htab_find(&t, 0) == NULL);
    bf_htab_fini(&t);
}

static void test_fixed(void)
{
    static uint64_t mem[8 + 9]; /* 8 keys, 8 values and the record of UINT64_MAX */
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
    bf_htab_del_at(&t, bf_htab_find(&t, 3)); /* one-word values by address */
    BF_CHECK(bf_htab_find(&t, 3) == NULL);
    BF_CHECK(bf_htab_find(&t, 4) != NULL && *bf_htab_find(&t, 4) == 1);
    BF_CHECK_EQ(t.n, 3);
    bf_htab_fini(&t); /* the memory is the caller's: nothing freed */
}

/* a record of three words, as callers use them */
typedef struct rec3 {
    uint64_t a;
    uint32_t b, c;
    uint64_t d;
} rec3;

static void check_recs(const bf_htab *t, const int *have, const rec3 *ref)
{
    size_t n = 0;
    for (uint64_t k = 0; k < KEYS; k++) {
        const rec3 *r = bf_htab_find_rec(t, k << 40);
        BF_CHECK_EQ(r != NULL, have[k]);
        if (r && have[k])
            BF_CHECK(r->a == ref[k].a && r->b == ref[k].b && r->c == ref[k].c && r->d == ref[k].d);
        n += (size_t)have[k];
    }
    BF_CHECK_EQ(t->n, n);
}

static void test_records(void)
{
    static int have[KEYS];
    static rec3 ref[KEYS];
    bf_htab t;
    BF_CHECK_EQ(bf_htab_init_rec(&t, 0, sizeof(rec3) / 8), BF_OK);
    uint64_t x = 7;
    for (int step = 0; step < 100000; step++) {
        uint64_t k = rng(&x) % KEYS, op = rng(&x) % 3;
        if (op < 2) {
            int added = -1;
            rec3 *r = bf_htab_add(&t, k << 40, &added);
            BF_CHECK(r != NULL);
            BF_CHECK_EQ(added, !have[k]);
            if (added) /* a new record starts zero-filled */
                BF_CHECK(r->a == 0 && r->b == 0 && r->c == 0 && r->d == 0);
            rec3 v = {(uint64_t)step, (uint32_t)k, (uint32_t)op, ~(uint64_t)step};
            *r = v;
            ref[k] = v;
            have[k] = 1;
        } else if (op == 2 && (step & 1)) { /* by key */
            BF_CHECK_EQ(bf_htab_del(&t, k << 40), have[k]);
            have[k] = 0;
        } else { /* by the record's address */
            rec3 *r = bf_htab_find_rec(&t, k << 40);
            BF_CHECK_EQ(r != NULL, have[k]);
            if (r)
                bf_htab_del_at(&t, r);
            have[k] = 0;
        }
        if (step % 10000 == 0)
            check_recs(&t, have, ref);
    }
    check_recs(&t, have, ref);

    /* iteration gives each key once with its record */
    size_t pos = 0, seen = 0;
    uint64_t key;
    const rec3 *r;
    while ((r = bf_htab_next_rec(&t, &pos, &key))) {
        uint64_t k = key >> 40;
        BF_CHECK(k < KEYS && have[k] && r->a == ref[k].a && r->d == ref[k].d);
        seen++;
    }
    BF_CHECK_EQ(seen, t.n);

    /* copy into a fixed table just large enough, then one key too many */
    size_t cap = 2;
    while (cap / 2 < t.n)
        cap *= 2;
    uint64_t *mem = malloc(bf_htab_rec_bytes(cap, t.words));
    BF_CHECK(mem != NULL);
    bf_htab f;
    bf_htab_init_mem_rec(&f, mem, cap, t.words);
    BF_CHECK_EQ(bf_htab_copy(&f, &t), BF_OK);
    check_recs(&f, have, ref);
    for (uint64_t k = 0; k < KEYS && f.n < cap / 2; k++)
        if (!have[k])
            BF_CHECK(bf_htab_add(&f, k << 40, NULL) != NULL);
    uint64_t absent = (uint64_t)KEYS << 40;
    BF_CHECK(bf_htab_add(&f, absent, NULL) == NULL); /* half full: refused */
    BF_CHECK_EQ(bf_htab_put(&f, absent, 1), BF_ENOMEM);
    BF_CHECK(bf_htab_find_rec(&f, absent) == NULL);
    bf_htab_fini(&f);
    free(mem);
    bf_htab_fini(&t);
}

/* UINT64_MAX (whose stored form key + 1 wraps to the empty mark) is a key like any other */
static void test_max_key(void)
{
    bf_htab t;
    BF_CHECK_EQ(bf_htab_init_rec(&t, 0, 2), BF_OK);
    BF_CHECK(bf_htab_find_rec(&t, UINT64_MAX) == NULL);
    BF_CHECK_EQ(bf_htab_del(&t, UINT64_MAX), 0);
    int added = 0;
    uint64_t *v = bf_htab_add(&t, UINT64_MAX, &added);
    BF_CHECK(v != NULL && added == 1 && v[0] == 0 && v[1] == 0);
    v[0] = 11;
    v[1] = 12;
    BF_CHECK_EQ(t.n, 1);
    for (uint64_t k = 0; k < 100; k++) /* grows twice, carrying UINT64_MAX along */
        BF_CHECK_EQ(bf_htab_put(&t, k, k), BF_OK);
    v = bf_htab_find_rec(&t, UINT64_MAX);
    BF_CHECK(v != NULL && v[0] == 11 && v[1] == 12);
    BF_CHECK(bf_htab_add(&t, UINT64_MAX, &added) == v && added == 0);
    BF_CHECK(bf_htab_find_rec(&t, UINT64_MAX - 1) == NULL);
    BF_CHECK(bf_htab_find_rec(&t, 7) != NULL && *(uint64_t *)bf_htab_find_rec(&t, 7) == 7);
    size_t pos = 0, seen = 0;
    uint64_t key, last = 0;
    while (bf_htab_next_rec(&t, &pos, &key)) {
        seen++;
        last = key;
    }
    BF_CHECK_EQ(seen, 101);
    BF_CHECK_EQ(last, UINT64_MAX); /* after the slots */
    BF_CHECK_EQ(bf_htab_del(&t, UINT64_MAX), 1);
    BF_CHECK(bf_htab_find_rec(&t, UINT64_MAX) == NULL);
    BF_CHECK_EQ(t.n, 100);
    bf_htab_del_at(&t, bf_htab_add(&t, UINT64_MAX, NULL)); /* by address, too */
    BF_CHECK(bf_htab_find_rec(&t, UINT64_MAX) == NULL);
    BF_CHECK_EQ(t.n, 100);
    BF_CHECK_EQ(bf_htab_put(&t, UINT64_MAX, 3), BF_OK);
    bf_htab_clear(&t);
    BF_CHECK(bf_htab_find_rec(&t, UINT64_MAX) == NULL);
    BF_CHECK_EQ(t.n, 0);
    bf_htab_fini(&t);
}

int main(void)
{
    test_random();
    test_fixed();
    test_records();
    test_max_key();
    return bf_test_exit();
}
