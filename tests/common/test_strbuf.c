/*
** test_strbuf.c: appending to a fixed buffer (common/bf_strbuf.c): the text, truncation keeping a
** terminated prefix and the full length, and the "PATH:LINE: reason" error form.
*/
#include "../bf_test.h"
#include "bf_common.h"
#include "bf_strbuf.h"

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
    test_line_error();
    return bf_test_exit();
}
