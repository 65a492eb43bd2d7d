/*
** bf_baseline.c: regression baselines (see bf_baseline.h).
**
** Reading: each line is a flat JSON object whose members are strings, numbers or null (RFC 8259
** string escapes, \uXXXX encoded as UTF-8, surrogate pairs joined); anything else is an error
** naming the line. Lines are read one at a time with getline, so a baseline of any size streams.
** Writing: entries sorted by (job, stat) with strcmp, numbers in their shortest round-trip form
** (bf_json_num) through a bf_jw, to "PATH.tmp" then rename(2), so a reader never sees half a file.
** Invariant: after read or sort, entries are in (job, stat) order and no pair repeats.
*/
#define _POSIX_C_SOURCE 200809L
#include "bf_baseline.h"
#include "bf_hmem.h"
#include "bf_json.h"
#include "bf_strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bf_common.h"
#include "bf_results.h"

int bf_baseline_add(bf_baseline *b, const char *job, const char *stat, double value,
                    const char *text)
{
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 256;
        bf_baseline_entry *nv = bf_realloc(b->v, nc * sizeof *nv);
        if (!nv)
            return BF_ENOMEM;
        b->v = nv;
        b->cap = nc;
    }
    bf_baseline_entry *e = &b->v[b->n];
    e->job = bf_strdup(job);
    e->stat = bf_strdup(stat);
    e->text = text ? bf_strdup(text) : NULL;
    e->value = text ? NAN : value;
    if (!e->job || !e->stat || (text && !e->text)) {
        free(e->job);
        free(e->stat);
        free(e->text);
        return BF_ENOMEM;
    }
    b->n++;
    return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const bf_baseline_entry *a = pa, *b = pb;
    int c = strcmp(a->job, b->job);
    return c ? c : strcmp(a->stat, b->stat);
}

void bf_baseline_sort(bf_baseline *b)
{
    if (b->n)
        qsort(b->v, b->n, sizeof *b->v, entry_cmp);
}

size_t bf_baseline_job_start(const bf_baseline *b, const char *job)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(b->v[mid].job, job) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void bf_baseline_free(bf_baseline *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->v[i].job);
        free(b->v[i].stat);
        free(b->v[i].text);
    }
    free(b->v);
    memset(b, 0, sizeof *b);
}

/* ---- reading ---- */

typedef struct member {
    char key[64];
    int kind; /* 0 string, 1 number, 2 null */
    char *str;
    double num;
} member;

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    return p;
}

static void put_utf8(char **o, unsigned cp)
{
    unsigned char *u = (unsigned char *)*o;
    if (cp < 0x80) {
        *u++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *u++ = (unsigned char)(0xC0 | cp >> 6);
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *u++ = (unsigned char)(0xE0 | cp >> 12);
        *u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *u++ = (unsigned char)(0xF0 | cp >> 18);
        *u++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        *u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    *o = (char *)u;
}

static int hex4(const char *p, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        *v = *v << 4 | (unsigned)d;
    }
    return 0;
}

/* A JSON string at *pp (at the opening quote), decoded in place into out (which may be *pp's
** buffer: the decoded text is never longer). NULL on success, else the reason. */
static const char *parse_string(const char **pp, char *out)
{
    const char *p = *pp + 1;
    char *o = out;
    for (;;) {
        unsigned char c = (unsigned char)*p;
        if (!c)
            return "unterminated string";
        if (c < 0x20)
            return "control character in a string";
        if (c == '"')
            break;
        if (c != '\\') {
            *o++ = (char)c;
            p++;
            continue;
        }
        p++;
        switch (*p) {
        case '"':
            *o++ = '"';
            break;
        case '\\':
            *o++ = '\\';
            break;
        case '/':
            *o++ = '/';
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            unsigned cp, lo;
            if (hex4(p + 1, &cp))
                return "bad \\u escape";
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && p[1] == '\\' && p[2] == 'u' && !hex4(p + 3, &lo) &&
                lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            if (cp >= 0xD800 && cp < 0xE000)
                cp = 0xFFFD;
            if (cp == 0)
                return "NUL in a string";
            put_utf8(&o, cp);
            break;
        }
        default:
            return "bad escape in a string";
        }
        p++;
    }
    *o = 0;
    *pp = p + 1;
    return NULL;
}

/* One flat object; line is modified (strings decoded in place). NULL or the reason. */
static const char *parse_object(char *line, member *m, size_t maxm, size_t *nm)
{
    const char *p = skip_ws(line);
    *nm = 0;
    if (*p != '{')
        return "expected a JSON object";
    p = skip_ws(p + 1);
    if (*p == '}')
        return *skip_ws(p + 1) ? "text after the object" : NULL;
    for (;;) {
        if (*nm == maxm)
            return "too many members";
        member *x = &m[*nm];
        if (*p != '"')
            return "expected a member name";
        char *kbuf = (char *)p;
        const char *e = parse_string(&p, kbuf);
        if (e)
            return e;
        if (strlen(kbuf) >= sizeof x->key)
            return "member name too long";
        snprintf(x->key, sizeof x->key, "%s", kbuf);
        p = skip_ws(p);
        if (*p != ':')
            return "expected ':'";
        p = skip_ws(p + 1);
        if (*p == '"') {
            x->kind = 0;
            x->str = (char *)p;
            if ((e = parse_string(&p, x->str)))
                return e;
        } else if (!strncmp(p, "null", 4)) {
            x->kind = 2;
            p += 4;
        } else {
            char *end;
            errno = 0;
            x->num = strtod(p, &end);
            if (end == p || (*p != '-' && (*p < '0' || *p > '9')) || !isfinite(x->num))
                return "expected a string, a number or null";
            x->kind = 1;
            p = end;
        }
        (*nm)++;
        p = skip_ws(p);
        if (*p == '}')
            return *skip_ws(p + 1) ? "text after the object" : NULL;
        if (*p != ',')
            return "expected ',' or '}'";
        p = skip_ws(p + 1);
    }
}

static const member *find_member(const member *m, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(m[i].key, key))
            return &m[i];
    return NULL;
}

int bf_baseline_read(const char *path, bf_baseline *b, char *err, size_t errn)
{
    memset(b, 0, sizeof *b);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errn, "cannot open %s: %s", path, strerror(errno));
        return BF_EIO;
    }
    int rc = bf_baseline_read_stream(f, path, b, err, errn);
    fclose(f);
    return rc;
}

int bf_baseline_read_stream(FILE *f, const char *path, bf_baseline *b, char *err, size_t errn)
{
    memset(b, 0, sizeof *b);
    char *line = NULL;
    size_t cap = 0;
    unsigned long ln = 0;
    int rc = 0, have_header = 0;
    while (!rc && getline(&line, &cap, f) >= 0) {
        ln++;
        if (!*skip_ws(line))
            continue;
        member m[8];
        size_t nm;
        const char *why = parse_object(line, m, BF_ARRAY_SIZE(m), &nm);
        if (why) {
            rc = bf_strbuf_line_error(err, errn, path, ln, "%s", why);
            break;
        }
        const member *suite = find_member(m, nm, "suite");
        if (!have_header) {
            const member *fmt = find_member(m, nm, "format");
            if (!suite || suite->kind || !fmt || fmt->kind || strcmp(fmt->str, BF_BASELINE_FORMAT))
                rc = bf_strbuf_line_error(
                    err, errn, path, ln,
                    "not a bfsim baseline (the first line must be {\"suite\": NAME, "
                    "\"format\": \"%s\"})",
                    BF_BASELINE_FORMAT);
            else if (strlen(suite->str) >= sizeof b->suite)
                rc = bf_strbuf_line_error(err, errn, path, ln, "%s", "suite name too long");
            else
                snprintf(b->suite, sizeof b->suite, "%s", suite->str);
            have_header = 1;
            continue;
        }
        const member *job = find_member(m, nm, "job"), *stat = find_member(m, nm, "stat"),
                     *val = find_member(m, nm, "value");
        if (!job || job->kind || !stat || stat->kind || !val || nm != 3) {
            rc = bf_strbuf_line_error(
                err, errn, path, ln, "%s",
                "expected {\"job\": STRING, \"stat\": STRING, \"value\": NUMBER|STRING|null}");
            break;
        }
        if (val->kind == 0 && strcmp(stat->str, BF_BASELINE_STATUS)) {
            rc = bf_strbuf_line_error(
                err, errn, path, ln, "%s: a statistic's value must be a number or null", stat->str);
            break;
        }
        rc = bf_baseline_add(b, job->str, stat->str, val->kind == 1 ? val->num : NAN,
                             val->kind == 0 ? val->str : NULL);
        if (rc)
            snprintf(err, errn, "%s: out of memory", path);
    }
    if (!rc && ferror(f))
        rc = bf_strbuf_line_error(err, errn, path, ln + 1, "cannot read: %s", strerror(errno));
    if (!rc && !have_header)
        rc = bf_strbuf_line_error(err, errn, path, 1, "%s", "empty file: not a bfsim baseline");
    free(line);
    if (!rc) {
        bf_baseline_sort(b);
        for (size_t i = 1; i < b->n && !rc; i++)
            if (!entry_cmp(&b->v[i - 1], &b->v[i]))
                rc = bf_strbuf_line_error(err, errn, path, 0, "job '%s' stat '%s' given twice",
                                          b->v[i].job, b->v[i].stat);
    }
    if (rc)
        bf_baseline_free(b);
    return rc;
}

void bf_baseline_json_value(bf_jw *w, double value, const char *text)
{
    if (text)
        bf_jw_str(w, text);
    else
        bf_jw_num(w, value);
}

int bf_baseline_write_file(const char *path, int (*fill)(FILE *f, const void *arg), const void *arg,
                           char *err, size_t errn)
{
    size_t pl = strlen(path);
    char *tmp = bf_malloc(pl + 5);
    if (!tmp)
        return BF_ENOMEM;
    memcpy(tmp, path, pl);
    memcpy(tmp + pl, ".tmp", 5);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errn, "cannot write %s: %s", tmp, strerror(errno));
        free(tmp);
        return BF_EIO;
    }
    int bad = fill(f, arg) != 0;
    bad |= ferror(f) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        snprintf(err, errn, "cannot write %s: %s", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return BF_EIO;
    }
    free(tmp);
    return 0;
}

static int fill_baseline(FILE *f, const void *arg)
{
    const bf_baseline *b = arg;
    bf_jw w; /* JSON lines: each top-level object ends its line */
    bf_jw_init(&w, f, BF_JW_SPACED);
    bf_jw_object(&w);
    bf_jw_key(&w, "suite");
    bf_jw_str(&w, b->suite);
    bf_jw_key(&w, "format");
    bf_jw_str(&w, BF_BASELINE_FORMAT);
    bf_jw_end(&w);
    for (size_t i = 0; i < b->n; i++) {
        const bf_baseline_entry *e = &b->v[i];
        bf_jw_object(&w);
        bf_jw_key(&w, "job");
        bf_jw_str(&w, e->job);
        bf_jw_key(&w, "stat");
        bf_jw_str(&w, e->stat);
        bf_jw_key(&w, "value");
        bf_baseline_json_value(&w, e->value, e->text);
        bf_jw_end(&w);
    }
    return 0;
}

int bf_baseline_write(const char *path, bf_baseline *b, char *err, size_t errn)
{
    bf_baseline_sort(b);
    return bf_baseline_write_file(path, fill_baseline, b, err, errn);
}
