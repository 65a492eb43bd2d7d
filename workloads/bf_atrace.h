/*
** bf_atrace.h: allocation traces (kernel and user allocation workloads). One record type for
** the native format and the foreign ones (ftrace kmem events, malloc-lab .rep, ltrace), format
** detected by content, streamed with memory proportional to the live allocations only (pairing
** frees with their allocations), errors as "file:line: reason".
*/
#ifndef BF_ATRACE_H
#define BF_ATRACE_H

#include "bf_common.h"

typedef enum bf_aop {
    BF_AOP_KMALLOC = 0,   /* size, gfp -> id */
    BF_AOP_KFREE,         /* id */
    BF_AOP_CACHE_ALLOC,   /* cache name, size (object size), gfp -> id */
    BF_AOP_CACHE_FREE,    /* cache name, id */
    BF_AOP_PAGES_ALLOC,   /* order, gfp -> id */
    BF_AOP_PAGES_FREE,    /* order, id */
    BF_AOP_VMALLOC,       /* size -> id */
    BF_AOP_VFREE,         /* id */
    BF_AOP_MMAP,          /* nommu process memory: size -> id */
    BF_AOP_MUNMAP,        /* id */
    BF_AOP_MALLOC,        /* user space: size -> id (realloc = free of old id + malloc) */
    BF_AOP_FREE,          /* id */
    BF_AOP_PHASE,         /* name ("boot" starts the bootmem phase, "boot-end" hands over) */
    BF_AOP_RECLAIMABLE    /* value = pages of page cache the workload declares reclaimable */
} bf_aop;

/* GFP bits as in 2.6.24 include/linux/gfp.h (reference kernel-allocators section 1.6). */
enum {
    BF_GFP_DMA = 0x01u,
    BF_GFP_HIGHMEM = 0x02u,
    BF_GFP_WAIT = 0x10u,
    BF_GFP_HIGH = 0x20u,
    BF_GFP_IO = 0x40u,
    BF_GFP_FS = 0x80u,
    BF_GFP_ATOMIC = BF_GFP_HIGH,
    BF_GFP_NOIO = BF_GFP_WAIT,
    BF_GFP_KERNEL = BF_GFP_WAIT | BF_GFP_IO | BF_GFP_FS,
    BF_GFP_USER = BF_GFP_WAIT | BF_GFP_IO | BF_GFP_FS | 0x40000u /* __GFP_HARDWALL */
};

typedef struct bf_arec {
    uint8_t op;         /* bf_aop */
    uint8_t order;      /* page order */
    uint16_t pad;
    uint32_t gfp;       /* GFP bits */
    uint64_t id;        /* allocation identity, unique while live */
    uint64_t size;      /* requested bytes */
    uint64_t value;     /* BF_AOP_RECLAIMABLE pages */
    uint64_t time_ns;   /* optional, 0 if unknown */
    uint64_t line;      /* source line, 1-based */
    const char *name;   /* cache or phase name, valid until the next call */
    const char *site;   /* call site, or NULL */
} bf_arec;

typedef enum bf_aformat {
    BF_AFMT_AUTO = 0,
    BF_AFMT_NATIVE,
    BF_AFMT_FTRACE,
    BF_AFMT_MALLOCLAB,
    BF_AFMT_LTRACE
} bf_aformat;

typedef struct bf_atrace_reader bf_atrace_reader;

int bf_atrace_open(const char *path, int format, bf_atrace_reader **out, char *err, size_t errn);
/* BF_OK, BF_EEOF, or BF_EINPUT with bf_atrace_error() ("file:line: unmatched free of ptr=...") */
int bf_atrace_next(bf_atrace_reader *r, bf_arec *rec);
const char *bf_atrace_error(const bf_atrace_reader *r);
int bf_atrace_detected_format(const bf_atrace_reader *r);
const char *bf_aformat_name(int f);
int bf_aformat_from_name(const char *s);
void bf_atrace_close(bf_atrace_reader *r);

#endif
