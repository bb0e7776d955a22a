/*
 * Files that must survive a crash whole: a file is written under a
 * temporary name, synced, renamed over the old one, and the directory
 * synced, so a kill -9 at any moment leaves the old file or the new one,
 * never a mix. Temporary names start with '.' and end in ".tmp".
 */
#ifndef VMMS_STORE_H
#define VMMS_STORE_H

#include <stddef.h>
#include <sys/types.h>

/* Each returns 0, or -1 with errno set. */
int store_write(int dirfd, const char *name, const void *data, size_t len, mode_t mode);
int store_remove(int dirfd, const char *name);

/* The whole of a regular file of at most max bytes, NUL-terminated and
 * malloc'd; NULL with errno set (EFBIG when larger). */
char *store_read(int dirfd, const char *name, size_t max, size_t *len);

/* Removes the temporaries a crash left behind. */
void store_clean(int dirfd);

#endif
