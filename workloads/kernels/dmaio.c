/*
** dmaio.c: a driver's DMA buffers and a code overlay, each with the cache management done right
** and done wrong, to exercise bfsim's coherency hazard detection (docs/dma-coherency.md). -m:
**
**   rx           device-to-memory receive: per packet, DMA from the device's packet memory
**                (async bank 0) into an SDRAM buffer, wait for the DMA, FLUSHINV the buffer,
**                checksum it with word loads (invalidate_dcache_range before the CPU reads)
**   rx-noinv     the same without the FLUSHINV: from the second packet on the loads hit the
**                lines cached by the previous packet's checksum (stale_read)
**   rx-dirty     the buffer is cleared with stores before it is posted, and invalidated only
**                after the DMA: the FLUSHINV writes the dirty lines back over the received
**                data (lost_write)
**   rx-uncached  rx with the buffer in the uncached DMA region (0x01F00000, the top megabyte of
**                a mem=32M Linux layout) and no cache operation
**   tx           memory-to-device transmit: per packet, the core writes the buffer, FLUSHes it,
**                SSYNC, DMA to the device (flush_dcache_range before the device reads)
**   tx-noflush   the same without FLUSH/SSYNC: the DMA reads dirty lines (dirty_read)
**   tx-uncached  tx with the buffer in the uncached DMA region, SSYNC only
**   overlay      two code overlays in flash (async bank 0) are loaded in turn by memory DMA into
**                one SDRAM code region and run; IFLUSH of the region after each load
**   overlay-noiflush  the same without IFLUSH: from the second load on every fetch hits an
**                I-cache line of the previous overlay (stale_ifetch)
**
** Sizes: -n packet (or overlay) bytes, a multiple of 32 (default 1024; overlay 256), -r packets
** or overlay loads (default 4). The core waits DMAIO_WAIT_PER_BYTE cycles per byte after each
** DMA (the DMA-done interrupt), more than any of these transfers takes (checked by the tests through
** core.dma_busy_cycles), so every hazard count is exact (worked out in tests/cli/cli_test.py).
** Channels: receive 1, transmit 2 (peripheral DMA), overlay loads 8 (memory DMA stream 0).
**
** Check: the checksums equal an independent sum over the device data; the device memory equals
** what the core wrote; the overlay region equals the last image loaded.
*/
#include "bfk_main.h"

enum {
    DMAIO_RX_CHAN = 1,
    DMAIO_TX_CHAN = 2,
    DMAIO_MDMA_CHAN = 8,
    DMAIO_WAIT_PER_BYTE = 64,   /* CCLK the core waits for a DMA to complete, per byte moved */
    DMAIO_PASSES = 4,           /* runs of an overlay after each load */
    DMAIO_UNCACHED = 0x01F00000 /* Linux uncached DMA region with mem=32M */
};

static const char *const dmaio_modes[] = {"rx",          "rx-noinv", "rx-dirty",
                                          "rx-uncached", "tx",       "tx-noflush",
                                          "tx-uncached", "overlay",  "overlay-noiflush"};

static int dmaio_rx(bfi_trace *t, const char *mode, long bytes, long reps, uint32_t *seed)
{
    long words = bytes / 4;
    uint32_t *dev = calloc((size_t)(words * reps), 4), *buf = calloc((size_t)words, 4);
    uint32_t *sum = calloc((size_t)reps, 4);
    if (!dev || !buf || !sum)
        return 2;
    int uncached = !strcmp(mode, "rx-uncached"), dirty = !strcmp(mode, "rx-dirty");
    int inv = !strcmp(mode, "rx") || dirty;
    bfi_place_array(t, "device", dev, (size_t)(words * reps * 4), BFI_ASYNC, NULL);
    if (uncached)
        bfi_place_at(t, "rxbuf", buf, (size_t)bytes, BFI_SDRAM, DMAIO_UNCACHED);
    else
        bfi_place_array(t, "rxbuf", buf, (size_t)bytes, BFI_SDRAM, NULL);
    bfi_place_array(t, "sums", sum, (size_t)reps * 4, BFI_L1_DATA_A, NULL);
    int ok = 1;
    for (long p = 0; p < reps; p++) {
        uint32_t *pkt = dev + p * words, want = 0;
        for (long i = 0; i < words; i++) {
            pkt[i] = bfk_rand(seed); /* arrives from the wire, untraced */
            want += pkt[i];
        }
        bfi_phase(t, "packet");
        if (dirty)
            for (long i = 0; i < words; i++)
                BFI_ST(t, buf[i], 0u); /* the buffer was scratch space before it was posted */
        bfi_dma(t, DMAIO_RX_CHAN, pkt, buf, (size_t)bytes);
        memcpy(buf, pkt, (size_t)bytes);
        bfi_compute(t, (uint64_t)bytes * DMAIO_WAIT_PER_BYTE);
        if (inv)
            bfi_flushinv(t, buf, (size_t)bytes);
        uint32_t s = 0;
        for (long i = 0; i < words; i++) {
            s += BFI_LD(t, buf[i]);
            bfi_compute(t, 1);
        }
        BFI_ST(t, sum[p], s);
        ok = ok && s == want;
    }
    free(dev);
    free(buf);
    free(sum);
    return ok ? 0 : 1;
}

static int dmaio_tx(bfi_trace *t, const char *mode, long bytes, long reps, uint32_t *seed)
{
    long words = bytes / 4;
    uint32_t *dev = calloc((size_t)(words * reps), 4), *buf = calloc((size_t)words, 4);
    if (!dev || !buf)
        return 2;
    int uncached = !strcmp(mode, "tx-uncached"), flush = !strcmp(mode, "tx");
    bfi_place_array(t, "device", dev, (size_t)(words * reps * 4), BFI_ASYNC, NULL);
    if (uncached)
        bfi_place_at(t, "txbuf", buf, (size_t)bytes, BFI_SDRAM, DMAIO_UNCACHED);
    else
        bfi_place_array(t, "txbuf", buf, (size_t)bytes, BFI_SDRAM, NULL);
    int ok = 1;
    for (long p = 0; p < reps; p++) {
        bfi_phase(t, "packet");
        for (long i = 0; i < words; i++) {
            bfi_compute(t, 1);
            BFI_ST(t, buf[i], bfk_rand(seed));
        }
        if (flush)
            bfi_flush(t, buf, (size_t)bytes);
        if (flush || uncached)
            bfi_ssync(t); /* the stores (write buffer, victim buffer) reach memory first */
        bfi_dma(t, DMAIO_TX_CHAN, buf, dev + p * words, (size_t)bytes);
        memcpy(dev + p * words, buf, (size_t)bytes);
        bfi_compute(t, (uint64_t)bytes * DMAIO_WAIT_PER_BYTE);
        ok = ok && memcmp(dev + p * words, buf, (size_t)bytes) == 0;
    }
    free(dev);
    free(buf);
    return ok ? 0 : 1;
}

static int dmaio_overlay(bfi_trace *t, const char *mode, long bytes, long reps, uint32_t *seed)
{
    long words = bytes / 4;
    uint32_t *flash = calloc((size_t)(2 * words), 4), *code = calloc((size_t)words, 4);
    if (!flash || !code)
        return 2;
    int iflush = !strcmp(mode, "overlay");
    for (long i = 0; i < 2 * words; i++)
        flash[i] = bfk_rand(seed); /* the two overlays' code, in flash */
    uint32_t code_bf = 0;
    bfi_place_array(t, "flash", flash, (size_t)(2 * words * 4), BFI_ASYNC, NULL);
    bfi_place_array(t, "overlay", code, (size_t)bytes, BFI_SDRAM, &code_bf);
    for (long k = 0; k < reps; k++) {
        const uint32_t *img = flash + (k % 2) * words;
        bfi_phase(t, "load");
        bfi_dma(t, DMAIO_MDMA_CHAN, img, code, (size_t)bytes);
        memcpy(code, img, (size_t)bytes);
        bfi_compute(t, (uint64_t)bytes * DMAIO_WAIT_PER_BYTE);
        if (iflush)
            bfi_iflush(t, code, (size_t)bytes);
        bfi_phase(t, "run");
        for (int r = 0; r < DMAIO_PASSES; r++) {
            bfi_ifetch(t, code_bf, (uint32_t)bytes);
            bfi_compute(t, 16);
        }
    }
    int ok = memcmp(code, flash + ((reps - 1) % 2) * words, (size_t)bytes) == 0;
    free(flash);
    free(code);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    bfk_args a;
    if (bfk_parse(argc, argv, &a, BFI_SDRAM) != 0)
        return 2;
    const char *mode = a.mode ? a.mode : "rx";
    int known = 0;
    for (size_t i = 0; i < sizeof dmaio_modes / sizeof *dmaio_modes; i++)
        known |= !strcmp(mode, dmaio_modes[i]);
    if (!known) {
        fprintf(stderr, "dmaio: -m must be rx, rx-noinv, rx-dirty, rx-uncached, tx, tx-noflush, "
                        "tx-uncached, overlay or overlay-noiflush\n");
        return 2;
    }
    int ovl = !strncmp(mode, "overlay", 7);
    long bytes = a.n ? a.n : ovl ? 256 : 1024;
    long reps = a.reps ? a.reps : 4;
    if (bytes % 32 != 0 || bytes > 65536) {
        fprintf(stderr, "dmaio: -n must be a multiple of 32 up to 65536\n");
        return 2;
    }
    bfi_trace t;
    FILE *f = bfk_open(&t, &a, argc, argv);
    if (!f)
        return 2;
    uint32_t seed = 7;
    int rc = mode[0] == 'r'   ? dmaio_rx(&t, mode, bytes, reps, &seed)
             : mode[0] == 't' ? dmaio_tx(&t, mode, bytes, reps, &seed)
                              : dmaio_overlay(&t, mode, bytes, reps, &seed);
    if (rc == 2 || t.failed) {
        fprintf(stderr, "dmaio: %s\n", t.failed ? t.err : "out of memory");
        return 2;
    }
    char res[128];
    snprintf(res, sizeof res, "mode %s, %ld bytes x %ld, data %s", mode, bytes, reps,
             rc == 0 ? "correct" : "WRONG");
    return bfk_finish(&t, f, &a, "dmaio", rc == 0, res);
}
