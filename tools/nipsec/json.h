/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON writer: objects, arrays, strings, numbers, booleans, with
 * the commas and the escaping done for the caller.
 */
#ifndef NIPSEC_JSON_H
#define NIPSEC_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool comma[JSON_MAX_DEPTH];	/* a value was written at this depth */
};

void json_init(struct json *j, FILE *f);
/* key is NULL for array elements and the top-level value */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, bool val);

#endif /* NIPSEC_JSON_H */
