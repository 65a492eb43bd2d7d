/*
** bf_config_int.h: what the two halves of the machine configuration share: bf_config_keys.c (the
** key table and one value's parsing) serves bf_config.c (loading files and composing the models).
** Not for use outside those files.
*/
#ifndef BF_CONFIG_INT_H
#define BF_CONFIG_INT_H

#include <stddef.h>

#include "bf_config.h"

/* Index of key `name` in the table, or -1. */
int bf_cfg_find_key(const char *name);
/* Parses val by key ki's type and stores it in m; on error writes the reason (without location)
** to err and returns BF_ECONFIG. */
int bf_cfg_apply(bf_machine *m, int ki, const char *val, char *err, size_t errn);
/* Rule 1: zeroes m, applies every key's default, origin "default". */
int bf_cfg_apply_defaults(bf_machine *m, char *err, size_t errn);

#endif
