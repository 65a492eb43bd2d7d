/*
** allocseq.c: the program recorded by tests/record/test_allocrec.c under libbfallocrec.so. It makes
** a known allocation sequence with distinctive sizes (7001..7007, 21006 = 3*7002, 7040, and
** 7100/7101 in two threads) so that the checker can pick its records out of the C library's own.
** Built without sanitizers (it runs with the preload library).
*/
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void *worker(void *arg)
{
    size_t size = (size_t)(uintptr_t)arg;
    for (int i = 0; i < 100; i++) {
        volatile char *p = malloc(size);
        if (!p)
            return (void *)1;
        p[0] = (char)i;
        free((void *)p);
    }
    return NULL;
}

int main(void)
{
    char *a = malloc(7001);
    char *b = calloc(3, 7002);
    char *c = realloc(a, 7003);
    void *d = NULL;
    if (posix_memalign(&d, 64, 7004) != 0)
        return 2;
    char *e = aligned_alloc(64, 7040);
    char *f = memalign(32, 7005);
    if (!b || !c || !e || !f)
        return 3;
    free(b);
    char *g = realloc(NULL, 7006);
    if (!g)
        return 4;
    g = realloc(g, 0); /* glibc frees and returns NULL */
    free(g);
    free(NULL);

    pid_t pid = fork();
    if (pid < 0)
        return 5;
    if (pid == 0) {
        free(d);
        volatile char *h = malloc(7007); /* volatile: keep the pair from being optimised away */
        if (!h)
            _exit(1);
        h[0] = 1;
        free((void *)h);
        exit(0); /* exit, not _exit: the recorder flushes in its destructor */
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return 6;

    pthread_t t1, t2;
    if (pthread_create(&t1, NULL, worker, (void *)(uintptr_t)7100) != 0 ||
        pthread_create(&t2, NULL, worker, (void *)(uintptr_t)7101) != 0)
        return 7;
    void *r1, *r2;
    pthread_join(t1, &r1);
    pthread_join(t2, &r2);
    if (r1 || r2)
        return 8;
    free(c);
    free(d);
    free(e);
    free(f);
    return 0;
}
