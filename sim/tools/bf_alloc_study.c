/*
** bf_alloc_study.c: the nommu fragmentation study (docs/studies/nommu-fragmentation.md).
**
**   bf_alloc_study gen [--seed N] [--procs N] > launch.bfa
**       writes the deterministic process-launch workload in the native allocation format;
**   bf_alloc_study run [--seed N] [--procs N] [--mem MB] [--latency CYCLES]
**       replays the same workload (generated in memory) on nommu without and with trimming,
**       page_alloc2, NP2, TLSF and plain buddy, on a board of MB megabytes, and prints a
**       markdown table.
**
** Process-launch model (every number an ESTIMATE of a small uClinux system, named below):
**  - a process is: a kernel stack (order-1 pages, THREAD_SIZE 8 KiB), its flat-binary image
**    (text+data+bss in one mmap, log-uniform in [IMG_MIN, IMG_MAX]), its stack (one mmap,
**    uniform in [STK_MIN, STK_MAX]) and 0..HEAP_MAX uClibc malloc heap chunks (one mmap each,
**    uniform in [CHUNK_MIN, CHUNK_MAX], 4 KiB granular), preceded by "phase launch";
**  - DAEMON_PCT percent of processes are long-lived daemons that never exit; every other process
**    exits (munmap of everything, pages_free of the stack) after a geometric number of later
**    launches with mean LIFE_MEAN; so live memory grows with the daemons until the board is full.
** Board: [0, MB) with the kernel image [0, KERNEL_BYTES) and the 1 MiB uncached DMA region at the
** top reserved; MAX_ORDER 14; watermarks from the kernel formula. Metadata lives in a flat memory
** with LATENCY cycles per access (default 1: cycles = metadata accesses).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bf_alloc_replay.h"

#define IMG_MIN (24u << 10)
#define IMG_MAX (512u << 10)
#define STK_MIN (8u << 10)
#define STK_MAX (64u << 10)
#define HEAP_MAX 6u
#define CHUNK_MIN (4u << 10)
#define CHUNK_MAX (64u << 10)
#define DAEMON_PCT 25u
#define LIFE_MEAN 6u
#define KERNEL_BYTES (2u << 20)
#define DMA_BYTES (1u << 20)

typedef struct gen {
    bf_arec *v;
    size_t n, cap;
    uint64_t rng;
    uint64_t next_id;
    size_t *proc_last; /* per process: index of its last allocation record */
    size_t nproc;
} gen;

static uint32_t rnd(gen *g)
{
    g->rng = g->rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(g->rng >> 33);
}

static void emit(gen *g, int op, uint64_t id, uint64_t size, unsigned order, const char *name)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 4096;
        g->v = realloc(g->v, g->cap * sizeof(*g->v));
        if (!g->v) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
    }
    bf_arec *r = &g->v[g->n++];
    memset(r, 0, sizeof(*r));
    r->op = (uint8_t)op;
    r->id = id;
    r->size = size;
    r->order = (uint8_t)order;
    r->gfp = BF_GFP_KERNEL;
    r->name = name;
    r->line = g->n + 1;
}

typedef struct proc {
    uint64_t ids[3 + HEAP_MAX];
    unsigned nids;    /* ids[0] is the kernel stack */
    uint32_t exit_at; /* launch number at which it exits, or UINT32_MAX */
} proc;

static void generate(gen *g, uint64_t seed, unsigned nprocs)
{
    memset(g, 0, sizeof(*g));
    g->rng = seed * 0x9e3779b97f4a7c15ull + 1;
    g->next_id = 1;
    proc *live = calloc(nprocs, sizeof(*live));
    g->proc_last = calloc(nprocs, sizeof(size_t));
    unsigned nlive = 0;
    for (unsigned p = 0; p < nprocs; p++) {
        /* exits due now */
        for (unsigned i = 0; i < nlive;) {
            if (live[i].exit_at == p) {
                for (unsigned k = live[i].nids; k-- > 1;)
                    emit(g, BF_AOP_MUNMAP, live[i].ids[k], 0, 0, NULL);
                emit(g, BF_AOP_PAGES_FREE, live[i].ids[0], 0, 1, NULL);
                live[i] = live[--nlive];
            } else {
                i++;
            }
        }
        proc *pr = &live[nlive++];
        memset(pr, 0, sizeof(*pr));
        emit(g, BF_AOP_PHASE, 0, 0, 0, "launch");
        pr->ids[pr->nids++] = g->next_id;
        emit(g, BF_AOP_PAGES_ALLOC, g->next_id++, 0, 1, NULL);
        /* log-uniform image size: IMG_MIN * (IMG_MAX/IMG_MIN)^u, 4-byte granular */
        double u = (double)(rnd(g) % 100000) / 100000.0;
        double img = IMG_MIN * pow((double)IMG_MAX / IMG_MIN, u);
        pr->ids[pr->nids++] = g->next_id;
        emit(g, BF_AOP_MMAP, g->next_id++, ((uint64_t)img + 3) & ~3ull, 0, NULL);
        pr->ids[pr->nids++] = g->next_id;
        emit(g, BF_AOP_MMAP, g->next_id++, STK_MIN + rnd(g) % (STK_MAX - STK_MIN + 1), 0, NULL);
        unsigned chunks = rnd(g) % (HEAP_MAX + 1);
        for (unsigned c = 0; c < chunks; c++) {
            uint32_t sz = (CHUNK_MIN + rnd(g) % (CHUNK_MAX - CHUNK_MIN + 1)) & ~4095u;
            pr->ids[pr->nids++] = g->next_id;
            emit(g, BF_AOP_MMAP, g->next_id++, sz ? sz : 4096, 0, NULL);
        }
        g->proc_last[g->nproc++] = g->n - 1;
        if (rnd(g) % 100 < DAEMON_PCT) {
            pr->exit_at = UINT32_MAX;
        } else {
            uint32_t life = 1;
            while (rnd(g) % LIFE_MEAN != 0)
                life++;
            pr->exit_at = p + life;
        }
    }
    free(live);
}

static void write_bfa(const gen *g, FILE *f, uint64_t seed, unsigned nprocs)
{
    fprintf(f,
            "#bfsim-alloc 1\n#program: process launch (bf_alloc_study gen --seed %llu "
            "--procs %u)\n",
            (unsigned long long)seed, nprocs);
    for (size_t i = 0; i < g->n; i++) {
        const bf_arec *r = &g->v[i];
        unsigned long long id = (unsigned long long)r->id;
        switch (r->op) {
        case BF_AOP_PHASE:
            fprintf(f, "phase %s\n", r->name);
            break;
        case BF_AOP_PAGES_ALLOC:
            fprintf(f, "pages_alloc %llu %u GFP_KERNEL\n", id, r->order);
            break;
        case BF_AOP_PAGES_FREE:
            fprintf(f, "pages_free %llu %u\n", id, r->order);
            break;
        case BF_AOP_MMAP:
            fprintf(f, "mmap %llu %llu\n", id, (unsigned long long)r->size);
            break;
        case BF_AOP_MUNMAP:
            fprintf(f, "munmap %llu\n", id);
            break;
        }
    }
}

typedef struct src {
    const gen *g;
    size_t pos;
} src;

static int next(void *ctx, bf_arec *rec)
{
    src *s = ctx;
    if (s->pos >= s->g->n)
        return BF_EEOF;
    *rec = s->g->v[s->pos++];
    return BF_OK;
}

static const struct cfg {
    const char *label, *alloc;
    uint32_t trim;
} cfgs[] = {
    {"buddy (nommu, no trim)", "nommu", 0},
    {"buddy (nommu, trim 1)", "nommu", 1},
    {"page_alloc2", "pa2", 0},
    {"NP2", "np2", 0},
    {"TLSF", "tlsf", 0},
    {"buddy (mmap = kmalloc)", "buddy", 0},
};

static int run_matrix(const gen *g, unsigned mb, uint32_t latency)
{
    printf("| %u MB board | processes before first failure | internal waste at failure (KiB) | "
           "free at failure (KiB) | largest free at failure (KiB) | unusable index at failure | "
           "free >= request at failure | mean / p99 / max cycles per op |\n",
           mb);
    printf("|---|---|---|---|---|---|---|---|\n");
    for (size_t c = 0; c < BF_ARRAY_SIZE(cfgs); c++) {
        const bf_alloc_methods *am = bf_alloc_find(cfgs[c].alloc);
        if (!am) {
            printf("| %s | (allocator not built) |||||||\n", cfgs[c].label);
            continue;
        }
        bf_flatmem *fm;
        if (bf_flatmem_create(0, mb << 20, latency, &fm) != BF_OK)
            return 1;
        bf_amem mem;
        memset(&mem, 0, sizeof(mem));
        mem.port = bf_flatmem_port(fm);
        bf_arange res[2] = {{0, KERNEL_BYTES}, {(mb << 20) - DMA_BYTES, DMA_BYTES}};
        bf_alloc_env env;
        bf_alloc_env_default(&env);
        env.mem = &mem;
        env.base = 0;
        env.size = mb << 20;
        env.reserved = res;
        env.nreserved = 2;
        env.nr_trim_pages = cfgs[c].trim;
        src s = {g, 0};
        bf_areplay_opts o;
        memset(&o, 0, sizeof(o));
        o.stop_after_failures = 1; /* latency and state up to the first failure */
        bf_areplay_result r;
        int rc = bf_areplay_run(am, &env, next, &s, &o, &r);
        bf_flatmem_destroy(fm);
        if (rc != BF_OK) {
            fprintf(stderr, "%s: %s\n", cfgs[c].label, r.error);
            return 1;
        }
        const bf_areplay_stats *st = &r.stats;
        size_t procs = 0;
        while (procs < g->nproc && g->proc_last[procs] < st->first_failure_op)
            procs++;
        const bf_areplay_sample *f = &r.at_failure;
        if (st->failures)
            printf("| %s | %zu | %llu | %llu | %llu | %.3f | %s | %.1f / %llu / %llu |\n",
                   cfgs[c].label, procs,
                   (unsigned long long)((f->live_allocated - f->live_requested) >> 10),
                   (unsigned long long)(f->free_bytes >> 10),
                   (unsigned long long)(f->largest_free >> 10), st->first_failure_unusable,
                   st->failures_with_free_memory ? "yes" : "no", st->lat_mean,
                   (unsigned long long)st->lat_p99, (unsigned long long)st->lat_max);
        else
            printf("| %s | %zu (no failure) | - | - | - | - | 0 | %.1f / %llu / %llu |\n",
                   cfgs[c].label, procs, st->lat_mean, (unsigned long long)st->lat_p99,
                   (unsigned long long)st->lat_max);
        bf_areplay_result_free(&r);
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    unsigned procs = 3000, mb = 32;
    uint32_t latency = 1;
    if (argc < 2 || (strcmp(argv[1], "gen") && strcmp(argv[1], "run"))) {
        fprintf(stderr, "usage: bf_alloc_study gen|run [--seed N] [--procs N] [--mem MB] "
                        "[--latency CYCLES]\n");
        return 2;
    }
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seed"))
            seed = strtoull(argv[i + 1], NULL, 0);
        else if (!strcmp(argv[i], "--procs"))
            procs = (unsigned)strtoul(argv[i + 1], NULL, 0);
        else if (!strcmp(argv[i], "--mem"))
            mb = (unsigned)strtoul(argv[i + 1], NULL, 0);
        else if (!strcmp(argv[i], "--latency"))
            latency = (uint32_t)strtoul(argv[i + 1], NULL, 0);
        else {
            fprintf(stderr, "bf_alloc_study: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (mb < 8 || mb > 512 || procs == 0) {
        fprintf(stderr, "bf_alloc_study: --mem must be 8..512 and --procs > 0\n");
        return 2;
    }
    gen g;
    generate(&g, seed, procs);
    int rc = 0;
    if (!strcmp(argv[1], "gen"))
        write_bfa(&g, stdout, seed, procs);
    else
        rc = run_matrix(&g, mb, latency);
    free(g.v);
    free(g.proc_last);
    return rc;
}
