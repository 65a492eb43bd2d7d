/*
** lackey_replay.c: replays a Valgrind Lackey trace (`--tool=lackey --trace-mem=yes` log) through
** the L1 model in Cachegrind's configuration and prints the counts Cachegrind prints, one
** "name value" pair per line, for cachegrind_check.sh to compare with Cachegrind's own summary.
** This is the library-level oracle check of models/l1; the CLI's `--format lackey` reader is
** tested separately by the lead's tests.
**
** Model configuration (Cachegrind's --I1=16384,4,32 --D1=16384,2,32): bit-selection index, one
** 16 KB 2-way D bank (DMC=10), the 16 KB 4-way I-cache (IMC=1), everything write-back cacheable,
** compat=cachegrind (a straddling reference is one access, at most one miss). A Lackey `M` is one
** read, as Cachegrind counts a modify.
**
** Address mapping (64-bit host -> 32-bit model): every 8 KB host frame touched by a record (first
** and last byte) gets a model frame; runs of consecutive host frames get consecutive model frames
** and runs are separated by one unused frame. The low 13 bits are kept, so both caches' set
** indexes (bits 12:5 and 11:5) and line offsets are unchanged, distinct host lines stay distinct,
** and a reference that straddles host frames straddles the same model lines.
*/
#include "bf_l1.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FRAME_SHIFT = 13 };

typedef struct rec {
    uint64_t addr;
    uint32_t size;
    uint8_t kind;
} rec;

static int ext_fixed(void *ctx, const bf_req *rq, bf_resp *rs)
{
    (void)ctx; /* timing is irrelevant to the counts */
    rs->ready = rq->now + 1;
    rs->done = rq->now + 1;
    return BF_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: lackey_replay LACKEY_LOG\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    size_t n = 0, cap = 1 << 20;
    rec *r = malloc(cap * sizeof *r);
    char line[256];
    while (r && fgets(line, sizeof line, f)) {
        int kind;
        if (line[0] == 'I' && line[1] == ' ')
            kind = BF_ACC_IFETCH;
        else if (line[0] == ' ' && (line[1] == 'L' || line[1] == 'M'))
            kind = BF_ACC_READ;
        else if (line[0] == ' ' && line[1] == 'S')
            kind = BF_ACC_WRITE;
        else
            continue; /* Valgrind's own ==pid== lines */
        uint64_t a;
        unsigned sz;
        if (sscanf(line + 3, "%" SCNx64 ",%u", &a, &sz) != 2)
            continue;
        if (n == cap) {
            cap *= 2;
            rec *nr = realloc(r, cap * sizeof *r);
            if (!nr)
                break;
            r = nr;
        }
        r[n].addr = a;
        r[n].size = sz ? sz : 1;
        r[n].kind = (uint8_t)kind;
        n++;
    }
    fclose(f);
    uint64_t *fr = r ? malloc(2 * (n ? n : 1) * sizeof *fr) : NULL;
    uint32_t *map = fr ? malloc(2 * (n ? n : 1) * sizeof *map) : NULL;
    if (!map) {
        fprintf(stderr, "out of memory\n");
        return 2;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        fr[m++] = r[i].addr >> FRAME_SHIFT;
        fr[m++] = (r[i].addr + r[i].size - 1) >> FRAME_SHIFT;
    }
    qsort(fr, m, sizeof *fr, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (u == 0 || fr[i] != fr[u - 1])
            fr[u++] = fr[i];
    uint32_t next = 1;
    for (size_t i = 0; i < u; i++) {
        if (i && fr[i] != fr[i - 1] + 1)
            next++;
        map[i] = next++;
    }
    bf_l1_config c;
    bf_l1_config_default(&c);
    c.sdram_bytes = 128u << 20;
    if ((uint64_t)next << FRAME_SHIFT > c.sdram_bytes) {
        fprintf(stderr, "trace touches too many 8 KB frames (%" PRIu32 ")\n", next);
        return 2;
    }
    c.index_mode = BF_L1_INDEX_BITSEL;
    c.dmem_control = 2u << 2;
    c.imem_control = 1u << 2;
    c.default_attrs = BF_REQ_CACHEABLE;
    c.compat = BF_L1_COMPAT_CACHEGRIND;
    bf_l1 *l1;
    bf_l1_stats st;
    memset(&st, 0, sizeof st);
    bf_port p = {ext_fixed, NULL};
    if (bf_l1_create(&c, p, &st, &l1) != BF_OK) {
        fprintf(stderr, "bf_l1_create failed\n");
        return 2;
    }
    bf_cycles now = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t frame = r[i].addr >> FRAME_SHIFT;
        size_t lo = 0, hi = u;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (fr[mid] < frame)
                lo = mid + 1;
            else
                hi = mid;
        }
        bf_req q;
        memset(&q, 0, sizeof q);
        q.addr = (map[lo] << FRAME_SHIFT) | (uint32_t)(r[i].addr & ((1u << FRAME_SHIFT) - 1));
        q.size = r[i].size;
        q.kind = r[i].kind;
        q.now = now;
        q.record = i + 1;
        bf_resp rs;
        if (bf_l1_access(l1, &q, &rs) != BF_OK) {
            fprintf(stderr, "record %zu: access failed\n", i + 1);
            return 2;
        }
        now = rs.ready;
    }
    printf("I_refs %" PRIu64 "\n", st.ifetches);
    printf("I1_misses %" PRIu64 "\n", st.imisses);
    printf("D_rd %" PRIu64 "\n", st.dreads);
    printf("D_wr %" PRIu64 "\n", st.dwrites);
    printf("D1_rd_misses %" PRIu64 "\n", st.dread_misses);
    printf("D1_wr_misses %" PRIu64 "\n", st.dwrite_misses);
    bf_l1_destroy(l1);
    free(map);
    free(fr);
    free(r);
    return 0;
}
