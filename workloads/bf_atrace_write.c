/*
** bf_atrace_write.c: the native allocation-trace writer ("#bfsim-alloc 1", the format
** bf_atrace_native.c reads): header pairs collected until the first record, then one line per
** record; GFP bits symbolic (bf_gfp_format), an explicit 0 as "0", none as nothing.
** Invariant: it writes only records the native reader accepts (names without blanks, known ops).
*/
#include "bf_atrace.h"
#include "bf_hmem.h"

#include "bf_tio.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HDR_MAX = 4096 }; /* header text, bytes */

struct bf_atrace_writer {
    bf_tio_out *out;
    int started;
    char hdr[HDR_MAX];
    size_t hdr_len;
    char err[BF_TIO_ERR];
};

int bf_atrace_writer_open(const char *path, int compression, bf_atrace_writer **out, char *err,
                          size_t errn)
{
    *out = NULL;
    bf_atrace_writer *w = bf_calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errn, "%s: out of host memory", path);
        return BF_ENOMEM;
    }
    int rc = bf_tio_out_open(path, compression, 0, &w->out, err, errn);
    if (rc) {
        free(w);
        return rc;
    }
    *out = w;
    return BF_OK;
}

int bf_atrace_writer_header(bf_atrace_writer *w, const char *key, const char *value)
{
    if (w->started) {
        snprintf(w->err, sizeof w->err, "header '%s' after the first record", key);
        return BF_ESTATE;
    }
    size_t kn = strlen(key);
    int ok = kn > 0 && !strpbrk(value, "\r\n");
    for (size_t i = 0; i < kn; i++)
        if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') ||
              key[i] == '_' || key[i] == '-' || key[i] == '.'))
            ok = 0;
    if (!ok) {
        snprintf(w->err, sizeof w->err, "bad header '%s'", key);
        return BF_EINPUT;
    }
    int n = snprintf(w->hdr + w->hdr_len, sizeof w->hdr - w->hdr_len, "#%s: %s\n", key, value);
    if (n < 0 || (size_t)n >= sizeof w->hdr - w->hdr_len) {
        snprintf(w->err, sizeof w->err, "header larger than %d bytes", HDR_MAX);
        return BF_EINPUT;
    }
    w->hdr_len += (size_t)n;
    return BF_OK;
}

static int wstart(bf_atrace_writer *w)
{
    if (w->started)
        return BF_OK;
    w->started = 1;
    static const char first[] = "#bfsim-alloc 1\n";
    bf_tio_write(w->out, first, sizeof first - 1);
    return bf_tio_write(w->out, w->hdr, w->hdr_len);
}

int bf_atrace_write(bf_atrace_writer *w, const bf_arec *r)
{
    char b[512], g[256];
    int n = 0;
    const char *op = bf_aop_name(r->op);
    if (r->op > BF_AOP_RECLAIMABLE) {
        snprintf(w->err, sizeof w->err, "unknown allocation op %u", r->op);
        return BF_EINPUT;
    }
    if ((r->op == BF_AOP_CACHE_ALLOC || r->op == BF_AOP_CACHE_FREE || r->op == BF_AOP_PHASE) &&
        (!r->name || !r->name[0] || strlen(r->name) > BF_ATRACE_NAME_MAX ||
         strpbrk(r->name, " \t\r\n"))) {
        snprintf(w->err, sizeof w->err, "%s record needs a name without blanks", op);
        return BF_EINPUT;
    }
    /* GFP is written when the record has it: an explicit 0 (GFP_NOWAIT) as "0", none as nothing */
    g[0] = ' ';
    if (r->has_gfp || r->gfp)
        bf_gfp_format(r->gfp, g + 1, sizeof g - 1);
    else
        g[0] = '\0';
    switch (r->op) {
    case BF_AOP_KMALLOC:
    case BF_AOP_VMALLOC:
        n = snprintf(b, sizeof b, "%s %" PRIu64 " %" PRIu64 "%s", op, r->id, r->size, g);
        break;
    case BF_AOP_CACHE_ALLOC:
        n = snprintf(b, sizeof b, "%s %s %" PRIu64 " %" PRIu64 "%s", op, r->name, r->id, r->size,
                     g);
        break;
    case BF_AOP_CACHE_FREE:
        n = snprintf(b, sizeof b, "%s %s %" PRIu64, op, r->name, r->id);
        break;
    case BF_AOP_PAGES_ALLOC:
        n = snprintf(b, sizeof b, "%s %" PRIu64 " %u%s", op, r->id, r->order, g);
        break;
    case BF_AOP_PAGES_FREE:
        n = snprintf(b, sizeof b, "%s %" PRIu64 " %u", op, r->id, r->order);
        break;
    case BF_AOP_MMAP:
    case BF_AOP_MALLOC:
        n = snprintf(b, sizeof b, "%s %" PRIu64 " %" PRIu64, op, r->id, r->size);
        break;
    case BF_AOP_PHASE:
        n = snprintf(b, sizeof b, "phase %s", r->name);
        break;
    case BF_AOP_RECLAIMABLE:
        n = snprintf(b, sizeof b, "reclaimable %" PRIu64, r->value);
        break;
    default: /* frees */
        n = snprintf(b, sizeof b, "%s %" PRIu64, op, r->id);
        break;
    }
    if (r->op != BF_AOP_PHASE && r->op != BF_AOP_RECLAIMABLE) {
        if (r->site && r->site[0] && !strpbrk(r->site, " \t\r\n"))
            n += snprintf(b + n, sizeof b - (size_t)n, " @%.*s", BF_ATRACE_SITE_MAX, r->site);
        if (r->time_ns)
            n += snprintf(b + n, sizeof b - (size_t)n, " t=%" PRIu64, r->time_ns);
    }
    b[n++] = '\n';
    int rc = wstart(w);
    if (!rc)
        rc = bf_tio_write(w->out, b, (size_t)n);
    if (rc)
        snprintf(w->err, sizeof w->err, "%s", bf_tio_out_error(w->out));
    return rc;
}

const char *bf_atrace_writer_error(const bf_atrace_writer *w)
{
    return w->err;
}

int bf_atrace_writer_close(bf_atrace_writer *w, char *err, size_t errn)
{
    if (!w)
        return BF_OK;
    wstart(w);
    int rc = bf_tio_out_close(w->out, err, errn);
    free(w);
    return rc;
}
