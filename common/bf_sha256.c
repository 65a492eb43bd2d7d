/*
** bf_sha256.c: SHA-256 (FIPS 180-4), the content hash of configs, workloads and suites.
**
** Algorithm (FIPS 180-4 section 6.2): the message is cut into 64-byte blocks; each block is
** expanded into a 64-word message schedule and mixed into the eight-word state by 64 rounds;
** the last block carries the padding of section 5.1.1 (a 1 bit, zeros to 56 mod 64 bytes, the
** message length in bits, big-endian).
**
** Two implementations of the block function, chosen once per process: the portable one below
** (sha_blocks_c), and on x86-64 hosts whose CPUID reports the SHA extensions (leaf 7, EBX bit 29)
** with SSSE3 and SSE4.1, one over those instructions (sha_blocks_ni, Intel SDM vol. 2:
** SHA256RNDS2 does two rounds on the state held as {A,B,E,F} and {C,D,G,H}, SHA256MSG1/MSG2 the
** two halves of the message schedule). Both give the same digest (tests/common/test_sha256.c
** runs every vector and random chunkings through each); the instructions hash a workload about
** five times faster, which a run that stores its results pays per trace byte
** (docs/performance.md).
**
** Invariant: between calls, b[0..nb) holds the bytes of the current partial block (nb < 64) and
** bytes counts every byte given to bf_sha256_update since bf_sha256_init.
*/
#include "bf_sha256.h"

#include "bf_common.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) /* clang defines __GNUC__ too */
#define SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* Section 4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64
** primes. */
static const uint32_t k_sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

void bf_sha256_init(bf_sha256 *s)
{
    /* Section 5.3.3: fractional parts of the square roots of the first 8 primes. */
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof h0);
    s->bytes = 0;
    s->nb = 0;
}

static void sha_block_c(uint32_t hs[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
               (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = ROTR(w[t - 15], 7) ^ ROTR(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = ROTR(w[t - 2], 17) ^ ROTR(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = hs[0], b = hs[1], c = hs[2], d = hs[3];
    uint32_t e = hs[4], f = hs[5], g = hs[6], h = hs[7];
    for (int t = 0; t < 64; t++) {
        uint32_t t1 =
            h + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) + k_sha_k[t] + w[t];
        uint32_t t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    hs[0] += a;
    hs[1] += b;
    hs[2] += c;
    hs[3] += d;
    hs[4] += e;
    hs[5] += f;
    hs[6] += g;
    hs[7] += h;
}

static void sha_blocks_c(uint32_t h[8], const unsigned char *p, size_t n)
{
    for (; n; n--, p += 64)
        sha_block_c(h, p);
}

#ifdef SHA_NI
/* n blocks with the SHA extensions. The state lives in two registers, dwords from high to low:
** abef = {A, B, E, F} and cdgh = {C, D, G, H}, the operands of SHA256RNDS2, which does two rounds
** with the two message-plus-constant words in the low half of its third operand and returns the
** new {A, B, E, F}; the old one is then the new {C, D, G, H}. m[g % 4] holds the schedule words
** W[4g..4g+3] (W[4g] in the low dword); from g = 4 on they are SHA256MSG2(SHA256MSG1(W[4g-16..],
** W[4g-12..]) + W[4g-7..4g-4], W[4g-4..]), FIPS 180-4 6.2.2 step 1 four words at a time. */
__attribute__((target("sha,ssse3,sse4.1"))) static void
sha_blocks_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
    /* big-endian words: reverse the bytes of each dword */
    const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    __m128i lo = _mm_loadu_si128((const __m128i *)&h[0]); /* {D, C, B, A} */
    __m128i hi = _mm_loadu_si128((const __m128i *)&h[4]); /* {H, G, F, E} */
    lo = _mm_shuffle_epi32(lo, 0xB1);                     /* {C, D, A, B} */
    hi = _mm_shuffle_epi32(hi, 0x1B);                     /* {E, F, G, H} */
    __m128i abef = _mm_alignr_epi8(lo, hi, 8);            /* {A, B, E, F} */
    __m128i cdgh = _mm_blend_epi16(hi, lo, 0xF0);         /* {C, D, G, H} */
    for (; n; n--, p += 64) {
        __m128i abef0 = abef, cdgh0 = cdgh, m[4];
        for (int g = 0; g < 16; g++) {
            __m128i w;
            if (g < 4) {
                w = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
            } else {
                __m128i w7 = _mm_alignr_epi8(m[(g - 1) & 3], m[(g - 2) & 3], 4);
                w = _mm_sha256msg2_epu32(
                    _mm_add_epi32(_mm_sha256msg1_epu32(m[g & 3], m[(g - 3) & 3]), w7),
                    m[(g - 1) & 3]);
            }
            m[g & 3] = w;
            __m128i wk = _mm_add_epi32(w, _mm_loadu_si128((const __m128i *)&k_sha_k[4 * g]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
        }
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    __m128i abfe = _mm_shuffle_epi32(abef, 0x1B); /* {F, E, B, A} */
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1); /* {D, C, H, G} */
    _mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(abfe, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, abfe, 8));
}

static int host_has_sha(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
        return 0;
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}
#endif

/* The implementation in use: -1 not chosen yet, 0 portable, 1 SHA extensions. */
static atomic_int g_impl = -1;

int bf_sha256_use_hw(int on)
{
    int hw = 0;
#ifdef SHA_NI
    hw = on && host_has_sha();
#else
    (void)on;
#endif
    atomic_store_explicit(&g_impl, hw, memory_order_relaxed);
    return hw;
}

static void sha_blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
    int impl = atomic_load_explicit(&g_impl, memory_order_relaxed);
    if (impl < 0)
        impl = bf_sha256_use_hw(1);
#ifdef SHA_NI
    if (impl) {
        sha_blocks_ni(h, p, n);
        return;
    }
#endif
    sha_blocks_c(h, p, n);
}

void bf_sha256_update(void *ctx, const void *data, size_t n)
{
    bf_sha256 *s = ctx;
    const unsigned char *p = data;
    s->bytes += n;
    if (s->nb) {
        size_t take = 64 - s->nb < n ? 64 - s->nb : n;
        memcpy(s->b + s->nb, p, take);
        s->nb += take;
        p += take;
        n -= take;
        if (s->nb < 64)
            return;
        sha_blocks(s->h, s->b, 1);
        s->nb = 0;
    }
    if (n >= 64) {
        sha_blocks(s->h, p, n / 64);
        p += n / 64 * 64;
        n %= 64;
    }
    memcpy(s->b, p, n);
    s->nb = n;
}

void bf_sha256_final(bf_sha256 *s, char out_hex[65])
{
    /* Section 5.1.1: a 1 bit, zeros to 56 mod 64 bytes, the bit length big-endian. */
    uint64_t bits = s->bytes * 8;
    static const unsigned char pad[64] = {0x80};
    size_t padn = s->nb < 56 ? 56 - s->nb : 120 - s->nb;
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(bits >> (56 - 8 * i));
    bf_sha256_update(s, pad, padn);
    bf_sha256_update(s, len, 8);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        unsigned char byte = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
        out_hex[2 * i] = hex[byte >> 4];
        out_hex[2 * i + 1] = hex[byte & 15];
    }
    out_hex[64] = '\0';
}

void bf_sha256_text(const char *s, size_t n, char out_hex[65])
{
    bf_sha256 st;
    bf_sha256_init(&st);
    bf_sha256_update(&st, s, n);
    bf_sha256_final(&st, out_hex);
}

int bf_sha256_file(const char *path, char out_hex[65], char *err, size_t errn)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) {
        if (err && errn)
            snprintf(err, errn, "cannot open %s: %s", path ? path : "(null)",
                     path ? strerror(errno) : "no file name");
        return BF_EIO;
    }
    bf_sha256 st;
    bf_sha256_init(&st);
    unsigned char buf[16384];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        bf_sha256_update(&st, buf, got);
    int bad = ferror(f);
    int e = errno;
    fclose(f);
    if (bad) {
        if (err && errn)
            snprintf(err, errn, "cannot read %s: %s", path, strerror(e));
        return BF_EIO;
    }
    bf_sha256_final(&st, out_hex);
    return BF_OK;
}
