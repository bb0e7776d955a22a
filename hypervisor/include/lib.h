/* String and formatting helpers: the hypervisor has no libc. */
#ifndef SEPTUM_LIB_H
#define SEPTUM_LIB_H

#include <stdarg.h>
#include "types.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strncmp(const char *a, const char *b, size_t n);

/* printf subset: %d %i %u %x %X %o %p %s %c %%, flags '-' '0', width,
 * precision for %s (also .*), length modifiers hh h l ll z. Always NUL-terminates
 * when size > 0 and returns the length the full output would have had. */
int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int hv_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Parses an unsigned number with an optional 0x prefix and K/M/G suffix.
 * Returns 0 and the value, or -1 for anything else. */
int parse_size(const char *s, size_t len, u64 *out);

#endif
