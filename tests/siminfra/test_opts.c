/*
** test_opts.c: bf_opts command-line parsing and --set splitting. Each case states the argv, what
** Program_Options' documented rules give for it, and the message bf_opts.h promises.
*/
#define _POSIX_C_SOURCE 200809L

#include "../bf_test.h"
#include "bf_common.h"
#include "bf_opts.h"

#include <stdlib.h>

/* The `run` command as the CLI declares it. */
static bf_opts *run_opts(void)
{
    bf_opts *o =
        bf_opts_new("run", "--config FILE --trace FILE [options]", "Replay a trace on one machine.",
                    "bfsim run --config configs/ezkit-icache.ini --trace t.trc\n"
                    "bfsim run --config a.ini --set l1.wbuf_depth=4 --trace t.trc --json");
    BF_CHECK(o != NULL);
    BF_CHECK_EQ(bf_opts_add(o, "config,c", BF_OPT_MULTI, NULL, "machine config file"), 0);
    BF_CHECK_EQ(bf_opts_add(o, "trace,t", BF_OPT_STRING, NULL, "trace file"), 0);
    BF_CHECK_EQ(bf_opts_add(o, "format", BF_OPT_STRING, "auto", "trace format"), 0);
    BF_CHECK_EQ(bf_opts_choices(o, "format", "auto|text|bin"), 0);
    BF_CHECK_EQ(bf_opts_add(o, "set", BF_OPT_MULTI, NULL, "override key=value"), 0);
    BF_CHECK_EQ(bf_opts_add(o, "db", BF_OPT_STRING, "results/bfsim.db", "results database"), 0);
    BF_CHECK_EQ(bf_opts_add(o, "json", BF_OPT_FLAG, NULL, "print one JSON object"), 0);
    BF_CHECK_EQ(bf_opts_add(o, "no-db", BF_OPT_FLAG, NULL, "do not record the run"), 0);
    return o;
}

/* Parse a NULL-terminated word list (words[0] is the command word, skipped). */
static int parse(bf_opts *o, char **words, char *err, size_t errn)
{
    int n = 0;
    while (words[n])
        n++;
    err[0] = '\0';
    return bf_opts_parse(o, n, words, err, errn);
}

static void test_declarations(void)
{
    bf_opts *o = run_opts();
    /* Same long name twice, same short name twice, bad short name, default on a flag. */
    BF_CHECK_EQ(bf_opts_add(o, "trace", BF_OPT_STRING, NULL, ""), BF_ECONFIG);
    BF_CHECK_EQ(bf_opts_add(o, "tracefile,t", BF_OPT_STRING, NULL, ""), BF_ECONFIG);
    BF_CHECK_EQ(bf_opts_add(o, "x,xy", BF_OPT_STRING, NULL, ""), BF_ECONFIG);
    BF_CHECK_EQ(bf_opts_add(o, "quiet", BF_OPT_FLAG, "1", ""), BF_ECONFIG);
    BF_CHECK_EQ(bf_opts_add(o, "", BF_OPT_FLAG, NULL, ""), BF_ECONFIG);
    BF_CHECK_EQ(bf_opts_add(o, "help", BF_OPT_FLAG, NULL, ""), BF_ECONFIG); /* declared by new */
    BF_CHECK_EQ(bf_opts_add(o, "kind", 7, NULL, ""), BF_ECONFIG);
    BF_CHECK_EQ(bf_opts_choices(o, "nosuch", "a|b"), BF_ECONFIG);
    bf_opts_free(o);
}

static void test_flags_strings_multi(void)
{
    char err[256];
    bf_opts *o = run_opts();
    /* --config given once with two tokens and once more with -c: MULTI keeps all three in order;
    ** --set twice; --trace with '=', a flag; --format defaults to "auto". */
    char *argv[] = {"run",
                    "--config",
                    "board.ini",
                    "cache.ini",
                    "--set",
                    "l1.wbuf_depth=4",
                    "-c",
                    "extra.ini",
                    "--trace=t.trc",
                    "--set",
                    "sdram.cas_latency=3",
                    "--json",
                    NULL};
    BF_CHECK_EQ(parse(o, argv, err, sizeof err), 0);
    BF_CHECK_STR(err, "");
    BF_CHECK_EQ(bf_opts_count(o, "config"), 3);
    BF_CHECK_STR(bf_opts_get_at(o, "config", 0), "board.ini");
    BF_CHECK_STR(bf_opts_get_at(o, "config", 1), "cache.ini");
    BF_CHECK_STR(bf_opts_get_at(o, "config", 2), "extra.ini");
    BF_CHECK(bf_opts_get_at(o, "config", 3) == NULL);
    BF_CHECK_EQ(bf_opts_count(o, "set"), 2);
    BF_CHECK_STR(bf_opts_get_at(o, "set", 0), "l1.wbuf_depth=4");
    BF_CHECK_STR(bf_opts_get_at(o, "set", 1), "sdram.cas_latency=3");
    BF_CHECK_STR(bf_opts_get(o, "trace"), "t.trc");
    BF_CHECK(bf_opts_has(o, "trace"));
    BF_CHECK(bf_opts_has(o, "json"));
    BF_CHECK_STR(bf_opts_get(o, "json"), "1");
    BF_CHECK(!bf_opts_has(o, "no-db"));
    BF_CHECK(bf_opts_get(o, "no-db") == NULL);
    /* Defaults: returned by get and counted, but not "has". */
    BF_CHECK(!bf_opts_has(o, "format"));
    BF_CHECK_STR(bf_opts_get(o, "format"), "auto");
    BF_CHECK_EQ(bf_opts_count(o, "format"), 1);
    BF_CHECK_STR(bf_opts_get(o, "db"), "results/bfsim.db");
    BF_CHECK(bf_opts_get(o, "nosuch") == NULL);
    BF_CHECK_EQ(bf_opts_count(o, "nosuch"), 0);
    /* A parser is used once. */
    BF_CHECK_EQ(parse(o, argv, err, sizeof err), BF_ESTATE);
    bf_opts_free(o);

    /* Short option with its value in the next word, and a value that overrides the default. */
    o = run_opts();
    char *argv2[] = {"run", "-t", "x.trc", "--format", "bin", "--db", "/tmp/r.db", NULL};
    BF_CHECK_EQ(parse(o, argv2, err, sizeof err), 0);
    BF_CHECK_STR(bf_opts_get(o, "trace"), "x.trc");
    BF_CHECK_STR(bf_opts_get(o, "format"), "bin");
    BF_CHECK(bf_opts_has(o, "format"));
    BF_CHECK_STR(bf_opts_get(o, "db"), "/tmp/r.db");
    BF_CHECK_EQ(bf_opts_count(o, "config"), 0);
    bf_opts_free(o);
}

static void test_positional(void)
{
    char err[256];
    /* `results show RUN`: one bare word allowed. */
    bf_opts *o = bf_opts_new("results show", "RUN [--format F]", NULL, NULL);
    BF_CHECK_EQ(bf_opts_add(o, "format", BF_OPT_STRING, "text", "output format"), 0);
    BF_CHECK_EQ(bf_opts_positional(o, "run", 1), 0);
    char *a1[] = {"show", "42", "--format", "json", NULL};
    BF_CHECK_EQ(parse(o, a1, err, sizeof err), 0);
    BF_CHECK_STR(bf_opts_get(o, "run"), "42");
    BF_CHECK_EQ(bf_opts_count(o, "run"), 1);
    BF_CHECK_STR(bf_opts_get(o, "format"), "json");
    bf_opts_free(o);

    /* Two bare words where one is allowed: the second is named. */
    o = bf_opts_new("results show", "RUN", NULL, NULL);
    BF_CHECK_EQ(bf_opts_positional(o, "run", 1), 0);
    char *a2[] = {"show", "42", "43", NULL};
    BF_CHECK_EQ(parse(o, a2, err, sizeof err), BF_EINPUT);
    BF_CHECK_STR(err, "bfsim results show: unexpected argument '43'");
    bf_opts_free(o);

    /* Unlimited bare words after a declared MULTI option name: `compare A.ini B.ini C.ini`. */
    o = bf_opts_new("compare", "CONFIG... --trace FILE", NULL, NULL);
    BF_CHECK_EQ(bf_opts_add(o, "configs", BF_OPT_MULTI, NULL, "configs to compare"), 0);
    BF_CHECK_EQ(bf_opts_add(o, "trace", BF_OPT_STRING, NULL, "trace"), 0);
    BF_CHECK_EQ(bf_opts_positional(o, "configs", -1), 0);
    BF_CHECK_EQ(bf_opts_positional(o, "other", 1), BF_ECONFIG); /* nothing after unlimited */
    char *a3[] = {"compare", "a.ini", "--trace", "t", "b.ini", "c.ini", NULL};
    BF_CHECK_EQ(parse(o, a3, err, sizeof err), 0);
    BF_CHECK_EQ(bf_opts_count(o, "configs"), 3);
    BF_CHECK_STR(bf_opts_get_at(o, "configs", 2), "c.ini");
    BF_CHECK_STR(bf_opts_get(o, "trace"), "t");
    bf_opts_free(o);

    /* No positional declared: any bare word is unexpected. */
    o = run_opts();
    char *a4[] = {"run", "--json", "stray", NULL};
    BF_CHECK_EQ(parse(o, a4, err, sizeof err), BF_EINPUT);
    BF_CHECK_STR(err, "bfsim run: unexpected argument 'stray'");
    bf_opts_free(o);
}

static void test_errors(void)
{
    char err[256];
    struct {
        char *argv[6];
        const char *msg;
    } cases[] = {
        /* An undeclared long option. */
        {{"run", "--x", NULL}, "bfsim run: unknown option '--x'"},
        /* An undeclared short option. */
        {{"run", "-q", NULL}, "bfsim run: unknown option '-q'"},
        /* No abbreviation: --tra is not --trace. */
        {{"run", "--tra", "t", NULL}, "bfsim run: unknown option '--tra'"},
        /* A value option as the last word. */
        {{"run", "--trace", NULL}, "bfsim run: missing value for --trace"},
        /* A value option followed by another option: Program_Options refuses to take a known
        ** option as the value. */
        {{"run", "--trace", "--json", NULL}, "bfsim run: missing value for --trace"},
        /* The same with a short option as the next word. */
        {{"run", "--trace", "-c", "a.ini", NULL}, "bfsim run: missing value for --trace"},
        /* --trace= with nothing after the '='. */
        {{"run", "--trace=", NULL}, "bfsim run: missing value for --trace"},
        /* A MULTI option with no value. */
        {{"run", "--set", NULL}, "bfsim run: missing value for --set"},
        /* A STRING option twice. */
        {{"run", "--trace", "a", "-t", "b", NULL}, "bfsim run: --trace given more than once"},
        /* A flag with a value. */
        {{"run", "--json=yes", NULL}, "bfsim run: --json takes no value"},
        /* A value outside the choices. */
        {{"run", "--format", "xml", NULL},
         "bfsim run: --format: invalid value 'xml' (expected auto|text|bin)"},
    };
    for (size_t i = 0; i < BF_ARRAY_SIZE(cases); i++) {
        bf_opts *o = run_opts();
        BF_CHECK_EQ(parse(o, cases[i].argv, err, sizeof err), BF_EINPUT);
        BF_CHECK_STR(err, cases[i].msg);
        /* After a failed parse nothing is reported as given. */
        BF_CHECK(!bf_opts_has(o, "trace"));
        bf_opts_free(o);
    }
    /* A tiny error buffer truncates, never overflows: 8 bytes hold "bfsim r" and the NUL. */
    bf_opts *o = run_opts();
    char small[8];
    char *argv[] = {"run", "--x", NULL};
    BF_CHECK_EQ(bf_opts_parse(o, 2, argv, small, sizeof small), BF_EINPUT);
    BF_CHECK_STR(small, "bfsim r");
    bf_opts_free(o);
}

static int starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_help(void)
{
    char err[256];
    bf_opts *o = run_opts();
    /* --help returns 1 (even with other options) and prints nothing by itself. */
    char *argv[] = {"run", "--trace", "t", "--help", NULL};
    BF_CHECK_EQ(parse(o, argv, err, sizeof err), 1);
    BF_CHECK_STR(err, "");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    BF_CHECK(f != NULL);
    bf_opts_help(o, f);
    fclose(f);
    /* Usage line first, then the description, the options table (with -t's long form and the
    ** default and choices of --format), and the examples, indented. */
    BF_CHECK(starts_with(text, "usage: bfsim run --config FILE --trace FILE [options]\n"));
    BF_CHECK(strstr(text, "\nReplay a trace on one machine.\n") != NULL);
    BF_CHECK(strstr(text, "Options:") != NULL);
    BF_CHECK(strstr(text, "-t [ --trace ] arg") != NULL);
    BF_CHECK(strstr(text, "--format arg (=auto)") != NULL);
    BF_CHECK(strstr(text, "(auto|text|bin)") != NULL);
    BF_CHECK(strstr(text, "-h [ --help ]") != NULL);
    BF_CHECK(strstr(text, "\nExamples:\n  bfsim run --config configs/ezkit-icache.ini") != NULL);
    free(text);
    bf_opts_free(o);

    /* A synopsis that starts with "bfsim " is the whole usage line; already indented examples
    ** keep their indentation. */
    o = bf_opts_new("results show", "bfsim results show RUN [--format F]", NULL,
                    "  bfsim results show 3\nbfsim results show 4");
    f = open_memstream(&text, &len);
    bf_opts_help(o, f);
    fclose(f);
    BF_CHECK(starts_with(text, "usage: bfsim results show RUN [--format F]\n"));
    BF_CHECK(strstr(text, "\nExamples:\n  bfsim results show 3\n  bfsim results show 4\n") != NULL);
    free(text);
    bf_opts_free(o);

    /* No words at all (argc 1: only the command word; argc 0 too). */
    o = run_opts();
    char *argv0[] = {"run", NULL};
    BF_CHECK_EQ(bf_opts_parse(o, 1, argv0, err, sizeof err), 0);
    BF_CHECK(!bf_opts_has(o, "trace"));
    bf_opts_free(o);
    o = run_opts();
    BF_CHECK_EQ(bf_opts_parse(o, 0, NULL, err, sizeof err), 0);
    BF_CHECK_STR(bf_opts_get(o, "db"), "results/bfsim.db");
    bf_opts_free(o);

    /* -h is the short form. */
    o = run_opts();
    char *argv2[] = {"run", "-h", NULL};
    BF_CHECK_EQ(parse(o, argv2, err, sizeof err), 1);
    bf_opts_free(o);
}

static void test_set(void)
{
    char k[32], v[32], err[128];
    /* Split at the first '=': the value keeps later '=' signs. */
    BF_CHECK_EQ(bf_parse_set("linux.cmdline=mem=50M", k, sizeof k, v, sizeof v, err, sizeof err),
                0);
    BF_CHECK_STR(k, "linux.cmdline");
    BF_CHECK_STR(v, "mem=50M");
    /* Whitespace around the key is trimmed; an empty value is allowed (the caller checks it). */
    BF_CHECK_EQ(bf_parse_set(" l1.wbuf_depth =", k, sizeof k, v, sizeof v, err, sizeof err), 0);
    BF_CHECK_STR(k, "l1.wbuf_depth");
    BF_CHECK_STR(v, "");
    BF_CHECK_EQ(bf_parse_set("l1.wbuf_depth", k, sizeof k, v, sizeof v, err, sizeof err),
                BF_EINPUT);
    BF_CHECK_STR(err, "expected key=value");
    BF_CHECK_EQ(bf_parse_set("=4", k, sizeof k, v, sizeof v, err, sizeof err), BF_EINPUT);
    BF_CHECK_STR(err, "empty key");
    BF_CHECK_EQ(bf_parse_set("  =4", k, sizeof k, v, sizeof v, err, sizeof err), BF_EINPUT);
    BF_CHECK_STR(err, "empty key");
    /* 4-byte buffers hold 3 characters: "abcd" does not fit as a key, "abc" does; the value
    ** "wxyz" does not fit. */
    BF_CHECK_EQ(bf_parse_set("abcd=1", k, 4, v, 4, err, sizeof err), BF_EINPUT);
    BF_CHECK_STR(err, "key too long (at most 3 bytes)");
    BF_CHECK_EQ(bf_parse_set("abc=wxyz", k, 4, v, 4, err, sizeof err), BF_EINPUT);
    BF_CHECK_STR(err, "value too long (at most 3 bytes)");
    BF_CHECK_EQ(bf_parse_set("abc=xyz", k, 4, v, 4, err, sizeof err), 0);
    BF_CHECK_STR(v, "xyz");
}

int main(void)
{
    test_declarations();
    test_flags_strings_multi();
    test_positional();
    test_errors();
    test_help();
    test_set();
    return bf_test_exit();
}
