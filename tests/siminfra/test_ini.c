/*
** test_ini.c: INI config files through bf_ini_parse_file / bf_ini_parse_text. The expected keys,
** values and line numbers are counted by hand from the text in each case (line 1 is the first
** line of the string).
*/
#define _POSIX_C_SOURCE 200809L

#include "../bf_test.h"
#include "bf_common.h"
#include "bf_opts.h"

#include <stdlib.h>
#include <unistd.h>

typedef struct seen {
    int n;
    char key[16][64], value[16][64], file[16][64];
    unsigned line[16];
    int stop_at; /* return 99 from this call (1-based), 0: never */
} seen;

static int record(void *ctx, const char *key, const char *value, const char *file, unsigned line)
{
    seen *s = ctx;
    if (s->n < 16) {
        snprintf(s->key[s->n], 64, "%s", key);
        snprintf(s->value[s->n], 64, "%s", value);
        snprintf(s->file[s->n], 64, "%s", file);
        s->line[s->n] = line;
    }
    s->n++;
    return s->n == s->stop_at ? 99 : 0;
}

static int parse(const char *text, seen *s, char *err, size_t errn)
{
    memset(s, 0, sizeof *s);
    err[0] = '\0';
    return bf_ini_parse_text(text, strlen(text), "m.ini", record, s, err, errn);
}

static void test_sections_comments_lines(void)
{
    seen s;
    char err[256];
    const char *text = "# EZ-KIT board\n"             /* 1 comment */
                       "part = bf533\n"               /* 2 key before any section */
                       "\n"                           /* 3 blank */
                       "[core]\n"                     /* 4 section */
                       "  cclk_hz   =  594000000  \n" /* 5 spaces trimmed */
                       "   # indented comment\n"      /* 6 comment */
                       "sclk_hz=118800000 # SCLK\n"   /* 7 trailing comment dropped */
                       "[l1]   # data side\n"         /* 8 section with a comment */
                       "\twbuf_depth\t= 6\r\n"        /* 9 tabs, CR-LF */
                       "wbuf_depth = 4\n"             /* 10 duplicate: reported again */
                       "[linux]\n"                    /* 11 */
                       "cmdline = \"mem=50M max_mem=64M$#\"  # quoted keeps '#'\n" /* 12 */
                       "empty =\n"              /* 13 empty value */
                       "spaced = \"  a b  \"\n" /* 14 quotes keep inner spaces */
                       "inner = say \"hi\"";    /* 15 no final newline; inner quotes kept */
    BF_CHECK_EQ(parse(text, &s, err, sizeof err), 0);
    BF_CHECK_STR(err, "");
    BF_CHECK_EQ(s.n, 9);
    const char *keys[] = {"part",          "core.cclk_hz",  "core.sclk_hz",
                          "l1.wbuf_depth", "l1.wbuf_depth", "linux.cmdline",
                          "linux.empty",   "linux.spaced",  "linux.inner"};
    const char *values[] = {"bf533", "594000000", "118800000", "6", "4", "mem=50M max_mem=64M$#",
                            "",      "  a b  ",   "say \"hi\""};
    const unsigned lines[] = {2, 5, 7, 9, 10, 12, 13, 14, 15};
    for (size_t i = 0; i < BF_ARRAY_SIZE(keys); i++) {
        BF_CHECK_STR(s.key[i], keys[i]);
        BF_CHECK_STR(s.value[i], values[i]);
        BF_CHECK_EQ(s.line[i], lines[i]);
        BF_CHECK_STR(s.file[i], "m.ini");
    }
}

static void test_bom_and_crlf(void)
{
    seen s;
    char err[256];
    /* A UTF-8 byte-order mark before line 1 and CR-LF line ends. */
    BF_CHECK_EQ(parse("\xEF\xBB\xBF[sdram]\r\ncas_latency = 3\r\n", &s, err, sizeof err), 0);
    BF_CHECK_EQ(s.n, 1);
    BF_CHECK_STR(s.key[0], "sdram.cas_latency");
    BF_CHECK_STR(s.value[0], "3");
    BF_CHECK_EQ(s.line[0], 2);
}

static void test_syntax_errors(void)
{
    seen s;
    char err[256];
    struct {
        const char *text;
        const char *msg;
        int keys_before; /* keys reported before the error */
    } cases[] = {
        /* Line 4 has no '=' (after a comment line and a blank line). */
        {"a = 1\n# c\n\nnonsense\nb = 2\n",
         "m.ini:4: invalid line 'nonsense' (expected key = value)", 1},
        /* Unterminated section header. */
        {"[l1\nx = 1\n", "m.ini:1: invalid section header '[l1'", 0},
        /* Empty section name and one with a space. */
        {"\n[]\n", "m.ini:2: invalid section name ''", 0},
        {"[l1 cache]\n", "m.ini:1: invalid section name 'l1 cache'", 0},
        /* Empty key, also inside a section (the '=' starts the line). */
        {"= 5\n", "m.ini:1: empty key", 0},
        {"[l1]\n  = 5\n", "m.ini:2: empty key", 0},
        /* Quotes: unterminated, and text after the closing quote. */
        {"[linux]\ncmdline = \"mem=50M\n", "m.ini:2: unterminated quoted value", 0},
        {"x = \"a\" b\n", "m.ini:1: text after the closing quote 'b'", 0},
        /* A '#' before the '=' comments the '=' out: Program_Options sees only "a". */
        {"a # = 1\n", "m.ini:1: invalid line 'a # = 1' (expected key = value)", 0},
    };
    for (size_t i = 0; i < BF_ARRAY_SIZE(cases); i++) {
        BF_CHECK_EQ(parse(cases[i].text, &s, err, sizeof err), BF_EINPUT);
        BF_CHECK_STR(err, cases[i].msg);
        BF_CHECK_EQ(s.n, cases[i].keys_before);
    }
    /* An embedded NUL byte (a binary file given as config) on line 2. */
    memset(&s, 0, sizeof s);
    BF_CHECK_EQ(bf_ini_parse_text("a = 1\nb\0 = 2\n", 13, "m.ini", record, &s, err, sizeof err),
                BF_EINPUT);
    BF_CHECK_STR(err, "m.ini:2: NUL byte in line");
}

static void test_callback_stops(void)
{
    seen s;
    char err[256];
    memset(&s, 0, sizeof s);
    s.stop_at = 2;
    strcpy(err, "untouched");
    /* The second key's callback returns 99: parsing stops there and 99 comes back; err is the
    ** callback's business and stays as it was. */
    BF_CHECK_EQ(bf_ini_parse_text("a=1\nb=2\nc=3\n", 12, "m.ini", record, &s, err, sizeof err), 99);
    BF_CHECK_EQ(s.n, 2);
    BF_CHECK_STR(err, "untouched");
}

static void test_files(void)
{
    seen s;
    char err[512];
    char dir[] = "/tmp/bf-siminfra-ini-XXXXXX";
    BF_CHECK(mkdtemp(dir) != NULL);
    char path[600];
    snprintf(path, sizeof path, "%s/board.ini", dir);
    FILE *f = fopen(path, "w");
    BF_CHECK(f != NULL);
    fputs("# board\n\n[ebiu]\nsdgctl = 0x0091998D\nsdbctl = 0x0013\n", f);
    fclose(f);
    memset(&s, 0, sizeof s);
    BF_CHECK_EQ(bf_ini_parse_file(path, record, &s, err, sizeof err), 0);
    BF_CHECK_EQ(s.n, 2);
    BF_CHECK_STR(s.key[1], "ebiu.sdbctl");
    BF_CHECK_STR(s.value[1], "0x0013");
    BF_CHECK_EQ(s.line[1], 5);
    BF_CHECK_STR(s.file[1], path); /* the callback gets the path as given */

    /* A missing file: BF_EIO and the system's reason. */
    char missing[600], want[700];
    snprintf(missing, sizeof missing, "%s/nosuch.ini", dir);
    BF_CHECK_EQ(bf_ini_parse_file(missing, record, &s, err, sizeof err), BF_EIO);
    snprintf(want, sizeof want, "cannot open %s: No such file or directory", missing);
    BF_CHECK_STR(err, want);

    /* A directory given as a config file: opening works on Linux, reading fails (EISDIR). */
    BF_CHECK_EQ(bf_ini_parse_file(dir, record, &s, err, sizeof err), BF_EIO);
    snprintf(want, sizeof want, "cannot read %s: Is a directory", dir);
    BF_CHECK_STR(err, want);

    /* A syntax error names the path and line. */
    f = fopen(path, "w");
    fputs("[l1]\nwbuf_depth = 6\n\n# next is wrong\n[bad\n", f);
    fclose(f);
    BF_CHECK_EQ(bf_ini_parse_file(path, record, &s, err, sizeof err), BF_EINPUT);
    snprintf(want, sizeof want, "%s:5: invalid section header '[bad'", path);
    BF_CHECK_STR(err, want);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    test_sections_comments_lines();
    test_bom_and_crlf();
    test_syntax_errors();
    test_callback_stops();
    test_files();
    return bf_test_exit();
}
