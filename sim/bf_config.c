/*
** bf_config.c: loading a machine configuration (see bf_config.h): files, includes and --set
** overrides applied over the defaults, then the model configs composed and checked. The key
** table and the parsing of one value are in bf_config_keys.c (bf_config_int.h).
**
** Rules:
**  1. Loading starts by applying every key's default (bf_config_keys.c), so a value always has
**     one origin and `config show` can name it.
**  2. Files are applied in order; `include = FILE` (relative to the including file) is applied in
**     place, depth-limited. Later values override earlier ones. --set overrides come last.
**  3. A value is parsed by its key's type (bf_config_keys.c); a bad value or unknown key stops
**     loading with "file:line: key: reason".
**  4. After loading, cross-field rules that hardware imposes are checked here, naming the key
**     (DMC=01 reserved, bank B cache on BF531, SCLK > 133.33 MHz); each model's config_check then
**     runs as the last word. Errata rules (CCLK < 2*SCLK, anomaly 05000273) only warn.
*/
#define _POSIX_C_SOURCE 200809L
#include "bf_bf533.h"
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

typedef struct load_ctx {
    bf_machine *m;
    char *err;
    size_t errn;
    int depth;
    int no_include;       /* text loads (fuzzing): `include` is refused */
    unsigned file_seq;    /* number of the file being read (each load_file: a new one) */
    unsigned cur_file[9]; /* file_seq of each open file, by include depth */
    const char *paths[9]; /* the open files, by include depth (to name an include loop) */
    unsigned set_in[BF_CFG_MAX_KEYS]; /* file_seq that set each key (duplicates in one file) */
    unsigned set_line[BF_CFG_MAX_KEYS];
} load_ctx;

static int load_file(load_ctx *c, const char *path);

static int on_key(void *vc, const char *key, const char *value, const char *file, unsigned line)
{
    load_ctx *c = vc;
    if (strcmp(key, "include") == 0) {
        if (c->no_include) {
            snprintf(c->err, c->errn, "%s:%u: include: not allowed here", file, line);
            return BF_ECONFIG;
        }
        char path[1024];
        if (value[0] == '/') {
            snprintf(path, sizeof path, "%s", value);
        } else {
            const char *slash = strrchr(file, '/');
            int dl = slash ? (int)(slash - file + 1) : 0;
            snprintf(path, sizeof path, "%.*s%s", dl, file, value);
        }
        for (int d = 0; d <= c->depth; d++) {
            if (c->paths[d] && bf_file_same(c->paths[d], path)) {
                bf_strbuf b = bf_strbuf_on(c->err, c->errn);
                bf_strbuf_printf(&b, "%s:%u: include: loop: ", file, line);
                for (int k = d; k <= c->depth; k++)
                    bf_strbuf_printf(&b, "%s -> ", c->paths[k]);
                bf_strbuf_printf(&b, "%s", path);
                return BF_ECONFIG;
            }
        }
        if (c->depth >= 8) {
            snprintf(c->err, c->errn, "%s:%u: include: nested more than 8 deep", file, line);
            return BF_ECONFIG;
        }
        c->depth++;
        int rc = load_file(c, path);
        c->depth--;
        if (rc == BF_EIO) {
            char inner[512];
            snprintf(inner, sizeof inner, "%s", c->err);
            snprintf(c->err, c->errn, "%s:%u: include: %s", file, line, inner);
            return BF_ECONFIG;
        }
        return rc;
    }
    int ki = bf_cfg_find_key(key);
    if (ki < 0) {
        snprintf(c->err, c->errn, "%s:%u: %s: unknown key (see `bfsim config keys`)", file, line,
                 key);
        return BF_ECONFIG;
    }
    if (c->set_in[ki] && c->set_in[ki] == c->cur_file[c->depth]) {
        snprintf(c->err, c->errn, "%s:%u: %s: set twice in this file (first at line %u)", file,
                 line, key, c->set_line[ki]);
        return BF_ECONFIG;
    }
    c->set_in[ki] = c->cur_file[c->depth];
    c->set_line[ki] = line;
    char why[384];
    int rc = bf_cfg_apply(c->m, ki, value, why, sizeof why);
    if (rc) {
        snprintf(c->err, c->errn, "%s:%u: %s: %s", file, line, key, why);
        return rc;
    }
    snprintf(c->m->origin[ki], sizeof c->m->origin[ki], "%s:%u", file, line);
    snprintf(c->m->value[ki], sizeof c->m->value[ki], "%s", value);
    return BF_OK;
}

static int load_file(load_ctx *c, const char *path)
{
    c->cur_file[c->depth] = ++c->file_seq;
    c->paths[c->depth] = path;
    int rc = bf_ini_parse_file(path, on_key, c, c->err, c->errn);
    c->paths[c->depth] = NULL;
    return rc;
}

uint32_t bf_machine_sdram_bytes(const bf_machine *m)
{
    if (!(m->sdram.sdbctl & 1))
        return 0;
    return (16u << 20) << ((m->sdram.sdbctl >> 1) & 3);
}

static const char *origin_of(const bf_machine *m, const char *key)
{
    int ki = bf_cfg_find_key(key);
    return ki >= 0 ? m->origin[ki] : "?";
}

/* A model's own check names its struct field or register; say which key (and where it was set)
** that comes from. First match wins: more specific prefixes first. */
static const struct {
    const char *prefix, *key;
} k_model_keys[] = {
    {"EBIU_SDRRC", "ebiu.sdrrc"},
    {"EBIU_SDGCTL", "ebiu.sdgctl"},
    {"EBIU_SDBCTL", "ebiu.sdbctl"},
    {"EBIU_AMGCTL", "ebiu.amgctl"},
    {"sdram_bytes", "ebiu.sdbctl"},
    {"fill_critical_bytes", "ebiu.fill_critical_bytes"},
    {"sdram ESTIMATE", "ebiu.refresh_sclk"},
    {"CLKIN", "clock.clkin"},
    {"PLL_CTL", "clock.pll_ctl"},
    {"PLL_DIV", "clock.pll_div"},
    {"cclk_hz", "clock.cclk"},
    {"sclk_hz", "clock.sclk"},
    {"hit_cycles", "l1.hit_cycles"},
    {"victim_depth", "l1.victim_depth"},
    {"wbuf_depth", "l1.wbuf_depth"},
    {"dmem_control", "l1.dmc"},
    {"index_mode", "l1.index"},
    {"critical_word_first", "l1.critical_word_first"},
    {"linux.cmdline", "linux.cmdline"},
    {"linux.dcache", "linux.dcache"},
    {"linux.dma_uncached", "linux.dma_uncached"},
    {"cplb.policy", "cplb.policy"},
};

static void model_fail(const bf_machine *m, const char *e, char *err, size_t errn)
{
    for (size_t i = 0; i < BF_ARRAY_SIZE(k_model_keys); i++) {
        size_t n = strlen(k_model_keys[i].prefix);
        if (strncmp(e, k_model_keys[i].prefix, n) == 0) {
            snprintf(err, errn, "%s: %s: %s", origin_of(m, k_model_keys[i].key),
                     k_model_keys[i].key, e);
            return;
        }
    }
    snprintf(err, errn, "machine '%s': %s", m->name, e);
}

/* Compose the model configs from the keyed fields; check cross-field rules naming keys. */
static int compose(bf_machine *m, char *err, size_t errn, char *warn, size_t warnn)
{
    uint32_t sdram = bf_machine_sdram_bytes(m);
    if (m->clkin_hz) {
        /* clocks as the PLL would give them: CLKIN x MSEL (/2 with DF) / CSEL and / SSEL */
        if (strcmp(origin_of(m, "clock.cclk"), "default") ||
            strcmp(origin_of(m, "clock.sclk"), "default")) {
            snprintf(err, errn,
                     "%s: clock.clkin: give either clock.clkin (with clock.pll_ctl and "
                     "clock.pll_div) or clock.cclk and clock.sclk, not both",
                     origin_of(m, "clock.clkin"));
            return BF_ECONFIG;
        }
        const char *e =
            bf_sdram_pll_from_regs(m->clkin_hz, m->pll_ctl, m->pll_div, &m->cclk_hz, &m->sclk_hz);
        if (e) {
            snprintf(err, errn, "%s: clock.clkin/pll_ctl/pll_div: %s", origin_of(m, "clock.clkin"),
                     e);
            return BF_ECONFIG;
        }
        int ki = bf_cfg_find_key("clock.cclk");
        snprintf(m->value[ki], sizeof m->value[ki], "%lluHz", (unsigned long long)m->cclk_hz);
        snprintf(m->origin[ki], sizeof m->origin[ki], "derived from clock.clkin");
        ki = bf_cfg_find_key("clock.sclk");
        snprintf(m->value[ki], sizeof m->value[ki], "%lluHz", (unsigned long long)m->sclk_hz);
        snprintf(m->origin[ki], sizeof m->origin[ki], "derived from clock.clkin");
    }
    if (m->dmc == 1) {
        snprintf(err, errn, "%s: l1.dmc: 01 is reserved (use 00, 10 or 11)",
                 origin_of(m, "l1.dmc"));
        return BF_ECONFIG;
    }
    if (m->dmc == 3 && m->part == BF_PART_BF531) {
        snprintf(err, errn, "%s: l1.dmc: 11 asks for bank B cache but the BF531 has no data bank B",
                 origin_of(m, "l1.dmc"));
        return BF_ECONFIG;
    }
    if (m->sclk_hz > 133333333u) {
        snprintf(err, errn, "%s: clock.sclk: %llu Hz is above the 133.33 MHz maximum",
                 origin_of(m, "clock.sclk"), (unsigned long long)m->sclk_hz);
        return BF_ECONFIG;
    }
    if (m->sclk_hz > m->cclk_hz) {
        snprintf(err, errn, "%s: clock.sclk: SCLK (%llu Hz) above CCLK (%llu Hz)",
                 origin_of(m, "clock.sclk"), (unsigned long long)m->sclk_hz,
                 (unsigned long long)m->cclk_hz);
        return BF_ECONFIG;
    }
    uint64_t maxcclk = m->part == BF_PART_BF533 ? 750000000u : 400000000u;
    if (m->cclk_hz > maxcclk) {
        snprintf(err, errn, "%s: clock.cclk: %llu Hz is above the %s maximum of %llu Hz",
                 origin_of(m, "clock.cclk"), (unsigned long long)m->cclk_hz, bf_part_name(m->part),
                 (unsigned long long)maxcclk);
        return BF_ECONFIG;
    }
    /* anomaly switches from the silicon revision (Linux mach-bf533 anomaly.h, list rev F):
    ** 05000158 and 05000263 are "__SILICON_REVISION__ < 5", 05000273 "< 6"; an explicit
    ** linux.anomaly_* key overrides its switch */
    static const char *const rev_keys[2] = {"linux.anomaly_05000263", "linux.anomaly_05000158"};
    int *const rev_fields[2] = {&m->cplb.anomaly_05000263, &m->cplb.anomaly_05000158};
    for (int k = 0; k < 2; k++) {
        int ki = bf_cfg_find_key(rev_keys[k]);
        if (strcmp(m->origin[ki], "default") &&
            strcmp(m->origin[ki], "derived from machine.silicon_rev"))
            continue; /* set explicitly: an override */
        *rev_fields[k] = m->silicon_rev < 5;
        snprintf(m->value[ki], sizeof m->value[ki], "%d", *rev_fields[k]);
        snprintf(m->origin[ki], sizeof m->origin[ki], "derived from machine.silicon_rev");
    }
    if (warn && warnn) {
        warn[0] = 0;
        if (m->silicon_rev < 6 && m->cclk_hz < 2 * m->sclk_hz)
            snprintf(
                warn, warnn,
                "warning: CCLK %llu Hz < 2 x SCLK %llu Hz: anomaly 05000273 (SDRAM writes may be "
                "lost on silicon before 0.6)",
                (unsigned long long)m->cclk_hz, (unsigned long long)m->sclk_hz);
    }
    if (!sdram) {
        /* what `config check` passes, `run` and `alloc` accept: traces and allocations are
        ** placed in SDRAM (trace.map_limit = the SDRAM size) */
        snprintf(err, errn,
                 "%s: ebiu.sdbctl: EBCE (bit 0) = 0 disables the SDRAM, which bfsim needs "
                 "to place traces and allocations",
                 origin_of(m, "ebiu.sdbctl"));
        return BF_ECONFIG;
    }
    if (m->alloc_mem_bytes && m->alloc_mem_bytes % 4096) {
        snprintf(err, errn, "%s: alloc.mem: %u is not a multiple of the 4 KB page",
                 origin_of(m, "alloc.mem"), m->alloc_mem_bytes);
        return BF_ECONFIG;
    }

    m->l1.part = m->part;
    m->l1.sdram_bytes = sdram;
    m->l1.dmem_control = (m->dcplb_enable ? BF_DMEM_ENDCPLB : 0u) | (m->dmc << BF_DMEM_DMC_SHIFT) |
                         (m->dcbs << BF_DMEM_DCBS_SHIFT) |
                         (m->port_pref << BF_DMEM_PORT_PREF_SHIFT) | BF_DMEM_ENDM;
    m->l1.imem_control = BF_IMEM_ENIM | (m->icplb_enable ? BF_IMEM_ENICPLB : 0u) |
                         (m->imc << BF_IMEM_IMC_SHIFT) | (m->iloc << BF_IMEM_ILOC_SHIFT);
    m->sdram.cclk_hz = m->cclk_hz;
    m->sdram.sclk_hz = m->sclk_hz;
    m->cplb.part = m->part;
    m->cplb.l1_dmc = (int)m->dmc;
    m->cplb.sdram_bytes = sdram;
    m->cplb.dcplb_enable = (int)m->dcplb_enable;
    m->cplb.icplb_enable = (int)m->icplb_enable;

    const char *e;
    if ((e = bf_sdram_config_check(&m->sdram)) || (e = bf_l1_config_check(&m->l1)) ||
        (e = bf_cplb_config_check(&m->cplb))) {
        model_fail(m, e, err, errn);
        return BF_ECONFIG;
    }
    return BF_OK;
}

static int load_files(load_ctx *c, const char *const *files, size_t nfiles)
{
    for (size_t i = 0; i < nfiles; i++) {
        int rc = load_file(c, files[i]);
        if (rc)
            return rc == BF_EIO ? BF_EIO : rc == BF_ENOMEM ? BF_ENOMEM : BF_ECONFIG;
    }
    return BF_OK;
}

/* Defaults into m, then a loader context writing its messages to err (free it). */
static int load_start(bf_machine *m, load_ctx **out, char *err, size_t errn)
{
    int rc = bf_cfg_apply_defaults(m, err, errn);
    if (rc)
        return rc;
    load_ctx *c = bf_calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errn, "out of host memory (config loader)");
        return BF_ENOMEM;
    }
    c->m = m;
    c->err = err;
    c->errn = errn;
    *out = c;
    return BF_OK;
}

int bf_machine_load(bf_machine *m, const char *const *files, size_t nfiles, const char *const *sets,
                    size_t nsets, char *err, size_t errn, char *warn, size_t warnn)
{
    load_ctx *c;
    int rc = load_start(m, &c, err, errn);
    if (rc)
        return rc;
    rc = load_files(c, files, nfiles);
    free(c);
    if (rc)
        return rc;
    for (size_t i = 0; i < nsets; i++) {
        char key[128], val[512], why[384];
        if (bf_parse_set(sets[i], key, sizeof key, val, sizeof val, why, sizeof why)) {
            snprintf(err, errn, "--set %s: %s", sets[i], why);
            return BF_ECONFIG;
        }
        int ki = bf_cfg_find_key(key);
        if (ki < 0) {
            snprintf(err, errn, "--set %s: %s: unknown key (see `bfsim config keys`)", sets[i],
                     key);
            return BF_ECONFIG;
        }
        if (bf_cfg_apply(m, ki, val, why, sizeof why)) {
            snprintf(err, errn, "--set %s: %s: %s", sets[i], key, why);
            return BF_ECONFIG;
        }
        snprintf(m->origin[ki], sizeof m->origin[ki], "--set");
        snprintf(m->value[ki], sizeof m->value[ki], "%.*s", (int)sizeof m->value[ki] - 1, val);
    }
    if (!m->name[0] && nfiles) {
        const char *b = strrchr(files[0], '/');
        b = b ? b + 1 : files[0];
        size_t l = strcspn(b, ".");
        if (l >= sizeof m->name)
            l = sizeof m->name - 1;
        memcpy(m->name, b, l);
        m->name[l] = 0;
    }
    if (!m->name[0])
        snprintf(m->name, sizeof m->name, "default");
    return compose(m, err, errn, warn, warnn);
}

int bf_machine_load_text(bf_machine *m, const char *text, size_t n, const char *name, char *err,
                         size_t errn)
{
    load_ctx *c;
    int rc = load_start(m, &c, err, errn);
    if (rc)
        return rc;
    c->no_include = 1;
    c->cur_file[0] = c->file_seq = 1;
    rc = bf_ini_parse_text(text, n, name, on_key, c, err, errn);
    free(c);
    if (rc)
        return BF_ECONFIG;
    if (!m->name[0])
        snprintf(m->name, sizeof m->name, "%s", name);
    return compose(m, err, errn, NULL, 0);
}
