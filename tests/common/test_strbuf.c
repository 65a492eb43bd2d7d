/*
** test_strbuf.c: appending to a fixed buffer (common/bf_strbuf.c): the text, truncation keeping a
** terminated prefix and the full length, all-or-nothing appends, continuing after text written
** by snprintf's rule, and the "PATH:LINE: reason" error form.
*/
#include "../bf_test.h"
#include "bf_common.h"
#include "bf_strbuf.h"

#include <stdio.h>

static void test_append(void)
{
    char buf[8];
    bf_strbuf b = bf_strbuf_on(buf, sizeof buf);
    BF_CHECK_STR(buf, "");
    bf_strbuf_printf(&b, "%s|%d", "ab", 12);
    BF_CHECK_STR(buf, "ab|12");
    BF_CHECK(!bf_strbuf_truncated(&b));
    bf_strbuf_printf(&b, "%s", "xy");
    BF_CHECK_STR(buf, "ab|12xy"); /* exactly full: 7 characters and the NUL */
    BF_CHECK(!bf_strbuf_truncated(&b));
    bf_strbuf_printf(&b, "%s", "long");
    BF_CHECK_STR(buf, "ab|12xy");
    BF_CHECK_EQ(b.len, 11);
    BF_CHECK(bf_strbuf_truncated(&b));
    bf_strbuf_printf(&b, "%d", 5); /* after truncation: only counted */
    BF_CHECK_EQ(b.len, 12);
    BF_CHECK_STR(buf, "ab|12xy");

    bf_strbuf z = bf_strbuf_on(NULL, 0); /* counting only */
    bf_strbuf_printf(&z, "%05d", 3);
    BF_CHECK_EQ(z.len, 5);
}

static void test_whole(void)
{
    char buf[10];
    bf_strbuf b = bf_strbuf_on(buf, sizeof buf);
    BF_CHECK_EQ(bf_strbuf_printf_whole(&b, "%s\n", "abc"), 1);
    BF_CHECK_EQ(bf_strbuf_printf_whole(&b, "%s\n", "defg"), 1);
    BF_CHECK_STR(buf, "abc\ndefg\n"); /* 9 characters and the NUL: full */
    b = bf_strbuf_on(buf, sizeof buf);
    bf_strbuf_printf_whole(&b, "%s\n", "abc");
    BF_CHECK_EQ(bf_strbuf_printf_whole(&b, "%s\n", "defgh"), 0); /* would need 11 bytes */
    BF_CHECK_STR(buf, "abc\n");                                  /* none of it stored */
    BF_CHECK_EQ(b.len, 10);
    BF_CHECK(bf_strbuf_truncated(&b));
    BF_CHECK_EQ(bf_strbuf_printf_whole(&b, "x"), 0); /* short, but after a cut: only counted */
    bf_strbuf_printf(&b, "y");
    BF_CHECK_STR(buf, "abc\n");
    BF_CHECK_EQ(b.len, 12);
    bf_strbuf z = bf_strbuf_on(NULL, 0);
    BF_CHECK_EQ(bf_strbuf_printf_whole(&z, "%d", 123), 0);
    BF_CHECK_EQ(z.len, 3);
}

static void test_after(void)
{
    char buf[8];
    int k = snprintf(buf, sizeof buf, "%s", "abc");
    bf_strbuf b = bf_strbuf_after(buf, sizeof buf, (size_t)k);
    bf_strbuf_printf(&b, "%s", "defgh");
    BF_CHECK_STR(buf, "abcdefg");
    BF_CHECK_EQ(b.len, 8);
    const char *volatile ten = "0123456789";  /* volatile: no truncation warning */
    k = snprintf(buf, sizeof buf, "%s", ten); /* already cut */
    b = bf_strbuf_after(buf, sizeof buf, (size_t)k);
    bf_strbuf_printf(&b, "%s", "x");
    BF_CHECK_STR(buf, "0123456");
    BF_CHECK_EQ(b.len, 11);
}

static void test_line_error(void)
{
    char err[64];
    BF_CHECK_EQ(bf_strbuf_line_error(err, sizeof err, "a.ini", 12, "bad key '%s'", "x"), BF_EINPUT);
    BF_CHECK_STR(err, "a.ini:12: bad key 'x'");
    char small[8];
    bf_strbuf_line_error(small, sizeof small, "a.ini", 12, "bad");
    BF_CHECK_STR(small, "a.ini:1");
}

int main(void)
{
    test_append();
    test_whole();
    test_after();
    test_line_error();
    return bf_test_exit();
}
