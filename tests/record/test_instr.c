/*
** test_instr.c: bf_instr.h placement and record emission on a 4-element dot product.
**
** Hand-worked expectation (BF533 map, default bfi_config: 32-byte alignment, SDRAM arrays from
** 0x00100000):
**   x[4] int16 in L1 data bank A  -> 0xFF800000;  x2[4] int16 also in bank A -> 0xFF800020
**   (the next 32-byte boundary after 8 bytes); h[4] int16 in bank B -> 0xFF900000; y int32 in the
**   scratchpad -> 0xFFB00000; z[4] int32 in SDRAM -> 0x00100000; 40 bytes of code in L1
**   instruction SRAM -> 0xFFA00000.
**   Records: PHASE dot; for k = 0..3: L 0xFF800000+2k 2, L 0xFF900000+2k 2; then the 3 MAC-free
**   cycles as "G 3" merged from 1 + 2; S 0xFFB00000 4; fetch of code bytes 4..11 as two 8-byte
**   units I 0xFFA00000 8, I 0xFFA00008 8; S 0x0010000C 4 (z[3]); SSYNC; FLUSH of z (16 bytes
**   from 0x00100000: one 32-byte line) "FLUSH 0x00100000 1"; FLUSHINV of x2+2..+6 (inside one
**   line) "FLUSHINV 0xFF800020 1"; MMR 0xFFE00004 0x0000100F; DMA 0 0x00100000 0xFF800020 8;
**   CSYNC. The dot product itself: 1*5 + 2*6 + 3*7 + 4*8 = 70.
**   Errors: a 16 KB array no longer fits in bank A (16 KB SRAM half, 40 bytes used) -> -1 with
**   a message naming l1_data_a; an access to an unplaced host variable fails the trace and
**   bfi_close returns -1.
*/
#define _GNU_SOURCE
#include "bf_instr.h"
#include "bf_test.h"

#include <stdlib.h>

static char *records_only(const char *text)
{
    /* keep the non-comment lines */
    char *out = malloc(strlen(text) + 1);
    size_t n = 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p + 1) : strlen(p);
        if (*p != '#') {
            memcpy(out + n, p, len);
            n += len;
        }
        p += len;
    }
    out[n] = '\0';
    return out;
}

int main(void)
{
    char *text = NULL;
    size_t textlen = 0;
    FILE *f = open_memstream(&text, &textlen);
    BF_CHECK(f != NULL);
    if (!f)
        return bf_test_exit();

    int16_t x[4] = {1, 2, 3, 4}, x2[4] = {0}, h[4] = {5, 6, 7, 8};
    int32_t y = 0, z[4] = {0};
    bfi_trace t;
    uint32_t ax, ax2, ah, ay, az, code;
    BF_CHECK_EQ(bfi_open(&t, NULL, f, "test_instr"), 0);
    BF_CHECK_EQ(bfi_place_array(&t, "x", x, sizeof x, BFI_L1_DATA_A, &ax), 0);
    BF_CHECK_EQ(bfi_place_array(&t, "x2", x2, sizeof x2, BFI_L1_DATA_A, &ax2), 0);
    BF_CHECK_EQ(bfi_place_array(&t, "h", h, sizeof h, BFI_L1_DATA_B, &ah), 0);
    BF_CHECK_EQ(bfi_place_array(&t, "y", &y, sizeof y, BFI_SCRATCH, &ay), 0);
    BF_CHECK_EQ(bfi_place_array(&t, "z", z, sizeof z, BFI_SDRAM, &az), 0);
    BF_CHECK_EQ(bfi_place_array(&t, "code", NULL, 40, BFI_L1_INST, &code), 0);
    BF_CHECK_EQ(ax, 0xFF800000u);
    BF_CHECK_EQ(ax2, 0xFF800020u);
    BF_CHECK_EQ(ah, 0xFF900000u);
    BF_CHECK_EQ(ay, 0xFFB00000u);
    BF_CHECK_EQ(az, 0x00100000u);
    BF_CHECK_EQ(code, 0xFFA00000u);

    bfi_phase(&t, "dot");
    int32_t acc = 0;
    for (int k = 0; k < 4; k++)
        acc += BFI_LD(&t, x[k]) * BFI_LD(&t, h[k]);
    bfi_compute(&t, 1);
    bfi_compute(&t, 2);
    BFI_ST(&t, y, acc);
    bfi_ifetch(&t, code + 4, 8);
    BFI_ST(&t, z[3], y);
    bfi_ssync(&t);
    bfi_flush(&t, z, sizeof z);
    bfi_flushinv(&t, &x2[1], 4);
    bfi_mmr(&t, BFI_DMEM_CONTROL, 0x100F);
    bfi_dma(&t, 0, z, x2, 8);
    bfi_csync(&t);
    BF_CHECK_EQ(y, 70);
    BF_CHECK_EQ(z[3], 70);
    BF_CHECK_EQ(t.failed, 0);
    BF_CHECK_EQ(bfi_close(&t), 0);
    fflush(f);

    BF_CHECK(strncmp(text, "#bfsim-trace 1\n#program: test_instr\n#recorder: bf_instr.h 1\n", 60) ==
             0);
    BF_CHECK(strstr(text, "#array: x2 l1_data_a 0xFF800020 8\n") != NULL);
    BF_CHECK(strstr(text, "#array: y scratch 0xFFB00000 4\n") != NULL);
    char mapline[96];
    snprintf(mapline, sizeof mapline, "#map: host 0x%llx -> 0x00100000 len 0x10\n",
             (unsigned long long)(uintptr_t)z);
    BF_CHECK(strstr(text, mapline) != NULL);
    char *recs = records_only(text);
    BF_CHECK_STR(recs, "PHASE dot\n"
                       "L 0xFF800000 2\nL 0xFF900000 2\n"
                       "L 0xFF800002 2\nL 0xFF900002 2\n"
                       "L 0xFF800004 2\nL 0xFF900004 2\n"
                       "L 0xFF800006 2\nL 0xFF900006 2\n"
                       "G 3\n"
                       "S 0xFFB00000 4\n"
                       "I 0xFFA00000 8\nI 0xFFA00008 8\n"
                       "S 0x0010000C 4\n"
                       "SSYNC\n"
                       "FLUSH 0x00100000 1\n"
                       "FLUSHINV 0xFF800020 1\n"
                       "MMR 0xFFE00004 0x0000100F\n"
                       "DMA 0 0x00100000 0xFF800020 8\n"
                       "CSYNC\n");
    BF_CHECK_EQ(t.records, 20); /* 1 PHASE + 8 L + G + S + 2 I + S + 6 control records */
    free(recs);

    /* Overflow of bank A's 16 KB SRAM half, and an access outside every placed array. */
    static int16_t big[8192];
    int stray = 0;
    BF_CHECK_EQ(bfi_place_array(&t, "big", big, sizeof big, BFI_L1_DATA_A, NULL), -1);
    BF_CHECK(strstr(t.err, "l1_data_a") != NULL);
    t.failed = 0;
    (void)BFI_LD(&t, stray);
    BF_CHECK_EQ(t.failed, 1);
    BF_CHECK(strstr(t.err, "outside every placed array") != NULL);
    BF_CHECK_EQ(bfi_close(&t), -1);

    /* A bad config is refused, naming the field. */
    bfi_config c;
    bfi_config_default(&c);
    c.align = 24;
    BF_CHECK_EQ(bfi_open(&t, &c, f, "x"), -1);
    BF_CHECK(strstr(t.err, "bfi_config.align") != NULL);

    fclose(f);
    free(text);
    return bf_test_exit();
}
