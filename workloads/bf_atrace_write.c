/*
** bf_atrace_write.c: the native allocation-trace writer ("#bfsim-alloc 1", the format
** bf_atrace_native.c reads): header pairs collected until the first record, then one line per
** record; GFP bits symbolic (bf_gfp_format), an explicit 0 as "0", none as nothing.
** Invariant: it writes only records the native reader accepts (names without blanks, known ops).
*/
#include "bf_atrace.h"
#include "bf_hmem.h"
#include "bf_strbuf.h"

#include "bf_tio.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HDR_MAX = 4096 }; /* header text, bytes */

struct bf_atrace_writer {
    bf_tio_out *out;
    int started;
    char hdr_text[HDR_MAX];
    bf_strbuf hdr; /* over hdr_text: "#key: value\n" lines */
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
    w->hdr = bf_strbuf_on(w->hdr_text, sizeof w->hdr_text);
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
    if (w->hdr.len + strlen(key) + strlen(value) + 5 > w->hdr.cap) { /* "#: \n" and the NUL */
        snprintf(w->err, sizeof w->err, "header larger than %d bytes", HDR_MAX);
        return BF_EINPUT;
    }
    bf_strbuf_printf(&w->hdr, "#%s: %s\n", key, value);
    return BF_OK;
}

static int wstart(bf_atrace_writer *w)
{
    if (w->started)
        return BF_OK;
    w->started = 1;
    static const char first[] = "#bfsim-alloc 1\n";
    bf_tio_write(w->out, first, sizeof first - 1);
    return bf_tio_write(w->out, w->hdr.buf, w->hdr.len);
}

int bf_atrace_write(bf_atrace_writer *w, const bf_arec *r)
{
    /* the longest line: op, name, two numbers, GFP, site, time: well under 1024 bytes */
    char b[1024], g[256];
    bf_strbuf t = bf_strbuf_on(b, sizeof b);
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
        bf_strbuf_printf(&t, "%s %" PRIu64 " %" PRIu64 "%s", op, r->id, r->size, g);
        break;
    case BF_AOP_CACHE_ALLOC:
        bf_strbuf_printf(&t, "%s %s %" PRIu64 " %" PRIu64 "%s", op, r->name, r->id, r->size, g);
        break;
    case BF_AOP_CACHE_FREE:
        bf_strbuf_printf(&t, "%s %s %" PRIu64, op, r->name, r->id);
        break;
    case BF_AOP_PAGES_ALLOC:
        bf_strbuf_printf(&t, "%s %" PRIu64 " %u%s", op, r->id, r->order, g);
        break;
    case BF_AOP_PAGES_FREE:
        bf_strbuf_printf(&t, "%s %" PRIu64 " %u", op, r->id, r->order);
        break;
    case BF_AOP_MMAP:
    case BF_AOP_MALLOC:
        bf_strbuf_printf(&t, "%s %" PRIu64 " %" PRIu64, op, r->id, r->size);
        break;
    case BF_AOP_PHASE:
        bf_strbuf_printf(&t, "phase %s", r->name);
        break;
    case BF_AOP_RECLAIMABLE:
        bf_strbuf_printf(&t, "reclaimable %" PRIu64, r->value);
        break;
    default: /* frees */
        bf_strbuf_printf(&t, "%s %" PRIu64, op, r->id);
        break;
    }
    if (r->op != BF_AOP_PHASE && r->op != BF_AOP_RECLAIMABLE) {
        if (r->site && r->site[0] && !strpbrk(r->site, " \t\r\n"))
            bf_strbuf_printf(&t, " @%.*s", BF_ATRACE_SITE_MAX, r->site);
        if (r->time_ns)
            bf_strbuf_printf(&t, " t=%" PRIu64, r->time_ns);
    }
    bf_strbuf_printf(&t, "\n");
    int rc = wstart(w);
    if (!rc)
        rc = bf_tio_write(w->out, b, t.len);
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
