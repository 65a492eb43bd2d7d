/*
** cplb.config: configuration checking of the CPLB model. Misaligned entries are rejected with a
** message naming the entry, kernel command lines are parsed like the kernel's memparse and
** validated against the SDRAM size, and the explicit policy refuses nothing it should accept.
*/
#include "cplb_test_util.h"

static bf_cplb_config explicit_cfg(void)
{
    bf_cplb_config c;
    bf_cplb_config_default(&c);
    c.policy = BF_CPLB_POLICY_EXPLICIT;
    return c;
}

static bf_cplb_config linux_cfg(const char *cmdline)
{
    bf_cplb_config c;
    bf_cplb_config_default(&c);
    snprintf(c.cmdline, sizeof c.cmdline, "%s", cmdline);
    return c;
}

static void test_defaults(void)
{
    /* The defaults (linux policy, 64 MB, empty command line) must be usable. */
    bf_cplb_config c;
    bf_cplb_config_default(&c);
    BF_CHECK(bf_cplb_config_check(&c) == NULL);
    bf_cplb *p = NULL;
    BF_CHECK_EQ(bf_cplb_create(&c, NULL, &p), BF_OK);
    BF_CHECK(p != NULL);
    bf_cplb_destroy(p);
    bf_cplb_config e = explicit_cfg();
    BF_CHECK(bf_cplb_config_check(&e) == NULL);
}

static void test_misaligned_entries(void)
{
    /* 0x00100400 is 1 KB past a 1 MB boundary: misaligned for a 1 MB page (the issue's example
    ** message), aligned for a 1 KB page. */
    bf_cplb_config c = explicit_cfg();
    c.dcplb[3].addr = 0x00100400;
    c.dcplb[3].data = COMMON | BF_CPLB_PAGE_1M;
    BF_CHECK_STR(bf_cplb_config_check(&c),
                 "dcplb[3].addr 0x00100400 is not aligned to its 1 MB page");
    bf_cplb *p = (bf_cplb *)1;
    BF_CHECK_EQ(bf_cplb_create(&c, NULL, &p), BF_ECONFIG);
    BF_CHECK(p == NULL);
    c.dcplb[3].data = COMMON | BF_CPLB_PAGE_1K;
    BF_CHECK(bf_cplb_config_check(&c) == NULL);

    /* 4 KB page at 0x00000c00: 0xc00 & 0xfff != 0. */
    c = explicit_cfg();
    c.icplb[15].addr = 0x00000c00;
    c.icplb[15].data = BF_CPLB_VALID | BF_CPLB_USER_RD | BF_CPLB_PAGE_4K;
    BF_CHECK_STR(bf_cplb_config_check(&c),
                 "icplb[15].addr 0x00000c00 is not aligned to its 4 KB page");

    /* 4 MB page at 0x00100000 (1 MB aligned, not 4 MB). */
    c = explicit_cfg();
    c.dcplb[0].addr = 0x00100000;
    c.dcplb[0].data = COMMON | BF_CPLB_PAGE_4M;
    BF_CHECK_STR(bf_cplb_config_check(&c),
                 "dcplb[0].addr 0x00100000 is not aligned to its 4 MB page");

    /* 1 KB page at 0x201: misaligned even for the smallest page. */
    c = explicit_cfg();
    c.dcplb[1].addr = 0x201;
    c.dcplb[1].data = COMMON | BF_CPLB_PAGE_1K;
    BF_CHECK_STR(bf_cplb_config_check(&c),
                 "dcplb[1].addr 0x00000201 is not aligned to its 1 KB page");

    /* Run-time writes are checked the same way and leave the table unchanged. */
    c = explicit_cfg();
    bf_cplb *q = NULL;
    BF_CHECK_EQ(bf_cplb_create(&c, NULL, &q), BF_OK);
    BF_CHECK_EQ(bf_cplb_write(q, 0, 2, 0x00100400, COMMON | BF_CPLB_PAGE_4M), BF_ECONFIG);
    BF_CHECK_EQ(bf_cplb_table(q, 0)[2].data, 0);
    BF_CHECK_EQ(bf_cplb_write(q, 0, 16, 0, COMMON), BF_ECONFIG);
    BF_CHECK_EQ(bf_cplb_write(q, 0, 2, 0x00400000, COMMON | BF_CPLB_PAGE_4M), BF_OK);
    BF_CHECK_EQ(bf_cplb_table(q, 0)[2].addr, 0x00400000);
    bf_cplb_destroy(q);
}

static void test_memparse(void)
{
    /* Kernel memparse: C number with an optional K/M/G suffix. */
    uint32_t v = 0;
    const char *end = NULL;
    BF_CHECK_EQ(bf_cplb_memparse("50M", &v, &end), BF_OK);
    BF_CHECK_EQ(v, 50u * 1024 * 1024); /* 52428800 */
    BF_CHECK_EQ(*end, '\0');
    BF_CHECK_EQ(bf_cplb_memparse("64m$#", &v, &end), BF_OK);
    BF_CHECK_EQ(v, 0x04000000);
    BF_CHECK_EQ(*end, '$');
    BF_CHECK_EQ(bf_cplb_memparse("0x100000", &v, &end), BF_OK);
    BF_CHECK_EQ(v, 0x100000);
    BF_CHECK_EQ(bf_cplb_memparse("512K", &v, &end), BF_OK);
    BF_CHECK_EQ(v, 524288);
    BF_CHECK_EQ(bf_cplb_memparse("1G", &v, &end), BF_OK);
    BF_CHECK_EQ(v, 0x40000000);
    BF_CHECK_EQ(bf_cplb_memparse("010", &v, &end), BF_OK); /* octal, like simple_strtoull */
    BF_CHECK_EQ(v, 8);
    BF_CHECK_EQ(bf_cplb_memparse("M", &v, &end), BF_EINPUT);
    BF_CHECK_EQ(bf_cplb_memparse("4G", &v, &end), BF_EINPUT); /* 2^32 does not fit */
}

static void test_cmdline_validation(void)
{
    bf_cplb_config c = linux_cfg("console=ttyBF0,57600 mem=50M max_mem=64M$# root=/dev/mtdblock0");
    BF_CHECK(bf_cplb_config_check(&c) == NULL);

    c = linux_cfg("mem=80M");
    BF_CHECK_STR(bf_cplb_config_check(&c),
                 "linux.cmdline: mem=80 MB is larger than the 64 MB of SDRAM (sdram_bytes)");
    c = linux_cfg("mem=32M max_mem=128M");
    BF_CHECK_STR(bf_cplb_config_check(&c),
                 "linux.cmdline: max_mem=128 MB is larger than the 64 MB of SDRAM (sdram_bytes)");
    c = linux_cfg("mem=50M max_mem=40M");
    BF_CHECK_STR(bf_cplb_config_check(&c),
                 "linux.cmdline: max_mem=40 MB is below the managed memory (50 MB, mem= or "
                 "sdram_bytes)");
    c = linux_cfg("mem=50M max_mem=64M$x");
    BF_CHECK_STR(bf_cplb_config_check(&c),
                 "linux.cmdline: 'max_mem=64M$x': only '$' and '#' may follow the max_mem= size");
    c = linux_cfg("mem=fifty");
    BF_CHECK_STR(bf_cplb_config_check(&c),
                 "linux.cmdline: 'mem=fifty' is not a size (use e.g. mem=50M)");
    c = linux_cfg("mem=50500K");
    BF_CHECK_STR(bf_cplb_config_check(&c),
                 "linux.cmdline: mem=0x03151000 is not a multiple of 1 MB (the manager maps 1 MB "
                 "pages)");
    c = linux_cfg("mem=0");
    BF_CHECK_STR(bf_cplb_config_check(&c), "linux.cmdline: 'mem=0': mem= must be above 0");

    /* max_mem= without mem=: _ramend is all 64 MB of SDRAM, so max_mem=64M is no reservation
    ** and max_mem=32M is below it. */
    c = linux_cfg("max_mem=64M$");
    BF_CHECK(bf_cplb_config_check(&c) == NULL);
    c = linux_cfg("max_mem=32M");
    BF_CHECK(bf_cplb_config_check(&c) != NULL);

    /* DMA zone sizes follow Kconfig's choice DMA_UNCACHED_{32M,16M,8M,4M,2M,1M,512K,256K,128K,
    ** NONE} (8M, 16M and 32M were refused). 3 MB and 64 MB are not in it. */
    c = linux_cfg("");
    c.dma_uncached_bytes = 3 * 1024 * 1024;
    BF_CHECK_STR(bf_cplb_config_check(&c),
                 "linux.dma_uncached must be 0, 128K, 256K, 512K, 1M, 2M, 4M, 8M, 16M or 32M "
                 "(Kconfig DMA_UNCACHED_*)");
    c.dma_uncached_bytes = 64 * 1024 * 1024;
    BF_CHECK(bf_cplb_config_check(&c) != NULL);
    static const uint32_t kconfig_sizes[] = {0,    128,  256,  512,   1024,
                                             2048, 4096, 8192, 16384, 32768};
    for (size_t k = 0; k < sizeof kconfig_sizes / sizeof kconfig_sizes[0]; k++) {
        c.dma_uncached_bytes = kconfig_sizes[k] * 1024;
        BF_CHECK(bf_cplb_config_check(&c) == NULL);
    }

    /* kernel_end above memory_end: mem=8M leaves memory_end = 8M - 1M = 0x00700000. */
    c = linux_cfg("mem=8M");
    c.kernel_end = 0x00780000;
    BF_CHECK_STR(bf_cplb_config_check(&c),
                 "linux.kernel_end 0x00780000 is above memory_end 0x00700000");
    /* 14 kernel pages (56 MB) + guard + L1 = 16 fixed entries: none left to switch. */
    c = linux_cfg("");
    c.anomaly_05000263 = 0;
    c.sdram_bytes = 128u * 1024 * 1024;
    c.kernel_end = 56u * 1024 * 1024;
    BF_CHECK(bf_cplb_config_check(&c) != NULL);
    c.kernel_end = 52u * 1024 * 1024; /* 13 + 1 + 1 = 15 fixed, one switched: accepted */
    BF_CHECK(bf_cplb_config_check(&c) == NULL);

    /* The Linux policy builds its own tables; explicit entries are a mistake. */
    c = linux_cfg("");
    c.dcplb[5].addr = 0;
    c.dcplb[5].data = COMMON;
    BF_CHECK_STR(bf_cplb_config_check(&c),
                 "cplb.dcplb5 is set but cplb.policy = linux builds its own tables");

    c = linux_cfg("");
    c.sdram_bytes = 100u * 1024 * 1024 + 4096;
    BF_CHECK(bf_cplb_config_check(&c) != NULL);
}

static void test_entry_text(void)
{
    bf_cplb_entry e;
    char err[160], buf[160];
    /* Raw form: ADDR,DATA. */
    BF_CHECK_EQ(bf_cplb_parse_entry("0x00000000,0x0003129d", &e, err, sizeof err), BF_OK);
    BF_CHECK_EQ(e.addr, 0);
    BF_CHECK_EQ(e.data, 0x0003129D);
    /* Readable form: 4M = 3 << 16; valid 0x1 | dirty 0x80 | l1_chbl 0x1000 | user_rd 0x4 |
    ** user_wr 0x8 | supv_wr 0x10 = 0x109D -> 0x0003109D. */
    BF_CHECK_EQ(bf_cplb_parse_entry("0x00400000 4M valid|dirty|l1_chbl|user_rd|user_wr|supv_wr", &e,
                                    err, sizeof err),
                BF_OK);
    BF_CHECK_EQ(e.addr, 0x00400000);
    BF_CHECK_EQ(e.data, 0x0003109D);
    /* "common" = 0x9D; 1K = 0; case-insensitive. */
    BF_CHECK_EQ(bf_cplb_parse_entry("0xFF800000 1k COMMON, lock", &e, err, sizeof err), BF_OK);
    BF_CHECK_EQ(e.data, 0x0000009F);
    /* Canonical text, bits in order, round trip including a bit with no name (bit 10). */
    e.addr = 0x00100000;
    e.data = 0x0002129D | 0x400;
    BF_CHECK_EQ(bf_cplb_format_entry(&e, buf, sizeof buf), strlen(buf) + 1);
    BF_CHECK_STR(buf, "0x00100000 1M valid|user_rd|user_wr|supv_wr|dirty|portprio|l1_chbl|0x400");
    bf_cplb_entry back;
    BF_CHECK_EQ(bf_cplb_parse_entry(buf, &back, err, sizeof err), BF_OK);
    BF_CHECK_EQ(back.addr, e.addr);
    BF_CHECK_EQ(back.data, e.data);
    /* Errors name the text. */
    BF_CHECK_EQ(bf_cplb_parse_entry("0x1000 4M valid|bogus", &e, err, sizeof err), BF_EINPUT);
    BF_CHECK_STR(err, "'0x1000 4M valid|bogus': unknown CPLB flag 'bogus'");
    BF_CHECK_EQ(bf_cplb_parse_entry("here 4M valid", &e, err, sizeof err), BF_EINPUT);
    BF_CHECK_EQ(bf_cplb_parse_entry("0x1000", &e, err, sizeof err), BF_EINPUT);
    BF_CHECK_EQ(bf_cplb_parse_entry("0x1000,0x1,0x2", &e, err, sizeof err), BF_EINPUT);
}

int main(void)
{
    test_entry_text();
    test_defaults();
    test_misaligned_entries();
    test_memparse();
    test_cmdline_validation();
    return bf_test_exit();
}
