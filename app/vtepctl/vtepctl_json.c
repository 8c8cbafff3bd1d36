/* SPDX-License-Identifier: BSD-3-Clause */
/* A small JSON reader and printer: enough for DPDK telemetry answers. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtepctl.h"

static const char *jp; /* parse position (one parse at a time: vtepctl has one thread) */

static void
skip_ws(void)
{
	while (isspace((unsigned char)*jp))
		jp++;
}

static char *
parse_str(void)
{
	size_t n = 0, cap = 32;
	char *s = malloc(cap);

	if (s == NULL || *jp != '"')
		goto bad;
	for (jp++; *jp != '"'; jp++) {
		char c = *jp;

		if (c == '\0')
			goto bad;
		if (c == '\\') {
			c = *++jp;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == 'u') /* telemetry strings are ASCII: keep the low byte */
				c = (char)strtol((char[3]){jp[3], jp[4], 0}, NULL, 16), jp += 4;
			else if (c == '\0')
				goto bad;
		}
		if (n + 2 > cap) {
			char *t = realloc(s, cap *= 2);

			if (t == NULL)
				goto bad;
			s = t;
		}
		s[n++] = c;
	}
	jp++;
	s[n] = '\0';
	return s;
bad:
	free(s);
	return NULL;
}

static struct jnode *parse_value(int depth);

void
json_free(struct jnode *n)
{
	while (n != NULL) {
		struct jnode *next = n->next;

		json_free(n->kids);
		free(n->key);
		free(n->str);
		free(n);
		n = next;
	}
}

/* Members of an array or object, up to the closing bracket. */
static bool
parse_members(struct jnode *n, char close, int depth)
{
	struct jnode **tail = &n->kids;
	char *key = NULL;

	jp++;
	skip_ws();
	if (*jp == close) {
		jp++;
		return true;
	}
	for (;;) {
		skip_ws();
		if (close == '}') {
			key = parse_str();
			skip_ws();
			if (key == NULL || *jp++ != ':')
				return false;
		}
		*tail = parse_value(depth + 1);
		if (*tail == NULL) {
			free(key);
			return false;
		}
		(*tail)->key = key;
		tail = &(*tail)->next;
		skip_ws();
		if (*jp == ',') {
			jp++;
			continue;
		}
		if (*jp++ != close)
			return false;
		return true;
	}
}

static struct jnode *
parse_value(int depth)
{
	struct jnode *n = calloc(1, sizeof(*n));
	const char *start;

	if (n == NULL || depth > 16)
		goto bad;
	skip_ws();
	if (*jp == '{' || *jp == '[') {
		n->type = *jp == '{' ? J_OBJ : J_ARR;
		if (!parse_members(n, *jp == '{' ? '}' : ']', depth))
			goto bad;
	} else if (*jp == '"') {
		n->type = J_STR;
		n->str = parse_str();
		if (n->str == NULL)
			goto bad;
	} else if (strncmp(jp, "null", 4) == 0) {
		jp += 4;
	} else if (strncmp(jp, "true", 4) == 0 || strncmp(jp, "false", 5) == 0) {
		n->type = J_BOOL;
		n->str = strdup(*jp == 't' ? "true" : "false");
		jp += *jp == 't' ? 4 : 5;
	} else if (*jp == '-' || isdigit((unsigned char)*jp)) {
		n->type = J_NUM;
		for (start = jp; *jp == '-' || *jp == '+' || *jp == '.' || *jp == 'e' ||
				*jp == 'E' || isdigit((unsigned char)*jp);
				jp++)
			;
		n->str = strndup(start, jp - start);
	} else {
		goto bad;
	}
	return n;
bad:
	json_free(n);
	return NULL;
}

struct jnode *
json_parse(const char *text)
{
	struct jnode *n;

	jp = text;
	n = parse_value(0);
	skip_ws();
	if (n != NULL && *jp != '\0') {
		json_free(n);
		n = NULL;
	}
	return n;
}

const struct jnode *
jget(const struct jnode *obj, const char *key)
{
	if (obj == NULL || obj->type != J_OBJ)
		return NULL;
	for (const struct jnode *k = obj->kids; k != NULL; k = k->next)
		if (strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

const char *
jstr(const struct jnode *obj, const char *key)
{
	const struct jnode *n = jget(obj, key);

	return n != NULL && n->str != NULL ? n->str : "";
}

void
json_print(const struct jnode *n, FILE *f)
{
	if (n->type == J_OBJ || n->type == J_ARR) {
		fputc(n->type == J_OBJ ? '{' : '[', f);
		for (const struct jnode *k = n->kids; k != NULL; k = k->next) {
			if (n->type == J_OBJ)
				fprintf(f, "\"%s\":", k->key);
			json_print(k, f);
			if (k->next != NULL)
				fputc(',', f);
		}
		fputc(n->type == J_OBJ ? '}' : ']', f);
	} else if (n->type == J_STR) {
		fputc('"', f);
		for (const char *c = n->str; *c != '\0'; c++)
			fprintf(f, *c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
		fputc('"', f);
	} else {
		fputs(n->type == J_NULL ? "null" : n->str, f);
	}
}
