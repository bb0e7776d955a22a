/* Bounded line framing (linebuf.h). */
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"

int linebuf_init(struct linebuf *lb, size_t cap)
{
	lb->data = malloc(cap);
	lb->cap = cap;
	lb->start = 0;
	lb->len = 0;
	return lb->data ? 0 : -1;
}

void linebuf_free(struct linebuf *lb)
{
	free(lb->data);
	lb->data = NULL;
}

size_t linebuf_space(struct linebuf *lb, char **at)
{
	if (lb->start) {
		memmove(lb->data, lb->data + lb->start, lb->len - lb->start);
		lb->len -= lb->start;
		lb->start = 0;
	}
	*at = lb->data + lb->len;
	return lb->cap - lb->len;
}

void linebuf_commit(struct linebuf *lb, size_t n)
{
	lb->len += n;
}

int linebuf_next(struct linebuf *lb, char **line, size_t *len)
{
	char *p = lb->data + lb->start;
	size_t held = lb->len - lb->start;
	char *nl = memchr(p, '\n', held);

	if (!nl)
		return held >= lb->cap ? -1 : 0;
	*nl = '\0';
	*line = p;
	*len = nl - p;
	lb->start += *len + 1;
	return 1;
}
