/*
** test_sha256.c: bf_sha256_text and bf_sha256_file (common/bf_sha256.c) against the SHA-256 test vectors published with
** FIPS 180-2/180-4 (NIST "Examples with intermediate values": "abc", the 448-bit message, one
** million 'a') and the well-known digest of the empty message. These digests are the external
** oracle; none was computed with our code.
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

int main(void)
{
    test_text();
    test_file();
    return bf_test_exit();
}
