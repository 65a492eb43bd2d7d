/*
** test_sha256.c: bf_sha256_text and bf_sha256_file (common/bf_sha256.c) against the SHA-256 test vectors published with
** FIPS 180-2/180-4 (NIST "Examples with intermediate values": "abc", the 448-bit message, one
** million 'a') and the well-known digest of the empty message. These digests are the external
** oracle; none was computed with our code. Every vector runs through both block functions (the
** portable one and, on a host with them, the SHA instructions), and the two are compared on
** random messages (every length to 200 bytes, then every 7th to 998) fed in random pieces. On a
** host whose /proc/cpuinfo lists sha_ni, ssse3 and sse4_1 the instructions must be chosen.
*/
#define _POSIX_C_SOURCE 200809L

#include "../bf_test.h"
#include "bf_common.h"
#include "bf_sha256.h"

#include <stdlib.h>
#include <unistd.h>

static const char k_empty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char k_abc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char k_448[] = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
static const char k_million_a[] =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
static const char k_msg448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

static void test_text(void)
{
    char hex[65];
    bf_sha256_text("", 0, hex);
    BF_CHECK_STR(hex, k_empty);
    bf_sha256_text("abc", 3, hex);
    BF_CHECK_STR(hex, k_abc);
    /* 56 bytes: the padding needs a second block (56 + 1 + 8 > 64). */
    bf_sha256_text(k_msg448, strlen(k_msg448), hex);
    BF_CHECK_STR(hex, k_448);
    /* One million 'a' in one call: 15625 full blocks, then a padding-only block. */
    char *m = malloc(1000000);
    BF_CHECK(m != NULL);
    memset(m, 'a', 1000000);
    bf_sha256_text(m, 1000000, hex);
    BF_CHECK_STR(hex, k_million_a);
    free(m);
}

static void test_file(void)
{
    char hex[65], err[256], path[] = "/tmp/bf-siminfra-sha-XXXXXX";
    int fd = mkstemp(path);
    BF_CHECK(fd >= 0);
    /* The million 'a' file, written in 1000-byte pieces: bf_sha256_file reads it in its own
    ** buffer size, so block boundaries fall at other places than in the write pattern. */
    char piece[1000];
    memset(piece, 'a', sizeof piece);
    for (int i = 0; i < 1000; i++)
        BF_CHECK_EQ(write(fd, piece, sizeof piece), sizeof piece);
    close(fd);
    BF_CHECK_EQ(bf_sha256_file(path, hex, err, sizeof err), 0);
    BF_CHECK_STR(hex, k_million_a);
    /* An empty file hashes like the empty message. */
    FILE *f = fopen(path, "w");
    fclose(f);
    BF_CHECK_EQ(bf_sha256_file(path, hex, err, sizeof err), 0);
    BF_CHECK_STR(hex, k_empty);
    unlink(path);
    char want[300];
    BF_CHECK_EQ(bf_sha256_file(path, hex, err, sizeof err), BF_EIO);
    snprintf(want, sizeof want, "cannot open %s: No such file or directory", path);
    BF_CHECK_STR(err, want);
}

/* Random messages, each hashed in one piece by the portable block function and in random pieces
** of 0 to 299 bytes (up to four blocks a call) by the one under test: the digests must agree. */
static void test_impls_agree(int hw)
{
    unsigned char msg[1000];
    uint32_t x = 12345;
    for (size_t len = 0; len <= sizeof msg; len += len < 200 ? 1 : 7) {
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            msg[i] = (unsigned char)(x >> 16);
        }
        char want[65], got[65];
        bf_sha256_use_hw(0);
        bf_sha256_text((const char *)msg, len, want);
        bf_sha256_use_hw(hw);
        bf_sha256 st;
        bf_sha256_init(&st);
        for (size_t at = 0; at < len;) {
            x = x * 1103515245u + 12345u;
            size_t piece = (x >> 16) % 300;
            if (piece > len - at)
                piece = len - at;
            bf_sha256_update(&st, msg + at, piece);
            at += piece;
        }
        bf_sha256_final(&st, got);
        BF_CHECK_STR(got, want);
    }
}

/* Whether /proc/cpuinfo lists every flag the SHA block function needs (0 if it cannot be read;
** not under valgrind, whose CPUID hides the SHA extensions). */
static int cpuinfo_has_sha(void)
{
    const char *pre = getenv("LD_PRELOAD");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f || (pre && strstr(pre, "vgpreload"))) {
        if (f)
            fclose(f);
        return 0;
    }
    char line[8192];
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        if (!strncmp(line, "flags", 5))
            found = strstr(line, " sha_ni") && strstr(line, " ssse3") && strstr(line, " sse4_1");
    fclose(f);
    return found;
}

int main(void)
{
    int hw = bf_sha256_use_hw(1);
#if defined(__x86_64__)
    if (cpuinfo_has_sha())
        BF_CHECK_EQ(hw, 1);
#endif
    fprintf(stderr, "SHA instructions: %s\n", hw ? "in use" : "not on this host (portable only)");
    for (int impl = hw; impl >= 0; impl--) {
        BF_CHECK_EQ(bf_sha256_use_hw(impl), impl);
        test_text();
        test_file();
    }
    test_impls_agree(hw);
    return bf_test_exit();
}
