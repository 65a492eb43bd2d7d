/*
** test_allocrec.c: runs tests/record/allocseq under libbfallocrec.so (LD_PRELOAD) and checks the
** two traces it must produce, one for the parent and one for the fork child.
**
** Hand-worked expectation (allocseq.c's sequence; ids renumbered in order of first appearance,
** records of the C library's own allocations filtered out by size):
**   parent: malloc 1 7001 / malloc 2 21006 (calloc 3*7002) / free 1 + malloc 3 7003 (realloc) /
**           malloc 4 7004 (posix_memalign) / malloc 5 7040 (aligned_alloc) / malloc 6 7005
**           (memalign) / free 2 / malloc 7 7006 (realloc NULL) / free 7 (realloc to 0) /
**           [200 thread records] / free 3 / free 4 / free 5 / free 6.
**   threads: for each size 7100 and 7101, 100 pairs "malloc X; free X" with distinct X, all between
**           "free 7" and "free 3" (the threads run after the fork child has been waited for).
**   child:  "#forked-from: <parent pid>"; before "phase fork" exactly the parent's live blocks of
**           sizes 7003, 7004, 7040, 7005 with the parent's raw ids; after it: free D (D = the
**           parent's raw id of the 7004 block), malloc H 7007, free H.
**   both:   first line "#bfsim-alloc 1"; every free names a live id; no id allocated twice.
*/
#define _GNU_SOURCE
#include "bf_strbuf.h"
#include "bf_test.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct rec {
    char kind; /* 'm' malloc, 'f' free, 'p' phase fork */
    uint64_t id, size;
} rec;

typedef struct trace {
    rec *r;
    size_t n, cap;
    char first[64];
    int has_program;
    long forked_from;
    int bad_lines;
} trace;

static void push(trace *t, char kind, uint64_t id, uint64_t size)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->r = realloc(t->r, t->cap * sizeof *t->r);
        if (!t->r)
            abort();
    }
    t->r[t->n++] = (rec){kind, id, size};
}

static int load(const char *path, trace *t)
{
    memset(t, 0, sizeof *t);
    t->forked_from = -1;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        unsigned long long a, b;
        char tail;
        if (lineno == 1)
            snprintf(t->first, sizeof t->first, "%.60s", line);
        if (line[0] == '#') {
            if (strncmp(line, "#program:", 9) == 0 && strstr(line, "allocseq"))
                t->has_program = 1;
            if (strncmp(line, "#forked-from: ", 14) == 0)
                t->forked_from = atol(line + 14);
        } else if (sscanf(line, "malloc %llu %llu%c", &a, &b, &tail) == 3 && tail == '\n') {
            push(t, 'm', a, b);
        } else if (sscanf(line, "free %llu%c", &a, &tail) == 2 && tail == '\n') {
            push(t, 'f', a, 0);
        } else if (strcmp(line, "phase fork\n") == 0) {
            push(t, 'p', 0, 0);
        } else {
            fprintf(stderr, "%s:%d: unexpected line: %s", path, lineno, line);
            t->bad_lines++;
        }
    }
    fclose(f);
    return 1;
}

/* Every free names a live id; no id is allocated twice. Returns the number of violations. */
static int consistency(const trace *t)
{
    int bad = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->r[i].kind == 'p')
            continue;
        int live = 0, allocs = 0;
        for (size_t j = 0; j < i; j++) {
            if (t->r[j].id != t->r[i].id || t->r[j].kind == 'p')
                continue;
            if (t->r[j].kind == 'm') {
                live = 1;
                allocs++;
            } else {
                live = 0;
            }
        }
        if (t->r[i].kind == 'm' && allocs > 0)
            bad++;
        if (t->r[i].kind == 'f' && !live)
            bad++;
    }
    return bad;
}

static int ours_size(uint64_t s, int threads)
{
    static const uint64_t sizes[] = {7001, 21006, 7003, 7004, 7040, 7005, 7006, 7007};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        if (s == sizes[i])
            return 1;
    return threads && (s == 7100 || s == 7101);
}

static uint64_t size_of_id(const trace *t, uint64_t id)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->r[i].kind == 'm' && t->r[i].id == id)
            return t->r[i].size;
    return 0;
}

/* Records of allocseq's own non-thread blocks from index `from`, ids renumbered by first
** appearance, as "m1 7001|f1|..." ('p' for the fork phase). */
static void canon(const trace *t, size_t from, char *out, size_t n)
{
    uint64_t ids[64];
    size_t nid = 0;
    bf_strbuf b = bf_strbuf_on(out, n);
    for (size_t i = from; i < t->n; i++) {
        const rec *r = &t->r[i];
        if (r->kind == 'p') {
            bf_strbuf_printf(&b, "%sp", b.len ? "|" : "");
            continue;
        }
        if (!ours_size(size_of_id(t, r->id), 0))
            continue;
        size_t k = 0;
        while (k < nid && ids[k] != r->id)
            k++;
        if (k == nid && nid < 64)
            ids[nid++] = r->id;
        if (r->kind == 'm')
            bf_strbuf_printf(&b, "%sm%zu %llu", b.len ? "|" : "", k + 1,
                             (unsigned long long)r->size);
        else
            bf_strbuf_printf(&b, "%sf%zu", b.len ? "|" : "", k + 1);
    }
}

static size_t find(const trace *t, char kind, uint64_t size_or_id, int by_size)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->r[i].kind == kind &&
            (by_size ? t->r[i].size == size_or_id : t->r[i].id == size_or_id))
            return i;
    return (size_t)-1;
}

static void check_threads(const trace *t, uint64_t size, size_t lo, size_t hi)
{
    int pairs = 0, ordered = 1, inside = 1;
    uint64_t prev_id = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->r[i].kind != 'm' || t->r[i].size != size)
            continue;
        pairs++;
        if (i <= lo || i >= hi)
            inside = 0;
        if (prev_id && t->r[i].id <= prev_id)
            ordered = 0; /* ids increase: each block is a new id even at a reused address */
        prev_id = t->r[i].id;
        /* its free is the next record of this thread's id, before this thread's next malloc */
        size_t j = i + 1;
        while (j < t->n && !(t->r[j].kind == 'f' && t->r[j].id == t->r[i].id) &&
               !(t->r[j].kind == 'm' && t->r[j].size == size))
            j++;
        if (j == t->n || t->r[j].kind != 'f')
            ordered = 0;
    }
    BF_CHECK_EQ(pairs, 100);
    BF_CHECK(ordered);
    BF_CHECK(inside);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s LIBBFALLOCREC ALLOCSEQ\n", argv[0]);
        return 2;
    }
    char dir[] = "/tmp/bfallocrec-test-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    char pattern[256];
    snprintf(pattern, sizeof pattern, "%s/a.%%p.bfa", dir);

    pid_t pid = fork();
    if (pid == 0) {
        setenv("LD_PRELOAD", argv[1], 1);
        setenv("BFALLOCREC_OUT", pattern, 1);
        execl(argv[2], argv[2], (char *)NULL);
        _exit(127);
    }
    int st = 0;
    BF_CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    BF_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* Exactly two files: the parent's (its pid) and the child's. */
    char parent_path[512], child_path[512] = "";
    snprintf(parent_path, sizeof parent_path, "%s/a.%ld.bfa", dir, (long)pid);
    int files = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        files++;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (strcmp(p, parent_path) != 0)
            snprintf(child_path, sizeof child_path, "%s", p);
    }
    if (d)
        closedir(d);
    BF_CHECK_EQ(files, 2);

    trace par, chi;
    BF_CHECK(load(parent_path, &par));
    BF_CHECK(load(child_path, &chi));

    /* Parent. */
    BF_CHECK_STR(par.first, "#bfsim-alloc 1\n");
    BF_CHECK(par.has_program);
    BF_CHECK_EQ(par.bad_lines, 0);
    BF_CHECK_EQ(consistency(&par), 0);
    char got[2048];
    canon(&par, 0, got, sizeof got);
    BF_CHECK_STR(got, "m1 7001|m2 21006|f1|m3 7003|m4 7004|m5 7040|m6 7005|f2|m7 7006|f7|f3|f4|"
                      "f5|f6");
    size_t i7006 = find(&par, 'm', 7006, 1);
    size_t f7 = i7006 == (size_t)-1 ? 0 : find(&par, 'f', par.r[i7006].id, 0);
    size_t i7003 = find(&par, 'm', 7003, 1);
    size_t f3 = i7003 == (size_t)-1 ? 0 : find(&par, 'f', par.r[i7003].id, 0);
    check_threads(&par, 7100, f7, f3);
    check_threads(&par, 7101, f7, f3);
    BF_CHECK_EQ(find(&par, 'p', 0, 1), (size_t)-1);

    /* Child. */
    BF_CHECK_STR(chi.first, "#bfsim-alloc 1\n");
    BF_CHECK_EQ(chi.bad_lines, 0);
    BF_CHECK_EQ(chi.forked_from, pid);
    BF_CHECK_EQ(consistency(&chi), 0);
    size_t fork_at = find(&chi, 'p', 0, 1);
    BF_CHECK(fork_at != (size_t)-1);
    int inherited = 0, inherited_match = 0, only_mallocs = 1;
    for (size_t i = 0; i < fork_at && fork_at != (size_t)-1; i++) {
        if (chi.r[i].kind != 'm')
            only_mallocs = 0;
        if (!ours_size(chi.r[i].size, 1))
            continue;
        inherited++;
        size_t pi = find(&par, 'm', chi.r[i].size, 1);
        if (pi != (size_t)-1 && par.r[pi].id == chi.r[i].id)
            inherited_match++;
    }
    BF_CHECK(only_mallocs);
    BF_CHECK_EQ(inherited, 4); /* 7003, 7004, 7040, 7005 were live at the fork */
    BF_CHECK_EQ(inherited_match, 4);
    canon(&chi, fork_at + 1, got, sizeof got);
    BF_CHECK_STR(got, "f1|m2 7007|f2");
    size_t pd = find(&par, 'm', 7004, 1),
           cf = find(&chi, 'f', pd == (size_t)-1 ? 0 : par.r[pd].id, 0);
    BF_CHECK(cf != (size_t)-1 && cf > fork_at); /* the child's free names the parent's id of D */

    if (bf_test_failures == 0) {
        unlink(parent_path);
        unlink(child_path);
        rmdir(dir);
    } else {
        fprintf(stderr, "traces kept in %s\n", dir);
    }
    free(par.r);
    free(chi.r);
    return bf_test_exit();
}
