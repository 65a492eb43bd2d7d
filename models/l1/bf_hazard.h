/*
** bf_hazard.h: the DMA / cache coherency hazard detector (docs/dma-coherency.md).
**
** The Blackfin caches are not coherent with DMA. The detector keeps, per cache line slot of the L1
** model, when the line was dirtied, which DMA transfer (or core store that reached memory) last
** wrote the memory under a valid line, and which DMA transfers wrote the memory of a dirty line.
** It is fed by the L1 model (models/l1/bf_l1.c), which keeps one `stale` flag byte per line so that
** its hit path needs a single flag test; the detector holds everything else. One implementation
** serves the C engine (sim/) and the SystemC platform (systemc/).
**
** Hazards (each counted once as described, each reported through the callback):
**   dirty_read   a DMA transfer read memory whose line is dirty in the D-cache: once per line per
**                transfer (missing FLUSH before DMA out);
**   stale_read   a core load hit a D-cache line whose memory a DMA transfer wrote after the line
**                became valid, with no fill or invalidation in between: once per core access;
**   lost_write   a dirty line was written back (eviction, FLUSH, FLUSHINV) over memory that a DMA
**                transfer wrote while the line was dirty: once per line per transfer;
**   stale_ifetch a fetch hit an I-cache line whose memory was written (by DMA, or by core stores
**                that reached memory) after the line was filled, with no IFLUSH in between: once
**                per fetch.
**
** Single-threaded; one detector per L1 model.
*/
#ifndef BF_HAZARD_H
#define BF_HAZARD_H

#include "bf_common.h"
#include "bf_stats.h"

enum bf_hazard_kind {
    BF_HAZ_DIRTY_READ = 0,
    BF_HAZ_STALE_READ = 1,
    BF_HAZ_LOST_WRITE = 2,
    BF_HAZ_STALE_IFETCH = 3,
    BF_HAZ_KINDS = 4
};

/* Line slots: the L1 model numbers its D-cache lines 0..BF_HAZARD_DSLOTS-1 and its I-cache lines
** BF_HAZARD_DSLOTS..BF_HAZARD_SLOTS-1. */
enum {
    BF_HAZARD_DSLOTS = 1024,
    BF_HAZARD_ISLOTS = 512,
    BF_HAZARD_SLOTS = BF_HAZARD_DSLOTS + BF_HAZARD_ISLOTS
};

/* A place in the trace: 1-based record number and trace line (0: unknown). */
typedef struct bf_hazard_pos {
    uint64_t record;
    uint64_t line;
} bf_hazard_pos;

/* One DMA transfer (a DMA record). */
typedef struct bf_hazard_xfer {
    uint64_t id;       /* 1-based transfer number in the run */
    uint32_t chan;     /* DMA channel */
    bf_addr src, dst;  /* source and destination start */
    uint64_t bytes;    /* transfer length */
    bf_hazard_pos pos; /* its DMA record */
} bf_hazard_xfer;

typedef struct bf_hazard_event {
    int kind;            /* bf_hazard_kind */
    bf_addr addr;        /* core access address (stale_*), else the line address */
    bf_addr line;        /* 32-byte line address */
    int by_dma;          /* the memory side is a DMA transfer (0: core stores, stale_ifetch only) */
    bf_hazard_xfer dma;  /* the DMA transfer, if by_dma */
    bf_hazard_pos core;  /* core side: the stale access; the store that dirtied the line
                            (dirty_read); the record whose write-back destroyed the DMA data
                            (lost_write) */
    bf_hazard_pos other; /* lost_write: the store that dirtied the line; stale_ifetch by core
                            stores: the record whose store reached memory */
    char text[640];      /* the report (several lines, no final newline) */
} bf_hazard_event;

#define BF_HAZARD_STATS(X)                                                                         \
    X(U64, total, "dma.hazards", "events",                                                         \
      "DMA/cache coherency hazards: the sum of the four dma.hazards.* kinds")                      \
    X(U64, dirty_read, "dma.hazards.dirty_read", "events",                                         \
      "DMA reads of memory whose line was dirty in the D-cache (once per line per transfer)")      \
    X(U64, stale_read, "dma.hazards.stale_read", "events",                                         \
      "core loads that hit a D-cache line after DMA wrote its memory (once per access)")           \
    X(U64, lost_write, "dma.hazards.lost_write", "events",                                         \
      "dirty lines written back over memory DMA wrote after they were dirtied (per line, "         \
      "transfer)")                                                                                 \
    X(U64, stale_ifetch, "dma.hazards.stale_ifetch", "events",                                     \
      "fetches that hit an I-cache line after DMA or core stores wrote its memory, no IFLUSH")

typedef struct bf_hazard_stats {
    BF_HAZARD_STATS(BF_STAT_MEMBER)
} bf_hazard_stats;

extern const bf_stat_desc bf_hazard_stat_desc[];
extern const size_t bf_hazard_stat_count;

typedef struct bf_hazard bf_hazard;
typedef void (*bf_hazard_fn)(void *ctx, const bf_hazard_event *e);

/* stats may be NULL (a private block). BF_ENOMEM. */
int bf_hazard_create(bf_hazard_stats *stats, bf_hazard **out);
void bf_hazard_destroy(bf_hazard *hz);

/* Where the core is: *record and *line are read when an event needs them (the replay loop's own
** counters, so that it pays nothing per record); NULL pointers read as 0. trace_name names the
** trace in reports. fn (may be NULL) receives every hazard. */
void bf_hazard_watch(bf_hazard *hz, const uint64_t *record, const uint64_t *line,
                     const char *trace_name, bf_hazard_fn fn, void *ctx);
const char *bf_hazard_kind_name(int kind); /* "dirty_read", ... */

/* Events from the L1 model (slot: see BF_HAZARD_*SLOTS; line: the 32-byte line address). */
void bf_hazard_dirtied(bf_hazard *hz, uint32_t slot); /* clean -> dirty */
void bf_hazard_dma_read_dirty(bf_hazard *hz, uint32_t slot, bf_addr line, const bf_hazard_xfer *x);
/* DMA wrote the memory of a valid line (dirty: the line was dirty then). */
void bf_hazard_dma_wrote(bf_hazard *hz, uint32_t slot, bf_addr line, int dirty,
                         const bf_hazard_xfer *x);
/* A core store reached the memory of a valid I-cache line (write buffer or write-back); `from`
** is the D slot of the written-back line, or BF_HAZARD_SLOTS for a write-buffer store. */
void bf_hazard_core_wrote(bf_hazard *hz, uint32_t islot, uint32_t from);
/* A core read (or fetch, for an I slot) hit a stale line at addr. */
void bf_hazard_stale_hit(bf_hazard *hz, uint32_t slot, bf_addr addr);
/* The line of slot was dropped without write-back (DMEM_CONTROL change): forget its DMA writes. */
void bf_hazard_line_reset(bf_hazard *hz, uint32_t slot);
/* A dirty line that DMA wrote under was written back: one lost_write per such transfer. */
void bf_hazard_writeback(bf_hazard *hz, uint32_t slot, bf_addr line);

#endif
