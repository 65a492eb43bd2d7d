/*
** floor.c: the speed floor of trace replay. It mmaps a native binary trace and, for each
** access record, does one lookup in a 16 KB 4-way I-cache (fetches) or a 16 KB 2-way D-cache (loads,
** stores, modifies) of 32-byte lines with LRU (the compat-cachegrind geometry), counting hits and
** misses only: no timing, no CPLBs, no buffers, no statistics registry. bench/run divides bfsim's
** time by this program's time on the same file. An access that crosses a line is looked up once,
** at its first byte (this is a floor, not an oracle). Reads format versions 1 (16-byte units) and
** 2 (8-byte access records); other records are skipped by their unit counts.
** usage: floor TRACE.bfb      prints "ihits imisses dhits dmisses"
*/
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { LINE = 5, ISETS = 128, IWAYS = 4, DSETS = 256, DWAYS = 2 };
static uint32_t itag[ISETS][IWAYS], dtag[DSETS][DWAYS]; /* MRU first; tag = line + 1, 0 empty */

static int lookup(uint32_t *set, int ways, uint32_t tag)
{
    int w = 0;
    while (w < ways && set[w] != tag)
        w++;
    int hit = w < ways;
    if (!hit)
        w = ways - 1;
    for (; w > 0; w--)
        set[w] = set[w - 1];
    set[0] = tag;
    return hit;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

int main(int argc, char **argv)
{
    int fd = argc == 2 ? open(argv[1], O_RDONLY) : -1;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || st.st_size < 16) {
        fprintf(stderr, "usage: floor TRACE.bfb (an uncompressed native binary trace)\n");
        return 2;
    }
    const uint8_t *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0),
                  *e = p + st.st_size;
    if (p == MAP_FAILED)
        return perror("mmap"), 2;
    posix_madvise((void *)p, (size_t)st.st_size, POSIX_MADV_SEQUENTIAL);
    unsigned ver = p[8] | p[9] << 8;
    const uint8_t *q = p + 16 + (rd32(p + 12) + 15) / 16 * 16;
    uint64_t n[4] = {0};
    while (q < e && q[0] != 0xff) {
        /* access records: type, 0, size (u16), address (u32) in 8 bytes (v2), or a 16-byte unit
        ** (v1); every other record is 16 bytes plus q[2] 16-byte extension units */
        uint32_t type = q[0], addr = rd32(q + 4);
        size_t len = type < 4 ? (ver >= 2 ? 8 : 16) : (size_t)(1 + q[2]) * 16;
        if (type < 4) {
            int i = type == 0;
            int hit = i ? lookup(itag[(addr >> LINE) % ISETS], IWAYS, (addr >> LINE) + 1)
                        : lookup(dtag[(addr >> LINE) % DSETS], DWAYS, (addr >> LINE) + 1);
            n[(i ? 0 : 2) + !hit]++;
        }
        q += len;
    }
    printf("%llu %llu %llu %llu\n", (unsigned long long)n[0], (unsigned long long)n[1],
           (unsigned long long)n[2], (unsigned long long)n[3]);
    return 0;
}
