/*
** bf_test.h: the minimal assertion helpers every unit test uses. A failed check prints file:line
** and the expression with both values, counts the failure, and the test's main returns
** bf_test_exit(), non-zero if anything failed, so that CTest sees it.
*/
#ifndef BF_TEST_H
#define BF_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int bf_test_failures;
static int bf_test_checks;

#define BF_CHECK(cond)                                                                             \
    do {                                                                                           \
        bf_test_checks++;                                                                          \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            bf_test_failures++;                                                                    \
        }                                                                                          \
    } while (0)

#define BF_CHECK_EQ(a, b)                                                                          \
    do {                                                                                           \
        unsigned long long bf_a_ = (unsigned long long)(a), bf_b_ = (unsigned long long)(b);       \
        bf_test_checks++;                                                                          \
        if (bf_a_ != bf_b_) {                                                                      \
            fprintf(stderr, "%s:%d: %s == %s failed: %llu != %llu\n", __FILE__, __LINE__, #a, #b,  \
                    bf_a_, bf_b_);                                                                 \
            bf_test_failures++;                                                                    \
        }                                                                                          \
    } while (0)

#define BF_CHECK_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *bf_a_ = (a), *bf_b_ = (b);                                                     \
        bf_test_checks++;                                                                          \
        if (!bf_a_ || !bf_b_ || strcmp(bf_a_, bf_b_) != 0) {                                       \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a,  \
                    #b, bf_a_ ? bf_a_ : "(null)", bf_b_ ? bf_b_ : "(null)");                       \
            bf_test_failures++;                                                                    \
        }                                                                                          \
    } while (0)

static inline int bf_test_exit(void)
{
    if (bf_test_checks == 0) {
        fprintf(stderr, "no checks ran\n");
        return 1;
    }
    fprintf(stderr, "%d checks, %d failed\n", bf_test_checks, bf_test_failures);
    return bf_test_failures ? 1 : 0;
}

#endif
