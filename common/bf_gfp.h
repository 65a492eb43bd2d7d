/*
** bf_gfp.h: the Linux GFP ("get free pages") request bits, as in 2.6.24 include/linux/gfp.h
** (reference kernel-allocators section 1.6). Shared vocabulary: the allocation-trace readers
** (workloads/) parse them from records and the allocators (allocators/) act on them, so they
** live below both. Values only; names and parsing are in workloads/bf_atrace.h.
*/
#ifndef BF_GFP_H
#define BF_GFP_H

enum {
    BF_GFP_DMA = 0x01u,
    BF_GFP_HIGHMEM = 0x02u,
    BF_GFP_DMA32 = 0x04u,
    BF_GFP_WAIT = 0x10u,
    BF_GFP_HIGH = 0x20u,
    BF_GFP_IO = 0x40u,
    BF_GFP_FS = 0x80u,
    BF_GFP_COLD = 0x100u,
    BF_GFP_NOWARN = 0x200u,
    BF_GFP_REPEAT = 0x400u,
    BF_GFP_NOFAIL = 0x800u,
    BF_GFP_NORETRY = 0x1000u,
    BF_GFP_COMP = 0x4000u,
    BF_GFP_ZERO = 0x8000u,
    BF_GFP_NOMEMALLOC = 0x10000u,
    BF_GFP_HARDWALL = 0x20000u,
    BF_GFP_THISNODE = 0x40000u,
    BF_GFP_RECLAIMABLE = 0x80000u,
    BF_GFP_MOVABLE = 0x100000u,
    /* the composites */
    BF_GFP_ATOMIC = BF_GFP_HIGH,
    BF_GFP_NOIO = BF_GFP_WAIT,
    BF_GFP_NOFS = BF_GFP_WAIT | BF_GFP_IO,
    BF_GFP_KERNEL = BF_GFP_WAIT | BF_GFP_IO | BF_GFP_FS,
    BF_GFP_USER = BF_GFP_KERNEL | BF_GFP_HARDWALL,
    BF_GFP_HIGHUSER = BF_GFP_USER | BF_GFP_HIGHMEM
};

#endif
