/* JSON text lines (json_line.h). */
#include <stdlib.h>
#include <string.h>

#include "json_line.h"

char *vmms_json_line(json_t *obj, size_t flags, size_t *len)
{
	char *text, *out;
	size_t n;

	if (!obj)
		return NULL;
	text = json_dumps(obj, flags);
	json_decref(obj);
	if (!text)
		return NULL;
	n = strlen(text);
	out = realloc(text, n + 2);
	if (!out) {
		free(text);
		return NULL;
	}
	out[n] = '\n';
	out[n + 1] = '\0';
	if (len)
		*len = n + 1;
	return out;
}
