/*
** test_systemc.cpp: the TLM-2.0 platform against the C engine's memory system it wraps (both are
** the chain bf_memsys builds: CPLB stage -> core-MMR stage -> L1 -> EBIU). One SystemC elaboration
** per process, so one CTest per case:
**   equal Q   a fixed access sequence through the platform with one initiator and a global
**             quantum of Q CCLK cycles gives exactly the ready times, end time and statistics
**             (memory system, CPLB, L1, SDRAM, DMA, hazards) of the same sequence fed to
**             bf_memsys_access in a plain C loop;
**   fault     model faults come back as TLM_ADDRESS_ERROR_RESPONSE with the bf fault in the
**             extension; what cannot be converted gets its dedicated TLM status; DMI is refused;
**   cplb P    the platform has the C engine's CPLBs: with P = explicit, a data access and a fetch
**             that no entry covers raise the DCPLB and ICPLB miss exceptions (faults) where the
**             C loop raises them; with P = linux the manager reloads on those misses and charges
**             its handler time; every statistic and ready time equal to the C loop's;
**   dma Q     a DMA initiator on the same EBIU makes the core's misses slower than the core
**             alone (the C loop is the core-alone oracle, proven equal by `equal`), and
**             prints both end times, which must not depend on Q (dma_quantum.sh);
**   late      the residual ordering error of ORDER_SYNC (a lazily drained store) is counted;
**   trace T Q [AMGCTL] CONFIG  a bfsim trace of loads, stores, fetches, gaps, cache operations
**             and DMA records replayed through the platform in DMA controller mode on the
**             machine of CONFIG (core -> core front -> CPLB stage -> L1 -> outport -> EBIU target
**             whose port is the DMA controller's arbiter; cache operations go to bf_memsys_op
**             from the core's thread); prints its statistics as `name value` lines, which
**             dma_trace.py compares with `bfsim run` on the same trace and config.
*/
#include <cstring>
#include <string>
#include <vector>

#include "bf_tlm_platform.h"

extern "C" {
#include "bf_test.h"
#include "bf_trace.h"
}

/* The CPLBs of the cases but `trace` (bf_tlm_machine: the C models' L1 and EBIU defaults, I-cache
** and write-back D-cache in both banks): explicit, giving the sequences' pages their attributes:
** cacheable write-back, with 1 MB pages at 0x00400000 and 0x00600000 uncached and at 0x00500000
** write-through (no allocate on write); code cacheable below 4 MB. Nothing covers 0x01000000 and
** up (data) or 0x00400000 and up (code): a CPLB miss there. */
static const char *const test_cplb = R"(policy = explicit
dcplb_enable = 1
icplb_enable = 1
dcplb0 = 0x00000000 0x0003109D
dcplb1 = 0x00400000 0x0002009D
dcplb2 = 0x00500000 0x0002509D
dcplb3 = 0x00600000 0x0002009D
dcplb4 = 0x00700000 0x0002109D
dcplb5 = 0x00800000 0x0003109D
dcplb6 = 0x00C00000 0x0003109D
icplb0 = 0x00000000 0x00031005
)";

/* The same machine under the Linux CPLB manager (misses reload, with handler time). */
static const char *const linux_cplb = R"(policy = linux
dcplb_enable = 1
icplb_enable = 1
)";

/* ----------------------------------------------------------------------- the fixed sequence */

/* 1500 accesses chosen to reach every path of L1 that goes outside: sequential cacheable loads
** over 40 KiB (more than a 16 KiB bank: evictions), stores into them (dirty lines, victim
** write-backs), uncached stores (write-buffer drains, issued lazily by L1 with a start time in
** the past), write-through stores, uncached loads, instruction fetches over 20 KiB of code, and
** gaps of 0..7 cycles (the page attributes are test_cplb's). A fixed LCG makes it the same
** on every run. */
static std::vector<bf_tlm_access> test_sequence()
{
    std::vector<bf_tlm_access> v;
    uint32_t x = 12345;
    for (uint32_t i = 0; i < 1500; i++) {
        x = x * 1103515245u + 12345u;
        const uint32_t r = x >> 8;
        bf_tlm_access a = bf_tlm_access{};
        a.size = 4;
        a.gap = r & 7;
        switch ((r >> 3) % 8) {
        case 0:
        case 1:
        case 2:
            a.kind = BF_ACC_READ;
            a.addr = 0x00100000u + (i * 24u) % (40u << 10) / 4 * 4;
            break;
        case 3:
            a.kind = BF_ACC_WRITE;
            a.addr = 0x00100000u + (r >> 6) % (40u << 10) / 4 * 4;
            break;
        case 4: /* uncached store: write buffer */
            a.kind = BF_ACC_WRITE;
            a.addr = 0x00400000u + (r >> 6) % 4096 / 4 * 4;
            break;
        case 5: /* write-through store without allocate */
            a.kind = BF_ACC_WRITE;
            a.addr = 0x00500000u + (r >> 6) % 8192 / 4 * 4;
            break;
        case 6: /* uncached load */
            a.kind = BF_ACC_READ;
            a.addr = 0x00600000u + (r >> 6) % 4096 / 4 * 4;
            break;
        default:
            a.kind = BF_ACC_IFETCH;
            a.addr = 0x00010000u + (i * 8u) % (20u << 10);
            break;
        }
        v.push_back(a);
    }
    return v;
}

/* An EBIU port that counts the requests reaching the SDRAM model (as the platform's EBIU target
** without the DMA controller serves them). */
struct counted_port {
    bf_memsys *ms;
    uint64_t n;
};

static int counted_xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    counted_port *c = static_cast<counted_port *>(ctx);
    c->n++;
    return bf_sdram_xfer(bf_memsys_sdram(c->ms), rq, rs);
}

/* The oracle: the same accesses through the C engine's memory system in a plain loop (in-order
** core: each access issues gap cycles after the previous one is ready, a fault included). */
struct c_result {
    std::vector<bf_cycles> ready;
    bf_cycles end = 0;
    uint64_t ext_requests = 0, faults = 0;
    bf_memsys_stats core{};
    bf_cplb_stats cplb{};
    bf_l1_stats l1{};
    bf_sdram_stats sdram{};
    bf_dma_stats dma{};
    bf_hazard_stats hazard{};
};

static c_result run_c(const bf_machine &m, const std::vector<bf_tlm_access> &seq)
{
    c_result r;
    counted_port cp = {nullptr, 0};
    bf_port ext = {counted_xfer, &cp};
    char err[512];
    bf_memsys *ms = nullptr;
    BF_CHECK_EQ(bf_memsys_create_ebiu(&m, &ext, nullptr, &ms, err, sizeof err), BF_OK);
    cp.ms = ms;
    bf_cycles t = 0;
    uint64_t k = 0;
    for (const bf_tlm_access &a : seq) {
        bf_req rq{};
        rq.addr = a.addr;
        rq.size = a.size;
        rq.kind = a.kind;
        rq.source = BF_SRC_CORE;
        rq.flags = a.flags;
        rq.record = ++k;
        rq.now = t + a.gap;
        bf_resp rs{};
        BF_CHECK_EQ(bf_memsys_access(ms, &rq, &rs, nullptr), BF_OK);
        r.faults += rs.fault != BF_FAULT_NONE;
        t = rs.ready;
        r.ready.push_back(t);
    }
    r.end = t;
    r.ext_requests = cp.n;
    const bf_memsys_blocks b = bf_memsys_stat_blocks(ms);
    r.core = *b.core, r.cplb = *b.cplb, r.l1 = *b.l1, r.sdram = *b.sdram, r.dma = *b.dma;
    r.hazard = *b.hazard;
    bf_memsys_destroy(ms);
    return r;
}

/* Every statistics block of the platform equals the C loop's. */
static void check_same_stats(const bf_tlm_platform &p, const c_result &c)
{
    BF_CHECK(std::memcmp(p.stats.core, &c.core, sizeof c.core) == 0);
    BF_CHECK(std::memcmp(p.stats.cplb, &c.cplb, sizeof c.cplb) == 0);
    BF_CHECK(std::memcmp(p.stats.l1, &c.l1, sizeof c.l1) == 0);
    BF_CHECK(std::memcmp(p.stats.sdram, &c.sdram, sizeof c.sdram) == 0);
    BF_CHECK(std::memcmp(p.stats.dma, &c.dma, sizeof c.dma) == 0);
    BF_CHECK(std::memcmp(p.stats.hazard, &c.hazard, sizeof c.hazard) == 0);
    /* the same, readable when it fails */
    BF_CHECK_EQ(p.stats.cplb->dchecks, c.cplb.dchecks);
    BF_CHECK_EQ(p.stats.core->stall_cplb, c.core.stall_cplb);
    BF_CHECK_EQ(p.stats.l1->dread_misses, c.l1.dread_misses);
    BF_CHECK_EQ(p.stats.sdram->writes[BF_SRC_WBUF], c.sdram.writes[BF_SRC_WBUF]);
}

/* The ready times of the platform's core equal the C loop's. */
static void check_same_times(const std::vector<bf_cycles> &ready, const c_result &c)
{
    BF_CHECK_EQ(ready.size(), c.ready.size());
    size_t mismatches = 0;
    for (size_t k = 0; k < ready.size() && k < c.ready.size(); k++)
        if (ready[k] != c.ready[k] && mismatches++ < 5)
            std::fprintf(stderr, "access %zu: tlm ready %llu, C ready %llu\n", k,
                         (unsigned long long)ready[k], (unsigned long long)c.ready[k]);
    BF_CHECK_EQ(mismatches, 0);
}

static bf_tlm_source_fn replay(const std::vector<bf_tlm_access> &seq, size_t *i)
{
    return [&seq, i](bf_tlm_access *a) {
        if (*i >= seq.size())
            return false;
        *a = seq[(*i)++];
        return true;
    };
}

/* ------------------------------------------------------------------------------------ equal */

/* Expectation: identical numbers. The wrapper adds no timing: the core's issue time is
** to_cclk(from_cclk(ready)) = ready (exact round trip), the memory system sees the same bf_req,
** its ext requests reach the SDRAM model in the same order with their exact issue times (the
** outport's extension), so every ready time, the end time and every counter are equal. With
** one initiator this holds for any quantum; the EBIU target never sees a late request. */
static void case_equal(uint64_t quantum)
{
    const std::vector<bf_tlm_access> seq = test_sequence();
    const std::unique_ptr<bf_machine> m = bf_tlm_machine(test_cplb);
    const c_result c = run_c(*m, seq);
    BF_CHECK(c.l1.dwritebacks > 0 && c.l1.wbuf_drains > 0 && c.l1.ifills > 0 && c.l1.ureads > 0);
    BF_CHECK(c.cplb.dchecks > 0 && c.cplb.ichecks > 0 && c.l1.dwrites > 0);
    BF_CHECK_EQ(c.faults, 0);

    size_t i = 0;
    bf_tlm_platform p("p", *m, replay(seq, &i));
    std::vector<bf_cycles> ready;
    p.core->ready_log = &ready;
    tlm_utils::tlm_quantumkeeper::set_global_quantum(p.ebiu->clock().from_cclk(quantum));
    sc_core::sc_start();

    BF_CHECK(p.core->finished());
    BF_CHECK_EQ(p.core->refs, seq.size());
    BF_CHECK_EQ(p.core->errors, 0);
    BF_CHECK_EQ(p.core->faults, 0);
    BF_CHECK_EQ(p.core->end_cycles, c.end);
    check_same_times(ready, c);
    check_same_stats(p, c);
    BF_CHECK_EQ(p.ebiu->stats().transactions, c.ext_requests);
    BF_CHECK_EQ(p.ebiu->stats().late, 0);
    BF_CHECK_EQ(p.ebiu->stats().errors, 0);
    BF_CHECK_EQ(p.corefront->stats().transactions, seq.size());
    BF_CHECK_EQ(p.corefront->stats().blocked, 0);
}

/* ------------------------------------------------------------------------------------- cplb */

/* Expectations (test_cplb, explicit policy): a load of 0x01000000 (no DCPLB covers it)
** is a DCPLB miss (EXCAUSE 0x26) and a fetch at 0x00800000 (no ICPLB) an ICPLB miss (0x2C):
** two faults, two cplb.faults.miss, one cplb.dcplb_misses, one cplb.icplb_misses, each access
** still spending its issue cycle. Under the Linux policy (linux_cplb) the same accesses, and the
** first touch of every page, are CPLB misses the manager serves: no fault, reloads, handler
** time charged to core.stall.cplb. Either way the platform's times and every statistic equal
** the C loop's. */
static void case_cplb(const std::string &policy)
{
    std::vector<bf_tlm_access> seq;
    bf_tlm_access a = bf_tlm_access{};
    a.size = 4;
    const struct {
        bf_addr addr;
        uint8_t kind;
    } steps[] = {{0x00010000u, BF_ACC_IFETCH}, {0x00100000u, BF_ACC_READ},
                 {0x01000000u, BF_ACC_READ},   {0x00100004u, BF_ACC_WRITE},
                 {0x00800000u, BF_ACC_IFETCH}, {0x00010004u, BF_ACC_IFETCH},
                 {0x00200000u, BF_ACC_READ},   {0x01000004u, BF_ACC_WRITE}};
    for (const auto &st : steps) {
        a.addr = st.addr;
        a.kind = st.kind;
        a.gap = 1;
        seq.push_back(a);
    }
    const bool lx = policy == "linux";
    const std::unique_ptr<bf_machine> m = bf_tlm_machine(lx ? linux_cplb : test_cplb);
    const c_result c = run_c(*m, seq);
    if (lx) {
        BF_CHECK_EQ(c.faults, 0);
        BF_CHECK(c.cplb.dreloads > 0 && c.cplb.ireloads > 0);
        BF_CHECK(c.core.stall_cplb > 0);
    } else {
        BF_CHECK_EQ(c.faults, 3);
        BF_CHECK_EQ(c.cplb.fault_miss, 3);
        BF_CHECK_EQ(c.cplb.dmisses, 2);
        BF_CHECK_EQ(c.cplb.imisses, 1);
    }

    size_t i = 0;
    bf_tlm_platform p("p", *m, replay(seq, &i));
    std::vector<bf_cycles> ready;
    p.core->ready_log = &ready;
    sc_core::sc_start();
    BF_CHECK(p.core->finished());
    BF_CHECK_EQ(p.core->refs, seq.size());
    BF_CHECK_EQ(p.core->errors, 0);
    BF_CHECK_EQ(p.core->faults, c.faults);
    BF_CHECK_EQ(p.corefront->stats().faults, c.faults);
    BF_CHECK_EQ(p.core->end_cycles, c.end);
    check_same_times(ready, c);
    check_same_stats(p, c);
}

/* ------------------------------------------------------------------------------------ fault */

/* A test initiator that sends hand-made payloads to a bf_tlm_target over a bare EBIU. */
struct probe : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<probe> socket;
    bf_tlm_clock clk;
    SC_HAS_PROCESS(probe);
    explicit probe(sc_core::sc_module_name n, uint64_t hz) : sc_module(n), socket("socket"), clk(hz)
    {
        SC_THREAD(run);
    }

    tlm::tlm_response_status send(tlm::tlm_generic_payload &tx, uint64_t addr, unsigned len,
                                  unsigned char *be, unsigned sw, sc_core::sc_time *delay)
    {
        tx.set_command(tlm::TLM_READ_COMMAND);
        tx.set_address(addr);
        tx.set_data_ptr(buf);
        tx.set_data_length(len);
        tx.set_streaming_width(sw);
        tx.set_byte_enable_ptr(be);
        tx.set_byte_enable_length(be ? len : 0);
        tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        socket->b_transport(tx, *delay);
        return tx.get_response_status();
    }

    void run()
    {
        tlm::tlm_generic_payload tx;
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        /* a good SDRAM read at CCLK 0: OK, and the returned delay is (ready - 0) periods, with
        ** ready = the bf_resp of the model */
        bf_tlm_ext *ext = new bf_tlm_ext;
        tx.set_extension(ext);
        BF_CHECK_EQ(send(tx, 0x1000, 4, nullptr, 4, &d), tlm::TLM_OK_RESPONSE);
        BF_CHECK(ext->served);
        BF_CHECK(ext->resp.ready > 0);
        BF_CHECK_EQ(clk.to_cclk(d), ext->resp.ready);
        BF_CHECK(d == clk.from_cclk(ext->resp.ready));
        /* 0x04000000 is beyond the 32 MB of SDRAM the default EBIU_SDBCTL populates: the model
        ** answers BF_FAULT_HWERR_EXTERN, which the wrapper turns into an address error */
        d = sc_core::SC_ZERO_TIME;
        BF_CHECK_EQ(send(tx, 0x04000000, 4, nullptr, 4, &d), tlm::TLM_ADDRESS_ERROR_RESPONSE);
        BF_CHECK(ext->served);
        BF_CHECK_EQ(ext->resp.fault, BF_FAULT_HWERR_EXTERN);
        /* an address beyond 32 bits never reaches the model */
        BF_CHECK_EQ(send(tx, 0x100000000ull, 4, nullptr, 4, &d), tlm::TLM_ADDRESS_ERROR_RESPONSE);
        BF_CHECK(!ext->served);
        /* a library error (the port returns BF_EINPUT for a source that does not exist) is a
        ** generic error, with the bf_rc in the extension */
        ext->has_source = true;
        ext->source = BF_SRC_COUNT;
        BF_CHECK_EQ(send(tx, 0x1000, 4, nullptr, 4, &d), tlm::TLM_GENERIC_ERROR_RESPONSE);
        BF_CHECK_EQ(ext->rc, BF_EINPUT);
        ext->has_source = false;
        /* length 0: generic error; byte enables and streaming: their dedicated statuses */
        BF_CHECK_EQ(send(tx, 0x1000, 0, nullptr, 0, &d), tlm::TLM_GENERIC_ERROR_RESPONSE);
        unsigned char be[4] = {0xFF, 0, 0xFF, 0};
        BF_CHECK_EQ(send(tx, 0x1000, 4, be, 4, &d), tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        BF_CHECK_EQ(send(tx, 0x1000, 8, nullptr, 4, &d), tlm::TLM_BURST_ERROR_RESPONSE);
        /* DMI is refused for the whole 32-bit space */
        tlm::tlm_dmi dmi;
        tx.set_address(0x1000);
        BF_CHECK(!socket->get_direct_mem_ptr(tx, dmi));
        BF_CHECK(dmi.is_none_allowed());
        BF_CHECK_EQ(dmi.get_start_address(), 0);
        BF_CHECK_EQ(dmi.get_end_address(), 0xFFFFFFFFull);
        BF_CHECK(!tx.is_dmi_allowed());
    }
    unsigned char buf[16] = {0};
};

/* Expectations: statuses as commented in probe::run; through the platform, a core data load of
** L1 instruction SRAM (0xFFA00000) faults in the memory system (the CPLB stage's L1 rules, as
** in `bfsim run`) and comes back as an address error, counted once by the initiator, once by
** the core front and once in core.faults; the C loop faults the same way. */
static void case_fault()
{
    bf_sdram_config sdc;
    bf_sdram_config_default(&sdc);
    bf_sdram_stats ss;
    bf_sdram *s = nullptr;
    BF_CHECK_EQ(bf_sdram_create(&sdc, &ss, &s), BF_OK);
    bf_tlm_target_config tc;
    bf_tlm_target_config_default(&tc);
    tc.cclk_hz = sdc.cclk_hz;
    bf_tlm_target raw("raw", bf_sdram_port(s), tc);
    probe pr("probe", sdc.cclk_hz);
    pr.socket.bind(raw.socket[0]);

    std::vector<bf_tlm_access> seq(3, bf_tlm_access{});
    seq[0].addr = 0x1000, seq[0].size = 4, seq[0].kind = BF_ACC_READ;
    seq[1].addr = 0xFFA00000u, seq[1].size = 4, seq[1].kind = BF_ACC_READ;
    seq[2].addr = 0x1004, seq[2].size = 4, seq[2].kind = BF_ACC_READ;
    const std::unique_ptr<bf_machine> m = bf_tlm_machine(test_cplb);
    const c_result c = run_c(*m, seq);
    BF_CHECK_EQ(c.faults, 1);
    size_t i = 0;
    bf_tlm_platform p("p", *m, replay(seq, &i));
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(1, sc_core::SC_US));
    sc_core::sc_start();

    BF_CHECK(p.core->finished());
    BF_CHECK_EQ(p.core->refs, 3);
    BF_CHECK_EQ(p.core->faults, 1);
    BF_CHECK_EQ(p.core->errors, 0);
    BF_CHECK_EQ(p.corefront->stats().faults, 1);
    BF_CHECK_EQ(p.stats.core->faults, 1);
    check_same_stats(p, c);
    BF_CHECK_EQ(raw.stats().faults, 1);
    BF_CHECK_EQ(raw.stats().errors, 5);
    BF_CHECK_EQ(raw.stats().dmi_refused, 1);
    bf_sdram_destroy(s);
}

/* -------------------------------------------------------------------------------------- dma */

/* The core loads one word of each of 512 consecutive lines (every load misses and fills a line
** from SDRAM, 2 cycles of work between loads); a DMA channel reads 1024 back-to-back 32-byte
** blocks 8 MiB higher. Expectation: the fills wait for the DMA bursts already on the one
** external bus (busy-until state in bf_sdram), so the core ends strictly later than the same
** core alone (the C loop, equal to the wrapper by case `equal`). Loads only: L1 issues no lazy
** drains, so with ORDER_SYNC the EBIU never sees a late request; every request is counted. */
static void case_dma(uint64_t quantum)
{
    std::vector<bf_tlm_access> seq;
    for (uint32_t k = 0; k < 512; k++) {
        bf_tlm_access a = bf_tlm_access{};
        a.addr = 0x00100000u + k * 32u;
        a.size = 4;
        a.kind = BF_ACC_READ;
        a.gap = 2;
        seq.push_back(a);
    }
    std::vector<bf_tlm_access> dseq;
    for (uint32_t k = 0; k < 1024; k++) {
        bf_tlm_access a = bf_tlm_access{};
        a.addr = 0x00900000u + k * 32u;
        a.size = 32;
        a.kind = BF_ACC_READ;
        dseq.push_back(a);
    }
    const std::unique_ptr<bf_machine> m = bf_tlm_machine(test_cplb);
    const c_result alone = run_c(*m, seq);

    size_t i = 0, j = 0;
    bf_tlm_platform p("p", *m, replay(seq, &i), replay(dseq, &j));
    tlm_utils::tlm_quantumkeeper::set_global_quantum(p.ebiu->clock().from_cclk(quantum));
    sc_core::sc_start();

    BF_CHECK(p.core->finished() && p.dma->finished());
    BF_CHECK_EQ(p.core->refs, 512);
    BF_CHECK_EQ(p.dma->refs, 1024);
    BF_CHECK_EQ(p.core->errors + p.dma->errors, 0);
    BF_CHECK_EQ(p.stats.sdram->reads[BF_SRC_FILL], 512);
    BF_CHECK_EQ(p.stats.sdram->reads[BF_SRC_DMA], 1024);
    BF_CHECK_EQ(alone.sdram.reads[BF_SRC_FILL], 512);
    BF_CHECK(p.core->end_cycles > alone.end);
    BF_CHECK_EQ(p.ebiu->stats().late, 0);
    BF_CHECK_EQ(p.ebiu->stats().transactions, 512 + 1024);
    std::fprintf(stderr, "core alone %llu cycles, with DMA %llu cycles; DMA done at %llu\n",
                 (unsigned long long)alone.end, (unsigned long long)p.core->end_cycles,
                 (unsigned long long)p.dma->end_cycles);
    /* stdout: for systemc.dma.quantum_independent, which compares two quanta */
    std::printf("%llu %llu\n", (unsigned long long)p.core->end_cycles,
                (unsigned long long)p.dma->end_cycles);
}

/* -------------------------------------------------------------------------------------- late */

/* The residual ordering error of ORDER_SYNC (docs/systemc.md): L1 issues write-buffer drains
** lazily, just before its next external request, with the start time the drain had when the
** store entered the buffer. The core loads line X (a miss), stores one uncached word at about
** CCLK 60 (it waits in the write buffer), then hits line X 3000 times, then misses line Y. The
** drain reaches the EBIU just before Y's fill, thousands of cycles after its start time, while
** DMA blocks issued in between have already been served. Expectation: the EBIU target counts it
** late (late >= 1, late_cycles > 1000), and the write is still served (writes.wbuf == 1). */
static void case_late()
{
    std::vector<bf_tlm_access> seq;
    bf_tlm_access a = bf_tlm_access{};
    a.size = 4;
    a.kind = BF_ACC_READ;
    a.addr = 0x00100000u;
    seq.push_back(a);
    a.kind = BF_ACC_WRITE; /* uncached (test_cplb) */
    a.addr = 0x00400000u;
    seq.push_back(a);
    a.kind = BF_ACC_READ;
    for (int k = 0; k < 3000; k++) {
        a.addr = 0x00100000u + (uint32_t)(k % 8) * 4u;
        seq.push_back(a);
    }
    a.addr = 0x00200000u;
    seq.push_back(a);
    std::vector<bf_tlm_access> dseq(200, bf_tlm_access{});
    for (uint32_t k = 0; k < dseq.size(); k++) {
        dseq[k].addr = 0x00900000u + k * 32u;
        dseq[k].size = 32;
        dseq[k].kind = BF_ACC_READ;
    }
    const std::unique_ptr<bf_machine> m = bf_tlm_machine(test_cplb);
    size_t i = 0, j = 0;
    bf_tlm_platform p("p", *m, replay(seq, &i), replay(dseq, &j));
    tlm_utils::tlm_quantumkeeper::set_global_quantum(p.ebiu->clock().from_cclk(100));
    sc_core::sc_start();
    BF_CHECK(p.core->finished() && p.dma->finished());
    BF_CHECK_EQ(p.stats.sdram->writes[BF_SRC_WBUF], 1);
    BF_CHECK(p.ebiu->stats().late >= 1);
    BF_CHECK(p.ebiu->stats().late_cycles > 1000);
    std::fprintf(stderr, "late %llu, late_cycles %llu\n", (unsigned long long)p.ebiu->stats().late,
                 (unsigned long long)p.ebiu->stats().late_cycles);
}

/* ----------------------------------------------------------------------- a bfsim trace */

/* Streams a trace as the core initiator's accesses (the time rules of sim/bf_replay.c for traces
** without ifetch-grouped data: each record is an instruction of its own issued when the previous
** one is ready, gaps delay the next); DMA records go to the platform's DMA controller at the core
** time they are reached; at the end the platform finishes from the core's thread. */
struct trace_core {
    bf_tlm_platform *p = nullptr;
    bf_trace_reader *r = nullptr;
    std::vector<bf_cycles> ready;
    uint64_t gap = 0, xfers = 0, recno = 0;
    bool pending_write = false; /* the store half of an M record */
    bf_tlm_access pend{};
    bf_cycles end = 0, idle = 0, dma_next = (bf_cycles)-1;
    bool bad = false;

    bf_cycles now() const
    {
        return (ready.empty() ? 0 : ready.back()) + gap;
    }
    /* SSYNC, CSYNC, FLUSH, FLUSHINV, IFLUSH, PREFETCH: the initiator has no such transaction, so
    ** the op goes to the memory system (bf_memsys_op: the CPLB check of a line op, then L1)
    ** directly from the core's thread (its write-backs and drains still cross the outport and the
    ** EBIU target) and its time becomes a gap before the next access, as bf_replay.c charges it
    ** (an op with count n is n ops 32 bytes apart) */
    void cache_op(const bf_trace_rec &rec)
    {
        uint32_t n = rec.count ? rec.count : 1;
        for (uint32_t i = 0; i < n; i++) {
            bf_req rq{};
            bf_resp rs{};
            rq.addr = rec.op == BF_OP_SSYNC || rec.op == BF_OP_CSYNC ? 0 : rec.addr + 32u * i;
            rq.size = 1;
            rq.kind = rec.op == BF_OP_IFLUSH ? BF_ACC_IFETCH : BF_ACC_READ;
            rq.source = BF_SRC_CORE;
            rq.record = recno;
            rq.now = now();
            if (bf_memsys_op(p->ms, rec.op, &rq, &rs, nullptr) != BF_OK || rs.fault)
                bad = true;
            gap += rs.ready - rq.now;
        }
    }
    bool next(bf_tlm_access *a)
    {
        if (pending_write) {
            pending_write = false;
            *a = pend;
            return true;
        }
        bf_trace_rec rec;
        for (;;) {
            int rc = bf_trace_next(r, &rec);
            if (rc != BF_OK) {
                bad = rc != BF_EEOF;
                end = now();
                p->finish(end, &idle);
                return false;
            }
            recno++;
            if (dma_next <= now() && p->dma_advance(now(), &dma_next) != BF_OK)
                bad = true; /* as bf_replay.c rule 7 */
            if (rec.type == BF_REC_GAP) {
                gap += rec.value;
            } else if (rec.type == BF_REC_DMA) {
                bf_hazard_xfer x{};
                x.id = ++xfers;
                x.chan = rec.chan;
                x.src = rec.addr;
                x.dst = rec.addr2;
                x.bytes = rec.value;
                x.pos.record = recno;
                x.pos.line = rec.line;
                bf_cycles t = now(), start = rec.has_start && rec.start > t ? rec.start : t;
                bf_dma_reject rej;
                if (p->dma_submit(&x, start, &dma_next, &rej) != BF_OK || rej.fault)
                    bad = true;
            } else if (rec.type <= BF_REC_MODIFY) {
                *a = bf_tlm_access{};
                a->addr = rec.addr;
                a->size = rec.size;
                a->gap = gap;
                gap = 0;
                a->kind = rec.type == BF_REC_IFETCH  ? BF_ACC_IFETCH
                          : rec.type == BF_REC_STORE ? BF_ACC_WRITE
                                                     : BF_ACC_READ;
                if (rec.type == BF_REC_MODIFY) {
                    pend = *a;
                    pend.kind = BF_ACC_WRITE;
                    pend.gap = 0;
                    pending_write = true;
                }
                return true;
            } else if (rec.type == BF_REC_OP) {
                cache_op(rec);
            } else if (rec.type != BF_REC_PHASE && rec.type != BF_REC_MODE) {
                bad = true; /* MMR writes: not expressible here */
            }
        }
    }
};

static void print_stats(const bf_stat_desc *d, size_t n, const void *base)
{
    for (size_t i = 0; i < n; i++)
        if (d[i].type == BF_STAT_U64)
            std::printf("%s %llu\n", d[i].name,
                        (unsigned long long)*(const uint64_t *)((const char *)base + d[i].offset));
}

static void case_trace(const char *path, uint64_t quantum, uint32_t amgctl, const char *config)
{
    bf_machine *m = new bf_machine();
    char err[512], warn[512], set[64];
    std::snprintf(set, sizeof set, "ebiu.amgctl=0x%x", amgctl);
    const char *files[] = {config}, *sets[] = {set};
    if (bf_machine_load(m, files, 1, sets, 1, err, sizeof err, warn, sizeof warn) != BF_OK) {
        std::fprintf(stderr, "%s\n", err);
        BF_CHECK(0);
        delete m;
        return;
    }
    trace_core tc;
    bf_trace_options o;
    bf_trace_options_default(&o);
    if (bf_trace_open(path, &o, &tc.r, err, sizeof err) != BF_OK) {
        std::fprintf(stderr, "%s\n", err);
        BF_CHECK(0);
        delete m;
        return;
    }
    bf_tlm_platform p(
        "p", *m, [&tc](bf_tlm_access *a) { return tc.next(a); }, bf_tlm_source_fn(),
        BF_TLM_ORDER_SYNC, true);
    delete m; /* the memory system keeps its own copy */
    tc.p = &p;
    p.core->ready_log = &tc.ready;
    tlm_utils::tlm_quantumkeeper::set_global_quantum(p.ebiu->clock().from_cclk(quantum));
    sc_core::sc_start();
    bf_trace_close(tc.r);
    BF_CHECK(p.core->finished());
    BF_CHECK(!tc.bad);
    BF_CHECK_EQ(p.core->faults, 0);
    std::printf("core.cycles %llu\ncore.drain_cycles %llu\n", (unsigned long long)tc.end,
                (unsigned long long)(tc.idle > tc.end ? tc.idle - tc.end : 0));
    print_stats(bf_memsys_stat_desc, bf_memsys_stat_count, p.stats.core);
    print_stats(bf_cplb_stat_desc, bf_cplb_stat_count, p.stats.cplb);
    print_stats(bf_l1_stat_desc, bf_l1_stat_count, p.stats.l1);
    print_stats(bf_sdram_stat_desc, bf_sdram_stat_count, p.stats.sdram);
    print_stats(bf_dma_stat_desc, bf_dma_stat_count, p.stats.dma);
    print_stats(bf_hazard_stat_desc, bf_hazard_stat_count, p.stats.hazard);
}

int sc_main(int argc, char **argv)
{
    const std::string c = argc > 1 ? argv[1] : "";
    const uint64_t q = argc > 2 && c != "trace" && c != "cplb" ? strtoull(argv[2], nullptr, 0) : 0;
    if (c == "equal")
        case_equal(q);
    else if (c == "fault")
        case_fault();
    else if (c == "dma")
        case_dma(q);
    else if (c == "late")
        case_late();
    else if (c == "cplb" && argc > 2)
        case_cplb(argv[2]);
    else if (c == "trace" && argc > 5)
        case_trace(argv[2], strtoull(argv[3], nullptr, 0), (uint32_t)strtoul(argv[4], nullptr, 0),
                   argv[5]);
    else {
        std::fprintf(stderr, "usage: test_systemc equal|dma|late QUANTUM_CYCLES | fault | cplb "
                             "explicit|linux | trace TRACE QUANTUM AMGCTL CONFIG\n");
        return 2;
    }
    return bf_test_exit();
}
