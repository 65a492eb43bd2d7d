/*
** bench_tlm.cpp: speed of the TLM-2.0 LT wrapper. One core initiator with a tlm_quantumkeeper
** replays a deterministic pattern through the L1 front, the L1 model, the outport and the EBIU
** target (ORDER_SYNC, so every external access synchronises), and prints one JSON line:
**   {"bench":"systemc.lt","refs":N,"seconds":S,"refs_per_s":R,"cpu_seconds":C,"refs_per_cpu_s":RC}
** S is the wall time of sc_start() only, C its process CPU time (what bench/run compares with
** `bfsim run`'s CPU time on a shared machine); the pattern is generated into memory before it (as in
** the peer measurement of reference simulator-peers.md 4.2), so no parsing is timed.
**
** Pattern (xorshift64*, fixed seed, so every run replays the same references): 20% instruction
** fetches looping over 12 KiB of code; 55% loads and 25% stores of 4 bytes, of which 70% walk a
** 256 KiB array sequentially, 28% hit a random word of a 32 KiB hot set and 2% a random word of
** an 8 MiB cold region. All addresses are SDRAM, cacheable write-back: the machine is
** bf_tlm_machine()'s (explicit 4 MB CPLBs over the first 16 MB), so every reference also passes
** the CPLB stage of the memory system, as in `bfsim run`.
**
** usage: bench_tlm [REFS [QUANTUM_NS]]   (defaults 1000000 and 1000)
*/
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "bf_json.h"
#include "bf_tlm_platform.h"

static uint64_t bench_rng(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

int sc_main(int argc, char **argv)
{
    const uint64_t n = argc > 1 ? strtoull(argv[1], nullptr, 0) : 1000000;
    const double quantum_ns = argc > 2 ? atof(argv[2]) : 1000.0;
    if (!n || !(quantum_ns >= 0)) {
        std::fprintf(stderr, "usage: bench_tlm [REFS [QUANTUM_NS]]\n");
        return 2;
    }

    std::vector<bf_tlm_access> refs(n);
    uint64_t s = 0x9E3779B97F4A7C15ull;
    uint32_t pc = 0, seq = 0;
    for (bf_tlm_access &a : refs) {
        a = bf_tlm_access{};
        const uint64_t r = bench_rng(&s);
        const unsigned kind = (unsigned)(r % 100);
        const unsigned where = (unsigned)((r >> 8) % 100);
        if (kind < 20) {
            a.kind = BF_ACC_IFETCH;
            a.addr = 0x00010000u + pc;
            pc = (pc + 4) % (12u << 10);
        } else {
            a.kind = kind < 75 ? BF_ACC_READ : BF_ACC_WRITE;
            if (where < 70) {
                a.addr = 0x00200000u + seq;
                seq = (seq + 4) % (256u << 10);
            } else if (where < 98) {
                a.addr = 0x00100000u + (uint32_t)((r >> 20) % (32u << 10)) / 4 * 4;
            } else {
                a.addr = 0x00800000u + (uint32_t)((r >> 20) % (8u << 20)) / 4 * 4;
            }
        }
        a.size = 4;
    }

    const std::unique_ptr<bf_machine> m = bf_tlm_machine();
    size_t i = 0;
    bf_tlm_platform p("p", *m, [&](bf_tlm_access *a) {
        if (i >= refs.size())
            return false;
        *a = refs[i++];
        return true;
    });
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(quantum_ns, sc_core::SC_NS));

    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t k0 = std::clock();
    sc_core::sc_start();
    const std::clock_t k1 = std::clock();
    const auto t1 = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(t1 - t0).count();
    const double cpu = (double)(k1 - k0) / CLOCKS_PER_SEC;
    if (p.core->errors || p.core->refs != n) {
        std::fprintf(stderr, "bench_tlm: the run stopped after %" PRIu64 " references\n",
                     p.core->refs);
        return 1;
    }
    bf_jw w;
    bf_jw_init(&w, stdout, BF_JW_TIGHT);
    bf_jw_object(&w);
    bf_jw_key(&w, "bench");
    bf_jw_str(&w, "systemc.lt");
    bf_jw_key(&w, "refs");
    bf_jw_u64(&w, n);
    bf_jw_key(&w, "seconds");
    bf_jw_fixed(&w, secs, 3);
    bf_jw_key(&w, "refs_per_s");
    bf_jw_fixed(&w, secs > 0 ? (double)n / secs : 0.0, 0);
    bf_jw_key(&w, "cpu_seconds");
    bf_jw_fixed(&w, cpu, 3);
    bf_jw_key(&w, "refs_per_cpu_s");
    bf_jw_fixed(&w, cpu > 0 ? (double)n / cpu : 0.0, 0);
    bf_jw_end(&w);

    /* For reading the number (stderr only): the same references through the C engine's memory
    ** system (its core port) in a plain loop, which must end at the same CCLK, and how often the
    ** EBIU target synchronised. */
    bf_memsys *ms = nullptr;
    char err[256];
    if (bf_memsys_create(m.get(), nullptr, &ms, err, sizeof err) != BF_OK)
        return 1;
    const bf_port core = bf_memsys_core_port(ms); /* what the platform's core front calls */
    const auto c0 = std::chrono::steady_clock::now();
    bf_cycles t = 0;
    for (const bf_tlm_access &a : refs) {
        bf_req rq{};
        rq.addr = a.addr;
        rq.size = a.size;
        rq.kind = a.kind;
        rq.now = t + a.gap;
        bf_resp rs{};
        core.xfer(core.ctx, &rq, &rs);
        t = rs.ready;
    }
    const double csecs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
    std::fprintf(stderr,
                 "bench_tlm: end CCLK %" PRIu64 " (C API loop %" PRIu64 ", %.0f refs/s), "
                 "%" PRIu64 " EBIU requests, %" PRIu64 " synchronised\n",
                 (uint64_t)p.core->end_cycles, (uint64_t)t, csecs > 0 ? (double)n / csecs : 0.0,
                 p.ebiu->stats().transactions, p.ebiu->stats().syncs);
    bf_memsys_destroy(ms);
    return p.core->end_cycles == t ? 0 : 1;
}
