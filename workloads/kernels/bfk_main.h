/*
** bfk_main.h: the command line shared by the instrumented kernels in workloads/kernels/.
**
**   KERNEL [-o OUT] [-p PLACE] [-n N] [-r REPS] [-m MODE] [-i] [-q]
**
**   -o OUT    trace output file ("-" = stdout, the default); "/dev/null" to only check
**   -p PLACE  where the kernel's big arrays go: l1 (L1 data SRAM banks A/B) or sdram; each
**             kernel documents its default and what stays in L1 or scratchpad either way
**   -n N      problem size (kernel-specific), -r REPS repetitions, -m MODE a kernel variant
**   -i        also emit instruction fetches of the inner loop body from L1 instruction SRAM
**   -q        quiet: no result line on stderr
** Every kernel checks its numerical result against an independent computation and exits 1 if
** it is wrong (2 for a usage or placement error), 0 otherwise.
*/
#ifndef BFK_MAIN_H
#define BFK_MAIN_H

#include "bf_instr.h"
#include "bf_strbuf.h"

#include <stdlib.h>

typedef struct bfk_args {
    const char *out;
    int place; /* BFI_L1_DATA_A for "l1", BFI_SDRAM for "sdram" */
    long n;    /* 0 = kernel default */
    long reps; /* 0 = kernel default */
    const char *mode;
    int ifetch;
    int quiet;
} bfk_args;

static inline int bfk_parse(int argc, char **argv, bfk_args *a, int default_place)
{
    a->out = "-";
    a->place = default_place;
    a->n = 0;
    a->reps = 0;
    a->mode = NULL;
    a->ifetch = 0;
    a->quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        int has = i + 1 < argc;
        if (!strcmp(o, "-i"))
            a->ifetch = 1;
        else if (!strcmp(o, "-q"))
            a->quiet = 1;
        else if (!strcmp(o, "-o") && has)
            a->out = argv[++i];
        else if (!strcmp(o, "-m") && has)
            a->mode = argv[++i];
        else if (!strcmp(o, "-n") && has)
            a->n = strtol(argv[++i], NULL, 0);
        else if (!strcmp(o, "-r") && has)
            a->reps = strtol(argv[++i], NULL, 0);
        else if (!strcmp(o, "-p") && has) {
            const char *p = argv[++i];
            if (!strcmp(p, "l1"))
                a->place = BFI_L1_DATA_A;
            else if (!strcmp(p, "sdram"))
                a->place = BFI_SDRAM;
            else {
                fprintf(stderr, "%s: -p must be l1 or sdram, not %s\n", argv[0], p);
                return -1;
            }
        } else {
            fprintf(stderr,
                    "usage: %s [-o OUT] [-p l1|sdram] [-n N] [-r REPS] [-m MODE] [-i] [-q]\n",
                    argv[0]);
            return -1;
        }
    }
    if (a->n < 0 || a->reps < 0) {
        fprintf(stderr, "%s: -n and -r must be positive\n", argv[0]);
        return -1;
    }
    return 0;
}

/* Open the output and the trace; the program line records the exact command. */
static inline FILE *bfk_open(bfi_trace *t, const bfk_args *a, int argc, char **argv)
{
    FILE *f = strcmp(a->out, "-") ? fopen(a->out, "w") : stdout;
    if (!f) {
        fprintf(stderr, "%s: cannot write %s\n", argv[0], a->out);
        return NULL;
    }
    char prog[512];
    bf_strbuf b = bf_strbuf_on(prog, sizeof prog);
    for (int i = 0; i < argc && b.len + 2 < sizeof prog; i++)
        bf_strbuf_printf(&b, "%s%s", i ? " " : "", argv[i]);
    if (bfi_open(t, NULL, f, prog) != 0) {
        fprintf(stderr, "%s: %s\n", argv[0], t->err);
        return NULL;
    }
    return f;
}

/* Close the trace and report; status: 0 ok, 1 wrong result, 2 trace error. */
static inline int bfk_finish(bfi_trace *t, FILE *f, const bfk_args *a, const char *name, int ok,
                             const char *result)
{
    int rc = bfi_close(t);
    if (f != stdout)
        fclose(f);
    if (rc != 0) {
        fprintf(stderr, "%s: trace error: %s\n", name, t->err);
        return 2;
    }
    if (!a->quiet || !ok)
        fprintf(stderr, "%s: %s: %s (%llu records)\n", name, ok ? "ok" : "WRONG RESULT", result,
                (unsigned long long)t->records);
    return ok ? 0 : 1;
}

/* Deterministic test data: a 32-bit LCG (Numerical Recipes constants). */
static inline uint32_t bfk_rand(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s;
}

#endif
