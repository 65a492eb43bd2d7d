/*
** bf_common.h: the one header every bfsim library shares.
**
** It defines the vocabulary of the whole simulator and nothing else:
**   - addresses (bf_addr, 32-bit Blackfin physical) and time (bf_cycles, core clock cycles, CCLK);
**   - bf_req / bf_resp, the request and response that cross every memory port;
**   - bf_port, the memory port: one function pointer and a context. The core-side replay engine,
**     the allocators' metadata accesses, the L1 model's fills and write-backs, and later DMA all
**     talk to the next level through a bf_port, so each level can be tested alone and composed
**     in any order by sim/;
**   - the return-code enum shared by every library (rule: a simulated fault or an allocation
**     failure is a model outcome reported in bf_resp or in statistics, never a bf_rc error).
**
** Time rule: every timestamp in a bf_req/bf_resp is absolute core time in CCLK cycles. Models
** that run on another clock (the EBIU on SCLK) convert at their edge and answer in CCLK.
** Contention is busy-until state inside each model; nothing ticks.
*/
#ifndef BF_COMMON_H
#define BF_COMMON_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t bf_addr;   /* Blackfin physical address */
typedef uint64_t bf_cycles; /* core clock (CCLK) cycles */

/* Return codes of library calls. 0 is success; the CLI maps BF_EINPUT/BF_ECONFIG to exit 2. */
typedef enum bf_rc {
    BF_OK = 0,
    BF_ENOMEM = 1,  /* host allocation failed */
    BF_ECONFIG = 2, /* a configuration value is impossible */
    BF_EINPUT = 3,  /* malformed input (trace, workload) */
    BF_EIO = 4,     /* host I/O failed */
    BF_EEOF = 5,    /* end of a stream: not an error for readers' callers */
    BF_ESTATE = 6,  /* call not allowed in the current state */
    BF_EDB = 7      /* results database error */
} bf_rc;

/* What an access does. */
typedef enum bf_acc_kind {
    BF_ACC_READ = 0,  /* data load */
    BF_ACC_WRITE = 1, /* data store */
    BF_ACC_IFETCH = 2 /* instruction fetch */
} bf_acc_kind;

/* Processor mode of the access (CPLB permissions depend on it). */
typedef enum bf_mode { BF_MODE_SUPV = 0, BF_MODE_USER = 1 } bf_mode;

/* Who issued the request. Stats are split by source; the EBIU arbitrates by it. */
typedef enum bf_source {
    BF_SRC_CORE = 0,   /* core load/store/fetch reaching this level directly (uncached) */
    BF_SRC_FILL = 1,   /* cache line fill (D or I) */
    BF_SRC_WBUF = 2,   /* write-buffer drain (write-through or uncached store) */
    BF_SRC_VICTIM = 3, /* dirty-line write-back from the victim buffer */
    BF_SRC_DMA = 4,    /* DMA controller */
    BF_SRC_ALLOC = 5,  /* allocator metadata access issued by a simulated allocator */
    BF_SRC_COUNT = 6
} bf_source;

/* Attribute flags carried by a request. The CPLB stage sets the page attributes; the L1
** stage reads them. BF_REQ_DAG1 selects the second data address generator. */
enum {
    BF_REQ_CACHEABLE = 1u << 0,  /* CPLB_L1_CHBL: cacheable in L1 */
    BF_REQ_WT = 1u << 1,         /* CPLB_WT: write-through (else write-back) */
    BF_REQ_AOW = 1u << 2,        /* CPLB_L1_AOW: allocate on write (write-through pages) */
    BF_REQ_LRUPRIO = 1u << 3,    /* CPLB_LRUPRIO: I-cache line gets replacement priority */
    BF_REQ_DAG1 = 1u << 4,       /* issued by DAG1 */
    BF_REQ_NOSTALL = 1u << 5,    /* the requester does not wait for data (PREFETCH) */
    BF_REQ_ATTR_KNOWN = 1u << 6, /* the attribute bits above were set by a CPLB stage */
    BF_REQ_NOALIGNCHK = 1u << 7, /* host trace reference: skip the natural-alignment check */
    BF_REQ_WHOLEREF = 1u << 8,   /* count the reference once over the lines it touches, with at
                                    most one miss (the replay's --compat=cachegrind convention;
                                    models/l1 assumption 7); else one access per line */
    BF_REQ_CONT = 1u << 9        /* with BF_REQ_WHOLEREF: the rest of the previous reference, cut
                                    by the trace mapper, not a new access (models/l1) */
};

/* One memory request. `data` is NULL for timing-only traffic (trace replay); when non-NULL
** the port reads into or writes from it (allocators keep real metadata in simulated memory). */
typedef struct bf_req {
    bf_addr addr;   /* first byte */
    uint32_t size;  /* bytes, >= 1 */
    uint8_t kind;   /* bf_acc_kind */
    uint8_t mode;   /* bf_mode */
    uint8_t source; /* bf_source */
    uint8_t pad;
    uint32_t flags;  /* BF_REQ_* */
    bf_cycles now;   /* core time at which the request is issued */
    void *data;      /* size bytes, or NULL */
    uint64_t record; /* trace record number (for fault reports), 0 if none */
} bf_req;

/* Fault classes a memory access can end in (model outcomes, see models/cplb and models/l1). */
typedef enum bf_fault {
    BF_FAULT_NONE = 0,
    BF_FAULT_CPLB_MISS = 1,    /* no valid entry matched and no manager could reload one */
    BF_FAULT_CPLB_PROT = 2,    /* protection violation */
    BF_FAULT_CPLB_MULTI = 3,   /* more than one entry matched */
    BF_FAULT_MISALIGNED = 4,   /* natural alignment violated */
    BF_FAULT_HWERR_EXTERN = 5, /* reserved / unpopulated address (hardware error) */
    BF_FAULT_L1_ILLEGAL = 6,   /* access to L1 space the configuration forbids */
    BF_FAULT_MMR_ILLEGAL = 7,  /* illegal MMR access (fetch, user mode, size) */
    BF_FAULT_COUNT = 8
} bf_fault;

/* Answer to a request. */
typedef struct bf_resp {
    bf_cycles ready; /* core time at which the requester may continue (critical word for loads) */
    bf_cycles done;  /* core time at which the whole transaction has completed */
    uint8_t fault;   /* bf_fault */
    uint8_t excause; /* Blackfin EXCAUSE of the fault (0 if none, or a hardware error) */
    uint8_t hit;     /* 1 if served by L1 (cache hit or SRAM) without going outside */
    uint8_t pad;
    bf_addr fault_addr;
} bf_resp;

/* A memory port. `xfer` serves one request; it returns BF_OK (with faults in resp) or a bf_rc
** when the simulation itself cannot go on. */
typedef struct bf_port {
    int (*xfer)(void *ctx, const bf_req *rq, bf_resp *rs);
    void *ctx;
} bf_port;

static inline int bf_port_xfer(const bf_port *p, const bf_req *rq, bf_resp *rs)
{
    return p->xfer(p->ctx, rq, rs);
}

/* What a port's direct entry (a function serving some accesses without a bf_req, such as
** bf_memsys_data_fast) returns when it served nothing and changed nothing: take the port. */
#define BF_PORT_DECLINED (-1)
/* What a direct entry returns when it did the access and the access faulted (the response's
** fault, for an entry that has no response). */
#define BF_PORT_FAULTED (-2)

/* Cache and synchronisation operations (trace records and PRM instructions). */
typedef enum bf_op {
    BF_OP_SSYNC = 0,
    BF_OP_CSYNC = 1,
    BF_OP_FLUSH = 2,    /* FLUSH [P]: write back the line if dirty, keep it valid */
    BF_OP_FLUSHINV = 3, /* FLUSHINV [P]: write back if dirty, then invalidate */
    BF_OP_IFLUSH = 4,   /* IFLUSH [P]: invalidate the I-cache line */
    BF_OP_PREFETCH = 5  /* PREFETCH [P]: start a D-cache line fill */
} bf_op;

const char *bf_rc_name(int rc);
const char *bf_fault_name(int fault);
const char *bf_acc_kind_name(int kind);

#define BF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
