/*
** bf_stats.c: the statistics registry (see bf_stats.h for the X-macro convention).
**
** Invariant: the registry holds one entry per registered descriptor, in registration order, and
** no two entries share a name. Registration is linear in the number of stats already present
** (a few hundred at most, once per run); reading a value is one indexed load.
*/
#include "bf_stats.h"
#include "bf_hmem.h"

#include <stdlib.h>
#include <string.h>

typedef struct bf_stat_entry {
    const bf_stat_desc *d;
    void *base;
} bf_stat_entry;

struct bf_stats {
    bf_stat_entry *v; /* entries, registration order */
    size_t n;         /* used */
    size_t cap;       /* allocated */
};

bf_stats *bf_stats_new(void)
{
    return bf_calloc(1, sizeof(bf_stats));
}

void bf_stats_free(bf_stats *r)
{
    if (!r)
        return;
    free(r->v);
    free(r);
}

int bf_stats_add(bf_stats *r, const bf_stat_desc *d, size_t n, void *base, const char **dup)
{
    for (size_t i = 0; i < n; i++) {
        if (bf_stats_find(r, d[i].name) >= 0) {
            if (dup)
                *dup = d[i].name;
            return BF_ESTATE;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(d[i].name, d[j].name) == 0) {
                if (dup)
                    *dup = d[i].name;
                return BF_ESTATE;
            }
        }
    }
    if (r->n + n > r->cap) {
        size_t cap = r->cap ? r->cap : 64;
        while (cap < r->n + n)
            cap *= 2;
        bf_stat_entry *v = bf_realloc(r->v, cap * sizeof(*v));
        if (!v)
            return BF_ENOMEM;
        r->v = v;
        r->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        r->v[r->n].d = &d[i];
        r->v[r->n].base = base;
        r->n++;
    }
    return BF_OK;
}

size_t bf_stats_count(const bf_stats *r)
{
    return r->n;
}

const bf_stat_desc *bf_stats_at(const bf_stats *r, size_t i)
{
    return i < r->n ? r->v[i].d : NULL;
}

int bf_stats_is_integer(const bf_stats *r, size_t i)
{
    return r->v[i].d->type == BF_STAT_U64;
}

double bf_stats_value(const bf_stats *r, size_t i)
{
    const bf_stat_entry *e = &r->v[i];
    const char *p = (const char *)e->base + e->d->offset;
    if (e->d->type == BF_STAT_U64) {
        uint64_t u;
        memcpy(&u, p, sizeof u);
        return (double)u;
    }
    double f;
    memcpy(&f, p, sizeof f);
    return f;
}

uint64_t bf_stats_u64(const bf_stats *r, size_t i)
{
    const bf_stat_entry *e = &r->v[i];
    const char *p = (const char *)e->base + e->d->offset;
    if (e->d->type == BF_STAT_U64) {
        uint64_t u;
        memcpy(&u, p, sizeof u);
        return u;
    }
    double f;
    memcpy(&f, p, sizeof f);
    return f > 0 ? (uint64_t)f : 0;
}

const void *bf_stats_block(const bf_stats *r, const bf_stat_desc *d)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].d == d)
            return r->v[i].base;
    return NULL;
}

long bf_stats_find(const bf_stats *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].d->name, name) == 0)
            return (long)i;
    return -1;
}

void bf_stats_snapshot(const bf_stats *r, double *out)
{
    for (size_t i = 0; i < r->n; i++)
        out[i] = bf_stats_value(r, i);
}
