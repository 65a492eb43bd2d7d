/*
** bf_file.h: host files written whole or not at all, and the "is this output my input?" check.
**
** Rules: an output that is one of the inputs is refused before anything is opened
** for writing; every output file is written to a temporary file in the same directory and
** renamed over the destination only when it is complete, so a failed, interrupted or killed
** command never truncates or half-writes an existing file ("-" is stdout, and an existing device
** or FIFO such as /dev/null is opened in place: both are written as they go; renaming over a
** device would replace it with a regular file).
*/
#ifndef BF_FILE_H
#define BF_FILE_H

#include <stddef.h>
#include <stdio.h>

/* 1 if a and b name the same existing file (same device and inode, after symlinks), else 0.
** "-" (stdin/stdout) is never the same as anything. */
int bf_file_same(const char *a, const char *b);

typedef struct bf_file_out {
    FILE *f;    /* write here */
    char *tmp;  /* the temporary file (NULL for stdout) */
    char *path; /* the destination */
    int own;    /* 1: f is a device or FIFO opened in place (closed by commit/discard) */
} bf_file_out;

/* Create "DIR/.NAME.tmp-XXXXXX" beside path (mode 0666 less the umask). BF_OK, or BF_EIO /
** BF_ENOMEM with "path: reason" in err. path "-" writes stdout directly. */
int bf_file_open(bf_file_out *o, const char *path, char *err, size_t errn);
/* Flush, close and rename into place. On failure the temporary file is removed, the destination
** is left as it was, and err says why. Frees o's strings either way. */
int bf_file_commit(bf_file_out *o, char *err, size_t errn);
/* Close and remove the temporary file; the destination is untouched. Safe on a zeroed o. */
void bf_file_discard(bf_file_out *o);

#endif
