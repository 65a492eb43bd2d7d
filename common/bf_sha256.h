/*
** bf_sha256.h: SHA-256 (FIPS 180-4) as 64 lowercase hex digits and a NUL, for the content hashes
** of configs, workloads and suites (see bf_sha256.c).
*/
#ifndef BF_SHA256_H
#define BF_SHA256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Incremental: init, update with each piece (a bf_byte_tap function: ctx is the bf_sha256),
** final. */
typedef struct bf_sha256 {
    uint32_t h[8];       /* chaining state */
    uint64_t bytes;      /* message length so far */
    unsigned char b[64]; /* partial block */
    size_t nb;           /* bytes in b, < 64 */
} bf_sha256;
void bf_sha256_init(bf_sha256 *s);
void bf_sha256_update(void *ctx, const void *data, size_t n);
void bf_sha256_final(bf_sha256 *s, char out_hex[65]);

/* The block function's implementation: on = 1 (the default, chosen at the first use) the host's
** SHA instructions when it has them, on = 0 the portable one. Returns 1 if the instructions are
** in use. For tests and benchmarks; both give the same digests. */
int bf_sha256_use_hw(int on);

/* One piece of memory. */
void bf_sha256_text(const char *s, size_t n, char out_hex[65]);
/* Streams the file: BF_OK, or BF_EIO with "cannot open F: reason" / "cannot read F: reason". */
int bf_sha256_file(const char *path, char out_hex[65], char *err, size_t errn);

#ifdef __cplusplus
}
#endif

#endif
