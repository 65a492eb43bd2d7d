/*
** bf_alloc_run_reader.c: bf_alloc_run over an allocation-trace reader. Kept apart from
** bf_alloc_run.c so that programs which feed records themselves do not need the reader.
*/
#include "bf_alloc_run.h"

#include <stdio.h>

static int reader_next(void *ctx, bf_arec *rec)
{
    return bf_atrace_next(ctx, rec);
}

int bf_alloc_run_reader(const bf_alloc_methods *am, const bf_alloc_env *env, bf_atrace_reader *r,
                        const bf_alloc_run_opts *opts, bf_alloc_result *res)
{
    int rc = bf_alloc_run(am, env, reader_next, r, opts, res);
    if (rc != BF_OK && rc != BF_ESTATE && rc != BF_ECONFIG && bf_atrace_error(r) &&
        bf_atrace_error(r)[0])
        snprintf(res->error, sizeof(res->error), "%s", bf_atrace_error(r));
    return rc;
}
