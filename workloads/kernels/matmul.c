/*
** matmul.c: C = A x B for N x N Q15 matrices, products accumulated exactly (int64 here, the
** 40-bit accumulator on a Blackfin), rounded to Q15 with saturation. Loop order i, j, k: each C
** element is an inner product of a row of A (unit stride) and a column of B (stride 2N bytes),
** the textbook form whose column walk is what caches dislike.
**
** Placement: -p l1 puts A and C in L1 data bank A and B in bank B (default N = 64: 8 KB each;
** A and C together fill the 16 KB SRAM half of bank A); -p sdram puts all three in SDRAM
** (default N = 96: 18 KB each, 54 KB in all, larger than the L1 data cache).
**
** Cycle model (ESTIMATE, docs/recording.md): the inner loop is one MAC with two parallel loads
** (no gap); each C element costs MATMUL_ELEMENT_CYCLES more (clear, round, saturate, set-up).
**
** Check: every element against a double-precision evaluation of the inner product, within
** 1 LSB (the fixed-point result is the exact sum rounded once).
*/
#include "bfk_main.h"

#include <math.h>

enum { MATMUL_ELEMENT_CYCLES = 4 };

int main(int argc, char **argv)
{
    bfk_args a;
    if (bfk_parse(argc, argv, &a, BFI_SDRAM) != 0)
        return 2;
    int sdram = a.place == BFI_SDRAM;
    long n = a.n ? a.n : (sdram ? 96 : 64), reps = a.reps ? a.reps : 1;
    if (n < 1 || n > 1024) {
        fprintf(stderr, "matmul: -n must be 1..1024\n");
        return 2;
    }
    size_t cells = (size_t)(n * n);
    int16_t *A = calloc(cells, 2), *B = calloc(cells, 2), *C = calloc(cells, 2);
    if (!A || !B || !C)
        return 2;
    uint32_t seed = 4242;
    for (size_t i = 0; i < cells; i++) {
        /* entries in [-0.25, 0.25) keep most sums inside Q15; saturation is still checked */
        A[i] = (int16_t)((int32_t)(bfk_rand(&seed) >> 16) / 4 - 8192);
        B[i] = (int16_t)((int32_t)(bfk_rand(&seed) >> 16) / 4 - 8192);
    }

    bfi_trace t;
    FILE *f = bfk_open(&t, &a, argc, argv);
    if (!f)
        return 2;
    bfi_place_array(&t, "A", A, cells * 2, sdram ? BFI_SDRAM : BFI_L1_DATA_A, NULL);
    bfi_place_array(&t, "B", B, cells * 2, sdram ? BFI_SDRAM : BFI_L1_DATA_B, NULL);
    bfi_place_array(&t, "C", C, cells * 2, sdram ? BFI_SDRAM : BFI_L1_DATA_A, NULL);
    if (t.failed) {
        fprintf(stderr, "matmul: %s\n", t.err);
        return 2;
    }
    for (long r = 0; r < reps; r++) {
        bfi_phase(&t, "matmul");
        for (long i = 0; i < n; i++)
            for (long j = 0; j < n; j++) {
                int64_t acc = 0;
                for (long k = 0; k < n; k++)
                    acc += (int64_t)BFI_LD(&t, A[i * n + k]) * BFI_LD(&t, B[k * n + j]);
                bfi_compute(&t, MATMUL_ELEMENT_CYCLES);
                int64_t q = (acc + (1 << 14)) >> 15;
                q = q > 32767 ? 32767 : q < -32768 ? -32768 : q;
                BFI_ST(&t, C[i * n + j], (int16_t)q);
            }
    }
    double maxerr = 0;
    for (long i = 0; i < n && !t.failed; i++)
        for (long j = 0; j < n; j++) {
            double s = 0;
            for (long k = 0; k < n; k++)
                s += (double)A[i * n + k] * (double)B[k * n + j];
            s /= 32768.0;
            s = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
            double e = fabs(s - (double)C[i * n + j]);
            if (e > maxerr)
                maxerr = e;
        }
    int ok = !t.failed && maxerr <= 1.0;
    char res[128];
    snprintf(res, sizeof res, "N=%ld, max |error| %.3f LSB", n, maxerr);
    int rc = bfk_finish(&t, f, &a, "matmul", ok, res);
    free(A);
    free(B);
    free(C);
    return rc;
}
