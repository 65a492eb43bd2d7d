/*
** test_json.c: the JSON writers (common/bf_json.c). Values: string escapes, UTF-8 validation (RFC
** 3629 table: overlong forms, surrogates and code points above U+10FFFF become U+FFFD), NULL
** handling, the number forms. Structure (bf_jw): exact bytes for nesting, empty containers, keys
** that need escaping, both styles, the line layouts the documents use (the regress report, the
** `results` export), top-level values as JSON lines, and misuse.
*/
#define _POSIX_C_SOURCE 200809L

#include "../bf_test.h"
#include "bf_json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Runs a bf_jw over a memory stream: `body` uses w; checks the text. */
#define JW_WRITES(style, body, want)                                                               \
    do {                                                                                           \
        char *text_ = NULL;                                                                        \
        size_t len_ = 0;                                                                           \
        FILE *f_ = open_memstream(&text_, &len_);                                                  \
        bf_jw jw_, *w = &jw_;                                                                      \
        bf_jw_init(w, f_, style);                                                                  \
        body;                                                                                      \
        fclose(f_);                                                                                \
        BF_CHECK_STR(text_, want);                                                                 \
        BF_CHECK(!bf_jw_failed(w));                                                                \
        free(text_);                                                                               \
    } while (0)

static void test_jw_values(void)
{
    /* a value at the top level ends its line (rule 4), so consecutive ones are JSON lines */
    JW_WRITES(BF_JW_SPACED, bf_jw_null(w), "null\n");
    JW_WRITES(BF_JW_SPACED, (bf_jw_u64(w, UINT64_MAX), bf_jw_i64(w, INT64_MIN)),
              "18446744073709551615\n-9223372036854775808\n");
    JW_WRITES(BF_JW_SPACED, (bf_jw_bool(w, 1), bf_jw_bool(w, 0)), "true\nfalse\n");
    JW_WRITES(BF_JW_SPACED, (bf_jw_str(w, NULL), bf_jw_string(w, NULL)), "null\n\"\"\n");
    JW_WRITES(BF_JW_SPACED, (bf_jw_num(w, 0.1 + 0.2), bf_jw_exact(w, 7, 1), bf_jw_exact(w, 0.5, 0)),
              "0.30000000000000004\n7\n0.5\n");
    JW_WRITES(BF_JW_SPACED, (bf_jw_fixed(w, 2.0 / 3, 3), bf_jw_fixed(w, 1e6, 0)),
              "0.667\n1000000\n");
    JW_WRITES(BF_JW_SPACED, (bf_jw_fixed(w, NAN, 3), bf_jw_num(w, INFINITY)), "null\nnull\n");
}

static void test_jw_structure(void)
{
    /* empty containers, alone and nested */
    JW_WRITES(BF_JW_SPACED, (bf_jw_object(w), bf_jw_end(w)), "{}\n");
    JW_WRITES(BF_JW_SPACED, (bf_jw_array(w), bf_jw_end(w)), "[]\n");
    JW_WRITES(
        BF_JW_SPACED,
        (bf_jw_array(w), bf_jw_object(w), bf_jw_end(w), bf_jw_array(w), bf_jw_end(w), bf_jw_end(w)),
        "[{}, []]\n");
    /* nesting in the spaced style (every bfsim document): ", " between members, ": " after keys;
    ** keys are escaped like any string */
    JW_WRITES(BF_JW_SPACED,
              (bf_jw_object(w), bf_jw_key(w, "run"), bf_jw_object(w), bf_jw_key(w, "id"),
               bf_jw_i64(w, 3), bf_jw_key(w, "q\"\\\n"), bf_jw_str(w, "\xc3\xa9\x01"), bf_jw_end(w),
               bf_jw_key(w, "rows"), bf_jw_array(w), bf_jw_u64(w, 1), bf_jw_array(w), bf_jw_null(w),
               bf_jw_end(w), bf_jw_bool(w, 1), bf_jw_end(w), bf_jw_end(w)),
              "{\"run\": {\"id\": 3, \"q\\\"\\\\\\n\": \"\xc3\xa9\\u0001\"}, "
              "\"rows\": [1, [null], true]}\n");
    /* the same in the tight style */
    JW_WRITES(BF_JW_TIGHT,
              (bf_jw_object(w), bf_jw_key(w, "bench"), bf_jw_str(w, "systemc.lt"),
               bf_jw_key(w, "refs"), bf_jw_u64(w, 1000), bf_jw_key(w, "a"), bf_jw_array(w),
               bf_jw_fixed(w, 1.25, 3), bf_jw_fixed(w, 7.5, 0), bf_jw_end(w), bf_jw_end(w)),
              "{\"bench\":\"systemc.lt\",\"refs\":1000,\"a\":[1.250,8]}\n");
    /* JSON lines: each top-level object ends its line (the regress baseline) */
    JW_WRITES(BF_JW_SPACED,
              (bf_jw_object(w), bf_jw_key(w, "a"), bf_jw_u64(w, 1), bf_jw_end(w), bf_jw_object(w),
               bf_jw_key(w, "b"), bf_jw_str(w, NULL), bf_jw_end(w)),
              "{\"a\": 1}\n{\"b\": null}\n");
}

static void test_jw_lines(void)
{
    /* an array of lines closing on its own line (the `results` export): every member after "\n"
    ** and the indent, "\n]" at the end; empty: "[]" */
    JW_WRITES(BF_JW_SPACED,
              (bf_jw_array_lines(w, "  ", 1), bf_jw_u64(w, 1), bf_jw_object(w), bf_jw_key(w, "k"),
               bf_jw_u64(w, 2), bf_jw_end(w), bf_jw_end(w)),
              "[\n  1,\n  {\"k\": 2}\n]\n");
    JW_WRITES(BF_JW_SPACED, (bf_jw_array_lines(w, "  ", 1), bf_jw_end(w)), "[]\n");
    /* ... and closing right after its last member (the regress report's job list) */
    JW_WRITES(BF_JW_SPACED,
              (bf_jw_array_lines(w, "  ", 0), bf_jw_u64(w, 1), bf_jw_u64(w, 2), bf_jw_end(w)),
              "[\n  1,\n  2]\n");
    JW_WRITES(BF_JW_SPACED, (bf_jw_array_lines(w, NULL, 1), bf_jw_u64(w, 1), bf_jw_end(w)),
              "[\n1\n]\n");
    /* a break puts only the next member on a new line; nested one-line containers stay on one */
    JW_WRITES(BF_JW_SPACED,
              (bf_jw_object(w), bf_jw_key(w, "a"), bf_jw_u64(w, 1), bf_jw_key(w, "b"),
               bf_jw_u64(w, 2), bf_jw_break(w, " "), bf_jw_key(w, "c"), bf_jw_array(w),
               bf_jw_u64(w, 3), bf_jw_u64(w, 4), bf_jw_end(w), bf_jw_key(w, "d"), bf_jw_u64(w, 5),
               bf_jw_break(w, ""), bf_jw_key(w, "e"), bf_jw_array_lines(w, "  ", 0), bf_jw_end(w),
               bf_jw_end(w)),
              "{\"a\": 1, \"b\": 2,\n \"c\": [3, 4], \"d\": 5,\n\"e\": []}\n");
    /* a break at the top level changes nothing, not even the next container's first member */
    JW_WRITES(BF_JW_SPACED, (bf_jw_break(w, "  "), bf_jw_array(w), bf_jw_u64(w, 1), bf_jw_end(w)),
              "[1]\n");
    /* a break before the first member: a line break, no comma */
    JW_WRITES(
        BF_JW_TIGHT,
        (bf_jw_array(w), bf_jw_break(w, "\t"), bf_jw_u64(w, 1), bf_jw_u64(w, 2), bf_jw_end(w)),
        "[\n\t1,2]\n");
}

/* Misuse (rule 5) is asserted in debug builds; in release builds the writer stops writing. */
static void test_jw_misuse(void)
{
#ifdef NDEBUG
    char buf[256];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    bf_jw w;
    bf_jw_init(&w, f, BF_JW_SPACED);
    bf_jw_object(&w);
    bf_jw_u64(&w, 1); /* a value without its key */
    BF_CHECK(bf_jw_failed(&w));
    bf_jw_end(&w);
    fclose(f);
    BF_CHECK_STR(buf, "{");
    f = fmemopen(buf, sizeof buf, "w");
    bf_jw_init(&w, f, BF_JW_SPACED);
    for (int i = 0; i <= BF_JW_MAX_DEPTH; i++)
        bf_jw_array(&w); /* one level too deep */
    BF_CHECK(bf_jw_failed(&w));
    fclose(f);
    BF_CHECK_EQ(strlen(buf), BF_JW_MAX_DEPTH);
    f = fmemopen(buf, sizeof buf, "w");
    bf_jw_init(&w, f, BF_JW_SPACED);
    bf_jw_end(&w); /* nothing open */
    BF_CHECK(bf_jw_failed(&w));
    bf_jw_init(&w, f, BF_JW_SPACED);
    bf_jw_array(&w);
    bf_jw_key(&w, "k"); /* a key in an array */
    BF_CHECK(bf_jw_failed(&w));
    fclose(f);
    BF_CHECK_STR(buf, "[");
#endif
}

int main(void)
{
    test_str();
    test_num();
    test_jw_values();
    test_jw_structure();
    test_jw_lines();
    test_jw_misuse();
    return bf_test_exit();
}
