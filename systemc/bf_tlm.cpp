/*
** bf_tlm.cpp: the TLM-2.0 loosely-timed adapters of bf_tlm.h.
**
** What it models: nothing. Every cycle comes from the C model behind the bf_port; this file only
** moves requests between TLM and bfsim's port and converts time.
**
** Assumptions:
**  1. One core clock (cclk_hz) per adapter; the SystemC time resolution is finer than a CCLK
**     period, so that cycle -> time -> cycle is the identity (bf_tlm_clock::check).
**  2. A transaction without a bf_tlm_ext is issued at sc_time_stamp() + delay, rounded up to the
**     next core edge (a request cannot start between edges).
**  3. The models hold no bytes (timing only), so DMI is refused everywhere: a pointer would let
**     accesses bypass the cache, buffer and bus state that give them their time.
**  4. Byte enables and streaming are not modelled: the target refuses them with the dedicated
**     response status instead of approximating them.
**
** Algorithm (bf_tlm_target::b_transport):
**  1. Refuse what cannot be converted (byte enables, streaming, length 0, beyond 32 bits).
**  2. now = the extension's exact issue time, else to_cclk(sc_time_stamp() + delay).
**  3. ORDER_SYNC: wait() until SystemC time reaches now, so that every initiator that also goes
**     through this target arrives in time order (docs/systemc.md, "Ordering rule").
**  4. Call the port once; delay := from_cclk(resp.ready) - sc_time_stamp(), which is the incoming
**     delay plus (resp.ready - now) CCLK periods when nothing waited.
**  5. Status: bf_rc != BF_OK -> GENERIC_ERROR; resp.fault -> ADDRESS_ERROR; else OK.
**
** Invariant: last_now_ is the latest access time the port has served; a transaction earlier than
** it is counted as late (the EBIU queues it behind what it already served).
*/
#include "bf_tlm.h"

#include <cassert>
#include <cmath>

using sc_core::sc_time;
using sc_core::sc_time_stamp;
using sc_core::SC_ZERO_TIME;

#define BF_STAT_STRUCT bf_tlm_target_stats
const bf_stat_desc bf_tlm_target_stat_desc[] = {BF_TLM_TARGET_STATS(BF_STAT_DESC)};
const size_t bf_tlm_target_stat_count = BF_ARRAY_SIZE(bf_tlm_target_stat_desc);
#undef BF_STAT_STRUCT

static const char *const bf_tlm_msgtype = "bfsim/systemc";

/* ----------------------------------------------------------------------------------- clock */

static uint64_t bf_tlm_ticks_per_s()
{
    return (uint64_t)std::llround(1.0 / sc_core::sc_get_time_resolution().to_seconds());
}

const char *bf_tlm_clock::check(uint64_t hz)
{
    if (hz == 0)
        return "cclk_hz: must be > 0";
    if (hz >= bf_tlm_ticks_per_s())
        return "cclk_hz: the CCLK period must be longer than the SystemC time resolution";
    return nullptr;
}

bf_tlm_clock::bf_tlm_clock(uint64_t hz) : cclk_hz(hz), tps(bf_tlm_ticks_per_s())
{
}

bf_cycles bf_tlm_clock::to_cclk(const sc_time &t) const
{
    assert(cclk_hz && tps);
    unsigned __int128 v = (unsigned __int128)t.value() * cclk_hz;
    return (bf_cycles)((v + tps - 1) / tps);
}

sc_time bf_tlm_clock::from_cclk(bf_cycles c) const
{
    assert(cclk_hz && tps);
    unsigned __int128 v = (unsigned __int128)c * tps / cclk_hz;
    return sc_time::from_value((sc_core::sc_time::value_type)v);
}

/* ------------------------------------------------------------------------------- extension */

tlm::tlm_extension_base *bf_tlm_ext::clone() const
{
    return new bf_tlm_ext(*this);
}

void bf_tlm_ext::copy_from(const tlm::tlm_extension_base &ext)
{
    *this = static_cast<const bf_tlm_ext &>(ext);
}

/* ---------------------------------------------------------------------------------- target */

void bf_tlm_target_config_default(bf_tlm_target_config *c)
{
    c->cclk_hz = 594000000; /* the EZ-KIT default of models/sdram */
    c->sockets = 1;
    c->order = BF_TLM_ORDER_PASS;
    c->source = BF_SRC_CORE;
    c->mode = BF_MODE_SUPV;
    c->flags = 0;
}

const char *bf_tlm_target_config_check(const bf_tlm_target_config *c)
{
    const char *m = bf_tlm_clock::check(c->cclk_hz);
    if (m)
        return m;
    if (c->sockets < 1 || c->sockets > 64)
        return "sockets: must be 1..64";
    if (c->order != BF_TLM_ORDER_PASS && c->order != BF_TLM_ORDER_SYNC)
        return "order: must be BF_TLM_ORDER_PASS or BF_TLM_ORDER_SYNC";
    if (c->source >= BF_SRC_COUNT)
        return "source: not a bf_source";
    if (c->mode > BF_MODE_USER)
        return "mode: not a bf_mode";
    return nullptr;
}

bf_tlm_target::bf_tlm_target(sc_core::sc_module_name name, bf_port port,
                             const bf_tlm_target_config &cfg)
    : sc_module(name), socket("socket", cfg.sockets), port_(port), cfg_(cfg)
{
    const char *m = bf_tlm_target_config_check(&cfg);
    if (!m && !port.xfer)
        m = "port: xfer is NULL";
    if (m)
        SC_REPORT_ERROR(bf_tlm_msgtype, m);
    clk_ = bf_tlm_clock(cfg.cclk_hz);
    src_.assign(cfg.sockets, cfg.source);
    for (unsigned i = 0; i < cfg.sockets; i++) {
        socket[i].register_b_transport(this, &bf_tlm_target::b_transport, (int)i);
        socket[i].register_get_direct_mem_ptr(this, &bf_tlm_target::get_direct_mem_ptr, (int)i);
    }
}

void bf_tlm_target::set_source(unsigned sock, uint8_t source)
{
    if (sock >= src_.size() || source >= BF_SRC_COUNT)
        SC_REPORT_ERROR(bf_tlm_msgtype, "set_source: socket or source out of range");
    else
        src_[sock] = source;
}

void bf_tlm_target::b_transport(int id, tlm::tlm_generic_payload &tx, sc_time &delay)
{
    tx.set_dmi_allowed(false);
    bf_tlm_ext *ext = tx.get_extension<bf_tlm_ext>();
    if (ext)
        ext->served = false;
    const unsigned len = tx.get_data_length();
    if (tx.get_byte_enable_ptr()) {
        st_.errors++;
        tx.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (tx.get_streaming_width() < len) {
        st_.errors++;
        tx.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    const tlm::tlm_command cmd = tx.get_command();
    if (cmd == tlm::TLM_IGNORE_COMMAND) {
        tx.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    const uint64_t addr = tx.get_address();
    if (len == 0) {
        st_.errors++;
        tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    if (addr > 0xFFFFFFFFull || addr + len - 1 > 0xFFFFFFFFull) {
        /* no Blackfin address: refused before the model, not a model fault */
        st_.errors++;
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }

    bf_req rq{};
    rq.addr = (bf_addr)addr;
    rq.size = len;
    rq.kind = (uint8_t)(cmd == tlm::TLM_WRITE_COMMAND ? BF_ACC_WRITE : BF_ACC_READ);
    rq.source = src_[(unsigned)id];
    rq.mode = cfg_.mode;
    rq.flags = cfg_.flags;
    rq.data = tx.get_data_ptr();
    if (ext) {
        if (ext->has_kind)
            rq.kind = ext->kind;
        if (ext->has_source)
            rq.source = ext->source;
        rq.mode = ext->mode;
        rq.flags = ext->flags;
        rq.record = ext->record;
        if (ext->timing_only)
            rq.data = nullptr;
    }
    rq.now = (ext && ext->has_issue) ? ext->issue : clk_.to_cclk(sc_time_stamp() + delay);

    if (cfg_.order == BF_TLM_ORDER_SYNC) {
        const sc_time at = clk_.from_cclk(rq.now);
        if (at > sc_time_stamp()) {
            st_.syncs++;
            sc_core::wait(at - sc_time_stamp());
        }
    }
    if (in_port_) {
        /* another initiator is inside the port and yielded (a nested ORDER_SYNC wait below an
        ** L1 front): C models are not re-entrant, so wait for it to return */
        st_.blocked++;
        while (in_port_)
            sc_core::wait(port_free_);
    }
    if (rq.now < last_now_) {
        st_.late++;
        st_.late_cycles += last_now_ - rq.now;
    } else {
        last_now_ = rq.now;
    }

    bf_resp rs{};
    in_port_ = true;
    const int rc = bf_port_xfer(&port_, &rq, &rs);
    in_port_ = false;
    port_free_.notify();
    st_.transactions++;
    if (ext) {
        ext->served = true;
        ext->rc = rc;
        ext->resp = rs;
    }
    if (rc != BF_OK) {
        st_.errors++;
        tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    const sc_time end = clk_.from_cclk(rs.ready > rq.now ? rs.ready : rq.now);
    const sc_time cur = sc_time_stamp();
    delay = end > cur ? end - cur : SC_ZERO_TIME;
    if (rs.fault != BF_FAULT_NONE) {
        st_.faults++;
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    } else {
        tx.set_response_status(tlm::TLM_OK_RESPONSE);
    }
}

/* DMI is refused for the whole 32-bit space (assumption 3): the models are timing-only and
** every access must reach them to find its time. The denied range is returned so that a
** well-behaved initiator does not ask again. */
bool bf_tlm_target::get_direct_mem_ptr(int, tlm::tlm_generic_payload &, tlm::tlm_dmi &dmi)
{
    st_.dmi_refused++;
    dmi.allow_none();
    dmi.set_start_address(0);
    dmi.set_end_address(0xFFFFFFFFull);
    return false;
}

/* --------------------------------------------------------------------------------- outport */

bf_tlm_outport::bf_tlm_outport(sc_core::sc_module_name name, uint64_t cclk_hz)
    : sc_module(name), socket("socket"), ext_(new bf_tlm_ext)
{
    const char *m = bf_tlm_clock::check(cclk_hz);
    if (m)
        SC_REPORT_ERROR(bf_tlm_msgtype, m);
    clk_ = bf_tlm_clock(cclk_hz);
    tx_.set_extension(ext_);
    scratch_.resize(64);
}

bf_port bf_tlm_outport::port()
{
    bf_port p = {&bf_tlm_outport::xfer, this};
    return p;
}

int bf_tlm_outport::xfer(void *ctx, const bf_req *rq, bf_resp *rs)
{
    bf_tlm_outport *self = static_cast<bf_tlm_outport *>(ctx);
    tlm::tlm_generic_payload &tx = self->tx_;
    bf_tlm_ext *ext = self->ext_;
    unsigned char *data = static_cast<unsigned char *>(rq->data);
    ext->timing_only = data == nullptr;
    if (!data) {
        if (self->scratch_.size() < rq->size)
            self->scratch_.resize(rq->size);
        data = self->scratch_.data();
    }
    tx.set_command(rq->kind == BF_ACC_WRITE ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tx.set_address(rq->addr);
    tx.set_data_ptr(data);
    tx.set_data_length(rq->size);
    tx.set_streaming_width(rq->size);
    tx.set_byte_enable_ptr(nullptr);
    tx.set_byte_enable_length(0);
    tx.set_dmi_allowed(false);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    ext->has_source = true;
    ext->source = rq->source;
    ext->has_kind = true;
    ext->kind = rq->kind;
    ext->mode = rq->mode;
    ext->flags = rq->flags;
    ext->record = rq->record;
    ext->has_issue = true;
    ext->issue = rq->now;
    ext->served = false;
    ext->rc = BF_OK;
    ext->resp = bf_resp{};

    const sc_time at = self->clk_.from_cclk(rq->now);
    const sc_time cur = sc_time_stamp();
    sc_time delay = at > cur ? at - cur : SC_ZERO_TIME;
    self->socket->b_transport(tx, delay);

    if (ext->served) {
        *rs = ext->resp;
        return ext->rc;
    }
    /* a foreign target: only the status and the delay are known */
    const tlm::tlm_response_status st = tx.get_response_status();
    if (st != tlm::TLM_OK_RESPONSE && st != tlm::TLM_ADDRESS_ERROR_RESPONSE)
        return BF_EINPUT;
    *rs = bf_resp{};
    bf_cycles t = self->clk_.to_cclk(sc_time_stamp() + delay);
    rs->ready = rs->done = t > rq->now ? t : rq->now;
    if (st == tlm::TLM_ADDRESS_ERROR_RESPONSE) {
        rs->fault = BF_FAULT_HWERR_EXTERN;
        rs->fault_addr = rq->addr;
    }
    return BF_OK;
}

/* ------------------------------------------------------------------------------- initiator */

bf_tlm_initiator::bf_tlm_initiator(sc_core::sc_module_name name, uint64_t cclk_hz, uint8_t source,
                                   bf_tlm_source_fn next, bf_cycles start)
    : sc_module(name), socket("socket"), source_(source), next_(std::move(next)), start_(start),
      ext_(new bf_tlm_ext)
{
    const char *m = bf_tlm_clock::check(cclk_hz);
    if (!m && source >= BF_SRC_COUNT)
        m = "source: not a bf_source";
    if (!m && !next_)
        m = "next: no access source";
    if (m)
        SC_REPORT_ERROR(bf_tlm_msgtype, m);
    clk_ = bf_tlm_clock(cclk_hz);
    tx_.set_extension(ext_);
    scratch_.resize(64);
    SC_HAS_PROCESS(bf_tlm_initiator);
    SC_THREAD(run);
}

/* The LT initiator pattern: annotate, transport, take the returned delay as the local time,
** sync only when the quantum is used up. The replayed core is in order: access i+1 issues `gap`
** cycles after access i is ready. */
void bf_tlm_initiator::run()
{
    tlm_utils::tlm_quantumkeeper qk;
    qk.reset();
    bf_cycles cur = start_;
    bf_tlm_access a;
    while (next_(&a)) {
        const bf_cycles issue = cur + a.gap;
        const sc_time at = clk_.from_cclk(issue), now = sc_time_stamp();
        sc_time delay = at > now ? at - now : SC_ZERO_TIME;
        if (scratch_.size() < a.size)
            scratch_.resize(a.size);
        tx_.set_command(a.kind == BF_ACC_WRITE ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        tx_.set_address(a.addr);
        tx_.set_data_ptr(scratch_.data());
        tx_.set_data_length(a.size);
        tx_.set_streaming_width(a.size);
        tx_.set_byte_enable_ptr(nullptr);
        tx_.set_byte_enable_length(0);
        tx_.set_dmi_allowed(false);
        tx_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        *ext_ = bf_tlm_ext{};
        ext_->has_source = true;
        ext_->source = source_;
        ext_->has_kind = true;
        ext_->kind = a.kind;
        ext_->flags = a.flags;
        ext_->record = refs + 1;
        ext_->timing_only = true; /* a replay carries no data */

        socket->b_transport(tx_, delay);
        refs++;
        const tlm::tlm_response_status st = tx_.get_response_status();
        if (st == tlm::TLM_ADDRESS_ERROR_RESPONSE) {
            faults++;
        } else if (st != tlm::TLM_OK_RESPONSE) {
            errors++;
            break;
        }
        qk.set(delay);
        cur = clk_.to_cclk(qk.get_current_time());
        if (ext_->served)
            last_resp = ext_->resp;
        if (ready_log)
            ready_log->push_back(cur);
        if (qk.need_sync())
            qk.sync();
    }
    end_cycles = cur;
    qk.sync();
    done_ = true;
}
