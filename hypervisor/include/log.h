/* The hypervisor's log: COM1 lines prefixed "septum: " so tests can parse them. */
#ifndef SEPTUM_LOG_H
#define SEPTUM_LOG_H

#include "types.h"

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_level log_level;

void log_printf(enum log_level level, const char *fmt, ...) __printf(2, 3);
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define pr_err(...)   log_printf(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  log_printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log_printf(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/* Called by panic() before halting: shows the VP being handled, if any. */
void panic_hook(void);

/* The log also goes to a ring the root reads later (through the VID):
 * bytes from absolute offset `from`; *next is where to continue, *lost
 * how many bytes before it were already overwritten. */
size_t log_ring_read(u64 from, char *buf, size_t len, u64 *next, u64 *lost);

/* Provided by the platform: raw console output, giving COM1 up to the
 * root (false: no second port, the log then only fills the ring), and the
 * end of the world. */
void console_write(const char *s, size_t n);
bool console_handover(void);
__noreturn void platform_halt(int status);

#endif
