/*
** bf_json.h: the program's one JSON value writer. Every JSON document bfsim writes (run reports,
** `results` export, the regress baseline JSONL and the regress JSON report) writes its strings and
** numbers through these functions, so the same value prints as the same bytes everywhere.
**
** Strings: '"' and '\\' escaped, \n \t \r by name, other control characters as \u00XX; well-formed
** UTF-8 (RFC 3629) copied as is, any byte that does not start a well-formed sequence written as
** \ufffd. Numbers: non-finite values as null.
*/
#ifndef BF_JSON_H
#define BF_JSON_H

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

#ifdef __cplusplus
}
#endif

#endif
