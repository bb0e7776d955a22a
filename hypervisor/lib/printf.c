/* A small vsnprintf: enough for logs and panics, nothing that needs floats. */
#include "lib.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/* prefix is "-" for negatives, "0x" for pointers, or empty. */
static void put_num(struct out *o, u64 v, unsigned base, const char *prefix, bool upper, int width,
		    bool zero, bool left)
{
	int plen = (int)strlen(prefix);
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	width -= n + plen;
	if (!left && !zero)
		pad(o, ' ', width);
	while (*prefix)
		put(o, *prefix++);
	if (!left && zero)
		pad(o, '0', width);
	while (n)
		put(o, tmp[--n]);
	if (left)
		pad(o, ' ', width);
}

int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		bool left = false, zero = false;
		int width = 0, prec = -1, lng = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (fmt++; *fmt == '-' || *fmt == '0'; fmt++)
			*fmt == '-' ? (left = true) : (zero = true);
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		if (*fmt == '.' && fmt[1] == '*') {
			prec = va_arg(ap, int);
			fmt += 2;
		} else if (*fmt == '.') {
			for (prec = 0, fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
				prec = prec * 10 + (*fmt - '0');
		}
		for (; *fmt == 'l' || *fmt == 'h' || *fmt == 'z'; fmt++)
			lng += *fmt == 'h' ? -1 : (*fmt == 'z' ? 2 : 1);

		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = lng >= 1 ? va_arg(ap, s64) : va_arg(ap, int);

			if (lng == -1)
				v = (short)v;
			else if (lng <= -2)
				v = (signed char)v;
			put_num(&o, v < 0 ? -(u64)v : (u64)v, 10, v < 0 ? "-" : "", false, width, zero,
				left);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			u64 v = lng >= 1 ? va_arg(ap, u64) : va_arg(ap, unsigned int);
			unsigned base = *fmt == 'u' ? 10 : (*fmt == 'o' ? 8 : 16);

			if (lng == -1)
				v = (u16)v;
			else if (lng <= -2)
				v = (u8)v;
			put_num(&o, v, base, "", *fmt == 'X', width, zero, left);
			break;
		}
		case 'p':
			put_num(&o, (uintptr_t)va_arg(ap, void *), 16, "0x", false, width, zero, left);
			break;
		case 'c':
			pad(&o, ' ', left ? 0 : width - 1);
			put(&o, (char)va_arg(ap, int));
			pad(&o, ' ', left ? width - 1 : 0);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n;

			if (!s)
				s = "(null)";
			n = (int)strnlen(s, prec < 0 ? (size_t)-1 : (size_t)prec);
			pad(&o, ' ', left ? 0 : width - n);
			for (int i = 0; i < n; i++)
				put(&o, s[i]);
			pad(&o, ' ', left ? width - n : 0);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int hv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int parse_size(const char *s, size_t len, u64 *out)
{
	unsigned base = 10;
	u64 v = 0;
	size_t i = 0, digits;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return -1;
	for (; i < len; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	digits = i - (base == 16 ? 2 : 0);
	if (!digits)
		return -1;
	if (i < len) {
		unsigned shift;

		switch (s[i]) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		default: return -1;
		}
		if (i + 1 != len || v > (UINT64_MAX >> shift))
			return -1;
		v <<= shift;
	}
	*out = v;
	return 0;
}
