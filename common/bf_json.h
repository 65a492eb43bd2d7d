/*
** bf_json.h: the program's one JSON writer. Every JSON document bfsim writes (run, compare, alloc
** and trace-stats reports, `results` list/show/export, the regress baseline JSONL and the regress
** JSON report, the SystemC benchmark line) is written through a bf_jw, so the same value prints as
** the same bytes everywhere and no document places its own commas or brackets.
**
** Values (bf_json_*, also used alone by the CSV export for its numbers):
**   Strings: '"' and '\\' escaped, \n \t \r by name, other control characters as \u00XX; well-formed
**   UTF-8 (RFC 3629) copied as is, any byte that does not start a well-formed sequence written as
**   \ufffd. Numbers: non-finite values as null.
**
** Structure (bf_jw_*): the caller says what comes next (open, key, value, end); the writer places
** the separators. Its rules:
**   1. A member of a container is preceded by "," when it is not the first, then by a line break
**      and an indent when the container is a line layout (bf_jw_array_lines) or bf_jw_break asked
**      for one, else (not first) by the style's space: BF_JW_SPACED writes ", " and ": " (every
**      bfsim document), BF_JW_TIGHT "," and ":".
**   2. A key is written as a string followed by ":" (and the space); the next value is its value.
**   3. A line-layout container with close_line set and at least one member closes on a line of
**      its own ("\n]"); every other container closes right after its last member ("[]" when empty).
**   4. A value at the top level (depth 0) ends its line: "\n" after it, so a sequence of top-level
**      values is JSON lines.
**   5. At most BF_JW_MAX_DEPTH open containers. Opening one more, a key outside an object or an
**      end with nothing open is the caller's bug: asserted in debug builds; in release builds the
**      writer stops writing (bf_jw_failed tells), it never writes outside its state.
*/
#ifndef BF_JSON_H
#define BF_JSON_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A JSON string; NULL is written as null. */
void bf_json_str(FILE *f, const char *s);
/* A JSON string; NULL is written as "". */
void bf_json_string(FILE *f, const char *s);
/* A number in its shortest exact form: %.15g when that reads back as v, else %.17g. */
void bf_json_num(FILE *f, double v);
/* A number as the run reports print it: when `integer` is set and v fits, as an unsigned integer,
** else %.17g. */
void bf_json_exact(FILE *f, double v, int integer);

#define BF_JW_MAX_DEPTH 8

typedef enum { BF_JW_SPACED = 0, BF_JW_TIGHT = 1 } bf_jw_style;

/* One document being written (caller-owned, no heap). Fields are private to bf_json.c. */
typedef struct bf_jw {
    FILE *f;
    bf_jw_style style;
    int depth;       /* open containers */
    int after_key;   /* a key was written: the next value is its value (rule 2) */
    int failed;      /* a rule 5 misuse: nothing more is written */
    const char *brk; /* bf_jw_break: the next member's indent on a new line */
    struct {
        char close;       /* '}' or ']' */
        int close_line;   /* rule 3 */
        const char *line; /* line layout: every member's indent; NULL: one line */
        size_t n;         /* members written */
    } lv[BF_JW_MAX_DEPTH];
} bf_jw;

void bf_jw_init(bf_jw *w, FILE *f, bf_jw_style style);
/* Open a container whose members follow each other on one line. */
void bf_jw_object(bf_jw *w);
void bf_jw_array(bf_jw *w);
/* Open an array whose every member starts a new line after `indent` (rule 1); close_line: the
** closing bracket too, at the start of a line (rule 3). */
void bf_jw_array_lines(bf_jw *w, const char *indent, int close_line);
/* Close the innermost container. */
void bf_jw_end(bf_jw *w);
/* The next member of the current container starts a new line after `indent`. */
void bf_jw_break(bf_jw *w, const char *indent);
/* A member's key (inside an object); the next call writes its value. */
void bf_jw_key(bf_jw *w, const char *key);
/* Values, as the bf_json_* functions above write them. */
void bf_jw_str(bf_jw *w, const char *s);    /* NULL: null */
void bf_jw_string(bf_jw *w, const char *s); /* NULL: "" */
void bf_jw_num(bf_jw *w, double v);
void bf_jw_exact(bf_jw *w, double v, int integer);
void bf_jw_u64(bf_jw *w, uint64_t v);
void bf_jw_i64(bf_jw *w, int64_t v);
/* A number with a fixed count of decimals (%.*f; non-finite: null). */
void bf_jw_fixed(bf_jw *w, double v, int decimals);
void bf_jw_bool(bf_jw *w, int v);
void bf_jw_null(bf_jw *w);
/* Non-zero after a rule 5 misuse. */
int bf_jw_failed(const bf_jw *w);

#ifdef __cplusplus
}
#endif

#endif
