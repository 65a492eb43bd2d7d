/*
** bf_opts.h: command-line options and INI config files for the bfsim CLI, a C API over
** Boost.Program_Options (the C++ stays in bf_opts.cpp; no exception crosses into C).
**
** Command line. One bf_opts per command: declare options, parse, query, free.
**   - Names are Program_Options style, "trace,t": the long name, then an optional one-letter
**     short name. Queries always use the long name ("trace").
**   - BF_OPT_FLAG takes no value; BF_OPT_STRING takes exactly one value and may be given once;
**     BF_OPT_MULTI takes one or more values and may be repeated (`--configs a b c`,
**     `--set k=v --set k2=v2`); its values are kept in command-line order.
**   - `--help,-h` is declared by bf_opts_new.
**   - A MULTI option takes the bare words that follow it (`--configs a b c`), so a command with
**     positional words wants them before such an option or after another option.
**   - Long options are not abbreviated (`--tr` is unknown, not `--trace`), so that adding an
**     option never changes the meaning of an existing command line.
**   - Every error message starts with "bfsim COMMAND: ".
**
** INI files. Program_Options' config-file syntax: `key = value` lines, `[section]` lines that
** prefix the following keys ("[l1]" + "wbuf_depth = 6" -> "l1.wbuf_depth"), '#' starts a comment,
** whitespace around keys and values is trimmed. Additions, documented here because Program_Options
** has neither:
**   - every key is reported with its file and 1-based line number;
**   - a value that starts with a double quote runs to the next double quote; that one pair of
**     quotes is removed and everything between them is kept verbatim, '#' and spaces included
**     (`linux.cmdline = "mem=50M max_mem=64M$#"` gives `mem=50M max_mem=64M$#`). There are no
**     escapes; only a comment may follow the closing quote. Unquoted values lose their comment;
**   - a section name must be non-empty and contain no whitespace, '[' or ']';
**   - a key repeated in one file is reported each time (the caller decides; last one wins when
**     the caller simply stores values).
** CR-LF line ends are accepted. A UTF-8 byte-order mark at the start of the file is skipped.
*/
#ifndef BF_OPTS_H
#define BF_OPTS_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bf_opts bf_opts;

enum {
    BF_OPT_FLAG = 0,   /* no value: --json */
    BF_OPT_STRING = 1, /* one value, at most once: --trace FILE */
    BF_OPT_MULTI = 2   /* one or more values, repeatable: --configs a b c, --set k=v --set k2=v2 */
};

/* A parser for `bfsim COMMAND`. synopsis follows "usage: bfsim COMMAND " in the help text
** ("--config FILE --trace FILE [options]"), or, when it starts with "bfsim ", is the whole usage
** line; description and examples are free text (examples: one command per line, indented by two
** spaces unless already indented). Any of them may be NULL. Returns NULL only when out of
** memory. */
bf_opts *bf_opts_new(const char *command, const char *synopsis, const char *description,
                     const char *examples);

/* Declare an option. default_value (or NULL) is what bf_opts_get returns when the option is not
** given; it is shown in the help. Returns 0, BF_ECONFIG for a bad name/type or a duplicate, or
** BF_ESTATE after bf_opts_parse. */
int bf_opts_add(bf_opts *o, const char *name, int type, const char *default_value,
                const char *help);

/* Restrict a declared option's values to a '|'-separated list ("text|markdown|csv|json");
** anything else fails bf_opts_parse with "bfsim COMMAND: --format: invalid value 'x' (expected
** text|markdown|csv|json)". Returns 0, BF_ECONFIG if the option is not declared. */
int bf_opts_choices(bf_opts *o, const char *name, const char *choices);

/* Bare words on the command line fill `name` (up to max_count of them, -1 = unlimited); several
** calls fill names in call order. A name not declared with bf_opts_add is declared as a hidden
** BF_OPT_MULTI (not listed in the help's options: mention it in the synopsis). */
int bf_opts_positional(bf_opts *o, const char *name, int max_count);

/* Parse argv[1..argc-1]; argv[0] is the command word and is skipped (pass main's argc - 1,
** argv + 1 for `bfsim run ...`). Returns 0; 1 if --help was given (nothing printed: call
** bf_opts_help); BF_EINPUT with one of:
**   "bfsim run: unknown option '--x'"
**   "bfsim run: missing value for --trace"
**   "bfsim run: --trace given more than once"
**   "bfsim run: --json takes no value"
**   "bfsim run: --format: invalid value 'x' (expected text|json)"
**   "bfsim run: unexpected argument 'x'"          (more bare words than bf_opts_positional allows)
** A parser can be parsed once (BF_ESTATE after that). */
int bf_opts_parse(bf_opts *o, int argc, char **argv, char *err, size_t errn);

/* 1 if the option was given on the command line (a default does not count), else 0. */
int bf_opts_has(const bf_opts *o, const char *name);
/* The value of a STRING option (the last value of a MULTI), else its default, else NULL.
** For a FLAG: "1" if given, else NULL. The string lives as long as o. */
const char *bf_opts_get(const bf_opts *o, const char *name);
/* Number of values of an option (MULTI: all occurrences; a default counts as one value when the
** option is not given), and value i of them, or NULL past the end. */
size_t bf_opts_count(const bf_opts *o, const char *name);
const char *bf_opts_get_at(const bf_opts *o, const char *name, size_t i);

/* Help: "usage: bfsim COMMAND SYNOPSIS", the description, the options table from Program_Options'
** formatter, then "Examples:" and the examples indented. */
void bf_opts_help(const bf_opts *o, FILE *f);

void bf_opts_free(bf_opts *o);

/* INI callback: one call per key line, in file order. key is dotted ("l1.wbuf_depth"), value is
** trimmed and unquoted, line is 1-based. A non-zero return stops parsing and is returned by
** bf_ini_parse_* (err is then left untouched: the callback reports through its ctx). */
typedef int (*bf_ini_cb)(void *ctx, const char *key, const char *value, const char *file,
                         unsigned line);

/* Parse an INI file. Returns 0; BF_EIO "cannot open FILE: No such file or directory";
** BF_EINPUT "FILE:LINE: reason" for a syntax error (nothing after that line is reported);
** or the callback's non-zero return. */
/* A config file is at most BF_INI_MAX_BYTES, each line at most BF_INI_MAX_LINE bytes (else
** BF_EINPUT "file: larger than ..." / "file:line: line longer than ..."). */
enum { BF_INI_MAX_BYTES = 1 << 20, BF_INI_MAX_LINE = 4096 };
int bf_ini_parse_file(const char *path, bf_ini_cb cb, void *ctx, char *err, size_t errn);

/* The same on text in memory (n bytes, need not be NUL-terminated); name stands for the file
** name in callbacks and messages. For tests and the config-parser fuzz target. */
int bf_ini_parse_text(const char *text, size_t n, const char *name, bf_ini_cb cb, void *ctx,
                      char *err, size_t errn);

/* Split a --set argument "key=value" at the first '='. Whitespace around the key is trimmed; the
** value is kept as given (it may be empty). Returns 0, or BF_EINPUT with the reason only (the
** caller names the argument: "--set x: expected key=value"): "expected key=value", "empty key",
** "key too long (at most N bytes)", "value too long (at most N bytes)" when it does not fit
** kn / vn bytes (including the NUL). */
int bf_parse_set(const char *kv, char *key, size_t kn, char *val, size_t vn, char *err,
                 size_t errn);

#ifdef __cplusplus
}
#endif

#endif
