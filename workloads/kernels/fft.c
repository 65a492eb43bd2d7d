/*
** fft.c: in-place radix-2 decimation-in-time complex FFT, Q15 fixed point with a 1/2 scaling
** in every stage (so the result is DFT/N and cannot overflow), on F consecutive frames.
**
** Placement: twiddles (N/2 complex Q15 cos/-sin) always in L1 data bank B. -p l1: one frame
** buffer in bank A, each frame processed in it (default N = 1024, 8 frames: 4 KB of data);
** -p sdram: all frames in SDRAM, processed in place (default N = 1024, 16 frames: 64 KB).
** Stages: bit-reversal permutation (loads and stores of swapped pairs), then log2 N butterfly
** stages, each butterfly loading a, b and the twiddle and storing a', b'.
**
** Cycle model (ESTIMATE, docs/recording.md): FFT_BUTTERFLY_CYCLES core cycles per butterfly
** beyond its loads and stores (complex multiply on the two MACs, add/sub, shift).
**
** Check: every frame against a direct O(N^2) DFT in double precision of the same Q15 input,
** divided by N, within log2(N) + 2 LSB per component (one rounding per stage
** plus twiddle quantisation).
*/
#include "bfk_main.h"

#include <math.h>

enum { FFT_BUTTERFLY_CYCLES = 3, FFT_MAX_LOG2 = 14 };

typedef struct cq15 {
    int16_t re, im;
} cq15;

static int16_t q15_round_shift(int32_t v, int sh)
{
    int32_t r = (v + (1 << (sh - 1))) >> sh;
    return (int16_t)(r > 32767 ? 32767 : r < -32768 ? -32768 : r);
}

static void fft_frame(bfi_trace *t, cq15 *d, const cq15 *w, int n, int lg)
{
    /* bit reversal */
    for (int i = 0; i < n; i++) {
        int j = 0;
        for (int b = 0; b < lg; b++)
            j |= ((i >> b) & 1) << (lg - 1 - b);
        if (j > i) {
            int16_t ar = BFI_LD(t, d[i].re), ai = BFI_LD(t, d[i].im);
            int16_t br = BFI_LD(t, d[j].re), bi = BFI_LD(t, d[j].im);
            BFI_ST(t, d[i].re, br);
            BFI_ST(t, d[i].im, bi);
            BFI_ST(t, d[j].re, ar);
            BFI_ST(t, d[j].im, ai);
        }
    }
    /* butterflies: a' = (a + w b)/2, b' = (a - w b)/2 */
    for (int half = 1; half < n; half <<= 1) {
        int step = n / (2 * half);
        for (int g = 0; g < n; g += 2 * half) {
            for (int k = 0; k < half; k++) {
                cq15 *pa = &d[g + k], *pb = &d[g + k + half];
                const cq15 *pw = &w[k * step];
                int32_t wr = BFI_LD(t, pw->re), wi = BFI_LD(t, pw->im);
                int32_t ar = BFI_LD(t, pa->re), ai = BFI_LD(t, pa->im);
                int32_t br = BFI_LD(t, pb->re), bi = BFI_LD(t, pb->im);
                /* w b in Q15 with rounding (the MAC's rounded multiply) */
                int32_t tr = (wr * br - wi * bi + (1 << 14)) >> 15;
                int32_t ti = (wr * bi + wi * br + (1 << 14)) >> 15;
                bfi_compute(t, FFT_BUTTERFLY_CYCLES);
                BFI_ST(t, pa->re, q15_round_shift(ar + tr, 1));
                BFI_ST(t, pa->im, q15_round_shift(ai + ti, 1));
                BFI_ST(t, pb->re, q15_round_shift(ar - tr, 1));
                BFI_ST(t, pb->im, q15_round_shift(ai - ti, 1));
            }
        }
    }
}

int main(int argc, char **argv)
{
    bfk_args a;
    if (bfk_parse(argc, argv, &a, BFI_SDRAM) != 0)
        return 2;
    int sdram = a.place == BFI_SDRAM;
    long n = a.n ? a.n : 1024, frames = a.reps ? a.reps : (sdram ? 16 : 8);
    int lg = 0;
    while ((1L << lg) < n)
        lg++;
    if ((1L << lg) != n || lg < 1 || lg > FFT_MAX_LOG2) {
        fprintf(stderr, "fft: -n must be a power of two from 2 to %d\n", 1 << FFT_MAX_LOG2);
        return 2;
    }
    cq15 *in = calloc((size_t)(n * frames), sizeof *in);     /* untraced copy of the input */
    cq15 *data = calloc((size_t)(n * frames), sizeof *data); /* sdram: all frames */
    cq15 *buf = calloc((size_t)n, sizeof *buf);              /* l1: the frame buffer */
    cq15 *out = calloc((size_t)(n * frames), sizeof *out);   /* results, untraced */
    cq15 *w = calloc((size_t)n / 2, sizeof *w);
    if (!in || !data || !buf || !out || !w)
        return 2;
    uint32_t seed = 777;
    for (long f = 0; f < frames; f++)
        for (long i = 0; i < n; i++) {
            double v = 0.4 * cos(2 * M_PI * (double)((f + 3) * i) / (double)n) +
                       0.2 * sin(2 * M_PI * (double)(17 * i) / (double)n + 0.3) +
                       0.1 * ((double)(bfk_rand(&seed) >> 16) / 32768.0 - 1.0);
            in[f * n + i].re = (int16_t)lrint(v * 32767.0);
            in[f * n + i].im =
                (int16_t)lrint(0.1 * ((double)(bfk_rand(&seed) >> 16) / 32768.0 - 1.0) * 32767.0);
        }
    for (long k = 0; k < n / 2; k++) {
        w[k].re = (int16_t)lrint(cos(2 * M_PI * (double)k / (double)n) * 32767.0);
        w[k].im = (int16_t)lrint(-sin(2 * M_PI * (double)k / (double)n) * 32767.0);
    }

    bfi_trace t;
    FILE *fo = bfk_open(&t, &a, argc, argv);
    if (!fo)
        return 2;
    bfi_place_array(&t, "twiddle", w, (size_t)n / 2 * sizeof *w, BFI_L1_DATA_B, NULL);
    if (sdram)
        bfi_place_array(&t, "frames", data, (size_t)(n * frames) * sizeof *data, BFI_SDRAM, NULL);
    else
        bfi_place_array(&t, "frame", buf, (size_t)n * sizeof *buf, BFI_L1_DATA_A, NULL);
    if (t.failed) {
        fprintf(stderr, "fft: %s\n", t.err);
        return 2;
    }
    memcpy(data, in, (size_t)(n * frames) * sizeof *in);
    for (long f = 0; f < frames; f++) {
        bfi_phase(&t, "fft");
        cq15 *d = sdram ? data + f * n : buf;
        if (!sdram)
            memcpy(buf, in + f * n, (size_t)n * sizeof *buf); /* arrives by DMA, untraced */
        fft_frame(&t, d, w, (int)n, lg);
        memcpy(out + f * n, d, (size_t)n * sizeof *d);
    }

    double maxerr = 0, tol = lg + 2;
    double *ct = malloc((size_t)n * sizeof *ct), *st = malloc((size_t)n * sizeof *st);
    if (!ct || !st)
        return 2;
    for (long m = 0; m < n; m++) { /* exp(-2 pi i m / n) */
        ct[m] = cos(2 * M_PI * (double)m / (double)n);
        st[m] = -sin(2 * M_PI * (double)m / (double)n);
    }
    for (long f = 0; f < frames && !t.failed; f++)
        for (long k = 0; k < n; k++) {
            double sr = 0, si = 0;
            for (long i = 0; i < n; i++) {
                long m = (k * i) % n;
                double xr = in[f * n + i].re, xi = in[f * n + i].im;
                sr += xr * ct[m] - xi * st[m];
                si += xr * st[m] + xi * ct[m];
            }
            double er = fabs(sr / (double)n - out[f * n + k].re);
            double ei = fabs(si / (double)n - out[f * n + k].im);
            if (er > maxerr)
                maxerr = er;
            if (ei > maxerr)
                maxerr = ei;
        }
    int ok = !t.failed && maxerr <= tol;
    char res[160];
    snprintf(res, sizeof res, "N=%ld, %ld frames, max |error| vs DFT/N %.2f LSB (tolerance %.0f)",
             n, frames, maxerr, tol);
    int rc = bfk_finish(&t, fo, &a, "fft", ok, res);
    free(in);
    free(data);
    free(buf);
    free(out);
    free(w);
    free(ct);
    free(st);
    return rc;
}
