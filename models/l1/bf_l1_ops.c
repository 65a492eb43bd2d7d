/*
** bf_l1_ops.c: the L1 model's configuration (defaults, the one check), creation, the
** DMEM_CONTROL/IMEM_CONTROL writes that switch the halves between SRAM and cache (assumption 8 of
** bf_l1.c: a change invalidates the cache without write-back), and the cache operations SSYNC,
** CSYNC, FLUSH, FLUSHINV, IFLUSH, PREFETCH and the end-of-run drain.
**
** Invariants: a config reaches bf_l1_create only after bf_l1_config_check; dbanks, bank_shift,
** bank_mask, bank_flip, ion and ilock always follow the last register value written; an
** invalidation leaves every line with tag L1_NOTAG and no dirty, priority, stale or stamp state;
** the shadow is emptied whenever its cache is invalidated.
*/
#include "bf_l1_int.h"

/* ---------------------------------------------------------------- configuration */

void bf_l1_config_default(bf_l1_config *c)
{
    memset(c, 0, sizeof *c);
    c->part = BF_PART_BF533;
    c->dmem_control = BF_DMEM_PORT_PREF0 | BF_DMEM_ENDM | (3u << BF_DMEM_DMC_SHIFT) |
                      BF_DMEM_ENDCPLB; /* reset value, DMC=11, ENDCPLB */
    c->imem_control =
        BF_IMEM_ENIM | (1u << BF_IMEM_IMC_SHIFT) | BF_IMEM_ENICPLB; /* ENIM, IMC, ENICPLB */
    c->sdram_bytes = 32u << 20;
    c->index_mode = BF_L1_INDEX_BLACKFIN;
    c->default_attrs = BF_REQ_CACHEABLE; /* write-back, cacheable */
    c->hit_cycles = 1;
    c->wbuf_depth = 6;
    c->victim_depth = 1;
    c->critical_word_first = 1;
    c->csync_cycles = 10;
    c->ssync_cycles = 10;
    c->cacheop_cycles = 1;
    c->classify_misses = 0;
}

static const char *l1_check_dmem(int part, uint32_t v)
{
    if (BF_DMC(v) == 1)
        return "dmem_control: DMC=01 is reserved (use 00, 10 or 11)";
    if (BF_DMC(v) == 3 && part == BF_PART_BF531)
        return "dmem_control: DMC=11 caches data bank B, which the BF531 does not have";
    return NULL;
}

const char *bf_l1_config_check(const bf_l1_config *c)
{
    if (c->part < BF_PART_BF531 || c->part > BF_PART_BF533)
        return "part: not bf531, bf532 or bf533";
    const char *m = l1_check_dmem(c->part, c->dmem_control);
    if (m)
        return m;
    if (c->sdram_bytes > L1_SDRAM_MAX)
        return "sdram_bytes: more than the 128 MB SDRAM window";
    if (c->index_mode != BF_L1_INDEX_BLACKFIN && c->index_mode != BF_L1_INDEX_BITSEL)
        return "index_mode: not blackfin or bitsel";
    if (c->default_attrs & ~(uint32_t)L1_ATTR_MASK)
        return "default_attrs: only CACHEABLE, WT, AOW and LRUPRIO may be set";
    if (c->hit_cycles < 1)
        return "hit_cycles: must be at least 1";
    if (c->wbuf_depth < 1 || c->wbuf_depth > L1_MAX_WBUF)
        return "wbuf_depth: must be 1..64 entries";
    if (c->victim_depth < 1 || c->victim_depth > L1_MAX_VICTIM)
        return "victim_depth: must be 1..16 lines";
    if (c->critical_word_first != 0 && c->critical_word_first != 1)
        return "critical_word_first: must be 0 or 1";
    if (c->dcbs_set_bank_a != 0 && c->dcbs_set_bank_a != 1)
        return "dcbs_set_bank_a: must be 0 or 1";
    if (c->classify_misses != 0 && c->classify_misses != 1)
        return "classify_misses: must be 0 or 1";
    return NULL;
}

/* ---------------------------------------------------------------- runtime state from registers */

static void l1_invalidate(l1_line *l, size_t n, uint64_t *dirty_dropped)
{
    for (size_t i = 0; i < n; i++) {
        *dirty_dropped += l[i].tag != L1_NOTAG && l[i].dirty;
        l[i].tag = L1_NOTAG;
        l[i].dirty = 0;
        l[i].prio = 0;
        l[i].stale = 0;
        l[i].stamp = 0;
    }
}

static void l1_apply_dmem(bf_l1 *l1, uint32_t v)
{
    uint32_t dmc = BF_DMC(v);
    l1->dmem = v;
    l1->dbanks = dmc == 3 ? 2 : dmc == 2 ? 1 : 0;
    l1->bank_shift = BF_DCBS(v) ? L1_DCBS1_BIT : L1_DCBS0_BIT;
    l1->bank_mask = l1->dbanks == 2 ? 1u : 0u;
    l1->bank_flip = l1->bank_mask & (uint32_t)l1->cfg.dcbs_set_bank_a;
}

static void l1_apply_imem(bf_l1 *l1, uint32_t v)
{
    l1->imem = v;
    l1->ion = (int)BF_IMC(v);
    l1->ilock = BF_ILOC(v);
    if (BF_LRUPRIORST(v))
        for (size_t i = 0; i < BF_ARRAY_SIZE(l1->iline); i++)
            l1->iline[i].prio = 0;
}

static void l1_make_index(l1_index *x, int mode, uint32_t sets, uint32_t lo_bits)
{
    if (mode == BF_L1_INDEX_BITSEL) {
        x->lo_mask = sets - 1;
        x->lo_bits = 0;
        x->hi_mask = 0;
    } else {
        x->lo_mask = (1u << lo_bits) - 1;
        x->lo_bits = lo_bits;
        x->hi_mask = 3;
    }
}

int bf_l1_create(const bf_l1_config *c, bf_port ext, bf_l1_stats *stats, bf_l1 **out)
{
    assert(c && out);
    *out = NULL;
    if (bf_l1_config_check(c) || !ext.xfer)
        return BF_ECONFIG;
    bf_l1 *l1 = bf_calloc(1, sizeof *l1);
    if (!l1)
        return BF_ENOMEM;
    l1->cfg = *c;
    l1->ext = ext;
    l1->st = stats ? stats : &l1->dummy;
    l1_invalidate(&l1->dline[0][0], (size_t)L1_DBANKS * L1_DSETS * L1_DWAYS,
                  &l1->dummy.dinval_dirty);
    l1_invalidate(l1->iline, BF_ARRAY_SIZE(l1->iline), &l1->dummy.dinval_dirty);
    l1->dfb.line = l1->ifb.line = L1_NOTAG;
    l1->ufetch_block = ~(bf_addr)0;
    l1->wb.depth = c->wbuf_depth;
    l1->wb.source = BF_SRC_WBUF;
    l1->vb.depth = c->victim_depth;
    l1->vb.source = BF_SRC_VICTIM;
    l1_make_index(&l1->dix, c->index_mode, L1_DSETS, L1_DLO_BITS);
    l1_make_index(&l1->iix, c->index_mode, L1_ISETS, L1_ILO_BITS);
    if (c->classify_misses) {
        if (l1_shadow_init(&l1->dsh, L1_DBANKS * L1_DSETS * L1_DWAYS) ||
            l1_shadow_init(&l1->ish, L1_ISETS * L1_IWAYS)) {
            bf_l1_destroy(l1);
            return BF_ENOMEM;
        }
        l1_shadow_reset(&l1->ish, L1_ISETS * L1_IWAYS);
    }
    l1_apply_dmem(l1, c->dmem_control);
    l1_apply_imem(l1, c->imem_control);
    l1_shadow_reset(&l1->dsh, l1->dbanks * L1_DSETS * L1_DWAYS);
    *out = l1;
    return BF_OK;
}

void bf_l1_destroy(bf_l1 *l1)
{
    if (!l1)
        return;
    l1_shadow_free(&l1->dsh);
    l1_shadow_free(&l1->ish);
    free(l1);
}

int bf_l1_write_dmem_control(bf_l1 *l1, uint32_t value, bf_cycles now)
{
    (void)now; /* the invalidation is instantaneous; buffered writes keep draining */
    if (l1_check_dmem(l1->cfg.part, value))
        return BF_EINPUT;
    /* DCBS only matters with both banks cache */
    int changed = BF_DMC(value) != BF_DMC(l1->dmem) ||
                  (BF_DMC(value) == 3 && BF_DCBS(value) != BF_DCBS(l1->dmem));
    l1_apply_dmem(l1, value);
    if (changed) {
        l1_invalidate(&l1->dline[0][0], (size_t)L1_DBANKS * L1_DSETS * L1_DWAYS,
                      &l1->st->dinval_dirty);
        l1->st->dinval++;
        l1_shadow_reset(&l1->dsh, l1->dbanks * L1_DSETS * L1_DWAYS);
    }
    return BF_OK;
}

int bf_l1_write_imem_control(bf_l1 *l1, uint32_t value, bf_cycles now)
{
    (void)now;
    if (BF_IMC(value ^ l1->imem)) {
        uint64_t ignored = 0;
        l1_invalidate(l1->iline, BF_ARRAY_SIZE(l1->iline), &ignored);
        l1->st->iinval++;
        l1_shadow_reset(&l1->ish, L1_ISETS * L1_IWAYS);
    }
    l1_apply_imem(l1, value);
    l1->ufetch_block = ~(bf_addr)0;
    return BF_OK;
}

/* ---------------------------------------------------------------- operations */

int bf_l1_op(bf_l1 *l1, int op, const bf_req *rq, bf_resp *rs)
{
    assert(l1 && rq && rs);
    bf_l1_stats *st = l1->st;
    memset(rs, 0, sizeof *rs);
    bf_cycles t = rq->now;
    bf_addr a = rq->addr;
    uint32_t line = a >> L1_LINE_SHIFT, cost = l1->cfg.cacheop_cycles, bank;
    int rc = BF_OK;
    switch (op) {
    case BF_OP_SSYNC: {
        st->op_ssync++;
        bf_cycles d;
        rc = l1_drain_all(l1, t, &d);
        /* SSYNC completes only when every outstanding system access has: line fills and
        ** PREFETCHes in flight included, not only the write and victim buffers */
        d = l1_max(d, l1_max(l1->dfb.done, l1->ifb.done));
        st->stall_ssync_drain += d - t;
        t = d;
        cost = l1->cfg.ssync_cycles;
        st->ssync_cycles += t - rq->now + cost;
        break;
    }
    case BF_OP_CSYNC:
        st->op_csync++;
        cost = l1->cfg.csync_cycles;
        st->csync_cycles += cost;
        break;
    case BF_OP_FLUSH:
    case BF_OP_FLUSHINV: {
        if (op == BF_OP_FLUSH)
            st->op_flush++;
        else
            st->op_flushinv++;
        if (!l1->dbanks)
            break;
        l1_line *L = l1_dfind(l1_dset(l1, a, &bank), line);
        if (!L)
            break;
        if (L->dirty)
            rc = l1_writeback(l1, L, &t);
        if (op == BF_OP_FLUSHINV) {
            L->tag = L1_NOTAG;
            L->stale = 0;
        }
        break;
    }
    case BF_OP_IFLUSH: {
        st->op_iflush++;
        if ((l1->ufetch_block >> L1_LINE_SHIFT) == line)
            l1->ufetch_block = ~(bf_addr)0;
        if (!l1->ion)
            break;
        l1_line *s = &l1->iline[l1_set(&l1->iix, a) * L1_IWAYS];
        for (int w = 0; w < L1_IWAYS; w++) {
            if (s[w].tag == line) {
                s[w].tag = L1_NOTAG;
                s[w].prio = 0;
                s[w].stale = 0;
                st->iflushed++;
            }
        }
        break;
    }
    case BF_OP_PREFETCH: {
        st->op_prefetch++;
        uint32_t attrs = (rq->flags & BF_REQ_ATTR_KNOWN) ? rq->flags : l1->cfg.default_attrs;
        int rgn = a < l1->cfg.sdram_bytes ? BF_RGN_SDRAM
                                          : bf_map_region(l1->cfg.part, l1->cfg.sdram_bytes, a);
        if (!l1->dbanks || !(attrs & BF_REQ_CACHEABLE) || !bf_map_is_external(rgn))
            break;
        l1_line *s = l1_dset(l1, a, &bank);
        if (l1->dsh.node)
            l1_shadow_ref(&l1->dsh, line);
        if (l1_dfind(s, line))
            break;
        rc = l1_dallocate(l1, l1_dvictim(s), a, &t);
        st->dprefetch_fills++;
        break;
    }
    default:
        return BF_EINPUT;
    }
    rs->ready = t + cost;
    rs->done = rs->ready;
    rs->hit = t == rq->now;
    return rc;
}

int bf_l1_finish(bf_l1 *l1, bf_cycles now, bf_cycles *done)
{
    int rc = l1_drain_all(l1, now, done);
    *done = l1_max(*done, l1_max(l1->dfb.done, l1->ifb.done));
    return rc;
}

void bf_l1_set_stats_attach(bf_l1 *l1, bf_l1_set_stats *ss)
{
    l1->ss = ss;
}
