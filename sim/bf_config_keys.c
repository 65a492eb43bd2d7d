/*
** bf_config_keys.c: the machine key table (name, type, default, unit, range, help, and the
** bf_machine field each key sets) and everything done one key at a time: finding a key, parsing
** and applying a value (see bf_config.h), the defaults, and the text and `config show` forms.
**
** Rules:
**  1. Every key is in the table below with its default text; loading starts by applying every
**     default, so a value always has one origin and `config show` can name it.
**  3. A value is parsed by its key's type (sizes take K/M/G, frequencies Hz/kHz/MHz/GHz, numbers
**     decimal or 0x-hex, booleans 0/1/yes/no/true/false/on/off); a bad value stops loading with
**     "file:line: key: reason" (the loader adds the location).
** (Rules 2 and 4 are the loader's, in bf_config.c.)
*/
#define _POSIX_C_SOURCE 200809L
#include "bf_config_int.h"
#include "bf_file.h"
#include "bf_hmem.h"
#include "bf_opts.h"
#include "bf_strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { F_U32, F_INT, F_U64, F_STR };
enum { T_NUM, T_FREQ, T_SIZE, T_BOOL, T_ENUM, T_STR, T_CPLB };

typedef struct key_def {
    const char *name;
    int type;
    const char *def;
    const char *unit;
    const char *help;
    size_t off;   /* field in bf_machine */
    int ftype;    /* F_* */
    size_t fsize; /* F_STR capacity */
    uint64_t min, max;
    const char *enums; /* "name=value,name=value" for T_ENUM */
} key_def;

#define M(f) offsetof(bf_machine, f)
#define NUM32(n, f, d, u, lo, hi, h)                                                               \
    {                                                                                              \
        n, T_NUM, d, u, h, M(f), F_U32, 0, lo, hi, NULL                                            \
    }
#define NUMI(n, f, d, u, lo, hi, h)                                                                \
    {                                                                                              \
        n, T_NUM, d, u, h, M(f), F_INT, 0, lo, hi, NULL                                            \
    }
#define BOOLI(n, f, d, h)                                                                          \
    {                                                                                              \
        n, T_BOOL, d, "", h, M(f), F_INT, 0, 0, 1, NULL                                            \
    }
#define BOOL32(n, f, d, h)                                                                         \
    {                                                                                              \
        n, T_BOOL, d, "", h, M(f), F_U32, 0, 0, 1, NULL                                            \
    }
#define ENUMI(n, f, d, e, h)                                                                       \
    {                                                                                              \
        n, T_ENUM, d, "", h, M(f), F_INT, 0, 0, 0, e                                               \
    }
#define ENUM32(n, f, d, e, h)                                                                      \
    {                                                                                              \
        n, T_ENUM, d, "", h, M(f), F_U32, 0, 0, 0, e                                               \
    }
#define CPLBE(n, f)                                                                                \
    {                                                                                              \
        n, T_CPLB, "0x00000000 0x00000000", "", "CPLB entry: ADDR DATA (DATA 0: unused)", M(f),    \
            F_U32, 0, 0, 0, NULL                                                                   \
    }

static const key_def keys[] = {
    {"machine.name", T_STR, "", "",
     "machine name for reports (default: the first config file's name)", M(name), F_STR,
     sizeof(((bf_machine *)0)->name), 0, 0, NULL},
    ENUMI("machine.part", part, "bf533", "bf531=0,bf532=1,bf533=2",
          "processor part (memory map, L1 sizes)"),
    ENUM32("machine.silicon_rev", silicon_rev, "0.3", "0.3=3,0.4=4,0.5=5,0.6=6",
           "silicon revision: sets the anomaly switches (05000158/05000263 before 0.5, 05000273 "
           "before 0.6)"),
    {"clock.cclk", T_FREQ, "594MHz", "Hz", "core clock CCLK", M(cclk_hz), F_U64, 0, 1000000,
     1000000000, NULL},
    {"clock.sclk", T_FREQ, "118.8MHz", "Hz", "system clock SCLK (EBIU, max 133.33 MHz)", M(sclk_hz),
     F_U64, 0, 1000000, 1000000000, NULL},
    {"clock.clkin", T_FREQ, "0", "Hz",
     "CLKIN; when set, CCLK and SCLK are derived from clock.pll_ctl and clock.pll_div instead of "
     "clock.cclk/clock.sclk",
     M(clkin_hz), F_U64, 0, 0, 1000000000, NULL},
    NUM32("clock.pll_ctl", pll_ctl, "0x2C00", "", 0, 0xFFFF,
          "PLL_CTL (MSEL bits 14:9, DF bit 0), used with clock.clkin"),
    NUM32("clock.pll_div", pll_div, "0x0005", "", 0, 0xFFFF,
          "PLL_DIV (CSEL bits 5:4, SSEL bits 3:0), used with clock.clkin"),
    ENUM32("l1.dmc", dmc, "00", "00=0,01=1,10=2,11=3",
           "DMEM_CONTROL.DMC: 00 data SRAM, 10 bank A cache, 11 banks A and B cache (01 reserved)"),
    NUM32("l1.dcbs", dcbs, "0", "", 0, 1,
          "DMEM_CONTROL.DCBS: bank select by address bit 14 (0) or 23 (1)"),
    NUM32("l1.port_pref", port_pref, "1", "", 0, 3,
          "DMEM_CONTROL.PORT_PREF1:PORT_PREF0 (bits 13:12)"),
    NUM32("l1.imc", imc, "0", "", 0, 1, "IMEM_CONTROL.IMC: 1 = 16 KB at 0xFFA10000 is the I-cache"),
    NUM32("l1.iloc", iloc, "0", "", 0, 15, "IMEM_CONTROL.ILOC: lock I-cache ways (bit n = Way n)"),
    ENUMI("l1.index", l1.index_mode, "blackfin", "blackfin=0,bitsel=1",
          "set index: Blackfin sub-bank layout, or plain bit selection (to cross-check generic "
          "simulators)"),
    NUM32("l1.hit_cycles", l1.hit_cycles, "1", "cycles", 1, 100,
          "L1 hit or SRAM access (CONFIRMED 1)"),
    NUM32("l1.wbuf_depth", l1.wbuf_depth, "6", "entries", 1, 64,
          "ESTIMATE: write buffer depth, 32-bit entries"),
    NUM32("l1.victim_depth", l1.victim_depth, "1", "lines", 1, 16,
          "ESTIMATE: victim buffer depth, 32-byte lines"),
    BOOLI("l1.critical_word_first", l1.critical_word_first, "1",
          "ESTIMATE: a miss stalls only until its 64-bit word arrives"),
    NUM32("l1.csync_cycles", l1.csync_cycles, "10", "cycles", 0, 10000,
          "CSYNC cost (GDB sim value)"),
    NUM32("l1.ssync_cycles", l1.ssync_cycles, "10", "cycles", 0, 10000,
          "SSYNC handshake beyond the buffer drain (GDB sim value)"),
    NUM32("l1.cacheop_cycles", l1.cacheop_cycles, "1", "cycles", 0, 10000,
          "ESTIMATE: issue cost of FLUSH/FLUSHINV/IFLUSH/PREFETCH"),
    ENUMI("l1.dcbs_set_selects", l1.dcbs_set_bank_a, "b", "b=0,a=1",
          "ESTIMATE: DMC=11: the bank that DCBS's address bit (A[14]/A[23]) set selects"),
    BOOLI("l1.classify_misses", l1.classify_misses, "0",
          "split misses into compulsory/capacity/conflict (as DineroIV -ccc)"),
    NUM32("core.mmr_cycles", core_mmr_cycles, "1", "cycles", 0, 10000, "ESTIMATE: core MMR access"),
    BOOLI("sim.fast_path", fast_path, "1",
          "serve CPLB last-entry L1 hits (trace records and allocator metadata) without building a "
          "request (same statistics; 0 for the full path, to compare)"),
    ENUM32("core.mode", initial_mode, "supervisor", "supervisor=0,user=1",
           "processor mode at the start of a trace"),
    NUM32(
        "dma.channels", dma_channels, "12", "channels", 1, 256,
        "DMA channels a DMA record may name: 8 peripheral channels and 2 memory DMA streams of 2"),
    NUM32("dma.chunk_bytes", dma_chunk_bytes, "32", "bytes", 1, 4096,
          "ESTIMATE: bytes one DMA channel moves per EBIU request (read, then write)"),
    {"ebiu.sdgctl", T_NUM, "0x0091998D", "", "EBIU_SDGCTL (EZ-KIT: CL3 tRAS6 tRP3 tRCD3 tWR2)",
     M(sdram.sdgctl), F_U32, 0, 0, 0xFFFFFFFFu, NULL},
    NUM32("ebiu.sdbctl", sdram.sdbctl, "0x0013", "", 0, 0xFFFF,
          "EBIU_SDBCTL (EZ-KIT: 32 MB, 9-bit columns)"),
    NUM32("ebiu.sdrrc", sdram.sdrrc, "0x0397", "", 0, 0xFFF, "EBIU_SDRRC refresh divider RDIV"),
    NUM32("ebiu.amgctl", sdram.amgctl, "0x0009", "", 0, 0x1FF,
          "EBIU_AMGCTL (AMCKEN, AMBEN all banks, CDPRIO bit 8)"),
    {"ebiu.ambctl0", T_NUM, "0x7BB07BB0", "", "EBIU_AMBCTL0 (banks 0, 1)", M(sdram.ambctl0), F_U32,
     0, 0, 0xFFFFFFFFu, NULL},
    {"ebiu.ambctl1", T_NUM, "0x99B37BB0", "", "EBIU_AMBCTL1 (banks 2, 3)", M(sdram.ambctl1), F_U32,
     0, 0, 0xFFFFFFFFu, NULL},
    NUM32("ebiu.core_overhead_sclk", sdram.core_overhead_sclk, "4", "SCLK", 0, 1000,
          "ESTIMATE: core-to-EBIU synchronisation per request"),
    NUM32("ebiu.refresh_sclk", sdram.refresh_sclk, "0", "SCLK", 0, 1000,
          "ESTIMATE: bus time of one auto-refresh beyond tRP (0: tRAS + tRP)"),
    NUM32("ebiu.mmr_read_sclk", sdram.mmr_read_sclk, "3", "SCLK", 0, 1000,
          "ESTIMATE: system MMR read round trip"),
    NUM32("ebiu.mmr_write_sclk", sdram.mmr_write_sclk, "2", "SCLK", 0, 1000,
          "ESTIMATE: PAB occupancy of a posted system MMR write"),
    NUM32("ebiu.rw_turn_sclk", sdram.rw_turn_sclk, "1", "SCLK", 0, 1000,
          "ESTIMATE: SDRAM read-to-write turnaround when SDGCTL.FBBRW=0"),
    NUM32("ebiu.ebufe_sclk", sdram.ebufe_sclk, "1", "SCLK", 0, 1000,
          "ESTIMATE: extra read latency when SDGCTL.EBUFE=1"),
    NUM32("ebiu.bootrom_word_sclk", sdram.bootrom_word_sclk, "1", "SCLK", 0, 1000,
          "ESTIMATE: boot ROM read time per 32-bit word"),
    NUM32("ebiu.fill_critical_bytes", sdram.fill_critical_bytes, "4", "bytes", 2, 32,
          "ESTIMATE: a line fill is ready for the core when this many bytes of the critical word "
          "arrived"),
    ENUMI("cplb.policy", cplb.policy, "explicit", "explicit=0,linux=1",
          "CPLB tables: explicit entries below, or the Linux nompu manager"),
    BOOL32("cplb.dcplb_enable", dcplb_enable, "0", "DMEM_CONTROL.ENDCPLB (the D-cache needs it)"),
    BOOL32("cplb.icplb_enable", icplb_enable, "0", "IMEM_CONTROL.ENICPLB (the I-cache needs it)"),
    NUM32("cplb.miss_handler_cycles", cplb.miss_handler_cycles, "100", "cycles", 0, 100000,
          "ESTIMATE: CPLB miss exception round trip (Linux handler in L1)"),
    BOOLI("cplb.l1_requires_cplb", cplb.l1_requires_cplb, "1",
          "ESTIMATE: with CPLBs on, L1 accesses need a matching entry (0: GDB sim, L1 valid "
          "without one)"),
    CPLBE("cplb.dcplb0", cplb.dcplb[0]),
    CPLBE("cplb.dcplb1", cplb.dcplb[1]),
    CPLBE("cplb.dcplb2", cplb.dcplb[2]),
    CPLBE("cplb.dcplb3", cplb.dcplb[3]),
    CPLBE("cplb.dcplb4", cplb.dcplb[4]),
    CPLBE("cplb.dcplb5", cplb.dcplb[5]),
    CPLBE("cplb.dcplb6", cplb.dcplb[6]),
    CPLBE("cplb.dcplb7", cplb.dcplb[7]),
    CPLBE("cplb.dcplb8", cplb.dcplb[8]),
    CPLBE("cplb.dcplb9", cplb.dcplb[9]),
    CPLBE("cplb.dcplb10", cplb.dcplb[10]),
    CPLBE("cplb.dcplb11", cplb.dcplb[11]),
    CPLBE("cplb.dcplb12", cplb.dcplb[12]),
    CPLBE("cplb.dcplb13", cplb.dcplb[13]),
    CPLBE("cplb.dcplb14", cplb.dcplb[14]),
    CPLBE("cplb.dcplb15", cplb.dcplb[15]),
    CPLBE("cplb.icplb0", cplb.icplb[0]),
    CPLBE("cplb.icplb1", cplb.icplb[1]),
    CPLBE("cplb.icplb2", cplb.icplb[2]),
    CPLBE("cplb.icplb3", cplb.icplb[3]),
    CPLBE("cplb.icplb4", cplb.icplb[4]),
    CPLBE("cplb.icplb5", cplb.icplb[5]),
    CPLBE("cplb.icplb6", cplb.icplb[6]),
    CPLBE("cplb.icplb7", cplb.icplb[7]),
    CPLBE("cplb.icplb8", cplb.icplb[8]),
    CPLBE("cplb.icplb9", cplb.icplb[9]),
    CPLBE("cplb.icplb10", cplb.icplb[10]),
    CPLBE("cplb.icplb11", cplb.icplb[11]),
    CPLBE("cplb.icplb12", cplb.icplb[12]),
    CPLBE("cplb.icplb13", cplb.icplb[13]),
    CPLBE("cplb.icplb14", cplb.icplb[14]),
    CPLBE("cplb.icplb15", cplb.icplb[15]),
    {"linux.cmdline", T_STR, "", "", "kernel command line, verbatim (mem=, max_mem=[$][#])",
     M(cplb.cmdline), F_STR, sizeof(((bf_cplb_config *)0)->cmdline), 0, 0, NULL},
    {"linux.kernel_end", T_SIZE, "3M", "bytes",
     "memory_start: end of the kernel image (4 MB pages)", M(cplb.kernel_end), F_U32, 0, 0,
     0xFFFFFFFFu, NULL},
    {"linux.dma_uncached", T_SIZE, "1M", "bytes",
     "uncached DMA region below the end of managed memory", M(cplb.dma_uncached_bytes), F_U32, 0, 0,
     0xFFFFFFFFu, NULL},
    BOOLI("linux.null_guard", cplb.null_guard, "0",
          "CONFIG_DEBUG_HUNT_FOR_ZERO: 1 KB guard page at 0"),
    ENUMI("linux.dcache", cplb.dcache_mode, "wb", "off=0,wb=1,wt=2",
          "SDRAM_DGENERIC: write-back, write-through or uncached"),
    BOOLI("linux.icache", cplb.icache, "1", "SDRAM_IGENERIC cacheable"),
    BOOLI("linux.anomaly_05000263", cplb.anomaly_05000263, "1",
          "override: cap memory_end at 60 MB (56 MB with the null guard) when external memory is "
          "I-cacheable (unset: on for machine.silicon_rev < 0.5)"),
    BOOLI("linux.anomaly_05000158", cplb.anomaly_05000158, "1",
          "override: set bit 9 (0x200) in the Linux DCPLB attribute words (unset: on for "
          "machine.silicon_rev < 0.5)"),
    {"alloc.mem", T_SIZE, "0", "bytes", "memory managed by `bfsim alloc` (0: the SDRAM size)",
     M(alloc_mem_bytes), F_U32, 0, 0, 0xFFFFFFFFu, NULL},
    {"alloc.kernel", T_SIZE, "0", "bytes", "kernel image reserved at the bottom of managed memory",
     M(alloc_kernel_bytes), F_U32, 0, 0, 0xFFFFFFFFu, NULL},
    {"alloc.dma_uncached", T_SIZE, "1M", "bytes", "uncached DMA region reserved at the top",
     M(alloc_dma_bytes), F_U32, 0, 0, 0xFFFFFFFFu, NULL},
    NUM32("alloc.max_order", alloc_max_order, "14", "", 1, 16,
          "buddy MAX_ORDER (14 Blackfin, 11 generic)"),
    NUM32("alloc.min_free_kbytes", alloc_min_free_kbytes, "0", "KB", 0, 1u << 20,
          "watermark base (0: the kernel's sqrt(16*lowmem_kbytes) rule)"),
    {"alloc.dma_zone", T_SIZE, "0", "bytes",
     "x86-like ZONE_DMA size (0: all RAM is ZONE_DMA, as on Blackfin)", M(alloc_dma_zone_bytes),
     F_U32, 0, 0, 0xFFFFFFFFu, NULL},
    NUM32("alloc.nr_trim_pages", alloc_nr_trim_pages, "0", "pages", 0, 1u << 20,
          "nommu: trim the power-of-two excess when it reaches this many pages (0 = never, as "
          "Blackfin "
          "defconfigs; the Kconfig default is 1)"),
    NUM32("alloc.tlsf_sl_log2", alloc_tlsf_sl_log2, "5", "", 1, 5, "TLSF second-level lists, log2"),
    NUM32("alloc.reclaim_batch", alloc_reclaim_batch, "32", "pages", 1, 1u << 20,
          "pages one direct-reclaim pass frees (SWAP_CLUSTER_MAX)"),
    NUM32("alloc.lowmem_reserve_ratio", alloc_lowmem_reserve_ratio, "256", "", 1, 1u << 16,
          "DMA zone reserve against NORMAL fallback: present pages / ratio"),
    BOOL32("alloc.np2_merge_on_fail", alloc_np2_merge_on_fail, "1",
           "NP2: merge adjacent free runs when no run fits, then retry"),
    NUM32("alloc.bootmem_align", alloc_bootmem_align, "32", "bytes", 1, 4096,
          "bootmem default alignment (SMP_CACHE_BYTES)"),
    BOOL32("alloc.meta_l1", alloc_meta_l1, "0",
           "allocator metadata in L1 data SRAM: each metadata access costs l1.hit_cycles (else it "
           "goes through CPLB/L1/EBIU)"),
};

#undef M

size_t bf_cfg_key_count(void)
{
    return BF_ARRAY_SIZE(keys);
}

const bf_cfg_key *bf_cfg_key_at(size_t i)
{
    static bf_cfg_key k;
    if (i >= BF_ARRAY_SIZE(keys))
        return NULL;
    k.name = keys[i].name;
    k.type = keys[i].type;
    k.def = keys[i].def;
    k.unit = keys[i].unit;
    k.help = keys[i].help;
    return &k;
}

int bf_cfg_find_key(const char *name)
{
    for (size_t i = 0; i < BF_ARRAY_SIZE(keys); i++)
        if (strcmp(keys[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Parse an unsigned number with an optional scale suffix table. */
static int parse_scaled(const char *s, int type, uint64_t *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return -1;
    if (type != T_FREQ && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        char *e;
        errno = 0;
        unsigned long long v = strtoull(s + 2, &e, 16);
        if (e == s + 2 || errno)
            return -1;
        while (isspace((unsigned char)*e))
            e++;
        if (*e)
            return -1;
        *out = v;
        return 0;
    }
    if (!isdigit((unsigned char)*s))
        return -1;
    /* decimal with an optional fraction (frequencies: 118.8MHz) */
    uint64_t ip = 0, frac = 0, fscale = 1;
    const char *p = s;
    while (isdigit((unsigned char)*p)) {
        if (ip > (UINT64_MAX - 9) / 10)
            return -1;
        ip = ip * 10 + (uint64_t)(*p++ - '0');
    }
    if (*p == '.') {
        if (type == T_NUM || type == T_BOOL)
            return -1;
        p++;
        while (isdigit((unsigned char)*p)) {
            if (fscale < 1000000000000ull) {
                frac = frac * 10 + (uint64_t)(*p - '0');
                fscale *= 10;
            }
            p++;
        }
    }
    while (isspace((unsigned char)*p))
        p++;
    uint64_t mul = 1;
    if (*p) {
        char suf[8];
        size_t n = 0;
        while (*p && !isspace((unsigned char)*p) && n < sizeof suf - 1)
            suf[n++] = (char)tolower((unsigned char)*p++);
        suf[n] = 0;
        while (isspace((unsigned char)*p))
            p++;
        if (*p)
            return -1;
        if (type == T_FREQ) {
            if (!strcmp(suf, "hz"))
                mul = 1;
            else if (!strcmp(suf, "khz"))
                mul = 1000;
            else if (!strcmp(suf, "mhz"))
                mul = 1000000;
            else if (!strcmp(suf, "ghz"))
                mul = 1000000000;
            else
                return -1;
        } else if (type == T_SIZE) {
            if (!strcmp(suf, "k") || !strcmp(suf, "kb") || !strcmp(suf, "kib"))
                mul = 1024;
            else if (!strcmp(suf, "m") || !strcmp(suf, "mb") || !strcmp(suf, "mib"))
                mul = 1024 * 1024;
            else if (!strcmp(suf, "g") || !strcmp(suf, "gb") || !strcmp(suf, "gib"))
                mul = 1024ull * 1024 * 1024;
            else
                return -1;
        } else {
            return -1;
        }
    }
    if (ip > UINT64_MAX / mul)
        return -1;
    uint64_t v = ip * mul;
    if (frac) {
        /* exact when the fraction resolves at this scale (118.8 MHz = 118800000 Hz) */
        uint64_t f = frac * mul;
        if (f % fscale)
            return -1;
        v += f / fscale;
    }
    *out = v;
    return 0;
}

static int parse_bool(const char *s, uint64_t *out)
{
    static const char *const yes[] = {"1", "yes", "true", "on"};
    static const char *const no[] = {"0", "no", "false", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i])) {
            *out = 1;
            return 0;
        }
        if (!strcasecmp(s, no[i])) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

static int parse_enum(const char *list, const char *s, uint64_t *out)
{
    size_t sl = strlen(s);
    const char *p = list;
    while (*p) {
        const char *eq = strchr(p, '=');
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        if ((size_t)(eq - p) == sl && strncmp(p, s, sl) == 0) {
            *out = strtoull(eq + 1, NULL, 10);
            return 0;
        }
        p = *end ? end + 1 : end;
    }
    return -1;
}

static void enum_names(const char *list, char *buf, size_t n)
{
    bf_strbuf b = bf_strbuf_on(buf, n);
    for (const char *p = list; *p && !bf_strbuf_truncated(&b);) {
        const char *eq = strchr(p, '=');
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        bf_strbuf_printf(&b, "%s%.*s", b.len ? "|" : "", (int)(eq - p), p);
        p = *end ? end + 1 : end;
    }
}

/* Apply one value to the machine; on error writes the reason (without location) to err. */
int bf_cfg_apply(bf_machine *m, int ki, const char *val, char *err, size_t errn)
{
    const key_def *k = &keys[ki];
    char *base = (char *)m + k->off;
    uint64_t v = 0;
    switch (k->type) {
    case T_STR: {
        size_t l = strlen(val);
        if (l >= k->fsize) {
            snprintf(err, errn, "value is %zu characters long, at most %zu allowed", l,
                     k->fsize - 1);
            return BF_ECONFIG;
        }
        memcpy(base, val, l + 1);
        return BF_OK;
    }
    case T_CPLB: {
        char *e;
        const char *p = val;
        errno = 0;
        unsigned long a = strtoul(p, &e, 0);
        if (e == p || errno || a > 0xFFFFFFFFul)
            goto bad_cplb;
        p = e;
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        unsigned long d = strtoul(p, &e, 0);
        if (e == p || errno || d > 0xFFFFFFFFul)
            goto bad_cplb;
        while (isspace((unsigned char)*e))
            e++;
        if (*e)
            goto bad_cplb;
        ((bf_cplb_entry *)base)->addr = (uint32_t)a;
        ((bf_cplb_entry *)base)->data = (uint32_t)d;
        return BF_OK;
    bad_cplb:
        snprintf(err, errn, "'%s' is not 'ADDR DATA' (two numbers, e.g. 0x00000000 0x0003D09D)",
                 val);
        return BF_ECONFIG;
    }
    case T_BOOL:
        if (parse_bool(val, &v)) {
            snprintf(err, errn, "'%s' is not a boolean (0/1, yes/no, true/false, on/off)", val);
            return BF_ECONFIG;
        }
        break;
    case T_ENUM:
        if (parse_enum(k->enums, val, &v)) {
            char names[160];
            enum_names(k->enums, names, sizeof names);
            snprintf(err, errn, "'%s' is not one of %s", val, names);
            return BF_ECONFIG;
        }
        break;
    default:
        if (parse_scaled(val, k->type, &v)) {
            snprintf(err, errn, "'%s' is not a valid %s", val,
                     k->type == T_FREQ   ? "frequency (e.g. 594MHz)"
                     : k->type == T_SIZE ? "size (e.g. 32M, 4096, 0x1000)"
                                         : "number");
            return BF_ECONFIG;
        }
        if (k->max && (v < k->min || v > k->max)) {
            snprintf(err, errn, "%s is out of range %llu..%llu", val, (unsigned long long)k->min,
                     (unsigned long long)k->max);
            return BF_ECONFIG;
        }
        break;
    }
    switch (k->ftype) {
    case F_U32:
        if (v > 0xFFFFFFFFull) {
            snprintf(err, errn, "%s does not fit in 32 bits", val);
            return BF_ECONFIG;
        }
        *(uint32_t *)base = (uint32_t)v;
        break;
    case F_INT:
        *(int *)base = (int)v;
        break;
    case F_U64:
        *(uint64_t *)base = v;
        break;
    }
    return BF_OK;
}

/* Rule 1: every key starts at its default, with origin "default". */
int bf_cfg_apply_defaults(bf_machine *m, char *err, size_t errn)
{
    memset(m, 0, sizeof *m);
    bf_l1_config_default(&m->l1);
    bf_sdram_config_default(&m->sdram);
    bf_cplb_config_default(&m->cplb);
    for (size_t i = 0; i < BF_ARRAY_SIZE(keys); i++) {
        char why[256];
        if (bf_cfg_apply(m, (int)i, keys[i].def, why, sizeof why)) {
            snprintf(err, errn, "internal: default of %s: %s", keys[i].name, why);
            return BF_ECONFIG;
        }
        snprintf(m->origin[i], sizeof m->origin[i], "default");
        snprintf(m->value[i], sizeof m->value[i], "%s", keys[i].def);
    }
    return BF_OK;
}

size_t bf_machine_text(const bf_machine *m, char *buf, size_t n)
{
    bf_strbuf b = bf_strbuf_on(buf, buf ? n : 0);
    for (size_t i = 0; i < BF_ARRAY_SIZE(keys); i++)
        bf_strbuf_printf(&b, "%s = %s\n", keys[i].name, m->value[i]);
    return b.len;
}

void bf_machine_show(const bf_machine *m, FILE *f)
{
    fprintf(f, "# machine %s (%s)\n", m->name, bf_part_name(m->part));
    for (size_t i = 0; i < BF_ARRAY_SIZE(keys); i++) {
        if (keys[i].type == T_CPLB && strcmp(m->origin[i], "default") == 0)
            continue; /* unused entries: shown only when set */
        fprintf(f, "%-26s = %-24s ; %s\n", keys[i].name, m->value[i][0] ? m->value[i] : "\"\"",
                m->origin[i]);
    }
    fprintf(f, "\n# derived registers\n");
    fprintf(f, "DMEM_CONTROL = 0x%08X  (ENDCPLB=%u DMC=%u%u DCBS=%u)\n", m->l1.dmem_control,
            m->dcplb_enable, (m->dmc >> 1) & 1, m->dmc & 1, m->dcbs);
    fprintf(f, "IMEM_CONTROL = 0x%08X  (ENICPLB=%u IMC=%u ILOC=0x%X)\n", m->l1.imem_control,
            m->icplb_enable, m->imc, m->iloc);
    bf_sdram_timing t;
    bf_sdram_decode(&m->sdram, &t);
    fprintf(f, "EBIU_SDGCTL  = 0x%08X  (CL=%u tRAS=%u tRP=%u tRCD=%u tWR=%u)\n", m->sdram.sdgctl,
            t.cl, t.tras, t.trp, t.trcd, t.twr);
    fprintf(f, "EBIU_SDBCTL  = 0x%04X      (%u MB, %u-bit columns, %s)\n", m->sdram.sdbctl,
            t.bank_bytes >> 20, t.caw, t.enabled ? "enabled" : "disabled");
    fprintf(f, "EBIU_SDRRC   = 0x%04X      (RDIV=%u: refresh every %u SCLK)\n", m->sdram.sdrrc,
            t.rdiv, t.refresh_period_sclk);
    fprintf(f, "EBIU_AMGCTL  = 0x%04X      (AMCKEN=%d, %u async banks enabled, CDPRIO=%d)\n",
            m->sdram.amgctl, t.amcken, t.async_banks, t.cdprio);
    for (int b = 0; b < 4; b++)
        fprintf(f, "  async bank %d: ST=%u RAT=%u WAT=%u HT=%u TT=%u (SCLK)%s\n", b, t.async[b].st,
                t.async[b].rat, t.async[b].wat, t.async[b].ht, t.async[b].tt,
                b < (int)t.async_banks ? "" : "  disabled");
    fprintf(f, "CCLK:SCLK    = %.3f (CCLK %llu Hz, SCLK %llu Hz)\n",
            (double)m->cclk_hz / (double)m->sclk_hz, (unsigned long long)m->cclk_hz,
            (unsigned long long)m->sclk_hz);
}
