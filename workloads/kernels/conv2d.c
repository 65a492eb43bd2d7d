/*
** conv2d.c: 2-D convolution of an 8-bit W x W image with the 3 x 3 binomial (Gaussian) kernel
** [1 2 1; 2 4 2; 1 2 1] / 16, rounded, on the interior pixels (the one-pixel border is copied).
** The direct form: nine pixel loads and nine coefficient loads per output pixel.
**
** Placement: the coefficients (nine int16) in the scratchpad; -p l1 puts the input image in L1
** bank A and the output in bank B (default W = 96: 9 KB each); -p sdram puts both in SDRAM
** (default W = 256: 64 KB each).
**
** Cycle model (ESTIMATE, docs/recording.md): loads pair with MACs (no gap); each output pixel
** costs CONV_PIXEL_CYCLES more (round, shift, byte store set-up).
**
** Check: the binomial kernel is separable, so the result must equal, exactly, a vertical
** [1 2 1] pass over a horizontal [1 2 1] pass computed in integers, then (s + 8) >> 4.
*/
#include "bfk_main.h"

enum { CONV_PIXEL_CYCLES = 2 };

int main(int argc, char **argv)
{
    bfk_args a;
    if (bfk_parse(argc, argv, &a, BFI_SDRAM) != 0)
        return 2;
    int sdram = a.place == BFI_SDRAM;
    long w = a.n ? a.n : (sdram ? 256 : 96), reps = a.reps ? a.reps : 1;
    if (w < 3 || w > 4096) {
        fprintf(stderr, "conv2d: -n must be 3..4096\n");
        return 2;
    }
    size_t px = (size_t)(w * w);
    uint8_t *in = malloc(px), *out = calloc(px, 1);
    int16_t coef[9] = {1, 2, 1, 2, 4, 2, 1, 2, 1};
    int32_t *hp = calloc(px, sizeof *hp);
    if (!in || !out || !hp)
        return 2;
    /* a synthetic scene: gradient + rings + LCG noise */
    uint32_t seed = 2024;
    for (long y = 0; y < w; y++)
        for (long x = 0; x < w; x++) {
            long dx = x - w / 2, dy = y - w / 3;
            long v = (x * 255) / w / 2 + ((dx * dx + dy * dy) / 16 % 64) * 2 +
                     (long)(bfk_rand(&seed) >> 28);
            in[y * w + x] = (uint8_t)(v > 255 ? 255 : v);
        }

    bfi_trace t;
    FILE *f = bfk_open(&t, &a, argc, argv);
    if (!f)
        return 2;
    bfi_place_array(&t, "coef", coef, sizeof coef, BFI_SCRATCH, NULL);
    bfi_place_array(&t, "in", in, px, sdram ? BFI_SDRAM : BFI_L1_DATA_A, NULL);
    bfi_place_array(&t, "out", out, px, sdram ? BFI_SDRAM : BFI_L1_DATA_B, NULL);
    if (t.failed) {
        fprintf(stderr, "conv2d: %s\n", t.err);
        return 2;
    }
    for (long r = 0; r < reps; r++) {
        bfi_phase(&t, "conv2d");
        for (long y = 0; y < w; y++)
            for (long x = 0; x < w; x++) {
                if (y == 0 || x == 0 || y == w - 1 || x == w - 1) {
                    BFI_ST(&t, out[y * w + x], BFI_LD(&t, in[y * w + x]));
                    continue;
                }
                int32_t s = 0;
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++)
                        s += BFI_LD(&t, in[(y + i - 1) * w + (x + j - 1)]) *
                             BFI_LD(&t, coef[i * 3 + j]);
                bfi_compute(&t, CONV_PIXEL_CYCLES);
                BFI_ST(&t, out[y * w + x], (uint8_t)((s + 8) >> 4));
            }
    }
    long bad = 0;
    for (long y = 0; y < w; y++)
        for (long x = 1; x < w - 1; x++)
            hp[y * w + x] = in[y * w + x - 1] + 2 * in[y * w + x] + in[y * w + x + 1];
    for (long y = 0; y < w; y++)
        for (long x = 0; x < w; x++) {
            int expect =
                (y == 0 || x == 0 || y == w - 1 || x == w - 1)
                    ? in[y * w + x]
                    : (hp[(y - 1) * w + x] + 2 * hp[y * w + x] + hp[(y + 1) * w + x] + 8) >> 4;
            bad += out[y * w + x] != expect;
        }
    int ok = !t.failed && bad == 0;
    char res[128];
    snprintf(res, sizeof res, "%ldx%ld image, %ld pixels differ from the separable result", w, w,
             bad);
    int rc = bfk_finish(&t, f, &a, "conv2d", ok, res);
    free(in);
    free(out);
    free(hp);
    return rc;
}
