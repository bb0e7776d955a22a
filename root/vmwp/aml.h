/* A small AML byte-code writer (ACPI 6.5 §20) for the child's DSDT: just
 * the objects the VMWP describes (scopes, devices, names, a constant
 * method, packages, resource templates). It writes into the caller's fixed
 * buffer; every append checks the space left and, instead of overflowing,
 * records the first error, after which every call does nothing. Objects
 * with a PkgLength are opened by a *_begin call and closed by aml_end(),
 * which inserts the PkgLength (1-4 bytes) once the content length is known.
 * Integers are 64-bit: the tables must have revision >= 2. */
#ifndef SEPTUM_VMWP_AML_H
#define SEPTUM_VMWP_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Objects open at once; the DSDT nests three deep. */
#define AML_MAX_DEPTH 16

/* Longest content a 4-byte PkgLength covers: 28 bits minus the 4 bytes. */
#define AML_PKGLEN_MAX_CONTENT (0x0FFFFFFFu - 4)

enum aml_err {
	AML_OK = 0,
	AML_ENOSPC, /* the buffer is full */
	AML_EINVAL, /* bad name, EISA id, string, count or range */
	AML_ENEST,  /* aml_end() with nothing open, too deep, descriptor outside a template */
};

struct aml {
	uint8_t *buf;
	size_t cap;
	size_t len;
	enum aml_err err;
	unsigned int depth;
	struct {
		size_t at; /* where the PkgLength goes */
		bool res;  /* a resource template: aml_end() adds EndTag and BufferSize */
	} open[AML_MAX_DEPTH];
};

/* Starts writing at buf[0]; cap is the buffer's size in bytes. */
void aml_init(struct aml *a, void *buf, size_t cap);

/* Returns AML_OK if nothing failed and everything opened was closed (the
 * output is a[buf, len)), else the first error (AML_ENEST for one still open). */
enum aml_err aml_finish(struct aml *a);

/* Encodes the PkgLength of an object whose content after the PkgLength is
 * content bytes (§20.2.4: the value counts the PkgLength's own bytes).
 * Returns the number of bytes written to out (1-4), or 0 if too long. */
unsigned int aml_pkglen(size_t content, uint8_t out[4]);

/* A NameString (§20.2.2): optional '\' or '^'s, then NameSegs joined by
 * '.', each 1-4 of A-Z, 0-9, '_' (not a digit first), padded with '_'.
 * "\" alone is the root (NullName). */
void aml_namestring(struct aml *a, const char *path);

/* An Integer as Zero, One, Ones (all 64 bits) or the shortest of
 * ByteConst, WordConst, DWordConst, QWordConst (§20.2.3), as iasl picks. */
void aml_integer(struct aml *a, uint64_t v);

/* A String of ASCII 0x01-0x7F (§20.2.3). */
void aml_string(struct aml *a, const char *s);

/* A compressed EISA id (§6.1.5: "AAA####", A uppercase, # hex digit) as
 * the Integer iasl makes of EisaId("..."). */
void aml_eisaid(struct aml *a, const char *id);

/* DefName (§20.2.5.1): NameOp and the name; the value follows. */
void aml_name(struct aml *a, const char *name);
void aml_name_int(struct aml *a, const char *name, uint64_t v);
void aml_name_str(struct aml *a, const char *name, const char *s);

/* DefScope, DefDevice (§20.2.5.1, §20.2.5.2), each closed by aml_end(). */
void aml_scope_begin(struct aml *a, const char *path);
void aml_device_begin(struct aml *a, const char *name);

/* DefMethod (§20.2.5.2), NotSerialized, nargs 0-7; closed by aml_end(). */
void aml_method_begin(struct aml *a, const char *name, unsigned int nargs);

/* ReturnOp (§20.2.5.3); the value follows. */
void aml_return(struct aml *a);

/* DefPackage (§20.2.5.4) of nelem (0-255) elements that follow; closed by
 * aml_end(). */
void aml_package_begin(struct aml *a, unsigned int nelem);

/* A ResourceTemplate: a DefBuffer holding resource descriptors (§6.4);
 * aml_end() appends the EndTag (checksum 0: "treated as valid", §6.4.2.9)
 * and fills in the BufferSize. */
void aml_restemplate_begin(struct aml *a);

/* Closes the innermost open object. */
void aml_end(struct aml *a);

/* Resource descriptors, only directly inside a resource template. */

/* I/O Port Descriptor (§6.4.2.5), 16-bit decode. */
void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len);

/* IRQ Descriptor (§6.4.2.1) without its information byte, which makes
 * the IRQs in mask (bit n: IRQ n) edge-triggered, active high, exclusive:
 * ISA's own. iasl: IRQNoFlags () {...}. */
void aml_res_irq(struct aml *a, uint16_t mask);

/* DWord/QWord Address Space Descriptors (§6.4.3.5.2, §6.4.3.5.1) for
 * memory at [min, min + len): PosDecode, MinFixed, MaxFixed, NonCacheable,
 * ReadWrite, granularity and translation 0; producer for a bus window
 * handed to children, else consumer. len must be non-zero and the range
 * must not wrap. */
void aml_res_dword_memory(struct aml *a, bool producer, uint32_t min, uint32_t len);
void aml_res_qword_memory(struct aml *a, bool producer, uint64_t min, uint64_t len);

#endif
