/*
** test_suite.c: every file of the bundled suite (workloads/suite) is read to its end by the
** bfsim readers without an error, and yields the number of records that workloads/suite/README.md
** states for it.
**
** Oracle: the README's "records" column, written by record-all from the files themselves with
** grep/awk (native traces: non-comment lines; Lackey: the I/L/S/M line count of the .meta file),
** independent of the readers under test. Lackey files are read with misaligned=count-once so that
** one Lackey line is one record, except that the first-touch mapper cuts an access crossing a
** 64 KB window boundary in two (docs/trace-format.md section 5): those extra pieces, counted in
** trace.window_splits, are subtracted. Allocation traces are read in strict mode: an unmatched or
*double
** free would be an error.
*/
#include "bf_atrace.h"
#include "bf_test.h"
#include "bf_trace.h"

#include <stdlib.h>

static uint64_t count_access(const char *path, char *err, size_t errn)
{
    bf_trace_options o;
    bf_trace_options_default(&o);
    o.misaligned = BF_MISALIGNED_COUNT_ONCE;
    bf_trace_reader *r = NULL;
    if (bf_trace_open(path, &o, &r, err, errn) != BF_OK)
        return UINT64_MAX;
    bf_trace_rec rec;
    uint64_t n = 0;
    int rc;
    while ((rc = bf_trace_next(r, &rec)) == BF_OK)
        n++;
    if (rc != BF_EEOF) {
        snprintf(err, errn, "%s", bf_trace_error(r));
        n = UINT64_MAX;
    } else {
        n -= bf_trace_reader_stats_of(r)->window_splits;
    }
    bf_trace_close(r);
    return n;
}

static uint64_t count_alloc(const char *path, char *err, size_t errn)
{
    bf_atrace_reader *r = NULL;
    if (bf_atrace_open(path, BF_AFMT_AUTO, &r, err, errn) != BF_OK)
        return UINT64_MAX;
    bf_arec rec;
    uint64_t n = 0;
    int rc;
    while ((rc = bf_atrace_next(r, &rec)) == BF_OK)
        n++;
    if (rc != BF_EEOF) {
        snprintf(err, errn, "%s", bf_atrace_error(r));
        n = UINT64_MAX;
    }
    bf_atrace_close(r);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SUITE_DIR\n", argv[0]);
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/README.md", argv[1]);
    FILE *f = fopen(path, "r");
    BF_CHECK(f != NULL);
    if (!f)
        return bf_test_exit();
    char line[4096];
    int files = 0, access = 0, alloc = 0;
    while (fgets(line, sizeof line, f)) {
        char name[256];
        unsigned long long bytes, records;
        /* | `NAME` | kind | bytes | records | provenance | */
        if (sscanf(line, "| `%255[^`]` | %*[^|]| %llu | %llu |", name, &bytes, &records) != 3)
            continue;
        files++;
        char fp[4096], err[512] = "";
        snprintf(fp, sizeof fp, "%s/%s", argv[1], name);
        int is_alloc = strstr(name, ".bfa") != NULL;
        uint64_t n =
            is_alloc ? count_alloc(fp, err, sizeof err) : count_access(fp, err, sizeof err);
        if (n == UINT64_MAX)
            fprintf(stderr, "%s: %s\n", name, err);
        else if (n != records)
            fprintf(stderr, "%s: %llu records read, README says %llu\n", name,
                    (unsigned long long)n, records);
        BF_CHECK_EQ(n, records);
        if (is_alloc)
            alloc++;
        else
            access++;
    }
    fclose(f);
    BF_CHECK(access >= 8); /* the suite holds at least 8 access traces */
    BF_CHECK(alloc >= 5);  /* at least 4 recorded allocation traces + the launch workload */
    return bf_test_exit();
}
