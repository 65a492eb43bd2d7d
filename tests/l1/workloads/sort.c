/* Cachegrind oracle workload 2: many small heap allocations linked in a list, then an array of
** pointers to them sorted with qsort (pointer chasing, scattered reads, allocator metadata,
** stores all over the heap). Deterministic pseudo-random keys; prints a checksum. */
#include <stdio.h>
#include <stdlib.h>

typedef struct node {
    struct node *next;
    unsigned key;
    char pad[20];
} node;

static int cmp(const void *a, const void *b)
{
    unsigned x = (*(node *const *)a)->key, y = (*(node *const *)b)->key;
    return x < y ? -1 : x > y;
}

int main(void)
{
    enum { N = 2000 };
    unsigned s = 12345;
    node *head = NULL;
    for (int i = 0; i < N; i++) {
        node *n = malloc(sizeof *n);
        if (!n)
            return 1;
        s = s * 1103515245u + 12345u;
        n->key = s >> 8;
        n->next = head;
        head = n;
    }
    node **v = malloc(N * sizeof *v);
    if (!v)
        return 1;
    int k = 0;
    for (node *n = head; n; n = n->next)
        v[k++] = n;
    qsort(v, N, sizeof *v, cmp);
    unsigned long sum = 0;
    for (int i = 0; i < N; i++)
        sum = sum * 31 + v[i]->key;
    printf("%lu\n", sum);
    for (int i = 0; i < N; i++)
        free(v[i]);
    free(v);
    return 0;
}
