/* The daemon's log: lines on stderr prefixed "vmms:" (ARCHITECTURE.md §6). */
#ifndef VMMS_LOG_H
#define VMMS_LOG_H

void vmms_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
