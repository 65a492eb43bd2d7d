/*
** bf_tlm.h: SystemC 2.3 / TLM-2.0 loosely-timed adapters around bfsim's C memory models.
**
** The modules here are adapters only (Accellera lt_target.cpp style): they convert a
** tlm_generic_payload to a bf_req, call a bf_port, turn bf_resp into a delay and a response
** status. Every timing decision stays in the C models (models/l1, models/sdram, models/cplb).
**
**   bf_tlm_target     serves b_transport for any bf_port (an EBIU port, an L1 front, a whole
**                     bf_memsys data port) on one or more tagged target sockets;
**   bf_tlm_outport    the reverse: a bf_port whose calls become b_transport on an initiator
**                     socket, so that a C model's `ext` port (L1 fills, drains) can reach a
**                     SystemC target shared with other initiators;
**   bf_tlm_initiator  an SC_THREAD that replays a sequence of accesses with a
**                     tlm_utils::tlm_quantumkeeper (the core or DMA side of examples, tests and
**                     the bench).
**
** Time: SystemC time t is CCLK cycle ceil(t / P) and cycle c is SystemC time floor(c * P) in the
** kernel's resolution, P = 1 / cclk_hz; the round trip cycle -> time -> cycle is exact whenever
** P is longer than one resolution tick (checked). docs/systemc.md gives the ordering rule, the
** DMI policy and the accuracy consequences.
**
** Single-threaded, like SystemC itself. b_transport may call wait(): initiators must be
** SC_THREADs (the LT rule).
*/
#ifndef BF_TLM_H
#define BF_TLM_H

#include <functional>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

extern "C" {
#include "bf_common.h"
#include "bf_stats.h"
}

/* ------------------------------------------------------------------------- time conversion */

/* CCLK <-> SystemC time for one core clock. Build it after the time resolution is fixed (any
** module constructor is late enough). */
struct bf_tlm_clock {
    uint64_t cclk_hz = 0; /* core clock, Hz */
    uint64_t tps = 0;     /* kernel resolution ticks per second */

    bf_tlm_clock() = default;
    explicit bf_tlm_clock(uint64_t hz);
    /* NULL if hz gives an exact round trip, else a message naming cclk_hz. */
    static const char *check(uint64_t hz);
    bf_cycles to_cclk(const sc_core::sc_time &t) const; /* ceil: the next core edge */
    sc_core::sc_time from_cclk(bf_cycles c) const;      /* floor to the resolution */
};

/* --------------------------------------------------------------------------------- extension */

/* Optional payload extension. Without it a bf_tlm_target uses its socket's defaults (source,
** mode, flags), the payload command for the kind, and sc_time_stamp() + delay for the time.
** A bf_tlm_target fills the `out` part. */
struct bf_tlm_ext : tlm::tlm_extension<bf_tlm_ext> {
    /* in */
    bool has_source = false;
    uint8_t source = BF_SRC_CORE; /* bf_source */
    bool has_kind = false;
    uint8_t kind = BF_ACC_READ;  /* bf_acc_kind: lets an initiator say BF_ACC_IFETCH */
    uint8_t mode = BF_MODE_SUPV; /* bf_mode */
    uint32_t flags = 0;          /* BF_REQ_* */
    uint64_t record = 0;         /* trace record for fault reports */
    bool has_issue = false;      /* issue time given exactly (may lie before sc_time_stamp) */
    bf_cycles issue = 0;         /* CCLK, when has_issue */
    bool timing_only = false;    /* pass data = NULL to the port (the payload pointer is scratch) */
    /* out */
    bool served = false; /* a bf_tlm_target answered and filled the fields below */
    int rc = BF_OK;      /* the port's bf_rc */
    bf_resp resp{};      /* the port's answer (absolute CCLK times) */

    tlm::tlm_extension_base *clone() const override;
    void copy_from(const tlm::tlm_extension_base &ext) override;
};

/* ------------------------------------------------------------------------------------ target */

/* Ordering rule of a target shared by temporally decoupled initiators (docs/systemc.md). */
enum bf_tlm_order {
    BF_TLM_ORDER_PASS = 0, /* call the port at once: fine for one initiator (an L1 front) */
    BF_TLM_ORDER_SYNC = 1  /* wait() until SystemC time reaches the access time first, so that
                              accesses from all initiators reach the port in time order */
};

typedef struct bf_tlm_target_config {
    uint64_t cclk_hz; /* core clock, Hz (the machine's CCLK) */
    unsigned sockets; /* target sockets, >= 1, each with its own default source */
    int order;        /* bf_tlm_order */
    uint8_t source;   /* default bf_source of every socket (set_source changes one) */
    uint8_t mode;     /* default bf_mode when the payload has no extension */
    uint32_t flags;   /* default BF_REQ_* flags when the payload has no extension */
} bf_tlm_target_config;

void bf_tlm_target_config_default(bf_tlm_target_config *c); /* 594 MHz, 1 socket, PASS, core */
/* NULL if usable, else a message naming the field. */
const char *bf_tlm_target_config_check(const bf_tlm_target_config *c);

#define BF_TLM_TARGET_STATS(X)                                                                     \
    X(U64, transactions, "systemc.target.transactions", "requests",                                \
      "b_transport calls served by the port")                                                      \
    X(U64, faults, "systemc.target.faults", "requests",                                            \
      "transactions answered TLM_ADDRESS_ERROR_RESPONSE (a bf fault)")                             \
    X(U64, errors, "systemc.target.errors", "requests",                                            \
      "transactions refused (generic, byte-enable or burst error; the port returned a bf_rc)")     \
    X(U64, syncs, "systemc.target.syncs", "requests",                                              \
      "transactions that waited for SystemC time to reach their access time (ORDER_SYNC)")         \
    X(U64, late, "systemc.target.late", "requests",                                                \
      "transactions issued earlier than one already served (they queue behind it)")                \
    X(U64, late_cycles, "systemc.target.late_cycles", "cycles",                                    \
      "sum over late transactions of how much earlier than the latest served one they were")       \
    X(U64, blocked, "systemc.target.blocked", "requests",                                          \
      "transactions that waited because the port was inside another call that yielded")            \
    X(U64, dmi_refused, "systemc.target.dmi_refused", "requests",                                  \
      "get_direct_mem_ptr calls refused")

typedef struct bf_tlm_target_stats {
    BF_TLM_TARGET_STATS(BF_STAT_MEMBER)
} bf_tlm_target_stats;

extern const bf_stat_desc bf_tlm_target_stat_desc[];
extern const size_t bf_tlm_target_stat_count;

class bf_tlm_target : public sc_core::sc_module
{
  public:
    typedef tlm_utils::simple_target_socket_tagged<bf_tlm_target> socket_type;
    sc_core::sc_vector<socket_type> socket;

    /* Raises SC_REPORT_ERROR if bf_tlm_target_config_check fails. */
    bf_tlm_target(sc_core::sc_module_name name, bf_port port, const bf_tlm_target_config &cfg);

    void set_source(unsigned sock, uint8_t source); /* default bf_source of one socket */
    const bf_tlm_target_stats &stats() const
    {
        return st_;
    }
    const bf_tlm_clock &clock() const
    {
        return clk_;
    }

  private:
    void b_transport(int id, tlm::tlm_generic_payload &tx, sc_core::sc_time &delay);
    bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload &tx, tlm::tlm_dmi &dmi);

    bf_port port_;
    bf_tlm_target_config cfg_;
    bf_tlm_clock clk_;
    std::vector<uint8_t> src_;
    bf_tlm_target_stats st_{};
    bf_cycles last_now_ = 0; /* latest access time served */
    bool in_port_ = false;   /* inside port_.xfer (which may have yielded) */
    sc_core::sc_event port_free_;
};

/* ---------------------------------------------------------------------------------- outport */

/* A bf_port that forwards each request as b_transport on `socket`, with a bf_tlm_ext carrying
** the exact issue time, source, kind and flags. Call it only from an SC_THREAD (the target may
** wait). With a bf_tlm_target at the other end the bf_resp comes back unchanged; with a foreign
** target ready = done = the returned time, and an address error becomes BF_FAULT_HWERR_EXTERN. */
class bf_tlm_outport : public sc_core::sc_module
{
  public:
    tlm_utils::simple_initiator_socket<bf_tlm_outport> socket;

    bf_tlm_outport(sc_core::sc_module_name name, uint64_t cclk_hz);
    bf_port port(); /* valid while the module lives */

  private:
    static int xfer(void *ctx, const bf_req *rq, bf_resp *rs);
    bf_tlm_clock clk_;
    tlm::tlm_generic_payload tx_;
    bf_tlm_ext *ext_; /* owned by tx_ */
    std::vector<unsigned char> scratch_;
};

/* -------------------------------------------------------------------------------- initiator */

/* One access of a replayed sequence: issued `gap` cycles after the previous one was ready. */
struct bf_tlm_access {
    bf_addr addr;
    uint32_t size;  /* bytes */
    uint8_t kind;   /* bf_acc_kind */
    uint32_t flags; /* BF_REQ_* (0: the target's or model's defaults) */
    bf_cycles gap;  /* CCLK between the previous access's ready and this issue */
};

/* Fills *a and returns true, or returns false at the end of the sequence. */
typedef std::function<bool(bf_tlm_access *a)> bf_tlm_source_fn;

class bf_tlm_initiator : public sc_core::sc_module
{
  public:
    tlm_utils::simple_initiator_socket<bf_tlm_initiator> socket;

    /* Replays `next` with a quantum keeper on the global quantum (tlm_global_quantum), issuing
    ** every access with source `source` (a bf_tlm_ext), starting at CCLK `start`. */
    bf_tlm_initiator(sc_core::sc_module_name name, uint64_t cclk_hz, uint8_t source,
                     bf_tlm_source_fn next, bf_cycles start = 0);

    /* Results, valid once finished(). */
    bool finished() const
    {
        return done_;
    }
    uint64_t refs = 0;        /* accesses issued */
    uint64_t faults = 0;      /* TLM_ADDRESS_ERROR_RESPONSE answers */
    uint64_t errors = 0;      /* other non-OK answers (the run stops at the first) */
    bf_cycles end_cycles = 0; /* CCLK when the last access was ready (the local time) */
    bf_resp last_resp{};      /* the last bf_resp (valid if the target was a bf_tlm_target) */
    std::vector<bf_cycles> *ready_log = nullptr; /* if set, each access's ready CCLK is appended */

  private:
    void run();
    bf_tlm_clock clk_;
    uint8_t source_;
    bf_tlm_source_fn next_;
    bf_cycles start_;
    bool done_ = false;
    tlm::tlm_generic_payload tx_;
    bf_tlm_ext *ext_; /* owned by tx_ */
    std::vector<unsigned char> scratch_;
};

#endif
