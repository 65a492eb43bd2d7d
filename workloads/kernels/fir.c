/*
** fir.c: block FIR filter, Q15 samples and coefficients, 40-bit-style accumulation (int64 here),
** rounded back to Q15 with saturation: y[n] = sat(round(sum_k h[k] * x[n+k] / 2^15)).
**
** Placement (what a Blackfin programmer does): the coefficients h always in L1 data bank B, so
** that the dual-load MAC loop reads x and h from different banks in one cycle; -p l1 puts the
** input block x and output y in bank A (default n = 2048 samples, 64 taps), -p sdram puts them
** in SDRAM (default n = 16384: 32 KB in, 32 KB out, together larger than the 32 KB of L1
** data cache).
**
** Cycle model (ESTIMATE, see docs/recording.md): the inner loop is one MAC with two parallel
** loads per tap (no gap); each output costs FIR_OUTPUT_CYCLES extra core cycles (accumulator
** clear, round, saturate, loop set-up). With -i, each tap also fetches the 8-byte loop body.
**
** Check: every output against a double-precision evaluation of the same sum, within 1 LSB.
*/
#include "bfk_main.h"

#include <math.h>

enum { FIR_OUTPUT_CYCLES = 4, FIR_BODY_BYTES = 8, FIR_OUTER_BYTES = 24 };

int main(int argc, char **argv)
{
    bfk_args a;
    if (bfk_parse(argc, argv, &a, BFI_SDRAM) != 0)
        return 2;
    long n = a.n ? a.n : (a.place == BFI_SDRAM ? 16384 : 2048);
    long taps = 64, reps = a.reps ? a.reps : 1;
    if (a.mode)
        taps = strtol(a.mode, NULL, 0); /* -m TAPS */
    if (taps < 1 || taps > 1024) {
        fprintf(stderr, "fir: taps (-m) must be 1..1024\n");
        return 2;
    }
    int16_t *x = calloc((size_t)(n + taps - 1), sizeof *x);
    int16_t *y = calloc((size_t)n, sizeof *y);
    int16_t *h = calloc((size_t)taps, sizeof *h);
    if (!x || !y || !h)
        return 2;

    /* Input: two sines and LCG noise at about -6 dBFS; h: Hamming-windowed sinc low-pass at
    ** 0.2 fs with unity DC gain, scaled to Q15. */
    uint32_t seed = 12345;
    for (long i = 0; i < n + taps - 1; i++) {
        double v = 0.25 * sin(0.05 * (double)i) + 0.15 * sin(1.9 * (double)i) +
                   0.05 * ((double)(bfk_rand(&seed) >> 16) / 32768.0 - 1.0);
        x[i] = (int16_t)lrint(v * 32767.0);
    }
    double hsum = 0, hd[1024];
    for (long k = 0; k < taps; k++) {
        double m = (double)k - (double)(taps - 1) / 2.0;
        double s = m == 0 ? 0.4 : sin(0.4 * M_PI * m) / (M_PI * m);
        hd[k] = s * (0.54 - 0.46 * cos(2 * M_PI * (double)k / (double)(taps > 1 ? taps - 1 : 1)));
        hsum += hd[k];
    }
    for (long k = 0; k < taps; k++)
        h[k] = (int16_t)lrint(hd[k] / hsum * 32767.0);

    bfi_trace t;
    FILE *f = bfk_open(&t, &a, argc, argv);
    if (!f)
        return 2;
    uint32_t code;
    int big = a.place == BFI_SDRAM ? BFI_SDRAM : BFI_L1_DATA_A;
    bfi_place_array(&t, "h", h, (size_t)taps * sizeof *h, BFI_L1_DATA_B, NULL);
    bfi_place_array(&t, "x", x, (size_t)(n + taps - 1) * sizeof *x, big, NULL);
    bfi_place_array(&t, "y", y, (size_t)n * sizeof *y, big, NULL);
    bfi_place_array(&t, "fir_code", NULL, FIR_OUTER_BYTES + FIR_BODY_BYTES, BFI_L1_INST, &code);
    if (t.failed) {
        fprintf(stderr, "fir: %s\n", t.err);
        return 2;
    }

    for (long r = 0; r < reps; r++) {
        bfi_phase(&t, "fir");
        for (long i = 0; i < n; i++) {
            if (a.ifetch)
                bfi_ifetch(&t, code, FIR_OUTER_BYTES);
            int64_t acc = 0;
            for (long k = 0; k < taps; k++) {
                if (a.ifetch)
                    bfi_ifetch(&t, code + FIR_OUTER_BYTES, FIR_BODY_BYTES);
                acc += (int64_t)BFI_LD(&t, x[i + k]) * BFI_LD(&t, h[k]);
            }
            bfi_compute(&t, FIR_OUTPUT_CYCLES);
            int64_t q = (acc + (1 << 14)) >> 15;
            q = q > 32767 ? 32767 : q < -32768 ? -32768 : q;
            BFI_ST(&t, y[i], (int16_t)q);
        }
    }

    int ok = !t.failed;
    double maxerr = 0;
    for (long i = 0; i < n && ok; i++) {
        double s = 0;
        for (long k = 0; k < taps; k++)
            s += (double)x[i + k] * (double)h[k];
        s /= 32768.0;
        s = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
        double e = fabs(s - (double)y[i]);
        if (e > maxerr)
            maxerr = e;
    }
    ok = ok && maxerr <= 1.0;
    char res[128];
    snprintf(res, sizeof res, "%ld samples, %ld taps, max |error| %.3f LSB", n, taps, maxerr);
    int rc = bfk_finish(&t, f, &a, "fir", ok, res);
    free(x);
    free(y);
    free(h);
    return rc;
}
