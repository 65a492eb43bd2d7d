/*
** bf_file.c: atomic output files and the same-file check (see bf_file.h).
**
** Algorithm: mkstemp() in the destination's directory (a rename within one file system is
** atomic, POSIX rename(2)); fchmod to 0666 & ~umask so the result looks like an fopen("w") file;
** commit = fflush + fsync + fclose + rename; discard = fclose + unlink. Same file = equal
** st_dev and st_ino from stat(2), which follows symlinks.
** An existing device or FIFO (/dev/null, a pipe) is written in place: a rename over it would
** replace the device with a regular file.
** Invariant: a regular destination is either its old content or the complete new content.
*/
#define _POSIX_C_SOURCE 200809L
#include "bf_file.h"
#include "bf_hmem.h"

#include "bf_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int bf_file_same(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!a || !b || !strcmp(a, "-") || !strcmp(b, "-"))
        return 0;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void set_err(char *err, size_t errn, const char *path, const char *why)
{
    if (err && errn)
        snprintf(err, errn, "%s: %s", path, why);
}

int bf_file_open(bf_file_out *o, const char *path, char *err, size_t errn)
{
    memset(o, 0, sizeof *o);
    if (!strcmp(path, "-")) {
        o->f = stdout;
        return BF_OK;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        /* /dev/null, a FIFO, a terminal: nothing to protect, and a rename would replace it */
        if (!(o->f = fopen(path, "wb"))) {
            set_err(err, errn, path, strerror(errno));
            return BF_EIO;
        }
        o->own = 1;
        return BF_OK;
    }
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    size_t dn = slash ? (size_t)(slash - path) + 1 : 0;
    o->path = bf_malloc(n + 1);
    o->tmp = bf_malloc(n + 16);
    if (!o->path || !o->tmp) {
        bf_file_discard(o);
        set_err(err, errn, path, "out of host memory (output file name)");
        return BF_ENOMEM;
    }
    memcpy(o->path, path, n + 1);
    snprintf(o->tmp, n + 16, "%.*s.%s.tmp-XXXXXX", (int)dn, path, path + dn);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        bf_file_discard(o);
        set_err(err, errn, path, strerror(e));
        return BF_EIO;
    }
    mode_t um = umask(0);
    umask(um);
    if (fchmod(fd, 0666 & ~um) != 0 || !(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        bf_file_discard(o);
        set_err(err, errn, path, strerror(e));
        return BF_EIO;
    }
    return BF_OK;
}

int bf_file_commit(bf_file_out *o, char *err, size_t errn)
{
    if (!o->tmp) { /* stdout, or a device or FIFO written in place */
        int bad = o->f && fflush(o->f) != 0;
        if (o->own && o->f && fclose(o->f) != 0)
            bad = 1;
        o->f = NULL;
        o->own = 0;
        if (bad)
            set_err(err, errn, "<stdout>", strerror(errno));
        return bad ? BF_EIO : BF_OK;
    }
    int e = 0;
    if (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0)
        e = errno;
    if (fclose(o->f) != 0 && !e)
        e = errno;
    o->f = NULL;
    if (!e && rename(o->tmp, o->path) != 0)
        e = errno;
    if (e) {
        set_err(err, errn, o->path, strerror(e));
        bf_file_discard(o);
        return BF_EIO;
    }
    free(o->tmp);
    free(o->path);
    o->tmp = o->path = NULL;
    return BF_OK;
}

void bf_file_discard(bf_file_out *o)
{
    if (o->f && (o->tmp || o->own))
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
}
