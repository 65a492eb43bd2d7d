/*
** memcpy.c: block copy of 32-bit words, the way a Blackfin program moves a buffer between
** memories, in three variants (-m):
**   plain  word loads and stores, no synchronisation;
**   ssync  the same, with an SSYNC after every block (as before handing a block to a peripheral
**          or another master: the core waits until its stores have left the write buffer);
**   flush  the same, with a FLUSH of the destination block's lines and an SSYNC after every
**          block (making a write-back cached destination coherent for a DMA reader);
**   dma    no core accesses: one memory-DMA record (channel MEMCPY_DMA_CHAN) per block.
** Placement: -p sdram (default) copies SDRAM to SDRAM (256 KB, 2 repetitions); -p l1 copies
** from L1 bank A to bank B (12 KB, 16 repetitions).
** Blocks are MEMCPY_BLOCK bytes.
**
** Cycle model: no compute gaps (a load/store loop with hardware looping; the loads and stores
** are the work).
**
** Check: the destination equals the source byte for byte, and each repetition copies a new
** pattern (so a stale copy would be caught).
*/
#include "bfk_main.h"

enum { MEMCPY_BLOCK = 1024, MEMCPY_DMA_CHAN = 0 };

int main(int argc, char **argv)
{
    bfk_args a;
    if (bfk_parse(argc, argv, &a, BFI_SDRAM) != 0)
        return 2;
    int sdram = a.place == BFI_SDRAM;
    long bytes = a.n ? a.n : (sdram ? 256 * 1024 : 12 * 1024);
    long reps = a.reps ? a.reps : (sdram ? 2 : 16);
    const char *mode = a.mode ? a.mode : "plain";
    int m_ssync = !strcmp(mode, "ssync"), m_flush = !strcmp(mode, "flush");
    int m_dma = !strcmp(mode, "dma");
    if (!m_ssync && !m_flush && !m_dma && strcmp(mode, "plain") != 0) {
        fprintf(stderr, "memcpy: -m must be plain, ssync, flush or dma\n");
        return 2;
    }
    if (bytes <= 0 || bytes % MEMCPY_BLOCK != 0) {
        fprintf(stderr, "memcpy: -n must be a positive multiple of %d\n", MEMCPY_BLOCK);
        return 2;
    }
    long words = bytes / 4;
    uint32_t *src = calloc((size_t)words, 4), *dst = calloc((size_t)words, 4);
    if (!src || !dst)
        return 2;

    bfi_trace t;
    FILE *f = bfk_open(&t, &a, argc, argv);
    if (!f)
        return 2;
    bfi_place_array(&t, "src", src, (size_t)bytes, sdram ? BFI_SDRAM : BFI_L1_DATA_A, NULL);
    bfi_place_array(&t, "dst", dst, (size_t)bytes, sdram ? BFI_SDRAM : BFI_L1_DATA_B, NULL);
    if (t.failed) {
        fprintf(stderr, "memcpy: %s\n", t.err);
        return 2;
    }
    int ok = 1;
    uint32_t seed = 99;
    for (long r = 0; r < reps; r++) {
        for (long i = 0; i < words; i++)
            src[i] = bfk_rand(&seed); /* produced by an earlier stage, untraced */
        bfi_phase(&t, "copy");
        for (long b = 0; b < words; b += MEMCPY_BLOCK / 4) {
            if (m_dma) {
                bfi_dma(&t, MEMCPY_DMA_CHAN, &src[b], &dst[b], MEMCPY_BLOCK);
                memcpy(&dst[b], &src[b], MEMCPY_BLOCK);
                continue;
            }
            for (long i = b; i < b + MEMCPY_BLOCK / 4; i++)
                BFI_ST(&t, dst[i], BFI_LD(&t, src[i]));
            if (m_flush)
                bfi_flush(&t, &dst[b], MEMCPY_BLOCK);
            if (m_ssync || m_flush)
                bfi_ssync(&t);
        }
        ok = ok && memcmp(src, dst, (size_t)bytes) == 0;
    }
    char res[128];
    snprintf(res, sizeof res, "%ld bytes x %ld, mode %s, copies %s", bytes, reps, mode,
             ok ? "equal" : "DIFFER");
    int rc = bfk_finish(&t, f, &a, "memcpy", ok, res);
    free(src);
    free(dst);
    return rc;
}
