/*
** test_trace_map.c: the first-touch address mapping and the misaligned-access rules.
**   - Property (20000 random host addresses in 500 random 64 KB host windows spread over the
**     64-bit space, fixed xorshift seed): target % window == host % window, so line offsets and
**     the set index of every L1 geometry (way size <= 4 KB) are unchanged; distinct host lines
**     never share a target line; windows are numbered in first-touch order.
**   - Running out of target windows is an error naming the window; identity mode; options check.
**   - --misaligned split / fault / count-once and window-boundary cutting, worked by hand.
*/
#include "bf_tmap.h"
#include "wl_test.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t xorshift(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

typedef struct pair {
    uint64_t host_line, target_line;
} pair;

static int by_target(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->target_line != y->target_line)
        return x->target_line < y->target_line ? -1 : 1;
    return x->host_line < y->host_line ? -1 : x->host_line > y->host_line;
}

static void property(void)
{
    enum { NW = 500, NA = 20000 };
    static uint64_t win[NW];
    static pair p[NA];
    bf_trace_options o;
    bf_trace_options_default(&o);
    bf_tmap m;
    BF_CHECK_EQ(bf_tmap_init(&m, &o), BF_OK);
    BF_CHECK_EQ(m.cap, 2048); /* 128 MB / 64 KB */
    for (int i = 0; i < NW; i++)
        win[i] = xorshift() & ~0xffffULL;
    int ok_off = 1, ok_order = 1;
    uint32_t seen = 0;
    for (int i = 0; i < NA; i++) {
        uint64_t h = win[xorshift() % NW] | (xorshift() & 0xffff);
        bf_addr t;
        uint32_t before = m.used;
        BF_CHECK_EQ(bf_tmap_map(&m, h, &t), BF_TMAP_OK);
        if ((t & 0xffff) != (h & 0xffff))
            ok_off = 0;
        /* A new window gets the next free target window: first-touch order. */
        if (m.used != before && (t >> 16) != seen++)
            ok_order = 0;
        p[i].host_line = h >> 5;
        p[i].target_line = t >> 5;
    }
    BF_CHECK(ok_off);
    BF_CHECK(ok_order);
    BF_CHECK_EQ(m.used, seen);
    BF_CHECK(m.used <= NW);
    /* Set index of a 16 KB 4-way cache with 32-byte lines: bits 5..11, inside the offset. */
    /* No aliasing: sorted by target line, equal targets must come from equal host lines. */
    qsort(p, NA, sizeof p[0], by_target);
    int alias = 0;
    for (int i = 1; i < NA; i++)
        if (p[i].target_line == p[i - 1].target_line && p[i].host_line != p[i - 1].host_line)
            alias = 1;
    BF_CHECK(!alias);
    /* All target addresses lie in [map_base, map_base + map_limit). */
    int inside = 1;
    for (int i = 0; i < NA; i++)
        if ((p[i].target_line << 5) >= BF_TRACE_DEFAULT_MAP_LIMIT)
            inside = 0;
    BF_CHECK(inside);
    bf_tmap_fini(&m);

    /* A 1 MB window at base 0x01000000 preserves 20 offset bits. */
    o.map_window = 1u << 20;
    o.map_base = 0x01000000;
    o.map_limit = 4u << 20;
    BF_CHECK_EQ(bf_tmap_init(&m, &o), BF_OK);
    bf_addr t;
    BF_CHECK_EQ(bf_tmap_map(&m, 0x7ffd12345678ULL, &t), BF_TMAP_OK);
    BF_CHECK_EQ(t, 0x01045678u);
    BF_CHECK_EQ(bf_tmap_map(&m, 0x555555554000ULL, &t), BF_TMAP_OK);
    BF_CHECK_EQ(t, 0x01154000u);
    bf_tmap_fini(&m);
}

static void full_and_identity(void)
{
    bf_trace_options o;
    bf_trace_options_default(&o);
    o.map_limit = 2 * 65536; /* room for two windows */
    BF_CHECK_STR(wl_err("r 10000 4\nr 20000 4\nr 10004 4\nr 30000 4\n", &o),
                 "t:4: address map full: host window 0x30000 needs window 3 of a target area "
                 "holding 2 windows of 0x10000 bytes (raise map_limit or map_window)");
    bf_trace_options_default(&o);
    o.map_mode = BF_MAPMODE_IDENTITY;
    wl_recs w;
    wl_reads("r ffa00000 4\nw fffffffc 4\nr 100000000 4\n", &o, &w);
    BF_CHECK_EQ(w.n, 2);
    WL_CHECK_ACC(w.r[0], BF_REC_LOAD, 0xffa00000u, 4);
    WL_CHECK_ACC(w.r[1], BF_REC_STORE, 0xfffffffcu, 4);
    BF_CHECK_STR(w.err, "t:3: address 0x100000000+4 does not fit in 32 bits (map identity)");
    BF_CHECK_STR(wl_err("w fffffffe 4\n", &o),
                 "t:1: address 0xfffffffe+4 does not fit in 32 bits (map identity)");
}

static void options_check(void)
{
    bf_trace_options o;
    bf_trace_options_default(&o);
    BF_CHECK(bf_trace_options_check(&o) == NULL);
    o.map_window = 4096;
    BF_CHECK_STR(bf_trace_options_check(&o),
                 "trace.map_window: must be a power of two of at least 65536 bytes");
    o.map_window = 3 * 65536;
    BF_CHECK(bf_trace_options_check(&o) != NULL);
    bf_trace_options_default(&o);
    o.map_base = 0x8000;
    BF_CHECK_STR(bf_trace_options_check(&o),
                 "trace.map_base: must be a multiple of trace.map_window");
    bf_trace_options_default(&o);
    o.map_base = 0xff000000u;
    o.map_limit = 0x02000000u;
    BF_CHECK_STR(bf_trace_options_check(&o),
                 "trace.map_limit: map_base + map_limit exceeds the 32-bit address space");
    bf_trace_options_default(&o);
    o.misaligned = 7;
    BF_CHECK(bf_trace_options_check(&o) != NULL);
    char err[256];
    bf_trace_reader *r;
    BF_CHECK_EQ(bf_trace_open_mem("r 0 4\n", 6, "t", &o, &r, err, sizeof err), BF_ECONFIG);
    BF_CHECK_STR(err, "t: trace.misaligned: must be split, fault or count-once");
    BF_CHECK_EQ(bf_misaligned_from_name("count-once"), BF_MISALIGNED_COUNT_ONCE);
    BF_CHECK_EQ(bf_map_mode_from_name("identity"), BF_MAPMODE_IDENTITY);
    /* The option names both ways (the command line's spellings, docs/trace-format.md). */
    for (int m = BF_MISALIGNED_SPLIT; m <= BF_MISALIGNED_COUNT_ONCE; m++)
        BF_CHECK_EQ(bf_misaligned_from_name(bf_misaligned_name(m)), m);
    BF_CHECK_STR(bf_misaligned_name(BF_MISALIGNED_SPLIT), "split");
    BF_CHECK_STR(bf_misaligned_name(3), "unknown");
    BF_CHECK_EQ(bf_misaligned_from_name("once"), -1);
    for (int m = BF_MAPMODE_FIRST_TOUCH; m <= BF_MAPMODE_IDENTITY; m++)
        BF_CHECK_EQ(bf_map_mode_from_name(bf_map_mode_name(m)), m);
    BF_CHECK_STR(bf_map_mode_name(BF_MAPMODE_FIRST_TOUCH), "first-touch");
    BF_CHECK_STR(bf_map_mode_name(2), "unknown");
    for (int c = BF_COMP_NONE; c <= BF_COMP_ZSTD; c++)
        BF_CHECK_EQ(bf_compression_from_name(bf_compression_name(c)), c);
    BF_CHECK_STR(bf_compression_name(BF_COMP_ZSTD), "zstd");
    BF_CHECK_STR(bf_compression_name(-1), "unknown");
    BF_CHECK_EQ(bf_compression_from_name("bzip2"), -1);
}

static void misaligned(void)
{
    bf_trace_options o;
    bf_trace_options_default(&o);
    wl_recs w;
    /* split: 8 bytes at 0x1002 -> 2 @1002, 4 @1004, 2 @1008; aligned 16 @ 0x2000 passes whole. */
    wl_reads("w 1002 8\nr 2000 10\ni 3001 3\n", &o, &w);
    BF_CHECK_EQ(w.n, 5);
    WL_CHECK_ACC(w.r[0], BF_REC_STORE, 0x1002u, 2);
    WL_CHECK_ACC(w.r[1], BF_REC_STORE, 0x1004u, 4);
    WL_CHECK_ACC(w.r[2], BF_REC_STORE, 0x1008u, 2);
    BF_CHECK(w.r[1].cont == 0 && w.r[2].cont == 0); /* split pieces are real accesses */
    WL_CHECK_ACC(w.r[3], BF_REC_LOAD, 0x2000u, 16);
    /* Instruction fetches are never split or flagged. */
    WL_CHECK_ACC(w.r[4], BF_REC_IFETCH, 0x3001u, 3);
    BF_CHECK_EQ(w.r[4].misaligned, BF_MISAL_NONE);
    /* fault and count-once pass the access through whole, flagged. */
    o.misaligned = BF_MISALIGNED_FAULT;
    wl_reads("w 1002 8\n", &o, &w);
    BF_CHECK_EQ(w.n, 1);
    WL_CHECK_ACC(w.r[0], BF_REC_STORE, 0x1002u, 8);
    BF_CHECK_EQ(w.r[0].misaligned, BF_MISAL_FAULT);
    o.misaligned = BF_MISALIGNED_COUNT_ONCE;
    wl_reads("w 1002 8\nr 1000 4\n", &o, &w);
    BF_CHECK_EQ(w.r[0].misaligned, BF_MISAL_ONCE);
    BF_CHECK_EQ(w.r[1].misaligned, BF_MISAL_NONE);
    /* Crossing a window boundary (0xfffe..0x10001): cut into one piece per window, since the
    ** two host windows land in target windows 0 and 1 (here adjacent by first touch). */
    wl_reads("r 2fffe 4\n", &o, &w);
    BF_CHECK_EQ(w.n, 2);
    WL_CHECK_ACC(w.r[0], BF_REC_LOAD, 0xfffeu, 2);
    WL_CHECK_ACC(w.r[1], BF_REC_LOAD, 0x10000u, 2);
    BF_CHECK_EQ(w.r[0].misaligned, BF_MISAL_NONE); /* each piece is 2 bytes at an even address */
    /* The second piece continues the first: replay counts one access (Cachegrind's rule). */
    BF_CHECK_EQ(w.r[0].cont, 0);
    BF_CHECK_EQ(w.r[1].cont, 1);
    BF_CHECK_EQ(w.r[1].line, 1);
    /* With windows touched in another order the pieces are not adjacent. */
    wl_reads("r 30000 4\nr 2fffc 8\n", &o, &w);
    BF_CHECK_EQ(w.n, 3);
    WL_CHECK_ACC(w.r[1], BF_REC_LOAD, 0x1fffcu, 4);
    WL_CHECK_ACC(w.r[2], BF_REC_LOAD, 0x00000u, 4);
    /* A whole-cache Dinero copy-back is skipped and counted. */
    bf_trace_reader *r;
    char err[256];
    const char *t = "c 0 0\nr 0 4\n";
    BF_CHECK_EQ(bf_trace_open_mem(t, strlen(t), "t", NULL, &r, err, sizeof err), BF_OK);
    bf_trace_rec rec;
    BF_CHECK_EQ(bf_trace_next(r, &rec), BF_OK);
    BF_CHECK_EQ(rec.line, 2);
    BF_CHECK_EQ(bf_trace_reader_stats_of(r)->whole_cache_ops, 1);
    bf_trace_close(r);
}

static void pins(void)
{
    /* A 4 KB "stack" range pinned into L1 data bank A (0xff800000). */
    bf_trace_options o;
    bf_trace_options_default(&o);
    o.npins = 1;
    o.pins[0].name = "stack";
    o.pins[0].host = 0x7ffd00000000ULL;
    o.pins[0].len = 0x1000;
    o.pins[0].target = 0xff800000u;
    BF_CHECK(bf_trace_options_check(&o) == NULL);
    const char *t = "r 7ffd00000010 4\nw 7ffd00000ffe 4\nr 400000 4\n";
    wl_recs w;
    wl_reads(t, &o, &w);
    BF_CHECK_EQ(w.rc, BF_EEOF);
    BF_CHECK_EQ(w.n, 4);
    WL_CHECK_ACC(w.r[0], BF_REC_LOAD, 0xff800010u, 4);
    /* misaligned store split 2 + 2: the first half is in the pinned range, the second half is
    ** past its end and takes first-touch window 0 (host window 0x7ffd00000000). */
    WL_CHECK_ACC(w.r[1], BF_REC_STORE, 0xff800ffeu, 2);
    WL_CHECK_ACC(w.r[2], BF_REC_STORE, 0x00001000u, 2);
    BF_CHECK_EQ(w.r[2].cont, 0); /* a split piece, not a cut */
    WL_CHECK_ACC(w.r[3], BF_REC_LOAD, 0x00010000u, 4);
    bf_trace_reader *r;
    char err[256], map[512];
    BF_CHECK_EQ(bf_trace_open_mem(t, strlen(t), "t", &o, &r, err, sizeof err), BF_OK);
    bf_trace_rec rec;
    while (bf_trace_next(r, &rec) == BF_OK)
        ;
    bf_trace_describe_map(r, map, sizeof map);
    BF_CHECK_STR(map, "pin stack host 0x7ffd00000000 -> 0xff800000 len 0x1000\n"
                      "host 0x7ffd00000000 -> 0x00000000 len 0x10000\n"
                      "host 0x400000 -> 0x00010000 len 0x10000\n");
    BF_CHECK_EQ(bf_trace_describe_map(r, NULL, 0), strlen(map));
    bf_trace_close(r);
    /* count-once: an access that starts before the pinned range is cut where it begins. */
    o.misaligned = BF_MISALIGNED_COUNT_ONCE;
    wl_reads("r 7ffcfffffffe 4\n", &o, &w);
    BF_CHECK_EQ(w.n, 2);
    WL_CHECK_ACC(w.r[0], BF_REC_LOAD, 0x0000fffeu, 2);
    WL_CHECK_ACC(w.r[1], BF_REC_LOAD, 0xff800000u, 2);
    BF_CHECK(w.r[0].cont == 0 && w.r[1].cont == 1);
    /* Pins work in identity mode too (the pinned part needs not fit 32 bits). */
    o.map_mode = BF_MAPMODE_IDENTITY;
    wl_reads("r 7ffd00000020 4\nr 1000 4\n", &o, &w);
    BF_CHECK_EQ(w.n, 2);
    WL_CHECK_ACC(w.r[0], BF_REC_LOAD, 0xff800020u, 4);
    WL_CHECK_ACC(w.r[1], BF_REC_LOAD, 0x1000u, 4);
    /* Option errors. */
    bf_trace_options_default(&o);
    o.npins = 1;
    o.pins[0].host = 0x1000;
    o.pins[0].len = 0x100;
    o.pins[0].target = 0x2000; /* inside the default first-touch area [0, 128 MB) */
    BF_CHECK_STR(bf_trace_options_check(&o),
                 "trace.pin: a pinned target range overlaps the first-touch area");
    o.pins[0].target = 0xffffff80u;
    BF_CHECK_STR(bf_trace_options_check(&o),
                 "trace.pin: a pinned range runs past the 32-bit target space");
    o.npins = 2;
    o.pins[0].target = 0xff800000u;
    o.pins[1] = o.pins[0];
    o.pins[1].target = 0xff900000u;
    BF_CHECK_STR(bf_trace_options_check(&o), "trace.pin: two pinned host ranges overlap");
    o.pins[1].host = 0x9000;
    o.pins[1].target = 0xff800080u;
    BF_CHECK_STR(bf_trace_options_check(&o), "trace.pin: two pinned target ranges overlap");
    o.pins[1].len = 0;
    BF_CHECK(bf_trace_options_check(&o) != NULL);
    /* The option syntax. */
    bf_trace_pin pin;
    char nm[64];
    BF_CHECK(bf_trace_pin_parse("code:0x400000:32768@0xffa00000", &pin, nm, sizeof nm) == NULL);
    BF_CHECK_STR(pin.name, "code");
    BF_CHECK_EQ(pin.host, 0x400000);
    BF_CHECK_EQ(pin.len, 32768);
    BF_CHECK_EQ(pin.target, 0xffa00000u);
    BF_CHECK_STR(bf_trace_pin_parse("code:0x400000:32768", &pin, nm, sizeof nm),
                 "trace.pin: expected NAME:HOST:LEN@TARGET (numbers decimal or 0x-hex)");
    BF_CHECK_STR(bf_trace_pin_parse("a b:1:2@3", &pin, nm, sizeof nm),
                 "trace.pin: the name must be [A-Za-z0-9_.-]");
    BF_CHECK_STR(bf_trace_pin_parse("x:1:2@0x100000000", &pin, nm, sizeof nm),
                 "trace.pin: the target does not fit in 32 bits");
}

int main(void)
{
    property();
    full_and_identity();
    options_check();
    misaligned();
    pins();
    return bf_test_exit();
}
