/*
** test_json.c: the JSON value writers (common/bf_json.c): string escapes, UTF-8 validation (RFC
*3629
** table: overlong forms, surrogates and code points above U+10FFFF become U+FFFD), NULL handling,
** and the two number forms.
*/
#define _POSIX_C_SOURCE 200809L

#include "../bf_test.h"
#include "bf_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Runs one writer into a memory stream and checks its text. */
#define WRITES(call, want)                                                                         \
    do {                                                                                           \
        char *text_ = NULL;                                                                        \
        size_t len_ = 0;                                                                           \
        FILE *f = open_memstream(&text_, &len_);                                                   \
        call;                                                                                      \
        fclose(f);                                                                                 \
        BF_CHECK_STR(text_, want);                                                                 \
        free(text_);                                                                               \
    } while (0)

static void test_str(void)
{
    WRITES(bf_json_str(f, NULL), "null");
    WRITES(bf_json_string(f, NULL), "\"\"");
    WRITES(bf_json_str(f, ""), "\"\"");
    WRITES(bf_json_str(f, "a \"b\"\\c"), "\"a \\\"b\\\"\\\\c\"");
    WRITES(bf_json_str(f, "\n\t\r\x01\x1f"), "\"\\n\\t\\r\\u0001\\u001f\"");
    /* well-formed UTF-8 is copied: e-acute (2 bytes), euro (3), U+1F600 (4) */
    WRITES(bf_json_str(f, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
           "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    /* a lone continuation byte, an overlong '/', a surrogate, a code point above U+10FFFF and a
    ** truncated sequence each become one U+FFFD per byte that cannot start a sequence */
    WRITES(bf_json_str(f, "\x80"), "\"\\ufffd\"");
    WRITES(bf_json_str(f, "\xc0\xaf"), "\"\\ufffd\\ufffd\"");
    WRITES(bf_json_str(f, "\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
    WRITES(bf_json_str(f, "\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    WRITES(bf_json_str(f, "\xe2\x82x"), "\"\\ufffd\\ufffdx\"");
}

static void test_num(void)
{
    /* shortest round-trip text: 0.1 fits in 15 digits; 0.1 + 0.2 needs 17 */
    WRITES(bf_json_num(f, 0.1), "0.1");
    WRITES(bf_json_num(f, 0.1 + 0.2), "0.30000000000000004");
    WRITES(bf_json_num(f, 42), "42");
    WRITES(bf_json_num(f, -1.5e300), "-1.5e+300");
    WRITES(bf_json_num(f, INFINITY), "null");
    WRITES(bf_json_num(f, NAN), "null");
    /* the run reports' form: integers as integers, everything else %.17g */
    WRITES(bf_json_exact(f, 12345, 1), "12345");
    WRITES(bf_json_exact(f, 0.1, 0), "0.10000000000000001");
    WRITES(bf_json_exact(f, -3, 1), "-3");
    WRITES(bf_json_exact(f, INFINITY, 1), "null");
}

int main(void)
{
    test_str();
    test_num();
    return bf_test_exit();
}
