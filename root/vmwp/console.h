/*
 * The far end of the child's COM1: where its output goes and its input
 * comes from. Three kinds, chosen with --console:
 *
 *   stdio      this process's stdout and stdin (the default);
 *   pty        a pseudo-terminal; its name is logged ("console on /dev/pts/N");
 *   unix:PATH  a Unix stream socket at PATH; one client at a time.
 *
 * Output is never allowed to stall the guest on a pty or a socket: it goes
 * through a 64 KiB ring, and whatever no one has read yet waits there (the
 * oldest bytes give way when it is full). A socket client that attaches
 * gets the ring's contents first, so the boot log is not lost on a console
 * nobody watched. Input is handed to the UART as the guest drains it.
 */
#ifndef SEPTUM_VMWP_CONSOLE_H
#define SEPTUM_VMWP_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

/* Sets up the console; 0, or -1 with a message in err. */
int console_open(const char *spec, char *err, size_t errlen);
/* Starts the console's thread (input, output to slow readers, clients). */
int console_start(void);
/* One byte of guest output (called with vm.lock held, from the UART). */
void console_put(uint8_t byte);
/* The guest read the UART: feed it pending input (vm.lock held). */
void console_feed(void);
/* Flushes what can be flushed and removes a socket path. */
void console_close(void);

#endif
