/*
 * Splits a byte stream into '\n'-terminated lines of bounded length: the
 * framing of the VMMS socket and of a worker's control replies.
 */
#ifndef VMMS_LINEBUF_H
#define VMMS_LINEBUF_H

#include <stddef.h>

struct linebuf {
	char *data;
	size_t cap;   /* longest line, its '\n' included */
	size_t start; /* first byte not yet handed out */
	size_t len;   /* bytes held, from data[0] */
};

/* Returns 0, or -1 when out of memory. */
int linebuf_init(struct linebuf *lb, size_t cap);
void linebuf_free(struct linebuf *lb);

/* Where the next read may put at most the returned number of bytes (0 when
 * the buffer is full of one unterminated line). */
size_t linebuf_space(struct linebuf *lb, char **at);
void linebuf_commit(struct linebuf *lb, size_t n);

/*
 * The next whole line, its '\n' replaced by a NUL; valid until the next
 * linebuf_space. Returns 1 with a line, 0 when none is complete, -1 when a
 * line is longer than cap (the stream cannot be framed any more).
 */
int linebuf_next(struct linebuf *lb, char **line, size_t *len);

/* Bytes of an unfinished line are held. */
static inline int linebuf_partial(const struct linebuf *lb)
{
	return lb->len > lb->start;
}

#endif
