/* Decoder for the MOV forms that reach an emulated MMIO page (SDM vol. 2,
 * ch. 2 for the encoding). Every byte is bound-checked against both the
 * fetched count and the 15-byte limit before it is read. */
#include "mmio_insn.h"

#define REX_W 0x08
#define REX_R 0x04

/* Byte i is needed: is it within the architectural limit and the buffer? */
static int need(size_t i, size_t n)
{
	if (i >= MMIO_INSN_MAX_LEN)
		return MMIO_INSN_ERR_TOO_LONG;
	if (i >= n)
		return MMIO_INSN_ERR_TRUNCATED;
	return 0;
}

static uint64_t mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* Little-endian value of b[i..i+len), all of which the caller checked. */
static uint64_t get_le(const uint8_t *b, size_t i, unsigned len)
{
	uint64_t v = 0;

	while (len--)
		v = v << 8 | b[i + len];
	return v;
}

/* Number of SIB and displacement bytes after the ModRM at b[i], or an
 * error. Only the length matters: the GPA is already known. */
static int modrm_tail(const uint8_t *b, size_t i, size_t n, bool addr16)
{
	uint8_t mod = b[i] >> 6, rm = b[i] & 7;
	int sib = 0, err;

	if (addr16) /* no SIB; mod 00 rm 110 is a bare disp16 */
		return mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 6)) ? 2 : 0;
	if (rm == 4) {
		err = need(i + 1, n);
		if (err)
			return err;
		sib = 1;
		/* SIB base 101 under mod 00 means disp32 and no base, whatever
		 * REX.B says, just like rm 101 (RIP-relative in 64-bit mode). */
		rm = b[i + 1] & 7;
	}
	return sib + (mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 5)) ? 4 : 0);
}

/* Skips the prefixes at b[0..); returns the opcode's index or an error.
 * In 64-bit mode a REX counts only right before the opcode: one followed
 * by a legacy prefix is ignored, though it still takes a byte. */
static int prefixes(const uint8_t *b, size_t n, enum mmio_insn_mode mode, uint8_t *rex,
		    bool *opsize, bool *asize)
{
	size_t i;
	int err;

	*rex = 0;
	for (i = 0;; i++) {
		err = need(i, n);
		if (err)
			return err;
		if (mode == MMIO_INSN_64 && (b[i] & 0xf0) == 0x40) {
			*rex = b[i];
			continue;
		}
		switch (b[i]) {
		case 0xf0: /* LOCK, REPNE, REP: nothing an MMIO accessor emits */
		case 0xf2:
		case 0xf3:
			return MMIO_INSN_ERR_LOCK_REP;
		case 0x66:
			*opsize = true;
			break;
		case 0x67:
			*asize = true;
			break;
		case 0x26: /* segment overrides: the GPA is already known */
		case 0x2e:
		case 0x36:
		case 0x3e:
		case 0x64:
		case 0x65:
			break;
		default:
			return (int)i;
		}
		*rex = 0;
	}
}

/* What the opcode at b[i] (and b[i+1] after 0F) does, into d; returns the
 * index past the opcode, or an error. A size or reg_size of 0 here stands
 * for the operand size, known only once the caller has weighed REX.W. */
static int opcode(const uint8_t *b, size_t i, size_t n, struct mmio_insn *d, bool *moffs)
{
	uint8_t op = b[i++];
	int err;

	if (op == 0x0f) {
		err = need(i, n);
		if (err)
			return err;
		op = b[i++];
		switch (op) {
		case 0xb6: /* MOVZX r, r/m8; r/m16 */
		case 0xb7:
		case 0xbe: /* MOVSX r, r/m8; r/m16 */
		case 0xbf:
			d->size = op & 1 ? 2 : 1;
			d->sign_extend = op & 8;
			return (int)i; /* into a register of the operand size */
		}
		return MMIO_INSN_ERR_UNSUPPORTED;
	}
	switch (op) {
	case 0x88: /* MOV r/m, r */
	case 0x89:
		d->write = true;
		/* fall through */
	case 0x8a: /* MOV r, r/m */
	case 0x8b:
		d->size = op & 1 ? 0 : 1;
		d->reg_size = d->size;
		return (int)i;
	case 0xc6: /* MOV r/m, imm */
	case 0xc7:
		d->write = true;
		d->has_imm = true;
		d->size = op & 1 ? 0 : 1;
		return (int)i;
	case 0xa0: /* MOV AL/rAX, moffs */
	case 0xa1:
	case 0xa2: /* MOV moffs, AL/rAX */
	case 0xa3:
		*moffs = true;
		d->write = op & 2;
		d->size = op & 1 ? 0 : 1;
		d->reg_size = d->size;
		return (int)i;
	}
	return MMIO_INSN_ERR_UNSUPPORTED;
}

int mmio_insn_decode(const uint8_t *b, size_t n, enum mmio_insn_mode mode, struct mmio_insn *out)
{
	struct mmio_insn d = {0};
	bool opsize = false, asize = false, moffs = false;
	unsigned osz, asz, imm_len;
	uint8_t rex, modrm, reg;
	int i, tail, err;

	if (mode != MMIO_INSN_16 && mode != MMIO_INSN_32 && mode != MMIO_INSN_64)
		return MMIO_INSN_ERR_UNSUPPORTED;
	i = prefixes(b, n, mode, &rex, &opsize, &asize);
	if (i < 0)
		return i;
	i = opcode(b, i, n, &d, &moffs);
	if (i < 0)
		return i;

	/* 66 flips 16 <-> 32 and REX.W, which wins over 66, makes 64; 67 flips
	 * 16 <-> 32 outside long mode and makes 64 -> 32 inside. */
	if (rex & REX_W)
		osz = 8;
	else
		osz = (mode == MMIO_INSN_16) != opsize ? 2 : 4;
	if (mode == MMIO_INSN_64)
		asz = asize ? 4 : 8;
	else
		asz = (mode == MMIO_INSN_16) != asize ? 2 : 4;
	if (!d.size)
		d.size = osz;
	if (!d.reg_size && !d.has_imm)
		d.reg_size = osz;

	if (moffs) {
		/* AL or rAX; no ModRM, so REX.R/B do not apply. */
		err = need(i + asz - 1, n);
		if (err)
			return err;
		d.len = i + asz;
		*out = d;
		return 0;
	}

	err = need(i, n);
	if (err)
		return err;
	modrm = b[i];
	reg = (modrm >> 3) & 7;
	/* C6/C7 with reg != 0 are other instructions (XABORT, XBEGIN at /7). */
	if (d.has_imm && reg)
		return MMIO_INSN_ERR_UNSUPPORTED;
	if (modrm >> 6 == 3)
		return MMIO_INSN_ERR_NO_MEMORY;
	tail = modrm_tail(b, i, n, asz == 2);
	if (tail < 0)
		return tail;
	i += 1 + tail;

	if (d.has_imm) {
		/* imm8, imm16 or imm32; with REX.W the imm32 is sign-extended. */
		imm_len = d.size > 4 ? 4 : d.size;
		err = need(i + imm_len - 1, n);
		if (err)
			return err;
		d.imm = get_le(b, i, imm_len);
		if (d.size == 8 && (d.imm & 0x80000000))
			d.imm |= ~0ULL << 32;
		i += imm_len;
	} else {
		err = need(i - 1, n);
		if (err)
			return err;
		d.reg = reg | (rex & REX_R ? 8 : 0);
		/* Without REX, 8-bit registers 4-7 are AH, CH, DH, BH. */
		d.high_byte = d.reg_size == 1 && !rex && d.reg >= 4;
	}
	d.len = i;
	*out = d;
	return 0;
}

uint64_t mmio_insn_load(const struct mmio_insn *insn, uint64_t old, uint64_t value)
{
	uint64_t m = mask(insn->size);

	value &= m;
	if (insn->sign_extend && (value & ~(m >> 1)))
		value |= ~m;
	switch (insn->reg_size) {
	case 1:
		if (insn->high_byte)
			return (old & ~0xff00ULL) | (value & 0xff) << 8;
		return (old & ~0xffULL) | (value & 0xff);
	case 2:
		return (old & ~0xffffULL) | (value & 0xffff);
	case 4:
		return value & 0xffffffff;
	}
	return value;
}

uint64_t mmio_insn_store_value(const struct mmio_insn *insn, uint64_t reg_value)
{
	if (insn->has_imm)
		return insn->imm & mask(insn->size);
	if (insn->high_byte)
		reg_value >>= 8;
	return reg_value & mask(insn->size);
}

const char *mmio_insn_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case MMIO_INSN_ERR_TRUNCATED:
		return "instruction bytes truncated";
	case MMIO_INSN_ERR_TOO_LONG:
		return "instruction longer than 15 bytes";
	case MMIO_INSN_ERR_UNSUPPORTED:
		return "unsupported instruction";
	case MMIO_INSN_ERR_LOCK_REP:
		return "LOCK or REP prefix";
	case MMIO_INSN_ERR_NO_MEMORY:
		return "no memory operand";
	}
	return "unknown error";
}
