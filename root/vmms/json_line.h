/*
 * JSON text ending in a newline: a line of the VMMS socket (JSON_COMPACT)
 * or a definition file (JSON_INDENT).
 */
#ifndef VMMS_JSON_LINE_H
#define VMMS_JSON_LINE_H

#include <stddef.h>

#include <jansson.h>

/*
 * obj dumped with json_dumps' flags and a '\n', malloc'd; its length in
 * *len when len is not NULL. Takes the reference to obj, which may be NULL
 * (a json_pack that failed). Returns NULL when obj is NULL or memory runs
 * out.
 */
char *vmms_json_line(json_t *obj, size_t flags, size_t *len);

#endif
