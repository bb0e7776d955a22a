/*
 * The child's legacy ports, answered in the VMWP: COM1 (uart16550.h, its
 * far end in console.c), a read-only CMOS clock, the ACPI power-management
 * ports of our FADT (power-off and reset) and the PC reset ports. Every
 * other port floats: reads return all ones, writes vanish.
 */
#include <stdint.h>
#include <time.h>

#include "acpi_tables.h"
#include "console.h"
#include "vmwp.h"

static uint8_t bcd(unsigned v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

/* A read-only CMOS clock (ports 0x70/0x71): the root's UTC time in BCD,
 * 24-hour, never updating (UIP clear). Linux reads the wall clock from it
 * at boot even with the FADT's NO_CMOS_RTC; floating ports (0xFF, UIP
 * forever set) cost it seconds of polling and "Unable to read current
 * time from RTC". */
static uint8_t cmos_read(uint8_t index)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	switch (index & 0x7F) {
	case 0x00: return bcd(tm.tm_sec);
	case 0x02: return bcd(tm.tm_min);
	case 0x04: return bcd(tm.tm_hour);
	case 0x06: return bcd(tm.tm_wday + 1);
	case 0x07: return bcd(tm.tm_mday);
	case 0x08: return bcd(tm.tm_mon + 1);
	case 0x09: return bcd(tm.tm_year % 100);
	case 0x32: return bcd(19 + tm.tm_year / 100);
	case 0x0A: return 0x26;		/* 32.768 kHz, 1024 Hz, UIP clear */
	case 0x0B: return 0x02;		/* 24-hour, BCD, no interrupts */
	case 0x0D: return 0x80;		/* VRT: the battery is fine */
	}
	return 0;
}

/* One port access; returns the value read (in) or nothing. */
uint32_t port_io(unsigned vpi, uint16_t port, bool in, unsigned size, uint32_t val)
{
	uint32_t r = 0xFFFFFFFF;

	if (port >= ACPI_COM1_PORT && port < ACPI_COM1_PORT + ACPI_COM1_PORTS) {
		pthread_mutex_lock(&vm.lock);
		if (in) {
			r = uart16550_read(&vm.com1, port - ACPI_COM1_PORT);
			console_feed();
		} else {
			uart16550_write(&vm.com1, port - ACPI_COM1_PORT, (uint8_t)val);
		}
		pthread_mutex_unlock(&vm.lock);
		return r;
	}
	if (port == 0x70 || port == 0x71) {
		pthread_mutex_lock(&vm.lock);
		if (port == 0x70 && !in)
			vm.cmos_index = (uint8_t)val;
		else if (port == 0x70)
			r = vm.cmos_index;
		else if (in)
			r = cmos_read(vm.cmos_index);
		pthread_mutex_unlock(&vm.lock);
		return r;
	}
	if (port >= PM_PORT && port < PM_PORT + ACPI_PM_PORTS) {
		unsigned off = port - PM_PORT;

		if (in)
			return off == ACPI_PM_SLEEP_STATUS ? ACPI_WAK_STS : 0;
		if (off == ACPI_PM_SLEEP_CONTROL && (val & ACPI_SLP_EN) &&
		    ((val & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT) == ACPI_SLP_TYP_S5)
			vm_end(EXIT_POWEROFF, "the child powered off (ACPI S5 from VP %u)", vpi);
		else if (off == ACPI_PM_RESET && (val & 0xFF) == ACPI_RESET_VALUE)
			vm_end(EXIT_RESET, "the child reset (ACPI reset register, VP %u)", vpi);
		return 0;
	}
	if (!in && port == 0xCF9 && (val & 0x4))
		vm_end(EXIT_RESET, "the child reset (port 0xCF9, VP %u)", vpi);
	if (!in && port == 0x64 && (val & 0xFF) == 0xFE)
		vm_end(EXIT_RESET, "the child reset (i8042 pulse, VP %u)", vpi);
	(void)size;	/* unclaimed: reads float, writes vanish */
	return r;
}
