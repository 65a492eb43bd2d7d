/* Sort of a linked structure: qsort of an array of pointers to heap records, then a walk in
** sorted order (pointer chasing over many small allocations). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 2500

struct rec {
    unsigned key;
    char name[20];
};

static int cmp(const void *a, const void *b)
{
    const struct rec *x = *(const struct rec *const *)a, *y = *(const struct rec *const *)b;
    return x->key < y->key ? -1 : x->key > y->key;
}

int main(void)
{
    struct rec **v = malloc(sizeof(*v) * N);
    if (!v)
        return 1;
    unsigned s = 777;
    for (int i = 0; i < N; i++) {
        v[i] = malloc(sizeof(struct rec));
        s = s * 1664525u + 1013904223u;
        v[i]->key = s >> 8;
        memset(v[i]->name, 'a' + i % 26, sizeof v[i]->name);
    }
    qsort(v, N, sizeof(*v), cmp);
    unsigned long long h = 0;
    for (int i = 0; i < N; i++)
        h = h * 31 + v[i]->key + (unsigned char)v[i]->name[3];
    printf("%llu\n", h);
    for (int i = 0; i < N; i++)
        free(v[i]);
    free(v);
    return 0;
}
