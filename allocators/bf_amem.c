/*
** bf_amem.c: the allocators' simulated-memory accessor, the flat test memory, and the shared
** geometry and bitmap helpers of bf_alloc_int.h.
**
** What it models: a kernel allocator's loads and stores of its own metadata. Each access is one
** bf_req (source BF_SRC_ALLOC, supervisor mode, the real bytes in rq->data) sent through the port,
** so the memory system (CPLB, L1, SDRAM) both holds the data and times the access. When the
** accessor has a direct entry (`fast`, bf_alloc.h), it is asked first with the same access and no
** bf_req; it answers as the port would, or declines having changed nothing (then the port).
** Without a direct entry, a read inside the accessor's host view (bf_amem_view) is copied from
** those bytes, with no port and no time: the replay driver sets a view of the functional store
** for its untimed measurements (walks and checks), whose port would do just that.
**
** Assumptions:
**  1. Blocking accesses: the allocator waits for every load and store. After an access the core
**     time becomes resp.ready, with no extra issue cycle: ready is already "the core time at which
**     the requester may continue" (bf_common.h), which includes the access's own issue slot in
**     the L1 model. A port answering earlier than `now` does not move time backwards.
**  2. Little-endian, as the Blackfin: multi-byte values are assembled byte by byte here, so the
**     host's byte order never shows.
**  3. A port error or fault sets `failed` (sticky); a faulted load returns 0. Allocators keep going
**     (the caller sees `failed` and reports it), they never read host memory instead.
**
** bf_flatmem: a host array standing for [base, base+size) with a fixed latency per access
** (ready = done = now + latency). An access outside the array faults with
** BF_FAULT_HWERR_EXTERN and moves no data.
*/
#include "bf_alloc_int.h"
#include "bf_hmem.h"

#include <stdlib.h>
#include <string.h>

/* A port error or fault (assumption 3): sticky, and a read gives 0. */
static void amem_failed(bf_amem *m, int kind, uint8_t *buf, uint32_t size)
{
    m->failed = 1;
    if (kind != BF_ACC_WRITE)
        memset(buf, 0, size);
}

/* One access. Inlined into each width's function: this is the per-access path of every
** allocator operation (perf: the request memsets and the call were a sixth of SLOB's time). The
** direct entry takes the clock by address and has no response to fill; the request is built
** field by field, only when it declines, and the port's response is not cleared: a port that
** returns BF_OK sets ready and fault (bf_common.h); both get a default anyway. */
static inline __attribute__((always_inline)) void amem_xfer(bf_amem *m, bf_addr a, uint32_t size,
                                                            int kind, uint8_t *buf)
{
    if (kind == BF_ACC_WRITE)
        m->writes++;
    else
        m->reads++;
    if (m->fast) {
        int rc = m->fast(m->fast_ctx, a, size, kind, &m->now, buf);
        if (__builtin_expect(rc == BF_OK, 1))
            return;
        if (rc != BF_PORT_DECLINED) {
            amem_failed(m, kind, buf, size);
            return;
        }
    } else if (kind != BF_ACC_WRITE && a - m->view.base < m->view.len &&
               size <= m->view.len - (a - m->view.base)) {
        memcpy(buf, m->view.bytes + (a - m->view.base), size); /* no time, no fault */
        return;
    }
    bf_resp rs;
    rs.ready = 0;
    rs.fault = BF_FAULT_NONE;
    bf_req rq = {.addr = a,
                 .size = size,
                 .kind = (uint8_t)kind,
                 .mode = BF_MODE_SUPV,
                 .source = BF_SRC_ALLOC,
                 .now = m->now,
                 .data = buf};
    int rc = bf_port_xfer(&m->port, &rq, &rs);
    if (__builtin_expect(rc != BF_OK || rs.fault != BF_FAULT_NONE, 0))
        amem_failed(m, kind, buf, size);
    if (rc == BF_OK && rs.ready > m->now)
        m->now = rs.ready;
}

uint32_t bf_amem_r32(bf_amem *m, bf_addr a)
{
    uint8_t b[4];
    amem_xfer(m, a, 4, BF_ACC_READ, b);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

void bf_amem_w32(bf_amem *m, bf_addr a, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    amem_xfer(m, a, 4, BF_ACC_WRITE, b);
}

uint16_t bf_amem_r16(bf_amem *m, bf_addr a)
{
    uint8_t b[2];
    amem_xfer(m, a, 2, BF_ACC_READ, b);
    return (uint16_t)(b[0] | b[1] << 8);
}

void bf_amem_w16(bf_amem *m, bf_addr a, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    amem_xfer(m, a, 2, BF_ACC_WRITE, b);
}

uint8_t bf_amem_r8(bf_amem *m, bf_addr a)
{
    uint8_t b;
    amem_xfer(m, a, 1, BF_ACC_READ, &b);
    return b;
}

void bf_amem_w8(bf_amem *m, bf_addr a, uint8_t v)
{
    amem_xfer(m, a, 1, BF_ACC_WRITE, &v);
}

void bf_amem_compute(bf_amem *m, uint32_t cycles)
{
    m->now += cycles;
}

/* ---- flat memory ---- */

struct bf_flatmem {
    bf_addr base;     /* first simulated address */
    uint32_t size;    /* bytes */
    uint32_t latency; /* core cycles per access */
    uint8_t *bytes;   /* host copy of [base, base+size) */
};

static int flatmem_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    bf_flatmem *f = ctx;
    memset(rs, 0, sizeof(*rs));
    rs->ready = rs->done = rq->now + f->latency;
    if (rq->addr < f->base || rq->size > f->size || rq->addr - f->base > f->size - rq->size) {
        rs->fault = BF_FAULT_HWERR_EXTERN;
        rs->fault_addr = rq->addr;
        return BF_OK;
    }
    if (rq->data) {
        uint8_t *p = f->bytes + (rq->addr - f->base);
        if (rq->kind == BF_ACC_WRITE)
            memcpy(p, rq->data, rq->size);
        else
            memcpy(rq->data, p, rq->size);
    }
    return BF_OK;
}

int bf_flatmem_create(bf_addr base, uint32_t size, uint32_t latency, bf_flatmem **out)
{
    *out = NULL;
    if (size == 0 || (uint64_t)base + size > 0x100000000ull)
        return BF_ECONFIG;
    bf_flatmem *f = bf_calloc(1, sizeof(*f));
    if (!f)
        return BF_ENOMEM;
    f->bytes = bf_calloc(1, size);
    if (!f->bytes) {
        free(f);
        return BF_ENOMEM;
    }
    f->base = base;
    f->size = size;
    f->latency = latency;
    *out = f;
    return BF_OK;
}

bf_port bf_flatmem_port(bf_flatmem *f)
{
    bf_port p = {flatmem_xfer, f};
    return p;
}

void bf_flatmem_destroy(bf_flatmem *f)
{
    if (!f)
        return;
    free(f->bytes);
    free(f);
}

/* ---- geometry ---- */

int bfa_page_reserved(const bf_alloc_env *e, uint32_t pfn)
{
    bf_addr a = bfa_pfn_addr(e, pfn);
    if (a == 0)
        return 1;
    for (size_t i = 0; i < e->nreserved; i++) {
        const bf_arange *r = &e->reserved[i];
        if (r->len && a < r->start + (uint64_t)r->len && r->start < (uint64_t)a + e->page_size)
            return 1;
    }
    return 0;
}

int bfa_carve(const bf_alloc_env *e, uint32_t pages, uint32_t *pfn)
{
    uint32_t n = bfa_npages(e), run = 0;
    for (uint32_t p = 0; p < n; p++) {
        run = bfa_page_reserved(e, p) ? 0 : run + 1;
        if (run == pages) {
            *pfn = p + 1 - pages;
            return BF_OK;
        }
    }
    return BF_ECONFIG;
}

uint64_t bf_alloc_reserved_bytes(const bf_alloc_env *e)
{
    uint64_t r = 0;
    for (uint32_t p = 0; p < bfa_npages(e); p++)
        r += bfa_page_reserved(e, p) ? e->page_size : 0;
    return r;
}

void bf_alloc_count_free(uint32_t *nr_free, unsigned norders, uint64_t pages, int32_t n)
{
    if (!norders)
        return;
    unsigned top = norders - 1;
    nr_free[top] += (uint32_t)(pages >> top) * (uint32_t)n;
    pages &= (1ull << top) - 1;
    for (unsigned o = 0; o < top; o++)
        if (pages & (1ull << o))
            nr_free[o] += (uint32_t)n;
}

/* ---- bitmaps ---- */

int bfa_bm_test(bf_amem *m, bf_addr map, uint32_t i)
{
    return (bf_amem_r32(m, map + (i >> 5) * 4) >> (i & 31)) & 1u;
}

void bfa_bm_set_range(bf_amem *m, bf_addr map, uint32_t i, uint32_t n, int value)
{
    while (n) {
        uint32_t bit = i & 31, k = 32 - bit < n ? 32 - bit : n;
        uint32_t mask = (k == 32 ? 0xFFFFFFFFu : ((1u << k) - 1)) << bit;
        bf_addr w = map + (i >> 5) * 4;
        uint32_t v = bf_amem_r32(m, w);
        bf_amem_w32(m, w, value ? v | mask : v & ~mask);
        i += k;
        n -= k;
    }
}

uint32_t bfa_bm_find(bf_amem *m, bf_addr map, uint32_t i, uint32_t n, int value)
{
    while (i < n) {
        uint32_t v = bf_amem_r32(m, map + (i >> 5) * 4);
        if (!value)
            v = ~v;
        v &= 0xFFFFFFFFu << (i & 31);
        if (v) {
            uint32_t r = (i & ~31u) + (uint32_t)__builtin_ctz(v);
            return r < n ? r : n;
        }
        i = (i & ~31u) + 32;
    }
    return n;
}
