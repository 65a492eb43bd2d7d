#define _POSIX_C_SOURCE 200809L /* open_memstream */
/*
** test_reader.c: the replay driver fed by the allocation-trace reader (bf_areplay_reader) on
** a native .bfa text in memory, on nommu with trimming (64 pages at 0x100000, MAX_ORDER 11,
** min_free_kbytes 4; free lists 1, 2-3, 4-7, 8-15, 16-31, 32-63 as in test_buddy.c).
**   mmap 1 20000      -> 5 pages: order 3 block 8-15 (0x00108000), trimmed: 14-15 pushed on
**                        order 1 (list 14, 2), then 13 on order 0 (list 13, 1)
**   pages_alloc 2 1   -> order 1: list head 14 (0x0010e000)
**   phase boot-end    -> no xPhase on nommu
**   munmap 1          -> pages 8..12 freed one by one: 8-11 merge to order 2; 12 merges with 13
**                        (order 1; its buddy 14-15 is allocated)
**   mmap 3 4096       -> 1 page: order-0 list is now just page 1 (0x00101000)
** Expected dump lines are written below; the oracle is the hand-worked trimming in test_buddy.c.
*/
#include "alloc_test.h"
#include "bf_alloc_replay.h"

int main(void)
{
    static const char text[] = "#bfsim-alloc 1\n"
                               "mmap 1 20000\n"
                               "pages_alloc 2 1 GFP_KERNEL\n"
                               "phase boot-end\n"
                               "munmap 1\n"
                               "mmap 3 4096\n";
    at_env t;
    at_env_flat(&t, 0x100000, 64 * 4096, 11, 4);
    t.env.nr_trim_pages = 1;
    bf_atrace_reader *r = NULL;
    char err[256];
    BF_CHECK_EQ(
        bf_atrace_open_mem(text, sizeof(text) - 1, "t.bfa", BF_AFMT_AUTO, &r, err, sizeof(err)),
        BF_OK);
    if (!r) {
        fprintf(stderr, "%s\n", err);
        return bf_test_exit();
    }
    char *dump = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&dump, &len);
    bf_areplay_opts o;
    memset(&o, 0, sizeof(o));
    o.check_every_op = 1;
    o.dump_events = f;
    bf_areplay_result res;
    int rc = bf_areplay_reader(bf_alloc_find("nommu"), &t.env, r, &o, &res);
    fclose(f);
    BF_CHECK_EQ(rc, BF_OK);
    if (rc != BF_OK)
        fprintf(stderr, "%s\n", res.error);
    BF_CHECK_STR(dump, "0 mmap 1 0x00108000\n"
                       "1 pages_alloc 2 0x0010e000\n"
                       "2 phase boot-end -\n"
                       "3 munmap 1 0x00108000\n"
                       "4 mmap 3 0x00101000\n");
    BF_CHECK_EQ(res.stats.ops, 5);
    BF_CHECK_EQ(res.stats.live_requested, 8192 + 4096);
    free(dump);
    bf_areplay_result_free(&res);
    bf_atrace_close(r);
    at_close(&t);
    return bf_test_exit();
}
