/*
** bf_allocrec.c: an LD_PRELOAD allocation recorder (libbfallocrec.so) that writes the bfsim
** native allocation trace format (docs/trace-format.md, "#bfsim-alloc 1") for any dynamically
** linked program, so that real user-space allocation sequences can be replayed on the simulated
** allocators (bfsim alloc).
**
** What it records
**   malloc, calloc, realloc, reallocarray, free, posix_memalign, aligned_alloc, memalign, valloc,
**   as these native records:
**     malloc ID SIZE   a successful allocation (calloc: nmemb*size; aligned forms: the size asked;
**                      the alignment itself is not part of the format and is dropped)
**     free ID          a free of a recorded block
**   realloc(p, n) that succeeds is "free OLD" followed by "malloc NEW n" (the simulated allocator
**   decides itself whether it could have grown in place); realloc(NULL, n) is a malloc;
**   realloc(p, 0) that frees p (glibc) is a free. Failed calls, free(NULL) and frees of pointers
**   the recorder never saw (blocks from its bootstrap arena) produce no record.
**
** Assumptions
**   1. The program is dynamically linked. Allocations made inside the C library (strdup, fopen,
**      ...) are seen too: glibc calls malloc through the dynamic linker precisely so that it can
**      be interposed. Statically linked programs cannot be recorded.
**   2. dlsym(RTLD_NEXT, ...) may itself call calloc/malloc while we resolve the real functions:
**      those calls are served from a small static bump arena and never recorded or freed.
**   3. The recording path never calls malloc: it uses write(2), open(2), read(2) and mmap(2)
**      only, and formats numbers and the date itself (gmtime_r may run tzset, which allocates).
**      A per-thread guard passes any allocation made under the recorder through unrecorded
**      instead of deadlocking on the mutex, should a C library call ever allocate there.
**   4. Destructors of other libraries may allocate after ours ran: after our destructor every
**      record is written straight through (one write(2) each), so nothing is lost at exit.
**      _exit() and a fatal signal lose at most the unflushed buffer (BUF_BYTES).
**
** Algorithm
**   1. IDs are a monotonically increasing counter (1, 2, ...) assigned under the mutex, so every
**      block ever allocated gets its own id even when the heap reuses an address.
**   2. A pointer -> (id, size) map, a common/bf_htab in fixed mode over mmap'ed memory (it never
**      calls malloc); when half full it is copied into a new mapping twice its size.
**   3. free: under the mutex, look up and remove the pointer and append "free ID"; then call the
**      real free outside the mutex. Because the record and the map removal precede the real
**      free, another thread's malloc that gets the same address is recorded after it.
**   4. realloc: remove the old entry under the mutex first, call the real realloc, then under the
**      mutex append "free OLD" + "malloc NEW n" (or put the old entry back if realloc failed).
**   5. Records go into one buffer written with write(2) when nearly full, at exit and at fork.
**   6. fork: the prepare handler takes the mutex and flushes; the child resets its buffer,
**      opens its own file lazily, and starts it with "malloc ID SIZE" for every block it
**      inherited, then "phase fork", so the child's trace is self-contained.
**
** Invariant: at every moment the map holds exactly the blocks whose "malloc" record has been
** emitted and whose "free" record has not (realloc's old block briefly excepted, rule 4).
**
** Output: env BFALLOCREC_OUT, a path in which "%p" is replaced by the process id (default
** "allocrec.%p.bfa"). The file is created with O_EXCL on the first flush; if it exists (an
** exec'ed image with the same pid, a pattern without %p), ".1", ".2", ... is appended.
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bf_htab.h"

#define BFAR_EXPORT __attribute__((visibility("default")))

enum {
    BUF_BYTES = 256 * 1024,  /* record buffer; flushed when less than LINE_MAX_BYTES free */
    LINE_MAX_BYTES = 512,    /* longest line we ever append at once (header lines included) */
    ARENA_BYTES = 64 * 1024, /* bootstrap arena for dlsym's own allocations */
    MAP_INITIAL = 1 << 14,   /* initial map slots (power of two) */
    PATH_BYTES = 4096
};

typedef void *(*malloc_fn)(size_t);
typedef void *(*calloc_fn)(size_t, size_t);
typedef void *(*realloc_fn)(void *, size_t);
typedef void (*free_fn)(void *);
typedef int (*posix_memalign_fn)(void **, size_t, size_t);
typedef void *(*aligned_fn)(size_t, size_t);

static struct {
    malloc_fn malloc;
    calloc_fn calloc;
    realloc_fn realloc;
    free_fn free;
    posix_memalign_fn posix_memalign;
    aligned_fn aligned_alloc;
    aligned_fn memalign;
} real;

/* Initialisation state: 0 none, 1 resolving (arena serves), 2 ready. */
static volatile int init_state;

/* Bootstrap arena: 16-byte aligned bump allocation, each block preceded by its size. */
static _Alignas(16) unsigned char arena[ARENA_BYTES];
static size_t arena_used;

/* Recorder state, all guarded by lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char buf[BUF_BYTES];
static size_t buf_len;
static int out_fd = -1;
static int out_failed;    /* could not open the output: stop trying, stop recording */
static int write_through; /* set by the destructor: flush after every record */
static int header_done;   /* header lines are in the buffer or the file */
static int fork_child;    /* this process is a fork child (header says so) */
static pid_t parent_pid;
static uint64_t next_id = 1;

/* Re-entrancy guard: set while this thread runs the recording path, so that an allocation made
** by a C library function we call there (none is expected, rule 3) is passed through unrecorded
** instead of deadlocking on the mutex. Initial-exec TLS: no allocation on first access. */
static __thread int in_hook __attribute__((tls_model("initial-exec")));

/* A recorded block: the record of its pointer in the map. */
typedef struct blk {
    uint64_t id;
    uint64_t size;
} blk;
enum { BLK_WORDS = sizeof(blk) / sizeof(uint64_t) };
static bf_htab map;      /* pointer -> blk; cap 0 until the first block */
static size_t map_bytes; /* its mapping's size */

/* ---------------------------------------------------------------- bootstrap arena */

static void *arena_alloc(size_t n)
{
    size_t need = ((n + 15) & ~(size_t)15) + 16;
    if (n > ARENA_BYTES || arena_used + need > ARENA_BYTES)
        return NULL;
    unsigned char *p = arena + arena_used;
    arena_used += need;
    memcpy(p, &n, sizeof n);
    return p + 16;
}

static int in_arena(const void *p)
{
    return (const unsigned char *)p >= arena && (const unsigned char *)p < arena + ARENA_BYTES;
}

static size_t arena_size(const void *p)
{
    size_t n;
    memcpy(&n, (const unsigned char *)p - 16, sizeof n);
    return n;
}

/* ---------------------------------------------------------------- text output */

static size_t fmt_u64(char *d, uint64_t v)
{
    char t[24];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        d[i] = t[n - 1 - i];
    return n;
}

static void put_str(const char *s)
{
    size_t n = strlen(s);
    memcpy(buf + buf_len, s, n);
    buf_len += n;
}

static void put_u64(uint64_t v)
{
    buf_len += fmt_u64(buf + buf_len, v);
}

static void put_2d(int v)
{
    buf[buf_len++] = (char)('0' + v / 10 % 10);
    buf[buf_len++] = (char)('0' + v % 10);
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Expand the output pattern for this pid; suffix > 0 appends ".suffix". */
static void out_path(char *dst, size_t n, pid_t pid, unsigned suffix)
{
    const char *pat = getenv("BFALLOCREC_OUT");
    if (!pat || !*pat)
        pat = "allocrec.%p.bfa";
    size_t j = 0;
    for (const char *s = pat; *s && j + 24 < n; s++) {
        if (s[0] == '%' && s[1] == 'p') {
            j += fmt_u64(dst + j, (uint64_t)pid);
            s++;
        } else {
            dst[j++] = *s;
        }
    }
    if (suffix && j + 24 < n) {
        dst[j++] = '.';
        j += fmt_u64(dst + j, suffix);
    }
    dst[j] = '\0';
}

/* Create the output file; on failure say so once on stderr (the only message this library
** ever writes: recording then stops, the program runs on). */
static int open_out(void)
{
    char path[PATH_BYTES];
    for (unsigned k = 0; k < 1000; k++) {
        out_path(path, sizeof path, getpid(), k);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            break;
    }
    static const char msg[] = "bf_allocrec: cannot create the output file ";
    write_all(2, msg, sizeof msg - 1);
    write_all(2, path, strlen(path));
    write_all(2, "; not recording\n", 16);
    return -1;
}

static void flush_locked(void)
{
    if (buf_len == 0 || out_failed)
        return;
    if (out_fd < 0) {
        out_fd = open_out();
        if (out_fd < 0) {
            out_failed = 1;
            buf_len = 0;
            return;
        }
    }
    write_all(out_fd, buf, buf_len);
    buf_len = 0;
}

/* Header: format line, then provenance comments (program from /proc/self/cmdline). */
static void header_locked(void)
{
    header_done = 1;
    put_str("#bfsim-alloc 1\n#recorder: bf_allocrec 1 (LD_PRELOAD)\n#program: ");
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char cmd[LINE_MAX_BYTES - 64];
        ssize_t n = read(fd, cmd, sizeof cmd - 1);
        close(fd);
        while (n > 0 && cmd[n - 1] == '\0')
            n--;
        for (ssize_t i = 0; i < n; i++) {
            char c = cmd[i];
            if (c == '\0')
                c = ' ';
            else if ((unsigned char)c < 0x20 || c == 0x7f)
                c = '?';
            buf[buf_len++] = c;
        }
    }
    put_str("\n#pid: ");
    put_u64((uint64_t)getpid());
    if (fork_child) {
        put_str("\n#forked-from: ");
        put_u64((uint64_t)parent_pid);
    }
    /* UTC date by hand: gmtime_r may run tzset, which allocates. Days since 1970-01-01 to a
    ** civil date with the proleptic Gregorian 400-year cycle (146097 days, eras from March). */
    time_t now = time(NULL);
    if (now >= 0) {
        int64_t days = (int64_t)now / 86400, secs = (int64_t)now % 86400;
        int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
        int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
        int64_t y = yoe + era * 400 + (m <= 2);
        put_str("\n#date: ");
        put_u64((uint64_t)y);
        buf[buf_len++] = '-';
        put_2d(m);
        buf[buf_len++] = '-';
        put_2d(d);
        buf[buf_len++] = 'T';
        put_2d((int)(secs / 3600));
        buf[buf_len++] = ':';
        put_2d((int)(secs / 60 % 60));
        buf[buf_len++] = ':';
        put_2d((int)(secs % 60));
        buf[buf_len++] = 'Z';
    }
    put_str("\n");
}

/* Make room for one record line; called with the lock held. */
static void reserve_locked(void)
{
    if (!header_done)
        header_locked();
    if (buf_len + LINE_MAX_BYTES > BUF_BYTES)
        flush_locked();
}

static void rec_malloc_locked(uint64_t id, uint64_t size)
{
    reserve_locked();
    put_str("malloc ");
    put_u64(id);
    buf[buf_len++] = ' ';
    put_u64(size);
    buf[buf_len++] = '\n';
    if (write_through)
        flush_locked();
}

static void rec_free_locked(uint64_t id)
{
    reserve_locked();
    put_str("free ");
    put_u64(id);
    buf[buf_len++] = '\n';
    if (write_through)
        flush_locked();
}

/* ---------------------------------------------------------------- pointer map */

/* Move the map into a new mapping twice its size (MAP_INITIAL slots the first time); 0 if the
** mapping failed (the old map is kept). */
static int map_grow(void)
{
    size_t cap = map.cap ? map.cap * 2 : MAP_INITIAL, bytes = bf_htab_rec_bytes(cap, BLK_WORDS);
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 0;
    bf_htab nm;
    bf_htab_init_mem_rec(&nm, m, cap, BLK_WORDS);
    if (map.cap) {
        bf_htab_copy(&nm, &map); /* twice the room: cannot fail */
        munmap(map.key, map_bytes);
    }
    map = nm;
    map_bytes = bytes;
    return 1;
}

/* Returns 0 if the map could not grow (the block then goes unrecorded). */
static int map_put(uintptr_t p, uint64_t id, uint64_t size)
{
    blk *b = map.cap ? bf_htab_add(&map, p, NULL) : NULL;
    if (!b) {
        if (!map_grow())
            return 0;
        b = bf_htab_add(&map, p, NULL);
    }
    b->id = id;
    b->size = size;
    return 1;
}

/* Remove p; returns 1 and its block if it was there. */
static int map_take(uintptr_t p, blk *out)
{
    const blk *b = bf_htab_find_rec(&map, p);
    if (!b)
        return 0;
    *out = *b;
    bf_htab_del_at(&map, b);
    return 1;
}

/* ---------------------------------------------------------------- recording */

static void record_alloc(void *p, size_t size)
{
    if (!p || in_hook)
        return;
    in_hook = 1;
    pthread_mutex_lock(&lock);
    if (!out_failed) {
        uint64_t id = next_id++;
        if (map_put((uintptr_t)p, id, size))
            rec_malloc_locked(id, size);
    }
    pthread_mutex_unlock(&lock);
    in_hook = 0;
}

static void record_free(void *p)
{
    blk s;
    if (in_hook)
        return;
    in_hook = 1;
    pthread_mutex_lock(&lock);
    if (map_take((uintptr_t)p, &s) && !out_failed)
        rec_free_locked(s.id);
    pthread_mutex_unlock(&lock);
    in_hook = 0;
}

static void resolve(void)
{
    init_state = 1;
    real.malloc = (malloc_fn)dlsym(RTLD_NEXT, "malloc");
    real.calloc = (calloc_fn)dlsym(RTLD_NEXT, "calloc");
    real.realloc = (realloc_fn)dlsym(RTLD_NEXT, "realloc");
    real.free = (free_fn)dlsym(RTLD_NEXT, "free");
    real.posix_memalign = (posix_memalign_fn)dlsym(RTLD_NEXT, "posix_memalign");
    real.aligned_alloc = (aligned_fn)dlsym(RTLD_NEXT, "aligned_alloc");
    real.memalign = (aligned_fn)dlsym(RTLD_NEXT, "memalign");
    init_state = 2;
}

static void at_prepare(void)
{
    pthread_mutex_lock(&lock);
    flush_locked();
}

static void at_parent(void)
{
    pthread_mutex_unlock(&lock);
}

/* The child owns a copy of the recorder: a new file, and the inherited live blocks first. */
static void at_child(void)
{
    parent_pid = getppid();
    fork_child = 1;
    buf_len = 0;
    out_fd = -1; /* the parent's descriptor stays the parent's (it is O_CLOEXEC, not closed here
                    so that the parent's file offset is not disturbed) */
    header_done = 0;
    if (!out_failed) {
        header_locked();
        put_str("#note: the malloc records before 'phase fork' are blocks inherited from the "
                "parent\n");
        size_t pos = 0;
        uint64_t ptr;
        const blk *b;
        while ((b = bf_htab_next_rec(&map, &pos, &ptr)))
            rec_malloc_locked(b->id, b->size);
        reserve_locked();
        put_str("phase fork\n");
    }
    pthread_mutex_init(&lock, NULL);
}

static void ensure_init(void)
{
    if (init_state == 0)
        resolve();
}

__attribute__((constructor)) static void bfar_init(void)
{
    ensure_init();
    pthread_atfork(at_prepare, at_parent, at_child);
}

__attribute__((destructor)) static void bfar_fini(void)
{
    pthread_mutex_lock(&lock);
    if (!header_done && !out_failed)
        header_locked();
    flush_locked();
    write_through = 1;
    pthread_mutex_unlock(&lock);
}

/* ---------------------------------------------------------------- the interposed API */

BFAR_EXPORT void *malloc(size_t n)
{
    if (init_state != 2) {
        if (init_state == 1)
            return arena_alloc(n);
        ensure_init();
    }
    void *p = real.malloc(n);
    record_alloc(p, n);
    return p;
}

BFAR_EXPORT void *calloc(size_t nmemb, size_t size)
{
    if (init_state != 2) {
        if (init_state == 1) {
            if (size && nmemb > SIZE_MAX / size)
                return NULL;
            return arena_alloc(nmemb * size); /* static storage: already zero */
        }
        ensure_init();
    }
    void *p = real.calloc(nmemb, size);
    if (p)
        record_alloc(p, (uint64_t)nmemb * size);
    return p;
}

BFAR_EXPORT void free(void *p)
{
    if (!p || in_arena(p))
        return;
    if (init_state != 2)
        ensure_init();
    record_free(p);
    real.free(p);
}

BFAR_EXPORT void *realloc(void *p, size_t n)
{
    if (init_state != 2) {
        if (init_state == 1) {
            void *q = arena_alloc(n);
            if (q && p)
                memcpy(q, p, arena_size(p) < n ? arena_size(p) : n);
            return q;
        }
        ensure_init();
    }
    if (p && in_arena(p)) { /* move a bootstrap block onto the real heap */
        void *q = real.malloc(n);
        if (q) {
            memcpy(q, p, arena_size(p) < n ? arena_size(p) : n);
            record_alloc(q, n);
        }
        return q;
    }
    if (!p) {
        void *q = real.realloc(NULL, n);
        record_alloc(q, n);
        return q;
    }
    if (in_hook)
        return real.realloc(p, n);
    in_hook = 1;
    blk old;
    pthread_mutex_lock(&lock);
    int known = map_take((uintptr_t)p, &old);
    pthread_mutex_unlock(&lock);
    void *q = real.realloc(p, n);
    pthread_mutex_lock(&lock);
    if (q) {
        if (known && !out_failed)
            rec_free_locked(old.id);
        if (!out_failed) {
            uint64_t id = next_id++;
            if (map_put((uintptr_t)q, id, n))
                rec_malloc_locked(id, n);
        }
    } else if (n == 0) {
        /* glibc: realloc(p, 0) freed p and returned NULL */
        if (known && !out_failed)
            rec_free_locked(old.id);
    } else if (known) {
        map_put((uintptr_t)p, old.id, old.size); /* failed: p is still live */
    }
    pthread_mutex_unlock(&lock);
    in_hook = 0;
    return q;
}

BFAR_EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, nmemb * size);
}

/* The aligned forms are not expected while dlsym resolves the real functions; if one comes,
** the bootstrap arena serves alignments up to 16. */
static void *arena_aligned(size_t align, size_t n)
{
    return align <= 16 ? arena_alloc(n) : NULL;
}

BFAR_EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (init_state == 1) {
        *out = arena_aligned(align, n);
        return *out ? 0 : ENOMEM;
    }
    ensure_init();
    int rc = real.posix_memalign(out, align, n);
    if (rc == 0)
        record_alloc(*out, n);
    return rc;
}

BFAR_EXPORT void *aligned_alloc(size_t align, size_t n)
{
    if (init_state == 1)
        return arena_aligned(align, n);
    ensure_init();
    void *p = real.aligned_alloc(align, n);
    record_alloc(p, n);
    return p;
}

BFAR_EXPORT void *memalign(size_t align, size_t n)
{
    if (init_state == 1)
        return arena_aligned(align, n);
    ensure_init();
    void *p = real.memalign(align, n);
    record_alloc(p, n);
    return p;
}

BFAR_EXPORT void *valloc(size_t n)
{
    return memalign((size_t)sysconf(_SC_PAGESIZE), n);
}
