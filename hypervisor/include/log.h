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

/* Provided by the platform: raw console output and the end of the world. */
void console_write(const char *s, size_t n);
__noreturn void platform_halt(int status);

#endif
